"""Intercept start (issue 24, goal 1): chains start brms's temporary Intercept on the response's scale.

By default (any ``warm_start`` but ``False``) a program whose ``Intercept`` keeps brms's default
``student_t(3, loc, scale)`` prior starts its chains at Stan's uniform(-2, 2) except the Intercept's
coordinate, ``loc + scale / 2.5 * uniform(-2, 2)``: dispersed, but over the response's range. Only the
start moves, so the posterior is Stan's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.backends.warmstart import intercept_coordinate, intercept_inits
from brmspy.codegen.api import build_model
from brmspy.fit.brm import intercept_start_applies
from tests.backends.test_warmstart_small import _fit_spied
from tests.fit.test_fit import LME4

SLEEP = "Reaction ~ Days + (Days | Subject)"


@pytest.fixture(scope="module")
def sleep() -> pd.DataFrame:
    return bp.datasets.load("sleepstudy")


@pytest.fixture(scope="module")
def sleep_default(sleep):
    """sleepstudy with every option at its default but shorter (4 chains x 500 after 500 warmup)."""
    with pytest.MonkeyPatch.context() as mp:
        return _fit_spied(mp, SLEEP, sleep, seed=4, iter=1000)


def test_default_start_puts_the_intercept_on_the_response_scale(sleep_default, sleep):
    fit, kwargs = sleep_default
    assert fit.config.intercept_start is True and "inv_metric" not in kwargs  # the start only
    inits = np.asarray(kwargs["inits"])
    assert inits.shape == (4, 42)  # b, Intercept, log sigma, 2 log sds, 36 z, 1 Cholesky coordinate
    y = sleep["Reaction"].to_numpy()
    loc, scale = fit.build.data["prior_Intercept_loc"], fit.build.data["prior_Intercept_scale"]
    assert abs(loc - np.median(y)) < 0.1 and scale > 40  # brms's default prior: median and MAD of Reaction
    icpt = inits[:, 1]
    assert np.all(np.abs(icpt - loc) <= 2 * scale / 2.5)
    # dispersed over the response's range, far more than the posterior sd of the Intercept (about 7)
    assert np.ptp(icpt) > 20
    # every other coordinate as Stan's start: uniform(-2, 2), different in every chain
    rest = np.delete(inits, 1, axis=1)
    assert np.all(np.abs(rest) < 2) and np.all(np.ptp(rest, axis=0) > 0)
    assert np.ptp(rest) > 3


def test_default_start_recovers_lme4(sleep_default):
    fit, _ = sleep_default
    d = fit.draws_dict
    for name, value in LME4.items():
        mean, sd = d[name].mean(), d[name].std()
        assert abs(mean - value) < sd, f"{name}: posterior {mean:.2f} ± {sd:.2f} vs lme4 {value}"
    s = fit.summary()
    for table in (s.population, s.group["Subject"]):
        assert (table["Rhat"] < 1.02).all()
    assert int(fit.stan_draws.sampler_stats["divergent__"].sum()) < 5


def test_warm_start_false_starts_as_brms(sleep):
    with pytest.MonkeyPatch.context() as mp:
        fit, kwargs = _fit_spied(mp, SLEEP, sleep, chains=1, iter=200, seed=3, warm_start=False)
    assert fit.config.intercept_start is False
    assert "inits" not in kwargs and "inv_metric" not in kwargs


def test_user_intercept_prior_and_user_inits_keep_their_start(sleep):
    with pytest.MonkeyPatch.context() as mp:
        # a user's prior scale can be far wider than the response's: Stan's start
        fit, kwargs = _fit_spied(mp, "Reaction ~ Days", sleep, chains=1, iter=200, seed=3,
                                 prior=bp.prior("normal(0, 1000)", class_="Intercept"))
        assert fit.config.intercept_start is False and "inits" not in kwargs
        fit, kwargs = _fit_spied(mp, "Reaction ~ Days", sleep, chains=1, iter=200, seed=3, init=0)
        assert kwargs.get("init_radius") == 0 and "inits" not in kwargs
        fit, kwargs = _fit_spied(mp, "Reaction ~ Days", sleep, chains=2, iter=200, seed=3)
        assert np.asarray(kwargs["inits"]).shape == (2, 3)


def test_negbinomial_on_poisson_counts_stays_bounded():
    """The warm start's escape case (shape to 1e200 from a curvature metric): the Intercept start
    changes no metric, and its chains stay where cold chains go (shape's tail reaches 1e10 either way)."""
    rng = np.random.default_rng(11)
    g = np.repeat(np.arange(20), 20)
    x = rng.normal(size=400)
    df = pd.DataFrame({"y": rng.poisson(np.exp(1.5 + 0.5 * x + rng.normal(0, 0.5, 20)[g])), "x": x, "g": g})
    for seed in (2, 6):
        with pytest.MonkeyPatch.context() as mp:
            fit, kwargs = _fit_spied(mp, "y ~ x + (1 | g)", df, family="negbinomial", chains=2, iter=500,
                                     seed=seed, cores=2)
        inits = np.asarray(kwargs["inits"])
        assert abs(fit.build.data["prior_Intercept_loc"] - np.log(np.median(df["y"]))) < 0.1
        assert np.all(np.abs(inits[:, 1] - fit.build.data["prior_Intercept_loc"]) <= 2 * fit.build.data["prior_Intercept_scale"] / 2.5)
        assert float(np.max(fit.draws_dict["shape"])) < 1e50
        b = fit.draws_dict["b_x"]
        assert abs(b.mean() - 0.5) < 4 * b.std() + 0.05


def test_which_models_get_the_intercept_start(sleep):
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"y": np.minimum(rng.poisson(4.0, 200), 12), "x": rng.normal(size=200)})
    assert intercept_start_applies(build_model(SLEEP, sleep))
    assert intercept_start_applies(build_model("y ~ x", df, family="poisson"))
    # a truncated response (its second mode at huge rates), a user's Intercept prior, no Intercept
    assert not intercept_start_applies(build_model("y | trunc(ub = 12) ~ x", df, family="poisson"))
    assert not intercept_start_applies(build_model("y ~ x", df, family="poisson",
                                                   prior=bp.prior("normal(0, 5)", class_="Intercept")))
    assert not intercept_start_applies(build_model("y ~ 0 + x", df, family="poisson"))
    assert not intercept_start_applies(build_model(bp.bf("y ~ x") + bp.bf("x ~ 1") + bp.set_rescor(False), df))


PROGRAM = "parameters {\n  vector[Kc] b;\n  real Intercept;\n  real<lower=0> sigma;\n}\nmodel {\n}"


def test_intercept_coordinate_needs_a_plain_intercept_after_same_size_parameters():
    names = ["b[1]", "b[2]", "Intercept", "sigma"]
    assert intercept_coordinate(PROGRAM, names) == 2
    # a Cholesky factor before it unconstrains to fewer values than its columns: unknown coordinate
    chol = PROGRAM.replace("vector[Kc] b;", "cholesky_factor_corr[2] L;")
    assert intercept_coordinate(chol, ["L[1,1]", "L[2,1]", "L[1,2]", "L[2,2]", "Intercept", "sigma"]) is None
    # a bounded Intercept, or none (mixtures: Intercept_mu1; non-linear models): Stan's start
    assert intercept_coordinate(PROGRAM.replace("real Intercept", "real<lower=0> Intercept"), names) is None
    assert intercept_coordinate(PROGRAM.replace("Intercept", "Intercept_mu1"),
                                ["b[1]", "b[2]", "Intercept_mu1", "sigma"]) is None


def test_intercept_inits_redraw_until_finite_and_give_up():
    data = {"prior_Intercept_loc": 5.0, "prior_Intercept_scale": 3.0}
    names = ["b[1]", "b[2]", "Intercept", "sigma"]
    # finite only where sigma's coordinate is positive: every start has it so
    positive = lambda x: (0.0 if x[3] > 0 else -np.inf, np.zeros(4))  # noqa: E731
    x = intercept_inits(PROGRAM, names, 4, data, chains=6, seed=2, log_prob_grad=positive)
    assert x.shape == (6, 4) and np.all(x[:, 3] > 0)
    assert np.all(np.abs(x[:, 2] - 5.0) <= 2.4) and np.ptp(x[:, 2]) > 1.0
    never = lambda x: (-np.inf, np.zeros(4))  # noqa: E731
    assert intercept_inits(PROGRAM, names, 4, data, chains=2, seed=2, log_prob_grad=never) is None
    assert intercept_inits(PROGRAM, names, 4, {"prior_Intercept_loc": 5.0, "prior_Intercept_scale": 0.0}, 2, 1) is None
    assert intercept_inits(PROGRAM, names, 4, {}, 2, 1) is None
    # the same seed, the same starts (the fit can be repeated)
    np.testing.assert_array_equal(intercept_inits(PROGRAM, names, 4, data, 3, 7), intercept_inits(PROGRAM, names, 4, data, 3, 7))
