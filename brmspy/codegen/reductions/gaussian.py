"""Gaussian likelihoods from sufficient statistics (issue 7).

With a gaussian response, identity link and one ``sigma`` for all rows, the
row-wise log likelihood depends on the data only through cross-products::

    sum_i w_i (y_i - W_i theta)^2 = y'Wy - 2 theta' W'Wy + theta' W'WW theta

where ``theta = [Intercept, b, r_1_1, r_1_2, ...]`` stacks every coefficient of
the linear predictor and ``W`` is the matching row design (``1``, the centred
population columns, and one column per group level and varying coefficient).
Two exact reductions follow:

``gaussian_marginal``
    One grouping factor (varying intercepts and/or slopes, correlated or not):
    the group-level effects are integrated out analytically, level by level,
    from per-level statistics ``Z_j'Z_j``, ``Z_j'W_j``, ``Z_j'y_j``. The sampler
    explores only ``b``, ``Intercept``, ``sd``, ``L`` and ``sigma``; the effects
    ``r`` are drawn from their exact conditional posterior in generated
    quantities, so the joint posterior is the one brms samples, with far
    better geometry when groups hold many rows. A gradient costs
    O(levels x coefficients^2), not O(rows).
``gaussian_suffstats``
    Any other group structure (crossed, nested, multi-membership, ``by``,
    known covariance) or weights: the quadratic form uses the sparse matrix
    ``W'W`` (CSR) so a gradient costs O(non-zeros of W'W).

Both are chosen only when exact (see :meth:`GaussianReduction.applies`), and by
``reduce="auto"`` only when they save work: at least 1000 rows, and more rows
than group-level coefficients (marginal) or a ``W'W`` with fewer non-zeros than
a quarter of the rows (sufficient statistics). Small examples keep brms's
row-wise program, which users compare with brms.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from ...core.lazy import lazy_module
from ...core.stan import StanBlocks
from ...core.templates import stan_lines
from ...formula.prefix import Prefix
from ...formula.terms import MvBrmsTerms
from ...frame.types import ModelFrame, ReBlock
from .. import pieces
from .base import Reduction

sp = lazy_module("scipy.sparse")  # imported at first use: brmspy.core.lazy

MIN_ROWS = 1000  # below this the row-wise program is cheap; keep brms's code


def _design(frame: ModelFrame):
    return frame.designs[Prefix("", "mu")]


def _population(frame: ModelFrame) -> tuple[np.ndarray, np.ndarray]:
    """Columns of W for the population part ([1, Xc] or X) and the centring means."""
    design = _design(frame)
    if not design.coef_names:  # intercept only: X may not be stored
        return np.ones((frame.N, 1)), np.zeros(0)
    X = np.asarray(design.X, dtype=float)
    if design.intercept:
        means = X[:, 1:].mean(axis=0)
        W = np.column_stack([np.ones(len(X)), X[:, 1:] - means])
        return W, means
    return X, np.zeros(0)


def _drop_data(sb: StanBlocks, names: set[str]) -> StanBlocks:
    """Remove the data declarations (and values) of ``names`` from ``sb``."""
    def declared(line: str) -> str | None:
        head = line.split(";", 1)[0].strip()
        return head.split()[-1] if head and not head.startswith("//") else None

    sb.data = [ln for ln in sb.data if declared(ln) not in names]
    for n in names:
        sb.values.pop(n, None)
    return sb


def _row_data_names(block: ReBlock) -> set[str]:
    k = block.id
    names = {f"J_{k}"} | {f"J_{k}_{m}" for m in range(1, len(block.J) + 1)}
    names |= {f"W_{k}_{m}" for m in range(1, len(block.J) + 1)}
    names |= {pieces.z_name(block, j) for j in range(1, block.M + 1)}
    return names


def _theta_parts_pop(frame: ModelFrame) -> list[str]:
    """Population coefficients in W's column order."""
    design = _design(frame)
    return (["Intercept"] if design.intercept else []) + (["b"] if design.coef_names else [])


def _theta_parts(frame: ModelFrame) -> list[str]:
    """All coefficients of the linear predictor, in W's column order."""
    parts = _theta_parts_pop(frame)
    for block in frame.blocks:
        parts += [pieces.r_name(block, j) for j in range(1, block.M + 1)]
    return parts


def _append_rows(parts: list[str]) -> str:
    expr = parts[0] if len(parts) > 1 or parts[0] != "Intercept" else "rep_vector(Intercept, 1)"
    for p in parts[1:]:
        expr = f"append_row({expr}, {p})"
    return expr


class GaussianReduction(Reduction):
    """Shared checks and population-level pieces of both gaussian reductions."""

    @classmethod
    def eligible(cls, frame: ModelFrame) -> bool:
        t = frame.terms
        if isinstance(t, MvBrmsTerms) or t.family.name != "gaussian" or t.nonlinear:
            return False
        if t.family.links.get("mu") != "identity" or set(t.parts) != {"mu"}:
            return False
        rd = frame.responses[t.resp]
        design = frame.designs.get(Prefix("", "mu"))
        if design is None or rd.adds is not None or rd.missing is not None or rd.trials is not None:
            return False
        if design.specials or design.Xcs is not None:  # offset(), mo(), s(), ar(), ... stay row-wise
            return False
        return design.intercept or bool(design.coef_names)

    # -- pieces shared by both modes ---------------------------------------
    def fe(self, design, priors) -> StanBlocks | None:
        """``K`` and the centring means as data (no ``X``): the statistics summarise the rows."""
        if design.prefix != Prefix("", "mu"):
            return None
        sb = pieces.stan_fe(design, priors)
        sb = _drop_data(sb, {"X"})
        if design.intercept and design.coef_names:
            _, means = _population(self.frame)
            sb.tdata_def = [ln for ln in sb.tdata_def if ln.startswith("int Kc")]  # no Xc, no means_X
            sb.tdata_comp = []
            sb.declare("vector[K - 1] means_X", "means_X", means, "column means of X before centering")
        return sb

    def _response_common(self, sb: StanBlocks) -> None:
        rd = self.frame.responses[""]
        w = np.ones(self.frame.N) if rd.weights is None else np.asarray(rd.weights, dtype=float)
        y = np.asarray(rd.y, dtype=float)
        sb.data.append(f"// sufficient statistics of the gaussian likelihood ({self.name}; brm(reduce=False): row-wise)")
        sb.declare("int<lower=1> Kw", "Kw", _population(self.frame)[0].shape[1], "columns of W, the population design ([1, Xc] with an intercept)")
        sb.declare("real YtY", "YtY", float(np.sum(w * y * y)), "sum of squared responses")
        if rd.weights is not None:
            sb.declare("real<lower=0> sum_weights", "sum_weights", float(w.sum()), "sum of the model weights")


class GaussianMarginal(GaussianReduction):
    """One grouping factor: group-level effects integrated out exactly.

    Per level ``j`` the rows follow ``multi_normal(W_j beta, sigma^2 I + Z_j Sigma Z_j')``.
    With ``Sigma = Lr Lr'`` and ``B_j = Lr' Z_j'Z_j Lr + sigma^2 I = C_j C_j'``
    (Sylvester and Woodbury)::

        log det = (n_j - M) log sigma^2 + log det B_j
        quadratic form = (e_j'e_j - |C_j^-1 Lr' Z_j'e_j|^2) / sigma^2,  e_j = y_j - W_j beta

    The M x M Cholesky factor is unrolled into vector operations over all
    levels at once (M is part of the model's structure), so a gradient costs a
    few dozen vector operations of length ``N_1``, whatever the number of rows.
    """

    name = "gaussian_marginal"

    @classmethod
    def applies(cls, frame: ModelFrame) -> bool:
        if not cls.eligible(frame) or frame.responses[""].weights is not None or len(frame.blocks) != 1:
            return False
        b = frame.blocks[0]
        return not (b.is_mm or b.by or b.Lcov is not None or b.is_student) and all(c.prefix == Prefix("", "mu") for c in b.coefs)

    def worthwhile(self) -> bool:
        # a gradient costs O(levels x M^2) instead of O(rows x M), and the sampler no longer
        # explores one standardized effect per level and coefficient: worth it as soon as
        # there are more rows than group-level coefficients
        b = self.frame.blocks[0]
        return self.frame.N >= MIN_ROWS and b.N_levels * b.M < self.frame.N

    @cached_property
    def _stats(self) -> dict[str, np.ndarray]:
        rd, block = self.frame.responses[""], self.frame.blocks[0]
        W, _ = _population(self.frame)
        y = np.asarray(rd.y, dtype=float)
        J = np.asarray(block.J[0]) - 1
        Z = np.column_stack([c.Z for c in block.coefs]).astype(float)
        G, M, p = block.N_levels, block.M, W.shape[1]

        def per_level(v: np.ndarray) -> np.ndarray:
            return np.bincount(J, weights=v, minlength=G)

        ZtZ = np.zeros((M, M, G))  # only a <= c is used (symmetric)
        for a in range(M):
            for c in range(a, M):
                ZtZ[a, c] = ZtZ[c, a] = per_level(Z[:, a] * Z[:, c])
        ZtW = np.stack([np.stack([per_level(Z[:, a] * W[:, c]) for c in range(p)], axis=1) for a in range(M)])
        ZtY = np.stack([per_level(Z[:, a] * y) for a in range(M)])
        return {"WtW": W.T @ W, "WtY": W.T @ y, "ZtZ": ZtZ, "ZtW": ZtW, "ZtY": ZtY}

    def response(self, t, rd) -> StanBlocks | None:
        s = self._stats
        sb = StanBlocks()
        self._response_common(sb)
        sb.declare("vector[Kw] WtY", "WtY", s["WtY"], "W' * Y")
        sb.declare("matrix[Kw, Kw] WtW", "WtW", s["WtW"], "W' * W")
        return sb

    def re(self, block: ReBlock) -> StanBlocks | None:
        k, s = block.id, self._stats
        sb = StanBlocks()
        sb.data.append(f"// data for group-level effects of ID {k}, summarised per level j")
        sb.declare(f"int<lower=1> N_{k}", f"N_{k}", block.N_levels, "number of grouping levels")
        sb.declare(f"int<lower=1> M_{k}", f"M_{k}", block.M, "number of coefficients per level")
        sb.declare(f"array[M_{k}, M_{k}] vector[N_{k}] ZtZ_{k}", f"ZtZ_{k}", s["ZtZ"], "Z_j' * Z_j by level")
        sb.declare(f"array[M_{k}] matrix[N_{k}, Kw] ZtW_{k}", f"ZtW_{k}", s["ZtW"], "Z_j' * W_j by level")
        sb.declare(f"array[M_{k}] vector[N_{k}] ZtY_{k}", f"ZtY_{k}", s["ZtY"], "Z_j' * Y_j by level")
        if block.has_cor:
            sb.declare(f"int<lower=1> NC_{k}", f"NC_{k}", block.M * (block.M - 1) // 2, "number of group-level correlations")
        terms = ", ".join(dict.fromkeys(t.label for t in block.terms))
        sb.par.append(f"vector<lower=0>[M_{k}] sd_{k};  // group-level standard deviations {terms}")
        if block.has_cor:
            sb.par.append(f"cholesky_factor_corr[M_{k}] L_{k};  // cholesky factor of correlation matrix")
            pieces._cor_gq(sb, block)
        # the effects are not parameters: drawn from their exact conditional posterior
        M = block.M
        rvec = [pieces.r_name(block, j) for j in range(1, M + 1)]
        sb.gen_def += [
            f"// group-level effects of {terms}, drawn from their exact conditional posterior",
            *[f"vector[N_{k}] {r};" for r in rvec],
        ]
        solve = []  # s = C' \ (v + sigma * e), back substitution from the last coefficient
        for a in range(M, 0, -1):
            later = "".join(f" - C_{e}{a} .* s[{e}]" for e in range(a + 1, M + 1))
            solve.append(f"s[{a}] = (v_{a} + sigma * s[{a}]{later}) ./ C_{a}{a};")
        effects = [f"{rvec[a - 1]} = " + " + ".join(f"Lr[{a}, {e}] * s[{e}]" for e in range(1, a + 1)) + ";"
                   for a in range(1, M + 1)]
        sb.gen_comp += stan_lines("reductions", "marginal_effects", k=k, level_terms=self._level_terms(block),
                                  solve=solve, effects=effects)
        return sb

    def _level_terms(self, block: ReBlock) -> list[str]:
        """Shared lines: Lr, beta, and per level B = Lr' ZtZ Lr + sigma^2 I = C C', v = C \\ Lr' Z'e."""
        k, M = block.id, block.M
        Lr = f"diag_pre_multiply(sd_{k}, L_{k})" if block.has_cor else f"diag_matrix(sd_{k})"
        n = f"N_{k}"
        out = stan_lines("reductions", "level_head", k=k, Lr=Lr, beta=_append_rows(_theta_parts_pop(self.frame)))
        for a in range(1, M + 1):
            for c in range(1, a + 1):  # B's lower triangle needs P[a, c] with a >= c only
                terms = [f"ZtZ_{k}[{min(a, e)}, {max(a, e)}] * Lr[{e}, {c}]" for e in range(c, M + 1)]
                out.append(f"vector[{n}] P_{a}{c} = {' + '.join(terms)};")
        out.append("// B = Lr' * P + sigma2 * I = C * C' (lower triangles, cholesky unrolled)")
        for a in range(1, M + 1):
            for c in range(1, a + 1):
                terms = " + ".join(f"Lr[{e}, {a}] * P_{e}{c}" for e in range(a, M + 1))
                out.append(f"vector[{n}] B_{a}{c} = {terms}{' + sigma2' if a == c else ''};")
        for c in range(1, M + 1):
            prev = "".join(f" - square(C_{c}{e})" for e in range(1, c))
            out.append(f"vector[{n}] C_{c}{c} = sqrt(B_{c}{c}{prev});")
            for a in range(c + 1, M + 1):
                prev = "".join(f" - C_{a}{e} .* C_{c}{e}" for e in range(1, c))
                num = f"(B_{a}{c}{prev})" if prev else f"B_{a}{c}"
                out.append(f"vector[{n}] C_{a}{c} = {num} ./ C_{c}{c};")
        out.append("// v = C \\ (Lr' * Z'(Y - W * beta))")
        for a in range(1, M + 1):
            out.append(f"vector[{n}] d_{a} = ZtY_{k}[{a}] - ZtW_{k}[{a}] * beta;")
        for a in range(1, M + 1):
            u = " + ".join(f"Lr[{e}, {a}] * d_{e}" for e in range(a, M + 1))
            prev = "".join(f" - C_{a}{e} .* v_{e}" for e in range(1, a))
            out.append(f"vector[{n}] v_{a} = ({u}{prev}) ./ C_{a}{a};")
        return out

    def likelihood(self, frame, t) -> StanBlocks | None:
        block = frame.blocks[0]
        k, M = block.id, block.M
        sb = StanBlocks()
        sb.likelihood += stan_lines(
            "reductions", "marginal_likelihood", k=k, level_terms=self._level_terms(block),
            explained=" - ".join(f"dot_self(v_{a})" for a in range(1, M + 1)),
            log_diagonals=" + ".join(f"sum(log(C_{a}{a}))" for a in range(1, M + 1)),
        )
        return sb


class GaussianSuffstats(GaussianReduction):
    """Any group structure or weights: a sparse quadratic form in all coefficients."""

    name = "gaussian_suffstats"

    @classmethod
    def applies(cls, frame: ModelFrame) -> bool:
        return cls.eligible(frame) and all(c.prefix == Prefix("", "mu") for b in frame.blocks for c in b.coefs)

    @cached_property
    def _W(self) -> sp.csr_matrix:
        """Sparse row design: population columns, then each block's coefficients by level."""
        Wp, _ = _population(self.frame)
        N = self.frame.N
        mats = [sp.csr_matrix(Wp)]
        for block in self.frame.blocks:
            for c in block.coefs:
                members = block.mm_weights or [np.ones(N)] * len(block.J)
                rows = np.concatenate([np.arange(N)] * len(block.J))
                cols = np.concatenate([np.asarray(J) - 1 for J in block.J])
                vals = np.concatenate([np.asarray(w, dtype=float) * c.Z for w in members])
                mats.append(sp.csr_matrix((vals, (rows, cols)), shape=(N, block.N_levels)))
        return sp.hstack(mats, format="csr")

    def worthwhile(self) -> bool:
        return self.frame.N >= MIN_ROWS and (self._W.T @ self._W).nnz < self.frame.N / 4

    def response(self, t, rd) -> StanBlocks | None:
        W = self._W
        w = None if rd.weights is None else np.asarray(rd.weights, dtype=float)
        Ww = W if w is None else sp.diags(w) @ W
        G = (W.T @ Ww).tocsr()
        G.sort_indices()
        y = np.asarray(rd.y, dtype=float)
        sb = StanBlocks()
        self._response_common(sb)
        sb.data.append("// theta = [" + ", ".join(_theta_parts(self.frame)) + "]; W its row design")
        sb.declare("int<lower=1> Kss", "Kss", G.shape[0], "length of theta")
        sb.declare("vector[Kss] WtY", "WtY", np.asarray(Ww.T @ y).ravel(), "W' * Y")
        sb.declare("int<lower=1> NZ_WtW", "NZ_WtW", int(G.nnz), "non-zeros of W' * W")
        sb.declare("vector[NZ_WtW] WtW_w", "WtW_w", G.data, "W' * W in CSR form: values")
        sb.declare("array[NZ_WtW] int WtW_v", "WtW_v", G.indices.astype(np.int64) + 1, "column indices")
        sb.declare("array[Kss + 1] int WtW_u", "WtW_u", G.indptr.astype(np.int64) + 1, "row starts")
        return sb

    def re(self, block: ReBlock) -> StanBlocks | None:
        return _drop_data(pieces.stan_re(block), _row_data_names(block))

    def likelihood(self, frame, t) -> StanBlocks | None:
        rd = frame.responses[t.resp]
        n = "sum_weights" if rd.weights is not None else "N"
        sb = StanBlocks()
        sb.likelihood += stan_lines("reductions", "suffstats_likelihood", theta=_append_rows(_theta_parts(frame)), n=n)
        return sb
