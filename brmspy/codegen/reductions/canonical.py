"""Canonical-link count models from sufficient statistics (issue 7).

With a canonical link (poisson ``log``, bernoulli and binomial ``logit``) the log
likelihood of row ``i`` is ``y_i * eta_i - n_i * A(eta_i) + c_i`` with ``A = exp``
(poisson) or ``log1p_exp`` (``n_i`` trials, 1 for bernoulli) and a data-only ``c_i``.
The first part, summed over rows, is linear in the parameters:

    sum_i y_i eta_i = Intercept * sum(y) + (Xc' y)' b + sum_k sum_j (Z_k_j y per level)' r_k_j
                      + sum(y .* offsets)

so transformed data computes ``sum(Y)``, ``Xc' * Y`` and, per group-level coefficient,
the per-level sums of ``Y .* Z`` once; a gradient then needs the rows only for
``sum(A(eta))``. This is exact (the log density equals the row-wise program's,
constants included), but unlike the gaussian reductions each gradient still
touches every row: it saves the products and the reverse pass of the linear part,
about a third of a poisson gradient at 10^5 rows under stanli. ``reduce="auto"``
uses it for poisson and binomial from 1000 rows when :mod:`~brmspy.codegen.reductions.collapse`
does not apply or saves nothing, and not with ``threads`` (which split the rows instead).

Not for bernoulli under ``reduce="auto"`` (``reduce="canonical_suffstats"`` still asks for it):
stanli's ``log1p_exp`` pass over the rows costs more than the linear part saves. CPU time per
``log_prob_grad`` of ``y ~ x + (1 | g)`` at 10^5 rows and 1000 groups: this reduction 3.2 ms,
the row-wise ``bernoulli_logit_glm_lupmf`` 1.6 ms (``bernoulli_logit_lupmf`` without population
effects: 2.3 ms). For poisson (0.84 ms against 1.26 ms for ``poisson_log_glm_lupmf`` + ``lconst``,
3.1 ms for ``poisson_log_glm_lpmf``) and binomial (2.6 ms against 5.6 ms for
``binomial_logit_glm_lupmf``, 4.5 ms for ``binomial_logit_lupmf``) the reduction is the cheapest form.

Also measured for that bernoulli model (same data, CPU per gradient; the ``glm`` form 1.6 ms, of
which 1.43 ms is the glm over the rows and 0.15 ms the gather ``a_1_1[J_1]``): ``bernoulli_logit_lpmf``
of the summed predictor 2.3 ms; this reduction with ``log1p(exp(mu))`` 2.1 ms, ``log_inv_logit(-mu)``
3.0 ms; rows sorted by group, with or without one glm per level's slice, and stanli's ``fast_math``:
no change. The sum of ``log1p_exp`` as the logs of products of eight rows' ``1 + exp(mu)`` (one ``log``
per eight rows) costs 1.28 ms but needs a fallback where a product overflows (``mu`` near 90 and up), and
under stanli's reverse pass the unused infinite values then make the gradient NaN; the forms that
avoid every infinity (``exp(mu - shift)`` with ``shift = fmax(max(mu) - 88, 0)``, the fallback in a
branch on ``shift``) cost 1.5-1.9 ms, as stanli runs a parameter-dependent branch with vector code
several times slower. About 1.2 ms of the glm are one ``exp`` and one ``log1p`` per row.

poisson writes ``sum(exp(mu))`` with the group intercepts' exponentials taken per level
(:func:`_factored_exp_sum`): 0.84 ms against 0.98 ms for ``sum(exp(mu))`` in that model. Also
measured there and not cheaper: a column vector ``x`` instead of ``Xc * b`` (-1%), rows sorted by
group so that the gathers are contiguous (-1%), per-level sums over sorted segments (0.82 ms),
``csr_matrix_times_vector`` for them (1.7 ms), stanli's ``fast_math`` (no change). About 0.70 ms
of the 0.84 are ``exp`` of the 10^5 rows and its reverse pass, which no exact form avoids.
"""

from __future__ import annotations

from ...core.stan import StanBlocks
from ...core.templates import stan_lines
from ...formula.prefix import Prefix
from ...frame.types import ModelFrame
from .. import pieces
from .base import Reduction
from .collapse import MIN_ROWS, CollapsePatterns

#: family -> (canonical link, its log-partition summed over the rows of ``mu``)
CANONICAL = {
    "poisson": ("log", "sum(exp(mu))"),
    "bernoulli": ("logit", "sum(log1p_exp(mu))"),
    "binomial": ("logit", "dot_product(to_vector(trials), log1p_exp(mu))"),
}
#: families whose row-wise program is cheaper per gradient than this reduction (module docstring)
ROWWISE_CHEAPER = frozenset({"bernoulli"})


class CanonicalSuffstats(Reduction):
    """poisson (log) / bernoulli, binomial (logit): the linear part of the likelihood from ``Y``'s sums."""

    name = "canonical_suffstats"
    per_row = True  # a gradient still costs O(rows): threads, when asked for, split them instead

    @classmethod
    def applies(cls, frame: ModelFrame) -> bool:
        """The structures :class:`CollapsePatterns` takes, with the canonical link, no weights, no mm()."""
        if not CollapsePatterns.applies(frame):
            return False
        t = frame.terms
        rd = frame.responses[t.resp]
        if t.family.link != CANONICAL[t.family.name][0] or rd.weights is not None:
            return False
        return not any(b.is_mm for b in frame.blocks)

    def worthwhile(self) -> bool:
        return self.frame.N >= MIN_ROWS and self.frame.terms.family.name not in ROWWISE_CHEAPER

    def likelihood(self, frame: ModelFrame, t) -> StanBlocks:
        fam = t.family.name
        prefix = Prefix(t.resp, "mu")
        design = frame.designs[prefix]
        tuning = self.tuning
        sb = StanBlocks()
        factored = _factored_exp_sum(frame, prefix, tuning) if fam == "poisson" else None
        if factored is None:
            sb += pieces.stan_predictor(frame, t, prefix, glm=False, tuning=tuning)
        absorbed = tuning is not None and prefix in tuning.absorbed
        linear = []
        defs = ["// sufficient statistics of the part of the log likelihood linear in the parameters"]
        comps = []
        if design.intercept and not absorbed:
            defs.append("real sum_Y = sum(Y);")
            linear.append("Intercept * sum_Y")
        if design.coef_names:
            X = pieces.design_matrix_name(design)
            defs.append(f"vector[{'Kc' if design.intercept else 'K'}] XY;  // {X}' * Y")
            comps.append(f"XY = {X}' * to_vector(Y);")
            linear.append("dot_product(XY, b)")
        for block in frame.blocks:
            k = block.id
            for j in range(1, block.M + 1):
                name, Z = f"ZY_{k}_{j}", pieces.z_name(block, j)
                defs.append(f"vector[N_{k}] {name} = rep_vector(0, N_{k});  // per level: sum of Y .* {Z}")
                comps += stan_lines("likelihood", "rowwise", lines=[f"{name}[J_{k}[n]] += Y[n] * {Z}[n];"])
                absorbs = tuning is not None and tuning.absorbs(block, j)
                linear.append(f"dot_product({name}, {pieces.a_name(block, j) if absorbs else pieces.r_name(block, j)})")
        # the data-only term the family's _lupmf leaves out (none for bernoulli)
        const = (t.family.spec.data_constant or "0").format(Y="Y", trials="trials")
        if design.specials:  # offsets (CollapsePatterns.applies admits no other special term)
            const += " + dot_product(to_vector(Y), offsets)"
        defs.append(f"real lconst = {const};  // data-only part of the log likelihood")
        sb.tdata_def += defs
        sb.tdata_comp += comps
        partition = CANONICAL[fam][1]
        notes = ["// reduction; brm(..., reduce=False) gives the row-wise program) minus the log-partition terms"]
        if factored is not None:
            partition, mu = factored
            notes = ["// reduction; brm(..., reduce=False) gives the row-wise program) minus sum(exp(mu)),",
                     f"// mu = {mu}, with the group intercepts' exp taken per level"]
        sb.likelihood += [
            f"// {fam} log likelihood, canonical link: sum(Y .* mu) from sufficient statistics (an exact",
            *notes,
            f"target += {' + '.join(linear) or '0'} - {partition} + lconst;",
        ]
        return sb


def _factored_exp_sum(frame: ModelFrame, prefix: Prefix, tuning) -> tuple[str, str] | None:
    """``sum(exp(mu))`` with the group intercepts' exponentials gathered per level, and ``mu``'s text.

    ``exp(Xc * b + a_1_1[J_1]) = exp(a_1_1)[J_1] .* exp(Xc * b)``: the same rows' exponentials,
    but the group part costs one ``exp`` per level, and stanli evaluates the dot product of the
    gathered factors with the rows' ``exp`` in less time than the sum of ``exp(mu)``: CPU time per
    gradient of ``y ~ x + (1 | g)`` at 10^5 rows and 1000 groups 0.84 ms against 0.98 ms (both on
    stanli's own runtime and the BridgeStan one nutpie samples through; ``benchmarks/grad_cost.py
    --scale``). None (keep ``sum(exp(mu))``) without such a term, or when nothing but a scalar is left
    to exponentiate per row. Equal in exact arithmetic; in floating point the two differ by rounding,
    and only where a factor alone overflows (``|a_1_1| > 709``) would the product not be finite.
    """
    terms = pieces.lean_predictor_terms(frame, prefix, tuning)
    if terms is None:
        return None
    gathers = pieces.unit_gathers(frame, prefix, tuning)
    factors = [gathers[x] for x in terms if x in gathers]
    rest = [x for x in terms if x not in gathers]
    if not factors or all(x == f"Intercept{prefix.suffix}" for x in rest):
        return None
    return f"dot_product({' .* '.join(factors)}, exp({' + '.join(rest)}))", " + ".join(terms)


__all__ = ["CanonicalSuffstats"]
