"""Non-linear formulas: checks and orderings that need no data (:mod:`brmspy.formula.nlexpr` parses them)."""

from __future__ import annotations

from ..core.errors import FormulaError
from .terms import BrmsTerms, NonlinearPart


def formula_text(nl: NonlinearPart) -> str:
    """A non-linear formula as messages quote it: ``~ a * exp(b * x)`` (mu) or ``sigma ~ ...``."""
    return f"{nl.dpar} ~ {nl.expr}" if nl.dpar != "mu" else f"~ {nl.expr}"


def evaluation_order(t: BrmsTerms) -> list[str]:
    """Non-linear formulas in dependency order: nlpars defined by ``nlf()`` before their users."""
    order: list[str] = []

    def visit(name: str) -> None:
        nl = t.nonlinear.get(name)
        if nl is None or name in order:
            return
        for p in nl.nlpars:
            visit(p)
        order.append(name)

    for name, nl in t.nonlinear.items():
        if nl.kind == "nlpar":
            visit(name)
    for name, nl in t.nonlinear.items():
        if nl.kind == "dpar":
            visit(name)
    return order


def nlpar_names(t: BrmsTerms) -> list[str]:
    """Every non-linear parameter of a response: linear ones and those defined by ``nlf()``."""
    return [*(n for n, p in t.parts.items() if p.kind == "nlpar"),
            *(n for n, nl in t.nonlinear.items() if nl.kind == "nlpar")]


def check_supported(terms) -> None:
    """Combinations not supported yet: non-linear formulas with residual correlations."""
    if getattr(terms, "rescor", False) and any(t.nonlinear for t in terms.responses):
        raise FormulaError("Non-linear formulas are not supported together with set_rescor(True) yet.")
