"""Special terms with a ``bsp`` coefficient (brms's "sp" terms): ``mo()`` and ``me()``.

brms gives every such term of a linear predictor one element of the
coefficient vector ``bsp`` (class ``b`` priors; coefficient named after the
term, ``mox`` for ``mo(x)``, ``mexsdx`` for ``me(x, sdx)``) and multiplies it
with the term's value::

    mu += Intercept + bsp[1] * mo(simo_1, Xmo_1) + bsp[2] * Xme_1;

:class:`SpDesign` is the one :class:`~brmspy.specials.SpecialDesign` of all
sp terms of a predictor: it owns ``Ksp``/``bsp``, its priors and draws
(``bsp_mox``).  Each kind of sp term is an :class:`SpTerm` subclass registered
with :func:`sp_term` (``mo.py``, ``me.py``); it supplies its data, parameters,
priors, Stan value expression and numpy value on (new) data.  Another kind
that multiplies ``bsp`` (e.g. ``mi(x)``) is one more SpTerm subclass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar

import numpy as np
import pandas as pd

from ..errors import FormulaError
from . import REGISTRY, SpecialDesign

if TYPE_CHECKING:
    from ..codegen.blocks import StanBlocks
    from ..formula.terms import SpecialTerm
    from ..frame import Prefix
    from ..naming import ParamInfo
    from ..priors import PriorRow

#: sp-term kind ("mo", "me") -> its SpTerm class
SP_TERMS: dict[str, type["SpTerm"]] = {}
#: order of the kinds' declarations in the program (brms's)
_ORDER = ("mo", "me", "mi")


def sp_term(kind: str) -> Callable[[type["SpTerm"]], type["SpTerm"]]:
    """Class decorator: ``@sp_term("mo")`` makes ``cls`` handle ``mo(...)`` terms, sharing ``bsp``."""

    def deco(cls: type["SpTerm"]) -> type["SpTerm"]:
        cls.kind = kind
        SP_TERMS[kind] = cls
        REGISTRY[kind] = SpDesign
        return cls

    return deco


def eval_arg(expr: str, data: pd.DataFrame, where: str) -> pd.Series:
    """A term argument: a column, an expression of columns, or a number."""
    from ..frame import _eval_column

    try:
        return pd.Series(np.full(len(data), float(expr)))
    except ValueError:
        return _eval_column(expr, data, where)


@dataclass
class SpTerm:
    """One sp term of a linear predictor.

    Attributes
    ----------
    term : the parsed ``mo(x)`` / ``me(x, sdx)``.
    prefix : its linear predictor (Stan names carry ``prefix.suffix``).
    k : its element of ``bsp`` (1-based).
    i : its number among the terms of its kind in the predictor (``Xmo_1``, ``simo_2``).
    """

    kind: ClassVar[str] = ""

    term: "SpecialTerm"
    prefix: "Prefix"
    formula: str
    k: int = 0
    i: int = 0
    info: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def coef(self) -> str:
        """brms's coefficient name: ``mo(x)`` -> ``mox``, ``me(x, sdx)`` -> ``mexsdx``."""
        from ..frame import brms_name

        return brms_name(self.term.text)

    @property
    def s(self) -> str:
        return self.prefix.suffix

    # -- data
    @classmethod
    def build(cls, term: "SpecialTerm", prefix: "Prefix", data: pd.DataFrame, formula: str) -> "SpTerm":
        raise NotImplementedError

    @classmethod
    def link(cls, terms: list["SpTerm"]) -> None:
        """All terms of this kind in the model (every predictor), after all are built."""

    # -- priors (``base``: resp/dpar/nlpar of the predictor; ``lookup`` bound to it)
    def prior_rows(self, base: dict[str, str]) -> list["PriorRow"]:
        return []

    def resolve_priors(self, lookup) -> dict[str, Any]:
        return {}

    def flat_parameters(self, priors: dict[str, Any]) -> list[str]:
        """brms names of the term's own parameters with flat priors (``priors`` from :meth:`resolve_priors`)."""
        return []

    # -- code
    @classmethod
    def stan_kind(cls, terms: list["SpTerm"], priors: list[dict[str, Any]]) -> "StanBlocks":
        """Declarations of this kind's terms in one predictor (``priors`` from :meth:`resolve_priors`)."""
        from ..codegen.blocks import StanBlocks

        return StanBlocks()

    def expression(self) -> str:
        """Vectorised Stan value of the term (multiplied by ``bsp[k]``)."""
        raise NotImplementedError

    # -- draws and predictions
    def draws(self, params: dict[str, np.ndarray]) -> list[tuple[str, np.ndarray, "ParamInfo"]]:
        return []

    def value(self, param, data: pd.DataFrame | None) -> np.ndarray:
        """The term's value, (draws or 1, rows); ``data`` None means the model data."""
        raise NotImplementedError

    def prior_draws(self, priors: dict[str, Any], sampler) -> dict[str, np.ndarray]:
        """Prior draws of the term's own parameters (``simo``, ``meanme``, ...), see :meth:`SpecialDesign.prior_draws`."""
        return {}


@dataclass
class SpDesign(SpecialDesign):
    """All sp terms (``mo()``, ``me()``) of one linear predictor, sharing ``bsp``."""

    @property
    def sp_terms(self) -> list[SpTerm]:
        return self.info["terms"]

    @classmethod
    def build(cls, prefix, terms, data, formula):
        design = cls(prefix, terms, formula)
        out: list[SpTerm] = []
        counts: dict[str, int] = {}
        for k, s in enumerate(terms, start=1):
            counts[s.kind] = counts.get(s.kind, 0) + 1
            t = SP_TERMS[s.kind].build(s, prefix, data, formula)
            t.k, t.i = k, counts[s.kind]
            out.append(t)
        coefs = [t.coef for t in out]
        if len(set(coefs)) != len(coefs):
            raise FormulaError(f"A special term appears twice in {formula!r}: {coefs}; remove the duplicate.")
        design.info["terms"] = out
        return design

    @classmethod
    def link(cls, designs):
        for d in designs:  # model-wide settings (set_mecor) reach the terms
            for t in d.sp_terms:
                t.info["settings"] = d.info.get("settings", {})
        for kind, handler in SP_TERMS.items():
            terms = [t for d in designs for t in d.sp_terms if t.kind == kind]
            if terms:
                handler.link(terms)

    @property
    def b_names(self) -> list[str]:
        return [t.coef for t in self.sp_terms]

    def prior_rows(self, base):
        return [row for t in self.sp_terms for row in t.prior_rows(base)]

    def resolve_priors(self, lookup):
        return {
            "bsp": [lookup(("b", t.coef), ("b", "")) for t in self.sp_terms],
            "terms": [t.resolve_priors(lookup) for t in self.sp_terms],
        }

    def flat_parameters(self, priors):
        label = self.prefix.label
        flat = [f"bsp_{label}{t.coef}" for t, p in zip(self.sp_terms, priors.get("bsp", [])) if p is None]
        for t, p in zip(self.sp_terms, priors.get("terms", [])):
            flat += t.flat_parameters(p)
        return flat

    def stan(self, priors):
        from ..codegen.blocks import StanBlocks
        from ..codegen.pieces import prior_statement

        s = self.prefix.suffix
        sb = StanBlocks()
        sb.declare(f"int<lower=1> Ksp{s}", f"Ksp{s}", len(self.sp_terms), "number of special effects terms")
        term_priors = priors.get("terms") or [{} for _ in self.sp_terms]
        for kind in sorted(SP_TERMS, key=lambda k: _ORDER.index(k) if k in _ORDER else len(_ORDER)):
            handler = SP_TERMS[kind]
            idx = [j for j, t in enumerate(self.sp_terms) if t.kind == kind]
            if idx:
                sb += handler.stan_kind([self.sp_terms[j] for j in idx], [term_priors[j] for j in idx])
        sb.par.append(f"vector[Ksp{s}] bsp{s};  // special effects coefficients")
        prior_statement(sb, f"bsp{s}", f"bsp{s}", priors.get("bsp") or [None] * len(self.sp_terms), f"Ksp{s}")
        return sb

    def predictor_terms(self) -> list[str]:
        s = self.prefix.suffix
        return [f"bsp{s}[{t.k}] * {t.expression()}" for t in self.sp_terms]

    def draws(self, params):
        from ..naming import ParamInfo

        label = self.prefix.label
        bsp = params[f"bsp{self.prefix.suffix}"]
        out = []
        for t in self.sp_terms:
            name = f"bsp_{label}{t.coef}"
            out.append((name, bsp[..., t.k - 1], ParamInfo(name, "b", coef=f"{label}{t.coef}")))
        for t in self.sp_terms:
            out.extend(t.draws(params))
        return out

    def prior_draws(self, priors, sampler):
        label = self.prefix.label
        out = {}
        for t, p in zip(self.sp_terms, priors.get("bsp") or []):
            values = sampler.scalar(p)  # bsp has no bounds in the program
            if values is not None:
                out[f"prior_bsp_{label}{t.coef}"] = values
        for t, p in zip(self.sp_terms, priors.get("terms") or []):
            out.update(t.prior_draws(p, sampler))
        return out

    def eta(self, param, data):
        bsp = param(f"bsp{self.prefix.suffix}")  # (S, Ksp)
        total: np.ndarray | float = 0.0
        for t in self.sp_terms:
            total = total + bsp[:, t.k - 1][:, None] * t.value(param, data)
        return total


__all__ = ["SP_TERMS", "SpDesign", "SpTerm", "eval_arg", "sp_term"]
