"""se() in mixtures (issue 21, brms's test [236]): as brms 2.18, the known standard errors replace the sigma
of each gaussian/student component (``normal_lpdf(Y[n] | mu1[n], se[n])``); other components keep their
own parameters, and ``sigma<k>`` stays a parameter with its prior (brms 2.18 declares it). numpy's
log-likelihood equals Stan's; a simulated two-component mixture with known se is recovered.
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
    with pytest.raises(FamilyError, match="sigma = TRUE"):
        bp.make_stancode("y | se(se, sigma = TRUE) ~ x", data, family=bp.mixture("gaussian", "gaussian"))


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
