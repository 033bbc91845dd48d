"""Stan pieces of ordinal models: thresholds, category-specific effects, likelihood.

Thresholds replace the intercept of ``mu`` (``Intercept`` is a vector of
``nthres`` temporary thresholds for centred predictors, as in brms); ``cs()``
terms give one coefficient per threshold (``bcs``, a ``Kcs x nthres`` matrix).
"""

from __future__ import annotations

import numpy as np

from ..core.errors import DataError, FormulaError
from ..core.stan import StanBlocks, prior_statement
from ..core.templates import StanFunction, stan_lines
from ..families.core import LINK_FUNCTIONS, Ops
from ..families.ordinal import hurdle_stan_function, stan_function
from ..formula.prefix import Prefix, resp_suffix
from ..formula.terms import BrmsTerms
from ..frame.types import ModelFrame, PopulationDesign, ResponseData
from ..priors.table import ResolvedPriors
from .likelihood import UnivariateCode, stan_response
from .nonlinear import stan_nlpar_predictors, stan_nonlinear
from .pieces import lp_name, re_cs_contributions, stan_fe, stan_inv_link, stan_predictor
from .tuning import Tuning


def _rs(t: BrmsTerms) -> str:
    return resp_suffix(t.resp)


class OrdinalCode(UnivariateCode):
    """Ordinal families: thresholds in place of mu's intercept, an ordinal log-PMF per row."""

    def response(self, t: BrmsTerms, rd: ResponseData) -> StanBlocks:
        nthres = StanBlocks()
        rs = _rs(t)
        groups = rd.thres_groups
        if groups is None:
            nthres.declare(f"int<lower=2> nthres{rs}", f"nthres{rs}", rd.ncat - 1, "number of thresholds")
        else:  # brms's thres(gr = g): the thresholds of each group, merged into one vector
            if min(groups.nthres) < 1:
                empty = [g for g, n in zip(groups.labels, groups.nthres) if n < 1]
                raise DataError(f"thres(gr = {groups.column}): every group needs at least one threshold (two response "
                                f"categories); group(s) {', '.join(map(str, empty))} have one category only.")
            nthres.declare(f"int<lower=1> ngrthres{rs}", f"ngrthres{rs}", len(groups.labels), "number of threshold groups")
            nthres.declare(f"array[ngrthres{rs}] int<lower=1> nthres{rs}", f"nthres{rs}",
                           np.asarray(groups.nthres, dtype=np.int64), "number of thresholds")
            nthres.declare(f"array[N, 2] int<lower=1> Jthres{rs}", f"Jthres{rs}", groups.bounds(),
                           "threshold indices")
            lines = stan_lines("ordinal", "threshold_groups_tdata", rs=rs)
            nthres.tdata_def += lines[:3]
            nthres.tdata_comp += lines[3:]
        return stan_response(t, rd, after_y=nthres)

    def population(self, t: BrmsTerms, design: PopulationDesign, priors: ResolvedPriors) -> StanBlocks:
        return stan_fe(design, priors, thresholds=design.prefix.dpar == "mu")

    def after_terms(self, t: BrmsTerms, design: PopulationDesign, priors: ResolvedPriors) -> StanBlocks:
        return stan_thresholds(t, design, priors) if design.prefix.dpar == "mu" else StanBlocks()

    def likelihood(self, frame: ModelFrame, t: BrmsTerms, tuning: Tuning | None) -> StanBlocks:
        return stan_ordinal_likelihood(frame, t)


def stan_thresholds(t: BrmsTerms, design: PopulationDesign, priors: ResolvedPriors) -> StanBlocks:
    """Threshold parameters (flexible, equidistant or sum-to-zero) and cs() coefficients."""
    sb = StanBlocks()
    s = design.prefix.suffix
    rs = _rs(t)
    fam = t.family.threshold_family(design.prefix.dpar)  # a mixture's mu<k>: its component
    threshold = fam.threshold
    ordered = fam.kind.ordered_thresholds
    groups = priors.threshold_groups.get(design.prefix)
    if getattr(t.family, "fixed_thresholds", False):  # ordinal mixture with order="mu": shared thresholds
        return _fixed_thresholds(design, None if groups is None else len(groups), ordered, rs)
    if groups is not None:  # thres(gr = g): one threshold vector per group, merged for the likelihood
        return _grouped_thresholds(design, len(groups), ordered, threshold, rs)
    if threshold == "flexible":
        kind = "ordered" if ordered else "vector"  # brms orders cumulative thresholds only
        sb.par.append(f"{kind}[nthres{rs}] Intercept{s};  // temporary thresholds for centered predictors")
    elif threshold == "sum_to_zero":
        sb.par.append(f"sum_to_zero_vector[nthres{rs}] Intercept{s};  // thresholds summing to zero")
    else:
        sb.par.append(f"real first_Intercept{s};  // first threshold")
        bound = "<lower=0>" if ordered else ""
        sb.par.append(f"real{bound} delta{s};  // distance between thresholds")
        sb.tpar_def.append(f"// equidistant thresholds")
        sb.tpar_def.append(
            f"vector[nthres{rs}] Intercept{s} = first_Intercept{s} + delta{s} * linspaced_vector(nthres{rs}, 0, nthres{rs} - 1);"
        )
    if design.Xcs is not None:
        sb.declare(f"int<lower=1> Kcs{s}", f"Kcs{s}", design.Xcs.shape[1], "number of category-specific effects")
        sb.declare(f"matrix[N, Kcs{s}] Xcs{s}", f"Xcs{s}", design.Xcs, "category-specific design matrix")
        sb.par.append(f"matrix[Kcs{s}, nthres{rs}] bcs{s};  // category-specific effects")
    shift = f" + dot_product(means_X{s}, b{s})" if design.coef_names and design.intercept and design.center else ""
    sb.gen_def += ["// thresholds on the scale of the uncentered predictors",
                   f"vector[nthres{rs}] b{s}_Intercept = Intercept{s}{shift};"]
    return sb


def _grouped_thresholds(design: PopulationDesign, n_groups: int, ordered: bool, threshold: str,
                        rs: str) -> StanBlocks:
    """brms's thresholds per group: ``Intercept_<i>`` per group (equidistant: from ``first_Intercept_<i>`` and
    ``delta_<i>``), ``merged_Intercept`` for the likelihood."""
    sb = StanBlocks()
    s = design.prefix.suffix
    shift = f" + dot_product(means_X{s}, b{s})" if design.coef_names and design.intercept and design.center else ""
    equidistant = threshold == "equidistant"
    # brms orders cumulative thresholds only; sum-to-zero thresholds as brmspy's ungrouped ones
    kind = "sum_to_zero_vector" if threshold == "sum_to_zero" else "ordered" if ordered else "vector"
    if equidistant:
        sb.tpar_def.append("// equidistant thresholds")
    for i in range(1, n_groups + 1):
        n = f"nthres{rs}[{i}]"
        if equidistant:
            sb.par.append(f"real first_Intercept{s}_{i};  // first threshold")
            sb.par.append(f"real{'<lower=0>' if ordered else ''} delta{s}_{i};  // distance between thresholds")
            sb.tpar_def.append(f"vector[{n}] Intercept{s}_{i} = first_Intercept{s}_{i} + delta{s}_{i} * "
                               f"linspaced_vector({n}, 0, {n} - 1);")
        else:
            sb.par.append(f"{kind}[{n}] Intercept{s}_{i};  // temporary thresholds for centered predictors")
    _merge_thresholds(sb, s, rs, n_groups, shift)
    return sb


def _fixed_thresholds(design: PopulationDesign, n_groups: int | None, ordered: bool, rs: str) -> StanBlocks:
    """brms's ``fix_intercepts``: a component's thresholds ``Intercept_mu<k>[_<i>]`` are the mixture's shared
    ``fixed_Intercept[_<i>]`` (declared with their priors by :func:`stan_fixed_thresholds`)."""
    sb = StanBlocks()
    s = design.prefix.suffix
    kind = "ordered" if ordered else "vector"
    if n_groups is None:
        sb.tpar_def += ["// fix thresholds across ordinal mixture components",
                        f"{kind}[nthres{rs}] Intercept{s} = fixed_Intercept{rs};"]
        sb.gen_def += ["// compute actual thresholds", f"vector[nthres{rs}] b{s}_Intercept = Intercept{s};"]
        return sb
    sb.tpar_def.append("// fix thresholds across ordinal mixture components")
    sb.tpar_def += [f"{kind}[nthres{rs}[{i}]] Intercept{s}_{i} = fixed_Intercept{rs}_{i};" for i in range(1, n_groups + 1)]
    _merge_thresholds(sb, s, rs, n_groups)
    return sb


def _merge_thresholds(sb: StanBlocks, s: str, rs: str, n_groups: int, shift: str = "") -> None:
    """brms's ``merged_Intercept``: the groups' thresholds in one vector (``Kthres_start``/``_end``), and the
    actual thresholds per group in generated quantities (``shift`` undoes the centring of the predictors)."""
    sb.tpar_def.append(f"vector[nmthres{rs}] merged_Intercept{s};  // merged thresholds")
    sb.tpar_comp.append("// merge thresholds")
    sb.gen_def.append("// compute actual thresholds")
    for i in range(1, n_groups + 1):
        sb.tpar_comp.append(f"merged_Intercept{s}[Kthres_start{rs}[{i}]:Kthres_end{rs}[{i}]] = Intercept{s}_{i};")
        sb.gen_def.append(f"vector[nthres{rs}[{i}]] b{s}_Intercept_{i} = Intercept{s}_{i}{shift};")


def stan_fixed_thresholds(t: BrmsTerms, priors: ResolvedPriors) -> StanBlocks:
    """The shared thresholds ``fixed_Intercept[_<i>]`` of an ordinal mixture with ``order="mu"`` and their priors
    (``ordered`` when a component is cumulative, as brms)."""
    sb = StanBlocks()
    rs = _rs(t)
    group_priors = priors.fixed_thresholds.get(t.resp, [])
    grouped = priors.threshold_groups.get(Prefix(t.resp, "mu1")) is not None
    kind = "ordered" if t.family.fixed_thresholds_ordered else "vector"
    for i, plist in enumerate(group_priors, start=1):
        gi, n = (f"_{i}", f"nthres{rs}[{i}]") if grouped else ("", f"nthres{rs}")
        sb.par.append(f"{kind}[{n}] fixed_Intercept{rs}{gi};  // thresholds fixed over mixture components")
        prior_statement(sb, f"fixed_Intercept{rs}{gi}", f"fixed_Intercept{rs}{gi}", plist, n)
    return sb


def stan_threshold_priors(sb: StanBlocks, t: BrmsTerms, design: PopulationDesign, priors: ResolvedPriors) -> None:
    s = design.prefix.suffix
    rs = _rs(t)
    thres = priors.thresholds.get(design.prefix, [])
    fam = t.family.threshold_family(design.prefix.dpar)
    groups = priors.threshold_groups.get(design.prefix)
    if getattr(t.family, "fixed_thresholds", False):  # priors on the shared fixed_Intercept (stan_fixed_thresholds)
        pass
    elif groups is not None:  # thres(gr = g): each group's thresholds have their own priors
        for i, group_priors in enumerate(groups, start=1):
            if fam.threshold == "equidistant":
                prior_statement(sb, f"first_Intercept{s}_{i}", f"first_Intercept{s}_{i}", group_priors[:1], None)
                lower = 0 if fam.kind.ordered_thresholds else None
                prior_statement(sb, f"delta{s}_{i}", f"delta{s}_{i}", [priors.delta_groups[design.prefix][i - 1]],
                                None, lower=lower)
            else:
                prior_statement(sb, f"Intercept{s}_{i}", f"Intercept{s}_{i}", group_priors, f"nthres{rs}[{i}]")
    elif fam.threshold == "equidistant":
        prior_statement(sb, f"first_Intercept{s}", f"first_Intercept{s}", thres[:1], None)
        lower = 0 if fam.kind.ordered_thresholds else None
        prior_statement(sb, f"delta{s}", f"delta{s}", [priors.delta.get(design.prefix)], None, lower=lower)
    else:
        prior_statement(sb, f"Intercept{s}", f"Intercept{s}", thres, f"nthres{rs}")
    if design.Xcs is not None:
        prior_statement(sb, f"to_vector(bcs{s})", f"bcs{s}", priors.bcs.get(design.prefix, []),
                        f"Kcs{s} * nthres{rs}")


def stan_ordinal_likelihood(frame: ModelFrame, t: BrmsTerms) -> StanBlocks:
    """Latent predictor, disc and the ordinal log-PMF of every observation."""
    sb = StanBlocks()
    fam = t.family
    rs = _rs(t)
    rd = frame.responses[t.resp]
    mu_prefix = Prefix(t.resp, "mu")
    design = frame.designs[mu_prefix]
    s = mu_prefix.suffix
    nonlinear = "mu" in t.nonlinear
    if nonlinear:  # brms: the nlpars' predictors, then mu from its formula on the latent scale (no inverse link)
        sb += stan_nlpar_predictors(frame, t)
        sb += stan_nonlinear(frame, t, {d: None if d == "mu" else fam.links[d] for d in fam.dpars})
    else:
        sb += stan_predictor(frame, t, mu_prefix, glm=False, intercept=False)
    mu = lp_name(mu_prefix)
    if not sb.model_def:  # no predictors at all: mu is zero
        sb.model_def += ["// initialize linear predictor term", f"vector[N] {mu} = rep_vector(0.0, N);"]
    if fam.kind.custom_density:  # custom_family(..., specials = "ordinal"): the user's density
        sb += _custom_ordinal_likelihood(frame, t, rd, mu)
        return sb
    if "disc" in t.parts:
        sb += stan_predictor(frame, t, Prefix(t.resp, "disc"), glm=False)
        sb += stan_inv_link(t, Prefix(t.resp, "disc"), fam.links["disc"])
    disc_vec = "disc" in t.parts
    disc = lp_name(Prefix(t.resp, "disc")) if disc_vec else f"disc{rs}"
    hurdle = fam.kind.hurdle
    if hurdle and "hu" in t.parts:
        sb += stan_predictor(frame, t, Prefix(t.resp, "hu"), glm=False)
        sb += stan_inv_link(t, Prefix(t.resp, "hu"), fam.links["hu"])
    thres = f"Intercept{s}"
    cs_re = re_cs_contributions(frame, mu_prefix)  # (cs(x) | g): group-level effects per threshold
    has_cs = design.Xcs is not None or bool(cs_re)
    if rd.thres_groups is not None:
        if has_cs:
            raise FormulaError("Cannot use category specific effects in models with multiple thresholds "
                               f"(thres(gr = {rd.thres_groups.column})); remove cs() or the threshold groups.")
        hu = (f"{lp_name(Prefix(t.resp, 'hu'))}[n]" if "hu" in t.parts else f"hu{rs}") if hurdle else None
        sb += _grouped_likelihood(t, rd, thres=f"merged_Intercept{s}", mu=mu, disc=disc, disc_vec=disc_vec, hu=hu)
        return sb
    if has_cs:
        sb.model_comp.append(f"// category-specific effects shift each threshold")
        init = f"Xcs{s} * bcs{s}" if design.Xcs is not None else f"rep_matrix(0, N, nthres{rs})"
        sb.model_comp.append(f"matrix[N, nthres{rs}] mucs{s} = {init};")
        for k, terms in sorted(cs_re.items()):
            sb.model_comp.append(f"mucs{s}[, {k}] += {' + '.join(terms)};")
    Y = f"Y{rs}"
    dist = fam.kind.builtin.get(fam.link)  # Stan's ordered_logistic/_probit (cumulative)
    if dist is not None and not disc_vec and rd.weights is None and not has_cs:
        if nonlinear:  # brms 2.18 writes the row-wise call here, disc (= 1) left out
            sb.likelihood += stan_lines("likelihood", "rowwise", lines=[f"target += {dist}_lpmf({Y}[n] | {mu}[n], {thres});"])
        else:
            sb.likelihood.append(f"target += {dist}_lpmf({Y} | {disc} * {mu}, {disc} * {thres});")
        return sb
    rows_macro = fam.kind.rows_macro.get(fam.link)
    if rows_macro is not None and not hurdle and not disc_vec and rd.weights is None:
        # all rows at once (exact; see the macro): no per-row function call
        ind = f"Yind{rs}"
        sb.tdata_def.append(f"matrix[N, nthres{rs} + 1] {ind} = rep_matrix(0, N, nthres{rs} + 1);  // one-hot {Y}")
        sb.tdata_comp.append(f"for (n in 1:N) {ind}[n, {Y}[n]] = 1;")
        rows = f"rep_matrix(transpose({thres}), N)" + (f" - mucs{s}" if has_cs else "")
        sb.likelihood += stan_lines("likelihood", rows_macro, Y_ind=ind, mu=mu, disc=disc, thres=rows,
                                    nthres=f"nthres{rs}")
        return sb
    if fam.link in LINK_FUNCTIONS:
        sb.functions.append(LINK_FUNCTIONS[fam.link].text)
    sb.functions.append(stan_function("cumulative" if hurdle else fam.name, fam.link).text)
    th = f"{thres} - transpose(mucs{s}[n])" if has_cs else thres
    d = f"{disc}[n]" if disc_vec else disc
    if hurdle:
        sb.functions.append(hurdle_stan_function(fam.link).text)
        hu = f"{lp_name(Prefix(t.resp, 'hu'))}[n]" if "hu" in t.parts else f"hu{rs}"
        call = f"{fam.name}_{fam.link}_lpmf({Y}[n] | {mu}[n], {hu}, {d}, {th})"
    else:
        call = f"{fam.name}_{fam.link}_lpmf({Y}[n] | {mu}[n], {d}, {th})"
    weight = f"weights{rs}[n] * " if rd.weights is not None else ""
    sb.likelihood += stan_lines("likelihood", "rowwise", lines=[f"target += {weight}{call};"])
    return sb


def _custom_ordinal_likelihood(frame: ModelFrame, t: BrmsTerms, rd: ResponseData, mu: str) -> StanBlocks:
    """brms's ``stan_log_lik_custom`` for an ordinal custom family: ``name_lpmf(Y[n] | mu[n], <dpars>, Intercept,
    <vars>)``, the thresholds after the dpars."""
    sb = StanBlocks()
    fam = t.family
    rs = _rs(t)
    s = Prefix(t.resp, "mu").suffix
    if frame.designs[Prefix(t.resp, "mu")].Xcs is not None or re_cs_contributions(frame, Prefix(t.resp, "mu")):
        raise FormulaError(f"cs() terms need a family with category-specific effects; the custom family {fam.name!r} "
                           "has none (brms 2.18 would compute them and leave them out of its density).")
    dp = {"mu": f"{mu}[n]"}
    for d in fam.dpars[1:]:
        if d in t.parts:
            sb += stan_predictor(frame, t, Prefix(t.resp, d), glm=False)
            sb += stan_inv_link(t, Prefix(t.resp, d), fam.links[d])
            dp[d] = f"{lp_name(Prefix(t.resp, d))}[n]"
        else:
            dp[d] = f"{d}{rs}"
    args = fam.spec.likelihood.args(dp, Ops(set()))
    if rd.thres_groups is not None:  # brms 2.18 passes 'Intercept', which its program then lacks (stanc fails)
        raise FormulaError(f"thres(gr = {rd.thres_groups.column}) is not supported with the custom family "
                           f"{fam.name!r}: brms 2.18 passes the thresholds of one group only (its program fails); "
                           "use a built-in ordinal family or one threshold vector.")
    args = [*args[:len(fam.dpars)], f"Intercept{s}", *args[len(fam.dpars):]]
    weight = f"weights{rs}[n] * " if rd.weights is not None else ""
    call = f"{fam.name}_lpmf(Y{rs}[n] | {', '.join(args)})"
    sb.likelihood += stan_lines("likelihood", "rowwise", lines=[f"target += {weight}{call};"])
    return sb


def _grouped_likelihood(t: BrmsTerms, rd: ResponseData, thres: str, mu: str, disc: str, disc_vec: bool,
                        hu: str | None = None) -> StanBlocks:
    """The row-wise log-PMF with the row's group's thresholds (brms's ``<family>_<link>_merged_lpmf``;
    hurdle_cumulative, as brms 2.19+: ``hurdle_cumulative_<link>_merged_lpmf(y | mu, hu, disc, thres, j)``)."""
    sb = StanBlocks()
    fam = t.family
    rs = _rs(t)
    if hu is not None:
        if fam.link in LINK_FUNCTIONS:
            sb.functions.append(LINK_FUNCTIONS[fam.link].text)
        sb.functions.append(stan_function("cumulative", fam.link).text)
        sb.functions.append(hurdle_stan_function(fam.link).text)
        name = f"{fam.name}_{fam.link}"
        sb.functions.append(StanFunction("ordinal_merged", (("lpmf", name), ("disc", "1"), ("hu", "1"))).text)
        d = f"{disc}[n]" if disc_vec else disc
        call = f"{name}_merged_lpmf(Y{rs}[n] | {mu}[n], {hu}, {d}, {thres}, Jthres{rs}[n])"
        weight = f"weights{rs}[n] * " if rd.weights is not None else ""
        sb.likelihood += stan_lines("likelihood", "rowwise", lines=[f"target += {weight}{call};"])
        return sb
    dist = fam.kind.builtin.get(fam.link)  # brms: ordered_logistic (disc is 1) unless disc is predicted
    builtin = dist is not None and not disc_vec
    if builtin:
        sb.functions.append(StanFunction("ordinal_merged", (("lpmf", dist), ("disc", ""))).text)
    else:
        if fam.link in LINK_FUNCTIONS:
            sb.functions.append(LINK_FUNCTIONS[fam.link].text)
        sb.functions.append(stan_function(fam.name, fam.link).text)
        sb.functions.append(StanFunction("ordinal_merged", (("lpmf", f"{fam.name}_{fam.link}"), ("disc", "1"))).text)
    d = "" if builtin else (f"{disc}[n], " if disc_vec else f"{disc}, ")
    name = dist if builtin else f"{fam.name}_{fam.link}"
    call = f"{name}_merged_lpmf(Y{rs}[n] | {mu}[n], {d}{thres}, Jthres{rs}[n])"
    weight = f"weights{rs}[n] * " if rd.weights is not None else ""
    sb.likelihood += stan_lines("likelihood", "rowwise", lines=[f"target += {weight}{call};"])
    return sb


def stan_ordinal_component(frame: ModelFrame, t: BrmsTerms, comp, prefix: Prefix,
                           idx: dict[str, str]) -> tuple[str, list[str], list[str]]:
    """The log-PMF of one ordinal mixture component at row ``n``, the Stan functions and the model lines
    (cs() effects) it needs."""
    rs = _rs(t)
    s = prefix.suffix
    design = frame.designs[prefix]
    mu = f"{lp_name(prefix)}[n]" if prefix.dpar in t.parts else "0"
    disc = idx["disc"]
    dist = comp.kind.builtin.get(comp.link)
    groups = frame.responses[t.resp].thres_groups
    if groups is not None:  # thres(gr = g): the row's group's thresholds (brms's <family>_<link>_merged_lpmf)
        if design.Xcs is not None:
            raise FormulaError("Cannot use category specific effects in models with multiple thresholds "
                               f"(thres(gr = {groups.column})); remove cs() or the threshold groups.")
        constant_disc = disc == f"disc{prefix.dpar[2:]}{rs}"
        if dist is not None and constant_disc:  # brms: ordered_logistic_merged_lpmf, disc (= 1) left out
            fun = StanFunction("ordinal_merged", (("lpmf", dist), ("disc", ""))).text
            return f"{dist}_merged_lpmf(Y{rs}[n] | {mu}, merged_Intercept{s}, Jthres{rs}[n])", [fun], []
        funs = [LINK_FUNCTIONS[comp.link].text] if comp.link in LINK_FUNCTIONS else []
        funs.append(stan_function(comp.name, comp.link).text)
        funs.append(StanFunction("ordinal_merged", (("lpmf", f"{comp.name}_{comp.link}"), ("disc", "1"))).text)
        call = f"{comp.name}_{comp.link}_merged_lpmf(Y{rs}[n] | {mu}, {disc}, merged_Intercept{s}, Jthres{rs}[n])"
        return call, funs, []
    if dist is not None and disc == f"disc{prefix.dpar[2:]}{rs}" and design.Xcs is None:
        # brms ignores a constant disc<k> (= 1) here
        return f"{dist}_lpmf(Y{rs}[n] | {mu}, Intercept{s})", [], []
    funs, defs = [], []
    if design.Xcs is not None:
        defs = ["// category-specific effects shift each threshold", f"matrix[N, nthres{rs}] mucs{s} = Xcs{s} * bcs{s};"]
    if comp.link in LINK_FUNCTIONS:
        funs.append(LINK_FUNCTIONS[comp.link].text)
    funs.append(stan_function(comp.name, comp.link).text)
    th = f"Intercept{s} - transpose(mucs{s}[n])" if design.Xcs is not None else f"Intercept{s}"
    return f"{comp.name}_{comp.link}_lpmf(Y{rs}[n] | {mu}, {disc}, {th})", funs, defs
