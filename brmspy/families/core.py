"""Family machinery: links, dpars, the family table and user-facing Family objects.

Each family is one :class:`FamilySpec` entry in :data:`FAMILIES`: its dpars,
allowed links, the response check, the Stan likelihood (plus the cheaper
canonical-link and ``*_glm`` forms where Stan has them) and the default priors
of its constant dpars.  A user-facing :class:`Family` is a spec plus the links
chosen for this model.

Examples
--------
>>> from brmspy.families import poisson, brmsfamily
>>> poisson().link
'log'
>>> brmsfamily("gaussian", link_sigma="identity").links["sigma"]
'identity'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..core.errors import BrmsWarning, DataError, DataWarning, FamilyError, warn
from ..core.templates import StanFunction
from .bhaz import check_bhaz_args
from .kinds import UNIVARIATE, FamilyKind

# ------------------------------------------------------------------ links


@dataclass(frozen=True)
class Link:
    """A link function: its Stan inverse (applied to a linear predictor) and numpy pair."""

    name: str
    stan_inv: str  # format string with {} for the linear predictor; "{}" for identity
    fun: Callable[[np.ndarray], np.ndarray]
    inv: Callable[[np.ndarray], np.ndarray]

    def stan_inverse(self, expr: str) -> str:
        return self.stan_inv.format(expr)


def _logit(p):
    return np.log(p) - np.log1p(-p)


def _inv_logit(x):
    return 1.0 / (1.0 + np.exp(-x))


def _inv_softit(x):
    y = np.logaddexp(0, x)
    return y / (1 + y)


def _softit(p):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(np.expm1(p / (1 - p)))


def _squareplus(x):
    return (x + np.sqrt(np.square(x) + 4)) / 2


def _inv_squareplus(x):
    return (np.square(x) - 1) / x


def _phi(x):
    from scipy.special import ndtr

    return ndtr(x)


def _phi_inv(p):
    from scipy.special import ndtri

    return ndtri(p)


LINKS: dict[str, Link] = {
    "identity": Link("identity", "{}", lambda x: x, lambda x: x),
    "log": Link("log", "exp({})", np.log, np.exp),
    "logit": Link("logit", "inv_logit({})", _logit, _inv_logit),
    "probit": Link("probit", "Phi({})", _phi_inv, _phi),
    "probit_approx": Link("probit_approx", "Phi_approx({})", _phi_inv, _phi),
    "cloglog": Link("cloglog", "inv_cloglog({})", lambda p: np.log(-np.log1p(-p)), lambda x: 1 - np.exp(-np.exp(x))),
    "cauchit": Link("cauchit", "inv_cauchit({})", lambda p: np.tan(np.pi * (p - 0.5)), lambda x: np.arctan(x) / np.pi + 0.5),
    "inverse": Link("inverse", "inv({})", lambda x: 1 / x, lambda x: 1 / x),
    "sqrt": Link("sqrt", "square({})", np.sqrt, np.square),
    "1/mu^2": Link("1/mu^2", "inv_sqrt({})", lambda x: 1 / x**2, lambda x: 1 / np.sqrt(x)),
    "softplus": Link("softplus", "log1p_exp({})", lambda x: np.log(np.expm1(x)), lambda x: np.logaddexp(0, x)),
    "logm1": Link("logm1", "(exp({}) + 1)", lambda x: np.log(x - 1), lambda x: np.exp(x) + 1),
    "log1p": Link("log1p", "expm1({})", np.log1p, np.expm1),
    "tan_half": Link("tan_half", "inv_tan_half({})", lambda x: np.tan(x / 2), lambda x: 2 * np.arctan(x)),
    # brms's smooth alternatives to log and logit (2.18): squareplus(x) = (x + sqrt(x^2 + 4)) / 2,
    # inv_softit(x) = log1p_exp(x) / (1 + log1p_exp(x))
    "squareplus": Link("squareplus", "squareplus({})", _inv_squareplus, _squareplus),
    "softit": Link("softit", "inv_softit({})", _softit, _inv_softit),
}

# Links whose inverse needs a helper in the Stan functions block (templates/functions/inv_<link>.stan).
LINK_FUNCTIONS: dict[str, StanFunction] = {
    "cauchit": StanFunction("inv_cauchit"),
    "tan_half": StanFunction("inv_tan_half"),
    "squareplus": StanFunction("squareplus"),
    "softit": StanFunction("inv_softit"),
}

# The links brms allows for each dpar other than mu (brms's ``links_dpars``); the first is the default.
_POSITIVE_DPAR_LINKS = ("log", "identity", "softplus", "squareplus")
_PROB_DPAR_LINKS = ("logit", "identity")
DPAR_LINKS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("sigma", "shape", "phi", "kappa", "beta", "disc", "bs", "ndt"), _POSITIVE_DPAR_LINKS),
    **dict.fromkeys(("zi", "hu", "zoi", "coi", "bias", "quantile"), _PROB_DPAR_LINKS),
    "nu": ("logm1", "identity"),
    "xi": ("log1p", "identity"),
    "alpha": ("identity", "log", "softplus", "squareplus"),
    "theta": ("identity",),
}

# ------------------------------------------------------------ dpar facts


@dataclass(frozen=True)
class DparInfo:
    """What a distributional parameter is when it is not predicted.

    ``lower``/``upper`` bound the Stan parameter (an upper bound may be a Stan
    expression template such as ``"min_Y{rs}"`` with ``tdata`` declaring it);
    ``prior`` may use ``{scale}`` and ``{min_Y}`` from the data; ``fixed`` dpars
    (``disc``) are constants unless given a formula or a value.  As brms's
    ``def_dpar_prior``, ``prior`` is also the prior of the Intercept of a
    predicted dpar with an identity link, ``intercept_prior`` the one with any
    other link (:func:`brmspy.priors.dpar_intercept_prior`).
    """

    name: str
    lower: float | None  # bound of the Stan parameter
    default_link: str
    prior: str  # default prior of the constant parameter
    comment: str
    upper: float | str | None = None
    fixed: float | None = None
    intercept_prior: str = "student_t(3, 0, 2.5)"  # default prior of its Intercept when predicted (non-identity link)
    tdata: str = ""


_PROB = dict(lower=0, upper=1, intercept_prior="logistic(0, 1)")

class _DparTable(dict):
    """The dpar table; mixture dpars such as ``sigma2`` fall back to their base dpar's entry."""

    def __missing__(self, key: str) -> DparInfo:
        import re

        m = re.fullmatch(r"([a-z_]+?)(\d+)", str(key))
        if m and m.group(1) in self:
            return self[m.group(1)]
        if re.fullmatch(r"sigma[A-Za-z0-9]+", str(key)):  # logistic_normal's sigma<Category>
            return self["sigma"]
        raise KeyError(key)


DPARS: dict[str, DparInfo] = _DparTable({
    d.name: d
    for d in (
        DparInfo("sigma", 0, "log", "student_t(3, 0, {scale})", "dispersion parameter"),
        DparInfo("nu", 1, "logm1", "gamma(2, 0.1)", "degrees of freedom or shape",
                 intercept_prior="normal(2.7, 0.8)"),
        DparInfo("shape", 0, "log", "gamma(0.01, 0.01)", "shape parameter"),
        DparInfo("phi", 0, "log", "gamma(0.01, 0.01)", "precision parameter"),
        DparInfo("kappa", 0, "log", "gamma(2, 0.01)", "precision parameter", intercept_prior="normal(5.0, 0.8)"),
        DparInfo("beta", 0, "log", "gamma(1, 0.1)", "scale parameter", intercept_prior="normal(1.7, 1.3)"),
        DparInfo("alpha", None, "identity", "normal(0, 4)", "skewness parameter", intercept_prior="normal(0, 4)"),
        DparInfo("ndt", 0, "log", "uniform(0, {min_Y})", "non-decision time", upper="min_Y{rs}",
                 tdata="real min_Y{rs} = min(Y{rs});", intercept_prior=""),
        DparInfo("bs", 0, "log", "gamma(1, 1)", "boundary separation parameter", intercept_prior="normal(-0.6, 1.3)"),
        DparInfo("bias", default_link="logit", prior="beta(1, 1)", comment="initial bias parameter", **_PROB),
        DparInfo("xi", None, "log1p", "", "shape parameter", intercept_prior="normal(0, 4)"),
        DparInfo("zi", default_link="logit", prior="beta(1, 1)", comment="zero-inflation probability", **_PROB),
        DparInfo("hu", default_link="logit", prior="beta(1, 1)", comment="hurdle probability", **_PROB),
        DparInfo("zoi", default_link="logit", prior="beta(1, 1)", comment="zero-one-inflation probability", **_PROB),
        DparInfo("coi", default_link="logit", prior="beta(1, 1)", comment="conditional one-inflation probability",
                 **_PROB),
        DparInfo("quantile", 0, "logit", "beta(1, 1)", "quantile parameter", upper=1,
                 intercept_prior="logistic(0, 1)"),
        DparInfo("disc", 0, "log", "lognormal(0, 1)", "discrimination parameter", fixed=1.0,
                 intercept_prior="normal(0, 1)"),
        DparInfo("theta", 0, "identity", "dirichlet(1)", "mixing proportions", upper=1,
                 intercept_prior="logistic(0, 1)"),
    )
})


# --------------------------------------------------------------- families


class Ops:
    """Arithmetic that works whether the operands are scalars or vectors in Stan."""

    def __init__(self, vectors: set[str]):
        self.vectors = vectors

    def is_vector(self, expr: str) -> bool:
        """An expression is a vector when any name in it is (``(1 - mu)``, ``tgamma(1 + 1 ./ shape)``)."""
        import re

        return any(tok in self.vectors for tok in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", expr))

    def mul(self, a: str, b: str) -> str:
        return f"{a} .* {b}" if self.is_vector(a) and self.is_vector(b) else f"{a} * {b}"

    def div(self, a: str, b: str) -> str:
        return f"{a} ./ {b}" if self.is_vector(b) else f"{a} / {b}"

    def one_minus(self, a: str) -> str:
        return f"(1 - {a})"


@dataclass(frozen=True)
class Likelihood:
    """A Stan distribution and how its arguments come from the dpars."""

    dist: str  # e.g. "normal"; "_lpdf"/"_lpmf" is added by `kind`
    args: Callable[[dict[str, str], Ops], list[str]]
    kind: str = "lpdf"

    def call(self, y: str, dp: dict[str, str], ops: Ops, extra_first: tuple[str, ...] = ()) -> str:
        args = [*extra_first, *self.args(dp, ops)]
        return f"{self.dist}_{self.kind}({y} | {', '.join(args)})"


@dataclass(frozen=True)
class GlmForm:
    """A Stan ``*_glm`` likelihood: ``dist(y | [trials,] X, alpha, beta[, extra dpar])``."""

    dist: str
    kind: str
    extra: tuple[str, ...] = ()  # trailing dpars, e.g. ("sigma",)
    vector_extra: bool = True  # False: Stan takes the extra dpar as a scalar only (neg_binomial_2_log_glm)


@dataclass(frozen=True)
class FamilySpec:
    """Static description of one family (see module docstring)."""

    name: str
    dpars: tuple[str, ...]
    links: tuple[str, ...]  # allowed links for mu; first is the default
    response: str  # "real", "int", "binary", "count", "positive", "unit"
    likelihood: Likelihood
    canonical: dict[str, Likelihood] = field(default_factory=dict)  # link -> form on the linear predictor
    glm: dict[str, GlmForm] = field(default_factory=dict)  # link -> glm form
    needs_trials: bool = False
    scale_prior_logscale: bool = False  # brms "has_logscale": default scales from log(y)
    dpar_priors: dict[str, str] = field(default_factory=dict)  # overrides of DPARS[d].prior
    # overrides of DPARS[d].intercept_prior (the Intercept of a predicted dpar with a non-identity link)
    dpar_intercept_priors: dict[str, str] = field(default_factory=dict)
    description: str = ""
    math: "FamilyMath | None" = None  # numpy log-likelihood, expected value, random draws
    stan_functions: tuple[StanFunction, ...] = ()  # helper definitions for the Stan functions block
    # the data-only term the _lupmf leaves out of the _lpmf, as a Stan expression of {Y} and {trials}
    data_constant: str | None = None
    pointwise: bool = False  # the Stan lpdf takes scalars only: the likelihood loops over rows
    needs_dec: bool = False  # wiener: the response has the decisions of 'dec()'
    # per-row vectors of the model block the density takes after the dpars (cox: "bhaz", "cbhaz")
    row_vectors: tuple[str, ...] = ()
    canonical_cdfs: bool = False  # the canonical forms have _lcdf/_lccdf too (cox_log): cens() keeps them
    kind: FamilyKind = UNIVARIATE  # ordinal, categorical, mixture: structures beyond one value per row (kinds.py)

    @property
    def is_discrete(self) -> bool:
        return self.response in ("int", "binary", "count")


FAMILIES: dict[str, FamilySpec] = {}


def register(spec: FamilySpec) -> FamilySpec:
    """Add a family to the table (each family module calls this at import)."""
    FAMILIES[spec.name] = spec
    return spec


def args_of(*names: str) -> Callable[[dict[str, str], "Ops"], list[str]]:
    """A Likelihood argument builder that passes dpars through in order."""
    return lambda dp, ops: [dp[n] for n in names]


Dpars = dict[str, np.ndarray]


@dataclass(frozen=True)
class Extras:
    """Observation-level data besides the response (trials of binomial models, decisions of wiener)."""

    trials: np.ndarray | None = None
    vars: dict[str, np.ndarray] | None = None  # vint()/vreal() data of custom families (vint1, ...)
    dec: np.ndarray | None = None  # wiener's 'dec()': 1 upper, 0 lower boundary


@dataclass(frozen=True)
class FamilyMath:
    """A family's numpy log-likelihood, expected value and random draws.

    Each takes the dpars on the response scale as arrays broadcastable to
    (draws, observations) and the observation extras.
    """

    loglik: Callable[[np.ndarray, Dpars, Extras], np.ndarray]
    epred: Callable[[Dpars, Extras], np.ndarray]
    rng: Callable[[Dpars, Extras, np.random.Generator], np.ndarray]


def family_function(name: str) -> Callable[..., "Family"]:
    """The user-facing constructor of a registered family, e.g. ``poisson(link="log")``."""

    def make(link: str | None = None, **options: str) -> "Family":
        return brmsfamily(name, link=link, **options)

    make.__name__ = name
    make.__doc__ = (
        f"The {name} family ({FAMILIES[name].description or name}).\n\n"
        f"Parameters\n----------\nlink : link of mu, one of {', '.join(FAMILIES[name].links)}.\n"
        f"**dpar_links : links of other dpars, e.g. ``link_sigma='log'``.\n\n"
        f"Examples\n--------\n>>> {name}().name\n'{name}'\n"
    )
    return make


FAMILY_ALIASES = {"normal": "gaussian", "Gamma": "gamma", "student_t": "student", "negative_binomial": "negbinomial"}


@dataclass(frozen=True)
class Family:
    """A family with the links chosen for this model.

    Parameters
    ----------
    name : family name as in brms (``"gaussian"``, ``"poisson"``, ...).
    links : link per distributional parameter (``{"mu": "log"}``).
    """

    name: str
    links: dict[str, str]
    threshold: str = "flexible"  # ordinal thresholds: "flexible", "equidistant" or "sum_to_zero"
    #: cox: the baseline hazard's spline arguments (brms's ``bhaz``: df, knots, degree, intercept, Boundary.knots)
    bhaz: dict | None = field(default=None, kw_only=True)  # keyword-only: subclasses add positional fields

    @property
    def spec(self) -> FamilySpec:
        return FAMILIES[self.name]

    @property
    def link(self) -> str:
        return self.links["mu"]

    @property
    def dpars(self) -> tuple[str, ...]:
        if self.spec.kind.per_category_sigma:
            # logistic_normal on a model frame: mu and each category's sigma<Category> (links set by
            # brmspy.frame.categorical.category_parts), not the family's generic sigma
            names = ("mu", *(k for k in self.links if k != "sigma" and k.startswith("sigma")))
            return type(self.spec.dpars)(names)
        return self.spec.dpars

    @property
    def kind(self) -> FamilyKind:
        """The family's kind (:mod:`brmspy.families.kinds`): univariate, ordinal, categorical or mixture."""
        return self.spec.kind

    @property
    def has_theta_simplex(self) -> bool:
        """Whether the model has constant mixing proportions: a ``simplex theta`` (mixtures without theta formulas)."""
        return False

    def dpar_class(self, dpar: str) -> str:
        """The dpar of which ``dpar`` is an instance (brms's ``dpar_class``): itself, ``mu`` for a mixture's ``mu2``."""
        return dpar

    def threshold_family(self, dpar: str) -> "Family | None":
        """The ordinal family whose thresholds replace the intercept of ``dpar``, or None.

        ``mu`` of an ordinal family; ``mu<k>`` of a mixture of ordinal components (its component).
        """
        return self if self.kind.has_thresholds and dpar == "mu" else None

    def dpar_info(self, dpar: str) -> DparInfo:
        """What ``dpar`` is when not predicted (bounds, default link, prior, comment): brms's dpar table.

        A custom family answers for its own dpars (:class:`brmspy.families.custom.CustomFamily`).
        """
        return DPARS[dpar]

    def dpar_prior(self, dpar: str) -> str:
        return self.spec.dpar_priors.get(dpar, self.dpar_info(dpar).prior)

    def dpar_intercept_prior(self, dpar: str) -> str:
        """Default prior of the Intercept of a predicted ``dpar`` with a non-identity link."""
        return self.spec.dpar_intercept_priors.get(dpar, self.dpar_info(dpar).intercept_prior)

    def __repr__(self) -> str:
        links = "; ".join(f"{d} = {self.links[d]}" for d in self.dpars)
        return f"Family: {self.name}\n  Links: {links}"

    def check_response(self, y: pd.Series, name: str) -> np.ndarray:
        """Validate and convert the response for this family (see :func:`check_response`)."""
        return check_response(self, y, name)


def _call_constructor(make: Callable[..., Any]) -> "Family":
    """``family=bernoulli`` (the function, not called) means ``bernoulli()``, as in R."""
    name = getattr(make, "__name__", repr(make))
    try:
        out = make()
    except (TypeError, FamilyError) as exc:  # e.g. mixture needs its components
        raise FamilyError(f"family={name} needs arguments: call it, e.g. {name}(...) ({exc})") from None
    if not isinstance(out, Family):
        raise FamilyError(f"family must be a name such as 'gaussian', a Family or a family function such as "
                          f"bp.poisson; {name}() returned {type(out).__name__}.")
    return out


def brmsfamily(family: "str | Family | Callable[..., Family]", link: str | None = None, threshold: str | None = None,
               bhaz: "dict | None" = None, **dpar_links: str) -> Family:
    """Build a :class:`Family`, as brms's ``brmsfamily()``.

    Parameters
    ----------
    family : family name, e.g. ``"poisson"``, a Family (returned as is) or a family function
        (``bp.poisson``, not called: as ``family = poisson`` in R, the function's defaults).
    link : link of the mean (``mu``); the family's default when None.
    threshold : ordinal families only: ``"flexible"`` (default), ``"equidistant"`` or ``"sum_to_zero"``.
    bhaz : ``cox`` only: the baseline hazard's spline arguments (``{"df": 5, "intercept": True}`` by
        default; also ``knots``, ``degree``, ``Boundary.knots``), as brms's ``cox(bhaz = list(...))``.
    **dpar_links : ``link_sigma="log"`` etc. for the other dpars.

    Examples
    --------
    >>> brmsfamily("bernoulli", link="probit").link
    'probit'
    """
    if callable(family) and not isinstance(family, Family):
        family = _call_constructor(family)
    if isinstance(family, Family):
        if link is None and threshold is None and bhaz is None and not dpar_links:
            return family
        threshold = threshold or family.threshold
        bhaz = bhaz if bhaz is not None else family.bhaz
        family = family.name
    if not isinstance(family, str):
        raise FamilyError(f"family must be a name such as 'gaussian', a Family object or a family function such as bp.poisson; got {type(family).__name__}.")
    name = FAMILY_ALIASES.get(family, family)
    name = name.lower() if name.lower() in FAMILIES else name
    if name not in FAMILIES:
        import difflib

        close = difflib.get_close_matches(name, list(FAMILIES), n=3)
        hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise FamilyError(f"Unknown family {family!r}.{hint} Available families: {', '.join(sorted(FAMILIES))}.")
    spec = FAMILIES[name]
    links: dict[str, str] = {}
    mu_link = link or spec.links[0]
    if mu_link not in spec.links:
        raise FamilyError(
            f"Link {mu_link!r} is not available for family {name!r}. Valid links: {', '.join(spec.links)}."
        )
    links["mu"] = mu_link
    for key, value in dpar_links.items():
        if not key.startswith("link_") or key[5:] not in spec.dpars or key[5:] == "mu":
            valid = ", ".join(f"link_{d}" for d in spec.dpars if d != "mu")
            raise FamilyError(f"{name} has no argument {key!r}; valid dpar links: {valid or 'none'}.")
        valid_links = DPAR_LINKS.get(key[5:], tuple(LINKS))
        if value not in valid_links:  # brms's check: each dpar has its own links
            raise FamilyError(f"Link {value!r} is not a supported link for parameter {key[5:]!r} of family {name!r}. "
                              f"Valid links: {', '.join(valid_links)}.")
    for d in spec.dpars[1:]:
        links[d] = dpar_links.get(f"link_{d}", DPARS[d].default_link)
    if threshold is not None and threshold not in ("flexible", "equidistant", "sum_to_zero"):
        raise FamilyError(f"threshold must be 'flexible', 'equidistant' or 'sum_to_zero'; got {threshold!r}.")
    if threshold is not None and not spec.kind.has_thresholds:  # brms accepts and ignores it: say so
        warn(f"threshold={threshold!r} applies to ordinal families only; it is ignored for family {name!r} "
                      "(as brms does).", BrmsWarning)
        threshold = None
    threshold = threshold or "flexible"
    if spec.kind.baseline_hazard:  # cox: brms's defaults df = 5, intercept = TRUE filled in
        return Family(name, links, threshold, bhaz=check_bhaz_args(bhaz))
    if bhaz is not None:
        raise FamilyError(f"'bhaz' (the baseline hazard of proportional hazards models) is an argument of family 'cox', "
                          f"not of {name!r}; remove it.")
    return Family(name, links, threshold)


# ---------------------------------------------------------- response checks


def check_response(family: Family, y: pd.Series, name: str) -> np.ndarray:
    """Validate the response for ``family`` and return it as a numpy array.

    Raises :class:`~brmspy.core.errors.DataError` naming the offending values and the fix.
    """
    kind = family.spec.response
    fam = family.name
    if kind == "ordinal":
        return ordinal_response(y, name, fam)[0]
    if kind == "binary":
        return _binary_response(y, name, fam)
    if isinstance(y.dtype, pd.CategoricalDtype) or y.dtype == object or pd.api.types.is_string_dtype(y.dtype):
        raise DataError(
            f"The response {name!r} is not numeric, but family {fam!r} needs numbers. "
            "Convert the column, or choose a family for categories (bernoulli for two levels)."
        )
    values = np.asarray(y, dtype=float)
    if not np.all(np.isfinite(values)):
        raise DataError(f"The response {name!r} contains infinite values; remove those rows.")
    if kind in ("count", "int"):
        bad = values[(values != np.round(values)) | (values < 0)]
        if bad.size:
            raise DataError(
                f"Family {fam!r} needs non-negative integer counts, but {name!r} has {bad.size} value(s) "
                f"such as {bad[0]:g}. Use a continuous family (e.g. gaussian, gamma) or round/fix the data."
            )
        return values.astype(np.int64)
    if kind == "positive":
        bad = values[values <= 0]
        if bad.size:
            raise DataError(
                f"Family {fam!r} needs a positive response, but {name!r} has {bad.size} value(s) <= 0 "
                f"(e.g. {bad[0]:g}). Use a hurdle family for zeros, or shift the response."
            )
    if kind == "circular":
        bad = values[(values < -np.pi) | (values > np.pi)]
        if bad.size:
            raise DataError(
                f"Family {fam!r} needs angles in radians within [-pi, pi], but {name!r} has {bad.size} value(s) "
                f"outside (e.g. {bad[0]:g}). Convert degrees with np.deg2rad and wrap with (y + pi) % (2 * pi) - pi."
            )
    if kind == "unit":
        bad = values[(values <= 0) | (values >= 1)]
        if bad.size:
            raise DataError(
                f"Family 'beta' needs a response strictly between 0 and 1, but {name!r} has {bad.size} value(s) "
                f"outside (0, 1) (e.g. {bad[0]:g}). Use zero_one_inflated_beta for exact 0/1 values."
            )
    _check_inflated_response(values, kind, name, fam)
    return values


# zero-inflated / hurdle response kinds: (test for bad values, what is needed, what to do instead)
_INFLATED_KINDS = {
    "nonnegative": (lambda v: v < 0, "a non-negative response (y >= 0)",
                    "Shift the response or choose a family for real values."),
    "unit_zero": (lambda v: (v < 0) | (v >= 1), "a response in [0, 1)",
                  "Use zero_one_inflated_beta when the response contains exact ones."),
    "unit_closed": (lambda v: (v < 0) | (v > 1), "a response in [0, 1]", "Rescale the response to proportions."),
}


def _check_inflated_response(values: np.ndarray, kind: str, name: str, fam: str) -> None:
    """DataError for the response kinds of the zero-inflated and hurdle families."""
    if kind not in _INFLATED_KINDS:
        return
    is_bad, needs, fix = _INFLATED_KINDS[kind]
    bad = values[is_bad(values)]
    if bad.size:
        raise DataError(
            f"Family {fam!r} needs {needs}, but {name!r} has {bad.size} value(s) outside it (e.g. {bad[0]:g}). {fix}"
        )


def ordinal_response(y: pd.Series, name: str, fam: str) -> tuple[np.ndarray, list[str]]:
    """Ordinal responses: an ordered categorical (its level order) or integers 1..ncat.

    Returns the 1-based category codes and the category labels.
    """
    if fam == "hurdle_cumulative":
        return _hurdle_ordinal_response(y, name)
    if isinstance(y.dtype, pd.CategoricalDtype):
        levels = [str(c) for c in y.cat.categories]
        codes = y.cat.codes.to_numpy().astype(np.int64) + 1
    elif pd.api.types.is_numeric_dtype(y.dtype) and not pd.api.types.is_bool_dtype(y.dtype):
        values = np.asarray(y, dtype=float)
        if np.any(values != np.round(values)) or np.any(values < 1):
            raise DataError(
                f"Family {fam!r} needs an ordered categorical or integers 1, 2, ... as response; {name!r} has "
                "other values. Convert it with pd.Categorical(values, categories=[...], ordered=True)."
            )
        codes = values.astype(np.int64)
        levels = [str(k) for k in range(1, int(codes.max()) + 1)]
    else:
        raise DataError(
            f"Family {fam!r} needs an ordered response: make {name!r} a pd.Categorical(..., ordered=True) "
            "with its categories in order, or integers 1, 2, ..."
        )
    if len(levels) < 3:
        raise DataError(
            f"Family {fam!r} needs at least 3 response categories, but {name!r} has {len(levels)}. "
            "Use family='bernoulli' for two categories."
        )
    return codes, levels


def _hurdle_ordinal_response(y: pd.Series, name: str) -> tuple[np.ndarray, list[str]]:
    """hurdle_cumulative: integers 0 (the hurdle), 1, ..., ncat; the levels are those of the cumulative part."""
    values = np.asarray(y, dtype=float) if pd.api.types.is_numeric_dtype(y.dtype) else None
    if values is None or pd.api.types.is_bool_dtype(y.dtype) or np.any(values != np.round(values)) or np.any(values < 0):
        raise DataError(
            f"Family 'hurdle_cumulative' needs integers 0, 1, 2, ... as response (0 = the hurdle category); "
            f"{name!r} has other values."
        )
    codes = values.astype(np.int64)
    ncat = int(codes.max())
    if ncat < 3:
        raise DataError(
            f"Family 'hurdle_cumulative' needs at least 3 categories above 0, but {name!r} has {max(ncat, 0)}. "
            "Use family='hurdle_poisson' or 'bernoulli' for fewer."
        )
    return codes, [str(k) for k in range(1, ncat + 1)]


def _binary_response(y: pd.Series, name: str, fam: str) -> np.ndarray:
    if isinstance(y.dtype, pd.CategoricalDtype) or y.dtype == object or pd.api.types.is_string_dtype(y.dtype):
        levels = list(y.cat.categories) if isinstance(y.dtype, pd.CategoricalDtype) else sorted(pd.unique(y))
        if len(levels) != 2:
            raise DataError(
                f"Family {fam!r} needs a binary response, but {name!r} has {len(levels)} levels. "
                "Use a two-level factor or 0/1 values (categorical for more levels)."
            )
        return (np.asarray(y) == levels[1]).astype(np.int64)
    if y.dtype == bool:
        return y.to_numpy().astype(np.int64)
    values = np.asarray(y, dtype=float)
    bad = values[(values != 0) & (values != 1)]
    if bad.size:
        raise DataError(
            f"Family {fam!r} needs 0/1 values, but {name!r} has {bad.size} other value(s) such as {bad[0]:g}. "
            "For counts out of n trials use family='binomial' with 'y | trials(n) ~ ...'."
        )
    return values.astype(np.int64)


def warn_binomial_trials(y: np.ndarray, name: str) -> np.ndarray:
    """brms's behaviour when trials() is missing: use max(y) with a warning."""
    warn(
        f"Using the maximum response value ({int(y.max())}) as the number of trials for {name!r}. "
        "Write 'y | trials(n) ~ ...' to give the trials explicitly.",
        DataWarning,
    )
    return np.full(y.shape, int(y.max()), dtype=np.int64)
