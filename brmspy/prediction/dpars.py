"""Every distributional parameter of a response per draw and row, by family kind."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.errors import BrmsError, DataError
from ..families import LINKS, Extras
from ..fit.brmsfit import BrmsFit
from ..formula.prefix import Prefix, resp_suffix
from ..formula.terms import BrmsTerms
from ..frame.response import _response_data
from .autocor import adjust_eta
from .categorical import category_eta
from .context import PredictionContext, _flat
from .linpred import _group_effects, _population
from .nonlinear import nonlinear_eta


def _terms(fit: "BrmsFit", resp: str | None = None) -> BrmsTerms:
    """The terms of response ``resp`` (multivariate models) or of the only response."""
    terms = fit.frame.response_terms
    if resp is not None:
        for t in terms:
            if t.resp and t.resp == resp:
                return t
        names = [t.resp for t in terms if t.resp]
        raise BrmsError(f"resp={resp!r} is not a response of this model; its responses: {', '.join(names)}."
                        if names else f"resp={resp!r} is for multivariate models; this model has one response: omit resp.")
    if len(terms) != 1:
        raise BrmsError("This multivariate model has several responses; choose one with resp= "
                        f"({', '.join(t.resp for t in terms)}).")
    return terms[0]


def _all_responses(fit: "BrmsFit", resp: str | None) -> bool:
    """Whether to predict every response of a multivariate model at once (resp omitted)."""
    return resp is None and len(fit.frame.response_terms) > 1


def _ordinal_parts(ctx: PredictionContext, t: BrmsTerms) -> dict[str, Any]:
    """Latent mu (no intercept) and thresholds per draw (and row, with cs())."""
    prefix = Prefix(t.resp, "mu")
    design = ctx.fit.frame.designs[prefix]
    s = prefix.suffix
    mu = _population(ctx, prefix, intercept=False) + _group_effects(ctx, prefix)
    thres = _flat(ctx.params[f"b{s}_Intercept"], ctx.idx)[:, None, :]  # (S, 1, nthres)
    if design.Xcs is not None:
        Xcs = design.cs_spec.matrix(ctx.data) if ctx.is_new else design.Xcs
        bcs = _flat(ctx.params[f"bcs{s}"], ctx.idx)  # (S, Kcs, nthres)
        thres = thres - np.einsum("nk,skt->snt", Xcs, bcs)
    return {"mu": mu, "thres": thres, "link": t.family.link}


def _dpar_values(ctx: PredictionContext, t: BrmsTerms, transform: bool = True) -> dict[str, np.ndarray]:
    """Every dpar of the family on the response scale (or the linear predictor scale)."""
    out: dict[str, Any] = {}
    if t.family.kind.has_thresholds:
        out.update(_ordinal_parts(ctx, t))
    if t.family.has_theta_simplex:  # (S, 1, K) mixing proportions
        out["theta"] = _flat(ctx.params["theta" + resp_suffix(t.resp)], ctx.idx)[:, None, :]
    if t.family.kind.has_categories:  # (draws, obs, ncat) linear predictors, 0 for the reference
        levels = ctx.fit.frame.responses[t.resp].levels
        out["mu"] = category_eta(t, levels, lambda p: _population(ctx, p) + _group_effects(ctx, p))
    for d in t.family.dpars:
        prefix = Prefix(t.resp, d)
        if d in out:
            continue
        if d in t.nonlinear:  # a non-linear formula (brmspy.prediction.nonlinear)
            eta = nonlinear_eta(ctx, t, d)
            out[d] = LINKS[t.family.links[d]].inv(eta) if transform else eta
        elif d in t.parts:
            eta = _population(ctx, prefix) + _group_effects(ctx, prefix)

            eta = adjust_eta(ctx, t, prefix, eta)  # ar()/ma()/arma() terms use earlier residuals
            out[d] = LINKS[t.family.links[d]].inv(eta) if transform else eta
        elif d in t.fixed:
            out[d] = np.full((1, 1), float(t.fixed[d]))
        else:  # one parameter per response, or one for all (nu with rescor)
            name = d + (resp_suffix(t.resp) if d not in t.shared else "")
            out[d] = _flat(ctx.params[name], ctx.idx)[:, None]
    return out


def _extras(ctx: PredictionContext, t: BrmsTerms, need_response: bool = False):
    if not ctx.is_new:
        rd = ctx.fit.frame.responses[t.resp]
        return rd, Extras(rd.trials)
    has_response = t.response.expr in ctx.data.columns
    if has_response and not need_response and ctx.data[t.response.expr].isna().any():
        has_response = False  # unknown responses (e.g. time points to forecast) are not needed here
    if need_response and not has_response:
        raise DataError(f"newdata needs the response column {t.response.expr!r} here.")
    if has_response:
        rd = _response_data(t, ctx.data)
        return rd, Extras(rd.trials)
    trials = t.response.addition("trials")
    n = None
    if trials is not None:
        col = trials.args["n"]
        if col not in ctx.data.columns:
            raise DataError(f"newdata needs the trials column {col!r} of 'trials({col})'.")
        n = np.asarray(ctx.data[col], dtype=np.int64)
    elif t.family.spec.needs_trials:
        n = np.full(len(ctx.data), int(ctx.fit.frame.responses[t.resp].trials.max()))
    return None, Extras(n)
