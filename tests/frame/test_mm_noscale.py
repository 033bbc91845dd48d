"""Multi-membership weights used as given: ``(1 | mm(g1, g2, weights = cbind(w1, w2), scale = FALSE))``.

brms scales the weights of each row to sum to 1 unless ``scale = FALSE``; then ``W_<k>_<m>`` are the
columns themselves, on the model data and on new data. Stan data, numpy log-likelihood equal to
Stan's, recovery of simulated truth and predictions on new data.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.core.errors import FormulaError
from tests.checks import assert_loglik_matches_stan, assert_recovers

SD, B = 0.8, 0.5
FORMULA = "y ~ x + (1 | mm(g1, g2, weights = cbind(w1, w2), scale = FALSE))"


def mm_data(n: int = 400, levels: int = 20, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    r = rng.normal(0, SD, levels)
    g1 = rng.integers(0, levels, n)
    g2 = (g1 + rng.integers(1, levels, n)) % levels
    w1, w2 = rng.uniform(0.2, 1.5, n), rng.uniform(0.2, 1.5, n)
    x = rng.normal(size=n)
    y = 1 + B * x + w1 * r[g1] + w2 * r[g2] + rng.normal(0, 0.3, n)  # weights not scaled
    names = np.array([f"L{i:02d}" for i in range(levels)])
    return pd.DataFrame({"y": y, "x": x, "g1": names[g1], "g2": names[g2], "w1": w1, "w2": w2})


def test_weights_as_given() -> None:
    d = mm_data()
    sd = bp.make_standata(FORMULA, d)
    np.testing.assert_array_equal(sd["W_1_1"], d["w1"].to_numpy())
    np.testing.assert_array_equal(sd["W_1_2"], d["w2"].to_numpy())
    scaled = bp.make_standata(FORMULA.replace(", scale = FALSE", ""), d)
    np.testing.assert_allclose(scaled["W_1_1"], d["w1"] / (d["w1"] + d["w2"]))
    none = bp.make_standata("y ~ x + (1 | mm(g1, g2, scale = FALSE))", d)
    np.testing.assert_array_equal(none["W_1_1"], np.full(len(d), 0.5))


def test_bad_scale_refused() -> None:
    with pytest.raises(FormulaError, match="TRUE or FALSE"):
        bp.make_stancode("y ~ x + (1 | mm(g1, g2, scale = maybe))", mm_data())


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(FORMULA, mm_data(), chains=2, iter=800, seed=3, refresh=0)


def test_recovery(fit) -> None:
    assert_recovers(fit.draws_dict, {"b_x": B, "sd_mmg1g2__Intercept": SD, "sigma": 0.3})


def test_loglik_matches_stan(fit) -> None:
    assert_loglik_matches_stan(fit)


def test_new_data_weights_unscaled(fit) -> None:
    new = pd.DataFrame({"x": [0.0, 0.0], "g1": ["L00", "L00"], "g2": ["L01", "L01"], "w1": [1.0, 2.0], "w2": [1.0, 2.0]})
    ep = bp.posterior_epred(fit, newdata=new)
    d = {k: np.asarray(v).ravel() for k, v in fit.draws_dict.items()}
    r0, r1, icpt = d["r_mmg1g2[L00,Intercept]"], d["r_mmg1g2[L01,Intercept]"], d["b_Intercept"]
    np.testing.assert_allclose(ep[:, 0], icpt + r0 + r1)
    np.testing.assert_allclose(ep[:, 1], icpt + 2 * (r0 + r1))
