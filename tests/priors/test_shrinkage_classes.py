"""horseshoe() and R2D2() beyond class ``b`` (issue 21): current brms's shrinkage of the ``bsp`` of
mo()/me()/mi() terms, the ``bs`` and ``sds`` of s() terms, ``sdgp``, ``ar``/``ma``, ``sderr`` and ``sdcar``.

Current brms (``stan_special_prior``, ``stan_prior_non_centered``) puts every scaled parameter into one
``scales`` vector in the order b, bsp, bs, sds, sdgp, sderr, ar, ma, sdcar, sd; brms 2.18 allowed the
horseshoe on ``b`` and ``bsp`` (its own ``hs_localsp``) and is the density oracle there; the rest is
checked against current brms's source (codes and refusals), Stan's density (log_lik) and recovery.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.core.errors import PriorError
from tests.checks import assert_loglik_matches_stan, brms_program

SIM = "tests/reference/brms/data/sim.csv"


# ----------------------------------------------------------------------------- code and refusals


def test_scales_in_brms_order() -> None:
    """One prior over b, bsp, bs and sds: brms's order of the parts of ``scales`` (b, bsp, bs, sds)."""
    sim = pd.read_csv(SIM)
    prior = bp.prior("R2D2(0.5, 2, main = TRUE)") + bp.prior("R2D2()", class_="sds")
    build = bp.build_model("y ~ x1 + s(x2) + mo(xmo)", sim, prior=prior)
    code = build.code
    stanli.stan_to_mir(code)
    for line in ("sdb = scales[(1):(Kc)];", "sdbsp = scales[(1+Kc):(Kc+Ksp)];", "sdbs = scales[(1+Kc+Ksp):(Kc+Ksp+Ks)];",
                 "sds_1 = scales[(1+Kc+Ksp+Ks):(Kc+Ksp+Ks+nb_1)];", "bsp = zbsp .* sdbsp;", "bs = zbs .* sdbs;"):
        assert line in code, line
    pars = code.split("\nparameters {")[1].split("\n}")[0]
    assert " bsp;" not in pars and " bs;" not in pars and " sds_1;" not in pars  # parts of scales, not parameters
    assert "lprior += student_t_lpdf(sds_1" not in code
    # the spline coefficients use sds_1 after it is set
    tpar = code.split("transformed parameters {")[1]
    assert tpar.index("sds_1 = scales") < tpar.index("s_1_1 = sds_1[1] * zs_1_1;")
    assert build.data["Kscales"] == 1 + 1 + 1 + 1  # x1, mo(xmo), the linear part of s(x2), its one sds
    np.testing.assert_array_equal(build.data["R2D2_cons_D2"], [0.5] * 4)


def test_scalar_scales_and_autocor() -> None:
    sim = pd.read_csv(SIM)
    code = bp.make_stancode("ycnt ~ x1 + ar(time = tim, gr = g1, p = 1)", sim, "poisson",
                            prior=bp.prior("horseshoe(1)", class_="sderr"))
    assert "sderr = scales[(1):(1)][1];" in code  # a scalar takes one element, as brms
    assert code.index("sderr = scales") < code.index("err = sderr * zerr;")
    stanli.stan_to_mir(code)
    # latent residuals with a covariance structure: the whole { ... } block that uses sderr follows it
    code = bp.make_stancode("ycnt ~ x1 + ar(time = tim, gr = g1, p = 1, cov = TRUE)", sim, "poisson",
                            prior=bp.prior("R2D2()", class_="sderr"))
    tpar = code.split("transformed parameters {")[1]
    assert tpar.index("sderr = scales[(1):(1)][1];") < tpar.index("{\n") < tpar.index("err = scale_time_err(zerr, sderr")
    stanli.stan_to_mir(code)
    code = bp.make_stancode("y ~ x1 + arma(time = tim, gr = g1, p = 2, q = 1, cov = FALSE)", sim,
                            prior=bp.prior("R2D2(0.5, 2)", class_="ar") + bp.prior("R2D2(main = TRUE)", class_="ma"))
    for line in ("sdar = scales[(1):(Kar)];", "sdma = scales[(1+Kar):(Kar+Kma)];", "ar = zar .* sdar;"):
        assert line in code, line
    stanli.stan_to_mir(code)
    code = bp.make_stancode("y ~ x1 + gp(x2) + gp(x3)", sim, prior=bp.prior("horseshoe(1)", class_="sdgp"))
    assert "sdgp_1 = scales[(1):(Kgp_1)];" in code and "sdgp_2 = scales[(1+Kgp_1):(Kgp_1+Kgp_2)];" in code
    stanli.stan_to_mir(code)


@pytest.mark.parametrize("formula, family, prior, message", [
    # brms checks the bounds (-1, 1) of ar with cov = TRUE first (validate_special_prior), as brmspy
    ("y ~ x1 + ar(time = tim, gr = g1, p = 1, cov = TRUE)", "gaussian", bp.prior("horseshoe(1)", class_="ar"),
     "Setting boundaries on coefficients is not allowed"),
    ("ycnt ~ x1 + ar(time = tim, gr = g1, p = 1)", "poisson", bp.prior("horseshoe(1)", class_="ar"),
     "Setting boundaries on coefficients is not allowed"),  # ar of latent residuals is bounded
    ("y ~ x1 + (1 | gr(g1, by = gby))", "gaussian", bp.prior("R2D2()", class_="sd"),
     "not yet compatible with the 'by' argument"),
    ("y ~ x1 + s(x2) + s(x3)", "gaussian", bp.prior("R2D2()", class_="sds") + bp.prior("normal(0, 1)", class_="sds",
                                                                                   coef="s(x2)"),
     "separate priors for single coefficients or groups"),
    ("y ~ x1 + s(x2)", "gaussian", bp.prior("R2D2()") + bp.prior("R2D2()", class_="sds"), "main = TRUE"),
    ("yord ~ x1 + cs(x2)", "acat", bp.prior("horseshoe(1)"), "category-specific effects"),
])
def test_brms_refusals(formula: str, family: str, prior, message: str) -> None:
    sim = pd.read_csv(SIM)
    with pytest.raises(PriorError, match=message):
        bp.make_stancode(formula, sim, family, prior=prior)


def test_shrinkage_on_unknown_class_is_refused() -> None:
    with pytest.raises(PriorError, match="invalid context"):
        bp.prior("horseshoe(1)", class_="sigma")
    with pytest.raises(PriorError, match="invalid context"):
        bp.prior("R2D2()", class_="sds", coef="s(x)")


# ----------------------------------------------------------------------------- brms 2.18's density


def test_same_log_density_as_brms_2_18_mo_me() -> None:
    """brms 2.18 shrinks bsp with its own local scales ``hs_localsp`` and the shared global ones; current brms
    (brmspy) concatenates the locals into one ``hs_local``: the same model, so the same log density."""
    sim = pd.read_csv(SIM)
    build = bp.build_model("y ~ x1 + x2 + mo(xmo) + me(xme, sdxme)", sim, prior=bp.prior("horseshoe(1, par_ratio = 0.5)"))
    ours = stanli.Model(stan_code=build.code, data=build.data)
    theirs = brms_program("sim_horseshoe_mo_me")
    rng = np.random.default_rng(21)
    J = int(build.data["Jmo"][0])
    N = len(sim)
    for _ in range(3):
        common = {"zb": rng.normal(size=2), "zbsp": rng.normal(size=2), "Intercept": rng.normal(),
                  "simo_1": rng.dirichlet(np.ones(J)), "hs_global": rng.uniform(0.1, 1), "hs_slab": rng.uniform(0.5, 2),
                  "sigma": rng.uniform(0.5, 2), "meanme_1": rng.normal(size=1), "sdme_1": rng.uniform(0.5, 2, 1),
                  "zme_1": rng.normal(size=N)}
        local, local_sp = rng.uniform(0.2, 3, 2), rng.uniform(0.2, 3, 2)
        lp_theirs = theirs.log_prob_grad(theirs.unconstrain({**common, "hs_local": local, "hs_localsp": local_sp}))[0]
        lp_ours = ours.log_prob_grad(ours.unconstrain({**common, "hs_local": np.concatenate([local, local_sp])}))[0]
        np.testing.assert_allclose(lp_ours, lp_theirs, rtol=1e-10)


# ----------------------------------------------------------------------------- recovery


def _sparse_mo_data(n: int = 150, seed: int = 21) -> tuple[pd.DataFrame, dict[str, float]]:
    """20 predictors: 18 continuous and 2 monotonic (4 levels); three effects are nonzero."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 18))
    m1, m2 = rng.integers(0, 4, n), rng.integers(0, 4, n)
    truth = {f"b_x{i}": 0.0 for i in range(1, 19)}
    truth.update(b_x1=1.5, b_x2=-1.0, bsp_mom1=0.8, bsp_mom2=0.0)
    # mo(m1) with equal steps: bsp * D * sum(simo[1:m]) = bsp * m
    y = 0.5 + 1.5 * X[:, 0] - 1.0 * X[:, 1] + 0.8 * m1 + rng.normal(size=n)
    d = pd.DataFrame(X, columns=[f"x{i}" for i in range(1, 19)]).assign(m1=m1, m2=m2, y=y)
    return d, truth


@pytest.fixture(scope="module")
def mo_fit():
    d, _ = _sparse_mo_data()
    formula = "y ~ " + " + ".join(f"x{i}" for i in range(1, 19)) + " + mo(m1) + mo(m2)"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a few divergences are usual with the horseshoe
        return bp.brm(formula, d, prior=bp.prior("horseshoe(1, par_ratio = 0.15)"), chains=2, iter=600, seed=5,
                      refresh=0, control={"adapt_delta": 0.95})


def test_mo_shrinkage_recovers_sparse_truth(mo_fit) -> None:
    """Known truth: every coefficient within 4 posterior sds of it (the nonzero ones clearly away from zero),
    and the 17 null coefficients shrunk: their posterior means within 2 posterior sds of zero and their average
    posterior sd below the least-squares standard errors'."""
    d, truth = _sparse_mo_data()
    draws = mo_fit.draws_dict
    for name, value in truth.items():
        x = draws[name].ravel()
        assert abs(x.mean() - value) < 4 * x.std(), (name, x.mean(), x.std(), value)
        if value:
            assert abs(x.mean()) > 3 * x.std(), (name, x.mean(), x.std())
    null = [n for n, v in truth.items() if v == 0]
    assert all(abs(draws[n].mean()) < 2 * draws[n].std() for n in null), {n: draws[n].mean() for n in null}
    X = np.column_stack([np.ones(len(d)), d[[f"x{i}" for i in range(1, 19)]].to_numpy(), d.m1, d.m2])
    se = np.sqrt(np.diag(np.linalg.inv(X.T @ X))[1:]) * draws["sigma"].mean()
    null_sd = np.mean([draws[f"b_x{i}"].std() for i in range(3, 19)] + [draws["bsp_mom2"].std()])
    assert null_sd < np.mean(np.r_[se[2:18], se[19]]), (null_sd, se)


def test_mo_shrinkage_names_and_log_lik(mo_fit) -> None:
    names = list(mo_fit.draws_dict)
    for n in ("bsp_mom1", "bsp_mom2", "simo_mom11[1]", "zbsp[2]", "sdbsp[1]", "hs_local[20]", "hs_global", "zb[18]"):
        assert n in names, n
    np.testing.assert_allclose(mo_fit.draws_dict["bsp_mom1"], mo_fit.draws_dict["zbsp[1]"] * mo_fit.draws_dict["sdbsp[1]"],
                               rtol=1e-10)
    assert "mom1" in mo_fit.summary().population.index
    assert_loglik_matches_stan(mo_fit)


def test_r2d2_on_sds_recovers_smooth_and_null_smooth() -> None:
    """R2D2 over b, bs and sds: a real smooth of x1 and a null smooth of x2; the fit's predictions follow the
    true curve, the null smooth's sd is shrunk below the real one's, and numpy's log_lik equals Stan's density."""
    rng = np.random.default_rng(7)
    n = 120
    x1, x2 = rng.uniform(-2, 2, n), rng.uniform(-2, 2, n)
    f = np.sin(1.5 * x1)
    d = pd.DataFrame({"x1": x1, "x2": x2, "y": f + rng.normal(scale=0.3, size=n)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y ~ s(x1, k = 6) + s(x2, k = 6)", d, prior=bp.prior("R2D2(0.5, 2, main = TRUE)")
                     + bp.prior("R2D2()", class_="sds"), chains=2, iter=600, seed=3, refresh=0,
                     control={"adapt_delta": 0.95})
    draws = fit.draws_dict
    for n_ in ("R2D2_R2", "R2D2_phi[4]", "sds_sx1_1", "sds_sx2_1", "bs_sx1_1", "zbs[1]", "sdbs[2]"):
        assert n_ in draws, n_
    assert draws["sds_sx2_1"].mean() < draws["sds_sx1_1"].mean()
    mu = bp.posterior_epred(fit)
    resid = mu.mean(axis=0) - (f - f.mean() + d.y.mean())
    assert np.sqrt(np.mean(resid ** 2)) < 0.2  # the noise sd is 0.3; the fitted curve is much closer than that
    assert_loglik_matches_stan(fit)


def test_horseshoe_on_ar_fit() -> None:
    """horseshoe() over b and ar(p = 3) of an AR(1) series: ar[1] recovered, ar[2], ar[3] near zero; log_lik = Stan."""
    rng = np.random.default_rng(4)
    n = 200
    e = np.zeros(n)
    for t in range(1, n):
        e[t] = 0.6 * e[t - 1] + rng.normal(scale=0.5)
    x = rng.normal(size=n)
    d = pd.DataFrame({"x": x, "t": np.arange(n), "y": 1 + 0.5 * x + e})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y ~ x + ar(time = t, p = 3, cov = FALSE)", d, prior=bp.prior("horseshoe(1, main = TRUE)")
                     + bp.prior("horseshoe()", class_="ar"), chains=2, iter=600, seed=8, refresh=0,
                     control={"adapt_delta": 0.95})
    draws = fit.draws_dict
    a = draws["ar[1]"].ravel()
    assert abs(a.mean() - 0.6) < 4 * a.std()
    for k in (2, 3):
        ak = draws[f"ar[{k}]"].ravel()
        assert abs(ak.mean()) < 2 * ak.std() + 0.05, (k, ak.mean(), ak.std())
    assert "zar[3]" in draws and "sdar[1]" in draws
    assert_loglik_matches_stan(fit)


def test_sdcar_is_a_part_of_the_scales() -> None:
    """R2D2 over b and sdcar (icar: rcar = zcar * sdcar after sdcar is set); a small fit: log_lik = Stan."""
    locs = [f"L{i}" for i in range(6)]
    W = np.zeros((6, 6))
    for i in range(6):
        W[i, (i + 1) % 6] = W[(i + 1) % 6, i] = 1
    rng = np.random.default_rng(2)
    d = pd.DataFrame({"yc": rng.poisson(2, 60), "x": rng.normal(size=60), "g": np.tile(locs, 10)})
    prior = bp.prior("R2D2(0.5, 2, main = TRUE)") + bp.prior("R2D2()", class_="sdcar")
    f = 'yc ~ x + car(W, gr = g, type = "icar")'
    data2 = {"W": pd.DataFrame(W, index=locs, columns=locs)}
    code = bp.make_stancode(f, d, "poisson", prior=prior, data2=data2)
    assert "sdcar = scales[(1+Kc):(Kc+1)][1];" in code
    assert code.index("sdcar = scales") < code.index("rcar = zcar * sdcar;")
    stanli.stan_to_mir(code)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm(f, d, "poisson", prior=prior, data2=data2, chains=2, iter=400, seed=1, refresh=0)
    assert "sdcar" in fit.draws_dict and "R2D2_phi[2]" in fit.draws_dict
    assert_loglik_matches_stan(fit)


def test_sderr_cov_fit_log_lik() -> None:
    """R2D2 over b and sderr of latent AR(1) residuals (cov = TRUE): numpy's log_lik equals Stan's density."""
    rng = np.random.default_rng(6)
    n = 40
    d = pd.DataFrame({"y": rng.poisson(3, n), "x": rng.normal(size=n), "t": np.tile(np.arange(10), 4),
                      "g": np.repeat(["a", "b", "c", "d"], 10)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y ~ x + ar(time = t, gr = g, p = 1, cov = TRUE)", d, "poisson",
                     prior=bp.prior("R2D2(0.5, 2, main = TRUE)") + bp.prior("R2D2()", class_="sderr"), chains=2,
                     iter=300, seed=4, refresh=0)
    assert "sderr" in fit.draws_dict and "R2D2_phi[2]" in fit.draws_dict
    assert_loglik_matches_stan(fit)


def test_r2d2_scales_numpy_vs_stan() -> None:
    """The new part of the density, numpy against Stan: with R2D2 over b, bs and sds, Stan's log density
    changes between two points that differ only in the standardized effects (zb, zbs, zs) and the Intercept
    exactly as numpy's likelihood and standard normal priors do, with b, bs and the spline coefficients
    scaled by ``scales = sqrt(phi * sigma^2 * R2 / (1 - R2))`` split as b, bs, sds (brms's order)."""
    from scipy import stats

    sim = pd.read_csv(SIM)
    build = bp.build_model("y ~ x1 + s(x2)", sim, prior=bp.prior("R2D2(0.5, 2, main = TRUE)")
                           + bp.prior("R2D2()", class_="sds"))
    model = stanli.Model(stan_code=build.code, data=build.data)
    dat = build.data
    X = np.asarray(dat["X"])[:, 1:]
    Xc = X - X.mean(axis=0)
    Xs, Zs, y = np.asarray(dat["Xs"]), np.asarray(dat["Zs_1_1"]), np.asarray(dat["Y"])
    rng = np.random.default_rng(9)
    fixed = {"R2D2_R2": 0.4, "R2D2_phi": np.array([0.5, 0.2, 0.3]), "sigma": 0.9}
    scales = np.sqrt(fixed["R2D2_phi"] * fixed["sigma"] ** 2 * 0.4 / 0.6)

    def point():
        return {**fixed, "Intercept": rng.normal(), "zb": rng.normal(size=1), "zbs": rng.normal(size=1),
                "zs_1_1": rng.normal(size=Zs.shape[1])}

    def numpy_part(p):
        mu = p["Intercept"] + Xc @ (p["zb"] * scales[0]) + Xs @ (p["zbs"] * scales[1]) + Zs @ (p["zs_1_1"] * scales[2])
        lp = stats.norm.logpdf(y, mu, fixed["sigma"]).sum()
        lp += stats.norm.logpdf(np.concatenate([p["zb"], p["zbs"], p["zs_1_1"]])).sum()
        return lp + stats.t.logpdf(p["Intercept"], dat["prior_Intercept_df"], dat["prior_Intercept_loc"],
                                   dat["prior_Intercept_scale"])

    a, b = point(), point()
    stan_diff = model.log_prob_grad(model.unconstrain(a))[0] - model.log_prob_grad(model.unconstrain(b))[0]
    np.testing.assert_allclose(stan_diff, numpy_part(a) - numpy_part(b), rtol=1e-9)
