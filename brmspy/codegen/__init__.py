"""Stan code generation: model frame + resolved priors -> program text and data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..frame import ModelFrame, Prefix
from ..priors import ResolvedPriors
from . import pieces
from .blocks import StanBlocks
from .render import render


@dataclass
class GeneratedModel:
    """A Stan program and the data its data block declares."""

    code: str
    data: dict[str, Any]


def generate(frame: ModelFrame, priors: ResolvedPriors) -> GeneratedModel:
    """Assemble every piece in brms's order and render the program."""
    sb = StanBlocks()
    sb += pieces.stan_global()
    sb += pieces.stan_N(frame)
    for t in frame.response_terms:
        sb += pieces.stan_response(t, frame.responses[t.resp])
        ordinal = t.family.spec.special == "ordinal"
        for name in t.parts:
            design = frame.designs[Prefix(t.resp, name)]
            fe = pieces.stan_fe(design, priors, thresholds=ordinal and name == "mu")
            if t.family.spec.special == "mixture":
                from .mixture import strip_ordered_intercept

                fe = strip_ordered_intercept(fe, t, name)
            sb += fe
            for sp in design.specials:  # offset(), mo(), s(), gp(), ...: one piece per kind
                sb += sp.stan(priors.special.get((design.prefix, type(sp).__name__), {}))
            if ordinal and name == "mu":
                from .ordinal import stan_thresholds

                sb += stan_thresholds(t, design, priors)
        if t.nonlinear:  # covariates of non-linear formulas: C_1, C_2, ...
            from .nonlinear import stan_nl_covariates

            sb += stan_nl_covariates(frame, t)
        sb += pieces.stan_dpar_parameters(t)
        if t.family.spec.special == "mixture":
            from .mixture import stan_mixture_parameters

            sb += stan_mixture_parameters(t, priors)
    rescor = bool(getattr(frame.terms, "rescor", False))
    if rescor:  # residual correlations (set_rescor(True)): Lrescor, shared nu
        from .multivariate import stan_rescor_parameters

        sb += stan_rescor_parameters(frame, priors)
    for block in frame.blocks:
        sb += pieces.stan_re(block)
    sb += pieces.stan_priors(frame, priors)
    if rescor:  # one multivariate likelihood for all responses
        from .multivariate import stan_rescor_likelihood

        sb += stan_rescor_likelihood(frame, priors)
    else:
        for t in frame.response_terms:
            sb += pieces.stan_likelihood(frame, t)
    sb += pieces.stan_prior_only()
    return GeneratedModel(render(sb), sb.values)


__all__ = ["GeneratedModel", "StanBlocks", "generate", "render"]
