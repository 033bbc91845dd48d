"""offset(): a known term with coefficient 1 on any linear predictor."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from tests.checks import assert_golden, assert_loglik_matches_stan


def exposure_data(n=300, seed=4):
    rng = np.random.default_rng(seed)
    x, t = rng.normal(size=n), rng.uniform(0.5, 5, n)
    g = rng.integers(0, 8, n)
    y = rng.poisson(np.exp(0.3 + 0.5 * x + rng.normal(0, 0.3, 8)[g]) * t)
    return pd.DataFrame({"y": y, "x": x, "t": t, "g": g})


@pytest.fixture(scope="module")
def offset_fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small fit: low-ESS warnings for the group sd are expected
        return bp.brm("y ~ x + offset(log(t)) + (1 | g)", data=exposure_data(), family="poisson", chains=2,
                      iter=1000, seed=5, refresh=0)


@pytest.mark.parametrize("name, formula, family", [
    ("offset_poisson_glm", "y ~ x + offset(log(t))", "poisson"),
    ("offset_gaussian_sigma", bp.bf("y ~ x + offset(t)", "sigma ~ offset(log(t))"), "gaussian"),
])
def test_golden_and_stanc(name, formula, family, update_golden):
    code = bp.make_stancode(formula, data=exposure_data(50), family=family)
    stanli.stan_to_mir(code)
    assert_golden(name, code, update_golden)


def test_recovery_loglik_and_new_exposure(offset_fit):
    draws = offset_fit.draws_dict
    for name, truth in {"b_Intercept": 0.3, "b_x": 0.5}.items():
        x = draws[name].ravel()
        assert abs(x.mean() - truth) < 4 * x.std(), name
    assert_loglik_matches_stan(offset_fit)
    nd = exposure_data().head(4).assign(t=[1.0, 2.0, 4.0, 8.0], x=0.0, g=0)
    ep = bp.posterior_epred(offset_fit, newdata=nd, re_formula=None)
    # with the offset log(t), the expected count is proportional to t
    np.testing.assert_allclose(ep[:, 1:] / ep[:, :1], np.broadcast_to([2.0, 4.0, 8.0], (len(ep), 3)), rtol=1e-10)


def test_offset_errors():
    df = exposure_data(50)
    with pytest.raises(bp.DataError, match="non-finite"), np.errstate(invalid="ignore"):
        bp.make_stancode("y ~ x + offset(log(t - 10))", data=df, family="poisson")
    with pytest.raises(bp.FormulaError, match="offset\\(\\) takes one expression"):
        bp.make_stancode("y ~ x + offset(t, x)", data=df, family="poisson")
