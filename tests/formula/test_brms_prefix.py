"""``brms::mvbind(y1, y2) ~ x`` as brms 2.18 reads it; other ``brms::`` calls refused with a precise message.

brms 2.18 accepts the package prefix only on ``mvbind`` (its test suite's case [305]); ``brms::mo(x)``,
``brms::s(x)``, ``brms::gr(g)``, ``brms::trials(n)`` make brms fail with R-internal messages ("invalid
type (list) for variable 'brms::mo(z)'"), so brmspy refuses them naming the fix. (Against brms 2.18:
``mv_brms_mvbind``, ``mv_brms_mvbind_rescor``, ``refuse_brms_prefix_special`` in
``tests/package/test_brms_reference.py``.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.core.errors import FormulaError


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    return pd.DataFrame({"y1": rng.normal(size=20), "y2": rng.normal(size=20), "x": rng.normal(size=20),
                         "z": np.tile([1, 2, 3, 1], 5), "g": np.tile([1, 2, 3, 4], 5), "n": 10, "k": 5})


@pytest.mark.parametrize("prefixed", ["brms::mvbind(y1, y2) ~ x", "(brms::mvbind(y1, y2)) ~ x",
                                      "brms :: mvbind(y1, y2) | weights(n) ~ x"])
def test_brms_mvbind_is_mvbind(prefixed: str) -> None:
    plain = prefixed.replace("brms :: ", "").replace("brms::", "")
    rescor = bp.set_rescor(False)
    a = bp.make_standata(bp.bf(prefixed) + rescor, _data())
    b = bp.make_standata(bp.bf(plain) + rescor, _data())
    assert a.keys() == b.keys() and {"Y_y1", "Y_y2"} <= set(a)
    assert all(np.array_equal(np.asarray(a[k]), np.asarray(b[k])) for k in a)
    assert bp.make_stancode(bp.bf(prefixed) + rescor, _data()) == bp.make_stancode(bp.bf(plain) + rescor, _data())


@pytest.mark.parametrize("formula, name", [("y1 ~ brms::mo(z)", "mo"), ("y1 ~ x + brms::s(x)", "s"),
                                           ("y1 ~ (1 | brms::gr(g))", "gr"), ("k | brms::trials(n) ~ x", "trials")])
def test_other_brms_calls_refused_precisely(formula: str, name: str) -> None:
    with pytest.raises(FormulaError, match=rf"'brms::{name}' in .*write '{name}\(\.\.\.\)' without 'brms::'"):
        bp.make_standata(formula, _data(), family="binomial" if name == "trials" else "gaussian")
