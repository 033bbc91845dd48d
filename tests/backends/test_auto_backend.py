"""backend="auto": nutpie for NUTS on large data (when installed), stanli otherwise.

The rule (:func:`brmspy.backends.auto_nutpie_reason`) and its thresholds come from
``benchmarks/issue24.py``; these tests pin the rule, not the timings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
import brmspy.backends as B
from brmspy.backends import NUTPIE_MIN_ROWS, SampleConfig, auto_nutpie_reason

CODE = """
data { int<lower=1> N; vector[N] y; }
parameters { real mu; real<lower=0> sigma; }
model { y ~ normal(mu, sigma); mu ~ normal(0, 10); sigma ~ normal(0, 5); }
"""


def _data(n: int) -> dict:
    return {"N": n, "y": np.random.default_rng(1).normal(1.0, 2.0, n)}


@pytest.mark.parametrize(
    ("rows", "config", "warm_start", "nutpie"),
    [
        (NUTPIE_MIN_ROWS, SampleConfig(), "auto", True),
        (NUTPIE_MIN_ROWS - 1, SampleConfig(), "auto", False),
        (None, SampleConfig(), "auto", False),
        (10**6, None, "auto", False),
        (10**6, SampleConfig(init=0), "auto", False),  # starting values: only stanli takes them
        (10**6, SampleConfig(init=2), "auto", True),  # radius 2 is nutpie's own start
        (10**6, SampleConfig(init={"mu": 1.0}), "auto", False),
        (10**6, SampleConfig(threads=2), "auto", False),  # within-chain threads: stanli
        (10**6, SampleConfig(), True, False),  # warm_start=True asks for stanli's warm start
        (10**6, SampleConfig(), False, True),
        (10**6, SampleConfig(algorithm="laplace"), "auto", False),
        (10**6, SampleConfig(iter=10, warmup=0), "auto", False),  # nutpie cannot run without warmup
    ],
)
def test_rule(rows, config, warm_start, nutpie):
    reason = auto_nutpie_reason(rows, config, warm_start)
    assert (reason is not None) is nutpie
    if nutpie:
        assert f"{rows:,} rows" in reason


def test_select_backend_takes_nutpie_for_many_rows(capsys):
    data = _data(NUTPIE_MIN_ROWS)
    chosen = B.select_backend(CODE, "auto", data, verbose=True, n_rows=NUTPIE_MIN_ROWS, config=SampleConfig())
    assert chosen.name == "nutpie"
    assert "sampling with backend 'nutpie' (auto; 10,000 rows >= 10,000" in capsys.readouterr().out
    small = B.select_backend(CODE, "auto", _data(50), n_rows=50, config=SampleConfig())
    assert small.name == "stanli"
    # without the row count (other callers), auto keeps stanli
    assert B.select_backend(CODE, "auto", data).name == "stanli"


def test_select_backend_keeps_stanli_without_nutpie(monkeypatch):
    monkeypatch.setattr(B.get_backend("nutpie"), "available", lambda: False)
    chosen = B.select_backend(CODE, "auto", _data(NUTPIE_MIN_ROWS), n_rows=NUTPIE_MIN_ROWS, config=SampleConfig())
    assert chosen.name == "stanli"


def test_brm_auto_samples_large_data_with_nutpie_and_small_with_stanli():
    rng = np.random.default_rng(3)
    n = NUTPIE_MIN_ROWS
    df = pd.DataFrame({"x": rng.normal(size=n)})
    df["y"] = 1.0 + 0.5 * df["x"] + rng.normal(0, 1.5, n)
    kw = dict(chains=1, iter=300, warmup=150, seed=2, refresh=0)
    big = bp.brm("y ~ x", df, **kw)
    assert big.stan_draws.backend == "nutpie"
    assert big.settings["backend"] == "auto"
    # known truth within a few posterior sds (posterior sd of b_x is ~0.015 here)
    d = big.draws_dict
    assert abs(d["b_x"].mean() - 0.5) < 5 * d["b_x"].std() + 0.02
    assert abs(d["sigma"].mean() - 1.5) < 5 * d["sigma"].std() + 0.02
    small = bp.brm("y ~ x", df.iloc[:200], **kw)
    assert small.stan_draws.backend == "stanli"
    with_init = bp.brm("y ~ x", df, init=0, **kw)
    assert with_init.stan_draws.backend == "stanli"
