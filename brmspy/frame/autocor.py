"""Residual autocorrelation: ``ar()``, ``ma()``, ``arma()``, ``cosy()``, ``unstr()``, ``sar()``, ``fcor()`` and
``car()`` (brms's formulation).

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
  ARMA(1, 1) covariance of unit innovations otherwise (brms's matrices); ``unstr(time, gr)``
  estimates the correlation matrix of all time points (``Lcortime``) and each series takes the rows
  and columns of the time points it has (brms's ``Jtime_tg``).  With ``se(x, sigma = TRUE)`` the known
  sampling variances ``se^2`` are added to the diagonal of each series' covariance (as brms).
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
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..core.errors import DataError, DataWarning, FormulaError, warn
from ..formula.syntax import is_identifier
from ..formula.terms import BrmsTerms, MvBrmsTerms, SpecialTerm
from .columns import check_columns, group_index, level_label, levels_of

#: the residual autocorrelation terms of :class:`AutocorSpec` (car() is parsed by :func:`parse_car`)
AUTOCOR_KINDS = ("ar", "ma", "arma", "cosy", "fcor", "sar", "unstr")
#: brms's arguments of each term, in positional order
ARGUMENTS = {
    "ar": ("time", "gr", "p", "cov"),
    "ma": ("time", "gr", "q", "cov"),
    "arma": ("time", "gr", "p", "q", "cov"),
    "cosy": ("time", "gr"),
    "unstr": ("time", "gr"),
    "fcor": ("M",),
    "sar": ("M", "type"),
}
_DEFAULTS = {"time": "NA", "gr": "NA", "p": "1", "q": "1", "cov": "FALSE", "type": '"lag"'}
#: families with natural residuals (brms's latent residuals for the others)
FAMILIES = ("gaussian", "student")


def has_latent_residuals(family) -> bool:
    """Whether an autocorrelation term of ``family`` models latent residuals (brms: no natural residuals)."""
    return family.name not in FAMILIES


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
    M: str | None = None  # fcor(M), sar(M): the matrix's name in data2
    type: str | None = None  # sar(): "lag" or "error"

    @property
    def time_cov(self) -> bool:
        """Whether the structure is a covariance matrix per series (one multivariate density each);
        ``fcor()`` and ``sar()`` have one series, all rows."""
        return self.kind in ("cosy", "fcor", "sar", "unstr") or self.cov

    @property
    def one_series(self) -> bool:
        """``fcor()``/``sar()``: the rows keep the data order and form one series."""
        return self.kind in ("fcor", "sar")


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
    v = value.strip().strip("`")
    if v in ("NA", "NULL", "None", ""):
        return None
    if not is_identifier(v):
        raise FormulaError(f"{what} must name one column of the data, got {value!r}.")
    return v


def _bind_arguments(call: Any, names: Sequence[str], formula: str) -> dict[str, Any]:
    """R's argument matching of an autocorrelation term: positional in ``names`` order, then by name."""
    if len(call.args) > len(names):
        raise FormulaError(f"'{call.text}' in {formula!r} takes at most {len(names)} arguments: {', '.join(names)}.")
    args = dict(zip(names, call.args))
    for k, v in call.kwargs:
        if k not in names:
            raise FormulaError(f"'{call.name}()' has no argument '{k}'; its arguments are: {', '.join(names)}.")
        if k in args:
            raise FormulaError(f"Argument '{k}' is given twice in '{call.text}'.")
        args[k] = v
    return args


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
    args = _bind_arguments(call, names, formula)
    get = lambda k: args.get(k, _DEFAULTS[k])  # noqa: E731
    where = f"'{call.text}'"
    if term.kind in ("fcor", "sar"):
        if "M" not in args:
            raise FormulaError(f"Argument 'M' is missing in {where} (the matrix, passed in data2).")
        M = args["M"].strip().strip("`")
        if not is_identifier(M):
            raise FormulaError(f"M in {where} must name a matrix in data2, got {args['M']!r}.")
        if term.kind == "fcor":
            return AutocorSpec("fcor", None, None, text=call.text, M=M)
        type_ = get("type").strip().strip("'\"")
        if type_ not in ("lag", "error"):
            raise FormulaError(f"type in {where} must be \"lag\" or \"error\", got {type_!r}.")
        return AutocorSpec("sar", None, None, text=call.text, M=M, type=type_)
    time, gr = _column(get("time"), f"time in {where}"), _column(get("gr"), f"gr in {where}")
    if term.kind == "cosy":
        return AutocorSpec("cosy", time, gr, text=call.text)
    if term.kind == "unstr":  # brms: both arguments are required
        for k, v in (("time", time), ("gr", gr)):
            if v is None:
                raise FormulaError(f"Argument '{k}' is missing in {where}: unstr(time, gr) needs the time variable "
                                   "and the grouping factor of the series.")
        return AutocorSpec("unstr", time, gr, text=call.text)
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
    parts = dict(t.parts)
    if t.autocor is not None:  # non-linear mu: bf(..., autocor = ~ ...)
        if any(s.kind == "car" for s in t.autocor.terms.special_terms):
            raise FormulaError(f"CAR terms are not implemented for non-linear models (as brms): {t.autocor.formula!r}.")
        parts["mu"] = t.autocor
    for name, part in parts.items():
        specs = specs_of(part.terms.special_terms, part.formula)
        if not specs:
            continue
        if name != "mu":
            raise FormulaError(
                f"The autocorrelation term '{specs[0].text}' in {part.formula!r} models residuals of the response, "
                f"so it belongs in the formula of the response (mu), not of {name!r} (brms: 'Explicit covariance "
                "terms can only be specified on mu')."
            )
        found = specs[0]
    if found is None:
        return None
    fam = t.family
    if found.one_series and fam.name not in FAMILIES:
        what = "SAR" if found.kind == "sar" else "FCOR"
        raise FormulaError(f"{what} terms are not implemented for family {fam.name!r} ('{found.text}'; as brms): "
                           f"they need {' or '.join(FAMILIES)}.")
    if found.kind == "sar" and "sigma" in t.parts:
        raise FormulaError(f"'{found.text}' needs a single sigma (as brms); remove the formula for sigma.")
    if fam.name not in FAMILIES:  # brms's latent residuals: mu gains err = sderr * zerr (correlated with cov = TRUE)
        if t.nonlinear:
            raise FormulaError(f"'{found.text}' with family {fam.name!r}: latent residuals are not implemented for "
                               "non-linear models (as in brms).")
        if fam.kind.name != "univariate":
            raise FormulaError(f"'{found.text}' with the {fam.kind.name} family {fam.name!r}: latent residuals are "
                               "supported for univariate families only so far.")
        if not found.time_cov and found.q > 0:
            raise FormulaError(f"'{found.text}' with family {fam.name!r}: please set cov = TRUE when modeling MA "
                               "structures for this family (brms's latent residuals carry only AR terms otherwise).")
        return found
    if fam.link != "identity":
        raise FormulaError(f"'{found.text}' needs the identity link for mu; family {fam.name!r} has link {fam.link!r}.")
    if found.time_cov:
        if t.response.addition("weights") is not None:
            raise FormulaError(f"weights() cannot be combined with the covariance structure '{found.text}'.")
        # one multivariate density per series: no censored or truncated rows (sar(): see tests of the brms test suite)
        for add in ("cens", "trunc"):
            if t.response.addition(add) is not None and found.kind != "sar":
                raise FormulaError(f"{add}() cannot be combined with the covariance structure '{found.text}' "
                                   "(brms: 'Invalid addition arguments for this model').")
        se = t.response.addition("se")
        if se is not None:
            if found.kind == "fcor":
                raise FormulaError(f"'{se.text}' cannot be combined with the covariance structure '{found.text}' "
                                   "(brms: 'Invalid addition arguments for this model').")
            if not found.one_series and not _flag(se.args.get("sigma", "FALSE"), "sigma in se()"):
                raise FormulaError("Please set argument 'sigma' of function 'se' to TRUE when modeling time-series "
                                   f"covariance matrices (as brms; '{se.text}' with '{found.text}').")
            if found.kind == "sar":  # brms builds it, but its program does not compile
                raise FormulaError(f"'{se.text}' cannot be combined with '{found.text}': brms passes the standard errors "
                                   "(a vector) where its SAR density takes a single sigma, so brms's Stan program "
                                   "does not compile; remove se() or sar().")
            # cosy(), unstr(), ARMA with cov = TRUE: se^2 is added to the diagonal of each series' covariance
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
    if getattr(terms, "rescor", False) and (cov := next((s for s in specs if s.time_cov), None)) is not None:
        # ARMA terms without cov = TRUE combine with rescor (brms adds them to each response's mu)
        raise FormulaError(f"Explicit covariance terms cannot be modeled when 'rescor' is estimated at the same time "
                           f"(as brms; '{cov.text}'). Use set_rescor(False), or ARMA terms without cov = TRUE.")
    if len({(s.time, s.gr) for s in specs}) > 1:
        raise FormulaError("All autocorrelation terms of a model must use the same 'time' and 'gr' variables.")
    return series_order(data, specs[0])


def series_order(data: pd.DataFrame, spec: AutocorSpec) -> np.ndarray:
    """Row positions that sort ``data`` by series then time; checks the columns and duplicate times."""
    where = f"'{spec.text}'"
    check_columns([c for c in (spec.time, spec.gr) if c], data, where)
    codes = _series_codes(data, spec)
    if spec.time is None:
        tv = np.arange(len(data), dtype=float)
    else:
        col = data[spec.time]
        numeric = pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_datetime64_any_dtype(col.dtype)
        if spec.kind == "unstr" and not numeric:  # unstr(): time points may be factor levels (brms's extract_levels)
            col = pd.Series(group_index(data, (spec.time,))[0], index=data.index)
        elif not numeric:
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


def time_points(data: pd.DataFrame, spec: AutocorSpec, known: list | None = None) -> tuple[list, np.ndarray]:
    """``unstr()``'s time points (sorted distinct values or factor levels, brms's ``extract_levels``) and the
    1-based time point of each row.  ``known``: the fitted model's time points (new data may not add any)."""
    codes, labels = group_index(data, (spec.time,))
    if known is None:
        return list(labels), codes.astype(np.int64)
    lookup = {str(t): i + 1 for i, t in enumerate(known)}
    new = sorted({str(t) for t in labels if str(t) not in lookup})
    if new:
        raise DataError(f"Cannot handle new time points in UNSTR models (as brms): {new[:5]} of {spec.time!r} "
                        f"were not in the fitted data ('{spec.text}').")
    return list(known), np.array([lookup[str(labels[c - 1])] for c in codes], dtype=np.int64)


def Jtime_matrix(series: "Series", jtime: np.ndarray) -> np.ndarray:
    """brms's ``Jtime_tg``: the time points of each series' rows, one row per series, padded with 0."""
    out = np.zeros((len(series.begin), int(series.nobs.max()) if len(series.begin) else 0), dtype=np.int64)
    for i, (b, e) in enumerate(zip(series.begin - 1, series.end)):
        out[i, : e - b] = jtime[b:e]
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


# ------------------------------------------------------------ ARMA in numpy


# ------------------------------------------------- time covariance in numpy





# ------------------------------------------------------------------ car()

CAR_TYPES = ("escar", "esicar", "icar", "bym2")


@dataclass(frozen=True)
class CarSpec:
    """One ``car(M, gr = g, type = "escar")`` term: the adjacency matrix's name in data2, the location factor."""

    M: str
    gr: str | None
    type: str
    text: str


def parse_car(term: "SpecialTerm", formula: str) -> CarSpec:
    """Parse ``car(M, gr = g, type = ...)`` with brms's defaults (``type = "escar"``)."""
    call = term.call
    args = _bind_arguments(call, ("M", "gr", "type"), formula)
    if "M" not in args:
        raise FormulaError(f"Argument 'M' is missing in '{call.text}' (the adjacency matrix, passed in data2).")
    M = args["M"].strip().strip("`")
    if not is_identifier(M):
        raise FormulaError(f"M in '{call.text}' must name a matrix in data2, got {args['M']!r}.")
    gr = _column(args.get("gr", "NA"), f"gr in '{call.text}'")
    type_ = args.get("type", '"escar"').strip().strip("'\"")
    if type_ not in CAR_TYPES:
        raise FormulaError(f"type in '{call.text}' must be one of {', '.join(repr(t) for t in CAR_TYPES)}, got {type_!r}.")
    return CarSpec(M, gr, type_, call.text)


@dataclass
class CarData:
    """brms's Stan data of a CAR term: locations, their rows, the edges of the adjacency graph and, per type,
    the neighbour counts and eigenvalues (``escar``/``esicar``) or the BYM2 scaling factor."""

    locations: list  # level labels (gr) or None (every row its own location)
    Jloc: np.ndarray  # 1-based location per row
    edges1: np.ndarray
    edges2: np.ndarray
    Nneigh: np.ndarray | None = None
    eigen: np.ndarray | None = None
    car_scale: float | None = None

    @property
    def Nloc(self) -> int:
        return len(self.Jloc) if self.locations is None else len(self.locations)


def car_data(spec: CarSpec, data: pd.DataFrame, data2, formula: str) -> CarData:
    """The CAR data of ``spec`` on the model rows, with brms's checks and edge order."""
    where = f"'{spec.text}' in {formula!r}"
    if not data2 or spec.M not in data2:
        raise DataError(f"{where} uses the adjacency matrix {spec.M!r}, which is not in data2. Pass it with "
                        f"data2={{{spec.M!r}: matrix}} (a DataFrame with rows and columns named by the locations).")
    A = data2[spec.M]
    if spec.gr is not None:
        check_columns([spec.gr], data, where)
        col = data[spec.gr]
        locations = [level_label(v) for v in levels_of(col)]
        labels = col.map(level_label).astype(str).to_numpy()
        lookup = {str(lv): i for i, lv in enumerate(locations)}
        Jloc = np.array([lookup[v] for v in labels], dtype=np.int64) + 1
        if not isinstance(A, pd.DataFrame):
            raise DataError(f"Row names are required for {spec.M!r} in {where}: pass a DataFrame whose rows and "
                            "columns are named by the levels of the grouping factor.")
        rows = [str(r) for r in A.index]
        cols = [str(c) for c in A.columns]
        missing = [lv for lv in locations if str(lv) not in rows or str(lv) not in cols]
        if missing:
            raise DataError(f"Row names of {spec.M!r} for {where} do not match the names of the grouping levels "
                            f"(missing: {missing[:5]}).")
        ri = {r: i for i, r in enumerate(rows)}
        ci = {c: i for i, c in enumerate(cols)}
        M = np.asarray(A, dtype=float)[np.ix_([ri[str(lv)] for lv in locations], [ci[str(lv)] for lv in locations])]
    else:
        warn("Using CAR terms without a grouping factor is deprecated (as in brms); please use argument "
             "'gr' even if each observation represents its own location.", DataWarning)
        locations = None
        Jloc = np.arange(1, len(data) + 1, dtype=np.int64)
        M = np.asarray(A, dtype=float)
        if M.shape != (len(data), len(data)):
            raise DataError(f"Dimensions of {spec.M!r} for {where} must be equal to the number of observations "
                            f"({len(data)}); got {M.shape}.")
    if not np.all(np.isfinite(M)) or not np.allclose(M, M.T):
        raise DataError(f"The adjacency matrix {spec.M!r} of {where} must be symmetric with finite values.")
    # brms: the lower triangle's rows in column-major order, paired with the sorted upper triangle's rows
    lo_r, lo_c = np.nonzero(np.tril(M).T)  # transposed: column-major order of the lower triangle
    edges1 = (lo_c + 1).astype(np.int64)
    edges2 = np.sort(np.nonzero(np.triu(M).T)[1] + 1).astype(np.int64)
    out = CarData(locations, Jloc, edges1, edges2)
    if spec.type in ("escar", "esicar"):
        Nneigh = M.sum(axis=0)
        if np.any(Nneigh == 0):
            raise DataError(f"For exact sparse CAR ({where}), all locations should have at least one neighbor within "
                            "the provided data set. Consider using type = 'icar' instead.")
        inv_sqrt = 1 / np.sqrt(Nneigh)
        out.Nneigh = Nneigh
        out.eigen = np.sort(np.linalg.eigvalsh(inv_sqrt[:, None] * M * inv_sqrt[None, :]))[::-1]
    elif spec.type == "bym2":
        out.car_scale = bym2_scale(edges1, edges2, out.Nloc)
    return out


def bym2_scale(edges1: np.ndarray, edges2: np.ndarray, Nloc: int) -> float:
    """brms's BYM2 scaling factor: the geometric mean of the marginal variances of the ICAR field
    (generalised inverse of the perturbed graph Laplacian under a sum-to-zero constraint)."""
    adj = np.zeros((Nloc, Nloc))
    adj[edges1 - 1, edges2 - 1] = 1.0
    adj[edges2 - 1, edges1 - 1] = 1.0
    Q = np.diag(adj.sum(axis=1)) - adj
    Q = Q + np.eye(Nloc) * Q.diagonal().max() * math.sqrt(np.finfo(float).eps)
    Sigma = np.linalg.inv(Q)
    W = Sigma.sum(axis=1, keepdims=True)  # Sigma A' with A a row of ones
    Sigma = Sigma - W @ W.T / W.sum()
    return float(np.exp(np.mean(np.log(np.diag(Sigma)))))



def one_series_matrix(spec: AutocorSpec, data2, N: int, formula: str, rows: np.ndarray | None = None,
                      n_data: int | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """The matrix of ``fcor(M)``/``sar(M)`` from data2 (N x N over the model rows) and, for sar(), its
    eigenvalues in R's order (decreasing; by modulus for a non-symmetric matrix).

    When rows of the data were dropped for NAs (``rows``: the kept positions among ``n_data``), M is
    given for all rows of the data and, as brms does, its rows and columns of the dropped rows are removed.
    """
    what = "FCOR" if spec.kind == "fcor" else "SAR"
    where = f"'{spec.text}' in {formula!r}"
    if not data2 or spec.M not in data2:
        raise DataError(f"{where} uses the matrix {spec.M!r}, which is not in data2. Pass it with "
                        f"data2={{{spec.M!r}: matrix}} (N x N, rows in the order of the data).")
    M = np.asarray(data2[spec.M], dtype=float)
    if rows is not None and n_data is not None and len(rows) < n_data:  # brms: M[-rmd_rows, -rmd_rows]
        if M.shape != (n_data, n_data):
            raise DataError(f"Dimensions of {spec.M!r} for {what} terms must be equal to the number of rows of the "
                            f"data ({n_data}; brms removes the rows and columns of the {n_data - len(rows)} rows "
                            f"dropped for NAs); got {M.shape} ({where}).")
        M = M[np.ix_(rows, rows)]
    if M.shape != (N, N):
        raise DataError(f"Dimensions of {spec.M!r} for {what} terms must be equal to the number of observations "
                        f"({N}); got {M.shape} ({where}).")
    if not np.all(np.isfinite(M)):
        raise DataError(f"The matrix {spec.M!r} of {where} has non-finite values.")
    if spec.kind == "fcor":
        if not np.allclose(M, M.T) or np.linalg.eigvalsh((M + M.T) / 2).min() <= 0:
            raise DataError(f"The matrix {spec.M!r} of {where} must be a symmetric positive definite covariance matrix.")
        return M, None
    if np.allclose(M, M.T):
        ev = np.sort(np.linalg.eigvalsh((M + M.T) / 2))[::-1]
    else:
        ev = np.linalg.eigvals(M)
        if np.abs(ev.imag).max() > 1e-8:
            raise DataError(f"The matrix {spec.M!r} of {where} has complex eigenvalues; sar() needs a matrix with real "
                            "eigenvalues (e.g. a row-standardised symmetric adjacency matrix).")
        ev = ev.real[np.argsort(-np.abs(ev.real), kind="stable")]
    return M, ev

__all__ = [
    "AUTOCOR_KINDS", "CAR_TYPES", "AutocorSpec", "CarData", "CarSpec", "Series",
    "Jtime_matrix", "bym2_scale", "car_data", "one_series_matrix", "time_points", "order_rows", "parse_car", "parse_term", "series_of", "series_order",
]
