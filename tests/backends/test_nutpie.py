"""backend="nutpie": nutpie's NUTS on stanli's runtime gives stanli's posterior, reproducibly.

Each model is fitted once per backend (module-scoped fixtures); the posteriors are compared
within Monte Carlo error (:func:`tests.checks.assert_same_posterior`).
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
import brmspy.backends as B
from brmspy.backends import SampleConfig
from brmspy.core.errors import BackendUnavailableError, SamplingError
from tests.checks import assert_same_posterior

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:.*Effective Samples Size:UserWarning")]

ITER = dict(chains=2, iter=1500, warmup=750, refresh=0)


def _poisson_data() -> pd.DataFrame:
    rng = np.random.default_rng(24)
    n, J = 400, 15
    g = np.arange(n) % J
    x = rng.normal(size=n)
    y = rng.poisson(np.exp(0.8 + 0.4 * x + rng.normal(0, 0.5, J)[g]))
    return pd.DataFrame({"y": y, "x": x, "g": g})


def _ordinal_data() -> pd.DataFrame:
    rng = np.random.default_rng(25)
    n = 300
    x = rng.normal(size=n)
    latent = 0.9 * x + rng.logistic(size=n)
    y = np.digitize(latent, [-1.0, 0.2, 1.3]) + 1  # 4 ordered categories
    return pd.DataFrame({"y": y, "x": x})


MODELS = {
    "gaussian_glmm": ("Reaction ~ Days + (Days | Subject)", lambda: bp.datasets.load("sleepstudy"), "gaussian",
                      ["b_Intercept", "b_Days", "sd_Subject__Intercept", "sd_Subject__Days", "sigma"]),
    "poisson_glmm": ("y ~ x + (1 | g)", _poisson_data, "poisson", ["b_Intercept", "b_x", "sd_g__Intercept"]),
    "ordinal": ("y ~ x", _ordinal_data, "cumulative",
                ["b_x", "b_Intercept[1]", "b_Intercept[2]", "b_Intercept[3]"]),
}


@pytest.fixture(scope="module", params=list(MODELS))
def pair(request):
    formula, data, family, names = MODELS[request.param]
    df = data()
    fits = {b: bp.brm(formula, df, family=family, backend=b, seed=7, **ITER) for b in ("nutpie", "stanli")}
    return fits, names


def test_same_posterior_as_stanli(pair):
    fits, names = pair
    nut, ref = fits["nutpie"], fits["stanli"]
    assert nut.backend == "nutpie" and ref.backend == "stanli"
    assert set(nut.draws_dict) == set(ref.draws_dict)  # same variables, brms names
    for name in names:
        assert nut.draws_dict[name].shape == ref.draws_dict[name].shape == (2, 750)
    assert_same_posterior(nut, ref, names)
    for name in names:  # and the same spread: sds agree to within 25% at these ESS
        ratio = nut.draws_dict[name].std() / ref.draws_dict[name].std()
        assert 0.75 < ratio < 1.33, (name, ratio)
    assert int(nut.stan_draws.sampler_stats["divergent__"].sum()) == 0


def test_sampler_stats_have_cmdstan_names_and_types(pair):
    fits, _ = pair
    stats = fits["nutpie"].stan_draws.sampler_stats
    assert set(B.SAMPLER_STATS) <= set(stats)
    assert stats["treedepth__"].dtype == np.int64 and stats["divergent__"].dtype == np.int64
    # n_leapfrog is at most 2^depth - 1 (+1 for nutpie's final step count), and lp__ is a log density
    assert np.all(stats["n_leapfrog__"] >= 1) and np.all(np.isfinite(stats["lp__"]))


# -- settings ------------------------------------------------------------------------------------

NORMAL_CODE = """
data { int N; vector[N] y; }
parameters { real mu; real<lower=0> sigma; }
model { mu ~ normal(0, 10); sigma ~ exponential(1); y ~ normal(mu, sigma); }
generated quantities { real y_rep = normal_rng(mu, sigma); }
"""
NORMAL_DATA = {"N": 20, "y": np.linspace(-1.0, 3.0, 20)}


@pytest.fixture(scope="module")
def backend_model():
    backend = B.get_backend("nutpie")
    return backend, backend.compile(NORMAL_CODE)


def test_seed_reproducible_and_settings_reach_nutpie(backend_model):
    backend, model = backend_model
    cfg = SampleConfig(chains=2, iter=600, warmup=300, seed=5, thin=3, adapt_delta=0.97)
    a = backend.sample(model, NORMAL_DATA, cfg)
    b = backend.sample(model, NORMAL_DATA, cfg)
    c = backend.sample(model, NORMAL_DATA, SampleConfig(chains=2, iter=600, warmup=300, seed=6, thin=3))
    for name in ("mu", "sigma", "y_rep"):  # generated quantities' RNG is seeded too
        np.testing.assert_array_equal(a.params[name], b.params[name])
        assert not np.array_equal(a.params[name], c.params[name])
    assert a.params["mu"].shape == (2, 100)  # thin = 3 keeps 100 of 300 draws
    assert a.config.seed == 5 and a.backend == "nutpie"
    # adapt_delta is nutpie's target_accept: mean acceptance near 0.97 (vs near 0.8 by default)
    assert a.sampler_stats["accept_stat__"].mean() > 0.93
    assert a.sampler_stats["accept_stat__"].mean() > c.sampler_stats["accept_stat__"].mean()


def test_max_treedepth_caps_trees(backend_model):
    backend, model = backend_model
    draws = backend.sample(model, NORMAL_DATA, SampleConfig(chains=1, iter=200, warmup=100, seed=1, max_treedepth=1))
    assert draws.sampler_stats["treedepth__"].max() <= 1


def test_log_density_matches_stanli(backend_model):
    backend, model = backend_model
    stanli = B.get_backend("stanli")
    ref = stanli.compile(NORMAL_CODE)
    assert backend.unconstrained_size(model, NORMAL_DATA) == stanli.unconstrained_size(ref, NORMAL_DATA) == 2
    for theta in (np.array([0.3, -0.2]), np.array([1.5, 0.7])):
        lp, grad = backend.log_prob_grad(model, NORMAL_DATA, theta)
        lp0, grad0 = stanli.log_prob_grad(ref, NORMAL_DATA, theta)
        np.testing.assert_allclose(lp, lp0, rtol=1e-12)
        np.testing.assert_allclose(grad, grad0, rtol=1e-12)


def test_inits_refused_with_reason(backend_model):
    backend, model = backend_model
    for init in (0, {"mu": 0.0, "sigma": 1.0}):
        with pytest.raises(SamplingError, match="nutpie starts every chain uniformly in \\(-2, 2\\)"):
            backend.sample(model, NORMAL_DATA, SampleConfig(chains=1, iter=20, seed=1, init=init))


def test_approximations_name_the_backends_that_run_them():
    with pytest.raises(BackendUnavailableError, match="backend 'nutpie' does not offer algorithm='fixed_param'"):
        B.select_backend(NORMAL_CODE, "nutpie", algorithm="fixed_param")


def test_missing_nutpie_names_the_extra(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "nutpie" else real(name, *a))
    backend = B.get_backend("nutpie")
    assert not backend.available()
    with pytest.raises(BackendUnavailableError, match=r'nutpie is not installed; install with `pip install "brmspy-stan\[nutpie\]"`'):
        B.select_backend(NORMAL_CODE, "nutpie")
    with pytest.raises(BackendUnavailableError, match=r"brmspy-stan\[nutpie\]"):
        backend.compile(NORMAL_CODE)
    assert "nutpie" not in B.available_backends()


def test_ctrl_c_stops_the_run_instead_of_returning_part_of_it(backend_model, monkeypatch):
    import sys

    import nutpie  # noqa: F401  (loads nutpie.sample, the module: the package's `sample` is the function)

    nutpie_sample = sys.modules["nutpie.sample"]
    backend, model = backend_model
    cancelled = []
    real_wait, real_cancel = nutpie_sample._BackgroundSampler.wait, nutpie_sample._BackgroundSampler.cancel

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    def cancel(self):
        cancelled.append(True)
        return real_cancel(self)

    monkeypatch.setattr(nutpie_sample._BackgroundSampler, "wait", interrupted)
    monkeypatch.setattr(nutpie_sample._BackgroundSampler, "cancel", cancel)
    with pytest.raises(KeyboardInterrupt):
        backend.sample(model, NORMAL_DATA, SampleConfig(chains=2, iter=2000, seed=1))
    assert cancelled  # every chain stopped (nutpie's __del__ may cancel again: harmless)
    monkeypatch.setattr(nutpie_sample._BackgroundSampler, "wait", real_wait)
    assert backend.sample(model, NORMAL_DATA, SampleConfig(chains=1, iter=200, seed=1)).params["mu"].shape == (1, 100)


# -- time outside the chains (issue 24) ----------------------------------------------------------

MATRIX_CODE = """
data { int N; vector[N] y; }
parameters { real mu; real<lower=0> sigma; matrix[2, 3] m; }
model { mu ~ normal(0, 10); sigma ~ exponential(1); to_vector(m) ~ std_normal(); y ~ normal(mu, sigma); }
generated quantities { array[2] int k = {poisson_rng(3), 1}; }
"""


def test_arrow_draws_equal_nutpies_arviz_conversion():
    """The draws and statistics read from nutpie's raw Arrow trace are the arrays of its own ArviZ
    conversion (same seed, so the same chains), matrices and integers included."""
    import nutpie

    from brmspy.backends.nutpie_backend import NUTPIE_STATS, _arrow_draws

    backend = B.get_backend("nutpie")
    compiled = backend.build(backend.compile(MATRIX_CODE), NORMAL_DATA, seed=3)[1]

    def run(raw):
        return nutpie.sample(compiled, draws=120, tune=80, chains=2, cores=1, seed=3, save_warmup=False,
                             progress_bar=False, return_raw_trace=raw)

    posterior, stats = _arrow_draws(*run(True).get_arrow_trace())
    trace = run(False)
    assert set(posterior) == {str(n) for n in trace.posterior.data_vars} == {"mu", "sigma", "m", "k"}
    for name, var in trace.posterior.data_vars.items():
        np.testing.assert_array_equal(posterior[str(name)], var.values)
        assert posterior[str(name)].dtype == var.values.dtype
    assert posterior["m"].shape == (2, 120, 2, 3)
    for theirs in NUTPIE_STATS.values():
        np.testing.assert_array_equal(stats[theirs], trace.sample_stats[theirs].values)
        assert stats[theirs].dtype == trace.sample_stats[theirs].values.dtype
    # and a comparison that can fail: another seed gives other draws
    other, _ = _arrow_draws(*nutpie.sample(compiled, draws=120, tune=80, chains=2, cores=1, seed=4, save_warmup=False,
                                           progress_bar=False, return_raw_trace=True).get_arrow_trace())
    assert not np.array_equal(other["mu"], posterior["mu"])


def test_prefetch_starts_one_import_only_when_nutpie_will_sample(monkeypatch):
    import brmspy.backends.nutpie_backend as nb

    started = []
    monkeypatch.setattr(nb, "_PREFETCH", [])
    monkeypatch.setattr(nb, "_import_nutpie", lambda: started.append(True))
    B.prefetch_backend("stanli", 100_000, SampleConfig())
    B.prefetch_backend("auto", 5_000, SampleConfig())  # auto keeps stanli under NUTPIE_MIN_ROWS
    B.prefetch_backend("auto", 100_000, SampleConfig(init=0))  # nutpie takes no init: stanli
    B.prefetch_backend("nutpie", 100, SampleConfig(algorithm="laplace"))
    assert not nb._PREFETCH and not started
    B.prefetch_backend("auto", 100_000, SampleConfig())
    B.prefetch_backend("nutpie", 100, SampleConfig())  # once per process
    assert len(nb._PREFETCH) == 1
    nb._PREFETCH[0].join(10)
    assert started == [True]


DEFERRED_ARVIZ_SCRIPT = """
import json, sys
import brmspy.backends as B
from brmspy.backends.nutpie_backend import _nutpie
nutpie = _nutpie()
heavy = [m for m in ("arviz", "arviz_stats", "arviz_plots", "matplotlib", "scipy.stats") if m in sys.modules]
backend = B.get_backend("nutpie")
code = "data { int N; vector[N] y; } parameters { real mu; } model { y ~ normal(mu, 1); }"
compiled = backend.build(backend.compile(code), {"N": 3, "y": [0.1, -0.4, 0.9]}, seed=1)[1]
trace = nutpie.sample(compiled, draws=50, tune=50, chains=1, cores=1, seed=1, progress_bar=False)
import arviz
print(json.dumps({"heavy": heavy, "draws": int(trace.posterior["mu"].size), "real": type(arviz).__name__,
                  "same": sys.modules["nutpie.sample"].arviz.from_dict is arviz.from_dict}))
"""


def test_nutpie_import_defers_arviz():
    """brmspy imports nutpie without ArviZ and what it pulls in (about 1.1 s of CPU, issue 24): in a
    fresh interpreter none of them is loaded after the import, nutpie's own ArviZ conversion still
    works (the stand-in imports ArviZ at first use), and ``import arviz`` then gives the real package."""
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", DEFERRED_ARVIZ_SCRIPT], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res == {"heavy": [], "draws": 50, "real": "module", "same": True}
