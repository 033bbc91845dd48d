"""Residual autocorrelation: ``ar()``, ``ma()``, ``arma()`` and ``cosy()`` (brms's formulation).

Terms such as ``y ~ x + ar(time = t, gr = g, p = 2)`` give the residuals of
the response's mean a time-series structure within each series (level of
``gr``; one series when ``gr`` is missing).  Two formulations, as in brms:

* **ARMA without** ``cov`` (the default): the model is conditional on earlier
  residuals.  Row by row, ``mu[n]`` gains ``ma' Err[n]`` (earlier
  innovations), the residual ``err[n] = y[n] - mu[n]`` is stored, then
  ``mu[n]`` gains ``ar' Err[n]`` (earlier residuals).  The likelihood stays
  one density per row, so ``log_lik`` is pointwise and sums to Stan's.
* **Time covariance** (``cosy()`` and ``ar/ma/arma(..., cov = TRUE)`` of
  order 1): each series is one multivariate normal (or Student-t) draw with
  covariance ``sigma^2 * R``; ``R`` is compound symmetry for ``cosy`` and the
  ARMA(1, 1) covariance of unit innovations otherwise (brms's matrices).
  ``log_lik`` then returns brms's leave-one-out conditional densities
  (Bürkner, Gabry & Vehtari 2020), which do not sum to the joint density;
  :func:`series_log_lik` gives the joint density per series.

Data order: like brms, the rows used by the model are sorted by ``gr`` then
``time`` (the data order when ``time`` is missing; the sort is stable), so
``fit.frame.data``, predictions and ``log_lik`` on the fitted data follow the
sorted order.  Predictions on new data are returned in the new data's row
order.  This module holds the data side (term parsing, ordering, lag
indices), the :class:`AutocorDesign` registered for the terms, and the numpy
predictions; the Stan code is in :mod:`brmspy.codegen.autocor`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from ..core.errors import DataError, FormulaError
from ..specials import SpecialDesign, register

if TYPE_CHECKING:  # pragma: no cover
    from ..formula.prefix import Prefix
    from ..formula.terms import BrmsTerms, MvBrmsTerms, SpecialTerm
    from .build import PopulationDesign

#: autocorrelation terms handled here; brms's other ones (car, sar, fcor, unstr) are not supported yet
AUTOCOR_KINDS = ("ar", "ma", "arma", "cosy")
#: brms's arguments of each term, in positional order
ARGUMENTS = {
    "ar": ("time", "gr", "p", "cov"),
    "ma": ("time", "gr", "q", "cov"),
    "arma": ("time", "gr", "p", "q", "cov"),
    "cosy": ("time", "gr"),
}
_DEFAULTS = {"time": "NA", "gr": "NA", "p": "1", "q": "1", "cov": "FALSE"}
#: families with natural residuals (brms needs latent residuals for the others)
FAMILIES = ("gaussian", "student")


# ------------------------------------------------------------------ parsing


@dataclass(frozen=True)
class AutocorSpec:
    """One parsed autocorrelation term.

    ``kind`` is ``"arma"`` for ``ar()``, ``ma()`` and ``arma()`` (orders ``p``
    and ``q``) or ``"cosy"``; ``time``/``gr`` are column names or None.
    """

    kind: str
    time: str | None
    gr: str | None
    p: int = 0
    q: int = 0
    cov: bool = False
    text: str = ""

    @property
    def time_cov(self) -> bool:
        """Whether the structure is a covariance matrix per series (one multivariate density each)."""
        return self.kind == "cosy" or self.cov


def _flag(value: str, what: str) -> bool:
    v = value.strip()
    if v in ("TRUE", "T", "True", "true", "1"):
        return True
    if v in ("FALSE", "F", "False", "false", "0"):
        return False
    raise FormulaError(f"{what} must be TRUE or FALSE, got {value!r}.")


def _order(value: str, what: str) -> int:
    v = value.strip().rstrip("L")
    try:
        x = float(v)
    except ValueError:
        raise FormulaError(f"{what} must be a non-negative whole number, got {value!r}.") from None
    if x < 0 or not x.is_integer():
        raise FormulaError(f"{what} must be a non-negative whole number, got {value!r}.")
    return int(x)


def _column(value: str, what: str) -> str | None:
    from ..formula.syntax import is_identifier

    v = value.strip().strip("`")
    if v in ("NA", "NULL", "None", ""):
        return None
    if not is_identifier(v):
        raise FormulaError(f"{what} must name one column of the data, got {value!r}.")
    return v


def parse_term(term: "SpecialTerm", formula: str) -> AutocorSpec:
    """Parse ``ar(time = t, gr = g, p = 2)`` and friends with brms's defaults.

    Examples
    --------
    >>> from brmspy.formula.terms import parse_rhs
    >>> parse_term(parse_rhs("ar(p = 2)", "y ~ ar(p = 2)").special_terms[0], "y ~ ar(p = 2)")
    AutocorSpec(kind='arma', time=None, gr=None, p=2, q=0, cov=False, text='ar(p = 2)')
    """
    call = term.call
    names = ARGUMENTS[term.kind]
    if len(call.args) > len(names):
        raise FormulaError(f"'{call.text}' in {formula!r} takes at most {len(names)} arguments: {', '.join(names)}.")
    args = dict(zip(names, call.args))
    for k, v in call.kwargs:
        if k not in names:
            raise FormulaError(f"'{call.name}()' has no argument '{k}'; its arguments are: {', '.join(names)}.")
        if k in args:
            raise FormulaError(f"Argument '{k}' is given twice in '{call.text}'.")
        args[k] = v
    get = lambda k: args.get(k, _DEFAULTS[k])  # noqa: E731
    where = f"'{call.text}'"
    time, gr = _column(get("time"), f"time in {where}"), _column(get("gr"), f"gr in {where}")
    if term.kind == "cosy":
        return AutocorSpec("cosy", time, gr, text=call.text)
    p = _order(get("p"), f"p in {where}") if "p" in names else 0
    q = _order(get("q"), f"q in {where}") if "q" in names else 0
    cov = _flag(get("cov"), f"cov in {where}")
    if p == 0 and q == 0:
        raise FormulaError(f"{where} has order 0; set p (autoregressive) or q (moving-average) to 1 or more.")
    if cov and (p > 1 or q > 1):
        raise FormulaError(
            f"{where}: the covariance formulation (cov = TRUE) is only available for orders p <= 1 and q <= 1 "
            "(as in brms); drop cov = TRUE for higher orders."
        )
    return AutocorSpec("arma", time, gr, p, q, cov, call.text)


def specs_of(terms: tuple["SpecialTerm", ...], formula: str) -> list[AutocorSpec]:
    """The autocorrelation terms among ``terms``, validated as one structure."""
    specs = [parse_term(s, formula) for s in terms if s.kind in AUTOCOR_KINDS]
    if len(specs) > 1:
        texts = ", ".join(f"'{s.text}'" for s in specs)
        hint = " Combine ar() and ma() into one 'arma(p = ..., q = ...)'." if all(s.kind == "arma" for s in specs) else ""
        raise FormulaError(f"{formula!r} has several autocorrelation terms ({texts}); use one per model.{hint}")
    return specs


def response_spec(t: "BrmsTerms") -> AutocorSpec | None:
    """The autocorrelation structure of one response, checking where it may be used."""
    found = None
    for name, part in t.parts.items():
        specs = specs_of(part.terms.special_terms, part.formula)
        if not specs:
            continue
        if name != "mu":
            raise FormulaError(
                f"The autocorrelation term '{specs[0].text}' in {part.formula!r} models residuals of the response, "
                f"so it belongs in the formula of the response (mu), not of {name!r}."
            )
        found = specs[0]
    if found is None:
        return None
    fam = t.family
    if fam.name not in FAMILIES:
        raise FormulaError(
            f"'{found.text}' needs a family with natural residuals ({' or '.join(FAMILIES)}); "
            f"family {fam.name!r} would need brms's latent residuals, which brmspy does not support yet."
        )
    if fam.link != "identity":
        raise FormulaError(f"'{found.text}' needs the identity link for mu; family {fam.name!r} has link {fam.link!r}.")
    if t.nonlinear:
        raise FormulaError(f"'{found.text}' is not supported in non-linear models yet.")
    if found.time_cov:
        if t.response.addition("weights") is not None:
            raise FormulaError(f"weights() cannot be combined with the covariance structure '{found.text}'.")
        if fam.name == "student" and "nu" in t.parts:
            raise FormulaError(f"'{found.text}' with family student needs a single nu; remove the formula for nu.")
    return found


# --------------------------------------------------------------- ordering


def order_rows(terms: "BrmsTerms | MvBrmsTerms", data: pd.DataFrame) -> pd.DataFrame:
    """Sort the model's rows by ``gr`` then ``time`` when a response has a time-series term.

    brms does the same (``order_data``): each series must be contiguous and
    in time order for the lagged residuals.  Without ``time`` the data order is
    kept within series (a stable sort).  Returns ``data`` unchanged when no
    response has an autocorrelation term.
    """
    order = row_order(terms, data)
    return data if order is None else data.iloc[order].reset_index(drop=True)


def row_order(terms: "BrmsTerms | MvBrmsTerms", data: pd.DataFrame) -> np.ndarray | None:
    """Row positions of :func:`order_rows`'s sort, or None when no response has a time-series term."""
    resp_terms = getattr(terms, "responses", [terms])
    specs = [s for s in (response_spec(t) for t in resp_terms) if s is not None]
    if not specs:
        return None
    if getattr(terms, "rescor", False):
        raise FormulaError(
            f"'{specs[0].text}' cannot be combined with residual correlations (set_rescor(True)) in brmspy yet; "
            "use set_rescor(False)."
        )
    if len({(s.time, s.gr) for s in specs}) > 1:
        raise FormulaError("All autocorrelation terms of a model must use the same 'time' and 'gr' variables.")
    return series_order(data, specs[0])


def series_order(data: pd.DataFrame, spec: AutocorSpec) -> np.ndarray:
    """Row positions that sort ``data`` by series then time; checks the columns and duplicate times."""
    from .build import _check_columns

    where = f"'{spec.text}'"
    _check_columns([c for c in (spec.time, spec.gr) if c], data, where)
    codes = _series_codes(data, spec)
    if spec.time is None:
        tv = np.arange(len(data), dtype=float)
    else:
        col = data[spec.time]
        if not (pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_datetime64_any_dtype(col.dtype)):
            raise DataError(f"The time variable {spec.time!r} of {where} must be numeric (or dates); it is {col.dtype}.")
        tv = np.asarray(col.astype("int64") if pd.api.types.is_datetime64_any_dtype(col.dtype) else col, dtype=float)
        dup = pd.DataFrame({"g": codes, "t": tv}).duplicated()
        if dup.any():
            i = int(np.argmax(dup.to_numpy()))
            plain = lambda v: v.item() if isinstance(v, np.generic) else v  # noqa: E731  (3, not np.int64(3))
            in_group = f" within level {plain(data[spec.gr].iloc[i])!r} of {spec.gr!r}" if spec.gr else ""
            raise DataError(
                f"Time points must be unique within each series, but time {plain(data[spec.time].iloc[i])!r} of {spec.time!r} "
                f"appears more than once{in_group} ({where}). Give each series its own level of 'gr' or fix the times."
            )
    return np.lexsort((tv, codes))  # stable: ties keep the data order


def _series_codes(data: pd.DataFrame, spec: AutocorSpec) -> np.ndarray:
    """0-based series index per row (level order of ``gr``, as brms's factor codes)."""
    if spec.gr is None:
        return np.zeros(len(data), dtype=np.int64)
    from .build import group_index

    codes, _ = group_index(data, (spec.gr,))
    return codes - 1


@dataclass
class Series:
    """Series layout of sorted rows: brms's ``J_lag`` and ``begin/end/nobs_tg``."""

    codes: np.ndarray  # 0-based series per row
    begin: np.ndarray  # 1-based first row per series
    end: np.ndarray  # 1-based last row per series

    @property
    def nobs(self) -> np.ndarray:
        return self.end - self.begin + 1

    def J_lag(self, max_lag: int) -> np.ndarray:
        """Number of earlier residuals of the same series kept for the next row (0 at a series' last row).

        brms: ``J_lag[n] = sum(tgroup[n:max(1, n + 1 - max_lag)] == tgroup[n + 1])``.
        """
        N = len(self.codes)
        out = np.zeros(N, dtype=np.int64)
        if N < 2:
            return out
        pos = np.arange(N) - (self.begin[self.codes] - 1)  # 0-based position within the series
        same_next = self.codes[:-1] == self.codes[1:]
        out[:-1] = np.where(same_next, np.minimum(pos[:-1] + 1, max_lag), 0)
        return out


def series_of(data: pd.DataFrame, spec: AutocorSpec) -> Series:
    """The series layout of ``data``, which must already be sorted (see :func:`order_rows`)."""
    codes = _series_codes(data, spec)
    if len(codes) and np.any(np.diff(codes) < 0):
        raise DataError(f"Internal: rows are not sorted by the series of '{spec.text}'.")
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else np.array([], dtype=np.int64)
    ends = np.r_[starts[1:], len(codes)] if len(codes) else starts
    return Series(np.unique(codes, return_inverse=True)[1].astype(np.int64), starts + 1, ends)


# ---------------------------------------------------------- special design


@register(*AUTOCOR_KINDS)
@dataclass
class AutocorDesign(SpecialDesign):
    """The autocorrelation structure of a response's mu (one term).

    ``info`` holds ``spec`` (:class:`AutocorSpec`) and ``series`` (:class:`Series`).
    """

    @classmethod
    def build(cls, prefix, terms, data, formula):
        if prefix.dpar != "mu":
            raise FormulaError(
                f"The autocorrelation term '{terms[0].text}' in {formula!r} belongs in the formula of the response (mu), "
                f"not of {prefix.dpar!r}."
            )
        spec = specs_of(terms, formula)[0]
        design = cls(prefix, terms, formula)
        design.info["spec"] = spec
        design.info["series"] = series_of(data, spec)
        return design

    @property
    def spec(self) -> AutocorSpec:
        return self.info["spec"]

    @property
    def series(self) -> Series:
        return self.info["series"]

    @property
    def classes(self) -> list[str]:
        """Parameter classes of the structure: ``ar``, ``ma``, ``cosy``."""
        s = self.spec
        return ["cosy"] if s.kind == "cosy" else [c for c, k in (("ar", s.p), ("ma", s.q)) if k > 0]

    def bounds(self, cls_: str) -> tuple[float | None, float | None]:
        """brms's bounds: none for ARMA coefficients in the conditional formulation, (-1, 1) with cov, (0, 1) for cosy."""
        if cls_ == "cosy":
            return 0.0, 1.0
        return (-1.0, 1.0) if self.spec.cov else (None, None)

    def prior_rows(self, base):
        from ..core.distributions import format_number
        from ..core.types import PriorRow

        rows = []
        for c in self.classes:
            lb, ub = self.bounds(c)
            rows.append(PriorRow("", c, lb="" if lb is None else format_number(lb), ub="" if ub is None else format_number(ub),
                                 resp=base["resp"]))
        return rows

    def resolve_priors(self, lookup):
        return {c: lookup((c,)) for c in self.classes}

    def stan(self, priors):
        from ..codegen.autocor import stan_autocor_parameters

        return stan_autocor_parameters(self, priors)

    def draws(self, params):
        from ..core.types import ParamInfo

        s = self.prefix.suffix
        out = []
        for c in self.classes:
            values = params[f"{c}{s}"]
            if c == "cosy":
                out.append((f"cosy{s}", values, ParamInfo(f"cosy{s}", "autocor", coef=f"cosy{s}")))
                continue
            for k in range(values.shape[2]):
                name = f"{c}{s}[{k + 1}]"
                out.append((name, values[..., k], ParamInfo(name, "autocor", coef=name)))
        return out

    def prior_draws(self, priors, sampler):
        """``prior_ar``, ``prior_ma``, ``prior_cosy``: one draw per class (shared by its coefficients), within the bounds."""
        out = {}
        for c in self.classes:
            values = sampler.scalar(priors.get(c), *self.bounds(c))
            if values is not None:
                out[f"prior_{c}{self.prefix.suffix}"] = values
        return out


def autocor_design(design: "PopulationDesign") -> AutocorDesign | None:
    """The :class:`AutocorDesign` of a linear predictor, or None."""
    return next((sp for sp in design.specials if isinstance(sp, AutocorDesign)), None)


def series_columns(fit) -> set[str]:
    """The ``gr`` columns of the fit's autocorrelation terms (new levels there are new series)."""
    out = set()
    for design in fit.frame.designs.values():
        ac = autocor_design(design)
        if ac is not None and ac.spec.gr:
            out.add(ac.spec.gr)
    return out


def _mu_design(fit, t: "BrmsTerms") -> AutocorDesign | None:
    from ..formula.prefix import Prefix

    design = fit.frame.designs.get(Prefix(t.resp, "mu"))
    return None if design is None else autocor_design(design)


# ------------------------------------------------------------ ARMA in numpy


def arma_recursion(eta: np.ndarray, y: np.ndarray, J_lag: np.ndarray, ar: np.ndarray | None,
                   ma: np.ndarray | None, draw=None) -> tuple[np.ndarray, np.ndarray]:
    """ARMA terms row by row, as the Stan program; rows with unknown response (NaN) are forecast.

    Parameters
    ----------
    eta : (draws, N) linear predictor without the ARMA terms, rows sorted by series and time.
    y : (N,) response; NaN where unknown (new time points to forecast).
    J_lag : (N,) lags kept for the next row (:meth:`Series.J_lag`).
    ar, ma : (draws, p) and (draws, q) coefficients, or None.
    draw : None, or ``draw(n, mu)`` returning (draws,) responses of row ``n`` given its mean ``mu``.
        None replaces an unknown response by its expected value (``mu`` with the ARMA terms),
        so later rows get the conditional expectation given the observed past (posterior_epred);
        a function draws it, so later rows continue each simulated path (posterior_predict).

    Returns
    -------
    eta : (draws, N) with the ARMA terms; y : (draws, N) responses, the unknown ones filled in.

    Notes
    -----
    brms (``.predictor_arma``) draws an unknown response with the family's
    ``posterior_predict`` function in every case, so its posterior_epred of a
    forecast beyond one step is itself random; here the expected value is used,
    which for the identity link is the exact conditional mean of each row.
    """
    eta = np.array(eta, dtype=float, copy=True)
    S, N = eta.shape
    y = np.broadcast_to(np.asarray(y, dtype=float), (S, N)).copy()
    unknown = np.isnan(y[0]) if N else np.zeros(0, dtype=bool)
    Kar = 0 if ar is None else ar.shape[1]
    Kma = 0 if ma is None else ma.shape[1]
    max_lag = max(Kar, Kma)
    Err = np.zeros((S, N + 1, max_lag))  # Err[:, n, i]: residual i + 1 rows before row n (same series)
    err = np.zeros((S, N))
    for n in range(N):
        if Kma:
            eta[:, n] += np.einsum("sk,sk->s", Err[:, n, :Kma], ma)
        before_ar = eta[:, n].copy()
        if Kar:
            eta[:, n] += np.einsum("sk,sk->s", Err[:, n, :Kar], ar)
        if unknown[n]:  # forecast: the AR terms are part of the row's mean
            y[:, n] = eta[:, n] if draw is None else draw(n, eta[:, n])
        err[:, n] = y[:, n] - before_ar  # residual before the AR terms (MA terms included), as brms
        for i in range(1, int(J_lag[n]) + 1):
            Err[:, n + 1, i - 1] = err[:, n + 1 - i]
    return eta, y


def arma_eta(eta: np.ndarray, y: np.ndarray, J_lag: np.ndarray, ar: np.ndarray | None, ma: np.ndarray | None) -> np.ndarray:
    """Add ARMA terms to the linear predictor, as the Stan program does row by row.

    Parameters
    ----------
    eta : (draws, N) linear predictor without the ARMA terms, rows sorted by series and time.
    y : (N,) response; NaN rows are forecast with their expected value (see :func:`arma_recursion`).
    J_lag : (N,) lags kept for the next row (:meth:`Series.J_lag`).
    ar, ma : (draws, p) and (draws, q) coefficients, or None.
    """
    return arma_recursion(eta, y, J_lag, ar, ma)[0]


@dataclass
class ForecastPlan:
    """ARMA rows of a prediction on new data: the new rows, after earlier fitted rows of their series.

    Arrays are in the combined, sorted order; ``new_row[k]`` is the newdata row
    of sorted row ``k`` (-1 for a fitted row that continues a series).
    """

    eta: np.ndarray  # (draws, M) linear predictor without ARMA terms
    y: np.ndarray  # (M,) response, NaN where unknown
    J_lag: np.ndarray
    ar: np.ndarray | None
    ma: np.ndarray | None
    new_row: np.ndarray
    sorted_pos: np.ndarray  # (N_new,) sorted position of each newdata row

    def to_new(self, values: np.ndarray) -> np.ndarray:
        """(draws, M) sorted values -> (draws, N_new) in the new data's row order."""
        return values[:, self.sorted_pos]


def _time_values(data: pd.DataFrame, spec: AutocorSpec) -> np.ndarray:
    col = data[spec.time]
    return np.asarray(col.astype("int64") if pd.api.types.is_datetime64_any_dtype(col.dtype) else col, dtype=float)


def _continued_rows(ctx, ac: AutocorDesign) -> np.ndarray:
    """Fitted rows (boolean mask) that precede the first new time point of their series in ``ctx.data``.

    New rows continue a fitted series when ``time`` is given: the fitted rows
    of the same series (level of ``gr``, or the single series) earlier than the
    series' first time point in newdata feed the ARMA terms of the new rows.
    Without ``time`` the order of new rows relative to the fitted ones is
    unknown, so new data start their own series.
    """
    spec, fitted, data = ac.spec, ctx.fit.frame.data, ctx.data
    mask = np.zeros(len(fitted), dtype=bool)
    if spec.time is None or not len(data):
        return mask
    from .build import _check_columns

    _check_columns([c for c in (spec.time, spec.gr) if c], data, f"'{spec.text}'")
    t_fit, t_new = _time_values(fitted, spec), _time_values(data, spec)
    if spec.gr is None:
        return t_fit < np.nanmin(t_new)
    g_fit = fitted[spec.gr].astype(str).to_numpy()
    first = pd.Series(t_new).groupby(data[spec.gr].astype(str).to_numpy()).min()
    start = pd.Series(g_fit).map(first).to_numpy(dtype=float)  # NaN: series not in newdata
    return ~np.isnan(start) & (t_fit < start)


def _fitted_eta(ctx, prefix: "Prefix") -> np.ndarray:
    """(draws, N_fit) linear predictor of ``prefix`` on the fitted data without ARMA terms (same draws and re_formula)."""
    import dataclasses

    from ..prediction.core import _group_effects, _population

    sub = dataclasses.replace(ctx, data=ctx.fit.frame.data, is_new=False)
    return np.broadcast_to(_population(sub, prefix) + _group_effects(sub, prefix), (len(ctx.idx), ctx.fit.frame.N))


def forecast_plan(ctx, t: "BrmsTerms", ac: AutocorDesign, prefix: "Prefix", eta: np.ndarray,
                  ar: np.ndarray | None, ma: np.ndarray | None) -> ForecastPlan:
    """Combine the new rows with the fitted rows they continue and sort by series and time."""
    data = ctx.data
    resp = t.response.expr
    if resp in data.columns:
        col = data[resp]
        if not (pd.api.types.is_numeric_dtype(col.dtype) or col.isna().all()):
            raise DataError(f"The response {resp!r} in newdata must be numeric (NaN for time points to forecast).")
        y_new = np.asarray(col, dtype=float)
    else:  # no response at all: every new row is forecast
        y_new = np.full(len(data), np.nan)
    eta = np.broadcast_to(eta, (len(ctx.idx), len(data)))
    mask = _continued_rows(ctx, ac)
    cols = [c for c in (ac.spec.time, ac.spec.gr) if c]
    if mask.any():
        fitted = ctx.fit.frame.data
        keys = pd.concat([fitted.loc[mask, cols].astype({ac.spec.gr: str} if ac.spec.gr else {}),
                          data[cols].astype({ac.spec.gr: str} if ac.spec.gr else {})], ignore_index=True)
        y_all = np.r_[ctx.fit.frame.responses[t.resp].y.astype(float)[mask], y_new]
        eta_all = np.hstack([_fitted_eta(ctx, prefix)[:, mask], eta])
        n_pre = int(mask.sum())
    else:
        keys, y_all, eta_all, n_pre = data, y_new, eta, 0
    order = series_order(keys, ac.spec)
    series = series_of(keys.iloc[order].reset_index(drop=True), ac.spec)
    new_row = order - n_pre
    new_row[new_row < 0] = -1
    sorted_pos = np.empty(len(order), dtype=np.int64)
    sorted_pos[order] = np.arange(len(order))
    return ForecastPlan(eta_all[:, order], y_all[order], series.J_lag(max(ac.spec.p, ac.spec.q)), ar, ma,
                        new_row, sorted_pos[n_pre:])


def adjust_eta(ctx, t: "BrmsTerms", prefix: "Prefix", eta: np.ndarray) -> np.ndarray:
    """The hook of :mod:`brmspy.prediction`: add ARMA terms to mu (other predictors unchanged).

    On the fitted data the model's sorted rows and response are used.  On new
    data the rows are sorted by series and time internally (the result is in
    the new data's row order); new rows continue the fitted rows of their
    series that come earlier in time (:func:`_continued_rows`), new series start
    with zero residuals.  Rows with an observed response give one-step-ahead
    predictions; rows without (no response column, or NaN) are forecast: the
    expected response enters later rows here, and :func:`arma_forecast_predict`
    draws whole paths for posterior_predict.
    """
    if prefix.dpar != "mu" or not ctx.incl_autocor:
        return eta
    ac = _mu_design(ctx.fit, t)
    if ac is None or ac.spec.kind != "arma" or ac.spec.cov:
        return eta
    s = prefix.suffix
    ar = _param(ctx, f"ar{s}") if ac.spec.p else None
    ma = _param(ctx, f"ma{s}") if ac.spec.q else None
    max_lag = max(ac.spec.p, ac.spec.q)
    if not ctx.is_new:
        y = ctx.fit.frame.responses[t.resp].y.astype(float)
        return arma_eta(eta, y, ac.series.J_lag(max_lag), ar, ma)
    plan = forecast_plan(ctx, t, ac, prefix, eta, ar, ma)
    ctx.cache[("arma", t.resp)] = plan  # for arma_forecast_predict
    return plan.to_new(arma_eta(plan.eta, plan.y, plan.J_lag, ar, ma))


def arma_forecast_predict(ctx, t: "BrmsTerms", dp: dict[str, Any], rng: np.random.Generator) -> np.ndarray | None:
    """Posterior predictive draws of new data with unknown responses: paths drawn in time order.

    Each unknown row is drawn from the family given its mean (regression plus
    ARMA terms of the earlier, possibly drawn, rows of its series), and the draw
    feeds the later rows.  Rows with an observed response get ordinary one-step-
    ahead draws.  Returns None when there is nothing to forecast.
    """
    from ..families import Extras
    from .additions import addition_predict, context_additions

    plan = ctx.cache.get(("arma", t.resp)) if ctx.is_new and ctx.incl_autocor else None
    if plan is None or not np.isnan(plan.y).any():
        return None
    S, N = len(ctx.idx), len(ctx.data)
    dpb = {k: np.broadcast_to(v, (S, N)) for k, v in dp.items()}
    adds = context_additions(ctx, t, "predict")
    ex = Extras(None)
    rng_fn = t.family.spec.math.rng

    def sample(dpars: dict[str, np.ndarray]) -> np.ndarray:
        if adds is None:
            return np.asarray(rng_fn(dpars, ex, rng), dtype=float)
        return np.asarray(addition_predict(t, adds, dpars, ex, rng), dtype=float)

    def draw(n: int, mu: np.ndarray) -> np.ndarray:
        i = plan.new_row[n]
        if adds is None:  # one column is enough
            return sample({**{k: v[:, i:i + 1] for k, v in dpb.items()}, "mu": mu[:, None]})[:, 0]
        m = dpb["mu"].copy()
        m[:, i] = mu
        return sample({**dpb, "mu": m})[:, i]

    eta, y = arma_recursion(plan.eta, plan.y, plan.J_lag, plan.ar, plan.ma, draw)
    out = sample({**dpb, "mu": plan.to_new(eta)})  # one step ahead where the response is observed
    unknown = np.isnan(plan.y)[plan.sorted_pos]
    out[:, unknown] = plan.to_new(y)[:, unknown]
    return out


def _param(ctx, name: str) -> np.ndarray:
    from ..prediction.core import _flat

    return _flat(ctx.params[name], ctx.idx)


# ------------------------------------------------- time covariance in numpy


def cor_matrix(spec: AutocorSpec, params: dict[str, np.ndarray], n: int) -> np.ndarray:
    """(draws, n, n) residual correlation (cosy) or unit-innovation covariance (ARMA, cov = TRUE) matrices.

    ``params`` maps ``"cosy"``/``"ar"``/``"ma"`` to (draws,) values.  The
    matrices are the ones of the Stan functions ``cholesky_cor_*``.
    """
    lag = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    if spec.kind == "cosy":
        rho = params["cosy"][:, None, None]
        return np.where(lag == 0, 1.0, rho)
    ar = params.get("ar")
    ma = params.get("ma")
    if ar is not None and ma is None:
        a = ar[:, None, None]
        return a ** lag / (1 - a**2)
    if ma is not None and ar is None:
        m = ma[:, None, None]
        return np.where(lag == 0, 1 + m**2, np.where(lag == 1, m, 0.0))
    a, m = ar[:, None, None], ma[:, None, None]
    gamma1 = (1 + a * m) * (a + m)
    off = gamma1 * a ** np.maximum(lag - 1, 0)
    return np.where(lag == 0, 1 + m**2 + 2 * a * m, off) / (1 - a**2)


def _cov_params(ctx, ac: AutocorDesign) -> dict[str, np.ndarray]:
    s = ac.prefix.suffix
    out = {}
    for c in ac.classes:
        v = _param(ctx, f"{c}{s}")
        out[c] = v if c == "cosy" else v[:, 0]
    return out


def _time_cov_parts(ctx, t: "BrmsTerms", dp: dict[str, Any], what: str):
    ac = _mu_design(ctx.fit, t)
    if ac is None or not ac.spec.time_cov:
        return None
    if ctx.is_new:
        raise DataError(
            f"{what} on new data is not supported for models with the residual covariance structure '{ac.spec.text}'; "
            "use the fitted data (newdata=None), or posterior_epred(), which does not depend on it."
        )
    S, N = len(ctx.idx), len(ctx.data)
    mu = np.broadcast_to(dp["mu"], (S, N))
    sigma = np.broadcast_to(dp["sigma"], (S, N))
    nu = np.broadcast_to(dp["nu"], (S, N))[:, 0] if t.family.name == "student" else None
    return ac, mu, sigma, nu, _cov_params(ctx, ac)


def _series_cov(ac: AutocorDesign, cov_params: dict[str, np.ndarray], sigma: np.ndarray, b: int, e: int) -> np.ndarray:
    """(draws, n, n) covariance of the rows b..e-1 (0-based, one series)."""
    R = cor_matrix(ac.spec, cov_params, e - b)
    s = sigma[:, b:e]
    return R * s[:, :, None] * s[:, None, :]


def time_cov_log_lik(ctx, t: "BrmsTerms", dp: dict[str, Any], y: np.ndarray) -> np.ndarray | None:
    """brms's pointwise log-likelihood of time-covariance models: leave-one-out conditional densities.

    For each row, the density of ``y[i]`` given the other rows of its series
    (``log_lik_gaussian_time`` / ``log_lik_student_time`` in brms). Returns
    None for models without such a structure.
    """
    parts = _time_cov_parts(ctx, t, dp, "log_lik")
    if parts is None:
        return None
    ac, mu, sigma, nu, cp = parts
    out = np.empty(mu.shape)
    for b, e in zip(ac.series.begin - 1, ac.series.end):
        C = _series_cov(ac, cp, sigma, b, e)
        Cinv = np.linalg.inv(C)
        res = y[None, b:e] - mu[:, b:e]
        g = np.einsum("sij,sj->si", Cinv, res)
        cbar = np.einsum("sii->si", Cinv)
        yloo = y[None, b:e] - g / cbar
        if nu is None:
            out[:, b:e] = stats.norm.logpdf(y[None, b:e], yloo, np.sqrt(1 / cbar))
            continue
        n = e - b
        q = np.einsum("si,si->s", res, g)[:, None]
        beta1 = q - g**2 / cbar  # e_{-i}' C_{-i,-i}^{-1} e_{-i}
        df = nu[:, None]
        scale = np.sqrt(1 / cbar * (df + beta1) / (df + n - 1))
        out[:, b:e] = stats.t.logpdf(y[None, b:e], df + n - 1, yloo, scale)
    return out


def time_cov_predict(ctx, t: "BrmsTerms", dp: dict[str, Any], rng: np.random.Generator) -> np.ndarray | None:
    """Posterior predictive draws of time-covariance models (one multivariate draw per series and posterior draw)
    and of ARMA forecasts on new data (:func:`arma_forecast_predict`); None for other models."""
    if (paths := arma_forecast_predict(ctx, t, dp, rng)) is not None:  # ARMA forecasts of unknown responses
        return paths
    parts = None if not ctx.incl_autocor else _time_cov_parts(ctx, t, dp, "posterior_predict")
    if parts is None:
        return None
    ac, mu, sigma, nu, cp = parts
    out = np.empty(mu.shape)
    for b, e in zip(ac.series.begin - 1, ac.series.end):
        L = np.linalg.cholesky(_series_cov(ac, cp, sigma, b, e))
        z = rng.standard_normal((mu.shape[0], e - b))
        draw = np.einsum("sij,sj->si", L, z)
        if nu is not None:  # multivariate t: one chi-square mixing weight per series
            draw = draw * np.sqrt(nu / rng.chisquare(nu))[:, None]
        out[:, b:e] = mu[:, b:e] + draw
    return out


def series_log_lik(fit, ndraws: int | None = None) -> np.ndarray:
    """Joint log density of each series, (draws, series), for time-covariance models.

    The sum over series is the model's log-likelihood (what Stan adds to
    ``target``); ``log_lik`` instead returns brms's pointwise leave-one-out
    conditional densities.
    """
    from ..prediction.core import _context, _dpar_values, _terms

    t = _terms(fit)
    ctx = _context(fit, None, None, ndraws, False, "uncertainty", None)
    dp = _dpar_values(ctx, t)
    parts = _time_cov_parts(ctx, t, dp, "series_log_lik")
    if parts is None:
        raise DataError("series_log_lik() is for models with cosy() or a covariance ARMA structure (cov = TRUE).")
    ac, mu, sigma, nu, cp = parts
    y = fit.frame.responses[t.resp].y.astype(float)
    cols = []
    for b, e in zip(ac.series.begin - 1, ac.series.end):
        C = _series_cov(ac, cp, sigma, b, e)
        res = y[None, b:e] - mu[:, b:e]
        _, logdet = np.linalg.slogdet(C)
        quad = np.einsum("si,si->s", res, np.linalg.solve(C, res[..., None])[..., 0])
        n = e - b
        if nu is None:
            cols.append(-0.5 * (n * math.log(2 * math.pi) + logdet + quad))
        else:
            from scipy.special import gammaln

            cols.append(gammaln((nu + n) / 2) - gammaln(nu / 2) - 0.5 * n * np.log(nu * math.pi) - 0.5 * logdet
                        - (nu + n) / 2 * np.log1p(quad / nu))
    return np.column_stack(cols)


__all__ = [
    "AUTOCOR_KINDS", "AutocorDesign", "AutocorSpec", "ForecastPlan", "Series", "adjust_eta", "arma_eta",
    "arma_forecast_predict", "arma_recursion", "forecast_plan", "autocor_design", "cor_matrix",
    "order_rows", "parse_term", "series_columns", "series_log_lik", "series_of", "series_order", "time_cov_log_lik", "time_cov_predict",
]
