"""Stan code generation: model frame + resolved priors -> program text and data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from ..core.stan import StanBlocks
from ..families.custom import StanVars
from ..formula.prefix import Prefix
from ..frame.types import ModelFrame
from ..priors.table import ResolvedPriors
from . import pieces
from .constants import apply_constants
from .kinds import kind_code
from .mv import stan_rescor_likelihood, stan_rescor_parameters
from .nonlinear import stan_nl_covariates
from .options import CodeOptions
from .priors import stan_priors
from .reductions import choose_reduction
from .stanvars import place_stanvars
from .subset import scope_response, split_block_rows
from .shrinkage import finish_shrinkage, stan_shrinkage_global
from .render import render
from .threads import stan_threaded_likelihood
from .tuning import Tuning, choose_tuning


@dataclass
class GeneratedModel:
    """A Stan program and the data its data block declares.

    ``reduction`` names the exact likelihood reduction the program uses
    (``None``: the row-wise likelihood, as brms writes it).  ``standardized`` names the
    parameters that are standardized effects scaled by an sd (non-centered: ``z_1``,
    ``zs_1_1``, ``zgp_1``, ``zme_1``), whose joint mode with that sd is degenerate
    (:mod:`brmspy.backends.warmstart`).
    """

    code: str
    data: dict[str, Any]
    reduction: str | None = None
    standardized: tuple[str, ...] = ()


def generate(
    frame: ModelFrame, priors: ResolvedPriors, options: CodeOptions | None = None, tuning: "Tuning | None" = None,
    stanvars: StanVars | None = None,
) -> GeneratedModel:
    """Assemble every piece in brms's order and render the program.

    ``tuning`` overrides the speed choices :func:`~brmspy.codegen.tuning.choose_tuning`
    makes from ``options`` (tests compare programs that differ in one choice).
    ``stanvars`` (:func:`brmspy.stanvar`) add the user's Stan code and data (:mod:`brmspy.codegen.stanvars`).
    """
    options = options or CodeOptions()
    # exact likelihood reductions (brmspy.codegen.reductions); they write b themselves, shrinkage priors scale it
    special = priors.shrinkage or priors.bounds or priors.constants or any(d.decomp for d in frame.designs.values())
    per_resp = frame.resp_rows is not None  # multivariate subset(): each response on its own rows (codegen.subset)
    if per_resp:
        special, tuning = True, tuning or Tuning()  # brms's row-wise program: no reductions, no re-parameterisation
    red = None if special else choose_reduction(frame, options)
    n_rows = frame.N  # the original rows (a reduction may collapse them)
    if red is not None:
        frame = red.code_frame()
    if tuning is None:  # parameterization and lean row-wise forms (brmspy.codegen.tuning)
        tuning = choose_tuning(frame, n_rows, options)
    if red is not None:
        red.tuning = tuning
    sb = StanBlocks()
    sb += pieces.stan_global()
    sb += pieces.stan_N(frame)
    for t in frame.response_terms:
        rd = frame.responses[t.resp]
        code = kind_code(t.family)  # the pieces that depend on the family's kind (brmspy.codegen.kinds)
        rs = StanBlocks()  # the response's pieces (renamed to its own rows with subset())
        rs += _first(red and red.response(t, rd), lambda: code.response(t, rd))  # noqa: B023
        if per_resp:
            rs = scope_response(rs, frame, t.resp, first=True)
        sb += rs
        rs = StanBlocks()
        for name in t.parts:
            design = frame.designs[Prefix(t.resp, name)]
            rs += _first(red and red.fe(design, priors), lambda: code.population(t, design, priors))  # noqa: B023
            for sp in design.specials:  # offset(), mo(), s(), gp(), ...: one piece per kind
                rs += sp.stan(priors.special.get((design.prefix, type(sp).__name__), {}))
            if design.prefix in priors.shrinkage:  # horseshoe()/R2D2() on b, after the predictor's terms as brms
                rs += stan_shrinkage_global(design, priors.shrinkage[design.prefix], {b.id: b for b in frame.blocks})
            rs += code.after_terms(t, design, priors)
        if t.nonlinear:  # covariates of non-linear formulas: C_1, C_2, ...
            rs += stan_nl_covariates(frame, t)
        rs += pieces.stan_dpar_parameters(t, priors.bounds)
        rs += code.parameters(t, priors, rd)
        sb += scope_response(rs, frame, t.resp) if per_resp else rs
    rescor = bool(getattr(frame.terms, "rescor", False))
    if rescor:  # residual correlations (set_rescor(True)): Lrescor, shared nu
        sb += stan_rescor_parameters(frame, priors)
    sb += pieces.stan_re_student(frame.blocks)  # before the blocks, as brms
    by_id = {b.id: b for b in frame.blocks}
    for block in frame.blocks:
        parent = by_id.get(tuning.parent_of(block)) if tuning.parent_of(block) is not None else None
        piece = _first(red and red.re(block),
                       lambda: pieces.stan_re(block, tuning, priors.bounds.get(f"sd_{block.id}", (0.0, None)),  # noqa: B023
                                              parent))  # noqa: B023
        sb += split_block_rows(piece, block, frame) if per_resp else piece
    sb += stan_priors(frame, priors)
    for prefix, sh in priors.shrinkage.items():  # horseshoe()/R2D2(): sd_1, sds_1, bsp, ... are parts of its scales
        finish_shrinkage(sb, frame.designs[prefix], sh)
    if priors.constants:  # constant() priors: those parameters become data (brmspy.codegen.constants)
        apply_constants(sb, priors.constants, priors.constant_rows)

    # threads > 1: the likelihood split with reduce_sum (brmspy.codegen.threads); an exact reduction is cheaper
    threaded = None if red is not None else stan_threaded_likelihood(frame, sb, options, tuning, stanvars)
    if threaded is not None:
        sb += threaded
    elif rescor:  # one multivariate likelihood for all responses
        sb += stan_rescor_likelihood(frame, priors)
    else:
        for t in frame.response_terms:
            piece = _first(red and red.likelihood(frame, t),
                           lambda: kind_code(t.family).likelihood(frame, t, tuning))  # noqa: B023
            sb += scope_response(piece, frame, t.resp) if per_resp else piece
    sb += pieces.stan_prior_only()
    model_start = place_stanvars(sb, stanvars, in_partial_sums=threaded is not None) if stanvars is not None else []
    return GeneratedModel(render(sb, model_start), sb.values, red.name if red is not None else None, _standardized(sb.par))


# A parameters-block declaration of a standardized effect: "vector[N_1] z_1;", "matrix[M_1, N_1] z_1;",
# "array[M_1] vector[N_1] z_1;", "vector[knots_1[1]] zs_1_1;", "vector[NBgp_1] zgp_1;", "vector[N] zme_1;".
_STANDARDIZED = re.compile(r"\s(z(?:s|gp|me)?_\w+)\s*;")


def _standardized(par_lines: list[str]) -> tuple[str, ...]:
    """Names of the standardized (non-centered) effects among the parameters' declarations."""
    return tuple(m.group(1) for line in par_lines if (m := _STANDARDIZED.search(line.split("//")[0])))


def _first(piece: StanBlocks | None, default: Callable[[], StanBlocks]) -> StanBlocks:
    """A reduction's replacement piece, else the row-wise one."""
    return piece if piece is not None else default()
