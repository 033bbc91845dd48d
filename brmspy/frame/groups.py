"""Group-level structure beyond plain factors: known covariances and multi-membership weights.

Known covariance between the levels of a grouping factor: ``(1 | gr(g, cov = A))``.

Phylogenetic and pedigree (animal) models give the group-level effects of
``g`` a covariance proportional to a known matrix ``A`` passed as
``data2={"A": A}``.  As brms, the program gets ``Lcov_<id>``, the Cholesky
factor of ``A`` restricted to (and ordered by) the levels of ``g`` in the
data, and scales the standardized effects with it::

    r_1_1 = sd_1[1] * (Lcov_1 * z_1[1]);                // one or uncorrelated effects
    r_1 = scale_r_cor_cov(z_1, sd_1, L_1, Lcov_1);      // correlated effects

so that ``r ~ MVN(0, kron(A, Sigma))``.

Examples
--------
>>> import numpy as np, pandas as pd
>>> A = pd.DataFrame(np.eye(2) + 0.5, index=["a", "b"], columns=["a", "b"])
>>> cov_cholesky({"A": A}, "A", ["b", "a"], "(1 | gr(g, cov = A))").shape
(2, 2)

Multi-membership ``(1 | mm(g1, g2, weights = cbind(w1, w2)))``: the weights
of each row are scaled to sum to 1 (brms's default ``scale = TRUE``), on the
model data (:func:`brmspy.frame._mm_weights`) and on new data
(:func:`mm_weights_for`).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..core.errors import DataError, FormulaError

SCALE_R_COR_COV = """  /* compute correlated group-level effects with a known covariance matrix
   * Args:
   *   z: matrix of unscaled group-level effects
   *   SD: vector of standard deviation parameters
   *   L: cholesky factor correlation matrix
   *   Lcov: cholesky factor of the known covariance matrix
   * Returns:
   *   matrix of scaled group-level effects
   */
  matrix scale_r_cor_cov(matrix z, vector SD, matrix L, matrix Lcov) {
    // kronecker(Lcov, diag_pre_multiply(SD, L)) * to_vector(z), stored as levels x coefficients
    return Lcov * transpose(diag_pre_multiply(SD, L) * z);
  }"""


def _labels(values: Any) -> list[str]:
    from .build import _level_label

    return [_level_label(v) for v in values]


def cov_cholesky(data2: Mapping[str, Any] | None, name: str, levels: list[str], label: str) -> np.ndarray:
    """Lower Cholesky factor of the known covariance ``data2[name]`` over ``levels``.

    Parameters
    ----------
    data2 : the ``data2`` dict given to ``brm``/``make_stancode``/...
    name : the matrix's name in ``gr(g, cov = name)``.
    levels : the grouping factor's levels in the model data (the order of the result).
    label : the group-level term, quoted in messages.

    Returns
    -------
    numpy.ndarray
        ``(len(levels), len(levels))`` lower-triangular ``L`` with ``L @ L.T == A[levels, levels]``.

    Raises
    ------
    DataError
        When ``name`` is not in ``data2``, a level is missing from the matrix,
        or the matrix is not square, symmetric and positive definite.
    """
    if not data2 or name not in data2:
        raise DataError(
            f"'{label}' uses the known covariance matrix {name!r}, which is not in data2. "
            f"Pass it with data2={{{name!r}: matrix}} (a DataFrame with rows and columns named by the levels)."
        )
    A = data2[name]
    if isinstance(A, pd.DataFrame):
        rows, cols = _labels(A.index), _labels(A.columns)
        if rows != cols:
            if sorted(rows) != sorted(cols):
                raise DataError(f"The covariance matrix {name!r} must have the same row and column names (the levels).")
            A = A.loc[:, A.index]
        lookup = {lv: i for i, lv in enumerate(rows)}
        missing = [lv for lv in levels if lv not in lookup]
        if missing:
            raise DataError(
                f"Level(s) {missing[:5]} of the grouping factor in '{label}' are missing from the covariance matrix "
                f"{name!r}; its rows and columns must be named by every level of the grouping factor."
            )
        idx = [lookup[lv] for lv in levels]
        M = np.asarray(A, dtype=float)[np.ix_(idx, idx)]
    else:
        M = np.asarray(A, dtype=float)
        if M.ndim != 2 or M.shape[0] != M.shape[1]:
            raise DataError(f"The covariance matrix {name!r} must be a square matrix; got shape {M.shape}.")
        if M.shape[0] != len(levels):
            raise DataError(
                f"The covariance matrix {name!r} is {M.shape[0]} x {M.shape[0]} but the grouping factor in '{label}' "
                f"has {len(levels)} levels. Pass a DataFrame with rows and columns named by the levels."
            )
        # an unnamed matrix is read in the order of the levels (sorted as the model sorts them)
    if not np.all(np.isfinite(M)):
        raise DataError(f"The covariance matrix {name!r} has non-finite values.")
    if not np.allclose(M, M.T, rtol=1e-8, atol=1e-10):
        raise DataError(f"The covariance matrix {name!r} is not symmetric.")
    M = (M + M.T) / 2
    smallest = float(np.linalg.eigvalsh(M).min())
    if smallest <= 1e-12 * max(1.0, float(np.abs(M).max())):
        raise DataError(
            f"The covariance matrix {name!r} (restricted to the levels in the data) is not positive definite "
            f"(smallest eigenvalue {smallest:.3g}). Check for duplicated or identical levels."
        )
    return np.linalg.cholesky(M)


def check_cov_term(cov: str, by: str | None, mm: bool, label: str) -> None:
    """``cov`` cannot be combined with ``by`` or ``mm()`` (as in brms)."""
    if by:
        raise FormulaError(f"'{label}': gr(..., cov = {cov}) cannot be combined with by = {by}; drop one of them.")
    if mm:
        raise FormulaError(f"'{label}': a known covariance (cov = {cov}) is not available for multi-membership terms.")


def mm_weights_for(block, data: pd.DataFrame) -> list[np.ndarray]:
    """Multi-membership weights of ``block`` on (new) ``data``, one array per member, summing to 1 per row.

    Without ``weights = cbind(...)`` every member weighs ``1 / members``.
    """
    from .build import _check_columns, _mm_weights

    term = block.terms[0]
    if term.mm_weights:
        _check_columns(list(term.mm_weights), data, f"the weights of '{term.label}' (newdata)")
    return _mm_weights(data, term)


def by_level_index(block, data: pd.DataFrame) -> np.ndarray:
    """0-based by-level of each row of (new) ``data`` for a ``gr(g, by = z)`` block."""
    from .build import _check_columns, _level_label

    _check_columns([block.by], data, f"'gr({block.group}, by = {block.by})' (newdata)")
    lookup = {lv: i for i, lv in enumerate(block.by_levels)}
    labels = [_level_label(v) for v in data[block.by]]
    bad = sorted({lv for lv in labels if lv not in lookup})
    if bad:
        raise DataError(f"newdata has level(s) {bad[:5]} of the by-variable {block.by!r} that the model data did not have.")
    return np.array([lookup[lv] for lv in labels], dtype=np.int64)


# ------------------------------------------------------------- brms's order of group-level terms

#: ICU's root order of the punctuation that can appear in brms's group names (before digits and letters)
_PUNCT = "_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"


def r_collate_key(text: str) -> tuple:
    """A sort key following R's string order in the usual (ICU, en_US-like) locales.

    Punctuation sorts before digits, digits before letters, letters ignore case first and then put the
    lowercase letter first: ``g1:g3`` < ``g10`` < ``group`` < ``Group``. Python's own order is ASCII's.

    Examples
    --------
    >>> sorted(["Subject", "g10", "g1:g3", "mmgm1gm2", "g1"], key=r_collate_key)
    ['g1', 'g1:g3', 'g10', 'mmgm1gm2', 'Subject']
    """
    primary = []
    for c in text:
        if c.isdigit():
            primary.append((1, c))
        elif c.isalpha():
            primary.append((2, c.casefold()))
        else:
            primary.append((0, f"{_PUNCT.find(c) if c in _PUNCT else len(_PUNCT):03d}{c}"))
    return tuple(primary), tuple(c.isupper() for c in text)


def brms_term_order(terms: list) -> list:
    """Group-level terms of one linear predictor in brms's order: sorted by brms's group name (stable).

    brms numbers the blocks (``sd_1``, ``r_1_1``, ``J_1``, ...) in this order, not in the formula's:
    ``y ~ (1 | g2) + (1 | g1)`` has ``sd_1`` for ``g1``.
    """
    import re

    return sorted(terms, key=lambda g: r_collate_key(re.sub(r"[^A-Za-z0-9_.:]", "", g.group)))
