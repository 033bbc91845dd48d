"""bf()'s and lf()'s ``center``, ``cmc``, ``sparse`` and ``decomp`` with mixtures and non-linear formulas.

As brms 2.18: bf()'s options apply to every ``mu<k>`` of a mixture's main formula, lf()'s to their own
formula (``lf(mu2 ~ x, decomp = "QR")``, ``lf(sigma2 ~ x, center = FALSE)``); with a non-linear main
formula brms ignores bf()'s options; ``lf(a ~ x, decomp = "QR")`` decomposes the non-linear parameter's
uncentred design (intercept column included): ``XQ_a * bQ_a``, ``b_a = XR_inv_a * bQ_a``.  Ordering the
mixture by intercepts (``order = "mu"``) with ``center = FALSE`` is brms's error.
Golden code accepted by stanc, numpy log-likelihoods equal to Stan's, brms's names, recovery.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

PRIOR_NL = bp.prior("normal(0, 2)", nlpar="a") + bp.prior("normal(0, 2)", nlpar="b")


def _data(n: int = 300, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x, z = rng.normal(size=n), rng.normal(size=n)
    comp = rng.uniform(size=n) < 0.4
    y_mix = np.where(comp, -2.0 + 0.8 * x - 0.5 * z + rng.normal(0, 0.5, n), 2.0 - 0.6 * x + 0.4 * z + rng.normal(0, 0.7, n))
    a = 1.5 + 0.5 * x - 0.3 * z  # the nlpar a of y = a * exp(b * t), b = -0.4
    t = rng.uniform(0, 3, n)
    y_nl = a * np.exp(-0.4 * t) + rng.normal(0, 0.3, n)
    yord = 1 + (rng.logistic(size=n) + np.where(comp, -1.5, 1.5) + 0.7 * x > np.array([[-1.0], [0.5], [2.0]])).sum(axis=0)
    return pd.DataFrame({"y": y_mix, "x": x, "z": z, "t": t, "ynl": y_nl, "yord": yord,
                         "f": pd.Categorical(rng.choice(["a", "b", "c"], n))})


CASES = {
    "opt_mix_qr": (bp.bf("y ~ x + z", decomp="QR"), bp.mixture("gaussian", "gaussian"), None),
    "opt_mix_lf_qr_mu2": (bp.bf("y ~ x") + bp.lf("mu2 ~ x + z", decomp="QR") + bp.lf("sigma2 ~ x", center=False),
                          bp.mixture("gaussian", "gaussian"), None),
    "opt_mix_center_false_cumulative": (bp.bf("yord ~ x + z", center=False), bp.mixture("cumulative", "cumulative"), None),
    "opt_mix_sparse": (bp.bf("y ~ x + f", sparse=True), bp.mixture("gaussian", "gaussian", order="none"), None),
    "opt_lf_qr_nlpar": (bp.bf("ynl ~ a * exp(b * t)", nl=True) + bp.lf("a ~ x + z", decomp="QR") + bp.lf("b ~ 1"),
                        "gaussian", PRIOR_NL),
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_code_and_stanc(name: str, update_golden: bool) -> None:
    formula, family, prior = CASES[name]
    code = bp.make_stancode(formula, _data(n=60), family, prior)
    assert_golden(name, code, update_golden)


def test_brms_lines() -> None:
    d = _data(n=60)
    code = bp.make_stancode(CASES["opt_mix_qr"][0], d, CASES["opt_mix_qr"][1])
    assert "mu1 += Intercept_mu1 + XQ_mu1 * bQ_mu1;" in code and "mu2 += Intercept_mu2 + XQ_mu2 * bQ_mu2;" in code
    assert "vector[Kc_mu2] b_mu2 = XR_inv_mu2 * bQ_mu2;" in code
    code = bp.make_stancode(CASES["opt_lf_qr_nlpar"][0], d, "gaussian", PRIOR_NL)
    assert "nlp_a += XQ_a * bQ_a;" in code and "vector[K_a] b_a = XR_inv_a * bQ_a;" in code
    assert "lprior += normal_lpdf(bQ_a |" in code  # brms: b's prior on the QR-scale coefficients
    code = bp.make_stancode(CASES["opt_mix_center_false_cumulative"][0], d, CASES["opt_mix_center_false_cumulative"][1])
    # the thresholds stay, the other columns are not centred (as a single ordinal family's center = FALSE)
    assert "mu1 += Xc_mu1 * b_mu1;" in code and "ordered[nthres] Intercept_mu1;" in code and "means_X_mu1" not in code


def test_nonlinear_main_formula_ignores_bf_options() -> None:
    d = _data(n=60)
    plain = bp.make_stancode(bp.bf("ynl ~ a * exp(b * t)", "a ~ x + z", "b ~ 1", nl=True), d, prior=PRIOR_NL)
    for opts in ({"decomp": "QR"}, {"center": False, "cmc": False}, {"sparse": True}):
        f = bp.bf("ynl ~ a * exp(b * t)", "a ~ x + z", "b ~ 1", nl=True, **opts)
        assert bp.make_stancode(f, d, prior=PRIOR_NL) == plain, opts


def test_ordered_mixture_needs_intercepts() -> None:
    d = _data(n=60)
    for opts in ({"center": False}, {"sparse": True}):
        with pytest.raises(bp.FormulaError, match="Identifying mixture components via ordering requires population-level"):
            bp.make_stancode(bp.bf("y ~ x", **opts), d, bp.mixture("gaussian", "gaussian"))


def _fit(formula, data, family, prior=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(formula, data, family, prior=prior, seed=4, refresh=0, iter=600, chains=2, init=0)


@pytest.fixture(scope="module")
def fit_mix_qr():
    # proper intercept priors: with brms's student_t(3, ...) an empty component may drift off (theta -> 0)
    prior = bp.prior("normal(0, 5)", "Intercept", dpar="mu1") + bp.prior("normal(0, 5)", "Intercept", dpar="mu2")
    return _fit(bp.bf("y ~ x + z", decomp="QR"), _data(), bp.mixture("gaussian", "gaussian"), prior)


@pytest.fixture(scope="module")
def fit_nl_qr():
    return _fit(CASES["opt_lf_qr_nlpar"][0], _data(), "gaussian", PRIOR_NL)


@pytest.mark.slow
def test_mixture_qr_names_loglik_predictions(fit_mix_qr) -> None:
    assert {"b_mu1_Intercept", "b_mu1_x", "b_mu1_z", "b_mu2_x", "b_mu2_z", "sigma1", "theta1"} <= set(fit_mix_qr.draws_dict)
    summ = fit_mix_qr.summary()
    assert {"mu1_Intercept", "mu1_x", "mu2_z"} <= set(summ.population.index)
    assert not any("bQ" in n for n in summ.population.index)  # brms reports b, not bQ
    assert_loglik_matches_stan(fit_mix_qr)
    ep, pp = bp.posterior_epred(fit_mix_qr, ndraws=10), bp.posterior_predict(fit_mix_qr, ndraws=10, seed=1)
    assert ep.shape == pp.shape == (10, 300) and np.isfinite(ep).all()
    ep_new = bp.posterior_epred(fit_mix_qr, newdata=_data().iloc[:25])  # all draws: the same ones
    np.testing.assert_allclose(ep_new, bp.posterior_epred(fit_mix_qr)[:, :25], rtol=1e-8)


@pytest.mark.slow
def test_mixture_qr_recovers(fit_mix_qr) -> None:
    assert_recovers(fit_mix_qr.draws_dict, {"b_mu1_Intercept": -2.0, "b_mu1_x": 0.8, "b_mu1_z": -0.5, "b_mu2_Intercept": 2.0,
                                            "b_mu2_x": -0.6, "b_mu2_z": 0.4, "sigma1": 0.5, "sigma2": 0.7, "theta1": 0.4})


@pytest.mark.slow
def test_nlpar_qr_names_loglik_recovery(fit_nl_qr) -> None:
    draws = fit_nl_qr.draws_dict
    assert {"b_a_Intercept", "b_a_x", "b_a_z", "b_b_Intercept", "sigma"} <= set(draws)
    assert_loglik_matches_stan(fit_nl_qr)
    ll = bp.log_lik(fit_nl_qr, ndraws=10)
    assert ll.shape == (10, 300) and np.isfinite(ll).all()
    # new data: b_a (from bQ_a) times the original-scale design, the same values as for the fitted rows
    ep = bp.posterior_epred(fit_nl_qr)
    ep_new = bp.posterior_epred(fit_nl_qr, newdata=_data().iloc[:25])
    np.testing.assert_allclose(ep_new, ep[:, :25], rtol=1e-8)
    assert_recovers(draws, {"b_a_Intercept": 1.5, "b_a_x": 0.5, "b_a_z": -0.3, "b_b_Intercept": -0.4, "sigma": 0.3})
