"""Data stage: typed terms + a DataFrame -> :class:`ModelFrame`.

This is where data meets the formula: every variable of the designs is
evaluated with R's meanings (:mod:`brmspy.frame.rvalues`) on the data, NA rows are
dropped (with a warning, as brms does), ``y | subset(s)`` keeps the rows where ``s`` is TRUE
(group levels still come from every row: :func:`~brmspy.frame.response.subset_rows`; in multivariate
models each response keeps its own rows, ``frame.resp_rows``, and an NA outside the subsets of the responses
using its column keeps its row, as brms's ``na_omit``), the response is checked against the
family, population-level designs are built as R's ``model.matrix`` builds them
(:class:`brmspy.frame.design.DesignSpec`), and group-level terms become index
vectors and Z columns.  Everything here is vectorised over rows.  What is needed to
build the same design on new data is kept in the frame's
:class:`~brmspy.frame.spec.FrameSpec` (``frame.spec``).
"""

from __future__ import annotations

import copy
import re
from dataclasses import replace

import numpy as np
import pandas as pd

from ..core.errors import DataError, DataWarning, FormulaError, warn
from ..formula.nonlinear import check_supported
from ..formula.prefix import Prefix
from ..formula.rexpr import names_in
from ..formula.rterms import RTerms, population_terms
from ..formula.terms import BrmsTerms, GroupTerm, LinearTerms, MvBrmsTerms, parse_rhs, split_group_term
from .autocor import row_order
from .categorical import category_parts
from .checks import check_values
from .autocor import response_spec
from .columns import check_columns, names_in_text
from .design import DesignSpec, ModelVariables, na_of
from .groups import brms_term_order, group_blocks, mmc_data
from .nonlinear import check_covariates, uncentered_design
from .bhaz import baseline_hazard
from .response import (build_response_data, check_mi, mi_index_values, mi_kept_columns, mv_subset_masks,
                       mv_subset_rows, subset_rows)
from .spec import FrameSpec, PopulationSpec, ResponseSpec, group_spec
from .specials import ModelSettings, build_specials, link_specials
from .types import ModelFrame, PopulationDesign, ResponseData

# ----------------------------------------------------------------- naming


# -------------------------------------------------------------- containers


# ---------------------------------------------------------------- building


def variables_of(terms: BrmsTerms, data: pd.DataFrame) -> list[str]:
    """Data columns a response's model uses, in first-use order."""
    cols = set(map(str, data.columns))
    used: list[str] = []

    def add(text: str | None, required: bool = False, where: str = "") -> None:
        if text is None:
            return
        for n in names_in_text(text):
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
            add(" ".join(c for _, cols in g.mmc for c in cols))
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
    labels = data.index  # the user's row labels: predictions and ArviZ coordinates keep them
    resp_terms = terms.responses if isinstance(terms, MvBrmsTerms) else [terms]
    used: list[str] = []
    for t in resp_terms:
        check_columns([c for c, _ in _explicit_group_columns(t)], data, "a group-level term")
        resp_expr = t.response.expr
        if resp_expr not in data.columns and all(n not in data.columns for n in names_in_text(resp_expr)):
            check_columns([resp_expr], data, "the response")
        for a in t.response.additions:
            for v in a.args.values():
                if re.fullmatch(r"[A-Za-z_.][A-Za-z0-9_.]*", v) and v not in ("TRUE", "FALSE", "True", "False", "NA"):
                    check_columns([v], data, f"'{a.text}'")
        used.extend(c for c in variables_of(t, data) if c not in used)


    check_mi(resp_terms, data)  # mi(x) needs bf("x | mi() ~ ..."); NAs in such x are imputed, not dropped
    kept = mi_kept_columns(resp_terms)
    used_na = [c for c in used if c not in kept]
    # R's model frame: the designs' variables are evaluated on every row, then rows with NAs are dropped
    mmc = {name: cols for t in resp_terms for part in t.parts.values() for g in part.terms.group_terms
           for name, cols in g.mmc}  # (1 + mmc(w1, w2) | mm(g1, g2)): w1 in the placeholder column
    mv = ModelVariables(mmc_data(tuple(mmc.items()), data, 0, "mmc()") if mmc else data)
    for t in resp_terms:
        for part in t.parts.values():
            for rterms, where in _design_terms(part.terms, part.formula):
                mv.add_terms(rterms, where)
    sub = data[used_na] if used_na else data.iloc[:, :0]
    na_cols = sub.isna().any(axis=1).to_numpy()
    na_vars = mv.na_rows()
    masks = mv_subset_masks(terms, data)
    if masks is not None:  # multivariate subset(): an NA only outside the subsets of its responses is kept
        na_cols, na_vars = _mv_subset_na(resp_terms, data, masks, used_na, mv)
    na = na_cols | na_vars
    dropped = int(na.sum())
    if dropped:
        where = [c for c in used_na if data[c].isna().any()]
        what = f"column(s) {', '.join(where)}" if where else ""
        if (na_vars & ~na_cols).any():  # e.g. log(x) of negative x, factor(x, levels = ...) missing a value
            extra = [k for k, v in mv.values.items() if (na_of(v) & ~na_cols).any()]
            what += ("; " if what else "") + f"NA values of {', '.join(extra)}"
        warn(f"Rows containing NAs were excluded from the model: {dropped} of {len(data)} rows (in {what}).",
             DataWarning)
    rows = np.flatnonzero(~na)
    data = data.iloc[rows].reset_index(drop=True)
    if len(data) == 0:
        raise DataError("No rows left after removing rows with NAs in the model's variables.")

    order = row_order(terms, data)  # ar()/ma()/arma()/cosy(): rows sorted by series then time, as brms
    if order is not None:
        data = data.iloc[order].reset_index(drop=True)
        rows = rows[order]
    mv.keep(rows)
    level_data, na_kept = None, rows  # sar()/fcor() matrices: brms removes the NA rows only (then needs N x N)
    keep = subset_rows(terms, data)  # 'y | subset(s)': the response's rows, after the NA rows are dropped
    resp_rows = mv_subset_rows(terms, data)  # multivariate subset(): each response's own rows (N_<resp>)
    if keep is not None:
        level_data = data  # brms: group levels of every remaining row (a level only outside the subset counts)
        data = data.iloc[keep].reset_index(drop=True)
        rows = rows[keep]
        mv.keep(keep)

    responses: dict[str, ResponseData] = {}
    designs: dict[Prefix, PopulationDesign] = {}
    populations: dict[Prefix, PopulationSpec] = {}
    group_specs: list[tuple[Prefix, GroupTerm]] = []
    completed: list[BrmsTerms] = []
    full_data, full_mv = data, mv
    mi_index: dict[str, tuple[np.ndarray, np.ndarray, BrmsTerms]] = {}
    for t in resp_terms:
        if resp_rows is not None:  # the response's rows: its designs and response data (group data: codegen)
            data, mv = full_data.iloc[resp_rows[t.resp]].reset_index(drop=True), copy.copy(full_mv)
            mv.keep(resp_rows[t.resp])
            level_data = full_data
        responses[t.resp] = build_response_data(t, data)
        if (ix := mi_index_values(t, responses[t.resp], data)) is not None:  # for mi(x, idx = g) of other responses
            mi_index[t.response.expr] = (*ix, t)
        if level_data is not None and t.family.kind.has_categories:
            _check_subset_categories(t, responses[t.resp], level_data)
        responses[t.resp].bhaz = baseline_hazard(t, responses[t.resp], data)  # cox: spline bases of the times
        t = _completed(t, responses[t.resp])
        completed.append(t)
        _check_cs(t)
        if t.nonlinear:  # covariates of non-linear formulas are numeric columns (brmspy.frame.nonlinear)
            check_supported(terms)
            check_covariates(t, data)
        for name, part in t.parts.items():
            prefix = Prefix(t.resp, name)
            designs[prefix], populations[prefix] = _population_design(prefix, part.terms, data, part.formula, mv)
            for sp in designs[prefix].specials:  # e.g. ar() of a family without natural residuals
                sp.see_family(t.family)
            if part.kind == "nlpar" and not part.terms.centered_nlpar:  # brms: nlpars are not centred (their
                # intercept a 'b' coefficient) unless lf(..., center = TRUE)
                if (spec := uncentered_design(designs[prefix], data)) is not None:
                    populations[prefix] = replace(populations[prefix], design=spec)

            # brms's ids: terms sorted by group; a term with mo()/me()/cs() effects split into its parts
            group_specs.extend((prefix, p) for g in brms_term_order(list(part.terms.group_terms))
                               for p in split_group_term(g))
        if t.autocor is not None:  # non-linear mu's residual structure: see _attach_nonlinear_autocor
            host = _attach_nonlinear_autocor(t, designs, data)
            populations[host] = replace(populations[host], specials=tuple(designs[host].specials))

    data, mv = full_data, full_mv
    if resp_rows is not None:
        level_data = None  # group levels of every row; each response's J and Z are its rows of them (codegen)
    # e.g. me() latent values shared by several predictors; mecor: set_mecor() of the model
    link_specials(list(designs.values()), ModelSettings(mecor=terms.mecor, data2=data2, rows=na_kept,
                                                        n_data=len(labels), mi_index=mi_index,
                                                        subsetted=frozenset(t.resp for t in resp_terms if t.response
                                                                            .addition("subset") is not None)))
    terms = replace(terms, responses=completed) if isinstance(terms, MvBrmsTerms) else completed[0]
    nthres = {Prefix(t.resp, "mu"): responses[t.resp].ncat - 1 for t in completed
              if t.family.kind.has_thresholds and responses[t.resp].ncat}
    blocks, effect_designs = group_blocks(group_specs, data, data2, mv, nthres, level_data)
    link_group_specials(blocks, designs, completed)
    levels = {b.group: b.levels for b in blocks}
    spec = FrameSpec(
        terms, data, populations, {b.id: group_spec(b, effect_designs[b.id]) for b in blocks},
        {t.resp: ResponseSpec(t, responses[t.resp]) for t in completed},
        {t.resp: ac for t in completed if (ac := response_spec(t)) is not None},
    )
    frame = ModelFrame(terms, data, responses, designs, blocks, dropped, levels, spec, row_labels=labels[rows],
                       all_rows=level_data, resp_rows=resp_rows)

    check_values(frame)  # values too large for double precision: a DataError naming the column
    return frame


def _mv_subset_na(resp_terms: list[BrmsTerms], data: pd.DataFrame, masks: dict, used_na: list[str],
                  mv: ModelVariables) -> tuple[np.ndarray, np.ndarray]:
    """NA rows of a multivariate model with ``subset()`` (brms's ``na_omit``): a variable's NA drops its row
    unless every response using that variable leaves the row out of its subset."""
    uses = {t.resp: set(variables_of(t, data)) for t in resp_terms}

    def tolerated(names: set[str]) -> np.ndarray:
        ok = np.ones(len(data), dtype=bool)
        for r, used in uses.items():
            if names & used:
                ok &= ~masks[r] if masks[r] is not None else False
        return ok

    na_cols = np.zeros(len(data), dtype=bool)
    for c in used_na:
        na_cols |= data[c].isna().to_numpy() & ~tolerated({c})
    na_vars = np.zeros(len(data), dtype=bool)
    for key, value in mv.values.items():
        na_vars |= na_of(value) & ~tolerated(set(names_in_text(key)))
    return na_cols, na_vars


def link_group_specials(blocks: list, designs: dict[Prefix, PopulationDesign], terms: list[BrmsTerms]) -> None:
    """Hand the varying sp coefficients (``(mo(x) | g)``) to their population-level terms; check cs effects.

    brms: a special group-level term needs the same term at the population level (its ``bsp``
    coefficient varies by group), and category-specific effects need sratio, cratio or acat.
    """
    by_resp = {t.resp: t for t in terms}
    for prefix, design in designs.items():
        sp_effects = [(c.name, b.id, j, len(b.J)) for b in blocks for j, c in enumerate(b.coefs, start=1)
                      if c.prefix == prefix and c.kind == "sp"]
        cs_terms = {c.term.label for b in blocks for c in b.coefs if c.prefix == prefix and c.kind == "cs"}
        if cs_terms:
            t = by_resp[prefix.resp]
            if not t.family.kind.has_thresholds or prefix.dpar != "mu":
                raise FormulaError(f"cs() (category-specific effects) is only for ordinal families' mu: {sorted(cs_terms)[0]}.")
            if not t.family.kind.allows_cs and not t.parts["mu"].terms.specials("cs"):
                _warn_experimental_cs()  # once: _check_cs warned for population-level cs()
        if not sp_effects:
            continue
        holders = [sp for sp in design.specials if "sp" in type(sp).kinds]
        known = {n for sp in holders for n in sp.b_names}
        missing = list(dict.fromkeys(n for n, *_ in sp_effects if n not in known))
        if missing:
            raise FormulaError(
                "Special group-level terms require corresponding population-level terms:\nOccured for "
                f"{', '.join(repr(m) for m in missing)}. Add the term to the population-level formula too "
                f"({design.formula!r}); its coefficient then varies by group."
            )
        holders[0].group_effects(sp_effects)


def _completed(t: BrmsTerms, rd: ResponseData) -> BrmsTerms:
    """The response's terms completed with what only the data tell, as a new object (``t`` stays as it is).

    Categorical-type families get one part per non-reference category (``muB``, ``muC``: the
    categories come from the data); ``se(s)`` without ``sigma = TRUE`` fixes sigma at 0 (brms: no
    sigma parameter, the likelihood uses se).
    """
    parts, fixed, family = t.parts, t.fixed, t.family
    if family.kind.has_categories:
        parts, fixed, links = category_parts(t, rd.levels)
        family = replace(family, links=links)
    if rd.adds is not None and rd.adds.se is not None and not rd.adds.se_sigma and "sigma" in family.dpars:
        fixed = {**fixed, "sigma": 0.0}  # (a mixture's sigma<k> stay parameters: brms 2.18 uses se in their place)
    if parts is t.parts and fixed is t.fixed and family is t.family:
        return t
    return replace(t, parts=parts, fixed=fixed, family=family)


def _check_subset_categories(t: BrmsTerms, rd: ResponseData, level_data: pd.DataFrame) -> None:
    """subset() of a categorical response: its rows must hold every category of the model's rows.

    brms 2.18 takes the number of categories from all rows but codes ``Y`` by the categories of the
    subset rows, so a category missing from the subset shifts the codes of the others; brmspy
    refuses that case rather than fit a model whose categories are mislabelled.
    """
    every = build_response_data(t, level_data).levels
    if list(rd.levels) != list(every):
        missing = [c for c in every if c not in rd.levels]
        raise DataError(
            f"subset() of the {t.family.name} response {t.response.expr!r} leaves out the categories "
            f"{', '.join(map(repr, missing))}, which other rows of the data have; brms 2.18 would code the remaining "
            "categories inconsistently (Y by the subset's categories, ncat by all rows). Drop those rows from the "
            "data instead of using subset().")


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
    """cs() needs an ordinal family; for cumulative ones brms 2.18 warns that it is experimental."""
    for name, part in t.parts.items():
        if not part.terms.specials("cs"):
            continue
        if t.family.threshold_family(name) is None:
            raise FormulaError(f"cs() (category-specific effects) is only for ordinal families' mu; remove it from {part.formula!r}.")
        if not t.family.threshold_family(name).kind.allows_cs:
            _warn_experimental_cs()


def _warn_experimental_cs() -> None:
    """brms's warning for cs() in cumulative models: the shifted thresholds can cross (such draws are rejected)."""
    warn("Category specific effects for this family should be considered experimental and may have "
         "convergence issues.", DataWarning)


def _design_terms(lt: LinearTerms, formula: str) -> list[tuple[RTerms, str]]:
    """Every design of a linear predictor as R terms: population part, group-level effects, cs() effects."""
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


def _attach_nonlinear_autocor(t: BrmsTerms, designs: dict[Prefix, PopulationDesign], data: pd.DataFrame) -> Prefix:
    """The autocorrelation design of a non-linear mu (``bf(..., autocor = ~ ar(...))``), named for mu.

    A non-linear mu has no linear design of its own, so the design rides along with the first
    non-linear parameter's specials: its data, parameters, priors and draws are generated there under
    mu's names (``ar``, ``Kar``), and the likelihood finds it by its prefix (``autocor_of``).
    """
    host = next((Prefix(t.resp, n) for n in t.nlpar_parts if Prefix(t.resp, n) in designs), None)
    if host is None:
        raise FormulaError(f"{t.autocor.formula!r} needs a non-linear parameter with a linear formula in the model.")
    for sp in build_specials(Prefix(t.resp, "mu"), t.autocor.terms.special_terms, data, t.autocor.formula):
        sp.see_family(t.family)
        designs[host].specials.append(sp)
    return host


def _population_design(prefix: Prefix, lt: LinearTerms, data: pd.DataFrame, formula: str,
                       mv: ModelVariables | None = None) -> tuple[PopulationDesign, PopulationSpec]:
    """A linear predictor's population-level design on the model data, and its spec for new data."""
    mv = mv if mv is not None else ModelVariables(data)
    design, spec = _fixed_design(prefix, lt, data, formula, mv)
    design.center, design.decomp = lt.center, lt.decomp  # bf(center = FALSE, decomp = "QR")
    design.specials = build_specials(prefix, lt.special_terms, data, formula)
    cs = _cs_terms(lt, formula)
    cs_spec = None
    if cs is not None:
        cs_spec, Xcs = DesignSpec.build(cs, mv, formula)
        design.Xcs, design.cs_names = Xcs, cs_spec.names
    return design, PopulationSpec(prefix, spec, cs_spec, tuple(design.specials))


def _fixed_design(prefix: Prefix, lt: LinearTerms, data: pd.DataFrame, formula: str,
                  mv: ModelVariables | None = None) -> tuple[PopulationDesign, DesignSpec | None]:
    if lt.rterms is None or not lt.rterms.terms:
        return PopulationDesign(prefix, lt.intercept, None, [], formula), None
    mv = mv if mv is not None else ModelVariables(data)
    spec, X = DesignSpec.build(lt.rterms, mv, formula)
    names = spec.names
    coef_names = names[1:] if lt.intercept else names
    if not np.all(np.isfinite(X)):
        bad = [n for n, ok in zip(names, np.isfinite(X).all(axis=0)) if not ok]
        raise DataError(f"The predictor(s) {', '.join(bad)} in {formula!r} have non-finite values (e.g. log of 0).")
    return PopulationDesign(prefix, lt.intercept, X, coef_names, formula), spec


