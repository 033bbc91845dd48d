"""Response addition terms: cens(), trunc(), se(), rate() and their combinations with weights()/trials().

- golden Stan code accepted by stanc for each term on a few families;
- numpy log_lik equal to Stan's likelihood at posterior draws (censored,
  truncated, se and rate models), and numpy CDFs checked against integrals;
- truncated predictive draws and means against exact values;
- parameter recovery by sampling: a weibull frailty model with right
  censoring and a poisson model truncated at 10;
- bad input: censoring codes, interval censoring without y2, bounds violated
  by the data, se()/rate()/cens() with families that cannot take them.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special, stats

import brmspy as bp
from brmspy.core.errors import DataError, FamilyError, FormulaError
from brmspy.families import Extras, brmsfamily
from brmspy.families.cdf import CDFS
from brmspy.formula import build_terms
from brmspy.frame.additions import cens_codes
from brmspy.frame.types import AdditionData
from brmspy.prediction.additions import addition_epred, addition_predict
from tests.cases import FitCase, quick_fit
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_predictions_within_bounds, assert_recovers

# ----------------------------------------------------------------- data


def small_data(n: int = 80, seed: int = 11) -> pd.DataFrame:
    """Mixed data for code generation and likelihood checks (values need not follow a model)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    g = rng.integers(1, 7, n)
    y = np.exp(0.4 + 0.3 * x) * rng.weibull(1.8, n)
    cens = rng.choice(["none", "right", "left"], n, p=[0.6, 0.3, 0.1])
    code = rng.choice([0, 1, -1, 2], n, p=[0.5, 0.2, 0.1, 0.2])
    k = rng.poisson(np.exp(0.8 + 0.3 * x))
    lo = rng.integers(0, 2, n).astype(float)
    return pd.DataFrame({
        "x": x, "g": g, "y": y, "cens": cens, "code": code, "y2": y + rng.uniform(0.2, 1.5, n),
        "k": np.minimum(k, 9), "kt": k, "lo": np.minimum(lo, np.minimum(k, 9)), "hi": 9 + rng.integers(0, 3, n),
        "yl": y * 0.5, "yu": y * 2 + 1, "s": rng.uniform(0.3, 1.0, n), "w": rng.uniform(0.5, 2.0, n),
        "t": rng.uniform(0.5, 3.0, n), "n": 12, "kb": rng.binomial(12, 0.35, n),
    })


DATA = small_data()


CASES = [
    FitCase("cens_weibull_frailty", "y | cens(cens) ~ x + (1 | g)", "weibull"),
    FitCase("cens_interval_gaussian", "y | cens(code, y2) ~ x", "gaussian"),
    FitCase("cens_weights_lognormal", "y | cens(cens) + weights(w) ~ x", "lognormal"),
    FitCase("cens_poisson", "k | cens(cens) ~ x", "poisson"),
    FitCase("cens_interval_binomial", "kb | trials(n) + cens(code, n) ~ x", "binomial", fit=False),
    FitCase("cens_gen_extreme_value", "y | cens(cens) ~ x", "gen_extreme_value"),
    FitCase("cens_asym_laplace_interval", "y | cens(code, y2) ~ x", "asym_laplace"),
    FitCase("trunc_lb_gaussian", "y | trunc(lb = 0) ~ x", "gaussian"),
    FitCase("trunc_ub_poisson", "k | trunc(ub = 9) ~ x", "poisson"),
    FitCase("trunc_both_gamma_columns", "y | trunc(lb = yl, ub = yu) ~ x", "gamma"),
    FitCase("trunc_both_poisson_columns", "k | trunc(lb = lo, ub = hi) ~ x", "poisson"),
    FitCase("trunc_both_negbinomial2_columns", "k | trunc(lb = lo, ub = hi) ~ x", "negbinomial2", fit=False),  # slow CDF
    FitCase("trunc_weights_gaussian", "y | trunc(lb = 0, ub = 10) + weights(w) ~ x", "gaussian"),
    FitCase("cens_trunc_weibull", "y | cens(code, y2) + trunc(ub = 30) ~ x", "weibull"),
    FitCase("cens_trunc_discrete_weibull", "k | cens(cens) + trunc(ub = 9) ~ x", "discrete_weibull", fit=False),
    FitCase("se_gaussian", "y | se(s) ~ 1 + (1 | g)", "gaussian"),
    FitCase("se_sigma_student", "y | se(s, sigma = TRUE) ~ x", "student"),
    FitCase("se_weights_gaussian", "y | se(s, sigma = TRUE) + weights(w) ~ x", "gaussian"),
    FitCase("se_skew_normal", "y | se(s) ~ x", "skew_normal"),
    FitCase("rate_poisson", "kt | rate(t) ~ x", "poisson"),
    FitCase("rate_negbinomial", "kt | rate(t) ~ x", "negbinomial"),
    FitCase("rate_poisson_trunc", "k | rate(t) + trunc(ub = 9) ~ x", "poisson"),
    FitCase("rate_geometric_identity", "kt | rate(t) ~ 1", "geometric", fit=False),
    FitCase("trials_weights_binomial", "kb | trials(n) + weights(w) ~ x", "binomial"),
]


def _family(case: FitCase):
    if case.name == "rate_geometric_identity":
        return brmsfamily("geometric", link="identity")
    return case.family


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_code_and_stanc(case: FitCase, update_golden: bool) -> None:
    code = bp.make_stancode(case.formula, DATA, _family(case))
    assert_golden(f"addition_{case.name}", code, update_golden)


def test_no_glm_or_canonical_forms_with_cdfs() -> None:
    code = bp.make_stancode("k | trunc(ub = 9) ~ x", DATA, "poisson")
    assert "poisson_log" not in code and "_glm" not in code and "mu = exp(mu);" in code
    code = bp.make_stancode("kt | rate(t) ~ x", DATA, "poisson")
    assert "poisson_log_lpmf(Y | mu + log_denom)" in code and "_glm" not in code
    code = bp.make_stancode("y | se(s) ~ x", DATA)
    assert "normal_id_glm" not in code and "normal_lpdf(Y | mu, se)" in code


def test_standata_names_and_values() -> None:
    sd = bp.make_standata("y | cens(code, y2) + trunc(ub = 30) ~ x", DATA, "weibull")
    codes = DATA["code"].to_numpy()
    np.testing.assert_array_equal(sd["cens"], codes)
    np.testing.assert_allclose(sd["rcens"], np.where(codes == 2, DATA["y2"], 0.0))
    np.testing.assert_allclose(sd["ub"], 30.0)
    sd = bp.make_standata("y | cens(cens) ~ x", DATA, "weibull")
    cens = cens_codes(DATA["cens"])
    for code, name in ((0, "event"), (1, "rcens"), (-1, "lcens")):
        np.testing.assert_array_equal(sd[f"J{name}"], np.flatnonzero(cens == code) + 1)
        assert sd[f"N{name}"] == (cens == code).sum()
    sd = bp.make_standata("y | se(s) ~ 1", DATA)
    np.testing.assert_allclose(sd["se"], DATA["s"])
    assert sd["sigma"] == 0.0  # brms: sigma fixed at 0 when only se is given
    sd = bp.make_standata("kt | rate(t) ~ x", DATA, "poisson")
    np.testing.assert_allclose(sd["denom"], DATA["t"])


def test_se_model_has_no_sigma_parameter() -> None:
    gp = bp.get_prior("y | se(s) ~ 1 + (1 | g)", DATA)
    assert "sigma" not in set(gp["class"])
    gp = bp.get_prior("y | se(s, sigma = TRUE) ~ 1", DATA)
    assert "sigma" in set(gp["class"])


# -------------------------------------------------- numpy log_lik == Stan


@pytest.mark.parametrize("case", [c for c in CASES if c.fit], ids=[c.name for c in CASES if c.fit])
def test_numpy_loglik_equals_stan(case: FitCase) -> None:
    fit = quick_fit(case.formula, DATA, _family(case))
    assert_loglik_matches_stan(fit, draws=(0, 50, -1))
    # gen_extreme_value's mean does not exist for xi >= 1 (posterior_epred is inf there)
    assert_predictions_within_bounds(fit, len(DATA),
                                     infinite_mean=("xi", 1.0) if case.family == "gen_extreme_value" else None)


def test_loglik_on_newdata_equals_fitted() -> None:
    fit = quick_fit("y | cens(code, y2) + weights(w) ~ x", DATA, "gaussian")
    np.testing.assert_allclose(bp.log_lik(fit, newdata=DATA), bp.log_lik(fit), rtol=1e-12)
    with pytest.raises(DataError, match="y2"):
        bp.log_lik(fit, newdata=DATA.drop(columns="y2"))
    with pytest.raises(DataError, match="Column 'code'"):
        bp.log_lik(fit, newdata=DATA.drop(columns="code"))
    # predictions are for the uncensored response: no censoring columns needed
    assert bp.posterior_predict(fit, newdata=DATA[["x"]], ndraws=5).shape == (5, len(DATA))


# ------------------------------------------------------- numpy CDFs alone


CDF_CASES = {
    "gen_extreme_value": ({"mu": 1.0, "sigma": 1.5, "xi": 0.2}, (-6.0, 0.0, 1.0, 4.0, 30.0)),
    "gen_extreme_value_neg": ({"mu": 0.0, "sigma": 1.0, "xi": -0.3}, (-2.0, 0.5, 3.0)),
    "inverse_gaussian": ({"mu": 1.5, "shape": 4.0}, (0.3, 1.0, 3.0)),
    "asym_laplace": ({"mu": 1.0, "sigma": 0.8, "quantile": 0.25}, (-2.0, 0.5, 1.0, 2.5)),
    "skew_normal": ({"mu": 0.5, "sigma": 2.0, "alpha": 3.0}, (-2.0, 0.5, 3.0)),
    "weibull": ({"mu": 2.0, "shape": 1.5}, (0.5, 2.0, 5.0)),
    "exgaussian": ({"mu": 1.0, "sigma": 0.5, "beta": 1.2}, (-0.5, 1.0, 4.0)),
    "frechet": ({"mu": 2.0, "nu": 4.0}, (0.8, 2.0, 6.0)),
    "shifted_lognormal": ({"mu": 0.2, "sigma": 0.5, "ndt": 0.3}, (0.6, 1.5, 4.0)),
}
LOWER = {"gen_extreme_value": -np.inf, "gen_extreme_value_neg": -np.inf, "inverse_gaussian": 0.0,
         "asym_laplace": -np.inf, "skew_normal": -np.inf, "weibull": 0.0, "exgaussian": -np.inf, "frechet": 0.0,
         "shifted_lognormal": 0.3}


@pytest.mark.parametrize("key", sorted(CDF_CASES))
def test_continuous_cdfs_integrate_the_density(key: str) -> None:
    fam = key.replace("_neg", "")
    dp_values, ys = CDF_CASES[key]
    dp = {k: np.array([[v]]) for k, v in dp_values.items()}
    math, cdf = brmsfamily(fam).spec.math, CDFS[fam]
    dens = lambda v: np.exp(math.loglik(np.array([[v]]), dp, Extras())).item()  # noqa: E731
    for y in ys:
        lo = max(LOWER[key], y - 60)
        pieces = sorted({lo, y, *([dp_values["mu"]] if lo < dp_values["mu"] < y else [])})
        p = sum(integrate.quad(dens, a, b, epsabs=1e-12, limit=200)[0] for a, b in zip(pieces[:-1], pieces[1:]))
        lcdf = cdf.lcdf(np.array([[y]]), dp, Extras()).item()
        lccdf = cdf.lccdf(np.array([[y]]), dp, Extras()).item()
        assert np.exp(lcdf) == pytest.approx(p, abs=1e-7), (y, lcdf, p)
        assert np.exp(lcdf) + np.exp(lccdf) == pytest.approx(1.0, abs=1e-10)
        if 1e-6 < p < 1 - 1e-6 and cdf.ppf is not None:
            assert cdf.ppf(np.array([[p]]), dp, Extras()).item() == pytest.approx(y, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("fam, dp_values", [
    ("discrete_weibull", {"mu": 0.8, "shape": 1.3}), ("com_poisson", {"mu": 3.0, "shape": 0.7}),
    ("poisson", {"mu": 3.0}), ("negbinomial2", {"mu": 3.0, "sigma": 0.5}), ("beta_binomial", {"mu": 0.3, "phi": 4.0}),
])
def test_discrete_cdfs_sum_the_pmf(fam: str, dp_values: dict) -> None:
    dp = {k: np.array([[v]]) for k, v in dp_values.items()}
    ex = Extras(np.array([12]))
    math, cdf = brmsfamily(fam).spec.math, CDFS[fam]
    ks = np.arange(0, 13)
    pmf = np.exp(math.loglik(ks[None, :], dp, ex)).ravel()
    lcdf = cdf.lcdf(ks[None, :].astype(float), dp, ex).ravel()
    np.testing.assert_allclose(np.exp(lcdf), np.cumsum(pmf), rtol=1e-9)
    np.testing.assert_allclose(np.exp(cdf.lccdf(ks[None, :].astype(float), dp, ex).ravel()), 1 - np.cumsum(pmf),
                               rtol=1e-7, atol=1e-12)
    assert cdf.lcdf(np.array([[-1.0]]), dp, ex).item() == -np.inf
    assert cdf.lccdf(np.array([[-1.0]]), dp, ex).item() == 0.0


# ------------------------------------------ truncated draws and expectations


def _terms(formula: str, family: str):
    return build_terms(formula, family)


def test_truncated_poisson_draws_and_mean() -> None:
    t = _terms("k | trunc(lb = 2, ub = 10) ~ 1", "poisson")
    n = 100_000
    adds = AdditionData(lb=np.full(1, 2), ub=np.full(1, 10))
    dp = {"mu": np.full((n, 1), 8.0)}
    draws = addition_predict(t, adds, dp, Extras(), np.random.default_rng(2))
    assert draws.min() >= 2 and draws.max() <= 10
    k = np.arange(2, 11)
    p = stats.poisson.pmf(k, 8.0) / stats.poisson.pmf(k, 8.0).sum()
    exact = (k * p).sum()
    assert abs(draws.mean() - exact) < 5 * np.sqrt((k**2 * p).sum() - exact**2) / np.sqrt(n)
    np.testing.assert_allclose(addition_epred(t, adds, {"mu": np.full((1, 1), 8.0)}, Extras()), exact, rtol=1e-10)
    # lower bound only: via the full mean
    adds = AdditionData(lb=np.full(1, 3))
    k = np.arange(3, 200)
    p = stats.poisson.pmf(k, 2.5)
    assert addition_epred(t, adds, {"mu": np.full((1, 1), 2.5)}, Extras()).item() == pytest.approx(
        (k * p).sum() / p.sum(), rel=1e-10)


def test_truncated_gaussian_draws_and_mean() -> None:
    t = _terms("y | trunc(lb = 0) ~ 1", "gaussian")
    n = 100_000
    adds = AdditionData(lb=np.zeros(1))
    dp = {"mu": np.full((n, 1), 0.5), "sigma": np.full((n, 1), 2.0)}
    draws = addition_predict(t, adds, dp, Extras(), np.random.default_rng(3))
    ref = stats.truncnorm(-0.25, np.inf, loc=0.5, scale=2.0)
    assert draws.min() >= 0
    assert abs(draws.mean() - ref.mean()) < 5 * ref.std() / np.sqrt(n)
    assert stats.kstest(draws.ravel()[:5000], ref.cdf).pvalue > 1e-3
    one = {"mu": np.full((1, 1), 0.5), "sigma": np.full((1, 1), 2.0)}
    assert addition_epred(t, adds, one, Extras()).item() == pytest.approx(ref.mean(), rel=1e-10)


def test_rejection_sampling_for_families_without_ppf() -> None:
    t = _terms("k | trunc(ub = 4) ~ 1", "com_poisson")
    adds = AdditionData(ub=np.full(1, 4))
    draws = addition_predict(t, adds, {"mu": np.full((2000, 1), 3.0), "shape": np.full((2000, 1), 0.8)}, Extras(),
                             np.random.default_rng(4))
    assert np.isfinite(draws).all() and draws.max() <= 4


def test_rate_and_se_enter_predictions() -> None:
    fit = quick_fit("kt | rate(t) ~ x", DATA, "negbinomial")
    mu = bp.posterior_linpred(fit, transform=True)
    np.testing.assert_allclose(bp.posterior_epred(fit), mu * DATA["t"].to_numpy()[None, :], rtol=1e-12)
    new = DATA.iloc[:5].assign(t=10.0)
    np.testing.assert_allclose(bp.posterior_epred(fit, newdata=new), 10 * bp.posterior_linpred(fit, newdata=new,
                                                                                               transform=True))
    with pytest.raises(DataError, match="rate"):
        bp.posterior_epred(fit, newdata=DATA.drop(columns="t"))
    fit = quick_fit("y | se(s) ~ 1", DATA, "gaussian")
    assert "sigma" not in fit.draws_dict
    pp = bp.posterior_predict(fit, seed=1)
    sd = np.sqrt(bp.posterior_epred(fit).var(axis=0) + DATA["s"].to_numpy() ** 2)
    assert np.allclose(pp.std(axis=0), sd, rtol=0.25)


# ------------------------------------------------------------ recovery


def frailty_data(n: int = 300, groups: int = 30, seed: int = 3):
    """Weibull survival times with a patient frailty; right censoring by an independent uniform time."""
    rng = np.random.default_rng(seed)
    truth = {"b_Intercept": 1.0, "b_age": -0.4, "shape": 1.5, "sd_patient__Intercept": 0.5}
    patient = rng.integers(0, groups, n)
    age = rng.normal(size=n)
    u = rng.normal(0, truth["sd_patient__Intercept"], groups)
    mu = np.exp(truth["b_Intercept"] + truth["b_age"] * age + u[patient])
    shape = truth["shape"]
    t_event = mu / special.gamma(1 + 1 / shape) * rng.weibull(shape, n)
    t_cens = rng.uniform(0, 8, n)
    censored = np.where(t_event > t_cens, "right", "none")
    return pd.DataFrame({"time": np.minimum(t_event, t_cens), "censored": censored, "age": age,
                         "patient": patient}), truth


@pytest.fixture(scope="module")
def frailty_fit():
    df, truth = frailty_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("time | cens(censored) ~ age + (1 | patient)", df, "weibull", seed=2024, refresh=0,
                     chains=2, iter=1000)
    return df, truth, fit


def test_weibull_frailty_recovery(frailty_fit) -> None:
    df, truth, fit = frailty_fit
    assert 0.2 < (df["censored"] == "right").mean() < 0.5  # a substantial share is censored
    assert_recovers(fit.draws_dict, truth, central95=True)


def test_ignoring_censoring_is_biased(frailty_fit) -> None:
    """The censored likelihood matters: treating censored times as events underestimates the intercept."""
    df, truth, fit = frailty_fit
    naive = quick_fit("time ~ age + (1 | patient)", df, "weibull")
    assert naive.draws_dict["b_Intercept"].mean() < fit.draws_dict["b_Intercept"].mean() - 0.1
    assert_loglik_matches_stan(fit, draws=(0, -1))


def truncated_poisson_data(n: int = 300, seed: int = 8):
    rng = np.random.default_rng(seed)
    truth = {"b_Intercept": 1.8, "b_x": 0.4}
    x = rng.normal(size=n)
    mu = np.exp(truth["b_Intercept"] + truth["b_x"] * x)
    y = rng.poisson(mu)
    while (bad := y > 10).any():  # draw from the truncated distribution by rejection
        y[bad] = rng.poisson(mu[bad])
    return pd.DataFrame({"y": y, "x": x}), truth


@pytest.fixture(scope="module")
def truncated_fit():
    df, truth = truncated_poisson_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y | trunc(ub = 10) ~ x", df, "poisson", seed=2024, refresh=0, chains=2, iter=1000)
    return df, truth, fit


def test_truncated_poisson_recovery(truncated_fit) -> None:
    df, truth, fit = truncated_fit
    assert (df["y"] == 10).sum() > 5  # the bound is active
    assert_recovers(fit.draws_dict, truth, central95=True)
    pp = bp.posterior_predict(fit, ndraws=200, seed=1)
    assert pp.max() <= 10
    ep = bp.posterior_epred(fit)
    assert (ep <= 10).all()
    # predictive means match the data on average (the truncated mean, not exp(eta))
    assert abs(ep.mean() - df["y"].mean()) < 0.2


# ------------------------------------------------------------- bad input


@pytest.mark.parametrize("codes, match", [
    ([0, 1, 3], "Invalid censoring codes.*3"),
    (["none", "middle", "right"], "Invalid censoring codes.*'middle'"),
])
def test_invalid_censoring_codes(codes, match) -> None:
    df = DATA.iloc[:3].assign(c=codes)
    with pytest.raises(DataError, match=match):
        bp.make_stancode("y | cens(c) ~ x", df, "weibull")


def test_censoring_code_spellings() -> None:
    got = cens_codes(pd.Series(["Left", "r", "NONE", "interval", "i"]))
    assert got.tolist() == [-1, 1, 0, 2, 2]
    assert cens_codes(pd.Series([-1.0, 0.0, 2.0])).tolist() == [-1, 0, 2]
    assert cens_codes(pd.Series([True, False])).tolist() == [1, 0]
    # one code for all rows, written in the formula
    assert (bp.make_standata('y | cens("right") ~ x', DATA, "weibull")["cens"] == 1).all()
    assert bp.make_standata("y | cens(1) ~ x", DATA, "weibull")["Nrcens"] == len(DATA)


def test_interval_censoring_needs_y2() -> None:
    with pytest.raises(DataError, match="no upper bound is given.*cens\\(code, y2\\)"):
        bp.make_stancode("y | cens(code) ~ x", DATA, "gaussian")
    bad = DATA.assign(y2=DATA["y"] - 1)
    with pytest.raises(DataError, match="Left censor points must be smaller"):
        bp.make_stancode("y | cens(code, y2) ~ x", bad, "gaussian")
    # y2 may be missing where a row is not interval censored (the row is kept)
    ok = DATA.assign(y2=np.where(DATA["code"] == 2, DATA["y2"], np.nan))
    assert bp.make_standata("y | cens(code, y2) ~ x", ok, "gaussian")["N"] == len(DATA)
    with pytest.raises(DataError, match="missing or infinite"):
        bp.make_stancode("y | cens(code, y2) ~ x", DATA.assign(y2=np.nan), "gaussian")


def test_truncation_bounds_violated() -> None:
    with pytest.raises(DataError, match="outside the truncation bounds.*ub = 5"):
        bp.make_stancode("kt | trunc(ub = 5) ~ x", DATA, "poisson")
    with pytest.raises(DataError, match="lb >= ub"):
        bp.make_stancode("y | trunc(lb = 3, ub = 1) ~ x", DATA)
    with pytest.raises(DataError, match="integer"):
        bp.make_stancode("k | trunc(ub = 9.5) ~ x", DATA, "poisson")
    with pytest.raises(DataError, match="infinite values"):
        bp.make_stancode("y | trunc(ub = yu) ~ x", DATA.assign(yu=np.inf))
    with pytest.warns(UserWarning, match="does not truncate"):
        code = bp.make_stancode("y | trunc(lb = 0) ~ x", DATA, "weibull")
    assert "lb" not in code


@pytest.mark.parametrize("formula, family, error, match", [
    ("k | se(s) ~ x", "poisson", FamilyError, "'se\\(\\)' is not available for family 'poisson'"),
    ("y | rate(t) ~ x", "gaussian", FamilyError, "'rate\\(\\)' is not available for family 'gaussian'"),
    ("k | cens(cens) ~ x", "cumulative", FamilyError, "'cens\\(\\)' is not available for family 'cumulative'"),
    ("k | cens(cens) ~ x", "categorical", FormulaError, "cens.*not supported for family 'categorical'"),
    ("y | trunc(ub = 0.99) ~ x", "zero_one_inflated_beta", FamilyError, "'trunc\\(\\)' is not available"),
])
def test_terms_the_family_cannot_take(formula, family, error, match) -> None:
    df = DATA.assign(k=DATA["k"] + 1) if family in ("cumulative", "categorical") else DATA
    if family == "zero_one_inflated_beta":
        df = DATA.assign(y=DATA["y"] / (DATA["y"].max() + 1))
    with pytest.raises(error, match=match):
        bp.make_stancode(formula, df, family)


def test_bad_se_and_rate_values() -> None:
    with pytest.raises(DataError, match="Standard errors"):
        bp.make_stancode("y | se(s) ~ 1", DATA.assign(s=0.0))
    with pytest.raises(FormulaError, match="sigma = TRUE"):
        bp.make_stancode(bp.bf("y | se(s) ~ 1", "sigma ~ x"), DATA)
    with pytest.raises(FormulaError, match="TRUE or FALSE"):
        bp.make_stancode("y | se(s, sigma = 2) ~ 1", DATA)
    with pytest.raises(DataError, match="positive"):
        bp.make_stancode("kt | rate(t) ~ 1", DATA.assign(t=0.0), "poisson")
