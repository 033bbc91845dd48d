"""``gr(g, by = h, cov = A)``: group-level effects with a known covariance and one sd (and correlation) per by level.

As brms 2.18 (its test-suite case [050]): correlated effects are ``scale_r_cor_by_cov(z, sd, L, Jby, Lcov)``,
level ``i`` getting ``sum_j Lcov[i, j] * diag_pre_multiply(sd[, Jby[j]], L[Jby[j]]) * z[, j]``; one or
uncorrelated effects ``transpose(sd_1[1, Jby_1]) .* (Lcov_1 * z_1[1])``. Golden code accepted by stanc,
the effects recomputed in numpy from the draws, the numpy log-likelihood equal to Stan's. (Stan data and
priors against brms 2.18: ``form_gr_by_cov``, ``form_gr_by_cov_cor``, ``form_gr_by_cov_uncor`` in
``tests/package/test_brms_reference.py``.)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from tests.checks import assert_golden, assert_loglik_matches_stan

LEVELS = [f"s{i}" for i in range(8)]


def _cov() -> pd.DataFrame:
    A = 0.4 ** np.abs(np.subtract.outer(np.arange(8), np.arange(8)))  # AR(1)-like, positive definite
    return pd.DataFrame(A, index=LEVELS, columns=LEVELS)


def _data(n: int = 160, seed: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 8, n)
    x = rng.normal(size=n)
    r = rng.multivariate_normal(np.zeros(8), _cov().to_numpy())
    y = 0.5 + 0.7 * x + np.where(g % 2 == 0, 1.0, 0.3) * r[g] + rng.normal(0, 0.5, n)
    return pd.DataFrame({"y": y, "x": x, "g": [LEVELS[i] for i in g], "h": np.where(g % 2 == 0, "even", "odd")})


CASES = {
    "gr_by_cov_cor": "y ~ x + (1 + x | gr(g, by = h, cov = A))",
    "gr_by_cov_uncor": "y ~ x + (1 + x || gr(g, by = h, cov = A))",
    "gr_by_cov_intercept": "y ~ x + (1 | gr(g, by = h, cov = A))",
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_code_and_stanc(name: str, update_golden: bool) -> None:
    code = bp.make_stancode(CASES[name], _data(), data2={"A": _cov()})
    assert_golden(name, code, update_golden)
    stanli.stan_to_mir(code)
    if name == "gr_by_cov_cor":
        assert "r_1 = scale_r_cor_by_cov(z_1, sd_1, L_1, Jby_1, Lcov_1);" in code
        assert "array[Nby_1] cholesky_factor_corr[M_1] L_1;" in code
    else:
        assert "r_1_1 = (transpose(sd_1[1, Jby_1]) .* (Lcov_1 * z_1[1]));" in code  # brms 2.18's line


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(CASES["gr_by_cov_cor"], _data(), data2={"A": _cov()}, seed=2, refresh=0, iter=400, chains=1)


@pytest.mark.slow
def test_effects_as_brms_and_loglik(fit) -> None:
    assert_loglik_matches_stan(fit)
    sd = bp.make_standata(CASES["gr_by_cov_cor"], _data(), data2={"A": _cov()})
    Lcov, Jby = np.asarray(sd["Lcov_1"]), np.asarray(sd["Jby_1"]) - 1
    i = 17  # one draw: brms's kronecker loop of scale_r_cor_by_cov, written out
    flat = {k: v.reshape(-1, *v.shape[2:]) for k, v in fit.stan_draws.params.items()}  # Stan's names
    z = flat["z_1"][i]                 # (M, N_1)
    sdm = flat["sd_1"][i]              # (M, Nby)
    L = flat["L_1"][i]                 # (Nby, M, M)
    assert np.abs(z).max() > 0.1 and np.ptp(sdm) > 0
    N1, M = z.shape[1], z.shape[0]
    r = np.zeros((N1, M))
    for icov in range(N1):
        for jcov in range(icov + 1):
            LC = np.diag(sdm[:, Jby[jcov]]) @ L[Jby[jcov]]
            r[icov] += Lcov[icov, jcov] * (LC @ z[:, jcov])
    np.testing.assert_allclose(flat["r_1_1"][i], r[:, 0], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(flat["r_1_2"][i], r[:, 1], rtol=1e-8, atol=1e-10)
    re = fit.draws_dict["r_g[s3,x]"].reshape(-1)  # brms's names of the same effects
    np.testing.assert_allclose(re, flat["r_1_2"][:, 3])
