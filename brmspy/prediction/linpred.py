"""Linear predictors from the draws: population-level and group-level parts.

The per-row values (design columns, special terms' columns, level indices, ``Z``, ``mm()``
weights) come from ``ctx.rows`` (:class:`brmspy.frame.spec.FrameRows`), the same for the
model data and new data; this module multiplies them with the draws.
"""

from __future__ import annotations

import numpy as np

from ..core.errors import BrmsError
from ..formula.prefix import Prefix
from ..frame.types import ReBlock
from .context import PredictionContext


def population_part(ctx: PredictionContext, prefix: Prefix, intercept: bool = True) -> np.ndarray:
    """The population-level part of a linear predictor, (draws, rows): intercept, ``X b`` and special terms.

    ``intercept=False`` leaves the intercept out (ordinal families: it holds the thresholds).
    """
    design = ctx.fit.frame.designs[prefix]
    s = prefix.suffix
    eta = np.zeros((ctx.S, ctx.N))
    if design.intercept and intercept:
        eta += ctx.draws(f"b{s}_Intercept")[:, None]
    if design.coef_names:
        X = ctx.rows.X(prefix)
        Xb = X[:, 1:] if design.intercept else X
        eta += ctx.draws(f"b{s}") @ Xb.T
    for k, sp in enumerate(design.specials):  # offset(), mo(), s(), ...
        eta = eta + sp.eta(ctx.draws, ctx.rows.special_columns(prefix, k))
    return eta


def _block_effects(ctx: PredictionContext, block: ReBlock, index: np.ndarray) -> np.ndarray:
    """Group-level effects per draw, row and coefficient: (S, N, M)."""
    r = np.stack([ctx.draws(f"r_{block.id}_{c.prefix.label}{j + 1}") for j, c in enumerate(block.coefs)],
                 axis=-1)  # (S, levels, M)
    out = r[:, np.clip(index, 0, None), :]
    new_rows = np.flatnonzero(index < 0)
    if new_rows.size:
        new_labels, inverse = np.unique(index[new_rows] * 0 + np.arange(new_rows.size), return_inverse=True)
        by_idx = None
        if block.by and ctx.sample_new_levels == "gaussian":  # sds of each new row's by-level
            by_idx = ctx.rows.by_index(block.id, new_rows)
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
    if block.is_student:
        raise BrmsError("Option sample_new_levels = 'gaussian' is not available for non-gaussian group-level effects "
                        f"({block.terms[0].label}); use sample_new_levels = 'uncertainty' or 'old_levels' (as brms).")
    sd = ctx.draws(f"sd_{block.id}")
    z = ctx.rng.standard_normal((S, n_new, M))
    if block.by and by_idx is not None:  # (S, M, Nby) sds: each new level takes its row's by-level
        sd_n = np.moveaxis(sd[:, :, by_idx], 2, 1)  # (S, n_new, M)
        if block.has_cor:
            L_ = ctx.draws(f"L_{block.id}")[:, by_idx]  # (S, n_new, M, M)
            return np.einsum("snij,snj->sni", sd_n[..., None] * L_, z)
        return z * sd_n
    if block.by:
        sd = sd[..., 0]  # by-level of a new level is unknown: use the first
    if block.has_cor:
        L_ = ctx.draws(f"L_{block.id}")
        if block.by:
            L_ = L_[:, 0]
        return np.einsum("sij,snj->sni", sd[:, :, None] * L_, z)
    return z * sd[:, None, :]


def group_part(ctx: PredictionContext, prefix: Prefix) -> np.ndarray:
    """The group-level part of a linear predictor, (draws, rows): ``sum r[level] * Z`` over the included effects.

    Effects of levels absent from the model data (new data with ``allow_new_levels``) are
    drawn as ``ctx.sample_new_levels`` says.
    """
    eta = np.zeros((ctx.S, ctx.N))
    for block in ctx.fit.frame.blocks:
        include = ctx.blocks.get(block.id, set())
        js = [j for j, c in enumerate(block.coefs) if c.prefix == prefix and c.label in include and c.kind != "cs"]
        if not js:
            continue
        members = range(len(block.J)) if block.is_mm else [0]
        if block.is_mm:  # scaled weights of each member (brmspy.frame.groups)
            weights = ctx.rows.mm_weights(block.id)
        for m in members:
            eff = _block_effects(ctx, block, ctx.rows.level_index(block.id, m))
            weight = weights[m] if block.is_mm else 1.0
            for j in js:
                eta += eff[:, :, j] * (weight * _z(ctx, prefix, block, j, m))
    return eta


def _z(ctx: PredictionContext, prefix: Prefix, block: ReBlock, j: int, member: int = 0) -> np.ndarray:
    """What effect ``j`` of ``block`` multiplies: its ``Z`` column (``member``'s for ``mmc()``), or for a varying
    sp coefficient (``(mo(x) | g)``) the sp term's value, (draws or 1, rows)."""
    c = block.coefs[j]
    if c.kind != "sp":
        return ctx.rows.Z(block.id, j, member)[None, :]
    design = ctx.fit.frame.designs[prefix]
    for i, sp in enumerate(design.specials):
        rows = {r.coef: r.k for r in getattr(sp, "rows", [])}
        if c.name in rows:
            value = sp.row_value(rows[c.name], ctx.draws, ctx.rows.special_columns(prefix, i))
            return np.broadcast_to(value, np.shape(value)) if np.ndim(value) == 2 else np.full((1, ctx.N), value)
    raise AssertionError(f"internal: no sp term {c.name!r} for a group-level effect")


def group_cs_part(ctx: PredictionContext, prefix: Prefix, nthres: int) -> np.ndarray | None:
    """Category-specific group-level effects (``(cs(x) | g)``) per threshold, (draws, rows, nthres); None without."""
    out = None
    for block in ctx.fit.frame.blocks:
        include = ctx.blocks.get(block.id, set())
        js = [j for j, c in enumerate(block.coefs) if c.prefix == prefix and c.kind == "cs" and c.label in include]
        if not js:
            continue
        out = np.zeros((ctx.S, ctx.N, nthres)) if out is None else out
        members = range(len(block.J)) if block.is_mm else [0]
        weights = ctx.rows.mm_weights(block.id) if block.is_mm else None
        for m in members:
            eff = _block_effects(ctx, block, ctx.rows.level_index(block.id, m))
            weight = weights[m] if weights is not None else 1.0
            for j in js:
                out[:, :, block.coefs[j].thres - 1] += eff[:, :, j] * (weight * ctx.rows.Z(block.id, j))[None, :]
    return out


def linear_predictor(ctx: PredictionContext, prefix: Prefix) -> np.ndarray:
    """A linear predictor without autocorrelation terms: :func:`population_part` + :func:`group_part`."""
    return population_part(ctx, prefix) + group_part(ctx, prefix)


__all__ = ["group_cs_part", "group_part", "linear_predictor", "population_part"]
