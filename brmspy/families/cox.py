"""The cox family: brms's proportional hazards model with an M-spline baseline hazard.

brms syntax: ``bf("time | cens(1 - event) ~ x")`` with ``family=cox()``; ``mu`` (log link by
default; also identity, softplus, squareplus) multiplies the baseline hazard, so higher ``mu`` means
shorter survival: ``hazard(t) = bhaz(t) mu``, ``survival(t) = exp(-cbhaz(t) mu)``.  The baseline
hazard is ``bhaz(t) = Zbhaz(t) sbhaz`` with the M-spline basis ``Zbhaz`` of the times and a simplex
``sbhaz`` (prior ``dirichlet(1)``), the cumulative hazard ``cbhaz(t) = Zcbhaz(t) sbhaz`` with the
I-spline basis (:mod:`brmspy.frame.bhaz`); the Stan functions are brms's ``fun_cox.stan``
(``templates/functions/cox.stan``: ``cox_lpdf``, ``cox_lccdf``, ``cox_lcdf`` and their
``cox_log_*`` forms on the log scale of ``mu``).

As brms 2.18: ``log_lik`` works (right- and left-censored rows through the survival function);
``posterior_epred`` and ``posterior_predict`` are refused with brms's message, as the baseline
hazard is known only inside the range of the data.
"""

from __future__ import annotations

import numpy as np

from ..core.errors import FamilyError
from ..core.templates import StanFunction
from .cdf_base import CdfMath, _log1m_exp
from .core import Family, FamilyMath, FamilySpec, Likelihood, brmsfamily, register
from .kinds import Survival

__all__ = ["COX_CDF", "cox", "cox_lccdf", "cox_lpdf"]


def _args(dp, ops):
    return [dp["mu"], dp["bhaz"], dp["cbhaz"]]


def cox_lpdf(y, mu, bhaz, cbhaz) -> np.ndarray:
    """Log density of survival time ``y`` (brms's ``dcox``): ``log(bhaz) + log(mu) - cbhaz mu``.

    ``y`` enters only through ``bhaz`` and ``cbhaz``, the baseline hazard and cumulative hazard at ``y``.

    Examples
    --------
    >>> round(float(cox_lpdf(1.0, 2.0, 0.5, 0.4)), 6)
    -0.8
    """
    mu, bhaz, cbhaz = (np.asarray(v, dtype=float) for v in (mu, bhaz, cbhaz))
    with np.errstate(divide="ignore"):
        return np.log(bhaz) + np.log(mu) - cbhaz * mu


def cox_lccdf(y, mu, bhaz, cbhaz) -> np.ndarray:
    """Log survival function (brms's ``pcox(lower.tail = FALSE, log.p = TRUE)``): ``-cbhaz mu``."""
    return -np.asarray(cbhaz, dtype=float) * np.asarray(mu, dtype=float)


def _loglik(y, dp, ex):
    return cox_lpdf(y, dp["mu"], dp["bhaz"], dp["cbhaz"])


def _no_epred(dp, ex):
    raise FamilyError("Cannot compute expected values of the posterior predictive distribution for family 'cox' "
                      "(as brms: the baseline hazard is a spline known only within the range of the data).")


def _no_draws(dp, ex, rng):
    raise FamilyError("Cannot sample from the posterior predictive distribution for family 'cox' "
                      "(as brms: the baseline hazard is a spline known only within the range of the data).")


#: the CDFs of cens(): right censoring is the survival function, left censoring its complement
COX_CDF = CdfMath(
    lambda y, dp, ex: _log1m_exp(cox_lccdf(y, dp["mu"], dp["bhaz"], dp["cbhaz"])),
    lambda y, dp, ex: cox_lccdf(y, dp["mu"], dp["bhaz"], dp["cbhaz"]),
    None,
)

register(FamilySpec(
    "cox", ("mu",), ("log", "identity", "softplus", "squareplus"), "nonnegative",
    Likelihood("cox", _args),
    canonical={"log": Likelihood("cox_log", _args)},
    description="Cox proportional hazards model with an M-spline baseline hazard ('time | cens(1 - event) ~ ...')",
    stan_functions=(StanFunction("cox"),),
    pointwise=True, row_vectors=("bhaz", "cbhaz"), canonical_cdfs=True,
    math=FamilyMath(_loglik, _no_epred, _no_draws),
    kind=Survival(),
))


def cox(link: str | None = None, bhaz: dict | None = None) -> Family:
    """The cox family (proportional hazards with a flexible baseline hazard, as brms's ``cox()``).

    Parameters
    ----------
    link : link of ``mu`` (the hazard ratio): ``"log"`` (default), ``"identity"``, ``"softplus"``, ``"squareplus"``.
    bhaz : the baseline hazard's spline arguments: ``df`` (default 5), ``intercept`` (default True),
        ``knots``, ``degree`` (default 3), ``Boundary.knots`` (default: the range of the times widened by
        a 50th on each side, not below 0), as splines2's ``mSpline``.

    Examples
    --------
    >>> f = cox(bhaz={"df": 7})
    >>> f.name, f.link, f.bhaz
    ('cox', 'log', {'df': 7, 'intercept': True})
    """
    return brmsfamily("cox", link=link, bhaz=bhaz)
