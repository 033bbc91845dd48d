"""Stan pieces of mixture models: mixing proportions, ordered intercepts, likelihood.

As brms: constant proportions are ``simplex[K] theta`` (``dirichlet(con_theta)``
prior) copied into ``theta1..thetaK``; predicted proportions are linear
predictors ``theta<k>`` but the reference (``theta1`` = 0 unless ``theta1`` has a formula) normalised on the log scale per
observation.  ``order="mu"`` declares ``ordered[K] ordered_Intercept`` and
defines ``Intercept_mu<k>`` from it.  Each observation adds
``log_sum_exp(log(theta_k) + component_lpdf)``.
"""

from __future__ import annotations

import re

import numpy as np

from ..core.stan import StanBlocks
from ..core.templates import stan_lines
from ..families import Ops
from ..formula.prefix import Prefix, resp_suffix
from ..formula.terms import BrmsTerms
from ..frame.additions import SE_COMPONENTS
from ..frame.types import ModelFrame, PopulationDesign, ResponseData
from ..priors.table import ResolvedPriors
from .additions import stan_mixture_component
from .likelihood import UnivariateCode
from .nonlinear import stan_nlpar_predictors, stan_nonlinear
from .ordinal import OrdinalCode, stan_fixed_thresholds, stan_ordinal_component, stan_thresholds
from .pieces import lp_name, stan_fe, stan_inv_link, stan_predictor
from .survival import stan_baseline_hazard
from .tuning import Tuning


def _rs(t: BrmsTerms) -> str:
    return resp_suffix(t.resp)


class MixtureCode(UnivariateCode):
    """Mixtures: the components' intercepts may be ordered; mixing proportions; a log_sum_exp per row."""

    def response(self, t: BrmsTerms, rd: ResponseData) -> StanBlocks:
        if t.family.ordinal:  # ordinal components: nthres, as brmspy.codegen.ordinal
            return OrdinalCode.response(self, t, rd)
        return super().response(t, rd)

    def population(self, t: BrmsTerms, design: PopulationDesign, priors: ResolvedPriors) -> StanBlocks:
        if t.family.threshold_family(design.prefix.dpar) is not None:  # thresholds Intercept_mu<k>
            return stan_fe(design, priors, thresholds=True)
        return strip_ordered_intercept(stan_fe(design, priors), t, design.prefix.dpar)

    def after_terms(self, t: BrmsTerms, design: PopulationDesign, priors: ResolvedPriors) -> StanBlocks:
        if t.family.threshold_family(design.prefix.dpar) is not None:
            return stan_thresholds(t, design, priors)
        return super().after_terms(t, design, priors)

    def parameters(self, t: BrmsTerms, priors: ResolvedPriors, rd: ResponseData) -> StanBlocks:
        sb = stan_mixture_parameters(t, priors)
        if rd.bhaz is not None:  # a cox component: its baseline hazard, named as cox's alone (brms)
            sb += stan_baseline_hazard(t, priors, rd)
        return sb

    def likelihood(self, frame: ModelFrame, t: BrmsTerms, tuning: Tuning | None) -> StanBlocks:
        return stan_mixture_likelihood(frame, t)


def strip_ordered_intercept(fe: StanBlocks, t: BrmsTerms, name: str) -> StanBlocks:
    """With order='mu' the intercepts of mu<k> come from ``ordered_Intercept`` (not parameters)."""
    if t.family.order == "mu" and name.rstrip("0123456789") == "mu":
        s = Prefix(t.resp, name).suffix
        fe.par = [ln for ln in fe.par if not ln.startswith(f"real Intercept{s};")]
    return fe


def stan_mixture_parameters(t: BrmsTerms, priors: ResolvedPriors) -> StanBlocks:
    """Ordered intercepts, the theta simplex and its dirichlet prior."""
    sb = StanBlocks()
    fam = t.family
    K = fam.nmix
    rs = _rs(t)
    if fam.has_theta_simplex:
        sb.par.append(f"simplex[{K}] theta{rs};  // mixing proportions")
        sb.tpar_def.append("// mixing proportions")
        sb.tpar_def += [f"real<lower=0,upper=1> theta{k}{rs} = theta{rs}[{k}];" for k in range(1, K + 1)]
        p = priors.theta.get(t.resp)
        if p is not None:
            con = np.array(p.concentration(K, f"the mixing proportions theta{rs}"))
            sb.declare(f"vector[{K}] con_theta{rs}", f"con_theta{rs}", con, "prior concentration")
            sb.tpar_prior.append(f"lprior += dirichlet_lpdf(theta{rs} | con_theta{rs});")
    if fam.theta_fixed:  # bf(..., theta1 = 1, theta2 = 2): data, as brms
        sb.data.append("// mixing proportions")
        for k, v in enumerate(fam.theta_fixed, start=1):
            sb.declare(f"real<lower=0,upper=1> theta{k}{rs}", f"theta{k}{rs}", v)
    if fam.fixed_thresholds:  # ordinal components with order="mu": one set of thresholds for all
        sb += stan_fixed_thresholds(t, priors)
    elif fam.order == "mu":
        sb.par.append(f"ordered[{K}] ordered_Intercept{rs};  // to identify mixtures")
        sb.tpar_def.append("// identify mixtures via ordering of the intercepts")
        sb.tpar_def += [
            f"real Intercept{Prefix(t.resp, f'mu{k}').suffix} = ordered_Intercept{rs}[{k}];" for k in range(1, K + 1)
        ]
    return sb


def stan_mixture_likelihood(frame: ModelFrame, t: BrmsTerms) -> StanBlocks:
    """Predictors of every component dpar and the per-observation log_sum_exp likelihood."""
    sb = StanBlocks()
    fam = t.family
    K = fam.nmix
    rs = _rs(t)
    rd = frame.responses[t.resp]
    for d in fam.dpars:
        # ordinal mu<k>: the thresholds are the intercepts (a non-linear mu<k>: its part holds only the thresholds)
        if d in t.parts and d not in t.nonlinear:
            sb += stan_predictor(frame, t, Prefix(t.resp, d), glm=False, intercept=fam.threshold_family(d) is None)
    if t.nonlinear:  # predictors of non-linear parameters (brmspy.codegen.nonlinear)
        sb += stan_nlpar_predictors(frame, t)
    for d in fam.dpars:
        if d in t.parts and not d.startswith("theta") and fam.threshold_family(d) is None:
            sb += stan_inv_link(t, Prefix(t.resp, d), fam.links[d])
    if t.nonlinear:  # loops over the non-linear formulas of mu<k> (inverse links inside)
        # an ordinal mu<k> stays on the latent scale (its link belongs to the ordinal likelihood, as brms)
        sb += stan_nonlinear(frame, t, {d: None if fam.threshold_family(d) is not None else fam.links[d] for d in fam.dpars})
    if fam.theta_pred:
        th = [lp_name(Prefix(t.resp, f"theta{k}")) for k in range(1, K + 1)]
        sb.model_def += stan_lines("mixture", "theta_def", ref=th[fam.theta_ref - 1])
        sb.model_comp += stan_lines("mixture", "theta_normalize", thetas=th)
        log_theta = [f"{x}[n]" for x in th]
    else:
        log_theta = [f"log(theta{k}{rs})" for k in range(1, K + 1)]
    lines: list[str] = []
    for k, comp in enumerate(fam.components, start=1):
        sb.functions += [f.text for f in comp.spec.stan_functions]
        idx = {}
        for d in comp.dpars:
            name = f"{d}{k}"
            predicted = name in t.parts or name in t.nonlinear
            idx[d] = f"{lp_name(Prefix(t.resp, name))}[n]" if predicted else f"{name}{rs}"
        for v in comp.spec.row_vectors:  # a cox component: the row's baseline hazards (brmspy.codegen.survival)
            idx[v] = f"{v}{rs}[n]"
        if rd.adds is not None and rd.adds.se is not None and comp.name in SE_COMPONENTS:
            # brms 2.18: se replaces sigma<k>, or with se(sigma = TRUE) combines with it
            idx["sigma"] = f"sqrt(square({idx['sigma']}) + se2{rs}[n])" if rd.adds.se_sigma else f"se{rs}[n]"
        if comp.kind.has_thresholds:  # brms: ordered_logistic_lpmf(Y[n] | mu1[n], Intercept_mu1)
            call, funs, defs = stan_ordinal_component(frame, t, comp, Prefix(t.resp, f"mu{k}"), idx)
            sb.model_comp += defs
            sb.functions += [f for f in funs if f not in sb.functions]
            lines.append(f"ps[{k}] = {log_theta[k - 1]} + {call};")
            continue
        trials = (f"trials{rs}[n]",) if comp.spec.needs_trials else ()
        if rd.adds is not None and rd.adds.needs_cdf:  # cens(), trunc() per component: brmspy.codegen.additions
            comp_lines, funs = stan_mixture_component(t, rd, comp, k, idx, log_theta[k - 1], bool(trials))
            lines += comp_lines
            sb.functions += [f for f in funs if f not in sb.functions]
            continue
        if comp.spec.needs_dec:  # wiener_diffusion_lpdf(Y[n] | dec[n], ...), as brms
            trials = (*trials, f"dec{rs}[n]")
        call = comp.spec.likelihood.call(f"Y{rs}[n]", idx, Ops(set()), trials)
        lines.append(f"ps[{k}] = {log_theta[k - 1]} + {call};")
    weight = f"weights{rs}[n] * " if rd.weights is not None else ""
    terms = [m.group(1) for ln in lines if (m := _ONE_TERM.match(ln))]
    if K == 2 and len(terms) == len(lines) == 2 and not any(c.kind.has_thresholds for c in fam.components):
        # the same density without the local array: stanli evaluates it 3 times faster (ordinal
        # components keep the array for now: their code is being reworked for thres(gr))
        sb.likelihood += stan_lines("mixture", "likelihood2", terms=terms, weight=weight)
    else:
        sb.likelihood += stan_lines("mixture", "likelihood", K=K, components=lines, weight=weight)
    return sb


# ``ps[k] = <one expression>;``: a component term without censoring branches (which span lines)
_ONE_TERM = re.compile(r"^ps\[\d+\] = (.+);$")
