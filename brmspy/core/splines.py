"""Penalized regression spline bases in numpy, following mgcv.

brms hands ``s()`` and ``t2()`` terms to mgcv (``smoothCon`` with absorbed
constraints, then ``smooth2random``) and fits the result as random effects.
This module does the same constructions without R:

- :class:`ThinPlate` — thin plate regression splines (``bs = "tp"``, mgcv's
  default) of one or two covariates: the thin plate radial basis over the
  unique covariate values, eigen-truncated to the ``k`` largest eigenvalues,
  with the polynomial null space ``T`` (Wood 2003).
- :class:`CubicRegression` — cubic regression splines (``bs = "cr"``) with
  knots spread evenly through the sorted unique values (mgcv's
  ``place.knots``), parameterised by the function values at the knots, linear
  beyond the outer knots.
- :class:`TensorT2` — ``t2()`` tensor products of 1-D marginals: each marginal
  is split into its penalised range space (identity penalty) and null space,
  and every combination of parts is one block of columns with its own identity
  penalty (the all-null block is unpenalised).
- :func:`mixed_form` — mgcv's ``smoothCon(absorb.cons = TRUE,
  scale.penalty = TRUE)`` and ``smooth2random(type = 2)``: penalty scaling, the
  sum-to-zero identifiability constraint absorbed by QR, then the unpenalised
  null space as fixed-effect columns ``Xf`` and each penalty's range space as a
  random-effect design ``Zr`` whose penalty is the identity.

Every object keeps what it needs (knots, eigenvectors, constraint, maps) so
the same columns can be rebuilt for new covariate values.

The bases follow mgcv's algorithms but are not bit-identical to mgcv's (e.g.
eigenvector signs, the order of null-space columns); the fitted smooth is the
same function class with the same penalty.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["CubicRegression", "MixedSmooth", "TensorT2", "ThinPlate", "mixed_form", "place_knots", "row_kron"]

#: mgcv's ``max.knots`` of thin plate splines: more unique values are subsampled
MAX_KNOTS = 2000


def _as_2d(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return x[:, None] if x.ndim == 1 else x


def _fix_signs(vecs: np.ndarray) -> np.ndarray:
    """Make each column's largest entry positive: bases rebuilt elsewhere (load_fit) get the same signs."""
    if vecs.size == 0:
        return vecs
    idx = np.argmax(np.abs(vecs), axis=0)
    signs = np.sign(vecs[idx, np.arange(vecs.shape[1])])
    return vecs * np.where(signs == 0, 1.0, signs)


def _eigh_desc(S: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (decreasing) and sign-fixed eigenvectors of a symmetric matrix."""
    vals, vecs = np.linalg.eigh((S + S.T) / 2)
    order = np.argsort(-vals, kind="stable")
    return vals[order], _fix_signs(vecs[:, order])


def row_kron(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise Kronecker product: row ``i`` is ``kron(a[i], b[i])``."""
    return (a[:, :, None] * b[:, None, :]).reshape(a.shape[0], a.shape[1] * b.shape[1])


# ------------------------------------------------------------ thin plate


def _tps_eta(r: np.ndarray, d: int, m: int) -> np.ndarray:
    """The thin plate radial function eta_{md}(r) (Duchon 1977; Wood 2003, eq. 2)."""
    if d % 2 == 0:
        c = (-1) ** (m + 1 + d // 2) / (2 ** (2 * m - 1) * math.pi ** (d / 2) * math.factorial(m - 1)
                                          * math.factorial(m - d // 2))
        with np.errstate(divide="ignore", invalid="ignore"):
            out = c * r ** (2 * m - d) * np.log(r)
        return np.where(r > 0, out, 0.0)
    c = math.gamma(d / 2 - m) / (2 ** (2 * m) * math.pi ** (d / 2) * math.factorial(m - 1))
    return c * r ** (2 * m - d)


def _monomials(d: int, m: int) -> list[tuple[int, ...]]:
    """Exponents of the polynomials of degree < m in d variables (the null space), lowest degree first."""
    out = [p for p in itertools.product(range(m), repeat=d) if sum(p) < m]
    return sorted(out, key=lambda p: (sum(p), [-e for e in p]))


def _distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=-1))


@dataclass
class ThinPlate:
    """A thin plate regression spline basis of ``d`` covariates with ``k`` columns.

    Columns: ``k - M`` radial columns (penalised), then the ``M`` polynomial
    null-space columns (unpenalised).
    """

    knots: np.ndarray = field(repr=False)  # (nk, d) unique covariate values, shifted
    shift: np.ndarray  # (d,) covariate means (mgcv centres for stability)
    UZ: np.ndarray = field(repr=False)  # (nk, k - M) truncated eigenvectors times constraint null space
    m: int
    k: int
    S: list[np.ndarray] = field(repr=False)
    rank: list[int]

    @property
    def d(self) -> int:
        return self.knots.shape[1]

    @property
    def powers(self) -> list[tuple[int, ...]]:
        return _monomials(self.d, self.m)

    @classmethod
    def fit(cls, x: np.ndarray, k: int) -> "ThinPlate":
        """Construct the basis from covariate values ``x`` (n,) or (n, d)."""
        x = _as_2d(x)
        d = x.shape[1]
        m = (d + 1) // 2 + 1  # mgcv's default order: smallest m with 2m > d + 1
        M = len(_monomials(d, m))
        if k < M + 1:
            raise ValueError(f"k must be at least {M + 1} for a thin plate spline of {d} covariate(s)")
        shift = x.mean(axis=0)
        xs = x - shift
        knots = np.unique(xs, axis=0)
        if len(knots) < k:
            raise ValueError(f"only {len(knots)} unique covariate value(s), fewer than k = {k}")
        if len(knots) > MAX_KNOTS:  # mgcv subsamples the knots of large data sets
            rng = np.random.default_rng(1)
            knots = knots[np.sort(rng.choice(len(knots), MAX_KNOTS, replace=False))]
        E = _tps_eta(_distances(knots, knots), d, m)
        vals, vecs = np.linalg.eigh(E)
        top = np.argsort(-np.abs(vals), kind="stable")[:k]
        U, D = _fix_signs(vecs[:, top]), vals[top]
        T = cls._poly(knots, m)
        # constraint T' U delta = 0: delta in the null space of (U'T)'
        Q, _ = np.linalg.qr(U.T @ T, mode="complete")
        Z = _fix_signs(Q[:, M:])
        pen = Z.T @ (D[:, None] * Z)
        S = np.zeros((k, k))
        S[: k - M, : k - M] = (pen + pen.T) / 2
        return cls(knots, shift, U @ Z, m, k, [S], [k - M])

    @staticmethod
    def _poly(xs: np.ndarray, m: int) -> np.ndarray:
        return np.column_stack([np.prod(xs ** np.array(p), axis=1) for p in _monomials(xs.shape[1], m)])

    def design(self, x: np.ndarray) -> np.ndarray:
        """Basis columns at covariate values ``x`` (n,) or (n, d)."""
        xs = _as_2d(x) - self.shift
        radial = _tps_eta(_distances(xs, self.knots), self.d, self.m) @ self.UZ
        return np.hstack([radial, self._poly(xs, self.m)])


# ------------------------------------------------------- cubic regression


def place_knots(x: np.ndarray, k: int) -> np.ndarray:
    """``k`` knots spread evenly through the sorted unique values of ``x`` (mgcv's ``place.knots``)."""
    u = np.unique(np.asarray(x, dtype=float))
    n = len(u)
    if k > n:
        raise ValueError(f"only {n} unique covariate value(s), fewer than k = {k}")
    if k == n:
        return u
    delta = (n - 1) / (k - 1)
    i = np.arange(1, k - 1)
    lbi = np.floor(delta * i).astype(int)
    frac = delta * i - lbi
    inner = u[lbi] * (1 - frac) + u[np.minimum(lbi + 1, n - 1)] * frac
    return np.concatenate([[u[0]], inner, [u[-1]]])


@dataclass
class CubicRegression:
    """A cubic regression spline basis of one covariate: coefficients are the values at the knots."""

    knots: np.ndarray
    F: np.ndarray = field(repr=False)  # (k, k): second derivatives at the knots from the values
    S: list[np.ndarray] = field(repr=False)
    rank: list[int]

    @property
    def k(self) -> int:
        return len(self.knots)

    @classmethod
    def fit(cls, x: np.ndarray, k: int) -> "CubicRegression":
        """Construct the basis from covariate values ``x`` (n,) or (n, 1)."""
        x = _as_2d(x)
        if x.shape[1] != 1:
            raise ValueError("cubic regression splines take one covariate")
        if k < 3:
            raise ValueError("k must be at least 3 for a cubic regression spline")
        knots = place_knots(x[:, 0], k)
        h = np.diff(knots)
        D = np.zeros((k - 2, k))
        B = np.zeros((k - 2, k - 2))
        for i in range(k - 2):
            D[i, i], D[i, i + 1], D[i, i + 2] = 1 / h[i], -1 / h[i] - 1 / h[i + 1], 1 / h[i + 1]
            B[i, i] = (h[i] + h[i + 1]) / 3
            if i < k - 3:
                B[i, i + 1] = B[i + 1, i] = h[i + 1] / 6
        BinvD = np.linalg.solve(B, D)
        F = np.vstack([np.zeros(k), BinvD, np.zeros(k)])
        S = D.T @ BinvD
        return cls(knots, F, [(S + S.T) / 2], [k - 2])

    def design(self, x: np.ndarray) -> np.ndarray:
        """Basis columns at ``x`` (n,) or (n, 1); linear extrapolation beyond the outer knots."""
        x = _as_2d(x)[:, 0]
        kn, F, k = self.knots, self.F, self.k
        X = np.zeros((len(x), k))
        j = np.clip(np.searchsorted(kn, x, side="right") - 1, 0, k - 2)
        h = kn[j + 1] - kn[j]
        inside = (x >= kn[0]) & (x <= kn[-1])
        a_hi, a_lo = kn[j + 1] - x, x - kn[j]
        rows = np.flatnonzero(inside)
        jj, hh, up, lo = j[rows], h[rows], a_hi[rows], a_lo[rows]
        X[rows, jj] += up / hh
        X[rows, jj + 1] += lo / hh
        cm = (up ** 3 / hh - hh * up) / 6
        cp = (lo ** 3 / hh - hh * lo) / 6
        X[rows] += cm[:, None] * F[jj] + cp[:, None] * F[jj + 1]
        h0, h1 = kn[1] - kn[0], kn[-1] - kn[-2]
        below = np.flatnonzero(x < kn[0])
        if below.size:  # f(x0) + (x - x0) f'(x0)
            slope = -np.eye(k)[0] / h0 + np.eye(k)[1] / h0 - h0 / 3 * F[0] - h0 / 6 * F[1]
            X[below] = np.eye(k)[0] + (x[below] - kn[0])[:, None] * slope
        above = np.flatnonzero(x > kn[-1])
        if above.size:
            slope = -np.eye(k)[k - 2] / h1 + np.eye(k)[k - 1] / h1 + h1 / 6 * F[k - 2] + h1 / 3 * F[k - 1]
            X[above] = np.eye(k)[k - 1] + (x[above] - kn[-1])[:, None] * slope
        return X


# ------------------------------------------------------------------ t2


def _split_marginal(S: np.ndarray, rank: int) -> tuple[np.ndarray, np.ndarray]:
    """(range map with identity penalty, null-space map) of one marginal penalty."""
    vals, vecs = _eigh_desc(S)
    return vecs[:, :rank] / np.sqrt(vals[:rank]), vecs[:, rank:]


@dataclass
class TensorT2:
    """mgcv's ``t2`` tensor product of 1-D marginal bases.

    Blocks of columns, in order, are the row-wise Kronecker products of every
    combination of marginal parts (range or null space), all-range first and
    the unpenalised all-null block last; each penalised block has an identity
    penalty of its own.
    """

    margins: list = field(repr=False)
    parts: list[tuple[np.ndarray, np.ndarray]] = field(repr=False)
    combos: list[tuple[bool, ...]]  # True: the margin's range space
    S: list[np.ndarray] = field(repr=False)
    rank: list[int]
    null_cols: np.ndarray  # columns of the unpenalised block

    @classmethod
    def fit(cls, margins: list) -> "TensorT2":
        parts = [_split_marginal(mb.S[0], mb.rank[0]) for mb in margins]
        combos = list(itertools.product([True, False], repeat=len(margins)))
        sizes = [int(np.prod([(r if use else n).shape[1] for use, (r, n) in zip(c, parts)])) for c in combos]
        p = sum(sizes)
        start = np.concatenate([[0], np.cumsum(sizes)])
        S, rank = [], []
        for i, c in enumerate(combos):
            if not any(c):
                continue
            Si = np.zeros((p, p))
            idx = np.arange(start[i], start[i + 1])
            Si[idx, idx] = 1.0
            S.append(Si)
            rank.append(sizes[i])
        last = combos.index(tuple(False for _ in margins))
        return cls(margins, parts, combos, S, rank, np.arange(start[last], start[last + 1]))

    def design(self, x: np.ndarray) -> np.ndarray:
        x = _as_2d(x)
        raw = [mb.design(x[:, i]) for i, mb in enumerate(self.margins)]
        blocks = []
        for c in self.combos:
            cols = [X @ (r if use else n) for X, use, (r, n) in zip(raw, c, self.parts)]
            block = cols[0]
            for nxt in cols[1:]:
                block = row_kron(block, nxt)
            blocks.append(block)
        return np.hstack(blocks)


# ------------------------------------------------------- mixed-model form


@dataclass
class MixedSmooth:
    """A smooth in brms's mixed-model form: raw basis columns -> ``Xf`` and ``Zr`` columns.

    ``fixed`` maps raw basis columns to the unpenalised (fixed-effect) columns,
    ``random[j]`` to the columns of penalty ``j`` scaled so that its penalty is
    the identity (the coefficients are then iid normal with sd ``sds[j]``).
    """

    basis: object = field(repr=False)
    fixed: np.ndarray = field(repr=False)  # (p, nf)
    random: list[np.ndarray] = field(repr=False)  # (p, r_j)

    def raw(self, x: np.ndarray) -> np.ndarray:
        return self.basis.design(x)

    def columns(self, X_raw: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """``(Xf, [Zr_1, ...])`` from raw basis columns."""
        return X_raw @ self.fixed, [X_raw @ R for R in self.random]


def _constraint_space(C: np.ndarray, indi: np.ndarray, p: int) -> np.ndarray:
    """Basis (p, p - 1) of {beta: C beta = 0} that changes only the columns ``indi`` (mgcv's partial QR).

    The other columns keep their place; the last of ``indi`` is dropped.
    """
    if indi.size == 0:
        return np.eye(p)
    Q, _ = np.linalg.qr(C[indi][:, None], mode="complete")
    Q = _fix_signs(Q)
    keep = [c for c in range(p) if c != indi[-1]]
    Z = np.zeros((p, p - 1))
    constrained = set(indi.tolist())
    for col, c in enumerate(keep):
        if c not in constrained:
            Z[c, col] = 1.0
    Z[np.ix_(indi, [keep.index(c) for c in indi[:-1]])] = Q[:, 1:]
    return Z


def mixed_form(basis, X_raw: np.ndarray, constrain: bool = True, constraint_cols: np.ndarray | None = None,
               scale_penalty: bool = True) -> MixedSmooth:
    """mgcv's ``smoothCon`` + ``smooth2random(type = 2)`` on a constructed basis.

    Parameters
    ----------
    basis : a basis with ``S`` (penalties), ``rank`` and ``design()``.
    X_raw : the basis columns on the model data (fixes the constraint and penalty scale).
    constrain : absorb the sum-to-zero constraint (mgcv drops it for smooths with a numeric ``by``).
    constraint_cols : restrict the constraint to these columns (``t2``: the unpenalised block).
    scale_penalty : rescale penalties to the size of ``X'X`` as mgcv does.
    """
    p = X_raw.shape[1]
    S = [s.copy() for s in basis.S]
    if scale_penalty:
        maXX = np.abs(X_raw).sum(axis=1).max() ** 2
        S = [s * maXX / np.abs(s).sum(axis=0).max() for s in S]
    if constrain:
        C = X_raw.mean(axis=0)
        indi = np.flatnonzero(C != 0) if constraint_cols is None else np.asarray(constraint_cols)
        indi = indi[C[indi] != 0]
        Zc = _constraint_space(C, indi, p)
    else:
        Zc = np.eye(p)
    Sc = [Zc.T @ s @ Zc for s in S]
    q = Zc.shape[1]
    if len(Sc) == 1:
        vals, vecs = _eigh_desc(Sc[0])
        r = min(basis.rank[0], q)
        if np.any(vals[:r] <= 0):
            raise ValueError("the smoothing penalty is not positive definite on its range space")
        return MixedSmooth(basis, Zc @ vecs[:, r:], [Zc @ (vecs[:, :r] / np.sqrt(vals[:r]))])
    used = np.zeros(q, dtype=bool)
    random = []
    for s in Sc:
        diag = np.abs(np.diag(s))
        support = np.flatnonzero(diag > 1e-12 * diag.max())
        if used[support].any():
            raise ValueError("overlapping penalties cannot be written as independent random effects")
        used[support] = True
        block = s[np.ix_(support, support)]
        c = block[0, 0]
        if np.allclose(block, c * np.eye(len(support)), rtol=0, atol=1e-12 * abs(c)):  # t2: a scaled identity
            vals, vecs = np.full(len(support), c), np.eye(len(support))
        else:
            vals, vecs = _eigh_desc(block)
        random.append(Zc[:, support] @ (vecs / np.sqrt(vals)))
    return MixedSmooth(basis, Zc[:, ~used], random)
