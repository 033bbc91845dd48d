"""Mixtures whose ``theta1`` is predicted: the reference is the component without a formula (brms).

brms 2.18 lets any ``K - 1`` of ``theta1..thetaK`` have formulas; the remaining one is fixed at 0 on
the log-odds scale.  Golden program that stanc accepts, numpy log-likelihood equal to Stan's density,
names, refusals (brms's), and recovery of a covariate effect on ``theta1``.
(Stan data and default priors against brms 2.18: ``mix_theta1_pred``, ``mix_theta13_pred``,
``mix_theta12_pred_poisson`` and ``refuse_mix_*`` in ``tests/test_brms_reference.py``.)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.core.errors import FormulaError
from brmspy.families.mixture import theta_values
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers


def _data(n: int = 40, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"y": rng.normal(size=n), "x": rng.normal(size=n), "z": rng.normal(size=n)})


def test_golden_and_stanc(update_golden: bool) -> None:
    code = bp.make_stancode(bp.bf("y ~ x", "theta1 ~ z"), _data(), bp.mixture("gaussian", "gaussian"))
    assert_golden("mixture_theta1_formula", code, update_golden)
    assert "vector[N] theta2 = rep_vector(0.0, N);  // reference category" in code


def test_reference_is_the_first_theta_without_formula() -> None:
    fam = bp.mixture("gaussian", "gaussian", "gaussian")
    b = bp.build_model(bp.bf("y ~ x", "theta1 ~ z", "theta3 ~ 1"), _data(), fam)
    t = b.frame.response_terms[0]
    assert t.family.theta_ref == 2 and {"theta1", "theta3"} <= set(t.parts)
    # softmax with 0 at the reference
    p = theta_values(t.family, {"theta1": np.array([1.0]), "theta3": np.array([-1.0])})
    np.testing.assert_allclose(p[0], np.exp([1, 0, -1]) / np.exp([1, 0, -1]).sum())


@pytest.mark.parametrize("formula, match", [
    (bp.bf("y ~ x", "theta1 ~ z", "theta2 ~ 1"), "all but one"),
    (bp.bf("y ~ x", "theta4 ~ z"), "theta1..theta2"),
])
def test_refusals(formula, match):
    with pytest.raises(FormulaError, match=match):
        bp.make_stancode(formula, _data(), bp.mixture("gaussian", "gaussian"))
    with pytest.raises(FormulaError, match="all but one"):
        bp.make_stancode(bp.bf("y ~ x", "theta3 ~ z"), _data(), bp.mixture("gaussian", "gaussian", "gaussian"))


@pytest.fixture(scope="module")
def fit_theta1():
    rng = np.random.default_rng(5)
    n = 400
    z = rng.normal(size=n)
    p1 = 1 / (1 + np.exp(-(-0.3 + 1.5 * z)))  # theta1 on the log-odds scale against theta2 = 0
    comp1 = rng.uniform(size=n) < p1
    y = np.where(comp1, rng.normal(-2.0, 0.5, n), rng.normal(2.0, 0.5, n))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(bp.bf("y ~ 1", "theta1 ~ z"), pd.DataFrame({"y": y, "z": z}), bp.mixture("gaussian", "gaussian"),
                      chains=2, iter=600, seed=2, refresh=0)


def test_loglik_names_and_recovery(fit_theta1):
    assert_loglik_matches_stan(fit_theta1)
    d = fit_theta1.draws()
    assert {"b_theta1_Intercept", "b_theta1_z", "b_mu1_Intercept", "b_mu2_Intercept"} <= set(d.columns)
    assert not any(c.startswith("b_theta2") for c in d.columns)
    assert_recovers({k: d[k].to_numpy() for k in ("b_theta1_Intercept", "b_theta1_z", "b_mu1_Intercept",
                                                 "b_mu2_Intercept", "sigma1", "sigma2")},
                    {"b_theta1_Intercept": -0.3, "b_theta1_z": 1.5, "b_mu1_Intercept": -2.0, "b_mu2_Intercept": 2.0,
                     "sigma1": 0.5, "sigma2": 0.5})
