"""cens() and trunc() of zero-inflated, hurdle, von_mises and mixture families; truncated means.

- golden Stan code accepted by stanc for each new family x term combination;
- numpy log_lik equal to Stan's likelihood at posterior draws (the Stan
  lcdf/lccdf functions written here against their numpy twins), with
  predictive draws inside the truncation bounds;
- the numpy CDFs of the inflated families against sums / integrals of their
  densities, and their inverse CDFs;
- truncated means of every continuous family against quadrature, and of
  lognormal/gamma against Monte Carlo means of scipy's truncated draws;
- recovery of a hurdle poisson model truncated at 10;
- what is refused (zero_one_inflated_beta, as brms) and the trunc(lb = 0)
  no-op of families whose values start at 0.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

import brmspy as bp
from brmspy.core.errors import DataError, FamilyError
from brmspy.families import FAMILIES, Extras
from brmspy.families.cdf import CDFS
from brmspy.families.trunc_mean import truncated_mean
from brmspy.formula import build_terms
from brmspy.frame.types import AdditionData
from brmspy.prediction.additions import addition_epred, addition_predict
from tests.cases import FitCase, quick_fit
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_predictions_within_bounds, assert_recovers


def zi_data(n: int = 80, seed: int = 21) -> pd.DataFrame:
    """Responses with zeros, roughly from the families they are fitted with (stable short fits)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    mu = np.exp(0.9 + 0.3 * x)
    nb = rng.negative_binomial(2.0, 2.0 / (2.0 + mu))
    zero = rng.random(n) < 0.3
    kh = np.where(zero, 0, np.maximum(rng.poisson(mu), 1))  # hurdle poisson
    y_pos = np.exp(0.3 + 0.4 * x + 0.5 * rng.normal(size=n))
    return pd.DataFrame({
        "x": x,
        "kh": np.minimum(kh, 9),
        "kz": np.where(zero, 0, nb),
        "k2": np.where(zero, 0, nb) + rng.integers(1, 4, n),
        "kb": np.where(zero, 0, rng.binomial(10, 0.4, n)), "n": 10,
        "yh": np.where(zero, 0.0, y_pos),
        "u": np.where(zero, 0.0, rng.beta(2, 3, n) * 0.9),
        "ang": np.clip(rng.vonmises(0.5 + 0.3 * x, 3.0), -3.1, 3.1),
        "y": y_pos, "y2": y_pos + rng.uniform(0.2, 1.5, n),
        "cens": rng.choice(["none", "right", "left"], n, p=[0.6, 0.3, 0.1]),
        "code": rng.choice([0, 1, -1, 2], n, p=[0.5, 0.2, 0.1, 0.2]),
        "w": rng.uniform(0.5, 2.0, n),
    })


DATA = zi_data()


CASES = [
    FitCase("hurdle_poisson_trunc_ub", "kh | trunc(ub = 9) ~ x", "hurdle_poisson"),
    FitCase("hurdle_poisson_cens_interval", "kz | cens(code, k2) ~ x", "hurdle_poisson"),
    FitCase("hurdle_negbinomial_cens_trunc", "kh | cens(cens) + trunc(ub = 9) ~ x", "hurdle_negbinomial", fit=False),
    FitCase("zero_inflated_negbinomial_cens", "kz | cens(cens) ~ x", "zero_inflated_negbinomial"),
    FitCase("zero_inflated_poisson_cens_interval", "kz | cens(code, k2) ~ x", "zero_inflated_poisson"),
    FitCase("zero_inflated_poisson_trunc_lb", "k2 | trunc(lb = 1) ~ x", "zero_inflated_poisson"),
    FitCase("zero_inflated_binomial_cens", "kb | trials(n) + cens(cens) ~ x", "zero_inflated_binomial"),
    FitCase("zero_inflated_beta_binomial_trunc", "kb | trials(n) + trunc(ub = 8) ~ x", "zero_inflated_beta_binomial",
         fit=False),
    FitCase("hurdle_lognormal_cens", "yh | cens(cens) ~ x", "hurdle_lognormal"),
    FitCase("hurdle_gamma_cens_trunc_weights", "yh | cens(cens) + trunc(ub = 30) + weights(w) ~ x", "hurdle_gamma"),
    FitCase("zero_inflated_beta_trunc", "u | trunc(ub = 0.9) ~ x", "zero_inflated_beta"),
    FitCase("von_mises_cens", "ang | cens(cens) ~ x", "von_mises"),
    FitCase("von_mises_trunc", "ang | trunc(lb = -3.1, ub = 3.1) ~ x", "von_mises", fit=False),
    FitCase("mixture_gaussian_cens", "y | cens(cens) ~ x", bp.mixture("gaussian", "gaussian")),
    FitCase("mixture_lognormal_cens_trunc_weights", "y | cens(code, y2) + trunc(ub = 30) + weights(w) ~ x",
         bp.mixture("lognormal", "lognormal")),
    FitCase("mixture_poisson_hurdle_trunc", "kh | trunc(ub = 9) ~ x", bp.mixture("poisson", "hurdle_poisson")),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_code_and_stanc(case: FitCase, update_golden: bool) -> None:
    code = bp.make_stancode(case.formula, DATA, case.family)
    assert_golden(f"addition_zi_{case.name}", code, update_golden)


@pytest.mark.parametrize("case", [c for c in CASES if c.fit], ids=[c.name for c in CASES if c.fit])
def test_numpy_loglik_equals_stan(case: FitCase) -> None:
    fit = quick_fit(case.formula, DATA, case.family)
    assert_loglik_matches_stan(fit, draws=(0, 50, -1))
    assert_predictions_within_bounds(fit, len(DATA), means=True)


# ------------------------------------------------------- numpy CDFs alone


DISCRETE = {
    "zero_inflated_poisson": {"mu": 3.0, "zi": 0.3},
    "zero_inflated_negbinomial": {"mu": 3.0, "shape": 1.5, "zi": 0.3},
    "zero_inflated_binomial": {"mu": 0.4, "zi": 0.3},
    "zero_inflated_beta_binomial": {"mu": 0.4, "phi": 3.0, "zi": 0.3},
    "hurdle_poisson": {"mu": 2.0, "hu": 0.4},
    "hurdle_negbinomial": {"mu": 2.0, "shape": 1.5, "hu": 0.4},
}


@pytest.mark.parametrize("fam", sorted(DISCRETE))
def test_inflated_discrete_cdfs_sum_the_pmf(fam: str) -> None:
    dp = {k: np.array([[v]]) for k, v in DISCRETE[fam].items()}
    ex = Extras(np.array([12]))
    math, cdf = FAMILIES[fam].math, CDFS[fam]
    ks = np.arange(0, 13)
    pmf = np.exp(math.loglik(ks[None, :], dp, ex)).ravel()
    np.testing.assert_allclose(np.exp(cdf.lcdf(ks[None, :].astype(float), dp, ex).ravel()), np.cumsum(pmf), rtol=1e-9)
    np.testing.assert_allclose(np.exp(cdf.lccdf(ks[None, :].astype(float), dp, ex).ravel()), 1 - np.cumsum(pmf),
                               rtol=1e-7, atol=1e-12)
    assert cdf.lcdf(np.array([[-1.0]]), dp, ex).item() == -np.inf  # below the support: trunc(lb = 0) is exact
    assert cdf.lccdf(np.array([[-1.0]]), dp, ex).item() == 0.0
    # the inverse CDF: the smallest k with F(k) >= u
    u = np.array([[0.05, 0.3, 0.5, 0.77, 0.95]])
    want = [int(np.argmax(np.cumsum(pmf) >= v - 1e-12)) for v in u.ravel()]
    assert cdf.ppf(u, dp, ex).ravel().tolist() == want


CONTINUOUS = {
    "hurdle_gamma": ({"mu": 2.0, "shape": 1.7, "hu": 0.3}, (0.5, 2.0, 6.0)),
    "hurdle_lognormal": ({"mu": 0.3, "sigma": 0.6, "hu": 0.3}, (0.5, 1.5, 4.0)),
    "zero_inflated_beta": ({"mu": 0.3, "phi": 5.0, "zi": 0.2}, (0.1, 0.4, 0.8)),
    "von_mises": ({"mu": 2.8, "kappa": 4.0}, (-3.0, -1.0, 2.0, 3.1)),
}


@pytest.mark.parametrize("fam", sorted(CONTINUOUS))
def test_inflated_continuous_cdfs_integrate_the_density(fam: str) -> None:
    values, ys = CONTINUOUS[fam]
    dp = {k: np.array([[v]]) for k, v in values.items()}
    math, cdf = FAMILIES[fam].math, CDFS[fam]
    dens = lambda v: np.exp(math.loglik(np.array([[v]]), dp, Extras())).item()  # noqa: E731
    lower = -np.pi if fam == "von_mises" else 1e-12
    atom = values.get("hu", values.get("zi", 0.0))
    for y in ys:
        p = atom + integrate.quad(dens, lower, y, epsabs=1e-12, limit=200)[0]
        assert np.exp(cdf.lcdf(np.array([[y]]), dp, Extras()).item()) == pytest.approx(p, abs=1e-8)
        assert np.exp(cdf.lccdf(np.array([[y]]), dp, Extras()).item()) == pytest.approx(1 - p, abs=1e-8)
        assert cdf.ppf(np.array([[p]]), dp, Extras()).item() == pytest.approx(y, rel=1e-6, abs=1e-8)
    if fam != "von_mises":  # the point mass: F(0) = P(Y = 0), P(Y > 0) = 1 - P(Y = 0)
        assert np.exp(cdf.lcdf(np.array([[0.0]]), dp, Extras()).item()) == pytest.approx(atom)
        assert np.exp(cdf.lccdf(np.array([[0.0]]), dp, Extras()).item()) == pytest.approx(1 - atom)
        assert cdf.ppf(np.array([[atom / 2]]), dp, Extras()).item() == 0.0


# ------------------------------------------------------------- truncated means


MEAN_CASES = {
    "gaussian": {"mu": 1.0, "sigma": 2.0},
    "student": {"mu": 1.0, "sigma": 2.0, "nu": 3.5},
    "skew_normal": {"mu": 0.5, "sigma": 2.0, "alpha": 3.0},
    "lognormal": {"mu": 0.3, "sigma": 0.6},
    "shifted_lognormal": {"mu": 0.2, "sigma": 0.5, "ndt": 0.3},
    "gamma": {"mu": 2.0, "shape": 1.7},
    "exponential": {"mu": 2.0},
    "weibull": {"mu": 2.0, "shape": 1.5},
    "frechet": {"mu": 2.0, "nu": 4.0},
    "beta": {"mu": 0.3, "phi": 5.0},
    "inverse_gaussian": {"mu": 1.5, "shape": 4.0},
    "asym_laplace": {"mu": 1.0, "sigma": 0.8, "quantile": 0.25},
    "exgaussian": {"mu": 1.0, "sigma": 0.5, "beta": 1.2},
    "gen_extreme_value": {"mu": 1.0, "sigma": 1.5, "xi": 0.2},
    "gen_extreme_value_neg": {"mu": 1.0, "sigma": 1.5, "xi": -0.3},
    "von_mises": {"mu": 2.9, "kappa": 30.0},
    "von_mises_flat": {"mu": -1.0, "kappa": 0.5},
    "hurdle_gamma": {"mu": 2.0, "shape": 1.7, "hu": 0.3},
    "hurdle_lognormal": {"mu": 0.3, "sigma": 0.6, "hu": 0.3},
    "zero_inflated_beta": {"mu": 0.3, "phi": 5.0, "zi": 0.2},
}
POSITIVE = ("lognormal", "shifted_lognormal", "gamma", "exponential", "weibull", "frechet", "inverse_gaussian",
            "hurdle_gamma", "hurdle_lognormal", "beta", "zero_inflated_beta")


@pytest.mark.parametrize("key", sorted(MEAN_CASES))
def test_truncated_means_equal_quadrature(key: str) -> None:
    fam = key.replace("_neg", "").replace("_flat", "")
    values = MEAN_CASES[key]
    dp = {k: np.array([[v]]) for k, v in values.items()}
    math = FAMILIES[fam].math
    dens = lambda v: np.exp(math.loglik(np.array([[v]]), dp, Extras())).item()  # noqa: E731
    atom = values.get("hu", values.get("zi", 0.0))
    for lb, ub in [(None, 3.0), (0.5, None), (0.5, 0.8), (-1.0, 0.2), (1.5, 2.5)]:
        if fam == "von_mises":
            lb, ub = (-np.pi if lb is None else lb), (np.pi if ub is None else ub)
        lo, hi = (-np.inf if lb is None else lb), (np.inf if ub is None else ub)
        if fam in POSITIVE:
            lo = max(lo, 1e-300)
        if fam in ("beta", "zero_inflated_beta"):
            hi = min(hi, 1.0)
        if lo >= hi:
            continue
        mass = integrate.quad(dens, lo, hi, limit=500, epsabs=1e-14)[0]
        if mass < 1e-6:
            continue
        first = integrate.quad(lambda v: v * dens(v), lo, hi, limit=500, epsabs=1e-14)[0]
        if fam in ("hurdle_gamma", "hurdle_lognormal", "zero_inflated_beta") and (lb is None or lb <= 0):
            mass += atom  # the zeros are inside the bounds
        got = truncated_mean(fam, dp, Extras(), None if lb is None else np.array([lb]),
                             None if ub is None else np.array([ub])).item()
        assert got == pytest.approx(first / mass, rel=1e-6, abs=1e-8), (lb, ub)


@pytest.mark.parametrize("fam, dist", [
    ("lognormal", lambda: stats.lognorm(0.6, scale=np.exp(0.3))),
    ("gamma", lambda: stats.gamma(1.7, scale=2.0 / 1.7)),
])
def test_truncated_epred_matches_monte_carlo(fam: str, dist) -> None:
    """posterior_epred's truncated mean against the mean of scipy draws within the bounds (inverse CDF)."""
    t = build_terms("y | trunc(lb = 0.5, ub = 3) ~ 1", fam)
    values = {"lognormal": {"mu": 0.3, "sigma": 0.6}, "gamma": {"mu": 2.0, "shape": 1.7}}[fam]
    adds = AdditionData(lb=np.array([0.5, 1.0]), ub=np.array([3.0, 1.5]))
    got = addition_epred(t, adds, {k: np.full((1, 2), v) for k, v in values.items()}, Extras()).ravel()
    d = dist()
    rng = np.random.default_rng(7)
    n = 400_000
    for j, (lo, hi) in enumerate(zip(adds.lb, adds.ub)):
        draws = d.ppf(d.cdf(lo) + rng.uniform(size=n) * (d.cdf(hi) - d.cdf(lo)))
        assert lo <= draws.min() and draws.max() <= hi
        assert abs(got[j] - draws.mean()) < 4 * draws.std() / np.sqrt(n)
        assert got[j] != pytest.approx(d.mean(), rel=0.05)  # not the untruncated mean


def test_mixture_truncated_mean_and_draws() -> None:
    """Each component is truncated on its own (brms): the mean mixes the components' truncated means."""
    fam = bp.mixture("lognormal", "gamma")
    t = build_terms("y | trunc(ub = 2) ~ 1", fam)
    adds = AdditionData(ub=np.array([2.0]))
    dp = {"mu1": np.array([[0.3]]), "sigma1": np.array([[0.6]]), "mu2": np.array([[2.0]]),
          "shape2": np.array([[1.7]]), "theta": np.array([[[0.3, 0.7]]])}
    want = (0.3 * truncated_mean("lognormal", {"mu": dp["mu1"], "sigma": dp["sigma1"]}, Extras(), None, adds.ub)
            + 0.7 * truncated_mean("gamma", {"mu": dp["mu2"], "shape": dp["shape2"]}, Extras(), None, adds.ub))
    assert addition_epred(t, adds, dp, Extras()).item() == pytest.approx(want.item(), rel=1e-12)
    n = 100_000
    big = {k: np.broadcast_to(v, (n, 1) + v.shape[2:]) for k, v in dp.items()}
    draws = addition_predict(t, adds, big, Extras(), np.random.default_rng(3))
    assert draws.max() <= 2 and draws.min() > 0
    assert abs(draws.mean() - want.item()) < 4 * draws.std() / np.sqrt(n)


@pytest.mark.parametrize("fam, values, lb, ub", [
    ("von_mises", {"mu": 2.9, "kappa": 4.0}, -2.0, 3.0),
    ("exgaussian", {"mu": 1.0, "sigma": 0.5, "beta": 1.2}, 0.5, 2.0),
    ("hurdle_lognormal", {"mu": 0.3, "sigma": 0.6, "hu": 0.3}, None, 1.5),
    ("zero_inflated_beta", {"mu": 0.3, "phi": 5.0, "zi": 0.2}, 0.1, 0.6),
])
def test_truncated_continuous_draws_match_their_mean(fam, values, lb, ub) -> None:
    """Inverse-CDF draws (bisection for von_mises/exgaussian) lie in the bounds and average to the truncated mean."""
    t = build_terms("y | trunc(ub = 1) ~ 1", fam)
    adds = AdditionData(lb=None if lb is None else np.array([lb]), ub=np.array([ub]))
    n = 50_000
    draws = addition_predict(t, adds, {k: np.full((n, 1), v) for k, v in values.items()}, Extras(),
                             np.random.default_rng(11))
    assert np.isfinite(draws).all() and draws.max() <= ub and draws.min() >= (0 if lb is None else lb)
    mean = addition_epred(t, adds, {k: np.full((1, 1), v) for k, v in values.items()}, Extras()).item()
    assert abs(draws.mean() - mean) < 4 * draws.std() / np.sqrt(n)
    if fam == "hurdle_lognormal":  # the zeros are inside the bounds, in proportion hu / P(Y <= ub)
        mass = values["hu"] + (1 - values["hu"]) * stats.lognorm(0.6, scale=np.exp(0.3)).cdf(ub)
        assert (draws == 0).mean() == pytest.approx(values["hu"] / mass, abs=4 * np.sqrt(0.25 / n))


def test_truncated_hurdle_poisson_draws_and_mean() -> None:
    t = build_terms("y | trunc(ub = 4) ~ 1", "hurdle_poisson")
    adds = AdditionData(ub=np.array([4]))
    n = 100_000
    dp = {"mu": np.full((n, 1), 3.0), "hu": np.full((n, 1), 0.25)}
    draws = addition_predict(t, adds, dp, Extras(), np.random.default_rng(5))
    k = np.arange(0, 5)
    pmf = np.exp(FAMILIES["hurdle_poisson"].math.loglik(k[None, :], {"mu": 3.0, "hu": 0.25}, Extras())).ravel()
    pmf /= pmf.sum()
    freq = np.bincount(draws.astype(int).ravel(), minlength=5) / n
    assert draws.max() <= 4
    np.testing.assert_allclose(freq, pmf, atol=5 * np.sqrt(pmf * (1 - pmf) / n).max())
    one = {"mu": np.full((1, 1), 3.0), "hu": np.full((1, 1), 0.25)}
    assert addition_epred(t, adds, one, Extras()).item() == pytest.approx((k * pmf).sum(), rel=1e-10)


# ------------------------------------------------------------------ recovery


def hurdle_data(n: int = 500, seed: int = 4):
    """Draws of the truncated model itself: hurdle poisson draws, redrawn while above 10."""
    rng = np.random.default_rng(seed)
    truth = {"b_Intercept": 1.6, "b_x": 0.4, "hu": 0.3}
    x = rng.normal(size=n)
    mu = np.exp(truth["b_Intercept"] + truth["b_x"] * x)
    y = np.full(n, 11)
    while (todo := np.flatnonzero(y > 10)).size:
        pos = rng.poisson(mu[todo])
        while (zero := pos == 0).any():  # the positive part is zero-truncated
            pos[zero] = rng.poisson(mu[todo][zero])
        y[todo] = np.where(rng.random(todo.size) < truth["hu"], 0, pos)
    return pd.DataFrame({"y": y, "x": x}), truth


@pytest.fixture(scope="module")
def hurdle_fit():
    df, truth = hurdle_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y | trunc(ub = 10) ~ x", df, "hurdle_poisson", seed=2024, refresh=0, chains=2, iter=1000)
    return df, truth, fit


def test_truncated_hurdle_poisson_recovery(hurdle_fit) -> None:
    df, truth, fit = hurdle_fit
    assert (df["y"] == 10).sum() > 10  # the bound is active
    assert_recovers(fit.draws_dict, truth)
    pp = bp.posterior_predict(fit, ndraws=200, seed=1)
    assert pp.max() <= 10 and pp.min() >= 0
    ep = bp.posterior_epred(fit)
    assert (ep <= 10).all()
    assert abs(ep.mean() - df["y"].mean()) < 0.15  # the truncated mean, not (1 - hu) mu / (1 - exp(-mu))
    assert abs(pp.mean() - df["y"].mean()) < 0.3


def test_ignoring_truncation_is_biased(hurdle_fit) -> None:
    """Without trunc() the capped counts flatten the slope (the mass above 10 is missing at large x)."""
    df, truth, fit = hurdle_fit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        naive = bp.brm("y ~ x", df, "hurdle_poisson", seed=5, refresh=0, chains=1, iter=400)
    assert naive.draws_dict["b_x"].mean() < fit.draws_dict["b_x"].mean() - 0.03


# ------------------------------------------------------------------ refusals


def test_zero_one_inflated_beta_is_refused_as_in_brms() -> None:
    df = DATA.assign(u1=np.where(DATA["u"] > 0.8, 1.0, DATA["u"]), u2=DATA["u"] * 0.9 + 0.05)
    with pytest.raises(FamilyError, match="'cens\\(\\)' is not available for family 'zero_one_inflated_beta'.*"
                                          "zero_inflated_beta"):
        bp.make_stancode("u1 | cens(cens) ~ x", df, "zero_one_inflated_beta")
    with pytest.raises(FamilyError, match="component family 'zero_one_inflated_beta'"):
        bp.make_stancode("u2 | trunc(ub = 0.95) ~ x", df, bp.mixture("beta", "zero_one_inflated_beta"))
    # se() in a mixture: brms 2.18 builds it (se replaces each gaussian component's sigma; tests/families/test_mixture_se.py)
    assert "normal_lpdf(Y[n] | mu1[n], se[n])" in bp.make_stancode("y | se(w) ~ x", DATA, bp.mixture("gaussian", "gaussian"))


@pytest.mark.parametrize("formula, family", [
    ("y | trunc(lb = 0) ~ x", "lognormal"),
    ("y | trunc(lb = 0, ub = 40) ~ x", "weibull"),
    ("yh | trunc(lb = 0) ~ x", "hurdle_gamma"),
    ("u | trunc(lb = 0, ub = 0.95) ~ x", "zero_inflated_beta"),
])
def test_lower_bound_at_the_support_is_a_noop(formula: str, family: str) -> None:
    """trunc(lb = 0) of a family whose values start at 0: the same model as without the bound, with a warning."""
    without = formula.replace("lb = 0, ", "").replace(" | trunc(lb = 0)", "")
    with pytest.warns(UserWarning, match="does not truncate family .*neither the likelihood nor the predictions"):
        code = bp.make_stancode(formula, DATA, family)
    assert code == bp.make_stancode(without, DATA, family)


def test_mixture_lower_bound_kept_when_a_component_can_be_negative() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no no-op warning: the gaussian component has mass below 0
        code = bp.make_stancode("y | trunc(lb = 0) ~ x", DATA, bp.mixture("lognormal", "gaussian"))
    assert "normal_lccdf(lb[n] | mu2[n], sigma2)" in code
    with pytest.warns(UserWarning, match="does not truncate family 'mixture'"):
        code = bp.make_stancode("y | trunc(lb = 0) ~ x", DATA, bp.mixture("lognormal", "gamma"))
    assert "lb" not in code


def test_von_mises_bounds_within_the_circle() -> None:
    with pytest.raises(DataError, match="outside \\[-pi, pi\\]"):
        bp.make_stancode("ang | trunc(lb = -4) ~ x", DATA, "von_mises")
    with pytest.raises(DataError, match="must lie in \\[-pi, pi\\]"):
        bp.make_stancode("ang | cens(code, a2) ~ x", DATA.assign(a2=DATA["ang"] + 4), "von_mises")


def test_hurdle_lower_bound_excludes_the_zeros() -> None:
    """lb > 0 on a hurdle family truncates away the zeros: data with zeros violate the bound."""
    with pytest.raises(DataError, match="outside the truncation bounds"):
        bp.make_stancode("yh | trunc(lb = 0.1) ~ x", DATA, "hurdle_lognormal")
    with pytest.raises(DataError, match="<= 0 in some rows and positive in others"):
        bp.make_stancode("y | trunc(lb = lo) ~ x", DATA.assign(lo=np.where(DATA["x"] > 0, 0.0, 0.01)), "gamma")
