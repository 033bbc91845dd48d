"""Formula layer: brms syntax -> typed term objects."""

from .brmsformula import BrmsFormula, MvBrmsFormula, as_formula, bf, build_terms, lf, nlf, set_mecor, set_nl, set_rescor
from .terms import AdditionTerm, BrmsTerms, GroupTerm, LinearTerms, MvBrmsTerms, Part, ResponseTerm, SpecialTerm

__all__ = [
    "AdditionTerm", "BrmsFormula", "BrmsTerms", "GroupTerm", "LinearTerms", "MvBrmsFormula", "MvBrmsTerms",
    "Part", "ResponseTerm", "SpecialTerm", "as_formula", "bf", "build_terms", "lf", "nlf", "set_mecor", "set_nl", "set_rescor",
]
