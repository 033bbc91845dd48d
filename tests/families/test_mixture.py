"""Mixture families: mixture(), theta simplex / theta formulas, order='mu', pp_mixture()."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.core.errors import FamilyError, FormulaError
from tests.checks import assert_golden, assert_loglik_matches_stan, interval_covers


def mixture_data(n=400, seed=11):
    rng = np.random.default_rng(seed)
    comp = rng.uniform(size=n) < 0.35
    x, z = rng.normal(size=n), rng.normal(size=n)
    y = np.where(comp, rng.normal(-2, 1, n), rng.normal(3, 0.7, n)) + 0.3 * x
    c = np.where(comp, rng.poisson(1.5, n), rng.negative_binomial(5, 5 / (5 + 8.0), n))
    t = rng.integers(10, 30, n)
    s = rng.binomial(t, np.where(comp, 0.2, 0.7))
    return pd.DataFrame({"y": y, "x": x, "z": z, "c": c, "comp": comp, "t": t, "s": s})


CASES = {
    "mix_gaussian2": ("y ~ x", lambda: bp.mixture("gaussian", "gaussian", order="none")),
    "mix_gaussian2_ordered": ("y ~ x", lambda: bp.mixture(bp.gaussian, bp.gaussian)),
    "mix_gaussian3": ("y ~ 1", lambda: bp.mixture("gaussian", nmix=3)),
    "mix_poisson_negbinomial": ("c ~ x", lambda: bp.mixture(bp.poisson(), bp.negbinomial())),
    "mix_theta_formula": (bp.bf("y ~ 1", "theta2 ~ x"), lambda: bp.mixture("gaussian", "gaussian")),
    "mix_mu2_formula": (bp.bf("y ~ x", "mu2 ~ z"), lambda: bp.mixture("gaussian", "gaussian", order="none")),
    "mix_binomial_trials": ("s | trials(t) ~ x", lambda: bp.mixture("binomial", "binomial")),
}


@pytest.fixture(scope="module")
def data():
    return mixture_data()


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_and_stanc(name, data, update_golden):
    formula, family = CASES[name]
    code = bp.make_stancode(formula, data, family())
    stanli.stan_to_mir(code)
    assert_golden(name, code, update_golden)


@pytest.mark.parametrize("name", sorted(CASES))
def test_loglik_matches_stan(name, data):
    formula, family = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm(formula, data.iloc[:200], family(), chains=1, iter=600, warmup=300, seed=3, refresh=0)
    assert_loglik_matches_stan(fit)
    S, N = fit.stan_draws.ndraws, 200
    if "poisson" not in name:  # an unidentified count component can drift to huge rates (numpy's poisson refuses)
        assert bp.posterior_predict(fit).shape == (S, N)
    epred = bp.posterior_epred(fit)
    assert epred.shape == (S, N) and np.all(np.isfinite(epred))


def test_names_and_priors(data):
    fam = bp.mixture("gaussian", "gaussian")
    assert fam.dpars == ("mu1", "sigma1", "mu2", "sigma2") and fam.order == "mu"
    assert bp.mixture("gaussian", "student").order == "none"
    prior = bp.get_prior("y ~ x", data, fam)
    theta = prior[prior["class"] == "theta"]
    assert list(theta["prior"]) == ["dirichlet(1)"]
    assert set(prior.loc[prior["class"] == "Intercept", "dpar"]) == {"mu1", "mu2"}
    assert {"sigma1", "sigma2"} <= set(prior["class"])
    sd = bp.make_standata("y ~ x", data, fam, prior=bp.set_prior("dirichlet(2)", class_="theta"))
    assert list(sd["con_theta"]) == [2.0, 2.0]


@pytest.fixture(scope="module")
def recovery_fit():
    d = mixture_data(n=500, seed=21)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y ~ 1", d, bp.mixture("gaussian", "gaussian", order="mu"), chains=1, iter=800, warmup=400,
                     seed=5, refresh=0)
    return fit, d


def test_recovery(recovery_fit):
    fit, d = recovery_fit
    dr = fit.draws()
    truth = {"b_mu1_Intercept": -2.0, "b_mu2_Intercept": 3.0, "sigma1": 1.0, "sigma2": 0.7, "theta1": 0.35,
             "theta2": 0.65}
    # y also has 0.3 * x noise: sd of the components grows to sqrt(sd^2 + 0.09)
    truth["sigma1"], truth["sigma2"] = np.sqrt(1 + 0.09), np.sqrt(0.49 + 0.09)
    for name, value in truth.items():
        assert interval_covers(np.asarray(dr[name]), value), (name, float(np.mean(dr[name])))


def test_pp_mixture(recovery_fit):
    fit, d = recovery_fit
    pm = bp.pp_mixture(fit)
    assert pm.shape == (len(d), 8)
    p1 = pm["Estimate.P(K = 1)"].to_numpy()
    clear = (d["y"] < -3.5) | (d["y"] > 4.0)
    assert clear.sum() > 20
    assert np.all((p1[clear] > 0.5) == (d["y"][clear] < 0))
    raw = bp.pp_mixture(fit, summary=False)
    assert raw.shape[1:] == (len(d), 2)
    np.testing.assert_allclose(raw.sum(axis=-1), 1.0)


def test_errors(data):
    with pytest.raises(FamilyError, match="Unknown family"):
        bp.mixture("gaussian", "gausian")
    with pytest.raises(FamilyError, match="at least 2"):
        bp.mixture("gaussian", nmix=1)
    with pytest.raises(FamilyError, match="real and integer"):
        bp.mixture("gaussian", "poisson")
    with pytest.raises(FamilyError, match="ordinal and non-ordinal"):  # ordinal mixtures: test_mixture_ordinal.py
        bp.mixture("cumulative", "gaussian")
    with pytest.raises(FormulaError, match="all but one mixing proportion"):  # brms: K - 1 thetas, not all
        bp.make_stancode(bp.bf("y ~ x", "theta1 ~ x", "theta2 ~ 1"), data, bp.mixture("gaussian", "gaussian"))
    with pytest.raises(FormulaError, match="no such parameter"):
        bp.make_stancode(bp.bf("y ~ x", "sigma3 ~ x"), data, bp.mixture("gaussian", "gaussian"))
    with pytest.raises(FormulaError, match="intercept"):
        bp.make_stancode("y ~ 0 + x", data, bp.mixture("gaussian", "gaussian"))
