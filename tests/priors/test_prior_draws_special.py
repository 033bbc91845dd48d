"""Prior draws (``sample_prior="yes"``) of special-term and autocorrelation parameters.

Each special kind draws its own parameters' priors in numpy
(:meth:`SpecialDesign.prior_draws`), named as brms names them: ``prior_bsp_mox``,
``prior_simo_mox1[j]``, ``prior_bs_*``/``prior_sds_sz_1``, ``prior_sdgp_gpz``/
``prior_lscale_gpz``, ``prior_ar``/``prior_ma``/``prior_cosy``.  The draws must
follow the prior restricted to the parameter's bounds (sds, sdgp, lscale >= 0;
ar/ma in (-1, 1) only in the covariance formulation, as brms; cosy in (0, 1)):
their mean and sd are compared with the analytic values of the truncated
distribution (scipy), and Kolmogorov-Smirnov tests check the whole shape.
Savage-Dickey ratios of ``hypothesis()`` then work for these parameters.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import brmspy as bp
from brmspy.core.distributions import parse_prior_string
from brmspy.priors.draws import scipy_dist

CHAINS, ITER = 2, 1000  # 1000 prior draws per parameter
NDRAWS = CHAINS * ITER // 2


def sim_data(n: int = 60, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, n)
    z = rng.uniform(-2, 2, n)
    g = np.repeat(np.arange(n // 6), 6)
    t = np.tile(np.arange(6), n // 6)
    return pd.DataFrame({"y": 1.0 + 0.5 * x + np.sin(z) + rng.normal(0, 0.5, n), "x": x, "z": z, "g": g, "t": t})


def _fit(formula, prior=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tiny fits: diagnostics are not the point
        return bp.brm(formula, data=sim_data(), prior=prior, sample_prior="yes", chains=CHAINS, iter=ITER, seed=7,
                      refresh=0)


@pytest.fixture(scope="module")
def mo_fit():
    return _fit("y ~ mo(x)", bp.prior("normal(0, 2)", "b") + bp.prior("dirichlet(2)", "simo", coef="mox1"))


@pytest.fixture(scope="module")
def smooth_fit():
    return _fit("y ~ s(z, k = 5)", bp.prior("normal(0, 3)", "b") + bp.prior("normal(1, 2)", "sds"))


@pytest.fixture(scope="module")
def gp_fit():
    return _fit("y ~ gp(z, k = 8)", bp.prior("normal(0.5, 1)", "sdgp"))  # lscale: brms's inv_gamma default


@pytest.fixture(scope="module")
def ar_fit():
    return _fit("y ~ x + ar(time = t, gr = g, p = 2)", bp.prior("normal(0.2, 0.5)", "ar"))


@pytest.fixture(scope="module")
def arma_cov_fit():
    return _fit("y ~ x + arma(time = t, gr = g, p = 1, q = 1, cov = TRUE)",
                bp.prior("normal(0.5, 0.6)", "ar") + bp.prior("normal(-0.2, 1)", "ma"))


@pytest.fixture(scope="module")
def cosy_fit():
    return _fit("y ~ x + cosy(time = t, gr = g)", bp.prior("normal(0.3, 0.5)", "cosy"))


# ------------------------------------------------------------------ helpers


def _truncated(prior: str, lower: float | None = None, upper: float | None = None):
    """scipy's frozen distribution of ``prior`` and its (mean, sd) restricted to [lower, upper]."""
    dist = scipy_dist(parse_prior_string(prior))
    lo = -np.inf if lower is None else lower
    hi = np.inf if upper is None else upper
    mean = dist.expect(lambda v: v, lb=lo, ub=hi, conditional=True)
    second = dist.expect(lambda v: v * v, lb=lo, ub=hi, conditional=True)
    return dist, mean, np.sqrt(second - mean**2)


def _cdf(dist, lower, upper):
    lo = 0.0 if lower is None else dist.cdf(lower)
    hi = 1.0 if upper is None else dist.cdf(upper)
    return lambda v: (dist.cdf(v) - lo) / (hi - lo)


def assert_prior_draws(fit, name: str, prior: str, lower: float | None = None, upper: float | None = None) -> None:
    """``name`` exists, lies within the bounds, and follows ``prior`` truncated to them (moments and KS)."""
    assert name in fit.draws_dict, f"{name} missing; prior draws: {[k for k in fit.draws_dict if k.startswith('prior_')]}"
    x = np.asarray(fit.draws_dict[name]).ravel()
    assert x.size == NDRAWS and np.all(np.isfinite(x))
    if lower is not None:
        assert x.min() >= lower
    if upper is not None:
        assert x.max() <= upper
    dist, mean, sd = _truncated(prior, lower, upper)
    se_mean = sd / np.sqrt(x.size)
    assert abs(x.mean() - mean) < 4 * se_mean, (name, x.mean(), mean)
    assert abs(x.std(ddof=1) - sd) < 0.1 * sd, (name, x.std(ddof=1), sd)  # ~4 MC sd of the sd for light tails
    assert stats.kstest(x, _cdf(dist, lower, upper)).pvalue > 1e-3, name


# ------------------------------------------------------------------ tests


def test_program_unchanged_by_prior_draws(mo_fit):
    # the draws are made in numpy: the sampled program is the one make_stancode() gives
    code = bp.make_stancode("y ~ mo(x)", sim_data(), prior=bp.prior("normal(0, 2)", "b")
                            + bp.prior("dirichlet(2)", "simo", coef="mox1"))
    assert mo_fit.stancode() == code
    assert "prior_bsp" not in "".join(line for line in code.splitlines() if "_rng" in line)


def test_mo_bsp_and_simplex(mo_fit):
    assert_prior_draws(mo_fit, "prior_bsp_mox", "normal(0, 2)")
    d = mo_fit.draws_dict
    simo = np.stack([d[f"prior_simo_mox1[{j}]"].ravel() for j in (1, 2, 3)], axis=1)
    np.testing.assert_allclose(simo.sum(axis=1), 1.0, atol=1e-12)
    assert simo.min() >= 0
    # dirichlet(2, 2, 2): every element is beta(2, 4), mean 1/3, sd sqrt(8 / 252)
    for j in range(3):
        x = simo[:, j]
        assert abs(x.mean() - 1 / 3) < 4 * np.sqrt(8 / 252) / np.sqrt(x.size)
        assert stats.kstest(x, stats.beta(2, 4).cdf).pvalue > 1e-3


def test_smooth_sds_truncated_at_zero(smooth_fit):
    assert_prior_draws(smooth_fit, "prior_sds_sz_1", "normal(1, 2)", lower=0.0)
    assert_prior_draws(smooth_fit, "prior_bs_sz_1", "normal(0, 3)")


def test_gp_sdgp_and_lscale(gp_fit):
    assert_prior_draws(gp_fit, "prior_sdgp_gpz", "normal(0.5, 1)", lower=0.0)
    row = gp_fit.prior_summary().query("`class` == 'lscale' and coef == 'gpz'")
    lscale_prior = row["prior"].iloc[0]
    assert lscale_prior.startswith("inv_gamma(")
    x = gp_fit.draws_dict["prior_lscale_gpz"].ravel()
    assert x.min() > 0
    dist = scipy_dist(parse_prior_string(lscale_prior))  # heavy right tail: compare the shape, not moments
    assert stats.kstest(x, dist.cdf).pvalue > 1e-3
    assert abs(np.median(x) - dist.median()) < 0.1 * dist.median()


def test_ar_conditional_formulation_unbounded(ar_fit):
    # brms: no bounds on ARMA coefficients without cov = TRUE, so the prior is not truncated
    assert_prior_draws(ar_fit, "prior_ar", "normal(0.2, 0.5)")
    assert (ar_fit.draws_dict["prior_ar"] > 1).any() or (ar_fit.draws_dict["prior_ar"] < -1).any()
    assert "prior_ma" not in ar_fit.draws_dict and "prior_b_x" not in ar_fit.draws_dict  # flat: no draws


def test_arma_cov_bounded(arma_cov_fit):
    assert_prior_draws(arma_cov_fit, "prior_ar", "normal(0.5, 0.6)", lower=-1.0, upper=1.0)
    assert_prior_draws(arma_cov_fit, "prior_ma", "normal(-0.2, 1)", lower=-1.0, upper=1.0)


def test_cosy_bounded(cosy_fit):
    assert_prior_draws(cosy_fit, "prior_cosy", "normal(0.3, 0.5)", lower=0.0, upper=1.0)


def test_flat_special_priors_have_no_draws():
    fit = _fit("y ~ mo(x) + cosy(time = t, gr = g)")  # bsp flat, cosy flat (uniform within bounds) by default
    names = [k for k in fit.draws_dict if k.startswith("prior_")]
    assert "prior_bsp_mox" not in names and "prior_cosy" not in names
    assert "prior_simo_mox1[1]" in names  # dirichlet(1) is proper


# ------------------------------------------------------------------ Savage-Dickey


def test_hypothesis_savage_dickey_on_bsp(mo_fit):
    res = bp.hypothesis(mo_fit, "bsp_mox = 0", class_="")
    er = res.hypothesis.loc[1, "Evid.Ratio"]
    assert np.isfinite(er) and er >= 0
    assert res.prior_samples is not None
    np.testing.assert_allclose(res.prior_samples["H1"], mo_fit.draws_dict["prior_bsp_mox"].ravel())
    # the data say bsp is far from 0 (true average step 0.5): evidence against the point hypothesis
    assert er < 1


def test_hypothesis_on_other_special_parameters(mo_fit, ar_fit, smooth_fit):
    for fit, h in ((mo_fit, "simo_mox1[1] = 0.5"), (ar_fit, "ar[1] = 0"), (smooth_fit, "sds_sz_1 = 1")):
        res = bp.hypothesis(fit, h, class_="")
        assert res.prior_samples is not None, h
        assert np.isfinite(res.hypothesis.loc[1, "Evid.Ratio"]), h
