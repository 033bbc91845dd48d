"""Responses of categorical-type families (categorical, multinomial, dirichlet) and their per-category parts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.errors import DataError, FormulaError
from ..families.categorical import _MU_NAME, SIGMA_NAME, categorical_response, category_dpars, sigma_dpars
from ..formula.syntax import parse_call
from ..formula.terms import Part, parse_rhs
from .columns import addition_values, eval_column, response_weights
from .types import ResponseData


def split_cbind(expr: str) -> list[str] | None:
    """The column expressions of ``cbind(a, b, c)``, or None when ``expr`` is not a cbind call."""
    call = parse_call(expr)
    if call is None or call.name != "cbind":
        return None
    return [*call.args, *(v for _, v in call.kwargs)]


def response_data(t, data: pd.DataFrame):
    """The :class:`~brmspy.frame.types.ResponseData` of a categorical-type response."""
    fam = t.family
    expr = t.response.expr
    for a in t.response.additions:
        if a.name == "trials" and fam.spec.needs_trials:  # multinomial
            continue
        if a.name in ("weights", "subset"):  # subset(): the rows are chosen in build_frame
            continue
        raise FormulaError(f"The addition term '{a.name}()' is not supported for family {fam.name!r}; remove it.")
    if fam.kind.response == "category":  # one category per row; otherwise cbind() of counts or proportions
        y, levels = categorical_response(eval_column(expr, data, "the response"), expr, fam.name)
        rd = ResponseData(expr, y, levels=levels)
    else:
        cols = split_cbind(expr)
        if cols is None:
            raise FormulaError(
                f"Family {fam.name!r} needs a matrix response written 'cbind(y1, y2, y3)"
                + (" | trials(n)" if fam.spec.needs_trials else "") + f" ~ ...'; got {expr!r}."
            )
        if len(cols) < 2:
            raise DataError(f"Family {fam.name!r} needs at least 2 response categories; 'cbind()' has {len(cols)}.")
        Y = np.column_stack([np.asarray(eval_column(c, data, "the response"), dtype=float) for c in cols])
        levels = [c.strip() for c in cols]
        if fam.kind.response == "counts":  # multinomial
            bad = (Y != np.round(Y)) | (Y < 0) | ~np.isfinite(Y)
            if bad.any():
                i, j = np.argwhere(bad)[0]
                raise DataError(
                    f"Family {fam.name!r} needs non-negative integer counts, but column {levels[j]!r} has "
                    f"{Y[i, j]:g} in row {i}. Use family 'dirichlet' for proportions."
                )
            Y = Y.astype(np.int64)
            rd = ResponseData(expr, Y, levels=levels)
            totals = Y.sum(axis=1)
            trials = t.response.addition("trials")
            if trials is None:  # brms: "Specifying 'trials' is required in multinomial models."
                raise FormulaError(
                    f"Specifying 'trials' is required in {fam.name} models (as in brms): write "
                    f"'{expr} | trials(n) ~ ...' with a column n holding each row's total count."
                )
            if trials is not None:
                n = addition_values(trials.args["n"], data, "trials()")
                if np.any(n != totals):
                    i = int(np.argmax(n != totals))
                    raise DataError(
                        f"trials() must equal the sum of the counts in each row; row {i} has trials {n[i]:g} "
                        f"but the counts sum to {totals[i]}."
                    )
            rd.trials = totals.astype(np.int64)
        else:
            if np.any(~np.isfinite(Y)) or np.any(Y <= 0) or np.any(Y >= 1):
                raise DataError(
                    f"Family {fam.name!r} needs proportions strictly between 0 and 1 in {expr!r}; "
                    "some values are outside (0, 1)."
                )
            sums = Y.sum(axis=1)
            if np.any(np.abs(sums - 1) > 1e-6):
                i = int(np.argmax(np.abs(sums - 1)))
                raise DataError(
                    f"Family {fam.name!r} needs each row of {expr!r} to sum to 1, but row {i} sums to {sums[i]:.6g}. "
                    "Divide each row by its total."
                )
            rd = ResponseData(expr, Y, levels=levels)
    rd.weights = response_weights(t, data)
    return rd


def category_parts(t, levels: list[str]) -> tuple[dict[str, Part], dict[str, float], dict[str, str]]:
    """The ``mu`` part replaced by one part per non-reference category: new ``(parts, fixed, links)``.

    ``t`` is left as it is; :func:`~brmspy.frame.build.build_frame` makes the frame's own terms from
    the result.  Terms that already have the category parts (a fitted model's, for new data) are
    checked against ``levels`` and returned unchanged.
    """
    names = category_dpars(t.family, levels)
    if "mu" not in t.parts:  # already expanded (a fitted model's terms, new data)
        missing = [n for n in names if n not in t.parts]
        if missing:
            raise DataError(f"The response categories changed since the model was set up (missing {missing}).")
        return t.parts, t.fixed, t.family.links
    if t.nonlinear:
        raise FormulaError(f"Non-linear formulas are not supported for family {t.family.name!r}.")
    main = t.parts["mu"]
    own = {k: p for k, p in t.parts.items() if _MU_NAME.fullmatch(k)}
    fixed = dict(t.fixed)
    for k, value in t.fixed.items():
        if _MU_NAME.fullmatch(k):
            if value != 1.0:
                raise FormulaError(f"Fixing {k} to a constant is not supported; give it a formula such as '{k} ~ 1'.")
            own[k] = Part(k, "dpar", parse_rhs("1", f"{k} ~ 1"), f"{k} ~ 1")  # 'muC ~ 1': intercept only
            del fixed[k]
    unknown = [k for k in own if k not in names]
    if unknown:
        raise FormulaError(
            f"Formula(s) for {', '.join(unknown)}, but the non-reference categories give the parameters "
            f"{', '.join(names)}."
        )
    others = {k: p for k, p in t.parts.items() if k != "mu" and k not in own}
    parts = {n: own.get(n, Part(n, "dpar", main.terms, main.formula)) for n in names}
    parts.update(others)
    links = dict(t.family.links)
    for n in names:
        links.setdefault(n, t.family.link)
    if t.family.kind.per_category_sigma:  # logistic_normal: sigma<Category> of each non-reference category
        sigmas = sigma_dpars(t.family, levels)
        bad = [k for k in [*others, *fixed] if SIGMA_NAME.fullmatch(k) and k not in sigmas]
        if bad:
            raise FormulaError(f"Formula(s) for {', '.join(bad)}, but the non-reference categories give the "
                               f"parameters {', '.join(sigmas)}.")
        links.update({k: links.get(k, t.family.links["sigma"]) for k in sigmas})
    return parts, fixed, links
