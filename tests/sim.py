"""Simulated data sets with known true values, for parameter-recovery tests."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class Sim:
    formula: object
    family: object
    data: pd.DataFrame
    truth: dict[str, float]  # brms parameter name -> true value


def _inv_logit(x):
    return 1 / (1 + np.exp(-x))


def _groups(rng, n, J):
    g = rng.integers(0, J, n)
    g[:J] = np.arange(J)  # every level present
    return g


def bernoulli_group(seed=11, n=800, J=30) -> Sim:
    rng = np.random.default_rng(seed)
    g = _groups(rng, n, J)
    x = rng.normal(size=n)
    u = rng.normal(0, 0.8, J)
    y = rng.binomial(1, _inv_logit(-0.3 + 1.0 * x + u[g]))
    return Sim("y ~ x + (1 | g)", "bernoulli", pd.DataFrame({"y": y, "x": x, "g": g}),
               {"b_Intercept": -0.3, "b_x": 1.0, "sd_g__Intercept": 0.8})


def binomial_trials(seed=12, n=400, J=25) -> Sim:
    rng = np.random.default_rng(seed)
    g = _groups(rng, n, J)
    x = rng.normal(size=n)
    trials = rng.integers(5, 30, n)
    u = rng.normal(0, 0.5, J)
    y = rng.binomial(trials, _inv_logit(0.4 - 0.7 * x + u[g]))
    return Sim("y | trials(n) ~ x + (1 | g)", "binomial", pd.DataFrame({"y": y, "n": trials, "x": x, "g": g}),
               {"b_Intercept": 0.4, "b_x": -0.7, "sd_g__Intercept": 0.5})


def poisson_overdispersed(seed=13, n=500, J=20) -> Sim:
    rng = np.random.default_rng(seed)
    g = _groups(rng, n, J)
    x = rng.normal(size=n)
    u = rng.normal(0, 0.4, J)
    e = rng.normal(0, 0.3, n)
    y = rng.poisson(np.exp(1.0 + 0.5 * x + u[g] + e))
    df = pd.DataFrame({"y": y, "x": x, "g": g, "obs": np.arange(n)})
    return Sim("y ~ x + (1 | g) + (1 | obs)", "poisson", df,
               {"b_Intercept": 1.0, "b_x": 0.5, "sd_g__Intercept": 0.4, "sd_obs__Intercept": 0.3})


def negbinomial_group(seed=14, n=600, J=20) -> Sim:
    rng = np.random.default_rng(seed)
    g = _groups(rng, n, J)
    x = rng.normal(size=n)
    u = rng.normal(0, 0.5, J)
    mu = np.exp(1.5 + 0.6 * x + u[g])
    shape = 3.0
    y = rng.negative_binomial(shape, shape / (shape + mu))
    return Sim("y ~ x + (1 | g)", "negbinomial", pd.DataFrame({"y": y, "x": x, "g": g}),
               {"b_Intercept": 1.5, "b_x": 0.6, "sd_g__Intercept": 0.5, "shape": shape})


def student_group(seed=15, n=600, J=20) -> Sim:
    rng = np.random.default_rng(seed)
    g = _groups(rng, n, J)
    x = rng.normal(size=n)
    u = rng.normal(0, 1.0, J)
    y = 2.0 + 1.5 * x + u[g] + 0.8 * rng.standard_t(4, n)
    return Sim("y ~ x + (1 | g)", "student", pd.DataFrame({"y": y, "x": x, "g": g}),
               {"b_Intercept": 2.0, "b_x": 1.5, "sd_g__Intercept": 1.0, "sigma": 0.8, "nu": 4.0})


def gamma_group(seed=16, n=600, J=20) -> Sim:
    rng = np.random.default_rng(seed)
    g = _groups(rng, n, J)
    x = rng.normal(size=n)
    u = rng.normal(0, 0.3, J)
    mu = np.exp(0.5 + 0.4 * x + u[g])
    shape = 5.0
    y = rng.gamma(shape, mu / shape)
    return Sim("y ~ x + (1 | g)", "gamma", pd.DataFrame({"y": y, "x": x, "g": g}),
               {"b_Intercept": 0.5, "b_x": 0.4, "sd_g__Intercept": 0.3, "shape": shape})


def crossed(seed=17, n=900, J=25, K=15) -> Sim:
    rng = np.random.default_rng(seed)
    g, h = _groups(rng, n, J), _groups(rng, n, K)
    x = rng.normal(size=n)
    y = 1.0 + 0.5 * x + rng.normal(0, 1.2, J)[g] + rng.normal(0, 0.6, K)[h] + rng.normal(0, 1.0, n)
    return Sim("y ~ x + (1 | g) + (1 | h)", "gaussian", pd.DataFrame({"y": y, "x": x, "g": g, "h": h}),
               {"b_Intercept": 1.0, "b_x": 0.5, "sd_g__Intercept": 1.2, "sd_h__Intercept": 0.6, "sigma": 1.0})


def nested(seed=18, n=900, A=15, B=4) -> Sim:
    rng = np.random.default_rng(seed)
    a = _groups(rng, n, A)
    b = rng.integers(0, B, n)
    ua = rng.normal(0, 1.0, A)
    uab = rng.normal(0, 0.5, (A, B))
    x = rng.normal(size=n)
    y = -1.0 + 0.8 * x + ua[a] + uab[a, b] + rng.normal(0, 0.7, n)
    return Sim("y ~ x + (1 | a/b)", "gaussian", pd.DataFrame({"y": y, "x": x, "a": a, "b": b}),
               {"b_Intercept": -1.0, "b_x": 0.8, "sd_a__Intercept": 1.0, "sd_a:b__Intercept": 0.5, "sigma": 0.7})


def uncorrelated_slopes(seed=19, n=800, J=30) -> Sim:
    rng = np.random.default_rng(seed)
    g = _groups(rng, n, J)
    x = rng.normal(size=n)
    u0, u1 = rng.normal(0, 1.0, J), rng.normal(0, 0.5, J)
    y = 0.5 + 1.0 * x + u0[g] + u1[g] * x + rng.normal(0, 0.8, n)
    return Sim("y ~ x + (1 + x || g)", "gaussian", pd.DataFrame({"y": y, "x": x, "g": g}),
               {"b_Intercept": 0.5, "b_x": 1.0, "sd_g__Intercept": 1.0, "sd_g__x": 0.5, "sigma": 0.8})


def gr_by(seed=20, n=1000, J=40) -> Sim:
    rng = np.random.default_rng(seed)
    g = _groups(rng, n, J)
    z = np.where(np.arange(J) < J // 2, "A", "B")
    sd = {"A": 0.4, "B": 1.5}
    u = np.array([rng.normal(0, sd[z[j]]) for j in range(J)])
    x = rng.normal(size=n)
    y = 1.0 + 0.5 * x + u[g] + rng.normal(0, 0.8, n)
    df = pd.DataFrame({"y": y, "x": x, "g": g, "z": z[g]})
    return Sim("y ~ x + (1 | gr(g, by = z))", "gaussian", df,
               {"b_Intercept": 1.0, "b_x": 0.5, "sd_g__Intercept:zA": 0.4, "sd_g__Intercept:zB": 1.5, "sigma": 0.8})


def sigma_formula(seed=21, n=800, J=20) -> Sim:
    import brmspy as bp

    rng = np.random.default_rng(seed)
    g = _groups(rng, n, J)
    x = rng.normal(size=n)
    u = rng.normal(0, 0.7, J)
    sigma = np.exp(-0.2 + 0.5 * x)
    y = 1.0 + 2.0 * x + u[g] + rng.normal(0, sigma)
    return Sim(bp.bf("y ~ x + (1 | g)", "sigma ~ x"), "gaussian", pd.DataFrame({"y": y, "x": x, "g": g}),
               {"b_Intercept": 1.0, "b_x": 2.0, "sd_g__Intercept": 0.7, "b_sigma_Intercept": -0.2, "b_sigma_x": 0.5})


RECOVERY = [bernoulli_group, binomial_trials, poisson_overdispersed, negbinomial_group, student_group, gamma_group,
            crossed, nested, uncorrelated_slopes, gr_by, sigma_formula]
