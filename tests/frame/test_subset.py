"""``y | subset(s) ~ ...`` in univariate models: the response fitted on the rows where ``s`` is TRUE.

brms 2.18 drops the NA rows first, then keeps the subset's rows for ``Y``, ``X``, ``J``, ``Z`` (``X``'s
factor columns from the subset rows), while group levels count every remaining row (a level seen
only outside the subset is still in ``N_<k>``, its effect drawn from the prior).  New data are
subset too.  The rows outside the subset here have a response far from the model (``y + 100``): a fit
that used them would not recover the truth.  Multivariate subsets and ``mi(x, idx = )``: test_mv_subset.py.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.core.errors import DataError
from tests.checks import assert_loglik_matches_stan, assert_recovers

B, SD, SIGMA = 0.7, 0.8, 0.5
FORMULA = "y | subset(s) ~ x + f + (1 | g)"


def subset_data(n: int = 300, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 12, n)
    x = rng.normal(size=n)
    f = np.where(rng.uniform(size=n) < 0.5, "a", "b")
    s = rng.uniform(size=n) < 0.6
    s[g == 11] = False  # level L11 only outside the subset
    f[~s & (rng.uniform(size=n) < 0.3)] = "c"  # a factor level only outside the subset: no 'fc' column
    y = 1 + B * x + 0.5 * (f == "b") + rng.normal(0, SD, 12)[g] + rng.normal(0, SIGMA, n)
    y = np.where(s, y, y + 100)  # rows the model must not see
    names = np.array([f"L{i:02d}" for i in range(12)])
    return pd.DataFrame({"y": y, "x": x, "f": f, "g": names[g], "s": s}, index=[f"r{i}" for i in range(n)])


def test_standata_subset_rows_and_all_levels() -> None:
    d = subset_data()
    sd = bp.make_standata(FORMULA, d)
    sub = d[d["s"]]
    assert sd["N"] == len(sub)
    np.testing.assert_array_equal(sd["Y"], sub["y"].to_numpy())
    assert sd["K"] == 3  # Intercept, x, fb: 'c' only outside the subset
    assert sd["N_1"] == 12  # L11 counts although none of its rows is in the subset
    np.testing.assert_array_equal(sd["J_1"], sub["g"].str[1:].astype(int).to_numpy() + 1)
    assert 12 not in set(sd["J_1"])


def test_na_rows_dropped_before_subset() -> None:
    d = subset_data()
    d.loc["r0", "x"] = np.nan
    with pytest.warns(bp.DataWarning, match="Rows containing NAs"):
        sd = bp.make_standata(FORMULA, d)
    assert sd["N"] == int(d["s"].iloc[1:].sum())


def test_subset_refusals() -> None:
    d = subset_data()
    with pytest.raises(DataError, match="All rows of 'data' were removed via 'subset"):
        bp.make_standata(FORMULA, d.assign(s=False))
    with pytest.raises(DataError, match="may not contain NAs"):
        bp.make_standata(FORMULA, d.assign(s="maybe"))


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(FORMULA, subset_data(), chains=2, iter=600, seed=2, refresh=0)


def test_recovery(fit) -> None:
    assert_recovers(fit.draws_dict, {"b_x": B, "b_fb": 0.5, "sd_g__Intercept": SD, "sigma": SIGMA})
    assert "r_g[L11,Intercept]" in fit.draws_dict  # the level outside the subset: brms's name, prior draws


def test_loglik_matches_stan(fit) -> None:
    assert_loglik_matches_stan(fit)


def test_predictions_on_subset_rows(fit) -> None:
    d = subset_data()
    n = int(d["s"].sum())
    ndraws = fit.ndraws()
    assert bp.posterior_epred(fit).shape == (ndraws, n)
    assert bp.posterior_predict(fit, seed=1).shape == (ndraws, n)
    assert bp.log_lik(fit).shape == (ndraws, n)
    assert list(bp.fitted(fit).index) == list(d.index[d["s"]])


def test_new_data_subset(fit) -> None:
    new = pd.DataFrame({"x": [0.0, 1.0, 2.0], "f": ["a", "a", "b"], "g": ["L00", "L00", "L11"],
                        "s": [True, False, True]}, index=["p", "q", "r"])
    ep = bp.posterior_epred(fit, newdata=new)
    assert ep.shape == (fit.ndraws(), 2)  # row 'q' is outside the subset, as in brms
    d = {k: np.asarray(v).ravel() for k, v in fit.draws_dict.items()}
    np.testing.assert_allclose(ep[:, 0], d["b_Intercept"] + d["r_g[L00,Intercept]"])
    np.testing.assert_allclose(ep[:, 1], d["b_Intercept"] + 2 * d["b_x"] + d["b_fb"] + d["r_g[L11,Intercept]"])
    assert list(bp.fitted(fit, newdata=new).index) == ["p", "r"]
    ll = bp.log_lik(fit, newdata=new.assign(y=[1.0, 50.0, 3.0]))
    assert ll.shape == (fit.ndraws(), 2)
    mu = d["b_Intercept"] + 2 * d["b_x"] + d["b_fb"] + d["r_g[L11,Intercept]"]
    sigma = d["sigma"]
    np.testing.assert_allclose(ll[:, 1], -0.5 * ((3.0 - mu) / sigma) ** 2 - np.log(sigma) - 0.5 * np.log(2 * np.pi))
    with pytest.raises(DataError, match="newdata needs the column.*'s'"):
        bp.posterior_epred(fit, newdata=new.drop(columns="s"))
    nd = subset_data().head(40)  # regression: chunks of newdata did not line up with the subset's rows
    np.testing.assert_allclose(bp.posterior_epred(fit, newdata=nd, chunk_size=7),
                               bp.posterior_epred(fit, newdata=nd, chunk_size=0))


def test_sar_matrix_of_the_subset_rows() -> None:
    """brms removes only the NA rows from a sar() matrix, so with subset() it must be N x N of the subset."""
    d = subset_data(n=60)
    n = int(d["s"].sum())
    W = np.zeros((n, n))
    W[np.arange(n - 1), np.arange(1, n)] = W[np.arange(1, n), np.arange(n - 1)] = 1.0
    W /= W.sum(axis=1, keepdims=True)
    sd = bp.make_standata("y | subset(s) ~ x + sar(W)", d, data2={"W": W})
    assert sd["N"] == n and sd["Msar"].shape == (n, n)
    full = np.eye(len(d))
    with pytest.raises(DataError, match="Dimensions of 'W' for SAR terms must be equal to the number of observations"):
        bp.make_standata("y | subset(s) ~ x + sar(W)", d, data2={"W": full})


def test_conditional_effects_conditions_of_all_rows(fit) -> None:
    """brms holds other predictors at their mean over model.frame(fit) (every row, the subset's too) and s at TRUE."""
    d = subset_data()
    ce = bp.conditional_effects(fit, "f")
    table = ce["f"]
    np.testing.assert_allclose(table["x"].to_numpy(), d["x"].mean())
    assert bool(table["s"].iloc[0]) is True
    assert set(table["f"].astype(str)) == {"a", "b"}


def test_categorical_subset_missing_category_refused() -> None:
    d = subset_data()
    d["yc"] = np.where(~d["s"], "out", np.where(d["y"] > 1, "hi", "lo"))
    with pytest.raises(DataError, match="leaves out the categories 'out'"):
        bp.make_standata("yc | subset(s) ~ x", d, family="categorical")
    sd = bp.make_standata("yc | subset(s) ~ x", d.assign(yc=np.where(d["y"] > 1, "hi", "lo")), family="categorical")
    assert sd["ncat"] == 2 and sd["N"] == int(d["s"].sum())


def test_saved_fit_keeps_the_subset(fit, tmp_path) -> None:
    path = tmp_path / "subset_fit.nc"
    bp.save_fit(fit, path)
    loaded = bp.load_fit(path)
    assert loaded.standata()["N"] == fit.standata()["N"] == int(subset_data()["s"].sum())
    np.testing.assert_allclose(bp.log_lik(loaded), bp.log_lik(fit))
