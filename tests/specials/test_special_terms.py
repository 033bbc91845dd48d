"""Special predictor terms sharing ``bsp``: monotonic effects ``mo(x)`` and measurement error ``me(x, sdx)``.

Golden Stan code accepted by stanc, brms's prior table and names, parameter
recovery by sampling (simplex and total effect of ``mo(x)``; the slope of the
latent value of ``me(x, sdx)``, which a naive fit attenuates), numpy
log-likelihood equal to Stan's, predictions on new data, and bad input.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from tests.checks import assert_golden, assert_loglik_matches_stan

SIMO = np.array([0.6, 0.3, 0.1])  # true monotonic simplex (D = 3)
BSP = 2.0  # true average difference between adjacent categories (total effect: D * BSP)
ME_SLOPE, ME_MEAN, ME_SD = 1.5, 1.0, 1.0  # y slope on the latent x; latent x ~ N(1, 1)


def _mo_effect(x: np.ndarray) -> np.ndarray:
    cum = np.concatenate([[0.0], len(SIMO) * np.cumsum(SIMO)])
    return BSP * cum[x]


def sim_data(n: int = 300, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, n)
    latent = rng.normal(ME_MEAN, ME_SD, n)
    sdx = rng.uniform(0.4, 0.8, n)
    z = rng.normal(size=n)
    levels = ["none", "low", "mid", "high"]
    return pd.DataFrame({
        "y_mo": 1.0 + _mo_effect(x) + 0.3 * z + rng.normal(0, 0.5, n),
        "y_me": 0.5 + ME_SLOPE * latent + rng.normal(0, 0.5, n),
        "x": x,
        "xo": pd.Categorical(np.array(levels)[x], categories=levels, ordered=True),
        "xme": latent + rng.normal(0, sdx),
        "sdx": sdx,
        "z": z,
    })


def _fit(formula, data, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small fits: occasional low-ESS warnings are not the point here
        return bp.brm(formula, data=data, chains=2, iter=1000, seed=3, refresh=0, **kw)


@pytest.fixture(scope="module")
def mo_fit():
    return _fit("y_mo ~ z + mo(x)", sim_data())


@pytest.fixture(scope="module")
def me_fit():
    return _fit("y_me ~ me(xme, sdx)", sim_data())


def _covers(draws: np.ndarray, truth: float) -> bool:
    x = np.asarray(draws).ravel()
    lo, hi = np.quantile(x, [0.025, 0.975])
    return abs(x.mean() - truth) < 4 * x.std() and lo <= truth <= hi


# ------------------------------------------------------------------ code


@pytest.mark.parametrize("name, formula", [
    ("sp_mo", "y_mo ~ mo(x)"),
    ("sp_mo_ordered_factor", "y_mo ~ z + mo(xo)"),
    ("sp_me", "y_me ~ me(xme, sdx)"),
    ("sp_mo_me", "y_mo ~ z + mo(x) + me(xme, sdx)"),
    ("sp_me_sigma", bp.bf("y_me ~ me(xme, sdx) + mo(x)", "sigma ~ me(xme, sdx)")),
])
def test_golden_and_stanc(name, formula, update_golden):
    code = bp.make_stancode(formula, data=sim_data(60))
    stanli.stan_to_mir(code)
    assert_golden(name, code, update_golden)


def test_mo_data_and_priors():
    df = sim_data(60)
    sd = bp.make_standata("y_mo ~ mo(xo) + mo(x)", df)
    assert sd["Ksp"] == 2 and sd["Imo"] == 2 and list(sd["Jmo"]) == [3, 3]
    np.testing.assert_array_equal(sd["Xmo_1"], df["xo"].cat.codes)
    np.testing.assert_array_equal(sd["Xmo_2"], df["x"] - df["x"].min())
    np.testing.assert_array_equal(sd["con_simo_1"], np.ones(3))
    gp = bp.get_prior("y_mo ~ mo(x)", df)
    rows = {(r["class"], r["coef"]): r["prior"] for _, r in gp.iterrows()}
    assert rows[("b", "mox")] == "" and rows[("simo", "mox1")] == "dirichlet(1)"
    # user priors: class b reaches bsp, class simo sets the dirichlet concentration
    p = bp.prior("normal(0, 2)", "b", coef="mox") + bp.prior("dirichlet(2)", "simo", coef="mox1")
    code = bp.make_stancode("y_mo ~ mo(x)", df, prior=p)
    sd = bp.make_standata("y_mo ~ mo(x)", df, prior=p)
    assert "lprior += normal_lpdf(bsp | prior_bsp_loc, prior_bsp_scale);" in code
    np.testing.assert_array_equal(sd["con_simo_1"], np.full(3, 2.0))
    # an integer predictor starting elsewhere than 0 is shifted, as brms does
    sd = bp.make_standata("y_mo ~ mo(x)", df.assign(x=df["x"] + 1))
    assert sd["Xmo_1"].min() == 0 and list(sd["Jmo"]) == [3]


def test_me_data_and_priors():
    df = sim_data(60)
    sd = bp.make_standata("y_me ~ me(xme, sdx)", df)
    np.testing.assert_allclose(sd["Xn_1"], df["xme"])
    np.testing.assert_allclose(sd["noise_1"], df["sdx"])
    assert sd["Mme_1"] == 1 and sd["Ksp"] == 1
    gp = bp.get_prior("y_me ~ me(xme, sdx)", df)
    rows = {(r["class"], r["coef"]) for _, r in gp.iterrows()}
    assert {("b", "mexmesdx"), ("meanme", ""), ("meanme", "mexme"), ("sdme", ""), ("sdme", "mexme")} <= rows
    code = bp.make_stancode("y_me ~ me(xme, sdx)", df, prior=bp.prior("normal(0, 5)", "meanme")
                            + bp.prior("exponential(1)", "sdme"))
    assert "lprior += normal_lpdf(meanme_1 | prior_meanme_1_loc, prior_meanme_1_scale);" in code
    assert "exponential_lpdf(sdme_1 | prior_sdme_1_rate)" in code
    # one latent variable per distinct me() term, shared by every predictor that uses it
    code = bp.make_stancode(bp.bf("y_me ~ me(xme, sdx) + me(z, sdx)", "sigma ~ me(xme, sdx)"), df)
    assert code.count("vector[N] Xme_1;") == 1 and "vector[N] Xme_2;" in code and "Xme_3" not in code
    assert "bsp_sigma[1] * Xme_1" in code


# -------------------------------------------------------------- recovery


def test_mo_recovery(mo_fit):
    d = mo_fit.draws_dict
    assert _covers(d["bsp_mox"], BSP)
    for j, truth in enumerate(SIMO, start=1):
        assert _covers(d[f"simo_mox1[{j}]"], truth), j
    assert _covers(d["b_z"], 0.3)
    # total effect: expected y at the highest minus the lowest category is D * bsp
    nd = pd.DataFrame({"x": [0, 1, 2, 3], "z": 0.0})
    ep = mo_fit.posterior_epred(nd)
    total = ep[:, 3] - ep[:, 0]
    assert _covers(total, 3 * BSP)
    np.testing.assert_allclose(total, 3 * d["bsp_mox"].ravel(), rtol=1e-10)
    # and each step between adjacent categories is its simplex share of the total
    steps = np.diff(ep, axis=1) / total[:, None]
    np.testing.assert_allclose(steps, np.column_stack([d[f"simo_mox1[{j}]"].ravel() for j in (1, 2, 3)]), rtol=1e-8)


def test_mo_summary_and_loglik(mo_fit):
    s = mo_fit.summary()
    assert "mox" in s.population.index
    assert list(s.sections["simo"].index) == ["mox1[1]", "mox1[2]", "mox1[3]"]
    text = str(s)
    assert "Monotonic Simplex Parameters:" in text
    assert "mox" in mo_fit.fixef().index
    assert_loglik_matches_stan(mo_fit)
    # predictions on the model data equal predictions on the same rows as new data
    data = mo_fit.frame.data
    np.testing.assert_allclose(bp.posterior_linpred(mo_fit, newdata=data.head(20)),
                               bp.posterior_linpred(mo_fit)[:, :20], rtol=1e-10)


def test_me_recovery(me_fit):
    d = me_fit.draws_dict
    df = sim_data()
    assert _covers(d["bsp_mexmesdx"], ME_SLOPE)
    assert _covers(d["meanme_mexme"], ME_MEAN)
    assert _covers(d["sdme_mexme"], ME_SD)
    # the naive regression on the noisy values is attenuated; the me() slope is not
    naive = np.polyfit(df["xme"], df["y_me"], 1)[0]
    assert naive < d["bsp_mexmesdx"].mean() - 2 * d["bsp_mexmesdx"].std()
    assert "mexmesdx" in me_fit.summary().population.index
    assert_loglik_matches_stan(me_fit)


def test_me_new_data(me_fit):
    # new rows: latent values drawn from normal(x, sdx); with a tiny sd the prediction is at x
    nd = pd.DataFrame({"xme": [0.0, 2.0], "sdx": [1e-6, 1e-6]})
    lp = bp.posterior_linpred(me_fit, newdata=nd)
    d = me_fit.draws_dict
    expected = d["b_Intercept"].ravel()[:, None] + d["bsp_mexmesdx"].ravel()[:, None] * nd["xme"].to_numpy()[None, :]
    np.testing.assert_allclose(lp, expected, atol=1e-4)


# ------------------------------------------------------------- bad input


def test_bad_input():
    df = sim_data(60)
    with pytest.raises(bp.DataError, match="non-integer values"):
        bp.make_stancode("y_mo ~ mo(z)", df)
    with pytest.raises(bp.DataError, match="unordered categorical"):
        bp.make_stancode("y_mo ~ mo(f)", df.assign(f=pd.Categorical(df["xo"].astype(str))))
    with pytest.raises(bp.DataError, match="only one value"):
        bp.make_stancode("y_mo ~ mo(c)", df.assign(c=1))
    with pytest.raises(bp.FormulaError, match="measurement error sd"):
        bp.make_stancode("y_me ~ me(xme)", df)
    with pytest.raises(bp.DataError, match="must be positive"):
        bp.make_stancode("y_me ~ me(xme, sdx)", df.assign(sdx=df["sdx"] - 1))
    with pytest.raises(bp.DataError, match="unique for each group"):  # brms's reason (gr= is not supported either)
        bp.make_stancode("y_me ~ me(xme, sdx, gr = x)", df)
    with pytest.raises(bp.PriorError, match="dirichlet"):
        bp.prior("normal(0, 1)", "simo", coef="mox1")
    with pytest.raises(bp.FormulaError, match="only mo\\(\\), me\\(\\) and mi\\(\\)"):  # mo(x):z: tests/specials/test_sp_interactions.py
        bp.make_stancode("y_mo ~ s(z):x", df)


def test_sample_prior_only_needs_proper_priors():
    df = sim_data(60)
    with pytest.raises(bp.PriorError, match="bsp_mox"):
        bp.brm("y_mo ~ mo(x)", data=df, sample_prior="only", chains=1, iter=100, refresh=0,
               prior=bp.prior("normal(0, 1)", "Intercept"))
    with pytest.raises(bp.PriorError, match="meanme_mexme, sdme_mexme"):
        bp.brm("y_me ~ me(xme, sdx)", data=df, sample_prior="only", chains=1, iter=100, refresh=0,
               prior=bp.prior("normal(0, 1)", "Intercept") + bp.prior("normal(0, 1)", "b"))


def test_conditional_effects(mo_fit, me_fit):
    ce = mo_fit.conditional_effects("x")["x"]
    assert list(ce["x"]) == [0, 1, 2, 3]  # integer grid for mo() variables
    assert np.all(np.diff(ce["estimate__"]) > 0)
    assert set(bp.conditional_effects(mo_fit).keys()) == {"z", "x"}
    ce = me_fit.conditional_effects("xme")["xme"]
    slope = np.polyfit(ce["xme"], ce["estimate__"], 1)[0]
    assert slope == pytest.approx(me_fit.draws_dict["bsp_mexmesdx"].mean(), rel=0.1)
