"""The prior table (brms's columns) and the resolved prior of every parameter."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..core.distributions import PriorDist, SpecialPrior
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


@dataclass(frozen=True)
class Shrinkage:
    """A horseshoe() or R2D2() prior on all population-level coefficients ``b`` of one predictor (with
    the ``bsp``/``bs`` of its special terms), the standard deviations ``sd`` of its group-level blocks
    and/or the ``classes`` sds, sdgp, ar, ma, sderr, sdcar (current brms: one prior across classes, its
    arguments from the one marked ``main = TRUE``).

    ``autoscale``: brms's effective autoscale (the prior's argument, and only for ``mu`` or an
    nlpar of a family whose ``sigma`` is a single parameter): the global scale is multiplied by
    ``sigma`` (horseshoe) or the variance by ``sigma^2`` (R2D2). ``sigma`` is that Stan name.
    ``scale_global``: horseshoe's global scale, ``par_ratio / sqrt(N)`` when ``par_ratio`` is given.
    """

    prior: SpecialPrior
    autoscale: bool
    sigma: str
    scale_global: float = 1.0
    b: bool = True  # the prior is on class b of the predictor
    sd_blocks: tuple[int, ...] = ()  # group-level blocks whose sds it also scales (class sd, current brms)
    classes: tuple[str, ...] = ()  # other classes it scales: sds, sdgp, ar, ma, sderr, sdcar (current brms)

    @property
    def name(self) -> str:
        return self.prior.name


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
    #: thres(gr = g): the priors of each group's thresholds (the flat list stays in ``thresholds``)
    threshold_groups: dict[Prefix, list[list[PriorDist | None]]] = field(default_factory=dict)
    #: thres(gr = g) with equidistant thresholds: the prior of each group's distance delta_<i>
    delta_groups: dict[Prefix, list[PriorDist | None]] = field(default_factory=dict)
    bcs: dict[Prefix, list[PriorDist | None]] = field(default_factory=dict)  # cs() effects, column-major
    theta: dict[str, PriorDist | None] = field(default_factory=dict)  # mixture proportions (dirichlet), per resp
    sbhaz: dict[str, PriorDist | None] = field(default_factory=dict)  # cox baseline hazard simplex (dirichlet), per resp
    #: cox with bhaz(gr = g): the prior of each stratum's simplex (its group's row, else the class's), per resp
    sbhaz_groups: dict[str, list[PriorDist | None]] = field(default_factory=dict)
    special: dict[tuple[Prefix, str], dict] = field(default_factory=dict)  # (prefix, SpecialDesign class) -> its priors
    rescor: dict[str, PriorDist | None] = field(default_factory=dict)  # "rescor" (Lrescor), shared "nu"
    shrinkage: dict[Prefix, Shrinkage] = field(default_factory=dict)  # horseshoe()/R2D2() on b of a predictor
    #: user bounds (lb/ub of prior()) of Stan parameters other than b: "Intercept", "sd_1", "sigma", ...
    bounds: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    #: constant() priors: Stan parameter -> value of each element (None where the element is estimated)
    constants: dict[str, list[float | None]] = field(default_factory=dict)
    #: constant() priors on a matrix parameter (``bcs``): its number of rows (``constants`` is column-major)
    constant_rows: dict[str, int] = field(default_factory=dict)

    def shrunk_b(self, prefix: Prefix) -> bool:
        """Whether a horseshoe()/R2D2() prior scales the ``b`` of ``prefix`` (a proper prior)."""
        sh = self.shrinkage.get(prefix)
        return sh is not None and sh.b

    def shrunk_sd(self, block_id: int) -> bool:
        """Whether a horseshoe()/R2D2() prior on class ``sd`` scales the sds of block ``block_id``."""
        return any(block_id in sh.sd_blocks for sh in self.shrinkage.values())

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
