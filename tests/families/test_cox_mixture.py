"""cox as a mixture component: ``mixture("cox", "lognormal")`` (brms 2.18 allows one cox component).

brms 2.18 writes the component's baseline hazard as cox's alone (``Kbhaz``, ``Zbhaz``, ``Zcbhaz``,
``con_sbhaz``, ``sbhaz`` without a suffix; the prior row ``sbhaz`` has ``dpar = mu<k>``), so
``mixture(cox, cox)`` declares them twice and Stan rejects brms's program: brmspy refuses it with that reason.
Corpus cases ``fam_cox_mix_*`` compare data and priors with brms.  Tests: golden code accepted by stanc; the
refusal; a fit of a cox (Weibull proportional hazards) and a lognormal component whose numpy log-likelihood
equals Stan's density (also with interval censoring, through the component's cumulative hazard at ``y2``),
whose log_lik on new rows matches, and which recovers the mixing proportion, the log hazard ratio and the
lognormal component.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

THETA1, BETA = 0.6, 0.7  # cox component: proportion and log hazard ratio of x
SHAPE, SCALE = 1.5, 2.0  # its Weibull baseline at x = 0
MEANLOG, SLOPE, SIGMA = 3.0, 0.3, 0.3  # the lognormal component


def _data(n: int = 300, seed: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    cox = rng.uniform(size=n) < THETA1
    t_cox = SCALE * (-np.log(rng.uniform(size=n)) / np.exp(BETA * x)) ** (1 / SHAPE)
    t_ln = np.exp(MEANLOG + SLOPE * x + SIGMA * rng.normal(size=n))
    t = np.round(np.where(cox, t_cox, t_ln), 4)
    c = np.where(np.arange(n) % 4 == 0, 2, 0)  # every fourth row interval censored: (t, t + 0.5)
    return pd.DataFrame({"time": t, "time2": t + 0.5, "cint": c, "x": x})


FAMILY = bp.mixture("cox", "lognormal")

CASES = {
    "cox_mix_exponential": ("time ~ x", bp.mixture("cox", "exponential")),
    "cox_mix_weibull_interval": ("time | cens(cint, time2) ~ x", bp.mixture("weibull", bp.cox(link="identity"))),
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_code_and_stanc(name: str, update_golden: bool) -> None:
    formula, family = CASES[name]
    code = bp.make_stancode(formula, _data(n=40), family)
    assert_golden(f"fam_{name}", code, update_golden)


def test_priors_and_refusal_of_two_cox_components() -> None:
    d = _data(n=40)
    pr = bp.get_prior("time ~ x", d, FAMILY)
    row = pr[pr["class"] == "sbhaz"]
    assert list(row["dpar"]) == ["mu1"] and list(row["prior"]) == ["dirichlet(1)"]
    sd = bp.make_standata("time ~ x", d, FAMILY, prior=bp.prior("dirichlet(2)", class_="sbhaz", dpar="mu1"))
    np.testing.assert_array_equal(sd["con_sbhaz"], np.full(5, 2.0))
    np.testing.assert_array_equal(sd["Zcbhaz"], bp.make_standata("time ~ x", d, bp.cox())["Zcbhaz"])
    with pytest.raises(bp.FamilyError, match="more than one cox component"):
        bp.make_standata("time ~ x", d, bp.mixture("cox", "cox"))


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # a flexible baseline hazard fits the lognormal's long times as well, so the components can swap
        # (chains in different modes): interior knots where the cox times are and an informative prior on the
        # lognormal's intercept keep cox the short-time component
        fam = bp.mixture(bp.cox(bhaz={"knots": [0.5, 1, 2, 3, 5], "Boundary.knots": [0, 60]}), "lognormal")
        return bp.brm("time | cens(cint, time2) ~ x", _data(), fam, seed=6, refresh=0, iter=600, chains=2,
                      prior=bp.prior("normal(3, 0.3)", class_="Intercept", dpar="mu2"))

@pytest.mark.slow
def test_numpy_loglik_equals_stan_and_new_rows(fit) -> None:
    assert_loglik_matches_stan(fit, draws=(0, 100, -1))
    assert "sbhaz[1]" in fit.draws_dict and "sbhaz_mu1[1]" not in fit.draws_dict  # brms's names
    ll = bp.log_lik(fit)
    assert np.isfinite(ll).all()
    np.testing.assert_allclose(bp.log_lik(fit, newdata=fit.data.iloc[:9]), ll[:, :9], rtol=1e-10)
    with pytest.raises(bp.FamilyError, match="Cannot compute expected values .* family 'cox'"):
        bp.posterior_epred(fit)


@pytest.mark.slow
def test_recovery_of_both_components(fit) -> None:
    assert_recovers(fit.draws_dict, {"theta1": THETA1, "b_mu1_x": BETA, "b_mu2_Intercept": MEANLOG,
                                     "b_mu2_x": SLOPE, "sigma2": SIGMA})
    assert_recovers(fit.draws_dict, {"b_mu1_x": BETA, "b_mu2_x": SLOPE, "sigma2": SIGMA}, central95=True)
    assert fit.draws_dict["b_mu1_x"].std() < 0.2


@pytest.mark.slow
@pytest.mark.parametrize("formula, family", [
    ("time | bhaz(gr = g) ~ x", bp.mixture("cox", "exponential")),
    ("time | cens(cint, time2) + bhaz(gr = g) ~ x", bp.mixture("cox", "exponential")),
    ("time | trunc(lb = 0.01, ub = 80) ~ x", bp.mixture("weibull", "cox")),
])
def test_strata_and_bounds_in_mixtures(formula: str, family) -> None:
    """A cox component with stratified baselines, interval censoring or truncation: numpy equals Stan."""
    d = _data(n=60).assign(g=lambda v: np.where(v.index % 2 == 0, "a", "b"))
    pr = bp.get_prior(formula, d, family)
    assert all(pr.loc[pr["class"] == "sbhaz", "dpar"] == ("mu1" if family.components[0].name == "cox" else "mu2"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = bp.brm(formula, d, family, seed=1, refresh=0, iter=200, chains=1)
    assert_loglik_matches_stan(f)
