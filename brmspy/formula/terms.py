"""Typed term objects: what a brms formula says, before any data is seen.

The parse of one formula string is a :class:`LinearTerms` (one linear
predictor: population part, group-level terms, special terms).  A response's
whole model is a :class:`BrmsTerms` (response + addition terms + one linear
predictor per predicted distributional parameter, or a non-linear expression
with one linear predictor per non-linear parameter); several responses make a
:class:`MvBrmsTerms`.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace

from ..core.errors import FormulaError
from .rexpr import Name, parse_expr, rename
from .spexpr import has_sp_call, sp_expression
from .rterms import RTerms, population_terms
from .syntax import Call, closing_paren, is_identifier, parse_call, split_terms, split_top, strip_outer_parens

# Addition terms allowed left of '~' after '|', with their argument names.
ADDITION_TERMS: dict[str, tuple[str, ...]] = {
    "trials": ("n",),
    "weights": ("w",),
    "se": ("s", "sigma"),
    "cens": ("x", "y2"),
    "trunc": ("lb", "ub"),
    "mi": ("sdy",),
    "rate": ("denom",),
    "thres": ("x", "gr"),
    "cat": ("x",),
    "dec": ("x",),
    "bhaz": ("gr", "df", "knots", "degree", "intercept", "Boundary.knots"),  # cox (current brms)
    "subset": ("x",),
    "index": ("x",),
    "vreal": (),
    "vint": (),
}

# Special terms on the right-hand side that are not plain population effects.
SPECIAL_TERMS = frozenset({"s", "t2", "gp", "mo", "me", "mi", "cs", "offset", "ar", "ma", "arma", "cosy", "car", "sar", "fcor", "unstr"})
# Calls that may only appear as the grouping part of a group-level term.
GROUP_CALLS = frozenset({"gr", "mm"})


@dataclass(frozen=True)
class AdditionTerm:
    """One addition term of the response, e.g. ``trials(n)`` or ``trunc(lb = 0)``."""

    name: str
    args: dict[str, str]

    @property
    def text(self) -> str:
        return f"{self.name}({', '.join(f'{k} = {v}' for k, v in self.args.items())})"


@dataclass(frozen=True)
class ResponseTerm:
    """The left-hand side: a response expression and its addition terms."""

    expr: str
    additions: tuple[AdditionTerm, ...] = ()

    def addition(self, name: str) -> AdditionTerm | None:
        for a in self.additions:
            if a.name == name:
                return a
        return None

    @property
    def variable(self) -> str:
        """A name for the response usable in Stan identifiers (``y``, ``Reaction``)."""
        return self.expr


@dataclass(frozen=True)
class GroupTerm:
    """One group-level term, ``(expr | group)`` and its variants.

    Attributes
    ----------
    expr : the formula of varying effects (``"1 + Days"``).
    group : the grouping label as brms shows it (``"Subject"``, ``"a:b"``).
    group_vars : the data columns forming the group (``("a", "b")`` for ``a:b``;
        for multi-membership each member column).
    cor : whether the effects are correlated (``|`` vs ``||``).
    id : the ``|ID|`` label shared with other terms, or None.
    by : a column whose levels get separate sds/correlations (``gr(g, by = z)``).
    mm : multi-membership (``mm(g1, g2)``).
    mm_weights : ``weights = cbind(w1, w2)`` columns for multi-membership.
    mm_scale : whether those weights are scaled to sum to 1 per row (brms's ``mm(..., scale = TRUE)``).
    cov : name of a known covariance matrix in ``data2`` (``gr(g, cov = A)``).
    dist : distribution of the effects, ``"gaussian"`` or ``"student"`` (``gr(g, dist = "student")``).
    type : ``""`` for ordinary effects; ``"sp"`` (``mo()``/``me()``/``mi()`` terms varying by group) or
        ``"cs"`` (category-specific effects) for a part of a term split by :func:`split_group_term`.
    origin : the term as written, for a part split from it (its label in messages and comments).
    """

    expr: str
    group: str
    group_vars: tuple[str, ...]
    cor: bool = True
    id: str | None = None
    by: str | None = None
    mm: bool = False
    mm_weights: tuple[str, ...] | None = None
    mm_scale: bool = True
    cov: str | None = None
    dist: str = "gaussian"
    type: str = ""
    origin: str | None = None
    # mmc(w1, w2) covariates: (placeholder column name in ``expr``, the members' columns); brmspy.frame.groups
    mmc: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def label(self) -> str:
        if self.origin:
            return self.origin
        bar = "|" if self.cor else "||"
        middle = f" | {self.id} {bar} " if self.id else f" {bar} "
        args = ([f"by = {self.by}"] if self.by else []) + ([f'dist = "{self.dist}"'] if self.dist != "gaussian" else [])
        group = f"gr({self.group}, {', '.join(args)})" if args else self.group
        return f"({self.expr}{middle}{group})"


@dataclass(frozen=True)
class SpecialTerm:
    """A special right-hand-side term such as ``s(x)``, ``mo(x)`` or ``offset(log(t))``."""

    kind: str
    call: Call

    @property
    def text(self) -> str:
        return self.call.text


@dataclass(frozen=True)
class SpInteraction(SpecialTerm):
    """A product of ``mo()``/``me()``/``mi()`` terms with each other or with covariates: ``mo(x):z``.

    ``kind`` is ``"sp"``; ``factors`` are the pieces of the product as written
    (``("mo(x)", "z")``).  brms gives it one element of ``bsp`` named
    ``mox:z`` (:mod:`brmspy.specials.sp`).
    """

    factors: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return ":".join(self.factors)


@dataclass(frozen=True)
class LinearTerms:
    """One linear predictor: intercept, population terms, group and special terms.

    ``rterms`` is the population part after R's term algebra
    (:mod:`brmspy.formula.rterms`): each term a tuple of checked variable
    expressions; ``population`` holds their R labels (``a:b``).  The intercept
    is tracked here because brms centres it.
    """

    intercept: bool
    population: tuple[str, ...]
    group_terms: tuple[GroupTerm, ...] = ()
    special_terms: tuple[SpecialTerm, ...] = ()
    rterms: RTerms | None = None
    center: bool = True  # bf(center = FALSE) of an ordinal mu: thresholds with uncentred predictors
    decomp: str = ""  # bf(decomp = "QR"): QR decomposition of the population-level design
    centered_nlpar: bool = False  # lf(a ~ x, center = TRUE): a non-linear parameter's design centred (brms)

    @property
    def has_population(self) -> bool:
        return bool(self.population)

    def specials(self, kind: str) -> tuple[SpecialTerm, ...]:
        return tuple(t for t in self.special_terms if t.kind == kind)


@dataclass(frozen=True)
class Part:
    """A named linear predictor: ``mu``, a dpar such as ``sigma``, or an nlpar."""

    name: str  # "mu", "sigma", "zi", or a non-linear parameter name
    kind: str  # "dpar" or "nlpar"
    terms: LinearTerms
    formula: str  # the source text, for messages and printing


@dataclass(frozen=True)
class NonlinearPart:
    """A non-linear formula ``y ~ a * exp(-b * x)`` for a dpar (usually mu) or an nlpar (``nlf(a ~ exp(l))``).

    ``nlpars`` are the names in ``expr`` with their own formula, ``covariates``
    the other names (data columns); :mod:`brmspy.formula.nlexpr` parses ``expr``.
    """

    dpar: str  # the parameter it defines (a dpar, or an nlpar when kind == "nlpar")
    expr: str
    nlpars: tuple[str, ...]
    covariates: tuple[str, ...]
    kind: str = "dpar"  # "dpar" or "nlpar"
    loop: bool = True  # brms's loop = FALSE: computed once on whole vectors, not per observation


@dataclass
class BrmsTerms:
    """Everything one response's formulas say, with the family attached."""

    response: ResponseTerm
    family: "Family"  # noqa: F821  (brmspy.families.Family)
    parts: dict[str, Part]
    nonlinear: dict[str, NonlinearPart] = field(default_factory=dict)
    resp: str = ""  # name prefix in multivariate models ("" when univariate)
    formula_text: str = ""
    fixed: dict[str, float] = field(default_factory=dict)  # dpars held at a constant value
    shared: tuple[str, ...] = ()  # dpars estimated once for all responses (nu with rescor; brmspy.formula.mv)
    mecor: bool = True  # latent values of several me() terms correlated (set_mecor)
    # non-linear mu: the terms of bf(..., autocor = ~ ar(...)) (a linear mu holds them among its terms)
    autocor: Part | None = None

    @property
    def estimated_constants(self) -> list[str]:
        """dpars estimated as one parameter each (not predicted, not fixed, not shared across responses)."""
        return [d for d in self.family.dpars
                if d != "mu" and d not in self.parts and d not in self.nonlinear and d not in self.fixed
                and d not in self.shared]

    @property
    def dpar_parts(self) -> dict[str, Part]:
        return {k: p for k, p in self.parts.items() if p.kind == "dpar"}

    @property
    def nlpar_parts(self) -> dict[str, Part]:
        return {k: p for k, p in self.parts.items() if p.kind == "nlpar"}


@dataclass
class MvBrmsTerms:
    """Several responses modelled jointly."""

    responses: list[BrmsTerms]
    rescor: bool = False
    mecor: bool = True  # latent values of several me() terms correlated (set_mecor)


# ---------------------------------------------------------------- parsing


def parse_response(lhs: str) -> ResponseTerm:
    """Parse ``"y | trials(n) + weights(w)"`` into a :class:`ResponseTerm`."""
    pieces = split_top(lhs, "|")
    if len(pieces) > 2:
        raise FormulaError(
            f"The response {lhs!r} has more than one '|'. Combine addition terms with '+', "
            "e.g. 'y | trials(n) + weights(w) ~ x'."
        )
    expr = strip_outer_parens(pieces[0])
    if not expr:
        raise FormulaError(f"The response part {lhs!r} names no response variable.")
    rcall = parse_call(expr)
    if rcall is not None and rcall.name == "mvbind":
        for a in rcall.args:
            parse_expr(a, lhs)
    else:
        parse_expr(expr, lhs)  # checked against the allow-list; evaluated later with R's meanings
    additions: list[AdditionTerm] = []
    if len(pieces) == 2:
        for sign, text in split_terms(pieces[1]):
            call = parse_call(text)
            if call is None or sign != "+":
                raise FormulaError(
                    f"{text!r} after '|' in the response is not an addition term. "
                    f"Valid addition terms: {', '.join(f'{k}()' for k in ADDITION_TERMS)}."
                )
            if call.name not in ADDITION_TERMS:
                raise FormulaError(
                    f"Unknown addition term '{call.name}()' in {lhs!r}. "
                    f"Valid addition terms: {', '.join(f'{k}()' for k in ADDITION_TERMS)}."
                )
            names = ADDITION_TERMS[call.name]
            if len(call.args) > len(names) and names:
                raise FormulaError(f"'{call.text}' takes at most {len(names)} positional argument(s): {', '.join(names)}.")
            args = dict(zip(names, call.args))
            if call.name in ("vint", "vreal"):  # custom families' data: vint1, vint2, ... in order
                args = {str(i + 1): a for i, a in enumerate(call.args)}
            for k, v in call.kwargs:
                if k not in names:
                    raise FormulaError(
                        f"'{call.name}()' has no argument '{k}'; its arguments are: {', '.join(names) or 'none'}."
                    )
                args[k] = v
            check_call_args(call, lhs)
            if any(a.name == call.name for a in additions):
                raise FormulaError(f"The addition term '{call.name}()' appears twice in {lhs!r}.")
            additions.append(AdditionTerm(call.name, args))
    return ResponseTerm(expr, tuple(additions))


def _group_dist(call: Call) -> str:
    """``dist`` of ``gr()``/``mm()``: brms's ``match.arg(dist, c("gaussian", "student"))`` (a unique prefix works)."""
    dist = (call.kwarg("dist") or "gaussian").strip().strip("'\"")
    full = [d for d in ("gaussian", "student") if dist and d.startswith(dist)]
    if len(full) != 1:
        raise FormulaError(f"{call.name}(..., dist = {dist!r}): 'dist' should be one of \"gaussian\", \"student\".")
    return full[0]


def _parse_group_spec(text: str) -> list[dict]:
    """The grouping part of a group-level term -> a list of group specs."""
    text = text.strip()
    call = parse_call(text)
    if call is not None and call.name in ("gr", "mm"):
        check_call_args(call, text)
    if call and call.name == "gr":
        if not call.args:
            raise FormulaError(f"'{text}' names no grouping factor; write e.g. 'gr(g, by = z)'.")
        allowed = {"by", "cor", "id", "cov", "dist"}
        bad = [k for k, _ in call.kwargs if k not in allowed]
        if bad:
            raise FormulaError(f"gr() has no argument '{bad[0]}'; its arguments are: {', '.join(sorted(allowed))}.")
        dist = _group_dist(call)
        specs = _parse_group_spec(call.args[0])
        cor = call.kwarg("cor")
        for s in specs:
            s["by"] = call.kwarg("by")
            s["cov"] = call.kwarg("cov")
            s["dist"] = dist
            if cor is not None:
                s["cor"] = cor.strip().upper() not in ("FALSE", "F", "0")
            if call.kwarg("id"):
                s["id"] = call.kwarg("id")
        return specs
    if call and call.name == "mm":
        members = tuple(a.strip() for a in call.args)
        if len(members) < 2:
            raise FormulaError(f"'{text}' needs at least two grouping columns, e.g. 'mm(g1, g2)'.")
        for m in members:
            if not is_identifier(m):
                raise FormulaError(f"mm() members must be column names; got {m!r}.")
        bad = [k for k, _ in call.kwargs if k not in ("weights", "scale", "cor", "id", "dist")]
        if bad:
            raise FormulaError(f"mm() argument '{bad[0]}' is not supported; use 'mm(g1, g2, weights = cbind(w1, w2))'.")
        scale_arg = (call.kwarg("scale") or "TRUE").strip().upper()
        if scale_arg not in ("TRUE", "T", "FALSE", "F"):
            raise FormulaError(f"mm(scale = {call.kwarg('scale')}) must be TRUE or FALSE.")
        weights = call.kwarg("weights")
        wcols = None
        if weights is not None:
            wcall = parse_call(weights)
            if wcall is None or wcall.name not in ("cbind", "c", "list"):
                raise FormulaError(f"mm(weights = ...) must be 'cbind(w1, w2, ...)'; got {weights!r}.")
            wcols = tuple(a.strip() for a in wcall.args)
            if len(wcols) != len(members):
                raise FormulaError(f"mm() has {len(members)} members but {len(wcols)} weight columns.")
        spec = dict(group=f"mm({', '.join(members)})", group_vars=members, mm=True, mm_weights=wcols,
                    mm_scale=scale_arg in ("TRUE", "T"), dist=_group_dist(call))
        if call.kwarg("cor") is not None:
            spec["cor"] = call.kwarg("cor").strip().upper() not in ("FALSE", "F", "0")
        if call.kwarg("id"):
            spec["id"] = call.kwarg("id")
        return [spec]
    if call is not None:
        raise FormulaError(
            f"'{text}' is not a valid grouping factor. Use a column name, 'a:b', 'a/b', 'gr(g, by = z)' or 'mm(g1, g2)'."
        )
    plus = split_terms(text)
    if len(plus) > 1:  # lme4: 'Invalid grouping factor specification'
        alt = " + ".join(f"(... | {t.strip()})" for _, t in plus)
        raise FormulaError(
            f"Invalid grouping factor specification, {text.strip()!r}: '+' cannot combine grouping factors right of "
            f"'|' (as in lme4). For separate terms write {alt}; for their interaction write "
            f"'(... | {':'.join(t.strip() for _, t in plus)})'."
        )
    if len(split_top(text, "*")) > 1:
        vs = [v.strip() for v in split_top(text, "*")]
        raise FormulaError(
            f"Invalid grouping factor specification, {text.strip()!r}: '*' is not allowed right of '|'. Write "
            f"{' + '.join(f'(1 | {v})' for v in vs)} + (1 | {':'.join(vs)}) for crossed factors and their "
            f"interaction, or (1 | {'/'.join(vs)}) if {vs[-1]!r} is nested in {vs[0]!r}."
        )
    nested = split_top(text, "/")
    if len(nested) > 1:
        names = [n.strip() for n in nested]
        out = []
        for i in range(1, len(names) + 1):
            out.extend(_parse_group_spec(":".join(names[:i])))
        return out
    vars_ = tuple(v.strip() for v in split_top(text, ":"))
    for v in vars_:
        if not is_identifier(v):
            raise FormulaError(f"{v!r} in '{text}' is not a column name; grouping factors must be columns of the data.")
    return [dict(group=":".join(vars_), group_vars=vars_)]


def parse_group_term(text: str) -> list[GroupTerm]:
    """Parse ``(x | g)``-style terms (without outer parentheses) into GroupTerms."""
    pieces = split_top(text, "|")
    if len(pieces) == 2:
        expr, mid, grp, cor = pieces[0], None, pieces[1], True
    elif len(pieces) == 3:
        expr, mid, grp = pieces
        cor = bool(mid.strip())
        mid = mid.strip() or None
    elif len(pieces) == 4 and not pieces[2].strip():
        expr, mid, grp, cor = pieces[0], pieces[1].strip(), pieces[3], False
    else:
        raise FormulaError(f"Cannot read the group-level term '({text})'. Use '(x | g)', '(x || g)' or '(x | ID | g)'.")
    expr = expr.strip()
    if not expr:
        raise FormulaError(f"The group-level term '({text})' has nothing left of '|'; use '(1 | g)' for an intercept.")
    if not grp.strip():
        raise FormulaError(f"The group-level term '({text})' names no grouping factor right of '|'.")
    expr, mmc = _mmc_placeholders(expr, f"({text})")
    inner = parse_rhs(expr, f"({text})")  # checks the effects' expressions (nothing is evaluated here)
    if inner.group_terms:
        raise FormulaError(f"Group-level terms cannot be nested: '({text})'.")
    out = []
    for spec in _parse_group_spec(grp):
        spec.setdefault("cor", cor)
        if mid and not spec.get("id"):
            spec["id"] = mid
        spec.setdefault("id", None)
        g = GroupTerm(expr=expr, **spec)
        if mmc:
            if not g.mm or any(len(cols) != len(g.group_vars) for _, cols in mmc):
                raise FormulaError(
                    f"mmc() in '({text})' needs a multi-membership term with as many members: one covariate per "
                    f"member, e.g. '(1 + mmc(w1, w2) | mm(g1, g2))' (brms)."
                )
            original = replace(g, expr=_mmc_text(expr, mmc)).label  # the label as written
            g = replace(g, mmc=mmc, origin=original)
            if not g.cor and not g.id:  # brms's split_re_terms: the mmc() part is its own term (block) under ||
                out += _split_mmc(g)
                continue
        out.append(g)
    return out


def _split_mmc(g: GroupTerm) -> list[GroupTerm]:
    """``(1 + x + mmc(w1, w2) || mm(g1, g2))`` -> ``(1 + x || ...)`` and ``(0 + mmc(w1, w2) || ...)``, as brms."""
    names = {name for name, _ in g.mmc}
    plain, mmc = [], []
    for sign, term in split_terms(g.expr):
        uses = bool(names & set(re.findall(r"[A-Za-z_.][A-Za-z0-9_.]*", term)))
        (mmc if uses else plain).append(f"{sign} {term}" if sign == "-" else term)
    out = []
    rest = " + ".join(plain) if plain else "1"
    if rest.replace(" ", "") not in ("0", "-1", "0+0"):
        out.append(replace(g, expr=rest, mmc=()))
    out.append(replace(g, expr="0 + " + " + ".join(mmc)))
    return out


_MMC = re.compile(r"(?<![\w.])mmc\s*\(")


def _mmc_placeholders(expr: str, where: str) -> tuple[str, tuple[tuple[str, tuple[str, ...]], ...]]:
    """``1 + mmc(w1, w2)`` -> ``1 + mmcw1w2`` and ``(("mmcw1w2", ("w1", "w2")),)`` (brms's coefficient name)."""
    found: list[tuple[str, tuple[str, ...]]] = []
    while True:
        m = _MMC.search(expr)
        if not m:
            return expr, tuple(found)
        i = closing_paren(expr, m.end() - 1)
        call = parse_call(expr[m.start():i + 1])
        if call is None or call.kwargs or len(call.args) < 2 or not all(is_identifier(a.strip()) for a in call.args):
            raise FormulaError(f"mmc() in {where!r} takes the members' covariate columns, e.g. 'mmc(w1, w2)'.")
        name = rename(call.text)  # brms's coefficient name: mmcw1w2
        found.append((name, tuple(a.strip() for a in call.args)))
        expr = expr[:m.start()] + name + expr[i + 1:]


def _mmc_text(expr: str, mmc: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    for name, cols in mmc:
        expr = re.sub(rf"(?<![\w.]){name}(?![\w.])", f"mmc({', '.join(cols)})", expr)
    return expr


#: special terms that may enter products (brms's "sp" terms sharing ``bsp``)
SP_INTERACTION_KINDS = frozenset({"mo", "me", "mi"})


def split_group_term(g: GroupTerm) -> list[GroupTerm]:
    """A group-level term split into brms's parts: ordinary effects, ``cs()`` effects, sp effects.

    As brms's ``split_re_terms``: ``(1 + mo(x) | g)`` is an intercept part and an ``sp`` part
    ``mo(x)`` (varying ``bsp`` coefficient of the population-level ``mo(x)``); ``(cs(x) | g)`` or
    ``(1 + cs(x) | g)`` is a ``cs`` part ``x`` whose effects (with an intercept) are
    category-specific. Parts of a correlated term share an ID (one block); ``||`` keeps them apart.
    A term mixing ``cs()`` and other effects is refused, as are smooths and GPs.

    Examples
    --------
    >>> [(p.type, p.expr) for p in split_group_term(parse_group_term("1 + mo(x) | g")[0])]
    [('', '1'), ('sp', '0 + mo(x)')]
    """
    lt = parse_rhs(g.expr, g.label)
    if not lt.special_terms:
        return [g]
    sp = [t for t in lt.special_terms if t.kind in SP_INTERACTION_KINDS or t.kind == "sp"]
    cs = [t for t in lt.special_terms if t.kind == "cs"]
    other = [t for t in lt.special_terms if t not in sp and t not in cs]
    if any(t.kind in ("s", "t2", "gp") for t in other):
        raise FormulaError(f"Cannot handle splines or GPs in group-level terms: {g.label}.")
    if other:
        raise FormulaError(f"'{other[0].text}' cannot be used inside the group-level term {g.label}.")
    if cs and (sp or lt.population):
        raise FormulaError(
            f"Please specify category specific effects in separate group-level terms: {g.label} mixes cs() "
            "with other effects; write e.g. (cs(x) | g) + (0 + z | g)."
        )
    parts: list[tuple[str, str]] = []
    if lt.population or (lt.intercept and not cs):
        parts.append(("", " + ".join(["1" if lt.intercept else "0", *lt.population])))
    if cs:  # brms: cs(x) in a group-level term is the formula '~ x', with its intercept
        parts.append(("cs", " + ".join(a for t in cs for a in t.call.args)))
    if sp:
        parts.append(("sp", "0 + " + " + ".join(t.text for t in sp)))
    gid = g.id
    if g.cor and len(parts) > 1 and not gid:
        gid = f"{g.label}"  # one block: the parts' effects are correlated (brms gives them a random ID)
    from dataclasses import replace

    return [replace(g, expr=expr, type=kind, id=gid, origin=g.label) for kind, expr in parts]


def _special_in_interaction(term: str) -> str | None:
    """The special call inside an interaction such as ``mo(x):z`` or ``mo(x) * z``, if any."""
    pieces = [term]
    for sep in ("/", "^", ":", "*"):
        pieces = [q for p in pieces for q in split_top(p, sep)]
    for factor in pieces:
        call = parse_call(strip_outer_parens(factor))
        if call and call.name in SPECIAL_TERMS:
            return call.text
        if has_sp_call(strip_outer_parens(factor)):  # I(me(x, sdx)^2): brmspy.formula.spexpr
            return strip_outer_parens(factor)
    return None


def _expand_sp_interaction(term: str, context: str) -> list[tuple[str, ...]]:
    """Expand ``mo(x) * z`` into its products ``[("mo(x)",), ("z",), ("mo(x)", "z")]`` (R's order).

    Each product is a tuple of atoms (a special call or a covariate); ``:``
    products are kept as they are.  Only ``*`` and ``:`` may combine special terms.
    """
    for op in ("/", "^", "%in%"):
        if op in term and (op == "%in%" or len(split_top(term, op)) > 1):
            raise FormulaError(
                f"'{op}' in {term!r} of {context!r} cannot combine special terms; write the products out with ':' "
                "and '*', e.g. 'mo(x) * z' or 'mo(x) + mo(x):z'."
            )
    factors = []
    for f in split_top(term, "*"):
        atoms = tuple(strip_outer_parens(a).strip() for a in split_top(strip_outer_parens(f), ":"))
        for a in atoms:
            if not a or len(split_terms(a)) > 1:
                raise FormulaError(
                    f"Cannot read the interaction {term!r} in {context!r}: write each product of special terms out, "
                    "e.g. 'mo(x):z + mo(x):w' instead of 'mo(x):(z + w)'."
                )
        factors.append(atoms)
    out: list[tuple[str, ...]] = []
    for size in range(1, len(factors) + 1):
        for combo in itertools.combinations(factors, size):
            atoms = tuple(a for f in combo for a in f)
            if atoms not in out:
                out.append(atoms)
    return out


def _sp_product(atoms: tuple[str, ...], term: str, context: str) -> SpecialTerm | None:
    """The special term for one product of atoms, or None when it has no special call."""
    calls = [parse_call(a) for a in atoms]
    specials = [c for c in calls if c is not None and c.name in SPECIAL_TERMS]
    exprs = [a for a, c in zip(atoms, calls) if (c is None or c.name not in SPECIAL_TERMS) and has_sp_call(a)]
    if not specials and not exprs:
        return None
    if len(atoms) == 1 and specials:
        return SpecialTerm(specials[0].name, specials[0])
    bad = [c.text for c in specials if c.name not in SP_INTERACTION_KINDS]
    if bad:
        raise FormulaError(
            f"Interactions of the special term '{bad[0]}' with other terms ({term!r} in {context!r}) are not "
            "supported: only mo(), me() and mi() terms can be multiplied with covariates or with each other "
            "(e.g. 'mo(x):z'). For smooths use the 'by' argument, e.g. 's(x, by = z)'."
        )
    factors = tuple(c.text if c is not None and c.name in SP_INTERACTION_KINDS else a for a, c in zip(atoms, calls))
    if len(set(factors)) != len(factors):
        raise FormulaError(f"The interaction {term!r} in {context!r} multiplies a term with itself; remove the repeat.")
    return SpInteraction("sp", Call("sp", factors, ()), factors)


def parse_rhs(rhs: str, context: str) -> LinearTerms:
    """Parse a right-hand side into :class:`LinearTerms`.

    Group-level and special terms are taken out first; what is left is the
    population part, read as R reads it (:func:`brmspy.formula.rterms.population_terms`).

    Parameters
    ----------
    rhs : the text right of ``~``.
    context : the whole formula, quoted in error messages.
    """
    pieces: list[str] = []
    groups: list[GroupTerm] = []
    specials: list[SpecialTerm] = []

    def add(sign: str, text: str) -> None:
        pieces.append(text if not pieces and sign == "+" else f"{sign} {text}")

    for sign, term in split_terms(rhs):
        bare = term.strip()
        if bare.startswith("(") and len(split_top(strip_outer_parens(bare), "|")) > 1:
            if sign == "-":
                raise FormulaError(f"Group-level terms cannot be removed with '-': {bare} in {context!r}.")
            for g in parse_group_term(strip_outer_parens(bare)):
                if g not in groups:  # identical terms merge, as in R formulas (and brms)
                    groups.append(g)
            continue
        if len(split_top(bare, "|")) > 1:
            raise FormulaError(
                f"'|' in {bare!r} of {context!r} must be inside parentheses: write '({bare})' for a group-level term."
            )
        call = parse_call(bare)
        if call and call.name in SPECIAL_TERMS:
            if sign == "-":
                raise FormulaError(f"Special terms cannot be removed with '-': {bare} in {context!r}.")
            check_call_args(call, context)
            specials.append(SpecialTerm(call.name, call))
            continue
        if call and call.name in GROUP_CALLS:
            raise FormulaError(f"'{bare}' may only be used as the grouping part of a group-level term, e.g. '(1 | {bare})'.")
        inner = _special_in_interaction(bare) if call is None or has_sp_call(bare) else None
        if inner:  # mo(x):z, mo(x) * z, me(x, sdx):mo(w): brms's sp interactions (brmspy.specials.sp)
            if sign == "-":
                raise FormulaError(f"Special terms cannot be removed with '-': {bare} in {context!r}.")
            for atoms in _expand_sp_interaction(bare, context):
                sp = _sp_product(atoms, bare, context)
                if sp is None:
                    add("+", ":".join(atoms))
                elif all(sp.text != o.text for o in specials):
                    for f in getattr(sp, "factors", (sp.text,)):
                        c = parse_call(f)
                        if has_sp_call(f):  # I(me(x, sdx)^2): the expression and each call in it
                            for text in sp_expression(f, context)[1].values():
                                check_call_args(parse_call(text), context)
                        elif c is not None:
                            check_call_args(c, context)
                        else:
                            parse_expr(f, context)
                    specials.append(sp)
            continue
        add(sign, bare)
    rterms = population_terms(" ".join(pieces), context) if pieces else RTerms(True, ())
    if rterms.intercept and any(isinstance(v, Name) and v.id == "Intercept" for v in rterms.variables):
        raise FormulaError(
            f"'Intercept' in {context!r} is brms's reserved name for an intercept that is an ordinary "
            "population-level coefficient (not centred); use it without the default intercept: "
            "'y ~ 0 + Intercept + x'."
        )
    return LinearTerms(
        intercept=rterms.intercept,
        population=tuple(t.label for t in rterms.terms),
        group_terms=tuple(groups),
        special_terms=tuple(specials),
        rterms=rterms,
    )


def check_call_args(call: Call, context: str) -> None:
    """Check every argument of a special or group call against the R allow-list (nothing is evaluated)."""
    for a in (*call.args, *(v for _, v in call.kwargs)):
        parse_expr(a, context)
