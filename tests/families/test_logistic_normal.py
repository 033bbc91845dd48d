"""logistic_normal (brms: ``log(y_k / y_ref) ~ MVN(mu, diag(sigma) Lncor diag(sigma))`` for proportions).

Golden Stan code accepted by stanc, numpy log-likelihood equal to Stan's density (brms's
``logistic_normal_cholesky_cor_lpdf``) at posterior draws with constant and predicted ``sigma<Category>``
and another reference category, brms's names (``sigmap2``, ``lncor__mup2__mup3``) and priors,
brms's refusal of ``posterior_epred``, draws on the simplex, and recovery of known values.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

import brmspy as bp
from brmspy.families import FAMILIES, Extras, logistic_normal
from brmspy.fit.storage import load_fit, save_fit
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

MATH = FAMILIES["logistic_normal"].math
TRUTH = {"b_mup2_Intercept": 0.3, "b_mup2_x": 0.5, "b_mup3_Intercept": -0.2, "b_mup3_x": 0.0,
         "sigmap2": 0.5, "sigmap3": 0.8, "lncor__mup2__mup3": 0.3}


def _data(n: int = 150, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    mu = np.column_stack([0.3 + 0.5 * x, np.full(n, -0.2)])
    s = np.array([0.5, 0.8])
    cov = np.outer(s, s) * np.array([[1, 0.3], [0.3, 1]])
    z = mu + rng.multivariate_normal([0, 0], cov, n)
    p = special.softmax(np.column_stack([np.zeros(n), z]), axis=1)
    return pd.DataFrame({"x": x, "p1": p[:, 0], "p2": p[:, 1], "p3": p[:, 2], "g": np.arange(n) % 5})


F = "cbind(p1, p2, p3) ~ x"
CASES = {
    "logistic_normal": (F, "logistic_normal"),
    "logistic_normal_sigma_refcat": (bp.bf("cbind(p1, p2, p3) ~ x + (1 | g)", "sigmap3 ~ x"),
                                     logistic_normal(refcat="p2")),
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_code_and_stanc(name: str, update_golden: bool) -> None:
    formula, family = CASES[name]
    code = bp.make_stancode(formula, _data(), family)
    assert_golden(f"fam_{name}", code, update_golden)


def test_numpy_density_is_the_multivariate_normal_of_the_log_ratios() -> None:
    rng = np.random.default_rng(3)
    y = rng.dirichlet([2, 3, 4, 2], size=5)  # (obs, 4), reference: the third category
    mu = rng.normal(size=(1, 5, 4))
    mu[..., 2] = 0.0
    sigma = np.array([0.5, 1.2, 0.8])
    R = np.array([[1, 0.2, -0.3], [0.2, 1, 0.4], [-0.3, 0.4, 1]])
    L = np.linalg.cholesky(R)
    ll = MATH.loglik(y, {"mu": mu, "sigma": np.broadcast_to(sigma, (1, 5, 3)), "Llncor": L[None], "ref": 2}, Extras())
    x = np.log(np.delete(y, 2, axis=1)) - np.log(y[:, [2]])
    cov = np.outer(sigma, sigma) * R
    ref = [stats.multivariate_normal(np.delete(mu[0, i], 2), cov).logpdf(x[i]) - np.log(y[i]).sum() for i in range(5)]
    np.testing.assert_allclose(ll[0], ref, rtol=1e-12)


def test_brms_priors_and_names() -> None:
    pr = bp.get_prior(F, _data(), "logistic_normal")
    got = dict(zip(pr["class"], pr["prior"]))
    assert got["lncor"] == "lkj(1)" and got["sigmap2"] == got["sigmap3"] == "student_t(3, 0, 2.5)"
    pr = bp.get_prior(bp.bf(F, "sigmap3 ~ x"), _data(), logistic_normal(refcat="p2"))
    assert "sigmap1" in set(pr["class"]) and "sigmap2" not in set(pr["class"])
    assert set(pr[pr["class"] == "Intercept"]["dpar"]) >= {"mup1", "mup3", "sigmap3"}
    with pytest.raises(bp.FormulaError, match="sigmap2.*sigmap1, sigmap3"):
        bp.make_stancode(bp.bf(F, "sigmap2 ~ x"), _data(), logistic_normal(refcat="p2"))


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_numpy_loglik_equals_stan_and_predictions(name: str, tmp_path) -> None:
    formula, family = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm(formula, _data(), family, seed=5, refresh=0, iter=200, chains=1)
    assert_loglik_matches_stan(fit, draws=(0, 50, -1))
    pp = bp.posterior_predict(fit, ndraws=10, seed=1)
    assert pp.shape == (10, 150, 3)
    np.testing.assert_allclose(pp.sum(axis=-1), 1.0)
    with pytest.raises(bp.FamilyError, match="Cannot compute expected values .* 'logistic_normal'"):
        bp.posterior_epred(fit)
    ll = bp.log_lik(fit, chunk_size=40)
    np.testing.assert_allclose(ll, bp.log_lik(fit))
    # regressions: new data with a cbind() response; a saved fit keeps refcat
    np.testing.assert_allclose(bp.log_lik(fit, newdata=_data().iloc[:5]), ll[:, :5])
    save_fit(fit, tmp_path / "fit.brmspy")
    np.testing.assert_allclose(bp.log_lik(load_fit(tmp_path / "fit.brmspy")), ll)


@pytest.mark.slow
def test_recovery_logistic_normal() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm(F, _data(n=400, seed=8), "logistic_normal", seed=2, refresh=0, iter=600, chains=2)
    assert_recovers(fit.draws_dict, TRUTH)
