"""The Stan text kept in ``templates/``: program layout, helper functions and code snippets.

The repository's ``templates/`` folder ships in the wheel as the package ``brmspy.templates``:

- ``model.stan.j2``: the layout of a program (its block slots);
- ``functions/<name>.stan``: one Stan function family per file, as brms keeps its helpers in
  ``inst/chunks/`` (``zero_inflated_poisson.stan`` defines ``zero_inflated_poisson_lpmf`` and
  ``zero_inflated_poisson_log_lpmf``); ``functions/<name>.stan.j2`` when Python passes a name or
  a size (the link of an ordinal family, the length of a series);
- ``snippets/<concept>.stan.j2``: Jinja macros of likelihood and term code, one macro per
  piece, called with the names Python computed.

Python decides which pieces, names and sizes; the templates only lay them out.  The Jinja
environment has ``StrictUndefined`` (a name Python did not pass is an error, never empty text).
Files are read on first use and cached, so ``import brmspy`` reads none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import jinja2

__all__ = ["StanFunction", "render_template", "stan_function", "stan_lines"]


def _source(name: str) -> str:
    path = files("brmspy.templates").joinpath(*name.split("/"))
    if not path.is_file():
        raise LookupError(f"internal: no Stan template {name!r} in brmspy/templates")
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    # the loader reads a file once; the environment caches the compiled template
    return jinja2.Environment(loader=jinja2.FunctionLoader(_source), undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)


def render_template(name: str, **fields: object) -> str:
    """Render the template ``name`` (a path inside ``templates/``) with ``fields``."""
    return _env().get_template(name).render(**fields)


@lru_cache(maxsize=None)
def _function_text(name: str, variables: tuple[tuple[str, str], ...]) -> str:
    plain = f"functions/{name}.stan"
    if files("brmspy.templates").joinpath("functions", f"{name}.stan").is_file():
        if variables:
            raise TypeError(f"internal: {plain} takes no values; got {dict(variables)}")
        text = _source(plain)
    else:
        text = render_template(f"functions/{name}.stan.j2", **dict(variables))
    # definitions are joined with newlines in the functions block: drop the file's last newline
    return text.removesuffix("\n")


def stan_function(name: str, **variables: str) -> str:
    """The text of the Stan function file ``functions/<name>.stan`` (or ``.stan.j2`` with ``variables``).

    Examples
    --------
    >>> stan_function("inv_cauchit").splitlines()[1]
    '  vector inv_cauchit(vector x) {'
    """
    return _function_text(name, tuple(sorted(variables.items())))


@dataclass(frozen=True)
class StanFunction:
    """A reference to a Stan function file and the values its template takes.

    Families and CDFs name the helpers they need this way; code generation reads the text.

    Examples
    --------
    >>> StanFunction("cumulative", (("link", "logit"), ("inv_link", "inv_logit"))).text.splitlines()[3]
    '  real cumulative_logit_lpmf(int y, real mu, real disc, vector thres) {'
    """

    name: str
    variables: tuple[tuple[str, str], ...] = ()

    @property
    def text(self) -> str:
        return stan_function(self.name, **dict(self.variables))


def stan_lines(template: str, macro: str, **names: object) -> list[str]:
    """The lines of macro ``macro`` in ``snippets/<template>.stan.j2``, called with ``names``.

    Lines carry their indentation relative to the block slot they go to (the layout adds the
    block's own indentation).

    Examples
    --------
    >>> stan_lines("likelihood", "rowwise", lines=["target += normal_lpdf(Y[n] | mu[n], sigma);"])
    ['for (n in 1:N) {', '  target += normal_lpdf(Y[n] | mu[n], sigma);', '}']
    """
    text = str(getattr(_env().get_template(f"snippets/{template}.stan.j2").module, macro)(**names))
    return text.removesuffix("\n").split("\n") if text else []
