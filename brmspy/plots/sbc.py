"""Figures of simulation-based calibration: rank histograms and ECDF (difference) plots.

As the R package SBC's ``plot_rank_hist`` and ``plot_ecdf_diff``: a histogram of the ranks with the
band that 99% of bins of uniform ranks fall in, and the ECDF of the scaled ranks (or its
difference from the uniform CDF) inside the simultaneous 95% band of
:func:`brmspy.criteria.sbc.ecdf_band`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from ..core.errors import PlotError
from ..criteria.sbc import SbcResult, ecdf_band
from .style import DARK, LIGHT, MID, _check_prob, _panels

if TYPE_CHECKING:  # matplotlib is imported when a figure is drawn
    from matplotlib.figure import Figure

SBC_PLOT_TYPES = ("ecdf_diff", "ecdf", "hist")


def plot_sbc(result: SbcResult, type: str = "ecdf_diff", variables: Sequence[str] | None = None,  # noqa: A002
             bins: int | None = None, prob: float = 0.95) -> "Figure":
    """Rank histograms or ECDF plots of a simulation-based calibration, one panel per variable.

    Parameters
    ----------
    result : the :func:`brmspy.sbc` result.
    type : ``"ecdf_diff"`` (ECDF of the scaled ranks minus the uniform CDF, with the
        simultaneous ``prob`` band; the most sensitive view), ``"ecdf"`` (the ECDF itself)
        or ``"hist"`` (rank histogram with the 99% band of counts under uniformity).
    variables : the variables to show (default: all of ``result.variables``).
    bins : histogram bins (default: :meth:`SbcResult.default_bins`).
    prob : coverage of the simultaneous ECDF band.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_sbc(res, type="hist")          # doctest: +SKIP
    >>> [a.get_title() for a in fig.axes]          # doctest: +SKIP
    ['b_Intercept', 'b_x', 'sigma']
    """
    from scipy import stats

    if not isinstance(result, SbcResult):
        raise PlotError(f"plot_sbc needs the result of bp.sbc(), got {result.__class__.__name__}.")
    if type not in SBC_PLOT_TYPES:
        raise PlotError(f"Unknown SBC plot type {type!r}; choose one of {', '.join(SBC_PLOT_TYPES)}.")
    names = result.variables if variables is None else list(variables)
    missing = [v for v in names if v not in result.variables]
    if missing:
        raise PlotError(f"Unknown variable(s) {missing}; the SBC result has {', '.join(result.variables)}.")
    prob = _check_prob(prob)
    n = len(result.ranks)
    if n == 0:
        raise PlotError("The SBC result has no ranks (every refit failed).")
    L = result.max_rank
    fig, axes = _panels(len(names), max_cols=3)
    if type == "hist":
        bins = result.default_bins() if bins is None else int(bins)
        lo, hi = stats.binom.ppf([0.005, 0.995], n, 1 / bins)
        edges = np.linspace(0, L + 1, bins + 1)
        for a, name in zip(axes, names):
            r = result.ranks[name].to_numpy(dtype=float)
            a.axhspan(lo, hi, color=LIGHT, alpha=0.6, lw=0, label="99% of uniform")
            a.axhline(n / bins, color=MID, lw=1)
            a.hist(r, bins=edges, color=MID, edgecolor=DARK, lw=0.5, alpha=0.85)
            a.set_title(name)
            a.set_xlabel("rank")
        axes[0].set_ylabel("count")
        return fig
    z, lower, upper = ecdf_band(n, L, prob)
    diff = type == "ecdf_diff"
    for a, name in zip(axes, names):
        r = result.ranks[name].to_numpy(dtype=int)
        ecdf = np.array([(r < k).mean() for k in range(1, L + 1)])
        shift = z if diff else 0.0
        a.fill_between(z, lower - shift, upper - shift, step="mid", color=LIGHT, alpha=0.6, lw=0,
                       label=f"{prob:.0%} band")
        a.step(z, ecdf - shift, where="mid", color=DARK, lw=1.2, label="ECDF")
        if diff:
            a.axhline(0.0, color=MID, lw=0.6)
        else:
            a.plot([0, 1], [0, 1], color=MID, lw=0.6)
        a.set_title(name)
        a.set_xlabel("fractional rank")
    axes[0].set_ylabel("ECDF difference" if diff else "ECDF")
    axes[0].legend(frameon=False, fontsize=8)
    return fig
