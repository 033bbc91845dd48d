"""Non-linear models (``bf("y ~ a * exp(-b * x)", "a ~ 1 + (1 | g)", "b ~ 1", nl=True)``): data, priors, predictions.

The formula layer (:mod:`brmspy.formula.brmsformula`) splits a response's
model into linear parts (dpars and non-linear parameters, "nlpars") and
non-linear formulas (:class:`~brmspy.formula.terms.NonlinearPart`, for a dpar
or, with ``nlf()``, for an nlpar).  This module holds what the other stages
need about them; the Stan code is in :mod:`brmspy.codegen.nonlinear`.

As in brms:

- an nlpar's design matrix is not centred and its intercept is an ordinary
  coefficient (``b_a`` with coefficient ``Intercept``, shown as ``b_a_Intercept``);
- population-level coefficients of nlpars need proper priors
  (:func:`check_nlpar_priors`), since a flat prior rarely identifies them;
- names in a non-linear formula without their own formula are covariates:
  numeric data columns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import numpy as np
import pandas as pd

from ..core.errors import DataError, PriorError
from ..formula.nlexpr import evaluate, parse_nl
from ..formula.nonlinear import _formula_text, nlpar_names
from ..formula.terms import BrmsTerms

if TYPE_CHECKING:  # pragma: no cover
    from ..formula.prefix import Prefix
    from ..priors.resolve import ResolvedPriors
    from .build import ModelFrame, PopulationDesign


# ------------------------------------------------------------------- data


def uncentered_design(design: "PopulationDesign", data: pd.DataFrame) -> "PopulationDesign":
    """An nlpar's design as brms builds it: no centring, the intercept an ordinary column ``Intercept``."""
    from ..formula.rterms import RTerms
    from .design import DesignSpec, ModelVariables

    if not design.intercept:
        return design
    if design.X is None:  # 'a ~ 1': a one-column design, with a spec for new data
        design.spec, design.X = DesignSpec.build(RTerms(True, ()), ModelVariables(data), design.formula)
        design.coef_names = ["Intercept"]
    else:
        design.coef_names = ["Intercept", *design.coef_names]
    design.intercept = False
    return design


def check_covariates(t: BrmsTerms, data: pd.DataFrame) -> None:
    """Names in non-linear formulas without a formula of their own must be numeric columns."""
    for nl in t.nonlinear.values():
        for name in nl.covariates:
            if name not in data.columns:
                where = f"the non-linear formula {_formula_text(nl)!r}"
                raise DataError(
                    f"{name!r} in {where} is neither a parameter with its own formula nor a column of the data. "
                    f"If it is a non-linear parameter, give it a formula, e.g. bf(..., '{name} ~ 1', nl=True) "
                    f"(and a prior with nlpar='{name}'); otherwise add the column {name!r} to the data."
                )
            col = data[name]
            if not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
                raise DataError(
                    f"Covariate {name!r} of the non-linear formula {_formula_text(nl)!r} must be numeric, but it is "
                    f"{col.dtype}. Use a factor inside a parameter's linear formula instead, e.g. 'a ~ 1 + {name}'."
                )


def covariate_values(data: pd.DataFrame, name: str) -> np.ndarray:
    """A covariate column as floats."""
    return np.asarray(data[name], dtype=float)


# ----------------------------------------------------------------- priors


def is_nlpar(frame: "ModelFrame", prefix: "Prefix") -> bool:
    """Whether ``prefix`` names a (linear) non-linear parameter rather than a dpar."""
    for t in frame.response_terms:
        if t.resp == prefix.resp and prefix.dpar in t.parts:
            return t.parts[prefix.dpar].kind == "nlpar"
    return False


def check_nlpar_priors(frame: "ModelFrame", priors: "ResolvedPriors") -> None:
    """brms requires proper priors on the population-level coefficients of non-linear parameters.

    Raises
    ------
    PriorError
        Naming the nlpar and the coefficients with a flat prior, and the fix.
    """
    for prefix, design in frame.designs.items():
        if not is_nlpar(frame, prefix) or not design.coef_names:
            continue
        flat = [c for c, p in zip(design.coef_names, priors.b.get(prefix, [])) if p is None]
        if flat:
            resp = f", resp='{prefix.resp}'" if prefix.resp else ""
            raise PriorError(
                f"Priors on population-level coefficients are required in non-linear models, but the non-linear "
                f"parameter {prefix.dpar!r} has a flat prior on: {', '.join(flat)}. Set a proper prior, e.g. "
                f"prior=prior('normal(0, 1)', nlpar='{prefix.dpar}'{resp}) for all its coefficients "
                f"(coef='{flat[0]}' for one; lb=0 to bound them). get_prior(...) lists them."
            )


# ------------------------------------------------------------ predictions


def nonlinear_values(t: BrmsTerms, name: str, linear: Callable[[str], np.ndarray], data: pd.DataFrame,
                     cache: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Draws (draws, rows) of a non-linear formula's value (before any inverse link).

    Parameters
    ----------
    t : the response's terms.
    name : the dpar or nlpar that the non-linear formula defines.
    linear : linear predictor (draws, rows) of a linear nlpar by name.
    data : the rows to predict (the model data or new data) holding the covariates.
    cache : values already computed, shared between calls for several dpars.
    """
    cache = {} if cache is None else cache
    if name in cache:
        return cache[name]
    nl = t.nonlinear[name]
    env: dict[str, np.ndarray] = {}
    for p in nl.nlpars:
        if p not in cache:
            cache[p] = nonlinear_values(t, p, linear, data, cache) if p in t.nonlinear else linear(p)
        env[p] = cache[p]
    for c in nl.covariates:
        if c not in data.columns:
            raise DataError(f"newdata lacks the column {c!r} used by the non-linear formula {_formula_text(nl)!r}.")
        env[c] = covariate_values(data, c)[None, :]
    value = evaluate(parse_nl(nl.expr), env)
    cache[name] = np.broadcast_to(value, np.broadcast_shapes(value.shape, (1, len(data))))
    return cache[name]


# --------------------------------------------------- prediction.py hooks


def _linear_nlpar(ctx, t: BrmsTerms, name: str) -> np.ndarray:
    from ..formula.prefix import Prefix
    from ..prediction.core import _group_effects, _population

    prefix = Prefix(t.resp, name)
    return _population(ctx, prefix) + _group_effects(ctx, prefix)


def nonlinear_eta(ctx, t: BrmsTerms, name: str) -> np.ndarray:
    """A non-linear formula's draws (draws, rows) on the link scale, for :mod:`brmspy.prediction`.

    Values of nlpars are kept on ``ctx`` so that formulas of several dpars share them.
    """
    cache = ctx.__dict__.setdefault("_nl_cache", {}).setdefault(t.resp, {})
    return nonlinear_values(t, name, lambda p: _linear_nlpar(ctx, t, p), ctx.data, cache)


def nonlinear_linpred(ctx, t: BrmsTerms, dpar: str, nlpar: str | None, transform: bool) -> np.ndarray:
    """``posterior_linpred`` of a non-linear dpar (``transform`` applies its inverse link) or of an nlpar."""
    from ..core.errors import BrmsError
    from ..families import LINKS

    if nlpar is not None:
        names = nlpar_names(t)
        if nlpar not in names:
            raise BrmsError(f"nlpar {nlpar!r} is not a non-linear parameter of this model; its nlpars: "
                            f"{', '.join(names) or 'none'}.")
        return nonlinear_eta(ctx, t, nlpar) if nlpar in t.nonlinear else _linear_nlpar(ctx, t, nlpar)
    eta = nonlinear_eta(ctx, t, dpar)
    return LINKS[t.family.links[dpar]].inv(eta) if transform else eta


__all__ = ["check_covariates", "check_nlpar_priors", "covariate_values",
           "is_nlpar", "nonlinear_eta", "nonlinear_linpred", "nonlinear_values", "uncentered_design"]
