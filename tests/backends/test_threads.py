"""``brm(..., threads=k)``: the likelihood split with ``reduce_sum`` (brmspy.codegen.threads).

* golden code of threaded programs (all pass stanc);
* for every covered family and structure, the threaded program has the same log
  density and gradient as the row-wise one at random unconstrained points, both
  through ``reduce_sum`` and with the slices spelled out (so uneven slices are
  checked whatever the scheduler does);
* uncovered structures keep the row-wise program with a warning; an exact
  reduction wins over threads;
* stanli samples a threaded program with ``threads_per_chain`` and gives the
  same posterior as the row-wise program; CmdStanPy and PyStan get their
  switches (checked with fakes: no C++ is compiled here).
"""

from __future__ import annotations

import dataclasses
import os
import re
import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.backends import get_backend
from brmspy.backends.base import CompiledModel, SampleConfig
from brmspy.backends.threads import is_threaded, stan_num_threads, threads_for
from brmspy.codegen.threads import default_grainsize
from brmspy.core.errors import BrmsError
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_same_log_density, assert_same_posterior


def _data(n: int = 60, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x, z = rng.normal(size=n), rng.normal(size=n)
    g, h = rng.integers(0, 6, n), rng.integers(0, 4, n)
    eta = 0.3 + 0.5 * x + rng.normal(0, 0.3, 6)[g]
    t = rng.integers(3, 12, n)
    return pd.DataFrame({
        "x": x, "z": z, "g": [f"g{i}" for i in g], "h": [f"h{i}" for i in h], "o": rng.integers(1, 5, n),
        "w": rng.uniform(0.5, 2, n), "e": rng.uniform(0.5, 3, n), "t": t, "sx": 0.3,
        "y": eta + rng.normal(size=n), "yb": (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(int),
        "yk": rng.binomial(t, 1 / (1 + np.exp(-eta))), "yc": rng.poisson(np.exp(eta)),
        "yp": np.exp(eta + rng.normal(0, 0.3, n)), "yu": 1 / (1 + np.exp(-(eta + rng.normal(0, 0.5, n)))),
    })


DATA = _data()

#: covered families and structures: name -> (formula, family)
COVERED = {
    "gaussian_fe": ("y ~ x + z", "gaussian"),
    "gaussian_re": ("y ~ x + (x | g)", "gaussian"),
    "gaussian_sigma_weights": (bp.bf("y | weights(w) ~ x + (x | g) + (1 || h)", sigma="~ z"), "gaussian"),
    "gaussian_factors": ("y ~ 0 + x + (1 | g) + (1 | h) + (1 | g:h)", "gaussian"),
    "gaussian_mm": ("y ~ x + (1 | mm(g, h))", "gaussian"),
    "student": ("y ~ x + (1 | g)", "student"),
    "bernoulli_glm_re": ("yb ~ x + (1 | g)", "bernoulli"),
    "bernoulli_probit": ("yb ~ x + z", bp.bernoulli(link="probit")),
    "binomial": ("yk | trials(t) ~ x + (1 | g)", "binomial"),
    "binomial_weights": ("yk | trials(t) + weights(w) ~ x", "binomial"),
    "poisson_offset": ("yc ~ x + offset(log(e)) + (1 | g)", "poisson"),
    "negbinomial": ("yc ~ x + (1 | g)", "negbinomial"),
    "negbinomial_shape": (bp.bf("yc ~ x", shape="~ z"), bp.negbinomial(link="sqrt")),
    "gamma": ("yp ~ x + (1 | g)", bp.Gamma(link="log")),
    "lognormal": ("yp ~ x + (x || g)", "lognormal"),
    "beta_phi": (bp.bf("yu ~ x + (1 | g)", phi="~ z"), "beta"),
    "smooth": ("y ~ s(x) + (1 | g)", "gaussian"),
    "mo_me": (bp.bf("y ~ mo(o) + me(x, sx)", sigma="~ mo(o)"), "gaussian"),
    "mv_no_rescor": (bp.bf("y ~ x + (1 | g)") + bp.bf("yc ~ x", family=bp.poisson()) + bp.set_rescor(False), None),
}


def _build(name: str, threads: int | None):
    formula, family = COVERED[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # a covered model must not fall back
        warnings.filterwarnings("ignore", message="Using the maximum response value")
        return bp.build_model(formula, DATA, family, reduce=False, threads=threads)


def _spelled_out(code: str) -> str:
    """The threaded program with each ``reduce_sum`` replaced by an explicit loop over slices."""

    def loop(m: re.Match) -> str:
        fn, args = m[1], " ".join(m[2].split())
        return (
            "for (k in 0:((N - 1) %/% grainsize)) {\n"
            "      int lo = k * grainsize + 1;\n"
            "      int hi = min(lo + grainsize - 1, N);\n"
            f"      target += {fn}(seq[lo:hi] | lo, hi, {args});\n"
            "    }"
        )

    out, n = re.subn(r"target \+= reduce_sum\((\w+), seq, grainsize,(.*?)\);", loop, code, flags=re.S)
    assert n >= 1
    return out


# ---------------------------------------------------------------- code


@pytest.mark.parametrize("name", ["gaussian_sigma_weights", "bernoulli_glm_re", "poisson_offset", "mv_no_rescor"])
def test_threaded_code_golden(name, update_golden):
    build = _build(name, 4)
    assert build.generated.reduction is None
    assert_golden(f"threads_{name}", build.code, update_golden)
    assert build.data["grainsize"] == default_grainsize(len(DATA), 4) == 100


def test_every_threaded_program_passes_stanc_and_keeps_its_data():
    for name in COVERED:
        rowwise, threaded = _build(name, None), _build(name, 2)
        stanli.stan_to_mir(threaded.code)
        assert threaded.code.count("reduce_sum(") == (2 if name.startswith("mv") else 1), name
        assert "reduce_sum" not in rowwise.code
        # the same data plus the grainsize; threads=2 and threads=8 write the same program
        assert set(threaded.data) - set(rowwise.data) == {"grainsize"}, name
        assert _build(name, 8).code == threaded.code


def test_threads_one_or_none_is_the_rowwise_program():
    assert _build("gaussian_re", 1).code == _build("gaussian_re", None).code


def test_grainsize_default():
    assert default_grainsize(60, 2) == 100
    assert default_grainsize(10_000, 4) == 1250
    assert default_grainsize(1001, 1) == 500


# ------------------------------------------------------- same density


@pytest.mark.parametrize("name", list(COVERED))
def test_threaded_log_density_equals_rowwise(name):
    rowwise, threaded = _build(name, None), _build(name, 2)
    data = {**threaded.data, "grainsize": 7}  # uneven slices: 60 rows = 8 x 7 + 4
    m_row = stanli.Model(stan_code=rowwise.code, data=rowwise.data)
    m_thr = stanli.Model(stan_code=threaded.code, data=data, threads_per_chain=2)
    m_spelled = stanli.Model(stan_code=_spelled_out(threaded.code), data=data)
    assert m_thr.n_unconstrained == m_row.n_unconstrained
    assert_same_log_density(m_row, [m_thr, m_spelled], label=name, spread=1.5, grad_atol=1e-10)


def test_spelled_out_slices_would_catch_a_wrong_slice():
    """The check above can fail: pairing rows with the wrong offsets changes the density."""
    threaded = _build("poisson_offset", 2)
    broken = threaded.code.replace("offsets[start:end]", "reverse(offsets[start:end])")
    assert broken != threaded.code
    data = {**threaded.data, "grainsize": 7}
    good = stanli.Model(stan_code=_spelled_out(threaded.code), data=data)
    bad = stanli.Model(stan_code=_spelled_out(broken), data=data)
    theta = np.zeros(good.n_unconstrained)
    assert abs(good.log_prob_grad(theta)[0] - bad.log_prob_grad(theta)[0]) > 1e-3


# -------------------------------------------------- not split: warnings


def _uncovered_cases():
    df = DATA.assign(cc=(np.arange(len(DATA)) % 5 == 0).astype(int), s=0.5,
                     ym=DATA["y"].where(np.arange(len(DATA)) % 7 != 0))
    nl_prior = [bp.prior("normal(0, 1)", nlpar="a"), bp.prior("normal(0, 1)", nlpar="b")]
    return {
        "ordinal": ("o ~ x + (1 | g)", "cumulative", {}, "cumulative family"),
        "categorical": ("o ~ x", "categorical", {}, "categorical family"),
        "mixture": ("y ~ x", bp.mixture("gaussian", "gaussian"), {}, "mixture family"),
        "cens": ("y | cens(cc) ~ x", "gaussian", {}, r"cens\(\) addition terms"),
        "trunc": ("yc | trunc(ub = 100) ~ x", "poisson", {}, r"trunc\(\)"),
        "se": ("y | se(s) ~ x", "gaussian", {}, r"se\(\)"),
        "autocor": ("y ~ x + ar(gr = g)", "gaussian", {}, "autocorrelation"),
        "gp": ("y ~ gp(x)", "gaussian", {}, r"gp\(\) terms"),
        "rescor": (bp.bf("y ~ x") + bp.bf("yp ~ x") + bp.set_rescor(True), None, {}, "residual correlations"),
        "nonlinear": (bp.bf("y ~ a * exp(b * x)", "a ~ 1", "b ~ 1", nl=True), "gaussian", {"prior": nl_prior},
                      "non-linear"),
        "mi": (bp.bf("ym | mi() ~ x") + bp.bf("y ~ mi(ym)") + bp.set_rescor(False), None, {},
               r"mi\(\) \(response 'ym'\)"),
    }, df


def test_uncovered_structures_warn_and_stay_rowwise():
    cases, df = _uncovered_cases()
    for name, (formula, family, kw, reason) in cases.items():
        with pytest.warns(UserWarning, match=f"threads=3 ignored: .*{reason}"):
            code = bp.make_stancode(formula, df, family, reduce=False, threads=3, **kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert code == bp.make_stancode(formula, df, family, reduce=False, **kw), name
        assert "reduce_sum" not in code


def test_exact_reduction_wins_over_threads():
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        build = bp.build_model("y ~ x + z", DATA, reduce=True, threads=4)
    assert build.generated.reduction is not None
    assert "reduce_sum" not in build.code
    assert build.code == bp.build_model("y ~ x + z", DATA, reduce=True).code


@pytest.mark.parametrize("threads", [0, -2, "2", 1.5, True])
def test_bad_threads_are_clear_errors(threads):
    with pytest.raises(BrmsError, match="threads must be"):
        bp.make_stancode("y ~ x", DATA, threads=threads)
    with pytest.raises(BrmsError, match="threads must be"):
        bp.brm("y ~ x", DATA, threads=threads, chains=1, iter=10, refresh=0)


# ------------------------------------------------------------- backends


def test_is_threaded_and_threads_for():
    code = _build("gaussian_re", 2).code
    assert is_threaded(code) and threads_for(code, 3) == 3
    assert not is_threaded(_build("gaussian_re", None).code)
    assert threads_for(_build("gaussian_re", None).code, 3) == 1


def test_stan_num_threads_restores_environment(monkeypatch):
    monkeypatch.delenv("STAN_NUM_THREADS", raising=False)
    with stan_num_threads(3):
        assert os.environ["STAN_NUM_THREADS"] == "3"
    assert "STAN_NUM_THREADS" not in os.environ
    monkeypatch.setenv("STAN_NUM_THREADS", "5")
    with pytest.raises(KeyError), stan_num_threads(2):
        assert os.environ["STAN_NUM_THREADS"] == "2"
        raise KeyError
    assert os.environ["STAN_NUM_THREADS"] == "5"


def test_stanli_builds_threaded_programs_with_threads_per_chain():
    backend = get_backend("stanli")
    threaded, rowwise = _build("gaussian_re", 2), _build("gaussian_re", None)
    m = backend.compile(threaded.code)
    assert backend.build(m, threaded.data, 2).threads_per_chain == 2
    assert backend.build(m, threaded.data).threads_per_chain == 1
    # a program without reduce_sum gains nothing from threads
    assert backend.build(backend.compile(rowwise.code), rowwise.data, 2).threads_per_chain == 1


class _Stop(Exception):
    """Raised by the fakes once they have recorded the call."""


# CmdStan with threads runs for real: tests/backends/test_cmdstan.py::test_threads_run_reduce_sum_on_cmdstan
# (STAN_THREADS build, STAN_NUM_THREADS per run, same posterior) and
# tests/backends/test_backends.py::test_cmdstanpy_threads_only_for_reduce_sum_programs.


def test_pystan_sets_stan_num_threads_for_the_chain_workers(monkeypatch, tmp_path):
    from brmspy.backends import pystan_backend as P

    seen: dict = {}

    @dataclasses.dataclass
    class FakePosterior:
        random_seed: int | None = None

        def sample(self, **kwargs):
            seen["env"] = os.environ.get("STAN_NUM_THREADS")
            raise _Stop

    backend = get_backend("pystan")
    monkeypatch.setattr(backend, "_require", lambda: None)
    monkeypatch.setattr(backend, "_posterior", lambda model, data: FakePosterior())
    monkeypatch.setattr(P, "_model_directory", lambda name: tmp_path)
    monkeypatch.setattr(P, "_set_pool_size", lambda cores, **kw: seen.update(pool=(cores, kw)))
    monkeypatch.delenv("STAN_NUM_THREADS", raising=False)
    threaded = _build("gaussian_re", 2)
    with pytest.raises(_Stop):
        backend.sample(CompiledModel("pystan", threaded.code, handle="models/x"), threaded.data,
                       SampleConfig(chains=2, cores=2, iter=20, seed=1, threads=3))
    assert seen["env"] == "3" and seen["pool"] == (2, {"threads": 3})
    assert "STAN_NUM_THREADS" not in os.environ


def test_pystan_pool_is_renewed_when_threads_change():
    import httpstan.services_stub as stub

    from brmspy.backends import pystan_backend as P

    original, saved = stub.executor, P._POOL_THREADS[0]
    try:
        P._set_pool_size(2, threads=3)
        first = stub.executor
        P._set_pool_size(2, threads=3)
        assert stub.executor is first  # same threads and size: workers are reused
        P._set_pool_size(2, threads=1)
        assert stub.executor is not first  # workers forked with STAN_NUM_THREADS=3 are replaced
    finally:
        for ex in {stub.executor, first} - {original}:
            ex.shutdown(wait=False)
        stub.executor, P._POOL_THREADS[0] = original, saved


def test_pystan_pool_that_was_shut_down_is_replaced():
    """A shut-down pool takes no chains ("cannot schedule new futures after shutdown"): replaced."""
    import concurrent.futures

    import httpstan.services_stub as stub

    from brmspy.backends import pystan_backend as P

    original, saved = stub.executor, P._POOL_THREADS[0]
    dead = concurrent.futures.ProcessPoolExecutor(max_workers=2)
    dead.shutdown(wait=False)
    try:
        stub.executor, P._POOL_THREADS[0] = dead, 1
        P._set_pool_size(2, threads=1)
        assert stub.executor is not dead
        assert stub.executor.submit(int, "7").result(timeout=60) == 7
    finally:
        if stub.executor is not original:
            stub.executor.shutdown(wait=False)
        stub.executor, P._POOL_THREADS[0] = original, saved


# ------------------------------------------------------------- sampling


def test_stanli_runs_the_slices_in_parallel_and_gets_the_same_density():
    """Large enough for stanli to dispatch the slices to threads (``reduce_sum_count``)."""
    df = _data(5000, seed=2)
    formula = bp.bf("y | weights(w) ~ x + (x | g)", sigma="~ z")
    rowwise = bp.build_model(formula, df, reduce=False)
    threaded = bp.build_model(formula, df, reduce=False, threads=2)
    m_row = stanli.Model(stan_code=rowwise.code, data=rowwise.data)
    m_thr = stanli.Model(stan_code=threaded.code, data=threaded.data, threads_per_chain=2)
    assert m_thr.reduce_sum_count == 1, m_thr.reduce_sum_fallbacks
    rng = np.random.default_rng(1)
    for _ in range(2):
        theta = rng.uniform(-1, 1, m_row.n_unconstrained)
        (lp, grad), (lp2, grad2) = m_row.log_prob_grad(theta), m_thr.log_prob_grad(theta)
        np.testing.assert_allclose(lp2, lp, rtol=1e-12)
        np.testing.assert_allclose(grad2, grad, rtol=1e-8, atol=1e-7)


def test_threaded_fit_on_stanli_matches_rowwise_posterior():
    rng = np.random.default_rng(11)
    g, x = rng.integers(0, 20, 300), rng.normal(size=300)
    df = pd.DataFrame({"x": x, "g": [f"g{i}" for i in g]})
    df["yc"] = rng.poisson(np.exp(0.5 + 0.4 * x + rng.normal(0, 0.5, 20)[g]))
    kw = dict(family="poisson", chains=2, iter=1000, seed=5, refresh=0, reduce=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # convergence notes of these short runs
        rowwise = bp.brm("yc ~ x + (1 | g)", df, **kw)
        threaded = bp.brm("yc ~ x + (1 | g)", df, threads=2, **kw)
    assert "reduce_sum" in threaded.stancode() and "reduce_sum" not in rowwise.stancode()
    assert threaded.settings["threads"] == 2
    assert_loglik_matches_stan(threaded)  # numpy log_lik (original rows) == the threaded program's likelihood
    assert_same_posterior(threaded, rowwise, ["b_Intercept", "b_x", "sd_g__Intercept"])
    for name in ["b_Intercept", "b_x", "sd_g__Intercept"]:
        b = threaded.draws_dict[name]
        assert abs(b.mean() - {"b_x": 0.4, "sd_g__Intercept": 0.5}.get(name, b.mean())) < 4 * b.std(), name
