"""``constant()`` priors: parameters fixed at values that are passed as data.

brms writes the values into the program (``b[1] = 1;``, ``sigma = 1.5;``) and turns the parameter into a
transformed parameter; brmspy does the same with the values as data, so that other values reuse the
compiled program: ``prior_<name>_const`` (the values), ``Kp_<name>_const`` (how many) and, when only some
elements of a vector are fixed, ``Jp_<name>_const`` (which). The estimated elements of such a vector are
scalar parameters ``par_<name>_<i>``, as in brms.

The pieces that declare parameters (population effects, group-level sds, distributional parameters) do
not know about constants; :func:`apply_constants` rewrites the declarations of the assembled program.
"""

from __future__ import annotations

import re

import numpy as np

from ..core.distributions import format_number
from ..core.errors import PriorError
from ..core.stan import StanBlocks

_DECL = re.compile(r"^(?P<base>real|vector|matrix)(?P<bounds><[^>]*>)?(?P<size>\[[^\]]*\])?\s+(?P<name>\w+);(?P<rest>.*)$")
_ARRAY = re.compile(r"^array\[(?P<n>[^\]]*)\] vector(?P<bounds><[^>]*>)?\[(?P<d>[^\]]*)\]\s+(?P<name>\w+);(?P<rest>.*)$")
_CHOL = re.compile(r"^(?:array\[(?P<n>[^\]]*)\] )?cholesky_factor_corr\[(?P<m>[^\]]*)\]\s+(?P<name>\w+);(?P<rest>.*)$")
_BOUND = re.compile(r"(lower|upper)=([-+0-9.eE]+)")


def _check_bounds(name: str, bounds: str, values: list[float]) -> None:
    for which, text in _BOUND.findall(bounds or ""):
        limit = float(text)
        bad = [v for v in values if (v < limit if which == "lower" else v > limit)]
        if bad:
            raise PriorError(f"constant({format_number(bad[0])}) is outside the range of {name} ({which} bound "
                             f"{format_number(limit)}).")


def apply_constants(sb: StanBlocks, constants: dict[str, list[float | None]], rows: dict[str, int] | None = None) -> None:
    """Turn the parameters of ``constants`` (Stan name -> value per element, None: estimated) into data.

    A matrix parameter (``bcs``: one row per coefficient) has its values column-major and its number
    of rows in ``rows``; constant() fixes whole rows of it.
    """
    fixed_def: list[str] = []
    fixed_comp: list[str] = []
    for name, values in constants.items():
        chol = next((i for i, line in enumerate(sb.par) if (m := _CHOL.match(line)) and m.group("name") == name), None)
        if chol is not None:
            _fix_cholesky(sb, name, values, (rows or {})[name], chol, fixed_def, fixed_comp)
            continue
        arr = next((i for i, line in enumerate(sb.par) if (m := _ARRAY.match(line)) and m.group("name") == name), None)
        if arr is not None:
            _fix_array(sb, name, values, (rows or {})[name], arr, fixed_def, fixed_comp)
            continue
        pos = next((i for i, line in enumerate(sb.par) if (m := _DECL.match(line)) and m.group("name") == name), None)
        if pos is None:
            raise PriorError(f"brmspy cannot fix the parameter {name!r} with constant() in this model.")
        m = _DECL.match(sb.par.pop(pos))
        base, bounds, size, rest = m.group("base"), m.group("bounds") or "", m.group("size"), m.group("rest")
        idx = [i for i, v in enumerate(values) if v is not None]
        vals = [float(values[i]) for i in idx]
        _check_bounds(name, bounds, vals)
        data = f"prior_{name}_const"
        if base == "matrix":
            _fix_matrix(sb, name, size, rest, values, (rows or {})[name], pos, fixed_def, fixed_comp)
            continue
        if base == "real":
            sb.declare(f"real {data}", data, vals[0], f"constant value of {name}")
            fixed_def.append(f"real{bounds} {name} = {data};{rest}")
            continue
        count = f"Kp_{name}_const"
        sb.declare(f"int<lower=1> {count}", count, len(idx), f"number of elements of {name} fixed by constant()")
        sb.declare(f"vector[{count}] {data}", data, np.array(vals), f"constant values of {name}")
        if len(idx) == len(values):
            fixed_def.append(f"vector{bounds}{size} {name} = {data};{rest}")
            continue
        where = f"Jp_{name}_const"
        sb.declare(f"array[{count}] int {where}", where, np.array(idx, dtype=np.int64) + 1, "which elements are fixed")
        free = [i + 1 for i, v in enumerate(values) if v is None]
        for k, i in enumerate(free):
            sb.par.insert(pos + k, f"real{bounds} par_{name}_{i};  // element {i} of {name}")
        fixed_def.append(f"vector{bounds}{size} {name};{rest}")
        fixed_comp.append(f"{name}[{where}] = {data};")
        fixed_comp += [f"{name}[{i}] = par_{name}_{i};" for i in free]
    # before every other transformed parameter, which may use them
    sb.tpar_def[:0] = fixed_def
    sb.tpar_comp[:0] = fixed_comp


def _fix_matrix(sb: StanBlocks, name: str, size: str, rest: str, values: list[float | None], nrow: int, pos: int,
                fixed_def: list[str], fixed_comp: list[str]) -> None:
    """constant() rows of a matrix parameter: data ``prior_<name>_const`` (fixed rows), ``par_<name>_<r>`` rows."""
    ncol_expr = size.strip("[]").split(",")[1].strip()
    grid = np.array([np.nan if v is None else float(v) for v in values]).reshape(-1, nrow).T  # (nrow, ncol)
    fixed_rows = [r for r in range(nrow) if not np.isnan(grid[r]).any()]
    if any(np.isnan(grid[r]).any() and not np.isnan(grid[r]).all() for r in range(nrow)):
        raise PriorError(f"constant() fixes whole rows of {name} (a coefficient's effects on every threshold).")
    data, count, where = f"prior_{name}_const", f"Kp_{name}_const", f"Jp_{name}_const"
    sb.declare(f"int<lower=1> {count}", count, len(fixed_rows), f"number of rows of {name} fixed by constant()")
    sb.declare(f"matrix[{count}, {ncol_expr}] {data}", data, grid[fixed_rows], f"constant values of {name}")
    if len(fixed_rows) == nrow:
        fixed_def.append(f"matrix{size} {name} = {data};{rest}")
        return
    sb.declare(f"array[{count}] int {where}", where, np.array(fixed_rows, dtype=np.int64) + 1, "which rows are fixed")
    free = [r + 1 for r in range(nrow) if r not in fixed_rows]
    for k, r in enumerate(free):
        sb.par.insert(pos + k, f"row_vector[{ncol_expr}] par_{name}_{r};  // row {r} of {name}")
    fixed_def.append(f"matrix{size} {name};{rest}")
    fixed_comp.append(f"{name}[{where}] = {data};")
    fixed_comp += [f"{name}[{r}] = par_{name}_{r};" for r in free]


def _fix_array(sb: StanBlocks, name: str, values: list[float | None], nrow: int, pos: int,
               fixed_def: list[str], fixed_comp: list[str]) -> None:
    """constant() elements of an array of vectors (``lscale``, row-major values): data and ``par_<name>_<j>_<d>``."""
    m = _ARRAY.match(sb.par.pop(pos))
    bounds = m.group("bounds") or ""
    ncol = len(values) // nrow
    idx = [i for i, v in enumerate(values) if v is not None]
    vals = [float(values[i]) for i in idx]
    _check_bounds(name, bounds, vals)
    data, count = f"prior_{name}_const", f"Kp_{name}_const"
    sb.declare(f"int<lower=1> {count}", count, len(idx), f"number of elements of {name} fixed by constant()")
    sb.declare(f"vector[{count}] {data}", data, np.array(vals), f"constant values of {name}")
    fixed_def.append(f"array[{m.group('n')}] vector{bounds}[{m.group('d')}] {name};{m.group('rest')}")
    free = 0
    for i, v in enumerate(values):
        j, d = divmod(i, ncol)
        if v is None:
            sb.par.insert(pos + free, f"real{bounds} par_{name}_{j + 1}_{d + 1};  // element {d + 1} of {name}[{j + 1}]")
            free += 1
            fixed_comp.append(f"{name}[{j + 1}][{d + 1}] = par_{name}_{j + 1}_{d + 1};")
        else:
            fixed_comp.append(f"{name}[{j + 1}][{d + 1}] = {data}[{idx.index(i) + 1}];")


def _fix_cholesky(sb: StanBlocks, name: str, values: list[float | None], m: int, pos: int,
                  fixed_def: list[str], fixed_comp: list[str]) -> None:
    """constant([[...]]) on class cor: the Cholesky factor ``L`` (every by level's) is the data ``prior_<name>_const``
    (brms: ``L_1 = [[1, 0], [0, 1]];``, ``L_1[1] = ...`` per by level)."""
    match = _CHOL.match(sb.par.pop(pos))
    data = f"prior_{name}_const"
    size = match.group("m")
    sb.declare(f"matrix[{size}, {size}] {data}", data, np.array(values, dtype=float).reshape(m, m),
               f"constant Cholesky factor {name}")
    if match.group("n") is None:
        fixed_def.append(f"cholesky_factor_corr[{size}] {name} = {data};{match.group('rest')}")
        return
    n = match.group("n")
    fixed_def.append(f"array[{n}] cholesky_factor_corr[{size}] {name};{match.group('rest')}")
    fixed_comp.append(f"for (i in 1:{n}) {{")
    fixed_comp.append(f"  {name}[i] = {data};")
    fixed_comp.append("}")
