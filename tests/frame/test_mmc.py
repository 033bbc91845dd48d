"""Multi-membership covariates ``(1 + mmc(w1, w2) | mm(g1, g2))`` (brms testsuite [197]).

Each member of an ``mm()`` term has its own value of the covariate: brms's data ``Z_<id>_<j>_<m>``
(one column per member) and ``W_1_1 .* r_1_2[J_1_1] .* Z_1_2_1 + W_1_2 .* r_1_2[J_1_2] .* Z_1_2_2``.
Golden code accepted by stanc, brms's data, numpy log-likelihood equal to Stan's, predictions on
new rows equal to the fitted ones, and recovery of the varying slope's sd.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

G, N = 30, 400
SD0, SD1, SIGMA = 0.6, 0.8, 0.3
FORMULA = "y ~ 1 + (1 + mmc(w1, w2) | mm(g1, g2))"


def sim_data(n: int = N, seed: int = 21) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    r0, r1 = rng.normal(0, SD0, G), rng.normal(0, SD1, G)
    g1, g2 = rng.integers(0, G, n), rng.integers(0, G, n)
    w1, w2 = rng.normal(0, 1.5, n), rng.normal(0, 1.5, n)
    mu = 1.0 + 0.5 * (r0[g1] + r1[g1] * w1) + 0.5 * (r0[g2] + r1[g2] * w2)
    return pd.DataFrame({"y": mu + rng.normal(0, SIGMA, n), "g1": g1, "g2": g2, "w1": w1, "w2": w2})


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(FORMULA, sim_data(), chains=2, iter=800, seed=5, refresh=0)


@pytest.mark.parametrize("name, formula", [
    ("mm_mmc", FORMULA),
    ("mm_mmc_uncor_weights", "y ~ (1 + mmc(w1, w2) || mm(g1, g2, weights = cbind(w1, w2), scale = FALSE))"),
])
def test_golden_and_stanc(name, formula, update_golden):
    assert_golden(name, bp.make_stancode(formula, sim_data(40)), update_golden)


def test_data_as_brms():
    df = sim_data(40)
    sd = bp.make_standata(FORMULA, df)
    np.testing.assert_array_equal(sd["Z_1_2_1"], df["w1"])
    np.testing.assert_array_equal(sd["Z_1_2_2"], df["w2"])
    assert "Z_1_2" not in sd and sd["M_1"] == 2
    code = bp.make_stancode(FORMULA, df)
    assert "mu += (W_1_1 .* r_1_2[J_1_1] .* Z_1_2_1 + W_1_2 .* r_1_2[J_1_2] .* Z_1_2_2);" in code
    table = bp.get_prior(FORMULA, df)
    assert "mmcw1w2" in table["coef"].tolist()
    # || puts the mmc() part in its own block, as brms's split_re_terms
    sd2 = bp.make_standata("y ~ (1 + mmc(w1, w2) || mm(g1, g2))", df)
    assert sd2["M_1"] == 1 and sd2["M_2"] == 1 and "Z_2_1_2" in sd2


def test_refusals():
    df = sim_data(40)
    with pytest.raises(bp.FormulaError, match="mmc\\(\\) in .* needs a multi-membership term"):
        bp.make_stancode("y ~ (1 + mmc(w1, w2) | g1)", df)
    with pytest.raises(bp.FormulaError, match="one covariate per member"):
        bp.make_stancode("y ~ (1 + mmc(w1, w2, w1) | mm(g1, g2))", df)
    with pytest.raises(bp.DataError, match="w3"):
        bp.make_stancode("y ~ (1 + mmc(w1, w3) | mm(g1, g2))", df)


def test_recovery(fit):
    assert_recovers(fit.draws_dict, {"sd_mmg1g2__Intercept": SD0, "sd_mmg1g2__mmcw1w2": SD1, "sigma": SIGMA,
                                     "b_Intercept": 1.0})


def test_loglik_matches_stan(fit):
    assert_loglik_matches_stan(fit)


def test_new_rows_use_each_members_covariate(fit):
    df = sim_data()
    new = bp.posterior_epred(fit, newdata=df.iloc[:6])
    np.testing.assert_allclose(new, bp.posterior_epred(fit)[:, :6], rtol=1e-10)
    swapped = df.iloc[:6].assign(w2=df["w2"].iloc[:6] + 1.0)
    assert not np.allclose(bp.posterior_epred(fit, newdata=swapped), new)
