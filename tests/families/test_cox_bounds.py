"""cox with interval censoring (``cens(c, y2)``) and truncation (``trunc(lb, ub)``).

brms 2.18 writes these likelihoods as ``log_diff_exp`` of the survival functions but takes the cumulative
hazard at the response for every bound (``cox_log_lcdf(rcens[n] | mu[n], bhaz[n], cbhaz[n])``), so an
interval-censored or doubly truncated row has log density ``log_diff_exp(a, a) = -inf``.  brmspy keeps brms's
program and data and adds the cumulative hazard at the upper ends and bounds (``Zcbhaz_rcens``,
``Zcbhaz_lb``, ``Zcbhaz_ub``; README "Differences from brms"; corpus cases ``fam_cox_interval*``,
``fam_cox_trunc*`` compare everything else with brms).  Tests: golden code accepted by stanc; the bases at
the bounds; a fit on left-truncated (delayed entry), interval- and right-censored Weibull proportional-hazards
times whose numpy log-likelihood equals Stan's density, whose log_lik on new rows goes through the model's
basis, and which recovers the known log hazard ratio and baseline cumulative hazard.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

BETA = 0.7  # true log hazard ratio of x
SHAPE, SCALE = 1.5, 2.0  # Weibull baseline: cumulative hazard (t / SCALE)^SHAPE at x = 0
WIDTH = 0.5  # inspection interval of the interval-censored rows


def _data(n: int = 300, seed: int = 11) -> pd.DataFrame:
    """Delayed entry ``entry`` (left truncation), a third of the events seen only between inspections
    (interval censoring), right censoring at a uniform time; Weibull proportional hazards in ``x``."""
    rng = np.random.default_rng(seed)
    rows = []
    while len(rows) < n:
        x = rng.normal()
        entry = rng.uniform(0.05, 0.8)
        t = SCALE * (-np.log(rng.uniform()) / np.exp(BETA * x)) ** (1 / SHAPE)
        if t <= entry:  # never seen: left truncation
            continue
        c = rng.uniform(1.0, 6.0)
        if t > c:
            rows.append((c, c, 1, x, entry))
        elif len(rows) % 3 == 0:  # between inspections at multiples of WIDTH (not before entry)
            lo = np.floor(t / WIDTH) * WIDTH
            rows.append((max(lo, entry), lo + WIDTH, 2, x, entry))
        else:
            rows.append((t, t, 0, x, entry))
    d = pd.DataFrame(rows, columns=["time", "time2", "cens", "x", "entry"])
    return d.round({"time": 4, "time2": 4, "entry": 4}).assign(g=np.arange(n) % 5)


FORMULA = "time | cens(cens, time2) + trunc(lb = entry) ~ x"
FAMILY = bp.cox(bhaz={"Boundary.knots": [0, 7]})

CASES = {
    "cox_interval": ("time | cens(cens, time2) ~ x", bp.cox()),
    "cox_trunc": ("time | trunc(lb = entry, ub = 9) ~ x + (1 | g)", bp.cox(link="identity", bhaz={"Boundary.knots": [0, 10]})),
    "cox_interval_trunc": (FORMULA, FAMILY),
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_code_and_stanc(name: str, update_golden: bool) -> None:
    formula, family = CASES[name]
    code = bp.make_stancode(formula, _data(n=40), family)
    assert_golden(f"fam_{name}", code, update_golden)


def test_cumulative_hazard_bases_at_the_bounds() -> None:
    d = _data(n=40)
    sd = bp.make_standata(FORMULA, d, FAMILY)
    from brmspy.families.bhaz import check_bhaz_args
    from brmspy.frame.bhaz import mspline_basis

    b = mspline_basis(d.time.to_numpy(), check_bhaz_args({"Boundary.knots": [0, 7]}))
    np.testing.assert_allclose(sd["Zcbhaz"], b.i(d.time.to_numpy()), rtol=1e-12)
    np.testing.assert_allclose(sd["Zcbhaz_lb"], b.i(d.entry.to_numpy()), rtol=1e-12)
    interval = d.cens.to_numpy() == 2
    np.testing.assert_allclose(sd["Zcbhaz_rcens"][interval], b.i(d.time2.to_numpy()[interval]), rtol=1e-12)
    assert np.all(sd["Zcbhaz_rcens"][~interval] == 0)  # unused rows: the lower boundary knot
    assert "Zcbhaz_ub" not in sd and "Zcbhaz_rcens" not in bp.make_standata("time | cens(1 - (cens > 0)) ~ x", d, FAMILY)
    # a lower bound below the lower boundary knot: no hazard before it, cumulative hazard 0
    sd0 = bp.make_standata("time | trunc(lb = 0.01) ~ x", d, bp.cox(bhaz={"Boundary.knots": [0.03, 7]}))
    assert np.all(sd0["Zcbhaz_lb"] == 0)
    with pytest.raises(bp.DataError, match="infinite values"):  # brmspy's check of every family's bounds
        bp.make_standata("time | trunc(lb = entry, ub = inf) ~ x", d.assign(inf=np.where(d.index == 0, np.inf, 9.0)), FAMILY)
    with pytest.warns(bp.DataWarning, match="upper ends y2 of interval-censored rows lie beyond"):
        bp.make_standata("time | cens(cens, time2 + 10) ~ x", d, FAMILY)


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(FORMULA, _data(), FAMILY, seed=3, refresh=0, iter=600, chains=2)


@pytest.mark.slow
def test_numpy_loglik_equals_stan_and_new_rows(fit) -> None:
    assert_loglik_matches_stan(fit, draws=(0, 100, -1))
    ll = bp.log_lik(fit)
    assert np.isfinite(ll).all()
    new = bp.log_lik(fit, newdata=fit.data.iloc[:15])  # the bounds of new rows go through the model's basis
    np.testing.assert_allclose(new, ll[:, :15], rtol=1e-10)
    # an interval-censored row's likelihood is the probability of its interval given survival to entry
    d = fit.data
    j = int(np.flatnonzero(d.cens.to_numpy() == 2)[0])
    basis = fit.frame.responses[""].bhaz.basis
    s = np.stack([np.ravel(fit.draws_dict[f"sbhaz[{k}]"]) for k in range(1, basis.n_basis + 1)], axis=-1)
    mu = np.exp(np.ravel(fit.draws_dict["b_Intercept"]) + np.ravel(fit.draws_dict["b_x"]) * d.x.iloc[j])
    H = lambda t: mu * (s @ basis.i(np.array([t])).T).ravel()  # noqa: E731
    want = np.log(np.exp(-H(d.time.iloc[j])) - np.exp(-H(d.time2.iloc[j]))) + H(d.entry.iloc[j])
    np.testing.assert_allclose(ll[:, j], want, rtol=1e-9)
    with pytest.raises(bp.FamilyError, match="Cannot compute expected values .* family 'cox'"):
        bp.posterior_epred(fit)


@pytest.mark.slow
def test_recovery_of_the_log_hazard_ratio_and_baseline(fit) -> None:
    assert_recovers(fit.draws_dict, {"b_x": BETA}, central95=True)
    assert fit.draws_dict["b_x"].std() < 0.2
    basis = fit.frame.responses[""].bhaz.basis
    times = np.array([1.0, 2.0, 3.0])
    s = np.stack([np.ravel(fit.draws_dict[f"sbhaz[{k}]"]) for k in range(1, basis.n_basis + 1)], axis=-1)
    H = np.exp(np.ravel(fit.draws_dict["b_Intercept"]))[:, None] * (s @ basis.i(times).T)
    for j, t in enumerate(times):
        assert_recovers({"H": np.log(H[:, j])}, {"H": SHAPE * np.log(t / SCALE)})
