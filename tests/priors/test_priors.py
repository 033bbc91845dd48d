"""Default priors equal brms's; user priors combine and resolve per parameter."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.priors.defaults import data_scale
from tests.cases import design_data

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference"
LOCAL_REFERENCE = Path(__file__).parents[1] / "reference"


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


# ------------------------------------------------- brms 2.18's def_dpar_prior / def_scale_prior (issue 18)


def test_offset_moves_the_intercept_prior_location() -> None:
    """brms: location of the Intercept prior = round(median(link(y)), 1) - mean(offset), in R's 15 digits."""
    df = pd.DataFrame({"y": [1, 3, 0, 2, 5, 4, 2, 1], "x": np.linspace(0, 1, 8), "e": [1, 2, 3, 4, 1, 2, 3, 4.5]})
    gp = bp.get_prior("y ~ x + offset(log(e))", df, "poisson")
    loc = round(float(np.median(np.log(np.where(df.y == 0, 0.1, df.y)))), 1) - float(np.mean(np.log(df.e)))
    assert gp.loc[gp["class"] == "Intercept", "prior"].item() == f"student_t(3, {loc:.15g}, 2.5)"
    assert bp.make_standata("y ~ x + offset(log(e))", df, "poisson")["prior_Intercept_loc"] == pytest.approx(loc, abs=1e-14)


def test_dpar_sd_and_intercept_priors_follow_brms() -> None:
    """sd of group terms in any dpar: the response's scale; Intercept_disc normal(0, 1); Intercept_ndt flat."""
    sleep = bp.datasets.load("sleepstudy")
    gp = bp.get_prior(bp.bf("Reaction ~ Days + (1 | Subject)", "sigma ~ 1 + (1 | Subject)"), sleep)
    sds = gp[(gp["class"] == "sd") & (gp["group"] == "")]
    assert sds["prior"].tolist() == ["student_t(3, 0, 59.3)", "student_t(3, 0, 59.3)"]  # brms 2.18: mu and sigma
    df = design_data()
    df["ord"] = pd.Categorical(np.digitize(df["y"], [-0.5, 0.5]), ordered=True)
    gp = bp.get_prior(bp.bf("ord ~ x", "disc ~ z"), df, "cumulative")
    assert gp.loc[(gp["class"] == "Intercept") & (gp["dpar"] == "disc"), "prior"].item() == "normal(0, 1)"
    df["pos"] = np.exp(df["y"]) + 1
    gp = bp.get_prior(bp.bf("pos ~ x", "ndt ~ 1"), df, "shifted_lognormal")
    assert gp.loc[(gp["class"] == "Intercept") & (gp["dpar"] == "ndt"), "prior"].item() == ""
    gp = bp.get_prior("pos ~ x", df, "shifted_lognormal")
    assert gp.loc[gp["class"] == "ndt", ["prior", "lb", "ub"]].values.tolist() == [["uniform(0, min_Y)", "0", "min_Y"]]
    assert bp.make_standata("pos ~ x", df, "shifted_lognormal")["prior_ndt_upper"] == df["pos"].min()
    # the constant sigma's scale comes from y on the identity scale whatever the link of mu (brms)
    wide = pd.DataFrame({"y": np.linspace(1, 60, 30), "x": np.linspace(0, 1, 30)})
    gp = bp.get_prior("y ~ x", wide, bp.gaussian(link="log"))
    assert gp.loc[gp["class"] == "sigma", "prior"].item() == "student_t(3, 0, 22.6)"  # brms 2.18 get_prior()
    assert gp.loc[gp["class"] == "Intercept", "prior"].item() == "student_t(3, 3.4, 2.5)"


def test_global_b_prior_of_categorical_and_multivariate_models() -> None:
    """brms lists class b/Intercept rows without dpar (categorical) or resp (multivariate); a prior there
    reaches every category/response the user gave none, with brms's deprecation warning (validate_prior)."""
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"y": rng.normal(size=30), "y2": rng.normal(size=30), "x": rng.normal(size=30),
                       "yc": rng.choice(list("abc"), 30)})
    gp = bp.get_prior("yc ~ x", df, "categorical")
    assert gp.loc[gp["dpar"] == "", ["class", "prior"]].values.tolist() == [["b", ""], ["Intercept", ""]]
    p = bp.prior("normal(0, 3)", "b") + bp.prior("normal(1, 2)", "Intercept")
    with pytest.warns(UserWarning, match="global priors for regression coefficients in categorical models is deprecated"):
        sd = bp.make_standata("yc ~ x", df, "categorical", prior=p)
    assert (sd["prior_b_mub_scale"], sd["prior_b_muc_scale"], sd["prior_Intercept_muc_loc"]) == (3, 3, 1)
    with pytest.warns(UserWarning, match="deprecated"):  # a category's own prior is kept (brms)
        sd = bp.make_standata("yc ~ x", df, "categorical", prior=bp.prior("normal(0, 3)", "b", dpar="mub") + bp.prior("normal(0, 7)", "b"))
    assert (sd["prior_b_mub_scale"], sd["prior_b_muc_scale"], sd["prior_Intercept_muc_scale"]) == (3, 7, 2.5)
    mv = bp.bf("y ~ x") + bp.bf("y2 ~ x") + bp.set_rescor(False)
    gp = bp.get_prior(mv, df)
    assert gp.loc[gp["resp"] == "", ["class", "prior"]].values.tolist() == [["b", ""], ["Intercept", ""]]
    with pytest.warns(UserWarning, match="in multivariate models is deprecated"):
        sd = bp.make_standata(mv, df, prior=p)
    assert (sd["prior_b_y_scale"], sd["prior_b_y2_scale"], sd["prior_Intercept_y_loc"], sd["prior_Intercept_y2_scale"]) == (3, 3, 1, 2)


def test_prior_rows_in_r_collation_order() -> None:
    """brms sorts get_prior() rows with R's collation (punctuation before digits): moxmo:x11 before moxmo1."""
    rng = np.random.default_rng(4)
    df = pd.DataFrame({"y": rng.normal(size=40), "x1": rng.normal(size=40), "xmo": rng.integers(0, 4, 40)})
    gp = bp.get_prior("y ~ mo(xmo) * x1", df)
    assert gp.loc[gp["class"] == "simo", "coef"].tolist() == ["moxmo:x11", "moxmo1"]  # brms 2.18
    assert gp.loc[gp["class"] == "b", "coef"].tolist() == ["", "moxmo", "moxmo:x1", "x1"]


def test_mixture_intercept_priors_follow_brms() -> None:
    """brms 2.18 (get_prior on the corpus data 'sim'): a mixture with a lognormal component takes its default
    location from log(y) for every component (has_logscale of the mixture), minus the mean offset."""
    sim = pd.read_csv(LOCAL_REFERENCE / "brms" / "data" / "sim.csv", usecols=["ypos", "x1", "x2"])
    gp = bp.get_prior("ypos ~ x1", sim, bp.mixture("lognormal", "lognormal"))
    assert gp.loc[gp["class"] == "Intercept", "prior"].tolist() == ["student_t(3, 0.3, 2.5)"] * 2
    gp = bp.get_prior("ypos ~ x1 + offset(x2)", sim, bp.mixture("gaussian", "lognormal"))
    assert gp.loc[gp["class"] == "Intercept", "prior"].tolist() == ["student_t(3, 0.309, 2.5)"] * 2
    gp = bp.get_prior("ypos ~ x1", sim, bp.mixture("gaussian", "gaussian"))
    assert gp.loc[gp["class"] == "Intercept", "prior"].tolist() == ["student_t(3, 1.4, 2.5)"] * 2
