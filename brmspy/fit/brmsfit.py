"""The fitted-model object :class:`BrmsFit` and its brms-named accessors."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..backends import Draws, SampleConfig
from ..codegen.api import ModelBuild
from ..core.types import ParamInfo
from ..frame.types import ModelFrame, group_label
from ..priors.table import ResolvedPriors
from . import arviz_io
from .convergence import Convergence
from .naming import brms_draws
from .summary import BrmsSummary

if TYPE_CHECKING:  # matplotlib is imported when a figure is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from xarray import DataArray, DataTree


@dataclass
class BrmsFit:
    """A fitted brms model: inputs, generated program, draws and backend information.

    Create one with :func:`brmspy.brm`.  Its methods mirror brms's: ``summary``,
    ``fixef``, ``ranef``, ``coef``, ``VarCorr``, ``prior_summary``, ``draws``,
    ``to_arviz``, ``stancode``, ``standata``, ``nobs``, ``ngrps``, ``ndraws``, and the
    post-processing functions as methods (``fit.loo()`` is ``bp.loo(fit)``).

    Examples
    --------
    >>> import brmspy as bp
    >>> fit = bp.brm("Reaction ~ Days + (Days | Subject)", data=bp.datasets.load("sleepstudy"),
    ...              seed=1, refresh=0)                                  # doctest: +SKIP
    >>> fit.fixef()                                                      # doctest: +SKIP
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
        """The model frame (designs, responses, group-level blocks) built from the data."""
        return self.build.frame

    @property
    def row_labels(self) -> pd.Index:
        """The data's index labels of the model's rows (after NA removal; time order for ``ar()`` terms)."""
        labels = self.frame.row_labels
        return labels if labels is not None and len(labels) == self.frame.N else self.frame.data.index

    @property
    def priors(self) -> ResolvedPriors:
        """The priors of every parameter after resolution (user priors and brms's defaults)."""
        return self.build.priors

    @property
    def config(self) -> SampleConfig:
        """The sampler settings actually used (seed, warmup and cores filled in)."""
        return self.stan_draws.config

    @property
    def backend(self) -> str:
        """The backend that sampled the draws (``"stanli"``, ``"cmdstanpy"`` or ``"pystan"``)."""
        return self.stan_draws.backend

    @property
    def timings(self) -> dict[str, float]:
        """Seconds spent per phase (``"compile"``, ``"sample"``, ...)."""
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
        """brms name -> what the parameter is (its kind: ``"b"``, ``"sd"``, ``"cor"``, ``"r"``, ...)."""
        return self._named[1]

    def convergence(self, names: Sequence[str] | None = None) -> dict[str, Convergence]:
        """R-hat, bulk ESS and tail ESS per parameter, computed once per fit.

        The post-sampling warnings of :func:`~brmspy.brm` and every :meth:`summary` read these
        numbers; draws never change, so each parameter's are computed on first use and kept
        (a fit with other draws, such as a subset or a refit, is another object and computes its own).

        Parameters
        ----------
        names : brms parameter names (``"b_Intercept"``, ``"sd_Subject__Days"``, ``"lp__"``, ...);
            by default the parameters :meth:`summary` reports, and ``lp__``.

        Returns
        -------
        dict of str to Convergence
            Name -> ``Convergence(rhat, ess_bulk, ess_tail)`` (brms's ``Rhat``, ``Bulk_ESS``, ``Tail_ESS``).

        Examples
        --------
        >>> fit.convergence(["b_Days"])["b_Days"].rhat < 1.05    # doctest: +SKIP
        True
        """
        draws = self.draws_dict
        # keyed by the draw arrays themselves: a copy of the fit with other draws (its own draws_dict)
        # or a replaced entry of draws_dict is computed afresh
        memo: dict[str, tuple[np.ndarray, Convergence]] = self.__dict__.setdefault("_convergence", {})
        if names is None:
            from .diagnostics import checked_names  # the facade: verbs are imported when called

            names = checked_names(self)
        out = {}
        for n in names:
            x = draws[n]
            hit = memo.get(n)
            if hit is None or hit[0] is not x:
                hit = memo[n] = (x, arviz_io.rhat_ess(x))
            out[n] = hit[1]
        return out

    def stancode(self) -> str:
        """The Stan program that was sampled (brms's ``stancode(fit)``).

        Examples
        --------
        >>> print(fit.stancode()[:200])        # doctest: +SKIP
        """
        return self.build.code

    def standata(self) -> dict[str, Any]:
        """The data passed to Stan (brms's ``standata(fit)``).

        Examples
        --------
        >>> fit.standata()["N"]                # doctest: +SKIP
        180
        """
        return self.build.data

    def nobs(self) -> int:
        """Number of observations used (after NA removal).

        Examples
        --------
        >>> fit.nobs()                         # doctest: +SKIP
        180
        """
        return self.frame.N

    def ngrps(self) -> dict[str, int]:
        """Number of levels per grouping factor.

        Examples
        --------
        >>> fit.ngrps()                        # doctest: +SKIP
        {'Subject': 18}
        """
        return {group_label(b): b.N_levels for b in self.frame.blocks}

    def ndraws(self) -> int:
        """Total post-warmup draws over all chains.

        Examples
        --------
        >>> fit.ndraws()                       # doctest: +SKIP
        4000
        """
        return self.stan_draws.nchains * self.stan_draws.ndraws

    # ------------------------------------------------------------ tables
    def summary(self, prob: float = 0.95) -> BrmsSummary:
        """brms's summary; print it, or use its ``.population``/``.group``/``.family`` DataFrames.

        Parameters
        ----------
        prob : probability of the credible intervals.

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

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def fixef(self, prob: float = 0.95) -> pd.DataFrame:
        """Population-level effects: Estimate, Est.Error and the ``prob`` interval (brms's ``fixef``).

        Parameters
        ----------
        prob : probability of the credible intervals.

        Examples
        --------
        >>> fit.fixef().loc["Days", "Estimate"]   # doctest: +SKIP
        10.47
        """
        from .tables import fixef

        return fixef(self, prob)

    def ranef(self, prob: float = 0.95) -> dict[str, pd.DataFrame]:
        """Group-level effects per grouping factor, as deviations from the population level (brms's ``ranef``).

        Parameters
        ----------
        prob : probability of the credible intervals.

        Returns
        -------
        dict of str to DataFrame
            Grouping factor -> a table with one row per level and a column block per coefficient.

        Examples
        --------
        >>> fit.ranef()["Subject"]["Days"].head()   # doctest: +SKIP
        """
        from .tables import ranef

        return ranef(self, prob)

    def coef(self, prob: float = 0.95) -> dict[str, pd.DataFrame]:
        """Population-level plus group-level effects per level (brms's ``coef``).

        Parameters
        ----------
        prob : probability of the credible intervals.

        Examples
        --------
        >>> fit.coef()["Subject"]["Days"].head()    # doctest: +SKIP
        """
        from .tables import coef

        return coef(self, prob)

    def VarCorr(self, prob: float = 0.95) -> dict[str, dict[str, pd.DataFrame]]:  # noqa: N802 - brms's name
        """Standard deviations and correlations of the group-level effects (brms's ``VarCorr``).

        Parameters
        ----------
        prob : probability of the credible intervals.

        Returns
        -------
        dict
            Grouping factor (and ``"residual__"``) -> ``{"sd": DataFrame, "cor": ..., "cov": ...}``.

        Examples
        --------
        >>> fit.VarCorr()["Subject"]["sd"]          # doctest: +SKIP
        """
        from .tables import varcorr

        return varcorr(self, prob)

    def prior_summary(self) -> pd.DataFrame:
        """The priors used, in brms's table layout (brms's ``prior_summary``).

        Examples
        --------
        >>> fit.prior_summary()                     # doctest: +SKIP
        """
        from .tables import prior_summary

        return prior_summary(self)

    # ------------------------------------------------------------- draws
    def draws(self, variables: list[str] | None = None) -> pd.DataFrame:
        """Posterior draws as a DataFrame with brms names plus ``.chain``, ``.iteration``, ``.draw``.

        brms's ``as_draws_df(fit)``.

        Parameters
        ----------
        variables : brms names of the columns to return (default: every variable).

        Examples
        --------
        >>> fit.draws(["b_Days", "sigma"]).describe()   # doctest: +SKIP
        """
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

    def to_arviz(self, log_likelihood: bool = True, posterior_predictive: bool = True, seed: int | None = None,
                 chunk_size: int | None = None) -> "DataTree":
        """An ArviZ DataTree of the fit, following ArviZ's conventions with brms's names.

        Groups: ``posterior`` (brms names; group-level effects as one variable per grouping factor,
        ``r_Subject`` with dims ``("Subject", "coef")`` and the levels and coefficient names as
        coordinates), ``sample_stats``, ``observed_data`` (the response, named after its column),
        ``posterior_predictive`` and ``log_likelihood`` (the same name and dims), and ``constant_data``
        (the other columns of the model's rows).  The observation dim ``obs`` has the data's index
        as coordinates (the rows used, after NA removal).  ``az.loo``, ``az.compare`` and
        ``az.plot_ppc_dist`` work on the result; ``az.loo`` agrees with :func:`brmspy.loo` to a few
        hundredths (ArviZ takes one relative efficiency for all observations, loo and brms one per
        observation), exactly with ``az.loo(tree, log_weights=lw, pareto_k=k)`` and
        ``lw, k = brmspy.psis(fit)``.  The two predictive groups hold draws × observations each: for very large
        data turn them off or give ``chunk_size``.

        Parameters
        ----------
        log_likelihood : add the pointwise log-likelihood (:func:`brmspy.log_lik`).
        posterior_predictive : add draws of :func:`brmspy.posterior_predict`.
        seed : random seed of the posterior predictive draws.
        chunk_size : observations per chunk for the log-likelihood and predictions (memory bound).

        Returns
        -------
        xarray.DataTree

        Examples
        --------
        >>> import arviz as az
        >>> tree = fit.to_arviz(seed=1)                        # doctest: +SKIP
        >>> az.summary(tree, var_names=["b_Days"])             # doctest: +SKIP
        >>> az.loo(tree)                                       # doctest: +SKIP
        >>> lw, k = brmspy.psis(fit)                           # doctest: +SKIP
        >>> az.loo(tree, log_weights=lw, pareto_k=k)           # doctest: +SKIP
        >>> az.plot_forest(tree, var_names=["r_Subject"])      # doctest: +SKIP
        """
        draws, info = self.draws_dict, self.param_info
        stacked, dims, coords = arviz_io.stack_group_effects(draws, info)
        posterior = {k: v for k, v in draws.items() if k != "lp__" and k.split("[", 1)[0] not in stacked}
        posterior.update(stacked)
        index = self.row_labels
        coords["obs"] = list(index) if index.is_unique else list(range(len(index)))
        nchain = self.stan_draws.nchains
        responses = {r: rd.name for r, rd in self.frame.responses.items()}
        observed = {name: self.frame.responses[r].y for r, name in responses.items()}
        ll: dict[str, np.ndarray] = {}
        pp: dict[str, np.ndarray] = {}
        if log_likelihood or posterior_predictive:
            # prediction is a later stage: the facade imports its verbs when called
            from ..prediction.core import log_lik, posterior_predict

            for r, name in responses.items():
                resp = r or None
                if log_likelihood:
                    ll[name] = log_lik(self, resp=resp, chunk_size=chunk_size).reshape(nchain, -1, len(index))
                if posterior_predictive:
                    y = posterior_predict(self, resp=resp, seed=seed, chunk_size=chunk_size)
                    pp[name] = y.reshape(nchain, -1, len(index))
        for name in responses.values():
            dims[name] = ["obs"]
        constant = {}
        # a column named like a dimension of this group ("obs": the row labels) would be that dimension's
        # coordinate in the DataTree and clash with it: left out
        taken = {"chain", "draw", "obs"}
        for col in self.frame.data.columns:
            if col in observed or not isinstance(col, str) or col in taken:
                continue
            values = self.frame.data[col]
            constant[col] = (values.to_numpy(dtype=float) if pd.api.types.is_numeric_dtype(values)
                             and not pd.api.types.is_bool_dtype(values) else values.astype(str).to_numpy(dtype=str))
            dims[col] = ["obs"]
        return arviz_io.to_datatree(posterior, self.stan_draws.sampler_stats, observed,
                                    attrs={"backend": self.backend, "formula": str(self.formula)},
                                    log_likelihood=ll, posterior_predictive=pp, constant_data=constant,
                                    dims=dims, coords=coords)

    # ------------------------------------------- post-processing shortcuts
    # brms calls these as generics (``pp_check(fit)``); methods are the Python spelling.  Each has
    # the signature of its function (tests/package/test_docs.py checks that they stay the same); result types
    # of later stages (ConditionalEffects, HypothesisResult, ...) are ``Any`` here, as the facade does
    # not import later stages at module level.
    def plot(self, variable: str | Sequence[str] | None = None, regex: bool = False, *,
             variables: str | Sequence[str] | None = None) -> "Figure":
        """Trace and density plot per parameter (brms's ``plot(fit)``); see :func:`brmspy.plot_fit`.

        Examples
        --------
        >>> fig = fit.plot(variable="^b_", regex=True)   # doctest: +SKIP
        """
        from ..plots.mcmc import plot_fit

        return plot_fit(self, variable, regex, variables=variables)

    def pp_check(self, type: str = "dens_overlay", ndraws: int | None = None,  # noqa: A002 - brms's name
                 stat: "str | Callable" = "mean", group: str | None = None, seed: int | None = None,
                 ax: "Axes | None" = None, resp: str | None = None, **kw: Any) -> "Figure":
        """Posterior predictive check (brms's ``pp_check``); see :func:`brmspy.pp_check` for the types.

        Examples
        --------
        >>> fig = fit.pp_check(type="stat", stat="sd", seed=1)   # doctest: +SKIP
        """
        from ..plots.ppc import pp_check

        return pp_check(self, type, ndraws, stat, group, seed, ax, resp, **kw)

    def mcmc_plot(self, type: str = "intervals",  # noqa: A002 - brms's name
                  variable: str | Sequence[str] | None = None, regex: bool = False, prob: float | None = None,
                  prob_outer: float | None = None, lags: int = 20, ax: "Axes | None" = None, *,
                  variables: str | Sequence[str] | None = None) -> "Figure":
        """Plots of the draws and MCMC diagnostics (brms's ``mcmc_plot``); see :func:`brmspy.mcmc_plot`.

        Examples
        --------
        >>> fig = fit.mcmc_plot(type="trace", variable=["b_Days", "sigma"])   # doctest: +SKIP
        """
        from ..plots.mcmc import mcmc_plot

        return mcmc_plot(self, type, variable, regex, prob, prob_outer, lags, ax, variables=variables)

    def conditional_effects(self, effects: str | Sequence[str] | None = None,
                            conditions: pd.DataFrame | Mapping | None = None, re_formula: Any = "~ 0",
                            method: str = "posterior_epred", prob: float = 0.95, robust: bool = True,
                            resolution: int = 100, ndraws: int | None = None, dpar: str | None = None,
                            seed: int | None = None, resp: str | None = None) -> Any:
        """Conditional effects of predictors (brms's ``conditional_effects``); see :func:`brmspy.conditional_effects`.

        Examples
        --------
        >>> figs = fit.conditional_effects("Days").plot(points=True)   # doctest: +SKIP
        """
        from ..plots.effects import conditional_effects

        return conditional_effects(self, effects, conditions, re_formula, method, prob, robust, resolution, ndraws,
                                   dpar, seed, resp)

    def conditional_smooths(self, smooths: str | Sequence[str] | None = None,
                            int_conditions: Mapping[str, Sequence] | None = None, prob: float = 0.95,
                            resolution: int = 100, ndraws: int | None = None, seed: int | None = None,
                            robust: bool = True) -> Any:
        """The ``s()``/``t2()`` functions with credible bands; see :func:`brmspy.conditional_smooths`.

        Examples
        --------
        >>> figs = fit.conditional_smooths().plot()   # doctest: +SKIP
        """
        from ..plots.smooths import conditional_smooths

        return conditional_smooths(self, smooths, int_conditions, prob, resolution, ndraws, seed, robust)

    def loo(self, *fits: "BrmsFit", pointwise: bool = False, moment_match: bool = False, reloo: bool = False,
            compare: bool = True, k_threshold: float | None = None, reloo_args: dict[str, Any] | None = None,
            model_names: Sequence[str] | None = None, subsample: int | None = None,
            loo_approximation: str = "plpd", ndraws: int | None = None, chunk_size: int | None = None,
            seed: int | None = None, cores: int = 1, resp: str | None = None) -> Any:
        """PSIS leave-one-out cross-validation (brms's ``loo``); see :func:`brmspy.loo`.

        Examples
        --------
        >>> print(fit.loo())                         # doctest: +SKIP
        >>> fit.loo(reloo=True, reloo_args={"seed": 1})   # doctest: +SKIP
        """
        from ..criteria.ic import loo

        return loo(self, *fits, pointwise=pointwise, moment_match=moment_match, reloo=reloo, compare=compare,
                   k_threshold=k_threshold, reloo_args=reloo_args, model_names=model_names, subsample=subsample,
                   loo_approximation=loo_approximation, ndraws=ndraws, chunk_size=chunk_size, seed=seed, cores=cores,
                   resp=resp)

    def waic(self, *fits: "BrmsFit", compare: bool = True, model_names: Sequence[str] | None = None,
             ndraws: int | None = None, chunk_size: int | None = None, seed: int | None = None,
             resp: str | None = None) -> Any:
        """The widely applicable information criterion (brms's ``waic``); see :func:`brmspy.waic`.

        Examples
        --------
        >>> print(fit.waic())                        # doctest: +SKIP
        """
        from ..criteria.ic import waic

        return waic(self, *fits, compare=compare, model_names=model_names, ndraws=ndraws, chunk_size=chunk_size,
                    seed=seed, resp=resp)

    def hypothesis(self, hypothesis: "str | Sequence[str] | Mapping[str, str]", class_: str = "b",
                   group: str = "", scope: str = "standard", alpha: float = 0.05, robust: bool = False,
                   seed: int | None = None) -> Any:
        """Test hypotheses about parameters (brms's ``hypothesis``); see :func:`brmspy.hypothesis`.

        Examples
        --------
        >>> print(fit.hypothesis("Days > 5"))        # doctest: +SKIP
        """
        from ..criteria.hypotheses import hypothesis as _hypothesis

        return _hypothesis(self, hypothesis, class_, group, scope, alpha, robust, seed)

    def posterior_epred(self, newdata: pd.DataFrame | None = None, re_formula: Any = None,
                        ndraws: int | None = None, dpar: str | None = None, allow_new_levels: bool = False,
                        sample_new_levels: str = "uncertainty", seed: int | None = None, resp: str | None = None,
                        chunk_size: int | None = None, incl_autocor: bool = True, *,
                        output: str = "array") -> "np.ndarray | DataArray":
        """Draws of the expected response, draws × observations; see :func:`brmspy.posterior_epred`.

        ``output="xarray"`` labels them: dims ``chain``, ``draw``, ``obs`` (the rows' index).

        Examples
        --------
        >>> fit.posterior_epred(newdata=df.head(3)).shape   # doctest: +SKIP
        (4000, 3)
        >>> fit.posterior_epred(output="xarray").dims       # doctest: +SKIP
        ('chain', 'draw', 'obs')
        """
        from ..prediction.core import posterior_epred

        return posterior_epred(self, newdata, re_formula, ndraws, dpar, allow_new_levels, sample_new_levels, seed,
                               resp, chunk_size, incl_autocor, output=output)

    def posterior_predict(self, newdata: pd.DataFrame | None = None, re_formula: Any = None,
                          ndraws: int | None = None, allow_new_levels: bool = False,
                          sample_new_levels: str = "uncertainty", seed: int | None = None, resp: str | None = None,
                          chunk_size: int | None = None, incl_autocor: bool = True, *,
                          output: str = "array") -> "np.ndarray | DataArray":
        """Draws from the posterior predictive distribution; see :func:`brmspy.posterior_predict`.

        ``output="xarray"`` labels them: dims ``chain``, ``draw``, ``obs`` (the rows' index).

        Examples
        --------
        >>> fit.posterior_predict(ndraws=100, seed=1).shape   # doctest: +SKIP
        (100, 180)
        """
        from ..prediction.core import posterior_predict

        return posterior_predict(self, newdata, re_formula, ndraws, allow_new_levels, sample_new_levels, seed,
                                 resp, chunk_size, incl_autocor, output=output)

    def fitted(self, newdata: pd.DataFrame | None = None, prob: float = 0.95, re_formula: Any = None,
               ndraws: int | None = None, dpar: str | None = None, allow_new_levels: bool = False,
               sample_new_levels: str = "uncertainty", seed: int | None = None, resp: str | None = None,
               chunk_size: int | None = None, incl_autocor: bool = True) -> pd.DataFrame:
        """Summary of :meth:`posterior_epred` per observation (Estimate, Est.Error, interval); brms's ``fitted``.

        Parameters
        ----------
        newdata, re_formula, ndraws, dpar, allow_new_levels, sample_new_levels, seed, resp, chunk_size, incl_autocor
            as in :func:`brmspy.posterior_epred`.
        prob : probability of the interval.

        Examples
        --------
        >>> fit.fitted(newdata=df.head(3))            # doctest: +SKIP
        """
        from ..prediction.core import fitted

        return fitted(self, newdata, prob, re_formula=re_formula, ndraws=ndraws, dpar=dpar,
                      allow_new_levels=allow_new_levels, sample_new_levels=sample_new_levels, seed=seed, resp=resp,
                      chunk_size=chunk_size, incl_autocor=incl_autocor)

    def predict(self, newdata: pd.DataFrame | None = None, prob: float = 0.95, re_formula: Any = None,
                ndraws: int | None = None, allow_new_levels: bool = False, sample_new_levels: str = "uncertainty",
                seed: int | None = None, resp: str | None = None, chunk_size: int | None = None,
                incl_autocor: bool = True) -> pd.DataFrame:
        """Summary of :meth:`posterior_predict` per observation; brms's ``predict``.

        Parameters
        ----------
        newdata, re_formula, ndraws, allow_new_levels, sample_new_levels, seed, resp, chunk_size, incl_autocor
            as in :func:`brmspy.posterior_predict`.
        prob : probability of the interval.

        Examples
        --------
        >>> fit.predict(newdata=df.head(3), seed=1)   # doctest: +SKIP
        """
        from ..prediction.core import predict

        return predict(self, newdata, prob, re_formula=re_formula, ndraws=ndraws, allow_new_levels=allow_new_levels,
                       sample_new_levels=sample_new_levels, seed=seed, resp=resp, chunk_size=chunk_size,
                       incl_autocor=incl_autocor)


SAMPLE_PRIOR = ("no", "yes", "only")
