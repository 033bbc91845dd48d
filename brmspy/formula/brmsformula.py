"""User-facing formula objects: :func:`bf`, :func:`lf`, :func:`set_rescor`.

A :class:`BrmsFormula` only stores text (plus ``nl`` and an optional family);
:func:`build_terms` turns it into typed terms once the family is known, so
that dpar names can be checked against the family.

Examples
--------
>>> f = bf("y ~ x + (1 | g)", "sigma ~ x")
>>> f.main
'y ~ x + (1 | g)'
>>> mv = bf("y1 ~ x") + bf("y2 ~ x") + set_rescor(True)
>>> [r.main for r in mv.forms], mv.rescor
(['y1 ~ x', 'y2 ~ x'], True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ..errors import FamilyError, FormulaError
from ..families import Family, brmsfamily
from .syntax import split_tilde
from .terms import BrmsTerms, MvBrmsTerms, NonlinearPart, Part, parse_response, parse_rhs


@dataclass(frozen=True)
class BrmsFormula:
    """A brms model formula: the main formula plus formulas for dpars / nlpars."""

    main: str
    pforms: tuple[str, ...] = ()
    nl: bool = False
    family: Family | None = None

    def __add__(self, other: "BrmsFormula | MvBrmsFormula | RescorFlag | LinearFormula") -> "BrmsFormula | MvBrmsFormula":
        if isinstance(other, LinearFormula):
            return replace(self, pforms=self.pforms + (other.text,), nl=self.nl or other.nl)
        return MvBrmsFormula((self,)) + other

    def __str__(self) -> str:
        return "\n".join((self.main, *self.pforms))

    @property
    def response_expr(self) -> str:
        lhs, _ = split_tilde(self.main)
        if lhs is None:
            raise FormulaError(f"The formula {self.main!r} has no response left of '~'.")
        return parse_response(lhs).expr


@dataclass(frozen=True)
class LinearFormula:
    """A formula for one dpar or nlpar added with ``+``: ``bf(...) + lf("sigma ~ x")``."""

    text: str
    nl: bool = False


@dataclass(frozen=True)
class RescorFlag:
    """Result of :func:`set_rescor`."""

    rescor: bool


@dataclass(frozen=True)
class MvBrmsFormula:
    """Several responses, each with its own :class:`BrmsFormula`."""

    forms: tuple[BrmsFormula, ...]
    rescor: bool | None = None

    def __add__(self, other):
        if isinstance(other, RescorFlag):
            return replace(self, rescor=other.rescor)
        if isinstance(other, BrmsFormula):
            return replace(self, forms=self.forms + (other,))
        if isinstance(other, MvBrmsFormula):
            return MvBrmsFormula(self.forms + other.forms, other.rescor if other.rescor is not None else self.rescor)
        if isinstance(other, LinearFormula):
            raise FormulaError("Add lf()/nlf() to one response's bf(), not to a multivariate formula.")
        return NotImplemented

    def __str__(self) -> str:
        return "\n".join(str(f) for f in self.forms)


def bf(formula: str, *pforms: str, nl: bool = False, family: Family | str | None = None, **named: str) -> BrmsFormula:
    """Set up a brms model formula.

    Parameters
    ----------
    formula : the main formula in brms syntax, e.g. ``"y | trials(n) ~ x + (1 | g)"``.
    *pforms : formulas for distributional parameters (``"sigma ~ x"``) or, with
        ``nl=True``, for non-linear parameters (``"a ~ 1 + (1 | g)"``).
    nl : whether the main formula is a non-linear expression.
    family : optionally the family, as in ``bf(..., family=...)``.
    **named : R-style keyword formulas, ``sigma="~ x"`` meaning ``"sigma ~ x"``.

    Returns
    -------
    BrmsFormula

    Examples
    --------
    >>> bf("y ~ a * exp(-b * x)", "a ~ 1 + (1 | g)", "b ~ 1", nl=True).nl
    True
    """
    if isinstance(formula, BrmsFormula):
        return replace(formula, pforms=formula.pforms + tuple(pforms), nl=formula.nl or nl)
    if not isinstance(formula, str):
        raise FormulaError(f"Formulas are strings in brms syntax, e.g. 'y ~ x'; got {type(formula).__name__}.")
    extra = list(pforms)
    for name, rhs in named.items():
        rhs = str(rhs)  # bf(..., quantile = 0.25): a fixed value
        extra.append(f"{name} {rhs}" if rhs.strip().startswith("~") else f"{name} ~ {rhs}")
    fam = brmsfamily(family) if family is not None else None
    return BrmsFormula(formula.strip(), tuple(p.strip() for p in extra), nl, fam)


def lf(formula: str) -> LinearFormula:
    """A linear formula for a dpar or nlpar, to add to :func:`bf` with ``+``."""
    return LinearFormula(formula.strip())


def nlf(formula: str) -> LinearFormula:
    """A non-linear formula for a dpar, to add to :func:`bf` with ``+``."""
    return LinearFormula(formula.strip(), nl=True)


def set_rescor(rescor: bool = True) -> RescorFlag:
    """Whether to model residual correlations between gaussian/student responses."""
    return RescorFlag(bool(rescor))


def as_formula(formula: "str | BrmsFormula | MvBrmsFormula") -> "BrmsFormula | MvBrmsFormula":
    """Accept a string wherever a formula object is expected."""
    if isinstance(formula, (BrmsFormula, MvBrmsFormula)):
        return formula
    if isinstance(formula, str):
        return bf(formula)
    raise FormulaError(f"Expected a formula string or bf(...), got {type(formula).__name__}.")


# ----------------------------------------------------------- term building

_NAME = re.compile(r"[A-Za-z_.][A-Za-z0-9_.]*")
_FUNCS = frozenset(
    "exp log log1p expm1 inv_logit logit inv sqrt square pow fabs abs sin cos tan tanh Phi Phi_approx "
    "inv_cloglog log1p_exp fmin fmax step lgamma tgamma erf erfc atan".split()
)


def _resp_name(expr: str) -> str:
    """brms's response name in multivariate models: non-alphanumerics dropped."""
    return re.sub(r"[^A-Za-z0-9]", "", expr)


def build_terms(
    formula: "BrmsFormula | MvBrmsFormula | str", family: "Family | str | None" = None
) -> "BrmsTerms | MvBrmsTerms":
    """Parse a formula into typed terms for ``family``.

    Parameters
    ----------
    formula : a formula string or :func:`bf` object.
    family : the family; a family stored on the formula takes precedence.

    Examples
    --------
    >>> t = build_terms("Reaction ~ Days + (Days | Subject)", "gaussian")
    >>> t.parts["mu"].terms.group_terms[0].group
    'Subject'
    """
    formula = as_formula(formula)
    if isinstance(formula, MvBrmsFormula):
        if len(formula.forms) < 2:
            raise FormulaError("A multivariate formula needs at least two responses.")
        fams = family if isinstance(family, (list, tuple)) else [family] * len(formula.forms)
        responses = [_build_one(f, fam, multi=True) for f, fam in zip(formula.forms, fams)]
        names = [r.resp for r in responses]
        if len(set(names)) != len(names):
            raise FormulaError(f"Responses must differ in a multivariate model; got {names}.")
        rescor = bool(formula.rescor)
        if rescor:
            for r in responses:
                if r.family.name not in ("gaussian", "student") or r.family.name != responses[0].family.name:
                    raise FamilyError("Residual correlations (set_rescor(True)) need all responses gaussian or all student.")
        return MvBrmsTerms(responses, rescor)
    return _build_one(formula, family, multi=False)


def _build_one(formula: BrmsFormula, family: "Family | str | None", multi: bool) -> BrmsTerms:
    fam = formula.family or (brmsfamily(family) if family is not None else brmsfamily("gaussian"))
    if fam.spec.special == "mixture":
        from ..families.mixture import build_mixture_terms

        return build_mixture_terms(formula, fam, multi, _resp_name)
    lhs, rhs = split_tilde(formula.main)
    if lhs is None:
        raise FormulaError(f"The formula {formula.main!r} needs a response left of '~', e.g. 'y ~ x'.")
    response = parse_response(lhs)
    parts: dict[str, Part] = {}
    nonlinear: dict[str, NonlinearPart] = {}
    pf_by_name: dict[str, tuple[str, str, bool]] = {}
    for text in formula.pforms:
        plhs, prhs = split_tilde(text)
        if plhs is None:
            raise FormulaError(f"The formula {text!r} needs a parameter name left of '~', e.g. 'sigma ~ x'.")
        name = plhs.strip()
        if name in pf_by_name:
            raise FormulaError(f"Two formulas are given for {name!r}; keep one.")
        pf_by_name[name] = (prhs, text, False)

    if formula.nl:
        nlpars = _nl_parameters(rhs, set(pf_by_name))
        nonlinear["mu"] = NonlinearPart("mu", rhs, tuple(nlpars), tuple(_nl_covariates(rhs, set(nlpars))))
    else:
        parts["mu"] = Part("mu", "dpar", parse_rhs(rhs, formula.main), formula.main)

    fixed: dict[str, float] = {}
    for name, (prhs, text, _) in pf_by_name.items():
        value = _number(prhs)
        if value is not None and name in fam.dpars and name != "mu":
            fixed[name] = value  # bf(..., quantile = 0.25): a constant, not a formula
            continue
        if name in fam.dpars:
            if name == "mu":
                raise FormulaError(f"Give the formula of 'mu' as the main formula, not as {text!r}.")
            parts[name] = Part(name, "dpar", parse_rhs(prhs, text), text)
        elif formula.nl and name in nonlinear.get("mu", NonlinearPart("mu", "", (), ())).nlpars:
            parts[name] = Part(name, "nlpar", parse_rhs(prhs, text), text)
        else:
            other = [d for d in fam.dpars if d != "mu"]
            raise FormulaError(
                f"{text!r} is a formula for {name!r}, but family {fam.name!r} has no distributional parameter "
                f"of that name (its dpars: {', '.join(other) or 'none besides mu'})"
                + ("." if formula.nl else "; for a non-linear parameter use bf(..., nl=True).")
            )
    from ..families import DPARS

    for d in fam.dpars:
        if d != "mu" and d not in parts and d not in fixed and DPARS[d].fixed is not None:
            fixed[d] = DPARS[d].fixed
    resp = _resp_name(response.expr) if multi else ""
    return BrmsTerms(response, fam, parts, nonlinear, resp, str(formula), fixed)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _nl_parameters(expr: str, declared: set[str]) -> list[str]:
    """Names in a non-linear expression that have their own formula, in order."""
    seen: list[str] = []
    for m in _NAME.finditer(expr):
        name = m.group(0)
        if name in declared and name not in seen:
            seen.append(name)
    return seen


def _nl_covariates(expr: str, nlpars: set[str]) -> list[str]:
    out: list[str] = []
    for m in _NAME.finditer(expr):
        name = m.group(0)
        following = expr[m.end() :].lstrip()
        if following.startswith("(") or name in nlpars or name in _FUNCS or name in out:
            continue
        if re.fullmatch(r"\d+(\.\d*)?", name):
            continue
        out.append(name)
    return out
