"""The fitted-model object :class:`BrmsFit` and its brms-named accessors."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ..backends import Draws, SampleConfig
from ..codegen.api import ModelBuild
from ..core.types import ParamInfo
from ..formula.prefix import resp_suffix
from ..frame.types import ModelFrame, group_label
from ..priors.table import ResolvedPriors
from . import arviz_io
from .naming import brms_draws
from .summary import BrmsSummary


@dataclass
class BrmsFit:
    """A fitted brms model: inputs, generated program, draws and backend information.

    Create one with :func:`brmspy.brm`.  Its methods mirror brms's: ``summary``,
    ``fixef``, ``ranef``, ``coef``, ``VarCorr``, ``prior_summary``, ``draws``,
    ``to_arviz``, ``stancode``, ``standata``, ``nobs``, ``ngrps``, ``ndraws``.
    """

    formula: Any
    family: Any
    data: pd.DataFrame
    prior: Any
    build: ModelBuild
    stan_draws: Draws
    data_name: str = "data"
    sample_prior: str = "no"
    prior_draws: dict[str, np.ndarray] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)  # sampling arguments, for update()/file_refit
    data2: dict[str, Any] | None = None  # brm(data2=...): e.g. known covariance matrices

    # ------------------------------------------------------------ basics
    @property
    def frame(self) -> ModelFrame:
        return self.build.frame

    @property
    def priors(self) -> ResolvedPriors:
        return self.build.priors

    @property
    def config(self) -> SampleConfig:
        return self.stan_draws.config

    @property
    def backend(self) -> str:
        return self.stan_draws.backend

    @property
    def timings(self) -> dict[str, float]:
        return self.stan_draws.timings

    @cached_property
    def _named(self) -> tuple[dict[str, np.ndarray], dict[str, ParamInfo]]:
        draws, info = brms_draws(self.frame, self.stan_draws.params, self.stan_draws.sampler_stats)
        for name, values in self.prior_draws.items():
            draws[name] = values
            info[name] = ParamInfo(name, "prior")
        return draws, info

    @property
    def draws_dict(self) -> dict[str, np.ndarray]:
        """brms name -> draws shaped (chain, draw)."""
        return self._named[0]

    @property
    def param_info(self) -> dict[str, ParamInfo]:
        return self._named[1]

    def stancode(self) -> str:
        """The Stan program that was sampled."""
        return self.build.code

    def standata(self) -> dict[str, Any]:
        """The data passed to Stan."""
        return self.build.data

    def nobs(self) -> int:
        """Number of observations used (after NA removal)."""
        return self.frame.N

    def ngrps(self) -> dict[str, int]:
        """Number of levels per grouping factor."""
        return {group_label(b): b.N_levels for b in self.frame.blocks}

    def ndraws(self) -> int:
        """Total post-warmup draws over all chains."""
        return self.stan_draws.nchains * self.stan_draws.ndraws

    # ------------------------------------------------------------ tables
    def summary(self, prob: float = 0.95) -> BrmsSummary:
        """brms's summary; print it, or use its ``.population``/``.group``/``.family`` DataFrames.

        Examples
        --------
        >>> fit = brm("Reaction ~ Days + (Days | Subject)", data=df)   # doctest: +SKIP
        >>> print(fit.summary())                                        # doctest: +SKIP
        """
        from .tables import summarize  # the facade: verbs are imported when called

        return summarize(self, prob)

    def __str__(self) -> str:
        return str(self.summary())

    def __repr__(self) -> str:
        return str(self.summary())

    def fixef(self, prob: float = 0.95) -> pd.DataFrame:
        from .tables import fixef

        return fixef(self, prob)

    def ranef(self, prob: float = 0.95) -> dict[str, pd.DataFrame]:
        from .tables import ranef

        return ranef(self, prob)

    def coef(self, prob: float = 0.95) -> dict[str, pd.DataFrame]:
        from .tables import coef

        return coef(self, prob)

    def VarCorr(self, prob: float = 0.95) -> dict[str, dict[str, pd.DataFrame]]:  # noqa: N802 - brms's name
        from .tables import varcorr

        return varcorr(self, prob)

    def prior_summary(self) -> pd.DataFrame:
        from .tables import prior_summary

        return prior_summary(self)

    # ------------------------------------------------------------- draws
    def draws(self, variables: list[str] | None = None) -> pd.DataFrame:
        """Posterior draws as a DataFrame with brms names plus ``.chain``, ``.iteration``, ``.draw``."""
        d = self.draws_dict
        names = list(d) if variables is None else variables
        missing = [n for n in names if n not in d]
        if missing:
            raise KeyError(f"Unknown variable(s) {missing}; available: {', '.join(list(d)[:20])}, ...")
        nchain, ndraw = self.stan_draws.nchains, self.stan_draws.ndraws
        out = pd.DataFrame({n: d[n].reshape(-1) for n in names})
        out[".chain"] = np.repeat(np.arange(1, nchain + 1), ndraw)
        out[".iteration"] = np.tile(np.arange(1, ndraw + 1), nchain)
        out[".draw"] = np.arange(1, nchain * ndraw + 1)
        return out

    def to_arviz(self):
        """An ArviZ DataTree with brms-named posterior, sampler stats and observed data."""
        posterior = {k: v for k, v in self.draws_dict.items() if k != "lp__"}
        observed = {f"Y{resp_suffix(r)}": rd.y for r, rd in self.frame.responses.items()}
        return arviz_io.to_datatree(posterior, self.stan_draws.sampler_stats, observed,
                                    attrs={"backend": self.backend, "formula": str(self.formula)})

    # ------------------------------------------- post-processing shortcuts
    # brms calls these as generics (``pp_check(fit)``); methods are the Python spelling.
    def plot(self, variable: str | list[str] | None = None, regex: bool = False, *,
             variables: str | list[str] | None = None):
        """Trace and density plot per parameter (brms's ``plot(fit)``); returns the Figure."""
        from ..plots.mcmc import plot_fit

        return plot_fit(self, variable, regex, variables=variables)

    def pp_check(self, type: str = "dens_overlay", **kwargs: Any):  # noqa: A002 - brms's name
        from ..plots.ppc import pp_check

        return pp_check(self, type, **kwargs)

    def mcmc_plot(self, type: str = "intervals", **kwargs: Any):  # noqa: A002
        from ..plots.mcmc import mcmc_plot

        return mcmc_plot(self, type, **kwargs)

    def conditional_effects(self, effects: Any = None, **kwargs: Any):
        from ..plots.effects import conditional_effects

        return conditional_effects(self, effects, **kwargs)

    def conditional_smooths(self, smooths: Any = None, **kwargs: Any):
        """The estimated ``s()``/``t2()`` functions with credible bands (see :func:`brmspy.conditional_smooths`)."""
        from ..plots.smooths import conditional_smooths

        return conditional_smooths(self, smooths, **kwargs)

    def loo(self, **kwargs: Any):
        from ..criteria.ic import loo

        return loo(self, **kwargs)

    def waic(self, **kwargs: Any):
        from ..criteria.ic import waic

        return waic(self, **kwargs)

    def hypothesis(self, hypothesis: Any, **kwargs: Any):
        from ..criteria.hypotheses import hypothesis as _hypothesis

        return _hypothesis(self, hypothesis, **kwargs)

    def posterior_epred(self, newdata: pd.DataFrame | None = None, **kwargs: Any) -> np.ndarray:
        from ..prediction.core import posterior_epred

        return posterior_epred(self, newdata, **kwargs)

    def posterior_predict(self, newdata: pd.DataFrame | None = None, **kwargs: Any) -> np.ndarray:
        from ..prediction.core import posterior_predict

        return posterior_predict(self, newdata, **kwargs)

    def fitted(self, newdata: pd.DataFrame | None = None, **kwargs: Any) -> pd.DataFrame:
        from ..prediction.core import fitted

        return fitted(self, newdata, **kwargs)

    def predict(self, newdata: pd.DataFrame | None = None, **kwargs: Any) -> pd.DataFrame:
        from ..prediction.core import predict

        return predict(self, newdata, **kwargs)


SAMPLE_PRIOR = ("no", "yes", "only")
