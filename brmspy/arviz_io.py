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
    """Rank-normalised split R-hat (Vehtari et al. 2021)."""
    import arviz_stats as azs

    return np.asarray(azs.rhat(np.asarray(x, dtype=float), method="rank"))


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
