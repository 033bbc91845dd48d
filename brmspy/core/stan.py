"""Named block slots that code pieces fill and that add together.

Every piece of the generator (population effects, one group-level block, the
likelihood, priors, ...) returns a :class:`StanBlocks`.  Lines are written
without the block's base indentation; the template adds it.  ``values`` holds
the Stan data the piece declared, so code and data names can never drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from .distributions import PriorDist

SLOTS = (
    "functions",
    "data",
    "tdata_def",
    "tdata_comp",
    "par",
    "tpar_def",
    "tpar_comp",
    "tpar_prior",
    "model_def",
    "model_comp",
    "likelihood",
    "model_prior",
    "gen_def",
    "gen_comp",
)


@dataclass
class StanBlocks:
    """Lines of Stan code per block slot, plus the data values they declare."""

    functions: list[str] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    tdata_def: list[str] = field(default_factory=list)
    tdata_comp: list[str] = field(default_factory=list)
    par: list[str] = field(default_factory=list)
    tpar_def: list[str] = field(default_factory=list)
    tpar_comp: list[str] = field(default_factory=list)
    tpar_prior: list[str] = field(default_factory=list)
    model_def: list[str] = field(default_factory=list)
    model_comp: list[str] = field(default_factory=list)
    likelihood: list[str] = field(default_factory=list)
    model_prior: list[str] = field(default_factory=list)
    gen_def: list[str] = field(default_factory=list)
    gen_comp: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)

    def __iadd__(self, other: "StanBlocks") -> "StanBlocks":
        for f in fields(self):
            if f.name == "values":
                clash = set(self.values) & set(other.values)
                if clash:
                    raise RuntimeError(f"internal: Stan data declared twice: {sorted(clash)}")
                self.values.update(other.values)
            elif f.name == "functions":
                for fn in other.functions:  # helper functions are shared, emit once
                    if fn not in self.functions:
                        self.functions.append(fn)
            else:
                getattr(self, f.name).extend(getattr(other, f.name))
        return self

    def declare(self, decl: str, name: str, value: Any, comment: str = "") -> None:
        """Add a data declaration ``decl`` (e.g. ``"vector[N] Y"``) and its value."""
        self.data.append(f"{decl};" + (f"  // {comment}" if comment else ""))
        self.values[name] = value


def indent(lines: list[str], n: int) -> str:
    pad = " " * n
    return "\n".join(pad + line if line else "" for line in lines)


def _hyper_decl(sb: StanBlocks, label: str, dist: PriorDist, size: str | None, values: list[PriorDist]) -> list[str]:
    """Declare the hyperparameters of ``dist`` as data; return their names."""
    names = []
    for i, arg in enumerate(dist.info.args):
        name = f"prior_{label}_{arg}"
        if size is None:
            sb.declare(f"real {name}", name, float(dist.args[i]))
        else:
            sb.declare(f"vector[{size}] {name}", name, np.array([v.args[i] for v in values], dtype=float))
        names.append(name)
    return names


def _lccdf(dist: PriorDist, at: str, hyper: list[str]) -> str:
    args = f" | {', '.join(hyper)}" if hyper else ""
    return f"{dist.name}_lccdf({at}{args})"


def _both_bounds(dist: PriorDist, hyper: list[str], lower: float, upper: float, n_expr: str | None) -> str:
    """``lprior -= log(F(upper) - F(lower))`` of a prior cut at both bounds (brms's ``log_diff_exp`` form)."""
    def lcdf(at: float, idx: str) -> str:
        return f"{dist.name}_lcdf({at:g}" + (f" | {', '.join(h + idx for h in hyper)})" if hyper else ")")

    if n_expr is None:
        return f"lprior -= log_diff_exp({lcdf(upper, '')}, {lcdf(lower, '')});"
    return f"for (i in 1:{n_expr}) lprior -= log_diff_exp({lcdf(upper, '[i]')}, {lcdf(lower, '[i]')});"


def prior_statement(
    sb: StanBlocks,
    target: str,
    label: str,
    priors: list[PriorDist | None],
    size: str | None,
    lower: float | None = None,
    all_size: str | None = None,
    upper: float | None = None,
) -> None:
    """Add the lprior statement(s) of one parameter (scalar) or vector of parameters.

    ``size`` is the Stan length of the vector (None for a scalar). When its
    elements have different prior distributions, index arrays (data) select
    the elements of each distribution.
    """
    used = [p for p in priors if p is not None]
    if not used:
        return
    names = list(dict.fromkeys(p.name for p in used))
    single = len(names) == 1 and len(used) == len(priors)
    for dname in names:
        members = [i for i, p in enumerate(priors) if p is not None and p.name == dname]
        vals = [priors[i] for i in members]
        dist = vals[0]
        if size is None:
            hyper = _hyper_decl(sb, label, dist, None, vals)
            expr, n_expr = target, None
        elif single:
            hyper = _hyper_decl(sb, label, dist, size, vals)
            expr, n_expr = target, size
        else:
            lab = f"{label}_{dname}"
            sb.declare(f"int<lower=0> Kp_{lab}", f"Kp_{lab}", len(members), f"number of {target} with a {dname} prior")
            sb.declare(f"array[Kp_{lab}] int Jp_{lab}", f"Jp_{lab}", np.array(members, dtype=np.int64) + 1)
            hyper = _hyper_decl(sb, lab, dist, f"Kp_{lab}", vals)
            expr, n_expr = f"{target}[Jp_{lab}]", f"Kp_{lab}"
        args = f" | {', '.join(hyper)}" if hyper else ""
        line = f"lprior += {dist.name}_lpdf({expr}{args})"
        cut_lo = lower is not None and dist.info.lower < lower
        cut_hi = upper is not None and dist.info.upper > upper
        if cut_lo and not cut_hi:
            at = f"{lower:g}" if n_expr is None else f"rep_vector({lower:g}, {n_expr})"
            line += f"\n  - {_lccdf(dist, at, hyper)}"
        elif cut_hi and not cut_lo:
            at = f"{upper:g}" if n_expr is None else f"rep_vector({upper:g}, {n_expr})"
            line += f"\n  - {dist.name}_lcdf({at}{args})"
        elif cut_hi and cut_lo:  # the mass between both bounds, element by element (hyperparameters may differ)
            sb.tpar_prior.extend((line + ";").split("\n"))
            sb.tpar_prior.append(_both_bounds(dist, hyper, lower, upper, n_expr))
            continue
        sb.tpar_prior.extend((line + ";").split("\n"))
