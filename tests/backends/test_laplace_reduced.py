"""algorithm="laplace" on brmspy's reduced gaussian programs (issue 24).

From 1000 rows ``reduce="auto"`` writes a gaussian ``y ~ x + (1 | g)`` as the ``gaussian_marginal``
program: the group effects are integrated out exactly, so the normal at its mode is the marginal
Laplace approximation (:func:`brmspy.backends.marginal_laplace.integrated_laplace`), not the joint one.
Checked against the row-wise program's marginal path (``reduce=False``: same approximation, computed
another way), against NUTS (means within 0.1 posterior sd plus the NUTS means' Monte Carlo error),
and against the REML estimate of the group sd, computed here exactly from the closed-form marginal
likelihood of a random-intercept model (what lme4's ``lmer`` maximises).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.backends.marginal_laplace import MARGINAL_TIMING
from brmspy.core.errors import SamplerWarning

pytestmark = [pytest.mark.filterwarnings("ignore:.*Effective Samples Size.*"),
              pytest.mark.filterwarnings("ignore:.*Rhat.*")]

PARAMS = ["b_Intercept", "b_x", "sd_g__Intercept", "sigma"]


def simulate(n: int, groups: int, seed: int, slope: bool = False) -> pd.DataFrame:
    """Gaussian ``y ~ x + (1 | g)`` (b = (2, 0.7), sd 0.6, sigma 1), with a varying slope (sd 0.3) if asked."""
    rng = np.random.default_rng(seed)
    g = rng.permutation(np.concatenate([np.arange(groups), rng.integers(0, groups, n - groups)]))
    x = rng.normal(size=n)
    y = 2.0 + 0.7 * x + rng.normal(0, 0.6, groups)[g] + rng.normal(0, 1.0, n)
    if slope:
        y = y + rng.normal(0, 0.3, groups)[g] * x
    return pd.DataFrame({"y": y, "x": x, "g": g})


def laplace(formula: str, df: pd.DataFrame, **kw) -> tuple[bp.BrmsFit, list[str]]:
    """The laplace fit and the messages of the SamplerWarnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = bp.brm(formula, df, algorithm="laplace", seed=1, refresh=0, **kw)
    return fit, [str(w.message) for w in caught if issubclass(w.category, SamplerWarning)]


def joint_warnings(messages: list[str]) -> list[str]:
    return [m for m in messages if "joint approximation" in m]


def reml_sd(df: pd.DataFrame) -> float:
    """lmer's REML estimate of the group sd for ``y ~ x + (1 | g)``, exactly (no lme4 needed).

    Per group the rows are N(X_j b, sigma^2 I + tau^2 11'), whose inverse and log det are closed
    form (Sherman-Morrison); b is profiled out by generalised least squares, and the restricted
    likelihood adds -1/2 log det(X' V^-1 X).
    """
    from scipy.optimize import minimize

    y, X = df["y"].to_numpy(float), np.column_stack([np.ones(len(df)), df["x"].to_numpy(float)])
    g = df["g"].to_numpy()
    G = int(g.max()) + 1
    n_j = np.bincount(g, minlength=G).astype(float)
    Xs = np.stack([np.bincount(g, X[:, k], G) for k in range(2)], axis=1)  # per-group column sums
    ys = np.bincount(g, y, G)
    XtX, Xty, yty = X.T @ X, X.T @ y, y @ y

    def neg_restricted(log_par: np.ndarray) -> float:
        s2, t2 = np.exp(2 * log_par)
        c = t2 / (s2 * (s2 + n_j * t2))  # V_j^-1 = I/s2 - c_j 11'
        XVX = XtX / s2 - (Xs * c[:, None]).T @ Xs
        XVy = Xty / s2 - (Xs * c[:, None]).T @ ys
        b = np.linalg.solve(XVX, XVy)
        yVy = yty / s2 - np.sum(c * ys**2)
        quad = yVy - 2 * b @ XVy + b @ XVX @ b
        logdet_V = np.sum((n_j - 1) * np.log(s2) + np.log(s2 + n_j * t2))
        return 0.5 * (logdet_V + np.linalg.slogdet(XVX)[1] + quad)

    res = minimize(neg_restricted, np.log([1.0, 0.5]), method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-10})
    return float(np.exp(res.x[1]))


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return simulate(2000, 100, seed=5)


@pytest.fixture(scope="module")
def nuts(data: pd.DataFrame) -> pd.DataFrame:
    fit = bp.brm("y ~ x + (1 | g)", data, chains=2, iter=2000, seed=2, refresh=0)
    return fit.draws(PARAMS)


@pytest.fixture(scope="module")
def reduced(data: pd.DataFrame) -> tuple[bp.BrmsFit, list[str]]:
    return laplace("y ~ x + (1 | g)", data)


def test_reduced_gaussian_laplace_takes_marginal_path(reduced):
    fit, messages = reduced
    assert "gaussian_marginal" in fit.stancode()  # 2000 rows: reduce="auto" picked the reduced program
    assert MARGINAL_TIMING in fit.timings
    assert joint_warnings(messages) == []
    assert any("marginal Laplace approximation" in m for m in messages)  # labelled as the approximation it is


def test_reduced_gaussian_laplace_matches_rowwise_marginal(data, reduced):
    """The same approximation as the row-wise program's marginal path, to a few hundredths of an sd."""
    rowwise, messages = laplace("y ~ x + (1 | g)", data, reduce=False)
    assert "gaussian_marginal" not in rowwise.stancode() and joint_warnings(messages) == []
    a, b = reduced[0].draws(PARAMS), rowwise.draws(PARAMS)
    for p in PARAMS:
        sd = b[p].std()
        assert abs(a[p].mean() - b[p].mean()) < 0.03 * sd, p
        assert abs(a[p].std() / sd - 1) < 0.05, p


def test_reduced_gaussian_laplace_against_nuts_and_reml(data, nuts, reduced):
    draws = reduced[0].draws(PARAMS)
    for p in PARAMS:
        mcse = nuts[p].std() / np.sqrt(len(nuts) / 4)  # a conservative ESS of a quarter of the draws
        assert abs(draws[p].mean() - nuts[p].mean()) < 0.1 * nuts[p].std() + 3 * mcse, p
    # the median of sd (a normal on log sd: its centre) against the REML estimate: within 0.1 NUTS sd
    assert abs(np.median(draws["sd_g__Intercept"]) - reml_sd(data)) < 0.1 * nuts["sd_g__Intercept"].std()


def test_reduced_gaussian_laplace_varying_slope_is_marginal():
    """``(x | g)``: the row-wise marginal path has one coefficient per factor only; the reduced
    program integrates both out, so the fit is the marginal approximation, not the joint one."""
    df = simulate(2000, 100, seed=6, slope=True)
    fit, messages = laplace("y ~ x + (x | g)", df)
    assert "gaussian_marginal" in fit.stancode() and MARGINAL_TIMING in fit.timings
    assert joint_warnings(messages) == []
    nuts = bp.brm("y ~ x + (x | g)", df, chains=2, iter=1000, seed=3, refresh=0).draws(["sd_g__x", "sd_g__Intercept"])
    draws = fit.draws(["sd_g__x", "sd_g__Intercept"])
    for p in ["sd_g__x", "sd_g__Intercept"]:
        mcse = nuts[p].std() / np.sqrt(len(nuts) / 4)
        assert abs(draws[p].mean() - nuts[p].mean()) < 0.1 * nuts[p].std() + 3 * mcse, p


def test_reduce_true_small_data_uses_the_integrated_program():
    """reduce=True below 1000 rows still reduces; laplace then is the marginal approximation."""
    df = simulate(400, 40, seed=7)
    fit, messages = laplace("y ~ x + (1 | g)", df, reduce=True)
    assert "gaussian_marginal" in fit.stancode() and MARGINAL_TIMING in fit.timings
    assert joint_warnings(messages) == []
    rowwise, _ = laplace("y ~ x + (1 | g)", df, reduce=False)
    a, b = fit.draws(PARAMS), rowwise.draws(PARAMS)
    for p in PARAMS:
        assert abs(a[p].mean() - b[p].mean()) < 0.05 * b[p].std(), p


def crossed(n: int, seed: int) -> pd.DataFrame:
    """Gaussian ``y ~ x + (1 | g) + (1 | h)``, 20 x 10 levels: few enough pairs for ``gaussian_suffstats``."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"x": rng.normal(size=n), "g": rng.integers(0, 20, n), "h": rng.integers(0, 10, n)})
    df["y"] = 1 + 0.5 * df["x"] + rng.normal(0, 0.5, 20)[df["g"]] + rng.normal(0, 0.5, 10)[df["h"]] + rng.normal(size=n)
    return df


@pytest.mark.parametrize("n, reduce", [(4000, "auto"), (600, True)])
def test_suffstats_program_gets_the_marginal_path(n, reduce):
    """The sufficient-statistics program (crossed factors: ``reduce="auto"`` from 1000 rows when W'W is
    sparse, or ``reduce=True``) keeps the effects as parameters but not the rows: the structure comes from
    the row-wise program's data, the approximation runs on the reduced density, and it is the row-wise
    program's marginal approximation."""
    df = crossed(n, seed=8)
    fit, messages = laplace("y ~ x + (1 | g) + (1 | h)", df, reduce=reduce)
    assert "gaussian_suffstats" in fit.stancode() and MARGINAL_TIMING in fit.timings
    assert joint_warnings(messages) == []
    rowwise, messages = laplace("y ~ x + (1 | g) + (1 | h)", df, reduce=False)
    assert "gaussian_suffstats" not in rowwise.stancode() and joint_warnings(messages) == []
    names = ["b_Intercept", "b_x", "sd_g__Intercept", "sd_h__Intercept", "sigma"]
    a, b = fit.draws(names), rowwise.draws(names)
    for p in names:
        assert abs(a[p].mean() - b[p].mean()) < 0.03 * b[p].std(), p


def test_reduced_program_the_marginal_path_cannot_read_warns():
    """Weights: the reduced program, and no marginal structure in the row-wise one either; the joint
    approximation with a warning naming why."""
    df = crossed(600, seed=9)
    df["w"] = 1.0 + (df["x"] > 0)
    fit, messages = laplace("y | weights(w) ~ x + (1 | g) + (1 | h)", df, reduce=True)
    assert "gaussian_suffstats" in fit.stancode() and MARGINAL_TIMING not in fit.timings
    (msg,) = joint_warnings(messages)
    assert "weights" in msg


def test_reduce_true_collapsed_poisson_gets_the_marginal_path():
    """reduce=True collapses a poisson GLMM's covariate patterns (``collapse``: its data are the patterns,
    not the rows); the structure comes from the row-wise data, and the approximation equals reduce=False's."""
    rng = np.random.default_rng(4)
    n = 3000
    df = pd.DataFrame({"x": rng.normal(size=n).round(1), "g": rng.integers(0, 50, n)})
    df["y"] = rng.poisson(np.exp(0.5 + 0.3 * df["x"] + rng.normal(0, 0.5, 50)[df["g"]]))
    fit, messages = laplace("y ~ x + (1 | g)", df, family="poisson", reduce=True)
    assert fit.build.generated.reduction == "collapse" and MARGINAL_TIMING in fit.timings
    assert joint_warnings(messages) == []
    rowwise, _ = laplace("y ~ x + (1 | g)", df, family="poisson", reduce=False)
    names = ["b_Intercept", "b_x", "sd_g__Intercept"]
    a, b = fit.draws(names), rowwise.draws(names)
    for p in names:
        assert abs(a[p].mean() - b[p].mean()) < 0.02 * b[p].std(), p
