"""brms's tests [189, 197, 275] (issue 21): special terms inside arithmetic are read with an allow-list;
what brms refuses (mo() inside arithmetic) or what cannot be Stan code is refused with a message naming it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.core.errors import FormulaError


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n = 20
    return pd.DataFrame({"y": rng.normal(size=n), "x": rng.normal(size=n), "xsd": rng.uniform(0.1, 0.5, n),
                         "w1": rng.normal(size=n), "w2": rng.normal(size=n), "ID": np.repeat(np.arange(5), 4),
                         "g1": rng.choice(list("abc"), n), "g2": rng.choice(list("abc"), n)})


@pytest.mark.parametrize("formula, match", [
    ("y ~ I(log(mo(x)))", r"The monotonic term 'I\(log\(mo\(x\)\)\)' is invalid"),
    ("y ~ I(me(x, xsd) * w1)", r"'w1' in 'I\(me\(x, xsd\) \* w1\)'.*numbers only"),
    ("y ~ I(pmax(me(x, xsd), 0))", r"'pmax\(\)' in .* is not supported around me\(\)/mi\(\) terms"),
    ("y ~ I(me(x, xsd) > 0)", r"The operator '>' in .* is not supported"),
    ("y ~ I(s(x)^2)", r"special terms inside arithmetic or I\(\)"),
    ("y ~ mmc(w1, w2)", "multi-membership covariates belong left of '\\|'"),
])
def test_refused_with_the_feature_named(formula: str, match: str) -> None:
    with pytest.raises(FormulaError, match=match):
        bp.make_stancode(formula, _data())
