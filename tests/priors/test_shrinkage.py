"""horseshoe() and R2D2() priors on population-level coefficients (issue 21, "Priors").

brms's parameterisation (current brms: ``b = zb .* sdb``, ``sdb`` from ``scales_horseshoe()`` /
``scales_R2D2()``), brms's names of the shrinkage parameters, the same log density as brms 2.18's
programs at the same parameter values, brms's refusals, and recovery on simulated sparse data.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.core.distributions import parse_special_prior
from brmspy.core.errors import PriorError
from tests.checks import assert_loglik_matches_stan, assert_same_named_log_density, brms_program

SIM = "tests/reference/brms/data/sim.csv"


def _sparse_data(n: int = 100, seed: int = 11) -> tuple[pd.DataFrame, np.ndarray]:
    """Gaussian data with 8 predictors, two of them with effects: beta = (1.5, -1, 0, ..., 0)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 8))
    beta = np.array([1.5, -1.0, 0, 0, 0, 0, 0, 0])
    y = 0.5 + X @ beta + rng.normal(scale=1.0, size=n)
    return pd.DataFrame(X, columns=[f"x{i}" for i in range(1, 9)]).assign(y=y), beta


FORMULA = "y ~ " + " + ".join(f"x{i}" for i in range(1, 9))


@pytest.fixture(scope="module")
def hs_fit():
    d, _ = _sparse_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a few divergences are usual with the horseshoe
        return bp.brm(FORMULA, d, prior=bp.prior("horseshoe(1)"), chains=2, iter=1000, seed=3, refresh=0,
                      control={"adapt_delta": 0.95})


@pytest.fixture(scope="module")
def r2d2_fit():
    d, _ = _sparse_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(FORMULA, d, prior=bp.prior("R2D2(mean_R2 = 0.5, prec_R2 = 2)"), chains=2, iter=1000, seed=4,
                      refresh=0, control={"adapt_delta": 0.95})


# ----------------------------------------------------------------------------- parsing


def test_special_prior_arguments_and_defaults() -> None:
    hs = parse_special_prior("horseshoe(3, par_ratio = 0.1, autoscale = FALSE)")
    assert dict(hs.args) == {"df": 3.0, "scale_global": 1.0, "df_global": 1.0, "scale_slab": 2.0, "df_slab": 4.0,
                             "par_ratio": 0.1, "autoscale": False, "main": False}
    r2 = parse_special_prior("R2D2(0.8, 10, cons_D2 = c(1, 2, 3))")
    assert r2.get("cons_D2") == (1.0, 2.0, 3.0) and r2.get("mean_R2") == 0.8 and r2.get("prec_R2") == 10.0
    assert parse_special_prior("R2D2()").get("cons_D2") == 0.5  # current brms's default (2.18: 1)
    assert parse_special_prior("normal(0, 1)") is None


@pytest.mark.parametrize("text, message", [
    ("horseshoe(-1)", "Degrees of freedom of the local priors"),
    ("horseshoe(1, scale_global = 0)", "Scale of the global prior"),
    ("horseshoe(1, par_ratio = -2)", "par_ratio"),
    ("horseshoe(1, foo = 2)", "no argument 'foo'"),
    ("horseshoe(1, df = 2)", "given twice"),
    ("R2D2(1.5)", "Mean of the R2 prior"),
    ("R2D2(0.5, -1)", "Precision of the R2 prior"),
    ("R2D2(0.5, 2, c(1, -1))", "Concentration of the D2 prior"),
    ("horseshoe(exp(1))", "must be a number"),
])
def test_special_prior_checks(text: str, message: str) -> None:
    with pytest.raises(PriorError, match=message):
        bp.prior(text)


@pytest.mark.parametrize("kw, message", [
    (dict(class_="b", coef="x1"), "invalid context"),
    (dict(class_="sd", group="g"), "invalid context"),
    (dict(class_="sigma"), "invalid context"),
    (dict(class_="b", lb=0), "Cannot add bounds"),
])
def test_shrinkage_only_on_whole_class_b(kw: dict, message: str) -> None:
    with pytest.raises(PriorError, match=message):
        bp.prior("horseshoe(1)", **kw)


def test_shrinkage_refusals_in_models() -> None:
    d, _ = _sparse_data(30)
    d["xm"] = np.arange(30) % 4
    with pytest.raises(PriorError, match="separate priors for single coefficients"):
        bp.make_stancode("y ~ x1 + x2", d, prior=bp.prior("horseshoe(1)") + bp.prior("normal(0, 1)", coef="x1"))
    d["yo"] = np.arange(30) % 3 + 1
    with pytest.raises(PriorError, match="not yet allowed in models with category-specific effects"):  # brms's words
        bp.make_stancode("yo ~ x1 + cs(x2)", d, "acat", prior=bp.prior("horseshoe(1)"))
    with pytest.raises(PriorError, match="length 1 or 2"):
        bp.make_stancode("y ~ x1 + x2", d, prior=bp.prior("R2D2(0.5, 2, cons_D2 = c(1, 2, 3))"))


# ----------------------------------------------------------------------------- data and code


def test_horseshoe_data_and_autoscale() -> None:
    d, _ = _sparse_data(50)
    sd = bp.make_standata("y ~ x1 + x2 + x3", d, prior=bp.prior("horseshoe(3, par_ratio = 0.5, df_slab = 6)"))
    assert sd["Kscales"] == 3 and sd["hs_df"] == 3 and sd["hs_df_slab"] == 6 and sd["hs_scale_slab"] == 2
    assert sd["hs_scale_global"] == pytest.approx(0.5 / np.sqrt(50))  # brms: par_ratio / sqrt(N)
    code = bp.make_stancode("y ~ x1 + x2 + x3", d, prior=bp.prior("horseshoe(1)"))
    assert "hs_scale_global * sigma)" in code  # autoscale: sigma is one parameter
    code = bp.make_stancode("y ~ x1 + x2 + x3", d, prior=bp.prior("horseshoe(1, autoscale = FALSE)"))
    assert "hs_scale_global)" in code
    d["yc"] = np.arange(50) % 5
    code = bp.make_stancode("yc ~ x1 + x2", d, "poisson", prior=bp.prior("horseshoe(1)"))
    assert "hs_scale_global)" in code and "sigma" not in code  # no sigma: no autoscale
    code = bp.make_stancode(bp.bf("y ~ x1 + x2", "sigma ~ x1"), d, prior=bp.prior("R2D2()"))
    assert "R2D2_tau2 = R2D2_R2 / (1 - R2D2_R2);" in code  # predicted sigma: no autoscale (brms's simple_sigma)


def test_r2d2_data() -> None:
    d, _ = _sparse_data(40)
    sd = bp.make_standata("y ~ x1 + x2 + x3", d, prior=bp.prior("R2D2(0.8, 10)"))
    assert sd["Kscales"] == 3 and sd["R2D2_mean_R2"] == 0.8 and sd["R2D2_prec_R2"] == 10
    np.testing.assert_array_equal(sd["R2D2_cons_D2"], [0.5, 0.5, 0.5])
    code = bp.make_stancode("y ~ x1 + x2 + x3", d, prior=bp.prior("R2D2(0.8, 10)"))
    stanli.stan_to_mir(code)
    assert "R2D2_tau2 = sigma^2 * R2D2_R2 / (1 - R2D2_R2);" in code


@pytest.mark.parametrize("case, prior", [("sim_horseshoe", "horseshoe(1, par_ratio = 0.5)"),
                                         ("sim_r2d2", "R2D2(0.5, 2, cons_D2 = 0.5)")])
def test_same_log_density_as_brms_2_18(case: str, prior: str) -> None:
    """brms 2.18's program (its horseshoe()/R2D2() functions) and brmspy's (current brms's scales form)
    have the same log density at the same values of their common parameters."""
    sim = pd.read_csv(SIM)
    build = bp.build_model("y ~ x1 + x2 + x3", sim, prior=bp.prior(prior))
    ours = stanli.Model(stan_code=build.code, data=build.data)
    theirs = brms_program(case)
    rng = np.random.default_rng(5)
    points = []
    for _ in range(3):
        p = {"zb": rng.normal(size=3), "Intercept": rng.normal(), "sigma": rng.uniform(0.5, 2)}
        if "horseshoe" in prior:
            p.update(hs_local=rng.uniform(0.2, 3, 3), hs_global=rng.uniform(0.1, 1), hs_slab=rng.uniform(0.5, 2))
        else:
            phi = rng.dirichlet(np.ones(3))
            p.update(R2D2_R2=rng.uniform(0.1, 0.9), R2D2_phi=phi)
        points.append(p)
    assert_same_named_log_density(theirs, ours, points, rtol=1e-10, label=case)


# ----------------------------------------------------------------------------- fits


def test_horseshoe_names_and_predictions(hs_fit) -> None:
    names = list(hs_fit.draws_dict)
    assert [n for n in names if n.startswith("b_")] == ["b_Intercept", *(f"b_x{i}" for i in range(1, 9))]
    for n in ("hs_global", "hs_slab", "hs_local[8]", "zb[1]", "sdb[8]", "scales[1]", "sigma"):
        assert n in names, n
    # b = zb .* sdb, draw by draw
    np.testing.assert_allclose(hs_fit.draws_dict["b_x3"], hs_fit.draws_dict["zb[3]"] * hs_fit.draws_dict["sdb[3]"],
                               rtol=1e-10)
    table = hs_fit.summary().population
    assert list(table.index) == ["Intercept", *(f"x{i}" for i in range(1, 9))]
    assert_loglik_matches_stan(hs_fit)
    assert bp.posterior_epred(hs_fit, ndraws=10).shape == (10, 100)
    assert np.isfinite(bp.posterior_predict(hs_fit, ndraws=10, seed=1)).all()


@pytest.mark.parametrize("which", ["hs_fit", "r2d2_fit"])
def test_shrinkage_recovers_sparse_coefficients(which: str, request) -> None:
    """Known truth beta = (1.5, -1, 0, ...): every posterior mean within 4 posterior sds of it, and the
    six null coefficients shrunk (their average posterior sd below the least-squares standard errors')."""
    fit = request.getfixturevalue(which)
    d, beta = _sparse_data()
    draws = fit.draws_dict
    for i, truth in enumerate(beta, start=1):
        x = draws[f"b_x{i}"].ravel()
        assert abs(x.mean() - truth) < 4 * x.std(), (which, i, x.mean(), x.std(), truth)
    s = draws["sigma"].ravel()
    assert abs(s.mean() - 1.0) < 4 * s.std()
    X = np.column_stack([np.ones(len(d)), d[[f"x{i}" for i in range(1, 9)]].to_numpy()])
    se = np.sqrt(np.diag(np.linalg.inv(X.T @ X))[1:]) * s.mean()
    null_sd = np.array([draws[f"b_x{i}"].std() for i in range(3, 9)])
    assert null_sd.mean() < se[2:].mean(), (which, null_sd, se[2:])


def test_r2d2_names(r2d2_fit) -> None:
    names = list(r2d2_fit.draws_dict)
    for n in ("R2D2_R2", "R2D2_phi[1]", "R2D2_phi[8]", "R2D2_tau2", "zb[8]", "sdb[1]"):
        assert n in names, n
    phi = np.stack([r2d2_fit.draws_dict[f"R2D2_phi[{k}]"] for k in range(1, 9)], axis=-1)
    np.testing.assert_allclose(phi.sum(axis=-1), 1.0, rtol=1e-10)
    assert_loglik_matches_stan(r2d2_fit)


# ----------------------------------------------------------------------------- across classes: b and sd (main = TRUE)


def _grouped_data(n: int = 120, seed: int = 8) -> pd.DataFrame:
    d, beta = _sparse_data(n, seed)
    rng = np.random.default_rng(seed + 1)
    d["g"] = np.repeat([f"g{i}" for i in range(12)], n // 12)
    d["y"] = d["y"] + rng.normal(scale=0.8, size=12)[np.repeat(np.arange(12), n // 12)]
    return d


def test_shrinkage_across_b_and_sd() -> None:
    """Current brms: one horseshoe over b and the sds (Kscales = Kc + M), arguments from the main one."""
    d = _grouped_data(48)
    prior = bp.prior("horseshoe(3, main = TRUE)") + bp.prior("horseshoe(7)", class_="sd")
    build = bp.build_model("y ~ x1 + x2 + (1 + x1 | g)", d, prior=prior)
    assert build.data["Kscales"] == 4 and build.data["hs_df"] == 3  # main's df, not 7
    code = build.code
    for line in ("sdb = scales[(1):(Kc)];", "sd_1 = scales[(1+Kc):(Kc+M_1)];", "vector<lower=0>[M_1] sd_1;"):
        assert line in code, line
    assert "sd_1;" not in code.split("parameters {")[1].split("}")[0]  # not a parameter any more
    assert "lprior += student_t_lpdf(sd_1" not in code
    with pytest.raises(PriorError, match="exactly one of them must be marked with 'main = TRUE'"):
        bp.make_stancode("y ~ x1 + (1 | g)", d, prior=bp.prior("horseshoe()") + bp.prior("horseshoe()", class_="sd"))
    with pytest.raises(PriorError, match="only one special prior"):
        bp.make_stancode("y ~ x1 + (1 | g)", d, prior=bp.prior("R2D2(main = TRUE)") + bp.prior("horseshoe()", class_="sd"))
    with pytest.raises(PriorError, match="separate priors for single coefficients or groups"):
        bp.make_stancode("y ~ x1 + (1 | g)", d, prior=bp.prior("R2D2()", class_="sd")
                         + bp.prior("normal(0, 1)", class_="sd", group="g"))


def test_r2d2_on_sd_fit() -> None:
    """R2D2 on the sds alone: the fit recovers the group sd and the coefficients; Stan's density equals numpy's."""
    d = _grouped_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y ~ x1 + x2 + (1 | g)", d, prior=bp.prior("R2D2(0.5, 2)", class_="sd"), chains=2, iter=800,
                     seed=6, refresh=0, control={"adapt_delta": 0.95})
    assert "sd_1 = scales[(1):(M_1)];" in fit.stancode()
    draws = fit.draws_dict
    for name, truth in (("b_x1", 1.5), ("b_x2", -1.0), ("sd_g__Intercept", 0.8)):
        x = draws[name].ravel()
        assert abs(x.mean() - truth) < 4 * x.std(), (name, x.mean(), x.std())
    assert "R2D2_R2" in draws and "R2D2_phi[1]" in draws
    assert_loglik_matches_stan(fit)
