"""Figures of the draws: mcmc_plot (intervals, densities, traces, autocorrelation, diagnostics) and plot_fit."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Sequence

import numpy as np

from ..core.errors import PlotError
from ..fit import arviz_io
from ..fit.brmsfit import BrmsFit
from .style import DARK, LIGHT, LIGHT_HL, MID, _check_prob, _figure, _panels, kde

if TYPE_CHECKING:  # matplotlib is imported when a figure is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MCMC_PLOT_TYPES: tuple[str, ...] = ("intervals", "areas", "dens", "trace", "acf", "rhat", "neff", "nuts_divergence")


def _select_variables(fit: "BrmsFit", variables: str | Sequence[str] | None, regex: bool = False) -> list[str]:
    """brms's default parameter set (b_, sd_, cor_, family dpars) or the requested ones."""
    info = fit.param_info
    draws = fit.draws_dict
    if variables is None:
        out = [n for n, pi in info.items() if pi.kind in ("b", "sd", "cor", "dpar")]
        if not out:
            raise PlotError("The model has no population-level, group-level or family parameters to plot.")
        return out
    wanted = [variables] if isinstance(variables, str) else list(variables)
    if regex:
        out = [n for n in draws if any(re.search(p, n) for p in wanted)]
        if not out:
            raise PlotError(f"No variable matches {wanted}; variables: {_some(draws)}.")
        return out
    missing = [v for v in wanted if v not in draws]
    if missing:
        raise PlotError(f"Unknown variable(s) {missing}; variables: {_some(draws)}.")
    return wanted


def _some(names, k: int = 25) -> str:
    names = list(names)
    return ", ".join(names[:k]) + (", ..." if len(names) > k else "")


def _variable_alias(variable, variables, where: str):
    """brms's argument is ``variable``; ``variables=`` (brmspy's earlier name) is kept as an alias."""
    if variables is not None:
        if variable is not None:
            raise PlotError(f"{where} got both variable= and variables=; use variable= (brms's name).")
        return variables
    return variable


def mcmc_plot(fit: "BrmsFit", type: str = "intervals", variable: str | Sequence[str] | None = None,  # noqa: A002
              regex: bool = False, prob: float | None = None, prob_outer: float | None = None,
              lags: int = 20, ax: "Axes | None" = None, *, variables: str | Sequence[str] | None = None) -> "Figure":
    """Plots of the posterior draws and MCMC diagnostics, as brms's ``mcmc_plot``.

    Parameters
    ----------
    fit : a fitted model.
    type : ``"intervals"`` (median, inner and outer intervals), ``"areas"``
        (densities with the inner interval shaded), ``"dens"`` (one density panel per
        variable, bayesplot's ``mcmc_dens``), ``"trace"`` (one panel per
        variable, a line per chain), ``"acf"`` (autocorrelation, variables ×
        chains), ``"rhat"``, ``"neff"`` (bulk ESS / number of draws) or
        ``"nuts_divergence"`` (``lp__`` and acceptance by divergence).
    variable : names (or with ``regex=True`` patterns, as ``"^sd_"``) of the variables;
        by default the population-level ``b_*``, group-level ``sd_*``/``cor_*`` and
        family parameters such as ``sigma``.
    regex : treat ``variable`` as regular expressions (brms's ``regex``).
    prob, prob_outer : interval probabilities (intervals: 0.5 and 0.9; areas: 0.5 and 1).
    lags : the largest lag of ``"acf"``.
    ax : axes to draw into (single-panel types: intervals, areas, rhat, neff).
    variables : alias of ``variable`` (keyword only).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = mcmc_plot(fit, type="trace", variable=["b_x", "sigma"])   # doctest: +SKIP
    >>> len(fig.axes)                                                  # doctest: +SKIP
    2
    >>> fig = mcmc_plot(fit, variable="^sd_", regex=True)              # doctest: +SKIP
    """
    variables = _variable_alias(variable, variables, "mcmc_plot()")
    if type not in MCMC_PLOT_TYPES:
        raise PlotError(f"Unknown mcmc_plot type {type!r}. Valid types: {', '.join(MCMC_PLOT_TYPES)}.")
    if type == "nuts_divergence":
        return _mcmc_nuts_divergence(fit)
    names = _select_variables(fit, variables, regex)
    draws = {n: np.asarray(fit.draws_dict[n], dtype=float) for n in names}
    if type == "intervals":
        return _mcmc_intervals(draws, _check_prob(prob or 0.5), _check_prob(prob_outer or 0.9, "prob_outer"), ax)
    if type == "areas":
        return _mcmc_areas(draws, _check_prob(prob or 0.5), _check_prob(prob_outer or 1.0, "prob_outer"), ax)
    if type == "dens":
        return _mcmc_dens(draws, ax)
    if type == "trace":
        fig, axes = _panels(len(names), ax=ax, height=None)
        for a, n in zip(axes, names):
            _trace(a, draws[n])
            a.set_title(n, fontsize=9)
        axes[0].legend(frameon=False, fontsize=7)
        return fig
    if type == "acf":
        return _mcmc_acf(draws, lags)
    if type == "rhat":
        values = np.array([float(arviz_io.rhat(draws[n])) for n in names])
        return _diag_bars(names, values, "R-hat", [1.0, 1.05, 1.1], lambda v: v <= 1.05, lambda v: v <= 1.1, ax,
                          start=1.0, legend=("R-hat \u2264 1.05", "R-hat \u2264 1.1", "R-hat > 1.1"))
    n_total = next(iter(draws.values())).size
    values = np.array([float(arviz_io.ess_bulk(draws[n])) for n in names]) / n_total
    return _diag_bars(names, values, "Bulk ESS / N", [0.1, 0.5, 1.0], lambda v: v > 0.5, lambda v: v > 0.1, ax,
                      legend=("ESS / N > 0.5", "ESS / N \u2264 0.5", "ESS / N \u2264 0.1"))


def _mcmc_dens(draws: dict[str, np.ndarray], ax) -> "Figure":
    """bayesplot's ``mcmc_dens``: the density of each variable over all chains, one panel each (free scales)."""
    names = list(draws)
    fig, axes = _panels(len(names), ax=ax, height=None)
    for a, n in zip(axes, names):
        grid, dens = kde(draws[n].ravel())
        a.fill_between(grid, dens, color=LIGHT_HL, lw=0)
        a.plot(grid, dens, color=MID, lw=0.5)
        a.set_xlim(grid[0], grid[-1])
        a.set_ylim(0, None)
        a.set_yticks([])
        if len(names) > 1:
            a.set_title(n, fontsize=9)  # facet strip
        else:
            a.set_xlabel(n)
    return fig


def _trace(a, x: np.ndarray) -> None:
    colors = ["#011f4b", "#6497b1", "#b3cde0", "#005b96", "#03396c", "#7fa7c9"]
    for c in range(x.shape[0]):
        a.plot(np.arange(1, x.shape[1] + 1), x[c], lw=0.5, color=colors[c % len(colors)], label=f"chain {c + 1}")
    a.set_xlabel("Iteration", fontsize=8)


def _mcmc_intervals(draws, prob, prob_outer, ax):
    names = list(draws)
    fig, axes = _figure(ax=ax, width=6, height=0.35 * len(names) + 1.2)
    a = axes[0, 0]
    ypos = np.arange(len(names))[::-1]
    for yv, n in zip(ypos, names):
        x = draws[n].ravel()
        q = np.quantile(x, [(1 - prob_outer) / 2, (1 - prob) / 2, 0.5, (1 + prob) / 2, (1 + prob_outer) / 2])
        a.hlines(yv, q[0], q[4], color=MID, lw=1)
        a.hlines(yv, q[1], q[3], color=DARK, lw=3)
        a.plot([q[2]], [yv], "o", color=LIGHT, mec=DARK, ms=6)
    a.set_yticks(ypos, names)
    a.axvline(0, color="grey", lw=0.5, ls=":")
    return fig


def _mcmc_areas(draws, prob, prob_outer, ax):
    names = list(draws)
    fig, axes = _figure(ax=ax, width=6, height=0.5 * len(names) + 1.2)
    a = axes[0, 0]
    ypos = np.arange(len(names))[::-1]
    for yv, n in zip(ypos, names):
        x = draws[n].ravel()
        lo_o, hi_o = np.quantile(x, [(1 - prob_outer) / 2, (1 + prob_outer) / 2])
        grid, dens = kde(x[(x >= lo_o) & (x <= hi_o)] if prob_outer < 1 else x)
        dens = 0.9 * dens / dens.max() if dens.size and dens.max() > 0 else dens
        lo, hi = np.quantile(x, [(1 - prob) / 2, (1 + prob) / 2])
        inner = (grid >= lo) & (grid <= hi)
        a.fill_between(grid[inner], yv, yv + dens[inner], color=LIGHT, lw=0)
        a.plot(grid, yv + dens, color=DARK, lw=1)
        a.hlines(yv, grid.min(), grid.max(), color=DARK, lw=0.5)
        med = np.median(x)
        a.vlines(med, yv, yv + np.interp(med, grid, dens), color=DARK, lw=1.5)
    a.set_yticks(ypos, names)
    return fig


def autocorr(x: np.ndarray, lags: int) -> np.ndarray:
    """Autocorrelation of a 1-d chain at lags 0..``lags`` (FFT-based)."""
    x = np.asarray(x, dtype=float) - np.mean(x)
    n = x.size
    f = np.fft.rfft(x, n=2 * n)
    ac = np.fft.irfft(f * np.conj(f))[: lags + 1]
    return ac / ac[0] if ac[0] > 0 else np.zeros(lags + 1)


def _mcmc_acf(draws, lags):
    names = list(draws)
    nchains = next(iter(draws.values())).shape[0]
    fig, axes = _figure(len(names), nchains, width=min(2.8 * nchains + 1, 14), height=1.8 * len(names) + 0.6)
    for i, n in enumerate(names):
        for c in range(nchains):
            a = axes[i, c]
            a.bar(np.arange(lags + 1), autocorr(draws[n][c], lags), width=0.6, color=LIGHT_HL)
            a.axhline(0, color="black", lw=0.5)
            a.set_ylim(-0.5, 1.05)
            if i == 0:
                a.set_title(f"Chain {c + 1}", fontsize=9)
            if c == 0:
                a.set_ylabel(n, fontsize=8)
    fig.supxlabel("Lag")
    return fig


#: the colours of the good / acceptable / bad classes of R-hat and ESS bars (bayesplot's three levels)
DIAG_COLORS = (LIGHT, "#f0ad4e", "#d9534f")


def _diag_bars(names, values, label, refs, good, ok, ax, start: float = 0.0,
               legend: tuple[str, str, str] = ("good", "acceptable", "bad")):
    from matplotlib.patches import Patch

    fig, axes = _figure(ax=ax, width=6, height=0.3 * len(names) + 1.2)
    a = axes[0, 0]
    ypos = np.arange(len(names))[::-1]
    colors = [DIAG_COLORS[0] if good(v) else (DIAG_COLORS[1] if ok(v) else DIAG_COLORS[2]) for v in values]
    a.barh(ypos, values - start, left=start, height=0.6, color=colors, edgecolor=DARK, lw=0.5)
    for r in refs:
        a.axvline(r, color="grey", lw=0.7, ls="--")
    a.set_yticks(ypos, names)
    a.set_xlabel(label)
    # every class in the legend, as bayesplot's, so a plot of good values still says what the colours mean
    handles = [Patch(facecolor=c, edgecolor=DARK, lw=0.5, label=t) for c, t in zip(DIAG_COLORS, legend)]
    a.legend(handles=handles, frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def _mcmc_nuts_divergence(fit: "BrmsFit") -> "Figure":
    stats = fit.stan_draws.sampler_stats
    if "divergent__" not in stats:
        raise PlotError("This fit has no sampler statistic 'divergent__' (was it sampled with NUTS?).")
    div = np.asarray(stats["divergent__"]).ravel() > 0
    fig, axes = _figure(2, 1, width=6, height=6)
    for a, key, label in ((axes[0, 0], "lp__", "lp__"), (axes[1, 0], "accept_stat__", "accept_stat__")):
        if key not in stats:
            a.set_visible(False)
            continue
        v = np.asarray(stats[key], dtype=float).ravel()
        groups = [v[~div], v[div]] if div.any() else [v]  # no divergences: no empty "Yes (0)" column
        for pos, g in enumerate(groups):
            if g.size > 1 and np.ptp(g) > 0:
                parts = a.violinplot(g, positions=[pos], showmedians=True, widths=0.7)
                for body in parts["bodies"]:
                    body.set_facecolor(LIGHT if pos == 0 else "#d9534f")
                    body.set_alpha(0.7)
                for key in ("cbars", "cmins", "cmaxes", "cmedians"):
                    parts[key].set_color(DARK)
            elif g.size:
                a.scatter(np.full(g.size, pos), g, color="#d9534f" if pos else LIGHT_HL, s=12)
        a.set_xticks(range(len(groups)), [f"No ({(~div).sum()})", f"Yes ({div.sum()})"][:len(groups)])
        a.set_xlim(-0.6, len(groups) - 0.4)
        a.set_ylabel(label)
    axes[1, 0].set_xlabel("Divergent")
    return fig


def plot_fit(fit: "BrmsFit", variable: str | Sequence[str] | None = None, regex: bool = False, *,
             variables: str | Sequence[str] | None = None) -> "Figure":
    """brms's ``plot(fit)``: a density (left) and trace (right) per parameter, one row each.

    ``variable`` (with ``regex``) selects parameters as in :func:`mcmc_plot`; ``variables`` is its alias.

    Examples
    --------
    >>> fig = plot_fit(fit)              # doctest: +SKIP
    >>> len(fig.axes) == 2 * 3           # doctest: +SKIP
    True
    """
    variables = _variable_alias(variable, variables, "plot_fit()")
    names = _select_variables(fit, variables, regex)
    fig, axes = _figure(len(names), 2, width=9, height=1.9 * len(names) + 0.4)
    for i, n in enumerate(names):
        x = np.asarray(fit.draws_dict[n], dtype=float)
        grid, dens = kde(x.ravel())
        axes[i, 0].fill_between(grid, dens, color=LIGHT, lw=0)
        axes[i, 0].plot(grid, dens, color=DARK, lw=1)
        axes[i, 0].set_title(n, fontsize=9)
        axes[i, 0].set_yticks([])
        _trace(axes[i, 1], x)
        axes[i, 1].set_title(n, fontsize=9)
    axes[0, 1].legend(frameon=False, fontsize=7)
    return fig
