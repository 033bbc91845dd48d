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
    """brms requires proper priors on the population-level coefficients of non-linear parameters.

    Raises
    ------
    PriorError
        Naming the nlpar and the coefficients with a flat prior, and the fix.
    """
    for prefix, design in frame.designs.items():
        if not is_nlpar(frame, prefix) or not design.coef_names or priors.shrunk_b(prefix):  # horseshoe: proper
            continue
        fixed = priors.constants.get(f"b{prefix.suffix}") or [None] * len(design.coef_names)  # constant(): data
        flat = [c for c, p, k in zip(design.coef_names, priors.b.get(prefix, []), fixed) if p is None and k is None]
        if flat:
            resp = f", resp='{prefix.resp}'" if prefix.resp else ""
            raise PriorError(
                f"Priors on population-level coefficients are required in non-linear models, but the non-linear "
                f"parameter {prefix.dpar!r} has a flat prior on: {', '.join(flat)}. Set a proper prior, e.g. "
                f"prior=prior('normal(0, 1)', nlpar='{prefix.dpar}'{resp}) for all its coefficients "
                f"(coef='{flat[0]}' for one; lb=0 to bound them). get_prior(...) lists them."
            )
