"""Results of information criteria (loo, waic, kfold) and what they share."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import special

from ..core.html import html_report, pre, table
from ..core.errors import BrmsError
from ..fit.brmsfit import BrmsFit
from ..prediction.core import log_lik


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

    def _repr_html_(self) -> str:
        """The printout for notebooks: the estimates as an HTML table, the notes as text."""
        est = self.estimates.copy()
        est["SE"] = est["SE"].astype(float)
        return html_report([("", pre(self._header())), ("", table(est, digits=1)), ("", pre(self._footer()))])


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
        lines.append("See help(brmspy.criteria.ic.loo) for the Pareto k diagnostic.")
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

    def _repr_html_(self) -> str:
        """Each model's result, then the comparison table, for notebooks."""
        parts = [(f"Output of model '{name}':", res._repr_html_()) for name, res in self.results.items()]
        if self.comparison is not None:
            parts.append(("Model comparisons:", table(self.comparison, digits=1)))
        return html_report(parts)


def _fmt_compare(table: pd.DataFrame) -> str:
    return table[["elpd_diff", "se_diff"]].to_string(float_format=lambda v: f"{v:.1f}")


def _check_fit(fit: Any) -> "BrmsFit":
    if not isinstance(fit, BrmsFit):
        raise BrmsError(f"Expected a BrmsFit (from brm()), got {type(fit).__name__}.")
    return fit


def _criteria(fit: "BrmsFit") -> dict[str, Any]:
    """The fit's stored criteria (``fit.criteria``), created on first use."""
    return fit.__dict__.setdefault("criteria", {})


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


def _ll3(fit: "BrmsFit") -> np.ndarray:
    """Pointwise log-likelihood shaped (chain, draw, N)."""
    ll = log_lik(fit)
    if not np.all(np.isfinite(ll)):
        raise BrmsError("The log-likelihood has non-finite values; loo/waic cannot be computed.")
    return ll.reshape(fit.stan_draws.nchains, -1, ll.shape[1])
