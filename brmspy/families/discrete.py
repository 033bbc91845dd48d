"""Discrete families beyond the basic ones: beta_binomial, negbinomial2,
geometric, discrete_weibull and com_poisson.

Each entry follows brms's parametrisation and holds the Stan likelihood, the
names of its helper Stan functions (``templates/functions/<name>.stan``), the
default priors of its dpars and the numpy log-likelihood, expected value and
random draws.

Notes
-----
``com_poisson`` uses brms's mode parametrisation, ``P(y) ∝ (mu^y / y!)^shape``.
Its normalising constant is a truncated series (Stan and numpy alike): terms
are added until the geometric bound of the remainder past the mode falls below
``1e-16`` of the total, with at most 10000 terms.  It is accurate to double
precision for moderate counts (``mu`` up to a few thousand); brms instead
switches to an asymptotic approximation for large ``mu``, which differs from
the exact series by up to about 1e-3 there.
"""

from __future__ import annotations


import numpy as np

from ..core.errors import BrmsWarning, warn
from ..core.lazy import lazy_module
from ..core.templates import StanFunction
from .core import FamilyMath, FamilySpec, Likelihood, Ops, args_of, family_function, register

special = lazy_module("scipy.special")  # imported at first use: brmspy.core.lazy
stats = lazy_module("scipy.stats")  # imported at first use: brmspy.core.lazy

COUNT_LINKS = ("log", "identity", "sqrt", "softplus", "squareplus")
UNIT_LINKS = ("logit", "probit", "probit_approx", "cloglog", "cauchit", "softit", "identity")

COM_POISSON_MAX_TERMS = 10000
LOG_EPS = np.log(1e-16)  # relative accuracy of the truncated series


def _bcast(*arrays) -> list[np.ndarray]:
    return np.broadcast_arrays(*[np.asarray(a, dtype=float) for a in arrays])


def _mul(a: str, b: str, both_vectors: bool) -> str:
    """``a * b``, elementwise when both operands are vectors (``vector * vector`` is not valid Stan)."""
    return f"{a} .* {b}" if both_vectors else f"{a} * {b}"


def _gamma_poisson(rng: np.random.Generator, mu, shape) -> np.ndarray:
    """Negative binomial draws as a gamma mixture of Poissons (real-valued shape)."""
    mu, shape = _bcast(mu, shape)
    return rng.poisson(rng.gamma(shape, mu / shape))


# ------------------------------------------------------------ beta_binomial


def _beta_binomial_args(dp: dict[str, str], ops: Ops) -> list[str]:
    mu, phi = dp["mu"], dp["phi"]
    both = mu in ops.vectors and phi in ops.vectors
    return [_mul(mu, phi, both), _mul(f"(1 - {mu})", phi, both)]


def _beta_binomial_rng(dp, ex, rng):
    mu, phi, trials = _bcast(dp["mu"], dp["phi"], ex.trials)
    return rng.binomial(trials.astype(np.int64), rng.beta(mu * phi, (1 - mu) * phi))


register(FamilySpec(
    "beta_binomial", ("mu", "phi"), UNIT_LINKS, "count",
    Likelihood("beta_binomial", _beta_binomial_args, "lpmf"),
    needs_trials=True,
    description="beta-binomial distribution (overdispersed successes out of trials; mean trials * mu)",
    math=FamilyMath(
        lambda y, dp, ex: stats.betabinom.logpmf(y, ex.trials, dp["mu"] * dp["phi"], (1 - dp["mu"]) * dp["phi"]),
        lambda dp, ex: ex.trials * dp["mu"],
        _beta_binomial_rng,
    ),
))


# ------------------------------------------------------------- negbinomial2


def _nb_loglik(y, mu, shape):
    return stats.nbinom.logpmf(y, shape, shape / (shape + mu))


register(FamilySpec(
    "negbinomial2", ("mu", "sigma"), COUNT_LINKS, "count",
    Likelihood("neg_binomial_2", lambda dp, ops: [dp["mu"], f"inv({dp['sigma']})"], "lpmf"),
    canonical={"log": Likelihood("neg_binomial_2_log", lambda dp, ops: [dp["mu"], f"inv({dp['sigma']})"], "lpmf")},
    description="negative binomial distribution with dispersion sigma = 1 / shape (variance mu + sigma * mu^2)",
    math=FamilyMath(
        lambda y, dp, ex: _nb_loglik(y, dp["mu"], 1 / dp["sigma"]),
        lambda dp, ex: dp["mu"],
        lambda dp, ex, rng: _gamma_poisson(rng, dp["mu"], 1 / dp["sigma"]),
    ),
))


# ---------------------------------------------------------------- geometric

register(FamilySpec(
    "geometric", ("mu",), COUNT_LINKS, "count",
    Likelihood("neg_binomial_2", lambda dp, ops: [dp["mu"], "1"], "lpmf"),
    canonical={"log": Likelihood("neg_binomial_2_log", lambda dp, ops: [dp["mu"], "1"], "lpmf")},
    description="geometric distribution parametrised by its mean (negative binomial with shape 1)",
    math=FamilyMath(
        lambda y, dp, ex: _nb_loglik(y, dp["mu"], 1.0),
        lambda dp, ex: dp["mu"],
        lambda dp, ex, rng: _gamma_poisson(rng, dp["mu"], 1.0),
    ),
))


# --------------------------------------------------------- discrete_weibull



def _discrete_weibull_loglik(y, dp, ex):
    log_mu = np.log(dp["mu"])
    a = np.power(y, dp["shape"]) * log_mu
    b = np.power(y + 1.0, dp["shape"]) * log_mu
    return a + np.log(-np.expm1(b - a))


def discrete_weibull_moments(mu, shape, tol: float = 1e-15, max_terms: int = 1000):
    """Mean and variance of brms's discrete Weibull from the series of ``P(Y >= k) = mu^(k^shape)``.

    ``E[Y] = sum_k f(k)`` and ``E[Y^2] = sum_k (2k - 1) f(k)`` over ``k >= 1`` with
    ``f(t) = exp(-c t^shape)``, ``c = -log(mu)``.  Terms are added until they fall
    below ``tol``; for heavy tails (``mu`` near 1) the rest after ``max_terms``
    terms is the Euler-Maclaurin tail: integral (an incomplete gamma function)
    plus ``f(K) / 2 - f'(K) / 12``.

    Examples
    --------
    >>> m, v = discrete_weibull_moments(0.5, 1.0)   # geometric with p = 0.5
    >>> round(float(m), 10), round(float(v), 10)
    (1.0, 2.0)
    """
    mu, shape = _bcast(mu, shape)
    c, s = -np.log(mu).ravel(), shape.ravel()
    m1, m2 = np.zeros(c.shape), np.zeros(c.shape)
    active = np.arange(c.size)  # elements whose series has not converged yet
    for k in range(1, max_terms + 1):
        term = np.exp(-c[active] * k ** s[active])
        m1[active] += term
        m2[active] += (2 * k - 1) * term
        active = active[term >= tol]
        if not active.size:
            break
    if active.size:
        K = max_terms + 1
        ca, sa = c[active], s[active]
        a = ca * K**sa
        f = np.exp(-a)
        df = -ca * sa * K ** (sa - 1) * f
        int_f = special.gamma(1 / sa) * special.gammaincc(1 / sa, a) / (sa * ca ** (1 / sa))
        int_tf = special.gamma(2 / sa) * special.gammaincc(2 / sa, a) / (sa * ca ** (2 / sa))
        m1[active] += int_f + f / 2 - df / 12
        g, dg = (2 * K - 1) * f, 2 * f + (2 * K - 1) * df
        m2[active] += 2 * int_tf - int_f + g / 2 - dg / 12
    m1, m2 = m1.reshape(mu.shape), m2.reshape(mu.shape)
    return m1, m2 - m1**2


def _discrete_weibull_rng(dp, ex, rng):
    mu, shape = _bcast(dp["mu"], dp["shape"])
    u = rng.uniform(size=mu.shape)
    # inverse CDF: P(Y <= y) = 1 - mu^((y + 1)^shape)
    return np.maximum(np.ceil((np.log1p(-u) / np.log(mu)) ** (1 / shape) - 1), 0)


register(FamilySpec(
    "discrete_weibull", ("mu", "shape"), UNIT_LINKS, "count",
    Likelihood("discrete_weibull", args_of("mu", "shape"), "lpmf"),
    description="discrete Weibull distribution (P(Y >= k) = mu^(k^shape))",
    stan_functions=(StanFunction("discrete_weibull"),),
    pointwise=True,
    math=FamilyMath(
        _discrete_weibull_loglik,
        lambda dp, ex: discrete_weibull_moments(dp["mu"], dp["shape"])[0],
        _discrete_weibull_rng,
    ),
))


# -------------------------------------------------------------- com_poisson



def com_poisson_series(mu, shape, moments: bool = False):
    """The truncated COM-Poisson series (same terms and stopping rule as the Stan code).

    Returns ``log Z`` and, with ``moments``, also the mean and variance.

    Examples
    --------
    >>> log_z, mean, var = com_poisson_series(3.0, 1.0, moments=True)   # Poisson(3)
    >>> round(float(log_z), 8), round(float(mean), 8), round(float(var), 8)
    (3.0, 3.0, 3.0)
    """
    mu, shape = _bcast(mu, shape)
    log_mu, nu = np.log(mu).ravel(), shape.ravel()
    log_z = np.zeros(log_mu.shape)  # the k = 0 term
    log_m1 = np.full(log_mu.shape, -np.inf)
    log_m2 = np.full(log_mu.shape, -np.inf)
    active = np.arange(log_mu.size)  # elements whose series has not converged yet
    lfac = 0.0
    for k in range(1, COM_POISSON_MAX_TERMS + 1):
        lfac += np.log(k)
        lm, sh = log_mu[active], nu[active]
        term = sh * (k * lm - lfac)
        log_z[active] = np.logaddexp(log_z[active], term)
        if moments:
            log_m1[active] = np.logaddexp(log_m1[active], np.log(k) + term)
            log_m2[active] = np.logaddexp(log_m2[active], 2 * np.log(k) + term)
        # past the mode the terms fall at least geometrically: bound the remainder
        log_ratio = sh * (lm - np.log(k + 1))
        with np.errstate(divide="ignore", invalid="ignore"):
            bound = term + log_ratio - np.log(-np.expm1(log_ratio))
        active = active[~((log_ratio < 0) & (bound - log_z[active] < LOG_EPS))]
        if not active.size:
            break
    else:
        warn("The com_poisson normalising series did not converge; results may be inaccurate.", BrmsWarning)
    log_z = log_z.reshape(mu.shape)
    if not moments:
        return log_z
    mean = np.exp(log_m1.reshape(mu.shape) - log_z)
    return log_z, mean, np.exp(log_m2.reshape(mu.shape) - log_z) - mean**2


def _com_poisson_loglik(y, dp, ex):
    mu, shape = dp["mu"], dp["shape"]
    return shape * (y * np.log(mu) - special.gammaln(y + 1.0)) - com_poisson_series(mu, shape)


def _com_poisson_rng(dp, ex, rng, max_value: int = 100000):
    mu, shape = _bcast(dp["mu"], dp["shape"])
    log_mu = np.log(mu)
    log_z = com_poisson_series(mu, shape)
    u = rng.uniform(size=mu.shape)
    # inverse CDF by accumulating P(Y = k) until it passes u
    cdf = np.exp(-log_z)
    out = np.zeros(mu.shape)
    lfac = 0.0
    y = 0
    todo = cdf < u
    while todo.any() and y < max_value:
        y += 1
        lfac += np.log(y)
        out[todo] = y
        cdf = cdf + np.exp(shape * (y * log_mu - lfac) - log_z)
        todo &= cdf < u
    return out


register(FamilySpec(
    "com_poisson", ("mu", "shape"), COUNT_LINKS, "count",
    Likelihood("com_poisson", args_of("mu", "shape"), "lpmf"),
    canonical={"log": Likelihood("com_poisson_log", args_of("mu", "shape"), "lpmf")},
    description="Conway-Maxwell-Poisson distribution (brms's mode parametrisation)",
    stan_functions=(StanFunction("com_poisson", (("max_terms", str(COM_POISSON_MAX_TERMS)),
                                                 ("log_eps", f"{LOG_EPS:.6f}"))),),
    pointwise=True,
    math=FamilyMath(
        _com_poisson_loglik,
        lambda dp, ex: com_poisson_series(dp["mu"], dp["shape"], moments=True)[1],
        _com_poisson_rng,
    ),
))


beta_binomial = family_function("beta_binomial")
negbinomial2 = family_function("negbinomial2")
geometric = family_function("geometric")
discrete_weibull = family_function("discrete_weibull")
com_poisson = family_function("com_poisson")
