"""Forecasting with ar()/ma()/arma() (brmspy.prediction.autocor.arma_recursion, forecast_plan, arma_forecast_predict).

- numpy recursion with known parameters: the expected forecast is mu + ar^h e_T,
  MA forecasts fall back to mu after q steps, and the drawn paths have the
  textbook h-step variances sigma^2 * sum_k ar^(2k) (AR) and sigma^2 (1 + ma^2) (MA);
- AR(1) fit: posterior_epred on later time points equals, draw by draw,
  mu + ar^h * (last fitted residual); posterior_predict variances grow with the
  horizon as sigma^2 * sum ar^(2k); new series start with zero residuals;
  observed new responses feed later unknown rows; AR(2) two steps ahead;
- bad requests still raise clear errors.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.core.errors import DataError
from brmspy.prediction.autocor import arma_recursion
from brmspy.prediction.context import draw_indices
from tests.specials.test_autocor import simulate

# ------------------------------------------------------------ numpy, known parameters


def test_ar1_recursion_known_parameters() -> None:
    rng = np.random.default_rng(1)
    S, T, H, ar, sigma, mu = 40000, 8, 5, 0.6, 0.5, 1.5
    y = np.r_[mu + rng.normal(0, sigma, T), np.full(H, np.nan)]
    eta = np.full((S, T + H), mu)
    J = np.r_[np.ones(T + H - 1, dtype=int), 0]
    arm = np.full((S, 1), ar)
    e_T = y[T - 1] - mu
    ep, filled = arma_recursion(eta, y, J, arm, None)
    h = np.arange(1, H + 1)
    np.testing.assert_allclose(ep[:, T:], np.broadcast_to(mu + ar**h * e_T, (S, H)))
    np.testing.assert_allclose(filled[:, T:], ep[:, T:])  # the expected value stands in for the unknown y
    _, paths = arma_recursion(eta, y, J, arm, None, draw=lambda n, m: rng.normal(m, sigma))
    np.testing.assert_array_equal(paths[:, :T], np.broadcast_to(y[:T], (S, T)))  # observed rows untouched
    want_var = sigma**2 * np.array([np.sum(ar ** (2 * np.arange(k))) for k in h])
    np.testing.assert_allclose(paths[:, T:].var(0), want_var, rtol=0.04)
    assert np.all(np.abs(paths[:, T:].mean(0) - (mu + ar**h * e_T)) < 4 * np.sqrt(want_var / S))


def test_ma1_recursion_known_parameters() -> None:
    rng = np.random.default_rng(2)
    S, T, H, ma, sigma, mu = 40000, 6, 3, 0.5, 0.4, -1.0
    y = np.r_[mu + rng.normal(0, sigma, T), np.full(H, np.nan)]
    eta = np.full((S, T + H), mu)
    J = np.r_[np.ones(T + H - 1, dtype=int), 0]
    mam = np.full((S, 1), ma)
    u = np.zeros(T)  # textbook innovations u_t = y_t - mu - ma u_{t-1}
    for i in range(T):
        u[i] = y[i] - mu - (ma * u[i - 1] if i else 0.0)
    ep, _ = arma_recursion(eta, y, J, None, mam)
    np.testing.assert_allclose(ep[0, T:], [mu + ma * u[-1], mu, mu])
    _, paths = arma_recursion(eta, y, J, None, mam, draw=lambda n, m: rng.normal(m, sigma))
    np.testing.assert_allclose(paths[:, T:].var(0), sigma**2 * np.array([1, 1 + ma**2, 1 + ma**2]), rtol=0.04)


# ------------------------------------------------------------------ fits


def _brm(formula, data, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(formula, data, seed=11, refresh=0, **{"chains": 2, "iter": 1000, **kw})


@pytest.fixture(scope="module")
def ar1_fit():
    return _brm("y ~ x + ar(time = t, gr = g)", simulate(G=2, T=60, ar=(0.7,), seed=3))


@pytest.fixture(scope="module")
def ar2_fit():
    return _brm("y ~ x + ar(time = t, gr = g, p = 2)", simulate(G=2, T=80, ar=(0.5, -0.3), seed=4))


def _draws(fit, idx):
    d = fit.draws()
    return {k: d[k].to_numpy()[idx] for k in d.columns}


def _last_residual(fit, d, g: str, back: int = 0) -> np.ndarray:
    """Residual y - (b_Intercept + b_x x) of the fitted row ``back`` rows before the end of series ``g``."""
    data = fit.frame.data
    rows = np.flatnonzero(data["g"].to_numpy() == g)
    i = rows[np.argsort(data["t"].to_numpy()[rows])][-1 - back]
    return data["y"].iloc[i] - (d["b_Intercept"] + d["b_x"] * data["x"].iloc[i])


FUTURE = pd.DataFrame({
    "x": [0.3, -1.0, 0.5, 2.0, 0.0, -0.4, 1.2],
    "t": [63, 61, 62, 64, 65, 62, 61],
    "g": ["s1", "s1", "s1", "s1", "s1", "s2", "s2"],
})


def test_ar1_epred_h_steps_is_mu_plus_ar_power_h_times_last_residual(ar1_fit) -> None:
    fit, S = ar1_fit, 200
    idx = draw_indices(fit, S, 5)
    d = _draws(fit, idx)
    ep = bp.posterior_epred(fit, newdata=FUTURE, ndraws=S, seed=5)
    lin = bp.posterior_linpred(fit, newdata=FUTURE, ndraws=S, seed=5)
    np.testing.assert_allclose(ep, lin)
    ar = d["ar[1]"]
    for i, row in FUTURE.iterrows():
        h = row["t"] - 60
        mu = d["b_Intercept"] + d["b_x"] * row["x"]
        want = mu + ar**h * _last_residual(fit, d, row["g"])
        np.testing.assert_allclose(ep[:, i], want, rtol=1e-10, err_msg=f"row {i}")
    # a NaN response column is the same as no response column
    np.testing.assert_allclose(bp.posterior_epred(fit, newdata=FUTURE.assign(y=np.nan), ndraws=S, seed=5), ep)


def test_ar1_predict_variance_grows_with_horizon(ar1_fit) -> None:
    fit = ar1_fit
    nd = FUTURE[FUTURE["g"] == "s1"].sort_values("t").reset_index(drop=True)  # h = 1..5
    d = _draws(fit, draw_indices(fit, None))
    ep = bp.posterior_epred(fit, newdata=nd)
    h = nd["t"].to_numpy() - 60
    ar, sigma = d["ar[1]"][:, None], d["sigma"][:, None]
    sd = np.sqrt(sigma**2 * np.cumsum(ar ** (2 * np.arange(h.size)), axis=1))  # sigma^2 sum_{k<h} ar^(2k)
    raw = np.concatenate([bp.posterior_predict(fit, newdata=nd, seed=s) - ep for s in range(4)])
    z = raw / np.tile(sd, (4, 1))
    np.testing.assert_allclose(z.var(0), 1.0, atol=0.15)  # each horizon has the analytic variance
    np.testing.assert_allclose(z.mean(0), 0.0, atol=0.1)
    v = raw.var(0)  # sigma^2 (1, 1 + ar^2, ...) with ar near 0.7: clearly growing over the first steps
    assert v[0] < v[1] < v[2] and v[-1] > 1.5 * v[0]


def test_new_series_start_with_zero_residuals(ar1_fit) -> None:
    fit, S = ar1_fit, 100
    d = _draws(fit, draw_indices(fit, S, 2))
    nd = pd.DataFrame({"x": [0.2, -0.5, 1.0], "t": [1, 2, 3], "g": ["new", "new", "new"]})
    mu = d["b_Intercept"][:, None] + d["b_x"][:, None] * nd["x"].to_numpy()[None, :]
    ep = bp.posterior_epred(fit, newdata=nd, ndraws=S, seed=2)
    np.testing.assert_allclose(ep, mu, rtol=1e-10)
    np.testing.assert_allclose(ep, bp.posterior_epred(fit, newdata=nd, ndraws=S, seed=2, incl_autocor=False))
    # an observed first value of the new series feeds the next rows
    ep2 = bp.posterior_epred(fit, newdata=nd.assign(y=[1.7, np.nan, np.nan]), ndraws=S, seed=2)
    e1 = 1.7 - mu[:, 0]
    ar = d["ar[1]"]
    np.testing.assert_allclose(ep2[:, 1], mu[:, 1] + ar * e1, rtol=1e-10)
    np.testing.assert_allclose(ep2[:, 2], mu[:, 2] + ar**2 * e1, rtol=1e-10)
    # drawn paths: the first new row varies by sigma only (no earlier residual)
    pp = bp.posterior_predict(fit, newdata=nd, ndraws=S, seed=2)
    assert np.isfinite(pp).all() and pp.shape == (S, 3)


def test_observed_new_rows_continue_the_fitted_series(ar1_fit) -> None:
    fit, S = ar1_fit, 100
    d = _draws(fit, draw_indices(fit, S, 3))
    nd = pd.DataFrame({"x": [0.1, 0.4, -0.3], "t": [61, 62, 63], "g": "s2", "y": [2.5, np.nan, np.nan]})
    mu = d["b_Intercept"][:, None] + d["b_x"][:, None] * nd["x"].to_numpy()[None, :]
    ar = d["ar[1]"]
    ep = bp.posterior_epred(fit, newdata=nd, ndraws=S, seed=3)
    np.testing.assert_allclose(ep[:, 0], mu[:, 0] + ar * _last_residual(fit, d, "s2"), rtol=1e-10)
    e61 = 2.5 - mu[:, 0]
    np.testing.assert_allclose(ep[:, 1], mu[:, 1] + ar * e61, rtol=1e-10)
    np.testing.assert_allclose(ep[:, 2], mu[:, 2] + ar**2 * e61, rtol=1e-10)
    # one step ahead with every response observed: unchanged behaviour on the fitted rows
    full = bp.posterior_epred(fit, ndraws=S, seed=3)
    last = fit.frame.data.tail(10)
    np.testing.assert_allclose(bp.posterior_epred(fit, newdata=last, ndraws=S, seed=3), full[:, -10:], rtol=1e-10)
    # posterior_predict: the observed row is a one-step-ahead draw; later rows follow drawn paths
    pp = bp.posterior_predict(fit, newdata=nd, ndraws=S, seed=3)
    assert np.isfinite(pp).all()


def test_ar2_two_steps_ahead(ar2_fit) -> None:
    fit, S = ar2_fit, 100
    d = _draws(fit, draw_indices(fit, S, 4))
    nd = pd.DataFrame({"x": [0.5, -0.5], "t": [81, 82], "g": "s1"})
    mu = d["b_Intercept"][:, None] + d["b_x"][:, None] * nd["x"].to_numpy()[None, :]
    a1, a2 = d["ar[1]"], d["ar[2]"]
    e80, e79 = _last_residual(fit, d, "s1"), _last_residual(fit, d, "s1", back=1)
    f1 = a1 * e80 + a2 * e79
    ep = bp.posterior_epred(fit, newdata=nd, ndraws=S, seed=4)
    np.testing.assert_allclose(ep[:, 0], mu[:, 0] + f1, rtol=1e-10)
    np.testing.assert_allclose(ep[:, 1], mu[:, 1] + a1 * f1 + a2 * e80, rtol=1e-10)


def test_bad_forecast_requests(ar1_fit) -> None:
    with pytest.raises(DataError, match="Column 't'"):
        bp.posterior_epred(ar1_fit, newdata=FUTURE.drop(columns="t"))
    with pytest.raises(DataError, match="Time points must be unique"):
        bp.posterior_predict(ar1_fit, newdata=pd.concat([FUTURE, FUTURE.head(1)], ignore_index=True))
    with pytest.raises(DataError, match="must be numeric"):
        bp.posterior_epred(ar1_fit, newdata=FUTURE.assign(y="a"))
