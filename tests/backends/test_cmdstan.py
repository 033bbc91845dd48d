"""CmdStan end to end: ``brm(..., backend="cmdstanpy")`` gives stanli's posterior.

CmdStan is built on first need (``cmdstan_home`` in conftest.py, about 3 minutes once per
machine). The default run compiles eight programs, each once per machine (20-60 s; later runs find
the executables in the cache): sleepstudy, its ``threads=2`` ``reduce_sum`` version, and one
model per family group (continuous, count, ordinal, zero-inflated, mixture, censored). The
continuous one also serves every ``algorithm=``. ``pytest -m exhaustive`` compiles every golden
program and compares log densities and gradients with stanli's.
"""

from __future__ import annotations

import math
import subprocess
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import brmspy as bp
import brmspy.backends as B
from brmspy.fit.arviz_io import ess_bulk
from brmspy.core.errors import SamplingError
from tests.cases import CASES, Case, design_data

pytestmark = pytest.mark.slow

SETTINGS = dict(chains=4, iter=1000, cores=2, refresh=0)


def fit(formula, data, family=None, backend="stanli", seed=1, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(formula, data, family, backend=backend, seed=seed, **{**SETTINGS, **kw})


def compared_names(fit_) -> list[str]:
    return [n for n, p in fit_.param_info.items() if p.kind in ("b", "sd", "cor", "dpar")]


def assert_same_posterior(a_fit, b_fit, z: float = 4.5) -> None:
    """Means and sds of every population-level, group-level and family parameter agree within
    Monte Carlo error.

    The difference of two means has standard error sqrt(var_a / ess_a + var_b / ess_b) (bulk
    ESS); a sample sd's standard error is sd * sqrt((kurtosis - 1) / (4 ess)). With z = 4.5 a
    false alarm has probability about 7e-6 per comparison, while a wrong likelihood term moves
    a posterior by far more than 4.5 Monte Carlo errors (a few hundredths of an sd here).
    """
    names = compared_names(b_fit)
    assert names and compared_names(a_fit) == names  # same output names on both backends
    for n in names:
        a, b = np.asarray(a_fit.draws_dict[n], float), np.asarray(b_fit.draws_dict[n], float)
        ess_a, ess_b = float(ess_bulk(a)), float(ess_bulk(b))
        se_mean = math.sqrt(a.var() / ess_a + b.var() / ess_b)
        assert abs(a.mean() - b.mean()) < z * se_mean, (n, a.mean(), b.mean(), se_mean)
        ka, kb = stats.kurtosis(a.ravel(), fisher=False), stats.kurtosis(b.ravel(), fisher=False)
        se_sd = math.sqrt(a.var() * (ka - 1) / (4 * ess_a) + b.var() * (kb - 1) / (4 * ess_b))
        assert abs(a.std() - b.std()) < z * se_sd, (n, a.std(), b.std(), se_sd)


# --- data, one model per family group ------------------------------------------


def ordinal_data(n: int = 300, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    latent = 0.8 * x + rng.logistic(size=n)
    y = 1 + np.searchsorted([-1.0, 0.2, 1.3], latent)
    return pd.DataFrame({"y": pd.Categorical(y, categories=[1, 2, 3, 4], ordered=True), "x": x})


def zero_inflated_data(n: int = 300, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = np.where(rng.uniform(size=n) < 0.3, 0, rng.poisson(np.exp(0.8 + 0.4 * x)))
    return pd.DataFrame({"y": y, "x": x})


def mixture_data(n: int = 300, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    first = rng.uniform(size=n) < 0.35
    return pd.DataFrame({"y": np.where(first, rng.normal(-2, 1, n), rng.normal(3, 0.7, n))})


def censored_data(n: int = 200, seed: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    t = np.exp(0.5 + 0.4 * x) * rng.weibull(2.0, n)
    limit = rng.uniform(0.5, 3.0, n)
    return pd.DataFrame({"y": np.minimum(t, limit), "x": x, "c": np.where(t > limit, "right", "none")})


FAMILY_GROUPS = {
    "continuous": ("pos ~ x", lambda: design_data(), "lognormal"),
    "count": ("count ~ x + (1 | g)", lambda: design_data(), "negbinomial"),
    "ordinal": ("y ~ x", ordinal_data, "cumulative"),
    "zero_inflated": ("y ~ x", zero_inflated_data, "zero_inflated_poisson"),
    "mixture": ("y ~ 1", mixture_data, bp.mixture("gaussian", "gaussian", order="mu")),
    "censored": ("y | cens(c) ~ x", censored_data, "weibull"),
}


@pytest.fixture(scope="module")
def group_fits(cmdstan_home):
    """Each family group's model fitted once per backend, on demand."""
    cache: dict[tuple[str, str], bp.BrmsFit] = {}

    def get(group: str, backend: str) -> bp.BrmsFit:
        if (group, backend) not in cache:
            formula, data, family = FAMILY_GROUPS[group]
            cache[group, backend] = fit(formula, data(), family, backend=backend, seed=11)
        return cache[group, backend]

    return get


# --- the posterior, on CmdStan and stanli --------------------------------------


def test_sleepstudy_same_posterior_as_stanli(cmdstan_home, sleep_fit):
    df = bp.datasets.load("sleepstudy")
    c = fit("Reaction ~ Days + (Days | Subject)", df, backend="cmdstanpy", seed=7, iter=2000)
    assert c.backend == "cmdstanpy" and c.stancode() == sleep_fit.stancode()
    assert c.stan_draws.params.keys() == sleep_fit.stan_draws.params.keys()
    assert_same_posterior(c, sleep_fit)
    assert "(backend: cmdstanpy)" in str(c.summary())


@pytest.mark.parametrize("group", list(FAMILY_GROUPS))
def test_family_group_same_posterior_as_stanli(group, group_fits):
    c, s = group_fits(group, "cmdstanpy"), group_fits(group, "stanli")
    assert (c.backend, s.backend) == ("cmdstanpy", "stanli")
    assert_same_posterior(c, s)


def test_threads_run_reduce_sum_on_cmdstan(cmdstan_home, sleep_fit, monkeypatch):
    """threads=2 compiles the reduce_sum program with STAN_THREADS and runs each chain with two
    threads; the posterior is the row-wise program's (stanli's sleepstudy fit)."""
    import brmspy.backends.cmdstanpy_backend as cb

    runs = []
    real = cb.run_parallel

    def spy(cmds, logs, max_parallel=1, env=None, *args, **kw):
        runs.append((cmds, dict(env or {})))
        return real(cmds, logs, max_parallel, env, *args, **kw)

    monkeypatch.setattr(cb, "run_parallel", spy)
    df = bp.datasets.load("sleepstudy")
    c = fit("Reaction ~ Days + (Days | Subject)", df, backend="cmdstanpy", seed=8, iter=2000, threads=2)
    assert "reduce_sum(" in c.stancode() and "reduce_sum(" not in sleep_fit.stancode()
    assert c.standata()["grainsize"] < c.nobs()  # the rows really are split into slices
    (cmds, env), = runs
    exe = cmds[0][0]
    info = subprocess.run([exe, "info"], capture_output=True, text=True, check=True).stdout
    assert "STAN_THREADS=true" in info
    assert env["STAN_NUM_THREADS"] == "2"
    assert_same_posterior(c, sleep_fit)


# --- algorithm= --------------------------------------------------------------------

#: How far (in NUTS posterior sds) each approximation's means may be from NUTS's on the easy
#: lognormal model (a nearly normal 3-parameter posterior). Measured over seeds 12-15, the largest
#: offsets were 0.77 (meanfield), 0.41 (fullrank: ADVI stops at a noisy relative ELBO change),
#: 0.08 (pathfinder) and 0.20 (laplace, for sigma: a normal at the mode of log sigma); the sds were
#: within 0.79-1.3 of NUTS's. A wrong transform or scale would be off by whole sds.
TOLERANCE = {"meanfield": 1.0, "fullrank": 1.0, "pathfinder": 0.25, "laplace": 0.35}


@pytest.fixture(scope="module")
def approximations(group_fits):
    formula, data, family = FAMILY_GROUPS["continuous"]
    out = {}
    for algo in TOLERANCE:
        with pytest.warns(UserWarning, match=rf"algorithm='{algo}': the draws come from .*an approximation of the "
                                             r"posterior, not from MCMC"):
            # CmdStan's own (stanli runs these too, tests/backends/test_variational.py)
            out[algo] = bp.brm(formula, data(), family, seed=12, refresh=0, algorithm=algo,
                               backend="stanli" if algo == "laplace" else "cmdstanpy")
    return out


@pytest.mark.parametrize("algo", list(TOLERANCE))
def test_approximations_agree_with_nuts(algo, approximations, group_fits):
    nuts = group_fits("continuous", "stanli")
    approx = approximations[algo]
    assert approx.backend == ("stanli" if algo == "laplace" else "cmdstanpy")
    assert approx.stan_draws.nchains == 1 and approx.ndraws() == B.base.APPROXIMATE_DRAWS
    assert approx.config.algorithm == algo and approx.settings["algorithm"] == algo
    for name in compared_names(nuts):
        a, n = approx.draws_dict[name], nuts.draws_dict[name]
        assert abs(a.mean() - n.mean()) < TOLERANCE[algo] * n.std(), (name, a.mean(), n.mean(), n.std())
        assert 0.5 < a.std() / n.std() < 2, (name, a.std(), n.std())


def test_approximate_fit_works_with_every_post_processing_function(approximations, tmp_path):
    f = approximations["meanfield"]
    text = str(f.summary())
    assert "Algorithm: meanfield (meanfield variational inference (ADVI): an approximation of the posterior, " \
           "not MCMC)" in text
    assert "  Draws: 1 chains, each with iter = 1000; warmup = 0; thin = 1;" in text
    assert "Draws were sampled using meanfield (backend: cmdstanpy)." in text
    n = f.nobs()
    assert bp.fixef(f).shape[0] == 2
    assert bp.posterior_epred(f, ndraws=50).shape == (50, n)
    assert bp.posterior_predict(f, ndraws=50, seed=1).shape == (50, n)
    assert bp.log_lik(f).shape == (1000, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PSIS k-hat warnings are about the draws, not the API
        assert np.isfinite(bp.loo(f).estimates.loc["elpd_loo", "Estimate"])
    assert 0 < float(np.asarray(bp.bayes_R2(f))[0, 0]) < 1
    assert bp.hypothesis(f, "x > 0").hypothesis.shape[0] == 1
    assert f.draws().shape[0] == 1000
    f.to_arviz()
    bp.conditional_effects(f, "x")
    bp.pp_check(f, ndraws=10)
    # the algorithm survives saving and loading, and update() keeps it
    path = bp.save_fit(f, tmp_path / "meanfield.nc")
    loaded = bp.load_fit(path)
    assert loaded.config.algorithm == "meanfield" and str(loaded.summary()) == text
    with pytest.warns(UserWarning, match="approximation"):
        again = bp.update(f, iter=1500)
    assert again.config.algorithm == "meanfield" and again.config.iter == 1500


def test_fixed_param_keeps_the_initial_values(cmdstan_home):
    formula, data, family = FAMILY_GROUPS["continuous"]
    init = {"Intercept": 0.5, "b": [0.3], "sigma": 0.8}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no approximation warning, no NUTS diagnostics
        f = bp.brm(formula, data(), family, seed=1, refresh=0, chains=2, iter=200, algorithm="fixed_param",
                   init=init)
    assert f.backend == "cmdstanpy" and f.stan_draws.params["sigma"].shape == (2, 100)
    assert np.all(f.draws_dict["sigma"] == 0.8) and np.all(f.draws_dict["b_x"] == 0.3)
    assert "Algorithm: fixed_param (fixed parameter values (no MCMC): not MCMC)" in str(f.summary())


def test_stanli_refuses_fixed_param_naming_cmdstan():
    df = bp.datasets.load("sleepstudy")
    with pytest.raises(bp.BackendUnavailableError,
                       match="backend 'stanli' does not offer algorithm='fixed_param'.*backend='cmdstanpy' or "
                             "backend='pystan' does"):
        bp.brm("Reaction ~ Days", df, backend="stanli", algorithm="fixed_param", refresh=0)
    with pytest.raises(SamplingError, match="algorithm must be one of 'sampling', 'meanfield', 'fullrank', "
                                            "'pathfinder', 'laplace', 'fixed_param', got 'vb'"):
        bp.brm("Reaction ~ Days", df, algorithm="vb", refresh=0)


# --- every golden program: same log density and gradient ----------------------------


def _same_log_density(build, name: str, points: int = 3, seed: int = 0) -> None:
    stanli, cmdstan = B.get_backend("stanli"), B.get_backend("cmdstanpy")
    m_s, m_c = stanli.compile(build.code), cmdstan.compile(build.code)
    n = stanli.unconstrained_size(m_s, build.data)
    assert cmdstan.unconstrained_size(m_c, build.data) == n
    rng = np.random.default_rng(seed)
    compared = 0
    for _ in range(20 * points):
        if compared == points:
            break
        theta = rng.uniform(-1.5, 1.5, n)
        try:
            lp_s, g_s = stanli.log_prob_grad(m_s, build.data, theta)
        except SamplingError:  # outside the support: CmdStan must reject the point too
            with pytest.raises(SamplingError):
                cmdstan.log_prob_grad(m_c, build.data, theta)
            continue
        compared += 1
        lp_c, g_c = cmdstan.log_prob_grad(m_c, build.data, theta)
        np.testing.assert_allclose(lp_c, lp_s, rtol=1e-8, err_msg=f"{name}: log density differs")
        np.testing.assert_allclose(g_c, g_s, rtol=1e-6, atol=1e-8, err_msg=f"{name}: gradient differs")
    assert compared == points, f"{name}: too few points inside the support"


@pytest.mark.exhaustive
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_golden_program_same_on_stanli_and_cmdstan(case: Case, cmdstan_home):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build = bp.build_model(case.formula, case.frame(), case.family, case.prior)
    _same_log_density(build, case.name)
