"""``bf(..., autocor = ~ ar(...))``: brms's separate autocorrelation formula is the same model as the term
in the main formula; other terms there, and CAR terms of non-linear models, are refused with the reason
(other structures of non-linear models: ``tests/specials/test_autocor_nonlinear.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.core.errors import FormulaError


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame({"y": rng.normal(size=20), "yc": rng.poisson(2, 20), "x": rng.normal(size=20),
                         "t": np.tile(np.arange(1, 11), 2), "g": np.repeat(["a", "b"], 10)})


@pytest.mark.parametrize("term, family", [("ar(time = t, gr = g, p = 2)", "gaussian"),
                                          ("arma(time = t, gr = g, cov = TRUE)", "student"),
                                          ("ar(time = t, gr = g)", "poisson")])
def test_autocor_formula_is_the_term_in_the_main_formula(term: str, family: str) -> None:
    y = "yc" if family == "poisson" else "y"
    a = bp.build_model(bp.bf(f"{y} ~ x", autocor=f"~ {term}"), _data(), family)
    b = bp.build_model(f"{y} ~ x + {term}", _data(), family)
    assert a.code == b.code
    assert a.data.keys() == b.data.keys() and all(np.array_equal(a.data[k], b.data[k]) for k in a.data)


@pytest.mark.parametrize("formula, match", [
    (bp.bf("y ~ x", autocor="~ x + ar(time = t)"), "only hold autocorrelation terms"),
    (bp.bf("y ~ a * exp(b * x)", "a ~ 1", "b ~ 1", autocor="~ car(W, gr = g)", nl=True),
     "CAR terms are not implemented for non-linear models"),
])
def test_refusals(formula, match):
    with pytest.raises(FormulaError, match=match):
        bp.make_stancode(formula, _data())
