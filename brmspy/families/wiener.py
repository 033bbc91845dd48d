"""The wiener family: brms's drift diffusion model of reaction times and decisions.

brms syntax: ``bf("rt | dec(choice) ~ x", bs ~ 1, ndt ~ 1, bias ~ 1)`` with ``family=wiener()``;
``mu`` is the drift rate (identity link), ``bs`` the boundary separation (log link), ``ndt`` the
non-decision time (log link, bounded by the smallest reaction time) and ``bias`` the relative
starting point (logit link).  ``dec`` is 1 for the upper and 0 for the lower boundary.  The Stan
likelihood is brms's ``wiener_diffusion_lpdf`` (``templates/functions/wiener_diffusion.stan``):
Stan's ``wiener_lpdf`` of the upper boundary, mirrored (``1 - bias``, ``-mu``) for the lower one.

The numpy density is written here by hand because neither scipy nor another well-kept Python
library has the Wiener first-passage time density.  It is the series of Navarro & Fuss (2009,
J. Math. Psych. 53, 222-230) for the lower boundary with unit separation,
``f(t | v, a, w) = a^-2 exp(-v a w - v^2 t / 2) g(t / a^2 | w)``, summed with enough terms for
double precision: the small-time form ``g(u) = (2 pi u^3)^-1/2 sum_k (w + 2k) exp(-(w + 2k)^2 / (2u))``
for ``u < 1`` and the large-time form ``g(u) = pi sum_k k exp(-k^2 pi^2 u / 2) sin(k pi w)``
otherwise.  The upper boundary is the lower one with ``v -> -v`` and ``w -> 1 - w``.

Random draws simulate the diffusion exactly as in brms's ``rwiener`` (RWiener): the boundary is
drawn with its probability and the decision time by inverting the first-passage distribution of
that boundary, tabulated from the density on a fine grid (:func:`wiener_rng`).  As brms,
``posterior_predict`` returns the reaction times (without the decisions).
"""

from __future__ import annotations

import numpy as np

from ..core.errors import DataError
from ..core.lazy import lazy_module
from ..core.templates import StanFunction
from .core import FamilyMath, FamilySpec, Likelihood, family_function, register

special = lazy_module("scipy.special")  # imported at first use: brmspy.core.lazy

# terms of the two series: beyond them every term is below 1e-17 of the sum (u < 1 for the small-time
# series, whose terms fall as exp(-(2|k| - 1)^2 / 2); u >= 1 for the large-time one, exp(-k^2 pi^2 / 2))
_K_SMALL = np.arange(-6, 7)[:, None]
_K_LARGE = np.arange(1, 9)[:, None]


def _log_g(u: np.ndarray, w: np.ndarray) -> np.ndarray:
    """log of the lower-boundary first-passage density of a driftless unit-separation diffusion."""
    u = np.asarray(u, dtype=float).ravel()
    w = np.asarray(w, dtype=float).ravel()
    out = np.full(u.shape, -np.inf)
    small = (u > 0) & (u < 1)
    if small.any():
        us, ws = u[small], w[small]
        x = ws + 2 * _K_SMALL
        s = (x * np.exp(-(x**2 - ws**2) / (2 * us))).sum(axis=0)  # scaled by the k = 0 term's exponent
        with np.errstate(divide="ignore", invalid="ignore"):
            out[small] = -ws**2 / (2 * us) + np.log(s) - 0.5 * np.log(2 * np.pi * us**3)
    large = u >= 1
    if large.any():
        ul, wl = u[large], w[large]
        k = _K_LARGE
        s = (k * np.exp(-(k**2) * np.pi**2 * (ul - 1) / 2 - k**2 * np.pi**2 / 2) * np.sin(k * np.pi * wl)).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[large] = np.log(np.pi) + np.log(s)
    return out


def wiener_lpdf(y, dec, alpha, tau, beta, delta) -> np.ndarray:
    """Log density of reaction time ``y`` with decision ``dec`` (1 upper, 0 lower boundary), as brms's
    ``wiener_diffusion_lpdf``: boundary separation ``alpha``, non-decision time ``tau``, bias ``beta``,
    drift ``delta``.  ``-inf`` where ``y <= tau``.

    Examples
    --------
    >>> round(float(wiener_lpdf(0.8, 1, 1.5, 0.3, 0.5, 0.7)), 6)
    -0.360788
    """
    y, dec, a, tau, beta, v = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (y, dec, alpha, tau, beta, delta)))
    upper = dec == 1
    vv = np.where(upper, -v, v)  # the upper boundary is the lower one of the mirrored process
    w = np.where(upper, 1 - beta, beta)
    t = y - tau
    with np.errstate(invalid="ignore"):
        u = np.where(t > 0, t, 0.0) / a**2
    lg = _log_g(u, w).reshape(u.shape)
    out = -vv * a * w - vv**2 * t / 2 - 2 * np.log(a) + lg
    return np.where(t > 0, out, -np.inf)


def wiener_epred(dp, ex) -> np.ndarray:
    """brms's expected reaction time of the wiener family (``posterior_epred_wiener``, brms 2.18 to current):
    ``ndt - bias / mu + bs / mu * (exp(-2 mu bias) - 1) / (exp(-2 mu bs) - 1)``.  brms takes ``bias``
    as the absolute starting point here, so this is the mean reaction time of the diffusion when
    ``bs = 1`` (the exact mean has ``bias * bs``); kept as brms has it so predictions agree.

    Examples
    --------
    >>> round(float(wiener_epred({"mu": 1.0, "bs": 1.0, "ndt": 0.2, "bias": 0.5}, None)), 6)
    0.431059
    """
    mu, bs, ndt, bias = np.broadcast_arrays(*(np.asarray(dp[k], dtype=float) for k in ("mu", "bs", "ndt", "bias")))
    # the ratio expm1(-2 mu bias) / expm1(-2 mu bs) without overflow for large negative drifts (both terms
    # infinite: nan), and brms's expression's limit ndt + bias * (bs - bias) at mu = 0 (0 / 0)
    a, b = -2 * mu * bias, -2 * mu * bs
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.where(mu < 0, np.exp(a - b) * np.expm1(-a) / np.expm1(-b), np.expm1(a) / np.expm1(b))
        out = ndt - bias / mu + bs / mu * ratio
    return np.where(np.abs(mu) < 1e-8, ndt + bias * (bs - bias), out)


def wiener_rng(dp, ex, rng: np.random.Generator, grid: int = 400) -> np.ndarray:
    """Reaction times of the diffusion (decision time plus ``ndt``), as brms's ``posterior_predict``.

    The boundary is drawn with its exit probability; the decision time by inverting that boundary's
    first-passage distribution, its density integrated on a grid in ``t / bs^2`` that is fine near 0
    and reaches far into the exponential tail.
    """
    mu, bs, ndt, bias = np.broadcast_arrays(*(np.asarray(dp[k], dtype=float) for k in ("mu", "bs", "ndt", "bias")))
    shape = mu.shape
    v, a, z = mu.ravel(), bs.ravel(), bias.ravel()
    # exit probability of the upper boundary from start z a with drift v (v = 0: z)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        p_up = np.where(v == 0, z, np.expm1(-2 * v * a * z) / np.expm1(-2 * v * a))
    p_low = 1 - np.clip(np.nan_to_num(p_up, nan=0.5, posinf=1.0), 0.0, 1.0)
    upper = rng.uniform(size=v.shape) >= p_low
    # unit-separation time grid: u = t / a^2, geometric near 0, covering the tail of the slowest decay
    u = np.concatenate([[0.0], np.geomspace(1e-4, 1.0, grid // 2), np.linspace(1.0, 12.0, grid // 2)[1:]])
    w = np.where(upper, 1 - z, z)  # the upper boundary is the lower one of the mirrored process
    vv = np.where(upper, -v, v)
    target = rng.uniform(size=v.shape)
    out = np.empty(v.shape)
    for lo in range(0, v.size, 1024):  # chunks of elements: a (chunk, grid) table at a time
        sl = slice(lo, lo + 1024)
        t = u[None, 1:] * a[sl, None] ** 2
        wg = np.broadcast_to(w[sl, None], t.shape)
        dens = np.exp(-vv[sl, None] * a[sl, None] * w[sl, None] - vv[sl, None] ** 2 * t / 2 - 2 * np.log(a[sl, None])
                      + _log_g(t / a[sl, None] ** 2, wg).reshape(t.shape))
        t = np.concatenate([np.zeros((t.shape[0], 1)), t], axis=1)
        dens = np.concatenate([np.zeros((t.shape[0], 1)), dens], axis=1)
        cdf = np.concatenate([np.zeros((t.shape[0], 1)),
                              np.cumsum((dens[:, 1:] + dens[:, :-1]) / 2 * np.diff(t, axis=1), axis=1)], axis=1)
        goal = target[sl] * cdf[:, -1]
        # inverse of each row's tabulated distribution function, linear between grid points
        j = np.clip((cdf < goal[:, None]).sum(axis=1), 1, t.shape[1] - 1)
        rows = np.arange(t.shape[0])
        c0, c1 = cdf[rows, j - 1], cdf[rows, j]
        frac = np.where(c1 > c0, (goal - c0) / np.where(c1 > c0, c1 - c0, 1.0), 0.0)
        out[sl] = t[rows, j - 1] + frac * (t[rows, j] - t[rows, j - 1])
    return out.reshape(shape) + ndt


def _loglik(y, dp, ex):
    dec = getattr(ex, "dec", None)
    if dec is None:
        raise DataError("The wiener family's log-likelihood needs the decisions of 'dec()'.")
    return wiener_lpdf(y, dec, dp["bs"], dp["ndt"], dp["bias"], dp["mu"])


register(FamilySpec(
    "wiener", ("mu", "bs", "ndt", "bias"), ("identity",), "positive",
    Likelihood("wiener_diffusion", lambda dp, ops: [dp["bs"], dp["ndt"], dp["bias"], dp["mu"]]),
    description="Wiener diffusion model (reaction times and decisions: 'rt | dec(choice) ~ ...')",
    stan_functions=(StanFunction("wiener_diffusion"),),
    pointwise=True, needs_dec=True,
    math=FamilyMath(_loglik, wiener_epred, wiener_rng),
))

wiener = family_function("wiener")

__all__ = ["wiener", "wiener_lpdf", "wiener_epred", "wiener_rng"]
