"""Low-level helpers for reading brms formula strings.

brms syntax is R formula syntax with a few additions (``|`` for group-level and
addition terms, special functions such as ``s()`` and ``gr()``).  These helpers
split strings at *top-level* separators, i.e. outside parentheses, brackets
and quotes, which is all the parsing the formula layer needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.errors import FormulaError

_OPEN = "([{"
_CLOSE = ")]}"
_IDENT = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")


def _depth_scan(text: str):
    """Yield ``(index, char, depth)`` for every character outside quotes."""
    depth = 0
    quote: str | None = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
            continue
        if ch in "'\"`":
            quote = ch
            continue
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
            if depth < 0:
                raise FormulaError(f"Unbalanced ')' in {text!r}: remove it or add the matching '('.")
        yield i, ch, depth
    if depth != 0:
        raise FormulaError(f"Unbalanced '(' in {text!r}: add the missing ')'.")


def split_top(text: str, sep: str) -> list[str]:
    """Split ``text`` at top-level occurrences of the one-character ``sep``."""
    parts: list[str] = []
    start = 0
    for i, ch, depth in _depth_scan(text):
        if ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def split_terms(text: str) -> list[tuple[str, str]]:
    """Split a right-hand side into signed terms: ``[("+", "x"), ("-", "1")]``.

    ``+`` and ``-`` inside parentheses (``I(x - 1)``, ``(1 + x | g)``) do not split.
    A ``-`` directly after an operator (``x * -1``) or at an exponent is kept.
    """
    terms: list[tuple[str, str]] = []
    sign = "+"
    start = 0
    prev_sig = ""
    for i, ch, depth in _depth_scan(text):
        if depth == 0 and ch in "+-":
            chunk = text[start:i].strip()
            unary = prev_sig in ("", "*", "/", "^", ":", "(", "+", "-") and not chunk
            if not unary or chunk:
                if chunk:
                    terms.append((sign, chunk))
                sign = ch
                start = i + 1
            else:
                sign = "-" if (sign == "-") != (ch == "-") else "+"
                start = i + 1
        if not ch.isspace():
            prev_sig = ch
    chunk = text[start:].strip()
    if chunk:
        terms.append((sign, chunk))
    elif text.strip() and text.strip()[-1] in "+-":
        raise FormulaError(f"The formula part {text!r} ends with an operator: remove the trailing '{text.strip()[-1]}'.")
    return terms


def closing_paren(text: str, open_at: int) -> int:
    """Index of the ``)`` that closes the ``(`` at ``open_at``; ``len(text)`` when it is never closed."""
    depth = 0
    for i in range(open_at, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i
    return len(text)


def strip_outer_parens(text: str) -> str:
    """Remove parentheses that enclose the whole of ``text`` (repeatedly)."""
    text = text.strip()
    while text.startswith("(") and text.endswith(")"):
        depth = 0
        closes_at_end = True
        for i, ch, d in _depth_scan(text):
            if ch == ")" and d == 0 and i != len(text) - 1:
                closes_at_end = False
                break
        if not closes_at_end:
            break
        text = text[1:-1].strip()
    return text


def is_identifier(text: str) -> bool:
    """True for a plain variable name (R names may contain dots)."""
    return bool(_IDENT.match(text.strip()))


@dataclass(frozen=True)
class Call:
    """A parsed function call ``name(arg, key = value, ...)``."""

    name: str
    args: tuple[str, ...]
    kwargs: tuple[tuple[str, str], ...]

    def kwarg(self, key: str, default: str | None = None) -> str | None:
        for k, v in self.kwargs:
            if k == key:
                return v
        return default

    @property
    def text(self) -> str:
        inner = [*self.args, *(f"{k} = {v}" for k, v in self.kwargs)]
        return f"{self.name}({', '.join(inner)})"


_CALL = re.compile(r"^([A-Za-z_.][A-Za-z0-9_.]*)\s*\((.*)\)$", re.S)

#: brms's aliases of special terms: cse() is brms's older name of cs() (brms 2.18 builds the same
#: model and data for both), so it is read as cs()
CALL_ALIASES = {"cse": "cs"}


def parse_call(text: str) -> Call | None:
    """Parse ``text`` as one function call, or return None if it is not one."""
    text = text.strip()
    m = _CALL.match(text)
    if not m:
        return None
    # the closing paren at the end must match the first opening one
    inner = m.group(2)
    try:
        depth_ok = all(d >= 0 for _, _, d in _depth_scan(inner))
        list(_depth_scan(inner))
    except FormulaError:
        return None
    if not depth_ok:
        return None
    args: list[str] = []
    kwargs: list[tuple[str, str]] = []
    if inner.strip():
        for piece in split_top(inner, ","):
            piece = piece.strip()
            if not piece:
                raise FormulaError(f"Empty argument in {text!r}.")
            kv = _split_kwarg(piece)
            if kv:
                kwargs.append(kv)
            else:
                args.append(piece)
    return Call(CALL_ALIASES.get(m.group(1), m.group(1)), tuple(args), tuple(kwargs))


def _split_kwarg(piece: str) -> tuple[str, str] | None:
    """``"by = z"`` -> ``("by", "z")``; comparisons such as ``x == 1`` are not kwargs."""
    for i, ch, depth in _depth_scan(piece):
        if ch == "=" and depth == 0:
            before = piece[i - 1] if i > 0 else ""
            after = piece[i + 1] if i + 1 < len(piece) else ""
            if before in "=!<>" or after == "=":
                return None
            key = piece[:i].strip()
            if is_identifier(key):
                return key, piece[i + 1 :].strip()
            return None
    return None


def split_tilde(text: str) -> tuple[str | None, str]:
    """Split ``"lhs ~ rhs"``; a one-sided ``"~ rhs"`` gives ``(None, rhs)``."""
    parts = split_top(text, "~")
    if len(parts) == 1:
        raise FormulaError(
            f"Formula {text!r} has no '~'. Write it as 'response ~ predictors', e.g. 'y ~ x + (1 | g)'."
        )
    if len(parts) > 2:
        raise FormulaError(f"Formula {text!r} has more than one '~'; use one per formula.")
    lhs, rhs = parts[0].strip(), parts[1].strip()
    if not rhs:
        raise FormulaError(f"Formula {text!r} has nothing right of '~'; use '~ 1' for an intercept-only model.")
    return (lhs or None), rhs


_FIXED = re.compile(r"^\s*([A-Za-z_.][A-Za-z0-9_.]*)\s*=\s*(\S.*?)\s*$")


def fixed_value(text: str) -> tuple[str, float] | None:
    """``"quantile = 0.25"`` (how :func:`bf` stores ``quantile=0.25``) -> ``("quantile", 0.25)``; else None.

    brms keeps ``bf(y ~ x, sigma = 1)`` (a constant) apart from ``bf(y ~ x, sigma ~ 1)`` (an intercept).

    Examples
    --------
    >>> fixed_value("quantile = 0.25"), fixed_value("sigma ~ 1")
    (('quantile', 0.25), None)
    """
    m = _FIXED.match(text)
    if m is None or "~" in text:
        return None
    value = _number(m.group(2))
    return None if value is None else (m.group(1), value)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
