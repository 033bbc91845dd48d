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
* ``nested``: a centered group intercept whose levels each lie in one level of another centered
  group intercept's factor (lecturers ``d`` within departments ``dept``) is centered on its
  parent: the sampler moves the level means ``a_d = a_dept[P] + r_d`` with prior
  ``normal(a_dept[P], sd_d)`` (``P``: each level's parent level), and the linear predictor adds
  ``a_d[J_d]`` alone. A parent is otherwise seen by the data only through its children's
  means, so with its own ``r`` (or ``a``) it forms a ridge with them (``a_dept`` up, its
  children down) that the sampler crosses slowly. The top parent of a chain must take in the
  Intercept (among several centered intercepts it does, :func:`_absorbed`), else the chain is not
  nested: centered on its children alone, its ridge with the Intercept is held by its prior only
  (InstEval: bulk ESS 3 for ``b_Intercept``). The shift again has a unit Jacobian, and
  ``r_d = a_d - a_dept[P]`` is still computed.
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

__all__ = ["CENTERED_MIN_RATIO", "CENTERED_MIN_ROWS", "LEAN_MIN_ROWS", "Tuning", "choose_tuning", "is_unit", "parent_levels", "pinned_ratio",
           "use_centered"]

#: rows per grouping level from which ``centered="auto"`` samples the effects directly
CENTERED_MIN_ROWS = 100
#: gaussian models: the ratio of the levels' variance to their means' noise (:func:`pinned_ratio`)
#: from which ``centered="auto"`` centers a group intercept with fewer than :data:`CENTERED_MIN_ROWS`
#: rows per level. At 1 the rows hold a level as tightly as the prior does; above it the centered
#: form mixes better (Papaspiliopoulos, Roberts & Skold 2007). InstEval's students (ratio 1.6):
#: bulk ESS of sd_s 486 centered against 360 with ``z`` (nutpie, 2 x 500 draws)
CENTERED_MIN_RATIO = 1.0
#: rows from which ``reduce="auto"`` writes the lean row-wise forms (unit_z, hoist_constants);
#: smaller programs stay exactly brms's
LEAN_MIN_ROWS = 1000


@dataclass(frozen=True)
class Tuning:
    """Speed choices for one program (see the module docstring); the default is brms's program."""

    centered: frozenset[int] = frozenset()  # ids of blocks sampled as r
    absorbed: dict["Prefix", tuple[int, int]] = field(default_factory=dict)  # prefix -> (block id, coef j)
    nested: dict[int, int] = field(default_factory=dict)  # child block id -> parent block id
    unit_z: bool = False
    hoist_constants: bool = False

    def absorbs(self, block: "ReBlock", j: int) -> bool:
        """True when coefficient ``j`` (1-based) of ``block`` holds the Intercept of its predictor."""
        return self.absorbed.get(block.coefs[j - 1].prefix) == (block.id, j)

    def parent_of(self, block: "ReBlock") -> int | None:
        """The id of the block whose group means ``block``'s intercepts are centered on, if any."""
        return self.nested.get(block.id)

    def is_parent(self, block: "ReBlock") -> bool:
        """True when a nested child's means carry ``block``'s effects on the linear predictor."""
        return block.id in self.nested.values()


def is_unit(c: "ReCoef") -> bool:
    """True for a group intercept: its predictor values are all ones."""
    return c.name == "Intercept" and bool(np.all(c.Z == 1))


def use_centered(block: "ReBlock", N: int, choice: bool | str = "auto", ratio: float | None = None) -> bool:
    """Whether ``block`` gets the centered parameterization.

    ``"auto"``: when every level averages at least :data:`CENTERED_MIN_ROWS` rows the
    data pin each level's effects down far more tightly than the prior, the regime
    where brms's non-centered ``z`` gives a funnel-shaped posterior and long trees.
    Where that can be measured (``ratio``: :func:`pinned_ratio`, gaussian group intercepts from
    :data:`LEAN_MIN_ROWS` rows) fewer rows suffice when the levels' variance is at least
    :data:`CENTERED_MIN_RATIO` times their means' noise.
    ``by`` groups and known covariance matrices keep brms's parameterization.
    """
    if block.by or block.Lcov is not None or block.is_student:
        return False
    if choice == "auto":
        pinned = ratio is not None and N >= LEAN_MIN_ROWS and ratio >= CENTERED_MIN_RATIO
        return N / block.N_levels >= CENTERED_MIN_ROWS or pinned
    return bool(choice)


def pinned_ratio(block: "ReBlock", y: np.ndarray) -> float:
    """How well the rows pin a group intercept's levels: ``n * tau^2 / sigma^2`` of a one-way ANOVA of ``y``.

    ``n`` rows per level, ``sigma^2`` the pooled variance within levels, ``tau^2`` the variance of
    the level means less their noise ``sigma^2 / n`` (moment estimates). Below 1 the prior holds a
    level's effect more tightly than its rows (brms's ``z`` suits that); well above 1 the rows
    pin it and ``z`` makes a funnel. Other terms of the model add to ``sigma^2`` and ``tau^2``:
    an estimate to choose a parameterization with, never part of the model.
    """
    J = np.asarray(block.J[0]) - 1
    G, N = block.N_levels, len(y)
    n = np.bincount(J, minlength=G)
    if G < 2 or N <= G or np.any(n == 0):
        return 0.0
    means = np.bincount(J, weights=y, minlength=G) / n
    within = float(np.sum((y - means[J]) ** 2)) / (N - G)
    if not within > 0:
        return 0.0
    nbar = N / G
    tau2 = max(float(np.var(means, ddof=1)) - within / nbar, 0.0)
    return nbar * tau2 / within


def choose_tuning(frame: "ModelFrame", n_rows: int, options: "CodeOptions") -> Tuning:
    """The speed choices for ``frame`` (``n_rows``: its rows before any reduction).

    Examples
    --------
    >>> import brmspy as bp
    >>> from brmspy.codegen.options import CodeOptions
    >>> frame = bp.build_model("Reaction ~ Days + (Days | Subject)", bp.datasets.load("sleepstudy")).frame
    >>> choose_tuning(frame, frame.N, CodeOptions())  # 180 rows: brms's program
    Tuning(centered=frozenset(), absorbed={}, nested={}, unit_z=False, hoist_constants=False)
    """
    ratios = _pinned_ratios(frame, n_rows)
    centered = frozenset(b.id for b in frame.blocks if use_centered(b, n_rows, options.centered, ratios.get(b.id)))
    lean = options.reduce is not False and n_rows >= LEAN_MIN_ROWS
    nested = _nested(frame, centered)
    while True:  # a chain's top parent must take the Intercept (see _absorbed), else its links are dropped
        absorbed = _absorbed(frame, centered, nested)
        keep = {c: p for c, p in nested.items() if p in nested or (p, 1) in absorbed.values()}
        if keep == nested:
            break
        nested = keep
    return Tuning(centered, absorbed, nested, unit_z=lean, hoist_constants=lean)


def _pinned_ratios(frame: "ModelFrame", n_rows: int) -> dict[int, float]:
    """:func:`pinned_ratio` of the plain group intercepts of a univariate gaussian (identity link) model
    whose rows are all present as given (no reduction, missing values, weights or addition terms)."""
    t = frame.terms
    if (n_rows < LEAN_MIN_ROWS or frame.N != n_rows or len(frame.response_terms) != 1 or t.nonlinear
            or t.family.name != "gaussian" or t.family.link != "identity"):
        return {}
    rd = frame.responses[t.resp]
    if rd.weights is not None or rd.missing is not None or rd.adds is not None or rd.noise is not None:
        return {}
    y = np.asarray(rd.y, dtype=float)
    if y.shape != (n_rows,) or not np.all(np.isfinite(y)):
        return {}
    mu = Prefix(t.resp, "mu")
    return {b.id: pinned_ratio(b, y) for b in frame.blocks
            if b.M == 1 and not b.is_mm and not b.coefs[0].kind and b.coefs[0].prefix == mu and is_unit(b.coefs[0])}


def parent_levels(child: "ReBlock", parent: "ReBlock") -> np.ndarray | None:
    """Each level's (1-based) level of ``parent`` when ``child``'s levels are nested in ``parent``'s, else None."""
    J, Jp = np.asarray(child.J[0]), np.asarray(parent.J[0])
    P = np.zeros(child.N_levels, dtype=np.int64)
    P[J - 1] = Jp
    return P if np.array_equal(P[J - 1], Jp) and bool(np.all(P > 0)) else None


def _simple_prefixes(frame: "ModelFrame") -> set:
    """Linear predictors of plain families (no thresholds, mixtures, non-linear formulas) with an Intercept."""
    return {
        prefix
        for t in frame.response_terms
        if t.family.kind.univariate and not t.nonlinear
        for prefix, design in frame.designs.items()
        if prefix.resp == t.resp and design.intercept
    }


def _nested(frame: "ModelFrame", centered: frozenset[int]) -> dict[int, int]:
    """Centered single group intercepts nested in another one: child block id -> parent block id.

    A child takes the parent with the most levels among those its levels lie in (so a chain
    ``d`` in ``dept`` in ``faculty`` links ``d -> dept -> faculty``); a parent keeps its finest child.
    """
    simple = _simple_prefixes(frame)
    plain = [b for b in frame.blocks
             if b.id in centered and b.M == 1 and not b.is_mm and not b.coefs[0].kind
             and b.coefs[0].prefix in simple and is_unit(b.coefs[0])]
    chosen: dict[int, "ReBlock"] = {}  # parent id -> child
    for child in sorted(plain, key=lambda b: -b.N_levels):
        parents = [p for p in plain if p is not child and p.coefs[0].prefix == child.coefs[0].prefix
                   and p.N_levels < child.N_levels and parent_levels(child, p) is not None]
        if not parents:
            continue
        parent = max(parents, key=lambda p: p.N_levels)
        if parent.id not in chosen:
            chosen[parent.id] = child
    return {c.id: p for p, c in chosen.items()}


def _absorbed(frame: "ModelFrame", centered: frozenset[int],
              nested: dict[int, int] | None = None) -> dict["Prefix", tuple[int, int]]:
    """Predictors whose Intercept one centered group intercept can take in.

    A nested child (``nested``) does not count: its means are held by its parent's.
    """
    simple = _simple_prefixes(frame)
    nested = nested or {}
    candidates: dict = {}
    for block in frame.blocks:
        if block.id not in centered:  # a non-centered intercept's mean is held by its z prior: no ridge
            continue
        if block.id in nested:  # centered on its parent's means: no ridge with the Intercept
            continue
        for j, c in enumerate(block.coefs, start=1):
            if c.prefix in simple and is_unit(c):
                # two centered intercepts on one predictor: whichever took the Intercept, the
                # other would keep its ridge with it, so neither does
                candidates.setdefault(c.prefix, []).append(None if block.is_mm else (block.id, j))
    parents = set(nested.values())
    out = {}
    for p, c in candidates.items():
        if len(c) == 1 and c[0] is not None:
            out[p] = c[0]
            continue
        # a nested parent is seen by the data only through its children's means, so nothing but its
        # prior holds its ridge with the Intercept (InstEval: bulk ESS 3 for b_Intercept without this);
        # it takes the Intercept, and the other centered intercepts keep theirs, as without nesting
        top = [x for x in c if x is not None and x[0] in parents]
        if len(top) == 1:
            out[p] = top[0]
    return out
