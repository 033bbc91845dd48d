"""brmspy: Bayesian regression models with brms's formula syntax, fitted with Stan.

Examples
--------
>>> import brmspy as bp
>>> df = bp.datasets.load("sleepstudy")
>>> code = bp.make_stancode("Reaction ~ Days + (Days | Subject)", df)
"""

# the one place of the version: pyproject.toml reads it (statically) from here
__version__ = "0.1.0"

from . import datasets  # noqa: E402
from .codegen.api import build_model, make_stancode, make_standata
from .core.errors import (
    BackendUnavailableError,
    BrmsError,
    BrmsWarning,
    DataError,
    DataWarning,
    FamilyError,
    FitFileError,
    FormulaError,
    PlotError,
    PriorError,
    PriorWarning,
    SamplerWarning,
    SamplingError,
    StanCompileError,
)
from .criteria.hypotheses import HypothesisResult, hypothesis
from .criteria.ic import add_criterion, kfold, loo, loo_compare, model_weights, reloo, waic
from .criteria.r2 import bayes_R2, loo_R2
from .criteria.results import KfoldResult, LooResult, WaicResult
from .criteria.sbc import SbcResult, sbc
from .families import *  # noqa: F401,F403  (every family constructor: poisson(), cumulative(), ...)
from .families import Family, brmsfamily
from .families import __all__ as _family_names
from .fit.brm import brm, update
from .fit.brmsfit import BrmsFit
from .fit.multiple import BrmsFitMultiple, brm_multiple, combine_models
from .fit.methods import (
    VarCorr,
    coef,
    fixef,
    ndraws,
    ngrps,
    nobs,
    prior_draws,
    prior_summary,
    ranef,
    stancode,
    standata,
    summary,
)
from .fit.storage import load_fit, save_fit
from .formula import bf, lf, nlf, set_mecor, set_nl, set_rescor
from .plots.effects import ConditionalEffects, conditional_effects
from .plots.mcmc import mcmc_plot, plot_fit
from .plots.ppc import pp_check
from .plots.sbc import plot_sbc
from .plots.smooths import ConditionalSmooths, conditional_smooths
from .plots.variance import icc
from .prediction.core import (
    fitted,
    log_lik,
    posterior_epred,
    posterior_linpred,
    posterior_predict,
    predict,
    predictive_error,
    residuals,
)
from .prediction.mixture import pp_mixture
from .priors.api import get_prior
from .priors.spec import prior, set_prior


_FAMILY_CONSTRUCTORS = [n for n in _family_names if n[0].islower() and n not in (
    "args_of", "brmsfamily", "check_response", "family_function", "register", "warn_binomial_trials")]

__all__ = [
    "BackendUnavailableError", "BrmsError", "BrmsWarning", "DataWarning", "PriorWarning", "SamplerWarning", "BrmsFit", "BrmsFitMultiple", "SbcResult", "brm_multiple", "combine_models",
    "plot_sbc", "reloo", "sbc", "ConditionalEffects", "DataError", "Family", "FamilyError", "FitFileError",
    "FormulaError", "HypothesisResult", "KfoldResult", "LooResult", "PlotError", "PriorError", "SamplingError",
    "StanCompileError", "VarCorr", "WaicResult", "add_criterion", "bayes_R2", "bf", "brm", "brmsfamily",
    "build_model", "coef", "conditional_effects", "conditional_smooths", "ConditionalSmooths", "datasets", "fitted", "fixef", "get_prior", "hypothesis", "icc",
    "kfold", "lf", "load_fit", "log_lik", "loo", "loo_R2", "loo_compare", "make_stancode", "make_standata",
    "mcmc_plot", "model_weights", "ndraws", "ngrps", "nlf", "nobs", "plot_fit", "posterior_epred",
    "posterior_linpred", "posterior_predict", "pp_check", "pp_mixture", "predict", "predictive_error", "prior",
    "prior_draws", "prior_summary",
    "ranef", "residuals", "save_fit", "set_mecor", "set_nl", "set_prior", "set_rescor", "stancode", "standata", "summary", "update", "waic",
    *_FAMILY_CONSTRUCTORS,
]
