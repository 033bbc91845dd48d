"""Issue 24, goal 2: the benchmark set of models, one per family group, with data and both sides' calls.

Each model is fitted by brmspy (stanli's NUTS and nutpie, on brmspy's program) and by brms 2.18 +
rstan (on brms's program) on the same simulated data: :func:`simulate` writes one data frame with a
column for every family (400 rows, 20 groups of 20 rows; every column is numeric, integer or plain
text, so a CSV carries it to R unchanged). :data:`MODELS` gives, per model, brmspy's arguments
(``py``: formula, family, prior as brmspy objects, built lazily so this module imports without
brmspy) and the same model as R code for ``brm()`` (``r``: formula, family, prior).

Written by hand (not the differential corpus of ``tools/brms_corpus.py``): the corpus data has 80
rows, where per-iteration overhead rather than the likelihood decides the timing.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pandas as pd

N_ROWS, N_GROUPS = 400, 20


def simulate(seed: int = 2024, n: int = N_ROWS, groups: int = N_GROUPS) -> pd.DataFrame:
    """One data frame with a response column for every model of :data:`MODELS` (known truths)."""
    rng = np.random.default_rng(seed)
    per = n // groups
    gi = np.repeat(np.arange(groups), per)
    t = np.tile(np.arange(1, per + 1), groups)
    x = np.round(rng.normal(size=n), 3)
    x2 = np.round(rng.uniform(0, 4, n), 3)
    u = rng.normal(0, 0.6, groups)[gi]
    u2 = rng.normal(0, 0.4, groups)[gi]
    mu = 0.5 + 0.8 * x + u
    d: dict[str, Any] = {"g": np.array([f"g{k + 1:02d}" for k in gi]), "t": t, "x": x, "x2": x2}
    d["y"] = np.round(mu + rng.standard_t(5, n) * 0.8, 3)
    d["y2"] = np.round(0.3 - 0.5 * x + u2 + 0.5 * (d["y"] - mu) + rng.normal(0, 0.7, n), 3)
    lam = np.exp(0.6 + 0.4 * x + 0.5 * u)
    d["ycnt"] = rng.negative_binomial(4, 4 / (4 + lam))
    d["ypois"] = rng.poisson(lam)
    d["ntr"] = rng.integers(5, 16, n)
    d["ysucc"] = rng.binomial(d["ntr"], 1 / (1 + np.exp(-(-0.3 + 0.6 * x + u))))
    latent = 0.9 * x + u + rng.logistic(size=n)
    d["yord"] = 1 + np.searchsorted(np.array([-1.2, 0.0, 1.3]), latent)
    scores = np.stack([np.zeros(n), 0.3 + 0.8 * x, -0.2 - 0.6 * x], axis=1)
    p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    d["ycat"] = np.array(list("abc"))[[rng.choice(3, p=row) for row in p]]
    zero = rng.uniform(size=n) < 0.3
    d["yzi"] = np.where(zero, 0, rng.poisson(np.exp(0.8 + 0.5 * x)))
    comp = rng.uniform(size=n) < 0.4
    d["ymix"] = np.round(np.where(comp, rng.normal(-1.5 + 0.5 * x, 0.7), rng.normal(2.0 + 0.5 * x, 0.9)), 3)
    ylat = 1 + 0.7 * x + rng.normal(0, 1, n)
    d["cen"] = (ylat > 1.8).astype(int)  # right-censored at 1.8 (brms: 1 = right)
    d["ycens"] = np.round(np.where(d["cen"] == 1, 1.8, ylat), 3)
    d["ytr"] = np.minimum(rng.poisson(np.exp(1.5 + 0.3 * x)), 12)  # used with trunc(ub = 12)
    d["ysm"] = np.round(np.sin(1.5 * x2) + 0.3 * x2 + rng.normal(0, 0.4, n), 3)
    e = np.zeros(n)
    for i in range(n):  # AR(1) errors within each group, rows in time order
        e[i] = (0.6 * e[i - 1] if t[i] > 1 else 0.0) + rng.normal(0, 0.5)
    d["yar"] = np.round(1 + 0.5 * x + e, 3)
    d["ynl"] = np.round(3 * np.exp(-0.6 * x2) + rng.normal(0, 0.2, n), 3)
    return pd.DataFrame(d)


def _spec(formula: str, family: str | None = None, prior: Callable[[Any], Any] | None = None,
          r_formula: str | None = None, r_family: str | None = None, r_prior: str | None = None,
          py_formula: Callable[[Any], Any] | None = None, py_family: Callable[[Any], Any] | None = None,
          group: str = "") -> dict:
    return {"group": group, "formula": formula, "family": family, "prior": prior, "py_formula": py_formula,
            "py_family": py_family, "r": {"formula": r_formula or formula, "family": r_family or (family or "gaussian"),
                                          "prior": r_prior or "NULL"}}


#: name -> model. ``group`` is the issue's family group.
MODELS: dict[str, dict] = {
    "student": _spec("y ~ x + (1 | g)", "student", group="gaussian/student"),
    "negbin": _spec("ycnt ~ x + (1 | g)", "negbinomial", group="count"),
    "binomial": _spec("ysucc | trials(ntr) ~ x + (1 | g)", "binomial", group="bernoulli/binomial GLMM"),
    "cumulative": _spec("yord ~ x + (1 | g)", "cumulative", group="ordinal"),
    "acat_cs": _spec("yord ~ x2 + cs(x)", "acat", group="ordinal with cs()"),
    "categorical": _spec("ycat ~ x", "categorical", group="categorical"),
    "zip": _spec("yzi ~ x", "zero_inflated_poisson", group="zero-inflated"),
    "hurdle": _spec("yzi ~ x", "hurdle_poisson", group="hurdle"),
    "mixture": _spec(
        "ymix ~ x", None,
        prior=lambda bp: [bp.prior("normal(-1, 2)", class_="Intercept", dpar="mu1"),
                          bp.prior("normal(2, 2)", class_="Intercept", dpar="mu2"),
                          bp.prior("normal(0, 2)", class_="b", dpar="mu1"),
                          bp.prior("normal(0, 2)", class_="b", dpar="mu2")],
        py_family=lambda bp: bp.mixture("gaussian", "gaussian"),
        r_family="mixture(gaussian, gaussian)",
        r_prior='c(set_prior("normal(-1, 2)", class = "Intercept", dpar = "mu1"), '
                'set_prior("normal(2, 2)", class = "Intercept", dpar = "mu2"), '
                'set_prior("normal(0, 2)", class = "b", dpar = "mu1"), set_prior("normal(0, 2)", class = "b", dpar = "mu2"))',
        group="mixture"),
    "censored": _spec("ycens | cens(cen) ~ x", "gaussian", group="censored"),
    "truncated": _spec("ytr | trunc(ub = 12) ~ x", "poisson", group="truncated"),
    "smooth": _spec("ysm ~ s(x2)", "gaussian", group="smooths"),
    "ar1": _spec("yar ~ x + ar(time = t, gr = g, p = 1)", "gaussian", group="ar()"),
    "mv": _spec("mvbind(y, y2) ~ x + (1 | p | g)", "gaussian", group="multivariate",
                r_formula="bf(mvbind(y, y2) ~ x + (1 | p | g)) + set_rescor(TRUE)",
                py_formula=lambda bp: bp.bf("mvbind(y, y2) ~ x + (1 | p | g)") + bp.set_rescor(True)),
    "nonlinear": _spec(
        "ynl ~ a * exp(-b * x2)", "gaussian",
        py_formula=lambda bp: bp.bf("ynl ~ a * exp(-b * x2)", "a ~ 1", "b ~ 1", nl=True),
        r_formula="bf(ynl ~ a * exp(-b * x2), a ~ 1, b ~ 1, nl = TRUE)",
        prior=lambda bp: [bp.prior("normal(2, 2)", nlpar="a"), bp.prior("normal(0.5, 0.5)", nlpar="b", lb=0)],
        r_prior='c(set_prior("normal(2, 2)", nlpar = "a"), set_prior("normal(0.5, 0.5)", nlpar = "b", lb = 0))',
        group="non-linear"),
}


def py_args(name: str, bp: Any) -> dict:
    """brmspy's ``brm()`` arguments (formula, family, prior) of model ``name``."""
    m = MODELS[name]
    out = {"formula": m["py_formula"](bp) if m["py_formula"] else m["formula"]}
    fam = m["py_family"](bp) if m["py_family"] else m["family"]
    if fam is not None:
        out["family"] = fam
    if m["prior"] is not None:
        out["prior"] = m["prior"](bp)
    return out
