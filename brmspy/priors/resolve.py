"""Priors: user specification, brms's defaults, and resolution per parameter.

:func:`prior` makes a :class:`Prior`; several combine with ``+``.
:func:`default_prior_table` derives brms's default table from a model frame;
:func:`resolve_priors` merges user priors into it (every user prior must
match a row, else a :class:`~brmspy.errors.PriorError` lists the valid ones)
and returns the prior of every parameter for the code generator.

Examples
--------
>>> p = prior("normal(0, 10)", class_="b") + prior("cauchy(0, 2)", class_="sd", group="g")
>>> [q.class_ for q in p]
['b', 'sd']
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Iterable, Iterator

import numpy as np
import pandas as pd

from ..core.distributions import PriorDist, format_number, parse_prior_string
from ..core.errors import PriorError
from ..core.types import PriorRow
from ..families import DPARS, LINKS
from ..formula.prefix import Prefix
from ..formula.terms import MvBrmsTerms
from ..frame.types import ModelFrame, ReBlock

COLUMNS = ["prior", "class", "coef", "group", "resp", "dpar", "nlpar", "lb", "ub", "source"]
VALID_CLASSES = ("b", "Intercept", "sd", "cor", *DPARS)


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


# ----------------------------------------------------------- default table


def _r_round(x: float, digits: int = 1) -> float:
    return float(np.round(x, digits))


def _mad(x: np.ndarray) -> float:
    med = np.median(x)
    return 1.4826 * float(np.median(np.abs(x - med)))


def _r_number(x: float) -> str:
    """A number as R's ``as.character`` writes it into a prior (15 significant digits): 1.289125, -2.12537349082139."""
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.15g}"


@dataclass(frozen=True)
class DataScale:
    """brms's data-dependent defaults: location and scale of ``link(y)``."""

    location: float = 0.0
    scale: float = 2.5

    def intercept_prior(self) -> str:
        return f"student_t(3, {_r_number(self.location)}, {format_number(self.scale)})"

    def scale_prior(self) -> str:
        return f"student_t(3, 0, {format_number(self.scale)})"


#: links whose ``link(y)`` gives brms's default prior location and scale (``def_scale_prior``)
_SCALE_LINKS = ("identity", "log", "inverse", "sqrt", "1/mu^2")


def data_scale(y: np.ndarray, family, is_mu: bool = True, link: str | None = None,
               offsets: np.ndarray | None = None) -> DataScale:
    """The default location/scale brms derives from the response (``def_scale_prior``).

    ``link`` is the link of the parameter the prior is for (default: the family's ``mu`` link;
    families with a log scale, such as lognormal, use ``log``); ``offsets`` of the linear
    predictor move the location by minus their mean, as in brms.
    """
    if not is_mu:
        return DataScale()
    # brms's has_logscale(): a lognormal-type family, or a mixture with such a component
    logscale = family.spec.scale_prior_logscale or any(c.spec.scale_prior_logscale for c in getattr(family, "components", ()))
    link = "log" if logscale else (family.link if link is None else link)
    if link not in _SCALE_LINKS or family.spec.response == "binary":
        return DataScale()
    y = np.asarray(y, dtype=float)
    y = y[~np.isnan(y)]  # responses imputed with '| mi()' are NaN here
    if link in ("log", "inverse", "1/mu^2"):
        y = np.where(y == 0, y + 0.1, y)  # avoid infinite link(y)
    with np.errstate(all="ignore"):
        ylink = LINKS[link].fun(y)
    scale = _r_round(_mad(ylink), 1)
    scale = max(2.5, scale) if math.isfinite(scale) else 2.5
    location = _r_round(float(np.median(ylink)), 1)
    location = location if math.isfinite(location) else 0.0
    if offsets is not None and len(offsets) and math.isfinite(float(np.mean(offsets))):
        location -= float(np.mean(offsets))  # brms: offsets may render default intercept priors not sensible
    return DataScale(location, scale)


def _offsets(design) -> np.ndarray | None:
    """The summed ``offset()`` values of a linear predictor (None without offsets)."""
    for sp in design.specials:
        if "offsets" in sp.info:
            return np.asarray(sp.info["offsets"], dtype=float)
    return None


def dpar_intercept_prior(t, pname: str, y: np.ndarray, design) -> str:
    """brms's default prior of the Intercept of the predicted parameter ``pname`` (``def_dpar_prior``).

    It depends on the parameter's link: mu-like parameters get the response's location and scale
    on that link (minus the mean offset), sigma the response's scale, others brms's table for an
    identity link (the constant parameter's prior) or for their non-identity link.
    """
    from ..families.mixture import split_dpar

    base = split_dpar(pname)[0] if t.family.spec.special == "mixture" else pname
    link = t.family.links.get(pname, t.family.link)
    if base == "mu" or pname == "mu":
        if t.family.spec.special == "categorical":
            return DataScale().intercept_prior()
        # mixtures: brms uses the mixture family with the component's mu link (a lognormal component on y's scale)
        return data_scale(y, t.family, link=link, offsets=_offsets(design)).intercept_prior()
    if base == "sigma":
        return data_scale(y, t.family, link=link).scale_prior()
    if link == "identity":
        if base == "theta":
            return "logistic(0, 1)"
        text = t.family.dpar_prior(base) if base in t.family.dpars else DPARS[base].prior
        return text.format(scale=format_number(data_scale(y, t.family, link="identity").scale), min_Y=f"min_Y{_rs(t.resp)}")
    return DPARS[base].intercept_prior


def _rs(resp: str) -> str:
    return f"_{resp}" if resp else ""


def _sort_key(row: PriorRow) -> tuple:
    from ..frame.groups import r_collate_key as k  # R's order: 'moxmo:x11' < 'moxmo1', 'b' < 'Intercept'

    return (k(row.resp), k(row.dpar), k(row.nlpar), k(row.class_), k(row.group), k(row.coef))


def default_prior_table(frame: ModelFrame) -> list[PriorRow]:
    """All parameters' default priors, in brms's ``get_prior`` order."""
    rows: list[PriorRow] = []
    for t in frame.response_terms:
        y = frame.responses[t.resp].y
        mu_scale = data_scale(y, t.family)  # brms's def_scale_prior of the response: every sd-like class
        for pname, part in t.parts.items():
            prefix = Prefix(t.resp, pname)
            dpar = "" if pname == "mu" or part.kind == "nlpar" else pname
            nlpar = pname if part.kind == "nlpar" else ""
            design = frame.designs[prefix]
            base = dict(resp=t.resp, dpar=dpar, nlpar=nlpar)
            sp_b = [c for sp in design.specials for c in sp.b_names]
            if design.coef_names or design.cs_names or sp_b:
                rows.append(PriorRow("", "b", **base))
                rows.extend(PriorRow("", "b", coef=c, **base) for c in [*design.coef_names, *design.cs_names, *sp_b])
            for sp in design.specials:
                # brms's default for sd-like classes (sds, sdgp), as for sd below
                sp.info["scale_prior"] = mu_scale.scale_prior()
                rows.extend(sp.prior_rows(base))
            ncat = frame.responses[t.resp].ncat
            if t.family.spec.special == "ordinal" and pname == "mu":
                rows.append(PriorRow(mu_scale.intercept_prior(), "Intercept", **base))
                if t.family.threshold == "equidistant":  # brms: the first threshold and their distance delta
                    rows.append(PriorRow("", "delta", lb="0", **base))
                else:
                    rows.extend(PriorRow("", "Intercept", coef=str(k), **base) for k in range(1, ncat))
            elif t.family.spec.special == "categorical" and design.intercept and pname != "phi":
                rows.append(PriorRow("student_t(3, 0, 2.5)", "Intercept", **base))  # mu<Category>
            elif design.intercept:
                if part.kind == "nlpar":
                    pass  # brms: non-linear intercepts are ordinary b coefficients
                else:
                    rows.append(PriorRow(dpar_intercept_prior(t, pname, y, design), "Intercept", **base))
        # constant (unpredicted) distributional parameters: brms's priors for an identity link
        sigma_scale = data_scale(y, t.family, link="identity")
        for d in t.estimated_constants:
            info = DPARS[d]
            text = t.family.dpar_prior(d).format(scale=format_number(sigma_scale.scale), min_Y=f"min_Y{_rs(t.resp)}")
            ub = _fmt_bound(info.upper) if isinstance(info.upper, (int, float)) else (
                info.upper.format(rs=_rs(t.resp)) if info.upper else "")
            rows.append(PriorRow(text, d, resp=t.resp, lb=_fmt_bound(info.lower), ub=ub))
        if t.family.spec.special == "mixture" and not t.family.theta_pred:
            rows.append(PriorRow("dirichlet(1)", "theta", resp=t.resp))  # mixing proportions (simplex)
        if t.family.spec.special == "categorical":  # brms: global rows for all categories (resolve_priors)
            for cl in ("b", "Intercept"):
                if any(r.class_ == cl and not r.coef and r.resp == t.resp for r in rows):
                    rows.append(PriorRow("", cl, resp=t.resp))
        # group-level sds: class-level row per dpar
        for dpar in _dpars_with_groups(frame, t.resp):
            dn = _dn(frame, t.resp, dpar)  # brms: the response's scale for every dpar and nlpar
            rows.append(PriorRow(mu_scale.scale_prior(), "sd", resp=t.resp, **dn, lb="0"))
    for b in frame.blocks:
        # one set of rows per response and dpar: (1 | ID | g) may span responses
        pairs = sorted({(c.prefix.resp, c.prefix.dpar) for c in b.coefs}, key=lambda p: (p[0], p[1] != "mu", p[1]))
        for resp, dpar in pairs:
            rows.append(PriorRow("", "sd", group=_group(b), resp=resp, **_dn(frame, resp, dpar)))
            rows.extend(
                PriorRow("", "sd", coef=_coef_label(b, c), group=_group(b), resp=resp, **_dn(frame, resp, dpar))
                for c in b.coefs
                if c.prefix.dpar == dpar and c.prefix.resp == resp
            )
        if b.has_cor:
            if not any(r.class_ == "cor" and not r.group for r in rows):
                rows.append(PriorRow("lkj(1)", "cor"))
            rows.append(PriorRow("", "cor", group=_group(b)))
    if isinstance(frame.terms, MvBrmsTerms):  # brms: global rows for all responses (resolve_priors)
        for cl in ("b", "Intercept"):
            if any(r.class_ == cl and not r.coef for r in rows):
                rows.append(PriorRow("", cl))
    if getattr(frame.terms, "rescor", False):  # lkj prior of residual correlations, shared nu
        from .mv import rescor_prior_rows

        rows.extend(rescor_prior_rows(frame))
    return _dedupe(sorted(rows, key=_sort_key))


def _exact(x: float) -> str:
    """A number printed so that it parses back to exactly ``x`` (bounds taken from the data)."""
    short = format_number(float(x))
    return short if float(short) == float(x) else repr(float(x))


def _group(block: ReBlock) -> str:
    """brms's name of the grouping factor in prior rows: ``g1:g2``, ``mmg1g2`` for ``mm(g1, g2)``."""
    from ..frame.types import group_label

    return group_label(block)


def _coef_label(block: ReBlock, coef) -> str:
    return coef.name


def _dn(frame: ModelFrame, resp: str, name: str) -> dict[str, str]:
    """``dpar``/``nlpar`` columns of a prior row for the linear predictor ``name``."""
    dpar, nlpar = _prefix_dpar_nlpar(frame, Prefix(resp, name))
    return {"dpar": dpar, "nlpar": nlpar}


def _dp(dpar: str) -> str:
    return "" if dpar == "mu" else dpar


def _fmt_bound(x: float | None) -> str:
    return "" if x is None else format_number(x)


def _dpars_with_groups(frame: ModelFrame, resp: str) -> list[str]:
    out: list[str] = []
    for b in frame.blocks:
        for c in b.coefs:
            if c.prefix.resp == resp and c.prefix.dpar not in out:
                out.append(c.prefix.dpar)
    return out


def _dedupe(rows: list[PriorRow]) -> list[PriorRow]:
    seen: set[tuple] = set()
    out = []
    for r in rows:
        if r.key() not in seen:
            seen.add(r.key())
            out.append(r)
    return out


def table_to_frame(rows: list[PriorRow]) -> pd.DataFrame:
    """A prior table as a DataFrame with brms's columns."""
    return pd.DataFrame(
        [[r.prior, r.class_, r.coef, r.group, r.resp, r.dpar, r.nlpar, r.lb, r.ub, r.source] for r in rows],
        columns=COLUMNS,
    )


# -------------------------------------------------------------- resolution


@dataclass
class ResolvedPriors:
    """The prior of every parameter, ready for code and data generation.

    ``None`` means a flat (improper) prior: no statement in Stan.
    """

    table: list[PriorRow]
    b: dict[Prefix, list[PriorDist | None]] = field(default_factory=dict)
    b_bounds: dict[Prefix, tuple[float | None, float | None]] = field(default_factory=dict)
    intercept: dict[Prefix, PriorDist | None] = field(default_factory=dict)
    sd: dict[int, list[PriorDist | None]] = field(default_factory=dict)
    cor: dict[int, PriorDist | None] = field(default_factory=dict)
    dpar: dict[tuple[str, str], PriorDist | None] = field(default_factory=dict)
    thresholds: dict[Prefix, list[PriorDist | None]] = field(default_factory=dict)  # ordinal Intercept[k]
    delta: dict[Prefix, PriorDist | None] = field(default_factory=dict)  # distance of equidistant thresholds
    bcs: dict[Prefix, list[PriorDist | None]] = field(default_factory=dict)  # cs() effects, column-major
    theta: dict[str, PriorDist | None] = field(default_factory=dict)  # mixture proportions (dirichlet), per resp
    special: dict[tuple[Prefix, str], dict] = field(default_factory=dict)  # (prefix, SpecialDesign class) -> its priors
    rescor: dict[str, PriorDist | None] = field(default_factory=dict)  # "rescor" (Lrescor), shared "nu"

    def to_frame(self) -> pd.DataFrame:
        return table_to_frame(self.table)


def _match_error(p: Prior, table: list[PriorRow]) -> PriorError:
    classes = sorted({r.class_ for r in table}, key=str.casefold)
    same = [r for r in table if r.class_ == p.class_ and r.dpar == p.dpar and r.resp == p.resp and r.nlpar == p.nlpar]
    detail = ""
    if p.class_ not in classes:
        detail = f"This model has no parameter class {p.class_!r}; its classes are: {', '.join(classes)}."
    elif p.resp and p.resp not in {r.resp for r in table}:
        resps = sorted({r.resp for r in table if r.resp})
        detail = (f"This model has no response {p.resp!r}; its responses: {', '.join(resps)}." if resps
                  else "resp= is for multivariate models (bf(...) + bf(...)); remove it.")
    elif p.coef and p.class_ in ("b", "sd"):
        coefs = sorted({r.coef for r in same if r.coef and (not p.group or r.group == p.group)})
        detail = f"Valid coefs for class {p.class_!r}" + (f" in group {p.group!r}" if p.group else "") + f": {', '.join(coefs) or 'none'}."
    elif p.group:
        groups = sorted({r.group for r in same if r.group})
        detail = f"Valid groups for class {p.class_!r}: {', '.join(groups) or 'none'}."
    else:
        dpars = sorted({r.dpar or "(mu)" for r in table if r.class_ == p.class_ and not r.nlpar})
        nlpars = sorted({r.nlpar for r in table if r.class_ == p.class_ and r.nlpar})
        detail = f"Check dpar/resp/nlpar; valid dpars for class {p.class_!r}: {dpars or 'none'}" + (
            f"; valid nlpars: {nlpars}, e.g. prior({p.prior!r}, nlpar={nlpars[0]!r})." if nlpars else ".")
    what = ", ".join(f"{k}={v!r}" for k, v in zip(("class", "coef", "group", "resp", "dpar", "nlpar"), p.key()) if v)
    return PriorError(f"The prior {p.prior!r} ({what}) does not match any parameter of the model. {detail} "
                      "See get_prior(...) for every parameter that takes a prior.")


def resolve_priors(frame: ModelFrame, user: "Prior | Iterable[Prior] | None" = None) -> ResolvedPriors:
    """Merge user priors into the default table and resolve each parameter's prior."""
    table = default_prior_table(frame)
    by_key = {r.key(): r for r in table}
    users = as_prior_list(user)
    seen_keys: set[tuple] = set()
    for p in users:
        k = p.key()
        if k in seen_keys:
            raise PriorError(f"Two priors are given for the same parameter(s) ({', '.join(x for x in k if x)}); keep one.")
        seen_keys.add(k)
        row = by_key.get(k)
        if row is None:
            raise _match_error(p, table)
        row.prior = p.prior
        row.source = "user"
        if p.lb is not None:
            row.lb = format_number(p.lb)
        if p.ub is not None:
            row.ub = format_number(p.ub)

    check_prior_bounds(table)
    table = _spread_global_priors(frame, table, {p.key() for p in users})
    by_key = {r.key(): r for r in table}

    data_names = _data_names(frame)

    def lookup(*keys: tuple) -> PriorDist | None:
        for k in keys:
            r = by_key.get(k)
            if r is not None and r.prior.strip():
                return parse_prior_string(_with_data(r.prior, data_names))
        return None

    res = ResolvedPriors(table)
    for prefix, design in frame.designs.items():
        resp = prefix.resp
        dpar, nlpar = _prefix_dpar_nlpar(frame, prefix)
        res.b[prefix] = [
            lookup(("b", c, "", resp, dpar, nlpar), ("b", "", "", resp, dpar, nlpar)) for c in design.coef_names
        ]
        crow = by_key.get(("b", "", "", resp, dpar, nlpar))
        if crow is not None:
            res.b_bounds[prefix] = (float(crow.lb) if crow.lb else None, float(crow.ub) if crow.ub else None)
        for sp in design.specials:
            def bound(*keys: tuple, _r=resp, _d=dpar, _n=nlpar) -> PriorDist | None:
                return lookup(*((*k, *("",) * (3 - len(k)), _r, _d, _n) for k in keys))

            res.special[(prefix, type(sp).__name__)] = sp.resolve_priors(bound)
        t = _terms_of(frame, prefix)
        if t.family.spec.special == "ordinal" and prefix.dpar == "mu":
            ncat = frame.responses[resp].ncat
            if t.family.threshold == "equidistant":  # the first threshold, then the distance delta
                res.thresholds[prefix] = [lookup(("Intercept", "", "", resp, dpar, ""))]
                res.delta[prefix] = lookup(("delta", "", "", resp, dpar, ""))
            else:
                res.thresholds[prefix] = [
                    lookup(("Intercept", str(k), "", resp, dpar, ""), ("Intercept", "", "", resp, dpar, ""))
                    for k in range(1, ncat)
                ]
            res.bcs[prefix] = [
                lookup(("b", c, "", resp, dpar, nlpar), ("b", "", "", resp, dpar, nlpar))
                for _ in range(1, ncat) for c in design.cs_names
            ]
        elif design.intercept and not nlpar:
            res.intercept[prefix] = lookup(("Intercept", "", "", resp, dpar, ""))
    for b in frame.blocks:
        sds = []
        for c in b.coefs:
            dpar, nlp = _prefix_dpar_nlpar(frame, c.prefix)
            r = c.prefix.resp
            sds.append(
                lookup(("sd", c.name, _group(b), r, dpar, nlp), ("sd", "", _group(b), r, dpar, nlp), ("sd", "", "", r, dpar, nlp))
            )
        res.sd[b.id] = sds
        if b.has_cor:
            res.cor[b.id] = lookup(("cor", "", _group(b), "", "", ""), ("cor", "", "", "", "", ""))
    for t in frame.response_terms:
        for d in t.estimated_constants:
            res.dpar[(t.resp, d)] = lookup((d, "", "", t.resp, "", ""))
        if t.family.spec.special == "mixture" and not t.family.theta_pred:
            res.theta[t.resp] = lookup(("theta", "", "", t.resp, "", ""))
    if getattr(frame.terms, "rescor", False):
        res.rescor = {"rescor": lookup(("rescor", "", "", "", "", ""))}
        if "nu" in frame.response_terms[0].shared:
            res.rescor["nu"] = lookup(("nu", "", "", "", "", ""))
    if any(t.nonlinear for t in frame.response_terms):  # brms requires proper priors on nlpar coefficients
        from .nonlinear import check_nlpar_priors

        check_nlpar_priors(frame, res)
    return res


def _spread_global_priors(frame: ModelFrame, table: list[PriorRow], user_keys: set[tuple]) -> list[PriorRow]:
    """brms's global ``b``/``Intercept`` priors of multivariate and categorical models, then their rows dropped.

    A prior on ``class_="b"`` without ``resp`` (multivariate) or without ``dpar`` (categorical, multinomial,
    dirichlet) becomes the prior of that class in every response (every dpar) where the user gave none,
    with brms's deprecation warning (``validate_prior_special``).
    """
    def spread(glob: PriorRow, targets: list[PriorRow], what: str, each: str) -> None:
        if not glob.prior.strip():
            return
        warnings.warn(f"Specifying global priors for regression coefficients in {what} models is deprecated. "
                      f"Please specify priors separately for each {each}.", UserWarning, stacklevel=4)
        for r in targets:
            if r.key() not in user_keys or not r.prior.strip():
                r.prior = glob.prior

    drop: set[tuple] = set()
    if isinstance(frame.terms, MvBrmsTerms):
        resps = {t.resp for t in frame.response_terms}
        for cl in ("b", "Intercept"):
            glob = next((r for r in table if r.key() == (cl, "", "", "", "", "")), None)
            if glob is not None:
                drop.add(glob.key())
                spread(glob, [r for r in table if r.class_ == cl and not r.coef and r.resp in resps],
                       "multivariate", "response variable")
    for t in frame.response_terms:
        if t.family.spec.special != "categorical":
            continue
        for cl in ("b", "Intercept"):
            glob = next((r for r in table if r.key() == (cl, "", "", t.resp, "", "")), None)
            if glob is not None:
                drop.add(glob.key())
                spread(glob, [r for r in table if r.class_ == cl and not r.coef and r.resp == t.resp and not r.nlpar
                              and r.dpar in t.parts], "categorical", "response category")
    return [r for r in table if r.key() not in drop]


def _data_names(frame: ModelFrame) -> dict[str, str]:
    """Names of data values brms's default priors use (``uniform(0, min_Y)`` of ndt), as exact numbers."""
    out = {}
    for t in frame.response_terms:
        y = np.asarray(frame.responses[t.resp].y, dtype=float)
        if np.isfinite(y).any():
            out[f"min_Y{_rs(t.resp)}"] = _exact(float(np.nanmin(y)))
    return out


def _with_data(text: str, names: dict[str, str]) -> str:
    """A default prior's text with the data names it uses replaced by their values."""
    import re

    if "min_Y" not in text:
        return text
    return re.sub(r"\bmin_Y\w*", lambda m: names.get(m.group(0), m.group(0)), text)


def _base_bounds(row: PriorRow, table: list[PriorRow]) -> tuple[float | None, float | None]:
    """The bounds of ``row``'s parameter: its class-level row's ``lb``/``ub`` (brms's ``stan_base_prior``)."""
    cands = [r for r in table if r.class_ == row.class_ and r.group in (row.group, "") and r.resp == row.resp
             and r.dpar == row.dpar and r.nlpar == row.nlpar and not r.coef and (r.lb or r.ub)]
    for attr in ("group", "nlpar", "dpar", "resp"):  # the most specific row
        specific = [r for r in cands if getattr(r, attr)]
        cands = specific or cands
    if not cands:
        return None, None
    r = cands[0]
    return (float(r.lb) if r.lb else None), (float(r.ub) if r.ub else None)


def _print_prior(row: PriorRow, lb: float | None, ub: float | None) -> str:
    """A prior as brms prints it in its messages (``.print_prior``): ``<lower=0> sd_g ~ uniform(0, 1)``."""
    def usc(x: str) -> str:
        return "_" + x if x else ""

    group = usc(row.group)
    if any((row.resp, row.dpar, row.nlpar, row.coef)) and group:
        group += "_"
    bounds = ",".join(f"{k}={format_number(v)}" for k, v in (("lower", lb), ("upper", ub)) if v is not None)
    head = f"<{bounds}> " if bounds else ""
    return (f"{head}{row.class_}{group}{usc(row.resp)}{usc(row.dpar)}{usc(row.nlpar)}{usc(row.coef)} ~ "
            f"{row.prior or '(flat)'}")


def _range(lb: float | None, ub: float | None) -> str:
    return f"[{'-inf' if lb is None else format_number(lb)}, {'inf' if ub is None else format_number(ub)}]"


def check_prior_bounds(table: list[PriorRow]) -> None:
    """User priors against their parameters' bounds, as brms's ``check_prior_content`` plus two errors.

    A prior whose support lies entirely outside the parameter's bounds
    (``uniform(-5, -1)`` on ``sigma``), or ``lb`` not below ``ub``, is a
    :class:`~brmspy.errors.PriorError` (brms accepts both; Stan then fails to
    initialize).  A bounded prior on a parameter without that bound
    (``lognormal`` on ``b`` without ``lb``, ``uniform(0, 1)`` on an ``sd``)
    gets brms's warning, with its wording.
    """
    lb_rows: list[str] = []
    ub_rows: list[str] = []
    for row in table:
        if row.source != "user" or not row.prior.strip():
            continue
        dist = parse_prior_string(row.prior)
        if dist is None or dist.info.kind != "real":
            continue
        lb, ub = _base_bounds(row, table)
        label = _print_prior(row, float(row.lb) if row.lb else None, float(row.ub) if row.ub else None)  # as brms
        if lb is not None and ub is not None and not lb < ub:
            raise PriorError(f"The bounds of {label} are lb = {format_number(lb)} and ub = {format_number(ub)}; "
                             "lb must be less than ub.")
        lo, hi = dist.support
        if (lb is not None and hi <= lb) or (ub is not None and lo >= ub):
            raise PriorError(
                f"The prior {row.prior!r} ({label}) has support {_range(lo, hi)}, outside the parameter's range "
                f"{_range(lb, ub)}: no value is allowed by both, so sampling cannot start. Choose a prior with "
                f"support on {_range(lb, ub)}" + (", e.g. 'student_t(3, 0, 2.5)'." if lb == 0 and ub is None else ".")
            )
        if dist.info.brms_bounded and lb is None:
            lb_rows.append(label)
        if dist.info.brms_bounded == "both" and ub is None:
            ub_rows.append(label)
    for which, rows in (("lower", lb_rows), ("upper", ub_rows)):
        if rows:
            arg = "lb" if which == "lower" else "ub"
            an = "a" if which == "lower" else "an"
            warnings.warn(
                f"It appears as if you have specified {an} {which} bounded prior on a parameter that has no natural "
                f"{which} bound.\nIf this is really what you want, please specify argument '{arg}' of 'prior()' "
                f"appropriately (brmspy takes bounds for class 'b' only: prior(..., class_='b', {arg}=...)); "
                f"otherwise the prior cuts the posterior off at its {which} bound, so choose a prior whose support "
                f"matches the parameter.\nWarning occurred for prior \n" + "\n".join(rows),
                UserWarning, stacklevel=5,
            )


def _terms_of(frame: ModelFrame, prefix: Prefix):
    return next(t for t in frame.response_terms if t.resp == prefix.resp)


def _prefix_dpar_nlpar(frame: ModelFrame, prefix: Prefix) -> tuple[str, str]:
    for t in frame.response_terms:
        if t.resp == prefix.resp and prefix.dpar in t.parts:
            part = t.parts[prefix.dpar]
            if part.kind == "nlpar":
                return "", prefix.dpar
            return _dp(prefix.dpar), ""
    return _dp(prefix.dpar), ""
