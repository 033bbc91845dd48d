"""Predictions of categorical-type families: the linear predictors of all categories."""

from __future__ import annotations

import numpy as np

from ..families.categorical import category_dpars, reference_index
from ..formula.prefix import Prefix


def category_eta(t, levels: list[str], eta_of) -> np.ndarray:
    """Linear predictors of all categories, (draws, obs, ncat), with zeros for the reference (if any)."""
    ref = reference_index(t.family, levels)
    cols = [eta_of(Prefix(t.resp, n)) for n in category_dpars(t.family, levels)]
    shape = np.broadcast_shapes(*(np.shape(c) for c in cols))
    cols = [np.broadcast_to(c, shape) for c in cols]
    if ref is not None:  # dirichlet2 has none: every category is predicted
        cols.insert(ref, np.zeros(shape))
    return np.stack(cols, axis=-1)
