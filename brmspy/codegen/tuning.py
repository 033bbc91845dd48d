"""How the row-wise program is written for speed, never what it computes (issue 7).

A :class:`Tuning` records choices that leave the posterior unchanged:

* ``centered``: blocks whose group-level effects are sampled directly (``r``) instead of
  through brms's standardized ``z``; better geometry when every level has many rows.
* ``absorbed``: a centered block whose group intercept is the only centered one on a linear
  predictor (non-centered blocks do not count: their ``z`` prior holds their mean) also takes
  in the population-level ``Intercept``: the sampler moves the group
  means ``a_k_j = Intercept + r_k_j`` (hierarchical centering, Gelfand, Sahu & Carlin 1995)
  with prior ``normal(Intercept, sd)``. Sampling ``r`` and ``Intercept`` instead leaves a
  ridge (``Intercept`` up, every ``r`` down) that NUTS crosses with long trees; here
  ``Intercept`` is pinned by the mean of ``a``. The shift has a unit Jacobian and
  ``r_k_j = a_k_j - Intercept`` is still computed, so draws, summaries and post-processing
  see brms's parameters.
* ``unit_z``: a group intercept is added as ``r_1_1[J_1]`` instead of ``r_1_1[J_1] .* Z_1_1``
  (``Z_1_1`` is all ones), and a linear predictor without special terms (offsets aside) is
  one expression, ``vector[N] mu = Xc * b + r_1_1[J_1]``, instead of a zero vector and a
  ``+=`` per term: fewer passes over the rows and temporaries per gradient.
* ``hoist_constants``: the data-only part of a poisson or binomial log likelihood
  (``-log(y!)``, ``log C(n, y)``) is summed once in ``transformed data``; the model adds it
  to the ``_lupmf``, which is the ``_lpmf`` without it. At 10^5 rows the ``lgamma`` calls
  were half the cost of a poisson gradient.

``Tuning()`` writes brms's program. :func:`choose_tuning` decides from the data size and
:class:`~brmspy.codegen.CodeOptions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..formula.prefix import Prefix
from ..frame.types import ModelFrame, ReBlock, ReCoef
from .options import CodeOptions

__all__ = ["CENTERED_MIN_ROWS", "LEAN_MIN_ROWS", "Tuning", "choose_tuning", "is_unit", "use_centered"]

#: rows per grouping level from which ``centered="auto"`` samples the effects directly
CENTERED_MIN_ROWS = 100
#: rows from which ``reduce="auto"`` writes the lean row-wise forms (unit_z, hoist_constants);
#: smaller programs stay exactly brms's
LEAN_MIN_ROWS = 1000


@dataclass(frozen=True)
class Tuning:
    """Speed choices for one program (see the module docstring); the default is brms's program."""

    centered: frozenset[int] = frozenset()  # ids of blocks sampled as r
    absorbed: dict["Prefix", tuple[int, int]] = field(default_factory=dict)  # prefix -> (block id, coef j)
    unit_z: bool = False
    hoist_constants: bool = False

    def absorbs(self, block: "ReBlock", j: int) -> bool:
        """True when coefficient ``j`` (1-based) of ``block`` holds the Intercept of its predictor."""
        return self.absorbed.get(block.coefs[j - 1].prefix) == (block.id, j)


def is_unit(c: "ReCoef") -> bool:
    """True for a group intercept: its predictor values are all ones."""
    return c.name == "Intercept" and bool(np.all(c.Z == 1))


def use_centered(block: "ReBlock", N: int, choice: bool | str = "auto") -> bool:
    """Whether ``block`` gets the centered parameterization.

    ``"auto"``: when every level averages at least :data:`CENTERED_MIN_ROWS` rows the
    data pin each level's effects down far more tightly than the prior, the regime
    where brms's non-centered ``z`` gives a funnel-shaped posterior and long trees.
    ``by`` groups and known covariance matrices keep brms's parameterization.
    """
    if block.by or block.Lcov is not None or block.is_student:
        return False
    if choice == "auto":
        return N / block.N_levels >= CENTERED_MIN_ROWS
    return bool(choice)


def choose_tuning(frame: "ModelFrame", n_rows: int, options: "CodeOptions") -> Tuning:
    """The speed choices for ``frame`` (``n_rows``: its rows before any reduction).

    Examples
    --------
    >>> import brmspy as bp
    >>> from brmspy.codegen.options import CodeOptions
    >>> frame = bp.build_model("Reaction ~ Days + (Days | Subject)", bp.datasets.load("sleepstudy")).frame
    >>> choose_tuning(frame, frame.N, CodeOptions())  # 180 rows: brms's program
    Tuning(centered=frozenset(), absorbed={}, unit_z=False, hoist_constants=False)
    """
    centered = frozenset(b.id for b in frame.blocks if use_centered(b, n_rows, options.centered))
    lean = options.reduce is not False and n_rows >= LEAN_MIN_ROWS
    return Tuning(centered, _absorbed(frame, centered), unit_z=lean, hoist_constants=lean)


def _absorbed(frame: "ModelFrame", centered: frozenset[int]) -> dict["Prefix", tuple[int, int]]:
    """Predictors whose Intercept one centered group intercept can take in."""
    simple = {  # linear predictors of plain families (no thresholds, mixtures, non-linear formulas)
        prefix
        for t in frame.response_terms
        if t.family.kind.univariate and not t.nonlinear
        for prefix, design in frame.designs.items()
        if prefix.resp == t.resp and design.intercept
    }
    candidates: dict = {}
    for block in frame.blocks:
        if block.id not in centered:  # a non-centered intercept's mean is held by its z prior: no ridge
            continue
        for j, c in enumerate(block.coefs, start=1):
            if c.prefix in simple and is_unit(c):
                # two centered intercepts on one predictor: whichever took the Intercept, the
                # other would keep its ridge with it, so neither does
                candidates.setdefault(c.prefix, []).append(None if block.is_mm else (block.id, j))
    return {p: c[0] for p, c in candidates.items() if len(c) == 1 and c[0] is not None}
