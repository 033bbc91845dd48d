"""Stan distributions usable as priors: names, argument names and supports.

Prior strings such as ``"student_t(3, 0, 2.5)"`` are parsed against this table
so that a typo or a wrong number of arguments is caught in Python with a clear
message, and so that hyperparameters can be passed as data (the Stan program
then depends only on the prior's *family*, never on its numbers).

Examples
--------
>>> parse_prior_string("normal(0, 10)")
PriorDist(name='normal', args=(0.0, 10.0))
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass

from .errors import PriorError


@dataclass(frozen=True)
class DistInfo:
    """A Stan distribution: argument names (used in data names) and support."""

    name: str
    args: tuple[str, ...]
    lower: float = -math.inf  # support
    upper: float = math.inf
    kind: str = "real"  # "real" or "cholesky" (LKJ on Cholesky factors)


_TABLE = [
    DistInfo("normal", ("loc", "scale")),
    DistInfo("std_normal", ()),
    DistInfo("student_t", ("df", "loc", "scale")),
    DistInfo("cauchy", ("loc", "scale")),
    DistInfo("double_exponential", ("loc", "scale")),
    DistInfo("logistic", ("loc", "scale")),
    DistInfo("gumbel", ("loc", "scale")),
    DistInfo("skew_normal", ("loc", "scale", "skew")),
    DistInfo("exp_mod_normal", ("loc", "scale", "rate")),
    DistInfo("lognormal", ("loc", "scale"), lower=0),
    DistInfo("exponential", ("rate",), lower=0),
    DistInfo("gamma", ("shape", "rate"), lower=0),
    DistInfo("inv_gamma", ("shape", "scale"), lower=0),
    DistInfo("weibull", ("shape", "scale"), lower=0),
    DistInfo("frechet", ("shape", "scale"), lower=0),
    DistInfo("rayleigh", ("scale",), lower=0),
    DistInfo("chi_square", ("df",), lower=0),
    DistInfo("inv_chi_square", ("df",), lower=0),
    DistInfo("scaled_inv_chi_square", ("df", "scale"), lower=0),
    DistInfo("beta", ("a", "b"), lower=0, upper=1),
    DistInfo("uniform", ("lower", "upper")),
    DistInfo("von_mises", ("loc", "kappa")),
    DistInfo("lkj_corr_cholesky", ("eta",), kind="cholesky"),
    DistInfo("dirichlet", ("alpha",), 0, 1, kind="simplex"),  # mixing proportions (class theta)
]
DISTRIBUTIONS: dict[str, DistInfo] = {d.name: d for d in _TABLE}
# brms spellings that map onto a Stan distribution
ALIASES = {"lkj": "lkj_corr_cholesky", "lkj_corr": "lkj_corr_cholesky"}

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_PRIOR = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)\s*$", re.S)


@dataclass(frozen=True)
class PriorDist:
    """A parsed prior: distribution name and numeric hyperparameters."""

    name: str
    args: tuple[float, ...]

    @property
    def info(self) -> DistInfo:
        return DISTRIBUTIONS[self.name]

    def __str__(self) -> str:
        name = "lkj" if self.name == "lkj_corr_cholesky" else self.name
        return f"{name}({', '.join(format_number(a) for a in self.args)})"


def format_number(x: float) -> str:
    """One number formatter for everything printed: 3 -> '3', 2.5 -> '2.5', 1e-8 -> '1e-08'."""
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.10g}"


def parse_prior_string(text: str) -> PriorDist | None:
    """Parse ``"normal(0, 1)"``; an empty string (flat prior) gives None.

    Raises :class:`~brmspy.errors.PriorError` for unknown distributions, a
    wrong number of arguments or non-numeric hyperparameters.
    """
    if text is None or not str(text).strip() or str(text).strip() == "(flat)":
        return None
    text = str(text).strip()
    m = _PRIOR.match(text)
    if not m:
        raise PriorError(f"Cannot read the prior {text!r}; write a Stan distribution such as 'normal(0, 10)'.")
    raw, inner = m.group(1), m.group(2)
    name = ALIASES.get(raw, raw)
    if name not in DISTRIBUTIONS:
        close = difflib.get_close_matches(raw, list(DISTRIBUTIONS) + list(ALIASES), n=3)
        hint = f" Did you mean {' or '.join(close)}?" if close else ""
        raise PriorError(
            f"Unknown prior distribution {raw!r} in {text!r}.{hint} Known distributions: "
            f"{', '.join(sorted(DISTRIBUTIONS))}."
        )
    pieces = [p.strip() for p in inner.split(",")] if inner.strip() else []
    info = DISTRIBUTIONS[name]
    if len(pieces) != len(info.args):
        raise PriorError(
            f"{raw}() takes {len(info.args)} argument(s) ({', '.join(info.args) or 'none'}), "
            f"but {text!r} gives {len(pieces)}."
        )
    args = []
    for p in pieces:
        if not _NUMBER.match(p):
            raise PriorError(
                f"Prior hyperparameters must be numbers; {p!r} in {text!r} is not. "
                "Compute the value in Python and pass the number."
            )
        args.append(float(p))
    return PriorDist(name, tuple(args))
