"""The response data and likelihood of a univariate family, and the writer the other kinds extend.

:class:`UnivariateCode` writes the pieces of one response whose code depends on the family's kind
(:mod:`brmspy.families.kinds`); ordinal, categorical and mixture families override what differs
(:mod:`~brmspy.codegen.ordinal`, :mod:`~brmspy.codegen.categorical`, :mod:`~brmspy.codegen.mixture`),
and :mod:`brmspy.codegen.kinds` lists one writer per kind.
"""

from __future__ import annotations

import numpy as np

from ..core.stan import StanBlocks
from ..core.templates import stan_lines
from ..families import Family, Ops
from ..formula.prefix import Prefix, resp_suffix
from ..formula.terms import BrmsTerms
from ..frame.response import _BOUNDS
from ..frame.types import ModelFrame, PopulationDesign, ResponseData
from ..priors.table import ResolvedPriors
from ..specials.autocor import mu_autocor
from .additions import stan_addition_data, stan_addition_likelihood
from .autocor import stan_autocor_likelihood
from .nonlinear import stan_nlpar_predictors, stan_nonlinear
from .pieces import coef_name, design_matrix_name, lp_name, re_contributions, stan_fe, stan_inv_link, stan_predictor, uses_glm
from .tuning import Tuning


class UnivariateCode:
    """The Stan pieces of one response of a univariate family; the other kinds override what differs.

    :func:`~brmspy.codegen.generate.generate` calls them in brms's order: ``response``, then per
    predictor ``population`` and (after its special terms) ``after_terms``, then ``parameters``
    after the dpars, and at the end ``likelihood``.
    """

    def response(self, t: BrmsTerms, rd: ResponseData) -> StanBlocks:
        """The response and its addition terms' data."""
        return stan_response(t, rd)

    def population(self, t: BrmsTerms, design: PopulationDesign, priors: ResolvedPriors) -> StanBlocks:
        """The population part of one predictor: data ``X``, coefficients ``b`` and ``Intercept``."""
        return stan_fe(design, priors)

    def after_terms(self, t: BrmsTerms, design: PopulationDesign, priors: ResolvedPriors) -> StanBlocks:
        """Parameters of a predictor that follow its special terms (an ordinal mu's thresholds)."""
        return StanBlocks()

    def parameters(self, t: BrmsTerms, priors: ResolvedPriors, rd: ResponseData) -> StanBlocks:
        """The kind's own parameters and their data, after the dpars (a mixture's proportions, cox's baseline hazard)."""
        return StanBlocks()

    def likelihood(self, frame: ModelFrame, t: BrmsTerms, tuning: Tuning | None) -> StanBlocks:
        """Predictors, inverse links and the ``target +=`` statements."""
        return stan_likelihood(frame, t, tuning)


def stan_response(t: BrmsTerms, rd: ResponseData, after_y: StanBlocks | None = None) -> StanBlocks:
    """Response vector and addition-term data; ``after_y`` is declared right after the response
    (an ordinal response's number of thresholds)."""
    sb = StanBlocks()
    s = resp_suffix(t.resp)
    if t.family.spec.is_discrete or rd.levels is not None:
        sb.declare(f"array[N] int Y{s}", f"Y{s}", rd.y.astype(np.int64), "response variable")
    else:
        sb.declare(f"vector[N] Y{s}", f"Y{s}", rd.y.astype(float), "response variable")
    if after_y is not None:
        sb += after_y
    if rd.trials is not None:
        sb.declare(f"array[N] int trials{s}", f"trials{s}", rd.trials, "number of trials")
    if rd.dec is not None:  # wiener
        sb.declare(f"array[N] int<lower=0,upper=1> dec{s}", f"dec{s}", rd.dec, "decisions")
    if rd.weights is not None:
        sb.declare(f"vector<lower=0>[N] weights{s}", f"weights{s}", rd.weights, "model weights")
    if rd.missing is not None:  # 'y | mi()': Nmi/Jmi data, Ymi parameters, Yl in the model block
        stan_mi_response(sb, t, rd)
    if rd.adds is not None:  # cens(), trunc(), se(), rate(): brmspy.codegen.additions
        sb += stan_addition_data(t, rd)
    if rd.custom_vars:  # vint()/vreal(): data of custom families, named as brms
        for kind, comment in (("vint", "integer"), ("vreal", "real")):
            names = [k for k in rd.custom_vars if k.startswith(kind)]
            if names:
                sb.data.append(f"// data for custom {comment} vectors")
            for k in names:
                sb.declare(f"array[N] {'int' if kind == 'vint' else 'real'} {k}{s}", f"{k}{s}", rd.custom_vars[k])
    return sb


def stan_likelihood(frame: ModelFrame, t: BrmsTerms, tuning: Tuning | None = None) -> StanBlocks:
    """The likelihood of one response: predictors, inverse links and ``target +=``.

    ``tuning`` (:mod:`brmspy.codegen.tuning`) shapes the linear predictors and may move the
    data-only constant of the log likelihood into ``transformed data``.
    """
    sb = StanBlocks()
    fam: Family = t.family
    rd = frame.responses[t.resp]
    rs = resp_suffix(t.resp)
    mu_prefix = Prefix(t.resp, "mu")
    design = frame.designs.get(mu_prefix)  # None when mu has a non-linear formula
    glm = design is not None and uses_glm(t, design, rd)
    # Stan has no CDFs of the canonical forms (poisson_log, ...): censored/truncated models use the plain one
    cdf_free = rd.adds is None or not rd.adds.needs_cdf or fam.spec.canonical_cdfs
    canonical = fam.spec.canonical.get(fam.link) if cdf_free else None

    dp: dict[str, str] = {}
    vectors: set[str] = set()
    for d in fam.dpars:
        prefix = Prefix(t.resp, d)
        if d in t.parts or d in t.nonlinear:
            if d in t.parts:
                sb += stan_predictor(frame, t, prefix, glm=glm and d == "mu", tuning=tuning)
            dp[d] = lp_name(prefix)
            vectors.add(dp[d])
        else:
            dp[d] = d + rs
    for v in fam.spec.row_vectors:  # cox: each row's baseline hazard, from the kind's parameters() (brmspy.codegen.survival)
        dp[v] = v + rs
        vectors.add(dp[v])
    if t.nonlinear:  # predictors of non-linear parameters (brmspy.codegen.nonlinear)
        sb += stan_nlpar_predictors(frame, t)
    # inverse links after all predictors are built (dpars may not depend on each other yet)
    for d in fam.dpars:
        if d not in t.parts:
            continue
        if d == "mu" and (glm or canonical is not None):
            continue
        sb += stan_inv_link(t, Prefix(t.resp, d), fam.links[d])
    if t.nonlinear:  # loops over non-linear formulas, inverse links inside (none for poisson_log etc.)
        sb += stan_nonlinear(frame, t, {d: None if d == "mu" and canonical else fam.links[d] for d in fam.dpars})

    Y = f"Y{rs}" if rd.missing is None else f"Yl{rs}"  # Yl: observed and imputed values ('| mi()')
    # a custom family's trials are data for its vars ("trials[n]"), not an argument of its own (brms)
    trials = (f"trials{rs}",) if rd.trials is not None and fam.spec.needs_trials else ()
    if rd.dec is not None:  # wiener_diffusion_lpdf(Y[n] | dec[n], ...), after the response as trials
        trials = (*trials, f"dec{rs}")

    if (ac := mu_autocor(frame.designs, t.resp)) is not None:  # ar()/ma()/arma()/cosy(): brmspy.codegen.autocor
        ac_sb, replaced = stan_autocor_likelihood(ac, t, dp, vectors, Y)
        sb += ac_sb
        if replaced:
            return sb
    if glm:
        form = fam.spec.glm[fam.link]
        has_re = bool(re_contributions(frame, mu_prefix)) or any(sp.predictor_terms() for sp in design.specials)
        alpha = dp["mu"] if has_re else (f"Intercept{mu_prefix.suffix}" if design.intercept else "0.0")
        extra = [dp[e] for e in form.extra]
        args = [*trials, design_matrix_name(design), alpha, coef_name(design), *extra]
        sb.likelihood.append(_with_constant(sb, t, tuning, Y, f"{form.dist}_{form.kind}({Y} | {', '.join(args)})"))
        return sb
    lik = canonical or fam.spec.likelihood
    sb.functions += [f.text for f in fam.spec.stan_functions]
    if rd.adds is not None:  # cens(), trunc(), se(), rate(): brmspy.codegen.additions
        sb += stan_addition_likelihood(t, rd, lik, dp, vectors, Y)
        return sb
    if rd.weights is not None or fam.spec.pointwise:
        # one observation at a time: weights multiply each term; some lpdfs take scalars only
        idx = {k: (f"{v}[n]" if v in vectors else v) for k, v in dp.items()}
        call = lik.call(f"{Y}[n]", idx, Ops(set()), tuple(f"{x}[n]" for x in trials))
        weight = f"weights{rs}[n] * " if rd.weights is not None else ""
        sb.likelihood += stan_lines("likelihood", "rowwise", lines=[f"target += {weight}{call};"])
    else:
        call = lik.call(Y, dp, Ops(vectors), trials)
        sb.likelihood.append(_with_constant(sb, t, tuning, Y, call))
    return sb


def _with_constant(sb: StanBlocks, t: BrmsTerms, tuning: Tuning | None, Y: str, call: str) -> str:
    """``target += <call>;``, or with ``hoist_constants`` its ``_lupmf`` plus the constant summed once.

    Only for families whose ``_lupmf`` drops a data-only term (``FamilySpec.data_constant``).
    """
    template = t.family.spec.data_constant
    if tuning is None or not tuning.hoist_constants or template is None or "_lpmf(" not in call:
        return f"target += {call};"
    rs = resp_suffix(t.resp)
    name = f"lconst{rs}"
    sb.tdata_def += [
        "// data-only part of the log likelihood, summed once (the model adds it to the _lupmf)",
        f"real {name} = {template.format(Y=Y, trials=f'trials{rs}')};",
    ]
    return f"target += {call.replace('_lpmf(', '_lupmf(', 1)} + {name};"


def stan_mi_response(sb: "StanBlocks", t: "BrmsTerms", rd: "ResponseData") -> None:
    """Add the missing-value parameters of ``y | mi()`` to the response piece ``sb`` (in place)."""
    s = resp_suffix(t.resp)
    y = np.asarray(rd.y, dtype=float)
    sb.values[f"Y{s}"] = np.where(np.isnan(y), np.inf, y)  # Stan data has no NA
    if rd.noise is not None:  # 'y | mi(sdy)': latent Yl, observed y ~ normal(Yl, sdy) (brms)
        observed = np.flatnonzero(~np.isnan(y))
        sb.data.append("// data for measurement-error in the response")
        sb.declare(f"vector<lower=0>[N] noise{s}", f"noise{s}", rd.noise)
        sb.data.append("// information about non-missings")
        sb.declare(f"int<lower=0> Nme{s}", f"Nme{s}", len(observed))
        sb.declare(f"array[Nme{s}] int<lower=1> Jme{s}", f"Jme{s}", observed.astype(np.int64) + 1)
        sb.par.append(f"vector{_BOUNDS[t.family.spec.response]}[N] Yl{s};  // latent variable")
        sb.model_prior.append(f"target += normal_lpdf(Y{s}[Jme{s}] | Yl{s}[Jme{s}], noise{s}[Jme{s}]);")
        return
    sb.declare(f"int<lower=0> Nmi{s}", f"Nmi{s}", len(rd.missing), "number of missings")
    sb.declare(f"array[Nmi{s}] int<lower=1> Jmi{s}", f"Jmi{s}", np.asarray(rd.missing, dtype=np.int64) + 1,
               "positions of missings")
    sb.par.append(f"vector{_BOUNDS[t.family.spec.response]}[Nmi{s}] Ymi{s};  // estimated missings")
    sb.model_def += ["// vector combining observed and missing responses", f"vector[N] Yl{s} = Y{s};"]
    sb.model_comp.append(f"Yl{s}[Jmi{s}] = Ymi{s};")
