"""``car()`` in the formula of a distributional or non-linear parameter (``sigma ~ car(W, gr = g)``).

brms 2.18 builds these (its test suite's ``bf(y ~ x, sigma ~ car(W))``): the spatial effects get the
parameter's suffix (``rcar_sigma``, ``sdcar_sigma``, ``Jloc_sigma``, ...), their priors its ``dpar``/``nlpar``,
and ``rcar_<dpar>[Jloc_<dpar>]`` enters that parameter's linear predictor before its inverse link.

Golden programs that stanc accepts; prior tables with the dpar; numpy log-likelihood equal to Stan's;
recovery of a spatially varying sigma on simulated data.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers


def _adjacency(n: int) -> pd.DataFrame:
    """Locations 1..n on a line, neighbours adjacent (rows and columns named by the locations)."""
    W = np.zeros((n, n))
    i = np.arange(n - 1)
    W[i, i + 1] = W[i + 1, i] = 1
    return pd.DataFrame(W, index=range(1, n + 1), columns=range(1, n + 1))


def _data(seed: int = 1, n_loc: int = 10, per: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"g": np.repeat(np.arange(1, n_loc + 1), per)})
    d["x"] = rng.normal(size=len(d))
    d["y"] = rng.normal(size=len(d))
    d["yc"] = rng.poisson(3, len(d))
    return d


CASES = {
    "car_sigma": (bp.bf("y ~ x", "sigma ~ car(W, gr = g)"), "gaussian", None),
    "car_mu_sigma_icar": (bp.bf("y ~ x + car(W, gr = g)", "sigma ~ x + car(W, gr = g, type = 'icar')"), "gaussian",
                          None),
    "car_shape_bym2_negbinomial": (bp.bf("yc ~ x", "shape ~ car(W, gr = g, type = 'bym2')"), "negbinomial", None),
    "car_nlpar": (bp.bf("y ~ a + b * x", "a ~ car(W, gr = g)", "b ~ 1", nl=True), "gaussian",
                  bp.prior("normal(0, 2)", nlpar="a") + bp.prior("normal(0, 2)", nlpar="b")),
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_and_stanc(name: str, update_golden: bool) -> None:
    formula, family, prior = CASES[name]
    code = bp.make_stancode(formula, _data(), family, prior=prior, data2={"W": _adjacency(10)})
    assert_golden(name, code, update_golden)


def test_names_and_priors_as_brms() -> None:
    d, W = _data(), _adjacency(10)
    formula = bp.bf("y ~ x", "sigma ~ car(W, gr = g)")
    code = bp.make_stancode(formula, d, data2={"W": W})
    assert "sigma += Intercept_sigma + rcar_sigma[Jloc_sigma];" in code
    assert "target += sparse_car_lpdf(rcar_sigma | car_sigma, sdcar_sigma, Nloc_sigma" in code
    sd = bp.make_standata(formula, d, data2={"W": W})
    assert sd["Nloc_sigma"] == 10 and list(sd["Jloc_sigma"][:5]) == [1, 1, 1, 1, 2]
    table = bp.get_prior(formula, d, data2={"W": W})
    rows = table[table["class"].isin(["sdcar", "car"])]
    assert set(zip(rows["class"], rows["dpar"], rows["prior"])) == {("sdcar", "sigma", "student_t(3, 0, 2.5)"),
                                                                    ("car", "sigma", "")}
    code = bp.make_stancode(formula, d, data2={"W": W}, prior=bp.prior("normal(0, 0.5)", class_="sdcar", dpar="sigma"))
    assert "lprior += normal_lpdf(sdcar_sigma | prior_sdcar_sigma_loc, prior_sdcar_sigma_scale)" in code


def test_brms_testsuite_case_without_gr_warns() -> None:
    """brms's test suite [264]: car(W) without gr (each row its own location) is deprecated, as brms."""
    d = _data(n_loc=12, per=1)
    with pytest.warns(Warning, match="deprecated"):
        code = bp.make_stancode(bp.bf("y ~ x", "sigma ~ car(W)"), d, data2={"W": _adjacency(12).to_numpy()})
    assert "rcar_sigma[Jloc_sigma]" in code


@pytest.fixture(scope="module", params=list(CASES))
def short_fit(request):
    formula, family, prior = CASES[request.param]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 200 iterations: convergence warnings are expected
        return bp.brm(formula, _data(), family, prior=prior, data2={"W": _adjacency(10)}, chains=1, iter=200, seed=1,
                      refresh=0)


def test_numpy_log_lik_equals_stan(short_fit) -> None:
    assert_loglik_matches_stan(short_fit, draws=(0, 37, 99))
    n = len(_data())
    assert bp.posterior_predict(short_fit).shape == (100, n)
    new = _data(seed=4).iloc[:6]
    assert bp.posterior_epred(short_fit, newdata=new).shape == (100, 6)


@pytest.fixture(scope="module")
def fit_recovery():
    """30 locations on a line with 15 rows each; log sigma varies smoothly along the line."""
    rng = np.random.default_rng(7)
    n_loc, per = 30, 15
    field = 0.6 * np.sin(np.linspace(0, 2 * np.pi, n_loc))
    d = pd.DataFrame({"g": np.repeat(np.arange(1, n_loc + 1), per), "x": rng.normal(size=n_loc * per)})
    sigma = np.exp(-0.5 + field[d["g"] - 1])
    d["y"] = 1.0 + 0.5 * d["x"] + sigma * rng.normal(size=len(d))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm(bp.bf("y ~ x", "sigma ~ car(W, gr = g, type = 'icar')"), d, data2={"W": _adjacency(n_loc)},
                     chains=2, iter=600, seed=3, refresh=0)
    return fit, field


def test_recovers_spatial_sigma(fit_recovery):
    fit, field = fit_recovery
    d = fit.draws()
    truth = {"b_Intercept": 1.0, "b_x": 0.5}
    assert_recovers({k: d[k].to_numpy() for k in truth}, truth)
    # the location effects on log sigma follow the true field (icar: centred; the intercept takes the mean)
    rcar = np.column_stack([d[f"rcar_sigma[{k}]"].to_numpy() for k in range(1, len(field) + 1)]).mean(axis=0)
    assert np.corrcoef(rcar, field)[0, 1] > 0.8
    level = d["b_sigma_Intercept"].to_numpy()
    assert abs(level.mean() - (-0.5)) < 4 * level.std() + 0.1
