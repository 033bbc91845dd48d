"""brms's own model-building tests through brmspy (tools/brms_testsuite.py, issue 21).

The cases the tool found broken are run again here: each must now be built and accepted by stanc,
or refused as brms refuses it.  tests/reference/brms_testsuite/summary.txt has the counts of the
whole file (``python tools/brms_testsuite.py --write``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
import stanli

import brmspy as bp

_TOOL = Path(__file__).parents[2] / "tools" / "brms_testsuite.py"
_spec = importlib.util.spec_from_file_location("brms_testsuite", _TOOL)
suite = importlib.util.module_from_spec(_spec)
sys.modules["brms_testsuite"] = suite  # its dataclasses look their module up
_spec.loader.exec_module(suite)
CASES = {c.r: c for c in suite.CASES}


def _case(fragment: str):
    found = [c for r, c in CASES.items() if fragment in r]
    assert len(found) == 1, (fragment, [c.id for c in found])
    return found[0]


@pytest.mark.parametrize("fragment", [
    "bf(q | dec(resp) ~ x, ndt = 0.5)",  # fixed ndt bounded by transformed data (stanc refused)
    "stanvar(scode = 'mu += 1.0;', block = 'likelihood', position = 'start'), threads = 2",  # stanvar in partial sums
    "block = 'parameters', pll_args = 'real tau'), threads = threading(2)",
    "family = beta_binomial2, prior = prior(gamma(0.1, 0.1), class = 'tau'), stanvars = stanvars)  # custom_family",
    "bf(y | vint(size) + vreal(size) ~ x, tau ~ x), data = dat, family = beta_binomial2",
    "family = mixture(binomial, beta_binomial2)",  # crashed with KeyError 'tau' once custom dpars were allowed
    "family = beta_binomial2_vec",
    "bf(y | vint(size) + vreal(size) + trials(size) ~ x, family = beta_binomial2) + bf(x ~ 1",  # vint1_y in mv
    "y | se(1, sigma = TRUE) ~ x + unstr(tim, g)",  # [110]: se^2 on the diagonal of each series' covariance
    "bf(y ~ x, sigma ~ car(W))",  # [264]: car() in the formula of sigma
    "mvbind(y, x) ~ 1, dat, gaussian(), autocor = cor_ar()",  # [100]: ARMA terms with residual correlations
    "bf(y ~ 1, sigma ~ 1) + bf(x | mi() ~ 1) + set_rescor(TRUE)",  # [273]: mi() response with rescor
])
def test_fixed_cases_build_and_pass_stanc(fragment):
    outcome = suite.run_case(_case(fragment), stanli.stan_to_mir)
    assert outcome.status == "built", outcome.message


@pytest.mark.parametrize("formula, data2", [
    ("y1 | cens(ci) ~ y2 + ar(cov = TRUE)", None),
    ("y1 | trunc(ub = 100) ~ y2 + ar(cov = TRUE)", None),
    ("y1 | cens(ci) ~ y2 + cosy()", None),
    ("y1 | cens(ci) ~ y2 + fcor(V)", {"V": np.eye(10)}),
])
def test_censoring_with_time_covariance_refused_as_brms(formula, data2):
    # brms 2.18: "Invalid addition arguments for this model" (brmspy built a program ignoring cens/trunc)
    d = suite.D["invalid"]()
    with pytest.raises(bp.FormulaError, match=r"cannot be combined with the covariance structure .*Invalid addition"):
        bp.make_stancode(formula, d, data2=data2)
