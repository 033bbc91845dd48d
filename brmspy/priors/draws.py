"""Draws from the priors, computed in numpy (``sample_prior="yes"``).

brms adds ``prior_*`` parameters to the Stan program; drawing them here
instead keeps the program (and the compiled model) the same whether or not
prior draws are requested.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.distributions import PriorDist
from ..core.lazy import lazy_module
from ..families import DPARS
from ..formula.prefix import resp_suffix
from ..frame.types import ModelFrame, group_label
from .table import ResolvedPriors

stats = lazy_module("scipy.stats")  # imported at first use: brmspy.core.lazy


def scipy_dist(p: PriorDist):
    """The scipy.stats distribution with Stan's parametrisation of ``p``."""
    a = p.args
    match p.name:
        case "normal":
            return stats.norm(a[0], a[1])
        case "std_normal":
            return stats.norm(0, 1)
        case "student_t":
            return stats.t(a[0], a[1], a[2])
        case "cauchy":
            return stats.cauchy(a[0], a[1])
        case "double_exponential":
            return stats.laplace(a[0], a[1])
        case "logistic":
            return stats.logistic(a[0], a[1])
        case "gumbel":
            return stats.gumbel_r(a[0], a[1])
        case "skew_normal":
            return stats.skewnorm(a[2], a[0], a[1])
        case "exp_mod_normal":
            return stats.exponnorm(1 / (a[1] * a[2]), a[0], a[1])
        case "lognormal":
            return stats.lognorm(a[1], scale=np.exp(a[0]))
        case "exponential":
            return stats.expon(scale=1 / a[0])
        case "gamma":
            return stats.gamma(a[0], scale=1 / a[1])
        case "inv_gamma":
            return stats.invgamma(a[0], scale=a[1])
        case "weibull":
            return stats.weibull_min(a[0], scale=a[1])
        case "frechet":
            return stats.invweibull(a[0], scale=a[1])
        case "rayleigh":
            return stats.rayleigh(scale=a[0])
        case "chi_square":
            return stats.chi2(a[0])
        case "inv_chi_square":
            return stats.invgamma(a[0] / 2, scale=0.5)
        case "scaled_inv_chi_square":
            return stats.invgamma(a[0] / 2, scale=a[0] * a[1] ** 2 / 2)
        case "beta":
            return stats.beta(a[0], a[1])
        case "uniform":
            return stats.uniform(a[0], a[1] - a[0])
        case "von_mises":
            return stats.vonmises(a[1], loc=a[0])
    raise ValueError(f"no sampler for prior {p}")


def _draw(p: PriorDist, size: int, rng: np.random.Generator, lower: float | None = None,
          upper: float | None = None) -> np.ndarray:
    dist = scipy_dist(p)
    lo = dist.cdf(lower) if lower is not None else 0.0
    hi = dist.cdf(upper) if upper is not None else 1.0
    u = rng.uniform(lo, hi, size)  # inverse-CDF sampling handles truncation to [lower, upper]
    return dist.ppf(u)


def _lkj_marginal(eta: float, M: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """A single correlation under LKJ(eta) in dimension M: 2 * Beta(b, b) - 1, b = eta - 1 + M / 2."""
    b = eta - 1 + M / 2
    return 2 * rng.beta(b, b, size) - 1


@dataclass
class PriorSampler:
    """Draws from priors shaped ``shape`` (chain, draw), for :meth:`SpecialDesign.prior_draws`.

    Every method returns None for a flat (None) prior: brms draws only proper priors.
    """

    shape: tuple[int, int]
    rng: np.random.Generator

    @property
    def n(self) -> int:
        return self.shape[0] * self.shape[1]

    def scalar(self, p: PriorDist | None, lower: float | None = None, upper: float | None = None) -> np.ndarray | None:
        """One parameter with prior ``p`` truncated to ``[lower, upper]`` (the parameter's bounds)."""
        if p is None:
            return None
        return _draw(p, self.n, self.rng, lower, upper).reshape(self.shape)

    def dirichlet(self, p: PriorDist | None, K: int) -> np.ndarray | None:
        """A simplex of length ``K`` under ``dirichlet(alpha)`` (one concentration for every element): (chain, draw, K)."""
        if p is None:
            return None
        return self.rng.dirichlet(np.array(p.concentration(K, "the simplex")), self.n).reshape(*self.shape, K)

    def lkj_marginal(self, p: PriorDist | None, M: int) -> np.ndarray | None:
        """One correlation of an M x M correlation matrix under ``lkj(eta)`` (brms's ``prior_cor_*``)."""
        if p is None:
            return None
        return _lkj_marginal(p.args[0], M, self.n, self.rng).reshape(self.shape)


def draw_priors(frame: ModelFrame, priors: ResolvedPriors, shape: tuple[int, int], seed: int | None) -> dict[str, np.ndarray]:
    """Prior draws named as brms's ``prior_*`` parameters, each shaped ``shape`` (chain, draw)."""
    rng = np.random.default_rng(seed)
    n = shape[0] * shape[1]
    sampler = PriorSampler(shape, rng)
    out: dict[str, np.ndarray] = {}

    def put(name: str, p: PriorDist | None, lower: float | None = None, upper: float | None = None) -> None:
        if p is not None and name not in out:
            out[name] = _draw(p, n, rng, lower, upper).reshape(shape)

    for prefix, design in frame.designs.items():
        if prefix in priors.intercept:
            put(f"prior_Intercept{prefix.suffix}", priors.intercept[prefix],
                *priors.bounds.get(f"Intercept{prefix.suffix}", (None, None)))
        lb = priors.b_bounds.get(prefix, (None, None))[0]
        b_priors = priors.b.get(prefix, [])
        if prefix in priors.b_simplex:  # a dirichlet prior on class b: the coefficients are one simplex
            simplex = sampler.dirichlet(b_priors[0], len(b_priors))
            for j, c in enumerate(design.coef_names[-len(b_priors):]):
                out.setdefault(f"prior_b_{prefix.label}{c}", simplex[..., j])
            b_priors = []
        for c, p in zip(design.coef_names, b_priors):
            put(f"prior_b_{prefix.label}{c}", p, lb)
        for sp in design.specials:  # bsp, simo, sds, sdgp, lscale, ar, ... : each kind draws its own
            for name, values in sp.prior_draws(priors.special.get((prefix, type(sp).__name__), {}), sampler).items():
                out.setdefault(name, values)
    families = {t.resp: t.family for t in frame.response_terms}
    for (resp, d), p in priors.dpar.items():
        info = families[resp].dpar_info(d) if resp in families else DPARS[d]
        hi = info.upper if isinstance(info.upper, (int, float)) else None  # both bounds, as the lprior statement
        put(f"prior_{d}" + resp_suffix(resp), p, *priors.bounds.get(d + resp_suffix(resp), (info.lower, hi)))
    for block in frame.blocks:
        g = group_label(block)
        for c, p in zip(block.coefs, priors.sd[block.id]):
            put(f"prior_sd_{g}__{c.label}", p, *priors.bounds.get(f"sd_{block.id}", (0.0, None)))
        if block.udf_owner:  # gr(g, dist = "student"): df > 1
            put(f"prior_df_{g}", priors.df.get(block.ggn), 1.0)
        cor = priors.cor.get(block.id)
        if block.has_cor and cor is not None:
            out[f"prior_cor_{g}"] = _lkj_marginal(cor.args[0], block.M, n, rng).reshape(shape)
    return out


def flat_parameters(frame: ModelFrame, priors: ResolvedPriors) -> list[str]:
    """Parameters with improper flat priors (sampling from the prior alone is then impossible)."""
    flat = []
    def fixed(stan: str, i: int) -> bool:  # a constant() prior: no parameter
        values = priors.constants.get(stan)
        return values is not None and values[i] is not None

    for prefix, design in frame.designs.items():
        for i, (c, p) in enumerate(zip(design.coef_names, priors.b.get(prefix, []))):
            if p is None and not priors.shrunk_b(prefix) and not fixed(f"b{prefix.suffix}", i):  # horseshoe: proper
                flat.append(f"b_{prefix.label}{c}")
        if prefix in priors.intercept and priors.intercept[prefix] is None and not fixed(f"Intercept{prefix.suffix}", 0):
            flat.append(f"Intercept{prefix.suffix}")
        for sp in design.specials:  # bsp, meanme, ... of special terms
            sp_priors = priors.special.get((prefix, type(sp).__name__), {})
            shrunk = tuple(sp_priors.get("shrunk", ()))  # bsp, sds, ...: a horseshoe()/R2D2() prior, proper
            if "sds" in sp_priors:  # sds fixed by constant() (priors.resolve): not flat
                sp_priors = {**sp_priors, "sds": [[True] * len(ps) if f"sds{prefix.suffix}_{i}" in priors.constants
                                                  else ps for i, ps in enumerate(sp_priors["sds"], start=1)]}
            if "lscale" in sp_priors:  # length-scales fixed by constant() (priors.resolve): not flat
                sp_priors = {**sp_priors, "lscale": [
                    [[True if priors.constants.get(f"lscale{prefix.suffix}_{i}", [None] * (j * len(pp) + d + 1))
                      [j * len(pp) + d] is not None else p for d, p in enumerate(pp)] for j, pp in enumerate(ps)]
                    for i, ps in enumerate(sp_priors["lscale"], start=1)]}
            flat += [n for n in sp.flat_parameters(sp_priors) if not n.startswith(tuple(f"{c}_" for c in shrunk))
                     and n not in (f"{c}{prefix.suffix}" for c in shrunk)]
    for (resp, d), p in priors.dpar.items():
        if p is None and not fixed(d + resp_suffix(resp), 0):
            flat.append(d)
    for block in frame.blocks:
        for i, (c, p) in enumerate(zip(block.coefs, priors.sd[block.id])):
            if p is None and not fixed(f"sd_{block.id}", i) and not priors.shrunk_sd(block.id):
                flat.append(f"sd_{group_label(block)}__{c.label}")
        if block.udf_owner and priors.df.get(block.ggn) is None:
            flat.append(f"df_{group_label(block)}")
    return flat
