"""``sar(M, type = "lag" | "error")`` and ``fcor(M)``: one multivariate density over all rows (gaussian, student).

Golden programs that stanc accepts; numpy's joint log density (``series_log_lik``) equal to Stan's;
brms's leave-one-out ``log_lik`` against a direct conditional-normal computation; lag-SAR
``posterior_epred`` = ``(I - rho M)^-1 mu`` (brms); refusals; recovery of a lag-SAR model.
(Stan data, eigenvalues and default priors against brms 2.18: the ``ac_sar*``/``ac_fcor*`` cases of
``tests/test_brms_reference.py``.)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli
from scipy import stats

import brmspy as bp
from brmspy.core.errors import DataError, FormulaError
from brmspy.prediction.core import series_log_lik
from tests.checks import assert_golden, assert_recovers, parameter_names

N = 12


def _mats(n: int = N) -> tuple[np.ndarray, np.ndarray]:
    W = np.zeros((n, n))
    for i in range(n - 1):
        W[i, i + 1] = W[i + 1, i] = 0.5
    V = np.exp(-np.abs(np.subtract.outer(np.arange(n), np.arange(n))) / 3)
    return W, V


def _data(seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"y": rng.normal(size=N), "x": rng.normal(size=N), "yc": rng.poisson(2, N)})


W, V = _mats()
CASES = {
    "sar_lag": ("y ~ x + sar(W)", "gaussian", {"W": W}),
    "sar_error_student": ('y ~ x + sar(W, type = "error")', "student", {"W": W}),
    "fcor_gaussian": ("y ~ x + fcor(V)", "gaussian", {"V": V}),
    "fcor_student_sigma": (bp.bf("y ~ x + fcor(V)", "sigma ~ x"), "student", {"V": V}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_and_stanc(name: str, update_golden: bool) -> None:
    formula, family, data2 = CASES[name]
    code = bp.make_stancode(formula, _data(), family, data2=data2)
    assert_golden(name, code, update_golden)


@pytest.fixture(scope="module", params=list(CASES))
def short_fit(request):
    formula, family, data2 = CASES[request.param]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 200 iterations: convergence warnings are expected
        return request.param, bp.brm(formula, _data(), family, data2=data2, chains=1, iter=200, seed=1, refresh=0)


def test_joint_density_equals_stan(short_fit) -> None:
    _, fit = short_fit
    code, sd = fit.stancode(), fit.standata()
    full, prior = stanli.Model(stan_code=code, data=sd), stanli.Model(stan_code=code, data={**sd, "prior_only": 1})
    joint = series_log_lik(fit).sum(axis=1)
    for draw in (0, 37, 99):
        values = {n: fit.stan_draws.params[n][0, draw] for n in parameter_names(code) if n in fit.stan_draws.params}
        theta = full.unconstrain(values)
        assert full.log_prob_grad(theta)[0] - prior.log_prob_grad(theta)[0] == pytest.approx(joint[draw], rel=1e-9)


def test_gaussian_loo_log_lik_and_lag_mean() -> None:
    """brms's log_lik of sar/fcor: each y_i given the other rows, from the joint normal."""
    df = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y ~ x + sar(W)", df, data2={"W": W}, chains=1, iter=100, seed=2, refresh=0)
    d = fit.draws()
    ll = bp.log_lik(fit)
    ep = bp.posterior_epred(fit)
    for s in (0, 30):
        rho, sigma = d["lagsar"].iloc[s], d["sigma"].iloc[s]
        eta = d["b_Intercept"].iloc[s] + d["b_x"].iloc[s] * df["x"].to_numpy()
        B = np.eye(N) - rho * W
        mean = np.linalg.solve(B, eta)
        np.testing.assert_allclose(ep[s], mean, rtol=1e-10)
        C = sigma ** 2 * np.linalg.inv(B.T @ B)
        y = df["y"].to_numpy()
        for i in (0, 5):
            o = np.delete(np.arange(N), i)
            m = mean[i] + C[i, o] @ np.linalg.solve(C[np.ix_(o, o)], y[o] - mean[o])
            v = C[i, i] - C[i, o] @ np.linalg.solve(C[np.ix_(o, o)], C[o, i])
            assert ll[s, i] == pytest.approx(stats.norm.logpdf(y[i], m, np.sqrt(v)), rel=1e-8)
    with pytest.raises(DataError, match="lag-SAR"):
        bp.posterior_epred(fit, newdata=df.iloc[:3])


@pytest.mark.parametrize("formula, family, data2, error, match", [
    ("yc ~ x + sar(W)", "poisson", {"W": W}, FormulaError, "SAR terms are not implemented"),
    ("yc ~ x + fcor(V)", "poisson", {"V": V}, FormulaError, "FCOR terms are not implemented"),
    ('y ~ x + sar(W, type = "both")', "gaussian", {"W": W}, FormulaError, "lag"),
    ("y ~ x + sar(W)", "gaussian", {"W": W[:5, :5]}, DataError, "Dimensions"),
    ("y ~ x + fcor(V)", "gaussian", {"V": V - 2 * np.eye(N)}, DataError, "positive definite"),
    ("y ~ x + fcor(U)", "gaussian", {"V": V}, DataError, "not in data2"),
    (bp.bf("y ~ x + sar(W)", "sigma ~ x"), "gaussian", {"W": W}, FormulaError, "single sigma"),
])
def test_refusals(formula, family, data2, error, match):
    with pytest.raises(error, match=match):
        bp.make_stancode(formula, _data(), family, data2=data2)


@pytest.fixture(scope="module")
def fit_lag():
    rng = np.random.default_rng(8)
    n = 150
    W, _ = _mats(n)
    x = rng.normal(size=n)
    y = np.linalg.solve(np.eye(n) - 0.6 * W, 1.0 + 0.8 * x + rng.normal(0, 0.5, n))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm("y ~ x + sar(W)", pd.DataFrame({"y": y, "x": x}), data2={"W": W}, chains=2, iter=600, seed=3,
                      refresh=0)


def test_recovers_lag_sar(fit_lag):
    d = fit_lag.draws()
    assert_recovers({k: d[k].to_numpy() for k in ("b_Intercept", "b_x", "sigma", "lagsar")},
                    {"b_Intercept": 1.0, "b_x": 0.8, "sigma": 0.5, "lagsar": 0.6})


@pytest.mark.parametrize("formula, family, data2, key", [
    ("y ~ xna + sar(W)", "gaussian", {"W": W}, "Msar"),
    ('y ~ xna + sar(W, type = "error")', "student", {"W": W}, "Msar"),
    ("y ~ xna + fcor(V)", "gaussian", {"V": V}, "Mfcor"),
])
def test_rows_dropped_for_nas_leave_the_matrix(formula, family, data2, key) -> None:
    """brms removes the rows and columns of the rows dropped for NAs from M (and takes the subset's eigenvalues)."""
    df = _data()
    df["xna"] = df["x"]
    df.loc[[2, 7], "xna"] = np.nan
    keep = np.setdiff1d(np.arange(N), [2, 7])
    with pytest.warns(UserWarning, match="Rows containing NAs"):
        sd = bp.make_standata(formula, df, family, data2=data2)
    M = next(iter(data2.values()))[np.ix_(keep, keep)]
    np.testing.assert_array_equal(sd[key], M)
    ref = bp.make_standata(formula, df.iloc[keep].reset_index(drop=True), family, data2={k: M for k in data2})
    for k, v in ref.items():
        np.testing.assert_array_equal(sd[k], v)
    if key == "Msar":
        np.testing.assert_allclose(np.sort(sd["eigenMsar"]), np.sort(np.linalg.eigvalsh(M)), atol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the NA warning, checked above
        with pytest.raises(DataError, match="number of rows of the data"):  # M already without the NA rows: as brms
            bp.make_standata(formula, df, family, data2={k: M for k in data2})
        stanli.stan_to_mir(bp.make_stancode(formula, df, family, data2=data2))
