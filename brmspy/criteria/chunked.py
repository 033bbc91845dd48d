"""LOO in chunks of observations and LOO by subsampling (large data)."""

from __future__ import annotations

import copy
import dataclasses
import math
from typing import Any, Iterator

import numpy as np
import pandas as pd

from ..core.errors import BrmsError, BrmsWarning, warn
from ..fit.brmsfit import BrmsFit
from ..prediction.chunked import copy_with, iter_chunks, row_dependent_reason, row_subset_fit
from ..prediction.core import log_lik
from . import psis  # called as psis.loo_pointwise: one name to replace in tests
from .results import LooResult, _az_loo, _in_model, _logmeanexp, _table_of_estimates


def check_resp(fit: "BrmsFit", resp: str | None, what: str = "loo") -> None:
    """``resp=`` of a criterion: a response of the model; required when responses have their own rows.

    brms's ``loo(fit, resp = "y")`` is the criterion of response ``y``'s pointwise log-likelihood
    (``log_lik(fit, resp = "y")``).  A multivariate model with ``subset()`` fits each response on
    its own rows, so there is no joint pointwise log-likelihood to take the criterion of.
    """
    names = [t.resp for t in fit.frame.response_terms if t.resp]
    if resp is None:
        if fit.frame.resp_rows is not None:
            raise BrmsError(
                f"{what}() of a multivariate model with subset() needs resp=: each response is fitted on its own "
                f"rows, so there is no joint log-likelihood (brms: \"Argument 'resp' must be a single variable "
                f"name\"). Compute it per response, e.g. {what}(fit, resp={names[0]!r}); responses: "
                f"{', '.join(repr(n) for n in names)}.")
        return
    if not isinstance(resp, str):
        raise BrmsError(f"resp must be one response name (a string), got {resp!r}; responses: "
                        f"{', '.join(repr(n) for n in names) or 'none (univariate model: omit resp)'}.")
    if resp not in names:
        raise BrmsError(f"resp={resp!r} is not a response of this model; its responses: "
                        f"{', '.join(repr(n) for n in names)}." if names else
                        f"resp={resp!r} is for multivariate models; this model has one response: omit resp.")


def _ll_chunks(fit: "BrmsFit", chunk_size: int | None, ndraws: int | None = None,
               seed: int | None = None, resp: str | None = None) -> Iterator[tuple[int, int, np.ndarray]]:
    """Pointwise log-likelihood chunks shaped (chain, draw, rows); ``resp``: one response's rows only."""
    nchains = fit.stan_draws.nchains if ndraws is None or ndraws >= fit.ndraws() else 1
    for a, b, ll in iter_chunks(log_lik, fit, None, chunk_size, ndraws, seed, resp=resp):
        if not np.all(np.isfinite(ll)):
            raise BrmsError("The log-likelihood has non-finite values; loo/waic cannot be computed.")
        yield a, b, ll.reshape(nchains, -1, ll.shape[1])


def _loo_pointwise(ll3: np.ndarray, with_arviz: bool = False, workers: int = 1) -> dict[str, Any]:
    """PSIS-LOO quantities per observation of one chunk, vectorised over its observations.

    :func:`brmspy.criteria.psis.loo_pointwise` computes r_eff, PSIS and the pointwise values of
    all observations of the chunk at once (equal to ArviZ's per-observation PSIS up to
    rounding).  ``with_arviz``: also ArviZ's ``ELPDDataLOO`` built from the same
    smoothed weights (kept by :func:`loo_chunked` when one chunk holds every observation).
    ``workers``: threads smoothing blocks of the chunk at once.
    """
    pw: dict[str, Any] = psis.loo_pointwise(ll3, log_weights=with_arviz, workers=workers)
    pw["good_k"] = psis.good_k(ll3.shape[0] * ll3.shape[1])
    pw["az"] = None
    if with_arviz:
        pw["az"] = _az_loo(ll3, pw.pop("log_weights"), pw["pareto_k"])
    return pw


def _loo_result(pw: dict[str, np.ndarray], S: int, name: str, good_k: float, az: Any) -> "LooResult":
    """The LooResult (and the pareto-k warning) from pointwise PSIS-LOO values."""
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
        warn(
            f"Found {n_bad} observation(s) with a pareto_k > {good_k:.2g}{_in_model(name)}. We recommend "
            "loo(..., reloo=True) (exact refits for those observations) or kfold(); moment_match is not "
            "available in brmspy.",
            BrmsWarning,
        )
    return res


def loo_chunked(fit: "BrmsFit", name: str = "", chunk_size: int | None = None, ndraws: int | None = None,
                seed: int | None = None, cores: int = 1, resp: str | None = None) -> "LooResult":
    """PSIS-LOO computed chunk by chunk of observations; never holds the full draws × N matrix.

    Equal to the unchunked :func:`brmspy.criteria.ic.loo` up to rounding (PSIS, r_eff and
    the MCSE are per observation; each chunk is smoothed by the vectorised
    :mod:`brmspy.criteria.psis`).  ``result.arviz`` is ArviZ's object when one chunk holds every
    observation, None when there are several chunks.

    With ``cores > 1`` a chunk is smoothed (by ``cores - 1`` threads) while the next
    chunk's log-likelihood is computed, so at most two chunks are held; the results
    do not depend on ``cores``.  ``resp``: the criterion of one response (brms's ``loo(fit, resp = )``).
    """
    check_resp(fit, resp)
    nobs = fit.frame.N if resp is None else fit.frame.N_of(resp)
    keys = ("elpd_loo", "mcse_elpd_loo", "p_loo", "pareto_k", "n_eff", "r_eff")
    parts: dict[str, list[np.ndarray]] = {k: [] for k in keys}
    state = {"good_k": 0.7, "az": None, "S": 0, "n": 0}

    def collect(pw: dict[str, Any], S: int) -> None:
        for k in keys:
            parts[k].append(pw[k])
        state.update(good_k=pw["good_k"], az=pw["az"], S=S, n=state["n"] + 1)

    chunks = _ll_chunks(fit, chunk_size, ndraws, seed, resp)
    if cores <= 1:
        for _, _, ll3 in chunks:
            collect(_loo_pointwise(ll3, with_arviz=ll3.shape[2] == nobs), ll3.shape[0] * ll3.shape[1])
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1) as smoother:  # numpy releases the GIL: PSIS overlaps the next log_lik
            pending = None
            for _, _, ll3 in chunks:
                if pending is not None:
                    collect(*pending.result())
                pending = smoother.submit(lambda x: (_loo_pointwise(x, x.shape[2] == nobs, cores - 1),
                                                     x.shape[0] * x.shape[1]), ll3)
                del ll3
            if pending is not None:
                collect(*pending.result())
    return _loo_result({k: np.concatenate(v) for k, v in parts.items()}, state["S"], name, state["good_k"],
                       state["az"] if state["n"] == 1 else None)


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
    out.stan_draws = copy_with(fit.stan_draws, params=params, sampler_stats=stats)
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
                        f"{row_dependent_reason(fit.frame) or 'autocorrelation terms'}. Use loo(fit) instead.")
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
        warn(f"Found {n_bad} subsampled observation(s) with a pareto_k > {good_k:.2g}.", BrmsWarning)
    return LooSubsampleResult(est, pointwise, approx, loo_approximation_method, S, N, len(idx), pw["pareto_k"],
                              good_k, name)
