"""Checks of the model data: values too large for double precision."""

from __future__ import annotations

import math
import sys

import numpy as np

from ..core.errors import DataError
from .types import ModelFrame, PopulationDesign


def _overflow_limit(n: int) -> float:
    """Largest |value| whose squares (with 100x headroom for scaling) still sum finitely over ``n`` rows."""
    return math.sqrt(sys.float_info.max / max(n, 1)) / 100.0


def check_values(frame: "ModelFrame") -> None:
    """Refuse responses and predictors too large for double precision, naming them.

    Raises
    ------
    DataError
        A response or population-level column with ``|value|`` so large that
        sums of squares overflow (about 1e150 for 240 rows).
    """
    limit = _overflow_limit(frame.N)
    for resp, rd in frame.responses.items():
        y = np.asarray(rd.y)
        if rd.levels is not None or y.dtype.kind not in "fiu" or y.size == 0:
            continue
        big = float(np.nanmax(np.abs(y))) if np.any(np.isfinite(y)) else 0.0
        if big > limit:
            raise DataError(
                f"The response {rd.name!r} has values as large as {big:.3g} in absolute value: too large to be "
                "represented in the sampler's double-precision arithmetic (their squares overflow to infinity, "
                "which Stan reports as 'Matrix of independent variables is inf'). Rescale the response, e.g. "
                f"divide the column by 1e{int(math.floor(math.log10(big)))} or model its logarithm."
            )
    for prefix, design in frame.designs.items():
        if design.X is None or design.X.size == 0:
            continue
        colmax = np.max(np.abs(design.X), axis=0)
        bad = np.flatnonzero(colmax > limit)
        if bad.size:
            names = _column_names(design)
            j = int(bad[0])
            raise DataError(
                f"The predictor {names[j]!r} in {design.formula!r} has values as large as {colmax[j]:.3g} in "
                "absolute value: too large for the sampler's double-precision arithmetic (its products overflow "
                "to infinity). Rescale it, e.g. divide the column by "
                f"1e{int(math.floor(math.log10(colmax[j])))}."
            )


def _column_names(design: "PopulationDesign") -> list[str]:
    return (["Intercept"] if design.intercept else []) + list(design.coef_names)
