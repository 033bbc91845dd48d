"""The response of each formula on the data: values checked for the family, trials, weights, missing values.

``x | mi()`` responses (:func:`check_mi`, :func:`mi_kept_columns`, :func:`mi_response_data`): brms keeps
the rows where ``x`` is NA and makes the missing values parameters (:mod:`brmspy.specials.mi` has the
``mi(x)`` predictor term, :func:`brmspy.codegen.likelihood.stan_mi_response` the Stan code).

``y | subset(s)`` (:func:`subset_values`, :func:`subset_rows`): the rows a univariate model is fitted
on, as brms 2.18's ``subset_data``; in multivariate models each response has its own rows
(:func:`mv_subset_rows`, brms's ``N_<resp>``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..core.errors import DataError, DataWarning, FamilyError, FormulaError, warn
from ..families import warn_binomial_trials
from ..families.core import ordinal_response
from ..families.custom import CustomFamily
from ..formula.rexpr import parse_expr, rename
from ..formula.spexpr import has_sp_call, sp_expression
from ..formula.syntax import parse_call
from ..formula.terms import BrmsTerms, MvBrmsTerms, SpecialTerm
from .additions import HANDLED as ADDITIONS_HANDLED
from .additions import decisions
from .additions import build_additions
from .categorical import category_parts, response_data
from .rvalues import Env, Lgl, evaluate
from .columns import addition_values, eval_column, group_index, known_level_index, names_in_text, response_weights
from .types import ResponseData, ThresholdGroups


def build_response_data(t: BrmsTerms, data: pd.DataFrame) -> ResponseData:
    """The :class:`ResponseData` of one response on ``data`` (the model data or new data).

    The response checked for the family, ``trials()``, ``weights()`` and the other addition
    terms (:func:`~brmspy.frame.additions.build_additions`).
    """
    fam = t.family
    if fam.kind.has_categories:  # categorical, multinomial, dirichlet: one predictor per category
        rd = response_data(t, data)
        category_parts(t, rd.levels)  # the categories give distinct names (new data: the model's categories)
        return rd
    y_raw = eval_column(t.response.expr, data, "the response")
    if fam.spec.response == "ordinal":
        y, levels = ordinal_response(y_raw, t.response.expr, fam.name)
        groups = threshold_groups(t, data, y_raw, y)
        if groups is not None:  # thres(gr = g): the categories of the group with the most thresholds
            levels = levels + [str(j) for j in range(len(levels) + 1, max(groups.nthres) + 2)]
            rd = ResponseData(t.response.expr, y, levels=levels, thres_groups=groups)
        else:
            rd = ResponseData(t.response.expr, y, levels=_thres_levels(t, levels))
    elif t.response.addition("mi") is not None:  # 'y | mi()': NAs become parameters (brmspy.specials.mi)
        rd = mi_response_data(t, y_raw)
        sdy = t.response.addition("mi").args.get("sdy")
        if sdy is not None:  # 'y | mi(sdy)': every y is latent, observed with known error (brms's noise)
            noise = addition_values(sdy, data, "mi(sdy)").astype(float)
            if np.any(noise[~np.isnan(rd.y)] < 0):
                raise DataError(f"mi({sdy}): the measurement error (sdy) must be non-negative.")
            rd.noise = np.where(np.isnan(rd.y), np.inf, noise)  # brms: Inf where y is missing
    else:
        rd = ResponseData(t.response.expr, fam.check_response(y_raw, t.response.expr))
    y = rd.y
    trials = t.response.addition("trials")
    if trials is not None:
        # a custom family may read trials (brms declares them; vars = "trials[n]" passes them to the density)
        if not fam.spec.needs_trials and not isinstance(fam, CustomFamily):
            raise FormulaError(f"trials() is only used by binomial-type families, not by {fam.name!r}; remove it.")
        n = addition_values(trials.args["n"], data, "trials()")
        if np.any(n != np.round(n)) or np.any(n < 0):
            raise DataError(f"trials() in {t.response.expr!r} must be non-negative integers.")
        n = n.astype(np.int64)
        if np.any(y > n):
            i = int(np.argmax(y > n))
            raise DataError(
                f"The response exceeds the number of trials in row {i} ({y[i]} > {n[i]}); check 'trials({trials.args['n']})'."
            )
        rd.trials = n
    elif fam.spec.needs_trials:
        rd.trials = warn_binomial_trials(y, t.response.expr)
    rd.weights = response_weights(t, data)
    rd.adds = build_additions(t, data, y)  # cens(), trunc(), se(), rate(): brmspy.frame.additions
    rd.dec = decisions(t, data)  # wiener's dec()
    rd.custom_vars = custom_var_values(t, data)
    for a in t.response.additions:
        if a.name == "thres" and fam.spec.response == "ordinal":
            continue
        if a.name not in ("trials", "weights", "mi", "dec", "bhaz", "vint", "vreal", "subset", "index",
                          *ADDITIONS_HANDLED):
            raise FormulaError(f"The addition term '{a.name}()' is recognised but not supported yet; remove it for now.")
    return rd


def subset_values(t: BrmsTerms, data: pd.DataFrame) -> np.ndarray | None:
    """The rows of ``data`` a ``subset(s)`` response is fitted on (R's ``as.logical(s)``; None without subset()).

    brms 2.18's ``subset_data``: a value that is not a logical, a number or ``"TRUE"``/``"FALSE"``
    text is NA, and NA or no TRUE row is an error.
    """
    a = t.response.addition("subset")
    if a is None:
        return None
    text = a.args.get("x", "").strip()
    value = evaluate(parse_expr(f"as.logical({text})", "subset()"), Env(data, "subset()"), {})
    keep = np.asarray(value.v if isinstance(value, Lgl) else value, dtype=float)
    if keep.shape != (len(data),):
        raise DataError(f"subset({text}) of {t.response.expr!r}: length of 'subset' ({keep.size}) does not match "
                        f"the rows of 'data' ({len(data)}); use a column of the data.")
    if np.isnan(keep).any():
        raise DataError(f"subset({text}) of {t.response.expr!r}: subset variables may not contain NAs; they must "
                        "be logical (TRUE/FALSE), numbers or 'TRUE'/'FALSE' text.")
    if not keep.any():
        raise DataError(
            f"All rows of 'data' were removed via 'subset({text})' of {t.response.expr!r}. Make sure that variables "
            "do not contain NAs for observations in which they are supposed to be used, and that each subset "
            "variable is TRUE for at least one observation.")
    return keep.astype(bool)


def subset_rows(terms: BrmsTerms | MvBrmsTerms, data: pd.DataFrame) -> np.ndarray | None:
    """Positions of the rows a univariate ``subset()`` model is fitted on (None: every row).

    Multivariate models choose rows per response: :func:`mv_subset_rows`.
    """
    if isinstance(terms, MvBrmsTerms):
        return None
    keep = subset_values(terms, data)
    if keep is None:
        return None
    _check_subset_terms(terms)
    return np.flatnonzero(keep)


def mv_subset_masks(terms: BrmsTerms | MvBrmsTerms, data: pd.DataFrame) -> dict[str, np.ndarray | None] | None:
    """Each response's ``subset()`` rows of a multivariate model (None: that response uses every row).

    None when no response has ``subset()``.  (Residual correlations with ``subset()`` are refused when the
    formula is read, :mod:`brmspy.formula.mv`, as brms 2.18 refuses them.)
    """
    if not isinstance(terms, MvBrmsTerms):
        return None
    if not any(t.response.addition("subset") is not None for t in terms.responses):
        return None
    out = {}
    for t in terms.responses:
        if t.response.addition("subset") is not None:
            _check_subset_terms(t)
        out[t.resp] = subset_values(t, data)
    subsetted = {resp_name(t.response.expr) for t in terms.responses if out[t.resp] is not None}
    for t in terms.responses:
        for part in t.parts.values():
            for s in _mi_calls(part.terms.special_terms):
                if s.call.args and resp_name(s.call.args[0].strip()) in subsetted and "idx" not in dict(s.call.kwargs):
                    raise FormulaError(f"mi() terms of subsetted variables require the 'idx' argument to be "
                                       f"specified (brms): '{s.text}' in {part.formula!r} refers to a response with "
                                       "subset(); use mi(x, idx = id) with bf(x | mi() + index(id) + subset(s) ~ ...).")
    return out


def mv_subset_rows(terms: BrmsTerms | MvBrmsTerms, data: pd.DataFrame) -> dict[str, np.ndarray] | None:
    """Positions of each response's rows in ``data`` (rows left after NA removal), brms's per-response subsets."""
    masks = mv_subset_masks(terms, data)
    if masks is None:
        return None
    return {r: np.arange(len(data)) if m is None else np.flatnonzero(m) for r, m in masks.items()}


def _check_subset_terms(terms: BrmsTerms) -> None:
    """brms's ``check_cross_formula_indexing``: terms whose values are shared across rows need every row."""
    if any(part.terms.specials("me") for part in terms.parts.values()):
        raise FormulaError("Cannot use me() terms in subsetted formulas (brms): the latent values of me() "
                           "are shared across rows; drop subset() or me().")
    for part in terms.parts.values():
        for s in _mi_calls(part.terms.special_terms):
            if "idx" not in dict(s.call.kwargs):
                raise FormulaError(f"mi() terms in subsetted formulas require the 'idx' argument to be specified "
                                   f"(brms): '{s.text}' in {part.formula!r}, e.g. mi(x, idx = id) with "
                                   "bf(x | mi() + index(id) ~ ...).")




def _thres_levels(t: BrmsTerms, levels: list[str]) -> list[str]:
    """The categories with ``thres(k)``: ``k + 1`` of them (brms's number of thresholds), the extra ones numbered.

    ``thres(gr = g)`` (thresholds per group): :func:`threshold_groups`.
    """
    a = t.response.addition("thres")
    if a is None or "gr" in a.args:
        return levels
    text = a.args.get("x", "").strip()
    try:
        k = float(text)
    except ValueError:
        raise FormulaError(
            f"thres({text}) in {t.response.expr!r}: the number of thresholds must be a number, e.g. 'thres(4)' "
            "(a number per group needs thres(x, gr = g))."
        ) from None
    if k != round(k) or k < 1:
        raise FormulaError(f"thres({text}): the number of thresholds must be a positive integer.")
    k = int(k)
    if k < len(levels) - 1:
        raise DataError(
            f"Number of thresholds is smaller than required by the response: thres({k}) but {t.response.expr!r} "
            f"has {len(levels)} categories ({len(levels) - 1} thresholds)."
        )
    return levels + [str(j) for j in range(len(levels) + 1, k + 2)]


def threshold_groups(t: BrmsTerms, data: pd.DataFrame, y_raw: pd.Series, y: np.ndarray) -> ThresholdGroups | None:
    """brms's thresholds per group of ``thres(gr = g)`` / ``thres(k, gr = g)`` (None without ``gr``).

    The groups are the levels of ``g`` (R's ``factor()`` order); each group's number of thresholds is ``k`` (a
    number, or a column constant within each group) or, without ``k``, its own response's: the number of
    categories it uses (a categorical response) or its largest value minus one (integers), as brms's
    ``extract_thres_names``.
    """
    a = t.response.addition("thres")
    if a is None or "gr" not in a.args:
        return None
    fam = t.family
    gr = a.args["gr"].strip()
    ordinal = fam.threshold_family("mu") is not None or fam.threshold_family("mu1") is not None  # mixtures too
    if not ordinal:
        raise FormulaError(f"thres(gr = {gr}) (thresholds per group) needs an ordinal family (cumulative, sratio, "
                           f"cratio, acat, hurdle_cumulative or a mixture of them), not {fam.name!r}.")
    if gr not in data.columns:
        raise FormulaError(f"thres(gr = {gr}): 'gr' must be a column of the data (a factor-like grouping variable).")
    col = data[gr]
    if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
        raise DataError(f"Variable 'gr' in 'thres' needs to be factor-like (brms); {gr!r} is numeric: convert it "
                        "with .astype(str) or pd.Categorical.")
    index, labels = group_index(data, (gr,))
    index = index - 1
    n_groups = len(labels)
    text = a.args.get("x", "").strip()
    if text:
        k = addition_values(text, data, "thres()") if text in data.columns else None
        if k is None:
            try:
                k = np.full(len(data), float(text))
            except ValueError:
                raise FormulaError(f"thres({text}, gr = {gr}): the number of thresholds must be a number or a "
                                   "column of the data.") from None
        k = np.asarray(k, dtype=float)
        if np.any(k != np.round(k)) or np.any(k < 1):
            raise DataError("Number of thresholds must be a positive integer.")
        nthres = []
        for g in range(n_groups):
            vals = np.unique(k[index == g])
            if len(vals) > 1:
                raise DataError("Number of thresholds should be unique for each group.")
            nthres.append(int(vals[0]))
    elif isinstance(y_raw.dtype, pd.CategoricalDtype):  # R: length(levels(factor(y))) - 1 within the group
        nthres = [len(np.unique(y[index == g])) - 1 for g in range(n_groups)]
    else:
        nthres = [int(y[index == g].max()) - 1 for g in range(n_groups)]
    groups = ThresholdGroups(gr, labels, [rename(str(lv)) for lv in labels], nthres, index)
    if np.any(y > np.asarray(nthres)[index] + 1):
        raise DataError("Number of thresholds is smaller than required by the response: a group of "
                        f"thres(gr = {gr}) has responses above its number of thresholds + 1.")
    return groups


def threshold_group_index(groups: ThresholdGroups, data: pd.DataFrame) -> np.ndarray:
    """The 0-based threshold group of each row of ``data`` (new data: the model's groups only)."""
    return known_level_index(data, groups.column, groups.labels, f"thres(gr = {groups.column})", "the thresholds")


def custom_var_values(t: BrmsTerms, data: pd.DataFrame) -> dict[str, np.ndarray] | None:
    """The ``vint()``/``vreal()`` data of a custom family by brms's names (``vint1``, ``vreal1``, ...)."""
    out = {}
    for kind in ("vint", "vreal"):
        a = t.response.addition(kind)
        for k, expr in (a.args.items() if a is not None else ()):
            v = addition_values(expr, data, f"{kind}()")
            if kind == "vint":
                if np.any(v != np.round(v)):
                    raise DataError(f"vint({expr}) in {t.response.expr!r} must be integers; use vreal() for real values.")
                v = v.astype(np.int64)
            out[f"{kind}{k}"] = v
    return out or None


#: Stan bounds of the imputed values per response kind of the family
_BOUNDS = {"real": "", "positive": "<lower=0>", "unit": "<lower=0,upper=1>"}


def resp_name(expr: str) -> str:
    """brms's response name of a column in multivariate models (non-alphanumerics dropped)."""
    return re.sub(r"[^A-Za-z0-9]", "", expr)


def _mi_responses(resp_terms: list["BrmsTerms"]) -> dict[str, "BrmsTerms"]:
    """Response column -> terms, for responses with ``| mi()``."""
    return {t.response.expr: t for t in resp_terms if t.response.addition("mi") is not None}


def _sp_call_texts(factors: tuple[str, ...]) -> list[str]:
    """The pieces of an sp product, with a transformed sp term (``I(log(mi(x)))``) replaced by its calls."""
    out: list[str] = []
    for f in factors:
        out += list(sp_expression(f, f)[1].values()) if has_sp_call(f) else [f]
    return out


def _mi_calls(terms) -> list:
    """The ``mi(x)`` terms among special terms, including those inside products such as ``mi(x):z``."""
    out = []
    for s in terms:
        if s.kind == "mi":
            out.append(s)
        elif s.kind == "sp":
            calls = [parse_call(f) for f in _sp_call_texts(s.factors)]
            out += [SpecialTerm("mi", c) for c in calls if c is not None and c.name == "mi"]
    return out


def _mi_predictors(resp_terms: list["BrmsTerms"]) -> list[tuple[str, str, str | None]]:
    """(variable, formula, idx) of every ``mi(x)`` / ``mi(x, idx = id)`` predictor term."""
    out = []
    for t in resp_terms:
        for part in t.parts.values():
            for s in _mi_calls(part.terms.special_terms):
                if len(s.call.args) != 1 or set(dict(s.call.kwargs)) - {"idx"}:
                    raise FormulaError(
                        f"'{s.text}' in {part.formula!r}: mi() takes one variable and optionally the index 'idx', "
                        "e.g. 'mi(x)' or 'mi(x, idx = id)'."
                    )
                out.append((s.call.args[0].strip(), part.formula, dict(s.call.kwargs).get("idx")))
    return out


def check_mi(resp_terms: list["BrmsTerms"], data: pd.DataFrame) -> None:
    """Validate ``mi()`` use before NA rows are dropped.

    ``mi(x)`` needs a sub-model ``x | mi() ~ ...``; ``| mi()`` needs a
    continuous family; ``| mi()`` on a column without NAs warns.
    """
    mi_resp = _mi_responses(resp_terms)
    for var, formula, idx in _mi_predictors(resp_terms):
        if var not in mi_resp:
            raise FormulaError(
                f"mi({var}) in {formula!r} needs a model for {var!r}: add bf(\"{var} | mi() ~ <predictors>\") "
                f"to the formula, e.g. bf({formula!r}) + bf(\"{var} | mi() ~ 1\")."
            )
        if idx is not None and mi_resp[var].response.addition("index") is None:
            raise FormulaError(
                f"Response {var!r} needs to have an 'index' addition term to compare with 'idx' (brms), for "
                f"mi({var}, idx = {idx}) in {formula!r}: e.g. bf(\"{var} | mi() + index(id) ~ ...\").")
    for expr, t in mi_resp.items():
        fam = t.family
        if not fam.kind.univariate or fam.spec.response not in _BOUNDS:
            raise FamilyError(
                f"'{expr} | mi()' imputes continuous values, so family {fam.name!r} cannot be used; "
                f"use a continuous family such as gaussian, student, lognormal or beta."
            )
        if expr in data.columns and not data[expr].isna().any():
            warn(
                f"'{expr} | mi()' is used, but column {expr!r} has no missing values: nothing is imputed. "
                "Remove '| mi()' (and mi() around the predictor) unless new data will have NAs.",
                DataWarning,
            )


def mi_kept_columns(resp_terms: list["BrmsTerms"]) -> set[str]:
    """Columns whose NA rows are kept (imputed): responses with ``| mi()`` not used elsewhere as plain data."""
    kept = set(_mi_responses(resp_terms))
    if not kept:
        return kept
    plain: set[str] = set()
    for t in resp_terms:
        for a in t.response.additions:
            for v in a.args.values():
                plain.update(names_in_text(v))
        for nl in t.nonlinear.values():
            plain.update(nl.covariates)
        for part in t.parts.values():
            lt = part.terms
            for text in lt.population:
                plain.update(names_in_text(text))
            for g in lt.group_terms:
                plain.update(names_in_text(g.expr))
                plain.update(g.group_vars)
            for s in lt.special_terms:
                if s.kind == "sp":  # mi(x):z: z is plain data, x is imputed
                    plain.update(n for f in _sp_call_texts(s.factors) if not f.startswith("mi(")
                                 for n in names_in_text(f))
                elif s.kind != "mi":
                    plain.update(names_in_text(s.text))
    return kept - plain


def mi_index_values(t: BrmsTerms, rd: ResponseData, data: pd.DataFrame) -> tuple[np.ndarray, np.ndarray] | None:
    """``x | mi() + index(id)``: x's values (NaN where imputed) and its index values on its rows (None without index()).

    brms's ``tidy_index``: the index must identify x's rows uniquely.
    """
    a = t.response.addition("index")
    if a is None or rd.missing is None:
        return None
    col = a.args.get("x", "").strip()
    if col not in data.columns:
        raise DataError(f"'{a.text}' of {t.response.expr!r} needs a column of the data named {col!r}.")
    values = data[col].to_numpy()
    if pd.Series(values).duplicated().any():
        raise DataError(f"Index of response {t.response.expr!r} contains duplicated values ('{a.text}'): each row of "
                        f"{t.response.expr!r} needs its own index value.")
    return rd.y, values


def mi_response_data(t: "BrmsTerms", y_raw: pd.Series) -> "ResponseData":
    """The response of ``y | mi()``: observed values checked for the family, NaN where missing."""
    y_raw = pd.Series(y_raw).reset_index(drop=True)
    miss = y_raw.isna().to_numpy()
    y = np.full(len(y_raw), np.nan)
    if (~miss).any():
        y[~miss] = t.family.check_response(y_raw[~miss], t.response.expr)
    return ResponseData(t.response.expr, y, missing=np.flatnonzero(miss))
