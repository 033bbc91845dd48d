"""``me(x, sdx)``: a predictor measured with known error (brms's construction).

The observed ``x`` (data ``Xn_<m>``) is a noisy measurement, with known sd
``sdx`` (data ``noise_<m>``), of a latent value ``Xme_<m>``; the predictor
uses the latent value::

    Xme_1 = meanme_1[1] + sdme_1[1] * zme_1;        // non-centred latent values
    mu += ... + bsp[k] * Xme_1;
    target += normal_lpdf(Xn_1 | Xme_1, noise_1);  // measurement model (a prior term)
    target += std_normal_lpdf(zme_1);

As in brms the latent variables belong to the whole model (numbered over all
predictors, declared once: the same ``me(x, sdx)`` in two predictors is one
latent variable), with hyperparameters ``meanme_1`` and ``sdme_1`` (prior
classes ``meanme`` and ``sdme``, coef ``mex``; flat by default, as brms).
Draws: ``bsp_mexsdx`` (class b), ``meanme_mex`` and ``sdme_mex``.

Correlated latent values (brms's default ``set_mecor(TRUE)``): with two or
more me() terms the latent values are multivariate normal, non-centred with
the Cholesky factor ``Lme_1`` of their correlation matrix (prior class
``corme``, default ``lkj(1)``)::

    Xme1 = rep_matrix(transpose(meanme_1), N) + transpose(diag_pre_multiply(sdme_1, Lme_1) * zme_1);
    Xme_1 = Xme1[, 1];                              // zme_1 is matrix[Mme_1, N]

with draws ``corme__mex__mez`` (the correlation of ``mex`` and ``mez``), as in
brms; ``bf(...) + set_mecor(False)`` models them as independent.

Differences from brms: ``me(x, sdx, gr = g)`` is not supported.  Predictions
on new data draw the latent values from ``normal(x, sdx)`` of the new rows, as
brms does when the latent values are not available.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from ..core.errors import DataError, FormulaError
from ..core.stan import StanBlocks, prior_statement
from ..core.templates import stan_lines
from ..core.types import ParamInfo, PriorRow, cor_pairs
from ..formula.prefix import brms_name
from .sp import SpTerm, eval_arg


def _values(term, data: pd.DataFrame, where: str) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(eval_arg(term.call.args[0], data, where), dtype=float)
    noise = np.asarray(eval_arg(term.call.args[1], data, where), dtype=float)
    if not np.all(np.isfinite(x)):
        raise DataError(f"{where}: the measured values have non-finite entries.")
    if not np.all(np.isfinite(noise)) or np.any(noise <= 0):
        raise DataError(
            f"{where}: the measurement error sd '{term.call.args[1]}' must be positive and finite in every row "
            "(rows without measurement error need a small positive sd)."
        )
    return x, noise


def _check_unique_per_group(term, gr: str, data: pd.DataFrame, where: str) -> None:
    """brms's check of ``me(x, sdx, gr = g)``: x and sdx take one value per level of g."""
    x, noise = _values(term, data, where)
    g = pd.Series(np.asarray(eval_arg(gr, data, where))).astype(str)
    frame = pd.DataFrame({"g": g, "x": x, "noise": noise})
    bad = frame.groupby("g", sort=True)[["x", "noise"]].nunique().max(axis=1) > 1
    if bad.any():
        level = bad.index[bad.to_numpy()][0]
        raise DataError(f"{where}: measured values and measurement error should be unique for each group (as brms "
                        f"requires for gr = {gr}). Occurred for level {level!r} of group {gr!r}.")


@dataclass
class MeTerm(SpTerm):
    """``me(x, sdx)``: ``bsp[k] * Xme_m`` with ``m`` numbered over the whole model.

    Attributes (set on the model data)
    ----------------------------------
    Xn, noise : the measured values and their known sd.
    m : the number of its latent variable over the model (:meth:`link`).
    owned : on the model's first me() term, every distinct latent variable (it declares them all).
    correlated : on that term, whether their latent values are correlated (``set_mecor``).
    """

    kind: ClassVar[str] = "me"

    Xn: np.ndarray | None = field(default=None, repr=False)
    noise: np.ndarray | None = field(default=None, repr=False)
    m: int = 0
    owned: list["MeTerm"] = field(default_factory=list, repr=False)
    correlated: bool = False

    @classmethod
    def build(cls, term, prefix, data, formula):
        call = term.call
        if call.kwargs:
            keys = ", ".join(k for k, _ in call.kwargs)
            gr = dict(call.kwargs).get("gr")
            if gr is not None and len(call.args) == 2:
                _check_unique_per_group(term, gr, data, f"'{term.text}' in {formula!r}")
                raise FormulaError(f"me(..., gr = {gr}) (one latent value per level of {gr!r}) is not supported yet; "
                                   f"use 'me(x, sdx)' in {formula!r}.")
            raise FormulaError(f"me() arguments {keys} are not supported; use 'me(x, sdx)' in {formula!r}.")
        if len(call.args) == 3:  # me(x, sdx, g): the third argument is gr
            raise FormulaError(f"me(..., gr = {call.args[2]}) (one latent value per level of {call.args[2]!r}) is not "
                               f"supported yet; use 'me(x, sdx)' in {formula!r}.")
        if len(call.args) != 2:
            raise FormulaError(
                f"me() needs the measured variable and its known measurement error sd, e.g. 'me(x, sdx)'; "
                f"got '{term.text}' in {formula!r}."
            )
        t = cls(term, prefix, formula)
        t.Xn, t.noise = _values(term, data, f"'{term.text}' in {formula!r}")
        return t

    @classmethod
    def link(cls, terms, settings):
        """Number the latent variables over the model; the first me() term declares them all.

        Their latent values are correlated when there are several and the
        model does not say ``set_mecor(False)``.
        """
        seen: dict[str, MeTerm] = {}
        for t in terms:
            t.owned, t.correlated = [], False
            key = t.term.text
            if key not in seen:
                seen[key] = t
                t.m = len(seen)
            else:
                t.m = seen[key].m
        terms[0].owned = list(seen.values())
        terms[0].correlated = len(seen) >= 2 and settings.mecor

    @property
    def me_coef(self) -> str:
        """brms's name of the latent variable: ``me(x, sdx)`` -> ``mex``."""
        return "me" + brms_name(self.term.call.args[0])

    @property
    def cor(self) -> bool:
        """Whether this (declaring) term's latent variables are correlated (``Lme_1``)."""
        return bool(self.owned) and self.correlated

    @property
    def corme_names(self) -> list[str]:
        """brms's names of the latent correlations, in ``corme_1``'s order: ``corme__mex__mez``, ..."""
        coefs = [t.me_coef for t in self.owned]
        return [f"corme__{coefs[j]}__{coefs[k]}" for j, k in cor_pairs(len(coefs))]

    # -- priors: one set for the model, given by the declaring term
    def prior_rows(self, base, scale_prior):
        rows = []
        if self.owned:
            rows.append(PriorRow("", "meanme", **base))
            rows += [PriorRow("", "meanme", coef=t.me_coef, **base) for t in self.owned]
            rows.append(PriorRow("", "sdme", lb="0", **base))
            rows += [PriorRow("", "sdme", coef=t.me_coef, **base) for t in self.owned]
        if self.cor:
            rows.append(PriorRow("lkj(1)", "corme", **base))
        return rows

    def resolve_priors(self, lookup):
        if not self.owned:
            return {}
        out = {
            "meanme": [lookup(("meanme", t.me_coef), ("meanme", "")) for t in self.owned],
            "sdme": [lookup(("sdme", t.me_coef), ("sdme", "")) for t in self.owned],
        }
        if self.cor:
            out["corme"] = lookup(("corme",))
        return out

    def flat_parameters(self, priors):
        return [f"{par}_{t.me_coef}" for par in ("meanme", "sdme") for t, p in zip(self.owned, priors.get(par, []))
                if p is None]

    # -- code
    @classmethod
    def stan_kind(cls, terms, priors):
        sb = StanBlocks()
        owner = next((j for j, t in enumerate(terms) if t.owned), None)
        if owner is None:
            return sb  # declared by the first me() term of the model
        owned, p = terms[owner].owned, priors[owner]
        cor = terms[owner].cor
        sb.data.append("// data for noise-free variables")
        sb.declare("int<lower=1> Mme_1", "Mme_1", len(owned), "number of latent variables")
        for t in owned:
            sb.declare(f"vector[N] Xn_{t.m}", f"Xn_{t.m}", t.Xn, f"noisy values of {t.term.text}")
            sb.declare(f"vector<lower=0>[N] noise_{t.m}", f"noise_{t.m}", t.noise, "measurement noise")
        sb.par += [
            "// parameters for noise free variables",
            "vector[Mme_1] meanme_1;  // latent means",
            "vector<lower=0>[Mme_1] sdme_1;  // latent SDs",
        ]
        if cor:
            _stan_correlated(sb, owned, p)
        else:
            sb.par += [f"vector[N] zme_{t.m};  // standardized latent values" for t in owned]
            sb.tpar_def += [f"vector[N] Xme_{t.m};  // actual latent values of {t.term.text}" for t in owned]
            sb.tpar_comp.append("// compute actual latent values")
            sb.tpar_comp += [f"Xme_{t.m} = meanme_1[{t.m}] + sdme_1[{t.m}] * zme_{t.m};" for t in owned]
        prior_statement(sb, "meanme_1", "meanme_1", p["meanme"], "Mme_1")
        prior_statement(sb, "sdme_1", "sdme_1", p["sdme"], "Mme_1", lower=0)
        if cor and p.get("corme") is not None:
            sb.data.append("// prior hyperparameter of the latent correlations")
            prior_statement(sb, "Lme_1", "Lme_1", [p["corme"]], None)
        sb.model_prior += [f"target += normal_lpdf(Xn_{t.m} | Xme_{t.m}, noise_{t.m});" for t in owned]
        if cor:
            sb.model_prior.append("target += std_normal_lpdf(to_vector(zme_1));")
        else:
            sb.model_prior += [f"target += std_normal_lpdf(zme_{t.m});" for t in owned]
        return sb

    def expression(self):
        return f"Xme_{self.m}"

    # -- draws and predictions
    def draws(self, params):
        out = []
        for t in self.owned:
            for par in ("meanme", "sdme"):
                name = f"{par}_{t.me_coef}"
                out.append((name, params[f"{par}_1"][..., t.m - 1], ParamInfo(name, "me", coef=t.me_coef)))
        if self.cor:
            corme = params["corme_1"]
            for p, name in enumerate(self.corme_names):
                out.append((name, corme[..., p], ParamInfo(name, "me", coef=name.removeprefix("corme__"))))
        return out

    def prior_draws(self, priors, sampler):
        out = {}
        for par, lower in (("meanme", None), ("sdme", 0.0)):
            for t, p in zip(self.owned, priors.get(par, [])):
                values = sampler.scalar(p, lower=lower)
                if values is not None:
                    out[f"prior_{par}_{t.me_coef}"] = values
        if self.cor:  # brms: one draw, the marginal of any correlation under lkj
            values = sampler.lkj_marginal(priors.get("corme"), len(self.owned))
            if values is not None:
                out["prior_corme"] = values
        return out

    def new_columns(self, data):
        return _values(self.term, data, f"'{self.term.text}' in newdata")  # (observed x, its sd)

    def value(self, param, columns=None):
        Xme = param(f"Xme_{self.m}")  # (S, N) latent values of the model data
        if columns is None:
            return Xme
        x, noise = columns
        rng = np.random.default_rng()
        return rng.normal(x[None, :], noise[None, :], size=(Xme.shape[0], len(x)))


def _stan_correlated(sb, owned: list[MeTerm], priors: dict) -> None:
    """Parameters and latent values of correlated me() terms (brms's ``set_mecor(TRUE)`` code)."""
    sb.declare("int<lower=1> NCme_1", "NCme_1", len(owned) * (len(owned) - 1) // 2, "number of latent correlations")
    sb.par += [
        "matrix[Mme_1, N] zme_1;  // standardized latent values",
        "cholesky_factor_corr[Mme_1] Lme_1;  // cholesky factor of the latent correlation matrix",
    ]
    sb.tpar_def.append("matrix[N, Mme_1] Xme1;  // actual latent values")
    sb.tpar_def += [f"vector[N] Xme_{t.m};  // actual latent values of {t.term.text}" for t in owned]
    sb.tpar_comp += [
        "// compute actual latent values (correlated)",
        "Xme1 = rep_matrix(transpose(meanme_1), N) + transpose(diag_pre_multiply(sdme_1, Lme_1) * zme_1);",
    ]
    sb.tpar_comp += [f"Xme_{t.m} = Xme1[, {t.m}];" for t in owned]
    names = dict(Cor="Corme_1", cor="corme_1", M="Mme_1")
    sb.gen_def += stan_lines("correlations", "declare", comment="obtain the latent correlation matrix", NC="NCme_1",
                             L="Lme_1", **names)
    sb.gen_comp += stan_lines("correlations", "extract", what="the latent correlation matrix", **names)
