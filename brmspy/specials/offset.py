"""``offset(expr)``: a known term added to the linear predictor with coefficient 1.

brms declares the evaluated values as data ``offsets`` and adds them to the
predictor; several offsets on one predictor are summed into that one vector.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.errors import DataError, FormulaError
from ..frame.specials import SpecialDesign, register


def _values(terms, data: pd.DataFrame, formula: str) -> np.ndarray:
    from ..frame.columns import _eval_column

    total = np.zeros(len(data))
    for s in terms:
        if len(s.call.args) != 1 or s.call.kwargs:
            raise FormulaError(f"offset() takes one expression, e.g. 'offset(log(exposure))'; got '{s.text}' in {formula!r}.")
        v = np.asarray(_eval_column(s.call.args[0], data, "the offset"), dtype=float)
        if not np.all(np.isfinite(v)):
            raise DataError(f"'{s.text}' in {formula!r} has non-finite values (e.g. log of 0); fix the data or the expression.")
        total += v
    return total


@register("offset")
@dataclass
class OffsetDesign(SpecialDesign):
    """The summed offsets of one linear predictor."""

    @classmethod
    def build(cls, prefix, terms, data, formula):
        design = cls(prefix, terms, formula)
        design.info["offsets"] = _values(terms, data, formula)
        return design

    @property
    def name(self) -> str:
        return f"offsets{self.prefix.suffix}"

    def stan(self, priors):
        from ..core.stan import StanBlocks

        sb = StanBlocks()
        sb.declare(f"vector[N] {self.name}", self.name, self.info["offsets"], ", ".join(s.text for s in self.terms))
        return sb

    def predictor_terms(self) -> list[str]:
        return [self.name]

    def eta(self, param, data):
        values = self.info["offsets"] if data is None else _values(self.terms, data, self.formula)
        return values[None, :]
