"""Warm start (issue 7): NUTS's starting metric from the curvature at the posterior mode."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.backends.stanli_backend import StanliBackend
from brmspy.backends.warmstart import (
    INIT_SPREAD,
    WARM_START_MIN_ROWS,
    WarmStart,
    diagonal_curvature,
    dispersed_inits,
    mode_curvature_metric,
    resolve_warm_start,
    warm_start,
)
from brmspy.codegen.api import build_model
from brmspy.core.errors import SamplingError


def _independent_normals(scales: np.ndarray, centre: np.ndarray):
    def log_prob_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = (theta - centre) / scales
        return float(-0.5 * z @ z), -z / scales
    return log_prob_grad


def test_curvature_recovers_scales_that_differ_by_orders_of_magnitude():
    scales = np.array([2e-3, 0.1, 1.0, 30.0])
    centre = np.array([0.3, -1.0, 5.0, 200.0])
    ws = mode_curvature_metric(_independent_normals(scales, centre), centre)
    assert ws is not None and ws.n_fallback == 0
    np.testing.assert_allclose(ws.inv_metric, scales**2, rtol=1e-6)


def test_curvature_of_a_non_quadratic_density_is_its_second_derivative():
    # log p = -cosh(t): second derivative -cosh(t), 1 at the mode t = 0 and cosh(1) at t = 1.
    lpg = lambda t: (float(-np.sum(np.cosh(t))), -np.sinh(t))  # noqa: E731
    np.testing.assert_allclose(diagonal_curvature(lpg, np.array([0.0, 1.0])), [1.0, np.cosh(1.0)], rtol=1e-4)


def test_unusable_curvature_falls_back_to_the_unit_metric_or_to_no_warm_start():
    # A flat direction (curvature 0) keeps the unit metric's 1; the rest are used.
    def flat_last(theta):
        return float(-0.5 * np.sum(theta[:2] ** 2 / 0.01)), np.r_[-theta[:2] / 0.01, 0.0]
    ws = mode_curvature_metric(flat_last, np.zeros(3))
    assert ws.n_fallback == 1
    np.testing.assert_allclose(ws.inv_metric, [0.01, 0.01, 1.0], rtol=1e-6)
    # Curvature negative everywhere (a minimum, not a mode): no warm start.
    assert mode_curvature_metric(lambda t: (float(t @ t), 2 * t), np.zeros(3)) is None
    assert mode_curvature_metric(_independent_normals(np.ones(2), np.zeros(2)), np.array([np.nan, 0.0])) is None

    def failing_search():
        raise RuntimeError("line search failed")
    assert warm_start(_independent_normals(np.ones(2), np.zeros(2)), 2, failing_search) is None


def test_inits_are_overdispersed_around_the_mode():
    ws = WarmStart(inv_metric=np.array([4e-6, 1.0, 25.0]), mode=np.array([0.3, -1.0, 10.0]), n_fallback=0, seconds=0.0)
    starts = dispersed_inits(ws, 4000, seed=5)
    sd = INIT_SPREAD * np.sqrt(ws.inv_metric)
    # Mean within 4 standard errors of the mode, sd within 5% of INIT_SPREAD curvature sds.
    assert np.all(np.abs(starts.mean(axis=0) - ws.mode) < 4 * sd / np.sqrt(4000))
    np.testing.assert_allclose(starts.std(axis=0), sd, rtol=0.05)
    np.testing.assert_array_equal(dispersed_inits(ws, 2, seed=5), dispersed_inits(ws, 2, seed=5))


def test_resolve_warm_start():
    assert resolve_warm_start("auto", WARM_START_MIN_ROWS) is True
    # small models only with standardized effects (their chains keep Stan's inits; issue 24)
    assert resolve_warm_start("auto", WARM_START_MIN_ROWS - 1) is False
    assert resolve_warm_start("auto", WARM_START_MIN_ROWS, ("z_1",)) is False
    assert resolve_warm_start("auto", WARM_START_MIN_ROWS - 1, ("z_1",), rows_per_level=10.0) is False
    assert resolve_warm_start(False, 10**6) is False
    with pytest.raises(ValueError, match="warm_start must be 'auto', True or False"):
        resolve_warm_start("yes", 10)


def test_auto_skips_programs_with_standardized_effects_and_true_warns():
    assert resolve_warm_start("auto", 10**5, ("z_1",)) is False
    assert resolve_warm_start("auto", 10**5, ()) is True
    with pytest.warns(UserWarning, match=r"non-centered parameters \(z_1, zs_1_1\).*warm_start='auto'"):
        assert resolve_warm_start(True, 10**5, ("z_1", "zs_1_1")) is True
    # Centered effects over levels of few rows each: the mode is the funnel's neck.
    assert resolve_warm_start("auto", 10**5, (), rows_per_level=99.0) is False
    assert resolve_warm_start("auto", 10**5, (), rows_per_level=100.0) is True
    with pytest.warns(UserWarning, match="25 rows per level"):
        assert resolve_warm_start(True, 10**5, (), rows_per_level=25.0) is True


def _grouped(n_rows: int, n_levels: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = rng.integers(0, n_levels, n_rows)
    x = rng.normal(size=n_rows)
    return pd.DataFrame({"y": rng.poisson(np.exp(0.5 + 0.3 * x + rng.normal(0, 0.5, n_levels)[g])), "x": x,
                         "g": g.astype(str)})


@pytest.mark.parametrize(
    "formula, centered, expected",
    [
        ("y ~ x + (1 | g)", "auto", ("z_1",)),  # 5 rows per level: non-centered (brms's z)
        ("y ~ x + (1 | g)", True, ()),  # centered: the effects themselves are parameters
        ("y ~ s(x) + (1 | g)", True, ("zs_1_1",)),  # a smooth's standardized coefficients
    ],
)
def test_generated_model_names_its_standardized_effects(formula, centered, expected):
    build = build_model(formula, _grouped(1000, 200), "poisson", centered=centered)
    assert build.generated.standardized == expected
    params = re.search(r"^parameters \{\n(.*?)^\}", build.code, re.S | re.M).group(1)
    for name in expected:
        assert f" {name};" in params


def test_auto_does_not_warm_start_a_non_centered_program():
    # 10,000 rows (enough for "auto") but 10 rows per level: (1 | g) keeps brms's z_1.
    fit = bp.brm("y ~ x + (1 | g)", _grouped(WARM_START_MIN_ROWS, 1000), family="poisson",
                 chains=1, iter=40, seed=2, refresh=0, backend="stanli")
    assert fit.build.generated.standardized == ("z_1",)
    assert "warm_start" not in fit.timings


def test_brm_rejects_a_bad_warm_start_option():
    df = pd.DataFrame({"y": [0.1, 0.5, 0.9, 1.3]})
    with pytest.raises(SamplingError, match="warm_start must be 'auto', True or False"):
        bp.brm("y ~ 1", df, warm_start="sometimes", chains=1, iter=20, refresh=0)


@pytest.fixture(scope="module")
def normal_fits():
    """``y ~ 1`` gaussian with 10,000 rows on stanli: warm-started by default, and without
    (backend="auto" samples data this large with nutpie when it is installed)."""
    rng = np.random.default_rng(7)
    df = pd.DataFrame({"y": rng.normal(3.0, 2.0, WARM_START_MIN_ROWS)})
    kw = dict(chains=2, iter=1000, seed=11, refresh=0, backend="stanli")
    return df, bp.brm("y ~ 1", df, **kw), bp.brm("y ~ 1", df, warm_start=False, **kw)


def test_auto_warm_starts_at_ten_thousand_rows_and_keeps_the_posterior(normal_fits):
    df, warm, cold = normal_fits
    assert "warm_start" in warm.timings and "warm_start" not in cold.timings
    for name in ("b_Intercept", "sigma"):
        a, b = np.ravel(warm.draws_dict[name]), np.ravel(cold.draws_dict[name])
        sd = np.std(b)
        # Same posterior: means agree within Monte Carlo error (4 sd of the difference of two
        # means of >= 200 effective draws each), and the sds agree within 20%.
        assert abs(a.mean() - b.mean()) < 4 * sd * np.sqrt(2 / 200), name
        assert abs(np.std(a) / sd - 1) < 0.2, name


def test_starting_metric_is_the_posterior_variance_on_the_unconstrained_scale(normal_fits):
    df, _, cold = normal_fits
    backend = StanliBackend()
    model = backend.compile(cold.build.code)
    built = backend.build(model, cold.build.data)
    ws = backend._warm_start(built, seed=3)
    assert ws is not None and ws.n_fallback == 0
    # Unconstrained parameters: Intercept, log(sigma).  Their posterior variances are about
    # sigma^2 / N and 1 / (2 N); the fit's draws give them without any asymptotics.
    draws_var = [np.var(cold.draws_dict["b_Intercept"]), np.var(np.log(cold.draws_dict["sigma"]))]
    np.testing.assert_allclose(ws.inv_metric, draws_var, rtol=0.25)
    np.testing.assert_allclose(ws.inv_metric[0], np.var(df["y"]) / len(df), rtol=0.05)
