"""brmspy: Bayesian regression models with brms's formula syntax, fitted with Stan.

Examples
--------
>>> import brmspy as bp
>>> df = bp.datasets.load("sleepstudy")
>>> code = bp.make_stancode("Reaction ~ Days + (Days | Subject)", df)
"""

from . import datasets
from .api import build_model, get_prior, make_stancode, make_standata
from .sampling import brm, update
from .fit import BrmsFit
from .storage import load_fit, save_fit
from .predict import (
    fitted,
    log_lik,
    posterior_epred,
    posterior_linpred,
    posterior_predict,
    predictive_error,
    residuals,
)
from .methods import VarCorr, coef, fixef, ndraws, ngrps, nobs, prior_summary, ranef, stancode, standata
from .errors import (
    BackendUnavailableError,
    BrmsError,
    DataError,
    FamilyError,
    FormulaError,
    PriorError,
    SamplingError,
    StanCompileError,
)
from .families import (
    Beta,
    Family,
    Gamma,
    bernoulli,
    binomial,
    brmsfamily,
    exponential,
    gaussian,
    lognormal,
    negbinomial,
    poisson,
    student,
    weibull,
)
from .formula import bf, lf, nlf, set_rescor
from .priors import prior, set_prior

__version__ = "0.1.0"

__all__ = [
    "BackendUnavailableError", "Beta", "BrmsFit", "VarCorr", "brm", "coef", "fixef", "load_fit", "ndraws", "ngrps", "nobs",
    "prior_summary", "ranef", "save_fit", "stancode", "standata", "update", "fitted", "log_lik", "posterior_epred",
    "posterior_linpred", "posterior_predict", "predictive_error", "residuals", "BrmsError", "DataError", "Family", "FamilyError", "FormulaError", "Gamma",
    "PriorError", "SamplingError", "StanCompileError", "bernoulli", "bf", "binomial", "brmsfamily", "build_model",
    "datasets", "exponential", "gaussian", "get_prior", "lf", "lognormal", "make_stancode", "make_standata",
    "negbinomial", "nlf", "poisson", "prior", "set_prior", "set_rescor", "student", "weibull",
]
