"""Autocorrelation of non-linear models: ``bf(y ~ a * exp(b * x), a + b ~ 1, nl = TRUE, autocor = ~ ar(time, g))``.

As brms: the structure belongs to the non-linear mu (ARMA terms added to mu after the non-linear
formula, row by row; covariance structures as one density per series); in an nlpar's formula it is
refused, as are CAR terms and latent residuals (families without natural residuals).  Golden programs
that stanc accepts; numpy log-likelihood equal to Stan's; predictions on new data; recovery of an
exponential curve with AR(1) residuals.  (Stan data and priors against brms 2.18: the ``nl_autocor_*``
cases of ``tests/package/test_brms_reference.py``.)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.core.errors import FormulaError, PriorError
from brmspy.prediction.core import series_log_lik
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers, parameter_names

PRIOR = bp.prior("normal(1, 2)", nlpar="a") + bp.prior("normal(0, 1)", nlpar="b")


def _data(groups: int = 6, times: int = 6, seed: int = 1, phi: float = 0.6) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for g in range(groups):
        e = 0.0
        for t in range(times):
            x = rng.uniform(0, 2)
            e = phi * e + rng.normal(0, 0.3)
            rows.append({"g": g, "time": t, "x": x, "y": 2 * np.exp(0.4 * x) + e})
    return pd.DataFrame(rows).sample(frac=1, random_state=2).reset_index(drop=True)


def _nl(autocor: str, *pforms: str) -> bp.BrmsFormula:
    return bp.bf("y ~ a * exp(b * x)", "a + b ~ 1", *pforms, nl=True, autocor=autocor)


CASES = {
    "nl_ar": (_nl("~ ar(time, g)"), "gaussian", None),
    "nl_arma_sigma_student": (_nl("~ arma(time, g, p = 2, q = 1)", "sigma ~ x"), "student", None),
    "nl_cosy": (_nl("~ cosy(time, g)"), "gaussian", None),
    "nl_unstr": (_nl("~ unstr(time, g)"), "gaussian", None),
    "nl_sar": (_nl("~ sar(W)"), "gaussian", "W"),
}


def _data2(name: str | None, n: int) -> dict | None:
    if name is None:
        return None
    W = np.zeros((n, n))
    for i in range(n - 1):
        W[i, i + 1] = W[i + 1, i] = 0.5
    return {name: W}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_and_stanc(name: str, update_golden: bool) -> None:
    formula, family, m = CASES[name]
    d = _data()
    code = bp.make_stancode(formula, d, family, prior=PRIOR, data2=_data2(m, len(d)))
    assert_golden(f"ac_{name}", code, update_golden)


def test_arma_terms_follow_the_nonlinear_formula() -> None:
    code = bp.make_stancode(CASES["nl_ar"][0], _data(), prior=PRIOR)
    body = code[code.index("model {"):]
    assert body.index("mu[n] = nlp_a[n] * exp(nlp_b[n] * C_1[n]);") < body.index("mu[n] += Err[n, 1:Kar] * ar;")
    p = bp.get_prior(CASES["nl_ar"][0], _data())
    ar = p[p["class"] == "ar"]
    assert len(ar) == 1 and ar["nlpar"].iloc[0] == "" and ar["lb"].iloc[0] == ""
    sd = bp.make_standata(CASES["nl_ar"][0], _data(), prior=PRIOR + bp.prior("normal(0, 0.5)", class_="ar"))
    assert sd["prior_ar_scale"] == 0.5 and sd["Kar"] == 1


@pytest.fixture(scope="module", params=list(CASES))
def short_fit(request):
    formula, family, m = CASES[request.param]
    d = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 200 iterations: convergence warnings are expected
        fit = bp.brm(formula, d, family, prior=PRIOR, data2=_data2(m, len(d)), chains=1, iter=200, seed=1, refresh=0)
    return request.param, fit


def test_numpy_log_lik_equals_stan(short_fit) -> None:
    name, fit = short_fit
    if name in ("nl_ar", "nl_arma_sigma_student"):  # pointwise densities given the earlier residuals
        assert_loglik_matches_stan(fit)
        return
    code, sd = fit.stancode(), fit.standata()
    full, prior = stanli.Model(stan_code=code, data=sd), stanli.Model(stan_code=code, data={**sd, "prior_only": 1})
    joint = series_log_lik(fit).sum(axis=1)
    for draw in (0, 37, 99):
        values = {n: fit.stan_draws.params[n][0, draw] for n in parameter_names(code) if n in fit.stan_draws.params}
        theta = full.unconstrain(values)
        assert full.log_prob_grad(theta)[0] - prior.log_prob_grad(theta)[0] == pytest.approx(joint[draw], rel=1e-9)


def test_predictions(short_fit) -> None:
    name, fit = short_fit
    n = len(fit.frame.data)
    assert bp.posterior_predict(fit).shape == bp.log_lik(fit).shape == (100, n)
    if name == "nl_ar":  # epred = non-linear mu plus ar * the residual of the row before (same series)
        d = fit.draws()
        rows = fit.frame.data
        mu = d["b_a_Intercept"].to_numpy()[:, None] * np.exp(d["b_b_Intercept"].to_numpy()[:, None] * rows["x"].to_numpy())
        err = rows["y"].to_numpy() - mu
        same = np.r_[False, rows["g"].to_numpy()[1:] == rows["g"].to_numpy()[:-1]]
        lagged = np.where(same, np.c_[np.zeros(len(mu)), err[:, :-1]], 0.0)
        np.testing.assert_allclose(bp.posterior_epred(fit), mu + d["ar[1]"].to_numpy()[:, None] * lagged, rtol=1e-10)
        np.testing.assert_allclose(bp.posterior_epred(fit, incl_autocor=False), mu, rtol=1e-10)
        new = pd.DataFrame({"g": [0, 0, 9], "time": [6, 7, 0], "x": [1.0, 0.5, 1.0]})  # continue series 0, new series
        assert bp.posterior_predict(fit, newdata=new).shape == (100, 3)
    if name != "nl_sar":
        assert bp.posterior_epred(fit, newdata=_data().iloc[:4]).shape == (100, 4)


@pytest.mark.parametrize("formula, family, match", [
    (bp.bf("y ~ a * exp(b * x)", "a ~ 1 + ar(time, g)", "b ~ 1", nl=True), "gaussian", r"\(mu\)"),
    (_nl("~ ar(time, g)"), "poisson", "latent residuals are not implemented for non-linear models"),
    (_nl("~ car(W, gr = g)"), "gaussian", "CAR terms are not implemented for non-linear models"),
])
def test_refusals(formula, family, match) -> None:
    d = _data()
    d["y"] = d["y"].round().astype(int) if family == "poisson" else d["y"]
    with pytest.raises(FormulaError, match=match):
        bp.make_stancode(formula, d, family, prior=PRIOR, data2={"W": np.eye(6)})


def test_shrinkage_on_ar_of_a_nonlinear_mu_refused() -> None:
    """brms cannot either: a non-linear mu has no shrinkage prior of its own to scale ar/ma."""
    for prior in ("horseshoe(1)", "R2D2()"):
        for cls_ in ("ar", "ma"):
            with pytest.raises(PriorError, match=r"non-linear model's autocorrelation structure is not available \(as brms"):
                bp.make_stancode(_nl("~ arma(time, g)"), _data(), prior=PRIOR + bp.prior(prior, class_=cls_))


@pytest.fixture(scope="module")
def fit_recovery():
    d = _data(groups=12, times=12, seed=5, phi=0.6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(CASES["nl_ar"][0], d, prior=PRIOR, chains=2, iter=600, seed=4, refresh=0)


def test_recovers_nonlinear_ar(fit_recovery) -> None:
    d = fit_recovery.draws()
    assert_recovers({k: d[k].to_numpy() for k in ("b_a_Intercept", "b_b_Intercept", "ar[1]", "sigma")},
                    {"b_a_Intercept": 2.0, "b_b_Intercept": 0.4, "ar[1]": 0.6, "sigma": 0.3})
