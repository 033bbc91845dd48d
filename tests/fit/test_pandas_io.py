"""pandas in and out: predictions keep the input's index, labelled (xarray) draws, summary tables
keyed by the grouping factor, and polars / pyarrow / dict input converted at the API boundary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import brmspy as bp

FORMULA = "Reaction ~ Days + (Days | Subject)"


@pytest.fixture(scope="module")
def sleep() -> pd.DataFrame:
    return bp.datasets.load("sleepstudy")


@pytest.fixture(scope="module")
def new(sleep) -> pd.DataFrame:
    return sleep.iloc[[3, 50, 120]].set_index(pd.Index(["a", "b", "c"], name="row"))


def test_fitted_and_predict_keep_the_index(sleep_fit, new) -> None:
    fitted = sleep_fit.fitted(newdata=new)
    assert list(fitted.index) == ["a", "b", "c"] and fitted.index.name == "row"
    # the values are the rows', not a reordering: row "b" is sleepstudy row 50
    ep = sleep_fit.posterior_epred(newdata=new)
    np.testing.assert_allclose(fitted.loc["b", "Estimate"], ep[:, 1].mean())
    predicted = sleep_fit.predict(newdata=new, seed=1)
    assert list(predicted.index) == ["a", "b", "c"]
    assert list(bp.residuals(sleep_fit, newdata=new).index) == ["a", "b", "c"]
    # without newdata: the fitted rows' index
    assert list(sleep_fit.fitted().index) == list(sleep_fit.data.index)


def test_posterior_draws_as_xarray(sleep_fit, new) -> None:
    arr = sleep_fit.posterior_epred(newdata=new)
    da = sleep_fit.posterior_epred(newdata=new, output="xarray")
    assert da.dims == ("chain", "draw", "obs")
    assert da.shape == (4, 1000, 3)
    assert list(da.coords["obs"].values) == ["a", "b", "c"]
    np.testing.assert_array_equal(da.values.reshape(4000, 3), arr)
    pp = bp.posterior_predict(sleep_fit, output="xarray", seed=2)
    assert pp.dims == ("chain", "draw", "obs") and pp.sizes["obs"] == 180
    ll = bp.log_lik(sleep_fit, output="xarray")
    np.testing.assert_array_equal(ll.sel(chain=1).values, bp.log_lik(sleep_fit)[1000:2000])
    sub = bp.posterior_linpred(sleep_fit, newdata=new, ndraws=10, seed=3, output="xarray")
    assert sub.dims == ("sample", "obs") and sub.sizes["sample"] == 10
    assert set(sub.coords["chain"].values) <= {0, 1, 2, 3}
    # the default is unchanged: a bare array
    assert isinstance(sleep_fit.posterior_predict(ndraws=5, seed=1), np.ndarray)
    with pytest.raises(bp.BrmsError, match="output must be one of"):
        sleep_fit.posterior_epred(output="pandas")


def test_summary_group_keyed_by_grouping_factor(sleep_fit) -> None:
    s = sleep_fit.summary()
    assert list(s.group) == ["Subject"]
    assert list(s.group["Subject"].index) == ["sd(Intercept)", "sd(Days)", "cor(Intercept,Days)"]
    assert "~Subject (Number of levels: 18) " in str(s).splitlines()


def _standata(data) -> dict:
    return bp.make_standata(FORMULA, data)


@pytest.mark.parametrize("kind", ["polars", "pyarrow", "dict"])
def test_other_tables_give_the_same_model(sleep, kind) -> None:
    if kind == "polars":
        pl = pytest.importorskip("polars")
        data = pl.from_pandas(sleep)
    elif kind == "pyarrow":
        pa = pytest.importorskip("pyarrow")
        data = pa.Table.from_pandas(sleep, preserve_index=False)
    else:
        data = {c: sleep[c].to_numpy() for c in sleep.columns}
    ours, ref = _standata(data), _standata(sleep)
    assert set(ours) == set(ref)
    for key, value in ref.items():
        np.testing.assert_array_equal(np.asarray(ours[key]), np.asarray(value), err_msg=key)
    assert bp.make_stancode(FORMULA, data) == bp.make_stancode(FORMULA, sleep)


def test_polars_newdata_and_data(sleep_fit, sleep, new) -> None:
    pl = pytest.importorskip("polars")
    got = sleep_fit.fitted(newdata=pl.from_pandas(new.reset_index(drop=True)))
    np.testing.assert_allclose(got["Estimate"].to_numpy(), sleep_fit.fitted(newdata=new)["Estimate"].to_numpy())
    fit = bp.brm("Reaction ~ Days", data=pl.from_pandas(sleep), chains=1, iter=400, seed=1, refresh=0)
    assert isinstance(fit.data, pd.DataFrame)
    assert abs(fit.fixef().loc["Days", "Estimate"] - 10.47) < 3 * 1.5  # lm: 10.47 (se 1.5)


def test_other_types_get_a_clear_error(sleep, sleep_fit) -> None:
    with pytest.raises(bp.DataError, match="pandas or polars DataFrame, a pyarrow Table or a dict"):
        bp.make_standata(FORMULA, [[1, 2], [3, 4]])
    with pytest.raises(bp.DataError, match="newdata must be"):
        sleep_fit.fitted(newdata="Days")
    with pytest.raises(bp.DataError, match="different lengths"):
        bp.make_standata("y ~ x", {"y": [1.0, 2.0, 3.0], "x": [1.0, 2.0]})
    pl = pytest.importorskip("polars")
    with pytest.raises(bp.DataError, match="collect"):
        bp.make_standata(FORMULA, pl.from_pandas(sleep).lazy())


def test_brm_multiple_takes_polars_data_sets(sleep) -> None:
    pl = pytest.importorskip("polars")
    with pytest.raises(bp.DataError, match=r"element\(s\) \[2\]"):
        bp.brm_multiple("Reaction ~ Days", [sleep, "sleep.csv"], chains=1, iter=300, refresh=0, seed=1)
    fit = bp.brm_multiple("Reaction ~ Days", [pl.from_pandas(sleep), pl.from_pandas(sleep.iloc[::-1])],
                          chains=1, iter=300, refresh=0, seed=1)
    assert fit.ndraws() == 2 * 150
    assert abs(fit.fixef().loc["Days", "Estimate"] - 10.47) < 3 * 1.5


def test_fitted_rows_keep_the_data_labels_after_na_removal() -> None:
    rng = np.random.default_rng(4)
    df = pd.DataFrame({"x": rng.normal(size=40)}, index=pd.Index([f"r{i}" for i in range(40)], name="id"))
    df["y"] = 1 + 2 * df["x"] + rng.normal(size=40)
    df.loc["r3", "y"] = np.nan
    with pytest.warns(bp.DataWarning, match="Rows containing NAs"):
        fit = bp.brm("y ~ x", data=df, chains=1, iter=300, seed=1, refresh=0)
    kept = [f"r{i}" for i in range(40) if i != 3]
    assert list(fit.fitted().index) == kept and list(fit.predict(seed=1).index) == kept
    tree = fit.to_arviz(posterior_predictive=False)
    assert list(tree.observed_data.obs.values) == kept
    np.testing.assert_allclose(tree.observed_data["y"].sel(obs="r10").item(), df.loc["r10", "y"])
    assert list(fit.posterior_epred(output="xarray").coords["obs"].values) == kept
