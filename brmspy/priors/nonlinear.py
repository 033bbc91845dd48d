"""Priors of non-linear models: brms requires proper priors on the coefficients of non-linear parameters."""

from __future__ import annotations

from ..core.errors import PriorError
from ..formula.prefix import Prefix
from ..frame.types import ModelFrame
from .table import ResolvedPriors


def is_nlpar(frame: "ModelFrame", prefix: "Prefix") -> bool:
    """Whether ``prefix`` names a (linear) non-linear parameter rather than a dpar."""
    for t in frame.response_terms:
        if t.resp == prefix.resp and prefix.dpar in t.parts:
            return t.parts[prefix.dpar].kind == "nlpar"
    return False


def check_nlpar_priors(frame: "ModelFrame", priors: "ResolvedPriors") -> None:
    """brms's check (``validate_prior_special``): a non-linear parameter needs some proper prior.

    As brms 2.18, a linear non-linear parameter (its design not centred) is refused when none of its
    prior rows (any class: ``b``, ``sd``, ``sds``, ``sdgp``, ``lscale``, ... defaults included) has a
    prior; one prior (e.g. the default ``lscale`` prior of a ``gp()`` term, or the ``sd`` of a
    group-level term) is enough, and the coefficients without one keep brms's flat prior.

    Raises
    ------
    PriorError
        Naming the nlpar and its coefficients, and the fix.
    """
    for prefix, design in frame.designs.items():
        if not is_nlpar(frame, prefix) or priors.shrunk_b(prefix) or design.intercept:  # horseshoe: proper;
            continue  # a centred design (lf(..., center = TRUE)): brms checks only uncentred ones
        rows = [r for r in priors.table if r.nlpar == prefix.dpar and r.resp == prefix.resp]
        if any(r.prior.strip() for r in rows):
            continue
        resp = f", resp='{prefix.resp}'" if prefix.resp else ""
        coefs = ", ".join(design.coef_names) or "none"
        raise PriorError(
            f"Priors on population-level coefficients are required in non-linear models, but none were found for "
            f"the non-linear parameter {prefix.dpar!r} (coefficients: {coefs}). Set a proper prior, e.g. "
            f"prior=prior('normal(0, 1)', nlpar='{prefix.dpar}'{resp}) for all its coefficients "
            f"(coef='{design.coef_names[0] if design.coef_names else 'Intercept'}' for one; lb=0 to bound them). "
            "get_prior(...) lists them."
        )
