"""Category-specific effects in cumulative models: ``yord ~ x + cs(z)`` (issue 21).

brms 2.18 fits them with the warning "Category specific effects for this family should be considered
experimental and may have convergence issues" (shifted thresholds can cross; such draws are
rejected). Its program uses ``cumulative_<link>_lpmf`` with ``Intercept - transpose(mucs[n])``
(never Stan's ``ordered_logistic``). Golden code accepted by stanc, numpy log-likelihood equal to
Stan's, recovery of simulated truth and predictions.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

THRES, B, BCS = np.array([-1.0, 0.0, 1.0]), 0.7, np.array([0.6, 0.0, -0.4])
WARNING = "Category specific effects for this family should be considered experimental"


def cumulative_data(n: int = 400, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x, z = rng.normal(size=n), rng.uniform(-1, 1, n)  # |z| <= 1: the true thresholds never cross
    thres = THRES[None, :] - z[:, None] * BCS[None, :]
    cdf = 1 / (1 + np.exp(-(thres - B * x[:, None])))
    u = rng.uniform(size=n)
    y = 1 + (u[:, None] > cdf).sum(axis=1)
    return pd.DataFrame({"y": y, "x": x, "z": z, "g": rng.integers(1, 9, n)})


def test_warns_and_golden(update_golden: bool) -> None:
    with pytest.warns(UserWarning, match=WARNING):
        code = bp.make_stancode("y ~ x + cs(z)", cumulative_data(), "cumulative")
    assert_golden("cs_cumulative", code, update_golden)
    assert "cumulative_logit_lpmf(Y[n] | mu[n], disc, Intercept - transpose(mucs[n]))" in code
    assert "ordered_logistic" not in code
    with pytest.warns(UserWarning, match=WARNING):
        group = bp.make_stancode("y ~ x + (cs(1) | g)", cumulative_data(), bp.cumulative("probit"))
    assert_golden("cs_cumulative_group", group, update_golden)


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm("y ~ x + cs(z)", cumulative_data(), "cumulative", chains=2, iter=600, seed=4, refresh=0)


def test_recovery(fit) -> None:
    truth = {"b_x": B, **{f"bcs_z[{k + 1}]": BCS[k] for k in range(3)},
             **{f"b_Intercept[{k + 1}]": THRES[k] for k in range(3)}}
    assert_recovers(fit.draws_dict, truth)


def test_loglik_matches_stan(fit) -> None:
    assert_loglik_matches_stan(fit)


def test_predictions(fit) -> None:
    d = {k: np.asarray(v).ravel() for k, v in fit.draws_dict.items()}
    ep = bp.posterior_epred(fit, newdata=pd.DataFrame({"x": [0.0], "z": [0.5]}))
    p1 = 1 / (1 + np.exp(-(d["b_Intercept[1]"] - 0.5 * d["bcs_z[1]"])))
    np.testing.assert_allclose(ep[:, 0, 0], p1)
    np.testing.assert_allclose(ep.sum(axis=2), 1.0)
