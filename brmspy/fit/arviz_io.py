"""Every call into ArviZ 1.x lives here (conversion; R-hat and ESS are ArviZ's numbers computed by
:mod:`brmspy.fit.convergence`, which does not import ArviZ).

ArviZ 1.x (arviz-base / arviz-stats / arviz-plots) is a rewrite of 0.x; keeping
the calls in one module keeps the rest of brmspy independent of its API.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from . import convergence


def ess_bulk(x: np.ndarray) -> np.ndarray:
    """Rank-normalised bulk ESS of draws shaped (chain, draw, ...) (ArviZ's numbers, without
    importing ArviZ: :mod:`brmspy.fit.convergence`)."""
    return convergence.ess_bulk(x)


def ess_tail(x: np.ndarray) -> np.ndarray:
    """Tail ESS: the smaller ESS of the 5% and 95% quantile indicators (:mod:`brmspy.fit.convergence`)."""
    return convergence.ess_tail(x, prob=0.05)


def rhat(x: np.ndarray) -> np.ndarray:
    """Rank-normalised split R-hat (Vehtari et al. 2021) of draws shaped (chain, draw, ...).

    ArviZ's ``rhat(method="rank")`` (:mod:`brmspy.fit.convergence`).  A single chain is split in
    two halves, as R's ``posterior::rhat`` (and so brms) does; ArviZ returns NaN there.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim == 2 and x.shape[0] == 1:
        return np.asarray(_rank_rhat_one_chain(x[0]))
    return convergence.rhat(x)


def rhat_ess(x: np.ndarray) -> convergence.Convergence:
    """:func:`rhat`, :func:`ess_bulk` and :func:`ess_tail` of draws shaped (chain, draw), computed together
    (:func:`brmspy.fit.convergence.rhat_ess`; one chain's R-hat as :func:`rhat`)."""
    x = np.asarray(x, dtype=float)
    out = convergence.rhat_ess(x, prob=0.05)
    if x.shape[0] == 1:
        out = out._replace(rhat=float(_rank_rhat_one_chain(x[0])))
    return out


def _rank_rhat_one_chain(x: np.ndarray) -> float:
    """``posterior::rhat`` of one chain: max of bulk and tail (folded) split R-hat on z-scaled ranks."""
    n = x.size
    if n < 4 or not np.all(np.isfinite(x)) or np.ptp(x) == 0:
        return float("nan")
    half = n // 2

    def split_z(a: np.ndarray) -> np.ndarray:
        parts = np.vstack([a[:half], a[n - half:]])  # the middle draw of an odd chain is dropped
        return convergence.z_scale(parts)

    return max(convergence.rhat_basic(split_z(x)), convergence.rhat_basic(split_z(np.abs(x - np.median(x)))))


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
    *,
    log_likelihood: Mapping[str, np.ndarray] | None = None,
    posterior_predictive: Mapping[str, np.ndarray] | None = None,
    constant_data: Mapping[str, np.ndarray] | None = None,
    dims: Mapping[str, Sequence[str]] | None = None,
    coords: Mapping[str, Sequence[Any]] | None = None,
):
    """Build an ArviZ DataTree from brms-named draws (each array (chain, draw, ...)).

    ``dims`` maps a variable name to the names of its dimensions after (chain, draw) (for data
    groups: all its dimensions); one name in several groups (the response in ``observed_data``,
    ``posterior_predictive`` and ``log_likelihood``) has the same dims in each, as ArviZ's
    ``loo`` and ``plot_ppc_dist`` expect.
    """
    import arviz_base as azb

    stats = {k.rstrip("_"): v for k, v in sample_stats.items()}
    # ArviZ's conventional names for the sampler statistics
    rename = {"lp": "lp", "accept_stat": "acceptance_rate", "stepsize": "step_size", "treedepth": "tree_depth",
              "n_leapfrog": "n_steps", "divergent": "diverging", "energy": "energy"}
    stats = {rename.get(k, k): (v.astype(bool) if k == "divergent" else v) for k, v in stats.items()}
    groups: dict[str, dict[str, np.ndarray]] = {"posterior": dict(posterior), "sample_stats": stats}
    for name, group in (("posterior_predictive", posterior_predictive), ("log_likelihood", log_likelihood),
                        ("observed_data", observed), ("constant_data", constant_data)):
        if group:
            groups[name] = {k: np.asarray(v) for k, v in group.items()}
    tree = azb.from_dict(groups, dims={k: list(v) for k, v in (dims or {}).items()},
                         coords={k: list(v) for k, v in (coords or {}).items()}, check_conventions=False)
    tree.attrs.update(dict(attrs or {}))
    return tree


def stack_group_effects(draws: Mapping[str, np.ndarray], info: Mapping[str, Any]
                        ) -> tuple[dict[str, np.ndarray], dict[str, list[str]], dict[str, list[str]]]:
    """One variable per grouping factor: ``r_Subject[308,Intercept]`` ... -> ``r_Subject`` (chain, draw, level, coef).

    Returns the variables, their dims (the grouping factor's name and ``coef``) and the coords
    (levels in the data's order, coefficient names).  When two grouping factors have different
    coefficients, each gets its own coefficient dim ``<group>_coef`` (one dim name has one set of
    coordinates in a DataTree).
    """
    parts: dict[str, dict[str, Any]] = {}
    for name, pinfo in info.items():
        if getattr(pinfo, "kind", None) != "r" or name not in draws:
            continue
        var = name.split("[", 1)[0]
        level, coef = name[len(var) + 1:-1].rsplit(",", 1)
        p = parts.setdefault(var, {"group": pinfo.group, "levels": [], "coefs": [], "values": {}})
        if level not in p["levels"]:
            p["levels"].append(level)
        if coef not in p["coefs"]:
            p["coefs"].append(coef)
        p["values"][level, coef] = draws[name]
    coef_sets = {tuple(p["coefs"]) for p in parts.values()}
    out: dict[str, np.ndarray] = {}
    dims: dict[str, list[str]] = {}
    coords: dict[str, list[str]] = {}
    for var, p in parts.items():
        coef_dim = "coef" if len(coef_sets) == 1 else f"{p['group']}_coef"
        out[var] = np.stack([np.stack([p["values"][lv, c] for c in p["coefs"]], axis=-1) for lv in p["levels"]],
                            axis=-2)
        dims[var] = [p["group"], coef_dim]
        coords[p["group"]] = p["levels"]
        coords[coef_dim] = p["coefs"]
    return out, dims, coords
