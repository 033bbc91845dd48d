"""brms's own program of ``thres(gr = g)`` models against brmspy's: the same log density (issue 21).

``tests/reference/brms/programs/thres_gr.json.gz`` holds brms 2.18's ``make_stancode`` and ``make_standata``
of three models with thresholds per group (written by ``tools/brms_thres_gr_programs.R``). brms's program
(its removed array syntax rewritten) runs on stanli with brms's data; brmspy's program of the same formula
must give the same log density at the same parameter values: same likelihood, priors and constraints.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp

REF = Path(__file__).parents[1] / "reference" / "brms" / "programs" / "thres_gr.json.gz"
CASES = {
    "acat_probit_disc": (bp.bf("y | thres(gr = g) ~ x", "disc ~ z"), bp.acat(link="probit")),
    "cumulative_logit": (bp.bf("y | thres(gr = g) ~ x + z"), bp.cumulative()),
    "cumulative_equidistant": (bp.bf("y | thres(gr = g) ~ x"), bp.cumulative(threshold="equidistant")),
}


def _modern(code: str) -> str:
    """brms 2.18's ``int Y[N]`` declarations in today's ``array[N] int Y`` syntax."""
    code = re.sub(r"^(\s*)(int(?:<[^>]*>)?|real(?:<[^>]*>)?|vector\[[^\]]*\]) (\w+)\[([^\]]+)\];",
                  r"\1array[\4] \2 \3;", code, flags=re.M)
    return code.replace("int[] j", "array[] int j")


@pytest.fixture(scope="module")
def ref() -> dict:
    with gzip.open(REF, "rt") as fh:
        return json.load(fh)


@pytest.mark.parametrize("name", list(CASES))
def test_same_log_density_as_brms(ref: dict, name: str) -> None:
    data = pd.DataFrame(ref["data"])
    case = ref["cases"][name]
    sd = dict(case["data"])
    for k in ("Y", "nthres", "Jthres"):
        sd[k] = np.asarray(sd[k], dtype=np.int64)
    for k in ("X", "X_disc"):
        if k in sd:
            sd[k] = np.asarray(sd[k], dtype=float).reshape(sd["N"], -1)
    brms = stanli.Model(stan_code=_modern(case["code"]), data=sd)
    formula, family = CASES[name]
    ours_build = bp.build_model(formula, data, family)
    np.testing.assert_array_equal(ours_build.data["Jthres"], sd["Jthres"])
    ours = stanli.Model(stan_code=ours_build.code, data=ours_build.data)
    rng = np.random.default_rng(7)
    nthres = list(sd["nthres"])
    for _ in range(3):
        if "equidistant" in name:
            values = {"b": rng.normal(size=1)}
            for i in range(1, 4):
                values[f"first_Intercept_{i}"] = rng.normal()
                values[f"delta_{i}"] = rng.uniform(0.2, 2)
        else:
            values = {"b": rng.normal(size=2 if name == "cumulative_logit" else 1)}
            for i, n in enumerate(nthres, start=1):
                values[f"Intercept_{i}"] = np.sort(rng.normal(size=n))
            if "disc" in name:
                values.update(b_disc=rng.normal(size=1) * 0.3, Intercept_disc=rng.normal() * 0.3)
        lp_brms = brms.log_prob_grad(brms.unconstrain(values))[0]
        lp_ours = ours.log_prob_grad(ours.unconstrain(values))[0]
        assert lp_ours == pytest.approx(lp_brms, rel=1e-10, abs=1e-8)
