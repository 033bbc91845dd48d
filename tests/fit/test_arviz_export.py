"""``fit.to_arviz()`` follows ArviZ's conventions with brms's names: log_likelihood,
posterior_predictive, observed_data named after the response, constant_data, group-level effects
as one variable per grouping factor; ``az.loo``/``az.compare``/``az.plot_ppc_dist`` work on it."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pytest

import brmspy as bp

matplotlib.use("Agg")
az = pytest.importorskip("arviz")


@pytest.fixture(scope="module")
def intercepts():
    df = bp.datasets.load("sleepstudy")
    return bp.brm("Reaction ~ Days + (1 | Subject)", data=df, chains=2, iter=1000, seed=11, refresh=0)


@pytest.fixture(scope="module")
def pooled():
    df = bp.datasets.load("sleepstudy")
    return bp.brm("Reaction ~ Days", data=df, chains=2, iter=1000, seed=12, refresh=0)


def test_groups_and_names(sleep_fit) -> None:
    tree = sleep_fit.to_arviz(seed=1)
    assert {"posterior", "sample_stats", "observed_data", "posterior_predictive", "log_likelihood",
            "constant_data"} <= set(tree.children)
    assert list(tree.observed_data.data_vars) == ["Reaction"]
    assert tree.observed_data["Reaction"].dims == ("obs",)
    np.testing.assert_array_equal(tree.observed_data["Reaction"].values, sleep_fit.data["Reaction"].to_numpy())
    np.testing.assert_array_equal(tree.observed_data.obs.values, sleep_fit.data.index.to_numpy())
    for group in ("posterior_predictive", "log_likelihood"):
        assert tree[group]["Reaction"].dims == ("chain", "draw", "obs")
        assert tree[group]["Reaction"].shape == (4, 1000, 180)
    ll = bp.log_lik(sleep_fit)
    np.testing.assert_allclose(tree.log_likelihood["Reaction"].values.reshape(4000, 180), ll)
    assert set(tree.constant_data.data_vars) == {"Days", "Subject"}
    assert tree.constant_data["Subject"].values[0] == "308"
    # the predictive draws are draws of the response: their mean follows the data
    yrep = tree.posterior_predictive["Reaction"].values.mean(axis=(0, 1))
    assert np.corrcoef(yrep, sleep_fit.data["Reaction"])[0, 1] > 0.85


def test_group_level_effects_are_one_variable(sleep_fit) -> None:
    tree = sleep_fit.to_arviz(log_likelihood=False, posterior_predictive=False)
    post = tree.posterior
    assert not [v for v in post.data_vars if v.startswith("r_Subject[")]
    r = post["r_Subject"]
    assert r.dims == ("chain", "draw", "Subject", "coef")
    assert list(r.coords["coef"].values) == ["Intercept", "Days"]
    assert list(r.coords["Subject"].values) == sorted(sleep_fit.data["Subject"].astype(str).unique())
    np.testing.assert_array_equal(r.sel(Subject="335", coef="Days").values,
                                  sleep_fit.draws_dict["r_Subject[335,Days]"])
    assert "b_Days" in post.data_vars and "sd_Subject__Days" in post.data_vars
    summary = az.summary(tree, var_names=["r_Subject"])
    assert len(summary) == 36
    az.plot_forest(tree, var_names=["r_Subject"])


def test_az_loo_equals_bp_loo(intercepts) -> None:
    """With brmspy's PSIS weights (one relative efficiency per observation, as brms and loo),
    ``az.loo`` gives ``bp.loo``'s numbers exactly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = bp.loo(intercepts)
        lw, k = bp.psis(intercepts)
        theirs = az.loo(intercepts.to_arviz(posterior_predictive=False), pointwise=True, log_weights=lw,
                        pareto_k=k)
    est = ours.estimates
    assert theirs.elpd == pytest.approx(est.loc["elpd_loo", "Estimate"], rel=1e-10)
    assert theirs.p == pytest.approx(est.loc["p_loo", "Estimate"], rel=1e-9)
    assert theirs.se == pytest.approx(est.loc["elpd_loo", "SE"], rel=1e-9)
    np.testing.assert_allclose(theirs.elpd_i.values, np.asarray(ours.pointwise["elpd_loo"]), rtol=1e-10)
    np.testing.assert_allclose(theirs.pareto_k.values, np.asarray(ours.pareto_k), rtol=1e-10)
    assert lw.dims == ("chain", "draw", "obs") and list(k.obs.values) == list(intercepts.row_labels)


def test_az_loo_default_within_a_few_hundredths(intercepts) -> None:
    """Without the weights ArviZ takes one relative efficiency for all observations (the mean ESS
    of the parameters), which moves the PSIS tail lengths and Pareto k estimates slightly: the
    estimates agree to a few hundredths (their SE is ~14).  README "Differences from brms"."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = bp.loo(intercepts)
        theirs = az.loo(intercepts.to_arviz(posterior_predictive=False), pointwise=True)
    est = ours.estimates
    assert theirs.elpd == pytest.approx(est.loc["elpd_loo", "Estimate"], abs=0.05)
    assert theirs.p == pytest.approx(est.loc["p_loo", "Estimate"], abs=0.05)
    assert theirs.se == pytest.approx(est.loc["elpd_loo", "SE"], abs=0.05)
    np.testing.assert_allclose(theirs.elpd_i.values, np.asarray(ours.pointwise["elpd_loo"]), atol=0.05)


def test_az_compare_ranks_as_loo_compare(intercepts, pooled) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cmp = az.compare({"intercepts": intercepts.to_arviz(posterior_predictive=False),
                          "pooled": pooled.to_arviz(posterior_predictive=False)}, round_to="none")
        ours = bp.loo_compare(bp.loo(intercepts), bp.loo(pooled), model_names=["intercepts", "pooled"])
    assert list(cmp.index) == ["intercepts", "pooled"]
    diff = cmp.loc["pooled", "elpd_diff"]  # ArviZ: negative for the worse model, as loo_compare
    assert diff == pytest.approx(ours.iloc[1]["elpd_diff"], abs=0.1)
    assert diff < -50  # varying intercepts are much better on sleepstudy


def test_az_plot_ppc_dist(pooled) -> None:
    pc = az.plot_ppc_dist(pooled.to_arviz(log_likelihood=False, seed=3), num_samples=20)
    fig = pc.viz["figure"].item() if hasattr(pc.viz, "__getitem__") else None
    axes = fig.get_axes()
    assert len(axes) == 1
    # 20 predictive densities and the observed one
    assert len(axes[0].get_lines()) >= 21
    assert "Reaction" in axes[0].get_title() + axes[0].get_xlabel()
