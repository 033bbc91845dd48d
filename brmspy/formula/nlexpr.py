"""Non-linear expressions (``a * exp(-b * x)``): parsed once, written as Stan, evaluated in numpy.

brms writes the right-hand side of a non-linear formula in R arithmetic.  It
is parsed here with Python's :mod:`ast` (after ``^`` becomes ``**``; R names
with dots are renamed for the parser) and never evaluated with ``eval``:
:func:`to_stan` prints the tree as Stan code and :func:`evaluate` walks it
with numpy, so the program and the post-processing compute the same values.

Examples
--------
>>> e = parse_nl("a1 - a2^x")
>>> e.names
('a1', 'a2', 'x')
>>> to_stan(e, lambda name: f"{name}[n]")
'a1[n] - a2[n] ^ x[n]'
"""

from __future__ import annotations

import ast
import keyword
import re
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from ..core.errors import FormulaError
from ..core.lazy import lazy_module

sps = lazy_module("scipy.special")  # imported at first use: brmspy.core.lazy


@dataclass(frozen=True)
class NlFunction:
    """A function allowed in non-linear formulas: its Stan name, arity and numpy version."""

    stan: str
    nargs: int
    numpy: Callable[..., np.ndarray]


def _step(x):
    return np.where(np.asarray(x) < 0, 0.0, 1.0)  # Stan: step(x) = 0 if x < 0 else 1


def _log1m_exp(x):
    return np.log(-np.expm1(x))


def _log_diff_exp(a, b):
    return a + np.log(-np.expm1(b - a))


#: Stan's (and R's) functions usable in non-linear formulas, by the name written in the formula.
FUNCTIONS: dict[str, NlFunction] = {
    "exp": NlFunction("exp", 1, np.exp),
    "exp2": NlFunction("exp2", 1, np.exp2),
    "expm1": NlFunction("expm1", 1, np.expm1),
    "log": NlFunction("log", 1, np.log),
    "log2": NlFunction("log2", 1, np.log2),
    "log10": NlFunction("log10", 1, np.log10),
    "log1p": NlFunction("log1p", 1, np.log1p),
    "log1m": NlFunction("log1m", 1, lambda x: np.log1p(-x)),
    "log1p_exp": NlFunction("log1p_exp", 1, lambda x: np.logaddexp(0.0, x)),
    "log1m_exp": NlFunction("log1m_exp", 1, _log1m_exp),
    "log_inv_logit": NlFunction("log_inv_logit", 1, lambda x: -np.logaddexp(0.0, -x)),
    "log1m_inv_logit": NlFunction("log1m_inv_logit", 1, lambda x: -np.logaddexp(0.0, x)),
    "log_sum_exp": NlFunction("log_sum_exp", 2, np.logaddexp),
    "log_diff_exp": NlFunction("log_diff_exp", 2, _log_diff_exp),
    "sqrt": NlFunction("sqrt", 1, np.sqrt),
    "cbrt": NlFunction("cbrt", 1, np.cbrt),
    "square": NlFunction("square", 1, np.square),
    "inv": NlFunction("inv", 1, lambda x: 1.0 / x),
    "inv_sqrt": NlFunction("inv_sqrt", 1, lambda x: 1.0 / np.sqrt(x)),
    "inv_square": NlFunction("inv_square", 1, lambda x: 1.0 / np.square(x)),
    "pow": NlFunction("pow", 2, lambda a, b: np.power(np.asarray(a, dtype=float), b)),
    "abs": NlFunction("abs", 1, np.abs),
    "fabs": NlFunction("abs", 1, np.abs),
    "fmin": NlFunction("fmin", 2, np.minimum),
    "fmax": NlFunction("fmax", 2, np.maximum),
    "pmin": NlFunction("fmin", 2, np.minimum),
    "pmax": NlFunction("fmax", 2, np.maximum),
    "min": NlFunction("fmin", 2, np.minimum),
    "max": NlFunction("fmax", 2, np.maximum),
    "hypot": NlFunction("hypot", 2, np.hypot),
    "step": NlFunction("step", 1, _step),
    "ifelse": NlFunction("?:", 3, lambda c, a, b: np.where(np.asarray(c) != 0, a, b)),
    "inv_logit": NlFunction("inv_logit", 1, lambda x: sps.expit(x)),
    "plogis": NlFunction("inv_logit", 1, lambda x: sps.expit(x)),
    "logit": NlFunction("logit", 1, lambda x: sps.logit(x)),
    "qlogis": NlFunction("logit", 1, lambda x: sps.logit(x)),
    "Phi": NlFunction("Phi", 1, lambda x: sps.ndtr(x)),
    "pnorm": NlFunction("Phi", 1, lambda x: sps.ndtr(x)),
    "inv_Phi": NlFunction("inv_Phi", 1, lambda x: sps.ndtri(x)),
    "qnorm": NlFunction("inv_Phi", 1, lambda x: sps.ndtri(x)),
    "Phi_approx": NlFunction("Phi_approx", 1, lambda x: sps.expit(0.07056 * x**3 + 1.5976 * x)),
    "inv_cloglog": NlFunction("inv_cloglog", 1, lambda x: -np.expm1(-np.exp(x))),
    "lgamma": NlFunction("lgamma", 1, lambda x: sps.gammaln(x)),
    "tgamma": NlFunction("tgamma", 1, lambda x: sps.gamma(x)),
    "gamma": NlFunction("tgamma", 1, lambda x: sps.gamma(x)),
    "digamma": NlFunction("digamma", 1, lambda x: sps.digamma(x)),
    "erf": NlFunction("erf", 1, lambda x: sps.erf(x)),
    "erfc": NlFunction("erfc", 1, lambda x: sps.erfc(x)),
    "sin": NlFunction("sin", 1, np.sin),
    "cos": NlFunction("cos", 1, np.cos),
    "tan": NlFunction("tan", 1, np.tan),
    "asin": NlFunction("asin", 1, np.arcsin),
    "acos": NlFunction("acos", 1, np.arccos),
    "atan": NlFunction("atan", 1, np.arctan),
    "atan2": NlFunction("atan2", 2, np.arctan2),
    "sinh": NlFunction("sinh", 1, np.sinh),
    "cosh": NlFunction("cosh", 1, np.cosh),
    "tanh": NlFunction("tanh", 1, np.tanh),
    "asinh": NlFunction("asinh", 1, np.arcsinh),
    "acosh": NlFunction("acosh", 1, np.arccosh),
    "atanh": NlFunction("atanh", 1, np.arctanh),
}


@dataclass(frozen=True)
class NlExpr:
    """A parsed non-linear expression.

    Attributes
    ----------
    text : the expression as written (R syntax).
    tree : its :mod:`ast` expression, variables under their parser-safe names.
    names : variable names (as written) in first-use order.
    """

    text: str
    tree: ast.expr
    names: tuple[str, ...]
    aliases: tuple[tuple[str, str], ...] = ()  # (parser-safe name, name as written)

    def original(self, safe: str) -> str:
        return dict(self.aliases).get(safe, safe)


# an R name (may contain dots) not preceded by a word character, dot or digit
_RNAME = re.compile(r"(?<![\w.])[A-Za-z_.][A-Za-z0-9_.]*")


def parse_nl(text: str, context: str | None = None) -> NlExpr:
    """Parse the right-hand side of a non-linear formula.

    Parameters
    ----------
    text : e.g. ``"a * exp(-b * x)"``; ``^`` and ``**`` both mean power.
    context : the whole formula, quoted in error messages.

    Raises
    ------
    FormulaError
        For syntax that is not arithmetic with the functions in :data:`FUNCTIONS`.
    """
    where = context or text
    aliases: dict[str, str] = {}

    def safe(m: re.Match) -> str:
        tok = m.group(0)
        if re.fullmatch(r"\.\d.*", tok):  # a number such as .5
            return tok
        if "." in tok or keyword.iskeyword(tok) or tok.startswith("__nl"):
            key = next((k for k, v in aliases.items() if v == tok), None) or f"__nl{len(aliases)}"
            aliases[key] = tok
            return key
        return tok

    source = _RNAME.sub(safe, text.replace("^", "**")).strip()
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError:
        raise FormulaError(
            f"Cannot read the non-linear formula {where!r}: write it with + - * / ^ (or **), parentheses, "
            "numbers, parameter and column names and functions such as exp() or inv_logit()."
        ) from None
    names: list[str] = []
    _check(tree, where, names)
    return NlExpr(text.strip(), tree, tuple(aliases.get(n, n) for n in names), tuple(aliases.items()))


_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "^"}
_CMPOPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_UNARY = {ast.USub: "-", ast.UAdd: "+"}


def _check(node: ast.expr, where: str, names: list[str]) -> None:
    """Reject anything but arithmetic, comparisons, numbers, names and known functions."""
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        _check(node.left, where, names)
        _check(node.right, where, names)
    elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        _check(node.operand, where, names)
    elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _CMPOPS:
        _check(node.left, where, names)
        _check(node.comparators[0], where, names)
    elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        pass
    elif isinstance(node, ast.Name):
        if node.id not in names:
            names.append(node.id)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        fn = FUNCTIONS.get(node.func.id)
        if fn is None:
            raise FormulaError(
                f"Unknown function '{node.func.id}()' in the non-linear formula {where!r}. "
                f"Available functions: {', '.join(sorted(FUNCTIONS))}."
            )
        if node.keywords or len(node.args) != fn.nargs:
            raise FormulaError(
                f"'{node.func.id}()' in the non-linear formula {where!r} takes {fn.nargs} positional argument(s)."
            )
        for a in node.args:
            _check(a, where, names)
    else:
        snippet = ast.unparse(node) if hasattr(ast, "unparse") else type(node).__name__
        raise FormulaError(
            f"'{snippet}' is not supported in the non-linear formula {where!r}: use + - * / ^, comparisons, "
            "parentheses, numbers, names and functions such as exp(), log() or inv_logit()."
        )


def vector_unsafe(expr: NlExpr) -> str | None:
    """Why ``expr`` cannot be computed on whole Stan vectors (brms's ``loop = FALSE``), or None.

    Every name is a vector (parameter or covariate), numbers are scalars. Stan's ``*`` and ``/``
    between two vectors are matrix operations (``.*``, ``./`` are elementwise, which R cannot write),
    and comparisons, ``?:`` and ``step()`` take scalars only; the other operators and functions of
    :data:`FUNCTIONS` are elementwise on vectors (checked with stanc).

    Examples
    --------
    >>> vector_unsafe(parse_nl("a - exp(b + 2 * x)")) is None
    True
    >>> vector_unsafe(parse_nl("a * x"))
    "'*' between two vectors ('a * x')"
    """
    why: list[str] = []

    def is_vector(node: ast.expr) -> bool:  # records the first unsafe node in ``why``
        if isinstance(node, ast.Constant):
            return False
        if isinstance(node, ast.Name):
            return True
        if isinstance(node, ast.UnaryOp):
            return is_vector(node.operand)
        if isinstance(node, ast.BinOp):
            left, right = is_vector(node.left), is_vector(node.right)
            op = _BINOPS[type(node.op)]
            if left and right and op in ("*", "/") and not why:
                why.append(f"'{op}' between two vectors ({_source(expr, node)!r})")
            return left or right
        if isinstance(node, ast.Compare):
            vec = is_vector(node.left) | is_vector(node.comparators[0])
            if vec and not why:
                why.append(f"comparison of vectors ({_source(expr, node)!r})")
            return vec
        if isinstance(node, ast.Call):
            vec = any([is_vector(a) for a in node.args])
            if vec and FUNCTIONS[node.func.id].stan in ("?:", "step") and not why:
                why.append(f"vector version of '{node.func.id}()' ({_source(expr, node)!r})")
            return vec
        return True

    is_vector(expr.tree)
    return why[0] if why else None


def _source(expr: NlExpr, node: ast.expr) -> str:
    """``node`` as the user wrote it (R names and ``^``)."""
    text = ast.unparse(node).replace("**", "^")
    for safe, name in expr.aliases:
        text = re.sub(rf"\b{re.escape(safe)}\b", name, text)
    return text


# ----------------------------------------------------------------- Stan

# Stan operator precedence (higher binds tighter); ^ is right-associative
_PREC = {"?:": 1, "==": 4, "!=": 4, "<": 5, "<=": 5, ">": 5, ">=": 5, "+": 6, "-": 6, "*": 7, "/": 7,
         "unary": 8, "^": 9}
_ATOM = 10


def _is_int(node: ast.expr) -> bool:
    """Whether Stan would type ``node`` as int (only integer literals and + - *)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int)
    if isinstance(node, ast.UnaryOp):
        return _is_int(node.operand)
    if isinstance(node, ast.BinOp) and type(node.op) in (ast.Add, ast.Sub, ast.Mult):
        return _is_int(node.left) and _is_int(node.right)
    return False


def to_stan(expr: NlExpr, rename: Callable[[str], str]) -> str:
    """Stan code of ``expr``; ``rename`` maps a variable (as written) to its Stan expression.

    R's ``/`` is real division: an integer-only division such as ``1/2`` is
    written ``1 / 2.0`` so that Stan does not divide integers.
    """

    def fmt(node: ast.expr) -> tuple[str, int]:
        if isinstance(node, ast.Constant):
            v = node.value
            return (str(v) if isinstance(v, int) else repr(float(v))), _ATOM
        if isinstance(node, ast.Name):
            return rename(expr.original(node.id)), _ATOM
        if isinstance(node, ast.UnaryOp):
            inner, p = fmt(node.operand)
            op = _UNARY[type(node.op)]
            return f"{op}{_wrap(inner, p, _PREC['unary'], strict=True)}", _PREC["unary"]
        if isinstance(node, ast.BinOp):
            op = _BINOPS[type(node.op)]
            prec = _PREC[op]
            left, lp = fmt(node.left)
            right, rp = fmt(node.right)
            if op == "/" and _is_int(node.left) and _is_int(node.right):
                right = f"{node.right.value}.0" if isinstance(node.right, ast.Constant) else f"1.0 * ({right})"
                rp = _ATOM if isinstance(node.right, ast.Constant) else _PREC["*"]
            right_assoc = op == "^"
            left = _wrap(left, lp, prec, strict=right_assoc)
            right = _wrap(right, rp, prec, strict=not right_assoc)
            return f"{left} {op} {right}", prec
        if isinstance(node, ast.Compare):
            op = _CMPOPS[type(node.ops[0])]
            prec = _PREC[op]
            left, lp = fmt(node.left)
            right, rp = fmt(node.comparators[0])
            return f"{_wrap(left, lp, prec, False)} {op} {_wrap(right, rp, prec, True)}", prec
        if isinstance(node, ast.Call):
            fn = FUNCTIONS[node.func.id]
            if fn.stan == "?:":
                cond, cp = fmt(node.args[0])
                a, ap = fmt(node.args[1])
                b, bp = fmt(node.args[2])
                return f"({_wrap(cond, cp, 2, True)} ? {_wrap(a, ap, 2, True)} : {_wrap(b, bp, 2, True)})", _ATOM
            return f"{fn.stan}({', '.join(fmt(a)[0] for a in node.args)})", _ATOM
        raise FormulaError(f"internal: unexpected node {type(node).__name__} in {expr.text!r}")

    return fmt(expr.tree)[0]


def _wrap(code: str, inner: int, outer: int, strict: bool) -> str:
    """Parenthesise ``code`` (precedence ``inner``) as an operand of an operator of precedence ``outer``."""
    need = inner < outer or (strict and inner == outer)
    return f"({code})" if need else code


# ---------------------------------------------------------------- numpy


def evaluate(expr: NlExpr, env: Mapping[str, np.ndarray]) -> np.ndarray:
    """Evaluate ``expr`` with numpy; ``env`` maps each variable (as written) to an array.

    Arrays broadcast: parameters are (draws, rows) and covariates (rows,).
    """

    def ev(node: ast.expr):
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return np.asarray(env[expr.original(node.id)], dtype=float)
        if isinstance(node, ast.UnaryOp):
            v = ev(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            a, b = ev(node.left), ev(node.right)
            match node.op:
                case ast.Add():
                    return a + b
                case ast.Sub():
                    return a - b
                case ast.Mult():
                    return a * b
                case ast.Div():
                    return a / b
                case ast.Pow():
                    return np.power(a, b)
        if isinstance(node, ast.Compare):
            a, b = ev(node.left), ev(node.comparators[0])
            match node.ops[0]:
                case ast.Lt():
                    r = a < b
                case ast.LtE():
                    r = a <= b
                case ast.Gt():
                    r = a > b
                case ast.GtE():
                    r = a >= b
                case ast.Eq():
                    r = a == b
                case _:
                    r = a != b
            return np.asarray(r, dtype=float)
        if isinstance(node, ast.Call):
            return FUNCTIONS[node.func.id].numpy(*(ev(a) for a in node.args))
        raise FormulaError(f"internal: unexpected node {type(node).__name__} in {expr.text!r}")

    with np.errstate(all="ignore"):  # as Stan, overflow gives inf/nan (and a rejected proposal)
        return np.asarray(ev(expr.tree), dtype=float)


__all__ = ["FUNCTIONS", "NlExpr", "NlFunction", "evaluate", "parse_nl", "to_stan", "vector_unsafe"]
