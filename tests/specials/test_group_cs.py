"""Category-specific group-level effects in sratio/cratio/acat models: ``(cs(1) | g)``, ``(1 + cs(x) | g)``.

As brms 2.18 (``split_re_terms``, ``stan_cs``): the term's effects (with an intercept) are repeated
once per threshold (``sd_g__Intercept[1]``, ``r_g[level,x[2]]``, ``Z_1_1`` ... coefficient-major) and
shift the thresholds through ``mucs``; a term mixing ``cs()`` and other effects is refused. brms 2.18
writes the group-level part of ``mucs`` twice into its program (its effects count double); brmspy
adds it once (README, "Differences from brms"). Golden code accepted by stanc, numpy log-likelihood
equal to Stan's, recovery of simulated truth and predictions.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.core.errors import FormulaError
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

THRES, B, SD = np.array([-0.6, 0.0, 0.6]), 0.8, np.array([0.9, 0.2, 0.7])


def cratio_data(n: int = 450, levels: int = 30, seed: int = 8) -> pd.DataFrame:
    """cratio: the response passes threshold k with probability inv_logit(mu - (thres[k] - r_g[k]))."""
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(levels), n // levels)
    r = rng.normal(0, SD, (levels, 3))
    x = rng.normal(size=n)
    mu = B * x
    y = np.ones(n, dtype=int)
    going = np.ones(n, dtype=bool)
    for k in range(3):
        q = 1 / (1 + np.exp(-(mu - (THRES[k] - r[g, k]))))
        passed = going & (rng.uniform(size=n) < q)
        y[passed] += 1
        going = passed
    return pd.DataFrame({"y": y, "x": x, "z": rng.normal(size=n), "g": [f"G{i:02d}" for i in g]})


GOLDEN = {
    "cs_group_cratio": ("y ~ x + (cs(1) | g)", "cratio"),
    "cs_group_acat_slope": ("y ~ x + cs(z) + (1 + cs(z) | g)", "acat"),
    "cs_group_sratio_uncor": ("y ~ x + (cs(z) || g)", "sratio"),
}


@pytest.mark.parametrize("name", list(GOLDEN))
def test_golden_and_stanc(name: str, update_golden: bool) -> None:
    formula, family = GOLDEN[name]
    code = bp.make_stancode(formula, cratio_data(), family)
    assert_golden(name, code, update_golden)


def test_structure_follows_brms() -> None:
    code = \
        bp.make_stancode(GOLDEN["cs_group_acat_slope"][0], cratio_data(), GOLDEN["cs_group_acat_slope"][1])
    assert "mucs[, 2] += r_1_2[J_1] .* Z_1_2 + r_1_5[J_1] .* Z_1_5;" in code
    sd = bp.make_standata(GOLDEN["cs_group_acat_slope"][0], cratio_data(), GOLDEN["cs_group_acat_slope"][1])
    assert sd["M_1"] == 6 and np.all(sd["Z_1_1"] == 1) and np.array_equal(sd["Z_1_4"], cratio_data()["z"].to_numpy())
    p = bp.get_prior("y ~ x + (cs(1) | g)", cratio_data(), "cratio")
    assert list(p[(p["class"] == "sd") & (p["group"] == "g")]["coef"]) == ["", "Intercept[1]", "Intercept[2]", "Intercept[3]"]


def test_refusals() -> None:
    with pytest.raises(FormulaError, match="separate group-level terms"):
        bp.make_stancode("y ~ x + (1 + x + cs(z) | g)", cratio_data(), "acat")
    with pytest.raises(FormulaError, match="sratio"):
        bp.make_stancode("y ~ x + (cs(1) | g)", cratio_data().assign(y=lambda d: d["y"] * 1.5), "gaussian")


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm("y ~ x + (cs(1) || g)", cratio_data(), "cratio", chains=2, iter=600, seed=5, refresh=0)


def test_names_and_recovery(fit) -> None:
    d = fit.draws_dict
    for n in ("sd_g__Intercept[1]", "sd_g__Intercept[3]", "r_g[G00,Intercept[2]]"):
        assert n in d, n
    assert_recovers(d, {"b_x": B, "b_Intercept[1]": THRES[0], "b_Intercept[3]": THRES[2],
                        "sd_g__Intercept[1]": SD[0], "sd_g__Intercept[3]": SD[2]})


def test_loglik_matches_stan(fit) -> None:
    assert_loglik_matches_stan(fit)


def test_predictions_use_the_group_thresholds(fit) -> None:
    d = {k: np.asarray(v).ravel() for k, v in fit.draws_dict.items()}
    new = pd.DataFrame({"x": [0.0], "g": ["G02"]})
    ep = bp.posterior_epred(fit, newdata=new)  # (draws, 1, 4) category probabilities
    q = [1 / (1 + np.exp(d[f"b_Intercept[{k}]"] - d[f"r_g[G02,Intercept[{k}]]"])) for k in (1, 2, 3)]
    np.testing.assert_allclose(ep[:, 0, 0], 1 - q[0])
    np.testing.assert_allclose(ep[:, 0, 3], q[0] * q[1] * q[2])
    np.testing.assert_allclose(bp.posterior_epred(fit, newdata=new, re_formula="~ (cs(1) || g)"), ep)
    fixed = bp.posterior_epred(fit, newdata=new, re_formula="~ 0")
    np.testing.assert_allclose(fixed[:, 0, 0], 1 / (1 + np.exp(-d["b_Intercept[1]"])))
    pp = bp.posterior_predict(fit, ndraws=20, seed=1)
    assert pp.shape == (20, 450) and set(np.unique(pp)) <= {1, 2, 3, 4}


@pytest.mark.parametrize("cse, cs", [
    ("y ~ x + cse(x) + (cse(1) | g)", "y ~ x + cs(x) + (cs(1) | g)"),
    ("y ~ x + (cse(x) || g)", "y ~ x + (cs(x) || g)"),
])
def test_cse_is_brms_alias_of_cs(cse, cs):
    # issue 21: brms 2.18 builds the same data and program for cse() as for cs()
    data = cratio_data(n=90, levels=6)
    a, b = bp.make_standata(cse, data, family="acat"), bp.make_standata(cs, data, family="acat")
    assert a.keys() == b.keys() and all(np.array_equal(np.asarray(a[k]), np.asarray(b[k])) for k in a)
    strip = lambda code: [ln.split("//")[0] for ln in code.splitlines()]  # noqa: E731 (comments quote the term)
    assert strip(bp.make_stancode(cse, data, family="acat")) == strip(bp.make_stancode(cs, data, family="acat"))
