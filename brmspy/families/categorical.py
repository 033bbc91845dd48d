"""Categorical-type families: categorical, multinomial, dirichlet (brms's parametrisations).

One linear predictor per non-reference category, named ``mu<Category>`` as in
brms (``muB``, ``muC``; labels reduced to alphanumerics).  The reference
category's predictor is fixed at 0 and the category probabilities are the
softmax of ``[.., 0, muB, muC, ..]`` (in category order).

- categorical: ``y`` is one category per row (factor, strings or integers);
  ``P(y = k) = softmax(eta)[k]``.
- multinomial: ``cbind(y1, y2, y3) | trials(n) ~ x``; counts per category,
  ``y ~ multinomial(n, softmax(eta))``.
- dirichlet: ``cbind(p1, p2, p3) ~ x``; proportions summing to 1 per row,
  ``y ~ dirichlet(softmax(eta) * phi)`` with precision ``phi`` (log link).
- dirichlet_multinomial (brms 2.19): ``cbind(y1, y2, y3) | trials(n) ~ x``; counts per category with
  over-dispersion, ``y ~ dirichlet_multinomial(softmax(eta) * phi)`` (brms's
  ``dirichlet_multinomial_logit2_lpmf``, the full pmf with its multinomial coefficient).
- logistic_normal: ``cbind(p1, p2, p3) ~ x``; proportions whose log-ratios to the reference category
  are multivariate normal, ``log(y_k / y_ref) ~ MVN(mu, diag(sigma) Lncor diag(sigma))``, with one
  ``sigma<Category>`` per non-reference category (constant or predicted) and the correlation
  matrix ``Lncor`` (class ``lncor``, ``lkj(1)``), brms's ``logistic_normal_cholesky_cor_lpdf``.
- dirichlet2: as dirichlet, but every category has a predictor (no reference) and
  ``y ~ dirichlet(alpha)`` with ``alpha_k = exp(eta_k)`` (brms's ``refcat = NA``; no ``phi``).

Which categories exist is only known from the data, so the family's spec has
the single dpar ``mu``; :func:`expand_parts` replaces it by one part per
non-reference category when the model frame is built.  Formulas for single
categories (``bf("y ~ x", "muC ~ z")``) are accepted because the spec's dpar
tuple also "contains" every ``mu<Category>`` name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.errors import DataError, FamilyError
from ..core.lazy import lazy_module
from ..core.templates import StanFunction
from .core import Family, FamilyMath, FamilySpec, Likelihood, args_of, brmsfamily, register
from .kinds import Categorical

special = lazy_module("scipy.special")  # imported at first use: brmspy.core.lazy

CATEGORY_FAMILIES = ("categorical", "multinomial", "dirichlet", "dirichlet2", "dirichlet_multinomial", "logistic_normal")
_MU_NAME = re.compile(r"mu[A-Za-z0-9]+")
SIGMA_NAME = re.compile(r"sigma[A-Za-z0-9]+")  # logistic_normal's sigma<Category>


class CategoryDpars(tuple):
    """The dpars of a categorical-type family: ``mu`` stands for ``mu<Category>`` of each category.

    ``"muC" in dpars`` is true for any ``mu<Label>`` so that per-category
    formulas pass the formula checks; iteration yields the fixed dpars only.
    """

    def __contains__(self, name: object) -> bool:
        return tuple.__contains__(self, name) or (isinstance(name, str) and _MU_NAME.fullmatch(name) is not None)


class LogisticNormalDpars(CategoryDpars):
    """logistic_normal's dpars: also ``sigma<Category>`` of each non-reference category."""

    def __contains__(self, name: object) -> bool:
        return CategoryDpars.__contains__(self, name) or (isinstance(name, str) and SIGMA_NAME.fullmatch(name) is not None)


@dataclass(frozen=True, repr=False)
class CategoricalFamily(Family):
    """A categorical-type family with its reference category (``refcat``; None: the first)."""

    refcat: str | None = None

    def __repr__(self) -> str:
        ref = f"\n  Reference category: {self.refcat}" if self.refcat is not None else ""
        return Family.__repr__(self) + ref


def _make(name: str, link: str | None, refcat, **dpar_links: str) -> CategoricalFamily:
    fam = brmsfamily(name, link=link, **dpar_links)
    return CategoricalFamily(fam.name, fam.links, fam.threshold, None if refcat is None else str(refcat))


def categorical(link: str = "logit", refcat=None) -> CategoricalFamily:
    """The categorical family (unordered categories), as brms's ``categorical()``.

    Parameters
    ----------
    link : only ``"logit"`` (softmax of one predictor per non-reference category).
    refcat : the reference category (its predictor is 0); None: the first level.

    Examples
    --------
    >>> categorical(refcat="b").refcat
    'b'
    """
    return _make("categorical", link, refcat)


def multinomial(link: str = "logit", refcat=None) -> CategoricalFamily:
    """The multinomial family for count matrices: ``bf("cbind(y1, y2, y3) | trials(n) ~ x")``.

    Examples
    --------
    >>> multinomial().name
    'multinomial'
    """
    return _make("multinomial", link, refcat)


def dirichlet(link: str = "logit", link_phi: str = "log", refcat=None) -> CategoricalFamily:
    """The dirichlet family for proportions summing to 1: ``bf("cbind(p1, p2, p3) ~ x")``.

    Examples
    --------
    >>> dirichlet().links["phi"]
    'log'
    """
    return _make("dirichlet", link, refcat, link_phi=link_phi)


# ------------------------------------------------------------- responses


def dpar_label(level: str) -> str:
    """brms's dpar of a category: ``mu`` + the label's alphanumerics (``"B"`` -> ``muB``)."""
    label = re.sub(r"[^A-Za-z0-9]", "", str(level))
    return "mu" + label


def _level_str(v) -> str:
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def categorical_response(y: pd.Series, name: str, fam: str) -> tuple[np.ndarray, list[str]]:
    """1-based category codes and labels of a categorical response (factor, strings or integers)."""
    if isinstance(y.dtype, pd.CategoricalDtype):
        levels = [_level_str(c) for c in y.cat.categories]
        codes = y.cat.codes.to_numpy().astype(np.int64) + 1
    else:
        values = pd.Series(y).to_numpy()
        if pd.api.types.is_bool_dtype(y.dtype):
            values = values.astype(np.int64)
        uniq = sorted(pd.unique(values), key=lambda v: (isinstance(v, str), v))
        levels = [_level_str(v) for v in uniq]
        lookup = {v: i + 1 for i, v in enumerate(uniq)}
        codes = np.array([lookup[v] for v in values], dtype=np.int64)
    if len(levels) < 2:
        raise DataError(
            f"Family {fam!r} needs at least 2 response categories, but {name!r} has {len(levels)} "
            f"({', '.join(levels) or 'none'})."
        )
    return codes, levels


def reference_index(family: Family, levels: list[str]) -> int | None:
    """0-based position of the reference category (``refcat``, else the first); None without one
    (dirichlet2: brms's ``refcat = NA``, every category predicted)."""
    if not family.kind.joint_link:
        return None
    refcat = getattr(family, "refcat", None)
    if refcat is None:
        return 0
    if refcat not in levels:
        raise DataError(f"refcat {refcat!r} is not a response category; categories: {', '.join(levels)}.")
    return levels.index(refcat)


def sigma_dpars(family: Family, levels: list[str]) -> list[str]:
    """logistic_normal's ``sigma<Category>`` of every non-reference category, in category order."""
    return ["sigma" + n[2:] for n in category_dpars(family, levels)]


def category_dpars(family: Family, levels: list[str]) -> list[str]:
    """``mu<Category>`` of every non-reference category, in category order."""
    ref = reference_index(family, levels)
    names = [dpar_label(lv) for i, lv in enumerate(levels) if ref is None or i != ref]
    if any(n == "mu" for n in names) or len(set(names)) != len(names):
        raise DataError(
            f"The response categories {levels} do not give distinct parameter names {names}; "
            "rename the categories (letters and digits)."
        )
    return names


# ----------------------------------------------------------------- numpy


def _log_probs(dp) -> np.ndarray:
    return special.log_softmax(np.asarray(dp["mu"], dtype=float), axis=-1)


def _categorical_math() -> FamilyMath:
    def loglik(y, dp, ex):
        lp = _log_probs(dp)
        y = np.broadcast_to(np.asarray(y, dtype=np.int64), lp.shape[:-1])
        return np.take_along_axis(lp, (y - 1)[..., None], axis=-1)[..., 0]

    def epred(dp, ex):
        return np.exp(_log_probs(dp))  # (draws, obs, ncat)

    def rng(dp, ex, gen):
        p = np.exp(_log_probs(dp))
        u = gen.uniform(size=p.shape[:-1])[..., None]
        return np.minimum((u > np.cumsum(p, axis=-1)).sum(axis=-1) + 1, p.shape[-1])

    return FamilyMath(loglik, epred, rng)


def _multinomial_rng(p: np.ndarray, n: np.ndarray, gen) -> np.ndarray:
    """Multinomial counts of ``n`` trials with probabilities ``p`` (last axis), by sequential binomials."""
    out = np.zeros(p.shape, dtype=np.int64)
    left = n.copy()
    rest = np.ones(p.shape[:-1])
    for k in range(p.shape[-1] - 1):
        q = np.clip(p[..., k] / np.maximum(rest, 1e-300), 0, 1)
        out[..., k] = gen.binomial(left, q)
        left = left - out[..., k]
        rest = rest - p[..., k]
    out[..., -1] = left
    return out


def _multinomial_math() -> FamilyMath:
    def loglik(y, dp, ex):
        lp = _log_probs(dp)
        y = np.asarray(y, dtype=float)
        n = y.sum(axis=-1)
        terms = np.where(y > 0, y * lp, 0.0)
        return special.gammaln(n + 1) - special.gammaln(y + 1).sum(axis=-1) + terms.sum(axis=-1)

    def epred(dp, ex):
        return np.exp(_log_probs(dp)) * np.asarray(ex.trials, dtype=float)[:, None]

    def rng(dp, ex, gen):
        p = np.exp(_log_probs(dp))
        return _multinomial_rng(p, np.broadcast_to(np.asarray(ex.trials, dtype=np.int64), p.shape[:-1]), gen)

    return FamilyMath(loglik, epred, rng)


def _dirichlet_math() -> FamilyMath:
    def alpha(dp):
        phi = np.asarray(dp["phi"], dtype=float)
        return np.exp(_log_probs(dp)) * phi[..., None]

    def loglik(y, dp, ex):
        a = alpha(dp)
        y = np.asarray(y, dtype=float)
        return (special.gammaln(a.sum(axis=-1)) - special.gammaln(a).sum(axis=-1)
                + ((a - 1) * np.log(y)).sum(axis=-1))

    def epred(dp, ex):
        return np.exp(_log_probs(dp))

    def rng(dp, ex, gen):
        g = gen.gamma(alpha(dp))
        return g / g.sum(axis=-1, keepdims=True)

    return FamilyMath(loglik, epred, rng)


def _dirichlet_multinomial_math() -> FamilyMath:
    def alpha(dp):
        return np.exp(_log_probs(dp)) * np.asarray(dp["phi"], dtype=float)[..., None]

    def loglik(y, dp, ex):  # brms's dirichlet_multinomial_logit2_lpmf
        a = alpha(dp)
        phi = a.sum(axis=-1)
        y = np.asarray(y, dtype=float)
        n = y.sum(axis=-1)
        return (special.gammaln(phi) + special.gammaln(n + 1) - special.gammaln(n + phi)
                + (special.gammaln(y + a) - special.gammaln(a) - special.gammaln(y + 1)).sum(axis=-1))

    def epred(dp, ex):
        return np.exp(_log_probs(dp)) * np.asarray(ex.trials, dtype=float)[:, None]

    def rng(dp, ex, gen):  # category probabilities from the dirichlet, then the multinomial counts
        g = gen.gamma(alpha(dp))
        p = g / g.sum(axis=-1, keepdims=True)
        return _multinomial_rng(p, np.broadcast_to(np.asarray(ex.trials, dtype=np.int64), p.shape[:-1]), gen)

    return FamilyMath(loglik, epred, rng)


def _logistic_normal_math() -> FamilyMath:
    # dp: "mu" (draws, obs, ncat) with 0 at the reference, "sigma" (draws, obs, ncat - 1),
    # "Llncor" (draws, ncat - 1, ncat - 1), "ref" the reference's 0-based position
    def parts(dp):
        ref = int(np.asarray(dp["ref"]).flat[0])  # a number (predictions may broadcast it)
        mu = np.delete(np.asarray(dp["mu"], dtype=float), ref, axis=-1)
        return ref, mu, np.asarray(dp["sigma"], dtype=float), np.asarray(dp["Llncor"], dtype=float)

    def loglik(y, dp, ex):  # brms's logistic_normal_cholesky_cor_lpdf
        ref, mu, sigma, L = parts(dp)
        y = np.asarray(y, dtype=float)
        x = np.delete(np.log(y), ref, axis=-1) - np.log(y[..., ref])[..., None]
        z = (x - mu) / sigma  # (draws, obs, K): solve L u = z for each draw
        u = np.linalg.solve(L[:, None], z[..., None])[..., 0]
        logdet = np.log(np.abs(np.diagonal(L, axis1=-2, axis2=-1))).sum(axis=-1)[:, None] + np.log(sigma).sum(axis=-1)
        k = mu.shape[-1]
        return -0.5 * (u**2).sum(axis=-1) - logdet - 0.5 * k * np.log(2 * np.pi) - np.log(y).sum(axis=-1)

    def epred(dp, ex):
        raise FamilyError("Cannot compute expected values of the posterior predictive distribution for family "
                          "'logistic_normal' (as brms); use posterior_predict() or posterior_linpred().")

    def rng(dp, ex, gen):
        ref, mu, sigma, L = parts(dp)
        e = gen.standard_normal(mu.shape)
        x = mu + sigma * np.einsum("dij,dnj->dni", L, e)
        return special.softmax(np.insert(x, ref, 0.0, axis=-1), axis=-1)

    return FamilyMath(loglik, epred, rng)


def _dirichlet2_math() -> FamilyMath:
    # dp["mu"]: (draws, obs, ncat) concentrations, the inverse link already applied to each category
    def loglik(y, dp, ex):
        a = np.asarray(dp["mu"], dtype=float)
        y = np.asarray(y, dtype=float)
        return (special.gammaln(a.sum(axis=-1)) - special.gammaln(a).sum(axis=-1)
                + ((a - 1) * np.log(y)).sum(axis=-1))

    def epred(dp, ex):
        a = np.asarray(dp["mu"], dtype=float)
        return a / a.sum(axis=-1, keepdims=True)

    def rng(dp, ex, gen):
        g = gen.gamma(np.asarray(dp["mu"], dtype=float))
        return g / g.sum(axis=-1, keepdims=True)

    return FamilyMath(loglik, epred, rng)


register(FamilySpec(
    "categorical", CategoryDpars(("mu",)), ("logit",), "int",
    Likelihood("categorical_logit", args_of("mu"), "lpmf"),  # mu: the row's vector of category predictors
    description="categorical model (unordered categories)", math=_categorical_math(), kind=Categorical("category"),
))
register(FamilySpec(
    "multinomial", CategoryDpars(("mu",)), ("logit",), "count",
    Likelihood("multinomial_logit", args_of("mu"), "lpmf"),
    needs_trials=True, description="multinomial model (counts per category)", math=_multinomial_math(),
    kind=Categorical("counts"),
))
register(FamilySpec(
    "dirichlet", CategoryDpars(("mu", "phi")), ("logit",), "simplex",
    Likelihood("dirichlet", lambda dp, ops: [f"softmax({dp['mu']}) * {dp['phi']}"], "lpdf"),
    description="dirichlet model (proportions summing to 1)", math=_dirichlet_math(), kind=Categorical("proportions"),
))

register(FamilySpec(
    "dirichlet2", CategoryDpars(("mu",)), ("log", "softplus", "squareplus", "identity", "logm1"), "simplex",
    Likelihood("dirichlet", args_of("mu"), "lpdf"),  # mu: the row's vector of concentrations
    description="dirichlet model parametrised by one concentration per category (proportions summing to 1)",
    math=_dirichlet2_math(), kind=Categorical("proportions", joint_link=False),
))

register(FamilySpec(
    "dirichlet_multinomial", CategoryDpars(("mu", "phi")), ("logit",), "count",
    Likelihood("dirichlet_multinomial_logit2", args_of("mu", "phi"), "lpmf"),
    needs_trials=True, description="dirichlet-multinomial model (over-dispersed counts per category; brms 2.19+)",
    math=_dirichlet_multinomial_math(), kind=Categorical("counts"),
    stan_functions=(StanFunction("dirichlet_multinomial_logit2"),),
))


def dirichlet_multinomial(link: str = "logit", link_phi: str = "log", refcat=None) -> CategoricalFamily:
    """brms's dirichlet_multinomial family (brms 2.19+) for over-dispersed counts:
    ``bf("cbind(y1, y2, y3) | trials(n) ~ x")``, category probabilities ``softmax(eta)`` and precision ``phi``.

    Examples
    --------
    >>> dirichlet_multinomial().links["phi"]
    'log'
    """
    return _make("dirichlet_multinomial", link, refcat, link_phi=link_phi)

register(FamilySpec(
    "logistic_normal", LogisticNormalDpars(("mu", "sigma")), ("identity",), "simplex",
    Likelihood("logistic_normal_cholesky_cor", lambda dp, ops: [dp["mu"], dp["sigma"], dp["Llncor"], dp["ref"]]),
    description="logistic-normal model (proportions summing to 1, correlated log-ratios)",
    math=_logistic_normal_math(), kind=Categorical("proportions_vector", lncor=True),
    stan_functions=(StanFunction("logistic_normal"),),
))


def logistic_normal(link: str = "identity", link_sigma: str = "log", refcat=None) -> CategoricalFamily:
    """brms's logistic_normal family: ``cbind(p1, p2, p3) ~ x`` with the log-ratios to the reference
    category multivariate normal (means ``mu<Category>``, sds ``sigma<Category>``, correlations ``lncor``).

    Examples
    --------
    >>> logistic_normal(refcat="p2").links["sigma"]
    'log'
    """
    return _make("logistic_normal", link, refcat, link_sigma=link_sigma)


def dirichlet2(link: str = "log") -> CategoricalFamily:
    """brms's dirichlet2 family: ``cbind(p1, p2, p3) ~ x`` with one predictor per category (no reference),
    each the log (by default) of the category's concentration ``alpha``; ``E[p_k] = alpha_k / sum(alpha)``.

    Examples
    --------
    >>> dirichlet2().link
    'log'
    """
    return _make("dirichlet2", link, None)


__all__ = ["categorical", "multinomial", "dirichlet", "dirichlet2", "dirichlet_multinomial", "logistic_normal", "CategoricalFamily", "CATEGORY_FAMILIES"]
