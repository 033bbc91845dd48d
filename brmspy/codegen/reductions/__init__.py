"""Exact likelihood reductions (issue 7): the same posterior from less work per gradient.

A reduction rewrites how the program computes the likelihood, never what it
computes. Each kind is a :class:`Reduction` subclass that says when it is
exact (:meth:`Reduction.applies`), whether it saves work on these data
(:meth:`Reduction.worthwhile`), and supplies replacement pieces for the code
generator. :func:`choose_reduction` asks each registered kind in turn.

Post-processing never sees a reduction: fits keep the original rows in
``fit.frame`` and predictions, ``log_lik`` and ``loo`` use those.
"""

from __future__ import annotations

from ...frame.types import ModelFrame
from ..options import CodeOptions
from .base import Reduction
from .canonical import CanonicalSuffstats
from .collapse import CollapsePatterns
from .values import CountValues
from .gaussian import GaussianMarginal, GaussianSuffstats

#: every reduction kind, asked in this order (collapse before canonical: fewer rows wins)
KINDS: tuple[type[Reduction], ...] = (
    CollapsePatterns, CanonicalSuffstats, CountValues, GaussianMarginal, GaussianSuffstats,
)


def choose_reduction(frame: ModelFrame, options: CodeOptions) -> Reduction | None:
    """The reduction to use for ``frame`` under ``options.reduce``, or ``None``."""
    if options.reduce is False:
        return None
    if any(c.kind for b in frame.blocks for c in b.coefs):  # varying sp/cs effects: the row-wise program
        return None
    for kind in KINDS:
        if isinstance(options.reduce, str) and options.reduce not in ("auto", kind.name):
            continue  # a kind asked for by name: only that one
        if kind.per_row and options.threads > 1:
            continue
        if kind.applies(frame):
            r = kind(frame)
            if options.reduce != "auto" or r.worthwhile():
                return r
    return None


def kind_names() -> list[str]:
    """Names of the reduction kinds (valid values of ``reduce=`` besides auto/True/False)."""
    return [k.name for k in KINDS]


__all__ = ["KINDS", "Reduction", "choose_reduction", "kind_names"]
