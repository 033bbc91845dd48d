"""cox against brms 2.18's own programs (``tools/brms_cox_programs.R``: make_stancode + make_standata on
``tests/reference/brms_programs/cox.csv``), run on stanli at the same parameter values.

Right censoring and a mixture with one cox component (lognormal: mu without a link function): brmspy's
program has brms's log density; in a mixture brms 2.18 leaves out the other components' inverse links
(``mixture(cox, exponential)``), which brmspy applies.  Interval
censoring and left truncation: brms takes the cumulative hazard at the response for every bound, so its
interval-censored rows have log density -inf and its left-truncated rows keep only the log hazard; brmspy
takes it at ``y2`` and the bound (README "Differences from brms"), and the two programs differ by exactly
``sum(mu (cbhaz(y) - cbhaz(lb)))``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from tests.checks import BRMS_PROGRAMS, assert_same_named_log_density, brms_program

DATA = BRMS_PROGRAMS / "cox.csv"


def _ours(formula: str, family):
    build = bp.build_model(formula, pd.read_csv(DATA), family, reduce=False)
    return build, stanli.Model(stan_code=build.code, data=build.data)


def _simplex(rng, k: int) -> np.ndarray:
    s = rng.uniform(0.2, 1, k)
    return s / s.sum()


def _points(rng, K: int, mixture: bool = False, n: int = 3) -> list[dict]:
    if mixture:
        return [{"b_mu1": rng.normal(0, 0.5, 1), "Intercept_mu1": rng.normal(), "b_mu2": rng.normal(0, 0.5, 1),
                 "Intercept_mu2": rng.normal(), "theta": _simplex(rng, 2), "sbhaz": _simplex(rng, K)} for _ in range(n)]
    return [{"b": rng.normal(0, 0.5, 1), "Intercept": rng.normal(), "sbhaz": _simplex(rng, K)} for _ in range(n)]


def _points_mix_positive(rng, K: int, n: int = 3) -> list[dict]:
    """Mixture points whose mu2 linear predictor is positive (brms 2.18 takes it as the exponential's mean)."""
    return [{**p, "Intercept_mu2": 3 + 0.2 * rng.normal(), "b_mu2": rng.normal(0, 0.2, 1)}
            for p in _points(rng, K, mixture=True, n=n)]


@pytest.mark.parametrize("case, formula, family", [
    ("cox_cens", "time | cens(1 - event) ~ x", bp.cox()),
    ("cox_mix_lognormal", "time | cens(1 - event) ~ x", bp.mixture("cox", "lognormal")),
])
def test_log_density_equals_brms_program(case, formula, family) -> None:
    build, ours = _ours(formula, family)
    theirs = brms_program(case)
    assert ours.n_unconstrained == theirs.n_unconstrained
    pts = _points(np.random.default_rng(2), int(build.data["Kbhaz"]), mixture=case.startswith("cox_mix"))
    if case == "cox_mix_lognormal":
        for p in pts:
            p["sigma2"] = 0.8
    assert_same_named_log_density(theirs, ours, pts, label=case)


def test_brms_mixture_with_cox_leaves_out_the_other_components_inverse_links() -> None:
    """brms 2.18's ``mixture(cox, exponential)`` takes ``exponential_lpdf(Y[n] | inv(mu2[n]))`` on the linear
    predictor (no ``mu2 = exp(mu2)``, which it writes without a cox component): its program is brmspy's with an
    identity link on mu2, and differs from the log link's (README "Differences from brms")."""
    theirs = brms_program("cox_mix_exponential")
    same_prior = bp.prior("student_t(3, 0.4, 2.5)", class_="Intercept", dpar="mu2")  # brms's, from the log link
    build = bp.build_model("time | cens(1 - event) ~ x", pd.read_csv(DATA), bp.mixture("cox", bp.exponential(link="identity")),
                           prior=same_prior, reduce=False)
    identity = stanli.Model(stan_code=build.code, data=build.data)
    _, log_link = _ours("time | cens(1 - event) ~ x", bp.mixture("cox", "exponential"))
    pts = _points_mix_positive(np.random.default_rng(5), int(build.data["Kbhaz"]))
    assert_same_named_log_density(theirs, identity, pts, label="brms = identity link")
    v = pts[0]
    assert abs(theirs.log_prob_grad(theirs.unconstrain(v))[0] - log_link.log_prob_grad(log_link.unconstrain(v))[0]) > 1


def test_brms_interval_censoring_has_no_density_and_brmspy_does() -> None:
    build, ours = _ours("time | cens(cens, time2) ~ x", bp.cox())
    theirs = brms_program("cox_interval")
    for v in _points(np.random.default_rng(3), int(build.data["Kbhaz"])):
        try:  # log_diff_exp(a, a) = -inf in every interval-censored row of brms's program
            lp_brms = theirs.log_prob_grad(theirs.unconstrain(v))[0]
        except (RuntimeError, ValueError):
            lp_brms = -np.inf
        assert lp_brms == -np.inf
        assert np.isfinite(ours.log_prob_grad(ours.unconstrain(v))[0])


def test_brms_left_truncation_differs_by_the_cumulative_hazard_between_bound_and_response() -> None:
    build, ours = _ours("time | trunc(lb = entry) ~ x", bp.cox())
    theirs = brms_program("cox_trunc")
    d = build.data
    x = np.asarray(d["X"])[:, 1]
    for v in _points(np.random.default_rng(4), int(d["Kbhaz"])):
        lp_brms = theirs.log_prob_grad(theirs.unconstrain(v))[0]
        lp_ours = ours.log_prob_grad(ours.unconstrain(v))[0]
        mu = np.exp(v["Intercept"] + v["b"][0] * (x - x.mean()))
        gap = np.sum(mu * (np.asarray(d["Zcbhaz"]) @ v["sbhaz"] - np.asarray(d["Zcbhaz_lb"]) @ v["sbhaz"]))
        assert gap > 0
        np.testing.assert_allclose(lp_brms - lp_ours, gap, rtol=1e-9)
