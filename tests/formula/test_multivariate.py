"""Multivariate models: residual correlations (set_rescor), mixed families, resp= in
priors, predictions and pp_check, (1 | ID | g) correlations across responses.

Golden code + stanc for each structure; recovery of a bivariate gaussian with
residual and group-level correlations; numpy log-likelihood equal to Stan's
density with and without residual correlations; joint predictive draws.
"""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
import stanli
from scipy import stats

import brmspy as bp
from tests.checks import assert_golden, assert_loglik_matches_stan

# truth of the bivariate simulation
TRUTH = {
    "b_y1_Intercept": 1.0, "b_y1_x": 0.5, "b_y2_Intercept": -0.5, "b_y2_x": -0.3,
    "sigma_y1": 0.8, "sigma_y2": 1.2, "rescor__y1__y2": 0.5,
    "sd_g__y1_Intercept": 0.7, "sd_g__y2_Intercept": 0.9, "cor_g__y1_Intercept__y2_Intercept": 0.6,
}


def bivariate_data(n: int = 300, groups: int = 12, seed: int = 11) -> pd.DataFrame:
    """Two gaussian responses with correlated residuals and correlated group intercepts."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    g = np.arange(n) % groups
    sd = np.array([TRUTH["sd_g__y1_Intercept"], TRUTH["sd_g__y2_Intercept"]])
    c = TRUTH["cor_g__y1_Intercept__y2_Intercept"]
    # group effects with exactly the true sample sds and correlation: with 12 groups a random draw's
    # realised sds can be far from the generating ones, and the posterior describes the realised ones
    z = rng.normal(size=(groups, 2))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z.T))).T
    u = z @ np.linalg.cholesky(np.outer(sd, sd) * np.array([[1, c], [c, 1]])).T
    s = np.array([TRUTH["sigma_y1"], TRUTH["sigma_y2"]])
    r = TRUTH["rescor__y1__y2"]
    e = rng.multivariate_normal([0, 0], np.outer(s, s) * np.array([[1, r], [r, 1]]), size=n)
    y1 = TRUTH["b_y1_Intercept"] + TRUTH["b_y1_x"] * x + u[g, 0] + e[:, 0]
    y2 = TRUTH["b_y2_Intercept"] + TRUTH["b_y2_x"] * x + u[g, 1] + e[:, 1]
    counts = rng.poisson(np.exp(0.5 + 0.3 * x))
    return pd.DataFrame({"y1": y1, "y2": y2, "x": x, "g": g, "count": counts, "w": rng.uniform(0.5, 2, n)})


RESCOR_ID = bp.bf("y1 ~ x + (1 | ID | g)") + bp.bf("y2 ~ x + (1 | ID | g)") + bp.set_rescor(True)
MIXED = bp.bf("y1 ~ x + (1 | ID | g)") + bp.bf("count ~ x + (1 | ID | g)", family="poisson")
STUDENT = bp.bf("y1 ~ x") + bp.bf("y2 ~ x") + bp.set_rescor(True)


def _fit(formula, data, family=None, **kw):
    settings = dict(chains=2, iter=600, seed=3, refresh=0)
    settings.update(kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small fits: ESS warnings for group sds are expected
        return bp.brm(formula, data=data, family=family, **settings)


@pytest.fixture(scope="module")
def rescor_fit():
    return _fit(RESCOR_ID, bivariate_data())


@pytest.fixture(scope="module")
def mixed_fit():
    return _fit(MIXED, bivariate_data(150), chains=1, iter=500)


# ---------------------------------------------------------------- Stan code


@pytest.mark.parametrize("name, formula, family", [
    ("mv_rescor_id", RESCOR_ID, None),
    ("mv_mixed_families", MIXED, None),
    ("mv_student_rescor", STUDENT, "student"),
    ("mv_rescor_sigma_weights", bp.bf("y1 | weights(w) ~ x", "sigma ~ x") + bp.bf("y2 | weights(w) ~ 1")
     + bp.set_rescor(True), None),
])
def test_golden_and_stanc(name, formula, family, update_golden):
    code = bp.make_stancode(formula, data=bivariate_data(40), family=family)
    stanli.stan_to_mir(code)
    assert_golden(name, code, update_golden)


def test_rescor_code_and_data():
    code = bp.make_stancode(RESCOR_ID, data=bivariate_data(40))
    assert "target += multi_normal_cholesky_lpdf(Y | Mu, LSigma);" in code
    assert "cholesky_factor_corr[nresp] Lrescor;" in code
    assert "lprior += lkj_corr_cholesky_lpdf(Lrescor | prior_Lrescor_eta);" in code
    assert "Mu[n] = transpose([mu_y1[n], mu_y2[n]]);" in code
    sdata = bp.make_standata(RESCOR_ID, data=bivariate_data(40))
    assert (sdata["nresp"], sdata["nrescor"], sdata["prior_Lrescor_eta"]) == (2, 1, 1.0)
    student = bp.make_stancode(STUDENT, data=bivariate_data(40), family="student")
    assert "target += multi_student_t_lpdf(Y | nu, Mu, Sigma);" in student
    assert "real<lower=1> nu;" in student and "nu_y1" not in student
    # with set_rescor(False) the responses get their own likelihoods
    plain = bp.make_stancode(bp.bf("y1 ~ x") + bp.bf("y2 ~ x") + bp.set_rescor(False), data=bivariate_data(40))
    assert "Lrescor" not in plain and plain.count("normal_id_glm_lpdf") == 2


def test_default_priors_and_resp_priors():
    table = bp.get_prior(RESCOR_ID, data=bivariate_data(40))
    rescor = table[table["class"] == "rescor"]
    assert list(rescor["prior"]) == ["lkj(1)"]
    # (1 | ID | g) spans both responses: sd rows for each response's Intercept
    sd = table[(table["class"] == "sd") & (table["coef"] == "Intercept")]
    assert sorted(sd["resp"]) == ["y1", "y2"] and set(sd["group"]) == {"g"}
    nu = bp.get_prior(STUDENT, data=bivariate_data(40), family="student")
    nu = nu[nu["class"] == "nu"]
    assert list(nu["prior"]) == ["gamma(2, 0.1)"] and list(nu["resp"]) == [""] and list(nu["lb"]) == ["1"]
    # a prior for one response only
    pri = bp.prior("normal(0, 1)", class_="b", resp="y1") + bp.prior("lkj(2)", class_="rescor")
    code = bp.make_stancode(RESCOR_ID, data=bivariate_data(40), prior=pri)
    assert "lprior += normal_lpdf(b_y1 | prior_b_y1_loc, prior_b_y1_scale);" in code
    assert "lprior += normal_lpdf(b_y2" not in code
    assert bp.make_standata(RESCOR_ID, data=bivariate_data(40), prior=pri)["prior_Lrescor_eta"] == 2.0


def test_bad_input():
    df = bivariate_data(40)
    with pytest.raises(bp.FamilyError, match="all responses gaussian or all student"):
        bp.make_stancode(bp.bf("y1 ~ x") + bp.bf("count ~ x", family="poisson") + bp.set_rescor(True), data=df)
    with pytest.raises(bp.FamilyError, match="set_rescor\\(False\\)"):
        bp.make_stancode(STUDENT, data=df, family="poisson")
    with pytest.raises(bp.PriorError, match="no response 'y3'; its responses: y1, y2"):
        bp.make_stancode(RESCOR_ID, data=df, prior=bp.prior("normal(0, 1)", class_="b", resp="y3"))
    with pytest.raises(bp.PriorError, match="LKJ prior"):
        bp.prior("normal(0, 1)", class_="rescor")
    with pytest.raises(bp.FormulaError, match="share one 'nu'"):
        bp.make_stancode(bp.bf("y1 ~ x", "nu ~ x") + bp.bf("y2 ~ x") + bp.set_rescor(True), data=df, family="student")
    with pytest.raises(bp.FormulaError, match="not supported with residual correlations"):
        bp.make_stancode(bp.bf("y1 | trunc(lb = -10) ~ x") + bp.bf("y2 ~ x") + bp.set_rescor(True), data=df)


# ---------------------------------------------------------------- sampling


def test_recovery_bivariate_rescor_id(rescor_fit):
    draws = rescor_fit.draws_dict
    for name, truth in TRUTH.items():
        x = draws[name].ravel()
        assert abs(x.mean() - truth) < 4 * x.std(), (name, x.mean(), x.std())
    # the correlations this model is about: truth inside the 95% interval
    for name in ("rescor__y1__y2", "cor_g__y1_Intercept__y2_Intercept"):
        lo, hi = np.quantile(draws[name], [0.025, 0.975])
        assert lo < TRUTH[name] < hi, (name, lo, hi)


def test_summary_rows(rescor_fit):
    s = rescor_fit.summary()
    assert list(s.population.index) == ["y1_Intercept", "y2_Intercept", "y1_x", "y2_x"]  # as brms
    assert list(s.family.index) == ["sigma_y1", "sigma_y2"]
    assert list(s.sections["rescor"].index) == ["rescor(y1,y2)"]
    (table,) = s.group.values()
    assert list(table.index) == ["sd(y1_Intercept)", "sd(y2_Intercept)", "cor(y1_Intercept,y2_Intercept)"]
    text = str(s)
    assert "Residual Correlations:" in text and "Family: MV(gaussian, gaussian)" in text
    assert text.index("Further Distributional Parameters:") < text.index("Residual Correlations:")


def test_loglik_matches_stan_with_rescor(rescor_fit):
    assert_loglik_matches_stan(rescor_fit)


def test_loglik_matches_stan_without_rescor(mixed_fit):
    assert_loglik_matches_stan(mixed_fit)
    # combined = sum of the responses' own log-likelihoods
    total = bp.log_lik(mixed_fit, ndraws=30, seed=2)
    parts = bp.log_lik(mixed_fit, ndraws=30, seed=2, resp="y1") + bp.log_lik(mixed_fit, ndraws=30, seed=2, resp="count")
    np.testing.assert_allclose(total, parts)


def test_loglik_student_rescor():
    fit = _fit(STUDENT, bivariate_data(100), family="student", chains=1, iter=300)
    assert_loglik_matches_stan(fit)
    assert "nu" in fit.draws_dict and "nu" in fit.summary().family.index


def test_loglik_rescor_predicted_sigma_and_weights():
    formula = bp.bf("y1 | weights(w) ~ x", "sigma ~ x") + bp.bf("y2 | weights(w) ~ x") + bp.set_rescor(True)
    fit = _fit(formula, bivariate_data(100), chains=1, iter=300)
    assert_loglik_matches_stan(fit)
    assert "b_sigma_y1_x" in fit.draws_dict and "sigma_y1_x" in fit.summary().population.index
    assert bp.posterior_predict(fit, ndraws=10, seed=1).shape == (10, 100, 2)


def test_predictions(rescor_fit):
    n = rescor_fit.nobs()
    ep = bp.posterior_epred(rescor_fit, ndraws=200, seed=1)
    pp = bp.posterior_predict(rescor_fit, ndraws=200, seed=1)
    lp = bp.posterior_linpred(rescor_fit, ndraws=200, seed=1)
    assert ep.shape == pp.shape == lp.shape == (200, n, 2)
    np.testing.assert_allclose(bp.posterior_epred(rescor_fit, ndraws=200, seed=1, resp="y2"), ep[..., 1])
    # joint draws: residuals of the predictive draws are correlated as rescor
    res = pp - ep
    r = np.corrcoef(res[..., 0].ravel(), res[..., 1].ravel())[0, 1]
    assert abs(r - rescor_fit.draws_dict["rescor__y1__y2"].mean()) < 0.05
    # the marginal log-likelihood of one response is its normal density
    ll1 = bp.log_lik(rescor_fit, ndraws=50, seed=4, resp="y1")
    mu1 = bp.posterior_epred(rescor_fit, ndraws=50, seed=4, resp="y1")
    sigma = rescor_fit.draws_dict["sigma_y1"].ravel()[np.sort(np.random.default_rng(4).choice(rescor_fit.ndraws(), 50, replace=False))]
    np.testing.assert_allclose(ll1, stats.norm.logpdf(rescor_fit.frame.responses["y1"].y, mu1, sigma[:, None]))
    # summaries over responses, and new data
    f = bp.fitted(rescor_fit, ndraws=50)
    assert list(f.columns.get_level_values(0).unique()) == ["y1", "y2"] and len(f) == n
    nd = pd.DataFrame({"x": [0.0, 1.0], "g": [0, 99], "y1": [1.0, 2.0], "y2": [0.0, -1.0]})
    assert bp.posterior_predict(rescor_fit, newdata=nd, allow_new_levels=True, ndraws=10).shape == (10, 2, 2)
    assert bp.log_lik(rescor_fit, newdata=nd, allow_new_levels=True, ndraws=10).shape == (10, 2)
    with pytest.raises(bp.BrmsError, match="responses: y1, y2"):
        bp.posterior_epred(rescor_fit, resp="y3")


def test_pp_check_resp(rescor_fit, mixed_fit):
    import matplotlib.pyplot as plt

    fig = bp.pp_check(rescor_fit, resp="y1", seed=1)
    assert fig is not None
    fig2 = bp.pp_check(mixed_fit, type="bars", resp="count", seed=1)
    assert fig2 is not None
    with pytest.raises(bp.PlotError, match="choose one with resp="):
        bp.pp_check(rescor_fit)
    with pytest.raises(bp.PlotError, match="its responses: y1, y2"):
        bp.pp_check(rescor_fit, resp="y3")
    plt.close("all")


def test_loo_of_multivariate_model(mixed_fit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = bp.loo(mixed_fit)
    # one pointwise value per row: the responses' log-likelihoods are summed per row, as brms
    assert res.nobs == mixed_fit.nobs() and np.isfinite(res.elpd)
    from scipy.special import logsumexp

    ll = bp.log_lik(mixed_fit)
    lppd = float(np.sum(logsumexp(ll, axis=0) - np.log(len(ll))))
    assert lppd - 20 < res.elpd < lppd  # LOO predictive density: below the in-sample one, by about p_loo


def test_conditional_effects_per_response(rescor_fit):
    import matplotlib.pyplot as plt

    ce = bp.conditional_effects(rescor_fit, ndraws=100, seed=1)
    assert list(ce.effects) == ["y1.x", "y2.x"]
    one = bp.conditional_effects(rescor_fit, "x", resp="y2", ndraws=100, seed=1)
    df = one["x"]
    slope = np.diff(df["estimate__"].to_numpy()[[0, -1]])[0] / np.diff(df["effect1__"].to_numpy()[[0, -1]])[0]
    assert slope == pytest.approx(np.median(rescor_fit.draws_dict["b_y2_x"]), abs=0.05)
    assert len(ce.plot()) == 2
    with pytest.raises(bp.PlotError, match="its responses: y1, y2"):
        bp.conditional_effects(rescor_fit, resp="y3")
    plt.close("all")


def test_bayes_R2_per_response(rescor_fit, mixed_fit):
    fit = rescor_fit
    r2 = bp.bayes_R2(fit)
    assert list(r2.index) == ["R2y1", "R2y2"]
    assert list(r2.columns) == ["Estimate", "Est.Error", "Q2.5", "Q97.5"]
    draws = bp.bayes_R2(fit, summary=False)
    assert draws.shape == (fit.ndraws(), 2)
    for j, r in enumerate(("y1", "y2")):  # brms's definition, in numpy from posterior_epred
        ypred = bp.posterior_epred(fit, resp=r)
        e = fit.frame.data[r].to_numpy()[None, :] - ypred
        want = ypred.var(axis=1, ddof=1) / (ypred.var(axis=1, ddof=1) + e.var(axis=1, ddof=1))
        np.testing.assert_allclose(draws[:, j], want, rtol=1e-12)
        assert r2.loc[f"R2{r}", "Estimate"] == pytest.approx(want.mean())
        assert r2.loc[f"R2{r}", "Q97.5"] == pytest.approx(np.quantile(want, 0.975))
        one = bp.bayes_R2(fit, resp=r)
        assert list(one.index) == [f"R2{r}"]
        np.testing.assert_allclose(bp.bayes_R2(fit, resp=r, summary=False), want, rtol=1e-12)
    assert r2.loc["R2y1", "Estimate"] != pytest.approx(r2.loc["R2y2", "Estimate"], abs=1e-3)
    assert list(bp.bayes_R2(fit, resp=["y2", "y1"]).index) == ["R2y2", "R2y1"]
    # a gaussian and a poisson response (its epred is exp(eta))
    mixed = bp.bayes_R2(mixed_fit)
    assert list(mixed.index) == ["R2y1", "R2count"]
    ypred = bp.posterior_epred(mixed_fit, resp="count")
    e = mixed_fit.frame.data["count"].to_numpy()[None, :] - ypred
    want = ypred.var(axis=1, ddof=1) / (ypred.var(axis=1, ddof=1) + e.var(axis=1, ddof=1))
    np.testing.assert_allclose(bp.bayes_R2(mixed_fit, summary=False)[:, 1], want, rtol=1e-12)
    with pytest.raises(bp.BrmsError, match="its responses: y1, y2"):
        bp.bayes_R2(fit, resp="y3")
