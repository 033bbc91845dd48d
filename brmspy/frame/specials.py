"""The special-term interface: ``offset()``, ``mo()``, ``me()``, ``mi()``, ``s()``, ``gp()``, ``ar()``, ...

Each kind of special term is one :class:`SpecialDesign` subclass, a plug-in in
:mod:`brmspy.specials` listed there explicitly and registered with :func:`register`.
A subclass carries the term's whole life cycle with one hook per stage, so the
shared stages only loop over ``design.specials``:

=========================  ==============================================
stage                      hook
=========================  ==============================================
data (``frame.build``)     :meth:`SpecialDesign.build` (classmethod), :meth:`link`
priors (``priors``)        :meth:`prior_rows`, :meth:`resolve_priors`, :meth:`flat_parameters`
code (``codegen``)         :meth:`stan` (declarations, parameters, priors),
                           :meth:`predictor_terms` (added to the predictor)
draws (``fit.naming``)     :meth:`draws` (brms names of its parameters)
new data (``frame.spec``)  :meth:`new_columns` (its columns on new rows)
predictions                :meth:`eta` (its part of the linear predictor)
prior draws                :meth:`prior_draws` (``sample_prior="yes"``)
=========================  ==============================================

A design's data are typed fields of its subclass (``OffsetDesign.offsets``,
``SmoothDesign.pieces``, ...), set by :meth:`build` and :meth:`link` in the data
stage; later stages read them and never write them.  This module is the data
stage's side of the interface: :func:`build_frame <brmspy.frame.build.build_frame>`
looks kinds up in :data:`REGISTRY` and never imports the plug-ins themselves.

Stan names follow brms: the term's Stan objects carry the linear predictor's
suffix (``prefix.suffix``, e.g. ``_sigma``) so one kind can appear on several
dpars and responses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..core.errors import FormulaError
from ..core.stan import StanBlocks
from ..core.types import ParamGetter, ParamInfo, PriorLookup, PriorRow, PriorSampler
from ..formula.prefix import Prefix
from ..formula.terms import SpecialTerm

#: term kind ("mo", "s", "ar", ...) -> the SpecialDesign subclass that builds it (filled by brmspy.specials)
REGISTRY: dict[str, type["SpecialDesign"]] = {}

#: special terms handled outside the linear predictor (category-specific)
NOT_PREDICTOR_TERMS = frozenset({"cs"})


def register(cls: type["SpecialDesign"]) -> type["SpecialDesign"]:
    """Make ``cls`` build every term of the kinds it names in ``cls.kinds`` (``("s", "t2")``)."""
    if not cls.kinds:
        raise TypeError(f"internal: {cls.__name__} names no term kinds")
    for k in cls.kinds:
        REGISTRY[k] = cls
    return cls


@dataclass(frozen=True)
class ModelSettings:
    """Model-wide options of the formula that special terms see when they are linked.

    ``mecor``: the latent values of several ``me()`` terms are correlated (:func:`~brmspy.formula.set_mecor`).
    """

    mecor: bool = True
    data2: Any = None  # the data2 dict (matrices such as car()'s adjacency), or None
    rows: Any = None  # 0-based positions of the model's rows in the user's data (NA rows dropped), or None
    n_data: int | None = None  # number of rows of the user's data
    #: ``x | mi() + index(id)`` responses: column x -> (x's values on its rows, NaN where imputed,
    #: its ``index()`` values on those rows, x's terms), for ``mi(x, idx = g)`` predictors of other responses
    mi_index: Any = None
    subsetted: frozenset = frozenset()  # multivariate responses with their own subset()


@dataclass
class SpecialDesign:
    """All special terms of one kind on one linear predictor.

    Subclasses declare their data as fields (with defaults), fill them in
    :meth:`build` and override the hooks they need; the defaults contribute nothing.
    """

    kinds: ClassVar[tuple[str, ...]] = ()

    prefix: Prefix
    terms: tuple[SpecialTerm, ...]
    formula: str

    # -- data stage
    @classmethod
    def build(cls, prefix: Prefix, terms: tuple[SpecialTerm, ...], data: pd.DataFrame, formula: str) -> "SpecialDesign":
        """Evaluate the terms on the (NA-free) model data."""
        return cls(prefix, terms, formula)

    @classmethod
    def link(cls, designs: list["SpecialDesign"], settings: ModelSettings) -> None:
        """See every design of this class in the model at once (after all are built).

        For objects shared across linear predictors, e.g. the latent values of
        ``me()`` terms, which brms numbers and declares once per model.
        """

    def see_family(self, family: Any) -> None:
        """See the response's family (after :meth:`build`), for terms whose structure depends on it.

        ``ar()`` of a family without natural residuals (poisson, ...) uses brms's latent residuals.
        """

    @property
    def b_names(self) -> list[str]:
        """Coefficient names this kind adds to class ``b`` (brms's ``bsp``/``bs`` coefficients)."""
        return []

    def shrinkable(self, class_: str) -> list[tuple[str, str, int]]:
        """This kind's parameters of class ``class_`` that a horseshoe()/R2D2() prior on that class scales
        (current brms: ``b`` for ``bsp``/``bs``, ``sds``, ``sdgp``, ``ar``, ``ma``, ``sderr``, ``sdcar``):
        (Stan name, its length's Stan name or ``"1"`` for a scalar, length), e.g. ``("bsp", "Ksp", 2)``.

        The prior-resolution stage gives them no prior; :mod:`brmspy.codegen.shrinkage` declares them
        as parts of the prior's ``scales`` (coefficients as ``zbsp .* sdbsp``)."""
        return []

    def group_effects(self, effects: list[tuple[str, int, int, int]]) -> None:
        """Coefficients of this kind that vary by group (``(mo(x) | g)``): (coefficient, block id, j, members).

        Called by the data stage after the group-level blocks are built; the kind adds
        ``r_<block>_<j>`` to the coefficient in its code and predictions. Kinds without
        varying coefficients refuse.
        """
        if effects:
            raise FormulaError(f"The special terms of {self.formula!r} cannot vary by group: {effects[0][0]}.")

    # -- priors
    def prior_rows(self, base: dict[str, str], scale_prior: str) -> list[PriorRow]:
        """Default prior rows (``base`` holds resp/dpar/nlpar).

        ``scale_prior`` is brms's default of sd-like classes (``sds``, ``sdgp``): ``student_t(3, 0, s)``
        with the response's scale ``s``.
        """
        return []

    def resolve_priors(self, lookup: PriorLookup) -> dict[str, Any]:
        """Resolved priors this kind's :meth:`stan` needs, keyed as it likes."""
        return {}

    def flat_parameters(self, priors: dict[str, Any]) -> list[str]:
        """brms names of this kind's parameters with flat priors (``priors`` from :meth:`resolve_priors`)."""
        return []

    # -- code
    def stan(self, priors: dict[str, Any]) -> StanBlocks:
        """Data declarations, parameters and ``lprior`` statements."""
        return StanBlocks()

    def predictor_terms(self) -> list[str]:
        """Vectorised (length-N) Stan expressions added to the linear predictor."""
        return []

    # -- draws and predictions
    def draws(self, params: dict[str, np.ndarray]) -> list[tuple[str, np.ndarray, ParamInfo]]:
        """brms-named draws ``(name, (chain, draw) array, info)`` of this kind's parameters."""
        return []

    def new_columns(self, data: pd.DataFrame) -> Any:
        """This kind's columns on new rows, as :meth:`eta` reads them (its own type; None: none per row).

        The data stage's hook for new data: :meth:`brmspy.frame.spec.NewData.special_columns`
        calls it once per prediction, so evaluation and checks of the columns (a missing column,
        a wrong type) happen here, with a DataError naming the problem.
        """
        return None

    def eta(self, param: ParamGetter, columns: Any = None) -> np.ndarray | float:
        """This kind's part of the linear predictor, (draws, rows).

        ``columns`` None means the model data (the values kept by :meth:`build`), otherwise
        what :meth:`new_columns` returned for new rows.
        """
        return 0.0

    def prior_draws(self, priors: dict[str, Any], sampler: PriorSampler) -> dict[str, np.ndarray]:
        """Draws from the priors of this kind's parameters (``sample_prior="yes"``), by brms name.

        Names are ``prior_`` + the parameter's draw name (``prior_bsp_mox``,
        ``prior_sds_sx_1``); ``priors`` comes from :meth:`resolve_priors` and
        ``sampler`` (:class:`brmspy.priors.draws.PriorSampler`) returns (chain, draw)
        arrays, truncated to the parameter's bounds, or None for flat priors.
        """
        return {}


def build_specials(prefix: Prefix, terms: tuple[SpecialTerm, ...], data: pd.DataFrame, formula: str) -> list[SpecialDesign]:
    """One :class:`SpecialDesign` per kind of special term in ``terms``, in first-use order."""
    if not REGISTRY:
        raise RuntimeError("internal: no special terms are registered (brmspy.specials registers them on import)")
    kinds: dict[str, list[SpecialTerm]] = {}
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


def link_specials(designs: list, settings: ModelSettings) -> None:
    """Call :meth:`SpecialDesign.link` once per kind with its designs from every linear predictor."""
    by_class: dict[type, list[SpecialDesign]] = {}
    for design in designs:
        for sp in design.specials:
            by_class.setdefault(type(sp), []).append(sp)
    for cls, sps in by_class.items():
        cls.link(sps, settings)


__all__ = ["NOT_PREDICTOR_TERMS", "REGISTRY", "ModelSettings", "SpecialDesign", "build_specials", "link_specials",
           "register"]
