"""Group-level structure: ``gr(g, cor = FALSE)``, ``gr(g, by = z)``, multi-membership with weights and
known covariance matrices ``gr(g, cov = A)`` with ``data2``.

Golden Stan code accepted by stanc, Stan data, parameter recovery by sampling
(``mm(g1, g2, weights = cbind(w1, w2))``; the sd of pedigree-like effects with a
known relatedness matrix), numpy log-likelihood equal to Stan's, predictions
on new data, and bad input.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from tests.checks import assert_golden, assert_loglik_matches_stan

MM_SD, MM_B = 0.8, 0.5
COV_SD = 1.0


def _covers(draws: np.ndarray, truth: float) -> bool:
    x = np.asarray(draws).ravel()
    lo, hi = np.quantile(x, [0.025, 0.975])
    return abs(x.mean() - truth) < 4 * x.std() and lo <= truth <= hi


def _fit(formula, data, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small fits: occasional low-ESS warnings are not the point here
        return bp.brm(formula, data=data, chains=2, iter=1000, seed=7, refresh=0, **kw)


# ------------------------------------------------------------------- data


def mm_data(n: int = 400, levels: int = 20, seed: int = 5) -> tuple[pd.DataFrame, np.ndarray]:
    """Two memberships per row with unequal weights; returns the data and the true effects."""
    rng = np.random.default_rng(seed)
    r = rng.normal(0, MM_SD, levels)
    g1 = rng.integers(0, levels, n)
    g2 = (g1 + rng.integers(1, levels, n)) % levels  # a different level
    w1, w2 = rng.uniform(0.2, 1, n), rng.uniform(0.2, 1, n)
    x = rng.normal(size=n)
    y = 1 + MM_B * x + (w1 * r[g1] + w2 * r[g2]) / (w1 + w2) + rng.normal(0, 0.3, n)
    names = np.array([f"L{i:02d}" for i in range(levels)])
    return pd.DataFrame({"y": y, "x": x, "g1": names[g1], "g2": names[g2], "w1": w1, "w2": w2}), r


def pedigree(families: int = 10, size: int = 3) -> pd.DataFrame:
    """Relatedness of full siblings (0.5) within families, unrelated across; rows/cols named by individual."""
    n = families * size
    A = np.eye(n)
    for f in range(families):
        block = slice(f * size, (f + 1) * size)
        A[block, block] += 0.5 * (1 - np.eye(size))
    ids = [f"id{i:02d}" for i in range(n)]
    return pd.DataFrame(A, index=ids, columns=ids)


def cov_data(reps: int = 5, seed: int = 9) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    A = pedigree()
    r = np.linalg.cholesky(A.to_numpy()) @ rng.normal(0, COV_SD, len(A))
    ids = np.repeat(np.arange(len(A)), reps)
    x = rng.normal(size=len(ids))
    y = 2 + 0.5 * x + r[ids] + rng.normal(0, 0.5, len(ids))
    df = pd.DataFrame({"y": y, "x": x, "id": np.asarray(A.index)[ids]})
    # matrix rows in another order than the levels: they are matched by name
    return df, A.iloc[::-1, ::-1]


@pytest.fixture(scope="module")
def mm_fit():
    df, r = mm_data()
    return _fit("y ~ x + (1 | mm(g1, g2, weights = cbind(w1, w2)))", df), r


@pytest.fixture(scope="module")
def cov_fit():
    df, A = cov_data()
    return _fit("y ~ x + (1 | gr(id, cov = A))", df, data2={"A": A})


# ------------------------------------------------------------------ code


@pytest.mark.parametrize("name, formula", [
    ("gr_cor_false", "y ~ x + (1 + x | gr(g1, cor = FALSE))"),
    ("mm_weights", "y ~ x + (1 | mm(g1, g2, weights = cbind(w1, w2)))"),
    ("gr_cov", "y ~ x + (1 | gr(id, cov = A))"),
    ("gr_cov_cor", "y ~ x + (1 + x | gr(id, cov = A))"),
])
def test_golden_and_stanc(name, formula, update_golden):
    if "cov" in formula:
        data, A = cov_data(2)
        code = bp.make_stancode(formula, data=data, data2={"A": A})
    else:
        code = bp.make_stancode(formula, data=mm_data(60)[0])
    stanli.stan_to_mir(code)
    assert_golden(name, code, update_golden)


def test_cor_false_is_double_bar():
    df, _ = mm_data(60)
    assert bp.make_stancode("y ~ x + (1 + x | gr(g1, cor = FALSE))", df) == bp.make_stancode("y ~ x + (1 + x || g1)", df)
    assert "cor" not in set(bp.get_prior("y ~ x + (1 + x | gr(g1, cor = FALSE))", df)["class"])


def test_cov_standata_and_prior():
    df, A = cov_data(2)
    sd = bp.make_standata("y ~ x + (1 | gr(id, cov = A))", df, data2={"A": A})
    levels = sorted(df["id"].unique())
    Lcov = sd["Lcov_1"]
    np.testing.assert_allclose(Lcov @ Lcov.T, A.loc[levels, levels].to_numpy(), atol=1e-12)
    assert np.allclose(Lcov, np.tril(Lcov))
    # only the levels in the data enter, in their order
    sub = df[df["id"] != "id05"]
    Lsub = bp.make_standata("y ~ x + (1 | gr(id, cov = A))", sub, data2={"A": A})["Lcov_1"]
    assert Lsub.shape == (29, 29)
    gp = bp.get_prior("y ~ x + (1 | gr(id, cov = A))", df, data2={"A": A})
    assert ("sd", "id") in {(r["class"], r["group"]) for _, r in gp.iterrows()}
    # an unnamed matrix is read in the order of the levels
    code_np = bp.make_stancode("y ~ x + (1 | gr(id, cov = A))", df, data2={"A": A.loc[levels, levels].to_numpy()})
    assert code_np == bp.make_stancode("y ~ x + (1 | gr(id, cov = A))", df, data2={"A": A})


# -------------------------------------------------------------- recovery


def test_mm_recovery_and_predictions(mm_fit):
    fit, r = mm_fit
    d = fit.draws_dict
    assert _covers(d["sd_mmg1g2__Intercept"], MM_SD)
    assert _covers(d["b_x"], MM_B)
    # the level effects track the truth
    est = np.array([d[f"r_mmg1g2[L{i:02d},Intercept]"].mean() for i in range(len(r))])
    assert np.corrcoef(est, r)[0, 1] > 0.8
    assert_loglik_matches_stan(fit)
    # new data: the weights of the new rows are used (scaled to sum to 1)
    nd = pd.DataFrame({"x": 0.0, "g1": ["L00", "L00", "L03"], "g2": ["L01", "L01", "L04"],
                       "w1": [1.0, 3.0, 2.0], "w2": [1.0, 1.0, 2.0]})
    lp = bp.posterior_linpred(fit, newdata=nd)
    rr = {lv: d[f"r_mmg1g2[{lv},Intercept]"].ravel() for lv in ("L00", "L01", "L03", "L04")}
    b0 = d["b_Intercept"].ravel()
    np.testing.assert_allclose(lp[:, 0], b0 + 0.5 * rr["L00"] + 0.5 * rr["L01"], rtol=1e-10)
    np.testing.assert_allclose(lp[:, 1], b0 + 0.75 * rr["L00"] + 0.25 * rr["L01"], rtol=1e-10)
    np.testing.assert_allclose(lp[:, 2], b0 + 0.5 * rr["L03"] + 0.5 * rr["L04"], rtol=1e-10)
    # and the model rows given as new data reproduce the fitted predictor
    rows = fit.frame.data.head(25)
    np.testing.assert_allclose(bp.posterior_linpred(fit, newdata=rows), bp.posterior_linpred(fit)[:, :25], rtol=1e-10)
    with pytest.raises(bp.DataError, match="w2"):
        bp.posterior_linpred(fit, newdata=nd.drop(columns="w2"))


def test_cov_recovery(cov_fit):
    d = cov_fit.draws_dict
    assert _covers(d["sd_id__Intercept"], COV_SD)
    assert _covers(d["b_x"], 0.5)
    assert "Lcov_1 * z_1[1]" in cov_fit.stancode()
    assert_loglik_matches_stan(cov_fit)
    rows = cov_fit.frame.data.head(10)
    np.testing.assert_allclose(bp.posterior_linpred(cov_fit, newdata=rows), bp.posterior_linpred(cov_fit)[:, :10],
                               rtol=1e-10)


def test_gr_by_predictions_on_new_data():
    rng = np.random.default_rng(3)
    g = rng.integers(0, 12, 240)
    df = pd.DataFrame({"g": g, "x": rng.normal(size=240), "byv": np.where(g < 6, "a", "b")})
    sd = np.where(df["byv"] == "a", 0.3, 1.5)
    df["y"] = 1 + 0.5 * df["x"] + (rng.normal(size=12)[g] * sd) + rng.normal(0, 0.5, 240)
    fit = _fit("y ~ x + (1 | gr(g, by = byv))", df)
    rows = fit.frame.data.sample(15, random_state=1)
    lp_new = bp.posterior_linpred(fit, newdata=rows)
    np.testing.assert_allclose(lp_new, bp.posterior_linpred(fit)[:, rows.index], rtol=1e-10)
    new = pd.DataFrame({"g": [99], "x": [0.0], "byv": ["a"]})
    assert bp.posterior_epred(fit, newdata=new, allow_new_levels=True).shape == (fit.ndraws(), 1)
    # gaussian new levels take the sd of their own by-level
    new = pd.DataFrame({"g": [98, 99], "x": [0.0, 0.0], "byv": ["a", "b"]})
    lp = bp.posterior_linpred(fit, newdata=new, allow_new_levels=True, sample_new_levels="gaussian", seed=1)
    d = fit.draws_dict
    spread = np.sqrt(np.mean(d["sd_g__Intercept:byvb"] ** 2) / np.mean(d["sd_g__Intercept:byva"] ** 2))
    assert lp[:, 1].std() / lp[:, 0].std() == pytest.approx(spread, rel=0.3) and spread > 2
    with pytest.raises(bp.DataError, match=r"\[.c.\]"):
        bp.posterior_linpred(fit, newdata=new.assign(byv=["a", "c"]), allow_new_levels=True,
                             sample_new_levels="gaussian")
    assert {"sd_g__Intercept:byva", "sd_g__Intercept:byvb"} <= set(fit.draws_dict)


# ------------------------------------------------------------- bad input


def test_bad_input():
    df, A = cov_data(2)
    f = "y ~ x + (1 | gr(id, cov = A))"
    with pytest.raises(bp.DataError, match="not in data2"):
        bp.make_stancode(f, df)
    with pytest.raises(bp.DataError, match="missing from the covariance matrix"):
        bp.make_stancode(f, df, data2={"A": A.drop(index="id03", columns="id03")})
    bad = A.copy()
    bad.loc["id00", "id01"] = bad.loc["id01", "id00"] = 1.0  # two identical individuals
    with pytest.raises(bp.DataError, match="not positive definite"):
        bp.make_stancode(f, df, data2={"A": bad})
    asym = A.copy()
    asym.loc["id00", "id01"] = 0.3
    with pytest.raises(bp.DataError, match="not symmetric"):
        bp.get_prior(f, df, data2={"A": asym})
    with pytest.raises(bp.DataError, match="30 levels"):
        bp.make_standata(f, df, data2={"A": np.eye(3)})
    with pytest.raises(bp.DataError, match="must belong to one level of 'x'"):  # by with cov: tests/codegen/test_gr_by_cov.py
        bp.make_stancode("y ~ x + (1 | gr(id, cov = A, by = x))", df, data2={"A": A})
    mdf, _ = mm_data(60)
    with pytest.raises(bp.DataError, match="non-negative"):
        bp.make_stancode("y ~ x + (1 | mm(g1, g2, weights = cbind(w1, w2)))", mdf.assign(w2=-mdf["w2"]))
    with pytest.raises(bp.FormulaError, match="2 members but 1 weight"):
        bp.make_stancode("y ~ x + (1 | mm(g1, g2, weights = cbind(w1)))", mdf)
    with pytest.raises(bp.FormulaError, match="TRUE or FALSE"):  # scale = FALSE works: tests/frame/test_mm_noscale.py
        bp.make_stancode("y ~ x + (1 | mm(g1, g2, scale = 2))", mdf)


def test_blocks_numbered_as_brms_and_mm_group_name():
    """brms numbers group-level blocks by group name within each predictor (not formula order), and calls
    the grouping factor of mm(g1, g2) 'mmg1g2' in prior rows (brms 2.18's tidy_ranef() / get_prior())."""
    df, _ = mm_data(n=60, levels=6)
    df["a"] = np.where(df["x"] > 0, "u", "v")
    b = bp.build_model("y ~ x + (1 | mm(g1, g2)) + (1 | g2) + (x | a)", df, reduce=False)
    assert [(bl.id, bl.group) for bl in b.frame.blocks] == [(1, "a"), (2, "g2"), (3, "mm(g1, g2)")]
    sd = bp.make_standata("y ~ x + (1 | mm(g1, g2)) + (1 | g2)", df)
    assert sd["N_1"] == df["g2"].nunique() and "J_1" in sd and "J_2_1" in sd and "W_2_2" in sd
    gp = bp.get_prior("y ~ x + (1 + x | mm(g1, g2))", df)
    assert set(gp.loc[gp["group"] != "", "group"]) == {"mmg1g2"}
    sd = bp.make_standata("y ~ x + (1 + x | mm(g1, g2))", df, prior=bp.prior("normal(0, 3)", "sd", group="mmg1g2"))
    np.testing.assert_array_equal(sd["prior_sd_1_scale"], [3, 3])
