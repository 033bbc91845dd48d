"""brmspy: Bayesian regression models with brms's formula syntax, fitted with Stan.

Examples
--------
>>> import brmspy as bp
>>> df = bp.datasets.load("sleepstudy")
>>> code = bp.make_stancode("Reaction ~ Days + (Days | Subject)", df)
"""

from typing import TYPE_CHECKING, Any

# the one place of the version: pyproject.toml reads it (statically) from here

from .core.errors import (  # noqa: E402  (errors and warnings are small: loaded at once)
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


if TYPE_CHECKING:  # the names below, for type checkers and IDEs; at run time __getattr__ loads them
    from . import datasets
    from .codegen.api import build_model, make_stancode, make_standata
    from .core.errors import (
        BackendUnavailableError,
        BrmsError,
        DataError,
        FamilyError,
        FitFileError,
        FormulaError,
        PlotError,
        PriorError,
        SamplingError,
        StanCompileError,
    )
    from .criteria.hypotheses import HypothesisResult, hypothesis
    from .criteria.ic import add_criterion, kfold, loo, loo_compare, model_weights, psis, reloo, waic
    from .criteria.r2 import bayes_R2, loo_R2
    from .criteria.results import KfoldResult, LooResult, WaicResult
    from .criteria.sbc import SbcResult, sbc
    from .families import *  # noqa: F401,F403  (every family constructor: poisson(), cumulative(), ...)
    from .families import Family, brmsfamily
    from .families.custom import custom_family, stanvar
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

__version__ = "0.1.0"

# Public name -> the module defining it. `import brmspy` loads none of them (nor pandas, scipy,
# ArviZ, matplotlib): each is imported on first use (PEP 562 ``__getattr__``), so a script that
# only needs `bp.brm` does not pay for plotting, and `python -c "import brmspy"` takes ~0.1 s.
_LAZY: dict[str, str] = {
    "datasets": ".datasets",
    **dict.fromkeys(["build_model", "make_stancode", "make_standata"], ".codegen.api"),
    **dict.fromkeys(["HypothesisResult", "hypothesis"], ".criteria.hypotheses"),
    **dict.fromkeys(["add_criterion", "kfold", "loo", "loo_compare", "model_weights", "psis", "reloo", "waic"], ".criteria.ic"),
    **dict.fromkeys(["bayes_R2", "loo_R2"], ".criteria.r2"),
    **dict.fromkeys(["KfoldResult", "LooResult", "WaicResult"], ".criteria.results"),
    **dict.fromkeys(["SbcResult", "sbc"], ".criteria.sbc"),
    **dict.fromkeys(["Family", "brmsfamily"], ".families"),
    **dict.fromkeys(["custom_family", "stanvar"], ".families.custom"),
    **dict.fromkeys(["brm", "update"], ".fit.brm"),
    "BrmsFit": ".fit.brmsfit",
    **dict.fromkeys(["BrmsFitMultiple", "brm_multiple", "combine_models"], ".fit.multiple"),
    **dict.fromkeys(["VarCorr", "coef", "fixef", "ndraws", "ngrps", "nobs", "prior_draws", "prior_summary", "ranef",
                     "stancode", "standata", "summary"], ".fit.methods"),
    **dict.fromkeys(["load_fit", "save_fit"], ".fit.storage"),
    **dict.fromkeys(["bf", "lf", "nlf", "set_mecor", "set_nl", "set_rescor"], ".formula"),
    **dict.fromkeys(["ConditionalEffects", "conditional_effects"], ".plots.effects"),
    **dict.fromkeys(["mcmc_plot", "plot_fit"], ".plots.mcmc"),
    "pp_check": ".plots.ppc",
    "plot_sbc": ".plots.sbc",
    **dict.fromkeys(["ConditionalSmooths", "conditional_smooths"], ".plots.smooths"),
    "icc": ".plots.variance",
    **dict.fromkeys(["fitted", "log_lik", "posterior_epred", "posterior_linpred", "posterior_predict", "predict",
                     "predictive_error", "residuals"], ".prediction.core"),
    "pp_mixture": ".prediction.mixture",
    "get_prior": ".priors.api",
    **dict.fromkeys(["prior", "set_prior"], ".priors.spec"),
}
_ERRORS = ["BackendUnavailableError", "BrmsError", "DataError", "FamilyError", "FitFileError", "FormulaError",
           "PlotError", "PriorError", "SamplingError", "StanCompileError",
           "BrmsWarning", "DataWarning", "PriorWarning", "SamplerWarning"]
_NOT_CONSTRUCTORS = ("args_of", "brmsfamily", "check_response", "family_function", "register", "warn_binomial_trials")


def _family_names() -> list[str]:
    import importlib

    # import_module, not `from . import families`: that asks this module's __getattr__ first
    return list(importlib.import_module(".families", __name__).__all__)


def _constructors() -> list[str]:
    return [n for n in _family_names() if n[0].islower() and n not in _NOT_CONSTRUCTORS]


def _public_names() -> list[str]:
    return [*_ERRORS, *_LAZY, *_constructors()]


def __getattr__(name: str) -> Any:
    """Load a public name on first access (and keep it, so later lookups are plain attributes)."""
    import importlib

    if name == "__all__":
        value: Any = _public_names()
    elif name == "_FAMILY_CONSTRUCTORS":  # every family constructor's name (tests parametrize over them)
        value = _constructors()
    elif name in _LAZY:
        module = importlib.import_module(_LAZY[name], __name__)
        value = module if name == "datasets" else getattr(module, name)
    elif not name.startswith("__") and name in _family_names():  # every family constructor: poisson(), ...
        value = getattr(importlib.import_module(".families", __name__), name)
    else:
        raise AttributeError(f"module 'brmspy' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_public_names()))
