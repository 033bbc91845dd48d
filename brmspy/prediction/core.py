"""Predictions from a fit, computed in numpy as brms does outside Stan.

Every function returns an array shaped (draws, observations), draws ordered
chain by chain.  New data are rebuilt with the stored design specs
(:class:`brmspy.design.DesignSpec`) and group levels; group levels not in the fitted data need
``allow_new_levels=True`` and are then handled by ``sample_new_levels``.

Examples
--------
>>> fit = brm("Reaction ~ Days + (Days | Subject)", data=df)   # doctest: +SKIP
>>> posterior_epred(fit).shape                                  # doctest: +SKIP
(4000, 180)
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..core.errors import BrmsError, DataError
from ..families import LINKS, Extras
from ..formula.prefix import Prefix
from ..formula.terms import BrmsTerms, parse_rhs
from ..frame.columns import level_labels
from ..frame.groups import _group_design
from ..frame.response import _response_data
from ..frame.types import ReBlock
from .additions import addition_epred, addition_loglik, addition_predict, context_additions
from .autocor import _series_cov, _time_cov_parts

if TYPE_CHECKING:  # pragma: no cover
    from ..fit.brmsfit import BrmsFit

NEW_LEVELS = ("uncertainty", "gaussian", "old_levels")


# ------------------------------------------------------------------ helpers


def draw_indices(fit: "BrmsFit", ndraws: int | None, seed: int | None = None) -> np.ndarray:
    """Indices of the (flattened, chain-major) draws to use; all when ``ndraws`` is None."""
    total = fit.ndraws()
    if ndraws is None or ndraws >= total:
        return np.arange(total)
    if not isinstance(ndraws, (int, np.integer)) or ndraws < 1:
        raise BrmsError(f"ndraws must be a positive integer, got {ndraws!r}.")
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(total, size=int(ndraws), replace=False))


def _flat(arr: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """(chain, draw, ...) -> (S, ...) restricted to ``idx``."""
    arr = np.asarray(arr, dtype=float)
    return arr.reshape((-1, *arr.shape[2:]))[idx]


@dataclass
class _Context:
    fit: "BrmsFit"
    idx: np.ndarray
    data: pd.DataFrame
    is_new: bool
    blocks: dict[int, set[str]]  # block id -> coef labels included
    allow_new_levels: bool
    sample_new_levels: str
    rng: np.random.Generator
    incl_autocor: bool = True  # False: ar()/ma()/arma() terms left out (e.g. conditional_effects grids)
    cache: dict[Any, Any] = field(default_factory=dict)  # per-call state, e.g. ARMA forecast plans (brmspy.autocorrelation)

    @property
    def params(self) -> dict[str, np.ndarray]:
        return self.fit.stan_draws.params


def _chunked(fn, fit, newdata, chunk_size, ndraws, seed, kwargs) -> np.ndarray | None:
    """The result evaluated in chunks of rows by :mod:`brmspy.chunked`, or None for one piece."""
    from .chunked import chunked_call

    return chunked_call(fn, fit, newdata, chunk_size, ndraws, seed, kwargs)


def _context(fit, newdata, re_formula, ndraws, allow_new_levels, sample_new_levels, seed,
             incl_autocor: bool = True) -> _Context:
    if sample_new_levels not in NEW_LEVELS:
        raise BrmsError(f"sample_new_levels must be one of {NEW_LEVELS}, got {sample_new_levels!r}.")
    idx = draw_indices(fit, ndraws, seed)
    data = fit.frame.data if newdata is None else _check_newdata(fit, newdata)
    return _Context(fit, idx, data, newdata is not None, _re_selection(fit, re_formula), allow_new_levels,
                    sample_new_levels, np.random.default_rng(seed), incl_autocor)


def _check_newdata(fit: "BrmsFit", newdata: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(newdata, pd.DataFrame):
        raise DataError(f"newdata must be a pandas DataFrame, got {type(newdata).__name__}.")
    validate_newdata_columns(fit, newdata)
    newdata = newdata.reset_index(drop=True)
    old = fit.frame.data
    for col in old.columns:
        if col not in newdata.columns:
            continue
        o = old[col]
        if isinstance(o.dtype, pd.CategoricalDtype) or o.dtype == object or pd.api.types.is_string_dtype(o.dtype):
            known = set(map(str, o.astype(str).unique()))
            new = set(map(str, newdata[col].dropna().astype(str).unique())) - known
            if new and not _is_group_column(fit, col):
                raise DataError(
                    f"newdata column {col!r} has level(s) {sorted(new)} that were not in the fitted data; "
                    f"a population-level factor can only take its fitted levels ({', '.join(sorted(known))})."
                )
            if isinstance(o.dtype, pd.CategoricalDtype) and not _is_group_column(fit, col):
                # the fitted levels, in their order, so dummy columns line up; match on labels ("2" == 2)
                cats = o.cat.categories
                by_label = {str(c): c for c in cats}
                newdata[col] = pd.Categorical(newdata[col].astype(str).map(by_label), categories=cats)
    return newdata


def _predictor_columns(fit: "BrmsFit") -> list[str]:
    """Data columns the model's predictors use (not the response, addition terms or grouping factors)."""
    import re

    cols = set(map(str, fit.frame.data.columns))
    out: list[str] = []

    def add(text: str | None) -> None:
        for name in re.findall(r"`[^`]*`|[A-Za-z_.][A-Za-z0-9_.]*", text or ""):
            name = name.strip("`")
            if name in cols and name not in out:
                out.append(name)

    for t in fit.frame.response_terms:
        for nl in t.nonlinear.values():
            add(" ".join(nl.covariates))
        for part in t.parts.values():
            lt = part.terms
            add(" ".join(lt.population))
            for g in lt.group_terms:
                add(g.expr)
            for sp in lt.special_terms:
                add(sp.text)
    groups = {v for b in fit.frame.blocks for v in (*b.group_vars, *((b.by,) if b.by else ()))}
    return [c for c in out if c not in groups and not _is_group_column(fit, c)]


def _type_of(values: pd.Series) -> str:
    """What a column holds, in the words of the messages: numeric, logical, factor or text."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return "factor"
    if pd.api.types.is_bool_dtype(dtype):
        return "logical"
    if pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    if dtype == object:
        present = values.dropna()
        if len(present) and all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                                for v in present):
            return "numeric"
    return "text"


def _rows_text(index: pd.Index) -> str:
    labels = [str(v) for v in index[:10]]
    more = f", ... ({len(index)} rows)" if len(index) > 10 else ""
    return f"row(s) {', '.join(labels)}{more}"


def validate_newdata_columns(fit: "BrmsFit", newdata: pd.DataFrame) -> None:
    """Types and missing values of ``newdata``'s predictor columns, checked before any design is rebuilt.

    A column of another type than in the fitted data (text where numbers were
    used, numbers that are not levels of a fitted factor) is a
    :class:`~brmspy.errors.DataError` naming the column, the expected and the
    found type.  A missing value in a factor predictor is a DataError (it
    matches no fitted level; brms silently treats it as the reference level); in a
    numeric predictor it gives a NaN prediction for that row (as brms's NA),
    with a warning naming the column and the rows (index labels of ``newdata``).

    Examples
    --------
    >>> validate_newdata_columns(fit, df.assign(Days="three"))   # doctest: +SKIP
    Traceback (most recent call last):
    DataError: newdata column 'Days' holds text (dtype str) but the model was fitted with numeric values ...
    """
    from ..frame.response import mi_kept_columns

    old_data = fit.frame.data
    imputed = mi_kept_columns(fit.frame.response_terms)  # NAs there: mi()'s own error, later
    for col in _predictor_columns(fit):
        if col not in newdata.columns:
            continue  # missing columns: reported when the design is rebuilt
        old, new = old_data[col], newdata[col]
        expected, found = _type_of(old), _type_of(new)
        if expected == "numeric" and found in ("text", "factor"):
            raise DataError(
                f"newdata column {col!r} holds {found} values (dtype {new.dtype}) but the model was fitted with "
                f"numeric values (dtype {old.dtype}); convert it, e.g. newdata[{col!r}] = "
                f"pd.to_numeric(newdata[{col!r}])."
            )
        if expected in ("factor", "text") and found == "numeric":
            known = set(map(str, old.astype(str).unique()))
            labels = set(map(str, new.dropna().map(_level_text).unique()))
            if not labels <= known:
                raise DataError(
                    f"newdata column {col!r} is numeric (dtype {new.dtype}) but the model was fitted with a "
                    f"{'factor' if expected == 'factor' else 'text column'} (dtype {old.dtype}) with levels "
                    f"{', '.join(sorted(known))}; values {sorted(labels - known)[:5]} are not among them. "
                    "Pass the fitted levels (as text or a categorical)."
                )
        missing = new.isna().to_numpy()
        if missing.any() and col not in imputed:
            rows = _rows_text(newdata.index[missing])
            if expected in ("factor", "text", "logical"):
                known = ", ".join(sorted(map(str, old.astype(str).unique())))
                raise DataError(
                    f"newdata column {col!r} is missing (NaN/None) in {rows}; a {expected} predictor needs one of "
                    f"its fitted values ({known}). Fill them in or drop those rows."
                )
            warnings.warn(
                f"newdata column {col!r} is NaN in {rows} (index labels of newdata): the predictions for those "
                "rows are NaN. Drop or fill those rows.", UserWarning, stacklevel=5,
            )


def _level_text(v: Any) -> str:
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _is_group_column(fit: "BrmsFit", col: str) -> bool:
    from ..specials.autocor import series_columns

    # 'gr' of ar()/ma()/cosy(): a new level is a new series
    return any(col in b.group_vars for b in fit.frame.blocks) or col in series_columns(fit)


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
        _, cols = _group_design(g, fit.frame.data)
        names = {n for n, _ in cols}
        for b in matches:
            from ..priors.nonlinear import is_nlpar  # the terms of mu, or of its non-linear parameters

            chosen.setdefault(b.id, set()).update(c.label for c in b.coefs if c.name in names
                                                  and (c.prefix.dpar == "mu" or is_nlpar(fit.frame, c.prefix)))
    return chosen


# -------------------------------------------------------- linear predictors


def _population(ctx: _Context, prefix: Prefix, intercept: bool = True) -> np.ndarray:
    design = ctx.fit.frame.designs[prefix]
    s = prefix.suffix
    S, N = len(ctx.idx), len(ctx.data)
    eta = np.zeros((S, N))
    if design.intercept and intercept:
        eta += _flat(ctx.params[f"b{s}_Intercept"], ctx.idx)[:, None]
    if design.coef_names:
        if ctx.is_new:
            X = design.spec.matrix(ctx.data)
        else:
            X = design.X
        Xb = X[:, 1:] if design.intercept else X
        eta += _flat(ctx.params[f"b{s}"], ctx.idx) @ Xb.T
    for sp in design.specials:  # offset(), mo(), s(), ...
        eta = eta + sp.eta(lambda name: _flat(ctx.params[name], ctx.idx), ctx.data if ctx.is_new else None)
    return eta


def _level_index(block: ReBlock, data: pd.DataFrame, member: int, ctx: _Context) -> np.ndarray:
    """0-based level index per row; -1 for levels not in the fitted data."""
    var = (block.group_vars[member],) if block.is_mm else block.group_vars
    labels = level_labels(data, var)
    index = pd.Index(block.levels).get_indexer(labels).astype(np.int64)  # -1: not a fitted level
    if (index < 0).any() and not ctx.allow_new_levels:
        new = sorted(set(labels[index < 0]))
        raise DataError(
            f"Level(s) {new[:5]} of grouping factor {block.group!r} are not in the fitted data. "
            "Use allow_new_levels=True to predict for new levels (see sample_new_levels)."
        )
    return index


def _block_effects(ctx: _Context, block: ReBlock, index: np.ndarray) -> np.ndarray:
    """Group-level effects per draw, row and coefficient: (S, N, M)."""
    S = len(ctx.idx)
    r = np.stack([_flat(ctx.params[f"r_{block.id}_{c.prefix.label}{j + 1}"], ctx.idx) for j, c in enumerate(block.coefs)],
                 axis=-1)  # (S, levels, M)
    out = r[:, np.clip(index, 0, None), :]
    new_rows = np.flatnonzero(index < 0)
    if new_rows.size:
        new_labels, inverse = np.unique(index[new_rows] * 0 + np.arange(new_rows.size), return_inverse=True)
        by_idx = None
        if block.by and ctx.sample_new_levels == "gaussian":  # sds of each new row's by-level
            from ..frame.groups import by_level_index

            by_idx = by_level_index(block, ctx.data.iloc[new_rows])
        effects = _new_level_effects(ctx, block, r, len(new_labels), by_idx)  # (S, n_new, M)
        out[:, new_rows, :] = effects[:, inverse, :]
    return out


def _new_level_effects(ctx: _Context, block: ReBlock, r: np.ndarray, n_new: int,
                       by_idx: np.ndarray | None = None) -> np.ndarray:
    S, L, M = r.shape
    if ctx.sample_new_levels == "old_levels":
        pick = ctx.rng.integers(0, L, n_new)
        return r[:, pick, :]
    if ctx.sample_new_levels == "uncertainty":
        pick = ctx.rng.integers(0, L, (S, n_new))
        return np.take_along_axis(r, pick[:, :, None].repeat(M, axis=2), axis=1)
    # "gaussian": draw from the estimated multivariate normal of the block
    sd = _flat(ctx.params[f"sd_{block.id}"], ctx.idx)
    z = ctx.rng.standard_normal((S, n_new, M))
    if block.by and by_idx is not None:  # (S, M, Nby) sds: each new level takes its row's by-level
        sd_n = np.moveaxis(sd[:, :, by_idx], 2, 1)  # (S, n_new, M)
        if block.has_cor:
            L_ = _flat(ctx.params[f"L_{block.id}"], ctx.idx)[:, by_idx]  # (S, n_new, M, M)
            return np.einsum("snij,snj->sni", sd_n[..., None] * L_, z)
        return z * sd_n
    if block.by:
        sd = sd[..., 0]  # by-level of a new level is unknown: use the first
    if block.has_cor:
        L_ = _flat(ctx.params[f"L_{block.id}"], ctx.idx)
        if block.by:
            L_ = L_[:, 0]
        return np.einsum("sij,snj->sni", sd[:, :, None] * L_, z)
    return z * sd[:, None, :]


def _group_effects(ctx: _Context, prefix: Prefix) -> np.ndarray:
    S, N = len(ctx.idx), len(ctx.data)
    eta = np.zeros((S, N))
    for block in ctx.fit.frame.blocks:
        include = ctx.blocks.get(block.id, set())
        js = [j for j, c in enumerate(block.coefs) if c.prefix == prefix and c.label in include]
        if not js:
            continue
        members = range(len(block.J)) if block.is_mm else [0]
        if block.is_mm:  # scaled weights of each member (brmspy.group_structure)
            from ..frame.groups import mm_weights_for

            weights = mm_weights_for(block, ctx.data) if ctx.is_new else block.mm_weights
        for m in members:
            index = _level_index(block, ctx.data, m, ctx) if ctx.is_new else block.J[m] - 1
            eff = _block_effects(ctx, block, index)
            weight = weights[m] if block.is_mm else 1.0
            for j in js:
                c = block.coefs[j]
                Z = c.Z_for(ctx.data) if ctx.is_new else c.Z
                eta += eff[:, :, j] * (weight * Z)[None, :]
    return eta


def _terms(fit: "BrmsFit", resp: str | None = None) -> BrmsTerms:
    """The terms of response ``resp`` (multivariate models) or of the only response."""
    terms = fit.frame.response_terms
    if resp is not None:
        for t in terms:
            if t.resp and t.resp == resp:
                return t
        names = [t.resp for t in terms if t.resp]
        raise BrmsError(f"resp={resp!r} is not a response of this model; its responses: {', '.join(names)}."
                        if names else f"resp={resp!r} is for multivariate models; this model has one response: omit resp.")
    if len(terms) != 1:
        raise BrmsError("This multivariate model has several responses; choose one with resp= "
                        f"({', '.join(t.resp for t in terms)}).")
    return terms[0]


def _all_responses(fit: "BrmsFit", resp: str | None) -> bool:
    """Whether to predict every response of a multivariate model at once (resp omitted)."""
    return resp is None and len(fit.frame.response_terms) > 1


def _ordinal_parts(ctx: _Context, t: BrmsTerms) -> dict[str, Any]:
    """Latent mu (no intercept) and thresholds per draw (and row, with cs())."""
    prefix = Prefix(t.resp, "mu")
    design = ctx.fit.frame.designs[prefix]
    s = prefix.suffix
    mu = _population(ctx, prefix, intercept=False) + _group_effects(ctx, prefix)
    thres = _flat(ctx.params[f"b{s}_Intercept"], ctx.idx)[:, None, :]  # (S, 1, nthres)
    if design.Xcs is not None:
        Xcs = design.cs_spec.matrix(ctx.data) if ctx.is_new else design.Xcs
        bcs = _flat(ctx.params[f"bcs{s}"], ctx.idx)  # (S, Kcs, nthres)
        thres = thres - np.einsum("nk,skt->snt", Xcs, bcs)
    return {"mu": mu, "thres": thres, "link": t.family.link}


def _dpar_values(ctx: _Context, t: BrmsTerms, transform: bool = True) -> dict[str, np.ndarray]:
    """Every dpar of the family on the response scale (or the linear predictor scale)."""
    out: dict[str, Any] = {}
    if t.family.spec.special == "ordinal":
        out.update(_ordinal_parts(ctx, t))
    if t.family.spec.special == "mixture" and not t.family.theta_pred:  # (S, 1, K) mixing proportions
        out["theta"] = _flat(ctx.params["theta" + (f"_{t.resp}" if t.resp else "")], ctx.idx)[:, None, :]
    if t.family.spec.special == "categorical":  # (draws, obs, ncat) linear predictors, 0 for the reference
        from .categorical import category_eta

        levels = ctx.fit.frame.responses[t.resp].levels
        out["mu"] = category_eta(t, levels, lambda p: _population(ctx, p) + _group_effects(ctx, p))
    for d in t.family.dpars:
        prefix = Prefix(t.resp, d)
        if d in out:
            continue
        if d in t.nonlinear:  # a non-linear formula (brmspy.nonlinear)
            from .nonlinear import nonlinear_eta

            eta = nonlinear_eta(ctx, t, d)
            out[d] = LINKS[t.family.links[d]].inv(eta) if transform else eta
        elif d in t.parts:
            eta = _population(ctx, prefix) + _group_effects(ctx, prefix)
            from .autocor import adjust_eta

            eta = adjust_eta(ctx, t, prefix, eta)  # ar()/ma()/arma() terms use earlier residuals
            out[d] = LINKS[t.family.links[d]].inv(eta) if transform else eta
        elif d in t.fixed:
            out[d] = np.full((1, 1), float(t.fixed[d]))
        else:  # one parameter per response, or one for all (nu with rescor)
            name = d + (f"_{t.resp}" if t.resp and d not in t.shared else "")
            out[d] = _flat(ctx.params[name], ctx.idx)[:, None]
    return out


def _extras(ctx: _Context, t: BrmsTerms, need_response: bool = False):
    if not ctx.is_new:
        rd = ctx.fit.frame.responses[t.resp]
        return rd, Extras(rd.trials)
    has_response = t.response.expr in ctx.data.columns
    if has_response and not need_response and ctx.data[t.response.expr].isna().any():
        has_response = False  # unknown responses (e.g. time points to forecast) are not needed here
    if need_response and not has_response:
        raise DataError(f"newdata needs the response column {t.response.expr!r} here.")
    if has_response:
        rd = _response_data(t, ctx.data)
        return rd, Extras(rd.trials)
    trials = t.response.addition("trials")
    n = None
    if trials is not None:
        col = trials.args["n"]
        if col not in ctx.data.columns:
            raise DataError(f"newdata needs the trials column {col!r} of 'trials({col})'.")
        n = np.asarray(ctx.data[col], dtype=np.int64)
    elif t.family.spec.needs_trials:
        n = np.full(len(ctx.data), int(ctx.fit.frame.responses[t.resp].trials.max()))
    return None, Extras(n)


# ----------------------------------------------------------------- public


def posterior_linpred(fit: "BrmsFit", newdata: pd.DataFrame | None = None, transform: bool = False,
                      re_formula: Any = None, ndraws: int | None = None, dpar: str | None = None,
                      allow_new_levels: bool = False, sample_new_levels: str = "uncertainty",
                      seed: int | None = None, resp: str | None = None, nlpar: str | None = None,
                      incl_autocor: bool = True) -> np.ndarray:
    """Linear predictor draws (draws × observations); ``transform=True`` applies the inverse link.

    ``incl_autocor=False`` leaves out ``ar()``/``ma()``/``arma()`` terms (brms's argument of
    the same name), e.g. for new data without the response or time structure.

    In multivariate models ``resp`` chooses a response; without it the result is
    draws × observations × responses.  In non-linear models ``nlpar`` gives the
    draws of one non-linear parameter instead.

    Examples
    --------
    >>> posterior_linpred(fit, re_formula="~ 0").shape       # doctest: +SKIP
    """
    ctx = _context(fit, newdata, re_formula, ndraws, allow_new_levels, sample_new_levels, seed, incl_autocor)
    if _all_responses(fit, resp):
        from .mv import stack_responses

        return stack_responses(fit, lambda t: _linpred(ctx, t, dpar, transform, nlpar))
    return _linpred(ctx, _terms(fit, resp), dpar, transform, nlpar)


def _linpred(ctx: _Context, t: BrmsTerms, dpar: str | None, transform: bool, nlpar: str | None = None) -> np.ndarray:
    d = dpar or "mu"
    if nlpar is not None or d in t.nonlinear:  # non-linear formulas and parameters (brmspy.nonlinear)
        from .nonlinear import nonlinear_linpred

        return nonlinear_linpred(ctx, t, d, nlpar, transform)
    if d not in t.parts:
        raise BrmsError(f"dpar {d!r} is not predicted in this model; predicted: {', '.join(t.parts)}.")
    eta = _population(ctx, Prefix(t.resp, d)) + _group_effects(ctx, Prefix(t.resp, d))
    from .autocor import adjust_eta

    eta = adjust_eta(ctx, t, Prefix(t.resp, d), eta)  # ar()/ma()/arma() terms use earlier residuals
    return LINKS[t.family.links.get(d, t.family.link)].inv(eta) if transform else eta


def posterior_epred(fit: "BrmsFit", newdata: pd.DataFrame | None = None, re_formula: Any = None,
                    ndraws: int | None = None, dpar: str | None = None, allow_new_levels: bool = False,
                    sample_new_levels: str = "uncertainty", seed: int | None = None,
                    resp: str | None = None, chunk_size: int | None = None, incl_autocor: bool = True) -> np.ndarray:
    """Draws of the expected value of the response (or of ``dpar`` on its own scale).

    In multivariate models ``resp`` chooses a response; without it the result is
    draws × observations × responses, as in brms.  ``chunk_size``: rows evaluated at
    a time (None: automatic for large draws × rows, 0: one piece; :mod:`brmspy.chunked`).
    ``incl_autocor`` as in :func:`posterior_linpred`.
    """
    if (out := _chunked(posterior_epred, fit, newdata, chunk_size, ndraws, seed, dict(
            re_formula=re_formula, dpar=dpar, allow_new_levels=allow_new_levels,
            sample_new_levels=sample_new_levels, resp=resp, incl_autocor=incl_autocor))) is not None:
        return out
    ctx = _context(fit, newdata, re_formula, ndraws, allow_new_levels, sample_new_levels, seed, incl_autocor)
    if _all_responses(fit, resp):
        from .mv import stack_responses

        return stack_responses(fit, lambda t: _epred(ctx, t, dpar))
    return _epred(ctx, _terms(fit, resp), dpar)


def _epred(ctx: _Context, t: BrmsTerms, dpar: str | None) -> np.ndarray:
    dp = _dpar_values(ctx, t)
    S, N = len(ctx.idx), len(ctx.data)
    if dpar is not None:
        if dpar not in dp:
            raise BrmsError(f"Family {t.family.name!r} has no dpar {dpar!r}; its dpars: {', '.join(dp)}.")
        return np.broadcast_to(dp[dpar], (S, N)).copy()
    _, ex = _extras(ctx, t)
    if t.family.spec.special in ("ordinal", "categorical"):
        return t.family.spec.math.epred(dp, ex)  # (S, N, ncat) category probabilities, as brms
    if (adds := context_additions(ctx, t, "epred")) is not None:  # rate(), trunc(): brmspy.addition
        return np.broadcast_to(addition_epred(t, adds, dp, ex), (S, N)).astype(float)
    return np.broadcast_to(t.family.spec.math.epred(dp, ex), (S, N)).astype(float)


def posterior_predict(fit: "BrmsFit", newdata: pd.DataFrame | None = None, re_formula: Any = None,
                      ndraws: int | None = None, allow_new_levels: bool = False,
                      sample_new_levels: str = "uncertainty", seed: int | None = None,
                      resp: str | None = None, chunk_size: int | None = None, incl_autocor: bool = True) -> np.ndarray:
    """Draws from the posterior predictive distribution (draws × observations).

    In multivariate models ``resp`` chooses a response; without it the result is
    draws × observations × responses, drawn jointly (multivariate normal or t)
    when the model has residual correlations.  ``chunk_size`` as in :func:`posterior_epred`
    (chunks draw from independent random streams derived from ``seed``).
    ``incl_autocor`` as in :func:`posterior_linpred`.
    """
    if (out := _chunked(posterior_predict, fit, newdata, chunk_size, ndraws, seed, dict(
            re_formula=re_formula, allow_new_levels=allow_new_levels,
            sample_new_levels=sample_new_levels, resp=resp, incl_autocor=incl_autocor))) is not None:
        return out
    ctx = _context(fit, newdata, re_formula, ndraws, allow_new_levels, sample_new_levels, seed, incl_autocor)
    if _all_responses(fit, resp):
        from .mv import mv_predict

        return mv_predict(ctx, fit, _predict)
    return _predict(ctx, _terms(fit, resp))


def _predict(ctx: _Context, t: BrmsTerms) -> np.ndarray:
    dp = _dpar_values(ctx, t)
    from .autocor import time_cov_predict

    if (draws := time_cov_predict(ctx, t, dp, ctx.rng)) is not None:  # cosy(), cov = TRUE: one draw per series
        return draws
    S, N = len(ctx.idx), len(ctx.data)
    dp = {k: (np.broadcast_to(v, (S, N)) if k not in ("thres", "link", "theta") and np.ndim(v) < 3 else v)
          for k, v in dp.items()}
    _, ex = _extras(ctx, t)
    if (adds := context_additions(ctx, t, "predict")) is not None:  # trunc(), se(), rate(): brmspy.addition
        return addition_predict(t, adds, dp, ex, ctx.rng)
    return np.asarray(t.family.spec.math.rng(dp, ex, ctx.rng), dtype=float)


def log_lik(fit: "BrmsFit", newdata: pd.DataFrame | None = None, re_formula: Any = None,
            ndraws: int | None = None, allow_new_levels: bool = False,
            sample_new_levels: str = "uncertainty", seed: int | None = None,
            resp: str | None = None, chunk_size: int | None = None) -> np.ndarray:
    """Pointwise log-likelihood draws (draws × observations), weighted as in brms.

    In multivariate models without ``resp`` the responses of a row are combined:
    summed, or with residual correlations the row's multivariate density.
    ``chunk_size`` as in :func:`posterior_epred`; chunked values equal unchunked ones.
    """
    if (out := _chunked(log_lik, fit, newdata, chunk_size, ndraws, seed, dict(
            re_formula=re_formula, allow_new_levels=allow_new_levels,
            sample_new_levels=sample_new_levels, resp=resp))) is not None:
        return out
    ctx = _context(fit, newdata, re_formula, ndraws, allow_new_levels, sample_new_levels, seed)
    if _all_responses(fit, resp):
        from .mv import mv_log_lik

        return mv_log_lik(ctx, fit, _log_lik)
    return _log_lik(ctx, _terms(fit, resp))


def _log_lik(ctx: _Context, t: BrmsTerms) -> np.ndarray:
    dp = _dpar_values(ctx, t)
    rd, ex = _extras(ctx, t, need_response=True)
    from .autocor import time_cov_log_lik

    if (ll := time_cov_log_lik(ctx, t, dp, rd.y)) is not None:  # cosy(), cov = TRUE: brms's LOO-conditional densities
        return ll
    if rd.adds is not None:  # cens(), trunc(), se(), rate(): brmspy.addition
        ll = addition_loglik(t, rd, dp, ex)
    else:
        ll = t.family.spec.math.loglik(rd.y[None, :], dp, ex)
    shape = (len(ctx.idx), len(ctx.data))
    fresh = isinstance(ll, np.ndarray) and ll.shape == shape and ll.dtype == float and ll.flags.owndata
    if not fresh:  # a full-size float array of its own needs no copy (a draws × rows copy costs as much as the density)
        ll = np.broadcast_to(ll, shape).astype(float)
    if rd.weights is not None:
        ll = ll * rd.weights[None, :]
    return ll


def _observed(fit: "BrmsFit", newdata: pd.DataFrame | None, resp: str | None = None) -> np.ndarray:
    if _all_responses(fit, resp):  # observations × responses
        return np.stack([_observed(fit, newdata, t.resp) for t in fit.frame.response_terms], axis=-1)
    t = _terms(fit, resp)
    if newdata is None:
        return fit.frame.responses[t.resp].y.astype(float)
    if t.response.expr not in newdata.columns:
        raise DataError(f"newdata needs the response column {t.response.expr!r} for residuals.")
    return _response_data(t, newdata.reset_index(drop=True)).y.astype(float)


def predictive_error(fit: "BrmsFit", newdata: pd.DataFrame | None = None, **kw: Any) -> np.ndarray:
    """``y - y_rep`` per draw and observation (and response, in multivariate models without ``resp``)."""
    return _observed(fit, newdata, kw.get("resp"))[None] - posterior_predict(fit, newdata, **kw)


def _summarise(draws: np.ndarray, prob: float, first: int = 1, labels: list[str] | None = None) -> pd.DataFrame:
    from ..core.types import _check_prob

    _check_prob(prob)
    if draws.ndim == 3:
        # one block of columns per category (ordinal/categorical: P(Y = k)) or per response (``labels``)
        keys = labels or [f"P(Y = {k + first})" for k in range(draws.shape[2])]
        return pd.concat({key: _summarise(draws[..., k], prob) for k, key in enumerate(keys)}, axis=1)
    lo, hi = (1 - prob) / 2, 1 - (1 - prob) / 2
    q = np.quantile(draws, [lo, hi], axis=0)
    return pd.DataFrame({"Estimate": draws.mean(axis=0), "Est.Error": draws.std(axis=0, ddof=1),
                         f"Q{lo * 100:g}": q[0], f"Q{hi * 100:g}": q[1]})


def fitted(fit: "BrmsFit", newdata: pd.DataFrame | None = None, prob: float = 0.95, **kw: Any) -> pd.DataFrame:
    """Summary of :func:`posterior_epred` per observation (Estimate, Est.Error, Q2.5, Q97.5)."""
    hurdle = any(t.family.name == "hurdle_cumulative" for t in fit.frame.response_terms)
    return _summarise(posterior_epred(fit, newdata, **kw), prob, first=0 if hurdle else 1,
                      labels=_resp_labels(fit, kw.get("resp")))


def predict(fit: "BrmsFit", newdata: pd.DataFrame | None = None, prob: float = 0.95, **kw: Any) -> pd.DataFrame:
    """Summary of :func:`posterior_predict` per observation."""
    return _summarise(posterior_predict(fit, newdata, **kw), prob, labels=_resp_labels(fit, kw.get("resp")))


def _resp_labels(fit: "BrmsFit", resp: str | None) -> list[str] | None:
    """Column-block labels of summaries over all responses of a multivariate model."""
    return [t.resp for t in fit.frame.response_terms] if _all_responses(fit, resp) else None


def residuals(fit: "BrmsFit", newdata: pd.DataFrame | None = None, type: str = "ordinary", prob: float = 0.95,
              **kw: Any) -> pd.DataFrame:
    """Residuals ``y - E[y]`` ("ordinary") or divided by the predictive sd ("pearson"), summarized."""
    if type not in ("ordinary", "pearson"):
        raise BrmsError(f"type must be 'ordinary' or 'pearson', got {type!r}.")
    y = _observed(fit, newdata, kw.get("resp"))
    ep = posterior_epred(fit, newdata, **kw)
    res = y[None] - ep
    if type == "pearson":
        res = res / posterior_predict(fit, newdata, **kw).std(axis=0, ddof=1)[None]
    return _summarise(res, prob, labels=_resp_labels(fit, kw.get("resp")))


def series_log_lik(fit, ndraws: int | None = None) -> np.ndarray:
    """Joint log density of each series, (draws, series), for time-covariance models.

    The sum over series is the model's log-likelihood (what Stan adds to
    ``target``); ``log_lik`` instead returns brms's pointwise leave-one-out
    conditional densities.
    """

    t = _terms(fit)
    ctx = _context(fit, None, None, ndraws, False, "uncertainty", None)
    dp = _dpar_values(ctx, t)
    parts = _time_cov_parts(ctx, t, dp, "series_log_lik")
    if parts is None:
        raise DataError("series_log_lik() is for models with cosy() or a covariance ARMA structure (cov = TRUE).")
    ac, mu, sigma, nu, cp = parts
    y = fit.frame.responses[t.resp].y.astype(float)
    cols = []
    for b, e in zip(ac.series.begin - 1, ac.series.end):
        C = _series_cov(ac, cp, sigma, b, e)
        res = y[None, b:e] - mu[:, b:e]
        _, logdet = np.linalg.slogdet(C)
        quad = np.einsum("si,si->s", res, np.linalg.solve(C, res[..., None])[..., 0])
        n = e - b
        if nu is None:
            cols.append(-0.5 * (n * math.log(2 * math.pi) + logdet + quad))
        else:
            from scipy.special import gammaln

            cols.append(gammaln((nu + n) / 2) - gammaln(nu / 2) - 0.5 * n * np.log(nu * math.pi) - 0.5 * logdet
                        - (nu + n) / 2 * np.log1p(quad / nu))
    return np.column_stack(cols)
