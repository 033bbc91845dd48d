"""brms rounds the location and scale of its default priors with R 4's ``round()`` (the decimal nearest to
the double's exact value: 0.65 -> 0.7); numpy's ``round`` gave 0.6 (6.5 rounded half to even).  Found by the
corpus case ``add_subset_mv_shared_id`` (median 0.65 of a subset's response)."""

from __future__ import annotations

import numpy as np
import pandas as pd

import brmspy as bp


def test_intercept_location_rounds_as_r() -> None:
    y = np.r_[np.linspace(-1, 0.64, 24), np.linspace(0.66, 2, 24)]  # median (0.64 + 0.66) / 2 = 0.65
    d = pd.DataFrame({"y": y, "x": np.arange(48.0)})
    assert np.median(y) == 0.65
    sd = bp.make_standata("y ~ x", d)
    assert sd["prior_Intercept_loc"] == 0.7  # R: round(0.65, 1) is 0.7
    table = bp.get_prior("y ~ x", d)
    assert "student_t(3, 0.7," in table.loc[table["class"] == "Intercept", "prior"].iloc[0]
