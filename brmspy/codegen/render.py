"""Render block slots into Stan text with the packaged Jinja template."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

import jinja2

from ..core.stan import StanBlocks, indent


@lru_cache(maxsize=None)
def _template(name: str) -> jinja2.Template:
    # templates/ ships inside the wheel as the package brmspy.templates
    text = files("brmspy.templates").joinpath(name).read_text(encoding="utf-8")
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True, autoescape=False)
    return env.from_string(text)


def _join(*groups: list[str]) -> list[str]:
    out: list[str] = []
    for g in groups:
        out.extend(g)
    return out


def render(sb: StanBlocks) -> str:
    """Lay out ``sb`` as a complete Stan program."""
    fields = {
        "functions": "\n".join(sb.functions),
        "data": indent(sb.data, 2),
        "tdata": indent(_join(sb.tdata_def, sb.tdata_comp), 2),
        "par": indent(sb.par, 2),
        "tpar": indent(_join(sb.tpar_def, sb.tpar_comp, sb.tpar_prior), 2),
        "likelihood": indent(_join(sb.model_def, sb.model_comp, sb.likelihood), 4),
        "model_prior": indent(sb.model_prior, 2),
        "gen": indent(_join(sb.gen_def, sb.gen_comp), 2),
    }
    return _template("model.stan.j2").render(**fields)
