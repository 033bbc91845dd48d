"""brms's tests [189, 193, 194, 197, 275] (issue 21): special terms brmspy does not build yet are refused
with a message naming the feature, not as unknown functions."""

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
    ("y ~ I(me(x, xsd)^2)", r"special terms inside arithmetic or I\(\)"),
    ("y ~ I(log(mo(x)))", r"special terms inside arithmetic or I\(\)"),
    ("y ~ (1 + mmc(w1, w2) | mm(g1, g2))", "multi-membership covariates"),
])
def test_refused_with_the_feature_named(formula: str, match: str) -> None:
    with pytest.raises(FormulaError, match=match):
        bp.make_stancode(formula, _data())
