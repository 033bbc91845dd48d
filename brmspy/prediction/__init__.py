"""Stage 9, predictions from a fit, computed in numpy as brms does outside Stan.

``context`` (:class:`PredictionContext`: the draws, rows and group-level effects of one call),
``linpred`` (population- and group-level parts of a linear predictor), ``dpars`` (every dpar by
family kind), per-concept modules (``additions``, ``autocor``, ``mv``, ``nonlinear``,
``categorical``, ``mixture``), ``chunked`` (evaluation in chunks of rows) and ``core`` (the
verbs: :func:`posterior_epred`, :func:`posterior_predict`, :func:`log_lik`, ...).
"""

from .context import PredictionContext, draw_indices, prediction_context
from .core import (
    fitted,
    log_lik,
    posterior_epred,
    posterior_linpred,
    posterior_predict,
    predict,
    predictive_error,
    residuals,
)

__all__ = ["PredictionContext", "draw_indices", "fitted", "log_lik", "posterior_epred", "posterior_linpred",
           "posterior_predict", "predict", "predictive_error", "prediction_context", "residuals"]
