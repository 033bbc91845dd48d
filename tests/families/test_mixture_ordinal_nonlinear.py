"""Non-linear formulas in mixtures of ordinal families, as brms 2.18.

``bf(y ~ a * exp(b * x), a ~ 1, b ~ 1, nl = TRUE)`` with ``mixture(cumulative, cumulative)`` gives every
``mu<k>`` that formula (shared nlpars) on the latent scale, each with its own thresholds
``Intercept_mu<k>`` (``b_mu<k>_Intercept[j]``); ``nlf(mu2 ~ ...)`` gives one component its own formula.
Golden code accepted by stanc, brms's lines, the numpy log-likelihood equal to Stan's density,
predictions, and recovery on simulated data.  (Stan data and priors against brms 2.18:
``mix_cumulative_nl_main``, ``mix_cumulative_nl_mu2``, ``mix_cumulative_nl_theta_disc``, ``mix_sratio_nl_main`` in
``tests/package/test_brms_reference.py``.)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import special

import brmspy as bp
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

PRIOR = bp.prior("normal(0, 2)", nlpar="a") + bp.prior("normal(0, 2)", nlpar="b")
# component 1: the latent mu1 = a * x (a = 2) with thresholds (-1, 0.5, 2); component 2: mu2 = 0, thresholds
# (-2.5, -1.5, -0.5) (mostly high categories); mixed 50:50
TRUTH = {"b_a_Intercept": 2.0, "b_mu1_Intercept[1]": -1.0, "b_mu1_Intercept[2]": 0.5, "b_mu1_Intercept[3]": 2.0,
         "b_mu2_Intercept[1]": -2.5, "b_mu2_Intercept[3]": -0.5}


def _data(n: int = 400, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    comp1 = rng.uniform(size=n) < 0.5
    eta = np.where(comp1, 2.0 * x, 0.0)
    thres = np.where(comp1[:, None], [-1.0, 0.5, 2.0], [-2.5, -1.5, -0.5])
    y = 1 + (rng.logistic(size=n)[:, None] + eta[:, None] > thres).sum(axis=1)
    return pd.DataFrame({"y": y, "x": x, "z": rng.normal(size=n), "g": np.arange(n) % 5})


CASES = {
    "mixture_cumulative_nl_main": (bp.bf("y ~ a * exp(b * x)", "a ~ 1", "b ~ 1", nl=True),
                                   bp.mixture("cumulative", "cumulative"), PRIOR),
    "mixture_cumulative_nl_mu2": (bp.bf("y ~ 1", "a ~ 1", "b ~ z") + bp.nlf("mu2 ~ a * exp(b * x)"),
                                  bp.mixture("cumulative", "cumulative"), PRIOR),
    "mixture_cumulative_nl_theta_disc": (bp.bf("y ~ a * x", "a ~ 1 + z", "theta2 ~ z", "disc2 ~ x", nl=True),
                                         bp.mixture("cumulative", "cumulative"), bp.prior("normal(0, 2)", nlpar="a")),
    "mixture_sratio_nl_group": (bp.bf("y ~ a * x + b * z", "a ~ 1 + (1 | g)", "b ~ 1", nl=True),
                                bp.mixture("sratio", "sratio"), PRIOR),
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_code_and_stanc(name: str, update_golden: bool) -> None:
    formula, family, prior = CASES[name]
    code = bp.make_stancode(formula, _data(n=40), family, prior)
    assert_golden(name, code, update_golden)


def test_brms_lines() -> None:
    formula, family, prior = CASES["mixture_cumulative_nl_main"]
    code = bp.make_stancode(formula, _data(n=40), family, prior)
    # brms 2.18: the non-linear mu<k> without an inverse link, thresholds per component
    assert "mu1[n] = nlp_a[n] * exp(nlp_b[n] * C_mu1_1[n]);" in code
    assert "ps[2] = log(theta2) + ordered_logistic_lpmf(Y[n] | mu2[n], Intercept_mu2);" in code
    assert "ordered[nthres] Intercept_mu1;" in code and "vector[nthres] b_mu1_Intercept = Intercept_mu1;" in code
    formula, family, prior = CASES["mixture_cumulative_nl_mu2"]
    code = bp.make_stancode(formula, _data(n=40), family, prior)
    assert "vector[N] mu1 = rep_vector(0.0, N);" in code and "mu2[n] = nlp_a[n] * exp(nlp_b[n] * C_mu2_1[n]);" in code


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(bp.bf("y ~ 1", "a ~ 1") + bp.nlf("mu1 ~ a * x"), _data(), bp.mixture("cumulative", "cumulative"),
                      prior=bp.prior("normal(0, 2)", nlpar="a"), seed=5, refresh=0, iter=600, chains=2)


@pytest.mark.slow
def test_names_loglik_predictions(fit) -> None:
    assert {"b_a_Intercept", "b_mu1_Intercept[1]", "b_mu2_Intercept[3]", "theta1"} <= set(fit.draws_dict)
    assert_loglik_matches_stan(fit)
    ep = bp.posterior_epred(fit, ndraws=10)
    assert ep.shape == (10, 400, 4) and np.allclose(ep.sum(axis=-1), 1.0)
    pp = bp.posterior_predict(fit, ndraws=10, seed=2)
    assert pp.shape == (10, 400) and set(np.unique(pp)) <= {1, 2, 3, 4}
    # numpy: the mixture of the components' cumulative-logit probabilities at one draw
    dd = {k: np.asarray(v).ravel() for k, v in fit.draws_dict.items()}  # (chains, draws) -> posterior_epred's order
    x, i = _data()["x"].to_numpy(), 0
    th1 = np.array([dd[f"b_mu1_Intercept[{j}]"][i] for j in (1, 2, 3)])
    th2 = np.array([dd[f"b_mu2_Intercept[{j}]"][i] for j in (1, 2, 3)])

    def probs(th, mu):
        c = special.expit(th[None, :] - mu[:, None])
        return np.diff(np.concatenate([np.zeros((len(mu), 1)), c, np.ones((len(mu), 1))], axis=1), axis=1)

    p = dd["theta1"][i] * probs(th1, dd["b_a_Intercept"][i] * x) + dd["theta2"][i] * probs(th2, np.zeros_like(x))
    ep_all = bp.posterior_epred(fit)
    np.testing.assert_allclose(ep_all[i], p, rtol=1e-10)
    ep_new = bp.posterior_epred(fit, newdata=_data().iloc[:20])  # new data: the same non-linear mu1 and thresholds
    np.testing.assert_allclose(ep_new, ep_all[:, :20], rtol=1e-10)


@pytest.mark.slow
def test_recovery(fit) -> None:
    assert_recovers(fit.draws_dict, TRUTH)
