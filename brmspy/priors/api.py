"""``get_prior()``: brms's default prior of every parameter of a model."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .. import specials  # noqa: F401  (registers the special-term plug-ins before any frame is built)
from ..core.frames import as_pandas
from ..families import Family
from ..formula import BrmsFormula, MvBrmsFormula, build_terms
from ..formula.brmsformula import expand_dot
from ..frame.build import build_frame
from .defaults import default_prior_table
from .table import table_to_frame


def get_prior(
    formula: "str | BrmsFormula | MvBrmsFormula",
    data: pd.DataFrame,
    family: "str | Family | None" = None,
    data2: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """All parameters that take a prior, with brms's defaults.

    Parameters
    ----------
    formula : model formula (string in brms syntax or :func:`~brmspy.bf`).
    data : the data frame.
    family : family name or object (default gaussian).
    data2 : data that are not columns, e.g. ``{"A": A}`` for ``gr(g, cov = A)``.

    Returns
    -------
    pandas.DataFrame
        Columns ``prior, class, coef, group, resp, dpar, nlpar, lb, ub, source``;
        an empty ``prior`` is a flat prior.

    Examples
    --------
    >>> from brmspy import get_prior, datasets
    >>> gp = get_prior("Reaction ~ Days + (Days | Subject)", datasets.load("sleepstudy"))
    >>> gp.loc[gp["class"] == "Intercept", "prior"].item()
    'student_t(3, 288.7, 59.3)'
    """
    data = as_pandas(data, "data")
    frame = build_frame(build_terms(_with_dot(formula, data), family), data, data2)
    return table_to_frame(default_prior_table(frame))


def _with_dot(formula, data):
    """R's '.' (every other column) expanded with the data's columns (brmspy.formula.brmsformula.expand_dot)."""
    if isinstance(data, pd.DataFrame):
        return expand_dot(formula, [str(c) for c in data.columns])
    return formula
