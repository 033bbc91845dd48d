"""Generated programs give the same log density and gradient on stanli and PyStan.

The default run compiles one C++ model (the sleepstudy program, ~1-2 min, then
cached by httpstan); ``pytest -m exhaustive`` compiles every golden model.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import brmspy as bp
import brmspy.backends as B
from brmspy.core.errors import SamplingError
from tests.cases import CASE_BY_NAME, CASES, Case


def _compare(case: Case, points: int = 3, seed: int = 0) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build = bp.build_model(case.formula, case.frame(), case.family, case.prior)
    _compare_build(build, case.name, points, seed)


def _compare_build(build, name: str, points: int = 3, seed: int = 0) -> None:
    """Same log density and gradient on stanli and PyStan at random unconstrained points."""
    stanli, pystan = B.get_backend("stanli"), B.get_backend("pystan")
    m_s, m_p = stanli.compile(build.code), pystan.compile(build.code)
    n = stanli.unconstrained_size(m_s, build.data)
    rng = np.random.default_rng(seed)
    compared = 0
    for _ in range(20 * points):
        if compared == points:
            break
        theta = rng.uniform(-1.5, 1.5, n)
        try:
            lp_s, g_s = stanli.log_prob_grad(m_s, build.data, theta)
        except SamplingError:
            # outside the support (e.g. a negative identity-link Poisson mean): PyStan must reject it too
            with pytest.raises(Exception):
                pystan.log_prob_grad(m_p, build.data, theta)
            continue
        compared += 1
        lp_p, g_p = pystan.log_prob_grad(m_p, build.data, theta)
        np.testing.assert_allclose(lp_s, lp_p, rtol=1e-8, err_msg=f"{name}: log density differs")
        np.testing.assert_allclose(g_s, g_p, rtol=1e-6, atol=1e-8, err_msg=f"{name}: gradient differs")
    assert compared == points, f"{name}: too few points inside the support"


@pytest.mark.slow
def test_sleepstudy_program_same_on_stanli_and_pystan():
    _compare(CASE_BY_NAME["sleepstudy"])


@pytest.mark.slow
def test_brm_with_pystan_backend(sleep_fit):
    """The same program sampled by PyStan (compiled above, so no second build) agrees with stanli's fit."""
    df = bp.datasets.load("sleepstudy")
    fit = bp.brm("Reaction ~ Days + (Days | Subject)", df, backend="pystan", seed=7, refresh=0)
    assert fit.backend == "pystan"
    for name in ["b_Intercept", "b_Days", "sigma", "sd_Subject__Days"]:
        a, b = fit.draws_dict[name], sleep_fit.draws_dict[name]
        se = np.sqrt(a.var() / 400 + b.var() / 400)  # ESS >= 400 per fit
        assert abs(a.mean() - b.mean()) < 4 * se, name


@pytest.mark.exhaustive
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_golden_model_same_on_stanli_and_pystan(case: Case):
    _compare(case)


def _family_builds():
    """Programs of the later family modules that tests/cases.py does not hold."""
    from tests.families.test_mixture import mixture_data
    from tests.families.test_ordinal import hurdle_data

    return {
        "hurdle_cumulative_hu": (bp.bf("y ~ x", "hu ~ x"), hurdle_data(60), bp.hurdle_cumulative()),
        "mixture_binomial": ("s | trials(t) ~ x", mixture_data().iloc[:100], bp.mixture("binomial", "binomial")),
    }


@pytest.mark.exhaustive
@pytest.mark.parametrize("name", ["hurdle_cumulative_hu", "mixture_binomial"])
def test_family_models_same_on_stanli_and_pystan(name: str):
    formula, data, family = _family_builds()[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build = bp.build_model(formula, data, family, None)
    _compare_build(build, name)
