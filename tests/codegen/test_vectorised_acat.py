"""acat with logit link: the likelihood of all rows at once (no per-row function call, issue 24).

The vectorised form must give the log density and gradient of brms's row-wise
``acat_logit_lpmf`` exactly, also far in the tails (where a naive sum of exponentials overflows).
brms's own program is compared in ``tests/families/test_ordinal.py::test_cs_program_has_brms_log_density``;
here the row-wise program is brmspy's own program with the block swapped back to the loop.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.backends import get_backend
from brmspy.families.ordinal import stan_function

ROWWISE = """    for (n in 1:N) {{
      target += acat_logit_lpmf(Y[n] | mu[n], disc, {thres});
    }}"""


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    n = 120
    g = np.repeat(np.arange(12), 10)
    x, z = rng.normal(size=n), rng.normal(size=n)
    latent = 0.8 * x + 0.5 * z + rng.normal(0, 0.5, 12)[g] + rng.logistic(size=n)
    y = np.digitize(latent, [-1.0, 0.0, 1.2]) + 1
    return pd.DataFrame({"y": y, "x": x, "z": z, "g": [f"g{k}" for k in g]})


def _rowwise(code: str, cs: bool, stable: bool = False) -> str:
    """The same program with the vectorised block replaced by brms's row loop and its function.

    ``stable``: brms's function with ``log(q)``, ``log1m(q)`` as ``log_inv_logit``/``log1m_inv_logit``
    of the same argument (brms's rounds ``q`` to 1 far in the tails, losing digits there).
    """
    start = code.index("    {\n      matrix[N, nthres] acat_x")
    end = code.index("    }\n", code.index("target += sum(Yind .* acat_sum)")) + len("    }\n")
    thres = "Intercept - transpose(mucs[n])" if cs else "Intercept"
    out = code[:start] + ROWWISE.format(thres=thres) + "\n" + code[end:]
    fun = stan_function("acat", "logit").text
    if stable:
        arg = "disc * (mu - thres[k])"
        fun = fun.replace("log(q)", f"log_inv_logit({arg})").replace("log1m(q)", f"log1m_inv_logit({arg})")
        assert "log_inv_logit" in fun and "log1m_inv_logit" in fun
    out = out.replace("data {", "functions {\n" + fun + "\n}\ndata {", 1) if "functions {" not in out else \
        out.replace("functions {", "functions {\n" + fun, 1)
    return re.sub(r"\n\s*matrix\[N, nthres \+ 1\] Yind[^\n]*|\n\s*for \(n in 1:N\) Yind\[n, Y\[n\]\] = 1;", "", out)


@pytest.mark.parametrize(("formula", "cs"), [("y ~ x + z", False), ("y ~ x + cs(z)", True),
                                             ("y ~ x + (1 | g)", False), ("y ~ x + (cs(1) | g)", True)])
def test_same_log_density_and_gradient_as_rowwise(formula, cs):
    df = _data()
    build = bp.build_model(formula, df, "acat")
    assert "acat_sum" in build.code and "acat_logit_lpmf" not in build.code  # no per-row call
    ours = stanli.Model(stan_code=build.code, data=build.data)
    theirs = stanli.Model(stan_code=_rowwise(build.code, cs), data=build.data)
    stable = stanli.Model(stan_code=_rowwise(build.code, cs, stable=True), data=build.data)
    stanli_backend = get_backend("stanli")
    n = stanli_backend.unconstrained_size(stanli_backend.compile(build.code), build.data)
    rng = np.random.default_rng(1)
    for scale in (0.5, 3.0, 15.0):  # 15: category probabilities far below 1e-10
        theta = rng.normal(0, scale, n)
        lp1, g1 = ours.log_prob_grad(theta)
        lp3, g3 = stable.log_prob_grad(theta)
        assert np.isfinite(lp1)
        np.testing.assert_allclose(lp1, lp3, rtol=1e-11)
        np.testing.assert_allclose(g1, g3, rtol=1e-8, atol=1e-8)
        if scale < 10:  # brms's own function, where it keeps its digits
            lp2, g2 = theirs.log_prob_grad(theta)
            np.testing.assert_allclose(lp1, lp2, rtol=1e-11)
            np.testing.assert_allclose(g1, g2, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize(("formula", "family"), [
    ("y | weights(w) ~ x", bp.acat()),  # weighted rows: brms's loop
    ("y ~ x", bp.acat(link="probit")),  # other links: brms's functions
    (bp.bf("y ~ x", "disc ~ z"), bp.acat()),  # disc per row
])
def test_other_acat_models_keep_the_row_loop(formula, family):
    df = _data().assign(w=1.0)
    code = bp.make_stancode(formula, df, family)
    assert "acat_sum" not in code and "for (n in 1:N)" in code
