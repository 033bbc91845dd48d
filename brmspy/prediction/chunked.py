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
from typing import Any, Callable, Iterator

import numpy as np
import pandas as pd

from ..core.frames import as_pandas
from ..core.errors import BrmsError
from ..fit.brmsfit import BrmsFit
from ..frame.types import ModelFrame
from .context import draw_indices

__all__ = ["DEFAULT_CELLS", "auto_chunk_size", "chunk_bounds", "chunked_call", "copy_with", "iter_chunks",
           "row_dependent_reason", "row_subset_fit"]

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


def copy_with(obj: Any, **changes: Any) -> Any:
    """A shallow copy of ``obj`` (a fit, frame or draws) with the given attributes replaced."""
    new = copy.copy(obj)
    for k, v in changes.items():
        setattr(new, k, v)
    return new


def row_dependent_reason(frame: "ModelFrame") -> str | None:
    """Why the fitted data cannot be evaluated by row slices (None: it can), in words for messages."""
    if frame.resp_rows is not None:
        return "responses fitted on different rows (subset())"
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
            adds = copy_with(adds, **{f.name: _slice(getattr(adds, f.name), rows, n)
                                       for f in dataclasses.fields(adds)})
        responses[key] = copy_with(rd, y=_slice(rd.y, rows, n), trials=_slice(rd.trials, rows, n),
                                    dec=_slice(rd.dec, rows, n),
                                    weights=_slice(rd.weights, rows, n), adds=adds)
    designs = {}
    for prefix, d in frame.designs.items():
        specials = []
        for sp in d.specials:
            keys = _SLICEABLE_SPECIALS[type(sp).__name__]
            specials.append(copy_with(sp, **{k: _slice(getattr(sp, k), rows, n) for k in keys}))
        designs[prefix] = copy_with(d, X=_slice(d.X, rows, n), Xcs=_slice(d.Xcs, rows, n), specials=specials)
    blocks = []
    for b in frame.blocks:
        coefs = [copy_with(c, Z=_slice(c.Z, rows, n), Zm=None if c.Zm is None else [_slice(z, rows, n) for z in c.Zm])
                 for c in b.coefs]
        mm = None if b.mm_weights is None else [_slice(w, rows, n) for w in b.mm_weights]
        blocks.append(copy_with(b, J=[_slice(j, rows, n) for j in b.J], coefs=coefs, mm_weights=mm))
    data = frame.data.iloc[rows].reset_index(drop=True)
    return copy_with(frame, data=data, responses=responses, designs=designs, blocks=blocks)


def row_subset_fit(fit: "BrmsFit", rows: np.ndarray | slice) -> "BrmsFit | None":
    """A shallow copy of ``fit`` whose model frame holds only ``rows`` of the fitted data.

    The predictions functions evaluated on it (fitted-data path) give exactly the
    columns ``rows`` of their result on ``fit``.  Returns None when the model's
    rows cannot be evaluated separately (autocorrelation, imputed responses,
    special terms other than ``offset()``).
    """
    frame = fit.frame
    if row_dependent_reason(frame) is not None:
        return None
    idx = np.arange(frame.N)[rows] if isinstance(rows, slice) else np.asarray(rows, dtype=np.int64)
    sub = _frame_rows(frame, idx)
    if len(idx) != frame.N and _leftover_rows([sub.responses, sub.designs, sub.blocks], frame.N, set()):
        return None
    out = copy.copy(fit)
    out.build = copy_with(fit.build, frame=sub)
    out.__dict__.pop("criteria", None)  # stored criteria belong to the whole data
    return out


def _draw_subset_fit(fit: "BrmsFit", idx: np.ndarray) -> "BrmsFit":
    """A shallow copy of ``fit`` holding only the draws ``idx`` (one chain), so every chunk uses them."""
    params = {k: np.asarray(v).reshape((-1, *np.shape(v)[2:]))[idx][None] for k, v in fit.stan_draws.params.items()}
    stats = {k: np.asarray(v).reshape(-1)[idx][None] for k, v in fit.stan_draws.sampler_stats.items()}
    out = copy.copy(fit)
    out.stan_draws = copy_with(fit.stan_draws, params=params, sampler_stats=stats)
    out.__dict__.pop("_named", None)
    out.__dict__.pop("criteria", None)
    return out


def _unchunkable(fit: "BrmsFit", newdata: pd.DataFrame | None) -> bool:
    """Rows that depend on each other (time series; new data whose design uses ``mean(x)`` & co.) are never split."""
    for design in fit.frame.designs.values():
        if any(type(sp).__name__ == "AutocorDesign" for sp in design.specials):
            return True
    if newdata is not None and fit.frame.spec.row_dependent:
        return True  # e.g. I(x - mean(x)): brms takes the mean over all of newdata, not per chunk
    if newdata is not None and any(t.response.addition("subset") is not None for t in fit.frame.response_terms):
        return True  # subset(): fewer rows are predicted than newdata has, so chunks of newdata do not line up
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
    newdata = None if newdata is None else as_pandas(newdata, "newdata")
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


# ------------------------------------------------------------------ loo with subsampling


