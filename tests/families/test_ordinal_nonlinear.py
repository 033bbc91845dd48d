"""Non-linear formulas in ordinal families, as brms 2.18: ``bf(y ~ eta, eta ~ x1, nl = TRUE)`` with ``cumulative()``.

The non-linear formula gives the latent ``mu`` (no inverse link: the link belongs to the ordinal
likelihood); the thresholds ``Intercept`` stay (``b_Intercept[j]``), as brms 2.18 and as brmspy's mixtures
of ordinal families with non-linear formulas (``tests/families/test_mixture_ordinal_nonlinear.py``). brms's
test-suite cases [123] (cumulative) and [134] (hurdle_cumulative, a family of brms 2.21+; brms 2.18 has no
``hurdle_cumulative``). Golden code accepted by stanc, brms's lines, the numpy log-likelihood equal to
Stan's, predictions and recovery. (Stan data and priors against brms 2.18: ``nl_cumulative``,
``nl_cumulative_group``, ``nl_sratio_disc``, ``nl_acat_probit`` in ``tests/package/test_brms_reference.py``.)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

PRIOR = bp.prior("normal(0, 2)", nlpar="a") + bp.prior("normal(0, 2)", nlpar="b")
# latent mu = 1.5 * x - 1 * z with thresholds (-1, 0.5, 2)
TRUTH = {"b_a_Intercept": 1.5, "b_b_Intercept": -1.0, "b_Intercept[1]": -1.0, "b_Intercept[2]": 0.5,
         "b_Intercept[3]": 2.0}


def _data(n: int = 500, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x, z = rng.normal(size=n), rng.normal(size=n)
    eta = 1.5 * x - 1.0 * z
    y = 1 + (rng.logistic(size=n)[:, None] + eta[:, None] > np.array([-1.0, 0.5, 2.0])).sum(axis=1)
    return pd.DataFrame({"y": y, "y0": y - 1, "x": x, "z": z, "g": np.arange(n) % 5})


CASES = {
    "nl_cumulative": (bp.bf("y ~ a * x + b * z", "a ~ 1", "b ~ 1", nl=True), "cumulative", PRIOR),
    "nl_cumulative_group_probit": (bp.bf("y ~ a * exp(b * x)", "a ~ 1 + (1 | g)", "b ~ z", nl=True),
                                   bp.cumulative("probit"), PRIOR),
    "nl_sratio_disc": (bp.bf("y ~ a * x", "a ~ 1 + z", "disc ~ z", nl=True), "sratio", bp.prior("normal(0, 2)", nlpar="a")),
    "nl_hurdle_cumulative": (bp.bf("y0 ~ a * x", "a ~ 1", "hu ~ z", nl=True), "hurdle_cumulative",
                             bp.prior("normal(0, 2)", nlpar="a")),
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_code_and_stanc(name: str, update_golden: bool) -> None:
    formula, family, prior = CASES[name]
    code = bp.make_stancode(formula, _data(n=40), family, prior)
    assert_golden(name, code, update_golden)
    stanli.stan_to_mir(code)


def test_brms_lines() -> None:
    d = pd.DataFrame({"y": [1, 2, 3, 4, 1, 2, 3, 4, 1, 1], "x1": np.linspace(-1, 1, 10)})
    code = bp.make_stancode(bp.bf("y ~ eta", "eta ~ x1", nl=True), d, "cumulative", bp.prior("normal(0, 2)", nlpar="eta"))
    # brms 2.18's program (its test-suite case [123])
    for line in ("ordered[nthres] Intercept;", "mu[n] = nlp_eta[n];", "nlp_eta += X_eta * b_eta;",
                 "target += ordered_logistic_lpmf(Y[n] | mu[n], Intercept);", "vector[nthres] b_Intercept = Intercept;"):
        assert line in code, line
    formula, family, prior = CASES["nl_sratio_disc"]
    code = bp.make_stancode(formula, _data(n=40), family, prior)
    assert "mu[n] = nlp_a[n] * C_1[n];" in code and "sratio_logit_lpmf(Y[n] | mu[n], disc[n], Intercept)" in code


@pytest.fixture(scope="module")
def fit():
    formula, family, prior = CASES["nl_cumulative"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(formula, _data(), family, prior=prior, seed=5, refresh=0, iter=600, chains=2)


@pytest.mark.slow
def test_loglik_predictions(fit) -> None:
    assert_loglik_matches_stan(fit)
    ep = bp.posterior_epred(fit, ndraws=10)
    assert ep.shape == (10, 500, 4) and np.allclose(ep.sum(axis=-1), 1.0)
    # numpy: cumulative-logit probabilities of mu = a * x + b * z at one draw
    dd = {k: np.asarray(v).ravel() for k, v in fit.draws_dict.items()}
    d, i = _data(), 3
    mu = dd["b_a_Intercept"][i] * d["x"].to_numpy() + dd["b_b_Intercept"][i] * d["z"].to_numpy()
    th = np.array([dd[f"b_Intercept[{j}]"][i] for j in (1, 2, 3)])
    c = 1 / (1 + np.exp(-(th[None, :] - mu[:, None])))
    p = np.diff(np.concatenate([np.zeros((len(mu), 1)), c, np.ones((len(mu), 1))], axis=1), axis=1)
    ep_all = bp.posterior_epred(fit)
    np.testing.assert_allclose(ep_all[i], p, rtol=1e-10)
    np.testing.assert_allclose(bp.posterior_epred(fit, newdata=d.iloc[:20]), ep_all[:, :20], rtol=1e-10)
    pp = bp.posterior_predict(fit, ndraws=10, seed=2)
    assert pp.shape == (10, 500) and set(np.unique(pp)) <= {1, 2, 3, 4}


@pytest.mark.slow
def test_recovery(fit) -> None:
    assert_recovers(fit.draws_dict, TRUTH)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["nl_sratio_disc", "nl_hurdle_cumulative"])
def test_loglik_other_ordinal_families(name: str) -> None:
    formula, family, prior = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = bp.brm(formula, _data(n=120), family, prior=prior, seed=3, refresh=0, iter=300, chains=1)
    assert_loglik_matches_stan(f)
