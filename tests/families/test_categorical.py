"""Categorical-type families: categorical, multinomial, dirichlet."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.core.errors import DataError, FormulaError
from tests.checks import assert_golden, assert_loglik_matches_stan, interval_covers

TRUTH = {"muB_Intercept": 0.5, "muB_x": 1.0, "muC_Intercept": -0.3, "muC_x": -0.8}


def _softmax(eta):
    e = np.exp(eta - eta.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def cat_data(n=400, seed=3):
    rng = np.random.default_rng(seed)
    x, z = rng.normal(size=n), rng.normal(size=n)
    g = rng.integers(0, 6, n)
    u = rng.normal(0, 0.3, 6)[g]
    eta = np.column_stack([np.zeros(n), TRUTH["muB_Intercept"] + TRUTH["muB_x"] * x + u,
                           TRUTH["muC_Intercept"] + TRUTH["muC_x"] * x])
    p = _softmax(eta)
    y = (rng.uniform(size=n)[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    y = np.minimum(y, 2)
    counts = np.array([rng.multinomial(t, pr) for t, pr in zip(rng.integers(5, 15, n), p)])
    props = np.array([rng.dirichlet(pr * 20) for pr in p])
    props = np.clip(props, 1e-4, None)
    props = props / props.sum(axis=1, keepdims=True)
    return pd.DataFrame({
        "y": np.array(["A", "B", "C"])[y], "x": x, "z": z, "g": g,
        "y1": counts[:, 0], "y2": counts[:, 1], "y3": counts[:, 2], "n": counts.sum(axis=1),
        "p1": props[:, 0], "p2": props[:, 1], "p3": props[:, 2],
    })


CASES = {
    "cat_categorical": ("y ~ x", bp.categorical()),
    "cat_categorical_group_own": (bp.bf("y ~ x + (1 | g)", "muC ~ z"), bp.categorical()),
    "cat_categorical_refcat": ("y ~ x", bp.categorical(refcat="B")),
    "cat_multinomial": ("cbind(y1, y2, y3) | trials(n) ~ x", bp.multinomial()),
    "cat_multinomial_group": (bp.bf("cbind(y1, y2, y3) | trials(n) ~ x + (1 | g)", "muy3 ~ 1"), bp.multinomial()),
    "cat_dirichlet": ("cbind(p1, p2, p3) ~ x", bp.dirichlet()),
    "cat_dirichlet_phi_group": (bp.bf("cbind(p1, p2, p3) ~ x + (1 | g)", "phi ~ z"), bp.dirichlet()),
}


@pytest.fixture(scope="module")
def data():
    return cat_data()


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_and_stanc(name, data, update_golden):
    formula, family = CASES[name]
    code = bp.make_stancode(formula, data, family)
    stanli.stan_to_mir(code)
    assert_golden(name, code, update_golden)


def test_structure_and_names(data):
    code = bp.make_stancode(bp.bf("y ~ x + (1 | g)", "muC ~ z"), data, bp.categorical())
    # all rows at once (tests/codegen/test_vectorised_categorical.py): mu's columns are the categories
    assert "mu[, 1] = rep_vector(0, N);\n    mu[, 2] = muB;\n    mu[, 3] = muC;" in code
    assert "target += sum(rows_dot_product(Yind, mu) - cat_max - log(cat_total));" in code
    code = bp.make_stancode("y ~ x", data, bp.categorical(refcat="B"))
    assert "mu[, 1] = muA;\n    mu[, 2] = rep_vector(0, N);\n    mu[, 3] = muC;" in code
    sd = bp.make_standata("cbind(y1, y2, y3) | trials(n) ~ x", data, bp.multinomial())
    assert sd["ncat"] == 3 and np.asarray(sd["Y"]).shape == (len(data), 3)
    pr = bp.get_prior(bp.bf("y ~ x + (1 | g)", "muC ~ z"), data, bp.categorical())
    pr = pr.to_frame() if hasattr(pr, "to_frame") else pr
    ints = pr[pr["class"] == "Intercept"]
    assert sorted(ints["dpar"]) == ["", "muB", "muC"]  # brms's global row (all categories) first, flat
    assert ints["prior"].tolist() == ["", "student_t(3, 0, 2.5)", "student_t(3, 0, 2.5)"]
    assert set(pr[(pr["class"] == "b") & (pr["dpar"] == "muC")]["coef"]) == {"", "z"}
    pr = bp.get_prior("cbind(p1, p2, p3) ~ x", data, bp.dirichlet())
    pr = pr.to_frame() if hasattr(pr, "to_frame") else pr
    assert pr[pr["class"] == "phi"]["prior"].tolist() == ["gamma(0.01, 0.01)"]
    assert sorted(pr[pr["class"] == "Intercept"]["dpar"]) == ["", "mup2", "mup3"]


def _fit(formula, data, family, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(formula, data, family, seed=2, refresh=0, chains=1, **kw)


@pytest.mark.parametrize("name", sorted(CASES))
def test_loglik_matches_stan(name, data):
    formula, family = CASES[name]
    d = data.head(150)
    fit = _fit(formula, d, family, iter=200)
    assert_loglik_matches_stan(fit)
    ep = bp.posterior_epred(fit)
    assert ep.shape == (100, 150, 3)
    pp = bp.posterior_predict(fit, seed=1)
    if family.name == "categorical":
        np.testing.assert_allclose(ep.sum(axis=-1), 1.0)
        assert set(np.unique(pp)) <= {1, 2, 3}
        assert pp.shape == (100, 150)
    elif family.name == "multinomial":
        np.testing.assert_allclose(ep.sum(axis=-1), np.broadcast_to(d["n"].to_numpy(), (100, 150)))
        assert pp.shape == (100, 150, 3)
        np.testing.assert_array_equal(pp.sum(axis=-1), np.broadcast_to(d["n"].to_numpy(), (100, 150)))
    else:
        np.testing.assert_allclose(ep.sum(axis=-1), 1.0)
        assert pp.shape == (100, 150, 3)
        np.testing.assert_allclose(pp.sum(axis=-1), 1.0)
    assert any(v.startswith("b_mu") and v.endswith("_Intercept") for v in fit.draws().columns)


def test_names_of_draws(data):
    fit = _fit(bp.bf("y ~ x + (1 | g)", "muC ~ z"), data.head(150), bp.categorical(), iter=100)
    df = fit.draws()
    for name in ("b_muB_Intercept", "b_muB_x", "b_muC_Intercept", "b_muC_z", "sd_g__muB_Intercept"):
        assert name in df.columns, (name, list(df.columns))


def test_recovery_categorical(data):
    d = data[["y", "x"]]
    fit = _fit("y ~ x", d, bp.categorical(), iter=600)
    df = fit.draws()
    for name, truth in TRUTH.items():
        x = np.asarray(df[f"b_{name}"])
        assert interval_covers(x, truth), (name, x.mean(), x.std(), truth)


def test_numpy_math_against_scipy():
    from scipy import stats

    spec = bp.families.FAMILIES
    eta = np.array([[[0.0, 0.4, -1.2]]])
    p = _softmax(eta)[0, 0]
    ll = spec["categorical"].math.loglik(np.array([[2]]), {"mu": eta}, None)
    assert ll[0, 0] == pytest.approx(np.log(p[1]))
    y = np.array([[[3, 1, 4]]])
    ll = spec["multinomial"].math.loglik(y, {"mu": eta}, None)
    assert ll[0, 0] == pytest.approx(stats.multinomial(8, p).logpmf([3, 1, 4]))
    yp = np.array([[[0.2, 0.5, 0.3]]])
    ll = spec["dirichlet"].math.loglik(yp, {"mu": eta, "phi": np.array([[7.0]])}, None)
    assert ll[0, 0] == pytest.approx(stats.dirichlet(p * 7).logpdf([0.2, 0.5, 0.3]))
    draws = spec["categorical"].math.rng({"mu": np.broadcast_to(eta, (1, 100_000, 3))}, None,
                                         np.random.default_rng(1))
    freq = np.bincount(draws.ravel(), minlength=4)[1:] / 100_000
    np.testing.assert_allclose(freq, p, atol=0.01)


def test_errors(data):
    two = data.assign(y=np.where(data["y"] == "A", "A", "B"))
    bp.make_stancode("y ~ x", two, bp.categorical())  # two categories are allowed, as in brms
    with pytest.raises(DataError, match="at least 2 response categories"):
        bp.make_stancode("y ~ x", data.assign(y="A"), bp.categorical())
    with pytest.raises(DataError, match="non-negative integer counts"):
        bp.make_stancode("cbind(y1, y2, y3) ~ x", data.assign(y1=data["y1"] + 0.5), bp.multinomial())
    with pytest.raises(DataError, match="sum to 1"):
        bp.make_stancode("cbind(p1, p2, p3) ~ x", data.assign(p1=data["p1"] * 0.5), bp.dirichlet())
    with pytest.raises(DataError, match="trials"):
        bp.make_stancode("cbind(y1, y2, y3) | trials(n) ~ x", data.assign(n=data["n"] + 1), bp.multinomial())
    with pytest.raises(FormulaError, match="cbind"):
        bp.make_stancode("y1 ~ x", data, bp.multinomial())
    with pytest.raises(FormulaError, match="'trials' is required in multinomial models"):  # brms refuses it too
        bp.make_standata("cbind(y1, y2, y3) ~ x", data, bp.multinomial())
    with pytest.raises(FormulaError, match="muD"):
        bp.make_stancode(bp.bf("y ~ x", "muD ~ z"), data, bp.categorical())
    with pytest.raises(DataError, match="refcat"):
        bp.make_stancode("y ~ x", data, bp.categorical(refcat="Z"))
