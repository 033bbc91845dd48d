"""The data stage's types: the model frame and its population designs, group-level blocks and responses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..formula.prefix import Prefix
from ..formula.terms import BrmsTerms, GroupTerm, MvBrmsTerms

if TYPE_CHECKING:
    from .bhaz import BaselineHazard


@dataclass
class PopulationDesign:
    """Population-level design of one linear predictor on the model data.

    ``X`` holds all columns, the intercept first when there is one (brms centres
    the others in Stan's transformed data); ``coef_names`` are the non-intercept
    column names in brms style.  How to build them on new data is kept in the
    frame's spec (:class:`brmspy.frame.spec.PopulationSpec`).
    """

    prefix: Prefix
    intercept: bool
    X: np.ndarray | None = field(repr=False)
    coef_names: list[str]
    formula: str

    Xcs: np.ndarray | None = field(default=None, repr=False)  # category-specific effects cs(...)
    cs_names: list[str] = field(default_factory=list)
    specials: list = field(default_factory=list)  # SpecialDesign per kind of special term (brmspy.specials)
    center: bool = True  # False: an ordinal mu's predictors are not centred (bf(center = FALSE))
    decomp: str = ""  # "QR": the centred design is QR-decomposed in Stan (bf(decomp = "QR"))

    @property
    def K(self) -> int:
        return 0 if self.X is None else self.X.shape[1]


@dataclass
class ReCoef:
    """One varying coefficient of a group-level block (its design for new data: :class:`brmspy.frame.spec.GroupSpec`)."""

    prefix: Prefix
    name: str  # e.g. "Intercept", "Days"
    Z: np.ndarray = field(repr=False)  # (N,) values of the predictor
    term: GroupTerm | None = None  # the group-level term it comes from
    # "" ordinary; "sp": varying coefficient of the population-level sp term (mo(x), me(x, sdx)) named
    # ``name`` (no Z: the term's value multiplies it); "cs": effect on threshold ``thres`` (ordinal families)
    kind: str = ""
    thres: int = 0
    # mmc(w1, w2): the values for each member of the mm() term (Z is the first's); None otherwise
    Zm: list[np.ndarray] | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return self.prefix.label + self.name


@dataclass
class ReBlock:
    """All group-level coefficients sharing one sd vector (and correlation matrix).

    One block per ID in brms's numbering (``sd_1``, ``z_1``, ``L_1``, ``r_1_1``).
    """

    id: int
    group: str
    group_vars: tuple[str, ...]
    levels: list[str]
    J: list[np.ndarray] = field(repr=False)  # 1-based indices per member (one member unless mm)
    coefs: list[ReCoef]
    cor: bool
    terms: list[GroupTerm]
    by: str | None = None
    by_levels: list[str] | None = None
    Jby: np.ndarray | None = None  # by-level (1-based) of each group level
    mm_weights: list[np.ndarray] | None = None
    cov: str | None = None  # name of a known covariance matrix in data2 (gr(g, cov = A))
    Lcov: np.ndarray | None = field(default=None, repr=False)  # its cholesky factor over ``levels``
    # gr(g, dist = "student"): the effects are scaled by dfm_<ggn> = sqrt(df_<ggn> * udf_<ggn>), one df per
    # grouping factor (brms's ``ggn``: the factor's number among the model's grouping factors)
    dist: str = "gaussian"
    ggn: int = 0
    udf_owner: bool = False  # this block declares df_<ggn>/udf_<ggn> (the first student block of its factor)

    @property
    def is_student(self) -> bool:
        return self.dist == "student"

    @property
    def M(self) -> int:
        return len(self.coefs)

    @property
    def N_levels(self) -> int:
        return len(self.levels)

    @property
    def is_mm(self) -> bool:
        return len(self.J) > 1

    @property
    def has_cor(self) -> bool:
        return self.cor and self.M > 1


@dataclass
class ThresholdGroups:
    """Thresholds per group of an ordinal response (brms's ``thres(gr = g)``).

    ``labels`` are the groups' levels as in the data, ``names`` brms's names of them (``rename()``d: the
    prior table's ``group`` and the ``b_Intercept[<name>,k]`` draws), ``nthres`` the number of thresholds
    of each group and ``index`` the 0-based group of every row.
    """

    column: str
    labels: list[str]
    names: list[str]
    nthres: list[int]
    index: np.ndarray

    def bounds(self) -> np.ndarray:
        """brms's ``Jthres``: 1-based first and last position of each row's thresholds in the merged vector."""
        end = np.cumsum(self.nthres)
        start = end - np.asarray(self.nthres) + 1
        return np.column_stack([start, end])[self.index].astype(np.int64)


@dataclass
class ResponseData:
    """Response values and addition-term data of one response."""

    name: str
    y: np.ndarray
    trials: np.ndarray | None = None
    weights: np.ndarray | None = None
    levels: list[str] | None = None  # response categories (ordinal/categorical)
    missing: np.ndarray | None = None  # 0-based rows of NA responses imputed with '| mi()' (y is NaN there)
    noise: np.ndarray | None = None  # 'y | mi(sdy)': known measurement error of y (Inf where y is missing)
    adds: "AdditionData | None" = None  # cens(), trunc(), se(), rate() values (brmspy.frame.additions)
    custom_vars: dict[str, np.ndarray] | None = None  # vint()/vreal() data of custom families: vint1, vreal1, ...
    dec: np.ndarray | None = None  # wiener's dec(): 1 upper, 0 lower boundary (brmspy.frame.additions.decisions)
    bhaz: "BaselineHazard | None" = None  # cox: the baseline hazard's spline bases (brmspy.frame.bhaz)
    #: ``thres(gr = g)``: thresholds per group (:class:`ThresholdGroups`); None: one set for every row
    thres_groups: "ThresholdGroups | None" = None

    @property
    def ncat(self) -> int | None:
        return None if self.levels is None else len(self.levels)


@dataclass
class ModelFrame:
    """The model's data, ready for prior defaults and Stan data.

    Values on the model's rows; ``spec`` (:class:`brmspy.frame.spec.FrameSpec`) rebuilds them on new data.
    """

    terms: BrmsTerms | MvBrmsTerms
    data: pd.DataFrame  # rows used (after NA removal)
    responses: dict[str, ResponseData]  # keyed by resp ("" univariate)
    designs: dict[Prefix, PopulationDesign]
    blocks: list[ReBlock]
    dropped_rows: int = 0
    group_levels: dict[str, list[str]] = field(default_factory=dict)
    #: the same design on new data (brmspy.frame.spec.FrameSpec, set by build_frame)
    spec: "FrameSpec | None" = field(default=None, repr=False)  # noqa: F821  (spec.py imports this module)
    #: the user's index labels of ``data``'s rows (``data`` itself is renumbered 0..N-1)
    row_labels: pd.Index | None = field(default=None, repr=False)
    #: ``y | subset(s)``: every row left after NA removal (brms's ``fit$data``; ``data`` holds the subset's rows)
    all_rows: pd.DataFrame | None = field(default=None, repr=False)
    #: multivariate ``subset()``: each response's rows (0-based positions in ``data``), brms's ``N_<resp>``;
    #: None when every response uses every row
    resp_rows: dict[str, np.ndarray] | None = field(default=None, repr=False)

    @property
    def N(self) -> int:
        return len(self.data)

    def N_of(self, resp: str) -> int:
        """The number of rows response ``resp`` is fitted on (brms's ``N_<resp>``)."""
        return self.N if self.resp_rows is None else len(self.resp_rows[resp])

    def data_of(self, resp: str) -> pd.DataFrame:
        """The rows response ``resp`` is fitted on (``data`` unless a multivariate ``subset()`` chooses them)."""
        if self.resp_rows is None:
            return self.data
        return self.data.iloc[self.resp_rows[resp]].reset_index(drop=True)

    @property
    def response_terms(self) -> list[BrmsTerms]:
        return self.terms.responses if isinstance(self.terms, MvBrmsTerms) else [self.terms]


@dataclass
class AdditionData:
    """The values of one response's ``cens()``, ``trunc()``, ``se()`` and ``rate()`` terms.

    ``cens`` holds brms's codes (-1 left, 0 none, 1 right, 2 interval);
    ``rcens`` the upper ends of interval-censored rows (0 elsewhere), present
    whenever ``y2`` is given.  ``lb``/``ub`` are per-row bounds (None: that
    side is not truncated).
    """

    cens: np.ndarray | None = None
    rcens: np.ndarray | None = None
    lb: np.ndarray | None = None
    ub: np.ndarray | None = None
    se: np.ndarray | None = None
    se_sigma: bool = False  # se(s, sigma = TRUE): sigma is estimated besides se
    denom: np.ndarray | None = None

    @property
    def truncated(self) -> bool:
        return self.lb is not None or self.ub is not None

    @property
    def needs_cdf(self) -> bool:
        """Censoring or truncation: the likelihood uses the family's CDFs."""
        return self.cens is not None or self.truncated


def group_label(block: ReBlock) -> str:
    """The grouping factor as brms names it in parameters (``Subject``, ``a:b``, ``mmg1g2``)."""
    return re.sub(r"[^A-Za-z0-9_.:]", "", block.group)
