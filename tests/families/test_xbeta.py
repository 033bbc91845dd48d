"""xbeta (brms 2.22's extended-support beta: ``Y = min(max((1 + 2 kappa) Z - kappa, 0), 1)``,
``Z ~ beta(mu phi, (1 - mu) phi)``), for proportions in [0, 1] with exact 0s and 1s.

Golden Stan code accepted by stanc, numpy log-likelihood equal to Stan's density (brms's
``xbeta_lpdf``) at posterior draws, a density whose point masses and interior integrate to one,
the closed-form mean against the draws, and recovery of known values.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate

import brmspy as bp
from brmspy.families import FAMILIES, Extras, brmsfamily
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

MATH = FAMILIES["xbeta"].math


def _data(n: int = 200, seed: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    dp = {"mu": 1 / (1 + np.exp(-(0.3 + 0.8 * x))), "phi": np.full(n, 5.0), "kappa": np.exp(-2.0 + 0.4 * x)}
    y = MATH.rng(dp, Extras(), rng)
    return pd.DataFrame({"y": y, "x": x, "g": np.arange(n) % 8})


CASES = {
    "xbeta": ("y ~ x", "xbeta"),
    "xbeta_kappa_group": (bp.bf("y ~ x + (1 | g)", "kappa ~ x"), "xbeta"),
    "xbeta_probit": ("y ~ x", brmsfamily("xbeta", "probit")),
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_code_and_stanc(name: str, update_golden: bool) -> None:
    formula, family = CASES[name]
    code = bp.make_stancode(formula, _data(), family)
    assert_golden(f"fam_{name}", code, update_golden)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_numpy_loglik_equals_stan_and_predictions(name: str) -> None:
    formula, family = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm(formula, _data(), family, seed=5, refresh=0, iter=200, chains=1)
    assert_loglik_matches_stan(fit, draws=(0, 50, -1))
    pp = bp.posterior_predict(fit, ndraws=20, seed=1)
    ep = bp.posterior_epred(fit, ndraws=20)
    assert pp.shape == ep.shape == (20, 200) and ((pp >= 0) & (pp <= 1)).all() and ((ep > 0) & (ep < 1)).all()


@pytest.mark.parametrize("mu, phi, kappa", [(0.3, 4.0, 0.2), (0.8, 20.0, 0.05), (0.5, 1.5, 1.0)])
def test_density_normalises_and_mean_matches_draws(mu, phi, kappa) -> None:
    dp = {"mu": mu, "phi": phi, "kappa": kappa}
    dens = lambda t: np.exp(MATH.loglik(np.array(t), dp, None))  # noqa: E731
    p0, p1 = dens(0.0), dens(1.0)
    inner, _ = integrate.quad(dens, 0, 1, limit=200)
    assert p0 + p1 + inner == pytest.approx(1.0, abs=1e-8)
    mean = p1 + integrate.quad(lambda t: t * dens(t), 0, 1, limit=200)[0]
    assert MATH.epred(dp, None) == pytest.approx(mean, abs=1e-8)
    draws = MATH.rng({k: np.full(200_000, v) for k, v in dp.items()}, Extras(), np.random.default_rng(2))
    assert (draws == 0).mean() == pytest.approx(p0, abs=0.004)
    assert (draws == 1).mean() == pytest.approx(p1, abs=0.004)
    assert draws.mean() == pytest.approx(mean, abs=0.003)


def test_family_facts() -> None:
    fam = brmsfamily("xbeta")
    assert fam.dpars == ("mu", "phi", "kappa") and fam.links == {"mu": "logit", "phi": "log", "kappa": "log"}
    gp = bp.get_prior("y ~ x", _data(), "xbeta")
    assert gp.loc[gp["class"] == "kappa", "prior"].item() == "gamma(0.01, 0.01)"
    with pytest.raises(bp.DataError, match=r"\[0, 1\]"):
        bp.make_standata("y ~ x", _data().assign(y=lambda d: d.y + 0.5), "xbeta")


@pytest.mark.slow
def test_recovery_xbeta() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm(bp.bf("y ~ x", "kappa ~ x"), _data(n=600, seed=12), "xbeta", seed=2, refresh=0, iter=600,
                     chains=2)
    assert_recovers(fit.draws_dict, {"b_Intercept": 0.3, "b_x": 0.8, "phi": 5.0, "b_kappa_Intercept": -2.0,
                                     "b_kappa_x": 0.4})
