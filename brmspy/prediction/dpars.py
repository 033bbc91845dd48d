"""Every distributional parameter of a response per draw and row, by family kind."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.errors import BrmsError, DataError
from ..families import LINKS, Extras
from ..families.categorical import reference_index, sigma_dpars
from ..fit.brmsfit import BrmsFit
from ..formula.prefix import Prefix, resp_suffix
from ..formula.terms import BrmsTerms
from ..frame.response import custom_var_values, threshold_group_index
from ..frame.types import ResponseData, ThresholdGroups
from .autocor import adjust_eta
from .categorical import category_eta
from .context import PredictionContext
from .linpred import group_cs_part, group_part, linear_predictor, population_part
from .nonlinear import nonlinear_eta
from .survival import baseline_hazards


def response_terms(fit: "BrmsFit", resp: str | None = None) -> BrmsTerms:
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


def all_responses(fit: "BrmsFit", resp: str | None) -> bool:
    """Whether to predict every response of a multivariate model at once (resp omitted)."""
    return resp is None and len(fit.frame.response_terms) > 1


def _ordinal_parts(ctx: PredictionContext, t: BrmsTerms, dpar: str = "mu") -> dict[str, Any]:
    """Latent mu (no intercept) and thresholds per draw (and row, with cs()); a mixture's mu<k>: thres<k>."""
    prefix = Prefix(t.resp, dpar)
    design = ctx.fit.frame.designs[prefix]
    s = prefix.suffix
    if dpar in t.nonlinear:  # a non-linear ordinal mixture component: its formula is the latent mu<k>
        mu = nonlinear_eta(ctx, t, dpar)
    else:
        mu = population_part(ctx, prefix, intercept=False) + group_part(ctx, prefix)
    groups = ctx.fit.frame.responses[t.resp].thres_groups if dpar == "mu" else None
    if groups is not None:  # thres(gr = g): each row's group's thresholds (brms's subset_thres)
        return {"mu": mu, "thres": _group_thresholds(ctx, groups, s), "link": t.family.link}
    thres = ctx.draws(f"b{s}_Intercept")[:, None, :]  # (S, 1, nthres)
    if design.Xcs is not None:
        Xcs = ctx.rows.Xcs(prefix)
        bcs = ctx.draws(f"bcs{s}")  # (S, Kcs, nthres)
        thres = thres - np.einsum("nk,skt->snt", Xcs, bcs)
    cs_re = group_cs_part(ctx, prefix, thres.shape[2])  # (cs(x) | g)
    if cs_re is not None:
        thres = thres - cs_re
    if dpar != "mu":  # an ordinal mixture component (brmspy.families.mixture.component_dpars)
        return {dpar: mu, "thres" + dpar[2:]: thres}
    return {"mu": mu, "thres": thres, "link": t.family.link}


def _group_thresholds(ctx: PredictionContext, groups: ThresholdGroups, s: str) -> np.ndarray:
    """(S, rows, max nthres) thresholds of each row's group; a group with fewer thresholds is padded with +inf.

    An infinite threshold gives its categories probability 0 in every ordinal family (brms pads the
    probabilities of categories beyond a group's own with 0).
    """
    index = threshold_group_index(groups, ctx.rows.data)
    out = np.full((ctx.S, len(index), max(groups.nthres)), np.inf)
    for i, n in enumerate(groups.nthres):
        rows = index == i
        out[:, rows, :n] = ctx.draws(f"b{s}_Intercept_{i + 1}")[:, None, :]
    return out


def dpar_values(ctx: PredictionContext, t: BrmsTerms, transform: bool = True) -> dict[str, np.ndarray]:
    """Every dpar of response ``t``'s family per draw and row, on the response scale (``transform=False``: the link scale).

    Values broadcast to (draws, rows): predicted dpars are (S, N), single parameters (S, 1),
    fixed ones (1, 1); ordinal families add ``thres`` and ``link``, categorical ones give
    ``mu`` as (S, N, ncat) linear predictors, mixtures ``theta``.
    """
    out: dict[str, Any] = {}
    if t.family.kind.has_thresholds:
        out.update(_ordinal_parts(ctx, t))
    for d in t.family.dpars:
        if d != "mu" and t.family.threshold_family(d) is not None:  # mixtures of ordinal families
            out.update(_ordinal_parts(ctx, t, d))
    if ctx.fit.frame.responses[t.resp].bhaz is not None:  # cox (or a mixture's cox component): each row's hazards (S, N)
        out.update(baseline_hazards(ctx, t))
    if t.family.has_theta_simplex:  # (S, 1, K) mixing proportions
        out["theta"] = ctx.draws("theta" + resp_suffix(t.resp))[:, None, :]
    elif getattr(t.family, "theta_fixed", ()):  # bf(..., theta1 = 1, theta2 = 2): data
        out["theta"] = np.asarray(t.family.theta_fixed)[None, None, :]
    if t.family.kind.has_categories:  # (draws, obs, ncat) linear predictors, 0 for the reference
        levels = ctx.fit.frame.responses[t.resp].levels
        out["mu"] = category_eta(t, levels, lambda p: linear_predictor(ctx, p))
        if transform and not t.family.kind.joint_link:  # dirichlet2: each category's concentration
            out["mu"] = LINKS[t.family.link].inv(out["mu"])
    for d in t.family.dpars:
        prefix = Prefix(t.resp, d)
        if d in out:
            continue
        if d in t.nonlinear:  # a non-linear formula (brmspy.prediction.nonlinear)
            eta = nonlinear_eta(ctx, t, d)
            if d == "mu" and t.autocor is not None:  # bf(..., autocor = ~ ar(...)): ARMA terms of earlier residuals
                eta = adjust_eta(ctx, t, prefix, eta)
            out[d] = LINKS[t.family.links[d]].inv(eta) if transform else eta
        elif d in t.parts:
            eta = linear_predictor(ctx, prefix)
            eta = adjust_eta(ctx, t, prefix, eta)  # ar()/ma()/arma() terms use earlier residuals
            out[d] = LINKS[t.family.links[d]].inv(eta) if transform else eta
        elif d in t.fixed:
            out[d] = np.full((1, 1), float(t.fixed[d]))
        else:  # one parameter per response, or one for all (nu with rescor)
            name = d + (resp_suffix(t.resp) if d not in t.shared else "")
            out[d] = ctx.draws(name)[:, None]
    if t.family.kind.per_category_sigma and transform:  # logistic_normal: sds, correlations, reference
        levels = ctx.fit.frame.responses[t.resp].levels
        sig = [np.asarray(out[d], dtype=float) for d in sigma_dpars(t.family, levels)]
        shape = np.broadcast_shapes(*(x.shape for x in sig))
        out["sigma"] = np.stack([np.broadcast_to(x, shape) for x in sig], axis=-1)
        out["Llncor"] = ctx.draws("Llncor" + resp_suffix(t.resp))
        out["ref"] = reference_index(t.family, levels)
    return out


def response_extras(ctx: PredictionContext, t: BrmsTerms, need_response: bool = False
                    ) -> tuple[ResponseData | None, Extras]:
    """The response of ``t`` on the rows (None on new data without it) and the family's extras (trials).

    ``need_response`` makes a response missing from new data a DataError (log_lik, pp_mixture).
    """
    rd = ctx.rows.response(t, need_response)
    groups = ctx.fit.frame.responses[t.resp].thres_groups
    if rd is not None and groups is not None and ctx.is_new:  # new data: the model's thresholds per group
        nthres = np.asarray(groups.nthres)[threshold_group_index(groups, ctx.rows.data)]
        if np.any(rd.y > nthres + 1):
            raise DataError(f"Number of thresholds is smaller than required by the response: a row of the new "
                            f"data has a category above its group's ({groups.column}) number of thresholds + 1.")
    # vint()/vreal() of custom families; on new data without the response, from its columns
    custom_vars = rd.custom_vars if rd is not None else custom_var_values(t, ctx.rows.data)
    return rd, Extras(rd.trials if rd is not None else ctx.rows.trials(t), custom_vars,
                      dec=rd.dec if rd is not None else None)


__all__ = ["all_responses", "dpar_values", "response_extras", "response_terms"]
