"""custom_family() and stanvar(): brms's extension mechanism (issue 21).

The brms_customfamilies vignette's beta-binomial family on simulated data: golden program and
stanc, Stan data equal to brms 2.18's make_standata (tests/reference/custom_family, made by
tools/custom_family_reference.R), recovery of the known parameters, and the user's numpy
log-likelihood equal to Stan's density.  Stanvars in each block, bad names, syntax errors.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import stanli
from scipy import stats

import brmspy as bp
from brmspy.core.errors import FamilyError
from brmspy.families import Extras
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers, assert_same_log_density

REF = Path(__file__).parents[1] / "reference" / "custom_family"

FUNS = """
  real beta_binomial2_lpmf(int y, real mu, real phi, int T) {
    return beta_binomial_lpmf(y | T, mu * phi, (1 - mu) * phi);
  }
"""
FORMULA = "y | vint(tr) ~ x"


def _loglik(y, mu, phi, vint1):
    return stats.betabinom.logpmf(y, vint1, mu * phi, (1 - mu) * phi)


def _predict(rng, mu, phi, vint1):
    a, b = mu * phi, (1 - mu) * phi
    return rng.binomial(np.broadcast_to(vint1, np.shape(a)), rng.beta(a, b))


def _epred(mu, phi, vint1):
    return mu * vint1


def _family(**post):
    return bp.custom_family("beta_binomial2", dpars=("mu", "phi"), links=("logit", "log"), lb=(0, 0),
                            ub=(1, None), type="int", vars=("vint1[n]",), **post)


def _data() -> pd.DataFrame:
    return pd.read_csv(REF / "beta_binomial2_data.csv")


def _stanvars():
    return (bp.stanvar(scode=FUNS, block="functions") + bp.stanvar(x=3.5, name="myk")
            + bp.stanvar(x=np.array([1.5, 2.0, 3.0]), name="myv"))


def test_vignette_program_golden_and_stanc(update_golden):
    code = bp.make_stancode(FORMULA, _data(), family=_family(), stanvars=_stanvars())
    assert_golden("custom_beta_binomial2", code, update_golden)
    assert "target += beta_binomial2_lpmf(Y[n] | mu[n], phi, vint1[n]);" in code
    assert "  real myk;\n  vector[3] myv;\n}" in code  # brms: stanvar data after prior_only


def test_threaded_likelihood_is_the_same_density():
    # threads=2: the custom density inside reduce_sum, vint1 passed along (brms's pll_args not needed)
    d, fam, sv = _data(), _family(), _stanvars()
    codes = [bp.make_stancode(FORMULA, d, family=fam, stanvars=sv, threads=n) for n in (1, 2)]
    assert "reduce_sum" in codes[1] and "reduce_sum" not in codes[0]
    models = [stanli.Model(stan_code=code, data=bp.make_standata(FORMULA, d, family=fam, stanvars=sv, threads=n))
              for code, n in zip(codes, (1, 2))]
    assert_same_log_density(models[0], models[1:], label="threads", rtol=1e-11)


def test_standata_equals_brms_218():
    ref = json.loads((REF / "beta_binomial2_standata.json").read_text())
    sd = bp.make_standata(FORMULA, _data(), family=_family(), stanvars=_stanvars())
    assert set(ref) <= set(sd)
    for name, value in ref.items():
        np.testing.assert_allclose(np.asarray(sd[name], dtype=float), np.asarray(value, dtype=float),
                                   rtol=1e-12, err_msg=name)
    assert sd["vint1"].dtype == np.int64


@pytest.mark.parametrize("formula, ref", [
    (FORMULA, "beta_binomial2_get_prior_phi.csv"),
    (("y | vint(tr) ~ x", "phi ~ x"), "beta_binomial2_get_prior.csv"),
])
def test_default_priors_equal_brms_218(formula, ref):
    want = pd.read_csv(REF / ref, keep_default_na=False, dtype=str)
    f = bp.bf(*formula) if isinstance(formula, tuple) else formula
    got = bp.get_prior(f, _data(), family=_family())
    cols = ["prior", "class", "coef", "dpar", "lb"]
    assert got[cols].astype(str).values.tolist() == want[cols].values.tolist()


@pytest.fixture(scope="module")
def fit():
    return bp.brm(FORMULA, _data(), family=_family(log_lik=_loglik, posterior_predict=_predict,
                                                    posterior_epred=_epred),
                  stanvars=bp.stanvar(scode=FUNS, block="functions"), seed=3, refresh=0, iter=600, chains=2)


def test_recovers_known_parameters(fit):
    draws = fit.draws_dict
    assert_recovers({"b_Intercept": draws["b_Intercept"], "b_x": draws["b_x"], "log_phi": np.log(draws["phi"])},
                    {"b_Intercept": 0.3, "b_x": 0.8, "log_phi": np.log(8.0)})


def test_user_loglik_equals_stan_density(fit):
    assert_loglik_matches_stan(fit)


def test_user_predict_and_epred(fit):
    n = len(_data())
    pp = bp.posterior_predict(fit, ndraws=20, seed=1)
    ep = bp.posterior_epred(fit, ndraws=20)
    assert pp.shape == ep.shape == (20, n)
    tr = _data()["tr"].to_numpy()
    assert (pp >= 0).all() and (pp <= tr).all() and (ep <= tr).all()
    # new data without the response: vint() comes from its columns, as brms
    nd = _data().iloc[:5].drop(columns="y")
    np.testing.assert_allclose(bp.posterior_epred(fit, newdata=nd), bp.posterior_epred(fit)[:, :5])
    with pytest.raises(bp.DataError, match=r"'tr' used in vint\(\)"):
        bp.posterior_epred(fit, newdata=nd.drop(columns="tr"), ndraws=20)


@pytest.mark.filterwarnings("ignore::brmspy.SamplerWarning")
def test_update_keeps_stanvars(fit):
    fit2 = bp.update(fit, newdata=_data().iloc[:120], iter=200, chains=1)
    assert fit2.stancode() == fit.stancode() and fit2.standata()["N"] == 120
    assert bp.log_lik(fit2).shape == (100, 120)


def test_missing_postprocessing_function_names_the_argument():
    # without the Python functions, post-processing says which argument is missing
    fam = _family()
    with pytest.raises(FamilyError, match=r"custom_family\(\.\.\., log_lik=fn\)"):
        fam.spec.math.loglik(np.zeros(3), {"mu": np.full(3, 0.5), "phi": np.ones(3)}, Extras())
    with pytest.raises(FamilyError, match="posterior_predict=fn"):
        fam.spec.math.rng({"mu": np.full(3, 0.5), "phi": np.ones(3)}, Extras(), np.random.default_rng(1))
    with pytest.raises(FamilyError, match="posterior_epred=fn"):
        fam.spec.math.epred({"mu": np.full(3, 0.5), "phi": np.ones(3)}, Extras())


# ------------------------------------------------------------------ stanvars in each block


def _gauss():
    return bp.custom_family("myf", dpars=("mu", "sigma"), links=("identity", "log"), lb=(None, 0), loop=False)


GAUSS_FUN = "real myf_lpdf(vector y, vector mu, real sigma) { return normal_lpdf(y | mu, sigma); }"


def test_stanvars_in_each_block(update_golden):
    d = _data()
    sv = (bp.stanvar(scode=GAUSS_FUN, block="functions")
          + bp.stanvar(x=2, name="kint")
          + bp.stanvar(scode="real td_start = 1;", block="tdata")
          + bp.stanvar(scode="real td_end = 2;", block="tdata", position="end")
          + bp.stanvar(scode="real qq;", block="parameters")
          + bp.stanvar(scode="real q2 = qq;", block="tparameters")
          + bp.stanvar(scode="real q2e = q2 * kint;", block="tparameters", position="end")
          + bp.stanvar(scode="target += normal_lpdf(qq | 0, 1);", block="model")
          + bp.stanvar(scode="target += 0;", block="model", position="end")
          + bp.stanvar(scode="target += 0 * qq;", block="likelihood", position="end")
          + bp.stanvar(scode="real q3 = qq;", block="genquant")
          + bp.stanvar(scode="real q3e = qq;", block="genquant", position="end")
          + bp.stanvar(scode="real ls = 1;", block="likelihood"))
    code = bp.make_stancode("x ~ 1 + (1 | tr)", d, family=_gauss(), stanvars=sv)
    assert_golden("custom_stanvars_blocks", code, update_golden)
    # placement as brms 2.18's make_stancode for the same stanvars
    def block(name):
        start = code.index(f"\n{name} {{")
        return code[start:code.index("\n}\n", start)]
    assert block("data").rstrip().endswith("int prior_only;  // should the likelihood be ignored?\n  int kint;")
    assert block("transformed data").split("\n")[2].strip() == "real td_start = 1;"
    assert block("transformed data").rstrip().endswith("real td_end = 2;")
    assert block("parameters").rstrip().endswith("real qq;")
    # tparameters start: after the block's declarations, before its computations (as brms)
    assert "vector[N_1] r_1_1;  // actual group-level effects\n  real q2 = qq;\n  // compute actual" in code
    assert block("transformed parameters").rstrip().endswith("real q2e = q2 * kint;")
    assert "model {\n  target += normal_lpdf(qq | 0, 1);\n  // likelihood including constants" in code
    assert "target += 0 * qq;\n  }\n  // priors including constants" in code
    assert block("model").rstrip().endswith("target += 0;")
    assert block("generated quantities").rstrip().endswith("real q3 = qq;\n  real q3e = qq;")
    assert "vector[N] mu = rep_vector(0.0, N);\n    real ls = 1;\n    mu += Intercept;" in code
    assert "target += myf_lpdf(Y | mu, sigma);" in code  # loop=False: one vectorised call
    assert bp.make_standata("x ~ 1 + (1 | tr)", d, family=_gauss(), stanvars=sv)["kint"] == 2


def test_vreal_and_stanvar_vars_unlooped():
    # loop=False: one call with vectors; vars name vreal() data and a stanvar data value
    fam = bp.custom_family("myt", dpars=("mu", "sigma"), links=("identity", "log"), lb=(None, 0), loop=False,
                           vars=("vreal1", "nu0"))
    fun = ("real myt_lpdf(vector y, vector mu, real sigma, array[] real w, real nu0) {\n"
           "  return student_t_lpdf(y | nu0, mu, sigma) + 0 * sum(w);\n}")
    sv = bp.stanvar(scode=fun, block="functions") + bp.stanvar(4.0, name="nu0")
    code = bp.make_stancode("x | vreal(tr) ~ 1", _data(), family=fam, stanvars=sv)
    assert "  // data for custom real vectors\n  array[N] real vreal1;" in code
    assert "target += myt_lpdf(Y | mu, sigma, vreal1, nu0);" in code
    sd = bp.make_standata("x | vreal(tr) ~ 1", _data(), family=fam, stanvars=sv)
    assert sd["vreal1"].dtype == float and sd["nu0"] == 4.0


def test_mixture_of_custom_families():
    code = bp.make_stancode(FORMULA, _data(), family=bp.mixture(_family(), _family()), stanvars=_stanvars())
    assert "log(theta2) + beta_binomial2_lpmf(Y[n] | mu2[n], phi2, vint1[n])" in code


def test_stanvar_data_declarations():
    sv = (bp.stanvar(np.arange(3), name="ai") + bp.stanvar(np.ones((2, 3)), name="m")
          + bp.stanvar(np.ones((2, 2), dtype=int), name="ai2"))
    assert [s.scode for s in sv] == ["array[3] int ai;", "matrix[2, 3] m;", "array[2, 2] int ai2;"]


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize("kwargs, match", [
    ({"name": "bad name"}, "custom family name 'bad name' is not a valid name"),
    ({"name": "f; }"}, "is not a valid name"),
    ({"name": "f__x"}, "is not a valid name"),
    ({"name": "poisson"}, "'poisson' is a built-in family"),
    ({"name": "f", "dpars": ("mu", "kappa2"), "links": ("identity", "log")}, "'dpars' should not end with a number"),
    ({"name": "f", "dpars": ("mu", "my_par"), "links": ("identity", "log")}, "underscores are not allowed in 'dpars'"),
    ({"name": "f", "dpars": ("mu", "tau"), "links": ("identity", "log"), "lb": (None, 2), "ub": (None, 1)},
     r"lb \(2\) of 'tau' must be below its ub \(1\)"),
    ({"name": "f", "dpars": ("mu", "tau"), "links": ("identity", "log"), "lb": (None, "0")}, "lb of 'tau' must be a finite"),
    ({"name": "f", "dpars": ("mu", "s-d"), "links": ("identity", "log")}, "dpar 's-d' is not a valid name"),
    ({"name": "f", "dpars": ("sigma",)}, "first dpar must be 'mu'"),
    ({"name": "f", "dpars": ("mu", "sigma"), "links": ("identity",)}, "one link per dpar"),
    ({"name": "f", "links": ("nolink",)}, "link 'nolink'"),
    ({"name": "f", "type": "complex"}, "type must be 'real' or 'int'"),
    ({"name": "f", "vars": ("v[n]; print(1)",)}, "vars entry"),
    ({"name": "f", "log_lik": "lambda y: y"}, "log_lik must be a Python function"),
])
def test_custom_family_refuses_bad_input(kwargs, match):
    with pytest.raises(FamilyError, match=match):
        bp.custom_family(**kwargs)


@pytest.mark.parametrize("kwargs, match", [
    ({"x": 1.0, "name": "a b"}, "stanvar name 'a b' is not a valid name"),
    ({"x": 1.0}, "needs a name"),
    ({"x": 1.0, "name": "k", "block": "model"}, "block 'data' only"),
    ({"scode": "real q;", "block": "params"}, "block must be one of"),
    ({"scode": "real q;", "block": "data", "position": "middle"}, "position must be"),
    ({}, "needs scode"),
    ({"x": "text", "name": "k"}, "x must be numbers"),
])
def test_stanvar_refuses_bad_input(kwargs, match):
    with pytest.raises(FamilyError, match=match):
        bp.stanvar(**kwargs)


def test_duplicate_stanvar_names_refused():
    with pytest.raises(FamilyError, match="Duplicated stanvar names: k"):
        bp.stanvar(1.0, name="k") + bp.stanvar(2.0, name="k")


def test_stanvar_name_clashing_with_model_data_refused():
    with pytest.raises(FamilyError, match="already Stan data of the model"):
        bp.make_stancode(FORMULA, _data(), family=_family(), stanvars=_stanvars() + bp.stanvar(1.0, name="N"))


def test_stanvar_syntax_error_names_block():
    bad = bp.stanvar(scode=FUNS, block="functions") + bp.stanvar(scode="real q2 = ;", block="tparameters")
    with pytest.raises(FamilyError, match=r"in the stanvar of block 'tparameters'") as exc:
        bp.make_stancode(FORMULA, _data(), family=_family(), stanvars=bad)
    assert "real q2 = ;" in str(exc.value)


def test_missing_density_function_is_a_clear_error():
    with pytest.raises(FamilyError, match=r"needs the Stan function beta_binomial2_lpmf.*block='functions'"):
        bp.make_stancode(FORMULA, _data(), family=_family())


def test_vint_must_be_integers():
    d = _data().assign(tr=_data()["tr"] + 0.5)
    with pytest.raises(bp.DataError, match=r"vint\(tr\).*must be integers"):
        bp.make_standata(FORMULA, d, family=_family(), stanvars=_stanvars())
