"""``gp()``: Gaussian processes as brms writes them.

- ``gp(x)``, ``gp(x1, x2, ...)``: exact GP over the distinct (scaled) covariate points
  (``gr = TRUE``, brms's default; ``gr = FALSE``: one latent value per row): latent
  ``zgp_1 ~ std_normal()`` times the Cholesky factor of the kernel matrix; observations
  index their point with ``Jgp_1``.  Cost grows with the cube of the points, so it suits
  small data.  With several covariates the kernel takes the Euclidean distance
  (``iso = TRUE``) or is the product of one kernel per covariate, each with its own
  length scale (``iso = FALSE``).
- ``cov``: ``"exp_quad"`` (default), ``"matern32"``, ``"matern52"``, ``"exponential"``
  (the last three as current brms; brms 2.18 knows only ``exp_quad``).
- ``gp(x, k = 20, c = 5/4)``: Hilbert-space approximate GP (Riutort-Mayol et al. 2023;
  brms's ``k``): ``k^D`` products of sine eigenfunctions of the Laplacian on
  ``[-L_d, L_d]`` with ``L_d = c_d * max(1, range)`` of the centred (scaled) points, weighted
  by the square root of the kernel's spectral density (not for ``"exponential"``, as brms).
- ``gp(x, by = f)``: one GP per level of a factor (``cmc = FALSE``: a GP on all rows plus one
  per level but the first, brms's treatment contrasts; for an ordered factor one per column of
  R's polynomial contrasts, on every row times its level's contrast), each on its rows (``Igp``/``Cgp``);
  ``by = z`` (numeric) multiplies the GP by ``z``.

With ``scale = TRUE`` (default) the points are divided by their largest Euclidean distance,
so ``lscale`` is on that scale.  Priors as brms: ``sdgp`` takes the sd-like default
(``student_t(3, 0, 2.5)`` or the response's scale), each ``lscale`` an ``inv_gamma`` tuned so
that 1% of its mass lies below the smallest and 1% above the largest distance between the
points (per covariate when ``iso = FALSE``; ``normal(0, 0.5)`` if that does not solve).
Predictions on new data use the stored scaling, centring and boundary; for exact GPs they are
the conditional (kriging) mean given the latent values at the fitted points.  The kernels and
spectral densities are written out here in numpy (a handful of closed forms; no library has
brms's parameterisation of the spectral densities).
"""

from __future__ import annotations

import ast
import itertools
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
from ..frame.rvalues import contr_poly
from ..frame.specials import SpecialDesign

_GP_ARGS = {"k", "c", "by", "cov", "gr", "scale", "iso", "cmc"}
_NUMBER_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
               ast.Pow: operator.pow, ast.USub: operator.neg, ast.UAdd: operator.pos}
NUGGET = 1e-12  # added to the covariance diagonal, as in the Stan function
KERNELS = ("exp_quad", "matern52", "matern32", "exponential")
APPROX_KERNELS = ("exp_quad", "matern52", "matern32")  # current brms: no HSGP of the exponential kernel
_LOGICAL = {"TRUE": True, "T": True, "True": True, "FALSE": False, "F": False, "False": False}


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


def _numbers(text: str) -> list[float]:
    """One number, or R's ``c(a, b, ...)`` of numbers."""
    t = text.strip()
    if t.startswith("c(") and t.endswith(")"):
        return [_number(p.strip()) for p in t[2:-1].split(",")]
    return [_number(t)]


@dataclass(frozen=True)
class GPSpec:
    """One ``gp()`` term as written."""

    covars: tuple[str, ...]
    k: int | None  # None: exact GP
    c: tuple[float, ...]  # per covariate (approximate GPs)
    by: str | None
    text: str  # brms's term label
    cov: str = "exp_quad"
    iso: bool = True
    gr: bool = True
    cmc: bool = True
    scale: bool = True

    @property
    def label(self) -> str:
        """brms's GP label: ``gpx``, ``gpx1x2``, ``gpxf`` (a by-level is appended per sub-GP)."""
        return "gp" + brms_name("".join(self.covars)) + (brms_name(self.by) if self.by else "")

    @property
    def D(self) -> int:
        return len(self.covars)

    @property
    def n_lscale(self) -> int:
        """Length scales per sub-GP: one (isotropic) or one per covariate."""
        return 1 if self.iso else self.D


def _logical(call, opt: str, default: bool, formula: str) -> bool:
    v = call.kwarg(opt)
    if v is None:
        return default
    if v.strip() not in _LOGICAL:
        raise FormulaError(f"'{call.text}' in {formula!r}: {opt} must be TRUE or FALSE, got {v.strip()!r}.")
    return _LOGICAL[v.strip()]


def parse_gp(term, formula: str) -> GPSpec:
    call = term.call
    text = call.text.replace("'", '"')
    if not call.args:
        raise FormulaError(f"'{call.text}' in {formula!r}: gp() needs at least one covariate, e.g. 'gp(x)'.")
    unknown = [k for k, _ in call.kwargs if k not in _GP_ARGS]
    if unknown:
        raise FormulaError(f"Argument(s) {', '.join(map(repr, unknown))} of '{call.text}' in {formula!r} are not "
                           "gp() arguments; gp() takes the covariates and by, k, c, cov, iso, gr, cmc, scale.")
    covars = tuple(a.strip() for a in call.args)
    cov_raw = call.kwarg("cov")
    cov = "exp_quad" if cov_raw is None else cov_raw.strip().strip("'\"")
    if cov not in KERNELS:
        raise FormulaError(f"'{call.text}' in {formula!r}: cov must be one of "
                           f"{', '.join(repr(k) for k in KERNELS)}, got {cov!r}.")
    iso = _logical(call, "iso", True, formula) if len(covars) > 1 else True  # brms ignores iso for one covariate
    gr, cmc, scale = (_logical(call, o, True, formula) for o in ("gr", "cmc", "scale"))
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
        c = [5 / 4] if c_raw is None else _numbers(c_raw)
    except (ValueError, SyntaxError):
        raise FormulaError(f"c in '{call.text}' of {formula!r} must be a number such as 5/4, got {c_raw!r}.") from None
    if c_raw is not None and k is None:
        raise FormulaError(f"'{call.text}' in {formula!r}: c only applies to approximate GPs; give k as well, "
                           "e.g. gp(x, k = 20, c = 5/4).")
    if len(c) == 1:
        c = c * len(covars)
    if len(c) != len(covars):
        raise FormulaError(f"'{call.text}' in {formula!r}: 'c' must be of the same length as the number of "
                           f"covariates ({len(covars)}), got {len(c)} values.")
    if any(v <= 0 for v in c):
        raise FormulaError(f"c in '{call.text}' of {formula!r} must be positive (e.g. 5/4), got {c_raw!r}.")
    if k is not None and cov not in APPROX_KERNELS:
        raise FormulaError(f"'{call.text}' in {formula!r}: approximate GPs with cov = \"{cov}\" are not supported "
                           "(as in brms: its spectral density has no Hilbert-space approximation there); "
                           "drop k for an exact GP or use cov = \"matern32\".")
    by = call.kwarg("by")
    by = by.strip() if by and by.strip() != "NA" else None
    return GPSpec(covars, k, tuple(c), by, text, cov, iso, gr, cmc, scale)


# ------------------------------------------------------------------ numerics


def _sq_dist(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances between the rows of (n, D) ``a`` and (m, D) ``b``."""
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=-1)


def kernel(cov: str, d2: np.ndarray, sdgp: float, lscale: float) -> np.ndarray:
    """The covariance kernel ``cov`` at squared distances ``d2``."""
    if cov == "exp_quad":
        return sdgp ** 2 * np.exp(-d2 / (2 * lscale ** 2))
    r = np.sqrt(d2) / lscale
    if cov == "exponential":
        return sdgp ** 2 * np.exp(-r)
    if cov == "matern32":
        return sdgp ** 2 * (1 + math.sqrt(3) * r) * np.exp(-math.sqrt(3) * r)
    return sdgp ** 2 * (1 + math.sqrt(5) * r + 5 / 3 * r ** 2) * np.exp(-math.sqrt(5) * r)


def cov_matrix(cov: str, a: np.ndarray, b: np.ndarray, sdgp: float, lscale: np.ndarray) -> np.ndarray:
    """Covariance between points ``a`` and ``b``: one length scale (Euclidean) or a product over dimensions."""
    if len(lscale) == 1:
        return kernel(cov, _sq_dist(a, b), sdgp, lscale[0])
    out = kernel(cov, _sq_dist(a[:, :1], b[:, :1]), sdgp, lscale[0])
    for d in range(1, len(lscale)):
        out = out * kernel(cov, _sq_dist(a[:, d:d + 1], b[:, d:d + 1]), 1.0, lscale[d])
    return out


def lscale_prior(x: np.ndarray, plb: float = 0.01, pub: float = 0.01) -> str:
    """brms's default length-scale prior: ``inv_gamma`` with ``plb`` below and ``pub`` above the points' distances."""
    from scipy import optimize, stats

    x = x.reshape(len(x), -1)
    d2 = _sq_dist(x, x)
    ub = math.sqrt(float(d2.max()))
    pos = d2[d2 > 0]
    lb = max(math.sqrt(float(pos.min())) if pos.size else ub, 0.01 * ub)

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


def spd(cov: str, slambda: np.ndarray, sdgp: np.ndarray, lscale: np.ndarray) -> np.ndarray:
    """Spectral density of ``cov`` at the (NB, D) frequencies ``slambda``, per draw: (S, NB).

    ``sdgp`` is (S,), ``lscale`` (S, 1) (isotropic) or (S, D).
    """
    D = slambda.shape[1]
    sd2 = sdgp[:, None] ** 2
    if lscale.shape[1] == 1:
        scale_prod = lscale[:, 0] ** D
        q = lscale[:, :1] ** 2 * (slambda ** 2).sum(axis=1)[None, :]  # (S, NB)
    else:
        scale_prod = np.prod(lscale, axis=1)
        q = (lscale ** 2) @ (slambda ** 2).T
    if cov == "exp_quad":
        return sd2 * math.sqrt(2 * math.pi) ** D * scale_prod[:, None] * np.exp(-0.5 * q)
    a = 3.0 if cov == "matern32" else 5.0  # 2 nu
    const = 2 ** D * math.pi ** (D / 2) * math.gamma((a + D) / 2) * a ** (a / 2) / math.gamma(a / 2)
    return sd2 * const * scale_prod[:, None] * (a + q) ** (-(a + D) / 2)


def basis_indices(k: int, D: int) -> np.ndarray:
    """brms's ``expand.grid`` of ``1:k`` per dimension (first dimension fastest): (k^D, D)."""
    return np.array([m[::-1] for m in itertools.product(range(1, k + 1), repeat=D)], dtype=float)


def eigenfunctions(x: np.ndarray, k: int, L: np.ndarray) -> np.ndarray:
    """Products of Laplacian eigenfunctions on [-L_d, L_d] at the (n, D) points ``x``: (n, k^D)."""
    x = x.reshape(len(x), -1)
    ms = basis_indices(k, x.shape[1])
    out = np.ones((len(x), len(ms)))
    for d in range(x.shape[1]):
        out *= np.sin(np.outer(x[:, d] + L[d], ms[:, d]) * math.pi / (2 * L[d])) / math.sqrt(L[d])
    return out


@dataclass
class SubGP:
    """One GP as brms counts them in ``Kgp``: the term, or one level (contrast) of a factor ``by``."""

    spec: GPSpec
    sfx: str  # brms's suffix of sdgp/zgp: 'gpx', 'gpxfa'
    level: object  # factor level its rows have, None: every row (no factor by, or cmc = FALSE's intercept)
    byfac: bool  # part of a factor by
    rows: np.ndarray = field(repr=False)  # 0-based model rows it covers (brms's Igp - 1)
    C: np.ndarray = field(repr=False)  # multiplier on those rows (1, or a numeric by)
    dmax: float | None  # scaling (None: scale = FALSE)
    X: np.ndarray = field(repr=False)  # (Nsub, D) scaled points (gr: distinct; exact GP: the latent points)
    J: np.ndarray | None = field(repr=False)  # (len(rows),) 1-based index into X; None when gr = FALSE
    center: np.ndarray | None = None  # approximate GP: column means of X
    L: np.ndarray | None = None
    basis: np.ndarray | None = field(default=None, repr=False)  # (Nsub, NB) eigenfunctions at X
    priors: list[str] = field(default_factory=list)  # default lscale prior(s)
    contrast: dict[str, float] | None = None  # ordered by with cmc = FALSE: the polynomial contrast per level

    @property
    def slambda(self) -> np.ndarray:
        """Square roots of the Laplacian eigenvalues: (NB, D)."""
        return basis_indices(self.spec.k, self.spec.D) * math.pi / (2 * self.L[None, :])

    @property
    def lscale_sfx(self) -> list[str]:
        """brms's suffixes of the length scales: ``gpx`` (isotropic), ``gpx1x2x1``, ``gpx1x2x2``."""
        return [self.sfx] if self.spec.iso else [self.sfx + c for c in self.spec.covars]

    def values(self, x_rows: np.ndarray, sdgp: np.ndarray, lscale: np.ndarray, zgp: np.ndarray,
               new: bool) -> np.ndarray:
        """The GP at (scaled) points ``x_rows`` (n, D) per draw: (S, n); ``new`` for points other than the fitted ones.

        ``lscale`` is (S, n_lscale).
        """
        cov = self.spec.cov
        if self.spec.k is not None:
            weights = np.sqrt(spd(cov, self.slambda, sdgp, lscale)) * zgp  # (S, NB)
            if new:
                phi = eigenfunctions(x_rows - self.center, self.spec.k, self.L)
            else:
                phi = self.basis if self.J is None else self.basis[self.J - 1]
            return weights @ phi.T
        out = np.empty((len(sdgp), len(x_rows) if new else len(self.rows)))
        eye = NUGGET * np.eye(len(self.X))
        for s in range(len(sdgp)):  # one Cholesky factor per draw
            K = cov_matrix(cov, self.X, self.X, sdgp[s], lscale[s]) + eye
            Lc = np.linalg.cholesky(K)
            if new:  # kriging mean: K(x, X) K^-1 f with f = Lc z
                out[s] = cov_matrix(cov, x_rows, self.X, sdgp[s], lscale[s]) @ np.linalg.solve(Lc.T, zgp[s])
            else:
                f = Lc @ zgp[s]
                out[s] = f if self.J is None else f[self.J - 1]
        return out


def _make_sub(spec: GPSpec, sfx: str, level, byfac: bool, rows: np.ndarray, C: np.ndarray, x: np.ndarray,
              formula: str) -> SubGP:
    xs = x[rows]
    J = None
    if spec.gr:
        # brms numbers the distinct points in order of first appearance (match_rows), not sorted
        _, first, inverse = np.unique(xs, axis=0, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        J = rank[inverse.ravel()].astype(np.int64) + 1
        xs = xs[first[order]]
    dmax = None
    if spec.scale:
        dmax = math.sqrt(float(_sq_dist(xs, xs).max())) if len(xs) else 0.0
        if not dmax > 0:
            what = f" at level {level!r} of {spec.by!r}" if level is not None else ""
            raise DataError(f"The covariates of '{spec.text}' in {formula!r} are constant{what}, so they cannot be "
                            "scaled (brms: 'Could not scale GP covariates'); a Gaussian process needs at least two "
                            "distinct points, or set scale = FALSE.")
        xs = xs / dmax
    sub = SubGP(spec, sfx, level, byfac, rows, C, dmax, xs, J)
    if spec.k is not None:
        sub.center = xs.mean(axis=0)
        xc = xs - sub.center
        rng = max(1.0, float(xc.max() - xc.min())) if xc.size else 1.0  # brms: one range over all dimensions
        sub.L = np.asarray(spec.c) * rng
        sub.basis = eigenfunctions(xc, spec.k, sub.L)
    sub.priors = [lscale_prior(xs)] if spec.iso else [lscale_prior(xs[:, d]) for d in range(spec.D)]
    return sub


def build_subs(spec: GPSpec, data: pd.DataFrame, formula: str) -> list[SubGP]:
    x = _covariates(spec, data, formula)
    n = len(data)
    if spec.by is None:
        return [_make_sub(spec, spec.label, None, False, np.arange(n), np.ones(n), x, formula)]
    if spec.by not in data.columns:
        raise DataError(f"The by-variable {spec.by!r} of '{spec.text}' in {formula!r} is not a column of the data.")
    col = data[spec.by]
    if _is_factor(col):
        labels = col.map(level_label).astype(str).to_numpy()
        levels = [level_label(v) for v in levels_of(col)]
        subs = []
        if not spec.cmc:
            # R's contrasts of the factor: a GP on every row plus one per contrast column
            subs.append(_make_sub(spec, spec.label + "Intercept", None, True, np.arange(n), np.ones(n), x, formula))
            if isinstance(col.dtype, pd.CategoricalDtype) and col.dtype.ordered:
                # ordered factor: R's polynomial contrasts (contr.poly), every row with its level's value
                Z, names = contr_poly(len(levels))
                code = {str(lv): i for i, lv in enumerate(levels)}
                idx = np.array([code[v] for v in labels], dtype=np.int64)
                for k, name in enumerate(names):
                    sub = _make_sub(spec, spec.label + _rename(name), None, True, np.arange(n), Z[idx, k], x, formula)
                    sub.contrast = {str(lv): float(Z[i, k]) for i, lv in enumerate(levels)}
                    subs.append(sub)
                return subs
            levels = levels[1:]  # treatment contrasts: one GP per level but the first
        for lv in levels:
            rows = np.flatnonzero(labels == str(lv))
            if not rows.size:
                continue
            subs.append(_make_sub(spec, spec.label + _rename(lv), lv, True, rows, np.ones(len(rows)), x, formula))
        return subs
    return [_make_sub(spec, spec.label, None, False, np.arange(n), np.asarray(col, dtype=float), x, formula)]


def _covariates(spec: GPSpec, data: pd.DataFrame, formula: str) -> np.ndarray:
    cols = []
    for v in spec.covars:
        if v in data.columns and _is_factor(data[v]):
            raise DataError(f"'{spec.text}' in {formula!r}: a Gaussian process needs numeric covariates, but "
                            f"{v!r} is a factor; use 'gp(x, by = {v})' for one GP per level.")
        x = np.asarray(eval_column(v, data, f"the Gaussian process '{spec.text}'"), dtype=float)
        if x.ndim != 1:
            raise DataError(f"The covariate {v!r} of '{spec.text}' in {formula!r} must be a numeric vector.")
        if not np.all(np.isfinite(x)):
            raise DataError(f"The covariate {v!r} of '{spec.text}' in {formula!r} has non-finite values.")
        cols.append(x)
    return np.column_stack(cols)


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
    ``by`` level or contrast) and ``n_rows`` the number of model rows.
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
            raise FormulaError(f"{formula!r} has two gp() terms of the same covariates; keep one.")
        return cls(prefix, terms, formula, specs, [build_subs(s, data, formula) for s in specs], len(data))

    @property
    def terms_subs(self) -> list[tuple[GPSpec, list[SubGP]]]:
        return list(zip(self.specs, self.subs))

    # -- priors
    def shrinkable(self, class_):
        p = self.prefix.suffix
        if class_ != "sdgp":
            return []
        return [(f"sdgp{p}_{i}", f"Kgp{p}_{i}", len(subs)) for i, (_, subs) in enumerate(self.terms_subs, start=1)]

    def prior_rows(self, base, scale_prior):
        subs = [s for _, ss in self.terms_subs for s in ss]
        ls = [(p, c) for _, ss in self.terms_subs for s in ss for p, c in zip(s.priors, s.lscale_sfx)]
        return [
            PriorRow("", "lscale", lb="0", **base),
            *(PriorRow(p, "lscale", coef=c, **base) for p, c in ls),
            PriorRow(scale_prior, "sdgp", lb="0", **base),
            *(PriorRow("", "sdgp", coef=s.sfx, **base) for s in subs),
        ]

    def resolve_priors(self, lookup):
        return {
            "sdgp": [[lookup(("sdgp", s.sfx), ("sdgp", "")) for s in subs] for _, subs in self.terms_subs],
            "lscale": [[[lookup(("lscale", c), ("lscale", "")) for c in s.lscale_sfx] for s in subs]
                       for _, subs in self.terms_subs],
        }

    def lscale_shapes(self) -> list[tuple[str, int, int]]:
        """(Stan name, sub-GPs, length-scales of each) of every term's ``lscale``, in :meth:`resolve_priors` order."""
        return [(f"lscale{self.prefix.suffix}_{i}", len(subs), subs[0].spec.n_lscale)
                for i, (_, subs) in enumerate(self.terms_subs, start=1)]

    def flat_parameters(self, priors):
        lab = self.prefix.label
        flat = []
        for (_, subs), ps in zip(self.terms_subs, priors.get("sdgp", [])):
            flat += [f"sdgp_{lab}{s.sfx}" for s, p in zip(subs, ps) if p is None]
        for (_, subs), ps in zip(self.terms_subs, priors.get("lscale", [])):
            flat += [f"lscale_{lab}{c}" for s, pp in zip(subs, ps) for c, p in zip(s.lscale_sfx, pp) if p is None]
        return flat

    # -- code
    def stan(self, priors):
        sb, pri = StanBlocks(), StanBlocks()
        p = self.prefix.suffix
        sd_priors = priors.get("sdgp", [[None] * len(ss) for _, ss in self.terms_subs])
        ls_priors = priors.get("lscale", [[[None] * s.spec.n_lscale for s in ss] for _, ss in self.terms_subs])
        for i, (spec, subs) in enumerate(self.terms_subs, start=1):
            pi = f"{p}_{i}"
            approx = spec.k is not None
            if spec.cov == "exp_quad":
                sb.functions.append(stan_function("spd_gp_exp_quad" if approx else "gp_exp_quad"))
            elif approx:
                sb.functions.append(stan_function("spd_gp_matern", cov=spec.cov, a="3" if spec.cov == "matern32" else "5"))
            else:
                sb.functions.append(stan_function("gp_matern", cov=spec.cov))
            sb.data.append(f"// data related to GPs: {spec.text}")
            sb.declare(f"int<lower=1> Kgp{pi}", f"Kgp{pi}", len(subs), "number of sub-GPs (equal to 1 unless 'by' was used)")
            sb.declare(f"int<lower=1> Dgp{pi}", f"Dgp{pi}", spec.D, "GP dimension")
            if approx:
                sb.data.append("// number of basis functions of an approximate GP")
                sb.declare(f"int<lower=1> NBgp{pi}", f"NBgp{pi}", spec.k ** spec.D)
            sb.par.append(f"vector<lower=0>[Kgp{pi}] sdgp{pi};  // GP standard deviation parameters")
            dls = "1" if spec.iso else f"Dgp{pi}"
            sb.par.append(f"array[Kgp{pi}] vector<lower=0>[{dls}] lscale{pi};  // GP length-scale parameters")
            prior_statement(pri, f"sdgp{pi}", f"sdgp{pi}", sd_priors[i - 1], f"Kgp{pi}", lower=0)
            for j, pp in enumerate(ls_priors[i - 1], start=1):
                for d, prior in enumerate(pp, start=1):
                    label = f"lscale{pi}_{j}" if spec.iso else f"lscale{pi}_{j}_{d}"
                    prior_statement(pri, f"lscale{pi}[{j}][{d}]", label, [prior], None, lower=0)
            if subs[0].byfac:
                self._stan_by(sb, i, spec, subs)
            else:
                self._stan_single(sb, i, spec, subs[0])
        sb += pri
        return sb

    def _stan_single(self, sb, i: int, spec: GPSpec, sub: SubGP) -> None:
        p = self.prefix.suffix
        pi = f"{p}_{i}"
        npts = "N"
        if spec.gr:
            npts = f"Nsubgp{pi}"
            sb.data.append("// number of latent GP groups")
            sb.declare(f"int<lower=1> Nsubgp{pi}", f"Nsubgp{pi}", len(sub.X))
            sb.data.append("// indices of latent GP groups per observation")
            sb.declare(f"array[N] int<lower=1> Jgp{pi}", f"Jgp{pi}", sub.J)
        self._stan_points(sb, spec, sub, pi, npts, f"Dgp{pi}", f"NBgp{pi}")
        if spec.by is not None:  # numeric by: the GP times the by-variable
            sb.declare(f"vector[N] Cgp{pi}", f"Cgp{pi}", sub.C, f"values of the by-variable {spec.by}")
        nz = f"NBgp{pi}" if spec.k is not None else npts
        sb.par.append(f"vector[{nz}] zgp{pi};  // latent variables of the GP {spec.text}")
        sb.model_prior.append(f"target += std_normal_lpdf(zgp{pi});")
        self._model_def(sb, spec, pi, pi, 1, npts)

    def _stan_by(self, sb, i: int, spec: GPSpec, subs: list[SubGP]) -> None:
        p = self.prefix.suffix
        pi = f"{p}_{i}"
        sb.data.append("// number of observations relevant for a certain sub-GP")
        sb.declare(f"array[Kgp{pi}] int<lower=1> Ngp{pi}", f"Ngp{pi}", np.array([len(s.rows) for s in subs], dtype=np.int64))
        sb.data.append(f"// indices and contrasts of sub-GPs per observation (levels of {spec.by})")
        for j, s in enumerate(subs, start=1):
            sb.declare(f"array[Ngp{pi}[{j}]] int<lower=1> Igp{pi}_{j}", f"Igp{pi}_{j}", s.rows.astype(np.int64) + 1)
            sb.declare(f"vector[Ngp{pi}[{j}]] Cgp{pi}_{j}", f"Cgp{pi}_{j}", s.C)
        if spec.gr:
            sb.data.append("// number of latent GP groups")
            sb.declare(f"array[Kgp{pi}] int<lower=1> Nsubgp{pi}", f"Nsubgp{pi}", np.array([len(s.X) for s in subs], dtype=np.int64))
            sb.data.append("// indices of latent GP groups per observation")
            for j, s in enumerate(subs, start=1):
                sb.declare(f"array[Ngp{pi}[{j}]] int<lower=1> Jgp{pi}_{j}", f"Jgp{pi}_{j}", s.J)
        npts = f"Nsubgp{pi}" if spec.gr else f"Ngp{pi}"
        for j, s in enumerate(subs, start=1):
            self._stan_points(sb, spec, s, f"{pi}_{j}", f"{npts}[{j}]", f"Dgp{pi}", f"NBgp{pi}")
        sb.par.append(f"// latent variables of the GP {spec.text}")
        for j, s in enumerate(subs, start=1):
            nz = f"NBgp{pi}" if spec.k is not None else f"{npts}[{j}]"
            what = "all rows" if s.level is None else f"level {s.level}"
            sb.par.append(f"vector[{nz}] zgp{pi}_{j};  // {what}")
            sb.model_prior.append(f"target += std_normal_lpdf(zgp{pi}_{j});")
        for j, s in enumerate(subs, start=1):
            self._model_def(sb, spec, pi, f"{pi}_{j}", j, f"{npts}[{j}]", "all rows" if s.level is None else s.level)
        sb.model_def.append(f"// {spec.text} on all observations: each sub-GP on the rows of its level")
        sb.model_def.append(f"vector[N] gp{pi} = rep_vector(0.0, N);")
        # cell-mean coding: the levels' rows are disjoint; cmc = FALSE: contrasts add to the GP on all rows
        op = "=" if spec.cmc else "+="
        for j in range(1, len(subs) + 1):
            at = f"[Jgp{pi}_{j}]" if spec.gr else ""
            sb.model_def.append(f"gp{pi}[Igp{pi}_{j}] {op} Cgp{pi}_{j} .* gp_pred{pi}_{j}{at};")

    @staticmethod
    def _stan_points(sb, spec: GPSpec, sub: SubGP, sfx: str, nsub: str, dgp: str, nbgp: str) -> None:
        if spec.k is None:
            sb.declare(f"array[{nsub}] vector[{dgp}] Xgp{sfx}", f"Xgp{sfx}", sub.X, "covariates of the GP")
        else:
            sb.data.append("// approximate GP basis matrices and eigenvalues")
            sb.declare(f"matrix[{nsub}, {nbgp}] Xgp{sfx}", f"Xgp{sfx}", sub.basis)
            sb.declare(f"array[{nbgp}] vector[{dgp}] slambda{sfx}", f"slambda{sfx}", sub.slambda)

    @staticmethod
    def _model_def(sb, spec: GPSpec, pi: str, sfx: str, j: int, nsub: str, level=None) -> None:
        what = spec.text + ("" if level is None else f", {level if level == 'all rows' else f'level {level}'}")
        if spec.k is not None:
            sb.model_def += [
                f"// scale latent variables of the GP {what}",
                f"vector[NBgp{pi}] rgp{sfx} = sqrt(spd_gp_{spec.cov}(slambda{sfx}, sdgp{pi}[{j}], lscale{pi}[{j}])) .* zgp{sfx};",
                f"vector[{nsub}] gp_pred{sfx} = Xgp{sfx} * rgp{sfx};",
            ]
        else:
            sb.model_def += [
                f"// latent values of the GP {what} at its {'distinct covariate values' if spec.gr else 'rows'}",
                f"vector[{nsub}] gp_pred{sfx} = gp_{spec.cov}(Xgp{sfx}, sdgp{pi}[{j}], lscale{pi}[{j}], zgp{sfx});",
            ]

    def predictor_terms(self) -> list[str]:
        p = self.prefix.suffix
        out = []
        for i, (spec, subs) in enumerate(self.terms_subs, start=1):
            pi = f"{p}_{i}"
            at = f"[Jgp{pi}]" if spec.gr else ""
            if subs[0].byfac:
                out.append(f"gp{pi}")
            elif spec.by is not None:
                out.append(f"Cgp{pi} .* gp_pred{pi}{at}")
            else:
                out.append(f"gp_pred{pi}{at}")
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
            for d in range(spec.n_lscale):  # brms's order: dimension by dimension
                for j, s in enumerate(subs):
                    c = s.lscale_sfx[d]
                    n = f"lscale_{lab}{c}"
                    out.append((n, params[f"lscale{pi}"][..., j, d], ParamInfo(n, "gp", coef=f"lscale({lab}{c})")))
            for j, s in enumerate(subs, start=1):
                z = params[f"zgp{pi}_{j}" if s.byfac else f"zgp{pi}"]
                for r in range(z.shape[-1]):
                    n = f"zgp_{lab}{s.sfx}[{r + 1}]"
                    out.append((n, z[..., r], ParamInfo(n, "zgp", coef=f"{lab}{s.sfx}", level=str(r + 1))))
        return out

    def prior_draws(self, priors, sampler):
        lab = self.prefix.label
        out = {}
        for (_, subs), ps in zip(self.terms_subs, priors.get("sdgp", [])):
            for s, p in zip(subs, ps):
                values = sampler.scalar(p, lower=0.0)  # positive: priors truncated at zero
                if values is not None:
                    out[f"prior_sdgp_{lab}{s.sfx}"] = values
        for (_, subs), ps in zip(self.terms_subs, priors.get("lscale", [])):
            for s, pp in zip(subs, ps):
                for c, p in zip(s.lscale_sfx, pp):
                    values = sampler.scalar(p, lower=0.0)
                    if values is not None:
                        out[f"prior_lscale_{lab}{c}"] = values
        return out

    def new_columns(self, data, only: GPSpec | None = None) -> "GPColumns":
        """The rows, multipliers and scaled points of each sub-GP on new data (only the term ``only`` if given)."""
        terms: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
        n = len(data)
        for i, (sp, subs) in enumerate(self.terms_subs, start=1):
            if only is not None and sp != only:
                continue
            x_new = _covariates(sp, data, self.formula)
            if sp.by is not None and sp.by not in data.columns:
                raise DataError(f"newdata lacks the column {sp.by!r} (by-variable of '{sp.text}').")
            terms[i] = []
            for s in subs:
                if s.contrast is not None:
                    labels = data[sp.by].map(level_label).astype(str).to_numpy()
                    new = sorted({v for v in labels if v not in s.contrast})
                    if new:
                        raise DataError(f"newdata has levels {new[:5]} of {sp.by!r} that the model did not see "
                                        f"('{sp.text}').")
                    rows = np.arange(n)
                    C = np.array([s.contrast[v] for v in labels], dtype=float)
                elif s.level is not None:
                    labels = data[sp.by].map(level_label).astype(str).to_numpy()
                    rows = np.flatnonzero(labels == str(s.level))
                    C = np.ones(len(rows))
                else:
                    rows = np.arange(n)
                    C = np.ones(n) if sp.by is None or s.byfac else np.asarray(data[sp.by], dtype=float)
                x = x_new[rows] if s.dmax is None else x_new[rows] / s.dmax
                terms[i].append((rows, C, x))
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
                z = param(f"zgp{pi}_{j + 1}" if s.byfac else f"zgp{pi}")
                if columns is None:
                    rows, C, x = s.rows, s.C, s.X
                else:
                    rows, C, x = columns.terms[i][j]
                f = s.values(x, sdgp[:, j], lscale[:, j, :], z, new=columns is not None)
                contrib = np.zeros((f.shape[0], n))
                contrib[:, rows] += C[None, :] * f
                out = out + contrib
        return out


@dataclass
class GPColumns:
    """The GP terms on new rows (:meth:`GPDesign.new_columns`).

    ``terms[i]`` (1-based term number) holds per sub-GP the rows it covers, their
    multiplier (1, or a numeric ``by``) and the points scaled as on the model data.
    """

    n: int
    terms: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]]
