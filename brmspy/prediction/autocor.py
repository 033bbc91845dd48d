"""Predictions of autocorrelation structures: ARMA terms and forecasts, time-covariance densities and draws."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats
from scipy.special import gammaln

from ..core.errors import DataError
from ..families import Extras
from ..formula.prefix import Prefix
from ..formula.terms import BrmsTerms
from ..frame.autocor import AutocorSpec, series_of, series_order, time_points
from ..specials.autocor import AutocorDesign, mu_autocor
from .additions import addition_predict
from .context import PredictionContext
from .linpred import linear_predictor
from .nonlinear import nonlinear_eta


def _mu_design(fit, t: "BrmsTerms") -> AutocorDesign | None:
    return mu_autocor(fit.frame.designs, t.resp)


def arma_recursion(eta: np.ndarray, y: np.ndarray, J_lag: np.ndarray, ar: np.ndarray | None,
                   ma: np.ndarray | None, draw=None) -> tuple[np.ndarray, np.ndarray]:
    """ARMA terms row by row, as the Stan program; rows with unknown response (NaN) are forecast.

    Parameters
    ----------
    eta : (draws, N) linear predictor without the ARMA terms, rows sorted by series and time.
    y : (N,) response; NaN where unknown (new time points to forecast).
    J_lag : (N,) lags kept for the next row (:meth:`Series.J_lag`).
    ar, ma : (draws, p) and (draws, q) coefficients, or None.
    draw : None, or ``draw(n, mu)`` returning (draws,) responses of row ``n`` given its mean ``mu``.
        None replaces an unknown response by its expected value (``mu`` with the ARMA terms),
        so later rows get the conditional expectation given the observed past (posterior_epred);
        a function draws it, so later rows continue each simulated path (posterior_predict).

    Returns
    -------
    eta : (draws, N) with the ARMA terms; y : (draws, N) responses, the unknown ones filled in.

    Notes
    -----
    brms (``.predictor_arma``) draws an unknown response with the family's
    ``posterior_predict`` function in every case, so its posterior_epred of a
    forecast beyond one step is itself random; here the expected value is used,
    which for the identity link is the exact conditional mean of each row.
    """
    eta = np.array(eta, dtype=float, copy=True)
    S, N = eta.shape
    y = np.broadcast_to(np.asarray(y, dtype=float), (S, N)).copy()
    unknown = np.isnan(y[0]) if N else np.zeros(0, dtype=bool)
    Kar = 0 if ar is None else ar.shape[1]
    Kma = 0 if ma is None else ma.shape[1]
    max_lag = max(Kar, Kma)
    Err = np.zeros((S, N + 1, max_lag))  # Err[:, n, i]: residual i + 1 rows before row n (same series)
    err = np.zeros((S, N))
    for n in range(N):
        if Kma:
            eta[:, n] += np.einsum("sk,sk->s", Err[:, n, :Kma], ma)
        before_ar = eta[:, n].copy()
        if Kar:
            eta[:, n] += np.einsum("sk,sk->s", Err[:, n, :Kar], ar)
        if unknown[n]:  # forecast: the AR terms are part of the row's mean
            y[:, n] = eta[:, n] if draw is None else draw(n, eta[:, n])
        err[:, n] = y[:, n] - before_ar  # residual before the AR terms (MA terms included), as brms
        for i in range(1, int(J_lag[n]) + 1):
            Err[:, n + 1, i - 1] = err[:, n + 1 - i]
    return eta, y


def arma_eta(eta: np.ndarray, y: np.ndarray, J_lag: np.ndarray, ar: np.ndarray | None, ma: np.ndarray | None) -> np.ndarray:
    """Add ARMA terms to the linear predictor, as the Stan program does row by row.

    Parameters
    ----------
    eta : (draws, N) linear predictor without the ARMA terms, rows sorted by series and time.
    y : (N,) response; NaN rows are forecast with their expected value (see :func:`arma_recursion`).
    J_lag : (N,) lags kept for the next row (:meth:`Series.J_lag`).
    ar, ma : (draws, p) and (draws, q) coefficients, or None.
    """
    return arma_recursion(eta, y, J_lag, ar, ma)[0]


@dataclass
class ForecastPlan:
    """ARMA rows of a prediction on new data: the new rows, after earlier fitted rows of their series.

    Arrays are in the combined, sorted order; ``new_row[k]`` is the newdata row
    of sorted row ``k`` (-1 for a fitted row that continues a series).
    """

    eta: np.ndarray  # (draws, M) linear predictor without ARMA terms
    y: np.ndarray  # (M,) response, NaN where unknown
    J_lag: np.ndarray
    ar: np.ndarray | None
    ma: np.ndarray | None
    new_row: np.ndarray
    sorted_pos: np.ndarray  # (N_new,) sorted position of each newdata row

    def to_new(self, values: np.ndarray) -> np.ndarray:
        """(draws, M) sorted values -> (draws, N_new) in the new data's row order."""
        return values[:, self.sorted_pos]


def forecast_plan(ctx: PredictionContext, t: "BrmsTerms", prefix: "Prefix", eta: np.ndarray,
                  ar: np.ndarray | None, ma: np.ndarray | None) -> ForecastPlan:
    """Combine the new rows with the fitted rows they continue and sort by series and time.

    The rows and their order come from the frame (:meth:`brmspy.frame.spec.NewData.series`);
    the fitted rows' linear predictor is computed with the same draws and ``re_formula``.
    """
    rows = ctx.rows.series(t)
    eta = np.broadcast_to(eta, (ctx.S, ctx.N))
    if rows.continued.any():
        on_model = ctx.on_model_rows()
        fitted = (nonlinear_eta(on_model, t, prefix.dpar) if prefix.dpar in t.nonlinear  # without ARMA terms
                  else linear_predictor(on_model, prefix))
        eta = np.hstack([np.broadcast_to(fitted, (ctx.S, ctx.fit.frame.N))[:, rows.continued], eta])
    return ForecastPlan(eta[:, rows.order], rows.y, rows.J_lag, ar, ma, rows.new_row, rows.sorted_pos)


def adjust_eta(ctx, t: "BrmsTerms", prefix: "Prefix", eta: np.ndarray) -> np.ndarray:
    """The hook of :mod:`brmspy.prediction`: add ARMA terms to mu (other predictors unchanged).

    On the fitted data the model's sorted rows and response are used.  On new
    data the rows are sorted by series and time internally (the result is in
    the new data's row order); new rows continue the fitted rows of their
    series that come earlier in time (:meth:`brmspy.frame.spec.NewData.series`), new series start
    with zero residuals.  Rows with an observed response give one-step-ahead
    predictions; rows without (no response column, or NaN) are forecast: the
    expected response enters later rows here, and :func:`arma_forecast_predict`
    draws whole paths for posterior_predict.
    """
    if prefix.dpar != "mu" or not ctx.incl_autocor:
        return eta
    ac = _mu_design(ctx.fit, t)
    if ac is not None and ac.spec.kind == "unstr" and ctx.is_new:  # brms: new time points are refused
        time_points(ctx.rows.data, ac.spec, ac.times)
    if ac is not None and ac.latent:
        return _latent_eta(ctx, ac, eta)
    if ac is not None and ac.spec.kind == "sar" and ac.spec.type == "lag":  # brms: mu = (I - rho W)^-1 eta
        if ctx.is_new:
            raise DataError(f"Predictions on new data are not supported for the lag-SAR structure '{ac.spec.text}' "
                            "(its weight matrix covers the fitted rows only); use newdata=None.")
        rho = ctx.draws(f"lagsar{prefix.suffix}").reshape(-1)
        eta = np.broadcast_to(eta, (len(rho), ctx.N))
        IB = np.eye(ctx.N)[None] - rho[:, None, None] * ac.matrix[None]
        return np.linalg.solve(IB, eta[..., None])[..., 0]
    if ac is None or ac.spec.kind != "arma" or ac.spec.cov:
        return eta
    s = prefix.suffix
    ar = ctx.draws(f"ar{s}") if ac.spec.p else None
    ma = ctx.draws(f"ma{s}") if ac.spec.q else None
    max_lag = max(ac.spec.p, ac.spec.q)
    if not ctx.is_new:
        y = ctx.fit.frame.responses[t.resp].y.astype(float)
        return arma_eta(eta, y, ac.series.J_lag(max_lag), ar, ma)
    plan = forecast_plan(ctx, t, prefix, eta, ar, ma)
    ctx.cache[("arma", t.resp)] = plan  # for arma_forecast_predict
    return plan.to_new(arma_eta(plan.eta, plan.y, plan.J_lag, ar, ma))


def latent_ar_terms(err: np.ndarray, J_lag: np.ndarray, ar: np.ndarray) -> np.ndarray:
    """brms's AR terms of latent residuals: row n gains ``ar' (err[n - 1], ..., err[n - p])`` within its series.

    ``err`` is (draws, N) in the model's sorted rows, ``ar`` (draws, p); as the Stan program's row loop.
    """
    S, N = err.shape
    p = ar.shape[1]
    out = np.zeros((S, N))
    # row n sees the residuals of the J_lag[n - 1] rows before it (J_lag counts the lags kept for the next row)
    kept = np.r_[0, J_lag[:-1]] if N else np.zeros(0, dtype=np.int64)
    for i in range(1, p + 1):
        rows = np.flatnonzero(kept >= i)
        out[:, rows] += ar[:, i - 1:i] * err[:, rows - i]
    return out


def _latent_eta(ctx, ac: AutocorDesign, eta: np.ndarray) -> np.ndarray:
    """mu with brms's latent residuals: on the model data the sampled ``err`` plus the AR terms of ``ar()``;
    on new data fresh residuals of each new series (``cov = TRUE``, ``cosy()``)."""
    s = ac.prefix.suffix
    if not ctx.is_new:
        err = ctx.draws(f"err{s}")
        if ac.spec.time_cov or not ac.spec.p:
            return eta + err
        J_lag = ac.series.J_lag(max(ac.spec.p, ac.spec.q))
        return eta + err + latent_ar_terms(err, J_lag, ctx.draws(f"ar{s}"))
    if not ac.spec.time_cov:
        raise DataError(f"Cannot predict new latent residuals when using cov = FALSE in '{ac.spec.text}' (as brms): "
                        "predict the fitted data (newdata=None), or refit with cov = TRUE.")
    data = ctx.rows.data
    order = series_order(data, ac.spec)
    series = series_of(data.iloc[order].reset_index(drop=True), ac.spec)
    sderr = ctx.draws(f"sderr{s}").reshape(-1)
    cp = _cov_params(ctx, ac)
    err_sorted = np.empty((len(sderr), len(order)))
    jtime = time_points(data.iloc[order].reset_index(drop=True), ac.spec, ac.times)[1] if ac.spec.kind == "unstr" else None
    for b, e in zip(series.begin - 1, series.end):
        if jtime is not None:  # unstr(): correlations of the new series' time points
            t = jtime[b:e] - 1
            C = cp["cortime"][:, t[:, None], t[None, :]] * (sderr ** 2)[:, None, None]
        else:
            C = cor_matrix(ac.spec, cp, e - b) * (sderr ** 2)[:, None, None]
        L = np.linalg.cholesky(C)
        err_sorted[:, b:e] = np.einsum("sij,sj->si", L, ctx.rng.standard_normal((len(sderr), e - b)))
    err = np.empty_like(err_sorted)
    err[:, order] = err_sorted
    return eta + err


def arma_forecast_predict(ctx, t: "BrmsTerms", dp: dict[str, Any], rng: np.random.Generator) -> np.ndarray | None:
    """Posterior predictive draws of new data with unknown responses: paths drawn in time order.

    Each unknown row is drawn from the family given its mean (regression plus
    ARMA terms of the earlier, possibly drawn, rows of its series), and the draw
    feeds the later rows.  Rows with an observed response get ordinary one-step-
    ahead draws.  Returns None when there is nothing to forecast.
    """
    plan = ctx.cache.get(("arma", t.resp)) if ctx.is_new and ctx.incl_autocor else None
    if plan is None or not np.isnan(plan.y).any():
        return None
    S, N = ctx.S, ctx.N
    dpb = {k: np.broadcast_to(v, (S, N)) for k, v in dp.items()}
    adds = ctx.rows.additions(t, "predict")
    ex = Extras(None)
    rng_fn = t.family.spec.math.rng

    def sample(dpars: dict[str, np.ndarray]) -> np.ndarray:
        if adds is None:
            return np.asarray(rng_fn(dpars, ex, rng), dtype=float)
        return np.asarray(addition_predict(t, adds, dpars, ex, rng), dtype=float)

    def draw(n: int, mu: np.ndarray) -> np.ndarray:
        i = plan.new_row[n]
        if adds is None:  # one column is enough
            return sample({**{k: v[:, i:i + 1] for k, v in dpb.items()}, "mu": mu[:, None]})[:, 0]
        m = dpb["mu"].copy()
        m[:, i] = mu
        return sample({**dpb, "mu": m})[:, i]

    eta, y = arma_recursion(plan.eta, plan.y, plan.J_lag, plan.ar, plan.ma, draw)
    out = sample({**dpb, "mu": plan.to_new(eta)})  # one step ahead where the response is observed
    unknown = np.isnan(plan.y)[plan.sorted_pos]
    out[:, unknown] = plan.to_new(y)[:, unknown]
    return out


def cor_matrix(spec: AutocorSpec, params: dict[str, np.ndarray], n: int) -> np.ndarray:
    """(draws, n, n) residual correlation (cosy) or unit-innovation covariance (ARMA, cov = TRUE) matrices.

    ``params`` maps ``"cosy"``/``"ar"``/``"ma"`` to (draws,) values.  The
    matrices are the ones of the Stan functions ``cholesky_cor_*``.
    """
    lag = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    if spec.kind == "cosy":
        rho = params["cosy"][:, None, None]
        return np.where(lag == 0, 1.0, rho)
    ar = params.get("ar")
    ma = params.get("ma")
    if ar is not None and ma is None:
        a = ar[:, None, None]
        return a ** lag / (1 - a**2)
    if ma is not None and ar is None:
        m = ma[:, None, None]
        return np.where(lag == 0, 1 + m**2, np.where(lag == 1, m, 0.0))
    a, m = ar[:, None, None], ma[:, None, None]
    gamma1 = (1 + a * m) * (a + m)
    off = gamma1 * a ** np.maximum(lag - 1, 0)
    return np.where(lag == 0, 1 + m**2 + 2 * a * m, off) / (1 - a**2)


def _cov_params(ctx, ac: AutocorDesign) -> dict[str, np.ndarray]:
    s = ac.prefix.suffix
    out = {}
    for c in ac.classes:
        if c == "cortime":  # unstr(): the correlation matrix of all time points, (draws, T, T)
            L = ctx.draws(f"Lcortime{s}")
            out[c] = np.einsum("sik,sjk->sij", L, L)
            continue
        v = ctx.draws(f"{c}{s}")
        out[c] = v.reshape(-1) if c in ("cosy", "lagsar", "errorsar") else v[:, 0]
    return out


@dataclass
class _Layout:
    """The series of the rows a time-covariance prediction works on: 0-based ``begin``/``end`` (exclusive) of
    each series in sorted order, ``unstr()``'s time point per sorted row, and the sort of new data (None: the
    fitted rows, already sorted)."""

    begin: np.ndarray
    end: np.ndarray
    jtime: np.ndarray | None = None
    order: np.ndarray | None = None

    def unsort(self, values: np.ndarray) -> np.ndarray:
        """(draws, N) values of the sorted rows -> in the rows' own order."""
        if self.order is None:
            return values
        out = np.empty_like(values)
        out[:, self.order] = values
        return out


def _layout(ctx, ac: AutocorDesign) -> _Layout:
    if not ctx.is_new:
        return _Layout(ac.series.begin - 1, ac.series.end, ac.jtime)
    # brms: new data form their own series (sorted by gr, then time), independent of the fitted rows
    order = series_order(ctx.rows.data, ac.spec)
    data = ctx.rows.data.iloc[order].reset_index(drop=True)
    series = series_of(data, ac.spec)
    jtime = time_points(data, ac.spec, ac.times)[1] if ac.spec.kind == "unstr" else None
    return _Layout(series.begin - 1, series.end, jtime, order)


def _time_cov_parts(ctx, t: "BrmsTerms", dp: dict[str, Any], what: str):
    ac = _mu_design(ctx.fit, t)
    if ac is None or not ac.spec.time_cov or ac.latent:  # latent residuals: the family's own densities
        return None
    if ctx.is_new and ac.spec.one_series:
        raise DataError(
            f"{what} on new data is not supported for models with the residual covariance structure '{ac.spec.text}' "
            "(its matrix covers the fitted rows only); use the fitted data (newdata=None), or posterior_epred(), "
            "which does not depend on it."
        )
    S, N = ctx.S, ctx.N
    layout = _layout(ctx, ac)
    mu = np.broadcast_to(dp["mu"], (S, N))
    sigma = np.broadcast_to(dp["sigma"], (S, N))
    if layout.order is not None:
        mu, sigma = mu[:, layout.order], sigma[:, layout.order]
    nu = np.broadcast_to(dp["nu"], (S, N))[:, 0] if t.family.name == "student" else None
    cp = _cov_params(ctx, ac)
    adds = ctx.rows.additions(t, "predict")
    if adds is not None and adds.se is not None:  # se(): se^2 on the diagonal of each series' covariance (brms)
        se = np.broadcast_to(np.asarray(adds.se, dtype=float), (N,))
        cp["se2"] = (se if layout.order is None else se[layout.order]) ** 2
    return ac, mu, sigma, nu, cp, layout


def _series_cov(ac: AutocorDesign, cov_params: dict[str, np.ndarray], sigma: np.ndarray, b: int, e: int,
                jtime: np.ndarray | None = None) -> np.ndarray:
    """(draws, n, n) covariance of the rows b..e-1 (0-based, one series; ``jtime``: unstr()'s time points)."""
    if ac.spec.kind == "fcor":  # the known matrix
        R = ac.matrix[None, b:e, b:e]
    elif ac.spec.kind == "sar":  # (B' B)^-1 with B = I - rho W
        rho = cov_params[f"{ac.spec.type}sar"]
        IB = np.eye(e - b)[None] - rho[:, None, None] * ac.matrix[None, b:e, b:e]
        R = np.linalg.inv(np.einsum("sji,sjk->sik", IB, IB))
    elif ac.spec.kind == "unstr":  # the correlations of the time points of these rows
        t = jtime[b:e] - 1
        R = cov_params["cortime"][:, t[:, None], t[None, :]]
    else:
        R = cor_matrix(ac.spec, cov_params, e - b)
    s = sigma[:, b:e]
    C = R * s[:, :, None] * s[:, None, :]
    if "se2" in cov_params:  # se(): known sampling variances on the diagonal
        C = C + np.diag(cov_params["se2"][b:e])[None]
    return C


def time_cov_log_lik(ctx, t: "BrmsTerms", dp: dict[str, Any], y: np.ndarray) -> np.ndarray | None:
    """brms's pointwise log-likelihood of time-covariance models: leave-one-out conditional densities.

    For each row, the density of ``y[i]`` given the other rows of its series
    (``log_lik_gaussian_time`` / ``log_lik_student_time`` in brms). Returns
    None for models without such a structure.
    """
    parts = _time_cov_parts(ctx, t, dp, "log_lik")
    if parts is None:
        return None
    ac, mu, sigma, nu, cp, lay = parts
    if lay.order is not None:
        y = np.asarray(y, dtype=float)[lay.order]
    out = np.empty(mu.shape)
    for b, e in zip(lay.begin, lay.end):
        C = _series_cov(ac, cp, sigma, b, e, lay.jtime)
        Cinv = np.linalg.inv(C)
        res = y[None, b:e] - mu[:, b:e]
        g = np.einsum("sij,sj->si", Cinv, res)
        cbar = np.einsum("sii->si", Cinv)
        yloo = y[None, b:e] - g / cbar
        if nu is None:
            out[:, b:e] = stats.norm.logpdf(y[None, b:e], yloo, np.sqrt(1 / cbar))
            continue
        n = e - b
        q = np.einsum("si,si->s", res, g)[:, None]
        beta1 = q - g**2 / cbar  # e_{-i}' C_{-i,-i}^{-1} e_{-i}
        df = nu[:, None]
        scale = np.sqrt(1 / cbar * (df + beta1) / (df + n - 1))
        out[:, b:e] = stats.t.logpdf(y[None, b:e], df + n - 1, yloo, scale)
    return lay.unsort(out)


def time_cov_predict(ctx, t: "BrmsTerms", dp: dict[str, Any], rng: np.random.Generator) -> np.ndarray | None:
    """Posterior predictive draws of time-covariance models (one multivariate draw per series and posterior draw)
    and of ARMA forecasts on new data (:func:`arma_forecast_predict`); None for other models."""
    if (paths := arma_forecast_predict(ctx, t, dp, rng)) is not None:  # ARMA forecasts of unknown responses
        return paths
    parts = None if not ctx.incl_autocor else _time_cov_parts(ctx, t, dp, "posterior_predict")
    if parts is None:
        return None
    ac, mu, sigma, nu, cp, lay = parts
    out = np.empty(mu.shape)
    for b, e in zip(lay.begin, lay.end):
        L = np.linalg.cholesky(_series_cov(ac, cp, sigma, b, e, lay.jtime))
        z = rng.standard_normal((mu.shape[0], e - b))
        draw = np.einsum("sij,sj->si", L, z)
        if nu is not None:  # multivariate t: one chi-square mixing weight per series
            draw = draw * np.sqrt(nu / rng.chisquare(nu))[:, None]
        out[:, b:e] = mu[:, b:e] + draw
    return lay.unsort(out)


def time_cov_series_log_lik(ctx: PredictionContext, t: "BrmsTerms", dp: dict[str, Any]) -> np.ndarray:
    """Joint log density of each series of a time-covariance model on its fitted data, (draws, series).

    The sum over series is the model's log-likelihood (what Stan adds to ``target``).
    """
    parts = _time_cov_parts(ctx, t, dp, "series_log_lik")
    if parts is None:
        raise DataError("series_log_lik() is for models with cosy() or a covariance ARMA structure (cov = TRUE).")
    ac, mu, sigma, nu, cp, lay = parts
    y = ctx.fit.frame.responses[t.resp].y.astype(float)
    cols = []
    for b, e in zip(lay.begin, lay.end):
        C = _series_cov(ac, cp, sigma, b, e, lay.jtime)
        res = y[None, b:e] - mu[:, b:e]
        _, logdet = np.linalg.slogdet(C)
        quad = np.einsum("si,si->s", res, np.linalg.solve(C, res[..., None])[..., 0])
        n = e - b
        if nu is None:
            cols.append(-0.5 * (n * math.log(2 * math.pi) + logdet + quad))
        else:
            cols.append(gammaln((nu + n) / 2) - gammaln(nu / 2) - 0.5 * n * np.log(nu * math.pi) - 0.5 * logdet
                        - (nu + n) / 2 * np.log1p(quad / nu))
    return np.column_stack(cols)
