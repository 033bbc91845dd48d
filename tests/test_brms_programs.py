"""brmspy's programs against brms 2.18's own programs (issue 21).

brms's ``make_stancode`` + ``make_standata`` outputs (``tools/brms_program_reference.R``, committed
under ``tests/reference/brms_programs/``) run on stanli; brmspy's program for the same formula and
data must give the same log density at the same parameter values, so a prior or a posterior means
the same thing in both. (Category-specific ordinal effects: ``tests/test_ordinal.py``.)
"""

from __future__ import annotations

import numpy as np
import pytest
import stanli

import brmspy as bp
from tests.checks import assert_same_named_log_density, brms_program
from tests.test_brms_reference import load_data


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
