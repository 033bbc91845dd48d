"""The marginal Laplace approximation's corrections of its means (issue 24, goal 3).

Non-gaussian GLMMs with one grouping factor: the second-order term of the Laplace approximation of
the log marginal and each group effect's conditional mean are checked against the exact
one-dimensional integrals over each effect (quadrature on the Stan program's own density: with one
factor the density separates in the effects); the move of the outer normal's centre from the
marginal's mode to its mean against a density whose mean is known in closed form (the log of a
gamma variable); the antithetic draws against their centre; the Pareto k of the draws' importance
ratios and its warning.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special

import brmspy as bp
from brmspy.backends.marginal_laplace import (
    MARGINAL_TIMING,
    GlmmStructure,
    _antithetic_normal,
    _skew_shift,
    glmm_structure,
    integrated_laplace,
)
from brmspy.backends.variational import pareto_k
from brmspy.core.errors import SamplerWarning
from tests.backends.laplace_checks import stan_model

LINK = {"poisson": "log", "bernoulli": "logit"}


def _model(family: str, centered: bool):
    """A small one-factor GLMM (8 levels, 15 rows each) as a _Model on the Stan program's density."""
    rng = np.random.default_rng(17)
    n, levels = 120, 8
    df = pd.DataFrame({"x": rng.normal(size=n), "g": np.arange(n) % levels})
    eta = 0.2 + 0.4 * df.x + rng.normal(0, 0.8, levels)[df.g]
    df["y"] = rng.poisson(np.exp(eta)) if family == "poisson" else rng.binomial(1, 1 / (1 + np.exp(-eta)))
    code = bp.make_stancode("y ~ x + (1 | g)", df, family=family, centered=centered)
    data = bp.make_standata("y ~ x + (1 | g)", df, family=family, centered=centered)
    s = glmm_structure(family, LINK[family], data)
    assert isinstance(s, GlmmStructure)
    m, lay, lpg, _ = stan_model(s, code, data)
    assert lay.centred == [centered]  # centred effects a_1 (prior sd) or standardised z_1 (r = sd z)
    return m, lay, lpg


@pytest.fixture(scope="module", params=[("poisson", True), ("bernoulli", True), ("poisson", False),
                                        ("bernoulli", False)])
def one_factor(request):
    """u* and P at one outer point, and each effect's exact log integral and mean by quadrature."""
    m, lay, lpg = _model(*request.param)
    outer = np.zeros(lay.outer.size)
    outer[-1] = np.log(0.8)  # sd_1 (the last outer coordinate) at the simulation's value
    u, lp, _, P = m.inner_mode(outer, np.zeros(lay.inner.size))
    x = m.full(outer, u)
    log_int, mean = [], []
    for j, idx in enumerate(m.perm):  # with one factor the density separates: one effect at a time
        half = 12 / np.sqrt(P.a[j])

        def dens(t, idx=idx):
            e = x.copy()
            e[idx] += t
            return np.exp(lpg(e)[0] - lp)

        z = integrate.quad(dens, -half, half, epsabs=0, epsrel=1e-10, limit=200)[0]
        log_int.append(np.log(z))
        mean.append(u[j] + integrate.quad(lambda t: t * dens(t), -half, half, epsabs=0, epsrel=1e-10,
                                          limit=200)[0] / z)
    return P, u, float(np.sum(log_int)), np.asarray(mean)


def test_second_order_term_brings_the_log_marginal_to_the_exact_integral(one_factor):
    P, u, exact, _ = one_factor
    laplace = 0.5 * P.a.size * np.log(2 * np.pi) - 0.5 * P.logdet()
    first, second = abs(laplace - exact), abs(laplace + P.correction - exact)
    assert first > 1e-3  # 15 rows per level: the plain Laplace approximation is visibly off
    assert second < first / 10, (first, second)


def test_effect_draws_centre_on_the_conditional_means(one_factor):
    P, u, _, mean = one_factor
    assert P.skew is not None
    mode_err = np.abs(u - mean).max()
    assert mode_err > 1e-3
    assert np.abs(u + P.skew - mean).max() < mode_err / 10


def test_skew_shift_moves_the_centre_to_the_mean_of_a_log_gamma():
    """log of a gamma(k, 1) variable, phi, and b | phi ~ N(rho phi, 0.3^2): the mode is
    (log k, rho log k), the mean (digamma(k), rho digamma(k)), 0.34 posterior sd of phi apart at k = 2."""
    k, rho, tau = 2.0, 0.7, 0.3

    def grad(t):
        phi, b = t
        r = (b - rho * phi) / tau**2
        return np.array([k - np.exp(phi) + rho * r, -r])

    mode = np.array([np.log(k), rho * np.log(k)])
    H = np.array([[-k - rho**2 / tau**2, rho / tau**2], [rho / tau**2, -1 / tau**2]])
    L = np.linalg.cholesky(-H)
    centre = mode + _skew_shift(grad, mode, grad(mode), L)
    mean = np.array([special.digamma(k), rho * special.digamma(k)])
    sd_phi = np.sqrt(special.polygamma(1, k))
    assert abs(mode[0] - mean[0]) > 0.3 * sd_phi
    np.testing.assert_allclose(centre, mean, atol=0.05 * sd_phi)  # first order in the skewness: 0.017 sd off


def test_antithetic_draws_are_standard_normal_with_the_centre_as_mean():
    z = _antithetic_normal(np.random.default_rng(3), 4001, 3)
    assert z.shape == (4001, 3)
    np.testing.assert_allclose(z[:4000].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(np.cov(z.T), np.eye(3), atol=0.08)

    def lpg(t):
        return float(-0.5 * t @ t), -t

    lap = integrated_laplace(lpg, np.array([1.0, -2.0]), ["Intercept", "sd_1.1"], 1000, seed=1)
    np.testing.assert_allclose(lap.theta.mean(axis=0), lap.centre, atol=1e-12)


def _small_glmm(n: int, levels: int, sd: float, seed: int = 5) -> pd.DataFrame:
    """bernoulli ``y ~ x + (1 | g)`` with ``n / levels`` rows per level."""
    rng = np.random.default_rng(seed)
    g = np.arange(n) % levels
    x = rng.normal(size=n)
    eta = 0.2 + 0.5 * x + rng.normal(0, sd, levels)[g]
    return pd.DataFrame({"y": rng.binomial(1, 1 / (1 + np.exp(-eta))), "x": x, "g": g})


def _laplace_with_warnings(df: pd.DataFrame):
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = bp.brm("y ~ x + (1 | g)", df, family="bernoulli", algorithm="laplace", seed=1, refresh=0,
                     backend="stanli")
    return fit, [str(w.message) for w in caught if issubclass(w.category, SamplerWarning)]


def test_pareto_k_of_the_draws_is_reported_and_a_poor_fit_warned():
    """Two rows per level and a group sd of 2: the marginal path runs (the second-order term, no small
    correction there, is left out rather than failing the mode search), log_p__ and log_g__ are in the
    sampler stats as in CmdStan's laplace output, and their Pareto k above 0.7 gives a warning."""
    fit, messages = _laplace_with_warnings(_small_glmm(40, 20, 2.0))
    assert MARGINAL_TIMING in fit.timings
    stats = fit.stan_draws.sampler_stats
    k = pareto_k((stats["log_p__"] - stats["log_g__"]).ravel())
    assert k > 0.7
    assert any(f"Pareto k of the importance ratios p/q at the approximation's draws is {k:.2f}" in m
               for m in messages), messages


def test_good_approximation_has_a_small_pareto_k_and_no_warning():
    fit, messages = _laplace_with_warnings(_small_glmm(3000, 60, 0.7))
    stats = fit.stan_draws.sampler_stats
    assert pareto_k((stats["log_p__"] - stats["log_g__"]).ravel()) < 0.7  # 0.59: 50 rows per level
    assert not [m for m in messages if "Pareto k" in m]
