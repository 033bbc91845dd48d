"""Stan distributions usable as priors: names, arguments, their constraints and supports.

Prior strings such as ``"student_t(3, 0, 2.5)"`` are parsed against this table
so that a typo, a wrong number of arguments or an impossible argument (a
negative scale, ``uniform(1, 0)``, NaN or infinity) is caught in Python with a
clear message, and so that hyperparameters can be passed as data (the Stan
program then depends only on the prior's *family*, never on its numbers).

Arguments are numbers or arithmetic of numbers (``1/3``, ``2.5^2``, ``-(1 + 1)``):
a small hand-written parser reads them (no ``eval``; names, calls and anything
else are refused), because brms users write such priors and Stan would
evaluate them there.

Examples
--------
>>> parse_prior_string("normal(0, 10)")
PriorDist(name='normal', args=(0.0, 10.0))
>>> parse_prior_string("normal(0, 1/4)").args
(0.0, 0.25)
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass

from .errors import PriorError


@dataclass(frozen=True)
class DistInfo:
    """A Stan distribution: argument names (used in data names), their constraints and the support.

    ``positive`` names the arguments that must be > 0 (scales, shapes, rates,
    degrees of freedom, LKJ's eta); every argument must be finite.  ``lower`` and
    ``upper`` are the support (uniform's comes from its arguments, see
    :attr:`PriorDist.support`).  ``brms_bounded`` is brms's classification used
    for its "lower/upper bounded prior" warnings (``check_prior_content``):
    ``"lower"`` for its ``lb_priors``, ``"both"`` for its ``ulb_priors``.
    """

    name: str
    args: tuple[str, ...]
    lower: float = -math.inf  # support
    upper: float = math.inf
    kind: str = "real"  # "real", "cholesky" (LKJ on Cholesky factors) or "simplex"
    positive: tuple[str, ...] = ()
    brms_bounded: str = ""


_LB = "lower"
_ULB = "both"
_TABLE = [
    DistInfo("normal", ("loc", "scale"), positive=("scale",)),
    DistInfo("std_normal", ()),
    DistInfo("student_t", ("df", "loc", "scale"), positive=("df", "scale")),
    DistInfo("cauchy", ("loc", "scale"), positive=("scale",)),
    DistInfo("double_exponential", ("loc", "scale"), positive=("scale",)),
    DistInfo("logistic", ("loc", "scale"), positive=("scale",)),
    DistInfo("gumbel", ("loc", "scale"), positive=("scale",)),
    DistInfo("skew_normal", ("loc", "scale", "skew"), positive=("scale",)),
    DistInfo("exp_mod_normal", ("loc", "scale", "rate"), positive=("scale", "rate")),
    DistInfo("lognormal", ("loc", "scale"), lower=0, positive=("scale",), brms_bounded=_LB),
    DistInfo("exponential", ("rate",), lower=0, positive=("rate",), brms_bounded=_LB),
    DistInfo("gamma", ("shape", "rate"), lower=0, positive=("shape", "rate"), brms_bounded=_LB),
    DistInfo("inv_gamma", ("shape", "scale"), lower=0, positive=("shape", "scale"), brms_bounded=_LB),
    DistInfo("weibull", ("shape", "scale"), lower=0, positive=("shape", "scale"), brms_bounded=_LB),
    DistInfo("frechet", ("shape", "scale"), lower=0, positive=("shape", "scale"), brms_bounded=_LB),
    DistInfo("rayleigh", ("scale",), lower=0, positive=("scale",), brms_bounded=_LB),
    DistInfo("chi_square", ("df",), lower=0, positive=("df",), brms_bounded=_LB),
    DistInfo("inv_chi_square", ("df",), lower=0, positive=("df",), brms_bounded=_LB),
    DistInfo("scaled_inv_chi_square", ("df", "scale"), lower=0, positive=("df", "scale"), brms_bounded=_LB),
    DistInfo("beta", ("a", "b"), lower=0, upper=1, positive=("a", "b"), brms_bounded=_ULB),
    DistInfo("uniform", ("lower", "upper"), brms_bounded=_ULB),  # lower < upper: checked in parse_prior_string
    DistInfo("von_mises", ("loc", "kappa"), positive=("kappa",), brms_bounded=_ULB),
    DistInfo("lkj_corr_cholesky", ("eta",), kind="cholesky", positive=("eta",)),
    DistInfo("dirichlet", ("alpha",), 0, 1, kind="simplex", positive=("alpha",)),  # mixing proportions (class theta)
]
DISTRIBUTIONS: dict[str, DistInfo] = {d.name: d for d in _TABLE}
# brms spellings that map onto a Stan distribution
ALIASES = {"lkj": "lkj_corr_cholesky", "lkj_corr": "lkj_corr_cholesky"}

_PRIOR = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)\s*$", re.S)


@dataclass(frozen=True)
class PriorDist:
    """A parsed prior: distribution name and numeric hyperparameters."""

    name: str
    args: tuple[float, ...]

    @property
    def info(self) -> DistInfo:
        return DISTRIBUTIONS[self.name]

    @property
    def support(self) -> tuple[float, float]:
        """Where the density is positive: ``(lower, upper)``; uniform's from its arguments."""
        if self.name == "uniform":
            return self.args[0], self.args[1]
        return self.info.lower, self.info.upper

    def __str__(self) -> str:
        name = "lkj" if self.name == "lkj_corr_cholesky" else self.name
        return f"{name}({', '.join(format_number(a) for a in self.args)})"


def format_number(x: float) -> str:
    """One number formatter for everything printed: 3 -> '3', 2.5 -> '2.5', 1e-8 -> '1e-08'."""
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.10g}"


# ------------------------------------------------------------ arguments

_NUM = re.compile(r"(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_OTHER = re.compile(r"[^\s+\-*/^()]+|\S")
_NON_FINITE = {"nan", "na", "inf", "infinity"}


class _NotNumeric(ValueError):
    """An argument that is not a number or arithmetic of numbers (the message names the piece)."""


def _tokens(text: str) -> list[str]:
    """Numbers, the operators ``+ - * / ^ ( )``, and any other run of characters (refused later)."""
    out, i = [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        m = _NUM.match(text, i)
        if m and not (m.end() < len(text) and (text[m.end()].isalnum() or text[m.end()] in "._")):
            out.append(m.group(0))
            i = m.end()
        elif text[i] in "+-*/^()":
            out.append(text[i])
            i += 1
        else:
            m = _OTHER.match(text, i)
            out.append(m.group(0))
            i = m.end()
    return out


def eval_number(text: str) -> float:
    """The value of a numeric argument: a number or ``+ - * / ^`` and parentheses of numbers.

    A recursive-descent parser over an allow-list of tokens; nothing is evaluated
    as Python.  ``^`` is power (as in R and Stan) and binds tighter than unary minus.

    Raises
    ------
    ValueError
        For anything else (names, calls, ``**``), naming the offending piece.

    Examples
    --------
    >>> eval_number("2.5^2"), eval_number("-2^2"), eval_number("1/4 + 1e-2")
    (6.25, -4.0, 0.26)
    """
    toks = _tokens(text)
    pos = 0

    def peek() -> str | None:
        return toks[pos] if pos < len(toks) else None

    def take() -> str:
        nonlocal pos
        pos += 1
        return toks[pos - 1]

    def expr() -> float:
        v = term()
        while peek() in ("+", "-"):
            v = v + term() if take() == "+" else v - term()
        return v

    def term() -> float:
        v = unary()
        while peek() in ("*", "/"):
            if take() == "*":
                v = v * unary()
            else:
                d = unary()
                if d == 0:
                    raise _NotNumeric(f"{text.strip()!r} divides by zero")
                v = v / d
        return v

    def unary() -> float:
        if peek() in ("+", "-"):
            return unary() if take() == "+" else -unary()
        return power()

    def power() -> float:
        v = atom()
        if peek() == "^":
            take()
            exponent = unary()
            try:
                result = v**exponent
            except (OverflowError, ZeroDivisionError):
                return math.inf
            return math.nan if isinstance(result, complex) else float(result)  # (-8)^(1/3) is NaN, as in R
        return v

    def atom() -> float:
        tok = peek()
        if tok is None:
            raise _NotNumeric(f"{text.strip()!r} is incomplete")
        take()
        if tok == "(":
            v = expr()
            if peek() != ")":
                raise _NotNumeric(f"{text.strip()!r} has an unbalanced '('")
            take()
            return v
        if _NUM.fullmatch(tok):
            return float(tok)
        raise _NotNumeric(f"{tok!r} is not a number" if tok == text.strip() else
                          f"{tok!r} in {text.strip()!r} is not a number")

    if len(text) > 200:
        raise _NotNumeric(f"{text.strip()[:40]!r}... is too long for a prior argument")
    value = expr()
    if pos != len(toks):
        raise _NotNumeric(f"{toks[pos]!r} in {text.strip()!r} is not allowed")
    return value


def _split_args(inner: str) -> list[str]:
    """Split at the commas outside parentheses."""
    pieces, depth, cur = [], 0, []
    for ch in inner:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            pieces.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    pieces.append("".join(cur).strip())
    return pieces if inner.strip() else []


def _check_args(raw: str, text: str, info: DistInfo, args: list[float]) -> None:
    """Each argument within its valid range, uniform's lower below its upper."""
    for arg_name, value in zip(info.args, args):
        valid = "a positive finite number (> 0)" if arg_name in info.positive else "a finite number"
        if not math.isfinite(value):
            what = "NaN" if math.isnan(value) else "infinite"
            raise PriorError(f"Invalid prior {text!r}: the {arg_name} of {raw}() is {what}; it must be {valid}.")
        if arg_name in info.positive and value <= 0:
            raise PriorError(
                f"Invalid prior {text!r}: the {arg_name} of {raw}() must be {valid}, got {format_number(value)}."
            )
    if info.name == "uniform" and not args[0] < args[1]:
        raise PriorError(
            f"Invalid prior {text!r}: the lower bound of uniform() must be below its upper bound, "
            f"got lower = {format_number(args[0])} and upper = {format_number(args[1])}."
        )


def parse_prior_string(text: str) -> PriorDist | None:
    """Parse ``"normal(0, 1)"``; an empty string (flat prior) gives None.

    Raises :class:`~brmspy.core.errors.PriorError` for unknown distributions, a
    wrong number of arguments, non-numeric hyperparameters and arguments
    outside their valid range (see :class:`DistInfo`).
    """
    if text is None or not str(text).strip() or str(text).strip() == "(flat)":
        return None
    text = str(text).strip()
    m = _PRIOR.match(text)
    if not m:
        raise PriorError(f"Cannot read the prior {text!r}; write a Stan distribution such as 'normal(0, 10)'.")
    raw, inner = m.group(1), m.group(2)
    name = ALIASES.get(raw, raw)
    if raw == "lasso":  # brms 2.18 still had it; current brms removed it (it was rarely a good prior)
        raise PriorError(
            f"The lasso prior in {text!r} was deprecated and then removed from brms, and brmspy "
            "follows current brms; use horseshoe() or R2D2() for shrinkage, or double_exponential(0, s) on class 'b'."
        )
    if name not in DISTRIBUTIONS:
        close = difflib.get_close_matches(raw, list(DISTRIBUTIONS) + list(ALIASES), n=3)
        hint = f" Did you mean {' or '.join(close)}?" if close else ""
        raise PriorError(
            f"Unknown prior distribution {raw!r} in {text!r}.{hint} Known distributions: "
            f"{', '.join(sorted(DISTRIBUTIONS))}."
        )
    pieces = _split_args(inner)
    info = DISTRIBUTIONS[name]
    if len(pieces) != len(info.args):
        raise PriorError(
            f"{raw}() takes {len(info.args)} argument(s) ({', '.join(info.args) or 'none'}), "
            f"but {text!r} gives {len(pieces)}."
        )
    args = []
    for arg_name, p in zip(info.args, pieces):
        core = p.replace(" ", "").lower()
        if core.lstrip("+-") in _NON_FINITE:  # e.g. f"normal({mu}, 1)" with mu = nan: say so below
            args.append(math.nan if core.lstrip("+-") in ("nan", "na") else
                        -math.inf if core.startswith("-") else math.inf)
            continue
        try:
            args.append(float(eval_number(p)))
        except _NotNumeric as e:
            raise PriorError(
                f"Prior hyperparameters must be numbers (or arithmetic of numbers: + - * / ^); {e} "
                f"(the {arg_name} of {text!r}). Compute the value in Python and pass the number."
            ) from None
    _check_args(raw, text, info, args)
    return PriorDist(name, tuple(args))
