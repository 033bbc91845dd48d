"""dirichlet_multinomial (brms 2.19+): over-dispersed counts per category,
``y ~ dirichlet_multinomial(softmax(eta) * phi)`` with brms's ``dirichlet_multinomial_logit2_lpmf``.

Golden Stan code accepted by stanc, numpy log-likelihood equal to Stan's density at posterior draws
and to scipy's ``dirichlet_multinomial``, predictions (expected counts ``trials * softmax(eta)``,
draws summing to the trials), brms's names, and recovery of known values.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

import brmspy as bp
from brmspy.families import FAMILIES, Extras, dirichlet_multinomial
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

MATH = FAMILIES["dirichlet_multinomial"].math
TRUTH = {"b_muy2_Intercept": 0.5, "b_muy2_x": 0.8, "b_muy3_Intercept": -0.3, "b_muy3_x": 0.0, "phi": 8.0}


def _data(n: int = 120, seed: int = 4, size: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    eta = np.column_stack([np.zeros(n), 0.5 + 0.8 * x, np.full(n, -0.3)])
    p = special.softmax(eta, axis=1)
    Y = np.array([rng.multinomial(size, rng.dirichlet(pi * TRUTH["phi"])) for pi in p])
    return pd.DataFrame({"x": x, "y1": Y[:, 0], "y2": Y[:, 1], "y3": Y[:, 2], "size": Y.sum(axis=1),
                         "g": np.arange(n) % 6})


F = "cbind(y1, y2, y3) | trials(size) ~ x"
CASES = {
    "dirichlet_multinomial": (F, "dirichlet_multinomial"),
    "dirichlet_multinomial_phi_group": (bp.bf("cbind(y1, y2, y3) | trials(size) ~ x + (1 | g)", "phi ~ x"),
                                        "dirichlet_multinomial"),
    "dirichlet_multinomial_refcat": (F, dirichlet_multinomial(refcat="y3")),
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_code_and_stanc(name: str, update_golden: bool) -> None:
    formula, family = CASES[name]
    code = bp.make_stancode(formula, _data(), family)
    assert_golden(f"fam_{name}", code, update_golden)


def test_numpy_density_is_scipys_dirichlet_multinomial() -> None:
    rng = np.random.default_rng(1)
    mu = rng.normal(size=(4, 3))
    phi = np.array([0.5, 2.0, 9.0, 40.0])
    y = np.array([[3, 0, 7], [1, 1, 1], [0, 0, 5], [12, 4, 9]])
    ll = MATH.loglik(y, {"mu": mu, "phi": phi}, Extras())
    alpha = special.softmax(mu, axis=1) * phi[:, None]
    ref = [stats.dirichlet_multinomial.logpmf(y[i], alpha[i], y[i].sum()) for i in range(4)]
    np.testing.assert_allclose(ll, ref, rtol=1e-12)


def test_brms_names_priors_and_data() -> None:
    sd = bp.make_standata(F, _data(), "dirichlet_multinomial")
    assert {"K_muy2", "K_muy3", "trials"} <= set(sd) and sd["ncat"] == 3
    assert np.asarray(sd["Y"]).shape == (120, 3)
    pr = bp.get_prior(F, _data(), "dirichlet_multinomial")
    phi = pr[pr["class"] == "phi"]
    assert list(phi["prior"]) == ["gamma(0.01, 0.01)"]
    with pytest.raises(bp.FormulaError, match="trials.*dirichlet_multinomial"):
        bp.make_stancode("cbind(y1, y2, y3) ~ x", _data(), "dirichlet_multinomial")
    with pytest.raises(bp.DataError, match="dirichlet_multinomial.*non-negative integer"):
        bp.make_stancode(F, _data().assign(y1=lambda d: d.y1 + 0.5), "dirichlet_multinomial")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["dirichlet_multinomial", "dirichlet_multinomial_phi_group"])
def test_numpy_loglik_equals_stan_and_predictions(name: str) -> None:
    formula, family = CASES[name]
    d = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm(formula, d, family, seed=5, refresh=0, iter=200, chains=1)
    assert_loglik_matches_stan(fit, draws=(0, 50, -1))
    ep = bp.posterior_epred(fit)
    pp = bp.posterior_predict(fit, ndraws=10, seed=1)
    assert ep.shape == (100, 120, 3) and pp.shape == (10, 120, 3)
    np.testing.assert_allclose(ep.sum(axis=-1), np.broadcast_to(d["size"].to_numpy(float), (100, 120)))
    np.testing.assert_array_equal(pp.sum(axis=-1), np.broadcast_to(d["size"].to_numpy(), (10, 120)))
    assert (pp >= 0).all()


def test_draws_are_overdispersed_as_the_distribution() -> None:
    # the variance of a category's count is n p (1 - p) (n + phi) / (1 + phi)
    rng = np.random.default_rng(2)
    mu = np.broadcast_to(np.array([0.0, 0.4, -0.2]), (20000, 1, 3))
    phi = np.full((20000, 1), 3.0)
    draws = MATH.rng({"mu": mu, "phi": phi}, Extras(trials=np.array([25])), rng)
    p = special.softmax(np.array([0.0, 0.4, -0.2]))
    var = 25 * p * (1 - p) * (25 + 3) / (1 + 3)
    np.testing.assert_allclose(draws[:, 0].var(axis=0), var, rtol=0.05)
    np.testing.assert_allclose(draws[:, 0].mean(axis=0), 25 * p, rtol=0.02)


@pytest.mark.slow
def test_recovery_dirichlet_multinomial() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm(F, _data(n=300, seed=8), "dirichlet_multinomial", seed=2, refresh=0, iter=600, chains=2)
    assert_recovers(fit.draws_dict, TRUTH)
