"""Response addition terms ``cens()``, ``trunc()``, ``se()`` and ``rate()``: data and post-processing.

brms syntax, left of ``~``::

    time | cens(censored) ~ age + (1 | patient)     # -1/0/1/2 or "left"/"none"/"right"/"interval"
    y | cens(c, y2) ~ x                              # interval censoring: y2 is the upper end
    y | trunc(lb = 0, ub = 10) ~ x                   # constants or columns, either bound or both
    yi | se(sei) ~ 1 + (1 | study)                   # known sampling error (meta-analysis), sigma = 0
    yi | se(sei, sigma = TRUE) ~ 1                   # sd = sqrt(sigma^2 + se^2)
    count | rate(exposure) ~ x                       # mu multiplied by the rate denominator

This module reads and checks them on the data (:func:`build_additions`, called
from ``frame._response_data``) and holds their numpy side: log-likelihood of
censored and truncated observations (:func:`addition_loglik`), the dpars with
``se``/``rate`` folded in, truncated predictive draws and truncated means.
The Stan side is :mod:`brmspy.codegen.addition`; the families' CDFs are in
:mod:`brmspy.families.cdf`.

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
import warnings
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..core.errors import DataError, FamilyError, FormulaError

if TYPE_CHECKING:  # pragma: no cover
    from ..families import Extras, FamilyMath
    from ..families.cdf import CdfMath
    from ..formula.terms import BrmsTerms
    from .build import ResponseData

#: addition terms this module handles
HANDLED = ("cens", "trunc", "se", "rate")
#: families whose sd is ``sigma`` and that take a known sampling error, as in brms
SE_FAMILIES = ("gaussian", "student", "skew_normal")
#: count families that take a rate denominator (brms: poisson, negbinomial, negbinomial2, geometric)
RATE_FAMILIES = ("poisson", "negbinomial", "negbinomial2", "geometric")
#: censoring codes by name (brms's prepare_cens, abbreviations included)
CENS_CODES = {"left": -1, "l": -1, "none": 0, "n": 0, "right": 1, "r": 1, "interval": 2, "i": 2}
_TRUE = ("TRUE", "True", "true", "T", "1")
_FALSE = ("FALSE", "False", "false", "F", "0")


@dataclass
class AdditionData:
    """The values of one response's ``cens()``, ``trunc()``, ``se()`` and ``rate()`` terms.

    ``cens`` holds brms's codes (-1 left, 0 none, 1 right, 2 interval);
    ``rcens`` the upper ends of interval-censored rows (0 elsewhere), present
    whenever ``y2`` is given.  ``lb``/``ub`` are per-row bounds (None: that
    side is not truncated).
    """

    cens: np.ndarray | None = None
    rcens: np.ndarray | None = None
    lb: np.ndarray | None = None
    ub: np.ndarray | None = None
    se: np.ndarray | None = None
    se_sigma: bool = False  # se(s, sigma = TRUE): sigma is estimated besides se
    denom: np.ndarray | None = None

    @property
    def truncated(self) -> bool:
        return self.lb is not None or self.ub is not None

    @property
    def needs_cdf(self) -> bool:
        """Censoring or truncation: the likelihood uses the family's CDFs."""
        return self.cens is not None or self.truncated


# ------------------------------------------------------------------ frame


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


#: why brms refuses cens()/trunc() for a family, and what to use instead
NO_CDF_HINTS = {
    "zero_one_inflated_beta": "brms refuses it too: its zeros and ones are point masses modelled by zoi and coi. "
                              "Use beta or zero_inflated_beta, which take cens() and trunc(), or drop the term",
    "bernoulli": "a 0/1 response has nothing to censor or truncate; use binomial with trials() if you need bounds",
}


def _check_family(t: "BrmsTerms", terms: dict) -> None:
    from ..families.cdf import CDFS

    fam = t.family
    name = fam.name
    comps = getattr(fam, "components", None)
    for a in terms:
        if a in ("cens", "trunc") and comps is not None:
            # mixtures: brms censors and truncates each component, so every component needs its CDFs
            bad = [c.name for c in comps if c.name not in CDFS or c.spec.special]
            if bad:
                hint = NO_CDF_HINTS.get(bad[0], "")
                raise FamilyError(
                    f"The addition term '{a}()' needs the CDF of every mixture component, but component family "
                    f"{bad[0]!r} has none. Families that take {a}(): {', '.join(sorted(CDFS))}."
                    + (f" ({bad[0]}: {hint}.)" if hint else "") + f" Remove '{terms[a].text}' or change the component."
                )
            continue
        if a in ("cens", "trunc"):
            ok, allowed = name in CDFS and not fam.spec.special, sorted(CDFS)
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
    from .build import _check_columns

    if re.fullmatch(r"[A-Za-z_.][A-Za-z0-9_.]*", expr.strip()) and expr.strip() not in ("Inf", "inf", "NA"):
        _check_columns([expr.strip()], data, where)


def _values(expr: str, data: pd.DataFrame, where: str) -> np.ndarray:
    from .build import _addition_values

    _check_name(expr, data, where)
    return _addition_values(expr, data, where)


def _censoring(t: "BrmsTerms", args: dict[str, str], data: pd.DataFrame, y: np.ndarray):
    from .build import _eval_column

    expr = args.get("x")
    if expr is None:
        raise FormulaError("cens() needs the censoring indicator, e.g. 'y | cens(censored) ~ x'.")
    constant = _constant(expr)
    if expr in data.columns or constant is None:  # a column or an expression of columns
        _check_name(expr, data, "cens()")
        raw = _eval_column(expr, data, "cens()")
    else:  # one code for every row, e.g. cens("right")
        raw = pd.Series([constant] * len(data))
    codes = cens_codes(raw, expr)
    rcens = None
    interval = codes == 2
    if "y2" in args:
        _check_name(args["y2"], data, "cens()")
        y2 = np.asarray(pd.to_numeric(_eval_column(args["y2"], data, "cens()"), errors="coerce"), dtype=float)
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
        warnings.warn(
            f"trunc(lb = {expr}) does not truncate family {name!r}: its values are {support} for lb <= 0. "
            "The bound changes neither the likelihood nor the predictions (brms keeps it as such a no-op); it is "
            "left out of the Stan code. Remove it from the formula to silence this warning.", stacklevel=5)
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
        t.fixed["sigma"] = 0.0  # brms: no sigma parameter, the likelihood uses se
    return se, with_sigma


# -------------------------------------------------- data for predictions


def prediction_additions(t: "BrmsTerms", fitted: AdditionData | None, newdata: pd.DataFrame | None,
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


def context_additions(ctx, t: "BrmsTerms", purpose: str) -> AdditionData | None:
    """:func:`prediction_additions` for a prediction context of :mod:`brmspy.prediction`."""
    fitted = ctx.fit.frame.responses[t.resp].adds
    return prediction_additions(t, fitted, ctx.data if ctx.is_new else None, purpose)


# ----------------------------------------------------------- numpy side


def effective_dpars(t: "BrmsTerms", adds: AdditionData, dp: dict) -> tuple[dict, "FamilyMath", "CdfMath | None"]:
    """Fold ``se`` and ``rate`` into the dpars; also return the math and CDFs to use.

    ``se``: ``sigma`` becomes ``sqrt(sigma^2 + se^2)`` (``se`` when sigma is fixed at 0).
    ``rate``: ``mu`` is multiplied by the denominator and, as in brms's Stan code,
    so is the negative binomial shape (``1 / sigma`` of negbinomial2, ``1`` of
    geometric, which then is a negative binomial with shape ``denom``).
    """
    from ..families import FAMILIES
    from ..families.cdf import CDFS

    name = t.family.name
    dp = dict(dp)
    if adds.se is not None:
        dp["sigma"] = np.sqrt(np.asarray(dp["sigma"], dtype=float) ** 2 + adds.se[None, :] ** 2)
    if adds.denom is not None:
        d = adds.denom[None, :]
        dp["mu"] = dp["mu"] * d
        if name == "negbinomial":
            dp["shape"] = dp["shape"] * d
        elif name == "negbinomial2":
            dp["sigma"] = dp["sigma"] / d
        elif name == "geometric":
            dp["shape"] = np.broadcast_to(d, np.broadcast(dp["mu"], d).shape)
            name = "negbinomial"
    return dp, FAMILIES[name].math, CDFS.get(name)


def _columns(x, idx: np.ndarray, n: int):
    """Restrict an array broadcastable to (draws, n) to the columns ``idx``."""
    x = np.asarray(x)
    return x[..., idx] if x.ndim and x.shape[-1] == n else x


def _subset(dp: dict, ex: "Extras", idx: np.ndarray, n: int):
    sub = {k: _columns(v, idx, n) for k, v in dp.items()}
    trials = None if ex.trials is None else _columns(ex.trials, idx, n)
    return sub, replace(ex, trials=trials)


def _components(t: "BrmsTerms") -> tuple | None:
    """The component families of a mixture (None for other families)."""
    return getattr(t.family, "components", None)


def _stack(parts: list[np.ndarray]) -> np.ndarray:
    shape = np.broadcast_shapes(*(np.shape(p) for p in parts))
    return np.stack([np.broadcast_to(p, shape) for p in parts], axis=-1)


def _mixture_parts(t: "BrmsTerms", dp: dict):
    """(component family, its dpars, its log mixing proportion) for each mixture component."""
    from ..families.mixture import component_dpars, theta_values

    fam = t.family
    theta = theta_values(fam, dp)
    with np.errstate(divide="ignore"):
        log_theta = np.log(theta)
    return [(c, component_dpars(fam, dp, k), log_theta[..., k - 1]) for k, c in enumerate(fam.components, start=1)]


def addition_loglik(t: "BrmsTerms", rd: "ResponseData", dp: dict, ex: "Extras") -> np.ndarray:
    """Pointwise log-likelihood (draws × observations, unweighted) with cens/trunc/se/rate applied.

    Equals the Stan model's likelihood term by term: censored rows use the log
    CDF or CCDF, truncated rows are normalised by the probability of the bounds.
    Mixtures censor and truncate each component, as brms:
    ``log_sum_exp_k(log theta_k + component term_k)``.
    """
    from scipy.special import logsumexp

    from ..families.cdf import CDFS

    adds: AdditionData = rd.adds
    y = rd.y.astype(float)
    if (comps := _components(t)) is not None:
        parts = [log_theta + _loglik(c.spec.is_discrete, c.spec.math, CDFS[c.name], adds, cdp, ex, y)
                 for c, cdp, log_theta in _mixture_parts(t, dp)]
        return logsumexp(_stack(parts), axis=-1)
    dp, math, cdf = effective_dpars(t, adds, dp)
    return _loglik(t.family.spec.is_discrete, math, cdf, adds, dp, ex, y)


def _loglik(discrete: bool, math: "FamilyMath", cdf: "CdfMath", adds: AdditionData, dp: dict, ex: "Extras",
            y: np.ndarray) -> np.ndarray:
    from ..families.cdf import log_diff_exp

    n = len(y)
    S = max(np.shape(v)[0] for v in dp.values() if np.ndim(v) >= 2)
    ll = np.empty((S, n))
    codes = adds.cens if adds.cens is not None else np.zeros(n, dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        for code in (0, 1, -1, 2):
            idx = np.flatnonzero(codes == code)
            if not idx.size:
                continue
            sub, sex = _subset(dp, ex, idx, n)
            yy = y[idx][None, :]
            if code == 0:
                part = math.loglik(yy, sub, sex)
            elif code == 1:
                part = cdf.lccdf(yy, sub, sex)
            elif code == -1:
                part = cdf.lcdf(yy, sub, sex)
            else:
                part = log_diff_exp(cdf.lcdf(adds.rcens[idx][None, :].astype(float), sub, sex), cdf.lcdf(yy, sub, sex))
            ll[:, idx] = np.broadcast_to(part, (S, idx.size))
        if adds.truncated:
            ll = ll - _log_trunc_mass(discrete, cdf, dp, ex, adds.lb, adds.ub)
    return ll


def _log_trunc_mass(discrete: bool, cdf: "CdfMath", dp: dict, ex: "Extras", lb, ub) -> np.ndarray:
    """``log P(lb <= Y <= ub)`` as the Stan code computes it (``lb - 1`` for discrete families)."""
    from ..families.cdf import log_diff_exp

    lo = None if lb is None else (lb - 1 if discrete else lb)
    if lo is not None and ub is not None:
        return log_diff_exp(cdf.lcdf(ub[None, :].astype(float), dp, ex), cdf.lcdf(lo[None, :].astype(float), dp, ex))
    if lo is not None:
        return cdf.lccdf(lo[None, :].astype(float), dp, ex)
    return cdf.lcdf(ub[None, :].astype(float), dp, ex)


def _full(dp: dict) -> tuple[dict, int, int]:
    S, N = np.broadcast(*[np.asarray(v) for v in dp.values()]).shape[:2]
    return {k: np.broadcast_to(v, (S, N)) for k, v in dp.items()}, S, N


def addition_predict(t: "BrmsTerms", adds: AdditionData, dp: dict, ex: "Extras",
                     rng: np.random.Generator) -> np.ndarray:
    """Posterior predictive draws: se/rate folded in; truncated models draw within the bounds.

    Censoring does not change the draws (brms predicts the uncensored response).
    Truncated draws use the inverse CDF between ``F(lb)`` and ``F(ub)``, or
    rejection sampling for families without one (com_poisson); draws that
    cannot be placed within the bounds are NaN, with a warning, as in brms.
    Mixtures draw a component by its proportion, then a (truncated) value from it.
    """
    from ..families.cdf import CDFS

    if (comps := _components(t)) is not None:
        parts = _mixture_parts(t, dp)
        draws = [_predict(c.spec.is_discrete, c.spec.math, CDFS[c.name], adds, cdp, ex, rng) for c, cdp, _ in parts]
        stacked = _stack(draws)
        theta = np.exp(_stack([lt for _, _, lt in parts]))
        theta = np.broadcast_to(theta, stacked.shape)
        pick = np.minimum((rng.uniform(size=stacked.shape[:-1])[..., None] > np.cumsum(theta, axis=-1)).sum(axis=-1),
                          len(comps) - 1)
        return np.take_along_axis(stacked, pick[..., None], axis=-1)[..., 0]
    dp, math, cdf = effective_dpars(t, adds, dp)
    return _predict(t.family.spec.is_discrete, math, cdf, adds, dp, ex, rng)


def _predict(discrete: bool, math: "FamilyMath", cdf: "CdfMath", adds: AdditionData, dp: dict, ex: "Extras",
             rng: np.random.Generator) -> np.ndarray:
    dp, S, N = _full(dp)
    if not adds.truncated:
        return np.asarray(math.rng(dp, ex, rng), dtype=float)
    lb = np.full(N, -np.inf) if adds.lb is None else adds.lb.astype(float)
    ub = np.full(N, np.inf) if adds.ub is None else adds.ub.astype(float)
    out = np.full((S, N), np.nan)
    if cdf.ppf is not None:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            plo = np.exp(cdf.lcdf((lb - 1 if discrete else lb)[None, :], dp, ex)) if adds.lb is not None else 0.0
            phi = np.exp(cdf.lcdf(ub[None, :], dp, ex)) if adds.ub is not None else 1.0
            u = plo + rng.uniform(size=(S, N)) * (phi - plo)
            out = np.asarray(cdf.ppf(u, dp, ex), dtype=float)
        out = np.where(np.isfinite(out) | np.isinf(lb) | np.isinf(ub), np.clip(out, lb, ub), np.nan)
    todo = np.isnan(out)
    for _ in range(100):  # rejection sampling for the rest
        if not todo.any():
            break
        draws = np.asarray(math.rng(dp, ex, rng), dtype=float)
        ok = todo & (draws >= lb) & (draws <= ub)
        out[ok] = draws[ok]
        todo &= ~ok
    if todo.any():
        warnings.warn(f"{int(todo.sum())} predictive draws could not be placed within the truncation bounds; "
                      "they are NaN.", stacklevel=3)
    return out


def addition_epred(t: "BrmsTerms", adds: AdditionData, dp: dict, ex: "Extras") -> np.ndarray:
    """Expected values with rate (``mu * denom``) and truncation applied.

    Truncated models: the mean of the truncated distribution, by exact sums
    over the support for discrete families and closed forms or quadrature for
    continuous ones (:mod:`brmspy.families.trunc_mean`).  Mixtures average the
    components' (truncated) means with their proportions, as their Stan
    likelihood truncates each component.
    """
    from ..families.cdf import CDFS

    if (comps := _components(t)) is not None:
        parts = _mixture_parts(t, dp)
        means = [_epred(c.name, c.spec.is_discrete, c.spec.math, CDFS[c.name], adds, cdp, ex)
                 for c, cdp, _ in parts]
        theta = np.exp(_stack([lt for _, _, lt in parts]))
        return (theta * _stack(means)).sum(axis=-1)
    dp, math, cdf = effective_dpars(t, adds, dp)
    return _epred(t.family.name, t.family.spec.is_discrete, math, cdf, adds, dp, ex)


def _epred(name: str, discrete: bool, math: "FamilyMath", cdf: "CdfMath", adds: AdditionData, dp: dict,
           ex: "Extras") -> np.ndarray:
    from ..families.trunc_mean import has_truncated_mean, truncated_mean

    epred = math.epred(dp, ex)
    if not adds.truncated:
        return epred
    dp, S, N = _full(dp)
    if discrete:
        return _discrete_trunc_mean(math, cdf, dp, ex, adds, np.broadcast_to(epred, (S, N)))
    if has_truncated_mean(name):
        return truncated_mean(name, dp, ex, adds.lb, adds.ub)
    warnings.warn(f"No truncated mean for family {name!r}: posterior_epred returns the untruncated mean.",
                  stacklevel=3)
    return epred


def _discrete_trunc_mean(math, cdf, dp, ex, adds: AdditionData, mean: np.ndarray) -> np.ndarray:
    """``E[Y | lb <= Y <= ub]``: a sum over ``[lb, ub]``, or via the full mean when ``ub`` is infinite."""
    S, N = mean.shape
    lb = np.zeros(N, dtype=np.int64) if adds.lb is None else np.maximum(adds.lb, 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if adds.ub is not None:
            lo, hi = lb, adds.ub
            k_range = range(int(lo.min()), int(hi.max()) + 1)
        else:  # E[Y | Y >= lb] = (E[Y] - sum_{k < lb} k p(k)) / (1 - P(Y < lb))
            lo, hi = np.zeros(N, dtype=np.int64), lb - 1
            k_range = range(0, int(hi.max()) + 1)
        total = np.zeros((S, N))
        mass = np.zeros((S, N))
        for k in k_range:
            inside = (k >= lo) & (k <= hi)
            if not inside.any():
                continue
            p = np.exp(math.loglik(np.full((1, N), float(k)), dp, ex)) * inside[None, :]
            total += k * p
            mass += p
        if adds.ub is not None:
            return total / mass
        return (mean - total) / (1 - mass)


__all__ = [
    "AdditionData", "CENS_CODES", "HANDLED", "RATE_FAMILIES", "SE_FAMILIES", "addition_epred", "addition_loglik",
    "addition_predict", "build_additions", "cens_codes", "context_additions", "effective_dpars",
    "prediction_additions",
]
