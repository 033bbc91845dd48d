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
        if self.info.kind == "simplex" and len(self.args) > 1:
            return f"{name}(c({', '.join(format_number(a) for a in self.args)}))"
        return f"{name}({', '.join(format_number(a) for a in self.args)})"

    def concentration(self, K: int, what: str) -> list[float]:
        """A dirichlet prior's concentration of each of ``K`` elements: ``dirichlet(2)`` is 2 for every
        element, ``dirichlet(c(1, 0.5, 2))`` gives each its own (then its length must be ``K``, as in brms)."""
        if len(self.args) == 1:
            return [float(self.args[0])] * K
        if len(self.args) != K:
            raise PriorError(f"Invalid Dirichlet prior {self} for {what}: expected 1 or {K} concentration values "
                             f"(the simplex has {K} elements), got {len(self.args)}.")
        return [float(a) for a in self.args]


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
    """Split at the commas outside parentheses and brackets."""
    pieces, depth, cur = [], 0, []
    for ch in inner:
        if ch in "([":  # brackets: a Stan matrix literal in constant([[1, 0], [0, 1]])
            depth += 1
        elif ch in ")]":
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
        # 0 is built as brms builds it, with a warning (priors.checks); brms refuses a dirichlet's 0 itself
        if arg_name in info.positive and (value < 0 or (value == 0 and info.kind == "simplex")):
            raise PriorError(
                f"Invalid prior {text!r}: the {arg_name} of {raw}() must be {valid}, got {format_number(value)}."
            )
    if info.name == "uniform" and not args[0] < args[1]:
        raise PriorError(
            f"Invalid prior {text!r}: the lower bound of uniform() must be below its upper bound, "
            f"got lower = {format_number(args[0])} and upper = {format_number(args[1])}."
        )


#: a Stan vector literal, a transposed row vector ``[1, 2]'`` (brms passes prior text to Stan unchanged)
STAN_VECTOR = re.compile(r"\[([^\[\]]*)\]\s*'")


def _dirichlet_vector(raw: str, text: str, piece: str) -> PriorDist:
    """``dirichlet(c(1, 0.5, 2))``: one concentration per simplex element (brms's ``eval_dirichlet``)."""
    m = _PRIOR.match(piece.strip())
    try:
        vals = [float(eval_number(p)) for p in _split_args(m.group(2))] if m else []
    except _NotNumeric as e:
        raise PriorError(f"The concentrations in {text!r} must be numbers; {e}.") from None
    if not vals or any(not math.isfinite(v) or v <= 0 for v in vals):
        raise PriorError(f"Invalid prior {text!r}: the dirichlet prior expects positive values.")
    return PriorDist("dirichlet", tuple(vals))


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
    if raw in SPECIAL_PRIORS:
        raise PriorError(
            f"{text!r} is one of brms's special priors, which apply to whole parameter classes: horseshoe() and "
            "R2D2() to class 'b' (all population-level coefficients of one predictor, without coef=), constant() "
            "to fix parameters; it cannot be used here."
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
    if info.kind == "simplex" and len(pieces) == 1 and pieces[0].replace(" ", "").startswith("c("):
        return _dirichlet_vector(raw, text, pieces[0])
    if info.kind == "simplex" and len(pieces) == 1 and STAN_VECTOR.fullmatch(pieces[0]):
        # brms writes the prior text into Stan: "dirichlet([1,2]')" is a Stan vector literal (class b only)
        return _dirichlet_vector(raw, text, "c(" + STAN_VECTOR.fullmatch(pieces[0]).group(1) + ")")
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


# ------------------------------------------------------- special priors

#: brms's special priors: not Stan distributions but instructions for the model's structure
SPECIAL_PRIORS = ("horseshoe", "R2D2", "constant")

# brms's argument names and defaults (current brms: priors.R horseshoe(), R2D2(), constant())
_SPECIAL_ARGS: dict[str, dict[str, object]] = {
    "horseshoe": {"df": 1.0, "scale_global": 1.0, "df_global": 1.0, "scale_slab": 2.0, "df_slab": 4.0,
                  "par_ratio": None, "autoscale": True, "main": False},
    "R2D2": {"mean_R2": 0.5, "prec_R2": 2.0, "cons_D2": 0.5, "autoscale": True, "main": False},
    "constant": {"const": None, "broadcast": True},
}
_NAMED = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*=(?!=)\s*(.*)$", re.S)


@dataclass(frozen=True)
class SpecialPrior:
    """A brms special prior: ``horseshoe(...)``, ``R2D2(...)`` or ``constant(value)``.

    ``args`` holds every argument with brms's defaults filled in: numbers as floats,
    vectors (``c(1, 2)``) as tuples of floats, logicals as bools, ``NULL`` as None.

    Examples
    --------
    >>> parse_special_prior("horseshoe(3, par_ratio = 0.1)").get("par_ratio")
    0.1
    >>> parse_special_prior("constant(c(1, 2))").get("const")
    (1.0, 2.0)
    """

    name: str
    args: tuple[tuple[str, object], ...]

    def get(self, key: str) -> object:
        return dict(self.args)[key]

    @property
    def shrinkage(self) -> bool:
        """A shrinkage prior on a whole class (horseshoe, R2D2), not a constant."""
        return self.name in ("horseshoe", "R2D2")

    def values(self, n: int, what: str) -> list[float]:
        """A constant's value for each of ``n`` elements (a scalar is broadcast, a vector must have length ``n``)."""
        const = self.get("const")
        if self.is_matrix:
            raise PriorError(f"A matrix constant ({self}) fixes a correlation matrix's Cholesky factor (class 'cor'), "
                             f"not {what}; give a number or c(...) of numbers.")
        vals = list(const) if isinstance(const, tuple) else [float(const)]  # type: ignore[arg-type]
        if len(vals) == 1:
            return vals * n
        if len(vals) != n:
            raise PriorError(f"constant({', '.join(format_number(v) for v in vals)}) gives {len(vals)} values for "
                             f"{what}, which has {n}; give one value or {n}.")
        return vals

    @property
    def is_matrix(self) -> bool:
        """Whether the constant is a Stan matrix literal (``constant([[1, 0], [0, 1]])``)."""
        c = dict(self.args).get("const")
        return isinstance(c, tuple) and bool(c) and isinstance(c[0], tuple)

    def __str__(self) -> str:
        return f"{self.name}({', '.join(f'{k} = {_r_text(v)}' for k, v in self.args)})"


def _r_text(v: object) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, tuple) and v and isinstance(v[0], tuple):
        return "[" + ", ".join("[" + ", ".join(format_number(x) for x in row) + "]" for row in v) + "]"
    if isinstance(v, tuple):
        return "c(" + ", ".join(format_number(x) for x in v) + ")"
    return format_number(float(v))  # type: ignore[arg-type]


def _special_value(text: str, arg: str, whole: str) -> object:
    """An argument of a special prior: a number (arithmetic allowed), ``c(...)``, TRUE/FALSE or NULL."""
    core = text.strip()
    if core in ("TRUE", "T", "True"):
        return True
    if core in ("FALSE", "F", "False"):
        return False
    if core in ("NULL", "None"):
        return None
    if core.startswith("["):  # brms testsuite [027]: prior('constant([[1, 0], [0, 1]])', class = 'cor')
        return _matrix_value(core, arg, whole)
    m = _PRIOR.match(core)
    try:
        if m and m.group(1) == "c":
            vals = tuple(float(eval_number(p)) for p in _split_args(m.group(2)))
            if not vals:
                raise _NotNumeric("c() is empty")
            return vals[0] if len(vals) == 1 else vals
        return float(eval_number(core))
    except _NotNumeric as e:
        raise PriorError(f"The argument {arg} of {whole!r} must be a number, c(...) of numbers, TRUE/FALSE or NULL; "
                         f"{e}. Compute the value in Python and pass the number.") from None


def _matrix_value(core: str, arg: str, whole: str) -> tuple[tuple[float, ...], ...]:
    """A Stan matrix literal ``[[1, 0], [0, 1]]`` (rows of numbers), as brms writes it into the program."""
    bad = PriorError(f"The argument {arg} of {whole!r} must be a number, c(...) of numbers or a Stan matrix "
                     "such as [[1, 0], [0, 1]] (rows of numbers of one length).")
    inner = core.strip()
    if not (inner.startswith("[[") and inner.endswith("]]")):
        raise bad
    rows = []
    for row in re.split(r"\]\s*,\s*\[", inner[2:-2]):
        try:
            rows.append(tuple(float(eval_number(p)) for p in _split_args(row)))
        except _NotNumeric:
            raise bad from None
    if not rows or len({len(r) for r in rows}) != 1 or not rows[0]:
        raise bad
    return tuple(rows)


def parse_special_prior(text: str) -> SpecialPrior | None:
    """Parse brms's special priors (``horseshoe``, ``R2D2``, ``constant``); None for anything else.

    Arguments are matched as R does (named, else by position) against brms's
    signatures, checked as brms checks them, and completed with brms's defaults.

    Raises
    ------
    PriorError
        For unknown or repeated arguments and values brms refuses.
    """
    if text is None:
        return None
    m = _PRIOR.match(str(text))
    if not m or m.group(1) not in SPECIAL_PRIORS:
        return None
    name, whole = m.group(1), str(text).strip()
    sig = _SPECIAL_ARGS[name]
    given: dict[str, object] = {}
    positional = list(sig)
    for piece in _split_args(m.group(2)):
        nm = _NAMED.match(piece)
        if nm and not piece.strip().startswith("c("):
            key = nm.group(1)
            if key not in sig:
                raise PriorError(f"{name}() has no argument {key!r} (in {whole!r}); its arguments are "
                                 f"{', '.join(sig)}.")
            value_text = nm.group(2)
        else:
            rest = [k for k in positional if k not in given]
            if not rest:
                raise PriorError(f"{whole!r} gives more arguments than {name}() takes ({', '.join(sig)}).")
            key, value_text = rest[0], piece
        if key in given:
            raise PriorError(f"The argument {key} is given twice in {whole!r}.")
        given[key] = _special_value(value_text, key, whole)
    args = {**sig, **given}
    _check_special(name, args, whole)
    return SpecialPrior(name, tuple(args.items()))


def _check_special(name: str, a: dict[str, object], whole: str) -> None:
    """brms's checks of horseshoe(), R2D2() and constant() (its messages, plus the argument)."""
    def positive(key: str, what: str) -> None:
        v = a[key]
        if isinstance(v, bool) or not isinstance(v, float) or not math.isfinite(v) or v <= 0:
            raise PriorError(f"Invalid {name} prior {whole!r}: {what} must be a single positive number.")

    def logical(key: str) -> None:
        if not isinstance(a[key], bool):
            raise PriorError(f"Invalid {name} prior {whole!r}: '{key}' must be TRUE or FALSE.")

    if name == "horseshoe":
        positive("df", "Degrees of freedom of the local priors")
        positive("df_global", "Degrees of freedom of the global prior")
        positive("scale_global", "Scale of the global prior")
        positive("df_slab", "Degrees of freedom of the slab part")
        positive("scale_slab", "Scale of the slab part")
        if a["par_ratio"] is not None:
            positive("par_ratio", "Argument 'par_ratio'")
        logical("autoscale")
        logical("main")
    elif name == "R2D2":
        m = a["mean_R2"]
        if isinstance(m, bool) or not isinstance(m, float) or not 0 < m < 1:
            raise PriorError(f"Invalid R2D2 prior {whole!r}: Mean of the R2 prior must be a single number in (0, 1).")
        positive("prec_R2", "Precision of the R2 prior")
        cons = a["cons_D2"]
        vals = cons if isinstance(cons, tuple) else (cons,)
        if any(isinstance(v, bool) or not isinstance(v, float) or not math.isfinite(v) or v <= 0 for v in vals):
            raise PriorError(f"Invalid R2D2 prior {whole!r}: Concentration of the D2 prior must be a vector of "
                             "positive numbers.")
        logical("autoscale")
        logical("main")
    else:
        c = a["const"]
        vals = c if isinstance(c, tuple) else (c,)
        if vals and isinstance(vals[0], tuple):  # a matrix: its elements
            vals = tuple(v for row in vals for v in row)
        if c is None or any(isinstance(v, bool) or not isinstance(v, float) or not math.isfinite(v) for v in vals):
            raise PriorError(f"constant() fixes a parameter at finite numbers, e.g. 'constant(1)'; got {whole!r}.")
        logical("broadcast")


def parse_any_prior(text: str) -> "PriorDist | SpecialPrior | None":
    """A Stan distribution (:func:`parse_prior_string`) or a brms special prior (:func:`parse_special_prior`)."""
    special = parse_special_prior(text)
    return special if special is not None else parse_prior_string(text)
