"""Parameter recovery on simulated data with known truth (real sampling with stanli).

Criteria: every true value lies within 4 posterior sds of the posterior mean,
and, pooled over all models, the 95% intervals cover the truth at close to
their nominal rate.  (Requiring *every* 95% interval to cover would fail by
chance for about one parameter in twenty even for a correct sampler.)
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats

import brmspy as bp
from tests import sim

COVERAGE: list[bool] = []


@pytest.fixture(scope="module", params=sim.RECOVERY, ids=[f.__name__ for f in sim.RECOVERY])
def recovered(request):
    s = request.param()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm(s.formula, s.data, s.family, seed=2024, refresh=0)
    return s, fit


def test_truth_within_four_sd(recovered):
    s, fit = recovered
    d = fit.draws_dict
    for name, truth in s.truth.items():
        x = d[name]
        mean, sd = x.mean(), x.std()
        assert abs(mean - truth) < 4 * sd, f"{name}: {mean:.3f} ± {sd:.3f}, truth {truth}"
        lo, hi = np.quantile(x, [0.025, 0.975])
        COVERAGE.append(bool(lo <= truth <= hi))


def test_pooled_95_coverage():
    """Runs after the recoveries (module order): coverage must not be implausibly low for 95% intervals."""
    n = len(COVERAGE)
    assert n >= 40, "the recovery tests must run first"
    misses = n - sum(COVERAGE)
    # P(misses >= k) for Binomial(n, 0.05); fail when below 0.1%
    p = stats.binom.sf(misses - 1, n, 0.05)
    assert p > 1e-3, f"{misses} of {n} 95% intervals missed the truth (p = {p:.2g})"
