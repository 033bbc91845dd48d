"""Special terms inside arithmetic: ``I(me(x, sdx)^2)``, ``I(log(mi(x)))`` (brms testsuite [189], [275]).

brms makes such a term one sp term (one element of ``bsp``, coefficient ``ImexsdxE2``) whose value is
the expression of the latent/imputed values (brms: ``(bsp[1]) * (Xme_1[n]^2)``; brmspy vectorised:
``bsp[1] * (Xme_1 .^ 2.0)``).  Golden code accepted by stanc, brms's names, numpy log-likelihood equal
to Stan's density, and recovery of a quadratic effect of an error-prone predictor.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli
from scipy import stats

import brmspy as bp
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers, parameter_names

B1, B2, SIGMA, NOISE = 0.8, -0.5, 0.4, 0.3
FORMULA = "y ~ me(x, sx) + I(me(x, sx)^2)"


def sim_data(n: int = 200, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, n)
    return pd.DataFrame({
        "y": 1.0 + B1 * x + B2 * x**2 + rng.normal(0, SIGMA, n),
        "x": x + rng.normal(0, NOISE, n),
        "sx": NOISE,
        "z": rng.normal(size=n),
        "f": np.array(list("abc"))[rng.integers(0, 3, n)],
    })


def mi_data(n: int = 120, seed: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    w = rng.normal(size=n)
    xm = np.exp(0.3 + 0.5 * w + rng.normal(0, 0.3, n))
    y = 0.5 + 1.2 * np.log(xm) + rng.normal(0, 0.5, n)
    xm[rng.choice(n, 15, replace=False)] = np.nan
    return pd.DataFrame({"y": y, "xm": xm, "w": w})


MI_FORMULA = bp.bf("y ~ I(log(mi(xm)))") + bp.bf("xm | mi() ~ w", family="lognormal") + bp.set_rescor(False)


@pytest.fixture(scope="module")
def fit():
    prior = bp.prior("normal(0, 5)", "meanme") + bp.prior("normal(0, 3)", "sdme") + bp.prior("normal(0, 5)", "b")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(FORMULA, sim_data(), prior=prior, chains=2, iter=800, seed=6, refresh=0)


@pytest.fixture(scope="module")
def mi_fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(MI_FORMULA, mi_data(), chains=2, iter=600, seed=2, refresh=0)


@pytest.mark.parametrize("name, formula, data", [
    ("sp_me_expr", FORMULA, sim_data),
    ("sp_me_expr_factor", "y ~ I(exp(me(x, sx) / 2)) * f + I(1 / me(x, sx)):z", sim_data),
    ("sp_mi_expr", MI_FORMULA, mi_data),
])
def test_golden_and_stanc(name, formula, data, update_golden):
    assert_golden(name, bp.make_stancode(formula, data(40)), update_golden)


def test_code_and_names_as_brms():
    df = sim_data(40)
    code = bp.make_stancode("y ~ I(me(x, sx)^2)", df)
    assert "mu += Intercept + bsp[1] * (Xme_1 .^ 2.0);" in code  # brms: (bsp[1]) * (Xme_1[n]^2)
    coefs = bp.get_prior("y ~ I(me(x, sx)^2) * z", df)["coef"].tolist()
    assert {"ImexsxE2", "ImexsxE2:z", "z", "mex"} <= set(coefs)
    # one latent variable for me(x, sx) wherever it appears
    sd = bp.make_standata(FORMULA, df)
    assert sd["Mme_1"] == 1 and sd["Ksp"] == 2 and "Xn_2" not in sd
    # mi(): the imputed values keep their rows (brms testsuite [275] form)
    f275 = bp.bf("y ~ I(log(mi(xm))) * w") + bp.bf("xm | mi() + trunc(lb = 0.01) ~ w", family="lognormal")
    code = bp.make_stancode(f275, mi_data(40))
    stanli.stan_to_mir(code)
    assert "bsp_y[1] * (log(Yl_xm)) + bsp_y[2] * (log(Yl_xm)) .* Csp_y_1" in code  # brms: (log(Yl_x[n])) * Csp_y_1[n]
    sd = bp.make_standata(f275, mi_data(40))
    assert sd["N"] == 40 and sd["Nmi_xm"] == int(mi_data(40)["xm"].isna().sum())


def test_recovery(fit):
    assert_recovers(fit.draws_dict, {"bsp_mexsx": B1, "bsp_ImexsxE2": B2, "sigma": SIGMA, "b_Intercept": 1.0})


def test_loglik_matches_stan(fit):
    assert_loglik_matches_stan(fit)


def test_mi_loglik_matches_stan(mi_fit):
    """y's log-likelihood reads log() of the imputed xm of each draw; with xm's (imputed values' density) = Stan's."""
    model = stanli.Model(stan_code=mi_fit.stancode(), data=mi_fit.standata())
    prior = stanli.Model(stan_code=mi_fit.stancode(), data={**mi_fit.standata(), "prior_only": 1})
    ll_y = bp.log_lik(mi_fit, resp="y")
    ll_x = bp.log_lik(mi_fit, resp="xm")
    missing = np.flatnonzero(np.isnan(ll_x[0]))
    assert len(missing) == mi_fit.standata()["Nmi_xm"] == 15 and np.isfinite(ll_y).all()
    mu = bp.posterior_linpred(mi_fit, resp="xm")[:, missing]
    ymi = mi_fit.stan_draws.params["Ymi_xm"].reshape(-1, len(missing))
    sigma = mi_fit.draws_dict["sigma_xm"].reshape(-1, 1)
    ll_x[:, missing] = stats.lognorm.logpdf(ymi, s=sigma, scale=np.exp(mu))
    total = ll_y.sum(axis=1) + ll_x.sum(axis=1)
    for draw in (0, 1, mi_fit.stan_draws.ndraws - 1):
        values = {n: mi_fit.stan_draws.params[n][0, draw] for n in parameter_names(mi_fit.stancode())}
        theta = model.unconstrain(values)
        assert model.log_prob_grad(theta)[0] - prior.log_prob_grad(theta)[0] == pytest.approx(total[draw], rel=1e-8)


def test_mi_recovery(mi_fit):
    assert_recovers(mi_fit.draws_dict, {"bsp_y_Ilogmixm": 1.2, "b_xm_w": 0.5})


def test_predictions_on_new_data(fit):
    new = sim_data(5, seed=9)
    epred = bp.posterior_epred(fit, newdata=new)
    assert epred.shape[1] == 5 and np.all(np.isfinite(epred))
