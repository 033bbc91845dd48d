"""Monotonic terms interacting with factors: ``mo(x):f``, ``mo(x) * f`` (issue 21).

As brms 2.18 (``sp_model_matrix``): each sp call is a placeholder column of ones and R's model matrix
of the predictor's sp terms gives one ``bsp`` element per column with R's contrasts (``mo(x):f`` alone:
``bsp_mox:fa``, ``bsp_mox:fb``, ...; beside ``mo(x)``: ``bsp_mox:fb``, ...), the column being ``Csp`` and
each call in it its own ``Xmo``/``simo``. Golden code accepted by stanc, numpy log-likelihood equal to
Stan's, recovery of simulated truth and predictions on new data.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

BSP, SIMPLEX, SIGMA = {"a": 0.8, "b": -0.4, "c": 0.2}, np.array([0.5, 0.3, 0.2]), 0.5


def mo_factor_data(n: int = 360, seed: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    xmo = rng.integers(0, 4, n)
    f = rng.choice(list("abc"), n)
    mo = 3 * np.concatenate([[0.0], np.cumsum(SIMPLEX)])[xmo]
    y = 1 + np.array([BSP[v] for v in f]) * mo + rng.normal(0, SIGMA, n)
    return pd.DataFrame({"y": y, "xmo": xmo, "f": pd.Categorical(f), "z": rng.normal(size=n)})


@pytest.mark.parametrize("name, formula", [("mo_colon_factor", "y ~ mo(xmo):f"),
                                           ("mo_star_factor", "y ~ mo(xmo) * f")])
def test_golden_and_stanc(name: str, formula: str, update_golden: bool) -> None:
    code = bp.make_stancode(formula, mo_factor_data())
    assert_golden(name, code, update_golden)


def test_names_and_data_follow_brms() -> None:
    d = mo_factor_data()
    p = bp.get_prior("y ~ mo(xmo) * f", d)
    assert list(p[p["class"] == "b"]["coef"]) == ["", "fb", "fc", "moxmo", "moxmo:fb", "moxmo:fc"]
    assert list(p[p["class"] == "simo"]["coef"]) == ["moxmo:fb1", "moxmo:fc1", "moxmo1"]
    sd = bp.make_standata("y ~ mo(xmo):f", d)
    for k, level in enumerate("abc", start=1):
        np.testing.assert_array_equal(sd[f"Csp_{k}"], (d["f"] == level).to_numpy(float))
        np.testing.assert_array_equal(sd[f"Xmo_{k}"], d["xmo"].to_numpy())


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm("y ~ mo(xmo):f", mo_factor_data(), chains=2, iter=800, seed=9, refresh=0)


def test_recovery(fit) -> None:
    assert_recovers(fit.draws_dict, {**{f"bsp_moxmo:f{k}": v for k, v in BSP.items()}, "sigma": SIGMA,
                                     "simo_moxmo:fa1[1]": SIMPLEX[0]})


def test_loglik_matches_stan(fit) -> None:
    assert_loglik_matches_stan(fit)


def test_predictions_on_new_data(fit) -> None:
    d = {k: np.asarray(v).ravel() for k, v in fit.draws_dict.items()}
    new = pd.DataFrame({"xmo": [3, 3, 0], "f": pd.Categorical(["b", "c", "a"], categories=list("abc"))})
    ep = bp.posterior_epred(fit, newdata=new)
    np.testing.assert_allclose(ep[:, 0], d["b_Intercept"] + 3 * d["bsp_moxmo:fb"])
    np.testing.assert_allclose(ep[:, 1], d["b_Intercept"] + 3 * d["bsp_moxmo:fc"])
    np.testing.assert_allclose(ep[:, 2], d["b_Intercept"])
