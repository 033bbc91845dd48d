"""The continuous and discrete families of brmspy.families.continuous / .discrete.

For every family: golden Stan code accepted by stanc (with and without a dpar
formula), numpy log-likelihood equal to Stan's at posterior draws, random
draws with the distribution's known mean and variance, and a density that
integrates (sums) to one.  Parameter recovery by sampling for skew_normal,
beta_binomial and gen_extreme_value, and for weibull, lognormal and beta.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special, stats

import brmspy as bp
from brmspy.families import FAMILIES, LINKS, Extras, brmsfamily
from brmspy.families.continuous import skew_normal_params
from brmspy.families.continuous import inverse_gaussian
from brmspy.families.discrete import com_poisson, com_poisson_series, discrete_weibull_moments, geometric
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers


def _inv_logit(x):
    return 1 / (1 + np.exp(-x))


# --------------------------------------------------------------- the models


@dataclass(frozen=True)
class Sim:
    """A family with dpar values per observation (functions of x) to simulate a response from."""

    family: str
    dpars: dict[str, Callable[[np.ndarray], np.ndarray] | float]
    link: str | None = None

    def data(self, n: int = 200, seed: int = 1) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        x = rng.normal(size=n)
        trials = rng.integers(5, 21, n)
        dp = {k: (v(x) if callable(v) else np.full(n, float(v))) for k, v in self.dpars.items()}
        y = FAMILIES[self.family].math.rng(dp, Extras(trials), rng)
        return pd.DataFrame({"y": y, "x": x, "n": trials, "w": rng.uniform(0.5, 2, n)})


SIMS = {
    "skew_normal": Sim("skew_normal", {"mu": lambda x: 1 + 0.5 * x, "sigma": lambda x: np.exp(0.2 + 0.3 * x),
                                       "alpha": 3.0}),
    "shifted_lognormal": Sim("shifted_lognormal", {"mu": lambda x: 0.5 + 0.3 * x,
                                                   "sigma": lambda x: np.exp(-0.5 + 0.2 * x), "ndt": 0.4}),
    "exgaussian": Sim("exgaussian", {"mu": lambda x: 1 + 0.5 * x, "sigma": 0.5, "beta": lambda x: np.exp(0.3 * x)}),
    "frechet": Sim("frechet", {"mu": lambda x: np.exp(1 + 0.3 * x), "nu": lambda x: 1 + np.exp(1.5 + 0.2 * x)}),
    "gen_extreme_value": Sim("gen_extreme_value", {"mu": lambda x: 1 + 0.5 * x, "sigma": 1.0,
                                                   "xi": lambda x: np.expm1(0.1 + 0.05 * x)}),
    "inverse_gaussian": Sim("inverse_gaussian", {"mu": lambda x: 1 / np.sqrt(0.3 + 0.05 * x),
                                                 "shape": lambda x: np.exp(1 + 0.3 * x)}),
    "von_mises": Sim("von_mises", {"mu": lambda x: 2 * np.arctan(0.3 + 0.5 * x), "kappa": lambda x: np.exp(1 + 0.3 * x)}),
    "asym_laplace": Sim("asym_laplace", {"mu": lambda x: 1 + 0.5 * x, "sigma": 1.0,
                                         "quantile": lambda x: _inv_logit(-1 + 0.3 * x)}),
    "beta_binomial": Sim("beta_binomial", {"mu": lambda x: _inv_logit(0.3 - 0.6 * x), "phi": lambda x: np.exp(2 + 0.3 * x)}),
    "negbinomial2": Sim("negbinomial2", {"mu": lambda x: np.exp(1 + 0.4 * x), "sigma": lambda x: np.exp(-1 + 0.3 * x)}),
    "geometric": Sim("geometric", {"mu": lambda x: np.exp(1 + 0.4 * x)}),
    "discrete_weibull": Sim("discrete_weibull", {"mu": lambda x: _inv_logit(0.5 + 0.5 * x),
                                                 "shape": lambda x: np.exp(0.3 + 0.2 * x)}),
    "com_poisson": Sim("com_poisson", {"mu": lambda x: np.exp(1 + 0.3 * x), "shape": lambda x: np.exp(0.2 + 0.2 * x)}),
}


@dataclass(frozen=True)
class Case:
    """One model of a family: golden file ``fam_<name>``; ``fit`` also checks numpy vs Stan likelihoods."""

    name: str
    sim: str
    formula: object
    family: object = None
    fit: bool = True

    def fam(self):
        return self.family or SIMS[self.sim].family


CASES = [
    Case("skew_normal", "skew_normal", "y ~ x"),
    Case("skew_normal_sigma", "skew_normal", bp.bf("y ~ x", "sigma ~ x")),
    Case("skew_normal_sigma_alpha", "skew_normal", bp.bf("y ~ x", "sigma ~ x", "alpha ~ x")),
    Case("skew_normal_weights", "skew_normal", "y | weights(w) ~ x"),
    Case("shifted_lognormal", "shifted_lognormal", "y ~ x"),
    Case("shifted_lognormal_sigma", "shifted_lognormal", bp.bf("y ~ x", "sigma ~ x")),
    Case("exgaussian", "exgaussian", "y ~ x"),
    Case("exgaussian_beta", "exgaussian", bp.bf("y ~ x", "beta ~ x")),
    Case("frechet", "frechet", "y ~ x"),
    Case("frechet_nu", "frechet", bp.bf("y ~ x", "nu ~ x")),
    Case("gen_extreme_value", "gen_extreme_value", "y ~ x"),
    Case("gen_extreme_value_xi", "gen_extreme_value", bp.bf("y ~ x", "xi ~ x")),
    Case("inverse_gaussian", "inverse_gaussian", "y ~ x", "inverse.gaussian"),
    Case("inverse_gaussian_shape", "inverse_gaussian", bp.bf("y ~ x", "shape ~ x")),
    Case("von_mises", "von_mises", "y ~ x"),
    Case("von_mises_kappa", "von_mises", bp.bf("y ~ x", "kappa ~ x")),
    Case("asym_laplace", "asym_laplace", "y ~ x"),
    Case("asym_laplace_q25", "asym_laplace", bp.bf("y ~ x", quantile="0.25")),
    Case("asym_laplace_quantile", "asym_laplace", bp.bf("y ~ x", "quantile ~ x")),
    Case("beta_binomial", "beta_binomial", "y | trials(n) ~ x"),
    Case("beta_binomial_phi", "beta_binomial", bp.bf("y | trials(n) ~ x", "phi ~ x")),
    Case("beta_binomial_weights", "beta_binomial", "y | trials(n) + weights(w) ~ x"),
    Case("negbinomial2", "negbinomial2", "y ~ x"),
    Case("negbinomial2_sigma", "negbinomial2", bp.bf("y ~ x", "sigma ~ x")),
    Case("geometric", "geometric", "y ~ x"),
    Case("geometric_softplus", "geometric", "y ~ x", geometric(link="softplus")),
    Case("discrete_weibull", "discrete_weibull", "y ~ x"),
    Case("discrete_weibull_shape", "discrete_weibull", bp.bf("y ~ x", "shape ~ x")),
    Case("com_poisson", "com_poisson", "y ~ x"),
    Case("com_poisson_shape", "com_poisson", bp.bf("y ~ x", "shape ~ x")),
    Case("com_poisson_identity", "com_poisson", "y ~ x", com_poisson(link="identity"), fit=False),
]
CASE_IDS = [c.name for c in CASES]


def _code(case: Case) -> str:
    return bp.make_stancode(case.formula, SIMS[case.sim].data(), case.fam())


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_golden_code_and_stanc(case: Case, update_golden: bool) -> None:
    code = _code(case)
    assert_golden(f"fam_{case.name}", code, update_golden)


def _fit(case: Case, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(case.formula, SIMS[case.sim].data(), case.fam(), seed=5, refresh=0, iter=200, chains=1, **kw)


@pytest.mark.slow
@pytest.mark.parametrize("case", [c for c in CASES if c.fit], ids=[c.name for c in CASES if c.fit])
def test_numpy_loglik_equals_stan(case: Case) -> None:
    fit = _fit(case)
    assert_loglik_matches_stan(fit, draws=(0, 50, -1))
    # predictions run and have the response's shape and support
    pp = bp.posterior_predict(fit, ndraws=20, seed=1)
    ep = bp.posterior_epred(fit, ndraws=20)
    assert pp.shape == ep.shape == (20, 200) and np.isfinite(pp).all() and np.isfinite(ep).all()
    if brmsfamily(case.fam()).spec.is_discrete:
        assert (pp >= 0).all() and (pp == np.round(pp)).all()


# ------------------------------------------------- moments and normalisation


def _frechet_var(mu, nu):
    scale = mu / special.gamma(1 - 1 / nu)
    return scale**2 * (special.gamma(1 - 2 / nu) - special.gamma(1 - 1 / nu) ** 2)


def _gev_moments(mu, sigma, xi):
    g1, g2 = special.gamma(1 - xi), special.gamma(1 - 2 * xi)
    return mu + sigma * (g1 - 1) / xi, sigma**2 * (g2 - g1**2) / xi**2


def _al_moments(mu, sigma, q):
    return mu + sigma * (1 - 2 * q) / (q * (1 - q)), sigma**2 * (1 - 2 * q + 2 * q**2) / (q**2 * (1 - q) ** 2)


TRIALS = 12
# family: (dpars, analytic mean, analytic variance, support for the normalisation check)
MOMENTS = {
    "skew_normal": ({"mu": 1.0, "sigma": 2.0, "alpha": 4.0}, 1.0, 4.0, (-np.inf, np.inf)),
    "skew_normal_neg": ({"mu": -0.5, "sigma": 0.7, "alpha": -2.0}, -0.5, 0.49, (-np.inf, np.inf)),
    "shifted_lognormal": ({"mu": 0.2, "sigma": 0.5, "ndt": 0.3}, 0.3 + np.exp(0.325),
                          (np.exp(0.25) - 1) * np.exp(0.65), (0.3, np.inf)),
    "exgaussian": ({"mu": 1.0, "sigma": 0.5, "beta": 1.5}, 1.0, 0.25 + 2.25, (-np.inf, np.inf)),
    "frechet": ({"mu": 2.0, "nu": 9.0}, 2.0, _frechet_var(2.0, 9.0), (0, np.inf)),
    "gen_extreme_value": ({"mu": 1.0, "sigma": 1.5, "xi": 0.1}, *_gev_moments(1.0, 1.5, 0.1), (1 - 15, np.inf)),
    "gen_extreme_value_neg": ({"mu": 0.0, "sigma": 1.0, "xi": -0.3}, *_gev_moments(0.0, 1.0, -0.3), (-np.inf, 1 / 0.3)),
    "gen_extreme_value_gumbel": ({"mu": 0.0, "sigma": 2.0, "xi": 0.0}, 2 * np.euler_gamma, 4 * np.pi**2 / 6,
                                 (-np.inf, np.inf)),
    "inverse_gaussian": ({"mu": 1.5, "shape": 4.0}, 1.5, 1.5**3 / 4, (0, np.inf)),
    "asym_laplace": ({"mu": 1.0, "sigma": 0.8, "quantile": 0.25}, *_al_moments(1.0, 0.8, 0.25), (-np.inf, 1.0, np.inf)),
    "asym_laplace_median": ({"mu": 1.0, "sigma": 0.8, "quantile": 0.5}, *_al_moments(1.0, 0.8, 0.5),
                            (-np.inf, 1.0, np.inf)),
    "beta_binomial": ({"mu": 0.3, "phi": 5.0}, TRIALS * 0.3, TRIALS * 0.3 * 0.7 * (5 + TRIALS) / 6, TRIALS),
    "negbinomial2": ({"mu": 4.0, "sigma": 0.4}, 4.0, 4.0 + 0.4 * 16, 300),
    "geometric": ({"mu": 3.0}, 3.0, 12.0, 400),
    "discrete_weibull": ({"mu": 0.8, "shape": 1.0}, 4.0, 0.8 / 0.2**2, 400),  # geometric: P(Y >= k) = 0.8^k
    "discrete_weibull_series": ({"mu": 0.9, "shape": 1.6}, *discrete_weibull_moments(0.9, 1.6), 400),
    "com_poisson": ({"mu": 3.0, "shape": 1.0}, 3.0, 3.0, 200),  # shape 1 is Poisson(mu)
    "com_poisson_over": ({"mu": 4.0, "shape": 0.6}, *com_poisson_series(4.0, 0.6, moments=True)[1:], 400),
    "com_poisson_under": ({"mu": 6.5, "shape": 2.5}, *com_poisson_series(6.5, 2.5, moments=True)[1:], 200),
}


def _family(key: str) -> str:
    return next(f for f in sorted(FAMILIES, key=len, reverse=True) if key.startswith(f))


@pytest.mark.parametrize("key", sorted(MOMENTS))
def test_draws_match_moments_and_density_normalises(key: str) -> None:
    dp_values, mean, var, support = MOMENTS[key]
    fm = FAMILIES[_family(key)].math
    n = 200_000
    dp = {k: np.full((1, n), v) for k, v in dp_values.items()}
    draws = fm.rng(dp, Extras(np.full(n, TRIALS)), np.random.default_rng(7)).ravel()
    assert abs(draws.mean() - mean) < 5 * np.sqrt(var / n), (draws.mean(), mean)
    assert draws.var() == pytest.approx(var, rel=0.05)
    one = {k: np.array([[v]]) for k, v in dp_values.items()}
    ex1 = Extras(np.array([TRIALS]))
    assert np.asarray(fm.epred(one, ex1)).item() == pytest.approx(mean, rel=1e-6)
    if isinstance(support, int):  # discrete: sum the pmf over 0..support
        ys = np.arange(support + 1)
        total = np.exp(fm.loglik(ys[None, :], one, ex1)).sum()
    else:  # continuous: integrate the density piecewise between the given points
        dens = lambda y: np.exp(fm.loglik(np.array([[y]]), one, ex1)).item()  # noqa: E731
        total = sum(integrate.quad(dens, a, b, epsabs=1e-10, limit=200)[0] for a, b in zip(support[:-1], support[1:]))
    assert total == pytest.approx(1.0, abs=1e-6)


def test_gen_extreme_value_mean_is_infinite_from_xi_one() -> None:
    """brms's mean mu + sigma (Gamma(1 - xi) - 1) / xi for xi < 1 (mu + sigma * Euler's gamma at 0); for
    xi >= 1 the mean does not exist: inf, where brms's formula gives a finite value below mu (-14.36 at
    mu = 1, sigma = 0.6, xi = 1.04: not a mean; README "Differences from brms")."""
    fm = FAMILIES["gen_extreme_value"].math
    xi = np.array([[-0.5, -1e-10, 0.0, 0.3, 0.99, 1.0, 1.04, 3.0]])
    dp = {"mu": np.full_like(xi, 1.0), "sigma": np.full_like(xi, 0.6), "xi": xi}
    ep = fm.epred(dp, Extras())
    ok = xi < 1
    assert np.isposinf(ep[~ok]).all() and np.isfinite(ep[ok]).all()
    expected = np.where(xi == 0, 1 + 0.6 * np.euler_gamma,
                        1 + 0.6 * (special.gamma(1 - np.where(xi == 0, 0.5, xi)) - 1) / np.where(xi == 0, 0.5, xi))
    np.testing.assert_allclose(ep[ok], expected[ok], rtol=1e-6)


def test_von_mises_draws_match_trigonometric_moments_and_density() -> None:
    """Circular moments: E cos(k (y - mu)) = I_k(kappa) / I_0(kappa), E sin(k (y - mu)) = 0."""
    fm = FAMILIES["von_mises"].math
    mu, kappa, n = 2.8, 3.0, 200_000  # near pi: draws wrap around
    draws = fm.rng({"mu": np.full(n, mu), "kappa": np.full(n, kappa)}, Extras(), np.random.default_rng(3))
    assert draws.min() >= -np.pi and draws.max() <= np.pi
    for k in (1, 2):
        c, s = np.cos(k * (draws - mu)), np.sin(k * (draws - mu))
        assert abs(c.mean() - special.iv(k, kappa) / special.iv(0, kappa)) < 5 * c.std() / np.sqrt(n)
        assert abs(s.mean()) < 5 * s.std() / np.sqrt(n)
    one = {"mu": np.array([[mu]]), "kappa": np.array([[kappa]])}
    total = integrate.quad(lambda y: np.exp(fm.loglik(np.array([[y]]), one, Extras())).item(), -np.pi, np.pi)[0]
    assert total == pytest.approx(1.0, abs=1e-8)
    assert fm.epred(one, Extras()).item() == mu
    # numerically stable for concentrated angles (Stan's von_mises_lpdf is too)
    big = {"mu": np.array([[0.0]]), "kappa": np.array([[1e6]])}
    assert fm.loglik(np.array([[0.0]]), big, Extras()).item() == pytest.approx(stats.norm.logpdf(0, 0, 1e-3), rel=1e-6)


def test_numpy_densities_agree_with_scipy_references() -> None:
    """Independent references for the hand-written log densities."""
    y = np.linspace(0.2, 4, 7)[None, :]
    ig = FAMILIES["inverse_gaussian"].math.loglik(y, {"mu": np.array([[1.5]]), "shape": np.array([[4.0]])}, Extras())
    np.testing.assert_allclose(ig, stats.invgauss.logpdf(y, 1.5 / 4.0, scale=4.0), rtol=1e-10)
    gev = FAMILIES["gen_extreme_value"].math.loglik(y, {"mu": np.array([[1.0]]), "sigma": np.array([[1.5]]),
                                                        "xi": np.array([[-0.2]])}, Extras())
    np.testing.assert_allclose(gev, stats.genextreme.logpdf(y, 0.2, loc=1.0, scale=1.5), rtol=1e-10)
    # outside the support the density is zero
    out = FAMILIES["gen_extreme_value"].math.loglik(np.array([[10.0]]), {"mu": np.array([[0.0]]),
                                                                         "sigma": np.array([[1.0]]),
                                                                         "xi": np.array([[-0.5]])}, Extras())
    assert out.item() == -np.inf
    k = np.arange(0, 8)[None, :]
    dw = FAMILIES["discrete_weibull"].math.loglik(k, {"mu": np.array([[0.7]]), "shape": np.array([[1.3]])}, Extras())
    np.testing.assert_allclose(np.exp(dw), 0.7 ** (k**1.3) - 0.7 ** ((k + 1) ** 1.3), rtol=1e-10)
    cp = FAMILIES["com_poisson"].math.loglik(k, {"mu": np.array([[2.5]]), "shape": np.array([[1.0]])}, Extras())
    np.testing.assert_allclose(cp, stats.poisson.logpmf(k, 2.5), rtol=1e-12)
    xi, omega = skew_normal_params(1.0, 2.0, 4.0)
    sn = stats.skewnorm(4.0, loc=xi, scale=omega)
    assert (sn.mean(), sn.std()) == pytest.approx((1.0, 2.0))


def test_series_against_brute_force() -> None:
    """Truncated series (and the Euler-Maclaurin tail of discrete_weibull) against long direct sums."""
    k = np.arange(1, 3_000_001, dtype=float)
    for mu, shape in [(0.995, 0.8), (0.9999, 1.3), (0.5, 0.3)]:  # heavy tails: more than 1000 terms matter
        f = np.exp(np.log(mu) * k**shape)
        m1, m2 = f.sum(), ((2 * k - 1) * f).sum()
        mean, var = discrete_weibull_moments(mu, shape)
        assert (mean.item(), var.item()) == pytest.approx((m1, m2 - m1**2), rel=1e-9)
    j = np.arange(0, 5001, dtype=float)
    for mu, shape in [(50.0, 0.8), (0.3, 0.2), (120.0, 3.0)]:
        log_terms = shape * (j * np.log(mu) - special.gammaln(j + 1))
        p = np.exp(log_terms - special.logsumexp(log_terms))
        log_z, mean, var = com_poisson_series(mu, shape, moments=True)
        assert log_z.item() == pytest.approx(special.logsumexp(log_terms), rel=1e-13)
        assert (mean.item(), var.item()) == pytest.approx(((j * p).sum(), (j**2 * p).sum() - (j * p).sum() ** 2), rel=1e-9)


# --------------------------------------------------------------- recovery


def _recover(formula, data, family, truth: dict[str, float], **kw) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm(formula, data, family, seed=11, refresh=0, iter=1000, chains=2, **kw)
    assert_recovers(fit.draws_dict, truth)


def _x(n: int, seed: int) -> tuple[np.random.Generator, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng, rng.normal(size=n)


@pytest.mark.slow
def test_recovery_skew_normal() -> None:
    rng, x = _x(500, 21)
    mu, sigma, alpha = 1.0 + 0.5 * x, 1.5, 4.0
    # scipy's skewnorm with brms's mean/sd parametrisation converted independently
    delta = alpha / np.sqrt(1 + alpha**2)
    omega = sigma / np.sqrt(1 - 2 * delta**2 / np.pi)
    y = stats.skewnorm.rvs(alpha, loc=mu - omega * delta * np.sqrt(2 / np.pi), scale=omega, random_state=rng)
    _recover("y ~ x", pd.DataFrame({"y": y, "x": x}), "skew_normal",
             {"b_Intercept": 1.0, "b_x": 0.5, "sigma": sigma, "alpha": alpha})


@pytest.mark.slow
def test_recovery_beta_binomial() -> None:
    rng, x = _x(400, 22)
    trials = rng.integers(5, 21, len(x))
    mu, phi = _inv_logit(0.3 - 0.6 * x), 8.0
    y = stats.betabinom.rvs(trials, mu * phi, (1 - mu) * phi, random_state=rng)
    _recover("y | trials(n) ~ x", pd.DataFrame({"y": y, "x": x, "n": trials}), "beta_binomial",
             {"b_Intercept": 0.3, "b_x": -0.6, "phi": phi})


@pytest.mark.slow
def test_recovery_gen_extreme_value() -> None:
    rng, x = _x(400, 23)
    y = stats.genextreme.rvs(-0.15, loc=1.0 + 0.5 * x, scale=1.2, random_state=rng)  # scipy's c = -xi
    _recover("y ~ x", pd.DataFrame({"y": y, "x": x}), "gen_extreme_value",
             {"b_Intercept": 1.0, "b_x": 0.5, "sigma": 1.2, "xi": 0.15})


@pytest.mark.slow
def test_recovery_weibull() -> None:
    rng, x = _x(400, 24)
    mu, shape = np.exp(0.5 + 0.3 * x), 2.0
    y = stats.weibull_min.rvs(shape, scale=mu / special.gamma(1 + 1 / shape), random_state=rng)
    _recover("y ~ x", pd.DataFrame({"y": y, "x": x}), "weibull", {"b_Intercept": 0.5, "b_x": 0.3, "shape": shape})


@pytest.mark.slow
def test_recovery_lognormal() -> None:
    rng, x = _x(400, 25)
    y = np.exp(rng.normal(1.0 + 0.4 * x, 0.6))
    _recover("y ~ x", pd.DataFrame({"y": y, "x": x}), "lognormal", {"b_Intercept": 1.0, "b_x": 0.4, "sigma": 0.6})


@pytest.mark.slow
def test_recovery_beta() -> None:
    rng, x = _x(400, 26)
    mu, phi = _inv_logit(0.2 - 0.5 * x), 10.0
    y = rng.beta(mu * phi, (1 - mu) * phi)
    _recover("y ~ x", pd.DataFrame({"y": y, "x": x}), "beta", {"b_Intercept": 0.2, "b_x": -0.5, "phi": phi})


# ------------------------------------------------------- families and data


def test_threshold_of_a_non_ordinal_family_is_ignored_with_a_warning() -> None:
    """brms 2.18 accepts brmsfamily("gaussian", threshold = "equidistant") and ignores it; brmspy says so."""
    with pytest.warns(UserWarning, match="ignored for family 'gaussian'"):
        fam = brmsfamily("gaussian", threshold="equidistant")
    assert fam.name == "gaussian" and fam.threshold == "flexible"
    with pytest.raises(bp.FamilyError, match="threshold must be"):
        brmsfamily("gaussian", threshold="ordered")


def test_family_names_links_and_priors() -> None:
    ig = brmsfamily("inverse.gaussian")
    assert ig.name == "inverse_gaussian" and ig.link == "1/mu^2"
    assert inverse_gaussian().name == "inverse_gaussian"
    assert brmsfamily("von_mises").link == "tan_half"
    x = np.linspace(-5, 5, 11)
    np.testing.assert_allclose(LINKS["tan_half"].fun(LINKS["tan_half"].inv(x)), x)
    assert brmsfamily("frechet").links["nu"] == "logm1"
    assert brmsfamily("gen_extreme_value").links["xi"] == "log1p"
    df = SIMS["gen_extreme_value"].data()
    rows = bp.get_prior("y ~ x", df, "gen_extreme_value")
    assert rows.loc[rows["class"] == "xi", "prior"].item() == "normal(0, 2.5)"
    rows = bp.get_prior("y ~ x", SIMS["frechet"].data(), "frechet")
    assert rows.loc[rows["class"] == "nu", "prior"].item() == "gamma(2, 0.1)"
    rows = bp.get_prior("y ~ x", SIMS["shifted_lognormal"].data(), "shifted_lognormal")
    assert rows.loc[rows["class"] == "ndt", "prior"].item().startswith("uniform(0, ")
    # brms's Intercept priors of predicted dpars on their default link scale
    for fam, dpar, prior in [("skew_normal", "alpha", "normal(0, 4)"), ("frechet", "nu", "normal(2.7, 0.8)"),
                             ("von_mises", "kappa", "normal(5.0, 0.8)"), ("exgaussian", "beta", "normal(1.7, 1.3)"),
                             ("gen_extreme_value", "xi", "normal(0, 4)"), ("asym_laplace", "quantile", "logistic(0, 1)")]:
        rows = bp.get_prior(bp.bf("y ~ x", f"{dpar} ~ x"), SIMS[fam].data(), fam)
        assert rows.loc[(rows["class"] == "Intercept") & (rows["dpar"] == dpar), "prior"].item() == prior
    # asym_laplace: as in brms, quantile is a parameter with prior beta(1, 1) unless fixed (it was fixed at 0.5)
    df = SIMS["asym_laplace"].data()
    rows = bp.get_prior("y ~ x", df, "asym_laplace")
    assert rows.loc[rows["class"] == "quantile", ["prior", "lb", "ub"]].values.tolist() == [["beta(1, 1)", "0", "1"]]
    sd = bp.make_standata("y ~ x", df, "asym_laplace")
    assert "quantile" not in sd and (sd["prior_quantile_a"], sd["prior_quantile_b"]) == (1.0, 1.0)
    assert "real<lower=0,upper=1> quantile;" in bp.make_stancode("y ~ x", df, "asym_laplace")
    for fixed in (bp.bf("y ~ x", quantile="0.25"), bp.bf("y ~ x", quantile=0.25)):
        assert bp.make_standata(fixed, df, "asym_laplace")["quantile"] == 0.25
        assert "quantile" not in set(bp.get_prior(fixed, df, "asym_laplace")["class"])


def test_dpar_formula_one_is_an_intercept_not_a_constant() -> None:
    """'ndt ~ 1' is brms's intercept-only predictor of ndt (Intercept_ndt on the log scale), not ndt fixed at 1."""
    df = SIMS["shifted_lognormal"].data()
    sd = bp.make_standata(bp.bf("y ~ x", "ndt ~ 1"), df, "shifted_lognormal")
    assert "ndt" not in sd
    code = bp.make_stancode(bp.bf("y ~ x", "ndt ~ 1"), df, "shifted_lognormal")
    assert "real Intercept_ndt;" in code
    rows = bp.get_prior(bp.bf("y ~ x", "ndt ~ 1"), df, "shifted_lognormal")
    assert ((rows["class"] == "Intercept") & (rows["dpar"] == "ndt")).sum() == 1
    # a fixed value is written as a keyword, as in brms's bf(y ~ x, ndt = 0.1)
    assert bp.make_standata(bp.bf("y ~ x", ndt=0.1), df, "shifted_lognormal")["ndt"] == 0.1
    assert bp.make_standata(bp.bf("y ~ x", ndt=1), df, "shifted_lognormal")["ndt"] == 1.0
    # mixtures: 'sigma2 ~ 1' is an intercept of sigma2, 'sigma2 = 1' a constant
    g = pd.DataFrame({"y": np.r_[np.linspace(-3, -1, 20), np.linspace(1, 3, 20)], "x": np.linspace(0, 1, 40)})
    mix = bp.mixture("gaussian", "gaussian")
    assert "Intercept_sigma2" in bp.make_stancode(bp.bf("y ~ x", "sigma2 ~ 1"), g, mix)
    assert bp.make_standata(bp.bf("y ~ x", sigma2=1), g, mix)["sigma2"] == 1.0


BAD_RESPONSES = [
    ("von_mises", pd.DataFrame({"y": [0.1, 4.0, -1.0], "x": [1.0, 2.0, 3.0]}), "y ~ x", "within \\[-pi, pi\\]"),
    ("beta_binomial", pd.DataFrame({"y": [1, 7, 2], "n": [5, 5, 5], "x": [1.0, 2.0, 3.0]}), "y | trials(n) ~ x",
     "exceeds the number of trials in row 1 \\(7 > 5\\)"),
    ("beta_binomial", pd.DataFrame({"y": [1, 2.5, 2], "n": [5, 5, 5], "x": [1.0, 2.0, 3.0]}), "y | trials(n) ~ x",
     "non-negative integer counts"),
    ("com_poisson", pd.DataFrame({"y": [1, -2, 2], "x": [1.0, 2.0, 3.0]}), "y ~ x", "non-negative integer counts"),
    ("discrete_weibull", pd.DataFrame({"y": [1, 0.5, 2], "x": [1.0, 2.0, 3.0]}), "y ~ x", "non-negative integer"),
    ("geometric", pd.DataFrame({"y": ["a", "b", "c"], "x": [1.0, 2.0, 3.0]}), "y ~ x", "not numeric"),
    ("frechet", pd.DataFrame({"y": [1.0, 0.0, 2.0], "x": [1.0, 2.0, 3.0]}), "y ~ x", "needs a positive response"),
    ("inverse.gaussian", pd.DataFrame({"y": [1.0, -3.0, 2.0], "x": [1.0, 2.0, 3.0]}), "y ~ x",
     "'inverse_gaussian' needs a positive response"),
    ("shifted_lognormal", pd.DataFrame({"y": [1.0, -3.0, 2.0], "x": [1.0, 2.0, 3.0]}), "y ~ x", "positive response"),
]


@pytest.mark.parametrize("family,data,formula,message", BAD_RESPONSES, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD_RESPONSES)])
def test_response_checks(family, data, formula, message) -> None:
    with pytest.raises(bp.DataError, match=message):
        bp.make_stancode(formula, data, family)


def test_trials_only_for_beta_binomial_here() -> None:
    df = pd.DataFrame({"y": [1, 2, 3], "n": [5, 5, 5], "x": [1.0, 2.0, 3.0]})
    with pytest.raises(bp.FormulaError, match="trials\\(\\) is only used by binomial-type families"):
        bp.make_stancode("y | trials(n) ~ x", df, "negbinomial2")
