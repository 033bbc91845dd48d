"""Rank-normalised split R-hat and bulk/tail ESS (Vehtari et al. 2021) in numpy.

Why not ArviZ: ``import arviz_stats`` (with arviz-base, xarray and scipy.stats) takes about
1.5 s, more than the sampling of a small model, and every ``brm()`` needs R-hat and ESS for its
convergence warnings and ``summary()``.  This module repeats ``arviz_stats``'s array code
(``arviz_stats.base.diagnostics``: ``_rhat_rank``, ``_ess_bulk``, ``_ess_tail`` and ``_ess``, with
its FFT autocovariance and Geyer's initial monotone sequence) step for step, so the numbers are
ArviZ's (``tests/fit/test_convergence.py`` checks them against arviz-stats to 1e-8); only two
scipy pieces are replaced: ``scipy.stats.rankdata(method="average")`` (same arithmetic) and the
normal quantile ``scipy.special.ndtri``, here Wichura's algorithm AS241 (relative error about
1e-16, as in the standard library's ``statistics.NormalDist.inv_cdf``).  ArviZ stays the tool
for everything else (``loo``, plots, ``to_datatree``).

Draws are shaped ``(chain, draw, ...)``; each function returns one value per trailing element.

References
----------
Vehtari, A., Gelman, A., Simpson, D., Carpenter, B. and Bürkner, P.-C. (2021). Rank-normalization,
folding, and localization: an improved R-hat for assessing convergence of MCMC. Bayesian Analysis
16(2), 667-718.

Examples
--------
>>> import numpy as np
>>> from brmspy.fit.convergence import ess_bulk, rhat
>>> x = np.random.default_rng(1).normal(size=(4, 1000))
>>> bool(abs(rhat(x) - 1) < 0.01), bool(ess_bulk(x) > 3000)
(True, True)
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

__all__ = ["Convergence", "ess_bulk", "ess_tail", "ndtri", "rhat", "rhat_ess", "rhat_basic", "z_scale"]


class Convergence(NamedTuple):
    """R-hat, bulk ESS and tail ESS of one parameter (the three convergence columns of brms's summary)."""

    rhat: float
    ess_bulk: float
    ess_tail: float

_RESOLUTION = np.finfo(float).resolution


# ----------------------------------------------------------------------------- helpers
def _poly(coefs: tuple[float, ...], r: np.ndarray) -> np.ndarray:
    out = np.full_like(r, coefs[0])
    for c in coefs[1:]:
        out = out * r + c
    return out


# Wichura (1988), AS241 PPND16: numerator and denominator coefficients, highest power first
_A = (2.5090809287301226727e+3, 3.3430575583588128105e+4, 6.7265770927008700853e+4, 4.5921953931549871457e+4,
      1.3731693765509461125e+4, 1.9715909503065514427e+3, 1.3314166789178437745e+2, 3.3871328727963666080e+0)
_B = (5.2264952788528545610e+3, 2.8729085735721942674e+4, 3.9307895800092710610e+4, 2.1213794301586595867e+4,
      5.3941960214247511077e+3, 6.8718700749205790830e+2, 4.2313330701600911252e+1, 1.0)
_C = (7.7454501427834140764e-4, 2.2723844989269184583e-2, 2.4178072517745061177e-1, 1.2704582524523683826e+0,
      3.6478483247632045981e+0, 5.7694972214606914055e+0, 4.6303378461565452959e+0, 1.4234371107496835773e+0)
_D = (1.0507500716444168432e-9, 5.4759380849953449460e-4, 1.5198666563616457197e-2, 1.4810397642748007459e-1,
      6.8976733498510000455e-1, 1.6763848301838038494e+0, 2.0531916266377588219e+0, 1.0)
_E = (2.0103343992922881327e-7, 2.7115555687434875782e-5, 1.2426609473880784386e-3, 2.6532189526576123093e-2,
      2.9656057182850489123e-1, 1.7848265399172913358e+0, 5.4637849111641143699e+0, 6.6579046435011037772e+0)
_F = (2.0442631033899397856e-15, 1.4215117583164458887e-7, 1.8463183175100546818e-5, 7.8686913114561325910e-4,
      1.4875361290850614853e-2, 1.3692988092273580531e-1, 5.9983220655588793769e-1, 1.0)


def ndtri(p: np.ndarray) -> np.ndarray:
    """The standard normal quantile of probabilities ``p`` in (0, 1) (Wichura's AS241).

    Examples
    --------
    >>> from brmspy.fit.convergence import ndtri
    >>> [round(float(v), 6) for v in ndtri(np.array([0.025, 0.5, 0.975]))]
    [-1.959964, 0.0, 1.959964]
    """
    p = np.asarray(p, dtype=float)
    q = p - 0.5
    out = np.empty_like(q)
    central = np.abs(q) <= 0.425
    qc = q[central]
    r = 0.180625 - qc * qc
    out[central] = qc * _poly(_A, r) / _poly(_B, r)
    tail = ~central
    qt = q[tail]
    r = np.sqrt(-np.log(np.where(qt <= 0.0, p[tail], 1.0 - p[tail])))
    near = r <= 5.0
    x = np.empty_like(r)
    x[near] = _poly(_C, r[near] - 1.6) / _poly(_D, r[near] - 1.6)
    x[~near] = _poly(_E, r[~near] - 5.0) / _poly(_F, r[~near] - 5.0)
    out[tail] = np.where(qt < 0.0, -x, x)
    return out


def _rankdata(a: np.ndarray) -> np.ndarray:
    """``scipy.stats.rankdata(a, method="average")`` of the flattened array (same arithmetic)."""
    arr = np.ravel(a)
    # any sort order gives the same average ranks (tied values share theirs), so not scipy's
    # stable mergesort: the default sort takes half the time, the largest part of R-hat and ESS
    order = np.argsort(arr)
    inv = np.empty(order.size, dtype=np.intp)
    inv[order] = np.arange(order.size, dtype=np.intp)
    arr = arr[order]
    obs = np.r_[True, arr[1:] != arr[:-1]]
    dense = obs.cumsum()[inv]
    count = np.r_[np.nonzero(obs)[0], len(obs)]
    return 0.5 * (count[dense] + count[dense - 1] + 1)


def z_scale(ary: np.ndarray) -> np.ndarray:
    """Normal scores of the ranks (Blom's offset 3/8), as ``arviz_stats``'s ``_z_scale``."""
    rank = _rankdata(ary)
    rank = (rank - 3 / 8) / (rank.size - 2 * (3 / 8) + 1)
    return ndtri(rank).reshape(ary.shape)


def _split_chains(ary: np.ndarray) -> np.ndarray:
    half = ary.shape[1] // 2
    return np.vstack((ary[:, :half], ary[:, -half:]))


def rhat_basic(ary: np.ndarray) -> float:
    n = ary.shape[1]
    between = n * np.var(np.mean(ary, axis=1), axis=None, ddof=1)
    within = np.mean(np.var(ary, axis=1, ddof=1))
    return float(np.sqrt((between / within + n - 1) / n))


def _next_fast_len(target: int) -> int:
    """The smallest 5-smooth number >= ``target`` (``scipy.fftpack.next_fast_len``, which ArviZ uses)."""
    n = target
    while True:
        m = n
        for prime in (2, 3, 5):
            while m % prime == 0:
                m //= prime
        if m == 1:
            return n
        n += 1


def _autocov(ary: np.ndarray) -> np.ndarray:
    """Autocovariance of each row at every lag, by FFT (``arviz_stats``'s ``autocov``)."""
    n = ary.shape[1]
    m = _next_fast_len(2 * n)
    ary = ary - ary.mean(1, keepdims=True)
    f = np.fft.rfft(ary, n=m, axis=1)
    f *= np.conjugate(f)
    cov = np.fft.irfft(f, n=m, axis=1)[:, :n]
    cov /= n
    return cov


def _ess(ary: np.ndarray) -> float:
    """ESS of a (chain, draw) array: Geyer's initial monotone sequence on the chains' autocovariances."""
    ary = np.asarray(ary, dtype=float)
    if (np.max(ary) - np.min(ary)) < _RESOLUTION:
        return float(ary.size)
    n_chain, n_draw = ary.shape
    acov = _autocov(ary)
    chain_mean = ary.mean(axis=1)
    mean_var = np.mean(acov[:, 0]) * n_draw / (n_draw - 1.0)
    var_plus = mean_var * (n_draw - 1.0) / n_draw
    if n_chain > 1:
        var_plus += np.var(chain_mean, axis=None, ddof=1)
    rho = np.zeros(n_draw)
    rho_even = 1.0
    rho[0] = rho_even
    rho_odd = 1.0 - (mean_var - np.mean(acov[:, 1])) / var_plus
    rho[1] = rho_odd
    acov_mean = acov.mean(axis=0)  # the same per-lag means, computed once
    t = 1
    while t < (n_draw - 3) and (rho_even + rho_odd) > 0.0:  # initial positive sequence
        rho_even = 1.0 - (mean_var - acov_mean[t + 1]) / var_plus
        rho_odd = 1.0 - (mean_var - acov_mean[t + 2]) / var_plus
        if (rho_even + rho_odd) >= 0:
            rho[t + 1] = rho_even
            rho[t + 2] = rho_odd
        t += 2
    max_t = t - 2
    if rho_even > 0:
        rho[max_t + 1] = rho_even
    t = 1
    while t <= max_t - 2:  # initial monotone sequence
        if (rho[t + 1] + rho[t + 2]) > (rho[t - 1] + rho[t]):
            rho[t + 1] = (rho[t - 1] + rho[t]) / 2.0
            rho[t + 2] = rho[t + 1]
        t += 2
    ess = n_chain * n_draw
    tau = -1.0 + 2.0 * np.sum(rho[: max_t + 1]) + np.sum(rho[max_t + 1: max_t + 2])
    tau = max(tau, 1 / np.log10(ess))
    return float(np.nan if np.isnan(rho).any() else ess / tau)


def _invalid(ary: np.ndarray, min_chains: int) -> bool:
    return bool(np.isnan(ary).any() or ary.shape[0] < min_chains or ary.shape[1] < 4)


def _each(x: np.ndarray, fn: Callable[[np.ndarray], float]) -> np.ndarray:
    """``fn`` of every (chain, draw) slice of ``x`` shaped (chain, draw, ...)."""
    x = np.asarray(x, dtype=float)
    if x.ndim < 2:
        raise ValueError(f"draws must be shaped (chain, draw, ...), not {x.shape}")
    rest = x.shape[2:]
    flat = x.reshape(x.shape[:2] + (-1,))
    out = np.array([fn(flat[:, :, i]) for i in range(flat.shape[2])], dtype=float)
    return out.reshape(rest) if rest else out.reshape(())


# ----------------------------------------------------------------------------- public
def _rhat_rank(ary: np.ndarray) -> float:
    if _invalid(ary, 2):
        return float("nan")
    split = _split_chains(ary)
    bulk = rhat_basic(z_scale(split))
    tail = rhat_basic(z_scale(np.abs(split - np.median(split))))
    return max(bulk, tail)


def _ess_bulk(ary: np.ndarray) -> float:
    if _invalid(ary, 1):
        return float("nan")
    return _ess(z_scale(_split_chains(ary)))


def _ess_tail(ary: np.ndarray, prob: float) -> float:
    if _invalid(ary, 1):
        return float("nan")
    low, high = sorted((prob, 1 - prob))
    return min(_ess(_split_chains(ary <= q)) for q in np.quantile(ary, [low, high], axis=None))  # one partition


def rhat_ess(ary: np.ndarray, prob: float = 0.05) -> Convergence:
    """:func:`rhat`, :func:`ess_bulk` and :func:`ess_tail` of one (chain, draw) array at once.

    R-hat's bulk part and the bulk ESS both use the normal scores of the split chains' ranks;
    here they are ranked once (a third of the work of the three functions called apart), and
    the numbers are the same to the last bit.

    Examples
    --------
    >>> import numpy as np
    >>> from brmspy.fit.convergence import ess_bulk, rhat, rhat_ess
    >>> x = np.random.default_rng(0).normal(size=(4, 500))
    >>> c = rhat_ess(x)
    >>> c.rhat == float(rhat(x)), c.ess_bulk == float(ess_bulk(x))
    (True, True)
    """
    ary = np.asarray(ary, dtype=float)
    if ary.ndim != 2:
        raise ValueError(f"draws must be shaped (chain, draw), not {ary.shape}")
    if _invalid(ary, 1):
        return Convergence(float("nan"), float("nan"), float("nan"))
    split = _split_chains(ary)
    z = z_scale(split)
    if _invalid(ary, 2):  # R-hat needs two chains
        r_hat = float("nan")
    else:
        r_hat = max(rhat_basic(z), rhat_basic(z_scale(np.abs(split - np.median(split)))))
    return Convergence(r_hat, _ess(z), _ess_tail(ary, prob))


def rhat(x: np.ndarray) -> np.ndarray:
    """Rank-normalised split R-hat: the larger of the bulk and the folded (tail) R-hat.

    ``arviz_stats.rhat(x, method="rank")``; NaN with fewer than 2 chains or 4 draws or any NaN.

    Examples
    --------
    >>> import numpy as np
    >>> from brmspy.fit.convergence import rhat
    >>> x = np.random.default_rng(0).normal(size=(4, 500))
    >>> x[0] += 3  # one chain elsewhere
    >>> round(float(rhat(x)), 2)
    1.47
    """
    return _each(x, _rhat_rank)


def ess_bulk(x: np.ndarray) -> np.ndarray:
    """Bulk ESS: the ESS of the rank-normalised split chains (``arviz_stats.ess(x, method="bulk")``).

    Examples
    --------
    >>> import numpy as np
    >>> from brmspy.fit.convergence import ess_bulk
    >>> float(ess_bulk(np.random.default_rng(0).normal(size=(4, 500)))) > 1500
    True
    """
    return _each(x, _ess_bulk)


def ess_tail(x: np.ndarray, prob: float = 0.05) -> np.ndarray:
    """Tail ESS: the smaller ESS of the ``prob`` and ``1 - prob`` quantile indicators
    (``arviz_stats.ess(x, method="tail", prob=prob)``).

    Examples
    --------
    >>> import numpy as np
    >>> from brmspy.fit.convergence import ess_tail
    >>> float(ess_tail(np.random.default_rng(0).normal(size=(4, 500)))) > 1000
    True
    """
    return _each(x, lambda a: _ess_tail(a, prob))
