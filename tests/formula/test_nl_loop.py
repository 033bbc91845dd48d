"""brms's ``bf(..., nl = TRUE, loop = FALSE)``: the non-linear main formula computed once on whole vectors.

brms 2.18 writes ``mu = nlp_a - exp(nlp_b + C_1);`` instead of the loop over observations (the same
model); where the formula is not valid on Stan vectors (``*`` / ``/`` between two vectors, comparisons,
``ifelse()``, ``step()``) brms writes it unchanged and Stan rejects the program, so brmspy refuses it.
(brms's test-suite cases [143], [144]; Stan data and priors against brms 2.18: ``nl_loop_false`` in
``tests/package/test_brms_reference.py``.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.core.errors import FormulaError
from brmspy.fit.storage import formula_from_json, formula_to_json
from tests.checks import assert_golden

PRIOR = bp.prior("normal(0, 5)", nlpar="a") + bp.prior("normal(0, 1)", nlpar="b")


def _data(n: int = 30, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"y": rng.gamma(2, 1, n), "x": rng.normal(size=n), "z": rng.normal(size=n), "g": np.arange(n) % 3})


def _formula(expr: str = "a - exp(b + z)", **kw) -> bp.BrmsFormula:
    return bp.bf(f"y ~ {expr}", "a ~ x", "b ~ z + (1 | g)", nl=True, **kw)


@pytest.mark.parametrize("name, family", [("nl_loop_false", "gaussian"), ("nl_loop_false_gamma_log", bp.Gamma("log"))])
def test_golden_code_and_stanc(name: str, family, update_golden: bool) -> None:
    code = bp.make_stancode(_formula(loop=False), _data(), family, PRIOR)
    assert_golden(name, code, update_golden)
    stanli.stan_to_mir(code)


def test_brms_lines_and_same_data() -> None:
    code = bp.make_stancode(_formula(loop=False), _data(), prior=PRIOR)
    assert "    mu = nlp_a - exp(nlp_b + C_1);\n" in code and "mu[n] =" not in code  # brms 2.18's line
    gamma = bp.make_stancode(_formula("a + b / 2 + 3 * sqrt(exp(z))", loop=False), _data(), bp.Gamma("log"), PRIOR)
    assert "mu = exp(nlp_a + nlp_b / 2 + 3 * sqrt(exp(C_1)));" in gamma  # the inverse link on the vector, as brms
    looped = bp.make_stancode(_formula(), _data(), prior=PRIOR)
    assert "mu[n] = nlp_a[n] - exp(nlp_b[n] + C_1[n]);" in looped
    # the same Stan data either way
    a, b = bp.make_standata(_formula(loop=False), _data(), prior=PRIOR), bp.make_standata(_formula(), _data(), prior=PRIOR)
    assert a.keys() == b.keys() and all(np.array_equal(np.asarray(a[k]), np.asarray(b[k])) for k in a)


@pytest.mark.parametrize("expr, why", [("a * exp(b + z)", "'*' between two vectors"), ("a / z + b", "'/' between two vectors"),
                                       ("a + b * (z > 0)", "comparison"), ("ifelse(z > 0, a, b)", "comparison"),
                                       ("a + step(b)", "step")])
def test_refuses_what_stan_rejects_on_vectors(expr: str, why: str) -> None:
    with pytest.raises(FormulaError, match=r"loop=False.*" + why):
        bp.make_stancode(_formula(expr, loop=False), _data(), prior=PRIOR)
    code = bp.make_stancode(_formula(expr), _data(), prior=PRIOR)  # the loop (default) takes it
    stanli.stan_to_mir(code)


def test_bad_value_and_saved_formula() -> None:
    with pytest.raises(FormulaError, match="loop=.... takes True or False"):
        bp.bf("y ~ a", "a ~ 1", nl=True, loop="no")
    f = _formula(loop=False)
    assert formula_from_json(formula_to_json(f)) == f
    assert "loop" not in formula_to_json(_formula())  # files of fits without it stay as they were
