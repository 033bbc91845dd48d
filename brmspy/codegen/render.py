"""Render block slots into Stan text with the packaged layout ``templates/model.stan.j2``."""

from __future__ import annotations

from ..core.stan import StanBlocks, indent
from ..core.templates import render_template


def _join(*groups: list[str]) -> list[str]:
    out: list[str] = []
    for g in groups:
        out.extend(g)
    return out


def render(sb: StanBlocks, model_start: list[str] | None = None) -> str:
    """Lay out ``sb`` as a complete Stan program; ``model_start``: stanvar code opening the model block."""
    fields = {
        "model_start": indent(model_start or [], 2),
        "functions": "\n".join(sb.functions),
        "data": indent(sb.data, 2),
        "tdata": indent(_join(sb.tdata_def, sb.tdata_comp), 2),
        "par": indent(sb.par, 2),
        "tpar": indent(_join(sb.tpar_def, sb.tpar_comp, sb.tpar_prior), 2),
        "likelihood": indent(_join(sb.model_def, sb.model_comp, sb.likelihood), 4),
        "model_prior": indent(sb.model_prior, 2),
        "gen": indent(_join(sb.gen_def, sb.gen_comp), 2),
    }
    return render_template("model.stan.j2", **fields)
