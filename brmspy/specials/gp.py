"""``gp(x)``: Gaussian processes with the squared exponential kernel, as brms writes them.

- ``gp(x)``: exact GP over the unique (scaled) values of ``x``: latent
  ``zgp_1 ~ std_normal()`` times the Cholesky factor of
  ``gp_exp_quad_cov(Xgp_1, sdgp_1[1], lscale_1[1][1])``; observations index
  their value with ``Jgp_1``.  Cost grows with the cube of the unique values,
  so it suits small data.
- ``gp(x, k = 20, c = 5/4)``: Hilbert-space approximate GP (Riutort-Mayol et al.
  2023; brms's ``k``): ``k`` sine eigenfunctions of the Laplacian on
  ``[-L, L]`` with ``L = c * max(1, range)`` of the centred, scaled ``x``, weighted
  by the square root of the kernel's spectral density (``spd_gp_exp_quad``).
- ``gp(x, by = f)``: one GP per level of a factor (its own ``sdgp``/``lscale``),
  each on its level's rows; ``by = z`` (numeric) multiplies the GP by ``z``.

``x`` is divided by its largest pairwise distance (brms's ``scale = TRUE``), so
``lscale`` is on that scale.  Priors as brms: ``sdgp`` takes the sd-like default
(``student_t(3, 0, 2.5)`` or the response's scale), ``lscale`` an
``inv_gamma`` tuned so that 1% of its mass lies below the smallest and 1% above
the largest distance between the (scaled) values (``normal(0, 0.5)`` if that
does not solve).  Predictions on new data use the stored scaling, centring and
boundary; for exact GPs they are the conditional (kriging) mean given the
latent values at the fitted points.
"""

from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from ..core.errors import DataError, FormulaError
from ..core.stan import StanBlocks, prior_statement
from ..core.templates import stan_function
from ..core.types import ParamInfo, PriorRow
from ..formula.prefix import brms_name
from ..frame.columns import eval_column, level_label, levels_of
from ..frame.specials import SpecialDesign



_GP_ARGS = {"k", "c", "by", "cov", "gr", "scale", "iso", "cmc"}
_NUMBER_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
               ast.Pow: operator.pow, ast.USub: operator.neg, ast.UAdd: operator.pos}
NUGGET = 1e-12  # added to the covariance diagonal, as in the Stan function


def _number(text: str) -> float:
    """A number written as an arithmetic expression (``5/4``, ``1.25``)."""

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.BinOp) and type(node.op) in _NUMBER_OPS:
            return _NUMBER_OPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _NUMBER_OPS:
            return _NUMBER_OPS[type(node.op)](ev(node.operand))
        raise ValueError(text)

    return ev(ast.parse(text.replace("^", "**"), mode="eval"))


@dataclass(frozen=True)
class GPSpec:
    """One ``gp()`` term as written."""

    covar: str
    k: int | None  # None: exact GP
    c: float
    by: str | None
    text: str  # brms's term label

    @property
    def label(self) -> str:
        """brms's GP label: ``gpx``, ``gpxf`` (a by-level is appended per sub-GP)."""
        return "gp" + brms_name(self.covar) + (brms_name(self.by) if self.by else "")


def parse_gp(term, formula: str) -> GPSpec:
    call = term.call
    text = call.text.replace("'", '"')
    if len(call.args) != 1:
        raise FormulaError(
            f"'{call.text}' in {formula!r}: gp() with {len(call.args)} covariates is not supported yet; "
            "use one covariate, e.g. 'gp(x)' (or 't2(x, z)' for a 2-D smooth)."
        )
    unknown = [k for k, _ in call.kwargs if k not in _GP_ARGS]
    if unknown:
        raise FormulaError(f"Argument(s) {', '.join(map(repr, unknown))} of '{call.text}' in {formula!r} are not "
                           "gp() arguments; gp() takes the covariate and k, c, by.")
    cov = call.kwarg("cov")
    if cov is not None and cov.strip().strip("'\"") != "exp_quad":
        raise FormulaError(f"'{call.text}' in {formula!r}: only cov = \"exp_quad\" (the squared exponential kernel) "
                           "is supported so far.")
    for opt, default in (("gr", "TRUE"), ("scale", "TRUE"), ("iso", "TRUE"), ("cmc", "TRUE")):
        v = call.kwarg(opt)
        if v is not None and v.strip() not in (default, "True", "T"):
            raise FormulaError(f"'{call.text}' in {formula!r}: {opt} = {v} is not supported yet; leave {opt} at its default.")
    k_raw, c_raw = call.kwarg("k"), call.kwarg("c")
    k = None
    if k_raw is not None and k_raw.strip() not in ("NA", "None"):
        try:
            kf = _number(k_raw)
        except (ValueError, SyntaxError):
            kf = float("nan")
        if not (kf == int(kf) if math.isfinite(kf) else False) or kf < 1:
            raise FormulaError(f"k in '{call.text}' of {formula!r} must be a positive whole number "
                               f"(the number of basis functions), got {k_raw!r}.")
        k = int(kf)
    try:
        c = 5 / 4 if c_raw is None else _number(c_raw)
    except (ValueError, SyntaxError):
        raise FormulaError(f"c in '{call.text}' of {formula!r} must be a number such as 5/4, got {c_raw!r}.") from None
    if c <= 0:
        raise FormulaError(f"c in '{call.text}' of {formula!r} must be positive (e.g. 5/4), got {c_raw!r}.")
    if c_raw is not None and k is None:
        raise FormulaError(f"'{call.text}' in {formula!r}: c only applies to approximate GPs; give k as well, "
                           "e.g. gp(x, k = 20, c = 5/4).")
    by = call.kwarg("by")
    return GPSpec(call.args[0].strip(), k, c, by.strip() if by else None, text)


# ------------------------------------------------------------------ numerics


def _pairwise_sq(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a[:, None] - b[None, :]) ** 2


def lscale_prior(x: np.ndarray, plb: float = 0.01, pub: float = 0.01) -> str:
    """brms's default length-scale prior: ``inv_gamma`` with ``plb`` below and ``pub`` above the data's distances."""
    from scipy import optimize, stats

    d = np.sqrt(_pairwise_sq(x, x))
    ub = float(d.max())
    pos = d[d > 0]
    lb = max(float(pos.min()) if pos.size else ub, 0.01 * ub)

    def equations(v):
        a, b = np.exp(v)
        return [stats.invgamma.logcdf(lb, a, scale=b) - math.log(plb), stats.invgamma.logsf(ub, a, scale=b) - math.log(pub)]

    with np.errstate(all="ignore"):
        res = optimize.root(equations, [0.0, 0.0], method="lm")
        ok = res.success and np.all(np.isfinite(res.x)) and np.max(np.abs(equations(res.x))) < 1e-6
    if not ok:
        return "normal(0, 0.5)"
    a, b = (np.format_float_positional(round(float(v), 6), trim="-") for v in np.exp(res.x))
    return f"inv_gamma({a}, {b})"


def spd_exp_quad(slambda: np.ndarray, sdgp: np.ndarray, lscale: np.ndarray) -> np.ndarray:
    """Spectral density of the 1-D squared exponential kernel at ``slambda`` (NB,), per draw: (S, NB)."""
    sdgp, lscale = sdgp[:, None], lscale[:, None]
    return sdgp ** 2 * math.sqrt(2 * math.pi) * lscale * np.exp(-0.5 * lscale ** 2 * slambda[None, :] ** 2)


def eigenfunctions(x: np.ndarray, k: int, L: float) -> np.ndarray:
    """Laplacian eigenfunctions on [-L, L] at ``x``: (n, k)."""
    m = np.arange(1, k + 1)
    return np.sin(np.outer(x + L, m) * math.pi / (2 * L)) / math.sqrt(L)


@dataclass
class SubGP:
    """One GP as brms counts them in ``Kgp``: the term, or one level of a factor ``by``."""

    spec: GPSpec
    sfx: str  # brms's suffix of its parameters: 'gpx', 'gpxfa'
    level: object  # factor level or None
    rows: np.ndarray = field(repr=False)  # 0-based model rows it covers
    C: np.ndarray = field(repr=False)  # multiplier on those rows (1, or a numeric by)
    dmax: float
    X: np.ndarray = field(repr=False)  # (Nsub,) unique scaled values (exact GP: the latent points)
    J: np.ndarray = field(repr=False)  # (len(rows),) 1-based index into X
    center: float = 0.0  # approximate GP: mean of X
    L: float = 0.0
    basis: np.ndarray | None = field(default=None, repr=False)  # (Nsub, k) eigenfunctions at X
    prior: str = ""  # default lscale prior

    @property
    def slambda(self) -> np.ndarray:
        return np.arange(1, self.spec.k + 1) * math.pi / (2 * self.L)

    def values(self, x_rows: np.ndarray, sdgp: np.ndarray, lscale: np.ndarray, zgp: np.ndarray,
               new: bool) -> np.ndarray:
        """The GP at (scaled) values ``x_rows`` per draw: (S, n); ``new`` for points other than the fitted ones."""
        if self.spec.k is not None:
            weights = np.sqrt(spd_exp_quad(self.slambda, sdgp, lscale)) * zgp  # (S, k)
            phi = eigenfunctions(x_rows - self.center, self.spec.k, self.L) if new else self.basis[self.J - 1]
            return weights @ phi.T
        out = np.empty((len(sdgp), len(x_rows)))
        d2 = _pairwise_sq(self.X, self.X)
        d2_new = _pairwise_sq(x_rows, self.X) if new else None
        for s in range(len(sdgp)):  # one Cholesky factor per draw
            K = sdgp[s] ** 2 * np.exp(-d2 / (2 * lscale[s] ** 2)) + NUGGET * np.eye(len(self.X))
            Lc = np.linalg.cholesky(K)
            if new:  # kriging mean: K(x, X) K^-1 f with f = Lc z
                Ks = sdgp[s] ** 2 * np.exp(-d2_new / (2 * lscale[s] ** 2))
                out[s] = Ks @ np.linalg.solve(Lc.T, zgp[s])
            else:
                out[s] = (Lc @ zgp[s])[self.J - 1]
        return out


def _make_sub(spec: GPSpec, sfx: str, level, rows: np.ndarray, C: np.ndarray, x: np.ndarray, formula: str) -> SubGP:
    xs = x[rows]
    dmax = float(np.ptp(xs)) if xs.size else 0.0
    if dmax == 0:
        what = f" at level {level!r} of {spec.by!r}" if level is not None else ""
        raise DataError(f"The covariate {spec.covar!r} of '{spec.text}' in {formula!r} is constant{what}; "
                        "a Gaussian process needs at least two distinct values.")
    xs = xs / dmax
    # brms numbers the distinct values in order of first appearance (match_rows), not sorted
    _, first, inverse = np.unique(xs, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    X = xs[first[order]]
    sub = SubGP(spec, sfx, level, rows, C, dmax, X, rank[inverse.ravel()].astype(np.int64) + 1)
    if spec.k is not None:
        sub.center = float(X.mean())
        xc = X - sub.center
        sub.L = spec.c * max(1.0, float(xc.max() - xc.min()))
        sub.basis = eigenfunctions(xc, spec.k, sub.L)
    sub.prior = lscale_prior(X)
    return sub


def build_subs(spec: GPSpec, data: pd.DataFrame, formula: str) -> list[SubGP]:
    x = _covariate(spec, data, formula)
    n = len(data)
    if spec.by is None:
        return [_make_sub(spec, spec.label, None, np.arange(n), np.ones(n), x, formula)]
    if spec.by not in data.columns:
        raise DataError(f"The by-variable {spec.by!r} of '{spec.text}' in {formula!r} is not a column of the data.")
    col = data[spec.by]
    if _is_factor(col):
        labels = col.map(level_label).astype(str).to_numpy()
        subs = []
        for lv in (level_label(v) for v in levels_of(col)):
            rows = np.flatnonzero(labels == str(lv))
            subs.append(_make_sub(spec, spec.label + _rename(lv), lv, rows, np.ones(len(rows)), x, formula))
        return subs
    return [_make_sub(spec, spec.label, None, np.arange(n), np.asarray(col, dtype=float), x, formula)]


def _covariate(spec: GPSpec, data: pd.DataFrame, formula: str) -> np.ndarray:
    if spec.covar in data.columns and _is_factor(data[spec.covar]):
        raise DataError(f"'{spec.text}' in {formula!r}: a Gaussian process needs a numeric covariate, but "
                        f"{spec.covar!r} is a factor; use 'gp(x, by = {spec.covar})' for one GP per level.")
    x = np.asarray(eval_column(spec.covar, data, f"the Gaussian process '{spec.text}'"), dtype=float)
    if not np.all(np.isfinite(x)):
        raise DataError(f"The covariate {spec.covar!r} of '{spec.text}' in {formula!r} has non-finite values.")
    return x


def _is_factor(col: pd.Series) -> bool:
    return (isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == object or pd.api.types.is_string_dtype(col.dtype)
            or pd.api.types.is_bool_dtype(col.dtype))


def _rename(level) -> str:
    return brms_name(str(level))


# ------------------------------------------------------------------ the kind


@dataclass
class GPDesign(SpecialDesign):
    """All ``gp()`` terms of one linear predictor (``sdgp_1``, ``lscale_1``, ``zgp_1``, ...).

    ``specs`` are the terms as written, ``subs`` their GPs as brms counts them (one per factor
    ``by`` level) and ``n_rows`` the number of model rows.
    """

    kinds: ClassVar[tuple[str, ...]] = ("gp",)

    specs: list[GPSpec] = field(default_factory=list)
    subs: list[list[SubGP]] = field(default_factory=list, repr=False)
    n_rows: int = 0

    @classmethod
    def build(cls, prefix, terms, data, formula):
        specs = [parse_gp(t, formula) for t in terms]
        labels = [s.label for s in specs]
        if len(set(labels)) != len(labels):
            raise FormulaError(f"{formula!r} has two gp() terms of the same covariate; keep one.")
        return cls(prefix, terms, formula, specs, [build_subs(s, data, formula) for s in specs], len(data))

    @property
    def terms_subs(self) -> list[tuple[GPSpec, list[SubGP]]]:
        return list(zip(self.specs, self.subs))

    # -- priors
    def prior_rows(self, base, scale_prior):
        subs = [s for _, ss in self.terms_subs for s in ss]
        return [
            PriorRow("", "lscale", lb="0", **base),
            *(PriorRow(s.prior, "lscale", coef=s.sfx, **base) for s in subs),
            PriorRow(scale_prior, "sdgp", lb="0", **base),
            *(PriorRow("", "sdgp", coef=s.sfx, **base) for s in subs),
        ]

    def resolve_priors(self, lookup):
        return {
            "sdgp": [[lookup(("sdgp", s.sfx), ("sdgp", "")) for s in subs] for _, subs in self.terms_subs],
            "lscale": [[lookup(("lscale", s.sfx), ("lscale", "")) for s in subs] for _, subs in self.terms_subs],
        }

    def flat_parameters(self, priors):
        lab = self.prefix.label
        flat = []
        for cls in ("sdgp", "lscale"):
            for (_, subs), ps in zip(self.terms_subs, priors.get(cls, [])):
                flat += [f"{cls}_{lab}{s.sfx}" for s, p in zip(subs, ps) if p is None]
        return flat

    # -- code
    def stan(self, priors):
        sb, pri = StanBlocks(), StanBlocks()
        p = self.prefix.suffix
        sd_priors = priors.get("sdgp", [[None] * len(ss) for _, ss in self.terms_subs])
        ls_priors = priors.get("lscale", [[None] * len(ss) for _, ss in self.terms_subs])
        for i, (spec, subs) in enumerate(self.terms_subs, start=1):
            pi = f"{p}_{i}"
            approx = spec.k is not None
            byfac = subs[0].level is not None
            sb.functions.append(stan_function("spd_gp_exp_quad" if approx else "gp_exp_quad"))
            sb.data.append(f"// data related to GPs: {spec.text}")
            sb.declare(f"int<lower=1> Kgp{pi}", f"Kgp{pi}", len(subs), "number of sub-GPs (equal to 1 unless 'by' was used)")
            sb.declare(f"int<lower=1> Dgp{pi}", f"Dgp{pi}", 1, "GP dimension")
            if approx:
                sb.data.append("// number of basis functions of an approximate GP")
                sb.declare(f"int<lower=1> NBgp{pi}", f"NBgp{pi}", spec.k)
            sb.par.append(f"vector<lower=0>[Kgp{pi}] sdgp{pi};  // GP standard deviation parameters")
            sb.par.append(f"array[Kgp{pi}] vector<lower=0>[1] lscale{pi};  // GP length-scale parameters")
            prior_statement(pri, f"sdgp{pi}", f"sdgp{pi}", sd_priors[i - 1], f"Kgp{pi}", lower=0)
            for j, prior in enumerate(ls_priors[i - 1], start=1):
                prior_statement(pri, f"lscale{pi}[{j}][1]", f"lscale{pi}_{j}", [prior], None, lower=0)
            if byfac:
                self._stan_by(sb, i, spec, subs)
            else:
                self._stan_single(sb, i, spec, subs[0])
        sb += pri
        return sb

    def _stan_single(self, sb, i: int, spec: GPSpec, sub: SubGP) -> None:
        p = self.prefix.suffix
        pi = f"{p}_{i}"
        sb.data.append("// number of latent GP groups")
        sb.declare(f"int<lower=1> Nsubgp{pi}", f"Nsubgp{pi}", len(sub.X))
        sb.data.append("// indices of latent GP groups per observation")
        sb.declare(f"array[N] int<lower=1> Jgp{pi}", f"Jgp{pi}", sub.J)
        self._stan_points(sb, spec, sub, pi, f"Nsubgp{pi}", f"Dgp{pi}", f"NBgp{pi}")
        if spec.by is not None:  # numeric by: the GP times the by-variable
            sb.declare(f"vector[N] Cgp{pi}", f"Cgp{pi}", sub.C, f"values of the by-variable {spec.by}")
        nz = f"NBgp{pi}" if spec.k is not None else f"Nsubgp{pi}"
        sb.par.append(f"vector[{nz}] zgp{pi};  // latent variables of the GP {spec.text}")
        sb.model_prior.append(f"target += std_normal_lpdf(zgp{pi});")
        self._model_def(sb, spec, pi, pi, 1, f"Nsubgp{pi}")

    def _stan_by(self, sb, i: int, spec: GPSpec, subs: list[SubGP]) -> None:
        p = self.prefix.suffix
        pi = f"{p}_{i}"
        sb.data.append("// number of observations relevant for a certain sub-GP")
        sb.declare(f"array[Kgp{pi}] int<lower=1> Ngp{pi}", f"Ngp{pi}", np.array([len(s.rows) for s in subs], dtype=np.int64))
        sb.data.append(f"// indices and contrasts of sub-GPs per observation (levels of {spec.by})")
        for j, s in enumerate(subs, start=1):
            sb.declare(f"array[Ngp{pi}[{j}]] int<lower=1> Igp{pi}_{j}", f"Igp{pi}_{j}", s.rows.astype(np.int64) + 1)
            sb.declare(f"vector[Ngp{pi}[{j}]] Cgp{pi}_{j}", f"Cgp{pi}_{j}", s.C)
        sb.data.append("// number of latent GP groups")
        sb.declare(f"array[Kgp{pi}] int<lower=1> Nsubgp{pi}", f"Nsubgp{pi}", np.array([len(s.X) for s in subs], dtype=np.int64))
        sb.data.append("// indices of latent GP groups per observation")
        for j, s in enumerate(subs, start=1):
            sb.declare(f"array[Ngp{pi}[{j}]] int<lower=1> Jgp{pi}_{j}", f"Jgp{pi}_{j}", s.J)
        for j, s in enumerate(subs, start=1):
            self._stan_points(sb, spec, s, f"{pi}_{j}", f"Nsubgp{pi}[{j}]", f"Dgp{pi}", f"NBgp{pi}")
        sb.par.append(f"// latent variables of the GP {spec.text}")
        for j, s in enumerate(subs, start=1):
            nz = f"NBgp{pi}" if spec.k is not None else f"Nsubgp{pi}[{j}]"
            sb.par.append(f"vector[{nz}] zgp{pi}_{j};  // level {s.level}")
            sb.model_prior.append(f"target += std_normal_lpdf(zgp{pi}_{j});")
        for j, s in enumerate(subs, start=1):
            self._model_def(sb, spec, pi, f"{pi}_{j}", j, f"Nsubgp{pi}[{j}]", s.level)
        sb.model_def.append(f"// {spec.text} on all observations: each sub-GP on the rows of its level")
        sb.model_def.append(f"vector[N] gp{pi} = rep_vector(0.0, N);")
        sb.model_def += [f"gp{pi}[Igp{pi}_{j}] = Cgp{pi}_{j} .* gp_pred{pi}_{j}[Jgp{pi}_{j}];" for j in range(1, len(subs) + 1)]

    @staticmethod
    def _stan_points(sb, spec: GPSpec, sub: SubGP, sfx: str, nsub: str, dgp: str, nbgp: str) -> None:
        if spec.k is None:
            sb.declare(f"array[{nsub}] vector[{dgp}] Xgp{sfx}", f"Xgp{sfx}", sub.X[:, None], "covariates of the GP")
        else:
            sb.data.append("// approximate GP basis matrices and eigenvalues")
            sb.declare(f"matrix[{nsub}, {nbgp}] Xgp{sfx}", f"Xgp{sfx}", sub.basis)
            sb.declare(f"array[{nbgp}] vector[{dgp}] slambda{sfx}", f"slambda{sfx}", sub.slambda[:, None])

    @staticmethod
    def _model_def(sb, spec: GPSpec, pi: str, sfx: str, j: int, nsub: str, level=None) -> None:
        what = spec.text + ("" if level is None else f", level {level}")
        if spec.k is not None:
            sb.model_def += [
                f"// scale latent variables of the GP {what}",
                f"vector[NBgp{pi}] rgp{sfx} = sqrt(spd_gp_exp_quad(slambda{sfx}, sdgp{pi}[{j}], lscale{pi}[{j}])) .* zgp{sfx};",
                f"vector[{nsub}] gp_pred{sfx} = Xgp{sfx} * rgp{sfx};",
            ]
        else:
            sb.model_def += [
                f"// latent values of the GP {what} at its distinct covariate values",
                f"vector[{nsub}] gp_pred{sfx} = gp_exp_quad(Xgp{sfx}, sdgp{pi}[{j}], lscale{pi}[{j}], zgp{sfx});",
            ]

    def predictor_terms(self) -> list[str]:
        p = self.prefix.suffix
        out = []
        for i, (spec, subs) in enumerate(self.terms_subs, start=1):
            pi = f"{p}_{i}"
            if subs[0].level is not None:
                out.append(f"gp{pi}")
            elif spec.by is not None:
                out.append(f"Cgp{pi} .* gp_pred{pi}[Jgp{pi}]")
            else:
                out.append(f"gp_pred{pi}[Jgp{pi}]")
        return out

    # -- draws and predictions
    def draws(self, params):
        p, lab = self.prefix.suffix, self.prefix.label
        out = []
        for i, (spec, subs) in enumerate(self.terms_subs, start=1):
            pi = f"{p}_{i}"
            for j, s in enumerate(subs):
                n = f"sdgp_{lab}{s.sfx}"
                out.append((n, params[f"sdgp{pi}"][..., j], ParamInfo(n, "gp", coef=f"sdgp({lab}{s.sfx})")))
            for j, s in enumerate(subs):
                n = f"lscale_{lab}{s.sfx}"
                out.append((n, params[f"lscale{pi}"][..., j, 0], ParamInfo(n, "gp", coef=f"lscale({lab}{s.sfx})")))
            for j, s in enumerate(subs, start=1):
                z = params[f"zgp{pi}_{j}" if s.level is not None else f"zgp{pi}"]
                for r in range(z.shape[-1]):
                    n = f"zgp_{lab}{s.sfx}[{r + 1}]"
                    out.append((n, z[..., r], ParamInfo(n, "zgp", coef=f"{lab}{s.sfx}", level=str(r + 1))))
        return out

    def prior_draws(self, priors, sampler):
        lab = self.prefix.label
        out = {}
        for cls in ("sdgp", "lscale"):
            for (_, subs), ps in zip(self.terms_subs, priors.get(cls, [])):
                for s, p in zip(subs, ps):
                    values = sampler.scalar(p, lower=0.0)  # both are positive: priors truncated at zero
                    if values is not None:
                        out[f"prior_{cls}_{lab}{s.sfx}"] = values
        return out

    def new_columns(self, data, only: GPSpec | None = None) -> "GPColumns":
        """The rows, multipliers and scaled covariates of each sub-GP on new data (only the term ``only`` if given)."""
        terms: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
        n = len(data)
        for i, (sp, subs) in enumerate(self.terms_subs, start=1):
            if only is not None and sp != only:
                continue
            x_new = _covariate(sp, data, self.formula)
            terms[i] = []
            for s in subs:
                if sp.by is not None and sp.by not in data.columns:
                    raise DataError(f"newdata lacks the column {sp.by!r} (by-variable of '{sp.text}').")
                if s.level is not None:
                    labels = data[sp.by].map(level_label).astype(str).to_numpy()
                    rows = np.flatnonzero(labels == str(s.level))
                    C = np.ones(len(rows))
                else:
                    rows = np.arange(n)
                    C = np.ones(n) if sp.by is None else np.asarray(data[sp.by], dtype=float)
                terms[i].append((rows, C, x_new[rows] / s.dmax))
        return GPColumns(n, terms)

    def eta(self, param, columns=None):
        return self.term_eta(param, columns, None)

    def term_eta(self, param, columns: "GPColumns | None", spec: GPSpec | None) -> np.ndarray | float:
        """The GPs' part of the predictor, (draws, rows); only the term ``spec`` if given.

        ``columns`` None: the model data; otherwise :meth:`new_columns` of the rows (with ``spec``).
        """
        p = self.prefix.suffix
        out: np.ndarray | float = 0.0
        for i, (sp, subs) in enumerate(self.terms_subs, start=1):
            if spec is not None and sp != spec:
                continue
            pi = f"{p}_{i}"
            sdgp, lscale = param(f"sdgp{pi}"), param(f"lscale{pi}")
            n = self.n_rows if columns is None else columns.n
            for j, s in enumerate(subs):
                z = param(f"zgp{pi}_{j + 1}" if s.level is not None else f"zgp{pi}")
                rows, C, x = (s.rows, s.C, s.X[s.J - 1]) if columns is None else columns.terms[i][j]
                f = s.values(x, sdgp[:, j], lscale[:, j, 0], z, new=columns is not None)
                contrib = np.zeros((f.shape[0], n))
                contrib[:, rows] = C[None, :] * f
                out = out + contrib
        return out


@dataclass
class GPColumns:
    """The GP terms on new rows (:meth:`GPDesign.new_columns`).

    ``terms[i]`` (1-based term number) holds per sub-GP the rows it covers, their
    multiplier (1, or a numeric ``by``) and the covariate scaled as on the model data.
    """

    n: int
    terms: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]]
