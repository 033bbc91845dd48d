"""custom_family() beyond brms's dpar table, and fits with custom families saved and loaded (issue 21).

A zero-inflated Poisson written by the user, ``zip2``, whose zero probability ``pzero`` is a dpar
name brms's table does not have, bounded to (0, 1) on the identity link: golden program + stanc,
the Stan declaration, default priors and Stan data equal to brms 2.18 (tests/reference/custom_family,
made by tools/custom_family_reference.R), recovery of the simulated truth and the user's numpy
log-likelihood equal to Stan's density.  brms's own test family (``tau``, ``vint`` + ``vreal``).
Saving with ``file=``/``save_fit`` and loading back: the family's spec and a fingerprint of the
stanvars are stored, the user passes the same objects again.
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
from brmspy.core.errors import FamilyError, FitFileError
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers, assert_same_log_density

REF = Path(__file__).parents[1] / "reference" / "custom_family"

ZIP2 = """
  real zip2_lpmf(int y, real mu, real pzero) {
    if (y == 0) return log_sum_exp(log(pzero), log1m(pzero) + poisson_lpmf(0 | mu));
    return log1m(pzero) + poisson_lpmf(y | mu);
  }
"""


def _loglik(y, mu, pzero):
    y = np.broadcast_to(y, np.shape(mu))
    return np.where(y == 0, np.logaddexp(np.log(pzero), np.log1p(-pzero) - mu),
                    np.log1p(-pzero) + stats.poisson.logpmf(y, mu))


def _predict(rng, mu, pzero):
    return np.where(rng.random(np.shape(mu)) < pzero, 0, rng.poisson(mu))


def _epred(mu, pzero):
    return (1 - pzero) * mu


def _zip2(**kw):
    return bp.custom_family("zip2", dpars=("mu", "pzero"), links=("log", "identity"), lb=(None, 0), ub=(None, 1),
                            type="int", **kw)


def _data() -> pd.DataFrame:
    return pd.read_csv(REF / "zip2_data.csv")


def _sv():
    return bp.stanvar(scode=ZIP2, block="functions")


def test_custom_dpar_program_golden_and_stanc(update_golden):
    code = bp.make_stancode("y ~ x", _data(), family=_zip2(), stanvars=_sv())
    assert_golden("custom_dpar_zip2", code, update_golden)
    # brms 2.18's lines for the dpar: its bounds, no comment, no prior (flat), the density's argument
    want = [line.strip() for line in (REF / "zip2_stancode_lines.txt").read_text().splitlines()]
    got = [line.strip() for line in code.splitlines() if "pzero" in line]
    assert got == want
    # predicted on the identity link, bounds do not apply (brms: the user's density must cope)
    code = bp.make_stancode(bp.bf("y ~ x", "pzero ~ x + (1 | g)"), _data(), family=_zip2(), stanvars=_sv())
    stanli.stan_to_mir(code)
    assert "target += zip2_lpmf(Y[n] | mu[n], pzero[n]);" in code and "real<lower=0,upper=1> pzero" not in code


@pytest.mark.parametrize("formula, ref", [
    ("y ~ x", "zip2_get_prior.csv"),
    (("y ~ x", "pzero ~ x + (1 | g)"), "zip2_get_prior_pred.csv"),
])
def test_custom_dpar_default_priors_equal_brms_218(formula, ref):
    want = pd.read_csv(REF / ref, keep_default_na=False, dtype=str)
    f = bp.bf(*formula) if isinstance(formula, tuple) else formula
    got = bp.get_prior(f, _data(), family=_zip2())
    cols = ["prior", "class", "coef", "group", "dpar", "lb", "ub"]
    assert got[cols].astype(str).values.tolist() == want[cols].values.tolist()


def test_custom_dpar_standata_equals_brms_218():
    ref = json.loads((REF / "zip2_standata.json").read_text())
    sd = bp.make_standata("y ~ x", _data(), family=_zip2(), stanvars=_sv())
    assert set(ref) <= set(sd)
    for name, value in ref.items():
        np.testing.assert_allclose(np.asarray(sd[name], dtype=float), np.asarray(value, dtype=float), rtol=1e-12,
                                   err_msg=name)


def test_brms_testsuite_family_with_tau_and_vreal():
    # brms's tests.make_stancode.R "custom families are handled correctly": dpar 'tau', vint + vreal
    d = pd.DataFrame({"size": 10, "y": np.arange(20) % 11, "x": np.linspace(-1, 1, 20)})
    fam = bp.custom_family("beta_binomial2", dpars=("mu", "tau"), links=("logit", "log"), lb=(None, 0), type="int",
                           vars=("vint1[n]", "vreal1[n]"))
    sv = bp.stanvar(scode="real beta_binomial2_lpmf(int y, real mu, real phi, int N, real R) {\n"
                          "  return beta_binomial_lpmf(y | N, mu * phi, (1 - mu) * phi);\n}", block="functions")
    code = bp.make_stancode("y | vint(size) + vreal(size) ~ x", d, family=fam, stanvars=sv,
                            prior=bp.prior("gamma(0.1, 0.1)", class_="tau"))
    stanli.stan_to_mir(code)
    for line in ("array[N] int vint1;", "real<lower=0> tau;", "mu = inv_logit(mu);",
                 "lprior += gamma_lpdf(tau | prior_tau_shape, prior_tau_rate);",
                 "target += beta_binomial2_lpmf(Y[n] | mu[n], tau, vint1[n], vreal1[n]);"):
        assert line in code, line
    code = bp.make_stancode(bp.bf("y | vint(size) + vreal(size) ~ x", "tau ~ x"), d, family=fam, stanvars=sv)
    assert "tau = exp(tau);" in code and "beta_binomial2_lpmf(Y[n] | mu[n], tau[n], vint1[n], vreal1[n]);" in code
    # in a mixture: the component's own dpar tau2, with its bound
    code = bp.make_stancode("y | vint(size) + vreal(size) + trials(size) ~ x", d,
                            family=bp.mixture("binomial", fam), stanvars=sv)
    stanli.stan_to_mir(code)
    assert "real<lower=0> tau2;" in code
    assert "log(theta2) + beta_binomial2_lpmf(Y[n] | mu2[n], tau2, vint1[n], vreal1[n])" in code


@pytest.fixture(scope="module")
def fit():
    fam = _zip2(log_lik=_loglik, posterior_predict=_predict, posterior_epred=_epred)
    return bp.brm("y ~ x", _data(), family=fam, stanvars=_sv(), seed=5, refresh=0, iter=600, chains=2)


def test_custom_dpar_recovers_truth(fit):
    draws = fit.draws_dict
    assert draws["pzero"].min() > 0 and draws["pzero"].max() < 1
    assert_recovers({k: draws[k] for k in ("b_Intercept", "b_x", "pzero")},
                    {"b_Intercept": 0.8, "b_x": 0.5, "pzero": 0.3})


def test_custom_dpar_loglik_equals_stan_density(fit):
    assert_loglik_matches_stan(fit)


def test_save_and_load_round_trip(fit, tmp_path):
    path = bp.save_fit(fit, tmp_path / "zip2")
    with pytest.raises(FitFileError, match=r"uses the custom family 'zip2'.*not its Python functions.*family="):
        bp.load_fit(path)
    with pytest.raises(FitFileError, match=r"made with stanvars \(\(unnamed\) in block 'functions'\).*stanvars="):
        bp.load_fit(path, family=fit.family)
    loaded = bp.load_fit(path, family=fit.family, stanvars=_sv())
    assert loaded.stancode() == fit.stancode()
    np.testing.assert_array_equal(loaded.draws_dict["pzero"], fit.draws_dict["pzero"])
    np.testing.assert_allclose(bp.log_lik(loaded), bp.log_lik(fit), rtol=1e-12)  # the user's function again
    np.testing.assert_allclose(bp.posterior_epred(loaded), bp.posterior_epred(fit), rtol=1e-12)


def test_load_refuses_another_family_or_other_stanvars(fit, tmp_path):
    path = bp.save_fit(fit, tmp_path / "zip2")
    other = bp.custom_family("zip2", dpars=("mu", "pzero"), links=("log", "identity"), lb=(None, 0), type="int")
    with pytest.raises(FitFileError, match=r"'zip2' passed to load_fit differs.*ub: saved \[None, 1\], given \[None, None\]"):
        bp.load_fit(path, family=other, stanvars=_sv())
    changed = bp.stanvar(scode=ZIP2.replace("log1m(pzero) + poisson_lpmf(y | mu)", "poisson_lpmf(y | mu)"),
                         block="functions")
    with pytest.raises(FitFileError, match=r"stanvars passed to load_fit are not the ones .* stanvar 1 of 1"):
        bp.load_fit(path, family=fit.family, stanvars=changed)
    with pytest.raises(FitFileError, match=r"takes the custom_family\(...\) object"):
        bp.load_fit(path, family="poisson", stanvars=_sv())


@pytest.mark.filterwarnings("ignore::brmspy.SamplerWarning")
def test_brm_file_reuses_a_saved_custom_family_fit(tmp_path):
    fam = _zip2(log_lik=_loglik)
    args = dict(family=fam, stanvars=_sv(), seed=2, refresh=0, iter=200, chains=1, file=tmp_path / "f")
    first = bp.brm("y ~ x", _data(), **args)
    again = bp.brm("y ~ x", _data(), **args)  # file_refit="never": loaded, not sampled
    np.testing.assert_array_equal(again.draws_dict["b_x"], first.draws_dict["b_x"])
    assert again.family is fam and bp.log_lik(again).shape == (100, len(_data()))


@pytest.mark.parametrize("kwargs, match", [
    ({"dpars": ("mu", "k2")}, "'dpars' should not end with a number"),
    ({"dpars": ("mu", "k_a")}, "underscores are not allowed"),
    ({"dpars": ("mu", "k"), "lb": (None, 1), "ub": (None, 0)}, r"lb \(1\) of 'k' must be below its ub \(0\)"),
    ({"dpars": ("mu",), "specials": ("ordinal",)}, r"specials 'ordinal' needs type='int'"),
    ({"dpars": ("mu",), "specials": ("ordinal", "cs"), "type": "int"}, r"specials 'cs' is not supported: brms 2.18"),
    ({"dpars": ("mu",), "specials": ("ordered_thres",), "type": "int"}, r"add 'ordinal'"),
    ({"dpars": ("mu",), "specials": ("ordinal",), "type": "int", "threshold": "equidistant"}, r"must be 'flexible'"),
    ({"dpars": ("mu",), "specials": ("binary", "residuals"), "type": "int"}, r"specials yet \('residuals': predictive"),
    ({"dpars": ("mu",), "specials": "binary"}, r"specials 'binary' needs type='int'"),
    ({"dpars": ("mu",), "specials": ("vector",)}, r"'vector' is not one of brms's family specials \(ordinal,"),
])
def test_custom_dpar_names_and_bounds_checked(kwargs, match):
    with pytest.raises(FamilyError, match=match):
        bp.custom_family("f", **{"links": ("identity",) * len(kwargs["dpars"]), **kwargs})


def test_threaded_likelihood_reads_stanvars_without_pll_args():
    # brms needs pll_args to pass stanvars to its partial sums; brmspy passes every variable the
    # likelihood reads, and the likelihood-block code runs inside the partial sum (as in brms)
    d = _data()
    sv = (_sv() + bp.stanvar(0.25, name="shift")
          + bp.stanvar(scode="real<lower=0> tau;", block="parameters", pll_args="real tau")
          + bp.stanvar(scode="mu += shift + tau;", block="likelihood")
          + bp.stanvar(scode="target += exponential_lpdf(tau | 4);", block="model"))
    fam = _zip2()
    codes = [bp.make_stancode("y ~ x", d, family=fam, stanvars=sv, threads=n) for n in (1, 2)]
    functions = codes[1].split("\ndata {")[0]
    assert "reduce_sum" in codes[1] and "mu += shift + tau;" in functions
    assert "data real shift," in functions and "real tau) {" in functions
    models = [stanli.Model(stan_code=c, data=bp.make_standata("y ~ x", d, family=fam, stanvars=sv, threads=n))
              for c, n in zip(codes, (1, 2))]
    assert_same_log_density(models[0], models[1:], label="threads", rtol=1e-11)


def test_fixed_ndt_is_data_without_the_min_Y_bound():
    # brms's test suite: bf(q | dec(resp) ~ x, ndt = 0.5) with wiener() -- min_Y is transformed data,
    # so the fixed value (data) cannot be bounded by it (stanc rejected the program)
    d = pd.DataFrame({"q": np.linspace(0.5, 2, 10), "resp": [0, 1] * 5, "x": np.linspace(-1, 1, 10)})
    code = bp.make_stancode(bp.bf("q | dec(resp) ~ x", ndt="0.3"), d, family="wiener")
    stanli.stan_to_mir(code)
    assert "  real<lower=0> ndt;  // fixed non-decision time" in code
    assert bp.make_standata(bp.bf("q | dec(resp) ~ x", ndt="0.3"), d, family="wiener")["ndt"] == 0.3


def test_dpar_priors_are_truncated_to_both_bounds_as_brms():
    # brms 2.18: lprior += normal_lpdf(pzero | 0.3, 0.2) - 1 * log_diff_exp(normal_lcdf(1 | 0.3, 0.2),
    # normal_lcdf(0 | 0.3, 0.2)); the same for zi of zero_inflated_poisson (brmspy cut at 0 only before)
    code = bp.make_stancode("y ~ x", _data(), family=_zip2(), stanvars=_sv(),
                            prior=bp.prior("normal(0.3, 0.2)", class_="pzero"))
    stanli.stan_to_mir(code)
    assert ("lprior -= log_diff_exp(normal_lcdf(1 | prior_pzero_loc, prior_pzero_scale), "
            "normal_lcdf(0 | prior_pzero_loc, prior_pzero_scale));") in code
    code = bp.make_stancode("y ~ x", _data(), family="zero_inflated_poisson", prior=bp.prior("normal(0.3, 0.2)", class_="zi"))
    assert "lprior -= log_diff_exp(normal_lcdf(1 | prior_zi_loc, prior_zi_scale), normal_lcdf(0 | prior_zi_loc" in code


def test_custom_family_reads_trials_and_suffixed_data_in_multivariate_models():
    # brms: trials() of a custom family are data (int trials[N]) the density may take via vars; in a
    # multivariate model the response's vint/vreal/trials data carry its suffix (vint1_y[n])
    d = pd.DataFrame({"size": 10, "y": np.arange(20) % 11, "x": np.linspace(-1, 1, 20)})
    fam = bp.custom_family("bb3", dpars=("mu", "tau"), links=("logit", "log"), lb=(None, 0), type="int",
                           vars=("trials[n]", "vint1[n]"))
    sv = bp.stanvar(scode="real bb3_lpmf(int y, real mu, real phi, int N, int M) {\n"
                          "  return beta_binomial_lpmf(y | N, mu * phi, (1 - mu) * phi);\n}", block="functions")
    code = bp.make_stancode("y | trials(size) + vint(size) ~ x", d, family=fam, stanvars=sv)
    stanli.stan_to_mir(code)
    assert "array[N] int trials;  // number of trials" in code
    assert "target += bb3_lpmf(Y[n] | mu[n], tau, trials[n], vint1[n]);" in code
    assert (bp.make_standata("y | trials(size) + vint(size) ~ x", d, family=fam, stanvars=sv)["trials"] == 10).all()
    f = bp.bf("y | trials(size) + vint(size) ~ x", family=fam) + bp.bf("x ~ 1", family=bp.gaussian())
    code = bp.make_stancode(f, d, stanvars=sv)
    stanli.stan_to_mir(code)
    assert "target += bb3_lpmf(Y_y[n] | mu_y[n], tau_y, trials_y[n], vint1_y[n]);" in code


def test_binary_special_takes_a_two_level_factor_as_brms():
    # brms 2.18: specials = "binary" -> Y is 0/1, a factor's second level 1; other values refused
    rng = np.random.default_rng(2)
    d = pd.DataFrame({"y": pd.Categorical(rng.choice(["no", "yes"], 30)), "x": rng.normal(size=30)})
    fam = bp.custom_family("mybin", dpars=("mu",), links=("logit",), type="int", specials=("binary",))
    sv = bp.stanvar(scode="real mybin_lpmf(int y, real mu) { return bernoulli_lpmf(y | mu); }", block="functions")
    sd = bp.make_standata("y ~ x", d, family=fam, stanvars=sv)
    np.testing.assert_array_equal(sd["Y"], (d["y"] == "yes").astype(int))
    stanli.stan_to_mir(bp.make_stancode("y ~ x", d, family=fam, stanvars=sv))
    with pytest.raises(bp.DataError, match="needs 0/1 values"):
        bp.make_standata("y ~ x", d.assign(y=np.arange(30) % 3), family=fam, stanvars=sv)
