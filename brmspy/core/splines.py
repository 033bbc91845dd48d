"""Penalized regression spline bases in numpy/scipy, reproducing mgcv's numbers.

brms hands ``s()`` and ``t2()`` terms to mgcv: ``smoothCon(absorb.cons = TRUE,
diagonal.penalty = TRUE)`` and then ``smooth2random(type = 2)``; new data go through
``PredictMat``. The same prior (on ``bs`` or ``sds``) only means the same thing when the
columns ``Xs``/``Zs`` are brms's to the last digit, including the signs and order of
eigenvectors, so this module repeats mgcv's algorithms step by step:

- :class:`ThinPlate` (``bs = "tp"``): mgcv's C routine ``construct_tprs``: the thin plate
  radial matrix ``E`` over the sorted unique covariate values, its ``k`` largest-magnitude
  eigenvectors by mgcv's own Lanczos iteration (``Rlanczos``: same start vector, full
  re-orthogonalisation, tridiagonal eigenproblem by LAPACK ``dstedc``), the polynomial
  constraint absorbed by mgcv's Householder ``QT`` factorisation, columns scaled to unit
  root-mean-square; ``design()`` is ``predict_tprs``. With ``k`` equal to the number of unique
  values, mgcv's "pure knot" basis: no eigen step, the constraint absorbed by the full
  Householder ``Q`` of ``T'`` and the penalty ``Q'EQ``.
- :class:`CubicRegression` (``bs = "cr"``): mgcv's ``crspl``: knots at
  ``quantile(unique(x), seq(0, 1, length = k))``, coefficients are the values at the knots,
  natural (linear) beyond the outer knots.
- :class:`TensorT2`: ``smooth.construct.t2.smooth.spec``: each marginal re-parameterised by
  ``nat.param(type = 3, unit.fnorm = TRUE)``, then ``t2.model.matrix``'s row-wise Kronecker
  products of the marginals' penalised and unpenalised parts, one identity penalty per block.
- :func:`mixed_form`: ``smoothCon``'s penalty scaling, sum-to-zero constraint (R's LINPACK
  Householder ``qr``), ``nat.param(type = 2)`` for ``diagonal.penalty``, and
  ``smooth2random``'s split into fixed columns ``Xf`` and random-effect blocks.

It is written by hand because no Python library reproduces mgcv's bases exactly (the
eigenvector signs and orders, the Lanczos truncation and the constraint rotations all show in
the numbers); symmetric eigenproblems use LAPACK's ``dsyevr`` through SciPy, which is what
R's ``eigen()`` calls, so ties and signs come out as in R.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .lazy import lazy_module

# imported at first use (brmspy.core.lazy): a model without smooths never needs scipy.linalg
linalg = lazy_module("scipy.linalg")
lapack = lazy_module("scipy.linalg.lapack")

__all__ = ["CubicRegression", "MixedSmooth", "TensorT2", "ThinPlate", "mixed_form", "place_knots", "row_kron"]

#: mgcv's ``max.knots`` of thin plate splines: more unique values are subsampled
MAX_KNOTS = 2000
_EPS = np.finfo(float).eps


def _as_2d(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return x[:, None] if x.ndim == 1 else x


def r_eigen(S: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """R's ``eigen(S, symmetric = TRUE)``: LAPACK ``dsyevr`` (lower triangle), values decreasing."""
    vals, vecs = linalg.eigh(S, driver="evr", lower=True)
    return vals[::-1], vecs[:, ::-1]


def row_kron(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise Kronecker product: row ``i`` is ``kron(a[i], b[i])``."""
    return (a[:, :, None] * b[:, None, :]).reshape(a.shape[0], a.shape[1] * b.shape[1])


# ------------------------------------------------------------ thin plate


def _tps_eta(r: np.ndarray, d: int, m: int) -> np.ndarray:
    """The thin plate radial function eta_{md}(r) (mgcv's ``eta()``; Wood 2003, eq. 2)."""
    if d % 2 == 0:
        c = (-1) ** (m + 1 + d // 2) / (2 ** (2 * m - 1) * math.pi ** (d // 2) * math.factorial(m - 1)
                                          * math.factorial(m - d // 2))
        with np.errstate(divide="ignore", invalid="ignore"):
            out = c * r ** (2 * m - d) * np.log(r)
        return np.where(r > 0, out, 0.0)
    c = math.gamma(d / 2 - m) / (2 ** (2 * m) * math.pi ** (d / 2) * math.factorial(m - 1))
    return np.where(r > 0, c * r ** (2 * m - d), 0.0)


def _default_order(d: int) -> int:
    """mgcv's default penalty order: the smallest m with 2m > d + 1."""
    m = 0
    while 2 * m < d + 2:
        m += 1
    return m


def _monomials(d: int, m: int) -> list[tuple[int, ...]]:
    """Exponents of the null-space polynomials in mgcv's order (``gen_tps_poly_powers``)."""
    M = math.comb(m + d - 1, d)
    index = [0] * d
    out = []
    for _ in range(M):
        out.append(tuple(index))
        s = sum(index)
        if s < m - 1:
            index[0] += 1
        else:
            s -= index[0]
            index[0] = 0
            for j in range(1, d):
                index[j] += 1
                s += 1
                if s == m:
                    s -= index[j]
                    index[j] = 0
                else:
                    break
    return out


def _poly(xs: np.ndarray, powers: list[tuple[int, ...]]) -> np.ndarray:
    return np.column_stack([np.prod(xs ** np.array(p, dtype=float), axis=1) for p in powers])


def _distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=-1))


def _tridiagonal_eigen(d: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """mgcv's ``mgcv_trisymeig``: LAPACK's divide and conquer (``dstedc`` via ``dstevd``), values decreasing."""
    if len(d) == 1:
        return d.copy(), np.ones((1, 1))
    w, v, info = lapack.dstevd(d, g, compute_v=1)
    if info != 0:  # pragma: no cover - LAPACK failure
        raise np.linalg.LinAlgError(f"dstevd failed (info = {info})")
    return w[::-1], v[:, ::-1]


def lanczos(A: np.ndarray, k: int, tol: float = _EPS ** 0.7) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` largest-magnitude eigenpairs of symmetric ``A`` as mgcv's ``Rlanczos`` finds them.

    Same deterministic start vector, full double re-orthogonalisation, convergence checks and
    Ritz vectors, so the eigenvectors carry mgcv's signs. Returns (values, vectors), values in
    decreasing order.
    """
    n = A.shape[0]
    f_check = max(k // 2, 10)
    f_check = min(f_check, max(n // 10, 1))
    q = np.empty((n, n))
    jran = 1
    start = np.empty(n)
    for i in range(n):
        jran = (jran * 106 + 1283) % 6075
        start[i] = jran / 6075 - 0.5
    q[:, 0] = start / math.sqrt(float(start @ start))
    a = np.zeros(n)
    b = np.zeros(n)
    d = v = None
    j = 0
    m_top, m_low = k, 0
    while j < n:
        z = A @ q[:, j]
        a[j] = q[:, j] @ z
        if j == 0:
            z = z - a[j] * q[:, j]
        else:
            z = z - (a[j] * q[:, j] + b[j - 1] * q[:, j - 1])
            for _ in range(2):  # full re-orthogonalisation, done twice
                for i in range(j + 1):
                    z = z - (z @ q[:, i]) * q[:, i]
        b[j] = math.sqrt(float(z @ z))
        if j < n - 1:
            q[:, j + 1] = z / b[j]
        if (j >= k and j % f_check == 0) or j == n - 1:
            d, v = _tridiagonal_eigen(a[: j + 1].copy(), b[:j].copy())
            normT = max(abs(d[0]), abs(d[j]))
            err = np.abs(b[j] * v[j, :])
            if j >= k:
                max_err = normT * tol
                pi = ni = 0
                converged = True
                while pi + ni < k:
                    if abs(d[pi]) >= abs(d[j - ni]):
                        if err[pi] > max_err:
                            converged = False
                            break
                        pi += 1
                    else:
                        if err[ni] > max_err:  # mgcv's test (sic: err[ni])
                            converged = False
                            break
                        ni += 1
                if converged:
                    m_top, m_low = pi, ni
                    j += 1
                    break
        j += 1
    cols = list(range(m_top)) + [j - (m_low + m_top - c) for c in range(m_top, m_top + m_low)]
    U = q[:, :j] @ v[:j, cols]
    return d[cols], U


def _qt(TU: np.ndarray) -> np.ndarray:
    """mgcv's ``QT(Z, A, 0)``: Householder vectors (rows) with ``A Q = [0, T]``."""
    A = TU.copy()
    r, c = A.shape
    Z = np.zeros((r, c))
    for i in range(r):
        L = c - i
        p = A[i, :L]
        mx = np.max(np.abs(p)) if L else 0.0
        if mx:
            p = p / mx
        lsq = math.sqrt(float(p @ p))
        if p[L - 1] < 0:
            lsq = -lsq
        p = p.copy()
        p[L - 1] += lsq
        g = 1 / (lsq * p[L - 1]) if lsq else 0.0
        for jj in range(i + 1, r):
            x = g * float(p @ A[jj, :L])
            A[jj, :L] = A[jj, :L] - x * p
        Z[i, :L] = p * math.sqrt(g)
    return Z


def _hq_post(C: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """``HQmult(C, Z, 0, 0)``: C Q with Q = H_1 H_2 ..."""
    C = C.copy()
    for u in Z:
        C -= np.outer(C @ u, u)
    return C


def _hq_pre_t(C: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """``HQmult(C, Z, 1, 1)``: Q' C."""
    C = C.copy()
    for u in Z:
        C -= np.outer(u, u @ C)
    return C


@dataclass
class ThinPlate:
    """A thin plate regression spline basis of ``d`` covariates with ``k`` columns (mgcv's ``tprs``).

    Columns: ``k - M`` radial columns (penalised), then the ``M`` polynomial null-space
    columns in mgcv's order (1, x1, x2, ...), each scaled to unit root-mean-square on the data.
    """

    shift: np.ndarray  # (d,) covariate means (mgcv centres the covariates)
    Xu: np.ndarray = field(repr=False)  # (nu, d) sorted unique centred covariate values (the knots)
    UZ: np.ndarray = field(repr=False)  # (nu + M, k) map from [eta(|x - Xu|), polynomials] to the columns
    m: int
    k: int
    X: np.ndarray = field(repr=False)  # (n, k) the basis on the data it was built from
    S: list[np.ndarray] = field(repr=False)
    rank: list[int]

    @property
    def d(self) -> int:
        return self.Xu.shape[1]

    @property
    def powers(self) -> list[tuple[int, ...]]:
        return _monomials(self.d, self.m)

    @property
    def null_space_dim(self) -> int:
        return len(self.powers)

    @classmethod
    def fit(cls, x: np.ndarray, k: int) -> "ThinPlate":
        """Construct the basis from covariate values ``x`` (n,) or (n, d) (``smooth.construct.tp``)."""
        x = _as_2d(x)
        n, d = x.shape
        m = _default_order(d)
        powers = _monomials(d, m)
        M = len(powers)
        if k < M + 1:
            raise ValueError(f"k must be at least {M + 1} for a thin plate spline of {d} covariate(s)")
        shift = x.mean(axis=0)
        xs = x - shift
        Xu, index = np.unique(xs, axis=0, return_inverse=True)
        index = index.ravel()
        if len(Xu) < k:
            raise ValueError(f"only {len(Xu)} unique covariate value(s), fewer than k = {k}")
        if len(Xu) > MAX_KNOTS:
            raise ValueError(f"{len(Xu)} unique covariate values: more than mgcv's {MAX_KNOTS} knots of a thin plate "
                             "spline; use bs = \"cr\" or fewer distinct values")
        T = _poly(Xu, powers)
        nu = len(Xu)
        E = _tps_eta(_distances(Xu, Xu), d, m)
        if nu == k:
            # mgcv's "pure knot" basis: every unique value is a knot, no eigen step; the
            # constraint T'd = 0 is absorbed by the full Householder Q of T' (QT(.., fullQ = 1))
            # and the columns are the full basis [E, T] mapped through UZ (tps_g)
            Z = _qt(T.T)
            UQ = _hq_post(np.eye(nu), Z)
            X1 = np.hstack([E @ UQ[:, : k - M], T])
            S = _hq_pre_t(_hq_post(E, Z), Z)
        else:
            v, U = lanczos(E, k)
            Z = _qt(T.T @ U)
            UQ = _hq_post(U, Z)
            X1 = _hq_post(U * v[None, :], Z)
            X1[:, k - M:] = T
            S = _hq_pre_t(_hq_post(np.diag(v), Z), Z)
        X = X1[index]
        S[:, k - M:] = 0.0
        S[k - M:, :] = 0.0
        UZ = np.zeros((nu + M, k))
        UZ[:nu, : k - M] = UQ[:, : k - M]
        UZ[nu:, k - M:] = np.eye(M)
        w = np.sqrt((X ** 2).mean(axis=0))
        X = X / w
        UZ = UZ / w
        S = S / w[:, None] / w[None, :]
        S = (S + S.T) / 2
        return cls(shift, Xu, UZ, m, k, X, [S], [k - M])

    def design(self, x: np.ndarray) -> np.ndarray:
        """Basis columns at covariate values ``x`` (n,) or (n, d) (``predict_tprs``)."""
        xs = _as_2d(x) - self.shift
        b = np.hstack([_tps_eta(_distances(xs, self.Xu), self.d, self.m), _poly(xs, self.powers)])
        return b @ self.UZ


# ------------------------------------------------------- cubic regression


def r_quantile(u: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """R's ``quantile(u, probs)`` (type 7)."""
    xs = np.sort(np.asarray(u, dtype=float))
    n = len(xs)
    index = 1 + (n - 1) * probs
    lo = np.floor(index).astype(int)
    hi = np.ceil(index).astype(int)
    qs = xs[lo - 1]
    h = index - lo
    inner = (index > lo) & (xs[hi - 1] != qs)
    qs = np.where(inner, (1 - h) * qs + h * xs[hi - 1], qs)
    return qs


def place_knots(x: np.ndarray, k: int) -> np.ndarray:
    """mgcv's cr knots: ``quantile(unique(x), seq(0, 1, length = k))``."""
    u = np.unique(np.asarray(x, dtype=float))
    if k > len(u):
        raise ValueError(f"only {len(u)} unique covariate value(s), fewer than k = {k}")
    probs = np.arange(k) * (1.0 / (k - 1))
    probs[-1] = 1.0
    return r_quantile(u, probs)


@dataclass
class CubicRegression:
    """A cubic regression spline basis of one covariate: coefficients are the values at the knots."""

    knots: np.ndarray
    F: np.ndarray = field(repr=False)  # (k, k): second derivatives at the knots from the values
    S: list[np.ndarray] = field(repr=False)
    rank: list[int]
    X: np.ndarray = field(default=None, repr=False)  # (n, k) the basis on the data it was built from

    @property
    def k(self) -> int:
        return len(self.knots)

    @property
    def null_space_dim(self) -> int:
        return 2

    @classmethod
    def fit(cls, x: np.ndarray, k: int) -> "CubicRegression":
        """Construct the basis from covariate values ``x`` (n,) or (n, 1) (``smooth.construct.cr``)."""
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
        out = cls(knots, F, [(S + S.T) / 2], [k - 2])
        out.X = out.design(x)
        return out

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


def nat_param(X: np.ndarray, S: np.ndarray, rank: int, kind: int, unit_fnorm: bool):
    """mgcv's ``nat.param(X, S, rank, type = kind)`` for ``kind`` 2 or 3: returns (X, P, D)."""
    vals, V = r_eigen(S)
    p = X.shape[1]
    E = np.ones(p)
    E[:rank] = np.sqrt(vals[:rank])
    XV = X @ V
    col_norm = (XV ** 2).sum(axis=0) / E ** 2
    av = col_norm[:rank].mean()
    null = rank < p
    if null:
        E[rank:] = np.sqrt(col_norm[rank:] / av)
    P = V / E[None, :]
    Xn = XV / E[None, :]
    if null and kind == 3 and rank < p - 1:
        ind = np.arange(rank, p)
        Xc = Xn[:, ind] - Xn[:, ind].mean(axis=0)
        _, um = r_eigen(Xc.T @ Xc)
        Xn[:, ind[::-1]] = Xn[:, ind] @ um
        P[:, ind[::-1]] = P[:, ind] @ um
    scale = 1.0
    if unit_fnorm:
        scale = 1 / math.sqrt(float(np.mean(Xn[:, :rank] ** 2)))
        Xn[:, :rank] *= scale
        P[:rank, :] *= scale  # mgcv scales rows of P here (sic)
        if null:
            scalef = 1 / math.sqrt(float(np.mean(Xn[:, rank:] ** 2)))
            Xn[:, rank:] *= scalef
            P[rank:, :] *= scalef
    return Xn, P, np.full(rank, scale ** 2)


def _t2_blocks(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[list[np.ndarray], bool]:
    """``t2.model.matrix(full = FALSE)``: blocks of columns from marginal (penalised, null) parts."""
    Z1, N1 = parts[0]
    X2 = [Z1] + ([N1] if N1.shape[1] else [])
    no_null = N1.shape[1] == 0
    for Zi, Ni in parts[1:]:
        X1 = X2
        X2 = [row_kron(B, Zi) for B in X1]
        if Ni.shape[1]:
            X2 += [row_kron(B, Ni) for B in X1]
        else:
            no_null = True
    return X2, not no_null


@dataclass
class TensorT2:
    """mgcv's ``t2`` tensor product of 1-D marginal bases (``full = FALSE``).

    Each marginal is re-parameterised by ``nat.param(type = 3)``; the blocks of columns are the
    row-wise Kronecker products of the marginals' penalised (r) and unpenalised (n) parts in
    mgcv's order (rr, nr, rn, nn for two margins), each penalised block with its own identity
    penalty; the all-null block (last) is unpenalised.
    """

    margins: list = field(repr=False)
    P: list[np.ndarray] = field(repr=False)  # per margin: raw marginal columns -> re-parameterised
    ranks: list[int]
    S: list[np.ndarray] = field(repr=False)
    rank: list[int]
    null_cols: np.ndarray  # columns of the unpenalised block
    X: np.ndarray = field(repr=False)  # (n, p) the basis on the data it was built from

    @classmethod
    def fit(cls, margins: list) -> "TensorT2":
        parts, Ps, ranks = [], [], []
        for mb in margins:
            Xm, P, _ = nat_param(mb.X, mb.S[0], mb.rank[0], 3, True)
            r = mb.rank[0]
            parts.append((Xm[:, :r], Xm[:, r:]))
            Ps.append(P)
            ranks.append(r)
        blocks, has_null = _t2_blocks(parts)
        sizes = [b.shape[1] for b in blocks]
        p = sum(sizes)
        start = np.concatenate([[0], np.cumsum(sizes)])
        pen = blocks[:-1] if has_null else blocks
        S, rank = [], []
        for i in range(len(pen)):
            Si = np.zeros((p, p))
            idx = np.arange(start[i], start[i + 1])
            Si[idx, idx] = 1.0
            S.append(Si)
            rank.append(sizes[i])
        null = np.arange(start[len(pen)], p)
        return cls(margins, Ps, ranks, S, rank, null, np.hstack(blocks))

    @property
    def null_space_dim(self) -> int:
        return len(self.null_cols)

    def design(self, x: np.ndarray) -> np.ndarray:
        """``Predict.matrix.t2.smooth``: marginal prediction matrices times ``P``, then the blocks."""
        x = _as_2d(x)
        parts = []
        for i, (mb, P, r) in enumerate(zip(self.margins, self.P, self.ranks)):
            Xm = mb.design(x[:, i]) @ P
            parts.append((Xm[:, :r], Xm[:, r:]))
        return np.hstack(_t2_blocks(parts)[0])


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


def _r_qr_q(c: np.ndarray) -> np.ndarray:
    """The Q of R's (LINPACK ``dqrdc2``) QR decomposition of the column ``c``: ``I - u u' / u_1``."""
    nrm = math.sqrt(float(c @ c))
    if c[0] != 0:
        nrm = math.copysign(nrm, c[0])
    u = c / nrm
    u[0] += 1.0
    return np.eye(len(c)) - np.outer(u, u) / u[0]


def constraint_map(C: np.ndarray | int | None, p: int) -> np.ndarray:
    """smoothCon's absorbed constraint as a (p, p - 1) map of columns (identity without a constraint).

    ``C`` a row vector: mgcv's Householder constraint on its non-zero columns (all of them:
    ``qr(t(C))``; some: the partial form that keeps the others in place); an integer: drop that
    (1-based) column.
    """
    if C is None:
        return np.eye(p)
    if isinstance(C, (int, np.integer)):
        return np.delete(np.eye(p), int(C) - 1, axis=1)
    C = np.asarray(C, dtype=float)
    indi = np.flatnonzero(C != 0)
    if len(indi) == p:
        return _r_qr_q(C)[:, 1:]
    Q = _r_qr_q(C[indi])
    Z = np.eye(p)
    Z[:, indi] = 0.0
    for t, col in enumerate(indi[:-1]):
        Z[indi, col] = Q[:, 1 + t]
    return np.delete(Z, indi[-1], axis=1)


def default_constraint(basis, X_raw: np.ndarray) -> np.ndarray | int | None:
    """mgcv's identifiability constraint of a basis: column means (``t2``: of the unpenalised block only)."""
    if isinstance(basis, TensorT2):
        nnull = basis.null_space_dim
        if nnull == 0:
            return None
        if nnull == 1:
            return X_raw.shape[1]
        C = np.zeros(X_raw.shape[1])
        C[basis.null_cols] = X_raw[:, basis.null_cols].sum(axis=0)
        return C
    return X_raw.mean(axis=0)


def mixed_form(basis, X_raw: np.ndarray, constrain: bool = True, X_first: np.ndarray | None = None) -> MixedSmooth:
    """mgcv's ``smoothCon(absorb.cons = TRUE, diagonal.penalty = TRUE)`` + ``smooth2random(type = 2)``.

    Parameters
    ----------
    basis : a basis with ``S`` (penalties), ``rank`` and ``design()``.
    X_raw : the basis columns on the model data (before any ``by`` multiplication).
    constrain : absorb the identifiability constraint (mgcv drops it for a non-constant numeric ``by``).
    X_first : the columns of the first smooth after ``by`` multiplication (the first level of a factor
        ``by``, or ``by * X_raw``): mgcv scales the unpenalised columns by their norms there.
    """
    p = X_raw.shape[1]
    maXX = float(np.abs(X_raw).sum(axis=1).max()) ** 2
    S = [s / (float(np.abs(s).sum(axis=0).max()) / maXX) for s in basis.S]
    C = default_constraint(basis, X_raw) if constrain else None
    Zc = constraint_map(C, p)
    Sc = [Zc.T @ s @ Zc for s in S]
    q = Zc.shape[1]
    if len(Sc) == 1:
        rank = min(basis.rank[0], q)
        Xc = (X_raw if X_first is None else X_first) @ Zc
        _, P, D = nat_param(Xc, Sc[0], rank, 2, False)
        _, U2 = r_eigen(np.diag(np.concatenate([D, np.zeros(q - rank)])))
        T = Zc @ P @ U2
        return MixedSmooth(basis, T[:, rank:], [T[:, :rank]])
    used = np.zeros(q, dtype=bool)
    random = []
    for s in Sc:
        diag = np.diag(s)
        support = np.flatnonzero(diag != 0)
        used[support] = True
        random.append(Zc[:, support] / np.sqrt(diag[support]))
    return MixedSmooth(basis, Zc[:, ~used], random)
