"""Ordinal mixtures with thresholds per group (``thres(gr = g)``) and thresholds shared by the components
(``order = "mu"``), as brms 2.18 (issue 21; brms's test-suite case [129]).

brms 2.18: with ``thres(gr = g)`` every component ``mu<k>`` has thresholds ``Intercept_mu<k>_<i>`` per group,
merged into ``merged_Intercept_mu<k>`` and picked per row by ``Jthres`` (``<family>_<link>_merged_lpmf``);
with ``order = "mu"`` the thresholds are one parameter ``fixed_Intercept[_<i>]`` copied into every
component (``ordered`` when a component is cumulative), with priors of class ``Intercept`` without dpar.
Both go with uncentred predictors. The Stan data and prior tables are compared with brms in
tests/package/test_brms_reference.py (cases ``mix_thres_*``); here: golden code and stanc, refusals, the
numpy log-likelihood against Stan's density and recovery of simulated truth.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.core.errors import FamilyError, PriorWarning
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

# shared thresholds per group: "a" 3 thresholds (4 categories), "b" 2 thresholds (3 categories)
THRES = {"a": np.array([-1.5, 0.0, 1.5]), "b": np.array([-1.0, 1.0])}
B1, THETA1 = 2.5, 0.6  # component 1: mu1 = B1 * x; component 2: mu2 = 0 (mu2 ~ 1, which identifies them)


def mixture_data(n: int = 600, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    g = np.where(rng.uniform(size=n) < 0.5, "a", "b")
    comp1 = rng.uniform(size=n) < THETA1
    eta = np.where(comp1, B1 * x, 0.0)
    y = np.empty(n, dtype=np.int64)
    for lv, th in THRES.items():  # cumulative logit in both components
        rows = g == lv
        cdf = 1 / (1 + np.exp(-(th[None, :] - eta[rows, None])))
        y[rows] = 1 + (rng.uniform(size=rows.sum())[:, None] > cdf).sum(axis=1)
    return pd.DataFrame({"y": y, "x": x, "g": g, "z": rng.normal(size=n)})


def test_golden_code(update_golden: bool) -> None:
    d = mixture_data(80)
    code = bp.make_stancode("y | thres(gr = g) ~ x", d, bp.mixture("cratio", "acat", order="mu"))
    assert_golden("mix_thres_gr_fixed", code, update_golden)
    assert "vector[nthres[1]] fixed_Intercept_1;" in code  # cratio and acat: unordered, as brms
    code = bp.make_stancode(bp.bf("y | thres(gr = g) ~ x", "disc2 ~ z"), d, bp.mixture("acat", bp.cumulative("probit")))
    assert_golden("mix_thres_gr", code, update_golden)
    assert "cumulative_probit_merged_lpmf(Y[n] | mu2[n], disc2[n], merged_Intercept_mu2, Jthres[n])" in code
    code = bp.make_stancode("y ~ x", d, bp.mixture("cumulative", "acat", order="mu"))
    assert_golden("mix_thres_fixed", code, update_golden)
    assert "ordered[nthres] fixed_Intercept;" in code and "Xc_mu1 = X_mu1[, 2:K_mu1]" in code


def test_priors_and_refusals() -> None:
    d = mixture_data(80)
    p = bp.get_prior("y | thres(gr = g) ~ x", d, bp.mixture("cratio", "acat", order="mu"))
    ip = p[p["class"] == "Intercept"]
    assert set(ip["dpar"]) == {""} and list(zip(ip["group"], ip["coef"]))[:3] == [("", ""), ("a", ""), ("a", "1")]
    code = bp.make_stancode("y ~ x", d, bp.mixture("cumulative", "acat", order="mu"),
                            prior=bp.prior("normal(0, 3)", "Intercept", coef="2"))
    sd = bp.make_standata("y ~ x", d, bp.mixture("cumulative", "acat", order="mu"),
                          prior=bp.prior("normal(0, 3)", "Intercept", coef="2"))
    assert "fixed_Intercept[Jp_fixed_Intercept_normal]" in code or "prior_fixed_Intercept_normal_scale" in sd
    # brms 2.18 lists group rows but does not use them for the shared thresholds: a warning says so
    with pytest.warns(PriorWarning, match="does not use group-specific threshold priors"):
        bp.make_stancode("y | thres(gr = g) ~ x", d, bp.mixture("cratio", "acat", order="mu"),
                         prior=bp.prior("normal(0, 1)", "Intercept", group="b"))
    with pytest.raises(FamilyError, match="Cannot use equidistant and fixed thresholds"):
        bp.mixture(bp.cumulative(threshold="equidistant"), "cumulative", order="mu")


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(bp.bf("y | thres(gr = g) ~ x", "mu2 ~ 1"), mixture_data(),
                      bp.mixture("cumulative", "cumulative", order="mu"), chains=2, iter=500, seed=5, refresh=0)


def test_names_and_recovery(fit) -> None:
    names = set(fit.draws_dict)
    assert {"b_mu1_Intercept[a,1]", "b_mu2_Intercept[b,2]", "b_mu1_x", "theta1"} <= names
    assert fit.draws_dict["b_mu1_x"].std() < 1.0 and fit.draws_dict["theta1"].std() < 0.1  # informative data
    truth = {"b_mu1_x": B1, "theta1": THETA1,
             **{f"b_mu{k}_Intercept[{g},{j + 1}]": v for k in (1, 2) for g, th in THRES.items() for j, v in enumerate(th)}}
    assert_recovers(fit.draws_dict, truth)
    # the components share their thresholds
    np.testing.assert_array_equal(fit.draws_dict["b_mu1_Intercept[b,2]"], fit.draws_dict["b_mu2_Intercept[b,2]"])


def test_loglik_matches_stan(fit) -> None:
    assert_loglik_matches_stan(fit)


def test_loglik_matches_stan_per_component_thresholds() -> None:
    """order = "none": each component its own thresholds per group; acat with a predicted disc2."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        small = bp.brm(bp.bf("y | thres(gr = g) ~ x", "disc2 ~ z"), mixture_data(120, seed=2),
                       bp.mixture("acat", bp.cumulative("probit")), chains=1, iter=120, seed=1, refresh=0)
    assert {"b_mu1_Intercept[a,3]", "b_mu2_Intercept[b,1]"} <= set(small.draws_dict)
    assert_loglik_matches_stan(small)
    ep = bp.posterior_epred(small, ndraws=10)
    np.testing.assert_allclose(ep.sum(axis=2), 1.0)
    rows_b = (small.frame.data["g"] == "b").to_numpy()
    assert (ep[:, rows_b, 3] == 0).all()  # group b has 3 categories


def test_loglik_matches_stan_shared_thresholds() -> None:
    """order = "mu" without groups: one ordered fixed_Intercept (a cumulative component) for cumulative and acat."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        small = bp.brm("y ~ x", mixture_data(120, seed=3), bp.mixture("cumulative", "acat", order="mu"),
                       prior=bp.prior("normal(0, 3)", "Intercept", coef="2"), chains=1, iter=120, seed=1, refresh=0)
    assert "ordered[nthres] fixed_Intercept;" in small.stancode()
    d = small.draws_dict
    np.testing.assert_array_equal(d["b_mu1_Intercept[2]"], d["b_mu2_Intercept[2]"])
    assert_loglik_matches_stan(small)


def test_loglik_matches_stan_equidistant_per_group() -> None:
    """Equidistant thresholds per group and component (first_Intercept_mu<k>_<i>, delta_mu<k>_<i>)."""
    fam = bp.mixture(bp.cumulative(threshold="equidistant"), bp.sratio(threshold="equidistant"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        small = bp.brm("y | thres(gr = g) ~ x", mixture_data(120, seed=4), fam, chains=1, iter=120, seed=1, refresh=0)
    assert "real<lower=0> delta_mu1_1;" in small.stancode() and "real delta_mu2_2;" in small.stancode()
    assert_loglik_matches_stan(small)
