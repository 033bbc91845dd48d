"""The golden model table: one entry per model whose Stan code is pinned.

Each case names a formula, family, data set and priors.  Data are simulated
with fixed seeds (``design_data``) or come from the bundled real data sets.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import brmspy as bp


def poisson_glmm_data(n: int = 10_000, groups: int = 50) -> pd.DataFrame:
    """A poisson ``y ~ x + (1 | g)`` data set (truth: Intercept 1, slope 0.3, group sd 0.5) for the
    approximations' tests against NUTS."""
    rng = np.random.default_rng(2024)
    g = rng.permutation(np.arange(n) % groups)
    x = rng.normal(size=n)
    y = rng.poisson(np.exp(1.0 + 0.3 * x + rng.normal(0, 0.5, groups)[g]))
    return pd.DataFrame({"y": y, "x": x, "g": g})


def design_data(n: int = 240, seed: int = 1) -> pd.DataFrame:
    """A simulated data set with a column for every response type and grouping structure."""
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 12, n)
    h = rng.integers(0, 6, n)
    a = rng.integers(0, 4, n)
    x = rng.normal(size=n)
    z = rng.normal(size=n)
    eta = 0.5 + 0.8 * x + rng.normal(0, 0.5, 12)[g]
    trials = rng.integers(5, 20, n)
    df = pd.DataFrame(
        {
            "x": x,
            "z": z,
            "f": pd.Categorical(rng.choice(["lo", "mid", "hi"], n), categories=["lo", "mid", "hi"]),
            "g": pd.Categorical([f"g{i:02d}" for i in g]),
            "h": h + 1,
            "a": a + 1,
            "b": rng.integers(1, 4, n),
            "byv": pd.Categorical(np.where(g < 6, "A", "B")),
            "g1": rng.integers(1, 9, n),
            "g2": rng.integers(1, 9, n),
            "w": rng.uniform(0.5, 2, n),
            "obs": np.arange(1, n + 1),
            "y": eta + rng.normal(0, 1, n),
            "yb": rng.binomial(1, 1 / (1 + np.exp(-eta))),
            "trials": trials,
            "ysucc": rng.binomial(trials, 1 / (1 + np.exp(-eta))),
            "count": rng.poisson(np.exp(eta)),
            "pos": rng.gamma(3, np.exp(eta) / 3),
            "unit": rng.beta(2 * 1 / (1 + np.exp(-eta)) * 5, 5 - 2 * 1 / (1 + np.exp(-eta)) * 2),
        }
    )
    return df


@dataclass(frozen=True)
class Case:
    name: str
    formula: object
    family: object = "gaussian"
    data: str = "design"
    prior: object = None
    notes: str = ""

    def frame(self, seed: int = 1, n: int = 240) -> pd.DataFrame:
        if self.data == "design":
            return design_data(n=n, seed=seed)
        return bp.datasets.load(self.data)


CASES: list[Case] = [
    Case("sleepstudy", "Reaction ~ Days + (Days | Subject)", data="sleepstudy"),
    Case("gaussian_fixed", "y ~ x + f"),
    Case("gaussian_intercept_only", "y ~ 1"),
    Case("gaussian_no_intercept", "y ~ 0 + x + f"),
    Case("gaussian_log_link", "pos ~ x", bp.gaussian(link="log")),
    Case("student", "y ~ x + (1 | g)", "student"),
    Case("bernoulli", "yb ~ x + (1 | g)", "bernoulli"),
    Case("bernoulli_probit", "yb ~ x", bp.bernoulli(link="probit")),
    Case("binomial_trials", "ysucc | trials(trials) ~ x + (1 | g)", "binomial"),
    Case("cbpp_binomial", "incidence | trials(size) ~ period + (1 | herd)", "binomial", data="cbpp"),
    Case("poisson_obs_effect", "count ~ x + (1 | g) + (1 | obs)", "poisson"),
    Case("poisson_identity", "count ~ x", bp.poisson(link="identity")),
    Case("negbinomial", "count ~ x + (1 | g)", "negbinomial"),
    Case("gamma", "pos ~ x + (1 | g)", "gamma"),
    Case("lognormal", "pos ~ x", "lognormal"),
    Case("beta", "unit ~ x + (1 | g)", "beta"),
    Case("weibull", "pos ~ x", "weibull"),
    Case("exponential", "pos ~ x + (1 | g)", "exponential"),
    Case("uncorrelated", "y ~ x + (1 + x || g)"),
    Case("factor_by_group", "y ~ x + (0 + f | g)"),
    Case("crossed", "y ~ x + (1 | g) + (1 | h)"),
    Case("nested", "y ~ x + (1 | a/b)"),
    Case("interaction_group", "y ~ x + (1 | a:b)"),
    Case("two_groups_one_term", "y ~ 1 + (1 | g) + (1 | h)"),  # "(1 | g + h)" is refused as by lme4
    Case("shared_id_across_dpars", bp.bf("y ~ x + (1 + x | ID | g)", "sigma ~ x + (1 | ID | g)")),
    Case("gr_by", "y ~ x + (1 + x | gr(g, by = byv))"),
    Case("gr_by_intercept", "y ~ x + (1 | gr(g, by = byv))"),
    Case("multi_membership", "y ~ x + (1 | mm(g1, g2))"),
    Case("sigma_formula", bp.bf("y ~ x + (1 | g)", "sigma ~ x")),
    Case("weights", "y | weights(w) ~ x + (1 | g)"),
    Case("poisson_weights", "count | weights(w) ~ x", "poisson"),
    Case("subset_uni", "y | subset(yb) ~ x + f + (1 | g)", notes="the rows with yb == 1; levels of g of all rows"),
    Case(
        "user_priors",
        "y ~ x + z + f",
        prior=bp.prior("normal(0, 5)", "b") + bp.prior("cauchy(0, 1)", "b", coef="z")
        + bp.prior("normal(0, 2)", "Intercept") + bp.prior("exponential(1)", "sigma"),
    ),
    Case("bounded_b", "y ~ x", prior=bp.prior("normal(0, 1)", "b", lb=0)),
    Case(
        "sd_cor_priors",
        "y ~ x + (1 + x | g)",
        prior=bp.prior("lkj(2)", "cor") + bp.prior("normal(0, 1)", "sd", group="g", coef="x"),
    ),
    Case("prior_horseshoe", "y ~ x + z + f + (1 | g)", prior=bp.prior("horseshoe(1)", "b")),
    Case("prior_horseshoe_dpars", bp.bf("y ~ x + z", "sigma ~ x + z"), prior=bp.prior("horseshoe(3, par_ratio = 0.2)", "b")
         + bp.prior("horseshoe(1)", "b", dpar="sigma")),
    Case("prior_r2d2", "y ~ x + z + f", prior=bp.prior("R2D2(mean_R2 = 0.8, prec_R2 = 10)", "b")),
    Case("prior_r2d2_poisson", "count ~ 0 + x + z", "poisson", prior=bp.prior("R2D2(0.5, 2, cons_D2 = c(1, 2))", "b")),
    Case("prior_bounds_sd_intercept_sigma", "y ~ x + (1 | g)", prior=bp.prior("normal(0, 2)", "sd", ub=10)
         + bp.prior("normal(0, 1)", "Intercept", lb=0) + bp.prior("normal(0, 2)", "sigma", ub=5)),
    Case("prior_horseshoe_b_sd_main", "y ~ x + z + (1 + x | g) + (1 | h)",
         prior=bp.prior("horseshoe(1, main = TRUE)") + bp.prior("horseshoe()", "sd")),
    # current brms's shrinkage across classes (issue 21): bsp of mo()/me(), bs and sds of s(), sdgp, ar/ma, sderr
    Case("prior_horseshoe_mo_me", "y ~ x + mo(a) + me(z, w)", prior=bp.prior("horseshoe(1)", "b")),
    Case("prior_r2d2_smooth_sds", "y ~ x + s(z)", prior=bp.prior("R2D2(0.5, 2, main = TRUE)", "b")
         + bp.prior("R2D2()", "sds")),
    Case("prior_r2d2_gp_sdgp", "y ~ x + gp(z, k = 5)", prior=bp.prior("R2D2(0.5, 2)", "sdgp")),
    Case("prior_horseshoe_arma", "y ~ x + z + arma(time = obs, p = 1, q = 1, cov = FALSE)",
         prior=bp.prior("horseshoe(1, main = TRUE)", "b") + bp.prior("horseshoe()", "ar") + bp.prior("horseshoe()", "ma")),
    Case("prior_r2d2_sderr", "count ~ x + ar(time = obs, p = 1)", "poisson",
         prior=bp.prior("R2D2(0.5, 2, main = TRUE)", "b") + bp.prior("R2D2()", "sderr")
         + bp.prior("normal(0, 0.5)", "ar")),
    Case("prior_constant_sds", "y ~ x + s(z) + s(x, k = 5)", prior=bp.prior("constant(0.5)", "sds", coef="s(z)")),
    # issue 21 (brms's make_stancode tests): mgcv's pure knot basis, cse(), constants on bcs/lscale, mixtures
    Case("smooth_pure_knot", "y ~ s(h, k = 6)"),
    Case("cse_acat", "a ~ x + cse(z) + (cse(1) | g)", "acat"),
    Case("prior_constant_bcs", "a ~ x + cs(z) + cs(w)", "sratio", prior=bp.prior("constant(0.5)", coef="z")),
    Case("prior_constant_lscale", "y ~ gp(x, z, iso = FALSE)", prior=bp.prior("constant(0.5)", "lscale", coef="gpxzz")),
    Case("mixture_theta_fixed", bp.bf("y ~ x", theta1=1, theta2=2), bp.mixture("gaussian", "gaussian")),
    Case("mixture_se", "y | se(w) ~ x", bp.mixture("gaussian", "student")),
    Case("prior_constants", "y ~ x + z + (1 | g)", prior=bp.prior("normal(0, 5)") + bp.prior("constant(1)", coef="x")
         + bp.prior("constant(0.5)", class_="sd") + bp.prior("constant(1)", class_="sigma")),
    Case("opt_center_false", bp.bf("y ~ x + f + (1 | g)", center=False)),
    Case("opt_cmc_false", bp.bf("y ~ 0 + f + x", cmc=False)),
    Case("opt_sparse", bp.bf("y ~ x + f", sparse=True), "student"),
    Case("opt_qr", bp.bf("y ~ x + z + f", decomp="QR"), prior=bp.prior("normal(0, 2)", "b")),
    Case("opt_qr_poisson", bp.bf("count ~ x + z + (1 | g)", decomp="QR"), "poisson"),
    Case("arabidopsis_poisson", "total.fruits ~ nutrient + amd + status + (1 | popu) + (1 | gen)", "poisson",
         data="Arabidopsis"),
]
CASE_BY_NAME = {c.name: c for c in CASES}


@dataclass(frozen=True)
class FitCase:
    """One model of a parametrized family/term test: golden-file name, formula and family;
    ``fit`` adds a short fit (numpy log_lik against Stan, predictions)."""

    name: str
    formula: str
    family: object
    fit: bool = True


def quick_fit(formula, data, family, **kw):
    """One short chain (200 iterations, seed 5), warnings silenced: enough to compare code paths."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(formula, data, family, seed=5, refresh=0, iter=200, chains=1, **kw)
