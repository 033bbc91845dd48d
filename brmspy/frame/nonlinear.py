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

import numpy as np
import pandas as pd

from ..core.errors import DataError
from ..formula.nonlinear import formula_text
from ..formula.rterms import RTerms
from ..formula.terms import BrmsTerms
from .columns import levels_of
from .design import DesignSpec, ModelVariables
from .types import PopulationDesign

# ------------------------------------------------------------------- data


def uncentered_design(design: "PopulationDesign", data: pd.DataFrame) -> DesignSpec | None:
    """Make an nlpar's design as brms builds it: no centring, the intercept an ordinary column ``Intercept``.

    Returns the design spec (for new data) of the one-column design that 'a ~ 1' gets, else None
    (the design's spec is unchanged).
    """
    if not design.intercept:
        return None
    spec = None
    if design.X is None:  # 'a ~ 1': a one-column design, with a spec for new data
        spec, design.X = DesignSpec.build(RTerms(True, ()), ModelVariables(data), design.formula)
        design.coef_names = ["Intercept"]
    else:
        design.coef_names = ["Intercept", *design.coef_names]
    design.intercept = False
    return spec


def check_covariates(t: BrmsTerms, data: pd.DataFrame) -> None:
    """Names in non-linear formulas without a formula of their own must be numeric columns."""
    for nl in t.nonlinear.values():
        for name in nl.covariates:
            if name not in data.columns:
                where = f"the non-linear formula {formula_text(nl)!r}"
                raise DataError(
                    f"{name!r} in {where} is neither a parameter with its own formula nor a column of the data. "
                    f"If it is a non-linear parameter, give it a formula, e.g. bf(..., '{name} ~ 1', nl=True) "
                    f"(and a prior with nlpar='{name}'); otherwise add the column {name!r} to the data."
                )
            covariate_values(data, name, formula_text(nl))  # checks a factor's levels


def covariate_values(data: pd.DataFrame, name: str, where: str | None = None,
                     fitted: pd.DataFrame | None = None) -> np.ndarray:
    """A covariate column as floats, as brms's ``data_cnl``.

    Numbers stay, logicals are 0/1; a factor (categorical, string) with two levels is brms's
    ``model.matrix(~ f)`` column without intercept: 1 for its second level, 0 for its first. More levels
    are refused (brms: "Factors with more than two levels are not allowed as covariates."), as is one.
    ``fitted``: the model's data, whose levels code new data (as brms's new-data checks).
    """
    col = data[name]
    if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
        return np.asarray(col, dtype=float)
    where = f"the non-linear formula {where!r}" if where else "a non-linear formula"
    levels = levels_of(fitted[name] if fitted is not None and name in fitted.columns else col)
    if len(levels) != 2:
        shown = ", ".join(map(repr, levels[:5])) + (", ..." if len(levels) > 5 else "")
        raise DataError(
            f"Covariate {name!r} of {where} is a factor with {len(levels)} level(s) ({shown}); brms codes a factor "
            "covariate as 0/1 (its second level 1), so it needs exactly two levels (brms: 'Factors with more than "
            "two levels are not allowed as covariates.'). Use the factor inside a parameter's linear formula "
            f"instead, e.g. 'a ~ 1 + {name}'."
        )
    values = col.astype(object).to_numpy()
    unknown = [v for v in pd.unique(values) if v not in levels and not pd.isna(v)]
    if unknown:
        raise DataError(f"Covariate {name!r} of {where} has level(s) {unknown[:5]} the model's data does not "
                        f"have (its levels: {levels[0]!r}, {levels[1]!r}).")
    return (values == levels[1]).astype(float)


# ----------------------------------------------------------------- priors


# ------------------------------------------------------------ predictions


# --------------------------------------------------- prediction.py hooks


__all__ = ["check_covariates", "covariate_values", "uncentered_design"]
