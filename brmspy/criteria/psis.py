"""Pareto-smoothed importance sampling vectorised over observations (issue 7).

ArviZ 1.x computes PSIS (``array_stats.psislw``, the ``.azstats.psislw`` accessor)
and the ESS behind ``r_eff`` (``ess(method="mean")``) with a Python loop over
observations (``make_ufunc``), and its ``psislw`` takes one ``r_eff`` for all of
them.  At 10^6 observations that loop dominates ``loo``.  This module computes
the same quantities for a whole block of observations with array operations:

* :func:`relative_eff` — ArviZ's split-chain ESS for the mean of
  ``exp(log_lik)`` divided by the number of draws, as
  :func:`brmspy.criteria.results._relative_eff` (autocovariances of the first lags as dot
  products; only observations whose Geyer sequence runs long use the FFT);
* :func:`psislw` — ArviZ's PSIS: right tail of the log ratios ``-log_lik`` of length
  ``3 sqrt(S / r_eff)`` (selected by a partial sort), the Zhang & Stephens (2009)
  generalized Pareto fit with the weakly informative prior on k of Vehtari et al.
  (2024) (:func:`gpdfit`, one array computation for all observations of a block, tails
  padded to a common length), smoothed tail from the fitted quantiles, truncation at
  the largest raw ratio, normalisation;
* :func:`loo_pointwise` — elpd_loo, p_loo, Pareto k, MCSE, n_eff and r_eff of every
  observation, as :func:`brmspy.criteria.ic._loo_single_unchunked` computes them, from
  sums of ``1 / likelihood`` outside the tails (no draws × observations weight array).

Work is done on blocks of about 2^20 draws × observations, so memory beyond the
chunk itself stays small.

Results agree with ArviZ's per-observation functions to floating-point rounding
(sums are formed in a different order).  Two degenerate cases follow R's ``loo``
where ArviZ raises: a tail shorter than 5 draws or a tail of identical values gives
k = inf and no smoothing.

Examples
--------
>>> lw, k = psislw(ll3, relative_eff(ll3))      # doctest: +SKIP
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import fft as sp_fft
from scipy import special

__all__ = ["relative_eff", "psislw", "loo_pointwise", "gpdfit", "tail_lengths", "good_k"]

#: draws × observations per block (the working set of one vectorised step)
BLOCK_CELLS = 2**20

#: lags computed directly before an observation's Geyer sequence falls back to the FFT
_DIRECT_LAGS = 24

#: entries of gpdfit's (rows, grid, tail) working array
_GPD_CELLS = 2**18

_PRIOR_BS = 3.0  # ArviZ's gpdfit: scale of the b grid
_PRIOR_K = 10.0  # ArviZ's gpdfit: weight (pseudo observations) of the prior k = 0.5


def _block_size(S: int, cells: int = BLOCK_CELLS) -> int:
    return max(1, cells // max(S, 1))


# ---------------------------------------------------------------- relative efficiency


def _ess_mean_rows(lik: np.ndarray, chains: int, lik_min: np.ndarray | None = None) -> np.ndarray:
    """ArviZ's ``ess(method="mean")`` of each row of ``lik`` (rows, S), draws in (chain, draw) order.

    ``lik_min`` (optional): the row minima when the row maxima are 1 (``lik = exp(ll - max)``),
    which saves the constant-row check a pass.
    """
    B, S = lik.shape
    D = S // chains
    out = np.full(B, np.nan)
    if D < 4:  # ArviZ's ``not_valid``: fewer than 4 draws
        return out
    half = D // 2
    x = lik.reshape(B, chains, D)
    if D % 2 == 0:  # ArviZ's _split_chains, without a copy (chain order does not matter)
        xs = x.reshape(B, 2 * chains, half)
        rng_ = (1.0 - lik_min) if lik_min is not None else lik.max(axis=1) - lik.min(axis=1)
    else:
        xs = np.concatenate([x[:, :, :half], x[:, :, D - half:]], axis=1)
        rng_ = xs.max(axis=(1, 2)) - xs.min(axis=(1, 2))
    has_nan = np.isnan(rng_)
    const = ~has_nan & (rng_ < np.finfo(float).resolution)
    out[const] = xs.shape[1] * xs.shape[2]
    rows = np.flatnonzero(~has_nan & ~const)
    if rows.size == B:
        out[:] = _ess_geyer(xs)
    elif rows.size:
        out[rows] = _ess_geyer(xs[rows])
    return out


def _rowdot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dot products along the last axis (numpy >= 2: ``vecdot``, about twice as fast as einsum)."""
    if hasattr(np, "vecdot"):
        return np.vecdot(a, b)
    return np.einsum("...i,...i->...", a, b)


def _ess_geyer(xs: np.ndarray) -> np.ndarray:
    """ESS of split chains ``xs`` (rows, K, n): ArviZ's ``_ess`` for every row at once.

    Geyer's initial positive and initial monotone sequences with ArviZ's stopping
    rules and "improve estimation" step, tracked per row.  Autocovariances are sums
    of lagged products (ArviZ: FFT) up to lag ``_DIRECT_LAGS``; rows whose sequence
    runs longer get all lags from one FFT.
    """
    B, K, n = xs.shape
    xc = xs - xs.mean(axis=2, keepdims=True)
    chain_mean = xs.mean(axis=2)
    held = np.arange(B)  # rows of ``xc`` (compacted as rows stop, so work shrinks with them)
    fft_rows: np.ndarray | None = None
    fft_acov: np.ndarray | None = None

    def acov(t: int, rows: np.ndarray) -> np.ndarray:
        """Mean over chains of the lag-t autocovariance of ``rows`` (sorted)."""
        nonlocal xc, held, fft_rows, fft_acov
        if t < _DIRECT_LAGS:
            if rows.size < held.size // 2:
                xc = xc[np.searchsorted(held, rows)]
                held = rows
            v = np.mean(_rowdot(xc[:, :, : n - t], xc[:, :, t:]) / n, axis=1)
            return v if rows.size == held.size else v[np.searchsorted(held, rows)]
        if fft_rows is None or not np.all(np.isin(rows, fft_rows)):
            fft_rows = rows.copy()
            m = sp_fft.next_fast_len(2 * n)
            f = np.fft.rfft(xc[np.searchsorted(held, rows)], n=m, axis=2)
            f *= np.conjugate(f)
            fft_acov = np.mean(np.fft.irfft(f, n=m, axis=2)[:, :, :n] / n, axis=1)
        return fft_acov[np.searchsorted(fft_rows, rows), t]

    every = np.arange(B)
    mean_var = acov(0, every) * n / (n - 1.0)
    var_plus = mean_var * (n - 1.0) / n
    if K > 1:
        var_plus = var_plus + np.var(chain_mean, axis=1, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho1 = 1.0 - (mean_var - acov(1, every)) / var_plus
        even_last = np.ones(B)
        odd_last = rho1.copy()
        jlast = np.zeros(B, dtype=np.int64)
        pairs: list[tuple[np.ndarray, np.ndarray]] = []  # stored (rho_2j, rho_2j+1), j = 1, 2, ...
        running = np.ones(B, dtype=bool)
        j = 1
        while 2 * j - 1 < n - 3:  # ArviZ: while t < n_draw - 3 and rho_even + rho_odd > 0
            running &= (even_last + odd_last) > 0.0
            rows = np.flatnonzero(running)
            if rows.size == 0:
                break
            e = 1.0 - (mean_var[rows] - acov(2 * j, rows)) / var_plus[rows]
            o = 1.0 - (mean_var[rows] - acov(2 * j + 1, rows)) / var_plus[rows]
            even_last[rows], odd_last[rows], jlast[rows] = e, o, j
            keep = (e + o) >= 0
            pe, po = np.zeros(B), np.zeros(B)
            pe[rows], po[rows] = np.where(keep, e, 0.0), np.where(keep, o, 0.0)
            pairs.append((pe, po))
            j += 1
        J = len(pairs)
        rho = np.zeros((B, 2 * J + 2))
        rho[:, 0], rho[:, 1] = 1.0, rho1
        for i, (pe, po) in enumerate(pairs, start=1):
            rho[:, 2 * i], rho[:, 2 * i + 1] = pe, po
        improve = even_last > 0  # ArviZ: rho_hat_t[max_t + 1] = rho_hat_even
        rho[improve, 2 * jlast[improve]] = even_last[improve]
        prev = rho[:, 0] + rho[:, 1]  # Geyer's initial monotone sequence over pairs 1 .. jlast - 1
        for i in range(1, J):
            active = i <= jlast - 1
            cur = rho[:, 2 * i] + rho[:, 2 * i + 1]
            rep = active & (cur > prev)
            half = prev / 2.0
            rho[rep, 2 * i] = half[rep]
            rho[rep, 2 * i + 1] = half[rep]
            prev = np.where(active, rho[:, 2 * i] + rho[:, 2 * i + 1], prev)
        max_t = 2 * jlast - 1
        inside = np.arange(rho.shape[1])[None, :] <= max_t[:, None]
        tau = -1.0 + 2.0 * np.sum(np.where(inside, rho, 0.0), axis=1) + rho[every, max_t + 1]
        n_total = K * n
        tau = np.maximum(tau, 1.0 / math.log10(n_total))
        ess = n_total / tau
    return np.where(np.isnan(rho).any(axis=1), np.nan, ess)


def _reff_from_ess(ess: np.ndarray, S: int) -> np.ndarray:
    r = ess / S
    return np.where(np.isfinite(r) & (r > 0), r, 1.0)


def relative_eff(ll3: np.ndarray) -> np.ndarray:
    """Relative efficiency of ``exp(log_lik)`` per observation (loo's ``relative_eff``).

    Parameters
    ----------
    ll3 : (chain, draw, N) pointwise log-likelihood.

    Returns
    -------
    (N,) ArviZ's ``ess(exp(ll - max), method="mean") / S``; 1 where that is not finite or not positive.
    """
    C, D, N = ll3.shape
    out = np.empty(N)
    for a, b, ll in _row_blocks(ll3):
        mx = ll.max(axis=1, keepdims=True)
        with np.errstate(all="ignore"):
            out[a:b] = _reff_from_ess(_ess_mean_rows(np.exp(ll - mx), C), C * D)
    return out


# ---------------------------------------------------------------- PSIS


def _row_blocks(ll3: np.ndarray, block: int | None = None):
    """Yield ``(start, stop, rows)``: observations ``start:stop`` as a C-contiguous (rows, draws) array.

    The (draws, observations) input is transposed tile by tile, which is several
    times faster than one strided copy.
    """
    flat = ll3.reshape(-1, ll3.shape[-1])
    S, N = flat.shape
    step = block or _block_size(S)
    tile = 16
    for a in range(0, N, step):
        b = min(a + step, N)
        rows = np.empty((b - a, S))
        for r in range(0, S, tile):
            rows[:, r:r + tile] = flat[r:r + tile, a:b].T
        yield a, b, rows


def _logsumexp_rows(a: np.ndarray) -> np.ndarray:
    """log(sum(exp(a), axis=1)) as a column, shifted by the row maximum (scipy's logsumexp without
    its per-call overhead, which dominates on small arrays)."""
    m = a.max(axis=1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return np.log(np.sum(np.exp(a - m), axis=1, keepdims=True)) + m


def _flat_index(idx: np.ndarray, ncol: int) -> np.ndarray:
    """Flat positions of per-row column indices ``idx`` (rows, k) in a C-contiguous (rows, ncol) array."""
    return idx + (np.arange(idx.shape[0], dtype=np.int64) * ncol)[:, None]


def _gather(arr: np.ndarray, flat: np.ndarray) -> np.ndarray:
    """Row-wise gather of C-contiguous ``arr`` at ``flat = _flat_index(idx, ncol)`` (faster than numpy's)."""
    return arr.reshape(-1)[flat]


def _scatter(arr: np.ndarray, flat: np.ndarray, values: np.ndarray) -> None:
    arr.reshape(-1)[flat] = values


def tail_lengths(S: int, r_eff: np.ndarray) -> np.ndarray:
    """Draws in the smoothed tail per observation (ArviZ's ``_get_ps_tails``, right tail)."""
    r_eff = np.asarray(r_eff, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        M = np.where(S * r_eff > 225, np.floor(3 * np.sqrt(S / r_eff)), np.floor(S / 5))
    return np.minimum(M, S - 1).astype(np.int64)  # a tail of all S draws would have no cutoff


def _sum_log1p_neg(b: np.ndarray, x: np.ndarray, n: np.ndarray) -> np.ndarray:
    """``sum_i log1p(-b[r, j] x[r, i])`` for every row r and grid point j: (rows, grid).

    ``x`` is right-aligned with leading zeros (terms log1p(0) = 0).  The log of
    products of 8 factors ``1 - b x`` replaces 8 calls of log1p (about 3x faster).
    Where that loses accuracy, the terms are summed with log1p as ArviZ does: a product
    outside [1e-300, 1e300], or ``|b| mean(x) < 0.01`` (small terms, whose relative
    accuracy ``1 - b x`` does not keep).
    """
    R, W = x.shape
    pad = (-W) % 8
    xt = np.zeros((W + pad, R))
    xt[pad:] = x.T  # terms on the first axis: the products below multiply contiguous halves
    t = xt[:, :, None] * b[None, :, :]
    np.subtract(1.0, t, out=t)
    w = W + pad
    while w > (W + pad) // 8:
        h = w // 2
        t = t[:h] * t[h:w]
        w = h
    with np.errstate(all="ignore"):
        out = np.sum(np.log(t), axis=0)
        redo = ~np.all((t >= 1e-300) & (t <= 1e300), axis=0) | (np.abs(b) * (x.sum(axis=1) / n)[:, None] < 1e-2)
        if redo.any():
            r, j = np.nonzero(redo)
            out[r, j] = np.sum(np.log1p(-b[r, j][:, None] * x[r]), axis=1)
    return out


def gpdfit(x: np.ndarray, n: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Generalized Pareto fit of each row of ``x`` (rows, width), as ArviZ's ``_gpdfit`` of one row.

    Zhang & Stephens (2009) empirical Bayes estimate with the weakly informative
    prior on k of Vehtari et al. (2024).

    Parameters
    ----------
    x : rows sorted ascending; row ``i`` holds its ``n[i]`` values right-aligned, preceded by zeros.
    n : values per row (default: the full width).

    Returns
    -------
    kappa, sigma : (rows,) each; (nan, nan) when the first quartile does not exceed the
        minimum, (inf, nan) when the estimate is not a number (R's ``loo``; ArviZ can return a
        finite k with sigma nan there).
    """
    G, width = x.shape
    n = np.full(G, width, dtype=np.int64) if n is None else np.asarray(n, dtype=np.int64)
    step = max(1, _GPD_CELLS // (width * (30 + int(math.sqrt(width)))))
    if G > step:  # bound the (rows, grid, width) working array
        parts = [gpdfit(x[a:a + step], n[a:a + step]) for a in range(0, G, step)]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    first = width - n  # column of each row's smallest value
    m_est = 30 + np.floor(np.sqrt(n)).astype(np.int64)
    rows = np.arange(G)
    xstar = x[rows, first + np.floor(n / 4 + 0.5).astype(np.int64) - 1]  # first quartile
    bad = xstar <= x[rows, first]
    jj = np.arange(1, m_est.max() + 1, dtype=float)[None, :]
    on_grid = jj <= m_est[:, None]
    nn = n[:, None].astype(float)
    with np.errstate(all="ignore"):
        b0 = 1 - np.sqrt(m_est[:, None] / (jj - 0.5))
        b_ary = b0 / (_PRIOR_BS * xstar[:, None]) + 1 / x[:, -1:]
        k_ary = _sum_log1p_neg(b_ary, x, n) / nn  # the costly step: (rows, grid, width) terms
        len_scale = np.where(on_grid, nn * (np.log(-b_ary / k_ary) - k_ary - 1), -np.inf)
        w = np.exp(len_scale - _logsumexp_rows(len_scale))
        w = np.where(w >= 10 * np.finfo(float).eps, w, 0.0)  # ArviZ drops negligible weights
        w /= w.sum(axis=1, keepdims=True)
        b_post = np.sum(np.where(on_grid, b_ary, 0.0) * w, axis=1)
        kappa = np.sum(np.log1p(-b_post[:, None] * x), axis=1) / n
        sigma = -kappa / b_post
    kappa = (n * kappa + _PRIOR_K * 0.5) / (n + _PRIOR_K)
    is_nan = np.isnan(kappa)
    kappa = np.where(is_nan, np.inf, kappa)
    sigma = np.where(is_nan, np.nan, sigma)
    return np.where(bad, np.nan, kappa), np.where(bad, np.nan, sigma)


def _gpinv(p: np.ndarray, kappa: np.ndarray, sigma: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Generalized Pareto quantiles ``p`` (rows, width) for each row's (kappa, sigma, mu)."""
    kappa, sigma, mu = kappa[:, None], sigma[:, None], mu[:, None]
    with np.errstate(all="ignore"):
        lp = np.log1p(-p)
        q = np.where(kappa == 0, mu - sigma * lp, mu + sigma * np.expm1(-kappa * lp) / kappa)
    return np.where(sigma <= 0, np.nan, q)


@dataclass
class _Tails:
    """The smoothed right tails of the log importance ratios of a block of rows.

    ``idx`` (rows, width): draw index of each tail slot; a row's ``M`` tail draws are
    its last ``M`` slots (``valid``), sorted by increasing ratio.  ``la``: their log
    ratios ``a = min(ll) - ll`` after smoothing (ArviZ's scale: the largest raw ratio is 0).
    ``M`` is 0 for rows without a tail (fewer than 5 draws).
    """

    idx: np.ndarray
    valid: np.ndarray
    la: np.ndarray
    M: np.ndarray
    k: np.ndarray


def _tails(ll: np.ndarray, r_eff: np.ndarray, ll_min: np.ndarray) -> _Tails:
    """PSIS of every row of ``ll`` (rows, S): tails selected, generalized Pareto fitted, smoothed.

    Rows are processed in groups of similar tail length (within 25%), so that
    padding to the longest tail of a group wastes little work.
    """
    B, S = ll.shape
    M = tail_lengths(S, r_eff)
    M = np.where(M >= 5, M, 0)  # too short to fit: not smoothed, k = inf (R's loo; ArviZ raises)
    width = int(M.max()) if B else 0
    t = _Tails(np.zeros((B, width), dtype=np.int64), np.zeros((B, width), dtype=bool), np.zeros((B, width)),
               M, np.full(B, np.inf))
    if width == 0:
        return t
    with np.errstate(divide="ignore"):
        bucket = np.floor(np.log(np.maximum(M, 1)) / math.log(1.25))
    for bk in np.unique(bucket[M > 0]):
        rows = np.flatnonzero((bucket == bk) & (M > 0))
        w = int(M[rows].max())
        idx, valid, la, k = _tails_group(ll[rows] if rows.size < B else ll, M[rows], ll_min[rows], w)
        t.idx[rows, width - w:], t.valid[rows, width - w:], t.la[rows, width - w:], t.k[rows] = idx, valid, la, k
    return t


def _tails_group(ll: np.ndarray, M: np.ndarray, ll_min: np.ndarray, width: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_tails` for rows with tails of at most ``width`` (>= 5) draws."""
    B = ll.shape[0]
    k = np.full(B, np.inf)
    # the width + 1 largest ratios = smallest log-likelihoods, in increasing ratio order
    ll = np.ascontiguousarray(ll)
    part = np.argpartition(ll, width, axis=1)[:, : width + 1]
    vals = np.negative(_gather(ll, _flat_index(part, ll.shape[1]))) - np.negative(ll_min)[:, None]  # -ll - max(-ll)
    order = _flat_index(np.argsort(vals, axis=1), width + 1)
    part = _gather(np.ascontiguousarray(part), order)
    vals = _gather(vals, order)
    rows = np.arange(B)
    first = width - M  # slot of each row's cutoff: the largest ratio below its tail
    valid = np.arange(width)[None, :] >= first[:, None]
    cutoff = vals[rows, first]
    raw = vals[:, 1:]
    max_tail = raw[:, -1]
    flat = np.abs(max_tail - raw[rows, first]) < np.finfo(float).tiny  # R's loo: not smoothed, k = inf
    exp_cut = np.exp(cutoff)
    la = raw.copy()
    fit = np.flatnonzero(~flat)
    if fit.size:
        with np.errstate(all="ignore"):
            x = np.where(valid[fit], np.exp(raw[fit]) - exp_cut[fit, None], 0.0)
        kh, sigma = gpdfit(x, M[fit])
        k[fit] = kh
        sm = np.flatnonzero(np.isfinite(kh))
        if sm.size:
            r = fit[sm]
            p = (np.arange(width)[None, :] - first[r, None] + 0.5) / M[r, None]  # ArviZ: arange(0.5, M) / M
            with np.errstate(all="ignore"):
                q = np.log(_gpinv(np.where(valid[r], p, 0.5), kh[sm], sigma[sm], exp_cut[r]))
            q = np.where(q > max_tail[r, None], max_tail[r, None], q)  # truncation (NaN stays NaN)
            la[r] = np.where(valid[r], q, raw[r])
    return part[:, 1:], valid, la, k


def _full_log_ratios(ll: np.ndarray, ll_min: np.ndarray, t: _Tails) -> np.ndarray:
    """Every draw's log ratio ``-ll - max(-ll)`` with the smoothed tails put in (rows, S)."""
    a = np.negative(ll) - np.negative(ll_min)[:, None]
    flat = _flat_index(t.idx, a.shape[1])
    keep = _gather(a, flat)  # slots outside a row's tail (padding) stay as they are
    _scatter(a, flat, np.where(t.valid, t.la, keep))
    return a


def _normalise_log(a: np.ndarray) -> np.ndarray:
    return a - _logsumexp_rows(a)


def psislw(log_lik: Any, r_eff: float | np.ndarray = 1.0) -> tuple[Any, Any]:
    """Pareto-smoothed importance log weights for leave-one-out, all observations at once.

    The vectorised counterpart of ArviZ's ``array_stats.psislw(ll_i, r_eff_i, axis=(0, 1))``
    called once per observation (input: the log-likelihood; weights ∝ 1 / likelihood).

    Parameters
    ----------
    log_lik : (chain, draw, N) array, (S, N) array, or an ``xarray.DataArray`` with
        dims ``chain`` and ``draw`` and any observation dims.
    r_eff : relative efficiency, scalar or one per observation (:func:`relative_eff`).

    Returns
    -------
    log_weights : normalised log weights, the shape (and for a DataArray, the dims) of ``log_lik``.
    pareto_k : (N,) Pareto k per observation (a DataArray over the observation dims for a DataArray).
    """
    if hasattr(log_lik, "dims"):  # xarray: samples first, observations flattened
        import xarray as xr

        obs_dims = [d for d in log_lik.dims if d not in ("chain", "draw")]
        da = log_lik.transpose("chain", "draw", *obs_dims)
        C, D = da.sizes["chain"], da.sizes["draw"]
        r = r_eff.values if hasattr(r_eff, "values") else r_eff
        lw, k = psislw(da.values.reshape(C, D, -1), r if np.ndim(r) == 0 else np.ravel(r))
        lw_da = xr.DataArray(lw.reshape(da.shape), dims=da.dims, coords=da.coords)
        k_da = xr.DataArray(k.reshape(da.shape[2:]), dims=obs_dims,
                            coords={c: v for c, v in da.coords.items() if set(v.dims) <= set(obs_dims)})
        return lw_da.transpose(*log_lik.dims), k_da
    ll_in = np.asarray(log_lik, dtype=float)
    shape = ll_in.shape
    S = int(np.prod(shape[:-1]))
    N = shape[-1]
    r_all = np.broadcast_to(np.asarray(r_eff, dtype=float), (N,))
    lw = np.empty((S, N))
    k = np.empty(N)
    for a, b, ll in _row_blocks(ll_in.reshape(S, N)):
        ll_min = ll.min(axis=1)
        t = _tails(ll, r_all[a:b], ll_min)
        k[a:b] = t.k
        lw[:, a:b] = _normalise_log(_full_log_ratios(ll, ll_min, t)).T
    return lw.reshape(shape), k


# ---------------------------------------------------------------- PSIS-LOO per observation

#: rows whose log-likelihood spans less than this use sums of 1 / likelihood (no extra exp pass)
_FAST_RANGE = 600.0


def _loo_rows(ll: np.ndarray, chains: int, weights: bool = False) -> dict[str, np.ndarray]:
    """PSIS-LOO quantities of each row (observation) of ``ll`` (rows, S).

    For draws outside the smoothed tail the PSIS weight is ``w_s = c / lik_s`` with
    ``lik_s = exp(ll_s - max ll)`` and one constant ``c`` per row, so ``w_s lik_s = c``:
    elpd, n_eff and the MCSE need only sums of ``1 / lik`` there, and exact sums over
    the tail.  Rows spanning more than ``_FAST_RANGE`` nats (where ``1 / lik`` could
    overflow) are computed from the log weights directly, as ArviZ does.
    """
    B, S = ll.shape
    ll_max = ll.max(axis=1)
    ll_min = ll.min(axis=1)
    lik = np.subtract(ll, ll_max[:, None])
    np.exp(lik, out=lik)
    with np.errstate(all="ignore"):
        r_eff = _reff_from_ess(_ess_mean_rows(lik, chains, np.exp(ll_min - ll_max)), S)
    lpd = ll_max + np.log(lik.sum(axis=1)) - math.log(S)
    t = _tails(ll, r_eff, ll_min)
    out = {"pareto_k": t.k, "r_eff": r_eff, "elpd_loo": np.empty(B), "mcse_elpd_loo": np.empty(B),
           "n_eff": np.empty(B)}
    fast = (ll_max - ll_min) < _FAST_RANGE
    if fast.all():
        _loo_fast(ll, lik, ll_max, ll_min, r_eff, t, slice(None), out)
    else:
        f, s = np.flatnonzero(fast), np.flatnonzero(~fast)
        if f.size:
            _loo_fast(ll[f], lik[f], ll_max[f], ll_min[f], r_eff[f], _take(t, f), f, out)
        _loo_exact(ll[s], ll_min[s], r_eff[s], _take(t, s), s, out)
    out["p_loo"] = lpd - out["elpd_loo"]
    if weights:
        out["log_weights"] = _normalise_log(_full_log_ratios(ll, ll_min, t))
    return out


def _take(t: _Tails, rows: np.ndarray) -> _Tails:
    return _Tails(*(getattr(t, f)[rows] for f in ("idx", "valid", "la", "M", "k")))


def _mcse(inv_shape: np.ndarray) -> np.ndarray:
    """loo's MCSE of elpd_i: sd of log of a gamma with shape 1 / inv_shape (inv_shape = var / E^2)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(inv_shape > 0, np.sqrt(special.polygamma(1, 1.0 / inv_shape)), 0.0)


def _loo_fast(ll: np.ndarray, lik: np.ndarray, ll_max: np.ndarray, ll_min: np.ndarray, r_eff: np.ndarray,
              t: _Tails, rows: Any, out: dict[str, np.ndarray]) -> None:
    """The pointwise values of rows spanning less than ``_FAST_RANGE`` nats (overwrites ``lik``)."""
    S = ll.shape[1]
    tail_v = t.valid
    flat = _flat_index(t.idx, S)
    lik_tail = _gather(lik, flat)
    u = np.divide(1.0, lik, out=lik)  # exp(max ll - ll) < exp(_FAST_RANGE)
    u_tail = _gather(u, flat)
    _scatter(u, flat, np.where(tail_v, 0.0, u_tail))  # sums below exclude the tails
    sum_u = u.sum(axis=1)
    sum_u2 = _rowdot(u, u)
    e_min = np.exp(ll_min - ll_max)  # exp(a_s) = e_min / lik_s outside the tails
    e_tail = np.where(tail_v, np.exp(t.la), 0.0)
    total = e_min * sum_u + e_tail.sum(axis=1)  # ArviZ's normaliser sum_s exp(a_s)
    c = e_min / total
    w_tail = e_tail / total[:, None]
    n_body = S - t.M
    elpd = np.log(c * n_body + np.sum(w_tail * lik_tail, axis=1)) + ll_max
    sum_w2 = c * c * sum_u2 + np.sum(w_tail * w_tail, axis=1)
    K = np.exp(ll_max - elpd)  # 1 / E in lik units; elpd >= min ll, so K < exp(_FAST_RANGE)
    np.subtract(u, K[:, None], out=u)  # w_s expm1(ll_s - elpd) = c (K - u_s) outside the tails
    _scatter(u, flat, np.where(tail_v, 0.0, u_tail - K[:, None]))
    ll_tail = _gather(ll, flat)
    with np.errstate(over="ignore", invalid="ignore"):
        rel_tail = np.where(tail_v, w_tail * np.expm1(ll_tail - elpd[:, None]), 0.0)
    inv_shape = (c * c * _rowdot(u, u) + np.sum(rel_tail * rel_tail, axis=1)) / r_eff
    out["elpd_loo"][rows] = elpd
    out["n_eff"][rows] = r_eff / sum_w2
    out["mcse_elpd_loo"][rows] = _mcse(inv_shape)


def _loo_exact(ll: np.ndarray, ll_min: np.ndarray, r_eff: np.ndarray, t: _Tails, rows: np.ndarray,
               out: dict[str, np.ndarray]) -> None:
    lw = _normalise_log(_full_log_ratios(ll, ll_min, t))
    elpd = _logsumexp_rows(lw + ll)[:, 0]
    w2 = np.exp(2 * lw)
    with np.errstate(over="ignore", invalid="ignore"):
        inv_shape = np.sum(w2 * np.expm1(ll - elpd[:, None]) ** 2, axis=1) / r_eff
    out["elpd_loo"][rows] = elpd
    out["n_eff"][rows] = r_eff / w2.sum(axis=1)
    out["mcse_elpd_loo"][rows] = _mcse(inv_shape)


def loo_pointwise(ll3: np.ndarray, block: int | None = None, log_weights: bool = False,
                  workers: int = 1) -> dict[str, np.ndarray]:
    """PSIS-LOO of every observation of a (chain, draw, N) log-likelihood, block by block.

    Parameters
    ----------
    ll3 : (chain, draw, N) pointwise log-likelihood (one chunk of observations).
    block : observations per vectorised step (default: about 2^20 draws × observations).
    log_weights : also return the normalised PSIS log weights (costs a (chain, draw, N) array).
    workers : threads working on blocks at the same time (numpy releases the GIL in
        the array operations); results do not depend on it.

    Returns
    -------
    dict of (N,) arrays: ``elpd_loo``, ``mcse_elpd_loo``, ``p_loo``, ``pareto_k``, ``n_eff``,
    ``r_eff``: the quantities of :func:`brmspy.criteria.ic._loo_single_unchunked` (loo's MCSE by
    the gamma approximation, ``n_eff = r_eff / sum(w^2)``); with ``log_weights=True`` also
    ``log_weights`` (chain, draw, N).
    """
    C, D, N = ll3.shape
    keys = ("elpd_loo", "mcse_elpd_loo", "p_loo", "pareto_k", "n_eff", "r_eff")
    out = {key: np.empty(N) for key in keys}
    lw = np.empty((C * D, N)) if log_weights else None

    def store(a: int, b: int, part: dict[str, np.ndarray]) -> None:
        for key in keys:
            out[key][a:b] = part[key]
        if lw is not None:
            lw[:, a:b] = part["log_weights"].T

    if workers <= 1:
        for a, b, rows in _row_blocks(ll3, block):
            store(a, b, _loo_rows(rows, C, weights=log_weights))
    else:
        from collections import deque
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(workers) as pool:
            pending: deque = deque()
            for a, b, rows in _row_blocks(ll3, block):
                pending.append((a, b, pool.submit(_loo_rows, rows, C, log_weights)))
                if len(pending) >= 2 * workers:  # bounded: few blocks in flight
                    a0, b0, fut = pending.popleft()
                    store(a0, b0, fut.result())
            while pending:
                a0, b0, fut = pending.popleft()
                store(a0, b0, fut.result())
    if lw is not None:
        out["log_weights"] = lw.reshape(C, D, N)
    return out


def good_k(S: int) -> float:
    """ArviZ's (and loo's) Pareto k threshold for ``S`` draws: min(1 - 1/log10(S), 0.7)."""
    return min(1 - 1 / math.log10(S), 0.7) if S > 1 else 0.7
