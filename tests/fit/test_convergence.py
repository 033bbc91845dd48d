"""R-hat and ESS in numpy (brmspy.fit.convergence) equal ArviZ's, and a first fit imports neither
ArviZ nor scipy.stats (issue 24 goal 1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import arviz_stats as azs
import numpy as np
import pytest
from scipy import special
from scipy.fftpack import next_fast_len

from brmspy.fit import arviz_io, convergence


def _cases():
    rng = np.random.default_rng(24)
    out = []
    for k in range(60):
        chains, draws = int(rng.integers(1, 5)), int(rng.integers(4, 900))
        x = rng.normal(size=(chains, draws)).cumsum(axis=1) * rng.uniform(0, 1) + rng.normal(size=(chains, draws))
        x += rng.normal(size=(chains, 1)) * rng.uniform(0, 2)  # chains apart: R-hat well above 1
        if k % 4 == 1:
            x = np.round(x, 1)  # ties
        if k % 4 == 2:
            x = (x > 0).astype(float)  # an indicator
        out.append(x)
    out.append(np.full((4, 100), 3.0))  # constant
    nan = rng.normal(size=(4, 100))
    nan[1, 5] = np.nan
    out.append(nan)
    out.append(rng.normal(size=(2, 3)))  # too few draws
    return out


CASES = _cases()


@pytest.mark.parametrize("kind", ["rhat", "bulk", "tail"])
def test_equals_arviz_to_1e8(kind):
    ours = {"rhat": convergence.rhat, "bulk": convergence.ess_bulk, "tail": convergence.ess_tail}[kind]
    theirs = {"rhat": lambda a: azs.rhat(a, method="rank"), "bulk": lambda a: azs.ess(a, method="bulk"),
              "tail": lambda a: azs.ess(a, method="tail", prob=0.05)}[kind]
    compared = 0
    for x in CASES:
        a, b = float(ours(x)), float(np.asarray(theirs(x)))
        assert np.isnan(a) == np.isnan(b), (x.shape, a, b)
        if not np.isnan(b):
            assert abs(a - b) <= 1e-8 * max(1.0, abs(b)), (x.shape, a, b)
            compared += 1
    assert compared > 40


def test_trailing_dimensions_and_values():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 500, 3, 2))
    x[:, :, 0, 0] += np.arange(4)[:, None]  # one element's chains disagree
    r = convergence.rhat(x)
    assert r.shape == (3, 2)
    np.testing.assert_allclose(r, azs.rhat(x, method="rank"), rtol=1e-10)
    np.testing.assert_allclose(convergence.ess_bulk(x), azs.ess(x, method="bulk"), rtol=1e-10)
    assert r[0, 0] > 1.5 and np.all(r.ravel()[1:] < 1.02)
    assert float(convergence.ess_bulk(rng.normal(size=(4, 1000)))) > 3000  # independent draws


def test_pieces_equal_scipy():
    p = np.concatenate([np.linspace(1e-12, 1 - 1e-12, 20001), [1e-300, 1e-20, 0.075, 0.425, 0.575, 0.925]])
    np.testing.assert_allclose(convergence.ndtri(p), special.ndtri(p), rtol=1e-14, atol=1e-14)
    assert [convergence._next_fast_len(n) for n in range(1, 5000)] == [next_fast_len(n) for n in range(1, 5000)]
    from scipy.stats import rankdata

    a = np.round(np.random.default_rng(2).normal(size=(3, 50)), 1)
    np.testing.assert_array_equal(convergence._rankdata(a), rankdata(a, method="average").ravel())


def test_one_chain_rhat_splits_it():
    # posterior::rhat of one chain (brms): split in halves; ArviZ gives NaN there
    x = np.random.default_rng(3).normal(size=(1, 1000))
    assert np.isnan(float(azs.rhat(x, method="rank")))
    assert abs(float(arviz_io.rhat(x)) - 1) < 0.01
    x[0, 500:] += 2
    assert float(arviz_io.rhat(x)) > 1.5


def test_first_fit_imports_no_scipy_stats_or_arviz():
    heavy = ("scipy", "scipy.stats", "scipy.special", "scipy.linalg", "arviz", "arviz_base", "arviz_stats",
             "xarray", "matplotlib")
    code = ("import sys, json, warnings; warnings.simplefilter('ignore'); import brmspy as bp; "
            "fit = bp.brm('Reaction ~ Days + (Days | Subject)', bp.datasets.load('sleepstudy'), chains=2, "
            "iter=300, seed=1, refresh=0); text = str(fit.summary()); "
            f"print(json.dumps([[m for m in {heavy!r} if m in sys.modules], 'Rhat' in text]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [[], True]
