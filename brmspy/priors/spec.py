"""User priors: :func:`prior` (brms's ``set_prior``), combined with ``+``, or a get_prior()-style table."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np
import pandas as pd

from ..core.distributions import (STAN_VECTOR, PriorDist, SpecialPrior, format_number, parse_any_prior,
                                  parse_prior_string)
from ..core.errors import PriorError
from ..families import DPARS

VALID_CLASSES = ("b", "Intercept", "sd", "cor", "df", *DPARS)


@dataclass(frozen=True)
class Prior:
    """One prior statement, as brms's ``set_prior``.

    Parameters
    ----------
    prior : a Stan distribution, e.g. ``"normal(0, 10)"``; ``""`` means flat.
    class_ : parameter class: ``"b"``, ``"Intercept"``, ``"sd"``, ``"cor"``, ``"sigma"``, ...
    coef, group, resp, dpar, nlpar : narrow the prior to some parameters.
    lb, ub : bounds, as in brms: for a whole class (no ``coef``) of ``b``, ``Intercept``, ``sd``
        (optionally one ``group``) and the distributional parameters such as ``sigma``.

    Besides Stan distributions, ``prior`` takes brms's special priors: ``horseshoe(...)`` and
    ``R2D2(...)`` on a whole class of :data:`SHRINKAGE_CLASSES` (shrinkage of all population-level
    coefficients of one predictor, of its sds, ...), and ``constant(value)`` (the parameter is fixed at
    ``value``, which is passed as data).
    """

    prior: str
    class_: str = "b"
    coef: str = ""
    group: str = ""
    resp: str = ""
    dpar: str = ""
    nlpar: str = ""
    lb: float | None = None
    ub: float | None = None

    def __post_init__(self) -> None:
        _check_types(self)
        dist = parse_any_prior(self.prior)  # validates name, arity, numbers and their ranges
        if isinstance(dist, SpecialPrior):
            _check_special(self, dist)
            return
        if dist is not None and dist.info.kind == "cholesky" and self.class_ not in ("cor", "rescor", "corme", "lncor", "cortime"):
            raise PriorError(f"{self.prior!r} is a prior for correlation matrices; use it with class_='cor', 'rescor', 'lncor', 'cortime' "
                             "or 'corme' (latent correlations of me() terms).")
        if dist is not None and dist.info.kind == "simplex" and self.class_ not in ("theta", "simo", "sbhaz", "b"):
            raise PriorError(f"{self.prior!r} is a prior for simplexes; use it with class_='theta' (mixing "
                             "proportions), class_='simo' (monotonic effects), class_='sbhaz' (cox baseline hazard) "
                             "or class_='b' (brms: the coefficients become a simplex).")
        if dist is not None and dist.info.kind == "simplex" and self.class_ == "b" and (self.coef or self.lb is not None
                                                                                       or self.ub is not None):
            raise PriorError(f"{self.prior!r} on class 'b' makes all coefficients of the predictor one simplex (brms "
                             "declares simplex[K] b): give it to the whole class, without coef, lb or ub.")
        if dist is not None and dist.info.kind == "simplex" and self.class_ == "b" and not STAN_VECTOR.search(self.prior):
            raise PriorError(f"{self.prior!r} on class 'b': brms writes the prior text into the Stan program, where the "
                             "concentrations must be a Stan vector (stanc rejects dirichlet(c(...)) and a number); "
                             "write them as a Stan vector, e.g. \"dirichlet([1, 2]')\" for two coefficients.")
        if dist is not None and STAN_VECTOR.search(self.prior) and self.class_ != "b":
            raise PriorError(f"brms evaluates the {self.class_!r} concentrations of {self.prior!r} in R, where the Stan "
                             "vector [..]' is not valid; write dirichlet(c(1, 2)) instead.")
        if self.class_ == "sbhaz" and dist is not None and dist.info.kind != "simplex":
            raise PriorError(f"The baseline hazard coefficients of the cox family (class 'sbhaz') take a dirichlet "
                             f"prior such as 'dirichlet(1)', not {self.prior!r}.")
        if self.class_ == "simo" and dist is not None and dist.info.kind != "simplex":
            raise PriorError(f"Monotonic simplexes (class 'simo') take a dirichlet prior such as 'dirichlet(1)', not {self.prior!r}.")
        if self.class_ in ("cor", "rescor", "corme", "lncor", "cortime") and dist is not None and dist.info.kind != "cholesky":
            raise PriorError(f"Correlations take an LKJ prior such as 'lkj(2)', not {self.prior!r}.")
        _check_bounds(self)

    @property
    def dist(self) -> PriorDist | None:
        """The Stan distribution (None for a flat prior and for brms's special priors)."""
        return None if self.special is not None else parse_prior_string(self.prior)

    @property
    def special(self) -> SpecialPrior | None:
        """``horseshoe(...)``, ``R2D2(...)`` or ``constant(...)`` (else None)."""
        p = parse_any_prior(self.prior)
        return p if isinstance(p, SpecialPrior) else None

    def __add__(self, other: "Prior | PriorSet") -> "PriorSet":
        return PriorSet([self]) + other

    def __iter__(self) -> Iterator["Prior"]:
        yield self

    def key(self) -> tuple[str, ...]:
        return (self.class_, self.coef, self.group, self.resp, self.dpar, self.nlpar)


#: classes whose bounds brms lets the user set (``lb``/``ub`` of ``set_prior``); sd and the dpars as a whole
BOUNDED_CLASSES = ("b", "Intercept", "sd", *DPARS)


def _check_bounds(p: "Prior") -> None:
    if p.lb is None and p.ub is None:
        return
    if p.class_ not in BOUNDED_CLASSES:
        raise PriorError(f"Bounds (lb/ub) cannot be set on class {p.class_!r}; brms allows them on classes 'b', "
                         "'Intercept', 'sd' and distributional parameters such as 'sigma'.")
    if p.coef:  # brms: "Argument 'coef' may not be specified when using boundaries."
        raise PriorError(f"Bounds (lb/ub) apply to a whole class ({p.class_!r}); coef= may not be given with "
                         "them (brms: \"Argument 'coef' may not be specified when using boundaries\"). Remove coef= "
                         "or the bounds.")
    if p.lb is not None and p.ub is not None and not p.lb < p.ub:
        raise PriorError(f"The prior {p.prior!r} on class {p.class_!r} has lb = {format_number(p.lb)} not below "
                         f"ub = {format_number(p.ub)}; the lower bound must be less than the upper bound.")


#: classes a horseshoe()/R2D2() prior may shrink (current brms's validate_special_prior), in brms's order
SHRINKAGE_CLASSES = ("b", "sds", "sdgp", "ar", "ma", "sderr", "sdcar", "sd")

#: classes a constant() prior may fix (brms: any class whose parameter brmspy declares as a whole)
CONSTANT_CLASSES = ("b", "Intercept", "sd", "sds", "lscale", *DPARS)


def _check_special(p: "Prior", sp: SpecialPrior) -> None:
    """Where brms accepts its special priors (``validate_special_prior``, ``stan_prior``), with its messages."""
    if sp.shrinkage:
        if p.class_ not in SHRINKAGE_CLASSES or p.coef or p.group:
            raise PriorError(
                f"Prior {p.prior!r} is used in an invalid context (class_={p.class_!r}"
                + (f", coef={p.coef!r}" if p.coef else "") + (f", group={p.group!r}" if p.group else "") + "). "
                f"{sp.name}() is a shrinkage prior for all population-level coefficients of a predictor at once: "
                f"write prior({p.prior!r}, class_='b') (with dpar=, nlpar= or resp= to choose the predictor), or one "
                f"of the classes {', '.join(repr(c) for c in SHRINKAGE_CLASSES[1:])} as current brms.")
        if p.lb is not None or p.ub is not None:
            raise PriorError(f"Cannot add bounds to class {p.class_!r} for the prior {p.prior!r} (brms: setting "
                             "boundaries is not allowed when using special priors); remove lb/ub.")
        return
    if p.class_ == "simo":  # brms's data_sp evaluates the simplex prior as dirichlet() concentrations
        raise PriorError(f"brms takes only dirichlet() priors on the simplexes of mo() terms (class 'simo'): it "
                         f"evaluates {p.prior!r} as the concentration and fails (could not find function "
                         "\"constant\"), so brmspy refuses it. To fix a monotonic effect, put constant() on its "
                         "coefficient (class 'b', coef 'mox').")
    if p.class_ in ("cor", "L") and sp.is_matrix:  # brms: "L_1 = [[1, 0], [0, 1]];", the Cholesky factor itself
        if p.lb is not None or p.ub is not None:
            raise PriorError(f"A constant prior ({p.prior!r}) fixes the parameter; bounds (lb/ub) have no meaning with it.")
        return
    if p.class_ in ("cor", "L"):  # brms's stan_prior writes "L_1 = 1;", a program Stan rejects
        raise PriorError(f"brms writes {p.prior!r} on class {p.class_!r} as the Cholesky factor itself "
                         "('L_1 = <value>;'), a program Stan rejects (the factor is a matrix), so brmspy refuses it. For uncorrelated "
                         "group-level effects write (1 + x || g).")
    if p.class_ not in CONSTANT_CLASSES:
        raise PriorError(f"constant() priors fix parameters of classes {', '.join(repr(c) for c in CONSTANT_CLASSES[:5])} "
                         f"and the distributional parameters in brmspy, not class {p.class_!r}.")
    if p.lb is not None or p.ub is not None:
        raise PriorError(f"A constant prior ({p.prior!r}) fixes the parameter; bounds (lb/ub) have no meaning with it.")


_USAGE = ("Pass priors made with brmspy.prior(), e.g. prior('normal(0, 1)', class_='b'), several combined "
          "with + or in a list, or a get_prior()-style DataFrame")


def _check_types(p: "Prior") -> None:
    """Wrong types get a PriorError saying what to pass, not a TypeError deep inside."""
    if not isinstance(p.prior, str):
        raise PriorError(f"A prior is a string such as 'normal(0, 1)', got {type(p.prior).__name__} {p.prior!r}: "
                         f"write prior('normal(0, 1)', class_={p.class_!r}).")
    for name in ("class_", "coef", "group", "resp", "dpar", "nlpar"):
        value = getattr(p, name)
        if not isinstance(value, str):
            raise PriorError(f"{name}= of prior({p.prior!r}) must be a string, got {type(value).__name__} {value!r}.")
    for name in ("lb", "ub"):
        value = getattr(p, name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise PriorError(f"{name}= of prior({p.prior!r}) must be a number or None, got {type(value).__name__} {value!r}.")
        if math.isnan(value):
            raise PriorError(f"{name}= of prior({p.prior!r}) is NaN; give a number or None (no bound).")


class PriorSet(list):
    """A list of :class:`Prior` that also combines with ``+``."""

    def __add__(self, other):  # type: ignore[override]
        if isinstance(other, Prior):
            return PriorSet([*self, other])
        return PriorSet([*self, *other])


def prior(
    prior: str,
    class_: str = "b",
    coef: str = "",
    group: str = "",
    resp: str = "",
    dpar: str = "",
    nlpar: str = "",
    lb: float | None = None,
    ub: float | None = None,
) -> Prior:
    """Define a prior (brms's ``set_prior``/``prior``).

    brms's special priors: ``horseshoe(...)`` and ``R2D2(...)`` shrink all coefficients of class ``b``
    of a predictor (with the ``bsp`` of mo()/me()/mi() and the ``bs`` of s() terms), or the whole class
    ``sd``, ``sds``, ``sdgp``, ``ar``, ``ma``, ``sderr`` or ``sdcar`` (several as one prior with
    ``main = TRUE``, as current brms); ``constant(value)`` fixes a parameter at ``value``.

    Examples
    --------
    >>> prior("normal(0, 1)", class_="b", coef="Days").coef
    'Days'
    >>> prior("horseshoe(3, par_ratio = 0.1)").special.get("par_ratio")
    0.1
    >>> prior("constant(1)", coef="Days").special.name
    'constant'
    >>> prior("normal(0, 2)", class_="sd", ub=10).ub
    10
    """
    return Prior(prior, class_, coef, group, resp, dpar, nlpar, lb, ub)


set_prior = prior


def as_prior_list(priors: "Prior | Iterable[Prior] | pd.DataFrame | None") -> list[Prior]:
    """The user's priors as a list of :class:`Prior`; anything else is a :class:`PriorError`."""
    if priors is None:
        return []
    if isinstance(priors, Prior):
        return [priors]
    if isinstance(priors, pd.DataFrame):
        return _priors_from_frame(priors)
    if isinstance(priors, str):
        raise PriorError(f"prior={priors!r} is a bare string, which names no parameter. Write "
                         f"prior=prior({priors!r}, class_='b') (and coef=, group=, dpar=, ... to narrow it).")
    if isinstance(priors, (dict, pd.Series)) or not isinstance(priors, Iterable):
        raise PriorError(f"prior= got {type(priors).__name__} {_short(priors)}. {_USAGE}.")
    out = []
    for p in priors:
        if isinstance(p, Prior):
            out.append(p)
        elif isinstance(p, str):
            raise PriorError(f"The prior list holds the bare string {p!r}, which names no parameter. Write "
                             f"prior({p!r}, class_='b') instead.")
        else:
            raise PriorError(f"Priors must be made with brmspy.prior(...); got {type(p).__name__} {_short(p)}. {_USAGE}.")
    return out


def _short(x: object) -> str:
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def _priors_from_frame(frame: pd.DataFrame) -> list[Prior]:
    """Rows of a get_prior()-style table with a non-empty prior (NaN/None cells are empty)."""
    missing = [c for c in ("prior", "class") if c not in frame.columns]
    if missing:
        raise PriorError(f"A prior DataFrame needs the columns 'prior' and 'class' (and optionally coef, group, "
                         f"resp, dpar, nlpar, lb, ub, as get_prior() returns); this one lacks {', '.join(missing)}. "
                         "Or pass prior('normal(0, 1)', class_='b').")

    def cell(r: pd.Series, c: str) -> str:
        v = r.get(c, "")
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            return ""
        return str(v).strip()

    def bound(r: pd.Series, c: str) -> float | None:
        text = cell(r, c)
        if text in ("", "nan", "None", "NA"):
            return None
        try:
            return float(text)
        except ValueError:
            raise PriorError(f"The {c} {text!r} in the prior DataFrame is not a number.") from None

    out = []
    for i, r in frame.iterrows():
        if not cell(r, "prior"):
            continue
        cls = cell(r, "class")
        if not cls:
            raise PriorError(f"Row {i} of the prior DataFrame ({cell(r, 'prior')!r}) has no class; "
                             "give one such as 'b', 'Intercept', 'sd' or 'sigma'.")
        # a get_prior() table carries the default bounds of sd and dpars (lb = 0): only the user's own bounds count
        bounded = cls in ("b", "Intercept") or (cls in BOUNDED_CLASSES and not cell(r, "coef"))
        lb, ub = (bound(r, "lb"), bound(r, "ub")) if bounded else (None, None)
        if cls not in ("b", "Intercept"):
            lb, ub = _user_bound(cls, lb, "lb"), _user_bound(cls, ub, "ub")
        out.append(Prior(cell(r, "prior"), cls, *(cell(r, c) for c in ("coef", "group", "resp", "dpar", "nlpar")),
                         lb, ub))
    return out


def _user_bound(cls: str, value: float | None, which: str) -> float | None:
    """A bound of a prior table row, unless it is the parameter's natural bound (sd >= 0, sigma >= 0, ...)."""
    if value is None:
        return None
    if cls == "sd":
        natural = 0.0 if which == "lb" else None
    else:
        info = DPARS.get(cls)
        natural = None if info is None else (info.lower if which == "lb" else info.upper)
    return None if isinstance(natural, (int, float)) and float(natural) == value else value
