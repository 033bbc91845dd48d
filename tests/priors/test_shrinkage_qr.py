"""Shrinkage priors with the QR decomposition, as brms 2.18: ``bf(y ~ x1 + x2, decomp = "QR")`` with ``horseshoe(1)``.

brms 2.18 puts the prior on the coefficients of the QR scale (``bQ = horseshoe(zb, ...)``) and reports
``b = XR_inv * bQ``; brmspy writes current brms's form of the same model, ``bQ = zbQ .* sdbQ`` with ``sdbQ``
from the prior's ``scales``. Bounds on ``b`` stay refused (brms: "Cannot add bounds to class b for this
prior"). brms's test-suite case [246]. (Stan data and priors against brms 2.18: ``opt_qr_horseshoe``,
``opt_qr_horseshoe_sigma``, ``opt_qr_r2d2`` in ``tests/package/test_brms_reference.py``.)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.core.errors import PriorError
from tests.checks import assert_golden, assert_loglik_matches_stan


def _data(n: int = 120, seed: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    X[:, 1] += 0.8 * X[:, 0]  # correlated columns: where QR helps
    y = 1.0 + 1.5 * X[:, 0] + rng.normal(0, 1, n)  # x2..x4 have no effect
    return pd.DataFrame({"y": y, "x1": X[:, 0], "x2": X[:, 1], "x3": X[:, 2], "x4": X[:, 3],
                         "cnt": rng.poisson(np.exp(0.5 + 0.3 * X[:, 0]))})


CASES = {
    "qr_horseshoe": (bp.bf("y ~ x1 + x2 + x3 + x4", decomp="QR"), "gaussian", bp.prior("horseshoe(1)")),
    "qr_horseshoe_sigma_qr": (bp.bf("y ~ x1 + x2", decomp="QR") + bp.lf("sigma ~ 0 + x1 + x2", decomp="QR"), "gaussian",
                              bp.prior("horseshoe(1)")),
    "qr_r2d2_poisson": (bp.bf("cnt ~ x1 + x2 + x3", decomp="QR"), "poisson", bp.prior("R2D2(0.5, 2)")),
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_code_and_stanc(name: str, update_golden: bool) -> None:
    formula, family, prior = CASES[name]
    code = bp.make_stancode(formula, _data(n=30), family, prior)
    assert_golden(name, code, update_golden)
    stanli.stan_to_mir(code)
    assert "bQ = zbQ .* sdbQ;" in code and "vector[Kc] b = XR_inv * bQ;" in code
    assert "Xc * b" not in code and "vector[Kc] bQ;  // regression coefficients at QR scale" not in code


def test_bounds_still_refused() -> None:
    with pytest.raises(PriorError, match=r"Cannot add bounds to class 'b'.*decomp = 'QR'"):
        bp.make_stancode(bp.bf("y ~ x1 + x2", decomp="QR"), _data(n=30), prior=bp.prior("normal(0, 1)", lb=0))


@pytest.fixture(scope="module")
def fit():
    formula, family, prior = CASES["qr_horseshoe"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a few divergences are usual with the horseshoe
        return bp.brm(formula, _data(), family, prior=prior, seed=3, refresh=0, iter=800, chains=2)


@pytest.mark.slow
def test_fit_reports_b_and_shrinks(fit) -> None:
    assert_loglik_matches_stan(fit)
    dd = {k: np.asarray(v).reshape(-1) for k, v in fit.draws_dict.items()}
    b = np.column_stack([dd[f"b_x{j}"] for j in range(1, 5)])
    assert abs(b[:, 0].mean() - 1.5) < 4 * b[:, 0].std()
    # the null coefficients are shrunk towards zero: small posterior means, intervals covering 0
    for j in (1, 2, 3):
        lo, hi = np.quantile(b[:, j], [0.025, 0.975])
        assert lo < 0 < hi and abs(b[:, j].mean()) < 0.25, (j, b[:, j].mean())
