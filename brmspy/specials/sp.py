"""Special terms with a ``bsp`` coefficient (brms's "sp" terms): ``mo()`` and ``me()``.

brms gives every such term of a linear predictor one element of the
coefficient vector ``bsp`` (class ``b`` priors; coefficient named after the
term, ``mox`` for ``mo(x)``, ``mexsdx`` for ``me(x, sdx)``) and multiplies it
with the term's value::
    mu += Intercept + bsp[1] * mo(simo_1, Xmo_1) + bsp[2] * Xme_1;

:class:`SpDesign` is the one :class:`~brmspy.frame.specials.SpecialDesign` of all
sp terms of a predictor: it owns ``Ksp``/``bsp``, its priors and draws
(``bsp_mox``).  Each kind of sp term is an :class:`SpTerm` subclass registered
with :func:`sp_term` (``mo.py``, ``me.py``); it supplies its data, parameters,
priors, Stan value expression and numpy value on (new) data.  Another kind
that multiplies ``bsp`` (e.g. ``mi(x)``) is one more SpTerm subclass.

Products (brms's sp interactions, parsed as
:class:`~brmspy.formula.terms.SpInteraction`): ``mo(x):z``, ``me(x, sdx):z``,
``mo(x1):mo(x2)`` and ``mo(x) * z`` (= ``mo(x) + z + mo(x):z``) are one
:class:`SpRow` each, i.e. one element of ``bsp`` named ``mox:z``; numeric
covariates are multiplied into data ``Csp_<ic>`` and every sp call in a
product is its own term (its own ``Xmo``/``simo``, as brms)::

    mu += Intercept + bsp[1] * mo(simo_1, Xmo_1) + bsp[2] * mo(simo_2, Xmo_2) .* Csp_1;

With a factor covariate (``mo(x):f``, ``mo(x) * f``) the rows are the columns of R's model matrix
of the predictor's sp terms (:meth:`SpDesign._build_by_columns`, brms's ``sp_model_matrix``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..core.errors import DataError, FormulaError
from ..core.stan import StanBlocks, prior_statement
from ..core.types import ParamInfo, PriorRow
from ..formula.prefix import Prefix, brms_name
from ..formula.rexpr import Call as RCall, Name as RName, Num as RNum, Paren as RParen, Unary as RUnary, format_number
from ..formula.rterms import population_terms
from ..formula.spexpr import STAN_FUNCTIONS, has_sp_call, sp_expression
from ..formula.syntax import parse_call
from ..formula.terms import SpecialTerm
from ..frame.columns import eval_column
from ..frame.design import DesignSpec, ModelVariables
from ..frame.specials import ModelSettings, SpecialDesign

#: sp-term kind ("mo", "me", "mi") -> its SpTerm class (filled by :func:`register_sp_terms`)
SP_TERMS: dict[str, type["SpTerm"]] = {}
#: order of the kinds' declarations in the program (brms's)
_ORDER = ("mo", "me", "mi")


def register_sp_terms(*terms: type["SpTerm"]) -> None:
    """Make :class:`SpDesign` build the terms of these kinds (each class names its ``kind``), sharing ``bsp``."""
    for cls in terms:
        SP_TERMS[cls.kind] = cls
    SpDesign.kinds = ("sp", *SP_TERMS)  # products such as mo(x):z (brmspy.formula.terms.SpInteraction) too


def eval_arg(expr: str, data: pd.DataFrame, where: str) -> pd.Series:
    """A term argument: a column, an expression of columns, or a number."""
    try:
        return pd.Series(np.full(len(data), float(expr)))
    except ValueError:
        return eval_column(expr, data, where)


@dataclass
class SpTerm:
    """One sp term of a linear predictor.

    Attributes
    ----------
    term : the parsed ``mo(x)`` / ``me(x, sdx)``.
    prefix : its linear predictor (Stan names carry ``prefix.suffix``).
    k : its element of ``bsp`` (1-based).
    i : its number among the terms of its kind in the predictor (``Xmo_1``, ``simo_2``).
    label : the term as the Stan code's comments name it (``mo(x) in mo(x):z``); empty: the term's text.
    """

    kind: ClassVar[str] = ""

    term: "SpecialTerm"
    prefix: "Prefix"
    formula: str
    k: int = 0
    i: int = 0
    label: str = ""

    @property
    def coef(self) -> str:
        """brms's coefficient name: ``mo(x)`` -> ``mox``, ``me(x, sdx)`` -> ``mexsdx``."""
        return brms_name(self.term.text)

    @property
    def s(self) -> str:
        return self.prefix.suffix

    # -- data
    @classmethod
    def build(cls, term: "SpecialTerm", prefix: "Prefix", data: pd.DataFrame, formula: str) -> "SpTerm":
        raise NotImplementedError

    @classmethod
    def link(cls, terms: list["SpTerm"], settings: ModelSettings) -> None:
        """All terms of this kind in the model (every predictor), after all are built."""

    # -- priors (``base``: resp/dpar/nlpar of the predictor; ``lookup`` bound to it)
    def prior_rows(self, base: dict[str, str], scale_prior: str) -> list["PriorRow"]:
        return []

    def resolve_priors(self, lookup) -> dict[str, Any]:
        return {}

    def flat_parameters(self, priors: dict[str, Any]) -> list[str]:
        """brms names of the term's own parameters with flat priors (``priors`` from :meth:`resolve_priors`)."""
        return []

    # -- code
    @classmethod
    def stan_kind(cls, terms: list["SpTerm"], priors: list[dict[str, Any]]) -> "StanBlocks":
        """Declarations of this kind's terms in one predictor (``priors`` from :meth:`resolve_priors`)."""
        return StanBlocks()

    def expression(self) -> str:
        """Vectorised Stan value of the term (multiplied by ``bsp[k]``)."""
        raise NotImplementedError

    # -- draws and predictions
    def draws(self, params: dict[str, np.ndarray]) -> list[tuple[str, np.ndarray, "ParamInfo"]]:
        return []

    def new_columns(self, data: pd.DataFrame) -> Any:
        """The term's data on new rows, as :meth:`value` reads them (checked here)."""
        raise NotImplementedError

    def value(self, param, columns: Any = None) -> np.ndarray:
        """The term's value, (draws or 1, rows); ``columns`` None means the model data, else :meth:`new_columns`."""
        raise NotImplementedError

    def prior_draws(self, priors: dict[str, Any], sampler) -> dict[str, np.ndarray]:
        """Prior draws of the term's own parameters (``simo``, ``meanme``, ...), see :meth:`SpecialDesign.prior_draws`."""
        return {}


def _number(x: float) -> str:
    """A Stan real literal (``2`` -> ``2.0``: Stan's ``1 / 2`` is integer division, R's is 0.5)."""
    text = format_number(x)
    return text if any(c in text for c in ".eE") or "Inf" in text or "NaN" in text else text + ".0"


@dataclass
class SpExpr:
    """A transformed sp term, ``I(me(x, sdx)^2)`` (brms: the R expression with each call's Stan value).

    ``tree`` is :func:`brmspy.formula.spexpr.sp_expression`'s tree, whose names ``sp__1``, ... stand for
    ``terms`` (the sp terms inside, built as any other).  :meth:`expression` is the vectorised Stan
    value, :meth:`value` the same in numpy.
    """

    text: str
    tree: Any
    terms: dict[str, SpTerm]

    def _stan(self, e) -> tuple[str, bool]:
        """(Stan code, whether it is a vector) of a node."""
        if isinstance(e, RName):
            return self.terms[e.id].expression(), True
        if isinstance(e, RNum):
            return _number(e.value), False
        if isinstance(e, RParen):
            code, vec = self._stan(e.expr)
            return f"({code})", vec
        if isinstance(e, RUnary):
            code, vec = self._stan(e.operand)
            return (f"-{code}" if e.op == "-" else code), vec
        if isinstance(e, RCall):
            code, vec = self._stan(e.args[0])
            fn = STAN_FUNCTIONS[e.fn]
            return (f"{fn}({code})" if fn else f"({code})"), vec
        left, lv = self._stan(e.left)
        right, rv = self._stan(e.right)
        op = e.op
        if op == "^":
            op = ".^" if lv or rv else "^"
        elif op in ("*", "/") and lv and rv:
            op = "." + op
        elif op == "/" and rv:
            op = "./"
        return f"{left} {op} {right}", lv or rv

    def expression(self) -> str:
        """Vectorised Stan value (e.g. ``(Xme_1 .^ 2.0)``), parenthesised as brms's ``(Xme_1[n]^2)``."""
        code, _ = self._stan(self.tree)
        return code if code.startswith("(") and code.endswith(")") and self.text.startswith("I(") else f"({code})"

    def value(self, values: dict[str, Any]) -> Any:
        """The expression on the terms' values (``values[name]``: arrays of (draws or 1, rows))."""
        def ev(e):
            if isinstance(e, RName):
                return values[e.id]
            if isinstance(e, RNum):
                return e.value
            if isinstance(e, RParen):
                return ev(e.expr)
            if isinstance(e, RUnary):
                return -ev(e.operand) if e.op == "-" else ev(e.operand)
            if isinstance(e, RCall):
                x = ev(e.args[0])
                return x if e.fn == "I" else _NUMPY[e.fn](x)
            a, b = ev(e.left), ev(e.right)
            with np.errstate(all="ignore"):  # Stan gives NaN/inf there too
                return {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.true_divide,
                        "^": np.power}[e.op](a, b)
        with np.errstate(all="ignore"):
            return ev(self.tree)


_NUMPY = {"log": np.log, "exp": np.exp, "sqrt": np.sqrt, "abs": np.abs, "log1p": np.log1p, "expm1": np.expm1,
          "log2": np.log2, "log10": np.log10, "sin": np.sin, "cos": np.cos, "tan": np.tan, "asin": np.arcsin,
          "acos": np.arccos, "atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh}


@dataclass
class SpRow:
    """One element of ``bsp``: a product of sp terms (factors) and numeric covariates.

    ``mo(x)`` is a row with one factor; ``mo(x):z`` one factor and the
    covariate ``z`` (Stan data ``Csp_<ic>``); ``mo(x1):mo(x2)`` two factors.

    Attributes
    ----------
    k : its element of ``bsp`` (1-based).
    text : the term as written (``mo(x):z``).
    coef : brms's coefficient name (``mox:z``).
    factors : its sp terms, in order.
    covariates : (expression, :class:`~brmspy.frame.design.DesignSpec`) of each covariate piece.
    ic : its ``Csp`` number (0 without covariates).
    csp : the product of the covariates on the model data (None without).
    """

    k: int
    text: str
    coef: str
    factors: list[SpTerm]
    covariates: list[tuple[str, Any]] = field(default_factory=list)
    ic: int = 0
    csp: np.ndarray | None = field(default=None, repr=False)
    # the values multiplied, in order: sp terms and transformed sp terms (I(me(x, sdx)^2)); None: ``factors``
    pieces: list[Any] | None = None

    @property
    def values(self) -> list[Any]:
        return self.factors if self.pieces is None else self.pieces


def _build_expr(piece: str, prefix, data, formula: str, k: int, counts: dict[str, int], factors: list[SpTerm],
                label: str = "") -> SpExpr:
    """A transformed sp term of ``bsp[k]``: its sp terms are built (appended to ``factors``) and numbered."""
    tree, calls = sp_expression(piece, formula)
    inner: dict[str, SpTerm] = {}
    for name, text in calls.items():
        call = parse_call(text)
        t = SP_TERMS[call.name].build(SpecialTerm(call.name, call), prefix, data, formula)
        counts[call.name] = counts.get(call.name, 0) + 1
        t.k, t.i = k, counts[call.name]
        if label:
            t.label = f"{call.text} in {label}"
        factors.append(t)
        inner[name] = t
    return SpExpr(piece, tree, inner)


def _is_factor_piece(piece: str, data: pd.DataFrame) -> bool:
    """Whether a piece of an sp product is a factor-like column (then R's contrasts give its columns)."""
    if parse_call(piece) is not None or piece not in data.columns:
        return False
    dtype = data[piece].dtype
    return (isinstance(dtype, pd.CategoricalDtype) or dtype == object or pd.api.types.is_string_dtype(dtype)
            or pd.api.types.is_bool_dtype(dtype))


def _covariate(expr: str, data: pd.DataFrame, where: str) -> tuple[np.ndarray, str, Any]:
    """A numeric covariate piece of an sp interaction: (values, R column name, design spec for new data)."""
    col = data[expr] if expr in data.columns else None
    if col is not None and (isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == object
                            or pd.api.types.is_string_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype)):
        raise DataError(
            f"{where}: the covariate {expr!r} is a factor; interactions of mo()/me()/mi() terms with factors are not "
            f"supported yet. Use a numeric (0/1) indicator column per level instead, e.g. 'mo(x):is_b'."
        )
    spec, X = DesignSpec.build(population_terms(f"0 + {expr}", where), ModelVariables(data, where), where)
    if X.shape[1] != 1:
        raise DataError(
            f"{where}: the covariate {expr!r} gives {X.shape[1]} columns ({', '.join(spec.r_names)}); "
            "interactions of mo()/me()/mi() terms need numeric covariates (factors are not supported yet)."
        )
    return X[:, 0].copy(), spec.r_names[0], spec


@dataclass
class SpDesign(SpecialDesign):
    """All sp terms (``mo()``, ``me()``, ``mi()`` and their products) of one linear predictor, sharing ``bsp``."""

    kinds: ClassVar[tuple[str, ...]] = ("sp",)  # and every sp-term kind (register_sp_terms)

    rows: list[SpRow] = field(default_factory=list)
    # bsp row k -> its group-level effects (block id, j, members): (mo(x) | g) adds r_<id>_<j>[J_<id>] to bsp[k]
    varying: dict[int, list[tuple[int, int, int]]] = field(default_factory=dict)

    def group_effects(self, effects):
        by_coef = {r.coef: r.k for r in self.rows}
        for coef, block, j, members in effects:
            self.varying.setdefault(by_coef[coef], []).append((block, j, members))

    def varying_terms(self, k: int) -> list[str]:
        """Stan expressions of the group-level effects on ``bsp[k]`` (brms: ``bsp[1] + r_1_2[J_1[n]]``)."""
        label = self.prefix.label
        out = []
        for block, j, members in self.varying.get(k, []):
            r = f"r_{block}_{label}{j}"
            if members > 1:  # multi-membership: weighted effects of every member
                out.append("(" + " + ".join(f"W_{block}_{m} .* {r}[J_{block}_{m}]" for m in range(1, members + 1)) + ")")
            else:
                out.append(f"{r}[J_{block}]")
        return out

    @property
    def sp_terms(self) -> list[SpTerm]:
        """Every sp term (factor) of the predictor, in ``bsp`` order: ``mo(x) + mo(x):z`` has two."""
        return [t for row in self.rows for t in row.factors]

    @classmethod
    def build(cls, prefix, terms, data, formula):
        if any(s.kind == "sp" and any(_is_factor_piece(f, data) for f in s.factors) for s in terms):
            return cls._build_by_columns(prefix, terms, data, formula)
        rows: list[SpRow] = []
        counts: dict[str, int] = {}
        ncsp = 0
        # brms builds the sp terms' own formula (~ 0 + mo(x) + z:mo(x)), whose R terms() orders the pieces of
        # each product by their first appearance there: z * mo(x) gives mox:z, y * mo(x1) * mo(x2) mox1:mox2:y
        # (R's terms() with keep.order = FALSE: by degree, then in order of appearance)
        terms = sorted(terms, key=lambda s: len(s.factors) if s.kind == "sp" else 1)
        first: dict[str, int] = {}
        for s in terms:
            for piece in s.factors if s.kind == "sp" else (s.text,):
                first.setdefault(piece, len(first))
        for k, s in enumerate(terms, start=1):
            pieces = sorted(s.factors, key=first.__getitem__) if s.kind == "sp" else (s.text,)
            factors: list[SpTerm] = []
            covariates: list[tuple[str, Any]] = []
            names: list[str] = []
            csp: np.ndarray | None = None
            parts: list[Any] = []  # the values multiplied: sp terms and transformed sp terms
            for piece in pieces:
                call = parse_call(piece) if s.kind == "sp" else s.call
                if call is not None and call.name in SP_TERMS:
                    sub = SpecialTerm(call.name, call) if s.kind == "sp" else s
                    t = SP_TERMS[call.name].build(sub, prefix, data, formula)
                    counts[call.name] = counts.get(call.name, 0) + 1
                    t.k, t.i = k, counts[call.name]
                    factors.append(t)
                    parts.append(t)
                    names.append(t.coef)
                elif s.kind == "sp" and has_sp_call(piece):  # I(me(x, sdx)^2)
                    parts.append(_build_expr(piece, prefix, data, formula, k, counts, factors))
                    names.append(brms_name(piece))
                else:
                    values, colname, spec = _covariate(piece, data, f"'{s.text}' in {formula!r}")
                    covariates.append((piece, spec))
                    names.append(brms_name(colname))
                    csp = values if csp is None else csp * values
            row = SpRow(k, s.text, ":".join(names), factors, covariates,
                        pieces=parts if any(isinstance(v, SpExpr) for v in parts) else None)
            if covariates:
                ncsp += 1
                row.ic, row.csp = ncsp, csp
            # brms's simplex labels: the row's coefficient and the mo() term's position in it (mox:z1)
            for j, t in enumerate([t for t in factors if t.kind == "mo"], start=1):
                t.simo_label = f"{row.coef}{j}"
            for t in factors:  # for comments in the Stan code
                t.label = t.term.text if s.kind != "sp" else f"{t.term.text} in {s.text}"
            rows.append(row)
        coefs = [r.coef for r in rows]
        if len(set(coefs)) != len(coefs):
            raise FormulaError(f"A special term appears twice in {formula!r}: {coefs}; remove the duplicate.")
        if "mo" in SP_TERMS:  # mo(x, id = ...): shared simplexes within the predictor
            SP_TERMS["mo"].share_ids([t for r in rows for t in r.factors if t.kind == "mo"], formula)
        return cls(prefix, terms, formula, rows)

    @classmethod
    def _build_by_columns(cls, prefix, terms, data, formula):
        """sp terms with factor covariates (``mo(x):f``, ``mo(x) * f``), as brms's ``sp_model_matrix``.

        Every sp call stands for a placeholder column of ones named after it (``mox``); R's model
        matrix of all sp terms of the predictor (with an intercept, dropped) then gives one ``bsp``
        element per column, with R's contrasts: ``mo(x):f`` alone is ``mox:fa``, ``mox:fb``, ...,
        next to ``mo(x)`` it is ``mox:fb``, ... Each column's product of covariates is ``Csp``, and each
        sp call in it is its own term (its own ``Xmo``/``simo``), as brms.
        """
        calls: dict[str, Any] = {}  # placeholder name -> parsed call

        def placeholder(piece: str) -> str:
            call = parse_call(piece)
            if has_sp_call(piece):  # I(log(mi(x))) * f: a transformed sp term, as brms's placeholder column
                name = brms_name(piece)
                if name in data.columns:
                    raise FormulaError(f"{formula!r}: the sp term {piece} and the column {name!r} have one name.")
                calls[name] = piece
                return name
            if call is None or call.name not in SP_TERMS:
                return piece
            name = brms_name(call.text)
            if name in data.columns:
                raise FormulaError(f"{formula!r}: the sp term {call.text} and the column {name!r} have one name.")
            calls[name] = call
            return name

        texts = []
        for s in terms:
            pieces = s.factors if s.kind == "sp" else (s.text,)
            texts.append(":".join(placeholder(p) for p in pieces))
        where = f"the special terms of {formula!r}"
        pdata = data.assign(**{n: np.ones(len(data)) for n in calls})
        spec, M = DesignSpec.build(population_terms(" + ".join(texts), where), ModelVariables(pdata, where), where)
        rows: list[SpRow] = []
        counts: dict[str, int] = {}
        ncsp = 0
        for col, (rname, name) in enumerate(zip(spec.r_names, spec.names)):
            if rname == "(Intercept)":
                continue
            parts = rname.split(":")
            factors: list[SpTerm] = []
            values: list[Any] = []
            k = len(rows) + 1
            for part in parts:
                if part in calls:
                    call = calls[part]
                    if isinstance(call, str):  # a transformed sp term
                        values.append(_build_expr(call, prefix, data, formula, k, counts, factors, label=name))
                        continue
                    t = SP_TERMS[call.name].build(SpecialTerm(call.name, call), prefix, data, formula)
                    counts[call.name] = counts.get(call.name, 0) + 1
                    t.k, t.i = k, counts[call.name]
                    t.label = f"{call.text} in {name}"
                    factors.append(t)
                    values.append(t)
            if not factors:
                continue  # a covariate column alone (from R's expansion): not an sp term
            row = SpRow(k, name, name, factors,
                        pieces=values if any(isinstance(v, SpExpr) for v in values) else None)
            covs = [p for p in parts if p not in calls]
            if covs:
                ncsp += 1
                row.ic, row.csp = ncsp, M[:, col].copy()
                row.covariates = [(":".join(covs), ("placeholders", spec, col, tuple(calls)))]
            for j, t in enumerate([t for t in factors if t.kind == "mo"], start=1):
                t.simo_label = f"{row.coef}{j}"
            rows.append(row)
        if "mo" in SP_TERMS:
            SP_TERMS["mo"].share_ids([t for r in rows for t in r.factors if t.kind == "mo"], formula)
        return cls(prefix, terms, formula, rows)

    @classmethod
    def link(cls, designs, settings):
        for kind, handler in SP_TERMS.items():
            terms = [t for d in designs for t in d.sp_terms if t.kind == kind]
            if terms:
                handler.link(terms, settings)  # model-wide settings (set_mecor) reach the terms

    @property
    def b_names(self) -> list[str]:
        return [r.coef for r in self.rows]

    def shrinkable(self, class_):
        s = self.prefix.suffix
        return [(f"bsp{s}", f"Ksp{s}", len(self.rows))] if class_ == "b" else []

    def prior_rows(self, base, scale_prior):
        return [row for t in self.sp_terms for row in t.prior_rows(base, scale_prior)]

    def resolve_priors(self, lookup):
        return {
            "bsp": [lookup(("b", r.coef), ("b", "")) for r in self.rows],
            "terms": [t.resolve_priors(lookup) for t in self.sp_terms],
        }

    def flat_parameters(self, priors):
        label = self.prefix.label
        flat = [f"bsp_{label}{r.coef}" for r, p in zip(self.rows, priors.get("bsp", [])) if p is None]
        for t, p in zip(self.sp_terms, priors.get("terms", [])):
            flat += t.flat_parameters(p)
        return flat

    def stan(self, priors):
        s = self.prefix.suffix
        sb = StanBlocks()
        sb.declare(f"int<lower=1> Ksp{s}", f"Ksp{s}", len(self.rows), "number of special effects terms")
        with_cov = [r for r in self.rows if r.ic]
        if with_cov:
            sb.data.append("// covariates of special effects terms")
            for r in with_cov:
                sb.declare(f"vector[N] Csp{s}_{r.ic}", f"Csp{s}_{r.ic}", r.csp, f"covariate of {r.text}")
        sp_terms = self.sp_terms
        term_priors = priors.get("terms") or [{} for _ in sp_terms]
        for kind in sorted(SP_TERMS, key=lambda k: _ORDER.index(k) if k in _ORDER else len(_ORDER)):
            handler = SP_TERMS[kind]
            idx = [j for j, t in enumerate(sp_terms) if t.kind == kind]
            if idx:
                sb += handler.stan_kind([sp_terms[j] for j in idx], [term_priors[j] for j in idx])
        sb.par.append(f"vector[Ksp{s}] bsp{s};  // special effects coefficients")
        prior_statement(sb, f"bsp{s}", f"bsp{s}", priors.get("bsp") or [None] * len(self.rows), f"Ksp{s}")
        return sb

    def predictor_terms(self) -> list[str]:
        s = self.prefix.suffix
        out = []
        for r in self.rows:  # brms: (bsp[k]) * mo(simo_2, Xmo_2[n]) * Csp_1[n], vectorised with .*
            values = [t.expression() for t in r.values] + ([f"Csp{s}_{r.ic}"] if r.ic else [])
            varying = self.varying_terms(r.k)
            if varying:
                out.append(f"(bsp{s}[{r.k}] + {' + '.join(varying)}) .* " + " .* ".join(values))
            else:
                out.append(f"bsp{s}[{r.k}] * " + " .* ".join(values))
        return out

    def draws(self, params):
        label = self.prefix.label
        bsp = params[f"bsp{self.prefix.suffix}"]
        out = []
        for r in self.rows:
            name = f"bsp_{label}{r.coef}"
            out.append((name, bsp[..., r.k - 1], ParamInfo(name, "b", coef=f"{label}{r.coef}")))
        for t in self.sp_terms:
            out.extend(t.draws(params))
        return out

    def prior_draws(self, priors, sampler):
        label = self.prefix.label
        out = {}
        for r, p in zip(self.rows, priors.get("bsp") or []):
            values = sampler.scalar(p)  # bsp has no bounds in the program
            if values is not None:
                out[f"prior_bsp_{label}{r.coef}"] = values
        for t, p in zip(self.sp_terms, priors.get("terms") or []):
            out.update(t.prior_draws(p, sampler))
        return out

    def new_columns(self, data):
        """Per row of ``bsp``: the product of its covariates (1.0 without) and each sp term's own columns."""
        out = []
        for r in self.rows:
            csp: np.ndarray | float = 1.0
            for _, spec in r.covariates:
                if isinstance(spec, tuple):  # a column of the sp terms' model matrix (factor covariates)
                    _, full, col, names = spec
                    csp = csp * full.matrix(data.assign(**{n: np.ones(len(data)) for n in names}))[:, col]
                else:
                    csp = csp * spec.matrix(data)[:, 0]
            out.append((csp, [t.new_columns(data) for t in r.factors]))
        return out

    def row_value(self, k: int, param, columns=None) -> np.ndarray | float:
        """The value that ``bsp[k]`` multiplies, (draws or 1, rows): its sp terms times its covariates."""
        n = next(i for i, r in enumerate(self.rows) if r.k == k)
        r = self.rows[n]
        if columns is None:  # the model data
            value: np.ndarray | float = r.csp if r.covariates else 1.0
            factor_columns = [None] * len(r.factors)
        else:
            value, factor_columns = columns[n]
        values = {id(t): t.value(param, cols) for t, cols in zip(r.factors, factor_columns)}
        for p in r.values:
            if isinstance(p, SpExpr):
                value = value * p.value({name: values[id(t)] for name, t in p.terms.items()})
            else:
                value = value * values[id(p)]
        return value

    def eta(self, param, columns=None):
        bsp = param(f"bsp{self.prefix.suffix}")  # (S, Ksp)
        total: np.ndarray | float = 0.0
        for r in self.rows:  # group-level effects on bsp: brmspy.prediction.linpred.group_part
            value = self.row_value(r.k, param, columns)
            total = total + bsp[:, r.k - 1][:, None] * np.broadcast_to(value, np.shape(value))
        return total



__all__ = ["SP_TERMS", "SpDesign", "SpRow", "SpTerm", "eval_arg", "register_sp_terms"]
