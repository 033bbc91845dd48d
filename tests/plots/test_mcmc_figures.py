"""MCMC figures: trace plots label the iterations, R-hat/ESS bars explain their colours, the
divergence plot has no empty column, figures show once (their axes, labels and artists)."""

from __future__ import annotations

import dataclasses

import matplotlib
import numpy as np
import pytest
from matplotlib.colors import to_hex

import brmspy as bp
from brmspy.plots.mcmc import DIAG_COLORS

matplotlib.use("Agg")

VARS = ["b_Intercept", "b_Days", "sigma"]


@pytest.fixture(autouse=True)
def _close():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def test_trace_axes_say_iteration(sleep_fit) -> None:
    fig = bp.mcmc_plot(sleep_fit, type="trace", variable=VARS)
    assert len(fig.axes) == 3
    for ax, name in zip(fig.axes, VARS):
        assert ax.get_xlabel() == "Iteration" and ax.get_title() == name
        assert len(ax.get_lines()) == 4  # one line per chain
        assert ax.get_lines()[0].get_xdata()[-1] == 1000
    fig = bp.plot_fit(sleep_fit, variable=VARS)
    assert [ax.get_xlabel() for ax in fig.axes[1::2]] == ["Iteration"] * 3  # the trace column
    assert [ax.get_xlabel() for ax in fig.axes[0::2]] == [""] * 3           # the density column


@pytest.mark.parametrize("kind, labels", [
    ("rhat", ["R-hat \u2264 1.05", "R-hat \u2264 1.1", "R-hat > 1.1"]),
    ("neff", ["ESS / N > 0.5", "ESS / N \u2264 0.5", "ESS / N \u2264 0.1"]),
])
def test_diagnostic_bars_have_a_colour_legend(sleep_fit, kind, labels) -> None:
    fig = bp.mcmc_plot(sleep_fit, type=kind, variable=VARS)
    (ax,) = fig.axes
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == labels
    assert [to_hex(h.get_facecolor()) for h in legend.legend_handles] == [to_hex(c) for c in DIAG_COLORS]
    bars = ax.patches
    assert len(bars) == 3
    # every bar has one of the legend's colours; the good class for a converged fit
    assert {to_hex(b.get_facecolor()) for b in bars} <= {to_hex(c) for c in DIAG_COLORS}
    if kind == "rhat":
        assert {to_hex(b.get_facecolor()) for b in bars} == {to_hex(DIAG_COLORS[0])}


def _with_divergences(fit, n: int):
    stats = dict(fit.stan_draws.sampler_stats)
    div = np.zeros_like(np.asarray(stats["divergent__"], dtype=float))
    div.flat[:n] = 1
    stats["divergent__"] = div
    return dataclasses.replace(fit, stan_draws=dataclasses.replace(fit.stan_draws, sampler_stats=stats))


def test_nuts_divergence_columns(sleep_fit) -> None:
    quiet = _with_divergences(sleep_fit, 0)
    fig = bp.mcmc_plot(quiet, type="nuts_divergence")
    assert len(fig.axes) == 2
    for ax in fig.axes:
        assert [t.get_text() for t in ax.get_xticklabels()] == ["No (4000)"]  # no empty "Yes (0)"
        assert len(ax.collections) >= 1 and ax.get_xlim()[1] < 1
    assert fig.axes[1].get_xlabel() == "Divergent"
    fig = bp.mcmc_plot(_with_divergences(sleep_fit, 25), type="nuts_divergence")
    for ax in fig.axes:
        assert [t.get_text() for t in ax.get_xticklabels()] == ["No (3975)", "Yes (25)"]
    assert [ax.get_ylabel() for ax in fig.axes] == ["lp__", "accept_stat__"]


def test_figures_still_pickle_and_stay_open_in_scripts(sleep_fit) -> None:
    """The notebook hook leaves scripts alone: the figure is open for plt.show() and pickles."""
    import pickle

    import matplotlib.pyplot as plt

    fig = bp.mcmc_plot(sleep_fit, type="trace", variable=VARS)
    assert plt.fignum_exists(fig.number)
    again = pickle.loads(pickle.dumps(fig))
    assert [ax.get_title() for ax in again.axes] == VARS
