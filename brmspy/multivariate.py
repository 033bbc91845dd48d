"""Multivariate models: residual correlations, their priors, draws and predictions.

``bf("y1 ~ x") + bf("y2 ~ x") + set_rescor(True)`` models gaussian (or
student) responses jointly, as brms does: per row the responses follow a
multivariate normal (t) distribution with means ``Mu[n] = [mu_y1[n], mu_y2[n]]'``
and covariance ``diag(sigma) * Rescor * diag(sigma)``; ``Lrescor`` is the
Cholesky factor of ``Rescor`` with an ``lkj(1)`` prior (class ``rescor``).
Student models share one ``nu``.  The Stan code is in
:mod:`brmspy.codegen.multivariate`; this module holds the checks, the prior
rows, the brms names of the draws (``rescor__y1__y2``) and the numpy
predictions over all responses (log-likelihood and predictive draws).
"""

from __future__ import annotations

import logging
import math
import warnings
from typing import TYPE_CHECKING, Callable

import numpy as np

from .core.errors import FamilyError, FormulaError

if TYPE_CHECKING:  # pragma: no cover
    from .core.types import ParamInfo, PriorRow
    from .fit import BrmsFit
    from .formula.terms import BrmsTerms
    from .frame import ModelFrame

logger = logging.getLogger("brmspy")

#: addition terms allowed on the responses of a model with residual correlations
RESCOR_ADDITIONS = ("weights",)


# ------------------------------------------------------------------- terms


def check_rescor(responses: list["BrmsTerms"]) -> None:
    """Check that ``set_rescor(True)`` is possible and mark student's ``nu`` as shared.

    Raises
    ------
    FamilyError
        Unless all responses are gaussian or all are student.
    FormulaError
        For addition terms or formulas brms does not allow with residual correlations.
    """
    fams = [r.family.name for r in responses]
    if any(f not in ("gaussian", "student") for f in fams) or len(set(fams)) != 1:
        raise FamilyError(
            f"Residual correlations (set_rescor(True)) need all responses gaussian or all student; got "
            f"{', '.join(f'{r.resp}: {f}' for r, f in zip(responses, fams))}. Use set_rescor(False) to model "
            "the responses jointly without residual correlations (other families are then allowed)."
        )
    for r in responses:
        bad = [a.name for a in r.response.additions if a.name not in RESCOR_ADDITIONS]
        if bad:
            raise FormulaError(
                f"'{bad[0]}()' on response {r.response.expr!r} is not supported with residual correlations "
                f"(allowed: {', '.join(f'{a}()' for a in RESCOR_ADDITIONS)}); use set_rescor(False)."
            )
        if r.nonlinear:
            raise FormulaError(f"Non-linear formulas are not supported with residual correlations yet (response {r.resp!r}).")
        if r.family.name == "student":
            if "nu" in r.parts or "nu" in r.fixed:
                raise FormulaError(
                    f"With residual correlations all responses share one 'nu'; remove the formula or value of nu "
                    f"from response {r.resp!r}."
                )
            r.shared = ("nu",)
    weights = {a.args.get("w") for r in responses for a in r.response.additions if a.name == "weights"}
    has_w = [r.response.addition("weights") is not None for r in responses]
    if any(has_w) and (not all(has_w) or len(weights) != 1):
        raise FormulaError(
            "With residual correlations a row has one weight: give every response the same 'weights(w)'."
        )


def default_rescor(responses: list["BrmsTerms"]) -> bool:
    """brms's ``rescor`` when the formula does not say (no ``set_rescor()``), with brms's message.

    brms (2.18 and current, ``validate_formula.mvbrmsformula``) models residual correlations
    when every response is gaussian, or every response is student, no family is a mixture
    and no response has ``| mi()``; it says so with a message and warns that the default may
    become FALSE in the future.  Otherwise it sets FALSE, with a message.  Both formula forms
    (``bf() + bf()`` and ``mvbind()``) come through here.
    """
    fams = [r.family for r in responses]
    allowed = len({f.name for f in fams}) == 1 and fams[0].name in ("gaussian", "student")
    with_mi = any(r.response.addition("mi") is not None for r in responses)
    if not allowed or with_mi:
        logger.info("Setting 'rescor' to FALSE by default for this model")
        return False
    warnings.warn(
        f"Setting 'rescor' to TRUE by default for this model: the residuals of the {fams[0].name} responses "
        f"{', '.join(r.resp for r in responses)} are modelled as correlated, as brms does. Add set_rescor(True) "
        "to keep them (and silence this warning) or set_rescor(False) for uncorrelated residuals; brms warns "
        "that its default will become FALSE in the future, so set it explicitly.",
        UserWarning, stacklevel=5,
    )
    return True


def resolve_rescor(rescor: bool | None, responses: list["BrmsTerms"]) -> bool:
    """The ``rescor`` of a multivariate model: the formula's, else :func:`default_rescor`; checked when True.

    Raises
    ------
    FamilyError, FormulaError
        When residual correlations are not possible for these responses (see :func:`check_rescor`).
    """
    if rescor is not None:
        if rescor:
            check_rescor(responses)
        return bool(rescor)
    if not default_rescor(responses):
        return False
    try:
        check_rescor(responses)
    except (FamilyError, FormulaError) as exc:
        raise type(exc)(
            f"{exc} (Residual correlations are brms's default for all-gaussian or all-student responses; "
            "add set_rescor(False) to fit the responses without them.)"
        ) from None
    return True


def is_rescor(frame: "ModelFrame") -> bool:
    return bool(getattr(frame.terms, "rescor", False))


# ------------------------------------------------------------------ priors


def rescor_prior_rows(frame: "ModelFrame") -> list["PriorRow"]:
    """brms's default rows: ``lkj(1)`` on class ``rescor``; ``gamma(2, 0.1)`` on the shared ``nu``."""
    from .core.types import PriorRow
    from .families import DPARS

    rows = [PriorRow("lkj(1)", "rescor")]
    t = frame.response_terms[0]
    if "nu" in t.shared:
        rows.append(PriorRow(t.family.dpar_prior("nu"), "nu", lb=f"{DPARS['nu'].lower:g}"))
    return rows


# ------------------------------------------------------------------ draws


def rescor_pairs(resps: list[str]) -> list[tuple[str, str]]:
    """Response pairs of the ``rescor`` vector, in the generated program's order."""
    from .core.types import cor_pairs

    return [(resps[j], resps[k]) for j, k in cor_pairs(len(resps))]


def mv_draws(frame: "ModelFrame", params: dict[str, np.ndarray]) -> list[tuple[str, np.ndarray, "ParamInfo"]]:
    """brms-named draws of residual correlations, the shared ``nu`` and imputed values ``Ymi``."""
    from .core.types import ParamInfo

    out = []
    if is_rescor(frame):
        resps = [t.resp for t in frame.response_terms]
        rescor = params["rescor"]
        for p, (a, b) in enumerate(rescor_pairs(resps)):
            name = f"rescor__{a}__{b}"
            out.append((name, rescor[..., p], ParamInfo(name, "rescor", coef=f"rescor({a},{b})")))
        if "nu" in frame.response_terms[0].shared:
            out.append(("nu", params["nu"], ParamInfo("nu", "dpar", coef="nu")))
    for t in frame.response_terms:
        rd = frame.responses[t.resp]
        if rd.missing is None:
            continue
        stan = "Ymi" + (f"_{t.resp}" if t.resp else "")
        values = params[stan]
        for k in range(values.shape[-1]):
            name = f"{stan}[{k + 1}]"
            out.append((name, values[..., k], ParamInfo(name, "latent", coef=name)))
    return out


# ------------------------------------------------------------ predictions


def stack_responses(fit: "BrmsFit", one: Callable[["BrmsTerms"], np.ndarray]) -> np.ndarray:
    """``one(terms)`` for every response, stacked to draws × observations × responses."""
    arrays = []
    for t in fit.frame.response_terms:
        a = np.asarray(one(t), dtype=float)
        if a.ndim != 2:
            raise FormulaError(
                f"Response {t.resp!r} gives one value per category; predict it on its own with resp={t.resp!r}."
            )
        arrays.append(a)
    return np.stack(arrays, axis=-1)


def _rescor_parts(ctx, fit: "BrmsFit") -> dict[str, np.ndarray]:
    """Mu and sigma (draws, obs, resp), Lrescor (draws, resp, resp) and nu (draws, 1) of a rescor model."""
    from .prediction import _dpar_values, _flat

    S, N = len(ctx.idx), len(ctx.data)
    mus, sigmas = [], []
    nu = None
    for t in fit.frame.response_terms:
        dp = _dpar_values(ctx, t)
        mus.append(np.broadcast_to(dp["mu"], (S, N)))
        sigmas.append(np.broadcast_to(dp["sigma"], (S, N)))
        if "nu" in dp:
            nu = np.broadcast_to(dp["nu"], (S, 1))
    return {"mu": np.stack(mus, axis=-1), "sigma": np.stack(sigmas, axis=-1),
            "L": _flat(ctx.params["Lrescor"], ctx.idx), "nu": nu}


def _lower_solve(L: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Solve ``L z = u`` by forward substitution: L (S, R, R) lower triangular, u (S, N, R)."""
    z = np.zeros_like(u)
    for i in range(u.shape[-1]):
        acc = u[..., i].copy()
        for j in range(i):
            acc -= L[:, None, i, j] * z[..., j]
        z[..., i] = acc / L[:, None, i, i]
    return z


def rescor_log_density(y: np.ndarray, parts: dict[str, np.ndarray]) -> np.ndarray:
    """Multivariate normal (or t) log density per draw and row; ``y`` is (obs, resp)."""
    mu, sigma, L, nu = parts["mu"], parts["sigma"], parts["L"], parts["nu"]
    R = mu.shape[-1]
    z = _lower_solve(L, (y[None] - mu) / sigma)  # standardized residuals
    q = (z * z).sum(axis=-1)
    logdet = np.log(sigma).sum(axis=-1) + np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=-1)[:, None]
    if nu is None:
        return -0.5 * q - logdet - 0.5 * R * math.log(2 * math.pi)
    from scipy.special import gammaln

    return (gammaln((nu + R) / 2) - gammaln(nu / 2) - 0.5 * R * np.log(nu * math.pi) - logdet
            - (nu + R) / 2 * np.log1p(q / nu))


def mv_log_lik(ctx, fit: "BrmsFit", one: Callable) -> np.ndarray:
    """Pointwise log-likelihood of all responses of a row: the row's joint density with
    residual correlations, else the sum of the responses' densities (brms's ``combine``)."""
    from .prediction import _extras

    terms = fit.frame.response_terms
    if is_rescor(fit.frame):
        rds = [_extras(ctx, t, need_response=True)[0] for t in terms]
        y = np.stack([rd.y for rd in rds], axis=-1).astype(float)
        ll = rescor_log_density(y, _rescor_parts(ctx, fit))
        if rds[0].weights is not None:
            ll = ll * rds[0].weights[None, :]
        return ll
    ll = sum(one(ctx, t) for t in terms)
    if np.isnan(ll).any():
        warnings.warn(
            "NAs in the log-likelihood: some responses are missing (imputed with mi()). "
            "Use resp= for responses without missing values, or newdata with complete rows.",
            UserWarning,
            stacklevel=3,
        )
    return ll


def mv_predict(ctx, fit: "BrmsFit", one: Callable) -> np.ndarray:
    """Posterior predictive draws (draws, obs, resp): joint multivariate normal (t) with
    residual correlations, else each response from its own family."""
    if not is_rescor(fit.frame):
        return stack_responses(fit, lambda t: one(ctx, t))
    parts = _rescor_parts(ctx, fit)
    mu, sigma, L, nu = parts["mu"], parts["sigma"], parts["L"], parts["nu"]
    z = ctx.rng.standard_normal(mu.shape)
    e = np.einsum("sij,snj->sni", L, z)  # correlated standard residuals
    if nu is not None:  # multivariate t: a normal scaled by one chi-square per row
        w = ctx.rng.chisquare(np.broadcast_to(nu, mu.shape[:2])) / nu
        e = e / np.sqrt(w)[..., None]
    return mu + sigma * e


__all__ = ["check_rescor", "default_rescor", "resolve_rescor", "mv_draws", "mv_log_lik", "mv_predict", "rescor_log_density", "rescor_prior_rows",
           "stack_responses"]
