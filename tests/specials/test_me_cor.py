"""Correlated latent values of several ``me()`` terms (brms's default ``set_mecor(TRUE)``).

With two or more ``me(x, sdx)`` terms the latent values are multivariate
normal: ``Xme1 = meanme_1' + (diag(sdme_1) Lme_1 zme_1)'`` with ``zme_1`` a
``matrix[Mme_1, N]``, ``Lme_1`` a Cholesky correlation factor (prior class
``corme``, default ``lkj(1)``) and draws ``corme__mex__mez``.  ``bf(...) +
set_mecor(False)`` keeps them independent.  Golden code accepted by stanc,
priors and data, and recovery of the slopes and the latent correlation from
two error-prone predictors whose true values are correlated.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli
from scipy import stats

import brmspy as bp
from brmspy.core.errors import FormulaError, PriorError
from brmspy.fit.storage import formula_from_json, formula_to_json
from tests.checks import assert_golden, assert_loglik_matches_stan

RHO = 0.6  # correlation of the true values of x and z
MEAN = np.array([1.0, -0.5])
SD = np.array([1.0, 1.5])
SDX, SDZ = 0.4, 0.5  # known measurement error sds
B_X, B_Z = 1.0, -0.8  # slopes on the true values
ME2 = "y ~ me(x, sx) + me(z, sz)"


def sim_data(n: int = 300, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    L = np.linalg.cholesky(np.array([[1.0, RHO], [RHO, 1.0]]))
    latent = (L @ rng.normal(size=(2, n))).T * SD + MEAN
    return pd.DataFrame({
        "y": 0.5 + B_X * latent[:, 0] + B_Z * latent[:, 1] + rng.normal(0, 0.5, n),
        "x": latent[:, 0] + rng.normal(0, SDX, n),
        "z": latent[:, 1] + rng.normal(0, SDZ, n),
        "w": rng.normal(size=n),
        "sx": SDX,
        "sz": SDZ,
        "sw": 0.3,
    })


def _within(draws: np.ndarray, truth: float) -> bool:
    x = np.asarray(draws).ravel()
    return abs(x.mean() - truth) < 4 * x.std()


@pytest.fixture(scope="module")
def cor_fit():
    prior = bp.prior("lkj(2)", "corme") + bp.prior("normal(0, 5)", "meanme") + bp.prior("normal(0, 3)", "sdme")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(ME2, data=sim_data(), prior=prior, sample_prior="yes", chains=2, iter=1000, seed=2, refresh=0)


# ------------------------------------------------------------------ code


@pytest.mark.parametrize("name, formula", [
    ("sp_me_cor", ME2),
    ("sp_me_cor3_sigma", bp.bf("y ~ me(x, sx) + me(z, sz) + me(w, sw)", "sigma ~ me(x, sx)")),
    ("sp_me_nocor", bp.bf(ME2) + bp.set_mecor(False)),
])
def test_golden_and_stanc(name, formula, update_golden):
    code = bp.make_stancode(formula, data=sim_data(40))
    stanli.stan_to_mir(code)
    assert_golden(name, code, update_golden)


def test_correlated_only_with_several_terms_and_mecor():
    df = sim_data(40)
    code = bp.make_stancode(ME2, df)
    assert "cholesky_factor_corr[Mme_1] Lme_1;" in code and "matrix[Mme_1, N] zme_1;" in code
    assert "lprior += lkj_corr_cholesky_lpdf(Lme_1 | prior_Lme_1_eta);" in code
    # one me() term: nothing to correlate
    assert "Lme_1" not in bp.make_stancode("y ~ me(x, sx)", df)
    # set_mecor(False): independent latent values, as before
    code = bp.make_stancode(bp.bf(ME2) + bp.set_mecor(False), df)
    assert "Lme_1" not in code and "vector[N] zme_2;" in code
    assert bp.make_stancode(bp.bf(ME2) + bp.set_mecor(True), df) == bp.make_stancode(ME2, df)
    # multivariate models: set_mecor() on the whole formula, as brms
    mv = bp.bf("y ~ me(x, sx)") + bp.bf("w ~ me(z, sz)") + bp.set_rescor(False)
    assert "Lme_1" in bp.make_stancode(mv, df)
    assert "Lme_1" not in bp.make_stancode(mv + bp.set_mecor(False), df)
    with pytest.raises(FormulaError, match="set_mecor"):
        bp.set_mecor("yes")


def test_priors_and_data():
    df = sim_data(40)
    table = bp.get_prior(ME2, df)
    row = table[table["class"] == "corme"]
    assert len(row) == 1 and row["prior"].iloc[0] == "lkj(1)"
    assert "corme" not in set(bp.get_prior(bp.bf(ME2) + bp.set_mecor(False), df)["class"])
    sd = bp.make_standata(ME2, df, prior=bp.prior("lkj(3)", "corme"))
    assert sd["Mme_1"] == 2 and sd["NCme_1"] == 1 and sd["prior_Lme_1_eta"] == 3.0
    sd3 = bp.make_standata("y ~ me(x, sx) + me(z, sz) + me(w, sw)", df)
    assert sd3["Mme_1"] == 3 and sd3["NCme_1"] == 3
    with pytest.raises(PriorError, match="LKJ"):
        bp.prior("normal(0, 1)", "corme")


def test_formula_round_trip_keeps_mecor():
    f = bp.bf(ME2) + bp.set_mecor(False)
    assert formula_from_json(formula_to_json(f)).mecor is False
    mv = bp.bf("y ~ me(x, sx)") + bp.bf("w ~ me(z, sz)") + bp.set_mecor(False)
    assert formula_from_json(formula_to_json(mv)).mecor is False


# ------------------------------------------------------------------ recovery


def test_recovery_of_slopes_and_latent_correlation(cor_fit):
    d = cor_fit.draws_dict
    assert _within(d["bsp_mexsx"], B_X)
    assert _within(d["bsp_mezsz"], B_Z)
    assert _within(d["corme__mex__mez"], RHO)
    lo, hi = np.quantile(d["corme__mex__mez"], [0.025, 0.975])
    assert lo > 0.3  # clearly positive: the correlation is estimated, not fixed at 0
    for j, c in enumerate(("mex", "mez")):
        assert _within(d[f"meanme_{c}"], MEAN[j])
        assert _within(d[f"sdme_{c}"], SD[j])


def test_summary_draws_and_names(cor_fit):
    s = cor_fit.summary()
    assert {"mexsx", "mezsz"} <= set(s.population.index)
    # brms's name of the latent correlation; brms's summary() lists no me() hyperparameters
    assert "corme__mex__mez" in cor_fit.draws(["corme__mex__mez"]).columns
    assert cor_fit.param_info["corme__mex__mez"].kind == "me"


def test_loglik_matches_stan(cor_fit):
    assert_loglik_matches_stan(cor_fit)


def test_prior_draws_and_savage_dickey(cor_fit):
    d = cor_fit.draws_dict
    # lkj(2) in dimension 2: the correlation is 2 * beta(2, 2) - 1
    x = d["prior_corme"].ravel()
    assert stats.kstest((x + 1) / 2, stats.beta(2, 2).cdf).pvalue > 1e-3
    assert d["prior_sdme_mex"].min() >= 0
    assert stats.kstest(d["prior_sdme_mex"].ravel(), stats.halfnorm(scale=3).cdf).pvalue > 1e-3
    assert stats.kstest(d["prior_meanme_mez"].ravel(), stats.norm(0, 5).cdf).pvalue > 1e-3
    res = bp.hypothesis(cor_fit, "corme__mex__mez = 0", class_="")
    assert res.prior_samples is not None
    er = res.hypothesis.loc[1, "Evid.Ratio"]
    assert np.isfinite(er) and er < 0.1  # strong evidence for a non-zero correlation


def test_me_gr_gives_brms_reason_or_builds():
    """me(x, sdx, gr = g): brms refuses values that differ within a level of g; otherwise one latent value per level."""
    df = pd.DataFrame({"y": np.arange(6.0), "x": [1.0, 1.0, 2.0, 2.0, 3.0, 3.5], "sx": [0.1] * 6, "g": list("aabbcc")})
    with pytest.raises(bp.DataError, match="unique for each group.*level 'c' of group 'g'"):
        bp.make_standata("y ~ me(x, sx, gr = g)", df)
    sd = bp.make_standata("y ~ me(x, sx, gr = g)", df.assign(x=[1.0, 1.0, 2.0, 2.0, 3.0, 3.0]))
    assert sd["Nme_1"] == 3 and sd["Xn_1"].tolist() == [1.0, 2.0, 3.0] and sd["Jme_1"].tolist() == [1, 1, 2, 2, 3, 3]
