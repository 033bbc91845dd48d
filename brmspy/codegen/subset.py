"""Stan code of multivariate models with ``subset()``: each response on its own rows, as brms 2.18.

brms declares ``N_<resp>`` for every response of a multivariate model and writes each response's
vectors with it (``vector[N_y1] mu_y1``), and each group-level block's index and predictor values
per response (``J_1_y1``, ``Z_1_y1_1`` of length ``N_y1``; ``mm()``: ``J_1_y1_2``, ``W_1_y1_2`` of
member 2).  brmspy's multivariate programs without ``subset()`` keep the one ``N`` (every response
has every row); with ``subset()`` the pieces of a response are written with ``N`` and then renamed
to the response's own (:func:`scope_response`), and the group-level data are split by response
(:func:`split_block_rows`).  The renaming works on whole identifiers (``\bN\b``, ``\bJ_<id>\b``),
which a response's pieces use only in that meaning; this is done by hand (a text pass over the
pieces) because every code writer of the package writes ``N`` and a per-response row count in each
of them would touch every stage of code generation.
"""

from __future__ import annotations

import re

import numpy as np

from ..core.stan import StanBlocks
from ..frame.types import ModelFrame, ReBlock

_CODE_FIELDS = ("data", "tdata_def", "tdata_comp", "par", "tpar_def", "tpar_comp", "tpar_prior",
                "model_def", "model_comp", "likelihood", "model_prior", "gen_def", "gen_comp")


def _rename(sb: StanBlocks, pattern: re.Pattern, repl) -> None:
    for name in _CODE_FIELDS:
        setattr(sb, name, [pattern.sub(repl, line) for line in getattr(sb, name)])


def scope_response(sb: StanBlocks, frame: ModelFrame, resp: str, first: bool = False) -> StanBlocks:
    """A response's pieces with its own row count ``N_<resp>`` and group indices ``J_<id>_<resp>``.

    ``first``: the piece that opens the response's data (``int<lower=1> N_<resp>;`` goes before it, as brms).
    """
    _rename(sb, re.compile(r"\bN\b"), f"N_{resp}")
    _rename(sb, re.compile(r"\bJ_(\d+)\b"), rf"J_\1_{resp}")
    _rename(sb, re.compile(r"\b([JW])_(\d+)_(\d+)\b"), rf"\1_\2_{resp}_\3")  # mm(): member m of block k
    if first:
        sb.data.insert(0, f"int<lower=1> N_{resp};  // number of observations")
        sb.values = {f"N_{resp}": frame.N_of(resp), **sb.values}
    return sb


_J_DECL = re.compile(r"^array\[N\] int<lower=1> J_(\d+);")
_Z_DECL = re.compile(r"^vector\[N\] (Z_\d+_\w+);")
_MM_DECL = re.compile(r"^(array\[N\] int<lower=1>|vector\[N\]) ([JW])_(\d+)_(\d+);")
_J_NAME = re.compile(r"[JW]_\d+(_\d+)?")


def split_block_rows(sb: StanBlocks, block: ReBlock, frame: ModelFrame) -> StanBlocks:
    """A group-level block's data per response: ``J_<id>_<resp>`` and each ``Z`` on the response's rows."""
    resps = list(dict.fromkeys(c.prefix.resp for c in block.coefs))
    z_rows = {}
    for j, c in enumerate(block.coefs, start=1):
        z_rows[f"Z_{block.id}_{c.prefix.label}{j}"] = c.prefix.resp
    lines, values = [], {}
    for line in sb.data:
        if (m := _J_DECL.match(line)) is not None:
            k = m.group(1)
            J = np.asarray(sb.values[f"J_{k}"])
            for r in resps:
                name = f"J_{k}_{r}"
                lines.append(f"array[N_{r}] int<lower=1> {name};  // grouping indicator per observation")
                values[name] = J[frame.resp_rows[r]]
            continue
        if (m := _MM_DECL.match(line)) is not None:  # mm(): J_<k>_<resp>_<m>, W_<k>_<resp>_<m> (brms)
            decl, kind, k, member = m.groups()
            full = np.asarray(sb.values[f"{kind}_{k}_{member}"])
            comment = line.split("//", 1)[1].strip() if "//" in line else ""
            for r in resps:
                name = f"{kind}_{k}_{r}_{member}"
                lines.append(f"{decl.replace('[N]', f'[N_{r}]')} {name};" + (f"  // {comment}" if comment else ""))
                values[name] = full[frame.resp_rows[r]]
            continue
        if (m := _Z_DECL.match(line)) is not None and m.group(1) in z_rows:
            name, r = m.group(1), z_rows[m.group(1)]
            lines.append(line.replace("vector[N]", f"vector[N_{r}]", 1))
            values[name] = np.asarray(sb.values[name])[frame.resp_rows[r]]
            continue
        lines.append(line)
    sb.values = {**{k: values.get(k, v) for k, v in sb.values.items() if not _J_NAME.fullmatch(k)}, **values}
    sb.data = lines
    return sb


__all__ = ["scope_response", "split_block_rows"]
