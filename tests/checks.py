"""Reusable assertions for tests of families and terms.

- :func:`assert_golden`: generated Stan code equals ``tests/golden/<name>.stan``.
- :func:`assert_same_log_density`: two programs of one model give the same log density and
  gradient at random unconstrained points (exact rewrites: threads, reductions, tuning).
- :func:`assert_loglik_matches_stan`: brmspy's numpy log-likelihood equals Stan's
  log density with the likelihood minus without it (``prior_only=1``), at the
  same unconstrained points, so both code paths agree exactly.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import numpy as np
import pytest
import stanli

GOLDEN = Path(__file__).parent / "golden"


def assert_golden(name: str, code: str, update: bool) -> None:
    """``code`` equals the golden file ``tests/golden/<name>.stan`` and stanc accepts it."""
    import stanli

    stanli.stan_to_mir(code)  # raises with stanc's message
    path = GOLDEN / f"{name}.stan"
    if update or not path.exists():
        path.write_text(code)
        if not update:
            pytest.fail(f"golden file {path.name} was missing and has been written; review and commit it")
    expected = path.read_text()
    if code != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), code.splitlines(True), "golden", "generated"))
        pytest.fail(f"generated code differs from {path.name} (rerun with --update-golden after review):\n{diff}")


def parameter_names(code: str) -> list[str]:
    block = code[code.index("\nparameters {") : code.index("\n}\n", code.index("\nparameters {"))]
    return [line.split(";")[0].split()[-1] for line in block.splitlines()[1:] if ";" in line and not line.strip().startswith("//")]


def assert_same_log_density(reference, others, *, label: str = "", points: int = 3, spread: float = 1.0,
                            rtol: float = 1e-10, grad_rtol: float = 1e-8, grad_atol: float = 1e-9, seed: int = 0) -> None:
    """``others`` (stanli models) equal ``reference`` in log density and gradient at ``points``
    random unconstrained points in ``[-spread, spread]`` inside ``reference``'s support."""
    rng = np.random.default_rng(seed)
    compared = 0
    for _ in range(40):
        theta = rng.uniform(-spread, spread, reference.n_unconstrained)
        try:
            lp, grad = reference.log_prob_grad(theta)
        except (RuntimeError, ValueError):
            continue  # outside the support (e.g. a negative sqrt-link mean)
        for m in others:
            lp2, grad2 = m.log_prob_grad(theta)
            np.testing.assert_allclose(lp2, lp, rtol=rtol, err_msg=label)
            np.testing.assert_allclose(grad2, grad, rtol=grad_rtol, atol=grad_atol, err_msg=label)
        compared += 1
        if compared == points:
            return
    pytest.fail(f"{label}: too few points inside the support")


def assert_predictions_within_bounds(fit, n: int, *, means: bool = False,
                                    infinite_mean: tuple[str, float] | None = None) -> None:
    """20 draws of ``posterior_predict``/``posterior_epred`` are finite with shape (20, n), and the
    predictions (with ``means`` the expected values too) respect ``trunc()`` bounds.

    ``infinite_mean=(dpar, bound)``: the family's mean does not exist where ``dpar >= bound``
    (gen_extreme_value's ``xi >= 1``); ``posterior_epred`` must be ``inf`` exactly there."""
    import brmspy as bp

    pp = bp.posterior_predict(fit, ndraws=20, seed=1)
    ep = bp.posterior_epred(fit, ndraws=20, seed=1)
    assert pp.shape == ep.shape == (20, n) and np.isfinite(pp).all()
    if infinite_mean is None:
        assert np.isfinite(ep).all()
    else:
        none = bp.posterior_epred(fit, ndraws=20, seed=1, dpar=infinite_mean[0]) >= infinite_mean[1]
        assert np.isposinf(ep[none]).all() and np.isfinite(ep[~none]).all()
    adds = fit.frame.responses[""].adds
    if adds is not None and adds.truncated:
        lb = adds.lb if adds.lb is not None else -np.inf
        ub = adds.ub if adds.ub is not None else np.inf
        assert (pp >= lb).all() and (pp <= ub).all()
        if means:
            assert (ep >= lb).all() and (ep <= ub).all()


def assert_loglik_matches_stan(fit, draws: tuple[int, ...] = (0, 1, -1), rel: float = 1e-8, *,
                               cholesky_rounding: bool = False) -> None:
    """numpy's summed log_lik at ``draws`` (of chain 1) equals Stan's density with minus without the
    likelihood, within ``rel`` (and 1e-6 absolute).

    ``cholesky_rounding``: for likelihoods through the Cholesky factor of a nearly singular covariance
    (an exact GP's kernel matrix plus its 1e-12 nugget: condition numbers up to 1e15), where two float64
    factorisations (Stan's Eigen, numpy's LAPACK) differ by their rounding alone (by up to 1e-4 in the log
    likelihood, as far from an 80-bit factorisation as from each other). Each draw's tolerance then grows
    by 4 standard deviations of that rounding's effect: numpy's log_lik with every factor taken of
    ``K + dK``, ``dK_ij = (n + 1) u sqrt(K_ii K_jj) xi_ij`` (Cholesky's backward error bound, Higham 2002,
    Theorem 10.3; u = 2^-53, xi symmetric uniform(-1, 1)), over 8 perturbations, times sqrt(2) (both sides round).
    """
    from brmspy.prediction.core import log_lik

    model = stanli.Model(stan_code=fit.stancode(), data=fit.standata())
    model_prior = stanli.Model(stan_code=fit.stancode(), data={**fit.standata(), "prior_only": 1})
    ll = log_lik(fit).sum(axis=1)
    ndraw = fit.stan_draws.ndraws
    rounding = _cholesky_rounding_sd(fit) if cholesky_rounding else np.zeros(len(ll))
    for draw in draws:
        draw = draw % ndraw
        values = {n: fit.stan_draws.params[n][0, draw] for n in parameter_names(fit.stancode()) if n in fit.stan_draws.params}
        theta = model.unconstrain(values)
        lp_full, _ = model.log_prob_grad(theta)
        lp_prior, _ = model_prior.log_prob_grad(theta)
        tol = max(rel * abs(ll[draw]), 1e-6) + 4 * np.sqrt(2) * rounding[draw]
        assert abs(lp_full - lp_prior - ll[draw]) <= tol, (draw, lp_full - lp_prior, ll[draw], tol)


def _cholesky_rounding_sd(fit, repeats: int = 8) -> np.ndarray:
    """Per draw, the sd of numpy's summed log_lik when each Cholesky factor is taken of a matrix moved by
    float64 Cholesky's backward error bound (:func:`assert_loglik_matches_stan`)."""
    from unittest import mock

    from brmspy.prediction.core import log_lik

    rng = np.random.default_rng(0)
    exact = np.linalg.cholesky

    def perturbed(K):
        K = np.asarray(K, dtype=float)
        n = K.shape[-1]
        xi = rng.uniform(-1, 1, K.shape)
        xi = (xi + np.swapaxes(xi, -1, -2)) / 2
        d = np.sqrt(np.abs(np.diagonal(K, axis1=-2, axis2=-1)))
        return exact(K + (n + 1) * 2.0 ** -53 * d[..., :, None] * d[..., None, :] * xi)

    with mock.patch("numpy.linalg.cholesky", perturbed):
        runs = np.array([log_lik(fit).sum(axis=1) for _ in range(repeats)])
    return runs.std(axis=0, ddof=1)


def assert_recovers(draws: dict, truth: dict[str, float], *, central95: bool = False) -> None:
    """Every posterior mean lies within 4 posterior sds of its true value; with ``central95`` the
    truth also lies in the central 95% interval."""
    for name, value in truth.items():
        x = np.asarray(draws[name])
        assert abs(x.mean() - value) < 4 * x.std(), f"{name}: {x.mean():.3f} ± {x.std():.3f}, truth {value}"
        if central95:
            lo, hi = np.quantile(x, [0.025, 0.975])
            assert lo <= value <= hi, f"{name}: 95% interval [{lo:.3f}, {hi:.3f}] misses {value}"


def interval_covers(x: np.ndarray, truth: float, sd_mult: float = 4.0) -> bool:
    return abs(x.mean() - truth) < sd_mult * x.std()


def assert_same_posterior(fit1, fit0, names: list[str]) -> None:
    """Posterior means of two fits of the same posterior agree within Monte Carlo error.

    The difference of means has standard error sqrt(mcse1^2 + mcse2^2) with
    mcse = sd / sqrt(bulk ESS); 4 of those bound a false alarm at about 6e-5 per parameter.
    """
    from brmspy.fit.arviz_io import ess_bulk

    for n in names:
        a, b = fit1.draws_dict[n], fit0.draws_dict[n]
        se = np.sqrt(a.var() / ess_bulk(a) + b.var() / ess_bulk(b))
        assert abs(a.mean() - b.mean()) < 4 * se, (n, a.mean(), b.mean(), se)


BRMS_PROGRAMS = Path(__file__).parent / "reference" / "brms_programs"


def brms_program(case: str):
    """brms 2.18's program and Stan data of ``case`` (tools/brms_program_reference.R) as a stanli model.

    brms 2.18 writes Stan's pre-2.33 array syntax (``int[] j``, ``vector[N] z[M]``); it is
    rewritten to ``array[...]`` declarations, which changes nothing else.
    """
    import re

    code = (BRMS_PROGRAMS / f"{case}.stan").read_text(encoding="utf-8")
    code = re.sub(r"\b(int|real|vector|row_vector|matrix)\[\] (\w+)", r"array[] \1 \2", code)
    dims = r"\[((?:[^\[\]]|\[[^\]]*\])+)\]"  # [...] with one level of nested brackets
    code = re.sub(rf"^(\s*)((?:vector|row_vector|matrix)(?:<[^>]*>)?{dims}) (\w+){dims};",
                  r"\1array[\5] \2 \4;", code, flags=re.M)
    code = re.sub(rf"^(\s*)(int|real)(<[^>]*>)? (\w+){dims};", r"\1array[\5] \2\3 \4;", code, flags=re.M)
    return stanli.Model(stan_code=code, data=(BRMS_PROGRAMS / f"{case}.json").read_text(encoding="utf-8"))


def assert_same_named_log_density(reference, other, points: list[dict], *, rtol: float = 1e-10, label: str = "") -> None:
    """Two stanli models with the same parameter names (in any order) give the same log density at
    each point of constrained ``points`` (name -> value)."""
    for values in points:
        lp = reference.log_prob_grad(reference.unconstrain(values))[0]
        lp2 = other.log_prob_grad(other.unconstrain(values))[0]
        np.testing.assert_allclose(lp2, lp, rtol=rtol, err_msg=label)
