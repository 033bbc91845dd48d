"""Warm start of small and hierarchical models (issue 24, goal 1): the default for sleepstudy.

Programs with brms's standardized effects have their joint mode on the ``sd * z`` ridge: the
curvature there keeps the other parameters' scales, the standardized coordinates get the unit
metric, their sds at least ``1 / (2 J)``, and the chains start at Stan's inits.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.backends import stanli_backend
from brmspy.backends.warmstart import (
    WarmStart,
    coordinates,
    on_ridge,
    parameter_names,
    parameter_values,
    WARM_START_MAX_ROWS_PER_LEVEL,
    resolve_warm_start,
    scale_parameter,
    standard_normal_parameters,
)
from brmspy.codegen.api import build_model
from tests.fit.test_fit import LME4

SLEEP = "Reaction ~ Days + (Days | Subject)"


class _Spy:
    """A built stanli model that records ``sample``'s arguments and can fail on purpose."""

    def __init__(self, built: Any, fail: str | None, calls: list[dict]):
        self._built, self._fail, self.calls = built, fail, calls

    def __getattr__(self, name: str) -> Any:
        return getattr(self._built, name)

    def sample(self, **kwargs: Any) -> Any:
        self.calls.append(kwargs)
        return self._built.sample(**kwargs)

    def optimize(self, **kwargs: Any) -> Any:
        if self._fail == "optimize":
            raise RuntimeError("optimize failed: Line search failed to achieve a sufficient decrease")
        return self._built.optimize(**kwargs)

    def unconstrain(self, values: Any) -> Any:
        if self._fail == "unconstrain":
            raise ValueError("forced failure")
        return self._built.unconstrain(values)


def _fit_spied(mp: pytest.MonkeyPatch, formula: str, data: pd.DataFrame, fail: str | None = None, **kw: Any):
    calls: list[dict] = []
    build = stanli_backend.StanliBackend.build

    def spied_build(self, *args: Any, **kwargs: Any) -> _Spy:
        return _Spy(build(self, *args, **kwargs), fail, calls)

    mp.setattr(stanli_backend.StanliBackend, "build", spied_build)
    fit = bp.brm(formula, data, backend="stanli", refresh=0, **kw)
    return fit, calls[-1]


@pytest.fixture(scope="module")
def sleep() -> pd.DataFrame:
    return bp.datasets.load("sleepstudy")


@pytest.fixture(scope="module")
def sleep_warm(sleep):
    """The issue's first fit (4 chains x 1000 after 1000 warmup) with warm_start=True."""
    with pytest.MonkeyPatch.context() as mp:
        return _fit_spied(mp, SLEEP, sleep, seed=5, warm_start=True)


def test_small_hierarchical_model_is_warm_started_when_asked(sleep_warm):
    fit, kwargs = sleep_warm
    assert "warm_start" in fit.timings
    inv = np.asarray(kwargs["inv_metric"])
    # 42 coordinates: b, Intercept, log sigma, 2 log sds, 36 z, 1 Cholesky factor
    assert inv.shape == (42,)
    assert np.sum(inv == 1.0) == 36  # the z coordinates: unit metric
    np.testing.assert_allclose(inv[3:5], 1 / 36)  # log sds: the 1 / (2 J) floor, J = 18 levels
    # the curvature at the mode still separates the Intercept's scale from log(sigma)'s
    assert inv[1] > 100 * inv[2]
    # the chains start where Stan's (and brms's) would, uniform(-2, 2), except the temporary Intercept,
    # which starts on the response's scale (test_intercept_start.py): not at the ridge's mode
    inits = np.asarray(kwargs["inits"])
    assert "init_radius" not in kwargs and inits.shape == (4, 42)
    assert np.all(np.abs(np.delete(inits, 1, axis=1)) < 2)
    assert np.all(np.abs(inits[:, 1] - fit.build.data["prior_Intercept_loc"]) <= 2 * fit.build.data["prior_Intercept_scale"] / 2.5)


def test_warm_started_sleepstudy_matches_lme4(sleep_warm):
    fit, _ = sleep_warm
    d = fit.draws_dict
    for name, value in LME4.items():
        mean, sd = d[name].mean(), d[name].std()
        assert abs(mean - value) < sd, f"{name}: posterior {mean:.2f} ± {sd:.2f} vs lme4 {value}"
    s = fit.summary()
    for table in (s.population, s.group["Subject"]):
        assert (table["Rhat"] < 1.01).all()
        assert (table["Bulk_ESS"] > 400).all()
    assert int(fit.stan_draws.sampler_stats["divergent__"].sum()) == 0


@pytest.mark.parametrize("fail", ["optimize", "unconstrain"])
def test_warm_start_falls_back_to_stans_start_when_it_fails(sleep, fail):
    with pytest.MonkeyPatch.context() as mp:
        fit, kwargs = _fit_spied(mp, SLEEP, sleep, fail=fail, chains=2, iter=400, seed=3, warm_start=True)
    # no metric; the start is the Intercept start's (Stan's uniform(-2, 2) elsewhere), not a mode's
    assert "inv_metric" not in kwargs and np.all(np.abs(np.delete(np.asarray(kwargs["inits"]), 1, axis=1)) < 2)
    assert "warm_start" not in fit.timings
    assert np.isfinite(fit.draws_dict["b_Days"]).all()


def test_warm_start_false_keeps_stans_unit_metric(sleep):
    with pytest.MonkeyPatch.context() as mp:
        fit, kwargs = _fit_spied(mp, SLEEP, sleep, chains=1, iter=200, seed=3, warm_start=False)
    assert "inv_metric" not in kwargs and "warm_start" not in fit.timings


def test_small_model_without_group_effects_starts_dispersed_around_the_mode():
    rng = np.random.default_rng(4)
    x = rng.normal(size=120)
    df = pd.DataFrame({"y": 300 + 20 * x + rng.normal(0, 5, 120), "x": x})
    with pytest.MonkeyPatch.context() as mp:
        # asked for: "auto" leaves small models without standardized effects at Stan's start
        fit, kwargs = _fit_spied(mp, "y ~ x", df, chains=3, iter=600, seed=2, warm_start=True)
    inits = np.asarray(kwargs["inits"])
    assert inits.shape == (3, 3)
    # dispersed: every coordinate differs between chains by about the curvature's sd
    spread = inits.std(axis=0) / np.sqrt(np.asarray(kwargs["inv_metric"]))
    assert (spread > 0.3).all() and (spread < 6).all()
    d = fit.draws_dict
    assert abs(d["b_x"].mean() - np.polyfit(x, df["y"], 1)[0]) < 3 * d["b_x"].std()


def test_resolve_warm_start_for_small_models():
    # "auto" leaves small models at Stan's start (a negbinomial GLMM's chains escaped, warmstart.py)
    assert resolve_warm_start("auto", 180, ("z_1",), rows_per_level=10.0) is False
    # no standardized effects: chains would start near one mode (mixtures, non-linear models)
    assert resolve_warm_start("auto", 400) is False
    assert resolve_warm_start("auto", 10_000, ("z_1",), rows_per_level=10.0) is False
    # levels of many rows: z's posterior variance is far below the unit metric's 1 (2000-row poisson GLMM)
    assert resolve_warm_start("auto", 2000, ("z_1",), rows_per_level=40.0) is False
    assert resolve_warm_start("auto", 400, ("z_1",), rows_per_level=WARM_START_MAX_ROWS_PER_LEVEL) is False
    # True pays only with few rows per level: above WARM_START_MAX_ROWS_PER_LEVEL it warns
    assert resolve_warm_start(True, 400, ("z_1",), rows_per_level=WARM_START_MAX_ROWS_PER_LEVEL) is True
    with pytest.warns(UserWarning, match=r"non-centered parameters \(z_1\) over 40 rows per level \(over 25\)"):
        assert resolve_warm_start(True, 2000, ("z_1",), rows_per_level=40.0) is True
    assert resolve_warm_start("auto", 400, ("zs_1_1",)) is False  # a smooth alone: no gain measured
    # centered effects over few rows per level: the funnel's neck, left alone at any size
    assert resolve_warm_start("auto", 400, (), rows_per_level=20.0) is False


@pytest.mark.parametrize("formula, expected", [
    (SLEEP, ("z_1",)),
    ("Reaction ~ s(Days)", ("zs_1_1",)),
    ("Reaction ~ Days", ()),
])
def test_standard_normal_parameters_are_the_generated_models_standardized_effects(sleep, formula, expected):
    build = build_model(formula, sleep)
    assert standard_normal_parameters(build.code) == build.generated.standardized == expected
    params = parameter_names(build.code)
    assert params[0] in ("b", "Intercept") and all(name in params for name in expected)
    for name in expected:
        assert scale_parameter(name, params) in params  # sd_1, sds_1


def test_coordinates_of_a_real_program(sleep):
    backend = stanli_backend.StanliBackend()
    build = build_model(SLEEP, sleep)
    built = backend.build(backend.compile(build.code), build.data)
    mode = built.optimize(seed=1)
    values = parameter_values(mode, parameter_names(build.code))
    z = coordinates(built.unconstrain, values, "z_1")
    sd = coordinates(built.unconstrain, values, "sd_1", positive=True)
    # b, Intercept, sigma, sd_1[1:2], z_1 (2 x 18), L_1
    assert z.tolist() == [False] * 5 + [True] * 36 + [False]
    assert sd.tolist() == [False] * 3 + [True] * 2 + [False] * 37
    np.testing.assert_allclose(built.unconstrain(values), mode.unconstrained, atol=1e-8)


def test_on_ridge_floors_the_sds_and_unit_metric_for_the_effects():
    ws = WarmStart(np.array([90.0, 1e-5, 0.5, 1e-4, 1e-4]), np.zeros(5), 0, 0.0)
    z, sd = np.array([0, 0, 0, 1, 1], bool), np.array([0, 1, 0, 0, 0], bool)
    out = on_ridge(ws, [(z, sd)])
    assert out.inv_metric.tolist() == [90.0, 0.25, 0.5, 1.0, 1.0]
    assert out.n_unit == 2 and not out.start_at_mode
    # an sd whose curvature is already wider than the floor keeps it
    ws2 = WarmStart(np.array([90.0, 3.0, 0.5, 1e-4, 1e-4]), np.zeros(5), 0, 0.0)
    assert on_ridge(ws2, [(z, sd)]).inv_metric[1] == 3.0
    assert on_ridge(ws2, [(z, None)]).inv_metric.tolist() == [90.0, 3.0, 0.5, 1.0, 1.0]


def test_dispersed_inits_stay_where_the_density_is_finite(sleep):
    # A Cholesky factor's coordinate with a huge curvature variance: its noise reaches tanh's
    # saturation, where lkj_corr_cholesky has no density and Stan would refuse the chain.
    from brmspy.backends.warmstart import dispersed_inits

    backend = stanli_backend.StanliBackend()
    build = build_model(SLEEP, sleep)
    built = backend.build(backend.compile(build.code), build.data)
    mode = np.asarray(built.optimize(seed=1).unconstrained)
    inv = np.full(mode.size, 1e-4)
    inv[-1] = 400.0  # L_1's coordinate: noise of sd 40, tanh saturates beyond about 19
    ws = WarmStart(inv, mode, 0, 0.0)

    def finite(theta: np.ndarray) -> bool:
        try:
            return bool(np.isfinite(built.log_prob_grad(theta)[0]))
        except (RuntimeError, ValueError):
            return False

    raw = dispersed_inits(ws, 8, seed=2)
    assert not all(finite(row) for row in raw)  # without the check some starts are unusable
    guarded = dispersed_inits(ws, 8, seed=2, log_prob_grad=lambda t: built.log_prob_grad(t))
    assert all(finite(row) for row in guarded)
    assert len({round(row[-1], 6) for row in guarded}) > 1  # still dispersed, not all at the mode


def test_a_failed_mode_search_is_retried_from_a_narrower_start(sleep):
    # sleepstudy's L-BFGS from stanli's seed-3 start fails (non-finite density on the line search);
    # the retry from uniform(-0.5, 0.5) finds the mode, so the fit is still warm-started.
    backend = stanli_backend.StanliBackend()
    build = build_model(SLEEP, sleep)
    built = backend.build(backend.compile(build.code), build.data)
    with pytest.raises(RuntimeError, match="optimize failed"):
        built.optimize(seed=3)
    ws = backend._warm_start(built, 3, build.code)
    assert ws is not None and ws.n_unit == 36
