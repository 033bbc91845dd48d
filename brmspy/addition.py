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
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .errors import DataError, FamilyError, FormulaError

if TYPE_CHECKING:  # pragma: no cover
    from .families import Extras, FamilyMath
    from .families.cdf import CdfMath
    from .formula.terms import BrmsTerms
    from .frame import ResponseData

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


def _check_family(t: "BrmsTerms", terms: dict) -> None:
    from .families.cdf import CDFS

    fam = t.family
    name = fam.name
    special = fam.spec.special
    for a in terms:
        if a in ("cens", "trunc"):
            ok, allowed = name in CDFS and not special, sorted(CDFS)
        elif a == "se":
            ok, allowed = name in SE_FAMILIES, list(SE_FAMILIES)
        else:
            ok, allowed = name in RATE_FAMILIES, list(RATE_FAMILIES)
        if not ok:
            raise FamilyError(
                f"The addition term '{a}()' is not available for family {name!r}. "
                f"Families that take {a}(): {', '.join(allowed)}. Remove '{terms[a].text}' or change the family."
            )


def _check_name(expr: str, data: pd.DataFrame, where: str) -> None:
    """A bare name must be a column (new data may lack it; formulaic would read some names as functions)."""
    from .frame import _check_columns

    if re.fullmatch(r"[A-Za-z_.][A-Za-z0-9_.]*", expr.strip()) and expr.strip() not in ("Inf", "inf", "NA"):
        _check_columns([expr.strip()], data, where)


def _values(expr: str, data: pd.DataFrame, where: str) -> np.ndarray:
    from .frame import _addition_values

    _check_name(expr, data, where)
    return _addition_values(expr, data, where)


def _censoring(t: "BrmsTerms", args: dict[str, str], data: pd.DataFrame, y: np.ndarray):
    from .frame import _eval_column

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
    if lb is not None and t.family.spec.response == "positive" and np.any(lb <= 0):
        # the CDFs of some positive families fail at 0 (weibull's gradient, frechet's domain)
        if np.all(lb <= 0):
            warnings.warn(f"trunc(lb = {args['lb']}) does not truncate family {t.family.name!r}, whose values are "
                          "positive anyway; the lower bound is ignored.", stacklevel=4)
            lb = None
        else:
            raise DataError(f"Lower truncation bounds of family {t.family.name!r} must be positive (values are positive "
                            f"anyway); trunc(lb = {args['lb']}) has values <= 0.")
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
    from .families import FAMILIES
    from .families.cdf import CDFS

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


def addition_loglik(t: "BrmsTerms", rd: "ResponseData", dp: dict, ex: "Extras") -> np.ndarray:
    """Pointwise log-likelihood (draws × observations, unweighted) with cens/trunc/se/rate applied.

    Equals the Stan model's likelihood term by term: censored rows use the log
    CDF or CCDF, truncated rows are normalised by the probability of the bounds.
    """
    from .families.cdf import log_diff_exp

    adds: AdditionData = rd.adds
    dp, math, cdf = effective_dpars(t, adds, dp)
    y = rd.y.astype(float)
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
            ll = ll - _log_trunc_mass(t, cdf, dp, ex, adds.lb, adds.ub)
    return ll


def _log_trunc_mass(t: "BrmsTerms", cdf: "CdfMath", dp: dict, ex: "Extras", lb, ub) -> np.ndarray:
    """``log P(lb <= Y <= ub)`` as the Stan code computes it (``lb - 1`` for discrete families)."""
    from .families.cdf import log_diff_exp

    lo = None if lb is None else (lb - 1 if t.family.spec.is_discrete else lb)
    if lo is not None and ub is not None:
        return log_diff_exp(cdf.lcdf(ub[None, :].astype(float), dp, ex), cdf.lcdf(lo[None, :].astype(float), dp, ex))
    if lo is not None:
        return cdf.lccdf(lo[None, :].astype(float), dp, ex)
    return cdf.lcdf(ub[None, :].astype(float), dp, ex)


def addition_predict(t: "BrmsTerms", adds: AdditionData, dp: dict, ex: "Extras",
                     rng: np.random.Generator) -> np.ndarray:
    """Posterior predictive draws: se/rate folded in; truncated models draw within the bounds.

    Censoring does not change the draws (brms predicts the uncensored response).
    Truncated draws use the inverse CDF between ``F(lb)`` and ``F(ub)``, or
    rejection sampling for families without one (com_poisson); draws that
    cannot be placed within the bounds are NaN, with a warning, as in brms.
    """
    dp, math, cdf = effective_dpars(t, adds, dp)
    S, N = np.broadcast(*[np.asarray(v) for v in dp.values()]).shape[:2]
    dp = {k: np.broadcast_to(v, (S, N)) for k, v in dp.items()}
    if not adds.truncated:
        return np.asarray(math.rng(dp, ex, rng), dtype=float)
    discrete = t.family.spec.is_discrete
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

    Truncated models: the mean of the truncated distribution for discrete
    families (exact sums over the support) and gaussian (closed form); for
    other continuous families the untruncated mean is returned (brms computes
    truncated means for a few more families).
    """
    dp, math, cdf = effective_dpars(t, adds, dp)
    epred = math.epred(dp, ex)
    if not adds.truncated:
        return epred
    S, N = np.broadcast(*[np.asarray(v) for v in dp.values()]).shape[:2]
    dp = {k: np.broadcast_to(v, (S, N)) for k, v in dp.items()}
    if t.family.spec.is_discrete:
        return _discrete_trunc_mean(math, cdf, dp, ex, adds, np.broadcast_to(epred, (S, N)))
    if t.family.name == "gaussian":
        from scipy import stats

        mu, sigma = dp["mu"], dp["sigma"]
        a = (-np.inf if adds.lb is None else adds.lb[None, :] - mu) / sigma
        b = (np.inf if adds.ub is None else adds.ub[None, :] - mu) / sigma
        return stats.truncnorm.mean(a, b, loc=mu, scale=sigma)
    return epred


def _discrete_trunc_mean(math, cdf, dp, ex, adds: AdditionData, mean: np.ndarray) -> np.ndarray:
    """``E[Y | lb <= Y <= ub]``: a sum over ``[lb, ub]``, or via the full mean when ``ub`` is infinite."""
    S, N = mean.shape
    lb = np.zeros(N, dtype=np.int64) if adds.lb is None else np.maximum(adds.lb, 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if adds.ub is not None:
            lo, hi = lb, adds.ub
            k_range = range(int(lo.min()), int(hi.max()) + 1)
        else:  # E[Y; Y >= lb] = E[Y] - sum_{k < lb} k p(k)
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
