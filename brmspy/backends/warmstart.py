"""Warm start: NUTS's first inverse metric from the posterior's curvature at its mode.

Stan's warmup starts from the unit metric.  When the posterior's scales differ by orders
of magnitude, as they do with many rows (a slope known to 0.002 next to group effects known
to 0.1), the first adaptation window runs trees of up to 1023 leapfrog steps until the
metric catches up: for the poisson ``y ~ x + (1 | g)`` benchmark with 10^5 rows, 13,000 of a
chain's 47,000 gradients went into its first 100 warmup iterations.  Starting from the
inverse of the diagonal of the negative Hessian at the mode (one L-BFGS search and one
gradient per parameter) removes that phase.  A metric scaled to the mode's neighbourhood
takes small steps, so chains without user inits start near the mode, dispersed by twice the
curvature's scale (overdispersed against the mode's Gaussian approximation, so R-hat still
compares dispersed starts) rather than at Stan's uniform(-2, 2), which can lie hundreds of
posterior sds away.  Warmup still adapts the metric and the posterior is the same.

Examples
--------
>>> import numpy as np
>>> scales = np.array([0.01, 1.0, 100.0])
>>> def log_prob_grad(theta):  # independent normals with those sds, mode at 0
...     return float(-0.5 * np.sum((theta / scales) ** 2)), -theta / scales**2
>>> ws = mode_curvature_metric(log_prob_grad, np.zeros(3))
>>> np.allclose(np.sqrt(ws.inv_metric), scales)
True
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from ..core.errors import SamplerWarning, warn
from ..codegen.tuning import CENTERED_MIN_ROWS

logger = logging.getLogger("brmspy")

#: ``warm_start="auto"`` warm-starts models with at least this many rows: there a gradient is
#: costly and the unit metric's first window dominates warmup; below, warmup takes seconds anyway.
WARM_START_MIN_ROWS = 10_000
#: One gradient per parameter is the curvature's cost; beyond this many parameters it is not
#: worth it (and a diagonal is a poor summary of such a posterior anyway).
WARM_START_MAX_PARAMS = 20_000
# Relative forward-difference step: rounding in a 10^6-term gradient is ~1e-9, far below it.
_REL_STEP = 1e-5
# Chains start at mode + INIT_SPREAD * sqrt(inv_metric) * N(0, 1).
INIT_SPREAD = 2.0
# Above this share of unusable curvature entries the point is no mode: use no warm start.
_MAX_BAD_SHARE = 0.5

LogProbGrad = Callable[[np.ndarray], "tuple[float, np.ndarray]"]


@dataclass(frozen=True)
class WarmStart:
    """A starting inverse metric and where it came from.

    Attributes
    ----------
    inv_metric : the diagonal inverse metric, one entry per unconstrained parameter.
    mode : the unconstrained point where the curvature was taken.
    n_fallback : parameters whose curvature was not positive and finite (they start at 1).
    seconds : time spent finding the mode and the curvature.
    """

    inv_metric: np.ndarray
    mode: np.ndarray
    n_fallback: int
    seconds: float


def resolve_warm_start(
    option: "bool | str", n_rows: int, standardized: Sequence[str] = (), rows_per_level: float | None = None
) -> bool:
    """``brm(warm_start=...)`` as a yes/no.

    ``"auto"`` means at least :data:`WARM_START_MIN_ROWS` rows, no standardized (non-centered)
    effects in the program (``standardized``: ``z_1``, ``zs_1_1``, ...) and, where there are
    grouping factors, at least :data:`~brmspy.codegen.tuning.CENTERED_MIN_ROWS` rows per level
    in the factor with the fewest (``rows_per_level``).  Only then is the joint mode near the
    posterior.  With standardized effects the data see only ``sd * z``, and the search slides
    along that ridge to a huge sd with tiny ``z``, or to sd near 0.  In the InstEval-like
    benchmark the "mode" had sd_1 = 143 (posterior 0.33), sd_2 = 5e-32 and Intercept 6.7
    (posterior 3.3); the metric for ``z_1`` was 10^5 times too small and the fit took 317-433 s
    instead of 205 s.  Centered effects over levels of a few rows each collapse too, into the
    funnel's neck: centered, the same model's "mode" had sd_1 = 0 and sigma 2.8 (posterior 1.18),
    and the fit took 166 s cold but over 25 minutes warm.  Levels of 100+ rows pin their effects down: a 14-level centered factor
    over 10^5 rows warm-started fine.  ``True`` warm-starts anyway, with a warning in those cases.

    Examples
    --------
    >>> resolve_warm_start("auto", 100_000), resolve_warm_start("auto", 180), resolve_warm_start(True, 180)
    (True, False, True)
    >>> resolve_warm_start("auto", 100_000, standardized=("z_1",)), resolve_warm_start("auto", 100_000, (), 25.0)
    (False, False)
    """
    few_rows = rows_per_level is not None and rows_per_level < CENTERED_MIN_ROWS
    if option == "auto":
        return n_rows >= WARM_START_MIN_ROWS and not standardized and not few_rows
    if isinstance(option, (bool, np.bool_)):
        if option and (standardized or few_rows):
            why = (
                f"non-centered parameters ({', '.join(standardized[:3])}{', ...' if len(standardized) > 3 else ''})"
                if standardized
                else f"a grouping factor with {rows_per_level:.0f} rows per level (under {CENTERED_MIN_ROWS})"
            )
            warn(
                f"warm_start=True with {why}: the posterior mode is far from the posterior there "
                "(sd near 0 or huge), so the warm start can slow warmup down; warm_start='auto' "
                "leaves such models alone.",
                SamplerWarning,
            )
        return bool(option)
    raise ValueError(f"warm_start must be 'auto', True or False, got {option!r}")


def diagonal_curvature(log_prob_grad: LogProbGrad, point: np.ndarray) -> np.ndarray:
    """Diagonal of the negative Hessian of the log density at ``point`` (forward differences).

    Costs one gradient per parameter plus one.
    """
    point = np.asarray(point, dtype=np.float64)
    _, g0 = log_prob_grad(point)
    g0 = np.asarray(g0, dtype=np.float64)
    out = np.empty(point.size)
    for i in range(point.size):
        step = _REL_STEP * max(1.0, abs(point[i]))
        moved = point.copy()
        moved[i] += step
        _, g = log_prob_grad(moved)
        out[i] = -(g[i] - g0[i]) / step
    return out


def mode_curvature_metric(log_prob_grad: LogProbGrad, mode: np.ndarray) -> WarmStart | None:
    """The warm-start metric at a given ``mode``: the inverse of :func:`diagonal_curvature`.

    Entries whose curvature is not positive and finite get 1 (the unit metric's value).
    Returns ``None`` when the point is not a usable mode (non-finite, or curvature unusable
    in over half of the parameters).
    """
    t0 = time.perf_counter()
    mode = np.asarray(mode, dtype=np.float64).ravel()
    if mode.size == 0 or not np.all(np.isfinite(mode)):
        return None
    try:
        curv = diagonal_curvature(log_prob_grad, mode)
    except (RuntimeError, ValueError, FloatingPointError) as exc:  # the density failed near the mode
        logger.info("No warm start: the curvature at the mode failed (%s).", exc)
        return None
    good = np.isfinite(curv) & (curv > 0)
    bad = int(np.sum(~good))
    if bad > _MAX_BAD_SHARE * mode.size:
        logger.info("No warm start: the curvature is not positive for %d of %d parameters.", bad, mode.size)
        return None
    inv = np.ones(mode.size)
    inv[good] = 1.0 / curv[good]
    return WarmStart(inv_metric=inv, mode=mode, n_fallback=bad, seconds=time.perf_counter() - t0)


def warm_start(
    log_prob_grad: LogProbGrad, n_params: int, find_mode: Callable[[], np.ndarray]
) -> WarmStart | None:
    """Find the mode with ``find_mode()`` and return the warm-start metric there, or ``None``.

    ``None`` (sample from the unit metric, as without a warm start) when there are more than
    :data:`WARM_START_MAX_PARAMS` parameters or the mode search fails; the reason is logged.
    """
    if n_params < 1 or n_params > WARM_START_MAX_PARAMS:
        return None
    t0 = time.perf_counter()
    try:
        mode = np.asarray(find_mode(), dtype=np.float64)
    except (RuntimeError, ValueError, FloatingPointError) as exc:
        logger.info("No warm start: the mode search failed (%s).", exc)
        return None
    ws = mode_curvature_metric(log_prob_grad, mode)
    return None if ws is None else dataclasses.replace(ws, seconds=time.perf_counter() - t0)


def dispersed_inits(ws: WarmStart, chains: int, seed: int) -> np.ndarray:
    """One unconstrained start per chain: the mode plus :data:`INIT_SPREAD` curvature sds of noise.

    Examples
    --------
    >>> ws = WarmStart(np.array([1e-6, 4.0]), np.array([0.3, 1.0]), 0, 0.0)
    >>> dispersed_inits(ws, 4, seed=1).shape
    (4, 2)
    """
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((chains, ws.mode.size))
    return ws.mode + INIT_SPREAD * np.sqrt(ws.inv_metric) * noise
