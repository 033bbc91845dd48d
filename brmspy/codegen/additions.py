"""Stan code of the response addition terms ``cens()``, ``trunc()``, ``se()`` and ``rate()``.

Data names follow brms: ``cens`` (-1 left, 0 none, 1 right, 2 interval),
``rcens`` (upper ends of interval-censored rows), ``lb``/``ub`` (truncation
bounds), ``se`` (with ``se2 = square(se)`` in transformed data) and ``denom``
(with ``log_denom`` when the rate enters on the log scale).

The likelihood is written in one of three shapes:

- vectorised as usual when only ``se()``/``rate()`` apply;
- vectorised per censoring type when ``cens()`` has no ``y2`` and there are
  no weights or truncation (index arrays ``Jevent``, ``Jrcens``, ``Jlcens``
  select the uncensored, right- and left-censored rows);
- otherwise a loop over rows with one branch per censoring code, each term
  normalised by the truncation mass and multiplied by the weight.

``se`` replaces ``sigma`` (``sqrt(square(sigma) + se2)`` with ``sigma = TRUE``);
``rate`` multiplies ``mu`` by ``denom`` (adds ``log_denom`` with the canonical
log-link form) and, as in brms, multiplies the negative binomial shape too.
Censored or truncated models use the family's plain likelihood (Stan has no
CDFs of ``poisson_log`` and the like) and never the ``*_glm`` forms.  Mixture
components get the same per-row branches, assigning ``ps[k]``
(:func:`stan_mixture_component`, called from :mod:`brmspy.codegen.mixture`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..core.stan import StanBlocks
from ..core.templates import stan_lines
from ..families import Likelihood, Ops
from ..families.cdf import CDFS
from ..formula.prefix import resp_suffix
from ..formula.terms import BrmsTerms
from ..frame.types import AdditionData, ResponseData

#: position of the shape argument among the Stan likelihood's arguments, multiplied by the rate (brms)
RATE_SHAPE_ARG = {"negbinomial": 1, "negbinomial2": 1, "geometric": 1}
#: (censoring code, name of its rows' index array, CDF kind) of the vectorised censored likelihood
CENS_TYPES = ((0, "event", None), (1, "rcens", "lccdf"), (-1, "lcens", "lcdf"))


def _rs(t: BrmsTerms) -> str:
    return resp_suffix(t.resp)


def log_rate(t: BrmsTerms, rd: ResponseData) -> bool:
    """Whether the rate enters as ``+ log_denom`` (canonical log-link likelihood, no CDFs needed)."""
    fam = t.family
    adds = rd.adds
    return (adds is not None and adds.denom is not None and not adds.needs_cdf
            and fam.link == "log" and fam.link in fam.spec.canonical)


def _vectorised_cens(t: BrmsTerms, rd: ResponseData) -> bool:
    adds = rd.adds
    cdf = CDFS.get(t.family.name)
    return (adds.cens is not None and adds.rcens is None and not adds.truncated and rd.weights is None
            and not t.family.spec.pointwise and t.family.kind.univariate
            and (cdf is None or cdf.stan_dist is None))  # user-defined CDFs (stan_dist) take one row


# ------------------------------------------------------------------- data


def stan_addition_data(t: BrmsTerms, rd: ResponseData) -> StanBlocks:
    """Data declarations (and transformed data) of the response's addition terms."""
    sb = StanBlocks()
    adds: AdditionData = rd.adds
    s = _rs(t)
    discrete = t.family.spec.is_discrete
    if adds.se is not None:
        sb.declare(f"vector<lower=0>[N] se{s}", f"se{s}", adds.se, "known sampling error")
        if adds.se_sigma:
            sb.tdata_def.append(f"vector<lower=0>[N] se2{s} = square(se{s});")
    if adds.denom is not None:
        sb.declare(f"vector<lower=0>[N] denom{s}", f"denom{s}", adds.denom, "response denominator")
        if log_rate(t, rd):
            sb.tdata_def += ["// log response denominator", f"vector[N] log_denom{s} = log(denom{s});"]
    if adds.cens is not None:
        sb.data.append("// censoring indicator: 0 = event, 1 = right, -1 = left, 2 = interval censored")
        sb.declare(f"array[N] int<lower=-1,upper=2> cens{s}", f"cens{s}", adds.cens)
        if adds.rcens is not None:
            sb.data.append("// right censor points for interval censoring")
            decl = f"array[N] int rcens{s}" if discrete else f"vector[N] rcens{s}"
            sb.declare(decl, f"rcens{s}", adds.rcens)
        if _vectorised_cens(t, rd):
            sb.data.append("// indices of uncensored, right- and left-censored observations")
            for code, name, _ in CENS_TYPES:
                rows = np.flatnonzero(adds.cens == code).astype(np.int64) + 1
                sb.declare(f"int<lower=0> N{name}{s}", f"N{name}{s}", len(rows))
                sb.declare(f"array[N{name}{s}] int<lower=1> J{name}{s}", f"J{name}{s}", rows)
    rtype = "int" if discrete else "real"
    if adds.lb is not None:
        sb.declare(f"array[N] {rtype} lb{s}", f"lb{s}", adds.lb, "lower truncation bounds")
    if adds.ub is not None:
        sb.declare(f"array[N] {rtype} ub{s}", f"ub{s}", adds.ub, "upper truncation bounds")
    return sb


# ------------------------------------------------------------- likelihood


class PredictionContext:
    """How names are written in one place of the likelihood: whole vectors, ``[n]`` or ``[Jevent]``."""

    def __init__(self, index: str, vectors: set[str], Y: str = "Y"):
        self.index = index
        self.Y = Y  # the response's Stan name
        self.vectors = vectors  # names of N-vectors (predicted dpars and data)

    @property
    def scalar(self) -> bool:
        return self.index == "[n]"

    def at(self, name: str) -> str:
        return f"{name}{self.index}"

    def is_vector(self, expr: str) -> bool:
        return not self.scalar and Ops(self.vectors).is_vector(expr)

    def mul(self, a: str, b: str) -> str:
        if a == "1":
            return b
        return f"{a} .* {b}" if self.is_vector(a) and self.is_vector(b) else f"{a} * {b}"


def stan_addition_likelihood(t: BrmsTerms, rd: ResponseData, lik: Likelihood, dp: dict[str, str],
                             vectors: set[str], Y: str) -> StanBlocks:
    """The ``target +=`` statements of a response with ``cens/trunc/se/rate`` terms.

    Parameters
    ----------
    t, rd : the response's terms and data.
    lik : the Stan likelihood in use (canonical form only when no CDFs are needed).
    dp : dpar -> Stan name (``mu``, ``sigma``, ``shape_y1``).
    vectors : which of those names are N-vectors (predicted dpars).
    Y : the response's Stan name (``Y``, ``Y_y1``; ``Yl`` with imputed values).
    """
    sb = StanBlocks()
    adds: AdditionData = rd.adds
    fam = t.family
    s = _rs(t)
    if adds.needs_cdf:
        sb.functions += [f.text for f in CDFS[fam.name].stan_functions]
    data_vectors = {Y, *(f"{x}{s}" for x in ("se", "se2", "denom", "log_denom", "trials", "weights", "lb", "ub",
                                               "rcens"))}
    trials = rd.trials is not None
    if not adds.needs_cdf and rd.weights is None and not fam.spec.pointwise:
        ctx = PredictionContext("", vectors | data_vectors, Y)
        call = _call(t, rd, lik, None, dp, ctx, trials)
        sb.likelihood.append(f"target += {call};")
        return sb
    if _vectorised_cens(t, rd):
        sb.likelihood.append("// vectorized log-likelihood contributions of censored data")
        for _, name, kind in CENS_TYPES:
            ctx = PredictionContext(f"[J{name}{s}]", vectors | data_vectors, Y)
            sb.likelihood.append(f"target += {_call(t, rd, lik, kind, dp, ctx, trials)};")
        return sb
    bounds = _shared_count_bounds(t, rd, dp, vectors)
    if bounds is not None:
        lo = f"lb{s}[1]" if adds.lb is not None else "0"
        sb.tdata_def += stan_lines("truncation", "shared_bounds_data", s=s, lo=lo)
        sb.tdata_comp += stan_lines("truncation", "shared_bounds_check", s=s, lb=adds.lb is not None)
        sb.likelihood += stan_lines("truncation", "poisson_shared_bounds", s=s, Y=Y, mu=dp["mu"])
        return sb
    ctx = PredictionContext("[n]", vectors | data_vectors, Y)
    sb.likelihood += stan_lines("likelihood", "rowwise", lines=_row_statements(t, rd, lik, dp, ctx, trials))
    return sb


#: the most counts inside shared truncation bounds summed per row (beyond, poisson_lcdf per row is cheaper)
MAX_TRUNC_COUNTS = 64


def _shared_count_bounds(t: BrmsTerms, rd: ResponseData, dp: dict[str, str], vectors: set[str]
                         ) -> tuple[int, int] | None:
    """``(lo, hi)`` when a truncated poisson response has the same finite bounds in every row.

    Then each row's truncation mass is a sum of at most :data:`MAX_TRUNC_COUNTS` probabilities,
    computed for all rows at once (``templates/snippets/truncation.stan.j2``); ``None`` otherwise
    (censoring, weights, rates, se, a lower bound only, bounds that vary by row).
    """
    adds: AdditionData = rd.adds
    if (t.family.name != "poisson" or adds.ub is None or adds.cens is not None or adds.denom is not None
            or adds.se is not None or rd.weights is not None or dp.get("mu") not in vectors):
        return None
    ub = np.asarray(adds.ub, dtype=float)
    lb = np.zeros_like(ub) if adds.lb is None else np.asarray(adds.lb, dtype=float)
    if ub.size == 0 or np.ptp(ub) != 0 or np.ptp(lb) != 0 or not np.all(np.isfinite(ub)) or not np.all(np.isfinite(lb)):
        return None
    lo, hi = float(lb[0]), float(ub[0])
    if lo < 0 or lo != int(lo) or hi != int(hi) or not 1 <= hi - lo + 1 <= MAX_TRUNC_COUNTS:
        return None
    return int(lo), int(hi)


def _call(t: BrmsTerms, rd: ResponseData, lik: Likelihood, kind: str | None, dp: dict[str, str], ctx: PredictionContext,
          trials: bool, y: str | None = None, at: str | None = None) -> str:
    """One density/CDF call at ``y`` (default the response) in ``ctx``, with se and rate folded in.

    ``at`` names the data ``y`` comes from (``rcens``, ``lb``, ``ub``): cox's cumulative hazard is then the
    one at that time (``cbhaz_rcens[n]``, brmspy.codegen.survival), not the response's.
    """
    s = _rs(t)
    adds: AdditionData = rd.adds
    d = {k: (ctx.at(v) if v in ctx.vectors else v) for k, v in dp.items()}
    if at is not None and "cbhaz" in d:  # cox, alone or as a mixture component
        d["cbhaz"] = ctx.at(f"cbhaz_{at}{s}")
    vec = set(ctx.vectors) if not ctx.scalar else set()
    if adds.se is not None:
        d["sigma"] = f"sqrt(square({d['sigma']}) + {ctx.at('se2' + s)})" if adds.se_sigma else ctx.at(f"se{s}")
    if adds.denom is not None:
        if log_rate(t, rd):
            d["mu"] = f"{d['mu']} + {ctx.at('log_denom' + s)}"
        else:
            d["mu"] = ctx.mul(d["mu"], ctx.at(f"denom{s}"))
        if t.family.name in RATE_SHAPE_ARG:
            lik = _rate_shape(lik, RATE_SHAPE_ARG[t.family.name], ctx.at(f"denom{s}"), ctx)
    if not ctx.scalar:  # exact-string checks (families.continuous) must see the indexed names as vectors
        vec |= {v for v in d.values() if ctx.is_vector(v)}
    if kind is not None:
        lik = replace(lik, kind=kind)
        if kind in ("lcdf", "lccdf") and (cdf := CDFS.get(t.family.name)) is not None and cdf.stan_dist:
            lik = replace(lik, dist=cdf.stan_dist)  # e.g. beta_binomial_sum_lcdf (families.cdf)
    extra = (ctx.at(f"trials{s}"),) if trials else ()
    return lik.call(y or ctx.at(ctx.Y), d, Ops(vec), extra)


def _rate_shape(lik: Likelihood, pos: int, denom: str, ctx: PredictionContext) -> Likelihood:
    base = lik.args

    def args(dp: dict[str, str], ops: Ops) -> list[str]:
        out = list(base(dp, ops))
        out[pos] = ctx.mul(out[pos], denom)
        return out

    return replace(lik, args=args)


def _row_statements(t: BrmsTerms, rd: ResponseData, lik: Likelihood, dp: dict[str, str], ctx: PredictionContext,
                    trials: bool, lhs: str = "target += ", weighted: bool = True) -> list[str]:
    """The body of the loop over rows: one branch per censoring code, truncation and weights applied.

    ``lhs`` starts each statement (``ps[2] = log(theta2) + `` in mixtures, whose
    weights multiply the row's ``log_sum_exp(ps)`` instead: ``weighted=False``).
    """
    s = _rs(t)
    adds: AdditionData = rd.adds
    trunc = _trunc_term(t, rd, lik, dp, ctx, trials)

    def statement(expr: list[str]) -> list[str]:
        """``target += expr;`` minus the truncation mass, times the weight."""
        body = list(expr)
        if trunc:
            body[-1] += " -"
            body += ["  " + ln for ln in trunc]
        if weighted and rd.weights is not None:
            w = ctx.at(f"weights{s}")
            if trunc:
                body[0], body[-1] = f"{w} * ({body[0]}", body[-1] + ")"
            else:
                body[0] = f"{w} * {body[0]}"
        body[-1] += ";"
        return [f"{lhs}{body[0]}", *body[1:]]

    if adds.cens is None:
        head = ["// truncated likelihood: each density divided by the probability of the bounds"] if trunc else []
        return head + statement([_call(t, rd, lik, None, dp, ctx, trials)])
    branches = [
        ("0", [_call(t, rd, lik, None, dp, ctx, trials)]),
        ("1", [_call(t, rd, lik, "lccdf", dp, ctx, trials)]),
        ("-1", [_call(t, rd, lik, "lcdf", dp, ctx, trials)]),
    ]
    if adds.rcens is not None:
        branches.append(("2", [
            "log_diff_exp(",
            f"  {_call(t, rd, lik, 'lcdf', dp, ctx, trials, y=ctx.at('rcens' + s), at='rcens')},",
            f"  {_call(t, rd, lik, 'lcdf', dp, ctx, trials)}",
            ")",
        ]))
    out = ["// special treatment of censored data"]
    for i, (code, expr) in enumerate(branches):
        head = "if" if i == 0 else "} else if"
        out.append(f"{head} ({ctx.at('cens' + s)} == {code}) {{")
        out += ["  " + ln for ln in statement(expr)]
    out.append("}")
    return out


def _trunc_term(t: BrmsTerms, rd: ResponseData, lik: Likelihood, dp: dict[str, str], ctx: PredictionContext,
                trials: bool) -> list[str]:
    """The log probability of the truncation interval, subtracted from each term (empty without trunc)."""
    adds: AdditionData = rd.adds
    if not adds.truncated:
        return []
    s = _rs(t)
    m1 = " - 1" if t.family.spec.is_discrete else ""  # P(Y >= lb) = P(Y > lb - 1) for counts
    lb, ub = ctx.at(f"lb{s}") + m1, ctx.at(f"ub{s}")
    if adds.lb is not None and adds.ub is not None:
        return [
            "log_diff_exp(",
            f"  {_call(t, rd, lik, 'lcdf', dp, ctx, trials, y=ub, at='ub')},",
            f"  {_call(t, rd, lik, 'lcdf', dp, ctx, trials, y=lb, at='lb')}",
            ")",
        ]
    if adds.lb is not None:
        return [_call(t, rd, lik, "lccdf", dp, ctx, trials, y=lb, at="lb")]
    return [_call(t, rd, lik, "lcdf", dp, ctx, trials, y=ub, at="ub")]


def stan_mixture_component(t: BrmsTerms, rd: ResponseData, comp, k: int, idx: dict[str, str], log_theta: str,
                           trials: bool) -> tuple[list[str], list[str]]:
    """The censored/truncated term ``ps[k]`` of mixture component ``k`` (inside the loop over rows).

    As brms, each component is censored and normalised by its own truncation
    mass: ``ps[k] = log(theta_k) + comp_lpdf(Y[n] | ...) - comp_lccdf(lb[n] | ...)``.

    Returns
    -------
    (statements, Stan functions the component's CDFs need)
    """
    ctx = PredictionContext("[n]", set(), f"Y{_rs(t)}")  # idx already holds indexed names
    lines = _row_statements(t, rd, comp.spec.likelihood, idx, ctx, trials, lhs=f"ps[{k}] = {log_theta} + ",
                            weighted=False)
    return lines, [f.text for f in CDFS[comp.name].stan_functions]


__all__ = ["log_rate", "stan_addition_data", "stan_addition_likelihood", "stan_mixture_component"]
