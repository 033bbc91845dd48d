"""Bayesian and LOO-adjusted R-squared (brms's ``bayes_R2`` and ``loo_R2``)."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from ..core.errors import BrmsError
from ..fit.brmsfit import BrmsFit
from ..prediction.core import posterior_epred
from .psis import psislw, relative_eff
from .results import _check_fit, _criteria, _ll3


def _az_loo_r2_draws(y: np.ndarray, ypred_loo: np.ndarray, n: int, seed: int | None) -> np.ndarray:
    """Bayesian-bootstrap draws of the LOO R2 (ArviZ's ``loo_r2`` core, as brms's ``loo_R2``)."""
    from arviz_stats.base import array_stats

    return np.asarray(array_stats.loo_r2(y, ypred_loo, n_simulations=n,
                                         random_state=42 if seed is None else seed), dtype=float)


def _response(fit: "BrmsFit") -> np.ndarray:
    if len(fit.frame.responses) != 1:
        raise BrmsError("R2 is computed for univariate models only in brmspy.")
    return np.asarray(next(iter(fit.frame.responses.values())).y, dtype=float)


def _summarize_r2(draws: np.ndarray, prob: float, robust: bool = False) -> pd.DataFrame:
    if not 0 < prob < 1:
        raise BrmsError(f"prob must be between 0 and 1 (e.g. 0.95), got {prob!r}.")
    lo, hi = (1 - prob) / 2, 1 - (1 - prob) / 2
    est = float(np.median(draws)) if robust else float(draws.mean())
    err = float(1.4826 * np.median(np.abs(draws - np.median(draws)))) if robust else float(draws.std(ddof=1))
    q = np.quantile(draws, [lo, hi])
    return pd.DataFrame({"Estimate": [est], "Est.Error": [err], f"Q{lo * 100:g}": [q[0]],
                         f"Q{hi * 100:g}": [q[1]]}, index=["R2"])


def bayes_R2(fit: "BrmsFit", summary: bool = True, prob: float = 0.95,  # noqa: N802 - brms's name
             robust: bool = False, resp: "str | Sequence[str] | None" = None) -> "pd.DataFrame | np.ndarray":
    """Bayesian R2 (Gelman, Goodrich, Gabry & Vehtari 2019), as brms.

    Per draw, ``var(ypred) / (var(ypred) + var(y - ypred))`` over observations, with
    ``ypred = posterior_epred(fit)``; in multivariate models one R2 per response
    (brms's rows ``R2y1``, ``R2y2``, ...), each from that response's epred and data.

    Parameters
    ----------
    summary : a DataFrame with Estimate, Est.Error, Q2.5, Q97.5, one row ``R2`` (``R2<resp>``
        per response in multivariate models); else the draws: (S,) for one response,
        (S, responses) for several.
    prob : interval probability.
    robust : median and MAD instead of mean and SD.
    resp : multivariate models: a response name or a list of them (default: all).

    Examples
    --------
    >>> bayes_R2(fit)             # doctest: +SKIP
        Estimate  Est.Error      Q2.5     Q97.5
    R2  0.791...
    >>> bayes_R2(mv_fit, resp="y1")  # doctest: +SKIP
    """
    fit = _check_fit(fit)
    names = [t.resp for t in fit.frame.response_terms]
    if resp is not None:
        wanted = [resp] if isinstance(resp, str) else list(resp)
        unknown = [r for r in wanted if r not in names]
        if unknown or len(names) == 1:
            raise BrmsError(f"resp={resp!r} does not name responses of this model; its responses: {', '.join(names)}."
                            if len(names) > 1 else f"resp={resp!r} is for multivariate models; omit resp.")
        names = wanted
    stored = _criteria(fit).get("bayes_R2") if resp is None else None
    if stored is None:
        cols = []
        for r in names:  # brms's .bayes_R2 per response
            y = np.asarray(fit.frame.responses[r].y, dtype=float)
            ypred = posterior_epred(fit, resp=r or None)
            var_ypred = ypred.var(axis=1, ddof=1)
            var_e = (y[None, :] - ypred).var(axis=1, ddof=1)
            cols.append(var_ypred / (var_ypred + var_e))
        stored = cols[0] if len(cols) == 1 else np.column_stack(cols)
    if not summary:
        return stored
    draws = stored.reshape(len(stored), -1)
    return pd.concat([_summarize_r2(draws[:, j], prob, robust).rename(index={"R2": f"R2{r}"})
                      for j, r in enumerate(names)])


def loo_R2(fit: "BrmsFit", summary: bool = True, prob: float = 0.95,  # noqa: N802 - brms's name
           robust: bool = False, seed: int | None = None) -> "pd.DataFrame | np.ndarray":
    """LOO-adjusted R2 (brms's ``loo_R2``).

    As brms: the LOO predictions ``E_loo[posterior_epred]`` use the PSIS weights of
    :func:`loo` (ArviZ's PSIS with per-observation r_eff); ``R2 = 1 - var(y - ypred_loo) / var(y)``
    is then bootstrapped with Dirichlet weights over observations (ArviZ's ``loo_r2`` core),
    one draw per posterior draw.  (ArviZ's ``loo_r2`` itself would smooth posterior-predictive
    draws with one r_eff for all observations.)

    Examples
    --------
    >>> loo_R2(fit)               # doctest: +SKIP
    """
    fit = _check_fit(fit)
    stored = _criteria(fit).get("loo_R2")
    if stored is None:
        y = _response(fit)
        ll3 = _ll3(fit)
        C, D, N = ll3.shape

        lw, k = psislw(ll3, relative_eff(ll3))
        ypred3 = posterior_epred(fit).reshape(C, D, N)
        ypred_loo = np.sum(np.exp(lw) * ypred3, axis=(0, 1))  # E_loo[epred] with the PSIS weights
        stored = np.clip(_az_loo_r2_draws(y, ypred_loo, C * D, seed), -1, 1)
    return _summarize_r2(stored, prob, robust) if summary else stored
