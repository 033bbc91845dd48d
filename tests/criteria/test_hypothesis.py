"""hypothesis(): brms's table and printout, known-truth checks, Savage-Dickey ratios, safe parsing.

brms reference (sleepstudy, ``hypothesis(fit, 'Days > 5')``, as printed by brms in
``shared/reference/sleepstudy_brms_outputs.txt``, which the checkout does not ship):
Estimate 5.39, Est.Error 1.7, CI 2.64 to 8.15, Evid.Ratio 443.44, Post.Prob 1, Star *.
The test compares our numbers with these within Monte Carlo tolerances, so it fails if they drift.
"""

from __future__ import annotations

import builtins
import math
import warnings

import arviz_stats
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import brmspy as bp
from brmspy.core.errors import BrmsError
from brmspy.criteria.hypotheses import evaluate_expression, hypothesis, parse_hypothesis


@pytest.fixture(scope="module")
def sim_fit():
    """y = 2 + 3 x + noise, normal(0, 5) prior on b, with prior draws."""
    rng = np.random.default_rng(42)
    x = rng.normal(size=100)
    df = pd.DataFrame({"x": x, "y": 2 + 3 * x + rng.normal(0, 1, 100)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm("y ~ x", df, prior=bp.prior("normal(0, 5)", "b"), sample_prior="yes", seed=3, refresh=0,
                      iter=1000, chains=2)


def test_days_greater_than_5_matches_brms(sleep_fit):
    res = hypothesis(sleep_fit, "Days > 5")
    row = res.hypothesis.loc[1]
    assert list(res.hypothesis.columns) == ["Hypothesis", "Estimate", "Est.Error", "CI.Lower", "CI.Upper",
                                            "Evid.Ratio", "Post.Prob", "Star"]
    assert row["Hypothesis"] == "(Days)-(5) > 0"
    d = sleep_fit.draws_dict["b_Days"].reshape(-1) - 5
    assert row["Estimate"] == pytest.approx(d.mean())
    assert row["Est.Error"] == pytest.approx(d.std(ddof=1))
    # one-sided: the 90% interval (alpha * 2)
    assert (row["CI.Lower"], row["CI.Upper"]) == pytest.approx(tuple(np.quantile(d, [0.05, 0.95])))
    assert row["Evid.Ratio"] == pytest.approx(np.mean(d > 0) / np.mean(d <= 0))
    assert row["Post.Prob"] == pytest.approx(np.mean(d > 0))
    # brms: 5.39, 1.7, [2.64, 8.15]; Post.Prob 1.00 (Evid.Ratio 443, i.e. P(not H) = 0.0023)
    assert row["Estimate"] == pytest.approx(5.39, abs=0.3)
    assert row["Est.Error"] == pytest.approx(1.70, abs=0.15)
    assert row["CI.Lower"] == pytest.approx(2.64, abs=0.4) and row["CI.Upper"] == pytest.approx(8.15, abs=0.4)
    assert row["Post.Prob"] > 0.99
    assert 1 / (1 + row["Evid.Ratio"]) == pytest.approx(1 / (1 + 443.44), abs=0.004)
    assert row["Star"] == "*"
    text = str(res)
    assert text.startswith("Hypothesis Tests for class b:\n")
    assert "(Days)-(5) > 0" in text and "Evid.Ratio" in text
    assert "---\n'CI': 90%-CI for one-sided and 95%-CI for two-sided hypotheses." in text
    assert "for two-sided hypotheses, the value tested against lies outside the 95%-CI." in text
    assert res.samples["H1"].to_numpy() == pytest.approx(d)


def test_known_truth(sim_fit):
    res = hypothesis(sim_fit, ["x > 2.5", "x < 2.5", "x = 3", "x = 0", "Intercept + x = 5"])
    t = res.hypothesis
    assert list(t["Hypothesis"]) == ["(x)-(2.5) > 0", "(x)-(2.5) < 0", "(x)-(3) = 0", "(x) = 0",
                                     "(Intercept+x)-(5) = 0"]
    assert t.loc[1, "Post.Prob"] > 0.95 and t.loc[1, "Star"] == "*"
    assert t.loc[2, "Post.Prob"] < 0.05 and t.loc[2, "Star"] == ""
    # the true value lies in the 95% interval; 0 does not
    assert t.loc[3, "CI.Lower"] < 0 < t.loc[3, "CI.Upper"] and t.loc[3, "Star"] == ""
    assert t.loc[4, "Star"] == "*"
    assert abs(t.loc[5, "Estimate"]) < 3 * t.loc[5, "Est.Error"]
    assert "two-sided" in str(res)


def _kernel_density_mcse(draws: np.ndarray, at: float) -> tuple[float, float, float]:
    """Gaussian kernel density of (chain, draw) ``draws`` at ``at`` with R's bw.nrd0 bandwidth, the
    Monte Carlo standard error of that mean of kernel values, and the bandwidth."""
    x = draws.reshape(-1)
    iqr = np.subtract(*np.quantile(x, [0.75, 0.25]))
    h = 0.9 * min(x.std(ddof=1), iqr / 1.34) * x.size ** -0.2
    k = stats.norm.pdf(at, draws, h)  # kernel values, shaped like the chains
    return float(k.mean()), float(k.std() / math.sqrt(arviz_stats.ess(k, method="mean"))), float(h)


def test_savage_dickey_with_prior_draws(sim_fit):
    assert "prior_b_x" in sim_fit.draws_dict
    row = hypothesis(sim_fit, "x = 3").hypothesis.loc[1]
    # finite and, at the true value, in favour of the point hypothesis
    assert np.isfinite(row["Evid.Ratio"]) and row["Evid.Ratio"] > 1
    assert row["Post.Prob"] == pytest.approx(row["Evid.Ratio"] / (1 + row["Evid.Ratio"]))
    # brms's ratio: Gaussian kernel densities (R's bw.nrd0) of the posterior and prior draws at 3
    b, p = sim_fit.draws_dict["b_x"], sim_fit.draws_dict["prior_b_x"]
    post, se_post, h_post = _kernel_density_mcse(b, 3.0)
    prior, se_prior, h_prior = _kernel_density_mcse(p, 3.0)
    assert row["Evid.Ratio"] == pytest.approx(post / prior, rel=1e-9)
    # ... estimate the smoothed densities: the posterior's normal approximation (b is a regression
    # slope with 100 rows) and the normal(0, 5) prior, each convolved with its kernel N(0, h^2)
    m, s, ess = b.mean(), b.std(), float(arviz_stats.ess(b, method="mean"))
    expected = stats.norm.pdf(3, m, math.hypot(s, h_post)) / stats.norm.pdf(3, 0, math.hypot(5, h_prior))
    # tolerance from Monte Carlo error, on the log scale: the two kernel means' standard errors
    # (sd of the kernel values / sqrt of their ESS) and the normal approximation's (its mean and sd
    # estimated from ESS draws: d log pdf = z dm / s + (z^2 - 1) ds / s); 4 standard errors
    z = (3 - m) / s
    se_log = math.sqrt((se_post / post) ** 2 + (se_prior / prior) ** 2 + (z ** 2 + (z ** 2 - 1) ** 2 / 2) / ess)
    assert abs(math.log(row["Evid.Ratio"] / expected)) < 4 * se_log, (row["Evid.Ratio"], expected, se_log)
    assert 4 * se_log < 0.5  # tight enough to tell a density off by a factor of 1.65
    # far from the posterior: strong evidence against
    assert hypothesis(sim_fit, "x = 0").hypothesis.loc[1, "Evid.Ratio"] < 1e-3
    assert hypothesis(sim_fit, "x = 3").prior_samples is not None


def test_two_sided_without_prior_draws_is_na(sleep_fit):
    res = hypothesis(sleep_fit, "Days = 10")
    row = res.hypothesis.loc[1]
    assert np.isnan(row["Evid.Ratio"]) and np.isnan(row["Post.Prob"])
    d = sleep_fit.draws_dict["b_Days"].reshape(-1) - 10
    assert (row["CI.Lower"], row["CI.Upper"]) == pytest.approx(tuple(np.quantile(d, [0.025, 0.975])))
    assert row["Star"] == ""
    assert " NA " in str(res)
    assert res.prior_samples is None


def test_several_named_and_classes(sleep_fit):
    res = hypothesis(sleep_fit, {"slope": "Days > 0", "combo": "Intercept - Days * 20 = 0"})
    assert list(res.hypothesis["Hypothesis"]) == ["slope", "combo"]
    combo = (sleep_fit.draws_dict["b_Intercept"] - 20 * sleep_fit.draws_dict["b_Days"]).reshape(-1)
    assert res.hypothesis.loc[2, "Estimate"] == pytest.approx(combo.mean())
    # full names with class_="", and the class prefix with group
    a = hypothesis(sleep_fit, "sd_Subject__Intercept > 20", class_="").hypothesis.loc[1]
    b = hypothesis(sleep_fit, "Intercept > 20", class_="sd", group="Subject").hypothesis.loc[1]
    c = hypothesis(sleep_fit, "Subject__Intercept > 20", class_="sd").hypothesis.loc[1]
    sd = sleep_fit.draws_dict["sd_Subject__Intercept"].reshape(-1)
    for row in (a, b, c):
        assert row["Estimate"] == pytest.approx(sd.mean() - 20)
        assert row["Post.Prob"] == pytest.approx(np.mean(sd > 20))
    assert "Hypothesis Tests for class sd:" in str(hypothesis(sleep_fit, "Subject__Days > 1", class_="sd"))
    # functions and R's ^
    e = hypothesis(sleep_fit, "exp(Days / 10) - Days^0.5 > 0").hypothesis.loc[1, "Estimate"]
    days = sleep_fit.draws_dict["b_Days"].reshape(-1)
    assert e == pytest.approx(np.mean(np.exp(days / 10) - days ** 0.5))


def test_scope_coef_and_ranef(sleep_fit):
    res = hypothesis(sleep_fit, "Intercept > 260", scope="coef", group="Subject")
    t = res.hypothesis
    assert len(t) == 18 and list(t.columns[:2]) == ["Group", "Hypothesis"]
    d = sleep_fit.draws_dict
    lv = t.loc[1, "Group"]
    coef = (d["b_Intercept"] + d[f"r_Subject[{lv},Intercept]"]).reshape(-1) - 260
    assert t.loc[1, "Estimate"] == pytest.approx(coef.mean())
    rr = hypothesis(sleep_fit, ["Days < 0", "Intercept = 0"], scope="ranef", group="Subject").hypothesis
    assert len(rr) == 36
    assert rr.loc[1, "Estimate"] == pytest.approx(d[f"r_Subject[{lv},Days]"].mean())
    assert rr["Evid.Ratio"].iloc[18:].isna().all()  # no prior draws for levels
    assert "Group" in str(res)


def test_bad_input(sleep_fit):
    with pytest.raises(BrmsError, match="cannot be found.*Valid names for class 'b': Intercept, Days"):
        hypothesis(sleep_fit, "Foo > 1")
    with pytest.raises(BrmsError, match="left \\(= OR < OR >\\) right"):
        hypothesis(sleep_fit, "Days >> 5")
    with pytest.raises(BrmsError, match="left"):
        hypothesis(sleep_fit, "Days")
    with pytest.raises(BrmsError, match="Unknown function"):
        hypothesis(sleep_fit, "__import__('os') > 0")
    with pytest.raises(BrmsError, match="Unknown function"):
        hypothesis(sleep_fit, "system(1) > 0")
    with pytest.raises(BrmsError, match="cannot be found"):
        hypothesis(sleep_fit, "Days.__class__ > 0")
    with pytest.raises(BrmsError, match="Unsupported syntax"):
        hypothesis(sleep_fit, "(lambda: 1)() > 0")
    with pytest.raises(BrmsError, match="Unsupported syntax"):
        hypothesis(sleep_fit, "'a' + Days > 0")
    with pytest.raises(BrmsError, match="Cannot parse"):
        hypothesis(sleep_fit, "Days + > 0")
    with pytest.raises(BrmsError, match="scope"):
        hypothesis(sleep_fit, "Days > 0", scope="levels")
    with pytest.raises(BrmsError, match="group must be one of"):
        hypothesis(sleep_fit, "Days > 0", scope="coef", group="Nope")
    with pytest.raises(BrmsError, match="needs group"):
        hypothesis(sleep_fit, "Days > 0", scope="coef")
    with pytest.raises(BrmsError, match="alpha"):
        hypothesis(sleep_fit, "Days > 0", alpha=0.7)
    with pytest.raises(BrmsError, match="BrmsFit"):
        hypothesis("fit", "Days > 0")


def test_no_python_eval(sleep_fit, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec must not be used")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    assert hypothesis(sleep_fit, "Intercept - Days * 20 = 0").hypothesis.shape[0] == 1


def test_parsing_helpers():
    assert parse_hypothesis("Days > 5") == ("(Days)-(5)", ">")
    assert parse_hypothesis(" a:b + c = 0 ") == ("(a:b+c)", "=")
    assert parse_hypothesis("x < -1e-3") == ("(x)-(-1e-3)", "<")
    v = {"r_g[1,Intercept]": np.array([1.0, 2.0]), "a:b": np.array([3.0, 4.0])}
    out = evaluate_expression("r_g[1,Intercept] * 2 + a:b - .5 + 1e1", v)
    assert out.tolist() == [14.5, 17.5]
