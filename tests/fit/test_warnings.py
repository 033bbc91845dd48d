"""brmspy's warnings: one hierarchy (BrmsWarning < UserWarning; sampler, data and prior
warnings), each attributed to the user's line that called brmspy, not to brmspy's internals."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import brmspy as bp

PACKAGE = Path(bp.__file__).parent


def test_hierarchy() -> None:
    for cls in (bp.SamplerWarning, bp.DataWarning, bp.PriorWarning):
        assert issubclass(cls, bp.BrmsWarning)
    assert issubclass(bp.BrmsWarning, UserWarning)  # filters on UserWarning keep working


def test_no_bare_warnings_in_the_package() -> None:
    """Every warning goes through brmspy.core.errors.warn (a category and the user's stack frame)."""
    offenders = [f"{p.relative_to(PACKAGE)}:{i}" for p in PACKAGE.rglob("*.py") if p.name != "errors.py"
                 for i, line in enumerate(p.read_text().splitlines(), 1) if re.search(r"\bwarnings\.warn\(", line)]
    assert not offenders, offenders


def _caught(fn) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [w for w in caught if issubclass(w.category, bp.BrmsWarning)]


def test_data_warning_points_at_the_caller() -> None:
    df = pd.DataFrame({"y": [1.0, 2.0, np.nan, 4.0, 5.0, 3.0], "x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    (w,) = _caught(lambda: bp.make_standata("y ~ x", df))
    assert w.category is bp.DataWarning and "Rows containing NAs were excluded" in str(w.message)
    assert w.filename == __file__


def test_prior_warning_points_at_the_caller() -> None:
    df = pd.DataFrame({"y": [1.0, 2.0, 0.5, 4.0, 5.0, 3.0], "x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    caught = _caught(lambda: bp.make_stancode("y ~ x", df, prior=bp.prior("uniform(0, 10)", class_="sigma")))
    assert [w.category for w in caught] == [bp.PriorWarning], [str(w.message) for w in caught]
    assert "bounded prior" in str(caught[0].message) and caught[0].filename == __file__


def test_sampler_warning_points_at_the_caller() -> None:
    df = bp.datasets.load("sleepstudy")
    caught = _caught(lambda: bp.brm("Reaction ~ Days + (Days | Subject)", data=df, chains=2, iter=120, seed=1,
                                    refresh=0))
    assert caught and all(w.category is bp.SamplerWarning for w in caught), [str(w.message) for w in caught]
    assert any("Effective Samples Size" in str(w.message) for w in caught)
    assert {w.filename for w in caught} == {__file__}


def test_silencing_one_kind() -> None:
    df = pd.DataFrame({"y": [1.0, 2.0, np.nan, 4.0, 5.0, 3.0], "x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=bp.DataWarning)
        bp.make_standata("y ~ x", df)  # the NA warning is a DataWarning: ignored, not raised
    with pytest.warns(bp.DataWarning):
        bp.make_standata("y ~ x", df)
