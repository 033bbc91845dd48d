"""Linear predictors from the draws: population-level and group-level parts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.errors import DataError
from ..formula.prefix import Prefix
from ..frame.columns import level_labels
from ..frame.groups import by_level_index, mm_weights_for
from ..frame.types import ReBlock
from .context import PredictionContext, _flat


def _population(ctx: PredictionContext, prefix: Prefix, intercept: bool = True) -> np.ndarray:
    design = ctx.fit.frame.designs[prefix]
    s = prefix.suffix
    S, N = len(ctx.idx), len(ctx.data)
    eta = np.zeros((S, N))
    if design.intercept and intercept:
        eta += _flat(ctx.params[f"b{s}_Intercept"], ctx.idx)[:, None]
    if design.coef_names:
        if ctx.is_new:
            X = design.spec.matrix(ctx.data)
        else:
            X = design.X
        Xb = X[:, 1:] if design.intercept else X
        eta += _flat(ctx.params[f"b{s}"], ctx.idx) @ Xb.T
    for sp in design.specials:  # offset(), mo(), s(), ...
        eta = eta + sp.eta(lambda name: _flat(ctx.params[name], ctx.idx), ctx.data if ctx.is_new else None)
    return eta


def _level_index(block: ReBlock, data: pd.DataFrame, member: int, ctx: PredictionContext) -> np.ndarray:
    """0-based level index per row; -1 for levels not in the fitted data."""
    var = (block.group_vars[member],) if block.is_mm else block.group_vars
    labels = level_labels(data, var)
    index = pd.Index(block.levels).get_indexer(labels).astype(np.int64)  # -1: not a fitted level
    if (index < 0).any() and not ctx.allow_new_levels:
        new = sorted(set(labels[index < 0]))
        raise DataError(
            f"Level(s) {new[:5]} of grouping factor {block.group!r} are not in the fitted data. "
            "Use allow_new_levels=True to predict for new levels (see sample_new_levels)."
        )
    return index


def _block_effects(ctx: PredictionContext, block: ReBlock, index: np.ndarray) -> np.ndarray:
    """Group-level effects per draw, row and coefficient: (S, N, M)."""
    S = len(ctx.idx)
    r = np.stack([_flat(ctx.params[f"r_{block.id}_{c.prefix.label}{j + 1}"], ctx.idx) for j, c in enumerate(block.coefs)],
                 axis=-1)  # (S, levels, M)
    out = r[:, np.clip(index, 0, None), :]
    new_rows = np.flatnonzero(index < 0)
    if new_rows.size:
        new_labels, inverse = np.unique(index[new_rows] * 0 + np.arange(new_rows.size), return_inverse=True)
        by_idx = None
        if block.by and ctx.sample_new_levels == "gaussian":  # sds of each new row's by-level
            by_idx = by_level_index(block, ctx.data.iloc[new_rows])
        effects = _new_level_effects(ctx, block, r, len(new_labels), by_idx)  # (S, n_new, M)
        out[:, new_rows, :] = effects[:, inverse, :]
    return out


def _new_level_effects(ctx: PredictionContext, block: ReBlock, r: np.ndarray, n_new: int,
                       by_idx: np.ndarray | None = None) -> np.ndarray:
    S, L, M = r.shape
    if ctx.sample_new_levels == "old_levels":
        pick = ctx.rng.integers(0, L, n_new)
        return r[:, pick, :]
    if ctx.sample_new_levels == "uncertainty":
        pick = ctx.rng.integers(0, L, (S, n_new))
        return np.take_along_axis(r, pick[:, :, None].repeat(M, axis=2), axis=1)
    # "gaussian": draw from the estimated multivariate normal of the block
    sd = _flat(ctx.params[f"sd_{block.id}"], ctx.idx)
    z = ctx.rng.standard_normal((S, n_new, M))
    if block.by and by_idx is not None:  # (S, M, Nby) sds: each new level takes its row's by-level
        sd_n = np.moveaxis(sd[:, :, by_idx], 2, 1)  # (S, n_new, M)
        if block.has_cor:
            L_ = _flat(ctx.params[f"L_{block.id}"], ctx.idx)[:, by_idx]  # (S, n_new, M, M)
            return np.einsum("snij,snj->sni", sd_n[..., None] * L_, z)
        return z * sd_n
    if block.by:
        sd = sd[..., 0]  # by-level of a new level is unknown: use the first
    if block.has_cor:
        L_ = _flat(ctx.params[f"L_{block.id}"], ctx.idx)
        if block.by:
            L_ = L_[:, 0]
        return np.einsum("sij,snj->sni", sd[:, :, None] * L_, z)
    return z * sd[:, None, :]


def _group_effects(ctx: PredictionContext, prefix: Prefix) -> np.ndarray:
    S, N = len(ctx.idx), len(ctx.data)
    eta = np.zeros((S, N))
    for block in ctx.fit.frame.blocks:
        include = ctx.blocks.get(block.id, set())
        js = [j for j, c in enumerate(block.coefs) if c.prefix == prefix and c.label in include]
        if not js:
            continue
        members = range(len(block.J)) if block.is_mm else [0]
        if block.is_mm:  # scaled weights of each member (brmspy.frame.groups)
            weights = mm_weights_for(block, ctx.data) if ctx.is_new else block.mm_weights
        for m in members:
            index = _level_index(block, ctx.data, m, ctx) if ctx.is_new else block.J[m] - 1
            eff = _block_effects(ctx, block, index)
            weight = weights[m] if block.is_mm else 1.0
            for j in js:
                c = block.coefs[j]
                Z = c.Z_for(ctx.data) if ctx.is_new else c.Z
                eta += eff[:, :, j] * (weight * Z)[None, :]
    return eta
