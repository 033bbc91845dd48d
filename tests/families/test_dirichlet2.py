"""dirichlet2 (brms's dirichlet with one predictor per category and no reference: ``alpha_k = exp(eta_k)``).

Golden Stan code accepted by stanc, numpy log-likelihood equal to Stan's density at posterior draws,
predictions (expected proportions ``alpha / sum(alpha)``, draws on the simplex), brms's parameter
names, and recovery of known coefficients.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.families import dirichlet2
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

TRUTH = {"b_mup1_Intercept": 0.5, "b_mup1_x": 0.6, "b_mup2_Intercept": 1.0, "b_mup2_x": -0.4,
         "b_mup3_Intercept": 1.5, "b_mup3_x": 0.0}


def _data(n: int = 150, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    alpha = np.exp(np.column_stack([0.5 + 0.6 * x, 1.0 - 0.4 * x, np.full(n, 1.5)]))
    p = np.array([rng.dirichlet(a) for a in alpha])
    return pd.DataFrame({"x": x, "p1": p[:, 0], "p2": p[:, 1], "p3": p[:, 2], "g": np.arange(n) % 6})


CASES = {
    "dirichlet2": ("cbind(p1, p2, p3) ~ x", "dirichlet2"),
    "dirichlet2_dpar_group": (bp.bf("cbind(p1, p2, p3) ~ x + (1 | g)", "mup3 ~ 1"), "dirichlet2"),
    "dirichlet2_softplus": ("cbind(p1, p2, p3) ~ x", dirichlet2(link="softplus")),
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_code_and_stanc(name: str, update_golden: bool) -> None:
    formula, family = CASES[name]
    code = bp.make_stancode(formula, _data(), family)
    assert_golden(f"fam_{name}", code, update_golden)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_numpy_loglik_equals_stan_and_predictions(name: str) -> None:
    formula, family = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm(formula, _data(), family, seed=5, refresh=0, iter=200, chains=1)
    assert_loglik_matches_stan(fit, draws=(0, 50, -1))
    ep = bp.posterior_epred(fit)
    pp = bp.posterior_predict(fit, ndraws=10, seed=1)
    assert ep.shape == (100, 150, 3) and pp.shape == (10, 150, 3)
    np.testing.assert_allclose(ep.sum(axis=-1), 1.0)
    np.testing.assert_allclose(pp.sum(axis=-1), 1.0)
    assert (pp > 0).all()
    # expected proportions are alpha / sum(alpha) of the first row's concentrations
    lp = np.stack([bp.posterior_linpred(fit, dpar=f"mup{k}") for k in (1, 2, 3)], axis=-1)
    alpha = np.exp(lp) if name != "dirichlet2_softplus" else np.logaddexp(0, lp)
    np.testing.assert_allclose(ep, alpha / alpha.sum(axis=-1, keepdims=True), rtol=1e-10)


def test_brms_names_and_no_reference_category() -> None:
    sd = bp.make_standata("cbind(p1, p2, p3) ~ x", _data(), "dirichlet2")
    assert {"K_mup1", "K_mup2", "K_mup3"} <= set(sd) and sd["ncat"] == 3
    with pytest.raises(bp.FamilyError, match="'logit' is not available for family 'dirichlet2'"):
        dirichlet2(link="logit")


@pytest.mark.slow
def test_recovery_dirichlet2() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("cbind(p1, p2, p3) ~ x", _data(n=400, seed=8), "dirichlet2", seed=2, refresh=0, iter=600,
                     chains=2)
    assert_recovers(fit.draws_dict, TRUTH)
