"""Autocorrelation of families without natural residuals: brms's latent residuals.

``ar()`` (without ``cov``), ``arma(cov = TRUE)`` and ``cosy()`` of poisson/bernoulli/...: ``mu`` gains
``err`` (``sderr * zerr``, correlated within series with ``cov = TRUE``/``cosy()``; ``ar()`` adds the AR
terms of earlier ``err``).  Golden programs that stanc accepts, numpy log-likelihood equal to Stan's
density, names, new-data rules (brms's), refusals, and recovery of a latent AR(1) poisson model.
(Stan data and default priors against brms 2.18: the ``ac_*`` cases of ``tests/test_brms_reference.py``.)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.core.errors import DataError, FormulaError
from brmspy.prediction.autocor import latent_ar_terms
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers


def _data(n_per: int = 20, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 2 * n_per
    return pd.DataFrame({"y": rng.poisson(3, n), "yb": rng.integers(0, 2, n), "x": rng.normal(size=n),
                         "t": np.tile(np.arange(1, n_per + 1), 2), "g": np.repeat(["a", "b"], n_per)})


CASES = {
    "ac_ar2_poisson_latent": ("y ~ x + ar(time = t, gr = g, p = 2)", "poisson"),
    "ac_arma_cov_poisson_latent": ("y ~ x + arma(time = t, gr = g, cov = TRUE)", "poisson"),
    "ac_cosy_bernoulli_latent": ("yb ~ x + cosy(time = t, gr = g)", "bernoulli"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_and_stanc(name: str, update_golden: bool) -> None:
    code = bp.make_stancode(*CASES[name][:1], _data(), CASES[name][1])
    assert_golden(name, code, update_golden)


@pytest.fixture(scope="module", params=list(CASES))
def short_fit(request):
    formula, family = CASES[request.param]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 200 iterations: convergence warnings are expected
        return request.param, bp.brm(formula, _data(), family, chains=1, iter=200, seed=1, refresh=0)


def test_loglik_equals_stan_and_names(short_fit) -> None:
    name, fit = short_fit
    assert_loglik_matches_stan(fit)
    cols = set(fit.draws().columns)
    assert {"sderr", "zerr[1]", "zerr[40]", "err[40]"} <= cols
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        section = list(fit.summary().sections["autocor"].index)
    assert section[0] == "sderr"
    # mu on the fitted data is exactly the program's: eta + err (+ AR terms of earlier err)
    d = fit.draws()
    err = d[[f"err[{i}]" for i in range(1, 41)]].to_numpy()
    np.testing.assert_allclose(err, d["sderr"].to_numpy()[:, None] * d[[f"zerr[{i}]" for i in range(1, 41)]].to_numpy()
                               if "cosy" not in name and "cov" not in name else err)
    lp = bp.posterior_linpred(fit)
    lp0 = bp.posterior_linpred(fit, incl_autocor=False)
    assert not np.allclose(lp, lp0)


def test_new_data_follows_brms(short_fit) -> None:
    name, fit = short_fit
    new = _data(seed=5).iloc[:9]
    if name == "ac_ar2_poisson_latent":
        with pytest.raises(DataError, match="Cannot predict new latent residuals when using cov = FALSE"):
            bp.posterior_epred(fit, newdata=new)
        return
    # cov = TRUE / cosy(): fresh latent residuals of each new series (random, as brms)
    a = bp.posterior_linpred(fit, newdata=new, seed=1)
    b = bp.posterior_linpred(fit, newdata=new, seed=2)
    c = bp.posterior_linpred(fit, newdata=new, incl_autocor=False)
    assert a.shape == (fit.ndraws(), 9) and not np.allclose(a, b)
    spread = (a - c).std(axis=0).mean()
    assert 0 < spread < 10 * float(fit.draws()["sderr"].mean()) + 1


def test_latent_ar_terms_by_hand() -> None:
    err = np.array([[1.0, 2.0, 3.0, 10.0, 20.0]])
    J_lag = np.array([1, 2, 0, 1, 0])  # two series: rows 0-2 and 3-4, p = 2
    ar = np.array([[0.5, 0.25]])
    out = latent_ar_terms(err, J_lag, ar)
    np.testing.assert_allclose(out, [[0.0, 0.5, 0.5 * 2 + 0.25 * 1, 0.0, 0.5 * 10]])


@pytest.mark.parametrize("formula, family, match", [
    ("y ~ x + ma(time = t, gr = g)", "poisson", "set cov = TRUE when modeling MA"),
    ("y ~ x + ar(time = t, gr = g)", "cumulative", "univariate families"),
])
def test_refusals(formula, family, match):
    df = _data()
    with pytest.raises(FormulaError, match=match):
        bp.make_stancode(formula, df, family)


def test_sderr_prior_and_bounds():
    p = bp.get_prior("y ~ x + ar(time = t, gr = g)", _data(), "poisson")
    row = p[p["class"] == "sderr"].iloc[0]
    assert row["prior"] == "student_t(3, 0, 2.5)" and row["lb"] == "0"
    ar = p[p["class"] == "ar"].iloc[0]
    assert (ar["lb"], ar["ub"]) == ("-1", "1")
    code = bp.make_stancode("y ~ x + ar(time = t, gr = g)", _data(), "poisson", prior=bp.prior("exponential(2)", "sderr"))
    assert "lprior += exponential_lpdf(sderr |" in code and "vector<lower=-1,upper=1>[Kar] ar;" in code


@pytest.fixture(scope="module")
def fit_recovery():
    rng = np.random.default_rng(11)
    n_per, G = 60, 4
    t = np.tile(np.arange(n_per), G)
    g = np.repeat([f"s{k}" for k in range(G)], n_per)
    x = rng.normal(size=n_per * G)
    err = rng.normal(0, 0.6, n_per * G)
    lag = np.r_[0.0, err[:-1]] * (t > 0)  # brms's model: mu[n] = eta[n] + err[n] + ar * err[n - 1]
    eta = 0.8 + 0.5 * x + err + 0.7 * lag
    df = pd.DataFrame({"y": rng.poisson(np.exp(eta)), "x": x, "t": t, "g": g})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm("y ~ x + ar(time = t, gr = g)", df, "poisson", chains=2, iter=800, seed=3, refresh=0)


def test_recovers_latent_ar1_poisson(fit_recovery):
    d = fit_recovery.draws()
    assert_recovers({k: d[k].to_numpy() for k in ("b_Intercept", "b_x", "sderr", "ar[1]")},
                    {"b_Intercept": 0.8, "b_x": 0.5, "sderr": 0.6, "ar[1]": 0.7})
