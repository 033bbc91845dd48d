"""Graphical checks of a fitted model, as brms's ``pp_check``, ``mcmc_plot`` and ``plot``.

Every function returns a matplotlib :class:`~matplotlib.figure.Figure` (it never
calls ``plt.show()``), so the result can be saved, shown or edited further.
The plots follow bayesplot's designs: observed data ``y`` in dark blue,
replicated data ``yrep`` from :func:`brmspy.prediction.posterior_predict` in light
blue.  :func:`icc` (intraclass correlations) lives here too, since it is a
derived quantity shown alongside these checks.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import numpy as np, pandas as pd, brmspy as bp
>>> from brmspy.plots import pp_check, mcmc_plot
>>> rng = np.random.default_rng(1)
>>> df = pd.DataFrame({"x": rng.normal(size=60)})
>>> df["y"] = 1 + 0.5 * df["x"] + rng.normal(size=60)
>>> fit = bp.brm("y ~ x", df, iter=400, chains=2, seed=1, refresh=0, backend="stanli")
>>> fig = pp_check(fit, ndraws=5, seed=1)
>>> len(fig.axes[0].lines)        # five replicated densities and the observed one
6
>>> len(mcmc_plot(fit, "trace").axes)   # b_Intercept, b_x, sigma
3
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np
import pandas as pd

from ..core.errors import BrmsWarning, warn
from ..core.errors import BrmsError, FamilyError, PlotError  # noqa: F401  (PlotError re-exported)
from ..fit.brmsfit import BrmsFit
from ..prediction.core import log_lik, posterior_predict
from .style import BP_LIGHT, DARK, LIGHT, LIGHT_HL, MID, _check_prob, _ecdf, _figure, _panels, kde

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["PlotError", "pp_check", "loo_pit_values",
           "PP_CHECK_TYPES",]


PP_CHECK_TYPES: tuple[str, ...] = (
    "dens_overlay", "hist", "stat", "stat_grouped", "intervals", "bars",
    "ecdf_overlay", "scatter_avg", "error_scatter_avg", "violin_grouped", "loo_pit", "loo_pit_overlay", "rootogram",
)


# types for which brms uses every draw by default (its 'aps_types'; the rest use 10). loo_pit_overlay
# is one here, not in brms: its PSIS weights need more than 10 draws (R's loo skips the Pareto
# smoothing below 25 draws with a warning, ArviZ refuses); README "Differences from brms"
_ALL_DRAW_TYPES = {"stat", "stat_grouped", "intervals", "scatter_avg", "error_scatter_avg", "violin_grouped",
                   "loo_pit", "loo_pit_overlay", "rootogram"}
# extra keyword arguments each pp_check type understands
_PP_KW: dict[str, set[str]] = {
    "dens_overlay": set(), "hist": {"bins"}, "stat": {"bins"}, "stat_grouped": {"bins"},
    "intervals": {"prob", "prob_outer", "x"}, "bars": {"prob"}, "ecdf_overlay": set(),
    "scatter_avg": set(), "loo_pit": {"kind", "prob", "n_unif"}, "rootogram": {"style", "prob"},
    "error_scatter_avg": {"size", "alpha"}, "violin_grouped": {"probs", "y_draw"},
    "loo_pit_overlay": {"samples", "grid_len"},
}


# ================================================================ helpers


def _response(fit: "BrmsFit", resp: str | None = None) -> tuple[np.ndarray, Any]:
    """Observed response and family of a univariate fit, or of response ``resp`` of a multivariate one."""
    terms = fit.frame.response_terms
    names = [t.resp for t in terms if t.resp]
    if resp is None and len(terms) != 1:
        raise PlotError(f"This multivariate model has several responses; choose one with resp= (one of: {', '.join(names)}).")
    if resp is not None and resp not in names:
        raise PlotError(f"resp={resp!r} is not a response of this model; its responses: {', '.join(names)}."
                        if names else f"resp={resp!r} is for multivariate models; omit it.")
    t = terms[0] if resp is None else terms[names.index(resp)]
    return np.asarray(fit.frame.responses[t.resp].y, dtype=float), t.family


def _column(fit: "BrmsFit", name: str, what: str, resp: str | None = None) -> np.ndarray:
    """A data column aligned with the rows the model used (``resp``'s own rows with multivariate subset())."""
    if not isinstance(name, str):
        raise PlotError(f"{what} must be the name of a data column, got {name!r}.")
    rows = fit.frame.resp_rows[resp] if fit.frame.resp_rows is not None and resp is not None else slice(None)
    if name in fit.frame.data.columns:
        return fit.frame.data[name].to_numpy()[rows]
    if name in fit.data.columns:
        if len(fit.data) != fit.frame.N:
            raise PlotError(
                f"Column {name!r} is not a model variable and rows with NAs were dropped when fitting, so it "
                "cannot be aligned with the observations; add it to the model or remove the NA rows first."
            )
        return fit.data[name].to_numpy()[rows]
    cols = ", ".join(map(str, fit.data.columns))
    raise PlotError(f"{what} {name!r} is not a column of the data; columns: {cols}.")


_STATS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "mean": lambda a: np.mean(a, axis=-1),
    "median": lambda a: np.median(a, axis=-1),
    "sd": lambda a: np.std(a, axis=-1, ddof=1),
    "std": lambda a: np.std(a, axis=-1, ddof=1),
    "var": lambda a: np.var(a, axis=-1, ddof=1),
    "min": lambda a: np.min(a, axis=-1),
    "max": lambda a: np.max(a, axis=-1),
    "mad": lambda a: 1.4826 * np.median(np.abs(a - np.median(a, axis=-1, keepdims=True)), axis=-1),
    "iqr": lambda a: np.subtract(*np.percentile(a, [75, 25], axis=-1)),
}


def _stat_fun(stat: str | Callable) -> tuple[str, Callable[[np.ndarray], np.ndarray]]:
    """A test statistic applied to each row of a 2-d array (or to a 1-d array)."""
    if callable(stat):
        name = getattr(stat, "__name__", "T")

        def rowwise(a: np.ndarray) -> np.ndarray:
            a = np.asarray(a)
            return np.asarray(stat(a)) if a.ndim == 1 else np.array([stat(row) for row in a], dtype=float)

        return name, rowwise
    if stat not in _STATS:
        raise PlotError(f"Unknown stat {stat!r}; use one of {', '.join(_STATS)} or a function of a 1-d array.")
    return stat, _STATS[stat]


# ================================================================ pp_check


def pp_check(fit: "BrmsFit", type: str = "dens_overlay", ndraws: int | None = None,  # noqa: A002 - brms's name
             stat: str | Callable = "mean", group: str | None = None, seed: int | None = None,
             ax: "Axes | None" = None, resp: str | None = None, **kw: Any) -> "Figure":
    """Posterior predictive check: observed ``y`` against replicated data ``yrep``.

    Parameters
    ----------
    fit : a fitted model.
    type : one of ``"dens_overlay"`` (KDE of y and of ``ndraws`` yrep rows),
        ``"hist"`` (histograms of y and of each yrep row), ``"stat"`` (distribution
        of ``stat(yrep)`` with ``stat(y)`` as a line), ``"stat_grouped"`` (the same
        per level of ``group``), ``"intervals"`` (per observation: yrep median and
        50%/90% intervals with y), ``"bars"`` (discrete outcomes: counts of y as
        bars, yrep count medians with intervals), ``"ecdf_overlay"``,
        ``"scatter_avg"`` (y against mean yrep), ``"error_scatter_avg"`` (y against the
        average predictive error ``y - yrep``), ``"violin_grouped"`` (violins of yrep and
        of y per level of ``group``), ``"loo_pit"`` (LOO-PIT values against the uniform),
        ``"loo_pit_overlay"`` (density of the LOO-PIT values over densities of uniform
        samples, bayesplot's ``ppc_loo_pit_overlay``) or ``"rootogram"`` (counts:
        square-root frequencies).
    ndraws : number of posterior draws used; by default 10 for the overlay-type
        plots (dens_overlay, hist, ecdf_overlay, bars) and all draws otherwise, as brms
        (and for loo_pit_overlay, whose PSIS weights need more than brms's 10 draws).
    stat : for ``"stat"``/``"stat_grouped"``: ``"mean"``, ``"median"``, ``"sd"``,
        ``"var"``, ``"min"``, ``"max"``, ``"mad"``, ``"iqr"`` or a function of a 1-d array.
    group : column name for ``"stat_grouped"`` and ``"violin_grouped"``.
    seed : seed for choosing draws and for the predictive simulation.
    ax : matplotlib axes to draw into (single-panel types only).
    resp : the response to check in a multivariate model (required there), e.g. ``"y1"``.
    **kw : type-specific options: ``bins`` (hist, stat), ``prob``/``prob_outer``
        (intervals: 0.5/0.9; bars, rootogram: 0.9), ``x`` (intervals: a column for
        the x axis), ``style`` (rootogram: ``"standing"``, bayesplot's default,
        ``"hanging"`` or ``"suspended"``), ``kind`` (loo_pit: ``"ecdf"`` or ``"density"``), ``samples``
        and ``grid_len`` (loo_pit_overlay: 100 uniform samples of 512 values), ``probs``
        (violin_grouped: quantile lines, default (0.1, 0.5, 0.9)) and ``y_draw``
        (violin_grouped: ``"violin"``, ``"points"`` or ``"both"``), ``size`` and ``alpha``
        (error_scatter_avg: 2.5 and 0.8).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = pp_check(fit, type="stat", stat="sd")   # doctest: +SKIP
    >>> fig.savefig("ppc.png")                        # doctest: +SKIP
    """
    if type not in PP_CHECK_TYPES:
        raise PlotError(f"Unknown pp_check type {type!r}. Valid types: {', '.join(PP_CHECK_TYPES)}.")
    unknown = set(kw) - _PP_KW[type]
    if unknown:
        valid = ", ".join(sorted(_PP_KW[type])) or "none"
        raise PlotError(f"pp_check(type={type!r}) got unexpected argument(s) {sorted(unknown)}; valid: {valid}.")
    y, family = _response(fit, resp)
    # bars: any discrete outcome, ordinal and categorical ones included (bayesplot's ppc_bars, brms's
    # usual check of ordinal models); rootogram: counts and binary outcomes
    categories = type == "bars" and family.kind.per_category_epred
    if type in ("bars", "rootogram") and not (family.spec.is_discrete or categories):
        raise FamilyError(
            f"pp_check type {type!r} is for discrete outcomes (counts, binary{', categories' if type == 'bars' else ''}), "
            f"but family {family.name!r} is continuous; use 'dens_overlay', 'hist' or 'ecdf_overlay'."
        )
    if type in ("stat_grouped", "violin_grouped") and group is None:
        raise PlotError(f"pp_check(type={type!r}) needs group=<column name>.")
    if type in ("stat", "stat_grouped"):
        _stat_fun(stat)  # fail before simulating
    groups = _column(fit, group, "group", resp) if type in ("stat_grouped", "violin_grouped") else None
    if type == "intervals" and "x" in kw:
        kw["x"] = (kw["x"], _column(fit, kw["x"], "x", resp))
    if ndraws is None and type not in _ALL_DRAW_TYPES:
        ndraws = 10


    yrep = np.asarray(posterior_predict(fit, ndraws=ndraws, seed=seed, resp=resp), dtype=float)
    if type == "loo_pit":
        return _ppc_loo_pit(fit, y, yrep, ndraws, seed, ax, resp=resp, **kw)
    if type == "loo_pit_overlay":
        return _ppc_loo_pit_overlay(fit, y, yrep, ndraws, seed, ax, resp=resp, **kw)
    observed = ~np.isnan(y)  # responses imputed with mi() have no observed value
    if not observed.all():
        y, yrep = y[observed], yrep[:, observed]
        groups = groups[observed] if groups is not None else None
        if type == "intervals" and "x" in kw:
            kw["x"] = (kw["x"][0], kw["x"][1][observed])
    draw = {
        "dens_overlay": _ppc_dens_overlay, "hist": _ppc_hist, "ecdf_overlay": _ppc_ecdf_overlay,
        "scatter_avg": _ppc_scatter_avg, "intervals": _ppc_intervals, "bars": _ppc_bars,
        "rootogram": _ppc_rootogram, "error_scatter_avg": _ppc_error_scatter_avg,
    }
    if type == "stat":
        return _ppc_stat(y, yrep, stat, ax, **kw)
    if type == "stat_grouped":
        return _ppc_stat_grouped(y, yrep, stat, groups, group, ax, **kw)
    if type == "violin_grouped":
        return _ppc_violin_grouped(y, yrep, groups, ax, seed=seed, **kw)
    return draw[type](y, yrep, ax, **kw)


def _legend_y_yrep(ax: "Axes") -> None:
    from matplotlib.lines import Line2D

    ax.legend(handles=[Line2D([], [], color=DARK, lw=2, label="y"),
                       Line2D([], [], color=LIGHT_HL, lw=1, label="y_rep")], frameon=False)


def _ppc_dens_overlay(y, yrep, ax):
    fig, axes = _figure(ax=ax, width=6, height=4)
    a = axes[0, 0]
    for row in yrep:
        a.plot(*kde(row), color=LIGHT_HL, lw=0.6, alpha=0.7)
    a.plot(*kde(y), color=DARK, lw=2)
    a.set_yticks([])
    _legend_y_yrep(a)
    return fig


def _ppc_ecdf_overlay(y, yrep, ax):
    fig, axes = _figure(ax=ax, width=6, height=4)
    a = axes[0, 0]
    for row in yrep:
        a.step(*_ecdf(row), where="post", color=LIGHT_HL, lw=0.6, alpha=0.7)
    a.step(*_ecdf(y), where="post", color=DARK, lw=2)
    a.set_ylim(0, 1.02)
    _legend_y_yrep(a)
    return fig


def _ppc_hist(y, yrep, ax, bins: int = 30):
    fig, axes = _panels(1 + len(yrep), ax=ax, max_cols=4, height=None)
    lo, hi = min(y.min(), yrep.min()), max(y.max(), yrep.max())
    edges = np.linspace(lo, hi, bins + 1)
    for i, a in enumerate(axes):
        data, color, label = (y, DARK, "y") if i == 0 else (yrep[i - 1], LIGHT, "y_rep")
        a.hist(data, bins=edges, color=color, edgecolor=LIGHT_HL if i else DARK)
        a.set_title(label, fontsize=9)
        a.set_yticks([])
    return fig


def _draw_stat(a, t_y, t_rep, bins):
    a.hist(t_rep[np.isfinite(t_rep)], bins=bins, color=LIGHT, edgecolor=LIGHT_HL, label="T(y_rep)")
    a.axvline(t_y, color=DARK, lw=2, label="T(y)")
    a.set_yticks([])


def _ppc_stat(y, yrep, stat, ax, bins: int = 30):
    name, fun = _stat_fun(stat)
    fig, axes = _figure(ax=ax, width=6, height=4)
    a = axes[0, 0]
    _draw_stat(a, float(fun(y)), np.asarray(fun(yrep), dtype=float), bins)
    a.set_xlabel(f"T = {name}")
    a.legend(frameon=False)
    return fig


def _ppc_stat_grouped(y, yrep, stat, groups, group_name, ax, bins: int = 30):
    name, fun = _stat_fun(stat)
    levels = _levels(groups)
    fig, axes = _panels(len(levels), ax=ax)
    keys = pd.Series(groups).astype(str).to_numpy()
    for a, lv in zip(axes, levels):
        m = keys == str(lv)
        _draw_stat(a, float(fun(y[m])), np.asarray(fun(yrep[:, m]), dtype=float), bins)
        a.set_title(f"{group_name} = {lv}", fontsize=9)
    axes[0].legend(frameon=False, fontsize=8)
    fig.supxlabel(f"T = {name}")
    return fig


def _levels(values: np.ndarray) -> list:
    s = pd.Series(values)
    if isinstance(s.dtype, pd.CategoricalDtype):
        return [c for c in s.cat.categories if c in set(s)]
    return sorted(pd.unique(s), key=lambda v: (isinstance(v, str), v))


def _ppc_intervals(y, yrep, ax, prob: float = 0.5, prob_outer: float = 0.9, x=None):
    prob, prob_outer = _check_prob(prob), _check_prob(prob_outer, "prob_outer")
    fig, axes = _figure(ax=ax, width=8, height=4)
    a = axes[0, 0]
    xlabel, xs = ("Index", np.arange(1, y.size + 1)) if x is None else x
    xs = np.asarray(xs, dtype=float)
    q = np.quantile(yrep, [(1 - prob_outer) / 2, (1 - prob) / 2, 0.5, (1 + prob) / 2, (1 + prob_outer) / 2], axis=0)
    a.vlines(xs, q[0], q[4], color=LIGHT_HL, lw=1, label=f"y_rep {prob_outer:.0%}")
    a.vlines(xs, q[1], q[3], color=LIGHT_HL, lw=3, label=f"y_rep {prob:.0%}")
    a.scatter(xs, q[2], s=14, color=LIGHT, edgecolor=LIGHT_HL, zorder=3, label="y_rep median")
    a.scatter(xs, y, s=10, color=DARK, zorder=4, label="y")
    a.set_xlabel(xlabel)
    a.legend(frameon=False, fontsize=8)
    return fig


def _int_values(y: np.ndarray, yrep: np.ndarray) -> np.ndarray:
    if np.any(y != np.round(y)) or np.any(yrep != np.round(yrep)):
        raise PlotError("This check needs integer outcomes (counts or binary responses).")
    return np.union1d(np.unique(y), np.unique(yrep)).astype(np.int64)


def _counts(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Frequency of each value of ``at`` in each row of ``values`` (rows = draws)."""
    values = np.atleast_2d(values).astype(np.int64)
    lo = int(min(at.min(), values.min()))
    span = int(max(at.max(), values.max())) - lo + 1
    offs = (values - lo) + span * np.arange(values.shape[0])[:, None]
    full = np.bincount(offs.ravel(), minlength=span * values.shape[0]).reshape(values.shape[0], span)
    return full[:, at - lo]


def _ppc_bars(y, yrep, ax, prob: float = 0.9):
    prob = _check_prob(prob)
    vals = _int_values(y, yrep)
    obs = _counts(y, vals)[0]
    rep = _counts(yrep, vals)
    lo, med, hi = np.quantile(rep, [(1 - prob) / 2, 0.5, (1 + prob) / 2], axis=0)
    fig, axes = _figure(ax=ax, width=6, height=4)
    a = axes[0, 0]
    a.bar(vals, obs, width=0.9, color=LIGHT, edgecolor=LIGHT_HL, label="y")
    a.errorbar(vals, med, yerr=[med - lo, hi - med], fmt="o", color=DARK, ms=4, capsize=0, lw=1.2,
               label=f"y_rep (median, {prob:.0%})")
    a.set_ylabel("Count")
    a.legend(frameon=False)
    return fig


def _ppc_scatter_avg(y, yrep, ax):
    fig, axes = _figure(ax=ax, width=5, height=5)
    a = axes[0, 0]
    avg = yrep.mean(axis=0)
    a.scatter(avg, y, s=12, color=DARK, alpha=0.8)
    lo, hi = min(avg.min(), y.min()), max(avg.max(), y.max())
    a.plot([lo, hi], [lo, hi], ls="--", color="grey", lw=1)
    a.set_xlabel("Average y_rep")
    a.set_ylabel("y")
    return fig


def _ppc_error_scatter_avg(y, yrep, ax, size: float = 2.5, alpha: float = 0.8):
    """bayesplot's ``ppc_error_scatter_avg``: y (vertical) against the average of ``y - yrep`` over draws."""
    fig, axes = _figure(ax=ax, width=5, height=5)
    a = axes[0, 0]
    err = (y[None, :] - yrep).mean(axis=0)
    # ggplot point size 2.5 (mm) is about 7 pt across: matplotlib's s is in pt^2
    a.scatter(err, y, s=(2.5 * size) ** 2, color=LIGHT_HL, edgecolor=MID, alpha=alpha, linewidths=0.5)
    a.set_xlabel("Average $y - y_{rep}$")
    a.set_ylabel("$y$")
    return fig


def _violin(a, values: np.ndarray, pos: float, half_width: float, peak: float, *, face, edge, lw: float,
            probs: Sequence[float] = ()) -> None:
    """A ggplot-style violin: nrd0 kernel density over the data's range (trim), ``half_width`` at ``peak``."""
    grid, dens = kde(values)
    if grid.size == 0:
        return
    w = half_width * dens / peak
    a.fill_betweenx(grid, pos - w, pos + w, facecolor=face if face is not None else "none", edgecolor=edge, lw=lw)
    for q in np.quantile(values, probs) if len(probs) else []:
        wq = float(np.interp(q, grid, w))
        a.plot([pos - wq, pos + wq], [q, q], color=edge, lw=lw)


def _ppc_violin_grouped(y, yrep, groups, ax, probs: Sequence[float] = (0.1, 0.5, 0.9), y_draw: str = "violin",
                        seed: int | None = None):
    """bayesplot's ``ppc_violin_grouped``: per level of ``group`` a violin of all yrep values (filled, with
    quantile lines at ``probs``) and of y (outline), or y as jittered points."""
    if y_draw not in ("violin", "points", "both"):
        raise PlotError(f"Unknown y_draw {y_draw!r}; use 'violin', 'points' or 'both'.")
    probs = [_check_prob(p, "probs") for p in probs]
    levels = _levels(groups)
    keys = pd.Series(groups).astype(str).to_numpy()
    fig, axes = _figure(ax=ax, width=max(4.0, 1.2 * len(levels) + 1), height=4)
    a = axes[0, 0]
    sel = [keys == str(lv) for lv in levels]
    # geom_violin(scale = "area"): every violin of a layer has the same area, the widest 0.9 wide
    peak_rep = max(kde(yrep[:, m].ravel())[1].max() for m in sel)
    peak_y = max(kde(y[m])[1].max() for m in sel if m.sum() > 0)
    rng = np.random.default_rng(seed)
    for i, m in enumerate(sel):
        _violin(a, yrep[:, m].ravel(), i, 0.45, peak_rep, face=BP_LIGHT, edge=LIGHT, lw=1.0, probs=probs)
        if y_draw in ("violin", "both") and m.sum() > 1:
            _violin(a, y[m], i, 0.45, peak_y, face=None, edge=DARK, lw=1.0)
        if y_draw in ("points", "both"):
            a.scatter(i + rng.uniform(-0.1, 0.1, m.sum()), y[m], s=9, color=DARK, edgecolor=DARK, zorder=3)
    a.set_xticks(range(len(levels)), [str(lv) for lv in levels])
    from matplotlib.patches import Patch

    a.legend(handles=[Patch(facecolor="none", edgecolor=DARK, label="$y$"),
                      Patch(facecolor=BP_LIGHT, edgecolor=LIGHT, label="$y_{rep}$")], frameon=False)
    return fig


def _ppc_rootogram(y, yrep, ax, style: str = "standing", prob: float = 0.9):  # bayesplot's default
    if style not in ("hanging", "standing", "suspended"):
        raise PlotError(f"Unknown rootogram style {style!r}; use 'hanging', 'standing' or 'suspended'.")
    prob = _check_prob(prob)
    vals = _int_values(y, yrep)
    vals = np.arange(min(0, vals.min()), vals.max() + 1)  # every count up to the largest one
    obs = np.sqrt(_counts(y, vals)[0])
    rep = _counts(yrep, vals)
    expected = np.sqrt(rep.mean(axis=0))
    lo, hi = np.sqrt(np.quantile(rep, [(1 - prob) / 2, (1 + prob) / 2], axis=0))
    fig, axes = _figure(ax=ax, width=6, height=4)
    a = axes[0, 0]
    if style == "hanging":
        a.bar(vals, obs, bottom=expected - obs, width=0.9, color=LIGHT, edgecolor=LIGHT_HL, label="Observed")
    elif style == "standing":
        a.bar(vals, obs, width=0.9, color=LIGHT, edgecolor=LIGHT_HL, label="Observed")
    else:
        a.bar(vals, expected - obs, width=0.9, color=LIGHT, edgecolor=LIGHT_HL, label="Expected - observed")
    a.fill_between(vals, lo, hi, color=DARK, alpha=0.15, step=None, label=f"Expected {prob:.0%}")
    a.plot(vals, expected, color=DARK, lw=1.5, marker="o", ms=3, label="Expected")
    a.axhline(0, color="black", lw=0.6)
    a.set_ylabel("sqrt(Count)")
    a.legend(frameon=False)
    return fig


def loo_pit_values(fit: "BrmsFit", ndraws: int | None = None, seed: int | None = None,
                   resp: str | None = None) -> np.ndarray:
    """LOO-PIT values ``P(yrep_i <= y_i | y_-i)`` via PSIS (ArviZ's ``loo_pit``).

    Discrete outcomes get randomised PIT values, as ArviZ does.

    Examples
    --------
    >>> pit = loo_pit_values(fit)      # doctest: +SKIP
    >>> pit.shape == (fit.nobs(),)     # doctest: +SKIP
    True
    """
    y, _ = _response(fit, resp)
    yrep = np.asarray(posterior_predict(fit, ndraws=ndraws, seed=seed, resp=resp), dtype=float)
    return _loo_pit(fit, y, yrep, ndraws, seed, resp)


def _loo_pit(fit, y, yrep, ndraws, seed, resp: str | None = None) -> np.ndarray:
    import arviz_base as azb
    import arviz_stats as azs


    ll = np.asarray(log_lik(fit, ndraws=ndraws, seed=seed, resp=resp), dtype=float)
    S, N = ll.shape
    nchains = fit.stan_draws.nchains
    if S == fit.ndraws():  # all draws: keep the chains so ArviZ can estimate the relative efficiency
        shape = (nchains, S // nchains, N)
        posterior = {n: v for n, v in fit.draws_dict.items() if fit.param_info[n].kind in ("b", "sd", "cor", "dpar")}
    else:  # a subset of draws: one pseudo-chain (relative efficiency 1)
        shape = (1, S, N)
        posterior = {"lp": np.zeros((1, S))}
    dt = azb.from_dict({
        "posterior": posterior,
        "posterior_predictive": {"y": yrep.reshape(shape)},
        "log_likelihood": {"y": ll.reshape(shape)},
        "observed_data": {"y": y},
    })
    pit = np.asarray(azs.loo_pit(dt, random_state=seed)["y"].values, dtype=float)
    return np.clip(pit, 0.0, 1.0)  # normalised weights can sum to 1 + 1e-16


def _ppc_loo_pit(fit, y, yrep, ndraws, seed, ax, kind: str = "ecdf", prob: float = 0.95, n_unif: int = 100,
                 resp: str | None = None):
    if kind not in ("ecdf", "density"):
        raise PlotError(f"Unknown loo_pit kind {kind!r}; use 'ecdf' or 'density'.")
    prob = _check_prob(prob)
    pit = _loo_pit(fit, y, yrep, ndraws, seed, resp)
    n = pit.size
    fig, axes = _figure(ax=ax, width=6, height=4)
    a = axes[0, 0]
    if kind == "ecdf":
        from scipy.stats import binom

        u = np.linspace(0, 1, 201)
        lo = binom.ppf((1 - prob) / 2, n, u) / n
        hi = binom.ppf((1 + prob) / 2, n, u) / n
        a.fill_between(u, lo, hi, color=LIGHT, alpha=0.6, step="post", label=f"Uniform {prob:.0%} (pointwise)")
        a.plot([0, 1], [0, 1], color=LIGHT_HL, lw=1)
        xs, fs = _ecdf(pit)
        a.step(np.r_[0, xs, 1], np.r_[0, fs, 1], where="post", color=DARK, lw=2, label="LOO-PIT")
        a.set_ylabel("ECDF")
    else:
        rng = np.random.default_rng(seed)
        for i in range(n_unif):
            a.plot(*kde(rng.uniform(size=n), bounds=(0, 1)), color=LIGHT_HL, lw=0.5, alpha=0.5,
                   label="Uniform" if i == 0 else None)
        a.plot(*kde(pit, bounds=(0, 1)), color=DARK, lw=2, label="LOO-PIT")
        a.set_yticks([])
    a.set_xlim(0, 1)
    a.set_xlabel("LOO-PIT")
    a.legend(frameon=False)
    return fig


def _ppc_loo_pit_overlay(fit, y, yrep, ndraws, seed, ax, samples: int = 100, grid_len: int = 512,
                         resp: str | None = None):
    """bayesplot's ``ppc_loo_pit_overlay``: the boundary-corrected density of the LOO-PIT values (dark)
    over those of ``samples`` standard uniform samples of ``grid_len`` values each (light), on [0, 1]."""
    if not isinstance(samples, (int, np.integer)) or samples < 1:
        raise PlotError(f"samples must be a positive integer, got {samples!r}.")
    if not isinstance(grid_len, (int, np.integer)) or grid_len < 100:
        raise PlotError(f"grid_len must be an integer of at least 100, got {grid_len!r}.")
    if np.all(np.isin(y, (0, 1))):
        import warnings

        warn("This plot is not recommended for binary data.", BrmsWarning)
    pit = _loo_pit(fit, y, yrep, ndraws, seed, resp)
    fig, axes = _figure(ax=ax, width=6, height=4)
    a = axes[0, 0]
    rng = np.random.default_rng(seed)
    for i in range(samples):  # reflection at 0 and 1 is the boundary correction
        a.plot(*kde(rng.uniform(size=grid_len), n_grid=grid_len, bounds=(0, 1)), color=LIGHT, lw=0.5, alpha=0.7,
               label="Unif" if i == 0 else None)
    a.plot(*kde(pit, n_grid=grid_len, bounds=(0, 1)), color=DARK, lw=1.5, solid_capstyle="round", label="PIT")
    a.set_xlim(-0.01, 1.01)
    a.set_xticks([0, 0.25, 0.5, 0.75, 1], ["0", "0.25", "0.5", "0.75", "1"])
    a.set_ylim(0, None)
    a.set_yticks([])
    handles, labels = a.get_legend_handles_labels()
    a.legend(handles[::-1], labels[::-1], frameon=False)  # PIT first, as bayesplot
    return fig


# ================================================================ mcmc_plot


# ================================================================ plot(fit)


# ================================================================ icc


