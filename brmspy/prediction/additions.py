"""Predictions with addition terms: censored/truncated log-likelihoods, truncated draws and means, se and rate.

The addition data of the rows predicted come from ``ctx.rows.additions(t, purpose)``
(:func:`brmspy.frame.additions.new_data_additions` on new data).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..core.errors import BrmsWarning, warn
from ..families import FAMILIES, Extras, FamilyMath
from ..families.cdf import CDFS
from ..families.cdf_base import CdfMath, log_diff_exp
from ..families.mixture import component_dpars, theta_values
from ..families.trunc_mean import has_truncated_mean, truncated_mean
from ..formula.terms import BrmsTerms
from ..frame.additions import SE_COMPONENTS
from ..frame.types import AdditionData, ResponseData


def effective_dpars(t: "BrmsTerms", adds: AdditionData, dp: dict) -> tuple[dict, "FamilyMath", "CdfMath | None"]:
    """Fold ``se`` and ``rate`` into the dpars; also return the math and CDFs to use.

    ``se``: ``sigma`` becomes ``sqrt(sigma^2 + se^2)`` (``se`` when sigma is fixed at 0).
    ``rate``: ``mu`` is multiplied by the denominator and, as in brms's Stan code,
    so is the negative binomial shape (``1 / sigma`` of negbinomial2, ``1`` of
    geometric, which then is a negative binomial with shape ``denom``).
    """
    name = t.family.name
    dp = dict(dp)
    if adds.se is not None:
        dp["sigma"] = np.sqrt(np.asarray(dp["sigma"], dtype=float) ** 2 + adds.se[None, :] ** 2)
    if adds.denom is not None:
        d = adds.denom[None, :]
        dp["mu"] = dp["mu"] * d
        if name == "negbinomial":
            dp["shape"] = dp["shape"] * d
        elif name == "negbinomial2":
            dp["sigma"] = dp["sigma"] / d
        elif name == "geometric":
            dp["shape"] = np.broadcast_to(d, np.broadcast(dp["mu"], d).shape)
            name = "negbinomial"
    return dp, FAMILIES[name].math, CDFS.get(name)


def _columns(x, idx: np.ndarray, n: int):
    """Restrict an array broadcastable to (draws, n) to the columns ``idx``."""
    x = np.asarray(x)
    return x[..., idx] if x.ndim and x.shape[-1] == n else x


def _subset(dp: dict, ex: "Extras", idx: np.ndarray, n: int):
    sub = {k: _columns(v, idx, n) for k, v in dp.items()}
    trials = None if ex.trials is None else _columns(ex.trials, idx, n)
    dec = None if ex.dec is None else _columns(ex.dec, idx, n)
    return sub, replace(ex, trials=trials, dec=dec)


def _components(t: "BrmsTerms") -> tuple | None:
    """The component families of a mixture (None for other families)."""
    return getattr(t.family, "components", None)


def _stack(parts: list[np.ndarray]) -> np.ndarray:
    shape = np.broadcast_shapes(*(np.shape(p) for p in parts))
    return np.stack([np.broadcast_to(p, shape) for p in parts], axis=-1)


def _mixture_parts(t: "BrmsTerms", dp: dict, adds: AdditionData | None = None):
    """(component family, its dpars, its log mixing proportion) for each mixture component.

    With ``se()`` the standard errors replace each gaussian/student/skew_normal component's sigma (with
    ``sigma = TRUE`` they combine: ``sqrt(sigma<k>^2 + se^2)``), as in brms 2.18's program.
    """
    fam = t.family
    theta = theta_values(fam, dp)
    with np.errstate(divide="ignore"):
        log_theta = np.log(theta)
    out = [(c, component_dpars(fam, dp, k), log_theta[..., k - 1]) for k, c in enumerate(fam.components, start=1)]
    if adds is not None and adds.se is not None:
        for c, cdp, _ in out:
            if c.name in SE_COMPONENTS:  # se(sigma = TRUE): sqrt(sigma<k>^2 + se^2)
                cdp["sigma"] = (np.sqrt(np.asarray(cdp["sigma"], dtype=float) ** 2 + adds.se[None, :] ** 2)
                                if adds.se_sigma else adds.se[None, :])
    return out


def addition_loglik(t: "BrmsTerms", rd: "ResponseData", dp: dict, ex: "Extras") -> np.ndarray:
    """Pointwise log-likelihood (draws × observations, unweighted) with cens/trunc/se/rate applied.

    Equals the Stan model's likelihood term by term: censored rows use the log
    CDF or CCDF, truncated rows are normalised by the probability of the bounds.
    Mixtures censor and truncate each component, as brms:
    ``log_sum_exp_k(log theta_k + component term_k)``.
    """
    from scipy.special import logsumexp


    adds: AdditionData = rd.adds
    y = rd.y.astype(float)
    if (comps := _components(t)) is not None:
        parts = [log_theta + _loglik(c.spec.is_discrete, c.spec.math, CDFS[c.name], adds, cdp, ex, y)
                 for c, cdp, log_theta in _mixture_parts(t, dp, adds)]
        return logsumexp(_stack(parts), axis=-1)
    dp, math, cdf = effective_dpars(t, adds, dp)
    return _loglik(t.family.spec.is_discrete, math, cdf, adds, dp, ex, y)


def _loglik(discrete: bool, math: "FamilyMath", cdf: "CdfMath", adds: AdditionData, dp: dict, ex: "Extras",
            y: np.ndarray) -> np.ndarray:
    n = len(y)
    S = max(np.shape(v)[0] for v in dp.values() if np.ndim(v) >= 2)
    ll = np.empty((S, n))
    codes = adds.cens if adds.cens is not None else np.zeros(n, dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        for code in (0, 1, -1, 2):
            idx = np.flatnonzero(codes == code)
            if not idx.size:
                continue
            sub, sex = _subset(dp, ex, idx, n)
            yy = y[idx][None, :]
            if code == 0:
                part = math.loglik(yy, sub, sex)
            elif code == 1:
                part = cdf.lccdf(yy, sub, sex)
            elif code == -1:
                part = cdf.lcdf(yy, sub, sex)
            else:
                part = log_diff_exp(cdf.lcdf(adds.rcens[idx][None, :].astype(float), _at(sub, "rcens"), sex),
                                    cdf.lcdf(yy, sub, sex))
            ll[:, idx] = np.broadcast_to(part, (S, idx.size))
        if adds.truncated:
            ll = ll - _log_trunc_mass(discrete, cdf, dp, ex, adds.lb, adds.ub)
    return ll


def _log_trunc_mass(discrete: bool, cdf: "CdfMath", dp: dict, ex: "Extras", lb, ub) -> np.ndarray:
    """``log P(lb <= Y <= ub)`` as the Stan code computes it (``lb - 1`` for discrete families)."""
    lo = None if lb is None else (lb - 1 if discrete else lb)
    if lo is not None and ub is not None:
        return log_diff_exp(cdf.lcdf(ub[None, :].astype(float), _at(dp, "ub"), ex),
                            cdf.lcdf(lo[None, :].astype(float), _at(dp, "lb"), ex))
    if lo is not None:
        return cdf.lccdf(lo[None, :].astype(float), _at(dp, "lb"), ex)
    return cdf.lcdf(ub[None, :].astype(float), _at(dp, "ub"), ex)


def _at(dp: dict, at: str) -> dict:
    """The dpars at another time than the response: cox's cumulative hazard at y2 or a bound (``cbhaz_lb``)."""
    return {**dp, "cbhaz": dp[f"cbhaz_{at}"]} if f"cbhaz_{at}" in dp else dp


def _full(dp: dict) -> tuple[dict, int, int]:
    S, N = np.broadcast(*[np.asarray(v) for v in dp.values()]).shape[:2]
    return {k: np.broadcast_to(v, (S, N)) for k, v in dp.items()}, S, N


def addition_predict(t: "BrmsTerms", adds: AdditionData, dp: dict, ex: "Extras",
                     rng: np.random.Generator) -> np.ndarray:
    """Posterior predictive draws: se/rate folded in; truncated models draw within the bounds.

    Censoring does not change the draws (brms predicts the uncensored response).
    Truncated draws use the inverse CDF between ``F(lb)`` and ``F(ub)``, or
    rejection sampling for families without one (com_poisson); draws that
    cannot be placed within the bounds are NaN, with a warning, as in brms.
    Mixtures draw a component by its proportion, then a (truncated) value from it.
    """
    if (comps := _components(t)) is not None:
        parts = _mixture_parts(t, dp, adds)
        draws = [_predict(c.spec.is_discrete, c.spec.math, CDFS[c.name], adds, cdp, ex, rng) for c, cdp, _ in parts]
        stacked = _stack(draws)
        theta = np.exp(_stack([lt for _, _, lt in parts]))
        theta = np.broadcast_to(theta, stacked.shape)
        pick = np.minimum((rng.uniform(size=stacked.shape[:-1])[..., None] > np.cumsum(theta, axis=-1)).sum(axis=-1),
                          len(comps) - 1)
        return np.take_along_axis(stacked, pick[..., None], axis=-1)[..., 0]
    dp, math, cdf = effective_dpars(t, adds, dp)
    return _predict(t.family.spec.is_discrete, math, cdf, adds, dp, ex, rng)


def _predict(discrete: bool, math: "FamilyMath", cdf: "CdfMath", adds: AdditionData, dp: dict, ex: "Extras",
             rng: np.random.Generator) -> np.ndarray:
    dp, S, N = _full(dp)
    if not adds.truncated:
        return np.asarray(math.rng(dp, ex, rng), dtype=float)
    lb = np.full(N, -np.inf) if adds.lb is None else adds.lb.astype(float)
    ub = np.full(N, np.inf) if adds.ub is None else adds.ub.astype(float)
    out = np.full((S, N), np.nan)
    if cdf.ppf is not None:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            plo = np.exp(cdf.lcdf((lb - 1 if discrete else lb)[None, :], dp, ex)) if adds.lb is not None else 0.0
            phi = np.exp(cdf.lcdf(ub[None, :], dp, ex)) if adds.ub is not None else 1.0
            u = plo + rng.uniform(size=(S, N)) * (phi - plo)
            out = np.asarray(cdf.ppf(u, dp, ex), dtype=float)
        out = np.where(np.isfinite(out) | np.isinf(lb) | np.isinf(ub), np.clip(out, lb, ub), np.nan)
    todo = np.isnan(out)
    for _ in range(100):  # rejection sampling for the rest
        if not todo.any():
            break
        draws = np.asarray(math.rng(dp, ex, rng), dtype=float)
        ok = todo & (draws >= lb) & (draws <= ub)
        out[ok] = draws[ok]
        todo &= ~ok
    if todo.any():
        warn(f"{int(todo.sum())} predictive draws could not be placed within the truncation bounds; "
                      "they are NaN.", BrmsWarning)
    return out


def addition_epred(t: "BrmsTerms", adds: AdditionData, dp: dict, ex: "Extras") -> np.ndarray:
    """Expected values with rate (``mu * denom``) and truncation applied.

    Truncated models: the mean of the truncated distribution, by exact sums
    over the support for discrete families and closed forms or quadrature for
    continuous ones (:mod:`brmspy.families.trunc_mean`).  Mixtures average the
    components' (truncated) means with their proportions, as their Stan
    likelihood truncates each component.
    """
    if (comps := _components(t)) is not None:
        parts = _mixture_parts(t, dp, adds)
        means = [_epred(c.name, c.spec.is_discrete, c.spec.math, CDFS[c.name], adds, cdp, ex)
                 for c, cdp, _ in parts]
        theta = np.exp(_stack([lt for _, _, lt in parts]))
        return (theta * _stack(means)).sum(axis=-1)
    dp, math, cdf = effective_dpars(t, adds, dp)
    return _epred(t.family.name, t.family.spec.is_discrete, math, cdf, adds, dp, ex)


def _epred(name: str, discrete: bool, math: "FamilyMath", cdf: "CdfMath", adds: AdditionData, dp: dict,
           ex: "Extras") -> np.ndarray:
    epred = math.epred(dp, ex)
    if not adds.truncated:
        return epred
    dp, S, N = _full(dp)
    if discrete:
        return _discrete_trunc_mean(math, cdf, dp, ex, adds, np.broadcast_to(epred, (S, N)))
    if has_truncated_mean(name):
        return truncated_mean(name, dp, ex, adds.lb, adds.ub)
    warn(f"No truncated mean for family {name!r}: posterior_epred returns the untruncated mean.", BrmsWarning)
    return epred


def _discrete_trunc_mean(math, cdf, dp, ex, adds: AdditionData, mean: np.ndarray) -> np.ndarray:
    """``E[Y | lb <= Y <= ub]``: a sum over ``[lb, ub]``, or via the full mean when ``ub`` is infinite."""
    S, N = mean.shape
    lb = np.zeros(N, dtype=np.int64) if adds.lb is None else np.maximum(adds.lb, 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if adds.ub is not None:
            lo, hi = lb, adds.ub
            k_range = range(int(lo.min()), int(hi.max()) + 1)
        else:  # E[Y | Y >= lb] = (E[Y] - sum_{k < lb} k p(k)) / (1 - P(Y < lb))
            lo, hi = np.zeros(N, dtype=np.int64), lb - 1
            k_range = range(0, int(hi.max()) + 1)
        total = np.zeros((S, N))
        mass = np.zeros((S, N))
        for k in k_range:
            inside = (k >= lo) & (k <= hi)
            if not inside.any():
                continue
            p = np.exp(math.loglik(np.full((1, N), float(k)), dp, ex)) * inside[None, :]
            total += k * p
            mass += p
        if adds.ub is not None:
            return total / mass
        return (mean - total) / (1 - mass)
