"""Zero-inflated, zero-one-inflated and hurdle families.

Generated Stan code (golden files + stanc), numpy log-likelihood == Stan's at
posterior draws, random draws against analytic moments, normalisation of the
numpy densities (with their point masses), parameter recovery, response checks
and default priors.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli
from scipy import integrate, special

import brmspy as bp
from brmspy.core.errors import DataError
from brmspy.families import FAMILIES, Extras, brmsfamily
from brmspy.prediction import core as P
from tests.checks import assert_golden, assert_loglik_matches_stan, interval_covers

TRIALS = 10
BINOMIAL = ("zero_inflated_binomial", "zero_inflated_beta_binomial")

# the inflation dpar of each family, and dpars on the response scale for simulation (x -> value)
INFL_DPAR = {
    "zero_inflated_poisson": "zi", "zero_inflated_negbinomial": "zi", "zero_inflated_binomial": "zi",
    "zero_inflated_beta_binomial": "zi", "zero_inflated_beta": "zi", "zero_one_inflated_beta": "zoi",
    "hurdle_poisson": "hu", "hurdle_negbinomial": "hu", "hurdle_gamma": "hu", "hurdle_lognormal": "hu",
}
FAMILY_NAMES = sorted(INFL_DPAR)

SIM = {
    "zero_inflated_poisson": lambda x: {"mu": np.exp(0.8 + 0.4 * x), "zi": 0.25},
    "zero_inflated_negbinomial": lambda x: {"mu": np.exp(1 + 0.5 * x), "shape": 3.0, "zi": special.expit(-1 + x)},
    "zero_inflated_binomial": lambda x: {"mu": special.expit(0.2 + 0.5 * x), "zi": 0.3},
    "zero_inflated_beta_binomial": lambda x: {"mu": special.expit(0.2 + 0.5 * x), "phi": 5.0, "zi": 0.3},
    "zero_inflated_beta": lambda x: {"mu": special.expit(-0.3 + 0.5 * x), "phi": 8.0, "zi": 0.2},
    "zero_one_inflated_beta": lambda x: {"mu": special.expit(-0.3 + 0.5 * x), "phi": 8.0, "zoi": 0.2, "coi": 0.4},
    "hurdle_poisson": lambda x: {"mu": np.exp(0.8 + 0.4 * x), "hu": 0.3},
    "hurdle_negbinomial": lambda x: {"mu": np.exp(1 + 0.4 * x), "shape": 2.0, "hu": 0.3},
    "hurdle_gamma": lambda x: {"mu": np.exp(0.5 + 0.4 * x), "shape": 3.0, "hu": 0.25},
    "hurdle_lognormal": lambda x: {"mu": 0.5 + 0.8 * x, "sigma": 0.6, "hu": 0.3},
}


def simulate(family: str, n: int = 300, seed: int = 1) -> pd.DataFrame:
    """Data from the family's own numpy rng: columns y, x, g (12 groups) and trials."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    dp = {k: np.broadcast_to(np.asarray(v, dtype=float), (1, n)) for k, v in SIM[family](x).items()}
    y = FAMILIES[family].math.rng(dp, Extras(np.full(n, TRIALS)), rng).ravel()
    g = pd.Categorical([f"g{i:02d}" for i in rng.integers(0, 12, n)])
    return pd.DataFrame({"y": y, "x": x, "g": g, "trials": TRIALS})


def _lhs(family: str) -> str:
    return "y | trials(trials)" if family in BINOMIAL else "y"


def _fit(formula, data: pd.DataFrame, family, **kw):
    kw = {"seed": 3, "refresh": 0, "iter": 200, "chains": 1, "backend": "stanli", **kw}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(formula, data, family, **kw)


# ------------------------------------------------------------------ Stan code


CODE_CASES = [(f, d) for f in FAMILY_NAMES for d in (None, INFL_DPAR[f])]


def _code_case(family: str, dpar: str | None) -> tuple[str, str]:
    lhs = _lhs(family)
    formula = f"{lhs} ~ x" if dpar is None else bp.bf(f"{lhs} ~ x", f"{dpar} ~ x")
    name = f"infl_{family}" + (f"_{dpar}" if dpar else "")
    return name, bp.make_stancode(formula, simulate(family, n=60), family)


@pytest.mark.parametrize(("family", "dpar"), CODE_CASES, ids=[f"{f}-{d or 'const'}" for f, d in CODE_CASES])
def test_golden_code_and_stanc(family, dpar, update_golden):
    name, code = _code_case(family, dpar)
    assert_golden(name, code, update_golden)


def test_canonical_link_uses_log_scale_function_and_other_links_invert():
    df = simulate("zero_inflated_poisson", n=60)
    log_code = bp.make_stancode("y ~ x", df, "zero_inflated_poisson")
    sqrt_code = bp.make_stancode("y ~ x", df, brmsfamily("zero_inflated_poisson", link="sqrt"))
    assert "target += zero_inflated_poisson_log_lpmf(Y[n] | mu[n], zi);" in log_code
    assert "mu = square(mu);" in sqrt_code
    assert "target += zero_inflated_poisson_lpmf(Y[n] | mu[n], zi);" in sqrt_code
    assert "real<lower=0,upper=1> zi;" in log_code


# ------------------------------------------------- numpy log-lik == Stan's


def _lik_cases():
    cases = []
    for f in FAMILY_NAMES:  # every family with a predicted inflation dpar and a group-level term
        cases.append((f"{f}-pred", f, bp.bf(f"{_lhs(f)} ~ x + (1 | g)", f"{INFL_DPAR[f]} ~ x"), {}))
    for f, link in [("zero_inflated_poisson", "sqrt"), ("zero_inflated_negbinomial", "softplus"),
                    ("zero_inflated_binomial", "probit"), ("zero_inflated_beta_binomial", "logit"),
                    ("zero_inflated_beta", "logit"), ("zero_one_inflated_beta", "probit"),
                    ("hurdle_poisson", "softplus"), ("hurdle_negbinomial", "sqrt"), ("hurdle_gamma", "log"),
                    ("hurdle_lognormal", "identity")]:
        cases.append((f"{f}-{link}", f, f"{_lhs(f)} ~ x", {"link": link}))
    cases.append(("zoib-coi", "zero_one_inflated_beta", bp.bf("y ~ x", "phi ~ x", "coi ~ x"), {}))
    return cases


LIK_CASES = _lik_cases()


@pytest.mark.parametrize(("family", "formula", "links"), [c[1:] for c in LIK_CASES], ids=[c[0] for c in LIK_CASES])
def test_numpy_loglik_equals_stan(family, formula, links):
    fit = _fit(formula, simulate(family, n=200), brmsfamily(family, **links))
    assert_loglik_matches_stan(fit, draws=(0, 41, 99))


# ------------------------------------------- draws, mean and normalisation

FIXED = {
    "zero_inflated_poisson": {"mu": 3.0, "zi": 0.3},
    "zero_inflated_negbinomial": {"mu": 4.0, "shape": 2.5, "zi": 0.2},
    "zero_inflated_binomial": {"mu": 0.4, "zi": 0.25},
    "zero_inflated_beta_binomial": {"mu": 0.4, "phi": 3.0, "zi": 0.25},
    "zero_inflated_beta": {"mu": 0.3, "phi": 6.0, "zi": 0.2},
    "zero_one_inflated_beta": {"mu": 0.6, "phi": 4.0, "zoi": 0.3, "coi": 0.7},
    "hurdle_poisson": {"mu": 1.5, "hu": 0.35},
    "hurdle_negbinomial": {"mu": 2.0, "shape": 1.5, "hu": 0.35},
    "hurdle_gamma": {"mu": 2.0, "shape": 3.0, "hu": 0.3},
    "hurdle_lognormal": {"mu": 0.2, "sigma": 0.5, "hu": 0.3},
}


def _base_moments(family: str, dp: dict[str, float]) -> tuple[float, float, float]:
    """Mean, variance and P(0) of the base distribution (before inflation or truncation)."""
    mu = dp["mu"]
    base = family.split("_")[-1]
    if base == "poisson":
        return mu, mu, np.exp(-mu)
    if base == "negbinomial":
        k = dp["shape"]
        return mu, mu + mu**2 / k, (k / (k + mu)) ** k
    if family == "zero_inflated_binomial":
        return TRIALS * mu, TRIALS * mu * (1 - mu), (1 - mu) ** TRIALS
    if family == "zero_inflated_beta_binomial":
        phi = dp["phi"]
        return TRIALS * mu, TRIALS * mu * (1 - mu) * (phi + TRIALS) / (phi + 1), np.nan
    if base == "beta":
        return mu, mu * (1 - mu) / (dp["phi"] + 1), 0.0
    if base == "gamma":
        return mu, mu**2 / dp["shape"], 0.0
    s2 = dp["sigma"] ** 2  # lognormal
    return np.exp(mu + s2 / 2), (np.exp(s2) - 1) * np.exp(2 * mu + s2), 0.0


def _moments(family: str, dp: dict[str, float]) -> tuple[float, float]:
    """Analytic mean and variance of the inflated / hurdle distribution."""
    m, v, p0 = _base_moments(family, dp)
    if family.startswith("hurdle"):
        keep = (1 - dp["hu"]) / (1 - p0)  # zero-truncated base, weighted by 1 - hu
        mean, second = keep * m, keep * (v + m**2)
    elif family == "zero_one_inflated_beta":
        ones = dp["zoi"] * dp["coi"]
        mean, second = ones + (1 - dp["zoi"]) * m, ones + (1 - dp["zoi"]) * (v + m**2)
    else:
        mean, second = (1 - dp["zi"]) * m, (1 - dp["zi"]) * (v + m**2)
    return mean, second - mean**2


def _ex(n: int) -> Extras:
    return Extras(np.full(n, TRIALS))


@pytest.mark.parametrize("family", FAMILY_NAMES)
def test_draws_match_moments_and_epred_is_the_mean(family):
    fm = FAMILIES[family].math
    n = 200_000
    dp = {k: np.full((1, n), v) for k, v in FIXED[family].items()}
    draws = fm.rng(dp, _ex(n), np.random.default_rng(7)).ravel()
    mean, var = _moments(family, FIXED[family])
    assert abs(draws.mean() - mean) < 5 * np.sqrt(var / n)
    assert draws.var() == pytest.approx(var, rel=0.05)
    one = {k: np.array([[v]]) for k, v in FIXED[family].items()}
    assert fm.epred(one, _ex(1)).item() == pytest.approx(mean, rel=1e-10)
    # the share of exact zeros equals the point mass at 0 of the numpy density
    p_zero = np.exp(fm.loglik(np.zeros((1, 1)), one, _ex(1))).item()
    assert abs((draws == 0).mean() - p_zero) < 5 * np.sqrt(p_zero * (1 - p_zero) / n)
    if FAMILIES[family].is_discrete:
        assert np.all(draws == np.round(draws)) and draws.min() >= 0
    if family.startswith("hurdle"):
        assert p_zero == pytest.approx(FIXED[family]["hu"])
    if family == "zero_one_inflated_beta":
        p_one = np.exp(fm.loglik(np.ones((1, 1)), one, _ex(1))).item()
        assert abs((draws == 1).mean() - p_one) < 5 * np.sqrt(p_one * (1 - p_one) / n)
        assert draws.min() >= 0 and draws.max() <= 1


@pytest.mark.parametrize("family", FAMILY_NAMES)
def test_density_sums_to_one_with_point_masses(family):
    fm = FAMILIES[family].math
    one = {k: np.array([[v]]) for k, v in FIXED[family].items()}

    def density(y: float) -> float:
        return np.exp(fm.loglik(np.array([[y]]), one, _ex(1))).item()

    if FAMILIES[family].is_discrete:
        ys = np.arange(0, TRIALS + 1 if family in BINOMIAL else 400)
        total = np.exp(fm.loglik(ys[None, :], one, _ex(len(ys)))).sum()
    else:
        masses = density(0.0) + (density(1.0) if family == "zero_one_inflated_beta" else 0.0)
        upper = 1.0 if "beta" in family else np.inf
        total = masses + integrate.quad(density, 0, upper, limit=200)[0]
    assert total == pytest.approx(1.0, abs=1e-6)


# ------------------------------------------------------- parameter recovery


def _recovers(fit, truth: dict[str, float]) -> None:
    d = fit.draws_dict
    for name, value in truth.items():
        x = d[name].ravel()
        assert interval_covers(x, value), f"{name}: posterior mean {x.mean():.3f} (sd {x.std():.3f}) vs truth {value}"


def test_recovery_zero_inflated_negbinomial_with_zi_formula():
    fit = _fit(bp.bf("y ~ x", "zi ~ x"), simulate("zero_inflated_negbinomial", n=600, seed=11),
               "zero_inflated_negbinomial", iter=1000, chains=2)
    _recovers(fit, {"b_Intercept": 1.0, "b_x": 0.5, "shape": 3.0, "b_zi_Intercept": -1.0, "b_zi_x": 1.0})


def test_recovery_hurdle_lognormal():
    fit = _fit("y ~ x", simulate("hurdle_lognormal", n=400, seed=12), "hurdle_lognormal", iter=1000, chains=2)
    _recovers(fit, {"b_Intercept": 0.5, "b_x": 0.8, "sigma": 0.6, "hu": 0.3})


@pytest.fixture(scope="module")
def zip_fit():
    return _fit("y ~ x", simulate("zero_inflated_poisson", n=400, seed=13), "zero_inflated_poisson",
                iter=1000, chains=2)


def test_recovery_zero_inflated_poisson(zip_fit):
    _recovers(zip_fit, {"b_Intercept": 0.8, "b_x": 0.4, "zi": 0.25})


def test_predictions_of_a_zero_inflated_fit(zip_fit):
    y = zip_fit.frame.responses[""].y
    yrep = P.posterior_predict(zip_fit, seed=1)
    epred = P.posterior_epred(zip_fit)
    assert yrep.shape == epred.shape == (zip_fit.ndraws(), len(y))
    assert np.all(yrep == np.round(yrep)) and yrep.min() >= 0
    # expected value is (1 - zi) * mu per draw
    mu = P.posterior_linpred(zip_fit, transform=True)
    zi = zip_fit.draws_dict["zi"].reshape(-1, 1)
    np.testing.assert_allclose(epred, (1 - zi) * mu)
    assert (yrep == 0).mean() == pytest.approx((y == 0).mean(), abs=0.05)
    assert yrep.mean() == pytest.approx(y.mean(), rel=0.1)


# ------------------------------------------------------------ response checks


@pytest.mark.parametrize(("family", "values", "message"), [
    ("zero_inflated_poisson", [0, 1, 2.5], "needs non-negative integer counts"),
    ("zero_inflated_negbinomial", [0, -1, 3], "needs non-negative integer counts"),
    ("hurdle_poisson", [0, 1, 0.5], "needs non-negative integer counts"),
    ("hurdle_negbinomial", [0, -2, 3], "needs non-negative integer counts"),
    ("zero_inflated_beta", [0, 0.5, 1.0], r"'zero_inflated_beta' needs a response in \[0, 1\).*e\.g\. 1\b.*"
                                          "zero_one_inflated_beta"),
    ("zero_inflated_beta", [0, 0.5, -0.1], r"needs a response in \[0, 1\)"),
    ("zero_one_inflated_beta", [0, 1, 1.2], r"'zero_one_inflated_beta' needs a response in \[0, 1\].*1\.2"),
    ("hurdle_gamma", [0, 1, -0.5], r"'hurdle_gamma' needs a non-negative response \(y >= 0\).*-0\.5"),
    ("hurdle_lognormal", [-1, 2, 3], r"'hurdle_lognormal' needs a non-negative response"),
])
def test_response_errors(family, values, message):
    df = pd.DataFrame({"y": values, "x": [0.1, 0.2, 0.3]})
    with pytest.raises(DataError, match=message):
        bp.make_standata("y ~ x", df, family)


@pytest.mark.parametrize(("family", "values"), [
    ("zero_inflated_beta", [0, 0.5, 0.999]),
    ("zero_one_inflated_beta", [0, 1, 0.4]),
    ("hurdle_gamma", [0, 1.5, 3]),
    ("hurdle_lognormal", [0, 0.2, 3]),
    ("hurdle_poisson", [0, 4, 3]),
])
def test_boundary_values_accepted(family, values):
    df = pd.DataFrame({"y": values, "x": [0.1, 0.2, 0.3]})
    np.testing.assert_array_equal(bp.make_standata("y ~ x", df, family)["Y"], values)


def test_counts_are_integer_data():
    df = pd.DataFrame({"y": [0.0, 2.0, 3.0], "x": [0.1, 0.2, 0.3]})
    assert bp.make_standata("y ~ x", df, "hurdle_poisson")["Y"].dtype == np.int64
    assert "array[N] int Y;" in bp.make_stancode("y ~ x", df, "zero_inflated_negbinomial")
    assert "vector[N] Y;" in bp.make_stancode("y ~ x", df, "hurdle_gamma")


# ------------------------------------------------------------ default priors


def _row(gp: pd.DataFrame, cls: str, dpar: str = "") -> pd.Series:
    rows = gp[(gp["class"] == cls) & (gp["dpar"] == dpar) & (gp["coef"] == "")]
    assert len(rows) == 1, f"expected one {cls!r} row (dpar {dpar!r}):\n{gp}"
    return rows.iloc[0]


@pytest.mark.parametrize("family", FAMILY_NAMES)
def test_default_priors_of_constant_dpars(family):
    df = simulate(family, n=60)
    gp = bp.get_prior(f"{_lhs(family)} ~ x", df, family)
    expected = {"zi": "beta(1, 1)", "hu": "beta(1, 1)", "zoi": "beta(1, 1)", "coi": "beta(1, 1)",
                "phi": "gamma(0.01, 0.01)",
                "shape": "inv_gamma(0.4, 0.3)" if "negbinomial" in family else "gamma(0.01, 0.01)"}
    for d in FAMILIES[family].dpars[1:]:
        if d in expected:
            row = _row(gp, d)
            assert (row["prior"], row["lb"]) == (expected[d], "0")
    if family == "hurdle_lognormal":  # sigma scale from log(y), zeros as 0.1, as brms
        assert _row(gp, "sigma")["prior"].startswith("student_t(3, 0, ")


@pytest.mark.parametrize("family", ["zero_inflated_poisson", "hurdle_gamma", "zero_one_inflated_beta"])
def test_predicted_inflation_intercept_prior(family):
    d = INFL_DPAR[family]
    gp = bp.get_prior(bp.bf(f"{_lhs(family)} ~ x", f"{d} ~ x"), simulate(family, n=60), family)
    assert _row(gp, "Intercept", d)["prior"] == "logistic(0, 1)"
    assert not (gp["class"] == d).any()  # no longer a constant with a beta prior
    assert ((gp["class"] == "b") & (gp["dpar"] == d) & (gp["coef"] == "x")).any()


def test_family_constructors():
    from brmspy.families import inflated

    fam = inflated.zero_inflated_negbinomial(link="sqrt", link_zi="identity")
    assert fam.links == {"mu": "sqrt", "shape": "log", "zi": "identity"}
    with pytest.raises(bp.FamilyError, match="'probit' is not a supported link for parameter 'zi'"):
        inflated.zero_inflated_negbinomial(link_zi="probit")  # brms's links_dpars("zi"): logit, identity
    assert inflated.hurdle_lognormal().links == {"mu": "identity", "sigma": "log", "hu": "logit"}
    assert inflated.zero_one_inflated_beta().dpars == ("mu", "phi", "zoi", "coi")
    with pytest.raises(bp.FamilyError, match="Valid links"):
        inflated.hurdle_gamma(link="logit")
