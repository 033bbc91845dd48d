"""Residual autocorrelation: ar(), ma(), arma(), cosy() (brmspy.frame.autocor, brmspy.codegen.autocor).

- golden Stan code + stanc for every structure (gaussian and student, conditional
  ARMA and the covariance formulation);
- data side: rows sorted by series then time as brms, brms's J_lag, begin/end_tg;
- priors: brms's get_prior rows and user priors;
- numpy vs Stan: ARMA log_lik sums to Stan's likelihood, and the joint density
  per series of covariance structures equals Stan's; the pointwise log_lik of
  covariance structures is the leave-one-out conditional density (checked
  against scipy's joint densities);
- recovery by sampling: ar(p = 2) on 4 simulated AR(2) series, ma(q = 1), cosy;
- bad input: missing or duplicated times, wrong family, dpar formula, ...
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli
from scipy import stats

import brmspy as bp
from brmspy.core.errors import DataError, FormulaError, PriorError
from brmspy.formula.prefix import Prefix
from brmspy.prediction.autocor import arma_eta
from brmspy.prediction.core import series_log_lik
from tests.checks import assert_golden, assert_loglik_matches_stan, parameter_names

# ---------------------------------------------------------------- data


def _arma_series(rng, T: int, ar=(), ma=(), sd: float = 0.5, burn: int = 50) -> np.ndarray:
    """One ARMA series of residuals: e_t = sum ar_i e_{t-i} + u_t + sum ma_j u_{t-j}."""
    n = T + burn
    u = rng.normal(0, sd, n)
    e = np.zeros(n)
    for t in range(n):
        e[t] = u[t]
        e[t] += sum(a * e[t - i - 1] for i, a in enumerate(ar) if t - i - 1 >= 0)
        e[t] += sum(m * u[t - j - 1] for j, m in enumerate(ma) if t - j - 1 >= 0)
    return e[burn:]


def simulate(G: int = 4, T: int = 100, ar=(), ma=(), seed: int = 1, shuffle: bool = True) -> pd.DataFrame:
    """G series of length T: y = 1 + 0.5 x + ARMA residuals; rows shuffled (the model sorts them)."""
    rng = np.random.default_rng(seed)
    parts = []
    for g in range(G):
        x = rng.normal(size=T)
        y = 1 + 0.5 * x + _arma_series(rng, T, ar, ma)
        parts.append(pd.DataFrame({"y": y, "x": x, "t": np.arange(1, T + 1), "g": f"s{g + 1}"}))
    df = pd.concat(parts, ignore_index=True)
    return df.sample(frac=1, random_state=seed).reset_index(drop=True) if shuffle else df


def simulate_cosy(G: int = 40, T: int = 5, rho: float = 0.4, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    R = np.full((T, T), rho) + (1 - rho) * np.eye(T)
    L = np.linalg.cholesky(R)
    parts = []
    for g in range(G):
        x = rng.normal(size=T)
        y = 1 + 0.5 * x + 0.7 * L @ rng.normal(size=T)
        parts.append(pd.DataFrame({"y": y, "x": x, "t": np.arange(T), "g": f"p{g:02d}"}))
    return pd.concat(parts, ignore_index=True).sample(frac=1, random_state=seed).reset_index(drop=True)


SMALL = simulate(G=3, T=12, ar=(0.5,), seed=7)


# ------------------------------------------------------------ golden code

GOLDEN = {
    "ar1": ("y ~ x + ar(p = 1)", "gaussian"),
    "ar2_time_gr": ("y ~ x + ar(time = t, gr = g, p = 2)", "gaussian"),
    "ma1": ("y ~ x + ma(time = t, gr = g, q = 1)", "gaussian"),
    "arma11": ("y ~ x + arma(time = t, gr = g, p = 1, q = 1)", "gaussian"),
    "cosy": ("y ~ x + cosy(gr = g)", "gaussian"),
    "ar1_student": ("y ~ x + ar(time = t, gr = g)", "student"),
    "arma11_student_group": ("y ~ x + (1 | g) + arma(time = t, gr = g)", "student"),
    "cosy_student": ("y ~ x + cosy(time = t, gr = g)", "student"),
    "cosy_sigma": (bp.bf("y ~ x + cosy(time = t, gr = g)", "sigma ~ x"), "gaussian"),
    "ar1_cov": ("y ~ x + ar(time = t, gr = g, cov = TRUE)", "gaussian"),
    "ma1_cov_student": ("y ~ x + ma(time = t, gr = g, cov = TRUE)", "student"),
    "arma11_cov": ("y ~ x + arma(time = t, gr = g, cov = TRUE)", "gaussian"),
}


@pytest.mark.parametrize("name", list(GOLDEN))
def test_golden_code_and_stanc(name: str, update_golden: bool) -> None:
    formula, family = GOLDEN[name]
    code = bp.make_stancode(formula, SMALL, family)
    assert_golden(f"ac_{name}", code, update_golden)
    assert "_glm_" not in code  # the fused GLM likelihood cannot see the ARMA terms


def test_arma_code_uses_brms_names_and_no_glm() -> None:
    code = bp.make_stancode("y ~ x + arma(time = t, gr = g, p = 2, q = 1)", SMALL)
    for piece in ("int<lower=0> Kar;", "int<lower=0> Kma;", "array[N] int<lower=0> J_lag;", "vector[Kar] ar;",
                  "vector[Kma] ma;", "mu[n] += Err[n, 1:Kma] * ma;", "mu[n] += Err[n, 1:Kar] * ar;",
                  "target += normal_lpdf(Y | mu, sigma);"):
        assert piece in code, piece
    # MA terms enter before the residual is stored, AR terms after (brms's order)
    assert code.index("1:Kma] * ma") < code.index("err[n] = Y[n] - mu[n]") < code.index("1:Kar] * ar")


# --------------------------------------------------------------- data side


def _brms_J_lag(tgroup: np.ndarray, max_lag: int) -> np.ndarray:
    """brms's data_ac(): J_lag[n] = sum(tgroup[n:max(1, n + 1 - max_lag)] %in% tgroup[n + 1])."""
    N = len(tgroup)
    out = np.zeros(N, dtype=int)
    for n in range(N - 1):
        window = tgroup[max(0, n + 1 - max_lag): n + 1]
        out[n] = np.sum(window == tgroup[n + 1])
    return out


def test_rows_sorted_by_series_then_time_and_J_lag() -> None:
    df = simulate(G=3, T=7, seed=3)
    build = bp.build_model("y ~ x + ar(time = t, gr = g, p = 3)", df)
    data = build.frame.data
    assert list(data["g"]) == sorted(data["g"])  # series contiguous, in level order
    for _, part in data.groupby("g"):
        assert list(part["t"]) == sorted(part["t"])
    # the response follows its rows
    merged = data.merge(df, on=["g", "t"], suffixes=("", "_orig"))
    np.testing.assert_array_equal(merged["y"], merged["y_orig"])
    np.testing.assert_array_equal(build.frame.responses[""].y, data["y"])
    codes = pd.factorize(data["g"])[0]
    np.testing.assert_array_equal(build.data["J_lag"], _brms_J_lag(codes, 3))
    assert build.data["Kar"] == 3 and build.data["Kma"] == 0


def test_without_time_the_data_order_is_kept_within_series() -> None:
    df = SMALL.copy()
    data = bp.build_model("y ~ x + ar(gr = g)", df).frame.data
    for g, part in data.groupby("g", sort=False):
        np.testing.assert_array_equal(part["y"].to_numpy(), df.loc[df["g"] == g, "y"].to_numpy())
    # no gr, no time: one series in data order
    same = bp.build_model("y ~ x + ar()", df).frame.data
    np.testing.assert_array_equal(same["y"], df["y"])
    J = bp.make_standata("y ~ x + ar()", df)["J_lag"]
    assert J[-1] == 0 and (J[:-1] == 1).all()


def test_series_layout_of_covariance_structures() -> None:
    df = SMALL.iloc[:-2]  # unequal series lengths
    sd = bp.make_standata("y ~ x + cosy(time = t, gr = g)", df)
    counts = df["g"].value_counts().sort_index().to_numpy()
    np.testing.assert_array_equal(sd["nobs_tg"], counts)
    np.testing.assert_array_equal(sd["begin_tg"], np.r_[1, 1 + np.cumsum(counts)[:-1]])
    np.testing.assert_array_equal(sd["end_tg"], np.cumsum(counts))
    assert sd["N_tg"] == 3 and "J_lag" not in sd


# ------------------------------------------------------------------- priors


def test_get_prior_rows() -> None:
    gp = bp.get_prior("y ~ x + arma(time = t, gr = g, p = 2)", SMALL)
    rows = gp.set_index("class")
    assert rows.loc["ar", "prior"] == "" and rows.loc["ar", "lb"] == "" and rows.loc["ar", "ub"] == ""
    assert rows.loc["ma", "prior"] == ""
    cosy = bp.get_prior("y ~ x + cosy(gr = g)", SMALL).set_index("class").loc["cosy"]
    assert (cosy["prior"], cosy["lb"], cosy["ub"]) == ("", "0", "1")
    cov = bp.get_prior("y ~ x + ar(gr = g, cov = TRUE)", SMALL).set_index("class").loc["ar"]
    assert (cov["lb"], cov["ub"]) == ("-1", "1")


def test_user_priors_on_autocor_classes() -> None:
    pri = bp.prior("normal(0, 0.5)", class_="ar") + bp.prior("beta(2, 2)", class_="cosy")
    with pytest.raises(PriorError, match="cosy"):
        bp.make_stancode("y ~ x + ar(gr = g)", SMALL, prior=pri)
    build = bp.build_model("y ~ x + ar(gr = g, p = 2)", SMALL, prior=bp.prior("normal(0, 0.5)", class_="ar"))
    assert "lprior += normal_lpdf(ar | prior_ar_loc, prior_ar_scale);" in build.code
    assert build.data["prior_ar_scale"] == 0.5
    # a bounded parameter gets brms's truncation term
    code = bp.make_stancode("y ~ x + cosy(gr = g)", SMALL, prior=bp.prior("normal(0.5, 1)", class_="cosy"))
    assert "log_diff_exp(normal_lcdf(1 | prior_cosy_loc, prior_cosy_scale), normal_lcdf(0 | prior_cosy_loc" in code
    code = bp.make_stancode("y ~ x + cosy(gr = g)", SMALL, prior=bp.prior("beta(2, 2)", class_="cosy"))
    assert "lprior += beta_lpdf(cosy | prior_cosy_a, prior_cosy_b);" in code and "log_diff_exp" not in code
    stanli.stan_to_mir(code)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "formula, family, data, error, match",
    [
        ("y ~ x + ar(time = tt, gr = g)", "gaussian", SMALL, DataError, "Column 'tt'"),
        ("y ~ x + ar(time = t)", "gaussian", SMALL, DataError, "Time points must be unique"),
        ("y ~ x + cosy(time = t, gr = g2)", "gaussian", SMALL, DataError, "Column 'g2'"),
        (bp.bf("y ~ x", "sigma ~ ar(p = 1)"), "gaussian", SMALL, FormulaError, "belongs in the formula of the response"),
        ("yb ~ x + ma(time = t, gr = g)", "bernoulli", None, FormulaError, "set cov = TRUE when modeling MA"),
        ("yb ~ x + arma(time = t, gr = g)", "bernoulli", None, FormulaError, "set cov = TRUE when modeling MA"),
        ("y ~ x + ar(time = t, gr = g) + ma(time = t, gr = g)", "gaussian", SMALL, FormulaError, "arma"),
        ("y ~ x + ar(p = 0)", "gaussian", SMALL, FormulaError, "order 0"),
        ("y ~ x + ar(p = 1.5)", "gaussian", SMALL, FormulaError, "whole number"),
        ("y ~ x + ar(p = 2, cov = TRUE)", "gaussian", SMALL, FormulaError, "cov = TRUE"),
        ("y ~ x + ar(lag = 2)", "gaussian", SMALL, FormulaError, "no argument 'lag'"),
        ("y ~ x + ar(gr = g)", bp.gaussian(link="log"), SMALL, FormulaError, "identity link"),
        ("y ~ x + unstr(t)", "gaussian", SMALL, FormulaError, "Argument 'gr' is missing"),
    ],
)
def test_bad_input(formula, family, data, error, match) -> None:
    if data is None:
        data = SMALL.assign(yb=(SMALL["y"] > 1).astype(int))
    with pytest.raises(error, match=match):
        bp.make_stancode(formula, data, family)


def test_multivariate_without_rescor_and_with_rescor() -> None:
    df = SMALL.assign(y2=SMALL["y"] * 2 + 1)
    code = bp.make_stancode(bp.bf("y ~ x + ar(time = t, gr = g)") + bp.bf("y2 ~ x + ar(time = t, gr = g)")
                            + bp.set_rescor(False), df)
    stanli.stan_to_mir(code)
    assert "mu_y2[n] += Err_y2[n, 1:Kar_y2] * ar_y2;" in code and "vector[Kar_y] ar_y;" in code
    code = bp.make_stancode(bp.bf("y ~ x + ar(time = t, gr = g)") + bp.bf("y2 ~ x") + bp.set_rescor(True), df)
    assert "mu_y[n] += Err_y[n, 1:Kar_y] * ar_y;" in code  # ARMA terms with rescor: tests/specials/test_autocor_rescor.py
    with pytest.raises(FormulaError, match="Explicit covariance terms cannot be modeled when 'rescor'"):
        bp.make_stancode(bp.bf("y ~ x + cosy(time = t, gr = g)") + bp.bf("y2 ~ x") + bp.set_rescor(True), df)
    with pytest.raises(FormulaError, match="same 'time' and 'gr'"):
        bp.make_stancode(bp.bf("y ~ x + ar(time = t, gr = g)") + bp.bf("y2 ~ x + ar(gr = g)") + bp.set_rescor(False), df)


def test_duplicated_time_within_a_group_names_the_group() -> None:
    bad = SMALL.copy()
    bad.loc[bad.index[:2], ["g", "t"]] = ["s2", 3]
    with pytest.raises(DataError, match=r"time 3 of 't' appears more than once within level 's2' of 'g'"):
        bp.make_standata("y ~ x + ar(time = t, gr = g)", bad)


# ------------------------------------------------------------ numpy ARMA


def test_arma_eta_equals_textbook_ar_recursion() -> None:
    rng = np.random.default_rng(4)
    S, N = 3, 9
    eta, y = rng.normal(size=(S, N)), rng.normal(size=N)
    ar = rng.uniform(-0.5, 0.5, (S, 2))
    codes = np.repeat([0, 1], [5, 4])
    J = _brms_J_lag(codes, 2)
    got = arma_eta(eta, y, J, ar, None)
    res = y - eta
    want = eta.copy()
    for n in range(N):
        for k in (1, 2):
            if n - k >= 0 and codes[n - k] == codes[n]:
                want[:, n] += ar[:, k - 1] * res[:, n - k]
    np.testing.assert_allclose(got, want)
    # MA(1): innovations u_n = y_n - eta_n - ma * u_{n-1} within a series
    ma = rng.uniform(-0.5, 0.5, (S, 1))
    got = arma_eta(eta, y, _brms_J_lag(codes, 1), None, ma)
    u = np.zeros((S, N))
    want = eta.copy()
    for n in range(N):
        if n > 0 and codes[n - 1] == codes[n]:
            want[:, n] += ma[:, 0] * u[:, n - 1]
        u[:, n] = y[n] - want[:, n]
    np.testing.assert_allclose(got, want)


# ------------------------------------------------------------------- fits


def _brm(formula, data, family="gaussian", **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(formula, data, family, seed=11, refresh=0, **{"chains": 2, "iter": 1000, **kw})


@pytest.fixture(scope="module")
def ar2_fit():
    return _brm("y ~ x + ar(time = t, gr = g, p = 2)", simulate(G=4, T=100, ar=(0.5, -0.3), seed=1))


@pytest.fixture(scope="module")
def cosy_fit():
    return _brm("y ~ x + cosy(time = t, gr = g)", simulate_cosy())


def _covers(draws: np.ndarray, truth: float) -> None:
    m, s = draws.mean(), draws.std()
    lo, hi = np.quantile(draws, [0.025, 0.975])
    assert abs(m - truth) < 4 * s and lo < truth < hi, (m, s, truth)


def test_ar2_recovery_and_summary(ar2_fit) -> None:
    d = ar2_fit.draws()
    _covers(d["ar[1]"].to_numpy(), 0.5)
    _covers(d["ar[2]"].to_numpy(), -0.3)
    _covers(d["b_x"].to_numpy(), 0.5)
    _covers(d["sigma"].to_numpy(), 0.5)
    text = str(ar2_fit.summary())
    assert "Correlation Structures:" in text and "ar[1]" in text and "ar[2]" in text
    assert text.index("Correlation Structures:") < text.index("Regression Coefficients:")


def test_ar2_log_lik_equals_stan(ar2_fit) -> None:
    assert_loglik_matches_stan(ar2_fit)


def test_ar2_predictions(ar2_fit) -> None:
    fit = ar2_fit
    ep = bp.posterior_epred(fit, ndraws=50, seed=1)
    lin = bp.posterior_linpred(fit, ndraws=50, seed=1)
    np.testing.assert_allclose(ep, lin)  # identity link, ARMA terms included in both
    # mu = regression + ARMA terms built from the fitted residuals (arma_eta, checked above)
    d = fit.draws()
    idx = bp.prediction.draw_indices(fit, 50, 1)
    X = fit.frame.data["x"].to_numpy()
    eta = d["b_Intercept"].to_numpy()[idx, None] + d["b_x"].to_numpy()[idx, None] * X[None, :]
    ar = np.column_stack([d["ar[1]"].to_numpy()[idx], d["ar[2]"].to_numpy()[idx]])
    y = fit.frame.responses[""].y
    J = _brms_J_lag(pd.factorize(fit.frame.data["g"])[0], 2)
    np.testing.assert_allclose(ep, arma_eta(eta, y, J, ar, None), rtol=1e-10)
    assert np.mean((ep.mean(0) - y) ** 2) < np.mean((eta.mean(0) - y) ** 2)  # one step ahead beats the regression
    pp = bp.posterior_predict(fit, ndraws=50, seed=1)
    assert pp.shape == (50, 400) and np.isfinite(pp).all()
    # new data holding the response: same values, in the new data's row order
    shuffled = fit.frame.data.sample(frac=1, random_state=3).reset_index(drop=True)
    new = bp.posterior_epred(fit, newdata=shuffled, ndraws=50, seed=1)
    key = list(zip(fit.frame.data["g"], fit.frame.data["t"]))
    pos = {k: i for i, k in enumerate(key)}
    back = np.array([pos[k] for k in zip(shuffled["g"], shuffled["t"])])
    np.testing.assert_allclose(new, ep[:, back])
    # without the response the rows are forecast (tests/specials/test_arma_forecast.py); the time column is still needed
    with pytest.raises(DataError, match="Column 't'"):
        bp.posterior_epred(fit, newdata=shuffled.drop(columns=["y", "t"]))


def test_incl_autocor_false_and_conditional_effects(ar2_fit, cosy_fit) -> None:
    fit = ar2_fit
    d = fit.draws()
    idx = bp.prediction.draw_indices(fit, 40, 2)
    nd = pd.DataFrame({"x": [-1.0, 0.0, 2.0]})  # no response, no time: the regression part only
    ep = bp.posterior_epred(fit, newdata=nd, ndraws=40, seed=2, incl_autocor=False)
    expected = d["b_Intercept"].to_numpy()[idx, None] + d["b_x"].to_numpy()[idx, None] * nd["x"].to_numpy()[None, :]
    np.testing.assert_allclose(ep, expected, rtol=1e-10)
    # on the fitted data the ARMA terms change mu unless left out
    assert not np.allclose(bp.posterior_epred(fit, ndraws=40, seed=2),
                           bp.posterior_epred(fit, ndraws=40, seed=2, incl_autocor=False))
    # conditional_effects grids have no time order: the effect of x is the regression line
    ce = bp.conditional_effects(fit, "x", robust=False, ndraws=200, seed=1)
    tab = ce.effects["x"]
    slope = np.polyfit(tab["x"], tab["estimate__"], 1)[0]
    assert abs(slope - d["b_x"].mean()) < 0.02 * abs(d["b_x"].mean())
    ce2 = bp.conditional_effects(cosy_fit, "x", method="posterior_predict", ndraws=100, seed=1)
    assert np.isfinite(ce2.effects["x"]["estimate__"]).all()


def test_ma1_recovery_and_log_lik() -> None:
    fit = _brm("y ~ x + ma(time = t, gr = g)", simulate(G=3, T=100, ma=(0.6,), seed=5))
    _covers(fit.draws()["ma[1]"].to_numpy(), 0.6)
    assert_loglik_matches_stan(fit)


def test_arma_student_with_group_effects_log_lik() -> None:
    fit = _brm("y ~ x + (1 | g) + arma(time = t, gr = g)", simulate(G=3, T=30, ar=(0.4,), ma=(0.3,), seed=6),
               "student", chains=1, iter=200)
    assert_loglik_matches_stan(fit, draws=(0, 50, -1))
    assert {"ar[1]", "ma[1]"} <= set(fit.draws().columns)


def _assert_series_density_matches_stan(fit, draws=(0, 1, -1)) -> None:
    """Joint density per series (numpy) summed == Stan's likelihood contribution at the same draws."""
    code, data = fit.stancode(), fit.standata()
    full = stanli.Model(stan_code=code, data=data)
    prior = stanli.Model(stan_code=code, data={**data, "prior_only": 1})
    ll = series_log_lik(fit).sum(axis=1)
    for draw in draws:
        draw %= fit.stan_draws.ndraws
        values = {n: fit.stan_draws.params[n][0, draw] for n in parameter_names(code) if n in fit.stan_draws.params}
        theta = full.unconstrain(values)
        assert full.log_prob_grad(theta)[0] - prior.log_prob_grad(theta)[0] == pytest.approx(ll[draw], rel=1e-8)


def _loo_conditional(fit, joint_logpdf, draw: int, series: int) -> np.ndarray:
    """log p(y_i | y_-i) = log p(y) - log p(y_-i) for the rows of one series, from scipy densities."""
    from brmspy.prediction.context import prediction_context
    from brmspy.prediction.dpars import dpar_values, response_terms

    ctx = prediction_context(fit, None, None, None, False, "uncertainty", None)
    dp = dpar_values(ctx, response_terms(fit))
    ac = fit.frame.designs[Prefix("", "mu")].specials[0]
    b, e = ac.series.begin[series] - 1, ac.series.end[series]
    y = fit.frame.responses[""].y[b:e]
    mu = np.broadcast_to(dp["mu"], (ctx.idx.size, fit.frame.N))[draw, b:e]
    sigma = float(np.broadcast_to(dp["sigma"], (ctx.idx.size, 1))[draw, 0])
    rho = float(fit.stan_draws.params["cosy"].reshape(-1)[draw])
    n = e - b
    C = sigma**2 * (np.full((n, n), rho) + (1 - rho) * np.eye(n))
    nu = float(fit.stan_draws.params["nu"].reshape(-1)[draw]) if "nu" in fit.stan_draws.params else None
    full = joint_logpdf(y, mu, C, nu)
    out = []
    for i in range(n):
        keep = np.arange(n) != i
        out.append(full - joint_logpdf(y[keep], mu[keep], C[np.ix_(keep, keep)], nu))
    return np.array(out), b, e


def _mvn(y, mu, C, nu):
    return stats.multivariate_normal(mu, C).logpdf(y)


def _mvt(y, mu, C, nu):
    return stats.multivariate_t(mu, C, df=nu).logpdf(y)


def test_cosy_recovery_density_and_loo_log_lik(cosy_fit) -> None:
    fit = cosy_fit
    _covers(fit.draws()["cosy"].to_numpy(), 0.4)
    assert "cosy" in str(fit.summary())
    _assert_series_density_matches_stan(fit)
    ll = bp.log_lik(fit)
    for draw, series in ((0, 0), (-1, 7)):
        want, b, e = _loo_conditional(fit, _mvn, draw % ll.shape[0], series)
        np.testing.assert_allclose(ll[draw, b:e], want, rtol=1e-8)
    pp = bp.posterior_predict(fit, seed=2)
    # draws share the residual correlation within a series (cosy), not across series
    res = pp - bp.posterior_epred(fit)
    first, second = res[:, fit.frame.data["t"].to_numpy() == 0], res[:, fit.frame.data["t"].to_numpy() == 1]
    r = np.corrcoef(first.reshape(-1), second.reshape(-1))[0, 1]
    assert abs(r - fit.draws()["cosy"].mean()) < 0.05
    # new data form their own series (as brms): the fitted rows, shuffled, give the fitted values back
    perm = np.random.default_rng(3).permutation(len(fit.frame.data))
    new = fit.frame.data.iloc[perm].reset_index(drop=True)
    np.testing.assert_allclose(bp.log_lik(fit, newdata=new), ll[:, perm], rtol=1e-10)
    assert bp.posterior_predict(fit, newdata=new.iloc[:7], seed=1).shape == (ll.shape[0], 7)


def test_cosy_student_density_and_loo_log_lik() -> None:
    fit = _brm("y ~ x + cosy(time = t, gr = g)", simulate_cosy(G=10, T=4, seed=8), "student", chains=1, iter=200)
    _assert_series_density_matches_stan(fit, draws=(0, 50, -1))
    ll = bp.log_lik(fit)
    want, b, e = _loo_conditional(fit, _mvt, 50, 3)
    np.testing.assert_allclose(ll[50, b:e], want, rtol=1e-8)


@pytest.mark.parametrize("formula, family", [
    ("y ~ x + ar(time = t, gr = g, cov = TRUE)", "gaussian"),
    ("y ~ x + arma(time = t, gr = g, cov = TRUE)", "gaussian"),
    ("y ~ x + ma(time = t, gr = g, cov = TRUE)", "student"),
    (bp.bf("y ~ x + cosy(time = t, gr = g)", "sigma ~ x"), "gaussian"),
    (bp.bf("y ~ x + cosy(time = t, gr = g)", "sigma ~ x"), "student"),
])
def test_covariance_formulations_density_matches_stan(formula, family) -> None:
    fit = _brm(formula, simulate(G=3, T=15, ar=(0.4,), seed=9), family, chains=1, iter=200)
    _assert_series_density_matches_stan(fit, draws=(0, 50, -1))
    assert bp.log_lik(fit).shape == (100, 45)
    assert np.isfinite(bp.posterior_predict(fit, ndraws=10, seed=1)).all()
