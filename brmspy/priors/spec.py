"""User priors: :func:`prior` (brms's ``set_prior``), combined with ``+``, or a get_prior()-style table."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np
import pandas as pd

from ..core.distributions import PriorDist, format_number, parse_prior_string
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
    lb, ub : bounds (class ``b`` only), as in brms.
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
        dist = parse_prior_string(self.prior)  # validates name, arity, numbers and their ranges
        if dist is not None and dist.info.kind == "cholesky" and self.class_ not in ("cor", "rescor", "corme"):
            raise PriorError(f"{self.prior!r} is a prior for correlation matrices; use it with class_='cor', 'rescor' "
                             "or 'corme' (latent correlations of me() terms).")
        if dist is not None and dist.info.kind == "simplex" and self.class_ not in ("theta", "simo"):
            raise PriorError(f"{self.prior!r} is a prior for simplexes; use it with class_='theta' (mixing "
                             "proportions) or class_='simo' (monotonic effects).")
        if self.class_ == "simo" and dist is not None and dist.info.kind != "simplex":
            raise PriorError(f"Monotonic simplexes (class 'simo') take a dirichlet prior such as 'dirichlet(1)', not {self.prior!r}.")
        if self.class_ in ("cor", "rescor", "corme") and dist is not None and dist.info.kind != "cholesky":
            raise PriorError(f"Correlations take an LKJ prior such as 'lkj(2)', not {self.prior!r}.")
        if (self.lb is not None or self.ub is not None) and self.class_ != "b":
            raise PriorError(f"Bounds (lb/ub) are allowed only for class 'b', not for {self.class_!r}.")
        if (self.lb is not None or self.ub is not None) and self.coef:
            raise PriorError("Bounds (lb/ub) apply to the whole class 'b'; remove coef= or the bounds.")
        if self.lb is not None and self.ub is not None and not self.lb < self.ub:
            raise PriorError(f"The prior {self.prior!r} on class 'b' has lb = {format_number(self.lb)} not below "
                             f"ub = {format_number(self.ub)}; the lower bound must be less than the upper bound.")

    @property
    def dist(self) -> PriorDist | None:
        return parse_prior_string(self.prior)

    def __add__(self, other: "Prior | PriorSet") -> "PriorSet":
        return PriorSet([self]) + other

    def __iter__(self) -> Iterator["Prior"]:
        yield self

    def key(self) -> tuple[str, ...]:
        return (self.class_, self.coef, self.group, self.resp, self.dpar, self.nlpar)


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

    Examples
    --------
    >>> prior("normal(0, 1)", class_="b", coef="Days").coef
    'Days'
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
        is_b = cls == "b"
        out.append(Prior(cell(r, "prior"), cls, *(cell(r, c) for c in ("coef", "group", "resp", "dpar", "nlpar")),
                         bound(r, "lb") if is_b else None, bound(r, "ub") if is_b else None))
    return out
