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

import math
import warnings
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import special

from ..core.errors import BrmsError, DataError
from ..prediction.core import log_lik, posterior_epred

if TYPE_CHECKING:  # pragma: no cover
    from ..fit.brmsfit import BrmsFit

__all__ = [
    "IcResult", "LooResult", "WaicResult", "KfoldResult", "LooList",
    "loo", "waic", "kfold", "loo_compare", "model_weights", "add_criterion",
    "bayes_R2", "loo_R2", "kfold_split_random", "kfold_split_grouped", "kfold_split_stratified",
]

CRITERIA = ("loo", "waic", "kfold", "bayes_R2", "loo_R2")


# ---------------------------------------------------------------- ArviZ calls


def _relative_eff(ll3: np.ndarray) -> np.ndarray:
    """Per-observation r_eff of exp(log-lik) from the chains (loo's ``relative_eff``).

    ``ll3`` is (chain, draw, N); the ESS is scale-free, so each column is shifted
    by its maximum first to keep ``exp`` finite.
    """
    import arviz_stats as azs

    lik = np.exp(ll3 - ll3.max(axis=(0, 1), keepdims=True))
    S = ll3.shape[0] * ll3.shape[1]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        r = np.asarray(azs.ess(lik, method="mean"), dtype=float).reshape(-1) / S
    return np.where(np.isfinite(r) & (r > 0), r, 1.0)


def _az_psis(ll3: np.ndarray, r_eff: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pareto-smoothed log weights (normalized, (chain, draw, N)) and Pareto k (N,)."""
    from arviz_stats.base import array_stats

    lw = np.empty_like(ll3)
    k = np.empty(ll3.shape[2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(ll3.shape[2]):  # r_eff differs per observation: one PSIS call each
            lw_i, k[i] = array_stats.psislw(ll3[:, :, i], r_eff=float(r_eff[i]), axis=(0, 1))
            lw[:, :, i] = lw_i - special.logsumexp(lw_i)
    return lw, k


def _az_tree(ll3: np.ndarray):
    """A DataTree with the log-likelihood on dims (chain, draw, obs)."""
    import arviz_base as azb

    return azb.from_dict({"log_likelihood": {"y": ll3}}, dims={"y": ["obs"]}, check_conventions=False)


def _da(values: np.ndarray, dims: Sequence[str]):
    import xarray as xr

    return xr.DataArray(values, dims=list(dims))


def _az_loo(ll3: np.ndarray, lw: np.ndarray, k: np.ndarray):
    """ArviZ's PSIS-LOO from precomputed smoothed weights: an ``ELPDDataLOO``."""
    import arviz_stats as azs

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the Pareto k warning is reported by LooResult instead
        return azs.loo(_az_tree(ll3), pointwise=True, reff=1.0,
                       log_weights=_da(lw, ("chain", "draw", "obs")), pareto_k=_da(k, ("obs",)))


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


def _az_loo_r2_draws(y: np.ndarray, ypred_loo: np.ndarray, n: int, seed: int | None) -> np.ndarray:
    """Bayesian-bootstrap draws of the LOO R2 (ArviZ's ``loo_r2`` core, as brms's ``loo_R2``)."""
    from arviz_stats.base import array_stats

    return np.asarray(array_stats.loo_r2(y, ypred_loo, n_simulations=n,
                                         random_state=42 if seed is None else seed), dtype=float)


# ---------------------------------------------------------------- results


def _logmeanexp(ll: np.ndarray, axis: int = 0) -> np.ndarray:
    return special.logsumexp(ll, axis=axis) - math.log(ll.shape[axis])


def _table_of_estimates(pointwise: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Sum and SE (sqrt(N * var)) of pointwise columns, as loo's ``table_of_estimates``."""
    N = len(pointwise)
    est = [float(pointwise[c].sum()) for c in columns]
    se = [float(np.sqrt(N * pointwise[c].var(ddof=1))) if N > 1 else float("nan") for c in columns]
    return pd.DataFrame({"Estimate": est, "SE": se}, index=list(columns))


def _fmt_estimates(est: pd.DataFrame) -> str:
    cells = [(name, f"{r.Estimate:.1f}", "NA" if not np.isfinite(r.SE) else f"{r.SE:.1f}")
             for name, r in est.iterrows()]
    w0 = max(len(c[0]) for c in cells)
    w1 = max(max(len(c[1]) for c in cells), len("Estimate"))
    w2 = max(max(len(c[2]) for c in cells), len("SE"))
    lines = [f"{'':<{w0}} {'Estimate':>{w1}} {'SE':>{w2}}"]
    lines += [f"{a:<{w0}} {b:>{w1}} {c:>{w2}}" for a, b, c in cells]
    return "\n".join(lines)


@dataclass(eq=False)
class IcResult:
    """An information criterion with brms's layout.

    Attributes
    ----------
    criterion : ``"loo"``, ``"waic"`` or ``"kfold"``.
    estimates : DataFrame, rows ``elpd_<criterion>``, ``p_<criterion>``, ``<criterion>ic``
        (``looic``, ``waic``, ``kfoldic``); columns ``Estimate`` and ``SE``.
    pointwise : DataFrame with one row per observation.
    nsamples, nobs : size of the log-likelihood matrix.
    model_name : label used by :func:`loo_compare`.
    """

    criterion: str
    estimates: pd.DataFrame
    pointwise: pd.DataFrame
    nsamples: int
    nobs: int
    model_name: str = ""

    @property
    def elpd(self) -> float:
        return float(self.estimates["Estimate"].iloc[0])

    @property
    def se(self) -> float:
        return float(self.estimates["SE"].iloc[0])

    @property
    def p(self) -> float:
        return float(self.estimates["Estimate"].iloc[1])

    @property
    def elpd_i(self) -> np.ndarray:
        return self.pointwise[self.estimates.index[0]].to_numpy()

    def _header(self) -> str:
        return f"\nComputed from {self.nsamples} by {self.nobs} log-likelihood matrix\n"

    def _footer(self) -> str:
        return ""

    def __str__(self) -> str:
        return f"{self._header()}\n{_fmt_estimates(self.estimates)}\n{self._footer()}".rstrip() + "\n"

    def __repr__(self) -> str:
        return str(self)


@dataclass(repr=False, eq=False)
class LooResult(IcResult):
    """PSIS-LOO result (brms's ``loo`` object).

    Attributes
    ----------
    pareto_k : (N,) Pareto k diagnostic per observation (NaN where refitted by ``reloo``).
    good_k : ArviZ's sample-size dependent threshold ``min(1 - 1/log10(S), 0.7)``.
    n_eff : (N,) PSIS effective sample size per observation.
    r_eff : (N,) relative efficiency of exp(log-lik) used for PSIS.
    mcse_elpd_loo : Monte Carlo SE of elpd_loo (NaN when some k exceed ``good_k``).
    arviz : ArviZ's ``ELPDDataLOO`` (before any reloo).
    reloo_indices : observations refitted exactly.
    """

    pareto_k: np.ndarray = field(default_factory=lambda: np.empty(0))
    good_k: float = 0.7
    n_eff: np.ndarray = field(default_factory=lambda: np.empty(0))
    r_eff: np.ndarray = field(default_factory=lambda: np.empty(0))
    mcse_elpd_loo: float = float("nan")
    arviz: Any = None
    reloo_indices: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=int))

    def pareto_table(self) -> pd.DataFrame:
        """Counts of Pareto k per class (good, bad, very bad) with the minimum ESS of the good ones."""
        k = self.pareto_k
        ok = np.isfinite(k)
        gk = self.good_k
        bins = [(k <= gk) & ok, (k > gk) & (k <= 1) & ok, (k > 1) & ok]
        labels = [f"(-Inf, {gk:.2g}]", f"({gk:.2g}, 1]", "(1, Inf)"]
        n = max(len(k), 1)
        good_ess = self.n_eff[bins[0]] if self.n_eff.size else np.empty(0)
        return pd.DataFrame({
            "class": ["good", "bad", "very bad"],
            "Count": [int(b.sum()) for b in bins],
            "Pct.": [100 * b.sum() / n for b in bins],
            "Min. ESS": [float(good_ess.min()) if good_ess.size else np.nan, np.nan, np.nan],
        }, index=labels)

    def _footer(self) -> str:
        mcse = "NA" if not np.isfinite(self.mcse_elpd_loo) else f"{self.mcse_elpd_loo:.1f}"
        lines = ["------", f"Monte Carlo SE of elpd_loo is {mcse}."]
        r = self.r_eff[np.isfinite(self.r_eff)] if self.r_eff.size else np.empty(0)
        if r.size:
            lines.append(f"MCSE and ESS estimates assume MCMC draws (r_eff in [{r.min():.1f}, {r.max():.1f}]).")
        if self.reloo_indices.size:
            lines.append(f"{self.reloo_indices.size} problematic observation(s) refitted exactly (reloo).")
        lines.append("")
        tab = self.pareto_table()
        if tab["Count"].iloc[1:].sum() == 0:
            lines.append(f"All Pareto k estimates are good (k < {self.good_k:.2g}).")
        else:
            lines.append("Pareto k diagnostic values:")
            w = max(len(i) for i in tab.index)
            lines.append(f"{'':<{w + 13}} {'Count':>5} {'Pct.':<6}   Min. ESS")
            for label, row in tab.iterrows():
                ess = "<NA>" if not np.isfinite(row["Min. ESS"]) else f"{int(round(row['Min. ESS']))}"
                pct = f"{row['Pct.']:.1f}%"
                cls = "(" + row["class"] + ")"
                lines.append(f"{label:>{w}}   {cls:<10} {int(row['Count']):>5} {pct:>6}   {ess}")
        lines.append("See help(brmspy.criteria.loo) for the Pareto k diagnostic.")
        return "\n".join(lines)


@dataclass(repr=False, eq=False)
class WaicResult(IcResult):
    """WAIC result (brms's ``waic`` object)."""

    def _footer(self) -> str:
        n_big = int((self.pointwise["p_waic"] > 0.4).sum())
        if not n_big:
            return ""
        return (f"\n{n_big} ({100 * n_big / self.nobs:.1f}%) p_waic estimates greater than 0.4. "
                "We recommend trying loo instead.")


@dataclass(repr=False, eq=False)
class KfoldResult(IcResult):
    """K-fold cross-validation result (brms's ``kfold`` object).

    Attributes
    ----------
    K : number of folds.
    folds : (N,) fold (1..K) of each observation.
    fits : the refitted models when ``save_fits=True``.
    """

    K: int = 0
    folds: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=int))
    fits: list = field(default_factory=list)

    def _header(self) -> str:
        return f"\nBased on {self.K}-fold cross-validation.\n"


@dataclass(eq=False)
class LooList:
    """Several models' criteria with their comparison (brms's ``loo(fit1, fit2)``).

    Index it by model name (``res["fit1"]``); ``comparison`` is :func:`loo_compare`'s table.
    """

    results: dict[str, IcResult]
    comparison: pd.DataFrame | None = None

    def __getitem__(self, name: str) -> IcResult:
        return self.results[name]

    def __iter__(self):
        return iter(self.results.values())

    def __len__(self) -> int:
        return len(self.results)

    def __str__(self) -> str:
        parts = [f"Output of model '{name}':\n{res}" for name, res in self.results.items()]
        if self.comparison is not None:
            parts.append("Model comparisons:\n" + _fmt_compare(self.comparison))
        return "\n".join(parts)

    def __repr__(self) -> str:
        return str(self)


def _fmt_compare(table: pd.DataFrame) -> str:
    return table[["elpd_diff", "se_diff"]].to_string(float_format=lambda v: f"{v:.1f}")


# ---------------------------------------------------------------- helpers


def _check_fit(fit: Any) -> "BrmsFit":
    from ..fit.brmsfit import BrmsFit

    if not isinstance(fit, BrmsFit):
        raise BrmsError(f"Expected a BrmsFit (from brm()), got {type(fit).__name__}.")
    return fit


def _criteria(fit: "BrmsFit") -> dict[str, Any]:
    """The fit's stored criteria (``fit.criteria``), created on first use."""
    return fit.__dict__.setdefault("criteria", {})


def _ll3(fit: "BrmsFit") -> np.ndarray:
    """Pointwise log-likelihood shaped (chain, draw, N)."""
    ll = log_lik(fit)
    if not np.all(np.isfinite(ll)):
        raise BrmsError("The log-likelihood has non-finite values; loo/waic cannot be computed.")
    return ll.reshape(fit.stan_draws.nchains, -1, ll.shape[1])


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


def _in_model(name: str) -> str:
    return f" in model '{name}'" if name else ""


def _mcse_elpd(ll3: np.ndarray, lw: np.ndarray, elpd_i: np.ndarray, r_eff: np.ndarray) -> np.ndarray:
    """Per-observation MCSE of elpd_loo_i (loo's gamma approximation, in closed form).

    loo approximates the distribution of the IS estimate of exp(elpd_i) by a gamma
    with its mean and variance and reports sd(log Z); that is sqrt(trigamma(shape)),
    with shape = mean^2 / var.
    """
    S = ll3.shape[0] * ll3.shape[1]
    ll = ll3.reshape(S, -1)
    w2 = np.exp(2 * lw.reshape(S, -1))
    rel = np.expm1(ll - elpd_i[None, :])  # (lik - E) / E
    inv_shape = np.sum(w2 * rel**2, axis=0) / r_eff  # var / E^2
    with np.errstate(divide="ignore"):
        out = np.sqrt(special.polygamma(1, 1.0 / inv_shape))
    return np.where(inv_shape > 0, out, 0.0)


# ---------------------------------------------------------------- loo / waic


def _loo_single(fit: "BrmsFit", name: str, chunk_size: int | None = None, ndraws: int | None = None,
                seed: int | None = None, cores: int = 1) -> LooResult:
    """PSIS-LOO of one fit, chunk by chunk of observations for large N (:mod:`brmspy.chunked`)."""
    from ..prediction.chunked import loo_chunked

    return loo_chunked(fit, name, chunk_size, ndraws, seed, cores)


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
    from ..prediction.chunked import _loo_result

    pw = {"elpd_loo": elpd_i, "mcse_elpd_loo": mcse_i, "p_loo": lpd_i - elpd_i, "pareto_k": k, "n_eff": n_eff,
          "r_eff": r_eff}
    return _loo_result(pw, S, name, float(az.good_k), az)


def _reloo(fit: "BrmsFit", res: LooResult, k_threshold: float | None, reloo_args: dict[str, Any]) -> LooResult:
    """Replace the PSIS values of observations with k above the threshold by exact LOO refits."""
    thr = res.good_k if k_threshold is None else float(k_threshold)
    idx = np.flatnonzero(res.pareto_k > thr)
    if idx.size == 0:
        return res
    args = dict(reloo_args)
    executor = args.pop("executor", None)
    chains = args.pop("chains", None)
    seed = args.pop("seed", None)
    data = fit.frame.data
    tests = [np.array([i]) for i in idx]
    lls, _ = _run_folds(fit, data, tests, executor, chains, seed, args, save_fits=False)
    pw = res.pointwise.copy()
    S = res.nsamples
    from ..prediction.chunked import row_subset_fit  # only the refitted rows' log-likelihood

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
        seed: int | None = None, cores: int = 1) -> "LooResult | LooList | Any":
    """Approximate leave-one-out cross-validation with PSIS (brms's ``loo``).

    Parameters
    ----------
    fit, *fits : one or more fitted models.  With several, a :class:`LooList` is
        returned holding each result and (``compare=True``) :func:`loo_compare`'s table.
    pointwise : accepted for brms compatibility; pointwise values are always kept
        (``result.pointwise``) since comparisons need them.
    moment_match : not available (needs unconstraining transforms from the backend);
        ``True`` raises :class:`~brmspy.errors.BrmsError`.  Use ``reloo=True`` or :func:`kfold`.
    reloo : refit the model without each observation whose Pareto k exceeds
        ``k_threshold`` (default: ArviZ's ``good_k``, 0.7 for 2000+ draws) and use the exact values.
    compare : with several fits, add the comparison table.
    k_threshold : Pareto k above which ``reloo`` refits.
    reloo_args : extra arguments for the refits: ``executor``, ``chains``, ``seed`` and
        sampling arguments such as ``iter``.
    model_names : labels of the models (default ``fit1``, ``fit2``, ...).
    subsample : PSIS-LOO on a random subsample of this many observations with the
        difference estimator (brms's ``loo_subsample``, Magnusson et al. 2020), for very
        large N; returns :class:`brmspy.chunked.LooSubsampleResult` (Estimate, SE and
        subsampling SE).
    loo_approximation : the per-observation approximation used with ``subsample``:
        ``"plpd"`` (log-likelihood at the posterior mean, brms's default) or ``"lpd"``.
    ndraws : use a random subset of this many posterior draws (``seed`` chooses them).
    chunk_size : observations per chunk of the log-likelihood (None: automatic, bounding
        each draws × rows array to 2^24 values; 0: all at once).  Results do not depend on it.
    seed : seeds ``ndraws`` and ``subsample``.
    cores : threads for PSIS (brms's ``cores``): with several chunks, one chunk is smoothed
        while the next chunk's log-likelihood is computed.  Results do not depend on it.

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
    """
    if moment_match:
        raise BrmsError("moment_match=True is not available in brmspy (the backends do not expose the "
                        "unconstraining transform it needs). Use loo(fit, reloo=True) or kfold(fit).")
    if isinstance(cores, bool) or not isinstance(cores, (int, np.integer)) or cores < 1:
        raise BrmsError(f"cores must be a positive integer, got {cores!r}.")
    all_fits = [_check_fit(f) for f in (fit, *fits)]
    names = _labels(all_fits, model_names) if (fits or model_names) else [""]
    results: dict[str, IcResult] = {}
    for f, name in zip(all_fits, names):
        stored = _criteria(f).get("loo")
        if subsample is not None:
            from ..prediction.chunked import loo_subsample

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
            res = _loo_single(f, name, chunk_size, ndraws, seed, int(cores))
            if reloo:
                res = _reloo(f, res, k_threshold, reloo_args or {})
        results[name] = res
    if len(results) == 1:
        return next(iter(results.values()))
    comp = loo_compare(*results.values(), model_names=list(results)) if compare and subsample is None else None
    return LooList(results, comp)


def _renamed(res: IcResult, name: str) -> IcResult:
    from dataclasses import replace

    return replace(res, model_name=name)


def waic(fit: "BrmsFit", *fits: "BrmsFit", compare: bool = True,
         model_names: Sequence[str] | None = None, ndraws: int | None = None,
         chunk_size: int | None = None, seed: int | None = None) -> "WaicResult | LooList":
    """Widely applicable information criterion (brms's ``waic``).

    ``elpd_waic = sum(lpd_i - p_waic_i)`` with ``p_waic_i`` the posterior variance of the
    log-likelihood of observation i; ``waic = -2 elpd_waic``.

    Examples
    --------
    >>> w = waic(fit)                                   # doctest: +SKIP
    >>> list(w.estimates.index)                         # doctest: +SKIP
    ['elpd_waic', 'p_waic', 'waic']
    """
    all_fits = [_check_fit(f) for f in (fit, *fits)]
    names = _labels(all_fits, model_names) if (fits or model_names) else [""]
    results: dict[str, IcResult] = {}
    for f, name in zip(all_fits, names):
        stored = _criteria(f).get("waic")
        if stored is not None and ndraws is None:
            results[name] = _renamed(stored, name) if name and stored.model_name != name else stored
        else:
            results[name] = _waic_single(f, name, ndraws, chunk_size, seed)
    if len(results) == 1:
        return next(iter(results.values()))
    return LooList(results, loo_compare(*results.values(), model_names=list(results)) if compare else None)


def _waic_single(fit: "BrmsFit", name: str, ndraws: int | None = None, chunk_size: int | None = None,
                 seed: int | None = None) -> WaicResult:
    from ..prediction.chunked import _ll_chunks  # chunks of observations: never the whole draws × N matrix

    lpd_parts, p_parts, S = [], [], 0
    for _, _, ll3 in _ll_chunks(fit, chunk_size, ndraws, seed):
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
        warnings.warn(f"{n_big} ({100 * n_big / N:.1f}%) p_waic estimates greater than 0.4{_in_model(name)}. "
                      "We recommend trying loo instead.", UserWarning, stacklevel=3)
    return res


# ---------------------------------------------------------------- comparison


def _resolve(obj: Any, criterion: str, name: str) -> IcResult:
    """An IcResult for ``obj`` (a result, or a fit whose criterion is computed or reused)."""
    if isinstance(obj, IcResult):
        return obj
    fit = _check_fit(obj)
    stored = _criteria(fit).get(criterion)
    if stored is not None:
        return stored
    if criterion == "loo":
        return _loo_single(fit, name)
    if criterion == "waic":
        return _waic_single(fit, name)
    raise BrmsError(f"No stored '{criterion}' result on model '{name}'; run add_criterion(fit, '{criterion}') "
                    "first (kfold refits the model).")


def _flatten(objs: Iterable[Any]) -> list[Any]:
    out = []
    for o in objs:
        out.extend(o.results.values() if isinstance(o, LooList) else [o])
    return out


def loo_compare(*objs: Any, criterion: str = "loo", model_names: Sequence[str] | None = None) -> pd.DataFrame:
    """Compare models by expected log predictive density (brms's ``loo_compare``).

    Parameters
    ----------
    *objs : fits, or results of :func:`loo`/:func:`waic`/:func:`kfold` (or a :class:`LooList`).
    criterion : ``"loo"``, ``"waic"`` or ``"kfold"`` for fits (stored results are reused;
        kfold must have been added with :func:`add_criterion`).
    model_names : row labels (default: the results' names, else ``fit1``, ``fit2``, ...).

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
    """
    if criterion not in ("loo", "waic", "kfold"):
        raise BrmsError(f"criterion must be 'loo', 'waic' or 'kfold', got {criterion!r}.")
    objs_l = _flatten(objs)
    if len(objs_l) < 2:
        raise BrmsError("loo_compare needs at least two models (or results).")
    names = _labels(objs_l, model_names)
    res = [_resolve(o, criterion, n) for o, n in zip(objs_l, names)]
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


def _fold_task(source: Any, train: pd.DataFrame, test: pd.DataFrame, sampling: dict[str, Any],
               ll_seed: int, keep_fit: bool) -> tuple[np.ndarray, Any]:
    """Refit on ``train`` and return the log-likelihood draws of ``test`` (S, n_test)."""
    from ..fit.brm import update

    refit = update(source, newdata=train, **sampling)
    ll = log_lik(refit, newdata=test, allow_new_levels=True, seed=ll_seed)
    return ll, (refit if keep_fit else None)


def _run_folds(fit: "BrmsFit", data: pd.DataFrame, tests: list[np.ndarray], executor: Executor | None,
               chains: int | None, seed: int | None, sampling: dict[str, Any],
               save_fits: bool) -> tuple[list[np.ndarray], list[Any]]:
    """Refit once per held-out index set, sequentially or through ``executor``."""
    rng = np.random.default_rng(seed)
    seeds = rng.integers(1, 2**31 - 1, size=len(tests))
    kw = {"refresh": 0, **sampling}
    if chains is not None:
        kw["chains"] = chains
    in_process = executor is None or isinstance(executor, ThreadPoolExecutor)
    # worker processes get plain data, not the fit
    source = fit if in_process else _RefitSpec(fit.formula, fit.family, fit.prior, dict(fit.settings), fit.data_name)
    N = len(data)
    jobs = []
    for t, s in zip(tests, seeds):
        mask = np.zeros(N, dtype=bool)
        mask[t] = True
        train = data.loc[~mask].reset_index(drop=True)
        test = data.loc[mask].reset_index(drop=True)
        jobs.append((source, train, test, {**kw, "seed": int(s)}, int(s), save_fits))
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
          **sampling: Any) -> KfoldResult:
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
    """
    fit = _check_fit(fit)
    data = fit.frame.data
    if "newdata" in sampling:
        raise BrmsError("kfold refits on the fitted data; newdata is not an argument of kfold.")
    rng = np.random.default_rng(seed)
    ids = _make_folds(fit, data, K, folds, group, rng)
    fold_values = np.unique(ids)
    tests = [np.flatnonzero(ids == f) for f in fold_values]
    lls, fits = _run_folds(fit, data, tests, executor, chains, int(rng.integers(1, 2**31 - 1)), sampling, save_fits)
    N = len(data)
    elpd = np.empty(N)
    for t, ll in zip(tests, lls):
        elpd[t] = _logmeanexp(ll)
    S_full = fit.ndraws()
    lpd = _logmeanexp(log_lik(fit).reshape(S_full, N))
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


def _response(fit: "BrmsFit") -> np.ndarray:
    if len(fit.frame.responses) != 1:
        raise BrmsError("R2 is computed for univariate models only in brmspy.")
    return np.asarray(next(iter(fit.frame.responses.values())).y, dtype=float)


def _summarize_r2(draws: np.ndarray, prob: float, robust: bool = False) -> pd.DataFrame:
    if not 0 < prob < 1:
        raise BrmsError(f"prob must be between 0 and 1 (e.g. 0.95), got {prob!r}.")
    lo, hi = (1 - prob) / 2, 1 - (1 - prob) / 2
    est = float(np.median(draws)) if robust else float(draws.mean())
    err = float(1.4826 * np.median(np.abs(draws - np.median(draws)))) if robust else float(draws.std(ddof=1))
    q = np.quantile(draws, [lo, hi])
    return pd.DataFrame({"Estimate": [est], "Est.Error": [err], f"Q{lo * 100:g}": [q[0]],
                         f"Q{hi * 100:g}": [q[1]]}, index=["R2"])


def bayes_R2(fit: "BrmsFit", summary: bool = True, prob: float = 0.95,  # noqa: N802 - brms's name
             robust: bool = False, resp: "str | Sequence[str] | None" = None) -> "pd.DataFrame | np.ndarray":
    """Bayesian R2 (Gelman, Goodrich, Gabry & Vehtari 2019), as brms.

    Per draw, ``var(ypred) / (var(ypred) + var(y - ypred))`` over observations, with
    ``ypred = posterior_epred(fit)``; in multivariate models one R2 per response
    (brms's rows ``R2y1``, ``R2y2``, ...), each from that response's epred and data.

    Parameters
    ----------
    summary : a DataFrame with Estimate, Est.Error, Q2.5, Q97.5, one row ``R2`` (``R2<resp>``
        per response in multivariate models); else the draws: (S,) for one response,
        (S, responses) for several.
    prob : interval probability.
    robust : median and MAD instead of mean and SD.
    resp : multivariate models: a response name or a list of them (default: all).

    Examples
    --------
    >>> bayes_R2(fit)             # doctest: +SKIP
        Estimate  Est.Error      Q2.5     Q97.5
    R2  0.791...
    >>> bayes_R2(mv_fit, resp="y1")  # doctest: +SKIP
    """
    fit = _check_fit(fit)
    names = [t.resp for t in fit.frame.response_terms]
    if resp is not None:
        wanted = [resp] if isinstance(resp, str) else list(resp)
        unknown = [r for r in wanted if r not in names]
        if unknown or len(names) == 1:
            raise BrmsError(f"resp={resp!r} does not name responses of this model; its responses: {', '.join(names)}."
                            if len(names) > 1 else f"resp={resp!r} is for multivariate models; omit resp.")
        names = wanted
    stored = _criteria(fit).get("bayes_R2") if resp is None else None
    if stored is None:
        cols = []
        for r in names:  # brms's .bayes_R2 per response
            y = np.asarray(fit.frame.responses[r].y, dtype=float)
            ypred = posterior_epred(fit, resp=r or None)
            var_ypred = ypred.var(axis=1, ddof=1)
            var_e = (y[None, :] - ypred).var(axis=1, ddof=1)
            cols.append(var_ypred / (var_ypred + var_e))
        stored = cols[0] if len(cols) == 1 else np.column_stack(cols)
    if not summary:
        return stored
    draws = stored.reshape(len(stored), -1)
    return pd.concat([_summarize_r2(draws[:, j], prob, robust).rename(index={"R2": f"R2{r}"})
                      for j, r in enumerate(names)])


def loo_R2(fit: "BrmsFit", summary: bool = True, prob: float = 0.95,  # noqa: N802 - brms's name
           robust: bool = False, seed: int | None = None) -> "pd.DataFrame | np.ndarray":
    """LOO-adjusted R2 (brms's ``loo_R2``).

    As brms: the LOO predictions ``E_loo[posterior_epred]`` use the PSIS weights of
    :func:`loo` (ArviZ's PSIS with per-observation r_eff); ``R2 = 1 - var(y - ypred_loo) / var(y)``
    is then bootstrapped with Dirichlet weights over observations (ArviZ's ``loo_r2`` core),
    one draw per posterior draw.  (ArviZ's ``loo_r2`` itself would smooth posterior-predictive
    draws with one r_eff for all observations.)

    Examples
    --------
    >>> loo_R2(fit)               # doctest: +SKIP
    """
    fit = _check_fit(fit)
    stored = _criteria(fit).get("loo_R2")
    if stored is None:
        y = _response(fit)
        ll3 = _ll3(fit)
        C, D, N = ll3.shape
        from .psis import psislw, relative_eff  # vectorised over observations (ArviZ's PSIS up to rounding)

        lw, k = psislw(ll3, relative_eff(ll3))
        ypred3 = posterior_epred(fit).reshape(C, D, N)
        ypred_loo = np.sum(np.exp(lw) * ypred3, axis=(0, 1))  # E_loo[epred] with the PSIS weights
        stored = np.clip(_az_loo_r2_draws(y, ypred_loo, C * D, seed), -1, 1)
    return _summarize_r2(stored, prob, robust) if summary else stored
