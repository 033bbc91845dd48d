"""Factor covariates in non-linear formulas, as brms 2.18 (its ``data_cnl``): ``bf(visit ~ a * Trt ^ b, ...)``.

A factor (categorical or string column) with two levels becomes brms's ``model.matrix(~ Trt)`` column
without intercept: 1 for the second level, 0 for the first (levels in the model data's order, unused
ones dropped); logicals are 0/1; a factor with more (or fewer) levels is refused with brms's reason.
New data are coded with the model's levels. brms's test-suite case [303]. (Against brms 2.18:
``nl_factor_covariate``, ``nl_string_logical_covariates``, ``refuse_nl_factor3_covariate`` in
``tests/package/test_brms_reference.py``.)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.core.errors import DataError
from tests.checks import assert_loglik_matches_stan, assert_recovers

PRIOR = bp.prior("normal(0, 2)", nlpar="a") + bp.prior("normal(0, 2)", nlpar="b")
FORMULA = bp.bf("y ~ a + b * trt", "a ~ 1", "b ~ 1", nl=True)


def _data(n: int = 200, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    trt = rng.choice(["placebo", "drug"], n)
    y = 1.0 - 2.0 * (trt == "placebo") + rng.normal(0, 0.5, n)  # 'drug' < 'placebo': placebo is the 1
    return pd.DataFrame({"y": y, "trt": trt, "lgl": trt == "drug",
                         "fct": pd.Categorical(trt, categories=["placebo", "unused", "drug"]), "f3": rng.choice(list("abc"), n)})


def test_coding_as_brms() -> None:
    d = _data(n=12)
    c = bp.make_standata(FORMULA, d, prior=PRIOR)["C_1"]
    np.testing.assert_array_equal(c, (d["trt"] == "placebo").astype(float))  # second of the sorted levels
    f = bp.bf("y ~ a + b * fct", "a ~ 1", "b ~ 1", nl=True)  # a categorical's order, unused level dropped
    np.testing.assert_array_equal(bp.make_standata(f, d, prior=PRIOR)["C_1"], (d["trt"] == "drug").astype(float))
    f = bp.bf("y ~ a + b * lgl", "a ~ 1", "b ~ 1", nl=True)
    np.testing.assert_array_equal(bp.make_standata(f, d, prior=PRIOR)["C_1"], d["lgl"].astype(float))


@pytest.mark.parametrize("column, levels", [("f3", 3), ("one", 1)])
def test_refused_unless_two_levels(column: str, levels: int) -> None:
    d = _data(n=12).assign(one="x")
    f = bp.bf(f"y ~ a + b * {column}", "a ~ 1", "b ~ 1", nl=True)
    with pytest.raises(DataError, match=rf"Covariate '{column}' .* factor with {levels} level.*exactly two levels"):
        bp.make_standata(f, d, prior=PRIOR)


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(FORMULA, _data(), prior=PRIOR, seed=4, refresh=0, iter=600, chains=2)


@pytest.mark.slow
def test_loglik_recovery_newdata(fit) -> None:
    assert_loglik_matches_stan(fit)
    assert_recovers(fit.draws_dict, {"b_a_Intercept": 1.0, "b_b_Intercept": -2.0, "sigma": 0.5})
    new = pd.DataFrame({"trt": ["placebo", "placebo"]})  # one level only: coded with the model's levels
    ep = bp.posterior_epred(fit, newdata=new)
    dd = {k: np.asarray(v).ravel() for k, v in fit.draws_dict.items()}
    np.testing.assert_allclose(ep[:, 0], dd["b_a_Intercept"] + dd["b_b_Intercept"], rtol=1e-10)
    with pytest.raises(DataError, match="level.*'other'"):
        bp.posterior_epred(fit, newdata=pd.DataFrame({"trt": ["other"]}))
