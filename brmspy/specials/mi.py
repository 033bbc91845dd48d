"""Missing-value imputation: ``x | mi() ~ ...`` responses and ``mi(x)`` predictors.

brms keeps the rows where ``x`` is NA and makes the missing values parameters
of the model; ``x`` needs its own sub-model in a multivariate formula::

    bf("y ~ mi(x) + z + (1 | g)") + bf("x | mi() ~ z + (1 | g)")

The response side (:func:`brmspy.frame.response.mi_response_data`,
:func:`brmspy.codegen.likelihood.stan_mi_response`) declares, as brms does::

    int<lower=0> Nmi_x;  array[Nmi_x] int<lower=1> Jmi_x;   // data
    vector[Nmi_x] Ymi_x;                                      // parameters
    vector[N] Yl_x = Y_x;  Yl_x[Jmi_x] = Ymi_x;              // model block

and the response's likelihood uses ``Yl_x``.  Missing values are ``Inf`` in
the Stan data (Stan has no NA; ``min(Y)`` stays unaffected).  The predictor
side is :class:`MiTerm`, one more term sharing ``bsp`` with ``mo()``/``me()``
(:mod:`brmspy.specials.sp`): ``mu_y += bsp_y[k] * Yl_x`` with coefficient
``bsp_y_mix`` (summary row ``y_mix``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd

from ..core.errors import DataError, FormulaError
from ..core.stan import StanBlocks
from ..frame.columns import check_columns, names_in_text
from ..frame.response import resp_name, subset_values
from .sp import SpTerm

if TYPE_CHECKING:
    from ..formula.terms import BrmsTerms

# ------------------------------------------------------------ predictor term


@dataclass
class MiTerm(SpTerm):
    """``mi(x)``: the observed-or-imputed values ``Yl_x`` of the response ``x``, times ``bsp[k]``.

    ``var`` is the column ``x``, ``values`` its values on the model data (NaN where imputed).
    ``mi(x, idx = g)`` (brms: x's sub-model has other rows, ``x | mi() + index(id) + subset(s)``) takes
    for each row the value of x's row whose ``index()`` equals the row's ``g``: ``Yl_x[idxl_y_x_1]``, with
    ``values`` then x's values on x's own rows and ``idxl`` the 1-based positions (brms's ``idxl``).
    """

    kind: ClassVar[str] = "mi"

    var: str = ""
    values: np.ndarray | None = field(default=None, repr=False)
    idx: str | None = None  # the 'idx' column of mi(x, idx = g)
    idx_values: np.ndarray | None = field(default=None, repr=False)  # its values on the predictor's rows
    idxl: np.ndarray | None = field(default=None, repr=False)  # 1-based rows of x matched (set by link)
    idx2: int = 0  # brms's number of the idx among this predictor's idx terms of x (idxl_<resp>_<x>_<idx2>)

    @classmethod
    def build(cls, term, prefix, data, formula):
        if len(term.call.args) != 1 or set(dict(term.call.kwargs)) - {"idx"}:
            raise FormulaError(f"'{term.text}' in {formula!r}: mi() takes one variable and optionally 'idx', "
                               "e.g. 'mi(x)' or 'mi(x, idx = id)'.")
        var = term.call.args[0].strip()
        idx = dict(term.call.kwargs).get("idx")
        if idx is not None:
            idx = idx.strip()
            check_columns([idx], data, f"'{term.text}'")
            return cls(term, prefix, formula, var=var, idx=idx, idx_values=data[idx].to_numpy())
        if var not in data.columns:
            check_columns([var], data, f"'{term.text}'")
        return cls(term, prefix, formula, var=var, values=_numeric(data[var], var, term.text))

    @classmethod
    def link(cls, terms, settings):
        numbers: dict[tuple, list[str]] = {}
        for t in terms:
            if t.idx is None:
                continue
            source = (settings.mi_index or {}).get(t.var)
            if source is None:  # check_mi asked for index() already; no NA in x: brms still matches the index
                raise FormulaError(f"Response {t.var!r} needs to have an 'index' addition term to compare with "
                                   f"'idx' (brms), for '{t.term.text}'.")
            t.values, index, t.source = source
            t.own_subset = t.prefix.resp in settings.subsetted
            pos = pd.Index(index).get_indexer(pd.Index(t.idx_values))
            if (pos < 0).any():
                raise DataError(f"Could not match all indices in response {t.var!r} (brms): values of {t.idx!r} "
                                f"such as {t.idx_values[pos < 0][0]} are not in the index() of {t.var!r}.")
            t.idxl = pos.astype(np.int64) + 1
            seen = numbers.setdefault((t.prefix, t.var), [])
            if t.idx not in seen:
                seen.append(t.idx)
            t.idx2 = seen.index(t.idx) + 1

    @property
    def idxl_name(self) -> str:
        return f"idxl{self.s}_{resp_name(self.var)}_{self.idx2}"

    @classmethod
    def stan_kind(cls, terms, priors):
        sb = StanBlocks()
        for t in terms:
            if t.idx is not None and t.idxl_name not in sb.values:
                sb.declare(f"array[N] int {t.idxl_name}", t.idxl_name, t.idxl, "matching indices")
        return sb

    def expression(self) -> str:
        yl = f"Yl_{resp_name(self.var)}"
        return yl if self.idx is None else f"{yl}[{self.idxl_name}]"

    def new_columns(self, data):
        if self.idx is not None:
            return self._matched_new_values(data)
        if self.var not in data.columns:
            raise DataError(f"newdata needs column {self.var!r} of '{self.term.text}'.")
        values = _numeric(data[self.var], self.var, self.term.text)
        if np.isnan(values).any():
            raise DataError(
                f"newdata has missing values in {self.var!r}, used by '{self.term.text}'; only the model's own data "
                "are imputed. Fill them in, or drop those rows."
            )
        return values

    def _matched_new_values(self, data: pd.DataFrame) -> np.ndarray:
        """brms on new data: x's rows of ``data`` (x's subset), matched by x's ``index()`` to the rows' ``idx``."""
        if self.own_subset:  # the new rows of x may lie outside this response's subset: brms reads all of newdata
            raise DataError(f"Predictions on new data with '{self.term.text}' in a response with its own subset() are "
                            "not supported by brmspy yet; predict the model's own rows (newdata=None).")
        index_col = self.source.response.addition("index").args.get("x", "").strip()
        sub = self.source.response.addition("subset")
        needed = [self.var, self.idx, index_col, *(names_in_text(sub.args.get("x", "")) if sub is not None else [])]
        missing = [c for c in dict.fromkeys(needed) if c not in data.columns and c not in ("TRUE", "FALSE")]
        if missing:
            raise DataError(f"newdata needs the column(s) {', '.join(map(repr, missing))} for '{self.term.text}' "
                            f"(brms matches {self.idx!r} to the index() of {self.var!r}'s rows of newdata).")
        rows = data if sub is None else data[subset_values(self.source, data.reset_index(drop=True))]
        values = _numeric(rows[self.var], self.var, self.term.text)
        if np.isnan(values).any():
            raise DataError(f"newdata has missing values in {self.var!r}, used by '{self.term.text}'; only the model's "
                            "own data are imputed. Fill them in, or drop those rows.")
        index = rows[index_col].to_numpy()
        if pd.Series(index).duplicated().any():
            raise DataError(f"Index of response {self.var!r} contains duplicated values in newdata.")
        pos = pd.Index(index).get_indexer(pd.Index(data[self.idx].to_numpy()))
        if (pos < 0).any():
            raise DataError(f"Could not match all indices in response {self.var!r} (brms): values of {self.idx!r} in "
                            f"newdata such as {data[self.idx].to_numpy()[pos < 0][0]} are not in the index() of "
                            f"{self.var!r}'s rows of newdata.")
        return values[pos]

    def value(self, param, columns=None):
        if columns is not None:
            return columns[None, :]
        values = self.values
        missing = np.flatnonzero(np.isnan(values))
        if not missing.size:
            Yl = values[None, :]
        else:
            Ymi = param(f"Ymi_{resp_name(self.var)}")  # (S, Nmi), in row order as Jmi
            Yl = np.repeat(values[None, :], Ymi.shape[0], axis=0)
            Yl[:, missing] = Ymi
        return Yl if self.idxl is None else Yl[:, self.idxl - 1]


def _numeric(col: pd.Series, var: str, text: str) -> np.ndarray:
    if isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
        raise DataError(f"'{text}' needs a numeric column, but {var!r} is not numeric.")
    return np.asarray(col, dtype=float)


__all__ = ["MiTerm",]
