"""Mixtures with wiener components (brms 2.18's ``mixture(wiener, wiener)``, ``mixture(wiener, lognormal)``).

brms builds them: ``dec()`` data once, every wiener component's ``bs<k>``, ``ndt<k>`` (bounded by the
smallest reaction time), ``bias<k>`` and its ``wiener_diffusion_lpdf(Y[n] | dec[n], ...)`` term inside the
mixture's ``log_sum_exp``.  Golden code accepted by stanc, brms's parameter names, the numpy mixture
log-likelihood equal to Stan's density, predictions, and recovery of known values on simulated data.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers
from tests.families.test_wiener import _simulate

# two diffusion processes with opposite drifts, mixed 35:65 (component 1 has the lower drift: order = "mu");
# one non-decision time: brms bounds every ndt<k> by the smallest reaction time of all components
TRUTH = {"b_mu1_Intercept": -1.2, "b_mu2_Intercept": 1.5, "b_mu2_x": 0.5, "bs1": 1.2, "bs2": 1.6,
         "ndt1": 0.25, "ndt2": 0.25, "bias1": 0.5, "bias2": 0.45, "theta1": 0.35}


def _data(n: int = 240, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    comp = np.where(rng.uniform(size=n) < TRUTH["theta1"], 1, 2)
    mu = np.where(comp == 1, TRUTH["b_mu1_Intercept"], TRUTH["b_mu2_Intercept"] + TRUTH["b_mu2_x"] * x)
    dp = {"mu": mu, "bs": np.where(comp == 1, TRUTH["bs1"], TRUTH["bs2"]),
          "ndt": np.where(comp == 1, TRUTH["ndt1"], TRUTH["ndt2"]),
          "bias": np.where(comp == 1, TRUTH["bias1"], TRUTH["bias2"])}
    rt, dec = _simulate(dp, rng)
    return pd.DataFrame({"rt": rt, "dec": dec, "x": x, "g": np.arange(n) % 6})


CASES = {
    "wiener_mixture": (bp.bf("rt | dec(dec) ~ x"), bp.mixture("wiener", "wiener")),
    "wiener_mixture_dpars": (bp.bf("rt | dec(dec) ~ x", "bs2 ~ x", "ndt1 ~ 1", "bias1 ~ x", "theta2 ~ x"),
                             bp.mixture("wiener", "wiener")),
    "wiener_mixture_lognormal": (bp.bf("rt | dec(dec) ~ x + (1 | g)"), bp.mixture("wiener", "lognormal")),
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_code_and_stanc(name: str, update_golden: bool) -> None:
    formula, family = CASES[name]
    code = bp.make_stancode(formula, _data(n=40), family)
    assert_golden(f"fam_{name}", code, update_golden)


def test_brms_likelihood_terms_and_data() -> None:
    d = _data(n=40)
    code = bp.make_stancode("rt | dec(dec) ~ x", d, bp.mixture("wiener", "wiener"))
    # brms 2.18's terms, word for word (two components: in one log_sum_exp, without brms's ps array)
    assert "log(theta1) + wiener_diffusion_lpdf(Y[n] | dec[n], bs1, ndt1, bias1, mu1[n])" in code
    assert "log(theta2) + wiener_diffusion_lpdf(Y[n] | dec[n], bs2, ndt2, bias2, mu2[n])" in code
    assert "real<lower=0,upper=min_Y> ndt1;" in code and "real<lower=0,upper=min_Y> ndt2;" in code
    code = bp.make_stancode("rt | dec(dec) ~ x", d, bp.mixture("wiener", "lognormal"))
    assert "log(theta2) + lognormal_lpdf(Y[n] | mu2[n], sigma2)" in code
    sd = bp.make_standata("rt | dec(dec) ~ x", d, bp.mixture("wiener", "wiener"))
    np.testing.assert_array_equal(sd["dec"], d["dec"])
    pr = bp.get_prior("rt | dec(dec) ~ x", d, bp.mixture("wiener", "wiener"))
    got = dict(zip(pr["class"], pr["prior"]))
    assert got["bs1"] == "gamma(1, 1)" and got["ndt2"] == "uniform(0, min_Y)" and got["bias1"] == "beta(1, 1)"


def test_dec_is_required_by_any_wiener_component() -> None:
    d = _data(n=30)
    with pytest.raises(bp.FormulaError, match="Addition argument 'dec' is required for family 'wiener'"):
        bp.make_stancode("rt ~ x", d, bp.mixture("wiener", "lognormal"))
    with pytest.raises(bp.FormulaError, match="'dec' is not supported for family 'mixture'"):
        bp.make_stancode("rt | dec(dec) ~ x", d, bp.mixture("lognormal", "lognormal"))


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # proper intercept priors and init = 0: with flat/heavy-tailed ones an emptied component (theta -> 0)
        # may drift off in one chain
        prior = bp.prior("normal(0, 2)", "Intercept", dpar="mu1") + bp.prior("normal(0, 2)", "Intercept", dpar="mu2")
        return bp.brm(bp.bf("rt | dec(dec) ~ 1", "mu2 ~ x"), _data(), bp.mixture("wiener", "wiener"), prior=prior,
                      seed=3, refresh=0, iter=500, chains=2, init=0)


@pytest.mark.slow
def test_parameter_names_and_predictions(fit) -> None:
    names = set(fit.draws_dict)
    assert {"b_mu1_Intercept", "b_mu2_Intercept", "b_mu2_x", "bs1", "bs2", "ndt1", "ndt2", "bias1", "bias2",
            "theta1", "theta2"} <= names
    summ = fit.summary()
    assert {"mu1_Intercept", "mu2_Intercept", "mu2_x"} <= set(summ.population.index)
    assert {"bs1", "bs2", "ndt1", "ndt2", "bias1", "bias2", "theta1", "theta2"} <= set(summ.family.index)
    assert_loglik_matches_stan(fit, draws=(0, 100, -1))
    ep = bp.posterior_epred(fit, ndraws=20)
    pp = bp.posterior_predict(fit, ndraws=5, seed=1)
    ll = bp.log_lik(fit, ndraws=10)
    assert ep.shape == (20, 240) and pp.shape == (5, 240) and ll.shape == (10, 240)
    assert np.isfinite(ep).all(), np.argwhere(~np.isfinite(ep))[:5]
    assert np.isfinite(ll).all(), np.argwhere(~np.isfinite(ll))[:5]
    assert (pp > 0).all()


@pytest.mark.slow
def test_recovery_wiener_mixture(fit) -> None:
    assert_recovers(fit.draws_dict, TRUTH)


def test_wiener_epred_has_no_nan_at_zero_or_large_negative_drift() -> None:
    """Regression: brms's expression gave 0/0 at mu = 0 and inf/inf for large negative drifts (a mixture's
    empty component drifts there), so posterior_epred had NaNs."""
    from brmspy.families.wiener import wiener_epred

    mu = np.array([-2000.0, -400.0, -2.0, -1e-7, 0.0, 1e-7, 2.0, 400.0])
    dp = {"mu": mu, "bs": 1.5, "ndt": 0.2, "bias": 0.4}
    got = wiener_epred(dp, None)
    assert np.isfinite(got).all()
    naive = 0.2 - 0.4 / mu[[2, 6]] + 1.5 / mu[[2, 6]] * np.expm1(-2 * mu[[2, 6]] * 0.4) / np.expm1(-2 * mu[[2, 6]] * 1.5)
    np.testing.assert_allclose(got[[2, 6]], naive, rtol=1e-12)
    np.testing.assert_allclose(got[3:6], 0.2 + 0.4 * (1.5 - 0.4), rtol=1e-6)  # the limit at mu = 0
    assert got[0] == pytest.approx(0.2 + 0.4 / 2000, rel=1e-9)  # -bias / mu dominates: the ratio vanishes
