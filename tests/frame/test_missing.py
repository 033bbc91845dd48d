"""Missing-value imputation: ``x | mi()`` responses and ``mi(x)`` predictors.

Golden code + stanc; rows with NA in an imputed column are kept; the
imputation model recovers the slope of the complete-data fit and imputes
values that track the hidden truth; Stan's density equals numpy's with the
imputed values; bad input gives clear errors or warnings.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli
from scipy import stats

import brmspy as bp
from tests.checks import assert_golden, parameter_names

MI = bp.bf("y ~ mi(x) + z + (1 | g)") + bp.bf("x | mi() ~ z + (1 | g)")


def mi_data(n: int = 250, frac: float = 0.2, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(data with ``frac`` of x missing completely at random, the complete data)."""
    rng = np.random.default_rng(seed)
    g = np.arange(n) % 10
    z = rng.normal(size=n)
    x = 0.5 * z + rng.normal(0, 0.5, 10)[g] + rng.normal(0, 0.7, n)
    y = 1 + 0.8 * x - 0.3 * z + rng.normal(0, 0.4, 10)[g] + rng.normal(0, 0.5, n)
    full = pd.DataFrame({"y": y, "x": x, "z": z, "g": g})
    data = full.copy()
    data.loc[rng.random(n) < frac, "x"] = np.nan
    return data, full


def _fit(formula, data, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small fits: ESS warnings for group sds are expected
        return bp.brm(formula, data=data, chains=2, iter=600, seed=9, refresh=0, **kw)


@pytest.fixture(scope="module")
def fits():
    data, full = mi_data()
    return _fit(MI, data), _fit("y ~ x + z + (1 | g)", full), data, full


# ---------------------------------------------------------------- Stan code


@pytest.mark.parametrize("name, formula", [
    ("mi_predictor", MI),
    ("mi_response_univariate", "x | mi() ~ z + (1 | g)"),
])
def test_golden_and_stanc(name, formula, update_golden):
    code = bp.make_stancode(formula, data=mi_data(60)[0])
    stanli.stan_to_mir(code)
    assert_golden(name, code, update_golden)


def test_rows_with_missing_x_are_kept():
    data, _ = mi_data(60)
    n_missing = int(data["x"].isna().sum())
    assert n_missing > 0
    sdata = bp.make_standata(MI, data=data)
    assert sdata["N"] == 60 and sdata["Nmi_x"] == n_missing and sdata["Ksp_y"] == 1
    np.testing.assert_array_equal(sdata["Jmi_x"], np.flatnonzero(data["x"].isna()) + 1)
    assert np.isinf(sdata["Y_x"][sdata["Jmi_x"] - 1]).all()  # Stan has no NA: Inf, as brms
    code = bp.make_stancode(MI, data=data)
    assert "mu_y += Intercept_y + bsp_y[1] * Yl_x;" in code
    assert "Yl_x[Jmi_x] = Ymi_x;" in code and "normal_id_glm_lpdf(Yl_x |" in code
    table = bp.get_prior(MI, data=data)
    assert ((table["class"] == "b") & (table["coef"] == "mix") & (table["resp"] == "y")).sum() == 1
    # a row missing the (non-imputed) main response is still dropped
    data.loc[0, "y"] = np.nan
    with pytest.warns(UserWarning, match="Rows containing NAs were excluded.*column\\(s\\) y\\)"):
        assert bp.make_standata(MI, data=data)["N"] == 59


def test_bad_input():
    data, full = mi_data(60)
    with pytest.raises(bp.FormulaError, match="needs a model for 'x'.*x \\| mi\\(\\)"):
        bp.make_stancode(bp.bf("y ~ mi(x) + z") + bp.bf("z ~ 1"), data=data)
    with pytest.raises(bp.FormulaError, match="needs a model for 'x'"):
        bp.make_stancode("y ~ mi(x) + z", data=data)
    with pytest.warns(UserWarning, match="has no missing values"):
        bp.make_stancode(MI, data=full)
    counts = data.assign(k=np.where(data["x"].isna(), np.nan, 3.0))
    with pytest.raises(bp.FamilyError, match="continuous family"):
        bp.make_stancode(bp.bf("y ~ mi(k)") + bp.bf("k | mi() ~ z", family="poisson"), data=counts)
    sd = bp.make_standata("x | mi(0.5) ~ z", data=data)  # mi(sdy) works: tests/frame/test_mi_sdy.py
    assert set(sd["noise"][np.isfinite(sd["noise"])]) == {0.5}


# ---------------------------------------------------------------- sampling


def test_slope_matches_complete_data_fit(fits):
    mi_fit, full_fit, data, full = fits
    complete = full_fit.draws_dict["b_x"].ravel()
    imputed = mi_fit.draws_dict["bsp_y_mix"].ravel()
    assert abs(imputed.mean() - complete.mean()) < 4 * complete.std()
    assert abs(imputed.mean() - 0.8) < 4 * imputed.std()
    assert "y_mix" in mi_fit.summary().population.index


def test_imputed_values_track_hidden_truth(fits):
    mi_fit, _, data, full = fits
    missing = np.flatnonzero(data["x"].isna())
    ymi = np.stack([mi_fit.draws_dict[f"Ymi_x[{k + 1}]"].ravel() for k in range(len(missing))], axis=1)
    truth = full["x"].to_numpy()[missing]
    assert np.corrcoef(ymi.mean(axis=0), truth)[0, 1] > 0.7
    lo, hi = np.quantile(ymi, [0.025, 0.975], axis=0)
    assert np.mean((lo < truth) & (truth < hi)) > 0.8  # roughly calibrated 95% intervals


def test_loglik_with_imputed_values_matches_stan(fits):
    mi_fit = fits[0]
    model = stanli.Model(stan_code=mi_fit.stancode(), data=mi_fit.standata())
    prior = stanli.Model(stan_code=mi_fit.stancode(), data={**mi_fit.standata(), "prior_only": 1})
    ll_y = bp.log_lik(mi_fit, resp="y")  # mu_y uses the imputed x of each draw
    ll_x = bp.log_lik(mi_fit, resp="x")
    missing = np.flatnonzero(np.isnan(ll_x[0]))
    assert len(missing) == mi_fit.standata()["Nmi_x"]
    mu_x = bp.posterior_epred(mi_fit, resp="x")[:, missing]
    ymi = mi_fit.stan_draws.params["Ymi_x"].reshape(-1, len(missing))
    sigma_x = mi_fit.draws_dict["sigma_x"].reshape(-1, 1)
    ll_x[:, missing] = stats.norm.logpdf(ymi, mu_x, sigma_x)  # the latent values' density
    total = ll_y.sum(axis=1) + ll_x.sum(axis=1)
    ndraw = mi_fit.stan_draws.ndraws
    for draw in (0, 1, ndraw - 1):
        values = {n: mi_fit.stan_draws.params[n][0, draw] for n in parameter_names(mi_fit.stancode())}
        theta = model.unconstrain(values)
        assert model.log_prob_grad(theta)[0] - prior.log_prob_grad(theta)[0] == pytest.approx(total[draw], rel=1e-8)


def test_predictions(fits):
    mi_fit, _, data, full = fits
    ep = bp.posterior_epred(mi_fit, resp="y", ndraws=20, seed=1)
    assert ep.shape == (20, len(data)) and np.isfinite(ep).all()
    assert bp.posterior_predict(mi_fit, ndraws=20, seed=1).shape == (20, len(data), 2)
    with pytest.warns(UserWarning, match="NAs in the log-likelihood"):
        ll = bp.log_lik(mi_fit, ndraws=5, seed=1)
    assert np.isnan(ll).any(axis=0).sum() == data["x"].isna().sum()
    nd = full.head(3)
    assert np.isfinite(bp.posterior_epred(mi_fit, newdata=nd, resp="y", ndraws=5)).all()
    with pytest.raises(bp.DataError, match="missing values in 'x'"):
        bp.posterior_epred(mi_fit, newdata=data[data["x"].isna()].head(2), resp="y", ndraws=5)
    assert bp.pp_check(mi_fit, resp="x", seed=1) is not None  # observed x only
