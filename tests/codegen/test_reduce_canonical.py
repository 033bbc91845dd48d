"""Canonical-link reduction (``brmspy.codegen.reductions.canonical``, issue 7).

The reduced program computes ``sum(Y .* mu)`` from sufficient statistics; its log
density (constants included) and gradient must equal the row-wise program's at the
same unconstrained points, for every structure it takes; it must be skipped where
it is not exact or another route is better.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.codegen.api import build_model
from tests.checks import assert_same_log_density


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 1500
    g, h = rng.integers(0, 12, n), rng.integers(0, 40, n)
    x, z = rng.normal(size=n), rng.normal(size=n)
    trials = rng.integers(1, 6, n)
    eta = -0.3 + 0.4 * x - 0.2 * z + rng.normal(0, 0.4, 12)[g] + rng.normal(0, 0.3, 40)[h]
    p = 1 / (1 + np.exp(-eta))
    return pd.DataFrame({
        "c": rng.poisson(np.exp(eta)), "y": rng.binomial(1, p), "s": rng.binomial(trials, p), "n": trials,
        "x": x, "z": z, "g": g, "h": h, "e": rng.uniform(0.5, 3, n), "w": rng.uniform(0.5, 2, n),
        "k": rng.integers(0, 40, n), "hb": h % 3,
    })


def _build(formula, data, family, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_model(formula, data, family, **kw)


CASES = {
    "poisson_intercepts": ("c ~ x + (1 | g)", "poisson", {}),
    "poisson_brms_parameterization": ("c ~ x + (1 | g)", "poisson", {"centered": False}),
    "poisson_crossed_slopes_offset": ("c ~ x + z + offset(log(e)) + (1 + x | g) + (1 | h)", "poisson", {}),
    "poisson_correlated_absorbed": ("c ~ x + (1 + x | g)", "poisson", {"centered": True}),
    "poisson_no_intercept": ("c ~ 0 + x + (1 | g)", "poisson", {}),
    "poisson_intercept_only": ("c ~ 1", "poisson", {}),
    "bernoulli": ("y ~ x + z + (1 | g) + (0 + z | h)", "bernoulli", {}),
    "binomial": ("s | trials(n) ~ x + (1 | g)", "binomial", {}),
    "binomial_by": ("s | trials(n) ~ x + (1 | gr(h, by = hb))", "binomial", {}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_reduced_log_density_equals_rowwise(rows, name):
    formula, family, kw = CASES[name]
    reduced = _build(formula, rows, family, reduce="canonical_suffstats", **kw).generated
    rowwise = _build(formula, rows, family, reduce=False, **kw).generated
    assert reduced.reduction == "canonical_suffstats" and rowwise.reduction is None
    assert "sufficient statistics" in reduced.code
    stanli.stan_to_mir(reduced.code)
    m_r = stanli.Model(stan_code=reduced.code, data=reduced.data)
    m_w = stanli.Model(stan_code=rowwise.code, data=rowwise.data)
    assert m_r.n_unconstrained == m_w.n_unconstrained
    assert_same_log_density(m_w, [m_r], label=name, rtol=1e-11, grad_atol=1e-8, seed=4)


def test_comparison_can_fail(rows):
    """A statistic that leaves one row out changes the log density."""
    reduced = _build("c ~ x + (1 | g)", rows, "poisson", reduce="canonical_suffstats").generated
    i = int(np.flatnonzero(rows.c.to_numpy() > 0)[0]) + 1  # a row with a count (1-based)
    broken = reduced.code.replace("+= Y[n] * Z_1_1[n];", f"+= (n == {i} ? 0 : Y[n]) * Z_1_1[n];")
    assert broken != reduced.code
    theta = np.full(stanli.Model(stan_code=reduced.code, data=reduced.data).n_unconstrained, 0.2)
    lp = stanli.Model(stan_code=reduced.code, data=reduced.data).log_prob_grad(theta)[0]
    assert abs(stanli.Model(stan_code=broken, data=reduced.data).log_prob_grad(theta)[0] - lp) > 1e-6


def test_auto_choice(rows):
    def chosen(formula, family="poisson", data=rows, **kw):
        return _build(formula, data, family, **kw).generated.reduction

    assert chosen("c ~ x + (1 | g)") == "canonical_suffstats"  # continuous x: no patterns to collapse
    assert chosen("c ~ 1 + (1 | g)") == "collapse"  # 12 patterns: collapsing is cheaper
    assert chosen("c ~ x + (1 | g)", data=rows.iloc[:900]) is None  # small data: brms's program
    # not exact, or not this kind's job
    assert chosen("c ~ x + (1 | g)", bp.families.poisson(link="sqrt")) is None
    assert chosen("c | weights(w) ~ x + (1 | g)") is None
    assert chosen("c ~ x + (1 | mm(h, k))") is None
    assert chosen("c ~ x + (1 | g)", "negbinomial") == "count_values"  # its own kind (reductions.values)
    assert chosen("c ~ x + (1 | g)", reduce=False) is None
    # threads split the rows instead
    assert chosen("c ~ x + (1 | g)", threads=2) is None
    assert "reduce_sum" in _build("c ~ x + (1 | g)", rows, "poisson", threads=2).code


def test_poisson_group_intercepts_exponentiated_per_level(rows):
    """poisson: ``sum(exp(mu))`` is written with the group intercepts' ``exp`` gathered per level
    (cheaper per gradient under stanli); the equality with the row-wise program is
    :func:`test_reduced_log_density_equals_rowwise` on the same cases."""
    def partition(name):
        formula, family, kw = CASES[name]
        code = _build(formula, rows, family, reduce="canonical_suffstats", **kw).code
        line = next(s for s in code.splitlines() if "lconst;" in s and "target +=" in s)
        return line.split(" - ", 1)[1].rsplit(" + lconst", 1)[0]

    assert partition("poisson_intercepts") == "dot_product(exp(a_1_1)[J_1], exp(Xc * b))"
    assert partition("poisson_brms_parameterization") == "dot_product(exp(r_1_1)[J_1], exp(Intercept + Xc * b))"
    assert partition("poisson_crossed_slopes_offset") == (
        "dot_product(exp(a_1[, 1])[J_1] .* exp(r_2_1)[J_2], exp(Xc * b + offsets + r_1_2[J_1] .* Z_1_2))")
    assert partition("poisson_no_intercept") == "dot_product(exp(r_1_1)[J_1], exp(X * b))"
    # nothing per row but the group intercept (or a scalar) to factor out: the plain sum stays
    assert partition("poisson_intercept_only") == "sum(exp(mu))"
    assert _build("c ~ 1 + (1 | g)", rows, "poisson", reduce="canonical_suffstats").code.count("sum(exp(mu))") == 1
    # the logit families have no such factorisation
    assert partition("binomial") == "dot_product(to_vector(trials), log1p_exp(mu))"
