"""Smooths (``s()``, ``t2()``) and Gaussian processes (``gp()``).

- golden Stan code (accepted by stanc) for every form of the terms;
- the numpy bases (brmspy.core.splines): cubic regression splines interpolate their
  knots and their penalty is the integrated squared second derivative, thin
  plate splines have a linear null space, the mixed-model form spans the basis;
- the Stan data structure brms uses (Ks, knots, nb, Kgp, Nsubgp, ...), prior
  tables (sds, sdgp, lscale with brms's tuned inv_gamma) and user priors;
- by sampling: ``s(x)`` and an approximate ``gp(x, k = 20)`` recover a known
  curve (posterior band covers it, small RMSE); numpy log-likelihood equals
  Stan's for smooths with ``by``, ``cr``, ``t2`` on sigma, exact and approximate
  GPs with and without ``by``; predictions on new data from the stored bases
  equal the in-sample predictions at the same covariate values;
- bad input gives FormulaError/DataError/PlotError naming the problem.
"""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.core.errors import DataError, FormulaError, PlotError
from brmspy.core.splines import CubicRegression, TensorT2, ThinPlate, mixed_form, place_knots
from brmspy.prediction.core import posterior_epred, posterior_linpred
from tests.checks import assert_golden, assert_loglik_matches_stan

matplotlib.use("Agg")


def _data(n: int = 200, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "x": rng.uniform(0, 10, n),
        "z": rng.uniform(0, 1, n),
        "w": rng.normal(size=n),
        "f": rng.choice(["a", "b"], n),
    })
    df["y"] = np.sin(df["x"]) + 0.5 * df["z"] + rng.normal(0, 0.3, n)
    return df


def _grid_data(seed: int = 2) -> pd.DataFrame:
    """Replicated covariate values: exact GPs stay well conditioned (brms groups equal values)."""
    rng = np.random.default_rng(seed)
    x = np.tile(np.linspace(0, 10, 8), 6)
    f = np.repeat(["a", "b"], 24)
    df = pd.DataFrame({"x": x, "f": f, "z": rng.uniform(0, 1, 48)})
    df["y"] = np.sin(df["x"] / 2) + (df["f"] == "b") * 0.5 + rng.normal(0, 0.3, 48)
    return df


# ------------------------------------------------------------ golden code

GOLDEN = {
    "smooth_s": ("y ~ s(x)", None),
    "smooth_s_k5": ("y ~ s(x, k = 5)", None),
    "smooth_s_cr": ('y ~ s(x, bs = "cr")', None),
    "smooth_s_by": ("y ~ f + s(x, by = f)", None),
    "smooth_t2": ("y ~ t2(x, z)", None),
    "smooth_sigma": ("y ~ s(x)", "sigma ~ s(z, k = 5)"),
    "smooth_s_w_glm": ("y ~ w + s(x)", None),
    "smooth_s_2d": ("y ~ s(x, z)", None),
    "gp_exact": ("y ~ gp(x)", None),
    "gp_approx": ("y ~ gp(x, k = 20, c = 5/4)", None),
    "gp_by": ("y ~ f + gp(x, by = f)", None),
    "gp_approx_by": ("y ~ gp(x, k = 10, by = f)", None),
    "gp_approx_by_numeric": ("y ~ gp(x, k = 10, by = w)", None),
}


@pytest.mark.parametrize("name", list(GOLDEN))
def test_golden_and_stanc(name, update_golden):
    formula, sigma = GOLDEN[name]
    df = _grid_data() if name.startswith("gp_") and "approx" not in name else _data(60)
    form = bp.bf(formula, sigma) if sigma else formula
    code = bp.make_stancode(form, df)
    stanli.stan_to_mir(code)  # stanc accepts it
    assert_golden(name, code, update_golden)


# ------------------------------------------------------------ numpy bases


def test_cr_basis_interpolates_knots_and_penalty_is_integrated_curvature():
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 10, 300)
    cr = CubicRegression.fit(x, 8)
    np.testing.assert_allclose(cr.knots, place_knots(x, 8))
    np.testing.assert_allclose(cr.design(cr.knots), np.eye(8), atol=1e-12)
    assert abs(cr.knots[0] - x.min()) < 1e-12 and abs(cr.knots[-1] - x.max()) < 1e-12
    beta = rng.normal(size=8)
    g = np.linspace(cr.knots[0], cr.knots[-1], 40001)
    f = cr.design(g) @ beta
    d2 = np.gradient(np.gradient(f, g), g)
    assert beta @ cr.S[0] @ beta == pytest.approx(np.trapezoid(d2 ** 2, g), rel=1e-3)
    lin = 2 * cr.knots - 1  # linear functions: exactly represented, no penalty
    assert abs(lin @ cr.S[0] @ lin) < 1e-8
    outside = np.array([-3.0, 13.0])
    np.testing.assert_allclose(cr.design(outside) @ lin, 2 * outside - 1, atol=1e-10)  # linear extrapolation


def test_thin_plate_null_space_and_mixed_form_span():
    rng = np.random.default_rng(4)
    x = rng.uniform(0, 10, 200)
    tp = ThinPlate.fit(x, 10)
    X = tp.design(x)
    assert X.shape == (200, 10) and tp.rank == [8]
    assert np.all(np.linalg.eigvalsh(tp.S[0][:8, :8]) > 0)
    sm = mixed_form(tp, X)
    Xf, Zr = sm.columns(X)
    assert Xf.shape == (200, 1) and [z.shape for z in Zr] == [(200, 8)]
    assert abs(np.corrcoef(Xf[:, 0], x)[0, 1]) > 0.999999  # the unpenalised part is the linear trend
    np.testing.assert_allclose(np.hstack([Xf, Zr[0]]).mean(axis=0), 0, atol=1e-12)  # sum-to-zero constraint
    A = np.hstack([np.ones((200, 1)), Xf, Zr[0]])
    assert np.linalg.matrix_rank(A) == 10  # intercept + constrained basis span the whole basis
    coef = np.linalg.lstsq(A, np.sin(x), rcond=None)[0]
    assert np.sqrt(np.mean((A @ coef - np.sin(x)) ** 2)) < 0.02
    np.testing.assert_allclose(sm.columns(tp.design(x[:5]))[0], Xf[:5])  # new data: same columns


def test_thin_plate_pure_knot_basis_when_k_equals_unique_values():
    # mgcv's "pure knot" basis (issue 21): k = number of unique values builds without the eigen step;
    # brms's numbers are checked by the corpus cases sp_s_pure_knot*
    rng = np.random.default_rng(5)
    u = np.array([0.3, 1.1, 2.5, 3.0, 4.2, 5.9, 6.1, 7.7, 8.4, 9.9])
    x = rng.permutation(np.repeat(u, 4))
    tp = ThinPlate.fit(x, 10)
    assert tp.X.shape == (40, 10) and tp.rank == [8]
    np.testing.assert_allclose(tp.design(x), tp.X, atol=1e-10)  # the knot map gives the basis back
    S = tp.S[0]
    assert np.all(np.linalg.eigvalsh(S[:8, :8]) > 0) and np.all(S[8:] == 0) and np.all(S[:, 8:] == 0)
    assert abs(np.corrcoef(tp.X[:, 9], x)[0, 1]) > 0.999999  # null space: 1 and x
    assert np.ptp(tp.X[:, 8]) == 0
    # the full spline: k unique values interpolated exactly
    coef = np.linalg.lstsq(tp.X, np.sin(x), rcond=None)[0]
    np.testing.assert_allclose(tp.X @ coef, np.sin(x), atol=1e-8)
    Xf, Zr = mixed_form(tp, tp.X).columns(tp.X)
    assert Xf.shape == (40, 1) and Zr[0].shape == (40, 8)
    sd = bp.make_standata("y ~ s(x)", pd.DataFrame({"x": x, "y": np.sin(x)}))
    assert sd["Xs"].shape == (40, 1) and sd["knots_1"].tolist() == [8]


def test_t2_blocks_have_separate_identity_penalties():
    rng = np.random.default_rng(5)
    x, z = rng.uniform(0, 10, 150), rng.uniform(0, 1, 150)
    t2 = TensorT2.fit([CubicRegression.fit(x, 5), CubicRegression.fit(z, 5)])
    X = t2.design(np.column_stack([x, z]))
    assert X.shape == (150, 25) and t2.rank == [9, 6, 6]
    sm = mixed_form(t2, t2.X)
    Xf, Zr = sm.columns(X)
    assert Xf.shape == (150, 3) and [q.shape[1] for q in Zr] == [9, 6, 6]
    np.testing.assert_allclose(Xf.mean(axis=0), 0, atol=1e-12)
    assert np.linalg.matrix_rank(np.hstack([np.ones((150, 1)), Xf, *Zr])) == 25


# ------------------------------------------------------ data and priors


def test_standata_structure_of_smooths():
    df = _data(60)
    sd = bp.make_standata("y ~ s(x)", df)
    assert sd["Ks"] == 1 and sd["nb_1"] == 1 and list(sd["knots_1"]) == [8] and sd["Zs_1_1"].shape == (60, 8)
    assert list(bp.make_standata("y ~ s(x, k = 5)", df)["knots_1"]) == [3]
    assert list(bp.make_standata('y ~ s(x, bs = "cr")', df)["knots_1"]) == [8]
    sd = bp.make_standata("y ~ t2(x, z)", df)
    assert sd["Ks"] == 3 and sd["nb_1"] == 3 and list(sd["knots_1"]) == [9, 6, 6]
    sd = bp.make_standata("y ~ f + s(x, by = f)", df)
    assert sd["Ks"] == 2 and list(sd["knots_1"]) == [8] and list(sd["knots_2"]) == [8]
    is_a = (df["f"] == "a").to_numpy()
    assert np.all(sd["Zs_1_1"][~is_a] == 0) and np.all(sd["Zs_2_1"][is_a] == 0)  # one smooth per level
    sd = bp.make_standata("y ~ s(x, by = w)", df)  # numeric by: uncentred, 2 null-space columns
    assert sd["Ks"] == 2


def test_standata_structure_of_gps():
    df = _grid_data()
    sd = bp.make_standata("y ~ gp(x)", df)
    assert sd["Kgp_1"] == 1 and sd["Nsubgp_1"] == 8 and sd["Xgp_1"].shape == (8, 1)
    np.testing.assert_allclose(sd["Xgp_1"][:, 0], np.linspace(0, 1, 8))  # scaled by the largest distance
    np.testing.assert_allclose(sd["Xgp_1"][sd["Jgp_1"] - 1, 0], df["x"] / 10)
    sd = bp.make_standata("y ~ gp(x, k = 20, c = 5/4)", df)
    assert sd["NBgp_1"] == 20 and sd["Xgp_1"].shape == (8, 20)
    L = 5 / 4 * 1.0  # c * max(1, range of the centred scaled values)
    np.testing.assert_allclose(sd["slambda_1"][:, 0], np.arange(1, 21) * np.pi / (2 * L))
    sd = bp.make_standata("y ~ gp(x, by = f)", df)
    assert sd["Kgp_1"] == 2 and list(sd["Ngp_1"]) == [24, 24] and list(sd["Nsubgp_1"]) == [8, 8]
    np.testing.assert_array_equal(sd["Igp_1_1"], np.flatnonzero(df["f"] == "a") + 1)


def test_default_priors():
    df = _data(60)
    p = bp.get_prior("y ~ s(x) + t2(w, z)", df)
    rows = {(r["class"], r["coef"]): r for _, r in p.iterrows()}
    assert rows[("sds", "")]["prior"].startswith("student_t(3, 0, ") and rows[("sds", "")]["lb"] == "0"
    assert ("sds", "s(x)") in rows and ("sds", "t2(w, z)") in rows
    assert all(("b", c) in rows for c in ["sx_1", "t2wz_1", "t2wz_2", "t2wz_3"])
    p = bp.get_prior("y ~ gp(x)", _data(200))
    rows = {(r["class"], r["coef"]): r for _, r in p.iterrows()}
    # brms's tuned prior when the smallest distance is clamped to 1% of the largest
    assert rows[("lscale", "gpx")]["prior"] == "inv_gamma(1.494197, 0.056607)"
    assert rows[("lscale", "")]["lb"] == "0" and rows[("sdgp", "")]["prior"] == "student_t(3, 0, 2.5)"
    p = bp.get_prior("y ~ gp(x, by = f)", _grid_data())
    coefs = set(p.loc[p["class"] == "lscale", "coef"])
    assert {"gpxfa", "gpxfb"} <= coefs
    tuned = p.loc[(p["class"] == "lscale") & (p["coef"] == "gpxfa"), "prior"].item()
    assert tuned.startswith("inv_gamma(") and tuned != "inv_gamma(1.494197, 0.056607)"  # 8 spaced values


def test_user_priors_reach_the_code():
    df = _data(60)
    code = bp.make_stancode("y ~ s(x)", df, prior=bp.prior("normal(0, 1)", class_="sds")
                            + bp.prior("normal(0, 5)", class_="b", coef="sx_1"))
    assert "lprior += normal_lpdf(sds_1 |" in code and "lprior += normal_lpdf(bs |" in code
    code = bp.make_stancode("y ~ gp(x)", df, prior=bp.prior("normal(0, 0.5)", class_="lscale", coef="gpx")
                            + bp.prior("exponential(1)", class_="sdgp"))
    assert "lprior += normal_lpdf(lscale_1[1][1] |" in code and "normal_lccdf(0 |" in code
    assert "lprior += exponential_lpdf(sdgp_1 |" in code


# ---------------------------------------------------------------- fits


@pytest.fixture(scope="module")
def fit_s():
    return bp.brm("y ~ s(x)", _data(200), chains=2, iter=1000, seed=11, refresh=0, control={"adapt_delta": 0.95})


@pytest.fixture(scope="module")
def fit_gp():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a few divergences are usual for the approximate GP's lscale
        return bp.brm("y ~ gp(x, k = 20, c = 5/4)", _data(200), chains=2, iter=1000, seed=12, refresh=0)


def _small_fit(formula, df, seed=3):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # short chains: convergence warnings are expected
        return bp.brm(formula, df, chains=1, iter=300, seed=seed, refresh=0)


@pytest.fixture(scope="module")
def fit_by_cr():
    return _small_fit('y ~ f + s(x, by = f) + s(z, bs = "cr", k = 5)', _data(120))


@pytest.fixture(scope="module")
def fit_t2_sigma():
    return _small_fit(bp.bf("y ~ t2(x, z)", "sigma ~ s(w, k = 5)"), _data(120))


@pytest.fixture(scope="module")
def fit_gp_exact():
    return _small_fit("y ~ gp(x) + gp(z, k = 8, by = f)", _grid_data())


@pytest.fixture(scope="module")
def fit_gp_exact_by():
    return _small_fit("y ~ f + gp(x, by = f)", _grid_data())


def test_s_recovers_a_known_curve(fit_s):
    df = fit_s.frame.data
    cs = fit_s.conditional_smooths()
    assert list(cs) == ["mu: s(x)"]
    curve = cs["mu: s(x)"]
    truth = np.sin(curve["x"]) - np.sin(df["x"]).mean()  # the smooth sums to zero over the data
    inside = (truth >= curve["lower__"]) & (truth <= curve["upper__"])
    assert inside.mean() >= 0.8  # penalised fits are biased a little at the peaks
    rmse = np.sqrt(np.mean((curve["estimate__"] - truth) ** 2))
    assert rmse < 0.12
    s = fit_s.summary()
    assert "Smoothing Spline Hyperparameters:" in str(s)
    assert list(s.sections["sds"].index) == ["sds(sx_1)"] and "sx_1" in s.population.index
    names = set(fit_s.draws().columns)
    assert {"bs_sx_1", "sds_sx_1", "s_sx_1[1]", "s_sx_1[8]"} <= names


def test_s_loglik_and_new_data(fit_s):
    assert_loglik_matches_stan(fit_s)
    df = fit_s.frame.data
    shuffled = df.sample(frac=1, random_state=1)
    a = posterior_linpred(fit_s)[:, shuffled.index.to_numpy()]
    b = posterior_linpred(fit_s, newdata=shuffled[["x"]].reset_index(drop=True))
    np.testing.assert_allclose(a, b, atol=1e-10)
    # between the data points the prediction follows the curve
    grid = pd.DataFrame({"x": np.linspace(0.5, 9.5, 30)})
    est = posterior_epred(fit_s, newdata=grid).mean(axis=0)
    assert np.sqrt(np.mean((est - np.sin(grid["x"]) - 0.25) ** 2)) < 0.15


def test_approximate_gp_recovers_a_known_curve(fit_gp):
    grid = pd.DataFrame({"x": np.linspace(0.3, 9.7, 40)})
    draws = posterior_epred(fit_gp, newdata=grid)
    truth = np.sin(grid["x"]) + 0.25  # y = sin(x) + 0.5 z, z ~ U(0, 1)
    lo, hi = np.quantile(draws, [0.025, 0.975], axis=0)
    assert ((truth >= lo) & (truth <= hi)).mean() >= 0.9
    assert np.sqrt(np.mean((draws.mean(axis=0) - truth) ** 2)) < 0.15
    s = fit_gp.summary()
    assert "Gaussian Process Hyperparameters:" in str(s)
    assert list(s.sections["gp"].index) == ["sdgp(gpx)", "lscale(gpx)"]
    assert {"sdgp_gpx", "lscale_gpx", "zgp_gpx[1]", "zgp_gpx[20]"} <= set(fit_gp.draws().columns)


def test_gp_loglik_and_new_data(fit_gp):
    assert_loglik_matches_stan(fit_gp)
    df = fit_gp.frame.data
    np.testing.assert_allclose(posterior_linpred(fit_gp), posterior_linpred(fit_gp, newdata=df[["x"]]), atol=1e-10)


@pytest.mark.parametrize("name", ["fit_by_cr", "fit_t2_sigma", "fit_gp_exact", "fit_gp_exact_by"])
def test_loglik_matches_stan_and_new_data_equal_in_sample(name, request):
    fit = request.getfixturevalue(name)
    assert_loglik_matches_stan(fit, rel=1e-6)
    df = fit.frame.data.drop(columns="y")
    for dpar in ("mu", "sigma") if name == "fit_t2_sigma" else ("mu",):
        a = posterior_linpred(fit, dpar=dpar)
        b = posterior_linpred(fit, newdata=df, dpar=dpar)
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_by_smooth_names_and_conditional_smooths(fit_by_cr, fit_t2_sigma):
    names = set(fit_by_cr.draws().columns)
    assert {"bs_sx:fa_1", "bs_sx:fb_1", "sds_sxfa_1", "sds_sxfb_1", "bs_sz_1", "sds_sz_1", "s_sz_1[3]"} <= names
    cs = fit_by_cr.conditional_smooths(resolution=20)
    assert list(cs) == ["mu: s(x, by = f)", 'mu: s(z, bs = "cr", k = 5)']
    by = cs["mu: s(x, by = f)"]
    assert len(by) == 40 and list(by["cond__"].cat.categories) == ["f = a", "f = b"]
    assert {"effect1__", "estimate__", "se__", "lower__", "upper__"} <= set(by.columns)
    figs = cs.plot(rug=True)
    assert len(figs) == 2
    ce = bp.conditional_effects(fit_by_cr, resolution=10)  # smooth covariates are effects too
    assert {"f", "x:f", "z"} <= set(ce)
    only = bp.conditional_smooths(fit_by_cr, smooths="s(z, bs = 'cr', k = 5)", resolution=10)
    assert list(only) == ['mu: s(z, bs = "cr", k = 5)'] and len(only['mu: s(z, bs = "cr", k = 5)']) == 10
    names = set(fit_t2_sigma.draws().columns)
    assert {"sds_t2xz_1", "sds_t2xz_2", "sds_t2xz_3", "bs_t2xz_3", "bs_sigma_sw_1", "sds_sigma_sw_1"} <= names
    cs = fit_t2_sigma.conditional_smooths(resolution=10)
    assert list(cs) == ["mu: t2(x, z)", "sigma: s(w, k = 5)"] and len(cs["mu: t2(x, z)"]) == 100
    assert len(cs.plot()) == 2


def test_gp_by_names(fit_gp_exact_by, fit_gp_exact):
    s = fit_gp_exact_by.summary()
    assert list(s.sections["gp"].index) == ["sdgp(gpxfa)", "sdgp(gpxfb)", "lscale(gpxfa)", "lscale(gpxfb)"]
    names = set(fit_gp_exact.draws().columns)
    assert {"sdgp_gpx", "lscale_gpx", "zgp_gpx[8]", "sdgp_gpzfa", "lscale_gpzfb", "zgp_gpzfb[8]"} <= names


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("formula, error, match", [
    ("y ~ s(x, k = 2)", FormulaError, "too small"),
    ('y ~ s(x, bs = "cr", k = 1)', FormulaError, "too small"),
    ("y ~ s(f)", DataError, "factor"),
    ('y ~ s(x, bs = "ps")', FormulaError, "Unknown smoothing basis"),
    ("y ~ s(x, m = 3)", FormulaError, "not supported"),
    ("y ~ s(x, k = 100)", DataError, "unique"),
    ("y ~ s(x, by = g)", DataError, "by-variable"),
    ("y ~ gp(x, k = 0)", FormulaError, "positive whole number"),
    ("y ~ gp(x, c = 5/4)", FormulaError, "give k"),
    ("y ~ gp(f)", DataError, "numeric covariates"),
    ("y ~ gp(x, z, k = 4, c = c(1, 2, 3))", FormulaError, "same length"),
    ('y ~ gp(x, cov = "matern")', FormulaError, "matern32"),
    ('y ~ gp(x, k = 5, cov = "exponential")', FormulaError, "approximate GPs with cov"),
])
def test_bad_input(formula, error, match):
    with pytest.raises(error, match=match):
        bp.make_stancode(formula, _data(60))


def test_bad_input_after_fitting(fit_by_cr, fit_gp, fit_gp_exact):
    with pytest.raises(DataError, match="by-variable"):
        posterior_linpred(fit_gp_exact, newdata=fit_gp_exact.frame.data.drop(columns=["y", "f"]))
    with pytest.raises(PlotError, match="no smooth terms"):
        bp.conditional_smooths(fit_gp)
    with pytest.raises(PlotError, match="No smooth term"):
        bp.conditional_smooths(fit_by_cr, smooths="s(w)")
