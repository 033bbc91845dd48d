"""Special predictor terms (``offset()``, ``mo()``, ``me()``, ``s()``, ``gp()``, ...).

Each kind of special term is one :class:`SpecialDesign` subclass in its own
module, registered with :func:`register`.  A subclass carries the term's whole
life cycle, so the shared stages only loop over ``design.specials``:

======================  ==============================================
stage                   method
======================  ==============================================
data (``frame.py``)     :meth:`SpecialDesign.build` (classmethod)
priors (``priors.py``)  :meth:`prior_rows`, :meth:`resolve_priors`
code (``codegen``)      :meth:`stan` (declarations, parameters, priors),
                        :meth:`predictor_terms` (added to the predictor)
draws (``naming.py``)   :meth:`draws` (brms names of its parameters)
predictions             :meth:`eta` (its part of the linear predictor)
prior draws             :meth:`prior_draws` (``sample_prior="yes"``)
======================  ==============================================

Stan names follow brms: the term's Stan objects carry the linear predictor's
suffix (``prefix.suffix``, e.g. ``_sigma``) so one kind can appear on several
dpars and responses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar

import numpy as np
import pandas as pd

from ..core.errors import FormulaError
from ..core.types import ParamGetter, PriorLookup

if TYPE_CHECKING:  # imported lazily at run time: frame.py imports this module
    from ..core.stan import StanBlocks
    from ..core.types import ParamInfo, PriorRow
    from ..formula.prefix import Prefix
    from ..formula.terms import SpecialTerm
    from ..priors.draws import PriorSampler


__all__ = []
