"""The basic families: gaussian, student, bernoulli, binomial, poisson, negbinomial,
gamma, lognormal, beta, weibull, exponential.

Each entry holds everything about one family in one place: dpars, links, the
response check, the Stan likelihood (with canonical-link and ``*_glm`` forms)
and the numpy log-likelihood, expected value and random draws.
"""

from __future__ import annotations

import numpy as np

from ..core.lazy import lazy_module
from .core import FamilyMath, FamilySpec, GlmForm, Likelihood, args_of, family_function, register

special = lazy_module("scipy.special")  # imported at first use: brmspy.core.lazy
stats = lazy_module("scipy.stats")  # imported at first use: brmspy.core.lazy

COUNT_LINKS = ("log", "identity", "sqrt", "softplus", "squareplus")
PROB_LINKS = ("logit", "probit", "probit_approx", "cloglog", "cauchit", "softit", "identity", "log")
POS_LINKS = ("log", "identity", "inverse", "softplus", "squareplus")
REAL_LINKS = ("identity", "log", "inverse", "softplus", "squareplus")
# gaussian and student (brms 2.18): also the links of probabilities
REAL_PROB_LINKS = (*REAL_LINKS, "logit", "probit", "probit_approx", "cloglog", "cauchit", "softit")


def _bcast(x, like):
    return np.broadcast_to(x, np.broadcast(x, like).shape)


def _norm_logpdf(y, mu, sigma):
    """``stats.norm.logpdf(y, mu, sigma)`` with scipy's arithmetic (bitwise equal) minus its generic
    argument handling, in place: several times faster on draws × rows arrays (loo at scale)."""
    sigma = np.asarray(sigma, dtype=float)
    z = np.asarray(np.subtract(y, mu, dtype=float))
    if z.shape != (shape := np.broadcast_shapes(z.shape, sigma.shape)):
        z = np.broadcast_to(z, shape).copy()
    z /= sigma
    np.square(z, out=z)
    z *= -0.5
    z -= np.log(2 * np.pi) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        z -= np.log(sigma)
    z = np.where(sigma > 0, z, np.nan) if np.any(sigma <= 0) else z
    return z[()] if z.ndim == 0 else z


register(FamilySpec(
    "gaussian", ("mu", "sigma"), REAL_PROB_LINKS, "real",
    Likelihood("normal", args_of("mu", "sigma")),
    glm={"identity": GlmForm("normal_id_glm", "lpdf", ("sigma",))},
    description="normal distribution",
    math=FamilyMath(
        lambda y, dp, ex: _norm_logpdf(y, dp["mu"], dp["sigma"]),
        lambda dp, ex: dp["mu"],
        lambda dp, ex, rng: rng.normal(dp["mu"], dp["sigma"]),
    ),
))

register(FamilySpec(
    "student", ("mu", "sigma", "nu"), REAL_PROB_LINKS, "real",
    Likelihood("student_t", args_of("nu", "mu", "sigma")),
    description="Student's t distribution",
    math=FamilyMath(
        lambda y, dp, ex: stats.t.logpdf(y, dp["nu"], dp["mu"], dp["sigma"]),
        lambda dp, ex: dp["mu"],
        lambda dp, ex, rng: dp["mu"] + dp["sigma"] * rng.standard_t(_bcast(dp["nu"], dp["mu"] * dp["sigma"])),
    ),
))

register(FamilySpec(
    "bernoulli", ("mu",), PROB_LINKS, "binary",
    Likelihood("bernoulli", args_of("mu"), "lpmf"),
    canonical={"logit": Likelihood("bernoulli_logit", args_of("mu"), "lpmf")},
    glm={"logit": GlmForm("bernoulli_logit_glm", "lpmf")},
    description="Bernoulli distribution (binary outcomes)",
    math=FamilyMath(
        lambda y, dp, ex: np.where(y == 1, np.log(dp["mu"]), np.log1p(-dp["mu"])),
        lambda dp, ex: dp["mu"],
        lambda dp, ex, rng: rng.binomial(1, dp["mu"]),
    ),
))

register(FamilySpec(
    "binomial", ("mu",), PROB_LINKS, "count",
    Likelihood("binomial", args_of("mu"), "lpmf"),
    canonical={"logit": Likelihood("binomial_logit", args_of("mu"), "lpmf")},
    glm={"logit": GlmForm("binomial_logit_glm", "lpmf")},
    needs_trials=True,
    data_constant="sum(lchoose(to_vector({trials}), to_vector({Y})))",
    description="binomial distribution (successes out of trials)",
    math=FamilyMath(
        lambda y, dp, ex: stats.binom.logpmf(y, ex.trials, dp["mu"]),
        lambda dp, ex: ex.trials * dp["mu"],
        lambda dp, ex, rng: rng.binomial(_bcast(ex.trials, dp["mu"]), dp["mu"]),
    ),
))

register(FamilySpec(
    "poisson", ("mu",), COUNT_LINKS, "count",
    Likelihood("poisson", args_of("mu"), "lpmf"),
    canonical={"log": Likelihood("poisson_log", args_of("mu"), "lpmf")},
    glm={"log": GlmForm("poisson_log_glm", "lpmf")},
    data_constant="-sum(lgamma(to_vector({Y}) + 1))",
    description="Poisson distribution (counts)",
    math=FamilyMath(
        lambda y, dp, ex: stats.poisson.logpmf(y, dp["mu"]),
        lambda dp, ex: dp["mu"],
        lambda dp, ex, rng: rng.poisson(dp["mu"]),
    ),
))

register(FamilySpec(
    "negbinomial", ("mu", "shape"), COUNT_LINKS, "count",
    Likelihood("neg_binomial_2", args_of("mu", "shape"), "lpmf"),
    canonical={"log": Likelihood("neg_binomial_2_log", args_of("mu", "shape"), "lpmf")},
    glm={"log": GlmForm("neg_binomial_2_log_glm", "lpmf", ("shape",), vector_extra=False)},
    dpar_priors={"shape": "inv_gamma(0.4, 0.3)"},
    description="negative binomial distribution (overdispersed counts)",
    math=FamilyMath(
        lambda y, dp, ex: stats.nbinom.logpmf(y, dp["shape"], dp["shape"] / (dp["shape"] + dp["mu"])),
        lambda dp, ex: dp["mu"],
        lambda dp, ex, rng: rng.negative_binomial(_bcast(dp["shape"], dp["mu"]), dp["shape"] / (dp["shape"] + dp["mu"])),
    ),
))

register(FamilySpec(
    "gamma", ("mu", "shape"), POS_LINKS, "positive",
    Likelihood("gamma", lambda dp, ops: [dp["shape"], ops.div(dp["shape"], dp["mu"])]),
    description="gamma distribution parametrised by its mean",
    math=FamilyMath(
        lambda y, dp, ex: stats.gamma.logpdf(y, dp["shape"], scale=dp["mu"] / dp["shape"]),
        lambda dp, ex: dp["mu"],
        lambda dp, ex, rng: rng.gamma(_bcast(dp["shape"], dp["mu"]), dp["mu"] / dp["shape"]),
    ),
))

register(FamilySpec(
    "lognormal", ("mu", "sigma"), ("identity", "inverse"), "positive",
    Likelihood("lognormal", args_of("mu", "sigma")),
    scale_prior_logscale=True,
    description="lognormal distribution",
    math=FamilyMath(
        lambda y, dp, ex: stats.lognorm.logpdf(y, dp["sigma"], scale=np.exp(dp["mu"])),
        lambda dp, ex: np.exp(dp["mu"] + dp["sigma"] ** 2 / 2),
        lambda dp, ex, rng: rng.lognormal(dp["mu"], dp["sigma"]),
    ),
))

register(FamilySpec(
    "beta", ("mu", "phi"), PROB_LINKS, "unit",
    Likelihood("beta", lambda dp, ops: [ops.mul(dp["mu"], dp["phi"]), ops.mul(ops.one_minus(dp["mu"]), dp["phi"])]),
    description="beta distribution parametrised by mean and precision",
    math=FamilyMath(
        lambda y, dp, ex: stats.beta.logpdf(y, dp["mu"] * dp["phi"], (1 - dp["mu"]) * dp["phi"]),
        lambda dp, ex: dp["mu"],
        lambda dp, ex, rng: rng.beta(dp["mu"] * dp["phi"], (1 - dp["mu"]) * dp["phi"]),
    ),
))


def _weibull_scale(dp):
    # brms parametrises the weibull by its mean mu
    return dp["mu"] / special.gamma(1 + 1 / dp["shape"])


register(FamilySpec(
    "weibull", ("mu", "shape"), POS_LINKS, "positive",
    Likelihood("weibull", lambda dp, ops: [dp["shape"], ops.div(dp["mu"], f"tgamma(1 + {ops.div('1', dp['shape'])})")]),
    description="Weibull distribution parametrised by its mean",
    math=FamilyMath(
        lambda y, dp, ex: stats.weibull_min.logpdf(y, dp["shape"], scale=_weibull_scale(dp)),
        lambda dp, ex: dp["mu"],
        lambda dp, ex, rng: _weibull_scale(dp) * rng.weibull(_bcast(dp["shape"], dp["mu"])),
    ),
))

register(FamilySpec(
    "exponential", ("mu",), POS_LINKS, "positive",
    Likelihood("exponential", lambda dp, ops: [f"inv({dp['mu']})"]),
    description="exponential distribution parametrised by its mean",
    math=FamilyMath(
        lambda y, dp, ex: stats.expon.logpdf(y, scale=dp["mu"]),
        lambda dp, ex: dp["mu"],
        lambda dp, ex, rng: rng.exponential(dp["mu"]),
    ),
))

gaussian = family_function("gaussian")
student = family_function("student")
bernoulli = family_function("bernoulli")
binomial = family_function("binomial")
poisson = family_function("poisson")
negbinomial = family_function("negbinomial")
Gamma = family_function("gamma")
lognormal = family_function("lognormal")
Beta = family_function("beta")
weibull = family_function("weibull")
exponential = family_function("exponential")
