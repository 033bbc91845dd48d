"""``y | mi()`` responses in multivariate models with residual correlations (brms test suite [273]).

As brms 2.18, the imputed values ``Ymi_<resp>`` fill the response's ``Yl_<resp>``, which replaces its column of
the rows' response array (``Yl[n][k] = Yl_<resp>[n]``) in the joint normal (or Student-t) density.
With ``mi(sdy)`` the latent values ``Yl_<resp>`` take the column and the observed values are their noisy
measurements, as brms.

Golden programs that stanc accepts; Stan's likelihood equal to numpy's joint density (observed rows from
``log_lik``, rows with a missing response from the imputed draws); recovery of the residual correlation and of
the missing values on simulated data.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli
from scipy import stats

import brmspy as bp
from brmspy.core.errors import DataWarning
from tests.checks import assert_golden, assert_recovers, parameter_names


def _data(n: int = 30, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"y": rng.normal(size=n), "x": rng.normal(size=n), "z": rng.normal(size=n)})
    d.loc[[2, 6, 11], "x"] = np.nan
    return d


CASES = {
    "mi_rescor_sigma": (bp.bf("y ~ 1", "sigma ~ 1") + bp.bf("x | mi() ~ 1") + bp.set_rescor(True), "gaussian"),  # [273]
    "mi_rescor_student": (bp.bf("y ~ z") + bp.bf("x | mi() ~ z") + bp.set_rescor(True), "student"),
    "mi_rescor_ar": (bp.bf("y ~ z") + bp.bf("x | mi() ~ 1 + ar()") + bp.set_rescor(True), "gaussian"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_and_stanc(name: str, update_golden: bool) -> None:
    formula, family = CASES[name]
    code = bp.make_stancode(formula, _data(), family)
    assert "Yl[n][2] = Yl_x[n];" in code and "(Yl" in code
    assert_golden(name, code, update_golden)


def test_mi_sdy_latent_values_in_the_joint_density() -> None:
    """'y | mi(sdy)': the latent Yl_y fills its column (brms); the observed y ~ normal(Yl_y, sdy).
    Stan's likelihood equals the joint density of the latent and imputed values; the measurement density is
    part of the model outside the likelihood block (as brms)."""
    d = _data().assign(s=0.3)
    formula = bp.bf("y | mi(s) ~ 1") + bp.bf("x | mi() ~ z") + bp.set_rescor(True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # y has no NA (brmspy's DataWarning); 200 iterations
        code = bp.make_stancode(formula, d)
        fit = bp.brm(formula, d, chains=1, iter=200, seed=2, refresh=0)
    assert "Yl[n][1] = Yl_y[n];" in code and "target += normal_lpdf(Y_y[Jme_y] | Yl_y[Jme_y], noise_y[Jme_y]);" in code
    assert_golden("mi_rescor_sdy", code, False)
    miss = np.flatnonzero(d["x"].isna().to_numpy())
    dr = fit.draws()
    sd = fit.standata()
    full, prior = stanli.Model(stan_code=code, data=sd), stanli.Model(stan_code=code, data={**sd, "prior_only": 1})
    for s in (0, 50, 99):
        r = dr.iloc[s]
        cov = np.array([[r["sigma_y"] ** 2, r["rescor__y__x"] * r["sigma_y"] * r["sigma_x"]],
                        [r["rescor__y__x"] * r["sigma_y"] * r["sigma_x"], r["sigma_x"] ** 2]])
        yl = fit.stan_draws.params["Yl_y"][0, s]  # the latent values (Stan's parameter)
        xl = d["x"].to_numpy().copy()
        xl[miss] = [r[f"Ymi_x[{k + 1}]"] for k in range(len(miss))]
        mu = np.column_stack([np.full(len(d), r["b_y_Intercept"]), r["b_x_Intercept"] + r["b_x_z"] * d["z"]])
        joint = stats.multivariate_normal.logpdf(np.column_stack([yl, xl]) - mu, np.zeros(2), cov).sum()
        measurement = stats.norm.logpdf(d["y"], yl, 0.3).sum()
        values = {n: fit.stan_draws.params[n][0, s] for n in parameter_names(code) if n in fit.stan_draws.params}
        theta = full.unconstrain(values)
        stan = full.log_prob_grad(theta)[0] - prior.log_prob_grad(theta)[0]
        # the measurement density is outside 'if (!prior_only)' (as brms), so it cancels in the difference
        assert stan == pytest.approx(joint, rel=1e-9)
        # ... and it is there: moving the observed y changes the prior-only density by the measurement density
        y2 = d["y"].to_numpy() + 0.1
        shifted = stanli.Model(stan_code=code, data={**sd, "prior_only": 1, "Y_y": y2})
        moved = shifted.log_prob_grad(theta)[0] - prior.log_prob_grad(theta)[0]
        assert moved == pytest.approx(stats.norm.logpdf(y2, yl, 0.3).sum() - measurement, rel=1e-9)


@pytest.fixture(scope="module")
def short_fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 200 iterations: convergence warnings are expected
        return bp.brm(bp.bf("y ~ z") + bp.bf("x | mi() ~ 1") + bp.set_rescor(True), _data(), chains=1, iter=200,
                      seed=1, refresh=0)


def test_stan_likelihood_is_the_joint_density_with_imputed_values(short_fit) -> None:
    fit = short_fit
    d = _data()
    miss = np.flatnonzero(d["x"].isna().to_numpy())
    with pytest.warns(DataWarning, match="missing response"):
        ll = bp.log_lik(fit)
    assert np.isnan(ll[:, miss]).all() and not np.isnan(np.delete(ll, miss, axis=1)).any()
    dr = fit.draws()
    code, sd = fit.stancode(), fit.standata()
    full, prior = stanli.Model(stan_code=code, data=sd), stanli.Model(stan_code=code, data={**sd, "prior_only": 1})
    for s in (0, 57, 99):
        r = dr.iloc[s]
        cov = np.array([[r["sigma_y"] ** 2, r["rescor__y__x"] * r["sigma_y"] * r["sigma_x"]],
                        [r["rescor__y__x"] * r["sigma_y"] * r["sigma_x"], r["sigma_x"] ** 2]])
        rows = [[d["y"][i], r[f"Ymi_x[{k + 1}]"]] for k, i in enumerate(miss)]
        mus = [[r["b_y_Intercept"] + r["b_y_z"] * d["z"][i], r["b_x_Intercept"]] for i in miss]
        imputed = sum(stats.multivariate_normal.logpdf(y, m, cov) for y, m in zip(rows, mus))
        values = {n: fit.stan_draws.params[n][0, s] for n in parameter_names(code) if n in fit.stan_draws.params}
        theta = full.unconstrain(values)
        stan = full.log_prob_grad(theta)[0] - prior.log_prob_grad(theta)[0]
        assert stan == pytest.approx(np.nansum(ll[s]) + imputed, rel=1e-9)


@pytest.fixture(scope="module")
def fit_recovery():
    """300 rows, residual correlation 0.7, 20% of x missing at random."""
    rng = np.random.default_rng(4)
    n = 300
    z = rng.normal(size=n)
    e = rng.multivariate_normal([0, 0], [[1, 0.7 * 0.5], [0.7 * 0.5, 0.25]], size=n)
    d = pd.DataFrame({"z": z, "y": 1 + 0.5 * z + e[:, 0], "x": -1 + e[:, 1]})
    truth_x = d["x"].to_numpy().copy()
    miss = np.sort(rng.choice(n, 60, replace=False))
    d.loc[miss, "x"] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm(bp.bf("y ~ z") + bp.bf("x | mi() ~ 1") + bp.set_rescor(True), d, chains=2, iter=600, seed=3,
                     refresh=0)
    return fit, truth_x[miss]


def test_recovers_rescor_and_missing_values(fit_recovery):
    fit, truth = fit_recovery
    d = fit.draws()
    assert_recovers({k: d[k].to_numpy() for k in ("b_y_Intercept", "b_y_z", "b_x_Intercept", "sigma_y", "sigma_x",
                                                  "rescor__y__x")},
                    {"b_y_Intercept": 1.0, "b_y_z": 0.5, "b_x_Intercept": -1.0, "sigma_y": 1.0, "sigma_x": 0.5,
                     "rescor__y__x": 0.7})
    imputed = np.array([d[f"Ymi_x[{k + 1}]"].mean() for k in range(len(truth))])
    assert np.corrcoef(imputed, truth)[0, 1] > 0.6  # the correlation with y informs the missing x
