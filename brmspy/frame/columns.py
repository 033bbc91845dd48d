"""Columns of the data with R's meanings: evaluation, checks, factor levels and group indices."""

from __future__ import annotations

import difflib
import re

import numpy as np
import pandas as pd

from ..core.errors import DataError
from ..core.levels import combined_group_index, labels_per_row
from ..formula.rexpr import parse_expr
from .rvalues import Env, as_series, evaluate, level_label, numeric_values

_IDENT = re.compile(r"`[^`]*`|[A-Za-z_.][A-Za-z0-9_.]*")


def names_in_text(text: str) -> list[str]:
    """Names (identifiers, backquoted names unquoted) in an R expression's text, in order: candidate columns."""
    return [m.group(0).strip("`") for m in _IDENT.finditer(text)]


def check_columns(names: list[str], data: pd.DataFrame, where: str) -> None:
    """A DataError naming the first of ``names`` that is not a column of ``data`` (and close matches)."""
    for name in names:
        if name not in data.columns:
            close = difflib.get_close_matches(name, [str(c) for c in data.columns], n=3)
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise DataError(f"Column {name!r} used in {where} is not in the data.{hint}")


def eval_column(expr: str, data: pd.DataFrame, where: str) -> pd.Series:
    """A column, or an R expression of columns evaluated with R's meanings (never Python's)."""
    if expr in data.columns:
        col = data[expr]
        if isinstance(col, pd.DataFrame):
            raise DataError(f"The data have several columns named {expr!r}; give each column a unique name.")
        return col
    e = parse_expr(expr, where)
    return as_series(evaluate(e, Env(data, where)), len(data), expr)


def addition_values(expr: str, data: pd.DataFrame, where: str) -> np.ndarray:
    """Numeric values of an addition-term argument (``trials(n)``, ``weights(w / 2)``, a number)."""
    try:
        return np.full(len(data), float(expr))
    except ValueError:
        pass
    return numeric_values(parse_expr(expr, where), Env(data, where), where)


def response_weights(t, data: pd.DataFrame) -> np.ndarray | None:
    """The values of the response's ``weights()`` addition term (None without one); they must be non-negative."""
    weights = t.response.addition("weights")
    if weights is None:
        return None
    w = addition_values(weights.args["w"], data, "weights()")
    if np.any(w < 0):
        raise DataError("weights() must be non-negative.")
    return w


def levels_of(values: pd.Series) -> list:
    """Sorted distinct values of a grouping column (a categorical's used categories, in their order).

    Linear in the rows for every dtype: one factorisation, then a sort of the
    distinct values only.  Strings sort by code point (R's order under
    ``LC_COLLATE=C``); numbers numerically; bools FALSE < TRUE.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        used = np.zeros(len(values.cat.categories) + 1, dtype=bool)
        used[values.cat.codes.to_numpy()] = True  # code -1 marks the trailing slot
        return [c for c, u in zip(values.cat.categories, used[:-1]) if u]
    uniq = pd.unique(values.dropna().to_numpy(dtype=object) if values.dtype != object else values.dropna())
    return sorted(uniq, key=lambda v: (isinstance(v, str), v))


def group_index(data: pd.DataFrame, group_vars: tuple[str, ...]) -> tuple[np.ndarray, list[str]]:
    """1-based level index per row and the level labels (``a_b`` for ``a:b``).

    Linear in the rows for every dtype (int, object, ``str``, ``string``,
    ``string[pyarrow]``, categorical): codes come from one factorisation and
    only the distinct values are sorted.
    """
    if len(group_vars) == 1:
        col = data[group_vars[0]]
        if isinstance(col.dtype, pd.CategoricalDtype):
            raw = col.cat.codes.to_numpy().astype(np.int64)
            cats = list(col.cat.categories)
            used = np.zeros(len(cats) + 1, dtype=bool)
            used[raw] = True
            keep = np.flatnonzero(used[:-1])  # R's drop.unused.levels, category order kept
            remap = np.full(len(cats) + 1, -1, dtype=np.int64)
            remap[keep] = np.arange(len(keep))
            return remap[raw] + 1, [level_label(cats[i]) for i in keep]
        codes, uniques = pd.factorize(col, sort=False)
        values = list(uniques)
        order = sorted(range(len(values)), key=lambda i: (isinstance(values[i], str), values[i]))
        rank = np.empty(len(values), dtype=np.int64)
        rank[order] = np.arange(len(values))
        return rank[codes] + 1, [level_label(values[i]) for i in order]

    return combined_group_index(data, group_vars)


def level_labels(data: pd.DataFrame, group_vars: tuple[str, ...]) -> np.ndarray:
    """Level label of every row, as :func:`group_index` names levels (for new data)."""
    return labels_per_row(data, group_vars, level_label if len(group_vars) == 1 else str)


def known_level_index(data: pd.DataFrame, column: str, labels: list[str], term: str, owner: str) -> np.ndarray:
    """0-based position of each row's level of ``column`` among the model's ``labels`` (new data).

    ``term`` names the formula term (``"thres(gr = g)"``) and ``owner`` what exists per level (``"the
    thresholds"``): a missing column or a level the model never saw is a DataError naming both.
    """
    if column not in data.columns:
        raise DataError(f"The new data need the column {column!r} of {term}.")
    rows = level_labels(data, (column,))
    pos = {lv: i for i, lv in enumerate(labels)}
    out = np.array([pos.get(lv, -1) for lv in rows], dtype=np.int64)
    if np.any(out < 0):
        bad = sorted({str(lv) for lv in rows if lv not in pos})
        raise DataError(f"New levels of {column!r} in {term}: {', '.join(bad)}; {owner} exist only for the "
                        "model's groups.")
    return out
