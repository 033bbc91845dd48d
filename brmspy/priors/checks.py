"""Data diagnostics before sampling: what would make the posterior improper or the sampler fail.

Three checks, run on the model frame once it is built (cheap: one pass over the
rows of each population-level design, ``O(N K^2)``; measured 0.04 ms on
sleepstudy, 20 ms for 10^6 rows and 10 columns, 110 ms with a bernoulli
model's separation check):

* :func:`check_values` (a :class:`~brmspy.core.errors.DataError`): responses and
  predictors so large that their squares overflow double precision (a response
  of 1e300 otherwise fails at initialization with Stan's "Matrix of independent
  variables is inf").
* :func:`warn_design`, rank: each population-level design (every dpar and
  nlpar), after brms's intercept handling (columns centred when there is an
  intercept, so a constant predictor is a zero column), is checked for columns
  that are linear combinations of earlier ones -- lm's rule (``qr()`` with
  limited pivoting: a column is aliased when its part not explained by the
  columns before it is tiny), computed from the centred cross-product matrix
  ``X'X`` in chunks of rows.  On ``X'X`` a column counts as aliased when
  ``1 - R^2 < 1e-10`` against the columns before it (a relative residual below
  1e-5; lm's QR uses 1e-7): below that the difference is rounding noise in
  ``X'X``.  lme4 drops such columns with a message; brms keeps them and leaves
  them to the prior, so with brms's default flat prior on ``b`` the posterior is
  improper along them.  We warn, naming the columns and the combination, only
  when every coefficient involved has a flat prior: a proper prior makes the
  posterior proper and is then the user's choice (e.g. p > n with a shrinkage
  prior).
* :func:`warn_design`, separation (bernoulli and binomial ``mu``): for each
  single population-level column, whether the outcome is all successes on one
  side of a threshold and all failures on the other (complete separation; with
  ties at the threshold, quasi-complete), which includes a factor level whose
  rows all have the same outcome.  Then the likelihood keeps growing as that
  coefficient goes to infinity.  Not detected: separation by a combination of
  several predictors (e.g. ``y = 1`` exactly when ``x1 + x2 > 0``), which needs
  a linear program; p > n designs are reported by the rank check instead.

Hand-written rather than a library call because the rule must follow brms's
design (centring, dpar/nlpar designs, which priors are flat) and scale to 10^6
rows without a QR of the full matrix (``numpy.linalg.matrix_rank`` is an SVD
and names no columns; statsmodels is not a dependency).

Examples
--------
>>> import numpy as np
>>> X = np.column_stack([np.arange(5.0), 2 * np.arange(5.0)])
>>> [(a.column, a.partners) for a in aliased_columns(X, center=True)]
[(1, [(0, 2.0)])]
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from ..core.distributions import PriorDist, format_number, parse_any_prior
from ..core.errors import PriorError, PriorWarning, warn
from ..core.types import PriorRow
from ..formula.prefix import Prefix
from ..frame.types import ModelFrame, PopulationDesign
from .table import ResolvedPriors, _prefix_dpar_nlpar

__all__ = ["Alias", "aliased_columns", "warn_design", "design_messages"]

#: rows per chunk of the cross-product (bounds the temporary copy for centring)
CHUNK = 65536
#: lm's qr() tolerance on the relative size of a column: below it, a column is constant
TOL_CONSTANT = 1e-7
#: 1 - R^2 below which a column counts as a linear combination of the columns before it
TOL_ALIAS = 1e-10


# ------------------------------------------------------------------ values


# ------------------------------------------------------------------ rank


@dataclass
class Alias:
    """A column that is (numerically) a linear combination of the columns before it.

    ``partners`` are ``(column, coefficient)`` pairs with
    ``x[column] = sum(coefficient * x[partner]) + constant`` (the constant only with centring);
    ``constant`` marks a column without variation (zero after centring).
    """

    column: int
    partners: list[tuple[int, float]] = field(default_factory=list)
    constant: bool = False
    offset: float = 0.0


def _cross_product(X: np.ndarray, center: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centred ``X'X`` (chunks of rows keep the centred copy small), column means and raw sums of squares."""
    N, K = X.shape
    means = X.mean(axis=0) if center else np.zeros(K)
    if not center:
        G = X.T @ X
    else:
        G = np.zeros((K, K))
        for a in range(0, N, CHUNK):
            C = X[a:a + CHUNK] - means
            G += C.T @ C
    raw = np.diag(G) + N * means**2
    return G, means, raw


def aliased_columns(X: np.ndarray, center: bool) -> list[Alias]:
    """Columns of ``X`` that are linear combinations of earlier ones, in column order (as lm's ``qr``).

    Parameters
    ----------
    X : (N, K) design without its intercept column.
    center : whether the model has an intercept (columns are then centred, so a
        constant column is aliased with the intercept).

    Examples
    --------
    >>> X = np.column_stack([np.ones(4), [1.0, 2, 3, 5]])
    >>> [(a.column, a.constant) for a in aliased_columns(X, center=True)]
    [(0, True)]
    """
    N, K = X.shape
    if K == 0:
        return []
    G, means, raw = _cross_product(X, center)
    d = np.diag(G).copy()
    const = d <= (TOL_CONSTANT**2) * raw  # no variation relative to the column's size (or all zero)
    scale = np.sqrt(np.where(const, 1.0, d))
    C = G / np.outer(scale, scale)  # correlation-like: unit diagonal for the non-constant columns
    S = C.copy()  # Schur complements of the columns accepted so far (right-looking Cholesky)
    accepted: list[int] = []
    out: list[Alias] = []
    for j in range(K):
        if const[j]:
            out.append(Alias(j, constant=True))
            continue
        if S[j, j] < TOL_ALIAS:
            A = np.array(accepted, dtype=int)
            coef = np.linalg.lstsq(C[np.ix_(A, A)], C[A, j], rcond=None)[0] if A.size else np.zeros(0)
            partners = [(int(k), float(c * scale[j] / scale[k])) for k, c in zip(A, coef) if abs(c) > 1e-6]
            offset = float(means[j] - sum(b * means[k] for k, b in partners)) if center else 0.0
            if abs(offset) <= 1e-8 * (abs(means[j]) + sum(abs(b * means[k]) for k, b in partners)):
                offset = 0.0  # rounding noise
            out.append(Alias(j, partners, False, offset))
            continue
        col = S[j:, j] / math.sqrt(S[j, j])
        S[j:, j:] -= np.outer(col, col)
        accepted.append(j)
    return out


def _coef_text(b: float) -> str:
    txt = f"{b:.4g}"
    return "" if txt == "1" else "-" if txt == "-1" else f"{txt}*"


def _relation(a: Alias, names: list[str], center: bool) -> str:
    name = names[a.column]
    if a.constant:
        return f"{name} is constant" if center else f"{name} is zero in every row"
    if not a.partners:
        return f"{name} is a linear combination of other columns"
    if len(a.partners) > 4:
        return f"{name} is a linear combination of {len(a.partners)} other columns"
    rhs = ""
    for k, b in a.partners:
        term = _coef_text(b) + names[k]
        rhs += term if not rhs else (f" - {term[1:]}" if term.startswith("-") else f" + {term}")
    if center and a.offset != 0.0:
        rhs += f" {'-' if a.offset < 0 else '+'} {abs(a.offset):.4g}"
    return f"{name} = {rhs}"


# ------------------------------------------------------------------ priors


def _prior_call(prefix: "Prefix", frame: "ModelFrame", dist: str) -> str:
    dpar, nlpar = _prefix_dpar_nlpar(frame, prefix)
    extra = "".join(f", {k}={v!r}" for k, v in (("dpar", dpar), ("nlpar", nlpar), ("resp", prefix.resp)) if v)
    return f"prior('{dist}', class_='b'{extra})"


def _where(prefix: "Prefix", frame: "ModelFrame") -> str:
    dpar, nlpar = _prefix_dpar_nlpar(frame, prefix)
    what = f"the non-linear parameter {nlpar!r}" if nlpar else f"{dpar or 'mu'}"
    return what + (f" of response {prefix.resp!r}" if prefix.resp else "")


def _flat(priors: "ResolvedPriors", prefix: "Prefix") -> list[bool]:
    """Whether each coefficient of the design has an improper prior (flat, not bounded on both sides)."""
    if priors.shrunk_b(prefix):  # horseshoe()/R2D2(): proper priors
        return [False] * len(priors.b.get(prefix, []))
    lb, ub = priors.b_bounds.get(prefix, (None, None))
    bounded = lb is not None and ub is not None
    fixed = priors.constants.get(f"b{prefix.suffix}") or [None] * len(priors.b.get(prefix, []))
    return [p is None and not bounded and c is None for p, c in zip(priors.b.get(prefix, []), fixed)]


# ------------------------------------------------------------------ checks


def _rank_message(frame: "ModelFrame", prefix: "Prefix", design: "PopulationDesign",
                  priors: "ResolvedPriors") -> str | None:
    X = design.X
    if X is None or X.shape[1] == 0 or not np.all(np.isfinite(X)):
        return None
    Xb = X[:, 1:] if design.intercept else X
    names = list(design.coef_names)
    if Xb.shape[1] != len(names):
        return None
    center = design.intercept
    aliases = aliased_columns(Xb, center)
    if not aliases:
        return None
    flat = _flat(priors, prefix)
    if len(flat) != len(names):
        return None
    improper = [a for a in aliases if flat[a.column] and all(flat[k] for k, _ in a.partners)]
    if not improper:
        return None
    total = Xb.shape[1] + int(center)
    where = _where(prefix, frame)
    head = ""
    if frame.N < total:
        head = (f"The data have {frame.N} row{'s' if frame.N != 1 else ''} but the population-level design of "
                f"{where} has {total} coefficients" + (" (with the Intercept)" if center else "") +
                f": fewer rows than coefficients, so at most {frame.N} can be estimated from the data. ")
    shown = [_relation(a, names, center) for a in improper[:8]]
    more = f" and {len(improper) - 8} more" if len(improper) > 8 else ""
    rank = Xb.shape[1] - len(aliases) + int(center)
    return (
        f"{head}The population-level design of {where} is rank deficient (rank {rank} of {total} columns"
        + (", after centring by the Intercept" if center else "") + f"): {'; '.join(shown)}{more}. "
        "The data do not identify these coefficients, and with the default flat prior on b the posterior is "
        "improper along them (estimates drift to huge values, chains do not converge). Remove the column(s), "
        f"or set a proper prior, e.g. {_prior_call(prefix, frame, 'normal(0, 10)')}. "
        "(lme4 drops such columns; brms keeps them and leaves them to the prior.)"
    )


def _separation_message(frame: "ModelFrame", prefix: "Prefix", design: "PopulationDesign",
                        priors: "ResolvedPriors") -> str | None:
    t = next((t for t in frame.response_terms if t.resp == prefix.resp), None)
    if t is None or prefix.dpar != "mu" or t.family.name not in ("bernoulli", "binomial"):
        return None
    X = design.X
    if X is None or not design.coef_names or not np.all(np.isfinite(X)):
        return None
    rd = frame.responses[prefix.resp]
    y = np.asarray(rd.y, dtype=float)
    n = np.ones_like(y) if rd.trials is None else np.asarray(rd.trials, dtype=float)
    keep = np.isfinite(y) & (n > 0)
    if rd.weights is not None:
        keep &= np.asarray(rd.weights) > 0
    pos = keep & (y > 0)  # rows with a success
    neg = keep & (y < n)  # rows with a failure
    if not pos.any() or not neg.any():
        return None
    Xb = X[:, 1:] if design.intercept else X
    names = list(design.coef_names)
    flat = _flat(priors, prefix)
    if Xb.shape[1] != len(names) or len(flat) != len(names):
        return None
    lo1, hi1, lo0, hi0 = _side_ranges(Xb, pos, neg)
    binary = rd.trials is None
    one, zero = ((f"{rd.name} = 1", f"{rd.name} = 0") if binary else ("only successes", "only failures"))
    found = []
    for j, name in enumerate(names):
        if not flat[j] or min(lo1[j], lo0[j]) == max(hi1[j], hi0[j]):  # constant: the rank check's job
            continue
        col_min, col_max = min(lo1[j], lo0[j]), max(hi1[j], hi0[j])
        if hi0[j] <= lo1[j]:  # failures below, successes above
            found.append(_separation_text(name, hi0[j], lo1[j], one, zero, True, col_min, col_max))
        elif hi1[j] <= lo0[j]:  # successes below, failures above
            found.append(_separation_text(name, hi1[j], lo0[j], one, zero, False, col_min, col_max))
    if not found:
        return None
    shown = "; ".join(found[:5]) + (f"; and {len(found) - 5} more" if len(found) > 5 else "")
    return (
        f"Separation in the {t.family.name} model of {rd.name!r}: {shown}. The likelihood keeps growing as "
        f"{'this coefficient goes' if len(found) == 1 else 'these coefficients go'} to infinity, so with the "
        "default flat prior on b the posterior is improper (enormous estimates, chains that do not converge). "
        f"A proper prior fixes it, e.g. {_prior_call(prefix, frame, 'normal(0, 2.5)')} (on the predictors' scale)."
    )


def _side_ranges(X: np.ndarray, pos: np.ndarray, neg: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per column: min and max over rows with a success, min and max over rows with a failure."""
    K = X.shape[1]
    lo1, lo0 = np.full(K, np.inf), np.full(K, np.inf)
    hi1, hi0 = np.full(K, -np.inf), np.full(K, -np.inf)
    for a in range(0, X.shape[0], CHUNK):
        Xc = X[a:a + CHUNK]
        for mask, lo, hi in ((pos[a:a + CHUNK], lo1, hi1), (neg[a:a + CHUNK], lo0, hi0)):
            if mask.any():
                sub = Xc[mask]
                np.minimum(lo, sub.min(axis=0), out=lo)
                np.maximum(hi, sub.max(axis=0), out=hi)
    return lo1, hi1, lo0, hi0


def _separation_text(name: str, edge_low: float, edge_high: float, high: str, low: str, up: bool,
                     col_min: float, col_max: float) -> str:
    """Rows of ``name`` at or above ``edge_high`` all have ``high``, those at or below ``edge_low`` all ``low``."""
    a, b = (format_number(float(f"{v:.4g}")) for v in (edge_low, edge_high))
    coef = f"b_{name} -> {'+' if up else '-'}infinity"
    big, small = (high, low) if up else (low, high)
    if edge_low < edge_high:
        return (f"complete separation by {name}: every row with {name} >= {b} has {big}, every row with "
                f"{name} <= {a} has {small} ({coef})")
    sides = [f"every row with {name} > {a} has {big}" if col_max > edge_low else "",
             f"every row with {name} < {a} has {small}" if col_min < edge_low else ""]
    return (f"quasi-complete separation by {name}: {', '.join(s for s in sides if s)}; rows with {name} = {a} "
            f"have both ({coef})")


def design_messages(frame: "ModelFrame", priors: "ResolvedPriors") -> list[str]:
    """The warnings :func:`warn_design` would give, as strings."""
    msgs = []
    for prefix, design in frame.designs.items():
        for check in (_rank_message, _separation_message):
            m = check(frame, prefix, design, priors)
            if m:
                msgs.append(m)
    return msgs


def warn_design(frame: "ModelFrame", priors: "ResolvedPriors") -> list[str]:
    """Warn about rank-deficient designs and separation that make the posterior improper (see module docstring).

    Returns the messages.

    Examples
    --------
    >>> import warnings, pandas as pd, brmspy as bp
    >>> df = pd.DataFrame({"y": [1.0, 2.5, 2.9, 4.2], "x": [1.0, 2, 3, 4]}).assign(x2=lambda d: 2 * d.x)
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     _ = bp.make_stancode("y ~ x + x2", df)
    >>> "x2 = 2*x" in str(w[0].message)
    True
    """
    msgs = design_messages(frame, priors)
    for m in msgs:
        warn(m, PriorWarning)
    return msgs


def _base_bounds(row: PriorRow, table: list[PriorRow]) -> tuple[float | None, float | None]:
    """The bounds of ``row``'s parameter: its class-level row's ``lb``/``ub`` (brms's ``stan_base_prior``)."""
    cands = [r for r in table if r.class_ == row.class_ and r.group in (row.group, "") and r.resp == row.resp
             and r.dpar == row.dpar and r.nlpar == row.nlpar and not r.coef and (r.lb or r.ub)]
    for attr in ("group", "nlpar", "dpar", "resp"):  # the most specific row
        specific = [r for r in cands if getattr(r, attr)]
        cands = specific or cands
    if not cands:
        return None, None
    r = cands[0]
    return _number(r.lb), _number(r.ub)


def _number(bound: str) -> float | None:
    """A bound as a number; None when absent or named by data (sar()'s ``min_eigenMsar``: known only with the data)."""
    try:
        return float(bound) if bound else None
    except ValueError:
        return None


def _print_prior(row: PriorRow, lb: float | None, ub: float | None) -> str:
    """A prior as brms prints it in its messages (``.print_prior``): ``<lower=0> sd_g ~ uniform(0, 1)``."""
    def usc(x: str) -> str:
        return "_" + x if x else ""

    group = usc(row.group)
    if any((row.resp, row.dpar, row.nlpar, row.coef)) and group:
        group += "_"
    bounds = ",".join(f"{k}={format_number(v)}" for k, v in (("lower", lb), ("upper", ub)) if v is not None)
    head = f"<{bounds}> " if bounds else ""
    return (f"{head}{row.class_}{group}{usc(row.resp)}{usc(row.dpar)}{usc(row.nlpar)}{usc(row.coef)} ~ "
            f"{row.prior or '(flat)'}")


def _range(lb: float | None, ub: float | None) -> str:
    return f"[{'-inf' if lb is None else format_number(lb)}, {'inf' if ub is None else format_number(ub)}]"


def check_prior_bounds(table: list[PriorRow]) -> None:
    """User priors against their parameters' bounds, as brms's ``check_prior_content`` plus two errors.

    A prior whose support lies entirely outside the parameter's bounds
    (``uniform(-5, -1)`` on ``sigma``), or ``lb`` not below ``ub``, is a
    :class:`~brmspy.core.errors.PriorError` (brms accepts both; Stan then fails to
    initialize).  A bounded prior on a parameter without that bound
    (``lognormal`` on ``b`` without ``lb``, ``uniform(0, 1)`` on an ``sd``)
    gets brms's warning, with its wording.
    """
    lb_rows: list[str] = []
    ub_rows: list[str] = []
    for row in table:
        if row.source != "user" or not row.prior.strip():
            continue
        dist = parse_any_prior(row.prior)
        if isinstance(dist, PriorDist):
            zero = [a for a, v in zip(dist.info.args, dist.args) if a in dist.info.positive and v == 0]
            if zero:  # brms builds it (its testsuite: gamma(0, 1)); Stan rejects the value when sampling
                warn(f"The prior {row.prior!r} has {' and '.join(zero)} 0, but Stan's {dist.info.name} needs "
                     f"{' and '.join(zero)} > 0: the program is built (as brms builds it), but sampling fails when "
                     "this prior is first evaluated. Give a positive value.", PriorWarning)
        if not isinstance(dist, PriorDist) or dist.info.kind != "real":  # special priors: checked in resolve
            continue
        lb, ub = _base_bounds(row, table)
        label = _print_prior(row, _number(row.lb), _number(row.ub))  # as brms
        if lb is not None and ub is not None and not lb < ub:
            raise PriorError(f"The bounds of {label} are lb = {format_number(lb)} and ub = {format_number(ub)}; "
                             "lb must be less than ub.")
        lo, hi = dist.support
        if (lb is not None and hi <= lb) or (ub is not None and lo >= ub):
            raise PriorError(
                f"The prior {row.prior!r} ({label}) has support {_range(lo, hi)}, outside the parameter's range "
                f"{_range(lb, ub)}: no value is allowed by both, so sampling cannot start. Choose a prior with "
                f"support on {_range(lb, ub)}" + (", e.g. 'student_t(3, 0, 2.5)'." if lb == 0 and ub is None else ".")
            )
        if dist.info.brms_bounded and lb is None:
            lb_rows.append(label)
        if dist.info.brms_bounded == "both" and ub is None:
            ub_rows.append(label)
    for which, rows in (("lower", lb_rows), ("upper", ub_rows)):
        if rows:
            arg = "lb" if which == "lower" else "ub"
            an = "a" if which == "lower" else "an"
            warn(
                f"It appears as if you have specified {an} {which} bounded prior on a parameter that has no natural "
                f"{which} bound.\nIf this is really what you want, please specify argument '{arg}' of 'prior()' "
                f"appropriately (brmspy takes bounds for class 'b' only: prior(..., class_='b', {arg}=...)); "
                f"otherwise the prior cuts the posterior off at its {which} bound, so choose a prior whose support "
                f"matches the parameter.\nWarning occurred for prior \n" + "\n".join(rows),
                PriorWarning,
            )
