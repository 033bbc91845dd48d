"""Missing-value imputation: ``x | mi() ~ ...`` responses and ``mi(x)`` predictors.

brms keeps the rows where ``x`` is NA and makes the missing values parameters
of the model; ``x`` needs its own sub-model in a multivariate formula::

    bf("y ~ mi(x) + z + (1 | g)") + bf("x | mi() ~ z + (1 | g)")

The response side (:func:`mi_response_data`, :func:`stan_mi_response`)
declares, as brms does::

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

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..core.errors import DataError, FormulaError
from ..frame.response import _BOUNDS, resp_name
from .sp import SpTerm, sp_term

if TYPE_CHECKING:
    from ..core.stan import StanBlocks
    from ..formula.terms import BrmsTerms
    from ..frame.types import ResponseData


# ----------------------------------------------------------------- data stage


# ----------------------------------------------------------------- Stan code


def stan_mi_response(sb: "StanBlocks", t: "BrmsTerms", rd: "ResponseData") -> None:
    """Add the missing-value parameters of ``y | mi()`` to the response piece ``sb`` (in place)."""
    s = f"_{t.resp}" if t.resp else ""
    y = np.asarray(rd.y, dtype=float)
    sb.values[f"Y{s}"] = np.where(np.isnan(y), np.inf, y)  # Stan data has no NA
    sb.declare(f"int<lower=0> Nmi{s}", f"Nmi{s}", len(rd.missing), "number of missings")
    sb.declare(f"array[Nmi{s}] int<lower=1> Jmi{s}", f"Jmi{s}", np.asarray(rd.missing, dtype=np.int64) + 1,
               "positions of missings")
    sb.par.append(f"vector{_BOUNDS[t.family.spec.response]}[Nmi{s}] Ymi{s};  // estimated missings")
    sb.model_def += ["// vector combining observed and missing responses", f"vector[N] Yl{s} = Y{s};"]
    sb.model_comp.append(f"Yl{s}[Jmi{s}] = Ymi{s};")


# ------------------------------------------------------------ predictor term


@sp_term("mi")
@dataclass
class MiTerm(SpTerm):
    """``mi(x)``: the observed-or-imputed values ``Yl_x`` of the response ``x``, times ``bsp[k]``."""

    @property
    def var(self) -> str:
        return self.info["var"]

    @classmethod
    def build(cls, term, prefix, data, formula):
        if len(term.call.args) != 1 or term.call.kwargs:
            raise FormulaError(f"'{term.text}' in {formula!r}: mi() takes one variable, e.g. 'mi(x)'.")
        var = term.call.args[0].strip()
        if var not in data.columns:
            from ..frame.columns import _check_columns

            _check_columns([var], data, f"'{term.text}'")
        out = cls(term, prefix, formula)
        out.info["var"] = var
        out.info["values"] = _numeric(data[var], var, term.text)
        return out

    def expression(self) -> str:
        return f"Yl_{resp_name(self.var)}"

    def value(self, param, data):
        if data is None:
            values = self.info["values"]
            missing = np.flatnonzero(np.isnan(values))
            if not missing.size:
                return values[None, :]
            Ymi = param(f"Ymi_{resp_name(self.var)}")  # (S, Nmi), in row order as Jmi
            Yl = np.repeat(values[None, :], Ymi.shape[0], axis=0)
            Yl[:, missing] = Ymi
            return Yl
        if self.var not in data.columns:
            raise DataError(f"newdata needs column {self.var!r} of '{self.term.text}'.")
        values = _numeric(data[self.var], self.var, self.term.text)
        if np.isnan(values).any():
            raise DataError(
                f"newdata has missing values in {self.var!r}, used by '{self.term.text}'; only the model's own data "
                "are imputed. Fill them in, or drop those rows."
            )
        return values[None, :]


def _numeric(col: pd.Series, var: str, text: str) -> np.ndarray:
    if isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
        raise DataError(f"'{text}' needs a numeric column, but {var!r} is not numeric.")
    return np.asarray(col, dtype=float)


__all__ = ["MiTerm", "stan_mi_response"]
