"""Mixtures of ordinal families: ``mixture("cumulative", "cumulative")`` and sratio/cratio/acat, as brms.

Each ``mu<k>`` has its own thresholds ``Intercept_mu<k>`` (``b_mu<k>_Intercept[j]`` in the draws) with
brms's default priors; ``order`` is ``"none"`` (brms: "Setting order = 'none' for mixtures of ordinal
families"); ``posterior_epred`` gives per-category probabilities mixed over the components.  Golden
program that stanc accepts, numpy log-likelihood equal to Stan's density, refusal of mixing ordinal and
non-ordinal families (brms's), and recovery of two components identified by the sign of their slope.
(Stan data and default priors against brms 2.18: ``mix_cumulative2``, ``mix_cumulative_sratio``,
``mix_acat_cs``, ``mix_cratio_dpars``, ``mix_cumulative_probit3``, ``refuse_mix_ordinal_gaussian`` in
``tests/package/test_brms_reference.py``.)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.core.errors import FamilyError
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers


def _data(n: int = 40, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"y": rng.integers(1, 5, n), "x": rng.normal(size=n), "z": rng.normal(size=n)})


def test_golden_and_stanc(update_golden: bool) -> None:
    code = bp.make_stancode("y ~ x", _data(), bp.mixture("cumulative", "cumulative"))
    assert_golden("mixture_cumulative", code, update_golden)
    # brms: one threshold vector per component; Stan's ordered_logistic as brms's program
    assert "ordered[nthres] Intercept_mu2;" in code
    assert "ps[2] = log(theta2) + ordered_logistic_lpmf(Y[n] | mu2[n], Intercept_mu2);" in code


@pytest.mark.parametrize("formula, family", [
    ("y ~ x + cs(z)", bp.mixture("acat", "acat")),
    (bp.bf("y ~ x", "mu2 ~ z", "theta2 ~ x"), bp.mixture("cratio", "cratio")),
    (bp.bf("y ~ x", "disc2 ~ z"), bp.mixture("cumulative", "sratio")),
    ("y ~ x", bp.mixture(bp.cumulative(link="probit"), nmix=3)),
])
def test_variants_compile(formula, family) -> None:
    code = bp.make_stancode(formula, _data(), family)
    stanli.stan_to_mir(code)
    assert "nthres" in code and "Intercept_mu1" in code


def test_order_and_refusals() -> None:
    assert bp.mixture("cumulative", "cumulative").order == "none"  # brms's default for ordinal components
    # an explicit order = 'mu' shares the thresholds (brms's fixed_Intercept: tests/families/test_mixture_thresholds.py)
    assert bp.mixture("cumulative", "cumulative", order="mu").fixed_thresholds
    with pytest.raises(FamilyError, match="ordinal and non-ordinal"):
        bp.mixture("cumulative", "gaussian")
    with pytest.raises(FamilyError, match="cannot be a mixture component"):
        bp.mixture("categorical", "categorical")


@pytest.fixture(scope="module")
def fit_ordinal():
    rng = np.random.default_rng(11)
    n = 500
    x = rng.normal(size=n)
    comp1 = rng.uniform(size=n) < 0.4
    thres = np.where(comp1[:, None], [-1.0, 0.0, 1.0], [-1.5, 0.5, 2.0])
    eta = np.where(comp1, 2.5 * x, -2.0 * x)
    y = 1 + ((eta + rng.logistic(size=n))[:, None] > thres).sum(axis=1)
    # the sign of the slope labels the components (brms's order = 'none' leaves them exchangeable)
    priors = [bp.prior("normal(0, 5)", "b", dpar="mu1", lb=0), bp.prior("normal(0, 5)", "b", dpar="mu2", ub=0)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm("y ~ x", pd.DataFrame({"y": y, "x": x}), bp.mixture("cumulative", "cumulative"),
                      prior=priors, chains=2, iter=600, seed=4, refresh=0)


def test_loglik_names_predictions_and_recovery(fit_ordinal):
    assert_loglik_matches_stan(fit_ordinal)
    d = fit_ordinal.draws()
    assert {"b_mu1_Intercept[1]", "b_mu2_Intercept[3]", "b_mu1_x", "b_mu2_x", "theta1", "theta2"} <= set(d.columns)
    truth = {"b_mu1_x": 2.5, "b_mu2_x": -2.0, "theta1": 0.4,
             "b_mu1_Intercept[1]": -1.0, "b_mu1_Intercept[3]": 1.0, "b_mu2_Intercept[1]": -1.5, "b_mu2_Intercept[3]": 2.0}
    assert_recovers({k: d[k].to_numpy() for k in truth}, truth)
    ep = fit_ordinal.posterior_epred()
    assert ep.shape[1:] == (500, 4)
    np.testing.assert_allclose(ep.sum(axis=-1), 1.0)
    pp = fit_ordinal.posterior_predict()
    assert set(np.unique(pp)) <= {1, 2, 3, 4}
