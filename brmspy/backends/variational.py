"""Pathfinder and ADVI on the unconstrained scale, for backends with a gradient but neither algorithm.

brms's ``algorithm="pathfinder"``, ``"meanfield"`` and ``"fullrank"`` run CmdStan's
``method=pathfinder`` and ``method=variational``. stanli has NUTS and L-BFGS but neither of these,
so this module runs them on any ``log_prob_grad(theta) -> (lp, grad)`` callback of the unconstrained
log density (Jacobian included), with CmdStan's algorithms and defaults:

* :func:`pathfinder` -- multi-path Pathfinder (Zhang, Carpenter, Gelman & Vehtari 2022) as in Stan's
  ``services/pathfinder``: per path an L-BFGS run from a random start (``uniform(-2, 2)``), at every
  iterate the normal approximation from the L-BFGS history (diagonal update of the inverse Hessian,
  the dense or the diagonal-plus-low-rank factor), its ELBO from ``num_elbo_draws`` draws, the best
  iterate's normal giving ``num_draws`` draws; over several paths the draws are resampled by
  Pareto-smoothed importance weights (``lp - lp_approx``) to ``num_psis_draws``. The L-BFGS
  trajectory is scipy's (``scipy.optimize.minimize(method="L-BFGS-B")`` with ``maxcor=history_size``
  and Stan's tolerances); the PSIS weights are ArviZ's (``arviz_stats`` ``psislw``, tail length
  ``min(0.2 S, 3 sqrt(S))`` as Stan's).
* :func:`advi` -- Stan's ADVI (Kucukelbir et al. 2017) as in ``stan/variational/advi.hpp``: a
  mean-field (diagonal, log sds) or full-rank (Cholesky factor) normal on the unconstrained scale,
  stochastic gradient ascent on the ELBO with ``grad_samples`` reparameterised gradients per step,
  Stan's adaptive step-size sequence ``eta / sqrt(t) / (1 + sqrt(s_t))`` with
  ``s_t = 0.9 s_{t-1} + 0.1 g_t^2``, ``eta`` chosen from ``100, 10, 1, 0.1, 0.01`` by
  ``adapt_iter`` trial steps each, and the stopping rule on the mean or median relative ELBO change
  (every ``eval_elbo`` steps, ``elbo_samples`` draws) below ``tol_rel_obj``. Beyond CmdStan, the
  model's density at the output draws gives the Pareto k of ``p / q`` (:func:`pareto_k`): ADVI's ELBO
  can converge far from the posterior, and k above 0.7 says so.

Why hand-written: no maintained Python library runs these on an arbitrary log density with
gradient outside a framework's own model language. blackjax (Pathfinder, mean-field/full-rank VI)
needs JAX and a JAX-traceable density, PyMC's and NumPyro's run only their own models, and no
package here or on the package index offers Stan's ADVI or multi-path Pathfinder for a NumPy
callback. The pieces that do exist in well-kept libraries are taken from them (scipy's L-BFGS,
ArviZ's PSIS). Random numbers come from NumPy's generator, so a seed repeats a run exactly here but
gives other draws than CmdStan's for the same seed.

Two deliberate departures from Stan's code: the first L-BFGS difference pair uses the gradient of
the objective at the start (Stan mixes in the log density's gradient there, of the opposite sign),
and the diagonal-plus-low-rank draws use the lower Cholesky factor of ``I + R M R^T`` so that their
covariance is the approximation's inverse Hessian exactly (Stan uses its transpose; their ``lp_approx``
is the same). Both only matter away from the mode, where the best iterate is rarely chosen.

Examples
--------
>>> import numpy as np
>>> cov = np.array([[1.0, 0.8], [0.8, 1.0]])
>>> prec = np.linalg.inv(cov)
>>> def log_prob_grad(theta):                      # a correlated normal centred on (1, -1)
...     d = theta - np.array([1.0, -1.0])
...     return float(-0.5 * d @ prec @ d), -prec @ d
>>> rng = np.random.default_rng(1)
>>> inits = [random_inits(log_prob_grad, 2, rng) for _ in range(4)]   # Stan's uniform(-2, 2) starts
>>> pf = pathfinder(log_prob_grad, inits, seed=1)
>>> pf.theta.shape, np.allclose(pf.theta.mean(axis=0), [1.0, -1.0], atol=0.1)
((1000, 2), True)
>>> vi = advi(log_prob_grad, inits[0], "fullrank", iter=2000, seed=1)
>>> np.allclose(vi.theta.mean(axis=0), [1.0, -1.0], atol=0.1), np.allclose(np.cov(vi.theta.T), cov, atol=0.25)
(True, True)
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from statistics import median
from typing import Callable, Sequence

import numpy as np

from ..core.errors import SamplingError

__all__ = [
    "ApproximateDraws",
    "PATHFINDER_DEFAULTS",
    "ADVI_DEFAULTS",
    "pathfinder",
    "advi",
    "random_inits",
]

LogProbGrad = Callable[[np.ndarray], "tuple[float, np.ndarray]"]

#: CmdStan's ``method=pathfinder`` defaults (brms through cmdstanr sets ``num_paths = chains``).
PATHFINDER_DEFAULTS: dict[str, float] = {
    "num_paths": 4,
    "history_size": 5,
    "num_elbo_draws": 25,
    "max_lbfgs_iters": 1000,
    "num_draws": 1000,
    "num_psis_draws": 1000,
    "init_alpha": 0.001,
    "tol_obj": 1e-12,
    "tol_rel_obj": 1e4,
    "tol_grad": 1e-8,
    "tol_rel_grad": 1e7,
    "tol_param": 1e-8,
}
#: CmdStan's ``method=variational`` defaults (brms passes ``iter``; ``output_samples`` is 1000).
ADVI_DEFAULTS: dict[str, float] = {
    "iter": 10000,
    "grad_samples": 1,
    "elbo_samples": 100,
    "eta": 1.0,
    "adapt_iter": 50,
    "tol_rel_obj": 0.01,
    "eval_elbo": 100,
    "output_samples": 1000,
}
_ETA_SEQUENCE = (100.0, 10.0, 1.0, 0.1, 0.01)  # advi::adapt_eta
_LOG_2PI = math.log(2.0 * math.pi)
_EPS = np.finfo(float).eps
_MAX_INIT_TRIES = 100  # stan::services::util::initialize


@dataclass(frozen=True)
class ApproximateDraws:
    """Draws of a variational approximation, on the unconstrained scale.

    Attributes
    ----------
    theta : ``(draws, n)`` unconstrained draws.
    log_g : ``(draws,)`` the approximation's log density at each draw (CmdStan's ``log_g__`` for
        ADVI, ``lp_approx__`` for Pathfinder, normalised for Pathfinder and up to a constant for ADVI).
    log_p : ``(draws,)`` the model's log density (constants dropped, as ``lp__``) at each draw, or
        ``None`` where the algorithm does not evaluate it (the Laplace draws).
    info : what the run did (gradients, iterations, the step size ADVI chose, Pareto k, ...).
    """

    theta: np.ndarray
    log_g: np.ndarray
    log_p: np.ndarray | None = None
    info: dict[str, float] = field(default_factory=dict)


class _Density:
    """``log_prob_grad`` that counts calls and answers ``-inf`` (no gradient) where the density fails."""

    def __init__(self, log_prob_grad: LogProbGrad) -> None:
        self._f = log_prob_grad
        self.calls = 0

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray | None]:
        self.calls += 1
        try:
            lp, grad = self._f(np.ascontiguousarray(theta, dtype=np.float64))
        except (RuntimeError, ValueError, FloatingPointError, ArithmeticError):
            return -math.inf, None
        lp = float(lp)
        grad = np.asarray(grad, dtype=np.float64)
        if not math.isfinite(lp) or not np.all(np.isfinite(grad)):
            return -math.inf, None
        return lp, grad


def random_inits(log_prob_grad: LogProbGrad, n: int, rng: np.random.Generator, radius: float = 2.0) -> np.ndarray:
    """Stan's random initialisation: ``uniform(-radius, radius)`` on the unconstrained scale, redrawn
    (up to 100 times) until the log density and its gradient are finite.

    Raises
    ------
    brmspy.core.errors.SamplingError
        If no such point is found.
    """
    density = log_prob_grad if isinstance(log_prob_grad, _Density) else _Density(log_prob_grad)
    for _ in range(_MAX_INIT_TRIES if radius > 0 else 1):
        theta = rng.uniform(-radius, radius, n) if radius > 0 else np.zeros(n)
        if density(theta)[1] is not None:
            return theta
    raise SamplingError(f"no initial value with a finite log density and gradient in {_MAX_INIT_TRIES} random "
                        f"draws from uniform(-{radius}, {radius}) on the unconstrained scale; give init= values "
                        "or a smaller init radius.")


# ------------------------------------------------------------------ Pathfinder


@dataclass(frozen=True)
class _Normal:
    """The normal approximation at one L-BFGS iterate: ``center`` and a factor of the covariance."""

    center: np.ndarray
    logdet_chol: float  # log det of the covariance's Cholesky factor
    chol: np.ndarray | None = None  # dense: lower factor
    sqrt_alpha: np.ndarray | None = None  # sparse: diag(sqrt(alpha)) (Q (L - I) Q^T + I)
    q: np.ndarray | None = None
    l_minus_i: np.ndarray | None = None

    def draw(self, u: np.ndarray) -> np.ndarray:
        """Points ``(draws, n)`` from standard normal ``u`` ``(draws, n)``."""
        if self.chol is not None:
            return self.center + u @ self.chol.T
        qu = u @ self.q
        return self.center + self.sqrt_alpha * ((qu @ self.l_minus_i.T) @ self.q.T + u)

    def log_density(self, u: np.ndarray) -> np.ndarray:
        n = u.shape[1]
        return -self.logdet_chol - 0.5 * (np.einsum("ij,ij->i", u, u) + n * _LOG_2PI)


def _normal_at(ys: np.ndarray, ss: np.ndarray, alpha: np.ndarray, x: np.ndarray, g: np.ndarray) -> _Normal:
    """Stan's ``taylor_approximation`` at ``x`` (objective gradient ``g``) from the history ``ys``, ``ss``
    (``n x m``, oldest first) and the diagonal ``alpha`` of the initial inverse Hessian."""
    n, m = ys.shape
    r = np.triu(ss.T @ ys)
    d = np.diag(r).copy()
    ninv_rst = -np.linalg.solve(r, ss.T)  # -R^-1 S^T, m x n  (R is triangular and small)
    ytay = (ys.T * alpha) @ ys + np.diag(d)  # Y^T diag(alpha) Y + D
    if 2 * m >= n:  # dense: H = diag(alpha) + [alpha Y, S] gamma [alpha Y, S]^T
        y_alpha = ys.T * alpha  # m x n
        h = y_alpha.T @ ninv_rst + ninv_rst.T @ (y_alpha + ytay @ ninv_rst)
        h[np.diag_indices(n)] += alpha
        h = 0.5 * (h + h.T)
        chol = np.linalg.cholesky(h)
        return _Normal(center=x - h @ g, logdet_chol=float(np.log(np.abs(np.diag(chol))).sum()), chol=chol)
    sqrt_alpha = np.sqrt(alpha)
    w = np.hstack([ys * sqrt_alpha[:, None], ninv_rst.T / sqrt_alpha[:, None]])  # n x 2m
    q, rbar = np.linalg.qr(w)
    mbar = np.block([[np.zeros((m, m)), np.eye(m)], [np.eye(m), ytay]])
    inner = rbar @ mbar @ rbar.T + np.eye(2 * m)
    lower = np.linalg.cholesky(0.5 * (inner + inner.T))
    logdet = float(np.log(np.abs(np.diag(lower))).sum() + 0.5 * np.log(alpha).sum())
    ninv_rst_g = ninv_rst @ g
    alpha_g = alpha * g
    center = x - (alpha_g + alpha * (ys @ ninv_rst_g) + ninv_rst.T @ (ys.T @ alpha_g + ytay @ ninv_rst_g))
    return _Normal(center=center, logdet_chol=logdet, sqrt_alpha=sqrt_alpha, q=q, l_minus_i=lower - np.eye(2 * m))


def _approx_draws(density: _Density, normal: _Normal, k: int, rng: np.random.Generator
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``k`` draws of ``normal``: points, their log density under it, the model's log density there."""
    u = rng.standard_normal((k, normal.center.size))
    theta = normal.draw(u)
    lp = np.array([density(t)[0] for t in theta])
    return theta, normal.log_density(u), lp


def _stan_converged(xs: list[np.ndarray], gs: list[np.ndarray], fs: list[float], history_size: int) -> bool:
    """Stan's BFGS stopping rules (``stan/optimization/bfgs.hpp``) after the latest iterate, with
    Pathfinder's tolerances: absolute and relative objective change, gradient norm, step norm, and
    the relative gradient ``g' H g / max(|f|, 1)`` with ``H`` the L-BFGS inverse Hessian (two-loop
    recursion over the last ``history_size`` pairs, scaled by ``s'y / y'y`` of the newest)."""
    d = PATHFINDER_DEFAULTS
    f_prev, f, g = fs[-2], fs[-1], gs[-1]
    if abs(f_prev - f) < d["tol_obj"] or np.linalg.norm(g) < d["tol_grad"]:
        return True
    if np.linalg.norm(xs[-1] - xs[-2]) < d["tol_param"]:
        return True
    if abs(f_prev - f) / max(abs(f_prev), abs(f), 1.0) < d["tol_rel_obj"] * _EPS:
        return True
    pairs = [(xs[k] - xs[k - 1], gs[k] - gs[k - 1]) for k in range(max(1, len(xs) - history_size), len(xs))]
    pairs = [(s, y) for s, y in pairs if float(s @ y) > 0]
    if not pairs:
        return False
    q = g.copy()
    coefs = []
    for s, y in reversed(pairs):
        a = float(s @ q) / float(s @ y)
        coefs.append(a)
        q -= a * y
    s_new, y_new = pairs[-1]
    q *= float(s_new @ y_new) / float(y_new @ y_new)
    for (s, y), a in zip(pairs, reversed(coefs)):
        q += (a - float(y @ q) / float(s @ y)) * s
    return float(g @ q) / max(abs(f), 1.0) < d["tol_rel_grad"] * _EPS


@dataclass
class _Path:
    theta: np.ndarray
    lp_approx: np.ndarray
    lp: np.ndarray
    elbo: float
    iterations: int
    best_iteration: int


def _single_path(density: _Density, init: np.ndarray, rng: np.random.Generator, history_size: int,
                 num_elbo_draws: int, max_lbfgs_iters: int, num_draws: int) -> _Path:
    """One Pathfinder path (Stan's ``pathfinder_lbfgs_single``) on scipy's L-BFGS trajectory."""
    from scipy.optimize import minimize

    n = init.size
    cache: dict[bytes, tuple[float, np.ndarray]] = {}

    def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
        lp, grad = density(x)
        if grad is None:  # outside the support: L-BFGS-B's line search backs off from an infinite value
            value = (math.inf, np.zeros(n))
        else:
            value = (-lp, -grad)
        if len(cache) > 64:
            cache.clear()
        cache[x.tobytes()] = value
        return value

    f0, g0 = objective(init.copy())
    if not math.isfinite(f0):
        raise SamplingError("algorithm='pathfinder': the log density is not finite at the initial values.")
    xs, gs, fs = [init.copy()], [g0], [f0]

    def record(intermediate_result) -> None:  # scipy's callback: the accepted iterate
        x = np.asarray(intermediate_result.x, dtype=np.float64)
        hit = cache.get(x.tobytes())
        f, g = hit if hit is not None else objective(x.copy())
        if not math.isfinite(f):
            return
        xs.append(x.copy())
        gs.append(g)
        fs.append(f)
        if _stan_converged(xs, gs, fs, history_size):
            raise StopIteration

    # scipy's L-BFGS-B with Stan's history size; Stan's stopping rules (tolerances of
    # PATHFINDER_DEFAULTS, among them the relative gradient g' H g / |f| that scipy lacks) end it
    # from the callback, scipy's own only as a backstop
    minimize(objective, init, jac=True, method="L-BFGS-B", callback=record,
             options={"maxcor": history_size, "maxiter": max_lbfgs_iters, "ftol": 0.0, "gtol": 0.0})
    if len(xs) < 2:
        raise SamplingError("algorithm='pathfinder': L-BFGS made no step from the initial values "
                            "(the optimisation failed to start).")

    alpha = np.ones(n)
    best: tuple[float, _Normal, int] | None = None
    pairs_s: list[np.ndarray] = []
    pairs_y: list[np.ndarray] = []
    for it in range(1, len(xs)):
        s, y = xs[it] - xs[it - 1], gs[it] - gs[it - 1]
        pairs_s.append(s)
        pairs_y.append(y)
        del pairs_s[:-history_size], pairs_y[:-history_size]
        dk = float(y @ s)
        if dk > 0 and abs(float(y @ y) / dk) <= 1e12:  # check_curve, then form_diag
            y_alpha_y = float(y @ (alpha * y))
            s_inv_alpha_s = float(s @ (s / alpha))
            alpha = dk / (y_alpha_y / alpha + y * y - (y_alpha_y / s_inv_alpha_s) * (s / alpha) ** 2)
        try:
            with np.errstate(all="ignore"):
                normal = _normal_at(np.column_stack(pairs_y), np.column_stack(pairs_s), alpha, xs[it], gs[it])
                if not (np.all(np.isfinite(normal.center)) and math.isfinite(normal.logdet_chol)):
                    continue
                _, lp_approx, lp = _approx_draws(density, normal, num_elbo_draws, rng)
        except (np.linalg.LinAlgError, ValueError):
            continue  # Stan: "ELBO estimation failed" at this iterate, go on
        elbo = float(np.mean(lp - lp_approx))
        if math.isfinite(elbo) and (best is None or elbo > best[0]):
            best = (elbo, normal, it)
    if best is None:
        raise SamplingError("algorithm='pathfinder': none of the L-BFGS iterations gave a usable normal "
                            "approximation (the ELBO was not finite at any); use algorithm='sampling'.")
    elbo, normal, best_it = best
    theta, lp_approx, lp = _approx_draws(density, normal, num_draws, rng)
    return _Path(theta, lp_approx, lp, elbo, len(xs) - 1, best_it)


def pathfinder(log_prob_grad: LogProbGrad, inits: Sequence[np.ndarray], *, seed: int,
               history_size: int = 5, num_elbo_draws: int = 25, max_lbfgs_iters: int = 1000,
               num_draws: int = 1000, num_psis_draws: int = 1000) -> ApproximateDraws:
    """Multi-path Pathfinder: one path per initial point, PSIS resampling over the paths.

    Parameters
    ----------
    log_prob_grad : callable
        Log density (Jacobian included) and its gradient at an unconstrained point.
    inits : sequence of arrays
        One unconstrained starting point per path (:func:`random_inits` gives Stan's).
    seed : int
        Seeds the draws (each path its own stream).
    history_size, num_elbo_draws, max_lbfgs_iters, num_draws, num_psis_draws : int
        CmdStan's arguments of the same names (:data:`PATHFINDER_DEFAULTS`). ``num_draws`` are drawn
        per path; with one path they are returned as they are (CmdStan's single-path output),
        with several, ``num_psis_draws`` are resampled from all of them by their PSIS weights.

    Returns
    -------
    ApproximateDraws
        ``log_g`` is ``lp_approx__``; ``log_p`` is ``lp__``; ``info`` has ``gradients``,
        ``lbfgs_iterations`` (per path, summed), ``pareto_k`` (NaN for one path), ``paths_failed``.

    Raises
    ------
    brmspy.core.errors.SamplingError
        If every path fails (the message of the last failure).
    """
    for name, value in (("history_size", history_size), ("num_elbo_draws", num_elbo_draws),
                        ("max_lbfgs_iters", max_lbfgs_iters), ("num_draws", num_draws),
                        ("num_psis_draws", num_psis_draws)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise SamplingError(f"pathfinder: {name} must be a positive integer, got {value!r}")
    if len(inits) < 1:
        raise SamplingError("pathfinder: give at least one initial point (one per path)")
    density = log_prob_grad if isinstance(log_prob_grad, _Density) else _Density(log_prob_grad)
    with _one_blas_thread():
        return _pathfinder(density, inits, int(seed), int(history_size), int(num_elbo_draws), int(max_lbfgs_iters),
                           int(num_draws), int(num_psis_draws))


def _one_blas_thread():
    """One BLAS thread: the matrices are small (scipy's L-BFGS-B at n = 42 took 4x the CPU time with
    OpenBLAS's threads spinning on a busy machine)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _pathfinder(density: _Density, inits: Sequence[np.ndarray], seed: int, history_size: int, num_elbo_draws: int,
                max_lbfgs_iters: int, num_draws: int, num_psis_draws: int) -> ApproximateDraws:
    paths: list[_Path] = []
    errors: list[str] = []
    for k, init in enumerate(inits):
        rng = np.random.default_rng([int(seed), k + 1])
        try:
            paths.append(_single_path(density, np.asarray(init, dtype=np.float64).ravel().copy(), rng,
                                      history_size, num_elbo_draws, max_lbfgs_iters, num_draws))
        except SamplingError as exc:
            errors.append(str(exc))
    if not paths:
        raise SamplingError(f"all {len(inits)} Pathfinder paths failed: {errors[-1]}")
    info = {"gradients": float(density.calls), "lbfgs_iterations": float(sum(p.iterations for p in paths)),
            "paths_failed": float(len(errors)), "pareto_k": math.nan}
    theta = np.vstack([p.theta for p in paths])
    lp_approx = np.concatenate([p.lp_approx for p in paths])
    lp = np.concatenate([p.lp for p in paths])
    if len(inits) == 1:
        return ApproximateDraws(theta=theta, log_g=lp_approx, log_p=lp, info=info)
    log_ratio = lp - lp_approx
    ok = np.isfinite(log_ratio)
    if not ok.any():
        raise SamplingError("algorithm='pathfinder': the log density is not finite at any approximate draw.")
    log_w, khat = _psis(log_ratio[ok])
    weights = np.exp(np.asarray(log_w, dtype=np.float64) - np.max(log_w))
    rng = np.random.default_rng([int(seed), 0])
    picked = np.sort(rng.choice(np.flatnonzero(ok), size=int(num_psis_draws), replace=True, p=weights / weights.sum()))
    info["pareto_k"] = float(khat)
    return ApproximateDraws(theta=theta[picked], log_g=lp_approx[picked], log_p=lp[picked], info=info)


# ------------------------------------------------------------------ ADVI


class _Family:
    """A normal on the unconstrained scale as Stan's ``normal_meanfield`` / ``normal_fullrank``: the
    parameters are a list of arrays, updated elementwise by the step-size sequence."""

    def __init__(self, kind: str, mu: np.ndarray) -> None:
        self.kind = kind
        n = mu.size
        self.params = [mu.copy(), np.zeros(n) if kind == "meanfield" else np.eye(n)]

    @property
    def mu(self) -> np.ndarray:
        return self.params[0]

    def transform(self, eta: np.ndarray) -> np.ndarray:
        """Points ``(k, n)`` from standard normal ``eta`` ``(k, n)``."""
        if self.kind == "meanfield":
            return self.mu + np.exp(self.params[1]) * eta
        return self.mu + eta @ self.params[1].T

    def entropy(self) -> float:
        n = self.mu.size
        scale = self.params[1] if self.kind == "meanfield" else np.log(np.abs(np.diag(self.params[1])))
        return 0.5 * n * (1.0 + _LOG_2PI) + float(np.sum(scale))

    def elbo_grad(self, density: _Density, grad_samples: int, rng: np.random.Generator) -> list[np.ndarray]:
        """Reparameterised Monte Carlo gradient of the ELBO (Stan's ``calc_grad``)."""
        n = self.mu.size
        mu_grad = np.zeros(n)
        scale_grad = np.zeros_like(self.params[1])
        drawn = dropped = 0
        while drawn < grad_samples:
            eta = rng.standard_normal(n)
            _, grad = density(self.transform(eta[None])[0])
            if grad is None:
                dropped += 1
                if dropped >= 10 * grad_samples:
                    raise SamplingError(f"the gradient of the log density was not finite at {dropped} draws of the "
                                        "approximation; the model may be ill-conditioned or misspecified.")
                continue
            drawn += 1
            mu_grad += grad
            if self.kind == "meanfield":
                scale_grad += grad * eta
            else:
                scale_grad += np.tril(np.outer(grad, eta))
        mu_grad /= grad_samples
        scale_grad /= grad_samples
        if self.kind == "meanfield":
            scale_grad = scale_grad * np.exp(self.params[1]) + 1.0
        else:
            scale_grad[np.diag_indices(n)] += 1.0 / np.diag(self.params[1])
        return [mu_grad, scale_grad]

    def elbo(self, density: _Density, elbo_samples: int, rng: np.random.Generator) -> float:
        """Monte Carlo ELBO (Stan's ``calc_ELBO``): draws where the density fails are redrawn, up to
        ``elbo_samples`` of them."""
        total, drawn, dropped = 0.0, 0, 0
        while drawn < elbo_samples:
            lp, _ = density(self.transform(rng.standard_normal((1, self.mu.size)))[0])
            if not math.isfinite(lp):
                dropped += 1
                if dropped >= elbo_samples:
                    raise SamplingError(f"the log density was not finite at {dropped} draws of the approximation; "
                                        "the model may be ill-conditioned or misspecified.")
                continue
            total += lp
            drawn += 1
        return total / elbo_samples + self.entropy()


def _sga_step(family: _Family, grad: list[np.ndarray], history: list[np.ndarray], eta: float, t: int) -> None:
    """Stan's adaptive step: ``s_t = g^2`` at t = 1, then ``0.9 s + 0.1 g^2``; ``+= eta/sqrt(t) g/(1+sqrt(s))``."""
    for k, g in enumerate(grad):
        history[k] = g * g if t == 1 else 0.9 * history[k] + 0.1 * g * g
        family.params[k] = family.params[k] + (eta / math.sqrt(t)) * g / (1.0 + np.sqrt(history[k]))


def _adapt_eta(kind: str, init: np.ndarray, density: _Density, rng: np.random.Generator, adapt_iter: int,
               grad_samples: int, elbo_samples: int) -> float:
    """Stan's ``advi::adapt_eta``: ``adapt_iter`` steps with each eta of 100, 10, 1, 0.1, 0.01 from the
    initial approximation; stop at the first eta whose ELBO is worse than the previous one's."""
    family = _Family(kind, init)
    try:
        elbo_init = family.elbo(density, elbo_samples, rng)
    except SamplingError:
        raise SamplingError("the ELBO cannot be computed at the initial approximation; the model may be "
                            "severely ill-conditioned or misspecified.") from None
    elbo_best = -math.inf
    eta_best = 0.0
    for index, eta in enumerate(_ETA_SEQUENCE):
        family = _Family(kind, init)
        history = [np.zeros_like(p) for p in family.params]
        with np.errstate(all="ignore"):
            for t in range(1, adapt_iter + 1):
                try:
                    grad = family.elbo_grad(density, grad_samples, rng)
                except SamplingError:
                    grad = [np.zeros_like(p) for p in family.params]
                _sga_step(family, grad, history, eta, t)
            try:
                elbo = family.elbo(density, elbo_samples, rng)
            except SamplingError:
                elbo = -math.inf
        if not math.isfinite(elbo):
            elbo = -math.inf
        if elbo < elbo_best and elbo_best > elbo_init:
            return eta_best
        if index < len(_ETA_SEQUENCE) - 1:
            elbo_best, eta_best = elbo, eta
        elif elbo > elbo_init:
            return eta
    raise SamplingError("every proposed step size (eta = 100, 10, 1, 0.1, 0.01) failed; the model may be "
                        "severely ill-conditioned or misspecified.")


def advi(log_prob_grad: LogProbGrad, init: np.ndarray, algorithm: str, *, iter: int, seed: int,
         grad_samples: int = 1, elbo_samples: int = 100, eta: float | None = None, adapt_iter: int = 50,
         tol_rel_obj: float = 0.01, eval_elbo: int = 100, output_samples: int = 1000) -> ApproximateDraws:
    """Stan's ADVI with the mean-field or full-rank normal family.

    Parameters
    ----------
    log_prob_grad : callable
        Log density (Jacobian included) and its gradient at an unconstrained point.
    init : array
        The unconstrained starting mean (:func:`random_inits` gives Stan's).
    algorithm : {"meanfield", "fullrank"}
    iter : int
        Maximum stochastic gradient steps (brms passes its ``iter``).
    seed : int
    grad_samples, elbo_samples, adapt_iter, tol_rel_obj, eval_elbo, output_samples
        CmdStan's arguments of the same names (:data:`ADVI_DEFAULTS`).
    eta : float, optional
        The step size; ``None`` adapts it as CmdStan's ``adapt engaged=1``.

    Returns
    -------
    ApproximateDraws
        ``log_g`` is CmdStan's ``log_g__`` (``-0.5 |z|^2``); ``info`` has ``eta``, ``iterations``,
        ``converged`` (1/0), ``elbo``, ``gradients`` and ``pareto_k`` (of ``log_p - log_g``).

    Raises
    ------
    brmspy.core.errors.SamplingError
        For bad settings, or when the ELBO cannot be computed (naming the way out).
    """
    if algorithm not in ("meanfield", "fullrank"):
        raise SamplingError(f"advi: algorithm must be 'meanfield' or 'fullrank', got {algorithm!r}")
    for name, value in (("iter", iter), ("grad_samples", grad_samples), ("elbo_samples", elbo_samples),
                        ("adapt_iter", adapt_iter), ("eval_elbo", eval_elbo), ("output_samples", output_samples)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise SamplingError(f"{algorithm}: {name} must be a positive integer, got {value!r}")
    if not (isinstance(tol_rel_obj, (int, float)) and tol_rel_obj > 0):
        raise SamplingError(f"{algorithm}: tol_rel_obj must be positive, got {tol_rel_obj!r}")
    if eta is not None and not (isinstance(eta, (int, float)) and eta > 0):
        raise SamplingError(f"{algorithm}: eta must be positive, got {eta!r}")
    density = log_prob_grad if isinstance(log_prob_grad, _Density) else _Density(log_prob_grad)
    rng = np.random.default_rng(int(seed))
    init = np.asarray(init, dtype=np.float64).ravel()
    with _one_blas_thread():
        return _advi(density, init, algorithm, int(iter), rng, int(grad_samples), int(elbo_samples), eta,
                     int(adapt_iter), float(tol_rel_obj), int(eval_elbo), int(output_samples))


def _advi(density: _Density, init: np.ndarray, algorithm: str, iter: int, rng: np.random.Generator,
          grad_samples: int, elbo_samples: int, eta: float | None, adapt_iter: int, tol_rel_obj: float,
          eval_elbo: int, output_samples: int) -> ApproximateDraws:
    try:
        if eta is None:
            eta = _adapt_eta(algorithm, init, density, rng, int(adapt_iter), int(grad_samples), int(elbo_samples))
        family = _Family(algorithm, init)
        history = [np.zeros_like(p) for p in family.params]
        window: list[float] = []
        window_size = int(max(0.1 * iter / eval_elbo, 2.0))
        elbo, converged, t = 0.0, False, 0
        for t in range(1, int(iter) + 1):
            grad = family.elbo_grad(density, int(grad_samples), rng)
            _sga_step(family, grad, history, float(eta), t)
            if t % eval_elbo == 0:
                elbo_prev = elbo
                elbo = family.elbo(density, int(elbo_samples), rng)
                window.append(abs((elbo - elbo_prev) / elbo) if elbo != 0 else math.inf)
                del window[:-window_size]
                if sum(window) / len(window) < tol_rel_obj or median(window) < tol_rel_obj:
                    converged = True
                    break
    except SamplingError as exc:
        raise SamplingError(f"algorithm={algorithm!r}: {exc} Use algorithm='sampling', or give init= values.") from None
    if not all(np.all(np.isfinite(p)) for p in family.params):
        raise SamplingError(f"algorithm={algorithm!r}: the approximation diverged (non-finite parameters); "
                            "use algorithm='sampling'.")
    z = rng.standard_normal((int(output_samples), init.size))
    theta = family.transform(z)
    log_g = -0.5 * np.einsum("ij,ij->i", z, z)
    # CmdStan stops here; brmspy also evaluates the model at each draw (CmdStan's log_p__) for the
    # Pareto k of the importance ratios p/q, which says whether the draws are near the posterior at
    # all (Yao et al. 2018): ADVI's ELBO can converge far from it, as on sleepstudy.
    log_p = np.array([density(row)[0] for row in theta])
    info = {"eta": float(eta), "iterations": float(t), "converged": float(converged), "elbo": float(elbo),
            "gradients": float(density.calls), "pareto_k": pareto_k(log_p - log_g)}
    return ApproximateDraws(theta=theta, log_g=log_g, log_p=log_p, info=info)


def pareto_k(log_ratio: np.ndarray) -> float:
    """Pareto k of importance ratios ``log p - log q`` (ArviZ's PSIS; infinite when no ratio is finite).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> pareto_k(0.01 * rng.standard_normal(1000)) < 0.7   # q close to p: nearly equal weights
    True
    >>> pareto_k(3 * rng.standard_normal(1000)) > 0.7   # heavy-tailed weights: a poor q
    True
    """
    ratio = np.asarray(log_ratio, dtype=np.float64)
    ratio = ratio[np.isfinite(ratio)]
    return _psis(ratio)[1] if ratio.size else math.inf


def _psis(log_ratio: np.ndarray) -> tuple[np.ndarray, float]:
    """ArviZ's Pareto-smoothed log weights and Pareto k of finite importance ratios ``log p - log q``."""
    if np.ptp(log_ratio) == 0:  # q = p up to a constant: equal weights (ArviZ refuses a constant tail)
        return np.zeros(log_ratio.size), -math.inf
    from arviz_stats.base import array_stats

    # ArviZ's psislw takes a log-likelihood (weights 1 / likelihood): the log ratios negated
    log_w, khat = array_stats.psislw(-log_ratio)
    return np.asarray(log_w, dtype=np.float64), float(khat)
