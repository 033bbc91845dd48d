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
from scipy import special

from ..core.errors import DataError, FormulaError
from .core import Family, FamilyMath, FamilySpec, Likelihood, brmsfamily, register

CATEGORY_FAMILIES = ("categorical", "multinomial", "dirichlet")
_MU_NAME = re.compile(r"mu[A-Za-z0-9]+")


class CategoryDpars(tuple):
    """The dpars of a categorical-type family: ``mu`` stands for ``mu<Category>`` of each category.

    ``"muC" in dpars`` is true for any ``mu<Label>`` so that per-category
    formulas pass the formula checks; iteration yields the fixed dpars only.
    """

    def __contains__(self, name: object) -> bool:
        return tuple.__contains__(self, name) or (isinstance(name, str) and _MU_NAME.fullmatch(name) is not None)


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


def split_cbind(expr: str) -> list[str] | None:
    """The column expressions of ``cbind(a, b, c)``, or None when ``expr`` is not a cbind call."""
    from ..formula.syntax import parse_call

    call = parse_call(expr)
    if call is None or call.name != "cbind":
        return None
    return [*call.args, *(v for _, v in call.kwargs)]


def response_data(t, data: pd.DataFrame):
    """The :class:`~brmspy.frame.ResponseData` of a categorical-type response."""
    from ..frame.build import ResponseData, _addition_values, _eval_column

    fam = t.family
    expr = t.response.expr
    for a in t.response.additions:
        if a.name == "trials" and fam.name == "multinomial":
            continue
        if a.name == "weights":
            continue
        raise FormulaError(f"The addition term '{a.name}()' is not supported for family {fam.name!r}; remove it.")
    if fam.name == "categorical":
        y, levels = categorical_response(_eval_column(expr, data, "the response"), expr, fam.name)
        rd = ResponseData(expr, y, levels=levels)
    else:
        cols = split_cbind(expr)
        if cols is None:
            raise FormulaError(
                f"Family {fam.name!r} needs a matrix response written 'cbind(y1, y2, y3)"
                + (" | trials(n)" if fam.name == "multinomial" else "") + f" ~ ...'; got {expr!r}."
            )
        if len(cols) < 2:
            raise DataError(f"Family {fam.name!r} needs at least 2 response categories; 'cbind()' has {len(cols)}.")
        Y = np.column_stack([np.asarray(_eval_column(c, data, "the response"), dtype=float) for c in cols])
        levels = [c.strip() for c in cols]
        if fam.name == "multinomial":
            bad = (Y != np.round(Y)) | (Y < 0) | ~np.isfinite(Y)
            if bad.any():
                i, j = np.argwhere(bad)[0]
                raise DataError(
                    f"Family 'multinomial' needs non-negative integer counts, but column {levels[j]!r} has "
                    f"{Y[i, j]:g} in row {i}. Use family 'dirichlet' for proportions."
                )
            Y = Y.astype(np.int64)
            rd = ResponseData(expr, Y, levels=levels)
            totals = Y.sum(axis=1)
            trials = t.response.addition("trials")
            if trials is None:  # brms: "Specifying 'trials' is required in multinomial models."
                raise FormulaError(
                    f"Specifying 'trials' is required in multinomial models (as in brms): write "
                    f"'{expr} | trials(n) ~ ...' with a column n holding each row's total count."
                )
            if trials is not None:
                n = _addition_values(trials.args["n"], data, "trials()")
                if np.any(n != totals):
                    i = int(np.argmax(n != totals))
                    raise DataError(
                        f"trials() must equal the sum of the counts in each row; row {i} has trials {n[i]:g} "
                        f"but the counts sum to {totals[i]}."
                    )
            rd.trials = totals.astype(np.int64)
        else:
            if np.any(~np.isfinite(Y)) or np.any(Y <= 0) or np.any(Y >= 1):
                raise DataError(
                    f"Family 'dirichlet' needs proportions strictly between 0 and 1 in {expr!r}; "
                    "some values are outside (0, 1)."
                )
            sums = Y.sum(axis=1)
            if np.any(np.abs(sums - 1) > 1e-6):
                i = int(np.argmax(np.abs(sums - 1)))
                raise DataError(
                    f"Family 'dirichlet' needs each row of {expr!r} to sum to 1, but row {i} sums to {sums[i]:.6g}. "
                    "Divide each row by its total."
                )
            rd = ResponseData(expr, Y, levels=levels)
    weights = t.response.addition("weights")
    if weights is not None:
        w = _addition_values(weights.args["w"], data, "weights()")
        if np.any(w < 0):
            raise DataError("weights() must be non-negative.")
        rd.weights = w
    return rd


def reference_index(family: Family, levels: list[str]) -> int:
    """0-based position of the reference category (``refcat``, else the first)."""
    refcat = getattr(family, "refcat", None)
    if refcat is None:
        return 0
    if refcat not in levels:
        raise DataError(f"refcat {refcat!r} is not a response category; categories: {', '.join(levels)}.")
    return levels.index(refcat)


def category_dpars(family: Family, levels: list[str]) -> list[str]:
    """``mu<Category>`` of every non-reference category, in category order."""
    ref = reference_index(family, levels)
    names = [dpar_label(lv) for i, lv in enumerate(levels) if i != ref]
    if any(n == "mu" for n in names) or len(set(names)) != len(names):
        raise DataError(
            f"The response categories {levels} do not give distinct parameter names {names}; "
            "rename the categories (letters and digits)."
        )
    return names


def expand_parts(t, levels: list[str]) -> None:
    """Replace the ``mu`` part by one part per non-reference category (in place, idempotent)."""
    from ..formula.terms import Part, parse_rhs

    names = category_dpars(t.family, levels)
    if "mu" not in t.parts:  # already expanded (same terms used again)
        missing = [n for n in names if n not in t.parts]
        if missing:
            raise DataError(f"The response categories changed since the model was set up (missing {missing}).")
        return
    if t.nonlinear:
        raise FormulaError(f"Non-linear formulas are not supported for family {t.family.name!r}.")
    main = t.parts["mu"]
    own = {k: p for k, p in t.parts.items() if _MU_NAME.fullmatch(k)}
    for k, value in list(t.fixed.items()):
        if _MU_NAME.fullmatch(k):
            if value != 1.0:
                raise FormulaError(f"Fixing {k} to a constant is not supported; give it a formula such as '{k} ~ 1'.")
            own[k] = Part(k, "dpar", parse_rhs("1", f"{k} ~ 1"), f"{k} ~ 1")  # 'muC ~ 1': intercept only
            del t.fixed[k]
    unknown = [k for k in own if k not in names]
    if unknown:
        raise FormulaError(
            f"Formula(s) for {', '.join(unknown)}, but the non-reference categories give the parameters "
            f"{', '.join(names)}."
        )
    others = {k: p for k, p in t.parts.items() if k != "mu" and k not in own}
    new = {n: own.get(n, Part(n, "dpar", main.terms, main.formula)) for n in names}
    t.parts.clear()
    t.parts.update(new)
    t.parts.update(others)
    for n in names:
        t.family.links.setdefault(n, t.family.link)


def category_eta(t, levels: list[str], eta_of) -> np.ndarray:
    """Linear predictors of all categories, (draws, obs, ncat), with zeros for the reference."""
    from ..formula.prefix import Prefix

    ref = reference_index(t.family, levels)
    cols = [eta_of(Prefix(t.resp, n)) for n in category_dpars(t.family, levels)]
    shape = np.broadcast_shapes(*(np.shape(c) for c in cols))
    cols = [np.broadcast_to(c, shape) for c in cols]
    cols.insert(ref, np.zeros(shape))
    return np.stack(cols, axis=-1)


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
        n = np.broadcast_to(np.asarray(ex.trials, dtype=np.int64), p.shape[:-1])
        out = np.zeros(p.shape, dtype=np.int64)
        left = n.copy()
        rest = np.ones(p.shape[:-1])
        for k in range(p.shape[-1] - 1):  # sequential conditional binomials
            q = np.clip(p[..., k] / np.maximum(rest, 1e-300), 0, 1)
            out[..., k] = gen.binomial(left, q)
            left = left - out[..., k]
            rest = rest - p[..., k]
        out[..., -1] = left
        return out

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


register(FamilySpec(
    "categorical", CategoryDpars(("mu",)), ("logit",), "int",
    Likelihood("categorical_logit", lambda dp, ops: [], "lpmf"),  # written by codegen/categorical.py
    description="categorical model (unordered categories)", math=_categorical_math(), special="categorical",
))
register(FamilySpec(
    "multinomial", CategoryDpars(("mu",)), ("logit",), "count",
    Likelihood("multinomial_logit", lambda dp, ops: [], "lpmf"),
    needs_trials=True, description="multinomial model (counts per category)", math=_multinomial_math(),
    special="categorical",
))
register(FamilySpec(
    "dirichlet", CategoryDpars(("mu", "phi")), ("logit",), "simplex",
    Likelihood("dirichlet", lambda dp, ops: [], "lpdf"),
    description="dirichlet model (proportions summing to 1)", math=_dirichlet_math(), special="categorical",
))

__all__ = ["categorical", "multinomial", "dirichlet", "CategoricalFamily", "CATEGORY_FAMILIES"]
