"""se() in mixtures (issue 21, brms's test [236]): as brms 2.18, the known standard errors replace the sigma
of each gaussian/student/skew_normal component (``normal_lpdf(Y[n] | mu1[n], se[n])``); other components keep
their own parameters, and ``sigma<k>`` stays a parameter with its prior (brms 2.18 declares it). With
``se(x, sigma = TRUE)`` they combine (``sqrt(square(sigma1) + se2[n])``). numpy's log-likelihood equals Stan's;
simulated two-component mixtures with known se are recovered.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.core.errors import FamilyError
from tests.checks import assert_loglik_matches_stan, assert_recovers


def _data(n: int = 300, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    se = rng.uniform(0.3, 0.6, n)
    comp = rng.uniform(size=n) < 0.4
    y = np.where(comp, -2 + 0.5 * x, 2 + 1.0 * x) + rng.normal(0, se)
    return pd.DataFrame({"y": y, "x": x, "se": se})


def test_code() -> None:
    data = _data(30)
    code = bp.make_stancode("y | se(se) ~ x", data, family=bp.mixture("gaussian", "student"))
    stanli.stan_to_mir(code)
    assert "log(theta1) + normal_lpdf(Y[n] | mu1[n], se[n])" in code
    assert "log(theta2) + student_t_lpdf(Y[n] | nu2, mu2[n], se[n])" in code
    assert "real<lower=0> sigma1;" in code  # declared as brms 2.18 does
    data["ypos"] = np.exp(data["y"] / 4)
    code = bp.make_stancode("ypos | se(se) ~ x", data, family=bp.mixture("gaussian", "lognormal"))
    assert "lognormal_lpdf(Y[n] | mu2[n], sigma2)" in code  # lognormal keeps its sigma
    with pytest.raises(FamilyError, match="no effect in a mixture"):
        bp.make_stancode("ypos | se(se) ~ x", data, family=bp.mixture("gamma", "lognormal"))


def test_code_sigma_true_and_skew_normal() -> None:
    """se(sigma = TRUE): sqrt(square(sigma<k>) + se2[n]) per component; skew_normal components take se too
    (brms 2.18's omega1 from se); other components keep their parameters."""
    data = _data(30)
    code = bp.make_stancode("y | se(se, sigma = TRUE) ~ x", data, family=bp.mixture("gaussian", "student"))
    stanli.stan_to_mir(code)
    assert "vector<lower=0>[N] se2 = square(se);" in code
    assert "log(theta1) + normal_lpdf(Y[n] | mu1[n], sqrt(square(sigma1) + se2[n]))," in code
    assert "log(theta2) + student_t_lpdf(Y[n] | nu2, mu2[n], sqrt(square(sigma2) + se2[n]))\n" in code
    code = bp.make_stancode(bp.bf("y | se(se, sigma = TRUE) ~ x", "sigma2 ~ x"), data,
                            family=bp.mixture("gaussian", "gaussian"))
    assert "normal_lpdf(Y[n] | mu2[n], sqrt(square(sigma2[n]) + se2[n]))" in code
    code = bp.make_stancode("y | se(se) ~ x", data, family=bp.mixture("skew_normal", "gaussian"))
    stanli.stan_to_mir(code)
    assert ("skew_normal_lpdf(Y[n] | mu1[n] - se[n] * skew_normal_shift(alpha1), se[n] * skew_normal_scale(alpha1), "
            "alpha1)") in code


SHORT = {
    "gaussian_sigma": ("y | se(se, sigma = TRUE) ~ x", bp.mixture("gaussian", "student")),
    "skew_normal": ("y | se(se) ~ x", bp.mixture("skew_normal", "gaussian")),
    "skew_normal_sigma": (bp.bf("y | se(se, sigma = TRUE) ~ x", "sigma1 ~ x"), bp.mixture("skew_normal", "gaussian")),
}


@pytest.mark.parametrize("name", list(SHORT))
def test_short_fit_loglik_matches_stan(name: str) -> None:
    formula, family = SHORT[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 200 iterations: convergence warnings are expected
        fit = bp.brm(formula, _data(60), family=family, chains=1, iter=200, seed=2, refresh=0)
    assert_loglik_matches_stan(fit, draws=(0, 37, 99))
    assert bp.posterior_predict(fit).shape == (100, 60)


def test_fit_sigma_true_recovers() -> None:
    """Two components with residual sd 0.5 and 0.3 beyond known se: sigma1, sigma2 recovered."""
    rng = np.random.default_rng(8)
    n = 400
    x, se = rng.normal(size=n), rng.uniform(0.2, 0.5, n)
    comp = rng.uniform(size=n) < 0.4
    sd = np.sqrt(np.where(comp, 0.5, 0.3) ** 2 + se**2)
    d = pd.DataFrame({"y": np.where(comp, -2 + 0.5 * x, 2 + 1.0 * x) + rng.normal(0, sd), "x": x, "se": se})
    prior = [bp.prior("normal(-2, 1)", class_="Intercept", dpar="mu1"),
             bp.prior("normal(2, 1)", class_="Intercept", dpar="mu2")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y | se(se, sigma = TRUE) ~ x", d, prior=prior, family=bp.mixture("gaussian", "gaussian"),
                     chains=2, iter=500, seed=3, refresh=0)
    assert_recovers(fit.draws(), {"b_mu1_Intercept": -2, "b_mu1_x": 0.5, "b_mu2_Intercept": 2, "b_mu2_x": 1.0,
                                  "theta1": 0.4, "sigma1": 0.5, "sigma2": 0.3})
    assert_loglik_matches_stan(fit)


def test_fit_recovers_and_loglik_matches_stan() -> None:
    prior = [bp.prior("normal(-2, 1)", class_="Intercept", dpar="mu1"),
             bp.prior("normal(2, 1)", class_="Intercept", dpar="mu2")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y | se(se) ~ x", _data(), prior=prior, family=bp.mixture("gaussian", "gaussian"),
                     chains=2, iter=500, seed=3, refresh=0)  # chains are checked to agree (multimodal)
    d = fit.draws()
    chains = fit.stan_draws.params["b_mu2"].mean(axis=1)
    assert abs(chains[0] - chains[1]).max() < 0.1, chains
    assert_recovers(d, {"b_mu1_Intercept": -2, "b_mu1_x": 0.5, "b_mu2_Intercept": 2, "b_mu2_x": 1.0, "theta1": 0.4})
    assert_loglik_matches_stan(fit)
