"""The cox family's baseline hazard per draw and row (brms's ``prepare_predictions_bhaz``).

The rows' times go through the model's spline basis (its knots and boundary knots, as brms's
``predict(basis, newy)``), and the draws of the simplex ``sbhaz`` weight the columns:
``bhaz = sbhaz Zbhaz'`` and ``cbhaz = sbhaz Zcbhaz'``, each (draws, rows); interval-censored and truncated
rows add the cumulative hazard at ``y2`` and the bounds (``cbhaz_rcens``, ``cbhaz_lb``, ``cbhaz_ub``).
Stratified baseline hazards (``bhaz(gr = g)``) weight each row's bases with its group's simplex ``sbhaz[g, ]``.
"""

from __future__ import annotations

import numpy as np

from ..core.errors import DataWarning, warn
from ..formula.prefix import resp_suffix
from ..frame.bhaz import cumulative_at_bounds
from ..formula.terms import BrmsTerms
from .context import PredictionContext

__all__ = ["baseline_hazards"]


def baseline_hazards(ctx: PredictionContext, t: BrmsTerms) -> dict[str, np.ndarray]:
    """``{"bhaz": (S, N), "cbhaz": (S, N)}`` for the rows of ``ctx``; empty when the rows have no times."""
    rd = ctx.rows.response(t, False)
    if rd is None:  # no times in new data: brms's refusals of epred/predict follow from the family
        return {}
    bh = ctx.fit.frame.responses[t.resp].bhaz
    basis = bh.basis
    s = ctx.draws("sbhaz" + resp_suffix(t.resp))  # (S, K); bhaz(gr = g): (S, groups, K)
    y = np.asarray(rd.y, dtype=float)
    lo, hi = basis.boundary
    if np.any((y < lo) | (y > hi)):  # splines2 extends the end pieces, with this warning (brms passes it on)
        warn(f"Some times lie beyond the baseline hazard's boundary knots [{lo:g}, {hi:g}]: its splines are "
             "extrapolated there and may be ill-conditioned (as splines2 warns in brms).", DataWarning)
    if bh.groups is not None:  # each row takes its stratum's simplex (brms's prepare_predictions_bhaz)
        rows = bh.groups.rows(ctx.data)
        weigh = lambda Z: np.einsum("snk,nk->sn", s[:, rows, :], Z)  # noqa: E731
    else:
        weigh = lambda Z: s @ Z.T  # noqa: E731
    out = {"bhaz": weigh(basis.m(y)), "cbhaz": weigh(basis.i(y))}
    # interval censoring, truncation: the cumulative hazard at y2 and the bounds (brmspy.frame.bhaz)
    for at, Zc in cumulative_at_bounds(basis, rd.adds, "the rows").items():
        out[f"cbhaz_{at}"] = weigh(Zc)
    return out
