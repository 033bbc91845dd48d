"""zero_inflated_asym_laplace (brms's family: a point mass ``zi`` at zero and an asymmetric Laplace
otherwise) and beta_binomial with ``cens()``/``trunc()``.

Golden Stan code accepted by stanc, numpy log-likelihood (with censoring and truncation: the numpy
CDFs) equal to Stan's density at posterior draws, predictions, the density/CDF against brms 2.18's
``dzero_inflated_asym_laplace``/``pzero_inflated_asym_laplace`` values, and recovery of known values.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli
from scipy import stats

import brmspy as bp
from brmspy.families import FAMILIES, Extras
from brmspy.families.cdf import CDFS
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers


def _zial_data(n: int = 300, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    dp = {"mu": 1 + 0.8 * x, "sigma": np.full(n, 0.7), "quantile": np.full(n, 0.3),
          "zi": 1 / (1 + np.exp(-(-1 + 0.5 * x)))}
    y = FAMILIES["zero_inflated_asym_laplace"].math.rng(dp, Extras(), rng)
    cens = np.where(rng.uniform(size=n) < 0.15, np.where(y > 0, 1, -1), 0)
    cens[y == 0] = 0
    return pd.DataFrame({"y": y, "x": x, "c": cens, "g": np.repeat(np.arange(10), n // 10)})


def _bb_data(n: int = 40, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    trials = rng.integers(5, 15, n)
    mu = 1 / (1 + np.exp(-(0.2 + 0.7 * x)))
    y = rng.binomial(trials, rng.beta(mu * 6, (1 - mu) * 6))
    cens = rng.choice([-1, 0, 1, 2], size=n, p=[0.05, 0.85, 0.05, 0.05])
    cens[(cens == -1) & (y == 0)] = 0
    cens[(cens == 1) & (y == trials)] = 0
    cens[(cens == 2) & (y >= trials - 1)] = 0
    return pd.DataFrame({"y": y, "x": x, "n": trials, "c": cens, "y2": np.minimum(y + 1, trials)})


CASES = {
    "zi_asym_laplace": ("y ~ x", "zero_inflated_asym_laplace", _zial_data),
    "zi_asym_laplace_zi": (bp.bf("y ~ x + (1 | g)", "zi ~ x"), "zero_inflated_asym_laplace", _zial_data),
    "zi_asym_laplace_q25": (bp.bf("y ~ x", quantile=0.25), "zero_inflated_asym_laplace", _zial_data),
    "zi_asym_laplace_cens_trunc": ("y | cens(c) + trunc(lb = -20, ub = 30) ~ x", "zero_inflated_asym_laplace",
                                   _zial_data),
    "beta_binomial_cens_interval": ("y | trials(n) + cens(c, y2) ~ x", "beta_binomial", _bb_data),
    "beta_binomial_trunc": ("y | trials(n) + trunc(lb = 0) ~ x", "beta_binomial", _bb_data),
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_code_and_stanc(name: str, update_golden: bool) -> None:
    formula, family, data = CASES[name]
    code = bp.make_stancode(formula, data(), family)
    assert_golden(f"fam_{name}", code, update_golden)


@pytest.fixture(scope="module")
def fits() -> dict:
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, (formula, family, data) in CASES.items():
            out[name] = bp.brm(formula, data(), family, seed=5, refresh=0, chains=1, iter=200)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_numpy_loglik_equals_stan_and_predictions(name: str, fits: dict) -> None:
    fit = fits[name]
    assert_loglik_matches_stan(fit, draws=(0, 10, -1))
    pp = bp.posterior_predict(fit, ndraws=20, seed=1)
    ep = bp.posterior_epred(fit, ndraws=20)
    n = len(CASES[name][2]())
    assert pp.shape == ep.shape == (20, n) and np.isfinite(pp).all() and np.isfinite(ep).all()


def test_zial_density_and_cdf_equal_brms() -> None:
    # brms 2.18: brms:::dzero_inflated_asym_laplace(y, 0.5, 2, 0.3, 0.2, log = TRUE) and
    # brms:::pzero_inflated_asym_laplace(y, ..., log.p = TRUE) at y = -1, 0, 1.5
    y = np.array([-1.0, 0.0, 1.5])
    dp = {"mu": 0.5, "sigma": 2.0, "quantile": 0.3, "zi": 0.2}
    ll = FAMILIES["zero_inflated_asym_laplace"].math.loglik(y, dp, Extras())
    np.testing.assert_allclose(ll, [-3.0019384801388, -1.6094379124341, -2.6269384801388], rtol=1e-12)
    lcdf = CDFS["zero_inflated_asym_laplace"].lcdf(y, dp, Extras())
    np.testing.assert_allclose(lcdf, [-1.95211635564015, -0.91262325284291, -0.65777321589270], rtol=1e-12)
    # the mean: (1 - zi) (mu + sigma (1 - 2 q) / (q (1 - q)))
    ep = FAMILIES["zero_inflated_asym_laplace"].math.epred(dp, Extras())
    assert ep == pytest.approx(0.8 * (0.5 + 2 * 0.4 / 0.21))
    draws = FAMILIES["zero_inflated_asym_laplace"].math.rng({k: np.full(200_000, v) for k, v in dp.items()},
                                                            Extras(), np.random.default_rng(1))
    assert (draws == 0).mean() == pytest.approx(0.2, abs=0.005)
    assert draws.mean() == pytest.approx(ep, abs=0.05)


@pytest.mark.slow
def test_recovery_zero_inflated_asym_laplace() -> None:
    d = _zial_data(n=600, seed=11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm(bp.bf("y ~ x", "zi ~ x"), d, "zero_inflated_asym_laplace", seed=3, refresh=0, iter=600,
                     chains=2)
    assert_recovers(fit.draws_dict, {"b_Intercept": 1.0, "b_x": 0.8, "sigma": 0.7, "quantile": 0.3,
                                     "b_zi_Intercept": -1.0, "b_zi_x": 0.5})


def test_beta_binomial_cdf_sums_equal_the_cdf() -> None:
    """The program's beta_binomial_sum_lcdf/_lccdf (sums of masses) are the beta-binomial log CDF/CCDF (scipy)
    with their gradients: brms's model, computed faster (stanli's built-in CDF gradients take ~10 ms each)."""
    code = bp.make_stancode(CASES["beta_binomial_cens_interval"][0], _bb_data(), "beta_binomial")
    functions = code[code.index("functions {"):code.index("\ndata {")]
    program = functions + """
data { int N; array[N] int y; array[N] int n; }
parameters { real<lower=0> a; real<lower=0> b; }
model {
  for (i in 1:N) {
    target += beta_binomial_sum_lcdf(y[i] | n[i], a, b) + 2 * beta_binomial_sum_lccdf(y[i] | n[i], a, b);
  }
}
"""
    y, n = np.array([0, 1, 3, 5, 8, 12, 20, 2]), np.array([5, 5, 9, 12, 9, 30, 25, 40])
    model = stanli.Model(stan_code=program, data={"N": len(y), "y": y, "n": n})

    def exact(theta):
        a, b = np.exp(theta)
        return float(np.sum(stats.betabinom.logcdf(y, n, a, b) + 2 * stats.betabinom.logsf(y, n, a, b)))

    for theta in (np.array([0.1, -0.3]), np.array([1.5, 0.7]), np.array([-1.0, 2.0])):
        lp, grad = model.log_prob_grad(theta)
        assert lp - theta.sum() == pytest.approx(exact(theta), rel=1e-10)  # minus the log Jacobian
        h = 1e-5
        numeric = [(exact(theta + h * e) - exact(theta - h * e)) / (2 * h) for e in np.eye(2)]
        np.testing.assert_allclose(grad - 1, numeric, rtol=1e-5)


@pytest.mark.slow
def test_recovery_censored_beta_binomial() -> None:
    """Left-, right- and interval-censored beta-binomial counts (about 30% censored)."""
    rng = np.random.default_rng(17)
    n = 300
    x = rng.normal(size=n)
    trials = rng.integers(5, 15, n)
    mu = 1 / (1 + np.exp(-(0.2 + 0.7 * x)))
    y = rng.binomial(trials, rng.beta(mu * 6, (1 - mu) * 6))
    cens = rng.choice([-1, 0, 1, 2], size=n, p=[0.1, 0.7, 0.1, 0.1])
    cens[(cens == -1) & (y == 0)] = 0
    cens[(cens == 1) & (y == trials)] = 0
    cens[(cens == 2) & ((y == trials) | (y == 0))] = 0
    y1 = np.where(cens == 2, np.maximum(y - 2, 0), y)  # interval (y1, y2] holds y (y > 0 there)
    y2 = np.where(cens == 2, np.minimum(y + 1, trials), y)
    d = pd.DataFrame({"y": y1, "y2": y2, "x": x, "n": trials, "c": cens})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y | trials(n) + cens(c, y2) ~ x", d, "beta_binomial", seed=3, refresh=0, iter=600, chains=2)
    assert_recovers(fit.draws_dict, {"b_Intercept": 0.2, "b_x": 0.7, "phi": 6.0})
