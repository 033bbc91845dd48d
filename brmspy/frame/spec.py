"""The frame specification: the same design on new data, from one object (brms's ``standata(fit, newdata)``).

:func:`~brmspy.frame.build.build_frame` returns the :class:`~brmspy.frame.types.ModelFrame`
(the model's values on its own rows) with a :class:`FrameSpec` in ``frame.spec``: every data
transformation of the model, kept so the same columns can be built on other rows, as
formulaic's ``ModelSpec`` is kept for ``get_model_matrix(new_data)``:

=======================  ==============================================================
part                     kept for new data
=======================  ==============================================================
population designs       :class:`PopulationSpec`: the R design of ``X`` and of ``cs()``
                         (:class:`~brmspy.frame.design.DesignSpec`: factor levels,
                         ``poly``/``scale`` state), the special terms, whose plug-ins
                         rebuild their own columns (``SpecialDesign.new_columns``)
group-level designs      :class:`GroupSpec`: the fitted levels (the level map, new
                         levels per ``allow_new_levels``), ``gr(by = )`` levels,
                         ``mm()`` weights, the design of each varying effect's ``Z``
responses and additions  :class:`ResponseSpec`: the terms (``trials``, ``rate``,
                         ``cens``/``trunc`` bounds, ``se``) and the fitted values new
                         data fall back on (the largest number of trials)
autocorrelation          the time-series term of each response (``time``, ``gr``) and
                         the fitted series that new rows continue
column checks            the model data's column types and levels, for
                         :meth:`FrameSpec.new_data`'s checks
=======================  ==============================================================

:meth:`FrameSpec.new_data` is the one entry point: it checks new rows (missing columns,
wrong types, new factor levels, NaN rules) and returns :class:`NewData`, whose accessors
build each piece on those rows on first use (then keep it), so a prediction pays only for
the parts it reads and raises the error of the first piece it needs.  :class:`ModelRows`
has the same accessors over the model's own rows (the frame's stored arrays), so the
prediction stage (:mod:`brmspy.prediction`) reads fitted and new data alike through
``ctx.rows`` (:class:`FrameRows`).

Written here rather than on formulaic's ``ModelSpec``: the designs follow R's
``model.matrix`` rules (:mod:`brmspy.frame.design` says why), and the group-level,
special-term and addition parts have no formulaic counterpart.

Examples
--------
>>> import pandas as pd
>>> from brmspy.datasets import load
>>> from brmspy.formula import build_terms
>>> from brmspy.formula.prefix import Prefix
>>> from brmspy.frame.build import build_frame
>>> frame = build_frame(build_terms("Reaction ~ Days + (Days | Subject)"), load("sleepstudy"))
>>> new = frame.spec.new_data(pd.DataFrame({"Days": [0, 9], "Subject": ["308", "999"]}), allow_new_levels=True)
>>> new.X(Prefix("", "mu")).tolist(), new.level_index(1).tolist(), new.Z(1, 1).tolist()
([[1.0, 0.0], [1.0, 9.0]], [0, -1], [0.0, 9.0])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import DataError, DataWarning, warn
from ..formula.prefix import Prefix
from ..formula.terms import BrmsTerms, GroupTerm, MvBrmsTerms, split_group_term
from .additions import new_data_additions
from .autocor import AutocorSpec, series_of, series_order
from .categorical import split_cbind
from .columns import check_columns, level_label, level_labels, names_in_text
from .design import DesignSpec
from .groups import group_design, mm_weights, mmc_data, sp_coef_names
from .nonlinear import covariate_values
from .response import build_response_data, mi_kept_columns, subset_values
from .specials import SpecialDesign
from .types import AdditionData, ModelFrame, ReBlock, ResponseData


@dataclass(frozen=True, eq=False)
class PopulationSpec:
    """How one linear predictor's population-level columns are built on any rows.

    ``design`` gives ``X`` (the intercept column first when the predictor has one; None
    without population-level columns), ``cs`` the ``cs()`` columns; ``specials`` are the
    predictor's special terms, each rebuilding its own columns on new data
    (:meth:`~brmspy.frame.specials.SpecialDesign.new_columns`).
    """

    prefix: Prefix
    design: DesignSpec | None = None
    cs: DesignSpec | None = None
    specials: tuple[SpecialDesign, ...] = ()


@dataclass(frozen=True, eq=False)
class GroupSpec:
    """How one group-level block (brms's id) reads new rows.

    Attributes
    ----------
    id : the block's number (``r_<id>_<j>``, ``J_<id>``).
    group, group_vars : the grouping factor's name and columns (``a:b`` -> ``("a", "b")``).
    levels : the fitted levels, in the model's order (the level map: row label -> position).
    term : the (first) group-level term of the block, for ``mm()`` weights and messages.
    mm : whether it is a multi-membership term (one grouping column per member).
    by, by_levels : the ``gr(by = )`` column and its fitted levels.
    coefs : per varying effect, the design of its ``Z`` and the column in it (None: the intercept).
    """

    id: int
    group: str
    group_vars: tuple[str, ...]
    levels: pd.Index
    term: GroupTerm
    mm: bool = False
    by: str | None = None
    by_levels: tuple[str, ...] = ()
    coefs: tuple[tuple[DesignSpec | None, int], ...] = ()
    mmc: tuple[tuple[str, tuple[str, ...]], ...] = ()  # mmc(w1, w2) placeholders and the members' columns

    def member_vars(self, member: int) -> tuple[str, ...]:
        """The grouping columns of one member (``mm(g1, g2)``: ``g1`` or ``g2``)."""
        return (self.group_vars[member],) if self.mm else self.group_vars


@dataclass(frozen=True, eq=False)
class ResponseSpec:
    """A response's terms (addition terms included) and its fitted values new data may fall back on."""

    terms: BrmsTerms
    fitted: ResponseData = field(repr=False)


@dataclass(eq=False)
class FrameSpec:
    """Every data transformation of a model, to rebuild its design on new data (module docstring).

    Attributes
    ----------
    terms : the model's terms as the frame completed them.
    data : the model's rows (column types and levels for the checks; the fitted series).
    populations : linear predictor -> :class:`PopulationSpec`.
    groups : block id -> :class:`GroupSpec`.
    responses : resp (``""`` univariate) -> :class:`ResponseSpec`.
    autocor : resp -> its time-series term (``ar()``, ``ma()``, ``arma()``, ``cosy()``).
    """

    terms: BrmsTerms | MvBrmsTerms
    data: pd.DataFrame = field(repr=False)
    populations: dict[Prefix, PopulationSpec]
    groups: dict[int, GroupSpec]
    responses: dict[str, ResponseSpec]
    autocor: dict[str, AutocorSpec] = field(default_factory=dict)

    @property
    def response_terms(self) -> list[BrmsTerms]:
        return self.terms.responses if isinstance(self.terms, MvBrmsTerms) else [self.terms]

    # ---------------------------------------------------------------- the entry point

    def new_data(self, newdata: pd.DataFrame, allow_new_levels: bool = False, resp: str | None = None) -> "NewData":
        """Check ``newdata`` and return the model's design on its rows (built piece by piece on use).

        Parameters
        ----------
        newdata : rows to predict; columns the model uses, with the types and levels of the model data.
        allow_new_levels : whether levels of grouping factors absent from the model data are allowed
            (:meth:`NewData.level_index` marks them -1); otherwise they are a DataError.

        Raises
        ------
        DataError
            ``newdata`` is not a DataFrame; a predictor column holds another type than in the
            model data; a factor predictor has a level the model data did not, or a missing value.
            Missing columns are reported when the piece that needs them is built.

        Warns
        -----
        UserWarning
            A numeric predictor is NaN in some rows (their predictions are NaN, as brms's NA).

        Examples
        --------
        >>> new = frame.spec.new_data(df.head(3))     # doctest: +SKIP
        >>> new.X(Prefix("", "mu")).shape             # doctest: +SKIP
        (3, 2)
        """
        return NewData(self, self.check(self.subset(newdata, resp)), allow_new_levels)

    def subset(self, newdata: pd.DataFrame, resp: str | None = None) -> pd.DataFrame:
        """The rows of ``newdata`` a ``y | subset(s)`` model predicts (all rows without subset()), labels kept.

        brms applies the subset to new data too: the subset column is needed, and rows where it is
        FALSE are left out of the predictions.  In multivariate models ``resp``'s subset applies.
        """
        if not isinstance(newdata, pd.DataFrame):
            return newdata
        if isinstance(self.terms, MvBrmsTerms):
            t = next((t for t in self.terms.responses if t.resp == resp), None)
            if t is None:
                return newdata
        else:
            t = self.terms
        a = t.response.addition("subset")
        if a is None:
            return newdata
        missing = [n for n in names_in_text(a.args.get("x", "")) if n in self.data.columns and n not in newdata.columns]
        if missing:
            raise DataError(f"newdata needs the column(s) {', '.join(map(repr, missing))} of the model's "
                            f"'{a.text}' (brms applies the subset to new data too).")
        keep = subset_values(t, newdata.reset_index(drop=True))
        return newdata[keep]

    def check(self, newdata: pd.DataFrame) -> pd.DataFrame:
        """``newdata`` checked and with the model's factor codings (a new frame; the argument is not changed).

        Categorical columns of the model data are recoded to the fitted categories, in their
        order (matched on labels: ``"2"`` matches ``2``), so that dummy columns line up.
        """
        if not isinstance(newdata, pd.DataFrame):
            raise DataError(f"newdata must be a pandas DataFrame, got {type(newdata).__name__}.")
        self.check_columns(newdata)
        newdata = newdata.reset_index(drop=True)
        old = self.data
        for col in old.columns:
            if col not in newdata.columns:
                continue
            o = old[col]
            if isinstance(o.dtype, pd.CategoricalDtype) or o.dtype == object or pd.api.types.is_string_dtype(o.dtype):
                known = set(map(str, o.astype(str).unique()))
                new = set(map(str, newdata[col].dropna().astype(str).unique())) - known
                if new and not self.is_group_column(col):
                    raise DataError(
                        f"newdata column {col!r} has level(s) {sorted(new)} that were not in the fitted data; "
                        f"a population-level factor can only take its fitted levels ({', '.join(sorted(known))})."
                    )
                if isinstance(o.dtype, pd.CategoricalDtype) and not self.is_group_column(col):
                    # the fitted levels, in their order, so dummy columns line up; match on labels ("2" == 2)
                    cats = o.cat.categories
                    by_label = {str(c): c for c in cats}
                    newdata[col] = pd.Categorical(newdata[col].astype(str).map(by_label), categories=cats)
        return newdata

    def check_columns(self, newdata: pd.DataFrame) -> None:
        """Types and missing values of ``newdata``'s predictor columns, checked before any design is rebuilt.

        A column of another type than in the fitted data (text where numbers were
        used, numbers that are not levels of a fitted factor) is a
        :class:`~brmspy.core.errors.DataError` naming the column, the expected and the
        found type.  A missing value in a factor predictor is a DataError (it
        matches no fitted level; brms silently treats it as the reference level); in a
        numeric predictor it gives a NaN prediction for that row (as brms's NA),
        with a warning naming the column and the rows (index labels of ``newdata``).

        Examples
        --------
        >>> frame.spec.check_columns(df.assign(Days="three"))   # doctest: +SKIP
        Traceback (most recent call last):
        DataError: newdata column 'Days' holds text (dtype str) but the model was fitted with numeric values ...
        """
        old_data = self.data
        imputed = mi_kept_columns(self.response_terms)  # NAs there: mi()'s own error, later
        for col in self.predictor_columns:
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
                warn(
                    f"newdata column {col!r} is NaN in {rows} (index labels of newdata): the predictions for those "
                    "rows are NaN. Drop or fill those rows.",
                    DataWarning,
                )

    # ---------------------------------------------------------------- what the checks know

    @property
    def predictor_columns(self) -> list[str]:
        """Data columns the model's predictors use (not the response, addition terms or grouping factors)."""
        cols = set(map(str, self.data.columns))
        out: list[str] = []

        def add(text: str | None) -> None:
            for name in re.findall(r"`[^`]*`|[A-Za-z_.][A-Za-z0-9_.]*", text or ""):
                name = name.strip("`")
                if name in cols and name not in out:
                    out.append(name)

        for t in self.response_terms:
            for nl in t.nonlinear.values():
                add(" ".join(nl.covariates))
            for part in t.parts.values():
                lt = part.terms
                add(" ".join(lt.population))
                for g in lt.group_terms:
                    add(g.expr)
                for sp in lt.special_terms:
                    add(sp.text)
        groups = {v for g in self.groups.values() for v in (*g.group_vars, *((g.by,) if g.by else ()))}
        return [c for c in out if c not in groups and not self.is_group_column(c)]

    def is_group_column(self, col: str) -> bool:
        """Whether new levels of ``col`` are allowed: a grouping factor, or the ``gr`` of a time series (a new series)."""
        return (any(col in g.group_vars for g in self.groups.values())
                or any(ac.gr == col for ac in self.autocor.values()))

    @property
    def row_dependent(self) -> bool:
        """Whether a row's columns on new data depend on the other rows (``I(x - mean(x))``): never split them."""
        specs = [s for p in self.populations.values() for s in (p.design, p.cs) if s is not None]
        specs += [s for g in self.groups.values() for s, _ in g.coefs if s is not None]
        return any(s.row_dependent for s in specs)

    def effect_names(self, term: GroupTerm) -> list[str]:
        """The varying effects a group-level term has on the model data (``(1 + Days | g)``: Intercept, Days).

        A term with special effects gives those of each part (:func:`~brmspy.formula.terms.split_group_term`):
        ``(1 + mo(x) | g)``: Intercept, mox; category-specific effects by their name without ``[k]``.
        """
        out: list[str] = []
        for part in split_group_term(term):
            if part.type == "sp":
                out += sp_coef_names(part)
            else:
                _, columns = group_design(part, self.data)
                out += [name for name, _ in columns]
        return out

    def response(self, t: BrmsTerms, data: pd.DataFrame) -> ResponseData:
        """The response of ``t`` (with its addition terms) read from ``data``, checked for the family."""
        return build_response_data(t, data.reset_index(drop=True))


class FrameRows:
    """The model's design on a set of rows: :class:`ModelRows` (the model data) or :class:`NewData`.

    The prediction stage reads every per-row value through these accessors, so the same
    code predicts the fitted and new data.  Blocks are named by id, linear predictors by
    :class:`~brmspy.formula.prefix.Prefix`, responses by their terms.
    """

    is_new: bool = False
    data: pd.DataFrame

    @property
    def N(self) -> int:
        return len(self.data)

    def X(self, prefix: Prefix) -> np.ndarray | None:
        """Population-level columns (the intercept column first when the predictor has one)."""
        raise NotImplementedError

    def Xcs(self, prefix: Prefix) -> np.ndarray | None:
        """``cs()`` columns (category-specific effects of ordinal families)."""
        raise NotImplementedError

    def special_columns(self, prefix: Prefix, k: int) -> Any:
        """Columns of the predictor's ``k``-th special term for its ``eta`` (None: the model data's own)."""
        raise NotImplementedError

    def level_index(self, block: int, member: int = 0) -> np.ndarray:
        """0-based level of each row in block ``block``; -1 for a level absent from the model data."""
        raise NotImplementedError

    def Z(self, block: int, j: int, member: int = 0) -> np.ndarray:
        """Values of the block's ``j``-th varying effect (0-based); ``member``: of an ``mmc()`` covariate."""
        raise NotImplementedError

    def mm_weights(self, block: int) -> list[np.ndarray]:
        """``mm()`` weights of each member, summing to 1 per row."""
        raise NotImplementedError

    def by_index(self, block: int, rows: np.ndarray) -> np.ndarray:
        """0-based ``gr(by = )`` level of the given rows."""
        raise NotImplementedError

    def response(self, t: BrmsTerms, need: bool = False) -> ResponseData | None:
        """The response with its addition data; None when the rows have no (complete) response and ``need`` is False."""
        raise NotImplementedError

    def trials(self, t: BrmsTerms) -> np.ndarray | None:
        """Numbers of trials of binomial-type families (None for other families)."""
        raise NotImplementedError

    def additions(self, t: BrmsTerms, purpose: str) -> AdditionData | None:
        """Addition data predictions need (:func:`~brmspy.frame.additions.new_data_additions`)."""
        raise NotImplementedError

    def covariate(self, name: str, where: str) -> np.ndarray:
        """A numeric covariate of a non-linear formula (``where`` names the formula in messages)."""
        raise NotImplementedError


class ModelRows(FrameRows):
    """The model data's design: the frame's stored arrays (nothing is rebuilt).

    ``frame`` may be a row subset of the model frame (:func:`brmspy.prediction.chunked.row_subset_fit`).
    ``resp``: in a multivariate model with ``subset()``, the response whose rows are predicted
    (its designs hold its rows; group-level data are stored on every row and read at its rows).
    """

    is_new = False

    def __init__(self, frame: ModelFrame, resp: str | None = None):
        self.frame = frame
        self.resp = resp
        self._rows = None if frame.resp_rows is None or resp is None else frame.resp_rows[resp]
        self.data = frame.data if self._rows is None else frame.data_of(resp)
        self._blocks = {b.id: b for b in frame.blocks}

    def _at(self, values: np.ndarray) -> np.ndarray:
        return values if self._rows is None else np.asarray(values)[self._rows]

    def X(self, prefix):
        return self.frame.designs[prefix].X

    def Xcs(self, prefix):
        return self.frame.designs[prefix].Xcs

    def special_columns(self, prefix, k):
        return None

    def level_index(self, block, member=0):
        return self._at(self._blocks[block].J[member]) - 1

    def Z(self, block, j, member=0):
        c = self._blocks[block].coefs[j]
        return self._at(c.Z if c.Zm is None else c.Zm[member])

    def mm_weights(self, block):
        w = self._blocks[block].mm_weights
        return w if w is None else [self._at(x) for x in w]

    def by_index(self, block, rows):
        b = self._blocks[block]
        return b.Jby[self._at(b.J[0])[rows] - 1] - 1

    def response(self, t, need=False):
        return self.frame.responses[t.resp]

    def trials(self, t):
        return self.frame.responses[t.resp].trials

    def additions(self, t, purpose):
        return self.frame.responses[t.resp].adds

    def covariate(self, name, where):
        return covariate_values(self.data, name)


class NewData(FrameRows):
    """The model's design rebuilt on new rows (:meth:`FrameSpec.new_data`): each piece on first use, then kept.

    Attributes
    ----------
    spec : the frame specification the rows are read with.
    data : the checked new rows (index 0..N-1, factors recoded to the fitted categories).
    allow_new_levels : whether grouping factors may take levels absent from the model data.
    """

    is_new = True

    def __init__(self, spec: FrameSpec, data: pd.DataFrame, allow_new_levels: bool = False):
        self.spec = spec
        self.data = data
        self.allow_new_levels = allow_new_levels
        self._cache: dict[Any, Any] = {}

    def _kept(self, key: Any, make) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def _matrix(self, design: DesignSpec) -> np.ndarray:
        return self._kept(("design", id(design)), lambda: design.matrix(self.data))

    # -- population level
    def X(self, prefix):
        design = self.spec.populations[prefix].design
        return None if design is None else self._matrix(design)

    def Xcs(self, prefix):
        cs = self.spec.populations[prefix].cs
        return None if cs is None else self._matrix(cs)

    def special_columns(self, prefix, k):
        sp = self.spec.populations[prefix].specials[k]
        return self._kept(("special", prefix, k), lambda: sp.new_columns(self.data))

    # -- group level
    def level_index(self, block, member=0):
        g = self.spec.groups[block]

        def index() -> np.ndarray:
            labels = level_labels(self.data, g.member_vars(member))
            out = g.levels.get_indexer(labels).astype(np.int64)  # -1: not a fitted level
            if (out < 0).any() and not self.allow_new_levels:
                new = sorted(set(labels[out < 0]))
                raise DataError(
                    f"Level(s) {new[:5]} of grouping factor {g.group!r} are not in the fitted data. "
                    "Use allow_new_levels=True to predict for new levels (see sample_new_levels)."
                )
            return out

        return self._kept(("level", block, member), index)

    def Z(self, block, j, member=0):
        g = self.spec.groups[block]
        design, column = g.coefs[j]
        if design is None:
            return np.ones(self.N)
        if g.mmc:  # each member's mmc() covariate in the placeholder column
            return design.matrix(mmc_data(g.mmc, self.data, member, g.term.label))[:, column]
        return self._matrix(design)[:, column]

    def mm_weights(self, block):
        g = self.spec.groups[block]

        def weights() -> list[np.ndarray]:
            if g.term.mm_weights:
                check_columns(list(g.term.mm_weights), self.data, f"the weights of '{g.term.label}' (newdata)")
            return mm_weights(self.data, g.term)

        return self._kept(("mm", block), weights)

    def by_index(self, block, rows):
        g = self.spec.groups[block]
        data = self.data.iloc[rows]
        check_columns([g.by], data, f"'gr({g.group}, by = {g.by})' (newdata)")
        lookup = {lv: i for i, lv in enumerate(g.by_levels)}
        labels = [level_label(v) for v in data[g.by]]
        bad = sorted({lv for lv in labels if lv not in lookup})
        if bad:
            raise DataError(f"newdata has level(s) {bad[:5]} of the by-variable {g.by!r} that the model data did not have.")
        return np.array([lookup[lv] for lv in labels], dtype=np.int64)

    # -- responses and additions
    def response(self, t, need=False):
        cols = split_cbind(t.response.expr) or [t.response.expr]  # cbind(y1, y2, y3): every column
        has_response = all(c.strip() in self.data.columns for c in cols)
        if has_response and not need and self.data[[c.strip() for c in cols]].isna().any().any():
            has_response = False  # unknown responses (e.g. time points to forecast) are not needed here
        if need and not has_response:
            raise DataError(f"newdata needs the response column {t.response.expr!r} here.")
        if not has_response:
            return None
        return self._kept(("response", t.resp), lambda: build_response_data(t, self.data))

    def trials(self, t):
        rd = self.response(t)
        if rd is not None:
            return rd.trials
        trials = t.response.addition("trials")
        if trials is not None:
            col = trials.args["n"]
            if col not in self.data.columns:
                raise DataError(f"newdata needs the trials column {col!r} of 'trials({col})'.")
            return np.asarray(self.data[col], dtype=np.int64)
        if t.family.spec.needs_trials:
            return np.full(self.N, int(self.spec.responses[t.resp].fitted.trials.max()))
        return None

    def additions(self, t, purpose):
        fitted = self.spec.responses[t.resp].fitted.adds
        return self._kept(("additions", t.resp, purpose), lambda: new_data_additions(t, fitted, self.data, purpose))

    def covariate(self, name, where):
        if name not in self.data.columns:
            raise DataError(f"newdata lacks the column {name!r} used by {where}.")
        return covariate_values(self.data, name, fitted=self.spec.data)  # a factor coded by the model's levels

    # -- autocorrelation
    def series(self, t: BrmsTerms) -> "SeriesRows":
        """The new rows of a time-series response after the fitted rows they continue (:class:`SeriesRows`)."""
        return self._kept(("series", t.resp), lambda: _series_rows(self.spec, t, self.data))


@dataclass
class SeriesRows:
    """New rows of an ARMA model combined with the fitted rows they continue, sorted by series and time.

    Positions refer to the combined rows: first the fitted rows ``continued`` (in their
    order), then the new rows.  ``order`` sorts them; ``new_row[k]`` is the newdata row of
    sorted row ``k`` (-1 for a fitted row), ``sorted_pos[i]`` the sorted position of newdata
    row ``i``; ``y`` the sorted responses (NaN where unknown), ``J_lag`` brms's lag counts.
    """

    continued: np.ndarray  # (N_fit,) bool: fitted rows that precede the new rows of their series
    order: np.ndarray
    y: np.ndarray
    J_lag: np.ndarray
    new_row: np.ndarray
    sorted_pos: np.ndarray


def _time_values(data: pd.DataFrame, spec: AutocorSpec) -> np.ndarray:
    col = data[spec.time]
    return np.asarray(col.astype("int64") if pd.api.types.is_datetime64_any_dtype(col.dtype) else col, dtype=float)


def _continued_rows(spec: AutocorSpec, fitted: pd.DataFrame, data: pd.DataFrame) -> np.ndarray:
    """Fitted rows (boolean mask) that precede the first new time point of their series in ``data``.

    New rows continue a fitted series when ``time`` is given: the fitted rows
    of the same series (level of ``gr``, or the single series) earlier than the
    series' first time point in newdata feed the ARMA terms of the new rows.
    Without ``time`` the order of new rows relative to the fitted ones is
    unknown, so new data start their own series.
    """
    mask = np.zeros(len(fitted), dtype=bool)
    if spec.time is None or not len(data):
        return mask
    check_columns([c for c in (spec.time, spec.gr) if c], data, f"'{spec.text}'")
    t_fit, t_new = _time_values(fitted, spec), _time_values(data, spec)
    if spec.gr is None:
        return t_fit < np.nanmin(t_new)
    g_fit = fitted[spec.gr].astype(str).to_numpy()
    first = pd.Series(t_new).groupby(data[spec.gr].astype(str).to_numpy()).min()
    start = pd.Series(g_fit).map(first).to_numpy(dtype=float)  # NaN: series not in newdata
    return ~np.isnan(start) & (t_fit < start)


def _series_rows(spec: FrameSpec, t: BrmsTerms, data: pd.DataFrame) -> SeriesRows:
    ac = spec.autocor[t.resp]
    resp = t.response.expr
    if resp in data.columns:
        col = data[resp]
        if not (pd.api.types.is_numeric_dtype(col.dtype) or col.isna().all()):
            raise DataError(f"The response {resp!r} in newdata must be numeric (NaN for time points to forecast).")
        y_new = np.asarray(col, dtype=float)
    else:  # no response at all: every new row is forecast
        y_new = np.full(len(data), np.nan)
    fitted = spec.data
    mask = _continued_rows(ac, fitted, data)
    cols = [c for c in (ac.time, ac.gr) if c]
    if mask.any():
        as_text = {ac.gr: str} if ac.gr else {}
        keys = pd.concat([fitted.loc[mask, cols].astype(as_text), data[cols].astype(as_text)], ignore_index=True)
        y_all = np.r_[spec.responses[t.resp].fitted.y.astype(float)[mask], y_new]
        n_pre = int(mask.sum())
    else:
        keys, y_all, n_pre = data, y_new, 0
    order = series_order(keys, ac)
    series = series_of(keys.iloc[order].reset_index(drop=True), ac)
    new_row = order - n_pre
    new_row[new_row < 0] = -1
    sorted_pos = np.empty(len(order), dtype=np.int64)
    sorted_pos[order] = np.arange(len(order))
    return SeriesRows(mask, order, y_all[order], series.J_lag(max(ac.p, ac.q)), new_row, sorted_pos[n_pre:])


# ------------------------------------------------------------------ building the spec


def group_spec(block: ReBlock, coefs: list[tuple[DesignSpec | None, int]]) -> GroupSpec:
    """The :class:`GroupSpec` of a block built on the model data, with the designs of its effects."""
    return GroupSpec(block.id, block.group, block.group_vars, pd.Index(block.levels), block.terms[0], block.is_mm,
                     block.by, tuple(block.by_levels or ()), tuple(coefs),
                     tuple(dict.fromkeys(pair for t in block.terms for pair in t.mmc)))


# ------------------------------------------------------------------ the checks' words


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


def _level_text(v: Any) -> str:
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


__all__ = ["FrameRows", "FrameSpec", "GroupSpec", "ModelRows", "NewData", "PopulationSpec", "ResponseSpec",
           "SeriesRows", "group_spec"]
