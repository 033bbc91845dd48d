"""``offset(expr)``: a known term added to the linear predictor with coefficient 1.

brms declares the evaluated values as data ``offsets`` and adds them to the
predictor; several offsets on one predictor are summed into that one vector.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from ..core.errors import DataError, FormulaError
from ..core.stan import StanBlocks
from ..frame.columns import eval_column
from ..frame.specials import SpecialDesign


def _values(terms, data: pd.DataFrame, formula: str) -> np.ndarray:
    total = np.zeros(len(data))
    for s in terms:
        if len(s.call.args) != 1 or s.call.kwargs:
            raise FormulaError(f"offset() takes one expression, e.g. 'offset(log(exposure))'; got '{s.text}' in {formula!r}.")
        v = np.asarray(eval_column(s.call.args[0], data, "the offset"), dtype=float)
        if not np.all(np.isfinite(v)):
            raise DataError(f"'{s.text}' in {formula!r} has non-finite values (e.g. log of 0); fix the data or the expression.")
        total += v
    return total


@dataclass
class OffsetDesign(SpecialDesign):
    """The summed offsets of one linear predictor (``offsets``: their values on the model data)."""

    kinds: ClassVar[tuple[str, ...]] = ("offset",)

    offsets: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def build(cls, prefix, terms, data, formula):
        return cls(prefix, terms, formula, _values(terms, data, formula))

    @property
    def name(self) -> str:
        return f"offsets{self.prefix.suffix}"

    def stan(self, priors):
        sb = StanBlocks()
        sb.declare(f"vector[N] {self.name}", self.name, self.offsets, ", ".join(s.text for s in self.terms))
        return sb

    def predictor_terms(self) -> list[str]:
        return [self.name]

    def new_columns(self, data):
        return _values(self.terms, data, self.formula)

    def eta(self, param, columns=None):
        values = self.offsets if columns is None else columns
        return values[None, :]
