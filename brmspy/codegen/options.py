"""Choices about how (not what) the generated program computes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CodeOptions:
    """Choices about how (not what) the program computes.

    Parameters
    ----------
    reduce : ``"auto"`` uses an exact likelihood reduction (sufficient statistics,
        collapsed covariate patterns) where it is exact and saves work; ``True``
        uses it wherever it is exact; ``False`` always writes the row-wise likelihood.
    threads : threads per chain; above 1 the row-wise likelihood is split with ``reduce_sum``.
    centered : group-level effects sampled directly (``True``) or through brms's standardized
        ``z`` (``False``); ``"auto"`` (default) centers blocks whose levels hold many rows each
        (:mod:`brmspy.codegen.tuning`).
    """

    reduce: bool | str = "auto"
    threads: int = 1
    centered: bool | str = "auto"
