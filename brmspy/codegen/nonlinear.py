"""Stan code of non-linear models, following brms's ``stan_nl``.

Each linear non-linear parameter ("nlpar") ``a`` gets its own predictor vector
``nlp_a`` built from ``X_a * b_a`` (no centring) and its group-level effects;
a non-linear formula becomes a loop over observations,

    for (n in 1:N) {
      // compute non-linear predictor values
      mu[n] = nlp_a[n] * exp(-nlp_b[n] * C_1[n]);
    }

with the dpar's inverse link applied inside the loop (as brms) unless the
likelihood works on the link scale (``poisson_log``).  Covariates are data
vectors ``C_1``, ``C_2``, ... (``C_sigma_1`` for a formula of sigma).
"""

from __future__ import annotations

from ..core.stan import StanBlocks
from ..core.templates import stan_lines
from ..families import LINK_FUNCTIONS, LINKS
from ..formula.nlexpr import parse_nl, to_stan
from ..formula.nonlinear import evaluation_order
from ..formula.prefix import Prefix, resp_suffix
from ..formula.terms import BrmsTerms
from ..frame.nonlinear import covariate_values
from ..frame.types import ModelFrame
from .pieces import coef_name, design_matrix_name, re_contributions


def nlp_name(resp: str, name: str) -> str:
    """brms's name of an nlpar's predictor vector: ``nlp_a``, ``nlp_y1_a``."""
    return f"nlp_{resp}_{name}" if resp else f"nlp_{name}"


def _target(t: BrmsTerms, name: str) -> str:
    """The vector a non-linear formula fills: ``mu``, ``sigma_y1`` or ``nlp_a1``."""
    if t.nonlinear[name].kind == "nlpar":
        return nlp_name(t.resp, name)
    return name + resp_suffix(t.resp)


def stan_nlpar_predictors(frame: ModelFrame, t: BrmsTerms) -> StanBlocks:
    """Linear predictors ``nlp_<name>`` of the linear nlpars of one response."""
    sb = StanBlocks()
    for name, part in t.parts.items():
        if part.kind != "nlpar":
            continue
        prefix = Prefix(t.resp, name)
        design = frame.designs[prefix]
        eta = nlp_name(t.resp, name)
        sb.model_def += [f"// initialize linear predictor term of non-linear parameter {name}",
                         f"vector[N] {eta} = rep_vector(0.0, N);"]
        # lf(a ~ x, decomp = "QR"): XQ_a * bQ_a (brms: the uncentred X_a with its intercept column decomposed)
        pieces = [f"{design_matrix_name(design)} * {coef_name(design)}"] if design.coef_names else []
        if design.intercept:  # lf(a ~ x, center = TRUE): brms's centred design with a temporary intercept
            pieces.insert(0, f"Intercept{design.prefix.suffix}")
        pieces += [x for sp in design.specials for x in sp.predictor_terms()]
        if pieces:
            sb.model_comp.append(f"{eta} += {' + '.join(pieces)};")
        re_terms = re_contributions(frame, prefix)
        if re_terms:
            sb.model_comp.append(f"// add group-level effects to {eta}")
            sb.model_comp += [f"{eta} += {term};" for term in re_terms]
    return sb


def _covariate_names(t: BrmsTerms, name: str) -> dict[str, str]:
    """Stan names of a non-linear formula's covariates: C_1 for mu, C_sigma_1 for sigma, C_a1_1 for nlf(a1 ~ ...)."""
    p = Prefix(t.resp, name).suffix
    return {c: f"C{p}_{i}" for i, c in enumerate(t.nonlinear[name].covariates, start=1)}


def stan_nl_covariates(frame: ModelFrame, t: BrmsTerms) -> StanBlocks:
    """Data vectors of the covariates of every non-linear formula of one response."""
    sb = StanBlocks()
    for name in evaluation_order(t):
        cov_names = _covariate_names(t, name)
        if cov_names:
            sb.data.append("// covariates for non-linear functions" + ("" if name == "mu" else f" of {name}"))
            for c, stan in cov_names.items():
                sb.declare(f"vector[N] {stan}", stan, covariate_values(frame.data_of(t.resp), c), c)
    return sb


def stan_nonlinear(frame: ModelFrame, t: BrmsTerms, links: dict[str, str | None]) -> StanBlocks:
    """The loops computing every non-linear formula of one response, nlpars before the dpars using them.

    Parameters
    ----------
    links : the link of each dpar with a non-linear formula whose inverse is
        applied in the loop (None when the likelihood takes the link scale).
    """
    sb = StanBlocks()
    for name in evaluation_order(t):
        nl = t.nonlinear[name]
        target = _target(t, name)
        cov_names = _covariate_names(t, name)

        idx = "[n]" if nl.loop else ""  # brms's loop = FALSE: one statement on whole vectors

        def rename(var: str, cov_names: dict[str, str] = cov_names, idx: str = idx) -> str:
            return f"{cov_names[var]}{idx}" if var in cov_names else f"{nlp_name(t.resp, var)}{idx}"

        expr = to_stan(parse_nl(nl.expr), rename)
        link = links.get(name) if nl.kind == "dpar" else None
        if link and link != "identity":
            expr = LINKS[link].stan_inverse(expr)
            if link in LINK_FUNCTIONS:
                sb.functions.append(LINK_FUNCTIONS[link].text)
        what = "non-linear parameter" if nl.kind == "nlpar" else "non-linear predictor term"
        sb.model_def += [f"// initialize {what}" + ("" if name == "mu" else f" {name}"), f"vector[N] {target};"]
        if nl.loop:
            sb.model_comp += stan_lines("likelihood", "rowwise",
                                        lines=["// compute non-linear predictor values", f"{target}[n] = {expr};"])
        else:
            sb.model_comp += ["// compute non-linear predictor values", f"{target} = {expr};"]
    return sb


__all__ = ["nlp_name", "stan_nl_covariates", "stan_nlpar_predictors", "stan_nonlinear"]
