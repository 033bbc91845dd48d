"""R expressions in formulas: tokenizer, parser, allow-list check and R's deparse.

Every piece of a formula string that names data (population terms, the
response, addition-term and special-term arguments, group-level effects) is
read here into a small typed tree (:class:`Num`, :class:`Str`, :class:`Name`,
:class:`Call`, :class:`BinOp`, :class:`Unary`, :class:`Paren`) and checked
against an allow-list before anything is evaluated; :mod:`brmspy.frame.rvalues`
evaluates the tree with R's meanings.  Nothing is passed to Python's ``eval``.

Written by hand rather than with Python's :mod:`ast` because R syntax is not
Python syntax: ``^`` is power (``**`` is read as ``^``, as R does), ``%in%``,
``%%`` and ``%/%`` are operators, names contain dots and may be backquoted,
``2L`` is a number, and unary minus binds less tightly than ``^``.  The
precedence table is R's (``?Syntax``)::

    ^ (right)  >  unary - +  >  :  >  %any%  >  * /  >  binary + -
      >  comparisons  >  !  >  & &&  >  | ||

:func:`deparse` prints a tree as R's ``deparse()`` does, which is where
brms's coefficient names come from (``I(Days^2)`` -> ``IDaysE2`` after
brms's ``rename()``).

Examples
--------
>>> e = parse_expr("I(Days^2)")
>>> deparse(e), sorted(names_in(e))
('I(Days^2)', ['Days'])
>>> deparse(parse_expr("x**2 + .5"))
'x^2 + 0.5'
>>> parse_expr("__import__('os').system('id')")
Traceback (most recent call last):
...
brmspy.core.errors.FormulaError: ...
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterator

from ..core.errors import FormulaError

# ------------------------------------------------------------------- tree


@dataclass(frozen=True)
class Num:
    """A number literal; ``integer`` for R's ``2L``."""

    value: float
    integer: bool = False


@dataclass(frozen=True)
class Str:
    """A string literal."""

    value: str


@dataclass(frozen=True)
class Name:
    """A variable name (a data column, or a constant such as ``TRUE`` or ``pi``)."""

    id: str


@dataclass(frozen=True)
class Call:
    """A call of an allowed function: ``log(x, base = 2)``."""

    fn: str
    args: tuple["Expr", ...] = ()
    kwargs: tuple[tuple[str, "Expr"], ...] = ()

    def kwarg(self, key: str) -> "Expr | None":
        for k, v in self.kwargs:
            if k == key:
                return v
        return None


@dataclass(frozen=True)
class BinOp:
    """A binary operator: ``+ - * / ^ : %in% %% %/% == != < > <= >= & && | ||``."""

    op: str
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True)
class Unary:
    """A unary operator: ``-``, ``+`` or ``!``."""

    op: str
    operand: "Expr"


@dataclass(frozen=True)
class Paren:
    """Parentheses, kept because R's deparse keeps them (``I((x + 1)^2)``)."""

    expr: "Expr"


Expr = Num | Str | Name | Call | BinOp | Unary | Paren

#: names that are constants, not data columns
CONSTANTS = {"TRUE": True, "FALSE": False, "T": True, "F": False, "NA": math.nan, "Inf": math.inf,
             "NaN": math.nan, "pi": math.pi, "NULL": None}

# ------------------------------------------------------------ allow-list


@dataclass(frozen=True)
class Signature:
    """Parameters of an allowed function, as R names them, for R's argument matching.

    ``params`` are matched by name, then by position; ``varargs`` functions
    (``c``, ``pmin``) take any number of positional arguments.
    """

    params: tuple[str, ...]
    required: int = 1
    varargs: bool = False


def _sig(*params: str, required: int = 1, varargs: bool = False) -> Signature:
    return Signature(params, required, varargs)


_X = _sig("x")
#: elementwise math functions (R names; numpy versions in brmspy.frame.rvalues)
#: (R's and brms's exported ones only: Stan's names such as inv_logit or Phi, which non-linear formulas
#: take, are not R functions, and brms fails on them in a linear formula)
MATH = ("exp", "expm1", "log2", "log10", "log1p", "sqrt", "abs", "sign", "floor", "ceiling", "trunc",
        "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
        "gamma", "lgamma", "digamma", "trigamma", "plogis", "qlogis", "pnorm", "qnorm",
        "cospi", "sinpi", "tanpi", "lfactorial", "factorial", "logm1", "expp1")

#: every function a formula may call, with its R signature
FUNCTIONS: dict[str, Signature] = {
    **{name: _X for name in MATH},
    "log": _sig("x", "base"),
    "round": _sig("x", "digits"),
    "signif": _sig("x", "digits"),
    "atan2": _sig("y", "x", required=2),
    "I": _X,
    "identity": _X,
    "mean": _sig("x", "trim", "na.rm"),
    "median": _sig("x", "na.rm"),
    "sd": _sig("x", "na.rm"),
    "var": _sig("x", "y", "na.rm"),
    "min": _sig("na.rm", required=0, varargs=True),
    "max": _sig("na.rm", required=0, varargs=True),
    "sum": _sig("na.rm", required=0, varargs=True),
    "prod": _sig("na.rm", required=0, varargs=True),
    "range": _sig("na.rm", required=0, varargs=True),
    "length": _X,
    "pmin": _sig("na.rm", required=0, varargs=True),
    "pmax": _sig("na.rm", required=0, varargs=True),
    "ifelse": _sig("test", "yes", "no", required=3),
    "scale": _sig("x", "center", "scale"),
    "poly": _sig("x", "degree", "coefs", "raw", "simple"),
    "factor": _sig("x", "levels", "labels", "exclude", "ordered"),
    "ordered": _sig("x", "levels", "labels"),
    "as.factor": _X,
    "as.ordered": _X,
    "relevel": _sig("x", "ref", required=2),
    "droplevels": _X,
    "interaction": _sig("drop", "sep", required=0, varargs=True),
    "as.numeric": _X,
    "as.double": _X,
    "as.integer": _X,
    "as.logical": _X,
    "as.character": _X,
    "is.na": _X,
    "c": _sig(required=0, varargs=True),
    "xor": _sig("x", "y", required=2),
    "isTRUE": _X,
    "isFALSE": _X,
    "nchar": _X,
    "toupper": _X,
    "tolower": _X,
    "paste": _sig("sep", "collapse", required=0, varargs=True),
    "paste0": _sig("collapse", required=0, varargs=True),
    "cbind": _sig(required=0, varargs=True),
}

#: ``np.log(x)`` / ``numpy.log(x)``: accepted for the same math functions (existing users write them)
NUMPY_ALIASES = {"log": "log", "log2": "log2", "log10": "log10", "log1p": "log1p", "exp": "exp", "expm1": "expm1",
                 "sqrt": "sqrt", "abs": "abs", "absolute": "abs", "sign": "sign", "floor": "floor",
                 "ceil": "ceiling", "trunc": "trunc", "sin": "sin", "cos": "cos", "tan": "tan", "arcsin": "asin",
                 "arccos": "acos", "arctan": "atan", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh",
                 "square": "square", "cbrt": "cbrt", "exp2": "exp2", "round": "round", "minimum": "pmin",
                 "maximum": "pmax", "where": "ifelse", "power": None}

#: R functions users write that are not evaluated here, with what to write instead
_SPECIAL_IN_EXPR = ("special terms inside arithmetic or I() are supported only for me() and mi() in a population-level "
                    "term of a linear formula (brms's transformed sp terms, e.g. 'I(me(x, sdx)^2)'); elsewhere use "
                    "the special term on its own (e.g. 's(x)', 'mo(x)') or its product with a covariate ('mo(x):z')")
UNSUPPORTED = {
    **{name: _SPECIAL_IN_EXPR for name in ("me", "mi", "mo", "s", "t2", "gp")},
    "mmc": "multi-membership covariates belong left of '|' in a multi-membership term, one covariate per member: "
           "(1 + mmc(w1, w2) | mm(g1, g2))",
    "ns": "natural splines: use a smooth term 's(x)' (brms's alternative), or compute the basis in pandas first",
    "bs": "B-splines: use a smooth term 's(x)' (brms's alternative), or compute the basis in pandas first",
    "cut": "compute the column in pandas first, e.g. df['xc'] = pd.cut(df['x'], bins=...)",
    "as.Date": "convert dates to numbers in pandas first, e.g. df['days'] = (df['date'] - df['date'].min()).dt.days",
    "lag": "compute the lagged column in pandas first, e.g. df['xl'] = df.groupby('g')['x'].shift()",
    "diff": "compute the column in pandas first",
    "cumsum": "compute the column in pandas first, e.g. df['cx'] = df['x'].cumsum()",
    "rank": "compute the column in pandas first, e.g. df['rx'] = df['x'].rank()",
    "rev": "compute the column in pandas first",
    "C": "give the column as a pandas Categorical (its first category is the reference); other contrasts are not supported",
    "contr.sum": "other contrasts than brms's defaults are not supported; recode the factor in pandas",
    "inv_logit": "it is Stan's name; R's is plogis(x)",
    "logit": "it is Stan's name; R's is qlogis(x)",
    "Phi": "it is Stan's name; R's is pnorm(x)",
    "inv_Phi": "it is Stan's name; R's is qnorm(x)",
    "square": "write I(x^2)",
    "inv": "write I(1 / x)",
    "exp2": "write I(2^x)",
    "cbrt": "write I(x^(1/3))",
}


def allowed_function(name: str) -> str | None:
    """The canonical R name of an allowed function (``np.log`` -> ``log``), or None."""
    if name in FUNCTIONS:
        return name
    m = re.fullmatch(r"(?:np|numpy)\.([A-Za-z0-9_]+)", name)
    if m:
        return NUMPY_ALIASES.get(m.group(1))
    return None


# -------------------------------------------------------------- tokenizer


@dataclass(frozen=True)
class _Tok:
    kind: str  # num, int, str, name, op, end
    text: str
    pos: int
    value: object = None


_NUM = re.compile(r"0[xX][0-9a-fA-F]+L?|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?L?")
_NAME = re.compile(r"(?:[^\W\d]|\.(?!\d))[\w.]*")  # R names: letters (any script), digits, '.', '_'
# longest first
_OPS = ("<<-", "->>", ":::", "%%", "**", "::", "<-", "->", "<=", ">=", "==", "!=", "&&", "||", "[[", "]]",
        "+", "-", "*", "/", "^", ":", "<", ">", "!", "&", "|", "(", ")", ",", "=", "~", "$", "@", "[", "]",
        "{", "}", ";", "?", "\\")


def _tokens(text: str, where: str) -> Iterator[_Tok]:
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "#":
            raise FormulaError(f"'#' (a comment) is not allowed in {where!r}.")
        if ch in "'\"":
            j, out = i + 1, []
            while j < n and text[j] != ch:
                if text[j] == "\\" and j + 1 < n:
                    out.append({"n": "\n", "t": "\t", "\\": "\\", "'": "'", '"': '"'}.get(text[j + 1], text[j + 1]))
                    j += 2
                    continue
                out.append(text[j])
                j += 1
            if j >= n:
                raise FormulaError(f"Unterminated string starting at {text[i:i + 10]!r} in {where!r}.")
            yield _Tok("str", text[i:j + 1], i, "".join(out))
            i = j + 1
            continue
        if ch == "`":
            j = text.find("`", i + 1)
            if j < 0:
                raise FormulaError(f"Unterminated backquoted name in {where!r}.")
            yield _Tok("name", text[i:j + 1], i, text[i + 1:j])
            i = j + 1
            continue
        if ch == "%":
            j = text.find("%", i + 1)
            if j < 0:
                raise FormulaError(f"Unterminated operator '%...' in {where!r}; R's operators are %in%, %% and %/%.")
            yield _Tok("op", text[i:j + 1], i)
            i = j + 1
            continue
        m = _NUM.match(text, i) if (ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isdigit())) else None
        if m:
            s = m.group(0)
            integer = s.endswith("L")
            body = s[:-1] if integer else s
            value = float(int(body, 16)) if body[:2].lower() == "0x" else float(body)
            yield _Tok("num", s, i, (value, integer))
            i = m.end()
            continue
        m = _NAME.match(text, i)
        if m:
            yield _Tok("name", m.group(0), i, m.group(0))
            i = m.end()
            continue
        for op in _OPS:
            if text.startswith(op, i):
                yield _Tok("op", "^" if op == "**" else op, i)
                i += len(op)
                break
        else:
            raise FormulaError(f"Unexpected character {ch!r} in {where!r}.")
    yield _Tok("end", "", n)


# ----------------------------------------------------------------- parser

_HELP = ("Formulas may use column names, numbers, strings, arithmetic (+ - * / ^ %% %/%), comparisons, "
         "& | !, %in% and R functions such as log(), exp(), sqrt(), abs(), poly(), scale(), factor(), I() "
         "(see brmspy.formula.rexpr.FUNCTIONS)")

_FORBIDDEN = {
    "$": "'$' (element access)", "@": "'@' (slot access)", "::": "'::' (package access)",
    ":::": "':::' (package access)", "[": "'[' (subscripts)", "[[": "'[[' (subscripts)",
    "<-": "'<-' (assignment)", "<<-": "'<<-' (assignment)", "->": "'->' (assignment)", "->>": "'->>' (assignment)",
    "{": "'{' (code blocks)", ";": "';' (several statements)", "?": "'?' (help)", "\\": "'\\' (lambda functions)",
    "~": "'~' (a formula inside an expression)",
}
_KEYWORDS = {"function": "function definitions", "lambda": "lambda functions", "if": "'if' (use ifelse())",
             "for": "loops and comprehensions", "while": "loops", "repeat": "loops", "in": "'in' (comprehensions)",
             "import": "imports", "else": "'else'", "return": "'return'", "break": "'break'", "next": "'next'"}

_CMP = ("==", "!=", "<", ">", "<=", ">=")


class _Parser:
    def __init__(self, text: str, where: str):
        self.text, self.where = text, where
        self.toks = list(_tokens(text, where))
        self.i = 0

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def next(self) -> _Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def is_op(self, *ops: str) -> bool:
        return self.tok.kind == "op" and self.tok.text in ops

    def fail(self, what: str) -> FormulaError:
        return FormulaError(f"{what} in {self.where!r} is not allowed. {_HELP}.")

    def expect(self, op: str) -> None:
        if not self.is_op(op):
            got = self.tok.text or "the end"
            raise FormulaError(f"Expected '{op}' but found {got!r} in {self.where!r}.")
        self.next()

    def parse(self) -> Expr:
        if self.tok.kind == "end":
            raise FormulaError(f"Empty expression in {self.where!r}.")
        e = self.or_()
        if self.tok.kind != "end":
            self.unexpected()
        return e

    def unexpected(self):
        t = self.tok
        if t.kind == "op" and t.text in _FORBIDDEN:
            raise self.fail(_FORBIDDEN[t.text])
        if t.kind == "op" and t.text == "=":
            raise self.fail("'=' (assignment; use '==' to compare)")
        if t.kind == "op" and t.text == "(":
            raise self.fail("Calling the result of an expression")
        raise FormulaError(f"Unexpected {t.text!r} at position {t.pos} in {self.where!r}. {_HELP}.")

    def or_(self) -> Expr:
        e = self.and_()
        while self.is_op("|", "||"):
            op = self.next().text
            e = BinOp(op, e, self.and_())
        return e

    def and_(self) -> Expr:
        e = self.not_()
        while self.is_op("&", "&&"):
            op = self.next().text
            e = BinOp(op, e, self.not_())
        return e

    def not_(self) -> Expr:
        if self.is_op("!"):
            self.next()
            return Unary("!", self.not_())
        return self.cmp()

    def cmp(self) -> Expr:
        e = self.sum()
        if self.is_op(*_CMP):
            op = self.next().text
            e = BinOp(op, e, self.sum())
            if self.is_op(*_CMP):
                raise FormulaError(f"Chained comparison at position {self.tok.pos} in {self.where!r}: R does not "
                                   "allow 'a < b < c'; write '(a < b) & (b < c)'.")
        return e

    def sum(self) -> Expr:
        e = self.prod()
        while self.is_op("+", "-"):
            op = self.next().text
            e = BinOp(op, e, self.prod())
        return e

    def prod(self) -> Expr:
        e = self.special()
        while self.is_op("*", "/"):
            op = self.next().text
            e = BinOp(op, e, self.special())
        return e

    def special(self) -> Expr:
        e = self.colon()
        while self.tok.kind == "op" and self.tok.text.startswith("%"):
            op = self.next().text
            if op not in ("%in%", "%%", "%/%"):
                raise self.fail(f"The operator '{op}'")
            e = BinOp(op, e, self.colon())
        return e

    def colon(self) -> Expr:
        e = self.unary()
        while self.is_op(":"):
            self.next()
            e = BinOp(":", e, self.unary())
        return e

    def unary(self) -> Expr:
        if self.is_op("-", "+"):
            op = self.next().text
            return Unary(op, self.unary())
        if self.is_op("!"):  # R allows '!' here too: -!x
            self.next()
            return Unary("!", self.unary())
        return self.power()

    def power(self) -> Expr:
        e = self.primary()
        if self.is_op("^"):
            self.next()
            return BinOp("^", e, self.unary())  # right-associative; '2^-1' allowed as in R
        return e

    def primary(self) -> Expr:
        t = self.tok
        if t.kind == "num":
            self.next()
            value, integer = t.value
            e: Expr = Num(value, integer)
        elif t.kind == "str":
            self.next()
            e = Str(t.value)
        elif t.kind == "name":
            self.next()
            name = t.value
            backquoted = t.text.startswith("`")
            if not backquoted and name in _KEYWORDS:
                raise self.fail(_KEYWORDS[name].capitalize() if name in ("function", "lambda") else _KEYWORDS[name])
            if self.is_op("("):
                e = self.call(name, t)
            else:
                if "__" in name and not backquoted and re.search(r"(^|\.)__\w*__($|\.)", name):
                    raise self.fail(f"The dunder name {name!r}")
                e = Name(name)
        elif self.is_op("("):
            self.next()
            if self.is_op(")"):
                raise FormulaError(f"Empty parentheses '()' in {self.where!r}.")
            inner = self.or_()
            self.expect(")")
            e = Paren(inner)
        elif t.kind == "end":
            raise FormulaError(f"{self.where!r} ends where a value was expected.")
        else:
            self.unexpected()
        # postfix forms that reach into objects are refused by name
        if self.tok.kind == "op" and self.tok.text in ("::", ":::") and isinstance(e, Name) \
                and self.toks[self.i + 1].kind == "name" and self.toks[self.i + 1].value in UNSUPPORTED:
            fn = self.toks[self.i + 1].value  # splines::ns(x): say what to write instead
            raise FormulaError(f"The R function '{e.id}::{fn}()' in {self.where!r} is not supported: {UNSUPPORTED[fn]}.")
        if self.tok.kind == "op" and self.tok.text in ("$", "@", "[", "[[", "::", ":::"):
            raise self.fail(_FORBIDDEN[self.tok.text])
        if self.is_op("("):
            raise self.fail("Calling the result of an expression")
        return e

    def call(self, name: str, t: _Tok) -> Expr:
        fn = allowed_function(name)
        if fn is None:
            raise _unknown_function(name, self.where)
        self.expect("(")
        args: list[Expr] = []
        kwargs: list[tuple[str, Expr]] = []
        while not self.is_op(")"):
            if self.tok.kind in ("name", "str") and self.toks[self.i + 1].kind == "op" and self.toks[self.i + 1].text == "=":
                key = self.next().value
                self.next()
                if any(k == key for k, _ in kwargs):
                    raise FormulaError(f"Argument {key!r} is given twice in '{name}()' in {self.where!r}.")
                kwargs.append((key, self.or_()))
            else:
                if self.is_op(","):
                    raise FormulaError(f"Empty argument in '{name}()' in {self.where!r}.")
                args.append(self.or_())
            if self.is_op(","):
                self.next()
                if self.is_op(")"):
                    raise FormulaError(f"Empty argument in '{name}()' in {self.where!r}.")
            elif not self.is_op(")"):
                self.unexpected()
        self.next()
        return _match_args(Call(fn, tuple(args), tuple(kwargs)), name, self.where)


_PYTHON = {"eval", "exec", "open", "getattr", "setattr", "delattr", "compile", "globals", "locals", "vars",
           "input", "print", "breakpoint", "help", "dir", "type", "object", "len", "str", "int", "float", "list",
           "dict", "set", "tuple", "map", "filter", "system", "source", "get", "assign", "do.call", "match.fun",
           "parse", "deparse", "Sys.getenv", "Sys.setenv", "file", "readLines", "library", "require"}


def _unknown_function(name: str, where: str) -> FormulaError:
    if name.startswith("__") or name in _PYTHON:
        return FormulaError(
            f"'{name}()' in {where!r} is not allowed: formulas evaluate no Python or R code, only column names, "
            f"numbers, operators and the functions listed in brmspy.formula.rexpr.FUNCTIONS. {_HELP}."
        )
    if name in UNSUPPORTED:
        return FormulaError(f"The R function '{name}()' in {where!r} is not supported: {UNSUPPORTED[name]}.")
    if name.startswith(("np.", "numpy.")):
        ok = ", ".join(sorted(f"np.{k}" for k, v in NUMPY_ALIASES.items() if v))
        return FormulaError(f"'{name}()' in {where!r} is not allowed; numpy functions allowed in formulas: {ok}.")
    if "." in name and not name.startswith("as.") and name.split(".")[0] in ("os", "sys", "pd", "pandas", "subprocess",
                                                                             "builtins", "io", "shutil", "pathlib"):
        return FormulaError(f"Attribute access '{name}' in {where!r} is not allowed. {_HELP}.")
    return FormulaError(
        f"Unknown function '{name}()' in {where!r}. {_HELP}. Compute other transformations in pandas first "
        "and use the new column in the formula."
    )


def _match_args(call: Call, written: str, where: str) -> Call:
    """Check a call's arguments against the function's R signature (names and count)."""
    sig = FUNCTIONS[call.fn]
    for k, _ in call.kwargs:
        if k not in sig.params:
            raise FormulaError(
                f"'{written}()' in {where!r} has no argument '{k}'; its arguments are: "
                f"{', '.join(sig.params) or '...'}."
            )
    if not sig.varargs:
        free = [p for p in sig.params if p not in dict(call.kwargs)]
        if len(call.args) > len(free):
            raise FormulaError(f"'{written}()' in {where!r} takes at most {len(sig.params)} argument(s) "
                               f"({', '.join(sig.params)}); got {len(call.args) + len(call.kwargs)}.")
        if len(call.args) + len(call.kwargs) < sig.required:
            raise FormulaError(f"'{written}()' in {where!r} needs {sig.required} argument(s) "
                               f"({', '.join(sig.params[:sig.required])}).")
    elif sig.required and len(call.args) < sig.required:
        raise FormulaError(f"'{written}()' in {where!r} needs at least {sig.required} argument(s).")
    return call


def parse_expr(text: str, where: str | None = None) -> Expr:
    """Parse one R expression, checking every function against :data:`FUNCTIONS`.

    Parameters
    ----------
    text : the expression, e.g. ``"I(x - mean(x))"``.
    where : the formula it comes from, quoted in error messages.

    Raises
    ------
    FormulaError
        For anything but names, numbers, strings, R operators and allowed
        functions (attribute access, subscripts, assignment, lambdas, ...).

    Examples
    --------
    >>> parse_expr("log(x, base = 2)")
    Call(fn='log', args=(Name(id='x'),), kwargs=(('base', Num(value=2.0, integer=False)),))
    """
    if not isinstance(text, str):
        raise FormulaError(f"Expected a formula expression as a string, got {type(text).__name__}.")
    return _Parser(text, where or text).parse()


# ---------------------------------------------------------------- queries


def walk(e: Expr) -> Iterator[Expr]:
    """Every node of ``e``, parents first."""
    yield e
    if isinstance(e, Call):
        for a in e.args:
            yield from walk(a)
        for _, v in e.kwargs:
            yield from walk(v)
    elif isinstance(e, BinOp):
        yield from walk(e.left)
        yield from walk(e.right)
    elif isinstance(e, Unary):
        yield from walk(e.operand)
    elif isinstance(e, Paren):
        yield from walk(e.expr)


def names_in(e: Expr) -> list[str]:
    """Variable names in ``e`` (not constants), in first-use order."""
    out: list[str] = []
    for node in walk(e):
        if isinstance(node, Name) and node.id not in CONSTANTS and node.id not in out:
            out.append(node.id)
    return out


def strip_parens(e: Expr) -> Expr:
    while isinstance(e, Paren):
        e = e.expr
    return e


# ---------------------------------------------------------------- deparse

_SYNTACTIC = re.compile(r"^(?:[^\W\d_]|\.(?![0-9]))[\w.]*$|^\.$")
_RESERVED = {"if", "else", "repeat", "while", "function", "for", "next", "break", "TRUE", "FALSE", "NULL", "Inf",
             "NaN", "NA", "in"}


def format_number(x: float, digits: int = 15) -> str:
    """A double as R prints it with 15 significant digits (``as.character``, ``deparse``).

    Examples
    --------
    >>> [format_number(v) for v in (2.0, 100000.0, 123456.0, 0.0001, 0.001, 0.5, 1e15)]
    ['2', '1e+05', '123456', '1e-04', '0.001', '0.5', '1e+15']
    """
    if math.isnan(x):
        return "NaN" if not math.copysign(1, x) < 0 else "NaN"
    if math.isinf(x):
        return "Inf" if x > 0 else "-Inf"
    if x == 0:
        return "0"
    # fewest significant digits (<= 15) that give the same value at 15 digits
    target = float(f"{x:.{digits}e}")
    for nsig in range(1, digits + 1):
        if float(f"{x:.{nsig - 1}e}") == target:
            break
    mant, exp = f"{x:.{nsig - 1}e}".split("e")
    e = int(exp)
    sci = f"{mant}e{'-' if e < 0 else '+'}{abs(e):02d}"
    decimals = max(0, nsig - 1 - e)
    fixed = f"{x:.{decimals}f}"
    return fixed if len(fixed) <= len(sci) else sci


def _name(s: str) -> str:
    return s if _SYNTACTIC.match(s) and s not in _RESERVED else f"`{s}`"


def _str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


_TIGHT = {"^", ":", "%%", "%/%", "/"}  # R's deparse prints these without spaces


def deparse(e: Expr) -> str:
    """R's ``deparse()`` of ``e``: the text R names variables and model matrix columns by.

    Examples
    --------
    >>> deparse(parse_expr("I(x-mean(x))")), deparse(parse_expr("poly(x,2)")), deparse(parse_expr("x %in% c('a','b')"))
    ('I(x - mean(x))', 'poly(x, 2)', 'x %in% c("a", "b")')
    """
    if isinstance(e, Num):
        if e.integer:
            return f"{int(e.value)}L"
        return format_number(e.value)
    if isinstance(e, Str):
        return _str(e.value)
    if isinstance(e, Name):
        return e.id if e.id in CONSTANTS else _name(e.id)
    if isinstance(e, Paren):
        return f"({deparse(e.expr)})"
    if isinstance(e, Unary):
        return f"{e.op}{deparse(e.operand)}"
    if isinstance(e, BinOp):
        sep = "" if e.op in _TIGHT else " "
        return f"{deparse(e.left)}{sep}{e.op}{sep}{deparse(e.right)}"
    if isinstance(e, Call):
        inner = [deparse(a) for a in e.args] + [f"{_name(k)} = {deparse(v)}" for k, v in e.kwargs]
        return f"{e.fn}({', '.join(inner)})"
    raise TypeError(f"not an expression: {e!r}")


def rename(name: str) -> str:
    """brms's ``rename()`` of a column name: ``I(Days^2)`` -> ``IDaysE2``.

    Drops spaces, parentheses, brackets, commas, quotes and ``?``; ``+ - * / ^ =``
    become ``P M MU D E EQ`` (in that order, as brms replaces them).
    """
    for old, new in ((" ", ""), ("(", ""), (")", ""), ("[", ""), ("]", ""), (",", ""), ('"', ""), ("'", ""),
                     ("?", ""), ("+", "P"), ("-", "M"), ("*", "MU"), ("/", "D"), ("^", "E"), ("=", "EQ")):
        name = name.replace(old, new)
    return name


__all__ = ["BinOp", "CONSTANTS", "Call", "Expr", "FUNCTIONS", "Name", "Num", "Paren", "Signature", "Str", "Unary",
           "allowed_function", "deparse", "format_number", "names_in", "parse_expr", "rename", "strip_parens", "walk"]
