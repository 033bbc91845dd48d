"""Zero-inflated, zero-one-inflated and hurdle families, parametrised as in brms.

Zero-inflated families mix a point mass at zero (probability ``zi``) with a base
distribution that can itself produce zeros::

    p(0) = zi + (1 - zi) * f(0),    p(y) = (1 - zi) * f(y)  for y != 0

Hurdle families produce zeros *only* through the hurdle (probability ``hu``)
and otherwise draw from the base distribution truncated to positive values::

    p(0) = hu,    p(y) = (1 - hu) * f(y) / (1 - F(0))  for y > 0

(for continuous bases ``F(0) = 0``).  The zero-one-inflated beta has point
masses at 0 and 1: ``p(1) = zoi * coi``, ``p(0) = zoi * (1 - coi)`` and
``(1 - zoi) * beta(mu, phi)`` in between.  As in brms, the log-likelihood of a
zero (or one) of a continuous family is the log of its point mass.

Each family is one :func:`register` call naming its Stan functions (scalar
lpmf/lpdf used row by row, plus a form on the log/logit scale of ``mu`` for the
canonical link; the text is in ``templates/functions/<name>.stan``) and holding its
numpy log-likelihood, expected value and random draws.
"""

from __future__ import annotations

import numpy as np

from ..core.lazy import lazy_module
from ..core.templates import StanFunction
from .continuous import REAL_LINKS, asym_laplace_epred, asym_laplace_loglik, asym_laplace_rng
from .core import Dpars, Extras, FamilyMath, FamilySpec, Likelihood, args_of, family_function, register

stats = lazy_module("scipy.stats")  # imported at first use: brmspy.core.lazy

COUNT_LINKS = ("log", "identity", "sqrt", "softplus", "squareplus")
PROB_LINKS = ("logit", "probit", "probit_approx", "cloglog", "cauchit", "softit", "identity", "log")
POS_LINKS = ("log", "identity", "inverse", "softplus", "squareplus")

NEGBIN_SHAPE_PRIOR = {"shape": "inv_gamma(0.4, 0.3)"}

# -------------------------------------------------------------- numpy math


def _shape(dp: Dpars, ex: Extras) -> tuple[int, ...]:
    """Broadcast shape of all dpars (and trials) for random draws."""
    arrays = [np.asarray(v) for v in dp.values()]
    if ex.trials is not None:
        arrays.append(np.asarray(ex.trials))
    return np.broadcast_shapes(*(a.shape for a in arrays))


def _b(x: np.ndarray | float, shape: tuple[int, ...]) -> np.ndarray:
    return np.broadcast_to(np.asarray(x), shape)


def _zi_loglik(y: np.ndarray, zi: np.ndarray, logf_y: np.ndarray, logf_0: np.ndarray) -> np.ndarray:
    """log p(y) of a zero-inflated distribution from the base log pmf at y and at 0."""
    zero = np.logaddexp(np.log(zi), np.log1p(-zi) + logf_0)
    return np.where(y == 0, zero, np.log1p(-zi) + logf_y)


def _hu_loglik(y: np.ndarray, hu: np.ndarray, logf_pos: np.ndarray, log_norm: np.ndarray | float = 0.0) -> np.ndarray:
    """log p(y) of a hurdle distribution; ``logf_pos - log_norm`` is the truncated base log density."""
    return np.where(y == 0, np.log(hu), np.log1p(-hu) + logf_pos - log_norm)


def _positive(y: np.ndarray, fill: float = 1.0) -> np.ndarray:
    """``y`` with zeros replaced, so a base log density is finite where its value is discarded."""
    return np.where(y > 0, y, fill)


def _inflate(base: np.ndarray, prob: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Set draws to zero with probability ``prob`` (zero inflation or hurdle)."""
    base = np.asarray(base, dtype=float)
    return np.where(rng.random(base.shape) < prob, 0.0, base)


def _truncated_discrete(dist, p0: np.ndarray, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Draws of a discrete scipy distribution truncated to y >= 1, by inversion of its cdf."""
    u = p0 + rng.random(shape) * (1 - p0)
    return np.maximum(dist.ppf(u), 1.0)


def _nb(mu: np.ndarray, shape: np.ndarray):
    """scipy negative binomial with brms's mean/shape parametrisation."""
    return stats.nbinom(shape, shape / (shape + mu))


def _beta_logpdf(y: np.ndarray, dp: Dpars) -> np.ndarray:
    return stats.beta.logpdf(y, dp["mu"] * dp["phi"], (1 - dp["mu"]) * dp["phi"])


# zero-inflated count families


def _zip_loglik(y: np.ndarray, dp: Dpars, ex: Extras) -> np.ndarray:
    mu = dp["mu"]
    return _zi_loglik(y, dp["zi"], stats.poisson.logpmf(y, mu), -mu)


def _zip_rng(dp: Dpars, ex: Extras, rng: np.random.Generator) -> np.ndarray:
    s = _shape(dp, ex)
    return _inflate(rng.poisson(_b(dp["mu"], s)), dp["zi"], rng)


def _zinb_loglik(y: np.ndarray, dp: Dpars, ex: Extras) -> np.ndarray:
    nb = _nb(dp["mu"], dp["shape"])
    return _zi_loglik(y, dp["zi"], nb.logpmf(y), nb.logpmf(0))


def _zinb_rng(dp: Dpars, ex: Extras, rng: np.random.Generator) -> np.ndarray:
    s = _shape(dp, ex)
    mu, shape = _b(dp["mu"], s), _b(dp["shape"], s)
    return _inflate(rng.negative_binomial(shape, shape / (shape + mu)), dp["zi"], rng)


def _zibin_loglik(y: np.ndarray, dp: Dpars, ex: Extras) -> np.ndarray:
    n, p = ex.trials, dp["mu"]
    return _zi_loglik(y, dp["zi"], stats.binom.logpmf(y, n, p), n * np.log1p(-p))


def _zibin_rng(dp: Dpars, ex: Extras, rng: np.random.Generator) -> np.ndarray:
    s = _shape(dp, ex)
    return _inflate(rng.binomial(_b(ex.trials, s), _b(dp["mu"], s)), dp["zi"], rng)


def _zibb_loglik(y: np.ndarray, dp: Dpars, ex: Extras) -> np.ndarray:
    a, b = dp["mu"] * dp["phi"], (1 - dp["mu"]) * dp["phi"]
    return _zi_loglik(y, dp["zi"], stats.betabinom.logpmf(y, ex.trials, a, b),
                      stats.betabinom.logpmf(0, ex.trials, a, b))


def _zibb_rng(dp: Dpars, ex: Extras, rng: np.random.Generator) -> np.ndarray:
    s = _shape(dp, ex)
    mu, phi = _b(dp["mu"], s), _b(dp["phi"], s)
    p = rng.beta(mu * phi, (1 - mu) * phi)
    return _inflate(rng.binomial(_b(ex.trials, s), p), dp["zi"], rng)


# beta families with point masses


def _zibeta_loglik(y: np.ndarray, dp: Dpars, ex: Extras) -> np.ndarray:
    return np.where(y == 0, np.log(dp["zi"]), np.log1p(-dp["zi"]) + _beta_logpdf(_positive(y, 0.5), dp))


def _zibeta_rng(dp: Dpars, ex: Extras, rng: np.random.Generator) -> np.ndarray:
    s = _shape(dp, ex)
    mu, phi = _b(dp["mu"], s), _b(dp["phi"], s)
    return _inflate(rng.beta(mu * phi, (1 - mu) * phi), dp["zi"], rng)


def _zoib_loglik(y: np.ndarray, dp: Dpars, ex: Extras) -> np.ndarray:
    zoi, coi = dp["zoi"], dp["coi"]
    inner = np.where((y > 0) & (y < 1), y, 0.5)
    return np.where(
        y == 0, np.log(zoi) + np.log1p(-coi),
        np.where(y == 1, np.log(zoi) + np.log(coi), np.log1p(-zoi) + _beta_logpdf(inner, dp)),
    )


def _zoib_epred(dp: Dpars, ex: Extras) -> np.ndarray:
    return dp["zoi"] * dp["coi"] + (1 - dp["zoi"]) * dp["mu"]


def _zoib_rng(dp: Dpars, ex: Extras, rng: np.random.Generator) -> np.ndarray:
    s = _shape(dp, ex)
    mu, phi = _b(dp["mu"], s), _b(dp["phi"], s)
    beta = rng.beta(mu * phi, (1 - mu) * phi)
    ones = (rng.random(s) < dp["coi"]).astype(float)
    return np.where(rng.random(s) < dp["zoi"], ones, beta)


# hurdle families


def _hp_loglik(y: np.ndarray, dp: Dpars, ex: Extras) -> np.ndarray:
    mu = dp["mu"]
    # log(1 - P(0)) = log(-expm1(-mu))
    return _hu_loglik(y, dp["hu"], stats.poisson.logpmf(y, mu), np.log(-np.expm1(-mu)))


def _hp_epred(dp: Dpars, ex: Extras) -> np.ndarray:
    return (1 - dp["hu"]) * dp["mu"] / -np.expm1(-dp["mu"])


def _hp_rng(dp: Dpars, ex: Extras, rng: np.random.Generator) -> np.ndarray:
    s = _shape(dp, ex)
    mu = _b(dp["mu"], s)
    return _inflate(_truncated_discrete(stats.poisson(mu), np.exp(-mu), s, rng), dp["hu"], rng)


def _nb_p0_log(mu: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """log P(y = 0) of the negative binomial: shape * log(shape / (shape + mu))."""
    return shape * (np.log(shape) - np.log(shape + mu))


def _hnb_loglik(y: np.ndarray, dp: Dpars, ex: Extras) -> np.ndarray:
    mu, shape = dp["mu"], dp["shape"]
    log_norm = np.log(-np.expm1(_nb_p0_log(mu, shape)))
    return _hu_loglik(y, dp["hu"], _nb(mu, shape).logpmf(y), log_norm)


def _hnb_epred(dp: Dpars, ex: Extras) -> np.ndarray:
    return (1 - dp["hu"]) * dp["mu"] / -np.expm1(_nb_p0_log(dp["mu"], dp["shape"]))


def _hnb_rng(dp: Dpars, ex: Extras, rng: np.random.Generator) -> np.ndarray:
    s = _shape(dp, ex)
    mu, shape = _b(dp["mu"], s), _b(dp["shape"], s)
    draws = _truncated_discrete(_nb(mu, shape), np.exp(_nb_p0_log(mu, shape)), s, rng)
    return _inflate(draws, dp["hu"], rng)


def _hgamma_loglik(y: np.ndarray, dp: Dpars, ex: Extras) -> np.ndarray:
    mu, shape = dp["mu"], dp["shape"]
    return _hu_loglik(y, dp["hu"], stats.gamma.logpdf(_positive(y), shape, scale=mu / shape))


def _hgamma_rng(dp: Dpars, ex: Extras, rng: np.random.Generator) -> np.ndarray:
    s = _shape(dp, ex)
    mu, shape = _b(dp["mu"], s), _b(dp["shape"], s)
    return _inflate(rng.gamma(shape, mu / shape), dp["hu"], rng)


def _hln_loglik(y: np.ndarray, dp: Dpars, ex: Extras) -> np.ndarray:
    return _hu_loglik(y, dp["hu"], stats.lognorm.logpdf(_positive(y), dp["sigma"], scale=np.exp(dp["mu"])))


def _hln_rng(dp: Dpars, ex: Extras, rng: np.random.Generator) -> np.ndarray:
    s = _shape(dp, ex)
    return _inflate(rng.lognormal(_b(dp["mu"], s), _b(dp["sigma"], s)), dp["hu"], rng)


# ----------------------------------------------------------------- families

register(FamilySpec(
    "zero_inflated_poisson", ("mu", "zi"), COUNT_LINKS, "count",
    Likelihood("zero_inflated_poisson", args_of("mu", "zi"), "lpmf"),
    canonical={"log": Likelihood("zero_inflated_poisson_log", args_of("mu", "zi"), "lpmf")},
    description="zero-inflated poisson distribution (counts with excess zeros)",
    math=FamilyMath(_zip_loglik, lambda dp, ex: (1 - dp["zi"]) * dp["mu"], _zip_rng),
    stan_functions=(StanFunction("zero_inflated_poisson"),), pointwise=True,
))

register(FamilySpec(
    "zero_inflated_negbinomial", ("mu", "shape", "zi"), COUNT_LINKS, "count",
    Likelihood("zero_inflated_neg_binomial", args_of("mu", "shape", "zi"), "lpmf"),
    canonical={"log": Likelihood("zero_inflated_neg_binomial_log", args_of("mu", "shape", "zi"), "lpmf")},
    dpar_priors=NEGBIN_SHAPE_PRIOR,
    description="zero-inflated negative binomial distribution (overdispersed counts with excess zeros)",
    math=FamilyMath(_zinb_loglik, lambda dp, ex: (1 - dp["zi"]) * dp["mu"], _zinb_rng),
    stan_functions=(StanFunction("zero_inflated_neg_binomial"),), pointwise=True,
))

register(FamilySpec(
    "zero_inflated_binomial", ("mu", "zi"), PROB_LINKS, "count",
    Likelihood("zero_inflated_binomial", args_of("mu", "zi"), "lpmf"),
    canonical={"logit": Likelihood("zero_inflated_binomial_blogit", args_of("mu", "zi"), "lpmf")},
    needs_trials=True,
    description="zero-inflated binomial distribution (successes out of trials with excess zeros)",
    math=FamilyMath(_zibin_loglik, lambda dp, ex: (1 - dp["zi"]) * ex.trials * dp["mu"], _zibin_rng),
    stan_functions=(StanFunction("zero_inflated_binomial"),), pointwise=True,
))

register(FamilySpec(
    "zero_inflated_beta_binomial", ("mu", "phi", "zi"), PROB_LINKS, "count",
    Likelihood("zero_inflated_beta_binomial", args_of("mu", "phi", "zi"), "lpmf"),
    needs_trials=True,
    description="zero-inflated beta-binomial distribution (overdispersed successes out of trials, excess zeros)",
    math=FamilyMath(_zibb_loglik, lambda dp, ex: (1 - dp["zi"]) * ex.trials * dp["mu"], _zibb_rng),
    stan_functions=(StanFunction("zero_inflated_beta_binomial"),), pointwise=True,
))

register(FamilySpec(
    "zero_inflated_beta", ("mu", "phi", "zi"), PROB_LINKS, "unit_zero",
    Likelihood("zero_inflated_beta", args_of("mu", "phi", "zi")),
    description="zero-inflated beta distribution (proportions in [0, 1))",
    math=FamilyMath(_zibeta_loglik, lambda dp, ex: (1 - dp["zi"]) * dp["mu"], _zibeta_rng),
    stan_functions=(StanFunction("zero_inflated_beta"),), pointwise=True,
))

register(FamilySpec(
    "zero_one_inflated_beta", ("mu", "phi", "zoi", "coi"), PROB_LINKS, "unit_closed",
    Likelihood("zero_one_inflated_beta", args_of("mu", "phi", "zoi", "coi")),
    description="zero-one-inflated beta distribution (proportions in [0, 1])",
    math=FamilyMath(_zoib_loglik, _zoib_epred, _zoib_rng),
    stan_functions=(StanFunction("zero_one_inflated_beta"),), pointwise=True,
))

register(FamilySpec(
    "hurdle_poisson", ("mu", "hu"), COUNT_LINKS, "count",
    Likelihood("hurdle_poisson", args_of("mu", "hu"), "lpmf"),
    canonical={"log": Likelihood("hurdle_poisson_log", args_of("mu", "hu"), "lpmf")},
    description="hurdle poisson distribution (zeros from a hurdle, zero-truncated poisson otherwise)",
    math=FamilyMath(_hp_loglik, _hp_epred, _hp_rng),
    stan_functions=(StanFunction("hurdle_poisson"),), pointwise=True,
))

register(FamilySpec(
    "hurdle_negbinomial", ("mu", "shape", "hu"), COUNT_LINKS, "count",
    Likelihood("hurdle_neg_binomial", args_of("mu", "shape", "hu"), "lpmf"),
    canonical={"log": Likelihood("hurdle_neg_binomial_log", args_of("mu", "shape", "hu"), "lpmf")},
    dpar_priors=NEGBIN_SHAPE_PRIOR,
    description="hurdle negative binomial distribution (zeros from a hurdle, zero-truncated negative binomial)",
    math=FamilyMath(_hnb_loglik, _hnb_epred, _hnb_rng),
    stan_functions=(StanFunction("hurdle_neg_binomial"),), pointwise=True,
))

register(FamilySpec(
    "hurdle_gamma", ("mu", "shape", "hu"), POS_LINKS, "nonnegative",
    Likelihood("hurdle_gamma", args_of("mu", "shape", "hu")),
    description="hurdle gamma distribution (non-negative values with exact zeros)",
    math=FamilyMath(_hgamma_loglik, lambda dp, ex: (1 - dp["hu"]) * dp["mu"], _hgamma_rng),
    stan_functions=(StanFunction("hurdle_gamma"),), pointwise=True,
))

register(FamilySpec(
    "hurdle_lognormal", ("mu", "sigma", "hu"), ("identity", "inverse"), "nonnegative",
    Likelihood("hurdle_lognormal", args_of("mu", "sigma", "hu")),
    scale_prior_logscale=True,
    description="hurdle lognormal distribution (non-negative values with exact zeros)",
    math=FamilyMath(_hln_loglik, lambda dp, ex: (1 - dp["hu"]) * np.exp(dp["mu"] + dp["sigma"] ** 2 / 2), _hln_rng),
    stan_functions=(StanFunction("hurdle_lognormal"),), pointwise=True,
))



def _zial_loglik(y: np.ndarray, dp: Dpars, ex: Extras) -> np.ndarray:
    # brms: a zero has the log of the point mass alone (the continuous part has no mass at 0)
    zi = np.asarray(dp["zi"], dtype=float)
    return np.where(y == 0, np.log(zi), np.log1p(-zi) + asym_laplace_loglik(y, dp, ex))


def _zial_rng(dp: Dpars, ex: Extras, rng: np.random.Generator) -> np.ndarray:
    return _inflate(asym_laplace_rng(dp, ex, rng), dp["zi"], rng)


register(FamilySpec(
    "zero_inflated_asym_laplace", ("mu", "sigma", "quantile", "zi"), REAL_LINKS, "real",
    Likelihood("zero_inflated_asym_laplace", args_of("mu", "sigma", "quantile", "zi")),
    description="zero-inflated asymmetric Laplace distribution (quantile regression with exact zeros)",
    math=FamilyMath(_zial_loglik, lambda dp, ex: (1 - dp["zi"]) * asym_laplace_epred(dp, ex), _zial_rng),
    stan_functions=(StanFunction("asym_laplace"), StanFunction("zero_inflated_asym_laplace")), pointwise=True,
))

zero_inflated_asym_laplace = family_function("zero_inflated_asym_laplace")
zero_inflated_poisson = family_function("zero_inflated_poisson")
zero_inflated_negbinomial = family_function("zero_inflated_negbinomial")
zero_inflated_binomial = family_function("zero_inflated_binomial")
zero_inflated_beta_binomial = family_function("zero_inflated_beta_binomial")
zero_inflated_beta = family_function("zero_inflated_beta")
zero_one_inflated_beta = family_function("zero_one_inflated_beta")
hurdle_poisson = family_function("hurdle_poisson")
hurdle_negbinomial = family_function("hurdle_negbinomial")
hurdle_gamma = family_function("hurdle_gamma")
hurdle_lognormal = family_function("hurdle_lognormal")

__all__ = [
    "zero_inflated_asym_laplace", "hurdle_gamma", "hurdle_lognormal", "hurdle_negbinomial", "hurdle_poisson", "zero_inflated_beta",
    "zero_inflated_beta_binomial", "zero_inflated_binomial", "zero_inflated_negbinomial", "zero_inflated_poisson",
    "zero_one_inflated_beta",
]
