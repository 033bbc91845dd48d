"""Module-level functions with brms's names; each calls the BrmsFit method of the same name.

Examples
--------
>>> from brmspy import fixef   # fixef(fit) == fit.fixef()
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from .brmsfit import BrmsFit
from .naming import _prior_name
from .summary import BrmsSummary


def summary(fit: BrmsFit, prob: float = 0.95) -> "BrmsSummary":
    """brms's ``summary(fit)``: the printed model summary (see :meth:`BrmsFit.summary`).

    Examples
    --------
    >>> import brmspy as bp
    >>> fit = bp.brm("Reaction ~ Days + (Days | Subject)", bp.datasets.load("sleepstudy"))  # doctest: +SKIP
    >>> print(bp.summary(fit, prob=0.9))                                                  # doctest: +SKIP
    """
    return fit.summary(prob)


def prior_draws(fit: BrmsFit, variable: str | Sequence[str] | None = None, seed: int | None = None) -> pd.DataFrame:
    """Draws from the priors of a fit with ``sample_prior="yes"``, as brms's ``prior_draws``.

    Parameters
    ----------
    fit : a fit sampled with ``brm(..., sample_prior="yes")``; other fits have no prior
        draws and give an empty DataFrame (as in brms).
    variable : None for every prior draw, named as brms without the ``prior_`` prefix
        (``b_x``, ``Intercept``, ``sd_g``, ``sigma``); or parameter names (``"b_x"``,
        ``"sd_g__Intercept"``), each getting the prior draws of its class, shuffled as brms
        does so that two parameters sharing one prior are not identical.
    seed : seed of that shuffle.

    Returns
    -------
    pandas.DataFrame with one column per prior (or per requested variable with a prior).

    Examples
    --------
    >>> fit = bp.brm("y ~ x", df, prior=bp.prior("normal(0, 1)", class_="b"), sample_prior="yes")  # doctest: +SKIP
    >>> bp.prior_draws(fit, "b_x").std()                                                          # doctest: +SKIP
    """
    draws = fit.draws_dict
    names = [n for n, pi in fit.param_info.items() if pi.kind == "prior"]
    if variable is None:
        return pd.DataFrame({n[len("prior_"):]: draws[n].reshape(-1) for n in names})
    wanted = [variable] if isinstance(variable, str) else list(variable)
    rng = np.random.default_rng(seed)
    out = {}
    for v in wanted:
        p = _prior_name(v, draws)
        if p is None:  # brms: the longest prior name that starts the variable's name ('b' for 'b_x')
            starts = [n for n in names if v.startswith(n[len("prior_"):])]
            p = max(starts, key=len) if starts else None
        if p is not None:
            flat = draws[p].reshape(-1)
            out[v] = flat[rng.permutation(flat.size)]
    return pd.DataFrame(out)


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
