"""CDFs of the zero-inflated and hurdle families and of ``von_mises``, for ``cens()`` and ``trunc()``.

brms allows censoring and truncation of these families (``ad`` includes
``cens`` and ``trunc`` in its family lists; ``zero_one_inflated_beta`` is the
exception).  Their Stan log-CDFs are user-defined (``templates/functions/<name>_cdf.stan``), with
the point mass mixed in, and have the same arguments as the family's density:

- zero-inflated, base CDF ``F``: ``P(Y <= y) = zi + (1 - zi) F(y)`` and
  ``P(Y > y) = (1 - zi) (1 - F(y))`` for ``y >= 0``;
- hurdle with a discrete base (``p0 = F(0)``):
  ``P(Y <= y) = hu + (1 - hu) (F(y) - p0) / (1 - p0)`` and
  ``P(Y > y) = (1 - hu) (1 - F(y)) / (1 - p0)`` for ``y >= 0``;
- hurdle with a continuous base (and ``zero_inflated_beta``, whose zeros come
  only from the inflation): ``P(Y <= y) = hu + (1 - hu) F(y)`` for ``y >= 0``.

Below the support (``y < 0``) the log-CDF is ``-inf`` and the log-CCDF 0, so
``trunc(lb = 0)`` of a discrete family (``P(Y > -1)``) is exactly 1.  brms's
own hurdle CCDFs omit that case; the values agree for ``y >= 0``.

``von_mises`` uses Stan's built-in ``von_mises_lcdf``/``_lccdf``: the CDF on
[-pi, pi] (``P(-pi <= Y <= y)``), in numpy from scipy's periodic cumulative
distribution function, which follows the same algorithm.

All numpy functions take ``(y, dpars, extras)`` like :mod:`brmspy.families.cdf`;
the ``ppf`` functions invert the mixed CDF for truncated predictive draws.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..core.lazy import lazy_module
from ..core.templates import StanFunction
from .cdf_base import CdfMath, _log1m_exp, bisect_ppf, log_diff_exp

stats = lazy_module("scipy.stats")  # imported at first use: brmspy.core.lazy

# -------------------------------------------------------------- numpy side

Base = Callable[[dict, object], "stats.rv_discrete | stats.rv_continuous"]


def _f(x) -> np.ndarray:
    return np.asarray(x, dtype=float)


def _zi_discrete(base: Base) -> CdfMath:
    def lcdf(y, dp, ex):
        y, zi = _f(y), _f(dp["zi"])
        with np.errstate(divide="ignore"):
            out = np.logaddexp(np.log(zi), np.log1p(-zi) + base(dp, ex).logcdf(np.maximum(y, 0)))
        return np.where(y < 0, -np.inf, out)

    def lccdf(y, dp, ex):
        y, zi = _f(y), _f(dp["zi"])
        return np.where(y < 0, 0.0, np.log1p(-zi) + base(dp, ex).logsf(np.maximum(y, 0)))

    def ppf(u, dp, ex):
        u, zi = _f(u), _f(dp["zi"])
        v = np.clip((u - zi) / (1 - zi), 0.0, 1.0)
        return np.where(u <= zi, 0.0, base(dp, ex).ppf(v))

    return CdfMath(lcdf, lccdf, ppf)


def _hu_discrete(base: Base) -> CdfMath:
    def parts(dp, ex):
        dist = base(dp, ex)
        lp0 = dist.logpmf(0)
        return dist, lp0, _log1m_exp(lp0)

    def lcdf(y, dp, ex):
        y, hu = _f(y), _f(dp["hu"])
        dist, lp0, lnorm = parts(dp, ex)
        with np.errstate(divide="ignore", invalid="ignore"):
            pos = np.log1p(-hu) + log_diff_exp(dist.logcdf(np.maximum(y, 1)), lp0) - lnorm
            out = np.where(y == 0, np.log(hu), np.logaddexp(np.log(hu), pos))
        return np.where(y < 0, -np.inf, out)

    def lccdf(y, dp, ex):
        y, hu = _f(y), _f(dp["hu"])
        dist, _, lnorm = parts(dp, ex)
        return np.where(y < 0, 0.0, np.log1p(-hu) + dist.logsf(np.maximum(y, 0)) - lnorm)

    def ppf(u, dp, ex):
        u, hu = _f(u), _f(dp["hu"])
        dist, lp0, _ = parts(dp, ex)
        p0 = np.exp(lp0)
        v = np.clip(p0 + (u - hu) / (1 - hu) * (1 - p0), 0.0, 1.0)
        return np.where(u <= hu, 0.0, np.maximum(dist.ppf(v), 1.0))

    return CdfMath(lcdf, lccdf, ppf)


def _atom_continuous(base: Base, p: str) -> CdfMath:
    """A continuous distribution with a point mass ``dp[p]`` at zero (hurdle_gamma, zero_inflated_beta, ...)."""

    def lcdf(y, dp, ex):
        y, q = _f(y), _f(dp[p])
        with np.errstate(divide="ignore", invalid="ignore"):
            pos = np.logaddexp(np.log(q), np.log1p(-q) + base(dp, ex).logcdf(np.where(y > 0, y, 1.0)))
            out = np.where(y == 0, np.log(q), pos)
        return np.where(y < 0, -np.inf, out)

    def lccdf(y, dp, ex):
        y, q = _f(y), _f(dp[p])
        with np.errstate(divide="ignore", invalid="ignore"):
            pos = np.log1p(-q) + base(dp, ex).logsf(np.where(y > 0, y, 1.0))
        return np.where(y < 0, 0.0, np.where(y == 0, np.log1p(-q), pos))

    def ppf(u, dp, ex):
        u, q = _f(u), _f(dp[p])
        v = np.clip((u - q) / (1 - q), 0.0, 1.0)
        return np.where(u <= q, 0.0, base(dp, ex).ppf(v))

    return CdfMath(lcdf, lccdf, ppf)


def _nbinom(mu, shape):
    return stats.nbinom(shape, shape / (shape + mu))


def _beta(dp):
    return stats.beta(dp["mu"] * dp["phi"], (1 - dp["mu"]) * dp["phi"])


# von_mises: scipy's cdf G is cumulative over the real line (G(z + 2 pi) = G(z) + 1), so
# P(-pi <= Y <= y) = G(y - mu) - G(-pi - mu), as Stan's von_mises_cdf


def _vm_parts(y, dp):
    y, mu, kappa = np.broadcast_arrays(_f(y), _f(dp["mu"]), _f(dp["kappa"]))
    G = stats.vonmises.cdf
    return G(y - mu, kappa), G(-np.pi - mu, kappa), G(np.pi - mu, kappa), y


def _vm_lcdf(y, dp, ex):
    g, g_lo, _, raw = _vm_parts(y, dp)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(np.maximum(g - g_lo, 0.0))
    return np.where(raw < -np.pi, -np.inf, np.where(raw >= np.pi, 0.0, out))


def _vm_lccdf(y, dp, ex):
    g, _, g_hi, raw = _vm_parts(y, dp)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(np.maximum(g_hi - g, 0.0))
    return np.where(raw < -np.pi, 0.0, np.where(raw >= np.pi, -np.inf, out))


def _vm_ppf(u, dp, ex):
    # solve G(z) = G(-pi - mu) + u for z = y - mu in [-pi - mu, pi - mu]
    u, mu, kappa = np.broadcast_arrays(_f(u), _f(dp["mu"]), _f(dp["kappa"]))
    G = stats.vonmises
    target = G.cdf(-np.pi - mu, kappa) + u
    z = bisect_ppf(lambda z: G.cdf(z, kappa), target, -np.pi - mu, np.pi - mu, lambda z: G.pdf(z, kappa))
    return np.clip(z + mu, -np.pi, np.pi)


def zi_real(base: CdfMath) -> CdfMath:
    """A real-valued base with a point mass ``zi`` at zero (zero_inflated_asym_laplace), as brms's
    Stan functions: ``P(Y <= y)`` adds the mass for ``y >= 0``, ``P(Y > y)`` for ``y <= 0``."""

    def lcdf(y, dp, ex):
        y, zi = _f(y), _f(dp["zi"])
        cont = np.log1p(-zi) + base.lcdf(y, dp, ex)
        return np.where(y < 0, cont, np.logaddexp(np.log(zi), cont))

    def lccdf(y, dp, ex):
        y, zi = _f(y), _f(dp["zi"])
        cont = np.log1p(-zi) + base.lccdf(y, dp, ex)
        return np.where(y > 0, cont, np.logaddexp(np.log(zi), cont))

    def ppf(u, dp, ex):
        # the mixed CDF jumps by zi at 0: F0 = (1 - zi) F(0-) below, F0 + zi above
        u, zi = _f(u), _f(dp["zi"])
        below = (1 - zi) * np.exp(base.lcdf(np.zeros_like(u), dp, ex))
        inner = np.clip(np.where(u < below, u, u - zi) / (1 - zi), 1e-300, 1.0)
        x = base.ppf(inner, dp, ex)
        return np.where((u >= below) & (u <= below + zi), 0.0, x)

    return CdfMath(lcdf, lccdf, ppf)


INFLATED_CDFS: dict[str, CdfMath] = {
    "zero_inflated_poisson": _zi_discrete(lambda dp, ex: stats.poisson(dp["mu"])),
    "zero_inflated_negbinomial": _zi_discrete(lambda dp, ex: _nbinom(dp["mu"], dp["shape"])),
    "zero_inflated_binomial": _zi_discrete(lambda dp, ex: stats.binom(ex.trials, dp["mu"])),
    "zero_inflated_beta_binomial": _zi_discrete(lambda dp, ex: stats.betabinom(
        ex.trials, dp["mu"] * dp["phi"], (1 - dp["mu"]) * dp["phi"])),
    "hurdle_poisson": _hu_discrete(lambda dp, ex: stats.poisson(dp["mu"])),
    "hurdle_negbinomial": _hu_discrete(lambda dp, ex: _nbinom(dp["mu"], dp["shape"])),
    "hurdle_gamma": _atom_continuous(lambda dp, ex: stats.gamma(dp["shape"], scale=dp["mu"] / dp["shape"]), "hu"),
    "hurdle_lognormal": _atom_continuous(lambda dp, ex: stats.lognorm(dp["sigma"], scale=np.exp(dp["mu"])), "hu"),
    "zero_inflated_beta": _atom_continuous(lambda dp, ex: _beta(dp), "zi"),
    "von_mises": CdfMath(_vm_lcdf, _vm_lccdf, _vm_ppf),
}
# the Stan lcdf/lccdf of each family: templates/functions/<its Stan name>_cdf.stan
_STAN = {
    "zero_inflated_poisson": "zero_inflated_poisson", "zero_inflated_negbinomial": "zero_inflated_neg_binomial",
    "zero_inflated_binomial": "zero_inflated_binomial", "zero_inflated_beta_binomial": "zero_inflated_beta_binomial",
    "hurdle_poisson": "hurdle_poisson", "hurdle_negbinomial": "hurdle_neg_binomial", "hurdle_gamma": "hurdle_gamma",
    "hurdle_lognormal": "hurdle_lognormal", "zero_inflated_beta": "zero_inflated_beta",
}
for _name, _stan in _STAN.items():
    _m = INFLATED_CDFS[_name]
    INFLATED_CDFS[_name] = CdfMath(_m.lcdf, _m.lccdf, _m.ppf, (StanFunction(f"{_stan}_cdf"),))

__all__ = ["INFLATED_CDFS", "zi_real"]
