"""The special-term plug-ins: one module per kind of special predictor term.

==================  =========================================================
module              terms
==================  =========================================================
``offset``          ``offset(x)``: a known term with coefficient 1
``sp``              the terms multiplying ``bsp`` and their products (``mo(x):z``):
``mo``              ``mo(x)``: monotonic effects of ordered predictors
``me``              ``me(x, sdx)``: predictors measured with known error
``mi``              ``mi(x)``: predictors with missing values imputed by their own model
``smooth``          ``s()``, ``t2()``: penalized regression splines
``gp``              ``gp()``: Gaussian processes
``autocor``         ``ar()``, ``ma()``, ``arma()``, ``cosy()``: residual autocorrelation
==================  =========================================================

Each is a :class:`~brmspy.frame.specials.SpecialDesign` subclass (the interface, with one
hook per stage, is in :mod:`brmspy.frame.specials`).  They are registered here, explicitly,
when this package is imported; the stages that build models (:mod:`brmspy.priors.api`,
:mod:`brmspy.codegen.api`) import it, so the data stage itself never imports a plug-in.
"""

from __future__ import annotations

from ..frame.specials import SpecialDesign, register
from .autocor import AutocorDesign, CarDesign
from .gp import GPDesign
from .me import MeTerm
from .mi import MiTerm
from .mo import MoTerm
from .offset import OffsetDesign
from .smooth import SmoothDesign
from .sp import SpDesign, SpTerm, register_sp_terms

#: the terms multiplying the shared ``bsp`` coefficients (:mod:`brmspy.specials.sp`)
SP_TERMS: tuple[type[SpTerm], ...] = (MeTerm, MiTerm, MoTerm)
#: every kind of special term
SPECIAL_DESIGNS: tuple[type[SpecialDesign], ...] = (AutocorDesign, CarDesign, GPDesign, SpDesign, OffsetDesign, SmoothDesign)

register_sp_terms(*SP_TERMS)
for _design in SPECIAL_DESIGNS:
    register(_design)

__all__ = ["SPECIAL_DESIGNS", "SP_TERMS", "AutocorDesign", "CarDesign", "GPDesign", "MeTerm", "MiTerm", "MoTerm", "OffsetDesign",
           "SmoothDesign", "SpDesign"]
