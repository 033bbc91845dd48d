"""Finite mixture families, as brms's ``mixture()``.

A mixture of K component families has the components' dpars suffixed by the
component index (``mu1``, ``sigma1``, ``mu2``, ``sigma2``) and mixing
proportions ``theta1..thetaK``.  The main formula predicts every ``mu<k>``;
``bf("y ~ x", "mu2 ~ z")`` overrides one, ``bf("y ~ x", "theta2 ~ x")``
predicts the mixing proportions on the log-odds scale relative to a reference
component, as brms: the first whose theta has no formula (``theta1`` unless
``theta1 ~ ...`` is given); ``theta_k = softmax(eta)[k]`` with ``eta_ref = 0``, and the
other unpredicted ``theta<k>`` get an intercept.  Without theta formulas the proportions are one
``simplex[K] theta`` with a ``dirichlet(1)`` prior (class ``theta``).

``order="mu"`` orders the (centred) intercepts of the ``mu<k>`` to identify
the components; it is the default when all components are the same family.

Examples
--------
>>> f = mixture("gaussian", "gaussian")
>>> f.dpars
('mu1', 'sigma1', 'mu2', 'sigma2')
>>> f.order
'mu'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..core.errors import FamilyError
from ..core.lazy import lazy_module
from .core import DPARS, DparInfo, Family, FamilyMath, FamilySpec, Likelihood, brmsfamily
from .kinds import Mixture

special = lazy_module("scipy.special")  # imported at first use: brmspy.core.lazy

_SUFFIXED = re.compile(r"^([a-z_]+?)(\d+)$")


def split_dpar(name: str) -> tuple[str, int | None]:
    """``"sigma2"`` -> ``("sigma", 2)``; ``"sigma"`` -> ``("sigma", None)``."""
    m = _SUFFIXED.match(name)
    return (m.group(1), int(m.group(2))) if m else (name, None)


@dataclass(frozen=True)
class MixtureFamily(Family):
    """A mixture of component families (see module docstring)."""

    components: tuple[Family, ...] = ()
    order: str = "none"  # "mu" or "none"
    theta_pred: bool = False  # some theta<k> has a formula
    theta_ref: int = 1  # with predicted thetas: the component whose theta is fixed at 0 (brms: the first unpredicted)
    theta_fixed: tuple[float, ...] = ()  # bf(..., theta1 = 1, theta2 = 2): proportions as data, normalised (brms)

    @property
    def nmix(self) -> int:
        return len(self.components)

    @property
    def link(self) -> str:
        return self.components[0].link

    @property
    def dpars(self) -> tuple[str, ...]:
        out = [f"{d}{k}" for k, c in enumerate(self.components, start=1) for d in c.dpars]
        if self.theta_pred:
            out += [f"theta{k}" for k in range(1, self.nmix + 1) if k != self.theta_ref]
        return tuple(out)

    @property
    def spec(self) -> FamilySpec:
        first = self.components[0].spec
        return FamilySpec(
            "mixture", self.dpars, (self.link,), first.response,
            Likelihood("mixture", lambda dp, ops: [], "lpdf"),
            description="mixture of " + ", ".join(c.name for c in self.components),
            math=_math(self),
            kind=Mixture(ordinal=self.ordinal),
            needs_trials=any(c.spec.needs_trials for c in self.components),
        )

    @property
    def has_theta_simplex(self) -> bool:
        return not self.theta_pred and not self.theta_fixed

    def dpar_class(self, dpar: str) -> str:
        return split_dpar(dpar)[0]

    def component_dpar(self, dpar: str) -> tuple[Family, int, str]:
        base, k = split_dpar(dpar)
        if k is None or not 1 <= k <= self.nmix:
            raise FamilyError(f"{dpar!r} is not a dpar of this mixture; its dpars: {', '.join(self.dpars)}.")
        return self.components[k - 1], k, base

    def threshold_family(self, dpar: str) -> Family | None:
        base, k = split_dpar(dpar)
        if base != "mu" or k is None or not 1 <= k <= self.nmix:
            return None
        return self.components[k - 1].threshold_family("mu")

    @property
    def ordinal(self) -> bool:
        """A mixture of ordinal components (brms: each ``mu<k>`` has its own thresholds ``Intercept_mu<k>``)."""
        return self.components[0].kind.has_thresholds

    @property
    def fixed_thresholds(self) -> bool:
        """brms's ``fix_intercepts``: ordinal components with ``order="mu"`` share one set of thresholds
        (``fixed_Intercept``, copied into every ``Intercept_mu<k>``)."""
        return self.ordinal and self.order == "mu"

    @property
    def fixed_thresholds_ordered(self) -> bool:
        """The shared thresholds are ``ordered`` when any component orders its own (cumulative), as brms."""
        return any(c.kind.ordered_thresholds for c in self.components)

    def dpar_info(self, dpar: str) -> DparInfo:
        base, k = split_dpar(dpar)
        if base == "theta" or k is None or not 1 <= k <= self.nmix:  # mixing proportions: brms's table
            return DPARS[dpar]
        return self.components[k - 1].dpar_info(base)

    def dpar_prior(self, dpar: str) -> str:
        comp, _, base = self.component_dpar(dpar)
        return comp.dpar_prior(base)

    def dpar_intercept_prior(self, dpar: str) -> str:
        comp, _, base = self.component_dpar(dpar)
        return comp.dpar_intercept_prior(base)

    def __repr__(self) -> str:
        comps = ", ".join(c.name for c in self.components)
        links = "; ".join(f"{d} = {self.links[d]}" for d in self.dpars)
        return f"Family: mixture({comps})\n  Links: {links}"

    def check_response(self, y: pd.Series, name: str) -> np.ndarray:
        out = None
        for c in self.components:
            v = c.check_response(y, name)
            out = v if out is None else out
        return out


def mixture(*families: Any, nmix: int | Sequence[int] | None = None, order: str | bool | None = None) -> MixtureFamily:
    """A finite mixture family, as brms's ``mixture()``.

    Parameters
    ----------
    *families : component families: names (``"gaussian"``), Family objects or
        family functions (``bp.gaussian``).
    nmix : how often each family is repeated: one int for all, or one per family.
    order : ``"mu"`` (or True) orders the mu intercepts to identify the components;
        ``"none"`` (or False) does not. Default: ``"mu"`` when all components are
        the same family, else ``"none"``.

    Examples
    --------
    >>> mixture("gaussian", nmix=3).nmix
    3
    """
    if not families:
        raise FamilyError("mixture() needs component families, e.g. mixture('gaussian', 'gaussian').")
    comps: list[Family] = []
    for f in families:
        if callable(f) and not isinstance(f, Family):
            f = f()
        comps.append(brmsfamily(f))
    if nmix is not None:
        reps = [int(nmix)] * len(comps) if np.ndim(nmix) == 0 else [int(n) for n in nmix]
        if len(reps) != len(comps):
            raise FamilyError(f"nmix has {len(reps)} entries but {len(comps)} families are given.")
        comps = [c for c, n in zip(comps, reps) for _ in range(n)]
    if len(comps) < 2:
        raise FamilyError(f"A mixture needs at least 2 components; got {len(comps)}. Use nmix=2 or more families.")
    ordinal = [c.kind.has_thresholds for c in comps]
    for c in comps:
        if not c.kind.univariate and not c.kind.has_thresholds:
            raise FamilyError(f"Family {c.name!r} cannot be a mixture component (categorical, multivariate and "
                              "mixture families are not supported as components, as in brms).")
        if c.kind.has_thresholds and c.kind.hurdle:
            raise FamilyError(f"Family {c.name!r} cannot be a mixture component in brmspy; use 'cumulative', "
                              "'sratio', 'cratio' or 'acat'.")
    if any(ordinal) and not all(ordinal):  # brms: "Cannot mix ordinal and non-ordinal families."
        raise FamilyError("Cannot mix ordinal and non-ordinal families: " + ", ".join(c.name for c in comps) + ".")
    if len({c.spec.is_discrete for c in comps}) > 1:
        raise FamilyError("Cannot mix families with real and integer support: "
                          + ", ".join(c.name for c in comps) + ".")
    if order is None and all(ordinal):  # brms: "Setting order = 'none' for mixtures of ordinal families."
        order = "none"
    elif order is None:
        order = "mu" if len({c.name for c in comps}) == 1 else "none"
    elif order is True:
        order = "mu"
    elif order is False:
        order = "none"
    if order not in ("mu", "none"):
        raise FamilyError(f"order must be 'mu' or 'none' (or True/False); got {order!r}.")
    if order == "mu" and all(ordinal) and any(c.threshold != "flexible" for c in comps):  # brms's words
        bad = next(c.threshold for c in comps if c.threshold != "flexible")
        raise FamilyError(f"Cannot use {bad} and fixed thresholds at the same time (ordinal mixture with "
                          "order = 'mu'); use threshold = 'flexible' or order = 'none'.")
    links: dict[str, str] = {}
    for k, c in enumerate(comps, start=1):
        for d in c.dpars:
            links[f"{d}{k}"] = c.links[d]
    for k in range(1, len(comps) + 1):
        links[f"theta{k}"] = "identity"  # softmax over (0, eta_2, ..., eta_K), applied jointly
    links["mu"] = comps[0].link
    return MixtureFamily("mixture", links, components=tuple(comps), order=order)


# ---------------------------------------------------------------- terms


# ------------------------------------------------------------------ math


def component_dpars(fam: MixtureFamily, dp: dict[str, Any], k: int) -> dict[str, Any]:
    c = fam.components[k - 1]
    out = {d: dp[f"{d}{k}"] for d in c.dpars}
    if c.spec.row_vectors:  # a cox component: the rows' baseline hazards, also at y2 / the bounds (cbhaz_<at>)
        out.update({v: a for v, a in dp.items() if v in c.spec.row_vectors or v.startswith("cbhaz_")})
    if c.kind.has_thresholds:  # thresholds and link of mu<k> (brmspy.prediction.dpars)
        out["thres"], out["link"] = dp[f"thres{k}"], c.link
    return out


def theta_values(fam: MixtureFamily, dp: dict[str, Any]) -> np.ndarray:
    """Mixing proportions shaped (..., K) from dp (``theta`` simplex or theta<k> linear predictors)."""
    if "theta" in dp:
        return np.asarray(dp["theta"])
    etas = [np.zeros(1) if k == fam.theta_ref else np.asarray(dp[f"theta{k}"], dtype=float)
            for k in range(1, fam.nmix + 1)]
    shape = np.broadcast_shapes(*(e.shape for e in etas))
    eta = np.stack([np.broadcast_to(e, shape) for e in etas], axis=-1)
    return special.softmax(eta, axis=-1)


def _component_epred(fam: MixtureFamily, dp: dict[str, Any], ex, k: int) -> np.ndarray:
    return fam.components[k - 1].spec.math.epred(component_dpars(fam, dp, k), ex)


def _component_logliks(fam: MixtureFamily, y, dp, ex) -> np.ndarray:
    theta = theta_values(fam, dp)
    lps = []
    for k, c in enumerate(fam.components, start=1):
        with np.errstate(divide="ignore"):
            lps.append(np.log(theta[..., k - 1]) + c.spec.math.loglik(y, component_dpars(fam, dp, k), ex))
    shape = np.broadcast_shapes(*(lp.shape for lp in lps))
    return np.stack([np.broadcast_to(lp, shape) for lp in lps], axis=-1)


def membership(fam: MixtureFamily, y, dp, ex) -> np.ndarray:
    """Posterior probability of each component per draw and observation, shaped (..., K)."""
    lp = _component_logliks(fam, y, dp, ex)
    return np.exp(lp - special.logsumexp(lp, axis=-1, keepdims=True))


def _math(fam: MixtureFamily) -> FamilyMath:
    def loglik(y, dp, ex):
        return special.logsumexp(_component_logliks(fam, y, dp, ex), axis=-1)

    def epred(dp, ex):
        theta = theta_values(fam, dp)
        if fam.ordinal:  # per-category probabilities (draws, rows, ncat), mixed over the components
            return sum(theta[..., k - 1, None] * _component_epred(fam, dp, ex, k) for k in range(1, fam.nmix + 1))
        return sum(theta[..., k - 1] * _component_epred(fam, dp, ex, k) for k in range(1, fam.nmix + 1))

    def rng(dp, ex, gen):
        theta = theta_values(fam, dp)
        draws = [np.asarray(c.spec.math.rng(component_dpars(fam, dp, k), ex, gen), dtype=float)
                 for k, c in enumerate(fam.components, start=1)]
        shape = np.broadcast_shapes(theta.shape[:-1], *(d.shape for d in draws))
        theta = np.broadcast_to(theta, (*shape, fam.nmix))
        u = gen.uniform(size=shape)[..., None]
        pick = np.minimum((u > np.cumsum(theta, axis=-1)).sum(axis=-1), fam.nmix - 1)
        stacked = np.stack([np.broadcast_to(d, shape) for d in draws], axis=-1)
        return np.take_along_axis(stacked, pick[..., None], axis=-1)[..., 0]

    return FamilyMath(loglik, epred, rng)


