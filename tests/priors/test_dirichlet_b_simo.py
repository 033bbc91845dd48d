"""Dirichlet priors as brms 2.18: on monotonic simplexes (class ``simo``) in interactions and with ``mo(x, id =)``,
and on class ``b`` (brms's test-suite cases [135], [139], [300]; issue 21).

brms names the sp terms from their own formula (``y * mo(x1) * mo(x2)`` gives ``mox1:y``, simplex ``mox1:y1``), a
``mo(x, id = "v")`` simplex takes its prior by the id (``coef = "v"``), and a ``dirichlet()`` prior on class ``b``
makes the coefficients one ``simplex[K] b`` (brms writes the prior text into Stan, so the concentrations are a Stan
vector, ``dirichlet([1,2]')``). Stan data and prior tables against brms: tests/package/test_brms_reference.py
(cases ``prior_mo_simo_*``, ``prior_b_dirichlet*``); here golden code, refusals with brms's reasons, recovery of
a simplex of coefficients and the numpy log-likelihood against Stan's density.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.core.errors import PriorError
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers


def mo_data(n: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(27)
    return pd.DataFrame({"y": rng.poisson(10, n).astype(float), "x1": np.tile([1, 2, 3, 4], n // 4),
                         "x2": pd.Categorical(np.tile(["a", "b", "c"], n // 3), categories=["a", "b", "c"], ordered=True),
                         "z": rng.normal(size=n)})


def test_mo_interaction_names_and_priors() -> None:
    d = mo_data()
    p = bp.get_prior("y ~ z * mo(x1) * mo(x2)", d)
    assert list(p[p["class"] == "simo"]["coef"]) == ["mox1:mox2:z1", "mox1:mox2:z2", "mox1:mox21", "mox1:mox22",
                                                     "mox1:z1", "mox11", "mox2:z1", "mox21"]  # brms 2.18's names
    assert "mox1:z" in set(p["coef"]) and "z:mox1" not in set(p["coef"])
    prior = [bp.prior("dirichlet(c(1, 0.5, 2))", "simo", coef="mox11"), bp.prior("dirichlet(c(3, 1))", "simo", coef="mox21")]
    sd = bp.make_standata("y ~ z * mo(x1) * mo(x2)", d, prior=prior)
    np.testing.assert_array_equal(sd["con_simo_1"], [1, 0.5, 2])
    np.testing.assert_array_equal(sd["con_simo_2"], [3, 1])
    # brms's case [135]: three concentrations for the 2-element simplex of mo(x2); brms's make_standata refuses
    with pytest.raises(PriorError, match="Invalid Dirichlet prior .* expected 1 or 2 concentration values"):
        bp.make_stancode("y ~ z * mo(x1) * mo(x2)", d, prior=bp.prior("dirichlet(c(1, 0.5, 2))", "simo", coef="mox21"))


def test_mo_id_prior(update_golden: bool) -> None:
    d = mo_data()
    f = "y ~ z * mo(x1, id = 'v') * mo(x2, id = 'w')"
    p = bp.get_prior(f, d)
    assert list(p[p["class"] == "simo"]["coef"]) == ["v", "w"]  # brms: one row per id
    prior = [bp.prior("dirichlet(c(1, 0.5, 2))", "simo", coef="v"), bp.prior("dirichlet(c(1, 2))", "simo", coef="w")]
    code = bp.make_stancode(f, d, prior=prior)
    assert_golden("mo_simo_id_prior", code, update_golden)
    sd = bp.make_standata(f, d, prior=prior)
    np.testing.assert_array_equal(sd["con_simo_1"], [1, 0.5, 2])
    np.testing.assert_array_equal(sd["con_simo_2"], [1, 2])
    assert "con_simo_3" not in sd and "simo_3 = simo_1" in code
    # each product with its own covariates (brms 2.18 swaps them: README "Differences from brms")
    assert "bsp[5] * mo(simo_5, Xmo_5) .* mo(simo_6, Xmo_6) + bsp[6] * mo(simo_7, Xmo_7) .* mo(simo_8, Xmo_8) .* Csp_3" in code
    np.testing.assert_array_equal(sd["Csp_3"], d["z"].to_numpy())
    assert "Csp_4" not in sd
    with pytest.raises(PriorError, match="Invalid Dirichlet prior"):  # brms's case [139]: w has 2 elements
        bp.make_stancode(f, d, prior=[prior[0], bp.prior("dirichlet(c(1,0.5,2))", "simo", coef="w")])


B = np.array([0.3, 0.7])


def simplex_data(n: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    return pd.DataFrame({"y": 1 + B[0] * x1 + B[1] * x2 + rng.normal(0, 0.3, n), "x1": x1, "x2": x2})


def test_b_dirichlet_code_and_refusals(update_golden: bool) -> None:
    d = simplex_data(20)
    code = bp.make_stancode("y ~ x1 + x2", d, prior=bp.prior("dirichlet([1,2]')", "b"))
    assert_golden("prior_b_dirichlet", code, update_golden)
    assert "simplex[Kc] b;" in code and "lprior += dirichlet_lpdf(b | prior_b_alpha);" in code
    np.testing.assert_array_equal(bp.make_standata("y ~ x1 + x2", d, prior=bp.prior("dirichlet([1,2]')", "b"))["prior_b_alpha"], [1, 2])
    with pytest.raises(PriorError, match="must be a Stan vector"):  # brms writes c(...) into Stan: stanc rejects it
        bp.prior("dirichlet(c(1, 2))", "b")
    with pytest.raises(PriorError, match="without coef, lb or ub"):
        bp.prior("dirichlet([1,2]')", "b", coef="x1")
    with pytest.raises(PriorError, match="not valid"):  # brms evaluates theta's concentrations in R
        bp.prior("dirichlet([1,2]')", "theta")
    with pytest.raises(PriorError, match="expected 1 or 3 concentration values"):
        bp.make_stancode("y ~ x1 + x2 + x1:x2", d, prior=bp.prior("dirichlet([1,2]')", "b"))


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm("y ~ x1 + x2", simplex_data(), prior=bp.prior("dirichlet([1,1]')", "b"), chains=2, iter=400,
                      seed=4, refresh=0, sample_prior="yes")


def test_b_simplex_recovery_and_loglik(fit) -> None:
    draws = fit.draws_dict
    np.testing.assert_allclose(draws["b_x1"] + draws["b_x2"], 1.0, atol=1e-10)  # a simplex
    assert draws["b_x1"].std() < 0.05
    assert_recovers(draws, {"b_x1": B[0], "b_x2": B[1], "b_Intercept": 1.0})
    assert_loglik_matches_stan(fit)
    prior_b = draws["prior_b_x1"] + draws["prior_b_x2"]  # prior draws: a simplex too
    np.testing.assert_allclose(prior_b, 1.0)
