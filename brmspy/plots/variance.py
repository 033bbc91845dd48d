"""Variance decomposition of a fit: intraclass correlations, the share of the variance of each grouping factor."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..core.errors import FamilyError, PlotError
from ..fit.brmsfit import BrmsFit
from ..fit.naming import sd_names
from ..formula.prefix import Prefix
from ..frame.types import group_label
from .ppc import _response


def icc(fit: "BrmsFit", prob: float = 0.95) -> pd.DataFrame:
    """Intraclass correlation of each grouping factor of a random-intercept model.

    Per draw, ``ICC_g = sd_g^2 / (sum_g' sd_g'^2 + residual variance)`` with the
    residual variance on the latent scale:

    * gaussian (identity link): ``sigma^2``;
    * bernoulli / binomial: ``pi^2 / 3`` (logit) or ``1`` (probit);
    * poisson (log link): ``log(1 + 1/lambda)`` with
      ``lambda = exp(eta + sum_g sd_g^2 / 2)`` (Nakagawa et al. 2017, lognormal
      approximation), ``eta`` the mean population-level linear predictor over the
      data (``b_Intercept`` for an intercept-only model);
    * negbinomial (log link): ``log(1 + 1/lambda + 1/shape)``.

    Only models whose group-level terms are all intercepts ``(1 | g)`` of the
    mean qualify.

    Parameters
    ----------
    fit : a fitted model.
    prob : probability of the credible interval.

    Returns
    -------
    pandas.DataFrame with one row per grouping factor and columns
    ``Estimate``, ``Est.Error``, ``Q2.5``, ``Q97.5`` (for ``prob=0.95``).

    Examples
    --------
    >>> icc(bp.brm("y ~ 1 + (1 | g)", df))   # doctest: +SKIP
       Estimate  Est.Error  Q2.5  Q97.5
    g      0.31       0.09  0.15   0.50
    """
    if not 0 < prob < 1:
        raise PlotError(f"prob must be between 0 and 1, got {prob!r}.")
    _, family = _response(fit)
    blocks = fit.frame.blocks
    if not blocks:
        raise PlotError("icc() needs a model with group-level intercepts such as '(1 | g)'; this model has none.")
    for b in blocks:
        slopes = [c.label for c in b.coefs if c.name != "Intercept" or c.prefix.dpar != "mu"]
        if slopes or b.by or b.is_mm:
            raise PlotError(
                f"icc() is defined for group-level intercepts of the mean only; the term for {b.group!r} has "
                f"{'varying effects ' + ', '.join(slopes) if slopes else 'a by/mm structure'}. "
                "Refit with '(1 | g)' terms or report VarCorr() instead."
            )
    draws = fit.draws_dict
    sd2 = {}
    for b in blocks:
        name = group_label(b)
        sd2[name] = sd2.get(name, 0) + np.asarray(draws[sd_names(b)[0][0]], dtype=float).ravel() ** 2
    total_group = sum(sd2.values())
    resid = _latent_residual_variance(fit, family, total_group)
    lo, hi = (1 - prob) / 2, (1 + prob) / 2
    rows = {}
    for g, v in sd2.items():
        ratio = v / (total_group + resid)
        rows[g] = {"Estimate": ratio.mean(), "Est.Error": ratio.std(ddof=1),
                   f"Q{lo * 100:g}": np.quantile(ratio, lo), f"Q{hi * 100:g}": np.quantile(ratio, hi)}
    return pd.DataFrame.from_dict(rows, orient="index")


def _latent_residual_variance(fit: "BrmsFit", family, total_group: np.ndarray) -> np.ndarray | float:
    name, link = family.name, family.link
    t = fit.frame.response_terms[0]
    predicted = [d for d in family.dpars if d != "mu" and d in t.parts]
    if predicted:
        raise PlotError(f"icc() needs constant distributional parameters; {predicted} are predicted in this model.")
    draws = fit.draws_dict
    if name == "gaussian" and link == "identity":
        return np.asarray(draws["sigma"], dtype=float).ravel() ** 2
    if name in ("bernoulli", "binomial") and link in ("logit", "probit", "probit_approx"):
        return math.pi ** 2 / 3 if link == "logit" else 1.0
    if name in ("poisson", "negbinomial") and link == "log":
        lam = np.exp(_mean_linear_predictor(fit) + total_group / 2)
        extra = 1.0 / np.asarray(draws["shape"], dtype=float).ravel() if name == "negbinomial" else 0.0
        return np.log1p(1.0 / lam + extra)
    raise FamilyError(
        f"icc() supports gaussian (identity), bernoulli/binomial (logit, probit) and poisson/negbinomial (log) "
        f"models; this model is {name!r} with link {link!r}."
    )


def _mean_linear_predictor(fit: "BrmsFit") -> np.ndarray:
    """Per draw, the population-level linear predictor of mu averaged over the data rows."""
    t = fit.frame.response_terms[0]
    design = fit.frame.designs[Prefix(t.resp, "mu")]
    draws = fit.draws_dict
    n = fit.ndraws()
    eta = np.zeros(n)
    if design.X is None:
        return eta + (np.asarray(draws[f"b_{design.prefix.label}Intercept"], dtype=float).ravel() if design.intercept else 0)
    xbar = design.X.mean(axis=0)
    names = (["Intercept"] if design.intercept else []) + list(design.coef_names)
    for w, c in zip(xbar, names):
        eta = eta + w * np.asarray(draws[f"b_{design.prefix.label}{c}"], dtype=float).ravel()
    return eta
