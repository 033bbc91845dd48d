"""Exact gaussian reductions (issue 7): sufficient statistics and marginalised group effects.

- ``gaussian_suffstats`` has the row-wise program's parameters, so its log density and
  gradient must equal the row-wise program's at the same unconstrained points.
- ``gaussian_marginal`` integrates the group-level effects out, so its likelihood must equal
  the multivariate normal density of each group's rows (dense, scipy) and its posterior
  must equal the row-wise one within Monte Carlo error.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import multivariate_normal

import brmspy as bp
from brmspy.fit.convergence import ess_bulk
import brmspy.backends as B
from brmspy.backends.base import data_to_json
from brmspy.core.errors import BrmsError
from tests.checks import assert_golden, assert_same_posterior

STANLI = B.get_backend("stanli")


def _build(formula, data, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.build_model(formula, data, **kw)


def _lp(build, theta, prior_only: int = 0):
    data = dict(build.data, prior_only=prior_only)
    return STANLI.log_prob_grad(STANLI.compile(build.code), data, theta)


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 600
    d = pd.DataFrame({
        "x": rng.normal(size=n), "z": rng.normal(size=n),
        "a": rng.integers(0, 20, n).astype(str), "b": rng.integers(0, 15, n).astype(str),
        "w": rng.uniform(0.5, 2.0, n), "a2": rng.integers(0, 20, n).astype(str), "w2": rng.uniform(0, 1, n),
    })
    d["w3"] = 1 - d.w2
    d["c"] = (d.a.astype(int) % 3).astype(str)  # a coarser grouping of 'a' (for gr(by=))
    d["y"] = 1 + 0.5 * d.x + rng.normal(size=n)
    return d


# ------------------------------------------------------------------ choice


def test_auto_keeps_brms_program_for_small_data():
    df = bp.datasets.load("sleepstudy")
    b = _build("Reaction ~ Days + (Days | Subject)", df)
    assert b.generated.reduction is None
    assert "normal_id_glm_lpdf" in b.code and "exact reduction" not in b.code


def test_auto_reduces_large_data_and_reduce_false_does_not():
    rng = np.random.default_rng(0)
    n = 20_000
    d = pd.DataFrame({"x": rng.normal(size=n), "g": rng.integers(0, 50, n), "h": rng.integers(0, 40, n)})
    d["y"] = d.x + rng.normal(size=n)
    one = _build("y ~ x + (x | g)", d)
    assert one.generated.reduction == "gaussian_marginal"
    assert "Y" not in one.data and "X" not in one.data and "J_1" not in one.data
    crossed = _build("y ~ x + (1 | g) + (1 | h)", d)
    assert crossed.generated.reduction == "gaussian_suffstats"
    assert "csr_matrix_times_vector" in crossed.code
    row = _build("y ~ x + (x | g)", d, reduce=False)
    assert row.generated.reduction is None and row.data["Y"].shape == (n,)


@pytest.mark.parametrize(
    "formula, family, note",
    [
        ("y ~ x + (1 | a)", "student", "not gaussian"),
        ("y ~ x + (1 | a)", bp.gaussian(link="log"), "not the identity link"),
        (bp.bf("y ~ x + (1 | a)", "sigma ~ x"), "gaussian", "sigma varies by row"),
        ("y | cens(cc) ~ x + (1 | a)", "gaussian", "censoring"),
        ("y | se(w) ~ x + (1 | a)", "gaussian", "known standard errors"),
        ("y ~ x + offset(z) + (1 | a)", "gaussian", "offset"),
        ("y ~ x + s(z) + (1 | a)", "gaussian", "smooth"),
        ("y ~ x + ar(gr = a) + (1 | a)", "gaussian", "autocorrelation"),
    ],
)
def test_reduction_skipped_when_not_exact(sim, formula, family, note):
    d = sim.assign(y=sim.y.abs() + 0.1, cc=0)
    b = _build(formula, d, family=family, reduce=True)
    assert b.generated.reduction is None, note
    assert "exact reduction" not in b.code and "YtY" not in b.code, note


def test_bad_reduce_value(sim):
    with pytest.raises(BrmsError, match="reduce must be"):
        _build("y ~ x", sim, reduce="yes")


# ------------------------------------------------------- golden + stanc


def test_golden_marginal_sleepstudy(update_golden):
    b = _build("Reaction ~ Days + (Days | Subject)", bp.datasets.load("sleepstudy"), reduce=True)
    assert b.generated.reduction == "gaussian_marginal"
    assert_golden("reduce_gaussian_marginal", b.code, update_golden)


def test_golden_marginal_uncorrelated(sim, update_golden):
    b = _build("y ~ x + (1 + x + z || a)", sim, reduce="gaussian_marginal")
    assert_golden("reduce_gaussian_marginal_uncor", b.code, update_golden)


def test_golden_suffstats_crossed_weights(sim, update_golden):
    b = _build("y | weights(w) ~ x + (1 | a) + (x | b)", sim, reduce=True)
    assert b.generated.reduction == "gaussian_suffstats"
    assert_golden("reduce_gaussian_suffstats", b.code, update_golden)


# ------------------------------------------- exactness: sufficient statistics


@pytest.mark.parametrize(
    "formula",
    [
        "y ~ x + (x | a)",
        "y ~ x + (x || a)",
        "y ~ x + z",
        "y ~ x + (1 | a) + (x | b)",
        "y | weights(w) ~ x + (1 | a)",
        "y ~ 0 + x + (1 | a:b)",
        "y ~ 1 + (1 | a/b)",
        "y ~ x + (1 | mm(a, a2, weights = cbind(w2, w3)))",
        "y ~ x + (1 | gr(a, by = c))",
    ],
)
def test_suffstats_log_density_equals_rowwise(sim, formula):
    row = _build(formula, sim, reduce=False)
    red = _build(formula, sim, reduce="gaussian_suffstats")
    assert red.generated.reduction == "gaussian_suffstats"
    n = STANLI.unconstrained_size(STANLI.compile(row.code), row.data)
    rng = np.random.default_rng(5)
    for _ in range(3):
        theta = rng.uniform(-1.5, 1.5, n)
        lp0, g0 = _lp(row, theta)
        lp1, g1 = _lp(red, theta)
        np.testing.assert_allclose(lp1, lp0, rtol=1e-10)
        np.testing.assert_allclose(g1, g0, rtol=1e-8, atol=1e-8 * np.abs(g0).max())


# ------------------------------------------------ exactness: marginalisation


def _corr(rng, M):
    A = rng.normal(size=(M, M))
    C = A @ A.T + M * np.eye(M)
    d = 1 / np.sqrt(np.diag(C))
    return C * np.outer(d, d)


@pytest.mark.parametrize(
    "formula, zcols, cor",
    [
        ("y ~ x + (x | a)", ["1", "x"], True),
        ("y ~ x + (1 + x + z | a)", ["1", "x", "z"], True),
        ("y ~ x + (1 + x + z || a)", ["1", "x", "z"], False),
        ("y ~ 1 + (1 | a)", ["1"], False),
        ("y ~ 0 + x + (1 | a)", ["1"], False),
    ],
)
def test_marginal_likelihood_equals_multivariate_normal(sim, formula, zcols, cor):
    b = _build(formula, sim, reduce="gaussian_marginal")
    assert b.generated.reduction == "gaussian_marginal"
    rng = np.random.default_rng(len(formula))
    M = len(zcols)
    sd = rng.uniform(0.3, 2.0, M)
    R = _corr(rng, M) if cor else np.eye(M)
    design = b.frame.designs[next(iter(b.frame.designs))]
    values = {"sigma": 0.8, "sd_1": sd.tolist()}
    if design.intercept:
        values["Intercept"] = 1.3
    if design.coef_names:
        values["b"] = [0.4]
    if cor:
        values["L_1"] = np.linalg.cholesky(R).tolist()
    model = STANLI.compile(b.code)
    theta = STANLI.build(model, b.data).unconstrain(data_to_json(values))
    stan_loglik = _lp(b, theta)[0] - _lp(b, theta, prior_only=1)[0]

    S = np.diag(sd) @ R @ np.diag(sd)
    expected = 0.0
    for _, d in sim.groupby("a"):
        Z = np.column_stack([np.ones(len(d)) if c == "1" else d[c] for c in zcols])
        if design.intercept and design.coef_names:
            mu = 1.3 + 0.4 * (d.x - sim.x.mean())
        elif design.intercept:
            mu = np.full(len(d), 1.3)
        else:
            mu = 0.4 * d.x
        expected += multivariate_normal(np.asarray(mu), Z @ S @ Z.T + 0.64 * np.eye(len(d))).logpdf(d.y)
    np.testing.assert_allclose(stan_loglik, expected, rtol=1e-10)


# ------------------------------------------------------ same posterior


@pytest.fixture(scope="module")
def marginal_sleep():
    df = bp.datasets.load("sleepstudy")
    return bp.brm("Reaction ~ Days + (Days | Subject)", data=df, seed=1234, refresh=0, reduce="gaussian_marginal")


def test_marginal_posterior_equals_rowwise_on_sleepstudy(marginal_sleep, sleep_fit):
    assert marginal_sleep.build.generated.reduction == "gaussian_marginal"
    assert sleep_fit.build.generated.reduction is None
    names = ["b_Intercept", "b_Days", "sd_Subject__Intercept", "sd_Subject__Days", "cor_Subject__Intercept__Days",
             "sigma", "r_Subject[308,Intercept]", "r_Subject[309,Days]", "r_Subject[372,Days]"]
    assert_same_posterior(marginal_sleep, sleep_fit, names)
    # the group-level effects are draws, with the row-wise program's summaries
    r1, r0 = marginal_sleep.ranef()["Subject"], sleep_fit.ranef()["Subject"]
    np.testing.assert_allclose(r1.to_numpy(), r0.to_numpy(), atol=0.15 * np.abs(r0.to_numpy()).max())


def test_reduced_fit_postprocessing_uses_original_rows(marginal_sleep, sleep_fit):
    assert marginal_sleep.nobs() == 180
    ll1, ll0 = bp.log_lik(marginal_sleep), bp.log_lik(sleep_fit)
    assert ll1.shape == ll0.shape == (4000, 180)
    # two independent fits: each row's means differ by Monte Carlo error, which is larger at outlying
    # rows (sleepstudy's row 60: log_lik sd about 2); 4 standard errors from each fit's bulk ESS per row
    def mcse2(ll: np.ndarray) -> np.ndarray:
        ess = np.array([ess_bulk(ll[:, i].reshape(4, -1)) for i in range(ll.shape[1])])
        return ll.var(axis=0) / ess

    se = np.sqrt(mcse2(ll1) + mcse2(ll0))
    diff = np.abs(ll1.mean(axis=0) - ll0.mean(axis=0))
    assert np.all(diff < np.maximum(0.05, 4 * se)), (diff.max(), se[diff.argmax()])
    e1 = bp.loo(marginal_sleep).estimates.loc["elpd_loo"]
    e0 = bp.loo(sleep_fit).estimates.loc["elpd_loo"]
    assert abs(e1["Estimate"] - e0["Estimate"]) < 0.5 * e1["SE"]
    pred = bp.posterior_predict(marginal_sleep, ndraws=100)
    assert pred.shape == (100, 180)


@pytest.fixture(scope="module")
def sim_fits():
    """A simulated varying-slopes data set, fitted marginalised and with sufficient statistics."""
    rng = np.random.default_rng(2024)
    n, G = 3000, 30
    g = rng.integers(0, G, n)
    x = rng.normal(size=n)
    u = rng.multivariate_normal([0, 0], [[1.0, 0.3 * 0.5], [0.3 * 0.5, 0.25]], G)
    y = 2 + u[g, 0] + (0.5 + u[g, 1]) * x + rng.normal(scale=1.5, size=n)
    d = pd.DataFrame({"y": y, "x": x, "g": g})
    kw = dict(data=d, seed=7, refresh=0, chains=2, iter=1000)
    return (bp.brm("y ~ x + (x | g)", reduce="gaussian_marginal", **kw),
            bp.brm("y ~ x + (x | g)", reduce="gaussian_suffstats", **kw))


def test_marginal_posterior_equals_suffstats_on_simulated_data(sim_fits):
    marg, ss = sim_fits
    assert ss.build.generated.reduction == "gaussian_suffstats"
    assert_same_posterior(marg, ss, ["b_Intercept", "b_x", "sd_g__Intercept", "sd_g__x", "sigma", "r_g[3,x]"])
    # and both recover the truth (4 posterior sd)
    for name, truth in [("b_Intercept", 2.0), ("b_x", 0.5), ("sigma", 1.5)]:
        draws = marg.draws_dict[name]
        assert abs(draws.mean() - truth) < 4 * draws.std(), name
