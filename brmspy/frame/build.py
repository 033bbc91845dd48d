"""Data stage: typed terms + a DataFrame -> :class:`ModelFrame`.

This is where data meets the formula: every variable of the designs is
evaluated with R's meanings (:mod:`brmspy.rvalues`) on the data, NA rows are
dropped (with a warning, as brms does), the response is checked against the
family, population-level designs are built as R's ``model.matrix`` builds them
(:class:`brmspy.design.DesignSpec`, kept for new data), and group-level terms
become index vectors and Z columns.  Everything here is vectorised over rows.
"""

from __future__ import annotations

import difflib
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.errors import DataError, FormulaError
from ..families import warn_binomial_trials
from ..formula.prefix import Prefix
from ..formula.rexpr import names_in, parse_expr
from ..formula.rterms import RTerms, population_terms
from ..formula.terms import BrmsTerms, GroupTerm, LinearTerms, MvBrmsTerms
from .additions import HANDLED as ADDITIONS_HANDLED
from .additions import AdditionData, build_additions
from .design import DesignSpec, ModelVariables

_IDENT = re.compile(r"`[^`]*`|[A-Za-z_.][A-Za-z0-9_.]*")

# ----------------------------------------------------------------- naming


# -------------------------------------------------------------- containers


@dataclass
class PopulationDesign:
    """Population-level design of one linear predictor.

    ``X`` holds all columns, the intercept first when there is one (brms centres
    the others in Stan's transformed data); ``coef_names`` are the non-intercept
    column names in brms style.
    """

    prefix: Prefix
    intercept: bool
    X: np.ndarray | None = field(repr=False)
    coef_names: list[str]
    spec: DesignSpec | None = field(repr=False)  # rebuilds X on new data
    formula: str

    Xcs: np.ndarray | None = field(default=None, repr=False)  # category-specific effects cs(...)
    cs_names: list[str] = field(default_factory=list)
    cs_spec: DesignSpec | None = field(default=None, repr=False)
    specials: list = field(default_factory=list)  # SpecialDesign per kind of special term (brmspy.specials)

    @property
    def K(self) -> int:
        return 0 if self.X is None else self.X.shape[1]


@dataclass
class ReCoef:
    """One varying coefficient of a group-level block."""

    prefix: Prefix
    name: str  # e.g. "Intercept", "Days"
    Z: np.ndarray = field(repr=False)  # (N,) values of the predictor
    term: GroupTerm | None = None  # the group-level term it comes from
    spec: DesignSpec | None = field(default=None, repr=False)  # design of the term's effects (None: intercept only)
    column: int = 0  # its column in that design

    def Z_for(self, data: pd.DataFrame) -> np.ndarray:
        """The predictor's values on new data, from the stored design."""
        if self.spec is None:
            return np.ones(len(data))
        return self.spec.matrix(data)[:, self.column]

    @property
    def label(self) -> str:
        return self.prefix.label + self.name


@dataclass
class ReBlock:
    """All group-level coefficients sharing one sd vector (and correlation matrix).

    One block per ID in brms's numbering (``sd_1``, ``z_1``, ``L_1``, ``r_1_1``).
    """

    id: int
    group: str
    group_vars: tuple[str, ...]
    levels: list[str]
    J: list[np.ndarray] = field(repr=False)  # 1-based indices per member (one member unless mm)
    coefs: list[ReCoef]
    cor: bool
    terms: list[GroupTerm]
    by: str | None = None
    by_levels: list[str] | None = None
    Jby: np.ndarray | None = None  # by-level (1-based) of each group level
    mm_weights: list[np.ndarray] | None = None
    cov: str | None = None  # name of a known covariance matrix in data2 (gr(g, cov = A))
    Lcov: np.ndarray | None = field(default=None, repr=False)  # its cholesky factor over ``levels``

    @property
    def M(self) -> int:
        return len(self.coefs)

    @property
    def N_levels(self) -> int:
        return len(self.levels)

    @property
    def is_mm(self) -> bool:
        return len(self.J) > 1

    @property
    def has_cor(self) -> bool:
        return self.cor and self.M > 1


@dataclass
class ResponseData:
    """Response values and addition-term data of one response."""

    name: str
    y: np.ndarray
    trials: np.ndarray | None = None
    weights: np.ndarray | None = None
    levels: list[str] | None = None  # response categories (ordinal/categorical)
    missing: np.ndarray | None = None  # 0-based rows of NA responses imputed with '| mi()' (y is NaN there)
    adds: "AdditionData | None" = None  # cens(), trunc(), se(), rate() values (brmspy.addition)

    @property
    def ncat(self) -> int | None:
        return None if self.levels is None else len(self.levels)


@dataclass
class ModelFrame:
    """The model's data, ready for prior defaults and Stan data."""

    terms: BrmsTerms | MvBrmsTerms
    data: pd.DataFrame  # rows used (after NA removal)
    responses: dict[str, ResponseData]  # keyed by resp ("" univariate)
    designs: dict[Prefix, PopulationDesign]
    blocks: list[ReBlock]
    dropped_rows: int = 0
    group_levels: dict[str, list[str]] = field(default_factory=dict)

    @property
    def N(self) -> int:
        return len(self.data)

    @property
    def response_terms(self) -> list[BrmsTerms]:
        return self.terms.responses if isinstance(self.terms, MvBrmsTerms) else [self.terms]


# ---------------------------------------------------------------- building


def _names_in(text: str) -> list[str]:
    return [m.group(0).strip("`") for m in _IDENT.finditer(text)]


def _check_columns(names: list[str], data: pd.DataFrame, where: str) -> None:
    for name in names:
        if name not in data.columns:
            close = difflib.get_close_matches(name, [str(c) for c in data.columns], n=3)
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise DataError(f"Column {name!r} used in {where} is not in the data.{hint}")


def variables_of(terms: BrmsTerms, data: pd.DataFrame) -> list[str]:
    """Data columns a response's model uses, in first-use order."""
    cols = set(map(str, data.columns))
    used: list[str] = []

    def add(text: str | None, required: bool = False, where: str = "") -> None:
        if text is None:
            return
        for n in _names_in(text):
            if n in cols and n not in used:
                used.append(n)

    add(terms.response.expr)
    for a in terms.response.additions:
        for k, v in a.args.items():
            if not (a.name == "cens" and k == "y2"):  # y2 may be NA in rows that are not interval censored
                add(v)
    for nl in terms.nonlinear.values():
        add(" ".join(nl.covariates))
    for part in terms.parts.values():
        lt = part.terms
        if lt.rterms is not None:
            for e in lt.rterms.variables:
                for n in names_in(e):
                    if n in cols and n not in used:
                        used.append(n)
        for g in lt.group_terms:
            add(g.expr)
            add(" ".join(g.group_vars))
            add(g.by)
            add(" ".join(g.mm_weights or ()))
        for s in lt.special_terms:
            add(s.text)
    return used


def _explicit_group_columns(terms: BrmsTerms) -> list[tuple[str, str]]:
    out = []
    for part in terms.parts.values():
        for g in part.terms.group_terms:
            for v in (*g.group_vars, *(g.mm_weights or ()), *((g.by,) if g.by else ())):
                out.append((v, g.label))
    return out


def build_frame(terms: BrmsTerms | MvBrmsTerms, data: pd.DataFrame, data2: dict | None = None) -> ModelFrame:
    """Build the :class:`ModelFrame` of ``terms`` on ``data``.

    ``data2`` holds data that are not columns, e.g. known covariance matrices
    of ``gr(g, cov = A)``.

    Examples
    --------
    >>> from brmspy.datasets import load
    >>> from brmspy.formula import build_terms
    >>> mf = build_frame(build_terms("Reaction ~ Days + (Days | Subject)"), load("sleepstudy"))
    >>> mf.N, mf.blocks[0].levels[:2]
    (180, ['308', '309'])
    """
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data must be a pandas DataFrame; got {type(data).__name__}.")
    _check_data_shape(data)
    resp_terms = terms.responses if isinstance(terms, MvBrmsTerms) else [terms]
    used: list[str] = []
    for t in resp_terms:
        _check_columns([c for c, _ in _explicit_group_columns(t)], data, "a group-level term")
        resp_expr = t.response.expr
        if resp_expr not in data.columns and all(n not in data.columns for n in _names_in(resp_expr)):
            _check_columns([resp_expr], data, "the response")
        for a in t.response.additions:
            for v in a.args.values():
                if re.fullmatch(r"[A-Za-z_.][A-Za-z0-9_.]*", v) and v not in ("TRUE", "FALSE", "True", "False", "NA"):
                    _check_columns([v], data, f"'{a.text}'")
        used.extend(c for c in variables_of(t, data) if c not in used)

    from ..specials.mi import check_mi, mi_kept_columns

    check_mi(resp_terms, data)  # mi(x) needs bf("x | mi() ~ ..."); NAs in such x are imputed, not dropped
    kept = mi_kept_columns(resp_terms)
    used_na = [c for c in used if c not in kept]
    # R's model frame: the designs' variables are evaluated on every row, then rows with NAs are dropped
    mv = ModelVariables(data)
    for t in resp_terms:
        for part in t.parts.values():
            for rterms, where in _design_terms(part.terms, part.formula):
                mv.add_terms(rterms, where)
    sub = data[used_na] if used_na else data.iloc[:, :0]
    na_cols = sub.isna().any(axis=1).to_numpy()
    na_vars = mv.na_rows()
    na = na_cols | na_vars
    dropped = int(na.sum())
    if dropped:
        where = [c for c in used_na if data[c].isna().any()]
        what = f"column(s) {', '.join(where)}" if where else ""
        if (na_vars & ~na_cols).any():  # e.g. log(x) of negative x, factor(x, levels = ...) missing a value
            extra = [k for k, v in mv.values.items() if (_na_rows(v) & ~na_cols).any()]
            what += ("; " if what else "") + f"NA values of {', '.join(extra)}"
        warnings.warn(
            f"Rows containing NAs were excluded from the model: {dropped} of {len(data)} rows (in {what}).",
            stacklevel=3,
        )
    rows = np.flatnonzero(~na)
    data = data.iloc[rows].reset_index(drop=True)
    if len(data) == 0:
        raise DataError("No rows left after removing rows with NAs in the model's variables.")
    from .autocor import row_order

    order = row_order(terms, data)  # ar()/ma()/arma()/cosy(): rows sorted by series then time, as brms
    if order is not None:
        data = data.iloc[order].reset_index(drop=True)
        rows = rows[order]
    mv.keep(rows)

    responses: dict[str, ResponseData] = {}
    designs: dict[Prefix, PopulationDesign] = {}
    group_specs: list[tuple[Prefix, GroupTerm]] = []
    for t in resp_terms:
        responses[t.resp] = _response_data(t, data)
        _check_cs(t)
        if t.nonlinear:  # covariates of non-linear formulas are numeric columns (brmspy.nonlinear)
            from ..formula.nonlinear import check_supported
            from .nonlinear import check_covariates

            check_supported(terms)
            check_covariates(t, data)
        for name, part in t.parts.items():
            prefix = Prefix(t.resp, name)
            designs[prefix] = _population_design(prefix, part.terms, data, part.formula, mv)
            if part.kind == "nlpar":  # brms: nlpars are not centred, their intercept is a 'b' coefficient
                from .nonlinear import uncentered_design

                designs[prefix] = uncentered_design(designs[prefix], data)
            from .groups import brms_term_order

            group_specs.extend((prefix, g) for g in brms_term_order(list(part.terms.group_terms)))  # brms's ids
    from ..specials import link_specials

    # e.g. me() latent values shared by several predictors; mecor: set_mecor() of the model
    link_specials(list(designs.values()), mecor=terms.mecor)
    blocks = _group_blocks(group_specs, data, data2, mv)
    levels = {b.group: b.levels for b in blocks}
    frame = ModelFrame(terms, data, responses, designs, blocks, dropped, levels)
    from ..priors.checks import check_values

    check_values(frame)  # values too large for double precision: a DataError naming the column
    return frame


def _check_data_shape(data: pd.DataFrame) -> None:
    """Refuse data without rows and data with duplicated column names (which column would be used?)."""
    dup = data.columns[data.columns.duplicated()]
    if len(dup):
        counts = data.columns.value_counts()
        names = ", ".join(f"{c!r} ({counts[c]} times)" for c in dict.fromkeys(data.columns) if c in set(dup))
        raise DataError(
            f"The data have duplicated column names: {names}. Rename them so that each name is one column, "
            "e.g. data.columns = [...] or data.loc[:, ~data.columns.duplicated()] to keep the first."
        )
    if len(data) == 0:  # brms: "Argument 'data' does not contain observations."
        raise DataError(
            "The data have no rows (argument 'data' does not contain observations): "
            "a subset or filter that matched nothing?"
        )


def _check_cs(t: BrmsTerms) -> None:
    """cs() needs an ordinal family other than cumulative (as in brms)."""
    for name, part in t.parts.items():
        if not part.terms.specials("cs"):
            continue
        if t.family.spec.special != "ordinal" or name != "mu":
            raise FormulaError(f"cs() (category-specific effects) is only for ordinal families' mu; remove it from {part.formula!r}.")
        if t.family.name == "cumulative":
            raise FormulaError(
                "Category-specific effects cs() are not supported for family 'cumulative' (the thresholds could "
                "cross); use family 'sratio', 'cratio' or 'acat'."
            )


def _design_terms(lt: LinearTerms, formula: str) -> list[tuple[RTerms, str]]:
    """Every design of a linear predictor as R terms: population part, group-level effects, cs() effects."""
    from ..formula.terms import parse_rhs

    out = []
    if lt.rterms is not None and lt.rterms.terms:
        out.append((lt.rterms, formula))
    for g in lt.group_terms:
        inner = parse_rhs(g.expr, g.label).rterms
        if inner is not None and inner.terms:
            out.append((inner, g.label))
    cs = _cs_terms(lt, formula)
    if cs is not None:
        out.append((cs, formula))
    return out


def _cs_terms(lt: LinearTerms, formula: str) -> RTerms | None:
    cs_terms = lt.specials("cs")
    if not cs_terms:
        return None
    return population_terms("0 + " + " + ".join(a for s in cs_terms for a in s.call.args), formula)


def _na_rows(v) -> np.ndarray:
    from .design import _na_of

    return _na_of(v)


def _eval_column(expr: str, data: pd.DataFrame, where: str) -> pd.Series:
    """A column, or an R expression of columns evaluated with R's meanings (never Python's)."""
    from .rvalues import Env, as_series, evaluate

    if expr in data.columns:
        col = data[expr]
        if isinstance(col, pd.DataFrame):
            raise DataError(f"The data have several columns named {expr!r}; give each column a unique name.")
        return col
    e = parse_expr(expr, where)
    return as_series(evaluate(e, Env(data, where)), len(data), expr)


def _addition_values(expr: str, data: pd.DataFrame, where: str) -> np.ndarray:
    """Numeric values of an addition-term argument (``trials(n)``, ``weights(w / 2)``, a number)."""
    from .rvalues import Env, numeric_values

    try:
        return np.full(len(data), float(expr))
    except ValueError:
        pass
    return numeric_values(parse_expr(expr, where), Env(data, where), where)


def _response_data(t: BrmsTerms, data: pd.DataFrame) -> ResponseData:
    fam = t.family
    if fam.spec.special == "categorical":  # categorical, multinomial, dirichlet: one predictor per category
        from ..families.categorical import expand_parts, response_data

        rd = response_data(t, data)
        expand_parts(t, rd.levels)
        return rd
    y_raw = _eval_column(t.response.expr, data, "the response")
    if fam.spec.response == "ordinal":
        from ..families.core import ordinal_response

        y, levels = ordinal_response(y_raw, t.response.expr, fam.name)
        rd = ResponseData(t.response.expr, y, levels=levels)
    elif t.response.addition("mi") is not None:  # 'y | mi()': NAs become parameters (brmspy.specials.mi)
        from ..specials.mi import mi_response_data

        rd = mi_response_data(t, y_raw)
    else:
        rd = ResponseData(t.response.expr, fam.check_response(y_raw, t.response.expr))
    y = rd.y
    trials = t.response.addition("trials")
    if trials is not None:
        if not fam.spec.needs_trials:
            raise FormulaError(f"trials() is only used by binomial-type families, not by {fam.name!r}; remove it.")
        n = _addition_values(trials.args["n"], data, "trials()")
        if np.any(n != np.round(n)) or np.any(n < 0):
            raise DataError(f"trials() in {t.response.expr!r} must be non-negative integers.")
        n = n.astype(np.int64)
        if np.any(y > n):
            i = int(np.argmax(y > n))
            raise DataError(
                f"The response exceeds the number of trials in row {i} ({y[i]} > {n[i]}); check 'trials({trials.args['n']})'."
            )
        rd.trials = n
    elif fam.spec.needs_trials:
        rd.trials = warn_binomial_trials(y, t.response.expr)
    weights = t.response.addition("weights")
    if weights is not None:
        w = _addition_values(weights.args["w"], data, "weights()")
        if np.any(w < 0):
            raise DataError("weights() must be non-negative.")
        rd.weights = w
    rd.adds = build_additions(t, data, y)  # cens(), trunc(), se(), rate(): brmspy.addition
    for a in t.response.additions:
        if a.name not in ("trials", "weights", "mi", *ADDITIONS_HANDLED):
            raise FormulaError(f"The addition term '{a.name}()' is recognised but not supported yet; remove it for now.")
    return rd


def _population_design(prefix: Prefix, lt: LinearTerms, data: pd.DataFrame, formula: str,
                       mv: ModelVariables | None = None) -> PopulationDesign:
    from ..specials import build_specials

    mv = mv if mv is not None else ModelVariables(data)
    design = _fixed_design(prefix, lt, data, formula, mv)
    design.specials = build_specials(prefix, lt.special_terms, data, formula)
    for s in lt.special_terms:
        if s.kind in ("car", "sar", "fcor", "unstr"):  # ar/ma/arma/cosy: brmspy.autocorrelation
            raise FormulaError(f"The autocorrelation term '{s.text}' in {formula!r} is recognised but not supported yet.")
    cs = _cs_terms(lt, formula)
    if cs is not None:
        spec, Xcs = DesignSpec.build(cs, mv, formula)
        design.Xcs, design.cs_names, design.cs_spec = Xcs, spec.names, spec
    return design


def _fixed_design(prefix: Prefix, lt: LinearTerms, data: pd.DataFrame, formula: str,
                  mv: ModelVariables | None = None) -> PopulationDesign:
    if lt.rterms is None or not lt.rterms.terms:
        return PopulationDesign(prefix, lt.intercept, None, [], None, formula)
    mv = mv if mv is not None else ModelVariables(data)
    spec, X = DesignSpec.build(lt.rterms, mv, formula)
    names = spec.names
    coef_names = names[1:] if lt.intercept else names
    if not np.all(np.isfinite(X)):
        bad = [n for n, ok in zip(names, np.isfinite(X).all(axis=0)) if not ok]
        raise DataError(f"The predictor(s) {', '.join(bad)} in {formula!r} have non-finite values (e.g. log of 0).")
    return PopulationDesign(prefix, lt.intercept, X, coef_names, spec, formula)


def _levels_of(values: pd.Series) -> list:
    """Sorted distinct values of a grouping column (a categorical's used categories, in their order).

    Linear in the rows for every dtype: one factorisation, then a sort of the
    distinct values only.  Strings sort by code point (R's order under
    ``LC_COLLATE=C``); numbers numerically; bools FALSE < TRUE.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        used = np.zeros(len(values.cat.categories) + 1, dtype=bool)
        used[values.cat.codes.to_numpy()] = True  # code -1 marks the trailing slot
        return [c for c, u in zip(values.cat.categories, used[:-1]) if u]
    uniq = pd.unique(values.dropna().to_numpy(dtype=object) if values.dtype != object else values.dropna())
    return sorted(uniq, key=lambda v: (isinstance(v, str), v))


def group_index(data: pd.DataFrame, group_vars: tuple[str, ...]) -> tuple[np.ndarray, list[str]]:
    """1-based level index per row and the level labels (``a_b`` for ``a:b``).

    Linear in the rows for every dtype (int, object, ``str``, ``string``,
    ``string[pyarrow]``, categorical): codes come from one factorisation and
    only the distinct values are sorted.
    """
    if len(group_vars) == 1:
        col = data[group_vars[0]]
        if isinstance(col.dtype, pd.CategoricalDtype):
            raw = col.cat.codes.to_numpy().astype(np.int64)
            cats = list(col.cat.categories)
            used = np.zeros(len(cats) + 1, dtype=bool)
            used[raw] = True
            keep = np.flatnonzero(used[:-1])  # R's drop.unused.levels, category order kept
            remap = np.full(len(cats) + 1, -1, dtype=np.int64)
            remap[keep] = np.arange(len(keep))
            return remap[raw] + 1, [_level_label(cats[i]) for i in keep]
        codes, uniques = pd.factorize(col, sort=False)
        values = list(uniques)
        order = sorted(range(len(values)), key=lambda i: (isinstance(values[i], str), values[i]))
        rank = np.empty(len(values), dtype=np.int64)
        rank[order] = np.arange(len(values))
        return rank[codes] + 1, [_level_label(values[i]) for i in order]
    from ..core.levels import combined_group_index  # vectorised: no string join per row

    return combined_group_index(data, group_vars)


def level_labels(data: pd.DataFrame, group_vars: tuple[str, ...]) -> np.ndarray:
    """Level label of every row, as :func:`group_index` names levels (for new data)."""
    from ..core.levels import labels_per_row  # vectorised: labels of distinct values only

    return labels_per_row(data, group_vars, _level_label if len(group_vars) == 1 else str)


def _level_label(v) -> str:
    from .rvalues import level_label

    return level_label(v)


def _group_blocks(specs: list[tuple[Prefix, GroupTerm]], data: pd.DataFrame, data2: dict | None = None,
                  mv: ModelVariables | None = None) -> list[ReBlock]:
    blocks: list[ReBlock] = []
    by_key: dict[tuple, ReBlock] = {}
    for prefix, g in specs:
        key = (g.id, g.group, g.by, g.cov) if g.id else None
        block = by_key.get(key) if key else None
        if block is None:
            if g.mm:
                J, levels = _mm_index(data, g.group_vars)
                weights = _mm_weights(data, g)
            else:
                j, levels = group_index(data, g.group_vars)
                J, weights = [j], None
            if len(levels) < 2:
                raise DataError(
                    f"The grouping factor {g.group!r} of '{g.label}' has only {len(levels)} level in the data; "
                    "a group-level term needs at least 2. Remove the term or check the data."
                )
            block = ReBlock(len(blocks) + 1, g.group, g.group_vars, levels, J, [], g.cor, [], mm_weights=weights)
            if g.cov:
                from .groups import check_cov_term, cov_cholesky

                check_cov_term(g.cov, g.by, g.mm, g.label)
                block.cov, block.Lcov = g.cov, cov_cholesky(data2, g.cov, levels, g.label)
            if g.by:
                _attach_by(block, data, g)
            blocks.append(block)
            if key:
                by_key[key] = block
        elif block.cor != g.cor:
            raise FormulaError(f"Terms sharing the ID {g.id!r} must all be '|' or all be '||'.")
        block.terms.append(g)
        spec, columns = _group_design(g, data, mv)
        for i, (name, col) in enumerate(columns):
            block.coefs.append(ReCoef(prefix, name, col, g, spec, i))
    _check_duplicated_effects(blocks)
    return blocks


def _check_duplicated_effects(blocks: list[ReBlock]) -> None:
    """brms refuses a varying effect that two terms give the same grouping factor (and dpar/nlpar/response).

    ``(Days | Subject) + (1 | Subject)`` would give the Subject intercepts two sds that the data
    cannot tell apart.  Blocks may share a group name when their effects differ
    (``(1 | g) + (0 + x | g)``, terms in different dpars or responses): those are fine.
    """
    seen: dict[tuple, GroupTerm] = {}
    for b in blocks:
        for c in b.coefs:
            key = (b.group, c.prefix, c.name)
            if key not in seen:
                seen[key] = c.term
                continue
            first = seen[key]
            same = [t for blk in blocks if blk.group == b.group for t in blk.terms
                    if any(cc.prefix == c.prefix for cc in blk.coefs)]
            terms = list(dict.fromkeys(same))
            where = f"the {c.prefix.label.rstrip('_')} formula" if c.prefix.pieces else "the formula"
            raise FormulaError(
                "Duplicated group-level effects are not allowed.\n"
                f"Occurred for effect '{c.name}' of group '{b.group}': {first.label} and {c.term.label} in {where} "
                "both give it a varying effect, and two standard deviations of one effect cannot be told apart "
                f"by the data (brms refuses this model too). {_merged_terms_hint(terms)}"
            )


def _merged_terms_hint(terms: list[GroupTerm]) -> str:
    """What to write instead of several terms on one grouping factor: one term with all their effects."""
    from dataclasses import replace

    from ..formula.terms import parse_rhs

    intercept, effects = False, []
    for t in terms:
        lt = parse_rhs(t.expr, t.label)
        intercept = intercept or lt.intercept
        effects += [e for e in lt.population if e not in effects]
    expr = " + ".join((["1"] if intercept else ["0"]) + effects)
    merged = replace(terms[0], expr=expr, id=None)
    text = f"Write one term: {replace(merged, cor=True).label} (correlated effects) or {replace(merged, cor=False).label} (uncorrelated)"
    if intercept and effects:
        alone = [replace(merged, expr="1", cor=True).label] + [replace(merged, expr=f"0 + {e}", cor=True).label for e in effects]
        text += f", which is the same as {' + '.join(alone)}"
    return text + "."


def _group_design(g: GroupTerm, data: pd.DataFrame, mv: ModelVariables | None = None
                  ) -> tuple[DesignSpec | None, list[tuple[str, np.ndarray]]]:
    """Varying-effect columns of a group-level term: ``(1 + Days | g)`` -> Intercept, Days."""
    from ..formula.terms import parse_rhs

    lt = parse_rhs(g.expr, g.label)
    if lt.group_terms or lt.special_terms:
        raise FormulaError(f"Group-level term '{g.label}' may contain only population-style predictors left of '|'.")
    if not lt.population:
        if not lt.intercept:
            raise FormulaError(f"The group-level term '{g.label}' has no effects; use '(1 | {g.group})'.")
        return None, [("Intercept", np.ones(len(data)))]
    spec, Z = DesignSpec.build(lt.rterms, mv if mv is not None else ModelVariables(data), g.label)
    return spec, [(name, Z[:, i].copy()) for i, name in enumerate(spec.names)]


def _mm_index(data: pd.DataFrame, members: tuple[str, ...]) -> tuple[list[np.ndarray], list[str]]:
    allv = pd.concat([data[m].astype(object) if isinstance(data[m].dtype, pd.CategoricalDtype) else data[m]
                      for m in members], ignore_index=True)
    j, levels = group_index(pd.DataFrame({"g": allv}), ("g",))
    n = len(data)
    return [j[i * n:(i + 1) * n] for i in range(len(members))], levels


def _mm_weights(data: pd.DataFrame, g: GroupTerm) -> list[np.ndarray]:
    m = len(g.group_vars)
    if not g.mm_weights:
        return [np.full(len(data), 1.0 / m) for _ in range(m)]
    W = np.column_stack([np.asarray(data[w], dtype=float) for w in g.mm_weights])
    if np.any(W < 0):
        raise DataError(f"Multi-membership weights of '{g.label}' must be non-negative.")
    total = W.sum(axis=1, keepdims=True)
    if np.any(total == 0):
        raise DataError(f"Multi-membership weights of '{g.label}' sum to zero in some rows.")
    W = W / total  # brms scales weights to sum to 1 per observation
    return [W[:, i] for i in range(m)]


def _attach_by(block: ReBlock, data: pd.DataFrame, g: GroupTerm) -> None:
    by_col = data[g.by]
    by_levels = [_level_label(v) for v in _levels_of(by_col)]
    by_codes = pd.Categorical(by_col.map(_level_label), categories=by_levels).codes + 1
    J = block.J[0]
    per_level = pd.DataFrame({"J": J, "by": by_codes}).drop_duplicates()
    counts = per_level.groupby("J")["by"].nunique()
    if (counts > 1).any():
        lvl = block.levels[int(counts.idxmax()) - 1]
        raise DataError(
            f"In 'gr({g.group}, by = {g.by})' each level of {g.group!r} must belong to one level of {g.by!r}, "
            f"but level {lvl!r} appears with several."
        )
    Jby = np.zeros(block.N_levels, dtype=np.int64)
    Jby[per_level["J"].to_numpy() - 1] = per_level["by"].to_numpy()
    block.by, block.by_levels, block.Jby = g.by, by_levels, Jby
