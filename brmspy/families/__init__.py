"""Families: the response distributions, their dpars, links and per-family math.

``core`` holds the machinery; each other module registers a group of families
(spec, Stan likelihood and numpy functions together).

Examples
--------
>>> from brmspy.families import poisson, brmsfamily
>>> poisson().link
'log'
>>> brmsfamily("gaussian", link_sigma="identity").links["sigma"]
'identity'
"""

from .basic import (
    Beta,
    Gamma,
    bernoulli,
    binomial,
    exponential,
    gaussian,
    lognormal,
    negbinomial,
    poisson,
    student,
    weibull,
)
from .categorical import categorical, dirichlet, dirichlet2, dirichlet_multinomial, logistic_normal, multinomial  # noqa: E402
from .continuous import (
    asym_laplace,
    exgaussian,
    frechet,
    gen_extreme_value,
    inverse_gaussian,
    shifted_lognormal,
    skew_normal,
    von_mises,
    xbeta,
)
from .core import (
    DPARS,
    FAMILIES,
    FAMILY_ALIASES,
    LINK_FUNCTIONS,
    LINKS,
    DparInfo,
    Extras,
    Family,
    FamilyMath,
    FamilySpec,
    GlmForm,
    Likelihood,
    Link,
    Ops,
    args_of,
    brmsfamily,
    check_response,
    family_function,
    register,
    warn_binomial_trials,
)
from .discrete import beta_binomial, com_poisson, discrete_weibull, geometric, negbinomial2  # noqa: E402
from .inflated import (
    hurdle_gamma,
    hurdle_lognormal,
    hurdle_negbinomial,
    hurdle_poisson,
    zero_inflated_asym_laplace,
    zero_inflated_beta,
    zero_inflated_beta_binomial,
    zero_inflated_binomial,
    zero_inflated_negbinomial,
    zero_inflated_poisson,
    zero_one_inflated_beta,
)
from .kinds import FamilyKind  # noqa: E402
from .mixture import MixtureFamily, mixture  # noqa: E402
from .ordinal import acat, cratio, cumulative, hurdle_cumulative, sratio  # noqa: E402
from .wiener import wiener  # noqa: E402
from .cox import cox  # noqa: E402

__all__ = [
    "asym_laplace", "exgaussian", "frechet", "gen_extreme_value", "inverse_gaussian", "shifted_lognormal",
    "skew_normal", "von_mises", "wiener", "cox", "xbeta", "beta_binomial", "com_poisson", "discrete_weibull", "geometric", "negbinomial2",
    "hurdle_gamma", "hurdle_lognormal", "hurdle_negbinomial", "hurdle_poisson", "zero_inflated_beta",
    "zero_inflated_beta_binomial", "zero_inflated_binomial", "zero_inflated_negbinomial", "zero_inflated_poisson",
    "zero_one_inflated_beta", "zero_inflated_asym_laplace",
    "acat", "cratio", "cumulative", "hurdle_cumulative", "sratio",
    "mixture", "MixtureFamily",
    "categorical", "dirichlet", "dirichlet2", "dirichlet_multinomial", "logistic_normal", "multinomial",
    "DPARS", "FAMILIES", "FAMILY_ALIASES", "LINK_FUNCTIONS", "LINKS", "Beta", "DparInfo", "Extras", "Family", "FamilyKind",
    "FamilyMath", "FamilySpec", "Gamma", "GlmForm", "Likelihood", "Link", "Ops", "args_of", "bernoulli", "binomial",
    "brmsfamily", "check_response", "exponential", "family_function", "gaussian", "lognormal", "negbinomial",
    "poisson", "register", "student", "warn_binomial_trials", "weibull",
]
