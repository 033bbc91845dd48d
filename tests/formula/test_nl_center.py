"""``lf(eta ~ x, center = TRUE)`` for a non-linear parameter, as brms 2.18 (its test-suite case [298]).

brms then centres the nlpar's design like a dpar's: ``nlp_eta += Intercept_eta + Xc_eta * b_eta`` with the
temporary intercept's default prior ``student_t(3, 0, <scale>)`` (nlpar ``eta``) and
``b_eta_Intercept = Intercept_eta - dot_product(means_X_eta, b_eta)``; its prior check (some proper prior
for an nlpar) applies to uncentred designs only. (Stan data and priors against brms 2.18:
``nl_lf_center_true``, ``nl_lf_center_true_group`` in ``tests/package/test_brms_reference.py``.)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

FORMULA = bp.bf("y ~ a * exp(eta)", "a ~ 1", nl=True) + bp.lf("eta ~ x", center=True)
PRIOR = bp.prior("normal(2, 1)", nlpar="a", lb=0)


def _data(n: int = 200, seed: int = 9) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 2, n)
    return pd.DataFrame({"y": 2.0 * np.exp(0.5 - 0.8 * x) + rng.normal(0, 0.1, n), "x": x})


def test_golden_code_and_stanc(update_golden: bool) -> None:
    code = bp.make_stancode(FORMULA, _data(n=30), prior=PRIOR)
    assert_golden("nl_center_true", code, update_golden)
    stanli.stan_to_mir(code)
    for line in ("nlp_eta += Intercept_eta + Xc_eta * b_eta;", "real Intercept_eta;",
                 "real b_eta_Intercept = Intercept_eta - dot_product(means_X_eta, b_eta);"):
        assert line in code, line
    d = pd.DataFrame({"y": np.arange(1.0, 11.0), "x": np.arange(1.0, 11.0)})  # brms's test: no priors needed
    gp = bp.get_prior(bp.bf("y ~ eta", nl=True) + bp.lf("eta ~ x", center=True), d)
    row = gp[(gp["class"] == "Intercept") & (gp["nlpar"] == "eta")]
    assert list(row["prior"]) == ["student_t(3, 0, 3.7)"]  # brms 2.18's row


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(FORMULA, _data(), prior=PRIOR + bp.prior("normal(0, 2)", "b", nlpar="eta"), seed=6, refresh=0,
                      iter=800, chains=2)


@pytest.mark.slow
def test_loglik_recovery_predictions(fit) -> None:
    assert_loglik_matches_stan(fit)
    # a and exp(eta's intercept) trade off: a * exp(i) = 2 * exp(0.5); the slope and sigma are identified
    dd = {k: np.asarray(v).reshape(-1) for k, v in fit.draws_dict.items()}
    assert_recovers({"b_eta_x": dd["b_eta_x"], "sigma": dd["sigma"],
                     "scale": dd["b_a_Intercept"] * np.exp(dd["b_eta_Intercept"])},
                    {"b_eta_x": -0.8, "sigma": 0.1, "scale": 2.0 * np.exp(0.5)})
    new = pd.DataFrame({"x": [0.0, 1.5]})
    ep = bp.posterior_epred(fit, newdata=new)
    want = dd["b_a_Intercept"][:, None] * np.exp(dd["b_eta_Intercept"][:, None] + dd["b_eta_x"][:, None] * new["x"].to_numpy())
    np.testing.assert_allclose(ep, want, rtol=1e-8)
