"""Special predictor terms (``offset()``, ``mo()``, ``me()``, ``s()``, ``gp()``, ...).

Each kind of special term is one :class:`SpecialDesign` subclass in its own
module, registered with :func:`register`.  A subclass carries the term's whole
life cycle, so the shared stages only loop over ``design.specials``:

======================  ==============================================
stage                   method
======================  ==============================================
data (``frame.py``)     :meth:`SpecialDesign.build` (classmethod)
priors (``priors.py``)  :meth:`prior_rows`, :meth:`resolve_priors`
code (``codegen``)      :meth:`stan` (declarations, parameters, priors),
                        :meth:`predictor_terms` (added to the predictor)
draws (``naming.py``)   :meth:`draws` (brms names of its parameters)
predictions             :meth:`eta` (its part of the linear predictor)
prior draws             :meth:`prior_draws` (``sample_prior="yes"``)
======================  ==============================================

Stan names follow brms: the term's Stan objects carry the linear predictor's
suffix (``prefix.suffix``, e.g. ``_sigma``) so one kind can appear on several
dpars and responses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar

import numpy as np
import pandas as pd

from ..core.errors import FormulaError
from ..core.types import ParamGetter, PriorLookup

if TYPE_CHECKING:  # imported lazily at run time: frame.py imports this module
    from ..core.stan import StanBlocks
    from ..core.types import ParamInfo, PriorRow
    from ..formula.prefix import Prefix
    from ..formula.terms import SpecialTerm
    from ..priors.draws import PriorSampler


REGISTRY: dict[str, type["SpecialDesign"]] = {}

#: special terms handled outside the linear predictor (category-specific, unsupported autocorrelation);
#: ar/ma/arma/cosy are registered by brmspy.autocorrelation (via specials/autocor.py)
NOT_PREDICTOR_TERMS = frozenset({"cs", "car", "sar", "fcor", "unstr"})


def register(*kinds: str) -> Callable[[type["SpecialDesign"]], type["SpecialDesign"]]:
    """Class decorator: ``@register("mo")`` makes the class build every ``mo(...)`` term."""

    def deco(cls: type["SpecialDesign"]) -> type["SpecialDesign"]:
        for k in kinds:
            REGISTRY[k] = cls
        cls.kinds = kinds
        return cls

    return deco


@dataclass
class SpecialDesign:
    """All special terms of one kind on one linear predictor.

    Subclasses fill ``values`` (Stan data by name) in :meth:`build` and
    override the hooks they need; the defaults contribute nothing.
    """

    kinds: ClassVar[tuple[str, ...]] = ()

    prefix: "Prefix"
    terms: tuple["SpecialTerm", ...]
    formula: str
    info: dict[str, Any] = field(default_factory=dict, repr=False)

    # -- data stage
    @classmethod
    def build(cls, prefix: "Prefix", terms: tuple["SpecialTerm", ...], data: pd.DataFrame, formula: str) -> "SpecialDesign":
        """Evaluate the terms on the (NA-free) model data."""
        return cls(prefix, terms, formula)

    @classmethod
    def link(cls, designs: list["SpecialDesign"]) -> None:
        """See every design of this class in the model at once (after all are built).

        For objects shared across linear predictors, e.g. the latent values of
        ``me()`` terms, which brms numbers and declares once per model.
        """

    @property
    def b_names(self) -> list[str]:
        """Coefficient names this kind adds to class ``b`` (brms's ``bsp``/``bs`` coefficients)."""
        return []

    # -- priors
    def prior_rows(self, base: dict[str, str]) -> list["PriorRow"]:
        """Default prior rows (``base`` holds resp/dpar/nlpar)."""
        return []

    def resolve_priors(self, lookup: PriorLookup) -> dict[str, Any]:
        """Resolved priors this kind's :meth:`stan` needs, keyed as it likes."""
        return {}

    def flat_parameters(self, priors: dict[str, Any]) -> list[str]:
        """brms names of this kind's parameters with flat priors (``priors`` from :meth:`resolve_priors`)."""
        return []

    # -- code
    def stan(self, priors: dict[str, Any]) -> "StanBlocks":
        """Data declarations, parameters and ``lprior`` statements."""
        from ..core.stan import StanBlocks

        return StanBlocks()

    def predictor_terms(self) -> list[str]:
        """Vectorised (length-N) Stan expressions added to the linear predictor."""
        return []

    # -- draws and predictions
    def draws(self, params: dict[str, np.ndarray]) -> list[tuple[str, np.ndarray, "ParamInfo"]]:
        """brms-named draws ``(name, (chain, draw) array, info)`` of this kind's parameters."""
        return []

    def eta(self, param: ParamGetter, data: pd.DataFrame | None) -> np.ndarray | float:
        """This kind's part of the linear predictor, (draws, rows); ``data`` None means the model data."""
        return 0.0

    def prior_draws(self, priors: dict[str, Any], sampler: "PriorSampler") -> dict[str, np.ndarray]:
        """Draws from the priors of this kind's parameters (``sample_prior="yes"``), by brms name.

        Names are ``prior_`` + the parameter's draw name (``prior_bsp_mox``,
        ``prior_sds_sx_1``); ``priors`` comes from :meth:`resolve_priors` and
        ``sampler`` (:class:`brmspy.prior_sampling.PriorSampler`) returns (chain, draw)
        arrays, truncated to the parameter's bounds, or None for flat priors.
        """
        return {}


def build_specials(prefix: "Prefix", terms: tuple["SpecialTerm", ...], data: pd.DataFrame, formula: str) -> list[SpecialDesign]:
    """One :class:`SpecialDesign` per kind of special term in ``terms``, in first-use order."""
    _load_modules()
    kinds: dict[str, list["SpecialTerm"]] = {}
    for s in terms:
        if s.kind in NOT_PREDICTOR_TERMS:
            continue
        if s.kind not in REGISTRY:
            raise FormulaError(f"The special term '{s.text}' in {formula!r} is recognised but not supported yet.")
        kinds.setdefault(REGISTRY[s.kind].__name__, []).append(s)
    out = []
    for group in kinds.values():
        out.append(REGISTRY[group[0].kind].build(prefix, tuple(group), data, formula))
    return out


def link_specials(designs: list, **settings: Any) -> None:
    """Call :meth:`SpecialDesign.link` once per kind with its designs from every linear predictor.

    ``settings`` are model-wide options from the formula (``mecor`` of
    :func:`~brmspy.formula.set_mecor`), put in every design's ``info["settings"]``.
    """
    by_class: dict[type, list[SpecialDesign]] = {}
    for design in designs:
        for sp in design.specials:
            sp.info["settings"] = settings
            by_class.setdefault(type(sp), []).append(sp)
    for cls, sps in by_class.items():
        cls.link(sps)


_LOADED = False


def _load_modules() -> None:
    """Import the modules that register special terms (once)."""
    global _LOADED
    if _LOADED:
        return
    import importlib
    import pkgutil

    for mod in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{mod.name}")
    _LOADED = True


__all__ = ["REGISTRY", "SpecialDesign", "build_specials", "link_specials", "register"]
