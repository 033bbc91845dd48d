"""The cox family's baseline hazard bases (brmspy.frame.bhaz) against splines2's numbers (brms 2.18).

``tests/reference/bhaz_splines2.json`` holds brms's ``bhaz_basis_matrix`` output (splines2 0.4.7) for
several ``bhaz`` arguments, made by ``tools/bhaz_reference.R``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from brmspy.core.errors import DataError, FamilyError
from brmspy.families.bhaz import check_bhaz_args
from brmspy.frame.bhaz import BaselineHazard, mspline_basis

REF = json.loads((Path(__file__).parents[1] / "reference" / "bhaz_splines2.json").read_text())


@pytest.mark.parametrize("case", REF, ids=[c["id"] for c in REF])
def test_bases_equal_splines2(case):
    y = np.asarray(case["y"], dtype=float)
    bh = BaselineHazard.build(y, check_bhaz_args(case["args"]))
    np.testing.assert_allclose(bh.basis.knots, np.atleast_1d(case["knots"]), rtol=1e-12)
    np.testing.assert_allclose(bh.basis.boundary, case["boundary"], rtol=1e-12)
    np.testing.assert_allclose(bh.Z, np.asarray(case["M"]), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(bh.Zc, np.asarray(case["I"]), rtol=1e-10, atol=1e-12)
    newx = np.atleast_1d(case["newx"])
    np.testing.assert_allclose(bh.basis.m(newx), np.asarray(case["M_new"]).reshape(len(newx), -1), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(bh.basis.i(newx), np.asarray(case["I_new"]).reshape(len(newx), -1), rtol=1e-10, atol=1e-12)


def test_i_spline_is_integral_of_m_spline():
    b = mspline_basis(np.linspace(0.1, 5, 40), check_bhaz_args({"df": 6}))
    grid = np.linspace(b.boundary[0], b.boundary[1], 20001)
    m = b.m(grid)
    cum = np.concatenate([np.zeros((1, m.shape[1])), np.cumsum((m[1:] + m[:-1]) / 2 * np.diff(grid)[:, None], axis=0)])
    np.testing.assert_allclose(b.i(grid), cum, atol=1e-6)
    np.testing.assert_allclose(b.i(grid[-1:]), 1.0, rtol=1e-12)  # each M-spline integrates to one


def test_bad_bhaz_arguments():
    with pytest.raises(FamilyError, match="no argument 'dof'"):
        check_bhaz_args({"dof": 3})
    with pytest.raises(FamilyError, match="positive integer"):
        check_bhaz_args({"df": 2.5})
    with pytest.raises(FamilyError, match="two increasing"):
        check_bhaz_args({"Boundary.knots": [3, 1]})
    with pytest.raises(DataError, match="inside the boundary"):
        mspline_basis(np.array([1.0, 2.0, 3.0]), check_bhaz_args({"knots": [5.0]}))
    with pytest.raises(DataError, match="distinct times"):
        mspline_basis(np.array([2.0, 2.0]), check_bhaz_args(None))
