"""algorithm="laplace" on crossed gaussian models (``y ~ x + (1 | s) + (1 | d) + (1 | dept)``).

For a gaussian model the group effects integrate out exactly, so the marginal Laplace density of the
outer parameters is the exact marginal. The test recomputes it independently in NumPy (the Hessian
in the group effects by differences of the Stan program's gradient, exact for a quadratic; the
conditional mode by one dense solve; the log det by ``slogdet``) and checks that the mode the
structured code finds is that density's maximum and its covariance that density's curvature, and
that the draws' centre maximises that density with the fixed effects integrated out as well.
Against lme4 (``tests/reference/lme4_glmm/crossed.json``, ``tools/lme4_glmm_reference.py``):
fixed effects within a tenth of lme4's standard error, sds and sigma within a few percent.

The same checks run on the nested centred program (``centered=True``, and ``"auto"`` from 1000 rows by
the gaussian rule: lecturers' means ``a_d ~ normal(a_dept[P], sd_d)``), whose group means enter the
density through a unit triangular map of the effects (``marginal_laplace._Nesting``).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.backends import get_backend
from brmspy.backends.base import data_to_json
from brmspy.backends.marginal_laplace import (MARGINAL_TIMING, GlmmStructure, glmm_structure,
                                              marginal_laplace)
from tests.backends.laplace_checks import fd_hessian, stan_model

REF = Path(__file__).resolve().parents[1] / "reference" / "lme4_glmm"
FORMULA = "y ~ x + (1 | s) + (1 | d) + (1 | dept)"


def simulate_crossed(n: int = 2400, seed: int = 31) -> pd.DataFrame:
    """Students s (120) crossed with lecturers d (40), each lecturer in one of 8 departments."""
    rng = np.random.default_rng(seed)
    s = rng.permutation(np.concatenate([np.arange(120), rng.integers(0, 120, n - 120)]))
    d = rng.permutation(np.concatenate([np.arange(40), rng.integers(0, 40, n - 40)]))
    dept_of_d = np.concatenate([np.arange(8), rng.integers(0, 8, 32)])
    dept = dept_of_d[d]
    x = rng.binomial(1, 0.4, n).astype(float)
    y = (3.0 - 0.2 * x + rng.normal(0, 0.35, 120)[s] + rng.normal(0, 0.5, 40)[d] + rng.normal(0, 0.4, 8)[dept]
         + rng.normal(0, 1.1, n))
    return pd.DataFrame({"y": y, "x": x, "s": s, "d": d, "dept": dept})


def _nested(code: str) -> bool:
    """The program centres the lecturers' means on their departments' (tuning ``nested``)."""
    return "normal_lpdf(a_1_1 | a_2_1[P_1], sd_1[1])" in code


@pytest.fixture(scope="module", params=["auto", True], ids=["standardised", "nested"])
def exact(request):
    """The marginal Laplace result on a small crossed data set and an independent exact marginal: brms's
    standardised ``z`` (600 rows, ``"auto"``), and every block centred with the lecturers nested."""
    import stanli

    df = simulate_crossed(n=600)
    opts = {"family": "gaussian", "centered": request.param}
    code, data = bp.make_stancode(FORMULA, df, **opts), bp.make_standata(FORMULA, df, **opts)
    assert _nested(code) == (request.param is True)
    s = glmm_structure("gaussian", "identity", data)
    assert isinstance(s, GlmmStructure) and len(s.factors) == 3
    assert [f.parent for f in s.factors] == ([2, None, None] if request.param is True else [None] * 3)
    backend = get_backend("stanli")
    built = backend.build(backend.compile(code), data)
    bs = stanli.bridgestan_model(stan_code=code, data=data_to_json(data), seed=1)
    names = list(bs.param_names(include_tp=True, include_gq=False))
    unc = list(bs.param_unc_names())

    def lpg(t):
        lp, gr = built.log_prob_grad(np.ascontiguousarray(t))
        return float(lp), np.asarray(gr)

    try:  # as the backend: the joint mode, where it exists (centred effects: none, the sds run to 0)
        start = np.asarray(built.optimize(seed=1, jacobian=True).unconstrained, dtype=np.float64)
    except (RuntimeError, ValueError):
        start = None
    lap = marginal_laplace(s, lpg, unc, names, lambda t: bs.param_constrain(np.ascontiguousarray(t), include_tp=True),
                           400, 1, start)
    inner = np.flatnonzero([n.startswith(("z_", "a_", "r_")) for n in unc])
    outer = np.setdiff1d(np.arange(len(unc)), inner)

    fixed = np.array([unc[i] == "Intercept" or unc[i].startswith("b.") for i in outer])
    cache: dict[tuple, np.ndarray] = {}

    def log_marginal(theta: np.ndarray) -> float:
        x = lap.mode.copy()
        x[outer] = theta
        lp, g = lpg(x)
        key = tuple(theta[~fixed])  # P depends on the sds and sigma only
        if key not in cache:
            H = np.empty((inner.size, inner.size))  # exact: the log density is quadratic in the group effects
            for j, i in enumerate(inner):
                e = x.copy()
                e[i] += 1.0
                H[j] = lpg(e)[1][inner] - g[inner]
            cache[key] = -0.5 * (H + H.T)
        P = cache[key]
        x[inner] += np.linalg.solve(P, g[inner])  # the conditional mode, one Newton step
        return lpg(x)[0] - 0.5 * np.linalg.slogdet(P)[1]

    def rerun(start_: np.ndarray):
        return marginal_laplace(s, lpg, unc, names,
                                lambda t: bs.param_constrain(np.ascontiguousarray(t), include_tp=True), 400, 1, start_)

    return lap, outer, log_marginal, [unc[i] for i in outer], rerun


def test_crossed_mode_is_the_exact_marginals_maximum(exact):
    lap, outer, log_marginal, names, _ = exact
    theta = lap.mode[outer]
    sd = np.sqrt(np.diag(lap.outer_cov))
    for j in range(theta.size):
        e = np.zeros(theta.size)
        e[j] = 1e-3 * sd[j]
        slope = (log_marginal(theta + e) - log_marginal(theta - e)) / (2 * e[j])
        # at the maximum the slope is 0; 0.01/sd would move the mode by 0.01 posterior sd
        assert abs(slope) * sd[j] < 1e-2, (names[j], slope * sd[j])


def test_crossed_covariance_is_the_exact_marginals_curvature(exact):
    lap, outer, log_marginal, names, _ = exact
    theta = lap.mode[outer]
    sd = np.sqrt(np.diag(lap.outer_cov))
    f0 = log_marginal(theta)
    for j in range(theta.size):
        e = np.zeros(theta.size)
        e[j] = 0.05 * sd[j]
        curv = (log_marginal(theta + e) - 2 * f0 + log_marginal(theta - e)) / e[j] ** 2
        # the conditional curvature is the inverse of the precision's diagonal
        prec = np.linalg.inv(lap.outer_cov)[j, j]
        assert -curv == pytest.approx(prec, rel=0.02), names[j]


def _laplace_fit(centered: bool | str = "auto"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(FORMULA, simulate_crossed(), family="gaussian", algorithm="laplace", seed=1, refresh=0,
                      backend="stanli", centered=centered)


@pytest.fixture(scope="module")
def crossed_fit():
    return _laplace_fit()


def test_crossed_fixed_effects_within_a_tenth_of_lme4s_standard_error(crossed_fit):
    ref = json.loads((REF / "crossed.json").read_text())
    assert MARGINAL_TIMING in crossed_fit.stan_draws.timings  # the marginal approximation, not the joint one
    assert _nested(crossed_fit.build.code)  # 2400 rows: the gaussian rule centres the lecturers on departments
    d = crossed_fit.draws_dict
    for coef in ("Intercept", "x"):
        diff = abs(float(d[f"b_{coef}"].mean()) - ref[f"b_{coef}"])
        assert diff < ref[f"se_{coef}"] / 10, (coef, diff, ref[f"se_{coef}"])
        # lme4's standard error is the fixed effect's sd given the variance parameters; the Intercept's
        # also carries sd_dept's uncertainty (8 departments) here, hence the looser bound
        assert float(d[f"b_{coef}"].std()) == pytest.approx(ref[f"se_{coef}"], rel=0.15 if coef == "x" else 0.3)


@pytest.mark.parametrize("name,levels", [("sd_s__Intercept", 120), ("sd_d__Intercept", 40),
                                         ("sd_dept__Intercept", 8), ("sigma", 2400)])
def test_crossed_sds_near_lme4s_reml_estimates(crossed_fit, name, levels):
    """REML's estimate is the mode of the restricted likelihood, the approximation's mean that of a normal
    in log sd at the posterior's mode: they differ by the posterior's skew, about 3 / sqrt(levels)
    posterior sds (as for the GLMMs in test_marginal_laplace.py), and by the priors."""
    ref = json.loads((REF / "crossed.json").read_text())
    draws = crossed_fit.draws_dict[name]
    diff = abs(float(draws.mean()) - ref[name])
    assert diff < 3 / np.sqrt(levels) * float(draws.std()), (name, diff / float(draws.std()))


def _integrated(log_marginal, names):
    """The exact marginal with the fixed effects integrated out too (Laplace in b, where the log density is
    quadratic but for the Intercept's student_t prior): ``g(psi) = f(psi, b*) - 1/2 log det(-H_bb)``."""
    bj = [j for j, n in enumerate(names) if n == "Intercept" or n.startswith("b.")]

    def g(theta: np.ndarray) -> float:
        theta = theta.copy()
        for _ in range(2):  # Newton in b, derivatives by differences
            f0 = log_marginal(theta)
            grad, H = np.empty(len(bj)), np.empty((len(bj), len(bj)))
            for a, i in enumerate(bj):
                e = np.zeros(theta.size)
                e[i] = 1e-3
                fp, fm = log_marginal(theta + e), log_marginal(theta - e)
                grad[a], H[a, a] = (fp - fm) / 2e-3, (fp - 2 * f0 + fm) / 1e-6
                for b_, k in enumerate(bj[:a]):
                    e2 = np.zeros(theta.size)
                    e2[k] = 1e-3
                    H[a, b_] = H[b_, a] = (log_marginal(theta + e + e2) - log_marginal(theta + e - e2)
                                           - log_marginal(theta - e + e2) + log_marginal(theta - e - e2)) / 4e-6
            theta[bj] -= np.linalg.solve(H, grad)
        return log_marginal(theta) - 0.5 * np.linalg.slogdet(-H)[1]

    return g, bj


def test_crossed_centre_is_the_mode_with_fixed_effects_integrated_out(exact):
    """The draws' centre for the sds and sigma maximises the exact marginal with b integrated out (REML-like),
    where the joint mode over b and the sds does not (the sd of 8 departments is pulled low)."""
    lap, outer, log_marginal, names, _ = exact
    g, bj = _integrated(log_marginal, names)
    sd = np.sqrt(np.diag(lap.outer_cov))

    def slopes(point: np.ndarray) -> np.ndarray:
        out = []
        for k in (k for k in range(point.size) if k not in bj):
            e = np.zeros(point.size)
            e[k] = 0.1 * sd[k]
            out.append((g(point + e) - g(point - e)) / (2 * e[k]) * sd[k])  # in posterior sds
        return np.array(out)

    at_mode, at_centre = slopes(lap.mode[outer]), slopes(lap.centre)
    assert np.abs(at_mode).max() > 0.2  # the joint mode is not the integrated marginal's maximum ...
    assert np.abs(at_centre).max() < 0.03  # ... the centre is (one Newton step from the mode)


def test_crossed_laplace_is_the_same_for_either_parameterisation(crossed_fit):
    """The marginal of the outer parameters does not depend on how the group effects are sampled (a linear
    map with unit Jacobian, or z = r / sd, whose Jacobian the log det takes back): the nested centred
    program (``"auto"`` here) and brms's ``z`` (``centered=False``) give the same draws of the fixed
    effects, sds and sigma. Before the marginal path read ``P_k`` the nested program fell back to the
    joint approximation, which failed (the joint Hessian is not negative definite)."""
    z_fit = _laplace_fit(centered=False)
    assert MARGINAL_TIMING in z_fit.stan_draws.timings and not _nested(z_fit.build.code)
    dn, dz = crossed_fit.draws_dict, z_fit.draws_dict
    for name in ("b_Intercept", "b_x", "sd_s__Intercept", "sd_d__Intercept", "sd_dept__Intercept", "sigma"):
        sd = float(dz[name].std())
        assert abs(float(dn[name].mean()) - float(dz[name].mean())) < 0.01 * sd, name
        assert float(dn[name].std()) == pytest.approx(sd, rel=0.01), name
    for name in ("r_s[0,Intercept]", "r_d[0,Intercept]", "r_dept[0,Intercept]"):
        # the effects' draws move linearly with the outer ones around the mode in either parameterisation
        # (r = sd z against r = a - a_parent): the same means, their sds within a fifth (r_dept, 8 levels:
        # 0.234 nested, 0.285 with z, NUTS 0.273; the centred dept of the program before nesting: 0.234)
        sd = float(dz[name].std())
        assert abs(float(dn[name].mean()) - float(dz[name].mean())) < 0.05 * sd, name
        assert float(dn[name].std()) == pytest.approx(sd, rel=0.2), name


@pytest.mark.parametrize("family", ["gaussian", "poisson"])
def test_nested_group_effect_hessian_is_the_programs(family):
    """-H_uu of the nested centred program (a_d ~ normal(a_dept[P], sd_d), a_dept ~ normal(Intercept, sd_dept),
    the linear predictor adding a_d[J_d] alone): the structure's solve, log det and draws (built in the
    effects r, mapped to the group means u) equal the finite-difference Hessian of the program in u."""
    df = simulate_crossed(n=600)
    if family == "poisson":
        df["y"] = np.random.default_rng(4).poisson(np.exp(df.y - 2.5))
    opts = {"family": family, "centered": True}
    code, data = bp.make_stancode(FORMULA, df, **opts), bp.make_standata(FORMULA, df, **opts)
    assert _nested(code)
    s = glmm_structure(family, "identity" if family == "gaussian" else "log", data)
    assert isinstance(s, GlmmStructure)
    m, lay, lpg, built = stan_model(s, code, data)
    assert m.nesting is not None
    x = np.random.default_rng(6).uniform(-0.8, 0.8, int(built.n_unconstrained))
    P = m.precision(x)
    fd = fd_hessian(m, lpg, x)
    prec = -0.5 * (fd + fd.T)
    inv = P.solve(np.eye(lay.inner.size))
    np.testing.assert_allclose(np.linalg.inv(inv), prec, atol=1e-4 * np.abs(prec).max())
    assert P.logdet() == pytest.approx(np.linalg.slogdet(prec)[1], abs=1e-3)
    draws = P.sample(np.random.default_rng(7).standard_normal((20000, lay.inner.size)))
    np.testing.assert_allclose(np.cov(draws.T), inv, atol=0.05 * np.abs(inv).max())


def test_crossed_mode_from_a_degenerate_joint_mode(exact):
    """The joint density of centred effects has no mode (an sd runs to 0, the sd of the group intercept that
    takes in the Intercept up, the Intercept far off): stanli's search stopped at Intercept -14.6, sd_dept
    e^19.9 on InstEval-like data (mean 3.2), from where the outer Newton ended on the plateau of a huge sd_dept
    (Hessian not negative definite). The fixed effects are profiled at lme4's start, and the curvature is
    refreshed when Newton zigzags: the same mode as from a good start."""
    lap, outer, _, names, rerun = exact
    bad = lap.mode.copy()
    for name, value in (("Intercept", -14.6), ("sd_1.1", -1.0), ("sd_2.1", 19.9), ("sd_3.1", -17.4)):
        bad[outer[names.index(name)]] = value
    again = rerun(bad)
    sd = np.sqrt(np.diag(lap.outer_cov))
    np.testing.assert_array_less(np.abs(again.mode[outer] - lap.mode[outer]) / sd, 0.01)
    assert again.outer_iterations <= 30  # Newton converged (L-BFGS-B, its fallback, counts its own iterations)
