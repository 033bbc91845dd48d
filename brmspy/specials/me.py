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

Differences from brms: several me() terms are modelled as uncorrelated latent
variables (brms's ``set_mecor(FALSE)``; brms correlates them by default), and
``me(x, sdx, gr = g)`` is not supported.  Predictions on new data draw the
latent values from ``normal(x, sdx)`` of the new rows, as brms does when the
latent values are not available.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError, FormulaError
from .sp import SpTerm, eval_arg, sp_term


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


@sp_term("me")
@dataclass
class MeTerm(SpTerm):
    """``me(x, sdx)``: ``bsp[k] * Xme_m`` with ``m`` numbered over the whole model."""

    @classmethod
    def build(cls, term, prefix, data, formula):
        call = term.call
        if call.kwargs:
            keys = ", ".join(k for k, _ in call.kwargs)
            raise FormulaError(f"me() arguments {keys} are not supported; use 'me(x, sdx)' in {formula!r}.")
        if len(call.args) != 2:
            raise FormulaError(
                f"me() needs the measured variable and its known measurement error sd, e.g. 'me(x, sdx)'; "
                f"got '{term.text}' in {formula!r}."
            )
        t = cls(term, prefix, formula)
        t.info["Xn"], t.info["noise"] = _values(term, data, f"'{term.text}' in {formula!r}")
        return t

    @classmethod
    def link(cls, terms):
        """Number the latent variables over the model; the first me() term declares them all."""
        seen: dict[str, MeTerm] = {}
        for t in terms:
            t.info.pop("owned", None)
            key = t.term.text
            if key not in seen:
                seen[key] = t
                t.info["m"] = len(seen)
            else:
                t.info["m"] = seen[key].info["m"]
        terms[0].info["owned"] = list(seen.values())

    @property
    def m(self) -> int:
        return int(self.info["m"])

    @property
    def me_coef(self) -> str:
        """brms's name of the latent variable: ``me(x, sdx)`` -> ``mex``."""
        from ..frame import brms_name

        return "me" + brms_name(self.term.call.args[0])

    @property
    def owned(self) -> list["MeTerm"]:
        return self.info.get("owned", [])

    # -- priors: one set for the model, given by the declaring term
    def prior_rows(self, base):
        from ..priors import PriorRow

        rows = []
        if self.owned:
            rows.append(PriorRow("", "meanme", **base))
            rows += [PriorRow("", "meanme", coef=t.me_coef, **base) for t in self.owned]
            rows.append(PriorRow("", "sdme", lb="0", **base))
            rows += [PriorRow("", "sdme", coef=t.me_coef, **base) for t in self.owned]
        return rows

    def resolve_priors(self, lookup):
        if not self.owned:
            return {}
        return {
            "meanme": [lookup(("meanme", t.me_coef), ("meanme", "")) for t in self.owned],
            "sdme": [lookup(("sdme", t.me_coef), ("sdme", "")) for t in self.owned],
        }

    def flat_parameters(self, priors):
        return [f"{par}_{t.me_coef}" for par in ("meanme", "sdme") for t, p in zip(self.owned, priors.get(par, []))
                if p is None]

    # -- code
    @classmethod
    def stan_kind(cls, terms, priors):
        from ..codegen.blocks import StanBlocks
        from ..codegen.pieces import prior_statement

        sb = StanBlocks()
        owner = next((j for j, t in enumerate(terms) if t.owned), None)
        if owner is None:
            return sb  # declared by the first me() term of the model
        owned, p = terms[owner].owned, priors[owner]
        sb.data.append("// data for noise-free variables")
        sb.declare("int<lower=1> Mme_1", "Mme_1", len(owned), "number of latent variables")
        for t in owned:
            sb.declare(f"vector[N] Xn_{t.m}", f"Xn_{t.m}", t.info["Xn"], f"noisy values of {t.term.text}")
            sb.declare(f"vector<lower=0>[N] noise_{t.m}", f"noise_{t.m}", t.info["noise"], "measurement noise")
        sb.par += [
            "// parameters for noise free variables",
            "vector[Mme_1] meanme_1;  // latent means",
            "vector<lower=0>[Mme_1] sdme_1;  // latent SDs",
        ]
        sb.par += [f"vector[N] zme_{t.m};  // standardized latent values" for t in owned]
        sb.tpar_def += [f"vector[N] Xme_{t.m};  // actual latent values of {t.term.text}" for t in owned]
        sb.tpar_comp.append("// compute actual latent values")
        sb.tpar_comp += [f"Xme_{t.m} = meanme_1[{t.m}] + sdme_1[{t.m}] * zme_{t.m};" for t in owned]
        prior_statement(sb, "meanme_1", "meanme_1", p["meanme"], "Mme_1")
        prior_statement(sb, "sdme_1", "sdme_1", p["sdme"], "Mme_1", lower=0)
        sb.model_prior += [f"target += normal_lpdf(Xn_{t.m} | Xme_{t.m}, noise_{t.m});" for t in owned]
        sb.model_prior += [f"target += std_normal_lpdf(zme_{t.m});" for t in owned]
        return sb

    def expression(self):
        return f"Xme_{self.m}"

    # -- draws and predictions
    def draws(self, params):
        from ..naming import ParamInfo

        out = []
        for t in self.owned:
            for par in ("meanme", "sdme"):
                name = f"{par}_{t.me_coef}"
                out.append((name, params[f"{par}_1"][..., t.m - 1], ParamInfo(name, "me", coef=t.me_coef)))
        return out

    def value(self, param, data):
        Xme = param(f"Xme_{self.m}")  # (S, N) latent values of the model data
        if data is None:
            return Xme
        x, noise = _values(self.term, data, f"'{self.term.text}' in newdata")
        rng = np.random.default_rng()
        return rng.normal(x[None, :], noise[None, :], size=(Xme.shape[0], len(x)))
