"""The prediction context: which draws, which rows (fitted or new data), which group-level effects."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import BrmsError, DataError
from ..fit.brmsfit import BrmsFit
from ..formula.terms import parse_rhs
from ..frame.groups import _group_design
from ..frame.response import mi_kept_columns
from ..priors.nonlinear import is_nlpar
from ..specials.autocor import series_columns

NEW_LEVELS = ("uncertainty", "gaussian", "old_levels")


def draw_indices(fit: "BrmsFit", ndraws: int | None, seed: int | None = None) -> np.ndarray:
    """Indices of the (flattened, chain-major) draws to use; all when ``ndraws`` is None."""
    total = fit.ndraws()
    if ndraws is None or ndraws >= total:
        return np.arange(total)
    if not isinstance(ndraws, (int, np.integer)) or ndraws < 1:
        raise BrmsError(f"ndraws must be a positive integer, got {ndraws!r}.")
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(total, size=int(ndraws), replace=False))


def _flat(arr: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """(chain, draw, ...) -> (S, ...) restricted to ``idx``."""
    arr = np.asarray(arr, dtype=float)
    return arr.reshape((-1, *arr.shape[2:]))[idx]


@dataclass
class PredictionContext:
    """What one prediction call works on: the draws, the rows and the group-level effects to include.

    Every prediction function (:func:`~brmspy.prediction.core.posterior_epred`, ``log_lik``, ...)
    builds one with :func:`prediction_context` and passes it to the per-concept helpers
    (:mod:`brmspy.prediction.linpred`, ``dpars``, ``additions``, ``autocor``, ``mv``, ...).

    Attributes
    ----------
    fit : the fitted model.
    idx : flat (chain-major) indices of the draws used.
    data : the rows predicted: the fit's (sorted) model data, or the checked new data.
    is_new : whether ``data`` is new data (designs are rebuilt from the frame's stored specs).
    blocks : group-level block id -> labels of the coefficients included (``re_formula``).
    allow_new_levels, sample_new_levels : how group levels absent from the fitted data are handled.
    rng : the random numbers of the call (``seed``).
    incl_autocor : False leaves ``ar()``/``ma()``/``arma()`` terms out (e.g. conditional_effects grids).
    cache : per-call state, e.g. ARMA forecast plans (:mod:`brmspy.prediction.autocor`).

    Examples
    --------
    >>> ctx = prediction_context(fit, None, None, 100, False, "uncertainty", 1)   # doctest: +SKIP
    >>> ctx.idx.shape, ctx.is_new                                              # doctest: +SKIP
    ((100,), False)
    """

    fit: "BrmsFit"
    idx: np.ndarray
    data: pd.DataFrame
    is_new: bool
    blocks: dict[int, set[str]]
    allow_new_levels: bool
    sample_new_levels: str
    rng: np.random.Generator
    incl_autocor: bool = True
    cache: dict[Any, Any] = field(default_factory=dict)

    @property
    def params(self) -> dict[str, np.ndarray]:
        """Stan-named draws of the fit, (chain, draw, ...)."""
        return self.fit.stan_draws.params


def prediction_context(fit: "BrmsFit", newdata: pd.DataFrame | None, re_formula: Any, ndraws: int | None,
                       allow_new_levels: bool, sample_new_levels: str, seed: int | None,
                       incl_autocor: bool = True) -> PredictionContext:
    """The :class:`PredictionContext` of a call: draws chosen, new data checked, ``re_formula`` resolved.

    Parameters are those of :func:`~brmspy.prediction.core.posterior_epred`; ``newdata`` None
    means the fitted data.
    """
    if sample_new_levels not in NEW_LEVELS:
        raise BrmsError(f"sample_new_levels must be one of {NEW_LEVELS}, got {sample_new_levels!r}.")
    idx = draw_indices(fit, ndraws, seed)
    data = fit.frame.data if newdata is None else _check_newdata(fit, newdata)
    return PredictionContext(fit, idx, data, newdata is not None, _re_selection(fit, re_formula), allow_new_levels,
                             sample_new_levels, np.random.default_rng(seed), incl_autocor)


def _check_newdata(fit: "BrmsFit", newdata: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(newdata, pd.DataFrame):
        raise DataError(f"newdata must be a pandas DataFrame, got {type(newdata).__name__}.")
    validate_newdata_columns(fit, newdata)
    newdata = newdata.reset_index(drop=True)
    old = fit.frame.data
    for col in old.columns:
        if col not in newdata.columns:
            continue
        o = old[col]
        if isinstance(o.dtype, pd.CategoricalDtype) or o.dtype == object or pd.api.types.is_string_dtype(o.dtype):
            known = set(map(str, o.astype(str).unique()))
            new = set(map(str, newdata[col].dropna().astype(str).unique())) - known
            if new and not _is_group_column(fit, col):
                raise DataError(
                    f"newdata column {col!r} has level(s) {sorted(new)} that were not in the fitted data; "
                    f"a population-level factor can only take its fitted levels ({', '.join(sorted(known))})."
                )
            if isinstance(o.dtype, pd.CategoricalDtype) and not _is_group_column(fit, col):
                # the fitted levels, in their order, so dummy columns line up; match on labels ("2" == 2)
                cats = o.cat.categories
                by_label = {str(c): c for c in cats}
                newdata[col] = pd.Categorical(newdata[col].astype(str).map(by_label), categories=cats)
    return newdata


def _predictor_columns(fit: "BrmsFit") -> list[str]:
    """Data columns the model's predictors use (not the response, addition terms or grouping factors)."""
    import re

    cols = set(map(str, fit.frame.data.columns))
    out: list[str] = []

    def add(text: str | None) -> None:
        for name in re.findall(r"`[^`]*`|[A-Za-z_.][A-Za-z0-9_.]*", text or ""):
            name = name.strip("`")
            if name in cols and name not in out:
                out.append(name)

    for t in fit.frame.response_terms:
        for nl in t.nonlinear.values():
            add(" ".join(nl.covariates))
        for part in t.parts.values():
            lt = part.terms
            add(" ".join(lt.population))
            for g in lt.group_terms:
                add(g.expr)
            for sp in lt.special_terms:
                add(sp.text)
    groups = {v for b in fit.frame.blocks for v in (*b.group_vars, *((b.by,) if b.by else ()))}
    return [c for c in out if c not in groups and not _is_group_column(fit, c)]


def _type_of(values: pd.Series) -> str:
    """What a column holds, in the words of the messages: numeric, logical, factor or text."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return "factor"
    if pd.api.types.is_bool_dtype(dtype):
        return "logical"
    if pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    if dtype == object:
        present = values.dropna()
        if len(present) and all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                                for v in present):
            return "numeric"
    return "text"


def _rows_text(index: pd.Index) -> str:
    labels = [str(v) for v in index[:10]]
    more = f", ... ({len(index)} rows)" if len(index) > 10 else ""
    return f"row(s) {', '.join(labels)}{more}"


def validate_newdata_columns(fit: "BrmsFit", newdata: pd.DataFrame) -> None:
    """Types and missing values of ``newdata``'s predictor columns, checked before any design is rebuilt.

    A column of another type than in the fitted data (text where numbers were
    used, numbers that are not levels of a fitted factor) is a
    :class:`~brmspy.core.errors.DataError` naming the column, the expected and the
    found type.  A missing value in a factor predictor is a DataError (it
    matches no fitted level; brms silently treats it as the reference level); in a
    numeric predictor it gives a NaN prediction for that row (as brms's NA),
    with a warning naming the column and the rows (index labels of ``newdata``).

    Examples
    --------
    >>> validate_newdata_columns(fit, df.assign(Days="three"))   # doctest: +SKIP
    Traceback (most recent call last):
    DataError: newdata column 'Days' holds text (dtype str) but the model was fitted with numeric values ...
    """
    old_data = fit.frame.data
    imputed = mi_kept_columns(fit.frame.response_terms)  # NAs there: mi()'s own error, later
    for col in _predictor_columns(fit):
        if col not in newdata.columns:
            continue  # missing columns: reported when the design is rebuilt
        old, new = old_data[col], newdata[col]
        expected, found = _type_of(old), _type_of(new)
        if expected == "numeric" and found in ("text", "factor"):
            raise DataError(
                f"newdata column {col!r} holds {found} values (dtype {new.dtype}) but the model was fitted with "
                f"numeric values (dtype {old.dtype}); convert it, e.g. newdata[{col!r}] = "
                f"pd.to_numeric(newdata[{col!r}])."
            )
        if expected in ("factor", "text") and found == "numeric":
            known = set(map(str, old.astype(str).unique()))
            labels = set(map(str, new.dropna().map(_level_text).unique()))
            if not labels <= known:
                raise DataError(
                    f"newdata column {col!r} is numeric (dtype {new.dtype}) but the model was fitted with a "
                    f"{'factor' if expected == 'factor' else 'text column'} (dtype {old.dtype}) with levels "
                    f"{', '.join(sorted(known))}; values {sorted(labels - known)[:5]} are not among them. "
                    "Pass the fitted levels (as text or a categorical)."
                )
        missing = new.isna().to_numpy()
        if missing.any() and col not in imputed:
            rows = _rows_text(newdata.index[missing])
            if expected in ("factor", "text", "logical"):
                known = ", ".join(sorted(map(str, old.astype(str).unique())))
                raise DataError(
                    f"newdata column {col!r} is missing (NaN/None) in {rows}; a {expected} predictor needs one of "
                    f"its fitted values ({known}). Fill them in or drop those rows."
                )
            warnings.warn(
                f"newdata column {col!r} is NaN in {rows} (index labels of newdata): the predictions for those "
                "rows are NaN. Drop or fill those rows.", UserWarning, stacklevel=5,
            )


def _level_text(v: Any) -> str:
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _is_group_column(fit: "BrmsFit", col: str) -> bool:
    # 'gr' of ar()/ma()/cosy(): a new level is a new series
    return any(col in b.group_vars for b in fit.frame.blocks) or col in series_columns(fit)


def _re_selection(fit: "BrmsFit", re_formula) -> dict[int, set[str]]:
    """Which group-level coefficients enter: all (None), none ("~ 0"/NA), or those of a formula."""
    blocks = fit.frame.blocks
    if re_formula is None:
        return {b.id: {c.label for c in b.coefs} for b in blocks}
    if (isinstance(re_formula, float) and math.isnan(re_formula)) or (
        isinstance(re_formula, str) and re_formula.replace(" ", "") in ("~0", "~1", "NA", "")
    ):
        return {}
    if not isinstance(re_formula, str):
        raise BrmsError(f"re_formula must be None, '~ 0' or a formula string such as '~ (1 | g)'; got {re_formula!r}.")
    rhs = re_formula.split("~", 1)[1] if "~" in re_formula else re_formula
    wanted = parse_rhs(rhs, re_formula).group_terms
    chosen: dict[int, set[str]] = {}
    for g in wanted:
        matches = [b for b in blocks if b.group == g.group]
        if not matches:
            raise BrmsError(
                f"re_formula term '{g.label}' names grouping factor {g.group!r}, which the model does not have "
                f"(its groups: {', '.join(b.group for b in blocks)})."
            )
        _, cols = _group_design(g, fit.frame.data)
        names = {n for n, _ in cols}
        for b in matches:
            chosen.setdefault(b.id, set()).update(c.label for c in b.coefs if c.name in names
                                                  and (c.prefix.dpar == "mu" or is_nlpar(fit.frame, c.prefix)))
    return chosen
