"""brms's own model-building tests (its ``tests/testthat/tests.make_stancode.R``) run through brmspy.

Each ``make_stancode(...)`` call of brms's file is one row of ``CASES``: the test block's title, the R
call (written out here as the test makes it, one line), and its Python translation (a function
returning the keyword arguments of :func:`brmspy.make_stancode`), with the data simulated as the
test does (same shapes, columns and values where they are fixed; numpy draws where R draws).
brms's data sets ``epilepsy``, ``inhaler`` and ``kidney`` are read from
``tests/reference/brms_testsuite/data/`` (written once from brms 2.18 by R's ``write.csv``).

Each case is built with ``make_stancode`` and the program is checked by ``stanli.stan_to_mir``
(stanc). Outcomes:

- ``built``: brmspy built the program and stanc accepted it;
- ``refused``: a brmspy error class (``brmspy.errors.BrmsError``) with its message, grouped by message;
- ``stanc``: brmspy built a program that stanc rejects (a bug);
- ``crashed``: any other exception (a bug);
- ``brms_refuses``: cases where the R test expects an error (``expect_error``); refusing them is right.

Arguments brmspy's ``make_stancode`` does not take (``sample_prior``, ``normalize``, ``silent``,
``parse``) are dropped and listed in the case's ``dropped``; ``threads = threading(2)`` becomes
``threads=2``.

Run from the repository root (about a minute)::

    python tools/brms_testsuite.py            # summary
    python tools/brms_testsuite.py -v         # every case
    python tools/brms_testsuite.py --write    # also rewrite tests/reference/brms_testsuite/summary.txt

Written by hand: brms's R test file is read by people, not parsed (R code is never evaluated here).
"""

from __future__ import annotations

import argparse
import collections
import re
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT))  # after the installed (editable) brmspy, whose finder maps brmspy.templates

import brmspy as bp  # noqa: E402
from brmspy.core.errors import BrmsError  # noqa: E402

REF = ROOT / "tests" / "reference" / "brms_testsuite"
SOURCE = "paul-buerkner/brms tests/testthat/tests.make_stancode.R at commit 726fbd3ecb89677e27a87fc5dfe875269e31546c"


# ------------------------------------------------------------------ data, as brms's tests make it

def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _factor(values, levels=None) -> pd.Series:
    values = [str(v) for v in values]
    if levels is None:
        levels = list(dict.fromkeys(sorted(set(values), key=lambda s: (len(s), s))))
    return pd.Categorical(values, categories=[str(x) for x in levels])


def brms_data(name: str) -> pd.DataFrame:
    d = pd.read_csv(REF / "data" / f"{name}.csv")
    factors = {
        "epilepsy": {"Trt": None, "patient": None, "visit": None, "obs": None},
        "kidney": {"recur": None, "sex": ["male", "female"], "disease": ["other", "GN", "AN", "PKD"]},
        "inhaler": {},
    }[name]
    for col, levels in factors.items():
        if levels is None:
            levels = sorted(pd.unique(d[col]))
        d[col] = _factor(d[col], levels)
    return d


def rnorm(n: int, seed: int) -> np.ndarray:
    return _rng(seed).normal(size=n)


def rep(x, times: int = 1, each: int = 1) -> np.ndarray:
    return np.tile(np.repeat(np.asarray(x), each), times)


D: dict[str, Callable[[], pd.DataFrame]] = {
    "priors": lambda: pd.DataFrame({"y": np.arange(1, 11), "x1": rnorm(10, 1), "x2": rnorm(10, 2),
                                    "g": rep(np.arange(1, 6), 2), "h": _factor(rep(np.arange(1, 6), each=2))}),
    "shrink": lambda: pd.DataFrame({"y": np.arange(1, 11), "x1": rnorm(10, 3), "x2": rnorm(10, 4)}),
    "const": lambda: pd.DataFrame({"y": np.arange(1, 13), "x1": rnorm(12, 5), "x2": rnorm(12, 6),
                                   "g": rep(np.arange(1, 7), each=2), "h": _factor(rep([1, 2], each=6))}),
    "yx": lambda: pd.DataFrame({"y": np.arange(1, 11), "x": rnorm(10, 7)}),
    "inhaler": lambda: brms_data("inhaler"),
    "inhaler_by": lambda: brms_data("inhaler").assign(by=lambda d: d["subject"] % 2),
    "kidney": lambda: brms_data("kidney"),
    "epilepsy": lambda: brms_data("epilepsy"),
    "epilepsy_cens": lambda: brms_data("epilepsy").assign(cens=_rng(8).integers(-1, 2, 236)),
    "restrict": lambda: pd.DataFrame({"y": rep([0, 1], each=5), "x": rnorm(10, 9)}),
    "invalid": lambda: pd.DataFrame({"y1": rnorm(10, 10), "y2": rnorm(10, 11), "wi": np.arange(1, 11),
                                     "ci": _rng(12).integers(-1, 2, 10)}),
    "mv": lambda: pd.DataFrame({"y1": rnorm(10, 13), "y2": rnorm(10, 14), "x": np.arange(1, 11),
                                "g": rep([1, 2], each=5), "censi": _rng(15).integers(0, 2, 10)}),
    "cat": lambda: pd.DataFrame({"y": rep(["1", "2", "3", "a_b"], 2), "x": np.arange(1, 9), ".g": np.arange(1, 9)}),
    "multinom": lambda: (lambda r: pd.DataFrame({"y1": r.binomial(10, 0.3, 15), "y2": r.binomial(10, 0.5, 15),
                                                 "y3": r.binomial(10, 0.7, 15), "x": r.normal(size=15)})
                         .assign(size=lambda d: d.y1 + d.y2 + d.y3))(_rng(16)),
    "dirichlet": lambda: (lambda r, p: pd.DataFrame({"y1": p[:, 0], "y2": p[:, 1], "y3": p[:, 2],
                                                     "x": r.normal(size=15)}))(_rng(17), _rng(18).dirichlet([3, 2, 1], 15)),
    "arma": lambda: pd.DataFrame({"y": rep([1, 2, 3, 4], 2), "x": np.arange(1, 9), "time": np.arange(1, 9)}),
    "unstr": lambda: pd.DataFrame({"y": np.arange(1, 13), "x": rnorm(12, 19),
                                   "tim": [5, 4, 3, 2, 1, 1, 2, 3, 4, 5, 0, 4], "g": [3, 4] * 5 + [2, 2]}),
    "ord": lambda: pd.DataFrame({"y": [1, 2, 3, 4, 1, 2, 3, 4, 1, 1], "x1": rnorm(10, 20), "x2": rnorm(10, 21),
                                 "g": _factor(rep([1, 2], 5))}),
    "thres": lambda: pd.DataFrame({"y": _rng(22).integers(1, 7, 10), "y2": _rng(23).integers(1, 7, 10),
                                   "gr": rep(["a", "b"], each=5), "th": rep([5, 6], each=5), "x": rnorm(10, 24)}),
    "hcum": lambda: pd.DataFrame({"y": rep([0, 1, 2, 3, 4], 2), "x1": rnorm(10, 25), "x2": rnorm(10, 26),
                                  "g": _factor(rep([1, 2], 5))}),
    "mo": lambda: pd.DataFrame({"y": _rng(27).poisson(10, 120), "x1": rep([1, 2, 3, 4], 30),
                                "x2": pd.Categorical(rep(["a", "b", "c"], 40), categories=["a", "b", "c"], ordered=True),
                                "g": rep(np.arange(1, 11), each=12)}),
    "nl": lambda: pd.DataFrame({"y": _rng(28).gamma(1, 1, 9), "x": rnorm(9, 29), "z": rnorm(9, 30),
                                "v": np.arange(1, 10), "g": rep([1, 2, 3], 3)}),
    "nested": lambda: pd.DataFrame({"y": rnorm(10, 31), "x": rnorm(10, 32), "z": rep(np.arange(1, 6), 2)}),
    "long": lambda: pd.DataFrame({"y": rnorm(10, 33), "this_is_a_very_long_predictor": rnorm(10, 34)}),
    "fcor": lambda: pd.DataFrame({"y": np.arange(1, 6)}),
    "gamm": lambda: pd.DataFrame({"y": rnorm(10, 35), "x": rnorm(10, 36), "g": _factor(rep([1, 2], 5))}),
    "wiener": lambda: pd.DataFrame({"q": np.arange(1, 11), "resp": _rng(37).integers(0, 2, 10), "x": rnorm(10, 38)}),
    "wct": lambda: pd.DataFrame({"y": np.arange(1, 10), "x": rep([-1, 0, 1], 3), "y2": np.arange(10, 19)}),
    "wct2": lambda: D["wct"]().assign(x=[2, 0, 1, -1, 0, 1, -1, 0, 1]),
    "wct3": lambda: D["wct"]().assign(x=1),
    "me": lambda: (lambda r: pd.DataFrame({"y": r.normal(size=30), "x": r.normal(size=30), "z": r.normal(size=30),
                                           "xsd": np.abs(r.normal(1, 1, 30)), "zsd": np.abs(r.normal(1, 1, 30)),
                                           "ID": rep(np.arange(1, 6), each=6)}))(_rng(39)),
    "mm": lambda: (lambda r: pd.DataFrame({"y": r.normal(size=10), "g1": r.integers(1, 11, 10),
                                           "g2": r.integers(1, 11, 10), "w1": np.ones(10),
                                           "w2": np.abs(r.normal(size=10))}))(_rng(40)),
    "by": lambda: pd.DataFrame({"y": rnorm(100, 41), "x": rnorm(100, 42), "g": rep(np.arange(1, 11), each=10),
                                "z": pd.Categorical(rep([0, 4.5, 3, 2, 5], each=20))}),
    "bars": lambda: pd.DataFrame({"y": rnorm(10, 43), "x": rnorm(10, 44), "g1": rep(np.arange(1, 6), each=2),
                                  "g2": rep([1, 2], 5)}),
    "y10": lambda: pd.DataFrame({"y": rnorm(10, 45)}),
    "yxc": lambda: pd.DataFrame({"y": rnorm(10, 46), "x": rnorm(10, 47), "c": 1}),
    "rate": lambda: pd.DataFrame({"y": _rng(48).poisson(1, 10), "x": rnorm(10, 49), "time": np.arange(1, 11)}),
    "cox": lambda: pd.DataFrame({"y": _rng(50).exponential(1, 100), "ce": _rng(51).integers(0, 2, 100),
                                 "x": rnorm(100, 52)}),
    "mix": lambda: pd.DataFrame({"y": np.arange(1, 11), "x": rnorm(10, 53), "c": 1, "z": np.arange(1, 11)}),
    "y_x": lambda: pd.DataFrame({"y": rnorm(10, 54), "x": rnorm(10, 55)}),
    "qr": lambda: pd.DataFrame({"y": rnorm(10, 56), "x1": rnorm(10, 57), "x2": rnorm(10, 58)}),
    "gp": lambda: pd.DataFrame({"y": rnorm(40, 59), "x1": rnorm(40, 60), "x2": rnorm(40, 61),
                                "z": _factor(rep([3, 4, 5, 6], each=10))}),
    "mi": lambda: pd.DataFrame({"y": rnorm(10, 62), "x": np.where(np.isin(np.arange(10), [0, 2, 8]), np.nan, rnorm(10, 63)),
                                "g": np.arange(1, 11), "z": 1}),
    # brms's test assigns dat$x[c(1, 3, 9)] <- NA to a data frame without 'x' (R refuses: 9 rows for 10)
    "overimp": lambda: pd.DataFrame({"y": rnorm(10, 64), "x_x": rnorm(10, 65), "g": np.arange(1, 11), "z": 1}),
    "subset": lambda: pd.DataFrame({"y": rnorm(10, 66), "x": np.r_[rnorm(9, 67), np.nan], "z": rnorm(10, 68),
                                    "g2": np.arange(10, 0, -1), "g1": _rng(69).integers(1, 6, 10),
                                    "s": [False] + [True] * 9}),
    "custom": lambda: pd.DataFrame({"size": 10, "y": _rng(70).integers(0, 11, 20), "x": rnorm(20, 71)}),
    "beta": lambda: pd.DataFrame({"prop": _rng(72).beta(2, 2, 100)}),
    "center": lambda: pd.DataFrame({"y": np.arange(1, 11), "x": np.arange(1, 11)}),
    "tovec": lambda: pd.DataFrame({"y": rnorm(100, 73), "ID": rep(np.arange(1, 11), 10), "group": rep([1, 2], 10, each=5)}),
    "threaded": lambda: (lambda r: pd.DataFrame({
        "count": r.poisson(20, 236), "visit": rep([1, 2, 3, 4], each=59), "patient": _factor(rep(np.arange(1, 60), 4)),
        "Age": r.normal(size=236), "Trt": _factor(r.integers(0, 2, 236)), "AgeSD": np.abs(r.normal(1, 1, 236)),
        "Exp": r.integers(1, 6, 236), "volume": r.normal(size=236),
        "gender": _factor((["m"] * 30 + ["f"] * 29) * 4, ["f", "m"])}))(_rng(74)),
}


def P(prior: str, class_: str = "b", **kw: Any):
    return bp.prior(prior, class_=class_, **kw)


def W10() -> np.ndarray:
    W = np.zeros((10, 10))
    for i in range(10):
        W[i, 9 - i] = 1
    return W


BB2_FUNS = """
real beta_binomial2_lpmf(int y, real mu, real phi, int N, real R) {
  return beta_binomial_lpmf(y | N, mu * phi, (1 - mu) * phi);
}
int beta_binomial2_rng(real mu, real phi, int N, real R) {
  return beta_binomial_rng(N, mu * phi, (1 - mu) * phi);
}
"""
BB2_VEC_FUNS = """
real beta_binomial2_vec_lpmf(array[] int y, vector mu, real phi, array[] int N, array[] real R) {
  return beta_binomial_lpmf(y | N, mu * phi, (1 - mu) * phi);
}
"""


def bb2():
    return bp.custom_family("beta_binomial2", dpars=("mu", "tau"), links=("logit", "log"), lb=(None, 0),
                            type="int", vars=("vint1[n]", "vreal1[n]"))


def bb2_vec():
    return bp.custom_family("beta_binomial2_vec", dpars=("mu", "tau"), links=("logit", "log"), lb=(None, 0),
                            type="int", vars=("vint1", "vreal1"), loop=False)


# ------------------------------------------------------------------ the cases

@dataclass
class Case:
    test: str
    r: str
    build: Callable[[], dict]
    data: str
    dropped: tuple[str, ...] = ()
    brms_refuses: str | None = None  # the R test's expect_error message
    note: str | None = None
    id: str = ""


CASES: list[Case] = []
_TEST = [""]


def test(title: str) -> None:
    _TEST[0] = title


def C(r: str, data: str, formula: Any = None, *, family: Any = None, prior: Any = None, data2: Any = None,
      stanvars: Any = None, threads: int | None = None, dropped: tuple[str, ...] = (), brms_refuses: str | None = None,
      note: str | None = None) -> None:
    """One make_stancode call: ``formula``/``family``/``prior``/... are zero-argument functions or plain values."""
    def build() -> dict:
        ev = (lambda v: v() if callable(v) and not isinstance(v, (str, bp.Family)) else v)
        kw = {"formula": ev(formula), "data": D[data](), "family": ev(family), "prior": ev(prior),
              "data2": ev(data2), "stanvars": ev(stanvars), "threads": threads}
        return {k: v for k, v in kw.items() if v is not None}
    CASES.append(Case(_TEST[0], r, build, data, dropped, brms_refuses, note))


F = bp.bf  # shorthands for the table
L = lambda f: (lambda: f)  # noqa: E731

test("specified priors appear in the Stan code")
C("make_stancode(y ~ x1*x2 + (x1*x2|g) + (1 | h), dat, prior = c(prior(std_normal(), coef = x1), prior(normal(0,2), coef = x2), "
  "prior(normal(0,5), Intercept, lb = 0), prior(cauchy(0,1), sd, group = g, lb = '', ub = 5), prior(cauchy(0,2), sd, group = g, coef = x1), "
  "prior(gamma(1, 1), sd, group = h, ub = 10)), sample_prior = 'yes')", "priors", "y ~ x1*x2 + (x1*x2|g) + (1 | h)",
  prior=lambda: [P("std_normal()", coef="x1"), P("normal(0,2)", coef="x2"), P("normal(0,5)", "Intercept", lb=0),
                 P("cauchy(0,1)", "sd", group="g", ub=5), P("cauchy(0,2)", "sd", group="g", coef="x1"),
                 P("gamma(1, 1)", "sd", group="h", ub=10)], dropped=("sample_prior",),
  note="lb = '' (no lower bound on sd) has no Python spelling: left at brms's default 0")
C("make_stancode(y ~ x1 + cs(x2) + (0 + x1 + x2 | g), data = dat, family = acat(), prior = c(prior(lkj(0.5), class = cor, group = g), "
  "prior(normal(0, 1), class = b), prior(normal(0, 5), class = Intercept), prior(cauchy(0, 5), class = sd)), sample_prior = TRUE)",
  "priors", "y ~ x1 + cs(x2) + (0 + x1 + x2 | g)", family="acat",
  prior=lambda: [P("lkj(0.5)", "cor", group="g"), P("normal(0, 1)"), P("normal(0, 5)", "Intercept"), P("cauchy(0, 5)", "sd")],
  dropped=("sample_prior",))
C("make_stancode(bf(y ~ a * exp(-b * x1), a + b ~ (1|ID|g), nl = TRUE), data = dat, prior = c(prior(normal(0,5), nlpar = a), "
  "prior(normal(0,10), nlpar = b), prior(cauchy(0,1), class = sd, nlpar = a), prior(lkj(2), class = cor, group = g)), sample_prior = TRUE)",
  "priors", lambda: F("y ~ a * exp(-b * x1)", "a ~ (1|ID|g)", "b ~ (1|ID|g)", nl=True),
  prior=lambda: [P("normal(0,5)", nlpar="a"), P("normal(0,10)", nlpar="b"), P("cauchy(0,1)", "sd", nlpar="a"),
                 P("lkj(2)", "cor", group="g")], dropped=("sample_prior",))
C("make_stancode(bf(mvbind(y, x1) ~ x2) + set_rescor(TRUE), dat, prior = c(prior(lkj(2), rescor), prior(cauchy(0, 5), sigma, resp = y), "
  "prior(cauchy(0, 1), sigma, resp = x1)), sample_prior = TRUE)", "priors", lambda: F("mvbind(y, x1) ~ x2") + bp.set_rescor(True),
  prior=lambda: [P("lkj(2)", "rescor"), P("cauchy(0, 5)", "sigma", resp="y"), P("cauchy(0, 1)", "sigma", resp="x1")],
  dropped=("sample_prior",))
C("make_stancode(y ~ mo(g) + arma(cov = TRUE), dat, prior = c(prior(uniform(-1, 1), ar), prior(normal(0, 0.5), ma), prior(normal(0, 5))), "
  "sample_prior = TRUE)", "priors", "y ~ mo(g) + arma(cov = TRUE)",
  prior=lambda: [P("uniform(-1, 1)", "ar"), P("normal(0, 0.5)", "ma"), P("normal(0, 5)")], dropped=("sample_prior",))
C("make_stancode(bf(y ~ x1, sigma ~ x1), dat, prior = c(prior(normal(0, 1), coef = x1), prior(normal(0, 2), coef = x1, dpar = sigma)))",
  "priors", lambda: F("y ~ x1", "sigma ~ x1"), prior=lambda: [P("normal(0, 1)", coef="x1"), P("normal(0, 2)", coef="x1", dpar="sigma")])
C("make_stancode(y ~ x1, dat, prior = c(set_prior('target += normal_lpdf(b[1] | 0, 1)', check = FALSE), set_prior('', class = 'sigma')), "
  "sample_prior = TRUE)", "priors", "y ~ x1",
  prior=lambda: [P("target += normal_lpdf(b[1] | 0, 1)"), P("", "sigma")], dropped=("sample_prior",),
  note="check = FALSE (free Stan code as a prior) has no brmspy spelling: nothing runs from a string")
C("make_stancode(y ~ x1, dat, prior = prior(gamma(0, 1), coef = x1))  # warns: no natural lower bound", "priors", "y ~ x1",
  prior=lambda: [P("gamma(0, 1)", coef="x1")])
C("make_stancode(y ~ x1 + (1|g), dat, prior = prior(uniform(0,5), class = sd))  # warns: no natural upper bound", "priors",
  "y ~ x1 + (1|g)", prior=lambda: [P("uniform(0,5)", "sd")])
C("make_stancode(y ~ x1 + (x1|g), dat, prior = prior(uniform(-1, 1), class = cor))", "priors", "y ~ x1 + (x1|g)",
  prior=lambda: [P("uniform(-1, 1)", "cor")], brms_refuses="prior for correlation matrices is the 'lkj' prior")

test("special shrinkage priors appear in the Stan code")
C("make_stancode(y ~ x1*x2, data = dat, prior = set_prior(horseshoe(7, scale_global = 2, df_global = 3, df_slab = 6, scale_slab = 3)), "
  "sample_prior = TRUE)", "shrink", "y ~ x1*x2",
  prior=lambda: [P("horseshoe(7, scale_global = 2, df_global = 3, df_slab = 6, scale_slab = 3)")], dropped=("sample_prior",))
C("make_stancode(y ~ x1*x2, data = dat, poisson(), prior = prior(horseshoe(scale_global = 3)))", "shrink", "y ~ x1*x2",
  family="poisson", prior=lambda: [P("horseshoe(scale_global = 3)")])
C("make_stancode(x1 ~ mo(y), dat, prior = prior(horseshoe()))", "shrink", "x1 ~ mo(y)", prior=lambda: [P("horseshoe()")])
C("make_stancode(y ~ x1*x2, data = dat, prior = prior(R2D2(0.5, 10)), sample_prior = TRUE)", "shrink", "y ~ x1*x2",
  prior=lambda: [P("R2D2(0.5, 10)")], dropped=("sample_prior",))
C("make_stancode(y ~ x1*x2, data = dat, prior = prior(lasso(2, scale = 10)), sample_prior = TRUE)", "shrink", "y ~ x1*x2",
  prior=lambda: [P("lasso(2, scale = 10)")], dropped=("sample_prior",), brms_refuses=None,
  note="lasso() is deprecated in current brms and removed in brms 2.19+")
C("make_stancode(x1 ~ mo(y), dat, prior = prior(lasso()))", "shrink", "x1 ~ mo(y)", prior=lambda: [P("lasso()")])
C("make_stancode(bf(y ~ a1 + a2 + a3, a1 ~ x1, a2 ~ 0 + x2, a3 ~ x2, nl = TRUE), data = dat, sample_prior = TRUE, prior = "
  "c(set_prior(horseshoe(7, scale_global = 2, df_global = 3), nlpar = 'a1'), set_prior(lasso(2, scale = 10), nlpar = 'a2'), "
  "set_prior(R2D2(0.5, 10), nlpar = 'a3')))", "shrink", lambda: F("y ~ a1 + a2 + a3", "a1 ~ x1", "a2 ~ 0 + x2", "a3 ~ x2", nl=True),
  prior=lambda: [P("horseshoe(7, scale_global = 2, df_global = 3)", nlpar="a1"), P("lasso(2, scale = 10)", nlpar="a2"),
                 P("R2D2(0.5, 10)", nlpar="a3")], dropped=("sample_prior",))
C("make_stancode(y ~ x1*x2, data = dat, prior = prior(horseshoe(-1)))", "shrink", "y ~ x1*x2", prior=lambda: [P("horseshoe(-1)")],
  brms_refuses="Degrees of freedom of the local priors")
C("make_stancode(y ~ x1*x2, data = dat, prior = prior(horseshoe(1, -1)))", "shrink", "y ~ x1*x2", prior=lambda: [P("horseshoe(1, -1)")],
  brms_refuses="Scale of the global prior")
C("make_stancode(y ~ x1*x2, data = dat, prior = prior(lasso(-1)))", "shrink", "y ~ x1*x2", prior=lambda: [P("lasso(-1)")],
  brms_refuses="Degrees of freedom of the shrinkage parameter prior")
C("make_stancode(y ~ cs(x1), dat, acat(), prior = prior(lasso()))", "shrink", "y ~ cs(x1)", family="acat",
  prior=lambda: [P("lasso()")], brms_refuses="Special priors are not yet allowed")
C("make_stancode(x1 ~ y, dat, prior = prior(horseshoe()) + prior(normal(0, 1), coef = 'y'))", "shrink", "x1 ~ y",
  prior=lambda: [P("horseshoe()"), P("normal(0, 1)", coef="y")], brms_refuses="Defining separate priors for single coefficients")
C("make_stancode(x1 ~ y, dat, prior = prior(lasso(), lb = 0))", "shrink", "x1 ~ y", prior=lambda: [P("lasso()", lb=0)],
  brms_refuses="Cannot add bounds to class 'b' for this prior")

test("priors can be fixed to constants")
C("make_stancode(y ~ x1*x2 + (x1*x2 | g), dat, prior = prior(normal(0, 1), b) + prior(constant(3), b, coef = x1) + "
  "prior(constant(-1), b, coef = x2) + prior(constant(10), Intercept) + prior(normal(0, 5), sd) + prior(constant(1), sd, group = g, coef = x2) + "
  "prior(constant(2), sd, group = g, coef = x1) + prior(constant(0.3), sigma))", "const", "y ~ x1*x2 + (x1*x2 | g)",
  prior=lambda: [P("normal(0, 1)"), P("constant(3)", coef="x1"), P("constant(-1)", coef="x2"), P("constant(10)", "Intercept"),
                 P("normal(0, 5)", "sd"), P("constant(1)", "sd", group="g", coef="x2"), P("constant(2)", "sd", group="g", coef="x1"),
                 P("constant(0.3)", "sigma")])
C("make_stancode(y ~ x2 + x1 + cs(g), dat, family = sratio(), prior = prior(constant(3)))", "const", "y ~ x2 + x1 + cs(g)",
  family="sratio", prior=lambda: [P("constant(3)")])
C("make_stancode(y ~ x1 + cs(x2) + cs(g), dat, family = sratio(), prior = prior(normal(0, 3)) + prior(constant(3), coef = x1) + "
  "prior(constant(-1), coef = g))", "const", "y ~ x1 + cs(x2) + cs(g)", family="sratio",
  prior=lambda: [P("normal(0, 3)"), P("constant(3)", coef="x1"), P("constant(-1)", coef="g")])
C("make_stancode(y ~ x1 + (x1 | gr(g, by = h)), dat, prior = prior(constant(3), class = 'sd', group = 'g') + "
  "prior('constant([[1, 0], [0, 1]])', class = 'cor'))", "const", "y ~ x1 + (x1 | gr(g, by = h))",
  prior=lambda: [P("constant(3)", "sd", group="g"), P("constant([[1, 0], [0, 1]])", "cor")])
C("make_stancode(y ~ gp(x1, by = h), dat, prior = prior(constant(0.5), class = lscale, coef = gpx1h1) + "
  "prior(normal(0, 10), class = lscale, coef = gpx1h2))", "const", "y ~ gp(x1, by = h)",
  prior=lambda: [P("constant(0.5)", "lscale", coef="gpx1h1"), P("normal(0, 10)", "lscale", coef="gpx1h2")])
C("make_stancode(y ~ x1*x2, dat, prior = prior(constant(-1), b, coef = x2))", "const", "y ~ x1*x2",
  prior=lambda: [P("constant(-1)", coef="x2")])
C("make_stancode(y ~ x1, data = dat, family = cumulative(), prior = prior(normal(0, 1), Intercept) + prior(constant(3), Intercept, coef = 2))",
  "const", "y ~ x1", family="cumulative", prior=lambda: [P("normal(0, 1)", "Intercept"), P("constant(3)", "Intercept", coef="2")],
  brms_refuses="Can either estimate or fix all values")

test("link functions appear in the Stan code")
C("make_stancode(y ~ s(x), dat, family = poisson())", "yx", "y ~ s(x)", family="poisson")
C("make_stancode(mvbind(y, y + 1) ~ x, dat, family = skew_normal('log'))", "yx", "mvbind(y, y + 1) ~ x",
  family=lambda: bp.skew_normal("log"))
C("make_stancode(y ~ x, dat, family = von_mises(tan_half))", "yx", "y ~ x", family=lambda: bp.von_mises("tan_half"))
C("make_stancode(y ~ x, dat, family = weibull())", "yx", "y ~ x", family="weibull")
C("make_stancode(y ~ x, dat, family = poisson('sqrt'))", "yx", "y ~ x", family=lambda: bp.poisson("sqrt"))
C("make_stancode(y ~ s(x), dat, family = bernoulli())", "yx", "y ~ s(x)", family="bernoulli")
C("make_stancode(y ~ x, dat, family = beta_binomial('logit'))", "yx", "y ~ x", family=lambda: bp.beta_binomial("logit"))
C("make_stancode(y ~ x, dat, family = beta_binomial('cloglog'))", "yx", "y ~ x", family=lambda: bp.beta_binomial("cloglog"))

test("Stan GLM primitives are applied correctly")
C("make_stancode(y ~ x, dat, family = gaussian)", "yx", "y ~ x", family="gaussian")
C("make_stancode(y ~ x, dat, family = bernoulli)", "yx", "y ~ x", family="bernoulli")
C("make_stancode(y ~ x, dat, family = poisson)", "yx", "y ~ x", family="poisson")
C("make_stancode(y ~ x, dat, family = negbinomial)", "yx", "y ~ x", family="negbinomial")
C("make_stancode(y ~ x, dat, family = brmsfamily('negbinomial2'))", "yx", "y ~ x", family=lambda: bp.brmsfamily("negbinomial2"))
C("make_stancode(y ~ 0 + x, dat, family = gaussian)", "yx", "y ~ 0 + x", family="gaussian")
C("make_stancode(bf(y ~ x) + bf(x ~ 1, family = negbinomial()) + set_rescor(FALSE), dat, family = gaussian)", "yx",
  lambda: F("y ~ x") + F("x ~ 1", family=bp.negbinomial()) + bp.set_rescor(False), family="gaussian")
C("make_stancode(bf(y ~ x, decomp = 'QR'), dat, family = gaussian)", "yx", lambda: F("y ~ x", decomp="QR"), family="gaussian")

test("customized covariances appear in the Stan code")
def _M() -> dict:
    """brms's test: M = diag(number of subjects) named by subject."""
    subjects = pd.unique(brms_data("inhaler")["subject"])
    return {"M": pd.DataFrame(np.eye(len(subjects)), index=subjects, columns=subjects)}


C("make_stancode(rating ~ treat + (1 | gr(subject, cov = M)), data = inhaler, data2 = list(M = M))", "inhaler",
  "rating ~ treat + (1 | gr(subject, cov = M))", data2=_M)
C("make_stancode(rating ~ treat + (1 + treat | gr(subject, cov = M)), data = inhaler, data2 = list(M = M))", "inhaler",
  "rating ~ treat + (1 + treat | gr(subject, cov = M))", data2=_M)
C("make_stancode(rating ~ (1 + treat | gr(subject, cor = FALSE, cov = M)), data = inhaler, data2 = list(M = M))", "inhaler",
  "rating ~ (1 + treat | gr(subject, cor = FALSE, cov = M))", data2=_M)
C("make_stancode(rating ~ (1 + treat | gr(subject, by = by, cov = M)), data = inhaler, data2 = list(M = M))", "inhaler_by",
  "rating ~ (1 + treat | gr(subject, by = by, cov = M))", data2=_M)
C("make_stancode(rating ~ treat + period + carry + (1|subject), data = inhaler, cov_ranef = list(subject = 1))  # deprecated argument",
  "inhaler", "rating ~ treat + period + carry + (1|subject)", dropped=("cov_ranef",),
  note="cov_ranef (deprecated in brms) has no brmspy argument; the case is built without it")

test("truncation appears in the Stan code")
C("make_stancode(time | trunc(0) ~ age + sex + disease, data = kidney, family = 'gamma')", "kidney", "time | trunc(0) ~ age + sex + disease",
  family="gamma")
C("make_stancode(time | trunc(ub = 100) ~ age + sex + disease, data = kidney, family = student('log'))", "kidney",
  "time | trunc(ub = 100) ~ age + sex + disease", family=lambda: bp.student("log"))
C("make_stancode(count | trunc(0, 150) ~ Trt, data = epilepsy, family = 'poisson')", "epilepsy", "count | trunc(0, 150) ~ Trt",
  family="poisson")

test("make_stancode handles models without fixed effects")
C("make_stancode(count ~ 0 + (1|patient) + (1+Trt|visit), data = epilepsy, family = 'poisson')", "epilepsy",
  "count ~ 0 + (1|patient) + (1+Trt|visit)", family="poisson")

test("make_stancode correctly restricts FE parameters")
C("make_stancode(y ~ x, data, prior = set_prior('', lb = 2))", "restrict", "y ~ x", prior=lambda: [P("", lb=2)])
C("make_stancode(y ~ x, data, prior = set_prior('normal (0, 2)', ub = '4'))", "restrict", "y ~ x", prior=lambda: [P("normal (0, 2)", ub=4)])
C("make_stancode(y ~ 0 + x, data, prior = set_prior('normal(0,5)', lb = '-3', ub = 5))", "restrict", "y ~ 0 + x",
  prior=lambda: [P("normal(0,5)", lb=-3, ub=5)])

test("self-defined functions appear in the Stan code")
for _r, _data, _f, _fam in [
    ("rating ~ treat, data = inhaler, family = bernoulli('cauchit')", "inhaler", "rating ~ treat", lambda: bp.bernoulli("cauchit")),
    ("rating ~ treat, data = inhaler, family = brmsfamily('poisson', 'softplus')", "inhaler", "rating ~ treat",
     lambda: bp.brmsfamily("poisson", "softplus")),
    ("rating ~ treat, data = inhaler, family = brmsfamily('poisson', 'squareplus')", "inhaler", "rating ~ treat",
     lambda: bp.brmsfamily("poisson", "squareplus")),
    ("rating ~ treat, data = inhaler, family = von_mises('tan_half')", "inhaler", "rating ~ treat", lambda: bp.von_mises("tan_half")),
    ("rating ~ treat, data = inhaler, family = frechet()", "inhaler", "rating ~ treat", "frechet"),
    ("time | cens(censored) ~ age, data = kidney, family = inverse.gaussian", "kidney", "time | cens(censored) ~ age", "inverse.gaussian"),
    ("time ~ age, data = kidney, family = von_mises", "kidney", "time ~ age", "von_mises"),
    ("count ~ Trt, data = epilepsy, family = 'zero_inflated_poisson'", "epilepsy", "count ~ Trt", "zero_inflated_poisson"),
    ("count ~ Trt, data = epilepsy, family = 'zero_inflated_negbinomial'", "epilepsy", "count ~ Trt", "zero_inflated_negbinomial"),
    ("count ~ Trt, data = epilepsy, family = 'zero_inflated_binomial'", "epilepsy", "count ~ Trt", "zero_inflated_binomial"),
    ("count ~ Trt, data = epilepsy, family = 'zero_inflated_beta_binomial'", "epilepsy", "count ~ Trt", "zero_inflated_beta_binomial"),
    ("count ~ Trt, data = epilepsy, family = 'zero_inflated_beta'", "epilepsy", "count ~ Trt", "zero_inflated_beta"),
    ("count ~ Trt, data = epilepsy, family = 'zero_one_inflated_beta'", "epilepsy", "count ~ Trt", "zero_one_inflated_beta"),
    ("count ~ Trt, data = epilepsy, family = hurdle_poisson()", "epilepsy", "count ~ Trt", "hurdle_poisson"),
    ("count ~ Trt, data = epilepsy, family = hurdle_negbinomial", "epilepsy", "count ~ Trt", "hurdle_negbinomial"),
    ("count ~ Trt, data = epilepsy, family = hurdle_gamma('log')", "epilepsy", "count ~ Trt", lambda: bp.hurdle_gamma("log")),
    ("count ~ Trt, data = epilepsy, family = hurdle_lognormal('identity')", "epilepsy", "count ~ Trt",
     lambda: bp.hurdle_lognormal("identity")),
    ("rating ~ treat + ar(cov = TRUE), data = inhaler", "inhaler", "rating ~ treat + ar(cov = TRUE)", None),
    ("time ~ age + ar(cov = TRUE), data = kidney, family = 'student'", "kidney", "time ~ age + ar(cov = TRUE)", "student"),
    ("rating ~ treat + ar(cov = TRUE), data = inhaler", "inhaler", "rating ~ treat + ar(cov = TRUE)", None),
    ("time ~ age + ma(cov = TRUE), data = kidney", "kidney", "time ~ age + ma(cov = TRUE)", None),
    ("time ~ age + arma(cov = TRUE), data = kidney", "kidney", "time ~ age + arma(cov = TRUE)", None),
]:
    C(f"make_stancode({_r})", _data, _f, family=_fam)

test("invalid combinations of modeling options are detected")
C("make_stancode(y1 | cens(ci) ~ y2 + ar(cov = TRUE), data = data)", "invalid", "y1 | cens(ci) ~ y2 + ar(cov = TRUE)",
  brms_refuses="Invalid addition arguments for this model")
C("make_stancode(bf(mvbind(y1, y2) ~ 1 + ar(cov = TRUE)) + set_rescor(TRUE), data = data)", "invalid",
  lambda: F("mvbind(y1, y2) ~ 1 + ar(cov = TRUE)") + bp.set_rescor(True),
  brms_refuses="Explicit covariance terms cannot be modeled when 'rescor'")
C("make_stancode(y1 | resp_se(wi) ~ y2 + ma(), data = data)", "invalid", "y1 | resp_se(wi) ~ y2 + ma()",
  brms_refuses="Please set cov = TRUE in ARMA structures")

test("Stan code for multivariate models is correct")
C("make_stancode(bf(mvbind(y1, y2) ~ x) + set_rescor(TRUE), dat, prior = prior(horseshoe(2), resp = 'y1') + prior(horseshoe(2), resp = 'y2'))",
  "mv", lambda: F("mvbind(y1, y2) ~ x") + bp.set_rescor(True),
  prior=lambda: [P("horseshoe(2)", resp="y1"), P("horseshoe(2)", resp="y2")])
C("make_stancode(bf(mvbind(y1, y2) ~ x) + set_rescor(TRUE), dat, student(), prior = prior(lasso(2, 10), resp = 'y1') + "
  "prior(lasso(2, 10), resp = 'y2'))", "mv", lambda: F("mvbind(y1, y2) ~ x") + bp.set_rescor(True), family="student",
  prior=lambda: [P("lasso(2, 10)", resp="y1"), P("lasso(2, 10)", resp="y2")])
C("make_stancode(bf(mvbind(y1, y2) | weights(x) ~ 1) + set_rescor(TRUE), dat)", "mv",
  lambda: F("mvbind(y1, y2) | weights(x) ~ 1") + bp.set_rescor(True))
C("make_stancode(bf(y1 | cens(censi) ~ x + y2 + (x|2|g)) + gaussian() + cor_ar() + (bf(x ~ 1) + mixture(poisson, nmix = 2)) + "
  "(bf(y2 ~ s(y2) + (1|2|g)) + skew_normal()), dat, prior = prior(normal(0, 5), resp = y1) + prior(normal(0, 10), resp = y2))",
  "mv", lambda: F("y1 | cens(censi) ~ x + y2 + (x|2|g) + ar()", family=bp.gaussian())
  + F("x ~ 1", family=bp.mixture("poisson", nmix=2)) + F("y2 ~ s(y2) + (1|2|g)", family=bp.skew_normal()),
  prior=lambda: [P("normal(0, 5)", resp="y1"), P("normal(0, 10)", resp="y2")],
  note="cor_ar() (deprecated cor_brms object) written as the formula term ar()")
C("make_stancode(bf(x ~ 1) + bf(g ~ 1) + binomial(), dat)", "mv", lambda: F("x ~ 1") + F("g ~ 1"), family="binomial",
  note="'+ binomial()' on an mvbrmsformula sets the family of every part: passed as family=")
C("make_stancode(bf(x ~ 1) + bf(g ~ 1) + weibull(), dat)", "mv", lambda: F("x ~ 1") + F("g ~ 1"), family="weibull",
  note="'+ weibull()' on an mvbrmsformula sets the family of every part: passed as family=")

test("Stan code for categorical models is correct")
C("make_stancode(y ~ x + (1 | gr(.g, id = 'ID')), data = dat, family = categorical(), prior = prior(normal(0, 5), 'b', dpar = muab) + "
  "prior(normal(0, 10), 'b', dpar = mu2) + prior(cauchy(0, 1), 'Intercept', dpar = mu2) + prior(normal(0, 2), 'Intercept', dpar = mu3))",
  "cat", "y ~ x + (1 | gr(.g, id = 'ID'))", family="categorical",
  prior=lambda: [P("normal(0, 5)", dpar="muab"), P("normal(0, 10)", dpar="mu2"), P("cauchy(0, 1)", "Intercept", dpar="mu2"),
                 P("normal(0, 2)", "Intercept", dpar="mu3")])
C("make_stancode(y ~ x + (1 |ID| .g), data = dat, family = categorical(refcat = NA))", "cat", "y ~ x + (1 |ID| .g)",
  family=lambda: bp.categorical(refcat=None))

test("Stan code for multinomial models is correct")
C("make_stancode(bf(y | trials(size) ~ 1, muy2 ~ x), data = dat, family = multinomial(), prior = prior(normal(0, 10), 'b', dpar = muy2) + "
  "prior(cauchy(0, 1), 'Intercept', dpar = muy2) + prior(normal(0, 2), 'Intercept', dpar = muy3))  # y = cbind(y1, y2, y3)",
  "multinom", lambda: F("cbind(y1, y2, y3) | trials(size) ~ 1", "muy2 ~ x"), family="multinomial",
  prior=lambda: [P("normal(0, 10)", dpar="muy2"), P("cauchy(0, 1)", "Intercept", dpar="muy2"), P("normal(0, 2)", "Intercept", dpar="muy3")])

test("Stan code for dirichlet models is correct")
C("make_stancode(bf(y ~ 1, muy3 ~ x), data = dat, family = dirichlet(), prior = prior(normal(0, 5), class = 'b', dpar = 'muy3') + "
  "prior(exponential(10), 'phi'))", "dirichlet", lambda: F("cbind(y1, y2, y3) ~ 1", "muy3 ~ x"), family="dirichlet",
  prior=lambda: [P("normal(0, 5)", dpar="muy3"), P("exponential(10)", "phi")])
C("make_stancode(bf(y ~ x, phi ~ x), data = dat, family = dirichlet())", "dirichlet", lambda: F("cbind(y1, y2, y3) ~ x", "phi ~ x"),
  family="dirichlet")
C("make_stancode(bf(y ~ 1, muy3 ~ x), data = dat, family = brmsfamily('dirichlet2'), prior = prior(normal(0, 5), class = 'b', dpar = 'muy3'))",
  "dirichlet", lambda: F("cbind(y1, y2, y3) ~ 1", "muy3 ~ x"), family=lambda: bp.brmsfamily("dirichlet2"),
  prior=lambda: [P("normal(0, 5)", dpar="muy3")])

test("Stan code for logistic_normal models is correct")
C("make_stancode(bf(y ~ x), data = dat, family = logistic_normal(refcat = 'y2'), prior = prior(normal(0, 5), class = 'b', dpar = 'muy3') + "
  "prior(exponential(10), 'sigmay1') + prior(lkj(3), 'lncor'))", "dirichlet", lambda: F("cbind(y1, y2, y3) ~ x"),
  family=lambda: bp.logistic_normal(refcat="y2"),
  prior=lambda: [P("normal(0, 5)", dpar="muy3"), P("exponential(10)", "sigmay1"), P("lkj(3)", "lncor")])
C("make_stancode(bf(y ~ 1, muy3 ~ x, sigmay2 ~ x), data = dat, family = logistic_normal(), prior = prior(normal(0, 5), class = 'b', "
  "dpar = 'muy3') + prior(normal(0, 3), class = 'b', dpar = 'sigmay2'))", "dirichlet",
  lambda: F("cbind(y1, y2, y3) ~ 1", "muy3 ~ x", "sigmay2 ~ x"), family="logistic_normal",
  prior=lambda: [P("normal(0, 5)", dpar="muy3"), P("normal(0, 3)", dpar="sigmay2")])

test("Stan code for ARMA models is correct")
C("make_stancode(y ~ x + ar(time), dat, student())", "arma", "y ~ x + ar(time)", family="student")
C("make_stancode(y ~ x + ma(time, q = 2), dat, student())", "arma", "y ~ x + ma(time, q = 2)", family="student")
C("make_stancode(mvbind(y, x) ~ 1, dat, gaussian(), autocor = cor_ar())  # deprecated autocor argument", "arma", "mvbind(y, x) ~ 1 + ar()",
  family="gaussian", note="autocor = cor_ar() (deprecated) written as the formula term ar()")
C("make_stancode(bf(y ~ x, sigma ~ x) + acformula(~arma(time, cov = TRUE)), dat, family = student)", "arma",
  lambda: F("y ~ x + arma(time, cov = TRUE)", "sigma ~ x"), family="student",
  note="acformula(~...) added to the main formula (brmspy has no acformula())")
C("make_stancode(bf(y ~ exp(eta) - 1, eta ~ x, autocor = ~ar(time), nl = TRUE), dat, family = student, prior = prior(normal(0, 1), nlpar = eta))",
  "arma", lambda: F("y ~ exp(eta) - 1", "eta ~ x", "autocor ~ ar(time)", nl=True), family="student",
  prior=lambda: [P("normal(0, 1)", nlpar="eta")])
C("make_stancode(y ~ x + ar(time, cov = TRUE), dat, family = poisson, prior = prior(cauchy(0, 10), class = sderr))", "arma",
  "y ~ x + ar(time, cov = TRUE)", family="poisson", prior=lambda: [P("cauchy(0, 10)", "sderr")])
C("make_stancode(y ~ x + ar(time), dat, family = poisson, prior = prior(cauchy(0, 10), class = sderr))", "arma",
  "y ~ x + ar(time)", family="poisson", prior=lambda: [P("cauchy(0, 10)", "sderr")])

test("Stan code for compound symmetry models is correct")
C("make_stancode(y ~ x + cosy(time), dat, prior = prior(normal(0, 2), cosy))", "arma", "y ~ x + cosy(time)",
  prior=lambda: [P("normal(0, 2)", "cosy")])
C("make_stancode(bf(y ~ x + cosy(time), sigma ~ x), dat)", "arma", lambda: F("y ~ x + cosy(time)", "sigma ~ x"))
C("make_stancode(y ~ x + cosy(time), dat, family = poisson)", "arma", "y ~ x + cosy(time)", family="poisson")

test("Stan code for UNSTR covariance terms is correct")
C("make_stancode(y ~ x + unstr(tim, g), data = dat)", "unstr", "y ~ x + unstr(tim, g)")
C("make_stancode(y ~ x + unstr(tim, g), data = dat, family = student(), prior = prior(lkj(4), cortime))", "unstr",
  "y ~ x + unstr(tim, g)", family="student", prior=lambda: [P("lkj(4)", "cortime")])
C("make_stancode(y | se(1, sigma = TRUE) ~ x + unstr(tim, g), data = dat, family = gaussian())", "unstr",
  "y | se(1, sigma = TRUE) ~ x + unstr(tim, g)", family="gaussian")
C("make_stancode(y ~ x + unstr(tim, g), data = dat, family = poisson())", "unstr", "y ~ x + unstr(tim, g)", family="poisson")
C("make_stancode(bf(y ~ a, a ~ x, autocor = ~ unstr(tim, g), nl = TRUE), data = dat, family = student(), prior = prior(normal(0,1), nlpar = a))",
  "unstr", lambda: F("y ~ a", "a ~ x", "autocor ~ unstr(tim, g)", nl=True), family="student",
  prior=lambda: [P("normal(0,1)", nlpar="a")])

test("Stan code for intercept only models is correct")
C("make_stancode(rating ~ 1, data = inhaler)", "inhaler", "rating ~ 1")
C("make_stancode(rating ~ 1, data = inhaler, family = cratio())", "inhaler", "rating ~ 1", family="cratio")
C("make_stancode(rating ~ 1, data = inhaler, family = categorical())", "inhaler", "rating ~ 1", family="categorical")

test("Stan code of ordinal models is correct")
C("make_stancode(y ~ x1, dat, family = cumulative(), prior = prior(normal(0, 2), Intercept, coef = 2))", "ord", "y ~ x1",
  family="cumulative", prior=lambda: [P("normal(0, 2)", "Intercept", coef="2")])
C("make_stancode(y ~ x1, dat, cumulative('probit', threshold = 'equidistant'), prior = prior(normal(0, 2), Intercept))", "ord", "y ~ x1",
  family=lambda: bp.cumulative("probit", threshold="equidistant"), prior=lambda: [P("normal(0, 2)", "Intercept")])
C("make_stancode(y ~ x1, dat, family = cratio('probit'))", "ord", "y ~ x1", family=lambda: bp.cratio("probit"))
C("make_stancode(y ~ x1 + cs(x2) + cs(g), dat, family = sratio())", "ord", "y ~ x1 + cs(x2) + cs(g)", family="sratio")
C("make_stancode(y ~ x1 + cse(x2) + (cse(1)|g), dat, family = acat())", "ord", "y ~ x1 + cse(x2) + (cse(1)|g)", family="acat")
C("make_stancode(y ~ x1 + (cse(x2)||g), dat, family = acat('probit_approx'))", "ord", "y ~ x1 + (cse(x2)||g)",
  family=lambda: bp.acat("probit_approx"))
C("make_stancode(y ~ x1, dat, cumulative('probit', threshold = 'sum_to_zero'), prior = prior(normal(0, 2), Intercept))", "ord", "y ~ x1",
  family=lambda: bp.cumulative("probit", threshold="sum_to_zero"), prior=lambda: [P("normal(0, 2)", "Intercept")])
C("make_stancode(bf(y ~ eta, eta ~ x1, nl = TRUE), dat, family = cumulative(), prior = prior(normal(0, 2), nlpar = eta))", "ord",
  lambda: F("y ~ eta", "eta ~ x1", nl=True), family="cumulative", prior=lambda: [P("normal(0, 2)", nlpar="eta")])
C("make_stancode(bf(y ~ 1, mu1 ~ x1, mu2 ~ 1), data = dat, family = mixture(cumulative(), nmix = 2, order = 'mu'))", "ord",
  lambda: F("y ~ 1", "mu1 ~ x1", "mu2 ~ 1"), family=lambda: bp.mixture("cumulative", nmix=2, order="mu"))

test("ordinal disc parameters appear in the Stan code")
C("make_stancode(bf(rating ~ period + carry + treat, disc ~ period), data = inhaler, family = cumulative(), prior = prior(normal(0,5), dpar = disc))",
  "inhaler", lambda: F("rating ~ period + carry + treat", "disc ~ period"), family="cumulative",
  prior=lambda: [P("normal(0,5)", dpar="disc")])

test("grouped ordinal thresholds appear in the Stan code")
C("make_stancode(y | thres(th, gr) ~ x, data = dat, family = sratio(), prior = prior(normal(0,1), class = 'Intercept', group = 'b'))",
  "thres", "y | thres(th, gr) ~ x", family="sratio", prior=lambda: [P("normal(0,1)", "Intercept", group="b")])
C("make_stancode(y | thres(th, gr) ~ x, data = dat, family = cumulative(threshold = 'equidistant'), prior = prior(normal(0,1), "
  "class = 'Intercept', group = 'b'))", "thres", "y | thres(th, gr) ~ x", family=lambda: bp.cumulative(threshold="equidistant"),
  prior=lambda: [P("normal(0,1)", "Intercept", group="b")])
C("make_stancode(y | thres(gr = gr) ~ x, data = dat, cumulative(threshold = 'sum_to_zero'), prior = prior(normal(0, 2), Intercept))",
  "thres", "y | thres(gr = gr) ~ x", family=lambda: bp.cumulative(threshold="sum_to_zero"),
  prior=lambda: [P("normal(0, 2)", "Intercept")])
C("make_stancode(y | thres(th, gr) ~ x, data = dat, family = mixture(cratio, acat, order = 'mu'), prior = prior(normal(0,1), "
  "class = 'Intercept', group = 'b'))", "thres", "y | thres(th, gr) ~ x", family=lambda: bp.mixture("cratio", "acat", order="mu"),
  prior=lambda: [P("normal(0,1)", "Intercept", group="b")])
C("make_stancode(bf(y | thres(th, gr) ~ x, family = sratio) + bf(y2 | thres(th, gr) ~ x, family = cumulative), data = dat)", "thres",
  lambda: F("y | thres(th, gr) ~ x", family="sratio") + F("y2 | thres(th, gr) ~ x", family="cumulative"))

test("Stan code of hurdle cumulative model is correct")
C("make_stancode(y ~ x1, dat, family = hurdle_cumulative(), prior = prior(normal(0, 2), Intercept, coef = 2))", "hcum", "y ~ x1",
  family="hurdle_cumulative", prior=lambda: [P("normal(0, 2)", "Intercept", coef="2")])
C("make_stancode(bf(y ~ x1, hu ~ x2), dat, hurdle_cumulative('probit', threshold = 'equidistant'), prior = prior(normal(0, 2), Intercept))",
  "hcum", lambda: F("y ~ x1", "hu ~ x2"), family=lambda: bp.hurdle_cumulative("probit", threshold="equidistant"),
  prior=lambda: [P("normal(0, 2)", "Intercept")])
C("make_stancode(bf(y ~ x1, hu ~ x2, disc ~ g), dat, hurdle_cumulative('cloglog', threshold = 'sum_to_zero'), prior = prior(normal(0, 2), Intercept))",
  "hcum", lambda: F("y ~ x1", "hu ~ x2", "disc ~ g"), family=lambda: bp.hurdle_cumulative("cloglog", threshold="sum_to_zero"),
  prior=lambda: [P("normal(0, 2)", "Intercept")])
C("make_stancode(bf(y ~ eta, eta ~ x1, nl = TRUE), dat, family = hurdle_cumulative(), prior = prior(normal(0, 2), nlpar = eta))", "hcum",
  lambda: F("y ~ eta", "eta ~ x1", nl=True), family="hurdle_cumulative", prior=lambda: [P("normal(0, 2)", nlpar="eta")])

test("monotonic effects appear in the Stan code")
C("make_stancode(y ~ y*mo(x1)*mo(x2), dat, prior = c(prior(normal(0,1), class = b, coef = mox1), prior(dirichlet(c(1,0.5,2)), simo, coef = mox11), "
  "prior(dirichlet(c(1,0.5,2)), simo, coef = mox21)))", "mo", "y ~ y*mo(x1)*mo(x2)",
  prior=lambda: [P("normal(0,1)", coef="mox1"), P("dirichlet(c(1,0.5,2))", "simo", coef="mox11"),
                 P("dirichlet(c(1,0.5,2))", "simo", coef="mox21")])
C("make_stancode(y ~ mo(x1) + (mo(x1) | x2), dat)", "mo", "y ~ mo(x1) + (mo(x1) | x2)")
C("make_stancode(y ~ mo(x1) + (mo(x1) | x2) + (mo(x1) | g), dat)", "mo", "y ~ mo(x1) + (mo(x1) | x2) + (mo(x1) | g)")
C("make_stancode(y ~ mo(x1):y, dat)", "mo", "y ~ mo(x1):y")
C("make_stancode(y ~ y*mo(x1, id = 'v')*mo(x2, id = 'w'), dat, prior = c(prior(dirichlet(c(1,0.5,2)), simo, coef = 'v'), "
  "prior(dirichlet(c(1,0.5,2)), simo, coef = 'w')))", "mo", "y ~ y*mo(x1, id = 'v')*mo(x2, id = 'w')",
  prior=lambda: [P("dirichlet(c(1,0.5,2))", "simo", coef="v"), P("dirichlet(c(1,0.5,2))", "simo", coef="w")])
C("make_stancode(y ~ mo(x1) + (mo(x2) | x2), dat)", "mo", "y ~ mo(x1) + (mo(x2) | x2)",
  brms_refuses="Special group-level terms require")
C("make_stancode(y ~ mo(x1), dat, prior = prior(beta(1, 1), simo, coef = mox11))", "mo", "y ~ mo(x1)",
  prior=lambda: [P("beta(1, 1)", "simo", coef="mox11")], brms_refuses="'dirichlet' is the only valid prior for simplex parameters")

test("Stan code for non-linear models is correct")
_NLP = lambda: [P("normal(0,5)", nlpar="a"), P("normal(0,1)", nlpar="b")]  # noqa: E731
C("make_stancode(bf(y ~ a - exp(b^z) * (z <= a) * v, flist = list(a ~ x, b ~ z + (1|g)), nl = TRUE), data = data, prior = ...)", "nl",
  lambda: F("y ~ a - exp(b^z) * (z <= a) * v", "a ~ x", "b ~ z + (1|g)", nl=True), prior=_NLP)
C("make_stancode(bf(y ~ a - exp(b + z), flist = flist, nl = TRUE, loop = FALSE), data = data, prior = ...)", "nl",
  lambda: F("y ~ a - exp(b + z)", "a ~ x", "b ~ z + (1|g)", nl=True, loop=False), prior=_NLP)
C("make_stancode(bf(y ~ a - exp(b + z), flist = flist, nl = TRUE, loop = FALSE), data = data, prior = ..., threads = threading(2), parse = FALSE)",
  "nl", lambda: F("y ~ a - exp(b + z)", "a ~ x", "b ~ z + (1|g)", nl=True, loop=False), prior=_NLP, threads=2, dropped=("parse",))
C("make_stancode(bf(y ~ a1 * exp(-x/(a2 + z)), flist = list(a1 ~ 1, a2 ~ z + (x|g)), nl = TRUE), data = data, family = Gamma('log'), "
  "prior = c(set_prior('beta(1,1)', nlpar = 'a1', lb = 0, ub = 1), set_prior('normal(0,1)', nlpar = 'a2')))", "nl",
  lambda: F("y ~ a1 * exp(-x/(a2 + z))", "a1 ~ 1", "a2 ~ z + (x|g)", nl=True), family=lambda: bp.Gamma("log"),
  prior=lambda: [P("beta(1,1)", nlpar="a1", lb=0, ub=1), P("normal(0,1)", nlpar="a2")])
_SKEWNL = lambda: (F("y ~ x") + bp.nlf("sigma ~ a1 * exp(-x/(a2 + z))") + bp.lf("a1 ~ 1", "a2 ~ z + (x|g)")  # noqa: E731
                   + bp.lf("alpha ~ x"))
C("make_stancode(bf(y ~ x) + nlf(sigma ~ a1 * exp(-x/(a2 + z))) + lf(a1 ~ 1, a2 ~ z + (x|g)) + lf(alpha ~ x), data, family = skew_normal(), "
  "prior = c(prior(normal(0, 1), nlpar = a1), prior(normal(0, 5), nlpar = a2)))", "nl", _SKEWNL, family="skew_normal",
  prior=lambda: [P("normal(0, 1)", nlpar="a1"), P("normal(0, 5)", nlpar="a2")])
C("make_stancode(bform, data, family = skew_normal())  # same bform without priors", "nl", _SKEWNL, family="skew_normal",
  brms_refuses="Priors on population-level coefficients are required")

test("Stan code for nested non-linear parameters is correct")
C("make_stancode(bf(y ~ lb + (1 - lb) * inv_logit(b * x), b + a ~ 1 + (1 | z), nlf(lb ~ inv_logit(a / x)), nl = TRUE), dat, "
  "prior = prior(normal(0, 1), nlpar = 'a') + prior(normal(0, 1), nlpar = 'b'))", "nested",
  lambda: F("y ~ lb + (1 - lb) * inv_logit(b * x)", "b ~ 1 + (1 | z)", "a ~ 1 + (1 | z)", nl=True) + bp.nlf("lb ~ inv_logit(a / x)"),
  prior=lambda: [P("normal(0, 1)", nlpar="a"), P("normal(0, 1)", nlpar="b")])

test("make_stancode accepts very long non-linear formulas")
C("make_stancode(bf(y ~ b0 + this_is_a_very_long_predictor + this_is_a_very_long_predictor + this_is_a_very_long_predictor, b0 ~ 1, nl = TRUE), "
  "data = data, prior = prior(normal(0,1), nlpar = 'b0'))", "long",
  lambda: F("y ~ b0 + this_is_a_very_long_predictor + this_is_a_very_long_predictor + this_is_a_very_long_predictor", "b0 ~ 1", nl=True),
  prior=lambda: [P("normal(0,1)", nlpar="b0")])

test("no loop in trans-par is defined for simple 'identity' models")
C("make_stancode(time ~ age, data = kidney)", "kidney", "time ~ age")
C("make_stancode(time ~ age, data = kidney, family = poisson('identity'))", "kidney", "time ~ age", family=lambda: bp.poisson("identity"))

test("known standard errors appear in the Stan code")
C("make_stancode(time | se(age) ~ sex, data = kidney)", "kidney", "time | se(age) ~ sex")
C("make_stancode(time | se(age) + weights(age) ~ sex, data = kidney)", "kidney", "time | se(age) + weights(age) ~ sex")
C("make_stancode(time | se(age, sigma = TRUE) ~ sex, data = kidney)", "kidney", "time | se(age, sigma = TRUE) ~ sex")
C("make_stancode(bf(time | se(age, sigma = TRUE) ~ sex, sigma ~ sex), data = kidney)", "kidney",
  lambda: F("time | se(age, sigma = TRUE) ~ sex", "sigma ~ sex"))

test("functions defined in 'stan_funs' appear in the functions block")
C("make_stancode(time ~ age, data = kidney, stan_funs = test_fun)  # deprecated argument", "kidney", "time ~ age",
  stanvars=lambda: bp.stanvar(scode="real test_fun(real a, real b) {\n  return a + b;\n}", block="functions"),
  note="stan_funs (deprecated) written as stanvar(scode=, block='functions')")

test("FCOR matrices appear in the Stan code")
C("make_stancode(y ~ fcor(V), data = data, family = gaussian(), data2 = list(V = diag(5)))", "fcor", "y ~ fcor(V)", family="gaussian",
  data2=lambda: {"V": np.eye(5)})
C("make_stancode(y ~ fcor(V), data = data, family = student(), data2 = list(V = diag(5)))", "fcor", "y ~ fcor(V)", family="student",
  data2=lambda: {"V": np.eye(5)})

test("Stan code for GAMMs is correct")
C("make_stancode(y ~ s(x) + (1|g), data = dat, prior = set_prior('normal(0,2)', 'sds'))", "gamm", "y ~ s(x) + (1|g)",
  prior=lambda: [P("normal(0,2)", "sds")])
C("make_stancode(bf(y ~ lp, lp ~ s(x) + (1|g), nl = TRUE), data = dat, prior = c(set_prior('normal(0,5)', nlpar = 'lp'), "
  "set_prior('normal(0,2)', 'sds', nlpar = 'lp')))", "gamm", lambda: F("y ~ lp", "lp ~ s(x) + (1|g)", nl=True),
  prior=lambda: [P("normal(0,5)", nlpar="lp"), P("normal(0,2)", "sds", nlpar="lp")])
C("make_stancode(y ~ s(x) + t2(x,y), data = dat, prior = set_prior('normal(0,1)', 'sds') + set_prior('normal(0,2)', 'sds', coef = 't2(x, y)'))",
  "gamm", "y ~ s(x) + t2(x,y)", prior=lambda: [P("normal(0,1)", "sds"), P("normal(0,2)", "sds", coef="t2(x, y)")])
C("make_stancode(y ~ g + s(x, by = g), data = dat)", "gamm", "y ~ g + s(x, by = g)")

test("Stan code of response times models is correct")
C("make_stancode(count ~ Trt + (1|patient), data = dat, family = exgaussian('log'), prior = prior(gamma(1,1), class = beta))",
  "epilepsy_cens", "count ~ Trt + (1|patient)", family=lambda: bp.exgaussian("log"), prior=lambda: [P("gamma(1,1)", "beta")])
C("make_stancode(bf(count ~ Trt + (1|patient), sigma ~ Trt, beta ~ Trt), data = dat, family = exgaussian())", "epilepsy_cens",
  lambda: F("count ~ Trt + (1|patient)", "sigma ~ Trt", "beta ~ Trt"), family="exgaussian")
C("make_stancode(count | cens(cens) ~ Trt + (1|patient), data = dat, family = exgaussian('inverse'))", "epilepsy_cens",
  "count | cens(cens) ~ Trt + (1|patient)", family=lambda: bp.exgaussian("inverse"))
C("make_stancode(count ~ Trt, dat, family = shifted_lognormal())", "epilepsy_cens", "count ~ Trt", family="shifted_lognormal")
C("make_stancode(count | cens(cens) ~ Trt, dat, family = shifted_lognormal())", "epilepsy_cens", "count | cens(cens) ~ Trt",
  family="shifted_lognormal")
C("make_stancode(mvbind(count, zBase) ~ Trt, data = dat, family = shifted_lognormal())", "epilepsy_cens", "mvbind(count, zBase) ~ Trt",
  family="shifted_lognormal")

test("Stan code of wiener diffusion models is correct")
C("make_stancode(q | dec(resp) ~ x, data = dat, family = wiener())", "wiener", "q | dec(resp) ~ x", family="wiener")
C("make_stancode(bf(q | dec(resp) ~ x, bs ~ x, ndt ~ x, bias ~ x), data = dat, family = wiener())", "wiener",
  lambda: F("q | dec(resp) ~ x", "bs ~ x", "ndt ~ x", "bias ~ x"), family="wiener")
C("make_stancode(bf(q | dec(resp) ~ x, ndt = 0.5), data = dat, family = wiener())", "wiener",
  lambda: F("q | dec(resp) ~ x", ndt="0.5"), family="wiener")
C("make_stancode(q ~ x, data = dat, family = wiener())", "wiener", "q ~ x", family="wiener",
  brms_refuses="Addition argument 'dec' is required for family 'wiener'")

test("Group IDs appear in the Stan code")
C("make_stancode(bf(count ~ Trt + (1+Trt|3|visit) + (1|patient), shape ~ (1|3|visit) + (Trt||patient)), data = epilepsy, family = negbinomial())",
  "epilepsy", lambda: F("count ~ Trt + (1+Trt|3|visit) + (1|patient)", "shape ~ (1|3|visit) + (Trt||patient)"), family="negbinomial")
C("make_stancode(bf(count ~ a, sigma ~ (1|3|visit) + (Trt||patient), a ~ Trt + (1+Trt|3|visit) + (1|patient), nl = TRUE), data = epilepsy, "
  "family = student(), prior = set_prior('normal(0,5)', nlpar = 'a'))", "epilepsy",
  lambda: F("count ~ a", "sigma ~ (1|3|visit) + (Trt||patient)", "a ~ Trt + (1+Trt|3|visit) + (1|patient)", nl=True), family="student",
  prior=lambda: [P("normal(0,5)", nlpar="a")])

test("weighted, censored, and truncated likelihoods are correct")
C("make_stancode(y | weights(y2) ~ 1, dat, poisson())", "wct", "y | weights(y2) ~ 1", family="poisson")
C("make_stancode(y | trials(y2) + weights(y2) ~ 1, dat, binomial())", "wct", "y | trials(y2) + weights(y2) ~ 1", family="binomial")
C("make_stancode(y | cens(x, y2) ~ 1, dat, poisson())", "wct", "y | cens(x, y2) ~ 1", family="poisson")
C("make_stancode(y | cens(x) ~ 1, dat, exponential())", "wct", "y | cens(x) ~ 1", family="exponential")
C("make_stancode(y | cens(x, y2) ~ 1, dat, gaussian())  # after dat$x[1] <- 2", "wct2", "y | cens(x, y2) ~ 1", family="gaussian")
C("make_stancode(y | cens(x) + weights(x) ~ 1, dat, exponential())  # after dat$x <- 1", "wct3", "y | cens(x) + weights(x) ~ 1",
  family="exponential")
C("make_stancode(y | cens(x) + trunc(0.1) ~ 1, dat, exponential())", "wct3", "y | cens(x) + trunc(0.1) ~ 1", family="exponential")
C("make_stancode(y | cens(x) + trunc(ub = 30) ~ 1, dat)", "wct3", "y | cens(x) + trunc(ub = 30) ~ 1")
C("make_stancode(y | weights(x) + trunc(0, 30) ~ 1, dat)", "wct3", "y | weights(x) + trunc(0, 30) ~ 1")
C("make_stancode(y | trials(y2) + weights(y2) ~ 1, dat, beta_binomial())", "wct3", "y | trials(y2) + weights(y2) ~ 1",
  family="beta_binomial")
C("make_stancode(y | trials(y2) + trunc(0, 30) ~ 1, dat, beta_binomial())", "wct3", "y | trials(y2) + trunc(0, 30) ~ 1",
  family="beta_binomial")
C("make_stancode(y | trials(y2) + cens(x, y2) ~ 1, dat, beta_binomial())", "wct3", "y | trials(y2) + cens(x, y2) ~ 1",
  family="beta_binomial")

test("noise-free terms appear in the Stan code")
C("make_stancode(y ~ me(x, xsd)*me(z, zsd)*x, data = dat, prior = prior(normal(0,5)) + prior(normal(0, 10), 'meanme') + "
  "prior(cauchy(0, 5), 'sdme', coef = 'mez') + prior(lkj(2), 'corme'), sample_prior = 'yes')", "me", "y ~ me(x, xsd)*me(z, zsd)*x",
  prior=lambda: [P("normal(0,5)"), P("normal(0, 10)", "meanme"), P("cauchy(0, 5)", "sdme", coef="mez"), P("lkj(2)", "corme")],
  dropped=("sample_prior",))
C("make_stancode(y ~ me(x, xsd)*z + (me(x, xsd)*z | ID), data = dat)", "me", "y ~ me(x, xsd)*z + (me(x, xsd)*z | ID)")
C("make_stancode(y ~ I(me(x, xsd)^2), data = dat)", "me", "y ~ I(me(x, xsd)^2)")
C("make_stancode(bf(y ~ me(x, xsd)*me(z, zsd)*x, sigma ~ me(x, xsd)), data = dat, prior = prior(normal(0,5)))", "me",
  lambda: F("y ~ me(x, xsd)*me(z, zsd)*x", "sigma ~ me(x, xsd)"), prior=lambda: [P("normal(0,5)")])
C("make_stancode(bf(y ~ a * b, a + b ~ me(x, xsd), nl = TRUE), data = dat, prior = prior(normal(0,5), nlpar = a) + prior(normal(0, 5), nlpar = b))",
  "me", lambda: F("y ~ a * b", "a ~ me(x, xsd)", "b ~ me(x, xsd)", nl=True),
  prior=lambda: [P("normal(0,5)", nlpar="a"), P("normal(0, 5)", nlpar="b")])
C("make_stancode(bf(mvbind(y, z) ~ me(x, xsd)) + set_rescor(TRUE) + set_mecor(FALSE), dat)", "me",
  lambda: F("mvbind(y, z) ~ me(x, xsd)") + bp.set_rescor(True) + bp.set_mecor(False))
C("make_stancode(bf(y ~ me(x, xsd, ID) + me(z, xsd) + (me(x, xsd, ID) | ID)), dat)", "me",
  lambda: F("y ~ me(x, xsd, ID) + me(z, xsd) + (me(x, xsd, ID) | ID)"))
C("make_stancode(bf(y ~ me(x, xsd, ID) + me(z, xsd) + (me(x, xsd, ID) | ID)) + set_mecor(FALSE), dat)", "me",
  lambda: F("y ~ me(x, xsd, ID) + me(z, xsd) + (me(x, xsd, ID) | ID)") + bp.set_mecor(False))

test("Stan code of multi-membership models is correct")
C("make_stancode(y ~ (1|mm(g1, g2)), data = dat)", "mm", "y ~ (1|mm(g1, g2))")
C("make_stancode(y ~ (1+w1|mm(g1,g2)), data = dat)", "mm", "y ~ (1+w1|mm(g1,g2))")
C("make_stancode(y ~ (1+mmc(w1, w2)|mm(g1,g2)), data = dat)", "mm", "y ~ (1+mmc(w1, w2)|mm(g1,g2))")

test("by variables in grouping terms are handled correctly")
C("make_stancode(y ~ x + (1 | gr(g, by = z)), dat)", "by", "y ~ x + (1 | gr(g, by = z))")
C("make_stancode(y ~ x + (x | gr(g, by = z)), dat)", "by", "y ~ x + (x | gr(g, by = z))")

test("Group syntax | and || is handled correctly,")
C("make_stancode(y ~ x + (1+x||g1) + (I(x/4)|g2), data)", "bars", "y ~ x + (1+x||g1) + (I(x/4)|g2)")

test("predicting zi and hu works correctly")
C("make_stancode(bf(count ~ Trt, zi ~ Trt), epilepsy, family = 'zero_inflated_poisson')", "epilepsy", lambda: F("count ~ Trt", "zi ~ Trt"),
  family="zero_inflated_poisson")
C("make_stancode(bf(count ~ Trt, zi ~ Trt), epilepsy, family = zero_inflated_poisson(identity))", "epilepsy",
  lambda: F("count ~ Trt", "zi ~ Trt"), family=lambda: bp.zero_inflated_poisson("identity"))
C("make_stancode(bf(count ~ Trt, zi ~ Trt), epilepsy, family = 'zero_inflated_binomial')", "epilepsy", lambda: F("count ~ Trt", "zi ~ Trt"),
  family="zero_inflated_binomial")
C("make_stancode(bf(count ~ Trt, zi ~ Trt), epilepsy, family = zero_inflated_binomial('probit', link_zi = 'identity'), "
  "prior = prior('', class = Intercept, dpar = zi, lb = 0, ub = 1))", "epilepsy", lambda: F("count ~ Trt", "zi ~ Trt"),
  family=lambda: bp.zero_inflated_binomial("probit", link_zi="identity"), prior=lambda: [P("", "Intercept", dpar="zi", lb=0, ub=1)])
C("make_stancode(bf(count ~ Trt, zi ~ Trt), epilepsy, family = 'zero_inflated_beta_binomial')", "epilepsy",
  lambda: F("count ~ Trt", "zi ~ Trt"), family="zero_inflated_beta_binomial")
C("make_stancode(bf(count ~ Trt, zi ~ Trt), epilepsy, zero_inflated_beta_binomial('probit', link_zi = 'identity'), "
  "prior = prior('', class = Intercept, dpar = zi, lb = 0, ub = 1))", "epilepsy", lambda: F("count ~ Trt", "zi ~ Trt"),
  family=lambda: bp.zero_inflated_beta_binomial("probit", link_zi="identity"), prior=lambda: [P("", "Intercept", dpar="zi", lb=0, ub=1)])
C("make_stancode(bf(count ~ Trt, zi ~ Trt), epilepsy, family = zero_inflated_beta())", "epilepsy", lambda: F("count ~ Trt", "zi ~ Trt"),
  family="zero_inflated_beta")
C("make_stancode(bf(count ~ Trt, hu ~ Trt), epilepsy, family = 'hurdle_negbinomial')", "epilepsy", lambda: F("count ~ Trt", "hu ~ Trt"),
  family="hurdle_negbinomial")
C("make_stancode(bf(count ~ Trt, hu ~ Trt), epilepsy, family = 'hurdle_gamma')", "epilepsy", lambda: F("count ~ Trt", "hu ~ Trt"),
  family="hurdle_gamma")
C("make_stancode(bf(count ~ Trt, hu ~ Trt), epilepsy, family = hurdle_gamma(link_hu = 'identity'), prior = prior('', class = Intercept, "
  "dpar = hu, lb = 0, ub = 1))", "epilepsy", lambda: F("count ~ Trt", "hu ~ Trt"), family=lambda: bp.hurdle_gamma(link_hu="identity"),
  prior=lambda: [P("", "Intercept", dpar="hu", lb=0, ub=1)])

test("fixing auxiliary parameters is possible")
C("make_stancode(bf(y ~ 1, sigma = 0.5), data = list(y = rnorm(10)))", "y10", lambda: F("y ~ 1", sigma="0.5"))

test("Stan code of quantile regression models is correct")
C("make_stancode(y ~ x, data, family = asym_laplace())", "yxc", "y ~ x", family="asym_laplace")
C("make_stancode(bf(y ~ x, quantile = 0.75), data, family = asym_laplace())", "yxc", lambda: F("y ~ x", quantile="0.75"),
  family="asym_laplace")
C("make_stancode(y | cens(c) ~ x, data, family = asym_laplace())", "yxc", "y | cens(c) ~ x", family="asym_laplace")
C("make_stancode(bf(y ~ x, sigma ~ x), data, family = asym_laplace())", "yxc", lambda: F("y ~ x", "sigma ~ x"), family="asym_laplace")
C("make_stancode(bf(y ~ x, quantile = 0.75), data, family = brmsfamily('zero_inflated_asym_laplace'))", "yxc",
  lambda: F("y ~ x", quantile="0.75"), family=lambda: bp.brmsfamily("zero_inflated_asym_laplace"))

test("Stan code of addition term 'rate' is correct")
C("make_stancode(y | rate(time) ~ x, data, poisson())", "rate", "y | rate(time) ~ x", family="poisson")
C("make_stancode(y | rate(time) ~ x, data, poisson('identity'))", "rate", "y | rate(time) ~ x", family=lambda: bp.poisson("identity"))
C("make_stancode(y | rate(time) ~ x, data, negbinomial())", "rate", "y | rate(time) ~ x", family="negbinomial")
C("make_stancode(bf(y | rate(time) ~ mi(x), shape ~ mi(x), family = negbinomial()) + bf(x | mi() ~ 1, family = gaussian()), data)", "rate",
  lambda: F("y | rate(time) ~ mi(x)", "shape ~ mi(x)", family=bp.negbinomial()) + F("x | mi() ~ 1", family=bp.gaussian()))
C("make_stancode(y | rate(time) ~ x, data, brmsfamily('negbinomial2'))", "rate", "y | rate(time) ~ x",
  family=lambda: bp.brmsfamily("negbinomial2"))
C("make_stancode(y | rate(time) + cens(1) ~ x, data, geometric())", "rate", "y | rate(time) + cens(1) ~ x", family="geometric")

test("Stan code of GEV models is correct")
C("make_stancode(y ~ x, data, gen_extreme_value())", "yxc", "y ~ x", family="gen_extreme_value")
C("make_stancode(bf(y ~ x, sigma ~ x), data, gen_extreme_value())", "yxc", lambda: F("y ~ x", "sigma ~ x"), family="gen_extreme_value")
C("make_stancode(bf(y ~ x, xi ~ x), data, gen_extreme_value())", "yxc", lambda: F("y ~ x", "xi ~ x"), family="gen_extreme_value")
C("make_stancode(bf(y ~ x, xi = 0), data, gen_extreme_value())", "yxc", lambda: F("y ~ x", xi="0"), family="gen_extreme_value")
C("make_stancode(y | cens(c) ~ x, data, gen_extreme_value())", "yxc", "y | cens(c) ~ x", family="gen_extreme_value")

test("Stan code of Cox models is correct")
C("make_stancode(bf(y | cens(ce) ~ x), data, brmsfamily('cox'))", "cox", lambda: F("y | cens(ce) ~ x"), family=lambda: bp.brmsfamily("cox"))
C("make_stancode(bf(y | cens(ce) ~ x), data, brmsfamily('cox', 'identity'))", "cox", lambda: F("y | cens(ce) ~ x"),
  family=lambda: bp.brmsfamily("cox", "identity"))

test("offsets appear in the Stan code")
C("make_stancode(y ~ x + offset(c), data)", "yxc", "y ~ x + offset(c)")
C("make_stancode(bf(y ~ a, a ~ offset(log(c + 1)), nl = TRUE), data, prior = prior(normal(0,1), nlpar = a))", "yxc",
  lambda: F("y ~ a", "a ~ offset(log(c + 1))", nl=True), prior=lambda: [P("normal(0,1)", nlpar="a")])

test("prior only models are correctly checked")
C("make_stancode(y ~ x, data, prior = prior(normal(0, 5), b) + prior('', Intercept), sample_prior = 'only')", "yxc", "y ~ x",
  prior=lambda: [P("normal(0, 5)"), P("", "Intercept")], dropped=("sample_prior",),
  brms_refuses="Sampling from priors is not possible",
  note="sample_prior='only' is an argument of brm() in brmspy; make_stancode has no such check")
C("make_stancode(y ~ x, data, prior = prior(normal(0, 5), b) + prior(normal(0, 10), Intercept), sample_prior = 'only')", "yxc", "y ~ x",
  prior=lambda: [P("normal(0, 5)"), P("normal(0, 10)", "Intercept")], dropped=("sample_prior",))

test("Stan code of mixture model is correct")
C("make_stancode(bf(y ~ x, sigma2 ~ x), data, family = mixture(gaussian, gaussian), sample_prior = TRUE)", "mix",
  lambda: F("y ~ x", "sigma2 ~ x"), family=lambda: bp.mixture("gaussian", "gaussian"), dropped=("sample_prior",))
C("make_stancode(bf(z | weights(c) ~ x, shape1 ~ x, theta1 = 1, theta2 = 2), data = data, mixture(Gamma('log'), weibull))", "mix",
  lambda: F("z | weights(c) ~ x", "shape1 ~ x", theta1="1", theta2="2"), family=lambda: bp.mixture(bp.Gamma("log"), "weibull"))
C("make_stancode(bf(abs(y) | se(c) ~ x), data = data, mixture(gaussian, student))", "mix", lambda: F("abs(y) | se(c) ~ x"),
  family=lambda: bp.mixture("gaussian", "student"))
C("make_stancode(bf(y ~ x), data = data, family = mixture(gaussian, student, exgaussian))", "mix", lambda: F("y ~ x"),
  family=lambda: bp.mixture("gaussian", "student", "exgaussian"))
C("make_stancode(bf(y ~ x, theta1 ~ x, theta3 ~ x), data = data, family = mixture(gaussian, student, exgaussian))", "mix",
  lambda: F("y ~ x", "theta1 ~ x", "theta3 ~ x"), family=lambda: bp.mixture("gaussian", "student", "exgaussian"))
C("make_stancode(y ~ x, data, family = mixture(cumulative, sratio))", "mix", "y ~ x", family=lambda: bp.mixture("cumulative", "sratio"))
C("make_stancode(y | cens(2, y2 = 2) ~ x, data, mixture(gaussian, gaussian))", "mix", "y | cens(2, y2 = 2) ~ x",
  family=lambda: bp.mixture("gaussian", "gaussian"))
C("make_stancode(y | trunc(3) ~ x, data, mixture(gaussian, gaussian))", "mix", "y | trunc(3) ~ x",
  family=lambda: bp.mixture("gaussian", "gaussian"))
C("make_stancode(bf(y ~ 1) + nlf(mu1 ~ eta^2) + nlf(mu2 ~ log(eta) + a) + lf(eta + a ~ x) + mixture(gaussian, nmix = 2), data = data, "
  "prior = prior(normal(0, 1), nlpar = 'eta') + prior(normal(0, 1), nlpar = 'a'))", "mix",
  lambda: F("y ~ 1", family=bp.mixture("gaussian", nmix=2)) + bp.nlf("mu1 ~ eta^2") + bp.nlf("mu2 ~ log(eta) + a")
  + bp.lf("eta ~ x", "a ~ x"), prior=lambda: [P("normal(0, 1)", nlpar="eta"), P("normal(0, 1)", nlpar="a")])

test("sparse matrix multiplication is applied correctly")
C("make_stancode(bf(y ~ x, sparse = TRUE) + lf(sigma ~ x, sparse = TRUE), data, prior = prior(normal(0, 5), coef = 'Intercept'))", "y_x",
  lambda: F("y ~ x", sparse=True) + bp.lf("sigma ~ x", sparse=True), prior=lambda: [P("normal(0, 5)", coef="Intercept")])
C("make_stancode(bf(y ~ a, lf(a ~ x, sparse = TRUE), nl = TRUE), data, prior = prior(normal(0, 1), nlpar = a))", "y_x",
  lambda: F("y ~ a", nl=True) + bp.lf("a ~ x", sparse=True), prior=lambda: [P("normal(0, 1)", nlpar="a")])

test("QR decomposition is included in the Stan code")
_QR = lambda: F("y ~ x1 + x2", decomp="QR") + bp.lf("sigma ~ 0 + x1 + x2", decomp="QR")  # noqa: E731
C("make_stancode(bf(y ~ x1 + x2, decomp = 'QR') + lf(sigma ~ 0 + x1 + x2, decomp = 'QR'), data, prior = prior(normal(0, 2)))", "qr", _QR,
  prior=lambda: [P("normal(0, 2)")])
C("make_stancode(bform, data, prior = prior(horseshoe(1)))  # same QR bform", "qr", _QR, prior=lambda: [P("horseshoe(1)")])

test("Stan code for Gaussian processes is correct")
C("make_stancode(y ~ gp(x1) + gp(x2, by = x1, gr = FALSE), dat, prior = prior(gamma(0.1, 0.1), sdgp))", "gp",
  "y ~ gp(x1) + gp(x2, by = x1, gr = FALSE)", prior=lambda: [P("gamma(0.1, 0.1)", "sdgp")])
C("make_stancode(y ~ gp(x1) + gp(x2, by = x1, gr = TRUE), data = dat, prior = prior(gamma(0.1, 0.1), sdgp) + prior(normal(0, 1), lscale, coef = gpx1))",
  "gp", "y ~ gp(x1) + gp(x2, by = x1, gr = TRUE)", prior=lambda: [P("gamma(0.1, 0.1)", "sdgp"), P("normal(0, 1)", "lscale", coef="gpx1")])
C("make_stancode(y ~ gp(x1, x2, by = z, iso = FALSE), data = dat)", "gp", "y ~ gp(x1, x2, by = z, iso = FALSE)")
C("make_stancode(y ~ gp(x1, x2) + gp(x1, by = z, gr = FALSE), dat, silent = TRUE)", "gp", "y ~ gp(x1, x2) + gp(x1, by = z, gr = FALSE)",
  dropped=("silent",))
C("make_stancode(y ~ gp(x1, k = 10, c = 5/4) + gp(x2, by = x1, k = 10, c = 5/4), data = dat)", "gp",
  "y ~ gp(x1, k = 10, c = 5/4) + gp(x2, by = x1, k = 10, c = 5/4)")
C("make_stancode(bf(y ~ a, a ~ gp(x1), nl = TRUE), data = dat, prior = c(prior(normal(0, 10), lscale, coef = gpx1, nlpar = a), "
  "prior(gamma(0.1, 0.1), sdgp, nlpar = a), prior(normal(0, 1), b, nlpar = a)))", "gp", lambda: F("y ~ a", "a ~ gp(x1)", nl=True),
  prior=lambda: [P("normal(0, 10)", "lscale", coef="gpx1", nlpar="a"), P("gamma(0.1, 0.1)", "sdgp", nlpar="a"),
                 P("normal(0, 1)", nlpar="a")])
C("make_stancode(bf(y ~ a, a ~ gp(x1, by = z, gr = TRUE), nl = TRUE), data = dat, prior = prior(gamma(2, 2), lscale, coef = gpx1z5, nlpar = 'a'), "
  "silent = TRUE)", "gp", lambda: F("y ~ a", "a ~ gp(x1, by = z, gr = TRUE)", nl=True),
  prior=lambda: [P("gamma(2, 2)", "lscale", coef="gpx1z5", nlpar="a")], dropped=("silent",))
C("make_stancode(y ~ gp(x1), data = dat, prior = prior(normal(0, 1), lscale))  # warns: global lscale prior not used", "gp", "y ~ gp(x1)",
  prior=lambda: [P("normal(0, 1)", "lscale")])

test("Stan code for SAR models is correct")
_W0 = lambda: {"W": np.zeros((10, 10))}  # noqa: E731
C("make_stancode(y ~ x + sar(W), data = dat, prior = prior(normal(0.5, 1), lagsar), data2 = list(W = matrix(0, 10, 10)))", "y_x",
  "y ~ x + sar(W)", prior=lambda: [P("normal(0.5, 1)", "lagsar")], data2=_W0)
C("make_stancode(y ~ x + sar(W, type = 'lag'), data = dat, family = student(), data2 = dat2)", "y_x", "y ~ x + sar(W, type = 'lag')",
  family="student", data2=_W0)
C("make_stancode(y ~ x + sar(W, type = 'error'), data = dat, data2 = dat2)", "y_x", "y ~ x + sar(W, type = 'error')", data2=_W0)
C("make_stancode(y ~ x + sar(W, 'error'), data = dat, family = student(), prior = prior(beta(2, 3), errorsar), data2 = dat2)", "y_x",
  "y ~ x + sar(W, 'error')", family="student", prior=lambda: [P("beta(2, 3)", "errorsar")], data2=_W0)
C("make_stancode(bf(y ~ sar(W), sigma ~ x), data = dat)", "y_x", lambda: F("y ~ sar(W)", "sigma ~ x"), data2=_W0,
  brms_refuses="SAR models are not implemented when predicting 'sigma'")

test("Stan code for CAR models is correct")
_W = lambda: {"W": pd.DataFrame(W10(), index=range(1, 11), columns=range(1, 11))}  # noqa: E731
C("make_stancode(y ~ x + car(W), dat, data2 = dat2)", "y_x", "y ~ x + car(W)", data2=_W)
C("make_stancode(y ~ x + car(W, type = 'esicar'), dat, data2 = dat2)", "y_x", "y ~ x + car(W, type = 'esicar')", data2=_W)
C("make_stancode(y ~ x + car(W, type = 'icar'), dat, data2 = dat2)", "y_x", "y ~ x + car(W, type = 'icar')", data2=_W)
C("make_stancode(y ~ x + car(W, type = 'bym2'), dat, data2 = dat2)", "y_x", "y ~ x + car(W, type = 'bym2')", data2=_W)
C("make_stancode(bf(y ~ x, sigma ~ car(W)), dat, data2 = dat2)", "y_x", lambda: F("y ~ x", "sigma ~ car(W)"), data2=_W)

test("Stan code for skew_normal models is correct")
C("make_stancode(y ~ x, dat, skew_normal())", "y_x", "y ~ x", family="skew_normal")
C("make_stancode(bf(y ~ x, sigma ~ x), dat, skew_normal())", "y_x", lambda: F("y ~ x", "sigma ~ x"), family="skew_normal")
C("make_stancode(bf(y | se(x) ~ x, alpha ~ x), dat, skew_normal())", "y_x", lambda: F("y | se(x) ~ x", "alpha ~ x"), family="skew_normal",
  note="se(x) with negative x: brms refuses at data time")
C("make_stancode(y ~ x, dat, mixture(skew_normal, nmix = 2))", "y_x", "y ~ x", family=lambda: bp.mixture("skew_normal", nmix=2))

test("Stan code for missing value terms works correctly")
C("make_stancode(bf(y ~ mi(x)*g) + bf(x | mi() ~ g) + set_rescor(FALSE), dat)", "mi",
  lambda: F("y ~ mi(x)*g") + F("x | mi() ~ g") + bp.set_rescor(False))
C("make_stancode(bf(y ~ mi(x) + (mi(x) | g)) + bf(x | mi() ~ 1) + set_rescor(FALSE), dat)", "mi",
  lambda: F("y ~ mi(x) + (mi(x) | g)") + F("x | mi() ~ 1") + bp.set_rescor(False))
C("make_stancode(bf(y ~ a, a ~ mi(x), nl = TRUE) + bf(x | mi() ~ 1) + set_rescor(FALSE), dat, prior = prior(normal(0, 1), nlpar = 'a', resp = 'y'))",
  "mi", lambda: F("y ~ a", "a ~ mi(x)", nl=True) + F("x | mi() ~ 1") + bp.set_rescor(False),
  prior=lambda: [P("normal(0, 1)", nlpar="a", resp="y")])
C("make_stancode(bf(y ~ mi(x)*mo(g)) + bf(x | mi() ~ 1) + set_rescor(FALSE), dat)", "mi",
  lambda: F("y ~ mi(x)*mo(g)") + F("x | mi() ~ 1") + bp.set_rescor(False))
C("make_stancode(bf(y ~ 1, sigma ~ 1) + bf(x | mi() ~ 1) + set_rescor(TRUE), dat)", "mi",
  lambda: F("y ~ 1", "sigma ~ 1") + F("x | mi() ~ 1") + bp.set_rescor(True))
C("make_stancode(bf(x | mi() ~ y, family = 'lognormal'), dat)", "mi", lambda: F("x | mi() ~ y", family="lognormal"))
C("make_stancode(bf(y ~ I(log(mi(x))) * g) + bf(x | mi() + trunc(lb = 1) ~ y, family = 'lognormal'), dat)", "mi",
  lambda: F("y ~ I(log(mi(x))) * g") + F("x | mi() + trunc(lb = 1) ~ y", family="lognormal"))
C("make_stancode(bf(y ~ mi(x)*g) + bf(x | mi() + cens(z) ~ y, family = 'beta'), dat)", "mi",
  lambda: F("y ~ mi(x)*g") + F("x | mi() + cens(z) ~ y", family="beta"))
C("make_stancode(bf(y | mi() ~ mi(x), shape ~ mi(x), family=weibull()) + bf(x| mi() ~ z, family=gaussian()) + set_rescor(FALSE), data = dat)",
  "mi", lambda: F("y | mi() ~ mi(x)", "shape ~ mi(x)", family=bp.weibull()) + F("x| mi() ~ z", family=bp.gaussian())
  + bp.set_rescor(False))

test("Stan code for overimputation works correctly")
C("make_stancode(bf(y ~ mi(x_x)*g) + bf(x_x | mi(g) ~ 1) + set_rescor(FALSE), dat, sample_prior = 'yes')", "overimp",
  lambda: F("y ~ mi(x_x)*g") + F("x_x | mi(g) ~ 1") + bp.set_rescor(False), dropped=("sample_prior",))

test("Missing value terms can be combined with 'subset'")
C("make_stancode(bf(y ~ mi(x, idx = g1)*mi(z)) + bf(x | mi() + index(g2) + subset(s) ~ 1) + bf(z | mi() ~ s) + set_rescor(FALSE), dat)",
  "subset", lambda: F("y ~ mi(x, idx = g1)*mi(z)") + F("x | mi() + index(g2) + subset(s) ~ 1") + F("z | mi() ~ s")
  + bp.set_rescor(False))

test("Stan code for advanced count data distribution is correct")
C("make_stancode(count ~ zAge + zBase * Trt + (1|patient), data = epilepsy, family = brmsfamily('discrete_weibull'))", "epilepsy",
  "count ~ zAge + zBase * Trt + (1|patient)", family=lambda: bp.brmsfamily("discrete_weibull"))
C("make_stancode(count ~ zAge + zBase * Trt + (1|patient), data = epilepsy, family = brmsfamily('com_poisson'))", "epilepsy",
  "count ~ zAge + zBase * Trt + (1|patient)", family=lambda: bp.brmsfamily("com_poisson"))

test("argument 'stanvars' is handled correctly")
C("make_stancode(count ~ Trt, data = epilepsy, prior = prior(normal(mean_intercept, 10), class = 'Intercept'), stanvars = stanvar(mean_intercept))",
  "epilepsy", "count ~ Trt", prior=lambda: [P("normal(mean_intercept, 10)", "Intercept")],
  stanvars=lambda: bp.stanvar(5, name="mean_intercept"))
C("make_stancode(count ~ Trt + zBase, epilepsy, prior = prior(multi_normal(M, V), class = 'b'), stanvars = stanvar(rep(0, 2), 'M', "
  "scode = 'vector[K] M;') + stanvar(diag(2), 'V', scode = 'matrix[K, K] V;'))", "epilepsy", "count ~ Trt + zBase",
  prior=lambda: [P("multi_normal(M, V)")],
  stanvars=lambda: bp.stanvar(np.zeros(2), "M", scode="vector[K] M;") + bp.stanvar(np.eye(2), "V", scode="matrix[K, K] V;"))
C("make_stancode(count ~ Trt + zBase, epilepsy, prior = set_prior('normal(0, tau)', class = 'b') + set_prior('target += normal_lpdf(tau | 0, 10)', "
  "check = FALSE), stanvars = stanvar(scode = 'real<lower=0> tau;', block = 'parameters'))", "epilepsy", "count ~ Trt + zBase",
  prior=lambda: [P("normal(0, tau)"), P("target += normal_lpdf(tau | 0, 10)")],
  stanvars=lambda: bp.stanvar(scode="real<lower=0> tau;", block="parameters"),
  note="check = FALSE (free Stan code as a prior) has no brmspy spelling")
C("make_stancode(count ~ 1, data = epilepsy, family = poisson(), stanvars = stanvar(foo) + stanvar(scode = 'real<lower=0> tau;', "
  "block = 'parameters', pll_args = 'real tau'), threads = threading(2), parse = FALSE)", "epilepsy", "count ~ 1", family="poisson",
  stanvars=lambda: bp.stanvar(0.5, name="foo") + bp.stanvar(scode="real<lower=0> tau;", block="parameters", pll_args="real tau"),
  threads=2, dropped=("parse",))
C("make_stancode(count ~ Trt + (1|patient), data = epilepsy, stanvars = stanvar(scode = 'mu += 1.0;', block = 'likelihood', position = 'start'))",
  "epilepsy", "count ~ Trt + (1|patient)", stanvars=lambda: bp.stanvar(scode="mu += 1.0;", block="likelihood", position="start"))
C("make_stancode(count ~ Trt + (1|patient), data = epilepsy, stanvars = stanvar(scode = 'mu += 1.0;', block = 'likelihood', position = 'start'), "
  "threads = 2, parse = FALSE)", "epilepsy", "count ~ Trt + (1|patient)",
  stanvars=lambda: bp.stanvar(scode="mu += 1.0;", block="likelihood", position="start"), threads=2, dropped=("parse",))
C("make_stancode(count ~ Trt + (1 | patient), epilepsy, stanvars = stanvar(scode = 'r_1_1 = r_1_1 * 2;', block = 'tparameters', position = 'end'))",
  "epilepsy", "count ~ Trt + (1 | patient)",
  stanvars=lambda: bp.stanvar(scode="r_1_1 = r_1_1 * 2;", block="tparameters", position="end"))

test("custom families are handled correctly")
_BB2SV = lambda: bp.stanvar(scode=BB2_FUNS, block="functions")  # noqa: E731
C("make_stancode(y | vint(size) + vreal(size) ~ x, data = dat, family = beta_binomial2, prior = prior(gamma(0.1, 0.1), class = 'tau'), "
  "stanvars = stanvars)  # custom_family('beta_binomial2', dpars = c('mu', 'tau'), links = c('logit', 'log'), lb = c(NA, 0), type = 'int', "
  "vars = c('vint1[n]', 'vreal1[n]'))", "custom", "y | vint(size) + vreal(size) ~ x", family=bb2,
  prior=lambda: [P("gamma(0.1, 0.1)", "tau")], stanvars=_BB2SV)
C("make_stancode(bf(y | vint(size) + vreal(size) ~ x, tau ~ x), data = dat, family = beta_binomial2, stanvars = stanvars)", "custom",
  lambda: F("y | vint(size) + vreal(size) ~ x", "tau ~ x"), family=bb2, stanvars=_BB2SV)
C("make_stancode(y | vint(size) + vreal(size) + trials(size) ~ x, data = dat, family = mixture(binomial, beta_binomial2), stanvars = stanvars)",
  "custom", "y | vint(size) + vreal(size) + trials(size) ~ x", family=lambda: bp.mixture("binomial", bb2()), stanvars=_BB2SV)
C("make_stancode(bf(y | vint(size) + vreal(size) + trials(size) ~ x, family = beta_binomial2) + bf(x ~ 1, family = gaussian()), data = dat, "
  "stanvars = stanvars)", "custom",
  lambda: F("y | vint(size) + vreal(size) + trials(size) ~ x", family=bb2()) + F("x ~ 1", family=bp.gaussian()), stanvars=_BB2SV)
C("make_stancode(y | vint(size) + vreal(size) ~ x, data = dat, family = beta_binomial2_vec, prior = prior(gamma(0.1, 0.1), class = 'tau'), "
  "stanvars = stanvars)  # custom_family(..., vars = c('vint1', 'vreal1'), loop = FALSE)", "custom", "y | vint(size) + vreal(size) ~ x",
  family=bb2_vec, prior=lambda: [P("gamma(0.1, 0.1)", "tau")],
  stanvars=lambda: bp.stanvar(scode=BB2_VEC_FUNS, block="functions"))

test("likelihood of distributional beta models is correct")
C("make_stancode(bf(prop ~ 1, phi ~ 1), data = dat, family = Beta())", "beta", lambda: F("prop ~ 1", "phi ~ 1"), family="beta")

test("student-t group-level effects work without errors")
C("make_stancode(count ~ Trt + (1|gr(patient, dist = 'st')), epilepsy)", "epilepsy", "count ~ Trt + (1|gr(patient, dist = 'st'))")
C("make_stancode(count ~ Trt + (Trt|gr(patient, dist = 'st')), epilepsy, prior = prior(normal(20, 5), class = df, group = patient))",
  "epilepsy", "count ~ Trt + (Trt|gr(patient, dist = 'st'))", prior=lambda: [P("normal(20, 5)", "df", group="patient")])

test("centering design matrices can be changed correctly")
C("make_stancode(bf(y ~ x, center = FALSE), data = dat, family = weibull(), prior = prior(normal(0,1), coef = Intercept))", "center",
  lambda: F("y ~ x", center=False), family="weibull", prior=lambda: [P("normal(0,1)", coef="Intercept")])
C("make_stancode(bf(y ~ eta, nl = TRUE) + lf(eta ~ x, center = TRUE), data = dat)", "center",
  lambda: F("y ~ eta", nl=True) + bp.lf("eta ~ x", center=True), brms_refuses=None,
  note="brms's test takes the default flat prior of b_eta")

test("to_vector() is correctly removed from prior of SD parameters")
C("make_stancode(bf(y ~ 1 + (1 | p | gr(ID, by=group)), sigma ~ 1 + (1 | p | gr(ID, by=group))), data = dat, prior = c(prior(normal(0, 0.1), "
  "class = sd), prior(normal(0, 0.01), class = sd, dpar = sigma)), sample_prior = TRUE)", "tovec",
  lambda: F("y ~ 1 + (1 | p | gr(ID, by=group))", "sigma ~ 1 + (1 | p | gr(ID, by=group))"),
  prior=lambda: [P("normal(0, 0.1)", "sd"), P("normal(0, 0.01)", "sd", dpar="sigma")], dropped=("sample_prior",))

test("Dirichlet priors can be flexibly included")
C("make_stancode(y ~ x1 + x2, dat, prior = prior(\"dirichlet([1,2]')\", class = 'b'))", "qr", "y ~ x1 + x2",
  prior=lambda: [P("dirichlet([1,2]')")])

test("threaded Stan code is correct")
C("make_stancode(bf(count ~ Trt*Age + mo(Exp) + s(Age) + offset(Age) + (1+Trt|visit), sigma ~ Trt + gp(Age) + gp(volume, by = Trt)), dat, "
  "family = student(), threads = threading(2, grainsize = 20))", "threaded",
  lambda: F("count ~ Trt*Age + mo(Exp) + s(Age) + offset(Age) + (1+Trt|visit)", "sigma ~ Trt + gp(Age) + gp(volume, by = Trt)"),
  family="student", threads=2, note="grainsize = 20 has no make_stancode argument")
C("make_stancode(visit ~ cs(Trt) + Age, dat, family = sratio(), threads = threads)", "threaded", "visit ~ cs(Trt) + Age", family="sratio",
  threads=2)
C("make_stancode(bf(visit ~ a * Trt ^ b, a ~ mo(Exp), b ~ s(Age), nl = TRUE), data = dat, family = Gamma('log'), prior = set_prior('normal(0, 1)', "
  "nlpar = c('a', 'b')), threads = threads)", "threaded", lambda: F("visit ~ a * Trt ^ b", "a ~ mo(Exp)", "b ~ s(Age)", nl=True),
  family=lambda: bp.Gamma("log"), prior=lambda: [P("normal(0, 1)", nlpar="a"), P("normal(0, 1)", nlpar="b")], threads=2)
C("make_stancode(bf(mvbind(count, Exp) ~ Trt) + set_rescor(TRUE), dat, gaussian(), threads = threads)", "threaded",
  lambda: F("mvbind(count, Exp) ~ Trt") + bp.set_rescor(True), family="gaussian", threads=2)
C("make_stancode(bf(brms::mvbind(count, Exp) ~ Trt) + set_rescor(FALSE), dat, gaussian(), threads = threads)", "threaded",
  lambda: F("brms::mvbind(count, Exp) ~ Trt") + bp.set_rescor(False), family="gaussian", threads=2)
C("make_stancode(visit ~ Trt, dat, family = mixture(poisson(), nmix = 2), threads = threading(4, grainsize = 10, static = TRUE))", "threaded",
  "visit ~ Trt", family=lambda: bp.mixture("poisson", nmix=2), threads=4, note="static = TRUE has no make_stancode argument")

test("Un-normalized Stan code is correct")
C("make_stancode(count ~ zAge + zBase * Trt + (1|patient) + (1|obs), data = epilepsy, family = poisson(), prior = prior(student_t(5,0,10), "
  "class = b) + prior(cauchy(0,2), class = sd), normalize = FALSE)", "epilepsy", "count ~ zAge + zBase * Trt + (1|patient) + (1|obs)",
  family="poisson", prior=lambda: [P("student_t(5,0,10)"), P("cauchy(0,2)", "sd")], dropped=("normalize",))
C("make_stancode(count ~ zAge + zBase * Trt + (1|patient) + (1|obs), data = epilepsy, family = poisson(), prior = ..., normalize = FALSE, "
  "threads = threading(2))", "epilepsy", "count ~ zAge + zBase * Trt + (1|patient) + (1|obs)", family="poisson",
  prior=lambda: [P("student_t(5,0,10)"), P("cauchy(0,2)", "sd")], threads=2, dropped=("normalize",))
C("make_stancode(rating ~ period + carry + cs(treat), data = inhaler, family = sratio('cloglog'), normalize = FALSE)", "inhaler",
  "rating ~ period + carry + cs(treat)", family=lambda: bp.sratio("cloglog"), dropped=("normalize",))
C("make_stancode(y | vint(size) + vreal(size) ~ x, data = dat, family = beta_binomial2, prior = prior(gamma(0.1, 0.1), class = 'tau'), "
  "stanvars = stanvars, normalize = FALSE, backend = 'cmdstanr')", "custom", "y | vint(size) + vreal(size) ~ x", family=bb2,
  prior=lambda: [P("gamma(0.1, 0.1)", "tau")],
  stanvars=lambda: bp.stanvar(scode=BB2_FUNS.split("int beta_binomial2_rng")[0], block="functions"), dropped=("normalize", "backend"))

for _i, _c in enumerate(CASES, 1):
    _c.id = f"{_i:03d}"


# ------------------------------------------------------------------ running

@dataclass
class Outcome:
    case: Case
    status: str  # built / refused / stanc / crashed
    message: str = ""
    extra: dict = field(default_factory=dict)


def run_case(case: Case, stanc: Callable[[str], Any]) -> Outcome:
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kw = case.build()
            code = bp.make_stancode(**kw)
    except BrmsError as exc:
        return Outcome(case, "refused", f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # noqa: BLE001 (a crash is what this tool counts)
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{Path(tb.filename).name}:{tb.lineno}"
        return Outcome(case, "crashed", f"{type(exc).__name__}: {exc} ({where})")
    try:
        stanc(code)
    except Exception as exc:  # noqa: BLE001
        return Outcome(case, "stanc", str(exc).strip().split("\n")[0][:300])
    return Outcome(case, "built")


#: why brmspy refuses, by the refusal's message (checked against brms 2.18 where it says so)
_WHY = (
    ("data check", "brms's make_standata refuses these data too (checked with brms 2.18 for bernoulli, von_mises, "
     "truncation, positive and (0, 1) responses, censoring bounds, se, me(x, sdx, gr) values that vary within a "
     "level, and dirichlet() priors whose length is not the simplex's: 'Invalid Dirichlet prior. Expected input of "
     "length 2.'); its make_stancode does not read the data",
     r"^DataError: (Family '[^']*' needs|\d+ response value\(s\) lie outside|Left censor points|Standard errors in se"
     r"|.*measured values and measurement error should be unique)"
     r"|^PriorError: Invalid Dirichlet prior .* expected \d+ or \d+ concentration values"),
    ("deliberate", "a documented difference: lasso() follows current brms (removed); priors are parsed, never Stan "
     "code (check = FALSE, stanvar names as hyperparameters, multi_normal on b)",
     r"lasso prior|Cannot read the prior|hyperparameters must be numbers|Unknown prior distribution 'multi_normal'"),
)


def why(outcome: "Outcome") -> str:
    """The reason group of a refusal: one of ``_WHY``'s names, else "not implemented"."""
    for name, _, pattern in _WHY:
        if re.search(pattern, outcome.message):
            return name
    return "not implemented"


def _group(message: str) -> str:
    """A refusal's message without its case-specific names, for grouping."""
    first = message.split("\n")[0]
    first = re.sub(r"'[^']*'", "'…'", first)
    first = re.sub(r"\"[^\"]*\"", "'…'", first)
    first = re.sub(r"\d+(\.\d+)?", "N", first)
    return first[:140]


def summarise(outcomes: list[Outcome]) -> str:
    lines = [f"brms's make_stancode tests through brmspy ({SOURCE})", ""]
    n = len(outcomes)
    by = collections.Counter(o.status for o in outcomes)
    refuse_cases = [o for o in outcomes if o.case.brms_refuses]
    model_cases = [o for o in outcomes if not o.case.brms_refuses]
    mb = collections.Counter(o.status for o in model_cases)
    lines.append(f"cases: {n} make_stancode calls in {len({o.case.test for o in outcomes})} test blocks")
    lines.append(f"  models the test builds: {len(model_cases)}: built and stanc-accepted {mb['built']}, refused with a brmspy error "
                 f"{mb['refused']}, stanc rejected brmspy's program {mb['stanc']}, crashed {mb['crashed']}")
    rb = collections.Counter(o.status for o in refuse_cases)
    lines.append(f"  calls the test expects brms to refuse: {len(refuse_cases)}: refused by brmspy {rb['refused']}, "
                 f"built {rb['built']}, stanc {rb['stanc']}, crashed {rb['crashed']}")
    lines.append(f"  all: built {by['built']}, refused {by['refused']}, stanc {by['stanc']}, crashed {by['crashed']}")
    lines.append("")
    refused = [o for o in model_cases if o.status == "refused"]
    reasons = collections.Counter(why(o) for o in refused)
    lines.append("Refusals of models the test builds, by reason:")
    explain = {name: text for name, text, _ in _WHY}
    explain["not implemented"] = "a brms feature brmspy does not have yet (grouped by message below)"
    for name, n in reasons.most_common():
        lines.append(f"  {n:3d}  {name}: {explain[name]}")
    lines.append("")
    for reason in [r for r, _ in reasons.most_common()]:
        groups: dict[str, list[str]] = collections.defaultdict(list)
        for o in refused:
            if why(o) == reason:
                groups[_group(o.message)].append(o.case.id)
        lines.append(f"Refusals ({reason}), grouped by message:")
        for g, ids in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            lines.append(f"  {len(ids):3d}  {g}  [{', '.join(ids)}]")
        lines.append("")
    for status, title in (("stanc", "Programs stanc rejects"), ("crashed", "Crashes (not a brmspy error class)")):
        bad = [o for o in outcomes if o.status == status]
        lines.append("")
        lines.append(f"{title}: {len(bad)}")
        for o in bad:
            lines.append(f"  {o.case.id} [{o.case.test}] {o.case.r[:110]}")
            lines.append(f"       {o.message[:300]}")
    lines.append("")
    lines.append("Calls the test expects brms to refuse, that brmspy builds:")
    for o in refuse_cases:
        if o.status != "refused":
            lines.append(f"  {o.case.id} ({o.status}) brms: {o.case.brms_refuses!r}: {o.case.r[:100]}"
                         + (f"\n       note: {o.case.note}" if o.case.note else ""))
    lines.append("")
    lines.append("Every case (id, outcome, R call):")
    for o in outcomes:
        lines.append(f"  {o.case.id} {o.status:8s} {o.case.r}")
        if o.case.dropped or o.case.note:
            lines.append(f"       {'dropped: ' + ', '.join(o.case.dropped) + '. ' if o.case.dropped else ''}"
                         f"{o.case.note or ''}".rstrip())
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="print every case")
    ap.add_argument("-k", help="only cases whose id or R call contains this text")
    ap.add_argument("--write", action="store_true", help="rewrite tests/reference/brms_testsuite/summary.txt")
    args = ap.parse_args(argv)
    import stanli

    cases = [c for c in CASES if not args.k or args.k in c.id or args.k in c.r]
    outcomes = []
    for c in cases:
        o = run_case(c, stanli.stan_to_mir)
        outcomes.append(o)
        if args.verbose:
            print(f"{c.id} {o.status:8s} {c.r[:100]}" + (f"\n        {o.message[:400]}" if o.message else ""), flush=True)
    text = summarise(outcomes)
    print(text)
    if args.write:
        (REF / "summary.txt").write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
