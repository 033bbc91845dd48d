"""Sampler warnings after :func:`brmspy.brm`, with brms's thresholds and wording.

A brms user sees, after ``brm()``, the warnings rstan raises on the draws
(``rstan:::throw_sampler_warnings``, which brms relies on), and again from
``summary()`` (brms's own ``summary.brmsfit``):

* divergent transitions after warmup (any), with brms's remedy: increase ``adapt_delta``;
* transitions that hit ``max_treedepth`` (``treedepth__ >= max_treedepth``);
* chains with an E-BFMI below 0.2;
* R-hat above 1.05 (rank-normalised split R-hat, the largest value reported);
* bulk or tail ESS below 100 per chain.

The wording is rstan's, with the remedy spelled in Python (``control={...}``)
and the affected parameters named.  :func:`sampler_warnings` works on arrays
alone, so the thresholds can be checked on synthetic draws.

One deliberate difference (README, "Differences from brms"): rstan checks R-hat
and ESS of every parameter, including each group-level effect ``r_*``; here the
parameters brms's ``summary()`` reports are checked (population-level, sd, cor,
distributional and special-term parameters) plus ``lp__``.  Each check costs
about 3 ms per parameter in ArviZ, which for models with thousands of levels
would add seconds to every fit; ``lp__`` and the sds carry the mixing of the
group-level effects.
"""

from __future__ import annotations

import warnings
from typing import Mapping

import numpy as np

from ..core.errors import SamplerWarning, warn
from . import arviz_io
from .brmsfit import BrmsFit
from .convergence import Convergence

#: rstan's and brms's thresholds
RHAT_MAX = 1.05
ESS_PER_CHAIN = 100
BFMI_MIN = 0.2

#: parameter kinds (:class:`brmspy.fit.naming.ParamInfo`) that brms's summary reports
SUMMARY_KINDS = ("b", "sd", "cor", "df", "dpar", "autocor", "sds", "gp", "simo", "rescor")

_URL = "https://mc-stan.org/misc/warnings.html"


def _names(names: list[str], k: int = 5) -> str:
    return ", ".join(names[:k]) + (", ..." if len(names) > k else "")


def _higher_adapt_delta(adapt_delta: float) -> float:
    """The adapt_delta the remedy suggests: above the one used (0.95, then 0.99, then 0.999)."""
    return next((v for v in (0.95, 0.99, 0.999) if v > adapt_delta), 0.9999)


def sampler_warnings(draws: Mapping[str, np.ndarray], sampler_stats: Mapping[str, np.ndarray],
                     adapt_delta: float = 0.8, max_treedepth: int = 10,
                     convergence: Mapping[str, Convergence] | None = None) -> list[str]:
    """The warnings rstan (and so brms) gives for these draws, as messages.

    Parameters
    ----------
    draws : parameter name -> draws shaped (chain, draw); R-hat and ESS are checked for each.
    sampler_stats : ``divergent__``, ``treedepth__`` and ``energy__``, each (chain, draw);
        missing ones are not checked.
    adapt_delta, max_treedepth : the sampler settings (named in the remedies).
    convergence : each name's R-hat and ESS when already known (:meth:`BrmsFit.convergence`);
        computed from ``draws`` otherwise.

    Returns
    -------
    list of str, empty when nothing needs attention.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> ok = {"b_x": rng.normal(size=(4, 500))}
    >>> sampler_warnings(ok, {})
    []
    >>> stuck = {"b_x": rng.normal(size=(4, 500)) + np.arange(4)[:, None]}
    >>> sampler_warnings(stuck, {})[0][:30]
    'The largest R-hat is 1.52, ind'
    """
    msgs = []
    div = sampler_stats.get("divergent__")
    n_div = int(np.sum(div)) if div is not None else 0
    if n_div:
        msgs.append(
            f"There were {n_div} divergent transitions after warmup. Increasing adapt_delta above {adapt_delta:g} "
            f"may help: brm(..., control={{'adapt_delta': {_higher_adapt_delta(adapt_delta):g}}}). "
            f"See {_URL}#divergent-transitions-after-warmup"
        )
    depth = sampler_stats.get("treedepth__")
    n_depth = int(np.sum(np.asarray(depth) >= max_treedepth)) if depth is not None else 0
    if n_depth:
        msgs.append(
            f"There were {n_depth} transitions after warmup that exceeded the maximum treedepth. Increase "
            f"max_treedepth above {max_treedepth}: brm(..., control={{'max_treedepth': {max_treedepth + 2}}}). "
            f"See {_URL}#maximum-treedepth-exceeded"
        )
    energy = sampler_stats.get("energy__")
    if energy is not None and np.shape(energy)[1] > 1:
        bfmi = arviz_io.bfmi(energy)
        low = [i + 1 for i, v in enumerate(bfmi) if np.isfinite(v) and v < BFMI_MIN]
        if low:
            msgs.append(
                f"There were {len(low)} chains where the estimated Bayesian Fraction of Missing Information was "
                f"low (chain(s) {', '.join(map(str, low))}). See {_URL}#bfmi-low"
            )
    if not draws:
        return msgs
    nchains = next(iter(draws.values())).shape[0]
    if convergence is None:
        convergence = {n: arviz_io.rhat_ess(v) for n, v in draws.items()}
    rhat = {n: convergence[n].rhat for n in draws}
    bad = sorted((n for n, v in rhat.items() if v > RHAT_MAX), key=lambda n: -rhat[n])
    if bad:
        msgs.append(
            f"The largest R-hat is {round(rhat[bad[0]], 2):g}, indicating chains have not mixed (R-hat > {RHAT_MAX} for "
            f"{_names(bad)}). Running the chains for more iterations may help. See {_URL}#r-hat"
        )
    need = ESS_PER_CHAIN * nchains
    low_bulk = [n for n in draws if convergence[n].ess_bulk < need]
    if low_bulk:
        msgs.append(
            "Bulk Effective Samples Size (ESS) is too low, indicating posterior means and medians may be "
            f"unreliable (below {need} for {_names(low_bulk)}). Running the chains for more iterations may help. "
            f"See {_URL}#bulk-ess"
        )
    low_tail = [n for n in draws if convergence[n].ess_tail < need]
    if low_tail:
        msgs.append(
            "Tail Effective Samples Size (ESS) is too low, indicating posterior variances and tail quantiles may "
            f"be unreliable (below {need} for {_names(low_tail)}). Running the chains for more iterations may "
            f"help. See {_URL}#tail-ess"
        )
    return msgs


def checked_names(fit: "BrmsFit") -> list[str]:
    """The parameters whose R-hat and ESS :func:`warn_diagnostics` checks: summary parameters and ``lp__``."""
    return [n for n, pi in fit.param_info.items() if pi.kind in SUMMARY_KINDS or n == "lp__"]


def checked_draws(fit: "BrmsFit") -> dict[str, np.ndarray]:
    """The draws of :func:`checked_names`."""
    d = fit.draws_dict
    return {n: d[n] for n in checked_names(fit)}


def warn_diagnostics(fit: "BrmsFit") -> list[str]:
    """Warn about divergences, treedepth, E-BFMI, R-hat and ESS after sampling (see the module docstring).

    Returns the messages (also issued as :class:`UserWarning`).
    """
    cfg = fit.stan_draws.config
    if cfg.algorithm != "sampling":  # NUTS diagnostics: approximations and fixed_param draws have none
        return []
    msgs = sampler_warnings(checked_draws(fit), fit.stan_draws.sampler_stats, cfg.adapt_delta, cfg.max_treedepth,
                            convergence=fit.convergence())  # kept on the fit: summary() reuses them
    if msgs:
        hint = link_hint(fit)
        if hint:
            msgs.append(hint)
    for m in msgs:
        warn(m, SamplerWarning)
    return msgs


def _needs_positive_eta(family) -> bool:
    """Whether the family's mean link is defined only for a positive linear predictor."""
    link = family.links.get("mu")
    return link == "1/mu^2" or (link == "inverse" and family.spec.response == "positive")


def link_hint(fit_or_build) -> str | None:
    """Why a model with a restricted link (``inverse.gaussian``'s default ``1/mu^2``) samples badly, or None.

    With the ``1/mu^2`` link, ``mu = 1/sqrt(eta)`` exists only where the linear predictor
    ``eta`` is positive in every row (likewise ``mu = 1/eta`` for the ``inverse`` link of a
    positive family): Stan's random inits in (-2, 2) rarely give that with several
    predictors (initialisation fails), and the posterior of ``eta`` sits near
    ``1/mean(y)^2``, far below the inits' scale, where the sampler diverges.  brms shows
    only the generic warnings then; the remedy is the log link.

    Examples
    --------
    >>> import brmspy as bp, pandas as pd
    >>> b = bp.build_model("y ~ 1", pd.DataFrame({"y": [200.0, 300, 250]}), family="inverse.gaussian")
    >>> link_hint(b)[:72]
    "The inverse.gaussian family's link '1/mu^2' needs a positive linear pred"
    """
    frame = fit_or_build.frame
    for t in frame.response_terms:
        if not _needs_positive_eta(t.family):
            continue
        link = t.family.links["mu"]
        y = np.asarray(frame.responses[t.resp].y, dtype=float)
        y = y[np.isfinite(y)]
        where = ""
        if y.size and np.mean(y) > 0:
            where = f" (here near 1/mean(y)^2 = {1 / np.mean(y) ** 2:.3g})" if link == "1/mu^2" else \
                f" (here near 1/mean(y) = {1 / np.mean(y):.3g})"
        name = "inverse.gaussian" if t.family.name == "inverse_gaussian" else t.family.name
        return (
            f"The {name} family's link {link!r} needs a positive linear predictor in every row{where}; Stan's "
            "random initial values often violate that, and the sampler then fails to initialise or diverges. "
            f"Use the log link: family=brmsfamily({name!r}, link='log') (or {t.family.name}(link='log'))."
        )
    return None
