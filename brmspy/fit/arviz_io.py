"""Every call into ArviZ 1.x lives here (diagnostics and conversion).

ArviZ 1.x (arviz-base / arviz-stats / arviz-plots) is a rewrite of 0.x; keeping
the calls in one module keeps the rest of brmspy independent of its API.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np


def ess_bulk(x: np.ndarray) -> np.ndarray:
    """Rank-normalised bulk ESS of draws shaped (chain, draw, ...)."""
    import arviz_stats as azs

    return np.asarray(azs.ess(np.asarray(x, dtype=float), method="bulk"))


def ess_tail(x: np.ndarray) -> np.ndarray:
    """Tail ESS: the smaller ESS of the 5% and 95% quantile indicators."""
    import arviz_stats as azs

    x = np.asarray(x, dtype=float)
    return np.asarray(azs.ess(x, method="tail", prob=0.05))


def rhat(x: np.ndarray) -> np.ndarray:
    """Rank-normalised split R-hat (Vehtari et al. 2021) of draws shaped (chain, draw, ...).

    A single chain is split in two halves, as R's ``posterior::rhat`` (and so brms) does;
    ArviZ returns NaN there.
    """
    import arviz_stats as azs

    x = np.asarray(x, dtype=float)
    if x.ndim == 2 and x.shape[0] == 1:
        return np.asarray(_rank_rhat_one_chain(x[0]))
    return np.asarray(azs.rhat(x, method="rank"))


def _rank_rhat_one_chain(x: np.ndarray) -> float:
    """``posterior::rhat`` of one chain: max of bulk and tail (folded) split R-hat on z-scaled ranks."""
    from scipy import stats

    n = x.size
    if n < 4 or not np.all(np.isfinite(x)) or np.ptp(x) == 0:
        return float("nan")
    half = n // 2

    def split_z(a: np.ndarray) -> np.ndarray:
        parts = np.vstack([a[:half], a[n - half:]])  # the middle draw of an odd chain is dropped
        r = stats.rankdata(parts, method="average").reshape(parts.shape)
        return stats.norm.ppf((r - 3 / 8) / (parts.size + 1 / 4))

    def basic(z: np.ndarray) -> float:
        m = z.shape[1]
        between = m * np.var(z.mean(axis=1), ddof=1)
        within = np.mean(np.var(z, axis=1, ddof=1))
        return float(np.sqrt((between / within + m - 1) / m))

    return max(basic(split_z(x)), basic(split_z(np.abs(x - np.median(x)))))


def bfmi(energy: np.ndarray) -> np.ndarray:
    """E-BFMI per chain from the sampler's energy, shaped (chain, draw)."""
    energy = np.asarray(energy, dtype=float)
    num = np.mean(np.square(np.diff(energy, axis=1)), axis=1)
    den = np.var(energy, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return num / den


def to_datatree(
    posterior: Mapping[str, np.ndarray],
    sample_stats: Mapping[str, np.ndarray],
    observed: Mapping[str, np.ndarray] | None = None,
    attrs: Mapping[str, str] | None = None,
):
    """Build an ArviZ DataTree from brms-named draws (each array (chain, draw, ...))."""
    import arviz_base as azb

    stats = {k.rstrip("_"): v for k, v in sample_stats.items()}
    # ArviZ's conventional names for the sampler statistics
    rename = {"lp": "lp", "accept_stat": "acceptance_rate", "stepsize": "step_size", "treedepth": "tree_depth",
              "n_leapfrog": "n_steps", "divergent": "diverging", "energy": "energy"}
    stats = {rename.get(k, k): (v.astype(bool) if k == "divergent" else v) for k, v in stats.items()}
    groups: dict[str, dict[str, np.ndarray]] = {"posterior": dict(posterior), "sample_stats": stats}
    if observed:
        groups["observed_data"] = {k: np.asarray(v) for k, v in observed.items()}
    tree = azb.from_dict(groups, check_conventions=False)
    tree.attrs.update(dict(attrs or {}))
    return tree
