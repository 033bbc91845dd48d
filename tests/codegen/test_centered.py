"""Centered parameterization of group-level effects (issue 7: fewer leapfrog steps for large groups).

``centered=True`` samples ``r`` directly with prior ``normal(0, sd)`` (multi_normal with
correlations) instead of brms's standardized ``z``. The posterior must be the same.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.core.errors import BrmsError
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_same_posterior


@pytest.fixture(scope="module")
def pois() -> pd.DataFrame:
    rng = np.random.default_rng(8)
    n, G = 1200, 10  # 120 rows per level: "auto" centers
    g = rng.integers(0, G, n)
    x = rng.normal(size=n)
    u = rng.normal(0, 0.5, (G, 2))
    y = rng.poisson(np.exp(0.5 + u[g, 0] + (0.3 + 0.4 * u[g, 1]) * x))
    return pd.DataFrame({"y": y, "x": x, "g": g, "h": g % 2})


def _code(formula, data, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.make_stancode(formula, data, family="poisson", reduce=False, **kw)


@pytest.mark.parametrize("formula, name", [("y ~ x + (x | g)", "centered_cor"), ("y ~ x + (x || g)", "centered_uncor")])
def test_golden_and_stanc(pois, formula, name, update_golden):
    code = _code(formula, pois, centered=True)
    stanli.stan_to_mir(code)
    assert "z_1" not in code and "(centered parameterization)" in code
    assert_golden(name, code, update_golden)


def test_auto_choice(pois):
    assert "centered parameterization" in _code("y ~ x + (1 | g)", pois)  # default "auto": 120 rows per level
    assert "z_1" in _code("y ~ x + (1 | g)", pois, centered=False)  # brms's z when asked
    assert "z_1" in _code("y ~ x + (1 | g)", pois.iloc[:500], centered="auto")  # 50 rows per level: brms's z
    sleep = bp.datasets.load("sleepstudy")
    assert "z_1" in bp.make_stancode("Reaction ~ Days + (Days | Subject)", sleep)  # 10 rows per level
    # by-groups keep brms's parameterization
    assert "z_1" in _code("y ~ x + (1 | gr(g, by = h))", pois, centered=True)
    with pytest.raises(BrmsError, match="centered must be"):
        _code("y ~ x + (1 | g)", pois, centered="yes")


@pytest.fixture(scope="module")
def fits(pois):
    kw = dict(data=pois, family="poisson", seed=3, refresh=0, chains=2, iter=1000, reduce=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return (bp.brm("y ~ x + (x | g)", centered=True, **kw), bp.brm("y ~ x + (x | g)", centered=False, **kw))


def test_same_posterior_as_noncentered(fits):
    cen, non = fits
    assert "z_1" not in cen.stancode() and "z_1" in non.stancode()
    assert_same_posterior(cen, non, ["b_Intercept", "b_x", "sd_g__Intercept", "sd_g__x", "cor_g__Intercept__x",
                                     "r_g[3,Intercept]", "r_g[7,x]"])


def test_loglik_and_ranef_of_centered_fit(fits):
    cen, _ = fits
    assert_loglik_matches_stan(cen)
    assert cen.ranef()["g"].shape[0] == 10
