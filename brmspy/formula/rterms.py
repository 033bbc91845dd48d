"""R's term algebra for the population part of a formula (``terms.formula``).

``a*b`` is ``a + b + a:b``, ``a/b`` is ``a + a:b``, ``b %in% a`` is ``b:a``,
``(a + b + c)^2`` is every term up to order 2, ``-`` removes terms (``-1`` and
``0`` the intercept), duplicates are dropped and terms are sorted by order of
interaction, then by first appearance (``keep.order = FALSE``).  Factors
inside an interaction are named in the order the variables first appear in
the formula (``x + a:x`` has the term ``x:a``), as R does.  Inside a call
argument or ``I()`` the same operators are arithmetic: each such expression
is one *variable* (:mod:`brmspy.formula.rexpr`).

Written by hand because R's algorithm (bit sets of variables, C code in R's
``stats`` package) has no Python library equivalent; formulaic's own parser
orders and simplifies terms differently.

Examples
--------
>>> t = population_terms("(a + b + c)^2 - a:b")
>>> t.intercept, [term.label for term in t.terms]
(True, ['a', 'b', 'c', 'a:c', 'b:c'])
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.errors import FormulaError
from .rexpr import BinOp, Call, Expr, Name, Num, Paren, Str, Unary, deparse, parse_expr


@dataclass(frozen=True)
class RTerm:
    """One population-level term: a tuple of variables (``a:b`` has two), in R's order."""

    variables: tuple[Expr, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Each variable as R deparses it (``I(x^2)``)."""
        return tuple(deparse(v) for v in self.variables)

    @property
    def label(self) -> str:
        """R's term label, e.g. ``a:b``."""
        return ":".join(self.names)

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class RTerms:
    """A right-hand side after R's term algebra: intercept flag and ordered terms."""

    intercept: bool
    terms: tuple[RTerm, ...]
    variables: tuple[Expr, ...] = ()  # the terms' variables, in order of first appearance (R's 'variables')
    cmc: bool = True  # brms's cell-mean coding without an intercept; False (bf(cmc = FALSE)): contrasts as with one


_OPS = {"+", "-", "*", "/", ":", "^", "%in%"}
_LOGICAL = {"==", "!=", "<", ">", "<=", ">=", "&", "&&", "|", "||"}


class _Encoder:
    """R's ``EncodeVars``: terms as sets of variable indices, variables in first-appearance order."""

    def __init__(self, where: str):
        self.where = where
        self.variables: list[Expr] = []
        self.keys: list[str] = []
        self.intercept = True

    def var(self, e: Expr) -> int:
        key = deparse(e)
        if key not in self.keys:
            self.keys.append(key)
            self.variables.append(e)
        return self.keys.index(key)

    def encode(self, e: Expr) -> list[frozenset[int]]:
        if isinstance(e, Paren):
            return self.encode(e.expr)
        if isinstance(e, Num):
            if e.value == 1:
                self.intercept = True
                return []
            if e.value == 0:
                self.intercept = False
                return []
            raise FormulaError(
                f"The number {deparse(e)} is not a term in {self.where!r} (R: 'invalid model formula'); "
                "use 1 or 0 for the intercept, or I() for arithmetic, e.g. 'I(2 * x)'."
            )
        if isinstance(e, Str):
            raise FormulaError(f"The string {deparse(e)} is not a term in {self.where!r} (R: 'invalid model formula').")
        if isinstance(e, Unary) and e.op in "+-":
            if e.op == "+":
                return self.encode(e.operand)
            return self.delete([], e.operand)
        if isinstance(e, BinOp) and e.op in _OPS:
            if e.op == "+":
                return _plus(self.encode(e.left), self.encode(e.right))
            if e.op == "-":
                return self.delete(self.encode(e.left), e.right)
            if e.op == ":":
                return _interact(self.encode(e.left), self.encode(e.right))
            if e.op == "*":
                left, right = self.encode(e.left), self.encode(e.right)
                return _plus(_plus(left, right), _interact(left, right))
            if e.op == "%in%":
                left, right = self.encode(e.left), self.encode(e.right)
                every = frozenset().union(*right) if right else frozenset()
                return _dedupe([t | every for t in left])
            if e.op == "/":
                left, right = self.encode(e.left), self.encode(e.right)
                every = frozenset().union(*left) if left else frozenset()
                return _plus(left, [every | t for t in right])
            if e.op == "^":
                left = self.encode(e.left)
                power = e.right.expr if isinstance(e.right, Paren) else e.right
                if not isinstance(power, Num) or power.value < 1 or power.value != int(power.value):
                    raise FormulaError(
                        f"'^' in {deparse(e)!r} of {self.where!r} needs a whole positive number (R's "
                        "'(a + b)^2' means all interactions up to order 2); for a power of a variable write "
                        f"I({deparse(e)})."
                    )
                out = left
                for _ in range(int(power.value) - 1):
                    out = _plus(out, _interact(out, left))
                return out
        if isinstance(e, Name) and e.id == ".":
            raise FormulaError(
                f"'.' (all other columns) in {self.where!r} needs the data: it is expanded by make_stancode, "
                "make_standata, get_prior and brm; elsewhere list the predictors."
            )
        if (isinstance(e, BinOp) and e.op in _LOGICAL) or (isinstance(e, Unary) and e.op == "!"):
            # R reads it as one variable, but brms fails on it ('model frame and formula mismatch')
            raise FormulaError(
                f"The comparison {deparse(e)!r} in {self.where!r} must be wrapped in I(): write 'I({deparse(e)})' "
                "(a logical variable, coded as a factor with levels FALSE/TRUE as in brms)."
            )
        # anything else (a name, a call, x %% 2 ...) is one variable, as in R
        return [frozenset({self.var(e)})]

    def delete(self, left: list[frozenset[int]], right_expr: Expr) -> list[frozenset[int]]:
        r = right_expr.expr if isinstance(right_expr, Paren) else right_expr
        if isinstance(r, Num) and r.value in (0, 1):
            self.intercept = r.value == 0  # '- 1' removes the intercept, '- 0' keeps it
            return left
        saved = self.intercept
        right = self.encode(right_expr)
        self.intercept = saved
        return [t for t in left if t not in right]


def _dedupe(terms: list[frozenset[int]]) -> list[frozenset[int]]:
    out: list[frozenset[int]] = []
    for t in terms:
        if t and t not in out:
            out.append(t)
    return out


def _plus(a: list[frozenset[int]], b: list[frozenset[int]]) -> list[frozenset[int]]:
    return _dedupe(a + b)


def _interact(a: list[frozenset[int]], b: list[frozenset[int]]) -> list[frozenset[int]]:
    return _dedupe([x | y for x in a for y in b])


def encode(e: Expr, where: str, brms: bool = True) -> RTerms:
    """R's terms of a parsed right-hand side (intercept and sorted terms).

    With ``brms`` (the default) the variables are then ordered as brms orders
    them: brms writes the sorted term labels back into a formula and reads it
    again, so a variable's place is its first appearance in the *sorted*
    terms (``c:a + b + a`` gives ``b``, ``a``, ``a:c``; R's own terms say ``c:a``).
    """
    enc = _Encoder(where)
    terms = enc.encode(e)
    terms = sorted(terms, key=len)  # stable: by order of interaction, then first appearance
    used = set().union(*terms) if terms else set()
    order = [i for i in range(len(enc.variables)) if i in used]  # removed terms' variables are not evaluated
    if brms:
        order = []
        for t in terms:
            order.extend(i for i in sorted(t) if i not in order)
    rank = {i: k for k, i in enumerate(order)}
    out = tuple(RTerm(tuple(enc.variables[i] for i in sorted(t, key=rank.__getitem__))) for t in terms)
    return RTerms(enc.intercept, out, tuple(enc.variables[i] for i in order))


def population_terms(text: str, where: str | None = None, brms: bool = True) -> RTerms:
    """Parse and expand the population part of a right-hand side.

    Parameters
    ----------
    text : R formula text without group-level and special terms, e.g. ``"1 + x * f - x"``.
    where : the whole formula, for messages.

    Examples
    --------
    >>> [t.label for t in population_terms("x + a:x + b %in% a").terms]
    ['x', 'x:a', 'a:b']
    >>> [t.label for t in population_terms("c:a + b + a").terms]  # brms's variable order
    ['b', 'a', 'a:c']
    >>> [t.label for t in population_terms("c:a + b + a", brms=False).terms]  # R's terms()
    ['b', 'a', 'c:a']
    """
    where = where or text
    return encode(parse_expr(text, where), where, brms)


def is_variable(e: Expr) -> bool:
    """Whether ``e`` is one variable for R's term algebra (not a formula operator)."""
    e = e.expr if isinstance(e, Paren) else e
    if isinstance(e, BinOp):
        return e.op not in _OPS
    if isinstance(e, Unary):
        return e.op == "!"
    return isinstance(e, (Name, Call))


__all__ = ["RTerm", "RTerms", "encode", "is_variable", "population_terms"]
