"""``custom_family(..., specials = "ordinal")``: a user's ordinal density, as brms 2.18 (issue 21).

brms 2.18 gives a custom family with the special "ordinal" brms's ordinal machinery: the response as categories
1..K (``nthres`` data), thresholds ``Intercept`` in place of mu's intercept (``ordered`` with "ordered_thres";
priors of class Intercept per threshold), a ``disc`` dpar fixed at 1 unless predicted, and the density called as
``name_lpmf(Y[n] | mu[n], <other dpars>, Intercept, <vars>)``. brmspy passes the thresholds to the Python
post-processing functions as ``thres`` (draws, rows or 1, nthres). Golden code and stanc, prior table, the numpy
log-likelihood against Stan's density and recovery of a cumulative-logit model written as a custom family.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

REF = Path(__file__).parents[1] / "reference" / "custom_family"  # made by tools/custom_family_reference.R
THRES = np.array([-1.0, 0.2, 1.4])
B = 1.2

SCODE = """
real cumlogit2_lpmf(int y, real mu, real disc, vector thres) {
  return ordered_logistic_lpmf(y | disc * mu, disc * thres);
}
"""


def _probs(mu, disc, thres):
    cdf = 1 / (1 + np.exp(-(np.asarray(disc)[..., None] * (thres - np.asarray(mu)[..., None]))))
    upper = np.concatenate([cdf, np.ones(cdf.shape[:-1] + (1,))], axis=-1)
    lower = np.concatenate([np.zeros(cdf.shape[:-1] + (1,)), cdf], axis=-1)
    return upper - lower


def _log_lik(y, mu, disc, thres):
    p = _probs(mu, np.broadcast_to(disc, np.shape(mu)), np.broadcast_to(thres, np.shape(mu) + thres.shape[-1:]))
    return np.log(np.take_along_axis(p, (np.broadcast_to(y, np.shape(mu)) - 1)[..., None].astype(int), axis=-1)[..., 0])


FAMILY = bp.custom_family("cumlogit2", dpars=("mu", "disc"), links=("identity", "log"), lb=(None, 0), type="int",
                          specials=("ordinal", "ordered_thres"), log_lik=_log_lik,
                          posterior_epred=lambda mu, disc, thres: _probs(mu, disc, thres))
STANVARS = bp.stanvar(scode=SCODE, block="functions")


def ordinal_data(n: int = 400, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = 1 + ((B * x + rng.logistic(size=n))[:, None] > THRES).sum(axis=1)
    return pd.DataFrame({"y": y, "x": x, "g": np.tile(["a", "b", "c", "d"], n // 4), "tr": 5})


def test_code_data_and_priors(update_golden: bool) -> None:
    d = ordinal_data(60)
    code = bp.make_stancode("y ~ x + (1 | g)", d, family=FAMILY, stanvars=STANVARS)
    assert_golden("custom_family_ordinal", code, update_golden)
    assert "ordered[nthres] Intercept;" in code and "target += cumlogit2_lpmf(Y[n] | mu[n], disc, Intercept);" in code
    sd = bp.make_standata("y ~ x", d, family=FAMILY, stanvars=STANVARS)
    assert sd["nthres"] == 3 and sd["disc"] == 1
    p = bp.get_prior("y ~ x", d, family=FAMILY)
    ip = p[p["class"] == "Intercept"]
    assert list(ip["coef"]) == ["", "1", "2", "3"] and ip["prior"].iloc[0] == "student_t(3, 0, 2.5)"  # brms 2.18
    # another dpar and vars: the thresholds come after the dpars, before the vars (brms's argument order)
    fam2 = bp.custom_family("ord2", dpars=("mu", "phi"), links=("identity", "log"), lb=(None, 0), type="int",
                            specials="ordinal", vars=("vint1[n]",))
    sv2 = bp.stanvar(scode="real ord2_lpmf(int y, real mu, real phi, vector thres, int t) {\n"
                           "  return ordered_logistic_lpmf(y | mu * phi, thres);\n}", block="functions")
    code2 = bp.make_stancode(bp.bf("y | vint(tr) ~ x", "phi ~ x"), d, family=fam2, stanvars=sv2)
    assert "target += ord2_lpmf(Y[n] | mu[n], phi[n], Intercept, vint1[n]);" in code2
    assert "vector[nthres] Intercept;" in code2  # not ordered without "ordered_thres"
    with pytest.raises(bp.FormulaError, match="brms 2.18 passes the thresholds of one group only"):
        bp.make_stancode("y | thres(gr = g) ~ x", d, family=FAMILY, stanvars=STANVARS)
    with pytest.raises(bp.FormulaError, match="category-specific effects"):
        bp.make_stancode("y ~ x + cs(tr)", d, family=FAMILY, stanvars=STANVARS)


ORD2 = bp.custom_family("ord2", dpars=("mu", "phi"), links=("identity", "log"), lb=(None, 0), type="int",
                        specials="ordinal", vars=("vint1[n]",))


@pytest.mark.parametrize("formula, family, ref", [
    ("y ~ x", FAMILY, "cumlogit2_get_prior.csv"),
    (("y | vint(tr) ~ x", "phi ~ x"), ORD2, "ord2_get_prior.csv"),
])
def test_default_priors_equal_brms_218(formula, family, ref) -> None:
    want = pd.read_csv(REF / ref, keep_default_na=False, dtype=str)
    d = pd.read_csv(REF / "cumlogit2_data.csv")
    got = bp.get_prior(bp.bf(*formula) if isinstance(formula, tuple) else formula, d, family=family)
    cols = ["prior", "class", "coef", "group", "dpar", "lb", "ub"]
    assert got[cols].astype(str).values.tolist() == want[cols].values.tolist()


def test_logscale_special_priors_equal_brms_218() -> None:
    """specials = "logscale": brms's default priors from log(y) (has_logscale), as for lognormal."""
    fam = bp.custom_family("lognormal2", dpars=("mu", "sigma"), links=("identity", "log"), lb=(None, 0),
                           specials="logscale")
    want = pd.read_csv(REF / "lognormal2_get_prior.csv", keep_default_na=False, dtype=str)
    got = bp.get_prior("y ~ x", pd.read_csv(REF / "lognormal2_data.csv"), family=fam)
    cols = ["prior", "class", "coef", "group", "dpar", "lb", "ub"]
    assert got[cols].astype(str).values.tolist() == want[cols].replace("NA", "").values.tolist()
    assert fam.specials == ("logscale",)


def test_standata_equals_brms_218() -> None:
    ref = json.loads((REF / "cumlogit2_standata.json").read_text())
    sd = bp.make_standata("y ~ x", pd.read_csv(REF / "cumlogit2_data.csv"), family=FAMILY, stanvars=STANVARS)
    # brms's X of an ordinal model has no intercept column (its thresholds are the intercepts)
    np.testing.assert_allclose(sd["X"][:, 1:], np.asarray(ref.pop("X")).reshape(-1, 1))
    assert sd["K"] - 1 == ref.pop("K")
    for name, value in ref.items():
        np.testing.assert_allclose(np.asarray(sd[name], dtype=float), np.asarray(value, dtype=float), err_msg=name)


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm("y ~ x", ordinal_data(), family=FAMILY, stanvars=STANVARS, chains=2, iter=500, seed=2, refresh=0)


def test_recovery_and_loglik(fit) -> None:
    truth = {"b_x": B, **{f"b_Intercept[{k + 1}]": v for k, v in enumerate(THRES)}}
    assert fit.draws_dict["b_x"].std() < 0.3
    assert_recovers(fit.draws_dict, truth)
    assert_loglik_matches_stan(fit)
    ep = bp.posterior_epred(fit, ndraws=20)
    assert ep.shape == (20, 400, 4)
    np.testing.assert_allclose(ep.sum(axis=-1), 1.0)
