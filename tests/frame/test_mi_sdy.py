"""Responses with known measurement error: ``y | mi(sdy) ~ ...`` (issue 21).

As brms 2.18: every ``y`` is a latent ``Yl`` (a parameter) that the likelihood uses; the observed values
enter as ``normal(Y[Jme] | Yl[Jme], noise[Jme])`` outside ``prior_only``, ``noise`` is ``sdy`` with
``Inf`` where ``y`` is missing, and ``Yl`` is left out of the draws. ``log_lik`` is brms's: the
observed ``y``'s density given ``mu`` and ``sigma`` (NaN where ``y`` is missing); the program's
likelihood, the density of ``Yl``, is checked against numpy with the ``Yl`` draws. Program text,
stanc, recovery of simulated truth and predictions.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli
from scipy import stats

import brmspy as bp
from brmspy.core.errors import DataError
from tests.checks import assert_recovers, parameter_names

B0, B1, SIGMA, MISSING = 1.0, 0.5, 0.5, [2, 6, 9]


def sdy_data(n: int = 300, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x, se = rng.normal(size=n), rng.uniform(0.3, 1.0, n)
    y = B0 + B1 * x + rng.normal(0, SIGMA, n) + rng.normal(0, se)
    d = pd.DataFrame({"y": y, "x": x, "se": se})
    d.loc[MISSING, "y"] = np.nan
    return d


def test_program_and_data_follow_brms() -> None:
    d = sdy_data()
    code = bp.make_stancode("y | mi(se) ~ x", d)
    stanli.stan_to_mir(code)
    for line in ("vector<lower=0>[N] noise;", "array[Nme] int<lower=1> Jme;", "vector[N] Yl;  // latent variable",
                 "target += normal_id_glm_lpdf(Yl | Xc, Intercept, b, sigma);",
                 "target += normal_lpdf(Y[Jme] | Yl[Jme], noise[Jme]);"):
        assert line in code, line
    assert code.index("normal_lpdf(Y[Jme]") > code.index("target += lprior;")  # outside prior_only, as brms
    sd = bp.make_standata("y | mi(se) ~ x", d)
    assert sd["Nme"] == 297 and np.isinf(sd["noise"][MISSING]).all() and np.isinf(sd["Y"][MISSING]).all()
    np.testing.assert_array_equal(sd["Jme"], np.setdiff1d(np.arange(300), MISSING) + 1)
    with pytest.raises(DataError, match="non-negative"):
        bp.make_standata("y | mi(se) ~ x", d.assign(se=-d["se"]))


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm("y | mi(se) ~ x", sdy_data(), chains=2, iter=800, seed=1, refresh=0)


def test_recovery_and_names(fit) -> None:
    assert_recovers(fit.draws_dict, {"b_Intercept": B0, "b_x": B1, "sigma": SIGMA})
    assert not any(n.startswith(("Yl", "Ymi")) for n in fit.draws_dict)


def test_stan_likelihood_is_the_latent_density(fit) -> None:
    """lp(full) - lp(prior_only) = sum normal(Yl | mu, sigma), with numpy's mu and sigma from the same draw."""
    model = stanli.Model(stan_code=fit.stancode(), data=fit.standata())
    model_prior = stanli.Model(stan_code=fit.stancode(), data={**fit.standata(), "prior_only": 1})
    mu = bp.posterior_linpred(fit)
    sigma = np.asarray(fit.draws_dict["sigma"]).ravel()
    for draw in (0, 17, -1):
        chain, i = divmod(draw % fit.stan_draws.ndraws, fit.stan_draws.params["Yl"].shape[1])
        values = {n: fit.stan_draws.params[n][chain, i] for n in parameter_names(fit.stancode())}
        theta = model.unconstrain(values)
        lp = model.log_prob_grad(theta)[0] - model_prior.log_prob_grad(theta)[0]
        k = chain * fit.stan_draws.params["Yl"].shape[1] + i
        expected = stats.norm.logpdf(values["Yl"], mu[k], sigma[k]).sum()
        assert lp == pytest.approx(expected, rel=1e-8)


def test_log_lik_and_predictions(fit) -> None:
    """brms's log_lik: the observed y given mu and sigma, NaN for the missing rows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ll = bp.log_lik(fit)
    mu, sigma = bp.posterior_linpred(fit), np.asarray(fit.draws_dict["sigma"]).ravel()
    y = sdy_data()["y"].to_numpy()
    obs = ~np.isnan(y)
    np.testing.assert_allclose(ll[:, obs], stats.norm.logpdf(y[obs], mu[:, obs], sigma[:, None]), rtol=1e-10)
    assert np.isnan(ll[:, MISSING]).all()
    pp = bp.posterior_predict(fit, ndraws=20, seed=1)
    assert pp.shape == (20, 300) and np.isfinite(pp).all()
