"""Negative binomial over distinct response values (``brmspy.codegen.reductions.values``, issue 24),
and the forms ``reduce="auto"`` picks for bernoulli (``brmspy.codegen.reductions.canonical``).

The reduced program sums ``lgamma(Y + shape)`` over the distinct values of ``Y``; its log density
(constants included) and gradient must equal brms's row-wise program's at the same unconstrained
points, for every structure it takes, and equal a numpy/scipy log likelihood at given parameter
values; it must be skipped where it is not exact.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli
from scipy import stats

import brmspy as bp
from brmspy.codegen.api import build_model
from tests.checks import assert_same_log_density


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    rng = np.random.default_rng(21)
    n = 600
    g, h = rng.integers(0, 15, n), rng.integers(0, 30, n)
    x, z = rng.normal(size=n), rng.normal(size=n)
    eta = 0.6 + 0.4 * x - 0.3 * z + rng.normal(0, 0.5, 15)[g] + rng.normal(0, 0.3, 30)[h]
    lam = np.exp(eta)
    return pd.DataFrame({
        "c": rng.negative_binomial(3, 3 / (3 + lam)), "y": rng.binomial(1, 1 / (1 + np.exp(-eta))),
        "x": x, "z": z, "g": g, "h": h, "e": rng.uniform(0.5, 3, n), "w": rng.uniform(0.5, 2, n),
        "cc": rng.integers(0, 2, n),
    })


def _build(formula, data, family="negbinomial", **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_model(formula, data, family, **kw)


CASES = {
    "intercepts": ("c ~ x + (1 | g)", {}),
    "centered": ("c ~ x + (1 | g)", {"centered": True}),
    "slopes_crossed_offset": ("c ~ x + z + offset(log(e)) + (1 + x | g) + (1 | h)", {}),
    "no_intercept": ("c ~ 0 + x + (1 | g)", {}),
    "intercept_only": ("c ~ 1", {}),
    "population_only": ("c ~ x + z", {}),
    "spline": ("c ~ s(x, k = 5) + (1 | g)", {}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_reduced_log_density_equals_rowwise(rows, name):
    formula, kw = CASES[name]
    reduced = _build(formula, rows, reduce="count_values", **kw).generated
    rowwise = _build(formula, rows, reduce=False, **kw).generated
    assert reduced.reduction == "count_values" and rowwise.reduction is None
    assert "distinct values" in reduced.code
    stanli.stan_to_mir(reduced.code)
    m_r = stanli.Model(stan_code=reduced.code, data=reduced.data)
    m_w = stanli.Model(stan_code=rowwise.code, data=rowwise.data)
    assert m_r.n_unconstrained == m_w.n_unconstrained
    assert_same_log_density(m_w, [m_r], label=name, rtol=1e-11, grad_atol=1e-8, seed=4)


def _likelihood(build, values: dict) -> float:
    """The program's log likelihood at constrained ``values``: full log density minus prior only."""
    full = stanli.Model(stan_code=build.code, data=build.data)
    prior = stanli.Model(stan_code=build.code, data={**build.data, "prior_only": 1})
    return full.log_prob_grad(full.unconstrain(values))[0] - prior.log_prob_grad(prior.unconstrain(values))[0]


def test_log_likelihood_equals_scipy(rows):
    """``c ~ x + (1 | g)``: the reduced program's likelihood is scipy's negative binomial log pmf."""
    build = _build("c ~ x + (1 | g)", rows, reduce="auto")
    assert build.generated.reduction == "count_values"
    rng = np.random.default_rng(2)
    x, y, g = rows.x.to_numpy(), rows.c.to_numpy(), build.data["J_1"] - 1
    for _ in range(3):
        b, icpt, shape, sd = rng.normal(0, 0.3), rng.normal(0.5, 0.3), rng.uniform(0.5, 8), rng.uniform(0.2, 1)
        z = rng.normal(size=build.data["N_1"])
        eta = icpt + b * (x - x.mean()) + sd * z[g]
        mu = np.exp(eta)
        expected = stats.nbinom.logpmf(y, shape, shape / (shape + mu)).sum()
        values = {"b": [b], "Intercept": icpt, "shape": shape, "sd_1": [sd], "z_1": [z]}
        assert _likelihood(build, values) == pytest.approx(expected, rel=1e-11)


def test_comparison_can_fail(rows):
    """A count moved from one distinct value to another changes the log density."""
    reduced = _build("c ~ x + (1 | g)", rows, reduce="count_values").generated
    bad = dict(reduced.data, Y_counts=reduced.data["Y_counts"].copy())
    bad["Y_counts"][0] -= 1
    bad["Y_counts"][1] += 1
    theta = np.full(stanli.Model(stan_code=reduced.code, data=reduced.data).n_unconstrained, 0.2)
    lp = stanli.Model(stan_code=reduced.code, data=reduced.data).log_prob_grad(theta)[0]
    assert abs(stanli.Model(stan_code=reduced.code, data=bad).log_prob_grad(theta)[0] - lp) > 1e-6


def test_auto_choice(rows):
    def chosen(formula, family="negbinomial", data=rows, **kw):
        return _build(formula, data, family, **kw).generated.reduction

    assert chosen("c ~ x + (1 | g)") == "count_values"
    assert chosen("c ~ x + (1 | g)", data=rows.iloc[:150]) is None  # small data: brms's program
    many = rows.assign(c=np.arange(len(rows)))  # every row its own value: no lgamma saved
    assert chosen("c ~ x + (1 | g)", data=many) is None
    # not exact, or not this kind's job
    assert chosen("c ~ x + (1 | g)", bp.families.negbinomial(link="identity")) is None
    assert chosen("c | weights(w) ~ x + (1 | g)") is None
    assert chosen("c | cens(cc) ~ x + (1 | g)") is None
    assert chosen(bp.bf("c ~ x + (1 | g)", shape="~ x")) is None  # a predicted shape
    assert chosen(bp.bf("c ~ x + (1 | g)", shape=2)) is None  # a fixed shape
    assert chosen("c ~ x + (1 | g)", reduce=False) is None
    assert chosen("c ~ x + (1 | g)", threads=2) is None


def test_bernoulli_auto_keeps_glm_form():
    """reduce="auto" on 10^3+ bernoulli rows writes the (lean) bernoulli_logit_glm program, not the
    canonical-link reduction (which costs twice as much per gradient under stanli), with the same
    log density as that reduction and as scipy's bernoulli log pmf."""
    rng = np.random.default_rng(5)
    n, G = 3000, 20
    g = np.repeat(np.arange(G), n // G)
    x = rng.normal(size=n)
    df = pd.DataFrame({"g": g, "x": x, "y": rng.binomial(1, 1 / (1 + np.exp(-(0.2 + 0.7 * x + rng.normal(0, .5, G)[g]))))})
    auto = _build("y ~ x + (1 | g)", df, "bernoulli")
    reduced = _build("y ~ x + (1 | g)", df, "bernoulli", reduce="canonical_suffstats")
    assert auto.generated.reduction is None and "bernoulli_logit_glm_lpmf(Y | Xc, mu, b)" in auto.code
    assert "vector[N_1] a_1_1;" in auto.code  # centered, Intercept absorbed (150 rows per level)
    m_a = stanli.Model(stan_code=auto.code, data=auto.data)
    m_r = stanli.Model(stan_code=reduced.code, data=reduced.data)
    assert m_a.n_unconstrained == m_r.n_unconstrained
    assert_same_log_density(m_r, [m_a], label="bernoulli", rtol=1e-11, grad_atol=1e-8, seed=2)
    a = rng.normal(0.2, 0.5, G)
    b, icpt, sd = 0.7, 0.1, 0.5
    eta = a[auto.data["J_1"] - 1] + b * (x - x.mean())
    expected = stats.bernoulli.logpmf(df.y.to_numpy(), 1 / (1 + np.exp(-eta))).sum()
    values = {"b": [b], "Intercept": icpt, "sd_1": [sd], "a_1_1": a}
    assert _likelihood(auto, values) == pytest.approx(expected, rel=1e-11)
