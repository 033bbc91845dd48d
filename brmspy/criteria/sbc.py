"""Simulation-based calibration (SBC) of a model: draw from the prior, simulate, refit, rank.

SBC (Talts et al. 2018; Modrák et al. 2023) checks that a model and its sampler recover their
own prior: for each of ``n_sims`` parameter values drawn from the prior, a data set is simulated
from the model, the model is refitted to it, and the rank of the true value among ``ndraws``
posterior draws is recorded.  When the sampler computes the posterior correctly, the ranks are
uniform on ``0, ..., ndraws``; a skewed, U-shaped or hump-shaped histogram points at bias,
over-confidence or under-confidence.

The steps follow the R package SBC's brms generator (``SBC_generator_brms``): the prior draws come
from the same model fitted with ``sample_prior="only"`` (thinned, so they are nearly independent),
the data from :func:`brmspy.posterior_predict` of that prior fit (the design, groups and
additions such as ``trials()`` stay those of ``data``), and every refit is the model fitted to
``data`` with its response replaced.  The refits are independent, so any
:class:`concurrent.futures.Executor` can run them (a Dask cluster through
``client.get_executor()``); each has its own seed drawn from ``seed``.

The rank statistics and the uniformity checks are written here with numpy and scipy (a
chi-square test over rank bins, and the simultaneous ECDF band of Säilynoja et al. 2022 computed
by simulation); no Python SBC library covers brms models.  :func:`brmspy.plot_sbc` draws the rank
histograms and ECDF differences.
"""

from __future__ import annotations

import warnings
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from ..core.errors import BrmsError, BrmsWarning, DataError, warn
from ..families import Family
from ..fit import arviz_io
from ..fit.brm import brm
from ..fit.brmsfit import BrmsFit
from ..formula import BrmsFormula, MvBrmsFormula
from ..prediction.core import posterior_predict
from ..priors.spec import Prior

__all__ = ["sbc", "SbcResult", "ecdf_band"]

#: parameter kinds checked by default: the ones summary() reports as population-level,
#: group-level sd/cor and family parameters
DEFAULT_KINDS = ("b", "sd", "cor", "dpar")


@dataclass
class SbcResult:
    """Ranks of the true (prior-drawn) values among the posterior draws of each refit.

    Attributes
    ----------
    ranks : DataFrame
        One row per simulation, one column per variable: the number of the ``max_rank``
        posterior draws below the true value (0 to ``max_rank``).  Rows of failed refits are
        missing (see ``diagnostics``).
    max_rank : int
        The number of posterior draws compared with each true value.
    truth : DataFrame
        The prior draws the data were simulated from (same rows and columns as ``ranks``).
    diagnostics : DataFrame
        Per simulation: ``seed``, the largest ``rhat``, the smallest ``ess_bulk``, the number of
        ``divergent`` transitions and the ``error`` of a refit that failed (empty otherwise).
    """

    ranks: pd.DataFrame
    max_rank: int
    truth: pd.DataFrame
    diagnostics: pd.DataFrame

    @property
    def variables(self) -> list[str]:
        """The checked variables (brms names)."""
        return list(self.ranks.columns)

    def default_bins(self) -> int:
        """Histogram bins: the largest divisor of ``max_rank + 1`` that leaves 5+ simulations per bin."""
        n = max(len(self.ranks), 1)
        divisors = [b for b in range(1, self.max_rank + 2) if (self.max_rank + 1) % b == 0 and n / b >= 5]
        return max(divisors) if divisors else 1

    def uniformity(self, bins: int | None = None) -> pd.DataFrame:
        """Chi-square test of uniform ranks per variable, over ``bins`` equal bins of ranks.

        Returns
        -------
        DataFrame
            One row per variable: ``chisq``, ``df`` and ``p_value``.  Small p-values (after
            accounting for the number of variables) indicate miscalibration.

        Examples
        --------
        >>> res.uniformity()            # doctest: +SKIP
                         chisq  df  p_value
        b_Intercept       9.6  19    0.962
        """
        from scipy import stats

        bins = self.default_bins() if bins is None else int(bins)
        if bins < 2:
            raise BrmsError(f"need at least 2 bins for a chi-square test; {len(self.ranks)} simulations are too few.")
        rows = {}
        for name in self.variables:
            r = self.ranks[name].dropna().to_numpy(dtype=int)
            counts = np.bincount(r * bins // (self.max_rank + 1), minlength=bins)
            expected = len(r) / bins
            chisq = float(np.sum((counts - expected) ** 2 / expected))
            rows[name] = {"chisq": chisq, "df": bins - 1, "p_value": float(stats.chi2.sf(chisq, bins - 1))}
        return pd.DataFrame.from_dict(rows, orient="index")

    def __str__(self) -> str:
        n_fail = int((self.diagnostics["error"] != "").sum())
        lines = [f"SBC: {len(self.ranks)} simulations, ranks among {self.max_rank} posterior draws"
                 + (f" ({n_fail} refits failed)" if n_fail else "")]
        lines.append(self.uniformity().round(3).to_string())
        worst = self.diagnostics["rhat"].max()
        n_div = int(self.diagnostics["divergent"].sum())
        lines.append(f"largest Rhat {worst:.3f}; {n_div} divergent transitions in all refits")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


def ecdf_band(n: int, max_rank: int, prob: float = 0.95, n_sims: int = 1000,
              seed: int | None = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simultaneous band for the ECDF of ``n`` uniform ranks on ``0..max_rank`` (Säilynoja et al. 2022).

    The band is made of pointwise binomial intervals whose level is raised until ``prob`` of
    ``n_sims`` simulated uniform samples stay inside the whole band.

    Returns
    -------
    z, lower, upper : the evaluation points (fractions of the rank range) and the band of the
        ECDF at each of them.

    Examples
    --------
    >>> z, lo, hi = ecdf_band(100, 99, seed=1)
    >>> bool(np.all(lo <= z) and np.all(z <= hi))
    True
    """
    from scipy import stats

    z = np.arange(1, max_rank + 1) / (max_rank + 1)  # ECDF of ranks r < k, k = 1..max_rank
    rng = np.random.default_rng(seed)
    sims = rng.integers(0, max_rank + 1, size=(n_sims, n))
    ecdf = np.stack([(sims < k).mean(axis=1) for k in range(1, max_rank + 1)], axis=1)  # (n_sims, K)
    # the pointwise level gamma whose binomial band holds the whole path in `prob` of the simulations:
    # per simulation, the smallest tail probability along its path; gamma is that minimum's quantile
    cdf = stats.binom.cdf(np.round(ecdf * n), n, z)
    cdf_below = stats.binom.cdf(np.round(ecdf * n) - 1, n, z)
    tail = np.minimum(cdf, 1 - cdf_below)  # two-sided tail probability of each ECDF value
    gamma = float(np.quantile(2 * tail.min(axis=1), 1 - prob))
    lower = stats.binom.ppf(gamma / 2, n, z) / n
    upper = stats.binom.ppf(1 - gamma / 2, n, z) / n
    return z, lower, upper


def _default_variables(fit: BrmsFit) -> list[str]:
    return [n for n, pi in fit.param_info.items() if pi.kind in DEFAULT_KINDS]


def _response_column(fit: BrmsFit) -> str:
    terms = fit.frame.terms
    if isinstance(fit.formula, MvBrmsFormula) or not hasattr(terms, "response"):
        raise BrmsError("sbc() simulates one response; multivariate models are not supported yet.")
    name = terms.response.expr
    if name not in fit.data.columns:
        raise BrmsError(f"sbc() replaces the response column with simulated values, but the response {name!r} "
                        "is an expression, not a column; compute it as a column first.")
    if not pd.api.types.is_numeric_dtype(fit.frame.data[name]) or pd.api.types.is_bool_dtype(fit.frame.data[name]):
        raise DataError(f"sbc() simulates numbers for the response {name!r}, whose column is "
                        f"{fit.frame.data[name].dtype}; code the response as numbers (0/1, counts, 1..K).")
    return name


def _sbc_task(spec: dict[str, Any], data: pd.DataFrame, truth: dict[str, float], variables: list[str],
              max_rank: int, seed: int) -> dict[str, Any]:
    """Refit one simulated data set and rank the truth (module level: executors pickle it)."""
    out: dict[str, Any] = {"seed": seed, "error": ""}
    try:
        with warnings.catch_warnings():  # the diagnostics are returned, not warned per refit
            warnings.simplefilter("ignore")
            fit = brm(data=data, seed=seed, **spec)
    except Exception as exc:  # noqa: BLE001 - a failed refit is a result of SBC, reported per simulation
        out["error"] = f"{type(exc).__name__}: {exc}"
        return out
    d = fit.draws_dict
    n = fit.ndraws()
    idx = np.round(np.linspace(0, n - 1, max_rank)).astype(int)  # thinned: ranks of nearly independent draws
    out["ranks"] = {v: int(np.sum(d[v].reshape(-1)[idx] < truth[v])) for v in variables}
    checked = [d[v] for v in variables] + [d["lp__"]]
    out["rhat"] = max(float(arviz_io.rhat(x)) for x in checked) if fit.stan_draws.nchains > 1 else float("nan")
    out["ess_bulk"] = min(float(arviz_io.ess_bulk(x)) for x in checked)
    div = fit.stan_draws.sampler_stats.get("divergent__")
    out["divergent"] = int(np.sum(div)) if div is not None else 0
    return out


def sbc(
    formula: "str | BrmsFormula",
    data: pd.DataFrame,
    family: "str | Family | None" = None,
    prior: "Prior | Iterable[Prior] | pd.DataFrame | None" = None,
    *,
    n_sims: int = 100,
    ndraws: int = 99,
    variables: Sequence[str] | None = None,
    executor: Executor | None = None,
    seed: int | None = None,
    chains: int = 2,
    iter: int = 1000,  # noqa: A002 - brms's name
    warmup: int | None = None,
    control: dict | None = None,
    prior_thin: int = 10,
    backend: str = "auto",
    data2: dict[str, Any] | None = None,
    reduce: bool | str = "auto",
    centered: bool | str = "auto",
) -> SbcResult:
    """Simulation-based calibration: draw from the prior, simulate data, refit, rank the truth.

    Parameters
    ----------
    formula, data, family, prior, data2 : the model, as in :func:`brmspy.brm`.  Every
        parameter needs a proper prior (the prior draws come from ``sample_prior="only"``);
        ``data`` gives the design (predictors, groups, ``trials()``, ...) of every simulated
        data set, whose response is replaced by the simulated one.
    n_sims : number of simulations (prior draws, data sets and refits).
    ndraws : posterior draws (evenly spaced over all chains) each true value is ranked
        among; ranks run from 0 to ``ndraws``.
    variables : brms names of the parameters to check (default: population-level ``b_*``,
        ``sd_*``, ``cor_*`` and family parameters such as ``sigma``).
    executor : any :class:`concurrent.futures.Executor` to run the refits on (threads,
        processes, or a Dask cluster's ``client.get_executor()``); default: one after the other.
    seed : seeds the prior draws, the simulations and every refit (refit ``i`` gets its own
        seed), so the result does not depend on the executor.
    chains, iter, warmup, control, backend, reduce, centered : sampling settings of the refits
        (small by default: 2 chains of 1000 iterations).
    prior_thin : keep every ``prior_thin``-th draw of the prior fit (one chain, 500 warmup
        iterations), so the ``n_sims`` prior draws are nearly independent.

    Returns
    -------
    SbcResult
        ``ranks``, ``truth``, per-refit ``diagnostics`` and ``uniformity()`` (a chi-square
        test per variable); :func:`brmspy.plot_sbc` draws the rank histograms or ECDF
        differences.

    Warns
    -----
    UserWarning
        When refits fail (their rows are left out of ``ranks``; see ``diagnostics["error"]``).

    Examples
    --------
    >>> import numpy as np, pandas as pd, brmspy as bp
    >>> df = pd.DataFrame({"x": np.linspace(-1, 1, 20), "y": 0.0})
    >>> pri = bp.prior("normal(0, 1)", class_="b") + bp.prior("normal(0, 1)", class_="Intercept") \\
    ...     + bp.prior("exponential(1)", class_="sigma")
    >>> res = bp.sbc("y ~ x", df, prior=pri, n_sims=50, seed=1)       # doctest: +SKIP
    >>> res.uniformity()["p_value"].min() > 0.001                      # doctest: +SKIP
    True
    >>> fig = bp.plot_sbc(res, type="ecdf_diff")                       # doctest: +SKIP

    On a Dask cluster (``pip install "brmspy-stan[dask]"``)::

        from dask.distributed import Client
        client = Client("tcp://scheduler:8786")     # or Client(LocalCluster(n_workers=4))
        res = bp.sbc("y ~ x", df, prior=pri, n_sims=500, executor=client.get_executor(), seed=1)
    """
    for name, v, lo in (("n_sims", n_sims, 2), ("ndraws", ndraws, 1), ("prior_thin", prior_thin, 1)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise BrmsError(f"{name} must be an integer >= {lo}, got {v!r}.")
    if isinstance(formula, MvBrmsFormula):
        raise BrmsError("sbc() simulates one response; multivariate models are not supported yet.")
    rng = np.random.default_rng(seed)
    prior_seed, pp_seed = (int(s) for s in rng.integers(1, 2**31 - 1, size=2))
    refit_seeds = rng.integers(1, 2**31 - 1, size=n_sims)
    prior_warmup = 500
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the prior fit's ESS warnings concern prior draws, thinned below
        prior_fit = brm(formula, data, family, prior, sample_prior="only", chains=1,
                        iter=prior_warmup + n_sims * prior_thin, warmup=prior_warmup, thin=prior_thin,
                        seed=prior_seed, refresh=0, backend=backend, data2=data2, reduce=reduce, centered=centered)
    names = list(variables) if variables is not None else _default_variables(prior_fit)
    missing = [v for v in names if v not in prior_fit.draws_dict]
    if missing:
        raise BrmsError(f"Unknown variable(s) {missing}; the model's parameters include "
                        f"{', '.join(_default_variables(prior_fit))}.")
    if ndraws > chains * (iter - (iter // 2 if warmup is None else warmup)):
        raise BrmsError(f"ndraws ({ndraws}) exceeds the refits' post-warmup draws; lower ndraws or raise iter.")
    response = _response_column(prior_fit)
    truth = pd.DataFrame({v: prior_fit.draws_dict[v].reshape(-1) for v in names})
    ysim = posterior_predict(prior_fit, seed=pp_seed)
    base = prior_fit.frame.data
    spec = dict(formula=prior_fit.formula, family=prior_fit.family, prior=prior, chains=chains, iter=iter,
                warmup=warmup, control=control, refresh=0, backend=backend, data2=data2, reduce=reduce,
                centered=centered, warm_start=False)  # the same refits on every executor (brm's warm_start)
    jobs = []
    for i in range(n_sims):
        sim = base.copy()
        sim[response] = ysim[i].astype(sim[response].dtype, copy=False) if np.all(np.isfinite(ysim[i])) else ysim[i]
        jobs.append((spec, sim, truth.iloc[i].to_dict(), names, ndraws, int(refit_seeds[i])))
    if executor is None:
        results = [_sbc_task(*j) for j in jobs]
    else:
        futures = [executor.submit(_sbc_task, *j) for j in jobs]
        results = [f.result() for f in futures]
    diag = pd.DataFrame([{k: r.get(k, np.nan) for k in ("seed", "rhat", "ess_bulk", "divergent", "error")}
                         for r in results])
    diag["divergent"] = diag["divergent"].fillna(0).astype(int)
    ok = [i for i, r in enumerate(results) if not r["error"]]
    if len(ok) < n_sims:
        first = next(r["error"] for r in results if r["error"])
        warn(f"{n_sims - len(ok)} of {n_sims} SBC refits failed and are left out of the ranks "
                      f"(see result.diagnostics['error']); the first: {first}", BrmsWarning)
    ranks = pd.DataFrame([results[i]["ranks"] for i in ok], index=pd.Index(ok, name="sim"), columns=names)
    truth.index.name = "sim"
    return SbcResult(ranks=ranks, max_rank=ndraws, truth=truth.loc[ok], diagnostics=diag)
