"""Monotonic and measurement-error terms varying by group: ``(mo(x) | g)``, ``(me(x, sdx) * z | g)`` (issue 21).

As brms 2.18 (``split_re_terms``): the sp part of a group-level term gets its own coefficients in the
block (``sd_g__mox``, ``r_g[level,mox]``), correlated with the term's other effects unless ``||``; they
have no ``Z`` data and are added to the population-level ``bsp`` coefficient:
``mu += (bsp[1] + r_1_2[J_1]) .* mo(simo_1, Xmo_1)``. A varying sp term without the population-level
term is refused with brms's message. Golden code accepted by stanc, numpy log-likelihood equal to
Stan's, recovery of simulated truth and predictions on new levels.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.core.errors import FormulaError
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

B_MO, SD_MO, SD_INT, SIMPLEX, SIGMA = 0.6, 0.4, 0.5, np.array([0.6, 0.3, 0.1]), 0.5


def sp_data(n: int = 480, levels: int = 24, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(levels), n // levels)
    xmo = rng.integers(0, 4, n)
    mo = 3 * np.concatenate([[0.0], np.cumsum(SIMPLEX)])[xmo]
    r_int, r_mo = rng.normal(0, SD_INT, levels), rng.normal(0, SD_MO, levels)
    x, z = rng.normal(size=n), rng.normal(size=n)
    y = 1 + r_int[g] + (B_MO + r_mo[g]) * mo + rng.normal(0, SIGMA, n)
    return pd.DataFrame({"y": y, "xmo": xmo, "g": [f"G{i:02d}" for i in g], "x": x, "z": z,
                         "sdx": np.full(n, 0.3), "h": rng.integers(1, 5, n)})


GOLDEN = {
    "sp_mo_group": "y ~ mo(xmo) + (mo(xmo) | g)",
    "sp_mo_group_uncor": "y ~ x + mo(xmo) + (mo(xmo) || g)",
    "sp_me_group": "y ~ me(x, sdx) * z + (me(x, sdx) * z | g)",
    "sp_mo_group_mm": "y ~ mo(xmo) + (mo(xmo) | mm(g, h))",
}


@pytest.mark.parametrize("name", list(GOLDEN))
def test_golden_and_stanc(name: str, update_golden: bool) -> None:
    code = bp.make_stancode(GOLDEN[name], sp_data())
    assert_golden(name, code, update_golden)


def test_structure_follows_brms() -> None:
    code = bp.make_stancode(GOLDEN["sp_mo_group"], sp_data())
    assert "(bsp[1] + r_1_2[J_1]) .* mo(simo_1, Xmo_1)" in code and "Z_1_2" not in code
    uncor = bp.make_stancode(GOLDEN["sp_mo_group_uncor"], sp_data())  # '||': two blocks, as brms
    assert "(bsp[1] + r_2_1[J_2]) .* mo(simo_1, Xmo_1)" in uncor and "r_1_1[J_1] .* Z_1_1" in uncor
    p = bp.get_prior(GOLDEN["sp_me_group"], sp_data())
    assert list(p[(p["class"] == "sd") & (p["group"] == "g")]["coef"]) == ["", "Intercept", "mexsdx", "mexsdx:z", "z"]


def test_refusals_name_the_reason() -> None:
    with pytest.raises(FormulaError, match="require corresponding population-level terms"):
        bp.make_stancode("y ~ x + (mo(xmo) | g)", sp_data())
    with pytest.raises(FormulaError, match="splines or GPs"):
        bp.make_stancode("y ~ x + (s(x) | g)", sp_data())


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(GOLDEN["sp_mo_group"], sp_data(), chains=2, iter=1000, seed=11, refresh=0)


def test_names(fit) -> None:
    names = list(fit.draws_dict)
    for n in ("bsp_moxmo", "sd_g__Intercept", "sd_g__moxmo", "cor_g__Intercept__moxmo", "r_g[G00,moxmo]",
              "simo_moxmo1[1]"):
        assert n in names, n


def test_recovery(fit) -> None:
    assert_recovers(fit.draws_dict, {"bsp_moxmo": B_MO, "sd_g__moxmo": SD_MO, "sd_g__Intercept": SD_INT,
                                     "sigma": SIGMA, "simo_moxmo1[1]": SIMPLEX[0]})


def test_loglik_matches_stan(fit) -> None:
    assert_loglik_matches_stan(fit)


def test_epred_is_the_varying_slope(fit) -> None:
    d = {k: np.asarray(v).ravel() for k, v in fit.draws_dict.items()}
    new = pd.DataFrame({"xmo": [0, 3, 2], "g": ["G03", "G03", "G03"]})
    ep = bp.posterior_epred(fit, newdata=new)
    slope = d["bsp_moxmo"] + d["r_g[G03,moxmo]"]
    base = d["b_Intercept"] + d["r_g[G03,Intercept]"]
    np.testing.assert_allclose(ep[:, 0], base)
    np.testing.assert_allclose(ep[:, 1], base + 3 * slope)
    zeta = np.column_stack([d[f"simo_moxmo1[{j}]"] for j in (1, 2, 3)])
    np.testing.assert_allclose(ep[:, 2], base + 3 * (zeta[:, 0] + zeta[:, 1]) * slope)
    without = bp.posterior_epred(fit, newdata=new, re_formula="~ 0")
    np.testing.assert_allclose(without[:, 1], d["b_Intercept"] + 3 * d["bsp_moxmo"])
    same = bp.posterior_epred(fit, newdata=new, re_formula="~ (mo(xmo) | g)")  # the term's sp part selected too
    np.testing.assert_allclose(same, ep)
    intercepts = bp.posterior_epred(fit, newdata=new, re_formula="~ (1 | g)")  # the varying slope left out
    np.testing.assert_allclose(intercepts[:, 1], base + 3 * d["bsp_moxmo"])
    novel = bp.posterior_epred(fit, newdata=new.assign(g="NEW"), allow_new_levels=True, seed=1)
    assert novel.shape == (1000, 3) and np.isfinite(novel).all()


B_ME, SD_ME, SDX = 0.8, 0.5, 0.3


@pytest.fixture(scope="module")
def fit_me():
    """y = 1 + (bsp + r_g) * x_true + noise, with x observed as x_true + N(0, sdx): ``(me(x, sdx) | g)``."""
    rng = np.random.default_rng(21)
    levels, n = 15, 225
    g = np.repeat(np.arange(levels), n // levels)
    x_true = rng.normal(size=n)
    r_me = rng.normal(0, SD_ME, levels)
    y = 1 + (B_ME + r_me[g]) * x_true + rng.normal(0, SIGMA, n)
    df = pd.DataFrame({"y": y, "x": x_true + rng.normal(0, SDX, n), "sdx": np.full(n, SDX),
                       "g": [f"G{i:02d}" for i in g]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm("y ~ me(x, sdx) + (1 + me(x, sdx) | g)", df, chains=2, iter=600, seed=5, refresh=0)


def test_me_group_recovery_and_loglik(fit_me) -> None:
    assert_recovers(fit_me.draws_dict, {"bsp_mexsdx": B_ME, "sd_g__mexsdx": SD_ME, "sigma": SIGMA,
                                        "b_Intercept": 1.0})
    assert "r_g[G00,mexsdx]" in fit_me.draws_dict
    assert_loglik_matches_stan(fit_me)
