"""The baseline hazard of the ``cox`` family: M-spline (hazard) and I-spline (cumulative hazard) bases.

brms 2.18 (``bhaz_basis_matrix``) hands the response (the survival times) to
``splines2::mSpline`` for the baseline hazard (Stan data ``Zbhaz``) and to ``splines2::iSpline``
for the cumulative baseline hazard (``Zcbhaz``), with the family's ``bhaz`` arguments
(``cox(bhaz = list(df = 5, intercept = TRUE))`` by default; also ``knots``, ``degree`` and
``Boundary.knots``).  Without boundary knots brms takes the range of the times widened by a 50th of it
on each side (the lower one not below 0).  New data use the model's basis (its knots) as brms's
``predict(basis, newy)``.

splines2's definitions (Wang & Yan, 2021; Ramsay, 1988): with order ``k = degree + 1`` and the knot
sequence ``t`` (each boundary knot ``k`` times, the interior knots once), the M-spline
``M_i(x) = k B_i(x) / (t[i + k] - t[i])`` is the B-spline ``B_i`` normalised to integrate to one, and the
I-spline ``I_i(x)`` is the integral of ``M_i`` from the lower boundary knot.  ``intercept = FALSE``
drops the first column.  Interior knots from ``df`` are the ``df - degree - intercept`` inner
quantiles (R's type 7, numpy's default) of the values inside the boundary knots.  Outside the boundary
knots the polynomial pieces of the end intervals are extended, as splines2 does (with its warning).
SciPy's :class:`~scipy.interpolate.BSpline` evaluates the B-splines and their antiderivatives; only
the normalisation and knot placement are written here (``tests/frame/test_bhaz.py`` compares the
bases with splines2's numbers in ``tests/reference/bhaz_splines2.json``, made by ``tools/bhaz_reference.R``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np
import pandas as pd

from ..core.errors import DataError, DataWarning, FamilyError, FormulaError, warn
from ..families.bhaz import check_bhaz_args, hazard_family
from ..formula.rexpr import rename
from .columns import group_index, known_level_index

if TYPE_CHECKING:
    from scipy.interpolate import BSpline

    from ..formula.terms import BrmsTerms

__all__ = ["BaselineHazard", "BhazGroups", "bhaz_groups", "MSplineBasis", "baseline_hazard", "bound_times", "cumulative_at_bounds", "mspline_basis"]

@dataclass(frozen=True)
class MSplineBasis:
    """An M-spline basis (splines2's ``mSpline``) and its integrals (``iSpline``), kept for new data."""

    knots: tuple[float, ...]  # interior knots
    boundary: tuple[float, float]
    degree: int = 3
    intercept: bool = True

    @property
    def order(self) -> int:
        return self.degree + 1

    @property
    def _t(self) -> np.ndarray:
        k = self.order
        return np.r_[[self.boundary[0]] * k, list(self.knots), [self.boundary[1]] * k]

    @property
    def n_basis(self) -> int:
        """Number of columns (brms's ``Kbhaz``)."""
        return len(self.knots) + self.order - (0 if self.intercept else 1)

    def _scale(self) -> np.ndarray:
        t, k = self._t, self.order
        n = len(t) - k
        return np.array([k / (t[i + k] - t[i]) for i in range(n)])

    def _splines(self) -> BSpline:
        t, k = self._t, self.order
        n = len(t) - k
        from scipy.interpolate import BSpline  # imported when used (first fit stays fast)

        return BSpline(t, np.eye(n) * self._scale()[None, :], self.degree, extrapolate=True)

    def _columns(self, out: np.ndarray) -> np.ndarray:
        return out if self.intercept else out[:, 1:]

    def m(self, x: np.ndarray) -> np.ndarray:
        """The M-spline basis at ``x``: (len(x), n_basis), the baseline hazard's design ``Zbhaz``."""
        x = np.asarray(x, dtype=float).ravel()
        return self._columns(np.asarray(self._splines()(x), dtype=float).reshape(x.size, -1))

    def i(self, x: np.ndarray) -> np.ndarray:
        """The I-spline basis at ``x`` (integrals of the M-splines from the lower boundary): ``Zcbhaz``."""
        x = np.asarray(x, dtype=float).ravel()
        anti = self._splines().antiderivative()
        left = np.asarray(anti(self.boundary[0]), dtype=float).reshape(1, -1)
        return self._columns(np.asarray(anti(x), dtype=float).reshape(x.size, -1) - left)


def _quantile7(x: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """R's ``quantile(x, probs)`` (type 7; numpy's default ``linear``)."""
    return np.quantile(x, probs) if len(probs) else np.empty(0)


def mspline_basis(y: np.ndarray, args: Mapping[str, Any], where: str = "the response") -> MSplineBasis:
    """The basis brms builds from the times ``y`` and the family's ``bhaz`` arguments (``check_bhaz_args``).

    Examples
    --------
    >>> from brmspy.families.bhaz import check_bhaz_args
    >>> b = mspline_basis(np.array([1.0, 2.0, 3.0, 4.0, 6.0]), check_bhaz_args(None))
    >>> b.n_basis, b.knots, b.boundary
    (5, (3.0,), (0.9, 6.1))
    """
    y = np.asarray(y, dtype=float)
    y = y[~np.isnan(y)]
    if y.size == 0:
        raise DataError(f"The baseline hazard of the cox family needs observed times in {where}.")
    degree = int(args.get("degree", 3))
    intercept = bool(args.get("intercept", True))
    bk = args.get("Boundary.knots")
    if bk is None:  # brms: the range of the times widened by a 50th of it, the lower knot not below 0
        lo, hi = float(np.min(y)), float(np.max(y))
        diff = hi - lo
        bk = (max(lo - diff / 50, 0.0), hi + diff / 50)
    bk = (float(bk[0]), float(bk[1]))
    if not bk[0] < bk[1]:
        raise DataError(f"The baseline hazard of the cox family needs distinct times in {where} (all are {bk[0]:g}); "
                        "give cox(bhaz={'Boundary.knots': [lower, upper]}).")
    knots = args.get("knots")
    if knots is None:
        n_inner = int(args.get("df", 5)) - degree - int(intercept)
        if n_inner < 0:  # splines2: df too small for the degree; it uses no interior knots, with a warning
            warn(f"bhaz 'df' = {args.get('df')} is less than degree + intercept = {degree + int(intercept)}; "
                 f"the baseline hazard has {degree + int(intercept)} basis functions (as splines2).", DataWarning)
            n_inner = 0
        inside = y[(y >= bk[0]) & (y <= bk[1])]
        probs = np.linspace(0, 1, n_inner + 2)[1:-1]
        knots = _quantile7(inside, probs)
    knots = tuple(sorted(float(k) for k in knots))
    if any(not bk[0] < k < bk[1] for k in knots):
        raise DataError(f"The interior knots of the baseline hazard {list(knots)} must lie inside the boundary knots {list(bk)}.")
    return MSplineBasis(knots, bk, degree, intercept)


@dataclass(frozen=True)
class BhazGroups:
    """Stratified baseline hazards (current brms's ``bhaz(gr = g)``): one simplex ``sbhaz[<group>, k]`` per level.

    ``labels`` are the levels as in the data (sorted as brms's grouping factors), ``names`` brms's
    ``rename()``d names of them (the prior table's ``group``, the draws' ``sbhaz[<name>,k]``), ``index`` the
    0-based group of every row (Stan's ``Jgrbhaz`` minus one).
    """

    column: str
    labels: list[str]
    names: list[str]
    index: np.ndarray

    def rows(self, data: pd.DataFrame) -> np.ndarray:
        """The 0-based group of each row of ``data`` (new data: only the model's groups have a baseline hazard)."""
        return known_level_index(data, self.column, self.labels, f"bhaz(gr = {self.column})",
                                 "baseline hazards")


@dataclass(frozen=True)
class BaselineHazard:
    """The model's baseline hazard basis and its Stan data (brms's ``Zbhaz``, ``Zcbhaz``).

    ``Zc_at`` holds the I-spline basis at the other times a row's likelihood needs (brmspy's
    ``Zcbhaz_rcens``, ``Zcbhaz_lb``, ``Zcbhaz_ub``): the upper ends of interval-censored rows and the
    truncation bounds, where the survival function is taken (see :func:`bound_times`).
    """

    basis: MSplineBasis
    Z: np.ndarray  # M-splines at the times: hazard
    Zc: np.ndarray  # I-splines at the times: cumulative hazard
    Zc_at: dict[str, np.ndarray] = field(default_factory=dict)
    groups: BhazGroups | None = None  # bhaz(gr = g): a baseline hazard per group

    @classmethod
    def build(cls, y: np.ndarray, args: Mapping[str, Any], where: str = "the response",
              adds: Any = None, groups: BhazGroups | None = None) -> "BaselineHazard":
        basis = mspline_basis(y, args, where)
        return cls(basis, basis.m(y), basis.i(y), cumulative_at_bounds(basis, adds, where), groups)

    @property
    def K(self) -> int:
        return self.basis.n_basis


def bound_times(adds: Any) -> dict[str, np.ndarray]:
    """The times besides the response at which cox's likelihood takes the survival function.

    ``rcens``: the upper end ``y2`` of interval-censored rows (code 2; other rows get 0, unused);
    ``lb``/``ub``: the truncation bounds.  Empty without interval censoring and truncation.
    """
    out: dict[str, np.ndarray] = {}
    if adds is None:
        return out
    if adds.rcens is not None and adds.cens is not None and np.any(adds.cens == 2):
        out["rcens"] = np.where(adds.cens == 2, np.asarray(adds.rcens, dtype=float), 0.0)
    for side in ("lb", "ub"):
        if getattr(adds, side) is not None:
            out[side] = np.asarray(getattr(adds, side), dtype=float)
    return out


def cumulative_at_bounds(basis: MSplineBasis, adds: Any, where: str = "the response") -> dict[str, np.ndarray]:
    """The I-spline basis at :func:`bound_times` (brmspy's ``Zcbhaz_rcens``/``_lb``/``_ub``).

    The cumulative hazard is integrated from the lower boundary knot, so times below it (a lower
    truncation bound of 0 or -Inf) have cumulative hazard 0.  Above the upper boundary knot the splines
    are extrapolated as splines2 does, with a warning (the bounds are finite: brmspy.frame.additions checks them).
    """
    out = {}
    lo, hi = basis.boundary
    for name, x in bound_times(adds).items():
        if name == "rcens":
            x = np.where(adds.cens == 2, x, lo)
        what = {"rcens": "upper ends y2 of interval-censored rows", "lb": "lower truncation bounds",
                "ub": "upper truncation bounds"}[name]
        x = np.maximum(x, lo)  # no hazard before the lower boundary knot: cumulative hazard 0 there
        if np.any(x > hi):
            warn(f"Some {what} lie beyond the baseline hazard's boundary knots [{lo:g}, {hi:g}]: its splines are "
                 "extrapolated there and may be ill-conditioned; widen cox(bhaz={'Boundary.knots': [lower, upper]}).",
                 DataWarning)
        out[name] = basis.i(x)
    return out


def baseline_hazard(t: "BrmsTerms", rd: Any, data: pd.DataFrame | None = None) -> BaselineHazard | None:
    """The baseline hazard basis of a response (``rd``, a :class:`~brmspy.frame.types.ResponseData`) whose family has
    one (cox), else None.

    brms evaluates the baseline hazard at the response only, so its interval-censored and truncated
    cox likelihoods take the survival function at the response for every bound (``log_diff_exp`` of two
    equal terms: minus infinity).  brmspy also evaluates the cumulative hazard at the upper ends and at
    the truncation bounds (:func:`cumulative_at_bounds`); the README's "Differences from brms" says so.
    """
    if t.family.kind.has_components and sum(c.kind.baseline_hazard for c in t.family.components) > 1:
        raise FamilyError(MIXTURE_REFUSAL)
    found = hazard_family(t.family)  # cox, or a mixture's one cox component (brms 2.18: mixture(cox, exponential))
    fam = found[0] if found is not None else t.family
    add = t.response.addition("bhaz")
    if found is None:
        if add is not None:
            raise FormulaError(f"Argument 'bhaz' is not supported for family {fam.name!r}; it is the baseline hazard "
                               "of family 'cox'. Remove 'bhaz()'.")
        return None
    args = bhaz_addition_args(add) if add is not None else (fam.bhaz or check_bhaz_args(None))
    groups = bhaz_groups(add, data) if add is not None else None
    return BaselineHazard.build(rd.y, args, f"the response {rd.name!r}", rd.adds, groups)


def bhaz_groups(add: Any, data: pd.DataFrame | None) -> BhazGroups | None:
    """The strata of ``bhaz(gr = g)`` (current brms; brms 2.18 has no ``bhaz()``), None without ``gr``."""
    gr = add.args.get("gr", "").strip()
    if gr in ("", "NA", "NULL"):
        return None
    if data is None or gr not in data.columns:
        raise FormulaError(f"bhaz(gr = {gr}): 'gr' must be a column of the data (the grouping variable of the "
                           "stratified baseline hazards).")
    index, labels = group_index(data, (gr,))
    return BhazGroups(gr, labels, [rename(str(lv)) for lv in labels], index - 1)


#: brms (2.18 and current) writes a cox component's baseline hazard (``Kbhaz``, ``Zbhaz``, ``sbhaz``, ``bhaz``) under
#: the same names whatever the component, so ``mixture(cox, cox)`` declares them twice (Stan rejects its program);
#: one cox component with other families (``mixture(cox, exponential)``) works, its ``sbhaz`` without a suffix.
MIXTURE_REFUSAL = ("Mixtures with more than one cox component are not supported (as in brms, whose program declares "
                   "each cox component's baseline hazard Kbhaz, Zbhaz, Zcbhaz, con_sbhaz, sbhaz under the same names, "
                   "so Stan rejects it); combine one cox component with other families, e.g. mixture('cox', 'exponential').")


def _literal(text: str, where: str) -> Any:
    """An R literal of a ``bhaz()`` argument: a number, ``TRUE``/``FALSE`` or ``c(<numbers>)``."""
    s = text.strip()
    if s in ("TRUE", "T", "FALSE", "F"):
        return s in ("TRUE", "T")
    if s.startswith("c(") and s.endswith(")"):
        return [_literal(p, where) for p in s[2:-1].split(",") if p.strip()]
    try:
        value = float(s.rstrip("L"))
    except ValueError:
        raise FormulaError(f"{where} must be a number, TRUE/FALSE or c(<numbers>); got {text!r}.") from None
    return int(value) if value.is_integer() and "." not in s and "e" not in s.lower() else value


def bhaz_addition_args(add: Any) -> dict[str, Any]:
    """The spline arguments of current brms's addition term ``bhaz(df = 5, ...)`` (defaults ``df = 5``,
    ``intercept = TRUE``), checked as ``cox(bhaz = ...)``; ``gr`` (the strata) is read by :func:`bhaz_groups`."""
    args = {k: _literal(v, f"bhaz({k} = ...)") for k, v in add.args.items() if k != "gr"}
    return check_bhaz_args(args)
