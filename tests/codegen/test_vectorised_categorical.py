"""categorical: the likelihood of all rows at once (no per-row function call, issue 24 goal 2).

The vectorised form (``categorical_logit_rows`` in ``snippets/likelihood.stan.j2``) must give the
log density and gradient of brms's row-wise ``categorical_logit_lpmf`` exactly, also far in the
tails (where a naive sum of exponentials overflows). The row-wise program is brmspy's own program
with the block swapped back to brms's loop.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.backends import get_backend

ROWWISE = """    for (n in 1:N) {{
      mu_rows[n] = transpose([{elems}]);
    }}
    for (n in 1:N) {{
      target += categorical_logit_lpmf(Y[n] | mu_rows[n]);
    }}
"""


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 120
    g = np.repeat(np.arange(12), 10)
    x, z = rng.normal(size=n), rng.normal(size=n)
    s = np.stack([np.zeros(n), 0.4 + 0.9 * x + rng.normal(0, 0.5, 12)[g], -0.3 - 0.7 * x + 0.5 * z], axis=1)
    p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    y = np.array(list("ABC"))[[rng.choice(3, p=row) for row in p]]
    return pd.DataFrame({"y": y, "x": x, "z": z, "g": [f"g{k}" for k in g]})


def _rowwise(code: str) -> str:
    """The same program with the matrix ``mu`` and the vectorised block replaced by brms's row loop."""
    cols = dict(re.findall(r"\n    mu\[, (\d+)\] = ([^;]+);", code))
    elems = ", ".join("0" if cols[k] == "rep_vector(0, N)" else f"{cols[k]}[n]" for k in sorted(cols, key=int))
    out = re.sub(r"\n    mu\[, \d+\] = [^;]+;", "", code)
    out = out.replace("matrix[N, ncat] mu;", "array[N] vector[ncat] mu_rows;")
    start = out.index("    {\n      vector[N] cat_max")
    end = out.index("    }\n", out.index("target += sum(rows_dot_product(Yind, mu)")) + len("    }\n")
    out = out[:start] + ROWWISE.format(elems=elems) + out[end:]
    return re.sub(r"\n\s*matrix\[N, ncat\] Yind[^\n]*|\n\s*for \(n in 1:N\) Yind\[n, Y\[n\]\] = 1;", "", out)


@pytest.mark.parametrize(("formula", "family"), [
    ("y ~ x", bp.categorical()),
    (bp.bf("y ~ x + (1 | g)", "muC ~ z"), bp.categorical()),
    ("y ~ x + z", bp.categorical(refcat="B")),
])
def test_same_log_density_and_gradient_as_rowwise(formula, family):
    df = _data()
    build = bp.build_model(formula, df, family)
    assert "cat_total" in build.code and "categorical_logit_lpmf" not in build.code  # no per-row call
    rowwise = _rowwise(build.code)
    assert "categorical_logit_lpmf(Y[n] | mu_rows[n])" in rowwise and "Yind" not in rowwise
    ours = stanli.Model(stan_code=build.code, data=build.data)
    theirs = stanli.Model(stan_code=rowwise, data=build.data)
    backend = get_backend("stanli")
    n = backend.unconstrained_size(backend.compile(build.code), build.data)
    rng = np.random.default_rng(1)
    for scale in (0.5, 3.0, 40.0):  # 40: predictors far apart, probabilities far below 1e-10
        theta = rng.normal(0, scale, n)
        lp1, g1 = ours.log_prob_grad(theta)
        lp2, g2 = theirs.log_prob_grad(theta)
        assert np.isfinite(lp1)
        np.testing.assert_allclose(lp1, lp2, rtol=1e-11)
        np.testing.assert_allclose(g1, g2, rtol=1e-8, atol=1e-8)


def test_weighted_categorical_keeps_the_row_loop():
    code = bp.make_stancode("y | weights(w) ~ x", _data().assign(w=1.0), bp.categorical())
    assert "cat_total" not in code and "weights[n] * categorical_logit_lpmf(Y[n] | mu[n])" in code
