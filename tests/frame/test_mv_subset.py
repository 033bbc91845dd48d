"""``subset()`` in multivariate models and ``mi(x, idx = id)``: each response on its own rows, as brms 2.18.

brms declares ``N_<resp>`` and writes each response's vectors, group indices (``J_<k>_<resp>``) and
predictor values (``Z_<k>_<resp>_<j>``) on its rows; an NA only outside the subsets of the responses
using its column keeps its row (brms's ``na_omit``); residual correlations are refused.  Predictions
go one response at a time (brms: "Argument 'resp' must be a single variable name ...").
``mi(x, idx = g)`` takes, for each row, x's value (observed or imputed) of the row of x's model whose
``index()`` equals ``g`` (brms's ``idxl_<resp>_<x>_<k>``, ``Yl_x[idxl_y_x_1]``).

The rows outside a subset have responses far from the model (``+ 100``) or NA: a fit that used them
would not recover the truth.  Stan data compared with brms: corpus cases ``add_subset_mv*`` and
``add_mi_idx*`` (``tests/package/test_brms_reference.py``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli
from scipy import stats

import brmspy as bp
from brmspy.core.errors import BrmsError, DataError, FormulaError
from tests.checks import assert_golden, assert_recovers, parameter_names

B1, B2, SD, SIGMA1, SIGMA2 = 0.7, -0.4, 0.8, 0.5, 1.0
MV = bp.bf("y1 | subset(s1) ~ x + (1 | g)") + bp.bf("y2 | subset(s2) ~ x") + bp.set_rescor(False)

BX, SIGMAX, BSP, SIGMAY = 1.0, 0.6, 0.8, 0.4
MI_IDX = (bp.bf("y ~ mi(x, idx = g1) + w") + bp.bf("x | mi() + index(id) + subset(s) ~ 1")
          + bp.set_rescor(False))


def mv_data(n: int = 240, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 8, n)
    x = rng.normal(size=n)
    s1 = rng.uniform(size=n) < 0.6
    s2 = rng.uniform(size=n) < 0.7
    y1 = 1 + B1 * x + rng.normal(0, SD, 8)[g] + rng.normal(0, SIGMA1, n)
    y2 = -1 + B2 * x + rng.normal(0, SIGMA2, n)
    return pd.DataFrame({"y1": np.where(s1, y1, y1 + 100), "y2": np.where(s2, y2, np.nan), "x": x,
                         "g": [f"L{i}" for i in g], "s1": s1, "s2": s2}, index=[f"r{i}" for i in range(n)])


def mi_idx_data(n_x: int = 80, n: int = 240, seed: int = 4) -> pd.DataFrame:
    """x measured on the first ``n_x`` rows (index ``id``, 15% missing); y on every row uses x of row ``g1``."""
    rng = np.random.default_rng(seed)
    x = BX + rng.normal(0, SIGMAX, n_x)
    g1 = rng.integers(1, n_x + 1, n)
    w = rng.normal(size=n)
    y = 0.5 + BSP * x[g1 - 1] - 0.3 * w + rng.normal(0, SIGMAY, n)
    xs = np.full(n, np.nan)
    xs[:n_x] = np.where(rng.uniform(size=n_x) < 0.15, np.nan, x)
    return pd.DataFrame({"y": y, "x": xs, "w": w, "g1": g1, "id": np.r_[np.arange(1, n_x + 1), np.zeros(n - n_x)],
                         "s": np.arange(n) < n_x})


# ------------------------------------------------------------------ data and code


def test_standata_rows_per_response() -> None:
    d = mv_data()
    sd = bp.make_standata(MV, d)
    s1, s2 = d["s1"].to_numpy(), d["s2"].to_numpy()
    assert sd["N"] == len(d)  # the NA of y2 outside its subset keeps the row (brms's na_omit)
    assert sd["N_y1"] == s1.sum() and sd["N_y2"] == s2.sum()
    np.testing.assert_array_equal(sd["Y_y1"], d["y1"][s1])
    np.testing.assert_array_equal(sd["Y_y2"], d["y2"][s2])
    assert sd["X_y2"].shape == (s2.sum(), 2)
    np.testing.assert_array_equal(sd["J_1_y1"], d["g"][s1].str[1:].astype(int) + 1)
    assert sd["Z_1_y1_1"].shape == (s1.sum(),) and "J_1" not in sd


def test_na_inside_a_subset_drops_the_row() -> None:
    d = mv_data()
    first = d.index[d["s2"]][0]
    d.loc[first, "y2"] = np.nan  # inside y2's subset: the row goes (for y1 too), with brms's warning
    with pytest.warns(bp.DataWarning, match="Rows containing NAs"):
        sd = bp.make_standata(MV, d)
    assert sd["N"] == len(d) - 1 and sd["N_y2"] == d["s2"].sum() - 1


def test_golden_code(update_golden: bool) -> None:
    assert_golden("mv_subset", bp.make_stancode(MV, mv_data()), update_golden)
    assert_golden("mi_idx_subset", bp.make_stancode(MI_IDX, mi_idx_data()), update_golden)


def test_without_subset_one_n() -> None:
    """No subset(): the multivariate program keeps its one N (the goldens of tests/formula are unchanged)."""
    code = bp.make_stancode(bp.bf("y1 ~ x + (1 | g)") + bp.bf("y1b ~ x") + bp.set_rescor(False),
                            mv_data().assign(y1b=lambda d: d["y1"] * 2))
    assert "N_y1" not in code and "array[N] int<lower=1> J_1;" in code


def test_threads_fall_back_with_a_warning() -> None:
    with pytest.warns(UserWarning, match="subset\\(\\) in a multivariate model"):
        code = bp.make_stancode(MV, mv_data(), threads=2)
    assert "reduce_sum" not in code and "vector[N_y1] mu_y1" in code


def test_mi_idx_standata_matches_index() -> None:
    d = mi_idx_data()
    sd = bp.make_standata(MI_IDX, d)
    assert sd["N_y"] == len(d) and sd["N_x"] == 80
    np.testing.assert_array_equal(sd["idxl_y_x_1"], d["g1"])  # id is 1..80 on x's rows
    shuffled = d.assign(id=np.r_[np.arange(80, 0, -1), np.zeros(len(d) - 80)])
    np.testing.assert_array_equal(bp.make_standata(MI_IDX, shuffled)["idxl_y_x_1"], 81 - d["g1"])


def test_refusals() -> None:
    d = mv_data().assign(y2=lambda x: x["y2"].fillna(0.0))
    with pytest.raises(FormulaError, match="'subset\\(\\)' on response 'y1' is not supported with residual correlations"):
        bp.make_standata(bp.bf("y1 | subset(s1) ~ x") + bp.bf("y2 ~ x") + bp.set_rescor(True), d)
    m = mi_idx_data()
    with pytest.raises(FormulaError, match="mi\\(\\) terms of subsetted variables require the 'idx' argument"):
        bp.make_standata(bp.bf("y ~ mi(x)") + bp.bf("x | mi() + subset(s) ~ 1") + bp.set_rescor(False), m)
    with pytest.raises(FormulaError, match="mi\\(\\) terms in subsetted formulas require the 'idx' argument"):
        bp.make_standata(bp.bf("y | subset(s) ~ mi(x)") + bp.bf("x | mi() ~ 1") + bp.set_rescor(False), m)
    with pytest.raises(FormulaError, match="needs to have an 'index' addition term"):
        bp.make_standata(bp.bf("y ~ mi(x, idx = g1)") + bp.bf("x | mi() + subset(s) ~ 1") + bp.set_rescor(False), m)
    with pytest.raises(DataError, match="Could not match all indices in response 'x'"):
        bp.make_standata(MI_IDX, m.assign(g1=m["g1"] + 100))
    with pytest.raises(DataError, match="Index of response 'x' contains duplicated values"):
        bp.make_standata(MI_IDX, m.assign(id=np.r_[np.ones(80), np.zeros(len(m) - 80)]))
    with pytest.raises(FormulaError, match="Cannot use me\\(\\) terms in subsetted formulas"):
        bp.make_standata(bp.bf("y1 | subset(s1) ~ me(x, 0.1)") + bp.bf("y2 | subset(s2) ~ x")
                         + bp.set_rescor(False), mv_data())


# ------------------------------------------------------------------ fits


def _fit(formula, data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small fits: ESS warnings are expected
        return bp.brm(formula, data, chains=2, iter=600, seed=2, refresh=0)


@pytest.fixture(scope="module")
def fit():
    return _fit(MV, mv_data())


@pytest.fixture(scope="module")
def mi_fit():
    return _fit(MI_IDX, mi_idx_data())


def _stan_loglik(fit, ll: np.ndarray, draws=(0, 1, -1)) -> None:
    """numpy's summed log-likelihood equals Stan's log density with the likelihood minus without it."""
    model = stanli.Model(stan_code=fit.stancode(), data=fit.standata())
    model_prior = stanli.Model(stan_code=fit.stancode(), data={**fit.standata(), "prior_only": 1})
    for draw in draws:
        draw %= fit.stan_draws.ndraws
        values = {n: fit.stan_draws.params[n][0, draw] for n in parameter_names(fit.stancode())
                  if n in fit.stan_draws.params}
        theta = model.unconstrain(values)
        lp = model.log_prob_grad(theta)[0] - model_prior.log_prob_grad(theta)[0]
        assert lp == pytest.approx(ll[draw], rel=1e-8, abs=1e-6)


def test_recovery(fit) -> None:
    assert_recovers(fit.draws_dict, {"b_y1_x": B1, "b_y2_x": B2, "b_y1_Intercept": 1.0, "b_y2_Intercept": -1.0,
                                     "sd_g__y1_Intercept": SD, "sigma_y1": SIGMA1, "sigma_y2": SIGMA2})


def test_loglik_matches_stan(fit) -> None:
    _stan_loglik(fit, bp.log_lik(fit, resp="y1").sum(axis=1) + bp.log_lik(fit, resp="y2").sum(axis=1))


def test_predictions_per_response(fit) -> None:
    d = mv_data()
    S = fit.ndraws()
    for r, s in (("y1", d["s1"]), ("y2", d["s2"])):
        n = int(s.sum())
        assert bp.posterior_epred(fit, resp=r).shape == (S, n)
        assert bp.posterior_predict(fit, resp=r, seed=1).shape == (S, n)
        assert bp.log_lik(fit, resp=r).shape == (S, n)
        assert list(bp.fitted(fit, resp=r).index) == list(d.index[s])
    ep = bp.posterior_epred(fit, resp="y1")
    dd = {k: np.asarray(v).ravel() for k, v in fit.draws_dict.items()}
    row = d[d["s1"]].iloc[0]
    want = dd["b_y1_Intercept"] + dd["b_y1_x"] * row["x"] + dd[f"r_g__y1[{row['g']},Intercept]"]
    np.testing.assert_allclose(ep[:, 0], want)


def test_predictions_need_resp(fit) -> None:
    for fn in (bp.posterior_epred, bp.posterior_predict, bp.log_lik):
        with pytest.raises(BrmsError, match="Argument 'resp' must be a single variable name for models using "
                                            "addition argument 'subset'"):
            fn(fit)


def test_loo_refused_and_per_response_plots(fit) -> None:
    with pytest.raises(BrmsError, match="loo\\(\\) of a multivariate model with subset\\(\\) needs resp=.*'y1', 'y2'"):
        bp.loo(fit)
    ce = bp.conditional_effects(fit, resp="y2")
    assert len(ce.points["x"]) == mv_data()["s2"].sum()  # the observed points of y2's rows
    ce_all = bp.conditional_effects(fit)
    assert set(ce_all.effects) == {"y1.x", "y2.x"}
    import matplotlib

    matplotlib.use("Agg")
    for kind in ("stat_grouped", "loo_pit"):  # group= and loo values on y1's own rows
        assert bp.pp_check(fit, type=kind, group="g", resp="y1", ndraws=None if kind == "loo_pit" else 10) is not None
    bp.pp_check(fit, type="intervals", x="x", resp="y2", ndraws=10)


def test_saved_fit_keeps_each_responses_rows(fit, tmp_path) -> None:
    path = tmp_path / "mv_subset_fit.nc"
    bp.save_fit(fit, path)
    loaded = bp.load_fit(path)
    assert loaded.standata()["N_y2"] == fit.standata()["N_y2"] == mv_data()["s2"].sum()
    np.testing.assert_allclose(bp.log_lik(loaded, resp="y2"), bp.log_lik(fit, resp="y2"))


def test_saved_mi_idx_fit(mi_fit, tmp_path) -> None:
    path = tmp_path / "mi_idx_fit.nc"
    bp.save_fit(mi_fit, path)
    loaded = bp.load_fit(path)
    np.testing.assert_array_equal(loaded.standata()["idxl_y_x_1"], mi_idx_data()["g1"])
    np.testing.assert_allclose(bp.posterior_epred(loaded, resp="y"), bp.posterior_epred(mi_fit, resp="y"))


def test_new_data_per_response_subset(fit) -> None:
    new = pd.DataFrame({"x": [0.0, 1.0], "g": ["L0", "L1"], "s1": [True, False], "s2": [True, True]}, index=["p", "q"])
    assert bp.posterior_epred(fit, newdata=new, resp="y1").shape == (fit.ndraws(), 1)
    ep2 = bp.posterior_epred(fit, newdata=new, resp="y2")
    dd = {k: np.asarray(v).ravel() for k, v in fit.draws_dict.items()}
    np.testing.assert_allclose(ep2[:, 1], dd["b_y2_Intercept"] + dd["b_y2_x"])
    assert list(bp.fitted(fit, newdata=new, resp="y1").index) == ["p"]
    nd = mv_data().head(50)  # chunks of newdata would not line up with the subset's rows: one piece
    np.testing.assert_allclose(bp.posterior_epred(fit, newdata=nd, resp="y1", chunk_size=7),
                               bp.posterior_epred(fit, newdata=nd, resp="y1", chunk_size=0))


VARIANTS = {
    "shared_id": bp.bf("y1 | subset(s1) ~ x + (1 + x | p | g)") + bp.bf("y2 | subset(s2) ~ x + (1 | p | g)"),
    "sigma_ar": bp.bf("y1 | subset(s1) ~ x + ar(time = t, gr = g)", "sigma ~ z + (1 | g)") + bp.bf("y2 | subset(s2) ~ x"),
    "nonlinear": bp.bf("y1 | subset(s1) ~ a * exp(b * z)", bp.lf("a ~ 1 + (1 | g)"), bp.lf("b ~ 1"), nl=True)
    + bp.bf("y2 | subset(s2) ~ x"),
    "smooth_gp_mo": bp.bf("y1 | subset(s1) ~ s(z) + mo(m)") + bp.bf("y2 | subset(s2) ~ gp(x)"),
    "multi_membership": bp.bf("y1 | subset(s1) ~ x + (1 | mm(g, h))") + bp.bf("y2 | subset(s2) ~ x + (1 | mm(g, h))"),
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_variants_loglik_matches_stan(name: str) -> None:
    """Special terms, dpar formulas, shared ids and non-linear formulas on each response's own rows."""
    rng = np.random.default_rng(1)
    d = mv_data(n=150).assign(z=lambda x: rng.normal(size=len(x)), t=lambda x: np.arange(len(x)),
                              m=lambda x: rng.integers(1, 4, len(x)), h=lambda x: np.roll(x["g"].to_numpy(), 7))
    prior = (bp.prior("normal(0, 2)", "b", nlpar="a", resp="y1") + bp.prior("normal(0, 1)", "b", nlpar="b", resp="y1")
             if name == "nonlinear" else None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = bp.brm(VARIANTS[name] + bp.set_rescor(False), d, prior=prior, chains=1, iter=200, seed=1, refresh=0)
    for t, s in zip(f.frame.response_terms, ("s1", "s2")):
        assert bp.posterior_predict(f, resp=t.resp, ndraws=5, seed=1).shape == (5, d[s].sum())
    _stan_loglik(f, sum(bp.log_lik(f, resp=t.resp).sum(axis=1) for t in f.frame.response_terms), draws=(5, -1))


def test_mi_idx_with_shared_groups_loglik_matches_stan() -> None:
    """One group-level block of both responses (J_1_y, J_1_x on their rows) and an idx term times a covariate."""
    d = mi_idx_data().assign(grp=lambda x: np.arange(len(x)) % 6)
    f = (bp.bf("y ~ mi(x, idx = g1) * w + (1 + w | p | grp)") + bp.bf("x | mi() + index(id) + subset(s) ~ 1 + (1 | p | grp)")
         + bp.set_rescor(False))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm(f, d, chains=1, iter=200, seed=1, refresh=0)
    sd = fit.standata()
    assert sd["J_1_y"].shape == (len(d),) and sd["J_1_x"].shape == (80,) and sd["Z_1_x_3"].shape == (80,)
    ll_x = bp.log_lik(fit, resp="x")
    miss = np.flatnonzero(np.isnan(ll_x[0]))
    ymi = fit.stan_draws.params["Ymi_x"].reshape(-1, len(miss))
    ll_x[:, miss] = stats.norm.logpdf(ymi, bp.posterior_epred(fit, resp="x")[:, miss],
                                      fit.draws_dict["sigma_x"].reshape(-1, 1))
    _stan_loglik(fit, bp.log_lik(fit, resp="y").sum(axis=1) + ll_x.sum(axis=1), draws=(5, -1))


def test_mi_idx_recovery(mi_fit) -> None:
    assert_recovers(mi_fit.draws_dict, {"bsp_y_mixidxEQg1": BSP, "b_y_w": -0.3, "b_x_Intercept": BX,
                                        "sigma_x": SIGMAX, "sigma_y": SIGMAY})


def test_mi_idx_loglik_matches_stan(mi_fit) -> None:
    ll_x = bp.log_lik(mi_fit, resp="x")  # NA where x is imputed (as brms); the latent values' density there
    missing = np.flatnonzero(np.isnan(ll_x[0]))
    assert len(missing) == mi_fit.standata()["Nmi_x"] > 0
    ymi = mi_fit.stan_draws.params["Ymi_x"].reshape(-1, len(missing))
    mu_x = bp.posterior_epred(mi_fit, resp="x")[:, missing]
    ll_x[:, missing] = stats.norm.logpdf(ymi, mu_x, mi_fit.draws_dict["sigma_x"].reshape(-1, 1))
    _stan_loglik(mi_fit, bp.log_lik(mi_fit, resp="y").sum(axis=1) + ll_x.sum(axis=1))


def test_mi_idx_epred_uses_matched_values(mi_fit) -> None:
    d = mi_idx_data()
    dd = {k: np.asarray(v).ravel() for k, v in mi_fit.draws_dict.items()}
    ep = bp.posterior_epred(mi_fit, resp="y")
    i = int(np.flatnonzero(~d["x"].isna().to_numpy()[d["g1"].to_numpy() - 1])[0])  # a row whose x is observed
    xv = d["x"].iloc[int(d["g1"].iloc[i]) - 1]
    np.testing.assert_allclose(ep[:, i], dd["b_y_Intercept"] + dd["b_y_w"] * d["w"].iloc[i] + dd["bsp_y_mixidxEQg1"] * xv)


def test_mi_idx_new_data_matches_within_newdata(mi_fit) -> None:
    """brms on new data: x's rows of newdata (x's subset), matched by index() to each row's idx."""
    d = mi_idx_data()
    nd = d.iloc[[0, 1, 2, 100, 101]].assign(x=[0.5, -1.0, 2.0, np.nan, np.nan], id=[3, 1, 2, 0, 0], g1=[1, 2, 3, 1, 3])
    ep = bp.posterior_epred(mi_fit, newdata=nd, resp="y")
    dd = {k: np.asarray(v).ravel() for k, v in mi_fit.draws_dict.items()}
    x_of_id = {3: 0.5, 1: -1.0, 2: 2.0}
    for i in range(len(nd)):
        want = dd["b_y_Intercept"] + dd["b_y_w"] * nd["w"].iloc[i] + dd["bsp_y_mixidxEQg1"] * x_of_id[nd["g1"].iloc[i]]
        np.testing.assert_allclose(ep[:, i], want)
    with pytest.raises(DataError, match="Could not match all indices in response 'x'"):
        bp.posterior_epred(mi_fit, newdata=nd.assign(g1=[1, 2, 3, 9, 1]), resp="y")
    with pytest.raises(DataError, match="newdata needs the column\\(s\\) 'id'"):
        bp.posterior_epred(mi_fit, newdata=nd.drop(columns="id"), resp="y")
    with pytest.raises(DataError, match="missing values in 'x'"):
        bp.posterior_epred(mi_fit, newdata=nd.assign(x=[0.5, np.nan, 2.0, 0.0, 0.0]), resp="y")
