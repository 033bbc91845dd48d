"""Real data sets shipped with brmspy (from lme4 and nlme), with R's column types restored.

Examples
--------
>>> load("sleepstudy").shape
(180, 3)
"""

from __future__ import annotations

from importlib.resources import files

import pandas as pd

from .core.errors import DataError

_CATEGORICAL = {
    "sleepstudy": {"Subject": None},
    "cbpp": {"herd": None, "period": None},
    "Arabidopsis": {"reg": None, "popu": None, "gen": None, "rack": None, "nutrient": None, "amd": ["clipped", "unclipped"],
                    "status": ["Normal", "Petri.Plate", "Transplant"]},
    "MathAchieve": {"School": None, "Minority": None, "Sex": None},
    "MathAchSchool": {"School": None},
}


def available() -> list[str]:
    """Names of the bundled data sets."""
    return sorted(_CATEGORICAL)


def load(name: str) -> pd.DataFrame:
    """Load a bundled data set as a DataFrame, factors as pandas categoricals.

    Parameters
    ----------
    name : one of :func:`available` (``"sleepstudy"``, ``"cbpp"``, ``"Arabidopsis"``,
        ``"MathAchieve"``, ``"MathAchSchool"``).
    """
    if name not in _CATEGORICAL:
        raise DataError(f"Unknown data set {name!r}; available: {', '.join(available())}.")
    with files("brmspy.data").joinpath(f"{name}.csv").open("r") as fh:
        df = pd.read_csv(fh)
    for col, cats in _CATEGORICAL[name].items():
        values = df[col]
        if cats is None:
            cats = sorted(values.unique())
        df[col] = pd.Categorical(values, categories=cats)
    return df
