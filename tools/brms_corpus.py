"""The differential corpus: formula x family x data cases compared with brms 2.18.

Each case is data (written to ``tests/reference/brms/cases.json`` by ``tools/brms_reference.py``):

- ``id``: unique, used as the pytest id (``pytest tests/package/test_brms_reference.py -k ID``);
- ``group``: the section below (idioms, factors, forms, ...);
- ``data``: ``sim``, ``sleepstudy`` or ``cbpp`` (``tests/reference/brms/data/``);
- ``formula``: a brms formula string, or ``{"bf": [main, *pforms], "nl": bool, "named": {dpar: value},
  "family": family, "lf": [...], "nlf": [[...], ...], "mecor": bool}``, or
  ``{"mv": [formula, ...], "rescor": bool or None, "mecor": bool}`` (bf() + bf() + set_rescor());
- ``family``: a brms family name, ``{"family": name, "link": ..., "threshold": ..., "refcat": ...,
  "link_<dpar>": ...}`` or ``{"mixture": [family, ...], "nmix": ..., "order": ...}``; None is gaussian;
- ``prior``: list of ``{"prior": "normal(0, 1)", "class": "b", "coef": ..., "group": ..., "resp": ...,
  "dpar": ..., "nlpar": ..., "lb": ..., "ub": ...}``;
- ``data2``: ``{"A": "covA"}``, names of matrices in ``tests/reference/brms/data/``;
- ``reason``: where brms refuses, a regular expression the brmspy error message must match (the reason);
- ``difference``: key of the test's mapping table where brmspy deliberately differs from brms 2.18
  (each key is a bullet of the README's "Differences from brms");
- ``note``: why the case is there.

``r_code(case)`` gives the R code ``tools/brms_reference.R`` evaluates for the formula, family and priors.
"""

from __future__ import annotations

import json

CASES: list[dict] = []
_GROUP = [""]


def group(name: str) -> None:
    _GROUP[0] = name


def case(id: str, formula, family=None, data: str = "sim", prior=None, data2=None, reason: str | None = None,
         difference: str | None = None, note: str | None = None) -> None:
    c = {"id": id, "group": _GROUP[0], "data": data, "formula": formula, "family": family}
    if prior is not None:
        c["prior"] = prior
    if data2 is not None:
        c["data2"] = data2
    if reason is not None:
        c["reason"] = reason
    if difference is not None:
        c["difference"] = difference
    if note is not None:
        c["note"] = note
    CASES.append(c)


def bf(main: str, *pforms: str, nl: bool = False, family=None, lf=None, nlf=None, mecor=None, lf_options=None,
       **named) -> dict:
    out: dict = {"bf": [main, *pforms]}
    if lf_options:  # lf(..., center = FALSE, cmc = FALSE, decomp = "QR") for the lf formulas
        out["lf_options"] = dict(lf_options)
    if nl:
        out["nl"] = True
    if family is not None:
        out["family"] = family
    if lf:
        out["lf"] = list(lf)
    if nlf:
        out["nlf"] = [list(x) for x in nlf]
    if mecor is not None:
        out["mecor"] = mecor
    if named:
        out["named"] = named
    return out


def mv(*forms, rescor=None, mecor=None) -> dict:
    out: dict = {"mv": list(forms), "rescor": rescor}
    if mecor is not None:
        out["mecor"] = mecor
    return out


def fam(name: str, **kw) -> dict:
    return {"family": name, **kw}


def mix(*fams, **kw) -> dict:
    return {"mixture": list(fams), **kw}


def pr(prior: str, class_: str = "b", **kw) -> dict:
    return {"prior": prior, "class": class_, **kw}


# ============================================================================ R code


def _r_value(v) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, list):
        return "c(" + ", ".join(_r_value(x) for x in v) + ")"
    if isinstance(v, dict):  # an R list: cox(bhaz = list(df = 7))
        return "list(" + ", ".join(f"{k} = {_r_value(x)}" for k, x in v.items()) + ")"
    return json.dumps(v)


def r_family(f) -> str | None:
    if f is None:
        return None
    if isinstance(f, str):
        return f'brmsfamily("{f}")'
    if "mixture" in f:
        comps = [r_family(c) for c in f["mixture"]]
        extra = [f"{k} = {_r_value(v)}" for k, v in f.items() if k != "mixture"]
        return "mixture(" + ", ".join(comps + extra) + ")"
    args = [json.dumps(f["family"])] + [f"{k} = {_r_value(v)}" for k, v in f.items() if k != "family"]
    return "brmsfamily(" + ", ".join(args) + ")"


def _r_bf(f) -> str:
    if isinstance(f, str):
        return f"bf({f})"
    args = list(f["bf"])
    if f.get("nl"):
        args.append("nl = TRUE")
    for k, v in f.get("named", {}).items():
        args.append(f"{k} = {_r_value(v)}")
    if f.get("family") is not None:
        args.append(f"family = {r_family(f['family'])}")
    code = "bf(" + ", ".join(args) + ")"
    if f.get("lf"):
        opts = [f"{k} = {_r_value(v)}" for k, v in f.get("lf_options", {}).items()]
        code += " + lf(" + ", ".join([*f["lf"], *opts]) + ")"
    for n in f.get("nlf", []):
        code += " + nlf(" + ", ".join(n) + ")"
    if f.get("mecor") is not None:
        code += f" + set_mecor({_r_value(f['mecor'])})"
    return code


def r_formula(f) -> str:
    if isinstance(f, str):
        return f
    if "mv" in f:
        code = " + ".join(_r_bf(x) for x in f["mv"])
        if f.get("rescor") is not None:
            code += f" + set_rescor({_r_value(f['rescor'])})"
        if f.get("mecor") is not None:
            code += f" + set_mecor({_r_value(f['mecor'])})"
        return code
    return _r_bf(f)


def r_prior(p) -> str | None:
    if not p:
        return None
    parts = []
    for x in p:
        args = [json.dumps(x["prior"])] + [f"{k} = {_r_value(v)}" for k, v in x.items() if k != "prior"]
        parts.append("set_prior(" + ", ".join(args) + ")")
    return "c(" + ", ".join(parts) + ")"


def r_code(c: dict) -> dict:
    return {"formula": r_formula(c["formula"]), "family": r_family(c["family"]), "prior": r_prior(c.get("prior"))}


# ============================================================================ the corpus

# ---------------------------------------------------------------- R formula idioms (issue 18, item 1)
group("idioms")
case("idiom_sleep_I_pow2", "Reaction ~ Days + I(Days^2) + (1 | Subject)", data="sleepstudy",
     note="issue 18 item 1: ^ inside I() is power, not XOR")
case("idiom_I_pow2_float", "y ~ x1 + I(x1^2)")
case("idiom_I_pow3_float", "y ~ I(x1^3)")
case("idiom_I_pow_int", "y ~ xint + I(xint^2)")
case("idiom_I_pow_half", "y ~ I(xpos^0.5)")
case("idiom_I_pow_neg", "y ~ I(xpos^-1)")
case("idiom_I_log_pow", "y ~ log(xpos) + I(log(xpos)^2)")
case("idiom_cross_pow2", "y ~ (x1 + x2 + x3)^2", note="all interactions up to order 2")
case("idiom_cross_pow3", "y ~ (x1 + x2 + x3)^3")
case("idiom_cross_pow2_factor", "y ~ (x1 + f3 + x2)^2")
case("idiom_cross_pow2_two", "y ~ (x1 + f2)^2")
case("idiom_in", "y ~ x1 + x2 %in% f3")
case("idiom_in_bare", "y ~ x1 %in% f3")
case("idiom_nest_slash", "y ~ f3 / x1")
case("idiom_minus1", "y ~ x1 - 1")
case("idiom_minus1_first", "y ~ -1 + x1 + x2")
case("idiom_zero_plus", "y ~ 0 + x1")
case("idiom_plus_zero", "y ~ x1 + 0")
case("idiom_zero_factor", "y ~ 0 + f3")
case("idiom_minus1_factor", "y ~ f3 - 1")
case("idiom_zero_two_factors", "y ~ 0 + f3 + f2")
case("idiom_remove_term", "y ~ x1 + x2 + x3 - x2")
case("idiom_repeat_term", "y ~ x1 + x1 + x2")
case("idiom_intercept_only", "y ~ 1")
case("idiom_offset", "y ~ x1 + offset(offs)")
case("idiom_offset_log", "ycnt ~ x1 + offset(log(ntr))", family="poisson")
case("idiom_log", "y ~ log(xpos)")
case("idiom_log_plus1", "y ~ log(xpos + 1)")
case("idiom_log10", "y ~ log10(xpos)")
case("idiom_log2", "y ~ log2(xpos)")
case("idiom_log1p", "y ~ log1p(xpos)")
case("idiom_exp", "y ~ exp(x1)")
case("idiom_exp_neg", "y ~ exp(-x1)")
case("idiom_sqrt", "y ~ sqrt(xpos)")
case("idiom_abs", "y ~ abs(x1)")
case("idiom_sqrt_abs", "y ~ sqrt(abs(x1))")
case("idiom_sin_cos", "y ~ sin(x1) + cos(x1)")
case("idiom_I_center_mean", "y ~ I(x1 - mean(x1))")
case("idiom_I_divide", "y ~ I(1 / xpos)")
case("idiom_I_product", "y ~ I(x1 * x2)")
case("idiom_I_sum", "y ~ I(x1 + x2)")
case("idiom_I_gt", "y ~ I(x1 > 0)")
case("idiom_I_eq_string", 'y ~ I(f3 == "a")')
case("idiom_I_eq_int", "y ~ I(xint == 2)")
case("idiom_I_and", "y ~ I(x1 > 0 & x2 > 0)")
case("idiom_scale", "y ~ scale(x1)")
case("idiom_scale_noscale", "y ~ scale(x1, scale = FALSE)")
case("idiom_scale_two", "y ~ scale(x1) + scale(xpos)")
case("idiom_poly2", "y ~ poly(x1, 2)")
case("idiom_poly3", "y ~ poly(x1, 3)")
case("idiom_poly2_raw", "y ~ poly(x1, 2, raw = TRUE)")
case("idiom_poly_int", "y ~ poly(xint, 2)")
case("idiom_poly_group", "y ~ poly(x1, 2) + (1 | g1)")
case("idiom_poly_interact", "y ~ poly(x1, 2) * f2")
case("idiom_factor_int", "y ~ factor(xint)")
case("idiom_as_factor_int", "y ~ as.factor(xint)")
case("idiom_factor_char", "y ~ factor(f3)")
case("idiom_factor_interact", "y ~ factor(xint) * x1")
case("idiom_as_numeric_lgl", "y ~ as.numeric(lgl)")
case("idiom_as_numeric_digits", "y ~ as.numeric(fdig)")
case("idiom_as_numeric_ordered", "y ~ as.numeric(ford)")
case("idiom_ifelse", "y ~ ifelse(x1 > 0, 1, 0)")
case("idiom_ifelse_factor", 'y ~ ifelse(f3 == "a", x1, 0)')
case("idiom_pmin", "y ~ pmin(x1, 1)")
case("idiom_pmax", "y ~ pmax(x1, 0)")
case("idiom_pmin_pmax", "y ~ pmin(pmax(x1, -1), 1)")
case("idiom_resp_log", "log(ypos) ~ x1")
case("idiom_resp_sqrt", "sqrt(ypos) ~ x1")
case("idiom_resp_I", "I(y * 2) ~ x1")
case("idiom_zero_intercept", "y ~ 0 + Intercept + x1", note="brms's special Intercept term")
case("idiom_zero_intercept_factor", "y ~ 0 + Intercept + f3")
case("idiom_zero_intercept_group", "y ~ 0 + Intercept + x1 + (1 | g1)")
case("idiom_zero_intercept_poisson", "ycnt ~ 0 + Intercept + x1", family="poisson")
_SPLINES = "R's spline bases are not evaluated; the message names brms's s() (issue 18 item 1)"
case("idiom_ns_splines", "y ~ splines::ns(x1, df = 3)", reason=r"(?i)smooth term 's\(x\)'", difference="unsupported",
     note=_SPLINES)
case("idiom_bs_splines", "y ~ splines::bs(x1, df = 4)", reason=r"(?i)smooth term 's\(x\)'", difference="unsupported",
     note=_SPLINES)
case("idiom_dotted_name_poly", "Reaction ~ poly(Days, 2) + (1 | Subject)", data="sleepstudy")
case("idiom_sleep_center", "Reaction ~ I(Days - mean(Days)) + (1 | Subject)", data="sleepstudy")
case("idiom_sleep_factor_days", "Reaction ~ factor(Days)", data="sleepstudy")
case("idiom_sleep_cross_slash", "Reaction ~ Days + (1 | Subject / Days)", data="sleepstudy")

# ---------------------------------------------------------------- factors and interactions
group("factors")
case("factor_char3", "y ~ f3")
case("factor_char2", "y ~ f2")
case("factor_digit_coded", "y ~ fdig", note="character digits: levels sort as text (1, 10, 2)")
case("factor_ordered", "y ~ ford", note="polynomial contrasts .L .Q")
case("factor_ordered_slope", "y ~ ford * x1")
case("factor_ordered_plus", "y ~ x1 + ford + f3")
case("factor_unused_level", "y ~ fun", note="unused level d dropped as R's model frame does")
case("factor_logical", "y ~ lgl")
case("factor_logical_interact", "y ~ lgl * x1")
case("factor_two", "y ~ f3 + f2")
case("factor_star", "y ~ f3 * f2")
case("factor_colon_only", "y ~ f3:f2")
case("factor_colon_with_margin", "y ~ f3 + f3:f2")
case("factor_x_num_star", "y ~ f3 * x1")
case("factor_x_num_colon", "y ~ f3:x1", note="a:b without margins")
case("factor_zero_colon_num", "y ~ 0 + f3:x1")
case("factor_num_colon_num", "y ~ x1:x2")
case("factor_num_star_num", "y ~ x1 * x2")
case("factor_three_way", "y ~ x1 * x2 * f2")
case("factor_num_colon_factor_order", "y ~ x1:f3")
case("factor_x1_plus_colon", "y ~ x1 + x1:f2")
case("factor_cbpp_period", "incidence | trials(size) ~ period + (1 | herd)", family="binomial", data="cbpp")
case("factor_cbpp_period_zero", "incidence | trials(size) ~ 0 + period + (1 | herd)", family="binomial", data="cbpp")
case("factor_grouping_digit", "y ~ x1 + (1 | fdig)")
case("factor_grouping_ordered", "y ~ x1 + (1 | ford)")
case("factor_grouping_logical", "y ~ x1 + (1 | lgl)")
case("factor_group_slope_factor", "y ~ f2 + (f2 | g1)")
case("factor_group_slope_ordered", "y ~ x1 + (ford | g1)")
case("factor_bernoulli_char_response", "yyn ~ x1", family="bernoulli")
case("factor_sleep_subject_fixed", "Reaction ~ Days + Subject", data="sleepstudy")

# ---------------------------------------------------------------- formula forms (README "What is there")
group("forms")
case("form_sleep_slopes", "Reaction ~ Days + (Days | Subject)", data="sleepstudy")
case("form_sleep_uncorrelated", "Reaction ~ Days + (Days || Subject)", data="sleepstudy")
case("form_sleep_intercept", "Reaction ~ Days + (1 | Subject)", data="sleepstudy")
case("form_sleep_slope_only", "Reaction ~ Days + (0 + Days | Subject)", data="sleepstudy")
case("form_sleep_split", "Reaction ~ Days + (1 | Subject) + (0 + Days | Subject)", data="sleepstudy")
case("form_sleep_gr", "Reaction ~ Days + (Days | gr(Subject))", data="sleepstudy")
case("form_sleep_gr_nocor", "Reaction ~ Days + (Days | gr(Subject, cor = FALSE))", data="sleepstudy")
case("form_sleep_sigma", bf("Reaction ~ Days + (Days | Subject)", "sigma ~ Days"), data="sleepstudy")
case("form_sleep_sigma_group", bf("Reaction ~ Days + (1 | Subject)", "sigma ~ 1 + (1 | Subject)"), data="sleepstudy")
case("form_sleep_id_shared", bf("Reaction ~ Days + (1 | p | Subject)", "sigma ~ (1 | p | Subject)"), data="sleepstudy")
case("form_cbpp_binomial", "incidence | trials(size) ~ period + (1 | herd)", family="binomial", data="cbpp")
case("form_cbpp_betabinomial", "incidence | trials(size) ~ period + (1 | herd)", family="beta_binomial", data="cbpp")
case("form_cbpp_poisson_offset", "incidence ~ period + offset(log(size)) + (1 | herd)", family="poisson", data="cbpp")
case("form_crossed", "y ~ x1 + (1 | g1) + (1 | g2)")
case("form_nested_slash", "y ~ x1 + (1 | g1 / g3)")
case("form_nested_colon", "y ~ x1 + (1 | g1:g3)")
case("form_nested_slash_slope", "y ~ x1 + (x1 | g1 / g3)")
case("form_interaction_group", "y ~ x1 + (1 | g1:g2)")
case("form_two_slopes", "y ~ x1 + x2 + (x1 + x2 | g1)")
case("form_uncor_two", "y ~ x1 + x2 + (x1 + x2 || g1)")
case("form_factor_slope", "y ~ f3 + (1 + f3 | g1)")
case("form_factor_slope_uncor", "y ~ f3 + (f3 || g1)")
case("form_zero_factor_slope", "y ~ f3 + (0 + f3 | g1)")
case("form_id_across_dpars", bf("y ~ x1 + (1 | i | g1)", "sigma ~ x1 + (1 | i | g1)"))
case("form_id_two_terms", "y ~ x1 + (1 | i | g1) + (0 + x1 | i | g1)")
case("form_gr_by", "y ~ x1 + (1 | gr(g1, by = gby))")
case("form_gr_by_slope", "y ~ x1 + (x1 | gr(g1, by = gby))")
case("form_gr_cor_false", "y ~ x1 + (x1 | gr(g1, cor = FALSE))")
case("form_gr_cov", "y ~ x1 + (1 | gr(g1, cov = A))", data2={"A": "covA"})
case("form_gr_by_cov", "y ~ x1 + (1 | gr(g1, by = gby, cov = A))", data2={"A": "covA"},
     note="brms's test-suite case [050]: by with a known covariance")
case("form_gr_by_cov_cor", "y ~ x1 + (1 + x1 | gr(g1, by = gby, cov = A))", data2={"A": "covA"})
case("form_gr_by_cov_uncor", "y ~ x1 + (1 + x1 || gr(g1, by = gby, cov = A))", data2={"A": "covA"})
case("form_gr_student", 'y ~ x1 + (1 | gr(g1, dist = "student"))')
case("form_gr_student_slope", 'y ~ x1 + (1 + x1 | gr(g1, dist = "student")) + (1 | g2)')
case("form_gr_student_two", 'y ~ x1 + (1 | g2) + (x1 || gr(g1, dist = "student")) + (1 | gr(g3, dist = "student"))',
     note="df per grouping factor, numbered by the factor's place among all factors (ggn)")
case("form_gr_student_by", 'y ~ x1 + (1 | gr(g1, by = gby, dist = "student"))')
case("form_gr_student_poisson", 'ycnt ~ x1 + (1 | gr(g1, dist = "student"))', family="poisson")
case("form_gr_student_prior", 'y ~ x1 + (1 | gr(g1, dist = "student"))', prior=[pr("gamma(2, 0.5)", "df", group="g1")])
case("form_mm_student", 'y ~ x1 + (1 | mm(gm1, gm2, dist = "student"))')
case("form_gr_dist_bad", 'y ~ x1 + (1 | gr(g1, dist = "cauchy"))', reason=r"(?i)'dist' should be one of")
case("form_mm", "y ~ x1 + (1 | mm(gm1, gm2))")
case("form_mm_weights", "y ~ x1 + (1 | mm(gm1, gm2, weights = cbind(w1, w2)))")
case("form_mm_noscale", "y ~ x1 + (1 | mm(gm1, gm2, weights = cbind(w1, w2), scale = FALSE))")
case("form_mm_noscale_noweights", "y ~ x1 + (1 | mm(gm1, gm2, scale = FALSE))")
case("form_mm_noscale_slope", "y ~ x1 + (1 + x1 | mm(gm1, gm2, weights = cbind(w1, w2), scale = FALSE))")
case("form_mm_slope", "y ~ x1 + (1 + x1 | mm(gm1, gm2))")
case("form_mmc", "y ~ x1 + (1 + mmc(w1, w2) | mm(gm1, gm2))", note="brms testsuite [197]: one covariate per member")
case("form_mmc_weights", "y ~ x1 + (1 + mmc(x1, x2) | mm(gm1, gm2, weights = cbind(w1, w2)))")
case("form_mmc_uncor", "y ~ (1 + mmc(x1, x2) || mm(gm1, gm2))")
case("form_mmc_slope", "y ~ x3 + (1 + x3 + mmc(x1, x2) | mm(gm1, gm2))")
case("refuse_mmc_not_mm", "y ~ (1 + mmc(x1, x2) | g1)", reason=r"(?i)mmc")
case("form_mm_plus_group", "y ~ x1 + (1 | mm(gm1, gm2)) + (1 | g2)")
case("form_trials_var", "ysucc | trials(ntr) ~ x1", family="binomial")
case("form_trials_const", "ysucc | trials(12) ~ x1", family="binomial")
case("form_weights", "y | weights(wts) ~ x1")
case("form_weights_group", "y | weights(wts) ~ x1 + (1 | g1)")
case("form_sigma_fixed", bf("y ~ x1", sigma=2))
case("form_quantile_fixed", bf("y ~ x1", quantile=0.25), family="asym_laplace")
case("form_dpar_group", bf("y ~ x1", "sigma ~ x1 + (1 | g1)"))
case("form_dpar_factor", bf("y ~ x1", "sigma ~ f3"))
case("form_dpar_zero", bf("y ~ x1", "sigma ~ 0 + f3"))
case("form_g1_g2_slopes", "y ~ x1 + (x1 | g1) + (x1 | g2)")
case("form_many_slopes", "y ~ x1 + x2 + f2 + (x1 + x2 + f2 | g1)")
case("form_rows_na_dropped", "y ~ xna + (1 | g1)", note="rows with NA dropped (brms warns)")
case("form_no_intercept_group", "y ~ 0 + x1 + (1 | g1)")
case("form_group_poly", "y ~ x1 + (poly(x1, 2) | g1)")
case("form_group_I", "y ~ x1 + (I(x1^2) | g1)")
case("form_sigma_cross", bf("y ~ x1", "sigma ~ (x1 + x2)^2"))

# ---------------------------------------------------------------- addition terms
group("additions")
case("add_cens_char", "y | cens(censlrc) ~ x1")
case("add_cens_int", "y | cens(censlri) ~ x1")
case("add_cens_interval", "y | cens(censc, yupp) ~ x1")
case("add_cens_interval_int", "y | cens(censi, yupp) ~ x1")
case("add_cens_poisson", "ycnt | cens(censc, ycnt + 2) ~ x1", family="poisson")
case("add_cens_weibull", "ypos | cens(censi, ypos + 1) ~ x1", family="weibull")
case("add_trunc_lb", "ypos | trunc(lb = 0) ~ x1", family="lognormal")
case("add_trunc_ub", "y | trunc(ub = 10) ~ x1")
case("add_trunc_both", "y | trunc(lb = -10, ub = 10) ~ x1")
case("add_trunc_var", "y | trunc(lb = tlb, ub = tub) ~ x1")
case("add_trunc_poisson", "ycnt | trunc(ub = 30) ~ x1", family="poisson")
case("add_trunc_cens", "y | cens(censlri) + trunc(lb = -10) ~ x1")
case("add_se", "y | se(sey) ~ x1")
case("add_se_sigma", "y | se(sey, sigma = TRUE) ~ x1")
case("add_se_group", "y | se(sey) ~ x1 + (1 | g1)")
case("add_rate", "ycnt | rate(ntr) ~ x1", family="poisson")
case("add_rate_negbin", "ycnt | rate(ntr) ~ x1", family="negbinomial")
case("add_mi_response", "ymis | mi() ~ x1")
case("add_mi_sdy", "y | mi(sey) ~ x1")
case("add_mi_sdy_missing", "ymis | mi(sey) ~ x1 + (1 | g1)")
case("add_mi_sdy_student", "ymis | mi(sey) ~ x1", family="student")
case("add_mi_sdy_predictor", mv("y ~ x1 + mi(ymis)", "ymis | mi(sey) ~ x2", rescor=False))
case("add_weights_trials", "ysucc | trials(ntr) + weights(wts) ~ x1", family="binomial")
case("add_weights_cens", "y | weights(wts) + cens(censlri) ~ x1")
case("add_trials_group", "ysucc | trials(ntr) ~ x1 + (1 | g1)", family="binomial")
case("add_trials_zib", "ysucc | trials(ntr) ~ x1", family="zero_inflated_binomial")
case("add_subset_mv", mv("y | subset(lgl) ~ x1", "y2 ~ x1", rescor=False))
case("add_subset_mv_rescor", mv("y | subset(lgl) ~ x1", "y2 ~ x1", rescor=True),
     reason=r"(?i)'subset\(\)'.*not supported with residual correlations")
case("add_subset_mv_both", mv("y | subset(lgl) ~ x1 + (1 | g1)", "y2 | subset(xint > 0) ~ x1", rescor=False))
case("add_subset_mv_shared_id", mv("y | subset(lgl) ~ x1 + (1 | p | g1)", "y2 | subset(xint > 1) ~ x2 + (1 | p | g1)",
                                  rescor=False), note="one block of both responses: J_1_y and J_1_y2 on their rows")
case("add_subset_mv_poisson", mv("ycnt | subset(xint != 0) ~ x1 + (1 + x1 | g2)", "ycnt0 ~ x2", rescor=False),
     family="poisson", note="family for every response; N_ycnt and N_y")
case("add_subset_mv_na_outside", mv("y | subset(lgl) ~ x1", "y2 | subset(!lgl) ~ x1 + xna", rescor=False),
     note="brms's na_omit: an NA of xna outside y2's subset keeps its row for y")
case("add_subset_mv_factor", mv("y | subset(f3 != \"c\") ~ f3 + x1", "y2 ~ f3", rescor=False),
     note="X_y from its rows: no f3c column; X_y2 from every row")
case("add_subset_mv_mm", mv("y | subset(lgl) ~ x1 + (1 | mm(gm1, gm2))", "y2 | subset(xint > 0) ~ x1 + (1 | mm(gm1, gm2))",
                            rescor=False), note="mm(): J_<k>_<resp>_<m> and W_<k>_<resp>_<m> on each response's rows")
case("add_subset_mv_mi_no_idx", mv("y ~ mi(xmis)", "xmis | mi() + subset(lgl) ~ x1", rescor=False),
     difference="refuse_beyond_2_18", note="brms 2.18 accepts it and pairs y's rows with the first N_y of Yl_xmis "
     "(its own check needs index()); brmspy refuses with brms's message",
     reason=r"mi\(\) terms of subsetted variables require the 'idx' argument")
case("add_mi_idx_subset", mv("y | subset(lgl) ~ mi(xmis, idx = x3) + x2", "xmis | mi() + index(x3) + subset(lgl) ~ x2",
                             rescor=False), note="mi(x, idx = ): idxl_y_xmis_1 matches y's x3 among xmis's index(x3)")
case("add_mi_idx_interaction", mv("y | subset(lgl) ~ mi(xmis, idx = x3) * mi(ymis, idx = x3)",
                                  "xmis | mi() + index(x3) + subset(lgl) ~ 1", "ymis | mi() + index(x3) + subset(lgl) ~ x2",
                                  rescor=False), note="brms testsuite [279]'s shape: a product of mi() terms")
case("add_mi_idx_matching", mv("y | subset(xint > 2) ~ mi(xmis, idx = tlb)", "xmis | mi() + index(tlb) + subset(xint > 1) ~ x2",
                               rescor=False), note="y's rows are some of xmis's rows: idxl is not 1..N_y")
case("add_mi_idx_groups", mv("y | subset(lgl) ~ mi(xmis, idx = x3) * x2 + (1 | p | g1)",
                             "xmis | mi() + index(x3) + subset(lgl) ~ 1 + (1 | p | g1)", rescor=False),
     note="one group-level block of both responses: J_1_y and J_1_xmis; an idx term times a covariate (Csp)")
case("add_mi_idx_no_index", mv("y ~ mi(xmis, idx = x1)", "xmis | mi() ~ x2", rescor=False),
     reason=r"needs to have an 'index' addition term to compare with 'idx'")
case("add_mi_idx_unmatched", mv("y ~ mi(xmis, idx = x3)", "xmis | mi() + index(x3) + subset(lgl) ~ x2", rescor=False),
     reason=r"Could not match all indices in response 'xmis'")
case("add_subset_uni", "y | subset(lgl) ~ x1 + (1 | g1)")
case("add_subset_levels_outside", 'y | subset(gby == "u") ~ x1 + (1 | g1) + (1 | g2)',
     note="g1 levels 5-8 only outside the subset: N_1 counts them (brms's global grouping levels)")
case("add_subset_factor_levels", 'y | subset(f3 != "c") ~ f3 + x1', note="X from the subset rows: no f3c column")
case("add_subset_numeric", "y | subset(xint) ~ x1 + x2", note="as.logical() of a number: 0 is FALSE")
case("add_subset_poisson_slopes", "ycnt | subset(lgl) ~ x1 + (1 + x1 | g2)", family="poisson")
case("add_subset_weights", "y | weights(wts) + subset(lgl) ~ x1")
case("add_subset_poly_scale", "y | subset(lgl) ~ poly(x1, 2) + scale(x2)", note="poly()/scale() of the subset rows")
case("add_subset_smooth", "y | subset(lgl) ~ s(x1)")
case("add_subset_ar", "y | subset(lgl) ~ x1 + ar(time = tim, gr = g1)")
case("add_subset_sar", "y | subset(lgl) ~ x1 + sar(W)", data2={"W": "sarW"},
     reason=r"Dimensions of 'W' for SAR terms must be equal to the number of observations",
     note="brms removes the NA rows from W, then needs N x N of the subset")
case("add_subset_gr_by", 'y | subset(xint != 2) ~ x1 + (1 | gr(g1, by = gby))')
case("add_subset_gr_by_outside", 'y | subset(gby == "u") ~ x1 + (1 | gr(g1, by = gby))')
case("add_subset_gr_cov", 'y | subset(gby == "u") ~ x1 + (1 | gr(g1, cov = A))', data2={"A": "covA"})
case("add_subset_mm", "y | subset(lgl) ~ x1 + (1 | mm(gm1, gm2))")
case("add_subset_cens", "y | cens(censi, yupp) + subset(lgl) ~ x1", note="cens() on the subset rows")
case("add_subset_bernoulli", "ybin | subset(xint > 1) ~ x1 + (1 | g1)", family="bernoulli")
case("add_subset_me", "y | subset(lgl) ~ me(xme, sdxme)", reason=r"Cannot use me\(\) terms in subsetted formulas")
case("add_subset_mo_group", "y | subset(lgl) ~ mo(xmo) + (1 | g2)")
case("add_subset_mi_response", "ymis | mi() + subset(lgl) ~ x1")
case("add_subset_cumulative", "yord | subset(lgl) ~ x1 + (1 | g1)", family="cumulative")
case("add_subset_categorical", "ycat | subset(lgl) ~ x1 + (1 | g1)", family="categorical",
     note="every category in the subset (without one, brms 2.18 codes Y inconsistently; brmspy refuses)")
case("add_subset_binomial", "ysucc | trials(ntr) + subset(lgl) ~ x1", family="binomial")
case("add_subset_sigma", bf("y | subset(lgl) ~ x1", "sigma ~ x2 + (1 | g1)"))
case("add_subset_nonlinear", bf("y | subset(lgl) ~ a + b * x1", "a ~ 1 + (1 | g1)", "b ~ 1", nl=True),
     prior=[{"prior": "normal(0, 2)", "class": "b", "nlpar": "a"}, {"prior": "normal(0, 2)", "class": "b", "nlpar": "b"}])
case("add_subset_mixture", "y | subset(lgl) ~ x1", family={"mixture": ["gaussian", "gaussian"], "order": "mu"})

# ---------------------------------------------------------------- special terms
group("specials")
case("sp_mo", "y ~ mo(xmo)")
case("sp_mo_ordered", "y ~ mo(ford)")
case("sp_mo_interact", "y ~ mo(xmo) * x1")
case("sp_mo_two", "y ~ mo(xmo) + mo(xint)")
case("sp_mo_group", "y ~ mo(xmo) + (mo(xmo) | g1)")
case("sp_mo_group_uncor", "y ~ x1 + mo(xmo) + (mo(xmo) || g1)")
case("sp_mo_group_only", "y ~ mo(xmo) + (0 + mo(xmo) | g1) + (1 | g2)")
case("sp_mo_group_slope", "y ~ x1 + mo(xmo) + (1 + x1 + mo(xmo) | g1)")
case("sp_mo_group_id", bf("y ~ mo(xmo) + (mo(xmo) | i | g1)", "sigma ~ (1 | i | g1)"))
case("sp_me_in_group", "y ~ me(xme, sdxme) * x1 + (me(xme, sdxme) * x1 | g1)")
case("sp_me_group_missing", "y ~ x1 + me(xme, sdxme) + (me(xme, sdxme):x1 | g1)",
     reason=r"(?i)Special group-level terms require corresponding population-level terms")
case("sp_mo_colon_factor", "y ~ mo(xmo):f2")
case("sp_mo_star_factor", "y ~ mo(xmo) * f3")
case("sp_mo_main_and_factor", "y ~ x1 + mo(xmo) + mo(xmo):f3")
case("sp_mo_factor_numeric", "y ~ mo(xmo):f3:x2")
case("sp_me_colon_factor", "y ~ me(xme, sdxme):f2")
case("sp_me", "y ~ me(xme, sdxme)")
case("sp_me_two", "y ~ me(xme, sdxme) + me(x2, sdxme)")
case("sp_me_nocor", bf("y ~ me(xme, sdxme) + me(x2, sdxme)", mecor=False))
case("sp_me_interact", "y ~ me(xme, sdxme) * x1")
case("sp_me_group", "y ~ me(xme, sdxme, gr = g1)", reason=r"(?i)(unique|group)",
     note="brms needs one measured value per level of gr")
case("sp_me_gr", "y ~ me(xint, xint + 1, gr = g2)", note="one latent value per level of g2 (xint is constant within g2)")
case("sp_me_gr_mixed", "y ~ me(xint, xint + 1, gr = g2) + me(xme, sdxme)")
case("sp_me_gr_cor", "y ~ me(xint, xint + 1, gr = g2) + me(xint * 2, xint + 2, g2) + (1 | g1)")
case("sp_me_gr_nocor", bf("y ~ me(xint, xint + 1, gr = g2) + me(xint * 2, xint + 2, g2)", mecor=False))
case("sp_me_gr_varying", "y ~ me(xint, xint + 1, g2) + (me(xint, xint + 1, g2) | g1)")
case("sp_me_expr_sq", "y ~ I(me(xme, sdxme)^2)", note="brms testsuite [189]: the transformed latent value in bsp")
case("sp_me_expr_mixed", "y ~ me(xme, sdxme) + I(me(xme, sdxme)^2)")
case("sp_me_expr_interact", "y ~ I(exp(me(xme, sdxme) / 2)) * x1")
case("sp_me_expr_factor", "y ~ I(me(xme, sdxme)^2) * f3")
case("sp_me_expr_gr", "y ~ I(1 / me(xint, xint + 1, g2))")
case("sp_mi_expr", mv("y ~ I(mi(xmis)^2) + x1", "xmis | mi() ~ x2", rescor=False))
case("sp_mi_expr_exp", mv("y ~ I(exp(mi(xmis))) * x1", "xmis | mi() ~ x2", rescor=False))
case("refuse_mo_expr", "y ~ I(mo(xmo)^2)", reason=r"The monotonic term .* is invalid")
case("sp_mi_predictor", mv("y ~ mi(xmis) + x1", "xmis | mi() ~ x2", rescor=False))
case("sp_mi_interact", mv("y ~ mi(xmis) * x1", "xmis | mi() ~ x2", rescor=False))
case("sp_s", "y ~ s(x1)")
case("sp_s_k", "y ~ s(x1, k = 5)")
case("sp_s_cr", 'y ~ s(x1, bs = "cr", k = 5)')
case("sp_s_two_d", "y ~ s(x1, x2, k = 10)")
case("sp_s_by", "y ~ f2 + s(x1, by = f2, k = 5)")
case("sp_s_plus_group", "y ~ s(x1, k = 5) + (1 | g1)")
case("sp_s_two", "y ~ s(x1, k = 5) + s(x2, k = 5)")
case("sp_t2", "y ~ t2(x1, x2, k = 4)")
case("sp_s_poisson", "ycnt ~ s(x1, k = 5)", family="poisson")
# k equal to the number of unique values (c1, c2, tim: 10; xint: 5): mgcv's "pure knot" basis
case("sp_s_pure_knot", "y ~ s(c1)")
case("sp_s_pure_knot_k5", "y ~ s(xint, k = 5)")
case("sp_s_pure_knot_group", "y ~ s(tim) + (1 | g1)")
case("sp_s_pure_knot_poisson", "ycnt ~ s(c2)", family="poisson")
case("sp_s_pure_knot_by", "y ~ f2 + s(c1, by = f2)")
case("sp_s_sigma", bf("y ~ x1", "sigma ~ s(x2, k = 5)"))
case("sp_gp", "y ~ gp(x1)")
case("sp_gp_approx", "y ~ gp(x1, k = 10, c = 5/4)")
case("sp_gp_two_d", "y ~ gp(x1, x2)")
case("sp_gp_by", "y ~ gp(x1, by = f2)")
case("sp_gp_noscale", "y ~ gp(x1, scale = FALSE)")
case("sp_gp_iso_false", "y ~ gp(x1, x2, iso = FALSE)")
case("sp_gp_cov", 'y ~ gp(x1, cov = "exp_quad")')
case("sp_gp_two_d_approx", "y ~ gp(x1, x2, k = 4, c = 5/4)")
case("sp_gp_iso_false_approx", "y ~ gp(x1, x2, k = 4, c = c(5/4, 3/2), iso = FALSE)")
case("sp_gp_three_d", "y ~ x3 + gp(x1, x2, xpos)")
case("sp_gp_nogr", "y ~ gp(x1, gr = FALSE)")
case("sp_gp_approx_nogr", "y ~ gp(x1, k = 8, c = 5/4, gr = FALSE)")
case("sp_gp_by_nogr", "y ~ gp(x1, by = f2, gr = FALSE)")
case("sp_gp_by_approx_nogr", "y ~ gp(x1, by = f2, k = 6, c = 5/4, gr = FALSE)")
case("sp_gp_by_numeric", "y ~ gp(x1, by = x2)")
case("sp_gp_by_numeric_nogr", "y ~ gp(x1, by = x2, gr = FALSE)")
case("sp_gp_prior_iso_false", "y ~ gp(x1, x2, iso = FALSE)", prior=[pr("normal(0, 0.5)", "lscale", coef="gpx1x2x2"),
                                                                   pr("exponential(1)", "sdgp")])
case("sp_gp_by_iso_false", "y ~ gp(x1, x2, by = f3, iso = FALSE)")
case("sp_gp_cmc_false", "y ~ gp(x1, by = f2, cmc = FALSE)")
case("sp_gp_cmc_false_ordered", "y ~ gp(x1, by = ford, cmc = FALSE)", note="polynomial contrasts: one GP per column")
case("sp_gp_cmc_false_ordered_approx", "y ~ x2 + gp(x1, by = ford, cmc = FALSE, k = 5, c = 5/4)")
case("sp_gp_cmc_false_ordered_nogr", "y ~ gp(x1, by = ford, cmc = FALSE, gr = FALSE)")
case("sp_gp_approx_noscale", "y ~ gp(x1, k = 10, c = 3/2, scale = FALSE)")
case("sp_gp_sigma", bf("y ~ x1", "sigma ~ gp(x2, x1, iso = FALSE)"))
case("sp_gp_matern32", 'y ~ gp(x1, cov = "matern32")', difference="newer_brms",
     note="cov = matern32/matern52/exponential: brms 2.20+")
case("sp_gp_matern52_approx", 'y ~ gp(x1, x2, k = 4, c = 5/4, cov = "matern52", iso = FALSE)', difference="newer_brms")
case("sp_gp_exponential", 'y ~ gp(x1, x2, cov = "exponential")', difference="newer_brms")
case("refuse_gp_exponential_approx", 'y ~ gp(x1, k = 5, c = 5/4, cov = "exponential")',
     reason=r"(?i)approximate GPs with cov = \"exponential\"", note="brms 2.18 refuses every kernel but exp_quad; "
     "current brms refuses HSGPs with the exponential kernel")
case("refuse_gp_c_length", "y ~ gp(x1, x2, k = 4, c = c(1, 2, 3))", reason=r"(?i)'c' must be of the same length")
case("sp_offset_poisson", "ycnt ~ x1 + offset(log(ntr))", family="poisson")
case("sp_offset_two", "y ~ x1 + offset(offs) + offset(x2)")
case("sp_offset_sigma", bf("y ~ x1", "sigma ~ x2 + offset(offs)"))
case("sp_cs_sratio", "yord ~ cs(x1)", family="sratio")
case("sp_cs_acat", "yord ~ cs(x1) + x2", family="acat")
case("sp_cs_cratio_group", "yord ~ x1 + (cs(1) | g1)", family="cratio")
case("sp_cs_acat_group_slope", "yord ~ x1 + cs(x2) + (1 + cs(x2) | g1)", family="acat")
case("sp_cs_sratio_group_uncor", "yord ~ x1 + (cs(x2) || g1) + (1 | g2)", family="sratio")
# cse(): brms 2.18's older name of cs(), same model and data
case("sp_cse_acat_group", "yord ~ x1 + cse(x2) + (cse(1) | g1)", family="acat")
case("sp_cse_acat_probit_approx_uncor", "yord ~ x1 + (cse(x2) || g1)", family={"family": "acat", "link": "probit_approx"})
case("sp_cse_sratio", "yord ~ cse(x1) + x2", family="sratio")
case("sp_cs_group_mixed", "yord ~ x1 + (1 + x1 + cs(x2) | g1)", family="acat",
     reason=r"(?i)category specific effects in separate group-level terms")
case("sp_cs_group_gaussian", "y ~ x1 + (cs(1) | g1)", reason=r"(?i)(category|cs\(\))")
case("sp_cs_cumulative", "yord ~ cs(x1)", family="cumulative", note="brms 2.18 warns (experimental), does not refuse")
case("sp_cs_cumulative_probit_group", "yord ~ x1 + cs(x2) + (cs(1) | g1)", family=fam("cumulative", link="probit"),
     note="brms 2.18 warns (experimental)")
case("sp_cs_cumulative_group_only", "yord ~ x1 + (cs(1) || g1)", family="cumulative")

# ---------------------------------------------------------------- autocorrelation
group("autocor")
case("ac_ar", "y ~ x1 + ar(time = tim, gr = g1)")
case("ac_ar_p2", "y ~ x1 + ar(time = tim, gr = g1, p = 2)")
case("ac_ma", "y ~ x1 + ma(time = tim, gr = g1)")
case("ac_arma", "y ~ x1 + arma(time = tim, gr = g1, p = 1, q = 1)")
case("ac_cosy", "y ~ x1 + cosy(time = tim, gr = g1)")
case("ac_ar_cov", "y ~ x1 + ar(time = tim, gr = g1, cov = TRUE)")
case("ac_ar_poisson", "ycnt ~ x1 + ar(time = tim, gr = g1)", family="poisson")
case("ac_arma_cov_student", "y ~ x1 + arma(time = tim, gr = g1, cov = TRUE)", family="student")
case("ac_cosy_student_sigma", bf("y ~ x1 + cosy(time = tim, gr = g1)", "sigma ~ x2"), family="student")
case("ac_ar_p2_bernoulli", "ybin ~ x1 + ar(time = tim, gr = g1, p = 2)", family="bernoulli")
case("ac_ar_nogr_negbinomial", "ycnt ~ x1 + ar(p = 1)", family="negbinomial")
case("ac_arma_cov_poisson", "ycnt ~ x1 + arma(time = tim, gr = g1, cov = TRUE)", family="poisson")
case("ac_ma_cov_gamma", "ypos ~ x1 + ma(time = tim, gr = g1, cov = TRUE)", family="Gamma")
case("ac_cosy_bernoulli", "ybin ~ x1 + cosy(time = tim, gr = g1)", family="bernoulli")
case("ac_ar_poisson_sderr_prior", "ycnt ~ x1 + (1 | g2) + ar(time = tim, gr = g1)", family="poisson",
     prior=[pr("normal(0, 1)", "sderr"), pr("normal(0, 0.5)", "ar")])
case("refuse_ac_ma_poisson", "ycnt ~ x1 + ma(time = tim, gr = g1)", family="poisson",
     reason=r"(?i)cov = TRUE when modeling MA structures")
case("ac_ar_group", "y ~ x1 + (1 | g2) + ar(time = tim, gr = g1)")
case("ac_ar_nogr", "y ~ x1 + ar(p = 1)")
case("ac_ar_student", "y ~ x1 + ar(time = tim, gr = g1)", family="student")
case("ac_arma_sigma", bf("y ~ x1 + arma(time = tim, gr = g1)", "sigma ~ x2"))
case("refuse_ac_cosy_cens", "y | cens(censi) ~ x1 + cosy(tim, g1)", reason=r"(?i)invalid addition arguments")
case("refuse_ac_ar_cov_trunc", "y | trunc(lb = -10) ~ x1 + ar(tim, g1, cov = TRUE)", reason=r"(?i)invalid addition arguments")
case("refuse_ac_cosy_se", "y | se(sey) ~ x1 + cosy(tim, g1)", reason=r"(?i)set argument 'sigma' of function 'se' to TRUE")
case("refuse_ac_fcor_se", "y | se(sey) ~ x1 + fcor(V)", data2={"V": "fcorV"}, reason=r"(?i)invalid addition arguments")
case("ac_cosy_se_sigma", "y | se(sey, sigma = TRUE) ~ x1 + cosy(tim, g1)", note="se^2 on the covariance's diagonal")
case("ac_arma_cov_se_student", "y | se(sey, sigma = TRUE) ~ x1 + arma(tim, g1, cov = TRUE)", family="student")
case("ac_ar_cov_se_sigma_het", bf("y | se(sey, sigma = TRUE) ~ x1 + ar(tim, g1, cov = TRUE)", "sigma ~ x2"))
case("ac_ma_cov_se_group", "y | se(sey, sigma = TRUE) ~ x1 + (1 | g2) + ma(tim, g1, cov = TRUE)")
case("refuse_ac_arma_cov_se", "y | se(sey) ~ x1 + arma(tim, g1, cov = TRUE)",
     reason=r"(?i)set argument 'sigma' of function 'se' to TRUE")
case("refuse_ac_sar_se", "y | se(sey) ~ x1 + sar(W)", data2={"W": "sarW"}, reason=r"(?i)does not compile",
     difference="unsupported",
     note="brms 2.18 gives data and priors, but its program passes the vector se where its SAR density takes one "
          "sigma and stanc rejects it")
case("refuse_ac_sar_se_sigma", 'y | se(sey, sigma = TRUE) ~ x1 + sar(W, type = "error")', data2={"W": "sarW"},
     reason=r"(?i)does not compile", difference="unsupported")
case("ac_unstr", "y ~ x1 + unstr(tim, g1)", difference="newer_brms", note="unstr(): brms 2.19+")
case("ac_unstr_student_sigma", bf("y ~ x1 + unstr(time = tim, gr = g1)", "sigma ~ x2"), family="student",
     difference="newer_brms")
case("ac_unstr_poisson", "ycnt ~ x1 + (1 | g2) + unstr(tim, g1)", family="poisson", difference="newer_brms",
     note="latent residuals (scale_time_err_flex)")
case("ac_unstr_prior", "y ~ x1 + unstr(tim, g1)", prior=[pr("lkj(2)", "cortime")], difference="newer_brms")
case("ac_unstr_se_sigma", "y | se(sey, sigma = TRUE) ~ x1 + unstr(tim, g1)", difference="newer_brms",
     note="brms 2.19+: normal_time_hom_se_flex_lpdf")
case("ac_unstr_se_student_sigma", bf("y | se(sey, sigma = TRUE) ~ x1 + unstr(tim, g1)", "sigma ~ x2"),
     family="student", difference="newer_brms")
case("ac_car", "y ~ x1 + car(W, gr = g1)", data2={"W": "adjW"})
case("ac_car_esicar", 'y ~ x1 + car(W, gr = g1, type = "esicar")', data2={"W": "adjW"})
case("ac_car_sigma", bf("y ~ x1", "sigma ~ car(W, gr = g1)"), data2={"W": "adjW"}, note="car() on a dpar")
case("ac_car_mu_sigma", bf("y ~ x1 + car(W, gr = g1)", "sigma ~ x2 + car(W, gr = g1, type = 'icar')"),
     data2={"W": "adjW"})
case("ac_car_shape_bym2_negbinomial", bf("ycnt ~ x1", "shape ~ car(W, gr = g1, type = 'bym2')"),
     family="negbinomial", data2={"W": "adjW"}, prior=[pr("normal(0, 1)", "sdcar", dpar="shape")])
case("ac_car_icar_poisson", 'ycnt ~ x1 + car(W, gr = g1, type = "icar")', family="poisson", data2={"W": "adjW"})
case("ac_car_bym2_bernoulli", 'ybin ~ x1 + (1 | g2) + car(W, g1, "bym2")', family="bernoulli", data2={"W": "adjW"})
case("ac_car_prior", "y ~ x1 + car(W, gr = g1)", data2={"W": "adjW"},
     prior=[pr("normal(0, 1)", "sdcar"), pr("beta(2, 2)", "car")])
case("ac_car_bym2_prior", 'ycnt ~ x1 + car(W, gr = g1, type = "bym2")', family="poisson", data2={"W": "adjW"},
     prior=[pr("beta(0.5, 0.5)", "rhocar")])
case("ac_sar_lag", "y ~ x1 + sar(W)", data2={"W": "sarW"})
case("ac_sar_error_student", 'y ~ x1 + sar(W, type = "error")', family="student", data2={"W": "sarW"})
case("ac_sar_prior", 'y ~ x1 + (1 | g2) + sar(W, "lag")', data2={"W": "sarW"}, prior=[pr("normal(0, 0.5)", "lagsar")])
case("ac_fcor", "y ~ x1 + fcor(V)", data2={"V": "fcorV"})
case("ac_fcor_student_sigma", bf("y ~ x1 + fcor(V)", "sigma ~ x2"), family="student", data2={"V": "fcorV"})
case("ac_fcor_na_rows", "y ~ xna + fcor(V)", data2={"V": "fcorV"}, note="brms removes the dropped rows from M")
case("ac_sar_na_rows", "y ~ x1 + xna + sar(W)", data2={"W": "sarW"}, note="eigenvalues of the subset matrix")
case("ac_sar_error_na_rows", 'y ~ xmis + sar(W, type = "error")', family="student", data2={"W": "sarW"})
case("refuse_ac_sar_poisson", "ycnt ~ x1 + sar(W)", family="poisson", data2={"W": "sarW"},
     reason=r"(?i)SAR terms are not implemented for (this )?family")
case("refuse_ac_fcor_bernoulli", "ybin ~ x1 + fcor(V)", family="bernoulli", data2={"V": "fcorV"},
     reason=r"(?i)FCOR terms are not implemented for (this )?family")
case("refuse_ac_car_type", 'y ~ x1 + car(W, gr = g1, type = "sar")', data2={"W": "adjW"}, reason=r"(?i)type")
case("refuse_ac_car_no_matrix", "y ~ x1 + car(V, gr = g1)", data2={"W": "adjW"}, reason=r"(?i)(V|not in data2)")

# ---------------------------------------------------------------- distributional formulas
group("distributional")
case("dist_sigma", bf("y ~ x1", "sigma ~ x1"))
case("dist_student_nu", bf("y ~ x1", "nu ~ x2"), family="student")
case("dist_student_sigma_group", bf("y ~ x1", "sigma ~ (1 | g1)"), family="student")
case("dist_beta_phi", bf("y01 ~ x1", "phi ~ x2"), family="beta")
case("dist_negbin_shape", bf("ycnt ~ x1", "shape ~ x2"), family="negbinomial")
case("dist_gamma_shape", bf("ypos ~ x1", "shape ~ f3"), family="gamma")
case("dist_zip_zi", bf("ycnt0 ~ x1", "zi ~ x2"), family="zero_inflated_poisson")
case("dist_zinb_zi_group", bf("ycnt0 ~ x1", "zi ~ x2 + (1 | g1)"), family="zero_inflated_negbinomial")
case("dist_hurdle_hu", bf("ycnt0 ~ x1", "hu ~ x2"), family="hurdle_poisson")
case("dist_hurdle_gamma_hu", bf("y0pos ~ x1", "hu ~ x2"), family="hurdle_gamma")
case("dist_zoib_zoi_coi", bf("y01i ~ x1", "zoi ~ x2", "coi ~ 1"), family="zero_one_inflated_beta")
case("dist_zib_zi", bf("y01i ~ x1", "zi ~ x2"), family="zero_inflated_beta",
     reason=r"(?i)(smaller than 1|less than 1|below 1|< ?1\b|\[0, ?1\))",
     note="zero_inflated_beta with ones in the response: brms refuses (values in [0, 1))")
case("dist_skew_alpha", bf("y ~ x1", "alpha ~ x2"), family="skew_normal")
case("dist_exgauss_beta", bf("y ~ x1", "beta ~ x2"), family="exgaussian")
case("dist_shifted_ndt", bf("ypos ~ x1", "ndt ~ 1"), family="shifted_lognormal")
case("dist_gev_xi", bf("y ~ x1", "xi ~ 1"), family="gen_extreme_value")
case("dist_vonmises_kappa", bf("yang ~ x1", "kappa ~ x2"), family="von_mises")
case("dist_asym_quantile", bf("y ~ x1", "quantile ~ 1"), family="asym_laplace")
case("dist_cumulative_disc", bf("yord ~ x1", "disc ~ x2"), family="cumulative")
case("dist_weibull_shape", bf("ypos ~ x1", "shape ~ x2"), family="weibull")
case("dist_frechet_nu", bf("ypos ~ x1", "nu ~ x2"), family="frechet")
case("dist_lognormal_sigma", bf("ypos ~ x1", "sigma ~ f2"), family="lognormal")
case("dist_negbin2_sigma", bf("ycnt ~ x1", "sigma ~ x2"), family="negbinomial2")
case("dist_comp_shape", bf("ycnt ~ x1", "shape ~ x2"), family="com_poisson")
case("dist_dweibull_shape", bf("ycnt ~ x1", "shape ~ x2"), family="discrete_weibull")
case("dist_betabin_phi", bf("ysucc | trials(ntr) ~ x1", "phi ~ x2"), family="beta_binomial")
case("dist_sigma_link_identity", bf("y ~ x1", "sigma ~ xpos"), family=fam("gaussian", link_sigma="identity"))
case("dist_sigma_kw_formula", bf("y ~ x1", sigma="~ x2"))
case("dist_student_nu_fixed", bf("y ~ x1", nu=4), family="student")

# ---------------------------------------------------------------- multivariate
group("multivariate")
case("mv_default_rescor", mv("y ~ x1", "y2 ~ x1"), note="brms 2.18 sets rescor = TRUE for gaussian (message)")
case("mv_ar_rescor", mv("y ~ 1 + ar(tim, g1)", "y2 ~ 1 + ar(tim, g1)", rescor=True),
     note="ARMA terms added to each response's mu, then the joint density (brms test suite [100])")
case("mv_arma_rescor_student", mv("y ~ x1 + arma(tim, g1)", "y2 ~ x1 + arma(tim, g1)", rescor=True), family="student")
case("mv_ar_one_rescor_sigma", mv(bf("y ~ x1 + ar(tim, g1, p = 2)", "sigma ~ x2"), "y2 ~ x1", rescor=True))
case("mv_mi_rescor", mv(bf("y ~ 1", "sigma ~ 1"), "ymis | mi() ~ 1", rescor=True),
     note="brms test suite [273]: the imputed values fill the rows' response array Yl")
case("mv_mi_rescor_student", mv("y ~ x1", "ymis | mi() ~ x2 + (1 | g1)", rescor=True), family="student")
case("mv_mi_rescor_predictor", mv("y ~ mi(xmis) + x1", "xmis | mi() ~ x2", rescor=True))
case("mv_mi_sdy_rescor", mv("ymis | mi(sey) ~ x1", "y ~ x2", rescor=True), note="latent Yl_ymis in the rows' array")
case("refuse_mv_cosy_rescor", mv("y ~ x1 + cosy(tim, g1)", "y2 ~ x1 + cosy(tim, g1)", rescor=True),
     reason=r"(?i)Explicit covariance terms cannot be modeled when 'rescor' is estimated")
case("mv_rescor_true", mv("y ~ x1", "y2 ~ x1", rescor=True))
case("mv_rescor_false", mv("y ~ x1", "y2 ~ x1", rescor=False))
case("mv_mvbind", "mvbind(y, y2) ~ x1")
case("mv_mvbind_rescor_false", mv("mvbind(y, y2) ~ x1 + (1 | g1)", rescor=False))
case("mv_brms_mvbind", mv("brms::mvbind(y, y2) ~ x1 + (1 | g1)", rescor=False),
     note="brms::mvbind: the one brms:: call brms 2.18 reads in a formula")
case("mv_brms_mvbind_rescor", "brms::mvbind(y, y2) ~ x1")
case("refuse_brms_prefix_special", "y ~ brms::mo(xmo)", reason=r"brms::mo.*without 'brms::'",
     note="brms 2.18: 'invalid type (list) for variable brms::mo(xmo)'")
case("mv_mvbind_expr", mv("mvbind(ypos / 2, y2) ~ x1", rescor=False))
case("refuse_mvbind_same_resp_name", mv("mvbind(y / 2, y2) ~ x1", rescor=False), reason=r"(?i)(same response|twice|y2)",
     note="y / 2 and y2 both get the response name y2")
case("mv_shared_id", mv("y ~ x1 + (1 | p | g1)", "y2 ~ x1 + (1 | p | g1)", rescor=True))
case("mv_families", mv(bf("y ~ x1", family="gaussian"), bf("ycnt ~ x1", family="poisson")))
case("mv_families_rescor_false", mv(bf("y ~ x1", family="gaussian"), bf("ycnt ~ x1 + (1 | g1)", family="poisson"),
                                    rescor=False))
case("mv_student_rescor", mv("y ~ x1", "y2 ~ x1", rescor=True), family="student")
case("mv_dpar", mv(bf("y ~ x1", "sigma ~ x2"), bf("y2 ~ x1"), rescor=False))
case("mv_three", mv("y ~ x1", "y2 ~ x1", "ypos ~ x2", rescor=True))
case("mv_different_predictors", mv("y ~ x1 + f3", "y2 ~ x2 + (1 | g2)", rescor=False))
case("mv_dotted_resp", mv("ypos ~ x1", "y01 ~ x1", rescor=False))
case("mv_mvbind_group_slope", "mvbind(y, y2) ~ x1 + (x1 | g1)")

# ---------------------------------------------------------------- non-linear
group("nonlinear")
case("nl_exp", bf("y ~ a * exp(b * x1)", "a ~ 1", "b ~ 1", nl=True), prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")])
case("refuse_nl_no_priors", bf("y ~ a * exp(b * x1)", "a ~ 1", "b ~ 1", nl=True), reason=r"(?i)prior",
     note="brms requires priors on the coefficients of non-linear parameters")
case("nl_prior_one_coef", bf("y ~ a * exp(b * x1)", "a ~ 1 + x2", "b ~ 1", nl=True),
     prior=[pr("normal(0, 2)", "b", nlpar="a", coef="x2"), pr("normal(0, 2)", "b", nlpar="b")],
     note="brms 2.18: one prior among an nlpar's rows is enough; the others stay flat")
case("nl_gp_default_priors", bf("y ~ a", "a ~ gp(x1)", nl=True),
     note="brms's test-suite case [253]: the default lscale and sdgp priors satisfy brms's nlpar prior check")
case("nl_group_default_sd", bf("y ~ a * exp(b * x1)", "a ~ 1", "b ~ 1 + (1 | g1)", nl=True),
     prior=[pr("normal(0, 2)", "b", nlpar="a")], note="b's default sd prior satisfies brms's check")
case("nl_lf_center_true", bf("y ~ eta", nl=True, lf=["eta ~ x1"], lf_options={"center": True}),
     note="brms's test-suite case [298]: a centred nlpar design (Intercept_eta, no prior required)")
case("nl_lf_center_true_group", bf("y ~ a * exp(b * x1)", "a ~ 1", nl=True, lf=["b ~ x2 + (1 | g1)"], lf_options={"center": True}),
     prior=[pr("normal(0, 2)", "b", nlpar="a")])
case("nl_exp_group", bf("y ~ a * exp(b * x1)", "a ~ 1 + (1 | g1)", "b ~ 1", nl=True), prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")])
case("nl_factor_par", bf("y ~ a + b * x1", "a ~ f3", "b ~ 1", nl=True), prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")])
case("nl_loop_false", bf("y ~ a - exp(b + x1)", "a ~ x2", "b ~ 1 + (1 | g1)", nl=True, loop=False),
     prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")],
     note="loop = FALSE: the same data and priors; mu computed on whole vectors")
case("nl_loop_false_poisson", bf("ycnt ~ a + b / 2", "a ~ x1", "b ~ x2 + f3", nl=True, loop=False), family="poisson",
     prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")])
case("nl_factor_covariate", bf("y ~ a * exp(b * f2)", "a ~ 1", "b ~ 1", nl=True),
     prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")],
     note="a two-level factor covariate: brms's model.matrix(~ f2) column, 1 for the second level")
case("nl_string_logical_covariates", bf("y ~ a + b * yyn - lgl", "a ~ 1", "b ~ x1", nl=True),
     prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")])
case("refuse_nl_factor3_covariate", bf("y ~ a * f3", "a ~ 1", nl=True), prior=[pr("normal(0, 2)", "b", nlpar="a")],
     reason=r"more than two levels")
case("nl_lf", bf("y ~ a * exp(b * x1)", nl=True, lf=["a ~ 1 + (1 | g1)", "b ~ x2"]), prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")])
case("nl_shared_id", bf("y ~ a + b * x1", "a ~ 1 + (1 | i | g1)", "b ~ 1 + (1 | i | g1)", nl=True), prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")])
case("nl_inv_logit", bf("ybin ~ inv_logit(a + b * x1)", "a ~ 1", "b ~ 1", nl=True), family=fam("bernoulli", link="identity"),
     prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")])
case("nl_poisson", bf("ycnt ~ log(a) + b * x1", "a ~ 1", "b ~ 1", nl=True), family=fam("poisson", link="identity"),
     prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")])
case("nl_sigma_nlf", bf("y ~ x1", nlf=[["sigma ~ a * exp(b * x2)", "a ~ 1", "b ~ 1"]]), prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")])
case("nl_dpar_sigma", bf("y ~ a * x1", "a ~ 1", "sigma ~ x2", nl=True), prior=[pr("normal(0, 2)", "b", nlpar="a")])
case("nl_covariate_fun", bf("y ~ a * log(xpos) + b", "a ~ 1", "b ~ 1", nl=True), prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")])
case("nl_pow", bf("ypos ~ a * xpos^b", "a ~ 1", "b ~ 1", nl=True), family="lognormal", prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")])
case("nl_step", bf("y ~ a + b * step(x1)", "a ~ 1", "b ~ 1", nl=True), prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")])
case("nl_autocor_ar", bf("y ~ a * exp(b * x1)", "a ~ 1", "b ~ 1", nl=True, autocor="~ ar(tim, g1)"), prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")])
case("nl_autocor_arma_sigma", bf("y ~ a * exp(b * x1)", "a ~ 1 + (1 | g2)", "b ~ 1", "sigma ~ x2", nl=True,
                                 autocor="~ arma(tim, g1, p = 2, q = 1)"), prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")])
case("nl_autocor_ma_student", bf("y ~ a + b * x1", "a ~ 1", "b ~ 1", nl=True, autocor="~ ma(tim, g1)"),
     family="student", prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")])
case("nl_autocor_cosy", bf("y ~ a * exp(b * x1)", "a ~ 1", "b ~ 1", nl=True, autocor="~ cosy(tim, g1)"), prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")], difference="brms_program_fails")
case("nl_autocor_ar_cov", bf("y ~ a * exp(b * x1)", "a ~ 1", "b ~ 1", nl=True, autocor="~ ar(tim, g1, cov = TRUE)"),
     prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")], difference="brms_program_fails")
case("nl_autocor_sar", bf("y ~ a * exp(b * x1)", "a ~ 1", "b ~ 1", nl=True, autocor="~ sar(W)"), data2={"W": "sarW"},
     prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")], difference="brms_program_fails")
case("nl_autocor_fcor", bf("y ~ a + b * x1", "a ~ 1", "b ~ 1", nl=True, autocor="~ fcor(V)"), data2={"V": "fcorV"},
     prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")], difference="brms_program_fails")
case("nl_autocor_ar_prior", bf("y ~ a * exp(b * x1)", "a ~ 1", "b ~ 1", nl=True, autocor="~ ar(tim, g1)"),
     prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b"), pr("normal(0, 0.5)", "ar")])
case("refuse_nl_autocor_car", bf("y ~ a * exp(b * x1)", "a ~ 1", "b ~ 1", nl=True, autocor="~ car(W, gr = g1)"),
     data2={"W": "adjW"}, reason=r"(?i)CAR terms are not implemented for non-linear models", prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")])
case("refuse_nl_autocor_poisson", bf("ycnt ~ a * exp(b * x1)", "a ~ 1", "b ~ 1", nl=True, autocor="~ ar(tim, g1)"),
     family="poisson", reason=r"(?i)latent residuals are not implemented for non-linear models", prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")])
case("refuse_nl_autocor_in_nlpar", bf("y ~ a * exp(b * x1)", "a ~ 1 + ar(tim, g1)", "b ~ 1", nl=True),
     reason=r"(?i)(only be specified on 'mu'|belongs in the formula of the response \(mu\))", prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")])
case("nl_sleep", bf("Reaction ~ a + b * Days", "a ~ 1 + (1 | Subject)", "b ~ 1 + (1 | Subject)", nl=True),
     data="sleepstudy", prior=[pr("normal(250, 50)", "b", nlpar="a"), pr("normal(10, 5)", "b", nlpar="b")])

# ---------------------------------------------------------------- categorical, ordinal, mixture
group("categorical")
case("cat_categorical", "ycat ~ x1", family="categorical")
case("cat_categorical_group", "ycat ~ x1 + (1 | g1)", family="categorical")
case("cat_categorical_refcat", "ycat ~ x1", family=fam("categorical", refcat="b"))
case("cat_categorical_dpar", bf("ycat ~ x1", "muc ~ x2"), family="categorical")
case("cat_multinomial", "cmat | trials(ctot) ~ x1", family="multinomial", difference="matrix_response")
case("cat_multinomial_cbind", "cbind(c1, c2, c3) | trials(ctot) ~ x1", family="multinomial")
case("cat_dirichlet", "pmat ~ x1", family="dirichlet", difference="matrix_response")
case("cat_dirichlet_cbind", "cbind(p1, p2, p3) ~ x1", family="dirichlet")
case("cat_dirichlet_phi", bf("cbind(p1, p2, p3) ~ x1", "phi ~ x2"), family="dirichlet")
case("ord_cumulative", "yord ~ x1", family="cumulative")
case("nl_cumulative", bf("yord ~ eta", "eta ~ x1", nl=True), family="cumulative", prior=[pr("normal(0, 2)", "b", nlpar="eta")],
     note="brms's test-suite case [123]: the thresholds stay, mu from the non-linear formula")
case("nl_cumulative_group", bf("yord ~ a * exp(b * x1)", "a ~ 1 + (1 | g1)", "b ~ x2", nl=True),
     family=fam("cumulative", link="probit"), prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")])
case("nl_sratio_disc", bf("yord ~ a * x1", "a ~ 1 + x2", "disc ~ x2", nl=True), family="sratio",
     prior=[pr("normal(0, 2)", "b", nlpar="a")])
case("nl_acat_probit", bf("yord ~ a * x1 + b", "a ~ 1", "b ~ 0 + f3", nl=True), family=fam("acat", link="probit"),
     prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")])
case("ord_cumulative_group", "yord ~ x1 + (1 | g1)", family="cumulative")
case("ord_cumulative_probit", "yord ~ x1", family=fam("cumulative", link="probit"))
case("ord_cumulative_equidistant", "yord ~ x1", family=fam("cumulative", threshold="equidistant"))
case("ord_cumulative_sum_to_zero", "yord ~ x1", family=fam("cumulative", threshold="sum_to_zero"))
case("ord_ordered_response", "ford ~ x1", family="cumulative")
case("ord_sratio", "yord ~ x1", family="sratio")
case("ord_cratio_cloglog", "yord ~ x1", family=fam("cratio", link="cloglog"))
case("ord_acat", "yord ~ x1 + f2", family="acat")
case("ord_acat_cauchit", "yord ~ x1", family=fam("acat", link="cauchit"))
case("ord_thres_k", "yord | thres(5) ~ x1", family="cumulative")
case("ord_thres_k_acat", "yord | thres(4) ~ x1 + cs(x2)", family="acat")
case("ord_thres_k_equidistant", "yord | thres(5) ~ x1", family=fam("cratio", threshold="equidistant"))
case("ord_thres_k_too_few", "yord | thres(1) ~ x1", family="cumulative", reason=r"(?i)Number of thresholds is smaller")
case("ord_thres_gr", "yord | thres(gr = f2) ~ x1", family="cumulative")
case("ord_thres_gr_unequal", "yord | thres(gr = g3) ~ x1 + (1 | g1)", family="cumulative",
     note="the groups have 3 and 2 thresholds")
case("ord_thres_gr_k", "yord | thres(5, gr = f2) ~ x1", family="cratio")
case("ord_thres_gr_disc", bf("c1 | thres(gr = fdig) ~ x1", "disc ~ x2"), family=fam("acat", link="probit"),
     note="levels '1', '10', '2' in R's order; 7, 8 and 9 thresholds")
case("ord_thres_gr_numeric", "tim | thres(gr = xint) ~ x1", family="sratio", reason=r"(?i)needs to be factor-like")
case("ord_thres_gr_prior", "yord | thres(gr = g3) ~ x1", family="cumulative",
     prior=[pr("normal(0, 2)", "Intercept", group="a"), pr("normal(1, 1)", "Intercept", coef="2", group="b")])
case("ord_thres_gr_mv", mv(bf("yord | thres(gr = g3) ~ x1", family="cumulative"), bf("y ~ x1", family="gaussian"),
                          rescor=False))
case("ord_thres_gr_equidistant", "yord | thres(gr = g3) ~ x1", family=fam("cumulative", threshold="equidistant"),
     prior=[pr("normal(0, 3)", "Intercept", group="b"), pr("exponential(2)", "delta", group="a")])
case("ord_thres_gr_sum_to_zero", "yord | thres(gr = f3) ~ x1 + x2", family=fam("sratio", threshold="sum_to_zero"))
case("ord_thres_gr_cs", "yord | thres(gr = f2) ~ x1 + cs(x2)", family="acat", reason=r"(?i)category specific effects")
case("ord_no_intercept", "yord ~ 0 + x1", family="cumulative", reason=r"(?i)intercept")
case("mix_gaussian2", "y ~ x1", family=mix("gaussian", "gaussian"))
case("mix_gaussian3_nmix", "y ~ x1", family=mix("gaussian", nmix=3))
case("mix_order_none", "y ~ x1", family=mix("gaussian", "gaussian", order="none"))
case("mix_poisson", "ycnt ~ x1", family=mix("poisson", "poisson"))
case("mix_dpars", bf("y ~ x1", "mu2 ~ x2", "sigma2 ~ 1"), family=mix("gaussian", "gaussian"))
case("mix_theta", bf("y ~ x1", "theta2 ~ x2"), family=mix("gaussian", "gaussian"))
case("mix_theta1_pred", bf("y ~ x1", "theta1 ~ x2"), family=mix("gaussian", "gaussian"))
case("mix_theta13_pred", bf("y ~ x1", "theta1 ~ x2", "theta3 ~ 1"), family=mix("gaussian", "gaussian", "gaussian"))
case("mix_theta12_pred_poisson", bf("ycnt ~ x1", "theta1 ~ x2", "theta2 ~ 1"), family=mix("poisson", "poisson", "poisson"))
case("refuse_mix_theta_partial", bf("ycnt ~ x1", "theta3 ~ x2"), family=mix("poisson", "poisson", "poisson"),
     reason=r"(?i)all but one mixing proportion")
case("refuse_mix_all_thetas", bf("y ~ x1", "theta1 ~ x2", "theta2 ~ 1"), family=mix("gaussian", "gaussian"),
     reason=r"(?i)all but one mixing proportion")
# fixed mixing proportions: data, normalised to sum to 1 (brms: theta1 = 1, theta2 = 2 gives 1/3, 2/3)
case("mix_theta_fixed", bf("y ~ x1", theta1=1, theta2=2), family=mix("gaussian", "gaussian"))
case("mix_theta_fixed3", bf("y ~ x1", theta1=0.2, theta2=0.3, theta3=0.5), family=mix("gaussian", "student", "gaussian"))
case("mix_theta_fixed_gamma_weibull", bf("ypos | weights(wts) ~ x1", "shape1 ~ x2", theta1=1, theta2=2),
     family=mix(fam("gamma", link="log"), "weibull"))
case("refuse_mix_theta_fixed_partial", bf("y ~ x1", theta1=0.3), family=mix("gaussian", "gaussian"),
     reason=r"(?i)fix no or all mixing proportions")
case("refuse_mix_theta_fixed_negative", bf("y ~ x1", theta1=-1, theta2=2), family=mix("gaussian", "gaussian"),
     reason=r"(?i)must be positive")
# se() in mixtures: brms 2.18 replaces the sigma of each gaussian/student/skew_normal component by se (sigma<k> stays a
# parameter with its prior); with sigma = TRUE it uses sqrt(square(sigma<k>) + se2[n])
case("mix_se", "y | se(sey) ~ x1", family=mix("gaussian", "student"))
case("mix_se_same", "y | se(sey) ~ x1", family=mix("gaussian", "gaussian"))
case("mix_se_lognormal", "ypos | se(sey) ~ x1", family=mix("gaussian", "lognormal"),
     note="brms 2.18: se replaces sigma1 of the gaussian component only")
case("mix_se_sigma", "y | se(sey, sigma = TRUE) ~ x1", family=mix("gaussian", "gaussian"),
     note="sqrt(square(sigma<k>) + se2[n]) per component")
case("mix_se_sigma_student_dpar", bf("y | se(sey, sigma = TRUE) ~ x1", "sigma2 ~ x2"), family=mix("gaussian", "student"))
case("mix_se_skew_normal", "y | se(sey) ~ x1", family=mix("skew_normal", "gaussian"),
     note="se replaces sigma1 of the skew_normal component too")
case("mix_se_sigma_skew_normal", "ypos | se(sey, sigma = TRUE) ~ x1", family=mix("skew_normal", "lognormal"))
case("mix_different", "ypos ~ x1", family=mix("gamma", "lognormal"))
case("mix_group", "y ~ x1 + (1 | g1)", family=mix("gaussian", "gaussian"))
case("mix_cumulative2", "yord ~ x1", family=mix("cumulative", "cumulative"))
case("mix_cumulative_sratio", "yord ~ x1", family=mix("cumulative", "sratio"))
case("mix_acat_cs", "yord ~ x1 + cs(x2)", family=mix("acat", "acat"))
case("mix_cratio_dpars", bf("yord ~ x1", "mu2 ~ x2", "theta2 ~ x1"), family=mix("cratio", "cratio"))
# thresholds per group (thres(gr = g)) in ordinal mixtures, and thresholds fixed over the components (order = "mu")
case("mix_thres_gr", "yord | thres(gr = f2) ~ x1", family=mix("cumulative", "sratio"))
case("mix_thres_gr_unequal", "yord | thres(gr = g3) ~ x1 + (1 | g1)", family=mix("cratio", "acat"),
     prior=[pr("normal(0, 2)", "Intercept", group="a", dpar="mu1"), pr("normal(1, 1)", "Intercept", coef="2", group="b", dpar="mu2")])
case("mix_thres_gr_disc", bf("yord | thres(gr = f2) ~ x1", "disc2 ~ x2"), family=mix("acat", fam("cumulative", link="probit")))
case("mix_thres_gr_k_fixed", "yord | thres(5, gr = f2) ~ x1", family=mix("cratio", "acat", order="mu"),
     note="brms's test-suite case [129]: shared thresholds fixed_Intercept_<i> per group")
case("mix_thres_fixed", "yord ~ x1", family=mix("cumulative", "acat", order="mu"), prior=[pr("normal(0, 3)", "Intercept", coef="2")])
case("mix_thres_fixed_mu2", bf("yord ~ x1", "mu2 ~ x2"), family=mix("sratio", "sratio", order="mu"))
case("mix_thres_fixed_nl", bf("yord ~ a * x1", "a ~ 1 + x2", nl=True), family=mix("cumulative", "cumulative", order="mu"),
     prior=[pr("normal(0, 1)", "b", nlpar="a")])
case("mix_thres_gr_equidistant", "yord | thres(gr = g3) ~ x1", family=mix(fam("cumulative", threshold="equidistant"),
     fam("sratio", threshold="equidistant")), prior=[pr("exponential(2)", "delta", group="a", dpar="mu2")],
     difference="brms_program_fails", note="brms 2.18 declares delta_<i> once per component (stanc: duplicate)")
case("mix_thres_fixed_equidistant", "yord ~ x1", family=mix(fam("cumulative", threshold="equidistant"),
     fam("cumulative", threshold="equidistant"), order="mu"), reason=r"Cannot use equidistant and fixed thresholds")
case("ord_thres_gr_hurdle", "yord | thres(gr = f2) ~ x1", family="hurdle_cumulative", difference="newer_brms",
     note="hurdle_cumulative is brms 2.19+; its thresholds per group as current brms (merged_Intercept, Jthres)")
# non-linear mu<k> in a mixture with order = "mu" (brms's test-suite case [242])
case("mix_nlf_every_mu", bf("y ~ 1", nlf=[["mu1 ~ eta^2"], ["mu2 ~ log(eta) + a"]], lf=["eta ~ x1", "a ~ x1"]),
     family=mix("gaussian", nmix=2), prior=[pr("normal(0, 1)", "b", nlpar="eta"), pr("normal(0, 1)", "b", nlpar="a")],
     note="brms 2.18 declares an unused ordered_Intercept here; brmspy uses order = 'none' (README)")
case("mix_nlf_one_mu", bf("y ~ x1", nlf=[["mu2 ~ exp(eta)"]], lf=["eta ~ x1"]), family=mix("gaussian", nmix=2),
     reason=r"order = 'mu' with non-linear mu2", difference="refuse_beyond_2_18")
case("mix_cumulative_probit3", "yord ~ x1 + (1 | g1)", family=mix(fam("cumulative", link="probit"), nmix=3))
case("mix_nl_main", bf("y ~ a * exp(b * x1)", "a ~ 1", "b ~ 1", nl=True), family=mix("gaussian", "gaussian", order="none"),
     prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")])
case("mix_nl_mu2", bf("y ~ x1", "a2 ~ 1", "b2 ~ x2", nlf=[["mu2 ~ a2 * exp(b2 * x1)"]]), family=mix("gaussian", "gaussian", order="none"),
     prior=[pr("normal(0, 2)", "b", nlpar="a2"), pr("normal(0, 2)", "b", nlpar="b2")])
case("mix_nl_poisson_sigma", bf("ycnt ~ a * x1 + b", "a ~ 1", "b ~ 1 + (1 | g1)", nl=True), family=mix("poisson", "poisson", order="none"),
     prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")])
case("refuse_mix_ordinal_gaussian", "yord ~ x1", family=mix("cumulative", "gaussian"), reason=r"(?i)ordinal and non-ordinal")
case("mix_cumulative_nl_main", bf("yord ~ a * exp(b * x1)", "a ~ 1", "b ~ 1", nl=True), family=mix("cumulative", "cumulative"),
     prior=[pr("normal(0, 1)", "b", nlpar="a"), pr("normal(0, 1)", "b", nlpar="b")])
case("mix_cumulative_nl_mu2", bf("yord ~ 1", "a ~ 1", "b ~ x2", nlf=[["mu2 ~ a * exp(b * x1)"]]),
     family=mix("cumulative", "cumulative"), prior=[pr("normal(0, 1)", "b", nlpar="a"), pr("normal(0, 1)", "b", nlpar="b")])
case("mix_cumulative_nl_theta_disc", bf("yord ~ a * x1", "a ~ 1 + x2", "theta2 ~ x2", "disc2 ~ x1", nl=True),
     family=mix("cumulative", "cumulative"), prior=[pr("normal(0, 1)", "b", nlpar="a")])
case("mix_sratio_nl_main", bf("yord ~ a * x1 + b * x2", "a ~ 1 + (1 | g1)", "b ~ 1", nl=True), family=mix("sratio", "sratio"),
     prior=[pr("normal(0, 1)", "b", nlpar="a"), pr("normal(0, 1)", "b", nlpar="b")])

# ---------------------------------------------------------------- every family's default priors
group("families")
_FAMILY_RESPONSES = {
    "gaussian": "y", "student": "y", "skew_normal": "y", "lognormal": "ypos", "shifted_lognormal": "ypos",
    "exgaussian": "y", "gamma": "ypos", "weibull": "ypos", "exponential": "ypos", "frechet": "ypos",
    "gen_extreme_value": "y", "inverse.gaussian": "ypos", "von_mises": "yang", "asym_laplace": "y",
    "beta": "y01", "bernoulli": "ybin", "binomial": "ysucc | trials(ntr)", "beta_binomial": "ysucc | trials(ntr)",
    "poisson": "ycnt", "negbinomial": "ycnt", "negbinomial2": "ycnt", "geometric": "ycnt",
    "discrete_weibull": "ycnt", "com_poisson": "ycnt", "cumulative": "yord", "sratio": "yord", "cratio": "yord",
    "acat": "yord", "categorical": "ycat", "multinomial": "cmat | trials(ctot)", "dirichlet": "pmat",
    "zero_inflated_poisson": "ycnt0", "zero_inflated_negbinomial": "ycnt0",
    "zero_inflated_binomial": "ysucc | trials(ntr)", "zero_inflated_beta_binomial": "ysucc | trials(ntr)",
    "zero_inflated_beta": "y01", "zero_one_inflated_beta": "y01i", "hurdle_poisson": "ycnt0",
    "hurdle_negbinomial": "ycnt0", "hurdle_gamma": "y0pos", "hurdle_lognormal": "y0pos",
}
for _f, _y in _FAMILY_RESPONSES.items():
    case(f"fam_{_f.replace('.', '_')}", f"{_y} ~ x1 + (1 | g1)", family=_f,
         difference="matrix_response" if "mat" in _y else None)
case("fam_hurdle_cumulative", "yord ~ x1", family="hurdle_cumulative", difference="newer_brms",
     note="hurdle_cumulative came with brms 2.19; 2.18 does not know it")
case("fam_Gamma_alias", "ypos ~ x1", family="Gamma")
case("fam_Beta_alias", "y01 ~ x1", family="Beta")
case("fam_gaussian_log", "ypos ~ x1", family=fam("gaussian", link="log"))
case("fam_gaussian_softplus", "ypos ~ x1", family=fam("gaussian", link="softplus"))
case("fam_student_identity_only", "y ~ x1", family="student")
case("fam_bernoulli_probit", "ybin ~ x1", family=fam("bernoulli", link="probit"))
case("fam_bernoulli_cloglog", "ybin ~ x1", family=fam("bernoulli", link="cloglog"))
case("fam_binomial_probit", "ysucc | trials(ntr) ~ x1", family=fam("binomial", link="probit"))
case("fam_poisson_identity", "ycnt ~ xpos", family=fam("poisson", link="identity"))
case("fam_poisson_sqrt", "ycnt ~ xpos", family=fam("poisson", link="sqrt"))
case("fam_poisson_squareplus", "ycnt ~ xpos", family=fam("poisson", link="squareplus"))
case("fam_gaussian_logit", "y01 ~ x1", family=fam("gaussian", link="logit"))
case("fam_gaussian_squareplus", "ypos ~ x1", family=fam("gaussian", link="squareplus"))
case("fam_bernoulli_softit", "ybin ~ x1", family=fam("bernoulli", link="softit"))
case("fam_cumulative_softit", "yord ~ x1", family=fam("cumulative", link="softit"))
case("fam_sigma_squareplus", bf("y ~ x1", "sigma ~ x2"), family=fam("gaussian", link_sigma="squareplus"))
case("fam_shape_squareplus", bf("ycnt ~ x1", "shape ~ x2"), family=fam("negbinomial", link="squareplus",
                                                                        link_shape="squareplus"))
case("fam_beta_softit", "y01 ~ x1", family=fam("beta", link="softit"))
case("fam_acat_softit", "yord ~ x1", family=fam("acat", link="softit"))
case("fam_student_probit", "y01 ~ x1", family=fam("student", link="probit"))
case("fam_skew_normal_cauchit", "y01 ~ x1", family=fam("skew_normal", link="cauchit"))
case("fam_binomial_softit", "ysucc | trials(ntr) ~ x1", family=fam("binomial", link="softit"))
case("fam_sratio_softit", "yord ~ x1", family=fam("sratio", link="softit"), reason=r"(?i)'softit'.*sratio")
case("fam_sigma_link_inverse", "y ~ x1", family=fam("gaussian", link_sigma="inverse"),
     reason=r"(?i)'inverse' is not a supported link for parameter 'sigma'")
case("fam_zi_link_probit", "ycnt0 ~ x1", family=fam("zero_inflated_poisson", link_zi="probit"),
     reason=r"(?i)'probit' is not a supported link for parameter 'zi'")
case("fam_nu_link_log", "y ~ x1", family=fam("student", link_nu="log"),
     reason=r"(?i)'log' is not a supported link for parameter 'nu'")
case("fam_gamma_inverse", "ypos ~ xpos", family=fam("gamma", link="inverse"))
case("fam_gamma_identity", "ypos ~ xpos", family=fam("gamma", link="identity"))
case("fam_lognormal_inverse", "ypos ~ xpos", family=fam("lognormal", link="inverse"))
case("fam_beta_probit", "y01 ~ x1", family=fam("beta", link="probit"))
case("fam_inverse_gaussian_log", "ypos ~ x1", family=fam("inverse.gaussian", link="log"))
case("fam_vonmises_identity", "yang ~ x1", family=fam("von_mises", link="identity"))
case("fam_weibull_identity", "ypos ~ xpos", family=fam("weibull", link="identity"))
case("fam_negbinomial_identity", "ycnt ~ xpos", family=fam("negbinomial", link="identity"))
case("fam_exponential_identity", "ypos ~ xpos", family=fam("exponential", link="identity"))
case("fam_no_group_gaussian", "y ~ x1", family="gaussian")
case("fam_no_group_poisson", "ycnt ~ x1 + f3", family="poisson")
case("fam_no_group_bernoulli", "ybin ~ x1 + f3", family="bernoulli")
case("fam_sleep_student", "Reaction ~ Days + (Days | Subject)", family="student", data="sleepstudy")
case("fam_sleep_lognormal", "Reaction ~ Days + (Days | Subject)", family="lognormal", data="sleepstudy")
case("fam_sleep_gamma", "Reaction ~ Days + (1 | Subject)", family="gamma", data="sleepstudy")
case("fam_sleep_skew", "Reaction ~ Days + (1 | Subject)", family="skew_normal", data="sleepstudy")
case("fam_sleep_exgauss", "Reaction ~ Days", family="exgaussian", data="sleepstudy")
case("fam_cbpp_zib", "incidence | trials(size) ~ period + (1 | herd)", family="zero_inflated_binomial", data="cbpp")
case("fam_cbpp_negbinomial", "incidence ~ period + (1 | herd)", family="negbinomial", data="cbpp")
case("fam_wiener", "rt | dec(dec) ~ x1", family="wiener")
case("fam_wiener_dpars", bf("rt | dec(dec) ~ x1 + (1 | g1)", "bs ~ x2", "ndt ~ 1", "bias ~ x1"), family="wiener")
case("fam_wiener_links", bf("rt | dec(dec) ~ x1", "bs ~ 1"), family=fam("wiener", link_bs="softplus", link_bias="identity"))
case("fam_wiener_mixture", "rt | dec(dec) ~ x1", family=mix("wiener", "wiener"))
case("fam_wiener_mixture_dpars", bf("rt | dec(dec) ~ x1", "bs2 ~ x2", "ndt1 ~ 1", "bias1 ~ x1", "theta2 ~ x2"),
     family=mix("wiener", "wiener"))
case("fam_wiener_mixture_lognormal", "rt | dec(dec) ~ x1 + (1 | g1)", family=mix("wiener", "lognormal"))
case("fam_wiener_mixture_no_dec", "rt ~ x1", family=mix("wiener", "lognormal"),
     reason=r"Addition argument 'dec' is required for family 'wiener'")
case("fam_wiener_weights", "rt | dec(dec) + weights(wts) ~ x1", family="wiener")
case("fam_wiener_cens", "rt | dec(dec) + cens(censlri) ~ x1", family="wiener", reason=r"(?i)cens")
case("fam_wiener_no_dec", "rt ~ x1", family="wiener", reason=r"Addition argument 'dec' is required for family 'wiener'")
case("fam_wiener_dec_gaussian", "rt | dec(dec) ~ x1", family="gaussian", reason=r"(?i)'dec' is not supported for family 'gaussian")
case("fam_logistic_normal", "cbind(p1, p2, p3) ~ x1", family="logistic_normal")
case("fam_logistic_normal_sigma", bf("cbind(p1, p2, p3) ~ x1 + (1 | g1)", "sigmap3 ~ x2"),
     family=fam("logistic_normal", refcat="p2"))
case("fam_logistic_normal_prior", "cbind(p1, p2, p3) ~ x1", family="logistic_normal",
     prior=[pr("lkj(2)", "lncor"), pr("exponential(1)", "sigmap2")])
case("fam_logistic_normal_bad_sigma", bf("cbind(p1, p2, p3) ~ x1", "sigmap2 ~ x2"),
     family=fam("logistic_normal", refcat="p2"), reason=r"(?i)sigmap2")
case("fam_zi_asym_laplace", "y ~ x1", family="zero_inflated_asym_laplace")
case("fam_zi_asym_laplace_zi", bf("y ~ x1 + (1 | g1)", "zi ~ x2", "quantile ~ x1"), family="zero_inflated_asym_laplace")
case("fam_zi_asym_laplace_fixed_q", bf("y ~ x1", quantile=0.25), family="zero_inflated_asym_laplace")
case("fam_zi_asym_laplace_cens", "y | cens(censlri) ~ x1", family="zero_inflated_asym_laplace")
case("fam_zi_asym_laplace_trunc", "y | trunc(lb = -10, ub = 10) ~ x1", family=fam("zero_inflated_asym_laplace",
                                                                              link_sigma="softplus"))
case("fam_betabin_cens", "ysucc | trials(ntr) + cens(censlri) ~ x1", family="beta_binomial")
case("fam_betabin_trunc", "ysucc | trials(ntr) + trunc(lb = 0) ~ x1", family="beta_binomial")
case("fam_betabin_cens_interval", "ysucc | trials(ntr) + cens(censlri, ysucc + 1) + weights(wts) ~ x1",
     family="beta_binomial")
case("fam_dirichlet2", "cbind(p1, p2, p3) ~ x1", family="dirichlet2")
case("fam_dirichlet2_dpar", bf("cbind(p1, p2, p3) ~ x1 + (1 | g1)", "mup3 ~ x2"), family="dirichlet2")
case("fam_dirichlet2_softplus", "cbind(p1, p2, p3) ~ x1", family=fam("dirichlet2", link="softplus"))
case("fam_dirichlet2_logit", "cbind(p1, p2, p3) ~ x1", family=fam("dirichlet2", link="logit"),
     reason=r"(?i)'logit' is not available for family 'dirichlet2'")
case("fam_dirichlet_multinomial", "cbind(c1, c2, c3) | trials(ctot) ~ x1", family="dirichlet_multinomial",
     difference="newer_brms", note="dirichlet_multinomial came with brms 2.19; 2.18 does not know it")
case("fam_dirichlet_multinomial_phi", bf("cbind(c1, c2, c3) | trials(ctot) ~ x1 + (1 | g1)", "phi ~ x2"),
     family=fam("dirichlet_multinomial", refcat="c3"), difference="newer_brms",
     note="dirichlet_multinomial came with brms 2.19")
case("fam_xbeta", "y01i ~ x1", family="xbeta", difference="newer_brms",
     note="xbeta came with brms 2.22; 2.18 does not know it (priors from brms's family: kappa gamma(0.01, 0.01))")
case("fam_xbeta_kappa", bf("y01i ~ x1 + (1 | g1)", "kappa ~ x2"), family=fam("xbeta", link="probit"),
     difference="newer_brms", note="xbeta came with brms 2.22")
case("fam_cox", "ypos ~ x1", family="cox")
case("fam_cox_cens", "ypos | cens(censlri) ~ x1 + x2", family="cox")
case("fam_cox_group", "ypos | cens(censlri) ~ x1 + (1 + x1 | g1)", family="cox")
case("fam_cox_bhaz", "ypos ~ x1 + f3", family=fam("cox", bhaz={"df": 7, "intercept": False, "degree": 2}))
case("fam_cox_knots", "ypos ~ x1", family=fam("cox", link="identity", bhaz={"knots": [0.8, 1.2, 2],
                                                                              "Boundary.knots": [0, 6]}))
case("fam_cox_prior", "ypos | weights(wts) ~ x1", family="cox", prior=[pr("dirichlet(2)", "sbhaz")])
case("fam_cox_bhaz_addition", "ypos | bhaz(df = 6, intercept = FALSE) ~ x1", family="cox", difference="newer_brms",
     note="the addition term bhaz() came after brms 2.18 (which takes cox(bhaz = list(...)))")
case("fam_cox_mix_exponential", "ypos ~ x1", family=mix("cox", "exponential"),
     note="one cox component: brms 2.18's program names its baseline hazard as cox's alone (sbhaz, dpar mu1 in the priors)")
case("fam_cox_mix_weibull_cens", "ypos | cens(censlri) ~ x1", family=mix("weibull", "cox"),
     prior=[pr("dirichlet(2)", "sbhaz", dpar="mu2")])
case("fam_cox_mix_interval", "ypos | cens(censi, ypos + 1) ~ x1", family=mix("cox", "lognormal"),
     difference="cox_bound_hazards")
case("fam_cox_mix_cox", "ypos ~ x1", family=mix("cox", "cox"), difference="refuse_beyond_2_18",
     reason=r"more than one cox component",
     note="brms 2.18 declares both components' Kbhaz, Zbhaz, sbhaz under one name: Stan rejects its program")
case("fam_cox_bhaz_gr", "ypos | bhaz(gr = g1) ~ x1", family="cox", difference="newer_brms",
     note="stratified baseline hazards (bhaz(gr = g)) of current brms; 2.18 has no bhaz() term")
case("fam_cox_bhaz_gr_cens", "ypos | cens(censlri) + bhaz(gr = g2, df = 6) ~ x1 + (1 | g1)", family="cox",
     difference="newer_brms", prior=[pr("dirichlet(2)", "sbhaz")])
case("fam_cox_bhaz_gr_interval", "ypos | cens(censi, ypos + 1) + bhaz(gr = f3) ~ x1", family=fam("cox", link="identity"),
     difference="newer_brms")
case("fam_cox_trunc", "ypos | trunc(lb = 0.1) ~ x1", family="cox", difference="cox_bound_hazards",
     note="brms 2.18 takes the cumulative hazard at the response, not at the truncation bound")
case("fam_cox_trunc_both", "ypos | trunc(lb = 0.05, ub = 8) ~ x1 + (1 | g1)", family="cox", difference="cox_bound_hazards")
case("fam_cox_interval", "ypos | cens(censi, ypos + 1) ~ x1", family="cox", difference="cox_bound_hazards",
     note="brms 2.18 takes the cumulative hazard at y, not at y2, for the upper end")
case("fam_cox_interval_trunc", "ypos | cens(censi, ypos + 0.5) + trunc(lb = 0.05) ~ x1 + x2",
     family=fam("cox", link="identity"), difference="cox_bound_hazards")
case("fam_cox_interval_weights", "ypos | weights(wts) + cens(censi, ypos + 1) ~ x1", family=fam("cox", bhaz={"df": 6}),
     difference="cox_bound_hazards")

# ---------------------------------------------------------------- priors (user priors, brms's validation)
group("priors")
case("prior_b_coef", "y ~ x1 + x2", prior=[pr("normal(0, 5)", "b", coef="x1")])
case("prior_b_class", "y ~ x1 + x2", prior=[pr("normal(0, 2)", "b")])
case("prior_intercept", "y ~ x1", prior=[pr("normal(1, 3)", "Intercept")])
case("prior_sigma", "y ~ x1", prior=[pr("exponential(1)", "sigma")])
case("prior_sd_group", "y ~ x1 + (x1 | g1)", prior=[pr("normal(0, 1)", "sd", group="g1"), pr("lkj(2)", "cor")])
case("prior_sd_coef", "y ~ x1 + (x1 | g1)", prior=[pr("cauchy(0, 2)", "sd", group="g1", coef="x1")])
case("prior_dpar_b", bf("y ~ x1", "sigma ~ x2"), prior=[pr("normal(0, 0.5)", "b", dpar="sigma")])
case("prior_dpar_intercept", bf("y ~ x1", "sigma ~ x2"), prior=[pr("normal(0, 1)", "Intercept", dpar="sigma")])
case("prior_nlpar", bf("y ~ a * exp(b * x1)", "a ~ 1", "b ~ 1", nl=True),
     prior=[pr("normal(1, 2)", "b", nlpar="a"), pr("normal(0, 1)", "b", nlpar="b")])
case("prior_nlpar_bounds", bf("y ~ a * exp(b * x1)", "a ~ 1", "b ~ 1", nl=True),
     prior=[pr("normal(1, 2)", "b", nlpar="a", lb=0), pr("normal(0, 1)", "b", nlpar="b")])
case("prior_mv_resp", mv("y ~ x1", "y2 ~ x1", rescor=True),
     prior=[pr("normal(0, 1)", "b", resp="y2"), pr("lkj(3)", "rescor")])
case("prior_horseshoe", "y ~ x1 + x2 + x3", prior=[pr("horseshoe(1)", "b")], difference="shrinkage_scales")
case("prior_horseshoe_args", "y ~ x1 + x2 + x3 + f3", difference="shrinkage_scales",
     prior=[pr("horseshoe(df = 3, scale_global = 0.5, df_global = 2, scale_slab = 1, df_slab = 6)", "b")])
case("prior_horseshoe_par_ratio", "ycnt ~ x1 + x2", family="poisson", difference="shrinkage_scales",
     prior=[pr("horseshoe(3, par_ratio = 0.5)", "b")], note="no sigma: no autoscale; scale_global = par_ratio / sqrt(N)")
case("prior_horseshoe_dpar", bf("y ~ x1 + x2", "sigma ~ x1 + x3"), difference="shrinkage_scales",
     prior=[pr("horseshoe(1)", "b"), pr("horseshoe(2, autoscale = FALSE)", "b", dpar="sigma")])
case("prior_horseshoe_noint", "y ~ 0 + x1 + x2 + x3", prior=[pr("horseshoe(1)", "b")], difference="shrinkage_scales")
case("prior_horseshoe_group", "y ~ x1 + x2 + (1 | g1)", prior=[pr("horseshoe(1)", "b"), pr("normal(0, 1)", "sd")],
     difference="shrinkage_scales")
case("prior_horseshoe_mv", mv("y ~ x1 + x2", "y2 ~ x1 + x3", rescor=False), difference="shrinkage_scales",
     prior=[pr("horseshoe(1)", "b", resp="y"), pr("normal(0, 1)", "b", resp="y2")])
case("prior_horseshoe_nlpar", bf("y ~ a * exp(b * x1)", "a ~ x2 + x3", "b ~ 1", nl=True), difference="shrinkage_scales",
     prior=[pr("horseshoe(1)", "b", nlpar="a"), pr("normal(0, 1)", "b", nlpar="b")])
case("prior_horseshoe_cumulative", "yord ~ x1 + x2 + x3", family="cumulative", difference="shrinkage_scales",
     prior=[pr("horseshoe(2)", "b")])
case("prior_r2d2_categorical", "ycat ~ x1 + x2", family="categorical", difference="shrinkage_scales",
     prior=[pr("R2D2(0.5, 2, cons_D2 = 1)", "b", dpar="mub"), pr("normal(0, 1)", "b", dpar="muc")])
case("prior_horseshoe_sd_main", "y ~ x1 + x2 + (1 | g1)", difference="newer_brms",
     prior=[pr("horseshoe(1, main = TRUE)", "b"), pr("horseshoe()", "sd")], note="current brms: one prior across b and sd")
case("prior_r2d2_sd", "y ~ x1 + (1 + x1 | g1)", difference="newer_brms", prior=[pr("R2D2(0.5, 2)", "sd")])
case("prior_horseshoe_coef", "y ~ x1 + x2", prior=[pr("horseshoe(1)", "b"), pr("normal(0, 1)", "b", coef="x1")],
     reason=r"(?i)separate priors for single coefficients")
case("prior_horseshoe_on_coef", "y ~ x1 + x2", prior=[pr("horseshoe(1)", "b", coef="x1")], reason=r"(?i)invalid context")
case("prior_horseshoe_on_sd", "y ~ x1 + (1 | g1)", prior=[pr("horseshoe(1)", "sd")], difference="newer_brms",
     note="brms 2.18: invalid context; current brms shrinks the sds")
case("prior_horseshoe_on_sd_group", "y ~ x1 + (1 | g1)", prior=[pr("horseshoe(1)", "sd", group="g1")],
     reason=r"(?i)invalid context")
case("prior_horseshoe_bad_df", "y ~ x1 + x2", prior=[pr("horseshoe(-1)", "b")], reason=r"(?i)degrees of freedom")
case("prior_r2d2", "y ~ x1 + x2 + x3", prior=[pr("R2D2(0.5, 2, cons_D2 = 0.5)", "b")], difference="shrinkage_scales",
     note="current brms's default cons_D2 is 0.5, brms 2.18's 1: given explicitly")
case("prior_r2d2_vector", "y ~ x1 + x2 + x3", prior=[pr("R2D2(mean_R2 = 0.8, prec_R2 = 10, cons_D2 = c(1, 2, 3))", "b")],
     difference="shrinkage_scales")
case("prior_r2d2_bernoulli", "ybin ~ x1 + x2 + x3", family="bernoulli", difference="shrinkage_scales",
     prior=[pr("R2D2(0.3, 3, cons_D2 = 1)", "b")])
# current brms's shrinkage across classes (issue 21): brms 2.18 shrinks b and bsp (horseshoe only)
case("prior_horseshoe_mo", "y ~ x1 + x2 + mo(xmo)", prior=[pr("horseshoe(1)", "b")], difference="shrinkage_scales")
case("prior_horseshoe_mo_only", "y ~ mo(xmo)", prior=[pr("horseshoe(3, par_ratio = 0.5)", "b")],
     difference="shrinkage_scales")
case("prior_horseshoe_me", "y ~ x1 + me(xme, sdxme)", prior=[pr("horseshoe(1)", "b")], difference="shrinkage_scales")
case("prior_horseshoe_mo_inter", "y ~ x1 + mo(xmo):x2", prior=[pr("horseshoe(2, autoscale = FALSE)", "b")],
     difference="shrinkage_scales")
case("prior_horseshoe_mo_dpar", bf("y ~ x1", "sigma ~ x2 + mo(xmo)"), difference="shrinkage_scales",
     prior=[pr("horseshoe(1)", "b", dpar="sigma")])
case("prior_horseshoe_nlpar_mo", bf("y ~ a * exp(b * x1)", "a ~ x2 + mo(xmo)", "b ~ 1", nl=True),
     difference="shrinkage_scales", prior=[pr("horseshoe(1)", "b", nlpar="a"), pr("normal(0, 1)", "b", nlpar="b")])
case("prior_r2d2_mo", "y ~ x1 + mo(xmo)", prior=[pr("R2D2(0.5, 2)", "b")], difference="newer_brms",
     note="brms 2.18: 'The R2D2 prior does not yet support special coefficient classes'; current brms shrinks bsp")
case("prior_horseshoe_s", "y ~ x1 + s(x2)", prior=[pr("horseshoe(1)", "b")], difference="newer_brms",
     note="brms 2.18: invalid context; current brms shrinks bs")
case("prior_r2d2_sds", "y ~ x1 + s(x2) + s(x3)", prior=[pr("R2D2(0.5, 2)", "sds")], difference="newer_brms")
case("prior_horseshoe_b_sds_main", "y ~ x1 + s(x2)", difference="newer_brms",
     prior=[pr("horseshoe(1, main = TRUE)", "b"), pr("horseshoe()", "sds")])
case("prior_r2d2_sdgp", "y ~ x1 + gp(x2)", prior=[pr("R2D2(0.5, 2)", "sdgp")], difference="newer_brms")
case("prior_horseshoe_ar", "y ~ x1 + ar(time = tim, gr = g1, p = 2, cov = FALSE)", difference="newer_brms",
     prior=[pr("horseshoe(1)", "ar")])
case("prior_r2d2_arma", "y ~ x1 + arma(time = tim, gr = g1, p = 1, q = 1, cov = FALSE)", difference="newer_brms",
     prior=[pr("R2D2(main = TRUE)", "ar"), pr("R2D2()", "ma")])
case("prior_r2d2_sderr", "ycnt ~ x1 + ar(time = tim, gr = g1, p = 1)", family="poisson", difference="newer_brms",
     prior=[pr("R2D2(0.5, 2)", "sderr")])
case("prior_horseshoe_ar_cov", "y ~ x1 + ar(time = tim, gr = g1, p = 1, cov = TRUE)", prior=[pr("horseshoe(1)", "ar")],
     reason=r"(?i)invalid context|boundaries")
case("prior_horseshoe_cs", "yord ~ x1 + cs(x2)", family="acat", prior=[pr("horseshoe(1)", "b")],
     reason=r"(?i)category-specific effects")
case("prior_horseshoe_sd_by", "y ~ x1 + (1 | gr(g1, by = gby))", prior=[pr("horseshoe(1)", "sd")],
     reason=r"(?i)invalid context|compatible with the 'by' argument")
case("prior_r2d2_bad_mean", "y ~ x1 + x2", prior=[pr("R2D2(1.5, 2)", "b")], reason=r"(?i)mean of the R2 prior")
case("prior_lasso", "y ~ x1 + x2", prior=[pr("lasso(1)", "b")], difference="refuse_beyond_2_18", reason=r"(?i)lasso.*removed")
case("prior_student_t_b", "y ~ x1 + f3", prior=[pr("student_t(3, 0, 2)", "b")])
case("prior_constant", "y ~ x1 + x2", prior=[pr("constant(1)", "b", coef="x1")])
case("prior_constant_class_b", "y ~ x1 + x2 + f3", prior=[pr("constant(0.5)", "b")])
case("prior_constant_cor_matrix", "y ~ x1 + (1 + x1 | g1)", prior=[pr("constant([[1, 0], [0.6, 0.8]])", "cor")],
     note="brms writes the matrix into the Cholesky factor L_1")
case("prior_constant_cor_by", "y ~ x1 + (1 + x1 | gr(g1, by = gby))",
     prior=[pr("constant(3)", "sd", group="g1"), pr("constant([[1, 0], [0, 1]])", "cor")],
     note="brms testsuite [027]: L_1[i] and sd_1 = rep_matrix(3, ...)")
case("prior_constant_mixed", "y ~ x1 + x2 + x3", prior=[pr("normal(0, 2)", "b"), pr("constant(-1)", "b", coef="x2")])
case("prior_constant_intercept_sd_sigma", "y ~ x1 + (1 | g1)",
     prior=[pr("constant(2)", "Intercept"), pr("constant(0.5)", "sd"), pr("constant(1.5)", "sigma")])
case("prior_constant_sds", "y ~ x1 + s(x2) + s(x3)", prior=[pr("constant(0.5)", "sds")], difference="newer_brms",
     note="brms 2.18 writes rep_vector() into a real sds (stanc rejects); current brms's vector sds are fixed")
case("prior_constant_sds_term", "y ~ x1 + s(x2) + s(x3)", prior=[pr("constant(0.5)", "sds", coef="s(x2)")])
case("prior_constant_simo", "y ~ x1 + mo(xmo)", prior=[pr("constant(0.25)", "simo", coef="moxmo1")],
     reason=r"(?i)dirichlet\(\) priors on the simplexes|could not find function")
case("prior_constant_cor", "y ~ x1 + (1 + x1 | g1)", prior=[pr("constant(1)", "cor")],
     reason=r"(?i)Stan rejects", note="brms 2.18 writes 'L_1 = 1;', which stanc rejects")
case("prior_constant_dpar", bf("y ~ x1", "sigma ~ x2"), prior=[pr("constant(0.1)", "b", dpar="sigma")])
# constant() on GP length-scales (brms 2.18: lscale_1[1][1] = 0.5;)
case("prior_constant_lscale", "y ~ gp(x1)", prior=[pr("constant(0.5)", "lscale", coef="gpx1")])
case("prior_constant_lscale_by", "y ~ gp(x1, by = f2)",
     prior=[pr("constant(0.5)", "lscale", coef="gpx1f2hi"), pr("normal(0, 10)", "lscale", coef="gpx1f2lo")])
case("prior_constant_lscale_aniso", "y ~ gp(x2, x3, iso = FALSE)", prior=[pr("constant(0.3)", "lscale", coef="gpx2x3x3")])
# constant() on class b fixes the category-specific effects (bcs) too, whole rows per coefficient
case("prior_constant_bcs_all", "yord ~ x1 + cs(x2)", family="sratio", prior=[pr("constant(0.5)", "b")])
case("prior_constant_bcs_row", "yord ~ x1 + cs(x2) + cs(x3)", family="sratio",
     prior=[pr("normal(0, 3)", "b"), pr("constant(0.5)", "b", coef="x2")])
case("prior_constant_bcs_and_b", "yord ~ x1 + cs(x2) + cs(x3)", family="acat",
     prior=[pr("constant(1)", "b", coef="x1"), pr("constant(-0.5)", "b", coef="x3")])
case("prior_constant_shape", "ycnt ~ x1", family="negbinomial", prior=[pr("constant(3)", "shape")])
case("prior_constant_nlpar", bf("y ~ a * exp(b * x1)", "a ~ 1", "b ~ 1", nl=True),
     prior=[pr("constant(1)", "b", nlpar="a"), pr("normal(0, 1)", "b", nlpar="b")])
case("prior_constant_vector", "y ~ x1 + x2", prior=[pr("constant(c(1, 2), broadcast = FALSE)", "b")],
     difference="newer_brms", note="brms 2.18's constant() has no broadcast argument")
case("prior_ordinal_thresholds", "yord ~ x1", family="cumulative", prior=[pr("normal(0, 4)", "Intercept")])
case("prior_ordinal_threshold_coef", "yord ~ x1", family="cumulative", prior=[pr("normal(0, 4)", "Intercept", coef="2")])
case("prior_shape", "ycnt ~ x1", family="negbinomial", prior=[pr("gamma(0.1, 0.1)", "shape")])
case("prior_nu", "y ~ x1", family="student", prior=[pr("gamma(2, 0.1)", "nu")])
case("prior_sd_bounds_ub", "y ~ x1 + (1 | g1)", prior=[pr("normal(0, 2)", "sd", ub=10)])
case("prior_sd_bounds_group", "y ~ x1 + (x1 | g1) + (1 | g2)", prior=[pr("normal(0, 2)", "sd", group="g1", lb=0.1, ub=5)])
case("prior_intercept_lb", "y ~ x1", prior=[pr("normal(0, 1)", "Intercept", lb=0)])
case("prior_intercept_bounds_dpar", bf("y ~ x1", "sigma ~ x2"),
     prior=[pr("normal(0, 1)", "Intercept", dpar="sigma", lb=-3, ub=3)])
case("prior_sigma_ub", "y ~ x1", prior=[pr("normal(0, 2)", "sigma", ub=10)])
case("prior_b_coef_bounds", "y ~ x1 + x2", prior=[pr("normal(0, 2)", "b", coef="x1", lb=0)], reason=r"(?i)coef")
case("prior_theta_vector", "y ~ x1", family=mix("gaussian", "gaussian"), prior=[pr("dirichlet(c(2, 1))", "theta")])
case("prior_mo_simo_vector_bad", "y ~ mo(xmo)", prior=[pr("dirichlet(c(1, 2))", "simo", coef="moxmo1")],
     reason=r"(?i)(dirichlet|length|expected)")
case("prior_mo_simo_vector", "y ~ mo(xmo)", prior=[pr("dirichlet(c(1, 0.5, 2))", "simo", coef="moxmo1")])
# dirichlet priors on monotonic simplexes in interactions and with ids (brms's test-suite cases [135], [139])
case("prior_mo_simo_interaction", "y ~ x1 * mo(xmo) + mo(xint)",
     prior=[pr("normal(0, 1)", "b", coef="moxmo"), pr("dirichlet(c(1, 0.5, 2))", "simo", coef="moxmo1"),
            pr("dirichlet(c(1, 2, 3))", "simo", coef="moxmo:x11"), pr("dirichlet(c(1, 2, 3, 4))", "simo", coef="moxint1")],
     note="brms names the sp terms from their own formula: x1 * mo(xmo) gives moxmo:x1 (products of two mo() "
          "terms with a covariate are left out: brms 2.18 swaps their Csp, README 'Differences from brms')")
case("prior_mo_simo_interaction_order", "y ~ x1:mo(xmo) + mo(xint):x2:x1", note="z:moxint:w order as R's terms()")
case("prior_mo_simo_id", "y ~ x1 * mo(xmo, id = 'v') + mo(xint, id = 'w')",
     prior=[pr("dirichlet(c(1, 0.5, 2))", "simo", coef="v"), pr("dirichlet(2)", "simo", coef="w")])
case("prior_mo_simo_id_bad", "y ~ mo(xmo, id = 'v') * x1", prior=[pr("dirichlet(c(1, 2))", "simo", coef="v")],
     reason=r"(?i)Invalid Dirichlet prior")
# dirichlet on class b: brms declares simplex[K] b (brms's test-suite case [300], a Stan vector literal)
case("prior_b_dirichlet_stan", "y ~ x1 + x2", prior=[pr("dirichlet([1,2]')", "b")])
case("prior_b_dirichlet_sigma", bf("y ~ x1", "sigma ~ x2 + x3"), prior=[pr("dirichlet([2, 2]')", "b", dpar="sigma")])
case("prior_b_dirichlet_c", "y ~ x1 + x2 + x3", prior=[pr("dirichlet(c(1, 2, 3))", "b")],
     reason=r"(?i)dirichlet.*Stan vector", note="brms writes c(1, 2, 3) into the Stan program, which stanc rejects")
case("prior_b_dirichlet_scalar", "y ~ x1 + x2", prior=[pr("dirichlet(2)", "b")], reason=r"(?i)dirichlet.*Stan vector")
case("prior_ar", "y ~ x1 + ar(time = tim, gr = g1)", prior=[pr("normal(0, 0.5)", "ar")])
case("prior_mo_simo", "y ~ mo(xmo)", prior=[pr("dirichlet(2)", "simo", coef="moxmo1")])
case("prior_sds_smooth", "y ~ s(x1, k = 5)", prior=[pr("normal(0, 2)", "sds")])
case("prior_gp_lscale", "y ~ gp(x1)", prior=[pr("inv_gamma(2, 1)", "lscale")])
case("prior_theta_mixture", "y ~ x1", family=mix("gaussian", "gaussian"), prior=[pr("dirichlet(2)", "theta")])
case("prior_cat_dpar", "ycat ~ x1", family="categorical", prior=[pr("normal(0, 2)", "b", dpar="muc")])
case("prior_meanme", "y ~ me(xme, sdxme)", prior=[pr("normal(0, 3)", "meanme")])
# priors brms refuses
case("prior_bad_coef", "y ~ x1", prior=[pr("normal(0, 1)", "b", coef="x9")],
     reason=r"(?i)(x9|not correspond|no parameter|does not match|matches no)")
case("prior_bad_class", "y ~ x1", prior=[pr("normal(0, 1)", "foo")], reason=r"(?i)(foo|class)")
case("prior_bad_group", "y ~ x1 + (1 | g1)", prior=[pr("normal(0, 1)", "sd", group="g9")],
     reason=r"(?i)(g9|not correspond|no parameter|does not match|matches no)")
case("prior_bad_dpar", "y ~ x1", prior=[pr("normal(0, 1)", "b", dpar="sigma")],
     reason=r"(?i)(sigma|not correspond|no parameter|does not match|matches no)")
case("prior_lkj_on_b", "y ~ x1", prior=[pr("lkj(2)", "b")], reason=r"(?i)lkj")
case("prior_bounds_on_sd_coef", "y ~ x1 + (x1 | g1)", prior=[pr("normal(0, 1)", "sd", coef="x1", group="g1", lb=1)],
     reason=r"(?i)(bound|lb|ub)")
case("prior_b_intercept_coef_centered", "y ~ x1", prior=[pr("normal(0, 1)", "b", coef="Intercept")],
     reason=r"(?i)intercept")
case("prior_zero_intercept_b", "y ~ 0 + Intercept + x1", prior=[pr("normal(0, 1)", "b", coef="Intercept")])
case("prior_bad_resp", mv("y ~ x1", "y2 ~ x1", rescor=False), prior=[pr("normal(0, 1)", "b", resp="y3")],
     reason=r"(?i)(y3|resp|not correspond|no parameter|does not match|matches no)")
case("prior_dirichlet_on_b", "y ~ x1", prior=[pr("dirichlet(1)", "b")], reason=r"(?i)dirichlet")

# ---------------------------------------------------------------- bf()'s design options (issue 21)
group("options")
case("opt_center_false", bf("y ~ x1 + f3", center=False))
case("opt_center_false_group", bf("y ~ x1 + (1 | g1)", center=False))
case("opt_center_false_poisson", bf("ycnt ~ x1 + x2", center=False), family="poisson")
case("opt_center_false_dpar", bf("y ~ x1", "sigma ~ x2", center=False), note="center applies to the main formula")
case("opt_center_false_cumulative", bf("yord ~ x1 + x2", center=False), family="cumulative")
case("opt_center_false_categorical", bf("ycat ~ x1", center=False), family="categorical")
case("opt_center_false_prior", bf("y ~ x1 + x2", center=False), prior=[pr("normal(0, 3)", "b", coef="Intercept")])
case("opt_cmc_false", bf("y ~ 0 + f3 + x1", cmc=False))
case("opt_cmc_false_interaction", bf("y ~ 0 + f3:x1 + x2", cmc=False))
case("opt_sparse", bf("y ~ x1 + f3", sparse=True))
case("opt_qr", bf("y ~ x1 + x2 + x3", decomp="QR"), difference="qr_data")
case("opt_qr_poisson_group", bf("ycnt ~ x1 + x2 + (1 | g1)", decomp="QR"), family="poisson", difference="qr_data")
case("opt_qr_noint", bf("y ~ 0 + x1 + x2", decomp="QR"), difference="qr_data")
case("opt_qr_prior", bf("y ~ x1 + x2", decomp="QR"), prior=[pr("normal(0, 2)", "b")], difference="qr_data")
case("opt_qr_horseshoe", bf("y ~ x1 + x2 + x3", decomp="QR"), prior=[pr("horseshoe(1)", "b")], difference="shrinkage_scales",
     note="brms 2.18 shrinks the QR-scale coefficients bQ (brms's test-suite case [246]); XQ/XR_inv as qr_data")
case("opt_qr_horseshoe_sigma", bf("y ~ x1 + x2", lf=["sigma ~ 0 + x1 + x2"], lf_options={"decomp": "QR"}, decomp="QR"),
     prior=[pr("horseshoe(1)", "b")], difference="shrinkage_scales")
case("opt_qr_r2d2", bf("ycnt ~ x1 + x2 + x3", decomp="QR"), family="poisson", prior=[pr("R2D2(0.5, 2, cons_D2 = 1)", "b")],
     difference="shrinkage_scales")
case("opt_qr_bounds", bf("y ~ x1 + x2", decomp="QR"), prior=[pr("normal(0, 2)", "b", lb=0)], reason=r"(?i)bounds")
case("opt_bad_decomp", bf("y ~ x1", decomp="SVD"), reason=r"(?i)(QR|none)")
case("opt_lf_center_sigma", bf("y ~ x1", lf=["sigma ~ x2"], lf_options={"center": False}))
case("opt_lf_cmc_nlpar", bf("y ~ int + eta", nl=True, lf=["int ~ 1", "eta ~ 0 + f3"], lf_options={"cmc": False}),
     prior=[pr("normal(0, 1)", "b", nlpar="int"), pr("normal(0, 1)", "b", nlpar="eta")],
     note="brms's answer to bounds on single coefficients (paul-buerkner/brms#1422)")
case("opt_lf_qr_sigma", bf("y ~ x1", lf=["sigma ~ x2 + x3"], lf_options={"decomp": "QR"}), difference="qr_data")
# bf()'s options with mixtures: every mu<k> of the main formula takes them (brms 2.18)
case("opt_mix_center_false", bf("y ~ x1 + x2", center=False), family=mix("gaussian", "gaussian", order="none"))
case("opt_mix_center_false_ordered", bf("y ~ x1", center=False), family=mix("gaussian", "gaussian"),
     reason=r"Identifying mixture components via ordering requires population-level intercepts")
case("opt_mix_sparse", bf("y ~ x1 + f3", sparse=True), family=mix("gaussian", "gaussian", order="none"))
case("opt_mix_cmc_false", bf("y ~ 0 + f3 + x1", cmc=False), family=mix("gaussian", "gaussian", order="none"))
case("opt_mix_qr", bf("y ~ x1 + x2 + x3", decomp="QR"), family=mix("gaussian", "gaussian"), difference="qr_data")
case("opt_mix_qr_poisson_dpars", bf("ycnt ~ x1 + x2", "theta2 ~ x3", decomp="QR"), family=mix("poisson", "poisson"),
     difference="qr_data")
case("opt_mix_lf_qr_mu2", bf("y ~ x1 + x2", lf=["mu2 ~ x1 + x3"], lf_options={"decomp": "QR"}),
     family=mix("gaussian", "gaussian"), difference="qr_data")
case("opt_mix_lf_center_sigma2", bf("y ~ x1", lf=["sigma2 ~ x2"], lf_options={"center": False}),
     family=mix("gaussian", "gaussian"))
case("opt_mix_center_false_cumulative", bf("yord ~ x1 + x2", center=False), family=mix("cumulative", "cumulative"))
# with a non-linear main formula brms 2.18 ignores bf()'s options; lf()'s apply to the nlpars' formulas
case("opt_nl_main_qr_ignored", bf("y ~ a * exp(b * x1)", "a ~ x2 + x3", "b ~ 1", nl=True, decomp="QR"),
     prior=[pr("normal(0, 1)", "b", nlpar="a"), pr("normal(0, 1)", "b", nlpar="b")])
case("opt_nl_main_center_cmc_ignored", bf("y ~ a * exp(b * x1)", "a ~ 0 + f3", "b ~ 1", nl=True, center=False, cmc=False),
     prior=[pr("normal(0, 1)", "b", nlpar="a"), pr("normal(0, 1)", "b", nlpar="b")])
case("opt_nl_main_sparse_ignored", bf("y ~ a * exp(b * x1)", "a ~ 1 + f3", "b ~ 1", nl=True, sparse=True),
     prior=[pr("normal(0, 1)", "b", nlpar="a"), pr("normal(0, 1)", "b", nlpar="b")])
case("opt_mix_nl_qr_ignored", bf("y ~ a * exp(b * x1)", "a ~ 1", "b ~ 1", nl=True, decomp="QR"),
     family=mix("gaussian", "gaussian", order="none"), prior=[pr("normal(0, 2)", "b", nlpar="a"), pr("normal(0, 2)", "b", nlpar="b")])
case("opt_lf_qr_nlpar", bf("y ~ a * exp(b * x1)", "b ~ 1", nl=True, lf=["a ~ x2 + x3"], lf_options={"decomp": "QR"}),
     prior=[pr("normal(0, 1)", "b", nlpar="a"), pr("normal(0, 1)", "b", nlpar="b")], difference="qr_data")
case("opt_lf_qr_nlpar_group", bf("y ~ a * x1 + b", "b ~ 1", nl=True, lf=["a ~ x2 + (1 | g1)"], lf_options={"decomp": "QR"}),
     prior=[pr("normal(0, 1)", "b", nlpar="a"), pr("normal(0, 1)", "b", nlpar="b")], difference="qr_data")
case("opt_lf_qr_nlpar_bounds", bf("y ~ a * exp(b * x1)", "b ~ 1", nl=True, lf=["a ~ x2 + x3"], lf_options={"decomp": "QR"}),
     prior=[pr("normal(0, 1)", "b", nlpar="a", lb=0), pr("normal(0, 1)", "b", nlpar="b")], reason=r"(?i)bounds")
case("opt_nlf_sigma_lf_qr", bf("y ~ x1", "b ~ 1", nlf=[["sigma ~ a * exp(b * x1)"]], lf=["a ~ x2 + x3"],
                                lf_options={"decomp": "QR"}),
     prior=[pr("normal(0, 1)", "b", nlpar="a"), pr("normal(0, 1)", "b", nlpar="b")], difference="qr_data")

# ---------------------------------------------------------------- cases brms refuses
group("refusals")
case("refuse_dup_group_slope", "Reaction ~ Days + (Days | Subject) + (1 | Subject)", data="sleepstudy",
     reason=r"(?i)duplicat", note="issue 18 item 2")
case("form_dup_identical_terms", "y ~ x1 + (1 | g1) + (1 | g1)", note="identical terms merge, as in R formulas")
case("refuse_dup_group_lme4_style", "y ~ x1 + x2 + (x1 | g1) + (x2 | g1)", reason=r"(?i)duplicat",
     note="lme4-style (SES | School) + (Sex | School): both have an intercept")
case("refuse_dup_group_dpar_ok", bf("y ~ x1 + (1 | g1)", "sigma ~ (1 | g1)"), note="same group in two dpars is fine")
case("refuse_group_plus", "y ~ x1 + (1 | g1 + g2)", difference="refuse_beyond_2_18", reason=r"(?i)(g1 \+ g2|grouping)",
     note="issue 18 item 3: lme4 refuses; brms 2.18 silently fits (1 | g1) + (1 | g2)")
case("refuse_group_star", "y ~ x1 + (1 | g1 * g2)", difference="refuse_beyond_2_18", reason=r"(?i)(g1:g2|\(1 \| g1\) \+)",
     note="brms 2.18 expands (1 | g1) + (1 | g1:g2) + (1 | g2); the message names what to write")
case("refuse_cbind_binomial", "cbind(ysucc, ntr) ~ x1", family="binomial", difference="refuse_beyond_2_18",
     reason=r"(?i)trials", note="issue 18 item 9: glmer's form; brmspy names s | trials(s + f)")
case("refuse_invalid_link_gaussian", "y ~ x1", family=fam("gaussian", link="sqrt"), reason=r"(?i)link")
case("refuse_invalid_link_poisson", "ycnt ~ x1", family=fam("poisson", link="logit"), reason=r"(?i)link")
case("refuse_invalid_link_bernoulli", "ybin ~ x1", family=fam("bernoulli", link="log1p"), reason=r"(?i)link")
case("refuse_unknown_family", "y ~ x1", family="gausian", reason=r"(?i)(family|gausian)")
case("refuse_dpar_not_in_family", bf("y ~ x1", "nu ~ x2"), reason=r"(?i)nu")
case("refuse_dpar_zi_poisson", bf("ycnt ~ x1", "zi ~ x2"), family="poisson", reason=r"(?i)zi")
case("refuse_missing_column", "y ~ x9", reason=r"(?i)x9")
case("refuse_missing_group_column", "y ~ x1 + (1 | g9)", reason=r"(?i)g9")
case("refuse_missing_response", "yy ~ x1", reason=r"(?i)yy")
case("refuse_gaussian_char_response", "f3 ~ x1", reason=r"(?i)(numeric|f3|response)")
case("refuse_bernoulli_counts", "ycnt ~ x1", family="bernoulli", reason=r"(?i)(0|1|bernoulli|binary)")
case("refuse_poisson_negative", "y ~ x1", family="poisson", reason=r"(?i)(non-?negative|integer|count|poisson)")
case("refuse_beta_outside", "ypos ~ x1", family="beta", reason=r"(?i)(0|1|beta|interval)")
case("refuse_gamma_negative", "y ~ x1", family="gamma", reason=r"(?i)(positive|gamma)")
case("refuse_cumulative_continuous", "y ~ x1", family="cumulative", reason=r"(?i)(ordinal|integer|cumulative|categor)")
case("refuse_trials_gaussian", "y | trials(ntr) ~ x1", reason=r"(?i)trials")
case("refuse_cens_invalid", "y | cens(xint) ~ x1", reason=r"(?i)cens")
case("refuse_mo_continuous", "y ~ mo(x1)", reason=r"(?i)(mo|monotonic|integer|ordinal)")
case("refuse_cs_gaussian", "y ~ cs(x1)", reason=r"(?i)(cs|category|ordinal)")
case("refuse_gr_by_not_constant", "y ~ x1 + (1 | gr(g1, by = f3))", reason=r"(?i)(by|level)")
case("refuse_rescor_poisson", mv(bf("y ~ x1", family="gaussian"), bf("ycnt ~ x1", family="poisson"), rescor=True),
     reason=r"(?i)rescor|residual correlation")
case("refuse_nl_no_pforms", bf("y ~ a * exp(b * x1)", nl=True), reason=r"(?i)(a|b|non-?linear|parameter)")
case("refuse_nl_missing_pform", bf("y ~ a * exp(b * x1)", "a ~ 1", nl=True), reason=r"(?i)(\bb\b|non-?linear)")
case("refuse_empty_group", "y ~ x1 + (1 | )", reason=r"(?i)(group|\|)")
case("refuse_sigma_with_se", "y | se(sey) ~ x1 + sigma", reason=r"(?i)sigma")
case("cat_categorical_mub", bf("ycat ~ x1", "mub ~ x2"), family="categorical")
case("refuse_categorical_refcat_dpar", bf("ycat ~ x1", "mua ~ x2"), family="categorical", reason=r"(?i)mua")
case("refuse_me_no_sd", "y ~ me(xme)", reason=r"(?i)(me|sd)")
case("refuse_ar_time_not_unique", "y ~ x1 + ar(time = xint, gr = g1)", reason=r"(?i)(time|unique)")
case("refuse_weights_negative", "y | weights(x1) ~ x2", reason=r"(?i)(weight|negative)")
case("refuse_trials_too_small", "ycnt | trials(xint) ~ x1", family="binomial", reason=r"(?i)(trials|exceed|larger)")
case("refuse_mixture_one", "y ~ x1", family=mix("gaussian"), reason=r"(?i)(mixture|component|at least)")
case("fam_threshold_nonordinal", "y ~ x1", family=fam("gaussian", threshold="equidistant"),
     note="brms 2.18 ignores threshold for non-ordinal families")
case("refuse_s_too_few", "y ~ s(xint)", reason=r"(?i)(unique|knots|k|s\()")
case("refuse_vonmises_range", "y ~ x1", family="von_mises", reason=r"(?i)(pi|von_mises|range|between)")
case("refuse_offset_in_group", "y ~ x1 + (offset(offs) | g1)", reason=r"(?i)offset")
case("refuse_mvbind_categorical", mv("mvbind(ycat, f3) ~ x1", rescor=False), family="categorical")
case("refuse_interval_cens_no_upper", "y | cens(censc) ~ x1 + (1 | g1)", reason=r"(?i)(y2|interval|upper)")
case("refuse_dirichlet_not_simplex", "cbind(c1, c2, c3) ~ x1", family="dirichlet", reason=r"(?i)(sum|simplex|between 0 and 1)")
case("refuse_multinomial_no_trials", "cbind(c1, c2, c3) ~ x1", family="multinomial", reason=r"(?i)trials")
case("refuse_gp_factor", "y ~ gp(f3)", reason=r"(?i)(gp|numeric)")
case("form_dup_identical_interaction", "ycnt ~ x1 + (1 | g1) + (1 | g1:g2) + (1 | g1:g2)", family="poisson")
