"""Stan pieces of categorical-type models: categorical, multinomial, dirichlet.

Each non-reference category has its own linear predictor (``muB``, ``muC``);
they are gathered row by row into ``mu[n]``, a vector with 0 at the reference
category, and the likelihood is ``categorical_logit``, ``multinomial_logit``
or ``dirichlet(softmax(mu[n]) * phi)``. The unweighted categorical family instead
fills the columns of a matrix ``mu`` and adds the log density of all rows at once
(``categorical_logit_rows`` in ``snippets/likelihood.stan.j2``): stanli pays per
statement, and the row loop cost 2.3-2.5x the gradient time of the vectorised form.
"""

from __future__ import annotations

from ..core.stan import StanBlocks
from ..core.templates import stan_lines
from ..families import Ops
from ..families.categorical import category_dpars, reference_index, sigma_dpars
from ..formula.prefix import Prefix, resp_suffix
from ..formula.terms import BrmsTerms
from ..frame.types import ModelFrame, ResponseData
from .likelihood import UnivariateCode
from .pieces import lp_name, stan_inv_link, stan_predictor
from .tuning import Tuning

#: the Stan type and comment of the response of each kind of categorical response (families.kinds.Categorical)
_RESPONSE = {
    "category": ("array[N] int Y{s}", "response variable"),
    "counts": ("array[N, ncat{s}] int Y{s}", "response array"),
    "proportions": ("array[N] simplex[ncat{s}] Y{s}", "response array"),
    "proportions_vector": ("array[N] vector[ncat{s}] Y{s}", "response array"),  # logistic_normal, as brms
}


def _rs(t: BrmsTerms) -> str:
    return resp_suffix(t.resp)


class CategoricalCode(UnivariateCode):
    """Categorical-type families: ``ncat``, one predictor per non-reference category, a softmax likelihood."""

    def response(self, t: BrmsTerms, rd: ResponseData) -> StanBlocks:
        return stan_categorical_response(t, rd)

    def likelihood(self, frame: ModelFrame, t: BrmsTerms, tuning: Tuning | None) -> StanBlocks:
        return stan_categorical_likelihood(frame, t)


def stan_categorical_response(t: BrmsTerms, rd: ResponseData) -> StanBlocks:
    """``ncat``, the response (array of ints, count matrix or simplex rows) and addition data."""
    sb = StanBlocks()
    s = _rs(t)
    sb.declare(f"int<lower=2> ncat{s}", f"ncat{s}", rd.ncat, "number of categories")
    decl, comment = _RESPONSE[t.family.kind.response]
    sb.declare(decl.format(s=s), f"Y{s}", rd.y, comment)
    if rd.trials is not None:  # multinomial: the total count of each row
        sb.declare(f"array[N] int trials{s}", f"trials{s}", rd.trials, "number of trials")
    if rd.weights is not None:
        sb.declare(f"vector<lower=0>[N] weights{s}", f"weights{s}", rd.weights, "model weights")
    return sb


def stan_categorical_likelihood(frame: ModelFrame, t: BrmsTerms) -> StanBlocks:
    """Per-category predictors, the linear predictor matrix and the likelihood of every row."""
    sb = StanBlocks()
    fam = t.family
    s = _rs(t)
    rd = frame.responses[t.resp]
    names = category_dpars(fam, rd.levels)
    sb.functions += [f.text for f in fam.spec.stan_functions]  # dirichlet_multinomial's lpmf
    for n in names:
        sb += stan_predictor(frame, t, Prefix(t.resp, n), glm=False)
    if not fam.kind.joint_link:  # dirichlet2: each category's own link, no softmax
        for n in names:
            sb += stan_inv_link(t, Prefix(t.resp, n), fam.link)
    phi = f"phi{s}"  # dirichlet's (and dirichlet_multinomial's) precision
    if "phi" in t.parts:
        sb += stan_predictor(frame, t, Prefix(t.resp, "phi"), glm=False)
        sb += stan_inv_link(t, Prefix(t.resp, "phi"), fam.links["phi"])
        phi = f"{lp_name(Prefix(t.resp, 'phi'))}[n]"
    ref = reference_index(fam, rd.levels)
    elems = [f"{lp_name(Prefix(t.resp, n))}[n]" for n in names]
    mu = f"mu{s}"
    if fam.kind.per_category_sigma:  # logistic_normal: means of the log-ratios, no reference entry
        sb += _logistic_normal(frame, t, names, elems, ref)
        return sb
    if ref is not None:
        elems.insert(ref, "0")
    if fam.kind.response == "category" and fam.kind.joint_link and rd.weights is None:
        # categorical_logit of all rows at once (exact; see the macro): no per-row function call
        ind = f"Yind{s}"
        sb.tdata_def.append(f"matrix[N, ncat{s}] {ind} = rep_matrix(0, N, ncat{s});  // one-hot Y{s}")
        sb.tdata_comp.append(f"for (n in 1:N) {ind}[n, Y{s}[n]] = 1;")
        sb.model_def += ["// linear predictor matrix", f"matrix[N, ncat{s}] {mu};"]
        sb.model_comp += [f"{mu}[, {k}] = {'rep_vector(0, N)' if e == '0' else e.removesuffix('[n]')};"
                          for k, e in enumerate(elems, start=1)]
        sb.likelihood += stan_lines("likelihood", "categorical_logit_rows", Y_ind=ind, mu=mu, ncat=f"ncat{s}")
        return sb
    sb.model_def += ["// linear predictor matrix", f"array[N] vector[ncat{s}] {mu};"]
    sb.model_comp += stan_lines("likelihood", "rowwise", lines=[f"{mu}[n] = transpose([{', '.join(elems)}]);"])
    # the family's likelihood of the row's vector of category predictors (families.categorical)
    call = fam.spec.likelihood.call(f"Y{s}[n]", {"mu": f"{mu}[n]", "phi": phi}, Ops(set()))
    weight = f"weights{s}[n] * " if rd.weights is not None else ""
    sb.likelihood += stan_lines("likelihood", "rowwise", lines=[f"target += {weight}{call};"])
    return sb


def _logistic_normal(frame: ModelFrame, t: BrmsTerms, names: list[str], elems: list[str], ref: int) -> StanBlocks:
    """brms's logistic_normal: ``sigma<Category>`` (constant or predicted), ``Llncor`` and its correlations."""
    sb = StanBlocks()
    fam, s = t.family, _rs(t)
    rd = frame.responses[t.resp]
    sigmas = sigma_dpars(fam, rd.levels)
    for d in sigmas:
        if d in t.parts:
            sb += stan_predictor(frame, t, Prefix(t.resp, d), glm=False)
            sb += stan_inv_link(t, Prefix(t.resp, d), fam.links[d])
    sig = [f"{lp_name(Prefix(t.resp, d))}[n]" if d in t.parts else f"{d}{s}" for d in sigmas]
    mu, sigma = f"mu{s}", f"sigma{s}"
    sb.tdata_def += ["// number of logistic normal correlations", f"int nlncor{s} = choose(ncat{s} - 1, 2);"]
    sb.par.append(f"cholesky_factor_corr[ncat{s} - 1] Llncor{s};  // logistic-normal Cholesky correlation matrix")
    sb.model_def += ["// linear predictor matrix", f"array[N] vector[ncat{s} - 1] {mu};"]
    rows = [f"{mu}[n] = transpose([{', '.join(elems)}]);"]
    if any(d in t.parts for d in sigmas):
        sb.model_def += ["// sigma parameter matrix", f"array[N] vector[ncat{s} - 1] {sigma};"]
        rows.append(f"{sigma}[n] = transpose([{', '.join(sig)}]);")
        sigma_n = f"{sigma}[n]"
    else:
        sb.model_def += ["// sigma parameter vector", f"vector[ncat{s} - 1] {sigma} = transpose([{', '.join(sig)}]);"]
        sigma_n = sigma
    sb.model_comp += stan_lines("likelihood", "rowwise", lines=rows)
    call = fam.spec.likelihood.call(f"Y{s}[n]", {"mu": f"{mu}[n]", "sigma": sigma_n, "Llncor": f"Llncor{s}",
                                                 "ref": str(ref + 1)}, Ops(set()))
    weight = f"weights{s}[n] * " if rd.weights is not None else ""
    sb.likelihood += stan_lines("likelihood", "rowwise", lines=[f"target += {weight}{call};"])
    sb.gen_def += stan_lines("correlations", "declare", comment="logistic normal correlations", NC=f"nlncor{s}",
                             L=f"Llncor{s}", Cor=f"Lncor{s}", cor=f"lncor{s}", M=f"ncat{s} - 1")
    sb.gen_comp += stan_lines("correlations", "extract", what="the logistic normal correlation matrix",
                              Cor=f"Lncor{s}", cor=f"lncor{s}", M=f"ncat{s} - 1")
    return sb
