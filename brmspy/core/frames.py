"""Data frames at the API boundary: pandas, polars, pyarrow and dicts of arrays become pandas.

brmspy works on pandas inside (model frames, summaries, predictions); any other table is
converted once where it enters (``brm(data=...)``, ``newdata=``) through narwhals, which
knows polars, pyarrow, modin, cuDF and the rest without importing them.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from .errors import DataError

__all__ = ["as_pandas"]

_ACCEPTED = "a pandas or polars DataFrame, a pyarrow Table or a dict of equal-length arrays"


def as_pandas(data: Any, name: str = "data") -> pd.DataFrame:
    """``data`` as a pandas DataFrame (the same object if it already is one).

    Parameters
    ----------
    data : pandas.DataFrame, polars.DataFrame, pyarrow.Table, dict of 1-d arrays, or any eager
        table narwhals supports.
    name : the argument's name, for the error message.

    Raises
    ------
    DataError
        For other types, lazy frames, and dicts whose values are not 1-d arrays of one length.

    Examples
    --------
    >>> as_pandas({"y": [1.0, 2.0], "x": [0, 1]}).shape
    (2, 2)
    """
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, Mapping):
        return _from_dict(data, name)
    import narwhals as nw  # here: only a non-pandas table needs it

    try:
        frame = nw.from_native(data, eager_only=True)
    except TypeError:
        lazy = type(data).__name__ in ("LazyFrame",)
        hint = " (collect() it first)" if lazy else ""
        raise DataError(f"{name} must be {_ACCEPTED}; got {type(data).__module__.split('.')[0]}."
                        f"{type(data).__name__}{hint}.") from None
    return frame.to_pandas()


def _from_dict(data: Mapping, name: str) -> pd.DataFrame:
    lengths = {}
    for key, value in data.items():
        arr = np.asarray(value) if not isinstance(value, pd.Series) else value
        if getattr(arr, "ndim", 0) != 1:
            raise DataError(f"{name}[{key!r}] must be a 1-d array (one value per row); got shape "
                            f"{getattr(arr, 'shape', ())}. Pass {_ACCEPTED}.")
        lengths[key] = len(arr)
    if len(set(lengths.values())) > 1:
        raise DataError(f"the arrays of {name} have different lengths {lengths}; each column needs one value per row.")
    return pd.DataFrame({k: (v.to_numpy() if isinstance(v, pd.Series) else v) for k, v in data.items()})
