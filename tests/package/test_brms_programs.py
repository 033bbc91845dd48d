"""brmspy's programs against brms 2.18's own programs (issue 21).

brms's ``make_stancode`` + ``make_standata`` outputs (``tools/brms_program_reference.R``, committed
under ``tests/reference/brms_programs/``) run on stanli; brmspy's program for the same formula and
data must give the same log density at the same parameter values, so a prior or a posterior means
the same thing in both. (Category-specific ordinal effects: ``tests/families/test_ordinal.py``.)
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
import stanli

import brmspy as bp
from tests.checks import BRMS_PROGRAMS, assert_loglik_matches_stan, assert_same_named_log_density, brms_program
from tests.package.test_brms_reference import load_data


def _ours(formula: str, data):
    build = bp.build_model(formula, data, reduce=False)
    return build, stanli.Model(stan_code=build.code, data=build.data)


def _gp_points(build, rng, n: int = 3) -> list[dict]:
    """Random constrained values of a GP model's parameters (brms's names)."""
    d = build.data
    K = int(d["Kgp_1"])
    points = []
    for _ in range(n):
        v = {"Intercept": rng.normal(), "sigma": rng.uniform(0.3, 2), "sdgp_1": rng.uniform(0.2, 2, K),
             "lscale_1": rng.uniform(0.05, 1, (K, 1))}
        if K == 1:
            size = int(d["NBgp_1"]) if "NBgp_1" in d else int(d["Nsubgp_1"])
            v["zgp_1"] = rng.normal(size=size)
        else:
            for j in range(1, K + 1):
                v[f"zgp_1_{j}"] = rng.normal(size=int(np.atleast_1d(d["Nsubgp_1"])[j - 1]))
        points.append(v)
    return points


@pytest.mark.parametrize("case, formula", [("sim_gp", "y ~ gp(x1)"), ("sim_gp_approx", "y ~ gp(x1, k = 10, c = 5/4)"),
                                           ("sim_gp_by", "y ~ gp(x1, by = f2)")])
def test_gp_log_density_equals_brms_program(case, formula):
    build, ours = _ours(formula, load_data("sim"))
    theirs = brms_program(case)
    assert ours.n_unconstrained == theirs.n_unconstrained
    assert_same_named_log_density(theirs, ours, _gp_points(build, np.random.default_rng(3)), label=case)


SLEEP_POSTERIOR = BRMS_PROGRAMS / "sleepstudy_s_days_posterior.json"


def _smooth_points(build, rng, n: int = 3) -> list[dict]:
    d = build.data
    return [{"Intercept": 300 + 20 * rng.normal(), "sigma": rng.uniform(20, 60), "bs": 100 * rng.normal(size=int(d["Ks"])),
             "zs_1_1": rng.normal(size=int(np.atleast_1d(d["knots_1"])[0])), "sds_1": rng.uniform(1, 50, 1)}
            for _ in range(n)]


def test_smooth_log_density_equals_brms_program():
    """sleepstudy ``Reaction ~ s(Days, k = 5)``: brms's Xs/Zs (mgcv's basis) and brmspy's give the same model."""
    build, ours = _ours("Reaction ~ s(Days, k = 5)", bp.datasets.load("sleepstudy"))
    theirs = brms_program("sleepstudy_s_days")
    for v in _smooth_points(build, np.random.default_rng(4)):
        brms_v = {**{k: x for k, x in v.items() if k != "sds_1"}, "sds_1_1": float(v["sds_1"][0])}  # brms 2.18's name
        lp_brms = theirs.log_prob_grad(theirs.unconstrain(brms_v))[0]
        lp_ours = ours.log_prob_grad(ours.unconstrain(v))[0]
        np.testing.assert_allclose(lp_ours, lp_brms, rtol=1e-10)


def test_smooth_posterior_agrees_with_brms_on_sleepstudy():
    """brms's posterior of ``Reaction ~ s(Days, k = 5)`` (rstan, 4 x 2000; bs_sDays_1 about 188) is brmspy's:
    the unpenalised column is mgcv's, so ``bs_sDays_1`` means the same (issue 21: it was 10.2)."""
    ref = json.loads(SLEEP_POSTERIOR.read_text(encoding="utf-8"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("Reaction ~ s(Days, k = 5)", bp.datasets.load("sleepstudy"), seed=7, refresh=0,
                     iter=2000, chains=2, control={"adapt_delta": 0.95})
    d = fit.draws_dict
    for name, r in ref.items():
        x = d[name]
        se = np.hypot(r["sd"], x.std()) / np.sqrt(200)  # Monte Carlo error of both means, ESS >= 200 each
        assert abs(x.mean() - r["mean"]) < 4 * se + 0.1 * r["sd"], (name, x.mean(), x.std(), r)
        assert 0.7 < x.std() / r["sd"] < 1.4, (name, x.std(), r["sd"])
    assert_loglik_matches_stan(fit)
