"""Post-processing in chunks of observations, so peak memory stays bounded.

A (draws × observations) array of 4000 draws and 10^6 rows is 32 GB.  The
functions of :mod:`brmspy.prediction` compute several such arrays at once
(linear predictors, every dpar, the result), so for large data they are
evaluated here on slices of rows and the pieces are written into the output
(``log_lik``, ``posterior_epred``, ``posterior_predict``) or reduced on the fly
(:func:`loo_chunked`, :func:`loo_subsample`), which never hold more than one
chunk of draws × rows.

On the fitted data a chunk is evaluated by the ordinary fitted-data code path
on a *row subset* of the model frame (:func:`row_subset_fit`): the design
matrices, group indices, responses and addition terms are sliced, nothing is
rebuilt, so chunked results equal unchunked ones.  New data are simply sliced
by row.  Models whose rows depend on each other (``ar()``/``ma()``/``cosy()``)
or whose per-row data we cannot slice generically (special terms other than
``offset()``, imputed responses) are evaluated in one piece.

Examples
--------
>>> ll = log_lik(fit, chunk_size=5000)              # doctest: +SKIP
>>> res = loo(fit, subsample=2000)                  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import dataclasses
import math
import warnings
from typing import TYPE_CHECKING, Any, Callable, Iterator

import numpy as np
import pandas as pd

from ..core.errors import BrmsError

if TYPE_CHECKING:  # pragma: no cover
    from ..criteria.ic import LooResult
    from ..fit.brmsfit import BrmsFit
    from ..frame.types import ModelFrame

__all__ = ["DEFAULT_CELLS", "auto_chunk_size", "chunk_bounds", "row_subset_fit", "chunked_call",
           "loo_chunked", "loo_subsample", "LooSubsampleResult"]

#: draws × rows per chunk when chunking automatically: 2^24 doubles = 128 MB per array
DEFAULT_CELLS = 2**24

#: special terms whose per-row data :func:`row_subset_fit` knows how to slice
_SLICEABLE_SPECIALS = {"OffsetDesign": ("offsets",)}


# ------------------------------------------------------------------ chunk sizes


def auto_chunk_size(ndraws: int, nobs: int, cells: int = DEFAULT_CELLS) -> int:
    """Rows per chunk so that one (draws × rows) array has at most ``cells`` entries."""
    return int(min(max(1, cells // max(ndraws, 1)), max(nobs, 1)))


def _resolve_chunk_size(chunk_size: int | None, ndraws: int, nobs: int) -> int:
    """``None``: automatic; ``0``: one piece; a positive integer: rows per chunk."""
    if chunk_size is None:
        return auto_chunk_size(ndraws, nobs)
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 0:
        raise BrmsError(f"chunk_size must be None (automatic), 0 (no chunking) or a positive number of rows; "
                        f"got {chunk_size!r}.")
    return int(chunk_size) if chunk_size > 0 else max(nobs, 1)


def chunk_bounds(nobs: int, size: int) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` covering ``range(nobs)`` in pieces of ``size`` rows."""
    return [(a, min(a + size, nobs)) for a in range(0, nobs, max(size, 1))]


# ------------------------------------------------------------------ row subsets of the fitted data


def _slice(v: Any, rows: np.ndarray, n: int) -> Any:
    """``v[rows]`` for per-row arrays (first dimension ``n``), anything else unchanged."""
    if isinstance(v, np.ndarray) and v.ndim >= 1 and v.shape[0] == n:
        return v[rows]
    return v


def _copy_with(obj: Any, **changes: Any) -> Any:
    new = copy.copy(obj)
    for k, v in changes.items():
        setattr(new, k, v)
    return new


def _row_dependent_reason(frame: "ModelFrame") -> str | None:
    """Why the fitted data cannot be evaluated by row slices (None: it can)."""
    for rd in frame.responses.values():
        if rd.missing is not None and len(rd.missing):
            return "imputed responses (mi())"
    for design in frame.designs.values():
        for sp in design.specials:
            if type(sp).__name__ not in _SLICEABLE_SPECIALS:
                return f"special terms of kind {type(sp).__name__}"
    return None


def _leftover_rows(obj: Any, n: int, seen: set[int], depth: int = 0) -> bool:
    """Whether a per-row array (first dimension ``n``) is left anywhere inside ``obj``.

    A safety net: fields added to the frame later that are not sliced make the
    model fall back to unchunked evaluation instead of giving wrong results.
    """
    if depth > 6 or id(obj) in seen:
        return False
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return obj.ndim >= 1 and obj.shape[0] == n
    if isinstance(obj, (pd.DataFrame, pd.Series, str, bytes, int, float, type(None))):
        return False
    if isinstance(obj, dict):
        return any(_leftover_rows(v, n, seen, depth + 1) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return any(_leftover_rows(v, n, seen, depth + 1) for v in obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return any(_leftover_rows(getattr(obj, f.name, None), n, seen, depth + 1)
                   for f in dataclasses.fields(obj))
    return False


def _frame_rows(frame: "ModelFrame", rows: np.ndarray) -> "ModelFrame":
    """The model frame restricted to ``rows`` (0-based), every per-row array sliced."""
    n = frame.N
    responses = {}
    for key, rd in frame.responses.items():
        adds = rd.adds
        if adds is not None:
            adds = _copy_with(adds, **{f.name: _slice(getattr(adds, f.name), rows, n)
                                       for f in dataclasses.fields(adds)})
        responses[key] = _copy_with(rd, y=_slice(rd.y, rows, n), trials=_slice(rd.trials, rows, n),
                                    weights=_slice(rd.weights, rows, n), adds=adds)
    designs = {}
    for prefix, d in frame.designs.items():
        specials = []
        for sp in d.specials:
            keys = _SLICEABLE_SPECIALS[type(sp).__name__]
            specials.append(_copy_with(sp, info={k: (_slice(v, rows, n) if k in keys else v)
                                                 for k, v in sp.info.items()}))
        designs[prefix] = _copy_with(d, X=_slice(d.X, rows, n), Xcs=_slice(d.Xcs, rows, n), specials=specials)
    blocks = []
    for b in frame.blocks:
        coefs = [_copy_with(c, Z=_slice(c.Z, rows, n)) for c in b.coefs]
        mm = None if b.mm_weights is None else [_slice(w, rows, n) for w in b.mm_weights]
        blocks.append(_copy_with(b, J=[_slice(j, rows, n) for j in b.J], coefs=coefs, mm_weights=mm))
    data = frame.data.iloc[rows].reset_index(drop=True)
    return _copy_with(frame, data=data, responses=responses, designs=designs, blocks=blocks)


def row_subset_fit(fit: "BrmsFit", rows: np.ndarray | slice) -> "BrmsFit | None":
    """A shallow copy of ``fit`` whose model frame holds only ``rows`` of the fitted data.

    The predictions functions evaluated on it (fitted-data path) give exactly the
    columns ``rows`` of their result on ``fit``.  Returns None when the model's
    rows cannot be evaluated separately (autocorrelation, imputed responses,
    special terms other than ``offset()``).
    """
    frame = fit.frame
    if _row_dependent_reason(frame) is not None:
        return None
    idx = np.arange(frame.N)[rows] if isinstance(rows, slice) else np.asarray(rows, dtype=np.int64)
    sub = _frame_rows(frame, idx)
    if len(idx) != frame.N and _leftover_rows([sub.responses, sub.designs, sub.blocks], frame.N, set()):
        return None
    out = copy.copy(fit)
    out.build = _copy_with(fit.build, frame=sub)
    out.__dict__.pop("criteria", None)  # stored criteria belong to the whole data
    return out


def _draw_subset_fit(fit: "BrmsFit", idx: np.ndarray) -> "BrmsFit":
    """A shallow copy of ``fit`` holding only the draws ``idx`` (one chain), so every chunk uses them."""
    params = {k: np.asarray(v).reshape((-1, *np.shape(v)[2:]))[idx][None] for k, v in fit.stan_draws.params.items()}
    stats = {k: np.asarray(v).reshape(-1)[idx][None] for k, v in fit.stan_draws.sampler_stats.items()}
    out = copy.copy(fit)
    out.stan_draws = _copy_with(fit.stan_draws, params=params, sampler_stats=stats)
    out.__dict__.pop("_named", None)
    out.__dict__.pop("criteria", None)
    return out


def _unchunkable(fit: "BrmsFit", newdata: pd.DataFrame | None) -> bool:
    """Rows that depend on each other (time series; new data whose design uses ``mean(x)`` & co.) are never split."""
    for design in fit.frame.designs.values():
        if any(type(sp).__name__ == "AutocorDesign" for sp in design.specials):
            return True
    if newdata is not None:  # e.g. I(x - mean(x)): brms takes the mean over all of newdata, not per chunk
        specs = [s for d in fit.frame.designs.values() for s in (d.spec, d.cs_spec) if s is not None]
        specs += [c.spec for b in fit.frame.blocks for c in b.coefs if c.spec is not None]
        if any(s.row_dependent for s in specs):
            return True
    return newdata is None and row_subset_fit(fit, slice(0, 1)) is None


# ------------------------------------------------------------------ chunked evaluation


def iter_chunks(fn: Callable[..., np.ndarray], fit: "BrmsFit", newdata: pd.DataFrame | None = None,
                chunk_size: int | None = None, ndraws: int | None = None, seed: int | None = None,
                **kwargs: Any) -> Iterator[tuple[int, int, np.ndarray]]:
    """Evaluate ``fn`` (log_lik, posterior_epred, ...) chunk by chunk: yields ``(start, stop, values)``.

    ``values`` are the columns ``start:stop`` (draws × rows[ × ...]) of ``fn(fit, newdata, ...)``.
    The same draws are used in every chunk; random numbers (``posterior_predict``,
    new group levels) come from independent streams per chunk derived from ``seed``.
    """
    from .core import draw_indices

    nobs = fit.frame.N if newdata is None else len(newdata)
    idx = draw_indices(fit, ndraws, seed)
    size = _resolve_chunk_size(chunk_size, len(idx), nobs)
    if size >= nobs or _unchunkable(fit, newdata):
        yield 0, nobs, fn(fit, newdata, ndraws=ndraws, seed=seed, chunk_size=0, **kwargs)
        return
    source = fit if len(idx) == fit.ndraws() else _draw_subset_fit(fit, idx)
    bounds = chunk_bounds(nobs, size)
    seeds = np.random.SeedSequence(seed).spawn(len(bounds))
    if newdata is not None:
        newdata = newdata.reset_index(drop=True)
    for (a, b), ss in zip(bounds, seeds):
        chunk_seed = int(ss.generate_state(1)[0])
        if newdata is None:
            part = row_subset_fit(source, slice(a, b))
            values = fn(part, None, ndraws=None, seed=chunk_seed, chunk_size=0, **kwargs)
        else:
            values = fn(source, newdata.iloc[a:b], ndraws=None, seed=chunk_seed, chunk_size=0, **kwargs)
        yield a, b, values


def chunked_call(fn: Callable[..., np.ndarray], fit: "BrmsFit", newdata: pd.DataFrame | None,
                 chunk_size: int | None, ndraws: int | None, seed: int | None,
                 kwargs: dict[str, Any]) -> np.ndarray | None:
    """The hook of :mod:`brmspy.prediction`: the full result assembled from chunks, or None.

    None means "evaluate in one piece as usual": ``chunk_size=0``, a small
    problem (one chunk), or a model whose rows cannot be split.
    """
    if chunk_size == 0:
        return None
    from .core import draw_indices

    nobs = fit.frame.N if newdata is None else len(newdata)
    S = len(draw_indices(fit, ndraws, seed))
    if _resolve_chunk_size(chunk_size, S, nobs) >= nobs or _unchunkable(fit, newdata):
        return None
    out: np.ndarray | None = None
    for a, b, values in iter_chunks(fn, fit, newdata, chunk_size, ndraws, seed, **kwargs):
        if out is None:
            out = np.empty((values.shape[0], nobs, *values.shape[2:]), dtype=values.dtype)
        out[:, a:b] = values
    return out


# ------------------------------------------------------------------ loo in chunks


def _ll_chunks(fit: "BrmsFit", chunk_size: int | None, ndraws: int | None = None,
               seed: int | None = None) -> Iterator[tuple[int, int, np.ndarray]]:
    """Pointwise log-likelihood chunks shaped (chain, draw, rows)."""
    from .core import log_lik

    nchains = fit.stan_draws.nchains if ndraws is None or ndraws >= fit.ndraws() else 1
    for a, b, ll in iter_chunks(log_lik, fit, None, chunk_size, ndraws, seed):
        if not np.all(np.isfinite(ll)):
            raise BrmsError("The log-likelihood has non-finite values; loo/waic cannot be computed.")
        yield a, b, ll.reshape(nchains, -1, ll.shape[1])


def _loo_pointwise(ll3: np.ndarray, with_arviz: bool = False, workers: int = 1) -> dict[str, Any]:
    """PSIS-LOO quantities per observation of one chunk, vectorised over its observations.

    :func:`brmspy.psis.loo_pointwise` computes r_eff, PSIS and the pointwise values of
    all observations of the chunk at once (equal to ArviZ's per-observation PSIS up to
    rounding).  ``with_arviz``: also ArviZ's ``ELPDDataLOO`` built from the same
    smoothed weights (kept by :func:`loo_chunked` when one chunk holds every observation).
    ``workers``: threads smoothing blocks of the chunk at once.
    """
    from ..criteria.psis import good_k, loo_pointwise

    pw: dict[str, Any] = loo_pointwise(ll3, log_weights=with_arviz, workers=workers)
    pw["good_k"] = good_k(ll3.shape[0] * ll3.shape[1])
    pw["az"] = None
    if with_arviz:
        from ..criteria.ic import _az_loo

        pw["az"] = _az_loo(ll3, pw.pop("log_weights"), pw["pareto_k"])
    return pw


def _loo_result(pw: dict[str, np.ndarray], S: int, name: str, good_k: float, az: Any,
                stacklevel: int = 4) -> "LooResult":
    """The LooResult (and the pareto-k warning) from pointwise PSIS-LOO values."""
    from ..criteria.ic import LooResult, _in_model, _table_of_estimates

    k = pw["pareto_k"]
    elpd_i = pw["elpd_loo"]
    pointwise = pd.DataFrame({"elpd_loo": elpd_i, "mcse_elpd_loo": pw["mcse_elpd_loo"], "p_loo": pw["p_loo"],
                              "looic": -2 * elpd_i, "influence_pareto_k": k})
    mcse = float(np.sqrt(np.sum(pw["mcse_elpd_loo"] ** 2))) if np.all(k <= good_k) else float("nan")
    res = LooResult("loo", _table_of_estimates(pointwise, ["elpd_loo", "p_loo", "looic"]), pointwise, S, len(k),
                    name, pareto_k=k, good_k=good_k, n_eff=pw["n_eff"], r_eff=pw["r_eff"], mcse_elpd_loo=mcse,
                    arviz=az)
    n_bad = int(np.sum(k > good_k))
    if n_bad:
        warnings.warn(
            f"Found {n_bad} observation(s) with a pareto_k > {good_k:.2g}{_in_model(name)}. We recommend "
            "loo(..., reloo=True) (exact refits for those observations) or kfold(); moment_match is not "
            "available in brmspy.", UserWarning, stacklevel=stacklevel)
    return res


def loo_chunked(fit: "BrmsFit", name: str = "", chunk_size: int | None = None, ndraws: int | None = None,
                seed: int | None = None, cores: int = 1) -> "LooResult":
    """PSIS-LOO computed chunk by chunk of observations; never holds the full draws × N matrix.

    Equal to the unchunked :func:`brmspy.criteria.loo` up to rounding (PSIS, r_eff and
    the MCSE are per observation; each chunk is smoothed by the vectorised
    :mod:`brmspy.psis`).  ``result.arviz`` is ArviZ's object when one chunk holds every
    observation, None when there are several chunks.

    With ``cores > 1`` a chunk is smoothed (by ``cores - 1`` threads) while the next
    chunk's log-likelihood is computed, so at most two chunks are held; the results
    do not depend on ``cores``.
    """
    keys = ("elpd_loo", "mcse_elpd_loo", "p_loo", "pareto_k", "n_eff", "r_eff")
    parts: dict[str, list[np.ndarray]] = {k: [] for k in keys}
    state = {"good_k": 0.7, "az": None, "S": 0, "n": 0}

    def collect(pw: dict[str, Any], S: int) -> None:
        for k in keys:
            parts[k].append(pw[k])
        state.update(good_k=pw["good_k"], az=pw["az"], S=S, n=state["n"] + 1)

    chunks = _ll_chunks(fit, chunk_size, ndraws, seed)
    if cores <= 1:
        for _, _, ll3 in chunks:
            collect(_loo_pointwise(ll3, with_arviz=ll3.shape[2] == fit.frame.N), ll3.shape[0] * ll3.shape[1])
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1) as smoother:  # numpy releases the GIL: PSIS overlaps the next log_lik
            pending = None
            for _, _, ll3 in chunks:
                if pending is not None:
                    collect(*pending.result())
                pending = smoother.submit(lambda x: (_loo_pointwise(x, x.shape[2] == fit.frame.N, cores - 1),
                                                     x.shape[0] * x.shape[1]), ll3)
                del ll3
            if pending is not None:
                collect(*pending.result())
    return _loo_result({k: np.concatenate(v) for k, v in parts.items()}, state["S"], name, state["good_k"],
                       state["az"] if state["n"] == 1 else None)


# ------------------------------------------------------------------ loo with subsampling


@dataclasses.dataclass(repr=False, eq=False)
class LooSubsampleResult:
    """PSIS-LOO estimated from a subsample of observations (brms's ``loo_subsample``).

    Attributes
    ----------
    estimates : DataFrame, rows elpd_loo, p_loo, looic; columns Estimate, SE and
        ``subsampling SE`` (the extra uncertainty from using a subsample).
    pointwise : the exact PSIS-LOO values of the subsampled observations, with their
        row index (``idx``) and the approximation (``elpd_loo_approx``).
    elpd_loo_approx : (N,) the cheap approximation of every observation's elpd_loo.
    loo_approximation : ``"plpd"`` or ``"lpd"``.
    nsamples, nobs, m : draws, observations and subsample size.
    pareto_k : Pareto k of the subsampled observations.
    """

    estimates: pd.DataFrame
    pointwise: pd.DataFrame
    elpd_loo_approx: np.ndarray
    loo_approximation: str
    nsamples: int
    nobs: int
    m: int
    pareto_k: np.ndarray
    good_k: float
    model_name: str = ""
    criterion: str = "loo"

    @property
    def elpd(self) -> float:
        return float(self.estimates.loc["elpd_loo", "Estimate"])

    @property
    def se(self) -> float:
        return float(self.estimates.loc["elpd_loo", "SE"])

    @property
    def subsampling_se(self) -> float:
        return float(self.estimates.loc["elpd_loo", "subsampling SE"])

    def __str__(self) -> str:
        est = self.estimates
        lines = [f"\nComputed from {self.nsamples} by {self.m} subsampled log-likelihood",
                 f"values from {self.nobs} total observations.", "",
                 f"{'':<9}{'Estimate':>9}{'SE':>8}{'subsampling SE':>16}"]
        for name, r in est.iterrows():
            lines.append(f"{name:<9}{r['Estimate']:>9.1f}{r['SE']:>8.1f}{r['subsampling SE']:>16.1f}")
        n_bad = int(np.sum(self.pareto_k > self.good_k))
        lines += ["------", f"Posterior approximation correction used? FALSE ({self.loo_approximation} "
                  "approximation, difference estimator)"]
        lines.append(f"All Pareto k estimates are good (k < {self.good_k:.2g})." if not n_bad else
                     f"{n_bad} of {self.m} subsampled Pareto k estimates exceed {self.good_k:.2g}.")
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        return str(self)


def _srs_diff_est(approx: np.ndarray, y: np.ndarray, idx: np.ndarray) -> tuple[float, float, float]:
    """Difference estimator under simple random sampling without replacement.

    Magnusson, Andersen, Jonasson & Vehtari (2020), eqs. (7)-(9), as loo's
    ``srs_diff_est``: returns (estimate of the total, its variance from subsampling,
    estimate of N var(y), i.e. the squared SE of the total as in full LOO).
    """
    N, m = len(approx), len(y)
    e = y - approx[idx]
    t_pi = float(np.sum(approx))
    t_pi2 = float(np.sum(approx**2))
    t_e = N * float(np.mean(e))
    y_hat = t_pi + t_e
    v_y_hat = N**2 * (1 - m / N) * float(np.var(e, ddof=1)) / m if m > 1 else float("nan")
    hat_v_y = (t_pi2 + N * float(np.mean(y**2 - approx[idx] ** 2))) - (1 / N) * (
        t_e**2 - v_y_hat + 2 * t_pi * y_hat - t_pi**2)
    return y_hat, v_y_hat, hat_v_y


def _srs_est(y: np.ndarray, N: int) -> tuple[float, float, float]:
    """Plain estimator of a total from a simple random sample (loo's ``srs_est``, used for p_loo)."""
    m = len(y)
    var = float(np.var(y, ddof=1)) if m > 1 else float("nan")
    return N * float(np.mean(y)), N**2 * (1 - m / N) * var / m, N * var


def _point_fit(fit: "BrmsFit") -> "BrmsFit":
    """A copy of ``fit`` with a single draw: the posterior mean of every Stan variable."""
    params = {k: np.asarray(v, dtype=float).mean(axis=(0, 1))[None, None] for k, v in fit.stan_draws.params.items()}
    stats = {k: np.zeros((1, 1)) for k in fit.stan_draws.sampler_stats}
    out = copy.copy(fit)
    out.stan_draws = _copy_with(fit.stan_draws, params=params, sampler_stats=stats)
    out.__dict__.pop("_named", None)
    out.__dict__.pop("criteria", None)
    return out


def loo_approximation(fit: "BrmsFit", method: str = "plpd", chunk_size: int | None = None,
                      ndraws: int | None = None, seed: int | None = None) -> np.ndarray:
    """Cheap per-observation approximation of elpd_loo for every row (for the difference estimator).

    ``"plpd"``: log p(y_i | posterior mean of the parameters) — one draw, cheap for any N
    (brms's default ``loo_approximation``); ``"lpd"``: log mean_s p(y_i | theta_s), the full
    log predictive density (costs one chunked pass over all draws).
    """
    from ..criteria.ic import _logmeanexp

    if method not in ("plpd", "lpd"):
        raise BrmsError(f"loo_approximation must be 'plpd' or 'lpd', got {method!r}.")
    out = np.empty(fit.frame.N)
    if method == "plpd":
        src = _point_fit(fit)
        for a, b, ll3 in _ll_chunks(src, chunk_size):
            out[a:b] = ll3.reshape(-1)
        return out
    for a, b, ll3 in _ll_chunks(fit, chunk_size, ndraws, seed):
        out[a:b] = _logmeanexp(ll3.reshape(-1, ll3.shape[2]))
    return out


def loo_subsample(fit: "BrmsFit", observations: int | np.ndarray = 400, name: str = "",
                  loo_approximation_method: str = "plpd", chunk_size: int | None = None,
                  ndraws: int | None = None, seed: int | None = None, cores: int = 1) -> LooSubsampleResult:
    """PSIS-LOO for large N from exact PSIS on a random subsample plus an approximation for all rows.

    The difference estimator of Magnusson et al. (2020) with simple random sampling
    without replacement (loo's ``loo_subsample`` with ``estimator = "diff_srs"``):
    ``elpd_hat = sum_i approx_i + N mean_{j in sample}(elpd_loo_j - approx_j)``.
    ``SE`` estimates the usual SE of elpd_loo (sqrt(N var(elpd_loo_i))),
    ``subsampling SE`` the extra error from subsampling; p_loo is estimated from
    the subsample alone (``N mean(p_loo_j)``).

    Parameters
    ----------
    observations : subsample size m, or the 0-based row indices to use.
    loo_approximation_method : ``"plpd"`` (default, as brms) or ``"lpd"``.
    chunk_size, ndraws, seed : as for :func:`brmspy.prediction.log_lik`; ``seed`` also draws the subsample.
    cores : threads for the (vectorised) PSIS of the subsampled rows.
    """
    N = fit.frame.N
    if isinstance(observations, (int, np.integer)) and not isinstance(observations, bool):
        m = int(observations)
        if m < 2 or m > N:
            raise BrmsError(f"subsample must be between 2 and the number of observations ({N}), got {m}.")
        idx = np.sort(np.random.default_rng(seed).choice(N, size=m, replace=False))
    else:
        idx = np.unique(np.asarray(observations, dtype=np.int64))
        if idx.size < 2 or idx.min() < 0 or idx.max() >= N:
            raise BrmsError(f"subsample indices must be at least two distinct rows in 0..{N - 1}.")
    approx = loo_approximation(fit, loo_approximation_method, chunk_size, ndraws, seed)
    sub = row_subset_fit(fit, idx)
    if sub is None:
        raise BrmsError(f"loo(subsample=...) needs rows that can be evaluated separately; this model has "
                        f"{_row_dependent_reason(fit.frame) or 'autocorrelation terms'}. Use loo(fit) instead.")
    if any(type(sp).__name__ == "AutocorDesign" for d in fit.frame.designs.values() for sp in d.specials):
        raise BrmsError("loo(subsample=...) is not available for models with autocorrelation terms; use loo(fit).")
    keys = ("elpd_loo", "p_loo", "pareto_k", "mcse_elpd_loo")
    parts: dict[str, list[np.ndarray]] = {k: [] for k in keys}
    good_k, S = 0.7, 0
    for _, _, ll3 in _ll_chunks(sub, chunk_size, ndraws, seed):
        pw = _loo_pointwise(ll3, workers=cores)  # vectorised PSIS of the subsampled rows
        for k in keys:
            parts[k].append(pw[k])
        good_k, S = pw["good_k"], ll3.shape[0] * ll3.shape[1]
    pw = {k: np.concatenate(v) for k, v in parts.items()}
    elpd, v_elpd, var_elpd = _srs_diff_est(approx, pw["elpd_loo"], idx)
    p, v_p, var_p = _srs_est(pw["p_loo"], N)
    est = pd.DataFrame({
        "Estimate": [elpd, p, -2 * elpd],
        "SE": [math.sqrt(max(var_elpd, 0.0)), math.sqrt(max(var_p, 0.0)), 2 * math.sqrt(max(var_elpd, 0.0))],
        "subsampling SE": [math.sqrt(max(v_elpd, 0.0)), math.sqrt(max(v_p, 0.0)), 2 * math.sqrt(max(v_elpd, 0.0))],
    }, index=["elpd_loo", "p_loo", "looic"])
    pointwise = pd.DataFrame({"idx": idx, "elpd_loo": pw["elpd_loo"], "mcse_elpd_loo": pw["mcse_elpd_loo"],
                              "p_loo": pw["p_loo"], "looic": -2 * pw["elpd_loo"],
                              "influence_pareto_k": pw["pareto_k"], "elpd_loo_approx": approx[idx]})
    n_bad = int(np.sum(pw["pareto_k"] > good_k))
    if n_bad:
        warnings.warn(f"Found {n_bad} subsampled observation(s) with a pareto_k > {good_k:.2g}.", UserWarning,
                      stacklevel=3)
    return LooSubsampleResult(est, pointwise, approx, loo_approximation_method, S, N, len(idx), pw["pareto_k"],
                              good_k, name)
