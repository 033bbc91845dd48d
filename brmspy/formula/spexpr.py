"""Special terms inside arithmetic: ``I(me(x, sdx)^2)``, ``I(log(mi(x)))`` (brms's sp terms of transformed values).

brms takes such a term as one sp term (one element of ``bsp``, coefficient ``ImexsdxE2``) and writes the
R expression into the Stan program with each special call replaced by its Stan value
(``(bsp[1]) * (Xme_1[n]^2)``).  Here the expression is read with :mod:`brmspy.formula.rexpr`'s
allow-list after each special call has been replaced by a placeholder name, so nothing runs
from the string; :mod:`brmspy.specials.sp` turns the tree into Stan code and numpy values.

Written by hand: the placeholders are what lets the R parser (which refuses ``me()`` inside
expressions) check the rest of the expression.

Examples
--------
>>> tree, calls = sp_expression("I(me(x, sdx)^2)", "y ~ I(me(x, sdx)^2)")
>>> calls
{'sp__1': 'me(x, sdx)'}
>>> has_sp_call("I(log(mi(x)))"), has_sp_call("I(x^2)")
(True, False)
"""

from __future__ import annotations

import re

from ..core.errors import FormulaError
from .rexpr import BinOp, Call, Expr, Name, Num, Paren, Unary, parse_expr, walk
from .syntax import closing_paren

#: special calls that may appear inside arithmetic (brms: me() and mi(); mo() there is invalid)
SP_IN_EXPR = ("me", "mi")
_SP_CALL = re.compile(r"(?<![\w.])(me|mi|mo)\s*\(")
#: functions of the transformed value that Stan has under the same name (R name -> Stan name)
STAN_FUNCTIONS = {"I": "", "log": "log", "exp": "exp", "sqrt": "sqrt", "abs": "abs", "log1p": "log1p",
                  "expm1": "expm1", "log2": "log2", "log10": "log10", "sin": "sin", "cos": "cos", "tan": "tan",
                  "asin": "asin", "acos": "acos", "atan": "atan", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh"}
#: operators of the transformed value
OPERATORS = ("+", "-", "*", "/", "^")


def _calls(text: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of every top-level special call in ``text``."""
    out = []
    pos = 0
    while True:
        m = _SP_CALL.search(text, pos)
        if not m:
            return out
        i = closing_paren(text, m.end() - 1)
        if i == len(text):
            raise FormulaError(f"Unbalanced '(' in {text!r}: add the missing ')'.")
        out.append((m.start(), i + 1, m.group(1)))
        pos = i + 1


def has_sp_call(text: str) -> bool:
    """Whether ``text`` has a ``me()``/``mi()``/``mo()`` call inside a larger expression (not the call alone)."""
    calls = _calls(text)
    return bool(calls) and not (len(calls) == 1 and calls[0][0] == 0 and calls[0][1] == len(text.strip()))


def sp_expression(text: str, context: str) -> tuple[Expr, dict[str, str]]:
    """Parse an expression around special calls: the tree (calls as names ``sp__1``, ...) and each name's call.

    Raises
    ------
    FormulaError
        For ``mo()`` inside arithmetic (brms: "The monotonic term ... is invalid"), data columns in the
        expression (brms writes the expression into the Stan program, where they are not defined) and
        functions or operators Stan does not share with R.
    """
    calls = _calls(text)
    if any(name == "mo" for _, _, name in calls):
        raise FormulaError(f"The monotonic term '{text}' is invalid (brms): mo() cannot be used inside arithmetic "
                           f"in {context!r}; use 'mo(x)' on its own or in a product such as 'mo(x):z'.")
    placeholders: dict[str, str] = {}
    pieces, last = [], 0
    for k, (start, end, _) in enumerate(calls, start=1):
        name = f"sp__{k}"
        placeholders[name] = text[start:end]
        pieces += [text[last:start], name]
        last = end
    pieces.append(text[last:])
    tree = parse_expr("".join(pieces), context)
    for node in walk(tree):
        if isinstance(node, Name) and node.id not in placeholders:
            raise FormulaError(
                f"'{node.id}' in '{text}' of {context!r}: a transformed special term may combine me()/mi() terms "
                "with numbers only (brms writes the expression into the Stan program, where data columns are not "
                f"defined); multiply by a covariate outside the transformation instead, e.g. 'I(me(x, sdx)^2):{node.id}'."
            )
        if isinstance(node, Call) and (node.fn not in STAN_FUNCTIONS or node.kwargs or len(node.args) != 1):
            raise FormulaError(
                f"'{node.fn}()' in '{text}' of {context!r} is not supported around me()/mi() terms; these functions "
                f"of one argument are: {', '.join(sorted(STAN_FUNCTIONS))}."
            )
        if isinstance(node, BinOp) and node.op not in OPERATORS:
            raise FormulaError(f"The operator '{node.op}' in '{text}' of {context!r} is not supported around "
                               f"me()/mi() terms; use {' '.join(OPERATORS)}.")
        if isinstance(node, Unary) and node.op not in ("-", "+"):
            raise FormulaError(f"'{node.op}' in '{text}' of {context!r} is not supported around me()/mi() terms.")
        if not isinstance(node, (Name, Num, Call, BinOp, Unary, Paren)):
            raise FormulaError(f"'{text}' in {context!r}: only numbers, me()/mi() terms, arithmetic and the "
                               f"functions {', '.join(sorted(STAN_FUNCTIONS))} are supported around special terms.")
    return tree, placeholders


__all__ = ["OPERATORS", "SP_IN_EXPR", "STAN_FUNCTIONS", "has_sp_call", "sp_expression"]
