"""Predictions: numpy log-likelihood agrees with Stan, moments of draws, newdata handling."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special

import brmspy as bp
from brmspy.families import FAMILIES, Extras
from brmspy.prediction import core as P
from tests.cases import CASE_BY_NAME, design_data
from tests.checks import assert_loglik_matches_stan

# one small model per family (and the addition terms that change the likelihood)
LIK_CASES = ["gaussian_fixed", "student", "bernoulli", "bernoulli_probit", "binomial_trials", "poisson_obs_effect",
             "poisson_identity", "negbinomial", "gamma", "lognormal", "beta", "weibull", "exponential", "weights",
             "poisson_weights", "sigma_formula", "shared_id_across_dpars", "multi_membership", "gr_by",
             "gaussian_log_link"]


def _fit(case_name: str, **kw):
    c = CASE_BY_NAME[case_name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(c.formula, c.frame(n=120), c.family, c.prior, seed=3, refresh=0, iter=200, chains=1, **kw)


@pytest.mark.parametrize("case_name", LIK_CASES)
def test_numpy_loglik_equals_stan_likelihood(case_name):
    """log p(y | θ) from numpy == Stan's log density with the likelihood minus without it, at posterior draws."""
    assert_loglik_matches_stan(_fit(case_name), draws=(0, 57, 99))


FAMILY_DPARS = {
    "gaussian": ({"mu": 1.5, "sigma": 2.0}, 1.5, 4.0),
    "student": ({"mu": 1.0, "sigma": 1.5, "nu": 6.0}, 1.0, 1.5**2 * 6 / 4),
    "bernoulli": ({"mu": 0.3}, 0.3, 0.21),
    "binomial": ({"mu": 0.4}, 4.0, 10 * 0.4 * 0.6),
    "poisson": ({"mu": 3.5}, 3.5, 3.5),
    "negbinomial": ({"mu": 4.0, "shape": 2.5}, 4.0, 4.0 + 16 / 2.5),
    "gamma": ({"mu": 2.0, "shape": 3.0}, 2.0, 4 / 3),
    "lognormal": ({"mu": 0.2, "sigma": 0.5}, np.exp(0.2 + 0.125), (np.exp(0.25) - 1) * np.exp(0.4 + 0.25)),
    "beta": ({"mu": 0.3, "phi": 8.0}, 0.3, 0.3 * 0.7 / 9),
    "weibull": ({"mu": 2.0, "shape": 1.7}, 2.0,
                (2 / special.gamma(1 + 1 / 1.7)) ** 2 * (special.gamma(1 + 2 / 1.7) - special.gamma(1 + 1 / 1.7) ** 2)),
    "exponential": ({"mu": 1.7}, 1.7, 1.7**2),
}


@pytest.mark.parametrize("family", sorted(FAMILY_DPARS))
def test_family_draws_match_moments_and_density(family):
    dp_values, mean, var = FAMILY_DPARS[family]
    n = 200_000
    dp = {k: np.full((1, n), v) for k, v in dp_values.items()}
    ex = Extras(np.full(n, 10) if family == "binomial" else None)
    fm = FAMILIES[family].math
    draws = fm.rng(dp, ex, np.random.default_rng(1)).ravel()
    se_mean = np.sqrt(var / n)
    assert abs(draws.mean() - mean) < 5 * se_mean
    assert draws.var() == pytest.approx(var, rel=0.05)
    assert fm.epred({k: v[:, :1] for k, v in dp.items()}, Extras(np.array([10]) if family == "binomial" else None)).item() == pytest.approx(mean)
    # the log density integrates / sums to one
    one = {k: np.array([[v]]) for k, v in dp_values.items()}
    ex1 = Extras(np.array([10]) if family == "binomial" else None)
    if family in ("bernoulli", "binomial", "poisson", "negbinomial"):
        ys = np.arange(0, 2 if family == "bernoulli" else 200)
        total = np.exp(fm.loglik(ys[None, :], one, ex1)).sum()
    else:
        lo, hi = (0, 1) if family == "beta" else ((0, np.inf) if family not in ("gaussian", "student") else (-np.inf, np.inf))
        total = integrate.quad(lambda y: np.exp(fm.loglik(np.array([[y]]), one, ex1)).item(), lo, hi)[0]
    assert total == pytest.approx(1.0, abs=1e-6)


@pytest.fixture(scope="module")
def gfit():
    return _fit("factor_by_group")  # y ~ x + (0 + f | g)


def test_fitted_is_mean_of_epred(sleep_fit):
    ep = P.posterior_epred(sleep_fit)
    fitted = P.fitted(sleep_fit)
    np.testing.assert_allclose(fitted["Estimate"], ep.mean(axis=0))
    assert list(fitted.columns) == ["Estimate", "Est.Error", "Q2.5", "Q97.5"]
    # brms's reference fitted()[1] = 254.38 (sd 12.98): ours agrees within Monte Carlo error
    assert abs(fitted["Estimate"][0] - 254.38) < 2 * 12.98 / np.sqrt(400)
    pr = P.predict(sleep_fit, seed=1)
    assert pr["Est.Error"][0] > fitted["Est.Error"][0]  # adds residual noise
    assert abs(pr["Estimate"][0] - fitted["Estimate"][0]) < 3 * pr["Est.Error"][0] / np.sqrt(4000) * 3


def test_newdata_equals_in_sample(sleep_fit):
    df = bp.datasets.load("sleepstudy")
    np.testing.assert_allclose(P.posterior_epred(sleep_fit, newdata=df.iloc[:5]), P.posterior_epred(sleep_fit)[:, :5])
    # labels given as strings still match the fitted (integer) levels
    nd = pd.DataFrame({"Days": [3], "Subject": ["309"]})
    np.testing.assert_allclose(P.posterior_epred(sleep_fit, newdata=nd)[:, 0], P.posterior_epred(sleep_fit)[:, 13])


def test_re_formula(sleep_fit):
    d = sleep_fit.draws_dict
    none = P.posterior_linpred(sleep_fit, re_formula="~ 0")
    np.testing.assert_allclose(none[:, 1], (d["b_Intercept"] + d["b_Days"]).reshape(-1))
    intercept_only = P.posterior_linpred(sleep_fit, re_formula="~ (1 | Subject)")
    np.testing.assert_allclose(intercept_only[:, 1], (d["b_Intercept"] + d["b_Days"] + d["r_Subject[308,Intercept]"]).reshape(-1))
    with pytest.raises(bp.BrmsError, match="grouping factor 'Item'"):
        P.posterior_linpred(sleep_fit, re_formula="~ (1 | Item)")


def test_new_levels(sleep_fit):
    nd = pd.DataFrame({"Days": [2], "Subject": ["new"]})
    with pytest.raises(bp.DataError, match="allow_new_levels=True"):
        P.posterior_epred(sleep_fit, newdata=nd)
    fixed = P.posterior_epred(sleep_fit, newdata=nd, re_formula="~ 0")[:, 0]
    for method in ("uncertainty", "gaussian"):
        e = P.posterior_epred(sleep_fit, newdata=nd, allow_new_levels=True, sample_new_levels=method, seed=2)[:, 0]
        assert abs(e.mean() - fixed.mean()) < 4 * e.std() / np.sqrt(50)
        # new levels add the between-subject spread: sd(Intercept) ~ 26 at Days 2
        assert e.std() > 2 * fixed.std()
    # old_levels: the new level borrows one fitted subject's effects in every draw
    e = P.posterior_epred(sleep_fit, newdata=nd, allow_new_levels=True, sample_new_levels="old_levels", seed=2)[:, 0]
    subjects = bp.datasets.load("sleepstudy")["Subject"].cat.categories
    at_day2 = pd.DataFrame({"Days": 2, "Subject": subjects})
    per_subject = P.posterior_epred(sleep_fit, newdata=at_day2)
    assert any(np.allclose(e, per_subject[:, k]) for k in range(len(subjects)))
    with pytest.raises(bp.BrmsError, match="sample_new_levels must be one of"):
        P.posterior_epred(sleep_fit, newdata=nd, allow_new_levels=True, sample_new_levels="random")


def test_newdata_errors(gfit):
    nd = design_data().head(3).assign(f=["lo", "nope", "hi"])
    with pytest.raises(bp.DataError, match="level\\(s\\) \\['nope'\\] that were not in the fitted data"):
        P.posterior_epred(gfit, newdata=nd)
    with pytest.raises(bp.DataError, match="newdata needs the response column 'y'"):
        P.log_lik(gfit, newdata=design_data().head(3).drop(columns="y"))
    with pytest.raises(bp.DataError, match="Column 'x'|'x'"):
        P.posterior_epred(gfit, newdata=design_data().head(3).drop(columns="x"))


def test_factor_in_group_term_newdata(gfit):
    nd = design_data(n=120).head(10)
    np.testing.assert_allclose(P.posterior_epred(gfit, newdata=nd), P.posterior_epred(gfit)[:, :10])


def test_ndraws_and_dpar():
    fit = _fit("sigma_formula")
    assert P.posterior_epred(fit, ndraws=50, seed=1).shape == (50, 120)
    sig = P.posterior_epred(fit, dpar="sigma")
    d = fit.draws_dict
    x = fit.frame.data["x"].to_numpy()
    np.testing.assert_allclose(sig[:, 3], np.exp(d["b_sigma_Intercept"] + d["b_sigma_x"] * x[3]).reshape(-1))
    with pytest.raises(bp.BrmsError, match="has no dpar 'nu'"):
        P.posterior_epred(fit, dpar="nu")


def test_residuals_and_predictive_error(sleep_fit):
    res = P.residuals(sleep_fit)
    y = bp.datasets.load("sleepstudy")["Reaction"].to_numpy()
    np.testing.assert_allclose(res["Estimate"], y - P.fitted(sleep_fit)["Estimate"])
    pe = P.predictive_error(sleep_fit, ndraws=100, seed=1)
    assert pe.shape == (100, 180)
