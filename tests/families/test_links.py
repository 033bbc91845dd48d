"""brms's links squareplus and softit, the probability links of gaussian/student/skew_normal, and
brms's per-dpar link lists (``links_dpars``).

- the numpy link and inverse equal brms 2.18's ``link()``/``inv_link()`` (values from R);
- golden Stan code accepted by stanc, numpy log-likelihood equal to Stan's density at posterior
  draws (which checks the Stan helpers ``squareplus``/``inv_softit`` against numpy);
- recovery of known coefficients through the softit and squareplus links;
- brmsfamily() refuses the links brms refuses, naming the parameter and the valid links.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.families import FAMILIES, LINKS, brmsfamily
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

X = np.array([-3, -0.5, 0, 0.7, 4])


def test_inverse_links_equal_brms():
    # brms:::inv_softit(x), brms:::inv_link(x, "squareplus") and their links (R, brms 2.18)
    np.testing.assert_allclose(LINKS["softit"].inv(X), [0.046336007678159707, 0.321609379474703694,
                                                        0.409383890850358700, 0.524530889442743176,
                                                        0.800723371289360442], rtol=1e-14)
    np.testing.assert_allclose(LINKS["softit"].fun(np.array([0.1, 0.5, 0.9])),
                               [-2.14115467140026361, 0.54132485461291802, 8.99987658258029910], rtol=1e-12)
    np.testing.assert_allclose(LINKS["squareplus"].inv(X), [0.30277563773199456, 0.78077640640441515, 1.0,
                                                            1.40948100502085438, 4.23606797749978981], rtol=1e-14)
    np.testing.assert_allclose(LINKS["squareplus"].fun(np.array([0.5, 2, 7])), [-1.5, 1.5, 6.8571428571428568])
    for name in ("softit", "squareplus"):
        np.testing.assert_allclose(LINKS[name].fun(LINKS[name].inv(X)), X, atol=1e-9)


def _data(n: int = 120, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    return pd.DataFrame({
        "x": x, "y01": rng.uniform(0.05, 0.95, n), "yb": rng.integers(0, 2, n),
        "yo": rng.integers(1, 5, n), "yc": rng.poisson(3, n), "ypos": rng.gamma(3, 1, n),
        "n": rng.integers(5, 15, n),
    })


CASES = {
    "gaussian_logit": ("y01 ~ x", brmsfamily("gaussian", "logit")),
    "gaussian_squareplus_sigma": (bp.bf("ypos ~ x", "sigma ~ x"),
                                  brmsfamily("gaussian", "squareplus", link_sigma="squareplus")),
    "student_cauchit": ("y01 ~ x", brmsfamily("student", "cauchit")),
    "bernoulli_softit": ("yb ~ x", brmsfamily("bernoulli", "softit")),
    "cumulative_softit": ("yo ~ x", brmsfamily("cumulative", "softit")),
    "acat_softit_disc": (bp.bf("yo ~ x", "disc ~ x"), brmsfamily("acat", "softit", link_disc="squareplus")),
    "poisson_squareplus": ("yc ~ x", brmsfamily("poisson", "squareplus")),
    "negbinomial_shape_squareplus": (bp.bf("yc ~ x", "shape ~ x"), brmsfamily("negbinomial", link_shape="squareplus")),
    "beta_binomial_softit": ("yc | trials(n) ~ x", brmsfamily("beta_binomial", "softit")),
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_code_and_stanc(name: str, update_golden: bool) -> None:
    formula, family = CASES[name]
    data = _data()
    data["yc"] = np.minimum(data["yc"], data["n"])
    code = bp.make_stancode(formula, data, family)
    assert_golden(f"link_{name}", code, update_golden)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["gaussian_squareplus_sigma", "bernoulli_softit", "cumulative_softit",
                                  "acat_softit_disc", "gaussian_logit", "beta_binomial_softit"])
def test_numpy_loglik_equals_stan(name: str) -> None:
    formula, family = CASES[name]
    data = _data()
    data["yc"] = np.minimum(data["yc"], data["n"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm(formula, data, family, seed=3, refresh=0, iter=200, chains=1)
    assert_loglik_matches_stan(fit, draws=(0, 50, -1))
    pp = bp.posterior_predict(fit, ndraws=10, seed=1)
    assert np.isfinite(pp).all()


@pytest.mark.slow
def test_recovery_softit_and_squareplus() -> None:
    rng = np.random.default_rng(7)
    n = 600
    x = rng.normal(size=n)
    yb = rng.binomial(1, LINKS["softit"].inv(0.3 + 1.0 * x))
    yc = rng.poisson(LINKS["squareplus"].inv(2.0 + 1.5 * x))
    d = pd.DataFrame({"x": x, "yb": yb, "yc": yc})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f1 = bp.brm("yb ~ x", d, brmsfamily("bernoulli", "softit"), seed=2, refresh=0, iter=600, chains=2)
        f2 = bp.brm("yc ~ x", d, brmsfamily("poisson", "squareplus"), seed=2, refresh=0, iter=600, chains=2)
    assert_recovers(f1.draws_dict, {"b_Intercept": 0.3, "b_x": 1.0})
    assert_recovers(f2.draws_dict, {"b_Intercept": 2.0, "b_x": 1.5})


def test_links_are_brms_lists() -> None:
    # brms 2.18's .family_<name>()$links (first is the default)
    assert FAMILIES["gaussian"].links == ("identity", "log", "inverse", "softplus", "squareplus", "logit", "probit",
                                          "probit_approx", "cloglog", "cauchit", "softit")
    assert FAMILIES["poisson"].links == ("log", "identity", "sqrt", "softplus", "squareplus")
    assert "softit" in FAMILIES["cumulative"].links and "softit" in FAMILIES["acat"].links
    assert "softit" not in FAMILIES["sratio"].links and "softit" not in FAMILIES["cratio"].links


@pytest.mark.parametrize("family, kw, message", [
    ("gaussian", {"link_sigma": "inverse"}, "'inverse' is not a supported link for parameter 'sigma'.*log, identity, "
                                            "softplus, squareplus"),
    ("student", {"link_nu": "log"}, "'log' is not a supported link for parameter 'nu'.*logm1, identity"),
    ("zero_inflated_poisson", {"link_zi": "probit"}, "'probit' is not a supported link for parameter 'zi'"),
    ("sratio", {"link": "softit"}, "Link 'softit' is not available for family 'sratio'"),
])
def test_links_brms_refuses(family, kw, message) -> None:
    with pytest.raises(bp.FamilyError, match=message):
        brmsfamily(family, **kw)
