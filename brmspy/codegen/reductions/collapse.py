"""Collapsed covariate patterns for bernoulli, binomial and poisson models (issue 7).

Rows whose Stan data are identical apart from the response (population design
``X``, group indices ``J``, group predictors ``Z``, multi-membership weights
``W``, offsets, ``trials`` and ``weights``) share one linear predictor, so
their likelihood terms combine exactly into one term per *covariate pattern*:

bernoulli
    ``prod_i p^y_i (1 - p)^(1 - y_i) = p^Y (1 - p)^(n - Y)``: a binomial with
    ``trials = n`` (the pattern's number of rows) and ``Y`` its successes;
binomial
    the same with summed trials;
poisson
    ``prod_i exp(-mu) mu^y_i / y_i! = exp(-n mu) (n mu)^Y / Y! * const``: a
    poisson with rate ``n * mu`` (``log(n)`` added to the log-link predictor).

Each collapsed term differs from the sum of its rows by a data-only constant
(binomial coefficients, ``log(y!)``, ``Y * log(n)``). The program adds that
constant (``lconst``), so its log density equals the row-wise program's
exactly (``lp__``, bridge sampling and :func:`tests.checks.assert_loglik_matches_stan`
see no difference). Rows with unequal ``weights`` never share a pattern, and
a pattern's weight multiplies its collapsed term, so weights stay exact too.

The centring of ``X`` uses means over the original rows (each pattern counted
``Nrows`` times), so ``Intercept`` means what it means in the row-wise program.
``reduce="auto"`` collapses only when it saves work: at least 1000 rows and
at most half as many patterns as rows; ``reduce=True`` wherever it is exact.
Post-processing never sees the patterns: ``build.frame`` keeps the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from functools import cached_property
from typing import ClassVar, Sequence

import numpy as np
import pandas as pd

from ...core.errors import DataError
from ...core.lazy import lazy_module
from ...core.stan import StanBlocks
from ...core.templates import stan_lines
from ...formula.prefix import Prefix
from ...formula.terms import MvBrmsTerms
from ...frame.specials import SpecialDesign
from ...frame.types import ModelFrame
from .. import pieces
from .base import Reduction

special = lazy_module("scipy.special")  # imported at first use: brmspy.core.lazy

FAMILIES = ("bernoulli", "binomial", "poisson")
#: below this many rows the row-wise program is cheap: reduce="auto" keeps brms's code (as the gaussian kinds)
MIN_ROWS = 1000
#: Stan ints are 32-bit: summed counts must fit
INT_MAX = 2**31 - 1


# ------------------------------------------------------------------ patterns


@dataclass(frozen=True)
class Patterns:
    """Which covariate pattern each row belongs to.

    Attributes
    ----------
    index : (N,) 0-based pattern of every row (patterns numbered by first appearance).
    first : (P,) the first row of each pattern (its representative).
    count : (P,) number of rows in each pattern.
    """

    index: np.ndarray
    first: np.ndarray
    count: np.ndarray

    @property
    def P(self) -> int:
        return len(self.first)

    def sum(self, values: np.ndarray) -> np.ndarray:
        """Per-pattern sums of a row-wise vector (float64: exact for integers below 2**53)."""
        return np.bincount(self.index, weights=np.asarray(values, dtype=float), minlength=self.P)


def pattern_index(columns: Sequence[np.ndarray], n: int) -> Patterns:
    """Group the ``n`` rows by equal values in all ``columns`` (vectorised, hash based).

    Each column is factorised on its own and the codes are combined one column at
    a time, re-factorising the combined code so that it stays below ``n``; the cost
    is O(n) per column (about 30 ms per column for 10**6 rows), no sorting.

    Examples
    --------
    >>> p = pattern_index([np.array([1.0, 2.0, 1.0, 1.0]), np.array([1, 1, 1, 2])], 4)
    >>> p.index.tolist(), p.first.tolist(), p.count.tolist()
    ([0, 1, 0, 2], [0, 1, 3], [2, 1, 1])
    """
    code = np.zeros(n, dtype=np.int64)
    for col in columns:
        c, uniq = pd.factorize(np.ascontiguousarray(col), use_na_sentinel=False)
        if len(uniq) <= 1:
            continue  # constant column (e.g. the intercept): splits nothing
        code, _ = pd.factorize(code * len(uniq) + c)  # < n * n: fits int64 for any realistic n
    code = code.astype(np.int64, copy=False)
    # factorize numbers codes by first appearance: a row starts a pattern iff its code exceeds all before it
    prev_max = np.maximum.accumulate(np.concatenate([[-1], code[:-1]])) if n else code
    first = np.flatnonzero(code > prev_max)
    return Patterns(code, first, np.bincount(code, minlength=len(first)))


def key_columns(frame: ModelFrame) -> list[np.ndarray]:
    """Every N-length datum of the row-wise program except the response.

    Two rows with equal values in all of them have the same linear predictor,
    trials and weight, so their likelihood terms can be combined exactly.
    """
    t = frame.terms
    rd = frame.responses[t.resp]
    design = frame.designs[Prefix(t.resp, "mu")]
    cols: list[np.ndarray] = []
    if design.X is not None:
        cols += list(np.asarray(design.X, dtype=float).T)
    for sp in design.specials:  # offsets only (see applies)
        cols.append(np.asarray(sp.offsets, dtype=float))
    for block in frame.blocks:
        cols += [np.asarray(J) for J in block.J]
        cols += [np.asarray(W, dtype=float) for W in (block.mm_weights or [])]
        cols += [np.asarray(c.Z, dtype=float) for c in block.coefs]
        cols += [np.asarray(z, dtype=float) for c in block.coefs for z in (c.Zm or [])]
    if rd.trials is not None and t.family.name == "binomial":
        cols.append(np.asarray(rd.trials))
    if rd.weights is not None:
        cols.append(np.asarray(rd.weights, dtype=float))
    return cols


# -------------------------------------------------------------- code frame


@dataclass
class CollapsedFrame(ModelFrame):
    """A :class:`ModelFrame` with one row per covariate pattern (for the code generator only).

    ``responses`` hold the pattern sums; ``patterns`` maps the original rows.
    """

    #: what ``N`` counts in the generated program (read by ``pieces.stan_N``)
    N_meaning: ClassVar[str] = "number of covariate patterns (rows with identical data collapsed)"

    patterns: Patterns | None = None


@dataclass
class PatternLogRows(SpecialDesign):
    """``log_Nrows`` on a log-link poisson predictor: a pattern's rate is ``Nrows`` times the mean.

    Not registered as a formula term; only :class:`CollapsePatterns` adds it to
    its code frame (``log_Nrows`` itself is declared with the response).
    """

    def predictor_terms(self) -> list[str]:
        return ["log_Nrows"]


# ---------------------------------------------------------------- reduction


class CollapsePatterns(Reduction):
    """bernoulli/binomial/poisson: one likelihood term per covariate pattern."""

    name = "collapse"

    @classmethod
    def applies(cls, frame: ModelFrame) -> bool:
        """Exact for univariate bernoulli/binomial/poisson models whose data are all row-wise.

        Any link; addition terms ``trials`` (binomial) and ``weights`` only; special
        terms ``offset()`` only (``s()``, ``gp()``, ``mo()``, ``me()``, ``mi()``, ``ar()``
        ... index rows in other ways or are not data); any group-level structure
        (its indices, predictors and multi-membership weights join the pattern key).
        """
        t = frame.terms
        if isinstance(t, MvBrmsTerms):
            return False
        fam = t.family
        if fam.name not in FAMILIES or not fam.kind.univariate or set(t.parts) != {"mu"} or t.nonlinear or t.fixed:
            return False
        allowed = {"weights", "trials"} if fam.name == "binomial" else {"weights"}
        if any(a.name not in allowed for a in t.response.additions):
            return False
        rd = frame.responses[t.resp]
        if rd.missing is not None or rd.adds is not None or rd.levels is not None:
            return False
        part = t.parts["mu"]
        if part.kind != "dpar" or any(s.kind != "offset" for s in part.terms.special_terms):
            return False
        design = frame.designs.get(Prefix(t.resp, "mu"))
        if design is None or design.Xcs is not None:
            return False
        if any(type(sp).__name__ != "OffsetDesign" for sp in design.specials):
            return False
        return all(c.prefix == design.prefix for b in frame.blocks for c in b.coefs)

    # -- data ----------------------------------------------------------------
    @cached_property
    def patterns(self) -> Patterns:
        return pattern_index(key_columns(self.frame), self.frame.N)

    @cached_property
    def _sums(self) -> dict[str, np.ndarray]:
        rd = self.frame.responses[self.frame.terms.resp]
        out = {"Y": np.rint(self.patterns.sum(rd.y)).astype(np.int64)}
        if self.frame.terms.family.name == "binomial":
            out["trials"] = np.rint(self.patterns.sum(rd.trials)).astype(np.int64)
        return out

    def _fits_int(self) -> bool:
        return all(int(v.max(initial=0)) <= INT_MAX for v in self._sums.values())

    def worthwhile(self) -> bool:
        """At least ``MIN_ROWS`` rows, at most half as many patterns, and summed counts that fit Stan's ints."""
        return self.frame.N >= MIN_ROWS and self.patterns.P <= self.frame.N / 2 and self._fits_int()

    def code_frame(self) -> CollapsedFrame:
        """A shallow copy of the frame with one row per pattern (``build.frame`` is untouched)."""
        if not self._fits_int():
            raise DataError(
                "Collapsed counts exceed Stan's largest integer (2^31 - 1); use brm(..., reduce=False)."
            )
        f, p = self.frame, self.patterns
        first = p.first
        t = f.terms
        rd = f.responses[t.resp]
        sums = self._sums
        resp = replace(
            rd,
            y=sums["Y"],
            trials=sums.get("trials"),
            weights=None if rd.weights is None else np.asarray(rd.weights)[first],
        )
        designs = {}
        for prefix, d in f.designs.items():
            specials = [replace(sp, offsets=np.asarray(sp.offsets)[first]) for sp in d.specials]
            if t.family.name == "poisson" and t.family.link == "log":
                specials.append(PatternLogRows(prefix, (), d.formula))
            designs[prefix] = replace(d, X=None if d.X is None else np.asarray(d.X)[first], specials=specials)
        blocks = [
            replace(
                b,
                J=[np.asarray(J)[first] for J in b.J],
                mm_weights=None if b.mm_weights is None else [np.asarray(W)[first] for W in b.mm_weights],
                coefs=[replace(c, Z=np.asarray(c.Z)[first],
                               Zm=None if c.Zm is None else [np.asarray(z)[first] for z in c.Zm]) for c in b.coefs],
            )
            for b in f.blocks
        ]
        base = {fl.name: getattr(f, fl.name) for fl in fields(ModelFrame)}
        base.update(
            data=f.data.iloc[first].reset_index(drop=True),
            responses={**f.responses, t.resp: resp},
            designs=designs,
            blocks=blocks,
        )
        return CollapsedFrame(**base, patterns=p)

    # -- code ----------------------------------------------------------------
    def response(self, t, rd) -> StanBlocks:
        """Summed response (and trials), weights, ``Nrows`` and the data-only constant.

        ``rd`` is the code frame's (collapsed) response.
        """
        fam = t.family.name
        p = self.patterns
        row = self.frame.responses[t.resp]  # the original rows, for the row part of the constant
        w_rows = None if row.weights is None else np.asarray(row.weights, dtype=float)
        weighted = rd.weights is not None
        design = self.frame.designs[Prefix(t.resp, "mu")]
        same = ["covariates"] + ["group memberships"] * bool(self.frame.blocks) + ["offsets"] * bool(design.specials)
        same += ["trials"] * (fam == "binomial") + ["weights"] * weighted
        same_text = same[0] if len(same) == 1 else ", ".join(same[:-1]) + " and " + same[-1]
        sb = StanBlocks()
        sb.data += [
            f"// rows with identical {same_text} were collapsed into",
            "// N covariate patterns with summed responses (an exact reduction of the likelihood);",
            "// brm(..., reduce=False) gives the row-wise program",
        ]
        what = {"bernoulli": "number of successes", "binomial": "number of successes", "poisson": "sum of counts"}[fam]
        sb.declare("array[N] int Y", "Y", rd.y, f"response variable: {what} of each pattern")
        if fam == "binomial":
            sb.declare("array[N] int trials", "trials", rd.trials, "number of trials: summed over each pattern's rows")
        if weighted:
            sb.declare("vector<lower=0>[N] weights", "weights", rd.weights, "model weights (equal within a pattern)")
        sb.declare("array[N] int<lower=1> Nrows", "Nrows", p.count.astype(np.int64), "number of original rows in each pattern")

        # vector arguments: stanli 0.24 truncates sum(lchoose(int array, int array)) of length 1 to an integer
        def total(expr: str) -> str:  # sum over patterns, weighted by the pattern's weight
            return f"dot_product(weights, {expr})" if weighted else f"sum({expr})"

        def rows_total(values: np.ndarray) -> float:
            return float(np.sum(values if w_rows is None else w_rows * values))

        y_rows = np.asarray(row.y, dtype=float)
        if fam == "bernoulli":
            lconst = f"-{total('lchoose(to_vector(Nrows), to_vector(Y))')}"
            why = ["// data-only constant: removes the binomial coefficients of the collapsed likelihood"]
        elif fam == "binomial":
            t_rows = np.asarray(row.trials, dtype=float)
            lchoose = special.gammaln(t_rows + 1) - special.gammaln(y_rows + 1) - special.gammaln(t_rows - y_rows + 1)
            sb.declare("real lchoose_rows", "lchoose_rows", rows_total(lchoose),
                       "log binomial coefficients of the original rows" + (" (weighted)" if weighted else "") + ", summed")
            lconst = f"lchoose_rows - {total('lchoose(to_vector(trials), to_vector(Y))')}"
            why = ["// data-only constant: swaps the binomial coefficients of the patterns for those of the rows"]
        else:
            sb.declare("real lfactorial_rows", "lfactorial_rows", rows_total(special.gammaln(y_rows + 1)),
                       "log(Y!) of the original rows" + (" (weighted)" if weighted else "") + ", summed")
            sb.tdata_def.append("vector[N] log_Nrows = log(to_vector(Nrows));  // a pattern's rate is Nrows times its mean")
            lconst = f"{total('lgamma(to_vector(Y) + 1) - to_vector(Y) .* log_Nrows')} - lfactorial_rows"
            why = ["// data-only constant: swaps log(Y!) of the patterns for those of the rows and",
                   "// removes Y * log(Nrows) of the pattern rates"]
        sb.tdata_def += [*why, "// so that the log density equals that of the row-wise program", f"real lconst = {lconst};"]
        return sb

    def fe(self, design, priors) -> StanBlocks | None:
        """``stan_fe`` with centring means over the original rows (patterns weighted by ``Nrows``)."""
        sb = pieces.stan_fe(design, priors)
        s = design.prefix.suffix
        old = f"  means_X{s}[i - 1] = mean(X{s}[, i]);"
        if old in sb.tdata_comp:
            i = sb.tdata_comp.index(old)
            sb.tdata_comp[i:i + 1] = [
                "  // mean over the original rows: each pattern counts Nrows times",
                f"  means_X{s}[i - 1] = dot_product(to_vector(Nrows), X{s}[, i]) / sum(Nrows);",
            ]
        elif design.intercept and design.coef_names:  # pragma: no cover - stan_fe changed its centring
            raise RuntimeError("internal: collapse reduction cannot find the centring of X in stan_fe")
        return sb

    def likelihood(self, frame, t) -> StanBlocks:
        """Binomial (bernoulli/binomial) or poisson likelihood of the patterns plus ``lconst``.

        ``frame`` is the code frame; the linear predictor is built as in the row-wise program.
        """
        fam = t.family
        rd = frame.responses[t.resp]
        prefix = Prefix(t.resp, "mu")
        design = frame.designs[prefix]
        glm = pieces.uses_glm(t, design, rd)  # canonical link, X, no weights
        canonical = fam.link in fam.spec.canonical
        sb = StanBlocks()
        sb += pieces.stan_predictor(frame, t, prefix, glm=glm, tuning=self.tuning)
        if not (glm or canonical):
            sb += pieces.stan_inv_link(t, prefix, fam.link)
        weighted = rd.weights is not None
        if fam.name in ("bernoulli", "binomial"):
            n = "Nrows" if fam.name == "bernoulli" else "trials"
            sb.likelihood.append(f"// successes of each pattern out of its {'rows' if n == 'Nrows' else 'summed trials'}")
            dist = "binomial_logit" if canonical else "binomial"
            if glm:
                alpha = self._glm_alpha(frame, design)
                call = f"binomial_logit_glm_lpmf(Y | {n}, {pieces.design_matrix_name(design)}, {alpha}, b)"
            elif weighted:
                call = f"{dist}_lpmf(Y[n] | {n}[n], mu[n])"
            else:
                call = f"{dist}_lpmf(Y | {n}, mu)"
        else:
            if canonical:
                sb.likelihood.append("// summed counts of each pattern: log rate = log(Nrows) + linear predictor")
                if glm:
                    alpha = self._glm_alpha(frame, design)
                    call = f"poisson_log_glm_lpmf(Y | {pieces.design_matrix_name(design)}, {alpha}, b)"
                elif weighted:
                    call = "poisson_log_lpmf(Y[n] | mu[n])"
                else:
                    call = "poisson_log_lpmf(Y | mu)"
            else:
                sb.likelihood.append("// summed counts of each pattern: rate = Nrows * mean")
                call = "poisson_lpmf(Y[n] | Nrows[n] * mu[n])" if weighted else "poisson_lpmf(Y | to_vector(Nrows) .* mu)"
        if weighted:
            sb.likelihood += stan_lines("likelihood", "rowwise", lines=[f"target += weights[n] * {call};"])
        else:
            sb.likelihood.append(f"target += {call};")
        sb.likelihood.append("target += lconst;  // data-only constant (see transformed data)")
        return sb

    @staticmethod
    def _glm_alpha(frame: ModelFrame, design) -> str:
        """The ``alpha`` argument of a ``*_glm`` call, as ``pieces.stan_likelihood`` chooses it."""
        has_terms = bool(pieces.re_contributions(frame, design.prefix)) or any(
            sp.predictor_terms() for sp in design.specials
        )
        if has_terms:
            return pieces.lp_name(design.prefix)
        return f"Intercept{design.prefix.suffix}" if design.intercept else "0.0"


__all__ = ["CollapsePatterns", "CollapsedFrame", "Patterns", "key_columns", "pattern_index"]
