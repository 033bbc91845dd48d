"""algorithm="laplace" on stanli: brms's (CmdStan's) normal approximation at the joint posterior mode.

Checked against NUTS where the joint mode is near the posterior (a poisson GLMM with 200 rows per
level, whose group effects brmspy samples centered, and a linear regression), and refused with its
reason where it is not (sleepstudy's 10-row levels: the mode slides up the non-centered ridge).
"""

from __future__ import annotations

import numpy as np
import pytest

import brmspy as bp
import brmspy.backends as B
from brmspy.backends import SampleConfig
from brmspy.backends.laplace import finite_diff_hessian, laplace_draws
from brmspy.core.errors import SamplingError
from tests.cases import poisson_glmm_data

pytestmark = [pytest.mark.filterwarnings("ignore:algorithm='laplace'.*:UserWarning"),
              pytest.mark.filterwarnings("ignore:.*Effective Samples Size:UserWarning")]


# -- the linear algebra -------------------------------------------------------------------------

def test_finite_diff_hessian_of_a_non_quadratic_density():
    def log_prob_grad(t):  # log density -exp(t0) - t0*t1^2/2 ... with a known Hessian
        return float(-np.exp(t[0]) - 0.5 * t[0] * t[1] ** 2), np.array([-np.exp(t[0]) - 0.5 * t[1] ** 2, -t[0] * t[1]])

    p = np.array([0.3, -1.2])
    exact = np.array([[-np.exp(0.3), 1.2], [1.2, -0.3]])
    np.testing.assert_allclose(finite_diff_hessian(log_prob_grad, p), exact, rtol=1e-4)


def test_laplace_draws_have_the_inverse_hessian_as_covariance_and_repeat_with_the_seed():
    cov = np.array([[4.0, -1.0, 0.5], [-1.0, 1.0, 0.0], [0.5, 0.0, 0.25]])
    prec, mode = np.linalg.inv(cov), np.array([10.0, -2.0, 0.5])

    def log_prob_grad(t):
        d = t - mode
        return float(-0.5 * d @ prec @ d), -prec @ d

    a = laplace_draws(log_prob_grad, mode, 40000, seed=3)
    b = laplace_draws(log_prob_grad, mode, 40000, seed=3)
    np.testing.assert_array_equal(a.theta, b.theta)
    np.testing.assert_allclose(a.theta.mean(axis=0), mode, atol=0.03)
    np.testing.assert_allclose(np.cov(a.theta.T), cov, atol=0.06)
    # log_g is the normal's log density up to a constant: -z'z/2 with z the standardized draw
    d = a.theta - mode
    np.testing.assert_allclose(a.log_g, -0.5 * np.einsum("ij,jk,ik->i", d, prec, d), rtol=1e-6, atol=1e-8)


def test_not_a_maximum_is_refused():
    def saddle(t):
        return float(-t[0] ** 2 + t[1] ** 2), np.array([-2 * t[0], 2 * t[1]])

    with pytest.raises(SamplingError, match="not negative definite"):
        laplace_draws(saddle, np.zeros(2), 10, seed=1)


# -- on brms models, against NUTS ---------------------------------------------------------------

CASES = {
    "poisson_glmm": ("y ~ x + (1 | g)", poisson_glmm_data, "poisson", ["b_Intercept", "b_x", "sd_g__Intercept"]),
    "linear": ("Reaction ~ Days", lambda: bp.datasets.load("sleepstudy"), "gaussian",
               ["b_Intercept", "b_Days", "sigma"]),
}


@pytest.fixture(scope="module", params=list(CASES))
def laplace_and_nuts(request):
    formula, data, family, names = CASES[request.param]
    df = data()
    lap = bp.brm(formula, df, family=family, algorithm="laplace", seed=4, refresh=0)
    nuts = bp.brm(formula, df, family=family, seed=4, chains=2, iter=1500, warmup=750, refresh=0)
    return lap, nuts, names


@pytest.mark.slow
def test_laplace_means_within_a_fraction_of_a_posterior_sd_of_nuts(laplace_and_nuts):
    lap, nuts, names = laplace_and_nuts
    assert lap.backend == "stanli" and lap.config.algorithm == "laplace"
    assert lap.stan_draws.nchains == 1 and lap.ndraws() == 1000  # brms's one chain of 1000 draws
    for name in names:
        a, b = lap.draws_dict[name], nuts.draws_dict[name]
        assert abs(a.mean() - b.mean()) < 0.3 * b.std(), (name, a.mean(), b.mean(), b.std())
        assert 0.8 < a.std() / b.std() < 1.25, (name, a.std(), b.std())


@pytest.mark.slow
def test_laplace_is_labelled_an_approximation(laplace_and_nuts):
    lap, _, _ = laplace_and_nuts
    text = str(lap.summary())
    # the GLMM gets the marginal approximation (tests/backends/test_marginal_laplace.py), the rest the joint one
    label = "a marginal Laplace approximation" if B.marginal_laplace.MARGINAL_TIMING in lap.stan_draws.timings \
        else "a Laplace approximation at the posterior mode"
    assert f"Algorithm: laplace ({label}" in text and "an approximation of the posterior, not MCMC" in text
    assert "Draws were sampled using laplace (backend: stanli)." in text
    stats = lap.stan_draws.sampler_stats
    assert set(B.SAMPLER_STATS) <= set(stats) and "log_g__" in stats
    assert int(stats["divergent__"].sum()) == 0


def test_multilevel_model_with_few_rows_per_level_is_refused_with_reason():
    df = bp.datasets.load("sleepstudy")
    with pytest.raises(SamplingError, match="not negative definite"):
        bp.brm("Reaction ~ Days + (Days | Subject)", df, algorithm="laplace", seed=1, refresh=0)


# -- the two constraining routes ----------------------------------------------------------------

CODE = """
data { int N; vector[N] y; }
parameters { real mu; real<lower=0> sigma; cholesky_factor_corr[3] L; }
transformed parameters { matrix[3, 3] C = multiply_lower_tri_self_transpose(L); }
model { mu ~ normal(0, 5); sigma ~ exponential(1); L ~ lkj_corr_cholesky(2); y ~ normal(mu, sigma); }
generated quantities { array[2] real s2 = {sigma^2, mu * 2}; }
"""
DATA = {"N": 12, "y": np.linspace(-0.5, 2.5, 12)}


def test_constrained_draws_are_the_transforms_of_the_normal_draws():
    backend = B.get_backend("stanli")
    model = backend.compile(CODE)
    draws = backend.sample(model, DATA, SampleConfig(algorithm="laplace", seed=9, chains=1))
    again = backend.sample(model, DATA, SampleConfig(algorithm="laplace", seed=9, chains=1))
    assert set(draws.params) == {"mu", "sigma", "L", "C", "s2"}
    for name, arr in draws.params.items():  # the seed repeats the run
        np.testing.assert_array_equal(arr, again.params[name])
    p = draws.params
    assert p["C"].shape == (1, 1000, 3, 3) and p["L"].shape == (1, 1000, 3, 3) and p["s2"].shape == (1, 1000, 2)
    # each draw's pieces are consistent: L lower-triangular with unit rows, C = L L', s2 = (sigma^2, 2 mu)
    L = p["L"][0]
    np.testing.assert_allclose(np.triu(L, 1), 0.0, atol=0)
    np.testing.assert_allclose(np.sum(L**2, axis=2), 1.0, rtol=1e-12)
    np.testing.assert_allclose(p["C"][0], L @ np.transpose(L, (0, 2, 1)), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(p["s2"][0, :, 0], p["sigma"][0] ** 2, rtol=1e-12)
    np.testing.assert_allclose(p["s2"][0, :, 1], 2 * p["mu"][0], rtol=1e-12)
    # and they are the normal's draws: unconstraining gives back N(mode, -H^-1) draws, so
    # log(sigma) has the spread of the Laplace normal (mode of log sigma for these data ~ -0.1)
    assert 0.15 < np.log(p["sigma"][0]).std() < 0.35 and np.all(p["sigma"] > 0)
    assert np.isnan(draws.sampler_stats["lp__"]).all() and np.all(draws.sampler_stats["log_g__"] <= 0)


def test_missing_bridgestan_is_named(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_bridgestan(name, *args, **kwargs):
        if name == "bridgestan":
            raise ImportError("no bridgestan")
        return real_import(name, *args, **kwargs)

    backend = B.get_backend("stanli")
    model = backend.compile(CODE)
    monkeypatch.setattr(builtins, "__import__", no_bridgestan)
    with pytest.raises(B.BackendUnavailableError, match="needs the bridgestan package: `pip install bridgestan`"):
        backend.sample(model, DATA, SampleConfig(algorithm="laplace", seed=9, chains=1))


def test_laplace_offered_by_stanli_and_auto():
    assert "laplace" in B.get_backend("stanli").algorithms
    assert B.select_backend(CODE, data=DATA, algorithm="laplace").name == "stanli"
    with pytest.raises(B.BackendUnavailableError, match="backend 'nutpie' does not offer algorithm='laplace'.*"
                                                          "backend='stanli' or backend='cmdstanpy' does"):
        B.select_backend(CODE, "nutpie", algorithm="laplace")


def test_optimizer_failure_from_a_random_start_is_retried():
    # regression: stanli's L-BFGS from seed 3's random start stepped where the density is not finite
    df = bp.datasets.load("sleepstudy")
    fit = bp.brm("Reaction ~ Days", df, algorithm="laplace", seed=3, refresh=0)
    assert 8.0 < fit.draws_dict["b_Days"].mean() < 13.0 and fit.ndraws() == 1000
