"""Priors of multivariate models: residual correlations and the shared ``nu``."""

from __future__ import annotations

from ..core.types import PriorRow
from ..families import DPARS
from ..frame.types import ModelFrame


def rescor_prior_rows(frame: "ModelFrame") -> list["PriorRow"]:
    """brms's default rows: ``lkj(1)`` on class ``rescor``; ``gamma(2, 0.1)`` on the shared ``nu``."""
    rows = [PriorRow("lkj(1)", "rescor")]
    t = frame.response_terms[0]
    if "nu" in t.shared:
        rows.append(PriorRow(t.family.dpar_prior("nu"), "nu", lb=f"{DPARS['nu'].lower:g}"))
    return rows
