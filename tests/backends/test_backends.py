"""Tests of brmspy.backends: settings, draws layout, and the three backends.

PyStan tests compile ONE tiny program (module fixture); httpstan caches it
per machine, so only the first run pays the C++ build (~1-2 minutes).
"""

from __future__ import annotations

import asyncio
import math
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import brmspy.backends as B
from brmspy.backends import SampleConfig
from brmspy.core.errors import BackendUnavailableError, DataError, SamplingError, StanCompileError

# --- programs ------------------------------------------------------------

# Conjugate normal model: the posterior of mu is known in closed form.
NORMAL_CODE = """
data {
  int<lower=0> N;
  vector[N] y;
  real<lower=0> sigma;
  real m0;
  real<lower=0> s0;
}
parameters {
  real mu;
}
model {
  mu ~ normal(m0, s0);
  y ~ normal(mu, sigma);
}
"""

# Every container kind, with values that encode their own Stan indices.
SHAPES_CODE = """
data { int K; }
parameters {
  real a;
  vector[K] v;
  real<lower=0> s;
}
transformed parameters {
  real two_a = 2 * a;
}
model {
  a ~ normal(0, 1);
  v ~ normal(0, 1);
  s ~ exponential(1);
}
generated quantities {
  matrix[2, 3] m;
  array[2] vector[3] av;
  array[2, 2, 3] real arr;
  for (i in 1:2) for (j in 1:3) {
    m[i, j] = 10 * i + j;
    av[i][j] = 100 * i + j;
    for (k in 1:2) arr[i, k, j] = 100 * i + 10 * k + j;
  }
}
"""

# The one program PyStan compiles. Keep this text byte-for-byte stable: it is
# httpstan's cache key. It has a constrained scalar and a simplex, so the
# unconstrained size (4) differs from the constrained one (5) and the
# Jacobian matters in log_prob.
TINY_CODE = """data {
  int<lower=0> N;
  vector[N] y;
}
parameters {
  real mu;
  real<lower=0> sigma;
  simplex[3] theta;
}
model {
  mu ~ normal(0, 10);
  sigma ~ exponential(1);
  theta ~ dirichlet(rep_vector(2, 3));
  y ~ normal(mu, sigma);
}
generated quantities {
  matrix[2, 3] m;
  for (i in 1:2) for (j in 1:3) m[i, j] = 10 * i + j + mu;
}
"""

TINY_DATA = {"N": 20, "y": np.random.default_rng(7).normal(1.5, 2.0, size=20)}

SYNTAX_ERROR_CODE = "parameters { real mu } model { mu ~ normal(0, 1); }"


def normal_data(n: int = 25, seed: int = 1) -> dict:
    rng = np.random.default_rng(seed)
    return {"N": n, "y": rng.normal(3.0, 2.0, size=n), "sigma": 2.0, "m0": 0.0, "s0": 5.0}


def conjugate_posterior(d: dict) -> tuple[float, float]:
    precision = 1 / d["s0"] ** 2 + d["N"] / d["sigma"] ** 2
    mean = (d["m0"] / d["s0"] ** 2 + np.sum(d["y"]) / d["sigma"] ** 2) / precision
    return float(mean), float(1 / math.sqrt(precision))


def assert_draws_layout(draws: B.Draws, chains: int, ndraws: int) -> None:
    """Sampler stats present with (chain, draw) shape; chain axis really is chains."""
    assert draws.nchains == chains and draws.ndraws == ndraws
    assert set(B.SAMPLER_STATS) <= set(draws.sampler_stats)
    for name in B.SAMPLER_STATS:
        assert draws.sampler_stats[name].shape == (chains, ndraws), name
    for name in ("treedepth__", "n_leapfrog__", "divergent__"):
        assert draws.sampler_stats[name].dtype == np.int64
    # After warmup each chain keeps one adapted step size: constant along
    # axis 1, so a wrongly interleaved chain axis would show up here.
    step = draws.sampler_stats["stepsize__"]
    assert np.all(step == step[:, :1])
    for arr in draws.params.values():
        assert arr.shape[:2] == (chains, ndraws)


def children_alive(pid: int) -> list[int]:
    """Live (non-zombie) child processes of ``pid``, from /proc."""
    alive = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            alive.append(int(entry))
    return alive


def process_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def interrupt_after(seconds: float) -> threading.Timer:
    """Send this process a Ctrl-C (SIGINT) after ``seconds``.

    A test run started in the background of a non-interactive shell (``nohup ... &``) inherits SIGINT as
    ignored, and Python then installs no KeyboardInterrupt handler: these tests would wait for a Ctrl-C that
    never comes. Python's own handler is installed, as in any interactive session.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(seconds, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    return timer


# --- SampleConfig --------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"chains": 0}, "chains must be at least 1, got 0"),
        ({"chains": 2.0}, "chains must be an integer, got 2.0"),
        ({"iter": 1000, "warmup": 1000}, "iter (1000) must be greater than warmup (1000)"),
        ({"iter": 0}, "iter (0) must be greater than warmup (0)"),
        ({"warmup": -1}, "warmup must be non-negative, got -1"),
        ({"thin": 0}, "thin must be at least 1, got 0"),
        ({"adapt_delta": 1.0}, "adapt_delta must be strictly between 0 and 1, got 1.0"),
        ({"adapt_delta": 0}, "adapt_delta must be strictly between 0 and 1, got 0"),
        ({"adapt_delta": "high"}, "adapt_delta must be a number in (0, 1), got 'high'"),
        ({"max_treedepth": 0}, "max_treedepth must be at least 1, got 0"),
        ({"seed": 1.5}, "seed must be an integer or None, got 1.5"),
        ({"seed": True}, "seed must be an integer or None, got True"),
        ({"seed": -3}, "seed must be between 0 and 4294967295, got -3"),
        ({"seed": 2**32}, "seed must be between 0 and 4294967295, got 4294967296"),
        ({"cores": 0}, "cores must be a positive integer or None, got 0"),
        ({"refresh": -1}, "refresh must be non-negative (0 = quiet), got -1"),
        ({"init": -1.0}, "init radius and must be finite and >= 0, got -1.0"),
        ({"init": [{"mu": 0}], "chains": 2}, "init is a list of 1 dicts but chains=2"),
        ({"init": "random"}, "init must be a number (init radius), a dict or a list of dicts, got str"),
    ],
)
def test_sample_config_rejects_bad_values(kwargs, message):
    with pytest.raises(SamplingError) as info:
        SampleConfig(**kwargs).validated()
    assert message in str(info.value)


def test_sample_config_defaults_and_derived_values():
    cfg = SampleConfig().validated()
    assert (cfg.num_warmup, cfg.num_samples, cfg.num_draws) == (1000, 1000, 1000)
    cfg = SampleConfig(iter=300, warmup=100, thin=3, chains=3, cores=8)
    assert (cfg.num_warmup, cfg.num_samples, cfg.num_draws) == (100, 200, math.ceil(200 / 3))
    assert cfg.num_cores == 3  # never more workers than chains
    resolved = SampleConfig(chains=2).resolved()
    assert resolved.warmup == 1000 and resolved.cores == min(2, os.cpu_count() or 1)
    assert isinstance(resolved.seed, int) and 0 < resolved.seed < 2**31
    assert SampleConfig(seed=5).resolved().seed == 5


def test_sample_config_from_kwargs_control():
    cfg = SampleConfig.from_kwargs(control={"adapt_delta": 0.95, "max_treedepth": 12}, chains=2)
    assert (cfg.adapt_delta, cfg.max_treedepth, cfg.chains) == (0.95, 12, 2)
    with pytest.raises(SamplingError) as info:
        SampleConfig.from_kwargs(control={"adapt_delta": 0.9, "stepsize": 0.1})
    assert "unknown control key(s) 'stepsize'" in str(info.value)
    assert "valid control keys are: adapt_delta, max_treedepth" in str(info.value)
    with pytest.raises(SamplingError, match="unknown sampling argument.*'iterations'.*valid ones are: chains, iter"):
        SampleConfig.from_kwargs(iterations=10)
    with pytest.raises(SamplingError, match="adapt_delta was given both directly and in control"):
        SampleConfig.from_kwargs(control={"adapt_delta": 0.9}, adapt_delta=0.95)
    with pytest.raises(SamplingError, match="adapt_delta must be strictly between 0 and 1, got 1.5"):
        SampleConfig.from_kwargs(control={"adapt_delta": 1.5})


# --- registry / selection -------------------------------------------------


def test_import_is_lazy():
    code = "import sys, brmspy.backends; print(sorted(m for m in ('stan', 'stanli', 'cmdstanpy', 'httpstan', 'nutpie', 'bridgestan') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert out.stdout.strip() == "[]"


def test_get_backend_and_unknown_names():
    assert B.get_backend("stanli") is B.get_backend("stanli")
    assert {B.get_backend(n).name for n in ("stanli", "pystan", "cmdstanpy")} == {"stanli", "pystan", "cmdstanpy"}
    assert "stanli" in B.available_backends()
    for call in (lambda: B.get_backend("rstan"), lambda: B.select_backend(NORMAL_CODE, "rstan")):
        with pytest.raises(BackendUnavailableError) as info:
            call()
        assert "unknown backend 'rstan'; valid names are: 'auto', 'stanli', 'pystan', 'cmdstanpy', 'nutpie'" in str(info.value)


def test_select_backend_auto_picks_stanli(caplog):
    with caplog.at_level("INFO", logger="brmspy.backends"):
        backend = B.select_backend(NORMAL_CODE, data=normal_data())
    assert backend.name == "stanli"
    assert "backend 'stanli'" in caplog.text


def test_select_backend_auto_rejects_bad_program_early():
    with pytest.raises(StanCompileError, match='Expected ";"'):
        B.select_backend(SYNTAX_ERROR_CODE)


def test_select_backend_falls_back_when_stanli_cannot_build(monkeypatch):
    stanli = B.get_backend("stanli")

    def unsupported(model, data):
        raise BackendUnavailableError("stanli cannot run this program: unsupported statement function foo")

    monkeypatch.setattr(stanli, "build", unsupported)
    monkeypatch.setattr(B.get_backend("cmdstanpy"), "available", lambda: False)
    assert B.select_backend(NORMAL_CODE, data=normal_data()).name == "pystan"
    # Without data only stanc is consulted, so stanli is still chosen.
    assert B.select_backend(NORMAL_CODE).name == "stanli"


# --- stanc validation -------------------------------------------------------


def test_validate_stan_code_surfaces_stanc_message():
    B.validate_stan_code(NORMAL_CODE)  # accepted: no exception
    with pytest.raises(StanCompileError) as info:
        B.validate_stan_code(SYNTAX_ERROR_CODE)
    text = str(info.value)
    assert text.startswith("Stan rejected the generated program:\n")
    assert 'Expected ";"' in text and "line 1, column" in text
    with pytest.raises(StanCompileError, match='Identifier "foo" not in scope'):
        B.validate_stan_code("parameters { real mu; } model { mu ~ normal(0, foo); }")


# --- stanli ---------------------------------------------------------------


@pytest.fixture(scope="module")
def stanli():
    return B.get_backend("stanli")


def test_stanli_matches_conjugate_posterior(stanli):
    data = normal_data()
    model = stanli.compile(NORMAL_CODE)
    draws = stanli.sample(model, data, SampleConfig(chains=4, iter=2000, seed=11))
    assert draws.backend == "stanli" and draws.config.seed == 11
    mu = draws.params["mu"]
    assert mu.shape == (4, 1000)
    truth_mean, truth_sd = conjugate_posterior(data)
    # Monte Carlo error bound: NUTS on a 1-d Gaussian has ESS well above
    # n/5, so 4 standard errors with ESS = n/5 is a loose but real check.
    mcse = truth_sd / math.sqrt(mu.size / 5)
    assert abs(mu.mean() - truth_mean) < 4 * mcse
    assert abs(mu.std() / truth_sd - 1) < 0.1
    assert_draws_layout(draws, 4, 1000)
    assert set(draws.timings) >= {"compile", "sample"}


def test_stanli_shapes_and_stan_index_order(stanli):
    model = stanli.compile(SHAPES_CODE)
    draws = stanli.sample(model, {"K": 4}, SampleConfig(chains=2, iter=300, warmup=100, thin=3, seed=2))
    p = draws.params
    ndraws = math.ceil(200 / 3)
    assert_draws_layout(draws, 2, ndraws)
    assert p["a"].shape == (2, ndraws) and p["two_a"].shape == (2, ndraws)
    np.testing.assert_allclose(p["two_a"], 2 * p["a"])
    assert p["v"].shape == (2, ndraws, 4)
    assert p["m"].shape == (2, ndraws, 2, 3)
    assert p["av"].shape == (2, ndraws, 2, 3)
    assert p["arr"].shape == (2, ndraws, 2, 2, 3)
    i, j, k = np.meshgrid(np.arange(1, 3), np.arange(1, 3), np.arange(1, 4), indexing="ij")
    for c in range(2):
        for d in (0, ndraws - 1):
            # m[..., i, j] is Stan's m[i+1, j+1] (Stan writes m column-major).
            np.testing.assert_array_equal(p["m"][c, d], 10 * np.arange(1, 3)[:, None] + np.arange(1, 4))
            np.testing.assert_array_equal(p["av"][c, d], 100 * np.arange(1, 3)[:, None] + np.arange(1, 4))
            np.testing.assert_array_equal(p["arr"][c, d], 100 * i + 10 * j + k)


def test_stanli_seeds_reproduce(stanli):
    model = stanli.compile(NORMAL_CODE)
    data = normal_data()
    run = lambda seed: stanli.sample(model, data, SampleConfig(chains=2, iter=200, seed=seed))  # noqa: E731
    a, b, c = run(5), run(5), run(6)
    np.testing.assert_array_equal(a.params["mu"], b.params["mu"])
    np.testing.assert_array_equal(a.sampler_stats["lp__"], b.sampler_stats["lp__"])
    assert not np.array_equal(a.params["mu"], c.params["mu"])
    # chain c uses the stream (seed, c + 1), as on CmdStan: chain 1 of 2 is chain 1 of 4
    four = stanli.sample(model, data, SampleConfig(chains=4, iter=200, seed=5))
    np.testing.assert_array_equal(four.params["mu"][:2], a.params["mu"])
    # seed=None draws a seed and records it, so the run can be repeated.
    d = run(None)
    np.testing.assert_array_equal(d.params["mu"], run(d.config.seed).params["mu"])


def test_stanli_inits(stanli):
    model = stanli.compile(NORMAL_CODE)
    data = normal_data()
    for init in (0, 0.5, {"mu": 1.0}, [{"mu": 1.0}, {"mu": -1.0}]):
        draws = stanli.sample(model, data, SampleConfig(chains=2, iter=100, seed=1, init=init))
        assert draws.params["mu"].shape == (2, 50)
    with pytest.raises(SamplingError, match="init for chain 1 is not usable.*sigma"):
        stanli.sample(stanli.compile(TINY_CODE), TINY_DATA,
                      SampleConfig(chains=1, iter=100, init={"mu": 0.0, "theta": [0.2, 0.3, 0.5]}))


def test_stanli_data_errors_are_data_errors(stanli):
    model = stanli.compile(NORMAL_CODE)
    with pytest.raises(DataError, match="unknown data variable y"):
        stanli.sample(model, {"N": 3, "sigma": 1.0, "m0": 0.0, "s0": 1.0}, SampleConfig(chains=1, iter=20))


def test_stanli_log_prob_grad(stanli):
    model = stanli.compile(NORMAL_CODE)
    data = normal_data()
    assert stanli.unconstrained_size(model, data) == 1
    mu = 0.7
    lp, grad = stanli.log_prob_grad(model, data, np.array([mu]))
    # lp__ convention: constants dropped, so compare the gradient exactly and
    # the log density up to the constant through a difference.
    expected_grad = -(mu - data["m0"]) / data["s0"] ** 2 + np.sum(data["y"] - mu) / data["sigma"] ** 2
    np.testing.assert_allclose(grad, [expected_grad], rtol=1e-12)
    lp2, _ = stanli.log_prob_grad(model, data, np.array([mu + 0.1]))

    def kernel(m):
        return -0.5 * ((m - data["m0"]) / data["s0"]) ** 2 - 0.5 * np.sum(((data["y"] - m) / data["sigma"]) ** 2)

    np.testing.assert_allclose(lp2 - lp, kernel(mu + 0.1) - kernel(mu), rtol=1e-10)


def test_stanli_ctrl_c_stops_sampling(stanli):
    model = stanli.compile(NORMAL_CODE)
    threads_before = set(threading.enumerate())
    timer = interrupt_after(0.5)
    start = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            stanli.sample(model, normal_data(), SampleConfig(chains=2, iter=20_000_000, seed=1))
    finally:
        timer.cancel()
    assert time.monotonic() - start < 30
    timer.join()
    assert set(threading.enumerate()) <= threads_before  # stanli stopped its chain threads


# --- PyStan helpers that need no compiler -----------------------------------


def test_run_isolated_kills_whole_process_group_on_ctrl_c(tmp_path):
    from brmspy.backends.pystan_backend import run_isolated

    pid_file = tmp_path / "pids"
    script = (
        "import os, subprocess, time\n"
        "p = subprocess.Popen(['sleep', '120'])\n"
        f"open({str(pid_file)!r}, 'w').write(f'{{os.getpid()}} {{p.pid}}')\n"
        "time.sleep(120)\n"
    )
    called = []
    timer = interrupt_after(1.5)
    try:
        with pytest.raises(KeyboardInterrupt):
            run_isolated([sys.executable, "-c", script], on_interrupt=lambda: called.append(True))
    finally:
        timer.cancel()
    assert called == [True]
    child, grandchild = map(int, pid_file.read_text().split())
    deadline = time.monotonic() + 5
    while process_alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not process_alive(child) and not process_alive(grandchild)


def test_pystan_cache_repair(tmp_path, monkeypatch):
    import httpstan.cache
    import httpstan.models

    from brmspy.backends.pystan_backend import model_cache_health, repair_model_cache

    monkeypatch.setattr(httpstan.cache, "cache_directory", lambda: tmp_path)
    name = httpstan.models.calculate_model_name("model {}")
    directory = httpstan.cache.model_directory(name)
    assert model_cache_health(name) == "missing"
    directory.mkdir(parents=True)
    (directory / "model.cpp").write_text("// interrupted before linking")
    assert model_cache_health(name) == "broken"
    # Linked module but no stderr.log: httpstan would fail on every later build.
    (directory / "stan_services_x.cpython-312-x86_64-linux-gnu.so").write_bytes(b"\x7fELF")
    (directory / "stanc.log").write_text("")
    assert model_cache_health(name) == "broken"
    assert repair_model_cache(name) and not directory.exists()
    directory.mkdir(parents=True)
    for f in ("stan_services_x.cpython-312-x86_64-linux-gnu.so", "stanc.log", "stderr.log"):
        (directory / f).write_text("")
    assert model_cache_health(name) == "complete"
    assert not repair_model_cache(name) and directory.exists()


def test_pystan_fit_conversion_unscrambles_chains():
    """PyStan's fit[name] interleaves chains on its last axis (draw-major)."""
    from brmspy.backends.pystan_backend import pystan_fit_to_arrays

    nchains, ndraws = 3, 4
    m = np.arange(nchains * ndraws * 6, dtype=float).reshape(nchains, ndraws, 2, 3)  # truth

    class FakeFit:
        param_names = ("m", "empty")
        dims = ([2, 3], [0])
        sample_and_sampler_param_names = ("lp__",)

        def __getitem__(self, name):
            if name == "lp__":
                return (np.arange(nchains)[None, :] + 0 * np.arange(ndraws)[:, None]).reshape(1, -1)
            if name == "empty":
                return np.empty((0, nchains * ndraws))
            # (2, 3, draw * nchains + chain), as stan.fit.Fit lays it out
            return np.moveaxis(m, (0, 1), (-1, -2)).reshape(2, 3, -1)

    params, stats = pystan_fit_to_arrays(FakeFit(), nchains)
    np.testing.assert_array_equal(params["m"], m)
    assert "empty" not in params
    np.testing.assert_array_equal(stats["lp__"], np.repeat(np.arange(nchains)[:, None], ndraws, axis=1))


def test_pystan_syntax_error_shows_stanc_message():
    pystan = B.get_backend("pystan")
    with pytest.raises(StanCompileError) as info:
        pystan.compile(SYNTAX_ERROR_CODE)  # stanc rejects it before any C++ is built
    assert 'Expected ";"' in str(info.value)


# --- PyStan with the one compiled program -----------------------------------


@pytest.fixture(scope="module")
def pystan_tiny():
    backend = B.get_backend("pystan")
    return backend, backend.compile(TINY_CODE)


@pytest.mark.slow
def test_pystan_samples(pystan_tiny, stanli):
    backend, model = pystan_tiny
    cfg = SampleConfig(chains=2, iter=1000, seed=3, cores=1)
    draws = backend.sample(model, TINY_DATA, cfg)
    assert draws.backend == "pystan"
    assert_draws_layout(draws, 2, 500)
    p = draws.params
    assert set(p) == {"mu", "sigma", "theta", "m"}
    assert p["theta"].shape == (2, 500, 3) and p["m"].shape == (2, 500, 2, 3)
    np.testing.assert_allclose(p["theta"].sum(axis=-1), 1.0)
    expected_m = 10 * np.arange(1, 3)[:, None] + np.arange(1, 4)
    np.testing.assert_allclose(p["m"] - p["mu"][..., None, None], np.broadcast_to(expected_m, p["m"].shape))
    # Same posterior as stanli: compare means of mu within Monte Carlo error.
    other = stanli.sample(stanli.compile(TINY_CODE), TINY_DATA, cfg)
    sd = p["mu"].std()
    mcse = sd * math.sqrt(2 / (p["mu"].size / 5))
    assert abs(p["mu"].mean() - other.params["mu"].mean()) < 4 * mcse
    # Same seed, same draws; another seed, other draws.
    again = backend.sample(model, TINY_DATA, cfg)
    np.testing.assert_array_equal(again.params["mu"], p["mu"])
    other_seed = backend.sample(model, TINY_DATA, SampleConfig(chains=2, iter=1000, seed=4))
    assert not np.array_equal(other_seed.params["mu"], p["mu"])


@pytest.mark.slow
def test_pystan_inside_running_event_loop(pystan_tiny):
    backend, _ = pystan_tiny

    async def notebook_cell():
        asyncio.get_running_loop()  # we really are inside a loop, as in Jupyter
        model = backend.compile(TINY_CODE)
        return backend.sample(model, TINY_DATA, SampleConfig(chains=1, iter=200, seed=1, init=0))

    draws = asyncio.run(notebook_cell())
    assert draws.params["mu"].shape == (1, 100)


@pytest.mark.slow
def test_pystan_log_prob_grad_matches_stanli(pystan_tiny, stanli):
    """The cross-backend check every generated program gets: same density, same gradient."""
    backend, model = pystan_tiny
    s_model = stanli.compile(TINY_CODE)
    n = backend.unconstrained_size(model, TINY_DATA)
    assert n == stanli.unconstrained_size(s_model, TINY_DATA) == 4
    rng = np.random.default_rng(2024)
    for _ in range(3):
        theta = rng.uniform(-2, 2, size=n)
        lp_p, grad_p = backend.log_prob_grad(model, TINY_DATA, theta)
        lp_s, grad_s = stanli.log_prob_grad(s_model, TINY_DATA, theta)
        np.testing.assert_allclose(lp_p, lp_s, rtol=1e-8)
        np.testing.assert_allclose(grad_p, grad_s, rtol=1e-8, atol=1e-12)


@pytest.mark.slow
def test_pystan_data_errors_are_data_errors(pystan_tiny):
    backend, model = pystan_tiny
    with pytest.raises(DataError, match="variable name=y"):
        backend.sample(model, {"N": 3}, SampleConfig(chains=1, iter=100))


@pytest.mark.slow
def test_pystan_ctrl_c_leaves_no_processes(pystan_tiny):
    backend, model = pystan_tiny
    timer = interrupt_after(2.0)
    start = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            backend.sample(model, TINY_DATA, SampleConfig(chains=2, iter=4_000_000, seed=1))
    finally:
        timer.cancel()
    assert time.monotonic() - start < 45
    assert children_alive(os.getpid()) == []  # chain workers are gone
    draws = backend.sample(model, TINY_DATA, SampleConfig(chains=2, iter=200, seed=1))  # still usable
    assert draws.params["mu"].shape == (2, 100)


# --- CmdStanPy ------------------------------------------------------------


def test_cmdstanpy_unavailable_without_cmdstan(monkeypatch):
    import cmdstanpy

    def no_cmdstan():
        raise ValueError("No CmdStan installation found")

    monkeypatch.setattr(cmdstanpy, "cmdstan_path", no_cmdstan)
    backend = B.get_backend("cmdstanpy")
    assert backend.available() is False
    reason = backend.unavailable_reason()
    assert "CmdStan is not installed" in reason
    assert "python -m cmdstanpy.install_cmdstan" in reason and "CMDSTAN" in reason
    assert "backend='stanli'" in reason
    with pytest.raises(BackendUnavailableError) as info:
        B.select_backend(NORMAL_CODE, "cmdstanpy")
    assert "backend 'cmdstanpy' is not available: CmdStan is not installed" in str(info.value)
    with pytest.raises(BackendUnavailableError, match="CmdStan is not installed"):
        backend.compile(NORMAL_CODE)


def test_cmdstanpy_conversion_helpers():
    from brmspy.backends.cmdstanpy_backend import cmdstan_draws_to_arrays, parse_log_prob_csv

    nchains, ndraws = 2, 5
    m = np.arange(nchains * ndraws * 6, dtype=float).reshape(nchains, ndraws, 2, 3)
    stan_vars = {"m": m.reshape(nchains * ndraws, 2, 3), "mu": np.arange(10.0), "empty": np.empty((10, 0))}
    method_vars = {"lp__": np.arange(10.0).reshape(nchains, ndraws).T}  # CmdStanPy: (draws, chains)
    params, stats = cmdstan_draws_to_arrays(stan_vars, method_vars, nchains)
    np.testing.assert_array_equal(params["m"], m)
    np.testing.assert_array_equal(params["mu"], np.arange(10.0).reshape(2, 5))
    assert "empty" not in params
    np.testing.assert_array_equal(stats["lp__"], np.arange(10.0).reshape(2, 5))

    lp, grad = parse_log_prob_csv("# model = x\nlp__,g1,g2\n-3.5,0.25,-1e-3\n")
    assert lp == -3.5 and grad.tolist() == [0.25, -1e-3]


def test_compiler_message_picks_the_error_lines():
    from brmspy.backends.cmdstanpy_backend import compiler_message

    out = "\n".join(["--- Translating Stan model to C++ code ---", "bin/stanc model.stan",
                     "Semantic error in 'model.stan', line 3, column 2:", "   3:  y ~ normal(0, foo);",
                     "Identifier 'foo' not in scope.", "make: *** [make/program:50: model.hpp] Error 1"])
    msg = compiler_message(out)
    assert msg.startswith("--- Translating") and "Identifier 'foo' not in scope." in msg
    gpp = "g++ -std=c++17 -c model.cpp\nmodel.hpp:10:3: error: 'bar' was not declared in this scope\n" + "x\n" * 50
    assert compiler_message(gpp, limit=5).splitlines()[1].endswith("was not declared in this scope")
    assert compiler_message("no trouble here\nat all") == "no trouble here\nat all"


def test_run_parallel_kills_every_process_group_on_ctrl_c(tmp_path):
    from brmspy.backends.processes import run_parallel

    script = "import subprocess, sys, time; p = subprocess.Popen(['sleep', '120']); print(p.pid, flush=True); time.sleep(120)"
    logs = [tmp_path / f"{i}.log" for i in range(3)]
    before = set(children_alive(os.getpid()))  # e.g. PyStan's chain workers from earlier tests
    timer = interrupt_after(1.5)
    start = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            run_parallel([[sys.executable, "-c", script]] * 3, logs, max_parallel=2)
    finally:
        timer.cancel()
    assert time.monotonic() - start < 20
    assert set(children_alive(os.getpid())) <= before
    grandchildren = [int(log.read_text().split()[0]) for log in logs if log.exists() and log.read_text().strip()]
    assert len(grandchildren) == 2  # the third never started
    deadline = time.monotonic() + 5
    while any(map(process_alive, grandchildren)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(process_alive, grandchildren))


def test_run_parallel_runs_all_and_reports_exit_codes(tmp_path, capsys):
    from brmspy.backends.processes import run_parallel

    cmds = [[sys.executable, "-c", f"print('line {i}'); raise SystemExit({i})"] for i in range(3)]
    res = run_parallel(cmds, [tmp_path / f"{i}.log" for i in range(3)], max_parallel=2, echo=True,
                       prefixes=[f"Chain [{i + 1}] " for i in range(3)])
    assert [r.returncode for r in res] == [0, 1, 2]
    assert [r.output().strip() for r in res] == ["line 0", "line 1", "line 2"]
    printed = capsys.readouterr().out.splitlines()
    assert sorted(printed) == ["Chain [1] line 0", "Chain [2] line 1", "Chain [3] line 2"]
    muted = run_parallel([[sys.executable, "-c", "print('a = 1'); print(); print('progress')"]], [tmp_path / "m.log"],
                         echo=True, echo_after_blank=True)
    assert muted[0].returncode == 0 and capsys.readouterr().out == "progress\n"


# --- algorithms ------------------------------------------------------------


def test_algorithm_is_checked_and_each_backend_names_what_it_offers():
    with pytest.raises(SamplingError, match="algorithm must be one of 'sampling', 'meanfield'.*got 'nuts'"):
        SampleConfig(algorithm="nuts").validated()
    assert B.BACKEND_ALGORITHMS["cmdstanpy"] == B.ALGORITHMS
    stanli = B.get_backend("stanli")
    with pytest.raises(BackendUnavailableError) as info:
        stanli.sample(stanli.compile(NORMAL_CODE), normal_data(), SampleConfig(algorithm="fixed_param"))
    assert ("backend 'stanli' does not offer algorithm='fixed_param' (it runs 'sampling', 'meanfield', 'fullrank', "
            "'pathfinder', 'laplace'); backend='cmdstanpy' or backend='pystan' does") in str(info.value)
    with pytest.raises(BackendUnavailableError, match="backend='cmdstanpy' or backend='pystan' does"):
        B.select_backend(NORMAL_CODE, "stanli", algorithm="fixed_param")


def test_auto_picks_a_backend_that_offers_the_algorithm(cmdstan_home, monkeypatch, capsys):
    backend = B.select_backend(NORMAL_CODE, data=normal_data(), algorithm="fixed_param", verbose=True)
    assert backend.name == "cmdstanpy"
    assert "sampling with backend 'cmdstanpy' (auto; stanli does not offer algorithm='fixed_param')" in capsys.readouterr().out
    for algorithm in ("laplace", "pathfinder", "meanfield", "fullrank"):
        assert B.select_backend(NORMAL_CODE, data=normal_data(), algorithm=algorithm).name == "stanli"
    cmdstan = B.get_backend("cmdstanpy")
    monkeypatch.setattr(cmdstan, "unavailable_reason", lambda: "CmdStan is not installed")
    monkeypatch.setattr(cmdstan, "available", lambda: False)
    assert B.select_backend(NORMAL_CODE, algorithm="fixed_param").name == "pystan"
    pystan = B.get_backend("pystan")
    monkeypatch.setattr(pystan, "unavailable_reason", lambda: "PyStan is not installed")
    monkeypatch.setattr(pystan, "available", lambda: False)
    with pytest.raises(BackendUnavailableError) as info:
        B.select_backend(NORMAL_CODE, algorithm="fixed_param")
    assert str(info.value).splitlines()[1:] == [
        "  stanli does not offer algorithm='fixed_param'",
        "  cmdstanpy: CmdStan is not installed",
        "  pystan: PyStan is not installed",
    ]


# --- CmdStan, for real (built on first need: tests/conftest.py::cmdstan_home) ----


@pytest.fixture(scope="module")
def cmdstan_tiny(cmdstan_home):
    backend = B.get_backend("cmdstanpy")
    return backend, backend.compile(TINY_CODE)


@pytest.mark.slow
def test_cmdstanpy_samples_like_stanli(cmdstan_tiny, stanli):
    backend, model = cmdstan_tiny
    assert B.get_backend("cmdstanpy").available()
    cfg = SampleConfig(chains=4, iter=1000, seed=3, cores=2)
    draws = backend.sample(model, TINY_DATA, cfg)
    assert draws.backend == "cmdstanpy" and draws.config.seed == 3 and draws.config.algorithm == "sampling"
    assert_draws_layout(draws, 4, 500)
    other = stanli.sample(stanli.compile(TINY_CODE), TINY_DATA, cfg)
    # same output names and shapes on both backends
    assert {k: v.shape for k, v in draws.params.items()} == {k: v.shape for k, v in other.params.items()}
    assert set(draws.sampler_stats) == set(other.sampler_stats) == set(B.SAMPLER_STATS)
    p = draws.params
    np.testing.assert_allclose(p["theta"].sum(axis=-1), 1.0, rtol=1e-12)
    expected_m = 10 * np.arange(1, 3)[:, None] + np.arange(1, 4)
    np.testing.assert_allclose(p["m"] - p["mu"][..., None, None], np.broadcast_to(expected_m, p["m"].shape),
                               rtol=1e-12, atol=1e-12)  # 17 significant digits: the draws are exact doubles
    from brmspy.fit.arviz_io import ess_bulk

    for name in ("mu", "sigma"):
        a, b = p[name], other.params[name]
        se = math.sqrt(a.var() / ess_bulk(a) + b.var() / ess_bulk(b))
        assert abs(a.mean() - b.mean()) < 4 * se, name
    # Same seed, same draws; another seed, other draws; seed=None is recorded and repeatable.
    again = backend.sample(model, TINY_DATA, cfg)
    np.testing.assert_array_equal(again.params["mu"], p["mu"])
    small = SampleConfig(chains=2, iter=200, seed=4)
    assert not np.array_equal(backend.sample(model, TINY_DATA, small).params["mu"], p["mu"][:2, :100])
    drawn = backend.sample(model, TINY_DATA, SampleConfig(chains=2, iter=200))
    repeat = backend.sample(model, TINY_DATA, SampleConfig(chains=2, iter=200, seed=drawn.config.seed))
    np.testing.assert_array_equal(drawn.params["mu"], repeat.params["mu"])
    # chains are independent streams: chain 1 of a 2-chain run is chain 1 of a 4-chain run
    np.testing.assert_array_equal(backend.sample(model, TINY_DATA, SampleConfig(chains=2, iter=1000, seed=3)).params["mu"],
                                  p["mu"][:2])


@pytest.mark.slow
def test_cmdstanpy_threads_only_for_reduce_sum_programs(cmdstan_tiny, monkeypatch):
    """A program without reduce_sum runs with one thread whatever threads= says; the thread count
    goes into each run's own environment, never into this process's."""
    import brmspy.backends.cmdstanpy_backend as cb

    backend, model = cmdstan_tiny
    seen = []
    real = cb.run_parallel
    monkeypatch.setattr(cb, "run_parallel", lambda cmds, logs, n, env, *a, **k: seen.append(env) or real(
        cmds, logs, n, env, *a, **k))
    monkeypatch.delenv("STAN_NUM_THREADS", raising=False)
    backend.sample(model, TINY_DATA, SampleConfig(chains=2, iter=100, seed=1, threads=3))
    assert not model.handle.threads and seen[0]["STAN_NUM_THREADS"] == "1"
    assert "STAN_NUM_THREADS" not in os.environ


@pytest.mark.slow
def test_cmdstanpy_inits_thin_and_fixed_param(cmdstan_tiny):
    backend, model = cmdstan_tiny
    init = {"mu": 1.0, "sigma": 2.0, "theta": [0.2, 0.3, 0.5]}
    fixed = backend.sample(model, TINY_DATA, SampleConfig(chains=2, iter=50, warmup=10, seed=1, init=init,
                                                           algorithm="fixed_param"))
    assert fixed.params["mu"].shape == (2, 40) and np.all(fixed.params["mu"] == 1.0)
    np.testing.assert_allclose(fixed.params["theta"][1, -1], [0.2, 0.3, 0.5], rtol=1e-12)  # via the simplex transform
    assert np.all(fixed.sampler_stats["divergent__"] == 0) and np.isnan(fixed.sampler_stats["stepsize__"]).all()
    per_chain = [{**init, "mu": -5.0}, {**init, "mu": 5.0}]
    fixed = backend.sample(model, TINY_DATA, SampleConfig(chains=2, iter=20, seed=1, init=per_chain,
                                                           algorithm="fixed_param"))
    assert fixed.params["mu"][:, 0].tolist() == [-5.0, 5.0]
    thinned = backend.sample(model, TINY_DATA, SampleConfig(chains=1, iter=300, warmup=100, thin=3, seed=2, init=0))
    assert thinned.params["mu"].shape == (1, math.ceil(200 / 3))


@pytest.mark.slow
def test_cmdstanpy_log_prob_grad_matches_stanli(cmdstan_tiny, stanli):
    backend, model = cmdstan_tiny
    s_model = stanli.compile(TINY_CODE)
    assert backend.unconstrained_size(model, TINY_DATA) == stanli.unconstrained_size(s_model, TINY_DATA) == 4
    rng = np.random.default_rng(2024)
    for _ in range(3):
        theta = rng.uniform(-2, 2, size=4)
        lp_c, grad_c = backend.log_prob_grad(model, TINY_DATA, theta)
        lp_s, grad_s = stanli.log_prob_grad(s_model, TINY_DATA, theta)
        np.testing.assert_allclose(lp_c, lp_s, rtol=1e-10)
        np.testing.assert_allclose(grad_c, grad_s, rtol=1e-8, atol=1e-12)


@pytest.mark.slow
def test_cmdstanpy_data_errors_are_data_errors(cmdstan_tiny):
    backend, model = cmdstan_tiny
    with pytest.raises(DataError) as info:
        backend.sample(model, {"N": 3}, SampleConfig(chains=2, iter=100))
    text = str(info.value)
    assert text.startswith("The data do not fit the Stan program (CmdStan chain 1):\n")
    assert "processing stage=data initialization; variable name=y" in text
    assert "num_warmup" not in text  # not CmdStan's echo of its arguments
    with pytest.raises(DataError, match="The data do not fit"):
        backend.log_prob_grad(model, {"N": 3}, np.zeros(4))


@pytest.mark.slow
def test_cmdstanpy_executables_are_cached_per_program(cmdstan_tiny):
    from brmspy.backends.cmdstanpy_backend import cache_dir

    backend, model = cmdstan_tiny
    again = backend.compile(TINY_CODE)  # a cache hit: no C++
    assert again.handle == model.handle and again.compile_time < 2
    entry = model.handle.exe.parent
    assert entry.parent == cache_dir() and entry.name == backend.cache_key(TINY_CODE)
    assert entry.name.startswith(model.code_hash[:16]) and (entry / "build.json").is_file()
    assert not model.handle.threads
    # threads and make flags change the build, so they change the key; the program hash stays first
    threaded = TINY_CODE + "// reduce_sum(f, s, 1)\n"
    assert backend.cache_key(threaded) != backend.cache_key(TINY_CODE)
    backend.make_args = ["O=2"]
    try:
        assert backend.cache_key(TINY_CODE) != entry.name and backend.cache_key(TINY_CODE)[:16] == entry.name[:16]
    finally:
        backend.make_args = []


@pytest.fixture
def scratch_cache(tmp_path, monkeypatch, cmdstan_home):
    """An empty executable cache, so failing and interrupted builds never touch the real one."""
    monkeypatch.setenv("BRMSPY_CACHE_DIR", str(tmp_path))
    return tmp_path / "cmdstan-models"


def _cache_entries(root):
    return sorted(p.name for p in root.iterdir() if not p.name.endswith(".lock")) if root.exists() else []


def test_cmdstanpy_compile_errors_show_stanc_and_gpp(scratch_cache, monkeypatch):
    backend = B.get_backend("cmdstanpy")
    # stanli's stanc answers first, in milliseconds
    with pytest.raises(StanCompileError, match='Expected ";"'):
        backend.compile(SYNTAX_ERROR_CODE)
    # without it, CmdStan's own stanc says the same through make
    import brmspy.backends.cmdstanpy_backend as cmdstanpy_backend

    monkeypatch.setattr(cmdstanpy_backend, "validate_stan_code", lambda code: None)
    with pytest.raises(StanCompileError) as info:
        backend.compile("parameters { real mu; } model { mu ~ normal(0, foo); }")
    text = str(info.value)
    assert "CmdStan could not compile the program (make exited with 2)" in text
    assert "Semantic error in 'model_" in text and 'Identifier "foo" not in scope' in text
    # a C++ failure shows g++'s words
    monkeypatch.setattr(backend, "make_args", ["CXXFLAGS+=-fno-such-flag-brmspy"])
    with pytest.raises(StanCompileError) as info:
        backend.compile(NORMAL_CODE)
    assert "unrecognized command-line option" in str(info.value) and "-fno-such-flag-brmspy" in str(info.value)
    assert _cache_entries(scratch_cache) == []  # failures leave no entry and no build directory


@pytest.mark.slow
def test_cmdstanpy_interrupted_compile_leaves_nothing(scratch_cache):
    backend = B.get_backend("cmdstanpy")
    code = NORMAL_CODE + f"// interrupted {time.time()}\n"
    before = set(children_alive(os.getpid()))  # e.g. PyStan's chain workers from earlier tests
    timer = interrupt_after(4.0)  # make is in g++ by then (stanc takes well under a second)
    start = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            backend.compile(code)
    finally:
        timer.cancel()
    assert time.monotonic() - start < 30
    assert set(children_alive(os.getpid())) <= before  # make and g++ are gone
    assert _cache_entries(scratch_cache) == []


@pytest.mark.slow
def test_cmdstanpy_interrupted_run_leaves_no_processes(cmdstan_tiny):
    backend, model = cmdstan_tiny
    before = set(children_alive(os.getpid()))  # e.g. PyStan's chain workers from earlier tests
    timer = interrupt_after(2.0)
    start = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            backend.sample(model, TINY_DATA, SampleConfig(chains=2, iter=20_000_000, seed=1, cores=2))
    finally:
        timer.cancel()
    assert time.monotonic() - start < 30
    assert set(children_alive(os.getpid())) <= before
    draws = backend.sample(model, TINY_DATA, SampleConfig(chains=2, iter=200, seed=1))  # still usable
    assert draws.params["mu"].shape == (2, 100)


@pytest.mark.slow
def test_auto_falls_back_to_cmdstan_and_says_so(cmdstan_tiny, monkeypatch, capsys):
    stanli = B.get_backend("stanli")

    def unsupported(model, data):
        raise BackendUnavailableError("stanli cannot run this program: unsupported statement function foo")

    monkeypatch.setattr(stanli, "build", unsupported)
    backend = B.select_backend(TINY_CODE, data=TINY_DATA, verbose=True)
    assert backend.name == "cmdstanpy"
    out = capsys.readouterr().out
    assert "sampling with backend 'cmdstanpy' (auto; stanli cannot run this program: unsupported statement" in out


def _stan_version_of_executable(exe) -> tuple[int, int, int]:
    info = subprocess.run([str(exe), "info"], capture_output=True, text=True, check=True).stdout
    get = lambda key: int(info.split(f"stan_version_{key} = ")[1].split()[0])  # noqa: E731
    return get("major"), get("minor"), get("patch")


def _stan_version_of_httpstan() -> tuple[int, int, int]:
    import re
    from pathlib import Path

    import httpstan

    text = (Path(httpstan.__file__).parent / "include" / "stan" / "version.hpp").read_text()
    return tuple(int(re.search(rf"#define STAN_{k} (\d+)", text).group(1)) for k in ("MAJOR", "MINOR", "PATCH"))


@pytest.mark.slow
def test_cmdstan_and_pystan_share_seed_semantics(cmdstan_tiny, pystan_tiny):
    """Chain c of both uses Stan's stream (seed, id c): with the same Stan (the offline CmdStan
    takes its Stan from the httpstan wheel PyStan runs) the draws are identical; with another
    CmdStan they still agree within Monte Carlo error."""
    (cmdstan, c_model), (pystan, p_model) = cmdstan_tiny, pystan_tiny
    cfg = SampleConfig(chains=2, iter=600, seed=21, cores=1)
    a, b = cmdstan.sample(c_model, TINY_DATA, cfg), pystan.sample(p_model, TINY_DATA, cfg)
    assert {k: v.shape for k, v in a.params.items()} == {k: v.shape for k, v in b.params.items()}
    if _stan_version_of_executable(c_model.handle.exe) == _stan_version_of_httpstan():
        for name in a.params:
            np.testing.assert_allclose(a.params[name], b.params[name], rtol=1e-9, atol=1e-12, err_msg=name)
        np.testing.assert_array_equal(a.sampler_stats["n_leapfrog__"], b.sampler_stats["n_leapfrog__"])
    else:
        from brmspy.fit.arviz_io import ess_bulk

        x, y = a.params["mu"], b.params["mu"]
        assert abs(x.mean() - y.mean()) < 4 * math.sqrt(x.var() / ess_bulk(x) + y.var() / ess_bulk(y))


@pytest.mark.slow
def test_pystan_fixed_param(pystan_tiny):
    backend, model = pystan_tiny
    init = {"mu": 1.0, "sigma": 2.0, "theta": [0.2, 0.3, 0.5]}
    draws = backend.sample(model, TINY_DATA, SampleConfig(chains=2, iter=40, seed=1, init=init, cores=1,
                                                          algorithm="fixed_param"))
    assert draws.params["mu"].shape == (2, 20) and np.all(draws.params["mu"] == 1.0)
    assert set(draws.sampler_stats) >= set(B.SAMPLER_STATS)
