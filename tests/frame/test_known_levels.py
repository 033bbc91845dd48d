"""New data for per-level model parts (thres(gr = g), bhaz(gr = g)): the model's levels only, by label."""
import numpy as np
import pandas as pd
import pytest

from brmspy.core.errors import DataError
from brmspy.frame.columns import known_level_index


def test_positions_follow_the_models_labels_for_any_dtype():
    labels = ["a", "b", "c"]
    for values in (["c", "a", "c"], pd.Categorical(["c", "a", "c"], categories=["c", "b", "a"]),
                   pd.array(["c", "a", "c"], dtype="string")):
        out = known_level_index(pd.DataFrame({"g": values}), "g", labels, "thres(gr = g)", "the thresholds")
        np.testing.assert_array_equal(out, [2, 0, 2])


def test_unseen_level_and_missing_column_name_the_term():
    df = pd.DataFrame({"g": ["a", "z"]})
    with pytest.raises(DataError, match=r"New levels of 'g' in bhaz\(gr = g\): z; baseline hazards exist"):
        known_level_index(df, "g", ["a", "b"], "bhaz(gr = g)", "baseline hazards")
    with pytest.raises(DataError, match=r"need the column 'h' of thres\(gr = h\)"):
        known_level_index(df, "h", ["a"], "thres(gr = h)", "the thresholds")
