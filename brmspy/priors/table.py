"""The prior table (brms's columns) and the resolved prior of every parameter."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..core.distributions import PriorDist
from ..core.types import PriorRow
from ..formula.prefix import Prefix
from ..frame.types import ModelFrame

COLUMNS = ["prior", "class", "coef", "group", "resp", "dpar", "nlpar", "lb", "ub", "source"]


def _dp(dpar: str) -> str:
    return "" if dpar == "mu" else dpar


def table_to_frame(rows: list[PriorRow]) -> pd.DataFrame:
    """A prior table as a DataFrame with brms's columns."""
    return pd.DataFrame(
        [[r.prior, r.class_, r.coef, r.group, r.resp, r.dpar, r.nlpar, r.lb, r.ub, r.source] for r in rows],
        columns=COLUMNS,
    )


@dataclass
class ResolvedPriors:
    """The prior of every parameter, ready for code and data generation.

    ``None`` means a flat (improper) prior: no statement in Stan.
    """

    table: list[PriorRow]
    b: dict[Prefix, list[PriorDist | None]] = field(default_factory=dict)
    b_bounds: dict[Prefix, tuple[float | None, float | None]] = field(default_factory=dict)
    intercept: dict[Prefix, PriorDist | None] = field(default_factory=dict)
    sd: dict[int, list[PriorDist | None]] = field(default_factory=dict)
    cor: dict[int, PriorDist | None] = field(default_factory=dict)
    df: dict[int, PriorDist | None] = field(default_factory=dict)  # student-t group-level effects, by brms's ggn
    dpar: dict[tuple[str, str], PriorDist | None] = field(default_factory=dict)
    thresholds: dict[Prefix, list[PriorDist | None]] = field(default_factory=dict)  # ordinal Intercept[k]
    delta: dict[Prefix, PriorDist | None] = field(default_factory=dict)  # distance of equidistant thresholds
    bcs: dict[Prefix, list[PriorDist | None]] = field(default_factory=dict)  # cs() effects, column-major
    theta: dict[str, PriorDist | None] = field(default_factory=dict)  # mixture proportions (dirichlet), per resp
    special: dict[tuple[Prefix, str], dict] = field(default_factory=dict)  # (prefix, SpecialDesign class) -> its priors
    rescor: dict[str, PriorDist | None] = field(default_factory=dict)  # "rescor" (Lrescor), shared "nu"

    def to_frame(self) -> pd.DataFrame:
        return table_to_frame(self.table)


def _terms_of(frame: ModelFrame, prefix: Prefix):
    return next(t for t in frame.response_terms if t.resp == prefix.resp)


def _prefix_dpar_nlpar(frame: ModelFrame, prefix: Prefix) -> tuple[str, str]:
    for t in frame.response_terms:
        if t.resp == prefix.resp and prefix.dpar in t.parts:
            part = t.parts[prefix.dpar]
            if part.kind == "nlpar":
                return "", prefix.dpar
            return _dp(prefix.dpar), ""
    return _dp(prefix.dpar), ""
