"""Multivariate models: residual correlations, their priors, draws and predictions.

``bf("y1 ~ x") + bf("y2 ~ x") + set_rescor(True)`` models gaussian (or
student) responses jointly, as brms does: per row the responses follow a
multivariate normal (t) distribution with means ``Mu[n] = [mu_y1[n], mu_y2[n]]'``
and covariance ``diag(sigma) * Rescor * diag(sigma)``; ``Lrescor`` is the
Cholesky factor of ``Rescor`` with an ``lkj(1)`` prior (class ``rescor``).
Student models share one ``nu``.  The Stan code is in
:mod:`brmspy.codegen.mv`; this module holds the checks, the prior
rows, the brms names of the draws (``rescor__y1__y2``) and the numpy
predictions over all responses (log-likelihood and predictive draws).
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from ..core.errors import DataWarning, FormulaError, warn
from ..fit.brmsfit import BrmsFit
from ..formula.mv import is_rescor
from ..formula.terms import BrmsTerms
from .dpars import dpar_values, response_extras

# ------------------------------------------------------------------- terms


# ------------------------------------------------------------------ priors


# ------------------------------------------------------------------ draws


# ------------------------------------------------------------ predictions


def stack_responses(fit: "BrmsFit", one: Callable[["BrmsTerms"], np.ndarray]) -> np.ndarray:
    """``one(terms)`` for every response, stacked to draws × observations × responses."""
    arrays = []
    for t in fit.frame.response_terms:
        a = np.asarray(one(t), dtype=float)
        if a.ndim != 2:
            raise FormulaError(
                f"Response {t.resp!r} gives one value per category; predict it on its own with resp={t.resp!r}."
            )
        arrays.append(a)
    return np.stack(arrays, axis=-1)


def _rescor_parts(ctx, fit: "BrmsFit") -> dict[str, np.ndarray]:
    """Mu and sigma (draws, obs, resp), Lrescor (draws, resp, resp) and nu (draws, 1) of a rescor model."""
    S, N = ctx.S, ctx.N
    mus, sigmas = [], []
    nu = None
    for t in fit.frame.response_terms:
        dp = dpar_values(ctx, t)
        mus.append(np.broadcast_to(dp["mu"], (S, N)))
        sigmas.append(np.broadcast_to(dp["sigma"], (S, N)))
        if "nu" in dp:
            nu = np.broadcast_to(dp["nu"], (S, 1))
    return {"mu": np.stack(mus, axis=-1), "sigma": np.stack(sigmas, axis=-1),
            "L": ctx.draws("Lrescor"), "nu": nu}


def _lower_solve(L: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Solve ``L z = u`` by forward substitution: L (S, R, R) lower triangular, u (S, N, R)."""
    z = np.zeros_like(u)
    for i in range(u.shape[-1]):
        acc = u[..., i].copy()
        for j in range(i):
            acc -= L[:, None, i, j] * z[..., j]
        z[..., i] = acc / L[:, None, i, i]
    return z


def rescor_log_density(y: np.ndarray, parts: dict[str, np.ndarray]) -> np.ndarray:
    """Multivariate normal (or t) log density per draw and row; ``y`` is (obs, resp)."""
    mu, sigma, L, nu = parts["mu"], parts["sigma"], parts["L"], parts["nu"]
    R = mu.shape[-1]
    z = _lower_solve(L, (y[None] - mu) / sigma)  # standardized residuals
    q = (z * z).sum(axis=-1)
    logdet = np.log(sigma).sum(axis=-1) + np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=-1)[:, None]
    if nu is None:
        return -0.5 * q - logdet - 0.5 * R * math.log(2 * math.pi)
    from scipy.special import gammaln

    return (gammaln((nu + R) / 2) - gammaln(nu / 2) - 0.5 * R * np.log(nu * math.pi) - logdet
            - (nu + R) / 2 * np.log1p(q / nu))


def mv_log_lik(ctx, fit: "BrmsFit", one: Callable) -> np.ndarray:
    """Pointwise log-likelihood of all responses of a row: the row's joint density with
    residual correlations, else the sum of the responses' densities (brms's ``combine``)."""
    terms = fit.frame.response_terms
    if is_rescor(fit.frame.terms):
        rds = [response_extras(ctx, t, need_response=True)[0] for t in terms]
        y = np.stack([rd.y for rd in rds], axis=-1).astype(float)
        ll = rescor_log_density(y, _rescor_parts(ctx, fit))
        if rds[0].weights is not None:
            ll = ll * rds[0].weights[None, :]
        if np.isnan(y).any():  # 'y | mi()': the rows' joint density needs the imputed values
            warn("NAs in the log-likelihood: rows with a missing response (imputed with mi()) have no joint density "
                 "of the observed values. Use newdata with complete rows.", DataWarning)
        return ll
    ll = sum(one(ctx, t) for t in terms)
    if np.isnan(ll).any():
        warn(
            "NAs in the log-likelihood: some responses are missing (imputed with mi()). "
            "Use resp= for responses without missing values, or newdata with complete rows.",
            DataWarning,
        )
    return ll


def mv_predict(ctx, fit: "BrmsFit", one: Callable) -> np.ndarray:
    """Posterior predictive draws (draws, obs, resp): joint multivariate normal (t) with
    residual correlations, else each response from its own family."""
    if not is_rescor(fit.frame.terms):
        return stack_responses(fit, lambda t: one(ctx, t))
    parts = _rescor_parts(ctx, fit)
    mu, sigma, L, nu = parts["mu"], parts["sigma"], parts["L"], parts["nu"]
    z = ctx.rng.standard_normal(mu.shape)
    e = np.einsum("sij,snj->sni", L, z)  # correlated standard residuals
    if nu is not None:  # multivariate t: a normal scaled by one chi-square per row
        w = ctx.rng.chisquare(np.broadcast_to(nu, mu.shape[:2])) / nu
        e = e / np.sqrt(w)[..., None]
    return mu + sigma * e


__all__ = [ "mv_log_lik", "mv_predict", "rescor_log_density",
           "stack_responses"]
