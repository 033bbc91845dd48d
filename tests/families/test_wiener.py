"""wiener (brms's drift diffusion model: ``rt | dec(choice) ~ ...`` with dpars ``bs``, ``ndt``, ``bias``).

Golden Stan code accepted by stanc, the numpy Navarro-Fuss density equal to Stan's ``wiener_lpdf``
(through brms's ``wiener_diffusion_lpdf``) on a grid and at posterior draws, a density that
integrates to one over both boundaries, draws whose boundary frequencies and mean reaction time
match the closed forms, brms's priors and ``dec()`` errors, and recovery of known values.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli
from scipy import integrate

import brmspy as bp
from brmspy.core.templates import StanFunction
from brmspy.families import FAMILIES, Extras
from brmspy.families.wiener import wiener_lpdf, wiener_rng
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

TRUTH = {"b_Intercept": 0.8, "b_x": 0.6, "bs": 1.4, "ndt": 0.25, "bias": 0.45}


def _data(n: int = 200, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    dp = {"mu": TRUTH["b_Intercept"] + TRUTH["b_x"] * x, "bs": np.full(n, TRUTH["bs"]),
          "ndt": np.full(n, TRUTH["ndt"]), "bias": np.full(n, TRUTH["bias"])}
    rt, dec = _simulate(dp, rng)
    return pd.DataFrame({"rt": rt, "dec": dec, "x": x, "g": np.arange(n) % 5})


def _simulate(dp, rng):
    """Reaction times and decisions (wiener_rng returns reaction times only, as brms's posterior_predict)."""
    n = len(dp["mu"])
    v, a, z = dp["mu"], dp["bs"], dp["bias"]
    p_up = np.expm1(-2 * v * a * z) / np.expm1(-2 * v * a)
    dec = (rng.uniform(size=n) < p_up).astype(int)
    # the upper boundary's times are the lower boundary's of the mirrored process (drift -v, bias 1 - z)
    mirrored = {"mu": np.where(dec == 1, -v, v), "bs": a, "ndt": dp["ndt"], "bias": np.where(dec == 1, 1 - z, z)}
    rt = _lower_times(mirrored, rng)
    return rt, dec


def _lower_times(dp, rng):
    # times of the lower boundary by inverse-CDF on a fine grid from the numpy density
    out = np.empty(len(dp["mu"]))
    for i in range(len(out)):
        t = np.linspace(1e-6, 12 * dp["bs"][i] ** 2, 6000)
        dens = np.exp(wiener_lpdf(t + dp["ndt"][i], 0, dp["bs"][i], dp["ndt"][i], dp["bias"][i], dp["mu"][i]))
        cdf = np.concatenate([[0.0], np.cumsum((dens[1:] + dens[:-1]) / 2 * np.diff(t))])
        out[i] = np.interp(rng.uniform() * cdf[-1], cdf, t) + dp["ndt"][i]
    return out


CASES = {
    "wiener": ("rt | dec(dec) ~ x", "wiener"),
    "wiener_dpars": (bp.bf("rt | dec(dec) ~ x + (1 | g)", "bs ~ x", "ndt ~ 1", "bias ~ x"), "wiener"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_code_and_stanc(name: str, update_golden: bool) -> None:
    formula, family = CASES[name]
    code = bp.make_stancode(formula, _data(n=40), family)
    assert_golden(f"fam_{name}", code, update_golden)


def test_numpy_density_equals_stans_wiener_on_a_grid() -> None:
    fun = StanFunction("wiener_diffusion").text
    prog = ("functions {\n" + fun + "}\ndata { int N; vector[N] y; array[N] int dec; vector[N] a; vector[N] t;"
            " vector[N] b; vector[N] d; }\nparameters { real x; }\nmodel { for (n in 1:N) "
            "target += wiener_diffusion_lpdf(y[n] | dec[n], a[n], t[n], b[n], d[n]); }\n")
    rng = np.random.default_rng(0)
    n = 150
    a, t, b = rng.uniform(0.5, 3, n), rng.uniform(0.05, 0.4, n), rng.uniform(0.1, 0.9, n)
    d, dec = rng.normal(0, 2, n), rng.integers(0, 2, n)
    y = t + rng.exponential(0.6, n) * a**2 / 2 + 1e-3
    ours = wiener_lpdf(y, dec, a, t, b, d)
    for i in range(n):
        m = stanli.Model(stan_code=prog, data={"N": 1, "y": [y[i]], "dec": [int(dec[i])], "a": [a[i]], "t": [t[i]],
                                              "b": [b[i]], "d": [d[i]]})
        lp, _ = m.log_prob_grad(np.array([0.0]))
        assert ours[i] == pytest.approx(lp, abs=1e-7), i  # Stan's series stops at ~1e-8


def test_density_integrates_to_one_over_both_boundaries() -> None:
    for a, tau, w, v in [(1.0, 0.2, 0.5, 0.0), (2.0, 0.1, 0.3, 1.5), (0.8, 0.3, 0.7, -2.0)]:
        total = sum(integrate.quad(lambda y: np.exp(wiener_lpdf(y, dec, a, tau, w, v)), tau, tau + 40 * a**2,
                                   limit=400, points=[tau + 0.01 * a**2, tau + a**2])[0] for dec in (0, 1))
        assert total == pytest.approx(1.0, abs=1e-7)
    assert wiener_lpdf(0.1, 1, 1.0, 0.2, 0.5, 0.0) == -np.inf  # before the non-decision time


def test_draws_match_the_closed_forms() -> None:
    rng = np.random.default_rng(4)
    n = 4000
    dp = {"mu": np.full(n, 1.2), "bs": np.full(n, 1.5), "ndt": np.full(n, 0.2), "bias": np.full(n, 0.4)}
    rt = wiener_rng(dp, Extras(), rng)
    # mean decision time of the diffusion (both boundaries), Wabersich & Vandekerckhove (2014)
    v, a, z = 1.2, 1.5, 0.4 * 1.5
    mean = 0.2 - z / v + a / v * np.expm1(-2 * v * z) / np.expm1(-2 * v * a)
    assert rt.mean() == pytest.approx(mean, abs=4 * rt.std() / np.sqrt(n))
    assert (rt > 0.2).all()


def test_brms_priors_and_dec_errors() -> None:
    d = _data(n=30)
    pr = bp.get_prior("rt | dec(dec) ~ x", d, "wiener")
    got = dict(zip(pr["class"], pr["prior"]))
    assert got["bs"] == "gamma(1, 1)" and got["bias"] == "beta(1, 1)" and got["ndt"] == "uniform(0, min_Y)"
    pr = bp.get_prior(bp.bf("rt | dec(dec) ~ x", "bs ~ x", "bias ~ 1"), d, "wiener")
    ints = pr[pr["class"] == "Intercept"].set_index("dpar")["prior"]
    assert ints["bs"] == "normal(-0.6, 1.3)" and ints["bias"] == "logistic(0, 1)"
    with pytest.raises(bp.FormulaError, match="Addition argument 'dec' is required for family 'wiener'"):
        bp.make_stancode("rt ~ x", d, "wiener")
    with pytest.raises(bp.FormulaError, match="'dec' is not supported for family 'gaussian'"):
        bp.make_stancode("rt | dec(dec) ~ x", d, "gaussian")
    sd = bp.make_standata("rt | dec(choice) ~ x", d.assign(choice=np.where(d.dec == 1, "upper", "lower")), "wiener")
    np.testing.assert_array_equal(sd["dec"], d["dec"])
    with pytest.raises(bp.DataError, match="'lower' or 'upper'"):
        bp.make_standata("rt | dec(choice) ~ x", d.assign(choice="left"), "wiener")


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm("rt | dec(dec) ~ x", _data(), "wiener", seed=2, refresh=0, iter=600, chains=2)


@pytest.mark.slow
def test_numpy_loglik_equals_stan_and_predictions(fit) -> None:
    assert_loglik_matches_stan(fit, draws=(0, 100, -1))
    ep = bp.posterior_epred(fit, ndraws=20)
    pp = bp.posterior_predict(fit, ndraws=5, seed=1)
    assert ep.shape == (20, 200) and pp.shape == (5, 200)
    assert np.isfinite(ep).all() and (pp > 0).all()
    ll = bp.log_lik(fit, ndraws=10)
    assert ll.shape == (10, 200) and np.isfinite(ll).all()


@pytest.mark.slow
def test_recovery_wiener(fit) -> None:
    assert_recovers(fit.draws_dict, TRUTH)
