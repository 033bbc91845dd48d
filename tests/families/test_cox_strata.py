"""Stratified cox models: current brms's ``time | bhaz(gr = g) ~ x`` (brms 2.18 has no ``bhaz()`` term).

As current brms's ``stan_bhaz``/``data_bhaz``: data ``ngrbhaz``, ``Jgrbhaz`` and one concentration vector per
stratum (``con_sbhaz[k]``, a group's ``sbhaz`` prior over the class's), parameters
``array[ngrbhaz] simplex[Kbhaz] sbhaz`` named ``sbhaz[<group>,k]``, each row's hazards from its stratum's
simplex.  Tests: golden code accepted by stanc; brms's standata test (``ngrbhaz``, ``Jgrbhaz``, ``con_sbhaz``
with a group prior); a fit on two strata with different Weibull baselines and one log hazard ratio whose
numpy log-likelihood equals Stan's density, whose log_lik on new rows takes each row's stratum, and which
recovers the hazard ratio and both baseline cumulative hazards.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

BETA = -0.6
BASELINES = {"a": (1.5, 2.0), "b": (0.8, 3.0)}  # Weibull (shape, scale) of each stratum at x = 0


def _data(n: int = 300, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = np.where(np.arange(n) % 2 == 0, "a", "b")
    x = rng.normal(size=n)
    shape = np.array([BASELINES[v][0] for v in g])
    scale = np.array([BASELINES[v][1] for v in g])
    t = scale * (-np.log(rng.uniform(size=n)) / np.exp(BETA * x)) ** (1 / shape)
    c = rng.uniform(0.5, 8, size=n)
    return pd.DataFrame({"time": np.round(np.minimum(t, c), 4), "event": (t <= c).astype(int), "x": x, "g": g,
                         "h": np.arange(n) % 3 + 1, "cint": np.arange(n) % 3})


FAMILY = bp.cox()
FORMULA = "time | cens(1 - event) + bhaz(gr = g, Boundary.knots = c(0, 8)) ~ x"

CASES = {
    "cox_strata": ("time | bhaz(gr = g) ~ x", FAMILY),
    "cox_strata_interval": ("time | cens(cint, time + 1) + bhaz(gr = h, df = 4, Boundary.knots = c(0, 10)) ~ x + (1 | g)", FAMILY),
    "cox_strata_trunc": ("time | trunc(lb = 0.01) + bhaz(gr = g) ~ x", bp.cox(link="identity")),
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_code_and_stanc(name: str, update_golden: bool) -> None:
    formula, family = CASES[name]
    code = bp.make_stancode(formula, _data(n=40), family)
    assert_golden(f"fam_{name}", code, update_golden)


def test_standata_and_priors_as_current_brms() -> None:
    # brms's tests/testthat/tests.standata.R: numeric strata 1..3, a dirichlet(3) prior on the second
    d = _data(n=60)
    sd = bp.make_standata("time | bhaz(gr = h) ~ x", d, FAMILY, prior=bp.prior("dirichlet(3)", class_="sbhaz", group="2"))
    assert sd["ngrbhaz"] == 3
    np.testing.assert_array_equal(sd["Jgrbhaz"], d.h.to_numpy())
    np.testing.assert_array_equal(sd["con_sbhaz"], np.vstack([np.ones(5), np.full(5, 3.0), np.ones(5)]))
    assert sd["Zbhaz"].shape == sd["Zcbhaz"].shape == (60, 5)
    plain = bp.make_standata("time ~ x", d, FAMILY)  # one basis for every stratum
    np.testing.assert_array_equal(sd["Zcbhaz"], plain["Zcbhaz"])
    pr = bp.get_prior("time | bhaz(gr = g) ~ x", d, FAMILY)
    rows = pr[pr["class"] == "sbhaz"]
    assert list(rows["group"]) == ["", "a", "b"] and list(rows["prior"]) == ["dirichlet(1)", "", ""]
    # the class's prior goes to every stratum without its own
    sd2 = bp.make_standata("time | bhaz(gr = g) ~ x", d, FAMILY, prior=bp.prior("dirichlet(2)", class_="sbhaz"))
    np.testing.assert_array_equal(sd2["con_sbhaz"], np.full((2, 5), 2.0))
    with pytest.raises(bp.DataError, match=r"Column 'nope' used in 'bhaz\(gr = nope\)' is not in the data"):
        bp.make_standata("time | bhaz(gr = nope) ~ x", d, FAMILY)


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(FORMULA, _data(), FAMILY, seed=5, refresh=0, iter=600, chains=2)


@pytest.mark.slow
def test_numpy_loglik_equals_stan_names_and_new_rows(fit, tmp_path) -> None:
    assert_loglik_matches_stan(fit, draws=(0, 100, -1))
    names = [n for n in fit.draws_dict if n.startswith("sbhaz")]
    assert names == [f"sbhaz[{g},{k}]" for g in ("a", "b") for k in range(1, 6)]
    for g in ("a", "b"):
        total = sum(fit.draws_dict[f"sbhaz[{g},{k}]"] for k in range(1, 6))
        np.testing.assert_allclose(total, 1.0, rtol=1e-10)
    ll = bp.log_lik(fit)
    new = fit.data.iloc[[5, 2, 7, 0]]  # rows of both strata, in another order
    np.testing.assert_allclose(bp.log_lik(fit, newdata=new), ll[:, [5, 2, 7, 0]], rtol=1e-10)
    bp.save_fit(fit, tmp_path / "strata.brmspy")  # the strata come back with the model
    np.testing.assert_allclose(bp.log_lik(bp.load_fit(tmp_path / "strata.brmspy")), ll, rtol=1e-12)
    with pytest.raises(bp.DataError, match=r"column 'g' has level\(s\) \['z'\]"):
        bp.log_lik(fit, newdata=new.assign(g="z"))


@pytest.mark.slow
def test_recovery_of_the_hazard_ratio_and_each_baseline(fit) -> None:
    assert_recovers(fit.draws_dict, {"b_x": BETA}, central95=True)
    basis = fit.frame.responses[""].bhaz.basis
    times = np.array([0.5, 1.5, 3.0])
    scale = np.exp(np.ravel(fit.draws_dict["b_Intercept"]))[:, None]
    for g, (shape, sc) in BASELINES.items():
        s = np.stack([np.ravel(fit.draws_dict[f"sbhaz[{g},{k}]"]) for k in range(1, basis.n_basis + 1)], axis=-1)
        H = scale * (s @ basis.i(times).T)
        for j, t in enumerate(times):
            assert_recovers({"H": np.log(H[:, j])}, {"H": shape * np.log(t / sc)})
    # the strata differ: at t = 0.5 stratum b's cumulative hazard is larger (shape 0.8 < 1.5)
    sa = np.stack([np.ravel(fit.draws_dict[f"sbhaz[a,{k}]"]) for k in range(1, 6)], axis=-1) @ basis.i(times[:1]).T
    sb = np.stack([np.ravel(fit.draws_dict[f"sbhaz[b,{k}]"]) for k in range(1, 6)], axis=-1) @ basis.i(times[:1]).T
    assert np.mean(sb > sa) > 0.95
