"""brms's default priors: the table of every parameter that takes a prior (``get_prior``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..core.distributions import format_number
from ..core.types import PriorRow
from ..families import DPARS, LINKS
from ..formula.prefix import Prefix, resp_suffix
from ..formula.terms import MvBrmsTerms
from ..families.bhaz import hazard_family
from ..frame.groups import r_collate_key as k
from ..frame.types import ModelFrame, ReBlock, group_label
from ..specials.offset import OffsetDesign
from .mv import rescor_prior_rows
from .table import _prefix_dpar_nlpar


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
        if isinstance(sp, OffsetDesign):
            return np.asarray(sp.offsets, dtype=float)
    return None


def dpar_intercept_prior(t, pname: str, y: np.ndarray, design) -> str:
    """brms's default prior of the Intercept of the predicted parameter ``pname`` (``def_dpar_prior``).

    It depends on the parameter's link: mu-like parameters get the response's location and scale
    on that link (minus the mean offset), sigma the response's scale, others brms's table for an
    identity link (the constant parameter's prior) or for their non-identity link.
    """
    base = t.family.dpar_class(pname)  # a mixture's mu2 is a mu
    link = t.family.links.get(pname, t.family.link)
    if base == "mu" or pname == "mu":
        if t.family.kind.has_categories:
            return DataScale().intercept_prior()
        # mixtures: brms uses the mixture family with the component's mu link (a lognormal component on y's scale)
        return data_scale(y, t.family, link=link, offsets=_offsets(design)).intercept_prior()
    if base == "sigma":
        return data_scale(y, t.family, link=link).scale_prior()
    if link == "identity":
        if base == "theta":
            return "logistic(0, 1)"
        text = t.family.dpar_prior(base) if base in t.family.dpars else DPARS[base].prior
        return text.format(scale=format_number(data_scale(y, t.family, link="identity").scale), min_Y=f"min_Y{resp_suffix(t.resp)}")
    return t.family.dpar_intercept_prior(base) if base in t.family.dpars else DPARS[base].intercept_prior



def _sort_key(row: PriorRow) -> tuple:
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
            for sp in design.specials:  # sd-like classes (sds, sdgp) take brms's default of sd below
                rows.extend(sp.prior_rows(base, mu_scale.scale_prior()))
            ncat = frame.responses[t.resp].ncat
            tfam = t.family.threshold_family(pname)  # ordinal mu (a mixture: mu<k> of ordinal components)
            if tfam is not None:
                rows.append(PriorRow(mu_scale.intercept_prior(), "Intercept", **base))
                groups = frame.responses[t.resp].thres_groups if pname == "mu" else None
                if groups is not None and tfam.threshold == "equidistant":  # brms: first threshold, delta per group
                    lb = "0" if tfam.kind.ordered_thresholds else ""
                    rows.append(PriorRow("", "delta", lb=lb, **base))
                    for g in groups.names:
                        rows.append(PriorRow("", "delta", group=g, lb=lb, **base))
                        rows.append(PriorRow("", "Intercept", group=g, **base))
                elif groups is not None:  # thres(gr = g): brms's rows per group, then per threshold of the group
                    for g, n in zip(groups.names, groups.nthres):
                        rows.append(PriorRow("", "Intercept", group=g, **base))
                        rows.extend(PriorRow("", "Intercept", coef=str(k), group=g, **base) for k in range(1, n + 1))
                elif tfam.threshold == "equidistant":  # brms: the first threshold and their distance delta
                    # brms: delta > 0 for cumulative only
                    rows.append(PriorRow("", "delta", lb="0" if tfam.kind.ordered_thresholds else "", **base))
                else:
                    rows.extend(PriorRow("", "Intercept", coef=str(k), **base) for k in range(1, ncat))
            elif t.family.kind.has_categories and design.intercept and pname != "phi":
                rows.append(PriorRow("student_t(3, 0, 2.5)", "Intercept", **base))  # mu<Category>
            elif design.intercept:
                if part.kind == "nlpar":  # lf(a ~ x, center = TRUE): brms's temporary intercept, centred at 0
                    rows.append(PriorRow(mu_scale.scale_prior(), "Intercept", **base))  # (uncentred: a b coefficient)
                else:
                    rows.append(PriorRow(dpar_intercept_prior(t, pname, y, design), "Intercept", **base))
        # constant (unpredicted) distributional parameters: brms's priors for an identity link
        sigma_scale = data_scale(y, t.family, link="identity")
        for d in t.estimated_constants:
            info = t.family.dpar_info(d)
            text = t.family.dpar_prior(d).format(scale=format_number(sigma_scale.scale), min_Y=f"min_Y{resp_suffix(t.resp)}")
            ub = _fmt_bound(info.upper) if isinstance(info.upper, (int, float)) else (
                info.upper.format(rs=resp_suffix(t.resp)) if info.upper else "")
            rows.append(PriorRow(text, d, resp=t.resp, lb=_fmt_bound(info.lower), ub=ub))
        if t.family.has_theta_simplex:
            rows.append(PriorRow("dirichlet(1)", "theta", resp=t.resp))  # mixing proportions (simplex)
        if (hz := hazard_family(t.family)) is not None:  # cox, or a mixture's cox component (dpar mu<k>, brms 2.18)
            dpar = "" if hz[1] == "mu" else hz[1]
            rows.append(PriorRow("dirichlet(1)", "sbhaz", resp=t.resp, dpar=dpar))
            bh = frame.responses[t.resp].bhaz
            for g in (bh.groups.names if bh is not None and bh.groups is not None else ()):  # bhaz(gr = g): per stratum
                rows.append(PriorRow("", "sbhaz", group=g, resp=t.resp, dpar=dpar))
        if t.family.kind.per_category_sigma:
            rows.append(PriorRow("lkj(1)", "lncor", resp=t.resp))  # logistic_normal's correlations
        if t.family.kind.has_categories:  # brms: global rows for all categories (resolve_priors)
            for cl in ("b", "Intercept"):
                if any(r.class_ == cl and not r.coef and r.resp == t.resp for r in rows):
                    rows.append(PriorRow("", cl, resp=t.resp))
        # group-level sds: class-level row per dpar
        for dpar in _dpars_with_groups(frame, t.resp):
            dn = _dn(frame, t.resp, dpar)  # brms: the response's scale for every dpar and nlpar
            rows.append(PriorRow(mu_scale.scale_prior(), "sd", resp=t.resp, **dn, lb="0"))
    for b in frame.blocks:
        if b.udf_owner:  # gr(g, dist = "student"): brms's prior of the degrees of freedom, one per factor
            rows.append(PriorRow("gamma(2, 0.1)", "df", group=_group(b), lb="1"))
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
        rows.extend(rescor_prior_rows(frame))
    return _dedupe(sorted(rows, key=_sort_key))


def _exact(x: float) -> str:
    """A number printed so that it parses back to exactly ``x`` (bounds taken from the data)."""
    short = format_number(float(x))
    return short if float(short) == float(x) else repr(float(x))


def _group(block: ReBlock) -> str:
    """brms's name of the grouping factor in prior rows: ``g1:g2``, ``mmg1g2`` for ``mm(g1, g2)``."""
    return group_label(block)


def _coef_label(block: ReBlock, coef) -> str:
    return coef.name


def _dn(frame: ModelFrame, resp: str, name: str) -> dict[str, str]:
    """``dpar``/``nlpar`` columns of a prior row for the linear predictor ``name``."""
    dpar, nlpar = _prefix_dpar_nlpar(frame, Prefix(resp, name))
    return {"dpar": dpar, "nlpar": nlpar}


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
