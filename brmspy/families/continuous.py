"""Continuous families beyond the basic ones: skew_normal, shifted_lognormal,
exgaussian, frechet, gen_extreme_value, inverse_gaussian, von_mises,
asym_laplace and xbeta.

Each entry follows brms's parametrisation (``mu`` is the mean unless said
otherwise) and holds the Stan likelihood, the names of its helper Stan
functions (``templates/functions/<name>.stan``), the default priors of its dpars
and the numpy log-likelihood, expected value and random draws.

Notes
-----
- ``gen_extreme_value``: brms keeps the shape ``xi`` inside the region where
  every observation has positive density by rescaling an unbounded ``tmp_xi``
  with the data, ``mu`` and ``sigma`` (``scale_xi``).  Here ``xi`` is an
  ordinary parameter and the log density is ``-inf`` outside the support, so
  the sampler rejects such proposals; ``mu`` is the location (not the mean).
- ``von_mises``: Stan's ``von_mises_lpdf`` is stable for large ``kappa``, so
  brms's normal approximation above ``kappa = 100`` is not used.  ``mu`` has
  brms's ``tan_half`` link by default; the response must lie in [-pi, pi].
- ``inverse_gaussian`` is brms's ``inverse.gaussian``; both names work.
- ``xbeta`` (brms 2.22): the extended-support beta of Kosmidis & Zeileis (2024),
  ``Y = min(max((1 + 2 kappa) Z - kappa, 0), 1)``, ``Z ~ beta(mu phi, (1 - mu) phi)``; responses in
  [0, 1] with exact 0s and 1s.
- ``asym_laplace``: as in brms, ``quantile`` is estimated (prior ``beta(1, 1)``) unless
  fixed, e.g. ``bf("y ~ x", quantile=0.25)`` for the first quartile, or given a formula
  ``"quantile ~ x"``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.lazy import lazy_module
from ..core.templates import StanFunction
from .core import FAMILY_ALIASES, FamilyMath, FamilySpec, Likelihood, Ops, args_of, family_function, register

special = lazy_module("scipy.special")  # imported at first use: brmspy.core.lazy
stats = lazy_module("scipy.stats")  # imported at first use: brmspy.core.lazy

REAL_LINKS = ("identity", "log", "inverse", "softplus", "squareplus")
# skew_normal (brms 2.18): also the links of probabilities
REAL_PROB_LINKS = (*REAL_LINKS, "logit", "probit", "probit_approx", "cloglog", "cauchit", "softit")
POS_LINKS = ("log", "identity", "inverse", "softplus", "squareplus")
LOG2PI = np.log(2 * np.pi)


# ------------------------------------------------ Stan argument expressions


def _is_vec(ops: Ops, *exprs: str) -> bool:
    return any(e in ops.vectors for e in exprs)


def _mul(a: str, b: str, both_vectors: bool) -> str:
    """``a * b``, elementwise when both operands are vectors (``vector * vector`` is not valid Stan)."""
    return f"{a} .* {b}" if both_vectors else f"{a} * {b}"


def _div(a: str, b: str, b_vector: bool) -> str:
    """``a / b``, elementwise when the divisor is a vector."""
    return f"{a} ./ {b}" if b_vector else f"{a} / {b}"


def _bcast(*arrays: np.ndarray) -> list[np.ndarray]:
    return np.broadcast_arrays(*[np.asarray(a, dtype=float) for a in arrays])


# ------------------------------------------------------------ skew_normal



def _skew_normal_args(dp: dict[str, str], ops: Ops) -> list[str]:
    mu, sigma, alpha = dp["mu"], dp["sigma"], dp["alpha"]
    both = _is_vec(ops, sigma) and _is_vec(ops, alpha)
    xi = f"{mu} - {_mul(sigma, f'skew_normal_shift({alpha})', both)}"
    omega = _mul(sigma, f"skew_normal_scale({alpha})", both)
    return [xi, omega, alpha]


def skew_normal_params(mu, sigma, alpha):
    """Stan/scipy location ``xi`` and scale ``omega`` from brms's mean ``mu`` and sd ``sigma``.

    Examples
    --------
    >>> xi, omega = skew_normal_params(0.0, 1.0, 0.0)
    >>> float(xi), float(omega)
    (0.0, 1.0)
    """
    delta = alpha / np.sqrt(1 + alpha**2)
    omega = sigma / np.sqrt(1 - 2 / np.pi * delta**2)
    return mu - omega * delta * np.sqrt(2 / np.pi), omega


def _skew_normal_loglik(y, dp, ex):
    xi, omega = skew_normal_params(dp["mu"], dp["sigma"], dp["alpha"])
    return stats.skewnorm.logpdf(y, dp["alpha"], loc=xi, scale=omega)


def _skew_normal_rng(dp, ex, rng):
    mu, sigma, alpha = _bcast(dp["mu"], dp["sigma"], dp["alpha"])
    xi, omega = skew_normal_params(mu, sigma, alpha)
    # Henze's representation: delta |Z0| + sqrt(1 - delta^2) Z1 is standard skew-normal
    delta = alpha / np.sqrt(1 + alpha**2)
    z = delta * np.abs(rng.standard_normal(mu.shape)) + np.sqrt(1 - delta**2) * rng.standard_normal(mu.shape)
    return xi + omega * z


register(FamilySpec(
    "skew_normal", ("mu", "sigma", "alpha"), REAL_PROB_LINKS, "real",
    Likelihood("skew_normal", _skew_normal_args),
    description="skew normal distribution parametrised by mean, sd and skewness",
    stan_functions=(StanFunction("skew_normal"),),
    math=FamilyMath(_skew_normal_loglik, lambda dp, ex: dp["mu"], _skew_normal_rng),
))


# ------------------------------------------------------- shifted_lognormal


@dataclass(frozen=True)
class ShiftedLikelihood(Likelihood):
    """A likelihood of ``Y - shift`` (shifted_lognormal: the non-decision time ``ndt``)."""

    shift: str = "ndt"

    def call(self, y: str, dp: dict[str, str], ops: Ops, extra_first: tuple[str, ...] = ()) -> str:
        return super().call(f"{y} - {dp[self.shift]}", dp, ops, extra_first)


register(FamilySpec(
    "shifted_lognormal", ("mu", "sigma", "ndt"), ("identity", "inverse"), "positive",
    ShiftedLikelihood("lognormal", args_of("mu", "sigma")),
    scale_prior_logscale=True,
    description="lognormal distribution shifted by a non-decision time ndt",
    math=FamilyMath(
        lambda y, dp, ex: stats.lognorm.logpdf(y - dp["ndt"], dp["sigma"], scale=np.exp(dp["mu"])),
        lambda dp, ex: dp["ndt"] + np.exp(dp["mu"] + dp["sigma"] ** 2 / 2),
        lambda dp, ex, rng: dp["ndt"] + rng.lognormal(dp["mu"], dp["sigma"]),
    ),
))


# -------------------------------------------------------------- exgaussian


def _exgaussian_loglik(y, dp, ex):
    # exponentially modified normal: normal(mu - beta, sigma) + exponential(mean beta)
    return stats.exponnorm.logpdf(y, dp["beta"] / dp["sigma"], loc=dp["mu"] - dp["beta"], scale=dp["sigma"])


register(FamilySpec(
    "exgaussian", ("mu", "sigma", "beta"), REAL_LINKS, "real",
    Likelihood("exp_mod_normal", lambda dp, ops: [f"{dp['mu']} - {dp['beta']}", dp["sigma"], f"inv({dp['beta']})"]),
    description="exponentially modified Gaussian distribution parametrised by its mean",
    math=FamilyMath(
        _exgaussian_loglik,
        lambda dp, ex: dp["mu"],
        lambda dp, ex, rng: rng.normal(dp["mu"] - dp["beta"], dp["sigma"]) + rng.exponential(dp["beta"]),
    ),
))


# ----------------------------------------------------------------- frechet


def _frechet_args(dp: dict[str, str], ops: Ops) -> list[str]:
    mu, nu = dp["mu"], dp["nu"]
    nu_vec = _is_vec(ops, nu)
    return [nu, _div(mu, f"tgamma(1 - {_div('1', nu, nu_vec)})", nu_vec)]


def _frechet_scale(dp):
    # brms parametrises the Frechet by its mean mu (finite for nu > 1)
    return dp["mu"] / special.gamma(1 - 1 / dp["nu"])


def _frechet_rng(dp, ex, rng):
    mu, nu = _bcast(dp["mu"], dp["nu"])
    return _frechet_scale({"mu": mu, "nu": nu}) / rng.weibull(nu)  # 1 / Weibull(nu, 1) is Frechet(nu, 1)


register(FamilySpec(
    "frechet", ("mu", "nu"), POS_LINKS, "positive",
    Likelihood("frechet", _frechet_args),
    description="Frechet distribution parametrised by its mean and shape nu > 1",
    math=FamilyMath(
        lambda y, dp, ex: stats.invweibull.logpdf(y, dp["nu"], scale=_frechet_scale(dp)),
        lambda dp, ex: dp["mu"],
        _frechet_rng,
    ),
))


# ------------------------------------------------------- gen_extreme_value



def _gev_loglik(y, dp, ex):
    y, mu, sigma, xi = _bcast(y, dp["mu"], dp["sigma"], dp["xi"])
    x = (y - mu) / sigma
    inside = xi * x > -1
    zero = xi == 0
    xi_safe = np.where(zero, 1.0, xi)
    with np.errstate(invalid="ignore", divide="ignore"):
        log_t = np.log1p(np.where(inside, xi * x, 0.0))
        general = -np.log(sigma) - (1 + 1 / xi_safe) * log_t - np.exp(-log_t / xi_safe)
        gumbel = -np.log(sigma) - x - np.exp(-x)
    return np.where(zero, gumbel, np.where(inside, general, -np.inf))


def _gev_epred(dp, ex):
    mu, sigma, xi = _bcast(dp["mu"], dp["sigma"], dp["xi"])
    small = np.abs(xi) < 1e-8
    xi_safe = np.where(small | (xi >= 1), 0.5, xi)
    general = mu + sigma * (special.gamma(1 - xi_safe) - 1) / xi_safe
    out = np.where(small, mu + sigma * np.euler_gamma, general)
    return np.where(xi >= 1, np.inf, out)  # the mean does not exist for xi >= 1


def _gev_rng(dp, ex, rng):
    mu, sigma, xi = _bcast(dp["mu"], dp["sigma"], dp["xi"])
    log_e = np.log(rng.standard_exponential(mu.shape))  # log(-log U)
    zero = xi == 0
    xi_safe = np.where(zero, 1.0, xi)
    # inverse CDF; expm1 keeps it accurate for xi near 0
    return mu + sigma * np.where(zero, -log_e, np.expm1(-xi_safe * log_e) / xi_safe)


register(FamilySpec(
    "gen_extreme_value", ("mu", "sigma", "xi"), REAL_LINKS, "real",
    Likelihood("gen_extreme_value", args_of("mu", "sigma", "xi")),
    dpar_priors={"xi": "normal(0, 2.5)"},
    description="generalized extreme value distribution (location mu, scale sigma, shape xi)",
    stan_functions=(StanFunction("gen_extreme_value"),),
    pointwise=True,
    math=FamilyMath(_gev_loglik, _gev_epred, _gev_rng),
))


# -------------------------------------------------------- inverse.gaussian



def _inv_gaussian_loglik(y, dp, ex):
    mu, shape = dp["mu"], dp["shape"]
    return 0.5 * (np.log(shape) - LOG2PI) - 1.5 * np.log(y) - 0.5 * shape * (y - mu) ** 2 / (mu**2 * y)


register(FamilySpec(
    "inverse_gaussian", ("mu", "shape"), ("1/mu^2", "inverse", "identity", "log", "softplus", "squareplus"), "positive",
    Likelihood("inv_gaussian", args_of("mu", "shape")),
    description="inverse Gaussian distribution parametrised by its mean and shape",
    stan_functions=(StanFunction("inv_gaussian"),),
    pointwise=True,
    math=FamilyMath(
        _inv_gaussian_loglik,
        lambda dp, ex: dp["mu"],
        lambda dp, ex, rng: rng.wald(*_bcast(dp["mu"], dp["shape"])),
    ),
))
FAMILY_ALIASES["inverse.gaussian"] = "inverse_gaussian"  # brms's (and R's) name


# --------------------------------------------------------------- von_mises


def _von_mises_loglik(y, dp, ex):
    kappa = dp["kappa"]
    # i0e(kappa) = exp(-kappa) * I0(kappa): stable for large kappa
    return kappa * (np.cos(y - dp["mu"]) - 1) - LOG2PI - np.log(special.i0e(kappa))


def _von_mises_rng(dp, ex, rng):
    mu, kappa = _bcast(dp["mu"], dp["kappa"])
    y = rng.vonmises(mu, kappa)
    return np.mod(y + np.pi, 2 * np.pi) - np.pi  # wrap to [-pi, pi) as the response


register(FamilySpec(
    "von_mises", ("mu", "kappa"), ("tan_half", "identity"), "circular",
    Likelihood("von_mises", args_of("mu", "kappa")),
    description="von Mises distribution of angles in [-pi, pi]",
    math=FamilyMath(_von_mises_loglik, lambda dp, ex: dp["mu"], _von_mises_rng),
))


# ------------------------------------------------------------ asym_laplace



def asym_laplace_loglik(y, dp, ex):
    mu, sigma, q = dp["mu"], dp["sigma"], dp["quantile"]
    z = (y - mu) / sigma
    rho = np.where(z < 0, (q - 1) * z, q * z)
    return np.log(q) + np.log1p(-q) - np.log(sigma) - rho


def asym_laplace_epred(dp, ex):
    q = dp["quantile"]
    return dp["mu"] + dp["sigma"] * (1 - 2 * q) / (q * (1 - q))


def asym_laplace_rng(dp, ex, rng):
    mu, sigma, q = _bcast(dp["mu"], dp["sigma"], dp["quantile"])
    u = rng.uniform(size=mu.shape)
    # inverse CDF: P(Y <= mu) = quantile
    with np.errstate(divide="ignore"):
        below = np.log(u / q) / (1 - q)
        above = -np.log((1 - u) / (1 - q)) / q
    return mu + sigma * np.where(u <= q, below, above)


register(FamilySpec(
    "asym_laplace", ("mu", "sigma", "quantile"), REAL_LINKS, "real",
    Likelihood("asym_laplace", args_of("mu", "sigma", "quantile")),
    description="asymmetric Laplace distribution (quantile regression; fix the quantile with bf(..., quantile=0.25))",
    stan_functions=(StanFunction("asym_laplace"),),
    pointwise=True,
    math=FamilyMath(asym_laplace_loglik, asym_laplace_epred, asym_laplace_rng),
))


# ------------------------------------------------------------------- xbeta


def _xbeta_shapes(dp):
    mu, phi, kappa = _bcast(dp["mu"], dp["phi"], dp["kappa"])
    return mu * phi, (1 - mu) * phi, kappa, 1 + 2 * kappa


def _xbeta_loglik(y, dp, ex):
    a, b, kappa, d = _xbeta_shapes(dp)
    y = np.asarray(y, dtype=float)
    q = kappa / d  # P(Y = 0) = P(Z <= q), P(Y = 1) = P(Z >= 1 - q)
    with np.errstate(divide="ignore", invalid="ignore"):
        zero = stats.beta.logcdf(q, a, b)
        one = stats.beta.logsf(1 - q, a, b)
        inner = stats.beta.logpdf(np.clip((y + kappa) / d, 0, 1), a, b) - np.log(d)
    return np.where(y <= 0, zero, np.where(y >= 1, one, inner))


def xbeta_epred(dp, ex):
    """``E[Y]`` of the extended-support beta: the stretched beta's partial first moment on
    ``(q, 1 - q)``, ``q = kappa / (1 + 2 kappa)``, plus the point mass at 1.

    Examples
    --------
    >>> round(float(xbeta_epred({"mu": 0.5, "phi": 4.0, "kappa": 0.1}, None)), 12)  # symmetric: one half
    0.5
    """
    a, b, kappa, d = _xbeta_shapes(dp)
    q = kappa / d
    mu = a / (a + b)
    # integral over (q, 1 - q) of (d z - kappa) f(z) dz, with z f(z; a, b) = mu f(z; a + 1, b)
    first = d * mu * (special.betainc(a + 1, b, 1 - q) - special.betainc(a + 1, b, q))
    mass = special.betainc(a, b, 1 - q) - special.betainc(a, b, q)
    return first - kappa * mass + special.betaincc(a, b, 1 - q)


def _xbeta_rng(dp, ex, rng):
    a, b, kappa, d = _xbeta_shapes(dp)
    return np.clip(d * rng.beta(a, b) - kappa, 0.0, 1.0)


register(FamilySpec(
    "xbeta", ("mu", "phi", "kappa"),
    ("logit", "probit", "probit_approx", "cloglog", "cauchit", "softit", "identity", "log"), "unit_closed",
    Likelihood("xbeta", args_of("mu", "phi", "kappa")),
    # brms's xbeta family sets its own kappa priors (not von_mises's): gamma(0.01, 0.01) for the constant
    dpar_priors={"kappa": "gamma(0.01, 0.01)"},
    dpar_intercept_priors={"kappa": "student_t(3, 0, 2.5)"},
    description="extended-support beta distribution (proportions in [0, 1] with exact 0s and 1s; brms 2.22+)",
    stan_functions=(StanFunction("xbeta"),),
    pointwise=True,
    math=FamilyMath(_xbeta_loglik, xbeta_epred, _xbeta_rng),
))


skew_normal = family_function("skew_normal")
shifted_lognormal = family_function("shifted_lognormal")
exgaussian = family_function("exgaussian")
frechet = family_function("frechet")
gen_extreme_value = family_function("gen_extreme_value")
inverse_gaussian = family_function("inverse_gaussian")
von_mises = family_function("von_mises")
asym_laplace = family_function("asym_laplace")
xbeta = family_function("xbeta")
