"""Vectorised PSIS-LOO (issue 7, post-processing at scale): brmspy.criteria.psis against ArviZ's
per-observation functions (r_eff, generalized Pareto fit, PSIS weights, Pareto k, pointwise loo)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import xarray as xr
from arviz_stats.base import array_stats
from scipy import special

from brmspy.criteria import psis
from brmspy.criteria import results as criteria_results


def _arviz_psis(ll3: np.ndarray, r_eff: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ArviZ's PSIS, one call per observation (what brmspy did before)."""
    return criteria_results._az_psis(ll3, r_eff)


def _arviz_loo_pointwise(ll3: np.ndarray) -> dict[str, np.ndarray]:
    """The per-observation ArviZ computation of the pointwise loo quantities (reference)."""
    S, N = ll3.shape[0] * ll3.shape[1], ll3.shape[2]
    r_eff = criteria_results._relative_eff(ll3)
    lw, k = criteria_results._az_psis(ll3, r_eff)
    elpd = np.asarray(criteria_results._az_loo(ll3, lw, k).elpd_i).reshape(-1)
    lpd = criteria_results._logmeanexp(ll3.reshape(S, N))
    return {"elpd_loo": elpd, "p_loo": lpd - elpd, "pareto_k": k, "r_eff": r_eff,
            "mcse_elpd_loo": criteria_results._mcse_elpd(ll3, lw, elpd, r_eff),
            "n_eff": r_eff / np.sum(np.exp(2 * lw.reshape(S, N)), axis=0)}


def _pareto_ll(rng: np.random.Generator, C: int, D: int, k: np.ndarray) -> np.ndarray:
    """Log-likelihoods whose importance ratios 1/lik have Pareto tails of shape ``k`` per observation."""
    u = rng.uniform(size=(C, D, len(k)))
    return k * np.log(u) - 1.0  # -ll = -k log U: ratios exp(-ll) ~ Pareto with tail index 1/k


def _ar1(rng: np.random.Generator, C: int, D: int, N: int, phi: float) -> np.ndarray:
    e = rng.normal(size=(C, D, N))
    x = np.empty_like(e)
    x[:, 0] = e[:, 0]
    for t in range(1, D):
        x[:, t] = phi * x[:, t - 1] + e[:, t]
    return x


@pytest.fixture(scope="module")
def mixed():
    """(chain, draw, obs) log-likelihoods: light and heavy tails (k up to 1.4), autocorrelated chains."""
    rng = np.random.default_rng(7)
    C, D = 4, 400
    light = rng.normal(size=(C, D, 60)) * rng.uniform(0.05, 2.0, 60) - 1
    heavy = _pareto_ll(rng, C, D, np.linspace(0.2, 1.4, 40))
    slow = 0.3 * _ar1(rng, C, D, 20, 0.9)  # long Geyer sequences: the FFT fallback
    return np.concatenate([light, heavy, slow], axis=2)


# ------------------------------------------------------------------ r_eff


def test_relative_eff_matches_arviz(mixed):
    ref = criteria_results._relative_eff(mixed)
    np.testing.assert_allclose(psis.relative_eff(mixed), ref, rtol=1e-12)
    assert ref[-20:].max() < 0.5 < ref[:60].min()  # the autocorrelated columns are really inefficient


@pytest.mark.parametrize("C,D", [(1, 301), (3, 57), (2, 4)])
def test_relative_eff_odd_and_short_chains(C, D):
    rng = np.random.default_rng(C * D)
    ll = rng.normal(size=(C, D, 30)) + 0.5 * _ar1(rng, C, D, 30, 0.6)
    ll[..., 0] = -2.0  # a constant column: ESS = number of (split) draws
    np.testing.assert_allclose(psis.relative_eff(ll), criteria_results._relative_eff(ll), rtol=1e-12)


# ------------------------------------------------------------------ generalized Pareto fit


def test_gpdfit_matches_arviz_with_padded_rows():
    rng = np.random.default_rng(3)
    rows, ns = [], [200, 143, 57, 200, 90]
    for n, k in zip(ns, [0.1, 0.5, 0.9, -0.2, 1.3]):
        x = np.sort(rng.pareto(1 / k, n) if k > 0 else rng.uniform(0, 1, n) ** (-k))
        rows.append(x)
    width = max(ns)
    x = np.zeros((len(ns), width))
    for i, r in enumerate(rows):
        x[i, width - len(r):] = r  # right-aligned, zeros first
    kappa, sigma = psis.gpdfit(x, np.array(ns))
    for i, r in enumerate(rows):
        k_ref, s_ref = array_stats._gpdfit(r)
        assert kappa[i] == pytest.approx(k_ref, rel=1e-12, abs=1e-14)
        assert sigma[i] == pytest.approx(s_ref, rel=1e-12)


# ------------------------------------------------------------------ PSIS weights and k


def test_psislw_matches_arviz_per_observation(mixed):
    r_eff = criteria_results._relative_eff(mixed)
    lw_ref, k_ref = _arviz_psis(mixed, r_eff)
    lw, k = psis.psislw(mixed, r_eff)
    assert lw.shape == mixed.shape and k.shape == (mixed.shape[2],)
    assert np.sum(k_ref > 0.7) >= 10 and np.sum(k_ref > 1) >= 5  # heavy-tailed cases are covered
    np.testing.assert_allclose(k, k_ref, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(lw, lw_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(special.logsumexp(lw, axis=(0, 1)), 0.0, atol=1e-12)  # normalised


@pytest.mark.parametrize("C,D,r", [(2, 50, 1.0), (4, 100, 0.3), (1, 1000, 2.0)])
def test_psislw_tail_rules_match_arviz(C, D, r):
    """Short chains (tail = S/5 when S r_eff <= 225) and scalar r_eff, heavy and light tails."""
    rng = np.random.default_rng(D)
    ll = np.concatenate([rng.normal(size=(C, D, 10)), _pareto_ll(rng, C, D, np.linspace(0.3, 1.2, 10))], axis=2)
    r_eff = np.full(20, r)
    lw_ref, k_ref = _arviz_psis(ll, r_eff)
    lw, k = psis.psislw(ll, r)
    np.testing.assert_allclose(k, k_ref, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(lw, lw_ref, rtol=1e-12, atol=1e-12)


def test_psislw_on_a_dataarray(mixed):
    da = xr.DataArray(mixed, dims=("chain", "draw", "obs"), coords={"obs": np.arange(mixed.shape[2]) + 100})
    r_eff = psis.relative_eff(mixed)
    lw_da, k_da = psis.psislw(da.transpose("obs", "chain", "draw"), r_eff)
    lw, k = psis.psislw(mixed, r_eff)
    assert lw_da.dims == ("obs", "chain", "draw") and k_da.dims == ("obs",)
    np.testing.assert_array_equal(lw_da.transpose("chain", "draw", "obs").values, lw)
    np.testing.assert_array_equal(k_da.values, k)
    assert list(k_da["obs"].values[:2]) == [100, 101]


def test_degenerate_tails_follow_loo_instead_of_failing():
    """ArviZ raises for a tail under 5 draws or a flat tail; R's loo (and brmspy) report k = inf, unsmoothed."""
    rng = np.random.default_rng(0)
    short = rng.normal(size=(1, 20, 3))  # S = 20: tail of 4 draws
    lw, k = psis.psislw(short)
    assert np.all(np.isinf(k))
    np.testing.assert_allclose(lw, short.min(axis=(0, 1)) - short - special.logsumexp(
        short.min(axis=(0, 1)) - short, axis=(0, 1)), atol=1e-12)
    flat = np.full((2, 100, 2), -1.5)
    flat[..., 1] = rng.normal(size=(2, 100))
    with pytest.raises(ValueError):
        _arviz_psis(flat[..., :1], np.ones(1))
    lw, k = psis.psislw(flat)
    assert np.isinf(k[0]) and np.isfinite(k[1])
    np.testing.assert_allclose(lw[..., 0], -np.log(200))
    pw = psis.loo_pointwise(flat)
    assert pw["elpd_loo"][0] == pytest.approx(-1.5) and pw["p_loo"][0] == pytest.approx(0.0, abs=1e-12)


# ------------------------------------------------------------------ pointwise loo


def test_loo_pointwise_matches_arviz_reference(mixed):
    ref = _arviz_loo_pointwise(mixed)
    pw = psis.loo_pointwise(mixed, block=37)  # several blocks, the last one partial
    for key in ("elpd_loo", "p_loo", "pareto_k", "r_eff", "n_eff"):
        np.testing.assert_allclose(pw[key], ref[key], rtol=1e-11, atol=1e-11, err_msg=key)
    np.testing.assert_allclose(pw["mcse_elpd_loo"], ref["mcse_elpd_loo"], rtol=1e-9, atol=1e-11)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the reference's expm1 overflows on such rows
def test_loo_pointwise_wide_log_likelihoods_use_the_exact_path():
    """Rows spanning more than 600 nats (1/lik would overflow) are computed in log space."""
    rng = np.random.default_rng(5)
    ll = rng.normal(size=(2, 500, 12)) * np.array([1.0] * 6 + [150.0] * 6) - 3
    assert np.ptp(ll[..., 6:], axis=(0, 1)).min() > psis._FAST_RANGE
    ref = _arviz_loo_pointwise(ll)
    pw = psis.loo_pointwise(ll)
    ok = np.isfinite(ref["elpd_loo"]) & np.isfinite(ref["pareto_k"])
    assert ok[6:].sum() >= 3
    for key in ("elpd_loo", "p_loo", "pareto_k", "n_eff"):
        np.testing.assert_allclose(pw[key][ok], ref[key][ok], rtol=1e-11, atol=1e-10, err_msg=key)


def test_loo_pointwise_returns_the_log_weights(mixed):
    pw = psis.loo_pointwise(mixed[..., :30], log_weights=True)
    lw, k = psis.psislw(mixed[..., :30], pw["r_eff"])
    np.testing.assert_allclose(pw["log_weights"], lw, atol=1e-13)
    np.testing.assert_array_equal(pw["pareto_k"], k)


def test_loo_pointwise_threads_give_identical_results(mixed):
    one = psis.loo_pointwise(mixed, block=9)
    three = psis.loo_pointwise(mixed, block=9, workers=3)
    for key, v in one.items():
        np.testing.assert_array_equal(three[key], v, err_msg=key)


def test_good_k_is_arviz_threshold():
    assert psis.good_k(4000) == 0.7
    assert psis.good_k(100) == pytest.approx(0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert criteria_results._az_loo(np.zeros((1, 100, 1)), np.full((1, 100, 1), -np.log(100)),
                          np.zeros(1)).good_k == pytest.approx(psis.good_k(100))


@pytest.mark.parametrize("shapes", [((1, 30), (40, 30), (40, 1)), ((1, 30), (40, 1), (40, 30)),
                                    ((1, 1), (40, 1), (40, 30)), ((), (), ())])
def test_gaussian_log_density_is_scipys_bitwise(shapes):
    """The in-place gaussian log density behind log_lik at scale equals scipy.stats.norm.logpdf exactly."""
    from scipy import stats

    from brmspy.families.basic import _norm_logpdf

    rng = np.random.default_rng(len(shapes[0]))
    y, mu = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    sigma = np.exp(rng.normal(size=shapes[2]))
    ref = stats.norm.logpdf(y, mu, sigma)
    out = _norm_logpdf(y, mu, sigma)
    assert np.shape(out) == np.shape(ref)
    np.testing.assert_array_equal(out, ref)
    assert np.isnan(_norm_logpdf(0.0, 0.0, -1.0)) and np.isnan(stats.norm.logpdf(0.0, 0.0, -1.0))
