"""Non-linear hypothesis tests on posterior draws, as brms's ``hypothesis``.

A hypothesis is ``"left <op> right"`` with ``<op>`` one of ``<``, ``>``, ``=``; both
sides are arithmetic expressions of parameters (brms names without the class
prefix: ``Days`` is ``b_Days``), numbers, ``+ - * / ^ **`` and a few functions
(``exp``, ``log``, ``sqrt``, ...).  It is evaluated as ``(left)-(right) <op> 0`` on
every draw.  Strings are never passed to Python's ``eval``: parameter names are
replaced by placeholders and the rest is parsed with :mod:`ast`, allowing only
the node types listed above.

Examples
--------
>>> import brmspy as bp
>>> fit = bp.brm("Reaction ~ Days + (Days | Subject)", data=bp.datasets.load("sleepstudy"),
...              seed=1, refresh=0)                               # doctest: +SKIP
>>> print(hypothesis(fit, "Days > 5"))                            # doctest: +SKIP
Hypothesis Tests for class b:
      Hypothesis Estimate Est.Error CI.Lower CI.Upper Evid.Ratio Post.Prob Star
1 (Days)-(5) > 0     5.39       1.7     2.64     8.15     443.44         1    *
---
...
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import special

from ..core.html import html_report, pre, table
from ..core.errors import BrmsError
from ..fit.brmsfit import BrmsFit
from ..fit.naming import _prior_name

__all__ = ["HypothesisResult", "hypothesis", "evaluate_expression", "parse_hypothesis"]

SCOPES = ("standard", "ranef", "coef")
COLUMNS = ["Hypothesis", "Estimate", "Est.Error", "CI.Lower", "CI.Upper", "Evid.Ratio", "Post.Prob", "Star"]

# functions allowed in hypotheses (R names included)
FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "exp": np.exp, "log": np.log, "log10": np.log10, "log2": np.log2, "log1p": np.log1p, "expm1": np.expm1,
    "sqrt": np.sqrt, "abs": np.abs, "sin": np.sin, "cos": np.cos, "tan": np.tan, "tanh": np.tanh,
    "inv_logit": special.expit, "plogis": special.expit, "logit": special.logit, "qlogis": special.logit,
    "Phi": special.ndtr, "pnorm": special.ndtr, "square": np.square,
}

# brms's variable names: letters/underscore (or a dot not starting a number), then word
# characters, dots and colons, optionally an index in brackets (r_Subject[308,Intercept])
_VAR = re.compile(r"(?<![A-Za-z0-9_.\]])(?:[A-Za-z_]|\.(?![0-9]))[A-Za-z0-9_.:]*(?:\[[^\]\[]+\])?")
_SIGN = re.compile(r"[=<>]")


# ------------------------------------------------------------ safe expressions


@dataclass(frozen=True)
class _Parsed:
    """A hypothesis expression with its parameter names replaced by placeholders ``_v0_``, ``_v1_``."""

    tree: ast.Expression
    names: tuple[str, ...]  # variable names as written, index i -> placeholder _v{i}_


def _parse_expression(expr: str) -> _Parsed:
    names: list[str] = []
    out: list[str] = []
    pos = 0
    for m in _VAR.finditer(expr):
        tok = m.group(0)
        rest = expr[m.end():].lstrip()
        out.append(expr[pos:m.start()])
        pos = m.end()
        if rest.startswith("(") and "[" not in tok:  # a function call
            if tok not in FUNCTIONS:
                raise BrmsError(f"Unknown function {tok!r} in hypothesis {expr!r}; allowed: "
                                f"{', '.join(sorted(FUNCTIONS))}.")
            out.append(tok)
            continue
        if tok not in names:
            names.append(tok)
        out.append(f"_v{names.index(tok)}_")
    out.append(expr[pos:])
    code = "".join(out).replace("^", "**")
    try:
        tree = ast.parse(code, mode="eval")
    except SyntaxError as e:
        raise BrmsError(f"Cannot parse the hypothesis expression {expr!r}: {e.msg}.") from None
    _check_nodes(tree, expr)
    return _Parsed(tree, tuple(names))


_BINOPS = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide, ast.Pow: np.power}
_UNARY = {ast.USub: np.negative, ast.UAdd: np.positive}


def _check_nodes(tree: ast.AST, expr: str) -> None:
    for node in ast.walk(tree):
        ok = isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Load, ast.Call)) or \
            type(node) in _BINOPS or type(node) in _UNARY or \
            (isinstance(node, ast.Constant) and type(node.value) in (int, float))
        if isinstance(node, ast.Call):
            ok = isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS and len(node.args) == 1 \
                and not node.keywords
        if not ok:
            raise BrmsError(f"Unsupported syntax in hypothesis {expr!r} ({type(node).__name__}); use parameter "
                            "names, numbers, + - * / ^ and functions such as exp() or log().")


def _eval(node: ast.AST, values: Sequence[np.ndarray]) -> Any:
    if isinstance(node, ast.Expression):
        return _eval(node.body, values)
    if isinstance(node, ast.BinOp):
        return _BINOPS[type(node.op)](_eval(node.left, values), _eval(node.right, values))
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_eval(node.operand, values))
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Call):
        return FUNCTIONS[node.func.id](_eval(node.args[0], values))
    if isinstance(node, ast.Name):
        m = re.fullmatch(r"_v(\d+)_", node.id)
        if m is None:  # pragma: no cover - placeholders are the only names left after parsing
            raise BrmsError(f"Unexpected name {node.id!r} in hypothesis.")
        return values[int(m.group(1))]
    raise BrmsError(f"Unsupported syntax in hypothesis ({type(node).__name__}).")  # pragma: no cover


def evaluate_expression(expr: str, variables: Mapping[str, np.ndarray]) -> np.ndarray:
    """Evaluate an arithmetic expression of named draws safely (no ``eval``).

    Examples
    --------
    >>> evaluate_expression("a - 2 * b^2", {"a": np.array([1.0, 2.0]), "b": np.array([1.0, 0.5])}).tolist()
    [-1.0, 1.5]
    """
    parsed = _parse_expression(expr)
    missing = [n for n in parsed.names if n not in variables]
    if missing:
        raise BrmsError(f"Unknown variable(s) {missing} in {expr!r}; available: {', '.join(variables)}.")
    with np.errstate(all="ignore"):
        return np.asarray(_eval(parsed.tree, [np.asarray(variables[n], dtype=float) for n in parsed.names]),
                          dtype=float)


@dataclass(frozen=True)
class _Hypothesis:
    text: str  # brms's normalized text, e.g. "(Days)-(5) > 0"
    expr: str  # "(Days)-(5)"
    sign: str  # "=", "<" or ">"
    parsed: _Parsed


def parse_hypothesis(h: str) -> tuple[str, str]:
    """brms's normalization: ``"Days > 5"`` -> (``"(Days)-(5)"``, ``">"``).

    Examples
    --------
    >>> parse_hypothesis("Days > 5")
    ('(Days)-(5)', '>')
    >>> parse_hypothesis("Intercept - Days * 20 = 0")
    ('(Intercept-Days*20)', '=')
    """
    if not isinstance(h, str):
        raise BrmsError(f"A hypothesis must be a string such as 'Days > 5', got {type(h).__name__}.")
    h = re.sub(r"\s", "", h)
    signs = _SIGN.findall(h)
    sides = [s for s in _SIGN.split(h)]
    if len(signs) != 1 or len(sides) != 2 or not sides[0] or not sides[1]:
        raise BrmsError(f"Every hypothesis must be of the form 'left (= OR < OR >) right', got {h!r}.")
    left, right = sides
    expr = f"({left})" + (f"-({right})" if right != "0" else "")
    return expr, signs[0]


def _hypothesis(h: str) -> _Hypothesis:
    expr, sign = parse_hypothesis(h)
    return _Hypothesis(f"{expr} {sign} 0", expr, sign, _parse_expression(expr))


# ------------------------------------------------------------ summaries


def _density_at(x: np.ndarray, at: float = 0.0) -> float:
    """Gaussian kernel density of ``x`` at ``at`` with R's default bandwidth (bw.nrd0)."""
    x = x[np.isfinite(x)]
    n = x.size
    if n < 2:
        return float("nan")
    sd = x.std(ddof=1)
    iqr = np.subtract(*np.quantile(x, [0.75, 0.25]))
    lo = min(sd, iqr / 1.34) if iqr > 0 else sd
    if lo <= 0:
        lo = abs(x[0]) or 1.0
    bw = 0.9 * lo * n ** -0.2
    return float(np.mean(np.exp(-0.5 * ((at - x) / bw) ** 2)) / (bw * math.sqrt(2 * math.pi)))


def _summarize(draws: np.ndarray, sign: str, alpha: float, robust: bool, prior: np.ndarray | None) -> dict:
    draws = draws[np.isfinite(draws)]
    if draws.size == 0:
        raise BrmsError("The hypothesis evaluates to non-finite values on every draw.")
    if sign == "=":
        probs = [alpha / 2, 1 - alpha / 2]
    else:
        probs = [alpha, 1 - alpha]  # brms: 90% interval for one-sided hypotheses at alpha = 0.05
    if robust:
        est = float(np.median(draws))
        err = float(1.4826 * np.median(np.abs(draws - est)))
    else:
        est = float(draws.mean())
        err = float(draws.std(ddof=1)) if draws.size > 1 else float("nan")
    lo, hi = (float(v) for v in np.quantile(draws, probs))
    S = draws.size
    if sign == "=":
        if prior is None:
            er = float("nan")
        else:  # Savage-Dickey: posterior over prior density at the tested value
            prior = prior[np.isfinite(prior)]
            with np.errstate(divide="ignore", invalid="ignore"):
                er = _density_at(draws) / _density_at(prior)
    else:
        hits = int(np.sum(draws > 0) if sign == ">" else np.sum(draws < 0))
        er = float("inf") if hits == S else hits / (S - hits)
    if math.isnan(er):
        pp = float("nan")
    else:
        pp = 1.0 if math.isinf(er) else er / (1 + er)
    if sign == "=":
        star = "*" if not (lo <= 0 <= hi) else ""
    else:
        star = "*" if (not math.isnan(pp) and pp > 1 - alpha) else ""
    return {"Estimate": est, "Est.Error": err, "CI.Lower": lo, "CI.Upper": hi, "Evid.Ratio": er,
            "Post.Prob": pp, "Star": star}


def _fmt_number_column(values: Sequence[float], digits: int) -> list[str]:
    """Round to ``digits`` decimals and print with as few decimals as the column needs (as R)."""
    vals = [None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in values]
    finite = [round(v, digits) for v in vals if v is not None and math.isfinite(v)]
    dec = 0
    for d in range(digits + 1):
        dec = d
        if all(abs(v - round(v, d)) < 10 ** -(digits + 2) for v in finite):
            break
    out = []
    for v in vals:
        if v is None:
            out.append("NA")
        elif math.isinf(v):
            out.append("Inf" if v > 0 else "-Inf")
        else:
            out.append(f"{round(v, digits):.{dec}f}")
    return out


def _limit_chars(s: str, chars: int) -> str:
    return s if len(s) <= chars else s[: chars - 3] + "..."


@dataclass(eq=False)
class HypothesisResult:
    """Result of :func:`hypothesis` (brms's ``brmshypothesis``).

    Attributes
    ----------
    hypothesis : DataFrame with columns Hypothesis, Estimate, Est.Error, CI.Lower, CI.Upper,
        Evid.Ratio, Post.Prob, Star (and Group first for ``scope="ranef"``/``"coef"``).
    samples : DataFrame of the hypotheses' posterior draws (columns H1, H2, ...).
    prior_samples : the same for prior draws (None without ``prior_*`` draws).
    class_ : the class label printed in the header.
    alpha : the test's alpha.
    """

    hypothesis: pd.DataFrame
    samples: pd.DataFrame
    prior_samples: pd.DataFrame | None
    class_: str
    alpha: float

    def format(self, digits: int = 2, chars: int = 20) -> str:
        """brms's printout; hypothesis names longer than ``chars`` are shortened."""
        df = self.hypothesis
        cols: dict[str, list[str]] = {}
        for c in df.columns:
            if c in ("Hypothesis", "Group"):
                cols[c] = [_limit_chars(str(v), chars) for v in df[c]]
            elif c == "Star":
                cols[c] = [str(v) for v in df[c]]
            else:
                cols[c] = _fmt_number_column(list(df[c]), digits)
        rows = [str(i) for i in df.index]
        w0 = max((len(r) for r in rows), default=0)
        widths = {c: max(len(c), *(len(v) for v in vals)) if vals else len(c) for c, vals in cols.items()}
        lines = [f"Hypothesis Tests for class {self.class_}:"]
        lines.append(" " * w0 + "".join(f" {c:>{widths[c]}}" for c in cols))
        for i, r in enumerate(rows):
            lines.append(f"{r:<{w0}}" + "".join(f" {cols[c][i]:>{widths[c]}}" for c in cols))
        pone = f"{(1 - self.alpha * 2) * 100:g}"
        ptwo = f"{(1 - self.alpha) * 100:g}"
        lines += [
            "---",
            f"'CI': {pone}%-CI for one-sided and {ptwo}%-CI for two-sided hypotheses.",
            f"'*': For one-sided hypotheses, the posterior probability exceeds {ptwo}%;",
            f"for two-sided hypotheses, the value tested against lies outside the {ptwo}%-CI.",
            "Posterior probabilities of point hypotheses assume equal prior probabilities.",
        ]
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.format()

    def __repr__(self) -> str:
        return self.format()

    def _repr_html_(self) -> str:
        """The printout for notebooks: the hypothesis table as an HTML table, the notes as text."""
        notes = self.format().split("---\n", 1)[1]
        return html_report([(f"Hypothesis Tests for class {self.class_}:", table(self.hypothesis)),
                            ("", pre("---\n" + notes))])


# ------------------------------------------------------------ parameters


def _level_draws(fit: "BrmsFit", scope: str, group: str) -> dict[str, dict[str, np.ndarray]]:
    """level -> coef -> flat draws of group-level (``ranef``) or combined (``coef``) coefficients."""
    info, draws = fit.param_info, fit.draws_dict
    groups = sorted({pi.group for pi in info.values() if pi.kind == "r"})
    if group not in groups:
        raise BrmsError(f"group must be one of {groups} for scope={scope!r}, got {group!r}.")
    b = {pi.coef: draws[n] for n, pi in info.items() if pi.kind == "b"}
    out: dict[str, dict[str, np.ndarray]] = {}
    for n, pi in info.items():
        if pi.kind == "r" and pi.group == group:
            v = draws[n]
            if scope == "coef" and pi.coef in b:
                v = v + b[pi.coef]
            out.setdefault(pi.level, {})[pi.coef] = np.asarray(v, dtype=float).reshape(-1)
    return out


def _lookup(names: Sequence[str], prefix: str, draws: Mapping[str, np.ndarray], what: str) -> list[str]:
    full = [prefix + n for n in names]
    missing = [f for f in full if f not in draws]
    if missing:
        valid = [k[len(prefix):] for k in draws if k.startswith(prefix) and not k.startswith("prior_")
                 and k not in ("lp__", "lprior")]
        shown = ", ".join(valid[:30]) + (", ..." if len(valid) > 30 else "")
        raise BrmsError(f"Some parameters cannot be found in the model: {', '.join(missing)}. "
                        f"Valid names {what}: {shown or '(none)'}.")
    return full


# ------------------------------------------------------------ public


def hypothesis(fit: "BrmsFit", hypothesis: "str | Sequence[str] | Mapping[str, str]", class_: str = "b",
               group: str = "", scope: str = "standard", alpha: float = 0.05, robust: bool = False,
               seed: int | None = None) -> HypothesisResult:
    """Test non-linear hypotheses about parameters (brms's ``hypothesis``).

    Parameters
    ----------
    fit : the fitted model.
    hypothesis : ``"left <op> right"`` with ``<op>`` one of ``<``, ``>``, ``=``, a list of them,
        or a dict ``{name: hypothesis}`` naming the rows.  Parameters are brms names without
        the class prefix (``"Days > 5"`` tests ``b_Days``); ``class_=""`` takes full names
        (``"sd_Subject__Intercept > 20"``).
    class_ : parameter class prefix (``"b"``, ``"sd"``, ``"cor"``, ``"r"``, ``""``).
    group : with ``scope="standard"``, the prefix becomes ``<class_>_<group>__``
        (``class_="sd", group="Subject"``: ``"Intercept > 20"`` tests ``sd_Subject__Intercept``);
        with ``scope="ranef"``/``"coef"`` the grouping factor whose levels are tested.
    scope : ``"standard"``; ``"ranef"`` (group-level effects) or ``"coef"`` (population plus
        group-level effects) test the hypothesis for every level of ``group``, one row per level.
    alpha : one-sided tests use the ``1 - 2 alpha`` interval and star when the posterior
        probability exceeds ``1 - alpha``; two-sided (``=``) tests use the ``1 - alpha`` interval
        and star when it excludes the tested value.
    robust : median and MAD instead of mean and SD.
    seed : accepted for brms compatibility (all computations here are deterministic).

    Returns
    -------
    HypothesisResult
        ``.hypothesis`` holds the table; ``print()`` shows brms's layout.  One-sided:
        ``Evid.Ratio = P(H) / P(not H)``, ``Post.Prob = P(H)``.  Point hypotheses: the
        Savage-Dickey ratio of posterior to prior density at the tested value when the fit has
        prior draws (``sample_prior="yes"``), else NA.

    Examples
    --------
    >>> res = hypothesis(fit, "Days > 5")                                  # doctest: +SKIP
    >>> res.hypothesis.loc[1, "Hypothesis"]                                # doctest: +SKIP
    '(Days)-(5) > 0'
    >>> hypothesis(fit, ["Days < 0", "Intercept - Days * 20 = 0"])         # doctest: +SKIP
    >>> hypothesis(fit, "Intercept > 0", scope="coef", group="Subject")    # doctest: +SKIP
    """
    if not isinstance(fit, BrmsFit):
        raise BrmsError(f"Expected a BrmsFit (from brm()), got {type(fit).__name__}.")
    if scope not in SCOPES:
        raise BrmsError(f"scope must be one of {SCOPES}, got {scope!r}.")
    if not (isinstance(alpha, (int, float)) and 0 < alpha < 0.5):
        raise BrmsError(f"alpha must be between 0 and 0.5, got {alpha!r}.")
    if isinstance(hypothesis, Mapping):
        names, texts = [str(k) for k in hypothesis], list(hypothesis.values())
    elif isinstance(hypothesis, str):
        names, texts = [""], [hypothesis]
    else:
        texts = list(hypothesis)
        names = [""] * len(texts)
    if not texts:
        raise BrmsError("No hypothesis given.")
    hyps = [_hypothesis(t) for t in texts]
    class_ = class_ or ""
    group = group or ""

    rows, samples, prior_samples = [], {}, {}
    if scope == "standard":
        prefix = f"{class_}_{group}__" if group else (f"{class_}_" if class_ else "")
        draws = fit.draws_dict
        what = f"for class {class_!r}" if class_ else "(full names)"
        for i, (h, name) in enumerate(zip(hyps, names)):
            full = _lookup(h.parsed.names, prefix, draws, what)
            post = evaluate_expression(h.expr, dict(zip(h.parsed.names, (draws[f].reshape(-1) for f in full))))
            prior = None
            pnames = [_prior_name(f, draws) for f in full]
            if full and all(pnames):
                prior = evaluate_expression(h.expr, dict(zip(h.parsed.names, (draws[p].reshape(-1) for p in pnames))))
            elif not full:  # a constant hypothesis: no prior needed
                prior = None
            rows.append({"Hypothesis": name or h.text, **_summarize(post, h.sign, alpha, robust, prior)})
            samples[f"H{i + 1}"] = post
            if prior is not None:
                prior_samples[f"H{i + 1}"] = prior
        label = prefix[:-1] if prefix.endswith("_") else prefix
        index = pd.RangeIndex(1, len(rows) + 1)
    else:
        if not group:
            raise BrmsError(f"scope={scope!r} needs group= (a grouping factor such as 'Subject').")
        per_level = _level_draws(fit, scope, group)
        k = 0
        for i, (h, name) in enumerate(zip(hyps, names)):
            for level, coefs in per_level.items():
                missing = [n for n in h.parsed.names if n not in coefs]
                if missing:
                    raise BrmsError(f"Some parameters cannot be found for group {group!r}: {', '.join(missing)}. "
                                    f"Valid names: {', '.join(coefs)}.")
                post = evaluate_expression(h.expr, coefs)
                rows.append({"Group": level, "Hypothesis": name or h.text,
                             **_summarize(post, h.sign, alpha, robust, None)})
                k += 1
                samples[f"H{k}"] = post
        label = ""
        index = pd.RangeIndex(1, len(rows) + 1)
    table = pd.DataFrame(rows, index=index)
    return HypothesisResult(table, pd.DataFrame(samples), pd.DataFrame(prior_samples) if prior_samples else None,
                            label, alpha)
