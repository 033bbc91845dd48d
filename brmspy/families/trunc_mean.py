"""Means of truncated continuous distributions, for ``posterior_epred`` of ``y | trunc(lb, ub)`` models.

``E[Y | lb <= Y <= ub] = M(lb, ub) / P(lb <= Y <= ub)`` with the partial first
moment ``M(a, b) = integral_a^b y f(y) dy``.  brms has closed forms for
gaussian, student, lognormal, gamma, exponential and weibull (Jawitz 2004;
Kim 2008) and refuses the other families; here the partial moment is also
closed form for skew_normal, shifted_lognormal, frechet, beta,
inverse_gaussian and asym_laplace, and for the hurdle/zero-inflated families (zero_inflated_asym_laplace too)
with a continuous part (the point mass at zero adds nothing to ``M``).
exgaussian, gen_extreme_value and von_mises (the arithmetic mean of the
angle on [-pi, pi]) use Gauss-Legendre quadrature after the substitution
``y = c + s tan(t)`` around the family's location ``c`` and scale ``s``,
which maps infinite bounds to finite ones; every array operation is
vectorised over draws x rows.

Discrete families are summed over their support in :mod:`brmspy.frame.additions`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..core.lazy import lazy_module
from .cdf import CDFS
from .cdf_base import log_diff_exp
from .continuous import skew_normal_params
from .core import FAMILIES, Dpars, Extras

special = lazy_module("scipy.special")  # imported at first use: brmspy.core.lazy

Moment = Callable[[np.ndarray, np.ndarray, Dpars, Extras], np.ndarray]

_SQRT2PI = np.sqrt(2 * np.pi)


def _f(x) -> np.ndarray:
    return np.asarray(x, dtype=float)


def _ndtr_diff(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """``Phi(hi) - Phi(lo)`` without cancellation in the upper tail."""
    lo, hi = np.broadcast_arrays(_f(lo), _f(hi))
    return np.where(lo > 0, special.ndtr(-lo) - special.ndtr(-hi), special.ndtr(hi) - special.ndtr(lo))


def _gammainc_diff(s: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """``P(s, hi) - P(s, lo)`` of the regularised incomplete gamma, via ``Q`` where ``P`` is near 1."""
    s, lo, hi = np.broadcast_arrays(_f(s), _f(lo), _f(hi))
    return np.where(lo > s, special.gammaincc(s, lo) - special.gammaincc(s, hi),
                    special.gammainc(s, hi) - special.gammainc(s, lo))


def _pos(x: np.ndarray) -> np.ndarray:
    return np.maximum(_f(x), 0.0)


# ------------------------------------------------ closed-form partial moments


def _gaussian(a, b, dp, ex):
    mu, sigma = _f(dp["mu"]), _f(dp["sigma"])
    za, zb = (a - mu) / sigma, (b - mu) / sigma
    phi = lambda z: np.exp(-0.5 * z**2) / _SQRT2PI  # noqa: E731
    return mu * _ndtr_diff(za, zb) + sigma * (phi(za) - phi(zb))


def _student(a, b, dp, ex):
    from scipy import stats

    mu, sigma, nu = _f(dp["mu"]), _f(dp["sigma"]), _f(dp["nu"])
    za, zb = (a - mu) / sigma, (b - mu) / sigma
    c = np.exp(special.gammaln((nu + 1) / 2) - special.gammaln(nu / 2)) / np.sqrt(nu * np.pi)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        tail = (1 + za**2 / nu) ** (-(nu - 1) / 2) - (1 + zb**2 / nu) ** (-(nu - 1) / 2)
        mass = stats.t.cdf(zb, nu) - stats.t.cdf(za, nu)
    return mu * mass + sigma * c * nu / (nu - 1) * tail


def _skew_normal(a, b, dp, ex):
    alpha = _f(dp["alpha"])
    xi, omega = skew_normal_params(_f(dp["mu"]), _f(dp["sigma"]), alpha)
    za, zb = (a - xi) / omega, (b - xi) / omega
    root = np.sqrt(1 + alpha**2)
    delta = alpha / root
    phi = lambda z: np.exp(-0.5 * z**2) / _SQRT2PI  # noqa: E731
    # integral of z * 2 phi(z) Phi(alpha z): by parts, phi(z) phi(alpha z) = phi(root z) / sqrt(2 pi)
    zpart = 2 * (phi(za) * special.ndtr(alpha * za) - phi(zb) * special.ndtr(alpha * zb)
                 + delta / _SQRT2PI * _ndtr_diff(root * za, root * zb))
    mass = np.exp(log_diff_exp(CDFS["skew_normal"].lcdf(b, dp, ex), CDFS["skew_normal"].lcdf(a, dp, ex)))
    return xi * mass + omega * zpart


def _lognormal_moment(a, b, mu, sigma):
    with np.errstate(divide="ignore"):
        la, lb = np.log(_pos(a)), np.log(_pos(b))
    return np.exp(mu + sigma**2 / 2) * _ndtr_diff((la - mu) / sigma - sigma, (lb - mu) / sigma - sigma)


def _lognormal(a, b, dp, ex):
    return _lognormal_moment(a, b, _f(dp["mu"]), _f(dp["sigma"]))


def _shifted_lognormal(a, b, dp, ex):
    ndt = _f(dp["ndt"])
    mass = np.exp(log_diff_exp(CDFS["shifted_lognormal"].lcdf(b, dp, ex), CDFS["shifted_lognormal"].lcdf(a, dp, ex)))
    return ndt * mass + _lognormal_moment(a - ndt, b - ndt, _f(dp["mu"]), _f(dp["sigma"]))


def _gamma_moment(a, b, mu, shape):
    scale = mu / shape
    return mu * _gammainc_diff(shape + 1, _pos(a) / scale, _pos(b) / scale)


def _gamma(a, b, dp, ex):
    return _gamma_moment(a, b, _f(dp["mu"]), _f(dp["shape"]))


def _exponential(a, b, dp, ex):
    mu = _f(dp["mu"])
    return mu * _gammainc_diff(2.0, _pos(a) / mu, _pos(b) / mu)


def _weibull(a, b, dp, ex):
    mu, k = _f(dp["mu"]), _f(dp["shape"])
    s = 1 + 1 / k
    lam = mu / special.gamma(s)
    return mu * _gammainc_diff(s, (_pos(a) / lam) ** k, (_pos(b) / lam) ** k)


def _frechet(a, b, dp, ex):
    mu, nu = _f(dp["mu"]), _f(dp["nu"])
    s = 1 - 1 / nu
    scale = mu / special.gamma(s)
    with np.errstate(divide="ignore"):
        ta, tb = (_pos(a) / scale) ** -nu, (_pos(b) / scale) ** -nu  # t = (y / scale)^-nu falls as y grows
    return mu * _gammainc_diff(s, tb, ta)


def _beta_moment(a, b, mu, phi):
    p, q = mu * phi, (1 - mu) * phi
    lo, hi = np.clip(a, 0, 1), np.clip(b, 0, 1)
    return mu * (special.betainc(p + 1, q, hi) - special.betainc(p + 1, q, lo))


def _beta(a, b, dp, ex):
    return _beta_moment(a, b, _f(dp["mu"]), _f(dp["phi"]))


def _inverse_gaussian(a, b, dp, ex):
    """``integral_0^y x f(x) dx = mu [Phi(r (y/mu - 1)) - exp(2 shape/mu) Phi(-r (y/mu + 1))]``, ``r = sqrt(shape/y)``."""
    mu, lam = _f(dp["mu"]), _f(dp["shape"])

    def upto(y):
        y = _pos(y)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            r = np.sqrt(lam / y)
            first = special.ndtr(r * (y / mu - 1))
            second = np.exp(2 * lam / mu + special.log_ndtr(-r * (y / mu + 1)))
            out = mu * (first - second)
        return np.where(y <= 0, 0.0, np.where(np.isinf(y), mu, out))

    return upto(b) - upto(a)


def _asym_laplace(a, b, dp, ex):
    mu, sigma, q = _f(dp["mu"]), _f(dp["sigma"]), _f(dp["quantile"])
    za, zb = (a - mu) / sigma, (b - mu) / sigma

    def antideriv(z, c):
        # integral of z q (1 - q) exp(c z): q (1 - q) exp(c z) (z / c - 1 / c^2), 0 where exp(c z) vanishes
        with np.errstate(over="ignore", invalid="ignore"):
            out = q * (1 - q) * np.exp(c * z) * (z / c - 1 / c**2)
        return np.where(np.isinf(z), 0.0, out)

    lo_hi = np.minimum(zb, 0.0)  # part below the location: density q (1 - q) exp((1 - q) z)
    below = np.where(za < 0, antideriv(lo_hi, 1 - q) - antideriv(np.minimum(za, 0.0), 1 - q), 0.0)
    up_lo = np.maximum(za, 0.0)  # part above: q (1 - q) exp(-q z)
    above = np.where(zb > 0, antideriv(np.maximum(zb, 0.0), -q) - antideriv(up_lo, -q), 0.0)
    mass = np.exp(log_diff_exp(CDFS["asym_laplace"].lcdf(b, dp, ex), CDFS["asym_laplace"].lcdf(a, dp, ex)))
    return mu * mass + sigma * (below + above)


def _with_atom(moment: Callable, p: str, *names: str) -> Moment:
    """A family with a point mass at zero: the continuous part's moment times ``1 - p``."""
    return lambda a, b, dp, ex: (1 - _f(dp[p])) * moment(a, b, *(_f(dp[n]) for n in names))


MOMENTS: dict[str, Moment] = {
    "gaussian": _gaussian, "student": _student, "skew_normal": _skew_normal, "lognormal": _lognormal,
    "shifted_lognormal": _shifted_lognormal, "gamma": _gamma, "exponential": _exponential, "weibull": _weibull,
    "frechet": _frechet, "beta": _beta, "inverse_gaussian": _inverse_gaussian, "asym_laplace": _asym_laplace,
    "hurdle_gamma": _with_atom(_gamma_moment, "hu", "mu", "shape"),
    "hurdle_lognormal": _with_atom(_lognormal_moment, "hu", "mu", "sigma"),
    "zero_inflated_beta": _with_atom(_beta_moment, "zi", "mu", "phi"),
    "zero_inflated_asym_laplace": lambda a, b, dp, ex: (1 - _f(dp["zi"])) * _asym_laplace(a, b, dp, ex),
}

# ------------------------------------------------------------- quadrature

#: family -> (location c, scale s) of the substitution y = c + s tan(t)
_CENTRE: dict[str, Callable[[Dpars], tuple[np.ndarray, np.ndarray]]] = {
    "exgaussian": lambda dp: (_f(dp["mu"]), np.sqrt(_f(dp["sigma"]) ** 2 + _f(dp["beta"]) ** 2)),
    "gen_extreme_value": lambda dp: (_f(dp["mu"]), _f(dp["sigma"])),
    "von_mises": lambda dp: (np.mod(_f(dp["mu"]) + np.pi, 2 * np.pi) - np.pi,
                             np.minimum(1 / np.sqrt(_f(dp["kappa"])), 1.0)),
}
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(64)


def _quadrature(logpdf, dp: Dpars, ex: Extras, lo, hi, c, s) -> tuple[np.ndarray, np.ndarray]:
    """``(integral y f, integral f)`` over ``[lo, hi]`` by Gauss-Legendre in ``t``, ``y = c + s tan(t)``."""
    ta, tb = np.arctan((lo - c) / s), np.arctan((hi - c) / s)
    mid, half = (tb + ta) / 2, (tb - ta) / 2
    num = np.zeros(np.shape(mid))
    den = np.zeros(np.shape(mid))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for x, w in zip(_NODES, _WEIGHTS):
            t = mid + half * x
            y = c + s * np.tan(t)
            f = np.exp(logpdf(y, dp, ex)) * s / np.cos(t) ** 2 * (w * half)
            f = np.where(np.isfinite(f), f, 0.0)
            num += y * f
            den += f
    return num, den


def _numeric_mean(name: str, a, b, dp: Dpars, ex: Extras) -> np.ndarray:
    logpdf = FAMILIES[name].math.loglik
    c, s = _CENTRE[name](dp)
    shape = np.broadcast_shapes(np.shape(a), np.shape(b), np.shape(c), np.shape(s))
    a, b, c, s = (np.broadcast_to(_f(x), shape) for x in (a, b, c, s))
    if name == "gen_extreme_value":  # integrate over the support only: its end is a kink of the density
        mu, sigma, xi = (np.broadcast_to(_f(dp[k]), shape) for k in ("mu", "sigma", "xi"))
        with np.errstate(divide="ignore", invalid="ignore"):
            end = np.where(xi == 0, np.nan, mu - sigma / xi)
        a = np.where(xi > 0, np.fmax(a, end), a)
        b = np.where(xi < 0, np.fmin(b, end), b)
    if name != "von_mises":
        num, den = _quadrature(logpdf, dp, ex, a, b, c, s)
        return num / den
    # angles: the density on [-pi, pi] peaks at the wrapped mean c and again at the end of the interval it
    # wraps over; split at the antipode and centre each piece on its peak (c, or its image c -+ 2 pi)
    lo, hi = np.maximum(a, -np.pi), np.minimum(b, np.pi)
    anti = np.where(c > 0, c - np.pi, c + np.pi)
    image = np.where(c > 0, c - 2 * np.pi, c + 2 * np.pi)
    left_c, right_c = np.where(c > 0, image, c), np.where(c > 0, c, image)
    n1, d1 = _quadrature(logpdf, dp, ex, lo, np.clip(anti, lo, hi), left_c, s)
    n2, d2 = _quadrature(logpdf, dp, ex, np.clip(anti, lo, hi), hi, right_c, s)
    return (n1 + n2) / (d1 + d2)


# ------------------------------------------------------------------- entry


def has_truncated_mean(name: str) -> bool:
    """Whether :func:`truncated_mean` covers the continuous family ``name``."""
    return name in MOMENTS or name in _CENTRE


def truncated_mean(name: str, dp: Dpars, ex: Extras, lb: np.ndarray | None, ub: np.ndarray | None) -> np.ndarray:
    """``E[Y | lb <= Y <= ub]`` of a continuous family, draws x rows.

    Parameters
    ----------
    name : family name (see :func:`has_truncated_mean`).
    dp : dpars on the response scale, broadcastable to (draws, rows).
    ex : observation extras.
    lb, ub : per-row bounds, or None where that side is not truncated.

    Returns
    -------
    The truncated means, clipped into the bounds (quadrature and tail
    cancellation can leave them a rounding error outside).
    """
    a = np.full(1, -np.inf)[None, :] if lb is None else _f(lb)[None, :]
    b = np.full(1, np.inf)[None, :] if ub is None else _f(ub)[None, :]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if name in MOMENTS:
            cdf = CDFS[name]
            if ub is None:
                log_mass = cdf.lccdf(a, dp, ex)
            elif lb is None:
                log_mass = cdf.lcdf(b, dp, ex)
            else:
                log_mass = log_diff_exp(cdf.lcdf(b, dp, ex), cdf.lcdf(a, dp, ex))
            out = MOMENTS[name](a, b, dp, ex) / np.exp(log_mass)
        else:
            out = _numeric_mean(name, a, b, dp, ex)
    lo = -np.inf if lb is None else a
    hi = np.inf if ub is None else b
    return np.where(np.isnan(out), np.nan, np.clip(out, lo, hi))


__all__ = ["MOMENTS", "has_truncated_mean", "truncated_mean"]
