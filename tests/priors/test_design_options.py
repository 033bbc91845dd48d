"""bf()'s design options: ``center``, ``cmc``, ``sparse`` and ``decomp = "QR"`` (issue 21, "Formula options").

Each gives brms's data and prior table (tools/brms_corpus.py cases ``opt_*``); here: the program, the
QR back-transformation ``b = XR_inv * bQ``, the same posterior as the default parameterisation where
the priors are the same, recovery of known coefficients, and predictions.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.core.errors import FormulaError, PriorError
from tests.checks import assert_loglik_matches_stan, assert_same_posterior

BETA = {"Intercept": 1.0, "x1": 0.8, "x2": -0.6}


def _data(n: int = 150, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"x1": rng.normal(2, 1, n), "x2": rng.normal(size=n), "f": rng.choice(list("abc"), n)})
    d["y"] = BETA["Intercept"] + BETA["x1"] * d.x1 + BETA["x2"] * d.x2 + rng.normal(scale=0.7, size=n)
    eta = -0.5 + 0.9 * d.x2
    cut = np.array([-1.0, 0.3, 1.5])
    d["yo"] = 1 + (eta.to_numpy()[:, None] + rng.logistic(size=n)[:, None] > cut).sum(axis=1)
    return d


def _fit(formula, data, family="gaussian", seed=1, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(formula, data, family, chains=2, iter=800, seed=seed, refresh=0, **kw)


@pytest.fixture(scope="module")
def fits():
    d = _data()
    return {
        "default": _fit("y ~ x1 + x2", d),
        "qr": _fit(bp.bf("y ~ x1 + x2", decomp="QR"), d, seed=2),
        "uncentered": _fit(bp.bf("y ~ x1 + x2", center=False), d, seed=3),
    }


# ----------------------------------------------------------------------------- code and data


def test_options_checked() -> None:
    with pytest.raises(FormulaError, match="'QR'"):
        bp.bf("y ~ x", decomp="SVD")
    with pytest.raises(FormulaError, match="True or False"):
        bp.bf("y ~ x", center="no")
    # brms's refusal: an ordered mixture (order = "mu") needs the intercepts center = FALSE removes
    with pytest.raises(FormulaError, match="Try setting order = 'none'"):
        bp.make_stancode(bp.bf("y ~ x1", center=False), _data(), bp.mixture("gaussian", "gaussian"))
    with pytest.raises(PriorError, match="bounds"):
        bp.make_stancode(bp.bf("y ~ x1", decomp="QR"), _data(), prior=bp.prior("normal(0, 1)", lb=0))
    assert bp.bf("y ~ x", decomp="none").decomp is None


def test_center_false_is_brms_0_plus_intercept() -> None:
    d = _data(40)
    a = bp.make_standata(bp.bf("y ~ x1 + f", center=False), d)
    b = bp.make_standata("y ~ 0 + Intercept + x1 + f", d)
    np.testing.assert_array_equal(a["X"], b["X"])
    code = bp.make_stancode(bp.bf("y ~ x1 + f", center=False), d)
    assert "vector[K] b;" in code and "Intercept" not in code.split("parameters {")[1].split("}")[0]
    table = bp.get_prior(bp.bf("y ~ x1 + f", center=False), d)
    assert "Intercept" not in set(table["class"]) and "Intercept" in set(table["coef"])
    # sparse = TRUE: brms does not centre either; brmspy multiplies the same matrix densely
    assert bp.make_stancode(bp.bf("y ~ x1 + f", sparse=True), d) == code
    # center applies to the main formula only, as in brms
    code = bp.make_stancode(bp.bf("y ~ x1", "sigma ~ x2", center=False), d)
    assert "real Intercept_sigma;" in code and "vector[K] b;" in code


def test_cmc_false_codes_the_first_factor_with_contrasts() -> None:
    d = _data(30)
    build = bp.build_model(bp.bf("y ~ 0 + f + x1", cmc=False), d)
    assert build.frame.designs[next(iter(build.frame.designs))].coef_names == ["fb", "fc", "x1"]
    default = bp.build_model("y ~ 0 + f + x1", d)
    assert default.frame.designs[next(iter(default.frame.designs))].coef_names == ["fa", "fb", "fc", "x1"]


def test_qr_program() -> None:
    code = bp.make_stancode(bp.bf("y ~ x1 + x2", decomp="QR"), _data(30), prior=bp.prior("normal(0, 2)"))
    stanli.stan_to_mir(code)
    for line in ("matrix[N, K - 1] XQ;", "matrix[K - 1, K - 1] XR_inv;", "vector[Kc] bQ;", "lprior += normal_lpdf(bQ | prior_b_loc, prior_b_scale);",
                 "normal_id_glm_lpdf(Y | XQ, Intercept, bQ, sigma)", "vector[Kc] b = XR_inv * bQ;"):
        assert line in code, line


# ----------------------------------------------------------------------------- fits


def test_qr_data_as_stan_computes_it() -> None:
    """XQ and XR_inv are Stan's qr_thin_Q/qr_thin_R of the centred design, scaled as brms does: X = XQ * XR."""
    d = _data(40)
    sd = bp.make_standata(bp.bf("y ~ x1 + x2", decomp="QR"), d)
    Xc = d[["x1", "x2"]].to_numpy() - d[["x1", "x2"]].to_numpy().mean(axis=0)
    np.testing.assert_allclose(sd["XQ"] @ np.linalg.inv(sd["XR_inv"]), Xc, atol=1e-12)
    np.testing.assert_allclose(sd["XQ"].T @ sd["XQ"] / (len(d) - 1), np.eye(2), atol=1e-12)
    R = np.linalg.inv(sd["XR_inv"])
    assert np.allclose(R, np.triu(R)) and (np.diag(R) > 0).all()


def test_qr_back_transformation(fits) -> None:
    """b = XR_inv * bQ with brms's scaling (R / sqrt(N - 1) of the centred design), draw by draw."""
    fit = fits["qr"]
    d = _data()
    Xc = d[["x1", "x2"]].to_numpy() - d[["x1", "x2"]].to_numpy().mean(axis=0)
    R = np.linalg.qr(Xc, mode="r") / np.sqrt(len(d) - 1)
    R = R * np.sign(np.diag(R))[:, None]  # Stan's qr_thin_R has a positive diagonal
    bQ = fit.stan_draws.params["bQ"].reshape(-1, 2)
    b = np.column_stack([fit.draws_dict["b_x1"].ravel(), fit.draws_dict["b_x2"].ravel()])
    np.testing.assert_allclose(b, np.linalg.solve(R, bQ.T).T, rtol=1e-8, atol=1e-10)


def test_qr_and_uncentered_same_posterior_as_default(fits) -> None:
    """With flat priors on b, the QR and the uncentred parameterisations are the same model as brms's default:
    posterior means agree within Monte Carlo error; and the coefficients are recovered."""
    names = ["b_x1", "b_x2", "sigma"]
    assert_same_posterior(fits["qr"], fits["default"], names + ["b_Intercept"])
    assert_same_posterior(fits["uncentered"], fits["default"], names)
    for fit in fits.values():
        for k, truth in BETA.items():
            x = fit.draws_dict[f"b_{k}"]
            assert abs(x.mean() - truth) < 4 * x.std(), (k, x.mean(), x.std())


def test_options_loglik_and_predictions(fits) -> None:
    d = _data()
    new = d.iloc[:5]
    for key in ("qr", "uncentered"):
        fit = fits[key]
        assert_loglik_matches_stan(fit)
        ep = bp.posterior_epred(fit, newdata=new)
        b = {k: fit.draws_dict[f"b_{k}"].ravel() for k in BETA}
        want = b["Intercept"][:, None] + np.outer(b["x1"], new.x1) + np.outer(b["x2"], new.x2)
        np.testing.assert_allclose(ep, want, rtol=1e-10)
    names = list(fits["uncentered"].draws_dict)
    assert names[:3] == ["b_Intercept", "b_x1", "b_x2"] and "Intercept" not in names


def test_cumulative_center_false_recovers_thresholds() -> None:
    """An ordinal mu with center=FALSE: thresholds on the scale of the uncentred predictor (b_Intercept[k]
    = Intercept[k], no shift), recovered with the slope from simulated data with known truth."""
    d = _data(300, seed=3)
    fit = _fit(bp.bf("yo ~ x2", center=False), d, "cumulative", seed=4)
    assert "b_Intercept = Intercept;" in fit.stancode()
    truth = {"b_Intercept[1]": -1.0 + 0.5, "b_Intercept[2]": 0.3 + 0.5, "b_Intercept[3]": 1.5 + 0.5, "b_x2": 0.9}
    for k, v in truth.items():
        x = fit.draws_dict[k]
        assert abs(x.mean() - v) < 4 * x.std(), (k, x.mean(), x.std(), v)
    assert_loglik_matches_stan(fit)


def test_options_survive_saving() -> None:
    """A saved fit keeps bf()'s options (regression: they were dropped, and the reloaded model differed)."""
    from brmspy.fit.storage import formula_from_json, formula_to_json

    f = bp.bf("y ~ x1 + x2", center=False, cmc=False, sparse=True, decomp="QR")
    back = formula_from_json(formula_to_json(f))
    assert (back.center, back.cmc, back.sparse, back.decomp) == (False, False, True, "QR")
    assert "center" not in formula_to_json(bp.bf("y ~ x1"))  # unchanged files for fits without options
    with pytest.raises(Exception, match="decomp"):
        formula_from_json({**formula_to_json(f), "decomp": "SVD"})


def test_lf_options_for_dpars_and_nlpars() -> None:
    """lf(..., center=, cmc=, decomp=) as brms: the options of those formulas only (bf()'s are the main one's)."""
    from brmspy.fit.storage import formula_from_json, formula_to_json

    d = _data(40)
    code = bp.make_stancode(bp.bf("y ~ x1") + bp.lf("sigma ~ x2", center=False), d)
    assert "vector[K_sigma] b_sigma;" in code and "real Intercept;" in code  # sigma uncentred, mu centred
    f = bp.bf("y ~ int + eta", nl=True) + bp.lf("int ~ 1") + bp.lf("eta ~ 0 + f", cmc=False)
    build = bp.build_model(f, d, prior=bp.prior("normal(0, 1)", nlpar="int") + bp.prior("normal(0, 1)", nlpar="eta"))
    assert build.data["K_eta"] == 2  # contrasts for f (fb, fc), not one column per level
    assert formula_from_json(formula_to_json(f)) == f  # saved fits keep lf()'s options
    code = bp.make_stancode(bp.bf("y ~ x1", bp.lf("sigma ~ x1 + x2", decomp="QR")), d)
    stanli.stan_to_mir(code)
    assert "sigma += Intercept_sigma + XQ_sigma * bQ_sigma;" in code
    # an nlpar's uncentred design, intercept column included (brms 2.18; tests/formula/test_bf_options_mixture_nl.py)
    code = bp.make_stancode(bp.bf("y ~ int + eta", nl=True) + bp.lf("int ~ 1") + bp.lf("eta ~ x1 + x2", decomp="QR"), d,
                            prior=bp.prior("normal(0, 1)", nlpar="int") + bp.prior("normal(0, 1)", nlpar="eta"))
    assert "nlp_eta += XQ_eta * bQ_eta;" in code and "vector[K_eta] b_eta = XR_inv_eta * bQ_eta;" in code
