"""kfold, reloo, brm_multiple and sbc on a real Dask cluster, and their serial equivalents.

The cluster is a ``LocalCluster`` of two worker processes (``Client(LocalCluster(...))``): the
tasks, the data and the results really travel through Dask's scheduler and pickling.  Every
function takes a ``concurrent.futures.Executor`` (here ``client.get_executor()``) and derives one
seed per refit from ``seed``, so a run on the cluster equals the serial run with the same seed.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.criteria.sbc import SbcResult, ecdf_band
from brmspy.fit.multiple import BrmsFitMultiple

from dask.distributed import Client, LocalCluster

pytestmark = pytest.mark.slow

FORMULA = "Reaction ~ Days + (1 | Subject)"


@pytest.fixture(scope="module")
def client():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Dask's notes about ports and memory limits
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        c = Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def sleep():
    return bp.datasets.load("sleepstudy")


@pytest.fixture(scope="module")
def fit(sleep):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(FORMULA, data=sleep, chains=2, iter=600, seed=1, refresh=0)


def test_the_cluster_has_two_worker_processes(client):
    workers = client.scheduler_info()["workers"]
    assert len(workers) == 2
    pids = set(client.run(lambda: __import__("os").getpid()).values())
    assert len(pids) == 2 and __import__("os").getpid() not in pids


def test_kfold_on_dask_equals_kfold_serial(client, fit):
    kw = dict(K=3, seed=7, chains=2, iter=400)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        serial = bp.kfold(fit, **kw)
        on_dask = bp.kfold(fit, executor=client.get_executor(), **kw)
    np.testing.assert_array_equal(serial.folds, on_dask.folds)
    np.testing.assert_allclose(on_dask.pointwise["elpd_kfold"], serial.pointwise["elpd_kfold"], rtol=1e-12)
    # a real cross-validation: elpd_kfold below the in-sample lpd, about loo's value
    elpd = on_dask.estimates.loc["elpd_kfold", "Estimate"]
    loo = bp.loo(fit).estimates.loc["elpd_loo", "Estimate"]
    assert on_dask.estimates.loc["p_kfold", "Estimate"] > 0
    assert abs(elpd - loo) < 4 * on_dask.estimates.loc["elpd_kfold", "SE"]


def test_reloo_on_dask_equals_reloo_serial(client, fit):
    res = bp.loo(fit)
    # a threshold below most observations' k, so that a few are refitted
    thr = float(np.sort(res.pareto_k)[-3]) - 1e-9
    kw = dict(k_threshold=thr, seed=3, chains=2, iter=400)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        serial = bp.reloo(fit, res, **kw)
        on_dask = bp.reloo(fit, res, executor=client.get_executor(), **kw)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        via_loo = bp.loo(fit, reloo=True, k_threshold=thr, reloo_args=dict(seed=3, chains=2, iter=400))
    # the observations with high k are refitted, so no advice to refit them (brms: a message)
    assert not [w for w in caught if "pareto_k" in str(w.message)]
    assert len(serial.reloo_indices) == 3
    np.testing.assert_array_equal(on_dask.reloo_indices, serial.reloo_indices)
    idx = serial.reloo_indices
    np.testing.assert_allclose(on_dask.pointwise["elpd_loo"], serial.pointwise["elpd_loo"], rtol=1e-12)
    np.testing.assert_allclose(via_loo.pointwise["elpd_loo"], serial.pointwise["elpd_loo"], rtol=1e-12)
    assert np.all(np.isnan(on_dask.pareto_k[idx]))
    # the exact LOO values are close to the PSIS ones they replace (k < 1 here)
    np.testing.assert_allclose(serial.pointwise["elpd_loo"][idx], res.pointwise["elpd_loo"][idx], atol=0.5)


def test_reloo_rejects_a_foreign_loo_result(fit, sleep):
    other = bp.loo(fit)
    from dataclasses import replace

    with pytest.raises(bp.BrmsError, match="loo_result must be"):
        bp.reloo(fit, replace(other, nobs=10))


@pytest.fixture(scope="module")
def imputed(sleep):
    rng = np.random.default_rng(5)
    return [sleep.assign(Reaction=sleep.Reaction + rng.normal(0, 10, len(sleep))) for _ in range(3)]


def test_brm_multiple_on_dask_is_the_concatenation_of_the_fits(client, imputed):
    kw = dict(chains=2, iter=400, seed=11, refresh=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fits = bp.brm_multiple(FORMULA, imputed, combine=False, **kw)
        combined = bp.brm_multiple(FORMULA, imputed, executor=client.get_executor(), **kw)
    assert isinstance(combined, BrmsFitMultiple) and combined.imputations == 3
    assert combined.stan_draws.nchains == 6 and combined.ndraws() == sum(f.ndraws() for f in fits)
    for name in ("b_Intercept", "b_Days", "sd_Subject__Intercept", "sigma", "r_Subject[308,Intercept]"):
        expected = np.concatenate([f.draws_dict[name] for f in fits], axis=0)
        np.testing.assert_array_equal(combined.draws_dict[name], expected)
    # the fits differ (different data and seeds), and the pooled mean is the mean of the means
    means = [f.draws_dict["b_Intercept"].mean() for f in fits]
    assert len(set(np.round(means, 6))) == 3
    assert combined.fixef().loc["Intercept", "Estimate"] == pytest.approx(np.mean(means), rel=1e-12)
    # per-imputation Rhats are each fit's own
    from brmspy.fit import arviz_io

    for i, f in enumerate(fits, 1):
        assert combined.rhats.loc[i, "b_Days"] == pytest.approx(float(arviz_io.rhat(f.draws_dict["b_Days"])))


def test_brm_multiple_checks_its_arguments(sleep):
    with pytest.raises(bp.DataError, match="list of DataFrames"):
        bp.brm_multiple(FORMULA, sleep)
    with pytest.raises(bp.DataError, match="data2 must be a list"):
        bp.brm_multiple(FORMULA, [sleep, sleep], data2=[None])
    with pytest.raises(bp.BrmsError, match="on_change"):
        bp.brm_multiple(FORMULA, [sleep], file="x.nc", file_refit="on_change")
    with pytest.raises(bp.BrmsError, match="combine=True"):
        bp.brm_multiple(FORMULA, [sleep], file="x.nc", combine=False)


def test_brm_multiple_warns_for_a_data_set_that_did_not_converge(sleep):
    # a 2-iteration warmup cannot converge; brms's message names the data set
    with pytest.warns(UserWarning, match="Imputed model 1 did not converge"):
        bp.brm_multiple(FORMULA, [sleep], chains=2, iter=40, warmup=2, seed=1, refresh=0)


def test_brm_multiple_file_round_trip(tmp_path, imputed):
    path = tmp_path / "imp.nc"
    kw = dict(chains=2, iter=300, seed=2, refresh=0, file=path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = bp.brm_multiple(FORMULA, imputed[:2], **kw)
        again = bp.brm_multiple(FORMULA, imputed[:2], **kw)
    assert isinstance(again, BrmsFitMultiple) and again.imputations == 2
    np.testing.assert_array_equal(first.draws_dict["b_Days"], again.draws_dict["b_Days"])
    pd.testing.assert_frame_equal(first.rhats, again.rhats)


EASY = dict(formula="y ~ x", prior=bp.prior("normal(0, 1)", class_="b") + bp.prior("normal(0, 1)", class_="Intercept")
            + bp.prior("exponential(1)", class_="sigma"))


@pytest.fixture(scope="module")
def easy_data():
    return pd.DataFrame({"x": np.linspace(-1, 1, 20), "y": 0.0})


@pytest.fixture(scope="module")
def sbc_dask(client, easy_data) -> SbcResult:
    return bp.sbc(EASY["formula"], easy_data, prior=EASY["prior"], n_sims=100, seed=1, chains=2, iter=400,
                  executor=client.get_executor())


def test_sbc_on_dask_gives_uniform_ranks(sbc_dask):
    res = sbc_dask
    assert res.variables == ["b_Intercept", "b_x", "sigma"]
    assert len(res.ranks) == 100 and (res.diagnostics["error"] == "").all()
    r = res.ranks.to_numpy()
    assert r.min() >= 0 and r.max() <= res.max_rank == 99
    # calibrated: no variable's chi-square test rejects uniformity at 0.001, and the mean rank is
    # within 4 standard errors of the uniform mean 49.5 (sd of a uniform rank on 0..99: 28.9)
    assert (res.uniformity()["p_value"] > 0.001).all(), res.uniformity()
    assert np.all(np.abs(r.mean(axis=0) - 49.5) < 4 * 28.87 / np.sqrt(100))
    # the truth is really drawn from the prior: normal(0, 1) for b_x
    assert abs(res.truth["b_x"].mean()) < 4 / np.sqrt(100) and 0.7 < res.truth["b_x"].std() < 1.3
    assert res.diagnostics["rhat"].max() < 1.2


def test_sbc_on_dask_equals_sbc_serial(sbc_dask, easy_data):
    serial = bp.sbc(EASY["formula"], easy_data, prior=EASY["prior"], n_sims=100, seed=1, chains=2, iter=400)
    pd.testing.assert_frame_equal(serial.ranks, sbc_dask.ranks)
    pd.testing.assert_frame_equal(serial.truth, sbc_dask.truth)


def test_uniformity_detects_miscalibrated_ranks():
    rng = np.random.default_rng(0)
    ranks = pd.DataFrame({"good": rng.integers(0, 100, 200),
                          # over-confident posterior: the truth falls in the tails
                          "bad": np.where(rng.random(200) < 0.5, rng.integers(0, 10, 200), rng.integers(90, 100, 200))})
    diag = pd.DataFrame({"seed": 0, "rhat": 1.0, "ess_bulk": 100.0, "divergent": 0, "error": [""] * 200})
    res = SbcResult(ranks, 99, ranks.astype(float), diag)
    p = res.uniformity()["p_value"]
    assert p["bad"] < 1e-10 and p["good"] > 0.001
    z, lo, hi = ecdf_band(200, 99, seed=1)
    ecdf_bad = np.array([(ranks["bad"] < k).mean() for k in range(1, 100)])
    ecdf_good = np.array([(ranks["good"] < k).mean() for k in range(1, 100)])
    assert np.any((ecdf_bad < lo) | (ecdf_bad > hi))
    assert np.all((ecdf_good >= lo) & (ecdf_good <= hi))


def test_ecdf_band_covers_uniform_samples_as_promised():
    z, lo, hi = ecdf_band(50, 49, prob=0.9, seed=3)
    rng = np.random.default_rng(99)  # fresh simulations, not those the band was made from
    inside = 0
    for _ in range(400):
        r = rng.integers(0, 50, 50)
        e = np.array([(r < k).mean() for k in range(1, 50)])
        inside += bool(np.all((e >= lo) & (e <= hi)))
    assert 0.84 < inside / 400 < 0.96


def test_plot_sbc(sbc_dask):
    import matplotlib.pyplot as plt

    for typ in ("ecdf_diff", "ecdf", "hist"):
        fig = bp.plot_sbc(sbc_dask, type=typ)
        assert [a.get_title() for a in fig.axes] == ["b_Intercept", "b_x", "sigma"]
        if typ == "hist":
            bars = fig.axes[1].containers[0]  # the histogram's bars: every simulation counted once
            assert sum(p.get_height() for p in bars) == 100 and len(bars) == sbc_dask.default_bins()
        else:
            assert fig.axes[0].get_ylabel() == ("ECDF difference" if typ == "ecdf_diff" else "ECDF")
        plt.close(fig)
    with pytest.raises(bp.PlotError, match="Unknown SBC plot type"):
        bp.plot_sbc(sbc_dask, type="violin")


def test_sbc_errors(easy_data):
    with pytest.raises(bp.PriorError, match="proper priors"):
        bp.sbc("y ~ x", easy_data, n_sims=5)
    with pytest.raises(bp.BrmsError, match="n_sims"):
        bp.sbc("y ~ x", easy_data, prior=EASY["prior"], n_sims=1)
    with pytest.raises(bp.BrmsError, match="Unknown variable"):
        bp.sbc("y ~ x", easy_data, prior=EASY["prior"], n_sims=5, variables=["b_z"], seed=1)
