"""Module-level functions with brms's names; each calls the BrmsFit method of the same name.

Examples
--------
>>> from brmspy import fixef   # fixef(fit) == fit.fixef()
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .fit import BrmsFit


def fixef(fit: BrmsFit, prob: float = 0.95) -> pd.DataFrame:
    """Population-level effects (see :meth:`BrmsFit.fixef`)."""
    return fit.fixef(prob)


def ranef(fit: BrmsFit, prob: float = 0.95) -> dict[str, pd.DataFrame]:
    """Group-level effects per grouping factor (see :meth:`BrmsFit.ranef`)."""
    return fit.ranef(prob)


def coef(fit: BrmsFit, prob: float = 0.95) -> dict[str, pd.DataFrame]:
    """Population + group-level effects per level (see :meth:`BrmsFit.coef`)."""
    return fit.coef(prob)


def VarCorr(fit: BrmsFit, prob: float = 0.95) -> dict[str, dict[str, pd.DataFrame]]:  # noqa: N802
    """Group-level sds, correlations, covariances and residual sd (see :meth:`BrmsFit.VarCorr`)."""
    return fit.VarCorr(prob)


def prior_summary(fit: BrmsFit) -> pd.DataFrame:
    """Priors used by the fit (see :meth:`BrmsFit.prior_summary`)."""
    return fit.prior_summary()


def stancode(fit: BrmsFit) -> str:
    """The Stan program of the fit."""
    return fit.stancode()


def standata(fit: BrmsFit) -> dict[str, Any]:
    """The Stan data of the fit."""
    return fit.standata()


def nobs(fit: BrmsFit) -> int:
    return fit.nobs()


def ngrps(fit: BrmsFit) -> dict[str, int]:
    return fit.ngrps()


def ndraws(fit: BrmsFit) -> int:
    return fit.ndraws()
