"""Group-level structure beyond plain factors: known covariances and multi-membership weights.

Known covariance between the levels of a grouping factor: ``(1 | gr(g, cov = A))``.

Phylogenetic and pedigree (animal) models give the group-level effects of
``g`` a covariance proportional to a known matrix ``A`` passed as
``data2={"A": A}``.  As brms, the program gets ``Lcov_<id>``, the Cholesky
factor of ``A`` restricted to (and ordered by) the levels of ``g`` in the
data, and scales the standardized effects with it::

    r_1_1 = sd_1[1] * (Lcov_1 * z_1[1]);                // one or uncorrelated effects
    r_1 = scale_r_cor_cov(z_1, sd_1, L_1, Lcov_1);      // correlated effects

so that ``r ~ MVN(0, kron(A, Sigma))``. With ``gr(g, by = h, cov = A)`` each level's sds (and
correlations) are those of its ``h`` level: ``scale_r_cor_by_cov(z_1, sd_1, L_1, Jby_1, Lcov_1)``, or
``(transpose(sd_1[1, Jby_1]) .* (Lcov_1 * z_1[1]))`` (brms 2.18).

Examples
--------
>>> import numpy as np, pandas as pd
>>> A = pd.DataFrame(np.eye(2) + 0.5, index=["a", "b"], columns=["a", "b"])
>>> cov_cholesky({"A": A}, "A", ["b", "a"], "(1 | gr(g, cov = A))").shape
(2, 2)

Multi-membership ``(1 | mm(g1, g2, weights = cbind(w1, w2)))``: the weights
of each row are scaled to sum to 1 (brms's default ``scale = TRUE``), on the
model data and on new data (:func:`mm_weights`).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..core.errors import DataError, FormulaError
from ..formula.prefix import Prefix, brms_name
from ..formula.terms import GroupTerm, parse_rhs
from .columns import check_columns, group_index, level_label, level_labels, levels_of
from .design import DesignSpec, ModelVariables
from .types import ReBlock, ReCoef


def _labels(values: Any) -> list[str]:
    return [level_label(v) for v in values]


def cov_cholesky(data2: Mapping[str, Any] | None, name: str, levels: list[str], label: str) -> np.ndarray:
    """Lower Cholesky factor of the known covariance ``data2[name]`` over ``levels``.

    Parameters
    ----------
    data2 : the ``data2`` dict given to ``brm``/``make_stancode``/...
    name : the matrix's name in ``gr(g, cov = name)``.
    levels : the grouping factor's levels in the model data (the order of the result).
    label : the group-level term, quoted in messages.

    Returns
    -------
    numpy.ndarray
        ``(len(levels), len(levels))`` lower-triangular ``L`` with ``L @ L.T == A[levels, levels]``.

    Raises
    ------
    DataError
        When ``name`` is not in ``data2``, a level is missing from the matrix,
        or the matrix is not square, symmetric and positive definite.
    """
    if not data2 or name not in data2:
        raise DataError(
            f"'{label}' uses the known covariance matrix {name!r}, which is not in data2. "
            f"Pass it with data2={{{name!r}: matrix}} (a DataFrame with rows and columns named by the levels)."
        )
    A = data2[name]
    if isinstance(A, pd.DataFrame):
        rows, cols = _labels(A.index), _labels(A.columns)
        if rows != cols:
            if sorted(rows) != sorted(cols):
                raise DataError(f"The covariance matrix {name!r} must have the same row and column names (the levels).")
            A = A.loc[:, A.index]
        lookup = {lv: i for i, lv in enumerate(rows)}
        missing = [lv for lv in levels if lv not in lookup]
        if missing:
            raise DataError(
                f"Level(s) {missing[:5]} of the grouping factor in '{label}' are missing from the covariance matrix "
                f"{name!r}; its rows and columns must be named by every level of the grouping factor."
            )
        idx = [lookup[lv] for lv in levels]
        M = np.asarray(A, dtype=float)[np.ix_(idx, idx)]
    else:
        M = np.asarray(A, dtype=float)
        if M.ndim != 2 or M.shape[0] != M.shape[1]:
            raise DataError(f"The covariance matrix {name!r} must be a square matrix; got shape {M.shape}.")
        if M.shape[0] != len(levels):
            raise DataError(
                f"The covariance matrix {name!r} is {M.shape[0]} x {M.shape[0]} but the grouping factor in '{label}' "
                f"has {len(levels)} levels. Pass a DataFrame with rows and columns named by the levels."
            )
        # an unnamed matrix is read in the order of the levels (sorted as the model sorts them)
    if not np.all(np.isfinite(M)):
        raise DataError(f"The covariance matrix {name!r} has non-finite values.")
    if not np.allclose(M, M.T, rtol=1e-8, atol=1e-10):
        raise DataError(f"The covariance matrix {name!r} is not symmetric.")
    M = (M + M.T) / 2
    smallest = float(np.linalg.eigvalsh(M).min())
    if smallest <= 1e-12 * max(1.0, float(np.abs(M).max())):
        raise DataError(
            f"The covariance matrix {name!r} (restricted to the levels in the data) is not positive definite "
            f"(smallest eigenvalue {smallest:.3g}). Check for duplicated or identical levels."
        )
    return np.linalg.cholesky(M)


def check_cov_term(cov: str, by: str | None, mm: bool, label: str) -> None:
    """``cov`` cannot be combined with ``mm()`` (as in brms); with ``by`` it can (brms's scale_r_cor_by_cov)."""
    if mm:
        raise FormulaError(f"'{label}': a known covariance (cov = {cov}) is not available for multi-membership terms.")


# ------------------------------------------------------------- brms's order of group-level terms

#: ICU's root order of the punctuation that can appear in brms's group names (before digits and letters)
_PUNCT = "_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"


def r_collate_key(text: str) -> tuple:
    """A sort key following R's string order in the usual (ICU, en_US-like) locales.

    Punctuation sorts before digits, digits before letters, letters ignore case first and then put the
    lowercase letter first: ``g1:g3`` < ``g10`` < ``group`` < ``Group``. Python's own order is ASCII's.

    Examples
    --------
    >>> sorted(["Subject", "g10", "g1:g3", "mmgm1gm2", "g1"], key=r_collate_key)
    ['g1', 'g1:g3', 'g10', 'mmgm1gm2', 'Subject']
    """
    primary = []
    for c in text:
        if c.isdigit():
            primary.append((1, c))
        elif c.isalpha():
            primary.append((2, c.casefold()))
        else:
            primary.append((0, f"{_PUNCT.find(c) if c in _PUNCT else len(_PUNCT):03d}{c}"))
    return tuple(primary), tuple(c.isupper() for c in text)


def brms_term_order(terms: list) -> list:
    """Group-level terms of one linear predictor in brms's order: sorted by brms's group name (stable).

    brms numbers the blocks (``sd_1``, ``r_1_1``, ``J_1``, ...) in this order, not in the formula's:
    ``y ~ (1 | g2) + (1 | g1)`` has ``sd_1`` for ``g1``.
    """
    import re

    return sorted(terms, key=lambda g: r_collate_key(re.sub(r"[^A-Za-z0-9_.:]", "", g.group)))


def group_blocks(specs: list[tuple[Prefix, GroupTerm]], data: pd.DataFrame, data2: dict | None = None,
                 mv: ModelVariables | None = None, nthres: Mapping[Prefix, int] | None = None,
                 level_data: pd.DataFrame | None = None,
                 ) -> tuple[list[ReBlock], dict[int, list[tuple[DesignSpec | None, int]]]]:
    """The group-level blocks of the model (brms's ids) and, per block, the design and column of each effect's Z.

    ``specs`` are (linear predictor, term) pairs in brms's order (:func:`brms_term_order`);
    terms sharing an ID (``(1 | ID | g)``) go into one block.  ``level_data`` (``subset()``:
    every row of the model, ``data`` only the subset's) gives the levels, as brms's global
    grouping data: a level seen only outside the subset still counts in ``N_<id>``.
    """
    blocks: list[ReBlock] = []
    designs: dict[int, list[tuple[DesignSpec | None, int]]] = {}
    by_key: dict[tuple, ReBlock] = {}
    for prefix, g in specs:
        key = (g.id, g.group, g.by, g.cov) if g.id else None
        block = by_key.get(key) if key else None
        if block is None:
            if g.mm:
                J, levels = _mm_index(data if level_data is None else level_data, g.group_vars)
                weights = mm_weights(data, g)
            else:
                j, levels = group_index(data if level_data is None else level_data, g.group_vars)
                J, weights = [j], None
            J_all = J  # on level_data's rows: gr(by = ) reads each level's 'by' there
            if level_data is not None:
                members = [(v,) for v in g.group_vars] if g.mm else [g.group_vars]
                J = [pd.Index(levels).get_indexer(level_labels(data, m)).astype(np.int64) + 1 for m in members]
            if len(levels) < 2:
                raise DataError(
                    f"The grouping factor {g.group!r} of '{g.label}' has only {len(levels)} level in the data; "
                    "a group-level term needs at least 2. Remove the term or check the data."
                )
            block = ReBlock(len(blocks) + 1, g.group, g.group_vars, levels, J, [], g.cor, [], mm_weights=weights)
            if g.cov:
                check_cov_term(g.cov, g.by, g.mm, g.label)
                block.cov, block.Lcov = g.cov, cov_cholesky(data2, g.cov, levels, g.label)
            if g.by:
                _attach_by(block, data if level_data is None else level_data, g, J_all[0])
            blocks.append(block)
            if key:
                by_key[key] = block
        elif block.cor != g.cor:
            raise FormulaError(f"Terms sharing the ID {g.id!r} must all be '|' or all be '||'.")
        block.terms.append(g)
        if g.dist != "gaussian":
            block.dist = g.dist
        if g.type == "sp":  # no Z: the population-level term's value multiplies the effect
            for name in sp_coef_names(g):
                block.coefs.append(ReCoef(prefix, name, np.ones(len(data)), g, kind="sp"))
                designs.setdefault(block.id, []).append((None, 0))
            continue
        spec, columns = group_design(g, data, mv)
        if g.type == "cs":  # brms: every effect once per threshold, coefficient-major (x[1], x[2], ...)
            k = (nthres or {}).get(prefix)
            if not k:
                raise FormulaError(f"Category-specific effects in {g.label} need an ordinal family (sratio, cratio, acat).")
            for i, (name, col) in enumerate(columns):
                for t in range(1, k + 1):
                    block.coefs.append(ReCoef(prefix, f"{name}[{t}]", col, g, kind="cs", thres=t))
                    designs.setdefault(block.id, []).append((spec, i))
            continue
        members = mmc_members(g, data, [name for name, _ in columns])
        if g.mmc and g.type == "cs":
            raise FormulaError(f"mmc() covariates cannot be category-specific ({g.label}).")
        for i, ((name, col), zm) in enumerate(zip(columns, members)):
            block.coefs.append(ReCoef(prefix, name, col, g, Zm=zm))
            designs.setdefault(block.id, []).append((spec, i))
    _check_duplicated_effects(blocks)
    _number_groups(blocks)
    return blocks, designs


def _number_groups(blocks: list[ReBlock]) -> None:
    """brms's ``ggn`` (a grouping factor's number in order of first use) and the owner of its ``df``.

    The student-t effects of one grouping factor share one ``df_<ggn>`` and the level-wise
    ``udf_<ggn>`` (sized by the first student block of that factor), as in brms's ``stan_re``.
    """
    groups = list(dict.fromkeys(b.group for b in blocks))
    owners: set[str] = set()
    for b in blocks:
        b.ggn = groups.index(b.group) + 1
        if b.is_student and b.group not in owners:
            owners.add(b.group)
            b.udf_owner = True


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


def sp_coef_names(g: GroupTerm) -> list[str]:
    """brms's names of the varying sp coefficients of an ``sp`` part: ``mo(x)`` -> ``mox``, ``mo(x):z`` -> ``mox:z``."""
    lt = parse_rhs(g.expr, g.label)
    return [":".join(brms_name(f) for f in getattr(t, "factors", ()) or (t.text,)) for t in lt.special_terms]


def group_design(g: GroupTerm, data: pd.DataFrame, mv: ModelVariables | None = None, member: int = 0
                 ) -> tuple[DesignSpec | None, list[tuple[str, np.ndarray]]]:
    """Varying-effect columns of a group-level term: ``(1 + Days | g)`` -> Intercept, Days."""
    lt = parse_rhs(g.expr, g.label)
    if lt.group_terms or lt.special_terms:
        raise FormulaError(f"Group-level term '{g.label}' may contain only population-style predictors left of '|'.")
    if g.mmc:  # mmc(w1, w2): the design with the first member's covariate (mmc_members gives each member's)
        data, mv = mmc_data(g.mmc, data, member, g.label), None
    if not lt.population:
        if not lt.intercept:
            raise FormulaError(f"The group-level term '{g.label}' has no effects; use '(1 | {g.group})'.")
        return None, [("Intercept", np.ones(len(data)))]
    spec, Z = DesignSpec.build(lt.rterms, mv if mv is not None else ModelVariables(data), g.label)
    return spec, [(name, Z[:, i].copy()) for i, name in enumerate(spec.names)]


def mmc_data(mmc: tuple[tuple[str, tuple[str, ...]], ...], data: pd.DataFrame, member: int, where: str) -> pd.DataFrame:
    """``data`` with each ``mmc(w1, w2)`` placeholder column holding member ``member``'s covariate (brms's Z_<id>_<j>_<m>)."""
    if not mmc:
        return data
    check_columns([c for _, cols in mmc for c in cols], data, f"the mmc() covariates of '{where}'")
    out = {}
    for name, cols in mmc:
        values = data[cols[member]]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            raise DataError(f"mmc() covariates of '{where}' must be numeric; {cols[member]!r} is not.")
        out[name] = values.astype(float)
    return data.assign(**out)


def mmc_members(g: GroupTerm, data: pd.DataFrame, names: list[str]) -> list[list[np.ndarray] | None]:
    """Per effect of ``g`` (``names``): each member's values when it involves an ``mmc()`` covariate, else None."""
    if not g.mmc:
        return [None] * len(names)
    placeholders = {p for p, _ in g.mmc}
    per_member = [dict(group_design(g, data, member=m)[1]) for m in range(len(g.group_vars))]
    return [[pm[n] for pm in per_member] if placeholders & set(n.split(":")) else None for n in names]


def _mm_index(data: pd.DataFrame, members: tuple[str, ...]) -> tuple[list[np.ndarray], list[str]]:
    allv = pd.concat([data[m].astype(object) if isinstance(data[m].dtype, pd.CategoricalDtype) else data[m]
                      for m in members], ignore_index=True)
    j, levels = group_index(pd.DataFrame({"g": allv}), ("g",))
    n = len(data)
    return [j[i * n:(i + 1) * n] for i in range(len(members))], levels


def mm_weights(data: pd.DataFrame, g: GroupTerm) -> list[np.ndarray]:
    """Multi-membership weights of term ``g`` on ``data``, one array per member, scaled to sum to 1 per row.

    Without ``weights = cbind(...)`` every member weighs ``1 / members``; with ``mm(..., scale = FALSE)``
    the weights are used as given (brms).
    """
    m = len(g.group_vars)
    if not g.mm_weights:
        return [np.full(len(data), 1.0 / m) for _ in range(m)]
    W = np.column_stack([np.asarray(data[w], dtype=float) for w in g.mm_weights])
    if not np.all(np.isfinite(W)):
        raise DataError(f"Multi-membership weights of '{g.label}' must be finite numbers (no NA).")
    if not g.mm_scale:
        return [W[:, i] for i in range(m)]
    if np.any(W < 0):
        raise DataError(f"Multi-membership weights of '{g.label}' must be non-negative.")
    total = W.sum(axis=1, keepdims=True)
    if np.any(total == 0):
        raise DataError(f"Multi-membership weights of '{g.label}' sum to zero in some rows.")
    W = W / total  # brms scales weights to sum to 1 per observation
    return [W[:, i] for i in range(m)]


def _attach_by(block: ReBlock, data: pd.DataFrame, g: GroupTerm, J: np.ndarray) -> None:
    by_col = data[g.by]
    by_levels = [level_label(v) for v in levels_of(by_col)]
    by_codes = pd.Categorical(by_col.map(level_label), categories=by_levels).codes + 1
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
