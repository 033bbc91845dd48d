"""``me(x, sdx, gr = g)``: one latent value per level of ``g`` (brms's testsuite [193], [194]).

brms groups the latent variables of a model by ``gr``: group ``i`` has ``Mme_i``
variables with ``meanme_i``/``sdme_i`` (correlated within the group under
``set_mecor(TRUE)``), and a grouped term's ``Xn_m``/``noise_m``/``Xme_m`` have
one element per level (``Nme_i``), read through ``Jme_i``.  Golden code accepted
by stanc, brms's data and priors, numpy log-likelihood equal to Stan's, and
recovery of the slope and latent distribution from one error-prone measurement
per group.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

G, PER = 40, 5
MEAN, SD, NOISE = 1.0, 1.2, 0.4  # latent distribution of the group values, known measurement sd
B_X, B_Z, SIGMA = 1.5, -0.7, 0.5
FORMULA = "y ~ me(x, sx, gr = g) + me(z, sz)"


def sim_data(groups: int = G, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    true_x = rng.normal(MEAN, SD, groups)
    g = np.repeat(np.arange(groups), PER)
    n = len(g)
    z_true = rng.normal(0, 1, n)
    return pd.DataFrame({
        "y": 0.3 + B_X * true_x[g] + B_Z * z_true + rng.normal(0, SIGMA, n),
        "x": (true_x + rng.normal(0, NOISE, groups))[g],  # one measurement per group
        "sx": NOISE,
        "z": z_true + rng.normal(0, 0.3, n),
        "sz": 0.3,
        "g": np.array([f"g{k:02d}" for k in range(groups)])[g],
    })


@pytest.fixture(scope="module")
def fit():
    prior = bp.prior("normal(0, 5)", "meanme") + bp.prior("normal(0, 3)", "sdme") + bp.prior("normal(0, 5)", "b")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(FORMULA, sim_data(), prior=prior, chains=2, iter=800, seed=4, refresh=0)


@pytest.mark.parametrize("name, formula", [
    ("sp_me_gr", FORMULA),
    ("sp_me_gr_cor", "y ~ me(x, sx, g) + me(w, sx, g) + me(z, sz) + (me(x, sx, g) | g)"),
    ("sp_me_gr_nocor", bp.bf("y ~ me(x, sx, g) + me(w, sx, g) + me(z, sz)") + bp.set_mecor(False)),
])
def test_golden_and_stanc(name, formula, update_golden):
    df = sim_data(8).assign(w=lambda d: d.groupby("g")["z"].transform("first"))
    assert_golden(name, bp.make_stancode(formula, df), update_golden)


def test_data_as_brms():
    """brms testsuite [193]: Xn_1 per level, Jme_1 per row, the ungrouped term in group 2."""
    df = sim_data(8)
    sd = bp.make_standata(FORMULA, df)
    assert sd["Nme_1"] == 8 and sd["Mme_1"] == 1 and sd["Mme_2"] == 1
    np.testing.assert_array_equal(sd["Jme_1"], np.repeat(np.arange(1, 9), PER))
    np.testing.assert_allclose(sd["Xn_1"], df.groupby("g")["x"].first().to_numpy())
    assert np.shape(sd["Xn_2"]) == (len(df),) and np.shape(sd["noise_1"]) == (8,)
    code = bp.make_stancode(FORMULA, df)
    assert "mu += Intercept + bsp[1] * Xme_1[Jme_1] + bsp[2] * Xme_2;" in code
    assert "Xme_1 = meanme_1[1] + sdme_1[1] * zme_1;" in code and "Xme_2 = meanme_2[1] + sdme_2[1] * zme_2;" in code
    # positional gr (brms's me(x, sdx, gr)) is the same model; only brms's coefficient name differs
    assert bp.make_standata("y ~ me(x, sx, g) + me(z, sz)", df)["Xn_1"].tolist() == sd["Xn_1"].tolist()


def test_priors_as_brms():
    """Two grouped terms are correlated within their group: corme with group = g, as brms's get_prior."""
    df = sim_data(8).assign(w=lambda d: d.groupby("g")["z"].transform("first"))
    table = bp.get_prior("y ~ me(x, sx, g) + me(w, sx, g) + me(z, sz)", df)
    corme = table[table["class"] == "corme"]
    assert corme["group"].tolist() == ["", "g"] and corme["prior"].tolist() == ["lkj(1)", ""]  # as brms
    sd = bp.make_standata("y ~ me(x, sx, g) + me(w, sx, g) + me(z, sz)", df,
                          prior=bp.prior("lkj(3)", "corme", group="g"))
    assert sd["Mme_1"] == 2 and sd["NCme_1"] == 1 and sd["prior_Lme_1_eta"] == 3.0 and sd["Mme_2"] == 1


def test_values_must_be_unique_per_level():
    df = sim_data(4)
    df.loc[0, "x"] += 1.0
    with pytest.raises(bp.DataError, match="unique for each group.*level 'g00' of group 'g'"):
        bp.make_standata(FORMULA, df)
    with pytest.raises(bp.FormulaError, match="me\\(\\) arguments are x, sdx and gr"):
        bp.make_standata("y ~ me(x, sx, grp = g)", sim_data(4))


def test_recovery(fit):
    d = fit.draws_dict
    assert_recovers(d, {"bsp_mexsxgrEQg": B_X, "bsp_mezsz": B_Z, "meanme_mex": MEAN, "sdme_mex": SD, "sigma": SIGMA})


def test_loglik_matches_stan(fit):
    assert_loglik_matches_stan(fit)


def test_predictions_on_new_data_keep_known_levels(fit):
    df = sim_data()
    rows = df.iloc[[0, 1, 5]]
    fitted = bp.posterior_epred(fit)[:, [0, 1, 5]]
    # known levels keep their latent value; the ungrouped term is drawn anew, so compare with z fixed at
    # the latent-free part: the difference between rows 0 and 1 (same level) equals bsp_z * (Xme_z diff) in both
    new = bp.posterior_epred(fit, newdata=rows)
    assert new.shape == fitted.shape and np.all(np.isfinite(new))
    bz = fit.draws_dict["bsp_mezsz"].reshape(-1)
    xme_x = fit.stan_draws.params["Xme_1"].reshape(-1, G)[:, 0]
    intercept = fit.draws_dict["b_Intercept"].reshape(-1)
    bx = fit.draws_dict["bsp_mexsxgrEQg"].reshape(-1)
    # the grouped part of row 0 is Intercept + bsp_x * Xme_1[level 1]: new minus that is bsp_z times a draw
    rest = (new[:, 0] - intercept - bx * xme_x) / bz
    assert abs(rest.mean() - rows["z"].iloc[0]) < 4 * 0.3  # drawn from normal(z, sz)
