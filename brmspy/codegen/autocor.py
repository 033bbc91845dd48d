"""Stan code of residual autocorrelation terms (``ar()``, ``ma()``, ``arma()``, ``cosy()``, ``unstr()``, ...).

Two pieces, following brms's generated programs:

* :func:`stan_autocor_parameters` (through ``AutocorDesign.stan``): data
  ``Kar``/``Kma``/``J_lag`` or the series layout ``N_tg``/``begin_tg``/
  ``end_tg``/``nobs_tg``, the parameters ``ar``, ``ma``, ``cosy`` and their
  priors (hyperparameters as data, like every other prior).
* :func:`stan_autocor_likelihood` (called from ``stan_likelihood``): the row
  loop adding ARMA terms to ``mu`` (conditional formulation), or one
  multivariate density per series (covariance formulation; with ``se(x, sigma = TRUE)`` brms's
  ``*_time_*_se_lpdf`` add ``se2`` to each series' covariance); with latent residuals
  (families without natural residuals) only ``ar()``'s terms of the earlier residuals.

The helper functions (``templates/functions/cholesky_cor_*.stan``,
``normal_time_*.stan``, ``student_t_time_*.stan``) are written for this project; they
compute the same matrices and densities as brms's functions of those names.
"""

from __future__ import annotations

from typing import Any

from ..core.stan import StanBlocks
from ..core.templates import stan_function, stan_lines
from ..formula.prefix import resp_suffix
from ..formula.terms import BrmsTerms
from ..specials.autocor import AutocorDesign, time_cor_function


def stan_autocor_likelihood(ac: "AutocorDesign", t: "BrmsTerms", dp: dict[str, str], vectors: set[str],
                            Y: str) -> tuple[StanBlocks, bool]:
    """The model-block part of the structure; True when it also wrote the likelihood.

    ``dp`` names the dpars in Stan (``vectors``: those predicted per row) and
    ``Y`` the response vector.

    ARMA (conditional formulation) adds its terms to the already built ``mu``
    row by row and leaves the usual likelihood; covariance structures replace
    the likelihood by one multivariate density per series.
    """
    sb = StanBlocks()
    s = ac.prefix.suffix
    spec = ac.spec
    mu = dp["mu"]
    if ac.latent:  # brms's latent residuals: err is part of mu; ar() adds the AR terms of earlier err
        if not spec.time_cov:
            sb.model_def += stan_lines("autocor", "lagged_latent", s=s)
            sb.model_comp += stan_lines("autocor", "latent_ar_terms", s=s, text=spec.text, mu=mu)
        return sb, False
    if not spec.time_cov:
        sb.model_def += stan_lines("autocor", "arma_errors", s=s)
        sb.model_comp += stan_lines("autocor", "arma_terms", s=s, text=spec.text, mu=mu, Y=Y, ma=bool(spec.q),
                                    ar=bool(spec.p))
        return sb, False
    family = t.family.spec.likelihood.dist  # normal, student_t (gaussian and student only: frame.autocor)
    sigma = dp["sigma"]
    nu = [dp["nu"]] if family == "student_t" else []
    if spec.kind == "fcor":  # one multivariate density with the known correlation matrix
        het = "het" if sigma in vectors else "hom"
        sb.functions.append(stan_function(f"{family}_fcor"))
        sb.likelihood.append(f"target += {family}_fcor_{het}_lpdf({Y} | {', '.join([*nu, mu, sigma, f'Lfcor{s}'])});")
        return sb, True
    if spec.kind == "sar":
        sb.functions.append(stan_function(f"{family}_sar"))
        args = [*nu, mu, sigma, f"{spec.type}sar{s}", f"Msar{s}", f"eigenMsar{s}"]
        sb.likelihood.append(f"target += {family}_{spec.type}sar_lpdf({Y} | {', '.join(args)});")
        return sb, True
    het = "het" if sigma in vectors else "hom"
    # se(sigma = TRUE): se^2 is added to the diagonal of each series' covariance (brms's *_se_lpdf, se2 as data)
    se = [f"se2{resp_suffix(t.resp)}"] if t.response.addition("se") is not None else []
    tail = "_se" if se else ""
    if spec.kind == "unstr":  # correlations of the time points each series has (brms's *_time_*_flex_lpdf)
        sb.functions.append(stan_function(f"{family}_time{tail}_flex"))
        args = [*nu, mu, sigma, *se, f"Lcortime{s}", f"nobs_tg{s}", f"begin_tg{s}", f"end_tg{s}", f"Jtime_tg{s}"]
        sb.likelihood.append(f"target += {family}_time_{het}{tail}_flex_lpdf({Y} | {', '.join(args)});")
        return sb, True
    fun, args = time_cor_function(ac)
    sb.functions.append(stan_function(f"cholesky_cor_{fun}"))
    sb.functions.append(stan_function(f"{family}_time_se" if se else f"{family}_time_{het}"))
    # computed here rather than as a transformed parameter so it is not stored with every draw
    sb.model_def += stan_lines("autocor", "time_cholesky", s=s, fun=fun, args=args)
    call_args: list[Any] = [*nu, mu, sigma, *se, f"Lcortime{s}", f"nobs_tg{s}", f"begin_tg{s}", f"end_tg{s}"]
    sb.likelihood.append(f"target += {family}_time_{het}{tail}_lpdf({Y} | {', '.join(call_args)});")
    return sb, True


__all__ = ["stan_autocor_likelihood"]
