"""``loo``/``waic``/``kfold``/``loo_compare`` with ``resp=``: the criterion of one response (brms 2.18).

brms's ``loo(fit, resp = "y")`` is PSIS-LOO of ``log_lik(fit, resp = "y")``: in a multivariate model
with ``subset()`` that is the response's own rows (``N_y``); without ``subset()`` it is every row,
that response's density only.  brms 2.18 refuses ``loo(fit)`` of a subset model ("Argument 'resp'
must be a single variable name ..."), and so does brmspy, naming ``resp=`` and the responses.

The references here are computed independently of :mod:`brmspy.criteria`: per-observation
relative efficiency and Pareto smoothing from ArviZ on ``log_lik(fit, resp=...)``; and brms 2.18's
estimates of the same models on the same data (``tools/brms_loo_resp_reference.R``,
``tests/reference/loo_resp/brms_loo_resp.json``), equal up to Monte Carlo error.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special

import brmspy as bp
from brmspy.core.errors import BrmsError
from tests.frame.test_mv_subset import MV, mv_data


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


@pytest.fixture(scope="module")
def fit():
    """y1 on the rows of s1 (with a group term), y2 on those of s2: brms's N_y1, N_y2."""
    return _quiet(bp.brm, MV, mv_data(), chains=2, iter=600, seed=5, refresh=0)


@pytest.fixture(scope="module")
def full_fit():
    """The same two responses on every row (no subset()), without residual correlation."""
    d = mv_data()
    d = d[d["s1"] & d["s2"]]
    return _quiet(bp.brm, bp.bf("y1 ~ x + (1 | g)") + bp.bf("y2 ~ x") + bp.set_rescor(False), d,
                  chains=2, iter=600, seed=6, refresh=0)


def _psis_reference(ll: np.ndarray, nchains: int) -> tuple[np.ndarray, np.ndarray]:
    """elpd_loo_i and Pareto k from ArviZ's PSIS, one observation at a time with its own r_eff (as loo)."""
    import arviz_stats as azs
    from arviz_stats.base import array_stats

    ll3 = ll.reshape(nchains, -1, ll.shape[1])
    S = ll.shape[0]
    elpd, k = np.empty(ll.shape[1]), np.empty(ll.shape[1])
    for i in range(ll.shape[1]):
        x = ll3[:, :, i]
        r_eff = float(azs.ess(np.exp(x - x.max()), method="mean")) / S
        lw, k[i] = array_stats.psislw(x, r_eff=r_eff, axis=(0, 1))
        lw = lw - special.logsumexp(lw)
        elpd[i] = special.logsumexp(lw + x)
    return elpd, k


# ---------------------------------------------------------------- subset(): one response at a time


@pytest.mark.parametrize("resp", ["y1", "y2"])
def test_loo_resp_is_psis_of_the_responses_log_lik(fit, resp: str) -> None:
    d = mv_data()
    res = _quiet(bp.loo, fit, resp=resp)
    ll = bp.log_lik(fit, resp=resp)
    assert res.nobs == ll.shape[1] == d[{"y1": "s1", "y2": "s2"}[resp]].sum()
    elpd_i, k = _psis_reference(ll, fit.stan_draws.nchains)
    np.testing.assert_allclose(res.pointwise["elpd_loo"], elpd_i, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(res.pareto_k, k, rtol=1e-6, atol=1e-6)
    assert res.estimates.loc["elpd_loo", "Estimate"] == pytest.approx(elpd_i.sum(), abs=1e-6)
    lpd = special.logsumexp(ll, axis=0) - math.log(ll.shape[0])
    assert res.estimates.loc["p_loo", "Estimate"] == pytest.approx((lpd - elpd_i).sum(), abs=1e-6)


def test_waic_resp(fit) -> None:
    ll = bp.log_lik(fit, resp="y2")
    lpd = special.logsumexp(ll, axis=0) - math.log(ll.shape[0])
    p = ll.var(axis=0, ddof=1)
    w = _quiet(bp.waic, fit, resp="y2")
    assert w.nobs == mv_data()["s2"].sum()
    np.testing.assert_allclose(w.pointwise["elpd_waic"], lpd - p, rtol=1e-10)
    assert w.estimates.loc["waic", "Estimate"] == pytest.approx(-2 * (lpd - p).sum())


def test_loo_compare_passes_resp(fit) -> None:
    table = _quiet(bp.loo_compare, fit, fit, model_names=["a", "b"], resp="y1")
    assert table.loc["a", "elpd_loo"] == pytest.approx(_quiet(bp.loo, fit, resp="y1").elpd)
    assert table["elpd_diff"].tolist() == [0.0, 0.0]


def test_kfold_resp_scores_the_responses_held_out_rows(fit) -> None:
    d = fit.frame.data
    kf = _quiet(bp.kfold, fit, K=2, resp="y2", seed=3, chains=1, iter=300, save_fits=True)
    rows = np.flatnonzero(d["s2"].to_numpy())
    assert kf.nobs == len(rows) == len(kf.pointwise)
    for fold, refit in zip((1, 2), kf.fits):
        held = np.flatnonzero(kf.folds == fold)
        assert refit.nobs() == len(d) - len(held)  # every response refitted without the fold's rows
        scored = held[d["s2"].to_numpy()[held]]
        ll = bp.log_lik(refit, newdata=d.iloc[scored], resp="y2", allow_new_levels=True)
        expected = special.logsumexp(ll, axis=0) - math.log(ll.shape[0])
        np.testing.assert_allclose(kf.pointwise["elpd_kfold"].to_numpy()[np.searchsorted(rows, scored)], expected,
                                   rtol=1e-10)
    # 2-fold CV of y2 estimates the same elpd as PSIS-LOO, within its uncertainty
    elpd_loo = _quiet(bp.loo, fit, resp="y2")
    assert kf.elpd == pytest.approx(elpd_loo.elpd, abs=4 * elpd_loo.se)


def test_subset_model_refuses_without_resp(fit) -> None:
    for fn, name in ((bp.loo, "loo"), (bp.waic, "waic"), (bp.kfold, "kfold")):
        with pytest.raises(BrmsError, match=rf"{name}\(\) of a multivariate model with subset\(\) needs resp=.*"
                                            r"responses: 'y1', 'y2'"):
            fn(fit)
    with pytest.raises(BrmsError, match="needs resp="):
        bp.loo_compare(fit, fit)
    with pytest.raises(BrmsError, match="resp='zz' is not a response of this model; its responses: 'y1', 'y2'"):
        bp.loo(fit, resp="zz")
    with pytest.raises(BrmsError, match="resp must be one response name"):
        bp.waic(fit, resp=["y1", "y2"])
    with pytest.raises(BrmsError, match="not available with subsample="):
        bp.loo(fit, resp="y1", subsample=50)


# ---------------------------------------------------------------- without subset()


def test_responses_add_up_to_the_joint_criterion(full_fit) -> None:
    """rescor = FALSE: the joint log-likelihood of a row is the sum of its responses' (exactly), and the
    responses' parameters are a posteriori independent, so their elpd_loo add up to the joint one up to
    Monte Carlo error (its MCSE)."""
    ll1, ll2 = bp.log_lik(full_fit, resp="y1"), bp.log_lik(full_fit, resp="y2")
    np.testing.assert_allclose(ll1 + ll2, bp.log_lik(full_fit), rtol=1e-12)
    joint = _quiet(bp.loo, full_fit)
    parts = [_quiet(bp.loo, full_fit, resp=r) for r in ("y1", "y2")]
    assert all(p.nobs == joint.nobs == full_fit.nobs() for p in parts)
    elpd_i, _ = _psis_reference(ll1, full_fit.stan_draws.nchains)
    np.testing.assert_allclose(parts[0].pointwise["elpd_loo"], elpd_i, rtol=1e-8, atol=1e-8)
    pointwise_sum = parts[0].pointwise["elpd_loo"] + parts[1].pointwise["elpd_loo"]
    mcse = np.sqrt(sum(r.pointwise["mcse_elpd_loo"] ** 2 for r in (joint, *parts)))
    assert np.all(np.abs(pointwise_sum - joint.pointwise["elpd_loo"]) < 4 * mcse + 1e-3)
    assert pointwise_sum.sum() == pytest.approx(joint.elpd, abs=4 * float(np.sqrt(np.sum(mcse**2))))
    # waic of one response: the same rows, that response's density only
    assert _quiet(bp.waic, full_fit, resp="y1").nobs == full_fit.nobs()


def test_kfold_checks_resp_before_refitting(full_fit) -> None:
    with pytest.raises(BrmsError, match="resp='y3' is not a response of this model; its responses: 'y1', 'y2'"):
        bp.kfold(full_fit, resp="y3", K=2)


def test_psis_weights_of_one_response_on_its_rows(fit) -> None:
    lw, k = bp.psis(fit, resp="y1")
    d = mv_data()
    assert list(lw.coords["obs"].values) == list(d.index[d["s1"]])
    np.testing.assert_allclose(k.values, _quiet(bp.loo, fit, resp="y1").pareto_k, rtol=1e-6, atol=1e-6)


def test_add_criterion_refuses_resp(fit) -> None:
    with pytest.raises(BrmsError, match="add_criterion\\(..., resp=...\\) is not available"):
        bp.add_criterion(fit, "loo", resp="y1")


def test_reloo_resp_refits_the_responses_row(fit) -> None:
    """The observation with the largest Pareto k of y1 is refitted: its data row is left out and y1 scored there
    (a row outside y1's subset would hold y1 + 100, far from any prediction); exact LOO agrees with PSIS
    where k is small."""
    first = _quiet(bp.loo, fit, resp="y1")
    top = int(np.argmax(first.pareto_k))
    res = _quiet(bp.loo, fit, resp="y1", reloo=True, k_threshold=float(first.pareto_k[top]) - 1e-9,
                 reloo_args={"chains": 1, "iter": 400, "seed": 2})
    assert res.reloo_indices.tolist() == [top] and res.nobs == first.nobs
    assert np.isnan(res.pareto_k[top]) and res.pointwise["mcse_elpd_loo"].iloc[top] == 0.0
    assert first.pareto_k[top] < 0.7
    assert res.pointwise["elpd_loo"].iloc[top] == pytest.approx(first.pointwise["elpd_loo"].iloc[top], abs=0.3)
    others = np.arange(first.nobs) != top
    np.testing.assert_array_equal(res.pointwise["elpd_loo"].to_numpy()[others],
                                  first.pointwise["elpd_loo"].to_numpy()[others])
    again = _quiet(bp.reloo, fit, first, k_threshold=float(first.pareto_k[top]) - 1e-9, chains=1, iter=400, seed=2,
                   resp="y1")
    assert again.pointwise["elpd_loo"].iloc[top] == pytest.approx(res.pointwise["elpd_loo"].iloc[top], abs=1e-12)


# ---------------------------------------------------------------- brms 2.18's numbers

REF = json.loads((Path(__file__).parents[1] / "reference" / "loo_resp" / "brms_loo_resp.json").read_text())


@pytest.fixture(scope="module")
def brms_case_fits():
    d = pd.DataFrame(REF["data"])
    d["y2"] = d["y2"].astype(float)  # JSON null: NA outside y2's subset
    sub = _quiet(bp.brm, bp.bf("y1 | subset(s1) ~ x + (1 | g)") + bp.bf("y2 | subset(s2) ~ x") + bp.set_rescor(False),
                 d, chains=2, iter=2000, seed=3, refresh=0)
    full = _quiet(bp.brm, bp.bf("y1 ~ x + (1 | g)") + bp.bf("y2 ~ x") + bp.set_rescor(False), d[d["s1"] & d["s2"]],
                  chains=2, iter=2000, seed=4, refresh=0)
    return sub, full


def _agrees(res, ref: dict) -> None:
    """nobs exactly; elpd_loo and p_loo up to the Monte Carlo error of two independent posterior samples.

    loo's MCSE of elpd_loo adds the pointwise MCSEs as if independent, but all observations share the
    draws (here of a group-level sd from 6 groups), so runs differ by more (elpd_loo of y1 spread by 0.3
    over four seeds against an MCSE of 0.06); perfectly correlated pointwise errors add up to sqrt(N) times
    that MCSE, and the tolerance is two of those.
    """
    assert res.nobs == ref["nobs"]
    mcse = res.mcse_elpd_loo if hasattr(res, "mcse_elpd_loo") else ref["mcse"]
    tol = 2 * math.sqrt(res.nobs) * math.hypot(ref["mcse"], mcse)
    assert res.estimates["Estimate"].iloc[0] == pytest.approx(ref["estimates"][0], abs=tol)
    assert res.estimates["Estimate"].iloc[1] == pytest.approx(ref["estimates"][1], abs=tol)
    assert res.estimates["SE"].iloc[0] == pytest.approx(ref["se"][0], rel=0.05)


def test_matches_brms(brms_case_fits) -> None:
    sub, full = brms_case_fits
    assert "Argument 'resp' must be a single variable name" in REF["subset"]["error"]  # brms refuses loo(fit) too
    for r in ("y1", "y2"):
        _agrees(_quiet(bp.loo, sub, resp=r), REF["subset"][r])
        _agrees(_quiet(bp.loo, full, resp=r), REF["full"][r])
    _agrees(_quiet(bp.loo, full), REF["full"]["joint"])
    _agrees(_quiet(bp.waic, full, resp="y1"), REF["full"]["waic_y1"] | {"mcse": REF["full"]["y1"]["mcse"]})
