"""Generated Stan code: golden files, stanc validity, data names, structure-only code."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from tests.cases import CASES, Case, design_data
from tests.checks import assert_golden

def _code(case: Case, **kw) -> str:
    return bp.make_stancode(case.formula, kw.pop("data", case.frame()), case.family, case.prior)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_code(case: Case, update_golden: bool) -> None:
    assert_golden(case.name, _code(case), update_golden)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_stanc_accepts(case: Case) -> None:
    stanli.stan_to_mir(_code(case))  # raises RuntimeError with stanc's message


# sizes may hold one level of brackets: vector[Jmo[1]] con_simo_1, matrix[N, knots_1[1]] Zs_1_1
_DECL = re.compile(r"^\s*(?:array\[[^\]]*\]\s+)?(?:int|real|vector|matrix|corr_matrix)(?:<[^>]*>)?"
                   r"(?:\[(?:[^\[\]]|\[[^\]]*\])*\])?\s+(\w+);", re.M)


def _data_names(code: str) -> list[str]:
    block = code[code.index("data {") : code.index("\n}\n", code.index("data {"))]
    return _DECL.findall(block)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_standata_matches_data_block(case: Case) -> None:
    build = bp.build_model(case.formula, case.frame(), case.family, case.prior)
    names = _data_names(build.code)
    assert names, "no data declarations found"
    assert sorted(names) == sorted(build.data), "data block and make_standata disagree"


def test_same_code_for_other_data_and_prior_scales() -> None:
    f = "y ~ x + f + (1 + x | g) + (1 | h)"
    a = bp.make_stancode(f, design_data(n=240, seed=1))
    b = bp.make_stancode(f, design_data(n=500, seed=7), prior=bp.prior("student_t(3, 0, 10)", "sd"))
    assert a == b
    sa = bp.make_standata(f, design_data(n=240, seed=1))
    sb = bp.make_standata(f, design_data(n=500, seed=7), prior=bp.prior("student_t(3, 0, 10)", "sd"))
    assert sa["N"] == 240 and sb["N"] == 500
    np.testing.assert_array_equal(sb["prior_sd_1_scale"], [10.0, 10.0])
    # a new prior *family* is a structural change
    c = bp.make_stancode(f, design_data(), prior=bp.prior("normal(0, 10)", "sd"))
    assert c != a and "normal_lpdf(sd_1" in c


def test_save_to(tmp_path: Path) -> None:
    target = tmp_path / "model.stan"
    code = bp.make_stancode("y ~ x", design_data(), save_to=target)
    assert target.read_text() == code


def test_sleepstudy_standata_values() -> None:
    df = bp.datasets.load("sleepstudy")
    sd = bp.make_standata("Reaction ~ Days + (Days | Subject)", df)
    assert sd["N"] == 180 and sd["K"] == 2 and sd["N_1"] == 18 and sd["M_1"] == 2 and sd["NC_1"] == 1
    np.testing.assert_array_equal(sd["Y"], df["Reaction"].to_numpy())
    np.testing.assert_array_equal(sd["X"][:, 1], df["Days"].to_numpy())
    assert sd["J_1"].min() == 1 and sd["J_1"].max() == 18
    assert (sd["prior_Intercept_df"], sd["prior_Intercept_loc"], sd["prior_Intercept_scale"]) == (3, 288.7, 59.3)


def test_brms_names_and_contrasts() -> None:
    cb = bp.datasets.load("cbpp")
    build = bp.build_model("incidence | trials(size) ~ period + (1 | herd)", cb, "binomial")
    design = next(iter(build.frame.designs.values()))
    assert design.coef_names == ["period2", "period3", "period4"]
    ar = bp.datasets.load("Arabidopsis")
    build = bp.build_model("total.fruits ~ nutrient + amd + status + (1 | popu) + (1 | gen)", ar, "poisson")
    design = next(iter(build.frame.designs.values()))
    assert design.coef_names == ["nutrient8", "amdunclipped", "statusPetri.Plate", "statusTransplant"]
    df = design_data()
    build = bp.build_model("y ~ x * f + I(x > 0) + np.log(pos)", df)
    names = next(iter(build.frame.designs.values())).coef_names
    assert names[:3] == ["x", "fmid", "fhi"] and "x:fmid" in names and "logpos" in names


def test_nested_and_interaction_groups() -> None:
    df = design_data()
    build = bp.build_model("y ~ x + (1 | a/b)", df)
    groups = [b.group for b in build.frame.blocks]
    assert groups == ["a", "a:b"]
    nested = build.frame.blocks[1]
    expected = sorted({f"{a}_{b}" for a, b in zip(df["a"], df["b"])})
    assert nested.levels == expected


def test_multi_membership_weights_sum_to_one() -> None:
    sd = bp.make_standata("y ~ x + (1 | mm(g1, g2))", design_data())
    np.testing.assert_allclose(sd["W_1_1"] + sd["W_1_2"], 1.0)
    assert sd["N_1"] == 8


def test_glm_used_only_when_exact() -> None:
    df = design_data()
    assert "normal_id_glm_lpdf" in bp.make_stancode("y ~ x", df)
    assert "poisson_log_glm_lpmf" in bp.make_stancode("count ~ x + (1 | g)", df, "poisson")
    weighted = bp.make_stancode("y | weights(w) ~ x", df)
    assert "_glm_" not in weighted and "weights[n] * normal_lpdf(Y[n] | mu[n], sigma)" in weighted
    assert "poisson_lpmf(Y | mu)" in bp.make_stancode("count ~ x", df, bp.poisson(link="identity"))


def test_negbinomial_with_shape_formula_avoids_scalar_only_glm():
    """neg_binomial_2_log_glm takes a scalar shape only: a predicted shape needs the plain likelihood."""
    import stanli

    rng = np.random.default_rng(0)
    d = pd.DataFrame({"x": rng.normal(size=50), "z": rng.normal(size=50), "y": rng.poisson(3, 50)})
    code = bp.make_stancode(bp.bf("y ~ x", "shape ~ z"), d, family="negbinomial")
    stanli.stan_to_mir(code)
    assert "neg_binomial_2_log_glm" not in code and "neg_binomial_2_log_lpmf" in code
    assert "neg_binomial_2_log_glm" in bp.make_stancode("y ~ x", d, family="negbinomial")
