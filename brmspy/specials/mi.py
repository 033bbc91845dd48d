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
from typing import ClassVar

import numpy as np
import pandas as pd

from ..core.errors import DataError, FormulaError
from ..frame.columns import check_columns
from ..frame.response import resp_name
from .sp import SpTerm

# ------------------------------------------------------------ predictor term


@dataclass
class MiTerm(SpTerm):
    """``mi(x)``: the observed-or-imputed values ``Yl_x`` of the response ``x``, times ``bsp[k]``.

    ``var`` is the column ``x``, ``values`` its values on the model data (NaN where imputed).
    """

    kind: ClassVar[str] = "mi"

    var: str = ""
    values: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def build(cls, term, prefix, data, formula):
        if len(term.call.args) != 1 or term.call.kwargs:
            raise FormulaError(f"'{term.text}' in {formula!r}: mi() takes one variable, e.g. 'mi(x)'.")
        var = term.call.args[0].strip()
        if var not in data.columns:
            check_columns([var], data, f"'{term.text}'")
        return cls(term, prefix, formula, var=var, values=_numeric(data[var], var, term.text))

    def expression(self) -> str:
        return f"Yl_{resp_name(self.var)}"

    def new_columns(self, data):
        if self.var not in data.columns:
            raise DataError(f"newdata needs column {self.var!r} of '{self.term.text}'.")
        values = _numeric(data[self.var], self.var, self.term.text)
        if np.isnan(values).any():
            raise DataError(
                f"newdata has missing values in {self.var!r}, used by '{self.term.text}'; only the model's own data "
                "are imputed. Fill them in, or drop those rows."
            )
        return values

    def value(self, param, columns=None):
        if columns is not None:
            return columns[None, :]
        values = self.values
        missing = np.flatnonzero(np.isnan(values))
        if not missing.size:
            return values[None, :]
        Ymi = param(f"Ymi_{resp_name(self.var)}")  # (S, Nmi), in row order as Jmi
        Yl = np.repeat(values[None, :], Ymi.shape[0], axis=0)
        Yl[:, missing] = Ymi
        return Yl


def _numeric(col: pd.Series, var: str, text: str) -> np.ndarray:
    if isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
        raise DataError(f"'{text}' needs a numeric column, but {var!r} is not numeric.")
    return np.asarray(col, dtype=float)


__all__ = ["MiTerm",]
