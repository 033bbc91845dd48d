"""Predictions of mixture models: posterior membership probabilities of the components."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.errors import BrmsError
from ..families.mixture import membership
from .context import prediction_context
from .dpars import dpar_values, response_extras, response_terms


def pp_mixture(fit, newdata: pd.DataFrame | None = None, ndraws: int | None = None, summary: bool = True,
               probs: tuple[float, float] = (0.025, 0.975)):
    """Posterior membership probabilities of each mixture component, as brms's ``pp_mixture()``.

    Returns a DataFrame per observation with ``Estimate``, ``Est.Error``,
    ``Q2.5`` and ``Q97.5`` columns for each component (``P(K = k)``), or with
    ``summary=False`` the draws, shaped (draws, observations, K).
    """
    t = response_terms(fit)
    if not t.family.kind.has_components:
        raise BrmsError(f"pp_mixture() needs a mixture model; this model's family is {t.family.name!r}.")
    ctx = prediction_context(fit, newdata, None, ndraws, False, "uncertainty", None)
    dp = dpar_values(ctx, t)
    rd, ex = response_extras(ctx, t, need_response=True)
    p = membership(t.family, rd.y, dp, ex)
    S, N = ctx.S, ctx.N
    p = np.broadcast_to(p, (S, N, t.family.nmix))
    if not summary:
        return np.array(p)
    cols = {}
    for k in range(t.family.nmix):
        pk = p[..., k]
        cols[f"Estimate.P(K = {k + 1})"] = pk.mean(axis=0)
        cols[f"Est.Error.P(K = {k + 1})"] = pk.std(axis=0, ddof=1)
        cols[f"Q{100 * probs[0]:g}.P(K = {k + 1})"] = np.quantile(pk, probs[0], axis=0)
        cols[f"Q{100 * probs[1]:g}.P(K = {k + 1})"] = np.quantile(pk, probs[1], axis=0)
    return pd.DataFrame(cols)
