"""A first fit does each piece of work once (issue 24, goal 1: "summary and diagnostics without repeated work").

* R-hat and ESS: brm()'s convergence warnings and every summary() read one computation per
  parameter, kept on the fit (:meth:`BrmsFit.convergence`); the combined
  :func:`brmspy.fit.convergence.rhat_ess` gives the same numbers as the three functions apart.
* The program: stanc runs once, the backend's compile is called once (``choose_backend`` hands
  brm() what it compiled), the stanli model is built once and the Stan data are encoded to JSON once.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import warnings
from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest

import brmspy as bp
import brmspy.backends as B
import brmspy.backends.base as base
import brmspy.fit.brm as brm_module
from brmspy.backends.stanli_backend import ModelCache
from brmspy.fit import arviz_io, convergence
from brmspy.fit.diagnostics import checked_names

FORMULA = "Reaction ~ Days + (Days | Subject)"
KW = dict(chains=2, iter=400, seed=5, refresh=0)


@pytest.fixture(scope="module")
def sleep():
    return bp.datasets.load("sleepstudy")


def _counting(monkeypatch, counts: Counter, obj, name: str, key: str) -> None:
    original = getattr(obj, name)

    def wrapper(*args, **kwargs):
        counts[key] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(obj, name, wrapper)


# ----------------------------------------------------------------------------- R-hat and ESS


@pytest.mark.parametrize(
    "shape_kind",
    ["mixing", "stuck_chain", "one_chain", "constant", "nan", "short", "odd_draws", "heavy_tails"],
)
def test_rhat_ess_equals_the_three_functions(shape_kind):
    rng = np.random.default_rng(11)
    x = {
        "mixing": rng.normal(size=(4, 500)),
        "stuck_chain": rng.normal(size=(4, 300)) + np.array([0, 0, 0, 3.0])[:, None],
        "one_chain": np.cumsum(rng.normal(size=(1, 400)), axis=1),
        "constant": np.full((2, 100), 1.5),
        "nan": np.where(rng.random((2, 100)) < 0.01, np.nan, rng.normal(size=(2, 100))),
        "short": rng.normal(size=(2, 3)),
        "odd_draws": rng.normal(size=(3, 251)),
        "heavy_tails": rng.standard_t(1.5, size=(4, 200)),
    }[shape_kind]
    got = arviz_io.rhat_ess(x)
    want = (float(arviz_io.rhat(x)), float(arviz_io.ess_bulk(x)), float(arviz_io.ess_tail(x)))
    # the same arithmetic, so the same bits (NaN where the three give NaN)
    np.testing.assert_array_equal(np.array(got), np.array(want))


def test_brm_and_summary_compute_rhat_and_ess_once_per_parameter(monkeypatch, sleep):
    counts: Counter = Counter()
    seen: list[int] = []
    original = arviz_io.rhat_ess

    def rhat_ess(x):
        seen.append(id(x))
        return original(x)

    monkeypatch.setattr(arviz_io, "rhat_ess", rhat_ess)
    for name in ("rhat", "ess_bulk", "ess_tail"):  # the separate ones must not run on this path
        _counting(monkeypatch, counts, arviz_io, name, name)
    _counting(monkeypatch, counts, convergence, "z_scale", "z_scale")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a short fit may warn about ESS: the warning path is what is counted
        fit = bp.brm(FORMULA, sleep, **KW)
        checked = checked_names(fit)
        assert "lp__" in checked and "sd_Subject__Days" in checked and "b_Days" in checked
        assert len(seen) == len(checked)  # the warnings computed each checked parameter once
        assert len(set(seen)) == len(seen)
        assert counts["z_scale"] == 2 * len(checked)  # bulk and folded ranks; bulk R-hat and bulk ESS share one
        s1 = fit.summary()
        s2 = fit.summary(prob=0.9)
    assert len(seen) == len(checked)  # summary() computed nothing again
    assert counts["rhat"] == counts["ess_bulk"] == counts["ess_tail"] == 0
    d = fit.draws_dict
    for table in (s1.population, s2.population):
        # the numbers shown are the ones of the draws, as the separate functions give them
        for label, name in (("Intercept", "b_Intercept"), ("Days", "b_Days")):
            assert table.loc[label, "Rhat"] == float(convergence.rhat(d[name]))
            assert table.loc[label, "Bulk_ESS"] == float(convergence.ess_bulk(d[name]))
            assert table.loc[label, "Tail_ESS"] == float(convergence.ess_tail(d[name]))

    # a copy with other draws (as prediction/criteria's draw subsets make) computes its own
    sub = copy.copy(fit)
    sub.__dict__.pop("_named", None)
    sub.stan_draws = copy.copy(fit.stan_draws)
    sub.stan_draws.params = {k: v[:, ::2] for k, v in fit.stan_draws.params.items()}
    n_before = len(seen)
    c_sub = sub.convergence(["b_Days"])["b_Days"]
    assert len(seen) == n_before + 1
    assert c_sub.ess_bulk == float(convergence.ess_bulk(sub.draws_dict["b_Days"]))
    assert fit.convergence(["b_Days"])["b_Days"].ess_bulk == float(convergence.ess_bulk(d["b_Days"]))


# ----------------------------------------------------------------------------- the program


def test_brm_compiles_builds_and_encodes_once(monkeypatch, sleep):
    import stanli

    stanli_backend = B.get_backend("stanli")
    # empty caches: this program may have been compiled and built earlier in the session
    monkeypatch.setattr(stanli_backend, "_compiled", ModelCache(32))
    monkeypatch.setattr(stanli_backend, "_models", ModelCache(8))
    monkeypatch.setattr(brm_module, "_COMPILED", {})
    counts: Counter = Counter()
    _counting(monkeypatch, counts, stanli, "stan_to_mir", "stanc")
    _counting(monkeypatch, counts, stanli, "Model", "build")
    _counting(monkeypatch, counts, type(stanli_backend), "compile", "compile")
    encode = json.dumps

    def dumps(obj, **kw):
        if isinstance(obj, dict) and "Z_1_1" in obj:  # the Stan data of this model
            counts["json"] += 1
        return encode(obj, **kw)

    monkeypatch.setattr(base, "json", SimpleNamespace(dumps=dumps))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm(FORMULA, sleep, backend="auto", **KW)
    assert fit.backend == "stanli"
    assert counts == Counter(stanc=1, compile=1, build=1, json=1), counts


def test_stan_data_is_read_only_and_encodes_as_a_dict():
    d = base.StanData({"N": 3, "y": np.array([1.0, 2.5, 3.0])})
    assert base.data_to_json(d) == base.data_to_json({"N": 3, "y": np.array([1.0, 2.5, 3.0])})
    assert base.data_to_json(d) is base.data_to_json(d)
    assert dict(d)["N"] == 3 and len(d) == 2 and "y" in d
    with pytest.raises(TypeError):
        d["N"] = 4  # type: ignore[index]


def test_auto_nutpie_uses_stanlis_program_without_a_second_stanc(monkeypatch):
    import stanli

    stanli_backend = B.get_backend("stanli")
    monkeypatch.setattr(stanli_backend, "_compiled", ModelCache(32))
    monkeypatch.setattr(stanli_backend, "_models", ModelCache(8))
    counts: Counter = Counter()
    _counting(monkeypatch, counts, stanli, "stan_to_mir", "stanc")
    _counting(monkeypatch, counts, stanli, "Model", "stanli_model")
    code = ("data { int<lower=1> N; vector[N] y; } parameters { real mu; real<lower=0> sigma; } "
            "model { y ~ normal(mu, sigma); mu ~ normal(0, 10); sigma ~ normal(0, 5); }")
    n = B.NUTPIE_MIN_ROWS
    data = base.StanData({"N": n, "y": np.random.default_rng(2).normal(1.0, 2.0, n)})
    choice = B.choose_backend(code, "auto", data, n_rows=n, config=B.SampleConfig(seed=4))
    assert choice.backend.name == "nutpie" and choice.model is not None
    assert choice.model.backend == "nutpie" and choice.model.handle is not None
    # one stanc for both backends; stanli's model (a second copy of the data) is not built
    assert counts == Counter(stanc=1), counts


# ----------------------------------------------------------------------------- modules


def test_first_fit_loads_no_module_it_does_not_use():
    """A stanli fit without ``file=`` or ``sample_prior`` loads no other backend, no storage, no prior draws."""
    unused = ("brmspy.backends.cmdstanpy_backend", "brmspy.backends.pystan_backend", "brmspy.backends.nutpie_backend",
              "brmspy.backends.processes", "brmspy.fit.storage", "brmspy.priors.draws")
    code = ("import sys, json, warnings; warnings.simplefilter('ignore'); import brmspy as bp; "
            f"fit = bp.brm({FORMULA!r}, bp.datasets.load('sleepstudy'), chains=2, iter=200, seed=1, refresh=0); "
            "text = str(fit.summary()); "
            f"print(json.dumps([[m for m in {unused!r} if m in sys.modules], fit.backend, 'Rhat' in text]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [[], "stanli", True]
    # and each loads when it is asked for
    assert B.get_backend("cmdstanpy").name == "cmdstanpy"
    assert "brmspy.backends.cmdstanpy_backend" in sys.modules


def test_brm_auto_nutpie_runs_stanc_and_encodes_once(monkeypatch):
    """backend="auto" on 10,000+ rows: one stanc for both backends, one JSON text, no stanli model built,
    and no BridgeStan model of the data (nutpie's model is built from the JSON text; the runtime's
    path comes from a one-parameter probe, built here once)."""
    import pandas as pd
    import stanli

    from brmspy.backends import nutpie_backend

    stanli_backend = B.get_backend("stanli")
    monkeypatch.setattr(stanli_backend, "_compiled", ModelCache(32))
    monkeypatch.setattr(stanli_backend, "_models", ModelCache(8))
    monkeypatch.setattr(brm_module, "_COMPILED", {})
    counts: Counter = Counter()
    _counting(monkeypatch, counts, stanli, "stan_to_mir", "stanc")
    _counting(monkeypatch, counts, stanli, "Model", "stanli_model")
    runtime = stanli.bridgestan_model

    def bridgestan_model(*args, **kwargs):  # the probe has no data; a model of the fit's data would
        counts["runtime_with_data" if kwargs.get("data") is not None else "runtime_probe"] += 1
        return runtime(*args, **kwargs)

    monkeypatch.setattr(stanli, "bridgestan_model", bridgestan_model)
    nutpie_backend._runtime_library_path.cache_clear()
    monkeypatch.setattr(B.get_backend("nutpie"), "_models", ModelCache(4))
    encode = json.dumps

    def dumps(obj, **kw):
        if isinstance(obj, dict) and "prior_only" in obj:  # brms Stan data
            counts["json"] += 1
        return encode(obj, **kw)

    monkeypatch.setattr(base, "json", SimpleNamespace(dumps=dumps))
    rng = np.random.default_rng(8)
    n = B.NUTPIE_MIN_ROWS
    df = pd.DataFrame({"x": rng.normal(size=n)})
    df["y"] = 1.0 + 0.5 * df["x"] + rng.normal(0, 1.5, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y ~ x", df, chains=1, iter=200, warmup=100, seed=3, refresh=0)
    assert fit.backend == "nutpie"
    # before: 3 stanc, 3 JSON texts, a stanli model; then a BridgeStan model of the data (runtime=1 was it)
    assert counts == Counter(stanc=1, runtime_probe=1, json=1), counts
    assert nutpie_backend._runtime_library_path.cache_info().currsize == 1
