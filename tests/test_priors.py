"""Default priors equal brms's; user priors combine and resolve per parameter."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.priors import data_scale
from tests.cases import design_data

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
LOCAL_REFERENCE = Path(__file__).parent / "reference"


def _reference(name: str) -> Path:
    # CI clones the repo next to shared/; a copy is kept in tests/reference for other layouts
    return REFERENCE / name if (REFERENCE / name).exists() else LOCAL_REFERENCE / name


def test_sleepstudy_default_priors_match_brms() -> None:
    ref = pd.read_csv(_reference("sleepstudy_get_prior.csv"), dtype=str, keep_default_na=False)
    ours = bp.get_prior("Reaction ~ Days + (Days | Subject)", bp.datasets.load("sleepstudy"))
    assert list(ours.columns) == list(ref.columns)
    pd.testing.assert_frame_equal(ours.astype(str).reset_index(drop=True), ref)


def test_data_scale_follows_brms_rules() -> None:
    y = np.array([0, 1, 2, 3, 10])
    s = data_scale(y, bp.poisson())
    ylog = np.log(np.where(y == 0, 0.1, y))
    assert s.location == round(float(np.median(ylog)), 1)
    assert s.scale == max(2.5, round(1.4826 * float(np.median(np.abs(ylog - np.median(ylog)))), 1))
    assert data_scale(np.array([0, 1, 1]), bp.bernoulli()).intercept_prior() == "student_t(3, 0, 2.5)"
    assert data_scale(np.array([1.0, 2.0, 3.0]), bp.gaussian()).intercept_prior() == "student_t(3, 2, 2.5)"


def test_family_specific_defaults() -> None:
    df = design_data()
    nb = bp.get_prior("count ~ x", df, "negbinomial")
    assert nb.loc[nb["class"] == "shape", "prior"].item() == "inv_gamma(0.4, 0.3)"
    st = bp.get_prior("y ~ x", df, "student")
    assert st.loc[st["class"] == "nu", ["prior", "lb"]].values.tolist() == [["gamma(2, 0.1)", "1"]]
    gm = bp.get_prior("pos ~ x", df, "gamma")
    assert gm.loc[gm["class"] == "shape", "prior"].item() == "gamma(0.01, 0.01)"
    be = bp.get_prior("unit ~ x", df, "beta")
    assert be.loc[be["class"] == "phi", "prior"].item() == "gamma(0.01, 0.01)"


def test_dpar_formula_priors() -> None:
    gp = bp.get_prior(bp.bf("y ~ x + (1 | g)", "sigma ~ x + (1 | g)"), design_data())
    sig = gp[gp["dpar"] == "sigma"]
    assert sig.loc[sig["class"] == "Intercept", "prior"].item() == "student_t(3, 0, 2.5)"
    assert set(sig["class"]) == {"b", "Intercept", "sd"}
    assert "sigma" not in set(gp["class"])  # predicted, so no constant sigma


def test_priors_combine_and_reach_standata() -> None:
    p = bp.prior("normal(0, 5)", "b") + bp.prior("normal(1, 2)", "b", coef="z") + [bp.prior("lkj(3)", "cor")]
    assert len(p) == 3
    sd = bp.make_standata("y ~ x + z + (1 + x | g)", design_data(), prior=p)
    np.testing.assert_array_equal(sd["prior_b_loc"], [0, 1])
    np.testing.assert_array_equal(sd["prior_b_scale"], [5, 2])
    assert sd["prior_L_1_eta"] == 3


def test_prior_dataframe_roundtrip() -> None:
    df = design_data()
    gp = bp.get_prior("y ~ x + (1 | g)", df)
    gp.loc[gp["class"] == "b", "prior"] = "normal(0, 3)"
    gp = gp[(gp["class"] == "b") & (gp["coef"] == "")]
    sd = bp.make_standata("y ~ x + (1 | g)", df, prior=gp)
    np.testing.assert_array_equal(sd["prior_b_scale"], [3])


def test_duplicate_prior_is_error() -> None:
    with pytest.raises(bp.PriorError, match="Two priors are given"):
        bp.make_stancode("y ~ x", design_data(), prior=bp.prior("normal(0, 1)") + bp.prior("normal(0, 2)"))
