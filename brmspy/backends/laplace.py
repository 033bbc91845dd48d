"""Laplace approximation on the unconstrained scale, for backends with a gradient but no ``laplace``.

CmdStan's ``method=laplace`` (what brms runs for ``algorithm="laplace"``) takes the posterior
mode on the unconstrained scale with the Jacobian (``optimize jacobian=1``), the Hessian of the
log density there by finite differences of gradients, and draws from the normal with the inverse
of the negative Hessian as covariance; each draw is then transformed back to the constrained
scale. This module is that recipe for a backend that has a gradient and an optimizer but no
Laplace method of its own (stanli): the mode search and the constraining transform are the
backend's, the linear algebra is here. It is written with NumPy rather than taken from a library
because no maintained library offers "Laplace at a given mode from a gradient callback".

Examples
--------
>>> import numpy as np
>>> cov = np.array([[2.0, 0.6], [0.6, 0.5]])
>>> prec = np.linalg.inv(cov)
>>> def log_prob_grad(theta):                  # a normal with that covariance, mode at (1, -1)
...     d = theta - np.array([1.0, -1.0])
...     return float(-0.5 * d @ prec @ d), -prec @ d
>>> lap = laplace_draws(log_prob_grad, np.array([1.0, -1.0]), 20000, seed=1)
>>> np.allclose(np.cov(lap.theta.T), cov, atol=0.05), lap.theta.shape
(True, (20000, 2))
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..core.errors import SamplingError

__all__ = ["LaplaceDraws", "finite_diff_hessian", "laplace_draws"]

LogProbGrad = Callable[[np.ndarray], "tuple[float, np.ndarray]"]

# Forward differences (n + 1 gradients, half of central differences' 2n: the Hessian is most of
# the time at 10^5 rows): the error is O(h) in the step and O(eps * |g| / h) in rounding; a
# relative step of 1e-5 keeps both near 1e-5 of the curvature, far inside the approximation's
# own error. Averaging the two one-sided estimates of each cross term makes it symmetric.
_REL_STEP = 1e-5


@dataclass(frozen=True)
class LaplaceDraws:
    """Draws of the normal approximation, on the unconstrained scale.

    Attributes
    ----------
    theta : ``(draws, n)`` unconstrained draws.
    log_g : ``(draws,)`` the approximation's log density at each draw, up to a constant
        (CmdStan's ``log_g__``).
    mode : the mode the approximation is centred on.
    hessian_seconds : time spent on the finite-difference Hessian.
    """

    theta: np.ndarray
    log_g: np.ndarray
    mode: np.ndarray
    hessian_seconds: float


def finite_diff_hessian(log_prob_grad: LogProbGrad, point: np.ndarray) -> np.ndarray:
    """Hessian of the log density at ``point`` by forward differences of its gradient (n + 1 gradients).

    The two one-sided estimates of each cross term are averaged, so the result is symmetric.
    """
    point = np.asarray(point, dtype=np.float64).ravel()
    n = point.size
    g0 = np.asarray(log_prob_grad(point)[1], dtype=np.float64)
    hess = np.empty((n, n))
    for i in range(n):
        h = _REL_STEP * max(1.0, abs(point[i]))
        up = point.copy()
        up[i] += h
        hess[i] = (np.asarray(log_prob_grad(up)[1]) - g0) / h
    return 0.5 * (hess + hess.T)


def laplace_draws(log_prob_grad: LogProbGrad, mode: np.ndarray, draws: int, seed: int) -> LaplaceDraws:
    """``draws`` draws of N(mode, (-H)^-1), H the Hessian of the log density at ``mode``.

    Raises
    ------
    brmspy.core.errors.SamplingError
        If the Hessian is not finite or not negative definite (the point is no maximum, or the
        posterior is improper there), naming the way out.
    """
    mode = np.asarray(mode, dtype=np.float64).ravel()
    t0 = time.perf_counter()
    try:
        neg_hess = -finite_diff_hessian(log_prob_grad, mode)
    except (RuntimeError, ValueError, FloatingPointError) as exc:
        raise SamplingError(f"algorithm='laplace': the log density failed next to the mode ({exc}).") from None
    seconds = time.perf_counter() - t0
    if not np.all(np.isfinite(neg_hess)):
        raise SamplingError("algorithm='laplace': the Hessian at the posterior mode is not finite; "
                            "use algorithm='sampling'.")
    try:
        chol = np.linalg.cholesky(neg_hess)
    except np.linalg.LinAlgError:
        raise SamplingError(
            "algorithm='laplace': the Hessian at the posterior mode is not negative definite, so there is "
            "no normal approximation there (a flat direction or a boundary mode, e.g. a group sd near 0); "
            "use algorithm='sampling', or proper priors on every parameter."
        ) from None
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((int(draws), mode.size))
    # theta = mode + L^-T z has covariance L^-T L^-1 = (L L^T)^-1 = (-H)^-1
    theta = mode + np.linalg.solve(chol.T, z.T).T
    return LaplaceDraws(theta=theta, log_g=-0.5 * np.einsum("ij,ij->i", z, z), mode=mode, hessian_seconds=seconds)
