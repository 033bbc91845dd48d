"""Priors: user specification, brms's defaults, and resolution per parameter.

:func:`prior` makes a :class:`Prior`; several combine with ``+``.
:func:`default_prior_table` derives brms's default table from a model frame;
:func:`resolve_priors` merges user priors into it (every user prior must
match a row, else a :class:`~brmspy.core.errors.PriorError` lists the valid ones)
and returns the prior of every parameter for the code generator.

Examples
--------
>>> p = prior("normal(0, 10)", class_="b") + prior("cauchy(0, 2)", class_="sd", group="g")
>>> [q.class_ for q in p]
['b', 'sd']
"""

from __future__ import annotations

import warnings
from typing import Iterable

import numpy as np

from ..core.distributions import PriorDist, format_number, parse_prior_string
from ..core.errors import PriorError
from ..core.types import PriorRow
from ..formula.prefix import resp_suffix
from ..formula.terms import MvBrmsTerms
from ..frame.types import ModelFrame
from .checks import check_prior_bounds
from .defaults import _exact, _group, default_prior_table
from .nonlinear import check_nlpar_priors
from .spec import Prior, as_prior_list
from .table import ResolvedPriors, _prefix_dpar_nlpar, _terms_of

# ----------------------------------------------------------- default table


# -------------------------------------------------------------- resolution


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
        if t.family.kind.has_thresholds and prefix.dpar == "mu":
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
        if b.udf_owner:
            res.df[b.ggn] = lookup(("df", "", _group(b), "", "", ""))
        if b.has_cor:
            res.cor[b.id] = lookup(("cor", "", _group(b), "", "", ""), ("cor", "", "", "", "", ""))
    for t in frame.response_terms:
        for d in t.estimated_constants:
            res.dpar[(t.resp, d)] = lookup((d, "", "", t.resp, "", ""))
        if t.family.has_theta_simplex:
            res.theta[t.resp] = lookup(("theta", "", "", t.resp, "", ""))
    if getattr(frame.terms, "rescor", False):
        res.rescor = {"rescor": lookup(("rescor", "", "", "", "", ""))}
        if "nu" in frame.response_terms[0].shared:
            res.rescor["nu"] = lookup(("nu", "", "", "", "", ""))
    if any(t.nonlinear for t in frame.response_terms):  # brms requires proper priors on nlpar coefficients
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
        if not t.family.kind.has_categories:
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
            out[f"min_Y{resp_suffix(t.resp)}"] = _exact(float(np.nanmin(y)))
    return out


def _with_data(text: str, names: dict[str, str]) -> str:
    """A default prior's text with the data names it uses replaced by their values."""
    import re

    if "min_Y" not in text:
        return text
    return re.sub(r"\bmin_Y\w*", lambda m: names.get(m.group(0), m.group(0)), text)


