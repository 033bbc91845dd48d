"""``s()`` and ``t2()``: penalized regression splines written as random effects.

brms's construction (via mgcv's ``smoothCon`` and ``smooth2random``): the
basis of each smooth is split into its unpenalised null space, which becomes
fixed-effect columns ``Xs`` with coefficients ``bs`` (prior class ``b``,
coefficients named ``sx_1``), and penalised parts ``Zs_<i>_<j>`` with
standardised coefficients ``zs_<i>_<j> ~ std_normal()`` scaled by
``sds_<i>[j]`` (prior class ``sds``).  The predictor gets
``Xs * bs + Zs_1_1 * s_1_1 + ...``.

- ``s(x)``: thin plate regression spline, ``k = 10`` (``s(x, z)``: 2-D, ``k = 30``);
  ``bs = "cr"``: cubic regression spline with knots at quantiles.
- ``t2(x, z)``: tensor product of marginal bases (``bs = "cr"``, ``k = 5`` each), one
  ``sds`` per penalised combination of marginal parts.
- ``by = f`` (factor): one smooth per level (an ordered factor's first level has
  none, as in mgcv); ``by = z`` (numeric): the smooth times ``z``, uncentred.

The bases (knots, eigenvectors, constraint, maps) are kept so
:meth:`SmoothDesign.new_columns` rebuilds ``Xs``/``Zs`` for new data; :mod:`brmspy.core.splines` has the numerics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from ..core.errors import DataError, FormulaError
from ..core.splines import CubicRegression, MixedSmooth, TensorT2, ThinPlate, mixed_form
from ..core.stan import StanBlocks, prior_statement
from ..core.types import ParamInfo, PriorRow
from ..formula.prefix import brms_name
from ..formula.syntax import parse_call
from ..frame.columns import eval_column, level_label, levels_of
from ..frame.specials import SpecialDesign

#: basis types of s() / t2() marginals: bs code -> (class, description)
BASES = {"tp": (ThinPlate, "thin plate regression spline"), "cr": (CubicRegression, "cubic regression spline")}
_S_ARGS = {"k", "bs", "by"}
DEFAULT_SCALE_PRIOR = "student_t(3, 0, 2.5)"


# ------------------------------------------------------------------ parsing


def _unquote(v: str) -> str:
    v = v.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
        return v[1:-1]
    return v


def _vector_arg(v: str) -> list[str]:
    """``5`` -> ["5"]; ``c(5, 6)`` -> ["5", "6"] (R's spelling of several marginal values)."""
    call = parse_call(v)
    if call is not None and call.name == "c" and not call.kwargs:
        return [a.strip() for a in call.args]
    return [v.strip()]


@dataclass(frozen=True)
class SmoothSpec:
    """One ``s()``/``t2()`` term as written."""

    fun: str  # "s" or "t2"
    covars: tuple[str, ...]
    k: tuple[int, ...]  # one per basis (t2: per marginal)
    bs: tuple[str, ...]
    by: str | None
    text: str  # brms's term label (prior coef), e.g. 's(x, k = 5)'

    @property
    def label(self) -> str:
        """brms's smooth label: ``sx``, ``sxf`` (with by), ``t2xz``."""
        return self.fun + brms_name("".join((*self.covars, *((self.by,) if self.by else ()))))

    @property
    def mgcv_label(self) -> str:
        return f"{self.fun}({','.join(self.covars)})"


def parse_smooth(term, formula: str) -> SmoothSpec:
    """Check and read the arguments of an ``s()``/``t2()`` term."""
    call = term.call
    text = call.text.replace("'", '"')
    if not call.args:
        raise FormulaError(f"'{call.text}' in {formula!r} names no covariate; write e.g. '{call.name}(x)'.")
    unknown = [k for k, _ in call.kwargs if k not in _S_ARGS]
    if unknown:
        raise FormulaError(
            f"Argument(s) {', '.join(map(repr, unknown))} of '{call.text}' in {formula!r} are not supported; "
            f"{call.name}() takes the covariates and k, bs, by."
        )
    covars = tuple(a.strip() for a in call.args)
    nb = len(covars) if call.name == "t2" else 1
    bs_raw = call.kwarg("bs")
    bs = tuple(_unquote(b) for b in _vector_arg(bs_raw)) if bs_raw else (("cr",) if call.name == "t2" else ("tp",))
    for b in bs:
        if b not in BASES:
            raise FormulaError(
                f"Unknown smoothing basis bs = {b!r} in '{call.text}' of {formula!r}; supported are "
                + ", ".join(f"{code!r} ({desc})" for code, (_, desc) in BASES.items()) + "."
            )
    if len(bs) == 1:
        bs = bs * nb
    elif len(bs) != nb:
        raise FormulaError(f"'{call.text}' in {formula!r} gives {len(bs)} bases for {nb} covariates.")
    if call.name == "s":
        if len(covars) > 2:
            raise FormulaError(f"'{call.text}' in {formula!r}: s() supports one or two covariates; "
                               "use t2() for tensor products of more.")
        if bs[0] == "cr" and len(covars) > 1:
            raise FormulaError(f"'{call.text}' in {formula!r}: cubic regression splines take one covariate; "
                               "use t2(...) for a tensor product or bs = \"tp\".")
    k_raw = call.kwarg("k")
    if k_raw is None:
        k = (5,) * nb if call.name == "t2" else ((10,) if len(covars) == 1 else (30,))
    else:
        try:
            k = tuple(int(float(v)) for v in _vector_arg(k_raw))
        except ValueError:
            raise FormulaError(f"k in '{call.text}' of {formula!r} must be a whole number, got {k_raw!r}.") from None
        if len(k) == 1:
            k = k * nb
        elif len(k) != nb:
            raise FormulaError(f"'{call.text}' in {formula!r} gives {len(k)} values of k for {nb} covariates.")
    for kk, b in zip(k, bs):
        need = 3 if len(covars) == 1 or call.name == "t2" else 4
        if kk < need:
            what = BASES[b][1]
            raise FormulaError(
                f"k = {kk} is too small in '{call.text}' of {formula!r}: a {what} needs k >= {need} "
                f"(its unpenalised null space has {need - 1} functions); use a larger k, e.g. k = {max(need, 5)}."
            )
    by = call.kwarg("by")
    return SmoothSpec(call.name, covars, k, bs, by.strip() if by else None, text)


# ----------------------------------------------------------------- the data


def _covariates(spec: SmoothSpec, data: pd.DataFrame, formula: str) -> np.ndarray:
    cols = []
    for v in spec.covars:
        if v in data.columns:
            col = data[v]
            if (isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == object or pd.api.types.is_string_dtype(col.dtype)
                    or pd.api.types.is_bool_dtype(col.dtype)):
                raise DataError(
                    f"'{spec.text}' in {formula!r}: smooths need numeric covariates, but {v!r} is a factor. "
                    f"Use it as a population-level term ('~ {v} + ...') or as a by-variable ('s(x, by = {v})')."
                )
        else:
            col = eval_column(v, data, f"the smooth term '{spec.text}'")
        x = np.asarray(col, dtype=float)
        if not np.all(np.isfinite(x)):
            raise DataError(f"The covariate {v!r} of '{spec.text}' in {formula!r} has non-finite values.")
        cols.append(x)
    return np.column_stack(cols)


def _is_factor(col: pd.Series) -> bool:
    return (isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == object or pd.api.types.is_string_dtype(col.dtype)
            or pd.api.types.is_bool_dtype(col.dtype))


def _basis(spec: SmoothSpec, X: np.ndarray, formula: str):
    try:
        if spec.fun == "t2":
            margins = [BASES[b][0].fit(X[:, i], k) for i, (k, b) in enumerate(zip(spec.k, spec.bs))]
            return TensorT2.fit(margins)
        return BASES[spec.bs[0]][0].fit(X if spec.bs[0] == "tp" else X[:, 0], spec.k[0])
    except ValueError as e:
        if "unique" in str(e):
            raise DataError(
                f"'{spec.text}' in {formula!r} cannot be set up: {e}. Use a smaller k "
                f"(k = {', '.join(map(str, spec.k))} now) or a covariate with more distinct values."
            ) from None
        raise FormulaError(f"'{spec.text}' in {formula!r}: {e}.") from None


@dataclass
class SmoothPiece:
    """One smooth as brms numbers them (``Zs_<i>_<j>``): a term, or one level of a factor ``by``."""

    spec: SmoothSpec
    smooth: MixedSmooth = field(repr=False)
    label: str  # brms's label: 'sx', 'sxfa'
    mgcv_label: str  # 's(x)', 's(x):fa'
    by_level: object = None  # the factor level (None: no factor by)
    Xs: np.ndarray | None = field(default=None, repr=False)  # (N, nf) on the model data
    Zs: list[np.ndarray] = field(default_factory=list, repr=False)

    @property
    def xs_names(self) -> list[str]:
        return [brms_name(f"{self.mgcv_label}_{j}") for j in range(1, self.Xs.shape[1] + 1)]

    @property
    def knots(self) -> list[int]:
        return [z.shape[1] for z in self.Zs]

    def columns(self, data: pd.DataFrame, formula: str, X_raw: np.ndarray | None = None) -> tuple[np.ndarray, list[np.ndarray]]:
        """``Xs`` and ``Zs`` columns of this smooth on (new) data, from the stored basis.

        ``X_raw``: the basis columns of the model data as built (mgcv's ``sm$X``); otherwise
        the basis is evaluated at the covariates of ``data`` (mgcv's ``PredictMat``).
        """
        if X_raw is None:
            X_raw = self.smooth.raw(_covariates(self.spec, data, formula))
        Xf, Zr = self.smooth.columns(X_raw)
        if self.spec.by is not None:
            if self.spec.by not in data.columns:
                raise DataError(f"newdata lacks the column {self.spec.by!r} (by-variable of '{self.spec.text}').")
            col = data[self.spec.by]
            if self.by_level is None:
                mult = np.asarray(col, dtype=float)
            else:
                mult = (col.map(level_label).astype(str) == str(self.by_level)).to_numpy(dtype=float)
            Xf, Zr = Xf * mult[:, None], [z * mult[:, None] for z in Zr]
        return Xf, Zr


def build_pieces(spec: SmoothSpec, data: pd.DataFrame, formula: str) -> list[SmoothPiece]:
    """mgcv's smoothCon + smooth2random for one term: one piece per factor ``by`` level."""
    X = _covariates(spec, data, formula)
    basis = _basis(spec, X, formula)
    X_raw = basis.X  # the basis as built on the model data (mgcv's sm$X; new data use design())
    if spec.by is None:
        sm = mixed_form(basis, X_raw)
        pieces = [SmoothPiece(spec, sm, spec.label, spec.mgcv_label)]
    else:
        if spec.by not in data.columns:
            raise DataError(f"The by-variable {spec.by!r} of '{spec.text}' in {formula!r} is not a column of the data.")
        col = data[spec.by]
        if _is_factor(col):
            levels = [level_label(v) for v in levels_of(col)]
            if isinstance(col.dtype, pd.CategoricalDtype) and col.cat.ordered and len(levels) > 1:
                levels = levels[1:]  # mgcv: an ordered factor's first level is the reference
            first = (col.map(level_label).astype(str) == str(levels[0])).to_numpy(dtype=float)
            sm = mixed_form(basis, X_raw, X_first=X_raw * first[:, None])
            pieces = [SmoothPiece(spec, sm, spec.label + _rename(lv), f"{spec.mgcv_label}:{spec.by}{lv}", lv)
                      for lv in levels]
        else:
            by = np.asarray(col, dtype=float)
            # mgcv keeps the sum-to-zero constraint only for a constant numeric by
            constant = not np.std(by, ddof=1) > np.mean(by) * np.finfo(float).eps * 1000
            sm = mixed_form(basis, X_raw, constrain=bool(constant), X_first=X_raw * by[:, None])
            pieces = [SmoothPiece(spec, sm, spec.label, f"{spec.mgcv_label}:{spec.by}")]
    for p in pieces:
        p.Xs, p.Zs = p.columns(data, formula, X_raw)
    return pieces


def _rename(level: str) -> str:
    return brms_name(str(level))


# ----------------------------------------------------------------- the kind


@dataclass
class SmoothDesign(SpecialDesign):
    """All ``s()``/``t2()`` terms of one linear predictor, numbered as brms numbers smooths.

    ``specs`` are the terms as written, ``pieces`` the smooths as brms numbers them (one per
    factor ``by`` level), with their bases for new data.
    """

    kinds: ClassVar[tuple[str, ...]] = ("s", "t2")

    specs: list[SmoothSpec] = field(default_factory=list)
    pieces: list[SmoothPiece] = field(default_factory=list, repr=False)

    @classmethod
    def build(cls, prefix, terms, data, formula):
        specs = [parse_smooth(t, formula) for t in terms]
        pieces = [p for spec in specs for p in build_pieces(spec, data, formula)]
        names = [n for p in pieces for n in p.xs_names]
        if len(set(names)) != len(names):
            raise FormulaError(f"The smooth terms of {formula!r} repeat a smooth: {', '.join(s.text for s in specs)}.")
        return cls(prefix, terms, formula, specs, pieces)

    @property
    def Ks(self) -> int:
        return sum(p.Xs.shape[1] for p in self.pieces)

    @property
    def b_names(self) -> list[str]:
        return [n for p in self.pieces for n in p.xs_names]

    def shrinkable(self, class_):
        p = self.prefix.suffix
        if class_ == "b":
            return [(f"bs{p}", f"Ks{p}", self.Ks)] if self.Ks else []
        if class_ == "sds":
            return [(f"sds{p}_{i}", f"nb{p}_{i}", len(pc.Zs)) for i, pc in enumerate(self.pieces, start=1)]
        return []

    # -- priors
    def prior_rows(self, base, scale_prior):
        rows = [PriorRow(scale_prior, "sds", lb="0", **base)]
        rows += [PriorRow("", "sds", coef=t, **base) for t in dict.fromkeys(s.text for s in self.specs)]
        return rows

    def resolve_priors(self, lookup):
        return {
            "bs": [lookup(("b", n), ("b", "")) for n in self.b_names],
            "sds": [[lookup(("sds", p.spec.text), ("sds", ""))] * len(p.Zs) for p in self.pieces],
        }

    def flat_parameters(self, priors):
        lab = self.prefix.label
        flat = [f"bs_{lab}{n}" for n, p in zip(self.b_names, priors.get("bs", [])) if p is None]
        for pc, ps in zip(self.pieces, priors.get("sds", [])):
            flat += [f"sds_{lab}{pc.label}_{j}" for j, p in enumerate(ps, start=1) if p is None]
        return flat

    # -- code
    def stan(self, priors):
        sb, pri = StanBlocks(), StanBlocks()  # priors last, so their data follow the spline data
        p = self.prefix.suffix
        if self.Ks:
            sb.data.append("// data for splines")
            sb.declare(f"int Ks{p}", f"Ks{p}", self.Ks, "number of linear effects")
            Xs = np.hstack([pc.Xs for pc in self.pieces])
            sb.declare(f"matrix[N, Ks{p}] Xs{p}", f"Xs{p}", Xs, "design matrix for the linear effects")
            sb.par.append(f"vector[Ks{p}] bs{p};  // unpenalized spline coefficients")
            prior_statement(pri, f"bs{p}", f"bs{p}", priors.get("bs", []), f"Ks{p}")
        sds_priors = priors.get("sds", [[] for _ in self.pieces])
        for i, pc in enumerate(self.pieces, start=1):
            pi = f"{p}_{i}"
            J = range(1, len(pc.Zs) + 1)
            sb.data.append(f"// data for spline {i}: {pc.mgcv_label}")
            sb.declare(f"int nb{pi}", f"nb{pi}", len(pc.Zs), "number of bases")
            sb.declare(f"array[nb{pi}] int knots{pi}", f"knots{pi}", np.array(pc.knots, dtype=np.int64), "number of knots")
            sb.data.append("// basis function matrices")
            for j, Z in zip(J, pc.Zs):
                sb.declare(f"matrix[N, knots{pi}[{j}]] Zs{pi}_{j}", f"Zs{pi}_{j}", Z)
            sb.par.append(f"// parameters for spline {i}: {pc.mgcv_label}")
            sb.par.append("// standardized penalized spline coefficients")
            sb.par += [f"vector[knots{pi}[{j}]] zs{pi}_{j};" for j in J]
            sb.par.append(f"vector<lower=0>[nb{pi}] sds{pi};  // SDs of penalized spline coefficients")
            sb.tpar_def.append(f"// penalized spline coefficients of {pc.mgcv_label}")
            sb.tpar_def += [f"vector[knots{pi}[{j}]] s{pi}_{j};" for j in J]
            sb.tpar_comp.append(f"// compute penalized spline coefficients of {pc.mgcv_label}")
            sb.tpar_comp += [f"s{pi}_{j} = sds{pi}[{j}] * zs{pi}_{j};" for j in J]
            prior_statement(pri, f"sds{pi}", f"sds{pi}", sds_priors[i - 1], f"nb{pi}", lower=0)
            sb.model_prior += [f"target += std_normal_lpdf(zs{pi}_{j});" for j in J]
        sb += pri
        return sb

    def predictor_terms(self) -> list[str]:
        p = self.prefix.suffix
        out = [f"Xs{p} * bs{p}"] if self.Ks else []
        for i, pc in enumerate(self.pieces, start=1):
            out += [f"Zs{p}_{i}_{j} * s{p}_{i}_{j}" for j in range(1, len(pc.Zs) + 1)]
        return out

    # -- draws and predictions
    def draws(self, params):
        p, lab = self.prefix.suffix, self.prefix.label
        out = []
        col = 0
        for pc in self.pieces:
            for name in pc.xs_names:
                n = f"bs_{lab}{name}"
                out.append((n, params[f"bs{p}"][..., col], ParamInfo(n, "b", coef=f"{lab}{name}")))
                col += 1
        for i, pc in enumerate(self.pieces, start=1):
            sds = params[f"sds{p}_{i}"]
            for j in range(1, len(pc.Zs) + 1):
                n = f"sds_{lab}{pc.label}_{j}"
                out.append((n, sds[..., j - 1], ParamInfo(n, "sds", coef=f"sds({lab}{pc.label}_{j})")))
        for i, pc in enumerate(self.pieces, start=1):
            for j in range(1, len(pc.Zs) + 1):
                s = params[f"s{p}_{i}_{j}"]
                for r in range(s.shape[-1]):
                    n = f"s_{lab}{pc.label}_{j}[{r + 1}]"
                    out.append((n, s[..., r], ParamInfo(n, "smooth", coef=f"{lab}{pc.label}_{j}", level=str(r + 1))))
        return out

    def prior_draws(self, priors, sampler):
        lab = self.prefix.label
        out = {}
        for name, p in zip(self.b_names, priors.get("bs", [])):
            values = sampler.scalar(p)
            if values is not None:
                out[f"prior_bs_{lab}{name}"] = values
        for pc, ps in zip(self.pieces, priors.get("sds", [])):
            for j, p in enumerate(ps, start=1):
                values = sampler.scalar(p, lower=0.0)  # sds >= 0: the prior truncated at zero
                if values is not None:
                    out[f"prior_sds_{lab}{pc.label}_{j}"] = values
        return out

    def new_columns(self, data, only: SmoothSpec | None = None) -> dict[int, tuple[np.ndarray, list[np.ndarray]]]:
        """``Xs`` and ``Zs`` of each smooth (by piece number) on new data, from the stored bases; only the term ``only`` if given."""
        return {i: pc.columns(data, self.formula) for i, pc in enumerate(self.pieces)
                if only is None or pc.spec == only}

    def eta(self, param, columns=None):
        return self.term_eta(param, columns, None)

    def term_eta(self, param, columns: dict[int, tuple[np.ndarray, list[np.ndarray]]] | None,
                 spec: SmoothSpec | None) -> np.ndarray | float:
        """The smooths' part of the predictor, (draws, rows); only the term ``spec`` if given.

        ``columns`` None: the model data; otherwise :meth:`new_columns` of the rows (with ``spec``).
        """
        p = self.prefix.suffix
        out: np.ndarray | float = 0.0
        bs = param(f"bs{p}") if self.Ks else None
        col = 0
        for i, pc in enumerate(self.pieces, start=1):
            nf = pc.Xs.shape[1]
            if spec is None or pc.spec == spec:
                Xf, Zr = (pc.Xs, pc.Zs) if columns is None else columns[i - 1]
                if nf:
                    out = out + bs[:, col:col + nf] @ Xf.T
                for j, Z in enumerate(Zr, start=1):
                    out = out + param(f"s{p}_{i}_{j}") @ Z.T
            col += nf
        return out
