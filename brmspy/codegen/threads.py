"""Within-chain parallelism (``brm(..., threads=k)``): the likelihood split with ``reduce_sum``.

As brms's ``threading()``: the row-wise likelihood of each response moves into a
function ``partial_log_lik_lpmf(array[] int seq, int start, int end, ...)`` that
builds the linear predictors of rows ``start..end`` and returns their summed log
likelihood; the model block adds ``reduce_sum(partial_log_lik_lpmf, seq,
grainsize, ...)``. The function body is the row-wise likelihood piece
(:func:`brmspy.codegen.likelihood.stan_likelihood`) with every per-row object sliced:

* a program variable whose outer dimension is ``N`` (``Y``, ``Xc``, ``J_1``,
  ``Z_1_1``, ``weights``, ``offsets``, ...) becomes ``name[start:end]`` in
  vectorised statements and ``name[nn]`` (``nn = n + start - 1``) inside the
  ``for (n in 1:N)`` loops of pointwise likelihoods;
* ``N`` inside the function is the slice length, so the row-wise code's local
  vectors (``vector[N] mu``) are slices too;
* every program variable the body reads becomes an argument, typed from its
  declaration (``data`` for data and transformed data).

So one code path serves every family and linear-predictor structure the
row-wise likelihood already writes, and the threaded program computes exactly
the same sum. Structures whose likelihood is not a sum of row terms built from
row-indexed objects (residual correlations, autocorrelation, ordinal /
categorical / mixture families, non-linear formulas, ``cens()`` / ``trunc()``
/ ``se()`` / ``rate()``, ``mi()``, ``gp()``) keep the row-wise program and get a
``UserWarning`` naming the reason. The program stays valid for every backend:
without threads ``reduce_sum`` runs serially.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.errors import BrmsWarning, warn
from ..core.stan import StanBlocks
from ..core.templates import stan_function
from ..families.custom import StanVars
from ..formula.prefix import Prefix, resp_suffix
from ..formula.terms import BrmsTerms
from ..frame.types import ModelFrame
from ..specials.autocor import autocor_design
from .likelihood import stan_likelihood
from .options import CodeOptions
from .tuning import Tuning

__all__ = ["default_grainsize", "stan_threaded_likelihood", "uncovered_reason"]


#: special-term kinds whose predictor terms are row-wise expressions of row-indexed objects
_SLICEABLE_SPECIALS = frozenset({"offset", "s", "t2", "mo", "me"})
#: names that are locals or syntax of the partial-sum function, never arguments
_RESERVED = frozenset({
    "N", "n", "nn", "start", "end", "seq", "ptarget", "target", "for", "in", "if", "else", "while", "return",
    "int", "real", "vector", "row_vector", "matrix", "array", "data", "lower", "upper",
})
_VECTOR_TYPES = {"vector", "simplex", "ordered", "positive_ordered", "unit_vector", "sum_to_zero_vector"}
_MATRIX_TYPES = {"matrix", "cholesky_factor_corr", "cholesky_factor_cov", "corr_matrix", "cov_matrix"}
_DIMS = r"(?:[^\[\]]|\[[^\[\]]*\])*"  # sizes, which may index data: matrix[N, knots_1[1]]
_DECL = re.compile(
    rf"^\s*(?:array\[(?P<adims>{_DIMS})\]\s+)?"
    r"(?P<base>int|real|vector|row_vector|matrix|simplex|ordered|positive_ordered|unit_vector|sum_to_zero_vector"
    r"|cholesky_factor_corr|cholesky_factor_cov|corr_matrix|cov_matrix)\b"
    rf"(?:<[^>]*>)?(?:\[(?P<dims>{_DIMS})\])?\s+(?P<name>[A-Za-z_]\w*)\s*[=;]"
)
_IDENT = re.compile(r"\b([A-Za-z_]\w*)\b(\[n\])?")
_LOOP = re.compile(r"^\s*for \(n in 1:N\) \{\s*$")


# ------------------------------------------------------------------ public


def default_grainsize(N: int, threads: int) -> int:
    """brms's default grainsize: ``max(100, N / (2 * threads))`` rows per slice.

    Examples
    --------
    >>> default_grainsize(1000, 2), default_grainsize(10000, 4)
    (250, 1250)
    """
    return max(100, round(N / (2 * threads)))


def uncovered_reason(frame: "ModelFrame") -> str | None:
    """Why the likelihood of ``frame`` cannot be split with ``reduce_sum`` (None: it can).

    Only the structure is checked here; :func:`stan_threaded_likelihood` also
    refuses a likelihood that reads values computed elsewhere in the model block.
    """
    if getattr(frame.terms, "rescor", False):
        return "residual correlations (set_rescor(True))"
    if frame.resp_rows is not None:
        return "responses fitted on their own rows (subset() in a multivariate model)"
    for t in frame.response_terms:
        of = f" (response '{t.resp}')" if t.resp else ""
        fam = t.family
        if not fam.kind.univariate:
            return f"the {fam.name} family{of} ({fam.kind.name})"
        if t.nonlinear:
            return f"non-linear formulas{of}"
        rd = frame.responses[t.resp]
        if rd.missing is not None:
            return f"responses imputed with mi(){of}"
        if rd.adds is not None:
            a = rd.adds
            names = [n for n, on in (("cens()", a.cens is not None), ("trunc()", a.truncated),
                                     ("se()", a.se is not None), ("rate()", a.denom is not None)) if on]
            return f"{', '.join(names) or 'cens()/trunc()/se()/rate()'} addition terms{of}"
        for d in t.parts:
            design = frame.designs.get(Prefix(t.resp, d))
            if design is None:
                continue
            if autocor_design(design) is not None:
                return f"autocorrelation terms (ar/ma/arma/cosy){of}"
            for sp in design.specials:
                kinds = {s.kind for s in sp.terms} if sp.terms else set(sp.kinds)
                if "sp" in kinds:  # products such as mo(x):z: the kinds of their factors (brmspy.specials.sp)
                    kinds = (kinds - {"sp"}) | {t.kind for t in sp.sp_terms}
                bad = sorted(k for k in kinds if k not in _SLICEABLE_SPECIALS)
                if bad:
                    return f"{', '.join(k + '()' for k in bad)} terms{of}"
    return None


def stan_threaded_likelihood(
    frame: "ModelFrame", sb: StanBlocks, options: "CodeOptions", tuning: "Tuning | None" = None,
    stanvars: "StanVars | None" = None,
) -> StanBlocks | None:
    """The likelihood of every response as ``reduce_sum`` over row slices, or None.

    Parameters
    ----------
    frame : the model frame (the original rows).
    sb : the program assembled so far (every declaration the likelihood reads).
    options : ``options.threads > 1`` asks for the threaded likelihood.
    tuning : shapes the linear predictors as in the row-wise program; its data-only
        constants stay inside the slices (a constant summed once would be added per slice).
    stanvars : the user's code (:func:`brmspy.stanvar`): code of block ``"likelihood"`` runs inside the
        (first response's) partial sum, as in brms, and every stanvar variable the likelihood reads is
        passed to it like the model's own, so brms's ``pll_args`` are not needed.

    Returns
    -------
    StanBlocks or None
        None when threads are off, or, with a ``UserWarning`` naming the reason,
        when the model has a structure whose likelihood is not split (the caller
        then writes the row-wise likelihood).
    """
    if options.threads <= 1:
        return None
    reason = uncovered_reason(frame)
    out = StanBlocks()
    if reason is None:
        from dataclasses import replace


        sliced = replace(tuning, hoist_constants=False) if tuning is not None else None
        known, start, end = sb, [], []
        if stanvars is not None and len(stanvars):  # the stanvars' declarations, as arguments of the partial sums
            code = stanvars.code
            known = StanBlocks()
            known += sb
            known.data += code("data", "start") + code("data", "end")
            known.tdata_def += code("tdata", "start")
            known.par += code("parameters", "start") + code("parameters", "end")
            known.tpar_def += code("tparameters", "start")
            start, end = code("likelihood", "start"), code("likelihood", "end")
        try:
            for i, t in enumerate(frame.response_terms):
                piece = stan_likelihood(frame, t, sliced)
                if i == 0:  # brms: the user's likelihood code inside the partial sum, after the predictors' declarations
                    piece.model_def += start
                    piece.likelihood += end
                out += _threaded_response(t, known, piece)
        except _Uncovered as exc:
            reason = str(exc)
    if reason is not None:
        warn(
            f"threads={options.threads} ignored: reduce_sum cannot split the likelihood of models with "
            f"{reason} yet; the program computes it row-wise (one thread per chain).",
            BrmsWarning,
        )
        return None
    shared = StanBlocks()
    shared.functions.append(stan_function("sequence"))
    shared.declare("int<lower=1> grainsize", "grainsize", default_grainsize(frame.N, options.threads),
                   "grainsize for threading")
    shared.tdata_def.append("array[N] int seq = sequence(1, N);  // row indices sliced by reduce_sum")
    shared += out
    return shared


# ------------------------------------------------------------------ internals


class _Uncovered(Exception):
    """The row-wise likelihood reads something that cannot be passed to the partial sum."""


@dataclass(frozen=True)
class _Symbol:
    """A program variable as the partial-sum function sees it."""

    name: str
    arg_type: str  # e.g. "data vector", "array[] int", "matrix"
    per_row: bool  # outer dimension N: sliced by rows
    is_data: bool


def _split_top(text: str) -> list[str]:
    """Split dimension text at top-level commas: ``"N, K - 1"`` -> ``["N", "K - 1"]``."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    return parts


def _symbols(sb: StanBlocks) -> dict[str, _Symbol]:
    """Every variable declared in the data, transformed data, parameters and transformed parameters."""
    table: dict[str, _Symbol] = {}
    for lines, is_data in ((sb.data, True), (sb.tdata_def, True), (sb.par, False), (sb.tpar_def, False)):
        for line in lines:
            m = _DECL.match(line.split("//")[0])
            if m is None:
                continue
            base, adims, dims = m["base"], m["adims"], m["dims"]
            kind = "vector" if base in _VECTOR_TYPES else "matrix" if base in _MATRIX_TYPES else base
            if adims is not None:
                arg = f"array[{',' * (len(_split_top(adims)) - 1)}] {kind}"
                outer = _split_top(adims)[0]
            else:
                arg = kind
                outer = _split_top(dims)[0] if dims else ""
            table[m["name"]] = _Symbol(m["name"], ("data " if is_data else "") + arg, outer == "N", is_data)
    return table


def _local_names(lines: list[str]) -> set[str]:
    return {m["name"] for line in lines if (m := _DECL.match(line.split("//")[0])) is not None}


def _slice(lines: list[str], symbols: dict[str, _Symbol]) -> tuple[list[str], list[str]]:
    """The row-wise statements rewritten for rows ``start..end``, and the program variables they read."""
    locals_ = _local_names(lines)
    used: list[str] = []
    out: list[str] = []
    loops: list[int] = []  # brace depth at which each open 'for (n in 1:N)' loop started
    depth = 0

    def rewrite(m: re.Match) -> str:
        name, at_n = m[1], m[2]
        follows = m.string[m.end():].lstrip()
        if name in _RESERVED or name in locals_ or follows.startswith("("):
            return m[0]
        sym = symbols.get(name)
        if sym is None:
            raise _Uncovered(f"terms that read '{name}', which the model block computes outside the likelihood,")
        if name not in used:
            used.append(name)
        if not sym.per_row:
            return m[0]
        if at_n and loops:
            return f"{name}[nn]"
        return f"{name}[start:end]{at_n or ''}"

    for line in lines:
        code, sep, comment = line.partition("//")
        code = re.sub(r"^(\s*)target \+=", r"\1ptarget +=", code)
        code = _IDENT.sub(rewrite, code)
        out.append(code + sep + comment)
        if _LOOP.match(code):
            loops.append(depth)
            indent = code[: len(code) - len(code.lstrip())]
            out.append(f"{indent}  int nn = n + start - 1;")
        depth += code.count("{") - code.count("}")
        while loops and depth <= loops[-1]:
            loops.pop()
    return out, used


def _threaded_response(t: "BrmsTerms", sb: StanBlocks, piece: StanBlocks) -> StanBlocks:
    """One response's partial-sum function and its ``reduce_sum`` statement."""
    rowwise = piece.model_def + piece.model_comp + piece.likelihood
    moved = ("model_def", "model_comp", "likelihood")
    rest = StanBlocks(**{k: v for k, v in vars(piece).items() if k not in moved})
    symbols = _symbols(sb)
    symbols.update(_symbols(rest))
    body, used = _slice(rowwise, symbols)
    # in declaration order: data (response first, as brms lists them), then parameters
    used_set = set(used)
    args = [s for s in symbols.values() if s.name in used_set]
    fname = f"partial_log_lik{resp_suffix(t.resp)}_lpmf"
    head = f"  real {fname}("
    params = ["array[] int seq", "int start", "int end", *(f"{a.arg_type} {a.name}" for a in args)]
    of = f" of response {t.resp}" if t.resp else ""
    rest.functions.append(stan_function("partial_log_lik", of=of, signature="\n".join(_wrap(head, params, ") {")),
                                        body="\n".join(body)))
    rest.likelihood += [
        f"// likelihood{of} summed over slices of rows, in parallel with threads",
        *_wrap("target += reduce_sum(", [fname, "seq", "grainsize", *(a.name for a in args)], ");", width=96),
    ]
    return rest


def _wrap(head: str, items: list[str], tail: str, width: int = 100) -> list[str]:
    """``head`` + comma-separated ``items`` + ``tail``, continued under the first item past ``width``."""
    pad = " " * len(head)
    lines, cur = [], head
    for i, item in enumerate(items):
        text = item + ("," if i < len(items) - 1 else tail)
        if cur not in (head, pad) and len(cur) + 1 + len(text) > width:
            lines.append(cur.rstrip())
            cur = pad
        cur += ("" if cur in (head, pad) else " ") + text
    lines.append(cur)
    return lines
