"""Negative binomial models from the distinct values of the response (issue 24).

The negative binomial log likelihood of row ``i`` (log link, shape ``phi``, ``eta_i`` the
linear predictor, ``d_i = eta_i - log(phi)``) is

    lgamma(y_i + phi) - lgamma(phi) - lgamma(y_i + 1) + y_i * d_i - (y_i + phi) * log1p_exp(d_i)

(from ``y * eta + phi * log(phi) - (y + phi) * log(exp(eta) + phi)``). With a constant ``phi``
the ``lgamma(y_i + phi)`` terms depend on the row only through ``y_i``, so they are summed over
the distinct response values weighted by their counts (data: ``Y_values``, ``Y_counts``), and
``-lgamma(y_i + 1)`` is summed once in ``transformed data``. ``neg_binomial_2_log_glm_lpmf``
evaluates ``lgamma`` and ``digamma`` of ``y_i + phi`` for every row and gradient; counts
rarely take more than a few dozen values. The log density equals brms's program's, constants
included (``log1p_exp`` keeps it finite wherever ``log_sum_exp`` does).

CPU time per ``log_prob_grad`` of ``y ~ x + (1 | g)``, stanli 0.24: brms's program
(``neg_binomial_2_log_glm_lpmf``) against this form, 80 rows 13.4 -> 10.4 us, 240 rows 25 -> 14 us,
400 rows (issue 24's goal 2 benchmark) 35 -> 19 us, 10^5 rows 9.7 -> 3.4 ms; the same form with
``log_sum_exp(mu, log(shape))`` instead of ``log1p_exp``: 21 us at 400 rows. Cheaper at every size
measured; ``reduce="auto"`` starts at :data:`MIN_ROWS` so that the smallest programs, which users
read next to brms's, stay brms's (the other reductions start at 1000 rows, where goal 2's 400-row
benchmark would not reach it).
"""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property

import numpy as np

from ...core.stan import StanBlocks
from ...core.templates import stan_lines
from ...formula.prefix import Prefix, resp_suffix
from ...formula.terms import MvBrmsTerms
from ...frame.types import ModelFrame
from .. import pieces
from ..likelihood import stan_response
from ..tuning import Tuning
from .base import Reduction

#: family -> the link this reduction is exact for
VALUE_FAMILIES = {"negbinomial": "log"}
#: rows from which ``reduce="auto"`` uses it (smaller programs stay brms's)
MIN_ROWS = 200
#: at most this share of rows may be distinct values (else the lgamma terms are not fewer)
MAX_VALUE_SHARE = 0.25


class CountValues(Reduction):
    """negbinomial (log link, constant shape): ``lgamma(Y + shape)`` over the distinct values of ``Y``."""

    name = "count_values"
    per_row = True  # a gradient still costs O(rows): threads, when asked for, split them instead

    @classmethod
    def applies(cls, frame: ModelFrame) -> bool:
        """Univariate, the log link, shape estimated and not predicted, plain rows (no weights,
        addition terms, missing values or autocorrelation terms), a linear formula for mu."""
        t = frame.terms
        if isinstance(t, MvBrmsTerms):
            return False
        fam = t.family
        if VALUE_FAMILIES.get(fam.name) != fam.link or not fam.kind.univariate:
            return False
        if set(t.parts) != {"mu"} or t.nonlinear or t.fixed or "shape" not in t.estimated_constants:
            return False
        rd = frame.responses[t.resp]
        if rd.weights is not None or rd.adds is not None or rd.missing is not None or rd.levels is not None:
            return False
        design = frame.designs.get(Prefix(t.resp, "mu"))
        if design is None:
            return False
        return not any(type(sp).__name__ == "AutocorDesign" for sp in design.specials)  # ARMA terms need mu

    @cached_property
    def _values(self) -> tuple[np.ndarray, np.ndarray]:
        t = self.frame.terms
        return np.unique(np.asarray(self.frame.responses[t.resp].y, dtype=np.int64), return_counts=True)

    def worthwhile(self) -> bool:
        return self.frame.N >= MIN_ROWS and len(self._values[0]) <= MAX_VALUE_SHARE * self.frame.N

    def response(self, t, rd) -> StanBlocks:
        sb = stan_response(t, rd)
        s = resp_suffix(t.resp)
        values, counts = self._values
        sb.declare(f"int<lower=1> NY_values{s}", f"NY_values{s}", len(values), "number of distinct response values")
        sb.declare(f"vector[NY_values{s}] Y_values{s}", f"Y_values{s}", values.astype(float), "distinct response values")
        sb.declare(f"vector[NY_values{s}] Y_counts{s}", f"Y_counts{s}", counts.astype(float), "rows per distinct value")
        return sb

    def likelihood(self, frame: ModelFrame, t) -> StanBlocks:
        s = resp_suffix(t.resp)
        prefix = Prefix(t.resp, "mu")
        mu, shape, Y = pieces.lp_name(prefix), f"shape{s}", f"Y{s}"
        sb = StanBlocks()
        # the program is not brms's anyway: mu as one expression (the lean form of brmspy.codegen.tuning)
        tuning = replace(self.tuning or Tuning(), unit_z=True)
        sb += pieces.stan_predictor(frame, t, prefix, glm=False, tuning=tuning)
        sb.tdata_def += [
            "// data-only part of the log likelihood, summed once",
            f"real lconst{s} = -sum(lgamma(to_vector({Y}) + 1));",
            f"vector[N] Yv{s} = to_vector({Y});",
        ]
        sb.likelihood += stan_lines("reductions", "negbinomial_values", Y=Y, mu=mu, shape=shape, s=s)
        return sb


__all__ = ["CountValues"]
