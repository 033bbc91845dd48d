"""cox (brms's proportional hazards model with an M-spline baseline hazard: ``time | cens(1 - event) ~ x``).

Golden Stan code accepted by stanc; brms's Stan functions equal to the numpy density and survival
function; brms's default priors and the sbhaz prior's checks; the refusals (mixtures, epred/predict as
brms; interval censoring and trunc() are in ``test_cox_bounds.py``, mixtures in ``test_cox_mixture.py``); a fit whose numpy log-likelihood sums to Stan's density, with
brms's names ``sbhaz[k]`` and log_lik on new data through the model's basis; and recovery of a known
log hazard ratio from Weibull proportional-hazards survival times.  The spline bases themselves are
compared with splines2 in ``tests/frame/test_bhaz.py``, the Stan data with brms in the corpus
(``fam_cox*`` in ``tools/brms_corpus.py``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.core.templates import StanFunction
from brmspy.families.cox import cox_lccdf, cox_lpdf
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

BETA = 0.7  # true log hazard ratio of x


SHAPE, SCALE = 1.5, 2.0  # Weibull baseline: cumulative hazard (t / SCALE)^SHAPE at x = 0


def _data(n: int = 250, seed: int = 5) -> pd.DataFrame:
    """Weibull proportional hazards: h(t | x) = shape t^(shape-1) / scale^shape exp(BETA x); uniform censoring."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    shape, scale = SHAPE, SCALE
    t = scale * (-np.log(rng.uniform(size=n)) / np.exp(BETA * x)) ** (1 / shape)
    c = rng.uniform(0, 6, size=n)
    return pd.DataFrame({"time": np.round(np.minimum(t, c), 4), "event": (t <= c).astype(int), "x": x,
                         "g": np.arange(n) % 6})


CASES = {
    "cox": ("time ~ x", bp.cox()),
    "cox_cens_group": ("time | cens(1 - event) ~ x + (1 | g)", bp.cox()),
    "cox_identity_bhaz": ("time | cens(1 - event) ~ x", bp.cox(link="identity", bhaz={"df": 7, "intercept": False})),
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_code_and_stanc(name: str, update_golden: bool) -> None:
    formula, family = CASES[name]
    code = bp.make_stancode(formula, _data(n=40), family)
    assert_golden(f"fam_{name}", code, update_golden)


def test_numpy_density_and_survival_equal_brms_stan_functions() -> None:
    fun = StanFunction("cox").text
    prog = ("functions {\n" + fun + "}\ndata { int N; real y; real mu; real bhaz; real cbhaz; int which; }\n"
            "parameters { real z; }\nmodel { if (which == 0) target += cox_lpdf(y | mu, bhaz, cbhaz);"
            " else if (which == 1) target += cox_lccdf(y | mu, bhaz, cbhaz);"
            " else if (which == 2) target += cox_lcdf(y | mu, bhaz, cbhaz);"
            " else if (which == 3) target += cox_log_lpdf(y | log(mu), bhaz, cbhaz);"
            " else target += cox_log_lccdf(y | log(mu), bhaz, cbhaz); }\n")
    rng = np.random.default_rng(0)
    for _ in range(20):
        mu, bhaz, cbhaz = rng.uniform(0.1, 3), rng.uniform(0.05, 2), rng.uniform(0.01, 3)
        ours = {0: cox_lpdf(1.0, mu, bhaz, cbhaz), 1: cox_lccdf(1.0, mu, bhaz, cbhaz),
                2: np.log1p(-np.exp(cox_lccdf(1.0, mu, bhaz, cbhaz))), 3: cox_lpdf(1.0, mu, bhaz, cbhaz),
                4: cox_lccdf(1.0, mu, bhaz, cbhaz)}
        for which, value in ours.items():
            m = stanli.Model(stan_code=prog, data={"N": 1, "y": 1.0, "mu": mu, "bhaz": bhaz, "cbhaz": cbhaz, "which": which})
            lp, _ = m.log_prob_grad(np.array([0.0]))
            assert float(value) == pytest.approx(lp, rel=1e-12), (which, mu, bhaz, cbhaz)
    # the density is hazard x survival: it integrates to one for a constant hazard
    assert float(cox_lpdf(0.0, 2.0, 1.0, 0.0)) == pytest.approx(np.log(2.0))


def test_brms_default_priors_and_sbhaz_prior_checks() -> None:
    d = _data(n=40)
    pr = bp.get_prior("time | cens(1 - event) ~ x + (1 | g)", d, bp.cox())
    assert list(pr["class"]) == ["b", "b", "Intercept", "sbhaz", "sd", "sd", "sd"]
    assert pr.loc[pr["class"] == "sbhaz", "prior"].item() == "dirichlet(1)"
    sd = bp.make_standata("time ~ x", d, bp.cox(), prior=bp.prior("dirichlet(2)", class_="sbhaz"))
    np.testing.assert_array_equal(sd["con_sbhaz"], np.full(5, 2.0))
    assert sd["Zbhaz"].shape == sd["Zcbhaz"].shape == (40, 5) and sd["Kbhaz"] == 5
    with pytest.raises(bp.PriorError, match="class 'sbhaz'"):
        bp.prior("normal(0, 1)", class_="sbhaz")
    with pytest.raises(bp.PriorError, match="expected 1 or 5"):
        bp.make_standata("time ~ x", d, bp.cox(), prior=bp.prior("dirichlet(c(1, 2))", class_="sbhaz"))


def test_bhaz_addition_term_of_current_brms() -> None:
    d = _data(n=40)
    a = bp.make_standata("time | cens(1 - event) + bhaz(df = 7, intercept = FALSE, Boundary.knots = c(0, 7)) ~ x", d, "cox")
    b = bp.make_standata("time | cens(1 - event) ~ x", d, bp.cox(bhaz={"df": 7, "intercept": False, "Boundary.knots": [0, 7]}))
    assert a["Kbhaz"] == 7
    np.testing.assert_array_equal(a["Zbhaz"], b["Zbhaz"])
    np.testing.assert_array_equal(a["Zcbhaz"], b["Zcbhaz"])
    with pytest.raises(bp.FormulaError, match="must be a number"):
        bp.make_standata("time | bhaz(df = x) ~ x", d, "cox")
    with pytest.raises(bp.FormulaError, match="'bhaz' is not supported for family 'weibull'"):
        bp.make_standata("time | bhaz() ~ x", d, "weibull")


def test_refusals() -> None:
    d = _data(n=40)
    with pytest.raises(bp.FamilyError, match="Mixtures with more than one cox component"):
        bp.make_standata("time ~ x", d, bp.mixture("cox", "cox"))
    with pytest.raises(bp.FamilyError, match="'bhaz' .* argument of family 'cox'"):
        bp.brmsfamily("weibull", bhaz={"df": 4})
    with pytest.raises(bp.FamilyError, match="no argument 'dof'"):
        bp.cox(bhaz={"dof": 4})
    with pytest.raises(bp.FamilyError, match="not available for family 'cox'"):
        bp.cox(link="logit")


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm("time | cens(1 - event) ~ x", _data(), bp.cox(), seed=2, refresh=0, iter=600, chains=2)


@pytest.mark.slow
def test_numpy_loglik_equals_stan_names_and_predictions(fit) -> None:
    assert_loglik_matches_stan(fit, draws=(0, 100, -1))
    names = list(fit.draws_dict)
    assert names[:7] == ["b_Intercept", "b_x", "sbhaz[1]", "sbhaz[2]", "sbhaz[3]", "sbhaz[4]", "sbhaz[5]"]
    s = np.stack([fit.draws_dict[f"sbhaz[{k}]"] for k in range(1, 6)], axis=-1)
    np.testing.assert_allclose(s.sum(axis=-1), 1.0, rtol=1e-10)  # a simplex
    ll = bp.log_lik(fit)
    new = bp.log_lik(fit, newdata=fit.data.iloc[:12])  # new data go through the model's basis (its knots)
    np.testing.assert_allclose(new, ll[:, :12], rtol=1e-10)
    with pytest.warns(bp.DataWarning, match="beyond the baseline hazard's boundary knots"):
        bp.log_lik(fit, newdata=fit.data.iloc[:3].assign(time=[0.5, 1.0, 50.0]))
    with pytest.raises(bp.FamilyError, match="Cannot compute expected values .* family 'cox'"):
        bp.posterior_epred(fit)
    with pytest.raises(bp.FamilyError, match="Cannot sample from the posterior predictive distribution for family 'cox'"):
        bp.posterior_predict(fit)


@pytest.mark.slow
def test_saved_fit_keeps_the_baseline_hazard_arguments(tmp_path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = bp.brm("time | cens(1 - event) ~ x", _data(n=60), bp.cox(bhaz={"df": 6, "Boundary.knots": [0, 7]}),
                   seed=1, refresh=0, iter=200, chains=1)
    bp.save_fit(f, tmp_path / "cox.brmspy")
    g = bp.load_fit(tmp_path / "cox.brmspy")
    assert g.family.bhaz == {"df": 6, "Boundary.knots": [0.0, 7.0], "intercept": True}
    np.testing.assert_allclose(bp.log_lik(g), bp.log_lik(f), rtol=1e-12)


@pytest.mark.slow
def test_recovery_of_the_log_hazard_ratio(fit) -> None:
    assert_recovers(fit.draws_dict, {"b_x": BETA}, central95=True)
    assert fit.draws_dict["b_x"].std() < 0.2  # informative: 250 rows, about 60% events


@pytest.mark.slow
def test_recovery_of_the_baseline_cumulative_hazard(fit) -> None:
    # H(t | x = 0) = exp(b_Intercept) * Zcbhaz(t) sbhaz against the Weibull truth (t / SCALE)^SHAPE
    basis = fit.frame.responses[""].bhaz.basis
    times = np.array([0.5, 1.0, 2.0, 3.0])
    s = np.stack([np.ravel(fit.draws_dict[f"sbhaz[{k}]"]) for k in range(1, basis.n_basis + 1)], axis=-1)
    H = np.exp(np.ravel(fit.draws_dict["b_Intercept"]))[:, None] * (s @ basis.i(times).T)
    for j, t in enumerate(times):
        assert_recovers({"H": np.log(H[:, j])}, {"H": SHAPE * np.log(t / SCALE)})
