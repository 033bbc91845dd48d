"""``unstr(time, gr)``: brms's unstructured residual correlation of the time points (brms 2.19+).

Each series (level of ``gr``) is one multivariate density over the time points it has, with
covariance ``sigma^2 * Cortime[t, t]``; ``Cortime = Lcortime Lcortime'`` (``lkj`` prior on class
``cortime``).  brms 2.18 has no ``unstr()``, so the Stan data, priors and names follow current brms's
sources (``Jtime_tg``, ``n_unique_t``, ``n_unique_cortime``, ``cortime__<t1>__<t2>``).

Golden programs that stanc accepts; numpy's joint log density equal to Stan's; brms's
leave-one-out ``log_lik`` against a direct conditional-normal computation; latent residuals of
a poisson model (pointwise densities summing to Stan's); new time points refused (as brms);
recovery of the correlations on simulated data.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli
from scipy import stats

import brmspy as bp
from brmspy.core.errors import DataError, FormulaError
from brmspy.prediction.core import series_log_lik
from tests.checks import assert_golden, assert_recovers, parameter_names

TIMES = ["t1", "t2", "t3", "t4"]


def _data(seed: int = 1, groups: int = 6) -> pd.DataFrame:
    """Unbalanced series: some groups miss time points, rows shuffled (brms sorts by gr, then time)."""
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"g": np.repeat(np.arange(groups), 4), "time": np.tile([1, 2, 3, 4], groups)})
    d["x"] = rng.normal(size=len(d))
    d["y"] = rng.normal(size=len(d))
    d["yc"] = rng.poisson(3, len(d))
    d["tf"] = pd.Categorical(np.array(TIMES)[d["time"] - 1], categories=TIMES)
    return d.drop([1, 6, 11, 13]).sample(frac=1, random_state=3).reset_index(drop=True)


CASES = {
    "unstr": ("y ~ x + unstr(time, g)", "gaussian"),
    "unstr_student": ("y ~ x + unstr(time, g)", "student"),
    "unstr_sigma": (bp.bf("y ~ x + unstr(tf, g)", "sigma ~ x"), "gaussian"),
    "unstr_poisson_latent": ("yc ~ x + unstr(time, g)", "poisson"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_and_stanc(name: str, update_golden: bool) -> None:
    formula, family = CASES[name]
    code = bp.make_stancode(formula, _data(), family)
    assert_golden(name, code, update_golden)


def test_standata_as_brms() -> None:
    """Rows sorted by g then time; Jtime_tg the time point of each row of each series, padded with 0."""
    d = _data()
    sd = bp.make_standata("y ~ x + unstr(time, g)", d)
    assert sd["N_tg"] == 6 and sd["n_unique_t"] == 4 and sd["n_unique_cortime"] == 6
    np.testing.assert_array_equal(sd["nobs_tg"], [3, 3, 3, 3, 4, 4])
    np.testing.assert_array_equal(sd["begin_tg"], [1, 4, 7, 10, 13, 17])
    np.testing.assert_array_equal(sd["Jtime_tg"][:4], [[1, 3, 4, 0], [1, 2, 4, 0], [1, 2, 3, 0], [1, 3, 4, 0]])
    np.testing.assert_array_equal(sd["Jtime_tg"][4:], [[1, 2, 3, 4]] * 2)
    prior = bp.get_prior("y ~ x + unstr(time, g)", d)
    row = prior[prior["class"] == "cortime"]
    assert list(row["prior"]) == ["lkj(1)"]
    code = bp.make_stancode("y ~ x + unstr(time, g)", d, prior=bp.prior("lkj(4)", class_="cortime"))
    assert "lkj_corr_cholesky_lpdf(Lcortime | prior_Lcortime_eta)" in code
    assert bp.make_standata("y ~ x + unstr(time, g)", d, prior=bp.prior("lkj(4)", class_="cortime"))[
        "prior_Lcortime_eta"] == 4


@pytest.fixture(scope="module", params=list(CASES))
def short_fit(request):
    formula, family = CASES[request.param]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 200 iterations: convergence warnings are expected
        return request.param, bp.brm(formula, _data(), family, chains=1, iter=200, seed=1, refresh=0)


def _stan_loglik(fit, draws=(0, 37, 99)) -> list[tuple[int, float]]:
    code, sd = fit.stancode(), fit.standata()
    full, prior = stanli.Model(stan_code=code, data=sd), stanli.Model(stan_code=code, data={**sd, "prior_only": 1})
    out = []
    for draw in draws:
        values = {n: fit.stan_draws.params[n][0, draw] for n in parameter_names(code) if n in fit.stan_draws.params}
        theta = full.unconstrain(values)
        out.append((draw, full.log_prob_grad(theta)[0] - prior.log_prob_grad(theta)[0]))
    return out


def test_numpy_log_lik_equals_stan(short_fit) -> None:
    """Joint density per series (gaussian, student); pointwise densities given err (latent poisson)."""
    name, fit = short_fit
    total = bp.log_lik(fit).sum(axis=1) if name.endswith("latent") else series_log_lik(fit).sum(axis=1)
    for draw, stan in _stan_loglik(fit):
        assert stan == pytest.approx(total[draw], rel=1e-9)


def test_names_and_predictions(short_fit) -> None:
    name, fit = short_fit
    d = fit.draws()
    labels = TIMES if name == "unstr_sigma" else ["1", "2", "3", "4"]
    cors = [f"cortime__{labels[j]}__{labels[k]}" for k in range(1, 4) for j in range(k)]
    assert [c for c in d.columns if c.startswith("cortime")] == cors
    L = fit.stan_draws.params["Lcortime"][0]
    np.testing.assert_allclose(d["cortime__1__3" if name != "unstr_sigma" else "cortime__t1__t3"],
                               (L[:, 0, :] * L[:, 2, :]).sum(axis=1), rtol=1e-10)
    n = len(_data())
    assert bp.posterior_predict(fit).shape == (100, n) and bp.log_lik(fit).shape == (100, n)
    assert bp.posterior_epred(fit, newdata=_data().iloc[:5]).shape == (100, 5)


def test_gaussian_loo_log_lik() -> None:
    """brms's log_lik: each y_i given the other rows of its series, covariance sigma^2 Cortime[t, t]."""
    df = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y ~ x + unstr(time, g)", df, chains=1, iter=100, seed=2, refresh=0)
    rows = fit.frame.data  # sorted by g, then time
    d = fit.draws()
    ll = bp.log_lik(fit)
    y, x = rows["y"].to_numpy(), rows["x"].to_numpy()
    for s in (0, 30):
        L = fit.stan_draws.params["Lcortime"][0, s]
        R = L @ L.T
        mu = d["b_Intercept"].iloc[s] + d["b_x"].iloc[s] * x
        for g in (0, 4):
            idx = np.flatnonzero(rows["g"].to_numpy() == g)
            t = rows["time"].to_numpy()[idx] - 1
            C = d["sigma"].iloc[s] ** 2 * R[np.ix_(t, t)]
            for k in range(len(idx)):
                o = np.delete(np.arange(len(idx)), k)
                m = mu[idx[k]] + C[k, o] @ np.linalg.solve(C[np.ix_(o, o)], y[idx[o]] - mu[idx[o]])
                v = C[k, k] - C[k, o] @ np.linalg.solve(C[np.ix_(o, o)], C[o, k])
                assert ll[s, idx[k]] == pytest.approx(stats.norm.logpdf(y[idx[k]], m, np.sqrt(v)), rel=1e-8)
    perm = np.random.default_rng(1).permutation(len(rows))  # new data: their own series, as brms
    np.testing.assert_allclose(bp.log_lik(fit, newdata=rows.iloc[perm].reset_index(drop=True)), ll[:, perm],
                               rtol=1e-10)
    sub = rows.iloc[perm[:9]].reset_index(drop=True)
    assert bp.posterior_predict(fit, newdata=sub, seed=2).shape == (ll.shape[0], 9)
    new = df.iloc[:3].copy()
    new["time"] = [1, 7, 2]
    with pytest.raises(DataError, match="new time points in UNSTR"):
        bp.posterior_epred(fit, newdata=new)


@pytest.mark.parametrize("formula, match", [
    ("y ~ x + unstr(time)", "Argument 'gr' is missing"),
    ("y ~ x + unstr(gr = g)", "Argument 'time' is missing"),
    ("y ~ x + unstr(time, g) + ar(time, g)", "several autocorrelation terms"),
])
def test_refusals(formula: str, match: str) -> None:
    with pytest.raises(FormulaError, match=match):
        bp.make_stancode(formula, _data())


def test_duplicate_times_refused() -> None:
    d = _data()
    d.loc[1, ["g", "time"]] = d.loc[0, ["g", "time"]].to_numpy()
    with pytest.raises(DataError, match="unique within each series"):
        bp.make_stancode("y ~ x + unstr(time, g)", d)


@pytest.fixture(scope="module")
def fit_recovery():
    """60 series of 4 time points (10% of rows missing), known correlations and coefficients."""
    rng = np.random.default_rng(11)
    R = np.array([[1, .7, .4, .1], [.7, 1, .6, .3], [.4, .6, 1, .5], [.1, .3, .5, 1]])
    G = 60
    err = (np.linalg.cholesky(R) @ rng.normal(size=(4, G))).T.ravel() * 0.6
    d = pd.DataFrame({"g": np.repeat(np.arange(G), 4), "time": np.tile([1, 2, 3, 4], G), "x": rng.normal(size=4 * G)})
    d["y"] = 1.0 + 0.5 * d["x"] + err
    d = d.sample(frac=0.9, random_state=4).reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm("y ~ x + unstr(time, g)", d, chains=2, iter=600, seed=3, refresh=0), R


def test_recovers_unstr(fit_recovery):
    fit, R = fit_recovery
    d = fit.draws()
    truth = {"b_Intercept": 1.0, "b_x": 0.5, "sigma": 0.6}
    truth.update({f"cortime__{j + 1}__{k + 1}": R[j, k] for k in range(1, 4) for j in range(k)})
    assert_recovers({k: d[k].to_numpy() for k in truth}, truth)


@pytest.mark.parametrize("formula, match", [
    ("y | cens(c) ~ x + unstr(time, g)", "Invalid addition arguments"),
    ("y | trunc(lb = -9) ~ x + cosy(time, g)", "Invalid addition arguments"),
    ("y | se(s) ~ x + unstr(time, g)", "set argument 'sigma' of function 'se' to TRUE"),
    ("y | se(s) ~ x + fcor(V)", "Invalid addition arguments"),
    ("y | se(s) ~ x + sar(V)", "does not compile"),
])
def test_additions_with_covariance_structures_refused(formula: str, match: str) -> None:
    """Regression: these additions were silently left out of the likelihood of covariance structures."""
    d = _data().assign(c=0, s=0.5)
    V = 0.5 * np.eye(len(d)) + 0.5
    with pytest.raises(FormulaError, match=match):
        bp.make_stancode(formula, d, data2={"V": V})
