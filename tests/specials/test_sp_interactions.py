"""Interactions of sp terms: ``mo(x):z``, ``mo(x) * z``, ``me(x, sdx):z``, ``mo(x1):mo(x2)``, ``mi(x):z``.

brms gives each product one element of ``bsp`` (coefficient ``mox:z``), passes
the covariate part as data ``Csp_<k>`` and gives every ``mo()`` occurrence its
own simplex (``simo_mox:z1``).  Checked here: parsing and expansion of ``*``,
golden Stan code accepted by stanc, Stan data, priors by coefficient, numpy
log-likelihood equal to Stan's, recovery of a simulated monotonic interaction,
predictions on new data, and clear errors for unsupported products.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.formula.terms import SpInteraction, parse_rhs
from tests.checks import assert_golden, assert_loglik_matches_stan

SIMO = np.array([0.6, 0.3, 0.1])  # true simplex of both mo() occurrences (D = 3)
B_MO, B_Z, B_MOZ = 1.0, 0.5, 0.6  # bsp_mox, b_z, bsp_mox:z


def _mo(simo: np.ndarray, x: np.ndarray) -> np.ndarray:
    """brms's mo(): D * cumulative sum of the simplex up to x (0 at x = 0); simo (S, D) or (D,)."""
    simo = np.atleast_2d(simo)
    cum = np.concatenate([np.zeros((simo.shape[0], 1)), simo.shape[1] * np.cumsum(simo, axis=1)], axis=1)
    return cum[:, x]


def sim_data(n: int = 400, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, n)
    x2 = rng.integers(1, 4, n)
    z = rng.normal(size=n)
    mo = _mo(SIMO, x)[0]
    sdx = rng.uniform(0.2, 0.4, n)
    latent = rng.normal(size=n)
    return pd.DataFrame({
        "y": 1.0 + B_MO * mo + B_Z * z + B_MOZ * mo * z + rng.normal(0, 0.5, n),
        "x": x, "x2": x2, "z": z, "w": rng.normal(size=n),
        "xme": latent + rng.normal(0, sdx), "sdx": sdx,
        "f": pd.Categorical(rng.choice(["a", "b"], n)),
    })


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a small fit: occasional low-ESS warnings are not the point here
        return bp.brm("y ~ mo(x) * z", data=sim_data(), chains=2, iter=1000, seed=7, refresh=0)


# ------------------------------------------------------------------ parsing


def test_parse_products():
    lt = parse_rhs("mo(x) * z", "y ~ mo(x) * z")
    assert lt.population == ("z",)
    assert [s.text for s in lt.special_terms] == ["mo(x)", "mo(x):z"]
    assert isinstance(lt.special_terms[1], SpInteraction) and lt.special_terms[1].factors == ("mo(x)", "z")
    # a main effect written twice (R's terms() drops the repeat)
    lt = parse_rhs("mo(x) + mo(x) * z", "")
    assert [s.text for s in lt.special_terms] == ["mo(x)", "mo(x):z"]
    lt = parse_rhs("mo(x1) * mo(x2) + me(x, sdx):z:w", "")
    assert [s.text for s in lt.special_terms] == ["mo(x1)", "mo(x2)", "mo(x1):mo(x2)", "me(x, sdx):z:w"]
    assert lt.population == ()


# ------------------------------------------------------------------ code


@pytest.mark.parametrize("name, formula", [
    ("sp_mo_times_z", "y ~ mo(x) * z"),
    ("sp_me_z", "y ~ me(xme, sdx):z"),
    ("sp_mo_mo", "y ~ mo(x):mo(x2)"),
    ("sp_mo_me_z_sigma", bp.bf("y ~ mo(x) + mo(x):me(xme, sdx) + me(xme, sdx):z:w", "sigma ~ mo(x):z")),
])
def test_golden_and_stanc(name, formula, update_golden):
    code = bp.make_stancode(formula, data=sim_data(60))
    stanli.stan_to_mir(code)
    assert_golden(name, code, update_golden)


def test_stan_data_and_code():
    df = sim_data(60)
    sd = bp.make_standata("y ~ mo(x) + mo(x):z + me(xme, sdx):z:w", df)
    assert sd["Ksp"] == 3 and sd["Imo"] == 2 and list(sd["Jmo"]) == [3, 3]
    np.testing.assert_array_equal(sd["Xmo_1"], sd["Xmo_2"])  # one variable, two simplexes (brms)
    np.testing.assert_allclose(sd["Csp_1"], df["z"])
    np.testing.assert_allclose(sd["Csp_2"], df["z"] * df["w"])  # the covariate part is their product
    code = bp.make_stancode("y ~ mo(x) + mo(x):z + me(xme, sdx):z:w", df)
    assert ("mu += Intercept + bsp[1] * mo(simo_1, Xmo_1) + bsp[2] * mo(simo_2, Xmo_2) .* Csp_1 "
            "+ bsp[3] * Xme_1 .* Csp_2;") in code
    # formulaic expressions as covariates
    sd = bp.make_standata("y ~ mo(x):I(z ** 2)", df)
    np.testing.assert_allclose(sd["Csp_1"], df["z"] ** 2)


def test_mi_interaction_keeps_missing_rows():
    df = sim_data(60)
    df["xmis"] = df["w"].where(np.arange(60) >= 6)  # 6 missing values, imputed
    f = bp.bf("y ~ mi(xmis):z + mo(x):mi(xmis)") + bp.bf("xmis | mi() ~ 1")
    code = bp.make_stancode(f, df)
    stanli.stan_to_mir(code)
    # brms 2.18 orders each product's pieces as R's terms() of the sp formula: mo(x):mi(xmis) is mixmis:mox
    assert "mu_y += Intercept_y + bsp_y[1] * Yl_xmis .* Csp_y_1 + bsp_y[2] * Yl_xmis .* mo(simo_y_1, Xmo_y_1);" in code
    sd = bp.make_standata(f, df)
    assert sd["Nmi_xmis"] == 6 and len(sd["Csp_y_1"]) == 60
    with pytest.raises(bp.FormulaError, match="needs a model for 'xmis'"):
        bp.make_stancode("y ~ mi(xmis):z", df)


def test_priors_by_coef():
    df = sim_data(60)
    gp = bp.get_prior("y ~ mo(x) * z", df)
    rows = {(r["class"], r["coef"]): r["prior"] for _, r in gp.iterrows()}
    assert {("b", "mox"), ("b", "mox:z"), ("b", "z"), ("simo", "mox1"), ("simo", "mox:z1")} <= set(rows)
    assert rows[("simo", "mox:z1")] == "dirichlet(1)"
    p = bp.prior("normal(0, 0.5)", "b", coef="mox:z") + bp.prior("dirichlet(3)", "simo", coef="mox:z1")
    code = bp.make_stancode("y ~ mo(x) * z", df, prior=p)
    sd = bp.make_standata("y ~ mo(x) * z", df, prior=p)
    assert "lprior += normal_lpdf(bsp[Jp_bsp_normal] | prior_bsp_normal_loc, prior_bsp_normal_scale);" in code
    assert list(sd["Jp_bsp_normal"]) == [2] and list(sd["prior_bsp_normal_scale"]) == [0.5]
    np.testing.assert_array_equal(sd["con_simo_1"], np.ones(3))
    np.testing.assert_array_equal(sd["con_simo_2"], np.full(3, 3.0))


def test_mo_id_shares_simplex():
    # brms's conditionally monotonic interactions: terms with the same id use one simplex
    df = sim_data(60)
    f = "y ~ mo(x, id = 'a') + mo(x, id = 'a'):z"
    code = bp.make_stancode(f, df)
    stanli.stan_to_mir(code)
    assert "simplex[Jmo[2]] simo_2 = simo_1;" in code and code.count("dirichlet_lpdf") == 1
    assert "con_simo_2" not in code
    gp = bp.get_prior(f, df)
    assert list(gp.loc[gp["class"] == "simo", "coef"]) == ["a"]  # brms: the id names the shared simplex's prior
    with pytest.raises(bp.DataError, match="same number of categories"):
        bp.make_stancode("y ~ mo(x, id = 'a') + mo(x2, id = 'a'):z", df)


# -------------------------------------------------------------- sampling


def test_loglik_summary_and_recovery(fit):
    assert_loglik_matches_stan(fit)
    s = fit.summary()
    assert {"mox", "z", "mox:z"} <= set(s.population.index)
    assert list(s.sections["simo"].index) == [f"mox1[{j}]" for j in (1, 2, 3)] + [f"mox:z1[{j}]" for j in (1, 2, 3)]
    d = fit.draws_dict
    for name, truth in (("bsp_mox", B_MO), ("bsp_mox:z", B_MOZ), ("b_z", B_Z)):
        x = d[name].ravel()
        assert abs(x.mean() - truth) < 4 * x.std(), (name, x.mean(), x.std())
    for j, truth in enumerate(SIMO, start=1):
        x = d[f"simo_mox:z1[{j}]"].ravel()
        assert abs(x.mean() - truth) < 4 * x.std(), j


def test_predictions_on_new_data(fit):
    nd = pd.DataFrame({"x": [0, 1, 2, 3, 3], "z": [0.0, 1.0, -1.0, 2.0, 0.5]})
    ep = bp.posterior_epred(fit, newdata=nd)
    d = fit.draws_dict
    simo1 = np.column_stack([d[f"simo_mox1[{j}]"].ravel() for j in (1, 2, 3)])
    simo2 = np.column_stack([d[f"simo_mox:z1[{j}]"].ravel() for j in (1, 2, 3)])
    x, z = nd["x"].to_numpy(), nd["z"].to_numpy()
    expected = (d["b_Intercept"].ravel()[:, None] + d["b_z"].ravel()[:, None] * z
                + d["bsp_mox"].ravel()[:, None] * _mo(simo1, x)
                + d["bsp_mox:z"].ravel()[:, None] * _mo(simo2, x) * z)
    np.testing.assert_allclose(ep, expected, rtol=1e-8, atol=1e-10)
    # the model rows as new data give the fitted values
    np.testing.assert_allclose(bp.posterior_linpred(fit, newdata=fit.frame.data.head(15)),
                               bp.posterior_linpred(fit)[:, :15], rtol=1e-10)


# ------------------------------------------------------------- bad input


@pytest.mark.parametrize("formula, error, match", [
    ("y ~ s(z):x", bp.FormulaError, r"special term 's\(z\)'.*only mo\(\), me\(\) and mi\(\)"),
    ("y ~ gp(z) * w", bp.FormulaError, r"only mo\(\), me\(\) and mi\(\)"),
    ("y ~ mo(x) / z", bp.FormulaError, "'/' in 'mo\\(x\\) / z'"),
    ("y ~ mo(x):(z + w)", bp.FormulaError, "write each product"),
    ("y ~ mo(x):mo(x)", bp.FormulaError, "multiplies a term with itself"),
    ("y ~ z - mo(x):z", bp.FormulaError, "cannot be removed"),
])
def test_unsupported_interactions(formula, error, match):
    with pytest.raises(error, match=match):
        bp.make_stancode(formula, sim_data(40))
