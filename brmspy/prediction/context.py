"""The prediction context: which draws, which rows (fitted or new data), which group-level effects.

The rows are read through the frame's :class:`~brmspy.frame.spec.FrameRows`: the model's own
(:class:`~brmspy.frame.spec.ModelRows`) or new data rebuilt by the frame specification
(:meth:`FrameSpec.new_data <brmspy.frame.spec.FrameSpec.new_data>`, which checks them), so the
prediction modules never rebuild a design themselves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.frames import as_pandas
from ..core.errors import BrmsError
from ..fit.brmsfit import BrmsFit
from ..formula.terms import parse_rhs
from ..frame.spec import FrameRows, ModelRows
from ..priors.nonlinear import is_nlpar

NEW_LEVELS = ("uncertainty", "gaussian", "old_levels")


def draw_indices(fit: "BrmsFit", ndraws: int | None, seed: int | None = None) -> np.ndarray:
    """Indices of the (flattened, chain-major) draws to use; all when ``ndraws`` is None."""
    total = fit.ndraws()
    if ndraws is None or ndraws >= total:
        return np.arange(total)
    if not isinstance(ndraws, (int, np.integer)) or ndraws < 1:
        raise BrmsError(f"ndraws must be a positive integer, got {ndraws!r}.")
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(total, size=int(ndraws), replace=False))


def flat_draws(arr: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Draws shaped (chain, draw, ...) as (S, ...) floats, restricted to the flat (chain-major) indices ``idx``.

    Examples
    --------
    >>> flat_draws(np.arange(6).reshape(2, 3), np.array([0, 4])).tolist()
    [0.0, 4.0]
    """
    arr = np.asarray(arr, dtype=float)
    return arr.reshape((-1, *arr.shape[2:]))[idx]


@dataclass
class PredictionContext:
    """What one prediction call works on: the draws, the rows and the group-level effects to include.

    Every prediction function (:func:`~brmspy.prediction.core.posterior_epred`, ``log_lik``, ...)
    builds one with :func:`prediction_context` and passes it to the per-concept helpers
    (:mod:`brmspy.prediction.linpred`, ``dpars``, ``additions``, ``autocor``, ``mv``, ...).

    Attributes
    ----------
    fit : the fitted model.
    idx : flat (chain-major) indices of the draws used.
    rows : the rows predicted, with every piece of the design on them: the fit's model rows
        (:class:`~brmspy.frame.spec.ModelRows`) or checked new data
        (:class:`~brmspy.frame.spec.NewData`, which also holds ``allow_new_levels``).
    blocks : group-level block id -> labels of the coefficients included (``re_formula``).
    sample_new_levels : how group levels absent from the fitted data are drawn.
    rng : the random numbers of the call (``seed``).
    incl_autocor : False leaves ``ar()``/``ma()``/``arma()`` terms out (e.g. conditional_effects grids).
    cache : per-call state, e.g. ARMA forecast plans (:mod:`brmspy.prediction.autocor`).

    Examples
    --------
    >>> ctx = prediction_context(fit, None, None, 100, False, "uncertainty", 1)   # doctest: +SKIP
    >>> ctx.idx.shape, ctx.is_new, ctx.draws("b").shape                        # doctest: +SKIP
    ((100,), False, (100, 1))
    """

    fit: "BrmsFit"
    idx: np.ndarray
    rows: FrameRows
    blocks: dict[int, set[str]]
    sample_new_levels: str
    rng: np.random.Generator
    incl_autocor: bool = True
    cache: dict[Any, Any] = field(default_factory=dict)

    @property
    def params(self) -> dict[str, np.ndarray]:
        """Stan-named draws of the fit, (chain, draw, ...)."""
        return self.fit.stan_draws.params

    def draws(self, name: str) -> np.ndarray:
        """The draws of Stan parameter ``name`` used by the call, (S, ...)."""
        return flat_draws(self.params[name], self.idx)

    @property
    def data(self) -> pd.DataFrame:
        """The rows predicted (the model data, sorted as the model sorts them, or the checked new data)."""
        return self.rows.data

    @property
    def is_new(self) -> bool:
        """Whether the rows are new data."""
        return self.rows.is_new

    @property
    def S(self) -> int:
        """Number of draws."""
        return len(self.idx)

    @property
    def N(self) -> int:
        """Number of rows."""
        return self.rows.N

    def on_model_rows(self) -> "PredictionContext":
        """The same call (draws, ``re_formula``, random numbers) on the fit's model rows, with a cache of its own."""
        return PredictionContext(self.fit, self.idx, ModelRows(self.fit.frame, getattr(self.rows, "resp", None)),
                                 self.blocks, self.sample_new_levels, self.rng, self.incl_autocor)


def prediction_context(fit: "BrmsFit", newdata: pd.DataFrame | None, re_formula: Any, ndraws: int | None,
                       allow_new_levels: bool, sample_new_levels: str, seed: int | None,
                       incl_autocor: bool = True, resp: str | None = None) -> PredictionContext:
    """The :class:`PredictionContext` of a call: draws chosen, new data checked, ``re_formula`` resolved.

    Parameters are those of :func:`~brmspy.prediction.core.posterior_epred`; ``newdata`` None
    means the fitted data.  ``resp``: the response predicted; a multivariate model with ``subset()``
    predicts one response at a time (brms: "Argument 'resp' must be a single variable name").
    """
    if sample_new_levels not in NEW_LEVELS:
        raise BrmsError(f"sample_new_levels must be one of {NEW_LEVELS}, got {sample_new_levels!r}.")
    idx = draw_indices(fit, ndraws, seed)
    newdata = None if newdata is None else as_pandas(newdata, "newdata")
    check_subset_resp(fit, resp)
    rows = (ModelRows(fit.frame, resp) if newdata is None
            else fit.frame.spec.new_data(newdata, allow_new_levels, resp))
    if rows.N == 0:
        raise BrmsError(f"No rows of newdata are in the subset() of response {resp!r}.")
    return PredictionContext(fit, idx, rows, _re_selection(fit, re_formula), sample_new_levels,
                             np.random.default_rng(seed), incl_autocor)


def check_subset_resp(fit: "BrmsFit", resp: str | None) -> None:
    """A multivariate model whose responses have their own rows (``subset()``) predicts one response at a time."""
    if fit.frame.resp_rows is not None and resp is None:
        raise BrmsError(
            "Argument 'resp' must be a single variable name for models using addition argument 'subset' (brms): "
            "each response of this model is fitted on its own rows; predict one response at a time with resp= one of "
            f"{', '.join(repr(t.resp) for t in fit.frame.response_terms)} (loo(), waic() and kfold() take resp= too).")


def _re_selection(fit: "BrmsFit", re_formula) -> dict[int, set[str]]:
    """Which group-level coefficients enter: all (None), none ("~ 0"/NA), or those of a formula."""
    blocks = fit.frame.blocks
    if re_formula is None:
        return {b.id: {c.label for c in b.coefs} for b in blocks}
    if (isinstance(re_formula, float) and math.isnan(re_formula)) or (
        isinstance(re_formula, str) and re_formula.replace(" ", "") in ("~0", "~1", "NA", "")
    ):
        return {}
    if not isinstance(re_formula, str):
        raise BrmsError(f"re_formula must be None, '~ 0' or a formula string such as '~ (1 | g)'; got {re_formula!r}.")
    rhs = re_formula.split("~", 1)[1] if "~" in re_formula else re_formula
    wanted = parse_rhs(rhs, re_formula).group_terms
    chosen: dict[int, set[str]] = {}
    for g in wanted:
        matches = [b for b in blocks if b.group == g.group]
        if not matches:
            raise BrmsError(
                f"re_formula term '{g.label}' names grouping factor {g.group!r}, which the model does not have "
                f"(its groups: {', '.join(b.group for b in blocks)})."
            )
        names = set(fit.frame.spec.effect_names(g))
        for b in matches:
            chosen.setdefault(b.id, set()).update(c.label for c in b.coefs
                                                  if (c.name in names or c.kind == "cs" and c.name.rsplit("[", 1)[0] in names)
                                                  and (c.prefix.dpar == "mu" or is_nlpar(fit.frame, c.prefix)))
    return chosen
