"""Evaluate a checked R expression on a DataFrame with R's meanings.

The formula layer (:mod:`brmspy.formula.rexpr`) has already parsed the
expression and checked every function against its allow-list; here the tree
is walked with numpy, vectorised over rows.  Values are R's kinds:

- numeric: a float array (length 1 recycles, as R's scalars do);
- :class:`Lgl` (logical, NA as NaN): comparisons, ``&``, ``|``, ``!``, ``%in%``;
- :class:`Chr` (character): string columns and string literals;
- :class:`Fct` (factor, possibly ordered): ``factor()``, categorical columns;
- :class:`Mat` (numeric matrix): ``poly()``, ``scale()``, ``cbind()``.

``^`` is power, ``%%`` R's modulo, ``%/%`` integer division; ``mean(x)`` and
friends are scalars that broadcast; ``poly()`` is R's orthogonal polynomial
basis exactly; ``as.numeric(f)`` of a factor gives its codes, as in R.

Where R keeps state for new data (``makepredictcall``: ``poly`` coefficients,
``scale`` centre and scale) a variable's top-level call records it in a
state dict, and the same dict makes new data use the training transform
(:mod:`brmspy.frame.design`).  Written by hand (not formulaic or patsy) because
those evaluate Python, not R, and give ``^`` Python's meaning.

Examples
--------
>>> import pandas as pd
>>> from brmspy.formula.rexpr import parse_expr
>>> df = pd.DataFrame({"x": [1.0, 2.0, 3.0]})
>>> evaluate(parse_expr("I(x^2 - mean(x))"), Env(df)).tolist()
[-1.0, 2.0, 7.0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..core.errors import DataError, FormulaError
from ..core.lazy import lazy_module
from ..formula import rexpr as rx

sps = lazy_module("scipy.special")  # imported at first use: brmspy.core.lazy

# ------------------------------------------------------------------ values


@dataclass
class Lgl:
    """An R logical vector: 1.0 TRUE, 0.0 FALSE, NaN NA."""

    v: np.ndarray


@dataclass
class Chr:
    """An R character vector (object array of str, None for NA)."""

    v: np.ndarray


@dataclass
class Fct:
    """An R factor: 0-based codes (-1 for NA) and level labels."""

    codes: np.ndarray
    levels: tuple[str, ...]
    ordered: bool = False

    def labels(self) -> np.ndarray:
        lv = np.array(list(self.levels) + [None], dtype=object)
        return lv[self.codes]  # code -1 picks the trailing None


@dataclass
class Mat:
    """A numeric matrix (rows, k) with R's column names (``poly`` gives "1", "2"; ``scale`` none)."""

    v: np.ndarray
    colnames: tuple[str, ...] | None = None


Value = np.ndarray | Lgl | Chr | Fct | Mat

# -------------------------------------------------------------- labelling


def level_label(v: Any) -> str:
    """A value as a factor level label, as R's ``as.character`` gives it (whole numbers without ``.0``)."""
    if isinstance(v, (bool, np.bool_)):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if f.is_integer() and abs(f) < 1e15:
            return str(int(f))
        return rx.format_number(f)
    return str(v)


def _sorted_unique_strings(values: np.ndarray) -> list[str]:
    """Distinct non-NA strings, sorted by code point (R's order under LC_COLLATE=C)."""
    u = pd.unique(pd.Series(values, dtype=object).dropna())
    return sorted(str(s) for s in u)


# ---------------------------------------------------------------- columns


def _is_text_dtype(dtype) -> bool:
    return isinstance(dtype, pd.StringDtype) or (pd.api.types.is_string_dtype(dtype) and dtype != object)


def column_value(col: pd.Series, name: str) -> Value:
    """A data column as an R value: numbers, logicals, characters or a factor.

    Every string-like pandas dtype (object of str, ``str``, ``string``,
    ``string[pyarrow]``) is character, categoricals are factors (ordered kept),
    bool and ``boolean`` are logical.  Dates and other types are refused with
    the conversion to write.
    """
    dtype = col.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        cats = list(dtype.categories)
        return Fct(col.cat.codes.to_numpy().astype(np.int64), tuple(level_label(c) for c in cats), bool(dtype.ordered))
    if pd.api.types.is_bool_dtype(dtype):
        return Lgl(col.to_numpy(dtype=float, na_value=np.nan))
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        return col.to_numpy(dtype=float, na_value=np.nan)
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype) \
            or isinstance(dtype, (pd.PeriodDtype, pd.IntervalDtype)):
        raise DataError(
            f"Column {name!r} has dtype {dtype}, which a formula cannot use as a predictor. Convert it to numbers "
            f"first, e.g. df['{name}_days'] = (df['{name}'] - df['{name}'].min()).dt.days, or to a factor with "
            f"df['{name}'].astype(str)."
        )
    if _is_text_dtype(dtype):
        return Chr(col.to_numpy(dtype=object, na_value=None))
    if dtype == object:
        values = col.to_numpy(dtype=object)
        present = pd.Series(values).dropna()
        kinds = {type(v) for v in present.head(10_000)} if len(present) else {str}
        if all(issubclass(k, str) for k in kinds):
            return Chr(np.where(pd.isna(values), None, values))
        if all(issubclass(k, (bool, np.bool_)) for k in kinds):
            return Lgl(pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float))
        if all(issubclass(k, (int, float, np.integer, np.floating)) and not issubclass(k, (bool, np.bool_))
               for k in kinds):
            return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
        names = sorted({k.__name__ for k in kinds})
        raise DataError(
            f"Column {name!r} (dtype object) mixes values of types {', '.join(names)}; give it one type, "
            f"e.g. df['{name}'].astype(str) for a factor or pd.to_numeric(df['{name}']) for numbers."
        )
    raise DataError(f"Column {name!r} has dtype {dtype}, which formulas cannot use; convert it to numbers or strings.")


# -------------------------------------------------------------- environment


@dataclass
class Env:
    """Where names are looked up: the data, R's constants and brms's ``Intercept``.

    ``factor_levels`` holds the training categories of categorical columns, so
    that new data code them as the model data did (brms's
    ``validate_newdata``); ``record`` collects those of the model data.
    """

    data: pd.DataFrame
    where: str = "the formula"
    factor_levels: dict[str, tuple[tuple[str, ...], bool]] | None = None
    record: dict[str, tuple[tuple[str, ...], bool]] = field(default_factory=dict)
    cache: dict[str, Value] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.data)

    def column(self, name: str) -> Value:
        if name in self.cache:
            return self.cache[name]
        if name in self.data.columns:
            col = self.data[name]
            if isinstance(col, pd.DataFrame):
                raise DataError(f"The data have several columns named {name!r}; give each column a unique name.")
            value = column_value(col, name)
            if isinstance(value, Fct) or (self.factor_levels and name in self.factor_levels
                                          and isinstance(value, (Chr, Lgl))):
                value = self._known_levels(name, value)
        elif name == "Intercept":  # brms's reserved variable: '0 + Intercept + x'
            value = np.ones(self.n)
        elif name in rx.CONSTANTS and name not in ("NULL",):
            c = rx.CONSTANTS[name]
            value = Lgl(np.array([float(c)])) if isinstance(c, bool) or name == "NA" else np.array([float(c)])
        else:
            import difflib

            close = difflib.get_close_matches(name, [str(c) for c in self.data.columns], n=3)
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise DataError(f"Column {name!r} used in {self.where} is not in the data.{hint}")
        self.cache[name] = value
        return value

    def _known_levels(self, name: str, value: Value) -> Fct:
        if self.factor_levels is not None and name in self.factor_levels:
            levels, ordered = self.factor_levels[name]
            return recode(value, levels, ordered, f"column {name!r} in {self.where}")
        self.record[name] = (value.levels, value.ordered)
        return value


def recode(value: Value, levels: tuple[str, ...], ordered: bool, what: str) -> Fct:
    """``value`` as a factor with the given levels; labels outside them are an error (brms: no new levels)."""
    labels = as_labels(value)
    idx = pd.Index(list(levels)).get_indexer(pd.Series(labels, dtype=object).where(pd.notna(labels), None))
    bad = (idx < 0) & pd.notna(labels)
    if bad.any():
        new = sorted({str(v) for v in labels[bad]})
        raise DataError(
            f"New factor levels are not allowed ({what}): {', '.join(new[:10])} were not in the model data. "
            f"Levels allowed: {', '.join(levels)}."
        )
    return Fct(idx.astype(np.int64), tuple(levels), ordered)


def as_labels(value: Value) -> np.ndarray:
    """Labels of a factor-like value as an object array (None for NA)."""
    if isinstance(value, Fct):
        return value.labels()
    if isinstance(value, Chr):
        return value.v
    if isinstance(value, Lgl):
        out = np.full(len(value.v), None, dtype=object)
        out[value.v == 1] = "TRUE"
        out[value.v == 0] = "FALSE"
        return out
    arr = np.asarray(_num(value, "as.character"), dtype=float)
    return np.array([None if math.isnan(v) else level_label(v) for v in arr], dtype=object)


# ---------------------------------------------------------------- helpers


def _num(v: Value, what: str) -> np.ndarray:
    """A value as numbers (logicals are 0/1), or R's error for factors and characters."""
    if isinstance(v, np.ndarray):
        return v
    if isinstance(v, Lgl):
        return v.v
    if isinstance(v, Mat):
        return v.v[:, 0] if v.v.shape[1] == 1 else v.v
    if isinstance(v, Fct):
        raise FormulaError(f"'{what}' is not meaningful for factors (R: 'not meaningful for factors'); "
                           "use as.numeric() for the level codes or compare with '==' first.")
    raise FormulaError(f"'{what}' needs numbers but got text (R: 'non-numeric argument'); convert the column "
                       "to numbers in pandas first.")


def _lgl(v: Value, what: str) -> np.ndarray:
    if isinstance(v, Lgl):
        return v.v
    if isinstance(v, np.ndarray):
        return np.where(np.isnan(v), np.nan, (v != 0).astype(float))
    raise FormulaError(f"'{what}' needs logical values (TRUE/FALSE), not {_kind(v)}.")


def _kind(v: Value) -> str:
    return {Lgl: "logicals", Chr: "text", Fct: "a factor", Mat: "a matrix"}.get(type(v), "numbers")


def _length(v: Value) -> int:
    if isinstance(v, Fct):
        return len(v.codes)
    if isinstance(v, (Lgl, Chr, Mat)):
        return len(v.v)
    return len(v)


def _scalar(v: Value, what: str) -> float:
    a = _num(v, what)
    if np.ndim(a) != 1 or len(a) != 1:
        raise FormulaError(f"{what} must be a single number.")
    return float(a[0])


def _const_bool(v: Value, what: str) -> bool:
    a = _lgl(v, what) if not isinstance(v, Chr) else None
    if a is None or len(a) != 1 or math.isnan(a[0]):
        raise FormulaError(f"{what} must be TRUE or FALSE.")
    return bool(a[0])


def _na_free(a: np.ndarray, fn: str, na_rm: bool) -> np.ndarray:
    if na_rm:
        return a[~np.isnan(a)]
    if np.isnan(a).any():
        raise DataError(
            f"{fn}() is taken over a variable with missing values, so it is NA in R and brms would drop every row. "
            f"Drop the rows with NAs first, write {fn}(x, na.rm = TRUE), or compute the column in pandas."
        )
    return a


# ------------------------------------------------------------ polynomials


def poly_fit(x: np.ndarray, degree: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """R's ``poly(x, degree)``: orthonormal polynomial columns and their ``coefs`` (alpha, norm2)."""
    n_unique = len(np.unique(x))
    if degree >= n_unique:
        raise DataError(f"'degree' must be less than number of unique points (poly of degree {degree} "
                        f"on {n_unique} distinct values).")
    xbar = x.mean()
    xc = x - xbar
    X = np.vander(xc, degree + 1, increasing=True)
    q, r = np.linalg.qr(X)
    if np.linalg.matrix_rank(X) < degree + 1:
        raise DataError("'degree' must be less than number of unique points.")
    Z = q * np.diag(r)  # Q diag(R): does not depend on the QR's sign convention
    norm2 = (Z ** 2).sum(axis=0)
    alpha = ((xc[:, None] * Z ** 2).sum(axis=0) / norm2 + xbar)[:degree]
    norm2 = np.concatenate([[1.0], norm2])
    Z = Z / np.sqrt(norm2[1:])
    return Z[:, 1:], {"alpha": alpha, "norm2": norm2}


def poly_predict(x: np.ndarray, degree: int, coefs: dict[str, np.ndarray]) -> np.ndarray:
    """R's ``poly(x, degree, coefs = )``: the training basis evaluated at new ``x`` (three-term recurrence)."""
    alpha, norm2 = coefs["alpha"], coefs["norm2"]
    Z = np.ones((len(x), degree + 1))
    Z[:, 1] = x - alpha[0]
    for i in range(1, degree):
        Z[:, i + 1] = (x - alpha[i]) * Z[:, i] - (norm2[i + 1] / norm2[i]) * Z[:, i - 1]
    Z = Z / np.sqrt(norm2[1:])
    return Z[:, 1:]


def contr_poly(n: int) -> tuple[np.ndarray, tuple[str, ...]]:
    """R's ``contr.poly(n)`` and its column names (``.L``, ``.Q``, ``.C``, ``^4``, ...)."""
    Z, _ = poly_fit(np.arange(1.0, n + 1), n - 1)
    names = [".L", ".Q", ".C"][: n - 1] + [f"^{k}" for k in range(4, n)]
    return Z, tuple(names)


# -------------------------------------------------------------- factors


def make_factor(x: Value, levels: Value | None = None, labels: Value | None = None, ordered: bool = False,
                exclude_na: bool = True) -> Fct:
    """R's ``factor()``: levels sorted (numbers numerically, text by code point) unless given."""
    if isinstance(x, Mat):
        raise FormulaError("factor() of a matrix is not supported.")
    if levels is None:
        if isinstance(x, Fct):
            present = np.unique(x.codes[x.codes >= 0])
            lv = tuple(x.levels[i] for i in present)
            remap = np.full(len(x.levels) + 1, -1, dtype=np.int64)
            remap[present] = np.arange(len(present))
            out = Fct(remap[x.codes], lv, ordered or x.ordered)
        elif isinstance(x, (np.ndarray, Lgl)):
            a = x.v if isinstance(x, Lgl) else x
            u = np.unique(a[~np.isnan(a)])
            codes = np.searchsorted(u, a)
            codes = np.where(np.isnan(a), -1, codes).astype(np.int64)
            names = tuple(("TRUE" if v else "FALSE") for v in u) if isinstance(x, Lgl) else tuple(level_label(v) for v in u)
            out = Fct(codes, names, ordered)
        else:
            lv = tuple(_sorted_unique_strings(x.v))
            out = recode(x, lv, ordered, "factor()")
    else:
        lv_labels = as_labels(levels) if not isinstance(levels, np.ndarray) else np.array(
            [level_label(v) for v in levels], dtype=object)
        lv = tuple(str(v) for v in lv_labels)
        if len(set(lv)) != len(lv):
            raise FormulaError(f"factor levels are duplicated: {', '.join(lv)}.")
        lab = as_labels(x)
        idx = pd.Index(list(lv)).get_indexer(pd.Series(lab, dtype=object))
        out = Fct(np.where(pd.notna(lab), idx, -1).astype(np.int64), lv, ordered)
    if labels is not None:
        new = tuple(str(v) for v in as_labels(labels))
        if len(new) == 1 and len(out.levels) > 1:
            new = tuple(f"{new[0]}{i}" for i in range(1, len(out.levels) + 1))
        if len(new) != len(out.levels):
            raise FormulaError(f"factor(labels = ...) gives {len(new)} labels for {len(out.levels)} levels.")
        out = Fct(out.codes, new, out.ordered)
    return out


def drop_unused(f: Fct) -> Fct:
    """The factor without levels that no row has (R's ``drop.unused.levels``)."""
    used = np.zeros(len(f.levels) + 1, dtype=bool)
    used[f.codes] = True
    used = used[:-1] if len(used) > len(f.levels) else used
    if used[: len(f.levels)].all():
        return f
    keep = np.flatnonzero(used[: len(f.levels)])
    remap = np.full(len(f.levels) + 1, -1, dtype=np.int64)
    remap[keep] = np.arange(len(keep))
    return Fct(remap[f.codes], tuple(f.levels[i] for i in keep), f.ordered)


def as_factor(v: Value) -> Fct:
    """How a model matrix sees a value: characters and logicals become factors (R's ``model.matrix``)."""
    if isinstance(v, Fct):
        return v
    if isinstance(v, Lgl):  # R codes a logical with both levels, FALSE first
        codes = np.where(np.isnan(v.v), -1, v.v).astype(np.int64)
        return Fct(codes, ("FALSE", "TRUE"))
    if isinstance(v, Chr):
        return make_factor(v)
    raise TypeError(v)


# ------------------------------------------------------------- functions


def _math(fn: Callable[[np.ndarray], np.ndarray]) -> Callable[..., Value]:
    def f(x):
        return fn(_num(x, "math function"))
    return f


def _r_round(x: np.ndarray, digits: float = 0.0) -> np.ndarray:
    """R 4's round(): the nearer of the two decimal candidates, ties to even (``round(0.15, 1)`` is 0.1)."""
    d = int(digits)
    if d == 0:
        return np.round(x)
    p = 10.0 ** d
    lo, hi = np.floor(x * p), np.ceil(x * p)
    a, b = lo / p, hi / p
    da, db = np.abs(x - a), np.abs(b - x)
    even = np.where(np.mod(lo, 2) == 0, a, b)
    return np.where(da < db, a, np.where(db < da, b, even))


def _signif(x: np.ndarray, digits: float = 6.0) -> np.ndarray:
    """R's signif() (its fprec(): scale by a power of ten, round half to even, scale back)."""
    d = max(int(digits), 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        e10 = d - 1 - np.where(x == 0, 0, np.floor(np.log10(np.abs(x))))
        up = np.round(x * 10.0 ** e10) / 10.0 ** e10
        down = np.round(x / 10.0 ** -e10) * 10.0 ** -e10
    return np.where(e10 > 0, up, down)


_MATH_FUNCS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "exp": np.exp, "expm1": np.expm1, "log2": np.log2, "log10": np.log10, "log1p": np.log1p, "sqrt": np.sqrt,
    "abs": np.abs, "sign": np.sign, "floor": np.floor, "ceiling": np.ceil, "trunc": np.trunc,
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan,
    "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh, "asinh": np.arcsinh, "acosh": np.arccosh,
    "atanh": np.arctanh, "gamma": lambda x: sps.gamma(x), "lgamma": lambda x: sps.gammaln(x),
    "digamma": lambda x: sps.digamma(x), "trigamma": lambda x: sps.polygamma(1, x),
    "plogis": lambda x: sps.expit(x), "qlogis": lambda x: sps.logit(x), "pnorm": lambda x: sps.ndtr(x),
    "qnorm": lambda x: sps.ndtri(x), "cospi": lambda x: np.cos(np.pi * x), "sinpi": lambda x: np.sin(np.pi * x),
    "tanpi": lambda x: np.tan(np.pi * x), "factorial": lambda x: sps.gamma(x + 1),
    "lfactorial": lambda x: sps.gammaln(x + 1), "logm1": lambda x: np.log(x - 1), "expp1": lambda x: np.exp(x) + 1,
}


@dataclass
class _Ctx:
    env: Env
    state: dict[str, Any] | None  # the variable's state (None: not recorded at the top level)
    top: bool  # the call is the variable's top-level call (R's makepredictcall)


class _Evaluator:
    def __init__(self, env: Env, state: dict[str, Any] | None, new: bool):
        self.env, self.state, self.new = env, state, new

    # -- dispatch
    def ev(self, e: rx.Expr, top: bool = False) -> Value:
        if isinstance(e, rx.Num):
            return np.array([e.value])
        if isinstance(e, rx.Str):
            return Chr(np.array([e.value], dtype=object))
        if isinstance(e, rx.Name):
            return self.env.column(e.id)
        if isinstance(e, rx.Paren):
            return self.ev(e.expr, top=False)
        if isinstance(e, rx.Unary):
            v = self.ev(e.operand)
            if e.op == "!":
                a = _lgl(v, "!")
                return Lgl(np.where(np.isnan(a), np.nan, 1.0 - a))
            a = _num(v, e.op)
            return -a if e.op == "-" else a
        if isinstance(e, rx.BinOp):
            return self.binop(e)
        if isinstance(e, rx.Call):
            return self.call(e, top)
        raise FormulaError(f"internal: cannot evaluate {e!r}")

    # -- operators
    def binop(self, e: rx.BinOp) -> Value:
        op = e.op
        a, b = self.ev(e.left), self.ev(e.right)
        if op != "%in%":
            self._check_lengths(a, b, op)
        if op in ("&", "&&", "|", "||"):
            x, y = _lgl(a, op), _lgl(b, op)
            if op in ("&", "&&"):
                out = np.where((x == 0) | (y == 0), 0.0, np.where(np.isnan(x) | np.isnan(y), np.nan, 1.0))
            else:
                out = np.where((x == 1) | (y == 1), 1.0, np.where(np.isnan(x) | np.isnan(y), np.nan, 0.0))
            return Lgl(out)
        if op == "%in%":
            return self.in_(a, b)
        if op in ("==", "!=", "<", ">", "<=", ">="):
            return self.compare(op, a, b)
        if op == ":":
            x, y = _num(a, ":"), _num(b, ":")
            if len(x) != 1 or len(y) != 1:
                raise FormulaError(f"':' (a sequence) inside an expression needs single numbers; got {rx.deparse(e)!r}.")
            step = 1.0 if y[0] >= x[0] else -1.0
            return np.arange(x[0], y[0] + step * 0.5, step)
        x, y = _num(a, op), _num(b, op)
        with np.errstate(all="ignore"):
            if op == "+":
                return x + y
            if op == "-":
                return x - y
            if op == "*":
                return x * y
            if op == "/":
                return np.true_divide(x, y)
            if op == "^":
                return np.power(np.asarray(x, dtype=float), y)
            if op == "%%":
                return np.mod(x, y)
            if op == "%/%":
                return np.floor_divide(x, y)
        raise FormulaError(f"internal: operator {op}")

    def _check_lengths(self, a: Value, b: Value, op: str) -> None:
        la, lb = _length(a), _length(b)
        if la != lb and 1 not in (la, lb):
            raise FormulaError(
                f"'{op}' combines vectors of lengths {la} and {lb} in {self.env.where}; R would recycle the "
                "shorter one. Use values of the data's length or single numbers."
            )

    def compare(self, op: str, a: Value, b: Value) -> Lgl:
        text = any(isinstance(v, (Chr, Fct)) for v in (a, b))
        if text:
            if isinstance(a, Fct) and a.ordered and op not in ("==", "!=") and isinstance(b, Chr):
                pos = {lv: i for i, lv in enumerate(a.levels)}
                y = np.array([pos.get(s, np.nan) if s is not None else np.nan for s in b.v], dtype=float)
                x = np.where(a.codes < 0, np.nan, a.codes).astype(float)
                return self.compare(op, x, y)
            if op not in ("==", "!=") and (isinstance(a, Fct) or isinstance(b, Fct)):
                raise FormulaError(f"'{op}' is not meaningful for (unordered) factors; compare with '==' or '!='.")
            x, y = as_labels(a), as_labels(b)
            na = pd.isna(x) | pd.isna(y) if len(x) == len(y) or 1 in (len(x), len(y)) else None
            xs = np.where(pd.isna(x), "", x).astype(str)
            ys = np.where(pd.isna(y), "", y).astype(str)
            res = {"==": np.equal, "!=": np.not_equal, "<": np.less, ">": np.greater, "<=": np.less_equal,
                   ">=": np.greater_equal}[op](xs, ys)
            return Lgl(np.where(na, np.nan, res.astype(float)))
        x, y = _num(a, op), _num(b, op)
        with np.errstate(invalid="ignore"):
            res = {"==": np.equal, "!=": np.not_equal, "<": np.less, ">": np.greater, "<=": np.less_equal,
                   ">=": np.greater_equal}[op](x, y).astype(float)
        return Lgl(np.where(np.isnan(x) | np.isnan(y), np.nan, res))

    def in_(self, a: Value, b: Value) -> Lgl:
        if isinstance(a, (Chr, Fct)) or isinstance(b, (Chr, Fct)):
            x, table = as_labels(a), as_labels(b)
            return Lgl(pd.Series(x, dtype=object).isin(list(table)).to_numpy(dtype=float))
        x, table = _num(a, "%in%"), _num(b, "%in%")
        return Lgl(np.isin(x, table).astype(float))

    # -- calls
    def args(self, e: rx.Call) -> dict[str, rx.Expr]:
        """R's argument matching: named first, then positional in order."""
        sig = rx.FUNCTIONS[e.fn]
        out = dict(e.kwargs)
        if sig.varargs:  # positional arguments are R's '...'
            return out
        free = [p for p in sig.params if p not in out]
        for p, a in zip(free, e.args):
            out[p] = a
        return out

    def call(self, e: rx.Call, top: bool) -> Value:
        fn = e.fn
        if fn in _MATH_FUNCS:
            x = _num(self.ev(e.args[0] if e.args else e.kwargs[0][1]), fn)
            with np.errstate(all="ignore"):
                return np.asarray(_MATH_FUNCS[fn](x), dtype=float)
        a = self.args(e)
        handler = getattr(self, "f_" + fn.replace(".", "_"), None)
        if handler is None:  # pragma: no cover - every allowed function has a handler
            raise FormulaError(f"internal: no evaluator for {fn}()")
        return handler(e, a, top)

    def num_arg(self, a: dict, key: str, default: float | None, what: str) -> float | None:
        if key not in a:
            return default
        return _scalar(self.ev(a[key]), f"'{key}' of {what}")

    def bool_arg(self, a: dict, key: str, default: bool, what: str) -> bool:
        if key not in a:
            return default
        return _const_bool(self.ev(a[key]), f"'{key}' of {what}")

    def varargs(self, e: rx.Call) -> list[Value]:
        return [self.ev(x) for x in e.args]

    def f_log(self, e, a, top):
        x = _num(self.ev(a["x"]), "log")
        with np.errstate(all="ignore"):
            out = np.log(x)
            if "base" in a:
                out = out / np.log(_num(self.ev(a["base"]), "log"))
        return out

    def f_round(self, e, a, top):
        return _r_round(_num(self.ev(a["x"]), "round"), self.num_arg(a, "digits", 0.0, "round()"))

    def f_signif(self, e, a, top):
        with np.errstate(all="ignore"):
            return _signif(_num(self.ev(a["x"]), "signif"), self.num_arg(a, "digits", 6.0, "signif()"))

    def f_atan2(self, e, a, top):
        return np.arctan2(_num(self.ev(a["y"]), "atan2"), _num(self.ev(a["x"]), "atan2"))

    def f_I(self, e, a, top):
        return self.ev(a["x"])

    f_identity = f_I

    # aggregates: one number, broadcast over rows
    def _agg(self, e, a, name, fn):
        na_rm = self.bool_arg(a, "na.rm", False, f"{name}()")
        if "x" in a:
            values = [self.ev(a["x"])]
        else:
            values = self.varargs(e)
        arr = np.concatenate([np.ravel(_num(v, name)) for v in values]) if values else np.array([])
        arr = _na_free(arr, name, na_rm)
        if len(arr) == 0:
            raise DataError(f"{name}() of no values in {self.env.where}.")
        return np.array([float(fn(arr))])

    def f_mean(self, e, a, top):
        if "trim" in a and self.num_arg(a, "trim", 0.0, "mean()"):
            raise FormulaError("mean(trim = ...) is not supported; compute the column in pandas.")
        return self._agg(e, a, "mean", np.mean)

    def f_median(self, e, a, top):
        return self._agg(e, a, "median", np.median)

    def f_sd(self, e, a, top):
        return self._agg(e, a, "sd", lambda v: np.std(v, ddof=1))

    def f_var(self, e, a, top):
        if "y" in a:
            raise FormulaError("var(x, y) is not supported; use var(x).")
        return self._agg(e, a, "var", lambda v: np.var(v, ddof=1))

    def f_min(self, e, a, top):
        return self._agg(e, a, "min", np.min)

    def f_max(self, e, a, top):
        return self._agg(e, a, "max", np.max)

    def f_sum(self, e, a, top):
        return self._agg(e, a, "sum", np.sum)

    def f_prod(self, e, a, top):
        return self._agg(e, a, "prod", np.prod)

    def f_range(self, e, a, top):
        raise FormulaError("range() gives two numbers; use min() and max().")

    def f_length(self, e, a, top):
        return np.array([float(_length(self.ev(a["x"])))])

    def _p(self, e, a, name, fn):
        na_rm = self.bool_arg(a, "na.rm", False, f"{name}()")
        values = [np.asarray(_num(v, name), dtype=float) for v in self.varargs(e)]
        if not values:
            raise FormulaError(f"{name}() needs at least one argument.")
        out = values[0]
        for v in values[1:]:
            self._check_lengths(out, v, name)
            out = (np.fmin if na_rm else np.minimum)(out, v) if name == "pmin" else (np.fmax if na_rm else np.maximum)(out, v)
        return out

    def f_pmin(self, e, a, top):
        return self._p(e, a, "pmin", None)

    def f_pmax(self, e, a, top):
        return self._p(e, a, "pmax", None)

    def f_ifelse(self, e, a, top):
        test = _lgl(self.ev(a["test"]), "ifelse")
        yes, no = self.ev(a["yes"]), self.ev(a["no"])
        for v in (yes, no):
            self._check_lengths(Lgl(test), v, "ifelse")
        if isinstance(yes, Chr) or isinstance(no, Chr):
            out = np.where(test == 1, as_labels(yes), as_labels(no)).astype(object)
            out[np.isnan(test)] = None
            return Chr(out)
        y = (yes.codes + 1.0) if isinstance(yes, Fct) else _num(yes, "ifelse")  # R: a factor gives its codes
        n = (no.codes + 1.0) if isinstance(no, Fct) else _num(no, "ifelse")
        out = np.where(test == 1, y, n).astype(float)
        out = np.where(np.isnan(test), np.nan, out)
        if isinstance(yes, Lgl) and isinstance(no, Lgl):
            return Lgl(out)
        return out

    def f_xor(self, e, a, top):
        x, y = _lgl(self.ev(a["x"]), "xor"), _lgl(self.ev(a["y"]), "xor")
        return Lgl(np.where(np.isnan(x) | np.isnan(y), np.nan, (x != y).astype(float)))

    def f_is_na(self, e, a, top):
        v = self.ev(a["x"])
        if isinstance(v, Fct):
            return Lgl((v.codes < 0).astype(float))
        if isinstance(v, Chr):
            return Lgl(pd.isna(v.v).astype(float))
        return Lgl(np.isnan(_num(v, "is.na")).astype(float))

    def f_isTRUE(self, e, a, top):
        raise FormulaError("isTRUE() is not supported in formulas; use a comparison.")

    f_isFALSE = f_isTRUE

    # -- stateful transforms (R's makepredictcall)
    def f_scale(self, e, a, top):
        x = _num(self.ev(a["x"]), "scale")
        if x.ndim != 1:
            raise FormulaError("scale() of a matrix is not supported.")
        st = self.state if top else None
        if st is not None and "scale" in st:  # new data: the training centre and scale
            center, scale = st["scale"]
        else:
            cv = self.ev(a["center"]) if "center" in a else Lgl(np.array([1.0]))
            sv = self.ev(a["scale"]) if "scale" in a else Lgl(np.array([1.0]))
            center = None
            if isinstance(cv, Lgl):
                if _const_bool(cv, "'center' of scale()"):
                    center = float(np.mean(_na_free(x, "scale", True)))
            else:
                center = _scalar(cv, "'center' of scale()")
            xc = x - center if center is not None else x
            scale = None
            if isinstance(sv, Lgl):
                if _const_bool(sv, "'scale' of scale()"):
                    v = xc[~np.isnan(xc)]
                    scale = float(np.sqrt(np.sum(v ** 2) / max(len(v) - 1, 1)))
            else:
                scale = _scalar(sv, "'scale' of scale()")
            if st is not None:
                st["scale"] = (center, scale)
        out = x - center if center is not None else x.copy()
        if scale is not None:
            out = out / scale
        return Mat(out[:, None], None)

    def f_poly(self, e, a, top):
        x = _num(self.ev(a["x"]), "poly")
        if x.ndim != 1:
            raise FormulaError("poly() of a matrix is not supported.")
        dv = self.ev(a["degree"]) if "degree" in a else np.array([1.0])
        if _length(dv) != 1:
            raise FormulaError("poly() with several variables (poly(x, z, degree = 2)) is not supported; "
                               "give one variable and a number: poly(x, 2).")
        degree = _scalar(dv, "'degree' of poly()")
        if degree < 1 or degree != int(degree):
            raise FormulaError(f"'degree' of poly() must be a whole number >= 1, got {degree:g}.")
        degree = int(degree)
        if "coefs" in a:
            raise FormulaError("poly(coefs = ...) is not supported; brmspy keeps the training coefficients itself.")
        raw = self.bool_arg(a, "raw", False, "poly()")
        names = tuple(str(k) for k in range(1, degree + 1))
        if raw:
            return Mat(np.power.outer(x, np.arange(1, degree + 1)).astype(float), names)
        st = self.state if top else None
        if np.isnan(x).any():
            raise DataError(f"missing values are not allowed in 'poly' ({self.env.where}); drop those rows first.")
        if st is not None and "poly" in st:
            return Mat(poly_predict(x, degree, st["poly"]), names)
        Z, coefs = poly_fit(x, degree)
        if st is not None:
            st["poly"] = coefs
        return Mat(Z, names)

    def f_cbind(self, e, a, top):
        cols = [np.asarray(_num(self.ev(x), "cbind"), dtype=float) for x in e.args]
        if not cols:
            raise FormulaError("cbind() needs at least one column.")
        n = max(len(c) for c in cols)
        return Mat(np.column_stack([np.broadcast_to(c, (n,)) for c in cols]), tuple(rx.deparse(x) for x in e.args))

    # -- factors
    def f_factor(self, e, a, top):
        x = self.ev(a["x"])
        levels = self.ev(a["levels"]) if "levels" in a else None
        labels = self.ev(a["labels"]) if "labels" in a else None
        if "exclude" in a:
            raise FormulaError("factor(exclude = ...) is not supported; filter the rows in pandas.")
        ordered = self.bool_arg(a, "ordered", isinstance(x, Fct) and x.ordered, "factor()")
        return make_factor(x, levels, labels, ordered)

    def f_ordered(self, e, a, top):
        x = self.ev(a["x"])
        levels = self.ev(a["levels"]) if "levels" in a else None
        labels = self.ev(a["labels"]) if "labels" in a else None
        return make_factor(x, levels, labels, True)

    def f_as_factor(self, e, a, top):
        x = self.ev(a["x"])
        return x if isinstance(x, Fct) else make_factor(x)

    def f_as_ordered(self, e, a, top):
        x = self.ev(a["x"])
        f = x if isinstance(x, Fct) else make_factor(x)
        return Fct(f.codes, f.levels, True)

    def f_droplevels(self, e, a, top):
        x = self.ev(a["x"])
        if not isinstance(x, Fct):
            raise FormulaError("droplevels() needs a factor.")
        return drop_unused(x)

    def f_relevel(self, e, a, top):
        x = self.ev(a["x"])
        if isinstance(x, Fct) and x.ordered:
            raise FormulaError("'relevel' only for unordered factors (R's error); use factor(x, levels = ...).")
        f = x if isinstance(x, Fct) else make_factor(x)  # R needs a factor; a string column is read as one
        ref = as_labels(self.ev(a["ref"]))
        if len(ref) != 1 or ref[0] not in f.levels:
            raise DataError(f"'ref' of relevel() must be one existing level; levels: {', '.join(f.levels)}.")
        i = f.levels.index(ref[0])
        order = [i] + [k for k in range(len(f.levels)) if k != i]
        remap = np.full(len(f.levels) + 1, -1, dtype=np.int64)
        remap[order] = np.arange(len(order))
        return Fct(remap[f.codes], tuple(f.levels[k] for k in order), False)

    def f_interaction(self, e, a, top):
        if "drop" in a and self.bool_arg(a, "drop", False, "interaction()"):
            pass
        sep_v = self.ev(a["sep"]) if "sep" in a else Chr(np.array(["."], dtype=object))
        sep = str(as_labels(sep_v)[0])
        fs = [v if isinstance(v, Fct) else make_factor(v) for v in self.varargs(e)]
        if not fs:
            raise FormulaError("interaction() needs factors.")
        codes, levels = fs[0].codes.copy(), list(fs[0].levels)
        for f in fs[1:]:  # the first factor varies fastest, as in R (lex.order = FALSE)
            n0 = len(levels)
            codes = np.where((codes < 0) | (f.codes < 0), -1, codes + n0 * f.codes)
            levels = [f"{l0}{sep}{l1}" for l1 in f.levels for l0 in levels]
        return Fct(codes.astype(np.int64), tuple(levels))

    # -- conversions
    def f_as_numeric(self, e, a, top):
        x = self.ev(a["x"])
        if isinstance(x, Fct):
            return np.where(x.codes < 0, np.nan, x.codes + 1.0)
        if isinstance(x, Chr):
            return pd.to_numeric(pd.Series(x.v, dtype=object), errors="coerce").to_numpy(dtype=float)
        return np.asarray(_num(x, "as.numeric"), dtype=float)

    f_as_double = f_as_numeric

    def f_as_integer(self, e, a, top):
        return np.trunc(self.f_as_numeric(e, a, top))

    def f_as_logical(self, e, a, top):
        x = self.ev(a["x"])
        if isinstance(x, (Chr, Fct)):
            lab = as_labels(x)
            m = {"TRUE": 1.0, "T": 1.0, "true": 1.0, "True": 1.0, "FALSE": 0.0, "F": 0.0, "false": 0.0, "False": 0.0}
            return Lgl(np.array([m.get(s, np.nan) if s is not None else np.nan for s in lab], dtype=float))
        return Lgl(_lgl(x, "as.logical"))

    def f_as_character(self, e, a, top):
        return Chr(as_labels(self.ev(a["x"])))

    def f_c(self, e, a, top):
        values = self.varargs(e)
        if any(isinstance(v, (Chr, Fct)) for v in values):
            return Chr(np.concatenate([as_labels(v) for v in values]) if values else np.array([], dtype=object))
        if values and all(isinstance(v, Lgl) for v in values):
            return Lgl(np.concatenate([v.v for v in values]))
        return np.concatenate([np.ravel(_num(v, "c")) for v in values]) if values else np.array([])

    def f_nchar(self, e, a, top):
        lab = as_labels(self.ev(a["x"]))
        return np.array([np.nan if s is None else float(len(s)) for s in lab])

    def f_toupper(self, e, a, top):
        return Chr(np.array([None if s is None else s.upper() for s in as_labels(self.ev(a["x"]))], dtype=object))

    def f_tolower(self, e, a, top):
        return Chr(np.array([None if s is None else s.lower() for s in as_labels(self.ev(a["x"]))], dtype=object))

    def _paste(self, e, a, sep: str):
        if "collapse" in a:
            raise FormulaError("paste(collapse = ...) gives one string; it cannot be a variable.")
        parts = [as_labels(v) for v in self.varargs(e)]
        if not parts:
            return Chr(np.array([], dtype=object))
        n = max(len(p) for p in parts)
        cols = [np.broadcast_to(np.where(pd.isna(p), "NA", p).astype(str), (n,)) for p in parts]
        out = cols[0].astype(object)
        for c in cols[1:]:
            out = out + sep + c.astype(object)
        return Chr(out.astype(object))

    def f_paste(self, e, a, top):
        sep = str(as_labels(self.ev(a["sep"]))[0]) if "sep" in a else " "
        return self._paste(e, a, sep)

    def f_paste0(self, e, a, top):
        return self._paste(e, a, "")


def evaluate(e: rx.Expr, env: Env, state: dict[str, Any] | None = None) -> Value:
    """Evaluate a checked expression on ``env.data``.

    Parameters
    ----------
    e : a tree from :func:`brmspy.formula.rexpr.parse_expr`.
    env : the data (and R constants).
    state : the variable's transform state: empty on the model data (filled
        by a top-level ``poly()``/``scale()``), the filled dict on new data.
    """
    ev = _Evaluator(env, state, new=bool(state))
    with np.errstate(all="ignore"):
        return ev.ev(e, top=True)


def numeric_values(e: rx.Expr, env: Env, what: str) -> np.ndarray:
    """A numeric vector of the data's length (logicals as 0/1), or a clear error."""
    v = evaluate(e, env)
    if isinstance(v, Mat):
        if v.v.shape[1] != 1:
            raise FormulaError(f"{what} {rx.deparse(e)!r} must be one numeric column; it has {v.v.shape[1]}.")
        v = v.v[:, 0]
    if isinstance(v, (Fct, Chr)):
        raise DataError(f"{what} {rx.deparse(e)!r} must be numeric, but it is {_kind(v)}.")
    a = np.asarray(v.v if isinstance(v, Lgl) else v, dtype=float)
    return np.broadcast_to(a, (env.n,)).copy() if len(a) == 1 else a


def as_series(v: Value, n: int, name: str) -> pd.Series:
    """An evaluated value as a pandas Series (factors as Categorical), for responses and arguments."""
    if isinstance(v, Fct):
        return pd.Series(pd.Categorical.from_codes(v.codes, categories=list(v.levels), ordered=v.ordered), name=name)
    if isinstance(v, Chr):
        return pd.Series(np.broadcast_to(v.v, (n,)) if len(v.v) == 1 else v.v, dtype=object, name=name)
    if isinstance(v, Lgl):
        a = v.v
        if not np.isnan(a).any():
            a = a.astype(bool)
        return pd.Series(np.broadcast_to(a, (n,)) if len(a) == 1 else a, name=name)
    if isinstance(v, Mat):
        if v.v.shape[1] != 1:
            raise FormulaError(f"{name!r} must be one column; it gives {v.v.shape[1]}.")
        return pd.Series(v.v[:, 0], name=name)
    a = np.asarray(v, dtype=float)
    return pd.Series(np.broadcast_to(a, (n,)).copy() if len(a) == 1 else a, name=name)


__all__ = ["Chr", "Env", "Fct", "Lgl", "Mat", "Value", "as_factor", "as_labels", "as_series", "column_value",
           "contr_poly", "drop_unused", "evaluate", "level_label", "make_factor", "numeric_values", "poly_fit",
           "poly_predict", "recode"]
