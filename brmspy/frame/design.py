"""Design matrices as R's ``model.matrix`` builds them, and rebuilt on new data.

One :class:`DesignSpec` per design (a population-level predictor, the
varying effects of a group-level term, ``cs()`` effects, an sp-interaction
covariate) keeps what is needed to build the same columns on new data: the R
terms, each variable's expression, kind, factor levels and transform state
(``poly`` coefficients, ``scale`` centre and scale: R's ``makepredictcall``),
and brms's column names.  :class:`ModelVariables` is R's model frame: every
variable of every design evaluated once on the data before rows with NAs are
dropped, as ``model.frame(na.action = na.pass)`` and brms's ``na_omit`` do
(so ``mean(x)`` and ``poly(x, 2)`` see every row, as in brms).

Coding follows R's rules exactly (``TermCode`` in R's ``model.c``): a factor in
a term is coded by contrasts when the term without it is among the earlier
terms (or is the intercept), otherwise by one indicator per level; without an
intercept the first factor of the first term containing one gets indicators.
Unordered factors use treatment contrasts, ordered ones ``contr.poly``
(``o.L``, ``o.Q``, ``o.C``, ``o^4``).  Columns of an interaction vary the first
variable fastest.  This is written here rather than delegated to formulaic:
formulaic's structural full-rank rule differs from R's (``~ a:b`` gets an
extra ``b`` column there), and brms's coefficient names come from R's.

Examples
--------
>>> import pandas as pd
>>> from brmspy.formula.rterms import population_terms
>>> df = pd.DataFrame({"Days": [0.0, 1.0, 2.0, 3.0]})
>>> spec, X = DesignSpec.build(population_terms("1 + Days + I(Days^2)"), ModelVariables(df), "y ~ Days + I(Days^2)")
>>> spec.names, X[:, 2].tolist()
(['Intercept', 'Days', 'IDaysE2'], [0.0, 1.0, 4.0, 9.0])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import DataError, FormulaError
from ..formula import rexpr as rx
from ..formula.rterms import RTerms
from .rvalues import Chr, Env, Fct, Lgl, Mat, Value, as_factor, contr_poly, drop_unused, evaluate, recode


@dataclass
class Variable:
    """One variable of a design (``x``, ``I(x^2)``, ``poly(x, 2)``, ``factor(cyl)``) and its training state."""

    key: str  # R's deparse, also its column-name stem
    expr: rx.Expr
    kind: str = "numeric"  # "numeric", "matrix" or "factor"
    colnames: tuple[str, ...] = ("",)  # matrix column suffixes (poly: "1", "2")
    levels: tuple[str, ...] = ()
    ordered: bool = False
    state: dict[str, Any] = field(default_factory=dict)


def na_of(v: Value) -> np.ndarray:
    if isinstance(v, Fct):
        return v.codes < 0
    if isinstance(v, Chr):
        return pd.isna(v.v)
    if isinstance(v, Lgl):
        return np.isnan(v.v)
    if isinstance(v, Mat):
        return np.isnan(v.v).any(axis=1)
    return np.isnan(v)


def _take(v: Value, rows: np.ndarray) -> Value:
    if isinstance(v, Fct):
        return Fct(v.codes[rows], v.levels, v.ordered)
    if isinstance(v, (Chr, Lgl)):
        return type(v)(v.v[rows])
    if isinstance(v, Mat):
        return Mat(v.v[rows], v.colnames)
    return v[rows]


def _full_length(v: Value, n: int, key: str) -> Value:
    """Recycle a length-1 value to ``n`` rows (``I(1)``, ``mean(x)``); other lengths are errors."""
    length = len(v.codes) if isinstance(v, Fct) else len(v.v) if isinstance(v, (Chr, Lgl, Mat)) else len(v)
    if length == n:
        return v
    if length == 1:
        if isinstance(v, Fct):
            return Fct(np.repeat(v.codes, n), v.levels, v.ordered)
        if isinstance(v, (Chr, Lgl)):
            return type(v)(np.repeat(v.v, n))
        if isinstance(v, Mat):
            return Mat(np.repeat(v.v, n, axis=0), v.colnames)
        return np.repeat(v, n)
    raise DataError(f"The variable {key!r} has {length} values but the data have {n} rows.")


class ModelVariables:
    """R's model frame: each variable evaluated once, on the data before NA rows are dropped.

    ``add`` evaluates an expression (once per distinct deparse); ``na_rows``
    says which rows any variable is NA in; ``keep`` subsets every value to
    the model's rows (in their final order).
    """

    def __init__(self, data: pd.DataFrame, where: str = "the formula"):
        self.env = Env(data, where)
        self.values: dict[str, Value] = {}
        self.states: dict[str, dict[str, Any]] = {}
        self.exprs: dict[str, rx.Expr] = {}

    def add(self, expr: rx.Expr, where: str | None = None) -> str:
        key = rx.deparse(expr)
        if key not in self.values:
            self.env.where = f"the formula {where!r}" if where else self.env.where
            state: dict[str, Any] = {}
            value = _full_length(evaluate(expr, self.env, state), self.env.n, key)
            self.values[key], self.states[key], self.exprs[key] = value, state, expr
        return key

    def add_terms(self, rterms: RTerms, where: str) -> None:
        for e in rterms.variables:
            self.add(e, where)

    def na_rows(self) -> np.ndarray:
        out = np.zeros(self.env.n, dtype=bool)
        for v in self.values.values():
            out |= na_of(v)
        return out

    def keep(self, rows: np.ndarray) -> None:
        """Keep the rows at positions ``rows`` (0-based, in the model's order) of every value."""
        self.values = {k: _take(v, rows) for k, v in self.values.items()}
        self.env = Env(self.env.data.iloc[rows].reset_index(drop=True), self.env.where, record=self.env.record)

    @property
    def factor_columns(self) -> dict[str, tuple[tuple[str, ...], bool]]:
        """Categories of the categorical data columns the variables used (for new data)."""
        return dict(self.env.record)


@dataclass
class DesignSpec:
    """One design matrix: R terms, variables with their state, codings and brms column names.

    Build it with :meth:`build` on the model data; :meth:`matrix` gives the
    same columns on new data (the training factor levels, ``poly``
    coefficients and ``scale`` centres), as brms's ``standata(newdata = )``.
    """

    intercept: bool
    terms: tuple[tuple[str, ...], ...]  # variable keys of each term
    codes: tuple[tuple[int, ...], ...]  # per term and variable: 0 numeric, 1 contrasts, 2 indicators
    variables: dict[str, Variable]
    r_names: list[str]  # R's column names ("(Intercept)", "factor(cyl)6", ...)
    names: list[str]  # brms's names ("Intercept", "factorcyl6", ...)
    where: str
    factor_columns: dict[str, tuple[tuple[str, ...], bool]] = field(default_factory=dict)

    @property
    def ncol(self) -> int:
        return len(self.names)

    @property
    def row_dependent(self) -> bool:
        """Whether a row's columns on new data depend on the other rows (``mean(x)``, ``factor(x)`` of text is not).

        ``poly()`` and ``scale()`` at a variable's top level use the training state and are row-wise.
        """
        return any(_aggregates(v.expr, top=True) for v in self.variables.values())

    @property
    def labels(self) -> list[str]:
        """R's term labels (``a:b``)."""
        return [":".join(t) for t in self.terms]

    @classmethod
    def build(cls, rterms: RTerms, mv: ModelVariables, where: str) -> tuple["DesignSpec", np.ndarray]:
        """The design of ``rterms`` from variables already evaluated in ``mv`` (added if missing)."""
        for e in rterms.variables:
            mv.add(e, where)
        order = [rx.deparse(e) for e in rterms.variables]
        variables: dict[str, Variable] = {}
        values: dict[str, Value] = {}
        for key in order:
            v = mv.values[key]
            var = Variable(key, mv.exprs[key], state=mv.states[key])
            if isinstance(v, (Fct, Chr, Lgl)):
                f = as_factor(v)
                if not isinstance(v, Lgl):  # R keeps both levels of a logical; factors lose unused levels
                    f = drop_unused(f)
                var.kind, var.levels, var.ordered = "factor", f.levels, f.ordered
                values[key] = f
            elif isinstance(v, Mat):
                var.kind, var.colnames = "matrix", v.colnames or ("",) * v.v.shape[1]
                if len(var.colnames) != v.v.shape[1]:
                    var.colnames = tuple(str(i) for i in range(1, v.v.shape[1] + 1))
                values[key] = v
            else:
                values[key] = v
            variables[key] = var
        terms = tuple(tuple(rx.deparse(e) for e in t.variables) for t in rterms.terms)
        # brms's '0 + Intercept + ...': its formula keeps R's intercept for the coding and then drops the
        # '(Intercept)' column, so factors get contrasts as with an intercept
        rsv_intercept = not rterms.intercept and "Intercept" in order and isinstance(mv.exprs["Intercept"], rx.Name)
        codes = _codes(terms, order, variables, rterms.intercept or rsv_intercept or not rterms.cmc)  # cmc = FALSE too
        for t, c in zip(terms, codes):
            for key, code in zip(t, c):
                if code == 1 and len(variables[key].levels) < 2:
                    raise DataError(
                        f"The factor {key!r} in {where!r} has only {len(variables[key].levels)} level "
                        f"({', '.join(variables[key].levels) or 'none'}) in the model's rows; contrasts need 2 or "
                        "more levels (R: 'contrasts can be applied only to factors with 2 or more levels'). "
                        "Remove it from the formula or check the data."
                    )
        spec = cls(rterms.intercept, terms, codes, variables, [], [], where, mv.factor_columns)
        X, r_names = spec._encode(values, len(mv.env.data))
        spec.r_names = r_names
        spec.names = [brms_column_name(n) for n in r_names]
        if len(set(spec.names)) != len(spec.names):
            dup = sorted({n for n in spec.names if spec.names.count(n) > 1})
            raise FormulaError(
                f"brms's renaming of the columns of {where!r} gives duplicated names ({', '.join(dup)}); "
                "rename the columns or simplify the terms (brms: 'Internal renaming led to duplicated names')."
            )
        return spec, X

    def _encode(self, values: dict[str, Value], n: int) -> tuple[np.ndarray, list[str]]:
        blocks: list[np.ndarray] = []
        names: list[str] = []
        if self.intercept:
            blocks.append(np.ones((n, 1)))
            names.append("(Intercept)")
        for term, code in zip(self.terms, self.codes):
            mat: np.ndarray | None = None
            cols: list[str] = [""]
            for key, c in zip(term, code):
                block, bnames = self._block(self.variables[key], values[key], c, n)
                if mat is None:
                    mat, cols = block, bnames
                else:  # earlier variables vary fastest, as R's model.matrix
                    mat = (mat[:, None, :] * block[:, :, None]).reshape(n, -1)
                    cols = [f"{a}:{b}" for b in bnames for a in cols]
            blocks.append(mat)
            names.extend(cols)
        X = np.concatenate(blocks, axis=1) if blocks else np.zeros((n, 0))
        return X, names

    @staticmethod
    def _block(var: Variable, value: Value, code: int, n: int) -> tuple[np.ndarray, list[str]]:
        if var.kind == "numeric":
            return np.asarray(value, dtype=float).reshape(n, 1), [var.key]
        if var.kind == "matrix":
            return np.asarray(value.v, dtype=float), [var.key + c for c in var.colnames]
        levels = var.levels
        if code == 1 and var.ordered:
            contr, suffixes = contr_poly(len(levels))
        elif code == 1:
            contr, suffixes = np.eye(len(levels))[:, 1:], levels[1:]
        else:
            contr, suffixes = np.eye(len(levels)), levels
        contr = np.vstack([contr, np.zeros((1, contr.shape[1]))])  # NA (new data): a row of zeros, as brms's zero__
        return contr[value.codes], [var.key + s for s in suffixes]

    # ---------------------------------------------------------------- new data

    def matrix(self, data: pd.DataFrame) -> np.ndarray:
        """The design's columns on new data, with the training levels and transforms.

        Raises
        ------
        DataError
            When ``data`` lacks a column or has factor levels the model data did not.
        """
        env = Env(data.reset_index(drop=True), f"the formula {self.where!r}", factor_levels=self.factor_columns)
        n = len(env.data)
        values: dict[str, Value] = {}
        for key, var in self.variables.items():
            try:
                v = _full_length(evaluate(var.expr, env, var.state), n, key)
            except DataError as e:
                if "is not in the data" in str(e):
                    raise DataError(f"newdata lacks a column needed by {self.where!r}: {e}") from None
                raise
            if var.kind == "factor":
                v = recode(v, var.levels, var.ordered, f"{key!r} in {self.where!r}")
            elif isinstance(v, (Fct, Chr)):
                raise DataError(f"{key!r} was numeric in the model data but is {type(v).__name__.lower()} text "
                                f"in newdata ({self.where!r}); give it numbers.")
            elif var.kind == "numeric" and isinstance(v, Lgl):
                v = v.v
            values[key] = v
        X, _ = self._encode(values, n)
        return X


_AGGREGATES = {"mean", "median", "sd", "var", "min", "max", "sum", "prod", "length", "scale", "poly"}


def _aggregates(e: rx.Expr, top: bool) -> bool:
    """Whether ``e`` computes over rows on new data (a top-level poly()/scale() uses its stored state)."""
    if isinstance(e, rx.Call):
        if e.fn in _AGGREGATES and not (top and e.fn in ("poly", "scale")):
            return True
        return any(_aggregates(a, False) for a in (*e.args, *(v for _, v in e.kwargs)))
    if isinstance(e, rx.BinOp):
        return _aggregates(e.left, False) or _aggregates(e.right, False)
    if isinstance(e, rx.Unary):
        return _aggregates(e.operand, False)
    if isinstance(e, rx.Paren):
        return _aggregates(e.expr, False)
    return False


def _codes(terms: tuple[tuple[str, ...], ...], order: list[str], variables: dict[str, Variable],
           intercept: bool) -> tuple[tuple[int, ...], ...]:
    """R's coding of each variable in each term (``TermCode``): 1 contrasts, 2 indicators, 0 not a factor."""
    sets = [frozenset(t) for t in terms]
    out: list[list[int]] = []
    for j, t in enumerate(terms):
        row = []
        for key in t:
            if variables[key].kind != "factor":
                row.append(0)
                continue
            margin = sets[j] - {key}
            if not margin or any(margin <= sets[i] for i in range(j)):
                row.append(1)
            else:
                row.append(2)
        out.append(row)
    if not intercept:  # the first factor (in variable order) of the first term with a factor: indicators
        done = False
        for j, t in enumerate(terms):
            for key in order:
                if key in t and variables[key].kind == "factor" and len(variables[key].levels) > 1:
                    out[j][t.index(key)] = 2
                    done = True
                    break
            if done:
                break
    return tuple(tuple(r) for r in out)


def brms_column_name(r_name: str) -> str:
    """brms's name of a model-matrix column: ``(Intercept)`` -> ``Intercept``, ``I(x^2)`` -> ``IxE2``.

    Backquotes of non-syntactic names (```my var```) are dropped too, so that names stay usable in Stan.
    """
    return rx.rename(r_name.replace("`", ""))


__all__ = ["DesignSpec", "ModelVariables", "Variable", "brms_column_name"]
