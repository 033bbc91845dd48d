"""Parsing brms syntax into typed terms."""

from __future__ import annotations

import pytest

import brmspy as bp
from brmspy.formula import build_terms
from brmspy.formula.syntax import split_terms


def mu_terms(formula, family="gaussian"):
    return build_terms(formula, family).parts["mu"].terms


def test_split_terms_respects_parentheses():
    assert split_terms("x + I(x - 1) + (1 + x | g) - 1") == [("+", "x"), ("+", "I(x - 1)"), ("+", "(1 + x | g)"), ("-", "1")]


def test_group_term_forms():
    lt = mu_terms("y ~ x + (1 + x || g) + (1 | a/b) + (1 | ID | h) + (0 + f | g2) + (1 | c:d) + (1 | e) + (1 | k)")
    got = [(g.expr, g.group, g.cor, g.id) for g in lt.group_terms]
    assert got == [
        ("1 + x", "g", False, None), ("1", "a", True, None), ("1", "a:b", True, None), ("1", "h", True, "ID"),
        ("0 + f", "g2", True, None), ("1", "c:d", True, None), ("1", "e", True, None), ("1", "k", True, None),
    ]
    assert lt.group_terms[2].group_vars == ("a", "b")


def test_gr_and_mm():
    lt = mu_terms("y ~ (1 | gr(g, by = z, cor = FALSE)) + (1 | mm(g1, g2, weights = cbind(w1, w2)))")
    gr, mm = lt.group_terms
    assert (gr.group, gr.by, gr.cor) == ("g", "z", False)
    assert mm.mm and mm.group_vars == ("g1", "g2") and mm.mm_weights == ("w1", "w2")


def test_intercept_handling():
    assert mu_terms("y ~ x").intercept
    assert not mu_terms("y ~ 0 + x").intercept
    assert not mu_terms("y ~ x - 1").intercept
    assert mu_terms("y ~ 1").population == ()


def test_response_additions():
    t = build_terms("y | trials(n) + weights(w) ~ x", "binomial")
    assert [a.name for a in t.response.additions] == ["trials", "weights"]
    assert t.response.addition("trials").args == {"n": "n"}
    t = build_terms("y | trunc(lb = 0, ub = 10) ~ x", "poisson")
    assert t.response.addition("trunc").args == {"lb": "0", "ub": "10"}


def test_distributional_and_nonlinear_parts():
    t = build_terms(bp.bf("y ~ x + (1 | g)", "sigma ~ x"), "gaussian")
    assert list(t.parts) == ["mu", "sigma"]
    nl = build_terms(bp.bf("y ~ a * exp(-b * x)", "a ~ 1 + (1 | g)", "b ~ 1", nl=True), "gaussian")
    assert nl.nonlinear["mu"].nlpars == ("a", "b") and nl.nonlinear["mu"].covariates == ("x",)
    assert {k: p.kind for k, p in nl.parts.items()} == {"a": "nlpar", "b": "nlpar"}


def test_multivariate_formula():
    mv = bp.bf("y1 ~ x + (1 | ID | g)") + bp.bf("y2 ~ x + (1 | ID | g)") + bp.set_rescor(True)
    terms = build_terms(mv, "gaussian")
    assert [r.resp for r in terms.responses] == ["y1", "y2"] and terms.rescor
    f = bp.bf("y ~ x") + bp.lf("sigma ~ z")
    assert f.pforms == ("sigma ~ z",)


def test_nl_names_without_formula_are_covariates():
    # as in brms: only names with their own formula are non-linear parameters
    nl = build_terms(bp.bf("y ~ a * exp(b * x)", "a ~ 1", nl=True), "gaussian")
    assert nl.nonlinear["mu"].nlpars == ("a",) and nl.nonlinear["mu"].covariates == ("b", "x")


def test_group_calls_outside_bars():
    with pytest.raises(bp.FormulaError, match=r"may only be used as the grouping part"):
        build_terms("y ~ x + mm(g1, g2)")
