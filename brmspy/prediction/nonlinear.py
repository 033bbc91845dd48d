"""Predictions of non-linear formulas: their values from the draws of the nlpars."""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..core.errors import BrmsError
from ..families import LINKS
from ..formula.nlexpr import evaluate, parse_nl
from ..formula.nonlinear import formula_text, nlpar_names
from ..formula.prefix import Prefix
from ..formula.terms import BrmsTerms
from ..frame.spec import FrameRows
from .linpred import linear_predictor


def nonlinear_values(t: BrmsTerms, name: str, linear: Callable[[str], np.ndarray], rows: FrameRows,
                     cache: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Draws (draws, rows) of a non-linear formula's value (before any inverse link).

    Parameters
    ----------
    t : the response's terms.
    name : the dpar or nlpar that the non-linear formula defines.
    linear : linear predictor (draws, rows) of a linear nlpar by name.
    rows : the rows to predict (the model data or new data), which give the covariates.
    cache : values already computed, shared between calls for several dpars.
    """
    cache = {} if cache is None else cache
    if name in cache:
        return cache[name]
    nl = t.nonlinear[name]
    env: dict[str, np.ndarray] = {}
    for p in nl.nlpars:
        if p not in cache:
            cache[p] = nonlinear_values(t, p, linear, rows, cache) if p in t.nonlinear else linear(p)
        env[p] = cache[p]
    for c in nl.covariates:
        env[c] = rows.covariate(c, f"the non-linear formula {formula_text(nl)!r}")[None, :]
    value = evaluate(parse_nl(nl.expr), env)
    cache[name] = np.broadcast_to(value, np.broadcast_shapes(value.shape, (1, rows.N)))
    return cache[name]


def nonlinear_eta(ctx, t: BrmsTerms, name: str) -> np.ndarray:
    """A non-linear formula's draws (draws, rows) on the link scale, for :mod:`brmspy.prediction`.

    Values of nlpars are kept on ``ctx`` so that formulas of several dpars share them.
    """
    cache = ctx.cache.setdefault(("nonlinear", t.resp), {})
    return nonlinear_values(t, name, lambda p: linear_predictor(ctx, Prefix(t.resp, p)), ctx.rows, cache)


def nonlinear_linpred(ctx, t: BrmsTerms, dpar: str, nlpar: str | None, transform: bool) -> np.ndarray:
    """``posterior_linpred`` of a non-linear dpar (``transform`` applies its inverse link) or of an nlpar."""
    if nlpar is not None:
        names = nlpar_names(t)
        if nlpar not in names:
            raise BrmsError(f"nlpar {nlpar!r} is not a non-linear parameter of this model; its nlpars: "
                            f"{', '.join(names) or 'none'}.")
        return nonlinear_eta(ctx, t, nlpar) if nlpar in t.nonlinear else linear_predictor(ctx, Prefix(t.resp, nlpar))
    eta = nonlinear_eta(ctx, t, dpar)
    return LINKS[t.family.links[dpar]].inv(eta) if transform else eta
