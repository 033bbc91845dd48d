"""Small types every stage may use: parameter info, prior rows, draw accessors, argument checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

import numpy as np

from .distributions import PriorDist
from .errors import BrmsError


@dataclass(frozen=True)
class ParamInfo:
    """Where a brms-named parameter comes from, for summaries."""

    name: str
    kind: str  # "b", "sd", "cor", "dpar", "r", "Intercept", "lprior", "lp__", "prior", or a SECTIONS key
    group: str = ""
    coef: str = ""
    level: str = ""


def cor_pairs(M: int) -> list[tuple[int, int]]:
    """(row, col) 0-based of ``cor_k`` elements, in the generated program's order."""
    return [(j, k) for k in range(M) for j in range(k)]


@dataclass
class PriorRow:
    """One row of a prior table (brms columns)."""

    prior: str
    class_: str
    coef: str = ""
    group: str = ""
    resp: str = ""
    dpar: str = ""
    nlpar: str = ""
    lb: str = ""
    ub: str = ""
    source: str = "default"

    def key(self) -> tuple[str, ...]:
        return (self.class_, self.coef, self.group, self.resp, self.dpar, self.nlpar)


#: a prior lookup bound to one linear predictor: ``lookup(("b", "mox"), ("b", ""))``
#: tries (class, coef[, group]) keys in order and returns the first prior set.
PriorLookup = Callable[..., "PriorDist | None"]


#: a draws accessor for predictions: Stan name -> (draws, *shape), restricted to the chosen draws
ParamGetter = Callable[[str], np.ndarray]


class PriorSampler(Protocol):
    """Draws from priors shaped (chain, draw), given to the special terms' ``prior_draws`` hook.

    Each method returns None for a flat (None) prior; :class:`brmspy.priors.draws.PriorSampler`
    implements it.
    """

    def scalar(self, p: "PriorDist | None", lower: float | None = None,
               upper: float | None = None) -> np.ndarray | None: ...

    def dirichlet(self, p: "PriorDist | None", K: int) -> np.ndarray | None: ...

    def lkj_marginal(self, p: "PriorDist | None", M: int) -> np.ndarray | None: ...


def _check_prob(prob: float) -> None:
    if not 0 < prob < 1:
        raise BrmsError(f"prob must be between 0 and 1 (e.g. 0.95), got {prob!r}.")
