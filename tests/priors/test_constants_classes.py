"""constant() priors on classes beyond b, Intercept, sd and distributional parameters (issue 21).

Current brms fixes the sds of s() terms (``sds_1 = rep_vector(c, rows(sds_1))``; brms 2.18 wrote that into a
scalar and stanc rejected it), brmspy passes the value as data (``prior_sds_1_const``). brms refuses constant()
on ``simo`` (it evaluates the prior as dirichlet() concentrations) and writes ``L_1 = <value>;`` for ``cor``,
a program Stan rejects: brmspy refuses both with those reasons.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.core.errors import PriorError
from brmspy.priors.draws import flat_parameters
from tests.checks import assert_loglik_matches_stan, assert_recovers

SIM = "tests/reference/brms/data/sim.csv"


def test_constant_sds_code_and_data() -> None:
    sim = pd.read_csv(SIM)
    build = bp.build_model("y ~ x1 + s(x2) + s(x3)", sim, prior=bp.prior("constant(0.5)", class_="sds"))
    code = build.code
    stanli.stan_to_mir(code)
    assert "vector<lower=0>[nb_1] sds_1 = prior_sds_1_const;" in code
    assert "vector<lower=0>[nb_2] sds_2 = prior_sds_2_const;" in code
    assert "lprior += student_t_lpdf(sds_" not in code
    np.testing.assert_array_equal(build.data["prior_sds_1_const"], [0.5])
    build = bp.build_model("y ~ x1 + s(x2) + s(x3)", sim, prior=bp.prior("constant(0.5)", class_="sds", coef="s(x3)"))
    assert "vector<lower=0>[nb_2] sds_2 = prior_sds_2_const;" in build.code
    assert "lprior += student_t_lpdf(sds_1" in build.code  # the other smooth keeps its default prior
    assert "prior_sds_1_const" not in build.data
    assert flat_parameters(build.frame, build.priors) == ["b_x1", "bs_sx2_1", "bs_sx3_1"]  # sds_2 is fixed, not flat
    with pytest.raises(PriorError, match="outside the range"):
        bp.make_stancode("y ~ x1 + s(x2)", sim, prior=bp.prior("constant(-1)", class_="sds"))


@pytest.mark.parametrize("kw, message", [
    (dict(class_="simo", coef="moxmo1"), "only dirichlet\\(\\) priors on the simplexes"),
    (dict(class_="cor"), "a program Stan rejects"),
    (dict(class_="L"), "a program Stan rejects"),
])
def test_brms_refusals(kw: dict, message: str) -> None:
    with pytest.raises(PriorError, match=message):
        bp.prior("constant(0.5)", **kw)


def test_constant_sds_fit() -> None:
    """With sds fixed at the truth's scale, the fit's sds draws are that value, the smooth follows the curve
    and numpy's log_lik equals Stan's density."""
    rng = np.random.default_rng(3)
    n = 100
    x = rng.uniform(-2, 2, n)
    f = np.sin(1.5 * x)
    d = pd.DataFrame({"x": x, "y": f + rng.normal(scale=0.3, size=n)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y ~ s(x, k = 6)", d, prior=bp.prior("constant(2)", class_="sds"), chains=2, iter=500, seed=2,
                     refresh=0)
    np.testing.assert_array_equal(np.unique(fit.draws_dict["sds_sx_1"]), [2.0])
    mu = bp.posterior_epred(fit).mean(axis=0)
    assert np.sqrt(np.mean((mu - (f - f.mean() + d.y.mean())) ** 2)) < 0.2  # noise sd 0.3
    assert_loglik_matches_stan(fit)


THRES_CS, B_CS, BCS_X2, BCS_X3 = np.array([-0.5, 0.2, 0.9]), 0.7, np.array([0.5, 0.5, 0.5]), np.array([-0.6, 0.0, 0.8])


def _cratio_cs_data(n: int = 400, seed: int = 11) -> pd.DataFrame:
    """cratio with category-specific x2, x3: threshold k is passed with probability inv_logit(mu - (thres_k - mucs_k))."""
    rng = np.random.default_rng(seed)
    x1, x2, x3 = rng.normal(size=(3, n))
    mu = B_CS * x1
    y = np.ones(n, dtype=int)
    going = np.ones(n, dtype=bool)
    for k in range(3):
        q = 1 / (1 + np.exp(-(mu - (THRES_CS[k] - BCS_X2[k] * x2 - BCS_X3[k] * x3))))
        passed = going & (rng.uniform(size=n) < q)
        y[passed] += 1
        going = passed
    return pd.DataFrame({"y": y, "x1": x1, "x2": x2, "x3": x3})


def test_constant_bcs_code_and_data() -> None:
    # issue 21 (brms's tests [025, 026]): constant() on class b fixes bcs too, whole rows per coefficient
    data = _cratio_cs_data(60)
    build = bp.build_model("y ~ x1 + cs(x2)", data, family="sratio", prior=bp.prior("constant(3)"))
    stanli.stan_to_mir(build.code)
    assert "matrix[Kcs, nthres] bcs = prior_bcs_const;" in build.code
    np.testing.assert_array_equal(build.data["prior_bcs_const"], np.full((1, 3), 3.0))
    build = bp.build_model("y ~ x1 + cs(x2) + cs(x3)", data, family="sratio",
                           prior=[bp.prior("normal(0, 3)"), bp.prior("constant(0.5)", coef="x2")])
    stanli.stan_to_mir(build.code)
    assert "row_vector[nthres] par_bcs_2;" in build.code and "bcs[Jp_bcs_const] = prior_bcs_const;" in build.code
    np.testing.assert_array_equal(build.data["Jp_bcs_const"], [1])
    assert "b_x2" not in " ".join(flat_parameters(build.frame, build.priors))


def test_constant_bcs_fit() -> None:
    """bcs of x2 fixed at the truth: its draws are that value, b and the free bcs row recover the truth,
    and numpy's log_lik equals Stan's density."""
    data = _cratio_cs_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y ~ x1 + cs(x2) + cs(x3)", data, family="cratio",
                     prior=[bp.prior("normal(0, 2)"), bp.prior("constant(0.5)", coef="x2")],
                     chains=2, iter=500, seed=4, refresh=0)
    d = fit.draws()
    for k in range(3):
        np.testing.assert_array_equal(np.asarray(d[f"bcs_x2[{k + 1}]"]), 0.5)
    assert_recovers(d, {"b_x1": B_CS, **{f"bcs_x3[{k + 1}]": BCS_X3[k] for k in range(3)}})
    assert_loglik_matches_stan(fit)


def test_constant_lscale_code_and_fit() -> None:
    """brms's test [028]: constant() on one sub-GP's length-scale (``lscale_1[1][1]`` data, the other a
    ``par_lscale_1_2_1`` parameter); the fixed draws are the value, the other is estimated, and numpy's
    log_lik equals Stan's density."""
    rng = np.random.default_rng(6)
    n = 24
    x = np.tile(np.linspace(-2, 2, n // 2), 2)  # spread out: a well-conditioned exact GP covariance
    h = np.repeat(["a", "b"], n // 2)
    y = np.where(h == "a", np.sin(2 * x), 0.5 * x) + rng.normal(0, 0.3, n)
    data = pd.DataFrame({"y": y, "x": x, "h": h})
    prior = [bp.prior("constant(0.5)", class_="lscale", coef="gpxha"), bp.prior("normal(0, 0.5)", class_="lscale", coef="gpxhb")]
    build = bp.build_model("y ~ gp(x, by = h)", data, prior=prior)
    stanli.stan_to_mir(build.code)
    assert "lscale_1[1][1] = prior_lscale_1_const[1];" in build.code and "real<lower=0> par_lscale_1_2_1;" in build.code
    assert flat_parameters(build.frame, build.priors) == []
    with pytest.raises(PriorError, match="outside the range"):
        bp.make_stancode("y ~ gp(x)", data, prior=bp.prior("constant(-1)", class_="lscale", coef="gpx"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y ~ gp(x, by = h)", data, prior=prior, chains=2, iter=400, seed=2, refresh=0)
    d = fit.draws()
    np.testing.assert_array_equal(np.asarray(d["lscale_gpxha"]), 0.5)
    assert np.asarray(d["lscale_gpxhb"]).std() > 0
    # the exact GP's kernel matrices have condition numbers near 1e15: Stan's and numpy's Cholesky factors
    # differ by rounding (tolerance from Cholesky's backward error, tests/checks.py)
    assert_loglik_matches_stan(fit, cholesky_rounding=True)
