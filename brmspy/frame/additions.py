"""Response addition terms ``cens()``, ``trunc()``, ``se()`` and ``rate()``: data and post-processing.

brms syntax, left of ``~``::

    time | cens(censored) ~ age + (1 | patient)     # -1/0/1/2 or "left"/"none"/"right"/"interval"
    y | cens(c, y2) ~ x                              # interval censoring: y2 is the upper end
    y | trunc(lb = 0, ub = 10) ~ x                   # constants or columns, either bound or both
    yi | se(sei) ~ 1 + (1 | study)                   # known sampling error (meta-analysis), sigma = 0
    yi | se(sei, sigma = TRUE) ~ 1                   # sd = sqrt(sigma^2 + se^2)
    count | rate(exposure) ~ x                       # mu multiplied by the rate denominator

This module reads and checks them on the data (:func:`build_additions`, called
from :func:`~brmspy.frame.response.build_response_data`; on new data
:func:`new_data_additions`).  Their numpy side (log-likelihood of censored and
truncated observations, the dpars with ``se``/``rate`` folded in, truncated
predictive draws and means) is :mod:`brmspy.prediction.additions`, the Stan side
:mod:`brmspy.codegen.additions`; the families' CDFs are in :mod:`brmspy.families.cdf`.

Conventions follow brms: a right-censored ``y`` contributes ``log P(Y > y)``,
a left-censored one ``log P(Y <= y)``, an interval-censored one
``log(P(Y <= y2) - P(Y <= y))``; truncation divides the density by
``P(lb <= Y <= ub)`` (``P(Y > lb - 1)`` etc. for discrete families).
Zero-inflated and hurdle families include their point mass in these
probabilities; mixtures censor and truncate each component separately
(``log_sum_exp(log theta_k + term_k)``), as brms.  ``trunc(lb = 0)`` of a
family whose values start at 0 (lognormal, gamma, hurdle_gamma, ...) is a
no-op and is left out, with a warning.  ``cens()``/``trunc()`` are refused
where brms refuses them (zero_one_inflated_beta, ordinal and categorical
families).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..core.errors import DataError, DataWarning, FamilyError, FormulaError, warn
from ..families.cdf import CDFS
from ..formula.terms import BrmsTerms
from .columns import addition_values, check_columns, eval_column
from .types import AdditionData

#: addition terms this module handles
HANDLED = ("cens", "trunc", "se", "rate")
#: families whose sd is ``sigma`` and that take a known sampling error, as in brms
SE_FAMILIES = ("gaussian", "student", "skew_normal")
#: mixture components whose sigma se() replaces, or with sigma = TRUE combines with (sqrt(sigma<k>^2 + se^2); brms
#: 2.18; other components keep their parameters)
SE_COMPONENTS = SE_FAMILIES
#: count families that take a rate denominator (brms: poisson, negbinomial, negbinomial2, geometric)
RATE_FAMILIES = ("poisson", "negbinomial", "negbinomial2", "geometric")
#: censoring codes by name (brms's prepare_cens, abbreviations included)
CENS_CODES = {"left": -1, "l": -1, "none": 0, "n": 0, "right": 1, "r": 1, "interval": 2, "i": 2}
_TRUE = ("TRUE", "True", "true", "T", "1")
_FALSE = ("FALSE", "False", "false", "F", "0")


# ------------------------------------------------------------------ frame


def decisions(t: "BrmsTerms", data: pd.DataFrame) -> np.ndarray | None:
    """The decisions of wiener's ``dec(x)`` as 0 (lower) / 1 (upper boundary), brms's conversion:
    ``"lower"``/``"upper"`` strings, else any non-zero value (or True) is the upper boundary.

    brms's errors: ``dec()`` is required by wiener and refused by every other family.
    """
    dec = t.response.addition("dec")
    needs = bool(getattr(t.family.spec, "needs_dec", False))
    name = t.family.name
    if t.family.kind.has_components:  # brms: a mixture needs dec() when any component is wiener
        dec_comps = [c.name for c in t.family.components if c.spec.needs_dec]
        needs, name = bool(dec_comps), (dec_comps[0] if dec_comps else name)
    if dec is None:
        if needs:
            raise FormulaError(f"Addition argument 'dec' is required for family {name!r}: write "
                               f"'{t.response.expr} | dec(choice) ~ ...' with choice 1 (upper) or 0 (lower boundary).")
        return None
    if not needs:
        raise FormulaError(f"Argument 'dec' is not supported for family {name!r}; remove 'dec()'.")
    col = dec.args["x"]
    x = eval_column(col, data, "dec()")
    if pd.api.types.is_string_dtype(x.dtype) or isinstance(x.dtype, pd.CategoricalDtype) or x.dtype == object:
        vals = x.astype(str)
        bad = sorted(set(vals) - {"lower", "upper"})
        if bad:
            raise DataError(f"Decisions in 'dec({col})' should be 'lower' or 'upper' (or 0/1); got {bad[:3]}.")
        return (vals == "upper").to_numpy().astype(np.int64)
    v = np.asarray(x, dtype=float)
    if np.any(~np.isfinite(v)):
        raise DataError(f"'dec({col})' has missing or infinite values; decisions must be 0/1 or 'lower'/'upper'.")
    return (v != 0).astype(np.int64)


def build_additions(t: "BrmsTerms", data: pd.DataFrame, y: np.ndarray) -> AdditionData | None:
    """Read and check the ``cens/trunc/se/rate`` terms of a response on the model data.

    Parameters
    ----------
    t : the response's terms (family and addition terms). With ``se(s)`` alone,
        ``sigma`` is fixed at 0 (``t.fixed``), as in brms.
    data : the model data (after NA removal).
    y : the checked response values.

    Returns
    -------
    AdditionData or None when the response has none of these terms.
    """
    terms = {a.name: a for a in t.response.additions if a.name in HANDLED}
    if not terms:
        return None
    _check_family(t, terms)
    out = AdditionData()
    if "cens" in terms:
        out.cens, out.rcens = _censoring(t, terms["cens"].args, data, y)
    if "trunc" in terms:
        out.lb, out.ub = _truncation(t, terms["trunc"].args, data, y)
    if "se" in terms:
        out.se, out.se_sigma = _standard_errors(t, terms["se"].args, data)
    if "rate" in terms:
        denom = _values(terms["rate"].args["denom"], data, "rate()")
        if not np.all(np.isfinite(denom)) or np.any(denom <= 0):
            raise DataError(f"rate({terms['rate'].args['denom']}) must be positive and finite in every row.")
        out.denom = denom
    return out


def new_data_additions(t: "BrmsTerms", fitted: AdditionData | None, newdata: pd.DataFrame | None,
                       purpose: str) -> AdditionData | None:
    """The addition data predictions need: the fitted ones, or those read from ``newdata``.

    ``purpose`` is ``"epred"`` (rate and truncation bounds) or ``"predict"`` (also
    se); censoring is never needed (predictions are for the uncensored response,
    as in brms).  A column they need but ``newdata`` lacks is a DataError.
    """
    if fitted is None or newdata is None:
        return fitted
    terms = {a.name: a for a in t.response.additions}
    out = AdditionData(se_sigma=fitted.se_sigma)

    def read(name: str, arg: str) -> np.ndarray:
        expr = terms[name].args[arg]
        try:
            return _values(expr, newdata, f"{name}()")
        except (DataError, FormulaError) as e:
            raise DataError(f"newdata needs {expr!r} of '{terms[name].text}' for these predictions ({e})") from None

    if fitted.denom is not None:
        out.denom = read("rate", "denom")
    if fitted.truncated:
        out.lb = read("trunc", "lb") if fitted.lb is not None else None
        out.ub = read("trunc", "ub") if fitted.ub is not None else None
    if purpose == "predict" and fitted.se is not None:
        out.se = read("se", "s")
    return out


#: why brms refuses cens()/trunc() for a family, and what to use instead
NO_CDF_HINTS = {
    "zero_one_inflated_beta": "brms refuses it too: its zeros and ones are point masses modelled by zoi and coi. "
                              "Use beta or zero_inflated_beta, which take cens() and trunc(), or drop the term",
    "bernoulli": "a 0/1 response has nothing to censor or truncate; use binomial with trials() if you need bounds",
}


def _check_family(t: "BrmsTerms", terms: dict) -> None:
    fam = t.family
    name = fam.name
    comps = getattr(fam, "components", None)
    for a in terms:
        if a in ("cens", "trunc") and comps is not None:
            # mixtures: brms censors and truncates each component, so every component needs its CDFs
            bad = [c.name for c in comps if c.name not in CDFS or not c.kind.univariate]
            if bad:
                hint = NO_CDF_HINTS.get(bad[0], "")
                raise FamilyError(
                    f"The addition term '{a}()' needs the CDF of every mixture component, but component family "
                    f"{bad[0]!r} has none. Families that take {a}(): {', '.join(sorted(CDFS))}."
                    + (f" ({bad[0]}: {hint}.)" if hint else "") + f" Remove '{terms[a].text}' or change the component."
                )
            continue
        if a == "se" and comps is not None:
            # brms 2.18: se replaces sigma<k> of the gaussian, student and skew_normal components (normal_lpdf(Y[n] |
            # mu1[n], se[n]); sigma<k> stays a parameter with its prior), with sigma = TRUE it combines with it
            # (sqrt(square(sigma1) + se2[n])); other components keep their own parameters
            if not any(c.name in SE_COMPONENTS for c in comps):
                raise FamilyError(
                    f"'{terms[a].text}' has no effect in a mixture without gaussian, student or skew_normal components "
                    "(brms ignores it); remove it.")
            continue
        if a in ("cens", "trunc"):
            ok, allowed = name in CDFS and fam.kind.univariate, sorted(CDFS)
        elif a == "se":
            ok, allowed = name in SE_FAMILIES, list(SE_FAMILIES)
        else:
            ok, allowed = name in RATE_FAMILIES, list(RATE_FAMILIES)
        if not ok:
            hint = NO_CDF_HINTS.get(name, "") if a in ("cens", "trunc") else ""
            raise FamilyError(
                f"The addition term '{a}()' is not available for family {name!r}"
                + (f": {hint}" if hint else "") + f". Families that take {a}(): {', '.join(allowed)}. "
                f"Remove '{terms[a].text}' or change the family."
            )


def _check_name(expr: str, data: pd.DataFrame, where: str) -> None:
    """A bare name must be a column (new data may lack it; a clear error names it)."""
    if re.fullmatch(r"[A-Za-z_.][A-Za-z0-9_.]*", expr.strip()) and expr.strip() not in ("Inf", "inf", "NA"):
        check_columns([expr.strip()], data, where)


def _values(expr: str, data: pd.DataFrame, where: str) -> np.ndarray:
    _check_name(expr, data, where)
    return addition_values(expr, data, where)


def _censoring(t: "BrmsTerms", args: dict[str, str], data: pd.DataFrame, y: np.ndarray):
    expr = args.get("x")
    if expr is None:
        raise FormulaError("cens() needs the censoring indicator, e.g. 'y | cens(censored) ~ x'.")
    constant = _constant(expr)
    if expr in data.columns or constant is None:  # a column or an expression of columns
        _check_name(expr, data, "cens()")
        raw = eval_column(expr, data, "cens()")
    else:  # one code for every row, e.g. cens("right")
        raw = pd.Series([constant] * len(data))
    codes = cens_codes(raw, expr)
    rcens = None
    interval = codes == 2
    if "y2" in args:
        _check_name(args["y2"], data, "cens()")
        y2 = np.asarray(pd.to_numeric(eval_column(args["y2"], data, "cens()"), errors="coerce"), dtype=float)
        bad = interval & ~np.isfinite(y2)
        if bad.any():
            raise DataError(
                f"The upper censoring bound {args['y2']!r} is missing or infinite in {int(bad.sum())} interval-censored "
                f"row(s) (first: row {int(np.argmax(bad))}); give the upper end of every interval."
            )
        bad = interval & (y2 <= y)
        if bad.any():
            i = int(np.argmax(bad))
            raise DataError(
                f"Left censor points must be smaller than right censor points for interval censored data: in row {i} "
                f"the response is {y[i]:g} and {args['y2']} is {y2[i]:g}."
            )
        if t.family.spec.response == "circular" and np.any(np.abs(y2[interval]) > np.pi):
            raise DataError(f"The upper censoring bound {args['y2']!r} of family {t.family.name!r} must lie in "
                            "[-pi, pi], the range of the angles.")
        if t.family.spec.is_discrete and np.any(y2[interval] != np.round(y2[interval])):
            raise DataError(f"The upper censoring bound {args['y2']!r} of a discrete family must be an integer.")
        rcens = np.where(interval, y2, 0)
        rcens = rcens.astype(np.int64) if t.family.spec.is_discrete else rcens.astype(float)
    elif interval.any():
        raise DataError(
            f"{int(interval.sum())} row(s) are interval censored (code 2 / 'interval') but no upper bound is given: "
            f"write 'y | cens({expr}, y2) ~ ...' with y2 the upper end of each interval."
        )
    return codes, rcens


def _constant(expr: str) -> float | str | None:
    """A constant censoring code written in the formula (``1``, ``"right"``); None otherwise."""
    text = expr.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    try:
        return float(text)
    except ValueError:
        return None


def cens_codes(values: pd.Series | np.ndarray, name: str = "cens") -> np.ndarray:
    """brms's censoring codes from indicator values.

    Accepts -1/0/1/2, ``"left"``/``"none"``/``"right"``/``"interval"`` (or their first
    letters, any case) and booleans (True = right censored).

    Examples
    --------
    >>> cens_codes(pd.Series(["none", "right", "left", "interval"])).tolist()
    [0, 1, -1, 2]
    >>> cens_codes(pd.Series([True, False])).tolist()
    [1, 0]
    """
    s = pd.Series(values)
    if s.isna().any():
        raise DataError(f"The censoring indicator {name!r} has missing values; give a code for every row.")
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.to_numpy().astype(np.int64)
    codes = np.empty(len(s), dtype=np.int64)
    bad: list = []
    for i, v in enumerate(s.tolist()):
        if isinstance(v, (bool, np.bool_)):
            codes[i] = int(v)
        elif isinstance(v, str):
            key = v.strip().lower()
            if key in CENS_CODES:
                codes[i] = CENS_CODES[key]
            else:
                bad.append(v)
        elif isinstance(v, (int, float, np.integer, np.floating)) and float(v) in (-1.0, 0.0, 1.0, 2.0):
            codes[i] = int(v)
        else:
            bad.append(v)
    if bad:
        shown = ", ".join(repr(b) for b in list(dict.fromkeys(bad))[:5])
        raise DataError(
            f"Invalid censoring codes in {name!r}: {shown}. Use 'left', 'none', 'right' and 'interval' (or 'l', 'n', "
            "'r', 'i'), the numbers -1, 0, 1 and 2 (brms's codes: -1 left, 0 none, 1 right, 2 interval), "
            "or True/False for right-censored/not censored."
        )
    return codes


def _truncation(t: "BrmsTerms", args: dict[str, str], data: pd.DataFrame, y: np.ndarray):
    if not args:
        raise FormulaError("trunc() needs a bound: write e.g. 'y | trunc(lb = 0)', 'trunc(ub = 10)' or both.")
    discrete = t.family.spec.is_discrete
    bounds = {}
    for side in ("lb", "ub"):
        if side not in args:
            bounds[side] = None
            continue
        v = _values(args[side], data, "trunc()")
        if np.isnan(v).any():
            raise DataError(f"The truncation bound {side} = {args[side]} has missing values.")
        if not np.all(np.isfinite(v)):  # Stan's CDFs have no usable gradient at +-inf
            raise DataError(
                f"The truncation bound {side} = {args[side]} has infinite values; bounds must be finite (leave out "
                f"'{side}' when no row is truncated on that side, or use a value beyond any plausible response)."
            )
        if discrete and np.any(v != np.round(v)):
            raise DataError(
                f"Family {t.family.name!r} is discrete: the truncation bound {side} = {args[side]} must be a finite integer."
            )
        bounds[side] = v.astype(np.int64) if discrete else v
    lb, ub = bounds["lb"], bounds["ub"]
    if t.family.spec.response == "circular":  # Stan's von_mises CDFs reject values outside [-pi, pi]
        for side, v in (("lb", lb), ("ub", ub)):
            if v is not None and np.any(np.abs(v) > np.pi):
                raise DataError(f"The truncation bound {side} = {args[side]} of family {t.family.name!r} lies outside "
                                "[-pi, pi], the range of the angles; use a bound within it or leave the side out.")
    if lb is not None and (support := _support_from_zero(t)) and np.any(lb <= 0):
        lb = _lower_bound_at_support(t, args["lb"], lb, support)
    if lb is not None and ub is not None and np.any(lb >= ub):
        i = int(np.argmax(lb >= ub))
        raise DataError(f"Truncation bounds are invalid: lb >= ub in row {i} ({lb[i]:g} >= {ub[i]:g}).")
    outside = np.zeros(len(y), dtype=bool)
    if lb is not None:
        outside |= y < lb
    if ub is not None:
        outside |= y > ub
    if outside.any():
        i = int(np.argmax(outside))
        what = ", ".join(f"{k} = {args[k]}" for k in ("lb", "ub") if k in args)
        raise DataError(
            f"{int(outside.sum())} response value(s) lie outside the truncation bounds ({what}); e.g. row {i} has "
            f"{t.response.expr} = {y[i]:g}. Truncated data cannot fall outside the bounds: fix the bounds or the data."
        )
    return lb, ub


#: responses whose support starts at 0: a lower bound lb <= 0 truncates nothing
_SUPPORT_FROM_ZERO = {
    "positive": "positive, so P(Y > lb) = 1",
    "nonnegative": "zero or positive (zeros are a point mass), so P(Y >= lb) = 1",
    "unit_zero": "in [0, 1) (zeros are a point mass), so P(Y >= lb) = 1",
}


def _support_from_zero(t: "BrmsTerms") -> str | None:
    """How the family's values start at 0 (None if they can be negative); mixtures: all components."""
    fams = getattr(t.family, "components", None) or (t.family,)
    kinds = [_SUPPORT_FROM_ZERO.get(f.spec.response) for f in fams]
    return None if None in kinds else max(kinds, key=len)


def _lower_bound_at_support(t: "BrmsTerms", expr: str, lb: np.ndarray, support: str) -> np.ndarray | None:
    """``trunc(lb = 0)`` of a family whose values start at 0: exactly a no-op, left out of the Stan code.

    brms keeps the bound and divides by ``P(Y > 0) = 1``; leaving it out gives the
    same likelihood and predictions, and avoids CDFs that fail at 0 (weibull's
    gradient, frechet's domain) and the point mass at zero of the hurdle
    families, which ``P(Y > 0)`` would wrongly exclude.
    """
    name = t.family.name
    if np.all(lb <= 0):
        warn(
            f"trunc(lb = {expr}) does not truncate family {name!r}: its values are {support} for lb <= 0. "
            "The bound changes neither the likelihood nor the predictions (brms keeps it as such a no-op); it is "
            "left out of the Stan code. Remove it from the formula to silence this warning.",
            DataWarning,
        )
        return None
    raise DataError(
        f"The lower truncation bound lb = {expr} of family {name!r} is <= 0 in some rows and positive in others. "
        f"Its values are {support} for lb <= 0, so those rows are not truncated below, but one Stan likelihood "
        "cannot mix both: give every row a positive bound (e.g. a value below the smallest possible response), "
        "or fit the two sets of rows separately."
    )


def _standard_errors(t: "BrmsTerms", args: dict[str, str], data: pd.DataFrame):
    if "s" not in args:
        raise FormulaError("se() needs the standard errors, e.g. 'y | se(sei) ~ 1'.")
    flag = args.get("sigma", "FALSE").strip()
    if flag not in _TRUE + _FALSE:
        raise FormulaError(f"se(..., sigma = {flag}) must be TRUE or FALSE (True/False).")
    with_sigma = flag in _TRUE
    se = _values(args["s"], data, "se()")
    if not np.all(np.isfinite(se)) or np.any(se < 0) or (not with_sigma and np.any(se == 0)):
        need = "non-negative" if with_sigma else "positive (sigma is fixed at 0, so the sd is se alone)"
        raise DataError(f"Standard errors in se({args['s']}) must be finite and {need}.")
    if not with_sigma:
        if "sigma" in t.parts or t.fixed.get("sigma", 0.0) != 0.0:
            raise FormulaError(
                f"se({args['s']}) without sigma = TRUE fixes sigma at 0 (the sd is the known se), so sigma cannot also "
                f"be predicted or fixed; write 'se({args['s']}, sigma = TRUE)' to estimate a residual sd as well."
            )
    return se, with_sigma


# -------------------------------------------------- data for predictions


# ----------------------------------------------------------- numpy side


__all__ = ["CENS_CODES", "HANDLED", "RATE_FAMILIES", "SE_FAMILIES", "build_additions", "cens_codes",
           "new_data_additions"]
