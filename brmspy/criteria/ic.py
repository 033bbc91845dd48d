"""Predictive model criteria as in brms: ``loo``, ``waic``, ``kfold``, ``loo_compare``,
``model_weights``, ``add_criterion``, ``bayes_R2`` and ``loo_R2``.

PSIS-LOO (smoothed weights, Pareto k), the bootstrap behind ``loo_R2`` and the
stacking/pseudo-BMA weights come from ArviZ (``arviz_stats``); every ArviZ call sits in one of the
small ``_az_*`` helpers below.  Log-likelihoods come from
:func:`brmspy.prediction.log_lik` and are passed to ArviZ with chain/draw
dimensions, with a relative efficiency (r_eff) per observation computed from
the chains as the loo package does.

Examples
--------
>>> import brmspy as bp
>>> fit = bp.brm("Reaction ~ Days + (Days | Subject)", data=bp.datasets.load("sleepstudy"),
...              seed=1, refresh=0)                                          # doctest: +SKIP
>>> print(loo(fit))                                                          # doctest: +SKIP
Computed from 4000 by 180 log-likelihood matrix
...
"""

from __future__ import annotations

import logging
import warnings
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from ..core.errors import BrmsError, BrmsWarning, DataError, warn
from ..fit.brm import update
from ..fit.brmsfit import BrmsFit
from ..prediction.chunked import row_subset_fit
from ..prediction.core import log_lik
from .psis import psislw, relative_eff
from .chunked import _ll_chunks, _loo_result, check_resp, loo_chunked, loo_subsample
from .r2 import bayes_R2, loo_R2
from .results import (
    IcResult,
    KfoldResult,
    LooList,
    LooResult,
    WaicResult,
    _az_loo,
    _az_psis,
    _check_fit,
    _criteria,
    _da,
    _in_model,
    _ll3,
    _logmeanexp,
    _mcse_elpd,
    _relative_eff,
    _table_of_estimates,
)

__all__ = [
    "loo", "psis", "reloo", "waic", "kfold", "loo_compare", "model_weights", "add_criterion", "kfold_split_random", "kfold_split_grouped", "kfold_split_stratified",
]

CRITERIA = ("loo", "waic", "kfold", "bayes_R2", "loo_R2")

logger = logging.getLogger("brmspy")


# ---------------------------------------------------------------- ArviZ calls


def _az_weights(elpd_i: dict[str, np.ndarray], method: str) -> dict[str, float]:
    """Stacking / pseudo-BMA weights of models from their pointwise elpd (ArviZ ``compare``)."""
    import arviz_stats as azs

    data = {  # only elpd_i enters the weights; the other fields are required bookkeeping
        name: azs.ELPDData(elpd=float(v.sum()), se=float(np.sqrt(len(v) * np.var(v, ddof=1))), p=0.0,
                           n_samples=1, n_data_points=len(v), scale="log", warning=False, good_k=0.7,
                           elpd_i=_da(v, ("obs",)))
        for name, v in elpd_i.items()
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = azs.compare(data, method=method, round_to="None")
    return {name: float(table.loc[name, "weight"]) for name in elpd_i}


# ---------------------------------------------------------------- results


# ---------------------------------------------------------------- helpers


def _labels(objs: Sequence[Any], model_names: Sequence[str] | None) -> list[str]:
    if model_names is not None:
        names = [str(n) for n in model_names]
        if len(names) != len(objs):
            raise BrmsError(f"model_names has {len(names)} names for {len(objs)} models.")
        if len(set(names)) != len(names):
            raise BrmsError(f"model_names must be unique, got {names}.")
        return names
    names = [getattr(o, "model_name", "") or f"fit{i + 1}" for i, o in enumerate(objs)]
    if len(set(names)) != len(names):  # e.g. unnamed results: label by position
        names = [f"fit{i + 1}" for i in range(len(objs))]
    return names


# ---------------------------------------------------------------- loo / waic


def _loo_single(fit: "BrmsFit", name: str, chunk_size: int | None = None, ndraws: int | None = None,
                seed: int | None = None, cores: int = 1, resp: str | None = None) -> LooResult:
    """PSIS-LOO of one fit, chunk by chunk of observations for large N (:mod:`brmspy.prediction.chunked`)."""
    return loo_chunked(fit, name, chunk_size, ndraws, seed, cores, resp)


def _loo_single_unchunked(fit: "BrmsFit", name: str) -> LooResult:
    """PSIS-LOO from the whole (draws × N) log-likelihood at once (reference for the chunked one)."""
    ll3 = _ll3(fit)
    S, N = ll3.shape[0] * ll3.shape[1], ll3.shape[2]
    r_eff = _relative_eff(ll3)
    lw, k = _az_psis(ll3, r_eff)
    az = _az_loo(ll3, lw, k)
    elpd_i = np.asarray(az.elpd_i).reshape(-1)
    lpd_i = _logmeanexp(ll3.reshape(S, N))
    mcse_i = _mcse_elpd(ll3, lw, elpd_i, r_eff)
    n_eff = r_eff / np.sum(np.exp(2 * lw.reshape(S, N)), axis=0)

    pw = {"elpd_loo": elpd_i, "mcse_elpd_loo": mcse_i, "p_loo": lpd_i - elpd_i, "pareto_k": k, "n_eff": n_eff,
          "r_eff": r_eff}
    return _loo_result(pw, S, name, float(az.good_k), az)


def _loo_quietly(fit: "BrmsFit", name: str, chunk_size: int | None = None, ndraws: int | None = None,
                 seed: int | None = None, cores: int = 1, resp: str | None = None) -> LooResult:
    """PSIS-LOO without the Pareto k warning, for reloo, which refits those observations.

    brms says instead "N problematic observation(s) found. The model will be refit N times.",
    a message; here it is logged at INFO level.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Found \d+ observation\(s\) with a pareto_k")
        return _loo_single(fit, name, chunk_size, ndraws, seed, cores, resp)


def _reloo(fit: "BrmsFit", res: LooResult, k_threshold: float | None, reloo_args: dict[str, Any],
           resp: str | None = None) -> LooResult:
    """Replace the PSIS values of observations with k above the threshold by exact LOO refits.

    ``resp``: ``res`` is of that response (its rows with ``subset()``); the refits leave out the
    data row and score that response there.
    """
    thr = res.good_k if k_threshold is None else float(k_threshold)
    idx = np.flatnonzero(res.pareto_k > thr)
    if idx.size == 0:
        return res
    logger.info("%d problematic observation(s) found. The model will be refit %d times.", idx.size, idx.size)
    args = dict(reloo_args)
    executor = args.pop("executor", None)
    chains = args.pop("chains", None)
    seed = args.pop("seed", None)
    data = fit.frame.data
    rows = idx if resp is None or fit.frame.resp_rows is None else fit.frame.resp_rows[resp][idx]  # data rows
    tests = [np.array([i]) for i in rows]
    lls, _ = _run_folds(fit, data, tests, executor, chains, seed, args, save_fits=False, resp=resp)
    pw = res.pointwise.copy()
    S = res.nsamples

    if resp is not None:
        lpd = _logmeanexp(log_lik(fit, resp=resp)[:, idx])
    else:
        sub = row_subset_fit(fit, idx)
        lpd = _logmeanexp(_ll3(fit).reshape(S, -1)[:, idx] if sub is None else log_lik(sub, chunk_size=0))
    elpd = np.array([_logmeanexp(ll[:, 0]) for ll in lls])
    pw.loc[idx, "elpd_loo"] = elpd
    pw.loc[idx, "p_loo"] = lpd - elpd
    pw.loc[idx, "looic"] = -2 * elpd
    pw.loc[idx, "mcse_elpd_loo"] = 0.0
    k = res.pareto_k.copy()
    k[idx] = np.nan
    pw.loc[idx, "influence_pareto_k"] = np.nan
    n_eff = res.n_eff.copy()
    n_eff[idx] = np.nan
    ok = k[np.isfinite(k)]
    mcse = float(np.sqrt(np.sum(pw["mcse_elpd_loo"] ** 2))) if np.all(ok <= res.good_k) else float("nan")
    return LooResult("loo", _table_of_estimates(pw, ["elpd_loo", "p_loo", "looic"]), pw, res.nsamples, res.nobs,
                     res.model_name, pareto_k=k, good_k=res.good_k, n_eff=n_eff, r_eff=res.r_eff,
                     mcse_elpd_loo=mcse, arviz=res.arviz, reloo_indices=idx)


def loo(fit: "BrmsFit", *fits: "BrmsFit", pointwise: bool = False, moment_match: bool = False,
        reloo: bool = False, compare: bool = True, k_threshold: float | None = None,
        reloo_args: dict[str, Any] | None = None,
        model_names: Sequence[str] | None = None, subsample: int | None = None,
        loo_approximation: str = "plpd", ndraws: int | None = None, chunk_size: int | None = None,
        seed: int | None = None, cores: int = 1, resp: str | None = None) -> "LooResult | LooList | Any":
    """Approximate leave-one-out cross-validation with PSIS (brms's ``loo``).

    Parameters
    ----------
    fit, *fits : one or more fitted models.  With several, a :class:`LooList` is
        returned holding each result and (``compare=True``) :func:`loo_compare`'s table.
    pointwise : accepted for brms compatibility; pointwise values are always kept
        (``result.pointwise``) since comparisons need them.
    moment_match : not available (needs unconstraining transforms from the backend);
        ``True`` raises :class:`~brmspy.core.errors.BrmsError`.  Use ``reloo=True`` or :func:`kfold`.
    reloo : refit the model without each observation whose Pareto k exceeds
        ``k_threshold`` (default: ArviZ's ``good_k``, 0.7 for 2000+ draws) and use the exact values.
    compare : with several fits, add the comparison table.
    k_threshold : Pareto k above which ``reloo`` refits.
    reloo_args : extra arguments for the refits: ``executor``, ``chains``, ``seed`` and
        sampling arguments such as ``iter``.
    model_names : labels of the models (default ``fit1``, ``fit2``, ...).
    subsample : PSIS-LOO on a random subsample of this many observations with the
        difference estimator (brms's ``loo_subsample``, Magnusson et al. 2020), for very
        large N; returns :class:`brmspy.prediction.chunked.LooSubsampleResult` (Estimate, SE and
        subsampling SE).
    loo_approximation : the per-observation approximation used with ``subsample``:
        ``"plpd"`` (log-likelihood at the posterior mean, brms's default) or ``"lpd"``.
    ndraws : use a random subset of this many posterior draws (``seed`` chooses them).
    chunk_size : observations per chunk of the log-likelihood (None: automatic, bounding
        each draws × rows array to 2^24 values; 0: all at once).  Results do not depend on it.
    seed : seeds ``ndraws`` and ``subsample``.
    cores : threads for PSIS (brms's ``cores``): with several chunks, one chunk is smoothed
        while the next chunk's log-likelihood is computed.  Results do not depend on it.
    resp : one response of a multivariate model (brms's ``loo(fit, resp = "y")``): the
        criterion of that response's pointwise log-likelihood, ``log_lik(fit, resp=resp)``, on
        its rows.  Required for a model with ``subset()``, whose responses are fitted on
        different rows.  Without it, a multivariate model's rows combine all responses (summed
        log-likelihoods, or their joint density with residual correlations).

    Returns
    -------
    LooResult or LooList
        ``estimates`` (rows elpd_loo, p_loo, looic; columns Estimate, SE), ``pointwise``,
        ``pareto_k`` and the brms printout.  A result stored by :func:`add_criterion` is
        reused when no reloo is requested.

    Notes
    -----
    Pareto k diagnostic: PSIS estimates are reliable for k <= ``good_k`` =
    min(1 - 1/log10(S), 0.7) with S draws, unreliable ("bad") up to 1 and unusable
    ("very bad") above 1.  The Monte Carlo SE of elpd_loo is reported as NA when any
    k exceeds ``good_k``.

    Examples
    --------
    >>> res = loo(fit)                         # doctest: +SKIP
    >>> res.estimates.loc["elpd_loo", "Estimate"]  # doctest: +SKIP
    -861.8
    >>> print(loo(fit_intercepts, fit, model_names=["m0", "m1"]))   # doctest: +SKIP

    One response of a multivariate model (here with ``subset()``: each response on its rows):

    >>> import numpy as np, pandas as pd, brmspy as bp
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"x": rng.normal(size=60), "s1": np.arange(60) < 40, "s2": np.arange(60) >= 20})
    >>> d["y1"], d["y2"] = 1 + d["x"] + rng.normal(size=60), np.where(d["s2"], rng.normal(size=60), np.nan)
    >>> mv = bp.brm(bp.bf("y1 | subset(s1) ~ x") + bp.bf("y2 | subset(s2) ~ 1") + bp.set_rescor(False), d,
    ...             chains=2, iter=400, seed=1, refresh=0)                   # doctest: +SKIP
    >>> loo(mv, resp="y1").nobs                                              # doctest: +SKIP
    40
    """
    if moment_match:
        raise BrmsError("moment_match=True is not available in brmspy (the backends do not expose the "
                        "unconstraining transform it needs). Use loo(fit, reloo=True) or kfold(fit).")
    if isinstance(cores, bool) or not isinstance(cores, (int, np.integer)) or cores < 1:
        raise BrmsError(f"cores must be a positive integer, got {cores!r}.")
    all_fits = [_check_fit(f) for f in (fit, *fits)]
    for f in all_fits:
        check_resp(f, resp, "loo")
    if resp is not None and subsample is not None:
        raise BrmsError("loo(resp=...) is not available with subsample= in brmspy yet; use loo(fit, resp=...).")
    names = _labels(all_fits, model_names) if (fits or model_names) else [""]
    results: dict[str, IcResult] = {}
    for f, name in zip(all_fits, names):
        stored = _criteria(f).get("loo") if resp is None else None  # stored results are of all responses
        if subsample is not None:
            if reloo:
                raise BrmsError("reloo=True cannot be combined with subsample=; use one of them.")
            results[name] = loo_subsample(f, subsample, name, loo_approximation, chunk_size, ndraws, seed,
                                          int(cores))
            continue
        if stored is not None and not reloo and ndraws is None:
            res = stored
            if name and res.model_name != name:
                res = _renamed(res, name)
        else:
            if reloo:
                res = _loo_quietly(f, name, chunk_size, ndraws, seed, int(cores), resp)
                res = _reloo(f, res, k_threshold, reloo_args or {}, resp)
            else:
                res = _loo_single(f, name, chunk_size, ndraws, seed, int(cores), resp)
        results[name] = res
    if len(results) == 1:
        return next(iter(results.values()))
    comp = loo_compare(*results.values(), model_names=list(results)) if compare and subsample is None else None
    return LooList(results, comp)


def psis(fit: "BrmsFit", resp: str | None = None, chunk_size: int | None = None) -> tuple[Any, Any]:
    """The Pareto-smoothed importance weights behind :func:`loo`, in ArviZ's layout.

    :func:`loo` smooths each observation's weights with its own relative efficiency, as brms and
    the loo package do; ``az.loo`` computes one relative efficiency for all observations, so its
    default estimates differ from :func:`loo` by a few hundredths.  Passing these weights to
    ``az.loo`` gives :func:`loo`'s numbers exactly.

    Parameters
    ----------
    fit : a fitted model.
    resp : the response of a multivariate model (its name in ``fit.to_arviz()``'s groups).
    chunk_size : observations per chunk of the log-likelihood (memory bound).

    Returns
    -------
    log_weights : xarray.DataArray
        Normalised log weights with dims ``("chain", "draw", "obs")``, ``obs`` labelled as in
        :meth:`BrmsFit.to_arviz`.
    pareto_k : xarray.DataArray
        Pareto k of each observation, dims ``("obs",)``.

    Examples
    --------
    >>> import arviz as az
    >>> lw, k = psis(fit)                                                 # doctest: +SKIP
    >>> az.loo(fit.to_arviz(), log_weights=lw, pareto_k=k).elpd           # doctest: +SKIP
    -861.8
    """
    import xarray as xr  # xarray loads only when weights are asked for (import time)

    fit = _check_fit(fit)
    check_resp(fit, resp, "psis")
    ll = log_lik(fit, resp=resp, chunk_size=chunk_size)
    if not np.all(np.isfinite(ll)):
        raise BrmsError("The log-likelihood has non-finite values; PSIS weights cannot be computed.")
    ll3 = ll.reshape(fit.stan_draws.nchains, -1, ll.shape[1])
    lw, k = psislw(ll3, relative_eff(ll3))
    index = fit.row_labels  # the obs coordinate of to_arviz(), so xarray aligns the two
    if resp is not None and fit.frame.resp_rows is not None:  # subset(): the response's own rows
        index = index[fit.frame.resp_rows[resp]]
    obs = list(index) if index.is_unique else list(range(len(index)))
    return (xr.DataArray(lw, dims=("chain", "draw", "obs"), coords={"obs": obs}),
            xr.DataArray(k, dims=("obs",), coords={"obs": obs}))


def reloo(fit: "BrmsFit", loo_result: LooResult | None = None, k_threshold: float | None = None, *,
          executor: Executor | None = None, chains: int | None = None, seed: int | None = None,
          iter: int | None = None, warmup: int | None = None,  # noqa: A002 - brms's name
          control: dict[str, Any] | None = None, resp: str | None = None) -> LooResult:
    """Refit without each observation whose Pareto k is too high, for exact LOO there (brms's ``reloo``).

    PSIS-LOO is unreliable for observations with Pareto k above ``k_threshold``; for each of
    them the model is refitted without that observation and its exact leave-one-out
    predictive density replaces the PSIS value.  ``loo(fit, reloo=True)`` does the same.

    Parameters
    ----------
    fit : the fitted model.
    loo_result : a :func:`loo` result of ``fit`` to update (default: computed here).
    k_threshold : Pareto k above which an observation is refitted (default: the result's
        ``good_k``, min(1 - 1/log10(S), 0.7) for S draws; brms's default is 0.7).
    executor : any :class:`concurrent.futures.Executor` to run the refits on (threads,
        processes, or a Dask cluster's ``client.get_executor()``); default: one after the
        other.  Worker processes receive the formula, family, priors, settings and data, not
        the fit.
    chains : chains per refit (default: as the fit).
    seed : seeds the refits (refit ``j`` gets the ``j``-th of
        ``numpy.random.default_rng(seed).integers(1, 2**31 - 1, size=n)``), so the result does
        not depend on the executor.
    iter, warmup, control : sampling settings of the refits (default: as the fit).
    resp : one response of a multivariate model, as in :func:`loo` (``loo_result`` must then be
        ``loo(fit, resp=resp)``): each refit leaves out the data row of a problematic observation
        and scores that response there.

    Returns
    -------
    LooResult
        With ``reloo_indices`` (the refitted observations, 0-based), their ``pareto_k`` set to
        NaN and their ``mcse_elpd_loo`` to 0.

    Examples
    --------
    >>> res = reloo(fit, k_threshold=0.5, seed=1)             # doctest: +SKIP
    >>> res.reloo_indices                                      # doctest: +SKIP
    array([12, 97])
    >>> reloo(mv, k_threshold=0.5, seed=1, resp="y1").nobs  # doctest: +SKIP
    40
    """
    fit = _check_fit(fit)
    check_resp(fit, resp, "reloo")
    res = loo_result if loo_result is not None else _loo_quietly(fit, "", resp=resp)
    nobs = fit.nobs() if resp is None else fit.frame.N_of(resp)
    if not isinstance(res, LooResult) or res.nobs != nobs:
        raise BrmsError("loo_result must be the loo() result of this fit (a LooResult with one value per observation"
                        f"{'' if resp is None else f' of response {resp!r}'}).")
    args: dict[str, Any] = {"executor": executor, "chains": chains, "seed": seed}
    args.update({k: v for k, v in (("iter", iter), ("warmup", warmup), ("control", control)) if v is not None})
    return _reloo(fit, res, k_threshold, args, resp)


def _renamed(res: IcResult, name: str) -> IcResult:
    from dataclasses import replace

    return replace(res, model_name=name)


def waic(fit: "BrmsFit", *fits: "BrmsFit", compare: bool = True,
         model_names: Sequence[str] | None = None, ndraws: int | None = None,
         chunk_size: int | None = None, seed: int | None = None,
         resp: str | None = None) -> "WaicResult | LooList":
    """Widely applicable information criterion (brms's ``waic``).

    ``elpd_waic = sum(lpd_i - p_waic_i)`` with ``p_waic_i`` the posterior variance of the
    log-likelihood of observation i; ``waic = -2 elpd_waic``.

    Parameters
    ----------
    fit, *fits : one or more fitted models (several: a :class:`LooList` with their comparison).
    compare : with several fits, add :func:`loo_compare`'s table.
    model_names : labels of the models (default ``fit1``, ``fit2``, ...).
    ndraws : use a random subset of this many posterior draws (``seed`` chooses them).
    chunk_size : observations per chunk of the log-likelihood, as in :func:`loo`.
    seed : seeds ``ndraws``.
    resp : one response of a multivariate model (brms's ``waic(fit, resp = "y")``): the
        criterion of ``log_lik(fit, resp=resp)`` on that response's rows; required for a model
        with ``subset()``.

    Returns
    -------
    WaicResult or LooList
        ``estimates`` (rows elpd_waic, p_waic, waic; columns Estimate, SE) and ``pointwise``.

    Examples
    --------
    >>> w = waic(fit)                                   # doctest: +SKIP
    >>> list(w.estimates.index)                         # doctest: +SKIP
    ['elpd_waic', 'p_waic', 'waic']
    >>> waic(mv, resp="y1").nobs                        # doctest: +SKIP
    40
    """
    all_fits = [_check_fit(f) for f in (fit, *fits)]
    for f in all_fits:
        check_resp(f, resp, "waic")
    names = _labels(all_fits, model_names) if (fits or model_names) else [""]
    results: dict[str, IcResult] = {}
    for f, name in zip(all_fits, names):
        stored = _criteria(f).get("waic") if resp is None else None  # stored results are of all responses
        if stored is not None and ndraws is None:
            results[name] = _renamed(stored, name) if name and stored.model_name != name else stored
        else:
            results[name] = _waic_single(f, name, ndraws, chunk_size, seed, resp)
    if len(results) == 1:
        return next(iter(results.values()))
    return LooList(results, loo_compare(*results.values(), model_names=list(results)) if compare else None)


def _waic_single(fit: "BrmsFit", name: str, ndraws: int | None = None, chunk_size: int | None = None,
                 seed: int | None = None, resp: str | None = None) -> WaicResult:
    check_resp(fit, resp, "waic")
    lpd_parts, p_parts, S = [], [], 0
    for _, _, ll3 in _ll_chunks(fit, chunk_size, ndraws, seed, resp):
        S = ll3.shape[0] * ll3.shape[1]
        ll = ll3.reshape(S, -1)
        lpd_parts.append(_logmeanexp(ll))
        p_parts.append(ll.var(axis=0, ddof=1))
    lpd, p = np.concatenate(lpd_parts), np.concatenate(p_parts)
    N = len(lpd)
    elpd = lpd - p
    pw = pd.DataFrame({"elpd_waic": elpd, "p_waic": p, "waic": -2 * elpd})
    res = WaicResult("waic", _table_of_estimates(pw, ["elpd_waic", "p_waic", "waic"]), pw, S, N, name)
    n_big = int((p > 0.4).sum())
    if n_big:
        warn(f"{n_big} ({100 * n_big / N:.1f}%) p_waic estimates greater than 0.4{_in_model(name)}. "
                      "We recommend trying loo instead.", BrmsWarning)
    return res


# ---------------------------------------------------------------- comparison


def _resolve(obj: Any, criterion: str, name: str, resp: str | None = None) -> IcResult:
    """An IcResult for ``obj`` (a result, or a fit whose criterion is computed or reused)."""
    if isinstance(obj, IcResult):
        return obj
    fit = _check_fit(obj)
    stored = _criteria(fit).get(criterion) if resp is None else None
    if stored is not None:
        return stored
    if criterion == "loo":
        return _loo_single(fit, name, resp=resp)
    if criterion == "waic":
        return _waic_single(fit, name, resp=resp)
    if resp is not None:
        raise BrmsError(f"loo_compare(criterion='kfold', resp=...) needs kfold results: pass "
                        f"kfold(fit, resp={resp!r}) of each model instead of the fits.")
    raise BrmsError(f"No stored '{criterion}' result on model '{name}'; run add_criterion(fit, '{criterion}') "
                    "first (kfold refits the model).")


def _flatten(objs: Iterable[Any]) -> list[Any]:
    out = []
    for o in objs:
        out.extend(o.results.values() if isinstance(o, LooList) else [o])
    return out


def loo_compare(*objs: Any, criterion: str = "loo", model_names: Sequence[str] | None = None,
                resp: str | None = None) -> pd.DataFrame:
    """Compare models by expected log predictive density (brms's ``loo_compare``).

    Parameters
    ----------
    *objs : fits, or results of :func:`loo`/:func:`waic`/:func:`kfold` (or a :class:`LooList`).
    criterion : ``"loo"``, ``"waic"`` or ``"kfold"`` for fits (stored results are reused;
        kfold must have been added with :func:`add_criterion`).
    model_names : row labels (default: the results' names, else ``fit1``, ``fit2``, ...).
    resp : for fits (not results): compare the criterion of this response of multivariate
        models (see :func:`loo`); required for models with ``subset()``.

    Returns
    -------
    DataFrame
        Best model first.  ``elpd_diff`` is each model's elpd minus the best one's (0 for the
        best), ``se_diff`` the SE of that paired difference, sqrt(N var(elpd_i - elpd_best_i)),
        followed by each model's estimates and SEs (``elpd_loo``, ``se_elpd_loo``, ``p_loo``, ...).

    Examples
    --------
    >>> loo_compare(fit0, fit1, model_names=["intercepts", "slopes"])   # doctest: +SKIP
                elpd_diff  se_diff ...
    slopes            0.0      0.0 ...
    intercepts      -21.7     11.4 ...
    >>> loo_compare(mv0, mv1, resp="y1")                                # doctest: +SKIP
    """
    if criterion not in ("loo", "waic", "kfold"):
        raise BrmsError(f"criterion must be 'loo', 'waic' or 'kfold', got {criterion!r}.")
    objs_l = _flatten(objs)
    if len(objs_l) < 2:
        raise BrmsError("loo_compare needs at least two models (or results).")
    names = _labels(objs_l, model_names)
    res = [_resolve(o, criterion, n, resp) for o, n in zip(objs_l, names)]
    kinds = {r.criterion for r in res}
    if len(kinds) > 1:
        raise BrmsError(f"Cannot compare different criteria: {sorted(kinds)}.")
    nobs = {r.nobs for r in res}
    if len(nobs) > 1:
        raise BrmsError(f"Models were fitted to different numbers of observations ({sorted(nobs)}); "
                        "loo_compare needs the same data.")
    order = np.argsort([-r.elpd for r in res], kind="stable")
    best = res[order[0]]
    rows = {}
    for j in order:
        r = res[j]
        diff = r.elpd_i - best.elpd_i
        row = {"elpd_diff": float(diff.sum()),
               "se_diff": float(np.sqrt(r.nobs * np.var(diff, ddof=1))) if r.nobs > 1 else float("nan")}
        for stat, (est, se) in r.estimates.iterrows():
            row[stat] = est
            row[f"se_{stat}"] = se
        rows[names[j]] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def model_weights(*fits: Any, method: str = "stacking", BB: bool = True,  # noqa: N803 - brms's name
                  model_names: Sequence[str] | None = None) -> pd.Series:
    """Model weights from LOO predictive densities (brms's ``model_weights``).

    Parameters
    ----------
    *fits : fits or :func:`loo` results.
    method : ``"stacking"`` (Yao et al. 2018) or ``"pseudobma"``; both via ArviZ's ``compare``.
    BB : pseudo-BMA with Bayesian bootstrap (brms's default), else plain pseudo-BMA.
    model_names : labels (default ``fit1``, ``fit2``, ...).

    Returns
    -------
    Series of weights indexed by model name, in input order, summing to 1.

    Examples
    --------
    >>> model_weights(fit0, fit1)     # doctest: +SKIP
    fit1    0.02
    fit2    0.98
    dtype: float64
    """
    methods = {"stacking": "stacking", "pseudobma": "BB-pseudo-BMA" if BB else "pseudo-BMA"}
    if method not in methods:
        raise BrmsError(f"method must be one of {list(methods)}, got {method!r}.")
    objs = _flatten(fits)
    if len(objs) < 2:
        raise BrmsError("model_weights needs at least two models.")
    names = _labels(objs, model_names)
    res = [_resolve(o, "loo", n) for o, n in zip(objs, names)]
    if len({r.nobs for r in res}) > 1:
        raise BrmsError("All models must be fitted to the same observations.")
    w = _az_weights({n: r.elpd_i for n, r in zip(names, res)}, methods[method])
    s = pd.Series([w[n] for n in names], index=names, dtype=float)
    return s / s.sum()


# ---------------------------------------------------------------- kfold


def kfold_split_random(K: int, N: int, rng: np.random.Generator | int | None = None) -> np.ndarray:
    """Random, balanced fold ids 1..K for N observations (loo's ``kfold_split_random``).

    Examples
    --------
    >>> np.bincount(kfold_split_random(3, 10, rng=1))[1:].tolist()
    [4, 3, 3]
    """
    _check_K(K, N)
    rng = np.random.default_rng(rng)
    return rng.permutation(np.resize(np.arange(1, K + 1), N))


def kfold_split_grouped(K: int, x: Sequence[Any], rng: np.random.Generator | int | None = None) -> np.ndarray:
    """Fold ids keeping all observations of a group together (loo's ``kfold_split_grouped``).

    Groups are assigned randomly to K folds with balanced numbers of groups per fold.

    Examples
    --------
    >>> f = kfold_split_grouped(2, ["a", "a", "b", "c", "c", "d"], rng=0)
    >>> bool(f[0] == f[1] and f[3] == f[4])
    True
    """
    codes, levels = pd.factorize(pd.Series(list(x)).astype(str))
    if K > len(levels):
        raise BrmsError(f"K ({K}) must not exceed the number of groups ({len(levels)}).")
    rng = np.random.default_rng(rng)
    perm = rng.permutation(len(levels))
    fold_of_level = np.empty(len(levels), dtype=int)
    fold_of_level[perm] = np.arange(len(levels)) % K + 1
    return fold_of_level[codes]


def kfold_split_stratified(K: int, x: Sequence[Any], rng: np.random.Generator | int | None = None) -> np.ndarray:
    """Fold ids with each group's observations spread evenly over the folds (loo's ``kfold_split_stratified``).

    Examples
    --------
    >>> f = kfold_split_stratified(2, ["a", "a", "b", "b"], rng=0)
    >>> sorted(f[:2].tolist()), sorted(f[2:].tolist())
    ([1, 2], [1, 2])
    """
    codes, levels = pd.factorize(pd.Series(list(x)).astype(str))
    N = len(codes)
    _check_K(K, N)
    rng = np.random.default_rng(rng)
    order = np.concatenate([rng.permutation(np.flatnonzero(codes == lv)) for lv in range(len(levels))])
    folds = np.empty(N, dtype=int)
    folds[order] = np.resize(np.arange(1, K + 1), N)
    return folds


def _check_K(K: int, N: int) -> None:
    if not isinstance(K, (int, np.integer)) or K < 2 or K > N:
        raise BrmsError(f"K must be an integer between 2 and the number of observations ({N}), got {K!r}.")


@dataclass(frozen=True)
class _RefitSpec:
    """Plain, picklable stand-in for a fit: what :func:`brmspy.update` reads to refit on new data."""

    formula: Any
    family: Any
    prior: Any
    settings: dict
    data_name: str = "data"
    data: Any = None
    data2: Any = None  # brm(data2=...), e.g. the known covariance of gr(g, cov = A)


def _fold_task(source: Any, train: pd.DataFrame, test: pd.DataFrame, sampling: dict[str, Any],
               ll_seed: int, keep_fit: bool, resp: str | None = None) -> tuple[np.ndarray, Any]:
    """Refit on ``train`` and return the log-likelihood draws of ``test`` (S, n_test); ``resp``: of one response."""
    refit = update(source, newdata=train, **sampling)
    if test.empty:  # kfold(resp=): no held-out row of this fold is in the response's subset()
        return np.empty((refit.ndraws(), 0)), (refit if keep_fit else None)
    ll = log_lik(refit, newdata=test, allow_new_levels=True, seed=ll_seed, resp=resp)
    return ll, (refit if keep_fit else None)


def _run_folds(fit: "BrmsFit", data: pd.DataFrame, tests: list[np.ndarray], executor: Executor | None,
               chains: int | None, seed: int | None, sampling: dict[str, Any],
               save_fits: bool, resp: str | None = None,
               scored: np.ndarray | None = None) -> tuple[list[np.ndarray], list[Any]]:
    """Refit once per held-out index set, sequentially or through ``executor``.

    ``resp``: score response ``resp`` only; ``scored``: the rows (mask over ``data``) it is fitted on
    (a multivariate ``subset()``); held-out rows outside them are left out of training but not scored.
    """
    rng = np.random.default_rng(seed)
    seeds = rng.integers(1, 2**31 - 1, size=len(tests))
    # no warm start unless asked: its mode search (stanli's optimizer) cannot run in worker threads,
    # and the refits must not depend on the executor (brm's warm_start)
    kw = {"refresh": 0, "warm_start": False, **sampling}
    if chains is not None:
        kw["chains"] = chains
    in_process = executor is None or isinstance(executor, ThreadPoolExecutor)
    # worker processes get plain data, not the fit
    source = fit if in_process else _RefitSpec(fit.formula, fit.family, fit.prior, dict(fit.settings), fit.data_name,
                                                          data2=fit.data2)
    N = len(data)
    jobs = []
    for t, s in zip(tests, seeds):
        mask = np.zeros(N, dtype=bool)
        mask[t] = True
        train = data.loc[~mask].reset_index(drop=True)
        test = data.loc[mask if scored is None else mask & scored].reset_index(drop=True)
        jobs.append((source, train, test, {**kw, "seed": int(s)}, int(s), save_fits, resp))
    if executor is None:
        out = [_fold_task(*j) for j in jobs]
    else:
        futures = [executor.submit(_fold_task, *j) for j in jobs]
        out = [f.result() for f in futures]
    return [o[0] for o in out], [o[1] for o in out]


def _make_folds(fit: "BrmsFit", data: pd.DataFrame, K: int, folds: Any, group: str | None,
                rng: np.random.Generator) -> np.ndarray:
    N = len(data)
    if group is not None and group not in data.columns:
        raise DataError(f"group {group!r} is not a column of the model data; columns: {', '.join(data.columns)}.")
    if folds is None:
        if group is None:
            return kfold_split_random(K, N, rng)
        # brms: leave one group out (K is the number of groups)
        codes, _ = pd.factorize(data[group].astype(str))
        return codes + 1
    if isinstance(folds, str):
        if folds not in ("random", "grouped", "stratified"):
            raise BrmsError(f"folds must be None, 'random', 'grouped', 'stratified' or fold ids; got {folds!r}.")
        if folds == "random":
            return kfold_split_random(K, N, rng)
        if group is None:
            raise BrmsError(f"folds='{folds}' needs group= (the column whose levels define the split).")
        split = kfold_split_grouped if folds == "grouped" else kfold_split_stratified
        return split(K, data[group].to_numpy(), rng)
    ids = np.asarray(folds)
    if ids.shape != (N,):
        raise BrmsError(f"folds must have one fold id per observation ({N}), got shape {ids.shape}.")
    codes, _ = pd.factorize(ids, sort=True)
    return codes + 1


def kfold(fit: "BrmsFit", K: int = 10, folds: Any = None, group: str | None = None, seed: int | None = None,
          executor: Executor | None = None, chains: int | None = None, save_fits: bool = False,
          resp: str | None = None, **sampling: Any) -> KfoldResult:
    """Exact K-fold cross-validation by refitting (brms's ``kfold``).

    Parameters
    ----------
    fit : the fitted model; it is refitted K times with :func:`brmspy.update` (the compiled
        model is reused) on K-1 folds, and the held-out fold is scored with
        ``log_lik(refit, newdata=test, allow_new_levels=True)``.
    K : number of folds.
    folds : ``None``/``"random"`` (random balanced folds), ``"grouped"`` (all rows of a
        ``group`` level in one fold, K folds), ``"stratified"`` (each level spread evenly over
        the folds) or an array of fold ids per observation.
    group : grouping column for ``"grouped"``/``"stratified"``.  With ``folds=None`` it
        gives leave-one-group-out folds (one fold per level, K ignored), as brms.
    seed : seeds the fold split and the refits.
    executor : any :class:`concurrent.futures.Executor` to run the folds (default: sequential).
        A ``ThreadPoolExecutor`` shares the fit; other executors (processes) receive plain
        data, formula, family, prior and settings.
    chains : chains per refit (default: as the fit).
    save_fits : keep the refitted models in ``result.fits``.
    resp : one response of a multivariate model (brms's ``kfold(fit, resp = "y")``): the folds
        split the data's rows and every refit uses all responses, but only ``resp``'s held-out
        log-likelihood is scored, on its rows; required for a model with ``subset()`` (then held-out
        rows outside the response's subset are not scored).
    **sampling : sampling arguments for the refits (``iter``, ``warmup``, ``control``, ...).

    Returns
    -------
    KfoldResult
        ``estimates`` with rows elpd_kfold, p_kfold, kfoldic (``p_kfold = lpd - elpd_kfold``
        pointwise, lpd from the full fit), ``pointwise`` and ``folds``.

    Examples
    --------
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> with ThreadPoolExecutor(2) as ex:                                   # doctest: +SKIP
    ...     kf = kfold(fit, K=5, executor=ex, seed=1, iter=1000)
    >>> kf.estimates.loc["elpd_kfold"]                                      # doctest: +SKIP
    >>> kfold(mv, K=2, resp="y1", seed=1, iter=400).nobs                    # doctest: +SKIP
    40
    """
    fit = _check_fit(fit)
    check_resp(fit, resp, "kfold")
    data = fit.frame.data
    if "newdata" in sampling:
        raise BrmsError("kfold refits on the fitted data; newdata is not an argument of kfold.")
    rng = np.random.default_rng(seed)
    ids = _make_folds(fit, data, K, folds, group, rng)
    fold_values = np.unique(ids)
    tests = [np.flatnonzero(ids == f) for f in fold_values]
    rows = None if resp is None or fit.frame.resp_rows is None else fit.frame.resp_rows[resp]  # ascending
    scored = None
    if rows is not None:
        scored = np.zeros(len(data), dtype=bool)
        scored[rows] = True
    lls, fits = _run_folds(fit, data, tests, executor, chains, int(rng.integers(1, 2**31 - 1)), sampling, save_fits,
                           resp, scored)
    N = len(data) if rows is None else len(rows)
    elpd = np.empty(N)
    for t, ll in zip(tests, lls):
        pos = t if rows is None else np.searchsorted(rows, t[scored[t]])  # the response's own row numbers
        if ll.shape[1] != len(pos):
            raise BrmsError(f"kfold: a fold's held-out log-likelihood has {ll.shape[1]} values for {len(pos)} rows.")
        if len(pos):
            elpd[pos] = _logmeanexp(ll)
    S_full = fit.ndraws()
    lpd = _logmeanexp(log_lik(fit, resp=resp).reshape(S_full, N))
    pw = pd.DataFrame({"elpd_kfold": elpd, "p_kfold": lpd - elpd, "kfoldic": -2 * elpd})
    return KfoldResult("kfold", _table_of_estimates(pw, ["elpd_kfold", "p_kfold", "kfoldic"]), pw, S_full, N,
                       "", K=len(fold_values), folds=ids, fits=[f for f in fits if f is not None])


# ---------------------------------------------------------------- add_criterion


def add_criterion(fit: "BrmsFit", criterion: "str | Sequence[str]", model_name: str | None = None,
                  overwrite: bool = False, **kwargs: Any) -> "BrmsFit":
    """Compute criteria and store them on the fit (``fit.criteria``), as brms's ``add_criterion``.

    Parameters
    ----------
    fit : the fitted model.
    criterion : ``"loo"``, ``"waic"``, ``"kfold"``, ``"bayes_R2"``, ``"loo_R2"`` or a list of them.
    model_name : label stored with loo/waic/kfold results.
    overwrite : recompute criteria already stored.
    **kwargs : passed to :func:`kfold` (e.g. ``K``, ``executor``, ``iter``) or to :func:`loo`
        (``reloo``, ``k_threshold``, ``reloo_args``).

    Returns
    -------
    The same fit; :func:`loo`, :func:`waic` and :func:`loo_compare` reuse stored results.

    Examples
    --------
    >>> fit = add_criterion(fit, ["loo", "waic"])     # doctest: +SKIP
    >>> sorted(fit.criteria)                          # doctest: +SKIP
    ['loo', 'waic']
    """
    fit = _check_fit(fit)
    if "resp" in kwargs:  # stored criteria stand for the whole model: loo(fit) and loo_compare reuse them
        raise BrmsError("add_criterion(..., resp=...) is not available: stored criteria are of all responses. "
                        "Use loo(fit, resp=...), waic(fit, resp=...) or kfold(fit, resp=...) and pass the results "
                        "to loo_compare.")
    wanted = [criterion] if isinstance(criterion, str) else list(criterion)
    bad = [c for c in wanted if c not in CRITERIA]
    if bad:
        raise BrmsError(f"Unknown criterion {bad}; choose from {list(CRITERIA)}.")
    store = _criteria(fit)
    name = model_name or ""
    for c in wanted:
        if c in store and not overwrite:
            continue
        store.pop(c, None)
        if c == "loo":
            loo_kw = {k: kwargs[k] for k in ("reloo", "k_threshold", "reloo_args") if k in kwargs}
            res: Any = _renamed(loo(fit, **loo_kw), name)
        elif c == "waic":
            res = _waic_single(fit, name)
        elif c == "kfold":
            kf_kw = {k: v for k, v in kwargs.items() if k not in ("reloo", "k_threshold", "reloo_args")}
            res = _renamed(kfold(fit, **kf_kw), name)
        elif c == "bayes_R2":
            res = bayes_R2(fit, summary=False)
        else:
            res = loo_R2(fit, summary=False)
        store[c] = res
    return fit


# ---------------------------------------------------------------- R2


