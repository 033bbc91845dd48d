"""``brm()``: build the model, pick a backend, sample, and return a :class:`BrmsFit`."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any, Callable, Iterable

import pandas as pd

from ..backends import ALGORITHM_LABELS, SampleConfig, StanData, choose_backend, get_backend, prefetch_backend
from ..backends.base import _is_int
from ..backends.marginal_laplace import MARGINAL_LABEL, MARGINAL_TIMING, IntegratedEffects, glmm_structure
from ..backends.warmstart import resolve_warm_start
from ..codegen.api import build_model
from ..families.custom import StanVars
from ..core.frames import as_pandas
from ..core.errors import PriorError, SamplerWarning, SamplingError, warn
from ..families import Family, brmsfamily
from ..formula import BrmsFormula, MvBrmsFormula
from ..priors.spec import Prior
from .brmsfit import SAMPLE_PRIOR, BrmsFit
from .diagnostics import link_hint, warn_diagnostics  # noqa: F401  (warn_diagnostics: brm's warnings)

logger = logging.getLogger("brmspy")

FILE_REFIT = ("never", "always", "on_change")
# Compiled models by (backend, program): update() and refits with the same
# structure reuse them within a session (PyStan/CmdStan also cache on disk).
_COMPILED: dict[tuple[str, str], Any] = {}


def brm(
    formula: "str | BrmsFormula | MvBrmsFormula",
    data: pd.DataFrame,
    family: "str | Family | None" = None,
    prior: "Prior | Iterable[Prior] | pd.DataFrame | None" = None,
    *,
    chains: int = 4,
    iter: int = 2000,  # noqa: A002 - brms's name
    warmup: int | None = None,
    thin: int = 1,
    cores: int | None = None,
    seed: int | None = None,
    init: float | dict | list[dict] | None = None,
    control: dict | None = None,
    refresh: int | None = None,
    backend: str = "auto",
    sample_prior: str = "no",
    file: str | Path | None = None,
    file_refit: str = "never",
    save_model: str | Path | None = None,
    data_name: str | None = None,
    data2: dict[str, Any] | None = None,
    stanvars: "StanVars | None" = None,
    reduce: bool | str = "auto",
    threads: int | None = None,
    centered: bool | str = "auto",
    warm_start: bool | str = "auto",
    algorithm: str = "sampling",
) -> BrmsFit:
    """Fit a Bayesian (multilevel) regression model with Stan, as brms's ``brm``.

    Parameters
    ----------
    formula : model formula in brms syntax, or :func:`~brmspy.bf` for distributional models.
    data : pandas DataFrame with the variables.
    family : family name (``"poisson"``) or object (``poisson(link="log")``); gaussian by default.
    prior : priors from :func:`~brmspy.prior`, combined with ``+``, or a get_prior-style DataFrame.
    chains, iter, warmup, thin : Markov chains and iterations per chain (warmup defaults to ``iter // 2``).
    cores : chains run in parallel (default: as many as there are cores).
    seed : random seed; the same seed gives the same draws on the same backend.
    init : init radius (``0`` for zeros), a dict of initial values, or a list of dicts per chain.
    control : ``{"adapt_delta": 0.8, "max_treedepth": 10}``.
    refresh : progress every ``refresh`` iterations; ``0`` is quiet (default ``iter // 10``). With
        stanli a progress bar per chain (tqdm; a widget in notebooks with ``brmspy-stan[notebook]``)
        appears for fits longer than two seconds; CmdStan and PyStan print their own lines.
    backend : ``"auto"`` (nutpie when installed and NUTS runs on 10,000+ rows without ``init``/``threads``/
        ``warm_start=True``; else stanli, else cmdstanpy, else pystan), ``"stanli"``, ``"pystan"``, ``"cmdstanpy"`` or
        ``"nutpie"`` (nutpie's sampler on stanli's runtime, no compile; ``pip install "brmspy-stan[nutpie]"``).
    algorithm : brms's ``"sampling"`` (NUTS, default), ``"meanfield"`` / ``"fullrank"`` (ADVI with ``iter``
        iterations), ``"pathfinder"`` (``chains`` paths), ``"laplace"`` (normal at the mode) or
        ``"fixed_param"``. The four approximations (stanli and CmdStan; ``"auto"`` picks stanli) return 1000
        draws as one chain, with a warning that they approximate the posterior; ``fixed_param`` runs
        on CmdStan and PyStan.
    sample_prior : ``"no"``, ``"yes"`` (add ``prior_*`` draws) or ``"only"`` (sample the prior alone).
    file : save the fit to ``file`` (``.nc``) and load it from there next time instead of refitting.
        The path is checked before sampling (a directory, a parent that is a file or a read-only
        location is a :class:`~brmspy.core.errors.FitFileError` at once); the file is written atomically,
        and if saving fails after sampling the fit is returned with a warning.
    file_refit : ``"never"``, ``"always"`` or ``"on_change"`` (refit when code, data or settings differ).
        With ``"never"`` or ``"on_change"`` a file that is not a readable brmspy fit (corrupt,
        foreign, newer format) is a :class:`~brmspy.core.errors.FitFileError`, never overwritten;
        ``"always"`` refits and overwrites it.
    save_model : also write the Stan program to this path.
    data_name : the data set's name in the summary (default ``"data"``).
    data2 : data that are not columns of ``data``, e.g. ``{"A": A}`` for the known covariance
        matrix of ``gr(g, cov = A)`` (a DataFrame with rows and columns named by the levels).
    stanvars : user Stan code and data from :func:`~brmspy.stanvar` (combined with ``+``), e.g. the
        density of a :func:`~brmspy.custom_family`; placed as text and checked by stanc.
    reduce : exact likelihood reductions: ``"auto"`` (default) uses one where it is exact and
        saves work (gaussian sufficient statistics, collapsed bernoulli/binomial/poisson
        covariate patterns, canonical-link sufficient statistics for ``sum(Y .* mu)`` of poisson and
        binomial models, negative binomial ``lgamma(Y + shape)`` over distinct counts) and, from
        1000 rows, lean row-wise forms (data-only constants summed once); ``True`` reduces
        wherever it is exact; ``False`` always writes brms's row-wise program. The posterior is
        the same; :func:`~brmspy.make_stancode` shows the program used.
    threads : threads per chain (``reduce_sum`` within-chain parallelism); default off. Above 1 the
        likelihood is summed over slices of rows (``grainsize`` in the Stan data, brms's default);
        structures it cannot split yet keep the row-wise program with a warning, and an exact
        reduction (``reduce``) is used instead where one applies. Pays off only for large data.
    centered : parameterization of group-level effects: ``"auto"`` (default) samples the effects
        ``r`` directly in blocks whose levels average 100+ rows (there the data pin each level down
        and brms's standardized ``z`` gives long trees), and lets a block's group intercept take in
        the population-level Intercept (hierarchical centering: the sampler moves
        ``a = Intercept + r``) when it is the only such block on the predictor. Gaussian models from
        1000 rows also center group intercepts whose levels the rows pin down (their variance at least
        their means' noise variance), and a centered group intercept nested in another (``d`` within ``dept``) is
        centered on its parent's means (``a_d = a_dept + r_d``); ``False`` is always
        brms's ``z``, ``True`` always centers. The posterior is the same either way
        (:mod:`brmspy.codegen.tuning`).
    warm_start : start warmup from the inverse curvature at the posterior mode (one L-BFGS search
        and one gradient per parameter) instead of the unit metric: ``"auto"`` (default) does so
        from 10,000 rows in programs without non-centered effects (``z_1``, ``zs_1_1``, ...) and
        without centered effects over levels of fewer than 100 rows, where the mode is near the
        posterior (below 10,000 rows, chains of a mixture or non-linear model would start near one
        mode); ``True`` / ``False`` always / never (``True`` warns where the mode was measured to
        mislead). Chains without ``init`` start near the mode, overdispersed; with non-centered
        effects those coordinates keep the unit metric and the chains start at Stan's inits. Warmup still adapts the metric, so
        the posterior is the same (:mod:`brmspy.backends.warmstart`). Any value but ``False`` also
        starts chains without ``init`` on the response's scale when the ``Intercept`` keeps brms's
        default ``student_t(3, loc, scale)`` prior and the response is not truncated: the temporary Intercept at ``loc + scale / 2.5 *
        uniform(-2, 2)`` (link of the response's median, its MAD of at least 2.5), every other
        coordinate at Stan's uniform(-2, 2), so the chains stay dispersed (sleepstudy: a third fewer gradients);
        ``False`` starts every coordinate as brms does. stanli only; other backends
        start from the unit metric, and so do fits in worker threads (stanli's optimizer runs only
        on the main thread) and the refits of ``kfold``, ``reloo``, ``sbc`` and ``brm_multiple``
        unless their arguments ask for it (so their results do not depend on the executor).

    Returns
    -------
    BrmsFit

    Examples
    --------
    >>> import brmspy as bp
    >>> df = bp.datasets.load("sleepstudy")
    >>> fit = bp.brm("Reaction ~ Days + (Days | Subject)", data=df, seed=1, refresh=0)  # doctest: +SKIP
    >>> fit.fixef()                                                                     # doctest: +SKIP
    """
    family = _family_object(family)  # the fit and its file keep a Family, not bp.poisson uncalled
    data = as_pandas(data, "data")  # polars, pyarrow, dicts of arrays: pandas from here on
    if sample_prior not in SAMPLE_PRIOR:
        raise SamplingError(f"sample_prior must be one of {SAMPLE_PRIOR}, got {sample_prior!r}.")
    if file_refit not in FILE_REFIT:
        raise SamplingError(f"file_refit must be one of {FILE_REFIT}, got {file_refit!r}.")
    if backend != "auto":
        get_backend(backend)  # an unknown name fails here, before the model is built
    if refresh is None:
        refresh = max(1, iter // 10) if _is_int(iter) else 1  # a bad iter is reported by the config below
    config = SampleConfig.from_kwargs(
        control=control, chains=chains, iter=iter, warmup=warmup, thin=thin, cores=cores, seed=seed, init=init,
        refresh=refresh, threads=1 if threads is None else threads, algorithm=algorithm,
    )
    _check_draws(config)
    if file is None or file_refit == "always":  # a saved fit may be returned without sampling
        prefetch_backend(backend, len(data), config, warm_start)  # nutpie's import, while the model is built
    build = build_model(formula, data, family, prior, data2, reduce, threads, centered, stanvars)
    if isinstance(formula, MvBrmsFormula) and formula.rescor is None:
        # brms keeps the validated formula: the fit (and its file) store the rescor default, so
        # update() and load_fit() rebuild the same model without repeating the default's message
        formula = dataclasses.replace(formula, rescor=bool(getattr(build.terms, "rescor", False)))
    try:
        levels = [b.N_levels for b in build.frame.blocks]
        use_warm_start = resolve_warm_start(warm_start, build.frame.N, build.generated.standardized,
                                            build.frame.N / max(levels) if levels else None)
    except ValueError as exc:
        raise SamplingError(str(exc)) from None
    # (resolve_warm_start has checked warm_start: "auto", True or False)
    intercept_start = (isinstance(warm_start, str) or bool(warm_start)) and intercept_start_applies(build)
    config = dataclasses.replace(config, warm_start=use_warm_start, intercept_start=intercept_start)
    settings = {"chains": chains, "iter": iter, "warmup": config.num_warmup, "thin": thin, "seed": seed,
                "control": {"adapt_delta": config.adapt_delta, "max_treedepth": config.max_treedepth},
                "sample_prior": sample_prior, "backend": backend, "reduce": reduce, "threads": threads,
                "centered": centered, "warm_start": warm_start}
    if algorithm != "sampling":  # only then, so NUTS fits keep the settings of earlier versions
        settings["algorithm"] = algorithm
    if save_model is not None:
        Path(save_model).write_text(build.code, encoding="utf-8")

    path = None
    if file is not None:
        from . import storage  # only for fits kept in a file: a fit without one does not load it

        path = storage.fit_path(file)
    if path is not None and path.is_dir():
        storage.check_writable(path)  # FitFileError: a directory is not a fit file
    if path is not None and file_refit != "always" and path.exists():
        # a file that is not a readable brmspy fit is an error here, never overwritten: it may be
        # someone's data (file_refit="always" overwrites it)
        # a custom family's Python functions and the stanvars' code are not in the file: the call's are used
        customs = list(storage.custom_families_in(formula, family).values()) or None
        if file_refit == "never":
            return storage.load_fit(path, family=customs, stanvars=stanvars)
        meta = storage.read_meta(path, family=customs)
        same = (
            meta["code_sha256"] == build.code_hash
            and meta["data_sha256"] == storage.data_fingerprint(build.data)
            and meta["settings"] == settings
        )
        if same:
            return storage.load_fit(path, family=customs, stanvars=stanvars)
        logger.info("Refitting: the saved fit in %s differs in code, data or settings.", path)

    inputs = None
    if path is not None:
        # before sampling: an unwritable path or data that cannot be stored fail now, not after the fit
        storage.check_writable(path)
        inputs = storage.encode_inputs(formula, family, prior, data, data2, stanvars)
    fit = _sample(build, formula, family, data, prior, config, backend, sample_prior, settings,
                  data_name or "data", data2)
    if path is not None:
        storage.save_or_warn(fit, path, inputs)  # on failure: a warning with save_fit(), the fit is returned
    return fit


def _check_draws(config: SampleConfig) -> None:
    """``thin`` must leave at least two draws per chain (one draw has no variance, no Rhat, no ESS)."""
    if config.thin > 1 and config.num_draws < 2:
        n = config.num_samples
        raise SamplingError(
            f"thin = {config.thin} keeps {config.num_draws} draw per chain from the {n} post-warmup iterations "
            f"(iter - warmup = {config.iter} - {config.num_warmup}); at least 2 are needed for any summary. "
            f"Use thin <= {max(1, n // 2)} or more iterations (iter=)."
        )


def _family_object(family: Any) -> Any:
    """``family=bp.poisson`` (the function, as ``family = poisson`` in R) becomes ``poisson()``."""
    if isinstance(family, (list, tuple)):
        return type(family)(_family_object(f) for f in family)
    if callable(family) and not isinstance(family, Family):
        return brmsfamily(family)
    return family


def _glmm_structure(build, stan_data: dict[str, Any], rowwise: Callable[[], Any] | None = None) -> Any:
    """The GLMM structure stanli's marginal Laplace approximation needs, or why this model has none.

    A ``gaussian_marginal`` program (``reduce="auto"`` from 1000 rows, one grouping factor) has the
    group effects integrated out exactly: the normal at its mode is the marginal approximation. Other
    reductions keep the group effects as parameters; where their data summarise the rows the structure
    is read from (``gaussian_suffstats``, ``collapse``), ``rowwise()`` builds the row-wise program
    (``reduce=False``) for its data, and the approximation runs on the reduced program's density
    (the same parameters, and the same density up to a constant).
    """
    reduction = build.generated.reduction
    if reduction == "gaussian_marginal" and not int(stan_data.get("prior_only", 0)):
        return IntegratedEffects(reduction)
    terms = build.frame.response_terms
    if len(terms) != 1:
        return "a multivariate model"
    fam = terms[0].family
    found = glmm_structure(fam.name, str(fam.link), stan_data)
    if isinstance(found, str) and reduction is not None and rowwise is not None:
        rw = rowwise()
        return _glmm_structure(rw, {**rw.data, "prior_only": stan_data.get("prior_only", 0)})
    return found


def intercept_start_applies(build: Any) -> bool:
    """Whether ``brm()``'s chains start the temporary Intercept on the response's scale
    (:func:`brmspy.backends.warmstart.intercept_inits`; ``warm_start`` other than ``False``).

    Only for a univariate response whose ``Intercept`` keeps brms's default prior (its location and
    scale are the link of the response's median and its MAD; a user's prior scale can be far wider),
    and not for a truncated response: a capped response fitted with ``trunc(ub=)`` has a second mode
    at huge rates, which chains started nearer the data's upper range reached in 3 of 4 seeds
    against 2 of 4 from Stan's start (``benchmarks/ess_set.py``'s truncated poisson).
    """
    response = build.frame.responses.get("")
    if response is None or (response.adds is not None and response.adds.truncated):
        return False
    rows = [r for r in build.priors.table if r.class_ == "Intercept" and not (r.coef or r.group or r.resp
                                                                             or r.dpar or r.nlpar)]
    return len(rows) == 1 and rows[0].source == "default" and rows[0].prior.startswith("student_t(")


def _sample(build, formula, family, data, prior, config: SampleConfig, backend: str, sample_prior: str,
            settings: dict, data_name: str, data2: dict[str, Any] | None = None) -> BrmsFit:
    stan_data = dict(build.data)
    if sample_prior == "only":
        from ..priors.draws import flat_parameters  # prior draws: only for sample_prior

        flat = flat_parameters(build.frame, build.priors)
        if flat:
            first = flat[0]
            class_ = "Intercept" if first.startswith("Intercept") else first.split("_", 1)[0]
            raise PriorError(  # brms's message (make_stancode with sample_prior = "only"), then the names
                "Sampling from priors is not possible as some parameters have no proper priors: sampling from "
                f"the priors alone needs proper priors on every parameter, but these have flat priors: "
                f"{', '.join(flat)}. Set e.g. prior('normal(0, 10)', class_={class_!r})."
            )
        stan_data["prior_only"] = 1
    stan_data = StanData(stan_data)  # final: choosing the backend and sampling share one JSON encoding
    choice = choose_backend(build.code, backend, stan_data, verbose=config.refresh > 0, algorithm=config.algorithm,
                            n_rows=build.frame.N, config=config, warm_start=settings.get("warm_start", "auto"))
    chosen = choice.backend
    key = (chosen.name, build.code_hash)
    model = choice.model or _COMPILED.get(key)  # "auto" compiled the program while choosing
    if model is None:
        model = chosen.compile(build.code)
    _COMPILED[key] = model
    try:
        if config.algorithm == "laplace" and chosen.name == "stanli":
            def rowwise():  # the row-wise program's data, for a reduced program's structure
                return build_model(formula, data, family, prior, data2, False, settings.get("threads"),
                                   settings.get("centered", "auto"), build.stanvars)

            draws = chosen.sample(model, stan_data, config, glmm=_glmm_structure(build, stan_data, rowwise))
        else:
            draws = chosen.sample(model, stan_data, config)
    except SamplingError as exc:
        hint = link_hint(build) if "initiali" in str(exc).lower() else None
        if hint is None:
            raise
        raise SamplingError(f"{exc}\n{hint}") from None
    if config.approximate:
        label = MARGINAL_LABEL if MARGINAL_TIMING in draws.timings else ALGORITHM_LABELS[config.algorithm]
        warn(
            f"algorithm={config.algorithm!r}: the draws come from {label}, an "
            "approximation of the posterior, not from MCMC; check results that matter with algorithm='sampling'.",
            SamplerWarning,
        )
    prior_draws = {}
    if sample_prior == "yes":
        shape = (draws.nchains, draws.ndraws)
        from ..priors.draws import draw_priors  # sample_prior="yes" only

        prior_draws = draw_priors(build.frame, build.priors, shape, draws.config.seed)
    fit = BrmsFit(formula, family, data, prior, build, draws, data_name, sample_prior, prior_draws, settings,
                  data2)
    warn_diagnostics(fit)
    return fit


def update(fit: BrmsFit, newdata: pd.DataFrame | None = None, formula: Any = None, prior: Any = None,
           family: Any = None, *, file: str | Path | None = None, file_refit: str = "never",
           **kwargs: Any) -> BrmsFit:
    """Refit with changes; the compiled model is reused whenever the Stan program is unchanged.

    ``file`` and ``file_refit`` save (and reload) the new fit as in :func:`brm`; the file the
    original fit came from is not touched unless it is given again.

    Examples
    --------
    >>> fit2 = update(fit, newdata=df.iloc[:100], iter=1000)   # doctest: +SKIP
    """
    settings = dict(fit.settings)
    args = {
        "chains": settings["chains"], "iter": settings["iter"], "warmup": settings["warmup"],
        "thin": settings["thin"], "seed": settings["seed"], "control": settings["control"],
        "sample_prior": settings["sample_prior"], "backend": settings["backend"],
        "reduce": settings.get("reduce", "auto"), "threads": settings.get("threads"),
        "centered": settings.get("centered", False), "warm_start": settings.get("warm_start", False),
        "algorithm": settings.get("algorithm", "sampling"),
    }
    if "iter" in kwargs and "warmup" not in kwargs:
        args["warmup"] = None
    args.update(kwargs)
    return brm(
        formula if formula is not None else fit.formula,
        newdata if newdata is not None else fit.data,
        family if family is not None else fit.family,
        prior if prior is not None else fit.prior,
        data_name=fit.data_name if newdata is None else "newdata",
        data2=args.pop("data2", fit.data2),
        stanvars=args.pop("stanvars", getattr(getattr(fit, "build", None), "stanvars", None)),  # custom family code
        file=file,
        file_refit=file_refit,
        **args,
    )
