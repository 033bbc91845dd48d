"""Stan code of residual correlations (``set_rescor(True)``), following brms.

All responses' predictors are built as in univariate models; they are then
combined per row and the responses get one multivariate likelihood::

    array[N] vector[nresp] Mu;
    vector[nresp] sigma = transpose([sigma_y1, sigma_y2]);
    matrix[nresp, nresp] LSigma = diag_pre_multiply(sigma, Lrescor);
    for (n in 1:N) {
      Mu[n] = transpose([mu_y1[n], mu_y2[n]]);
    }
    target += multi_normal_cholesky_lpdf(Y | Mu, LSigma);

Student responses share ``nu`` and use ``multi_student_t_lpdf`` with the
covariance matrix ``Sigma``.  Predicted sigmas (``sigma ~ x``) give one
covariance factor per row.
"""

from __future__ import annotations

from ..core.stan import StanBlocks, prior_statement
from ..core.templates import stan_lines
from ..families import DPARS
from ..formula.prefix import Prefix
from ..frame.types import ModelFrame
from ..priors.table import ResolvedPriors
from ..specials.autocor import mu_autocor
from . import pieces
from .autocor import stan_autocor_likelihood


def _resps(frame: ModelFrame) -> list[str]:
    return [t.resp for t in frame.response_terms]


def _student(frame: ModelFrame) -> bool:
    return frame.response_terms[0].family.name == "student"


def _vector(items: list[str]) -> str:
    return f"transpose([{', '.join(items)}])"


def stan_rescor_parameters(frame: ModelFrame, priors: ResolvedPriors) -> StanBlocks:
    """Data ``nresp``/``nrescor``, the response array ``Y``, and ``Lrescor`` (plus the shared ``nu``)."""
    sb = StanBlocks()
    resps = _resps(frame)
    R = len(resps)
    sb.declare("int<lower=1> nresp", "nresp", R, "number of responses")
    sb.declare("int nrescor", "nrescor", R * (R - 1) // 2, "number of residual correlations")
    sb.tdata_def.append("array[N] vector[nresp] Y;  // response array")
    sb.tdata_comp += stan_lines("likelihood", "rowwise", lines=[f"Y[n] = {_vector([f'Y_{r}[n]' for r in resps])};"])
    if frame.responses[resps[0]].weights is not None:
        sb.tdata_def += ["// weights of the pointwise log-likelihood",
                         f"vector<lower=0>[N] weights = weights_{resps[0]};"]
    sb.par.append("cholesky_factor_corr[nresp] Lrescor;  // parameters for multivariate linear models")
    if _student(frame):
        sb.par.append(f"real{pieces.dpar_bounds('nu', '')} nu;  // {DPARS['nu'].comment}")
    return sb


def stan_rescor_likelihood(frame: ModelFrame, priors: ResolvedPriors) -> StanBlocks:
    """Predictors of every response, their combination per row, the joint likelihood, priors and ``rescor``."""
    sb = StanBlocks()
    resps = _resps(frame)
    student = _student(frame)
    varying_sigma = False
    for t in frame.response_terms:
        for d in t.family.dpars:
            if d in t.parts:
                sb += pieces.stan_predictor(frame, t, Prefix(t.resp, d), glm=False)
        for d in t.family.dpars:
            if d in t.parts:
                sb += pieces.stan_inv_link(t, Prefix(t.resp, d), t.family.links[d])
        if (ac := mu_autocor(frame.designs, t.resp)) is not None:  # ARMA terms (no cov = TRUE with rescor: frame)
            mu = pieces.lp_name(Prefix(t.resp, "mu"))
            rd = frame.responses[t.resp]
            Yr = f"Yl_{t.resp}" if rd.missing is not None or rd.noise is not None else f"Y_{t.resp}"
            sb += stan_autocor_likelihood(ac, t, {"mu": mu}, set(), Yr)[0]
        varying_sigma |= "sigma" in t.parts
    sigmas = [f"sigma_{r}[n]" if "sigma" in t.parts else f"sigma_{r}" for r, t in zip(resps, frame.response_terms)]
    # 'y | mi()', 'y | mi(sdy)': the rows' responses with the imputed or latent values (brms's Yl array;
    # Yl_<resp> from stan_mi_response)
    imputed = [k for k, r in enumerate(resps, start=1)
               if frame.responses[r].missing is not None or frame.responses[r].noise is not None]
    Y = "Yl" if imputed else "Y"
    if imputed:
        sb.model_def += ["// response array with the imputed values", "array[N] vector[nresp] Yl = Y;"]
        sb.model_comp += stan_lines("likelihood", "rowwise", lines=[f"Yl[n][{k}] = Yl_{resps[k - 1]}[n];"
                                                                     for k in imputed])
    sb.model_def += ["// multivariate predictor array", "array[N] vector[nresp] Mu;"]
    join = [f"Mu[n] = {_vector([f'mu_{r}[n]' for r in resps])};"]
    if varying_sigma:
        sb.model_def.append("array[N] vector[nresp] sigma;")
        join.append(f"sigma[n] = {_vector(sigmas)};")
        if student:
            sb.model_def += ["// residual covariance matrix", "array[N] matrix[nresp, nresp] Sigma;"]
            join.append("Sigma[n] = multiply_lower_tri_self_transpose(diag_pre_multiply(sigma[n], Lrescor));")
        else:
            sb.model_def += ["// cholesky factor of residual covariance matrix", "array[N] matrix[nresp, nresp] LSigma;"]
            join.append("LSigma[n] = diag_pre_multiply(sigma[n], Lrescor);")
    else:
        sb.model_def.append(f"vector[nresp] sigma = {_vector(sigmas)};")
        if student:
            sb.model_def += ["// residual covariance matrix",
                             "matrix[nresp, nresp] Sigma = multiply_lower_tri_self_transpose(diag_pre_multiply(sigma, Lrescor));"]
        else:
            sb.model_def += ["// cholesky factor of residual covariance matrix",
                             "matrix[nresp, nresp] LSigma = diag_pre_multiply(sigma, Lrescor);"]
    sb.model_comp += ["// combine univariate parameters", *stan_lines("likelihood", "rowwise", lines=join)]

    weighted = frame.responses[resps[0]].weights is not None
    idx = "[n]" if varying_sigma else ""
    if student:
        dist = lambda y, m: f"multi_student_t_lpdf({y} | nu, {m}, Sigma{idx})"  # noqa: E731
    else:
        dist = lambda y, m: f"multi_normal_cholesky_lpdf({y} | {m}, LSigma{idx})"  # noqa: E731
    if weighted:
        sb.likelihood += stan_lines("likelihood", "rowwise", lines=[f"target += weights[n] * ({dist(f'{Y}[n]', 'Mu[n]')});"])
    elif varying_sigma:
        sb.likelihood += stan_lines("likelihood", "rowwise", lines=[f"target += {dist(f'{Y}[n]', 'Mu[n]')};"])
    else:
        sb.likelihood.append(f"target += {dist(Y, 'Mu')};")

    prior_statement(sb, "Lrescor", "Lrescor", [priors.rescor.get("rescor")], None)
    if student:
        prior_statement(sb, "nu", "nu", [priors.rescor.get("nu")], None, lower=DPARS["nu"].lower)

    names = dict(Cor="Rescor", cor="rescor", M="nresp")
    sb.gen_def += stan_lines("correlations", "declare", comment="residual correlations", NC="nrescor", L="Lrescor",
                             **names)
    sb.gen_comp += stan_lines("correlations", "extract", what="the residual correlation matrix", **names)
    if sb.data:
        sb.data.insert(0, "// prior hyperparameters of the residual correlations")
    return sb


__all__ = ["stan_rescor_likelihood", "stan_rescor_parameters"]
