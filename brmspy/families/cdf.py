"""Cumulative distribution functions of the families, for censored and truncated responses.

Censoring (``y | cens(c)``) and truncation (``y | trunc(lb, ub)``) need each
family's log CDF and log complementary CDF: in Stan (``normal_lcdf``,
``normal_lccdf``, ...) and in numpy for ``log_lik``; truncated predictions
also use the inverse CDF.  One :class:`CdfMath` per family in :data:`CDFS`,
keyed by family name; a family without an entry cannot be censored or
truncated.

Stan has the ``_lcdf``/``_lccdf`` of its built-in distributions; the families
whose Stan density is user-defined here (``gen_extreme_value``,
``inv_gaussian``, ``asym_laplace``, ``discrete_weibull``, ``com_poisson``)
name their own definitions in ``stan_functions`` (``templates/functions/<name>_cdf.stan``).  The Stan call is the
family's likelihood with ``_lcdf`` in place of ``_lpdf``, so the arguments
(brms's parametrisation) come from the same place as the density's.

All numpy functions take ``(y, dpars, extras)`` (``(u, dpars, extras)`` for
``ppf``) with arrays broadcastable to (draws, observations), like
:class:`~brmspy.families.core.FamilyMath`.

Notes
-----
- Canonical forms (``poisson_log``, ``binomial_logit``, ...) have no CDFs in
  Stan: censored or truncated models use the family's plain likelihood with
  the inverse link applied to the predictor.
- The zero-inflated/hurdle families and ``von_mises`` are in
  :mod:`brmspy.families.cdf_inflated` (merged into :data:`CDFS` below);
  mixtures use their components' entries.  ``zero_one_inflated_beta`` has
  none: brms refuses cens() and trunc() for it, and so does brmspy.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

import numpy as np

from ..core.lazy import lazy_module
from ..core.templates import StanFunction
from .cdf_base import CdfMath, _log1m_exp, bisect_ppf, log_diff_exp
from .cdf_inflated import INFLATED_CDFS, zi_real
from .continuous import skew_normal_params
from .core import Dpars, Extras
from .cox import COX_CDF
from .discrete import com_poisson_series

special = lazy_module("scipy.special")  # imported at first use: brmspy.core.lazy
stats = lazy_module("scipy.stats")  # imported at first use: brmspy.core.lazy



def _frozen(make: Callable[[Dpars, Extras], "stats.rv_continuous | stats.rv_discrete"]) -> CdfMath:
    """A CdfMath from a scipy frozen distribution built from the dpars."""
    return CdfMath(
        lambda y, dp, ex: make(dp, ex).logcdf(y),
        lambda y, dp, ex: make(dp, ex).logsf(y),
        lambda u, dp, ex: make(dp, ex).ppf(u),
    )


def _weibull_scale(dp):
    return dp["mu"] / special.gamma(1 + 1 / dp["shape"])


def _nbinom(mu, shape):
    return stats.nbinom(shape, shape / (shape + mu))


def _shifted(dp, ex):
    return stats.lognorm(dp["sigma"], loc=dp["ndt"], scale=np.exp(dp["mu"]))


# -------------------------------------------------- hand-written numpy CDFs


def _bcast(*arrays) -> list[np.ndarray]:
    return np.broadcast_arrays(*[np.asarray(a, dtype=float) for a in arrays])


def _gev_lcdf(y, dp, ex):
    y, mu, sigma, xi = _bcast(y, dp["mu"], dp["sigma"], dp["xi"])
    x = (y - mu) / sigma
    zero = xi == 0
    xi_safe = np.where(zero, 1.0, xi)
    inside = (xi * x > -1) | zero
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        general = -np.exp(-np.log1p(np.where(inside, xi_safe * x, 0.0)) / xi_safe)
        gumbel = -np.exp(-x)
    outside = np.where(xi > 0, -np.inf, 0.0)
    return np.where(zero, gumbel, np.where(inside, general, outside))


def _gev_ppf(u, dp, ex):
    u, mu, sigma, xi = _bcast(u, dp["mu"], dp["sigma"], dp["xi"])
    log_e = np.log(-np.log(u))
    zero = xi == 0
    xi_safe = np.where(zero, 1.0, xi)
    return mu + sigma * np.where(zero, -log_e, np.expm1(-xi_safe * log_e) / xi_safe)


def _exgaussian(dp):
    return stats.exponnorm(dp["beta"] / dp["sigma"], loc=dp["mu"] - dp["beta"], scale=dp["sigma"])


def _exgaussian_log_terms(y, dp):
    """``log Phi(z)``, ``log Phi(-z)`` and the log of the exponential term of the exgaussian CDF.

    ``F(y) = Phi(z) - exp(-(y - m) / beta + sigma^2 / (2 beta^2)) Phi(z - sigma / beta)``,
    ``z = (y - m) / sigma``, ``m = mu - beta`` (Stan's ``exp_mod_normal_cdf``);
    scipy's exponnorm.logcdf integrates numerically (milliseconds per value).
    """
    y, mu, sigma, beta = _bcast(y, dp["mu"], dp["sigma"], dp["beta"])
    m = mu - beta
    z = (y - m) / sigma
    with np.errstate(over="ignore", invalid="ignore"):
        log_e = -(y - m) / beta + sigma**2 / (2 * beta**2) + special.log_ndtr(z - sigma / beta)
    return special.log_ndtr(z), special.log_ndtr(-z), np.where(np.isnan(log_e), -np.inf, log_e)


def _exgaussian_lcdf(y, dp, ex):
    log_phi, _, log_e = _exgaussian_log_terms(y, dp)
    return log_diff_exp(log_phi, np.minimum(log_e, log_phi))


def _exgaussian_lccdf(y, dp, ex):
    _, log_phi_minus, log_e = _exgaussian_log_terms(y, dp)
    return np.logaddexp(log_phi_minus, log_e)


def _exgaussian_ppf(u, dp, ex):
    """scipy's exponnorm.ppf takes milliseconds per value: invert its CDF by bisection and Newton."""
    dist = _exgaussian(dp)
    u, mu, sigma, beta = _bcast(u, dp["mu"], dp["sigma"], dp["beta"])
    # normal part below the mean by 40 sd, exponential part above it by 40 means: outside, F is 0 or 1
    return bisect_ppf(dist.cdf, u, mu - beta - 40 * sigma, mu + 40 * (sigma + beta), dist.pdf)


def _invgauss(dp, ex):
    return stats.invgauss(dp["mu"] / dp["shape"], scale=dp["shape"])


def _al_lcdf(y, dp, ex):
    y, mu, sigma, q = _bcast(y, dp["mu"], dp["sigma"], dp["quantile"])
    z = (y - mu) / sigma
    with np.errstate(over="ignore"):
        below = np.log(q) + (1 - q) * np.minimum(z, 0)
        above = np.log1p(-(1 - q) * np.exp(-q * np.maximum(z, 0)))
    return np.where(y < mu, below, above)


def _al_lccdf(y, dp, ex):
    y, mu, sigma, q = _bcast(y, dp["mu"], dp["sigma"], dp["quantile"])
    z = (y - mu) / sigma
    with np.errstate(over="ignore"):
        below = np.log1p(-q * np.exp((1 - q) * np.minimum(z, 0)))
        above = np.log1p(-q) - q * np.maximum(z, 0)
    return np.where(y < mu, below, above)


def _al_ppf(u, dp, ex):
    u, mu, sigma, q = _bcast(u, dp["mu"], dp["sigma"], dp["quantile"])
    with np.errstate(divide="ignore"):
        below = np.log(u / q) / (1 - q)
        above = -np.log((1 - u) / (1 - q)) / q
    return mu + sigma * np.where(u <= q, below, above)


def _dw_lccdf(y, dp, ex):
    y, mu, shape = _bcast(y, dp["mu"], dp["shape"])
    with np.errstate(invalid="ignore"):
        out = np.power(np.maximum(y + 1, 0.0), shape) * np.log(mu)
    return np.where(y < 0, 0.0, out)


def _dw_lcdf(y, dp, ex):
    y = np.asarray(y, dtype=float)
    return np.where(y < 0, -np.inf, _log1m_exp(_dw_lccdf(y, dp, ex)))


def _dw_ppf(u, dp, ex):
    u, mu, shape = _bcast(u, dp["mu"], dp["shape"])
    return np.maximum(np.ceil((np.log1p(-u) / np.log(mu)) ** (1 / shape) - 1), 0)


def _com_poisson_lcdf(y, dp, ex):
    y, mu, shape = _bcast(y, dp["mu"], dp["shape"])
    log_z = com_poisson_series(mu, shape)
    top = int(max(np.max(y), 0)) if y.size else 0
    log_mu = np.log(mu)
    acc = np.full(y.shape, -np.inf)
    lfac = 0.0
    for k in range(top + 1):  # the PMF summed up to each row's y
        if k:
            lfac += np.log(k)
        term = shape * (k * log_mu - lfac)
        acc = np.where(k <= y, np.logaddexp(acc, term), acc)
    return np.where(y < 0, -np.inf, acc - log_z)


def _com_poisson_lccdf(y, dp, ex):
    return _log1m_exp(_com_poisson_lcdf(y, dp, ex))


# ------------------------------------------------------------------ table

CDFS: dict[str, CdfMath] = {
    "gaussian": _frozen(lambda dp, ex: stats.norm(dp["mu"], dp["sigma"])),
    "student": _frozen(lambda dp, ex: stats.t(dp["nu"], dp["mu"], dp["sigma"])),
    "skew_normal": _frozen(lambda dp, ex: stats.skewnorm(
        dp["alpha"], *skew_normal_params(dp["mu"], dp["sigma"], dp["alpha"]))),
    "lognormal": _frozen(lambda dp, ex: stats.lognorm(dp["sigma"], scale=np.exp(dp["mu"]))),
    "shifted_lognormal": _frozen(_shifted),
    "gamma": _frozen(lambda dp, ex: stats.gamma(dp["shape"], scale=dp["mu"] / dp["shape"])),
    "weibull": _frozen(lambda dp, ex: stats.weibull_min(dp["shape"], scale=_weibull_scale(dp))),
    "exponential": _frozen(lambda dp, ex: stats.expon(scale=dp["mu"])),
    "frechet": _frozen(lambda dp, ex: stats.invweibull(dp["nu"], scale=dp["mu"] / special.gamma(1 - 1 / dp["nu"]))),
    "exgaussian": CdfMath(_exgaussian_lcdf, _exgaussian_lccdf, _exgaussian_ppf),
    "beta": _frozen(lambda dp, ex: stats.beta(dp["mu"] * dp["phi"], (1 - dp["mu"]) * dp["phi"])),
    "inverse_gaussian": CdfMath(
        lambda y, dp, ex: _invgauss(dp, ex).logcdf(y),
        lambda y, dp, ex: _invgauss(dp, ex).logsf(y),
        lambda u, dp, ex: _invgauss(dp, ex).ppf(u),
        (StanFunction("inv_gaussian_cdf"),),
    ),
    "gen_extreme_value": CdfMath(_gev_lcdf, lambda y, dp, ex: _log1m_exp(_gev_lcdf(y, dp, ex)), _gev_ppf,
                                 (StanFunction("gen_extreme_value_cdf"),)),
    "asym_laplace": CdfMath(_al_lcdf, _al_lccdf, _al_ppf, (StanFunction("asym_laplace_cdf"),)),
    "poisson": _frozen(lambda dp, ex: stats.poisson(dp["mu"])),
    "negbinomial": _frozen(lambda dp, ex: _nbinom(dp["mu"], dp["shape"])),
    "negbinomial2": _frozen(lambda dp, ex: _nbinom(dp["mu"], 1 / dp["sigma"])),
    "geometric": _frozen(lambda dp, ex: _nbinom(dp["mu"], 1.0)),
    "binomial": _frozen(lambda dp, ex: stats.binom(ex.trials, dp["mu"])),
    # Stan's beta_binomial_lcdf/_lccdf cost ~10 ms per gradient in stanli: sums of the masses instead (same values)
    "beta_binomial": replace(_frozen(lambda dp, ex: stats.betabinom(ex.trials, dp["mu"] * dp["phi"],
                                                                    (1 - dp["mu"]) * dp["phi"])),
                             stan_functions=(StanFunction("beta_binomial_sum_cdf"),), stan_dist="beta_binomial_sum"),
    "discrete_weibull": CdfMath(_dw_lcdf, _dw_lccdf, _dw_ppf, (StanFunction("discrete_weibull_cdf"),)),
    "com_poisson": CdfMath(_com_poisson_lcdf, _com_poisson_lccdf, None, (StanFunction("com_poisson_cdf"),)),
}



CDFS.update(INFLATED_CDFS)
_zial = zi_real(CDFS["asym_laplace"])
CDFS["zero_inflated_asym_laplace"] = CdfMath(_zial.lcdf, _zial.lccdf, _zial.ppf, (
    StanFunction("asym_laplace_cdf"), StanFunction("zero_inflated_asym_laplace_cdf")))

CDFS["cox"] = COX_CDF  # right/left censoring of survival times (brms's pcox)

__all__ = ["CDFS",]
