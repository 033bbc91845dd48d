"""Truncated poisson with the same bounds in every row: the truncation mass as a sum over the counts
inside the bounds (templates/snippets/truncation.stan.j2) is brms's row-wise density, cheaper."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import stanli
from scipy import stats
from scipy.special import logsumexp

import brmspy as bp
from brmspy.backends.base import data_to_json
from brmspy.codegen import additions


def _data(lo: int, hi: int, log_mu: float, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=200)
    mu = np.exp(log_mu + 0.1 * x)
    y = rng.poisson(mu)
    while np.any(bad := (y < lo) | (y > hi)):
        y[bad] = rng.poisson(mu[bad])
    return pd.DataFrame({"y": y, "x": x})


def _models(formula: str, df: pd.DataFrame, monkeypatch):
    build = bp.build_model(formula, df, family=bp.poisson(), reduce=False)
    with monkeypatch.context() as m:
        m.setattr(additions, "MAX_TRUNC_COUNTS", 0)  # brms's program: poisson_lcdf per row
        rowwise = bp.build_model(formula, df, family=bp.poisson(), reduce=False)
    return build, stanli.Model(stan_code=build.code, data=build.data), stanli.Model(stan_code=rowwise.code, data=rowwise.data)


@pytest.mark.parametrize("formula, lo, hi, log_mu", [
    ("y | trunc(ub = 12) ~ x", 0, 12, 1.0),
    ("y | trunc(lb = 1, ub = 12) ~ x", 1, 12, 1.0),
    ("y | trunc(lb = 30, ub = 40) ~ x", 30, 40, 3.5),
    ("y | trunc(ub = 60) ~ x", 0, 60, 3.4),
])
def test_same_density_as_rowwise_lcdf(formula, lo, hi, log_mu, monkeypatch):
    df = _data(lo, hi, log_mu)
    build, shared, rowwise = _models(formula, df, monkeypatch)
    assert "k_trunc" in build.code and "poisson_lcdf" not in build.code
    untruncated = bp.build_model("y ~ x", df, family=bp.poisson(), reduce=False)  # same priors (same y)
    plain = stanli.Model(stan_code=untruncated.code, data=untruncated.data)
    xc = df["x"].to_numpy() - df["x"].mean()
    k = np.arange(lo, hi + 1)
    rng = np.random.default_rng(2)
    near = 0
    for scale in (0.05, 0.3, 1.0):
        for _ in range(4):
            theta = rng.normal(size=shared.n_unconstrained) * scale
            theta[1] += log_mu  # Intercept near the data
            a, ga = shared.log_prob_grad(theta)
            # truth: the untruncated density minus each row's log P(lo <= Y <= hi), summed term by term
            mu = np.exp(theta[1] + theta[0] * xc)
            mass = logsumexp(stats.poisson.logpmf(k[None, :], mu[:, None]), axis=1).sum()
            assert a == pytest.approx(plain.log_prob_grad(theta[:shared.n_unconstrained])[0] - mass, rel=1e-10, abs=1e-8)
            b, gb = rowwise.log_prob_grad(theta)
            if scale < 1:  # brms's log_diff_exp of two CDFs near 1 loses digits (0.05 of 1434 at one point
                # here, or gives inf) where mu is far below the lower bound; near the data it agrees
                assert a == pytest.approx(b, rel=1e-9)
                np.testing.assert_allclose(ga, gb, rtol=1e-7, atol=1e-7)
                near += 1
    assert near == 8


def test_bounds_varying_by_row_keep_the_rowwise_program():
    df = _data(0, 12, 1.0)
    df["u"] = np.where(np.arange(len(df)) % 2 == 0, 12, 15)
    code = bp.make_stancode("y | trunc(ub = u) ~ x", df, family=bp.poisson())
    assert "poisson_lcdf(ub[n] | mu[n])" in code and "k_trunc" not in code


def test_program_rejects_data_with_other_bounds(monkeypatch):
    df = _data(0, 12, 1.0)
    build, _, _ = _models("y | trunc(ub = 12) ~ x", df, monkeypatch)
    data = dict(build.data)
    data["ub"] = np.where(np.arange(len(df)) == 3, 13, 12)
    with pytest.raises(Exception, match="same truncation bounds in every row"):
        stanli.Model(stan_code=build.code, data=data_to_json(data))
