"""Arguments of the ``cox`` family's baseline hazard (brms's ``cox(bhaz = list(...))``), checked.

The bases themselves are built from the data in :mod:`brmspy.frame.bhaz`.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..core.errors import FamilyError

__all__ = ["BHAZ_ARGS", "check_bhaz_args", "hazard_family"]

#: the arguments ``bhaz`` takes (splines2's), with brmspy's snake-case alias of ``Boundary.knots``
BHAZ_ARGS = ("df", "knots", "degree", "intercept", "Boundary.knots")
_ALIASES = {"boundary_knots": "Boundary.knots"}


def check_bhaz_args(bhaz: Mapping[str, Any] | None) -> dict[str, Any]:
    """brms's ``bhaz`` list with its defaults (``df = 5``, ``intercept = TRUE``), checked.

    Examples
    --------
    >>> check_bhaz_args({"df": 7})
    {'df': 7, 'intercept': True}
    """
    if bhaz is None:
        bhaz = {}
    if not isinstance(bhaz, Mapping):
        raise FamilyError("'bhaz' should be a dict of the baseline hazard's spline arguments, e.g. "
                          "cox(bhaz={'df': 5, 'intercept': True}).")
    out: dict[str, Any] = {}
    for key, value in bhaz.items():
        name = _ALIASES.get(key, key)
        if name not in BHAZ_ARGS:
            raise FamilyError(f"cox(bhaz=...) has no argument {key!r}; it takes {', '.join(BHAZ_ARGS)}.")
        out[name] = value
    if "df" in out and out["df"] is not None:
        df = out["df"]
        if isinstance(df, bool) or not isinstance(df, (int, np.integer, float)) or df != int(df) or df < 1:
            raise FamilyError(f"bhaz 'df' must be a positive integer; got {df!r}.")
        out["df"] = int(df)
    if "degree" in out:
        deg = out["degree"]
        if isinstance(deg, bool) or not isinstance(deg, (int, np.integer, float)) or deg != int(deg) or deg < 0:
            raise FamilyError(f"bhaz 'degree' must be a non-negative integer; got {deg!r}.")
        out["degree"] = int(deg)
    if "intercept" in out and not isinstance(out["intercept"], (bool, np.bool_)):
        raise FamilyError(f"bhaz 'intercept' must be True or False; got {out['intercept']!r}.")
    for name in ("knots", "Boundary.knots"):
        if name in out and out[name] is not None:
            try:
                out[name] = [float(v) for v in np.atleast_1d(np.asarray(out[name], dtype=float))]
            except (TypeError, ValueError):
                raise FamilyError(f"bhaz {name!r} must be numbers; got {out[name]!r}.") from None
    if out.get("Boundary.knots") is not None:
        bk = out["Boundary.knots"]
        if len(bk) != 2 or not bk[0] < bk[1]:
            raise FamilyError(f"bhaz 'Boundary.knots' must be two increasing numbers; got {bk}.")
    out.setdefault("df", 5)
    out.setdefault("intercept", True)
    return out


def hazard_family(family: Any) -> tuple[Any, str] | None:
    """The family with a baseline hazard in ``family`` and the dpar of its ``mu``: ``(cox, "mu")`` for cox,
    ``(component, "mu<k>")`` for a mixture's cox component (brms 2.18 allows one: see
    :data:`brmspy.frame.bhaz.MIXTURE_REFUSAL`), None for every other family.

    Examples
    --------
    >>> import brmspy as bp
    >>> hazard_family(bp.mixture("exponential", "cox"))[1], hazard_family(bp.gaussian())
    ('mu2', None)
    """
    if family.kind.baseline_hazard:
        return family, "mu"
    for k, c in enumerate(getattr(family, "components", None) or (), start=1):
        if c.kind.baseline_hazard:
            return c, f"mu{k}"
    return None
