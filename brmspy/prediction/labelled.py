"""Prediction draws as a labelled :class:`xarray.DataArray` (``output="xarray"``).

The arrays of :mod:`brmspy.prediction.core` are (draws, observations[, categories or responses]),
draws chain by chain.  With all draws the labelled version has dims ``chain``, ``draw`` and
``obs`` (the rows' index as coordinates: newdata's for a pandas ``newdata``, else the fitted
rows'), then ``category`` (ordinal/categorical probabilities) or ``resp`` (multivariate models);
with ``ndraws`` the chosen draws are one dim ``sample`` with ``chain`` and ``draw`` coordinates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .context import draw_indices
from .dpars import all_responses

if TYPE_CHECKING:
    import xarray as xr

    from ..fit.brmsfit import BrmsFit


def rows_index(fit: "BrmsFit", newdata: Any, resp: str | None = None) -> "pd.Index | None":
    """The labels of the rows predicted: the fitted rows' (of ``resp`` with multivariate ``subset()``) or newdata's."""
    if newdata is None:
        rows = fit.frame.resp_rows
        return fit.row_labels if rows is None or resp is None else fit.row_labels[rows[resp]]
    return getattr(fit.frame.spec.subset(newdata, resp), "index", None)


def as_dataarray(fit: "BrmsFit", values: np.ndarray, newdata: Any, ndraws: int | None, seed: int | None,
                 resp: str | None, name: str) -> "xr.DataArray":
    """``values`` (draws × observations[ × k]) with dims and coordinates; see the module docstring."""
    import xarray as xr  # here: only output="xarray" needs it

    nchain, per_chain = fit.stan_draws.nchains, fit.stan_draws.ndraws
    n = values.shape[1]
    index = rows_index(fit, newdata, resp)
    obs = list(index) if isinstance(index, pd.Index) and len(index) == n and index.is_unique else list(range(n))
    coords: dict[str, Any] = {"obs": obs}
    extra: list[str] = []
    if values.ndim == 3:
        if all_responses(fit, resp):
            extra, coords["resp"] = ["resp"], [t.resp for t in fit.frame.response_terms]
        else:
            levels = next((rd.levels for rd in fit.frame.responses.values() if rd.levels), None)
            extra = ["category"]
            coords["category"] = (list(levels) if levels is not None and len(levels) == values.shape[2]
                                  else list(range(1, values.shape[2] + 1)))
    idx = draw_indices(fit, ndraws, seed)
    if len(idx) == nchain * per_chain:
        data = values.reshape(nchain, per_chain, *values.shape[1:])
        coords.update(chain=np.arange(nchain), draw=np.arange(per_chain))
        return xr.DataArray(data, dims=("chain", "draw", "obs", *extra), coords=coords, name=name)
    coords.update(chain=("sample", idx // per_chain), draw=("sample", idx % per_chain))
    return xr.DataArray(values, dims=("sample", "obs", *extra), coords=coords, name=name)
