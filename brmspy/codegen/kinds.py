"""The Stan code of each family kind (:mod:`brmspy.families.kinds`), one writer per kind.

:func:`~brmspy.codegen.generate.generate` asks :func:`kind_code` for the pieces of a response
whose code depends on its family's kind: the response data, the population part of each
predictor, what follows the predictor's special terms (an ordinal mu's thresholds), the kind's
own parameters and the likelihood.  The writers are listed here explicitly; each lives with
its kind's code: :class:`~brmspy.codegen.likelihood.UnivariateCode` (most families),
:class:`~brmspy.codegen.ordinal.OrdinalCode`, :class:`~brmspy.codegen.categorical.CategoricalCode`
and :class:`~brmspy.codegen.mixture.MixtureCode`, :class:`~brmspy.codegen.survival.SurvivalCode` (cox).
"""

from __future__ import annotations

from ..families import Family
from ..families.kinds import Categorical, FamilyKind, Mixture, Ordinal, Survival
from .categorical import CategoricalCode
from .likelihood import UnivariateCode
from .mixture import MixtureCode
from .ordinal import OrdinalCode
from .survival import SurvivalCode

__all__ = ["KIND_CODE", "kind_code"]

#: the code writer of each family kind
KIND_CODE: dict[type[FamilyKind], UnivariateCode] = {
    FamilyKind: UnivariateCode(),
    Ordinal: OrdinalCode(),
    Categorical: CategoricalCode(),
    Mixture: MixtureCode(),
    Survival: SurvivalCode(),
}


def kind_code(family: Family) -> UnivariateCode:
    """The Stan code writer of ``family``'s kind."""
    return KIND_CODE[type(family.kind)]
