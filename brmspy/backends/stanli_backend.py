"""stanli backend: Stan interpreted in-process, no C++ toolchain needed.

stanli builds a model from (program, data) in milliseconds, so ``compile``
only runs stanc (to reject bad programs early) and ``sample`` builds the
model with the data, caching the built model per (program, data).
"""

from __future__ import annotations

import atexit
import logging
import re
import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Mapping

import numpy as np

from ..core.errors import BackendUnavailableError, DataError, SamplerWarning, SamplingError, StanCompileError, warn
from .progress import stanli_progress
from .warmstart import (
    WarmStart,
    coordinates,
    dispersed_inits,
    intercept_inits,
    on_ridge,
    parameter_names,
    parameter_values,
    scale_parameter,
    standard_normal_parameters,
    warm_start,
)

from .base import (
    APPROXIMATE_DRAWS,
    BACKEND_ALGORITHMS,
    CompiledModel,
    Draws,
    SampleConfig,
    check_algorithm,
    code_hash,
    data_to_json,
    fill_sampler_stats,
    normalize_sampler_stats,
)
from .laplace import laplace_draws
from .marginal_laplace import (MARGINAL_TIMING, GlmmStructure, IntegratedEffects, UnsupportedStructure,
                               integrated_laplace, marginal_laplace)
from .threads import threads_for
from .variational import ApproximateDraws, advi, pareto_k, pathfinder, random_inits

__all__ = ["StanliBackend", "ModelCache", "validate_stan_code", "is_unsupported_feature_error", "runtime_refusal"]

logger = logging.getLogger("brmspy.backends")

# stanli reports Stan features its interpreter cannot lower with these words;
# anything else from a build is a problem with the data (or the program),
# which another backend would reject too.
_UNSUPPORTED_RE = re.compile(r"unsupported|not supported|not implemented", re.IGNORECASE)


def is_unsupported_feature_error(message: str) -> bool:
    """True if a stanli build error means 'this interpreter cannot run it'."""
    return bool(_UNSUPPORTED_RE.search(message))


def runtime_refusal(message: str, runtime: str) -> BackendUnavailableError | DataError:
    """The error for a program or data set that stanli's runtime (``runtime``, as the user knows
    it) would not build: a feature it lacks (another backend can run it) or data that do not fit."""
    msg = message.strip()
    if is_unsupported_feature_error(msg):
        return BackendUnavailableError(f"{runtime} cannot run this program: {msg}\n"
                                       "Use backend='cmdstanpy' or backend='pystan' (compiles C++).")
    return DataError(f"The data do not fit the Stan program: {msg}")


class ModelCache:
    """Built models by key, the least recently used dropped beyond ``size`` (thread-safe).

    Each model holds its data, so the cache stays small; it is emptied at interpreter exit while
    stanli is still importable (later, the models' ``__del__`` would find its module globals gone).
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()
        atexit.register(self._items.clear)

    def get(self, key: Any) -> Any:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: Any, item: Any) -> None:
        with self._lock:
            self._items[key] = item
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


def _import_stanli():
    try:
        import stanli
    except ImportError as exc:  # pragma: no cover - stanli is a hard dependency
        raise BackendUnavailableError(
            f"stanli is not importable ({exc}); install it with `pip install stanli`"
        ) from exc
    return stanli


def validate_stan_code(code: str) -> None:
    """Run stanc on ``code`` and surface its message if it rejects the program.

    Parameters
    ----------
    code : str
        A Stan program.

    Raises
    ------
    brmspy.core.errors.StanCompileError
        With stanc's own text (position, caret and explanation).
    brmspy.core.errors.BackendUnavailableError
        If stanli (which bundles stanc) is not installed.
    """
    stanli = _import_stanli()
    try:
        stanli.stan_to_mir(code)
    except RuntimeError as exc:
        raise StanCompileError("Stan rejected the generated program:\n" + str(exc).strip()) from None


class StanliBackend:
    """Sample with stanli (``stanli.Model``); the default where it can run a program."""

    name = "stanli"
    #: NUTS, Laplace (stanli's L-BFGS mode plus :mod:`brmspy.backends.laplace`), and Pathfinder and
    #: ADVI on stanli's density (:mod:`brmspy.backends.variational`); no fixed_param.
    algorithms = BACKEND_ALGORITHMS["stanli"]

    #: Built models kept in memory; each holds its data, so keep this small.
    max_cached_models = 8

    def __init__(self) -> None:
        self._models = ModelCache(self.max_cached_models)  # (program, data, threads) -> stanli.Model
        self._compiled = ModelCache(4 * self.max_cached_models)  # program -> CompiledModel (its MIR text)

    # -- availability ---------------------------------------------------
    def available(self) -> bool:
        """True if ``import stanli`` works."""
        return not self.unavailable_reason()

    def unavailable_reason(self) -> str:
        """Why stanli cannot be used ('' if it can)."""
        import importlib.util

        if importlib.util.find_spec("stanli") is None:
            return "stanli is not installed; install it with `pip install stanli`"
        return ""

    # -- compile / build ------------------------------------------------
    def compile(self, code: str) -> CompiledModel:
        """Run stanc and keep the MIR (cached per program); the model itself is built per data set.

        Raises
        ------
        brmspy.core.errors.StanCompileError
            If stanc rejects the program.
        """
        key = code_hash(code)
        cached = self._compiled.get(key)
        if cached is not None:  # the same program again (update(), loo refits, kfold): no second stanc
            return cached
        stanli = _import_stanli()
        start = time.perf_counter()
        try:
            mir = stanli.stan_to_mir(code)
        except RuntimeError as exc:
            raise StanCompileError("Stan rejected the generated program:\n" + str(exc).strip()) from None
        compiled = CompiledModel(self.name, code, handle=mir, compile_time=time.perf_counter() - start)
        self._compiled.put(key, compiled)
        return compiled

    def build(self, model: CompiledModel, data: Mapping[str, Any] | None, threads: int = 1,
              data_json: str | None = None) -> Any:
        """The ``stanli.Model`` for ``model`` with ``data`` (cached).

        ``threads`` is stanli's ``threads_per_chain``: threads for the ``reduce_sum``
        slices of a threaded program (``brm(..., threads=k)``; 1 for any other).

        Raises
        ------
        brmspy.core.errors.BackendUnavailableError
            If stanli cannot run a feature of the program (try another backend).
        brmspy.core.errors.DataError
            If the data do not fit the program's data block.
        """
        stanli = _import_stanli()
        data_json = data_to_json(data) if data_json is None else data_json  # given: the caller encoded it once
        threads = threads_for(model.code, threads)
        key = (model.code_hash, code_hash(data_json), threads)
        built = self._models.get(key)
        if built is not None:
            return built
        try:
            if model.handle is not None:
                built = stanli.Model(mir=model.handle, data=data_json, threads_per_chain=threads)
            else:
                built = stanli.Model(stan_code=model.code, data=data_json, threads_per_chain=threads)
        except RuntimeError as exc:
            raise runtime_refusal(str(exc), "stanli") from None
        self._models.put(key, built)
        return built

    # -- sampling -------------------------------------------------------
    def sample(self, model: CompiledModel, data: Mapping[str, Any], config: SampleConfig,
               glmm: GlmmStructure | IntegratedEffects | str | None = None) -> Draws:
        """Run NUTS (or ``algorithm="laplace"``) with stanli.

        ``config.init`` dicts are constrained values; stanli wants the
        unconstrained vector, so they go through ``Model.unconstrain`` first.
        ``glmm`` (``algorithm="laplace"`` only): the model's GLMM structure
        (:func:`brmspy.backends.marginal_laplace.glmm_structure`) for the marginal Laplace
        approximation, :class:`~brmspy.backends.marginal_laplace.IntegratedEffects` when the program
        integrates the group effects out itself (the normal at its mode is the marginal approximation),
        or the reason it has none (then the joint one, with a warning saying why).
        """
        cfg = config.resolved()
        check_algorithm(self, cfg)
        t0 = time.perf_counter()
        threads = threads_for(model.code, cfg.threads)  # reduce_sum programs only
        # the data as JSON once (about 0.3 s at 10^5 rows): the laplace paths need it again for bridgestan
        data_json = data_to_json(data)
        built = self.build(model, data, threads, data_json)
        t_build = time.perf_counter() - t0
        if cfg.algorithm == "laplace":
            timings = {"compile": model.compile_time, "build": t_build}
            if isinstance(glmm, GlmmStructure) and cfg.per_chain_inits() is None:
                try:
                    return self._marginal_laplace(model, data_json, built, cfg, glmm, timings)
                except UnsupportedStructure as exc:
                    glmm = str(exc)
            if isinstance(glmm, IntegratedEffects):  # init= or not: the program's density is the marginal
                return self._laplace(model, data_json, built, cfg, timings, integrated=True)
            if glmm is not None:
                why = "init= values were given" if isinstance(glmm, GlmmStructure) else glmm
                warn(f"algorithm='laplace': this model gets the joint approximation (posterior mode and Hessian "
                     f"over all parameters, which understates group-level sds), not the marginal one over the "
                     f"group-level effects: {why}.", SamplerWarning)
            return self._laplace(model, data_json, built, cfg, timings)
        if cfg.algorithm in ("pathfinder", "meanfield", "fullrank"):
            return self._variational(model, data_json, built, cfg, {"compile": model.compile_time, "build": t_build})

        kwargs: dict[str, Any] = dict(
            chains=cfg.chains,
            seed=cfg.seed,
            warmup=cfg.num_warmup,
            samples=cfg.num_samples,
            thin=cfg.thin,
            delta=float(cfg.adapt_delta),
            max_depth=cfg.max_treedepth,
            parallel_chains=cfg.num_cores,
            refresh=cfg.refresh,
            threads_per_chain=threads,
        )
        radius = cfg.init_radius()
        if radius is not None:
            kwargs["init_radius"] = radius
        inits = cfg.per_chain_inits()
        if inits is not None:
            kwargs["inits"] = np.vstack([self._unconstrain(built, d, i) for i, d in enumerate(inits)])

        timings = {"compile": model.compile_time, "build": t_build}
        if cfg.warm_start:
            ws = self._warm_start(built, cfg.seed, model.code)
            if ws is not None:
                kwargs["inv_metric"] = ws.inv_metric
                # the user's inits win; with standardized effects the mode is on the sd * z ridge, so
                # the chains start at Stan's inits (as dispersed as brms's)
                if inits is None and radius is None and ws.start_at_mode:
                    kwargs["inits"] = dispersed_inits(ws, cfg.chains, cfg.seed, _log_prob_grad(built))
                timings["warm_start"] = ws.seconds
        if cfg.intercept_start and inits is None and radius is None and "inits" not in kwargs:
            # Stan's uniform(-2, 2) start, but the temporary Intercept on the response's scale
            # (warmstart.intercept_inits); None: the program has no such Intercept, Stan starts as usual
            start = intercept_inits(model.code, built.constrained_names, int(built.n_unconstrained), data,
                                    cfg.chains, cfg.seed, _log_prob_grad(built))
            if start is not None:
                kwargs["inits"] = start

        t1 = time.perf_counter()
        try:
            with stanli_progress(_import_stanli(), cfg.chains, cfg.num_warmup + cfg.num_samples, cfg.refresh):
                fit = built.sample(**kwargs)
        except RuntimeError as exc:
            raise SamplingError(f"stanli sampling failed: {str(exc).strip()}") from None
        # KeyboardInterrupt: stanli stops every chain after its current
        # transition before raising, so nothing is left running.
        t_sample = time.perf_counter() - t1

        params = {name: np.asarray(fit.draws(name), dtype=np.float64) for name in fit.variables}
        # Fit.sampler_stats is a bare (chains, draws, 7) array; the column
        # names come from the library (stanli.SAMPLER_COLUMNS).
        columns = _import_stanli().SAMPLER_COLUMNS
        stats = {name: fit.sampler_stats[:, :, i] for i, name in enumerate(columns)}
        return Draws(
            params=params,
            sampler_stats=normalize_sampler_stats(stats),
            backend=self.name,
            timings={**timings, "sample": t_sample},
            config=cfg,
        )

    def _marginal_laplace(self, model: CompiledModel, data_json: str, built: Any, cfg: SampleConfig,
                          glmm: GlmmStructure, timings: dict[str, float]) -> Draws:
        """lme4's marginal Laplace approximation (:mod:`brmspy.backends.marginal_laplace`) on the program's
        density: group-level effects at their conditional modes, outer parameters at the marginal's mode;
        :data:`APPROXIMATE_DRAWS` draws as one chain (``lp__`` NaN, as for the joint approximation)."""
        t0 = time.perf_counter()
        bs = self._bridgestan(model, data_json, cfg)
        timings["runtime"] = time.perf_counter() - t0  # stanli's BridgeStan runtime with the data
        names = bs.param_names(include_tp=True, include_gq=False)
        out = np.empty(len(names))

        def constrain(theta: np.ndarray) -> np.ndarray:
            bs.param_constrain(np.ascontiguousarray(theta), include_tp=True, include_gq=False, out=out)
            return out.copy()

        log_prob_grad = _log_prob_grad(built)

        try:  # the joint mode (stanli's L-BFGS, native): outer values near theirs, group effects near u*
            start = _optimize(built, seed=cfg.seed, jacobian=True)
        except (RuntimeError, ValueError):
            start = None
        timings["joint_mode"] = time.perf_counter() - t0 - timings["runtime"]
        lap = marginal_laplace(glmm, log_prob_grad, list(bs.param_unc_names()), list(names), constrain,
                               APPROXIMATE_DRAWS, cfg.seed, start)
        timings["optimize"] = time.perf_counter() - t0
        timings[MARGINAL_TIMING] = lap.inner_seconds
        stats = self._marginal_check(bs, lap.theta, lap.log_g)
        return self._approximate_draws(model, data_json, lap.theta, lap.log_g, cfg, timings, t0, stats)

    @staticmethod
    def _marginal_check(bs: Any, theta: np.ndarray, log_g: np.ndarray) -> dict[str, np.ndarray]:
        """``log_p__`` (the model's log density at each draw, as CmdStan's laplace output) and ``log_g__``;
        a warning when the Pareto k of the importance ratios p/q is above 0.7.

        The ratios are not used to reweight or resample the draws: on the 10^5-row bernoulli GLMM (k 0.35)
        Pareto-smoothed importance resampling kept a quarter of the draws as effective and moved the
        group sd's mean 0.2 posterior sd away from NUTS's, where the corrected approximation is within 0.02.
        """
        log_p = np.array([bs.log_density(np.ascontiguousarray(t), propto=True, jacobian=True) for t in theta])
        k = pareto_k(log_p - log_g)
        logger.info("stanli laplace: Pareto k of p/q at the draws %.2f", k)
        if not k <= 0.7:
            warn(f"algorithm='laplace': the Pareto k of the importance ratios p/q at the approximation's draws is "
                 f"{k:.2f} (> 0.7): the posterior is far from the approximation's normal (few rows per group "
                 "level?), so its means and sds may be off; check against algorithm='sampling'.", SamplerWarning)
        return {"log_p__": log_p[None], "log_g__": log_g[None]}

    def _laplace(self, model: CompiledModel, data_json: str, built: Any, cfg: SampleConfig,
                 timings: dict[str, float], integrated: bool = False) -> Draws:
        """CmdStan's ``laplace``: the mode (with the Jacobian) by stanli's L-BFGS, the normal
        approximation from the Hessian there (:mod:`brmspy.backends.laplace`), and
        :data:`APPROXIMATE_DRAWS` draws as one chain, transformed to the constrained scale
        (transformed parameters and generated quantities included) by :meth:`_constrain`.
        ``lp__`` is NaN, as on CmdStan through brmspy. ``integrated``: the program has the group
        effects integrated out (:func:`~brmspy.backends.marginal_laplace.integrated_laplace`).
        """
        t0 = time.perf_counter()
        opt: dict[str, Any] = {"seed": cfg.seed, "jacobian": True}
        inits = cfg.per_chain_inits()
        if inits is not None:
            opt["init"] = self._unconstrain(built, inits[0], 0)
        elif cfg.init_radius() is not None:
            opt["init_radius"] = cfg.init_radius()
        # L-BFGS from a random start can step where the density is not finite and give up (as for
        # `Reaction ~ Days` with seed 3); like a user rerunning CmdStan's optimize, try again from
        # zero and from other random starts (seeded) before giving up.
        attempts = [opt]
        if inits is None:
            attempts += [{**opt, "init_radius": 0.0}] + [{**opt, "seed": cfg.seed + k} for k in (1, 2, 3)]
        errors = []
        for attempt in attempts:
            try:
                mode = _optimize(built, **attempt)
                break
            except (RuntimeError, ValueError) as exc:
                errors.append(str(exc).strip().splitlines()[0])
        else:
            raise SamplingError(f"algorithm='laplace': stanli's optimizer found no mode from {len(attempts)} "
                                f"starting points ({errors[-1]}); give init= values near the posterior, or use "
                                "algorithm='sampling'.")
        timings["optimize"] = time.perf_counter() - t0

        log_prob_grad = _log_prob_grad(built)

        if integrated:
            bs = self._bridgestan(model, data_json, cfg)
            marg = integrated_laplace(log_prob_grad, mode, list(bs.param_unc_names()), APPROXIMATE_DRAWS, cfg.seed)
            timings[MARGINAL_TIMING] = marg.inner_seconds  # marks the fit as the marginal approximation
            stats = self._marginal_check(bs, marg.theta, marg.log_g)
            return self._approximate_draws(model, data_json, marg.theta, marg.log_g, cfg, timings, t0, stats)
        lap = laplace_draws(log_prob_grad, mode, APPROXIMATE_DRAWS, cfg.seed)
        timings["hessian"] = lap.hessian_seconds
        return self._approximate_draws(model, data_json, lap.theta, lap.log_g, cfg, timings, t0)

    def _variational(self, model: CompiledModel, data_json: str, built: Any, cfg: SampleConfig,
                     timings: dict[str, float]) -> Draws:
        """brms's ``pathfinder`` (``chains`` paths, CmdStan's defaults) or ``meanfield`` / ``fullrank``
        (ADVI with ``iter`` iterations) on stanli's density (:mod:`brmspy.backends.variational`),
        :data:`APPROXIMATE_DRAWS` draws as one chain, constrained by :meth:`_constrain`."""
        t0 = time.perf_counter()
        log_prob_grad = _log_prob_grad(built)
        n = int(built.n_unconstrained)
        rng = np.random.default_rng([int(cfg.seed), 0x5EED])
        inits = cfg.per_chain_inits()
        radius = cfg.init_radius()
        radius = 2.0 if radius is None else radius
        paths = cfg.chains if cfg.algorithm == "pathfinder" else 1
        if inits is not None:
            starts = [self._unconstrain(built, d, i) for i, d in enumerate(inits[:paths])]
        else:
            starts = [random_inits(log_prob_grad, n, rng, radius) for _ in range(paths)]
        if cfg.algorithm == "pathfinder":
            approx = pathfinder(log_prob_grad, starts, seed=cfg.seed, num_draws=APPROXIMATE_DRAWS,
                                num_psis_draws=APPROXIMATE_DRAWS)
            stats = {"lp__": approx.log_p[None], "lp_approx__": approx.log_g[None]}
            if approx.info["pareto_k"] > 0.7:  # CmdStan's warning after the resampling
                warn(f"algorithm='pathfinder': the Pareto k of the importance weights over the paths is "
                     f"{approx.info['pareto_k']:.2f} (> 0.7): importance resampling was not able to improve the "
                     "approximation, which may indicate that the approximation itself is poor.", SamplerWarning)
        else:
            # the ELBO lacks the constants CmdStan's has (stanli's density drops them, and its BridgeStan
            # runtime has no propto=False), so the relative stopping rule is stricter here (README)
            approx = advi(log_prob_grad, starts[0], cfg.algorithm, iter=cfg.iter, seed=cfg.seed,
                          output_samples=APPROXIMATE_DRAWS)
            stats = {"log_p__": approx.log_p[None], "log_g__": approx.log_g[None]}
            if not approx.info["pareto_k"] <= 0.7:  # brmspy's check; CmdStan has none for ADVI (README)
                warn(f"algorithm={cfg.algorithm!r}: the Pareto k of the importance ratios p/q at the "
                     f"approximation's draws is {approx.info['pareto_k']:.2f} (> 0.7): the draws may be far "
                     "from the posterior; check against algorithm='sampling'.", SamplerWarning)
            if not approx.info["converged"]:
                warn(f"algorithm={cfg.algorithm!r}: the ELBO did not converge in iter={cfg.iter} iterations "
                     "(CmdStan: 'The maximum number of iterations is reached! The algorithm may not have "
                     "converged.'); the approximation may not be meaningful.", SamplerWarning)
        timings["optimize"] = time.perf_counter() - t0
        logger.info("stanli %s: %s", cfg.algorithm, ", ".join(f"{k} {v:g}" for k, v in approx.info.items()))
        return self._approximate_draws(model, data_json, approx.theta, approx.log_g, cfg, timings, t0, stats)

    def _approximate_draws(self, model: CompiledModel, data_json: str, theta: np.ndarray, log_g: np.ndarray,
                           cfg: SampleConfig, timings: dict[str, float], t0: float,
                           stats: dict[str, np.ndarray] | None = None) -> Draws:
        """Unconstrained draws of an approximation, constrained, as one chain (``stats``: its
        diagnostics, ``log_g__`` by default)."""
        t1 = time.perf_counter()
        params = self._constrain(model, data_json, theta, cfg)
        timings["constrain"] = time.perf_counter() - t1
        timings["sample"] = time.perf_counter() - t0
        # CmdStan's laplace output has log_p__ (the model's log density at each draw) and log_g__
        # (the normal's); the joint approximation leaves log_p__ out (at 10^5 rows it would double the
        # time after the mode), the marginal one has it for its Pareto k check (_marginal_check)
        stats = {"log_g__": log_g[None]} if stats is None else stats
        return Draws(params=params, sampler_stats=fill_sampler_stats(stats, (1, APPROXIMATE_DRAWS)),
                     backend=self.name, timings=timings, config=cfg)

    def _constrain(self, model: CompiledModel, data_json: str, theta: np.ndarray,
                   cfg: SampleConfig) -> dict[str, np.ndarray]:
        """Unconstrained points ``(draws, n)`` as constrained draws ``{name: (1, draws, ...)}``.

        stanli's BridgeStan runtime (``stanli.bridgestan_model``) transforms each point with
        ``param_constrain``, transformed parameters and generated quantities included (their RNG
        seeded from ``cfg.seed``). stanli's own ``Model`` has no such call; a NUTS run of one
        iteration per point with ``max_depth=0`` is not one either (it moved 2 of 1000 points of
        a test model), so bridgestan, a small pure-Python package, is a dependency.
        """
        bs = self._bridgestan(model, data_json, cfg)
        names = bs.param_names(include_tp=True, include_gq=True)
        rng = bs.new_rng(int(cfg.seed))
        out = np.empty((theta.shape[0], len(names)))
        for i, point in enumerate(np.ascontiguousarray(theta)):
            bs.param_constrain(point, include_tp=True, include_gq=True, rng=rng, out=out[i])
        return _bridgestan_columns(names, out)

    def _bridgestan(self, model: CompiledModel, data_json: str, cfg: SampleConfig) -> Any:
        """stanli's BridgeStan runtime for ``model`` with the data ``data_json`` (constrained transforms; cached)."""
        try:
            import bridgestan  # noqa: F401  (stanli.bridgestan_model imports it)
        except ImportError:
            raise BackendUnavailableError(
                "algorithm='laplace' on stanli needs the bridgestan package: `pip install bridgestan`"
            ) from None
        key = ("bridgestan", model.code_hash, code_hash(data_json), int(cfg.seed))
        bs = self._models.get(key)
        if bs is None:
            stanli = _import_stanli()
            bs = stanli.bridgestan_model(mir=model.handle, stan_code=None if model.handle else model.code,
                                         data=data_json, seed=int(cfg.seed))
            self._models.put(key, bs)
        return bs

    @staticmethod
    def _warm_start(built: Any, seed: int, code: str = "") -> WarmStart | None:
        """The curvature-at-the-mode starting metric (:mod:`brmspy.backends.warmstart`), or ``None``.

        Standardized effects of ``code`` (``std_normal`` priors) and their sds get
        :func:`~brmspy.backends.warmstart.on_ridge`'s metric; when their coordinates cannot be
        told apart the fit gets no warm start.
        """
        if threading.current_thread() is not threading.main_thread():
            # stanli's optimize() crashes off the main thread (see _optimize); kfold, reloo, sbc and
            # brm_multiple turn the warm start off for their refits, so only a user's own thread gets here
            warn("warm_start: no warm start in a worker thread (stanli's optimizer runs only on the main "
                 "thread); this fit starts from Stan's unit metric. Pass warm_start=False to silence this.",
                 SamplerWarning)
            return None
        found: dict[str, Any] = {}

        def find_mode() -> np.ndarray:
            # stanli's L-BFGS is CmdStan's optimizer, run natively; the mode includes the
            # Jacobian (unconstrained scale), which is the density NUTS samples.
            try:
                found["mode"] = built.optimize(seed=seed)
            except RuntimeError:
                # a start in uniform(-2, 2) can send the line search where the density is not finite
                # (sleepstudy, seed 3); one retry from a narrower start (a failure there means no warm start)
                found["mode"] = built.optimize(seed=seed, init_radius=0.5)
            return np.asarray(found["mode"].unconstrained, dtype=np.float64)

        log_prob_grad = _log_prob_grad(built)

        ws = warm_start(log_prob_grad, int(built.n_unconstrained), find_mode)
        standardized = standard_normal_parameters(code)
        if ws is None or not standardized:
            return ws
        values = parameter_values(found["mode"], parameter_names(code))
        groups = []
        try:
            for name in standardized:
                z = coordinates(built.unconstrain, values, name)
                sd = scale_parameter(name, values)
                groups.append((z, None if sd is None else coordinates(built.unconstrain, values, sd, positive=True)))
        except (KeyError, ValueError, RuntimeError, TypeError) as exc:
            logger.info("No warm start: the standardized effects' coordinates are unknown (%s).", exc)
            return None
        if any(z.shape != ws.inv_metric.shape or not z.any() for z, _ in groups):
            logger.info("No warm start: the standardized effects' coordinates are unknown.")
            return None
        return on_ridge(ws, groups)

    @staticmethod
    def _unconstrain(built: Any, values: Mapping[str, Any], chain: int) -> np.ndarray:
        try:
            return built.unconstrain(data_to_json(values))
        except ValueError as exc:
            raise SamplingError(f"init for chain {chain + 1} is not usable: {exc}") from None

    # -- density ----------------------------------------------------------
    def log_prob_grad(
        self, model: CompiledModel, data: Mapping[str, Any], theta_unconstrained: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """Log density with Jacobian (constants dropped, as ``lp__``) and gradient."""
        built = self.build(model, data)
        theta = np.asarray(theta_unconstrained, dtype=np.float64).ravel()
        try:
            lp, grad = built.log_prob_grad(theta)
        except (RuntimeError, ValueError) as exc:
            raise SamplingError(f"stanli could not evaluate the log density: {exc}") from None
        return float(lp), np.asarray(grad, dtype=np.float64)

    def unconstrained_size(self, model: CompiledModel, data: Mapping[str, Any]) -> int:
        """Length of the unconstrained parameter vector."""
        return int(self.build(model, data).n_unconstrained)



def _bridgestan_columns(names: list[str], values: np.ndarray) -> dict[str, np.ndarray]:
    """BridgeStan's flat columns (``"m.2.1"``, first index fastest) as ``{"m": (1, draws, *shape)}``."""
    out: dict[str, np.ndarray] = {}
    start = 0
    while start < len(names):
        base = names[start].split(".", 1)[0]
        stop = start
        while stop < len(names) and names[stop].split(".", 1)[0] == base:
            stop += 1
        last = names[stop - 1].split(".")[1:]
        shape = tuple(int(k) for k in last)  # the last column carries every dimension's size
        block = values[:, start:stop]
        out[base] = block.reshape((values.shape[0], *shape), order="F")[None] if shape else block[:, 0][None]
        start = stop
    return out


def _optimize(built: Any, *, seed: int, jacobian: bool = True, init: np.ndarray | None = None,
              init_radius: float = 2.0) -> np.ndarray:
    """The unconstrained posterior mode: stanli's native L-BFGS (CmdStan's optimizer) on the main
    thread; in other threads (kfold/reloo folds) scipy's L-BFGS on stanli's density and gradient,
    because stanli 0.24's ``optimize()`` crashes the process off the main thread (its
    ``log_prob_grad`` and ``sample()`` do not). Raises ``RuntimeError`` when no mode is found."""
    if threading.current_thread() is threading.main_thread():
        kwargs: dict[str, Any] = {"seed": seed, "jacobian": jacobian, "init_radius": init_radius}
        if init is not None:
            kwargs["init"] = init
        return np.asarray(built.optimize(**kwargs).unconstrained, dtype=np.float64)
    from scipy.optimize import minimize

    log_prob_grad = _log_prob_grad(built)
    n = int(built.n_unconstrained)
    x0 = (np.asarray(init, dtype=np.float64) if init is not None
          else np.random.default_rng(seed).uniform(-init_radius, init_radius, n))

    def negative(theta: np.ndarray) -> tuple[float, np.ndarray]:
        try:
            lp, grad = log_prob_grad(theta)
        except (RuntimeError, ValueError):
            return np.inf, np.zeros(n)
        return (-float(lp), -np.asarray(grad)) if np.isfinite(lp) else (np.inf, np.zeros(n))

    res = minimize(negative, x0, jac=True, method="L-BFGS-B", options={"maxiter": 2000})
    if not np.isfinite(res.fun) or not np.all(np.isfinite(res.x)):
        raise RuntimeError(f"optimize failed: {res.message}")
    return np.asarray(res.x, dtype=np.float64)


def _log_prob_grad(built: Any) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    """The program's log density and gradient at an unconstrained point as float64 (for the optimisers)."""
    def log_prob_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
        lp, grad = built.log_prob_grad(theta)
        return float(lp), np.asarray(grad, dtype=np.float64)
    return log_prob_grad
