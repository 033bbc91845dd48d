"""``thres(k)``: a fixed number of thresholds in ordinal models (issue 21).

As brms 2.18: ``y | thres(k)`` gives ``k`` thresholds (``k + 1`` categories) whatever the largest observed
category, brms's prior rows ``Intercept`` 1..k, and the error "Number of thresholds is smaller than
required by the response" when the data need more. ``thres(gr = g)``: tests/frame/test_thres_groups.py.
Stan data, stanc, numpy log-likelihood equal to Stan's, recovery of simulated truth and predictions.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.core.errors import DataError, FormulaError
from tests.checks import assert_loglik_matches_stan, assert_recovers

THRES, B = np.array([-1.0, 0.5, 2.0]), 1.0


def ordinal_data(n: int = 400, seed: int = 12) -> pd.DataFrame:
    """Three thresholds; the fourth of thres(4) has no data above it (its category is never observed)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    cdf = 1 / (1 + np.exp(-(THRES[None, :] - B * x[:, None])))
    y = 1 + (rng.uniform(size=n)[:, None] > cdf).sum(axis=1)
    return pd.DataFrame({"y": y, "x": x, "g": rng.integers(1, 4, n)})


def test_data_and_priors() -> None:
    d = ordinal_data()
    sd = bp.make_standata("y | thres(4) ~ x", d, "cumulative")
    assert sd["nthres"] == 4 and sd["Y"].max() == 4
    p = bp.get_prior("y | thres(5) ~ x", d, "acat")
    assert list(p[p["class"] == "Intercept"]["coef"]) == ["", "1", "2", "3", "4", "5"]
    stanli.stan_to_mir(bp.make_stancode("y | thres(5) ~ x", d, "acat"))


def test_refusals() -> None:
    d = ordinal_data()
    with pytest.raises(DataError, match="Number of thresholds is smaller than required by the response"):
        bp.make_standata("y | thres(2) ~ x", d, "cumulative")
    with pytest.raises(FormulaError, match="positive integer"):
        bp.make_standata("y | thres(2.5) ~ x", d, "cumulative")


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm("y | thres(4) ~ x", ordinal_data(), "cumulative", chains=2, iter=800, seed=2, refresh=0)


def test_recovery(fit) -> None:
    assert_recovers(fit.draws_dict, {"b_x": B, **{f"b_Intercept[{k + 1}]": THRES[k] for k in range(3)}})
    # the fourth threshold lies above the third: only its ordering and prior inform it
    assert (np.asarray(fit.draws_dict["b_Intercept[4]"]) > np.asarray(fit.draws_dict["b_Intercept[3]"])).all()


def test_loglik_matches_stan(fit) -> None:
    assert_loglik_matches_stan(fit)


def test_predictions_have_k_plus_one_categories(fit) -> None:
    ep = bp.posterior_epred(fit, ndraws=50)
    assert ep.shape == (50, 400, 5)
    np.testing.assert_allclose(ep.sum(axis=2), 1.0)
    pp = bp.posterior_predict(fit, ndraws=20, seed=1)
    assert set(np.unique(pp)) <= {1, 2, 3, 4, 5}
