"""Where a linear predictor lives (:class:`Prefix`) and brms's naming rules for Stan and user-facing names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..families import DPARS
from .rexpr import rename


def resp_suffix(resp: str) -> str:
    """The suffix a response gives Stan names in multivariate models: ``_y1`` (``""`` for one response).

    Examples
    --------
    >>> resp_suffix("y1"), resp_suffix("")
    ('_y1', '')
    """
    return f"_{resp}" if resp else ""


@dataclass(frozen=True)
class Prefix:
    """Where a linear predictor lives: response (multivariate) and dpar/nlpar.

    ``suffix`` is appended to Stan names (``b_sigma``, ``K_y1``), ``label``
    prefixes user-facing names (``sigma_Intercept``).
    """

    resp: str = ""
    dpar: str = "mu"

    @property
    def pieces(self) -> tuple[str, ...]:
        # brms's order is dpar, resp, nlpar: b_sigma_y1 for a dpar, b_y1_a for a non-linear parameter
        if self.dpar == "mu":
            return (self.resp,) if self.resp else ()
        if _is_dpar_name(self.dpar):
            return tuple(x for x in (self.dpar, self.resp) if x)
        return tuple(x for x in (self.resp, self.dpar) if x)

    @property
    def suffix(self) -> str:
        return "".join("_" + x for x in self.pieces)

    @property
    def label(self) -> str:
        return "".join(x + "_" for x in self.pieces)


def _is_dpar_name(name: str) -> bool:
    """Whether a predictor name is a distributional parameter (``sigma``, ``mu2``, ``muB``) not an nlpar."""
    if name.startswith("mu"):
        return True
    try:
        DPARS[name]  # also sigma2, theta1 of mixtures
    except KeyError:
        return False
    return True


def brms_name(name: str) -> str:
    """brms's ``rename()`` of a term or column name: ``mo(x)`` -> ``mox``, ``I(x^2)`` -> ``IxE2``.

    Brackets, parentheses, spaces and quotes are dropped, ``+ - * / ^ =`` become
    ``P M MU D E EQ`` (:func:`brmspy.formula.rexpr.rename`).
    """
    return rename(re.sub(r"(?<![A-Za-z0-9_.])(np|numpy)\.", "", name.replace("`", "")))
