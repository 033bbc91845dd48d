"""gr(g, cov = M) with correlated effects: brms's programs add only the Cholesky entries of M above
1e-10, so a factor with negative entries gives brms another covariance; brmspy uses M as given and
says so (README "Differences from brms")."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp

LEVELS = [f"l{i}" for i in range(5)]


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame({"g": np.repeat(LEVELS, 4), "x": rng.normal(size=20), "y": rng.normal(size=20)})


def _cov(off: float) -> pd.DataFrame:
    a = np.eye(5)
    a[0, 1] = a[1, 0] = off
    return pd.DataFrame(a, index=LEVELS, columns=LEVELS)


@pytest.mark.parametrize("formula", ["y ~ x + (1 + x | gr(g, cov = A))"])
def test_negative_cholesky_entries_warn_for_correlated_effects(formula: str) -> None:
    with pytest.warns(bp.DataWarning, match="negative entries"):
        code = bp.make_stancode(formula, _data(), data2={"A": _cov(-0.4)})
    assert "scale_r_cor_cov(z_1, sd_1, L_1, Lcov_1)" in code


@pytest.mark.parametrize("formula, off", [
    ("y ~ x + (1 + x | gr(g, cov = A))", 0.4),  # non-negative factor: brms's model is the same
    ("y ~ x + (1 | gr(g, cov = A))", -0.4),  # one effect: brms multiplies by the whole factor too
])
def test_no_warning_where_brms_fits_the_same_model(formula: str, off: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", bp.DataWarning)
        bp.make_stancode(formula, _data(), data2={"A": _cov(off)})
