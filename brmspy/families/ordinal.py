"""Ordinal families: cumulative, sratio, cratio, acat (brms's parametrisations).

The latent predictor ``mu`` has no intercept; thresholds ``Intercept[1..nthres]``
split its scale into ``ncat = nthres + 1`` categories, scaled by ``disc``.
With ``F`` the inverse link:

- cumulative: ``P(y <= k) = F(disc * (thres[k] - mu))``
- sratio (stopping ratio): ``P(y = k | y >= k) = F(disc * (thres[k] - mu))``
- cratio (continuation ratio): ``P(y > k | y >= k) = F(disc * (mu - thres[k]))``
- acat (adjacent category): ``P(y = k + 1) / P(y = k) = q / (1 - q)``, ``q = F(disc * (mu - thres[k]))``

Category-specific effects ``cs(x)`` shift every threshold separately
(``thres[k] - x * bcs[k]``); brms forbids them for cumulative models.
"""

from __future__ import annotations

import numpy as np

from ..core.lazy import lazy_module
from ..core.templates import StanFunction
from .core import LINKS, FamilyMath, FamilySpec, Likelihood, family_function, register
from .kinds import Ordinal

special = lazy_module("scipy.special")  # imported at first use: brmspy.core.lazy

ORDINAL_LINKS = ("logit", "probit", "probit_approx", "cloglog", "cauchit")
# cumulative, acat and hurdle_cumulative also take brms's softit link (sratio and cratio do not, in brms neither)
SOFTIT_ORDINAL_LINKS = (*ORDINAL_LINKS, "softit")
THRESHOLDS = ("flexible", "equidistant", "sum_to_zero")
_STAN_CDF = {"logit": "inv_logit", "probit": "Phi", "probit_approx": "Phi_approx", "cloglog": "inv_cloglog",
             "cauchit": "inv_cauchit", "softit": "inv_softit"}


def stan_function(family: str, link: str) -> StanFunction:
    """The Stan log-PMF ``<family>_<link>_lpmf(int y, real mu, real disc, vector thres)``
    (``templates/functions/<family>.stan.j2``)."""
    return StanFunction(family, (("inv_link", _STAN_CDF[link]), ("link", link)))


def hurdle_stan_function(link: str) -> StanFunction:
    """``hurdle_cumulative_<link>_lpmf``: category 0 from the hurdle, 1..ncat from a cumulative model."""
    return StanFunction("hurdle_cumulative", (("link", link),))


def category_probs(family: str, link: str, mu: np.ndarray, disc: np.ndarray, thres: np.ndarray) -> np.ndarray:
    """P(y = k) for k = 1..ncat, shaped (..., ncat); ``thres`` has the thresholds on its last axis."""
    F = LINKS[link].inv
    mu = np.asarray(mu)[..., None]
    disc = np.asarray(disc)[..., None]
    nthres = thres.shape[-1]
    if family == "cumulative":
        cdf = F(disc * (thres - mu))
        shape = np.broadcast(cdf, mu).shape[:-1]
        cdf = np.broadcast_to(cdf, (*shape, nthres))
        upper = np.concatenate([cdf, np.ones((*shape, 1))], axis=-1)
        lower = np.concatenate([np.zeros((*shape, 1)), cdf], axis=-1)
        return upper - lower
    if family == "sratio":
        stop = F(disc * (thres - mu))  # P(y = k | y >= k)
        go = 1 - stop
    elif family == "cratio":
        go = F(disc * (mu - thres))  # P(y > k | y >= k)
        stop = 1 - go
    else:  # acat
        q = F(disc * (mu - thres))
        shape = np.broadcast(q, mu).shape[:-1]
        q = np.broadcast_to(q, (*shape, nthres))
        lp = np.zeros((*shape, nthres + 1))
        with np.errstate(divide="ignore"):  # q = 0 at an infinite threshold (thres(gr = g) padding): P = 0
            for k in range(nthres):
                lp[..., k + 1 :] += np.log(q[..., k : k + 1])
                lp[..., : k + 1] += np.log1p(-q[..., k : k + 1])
        return np.exp(lp - special.logsumexp(lp, axis=-1, keepdims=True))
    shape = np.broadcast(stop, mu).shape[:-1]
    stop = np.broadcast_to(stop, (*shape, nthres))
    go = np.broadcast_to(go, (*shape, nthres))
    reach = np.concatenate([np.ones((*shape, 1)), np.cumprod(go, axis=-1)], axis=-1)  # P(y >= k)
    stop_full = np.concatenate([stop, np.ones((*shape, 1))], axis=-1)
    return reach * stop_full


def _math(family: str) -> FamilyMath:
    # dp carries "link" (str) and "thres" (..., nthres) besides mu and disc
    def probs(dp):
        return category_probs(family, dp["link"], dp["mu"], dp["disc"], dp["thres"])

    def loglik(y, dp, ex):
        p = probs(dp)
        y = np.broadcast_to(np.asarray(y, dtype=np.int64), p.shape[:-1])
        return np.log(np.take_along_axis(p, (y - 1)[..., None], axis=-1)[..., 0])

    def epred(dp, ex):
        return probs(dp)  # (draws, obs, ncat), as brms

    def rng(dp, ex, gen):
        p = probs(dp)
        u = gen.uniform(size=p.shape[:-1])[..., None]
        return (u > np.cumsum(p, axis=-1)).sum(axis=-1) + 1

    return FamilyMath(loglik, epred, rng)


def _hurdle_math() -> FamilyMath:
    # P(y = 0) = hu; P(y = k) = (1 - hu) * P_cumulative(k) for k = 1..ncat
    def probs(dp):
        p = category_probs("cumulative", dp["link"], dp["mu"], dp["disc"], dp["thres"])
        hu = np.broadcast_to(np.asarray(dp["hu"], dtype=float), p.shape[:-1])[..., None]
        return np.concatenate([hu, (1 - hu) * p], axis=-1)

    def loglik(y, dp, ex):
        p = probs(dp)
        y = np.broadcast_to(np.asarray(y, dtype=np.int64), p.shape[:-1])
        return np.log(np.take_along_axis(p, y[..., None], axis=-1)[..., 0])

    def rng(dp, ex, gen):
        p = probs(dp)
        u = gen.uniform(size=p.shape[:-1])[..., None]
        return (u > np.cumsum(p, axis=-1)).sum(axis=-1)

    def epred(dp, ex):
        return probs(dp)  # (draws, obs, ncat + 1): category 0 first, as brms

    return FamilyMath(loglik, epred, rng)


register(FamilySpec(
    "hurdle_cumulative", ("mu", "hu", "disc"), SOFTIT_ORDINAL_LINKS, "ordinal",
    Likelihood("hurdle_cumulative", lambda dp, ops: [], "lpmf"),
    description="hurdle cumulative ordinal model (category 0 from the hurdle, 1..ncat cumulative)",
    math=_hurdle_math(),
    # brms's "ordered_thres": cumulative thresholds are ordered; sratio, cratio and acat take unconstrained
    # thresholds (with cs() terms an ordering would truncate them)
    kind=Ordinal(ordered_thresholds=True, hurdle=True),
))
hurdle_cumulative = family_function("hurdle_cumulative")

for _name, _desc, _kind in (
    # cumulative: no cs() (brms: its thresholds could cross); Stan's ordered_logistic/_probit for plain models
    ("cumulative", "cumulative ordinal model", Ordinal(ordered_thresholds=True, allows_cs=False, builtin={
        "logit": "ordered_logistic", "probit": "ordered_probit"})),
    ("sratio", "stopping-ratio ordinal model", Ordinal()),
    ("cratio", "continuation-ratio ordinal model", Ordinal()),
    ("acat", "adjacent-category ordinal model", Ordinal(rows_macro={"logit": "acat_logit_rows"})),
):
    register(FamilySpec(
        _name, ("mu", "disc"), SOFTIT_ORDINAL_LINKS if _name in ("cumulative", "acat") else ORDINAL_LINKS, "ordinal",
        # the real likelihood is written by codegen/ordinal.py; this names the family's lpmf
        Likelihood(_name, lambda dp, ops: [], "lpmf"),
        description=_desc,
        math=_math(_name),
        kind=_kind,
    ))

cumulative = family_function("cumulative")
sratio = family_function("sratio")
cratio = family_function("cratio")
acat = family_function("acat")
