"""User-facing formula objects: :func:`bf`, :func:`lf`, :func:`set_rescor`, :func:`set_mecor`.

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
from dataclasses import dataclass, replace

import numpy as np

from ..core.errors import FormulaError
from ..families import Family, brmsfamily
from .mixture import build_mixture_terms
from .mv import resolve_rescor
from .nlexpr import parse_nl, vector_unsafe
from .rexpr import _name, _tokens
from .syntax import _number, fixed_value, is_identifier, parse_call, split_tilde, split_top, strip_outer_parens
from .rexpr import Name
from .rterms import RTerm, RTerms
from .terms import BrmsTerms, MvBrmsTerms, NonlinearPart, Part, parse_response, parse_rhs


@dataclass(frozen=True)
class BrmsFormula:
    """A brms model formula: the main formula plus formulas for dpars / nlpars."""

    main: str
    pforms: tuple[str, ...] = ()
    nl: bool = False
    family: Family | None = None
    nl_pforms: tuple[str, ...] = ()  # those of ``pforms`` that are non-linear (from nlf())
    mecor: bool | None = None  # set_mecor(): correlated latent values of me() terms (None: brms's default, True)
    # brms's options of the main formula's population-level design (None: brms's default)
    center: bool | None = None
    cmc: bool | None = None
    sparse: bool | None = None
    decomp: str | None = None
    loop: bool | None = None  # brms's loop: False computes a non-linear main formula on whole vectors (None: True)
    # lf()'s options of dpar/nlpar formulas: (formula text, ((option, value), ...))
    pform_options: tuple[tuple[str, tuple[tuple[str, object], ...]], ...] = ()

    def __add__(self, other: "BrmsFormula | MvBrmsFormula | RescorFlag | LinearFormula | NlFlag | MecorFlag") -> "BrmsFormula | MvBrmsFormula":
        if isinstance(other, MecorFlag):
            return replace(self, mecor=other.mecor)
        if isinstance(other, LinearFormula):
            return replace(self, pforms=self.pforms + other.forms, nl_pforms=self.nl_pforms + other.nl_forms,
                           pform_options=self.pform_options + _lf_options(other))
        if isinstance(other, NlFlag):
            return replace(self, nl=other.nl)
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
    """Formulas for dpars or nlpars added with ``+``: ``bf(...) + lf("sigma ~ x")``.

    ``nl_forms`` are those of ``forms`` that are non-linear (made by :func:`nlf`).
    """

    forms: tuple[str, ...]
    nl_forms: tuple[str, ...] = ()
    options: tuple[tuple[str, object], ...] = ()  # lf()'s center, cmc, sparse, decomp (those set)


@dataclass(frozen=True)
class NlFlag:
    """Result of :func:`set_nl`."""

    nl: bool


@dataclass(frozen=True)
class RescorFlag:
    """Result of :func:`set_rescor`."""

    rescor: bool


@dataclass(frozen=True)
class MecorFlag:
    """Result of :func:`set_mecor`."""

    mecor: bool


@dataclass(frozen=True)
class MvBrmsFormula:
    """Several responses, each with its own :class:`BrmsFormula`."""

    forms: tuple[BrmsFormula, ...]
    rescor: bool | None = None
    mecor: bool | None = None  # set_mecor() for the whole model (as brms, it overrides the responses' own)

    def __add__(self, other):
        if isinstance(other, RescorFlag):
            return replace(self, rescor=other.rescor)
        if isinstance(other, MecorFlag):
            return replace(self, mecor=other.mecor)
        if isinstance(other, BrmsFormula):
            return replace(self, forms=self.forms + (other,))
        if isinstance(other, MvBrmsFormula):
            return MvBrmsFormula(self.forms + other.forms, other.rescor if other.rescor is not None else self.rescor,
                                 other.mecor if other.mecor is not None else self.mecor)
        if isinstance(other, LinearFormula):
            raise FormulaError("Add lf()/nlf() to one response's bf(), not to a multivariate formula.")
        return NotImplemented

    def __str__(self) -> str:
        return "\n".join(str(f) for f in self.forms)


def bf(formula: str, *pforms: str, nl: bool = False, family: Family | str | None = None, center: bool | None = None,
       cmc: bool | None = None, sparse: bool | None = None, decomp: str | None = None, loop: bool | None = None,
       **named: str) -> BrmsFormula:
    """Set up a brms model formula.

    Parameters
    ----------
    formula : the main formula in brms syntax, e.g. ``"y | trials(n) ~ x + (1 | g)"``.
    *pforms : formulas for distributional parameters (``"sigma ~ x"``) or, with
        ``nl=True``, for non-linear parameters (``"a ~ 1 + (1 | g)"``).
    nl : whether the main formula is a non-linear expression.
    family : optionally the family, as in ``bf(..., family=...)``.
    center : brms's ``center``: ``False`` keeps the intercept an ordinary coefficient ``b_Intercept`` of
        the uncentred design (default ``True``: a temporary ``Intercept`` of the centred predictors).
    cmc : brms's cell-mean coding: ``False`` codes the first factor of a formula without intercept with
        contrasts, as if there were one (default ``True``: one column per level).
    sparse : brms's sparse design matrix; implies ``center=False`` (brmspy multiplies the same design
        matrix densely: the same model and draws).
    decomp : ``"QR"``: brms's QR decomposition of the centred design (coefficients ``bQ`` on the Q scale,
        priors on ``b`` apply to them, ``b = XR_inv * bQ`` reported); ``None``/``"none"``: none.
    loop : with ``nl=True``, brms's ``loop``: ``False`` computes the non-linear main formula once on whole
        vectors (``mu = nlp_a - exp(nlp_b + C_1);``) instead of in a loop over observations (default
        ``True``). The model is the same; the formula must then be valid on Stan vectors (no ``*`` or
        ``/`` between two vectors, no comparisons, ``ifelse()`` or ``step()``), else brmspy refuses it.
    **named : R-style keyword formulas, ``sigma="~ x"`` meaning ``"sigma ~ x"``.

    Returns
    -------
    BrmsFormula

    Notes
    -----
    These options apply to the main formula (``mu``; every ``mu<k>`` of a mixture), as brms's ``bf()``
    does; with a non-linear main formula (``nl=True``) brms 2.18 ignores them, and so does brmspy (give
    a non-linear parameter its options with :func:`lf`, e.g. ``lf("a ~ x", decomp="QR")``).

    Examples
    --------
    >>> bf("y ~ a * exp(-b * x)", "a ~ 1 + (1 | g)", "b ~ 1", nl=True).nl
    True
    >>> bf("y ~ x", center=False, decomp="QR").decomp
    'QR'
    """
    options = _check_options(center, cmc, sparse, decomp)
    if loop is not None:
        if not isinstance(loop, (bool, np.bool_)):
            raise FormulaError(f"bf(..., loop=...) takes True or False, got {loop!r}.")
        options["loop"] = bool(loop)
    texts: list[str] = []
    nl_texts: list[str] = []
    pform_options: tuple = ()
    for p in pforms:  # strings, or lf()/nlf() objects as in brms's bf(y ~ ..., nlf(...))
        if isinstance(p, LinearFormula):
            texts.extend(p.forms)
            nl_texts.extend(p.nl_forms)
            pform_options += _lf_options(p)
        else:
            texts.append(p)
    if pform_options:
        options["pform_options"] = pform_options
    if isinstance(formula, BrmsFormula):
        options["pform_options"] = formula.pform_options + pform_options
        return replace(formula, pforms=formula.pforms + tuple(t.strip() for t in texts), nl=formula.nl or nl,
                       nl_pforms=formula.nl_pforms + tuple(t.strip() for t in nl_texts),
                       **{k: v for k, v in options.items() if v is not None})
    if not isinstance(formula, str):
        raise FormulaError(f"Formulas are strings in brms syntax, e.g. 'y ~ x'; got {type(formula).__name__}.")
    extra = texts
    for name, rhs in named.items():
        rhs = str(rhs)
        if fixed_value(f"{name} = {rhs}") is not None:  # bf(..., quantile = 0.25): a fixed value, printed as brms does
            extra.append(f"{name} = {rhs.strip()}")
        else:
            extra.append(f"{name} {rhs}" if rhs.strip().startswith("~") else f"{name} ~ {rhs}")
    fam = brmsfamily(family) if family is not None else None
    return BrmsFormula(formula.strip(), tuple(p.strip() for p in extra), nl, fam, tuple(t.strip() for t in nl_texts),
                       **options)


def _check_options(center: object, cmc: object, sparse: object, decomp: object) -> dict[str, object]:
    """brms's design options of bf(): logicals, and decomp one of "none" or "QR"."""
    for name, value in (("center", center), ("cmc", cmc), ("sparse", sparse)):
        if value is not None and not isinstance(value, (bool, np.bool_)):
            raise FormulaError(f"bf(..., {name}=...) takes True or False, got {value!r}.")
    if decomp is not None:
        if not isinstance(decomp, str) or decomp not in ("none", "QR"):
            raise FormulaError(f"bf(..., decomp=...) takes 'QR' (QR decomposition) or 'none', got {decomp!r} "
                               "(brms: \"'arg' should be one of 'none', 'QR'\").")
        decomp = None if decomp == "none" else decomp
    return {"center": None if center is None else bool(center), "cmc": None if cmc is None else bool(cmc),
            "sparse": None if sparse is None else bool(sparse), "decomp": decomp}


def _apply_options(opts: dict, part: Part, fam: Family) -> Part:
    """bf()'s (main formula) or lf()'s (dpars, nlpars) center, cmc, sparse and decomp on a linear predictor."""
    lt = part.terms
    if opts.get("center") is True and part.kind == "nlpar" and lt.intercept:  # brms: Intercept_eta + Xc_eta * b_eta
        lt = replace(lt, centered_nlpar=True)
    if opts.get("cmc") is False and lt.rterms is not None:
        lt = replace(lt, rterms=replace(lt.rterms, cmc=False))
    if opts.get("decomp") == "QR":  # an nlpar's uncentred design is decomposed with its intercept column (brms)
        lt = replace(lt, decomp="QR")
    if (opts.get("center") is False or opts.get("sparse")) and lt.intercept:
        if fam.threshold_family(part.name) is not None:  # ordinal mu (or mu<k>): the thresholds stay, uncentred columns
            lt = replace(lt, center=False)
        else:  # the intercept becomes the coefficient b_Intercept, brms's '0 + Intercept + ...'
            r = lt.rterms or RTerms(True, ())
            icpt = Name("Intercept")
            if any(v == icpt for v in r.variables):
                raise FormulaError(f"{part.formula!r} uses brms's reserved name 'Intercept' and center=False; remove one.")
            lt = replace(lt, intercept=False, population=("Intercept", *lt.population),
                         rterms=replace(r, intercept=False, terms=(RTerm((icpt,)), *r.terms), variables=(icpt, *r.variables)))
    return replace(part, terms=lt)


def lf(*formulas: str, center: bool | None = None, cmc: bool | None = None, sparse: bool | None = None,
       decomp: str | None = None) -> LinearFormula:
    """Linear formulas for dpars or nlpars, to add to :func:`bf` with ``+``.

    ``center``, ``cmc``, ``sparse`` and ``decomp`` are brms's design options (see :func:`bf`) for these
    formulas, e.g. ``lf("eta ~ 0 + f", cmc=False)`` for a non-linear parameter.

    Examples
    --------
    >>> f = bf("y ~ a * inv_logit(x * b)", nl=True) + lf("a ~ z", "b ~ 1 + (1 | g)")
    >>> f.pforms
    ('a ~ z', 'b ~ 1 + (1 | g)')
    >>> (bf("y ~ x") + lf("sigma ~ x", center=False)).pform_options
    (('sigma ~ x', (('center', False),)),)
    """
    for f in formulas:
        if not isinstance(f, str):
            raise FormulaError(f"lf() takes formula strings such as 'a ~ x'; got {type(f).__name__}.")
    options = tuple((k, v) for k, v in _check_options(center, cmc, sparse, decomp).items() if v is not None)
    return LinearFormula(tuple(f.strip() for f in formulas), (), options)


def _lf_options(lfo: LinearFormula) -> tuple[tuple[str, tuple[tuple[str, object], ...]], ...]:
    return tuple((f, lfo.options) for f in lfo.forms) if lfo.options else ()


def nlf(formula: str, *formulas: str) -> LinearFormula:
    """A non-linear formula for a dpar or nlpar (plus linear ones for its parameters), to add to :func:`bf`.

    Examples
    --------
    >>> f = bf("y ~ x") + nlf("sigma ~ a * exp(b * x)", "a ~ 1", "b ~ 1")
    >>> f.nl_pforms
    ('sigma ~ a * exp(b * x)',)
    """
    if not isinstance(formula, str) or split_tilde(formula)[0] is None:
        raise FormulaError(f"nlf() takes a two-sided formula naming its parameter, e.g. 'sigma ~ a * exp(b * x)'; got {formula!r}.")
    rest = lf(*formulas)
    return LinearFormula((formula.strip(), *rest.forms), (formula.strip(),))


def set_nl(nl: bool = True) -> NlFlag:
    """Whether the main formula is non-linear, added with ``+``: ``bf("y ~ a * x") + lf("a ~ 1") + set_nl()``."""
    return NlFlag(bool(nl))


def set_rescor(rescor: bool = True) -> RescorFlag:
    """Whether to model residual correlations between gaussian/student responses."""
    return RescorFlag(bool(rescor))


def set_mecor(mecor: bool = True) -> MecorFlag:
    """Whether the latent values of several ``me()`` terms are correlated (brms's default: yes), added with ``+``.

    Examples
    --------
    >>> (bf("y ~ me(x, sdx) + me(z, sdz)") + set_mecor(False)).mecor
    False
    """
    if not isinstance(mecor, (bool, int)):
        raise FormulaError(f"set_mecor() takes True or False, got {mecor!r}.")
    return MecorFlag(bool(mecor))


def as_formula(formula: "str | BrmsFormula | MvBrmsFormula") -> "BrmsFormula | MvBrmsFormula":
    """Accept a string wherever a formula object is expected."""
    if isinstance(formula, (BrmsFormula, MvBrmsFormula)):
        return formula
    if isinstance(formula, str):
        return bf(formula)
    raise FormulaError(f"Expected a formula string or bf(...), got {type(formula).__name__}.")


# ----------------------------------------------------------- term building


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
    formula = _expand_mvbind(as_formula(formula))
    if isinstance(formula, MvBrmsFormula):
        if len(formula.forms) < 2:
            raise FormulaError("A multivariate formula needs at least two responses.")
        fams = family if isinstance(family, (list, tuple)) else [family] * len(formula.forms)
        responses = [_build_one(f, fam, multi=True) for f, fam in zip(formula.forms, fams)]
        names = [r.resp for r in responses]
        if len(set(names)) != len(names):
            raise FormulaError(f"Responses must differ in a multivariate model; got {names}.")

        # set_rescor() or brms's default (with its message); checked, and nu marked shared for student
        rescor = resolve_rescor(formula.rescor, responses)
        mecor = formula.mecor if formula.mecor is not None else all(f.mecor is not False for f in formula.forms)
        return MvBrmsTerms(responses, rescor, mecor)
    out = _build_one(formula, family, multi=False)
    out.mecor = formula.mecor is not False
    return out


def expand_dot(formula: "str | BrmsFormula | MvBrmsFormula", columns: list[str]
               ) -> "BrmsFormula | MvBrmsFormula":
    """R's ``.`` in a formula: every data column not on that formula's left-hand side (as brms does).

    ``y ~ .`` with columns y, x, g is ``y ~ (x + g)``; in ``bf(y ~ x, sigma ~ .)`` the dpar
    formula's ``.`` includes ``y`` (only ``sigma`` is on its left), as in brms.

    Examples
    --------
    >>> expand_dot("y ~ . - z", ["y", "x", "z"]).main
    'y ~ (x + z) - z'
    """
    formula = as_formula(formula)
    if isinstance(formula, MvBrmsFormula):
        return replace(formula, forms=tuple(expand_dot(f, columns) for f in formula.forms))
    nl = set(formula.nl_pforms) | ({formula.main} if formula.nl else set())
    main = formula.main if formula.main in nl else _expand_dot_text(formula.main, columns)
    pforms = tuple(p if p in nl or fixed_value(p) is not None else _expand_dot_text(p, columns) for p in formula.pforms)
    return replace(formula, main=main, pforms=pforms)


def _expand_dot_text(text: str, columns: list[str]) -> str:
    parts = split_tilde(text)
    lhs, rhs = parts
    dots = [t for t in _tokens(rhs, text) if t.kind == "name" and t.text == "."]
    if not dots:
        return text
    lhs_names = {t.value for t in _tokens(lhs, text) if t.kind == "name"} if lhs else set()
    cols = [_name(str(c)) for c in columns if str(c) not in lhs_names]
    repl = f"({' + '.join(cols)})" if cols else "1"
    out, pos = [], 0
    for t in dots:
        out += [rhs[pos:t.pos], repl]
        pos = t.pos + 1
    out.append(rhs[pos:])
    return f"{lhs} ~ {''.join(out)}" if lhs else f"~ {''.join(out)}"


_BRMS_MVBIND = re.compile(r"^brms\s*::\s*mvbind\s*\(")
#: brms's functions written with their package, 'brms::mo(x)': brms 2.18 fails on them (except mvbind)
_BRMS_PREFIXED = re.compile(r"\bbrms\s*::\s*([A-Za-z_.][A-Za-z0-9_.]*)")


def _check_brms_prefix(formula: BrmsFormula) -> None:
    """A precise refusal of 'brms::s(x)' and the like (brms 2.18: 'invalid type (list) for variable ...')."""
    for text in (formula.main, *formula.pforms):
        for m in _BRMS_PREFIXED.finditer(text):
            if m.group(1) != "mvbind":  # elsewhere than the response, '::' is refused by the allow-list
                raise FormulaError(
                    f"{m.group(0)!r} in {text!r}: brms reads its own functions written with the package prefix as "
                    f"ordinary R calls and fails (brms 2.18 accepts only 'brms::mvbind(...)' as the response); "
                    f"write '{m.group(1)}(...)' without 'brms::'."
                )


def _expand_mvbind(formula: "BrmsFormula | MvBrmsFormula") -> "BrmsFormula | MvBrmsFormula":
    """brms's ``mvbind(y1, y2) ~ x``: the same model as ``bf("y1 ~ x") + bf("y2 ~ x")``.

    The other formulas of ``bf()`` (dpars) apply to every response, as in brms.
    """
    if isinstance(formula, MvBrmsFormula):
        forms: list[BrmsFormula] = []
        for f in formula.forms:
            e = _expand_mvbind(f)
            forms.extend(e.forms if isinstance(e, MvBrmsFormula) else (e,))
        return replace(formula, forms=tuple(forms))
    _check_brms_prefix(formula)
    lhs, rhs = split_tilde(formula.main)
    if lhs is None:
        return formula
    pieces = split_top(lhs, "|")
    # brms 2.18 also reads 'brms::mvbind(y1, y2)' (the only brms:: call it accepts in a formula)
    call = parse_call(_BRMS_MVBIND.sub("mvbind(", strip_outer_parens(pieces[0]), count=1))
    if call is None or call.name != "mvbind":
        return formula
    if call.kwargs or not call.args:
        raise FormulaError(f"mvbind() takes the response variables, e.g. 'mvbind(y1, y2) ~ x'; got {pieces[0].strip()!r}.")
    adds = f" | {'|'.join(pieces[1:]).strip()}" if len(pieces) > 1 else ""
    forms = tuple(replace(formula, main=f"{a.strip()}{adds} ~ {rhs}") for a in call.args)
    if len(forms) == 1:
        return forms[0]
    return MvBrmsFormula(forms, None, formula.mecor)


def _check_matrix_response(response, fam: Family) -> None:
    """``cbind(s, f) ~ x`` (lme4's binomial form) is refused with brms's spelling; cbind is for multinomial/dirichlet."""
    call = parse_call(response.expr)
    if call is None or call.name != "cbind" or fam.kind.has_categories:
        return
    if fam.spec.needs_trials and len(call.args) == 2:
        s, f = (a.strip() for a in call.args)
        raise FormulaError(
            f"brms does not use lme4's binomial response 'cbind(successes, failures)': write "
            f"'{s} | trials({s} + {f}) ~ ...' (the successes and the number of trials)."
        )
    raise FormulaError(
        f"A matrix response {response.expr!r} is only for families 'multinomial' and 'dirichlet'. For several "
        f"responses write 'mvbind({', '.join(a.strip() for a in call.args)}) ~ ...'."
    )


def _build_one(formula: BrmsFormula, family: "Family | str | None", multi: bool) -> BrmsTerms:
    fam = formula.family or (brmsfamily(family) if family is not None else brmsfamily("gaussian"))
    if fam.kind.has_components:  # bf()'s options apply to every mu<k>, lf()'s to their formula (as brms)
        return build_mixture_terms(formula, fam, multi, _resp_name, _nonlinear_part, _check_nonlinear, _apply_options)
    lhs, rhs = split_tilde(formula.main)
    if lhs is None:
        raise FormulaError(f"The formula {formula.main!r} needs a response left of '~', e.g. 'y ~ x'.")
    response = parse_response(lhs)
    _check_matrix_response(response, fam)
    parts: dict[str, Part] = {}
    nonlinear: dict[str, NonlinearPart] = {}
    pf_by_name: dict[str, tuple[str, str, bool]] = {}
    nl_texts = set(formula.nl_pforms)
    lf_opts = {text: dict(opts) for text, opts in formula.pform_options}
    fixed: dict[str, float] = {}
    for text in formula.pforms:
        fv = fixed_value(text)
        if fv is not None:
            if fv[0] not in fam.dpars or fv[0] == "mu":
                other = [d for d in fam.dpars if d != "mu"]
                raise FormulaError(f"{text!r} fixes {fv[0]!r}, but family {fam.name!r} has no distributional parameter "
                                   f"of that name to fix (its dpars: {', '.join(other) or 'none besides mu'}).")
            fixed[fv[0]] = fv[1]  # bf(..., quantile = 0.25): a constant, not a formula
            continue
        plhs, prhs = split_tilde(text)
        if plhs is None:
            raise FormulaError(f"The formula {text!r} needs a parameter name left of '~', e.g. 'sigma ~ x'.")
        for name in _lhs_names(plhs, text, text in nl_texts):  # brms: 'a + b ~ 1' gives both a formula
            if name in pf_by_name:
                raise FormulaError(f"Two formulas are given for {name!r}; keep one.")
            pf_by_name[name] = (prhs, text, text in nl_texts)
    autocor_part = None
    if "autocor" in pf_by_name and "autocor" not in fam.dpars:  # brms's bf(..., autocor = ~ ar(...))
        ac = pf_by_name.pop("autocor")
        if formula.nl:  # brms: the structure of a non-linear mu's residuals, kept apart from its formula
            autocor_part = Part("mu", "autocor", parse_rhs("0 + " + _autocor_rhs("", ac, formula), ac[1]), ac[1])
        else:
            rhs = _autocor_rhs(rhs, ac, formula)
    # with a non-linear formula anywhere, parameters that are not dpars are non-linear parameters
    any_nl = formula.nl or any(is_nl for _, _, is_nl in pf_by_name.values())
    nlpar_names = {n for n in pf_by_name if n not in fam.dpars} if any_nl else set()

    if formula.nl:  # bf()'s center/cmc/sparse/decomp belong to the main formula: brms 2.18 ignores them here
        nonlinear["mu"] = _nonlinear_part("mu", "dpar", rhs, formula.main, nlpar_names, loop=formula.loop is not False)
        if fam.kind.has_thresholds:  # brms: the thresholds Intercept stay (an intercept-only part gives them, as in
            # mixtures: brmspy.formula.mixture); the non-linear formula gives mu itself, on the latent scale
            parts["mu"] = Part("mu", "dpar", parse_rhs("1", "mu ~ 1"), f"mu ~ {nonlinear['mu'].expr}")
    else:
        main_opts = {k: getattr(formula, k) for k in ("center", "cmc", "sparse", "decomp")}
        thres = response.addition("thres")
        if fam.kind.has_thresholds and thres is not None and "gr" in thres.args:
            main_opts["center"] = False  # brms: thresholds per group are not centred (center = FALSE)
        parts["mu"] = _apply_options(main_opts, Part("mu", "dpar", parse_rhs(rhs, formula.main), formula.main), fam)
        if fam.kind.has_thresholds and not parts["mu"].terms.intercept:
            raise FormulaError(  # brms's refusal: the thresholds are the intercepts
                f"Cannot remove the intercept in an ordinal model ({formula.main!r}): the thresholds are its "
                "intercepts; remove '0 +' or '- 1'."
            )

    for name, (prhs, text, is_nl) in pf_by_name.items():
        value = _number(prhs)
        # 'sigma ~ 1' is a formula (an intercept, as in brms); other numbers right of '~' are read as fixed
        # values, as bf(..., quantile = 0.25) was written before it became 'quantile = 0.25'
        if value is not None and prhs.strip() not in ("0", "1") and name in fam.dpars and name != "mu":
            fixed[name] = value  # bf(..., quantile = 0.25): a constant, not a formula
            continue
        if name in fam.dpars:
            if name == "mu":
                raise FormulaError(f"Give the formula of 'mu' as the main formula, not as {text!r}.")
            if is_nl:
                nonlinear[name] = _nonlinear_part(name, "dpar", prhs, text, nlpar_names)
            else:
                parts[name] = _apply_options(lf_opts.get(text, {}), Part(name, "dpar", parse_rhs(prhs, text), text), fam)
        elif name in nlpar_names:
            if is_nl:
                nonlinear[name] = _nonlinear_part(name, "nlpar", prhs, text, nlpar_names)
            else:
                part = Part(name, "nlpar", parse_rhs(prhs, text), f"{name} ~ {prhs}")
                parts[name] = _apply_options(lf_opts.get(text, {}), part, fam)
        else:
            other = [d for d in fam.dpars if d != "mu"]
            raise FormulaError(
                f"{text!r} is a formula for {name!r}, but family {fam.name!r} has no distributional parameter "
                f"of that name (its dpars: {', '.join(other) or 'none besides mu'})"
                + ("." if formula.nl else "; for a non-linear parameter use bf(..., nl=True).")
            )
    if nonlinear:
        _check_nonlinear(nonlinear, nlpar_names, fam, pf_by_name)

    for d in fam.dpars:
        if d != "mu" and d not in parts and d not in nonlinear and d not in fixed and fam.dpar_info(d).fixed is not None:
            fixed[d] = fam.dpar_info(d).fixed
    resp = _resp_name(response.expr) if multi else ""
    return BrmsTerms(response, fam, parts, nonlinear, resp, str(formula), fixed, autocor=autocor_part)


#: the terms an ``autocor = ~ ...`` formula may hold (brms's autocorrelation terms)
_AUTOCOR_TERMS = frozenset({"ar", "ma", "arma", "cosy", "car", "sar", "fcor", "unstr"})


def _autocor_rhs(rhs: str, autocor: tuple[str, str, bool], formula) -> str:
    """The main formula's right-hand side with the terms of ``autocor = ~ ar(...)`` added (as brms)."""
    ac_rhs, text, _ = autocor
    terms = parse_rhs(ac_rhs, text)
    others = [s.text for s in terms.special_terms if s.kind not in _AUTOCOR_TERMS]
    if others or terms.group_terms or terms.population:
        raise FormulaError(f"{text!r} may only hold autocorrelation terms (ar, ma, arma, cosy, car, sar, fcor, unstr).")
    return f"{rhs} + {ac_rhs.strip()}" if rhs else ac_rhs.strip()


def _lhs_names(plhs: str, text: str, is_nl: bool) -> list[str]:
    """Parameter names left of '~': one name, or several joined with '+' (linear formulas only)."""
    names = [n.strip() for n in split_top(plhs, "+")]
    if len(names) > 1 and is_nl:
        raise FormulaError(f"nlf() gives one parameter a non-linear formula; {text!r} names several. Write one nlf() each.")
    for n in names:
        if not is_identifier(n):
            raise FormulaError(f"{n!r} left of '~' in {text!r} is not a parameter name; write e.g. 'sigma ~ x' or 'a + b ~ 1'.")
    return names


def _nonlinear_part(name: str, kind: str, rhs: str, text: str, nlpar_names: set[str],
                    loop: bool = True) -> NonlinearPart:
    """Parse a non-linear formula: names with their own formula are nlpars, other names are data columns."""
    expr = parse_nl(rhs, text)
    if not loop:
        why = vector_unsafe(expr)
        if why:  # brms writes the formula unchanged, and Stan rejects the program
            raise FormulaError(
                f"With bf(..., loop=False) the non-linear formula {text!r} is computed on whole vectors, where Stan "
                f"has no {why}; brms writes it unchanged and Stan rejects the program. Use loop=True (the default)."
            )
    nlpars = tuple(n for n in expr.names if n in nlpar_names)
    covariates = tuple(n for n in expr.names if n not in nlpar_names)
    if not nlpars:
        example = next(iter(covariates), "a")
        raise FormulaError(
            f"The non-linear formula {text!r} uses no non-linear parameter: give each parameter its own formula, "
            f"e.g. bf({text!r}, '{example} ~ 1', nl=True). Names without a formula "
            f"({', '.join(covariates) or 'none'}) are read as data columns."
        )
    return NonlinearPart(name, rhs, nlpars, covariates, kind, loop)


def _check_nonlinear(nonlinear: dict[str, NonlinearPart], nlpar_names: set[str], fam: Family,
                     pf_by_name: dict[str, tuple[str, str, bool]]) -> None:
    """Every nlpar is used by a non-linear formula; nlpars do not depend on themselves; family is supported."""
    if not fam.kind.univariate and not fam.kind.has_components and not fam.kind.has_thresholds:  # mixtures: formula.mixture
        raise FormulaError(f"Non-linear formulas are not supported for family {fam.name!r} yet.")
    for n in sorted(nlpar_names):  # they become Stan names: b_<name>, nlp_<name>
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", n) or "__" in n or n.endswith("_"):
            raise FormulaError(f"Non-linear parameter names may use letters, digits and single '_' only; rename {n!r}.")
    used = {p for nl in nonlinear.values() for p in nl.nlpars}
    for n in sorted(nlpar_names - used):
        raise FormulaError(
            f"{pf_by_name[n][1]!r} gives a formula for {n!r}, but no non-linear formula uses {n!r} and family "
            f"{fam.name!r} has no distributional parameter of that name; use it in the non-linear formula or remove it."
        )

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in path:
            raise FormulaError(f"The non-linear parameters depend on themselves: {' -> '.join((*path, name))}.")
        nl = nonlinear.get(name)
        if nl is not None:
            for p in nl.nlpars:
                visit(p, (*path, name))

    for name in nonlinear:
        visit(name, ())
