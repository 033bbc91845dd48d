"""Ordinal families: cumulative, sratio, cratio, acat; thresholds; cs(); disc."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.families.ordinal import category_probs
from tests.checks import BRMS_PROGRAMS, assert_golden, assert_loglik_matches_stan, assert_same_log_density, brms_program


def ordinal_data(n=600, seed=5, family="cumulative", link="logit", thres=(-1.0, 0.0, 1.2), beta=0.8, cs=None):
    rng = np.random.default_rng(seed)
    x, z = rng.normal(size=n), rng.normal(size=n)
    g = rng.integers(0, 10, n)
    mu = beta * x + rng.normal(0, 0.5, 10)[g]
    th = np.broadcast_to(np.asarray(thres), (n, len(thres))).copy()
    if cs is not None:
        th = th - z[:, None] * np.asarray(cs)[None, :]
    p = category_probs(family, link, mu, np.ones(n), th)
    y = (rng.uniform(size=n)[:, None] > np.cumsum(p, axis=1)).sum(axis=1) + 1
    ncat = len(thres) + 1
    return pd.DataFrame({"y": pd.Categorical(y, categories=range(1, ncat + 1), ordered=True), "x": x, "z": z, "g": g})


CASES = {
    "ord_cumulative": ("y ~ x + (1 | g)", bp.cumulative()),
    "ord_cumulative_probit": ("y ~ x", bp.cumulative(link="probit")),
    "ord_cumulative_cloglog": ("y ~ x", bp.cumulative(link="cloglog")),
    "ord_sratio_cs_equidistant": ("y ~ x + cs(z)", bp.sratio(threshold="equidistant")),
    "ord_cratio_cauchit": ("y ~ x + (1 | g)", bp.cratio(link="cauchit")),
    "ord_acat_cs": ("y ~ x + cs(z)", bp.acat()),
    "ord_cumulative_disc": (bp.bf("y ~ x", "disc ~ z"), bp.cumulative()),
    "ord_cumulative_sum_to_zero": ("y ~ x", bp.cumulative(threshold="sum_to_zero")),
}


@pytest.fixture(scope="module")
def data():
    return ordinal_data()


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_and_stanc(name, data, update_golden):
    formula, family = CASES[name]
    code = bp.make_stancode(formula, data, family)
    stanli.stan_to_mir(code)
    assert_golden(name, code, update_golden)


@pytest.mark.parametrize("name", sorted(CASES))
def test_loglik_matches_stan(name, data):
    formula, family = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm(formula, data.head(200), family, seed=2, refresh=0, iter=200, chains=1)
    assert_loglik_matches_stan(fit)
    ep = bp.posterior_epred(fit)
    assert ep.shape == (100, 200, 4)
    np.testing.assert_allclose(ep.sum(axis=-1), 1.0)
    pp = bp.posterior_predict(fit, seed=1)
    assert set(np.unique(pp)) <= {1, 2, 3, 4}


@pytest.mark.parametrize("family, link", [("cumulative", "logit"), ("cumulative", "probit"), ("sratio", "logit"),
                                          ("cratio", "cloglog"), ("acat", "probit")])
def test_probabilities_sum_to_one_and_draws_follow_them(family, link):
    mu, disc, thres = np.array([0.3]), np.array([1.4]), np.array([[-1.0, 0.2, 1.5]])
    p = category_probs(family, link, mu, disc, thres)
    assert p.shape == (1, 4) and np.all(p > 0) and p.sum() == pytest.approx(1)
    spec = bp.families.FAMILIES[family]
    n = 100_000
    dp = {"mu": np.full((1, n), 0.3), "disc": np.full((1, n), 1.4), "thres": thres[None, :, :], "link": link}
    draws = spec.math.rng(dp, None, np.random.default_rng(1)).ravel()
    freq = np.bincount(draws, minlength=5)[1:] / n
    np.testing.assert_allclose(freq, p[0], atol=5 * np.sqrt(0.25 / n))


@pytest.mark.parametrize("link", ["logit", "probit"])
def test_cumulative_recovers_truth(link):
    df = ordinal_data(n=1500, seed=11, link=link)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y ~ x + (1 | g)", df, bp.cumulative(link=link), seed=3, refresh=0, iter=1000)
    d = fit.draws_dict
    truth = {"b_Intercept[1]": -1.0, "b_Intercept[2]": 0.0, "b_Intercept[3]": 1.2, "b_x": 0.8, "sd_g__Intercept": 0.5}
    for name, value in truth.items():
        assert abs(d[name].mean() - value) < 4 * d[name].std(), name


def test_acat_cs_recovers_truth():
    cs = (0.5, 0.0, -0.5)
    df = ordinal_data(n=1500, seed=12, family="acat", cs=cs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y ~ x + cs(z) + (1 | g)", df, "acat", seed=4, refresh=0, iter=1000)
    d = fit.draws_dict
    for k, value in enumerate(cs, start=1):
        x = d[f"bcs_z[{k}]"]
        assert abs(x.mean() - value) < 4 * x.std(), k
    assert abs(d["b_x"].mean() - 0.8) < 4 * d["b_x"].std()
    assert "z[2]" in fit.summary().population.index


@pytest.mark.parametrize("family", ["acat", "sratio", "cratio"])
def test_cs_program_has_brms_log_density(family):
    """brms's own program (make_stancode + make_standata on brms's inhaler data) and brmspy's agree in
    log density and gradient at the same parameter values, thresholds in any order (issue 21: brmspy
    declared sratio/cratio/acat thresholds ``ordered``, brms ``vector``, which truncated the posterior)."""
    data = pd.read_csv(BRMS_PROGRAMS / "inhaler.csv")
    build = bp.build_model("rating ~ period + carry + cs(treat) + (1 | subject)", data, family)
    assert f"vector[nthres] Intercept;" in build.code
    ours = stanli.Model(stan_code=build.code, data=build.data)
    theirs = brms_program(f"inhaler_{family}_cs")
    assert ours.n_unconstrained == theirs.n_unconstrained
    assert_same_log_density(theirs, [ours], label=family, points=4, spread=2.0, rtol=1e-12)


@pytest.mark.parametrize("family", ["acat", "sratio"])
def test_unordered_thresholds_recovered(family):
    """Thresholds of sratio/cratio/acat need not increase (brms declares them ``vector``): a truth with
    a decreasing pair is recovered."""
    thres, cs = (0.6, -0.4, 0.9), (0.5, 0.0, -0.5)
    df = ordinal_data(n=1500, seed=21, family=family, thres=thres, cs=cs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y ~ x + cs(z) + (1 | g)", df, family, seed=5, refresh=0, iter=1000, chains=2)
    d = fit.draws_dict
    truth = {f"b_Intercept[{k}]": v for k, v in enumerate(thres, start=1)}
    truth |= {f"bcs_z[{k}]": v for k, v in enumerate(cs, start=1)} | {"b_x": 0.8}
    for name, value in truth.items():
        assert abs(d[name].mean() - value) < 4 * d[name].std(), (name, d[name].mean(), d[name].std())
    assert d["b_Intercept[2]"].mean() < d["b_Intercept[1]"].mean()  # the decreasing pair, as simulated
    assert_loglik_matches_stan(fit)


def test_ordinal_errors(data):
    with pytest.warns(UserWarning, match="experimental"):  # brms 2.18 warns; tests/specials/test_cs_cumulative.py
        bp.make_stancode("y ~ x + cs(z)", data, "cumulative")
    two = data.assign(y2=pd.Categorical(np.where(data["x"] > 0, "hi", "lo"), categories=["lo", "hi"], ordered=True))
    with pytest.raises(bp.DataError, match="at least 3 response categories"):
        bp.make_stancode("y2 ~ x", two, "cumulative")
    with pytest.raises(bp.DataError, match="ordered response"):
        bp.make_stancode("s ~ x", data.assign(s=np.where(data["x"] > 0, "a", "b")), "sratio")
    with pytest.raises(bp.DataError, match="integers 1, 2"):
        bp.make_stancode("x ~ z", data, "acat")
    with pytest.raises(bp.FamilyError, match="threshold must be"):
        bp.cumulative(threshold="ordered")
    with pytest.raises(bp.FormulaError, match=r"cs\(\) .* only for ordinal"):
        bp.make_stancode("x ~ cs(z)", data, "gaussian")
    for f in ("y ~ 0 + x", "y ~ x - 1"):  # brms: "Cannot remove the intercept in an ordinal model."
        with pytest.raises(bp.FormulaError, match="Cannot remove the intercept in an ordinal model"):
            bp.make_standata(f, data, "cumulative")
        with pytest.raises(bp.FormulaError, match="Cannot remove the intercept"):
            bp.get_prior(f, data, "sratio")


def test_equidistant_threshold_priors(data):
    """brms's table: Intercept (the first threshold) and delta (lb 0), no per-threshold rows; delta takes a prior."""
    gp = bp.get_prior("y ~ x", data, bp.cumulative(threshold="equidistant"))
    assert gp[["class", "coef", "lb"]].values.tolist() == [["b", "", ""], ["b", "x", ""], ["delta", "", "0"],
                                                           ["Intercept", "", ""]]
    p = bp.prior("normal(0, 2)", "Intercept") + bp.prior("exponential(1)", "delta")
    code = bp.make_stancode("y ~ x", data, bp.cumulative(threshold="equidistant"), prior=p)
    assert "lprior += normal_lpdf(first_Intercept | prior_first_Intercept_loc, prior_first_Intercept_scale);" in code
    assert "lprior += exponential_lpdf(delta | prior_delta_rate);" in code
    with pytest.raises(bp.PriorError, match="does not match any parameter"):
        bp.make_stancode("y ~ x", data, bp.cumulative(threshold="equidistant"), prior=bp.prior("normal(0, 1)", "Intercept", coef="2"))


def test_threshold_priors(data):
    gp = bp.get_prior("y ~ x", data, "cumulative")
    rows = gp[gp["class"] == "Intercept"]
    assert rows["coef"].tolist() == ["", "1", "2", "3"]
    assert rows["prior"].iloc[0] == "student_t(3, 0, 2.5)"
    sd = bp.make_standata("y ~ x", data, "cumulative", prior=bp.prior("normal(0, 2)", "Intercept", coef="2"))
    # threshold 2 has its own prior family: index arrays pick it out
    np.testing.assert_array_equal(sd["Jp_Intercept_normal"], [2])
    np.testing.assert_array_equal(sd["prior_Intercept_normal_scale"], [2])
    np.testing.assert_array_equal(sd["Jp_Intercept_student_t"], [1, 3])
    assert sd["nthres"] == 3


def test_fitted_gives_category_probabilities(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y ~ x", data.head(150), "cumulative", seed=2, refresh=0, iter=200, chains=1)
    fv = bp.fitted(fit)
    assert list(fv.columns.get_level_values(0).unique()) == ["P(Y = 1)", "P(Y = 2)", "P(Y = 3)", "P(Y = 4)"]
    total = sum(fv[(f"P(Y = {k})", "Estimate")] for k in range(1, 5))
    np.testing.assert_allclose(total, 1.0)


# ------------------------------------------------------------ hurdle_cumulative


def hurdle_data(n=500, seed=7, thres=(-1.0, 0.5, 1.5), beta=0.8, hu=(-1.0, 0.5)):
    """Category 0 with probability inv_logit(hu[0] + hu[1] * x), else cumulative logit over 1..4."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    p = category_probs("cumulative", "logit", beta * x, np.ones(n), np.broadcast_to(np.asarray(thres), (n, len(thres))))
    y = (rng.uniform(size=n)[:, None] > np.cumsum(p, axis=1)).sum(axis=1) + 1
    hurdle = rng.uniform(size=n) < 1 / (1 + np.exp(-(hu[0] + hu[1] * x)))
    return pd.DataFrame({"y": np.where(hurdle, 0, y), "x": x})


@pytest.fixture(scope="module")
def hurdle_fit():
    return bp.brm(bp.bf("y ~ x", "hu ~ x"), data=hurdle_data(), family="hurdle_cumulative", chains=2, iter=1000,
                  seed=3, refresh=0)


def test_hurdle_cumulative_golden(update_golden):
    for name, formula in (("ord_hurdle_cumulative", "y ~ x"), ("ord_hurdle_cumulative_hu", bp.bf("y ~ x", "hu ~ x"))):
        code = bp.make_stancode(formula, data=hurdle_data(60), family=bp.hurdle_cumulative())
        assert_golden(name, code, update_golden)


def test_hurdle_cumulative_recovers_truth_and_matches_stan(hurdle_fit):
    draws = hurdle_fit.draws_dict
    truth = {"b_Intercept[1]": -1.0, "b_Intercept[2]": 0.5, "b_Intercept[3]": 1.5, "b_x": 0.8,
             "b_hu_Intercept": -1.0, "b_hu_x": 0.5}
    for name, value in truth.items():
        x = draws[name].ravel()
        assert abs(x.mean() - value) < 4 * x.std(), name
    assert_loglik_matches_stan(hurdle_fit)


def test_hurdle_cumulative_predictions(hurdle_fit):
    y = hurdle_fit.frame.responses[""].y
    ep = bp.posterior_epred(hurdle_fit)
    assert ep.shape[2] == 5  # category 0 and 1..4, as brms
    np.testing.assert_allclose(ep.sum(axis=2), 1.0, atol=1e-12)
    observed = np.bincount(y, minlength=5) / len(y)
    np.testing.assert_allclose(ep.mean(axis=(0, 1)), observed, atol=0.04)
    pp = bp.posterior_predict(hurdle_fit, ndraws=200, seed=1)
    assert set(np.unique(pp)) <= set(range(5))
    assert list(bp.fitted(hurdle_fit).columns.get_level_values(0).unique())[0] == "P(Y = 0)"


def test_hurdle_cumulative_response_errors():
    df = hurdle_data(60)
    with pytest.raises(bp.DataError, match="integers 0, 1, 2"):
        bp.make_stancode("y ~ x", data=df.assign(y=df.y - 0.5), family="hurdle_cumulative")
    with pytest.raises(bp.DataError, match="at least 3 categories above 0"):
        bp.make_stancode("y ~ x", data=df.assign(y=np.minimum(df.y, 2)), family="hurdle_cumulative")
