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

from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # pragma: no cover
    from ...core.stan import StanBlocks
    from ...formula.terms import BrmsTerms
    from ...frame.types import ModelFrame, PopulationDesign, ReBlock, ResponseData
    from ...priors.resolve import ResolvedPriors
    from .. import CodeOptions
    from ..tuning import Tuning


class Reduction:
    """Base class: every hook returns ``None`` ("use the row-wise piece").

    Subclasses override the hooks of the pieces they replace.
    """

    #: short name shown in comments and ``GeneratedModel.reduction``
    name: str = ""
    #: True when a gradient still touches every row: ``threads`` (which split the rows) take precedence
    per_row: bool = False

    def __init__(self, frame: "ModelFrame") -> None:
        self.frame = frame
        #: the speed choices of the program (set by the code generator before it asks for pieces)
        self.tuning: "Tuning | None" = None

    # -- choice ------------------------------------------------------------
    @classmethod
    def applies(cls, frame: "ModelFrame") -> bool:
        """True when the reduced likelihood equals the row-wise one exactly."""
        return False

    def worthwhile(self) -> bool:
        """True when the reduction saves work on these data (used by ``reduce="auto"``)."""
        return True

    # -- pieces (None: keep the row-wise piece) ---------------------------------
    def code_frame(self) -> "ModelFrame":
        """The frame the code generator sees (e.g. collapsed rows); default the original."""
        return self.frame

    def response(self, t: "BrmsTerms", rd: "ResponseData") -> "StanBlocks | None":
        return None

    def fe(self, design: "PopulationDesign", priors: "ResolvedPriors") -> "StanBlocks | None":
        return None

    def re(self, block: "ReBlock") -> "StanBlocks | None":
        return None

    def likelihood(self, frame: "ModelFrame", t: "BrmsTerms") -> "StanBlocks | None":
        return None


_KINDS: list[type[Reduction]] = []


def register(cls: type[Reduction]) -> type[Reduction]:
    """Class decorator: make a reduction kind known to :func:`choose_reduction`."""
    _KINDS.append(cls)
    return cls


def choose_reduction(frame: "ModelFrame", options: "CodeOptions") -> Reduction | None:
    """The reduction to use for ``frame`` under ``options.reduce``, or ``None``."""
    if options.reduce is False:
        return None
    _load_kinds()
    for kind in _KINDS:
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
    """Names of the registered reduction kinds (valid values of ``reduce=`` besides auto/True/False)."""
    _load_kinds()
    return [k.name for k in _KINDS]


def _load_kinds() -> None:
    # importing the modules registers their kinds


__all__ = ["Reduction", "choose_reduction", "register"]
