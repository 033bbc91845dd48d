"""constant() priors and bounds (lb/ub) on Intercept, sd and distributional parameters (issue 21, "Priors").

A constant() prior turns the parameter into data (brms: a transformed parameter set to the value);
bounds cut the parameter's range and truncate its prior as brms does (``- log_diff_exp(lcdf(ub),
lcdf(lb))``). The fits check the values, the log-likelihood against Stan's density, recovery of the
free parameters and, sampling the prior alone, that the truncated priors are the right distributions.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli
from scipy import integrate, stats

import brmspy as bp
from brmspy.core.errors import PriorError
from tests.checks import assert_loglik_matches_stan

TRUTH = {"Intercept": 1.0, "x1": 1.0, "x2": -0.5, "sd": 0.3, "sigma": 1.2}


def _data(n: int = 120, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n), "g": np.repeat(list("abcdef"), n // 6)})
    r = rng.normal(scale=TRUTH["sd"], size=6)[np.repeat(np.arange(6), n // 6)]
    d["y"] = TRUTH["Intercept"] + TRUTH["x1"] * d.x1 + TRUTH["x2"] * d.x2 + r + rng.normal(scale=TRUTH["sigma"], size=n)
    return d


CONST = (bp.prior("normal(0, 5)") + bp.prior("constant(1)", coef="x1") + bp.prior("constant(0.3)", class_="sd")
         + bp.prior("constant(1.2)", class_="sigma"))


@pytest.fixture(scope="module")
def const_fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Rhat of constant draws is undefined (NaN), as brms's NA
        return bp.brm("y ~ x1 + x2 + (1 | g)", _data(), prior=CONST, chains=2, iter=800, seed=1, refresh=0)


# ----------------------------------------------------------------------------- constant()


def test_constant_code_and_data() -> None:
    d = _data()
    build = bp.build_model("y ~ x1 + x2 + (1 | g)", d, prior=CONST + bp.prior("constant(2)", class_="Intercept"))
    code, data = build.code, build.data
    stanli.stan_to_mir(code)
    assert "real par_b_2;" in code and "b[Jp_b_const] = prior_b_const;" in code and "b[2] = par_b_2;" in code
    assert "real Intercept = prior_Intercept_const;" in code
    assert "vector<lower=0>[M_1] sd_1 = prior_sd_1_const;" in code
    assert "real<lower=0> sigma = prior_sigma_const;" in code
    assert data["prior_b_const"].tolist() == [1.0] and data["Jp_b_const"].tolist() == [1]
    assert data["prior_sd_1_const"].tolist() == [0.3] and data["prior_sigma_const"] == 1.2
    assert data["prior_Intercept_const"] == 2.0
    # the prior of the estimated coefficient is kept, the constant one has none
    assert "normal_lpdf(b[Jp_b_normal]" in code and data["Jp_b_normal"].tolist() == [2]
    # another value of the constant: the same program, new data
    other = bp.build_model("y ~ x1 + x2 + (1 | g)", d, prior=bp.prior("normal(0, 5)") + bp.prior("constant(3)", coef="x1")
                           + bp.prior("constant(0.3)", class_="sd") + bp.prior("constant(1.2)", class_="sigma")
                           + bp.prior("constant(2)", class_="Intercept"))
    assert other.code == code and other.data["prior_b_const"].tolist() == [3.0]


def test_constant_vector_and_checks() -> None:
    d = _data(30)
    data = bp.make_standata("y ~ x1 + x2", d, prior=bp.prior("constant(c(1, 2), broadcast = FALSE)"))
    assert data["prior_b_const"].tolist() == [1.0, 2.0] and data["Kp_b_const"] == 2
    assert "vector[Kc] b = prior_b_const;" in bp.make_stancode("y ~ x1 + x2", d, prior=bp.prior("constant(c(1, 2))"))
    with pytest.raises(PriorError, match="gives 3 values"):
        bp.make_stancode("y ~ x1 + x2", d, prior=bp.prior("constant(c(1, 2, 3))"))
    with pytest.raises(PriorError, match="outside the range of sigma"):
        bp.make_stancode("y ~ x1", d, prior=bp.prior("constant(-1)", class_="sigma"))
    with pytest.raises(PriorError, match="on class 'cor' as the Cholesky factor itself"):  # brms's program fails stanc
        bp.prior("constant(0.5)", class_="cor")
    with pytest.raises(PriorError, match="not class 'sdgp'"):
        bp.prior("constant(0.5)", class_="sdgp")
    with pytest.raises(PriorError, match="must be a number"):
        bp.prior("constant(x)")


def test_constant_fit(const_fit) -> None:
    draws = const_fit.draws_dict
    assert np.all(draws["b_x1"] == 1.0) and np.all(draws["sigma"] == 1.2) and np.all(draws["sd_g__Intercept"] == 0.3)
    for name, truth in (("b_Intercept", TRUTH["Intercept"]), ("b_x2", TRUTH["x2"])):
        x = draws[name]
        assert abs(x.mean() - truth) < 4 * x.std(), (name, x.mean(), x.std())
    assert_loglik_matches_stan(const_fit)
    assert bp.posterior_predict(const_fit, ndraws=5, seed=1).shape == (5, 120)
    table = const_fit.prior_summary()
    row = table[(table["class"] == "b") & (table["coef"] == "x2")].iloc[0]
    assert row["prior"] == "normal(0, 5)" and row["source"] == "(vectorized)"  # not x1's constant


# ----------------------------------------------------------------------------- bounds


def test_bounds_code() -> None:
    d = _data(30)
    code = bp.make_stancode("y ~ x1 + (1 | g)", d, prior=bp.prior("normal(0, 2)", class_="sd", group="g", lb=0.1, ub=5)
                            + bp.prior("normal(0, 1)", class_="Intercept", lb=0) + bp.prior("normal(0, 2)", class_="sigma", ub=10))
    stanli.stan_to_mir(code)
    assert "vector<lower=0.1,upper=5>[M_1] sd_1;" in code and "real<lower=0> Intercept;" in code
    assert "real<lower=0,upper=10> sigma;" in code
    assert "log_diff_exp(normal_lcdf(5 | prior_sd_1_loc[i], prior_sd_1_scale[i]), normal_lcdf(0.1 |" in code
    assert "- normal_lccdf(0 | prior_Intercept_loc, prior_Intercept_scale);" in code
    with pytest.raises(PriorError, match="coef= may not be given"):
        bp.prior("normal(0, 1)", class_="sd", coef="Intercept", lb=1)


def test_truncated_priors_by_sampling_the_prior() -> None:
    """sample_prior='only': the draws of sd, Intercept and sigma follow the truncated priors (KS test at
    the 0.001 level on thinned draws, and the means within 4 Monte Carlo standard errors)."""
    d = _data(60)
    prior = (bp.prior("normal(0, 2)", class_="sd", ub=1) + bp.prior("normal(1, 1)", class_="Intercept", lb=0, ub=1.5)
             + bp.prior("student_t(3, 0, 2)", class_="sigma", ub=3) + bp.prior("normal(0, 1)"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y ~ x1 + (1 | g)", d, prior=prior, sample_prior="only", chains=2, iter=2000, seed=5, refresh=0)
    truncated = {
        "sd_g__Intercept": (stats.norm(0, 2), 0, 1),
        "Intercept": (stats.norm(1, 1), 0, 1.5),
        "sigma": (stats.t(3, 0, 2), 0, 3),
    }
    for name, (dist, lo, hi) in truncated.items():
        x = fit.draws_dict[name].ravel()
        mass = dist.cdf(hi) - dist.cdf(lo)
        mean = integrate.quad(lambda v: v * dist.pdf(v), lo, hi)[0] / mass
        assert lo <= x.min() and x.max() <= hi, name
        assert abs(x.mean() - mean) < 4 * x.std() / np.sqrt(len(x) / 4), (name, x.mean(), mean)
        assert stats.kstest(x[::4], lambda v: (dist.cdf(v) - dist.cdf(lo)) / mass).pvalue > 0.001, name


def test_constant_cholesky_factor_on_cor_as_brms():
    """brms testsuite [027]: constant([[1, 0], [0, 1]]) on class cor is written into L (per by level), and
    constant(3) on the sds of a gr(by = ) term fixes the whole sd matrix (brms: rep_matrix(3, ...))."""
    import stanli

    d = _data(30).assign(g=lambda x: np.arange(len(x)) // 5, h=lambda x: np.where(np.arange(len(x)) < 15, "a", "b"))
    prior = bp.prior("constant(3)", "sd", group="g") + bp.prior("constant([[1, 0], [0, 1]])", "cor")
    code = bp.make_stancode("y ~ x1 + (x1 | gr(g, by = h))", d, prior=prior)
    stanli.stan_to_mir(code)
    assert "L_1[i] = prior_L_1_const;" in code and "matrix[M_1, Nby_1] sd_1 = prior_sd_1_const;" in code
    assert "lkj_corr_cholesky_lpdf" not in code and "lprior += student_t_lpdf(to_vector(sd_1)" not in code
    sd = bp.make_standata("y ~ x1 + (x1 | gr(g, by = h))", d, prior=prior)
    np.testing.assert_array_equal(sd["prior_L_1_const"], np.eye(2))
    np.testing.assert_array_equal(sd["prior_sd_1_const"], np.full((2, 2), 3.0))
    # another Cholesky factor fixes that correlation (0.6 here), as brms's program does
    fit = bp.brm("y ~ x1 + (x1 | g)", d, prior=bp.prior("constant([[1, 0], [0.6, 0.8]])", "cor"), chains=1,
                 iter=200, refresh=0, seed=1)
    assert np.allclose(fit.draws_dict["cor_g__Intercept__x1"], 0.6)
    # a correlation matrix is not a Cholesky factor: brms's program fails at sampling, brmspy says why
    with pytest.raises(PriorError, match="must be lower triangular"):
        bp.make_stancode("y ~ x1 + (x1 | g)", d, prior=bp.prior("constant([[1, 0.5], [0.5, 1]])", "cor"))
    with pytest.raises(PriorError, match="needs 2 x 2"):
        bp.make_stancode("y ~ x1 + (x1 | g)", d, prior=bp.prior("constant([[1]])", "cor"))
    with pytest.raises(PriorError, match="fixes a correlation matrix's Cholesky factor"):
        bp.make_stancode("y ~ x1", d, prior=bp.prior("constant([[1]])", "b"))
    with pytest.raises(PriorError, match="only on all of them at once"):
        bp.make_stancode("y ~ x1 + (x1 | gr(g, by = h))", d, prior=bp.prior("constant(3)", "sd", group="g", coef="x1"))
