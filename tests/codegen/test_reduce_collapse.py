"""Collapsed covariate patterns (brmspy.codegen.reductions.collapse, issue 7).

bernoulli/binomial/poisson rows with identical data collapse into one term per
pattern. The reduced program must have exactly the row-wise log density (the
data-only constant ``lconst`` is added, so no "up to a constant"), be skipped
where it is not exact or not worthwhile, and leave post-processing on the rows.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
import brmspy.backends as B
from brmspy.codegen.reductions.collapse import pattern_index
from brmspy.core.errors import SamplingError
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_same_posterior


def pattern_data(n: int = 1200, seed: int = 0) -> pd.DataFrame:
    """Discrete covariates only: 1200 rows (reduce="auto" needs 1000) over a few dozen patterns."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "x": rng.integers(0, 3, n).astype(float),
        "z": rng.choice(["a", "b"], n),
        "g": rng.integers(1, 7, n),
        "h": rng.integers(1, 5, n),
        "k": rng.integers(1, 7, n),
        "t": rng.integers(1, 5, n),
        "e": rng.integers(1, 3, n).astype(float),
        "w": rng.choice([0.5, 1.0, 2.0], n),
    })
    df["grp"] = np.where(df["g"] <= 3, "lo", "hi")  # each level of g in one level of grp (gr(by=))
    df["y"] = rng.integers(0, 2, n)
    df["s"] = rng.binomial(df["t"].to_numpy(), 0.4)
    df["c"] = rng.poisson(1.5 * df["e"].to_numpy())
    df["cc"] = rng.choice([-1, 0, 1], n)  # censoring indicator (cens())
    return df


def _build(formula, data, family, reduce):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.build_model(formula, data, family, reduce=reduce)


# ----------------------------------------------------------------- golden code

GOLDEN = {
    "collapse_bernoulli": ("y ~ x + z", "bernoulli"),
    "collapse_binomial_trials": ("s | trials(t) ~ x + (1 | g)", "binomial"),
    "collapse_poisson_offset": ("c ~ x + offset(log(e)) + (1 | g)", "poisson"),
}


@pytest.mark.parametrize("name", list(GOLDEN))
def test_golden_reduced_code(name, update_golden):
    formula, family = GOLDEN[name]
    build = _build(formula, pattern_data(), family, "auto")
    assert build.generated.reduction == "collapse"
    assert "brm(..., reduce=False) gives the row-wise program" in build.code
    stanli.stan_to_mir(build.code)
    assert_golden(name, build.code, update_golden)


def test_code_depends_on_structure_only():
    """Another data set of the same structure gives the same program text (only the data differ)."""
    a = _build("c ~ x + offset(log(e)) + (1 | g)", pattern_data(1200, 0), "poisson", "auto")
    b = _build("c ~ x + offset(log(e)) + (1 | g)", pattern_data(1500, 5), "poisson", "auto")
    assert a.code == b.code
    assert a.data["N"] != b.data["N"] or not np.array_equal(a.data["Y"], b.data["Y"])


# ------------------------------------------------- exact log density and gradient

EXACT = {
    "bernoulli_logit_glm": ("y ~ x + z", "bernoulli"),
    "bernoulli_re": ("y ~ x + (1 | g)", "bernoulli"),
    "bernoulli_probit_intercept": ("y ~ 1 + (1 | g)", bp.bernoulli("probit")),
    "bernoulli_weights_two_groups": ("y | weights(w) ~ x + (1 | g) + (1 | h)", "bernoulli"),
    "binomial_trials_slopes": ("s | trials(t) ~ x + z + (1 + x | g)", "binomial"),
    "binomial_cloglog_weights": ("s | trials(t) + weights(w) ~ x + (1 | h)", bp.binomial("cloglog")),
    "binomial_two_groups_by": ("s | trials(t) ~ x + (1 | gr(g, by = grp)) + (1 | h)", "binomial"),
    "poisson_offset_re": ("c ~ x + offset(log(e)) + (1 | g)", "poisson"),
    "poisson_weights_two_groups": ("c | weights(w) ~ x + z + (1 | g) + (1 | h)", "poisson"),
    "poisson_mm": ("c ~ x + (1 | mm(g, k))", "poisson"),
    "poisson_sqrt": ("c ~ x + (1 | h)", bp.poisson("sqrt")),
    "poisson_softplus_weights": ("c | weights(w) ~ z + offset(e)", bp.poisson("softplus")),
    "bernoulli_one_pattern": ("y ~ 1", "bernoulli"),
    "binomial_no_intercept_weights": ("s | trials(t) + weights(w) ~ 0 + z", "binomial"),
    "binomial_correlated_mm": ("s | trials(t) ~ x + (1 + x | g) + (1 | mm(h, k))", "binomial"),
    "poisson_one_pattern": ("c ~ 1", "poisson"),
}


@pytest.mark.parametrize("name", list(EXACT))
def test_reduced_log_density_equals_rowwise(name):
    """Same unconstrained parameters, same log density (including constants) and gradient."""
    formula, family = EXACT[name]
    data = pattern_data()
    reduced, rowwise = _build(formula, data, family, True), _build(formula, data, family, False)
    assert reduced.generated.reduction == "collapse" and rowwise.generated.reduction is None
    assert reduced.data["N"] < rowwise.data["N"] == len(data)
    assert reduced.data["Nrows"].sum() == len(data)
    backend = B.get_backend("stanli")
    m_r, m_w = backend.compile(reduced.code), backend.compile(rowwise.code)
    n = backend.unconstrained_size(m_r, reduced.data)
    assert n == backend.unconstrained_size(m_w, rowwise.data)
    rng = np.random.default_rng(1)
    compared = 0
    for _ in range(40):
        theta = rng.uniform(-1.5, 1.5, n)
        try:
            lp_w, g_w = backend.log_prob_grad(m_w, rowwise.data, theta)
        except SamplingError:  # outside the support (e.g. a negative sqrt-link mean)
            continue
        lp_r, g_r = backend.log_prob_grad(m_r, reduced.data, theta)
        np.testing.assert_allclose(lp_r, lp_w, rtol=1e-9, err_msg=f"{name}: log density differs")
        np.testing.assert_allclose(g_r, g_w, rtol=1e-7, atol=1e-8, err_msg=f"{name}: gradient differs")
        compared += 1
        if compared == 3:
            break
    assert compared == 3


def test_log_density_includes_the_likelihood():
    """The comparison above can fail: a wrong constant or a dropped row is detected."""
    data = pattern_data()
    reduced, rowwise = _build("y ~ x + z", data, "bernoulli", True), _build("y ~ x + z", data, "bernoulli", False)
    backend = B.get_backend("stanli")
    m_r, m_w = backend.compile(reduced.code), backend.compile(rowwise.code)
    theta = np.array([0.3, -0.2, 0.1, 0.4])[: backend.unconstrained_size(m_r, reduced.data)]
    lp_w, _ = backend.log_prob_grad(m_w, rowwise.data, theta)
    bad = dict(reduced.data, Y=reduced.data["Y"].copy())
    bad["Y"][0] = bad["Y"][0] - 1 if bad["Y"][0] > 0 else 1  # one success moved
    assert abs(backend.log_prob_grad(m_r, bad, theta)[0] - lp_w) > 1e-3


# ------------------------------------------------------------- when it is skipped

SKIPPED = {
    "negbinomial": ("c ~ x", "negbinomial", True),
    "zero_inflated_poisson": ("c ~ x", "zero_inflated_poisson", True),
    "censored_poisson": ("c | cens(cc) ~ x", "poisson", True),
    "monotonic": ("c ~ mo(t)", "poisson", True),
    "continuous_covariate_auto": ("c ~ u", "poisson", "auto"),  # exact but every row its own pattern
    # the same for bernoulli, where the canonical-link reduction costs more than the row-wise glm form
    "continuous_covariate_auto_bernoulli": ("y ~ u", "bernoulli", "auto"),
}


@pytest.mark.parametrize("name", list(SKIPPED))
def test_reduction_skipped(name):
    formula, family, reduce = SKIPPED[name]
    data = pattern_data()
    data["u"] = np.random.default_rng(3).normal(size=len(data))
    build = _build(formula, data, family, reduce)
    # continuous covariates: the canonical-link reduction (which keeps the rows) takes over;
    # negbinomial: the distinct-counts reduction (which keeps the rows)
    expected = {"continuous_covariate_auto": "canonical_suffstats", "negbinomial": "count_values"}
    assert build.generated.reduction == expected.get(name)
    assert "covariate patterns" not in build.code and "Nrows" not in build.code
    assert build.data["N"] == len(data)


def test_auto_keeps_small_data_rowwise():
    """Under 1000 rows reduce="auto" keeps brms's program (cheap anyway; users compare it with brms)."""
    data = pattern_data(600)
    assert _build("y ~ x + z", data, "bernoulli", "auto").generated.reduction is None
    assert _build("y ~ x + z", data, "bernoulli", True).generated.reduction == "collapse"


def test_reduce_true_collapses_even_when_not_worthwhile():
    """reduce=True uses the reduction wherever it is exact (here one pattern per row)."""
    data = pattern_data(200)
    data["u"] = np.random.default_rng(3).normal(size=len(data))
    build = _build("y ~ u", data, "bernoulli", True)
    assert build.generated.reduction == "collapse" and build.data["N"] == len(data)


def test_reduce_false_gives_rowwise_code():
    data = pattern_data()
    rowwise = _build("y ~ x + (1 | g)", data, "bernoulli", False)
    assert rowwise.generated.reduction is None
    assert "bernoulli_logit_glm_lpmf(Y | Xc, mu, b)" in rowwise.code
    assert "Nrows" not in rowwise.code and "lconst" not in rowwise.code
    assert rowwise.data["N"] == len(data)
    assert bp.make_stancode("y ~ x + (1 | g)", data, "bernoulli", reduce=False) == rowwise.code
    assert "binomial_logit_glm_lpmf(Y | Nrows, Xc, mu, b)" in bp.make_stancode("y ~ x + (1 | g)", data, "bernoulli")


def test_build_frame_keeps_rows():
    data = pattern_data()
    build = _build("c ~ x + (1 | g)", data, "poisson", "auto")
    assert build.generated.reduction == "collapse"
    assert build.frame.N == len(data) and len(build.frame.responses[""].y) == len(data)
    assert build.frame.blocks[0].J[0].shape == (len(data),)


def test_pattern_index_fast_and_correct():
    """10**6 rows: vectorised grouping in about a second, same groups as np.unique(axis=0)."""
    rng = np.random.default_rng(0)
    n = 10**6
    cols = [rng.integers(0, 8, n).astype(float), rng.integers(1, 40, n), rng.normal(size=12).round(3)[rng.integers(0, 12, n)],
            np.ones(n)]
    start = time.perf_counter()
    p = pattern_index(cols, n)
    elapsed = time.perf_counter() - start
    assert elapsed < 3.0, f"pattern_index took {elapsed:.2f} s"
    assert p.count.sum() == n and np.array_equal(p.index[p.first], np.arange(p.P))
    # same partition as np.unique(axis=0) (slow: checked on the first 10**5 rows)
    m = 10**5
    sub = pattern_index([c[:m] for c in cols], m)
    uniq, inverse, counts = np.unique(np.column_stack([c[:m] for c in cols]), axis=0, return_inverse=True, return_counts=True)
    assert sub.P == len(uniq) == 8 * 39 * 12
    pairs = pd.DataFrame({"a": sub.index, "b": inverse.ravel()}).drop_duplicates()
    assert len(pairs) == sub.P  # pattern codes map one-to-one onto np.unique's
    assert np.array_equal(np.sort(sub.count), np.sort(counts))


# -------------------------------------------------------------------- sampling


def binary_data(n: int = 5000, seed: int = 11) -> pd.DataFrame:
    """5000 binary rows over 40 patterns (4 values of x times 10 groups); known truth."""
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 10, n)
    x = rng.integers(0, 4, n).astype(float)
    r = rng.normal(0, 0.5, 10)
    eta = -0.5 + 0.6 * x + r[g]
    return pd.DataFrame({"y": rng.binomial(1, 1 / (1 + np.exp(-eta))), "x": x, "g": g})


@pytest.fixture(scope="module")
def fits():
    data = binary_data()
    kw = dict(chains=2, iter=1000, seed=5, refresh=0)
    with warnings.catch_warnings():
        # sd of 10 group intercepts mixes slowly (bulk ESS ~100-150 of 1000 draws); the comparison
        # below uses each fit's own ESS, so the short runs keep the file fast without a false alarm
        warnings.simplefilter("ignore")
        reduced = bp.brm("y ~ x + (1 | g)", data, "bernoulli", **kw)
        rowwise = bp.brm("y ~ x + (1 | g)", data, "bernoulli", reduce=False, **kw)
    return data, reduced, rowwise


def test_sampling_same_posterior(fits):
    """Posterior means of the reduced and row-wise fits agree within Monte Carlo error."""
    data, reduced, rowwise = fits
    assert reduced.build.generated.reduction == "collapse" and reduced.standata()["N"] == 40
    assert rowwise.build.generated.reduction is None and rowwise.standata()["N"] == len(data)
    assert_same_posterior(reduced, rowwise, ["b_Intercept", "b_x", "sd_g__Intercept", "r_g[3,Intercept]"])
    assert abs(reduced.draws_dict["b_x"].mean() - 0.6) < 4 * reduced.draws_dict["b_x"].std()


def test_post_processing_uses_rows(fits):
    data, reduced, rowwise = fits
    assert reduced.nobs() == len(data)
    assert f"Number of observations: {len(data)}" in str(reduced.summary())
    ll = bp.log_lik(reduced)
    assert ll.shape == (reduced.ndraws(), len(data))
    res = bp.loo(reduced, subsample=200, seed=1)  # full PSIS over 5000 rows takes ~15 s here
    assert res.nobs == len(data) and res.elpd_loo_approx.shape == (len(data),)
    assert bp.posterior_epred(reduced).shape[1] == len(data)
    # numpy row-wise log_lik summed == Stan's reduced log density (likelihood part), constants included
    assert_loglik_matches_stan(reduced)
