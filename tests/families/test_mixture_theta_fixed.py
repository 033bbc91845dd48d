"""Mixtures with fixed mixing proportions: ``bf(y ~ x, theta1 = 1, theta2 = 2)`` (issue 21, brms's test [235]).

As brms 2.18: the proportions are data ``theta1``, ``theta2`` normalised to sum to 1 (1/3, 2/3), with no
simplex and no dirichlet prior; all or none must be fixed ("Can only fix no or all mixing proportions") and
each must be positive. Code accepted by stanc, numpy log-likelihood equal to Stan's, recovery of a
simulated mixture.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.core.errors import FormulaError
from tests.checks import assert_loglik_matches_stan, assert_recovers

THETA = (0.3, 0.7)


def _data(n: int = 300, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    comp = rng.uniform(size=n) < THETA[0]
    y = np.where(comp, -2 + 0.5 * x, 2 + 1.0 * x) + rng.normal(0, 0.5, n)
    return pd.DataFrame({"y": y, "x": x})


def test_code_and_data() -> None:
    data = _data(40)
    f = bp.bf("y ~ x", theta1=1, theta2=2)
    build = bp.build_model(f, data, family=bp.mixture("gaussian", "gaussian"))
    stanli.stan_to_mir(build.code)
    assert "real<lower=0,upper=1> theta1;" in build.code and "simplex" not in build.code
    assert "dirichlet" not in build.code and "log(theta1) + normal_lpdf(" in build.code
    assert build.data["theta1"] == pytest.approx(1 / 3) and build.data["theta2"] == pytest.approx(2 / 3)


@pytest.mark.parametrize("kw, match", [
    (dict(theta1=0.3), "fix no or all mixing proportions"),
    (dict(theta1=-1, theta2=2), "must be positive"),
])
def test_refusals(kw: dict, match: str) -> None:
    with pytest.raises(FormulaError, match=match):
        bp.make_stancode(bp.bf("y ~ x", **kw), _data(20), family=bp.mixture("gaussian", "gaussian"))


def test_fit_recovers_and_loglik_matches_stan() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # weakly informative intercepts; a chain can still settle in a local mode (one broad component),
        # so the chains are checked to agree below
        prior = [bp.prior("normal(-2, 1)", class_="Intercept", dpar="mu1"),
                 bp.prior("normal(2, 1)", class_="Intercept", dpar="mu2")]
        fit = bp.brm(bp.bf("y ~ x", theta1=THETA[0], theta2=THETA[1]), _data(), prior=prior,
                     family=bp.mixture("gaussian", "gaussian"), chains=2, iter=500, seed=4, refresh=0)
    d = fit.draws()
    chains = fit.stan_draws.params["sigma2"].mean(axis=1)
    assert abs(chains[0] - chains[1]) < 0.1, chains
    assert not any(k.startswith("theta") for k in d.keys())  # data, not parameters
    assert_recovers(d, {"b_mu1_Intercept": -2, "b_mu1_x": 0.5, "b_mu2_Intercept": 2, "b_mu2_x": 1.0,
                        "sigma1": 0.5, "sigma2": 0.5})
    assert_loglik_matches_stan(fit)
    ep = fit.posterior_epred().mean(axis=0)
    x = fit.frame.data["x"].to_numpy()
    np.testing.assert_allclose(ep, THETA[0] * (-2 + 0.5 * x) + THETA[1] * (2 + x), atol=0.15)
