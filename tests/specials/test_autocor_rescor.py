"""ARMA terms in multivariate models with residual correlations (``set_rescor(True)``).

As brms 2.18, each response's ``mu`` gains its ARMA terms row by row (``Err_<resp>``, ``err_<resp>``), then the
rows' joint normal (or Student-t) density with ``Lrescor`` applies (brms test suite [100]:
``mvbind(y, x) ~ 1`` with ``ar()``).  Covariance structures (``cosy()``, ``cov = TRUE``, ``unstr()``) with
``rescor`` stay refused with brms's message.

Golden programs that stanc accepts; numpy's log-likelihood (the rows' joint density) equal to Stan's;
recovery of AR coefficients and the residual correlation on simulated data.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.core.errors import FormulaError
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers


def _data(seed: int = 1, groups: int = 8, T: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"g": np.repeat(np.arange(groups), T), "tim": np.tile(np.arange(T), groups)})
    d["z"] = rng.normal(size=len(d))
    d["y"] = rng.normal(size=len(d))
    d["x"] = rng.normal(size=len(d))
    return d.sample(frac=1, random_state=2).reset_index(drop=True)


CASES = {
    "mv_ar_rescor": (bp.bf("mvbind(y, x) ~ 1 + ar(tim, g)") + bp.set_rescor(True), "gaussian"),  # [100]
    "mv_arma_rescor_student": (bp.bf("mvbind(y, x) ~ z + arma(tim, g)") + bp.set_rescor(True), "student"),
    "mv_ar_one_rescor_sigma": (bp.bf("y ~ z + ar(tim, g, p = 2)", "sigma ~ z") + bp.bf("x ~ z") + bp.set_rescor(True),
                               "gaussian"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_and_stanc(name: str, update_golden: bool) -> None:
    formula, family = CASES[name]
    code = bp.make_stancode(formula, _data(), family)
    assert "err_y[n] = Y_y[n] - mu_y[n];" in code and "Lrescor" in code
    assert_golden(name, code, update_golden)


def test_covariance_structures_refused_as_brms() -> None:
    for term in ("cosy(tim, g)", "ar(tim, g, cov = TRUE)"):
        with pytest.raises(FormulaError, match="Explicit covariance terms cannot be modeled when 'rescor'"):
            bp.make_stancode(bp.bf(f"mvbind(y, x) ~ z + {term}") + bp.set_rescor(True), _data())


@pytest.fixture(scope="module", params=list(CASES))
def short_fit(request):
    formula, family = CASES[request.param]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 200 iterations: convergence warnings are expected
        return bp.brm(formula, _data(), family, chains=1, iter=200, seed=1, refresh=0)


def test_numpy_log_lik_equals_stan(short_fit) -> None:
    assert_loglik_matches_stan(short_fit, draws=(0, 37, 99))
    n = len(_data())
    assert bp.posterior_predict(short_fit).shape[:2] == (100, n)


@pytest.fixture(scope="module")
def fit_recovery():
    """60 series of 8 time points; AR(1) residuals 0.6 (y) and -0.3 (x), innovations correlated 0.5."""
    rng = np.random.default_rng(5)
    G, T = 60, 8
    ar = np.array([0.6, -0.3])
    L = np.linalg.cholesky(np.array([[1, 0.5], [0.5, 1]])) * np.array([0.8, 0.5])[:, None]
    rows = []
    for g in range(G):
        e = np.zeros(2)
        for t in range(T):
            e = ar * e + L @ rng.normal(size=2)
            z = rng.normal()
            rows.append((g, t, z, 1.0 + 0.5 * z + e[0], -1.0 + e[1]))
    d = pd.DataFrame(rows, columns=["g", "tim", "z", "y", "x"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(bp.bf("y ~ z + ar(tim, g)") + bp.bf("x ~ 1 + ar(tim, g)") + bp.set_rescor(True), d,
                      chains=2, iter=600, seed=3, refresh=0)


def test_recovers_ar_and_rescor(fit_recovery):
    d = fit_recovery.draws()
    truth = {"b_y_Intercept": 1.0, "b_y_z": 0.5, "b_x_Intercept": -1.0, "ar_y[1]": 0.6, "ar_x[1]": -0.3,
             "sigma_y": 0.8, "sigma_x": 0.5, "rescor__y__x": 0.5}
    assert_recovers({k: d[k].to_numpy() for k in truth}, truth)
