"""``gp()`` beyond one covariate: several covariates (isotropic or not), kernels, ``scale``, ``gr``, ``cmc``.

- golden programs that stanc accepts;
- the numpy spectral densities integrate to the kernel's variance (their normalising constants);
- numpy log-likelihood equal to Stan's density on short fits of every structure, and predictions on
  the model data as new data equal the fitted ones;
- recovery of a known 2-D surface with a non-isotropic GP whose second covariate is irrelevant;
- refusals with brms's reasons.
(Stan data and default priors against brms 2.18: the ``sp_gp_*`` cases of ``tests/test_brms_reference.py``.)
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate

import brmspy as bp
from brmspy.core.errors import DataError, FormulaError
from brmspy.specials.gp import cov_matrix, spd
from tests.checks import assert_golden, assert_loglik_matches_stan


def _data(n: int = 30, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"y": rng.normal(size=n), "x1": rng.normal(size=n).round(1), "x2": rng.normal(size=n).round(1),
                       "z": rng.normal(size=n), "f": rng.choice(["a", "b", "c"], n)})
    df["o"] = pd.Categorical(df["f"], categories=["a", "b", "c"], ordered=True)
    return df


GOLDEN = {
    "gp_two_d_iso": "y ~ gp(x1, x2)",
    "gp_iso_false_matern52": 'y ~ gp(x1, x2, iso = FALSE, cov = "matern52")',
    "gp_approx_iso_false_matern32": 'y ~ gp(x1, x2, k = 4, c = c(5/4, 3/2), cov = "matern32", iso = FALSE)',
    "gp_by_cmc_false_nogr": "y ~ gp(x1, by = f, cmc = FALSE, gr = FALSE)",
    "gp_approx_by_nogr": "y ~ gp(x1, by = f, k = 5, gr = FALSE)",
    "gp_exponential_noscale_numeric_by": 'y ~ gp(x1, cov = "exponential", scale = FALSE, by = z)',
    "gp_by_ordered_cmc_false": "y ~ gp(x1, by = o, cmc = FALSE)",
}


@pytest.mark.parametrize("name", list(GOLDEN))
def test_golden_and_stanc(name: str, update_golden: bool) -> None:
    code = bp.make_stancode(GOLDEN[name], _data())
    assert_golden(name, code, update_golden)


def test_standata_shapes() -> None:
    df = _data()
    sd = bp.make_standata("y ~ gp(x1, x2, k = 4, iso = FALSE)", df)
    assert sd["Dgp_1"] == 2 and sd["NBgp_1"] == 16 and sd["Xgp_1"].shape == (sd["Nsubgp_1"], 16)
    assert sd["slambda_1"].shape == (16, 2)
    # expand.grid order: the first dimension runs fastest
    np.testing.assert_allclose(sd["slambda_1"][:5, 0] / sd["slambda_1"][0, 0], [1, 2, 3, 4, 1])
    sd = bp.make_standata("y ~ gp(x1, gr = FALSE, scale = FALSE)", df)
    assert "Jgp_1" not in sd and "Nsubgp_1" not in sd
    np.testing.assert_array_equal(sd["Xgp_1"][:, 0], df["x1"])  # every row, unscaled
    sd = bp.make_standata("y ~ gp(x1, by = f, cmc = FALSE)", df)
    counts = df["f"].value_counts()
    assert list(sd["Ngp_1"]) == [len(df), counts["b"], counts["c"]]


def test_prior_table_names_each_length_scale() -> None:
    p = bp.get_prior("y ~ gp(x1, x2, by = f, iso = FALSE)", _data(60))
    coefs = list(p.loc[p["class"] == "lscale", "coef"])
    # brms's order: sub-GP by sub-GP, covariates within
    assert coefs == ["", "gpx1x2fax1", "gpx1x2fax2", "gpx1x2fbx1", "gpx1x2fbx2", "gpx1x2fcx1", "gpx1x2fcx2"]
    assert all(v.startswith("inv_gamma(") for v in p.loc[(p["class"] == "lscale") & (p["coef"] != ""), "prior"])
    code = bp.make_stancode("y ~ gp(x1, x2, iso = FALSE)", _data(),
                            prior=bp.prior("normal(0, 1)", class_="lscale", coef="gpx1x2x2"))
    assert "lprior += normal_lpdf(lscale_1[1][2] |" in code and "lprior += inv_gamma_lpdf(lscale_1[1][1] |" in code


@pytest.mark.parametrize("cov", ["exp_quad", "matern32", "matern52"])
@pytest.mark.parametrize("iso", [True, False])
def test_spectral_density_integrates_to_the_variance(cov: str, iso: bool) -> None:
    """k(0) = (2 pi)^-D times the integral of the spectral density (D = 2)."""
    sdgp, ls = np.array([1.3]), np.array([[0.4]] if iso else [[0.4, 0.7]])

    def s(w1, w2):
        return spd(cov, np.array([[w1, w2]]), sdgp, ls)[0, 0]

    total, _ = integrate.dblquad(s, -60, 60, -60, 60, epsabs=1e-6)
    assert total / (2 * math.pi) ** 2 == pytest.approx(1.3 ** 2, rel=2e-3)
    # and the kernel at distance 0 is the variance, for every structure
    x = np.zeros((1, 2))
    assert cov_matrix(cov, x, x, 1.3, ls[0])[0, 0] == pytest.approx(1.3 ** 2)


FITTED = [
    'y ~ gp(x1, x2, iso = FALSE, cov = "matern52")',
    'y ~ gp(x1, x2, k = 4, c = c(5/4, 3/2), cov = "matern32", iso = FALSE)',
    "y ~ gp(x1, by = f, cmc = FALSE, gr = FALSE, k = 5)",
    'y ~ gp(x1, by = f, cmc = FALSE, cov = "exponential")',
    "y ~ gp(x1, x2, k = 3, cov = \"matern52\") + gp(z, scale = FALSE, gr = FALSE, by = x1)",
    "y ~ gp(x1, by = o, cmc = FALSE)",
    "y ~ gp(x1, by = o, cmc = FALSE, k = 5, gr = FALSE)",
]


@pytest.mark.parametrize("formula", FITTED)
def test_loglik_equals_stan_and_new_data(formula: str) -> None:
    df = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 200 iterations: convergence warnings are expected
        fit = bp.brm(formula, df, chains=1, iter=200, seed=1, refresh=0)
    # exact GPs: nearly singular kernel matrices, whose Cholesky factors Stan and numpy round differently
    # (tolerance from Cholesky's backward error, tests/checks.py); approximate GPs factor nothing
    assert_loglik_matches_stan(fit, cholesky_rounding=True)
    # the model data as new data: same basis (approximate) or kriging at the fitted points (exact)
    np.testing.assert_allclose(bp.posterior_linpred(fit, newdata=df), bp.posterior_linpred(fit), atol=1e-4)
    names = set(fit.draws().columns)
    assert any(n.startswith("sdgp_gp") for n in names) and any(n.startswith("zgp_gp") for n in names)


def test_draw_names_of_non_isotropic_by_gp() -> None:
    df = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm('y ~ gp(x1, x2, by = f, iso = FALSE, k = 3)', df, chains=1, iter=100, seed=2, refresh=0)
        s = fit.summary()
    assert list(s.sections["gp"].index) == [
        "sdgp(gpx1x2fa)", "sdgp(gpx1x2fb)", "sdgp(gpx1x2fc)",
        "lscale(gpx1x2fax1)", "lscale(gpx1x2fbx1)", "lscale(gpx1x2fcx1)",
        "lscale(gpx1x2fax2)", "lscale(gpx1x2fbx2)", "lscale(gpx1x2fcx2)"]
    d = fit.draws()
    np.testing.assert_array_equal(d["lscale_gpx1x2fbx2"], fit.stan_draws.params["lscale_1"][..., 1, 1].ravel())
    assert {"zgp_gpx1x2fa[9]", "zgp_gpx1x2fc[1]"} <= set(d.columns)


@pytest.fixture(scope="module")
def fit_surface():
    rng = np.random.default_rng(7)
    n = 120
    df = pd.DataFrame({"x1": rng.uniform(-2, 2, n), "x2": rng.uniform(-2, 2, n)})
    df["y"] = np.sin(1.5 * df["x1"]) + rng.normal(0, 0.3, n)  # x2 plays no part
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a few divergences are usual for GP length scales
        return bp.brm("y ~ gp(x1, x2, k = 8, iso = FALSE)", df, chains=2, iter=600, seed=5, refresh=0)


def test_non_isotropic_gp_recovers_a_surface(fit_surface):
    d = fit_surface.draws()
    sigma = d["sigma"].to_numpy()
    assert abs(sigma.mean() - 0.3) < 4 * sigma.std()
    grid = pd.DataFrame({"x1": np.linspace(-1.8, 1.8, 25), "x2": np.linspace(1.5, -1.5, 25)})
    ep = bp.posterior_epred(fit_surface, newdata=grid)
    truth = np.sin(1.5 * grid["x1"].to_numpy())
    lo, hi = np.quantile(ep, [0.005, 0.995], axis=0)
    assert ((truth >= lo) & (truth <= hi)).mean() >= 0.9
    assert np.sqrt(np.mean((ep.mean(axis=0) - truth) ** 2)) < 0.15
    # the irrelevant covariate gets the longer length scale
    assert np.median(d["lscale_gpx1x2x2"]) > 2 * np.median(d["lscale_gpx1x2x1"])


@pytest.mark.parametrize("formula, error, match", [
    ('y ~ gp(x1, k = 5, cov = "exponential")', FormulaError, "approximate GPs with cov"),
    ("y ~ gp(x1, x2, k = 4, c = c(1, 2, 3))", FormulaError, "same length"),
    ("y ~ gp(x1, x2, iso = maybe)", FormulaError, "TRUE or FALSE"),
    ('y ~ gp(x1, cov = "rbf")', FormulaError, "one of"),
    ("y ~ gp(c1)", DataError, "scale = FALSE"),
])
def test_refusals(formula, error, match):
    df = _data()
    df["c1"] = 1.0
    with pytest.raises(error, match=match):
        bp.make_stancode(formula, df)


@pytest.fixture(scope="module")
def fit_matern():
    rng = np.random.default_rng(3)
    x = np.round(np.linspace(0, 6, 40), 2)
    df = pd.DataFrame({"x": x, "y": np.sin(x) + rng.normal(0, 0.25, len(x))})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm('y ~ gp(x, cov = "matern32")', df, chains=2, iter=400, seed=9, refresh=0)


def test_matern32_gp_recovers_a_curve(fit_matern):
    d = fit_matern.draws()
    sigma = d["sigma"].to_numpy()
    assert abs(sigma.mean() - 0.25) < 4 * sigma.std()
    grid = pd.DataFrame({"x": np.linspace(0.2, 5.8, 15)})
    ep = bp.posterior_epred(fit_matern, newdata=grid)
    assert np.sqrt(np.mean((ep.mean(axis=0) - np.sin(grid["x"].to_numpy())) ** 2)) < 0.2
    assert {"sdgp_gpx", "lscale_gpx", "zgp_gpx[40]"} <= set(d.columns)


def test_ordered_by_cmc_false_uses_polynomial_contrasts() -> None:
    """brms: a GP on every row plus one per column of contr.poly, each on every row times its level's value."""
    df = _data()
    sd = bp.make_standata("y ~ gp(x1, by = o, cmc = FALSE)", df)
    assert list(sd["Ngp_1"]) == [len(df)] * 3
    codes = df["o"].cat.codes.to_numpy()
    np.testing.assert_allclose(sd["Cgp_1_2"], np.array([-1, 0, 1])[codes] / np.sqrt(2), atol=1e-12)
    np.testing.assert_allclose(sd["Cgp_1_3"], np.array([1, -2, 1])[codes] / np.sqrt(6), atol=1e-12)
    prior = bp.get_prior("y ~ gp(x1, by = o, cmc = FALSE)", df)
    assert {"gpx1oIntercept", "gpx1o.L", "gpx1o.Q"} <= set(prior.loc[prior["class"] == "sdgp", "coef"])
    new = df.iloc[:4].copy()
    new["o"] = pd.Categorical(["a", "b", "c", "z"], categories=["a", "b", "c", "z"], ordered=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y ~ gp(x1, by = o, cmc = FALSE, k = 5)", df, chains=1, iter=100, seed=2, refresh=0)
    with pytest.raises(DataError):
        bp.posterior_epred(fit, newdata=new)


@pytest.fixture(scope="module")
def fit_ordered_by():
    """Three ordered groups: a shared curve plus a linear trend over the levels (the .L contrast GP)."""
    rng = np.random.default_rng(12)
    n = 90
    lev = np.repeat([0, 1, 2], n // 3)
    x = np.tile(np.linspace(-2, 2, n // 3), 3)
    df = pd.DataFrame({"x": x.round(3), "o": pd.Categorical(np.array(["lo", "mid", "hi"])[lev],
                                                           categories=["lo", "mid", "hi"], ordered=True)})
    truth = np.sin(x) + (lev - 1) * 0.8 * np.cos(x)
    df["y"] = truth + rng.normal(0, 0.2, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y ~ gp(x, by = o, cmc = FALSE, k = 8)", df, chains=2, iter=500, seed=4, refresh=0)
    return fit, df, truth


def test_ordered_by_gp_recovers_level_curves(fit_ordered_by):
    fit, df, truth = fit_ordered_by
    sigma = fit.draws()["sigma"].to_numpy()
    assert abs(sigma.mean() - 0.2) < 4 * sigma.std()
    ep = bp.posterior_epred(fit)
    lo, hi = np.quantile(ep, [0.005, 0.995], axis=0)
    assert ((truth >= lo) & (truth <= hi)).mean() >= 0.9
    assert np.sqrt(np.mean((ep.mean(axis=0) - truth) ** 2)) < 0.12
