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

import re
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..core.errors import DataError, FamilyError, FormulaError
from .sp import SpTerm, sp_term

if TYPE_CHECKING:
    from ..core.stan import StanBlocks
    from ..formula.terms import BrmsTerms
    from ..frame.build import ResponseData

#: Stan bounds of the imputed values per response kind of the family
_BOUNDS = {"real": "", "positive": "<lower=0>", "unit": "<lower=0,upper=1>"}


def resp_name(expr: str) -> str:
    """brms's response name of a column in multivariate models (non-alphanumerics dropped)."""
    return re.sub(r"[^A-Za-z0-9]", "", expr)


def _mi_responses(resp_terms: list["BrmsTerms"]) -> dict[str, "BrmsTerms"]:
    """Response column -> terms, for responses with ``| mi()``."""
    return {t.response.expr: t for t in resp_terms if t.response.addition("mi") is not None}


def _mi_calls(terms) -> list:
    """The ``mi(x)`` terms among special terms, including those inside products such as ``mi(x):z``."""
    from ..formula.syntax import parse_call
    from ..formula.terms import SpecialTerm

    out = []
    for s in terms:
        if s.kind == "mi":
            out.append(s)
        elif s.kind == "sp":
            calls = [parse_call(f) for f in s.factors]
            out += [SpecialTerm("mi", c) for c in calls if c is not None and c.name == "mi"]
    return out


def _mi_predictors(resp_terms: list["BrmsTerms"]) -> list[tuple[str, str]]:
    """(variable, formula) of every ``mi(x)`` predictor term."""
    out = []
    for t in resp_terms:
        for part in t.parts.values():
            for s in _mi_calls(part.terms.special_terms):
                if len(s.call.args) != 1 or s.call.kwargs:
                    raise FormulaError(
                        f"'{s.text}' in {part.formula!r}: mi() takes one variable, e.g. 'mi(x)' "
                        "(brms's mi(x, idx) is not supported)."
                    )
                out.append((s.call.args[0].strip(), part.formula))
    return out


# ----------------------------------------------------------------- data stage


def check_mi(resp_terms: list["BrmsTerms"], data: pd.DataFrame) -> None:
    """Validate ``mi()`` use before NA rows are dropped.

    ``mi(x)`` needs a sub-model ``x | mi() ~ ...``; ``| mi()`` needs a
    continuous family; ``| mi()`` on a column without NAs warns.
    """
    mi_resp = _mi_responses(resp_terms)
    for var, formula in _mi_predictors(resp_terms):
        if var not in mi_resp:
            raise FormulaError(
                f"mi({var}) in {formula!r} needs a model for {var!r}: add bf(\"{var} | mi() ~ <predictors>\") "
                f"to the formula, e.g. bf({formula!r}) + bf(\"{var} | mi() ~ 1\")."
            )
    for expr, t in mi_resp.items():
        mi = t.response.addition("mi")
        if mi.args:
            raise FormulaError(
                f"'{t.response.expr} | {mi.text}': mi() with measurement error (sdy) is not supported yet; use 'mi()'."
            )
        fam = t.family
        if fam.spec.special or fam.spec.response not in _BOUNDS:
            raise FamilyError(
                f"'{expr} | mi()' imputes continuous values, so family {fam.name!r} cannot be used; "
                f"use a continuous family such as gaussian, student, lognormal or beta."
            )
        if expr in data.columns and not data[expr].isna().any():
            warnings.warn(
                f"'{expr} | mi()' is used, but column {expr!r} has no missing values: nothing is imputed. "
                "Remove '| mi()' (and mi() around the predictor) unless new data will have NAs.",
                UserWarning,
                stacklevel=4,
            )


def mi_kept_columns(resp_terms: list["BrmsTerms"]) -> set[str]:
    """Columns whose NA rows are kept (imputed): responses with ``| mi()`` not used elsewhere as plain data."""
    from ..frame.build import _names_in

    kept = set(_mi_responses(resp_terms))
    if not kept:
        return kept
    plain: set[str] = set()
    for t in resp_terms:
        for a in t.response.additions:
            for v in a.args.values():
                plain.update(_names_in(v))
        for nl in t.nonlinear.values():
            plain.update(nl.covariates)
        for part in t.parts.values():
            lt = part.terms
            for text in lt.population:
                plain.update(_names_in(text))
            for g in lt.group_terms:
                plain.update(_names_in(g.expr))
                plain.update(g.group_vars)
            for s in lt.special_terms:
                if s.kind == "sp":  # mi(x):z: z is plain data, x is imputed
                    plain.update(n for f in s.factors if not f.startswith("mi(") for n in _names_in(f))
                elif s.kind != "mi":
                    plain.update(_names_in(s.text))
    return kept - plain


def mi_response_data(t: "BrmsTerms", y_raw: pd.Series) -> "ResponseData":
    """The response of ``y | mi()``: observed values checked for the family, NaN where missing."""
    from ..frame.build import ResponseData

    y_raw = pd.Series(y_raw).reset_index(drop=True)
    miss = y_raw.isna().to_numpy()
    y = np.full(len(y_raw), np.nan)
    if (~miss).any():
        y[~miss] = t.family.check_response(y_raw[~miss], t.response.expr)
    return ResponseData(t.response.expr, y, missing=np.flatnonzero(miss))


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
            from ..frame.build import _check_columns

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


__all__ = ["MiTerm", "check_mi", "mi_kept_columns", "mi_response_data", "stan_mi_response"]
