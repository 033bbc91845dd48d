"""Real sampling: sleepstudy against lme4, brms-style tables, storage, update, prior sampling."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.fit import brm as brm_module
from tests.cases import design_data

# lme4's published REML estimates for sleepstudy (shared/data/README.md)
LME4 = {"b_Intercept": 251.41, "b_Days": 10.467, "sd_Subject__Intercept": 24.74, "sd_Subject__Days": 5.92,
        "sigma": 25.59}


def test_sleepstudy_matches_lme4(sleep_fit):
    d = sleep_fit.draws_dict
    for name, value in LME4.items():
        mean, sd = d[name].mean(), d[name].std()
        assert abs(mean - value) < sd, f"{name}: posterior {mean:.2f} ± {sd:.2f} vs lme4 {value}"
    assert sleep_fit.backend == "stanli"
    assert sleep_fit.ndraws() == 4000 and sleep_fit.nobs() == 180 and sleep_fit.ngrps() == {"Subject": 18}


def test_summary_layout(sleep_fit):
    text = str(sleep_fit.summary())
    for piece in [" Family: gaussian", "  Links: mu = identity; sigma = identity",
                  "Formula: Reaction ~ Days + (Days | Subject)", "   Data: sleepstudy (Number of observations: 180)",
                  "  Draws: 4 chains, each with iter = 2000; warmup = 1000; thin = 1;",
                  "total post-warmup draws = 4000", "Multilevel Hyperparameters:", "~Subject (Number of levels: 18)",
                  "sd(Intercept)", "sd(Days)", "cor(Intercept,Days)", "Regression Coefficients:",
                  "Further Distributional Parameters:", "sigma", "Bulk_ESS", "Tail_ESS", "l-95% CI"]:
        assert piece in text, piece
    s = sleep_fit.summary(prob=0.9)
    assert list(s.population.columns) == ["Estimate", "Est.Error", "l-90% CI", "u-90% CI", "Rhat", "Bulk_ESS", "Tail_ESS"]
    assert list(s.population.index) == ["Intercept", "Days"]
    assert (s.population["Rhat"] < 1.01).all() and (s.population["Bulk_ESS"] > 400).all()
    with pytest.raises(bp.BrmsError, match="prob must be between 0 and 1"):
        sleep_fit.summary(prob=95)


def test_fixef_ranef_coef_consistent(sleep_fit):
    fe = bp.fixef(sleep_fit)
    assert list(fe.columns) == ["Estimate", "Est.Error", "Q2.5", "Q97.5"]
    d = sleep_fit.draws_dict
    assert fe.loc["Days", "Estimate"] == pytest.approx(d["b_Days"].mean())
    re = bp.ranef(sleep_fit)["Subject"]
    assert list(re.index[:3]) == ["308", "309", "310"]
    assert re["Intercept"].loc["308", "Estimate"] == pytest.approx(d["r_Subject[308,Intercept]"].mean())
    co = bp.coef(sleep_fit)["Subject"]
    assert co["Days"].loc["309", "Estimate"] == pytest.approx((d["b_Days"] + d["r_Subject[309,Days]"]).mean())
    # brms's reference: subject 308 has the steepest slope (coef ~ 19.5)
    assert co["Days"]["Estimate"].idxmax() == "308"


def test_varcorr(sleep_fit):
    vc = bp.VarCorr(sleep_fit)
    d = sleep_fit.draws_dict
    assert vc["Subject"]["sd"].loc["Days", "Estimate"] == pytest.approx(d["sd_Subject__Days"].mean())
    cor = vc["Subject"]["cor"]
    assert cor.loc[("Intercept", "Intercept"), "Estimate"] == 1.0
    assert cor.loc[("Days", "Intercept"), "Estimate"] == pytest.approx(d["cor_Subject__Intercept__Days"].mean())
    cov = vc["Subject"]["cov"].loc[("Days", "Days"), "Estimate"]
    assert cov == pytest.approx((d["sd_Subject__Days"] ** 2).mean())
    assert vc["residual__"]["sd"]["Estimate"].item() == pytest.approx(d["sigma"].mean())


def test_prior_summary_and_code(sleep_fit):
    ps = bp.prior_summary(sleep_fit)
    assert ps.loc[(ps["class"] == "b") & (ps["coef"] == "Days"), "source"].item() == "(vectorized)"
    assert ps.loc[(ps["class"] == "b") & (ps["coef"] == ""), "prior"].item() == "(flat)"
    assert ps.loc[ps["class"] == "Intercept", "prior"].item() == "student_t(3, 288.7, 59.3)"
    assert bp.stancode(sleep_fit) == bp.make_stancode("Reaction ~ Days + (Days | Subject)", bp.datasets.load("sleepstudy"))
    assert bp.standata(sleep_fit)["N"] == 180


def test_draws_and_arviz(sleep_fit):
    df = sleep_fit.draws()
    for col in ["b_Intercept", "b_Days", "sd_Subject__Intercept", "cor_Subject__Intercept__Days", "sigma",
                "r_Subject[308,Intercept]", "lprior", "lp__", ".chain", ".iteration", ".draw"]:
        assert col in df.columns, col
    assert len(df) == 4000 and df[".chain"].nunique() == 4
    tree = sleep_fit.to_arviz()
    assert tree["posterior"]["b_Days"].shape == (4, 1000)
    assert "diverging" in tree["sample_stats"] and "Reaction" in tree["observed_data"]


def test_same_seed_same_draws():
    df = design_data(n=120)
    kw = dict(seed=42, refresh=0, iter=400, chains=2)
    a = bp.brm("y ~ x + (1 | g)", df, **kw)
    b = bp.brm("y ~ x + (1 | g)", df, **kw)
    c = bp.brm("y ~ x + (1 | g)", df, **{**kw, "seed": 43})
    np.testing.assert_array_equal(a.draws_dict["b_x"], b.draws_dict["b_x"])
    assert not np.array_equal(a.draws_dict["b_x"], c.draws_dict["b_x"])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(chains=0), "chains must be at least 1"),
        (dict(iter=100, warmup=200), "iter"),
        (dict(control={"adapt_delt": 0.9}), "unknown control key"),
        (dict(control={"adapt_delta": 1.5}), "adapt_delta"),
        (dict(thin=0), "thin"),
        (dict(sample_prior="maybe"), "sample_prior must be one of"),
        (dict(backend="rstan"), "unknown backend 'rstan'"),
    ],
)
def test_bad_sampling_arguments(kwargs, message):
    with pytest.raises(bp.BrmsError, match=message):
        bp.brm("y ~ x", design_data(n=50), refresh=0, **kwargs)


def test_sample_prior_only_needs_proper_priors():
    df = design_data(n=100)
    with pytest.raises(bp.PriorError, match="flat priors: b_x"):
        bp.brm("y ~ x", df, sample_prior="only", refresh=0)
    fit = bp.brm("y ~ x", df, prior=bp.prior("normal(3, 0.5)", "b"), sample_prior="only", refresh=0, seed=3)
    bx = fit.draws_dict["b_x"]
    n_eff = 1000  # conservative
    assert abs(bx.mean() - 3) < 4 * 0.5 / np.sqrt(n_eff) * 3 and abs(bx.std() - 0.5) < 0.05


def test_sample_prior_only_refuses_flat_intercept_as_brms():
    """brms testsuite case [232]: a flat Intercept prior with sample_prior = 'only' is refused with brms's reason."""
    df = pd.DataFrame({"y": np.arange(1.0, 11.0), "x": np.random.default_rng(1).normal(7, 1, 10)})
    prior = [bp.prior("normal(0, 5)", "b"), bp.prior("", "Intercept")]
    with pytest.raises(bp.PriorError, match=r"Sampling from priors is not possible(.|\n)*flat priors: Intercept\."
                                            r"(.|\n)*class_='Intercept'"):
        bp.brm("y ~ x", df, prior=prior, sample_prior="only", refresh=0)


def test_sample_prior_yes_adds_prior_draws(sleep_fit):
    df = bp.datasets.load("sleepstudy")
    fit = bp.update(sleep_fit, sample_prior="yes", iter=600)
    pd_ = fit.draws_dict
    assert {"prior_Intercept", "prior_sigma", "prior_sd_Subject__Intercept", "prior_cor_Subject"} <= set(pd_)
    assert (pd_["prior_sigma"] > 0).all() and (np.abs(pd_["prior_cor_Subject"]) <= 1).all()
    # half student_t(3, 0, 59.3): median is the t quantile at 0.75
    from scipy import stats
    assert np.median(pd_["prior_sigma"]) == pytest.approx(stats.t(3, 0, 59.3).ppf(0.75), rel=0.1)
    assert fit.stancode() == sleep_fit.stancode()
    assert len(df) == fit.nobs()


def test_update_reuses_compiled_model(sleep_fit):
    before = dict(brm_module._COMPILED)
    fit2 = bp.update(sleep_fit, newdata=bp.datasets.load("sleepstudy").iloc[:90], iter=600, seed=5)
    assert fit2.nobs() == 90 and fit2.stancode() == sleep_fit.stancode()
    assert brm_module._COMPILED == before  # no new compilation
    assert fit2.config.iter == 600 and fit2.config.num_warmup == 300


def test_file_save_load_and_refit(tmp_path: Path):
    df = design_data(n=100)
    path = tmp_path / "fit"
    fit = bp.brm("y ~ x + (1 | g)", df, seed=2, iter=400, chains=2, refresh=0, file=path)
    assert (tmp_path / "fit.nc").exists()
    again = bp.brm("y ~ x + (1 | g)", df, seed=2, iter=400, chains=2, refresh=0, file=path)
    np.testing.assert_array_equal(again.draws_dict["b_x"], fit.draws_dict["b_x"])
    assert str(again.summary()) == str(fit.summary())
    loaded = bp.load_fit(path)
    pd.testing.assert_frame_equal(loaded.data, fit.data, check_dtype=False)
    # on_change: same settings -> loaded (same draws); new seed -> refit
    same = bp.brm("y ~ x + (1 | g)", df, seed=2, iter=400, chains=2, refresh=0, file=path, file_refit="on_change")
    np.testing.assert_array_equal(same.draws_dict["b_x"], fit.draws_dict["b_x"])
    new = bp.brm("y ~ x + (1 | g)", df, seed=9, iter=400, chains=2, refresh=0, file=path, file_refit="on_change")
    assert not np.array_equal(new.draws_dict["b_x"], fit.draws_dict["b_x"])


def test_save_model(tmp_path: Path):
    target = tmp_path / "m.stan"
    fit = bp.brm("y ~ x", design_data(n=60), save_model=target, refresh=0, iter=300, chains=1)
    assert target.read_text() == fit.stancode()


def test_divergence_warning_names_remedy():
    fit = bp.brm("y ~ x", design_data(n=60), refresh=0, iter=300, chains=1, seed=1)
    fit.stan_draws.sampler_stats["divergent__"][0, :3] = 1
    with pytest.warns(UserWarning, match=r"3 divergent transitions .* adapt_delta"):
        brm_module.warn_diagnostics(fit)


@pytest.mark.parametrize("family", [
    bp.mixture("gaussian", "student", order="mu"),
    bp.cumulative(link="probit", threshold="equidistant"),
    bp.brmsfamily("gaussian", link_sigma="identity"),
])
def test_family_json_round_trip(family):
    """Saved fits rebuild their family exactly: mixtures, ordinal thresholds and dpar links."""
    import json

    from brmspy.fit.storage import family_from_json, family_to_json

    back = family_from_json(json.loads(json.dumps(family_to_json(family))))
    assert back == family
