"""The interface of exact likelihood reductions (:mod:`brmspy.codegen.reductions`)."""

from __future__ import annotations

from ...core.stan import StanBlocks
from ...formula.terms import BrmsTerms
from ...frame.types import ModelFrame, PopulationDesign, ReBlock, ResponseData
from ...priors.table import ResolvedPriors
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


