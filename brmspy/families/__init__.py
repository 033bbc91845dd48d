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
from .basic import (  # noqa: E402  (registers the basic families)
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
from . import continuous, discrete, inflated  # noqa: E402,F401  (register more families)

__all__ = [
    "DPARS", "FAMILIES", "FAMILY_ALIASES", "LINK_FUNCTIONS", "LINKS", "Beta", "DparInfo", "Extras", "Family",
    "FamilyMath", "FamilySpec", "Gamma", "GlmForm", "Likelihood", "Link", "Ops", "args_of", "bernoulli", "binomial",
    "brmsfamily", "check_response", "exponential", "family_function", "gaussian", "lognormal", "negbinomial",
    "poisson", "register", "student", "warn_binomial_trials", "weibull",
]
