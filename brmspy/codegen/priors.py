"""The ``lprior +=`` statements of population- and group-level parameters, hyperparameters as data."""

from __future__ import annotations

import numpy as np

from ..core.stan import StanBlocks, prior_statement
from ..core.templates import stan_function
from ..formula.prefix import Prefix, resp_suffix
from ..formula.terms import BrmsTerms
from ..frame.types import ModelFrame
from ..priors.table import ResolvedPriors
from .ordinal import stan_threshold_priors
from .shrinkage import stan_shrinkage_priors


def _terms_of(frame: ModelFrame, prefix: Prefix) -> BrmsTerms:
    return next(t for t in frame.response_terms if t.resp == prefix.resp)


def _lkj_prior(sb: StanBlocks, k: int, target: str, priors: ResolvedPriors) -> None:
    """The LKJ prior of the group-level correlations ``L_k``, its normalizing constant computed once.

    brms writes ``lprior += lkj_corr_cholesky_lpdf(L_k | eta)``, whose constant (a function of eta and
    ``M_k`` only) stanli evaluates again at every gradient: half a microsecond of a sleepstudy gradient
    of 4.5. ``lkj_corr_cholesky_norm_lpdf`` (``templates/functions``) adds the same terms to the
    constant taken from transformed data, so ``lprior`` and the density are unchanged (README,
    "Differences from brms").
    """
    prior_statement(sb, target, f"L_{k}", [priors.cor[k]], None)
    eta = f"prior_L_{k}_eta"
    brms = f"lprior += lkj_corr_cholesky_lpdf({target} | {eta});"
    if sb.tpar_prior[-1] != brms:  # lkj() is the only prior of class cor (priors.spec refuses others)
        raise RuntimeError(f"internal: unexpected prior statement of L_{k}: {sb.tpar_prior[-1]!r}")
    norm = f"lkj_norm_L_{k}"
    sb.tdata_def.append(f"real {norm} = lkj_corr_cholesky_lpdf(identity_matrix(M_{k}) | {eta});"
                        f"  // log normalizing constant of L_{k}'s LKJ prior")
    if (fn := stan_function("lkj_corr_cholesky_norm")) not in sb.functions:
        sb.functions.append(fn)
    sb.tpar_prior[-1] = f"lprior += lkj_corr_cholesky_norm_lpdf({target} | {eta}, {norm});"


def stan_priors(frame: ModelFrame, priors: ResolvedPriors) -> StanBlocks:
    """All ``lprior +=`` statements, with hyperparameters declared as data."""
    sb = StanBlocks()
    for prefix, design in frame.designs.items():
        s = prefix.suffix
        if design.coef_names:
            size = f"K{s} - 1" if design.intercept else f"K{s}"
            lb, _ = priors.b_bounds.get(prefix, (None, None))
            # bf(decomp = "QR"): brms puts the priors of b on the QR-scale coefficients bQ
            target = f"bQ{s}" if design.decomp == "QR" else f"b{s}"
            if prefix in priors.b_simplex:  # dirichlet(alpha) on the simplex b, alpha as data
                alpha = priors.b[prefix][0].concentration(len(priors.b[prefix]), f"b{s}")
                sb.declare(f"vector[{size}] prior_b{s}_alpha", f"prior_b{s}_alpha", np.array(alpha))
                sb.tpar_prior.append(f"lprior += dirichlet_lpdf(b{s} | prior_b{s}_alpha);")
            else:
                prior_statement(sb, target, f"b{s}", priors.b[prefix], size, lower=lb)
        if prefix in priors.thresholds:
            stan_threshold_priors(sb, _terms_of(frame, prefix), design, priors)
        elif design.intercept and prefix in priors.intercept:
            ilo, ihi = priors.bounds.get(f"Intercept{s}", (None, None))
            prior_statement(sb, f"Intercept{s}", f"Intercept{s}", [priors.intercept[prefix]], None, lower=ilo, upper=ihi)
        if prefix in priors.shrinkage:  # global parameters of horseshoe()/R2D2() (brmspy.codegen.shrinkage)
            sb.tpar_prior += stan_shrinkage_priors(design, priors.shrinkage[prefix])
    for t in frame.response_terms:
        for d in t.family.dpars:
            key = (t.resp, d)
            if key in priors.dpar:
                name = d + resp_suffix(t.resp)
                info = t.family.dpar_info(d)
                # both bounds of the parameter, as brms (zi in (0, 1): log_diff_exp of the two cdfs)
                natural_hi = info.upper if isinstance(info.upper, (int, float)) else None
                lo, hi = priors.bounds.get(name, (info.lower, natural_hi))
                prior_statement(sb, name, name, [priors.dpar[key]], None, lower=lo, upper=hi)
        if t.family.kind.per_category_sigma:  # logistic_normal's Cholesky correlation factor
            name = "Llncor" + resp_suffix(t.resp)
            prior_statement(sb, name, name, [priors.rescor.get("lncor" + resp_suffix(t.resp))], None)
    for block in frame.blocks:  # gr(g, dist = "student"): df_<ggn> > 1, before the sds (brms's order)
        if block.udf_owner:
            prior_statement(sb, f"df_{block.ggn}", f"df_{block.ggn}", [priors.df.get(block.ggn)], None, lower=1)
    for block in frame.blocks:
        k = block.id
        lo, hi = priors.bounds.get(f"sd_{k}", (0, None))
        if block.by:
            sds = priors.sd[k]
            if any(p is not None for p in sds):
                inner = StanBlocks()
                prior_statement(inner, f"sd_{k}[, i]", f"sd_{k}", sds, f"M_{k}", lower=lo, upper=hi)
                sb.values.update(inner.values)
                sb.data += inner.data
                sb.tpar_prior += [f"for (i in 1:Nby_{k}) {{", *("  " + ln for ln in inner.tpar_prior), "}"]
        else:
            prior_statement(sb, f"sd_{k}", f"sd_{k}", priors.sd[k], f"M_{k}", lower=lo, upper=hi)
        if block.has_cor and priors.cor.get(k) is not None:
            if block.by:
                inner = StanBlocks()
                _lkj_prior(inner, k, f"L_{k}[i]", priors)
                sb.values.update(inner.values)
                sb.data += inner.data
                sb.tdata_def += inner.tdata_def
                sb.functions += [f for f in inner.functions if f not in sb.functions]
                sb.tpar_prior += [f"for (i in 1:Nby_{k}) {{", *("  " + ln for ln in inner.tpar_prior), "}"]
            else:
                _lkj_prior(sb, k, f"L_{k}", priors)
    if sb.data:
        sb.data.insert(0, "// prior hyperparameters (values: make_standata() / prior_summary())")
    return sb
