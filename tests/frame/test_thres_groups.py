"""``thres(gr = g)``: thresholds per group in ordinal models (issue 21), as brms 2.18.

brms gives each level of ``g`` its own threshold vector ``Intercept_<i>`` (``nthres[i]`` thresholds: the
group's largest category minus one, or ``thres(k, gr = g)``), merges them into ``merged_Intercept`` and
picks each row's thresholds with ``Jthres``; the predictors are not centred, the draws are named
``b_Intercept[<group>,k]`` and the prior table has rows per group and threshold. The Stan data and prior
tables are compared with brms in tests/package/test_brms_reference.py (cases ``ord_thres_gr*``); here:
golden code and stanc, priors per group, refusals, recovery, numpy log-likelihood against Stan's density
and predictions (a group's categories beyond its own thresholds have probability 0, as brms).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.core.errors import DataError, FormulaError
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

# group "a": 3 thresholds (4 categories), group "b": 2 thresholds (3 categories)
# (equidistant: distances 1.25 and 1.5, so the same truth serves the equidistant fit)
THRES = {"a": np.array([-1.0, 0.25, 1.5]), "b": np.array([-0.5, 1.0])}
B = 0.8


def grouped_data(n: int = 500, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    g = np.where(rng.uniform(size=n) < 0.5, "a", "b")
    y = np.empty(n, dtype=np.int64)
    for lv, th in THRES.items():
        rows = g == lv
        cdf = 1 / (1 + np.exp(-(th[None, :] - B * x[rows, None])))
        y[rows] = 1 + (rng.uniform(size=rows.sum())[:, None] > cdf).sum(axis=1)
    return pd.DataFrame({"y": y, "x": x, "g": g, "z": rng.normal(size=n)})


def test_data_priors_and_code(update_golden: bool) -> None:
    d = grouped_data()
    sd = bp.make_standata("y | thres(gr = g) ~ x", d, "cumulative")
    assert sd["ngrthres"] == 2 and list(sd["nthres"]) == [3, 2]
    rows_b = np.flatnonzero(d["g"] == "b")
    np.testing.assert_array_equal(sd["Jthres"][rows_b[0]], [4, 5])
    assert "means_X" not in sd  # not centred (brms: center = FALSE)
    p = bp.get_prior("y | thres(gr = g) ~ x", d, "cumulative")
    ip = p[p["class"] == "Intercept"]
    assert list(zip(ip["group"], ip["coef"])) == [("", ""), ("a", ""), ("a", "1"), ("a", "2"), ("a", "3"),
                                                  ("b", ""), ("b", "1"), ("b", "2")]
    code = bp.make_stancode("y | thres(gr = g) ~ x", d, "cumulative")
    assert_golden("ord_thres_gr", code, update_golden)
    code = bp.make_stancode(bp.bf("y | thres(4, gr = g) ~ x + (1 | g)", "disc ~ z"), d, bp.sratio(link="probit"))
    assert_golden("ord_thres_gr_disc_sratio", code, update_golden)
    assert "sratio_probit_merged_lpmf(Y[n] | mu[n], disc[n], merged_Intercept, Jthres[n])" in code
    assert list(bp.make_standata("y | thres(4, gr = g) ~ x", d, "sratio")["nthres"]) == [4, 4]


def test_priors_per_group() -> None:
    d = grouped_data()
    prior = bp.prior("normal(0, 2)", "Intercept", group="a") + bp.prior("normal(1, 1)", "Intercept", coef="2", group="b")
    sd = bp.make_standata("y | thres(gr = g) ~ x", d, "cumulative", prior=prior)
    code = bp.make_stancode("y | thres(gr = g) ~ x", d, "cumulative", prior=prior)
    assert "lprior += normal_lpdf(Intercept_1 | prior_Intercept_1_loc, prior_Intercept_1_scale);" in code
    np.testing.assert_array_equal(sd["prior_Intercept_1_scale"], [2, 2, 2])
    # group b: threshold 2 has its own prior, threshold 1 keeps the class's student_t(3, 0, 2.5)
    np.testing.assert_array_equal(sd["prior_Intercept_2_normal_loc"], [1.0])
    np.testing.assert_array_equal(sd["Jp_Intercept_2_student_t"], [1])
    np.testing.assert_array_equal(sd["prior_Intercept_2_student_t_scale"], [2.5])


def test_refusals() -> None:
    d = grouped_data()
    with pytest.raises(FormulaError, match="category specific effects in models with multiple thresholds"):
        bp.make_stancode("y | thres(gr = g) ~ x + cs(z)", d, "acat")
    with pytest.raises(DataError, match="needs to be factor-like"):
        bp.make_standata("y | thres(gr = x2) ~ x", d.assign(x2=np.arange(500) % 2), "cumulative")
    with pytest.raises(DataError, match="Number of thresholds is smaller than required"):
        bp.make_standata("y | thres(2, gr = g) ~ x", d, "cumulative")
    with pytest.raises(DataError, match="unique for each group"):
        bp.make_standata("y | thres(k, gr = g) ~ x", d.assign(k=np.arange(500) % 2 + 3), "cumulative")
    with pytest.raises(DataError, match="every group needs at least one threshold"):
        bp.make_stancode("y | thres(gr = g2) ~ x", d.assign(g2=np.where(d["y"] == 1, "one", "many")), "cumulative")


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm("y | thres(gr = g) ~ x", grouped_data(), "cumulative", chains=2, iter=600, seed=3, refresh=0)


def test_names_and_recovery(fit) -> None:
    names = set(fit.draws_dict)
    assert {"b_Intercept[a,1]", "b_Intercept[a,3]", "b_Intercept[b,2]", "b_x"} <= names
    assert "b_Intercept[b,3]" not in names
    truth = {"b_x": B, **{f"b_Intercept[{g},{k + 1}]": v for g, th in THRES.items() for k, v in enumerate(th)}}
    assert_recovers(fit.draws_dict, truth)
    assert "Intercept[b,2]" in str(fit.summary())  # brms: Intercept[b,2] in the table


def test_loglik_matches_stan(fit) -> None:
    assert_loglik_matches_stan(fit)


def test_predictions(fit) -> None:
    ep = bp.posterior_epred(fit, ndraws=40)
    assert ep.shape == (40, 500, 4)
    np.testing.assert_allclose(ep.sum(axis=2), 1.0)
    rows_b = (fit.frame.data["g"] == "b").to_numpy()
    assert (ep[:, rows_b, 3] == 0).all() and (ep[:, ~rows_b, 3] > 0).all()  # group b has 3 categories
    pp = bp.posterior_predict(fit, ndraws=30, seed=1)
    assert pp[:, rows_b].max() <= 3 and pp[:, ~rows_b].max() == 4
    # new data: each row takes its group's thresholds (manual cumulative-logit probabilities)
    new = pd.DataFrame({"x": [0.2, 0.2], "g": ["a", "b"]})
    epn = bp.posterior_epred(fit, newdata=new)
    dd = {k: np.asarray(v).reshape(-1) for k, v in fit.draws_dict.items()}
    for row, (g, n) in enumerate((("a", 3), ("b", 2))):
        cdf = 1 / (1 + np.exp(-(np.column_stack([dd[f"b_Intercept[{g},{k}]"] for k in range(1, n + 1)])
                                 - 0.2 * dd["b_x"][:, None])))
        probs = np.diff(np.column_stack([np.zeros(len(cdf)), cdf, np.ones(len(cdf))]), axis=1)
        np.testing.assert_allclose(epn[:, row, : n + 1], probs, rtol=1e-10)
    assert (epn[:, 1, 3] == 0).all()
    # log_lik on new data: the log of the row's category probability with its group's thresholds
    ll = bp.log_lik(fit, newdata=new.assign(y=[4, 3]))
    np.testing.assert_allclose(ll, np.log(np.column_stack([epn[:, 0, 3], epn[:, 1, 2]])), rtol=1e-10)
    with pytest.raises(DataError, match="Number of thresholds is smaller than required"):
        bp.log_lik(fit, newdata=new.assign(y=[4, 4]))  # group b has 3 categories
    # group a's only row has category 1 here: the model's thresholds still apply
    low = bp.log_lik(fit, newdata=new.assign(y=[1, 3]))
    np.testing.assert_allclose(low, np.log(np.column_stack([epn[:, 0, 0], epn[:, 1, 2]])), rtol=1e-10)
    with pytest.raises(DataError, match="level.*'c'.*not in the fitted data"):
        bp.posterior_epred(fit, newdata=pd.DataFrame({"x": [0.0], "g": ["c"]}))


@pytest.fixture(scope="module")
def fit_equidistant():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm("y | thres(gr = g) ~ x", grouped_data(), bp.cumulative(threshold="equidistant"), chains=2,
                      iter=500, seed=4, refresh=0)


def test_equidistant_per_group(fit_equidistant, update_golden: bool) -> None:
    """brms's first_Intercept_<i> and delta_<i> per group (priors: class Intercept/delta with group)."""
    code = fit_equidistant.stancode()
    assert_golden("ord_thres_gr_equidistant", code, update_golden)
    d = fit_equidistant.draws_dict
    assert {"delta_1", "delta_2", "b_Intercept[a,3]", "b_Intercept[b,2]"} <= set(d)
    assert_recovers(d, {"b_x": B, "delta_1": 1.25, "delta_2": 1.5, "b_Intercept[a,1]": -1.0, "b_Intercept[b,1]": -0.5})
    assert_loglik_matches_stan(fit_equidistant)


@pytest.mark.parametrize("family", ["cumulative", "sratio", "cratio", "acat"])
def test_padded_thresholds_give_zero_probability(family: str) -> None:
    """A group with fewer thresholds is padded with +inf: its own categories keep their probabilities."""
    from brmspy.families.ordinal import category_probs

    mu, disc = np.array([0.2, -0.4]), np.array([1.0, 1.3])
    th = np.array([[-1.0, 0.5], [-0.3, 0.8]])
    padded = np.column_stack([th, np.full(2, np.inf)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = category_probs(family, "logit", mu, disc, padded)
    np.testing.assert_allclose(p[:, :3], category_probs(family, "logit", mu, disc, th), rtol=1e-12)
    assert (p[:, 3] == 0).all()


def test_multivariate_and_column_k() -> None:
    """An ordinal response of a multivariate model (brms's Jthres_<resp>, b_<resp>_Intercept[<group>,k]) and
    thres(k, gr = g) with k a column constant within each group."""
    d = grouped_data(n=300).assign(k=lambda df: np.where(df["g"] == "a", 3, 4), y2=lambda df: df["x"] + df["z"])
    sd = bp.make_standata("y | thres(k, gr = g) ~ x", d, "cumulative")
    assert list(sd["nthres"]) == [3, 4]
    f = bp.bf("y | thres(gr = g) ~ x", family="cumulative") + bp.bf("y2 ~ x", family="gaussian") + bp.set_rescor(False)
    code = bp.make_stancode(f, d)
    stanli.stan_to_mir(code)
    assert "ordered_logistic_merged_lpmf(Y_y[n] | mu_y[n], merged_Intercept_y, Jthres_y[n])" in code
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm(f, d, chains=1, iter=400, seed=2, refresh=0)
    assert {"b_y_Intercept[a,3]", "b_y_Intercept[b,2]", "b_y2_x"} <= set(fit.draws_dict)
    assert_loglik_matches_stan(fit)
    ep = bp.posterior_epred(fit, resp="y", ndraws=5)
    assert ep.shape == (5, 300, 4) and (ep[:, (d["g"] == "b").to_numpy(), 3] == 0).all()


def test_sum_to_zero_per_group() -> None:
    """threshold = "sum_to_zero": each group's thresholds sum to zero (brmspy's sum_to_zero_vector, as ungrouped)."""
    d = grouped_data(n=200)
    code = bp.make_stancode("y | thres(gr = g) ~ x", d, bp.sratio(threshold="sum_to_zero"))
    stanli.stan_to_mir(code)
    assert "sum_to_zero_vector[nthres[2]] Intercept_2;" in code
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y | thres(gr = g) ~ x", d, bp.sratio(threshold="sum_to_zero"), chains=1, iter=300, seed=1,
                     refresh=0)
    dd = fit.draws_dict
    np.testing.assert_allclose(np.asarray(dd["b_Intercept[b,1]"]) + np.asarray(dd["b_Intercept[b,2]"]), 0, atol=1e-8)
    assert_loglik_matches_stan(fit)


def test_hurdle_cumulative(update_golden: bool) -> None:
    """thres(gr = g) in hurdle_cumulative (brms 2.19+: hurdle_cumulative_<link>_merged_lpmf with hu before disc);
    category 0 is the hurdle, each group's thresholds cover its categories 1..K."""
    d = grouped_data(150).assign(y=lambda x: np.where(np.arange(150) % 5 == 0, 0, x["y"]))
    f = bp.bf("y | thres(gr = g) ~ x", "hu ~ z")
    code = bp.make_stancode(f, d, "hurdle_cumulative")
    assert_golden("hurdle_cumulative_thres_gr", code, update_golden)
    assert "hurdle_cumulative_logit_merged_lpmf(Y[n] | mu[n], hu[n], disc, merged_Intercept, Jthres[n])" in code
    assert list(bp.make_standata(f, d, "hurdle_cumulative")["nthres"]) == [3, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        small = bp.brm(f, d, "hurdle_cumulative", chains=1, iter=120, seed=2, refresh=0)
    assert {"b_Intercept[a,3]", "b_Intercept[b,2]", "b_hu_z"} <= set(small.draws_dict)
    assert_loglik_matches_stan(small)
    ep = bp.posterior_epred(small, ndraws=10)
    assert np.isfinite(ep).all()

