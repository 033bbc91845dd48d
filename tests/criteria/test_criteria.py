"""loo, waic, kfold, loo_compare, model_weights, add_criterion, bayes_R2 and loo_R2.

Reference values are R brms's printouts for the sleepstudy model
(tests use the session fixture ``sleep_fit``, 4 x 1000 post-warmup draws):
loo elpd -860.9 (SE 22.4), p_loo 34.0 (SE 8.6); bayes_R2 0.791 (Est.Error 0.018).
"""

from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.core.errors import BrmsError
from brmspy.criteria import ic as cr
from brmspy.criteria import r2 as criteria_r2
from brmspy.criteria import results as criteria_results


@pytest.fixture(scope="module")
def sleep_intercepts():
    df = bp.datasets.load("sleepstudy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm("Reaction ~ Days + (1 | Subject)", data=df, seed=7, refresh=0, iter=1000)


@pytest.fixture(scope="module")
def sleep_loos(sleep_fit, sleep_intercepts):
    """loo of both sleepstudy models, computed once: a LooList with their comparison."""
    return _quiet(cr.loo, sleep_intercepts, sleep_fit, model_names=["intercepts", "slopes"])


def _sim(seed: int = 3, J: int = 8, per: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(J), per)
    x = rng.normal(size=J * per)
    u = rng.normal(0, 1, J)
    y = 1 + 0.5 * x + u[g] + rng.normal(0, 0.7, J * per)
    return pd.DataFrame({"y": y, "x": x, "g": g})


def _small_fit(seed: int = 2):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm("y ~ x + (1 | g)", data=_sim(), seed=seed, refresh=0, iter=600, chains=2)


@pytest.fixture(scope="module")
def small():
    return _small_fit()


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


# ---------------------------------------------------------------- loo / waic


def test_loo_sleepstudy_matches_brms(sleep_fit):
    with pytest.warns(UserWarning, match="pareto_k"):
        res = cr.loo(sleep_fit)  # this fit has a few k > 0.7, as brms's
    est = res.estimates
    assert list(est.index) == ["elpd_loo", "p_loo", "looic"]
    assert list(est.columns) == ["Estimate", "SE"]
    elpd, se = est.loc["elpd_loo"]
    assert abs(elpd - -860.9) < 2 * 22.4
    assert se == pytest.approx(22.4, rel=0.2)
    assert est.loc["p_loo", "Estimate"] == pytest.approx(34.0, abs=2 * 8.6)
    assert est.loc["looic", "Estimate"] == pytest.approx(-2 * elpd)
    assert est.loc["looic", "SE"] == pytest.approx(2 * se)
    # ArviZ computed the PSIS-LOO; the table sums its pointwise values
    assert res.arviz.elpd == pytest.approx(elpd)
    assert res.pointwise["elpd_loo"].sum() == pytest.approx(elpd)
    assert (res.nsamples, res.nobs) == (4000, 180)
    assert res.pareto_k.shape == (180,) and res.good_k == pytest.approx(0.7)
    assert np.all((res.r_eff > 0.1) & (res.r_eff < 3))
    tab = res.pareto_table()
    assert tab["Count"].sum() == 180 and tab["Pct."].sum() == pytest.approx(100)
    assert not np.isfinite(res.mcse_elpd_loo)  # NA when some k > good_k, as brms's "NA"
    text = str(res)
    for piece in ["Computed from 4000 by 180 log-likelihood matrix", "elpd_loo", "p_loo", "looic",
                  "Monte Carlo SE of elpd_loo is NA.", "Pareto k diagnostic values:",
                  "(-Inf, 0.7]", "(0.7, 1]", "(1, Inf)", "(good)", "(bad)", "(very bad)", "Count", "Pct."]:
        assert piece in text, piece


def test_loo_close_to_waic(sleep_fit, sleep_loos):
    lo = sleep_loos["slopes"]
    wa = _quiet(cr.waic, sleep_fit)
    assert list(wa.estimates.index) == ["elpd_waic", "p_waic", "waic"]
    assert abs(lo.elpd - wa.elpd) < 2 * lo.se
    # waic from its definition: lpd - sum of the posterior variances of the log-lik
    ll = bp.log_lik(sleep_fit)
    lpd = np.sum(np.log(np.mean(np.exp(ll), axis=0)))
    assert wa.elpd == pytest.approx(lpd - ll.var(axis=0, ddof=1).sum())
    assert "elpd_waic" in str(wa)


def test_mcse_reported_when_all_k_good(small):
    res = _quiet(cr.loo, small)
    if np.all(res.pareto_k <= res.good_k):
        assert np.isfinite(res.mcse_elpd_loo) and 0 < res.mcse_elpd_loo < 1
        assert "All Pareto k estimates are good" in str(res)
    # the sample-size dependent threshold for 600 draws: 1 - 1/log10(600) < 0.7
    assert res.good_k == pytest.approx(min(1 - 1 / np.log10(600), 0.7))
    assert f"{res.good_k:.2g}" in str(res)


# ---------------------------------------------------------------- comparison


def test_loo_compare_ranks_slope_model_first(sleep_fit, sleep_intercepts, sleep_loos):
    comp = cr.loo_compare(sleep_loos["intercepts"], sleep_loos["slopes"])  # labels from the results
    assert list(comp.index) == ["slopes", "intercepts"]
    assert comp.loc["slopes", "elpd_diff"] == 0 and comp.loc["slopes", "se_diff"] == 0
    assert comp.loc["intercepts", "elpd_diff"] < 0
    assert comp.loc["intercepts", "se_diff"] > 0
    assert comp.loc["intercepts", "elpd_diff"] == pytest.approx(
        comp.loc["intercepts", "elpd_loo"] - comp.loc["slopes", "elpd_loo"])
    assert {"elpd_loo", "se_elpd_loo", "p_loo", "looic", "se_looic"} <= set(comp.columns)
    # loo() with several fits returns every result and the same comparison
    both = sleep_loos
    assert isinstance(both, criteria_results.LooList) and set(both.results) == {"intercepts", "slopes"}
    pd.testing.assert_frame_equal(both.comparison, comp)
    pd.testing.assert_frame_equal(cr.loo_compare(both), comp)
    text = str(both)
    assert "Output of model 'slopes'" in text and "Model comparisons:" in text
    # waic comparison from results; default labels by position
    wcomp = _quiet(cr.loo_compare, _quiet(cr.waic, sleep_intercepts), _quiet(cr.waic, sleep_fit))
    assert list(wcomp.index) == ["fit2", "fit1"] and "elpd_waic" in wcomp.columns


def test_model_weights_favour_slope_model(sleep_loos):
    for method in ("stacking", "pseudobma"):
        w = cr.model_weights(sleep_loos["intercepts"], sleep_loos["slopes"], method=method,
                             model_names=["m0", "m1"])
        assert list(w.index) == ["m0", "m1"]
        assert w.sum() == pytest.approx(1.0)
        assert np.all(w >= 0)
        assert w["m1"] > 0.8, (method, w)


def test_comparison_errors(sleep_fit, small):
    with pytest.raises(BrmsError, match="at least two"):
        cr.loo_compare(sleep_fit)
    with pytest.raises(BrmsError, match="different numbers of observations"):
        _quiet(cr.loo_compare, sleep_fit, small)
    with pytest.raises(BrmsError, match="method"):
        cr.model_weights(sleep_fit, sleep_fit, method="bma")
    with pytest.raises(BrmsError, match="criterion"):
        cr.loo_compare(sleep_fit, small, criterion="aic")
    with pytest.raises(BrmsError, match="kfold"):
        cr.loo_compare(sleep_fit, sleep_fit, criterion="kfold")
    with pytest.raises(BrmsError, match="moment_match"):
        cr.loo(sleep_fit, moment_match=True)
    with pytest.raises(BrmsError, match="BrmsFit"):
        cr.loo("not a fit")


# ---------------------------------------------------------------- kfold


def test_kfold_threads_close_to_loo(small):
    lo = _quiet(cr.loo, small)
    with ThreadPoolExecutor(max_workers=2) as ex:
        kf = _quiet(cr.kfold, small, K=3, seed=5, executor=ex, iter=600, chains=2)
    assert kf.K == 3 and kf.folds.shape == (64,)
    counts = np.bincount(kf.folds)[1:]
    assert counts.max() - counts.min() <= 1
    est = kf.estimates
    assert list(est.index) == ["elpd_kfold", "p_kfold", "kfoldic"]
    assert est.loc["kfoldic", "Estimate"] == pytest.approx(-2 * kf.elpd)
    assert abs(kf.elpd - lo.elpd) < 2 * lo.se + 3
    assert "Based on 3-fold cross-validation" in str(kf)
    # the executor does not change the result: same seed, same folds and draws
    seq = _quiet(cr.kfold, small, K=3, seed=5, iter=600, chains=2)
    np.testing.assert_array_equal(seq.folds, kf.folds)
    np.testing.assert_allclose(seq.pointwise["elpd_kfold"], kf.pointwise["elpd_kfold"])


def test_kfold_grouped_keeps_groups_together(small):
    kg = _quiet(cr.kfold, small, K=4, folds="grouped", group="g", seed=1, iter=400, chains=1)
    g = small.frame.data["g"].to_numpy()
    for level in np.unique(g):
        assert len(np.unique(kg.folds[g == level])) == 1
    assert kg.K == 4 and np.all(np.isfinite(kg.pointwise["elpd_kfold"]))
    # predicting whole new groups is harder than predicting new rows of known groups
    assert kg.elpd < _quiet(cr.loo, small).elpd


def test_fold_splits():
    g = np.repeat(["a", "b", "c", "d", "e"], [3, 4, 2, 5, 1])
    f = cr.kfold_split_grouped(3, g, rng=0)
    for level in np.unique(g):
        assert len(np.unique(f[g == level])) == 1
    assert sorted(np.unique(f).tolist()) == [1, 2, 3]
    s = cr.kfold_split_stratified(2, g, rng=0)
    for level in ("a", "b", "d"):
        assert len(np.unique(s[g == level])) == 2
    r = cr.kfold_split_random(4, 10, rng=0)
    assert sorted(np.bincount(r)[1:].tolist()) == [2, 2, 3, 3]
    with pytest.raises(BrmsError, match="number of groups"):
        cr.kfold_split_grouped(6, g)
    with pytest.raises(BrmsError, match="K must be"):
        cr.kfold_split_random(1, 10)


def test_kfold_bad_input(small):
    with pytest.raises(BrmsError, match="needs group"):
        cr.kfold(small, K=3, folds="grouped")
    with pytest.raises(BrmsError, match="folds must"):
        cr.kfold(small, K=3, folds="blocked")
    with pytest.raises(BrmsError, match="one fold id per observation"):
        cr.kfold(small, folds=[1, 2, 3])
    with pytest.raises(bp.DataError, match="not a column"):
        cr.kfold(small, K=3, folds="grouped", group="nope")


def test_reloo_refits_problematic_observations(small):
    res = _quiet(cr.loo, small)
    k = np.sort(res.pareto_k)
    thr = (k[-2] + k[-3]) / 2  # refit exactly the two observations with the largest k
    rl = _quiet(cr.loo, small, reloo=True, k_threshold=thr, reloo_args={"iter": 600, "chains": 2, "seed": 3})
    idx = np.argsort(res.pareto_k)[-2:]
    assert sorted(rl.reloo_indices.tolist()) == sorted(idx.tolist())
    assert np.all(np.isnan(rl.pareto_k[idx]))
    changed = rl.pointwise["elpd_loo"].to_numpy() != res.pointwise["elpd_loo"].to_numpy()
    assert sorted(np.flatnonzero(changed).tolist()) == sorted(idx.tolist())
    # exact LOO agrees with PSIS-LOO up to Monte Carlo error for these well-behaved points
    np.testing.assert_allclose(rl.pointwise["elpd_loo"].to_numpy()[idx], res.pointwise["elpd_loo"].to_numpy()[idx],
                               atol=0.3)
    assert rl.estimates.loc["elpd_loo", "Estimate"] == pytest.approx(rl.pointwise["elpd_loo"].sum())


# ---------------------------------------------------------------- add_criterion


def test_add_criterion_stores_and_reuses():
    fit = _small_fit(seed=11)
    out = _quiet(cr.add_criterion, fit, ["loo", "waic"], model_name="m")
    assert out is fit
    assert set(fit.criteria) == {"loo", "waic"}
    assert _quiet(cr.loo, fit) is fit.criteria["loo"]  # reused, not recomputed
    assert _quiet(cr.waic, fit) is fit.criteria["waic"]
    assert fit.criteria["loo"].model_name == "m"
    stored = fit.criteria["loo"]
    _quiet(cr.add_criterion, fit, "loo")  # already there: kept
    assert fit.criteria["loo"] is stored
    _quiet(cr.add_criterion, fit, "loo", overwrite=True)
    assert fit.criteria["loo"] is not stored
    assert fit.criteria["loo"].elpd == pytest.approx(stored.elpd)
    _quiet(cr.add_criterion, fit, "bayes_R2")
    assert criteria_r2.bayes_R2(fit, summary=False) is fit.criteria["bayes_R2"]
    with pytest.raises(BrmsError, match="Unknown criterion"):
        cr.add_criterion(fit, "aic")


def test_add_criterion_kfold_enables_kfold_comparison():
    a, b = _small_fit(seed=21), _small_fit(seed=22)
    for f in (a, b):
        _quiet(cr.add_criterion, f, "kfold", K=2, seed=1, iter=400, chains=1)
    comp = cr.loo_compare(a, b, criterion="kfold")
    assert "elpd_kfold" in comp.columns and comp["elpd_diff"].iloc[0] == 0
    # fits are compared by loo by default (computed on the fly) and weighted
    comp = _quiet(cr.loo_compare, a, b)
    assert set(comp.index) == {"fit1", "fit2"} and "elpd_loo" in comp.columns
    assert _quiet(cr.model_weights, a, b).sum() == pytest.approx(1.0)


# ---------------------------------------------------------------- R2


def test_bayes_R2_sleepstudy_matches_brms(sleep_fit):
    r2 = criteria_r2.bayes_R2(sleep_fit)
    assert list(r2.index) == ["R2"]
    assert list(r2.columns) == ["Estimate", "Est.Error", "Q2.5", "Q97.5"]
    assert abs(r2.loc["R2", "Estimate"] - 0.7911731) < 3 * 0.01774203
    assert r2.loc["R2", "Est.Error"] == pytest.approx(0.0177, rel=0.5)
    draws = criteria_r2.bayes_R2(sleep_fit, summary=False)
    assert draws.shape == (4000,) and np.all((draws > 0) & (draws < 1))
    # Gelman et al. (2019): var(epred) / (var(epred) + var(residuals)), per draw
    ep = bp.posterior_epred(sleep_fit)[:5]
    y = sleep_fit.frame.responses[""].y
    manual = ep.var(axis=1, ddof=1) / (ep.var(axis=1, ddof=1) + (y - ep).var(axis=1, ddof=1))
    np.testing.assert_allclose(draws[:5], manual)
    q = criteria_r2.bayes_R2(sleep_fit, prob=0.9)
    assert list(q.columns) == ["Estimate", "Est.Error", "Q5", "Q95"]


def test_loo_R2_below_bayes_R2(sleep_fit):
    draws = criteria_r2.loo_R2(sleep_fit, summary=False)
    assert draws.shape == (4000,) and np.all(draws <= 1)
    est = criteria_r2._summarize_r2(draws, 0.95).loc["R2", "Estimate"]
    assert 0.6 < est < criteria_r2.bayes_R2(sleep_fit).loc["R2", "Estimate"]  # out-of-sample fit is worse
