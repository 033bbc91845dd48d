"""The group-level correlations' LKJ prior with its constant from transformed data (issue 24).

brms writes ``lprior += lkj_corr_cholesky_lpdf(L_1 | eta)``; brmspy writes
``lkj_corr_cholesky_norm_lpdf(L_1 | eta, lkj_norm_L_1)`` with the normalizing constant computed once
in ``transformed data`` (README, "Differences from brms"). These tests put brms's line back into
brmspy's program and compare the log density, its gradient and ``lprior`` at random points: any
error in the constant or in the kernel's exponents shows up as a difference.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.backends.base import data_to_json


def _brms_text(code: str) -> str:
    """brmspy's program with brms's ``lkj_corr_cholesky_lpdf`` lines (and no hoisted constants)."""
    code = re.sub(r"lkj_corr_cholesky_norm_lpdf\((\S+) \| (\w+), \w+\)", r"lkj_corr_cholesky_lpdf(\1 | \2)", code)
    return re.sub(r"\n *real lkj_norm_L_\d+ = [^\n]*", "", code)


def _compare(code: str, data: dict, n_points: int = 12) -> None:
    brms = _brms_text(code)
    assert "lprior += lkj_corr_cholesky_norm_lpdf(L_" in code and "norm_lpdf(L_" not in brms
    dj = data_to_json(data)
    ours, theirs = (stanli.Model(mir=stanli.stan_to_mir(c), data=dj) for c in (code, brms))
    n = ours.n_unconstrained
    assert theirs.n_unconstrained == n
    rng = np.random.default_rng(7)
    for _ in range(n_points):
        q = rng.normal(size=n)
        lp1, g1 = ours.log_prob_grad(q)
        lp2, g2 = theirs.log_prob_grad(q)
        assert lp1 == pytest.approx(lp2, rel=1e-12, abs=1e-9)
        np.testing.assert_allclose(g1, g2, rtol=1e-10, atol=1e-10)
    draws = [m.sample(chains=1, warmup=20, samples=5, seed=3, refresh=0) for m in (ours, theirs)]
    # same density, same numbers: the short chains agree, lprior included
    np.testing.assert_allclose(draws[0].draws("lprior"), draws[1].draws("lprior"), rtol=1e-9)
    i_lp = list(stanli.SAMPLER_COLUMNS).index("lp__")
    np.testing.assert_allclose(draws[0].sampler_stats[..., i_lp], draws[1].sampler_stats[..., i_lp], rtol=1e-9)


def _data(n_coef: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n, g = 120, 12
    df = pd.DataFrame({f"x{j}": rng.normal(size=n) for j in range(1, n_coef)})
    df["g"] = pd.Categorical(np.repeat(np.arange(g), n // g).astype(str))
    level = np.repeat(np.arange(g), n // g)
    df["g2"] = pd.Categorical((level % 6).astype(str))
    df["h"] = pd.Categorical(np.where(level % 2 == 0, "a", "b"))  # one h per level of g2
    df["y"] = rng.normal(size=n) + df.get("x1", 0)
    return df


@pytest.mark.parametrize("n_coef,eta", [(2, 1.0), (3, 2.0), (4, 0.5)])
def test_lkj_norm_equals_brms_density(n_coef: int, eta: float) -> None:
    df = _data(n_coef)
    terms = " + ".join(["1"] + [f"x{j}" for j in range(1, n_coef)])
    formula = f"y ~ x1 + ({terms} | g)" if n_coef > 1 else "y ~ (1 | g)"
    prior = bp.prior(f"lkj({eta})", class_="cor")
    code = bp.make_stancode(formula, df, prior=prior)
    data = dict(bp.make_standata(formula, df, prior=prior))
    assert f"real lkj_norm_L_1 = lkj_corr_cholesky_lpdf(identity_matrix(M_1) | prior_L_1_eta);" in code
    assert data["prior_L_1_eta"] == eta
    _compare(code, data)


def test_lkj_norm_two_blocks_and_by_groups() -> None:
    """Two correlated blocks (one function, two constants) and ``gr(g, by = h)`` (an array of L_2)."""
    df = _data(3)
    formula = "y ~ x1 + (1 + x1 | g) + (1 + x2 | gr(g2, by = h))"
    prior = bp.prior("lkj(3)", class_="cor", group="g")
    code = bp.make_stancode(formula, df, prior=prior)
    assert code.count("real lkj_corr_cholesky_norm_lpdf(") == 1
    assert "lkj_norm_L_1" in code and "lkj_norm_L_2" in code
    assert "lkj_corr_cholesky_norm_lpdf(L_2[i] | prior_L_2_eta, lkj_norm_L_2)" in code
    _compare(code, dict(bp.make_standata(formula, df, prior=prior)))


def test_brms_text_helper_can_fail() -> None:
    """The comparison sees a wrong constant: a program whose constant is off by 1 differs by 1."""
    df = _data(2)
    code = bp.make_stancode("y ~ x1 + (1 + x1 | g)", df)
    wrong = code.replace("lkj_corr_cholesky_lpdf(identity_matrix(M_1) | prior_L_1_eta);",
                         "lkj_corr_cholesky_lpdf(identity_matrix(M_1) | prior_L_1_eta) + 1;")
    assert wrong != code
    with pytest.raises(AssertionError):
        _compare(wrong, dict(bp.make_standata("y ~ x1 + (1 + x1 | g)", df)), n_points=1)
