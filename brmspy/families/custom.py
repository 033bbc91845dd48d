"""brms's extension mechanism: ``custom_family()`` with user Stan code placed by ``stanvar()``.

A custom family names a Stan density the user writes (``<name>_lpdf`` or ``<name>_lpmf``) in a
``stanvar(scode=..., block="functions")``; brmspy only places that text in the program, where
stanc checks it (:func:`check_stanvar_code`).  Nothing the user writes is evaluated in Python:
the names the user gives (family, dpars, ``vars``, stanvar names) must be plain identifiers.

Post-processing differs from brms on purpose: brms looks up R functions named
``log_lik_<name>``, ``posterior_predict_<name>`` and ``posterior_epred_<name>``; brmspy takes
Python callables in ``custom_family(..., log_lik=, posterior_predict=, posterior_epred=)``.
Each is called with keyword arguments named after the dpars (response scale) and the ``vars``
(``vint1`` for ``"vint1[n]"``), arrays broadcastable to (draws, observations).

Written by hand (no library places user Stan code) after brms's R/families.R ``custom_family``
and R/stanvars.R.

Examples
--------
>>> import brmspy as bp
>>> bb = bp.custom_family("beta_binomial2", dpars=("mu", "phi"), links=("logit", "log"),
...                       lb=(0, 0), ub=(1, None), type="int", vars=("vint1[n]",))
>>> bb.dpars, bb.links["phi"]
(('mu', 'phi'), 'log')
>>> sv = bp.stanvar(scode="real f(real x) { return x; }", block="functions") + bp.stanvar(3.5, name="k")
>>> [s.block for s in sv]
['functions', 'data']
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from ..core.errors import FamilyError
from .kinds import Ordinal
from .core import DPARS, FAMILIES, FAMILY_ALIASES, LINKS, DparInfo, Extras, Family, FamilyMath, FamilySpec, Likelihood, Ops

__all__ = ["CustomFamily", "StanVar", "StanVars", "custom_family", "stanvar", "check_stanvar_code"]

# A Stan identifier; brms also refuses names with double underscores or a trailing underscore.
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# An entry of ``vars``: a data name, optionally indexed by the observation, as brms's "vint1[n]".
_VAR = re.compile(r"([A-Za-z][A-Za-z0-9_]*)(\[n\])?")
# vars that are the response's own data (vint()/vreal()/trials()): suffixed by the response in multivariate models
_RESPONSE_DATA = re.compile(r"v(int|real)\d+|trials")
_BLOCKS = ("data", "tdata", "parameters", "tparameters", "model", "likelihood", "genquant", "functions")


# brms's family specials (R/families.R family_info(..., "specials")) and what each asks of the model
_BRMS_SPECIALS = {
    "ordinal": "thresholds (an Intercept vector) passed to the density, as cumulative()",
    "ordered_thres": "ordered thresholds of an ordinal family",
    "cs": "category-specific effects cs() of an ordinal family",
    "ocs": "ordered category-specific effects of an ordinal family",
    "binary": "a 0/1 (or two-level factor) response",
    "categorical": "one linear predictor per category",
    "multinomial": "a count-matrix response",
    "simplex": "a simplex response",
    "joint_link": "one link over the category predictors",
    "logscale": "default priors scaled on log(y)",
    "residuals": "predictive errors y - epred",
    "rescor": "residual correlations in multivariate models",
    "cox": "a baseline hazard",
}


def _check_name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not _IDENT.fullmatch(name) or "__" in name or name.endswith("_"):
        raise FamilyError(f"{what} {name!r} is not a valid name: use letters, digits and single underscores, "
                          "starting with a letter (a Stan identifier).")
    return name


# ------------------------------------------------------------------ stanvars


@dataclass(frozen=True)
class StanVar:
    """One piece of user Stan code (and, for ``block="data"``, its value) placed in a block."""

    name: str | None
    scode: str
    block: str
    position: str
    x: Any = None
    pll_args: str | None = None


@dataclass(frozen=True)
class StanVars:
    """A list of :class:`StanVar` combined with ``+`` (brms's ``stanvar(...) + stanvar(...)``)."""

    items: tuple[StanVar, ...] = ()

    def __add__(self, other: "StanVars") -> "StanVars":
        if not isinstance(other, StanVars):
            raise FamilyError(f"stanvars combine with '+' only with other stanvar() results, not {type(other).__name__}.")
        names = [s.name for s in (*self.items, *other.items) if s.name is not None]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise FamilyError(f"Duplicated stanvar names: {', '.join(dup)}; give each stanvar its own name.")
        return StanVars(self.items + other.items)

    def __iter__(self) -> Iterator[StanVar]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def data(self) -> dict[str, Any]:
        """The Stan data of the ``block="data"`` stanvars with a value."""
        return {s.name: s.x for s in self.items if s.x is not None}

    def code(self, block: str, position: str) -> list[str]:
        """The code lines placed at ``position`` of ``block``."""
        # dedented: the template indents each block's lines (the functions block by two spaces here)
        pad = "  " if block == "functions" else ""
        return [(pad + line).rstrip() for s in self.items if s.block == block and s.position == position
                for line in textwrap.dedent(s.scode.strip("\n")).split("\n")]


def _data_scode(x: Any, name: str) -> str:
    """brms's declaration of a data value (R/stanvars.R): scalar real/int, vector, int array, matrix."""
    arr = np.asarray(x)
    is_int = arr.dtype.kind in "iub"
    if arr.dtype.kind not in "iubf":
        raise FamilyError(f"stanvar {name!r}: x must be numbers (a scalar, vector or matrix), got {arr.dtype}.")
    if arr.ndim == 0:
        return f"{'int' if is_int else 'real'} {name};"
    if arr.ndim == 1:
        return f"array[{arr.size}] int {name};" if is_int else f"vector[{arr.size}] {name};"
    if arr.ndim == 2:
        return f"array[{arr.shape[0]}, {arr.shape[1]}] int {name};" if is_int else f"matrix[{arr.shape[0]}, {arr.shape[1]}] {name};"
    raise FamilyError(f"stanvar {name!r}: x has {arr.ndim} dimensions; give scode to declare it.")


def stanvar(x: Any = None, name: str | None = None, scode: str | None = None, block: str = "data",
            position: str = "start", pll_args: str | None = None) -> StanVars:
    """User Stan code or data for a block of the program, as brms's ``stanvar()``.

    Parameters
    ----------
    x : a value passed as Stan data (``block="data"`` only); needs ``name``.
    name : the Stan name of ``x``; a plain identifier.
    scode : Stan code; for data with ``x`` it defaults to brms's declaration (``real k;``, ``vector[3] v;``).
    block : ``"data"``, ``"tdata"``, ``"parameters"``, ``"tparameters"``, ``"model"``, ``"likelihood"``,
        ``"genquant"`` or ``"functions"``.
    position : ``"start"`` or ``"end"`` of the block.
    pll_args : brms's arguments of the within-chain-threaded likelihood (``"data real foo, real tau"``).
        Accepted and not needed: with ``threads``, brmspy passes every variable the likelihood reads
        (stanvars included) to its partial sums, and ``block="likelihood"`` code runs inside them.

    Returns
    -------
    StanVars, combinable with ``+``.

    Examples
    --------
    >>> sv = stanvar(scode="real q;", block="parameters") + stanvar(2.0, name="k")
    >>> sv.data()
    {'k': 2.0}
    """
    if block not in _BLOCKS:
        raise FamilyError(f"stanvar block must be one of {', '.join(_BLOCKS)}; got {block!r}.")
    if position not in ("start", "end"):
        raise FamilyError(f"stanvar position must be 'start' or 'end'; got {position!r}.")
    if name is not None:
        _check_name(name, "stanvar name")
    if x is not None:
        if name is None:
            raise FamilyError("stanvar(x=...) needs a name for the Stan data, e.g. stanvar(x, name='k').")
        if block != "data":
            raise FamilyError(f"stanvar {name!r}: values (x) go into block 'data' only, not {block!r}.")
        if scode is None:
            scode = _data_scode(x, name)
        x = np.asarray(x).item() if np.ndim(x) == 0 else np.asarray(x)
    if scode is None or not isinstance(scode, str) or not scode.strip():
        raise FamilyError("stanvar needs scode (Stan code as a string), or x and name for data.")
    if pll_args is not None and not isinstance(pll_args, str):
        raise FamilyError("stanvar pll_args must be a string of Stan arguments.")
    return StanVars((StanVar(name, scode, block, position, x, pll_args),))


def as_stanvars(stanvars: "StanVars | None") -> StanVars:
    """``stanvars`` argument of brm/make_stancode: None, or the result of :func:`stanvar`."""
    if stanvars is None:
        return StanVars()
    if not isinstance(stanvars, StanVars):
        raise FamilyError(f"stanvars must come from bp.stanvar(...) (combined with '+'); got {type(stanvars).__name__}.")
    return stanvars


def check_stanvar_code(stanvars: StanVars, program: str, stanc: Callable[[str], Any],
                       density: str | None = None) -> None:
    """Run ``stanc`` on ``program``; on a syntax error name the stanvar block whose code holds the line.

    ``density``: the custom family's Stan density (``beta_binomial2_lpmf``), named when undeclared.
    """
    try:
        stanc(program)
    except Exception as exc:  # stanli raises RuntimeError with stanc's text
        text = str(exc)
        if density is not None and f'undeclared identifier "{density}"' in text:
            raise FamilyError(f"The custom family needs the Stan function {density}(y | dpars..., vars...): pass "
                              f"its code with stanvars=stanvar(scode=..., block='functions').\n{text.strip()}") from None
        m = re.search(r"line (\d+)", text)
        where = ""
        if m:
            line = program.split("\n")[int(m.group(1)) - 1].strip()
            hits = [s for s in stanvars if line and line in s.scode]
            if hits:
                where = f" in the stanvar of block {hits[0].block!r}" + (f" ({hits[0].name})" if hits[0].name else "")
        raise FamilyError(f"Stan rejected the program{where}; check the stanvar code.\n{text.strip()}") from None


# --------------------------------------------------------------- custom family


@dataclass(frozen=True)
class CustomFamily(Family):
    """A family defined by the user's Stan density (see :func:`custom_family`)."""

    custom: FamilySpec | None = field(default=None, compare=False)
    lb: dict[str, float | None] = field(default_factory=dict)
    ub: dict[str, float | None] = field(default_factory=dict)
    vars: tuple[str, ...] = ()
    loop: bool = True
    table: dict[str, DparInfo] = field(default_factory=dict, compare=False)  # the dpars' own entries
    specials: tuple[str, ...] = ()  # brms's family specials in use ("binary")

    @property
    def spec(self) -> FamilySpec:
        assert self.custom is not None
        return self.custom

    def dpar_info(self, dpar: str) -> DparInfo:
        """The dpar's bounds (``lb``/``ub``), link and prior: a name of brms's dpar table keeps its prior and
        comment; any other name (``kappa2``... not: names end with a letter) has a flat prior, as in brms."""
        return self.table[dpar] if dpar in self.table else DPARS[dpar]

    @property
    def var_names(self) -> tuple[str, ...]:
        """The data names of ``vars`` (``vint1`` for ``"vint1[n]"``)."""
        return tuple(_VAR.fullmatch(v).group(1) for v in self.vars)

    def __repr__(self) -> str:
        return "Custom " + super().__repr__()


def _missing(arg: str, name: str) -> Callable[..., Any]:
    def fail(*_: Any, **__: Any) -> Any:
        raise FamilyError(f"custom family {name!r} has no {arg}: pass a Python function, "
                          f"custom_family(..., {arg}=fn), to use it (brms's R function {arg}_{name} is not used).")

    return fail


def _math(name: str, dpars: tuple[str, ...], log_lik, posterior_predict, posterior_epred,
          ordinal: bool = False) -> FamilyMath:
    def values(dp: dict[str, np.ndarray], ex: Extras) -> dict[str, np.ndarray]:
        # an ordinal family's functions also get the thresholds (draws, 1 or rows, nthres) as ``thres``
        thres = {"thres": dp["thres"]} if ordinal else {}
        return {**{d: dp[d] for d in dpars}, **thres, **(ex.vars or {})}

    ll = log_lik or _missing("log_lik", name)
    pp = posterior_predict or _missing("posterior_predict", name)
    ep = posterior_epred or _missing("posterior_epred", name)
    return FamilyMath(
        loglik=lambda y, dp, ex: np.asarray(ll(y, **values(dp, ex)), dtype=float),
        epred=lambda dp, ex: np.asarray(ep(**values(dp, ex)), dtype=float),
        rng=lambda dp, ex, rng: np.asarray(pp(rng, **values(dp, ex))),
    )


def _per_dpar(value: Any, dpars: tuple[str, ...], what: str) -> dict[str, Any]:
    if value is None or isinstance(value, (int, float, str)):
        return dict.fromkeys(dpars, value)
    value = tuple(value)
    if len(value) != len(dpars):
        raise FamilyError(f"custom_family: {what} needs one entry per dpar ({len(dpars)}), got {len(value)}.")
    return {d: (None if v is None or (isinstance(v, float) and np.isnan(v)) else v) for d, v in zip(dpars, value)}


def custom_family(
    name: str,
    dpars: Sequence[str] = ("mu",),
    links: Sequence[str] = ("identity",),
    type: str = "real",
    lb: Sequence[float | None] | None = None,
    ub: Sequence[float | None] | None = None,
    vars: Sequence[str] = (),
    loop: bool = True,
    specials: Sequence[str] = (),
    threshold: str = "flexible",
    log_lik: Callable[..., np.ndarray] | None = None,
    posterior_predict: Callable[..., np.ndarray] | None = None,
    posterior_epred: Callable[..., np.ndarray] | None = None,
) -> CustomFamily:
    """A family defined by the user's Stan density, as brms's ``custom_family()``.

    The Stan functions block must define ``<name>_lpdf`` (``type="real"``) or ``<name>_lpmf``
    (``type="int"``) taking the response, the dpars in order and the ``vars``; pass it with
    ``stanvars=stanvar(scode=..., block="functions")``.

    Parameters
    ----------
    name : the family's name (a Stan identifier).
    dpars : its distributional parameters; the first must be ``"mu"``.
    links : one link per dpar.
    type : ``"real"`` (continuous response) or ``"int"`` (integer response).
    lb, ub : bounds of each dpar's Stan parameter when it is not predicted (None: unbounded).
    vars : extra arguments of the density, e.g. ``"vint1[n]"`` for ``y | vint(trials) ~ ...``
        (``vint1``..., ``vreal1``... hold the ``vint()``/``vreal()`` addition terms) or the name of
        a ``stanvar`` data value.
    loop : True: the density is called per observation (scalars, as ``Y[n] | mu[n], ...``);
        False: once with vectors.
    specials : brms's family specials: ``"binary"`` (0/1 responses; a two-level factor becomes 0/1, its
        second level 1), ``"ordinal"`` (ordered categories 1..K: thresholds ``Intercept`` in place of mu's
        intercept, passed to the density after the dpars, ``name_lpmf(y | mu, <dpars>, Intercept, <vars>)``;
        a ``disc`` dpar is fixed at 1 unless predicted; the Python functions get them as ``thres``),
        ``"ordered_thres"`` (``ordered`` thresholds) and ``"logscale"`` (default priors from ``log(y)``) are
        supported; the others (``"cs"``, ``"residuals"``, ...) are refused by name with what brms does with them.
    threshold : ``"flexible"``, the only choice brms 2.18 gives custom ordinal families.
    log_lik, posterior_predict, posterior_epred : Python functions for post-processing (brms
        uses R functions named ``log_lik_<name>`` etc.): ``log_lik(y, **values)``,
        ``posterior_predict(rng, **values)``, ``posterior_epred(**values)`` with ``values`` the
        dpars (response scale) and ``vars`` by name, arrays broadcastable to (draws, rows).

    Examples
    --------
    >>> from scipy import stats
    >>> bb = custom_family("beta_binomial2", dpars=("mu", "phi"), links=("logit", "log"), lb=(0, 0),
    ...     ub=(1, None), type="int", vars=("vint1[n]",),
    ...     log_lik=lambda y, mu, phi, vint1: stats.betabinom.logpmf(y, vint1, mu * phi, (1 - mu) * phi))
    >>> bb.spec.response
    'int'
    """
    _check_name(name, "custom family name")
    if name in FAMILIES or name in FAMILY_ALIASES:  # other stages key on built-in names (CDFs, reductions)
        raise FamilyError(f"custom_family name {name!r} is a built-in family; choose another name "
                          f"(e.g. {name + '2'!r}).")
    if isinstance(dpars, str):
        dpars = (dpars,)
    if isinstance(links, str):
        links = (links,)
    if isinstance(vars, str):
        vars = (vars,)
    dpars = tuple(_check_name(d, "dpar") for d in dpars)
    for d in dpars:  # brms's checks (R/families.R custom_family), with its words
        if "_" in d:
            raise FamilyError(f"custom_family {name!r}: dots or underscores are not allowed in 'dpars' (got {d!r}).")
        if d[-1].isdigit():
            raise FamilyError(f"custom_family {name!r}: 'dpars' should not end with a number (got {d!r}; brms "
                              "keeps trailing numbers for mixture components).")
    if not dpars or dpars[0] != "mu":
        raise FamilyError(f"custom_family {name!r}: the first dpar must be 'mu' (as brms); got {dpars}.")
    if len(set(dpars)) != len(dpars):
        raise FamilyError(f"custom_family {name!r}: dpars must be unique; got {dpars}.")
    links = tuple(links)
    if len(links) != len(dpars):
        raise FamilyError(f"custom_family {name!r}: give one link per dpar ({len(dpars)} dpars, {len(links)} links).")
    for d, link in zip(dpars, links):
        if link not in LINKS:
            raise FamilyError(f"custom_family {name!r}: link {link!r} of {d!r} is not one of {', '.join(LINKS)}.")
    if type not in ("real", "int"):
        raise FamilyError(f"custom_family {name!r}: type must be 'real' or 'int'; got {type!r}.")
    if isinstance(specials, str):
        specials = (specials,)
    for sp in specials:
        if sp not in _BRMS_SPECIALS:
            raise FamilyError(f"custom_family {name!r}: {sp!r} is not one of brms's family specials "
                              f"({', '.join(_BRMS_SPECIALS)}).")
    binary = "binary" in specials  # brms: 0/1 responses, a two-level factor as 0/1 (its second level 1)
    ordinal = "ordinal" in specials  # brms: thresholds Intercept passed to the density after the dpars
    ordered = "ordered_thres" in specials
    if binary and type != "int":
        raise FamilyError(f"custom_family {name!r}: specials 'binary' needs type='int' (0/1 responses).")
    if ordinal and (type != "int" or binary):
        raise FamilyError(f"custom_family {name!r}: specials 'ordinal' needs type='int' (ordered categories 1..K) "
                          "and not 'binary'.")
    if ordered and not ordinal:
        raise FamilyError(f"custom_family {name!r}: specials 'ordered_thres' orders the thresholds of an ordinal "
                          "family; add 'ordinal'.")
    if ordinal and threshold != "flexible":  # brms 2.18: match.arg(threshold) with the only choice "flexible"
        raise FamilyError(f"custom_family {name!r}: threshold must be 'flexible' for custom ordinal families "
                          f"(brms: 'arg' should be \"flexible\"); got {threshold!r}.")
    if ordinal and ("cs" in specials or "ocs" in specials):  # brms 2.18 computes mucs but leaves it out
        raise FamilyError(f"custom_family {name!r}: specials 'cs' is not supported: brms 2.18 computes the "
                          "category-specific effects of a custom ordinal family but does not pass them to its density; "
                          "write them into the Stan density instead.")
    logscale = "logscale" in specials  # brms's has_logscale: default priors from log(y)
    specials = tuple(sp for sp in specials if sp not in ("binary", "ordinal", "ordered_thres", "logscale"))
    if specials:
        what = "; ".join(f"{sp!r}: {_BRMS_SPECIALS[sp]}" for sp in specials)
        raise FamilyError(f"custom_family {name!r}: brmspy does not support specials yet ({what}). Write the "
                          "structure into the Stan density instead, or use the built-in family.")
    lbs, ubs = _per_dpar(lb, dpars, "lb"), _per_dpar(ub, dpars, "ub")
    table: dict[str, DparInfo] = {}
    for d, link in zip(dpars[1:], links[1:]):
        for what, v in (("lb", lbs[d]), ("ub", ubs[d])):
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v)):
                raise FamilyError(f"custom_family {name!r}: {what} of {d!r} must be a finite number or None; got {v!r}.")
        lo = None if lbs[d] is None else float(lbs[d])
        hi = None if ubs[d] is None else float(ubs[d])
        if lo is not None and hi is not None and lo >= hi:
            raise FamilyError(f"custom_family {name!r}: lb ({lo:g}) of {d!r} must be below its ub ({hi:g}).")
        # the user's bounds always; a name of brms's dpar table (sigma, phi, ...) keeps brms's default prior and
        # comment (brms's def_dpar_prior and stan comments go by the dpar's name), any other name has a flat prior
        base = dict.get(DPARS, d)
        # an ordinal family's disc is fixed at 1 unless predicted (brms's "real disc = 1")
        table[d] = DparInfo(d, lo, link, base.prior if base else "", base.comment if base else "", upper=hi,
                            intercept_prior=base.intercept_prior if base else "",
                            fixed=base.fixed if base is not None and ordinal and d == "disc" else None)
    var_list = tuple(vars)
    for v in var_list:
        if not isinstance(v, str) or not _VAR.fullmatch(v):
            raise FamilyError(f"custom_family {name!r}: vars entry {v!r} must be a name, optionally with '[n]' "
                              "(e.g. 'vint1[n]').")
    for fn, arg in ((log_lik, "log_lik"), (posterior_predict, "posterior_predict"), (posterior_epred, "posterior_epred")):
        if fn is not None and not callable(fn):
            raise FamilyError(f"custom_family {name!r}: {arg} must be a Python function.")

    def args(dp: dict[str, str], ops: Ops) -> list[str]:
        # in a multivariate model the response's data carry its suffix (vint1_y, as brms): taken from mu's name
        m = re.match(r"mu\d*(_\w+)?", dp["mu"])
        sfx = m.group(1) or "" if m else ""
        out = []
        for v in var_list:
            name, idx = _VAR.fullmatch(v).groups()
            out.append(f"{name}{sfx}{idx or ''}" if sfx and _RESPONSE_DATA.fullmatch(name) else v)
        return [dp[d] for d in dpars] + out

    response = "binary" if binary else "ordinal" if ordinal else "int" if type == "int" else "real"
    spec = FamilySpec(
        name=name, dpars=dpars, links=(links[0],), response=response,
        likelihood=Likelihood(name, args, "lpmf" if type == "int" else "lpdf"),
        description=f"custom family {name}", math=_math(name, dpars, log_lik, posterior_predict, posterior_epred,
                                                          ordinal),
        pointwise=bool(loop), scale_prior_logscale=logscale,
        **({"kind": Ordinal(ordered_thresholds=ordered, custom_density=True)} if ordinal else {}),
    )
    used = tuple(sp for sp, on in (("binary", binary), ("ordinal", ordinal), ("ordered_thres", ordered),
                                   ("logscale", logscale)) if on)
    return CustomFamily(name, dict(zip(dpars, links)), threshold, custom=spec, lb=lbs, ub=ubs, vars=var_list,
                        loop=bool(loop), table=table, specials=used)
