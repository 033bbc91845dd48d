"""Each family's log-likelihood, expected value and random draws, in numpy.

These are what brms computes outside Stan after sampling (``log_lik``,
``posterior_epred``, ``posterior_predict``).  Every function takes the
distributional parameters on the response scale as arrays broadcastable to
(draws, observations), plus the observation-level extras (trials).
Adding a family means adding one :class:`FamilyMath` entry here.

Examples
--------
>>> import numpy as np
>>> FAMILY_MATH["poisson"].epred({"mu": np.array([[2.0]])}, Extras()).item()
2.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import special, stats

Dpars = dict[str, np.ndarray]


@dataclass(frozen=True)
class Extras:
    """Observation-level data besides the response (trials of binomial models)."""

    trials: np.ndarray | None = None


@dataclass(frozen=True)
class FamilyMath:
    loglik: Callable[[np.ndarray, Dpars, Extras], np.ndarray]
    epred: Callable[[Dpars, Extras], np.ndarray]
    rng: Callable[[Dpars, Extras, np.random.Generator], np.ndarray]


def _weibull_scale(dp: Dpars) -> np.ndarray:
    # brms parametrises the weibull by its mean mu
    return dp["mu"] / special.gamma(1 + 1 / dp["shape"])


FAMILY_MATH: dict[str, FamilyMath] = {
    "gaussian": FamilyMath(
        lambda y, dp, ex: stats.norm.logpdf(y, dp["mu"], dp["sigma"]),
        lambda dp, ex: dp["mu"],
        lambda dp, ex, rng: rng.normal(dp["mu"], dp["sigma"]),
    ),
    "student": FamilyMath(
        lambda y, dp, ex: stats.t.logpdf(y, dp["nu"], dp["mu"], dp["sigma"]),
        lambda dp, ex: dp["mu"],
        lambda dp, ex, rng: dp["mu"] + dp["sigma"] * rng.standard_t(np.broadcast_to(dp["nu"], np.broadcast(dp["mu"], dp["sigma"], dp["nu"]).shape)),
    ),
    "bernoulli": FamilyMath(
        lambda y, dp, ex: np.where(y == 1, np.log(dp["mu"]), np.log1p(-dp["mu"])),
        lambda dp, ex: dp["mu"],
        lambda dp, ex, rng: rng.binomial(1, dp["mu"]),
    ),
    "binomial": FamilyMath(
        lambda y, dp, ex: stats.binom.logpmf(y, ex.trials, dp["mu"]),
        lambda dp, ex: ex.trials * dp["mu"],
        lambda dp, ex, rng: rng.binomial(np.broadcast_to(ex.trials, dp["mu"].shape), dp["mu"]),
    ),
    "poisson": FamilyMath(
        lambda y, dp, ex: stats.poisson.logpmf(y, dp["mu"]),
        lambda dp, ex: dp["mu"],
        lambda dp, ex, rng: rng.poisson(dp["mu"]),
    ),
    "negbinomial": FamilyMath(
        lambda y, dp, ex: stats.nbinom.logpmf(y, dp["shape"], dp["shape"] / (dp["shape"] + dp["mu"])),
        lambda dp, ex: dp["mu"],
        lambda dp, ex, rng: rng.negative_binomial(
            np.broadcast_to(dp["shape"], dp["mu"].shape), dp["shape"] / (dp["shape"] + dp["mu"])
        ),
    ),
    "gamma": FamilyMath(
        lambda y, dp, ex: stats.gamma.logpdf(y, dp["shape"], scale=dp["mu"] / dp["shape"]),
        lambda dp, ex: dp["mu"],
        lambda dp, ex, rng: rng.gamma(np.broadcast_to(dp["shape"], dp["mu"].shape), dp["mu"] / dp["shape"]),
    ),
    "lognormal": FamilyMath(
        lambda y, dp, ex: stats.lognorm.logpdf(y, dp["sigma"], scale=np.exp(dp["mu"])),
        lambda dp, ex: np.exp(dp["mu"] + dp["sigma"] ** 2 / 2),
        lambda dp, ex, rng: rng.lognormal(dp["mu"], dp["sigma"]),
    ),
    "beta": FamilyMath(
        lambda y, dp, ex: stats.beta.logpdf(y, dp["mu"] * dp["phi"], (1 - dp["mu"]) * dp["phi"]),
        lambda dp, ex: dp["mu"],
        lambda dp, ex, rng: rng.beta(dp["mu"] * dp["phi"], (1 - dp["mu"]) * dp["phi"]),
    ),
    "weibull": FamilyMath(
        lambda y, dp, ex: stats.weibull_min.logpdf(y, dp["shape"], scale=_weibull_scale(dp)),
        lambda dp, ex: dp["mu"],
        lambda dp, ex, rng: _weibull_scale(dp) * rng.weibull(np.broadcast_to(dp["shape"], dp["mu"].shape)),
    ),
    "exponential": FamilyMath(
        lambda y, dp, ex: stats.expon.logpdf(y, scale=dp["mu"]),
        lambda dp, ex: dp["mu"],
        lambda dp, ex, rng: rng.exponential(dp["mu"]),
    ),
}
