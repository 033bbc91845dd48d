"""pp_check, mcmc_plot, plot_fit, icc and conditional_effects on small stanli fits.

The figures are inspected through matplotlib's artists (lines, bars, offsets),
so the tests check what is drawn, not only that drawing succeeds.
"""

from __future__ import annotations

import math
import warnings

import matplotlib

matplotlib.use("Agg")

import arviz_stats  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from scipy import optimize, stats  # noqa: E402

import brmspy as bp  # noqa: E402
from brmspy.core.errors import BrmsError, FamilyError  # noqa: E402
from brmspy.fit import arviz_io  # noqa: E402
from brmspy.plots.effects import ConditionalEffects, conditional_effects  # noqa: E402
from brmspy.plots.mcmc import MCMC_PLOT_TYPES, mcmc_plot, plot_fit
from brmspy.plots.ppc import PP_CHECK_TYPES, PlotError, pp_check
from brmspy.plots.style import kde  # noqa: E402
from brmspy.plots.variance import icc

FIT_ARGS = dict(iter=600, chains=2, seed=11, refresh=0, backend="stanli")


def _fit(formula, data, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # short chains: ESS/Rhat warnings are expected
        return bp.brm(formula, data, **FIT_ARGS, **kw)


@pytest.fixture(scope="module")
def gdata() -> pd.DataFrame:
    rng = np.random.default_rng(2024)
    n = 150
    g = rng.integers(0, 6, n)
    f = rng.choice(["a", "b", "c"], n)
    x = rng.normal(size=n)
    y = 1 + 0.5 * x + np.select([f == "b", f == "c"], [1.0, -1.0], 0.0) + rng.normal(0, 0.8, 6)[g] + rng.normal(size=n)
    return pd.DataFrame({"y": y, "x": x, "f": f, "g": g.astype(str)})


@pytest.fixture(scope="module")
def gfit(gdata):
    return _fit("y ~ x + f + (1 | g)", gdata)


@pytest.fixture(scope="module")
def pfit():
    rng = np.random.default_rng(7)
    n = 120
    g = rng.integers(0, 5, n)
    x = rng.normal(size=n)
    y = rng.poisson(np.exp(0.6 + 0.4 * x + rng.normal(0, 0.5, 5)[g]))
    return _fit("y ~ x + (1 | g)", pd.DataFrame({"y": y, "x": x, "g": g.astype(str)}), family="poisson")


@pytest.fixture(scope="module")
def bfit():
    rng = np.random.default_rng(5)
    n = 160
    g = rng.integers(0, 8, n)
    y = rng.binomial(1, 1 / (1 + np.exp(-(0.2 + rng.normal(0, 1.0, 8)[g]))))
    return _fit("y ~ 1 + (1 | g)", pd.DataFrame({"y": y, "g": g.astype(str)}), family="bernoulli")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _y(fit) -> np.ndarray:
    return np.asarray(fit.frame.responses[""].y, dtype=float)


def _flat(fit, name) -> np.ndarray:
    return np.asarray(fit.draws_dict[name]).ravel()


def _bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


# ---------------------------------------------------------------- pp_check


def test_dens_and_ecdf_overlay_draw_ndraws_plus_one_lines(gfit):
    y = _y(gfit)
    fig = pp_check(gfit, "dens_overlay", ndraws=7, seed=1)
    ax = fig.axes[0]
    assert len(fig.axes) == 1 and len(ax.lines) == 8
    grid, dens = kde(y)
    np.testing.assert_allclose(ax.lines[-1].get_xydata(), np.column_stack([grid, dens]))  # y drawn last
    assert len(pp_check(gfit).axes[0].lines) == 11  # brms's default of 10 draws
    again = pp_check(gfit, "dens_overlay", ndraws=7, seed=1).axes[0]
    np.testing.assert_array_equal(again.lines[0].get_xydata(), ax.lines[0].get_xydata())  # seed -> same draws
    fig = pp_check(gfit, "ecdf_overlay", ndraws=4, seed=1)
    lines = fig.axes[0].lines
    assert len(lines) == 5
    np.testing.assert_allclose(np.sort(lines[-1].get_xdata()), np.sort(y))
    assert lines[-1].get_ydata()[-1] == pytest.approx(1.0)


def test_hist_has_one_panel_for_y_and_each_draw(gfit):
    fig = pp_check(gfit, "hist", ndraws=5, seed=3, bins=12)
    assert len(fig.axes) == 6
    assert fig.axes[0].get_title() == "y"
    assert sum(p.get_height() for p in _bars(fig.axes[0])) == pytest.approx(gfit.nobs())
    assert len(_bars(fig.axes[0])) == 12


def test_stat_line_at_observed_statistic(gfit):
    y = _y(gfit)
    for stat, value in (("mean", y.mean()), ("sd", y.std(ddof=1)), (np.max, y.max())):
        fig = pp_check(gfit, "stat", stat=stat, seed=1)
        ax = fig.axes[0]
        vline = ax.lines[-1].get_xdata()
        assert vline[0] == pytest.approx(value) and vline[1] == pytest.approx(value)
        assert sum(p.get_height() for p in _bars(ax)) == pytest.approx(gfit.ndraws())  # all draws by default
    # T(yrep) over draws centres on the observed mean for a model with an intercept
    ax = pp_check(gfit, "stat", seed=1).axes[0]
    centres = np.array([p.get_x() + p.get_width() / 2 for p in _bars(ax)])
    heights = np.array([p.get_height() for p in _bars(ax)])
    assert np.average(centres, weights=heights) == pytest.approx(y.mean(), abs=0.15)


def test_stat_grouped_one_panel_per_level(gfit, gdata):
    y = _y(gfit)
    fig = pp_check(gfit, "stat_grouped", group="f", stat="median", seed=1)
    assert len(fig.axes) == 3
    levels = sorted(gdata["f"].unique())
    for ax, lv in zip(fig.axes, levels):
        assert ax.get_title() == f"f = {lv}"
        assert ax.lines[-1].get_xdata()[0] == pytest.approx(np.median(y[gdata["f"].to_numpy() == lv]))
    with pytest.raises(PlotError, match="group"):
        pp_check(gfit, "stat_grouped")
    with pytest.raises(PlotError, match="not a column"):
        pp_check(gfit, "stat_grouped", group="nope")


def test_intervals_and_scatter_avg_show_observed_points(gfit, gdata):
    y = _y(gfit)
    ax = pp_check(gfit, "intervals", ndraws=100, seed=1).axes[0]
    obs = ax.collections[-1].get_offsets()
    np.testing.assert_allclose(obs[:, 0], np.arange(1, y.size + 1))
    np.testing.assert_allclose(obs[:, 1], y)
    ax = pp_check(gfit, "intervals", ndraws=50, seed=1, x="x").axes[0]
    np.testing.assert_allclose(ax.collections[-1].get_offsets()[:, 0], gdata["x"])
    ax = pp_check(gfit, "scatter_avg", seed=1).axes[0]
    pts = ax.collections[0].get_offsets()
    np.testing.assert_allclose(pts[:, 1], y)
    assert np.corrcoef(pts[:, 0], pts[:, 1])[0, 1] > 0.6  # the fit tracks the data


def test_bars_for_an_ordinal_model():
    """Regression: pp_check(type="bars") refused ordinal families as 'continuous'."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=120)
    df = pd.DataFrame({"x": x, "y": 1 + np.searchsorted([-1.0, 0.0, 1.0], x + rng.logistic(size=120) * 0.5)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y ~ x", df, family="cumulative", chains=1, iter=300, seed=1, refresh=0)
    ax = pp_check(fit, "bars", seed=1).axes[0]
    bars = _bars(ax)
    assert [p.get_x() + p.get_width() / 2 for p in bars] == [1, 2, 3, 4]
    assert [p.get_height() for p in bars] == df["y"].value_counts().sort_index().tolist()
    with pytest.raises(FamilyError, match="counts, binary"):
        pp_check(fit, "rootogram")


def test_bars_and_rootogram_for_counts(pfit):
    y = _y(pfit).astype(int)
    ax = pp_check(pfit, "bars", seed=1).axes[0]
    bars = _bars(ax)
    observed = {int(round(b.get_x() + b.get_width() / 2)): b.get_height() for b in bars}
    for k, count in zip(*np.unique(y, return_counts=True)):
        assert observed[int(k)] == count
    fig = pp_check(pfit, "rootogram", seed=1, style="hanging")
    ax = fig.axes[0]
    bars = _bars(ax)
    expected_line = ax.lines[0]
    exp_at = dict(zip(expected_line.get_xdata().astype(int), expected_line.get_ydata()))
    counts = np.bincount(y)
    for b in bars:
        k = int(round(b.get_x() + b.get_width() / 2))
        obs = math.sqrt(counts[k]) if k < counts.size else 0.0
        assert b.get_height() == pytest.approx(obs)
        assert b.get_y() + b.get_height() == pytest.approx(exp_at[k])  # hanging from the expected curve
    assert ax.get_ylabel() == "sqrt(Count)"
    standing = _bars(pp_check(pfit, "rootogram", seed=1, style="standing").axes[0])
    assert all(b.get_y() == 0 for b in standing)
    default = _bars(pp_check(pfit, "rootogram", seed=1).axes[0])  # bayesplot's default style: standing
    assert all(b.get_y() == 0 for b in default) and len(default) == len(standing)


def test_bars_for_binary_outcome(bfit):
    y = _y(bfit)
    bars = sorted(_bars(pp_check(bfit, "bars", ndraws=50, seed=1).axes[0]), key=lambda b: b.get_x())
    assert [b.get_height() for b in bars] == [(y == 0).sum(), (y == 1).sum()]


def test_loo_pit(gfit):
    from brmspy.plots.ppc import loo_pit_values

    pit = loo_pit_values(gfit)
    assert pit.shape == (gfit.nobs(),)
    assert np.all((pit >= 0) & (pit <= 1)), pit[~((pit >= 0) & (pit <= 1))]
    assert abs(pit.mean() - 0.5) < 0.1  # well specified model: roughly uniform
    ax = pp_check(gfit, "loo_pit").axes[0]
    assert ax.get_xlim() == (0, 1)
    assert len(pp_check(gfit, "loo_pit", kind="density", n_unif=20, seed=2).axes[0].lines) == 21
    sub = loo_pit_values(gfit, ndraws=200, seed=4)  # a subset of draws (one pseudo-chain)
    assert sub.shape == pit.shape and np.corrcoef(sub, pit)[0, 1] > 0.9


def test_loo_pit_overlay_as_bayesplot(gfit):
    from brmspy.plots.ppc import loo_pit_values
    from brmspy.plots.style import DARK, LIGHT

    fig = pp_check(gfit, "loo_pit_overlay", ndraws=400, seed=3, samples=25)
    ax = fig.axes[0]
    assert len(fig.axes) == 1 and len(ax.lines) == 26  # 25 uniform densities, then the PIT density
    assert all(line.get_color() == LIGHT for line in ax.lines[:-1]) and ax.lines[-1].get_color() == DARK
    pit = loo_pit_values(gfit, ndraws=400, seed=3)
    np.testing.assert_allclose(ax.lines[-1].get_xydata(), np.column_stack(kde(pit, n_grid=512, bounds=(0, 1))))
    assert ax.lines[0].get_xdata().min() == 0 and ax.lines[0].get_xdata().max() == 1
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "0.25", "0.5", "0.75", "1"]
    assert list(ax.get_yticks()) == [] and ax.get_xlabel() == "" and ax.get_ylabel() == ""
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["PIT", "Unif"]
    assert ax.get_ylim()[0] == 0
    # all draws by default (brms: 10, too few for PSIS; README "Differences from brms")
    default = pp_check(gfit, "loo_pit_overlay", seed=3, samples=5).axes[0]
    np.testing.assert_allclose(default.lines[-1].get_ydata(),
                               kde(loo_pit_values(gfit, seed=3), n_grid=512, bounds=(0, 1))[1])
    with pytest.raises(PlotError, match="samples"):
        pp_check(gfit, "loo_pit_overlay", samples=0)


def test_error_scatter_avg_as_bayesplot(gfit):
    from brmspy.prediction.core import posterior_predict

    y = _y(gfit)
    ax = pp_check(gfit, "error_scatter_avg", seed=2).axes[0]
    pts = ax.collections[0].get_offsets()
    yrep = np.asarray(posterior_predict(gfit, seed=2), dtype=float)  # all draws, as brms
    assert yrep.shape[0] == gfit.ndraws()
    np.testing.assert_allclose(pts[:, 0], (y[None, :] - yrep).mean(axis=0))  # x: average predictive error
    np.testing.assert_allclose(pts[:, 1], y)  # y: the observations
    assert ax.get_xlabel() == "Average $y - y_{rep}$" and ax.get_ylabel() == "$y$"
    assert len(ax.lines) == 0  # no reference line


def test_violin_grouped_as_bayesplot(gfit, gdata):
    from brmspy.plots.style import BP_LIGHT, DARK

    fig = pp_check(gfit, "violin_grouped", group="f", ndraws=200, seed=1)
    ax = fig.axes[0]
    levels = sorted(gdata["f"].unique())
    assert [t.get_text() for t in ax.get_xticklabels()] == levels
    polys = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(polys) == 2 * len(levels)  # a yrep violin (filled) and a y violin (outline) per level
    faces = [matplotlib.colors.to_hex(c.get_facecolor()[0]) if len(c.get_facecolor()) else "none" for c in polys]
    assert faces == [BP_LIGHT, "none"] * len(levels)
    assert len(ax.lines) == 3 * len(levels)  # quantile lines at 0.1, 0.5, 0.9 of each yrep violin
    y = _y(gfit)
    f = gdata["f"].to_numpy()
    for poly, lv in zip(polys[1::2], levels):  # the y violins span each level's observed range
        ys = poly.get_paths()[0].vertices[:, 1]
        assert ys.min() == pytest.approx(y[f == lv].min()) and ys.max() == pytest.approx(y[f == lv].max())
        assert matplotlib.colors.to_hex(poly.get_edgecolor()[0]) == DARK
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["$y$", "$y_{rep}$"]
    assert ax.get_xlabel() == "" and ax.get_ylabel() == ""
    pts = pp_check(gfit, "violin_grouped", group="f", ndraws=20, seed=1, y_draw="points").axes[0]
    np.testing.assert_allclose(np.sort(np.concatenate([c.get_offsets()[:, 1] for c in pts.collections
                                                       if not isinstance(c, PolyCollection)])), np.sort(y))
    with pytest.raises(PlotError, match="needs group"):
        pp_check(gfit, "violin_grouped")


def test_pp_check_errors(gfit):
    with pytest.raises(BrmsError) as err:
        pp_check(gfit, "density")
    assert isinstance(err.value, ValueError)
    assert all(t in str(err.value) for t in PP_CHECK_TYPES)
    with pytest.raises(FamilyError, match="discrete"):
        pp_check(gfit, "bars")
    with pytest.raises(FamilyError, match="discrete"):
        pp_check(gfit, "rootogram")
    with pytest.raises(PlotError, match="Unknown stat"):
        pp_check(gfit, "stat", stat="kurtosis")
    with pytest.raises(PlotError, match="unexpected"):
        pp_check(gfit, "dens_overlay", bins=3)
    fig, ax = plt.subplots()
    assert pp_check(gfit, "stat", ax=ax) is fig
    with pytest.raises(PlotError, match="single-panel"):
        pp_check(gfit, "hist", ax=ax)


# ---------------------------------------------------------------- mcmc_plot


DEFAULT_VARS = ["b_Intercept", "b_x", "b_fb", "b_fc", "sd_g__Intercept", "sigma"]


def test_mcmc_intervals_default_variables_and_medians(gfit):
    ax = mcmc_plot(gfit).axes[0]
    by_height = sorted(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels())), reverse=True)
    assert [name for _, name in by_height] == DEFAULT_VARS  # first variable at the top
    medians = [line.get_xdata()[0] for line in ax.lines[: len(DEFAULT_VARS)]]
    np.testing.assert_allclose(medians, [np.median(_flat(gfit, n)) for n in DEFAULT_VARS])


def test_mcmc_panels(gfit):
    nch = gfit.stan_draws.nchains
    fig = mcmc_plot(gfit, "trace", variables=["b_x", "sigma"])
    assert len(fig.axes) == 2
    assert len(fig.axes[0].lines) == nch
    np.testing.assert_allclose(fig.axes[1].lines[0].get_ydata(), gfit.draws_dict["sigma"][0])
    assert len(mcmc_plot(gfit, "acf", variables=["b_x", "sigma", "b_fb"], lags=10).axes) == 3 * nch
    assert len(mcmc_plot(gfit, "areas").axes) == 1
    assert len(mcmc_plot(gfit, "nuts_divergence").axes) == 2
    fig = mcmc_plot(gfit, "trace", variables="^b_", regex=True)
    assert [a.get_title() for a in fig.axes] == DEFAULT_VARS[:4]


def test_mcmc_plot_brms_argument_names_and_dens(gfit):
    fig = mcmc_plot(gfit, "trace", variable="^sd_", regex=True)  # brms's names
    assert [a.get_title() for a in fig.axes] == ["sd_g__Intercept"]
    by_alias = mcmc_plot(gfit, "trace", variables=["b_x", "sigma"])
    assert [a.get_title() for a in by_alias.axes] == ["b_x", "sigma"]
    with pytest.raises(PlotError, match="both variable= and variables="):
        mcmc_plot(gfit, variable="b_x", variables="b_x")
    ax = gfit.mcmc_plot("intervals", variable=["b_x"]).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b_x"]
    fig = mcmc_plot(gfit, "dens", variable=["b_x", "sigma"])
    assert [a.get_title() for a in fig.axes] == ["b_x", "sigma"]
    for a, n in zip(fig.axes, ["b_x", "sigma"]):
        grid, dens = kde(_flat(gfit, n))
        np.testing.assert_allclose(a.lines[0].get_xydata(), np.column_stack([grid, dens]))
        assert len(a.collections) == 1 and list(a.get_yticks()) == []  # filled density, no y axis
    one = mcmc_plot(gfit, "dens", variable="sigma").axes[0]
    assert one.get_xlabel() == "sigma" and one.get_title() == ""  # one variable: the name on the x axis
    assert len(plot_fit(gfit, variable="sigma").axes) == 2
    assert len(gfit.plot(variable="^b_", regex=True).axes) == 2 * 4


def test_mcmc_rhat_and_neff_values(gfit):
    bars = sorted(_bars(mcmc_plot(gfit, "rhat").axes[0]), key=lambda b: -b.get_y())
    rhat = [float(arviz_io.rhat(gfit.draws_dict[n])) for n in DEFAULT_VARS]
    np.testing.assert_allclose([b.get_x() + b.get_width() for b in bars], rhat)
    bars = sorted(_bars(mcmc_plot(gfit, "neff").axes[0]), key=lambda b: -b.get_y())
    ratio = [float(arviz_io.ess_bulk(gfit.draws_dict[n])) / gfit.ndraws() for n in DEFAULT_VARS]
    np.testing.assert_allclose([b.get_width() for b in bars], ratio)


def test_mcmc_plot_errors(gfit):
    with pytest.raises(PlotError) as err:
        mcmc_plot(gfit, "pairs")
    assert isinstance(err.value, ValueError) and all(t in str(err.value) for t in MCMC_PLOT_TYPES)
    with pytest.raises(PlotError, match="b_z"):
        mcmc_plot(gfit, variables=["b_z"])
    with pytest.raises(PlotError, match="No variable"):
        mcmc_plot(gfit, variables="^zzz", regex=True)


def test_plot_fit_two_columns_per_parameter(gfit):
    fig = plot_fit(gfit)
    assert len(fig.axes) == 2 * len(DEFAULT_VARS)
    assert [fig.axes[2 * i].get_title() for i in range(len(DEFAULT_VARS))] == DEFAULT_VARS
    assert len(fig.axes[1].lines) == gfit.stan_draws.nchains
    assert len(plot_fit(gfit, variables=["sigma"]).axes) == 2


# ---------------------------------------------------------------- icc


def _summ(ratio):
    return [ratio.mean(), ratio.std(ddof=1), np.quantile(ratio, 0.025), np.quantile(ratio, 0.975)]


def test_icc_gaussian_and_bernoulli_match_drawwise_formula(gfit, bfit):
    tab = icc(gfit)
    assert list(tab.columns) == ["Estimate", "Est.Error", "Q2.5", "Q97.5"] and list(tab.index) == ["g"]
    sd2, s2 = _flat(gfit, "sd_g__Intercept") ** 2, _flat(gfit, "sigma") ** 2
    np.testing.assert_allclose(tab.loc["g"].to_numpy(), _summ(sd2 / (sd2 + s2)))
    sd2 = _flat(bfit, "sd_g__Intercept") ** 2
    np.testing.assert_allclose(icc(bfit).loc["g"].to_numpy(), _summ(sd2 / (sd2 + math.pi**2 / 3)))
    assert list(icc(bfit, prob=0.9).columns) == ["Estimate", "Est.Error", "Q5", "Q95"]


def test_icc_poisson_lognormal_approximation(pfit):
    sd2 = _flat(pfit, "sd_g__Intercept") ** 2
    xbar = pfit.frame.data["x"].mean()
    lam = np.exp(_flat(pfit, "b_Intercept") + _flat(pfit, "b_x") * xbar + sd2 / 2)
    expected = sd2 / (sd2 + np.log1p(1 / lam))
    np.testing.assert_allclose(icc(pfit).loc["g"].to_numpy(), _summ(expected))


def test_icc_errors(gdata):
    fit = _fit("y ~ x", gdata.iloc[:60], family="student")
    with pytest.raises(PlotError, match="group-level"):
        icc(fit)
    fit = _fit("y ~ 1 + (1 | g)", gdata.iloc[:60], family="student")
    with pytest.raises(FamilyError, match="student"):
        icc(fit)


# ---------------------------------------------------------------- conditional_effects


def test_conditional_effects_numeric_effect_matches_linear_predictor(gfit, gdata):
    ce = conditional_effects(gfit, robust=False)
    assert isinstance(ce, ConditionalEffects) and list(ce) == ["x", "f"]
    df = ce["x"]
    assert len(df) == 100
    np.testing.assert_allclose(df["effect1__"], np.linspace(gdata["x"].min(), gdata["x"].max(), 100))
    assert set(df["f"]) == {"a"}  # reference level held fixed
    b0, bx = _flat(gfit, "b_Intercept"), _flat(gfit, "b_x")
    mu = b0[:, None] + bx[:, None] * df["x"].to_numpy()[None, :]
    np.testing.assert_allclose(df["estimate__"], mu.mean(axis=0), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(df["se__"], mu.std(axis=0, ddof=1), rtol=1e-8)
    np.testing.assert_allclose(df["lower__"], np.quantile(mu, 0.025, axis=0), rtol=1e-8)
    assert np.all(df["lower__"] < df["estimate__"]) and np.all(df["estimate__"] < df["upper__"])
    robust = conditional_effects(gfit, "x", resolution=20)["x"]
    mu20 = b0[:, None] + bx[:, None] * robust["x"].to_numpy()[None, :]
    np.testing.assert_allclose(robust["estimate__"], np.median(mu20, axis=0), atol=1e-10)


def test_conditional_effects_factor_and_interaction(gfit, gdata):
    df = conditional_effects(gfit, "f", robust=False)["f"]
    assert list(df["effect1__"]) == ["a", "b", "c"]
    xm = gdata["x"].mean()
    base = _flat(gfit, "b_Intercept") + _flat(gfit, "b_x") * xm
    expected = [base.mean(), (base + _flat(gfit, "b_fb")).mean(), (base + _flat(gfit, "b_fc")).mean()]
    np.testing.assert_allclose(df["estimate__"], expected, atol=1e-10)
    np.testing.assert_allclose(df["x"], xm)

    inter = conditional_effects(gfit, "x:f", resolution=10, robust=False)["x:f"]
    assert len(inter) == 30 and list(inter["effect2__"].cat.categories) == ["a", "b", "c"]
    # the f effect is a constant shift of the x line (no interaction in the model)
    shift = inter[inter.f == "b"]["estimate__"].to_numpy() - inter[inter.f == "a"]["estimate__"].to_numpy()
    np.testing.assert_allclose(shift, _flat(gfit, "b_fb").mean(), atol=1e-10)
    swapped = conditional_effects(gfit, "f:x")["f:x"]  # numeric second variable: mean -/+ sd
    assert len(swapped) == 9
    sd = gdata["x"].std(ddof=1)
    np.testing.assert_allclose(sorted(swapped["x"].unique()), xm + np.array([-1, 0, 1]) * sd)
    assert len(swapped["effect2__"].cat.categories) == 3


def _normal_mixture_quantile(mu: np.ndarray, sigma: np.ndarray, p: float) -> tuple[float, float]:
    """The ``p`` quantile of the equal mixture of normal(mu_s, sigma_s) over (chain, draw) arrays, and the
    Monte Carlo standard error of the ``p`` sample quantile of one draw from each component.

    The count below the quantile has variance E[F_s (1 - F_s)] (the independent noise) plus
    Var(F_s) / S * S / ESS(F_s) (the autocorrelated posterior part), F_s = Phi((q - mu_s) / sigma_s);
    divided by the mixture density at q it is the quantile's variance."""
    cdf = lambda q: stats.norm.cdf(q, mu, sigma).mean() - p  # noqa: E731
    q = optimize.brentq(cdf, (mu - 10 * sigma).min(), (mu + 10 * sigma).max(), xtol=1e-12)
    F = stats.norm.cdf(q, mu, sigma)
    var = (np.mean(F * (1 - F)) + F.var() * F.size / float(arviz_stats.ess(F, method="mean"))) / F.size
    return float(q), float(np.sqrt(var) / stats.norm.pdf(q, mu, sigma).mean())


def test_conditional_effects_conditions_groups_and_predict(gfit):
    cond = pd.DataFrame({"f": ["b", "c"], "g": ["0", "3"]})
    ce = conditional_effects(gfit, "x", conditions=cond, resolution=5)
    df = ce["x"]
    assert list(df["cond__"].cat.categories) == ["f = b & g = 0", "f = c & g = 3"]
    b0, bx = _flat(gfit, "b_Intercept"), _flat(gfit, "b_x")
    xs = df["x"].to_numpy()[:5]
    np.testing.assert_allclose(df["estimate__"][:5], np.median(b0[:, None] + _flat(gfit, "b_fb")[:, None]
                                                               + bx[:, None] * xs, axis=0), atol=1e-10)
    # group effects excluded by default: the group level in conditions does not matter
    one = pd.DataFrame({"f": ["b"], "g": ["5"]})
    same = conditional_effects(gfit, "x", conditions=one, resolution=5)["x"]
    np.testing.assert_allclose(same["estimate__"], df["estimate__"][:5])
    no_re = conditional_effects(gfit, "x", conditions=one, resolution=5, robust=False)["x"]
    with_re = conditional_effects(gfit, "x", conditions=one, resolution=5, robust=False, re_formula=None)["x"]
    np.testing.assert_allclose(with_re["estimate__"] - no_re["estimate__"], _flat(gfit, "r_g[5,Intercept]").mean(),
                               atol=1e-10)
    pred = conditional_effects(gfit, "x", method="posterior_predict", resolution=5, seed=3)["x"]
    # one predictive draw per posterior draw: the median and 95% interval are quantiles of the mixture
    # of normal(b_Intercept + b_x x, sigma) over the draws (f = "a", no group effects), within 4
    # Monte Carlo standard errors of a sample quantile (the epred interval alone misses by 6 or more)
    draws = {n: gfit.draws_dict[n] for n in ("b_Intercept", "b_x", "sigma")}
    for x, *got in pred[["x", "lower__", "estimate__", "upper__"]].itertuples(index=False):
        mu, sigma = draws["b_Intercept"] + draws["b_x"] * x, draws["sigma"]
        for p, value in zip((0.025, 0.5, 0.975), got):
            q, se = _normal_mixture_quantile(mu, sigma, p)
            assert abs(value - q) < 4 * se, (x, p, value, q, se)
    assert len(ce.plot()[0].axes) == 2


def test_conditional_effects_plots(gfit):
    figs = conditional_effects(gfit, ["x", "f", "x:f"], resolution=20).plot(points=True)
    assert len(figs) == 3 and all(len(f.axes) == 1 for f in figs)
    ax_num, ax_fac, ax_int = (f.axes[0] for f in figs)
    assert len(ax_num.lines) == 1 and sum(isinstance(c, PolyCollection) for c in ax_num.collections) == 1
    assert ax_num.get_xlabel() == "x" and ax_num.get_ylabel() == "y"
    assert len([c for c in ax_fac.containers if isinstance(c, ErrorbarContainer)]) == 1
    assert [t.get_text() for t in ax_fac.get_xticklabels()] == ["a", "b", "c"]
    assert len(ax_int.lines) == 3 and ax_int.get_legend().get_title().get_text() == "f"
    pts = [c for c in ax_num.collections if not isinstance(c, PolyCollection)]
    assert len(pts) == 1 and len(pts[0].get_offsets()) == (gfit.frame.data["f"] == "a").sum()


def test_conditional_effects_errors(gfit):
    with pytest.raises(PlotError) as err:
        conditional_effects(gfit, "z")
    assert isinstance(err.value, ValueError) and "x, f" in str(err.value)
    with pytest.raises(PlotError, match="order higher"):
        conditional_effects(gfit, "x:f:g")
    with pytest.raises(PlotError, match="method"):
        conditional_effects(gfit, method="fitted")
