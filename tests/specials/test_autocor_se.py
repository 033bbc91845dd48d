"""``se(x, sigma = TRUE)`` with residual covariance structures: ``cosy()``, ``ar/ma/arma(cov = TRUE)``, ``unstr()``.

As brms, each series is one multivariate normal (or Student-t) density whose covariance is
``sigma^2 * R`` plus the known sampling variances ``se^2`` on its diagonal (brms's ``*_time_*_se_lpdf`` and,
for ``unstr()``, current brms's ``*_time_*_se_flex_lpdf``; ``se2 = square(se)`` in transformed data).
``se()`` without ``sigma = TRUE`` stays refused with brms's message; ``sar()`` with ``se()`` is refused
because brms's own program for it does not compile; ``fcor()`` with ``se()`` as brms.

Golden programs that stanc accepts; numpy's joint density per series equal to Stan's; brms's
leave-one-out ``log_lik`` (covariance with se^2 on the diagonal) against a direct conditional-normal
computation, also on new data; recovery of sigma and the correlation on simulated data.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli
from scipy import stats

import brmspy as bp
from brmspy.core.errors import FormulaError
from brmspy.prediction.core import series_log_lik
from tests.checks import assert_golden, assert_recovers, parameter_names


def _data(seed: int = 1, groups: int = 8) -> pd.DataFrame:
    """Series of 4 time points, one missing in two series, rows shuffled (brms sorts by gr, then time)."""
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"g": np.repeat(np.arange(groups), 4), "time": np.tile([1, 2, 3, 4], groups)})
    d["x"] = rng.normal(size=len(d))
    d["y"] = rng.normal(size=len(d))
    d["s"] = rng.uniform(0.2, 1.0, len(d))
    return d.drop([2, 9]).sample(frac=1, random_state=3).reset_index(drop=True)


CASES = {
    "ac_cosy_se_sigma": ("y | se(s, sigma = TRUE) ~ x + cosy(time, g)", "gaussian"),
    "ac_arma_cov_se_student": ("y | se(s, sigma = TRUE) ~ x + arma(time, g, cov = TRUE)", "student"),
    "ac_ar_cov_se_sigma_het": (bp.bf("y | se(s, sigma = TRUE) ~ x + ar(time, g, cov = TRUE)", "sigma ~ x"),
                               "gaussian"),
    "ac_unstr_se_sigma": ("y | se(1, sigma = TRUE) ~ x + unstr(time, g)", "gaussian"),  # brms test suite [110]
    "ac_unstr_se_student_het": (bp.bf("y | se(s, sigma = TRUE) ~ x + unstr(time, g)", "sigma ~ x"), "student"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_and_stanc(name: str, update_golden: bool) -> None:
    formula, family = CASES[name]
    code = bp.make_stancode(formula, _data(), family)
    assert "se2" in code.split("model {")[1], "se2 must enter the likelihood"
    assert_golden(name, code, update_golden)


def test_call_names_as_brms() -> None:
    """brms's function names and argument order: (Y | [nu,] mu, sigma, se2, Lcortime, nobs_tg, ...)."""
    d = _data()
    code = bp.make_stancode("y | se(s, sigma = TRUE) ~ x + cosy(time, g)", d)
    assert "target += normal_time_hom_se_lpdf(Y | mu, sigma, se2, Lcortime, nobs_tg, begin_tg, end_tg);" in code
    code = bp.make_stancode("y | se(1, sigma = TRUE) ~ x + unstr(time, g)", d)
    assert ("target += normal_time_hom_se_flex_lpdf(Y | mu, sigma, se2, Lcortime, nobs_tg, begin_tg, end_tg, "
            "Jtime_tg);") in code
    code = bp.make_stancode(bp.bf("y | se(s, sigma = TRUE) ~ x + ma(time, g, cov = TRUE)", "sigma ~ x"), d, "student")
    assert "target += student_t_time_het_se_lpdf(Y | nu, mu, sigma, se2, Lcortime" in code
    sd = bp.make_standata("y | se(s, sigma = TRUE) ~ x + cosy(time, g)", d)
    order = np.lexsort((d["time"], d["g"]))
    np.testing.assert_allclose(sd["se"], d["s"].to_numpy()[order])


@pytest.fixture(scope="module", params=list(CASES))
def short_fit(request):
    formula, family = CASES[request.param]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 200 iterations: convergence warnings are expected
        return request.param, bp.brm(formula, _data(), family, chains=1, iter=200, seed=1, refresh=0)


def test_numpy_series_log_lik_equals_stan(short_fit) -> None:
    """The joint density of each series (se^2 on the diagonal) sums to Stan's likelihood."""
    name, fit = short_fit
    code, sd = fit.stancode(), fit.standata()
    full, prior = stanli.Model(stan_code=code, data=sd), stanli.Model(stan_code=code, data={**sd, "prior_only": 1})
    total = series_log_lik(fit).sum(axis=1)
    for draw in (0, 37, 99):
        values = {n: fit.stan_draws.params[n][0, draw] for n in parameter_names(code) if n in fit.stan_draws.params}
        theta = full.unconstrain(values)
        stan = full.log_prob_grad(theta)[0] - prior.log_prob_grad(theta)[0]
        assert stan == pytest.approx(total[draw], rel=1e-9), name
    n = len(_data())
    assert bp.posterior_predict(fit).shape == (100, n) and bp.log_lik(fit).shape == (100, n)


def test_loo_log_lik_adds_se2() -> None:
    """brms's log_lik: y_i given the other rows of its series, covariance sigma^2 R + diag(se^2); new data
    (rows permuted) form the same series and give the same values."""
    df = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y | se(s, sigma = TRUE) ~ x + cosy(time, g)", df, chains=1, iter=100, seed=2, refresh=0)
    rows = fit.frame.data  # sorted by g, then time
    d = fit.draws()
    ll = bp.log_lik(fit)
    y, x, se = rows["y"].to_numpy(), rows["x"].to_numpy(), rows["s"].to_numpy()
    for s in (0, 30):
        mu = d["b_Intercept"].iloc[s] + d["b_x"].iloc[s] * x
        for g in (0, 1, 5):  # series 0 and 2 miss a time point
            idx = np.flatnonzero(rows["g"].to_numpy() == g)
            n = len(idx)
            C = d["sigma"].iloc[s] ** 2 * np.where(np.eye(n) == 1, 1.0, d["cosy"].iloc[s]) + np.diag(se[idx] ** 2)
            for k in range(n):
                o = np.delete(np.arange(n), k)
                m = mu[idx[k]] + C[k, o] @ np.linalg.solve(C[np.ix_(o, o)], y[idx[o]] - mu[idx[o]])
                v = C[k, k] - C[k, o] @ np.linalg.solve(C[np.ix_(o, o)], C[o, k])
                assert ll[s, idx[k]] == pytest.approx(stats.norm.logpdf(y[idx[k]], m, np.sqrt(v)), rel=1e-8)
    perm = np.random.default_rng(1).permutation(len(rows))
    np.testing.assert_allclose(bp.log_lik(fit, newdata=rows.iloc[perm].reset_index(drop=True)), ll[:, perm],
                               rtol=1e-10)
    # posterior_predict draws carry the se^2 variance: with a huge se the spread follows it
    big = rows.assign(s=50.0)
    pp = bp.posterior_predict(fit, newdata=big, seed=3)
    assert 40 < pp.std() < 60


@pytest.mark.parametrize("formula, match", [
    ("y | se(s) ~ x + cosy(time, g)", "set argument 'sigma' of function 'se' to TRUE"),
    ("y | se(s) ~ x + arma(time, g, cov = TRUE)", "set argument 'sigma' of function 'se' to TRUE"),
    ("y | se(s) ~ x + sar(V)", "does not compile"),
    ("y | se(s, sigma = TRUE) ~ x + sar(V, type = 'error')", "does not compile"),
    ("y | se(s) ~ x + fcor(V)", "Invalid addition arguments"),
])
def test_refusals(formula: str, match: str) -> None:
    d = _data()
    V = 0.5 * np.eye(len(d)) + 0.5
    with pytest.raises(FormulaError, match=match):
        bp.make_stancode(formula, d, data2={"V": V / len(d)})


@pytest.fixture(scope="module")
def fit_recovery():
    """80 series of 5 time points, cosy correlation 0.5, sigma 0.5, known se between 0.2 and 0.8."""
    rng = np.random.default_rng(21)
    G, T, rho, sigma = 80, 5, 0.5, 0.5
    R = np.where(np.eye(T) == 1, 1.0, rho)
    d = pd.DataFrame({"g": np.repeat(np.arange(G), T), "time": np.tile(np.arange(T), G), "x": rng.normal(size=G * T)})
    d["s"] = rng.uniform(0.2, 0.8, G * T)
    err = (np.linalg.cholesky(R) @ rng.normal(size=(T, G))).T.ravel() * sigma
    d["y"] = 1.0 + 0.5 * d["x"] + err + rng.normal(size=G * T) * d["s"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm("y | se(s, sigma = TRUE) ~ x + cosy(time, g)", d, chains=2, iter=600, seed=3, refresh=0)


def test_recovers_cosy_with_se(fit_recovery):
    d = fit_recovery.draws()
    truth = {"b_Intercept": 1.0, "b_x": 0.5, "sigma": 0.5, "cosy": 0.5}
    assert_recovers({k: d[k].to_numpy() for k in truth}, truth)
