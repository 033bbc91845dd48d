"""Fidelity to brms on everyday inputs (issue 18, items 2, 7, 8, 10, 11, 12).

brms's own outputs (names, messages, R-hat values) come from
``tools/brms_fidelity_reference.R`` and are committed under ``tests/reference/fidelity/``:

* duplicated group-level effects are refused with brms's reason and what to write instead;
  blocks that share a grouping factor legitimately all show up, under brms's names;
* multivariate gaussian/student models get brms's default residual correlations, with its message;
* every brms function name exported at top level is a function, never a module;
* family functions (``bp.bernoulli``) work uncalled, as in R;
* sampler warnings follow rstan's/brms's thresholds (R-hat 1.05, ESS 100 per chain, E-BFMI 0.2);
* duplicated columns and data without rows are refused; a restricted link's init failure says
  to use the log link.
"""

from __future__ import annotations

import importlib
import inspect
import json
import logging
import pkgutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.fit import arviz_io
from brmspy.fit.diagnostics import BFMI_MIN, ESS_PER_CHAIN, RHAT_MAX, link_hint, sampler_warnings

REF = Path(__file__).parents[1] / "reference" / "fidelity"


def _ref(name: str) -> dict:
    return json.loads((REF / name).read_text())


def _as_list(v) -> list:
    return v if isinstance(v, list) else [v]  # jsonlite's auto_unbox writes length-1 vectors as scalars


MESSAGES = _ref("messages.json")


@pytest.fixture(scope="module")
def sleep() -> pd.DataFrame:
    return bp.datasets.load("sleepstudy")


def _quiet_fit(formula, data, **kw):
    args = dict(chains=1, iter=300, seed=1, refresh=0, backend="stanli")
    args.update(kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # short chains: ESS warnings are expected
        return bp.brm(formula, data, **args)


# ------------------------------------------------ 2. duplicated group-level effects


@pytest.mark.parametrize("formula, effect, group, fix", [
    ("Reaction ~ Days + (Days | Subject) + (1 | Subject)", "Intercept", "Subject", "(1 + Days | Subject)"),
    ("Reaction ~ Days + (Days | a | Subject) + (1 | b | Subject)", "Intercept", "Subject", "(1 + Days | Subject)"),
    ("Reaction ~ Days + (Days | Subject) + (0 + Days | Subject)", "Days", "Subject", "(1 + Days | Subject)"),
])
def test_duplicated_group_level_effects_are_refused_as_brms(sleep, formula, effect, group, fix):
    with pytest.raises(bp.FormulaError) as err:
        bp.make_stancode(formula, sleep)
    text = str(err.value)
    brms_first_line = MESSAGES["duplicated"].split("\n")[0]
    assert text.startswith(brms_first_line + "\n")
    assert f"Occurred for effect '{effect}' of group '{group}'" in text  # brms: "Occured for effect ..."
    assert "cannot be told apart" in text and fix in text
    assert MESSAGES["duplicated_ids"] == MESSAGES["duplicated"]  # brms refuses across |ID| too


def test_lme4_style_terms_on_one_group_are_refused_with_the_merged_term():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"y": rng.normal(size=60), "SES": rng.normal(size=60), "Sex": rng.integers(0, 2, 60),
                       "Minority": rng.integers(0, 2, 60), "School": np.arange(60) % 6})
    with pytest.raises(bp.FormulaError) as err:
        bp.make_stancode("y ~ SES + (SES | School) + (Sex | School) + (Minority | School)", df)
    text = str(err.value)
    assert "Occurred for effect 'Intercept' of group 'School'" in text
    assert "(1 + SES + Sex + Minority | School)" in text and "(1 + SES + Sex + Minority || School)" in text
    assert "(1 | School) + (0 + SES | School) + (0 + Sex | School) + (0 + Minority | School)" in text
    # the same duplication inside a distributional formula names that formula
    with pytest.raises(bp.FormulaError, match="in the sigma formula"):
        bp.make_stancode(bp.bf("y ~ SES + (1 | School)", "sigma ~ (1 | School) + (SES | School)"), df)


def test_blocks_sharing_a_group_legitimately_are_built(sleep):
    code = bp.make_stancode("Reaction ~ Days + (1 | Subject) + (0 + Days | Subject)", sleep)
    assert "vector<lower=0>[M_1] sd_1;" in code and "vector<lower=0>[M_2] sd_2;" in code


SHARED = _ref("shared_group.json")
SHARED_FORMULA = bp.bf("Reaction ~ Days + (1 | a | Subject) + (0 + Days | Subject)", "sigma ~ (1 | a | Subject)")


@pytest.fixture(scope="module")
def shared_fit(sleep):
    return _quiet_fit(SHARED_FORMULA, sleep, iter=400)


def test_shared_group_parameter_names_match_brms(shared_fit):
    """Two blocks on Subject (one across mu and sigma): every brms parameter is there, under brms's name."""
    ours = [n for n, pi in shared_fit.param_info.items() if pi.kind in ("b", "sd", "cor", "r")]
    assert sorted(ours) == sorted(SHARED["variables"])
    group_level = [n for n in SHARED["variables"] if not n.startswith("b_")]  # blocks in brms's order
    assert [n for n in ours if not n.startswith("b_")] == group_level
    draws = shared_fit.draws()
    assert set(SHARED["variables"]) <= set(draws.columns)


def test_shared_group_summary_varcorr_ranef_show_every_block(shared_fit):
    s = shared_fit.summary()
    groups = list(s.group)  # keyed by the grouping factor; the printed heading is brms's
    assert groups == _as_list(SHARED["summary_groups"])
    assert [s.group_title(g) for g in groups] == [f"~{g} (Number of levels: {SHARED['ngrps'][g]}) " for g in groups]
    assert f"~{groups[0]} (Number of levels: {SHARED['ngrps'][groups[0]]}) " in str(s)
    assert list(s.group[groups[0]].index) == SHARED["summary_rows"]
    assert shared_fit.ngrps() == SHARED["ngrps"]

    vc = bp.VarCorr(shared_fit)
    assert [g for g in vc if g != "residual__"] == _as_list(SHARED["varcorr_groups"])
    sub = vc["Subject"]
    assert list(sub) == SHARED["varcorr_parts"]
    assert list(sub["sd"].index) == SHARED["varcorr_sd_rows"]
    names = SHARED["varcorr_cor_names"]
    pairs = [(names[i], names[j]) for j in range(3) for i in range(j)]  # R's upper.tri order
    zero = [bool(sub["cor"].loc[p, "Estimate"] == 0) for p in pairs]
    assert zero == SHARED["varcorr_cor_zero"]
    d = shared_fit.draws_dict
    est = sub["cor"].loc[("Intercept", "sigma_Intercept"), "Estimate"]
    assert est == pytest.approx(d["cor_Subject__Intercept__sigma_Intercept"].mean())
    cov = sub["cov"].loc[("Intercept", "sigma_Intercept"), "Estimate"]
    assert cov == pytest.approx((d["cor_Subject__Intercept__sigma_Intercept"] * d["sd_Subject__Intercept"]
                                 * d["sd_Subject__sigma_Intercept"]).mean())

    re = bp.ranef(shared_fit)
    assert list(re) == _as_list(SHARED["ranef_groups"])
    assert list(re["Subject"].columns.get_level_values(0).unique()) == SHARED["ranef_coefs"]
    assert list(re["Subject"].index) == SHARED["ranef_levels"]
    assert re["Subject"]["Days"].loc["308", "Estimate"] == pytest.approx(d["r_Subject[308,Days]"].mean())


# ------------------------------------------------------- 7. rescor default


def _mv_data() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame({"y1": rng.normal(size=30), "y2": rng.normal(size=30), "x": rng.normal(size=30),
                         "c": rng.poisson(2, 30)})


@pytest.mark.parametrize("family, key", [(None, "rescor_gaussian"), ("student", "rescor_student")])
def test_gaussian_and_student_responses_get_residual_correlations_by_default(family, key):
    df = _mv_data()
    with pytest.warns(UserWarning) as rec:
        code = bp.make_stancode(bp.bf("y1 ~ x") + bp.bf("y2 ~ x"), df, family=family)
    assert "cholesky_factor_corr[nresp] Lrescor;" in code
    text = "\n".join(str(w.message) for w in rec)
    assert MESSAGES[key]["message"] in text  # "Setting 'rescor' to TRUE by default for this model"
    assert "set_rescor(False)" in text and "in the future" in text
    explicit = bp.make_stancode(bp.bf("y1 ~ x") + bp.bf("y2 ~ x") + bp.set_rescor(True), df, family=family)
    assert explicit == code
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # set explicitly: no message
        bp.make_stancode(bp.bf("y1 ~ x") + bp.bf("y2 ~ x") + bp.set_rescor(False), df, family=family)


@pytest.mark.parametrize("formula, key", [
    (bp.bf("y1 ~ x") + bp.bf("c ~ x", family="poisson"), "rescor_mixed"),
    (bp.bf("y1 ~ x") + bp.bf("y2 ~ x", family="student"), "rescor_gaussian_student"),
])
def test_other_families_default_to_no_residual_correlations(formula, key, caplog):
    with caplog.at_level(logging.INFO, logger="brmspy"):
        code = bp.make_stancode(formula, _mv_data())
    assert "Lrescor" not in code
    assert MESSAGES[key]["message"] in caplog.text  # "Setting 'rescor' to FALSE by default for this model"
    assert MESSAGES[key]["warning"] == []


def test_default_rescor_is_false_with_missing_value_responses():
    from brmspy.formula import build_terms

    df = _mv_data()
    terms = build_terms(bp.bf("y1 ~ mi(y2)") + bp.bf("y2 | mi() ~ x"), "gaussian")
    assert terms.rescor is False
    assert "Lrescor" not in bp.make_stancode(bp.bf("y1 ~ mi(y2)") + bp.bf("y2 | mi() ~ x"), df)


def test_default_rescor_errors_say_it_was_the_default():
    df = _mv_data()
    with pytest.warns(UserWarning, match="TRUE by default"):
        with pytest.raises(bp.FormulaError, match="brms's default for all-gaussian.*set_rescor\\(False\\)"):
            bp.make_stancode(bp.bf("y1 | trunc(lb = -10) ~ x") + bp.bf("y2 ~ x"), df)


def test_fit_keeps_the_default_rescor(tmp_path):
    """As brms's fit$formula, the fit stores rescor = TRUE: update() and load_fit() rebuild it silently."""
    df = _mv_data()
    with pytest.warns(UserWarning, match="TRUE by default"):
        fit = bp.brm(bp.bf("y1 ~ x") + bp.bf("y2 ~ x"), df, chains=1, iter=200, seed=1, refresh=0,
                     file=tmp_path / "mv", warm_start=False)
    assert fit.formula.rescor is True and "rescor__y1__y2" in fit.draws_dict
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Setting 'rescor'")
        loaded = bp.load_fit(tmp_path / "mv")
    assert "rescor__y1__y2" in loaded.draws_dict


# -------------------------------------------- 8. no brms function name is a module


def test_no_brms_function_name_resolves_to_a_module():
    for mod in pkgutil.walk_packages(bp.__path__, "brmspy."):
        importlib.import_module(mod.name)  # lazily imported modules become package attributes too
    brms_exports = (REF / "brms_exports.txt").read_text().split()
    names = set(bp.__all__) | set(brms_exports) | {"summary", "prior_draws"}
    modules = {n: getattr(bp, n) for n in names if hasattr(bp, n) and inspect.ismodule(getattr(bp, n))}
    assert set(modules) <= {"datasets"}, sorted(modules)
    assert callable(bp.summary) and callable(bp.prior_draws)
    assert {"summary", "prior_draws"} <= set(bp.__all__)


@pytest.fixture(scope="module")
def prior_fit():
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"x": rng.normal(size=50)})
    df["y"] = 1 + 0.5 * df["x"] + rng.normal(size=50)
    pri = bp.prior("normal(0, 2)", class_="b") + bp.prior("normal(0, 5)", class_="Intercept")
    return _quiet_fit("y ~ x", df, prior=pri, sample_prior="yes", chains=2, iter=800)


def test_top_level_summary_and_prior_draws(prior_fit):
    assert str(bp.summary(prior_fit)) == str(prior_fit.summary())
    assert bp.summary(prior_fit, prob=0.9).population.columns[2] == "l-90% CI"
    pd_all = bp.prior_draws(prior_fit)
    d = prior_fit.draws_dict
    assert "b_x" in pd_all and not any(c.startswith("prior_") for c in pd_all)
    np.testing.assert_array_equal(pd_all["b_x"], d["prior_b_x"].reshape(-1))
    one = bp.prior_draws(prior_fit, "b_x", seed=1)
    assert list(one.columns) == ["b_x"]
    np.testing.assert_array_equal(np.sort(one["b_x"]), np.sort(d["prior_b_x"].reshape(-1)))  # shuffled, as brms
    assert abs(one["b_x"].std() - 2) < 0.3  # normal(0, 2)
    assert list(bp.prior_draws(prior_fit, ["b_Intercept", "zzz"]).columns) == ["b_Intercept"]


# ------------------------------------------------- 10. family functions uncalled


@pytest.mark.parametrize("name", [n for n in bp._FAMILY_CONSTRUCTORS if n != "mixture"] + ["Gamma", "Beta"])
def test_family_function_uncalled_is_its_default_family(name):
    make = getattr(bp, name)
    assert bp.brmsfamily(make) == make()


def test_family_function_in_models():
    df = pd.DataFrame({"y": [0, 1, 1, 0, 1, 0], "x": np.arange(6.0)})
    assert bp.make_stancode("y ~ x", df, family=bp.bernoulli) == bp.make_stancode("y ~ x", df, family="bernoulli")
    assert bp.make_stancode(bp.bf("y ~ x", family=bp.poisson), df) == bp.make_stancode("y ~ x", df, family="poisson")
    with pytest.raises(bp.FamilyError, match="mixture needs arguments"):
        bp.make_stancode("y ~ x", df, family=bp.mixture)


def test_fit_with_an_uncalled_family_function_is_saved_and_loaded(tmp_path):
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"x": rng.normal(size=40), "y": rng.binomial(1, 0.5, 40)})
    fit = _quiet_fit("y ~ x", df, family=bp.bernoulli, iter=200, file=tmp_path / "f")
    assert fit.family == bp.bernoulli()
    assert bp.load_fit(tmp_path / "f").family == bp.bernoulli()


# ------------------------------------------------------- 11. sampler warnings


def _iid(rng, chains=4, draws=500):
    return rng.normal(size=(chains, draws))


def test_no_warning_for_well_mixed_draws():
    rng = np.random.default_rng(1)
    stats = {"divergent__": np.zeros((4, 500)), "treedepth__": np.full((4, 500), 3),
             "energy__": rng.normal(size=(4, 500))}
    assert sampler_warnings({"b_x": _iid(rng), "sigma": _iid(rng)}, stats) == []


def test_rhat_threshold_is_brms_1_05():
    assert RHAT_MAX == 1.05
    rng = np.random.default_rng(2)
    base = _iid(rng)
    seen = set()
    for shift in (0.0, 0.3, 0.6, 0.8, 1.0):  # R-hat 1.00, 1.01, 1.04, 1.07, 1.11
        x = base + np.array([0, 0, 0, shift])[:, None]
        r = float(arviz_io.rhat(x))
        msgs = sampler_warnings({"b_x": x}, {})
        warned = any(m.startswith("The largest R-hat is") for m in msgs)
        assert warned == (r > 1.05), (shift, r, msgs)
        if warned:
            assert f"The largest R-hat is {round(r, 2):g}, indicating chains have not mixed" in msgs[0]  # R: round(, 2)
            assert "b_x" in msgs[0]
        seen.add(warned)
        # brmspy's old threshold was 1.01: values between 1.01 and 1.05 must not warn
        if 1.01 < r <= 1.05:
            seen.add("between")
    assert seen == {True, False, "between"}


def test_ess_threshold_is_100_per_chain():
    assert ESS_PER_CHAIN == 100
    rng = np.random.default_rng(3)
    seen = set()
    for phi in (0.0, 0.6, 0.8, 0.9, 0.95):
        e = rng.normal(size=(4, 1000))
        x = np.zeros_like(e)
        for t in range(1, 1000):  # AR(1) chains: ESS falls as phi grows
            x[:, t] = phi * x[:, t - 1] + e[:, t]
        bulk, tail = float(arviz_io.ess_bulk(x)), float(arviz_io.ess_tail(x))
        msgs = sampler_warnings({"b_x": x}, {})
        assert any(m.startswith("Bulk Effective Samples Size (ESS) is too low") for m in msgs) == (bulk < 400), phi
        assert any(m.startswith("Tail Effective Samples Size (ESS) is too low") for m in msgs) == (tail < 400), phi
        seen.add(bulk < 400)
    assert seen == {True, False}


def test_divergences_treedepth_and_bfmi_wording():
    rng = np.random.default_rng(4)
    div = np.zeros((2, 300))
    div[0, :3] = 1
    depth = np.full((2, 300), 5)
    depth[1, :2] = 10
    msgs = sampler_warnings({}, {"divergent__": div, "treedepth__": depth}, adapt_delta=0.9, max_treedepth=10)
    assert msgs[0].startswith("There were 3 divergent transitions after warmup. Increasing adapt_delta above 0.9 "
                              "may help")
    assert "control={'adapt_delta': 0.95}" in msgs[0]
    # the suggested value is above the one used (it suggested 0.95 after a run with 0.99)
    for used, suggested in ((0.95, 0.99), (0.99, 0.999), (0.999, 0.9999)):
        msg = sampler_warnings({}, {"divergent__": div}, adapt_delta=used)[0]
        assert f"above {used:g} may help: brm(..., control={{'adapt_delta': {suggested:g}}})" in msg
    assert msgs[1].startswith("There were 2 transitions after warmup that exceeded the maximum treedepth. "
                              "Increase max_treedepth above 10")
    assert BFMI_MIN == 0.2
    seen = set()
    for phi in (0.0, 0.85, 0.95):
        e = rng.normal(size=(2, 2000))
        energy = np.zeros_like(e)
        for t in range(1, 2000):  # E-BFMI ~ 2 (1 - phi)
            energy[:, t] = phi * energy[:, t - 1] + e[:, t]
        low = int(np.sum(arviz_io.bfmi(energy) < 0.2))
        msgs = sampler_warnings({}, {"energy__": energy})
        if low:
            assert msgs == [m for m in msgs if m.startswith(f"There were {low} chains where the estimated Bayesian "
                                                            "Fraction of Missing Information was low")]
        else:
            assert msgs == []
        seen.add(low > 0)
    assert seen == {True, False}


def test_one_chain_rhat_is_posterior_rhat():
    ref = _ref("rhat_one_chain.json")
    i = np.arange(401)
    x = np.sin(i * 0.37) + 0.002 * i
    assert float(arviz_io.rhat(x[None, :])) == pytest.approx(ref["one_chain_401"], rel=1e-10)
    assert float(arviz_io.rhat(x[None, :400])) == pytest.approx(ref["one_chain_400"], rel=1e-10)
    assert float(arviz_io.rhat(x[:400].reshape(2, 200))) == pytest.approx(ref["two_chains_400"], rel=1e-10)


def test_fit_warnings_check_summary_parameters_and_lp(prior_fit):
    from brmspy.fit.diagnostics import checked_draws

    names = set(checked_draws(prior_fit))
    assert {"b_Intercept", "b_x", "sigma", "lp__"} <= names
    assert not any(n.startswith("prior_") for n in names)


def test_summary_warns_as_brms_when_rhat_above_1_05(prior_fit):
    x = prior_fit.draws_dict["b_x"]
    bumped = x.copy()
    half = x.shape[1] // 2
    bumped[0, half:] += 10 * x.std()  # the second half of the chain drifted: split R-hat far above 1.05
    prior_fit.draws_dict["b_x"] = bumped
    try:
        with pytest.warns(UserWarning, match=r"Parts of the model have not converged \(some Rhats are > 1\.05\)"):
            prior_fit.summary()
    finally:
        prior_fit.draws_dict["b_x"] = x
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # converged: no warning
        s = prior_fit.summary()
    assert float(max(s.population["Rhat"].max(), s.family["Rhat"].max())) <= 1.05


# ----------------------------------------------------------------- 12. data


def test_duplicated_column_names_are_refused():
    df = pd.DataFrame({"y": [1.0, 2, 3, 4], "x": [1.0, 2, 3, 5]})
    dup = pd.concat([df, df[["x"]] * 2, df[["y"]]], axis=1)
    with pytest.raises(bp.DataError, match=r"duplicated column names: 'y' \(2 times\), 'x' \(2 times\)"):
        bp.make_standata("y ~ x", dup)


def test_data_without_rows_is_reported_as_such():
    df = pd.DataFrame({"y": [1.0, 2, 3, 4], "x": [1.0, 2, 3, 5]})
    for empty in (df.iloc[:0], df[df["x"] > 10]):
        with pytest.raises(bp.DataError, match="The data have no rows") as err:
            bp.make_standata("y ~ x", empty)
        assert "NA" not in str(err.value)
        assert MESSAGES["empty_data"].rstrip(".").lower() in str(err.value).lower()
    with pytest.warns(UserWarning, match="Rows containing NAs"):
        with pytest.raises(bp.DataError, match="No rows left after removing rows with NAs"):
            bp.make_standata("y ~ x", df.assign(x=np.nan))


def test_inverse_gaussian_init_failure_suggests_the_log_link():
    rng = np.random.default_rng(1)
    n = 200
    X = rng.normal(size=(n, 4))
    y = rng.wald(np.exp(1 + X @ np.array([0.2, 0.1, -0.1, 0.2])), 5)
    df = pd.DataFrame({"y": y, "a": X[:, 0], "b": X[:, 1], "c": X[:, 2], "d": X[:, 3], "g": rng.integers(0, 10, n)})
    with pytest.raises(bp.SamplingError) as err:
        bp.brm("y ~ a + b + c + d + (1 | g)", df, family="inverse.gaussian", chains=1, iter=200, refresh=0, seed=1)
    text = str(err.value)
    assert "initialization failed" in text.lower()
    assert "The inverse.gaussian family's link '1/mu^2' needs a positive linear predictor" in text
    assert "link='log'" in text
    fit = _quiet_fit("y ~ a + b + c + d + (1 | g)", df, family=bp.inverse_gaussian(link="log"), iter=200)
    assert fit.fixef().loc["a", "Estimate"] == pytest.approx(0.2, abs=0.15)


def test_inverse_gaussian_divergences_come_with_the_link_hint(sleep):
    with pytest.warns(UserWarning) as rec:
        bp.brm("Reaction ~ Days", sleep, family="inverse.gaussian", chains=2, iter=200, refresh=0, seed=1)
    texts = [str(w.message) for w in rec]
    assert any(t.startswith("There were") and "divergent transitions" in t for t in texts)
    hint = [t for t in texts if "needs a positive linear predictor" in t]
    assert hint and "1/mean(y)^2 = 1.12e-05" in hint[0] and "link='log'" in hint[0]


def test_link_hint_only_for_links_needing_a_positive_predictor(sleep):
    assert link_hint(bp.build_model("Reaction ~ Days", sleep, family=bp.inverse_gaussian(link="log"))) is None
    assert link_hint(bp.build_model("Reaction ~ Days", sleep, family=bp.gaussian(link="inverse"))) is None
    assert "'inverse'" in link_hint(bp.build_model("Reaction ~ Days", sleep, family=bp.Gamma(link="inverse")))
