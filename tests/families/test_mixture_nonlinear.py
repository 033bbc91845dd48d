"""Non-linear formulas in mixtures, as brms 2.18.

``bf(y ~ a1 * exp(b1 * x), a1 ~ 1, b1 ~ 1, nl = TRUE)`` with a mixture gives every ``mu<k>`` that formula
with the same non-linear parameters (covariates ``C_mu1_1``, ``C_mu2_1``, as brms's data);
``nlf(mu2 ~ a2 * exp(b2 * x))`` gives one component its own.  Golden program that stanc accepts,
numpy log-likelihood equal to Stan's density, names, predictions, and recovery of a linear and a
non-linear component.  (brms 2.18 also declares an unused, unbounded ``ordered_Intercept`` when
``order = 'mu'`` meets a non-linear ``mu``; brmspy uses ``order = 'none'`` there: README
"Differences from brms".)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

NL_PRIORS = [bp.prior("normal(0, 1)", nlpar="a1"), bp.prior("normal(0, 1)", nlpar="b1")]


def _data(n: int = 40, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"y": rng.normal(size=n), "x": rng.normal(size=n)})


def test_golden_and_stanc(update_golden: bool) -> None:
    f = bp.bf("y ~ a1 * exp(b1 * x)", "a1 ~ 1", "b1 ~ 1", nl=True)
    code = bp.make_stancode(f, _data(), bp.mixture("gaussian", "gaussian"), prior=NL_PRIORS)
    assert_golden("mixture_nonlinear", code, update_golden)
    assert "mu2[n] = nlp_a1[n] * exp(nlp_b1[n] * C_mu2_1[n]);" in code
    assert "ordered_Intercept" not in code
    data = bp.make_standata(f, _data(), bp.mixture("gaussian", "gaussian"), prior=NL_PRIORS)
    np.testing.assert_array_equal(data["C_mu1_1"], _data()["x"].to_numpy())


def test_nlf_every_component_order_mu(update_golden: bool) -> None:
    """brms's test-suite case [242]: nlf() for every mu<k> of a same-family mixture (default order = 'mu')
    builds with order = 'none' (no intercepts to order); nlf() for only some mu<k> is refused."""
    d = _data().assign(y=np.arange(1, 41) / 4)
    f = bp.bf("y ~ 1", family=bp.mixture("gaussian", nmix=2)) + bp.nlf("mu1 ~ eta^2") + bp.nlf("mu2 ~ log(eta) + a") \
        + bp.lf("eta ~ x", "a ~ x")
    code = bp.make_stancode(f, d, prior=[bp.prior("normal(0, 1)", nlpar="eta"), bp.prior("normal(0, 1)", nlpar="a")])
    assert_golden("mixture_nlf_every_mu", code, update_golden)
    assert "ordered_Intercept" not in code and "mu2[n] = log(nlp_eta[n]) + nlp_a[n];" in code
    with pytest.raises(bp.FormulaError, match="order = 'mu' with non-linear mu2"):
        bp.make_stancode(bp.bf("y ~ x", family=bp.mixture("gaussian", nmix=2)) + bp.nlf("mu2 ~ exp(eta)") + bp.lf("eta ~ x"),
                         d, prior=bp.prior("normal(0, 1)", nlpar="eta"))


def test_refusals() -> None:
    # ordinal components take non-linear formulas (tests/families/test_mixture_ordinal_nonlinear.py); brms's
    # refusal of flat priors on the nlpars holds there too
    with pytest.raises(bp.PriorError, match="Priors on population-level coefficients are required in non-linear"):
        bp.make_stancode(bp.bf("y ~ a1 * x", "a1 ~ 1", nl=True), _data().assign(y=[1, 2, 3, 4] * 10),
                         bp.mixture("cumulative", "cumulative"))


@pytest.fixture(scope="module")
def fit_nl():
    rng = np.random.default_rng(8)
    n = 400
    x = rng.uniform(-1, 1, size=n)
    comp1 = rng.uniform(size=n) < 0.5
    y = np.where(comp1, rng.normal(-3.0, 0.5, n), rng.normal(2.0 * np.exp(0.8 * x), 0.5))
    f = bp.bf("y ~ 1", bp.nlf("mu2 ~ a2 * exp(b2 * x)"), "a2 ~ 1", "b2 ~ 1")
    priors = [bp.prior("normal(0, 5)", nlpar="a2"), bp.prior("normal(0, 2)", nlpar="b2")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(f, pd.DataFrame({"y": y, "x": x}), bp.mixture("gaussian", "gaussian", order="none"),
                      prior=priors, chains=2, iter=600, seed=3, refresh=0, init=0)


def test_loglik_names_predictions_and_recovery(fit_nl):
    assert_loglik_matches_stan(fit_nl)
    d = fit_nl.draws()
    truth = {"b_mu1_Intercept": -3.0, "b_a2_Intercept": 2.0, "b_b2_Intercept": 0.8, "sigma1": 0.5, "sigma2": 0.5,
             "theta1": 0.5}
    assert_recovers({k: d[k].to_numpy() for k in truth}, truth)
    ep = fit_nl.posterior_epred(newdata=pd.DataFrame({"x": [0.0]}))
    # E[y | x = 0] = theta1 * b_mu1_Intercept + theta2 * a2
    expect = d["theta1"] * d["b_mu1_Intercept"] + d["theta2"] * d["b_a2_Intercept"]
    np.testing.assert_allclose(ep[:, 0], expect.to_numpy(), rtol=1e-10)
    assert fit_nl.posterior_predict().shape[1] == 400
