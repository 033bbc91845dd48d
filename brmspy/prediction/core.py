"""Predictions from a fit, computed in numpy as brms does outside Stan.

Every function returns an array shaped (draws, observations), draws ordered
chain by chain.  New data are checked and rebuilt by the model's frame specification
(:meth:`brmspy.frame.spec.FrameSpec.new_data`); group levels not in the fitted data need
``allow_new_levels=True`` and are then handled by ``sample_new_levels``.

Examples
--------
>>> fit = brm("Reaction ~ Days + (Days | Subject)", data=df)   # doctest: +SKIP
>>> posterior_epred(fit).shape                                  # doctest: +SKIP
(4000, 180)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import xarray as xr

from ..core.errors import BrmsError, DataError
from ..core.types import _check_prob
from ..families import LINKS
from ..fit.brmsfit import BrmsFit
from ..formula.prefix import Prefix
from ..formula.terms import BrmsTerms
from .additions import addition_epred, addition_loglik, addition_predict
from .autocor import adjust_eta, time_cov_log_lik, time_cov_predict, time_cov_series_log_lik
from .chunked import chunked_call
from .labelled import as_dataarray, rows_index
from .context import PredictionContext, prediction_context
from .dpars import all_responses, dpar_values, response_extras, response_terms
from .linpred import linear_predictor
from .mv import mv_log_lik, mv_predict, stack_responses
from .nonlinear import nonlinear_linpred

# ------------------------------------------------------------------ helpers

OUTPUTS = ("array", "xarray")


def _check_output(output: str) -> str:
    if output not in OUTPUTS:
        raise BrmsError(f"output must be one of {OUTPUTS}, got {output!r}.")
    return output


def _chunked(fn, fit, newdata, chunk_size, ndraws, seed, kwargs) -> np.ndarray | None:
    """The result evaluated in chunks of rows by :mod:`brmspy.prediction.chunked`, or None for one piece."""
    return chunked_call(fn, fit, newdata, chunk_size, ndraws, seed, kwargs)


# -------------------------------------------------------- linear predictors


# ----------------------------------------------------------------- public


def posterior_linpred(fit: "BrmsFit", newdata: pd.DataFrame | None = None, transform: bool = False,
                      re_formula: Any = None, ndraws: int | None = None, dpar: str | None = None,
                      allow_new_levels: bool = False, sample_new_levels: str = "uncertainty",
                      seed: int | None = None, resp: str | None = None, nlpar: str | None = None,
                      incl_autocor: bool = True, *, output: str = "array") -> "np.ndarray | xr.DataArray":
    """Linear predictor draws (draws × observations); ``transform=True`` applies the inverse link.

    ``incl_autocor=False`` leaves out ``ar()``/``ma()``/``arma()`` terms (brms's argument of
    the same name), e.g. for new data without the response or time structure.

    In multivariate models ``resp`` chooses a response; without it the result is
    draws × observations × responses.  In non-linear models ``nlpar`` gives the
    draws of one non-linear parameter instead.
    ``output="xarray"`` returns an :class:`xarray.DataArray` with dims ``chain``, ``draw``, ``obs``
    (coordinates: the rows' index; :mod:`brmspy.prediction.labelled`); the default is the array.

    Examples
    --------
    >>> posterior_linpred(fit, re_formula="~ 0").shape       # doctest: +SKIP
    """
    if _check_output(output) == "xarray":
        return as_dataarray(fit, posterior_linpred(fit, newdata, transform=transform, re_formula=re_formula,
                ndraws=ndraws, dpar=dpar, allow_new_levels=allow_new_levels, sample_new_levels=sample_new_levels,
                seed=seed, resp=resp, nlpar=nlpar, incl_autocor=incl_autocor), newdata, ndraws, seed, resp,
                "posterior_linpred")
    ctx = prediction_context(fit, newdata, re_formula, ndraws, allow_new_levels, sample_new_levels, seed, incl_autocor,
                             resp)
    if all_responses(fit, resp):
        return stack_responses(fit, lambda t: _linpred(ctx, t, dpar, transform, nlpar))
    return _linpred(ctx, response_terms(fit, resp), dpar, transform, nlpar)


def _linpred(ctx: PredictionContext, t: BrmsTerms, dpar: str | None, transform: bool, nlpar: str | None = None) -> np.ndarray:
    d = dpar or "mu"
    if nlpar is None and d == "mu" and d in t.nonlinear and t.autocor is not None:  # ARMA terms of a non-linear mu
        eta = adjust_eta(ctx, t, Prefix(t.resp, d), nonlinear_linpred(ctx, t, d, None, False))
        return LINKS[t.family.links[d]].inv(eta) if transform else eta
    if nlpar is not None or d in t.nonlinear:  # non-linear formulas and parameters (brmspy.prediction.nonlinear)
        return nonlinear_linpred(ctx, t, d, nlpar, transform)
    if d not in t.parts:
        raise BrmsError(f"dpar {d!r} is not predicted in this model; predicted: {', '.join(t.parts)}.")
    eta = linear_predictor(ctx, Prefix(t.resp, d))
    eta = adjust_eta(ctx, t, Prefix(t.resp, d), eta)  # ar()/ma()/arma() terms use earlier residuals
    return LINKS[t.family.links.get(d, t.family.link)].inv(eta) if transform else eta


def posterior_epred(fit: "BrmsFit", newdata: pd.DataFrame | None = None, re_formula: Any = None,
                    ndraws: int | None = None, dpar: str | None = None, allow_new_levels: bool = False,
                    sample_new_levels: str = "uncertainty", seed: int | None = None,
                    resp: str | None = None, chunk_size: int | None = None, incl_autocor: bool = True, *, output:
str = "array") -> "np.ndarray | xr.DataArray":
    """Draws of the expected value of the response (or of ``dpar`` on its own scale).

    In multivariate models ``resp`` chooses a response; without it the result is
    draws × observations × responses, as in brms.  ``chunk_size``: rows evaluated at
    a time (None: automatic for large draws × rows, 0: one piece; :mod:`brmspy.prediction.chunked`).
    ``incl_autocor`` as in :func:`posterior_linpred`.
    ``output="xarray"`` returns an :class:`xarray.DataArray` with dims ``chain``, ``draw``, ``obs``
    (coordinates: the rows' index; :mod:`brmspy.prediction.labelled`); the default is the array.
    """
    if _check_output(output) == "xarray":
        return as_dataarray(fit, posterior_epred(fit, newdata, re_formula=re_formula, ndraws=ndraws, dpar=dpar,
                allow_new_levels=allow_new_levels, sample_new_levels=sample_new_levels, seed=seed, resp=resp,
                chunk_size=chunk_size, incl_autocor=incl_autocor), newdata, ndraws, seed, resp, "posterior_epred")
    if (out := _chunked(posterior_epred, fit, newdata, chunk_size, ndraws, seed, dict(
            re_formula=re_formula, dpar=dpar, allow_new_levels=allow_new_levels,
            sample_new_levels=sample_new_levels, resp=resp, incl_autocor=incl_autocor))) is not None:
        return out
    ctx = prediction_context(fit, newdata, re_formula, ndraws, allow_new_levels, sample_new_levels, seed, incl_autocor,
                             resp)
    if all_responses(fit, resp):
        return stack_responses(fit, lambda t: _epred(ctx, t, dpar))
    return _epred(ctx, response_terms(fit, resp), dpar)


def _epred(ctx: PredictionContext, t: BrmsTerms, dpar: str | None) -> np.ndarray:
    dp = dpar_values(ctx, t)
    S, N = len(ctx.idx), len(ctx.data)
    if dpar is not None:
        if dpar not in dp:
            raise BrmsError(f"Family {t.family.name!r} has no dpar {dpar!r}; its dpars: {', '.join(dp)}.")
        return np.broadcast_to(dp[dpar], (S, N)).copy()
    _, ex = response_extras(ctx, t)
    if t.family.kind.per_category_epred:
        return t.family.spec.math.epred(dp, ex)  # (S, N, ncat) category probabilities, as brms
    if (adds := ctx.rows.additions(t, "epred")) is not None:  # rate(), trunc(): brmspy.prediction.additions
        return np.broadcast_to(addition_epred(t, adds, dp, ex), (S, N)).astype(float)
    return np.broadcast_to(t.family.spec.math.epred(dp, ex), (S, N)).astype(float)


def posterior_predict(fit: "BrmsFit", newdata: pd.DataFrame | None = None, re_formula: Any = None,
                      ndraws: int | None = None, allow_new_levels: bool = False,
                      sample_new_levels: str = "uncertainty", seed: int | None = None,
                      resp: str | None = None, chunk_size: int | None = None, incl_autocor: bool = True, *, output:
str = "array") -> "np.ndarray | xr.DataArray":
    """Draws from the posterior predictive distribution (draws × observations).

    In multivariate models ``resp`` chooses a response; without it the result is
    draws × observations × responses, drawn jointly (multivariate normal or t)
    when the model has residual correlations.  ``chunk_size`` as in :func:`posterior_epred`
    (chunks draw from independent random streams derived from ``seed``).
    ``incl_autocor`` as in :func:`posterior_linpred`.
    ``output="xarray"`` returns an :class:`xarray.DataArray` with dims ``chain``, ``draw``, ``obs``
    (coordinates: the rows' index; :mod:`brmspy.prediction.labelled`); the default is the array.
    """
    if _check_output(output) == "xarray":
        return as_dataarray(fit, posterior_predict(fit, newdata, re_formula=re_formula, ndraws=ndraws,
                allow_new_levels=allow_new_levels, sample_new_levels=sample_new_levels, seed=seed, resp=resp,
                chunk_size=chunk_size, incl_autocor=incl_autocor), newdata, ndraws, seed, resp, "posterior_predict")
    if (out := _chunked(posterior_predict, fit, newdata, chunk_size, ndraws, seed, dict(
            re_formula=re_formula, allow_new_levels=allow_new_levels,
            sample_new_levels=sample_new_levels, resp=resp, incl_autocor=incl_autocor))) is not None:
        return out
    ctx = prediction_context(fit, newdata, re_formula, ndraws, allow_new_levels, sample_new_levels, seed, incl_autocor,
                             resp)
    if all_responses(fit, resp):
        return mv_predict(ctx, fit, _predict)
    return _predict(ctx, response_terms(fit, resp))


def _predict(ctx: PredictionContext, t: BrmsTerms) -> np.ndarray:
    dp = dpar_values(ctx, t)

    if (draws := time_cov_predict(ctx, t, dp, ctx.rng)) is not None:  # cosy(), cov = TRUE: one draw per series
        return draws
    S, N = len(ctx.idx), len(ctx.data)
    dp = {k: (np.broadcast_to(v, (S, N)) if k not in ("thres", "link", "theta") and np.ndim(v) < 3 else v)
          for k, v in dp.items()}
    _, ex = response_extras(ctx, t)
    if (adds := ctx.rows.additions(t, "predict")) is not None:  # trunc(), se(), rate(): brmspy.prediction.additions
        return addition_predict(t, adds, dp, ex, ctx.rng)
    return np.asarray(t.family.spec.math.rng(dp, ex, ctx.rng), dtype=float)


def log_lik(fit: "BrmsFit", newdata: pd.DataFrame | None = None, re_formula: Any = None,
            ndraws: int | None = None, allow_new_levels: bool = False,
            sample_new_levels: str = "uncertainty", seed: int | None = None,
            resp: str | None = None, chunk_size: int | None = None, *,
            output: str = "array") -> "np.ndarray | xr.DataArray":
    """Pointwise log-likelihood draws (draws × observations), weighted as in brms.

    In multivariate models without ``resp`` the responses of a row are combined:
    summed, or with residual correlations the row's multivariate density.
    ``chunk_size`` as in :func:`posterior_epred`; chunked values equal unchunked ones.
    ``output="xarray"`` returns an :class:`xarray.DataArray` with dims ``chain``, ``draw``, ``obs``
    (coordinates: the rows' index; :mod:`brmspy.prediction.labelled`); the default is the array.
    """
    if _check_output(output) == "xarray":
        return as_dataarray(fit, log_lik(fit, newdata, re_formula=re_formula, ndraws=ndraws,
                allow_new_levels=allow_new_levels, sample_new_levels=sample_new_levels, seed=seed, resp=resp,
                chunk_size=chunk_size), newdata, ndraws, seed, resp, "log_lik")
    if (out := _chunked(log_lik, fit, newdata, chunk_size, ndraws, seed, dict(
            re_formula=re_formula, allow_new_levels=allow_new_levels,
            sample_new_levels=sample_new_levels, resp=resp))) is not None:
        return out
    ctx = prediction_context(fit, newdata, re_formula, ndraws, allow_new_levels, sample_new_levels, seed,
                             resp=resp)
    if all_responses(fit, resp):
        return mv_log_lik(ctx, fit, _log_lik)
    return _log_lik(ctx, response_terms(fit, resp))


def _log_lik(ctx: PredictionContext, t: BrmsTerms) -> np.ndarray:
    dp = dpar_values(ctx, t)
    rd, ex = response_extras(ctx, t, need_response=True)

    if (ll := time_cov_log_lik(ctx, t, dp, rd.y)) is not None:  # cosy(), cov = TRUE: brms's LOO-conditional densities
        return ll
    if rd.adds is not None:  # cens(), trunc(), se(), rate(): brmspy.prediction.additions
        ll = addition_loglik(t, rd, dp, ex)
    else:
        ll = t.family.spec.math.loglik(rd.y[None, :], dp, ex)
    shape = (len(ctx.idx), len(ctx.data))
    fresh = isinstance(ll, np.ndarray) and ll.shape == shape and ll.dtype == float and ll.flags.owndata
    if not fresh:  # a full-size float array of its own needs no copy (a draws × rows copy costs as much as the density)
        ll = np.broadcast_to(ll, shape).astype(float)
    if rd.weights is not None:
        ll = ll * rd.weights[None, :]
    return ll


def _observed(fit: "BrmsFit", newdata: pd.DataFrame | None, resp: str | None = None) -> np.ndarray:
    if all_responses(fit, resp):  # observations × responses
        return np.stack([_observed(fit, newdata, t.resp) for t in fit.frame.response_terms], axis=-1)
    t = response_terms(fit, resp)
    if newdata is None:
        return fit.frame.responses[t.resp].y.astype(float)
    if t.response.expr not in newdata.columns:
        raise DataError(f"newdata needs the response column {t.response.expr!r} for residuals.")
    return fit.frame.spec.response(t, newdata).y.astype(float)


def predictive_error(fit: "BrmsFit", newdata: pd.DataFrame | None = None, **kw: Any) -> np.ndarray:
    """``y - y_rep`` per draw and observation (and response, in multivariate models without ``resp``)."""
    return _observed(fit, newdata, kw.get("resp"))[None] - posterior_predict(fit, newdata, **kw)


def _summarise(draws: np.ndarray, prob: float, first: int = 1, labels: list[str] | None = None,
               index: pd.Index | None = None) -> pd.DataFrame:
    _check_prob(prob)
    if draws.ndim == 3:
        # one block of columns per category (ordinal/categorical: P(Y = k)) or per response (``labels``)
        keys = labels or [f"P(Y = {k + first})" for k in range(draws.shape[2])]
        return pd.concat({key: _summarise(draws[..., k], prob, index=index) for k, key in enumerate(keys)}, axis=1)
    lo, hi = (1 - prob) / 2, 1 - (1 - prob) / 2
    q = np.quantile(draws, [lo, hi], axis=0)
    return pd.DataFrame({"Estimate": draws.mean(axis=0), "Est.Error": draws.std(axis=0, ddof=1),
                         f"Q{lo * 100:g}": q[0], f"Q{hi * 100:g}": q[1]}, index=index)


def _rows_index(fit: "BrmsFit", newdata: Any, n: int, resp: str | None = None) -> pd.Index | None:
    """The index of the rows predicted: newdata's (a pandas input keeps its labels) or the fitted rows'."""
    index = rows_index(fit, newdata, resp)
    return index if isinstance(index, pd.Index) and len(index) == n else None


def fitted(fit: "BrmsFit", newdata: pd.DataFrame | None = None, prob: float = 0.95, **kw: Any) -> pd.DataFrame:
    """Summary of :func:`posterior_epred` per observation (Estimate, Est.Error, Q2.5, Q97.5)."""
    first = min(t.family.kind.first_category for t in fit.frame.response_terms)  # hurdle_cumulative: category 0
    draws = posterior_epred(fit, newdata, **kw)
    return _summarise(draws, prob, first=first, labels=_resp_labels(fit, kw.get("resp")),
                      index=_rows_index(fit, newdata, draws.shape[1], kw.get("resp")))


def predict(fit: "BrmsFit", newdata: pd.DataFrame | None = None, prob: float = 0.95, **kw: Any) -> pd.DataFrame:
    """Summary of :func:`posterior_predict` per observation."""
    draws = posterior_predict(fit, newdata, **kw)
    return _summarise(draws, prob, labels=_resp_labels(fit, kw.get("resp")),
                      index=_rows_index(fit, newdata, draws.shape[1], kw.get("resp")))


def _resp_labels(fit: "BrmsFit", resp: str | None) -> list[str] | None:
    """Column-block labels of summaries over all responses of a multivariate model."""
    return [t.resp for t in fit.frame.response_terms] if all_responses(fit, resp) else None


def residuals(fit: "BrmsFit", newdata: pd.DataFrame | None = None, type: str = "ordinary", prob: float = 0.95,
              **kw: Any) -> pd.DataFrame:
    """Residuals ``y - E[y]`` ("ordinary") or divided by the predictive sd ("pearson"), summarized."""
    if type not in ("ordinary", "pearson"):
        raise BrmsError(f"type must be 'ordinary' or 'pearson', got {type!r}.")
    y = _observed(fit, newdata, kw.get("resp"))
    ep = posterior_epred(fit, newdata, **kw)
    res = y[None] - ep
    if type == "pearson":
        res = res / posterior_predict(fit, newdata, **kw).std(axis=0, ddof=1)[None]
    return _summarise(res, prob, labels=_resp_labels(fit, kw.get("resp")),
                      index=_rows_index(fit, newdata, res.shape[1], kw.get("resp")))


def series_log_lik(fit: "BrmsFit", ndraws: int | None = None) -> np.ndarray:
    """Joint log density of each series, (draws, series), for time-covariance models.

    The sum over series is the model's log-likelihood (what Stan adds to
    ``target``); ``log_lik`` instead returns brms's pointwise leave-one-out
    conditional densities (:func:`brmspy.prediction.autocor.time_cov_series_log_lik`).
    """
    t = response_terms(fit)
    ctx = prediction_context(fit, None, None, ndraws, False, "uncertainty", None)
    return time_cov_series_log_lik(ctx, t, dpar_values(ctx, t))
