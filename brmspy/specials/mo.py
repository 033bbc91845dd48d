"""``mo(x)``: monotonic effect of an ordered predictor (brms's construction).

``x`` is an ordered factor (categories in order) or integers; its values are
coded ``0..D`` (``D`` = number of categories - 1, or max - min).  The effect of
value ``j`` is ``bsp * D * sum(simo[1:j])`` with ``simo`` a simplex of length
``D`` (dirichlet prior, data ``con_simo_<i>``): ``bsp`` is the average
difference between adjacent categories, ``D * bsp`` the total effect from the
lowest to the highest category, and ``simo[j]`` the share of the total effect
gained between category ``j - 1`` and ``j``.

Stan: data ``Imo``, ``Jmo`` (D per term), ``Xmo_<i>``, ``con_simo_<i>``;
parameter ``simplex[Jmo[i]] simo_<i>``; predictor term
``bsp[k] * mo(simo_<i>, Xmo_<i>)``.  Draws ``bsp_mox`` (class b, coef ``mox``)
and ``simo_mox1[j]`` (summary section "Monotonic Simplex Parameters").

Interactions ``mo(x):z``, ``mo(x) * z`` and ``mo(x1):mo(x2)`` are rows of
``bsp`` built by :class:`~brmspy.specials.sp.SpDesign`; as in brms every mo()
occurrence has its own simplex (``simo_mox:z1``) unless terms share one with
``mo(x, id = "a")`` (then later terms use the first one's simplex: brms's
conditionally monotonic interactions).  Not supported (yet): several
variables in one ``mo()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from ..core.errors import DataError, FormulaError, PriorError
from ..core.stan import StanBlocks
from ..core.templates import stan_function
from ..core.types import ParamInfo, PriorRow
from .sp import SpTerm, eval_arg



def _codes(values: pd.Series, t: "MoTerm", where: str, new: bool) -> np.ndarray:
    """Integer codes 0..D of a monotonic predictor (``t.levels``, ``t.D``, ``t.lowest`` set on the model data)."""
    if isinstance(values.dtype, pd.CategoricalDtype) or t.levels is not None:
        if not isinstance(values.dtype, pd.CategoricalDtype):
            raise DataError(f"{where}: the predictor was an ordered factor in the model data; pass one in newdata too.")
        if not values.cat.ordered and not new:
            raise DataError(
                f"{where} needs an ordered factor or integers; the column is an unordered categorical. Make it ordered, "
                "e.g. pd.Categorical(x, categories=[...], ordered=True)."
            )
        if new:
            lookup = {str(c): i for i, c in enumerate(t.levels)}
            labels = values.astype(str)
            bad = sorted(set(labels[~labels.isin(lookup)]))
            if bad:
                raise DataError(f"{where}: newdata has categories {bad} that the model data did not have.")
            return labels.map(lookup).to_numpy(np.int64)
        t.levels = list(values.cat.categories)
        t.D = len(t.levels) - 1
        return values.cat.codes.to_numpy(np.int64)
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        raise DataError(
            f"{where} needs integers (0, 1, 2, ...) or an ordered factor; the column holds {values.dtype} values. "
            "Convert it, e.g. pd.Categorical(x, categories=[...], ordered=True)."
        )
    v = np.asarray(values, dtype=float)
    if not np.all(np.isfinite(v)) or np.any(v != np.round(v)):
        bad = v[~np.isfinite(v) | (v != np.round(v))][0]
        raise DataError(
            f"{where} needs integers (0, 1, 2, ...) or an ordered factor, but the column has non-integer values "
            f"(e.g. {bad:g}). Use mo() only for ordered categories; a continuous predictor is a population-level term."
        )
    if not new:
        t.lowest = float(v.min())
        t.D = int(v.max() - v.min())
    codes = (v - t.lowest).astype(np.int64)
    if new and (codes.min() < 0 or codes.max() > t.D):
        lo, hi = t.lowest, t.lowest + t.D
        raise DataError(f"{where}: newdata values must lie in the fitted range {lo:g}..{hi:g}.")
    return codes


@dataclass
class MoTerm(SpTerm):
    """``mo(x)``: ``bsp[k] * mo(simo_i, Xmo_i)``.

    Attributes (set on the model data)
    ----------------------------------
    X : codes 0..D of the rows.
    D : number of categories - 1.
    levels : the ordered factor's categories (None for integers); lowest : the smallest integer value.
    share_id : ``mo(x, id = "a")``'s id; shares : the term whose simplex this one uses (a later one with that id).
    simo_label : brms's simplex label when not ``<coef>1`` (``mox:z1`` in ``mo(x):z``).
    """

    kind: ClassVar[str] = "mo"

    X: np.ndarray | None = field(default=None, repr=False)
    D: int = 0
    levels: list | None = None
    lowest: float = 0.0
    share_id: str | None = None
    shares: "MoTerm | None" = field(default=None, repr=False)
    simo_label: str = ""

    @classmethod
    def build(cls, term, prefix, data, formula):
        call = term.call
        if len(call.args) != 1 or any(k != "id" for k, _ in call.kwargs):
            raise FormulaError(f"mo() takes one ordered predictor, e.g. 'mo(x)'; got '{term.text}' in {formula!r}.")
        t = cls(term, prefix, formula)
        if call.kwarg("id") is not None:
            t.share_id = call.kwarg("id").strip().strip("'\"")
        values = eval_arg(call.args[0], data, f"'{term.text}'")
        t.X = _codes(values, t, f"'{term.text}' in {formula!r}", new=False)
        if t.D < 1:
            raise DataError(f"'{term.text}' in {formula!r}: the predictor takes only one value; a monotonic effect needs at least two.")
        return t

    @classmethod
    def share_ids(cls, terms: list["MoTerm"], formula: str) -> None:
        """brms's ``mo(x, id = ...)``: terms of one predictor with the same id use the first one's simplex."""
        first: dict[str, MoTerm] = {}
        for t in terms:
            t.shares = None
            key = t.share_id
            if key is None:
                continue
            if key not in first:
                first[key] = t
            elif first[key].D != t.D:
                raise DataError(
                    f"mo() terms with id = '{key}' in {formula!r} share one simplex, so their predictors need the same "
                    f"number of categories; '{first[key].term.text}' has {first[key].D + 1}, '{t.term.text}' {t.D + 1}."
                )
            else:
                t.shares = first[key]

    @property
    def simo_coef(self) -> str:
        """brms's simplex label: ``mox1`` (first mo() of the term ``mox``), ``mox:z1`` in ``mo(x):z``."""
        return self.simo_label or f"{self.coef}1"

    @property
    def prior_coef(self) -> str:
        """The simplex's ``coef`` in the prior table: the id of ``mo(x, id = "v")`` (brms's
        ``get_simo_labels(use_id = TRUE)``), else :attr:`simo_coef`."""
        return self.share_id or self.simo_coef

    # -- priors
    def prior_rows(self, base, scale_prior):
        if self.shares is not None:
            return []
        return [PriorRow("dirichlet(1)", "simo", coef=self.prior_coef, **base)]

    def resolve_priors(self, lookup):
        if self.shares is not None:
            return {}
        dist = lookup(("simo", self.prior_coef))
        if dist is not None and dist.name != "dirichlet":
            raise PriorError(f"The monotonic simplex of '{self.term.text}' takes a dirichlet prior, not {dist}.")
        if dist is not None:  # dirichlet(c(...)): one concentration per category step, checked here
            dist.concentration(self.D, f"the simplex simo_{self.prefix.label}{self.simo_coef}")
        return {"simo": dist}

    def flat_parameters(self, priors):
        if self.shares is not None:
            return []
        return [] if priors.get("simo") is not None else [f"simo_{self.prefix.label}{self.simo_coef}"]

    # -- code
    @classmethod
    def stan_kind(cls, terms, priors):
        s = terms[0].s
        sb = StanBlocks()
        sb.functions.append(stan_function("mo"))
        sb.declare(f"int<lower=1> Imo{s}", f"Imo{s}", len(terms), "number of monotonic variables")
        sb.declare(f"array[Imo{s}] int<lower=1> Jmo{s}", f"Jmo{s}", np.array([t.D for t in terms], dtype=np.int64),
                   "length of simplexes")
        for t, p in zip(terms, priors):
            i = t.i
            sb.declare(f"array[N] int Xmo{s}_{i}", f"Xmo{s}_{i}", t.X, f"monotonic variable {t.label or t.term.text}")
            if t.shares is not None:  # brms: the simplex shared across all terms of the same id
                sb.tpar_def.append(f"simplex[Jmo{s}[{i}]] simo{s}_{i} = simo{s}_{t.shares.i};  // shared simplex (id)")
                continue
            sb.par.append(f"simplex[Jmo{s}[{i}]] simo{s}_{i};  // monotonic simplex of {t.label or t.term.text}")
            dist = p.get("simo")
            if dist is not None:
                con = f"con_simo{s}_{i}"
                sb.declare(f"vector[Jmo{s}[{i}]] {con}", con, np.array(dist.concentration(t.D, f"simo_{t.simo_coef}")),
                           "prior concentration of monotonic simplex")
                sb.tpar_prior.append(f"lprior += dirichlet_lpdf(simo{s}_{i} | {con});")
        return sb

    def expression(self):
        return f"mo(simo{self.s}_{self.i}, Xmo{self.s}_{self.i})"

    # -- draws and predictions
    def draws(self, params):
        simo = params[f"simo{self.s}_{self.i}"]
        label = self.prefix.label
        out = []
        for j in range(simo.shape[-1]):
            name = f"simo_{label}{self.simo_coef}[{j + 1}]"
            out.append((name, simo[..., j], ParamInfo(name, "simo", coef=f"{label}{self.simo_coef}[{j + 1}]")))
        return out

    def prior_draws(self, priors, sampler):
        if self.shares is not None:
            return {}
        simo = sampler.dirichlet(priors.get("simo"), self.D)
        if simo is None:
            return {}
        name = f"prior_simo_{self.prefix.label}{self.simo_coef}"  # brms: prior_simo_mox1[1], ...
        return {f"{name}[{j + 1}]": simo[..., j] for j in range(self.D)}

    def new_columns(self, data):
        values = eval_arg(self.term.call.args[0], data, f"'{self.term.text}'")
        return _codes(values, self, f"'{self.term.text}'", new=True)

    def value(self, param, columns=None):
        X = self.X if columns is None else columns
        simo = param(f"simo{self.s}_{self.i}")  # (S, D)
        cum = np.concatenate([np.zeros((simo.shape[0], 1)), self.D * np.cumsum(simo, axis=1)], axis=1)
        return cum[:, X]
