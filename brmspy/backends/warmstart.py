"""Warm start: NUTS's first inverse metric from the posterior's curvature at its mode.

Stan's warmup starts from the unit metric.  When the posterior's scales differ by orders
of magnitude, as they do with many rows (a slope known to 0.002 next to group effects known
to 0.1), the first adaptation window runs trees of up to 1023 leapfrog steps until the
metric catches up: for the poisson ``y ~ x + (1 | g)`` benchmark with 10^5 rows, 13,000 of a
chain's 47,000 gradients went into its first 100 warmup iterations.  Starting from the
inverse of the diagonal of the negative Hessian at the mode (one L-BFGS search and one
gradient per parameter) removes that phase.  A metric scaled to the mode's neighbourhood
takes small steps, so chains without user inits start near the mode, dispersed by twice the
curvature's scale (overdispersed against the mode's Gaussian approximation, so R-hat still
compares dispersed starts) rather than at Stan's uniform(-2, 2), which can lie hundreds of
posterior sds away.  Warmup still adapts the metric and the posterior is the same.

Hierarchical programs with brms's standardized effects (``z_1 ~ std_normal()``, scaled by an
sd) have their joint mode on the ``sd * z`` ridge, not in the posterior: for sleepstudy's
``(Days | Subject)`` the mode has sd 620 (posterior 25), ``z`` near 0 and a lp 30 above any
draw's.  There the curvature is kept only for the other parameters (it still gets the
Intercept's and sigma's scales, 10^4 apart, within a factor of 30 instead of 10^4), the
standardized coordinates keep the unit metric (their prior is N(0, 1), so 1 is their scale's
order), and the chains start where Stan's would (uniform(-2, 2) on the unconstrained scale),
so they start as dispersed as brms's.  On sleepstudy that cuts the fit's gradients by about a
third (warmup's first window no longer runs 400-step trees).

Small models get no curvature metric by default (see :func:`resolve_warm_start`), but their chains
can still start where the response is: :func:`intercept_inits` starts brms's temporary ``Intercept``
(the linear predictor's mean at centered predictors) at its default prior's location, the link of
the response's median, dispersed by Stan's uniform(-2, 2) in units of that prior's scale (the
response's MAD) over 2.5, and every other coordinate at Stan's uniform(-2, 2).  Stan's start puts
sleepstudy's Intercept at 0, some 40 posterior sds from 298; from the response's scale its 4 chains
took a third fewer gradients (7 seeds: 532,000-580,000 -> 340,000-384,000).  Only the start moves:
the metric, warmup and the posterior are Stan's, and the chains stay dispersed.

Examples
--------
>>> import numpy as np
>>> scales = np.array([0.01, 1.0, 100.0])
>>> def log_prob_grad(theta):  # independent normals with those sds, mode at 0
...     return float(-0.5 * np.sum((theta / scales) ** 2)), -theta / scales**2
>>> ws = mode_curvature_metric(log_prob_grad, np.zeros(3))
>>> np.allclose(np.sqrt(ws.inv_metric), scales)
True
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..core.errors import SamplerWarning, warn
from ..codegen.tuning import CENTERED_MIN_ROWS

logger = logging.getLogger("brmspy")

#: ``warm_start="auto"`` warm-starts programs without standardized effects from this many rows on
#: (there a gradient is costly and the unit metric's first window dominates warmup; below, the
#: chains' spread around one mode was measured to hide other modes), and never programs with
#: standardized effects (at this size their ridge mode slowed the InstEval-like benchmark down).
WARM_START_MIN_ROWS = 10_000
#: ``warm_start=True`` on a program with standardized effects pays only when the grouping factor
#: with the fewest rows per level has at most this many: then each level's effect is weakly
#: determined and its standardized coordinate's posterior variance is near the unit metric's 1
#: (sleepstudy, 10 rows per level: 0.3).  With 40 rows per level it was 0.04, and the warm start
#: cost 10-15% more gradients than Stan's unit start (2000-row poisson GLMM, 50 groups).
WARM_START_MAX_ROWS_PER_LEVEL = 25
#: One gradient per parameter is the curvature's cost; beyond this many parameters it is not
#: worth it (and a diagonal is a poor summary of such a posterior anyway).
WARM_START_MAX_PARAMS = 20_000
# Relative forward-difference step: rounding in a 10^6-term gradient is ~1e-9, far below it.
_REL_STEP = 1e-5
# Chains start at mode + INIT_SPREAD * sqrt(inv_metric) * N(0, 1).
INIT_SPREAD = 2.0
# Above this share of unusable curvature entries the point is no mode: use no warm start.
_MAX_BAD_SHARE = 0.5

LogProbGrad = Callable[[np.ndarray], "tuple[float, np.ndarray]"]


@dataclass(frozen=True)
class WarmStart:
    """A starting inverse metric and where it came from.

    Attributes
    ----------
    inv_metric : the diagonal inverse metric, one entry per unconstrained parameter.
    mode : the unconstrained point where the curvature was taken.
    n_fallback : parameters whose curvature was not positive and finite (they start at 1).
    seconds : time spent finding the mode and the curvature.
    n_unit : standardized coordinates that keep the unit metric (:func:`with_unit_coordinates`);
        when there are any the mode is no place to start chains from.
    """

    inv_metric: np.ndarray
    mode: np.ndarray
    n_fallback: int
    seconds: float
    n_unit: int = 0

    @property
    def start_at_mode(self) -> bool:
        """Whether chains should start around the mode (:func:`dispersed_inits`) rather than at Stan's inits."""
        return self.n_unit == 0


def resolve_warm_start(
    option: "bool | str", n_rows: int, standardized: Sequence[str] = (), rows_per_level: float | None = None
) -> bool:
    """``brm(warm_start=...)`` as a yes/no.

    ``"auto"`` warm-starts programs without standardized (non-centered) effects from
    :data:`WARM_START_MIN_ROWS` rows (below, their chains would start near one mode, which hides
    a mixture's or a non-linear model's other modes from R-hat: 7 such tests failed), except
    centered effects over levels of few rows each, fewer than
    :data:`~brmspy.codegen.tuning.CENTERED_MIN_ROWS` in the factor with the fewest
    (``rows_per_level``): they collapse into the funnel's neck.  Centered, the InstEval-like
    model's "mode" had sd_1 = 0 and sigma 2.8 (posterior 1.18), and the fit took 166 s cold but
    over 25 minutes warm.  Levels of 100+ rows pin their effects down: a 14-level centered factor
    over 10^5 rows warm-started fine.

    Programs with standardized effects (``standardized``: ``z_1``, ``zs_1_1``, ...) have their mode on
    the ``sd * z`` ridge; ``"auto"`` never warm-starts them. ``True`` does (unit metric for those
    coordinates, Stan's inits: module docstring), which pays below :data:`WARM_START_MIN_ROWS` rows
    with at most :data:`WARM_START_MAX_ROWS_PER_LEVEL` rows per level (sleepstudy: 32% fewer
    gradients; a smooth's ``zs`` alone: no gain), but see the comment in the code.  At scale the search
    slides along the ridge: in the InstEval-like benchmark the "mode" had sd_1 = 143 (posterior
    0.33), sd_2 = 5e-32 and Intercept 6.7 (posterior 3.3), and the fit took 317-433 s instead of
    205 s (before the unit coordinates; not measured since).

    ``True`` warm-starts anyway, with a warning in those cases.

    Examples
    --------
    >>> resolve_warm_start("auto", 100_000), resolve_warm_start("auto", 180), resolve_warm_start("auto", 180, ("z_1",), 10.0)
    (True, False, False)
    >>> resolve_warm_start("auto", 2000, ("z_1",), 40.0), resolve_warm_start("auto", 400, ("zs_1_1",))
    (False, False)
    >>> resolve_warm_start("auto", 100_000, standardized=("z_1",)), resolve_warm_start("auto", 100_000, (), 25.0)
    (False, False)
    """
    few_rows = not standardized and rows_per_level is not None and rows_per_level < CENTERED_MIN_ROWS
    many_per_level = rows_per_level is not None and rows_per_level > WARM_START_MAX_ROWS_PER_LEVEL
    ridge = bool(standardized) and (n_rows >= WARM_START_MIN_ROWS or many_per_level)
    if option == "auto":
        # below WARM_START_MIN_ROWS only when asked (True): the program-level checks above would allow
        # small models with standardized effects (sleepstudy: 32% fewer gradients), but in short runs
        # of a negbinomial GLMM on Poisson counts 2 of 12 warm-started chains escaped to shape 1e200,
        # where the density's arithmetic fails, against 0 of 12 from the unit metric
        return n_rows >= WARM_START_MIN_ROWS and not standardized and not few_rows
    if isinstance(option, (bool, np.bool_)):
        if option and (ridge or few_rows):
            why = (
                f"non-centered parameters ({', '.join(standardized[:3])}{', ...' if len(standardized) > 3 else ''})"
                + (f" and {n_rows} rows" if n_rows >= WARM_START_MIN_ROWS else
                   f" over {rows_per_level:.0f} rows per level (over {WARM_START_MAX_ROWS_PER_LEVEL})")
                if ridge
                else f"a grouping factor with {rows_per_level:.0f} rows per level (under {CENTERED_MIN_ROWS})"
            )
            warn(
                f"warm_start=True with {why}: the posterior mode is far from the posterior there "
                "(sd near 0 or huge), so the warm start can slow warmup down; warm_start='auto' "
                "leaves such models alone.",
                SamplerWarning,
            )
        return bool(option)
    raise ValueError(f"warm_start must be 'auto', True or False, got {option!r}")


def diagonal_curvature(log_prob_grad: LogProbGrad, point: np.ndarray) -> np.ndarray:
    """Diagonal of the negative Hessian of the log density at ``point`` (forward differences).

    Costs one gradient per parameter plus one.
    """
    point = np.asarray(point, dtype=np.float64)
    _, g0 = log_prob_grad(point)
    g0 = np.asarray(g0, dtype=np.float64)
    out = np.empty(point.size)
    for i in range(point.size):
        step = _REL_STEP * max(1.0, abs(point[i]))
        moved = point.copy()
        moved[i] += step
        _, g = log_prob_grad(moved)
        out[i] = -(g[i] - g0[i]) / step
    return out


def mode_curvature_metric(log_prob_grad: LogProbGrad, mode: np.ndarray) -> WarmStart | None:
    """The warm-start metric at a given ``mode``: the inverse of :func:`diagonal_curvature`.

    Entries whose curvature is not positive and finite get 1 (the unit metric's value).
    Returns ``None`` when the point is not a usable mode (non-finite, or curvature unusable
    in over half of the parameters).
    """
    t0 = time.perf_counter()
    mode = np.asarray(mode, dtype=np.float64).ravel()
    if mode.size == 0 or not np.all(np.isfinite(mode)):
        return None
    try:
        curv = diagonal_curvature(log_prob_grad, mode)
    except (RuntimeError, ValueError, FloatingPointError) as exc:  # the density failed near the mode
        logger.info("No warm start: the curvature at the mode failed (%s).", exc)
        return None
    good = np.isfinite(curv) & (curv > 0)
    bad = int(np.sum(~good))
    if bad > _MAX_BAD_SHARE * mode.size:
        logger.info("No warm start: the curvature is not positive for %d of %d parameters.", bad, mode.size)
        return None
    inv = np.ones(mode.size)
    inv[good] = 1.0 / curv[good]
    return WarmStart(inv_metric=inv, mode=mode, n_fallback=bad, seconds=time.perf_counter() - t0)


def warm_start(
    log_prob_grad: LogProbGrad, n_params: int, find_mode: Callable[[], np.ndarray]
) -> WarmStart | None:
    """Find the mode with ``find_mode()`` and return the warm-start metric there, or ``None``.

    ``None`` (sample from the unit metric, as without a warm start) when there are more than
    :data:`WARM_START_MAX_PARAMS` parameters or the mode search fails; the reason is logged.
    """
    if n_params < 1 or n_params > WARM_START_MAX_PARAMS:
        return None
    t0 = time.perf_counter()
    try:
        mode = np.asarray(find_mode(), dtype=np.float64)
    except (RuntimeError, ValueError, FloatingPointError) as exc:
        logger.info("No warm start: the mode search failed (%s).", exc)
        return None
    ws = mode_curvature_metric(log_prob_grad, mode)
    return None if ws is None else dataclasses.replace(ws, seconds=time.perf_counter() - t0)


def dispersed_inits(ws: WarmStart, chains: int, seed: int, log_prob_grad: LogProbGrad | None = None) -> np.ndarray:
    """One unconstrained start per chain: the mode plus :data:`INIT_SPREAD` curvature sds of noise.

    With ``log_prob_grad``, a start whose density is not finite (a weakly identified parameter's
    noise can reach, say, a Cholesky factor's boundary) has its noise halved, up to the mode itself,
    so that Stan does not refuse the chain.

    Examples
    --------
    >>> ws = WarmStart(np.array([1e-6, 4.0]), np.array([0.3, 1.0]), 0, 0.0)
    >>> dispersed_inits(ws, 4, seed=1).shape
    (4, 2)
    >>> inside = lambda x: (0.0 if abs(x[1]) < 1.5 else -np.inf, np.zeros(2))
    >>> bool(np.all(np.abs(dispersed_inits(ws, 50, seed=1, log_prob_grad=inside)[:, 1]) < 1.5))
    True
    """
    rng = np.random.default_rng(seed)
    noise = INIT_SPREAD * np.sqrt(ws.inv_metric) * rng.standard_normal((chains, ws.mode.size))
    out = ws.mode + noise
    if log_prob_grad is None:
        return out
    for c in range(chains):
        for shrink in (1.0, 0.5, 0.25, 0.125, 0.0):
            out[c] = ws.mode + shrink * noise[c]
            try:
                if np.isfinite(log_prob_grad(out[c])[0]):
                    break
            except (RuntimeError, ValueError, FloatingPointError):
                continue
    return out


#: Parameter types whose unconstrained size differs from their constrained one: a parameter
#: declared before ``Intercept`` with one of them moves its coordinate (:func:`intercept_inits`).
_RESHAPED = re.compile(r"\b(simplex|unit_vector|sum_to_zero\w*|cholesky_factor_\w+|corr_matrix|cov_matrix|\w*stochastic\w*)\b")
_PLAIN_INTERCEPT = re.compile(r"^\s*real\s+Intercept\s*;")
#: Starts drawn per chain before giving up on a start with a finite density (Stan tries 100).
_START_TRIES = 100
#: brms's smallest default Intercept scale: :func:`intercept_inits` jitters the Intercept by Stan's
#: uniform(-2, 2) in units of ``scale / INTERCEPT_UNIT``, so a log or logit Intercept with that scale
#: gets Stan's own +-2 around its new centre (+-5 put truncated poisson chains at rates of e^6 = 400,
#: nearer a spurious mode), and sleepstudy's (scale 59) +-47 around 289, 5 posterior sds.
INTERCEPT_UNIT = 2.5


def intercept_coordinate(code: str, names: Sequence[str]) -> int | None:
    r"""The unconstrained coordinate of brms's temporary ``Intercept`` (``real Intercept;``), or ``None``.

    ``names`` are the model's constrained parameter columns (``stanli.Model.constrained_names``),
    in declaration order. The Intercept's column index is its coordinate when every parameter
    declared before it unconstrains to as many values as it has (no simplex, Cholesky factor, ...).

    Examples
    --------
    >>> code = "parameters {\n  vector[Kc] b;\n  real Intercept;\n  real<lower=0> sigma;\n}\nmodel {\n}"
    >>> intercept_coordinate(code, ["b[1]", "b[2]", "Intercept", "sigma"])
    2
    >>> intercept_coordinate(code.replace("vector[Kc] b", "simplex[Kc] b"), ["b[1]", "b[2]", "Intercept", "sigma"]) is None
    True
    """
    block = _PARAMETERS.search(code)
    if block is None or "Intercept" not in names:
        return None
    for line in block.group(1).splitlines():
        line = line.split("//")[0]
        if _PLAIN_INTERCEPT.match(line):
            return list(names).index("Intercept")
        if _RESHAPED.search(line):
            return None
    return None


def intercept_inits(
    code: str,
    names: Sequence[str],
    n_unconstrained: int,
    data: Mapping[str, Any],
    chains: int,
    seed: int,
    log_prob_grad: LogProbGrad | None = None,
) -> np.ndarray | None:
    r"""Dispersed starts with brms's temporary ``Intercept`` on the response's scale, or ``None``.

    Every coordinate starts at Stan's uniform(-2, 2) except the Intercept's:
    ``loc + scale / 2.5 * uniform(-2, 2)`` with ``loc`` and ``scale`` the program's
    ``prior_Intercept_loc`` and ``prior_Intercept_scale``, which for brms's default
    ``student_t(3, loc, scale)`` prior are the link of the response's median and its MAD (at least
    :data:`INTERCEPT_UNIT`, 2.5), so the chains start dispersed over the response's own range
    rather than around 0. ``None`` (Stan's own start) when the program has no plain ``real Intercept;``,
    its data no finite location and positive scale, or (with ``log_prob_grad``) when no start with a
    finite density turns up in :data:`_START_TRIES` draws for some chain.

    Examples
    --------
    >>> code = "parameters {\n  real Intercept;\n  real<lower=0> sigma;\n}\nmodel {\n}"
    >>> data = {"prior_Intercept_loc": 300.0, "prior_Intercept_scale": 50.0}
    >>> x = intercept_inits(code, ["Intercept", "sigma"], 2, data, chains=4, seed=1)
    >>> bool(np.all(np.abs(x[:, 0] - 300) <= 40) and np.all(np.abs(x[:, 1]) <= 2)), x.shape
    (True, (4, 2))
    """
    i = intercept_coordinate(code, names)
    if i is None or not 0 <= i < n_unconstrained:
        return None
    try:
        loc, scale = float(data["prior_Intercept_loc"]), float(data["prior_Intercept_scale"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (np.isfinite(loc) and np.isfinite(scale) and scale > 0):
        return None
    rng = np.random.default_rng([int(seed), 0x1C])  # its own stream: Stan's seed stays the chains'

    def draw() -> np.ndarray:
        u = rng.uniform(-2.0, 2.0, n_unconstrained)
        u[i] = loc + scale / INTERCEPT_UNIT * u[i]
        return u

    out = np.empty((chains, n_unconstrained))
    for c in range(chains):
        for _ in range(_START_TRIES):
            out[c] = draw()
            if log_prob_grad is None:
                break
            try:
                if np.isfinite(log_prob_grad(out[c])[0]):
                    break
            except (RuntimeError, ValueError, FloatingPointError):
                continue
        else:
            return None
    return out


def on_ridge(ws: WarmStart, groups: Sequence[tuple[np.ndarray, np.ndarray | None]]) -> WarmStart:
    """``ws`` for a program with standardized effects, whose mode lies on the ``sd * z`` ridge.

    ``groups`` holds, per standardized parameter, the boolean mask of its unconstrained coordinates
    and that of the sd scaling it (``None`` when it has none).  The standardized coordinates get
    the unit metric (their prior is N(0, 1)).  On the ridge the curvature of ``log(sd)`` is the
    data's information about ``sd * z`` (sleepstudy: variance 4.5e-5 against the posterior's
    0.06); it is raised to at least ``1 / (2 J)``, the sampling variance of the log of an sd
    estimated from J effects, J = standardized coordinates per sd.  Too small a variance there
    traps a chain (negative binomial ``(1 | g)``: min bulk ESS 7 and 100 divergences with it).

    Examples
    --------
    >>> ws = WarmStart(np.array([90.0, 1e-5, 1e-4, 1e-4, 1e-4, 1e-4]), np.zeros(6), 0, 0.0)
    >>> z, sd = np.arange(6) >= 2, np.arange(6) == 1
    >>> on_ridge(ws, [(z, sd)]).inv_metric.tolist()
    [90.0, 0.125, 1.0, 1.0, 1.0, 1.0]
    """
    inv = ws.inv_metric.copy()
    unit = np.zeros(inv.size, dtype=bool)
    for z, sd in groups:
        z = np.asarray(z, dtype=bool)
        unit |= z
        if sd is not None and np.any(sd):
            sd = np.asarray(sd, dtype=bool)
            inv[sd] = np.maximum(inv[sd], 1.0 / (2.0 * z.sum() / sd.sum()))
    inv[unit] = 1.0
    return dataclasses.replace(ws, inv_metric=inv, n_unit=int(unit.sum()))


# The parameters block (brms writes "parameters {" and its closing brace at a line's start), one
# declaration's name ("matrix[M_1, N_1] z_1;  // ..."), and a std_normal prior's argument
# ("std_normal_lpdf(to_vector(z_1))", "std_normal_lpdf(zs_1_1)", "std_normal_lpdf(z_1[1])").
_PARAMETERS = re.compile(r"^parameters\s*\{[^\n]*\n(.*?)^\}", re.S | re.M)
_DECLARED = re.compile(r"(\w+)\s*;")
_STD_NORMAL = re.compile(r"std_normal_lpdf\(\s*(?:to_vector\(\s*)?(\w+)\s*(?:\[[^\]]*\])?\s*\)")


def parameter_names(code: str) -> list[str]:
    r"""The names the program's parameters block declares, in order.

    Examples
    --------
    >>> parameter_names("parameters {\n  real Intercept;\n  matrix[M_1, N_1] z_1;  // effects\n}\nmodel {\n}")
    ['Intercept', 'z_1']
    """
    block = _PARAMETERS.search(code)
    if block is None:
        return []
    return [m.group(1) for line in block.group(1).splitlines() if (m := _DECLARED.search(line.split("//")[0]))]


def standard_normal_parameters(code: str) -> tuple[str, ...]:
    r"""Parameters with a ``std_normal`` prior: brms's standardized effects (``z_1``, ``zs_1_1``,
    ``zgp_1``, a horseshoe's ``zb``), each scaled by an sd elsewhere in the program.

    Examples
    --------
    >>> code = "parameters {\n  vector[Kc] b;\n  matrix[M_1, N_1] z_1;\n}\nmodel {\n  target += std_normal_lpdf(to_vector(z_1));\n}"
    >>> standard_normal_parameters(code)
    ('z_1',)
    """
    declared = parameter_names(code)
    named = {m.group(1) for m in _STD_NORMAL.finditer(code)}
    return tuple(name for name in declared if name in named)


def parameter_values(columns: Mapping[str, float], names: Sequence[str]) -> dict[str, Any]:
    """Constrained values of the parameters ``names`` from one draw's CSV columns (``"z_1[2,1]"``).

    Containers come out flat in the columns' order (first index fastest), which is Stan's
    serialization order, so ``Model.unconstrain`` takes them.

    Examples
    --------
    >>> parameter_values({"b[1]": 0.5, "sigma": 2.0, "lprior": -3.0}, ["b", "sigma"])
    {'b': [0.5], 'sigma': 2.0}
    """
    wanted = set(names)
    out: dict[str, Any] = {}
    for column, value in columns.items():
        base, bracket, _ = column.partition("[")
        if base not in wanted:
            continue
        if bracket:
            out.setdefault(base, []).append(float(value))
        else:
            out[base] = float(value)
    return out


#: brms's name of the sd scaling a standardized effect: z_1 -> sd_1, zgp_1 -> sdgp_1, zs_1_2 -> sds_1
#: (a smooth's sds vector; sds_1_2 tried first).
_SCALED_BY = re.compile(r"^z(s|gp|me)?_(\w+)$")


def scale_parameter(name: str, declared: "Sequence[str] | Mapping[str, Any]") -> str | None:
    """The ``declared`` parameter brms names as the sd that scales the standardized effect ``name``.

    Examples
    --------
    >>> scale_parameter("z_1", ["sd_1", "z_1"]), scale_parameter("zs_1_2", ["sds_1"]), scale_parameter("zb", ["tau"])
    ('sd_1', 'sds_1', None)
    """
    m = _SCALED_BY.match(name)
    if m is None:
        return None
    full = f"sd{m.group(1) or ''}_{m.group(2)}"
    for candidate in (full, full.rsplit("_", 1)[0]):
        if candidate in declared:
            return candidate
    return None


def coordinates(
    unconstrain: Callable[[Mapping[str, Any]], np.ndarray], values: Mapping[str, Any], name: str, positive: bool = False
) -> np.ndarray:
    """Which unconstrained coordinates belong to parameter ``name``.

    An unconstrained parameter moved by +1 (``positive``: a ``<lower=0>`` one, whose coordinate is
    its log, scaled by e) moves exactly its own coordinates by 1: two calls of ``unconstrain``
    (constrained values -> unconstrained vector) find them whatever the constrained parameters
    before it (simplexes, Cholesky factors) unconstrain to.

    Examples
    --------
    >>> unc = lambda v: np.array([np.log(v["sigma"]), *v["z"]])
    >>> coordinates(unc, {"sigma": 2.0, "z": [0.1, -0.3]}, "z").tolist()
    [False, True, True]
    >>> coordinates(unc, {"sigma": 2.0, "z": [0.1, -0.3]}, "sigma", positive=True).tolist()
    [True, False, False]
    """
    value = np.asarray(values[name], dtype=np.float64)
    moved = dict(values)
    moved[name] = (value * np.e if positive else value + 1.0).tolist()
    base = np.asarray(unconstrain(values), dtype=np.float64)
    shifted = np.asarray(unconstrain(moved), dtype=np.float64)
    return np.abs(shifted - base - 1.0) < 1e-6
