"""Post-processing at scale (issue 7): chunked log_lik/epred/predict/loo/waic,
loo(subsample=...), ndraws= everywhere, and vectorised grouping-factor labels."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.core.errors import BrmsError
from brmspy.core.levels import combined_group_index, labels_per_row
from brmspy.criteria import chunked as criteria_chunked
from brmspy.criteria import ic as cr
from brmspy.prediction import chunked
from brmspy.prediction.core import fitted, log_lik, posterior_epred, posterior_predict, predict


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


@pytest.fixture(scope="module")
def small():
    """Weights, an offset and correlated varying slopes: every per-row array the slicer handles."""
    rng = np.random.default_rng(11)
    N, J = 240, 12
    g = rng.integers(0, J, N)
    x = rng.normal(size=N)
    u = rng.normal(0, 0.8, (J, 2))
    e = np.exp(rng.normal(0, 0.3, N))
    y = 1 + np.log(e) + (0.5 + u[g, 1]) * x + u[g, 0] + rng.normal(0, 0.7, N)
    df = pd.DataFrame({"y": y, "x": x, "g": g, "w": rng.uniform(0.5, 2, N), "e": e})
    return _quiet(bp.brm, "y | weights(w) ~ x + offset(log(e)) + (1 + x | g)", data=df, seed=5, refresh=0,
                  iter=400, chains=2)


@pytest.fixture(scope="module")
def big():
    """5,000 rows, gaussian y ~ x: full loo vs loo(subsample=...)."""
    rng = np.random.default_rng(3)
    N = 5000
    x = rng.normal(size=N)
    df = pd.DataFrame({"y": 0.3 + 0.8 * x + rng.standard_t(5, N), "x": x})
    return _quiet(bp.brm, "y ~ x", data=df, seed=2, refresh=0, iter=600, chains=2)


# ------------------------------------------------------------------ chunked predictions


@pytest.mark.parametrize("size", [1, 37, 100])
def test_chunked_log_lik_equals_unchunked(small, size):
    whole = log_lik(small, chunk_size=0)
    parts = log_lik(small, chunk_size=size)
    assert parts.shape == whole.shape == (small.ndraws(), small.nobs())
    np.testing.assert_array_equal(parts, whole)


def test_chunked_epred_and_newdata_equal_unchunked(small):
    np.testing.assert_array_equal(posterior_epred(small, chunk_size=50), posterior_epred(small, chunk_size=0))
    nd = small.frame.data.iloc[:90]
    np.testing.assert_array_equal(log_lik(small, nd, chunk_size=25), log_lik(small, nd, chunk_size=0))
    # the fitted-data path and the new-data path agree (same rows)
    np.testing.assert_allclose(log_lik(small, nd, chunk_size=0), log_lik(small, chunk_size=0)[:, :90], rtol=1e-12)


def test_chunked_with_ndraws_uses_the_same_draws(small):
    a = log_lik(small, ndraws=60, seed=4, chunk_size=0)
    b = log_lik(small, ndraws=60, seed=4, chunk_size=31)
    assert a.shape == (60, small.nobs())
    np.testing.assert_array_equal(a, b)


def test_chunked_predict_streams_are_independent(small):
    p = posterior_predict(small, chunk_size=40, seed=9)
    assert p.shape == (small.ndraws(), small.nobs())
    np.testing.assert_array_equal(p, posterior_predict(small, chunk_size=40, seed=9))  # reproducible
    resid = p - posterior_epred(small, chunk_size=0)
    # rows 0 and 40 are in different chunks: their noise must not be the same stream
    assert abs(np.corrcoef(resid[:, 0], resid[:, 40])[0, 1]) < 0.2


def test_automatic_chunk_size_bounds_cells():
    assert chunked.auto_chunk_size(4000, 10**6) * 4000 <= chunked.DEFAULT_CELLS
    assert chunked.auto_chunk_size(4000, 100) == 100
    assert chunked.chunk_bounds(10, 4) == [(0, 4), (4, 8), (8, 10)]
    with pytest.raises(BrmsError, match="chunk_size"):
        chunked._resolve_chunk_size(-3, 10, 10)


def test_row_subset_fit_slices_every_row_array(small):
    rows = np.array([3, 0, 17])
    sub = chunked.row_subset_fit(small, rows)
    assert sub.frame.N == 3 and small.frame.N == 240  # the original is untouched
    np.testing.assert_array_equal(log_lik(sub, chunk_size=0), log_lik(small, chunk_size=0)[:, rows])


# ------------------------------------------------------------------ loo / waic


def test_chunked_loo_equals_unchunked(small):
    ref = _quiet(cr._loo_single_unchunked, small, "")
    res = _quiet(cr.loo, small, chunk_size=23)
    assert res.elpd == pytest.approx(ref.elpd, abs=1e-8)
    assert res.se == pytest.approx(ref.se, abs=1e-8)
    assert res.p == pytest.approx(ref.p, abs=1e-8)
    np.testing.assert_allclose(res.pareto_k, ref.pareto_k, atol=1e-12)
    np.testing.assert_allclose(res.pointwise["mcse_elpd_loo"], ref.pointwise["mcse_elpd_loo"], atol=1e-10)
    assert res.mcse_elpd_loo == pytest.approx(ref.mcse_elpd_loo, nan_ok=True)


@pytest.mark.parametrize("size", [0, 1, 23, 1000])
def test_vectorised_loo_equals_arviz_per_observation(small, size):
    """Every pointwise value of the vectorised PSIS-LOO equals ArviZ's per-observation PSIS to 1e-10."""
    ref = _quiet(cr._loo_single_unchunked, small, "")
    res = _quiet(cr.loo, small, chunk_size=size)
    for col in ("elpd_loo", "mcse_elpd_loo", "p_loo", "looic", "influence_pareto_k"):
        np.testing.assert_allclose(res.pointwise[col], ref.pointwise[col], rtol=1e-10, atol=1e-10, err_msg=col)
    np.testing.assert_allclose(res.estimates.to_numpy(), ref.estimates.to_numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(res.n_eff, ref.n_eff, rtol=1e-10)
    np.testing.assert_allclose(res.r_eff, ref.r_eff, rtol=1e-12)
    assert res.good_k == ref.good_k and res.nsamples == ref.nsamples and res.nobs == ref.nobs
    one_chunk = size in (0, 1000)
    assert (res.arviz is not None) == one_chunk  # ArviZ's object only when one chunk holds every row
    if one_chunk:
        np.testing.assert_allclose(np.asarray(res.arviz.elpd_i), ref.pointwise["elpd_loo"], atol=1e-10)


def test_loo_cores_give_identical_results(small):
    one = _quiet(cr.loo, small, chunk_size=37)
    two = _quiet(cr.loo, small, chunk_size=37, cores=3)  # PSIS overlaps the next chunk's log_lik
    pd.testing.assert_frame_equal(one.pointwise, two.pointwise)
    np.testing.assert_array_equal(one.r_eff, two.r_eff)
    with pytest.raises(BrmsError, match="cores"):
        cr.loo(small, cores=0)


def test_loo_subsample_uses_the_vectorised_psis(small, monkeypatch):
    from brmspy.criteria import psis

    calls = []
    orig = psis.loo_pointwise
    monkeypatch.setattr(psis, "loo_pointwise", lambda ll3, **kw: calls.append(ll3.shape) or orig(ll3, **kw))
    sub = _quiet(cr.loo, small, subsample=np.arange(0, 240, 3), chunk_size=50)
    assert calls and sum(s[2] for s in calls) == 80  # the subsampled rows, in chunks
    ref = _quiet(cr._loo_single_unchunked, small, "")
    np.testing.assert_allclose(sub.pointwise["elpd_loo"], ref.pointwise["elpd_loo"].to_numpy()[::3], atol=1e-10)


def test_chunked_waic_equals_unchunked(small):
    a = _quiet(cr.waic, small, chunk_size=0)
    b = _quiet(cr.waic, small, chunk_size=29)
    assert b.elpd == pytest.approx(a.elpd, abs=1e-8) and b.p == pytest.approx(a.p, abs=1e-8)


def test_loo_and_waic_accept_ndraws(small):
    res = _quiet(cr.loo, small, ndraws=150, seed=1)
    assert res.nsamples == 150 and res.nobs == small.nobs()
    w = _quiet(cr.waic, small, ndraws=150, seed=1)
    assert w.nsamples == 150
    full = _quiet(cr.loo, small)
    assert abs(res.elpd - full.elpd) < full.se  # a draw subset gives nearly the same answer


def test_ndraws_in_summaries(small):
    assert fitted(small, ndraws=30).shape[0] == small.nobs()
    assert predict(small, ndraws=30, seed=1).shape[0] == small.nobs()
    assert posterior_epred(small, ndraws=30).shape == (30, small.nobs())


def test_loo_subsample_within_one_se_of_full_loo(big):
    full = _quiet(cr.loo, big)
    sub = _quiet(cr.loo, big, subsample=400, seed=1)
    assert isinstance(sub, criteria_chunked.LooSubsampleResult) and sub.m == 400 and sub.nobs == 5000
    est = sub.estimates
    assert list(est.columns) == ["Estimate", "SE", "subsampling SE"]
    assert abs(sub.elpd - full.elpd) < full.se
    assert abs(sub.elpd - full.elpd) < 4 * sub.subsampling_se + 1e-9
    assert sub.se == pytest.approx(full.se, rel=0.25)  # estimated sqrt(N var(elpd_i))
    # the point approximation is close to exact PSIS for a simple model: small subsampling SE
    assert 0 < sub.subsampling_se < 0.2 * full.se
    assert "subsampling SE" in str(sub)


def test_loo_subsample_with_given_indices_and_lpd(big):
    full = _quiet(cr.loo, big)
    idx = np.arange(0, 5000, 10)
    sub = _quiet(cr.loo, big, subsample=idx, loo_approximation="lpd")
    assert sub.m == 500
    np.testing.assert_allclose(sub.pointwise["elpd_loo"], full.pointwise["elpd_loo"].to_numpy()[idx], atol=1e-10)
    assert abs(sub.elpd - full.elpd) < full.se
    with pytest.raises(BrmsError, match="subsample"):
        cr.loo(big, subsample=1)
    with pytest.raises(BrmsError, match="loo_approximation"):
        cr.loo(big, subsample=50, loo_approximation="waic")


def test_srs_difference_estimator_is_exact_with_the_whole_population():
    rng = np.random.default_rng(0)
    y = rng.normal(size=50)
    approx = y + rng.normal(0, 0.1, 50)
    est, v, var = criteria_chunked._srs_diff_est(approx, y, np.arange(50))
    assert est == pytest.approx(y.sum()) and v == pytest.approx(0.0)
    assert var == pytest.approx(50 * np.var(y, ddof=0), rel=1e-10)


# ------------------------------------------------------------------ vectorised level labels


def _old_group_index(data, gv):
    labels = data[list(gv)].astype(str).agg("_".join, axis=1)
    levels = sorted(pd.unique(labels))
    return pd.Categorical(labels, categories=levels).codes.astype(np.int64) + 1, list(levels), labels


def test_combined_group_index_matches_rowwise_labels():
    rng = np.random.default_rng(0)
    N = 3000
    df = pd.DataFrame({"a": rng.integers(0, 12, N), "b": rng.choice(["x", "y", "zz"], N),
                       "c": rng.integers(0, 3, N) * 1.0, "d": pd.Categorical(rng.choice(["p", "q"], N))})
    for gv in [("a", "b"), ("a", "c"), ("b", "d", "a")]:
        codes, levels, labels = _old_group_index(df, gv)
        j, lv = combined_group_index(df, gv)
        assert lv == levels
        np.testing.assert_array_equal(j, codes)
        np.testing.assert_array_equal(labels_per_row(df, gv, str), np.asarray(labels, dtype=object))


def test_interaction_grouping_is_fast():
    rng = np.random.default_rng(1)
    N = 200_000
    df = pd.DataFrame({"y": rng.normal(size=N), "x": rng.normal(size=N),
                       "g": rng.integers(0, 1000, N), "h": rng.integers(0, 5, N)})
    t = time.perf_counter()
    sd = bp.make_standata("y ~ x + (1 | g:h)", data=df)
    assert time.perf_counter() - t < 15  # was ~20 s at this size with a string join per row
    assert sd["N_1"] == df.groupby(["g", "h"]).ngroups
