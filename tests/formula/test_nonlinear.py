"""Non-linear models: bf(..., nl=True), lf(), nlf(), expression translation, nlpar priors, predictions.

Golden Stan code (accepted by stanc) for several non-linear models; the
expression parser against numpy; brms's required priors on nlpar
coefficients; recovery of an exponential decay with group-varying amplitude;
numpy log-likelihood equal to Stan's; predictions on new data computed by hand
from the draws; errors for bad input.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli
from scipy import special

import brmspy as bp
from brmspy.formula import build_terms
from brmspy.formula.nlexpr import evaluate, parse_nl, to_stan
from tests.checks import assert_golden, assert_loglik_matches_stan

P = bp.prior


def small_data(n: int = 60, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "y": rng.normal(3, 1, n), "x": rng.uniform(0.5, 2, n), "z": rng.normal(size=n),
        "g": np.repeat(list("abcdef"), n // 6), "count": rng.poisson(3, n), "f": rng.choice(["u", "v"], n),
    })


# -------------------------------------------------------------- golden code

GOLDEN = {
    "nl_decay_group": (
        bp.bf("y ~ a * exp(-b * x)", "a ~ 1 + (1 | g)", "b ~ 1", nl=True), "gaussian",
        P("normal(5, 2)", nlpar="a") + P("normal(0, 1)", nlpar="b", lb=0)),
    "nl_a1_minus_a2_pow_x": (
        bp.bf("y ~ a1 - a2^x", "a1 ~ 1", "a2 ~ x + (x | g)", nl=True), "gaussian",
        P("normal(0, 1)", nlpar="a1") + P("normal(0, 1)", nlpar="a2")),
    "nl_lf_nlf": (
        bp.bf("y ~ a1 - a2^x", nl=True) + bp.lf("a2 ~ 1") + bp.nlf("a1 ~ exp(l1)") + bp.lf("l1 ~ 1 + z"), "gaussian",
        P("normal(0, 1)", nlpar="a2") + P("normal(0, 1)", nlpar="l1")),
    "nl_sigma_nlf": (
        bp.bf("y ~ x") + bp.nlf("sigma ~ a * exp(b * x)") + bp.lf("a ~ 1", "b ~ 1 + (1 | g)"), "gaussian",
        P("normal(0, 1)", nlpar="a") + P("normal(0, 1)", nlpar="b")),
    "nl_shared_id": (
        bp.bf("y ~ a * exp(-b * x)", "a ~ 1 + (1 | ID | g)", "b ~ 1 + (1 | ID | g)", nl=True), "gaussian",
        P("normal(3, 1)", nlpar="a") + P("normal(0, 1)", nlpar="b", lb=0)),
    "nl_poisson_log": (
        bp.bf("count ~ a + b * log(x)", "a + b ~ 1", nl=True), "poisson",
        P("normal(0, 1)", nlpar="a") + P("normal(0, 1)", nlpar="b")),
}


@pytest.mark.parametrize("name", list(GOLDEN))
def test_golden_and_stanc(name: str, update_golden: bool) -> None:
    formula, family, prior = GOLDEN[name]
    code = bp.make_stancode(formula, small_data(), family=family, prior=prior)
    stanli.stan_to_mir(code)  # raises with stanc's message
    assert_golden(name, code, update_golden)


def test_code_structure_as_brms() -> None:
    formula, family, prior = GOLDEN["nl_a1_minus_a2_pow_x"]
    code = bp.make_stancode(formula, small_data(), family=family, prior=prior)
    for line in ("vector[K_a1] b_a1;", "matrix[N, K_a2] X_a2;", "vector[N] C_1;  // x", "vector[N] Z_1_a2_1;",
                 "vector[N] Z_1_a2_2;", "nlp_a2 += X_a2 * b_a2;", "nlp_a2 += r_1_a2_1[J_1] .* Z_1_a2_1;",
                 "mu[n] = nlp_a1[n] - nlp_a2[n] ^ C_1[n];", "target += normal_lpdf(Y | mu, sigma);"):
        assert line in code, line
    # no centring and no separate Intercept for nlpars
    assert "Xc_a" not in code and "Intercept_a" not in code
    # '**' is the same power as '^'
    f2 = bp.bf("y ~ a1 - a2**x", "a1 ~ 1", "a2 ~ x + (x | g)", nl=True)
    assert bp.make_stancode(f2, small_data(), prior=prior) == code
    # bounds from the prior, priors hyperparameters as data
    decay = bp.make_stancode(GOLDEN["nl_decay_group"][0], small_data(), prior=GOLDEN["nl_decay_group"][2])
    assert "vector<lower=0>[K_b] b_b;" in decay and "lprior += normal_lpdf(b_a | prior_b_a_loc, prior_b_a_scale);" in decay
    # the inverse link is applied inside the loop, unless the likelihood takes the link scale
    bern = bp.make_stancode(bp.bf("count ~ a * x", "a ~ 1", nl=True), small_data().assign(count=lambda d: d["count"] > 2),
                            family=bp.bernoulli(link="probit"), prior=P("normal(0, 1)", nlpar="a"))
    assert "mu[n] = Phi(nlp_a[n] * C_1[n]);" in bern
    assert "mu[n] = nlp_a[n] + nlp_b[n] * log(C_1[n]);" in bp.make_stancode(
        GOLDEN["nl_poisson_log"][0], small_data(), "poisson", GOLDEN["nl_poisson_log"][2])


def test_standata_and_get_prior() -> None:
    df = small_data()
    formula, family, prior = GOLDEN["nl_a1_minus_a2_pow_x"]
    sd = bp.make_standata(formula, df, prior=prior)
    np.testing.assert_array_equal(sd["X_a1"], np.ones((60, 1)))
    np.testing.assert_allclose(sd["X_a2"][:, 1], df["x"])
    np.testing.assert_allclose(sd["C_1"], df["x"])
    gp = bp.get_prior(formula, df)
    rows = {(r["class"], r["coef"], r["group"], r["nlpar"]) for _, r in gp.iterrows()}
    for row in [("b", "", "", "a1"), ("b", "Intercept", "", "a1"), ("b", "", "", "a2"), ("b", "Intercept", "", "a2"),
                ("b", "x", "", "a2"), ("sd", "", "", "a2"), ("sd", "", "g", "a2"), ("sd", "Intercept", "g", "a2"),
                ("sd", "x", "g", "a2"), ("cor", "", "g", "")]:
        assert row in rows, row
    assert "Intercept" not in set(gp["class"])  # nlpar intercepts are b coefficients
    assert (gp.loc[gp["nlpar"] != "", "dpar"] == "").all()
    assert gp.loc[(gp["class"] == "b") & (gp["nlpar"] != ""), "prior"].eq("").all()  # flat until the user sets one


# ------------------------------------------------------------ expressions


@pytest.mark.parametrize("text, stan", [
    ("a1 - a2^x", "a1[n] - a2[n] ^ x[n]"),
    ("a1 - a2**x", "a1[n] - a2[n] ^ x[n]"),
    ("a * exp(-b * x)", "a[n] * exp(-b[n] * x[n])"),
    ("-a^2", "-a[n] ^ 2"),
    ("(-a)^2", "(-a[n]) ^ 2"),
    ("a^b^c", "a[n] ^ b[n] ^ c[n]"),
    ("(a^b)^c", "(a[n] ^ b[n]) ^ c[n]"),
    ("a - (b - x)", "a[n] - (b[n] - x[n])"),
    ("a / (b * x)", "a[n] / (b[n] * x[n])"),
    ("1/2 * x", "1 / 2.0 * x[n]"),  # R divides reals; Stan would divide integers
    ("inv_logit(a + b * x)", "inv_logit(a[n] + b[n] * x[n])"),
    ("plogis(a) + pnorm(b) + fabs(x)", "inv_logit(a[n]) + Phi(b[n]) + abs(x[n])"),
    ("pow(a, 2) + sqrt(x) + log1p(b) + expm1(b) + inv(x)", "pow(a[n], 2) + sqrt(x[n]) + log1p(b[n]) + expm1(b[n]) + inv(x[n])"),
    ("ifelse(x > b, a, 0)", "(x[n] > b[n] ? a[n] : 0)"),
    ("total.fruits * a", "total.fruits[n] * a[n]"),
])
def test_expression_to_stan(text: str, stan: str) -> None:
    assert to_stan(parse_nl(text), lambda v: f"{v}[n]") == stan


def test_expression_numpy_matches_direct_numpy() -> None:
    rng = np.random.default_rng(3)
    env = {"a": rng.uniform(0.5, 2, (4, 5)), "b": rng.uniform(0.5, 2, (4, 5)), "x": rng.uniform(0.5, 2, 5)}
    a, b, x = env["a"], env["b"], env["x"]
    cases = {
        "a * exp(-b * x)": a * np.exp(-b * x),
        "a - b^x": a - b**x,
        "-a^2 + (b - x) / a": -(a**2) + (b - x) / a,
        "inv_logit(a - x) * Phi(b) + log(x) + sqrt(a) + fmax(a, x) + step(b - 1)":
            1 / (1 + np.exp(-(a - x))) * special.ndtr(b) + np.log(x) + np.sqrt(a)
            + np.maximum(a, x) + (b - 1 >= 0),
        "(x > b) * a + ifelse(a < 1, 2, 3)": (x > b) * a + np.where(a < 1, 2.0, 3.0),
    }
    for text, expected in cases.items():
        np.testing.assert_allclose(evaluate(parse_nl(text), env), expected, rtol=1e-12)


# ------------------------------------------------------------- formulas


def test_formula_helpers() -> None:
    f = bp.bf("y ~ a * inv_logit(x * b)") + bp.lf("a + b ~ z") + bp.set_nl()
    t = build_terms(f)
    assert f.nl and set(t.parts) == {"a", "b"} and t.nonlinear["mu"].nlpars == ("a", "b")
    assert t.nonlinear["mu"].covariates == ("x",) and t.parts["a"].kind == "nlpar"
    t = build_terms(bp.bf("y ~ x") + bp.nlf("sigma ~ a * exp(b * x)", "a ~ 1", "b ~ 1"))
    assert "mu" in t.parts and "sigma" in t.nonlinear and t.estimated_constants == []
    t = build_terms(bp.bf("y ~ a1 - a2^x", bp.nlf("a1 ~ exp(l1)"), "a2 ~ 1", "l1 ~ 1", nl=True))
    assert t.nonlinear["a1"].kind == "nlpar" and t.nonlinear["a1"].nlpars == ("l1",)
    # saved and loaded fits keep which formulas are non-linear
    from brmspy.fit.storage import formula_from_json, formula_to_json

    f = bp.bf("y ~ x") + bp.nlf("sigma ~ a * exp(b * x)") + bp.lf("a + b ~ 1")
    assert formula_from_json(formula_to_json(f)) == f


@pytest.mark.parametrize("formula, message", [
    (lambda: bp.bf("y ~ a * exp(-b * x)", nl=True), "uses no non-linear parameter"),
    (lambda: bp.bf("y ~ foo(a * x)", "a ~ 1", nl=True), "Unknown function 'foo\\(\\)'"),
    (lambda: bp.bf("y ~ exp(a, x)", "a ~ 1", nl=True), "takes 1 positional"),
    (lambda: bp.bf("y ~ a[1] * x", "a ~ 1", nl=True), "not supported in the non-linear formula"),
    (lambda: bp.bf("y ~ a * x", "a ~ 1", "c ~ 1", nl=True), "no non-linear formula uses 'c'"),
    (lambda: bp.bf("y ~ a", nl=True) + bp.nlf("a ~ b * x") + bp.nlf("b ~ a"), "depend on themselves"),
    (lambda: bp.bf("y ~ x") + bp.nlf("a + b ~ x"), "names several"),
    (lambda: bp.bf("y ~ a * x", "a ~ 1"), "use bf\\(..., nl=True\\)"),
    (lambda: bp.bf("y ~ a.1 * x", "a.1 ~ 1", nl=True), "rename 'a.1'"),
])
def test_formula_errors(formula, message: str) -> None:
    with pytest.raises(bp.FormulaError, match=message):
        build_terms(formula())


def test_data_and_family_errors() -> None:
    df = small_data()
    pa = P("normal(0, 1)", nlpar="a")
    # 'b' has no formula and is not a column: the fix is a formula for it
    with pytest.raises(bp.DataError, match=r"'b' in the non-linear formula .* bf\(..., 'b ~ 1', nl=True\)"):
        bp.make_stancode(bp.bf("y ~ a * exp(-b * x)", "a ~ 1", nl=True), df, prior=pa)
    with pytest.raises(bp.DataError, match="Covariate 'g' .* factor with 6 level.*exactly two levels"):
        bp.make_stancode(bp.bf("y ~ a * g", "a ~ 1", nl=True), df, prior=pa)  # two levels: tests/frame/test_nl_factor_covariate.py
    with pytest.raises(bp.FormulaError, match="not supported for family 'categorical'"):  # ordinal: test_ordinal_nonlinear
        bp.make_stancode(bp.bf("count ~ a * x", "a ~ 1", nl=True), df, family="categorical", prior=pa)


def test_required_nlpar_priors() -> None:
    df = small_data()
    f = bp.bf("y ~ a - b * x", "a ~ 1", "b ~ 1 + z + (1 | g)", nl=True)
    with pytest.raises(bp.PriorError, match=r"non-linear parameter 'a' .*prior\('normal\(0, 1\)', nlpar='a'\)"):
        bp.make_stancode(f, df)
    # brms 2.18's rule: some prior among the nlpar's rows is enough (b's default sd prior here; one coefficient's)
    code = bp.make_stancode(f, df, prior=P("normal(0, 1)", nlpar="a"))
    assert "lprior += normal_lpdf(b_a |" in code and "b_b |" not in code  # b's coefficients keep brms's flat prior
    bp.make_stancode(bp.bf("y ~ a * x", "a ~ 1 + z", nl=True), df, prior=P("normal(0, 1)", nlpar="a", coef="z"))
    with pytest.raises(bp.PriorError, match="none were found for the non-linear parameter 'a'"):
        bp.make_stancode(bp.bf("y ~ a * x", "a ~ 1 + z", nl=True), df)
    bp.make_stancode(bp.bf("y ~ a * x", nl=True) + bp.lf("a ~ 1 + z", center=True), df)  # centred: brms checks none
    code = bp.make_stancode(f, df, prior=P("normal(0, 1)", nlpar="a") + P("normal(0, 1)", nlpar="b")
                            + P("exponential(1)", class_="sd", nlpar="b"))
    assert "lprior += exponential_lpdf(sd_1 | prior_sd_1_rate)" in code
    with pytest.raises(bp.PriorError, match="does not match any parameter"):
        bp.make_stancode(f, df, prior=P("normal(0, 1)", nlpar="a") + P("normal(0, 1)", nlpar="b")
                         + P("normal(0, 1)", nlpar="c"))
    # a class-wide 'b' prior without nlpar matches nothing in a non-linear model: the message names the nlpars
    with pytest.raises(bp.PriorError, match=r"valid nlpars: \['a', 'b'\], e.g. prior\('normal\(0, 1\)', nlpar='a'\)"):
        bp.make_stancode(f, df, prior=P("normal(0, 1)"))


# ------------------------------------------------------- sampling: decay

TRUTH = {"b_a_Intercept": 5.0, "b_b_Intercept": 0.6, "sigma": 0.3, "sd_g__a_Intercept": 0.8}


def decay_data(n: int = 300, groups: int = 10, seed: int = 11) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(groups), n // groups)
    x = rng.uniform(0, 4, n)
    r = rng.normal(0, TRUTH["sd_g__a_Intercept"], groups)
    mu = (TRUTH["b_a_Intercept"] + r[g]) * np.exp(-TRUTH["b_b_Intercept"] * x)
    return pd.DataFrame({"y": mu + rng.normal(0, TRUTH["sigma"], n), "x": x, "g": g}), r


@pytest.fixture(scope="module")
def decay_fit():
    df, _ = decay_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # low-ESS warnings for the group sd are expected in a small fit
        return bp.brm(bp.bf("y ~ a * exp(-b * x)", "a ~ 1 + (1 | g)", "b ~ 1", nl=True), df,
                      prior=P("normal(5, 2)", nlpar="a") + P("normal(0, 1)", nlpar="b", lb=0),
                      chains=2, iter=1000, seed=3, refresh=0)


def test_decay_recovery(decay_fit) -> None:
    draws = decay_fit.draws_dict
    for name, truth in TRUTH.items():
        x = draws[name].ravel()
        assert abs(x.mean() - truth) < 4 * x.std(), (name, x.mean(), x.std())
        assert np.quantile(x, 0.025) < truth < np.quantile(x, 0.975), name
    _, r = decay_data()
    for j, truth in enumerate(r):  # group-level deviations of the amplitude
        x = draws[f"r_g__a[{j},Intercept]"].ravel()
        assert abs(x.mean() - truth) < 4 * x.std(), j


def test_decay_names_and_summary(decay_fit) -> None:
    assert {"b_a_Intercept", "b_b_Intercept", "sd_g__a_Intercept", "sigma", "r_g__a[3,Intercept]"} <= set(
        decay_fit.draws_dict)
    text = str(decay_fit.summary())
    assert "sd(a_Intercept)" in text and "a_Intercept" in text and "b_Intercept" in text
    assert list(decay_fit.fixef().index) == ["a_Intercept", "b_Intercept"]


def test_decay_loglik_equals_stan(decay_fit) -> None:
    assert_loglik_matches_stan(decay_fit)


def test_decay_predictions_new_data(decay_fit) -> None:
    d = decay_fit.draws_dict
    nd = pd.DataFrame({"x": [0.0, 1.0, 2.5], "g": [0, 3, 7]})
    a = d["b_a_Intercept"].ravel()[:, None] + np.column_stack([d[f"r_g__a[{j},Intercept]"].ravel() for j in (0, 3, 7)])
    expected = a * np.exp(-d["b_b_Intercept"].ravel()[:, None] * nd["x"].to_numpy())
    np.testing.assert_allclose(bp.posterior_epred(decay_fit, newdata=nd), expected, rtol=1e-10)
    np.testing.assert_allclose(bp.posterior_linpred(decay_fit, newdata=nd), expected, rtol=1e-10)
    np.testing.assert_allclose(bp.posterior_linpred(decay_fit, newdata=nd, nlpar="a"), a, rtol=1e-10)
    # without group-level effects
    np.testing.assert_allclose(bp.posterior_epred(decay_fit, newdata=nd, re_formula="~ 0"),
                               d["b_a_Intercept"].ravel()[:, None] * np.exp(-d["b_b_Intercept"].ravel()[:, None] * nd["x"].to_numpy()),
                               rtol=1e-10)
    # in-sample epred equals the same computation on the model data
    df, _ = decay_data()
    np.testing.assert_allclose(bp.posterior_epred(decay_fit), bp.posterior_epred(decay_fit, newdata=df), rtol=1e-10)
    pp = bp.posterior_predict(decay_fit, newdata=nd, seed=1)
    assert pp.shape == expected.shape and abs((pp - expected).std() - TRUTH["sigma"]) < 0.05
    with pytest.raises(bp.DataError, match="not in the fitted data"):
        bp.posterior_epred(decay_fit, newdata=nd.assign(g=[0, 3, 99]))
    assert bp.posterior_epred(decay_fit, newdata=nd.assign(g=[0, 3, 99]), allow_new_levels=True).shape == (1000, 3)
    with pytest.raises(bp.DataError, match="lacks the column 'x'"):
        bp.posterior_epred(decay_fit, newdata=nd.drop(columns="x"))
    with pytest.raises(bp.BrmsError, match="nlpar 'c' is not a non-linear parameter"):
        bp.posterior_linpred(decay_fit, nlpar="c")


# ------------------------------------- log-likelihood of other structures


def _quick_fit(formula, df, family, prior):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # short chains: convergence warnings are expected and irrelevant here
        return bp.brm(formula, df, family=family, prior=prior, chains=1, iter=300, seed=2, refresh=0)


def test_loglik_nested_nlf_and_sigma() -> None:
    rng = np.random.default_rng(5)
    n = 120
    x = rng.uniform(0.5, 2, n)
    g = np.repeat(np.arange(6), n // 6)
    mu = np.exp(1.2) - (0.8 + rng.normal(0, 0.1, 6)[g]) ** x
    df = pd.DataFrame({"y": mu + rng.normal(0, np.exp(-1 + 0.3 * x)), "x": x, "g": g})
    f = (bp.bf("y ~ a1 - a2^x", nl=True) + bp.nlf("a1 ~ exp(l1)") + bp.lf("l1 ~ 1", "a2 ~ 1 + (1 | g)")
         + bp.nlf("sigma ~ s0 + s1 * x") + bp.lf("s0 + s1 ~ 1"))
    prior = (P("normal(1, 0.5)", nlpar="l1") + P("normal(0.8, 0.2)", nlpar="a2", lb=0) + P("normal(-1, 1)", nlpar="s0")
             + P("normal(0, 1)", nlpar="s1"))
    fit = _quick_fit(f, df, "gaussian", prior)
    assert_loglik_matches_stan(fit)
    assert bp.posterior_linpred(fit, nlpar="a1").shape == (150, n)
    sig = bp.posterior_epred(fit, dpar="sigma")
    d = fit.draws_dict
    np.testing.assert_allclose(sig, np.exp(d["b_s0_Intercept"].ravel()[:, None] + d["b_s1_Intercept"].ravel()[:, None] * x),
                               rtol=1e-10)


def test_loglik_poisson_shared_id() -> None:
    rng = np.random.default_rng(6)
    n, J = 160, 8
    g = np.repeat(np.arange(J), n // J)
    x = rng.uniform(0, 2, n)
    r = rng.multivariate_normal([0, 0], [[0.09, 0.03], [0.03, 0.04]], J)
    df = pd.DataFrame({"count": rng.poisson(np.exp((1.0 + r[g, 0]) + (0.5 + r[g, 1]) * np.sqrt(x))), "x": x, "g": g})
    f = bp.bf("count ~ a + b * sqrt(x)", "a ~ 1 + (1 | ID | g)", "b ~ 1 + (1 | ID | g)", nl=True)
    fit = _quick_fit(f, df, "poisson", P("normal(0, 1)", nlpar="a") + P("normal(0, 1)", nlpar="b"))
    assert_loglik_matches_stan(fit)
    assert "cor_g__a_Intercept__b_Intercept" in fit.draws_dict
