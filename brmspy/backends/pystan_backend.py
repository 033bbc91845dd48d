"""PyStan 3 backend (``import stan``): compiles C++ through httpstan.

Three PyStan behaviours shape this module:

* ``stan.build`` and ``Model.sample`` call ``asyncio.run``, which fails inside
  a running event loop (Jupyter), and a model's C++ may only be called from
  the thread that loaded it. Every PyStan call therefore runs on one
  long-lived daemon thread (see :class:`_PyStanThread`).
* PyStan reports a stanc rejection as a bare ``ValueError("Syntax error")``
  and prints the real message. We run stanc (bundled with stanli) first, so
  the user gets stanc's text as a :class:`~brmspy.core.errors.StanCompileError`.
* httpstan caches a compiled model per program text and machine, and a
  Ctrl-C during its in-process build can leave a cache entry that makes
  every later build fail (a module without the ``stderr.log`` httpstan reads
  on a cache hit). We build in a child process in its own session, kill its
  whole process group on interrupt, and delete incomplete entries.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import io
import json
import logging
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
import warnings
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..core.errors import BackendUnavailableError, DataError, SamplingError, StanCompileError

from .base import (
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
from .stanli_backend import validate_stan_code
from .processes import run_isolated
from .progress import pystan_progress
from .threads import stan_num_threads, threads_for

__all__ = ["PyStanBackend", "run_in_thread", "run_isolated", "model_cache_health", "repair_model_cache"]

logger = logging.getLogger("brmspy.backends")

# Run in a child process: compile one program with httpstan (same code path
# as stan.build, so the cache entry is what PyStan expects) and print
# httpstan's JSON answer. The program text arrives on stdin.
_BUILD_SCRIPT = r"""
import asyncio, json, sys
import stan.common

async def go(code):
    async with stan.common.HttpstanClient() as client:
        resp = await client.post("/models", json={"program_code": code})
        return resp.status, resp.json()

status, body = asyncio.run(go(sys.stdin.read()))
sys.stdout.write(json.dumps({"status": status, "body": body}))
"""


# -- generic helpers (pure enough to test without compiling) ----------------


class _PyStanThread:
    """One long-lived daemon thread that makes every PyStan call.

    Two reasons for a thread, and for it to be the same one every time:

    * it has no running event loop, so PyStan's ``asyncio.run`` works even
      when the caller is inside one (Jupyter, ``asyncio.run``);
    * Stan Math gives an autodiff tape only to the thread that loads a
      model's extension module. Calling the model from any other thread
      segfaults, and so do chain workers forked from another thread (they
      die with ``BrokenProcessPool``). So loading, log densities and the
      forks of httpstan's chain pool must all happen on one thread.

    It is a daemon so that a stuck call can never block interpreter exit.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> concurrent.futures.Future:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="brmspy-pystan", daemon=True)
                self._thread.start()
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._jobs.put((future, fn, args, kwargs))
        return future

    def _serve(self) -> None:
        while True:
            future, fn, args, kwargs = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # re-raised in the caller's thread
                future.set_exception(exc)


_PYSTAN_THREAD = _PyStanThread()


def run_in_thread(fn: Callable[..., Any], *args: Any, on_interrupt: Callable[[], None] | None = None,
                  join_timeout: float = 30.0, **kwargs: Any) -> Any:
    """Call ``fn(*args, **kwargs)`` on brmspy's PyStan thread and return its result.

    The caller waits in short timed steps, so Ctrl-C interrupts it at once;
    then ``on_interrupt`` runs (to stop whatever ``fn`` started), ``fn`` gets
    ``join_timeout`` seconds to wind down, and the KeyboardInterrupt
    propagates.
    """
    if threading.current_thread() is _PYSTAN_THREAD.thread:  # already there: queuing would deadlock
        return fn(*args, **kwargs)
    future = _PYSTAN_THREAD.submit(fn, *args, **kwargs)
    try:
        while True:
            try:
                return future.result(timeout=0.25)
            except concurrent.futures.TimeoutError:
                continue
    except KeyboardInterrupt:
        if on_interrupt is not None:
            on_interrupt()
        future.cancel()
        with contextlib.suppress(BaseException):
            future.exception(timeout=join_timeout)
        raise


def _model_directory(model_name: str) -> Path:
    import httpstan.cache

    return httpstan.cache.model_directory(model_name)


def model_cache_health(model_name: str) -> str:
    """State of httpstan's cache entry for ``model_name``.

    Returns
    -------
    str
        ``"missing"`` (no entry), ``"complete"`` (module plus the logs httpstan
        reads on a cache hit) or ``"broken"`` (anything else: an interrupted
        or failed build).
    """
    from importlib.machinery import EXTENSION_SUFFIXES

    directory = _model_directory(model_name)
    if not directory.is_dir():
        return "missing"
    names = {p.name for p in directory.iterdir()}
    has_module = any(n.endswith(tuple(EXTENSION_SUFFIXES)) for n in names)
    # httpstan writes stderr.log only after the module is fully linked.
    if has_module and {"stderr.log", "stanc.log"} <= names:
        return "complete"
    return "broken"


def repair_model_cache(model_name: str) -> bool:
    """Delete a broken cache entry; True if one was deleted."""
    if model_cache_health(model_name) == "broken":
        shutil.rmtree(_model_directory(model_name), ignore_errors=True)
        logger.info("removed incomplete httpstan cache entry %s", model_name)
        return True
    return False


@contextlib.contextmanager
def _build_lock(model_name: str):
    """Serialise brmspy builds of one program across processes (POSIX only)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - PyStan itself is POSIX-only
        yield
        return
    lock_dir = _model_directory(model_name).parent.parent / "brmspy-locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / (model_name.split("/")[-1] + ".lock"), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# -- the process pool httpstan samples in -------------------------------


#: STAN_NUM_THREADS the current chain pool's workers were forked with (None: not made by brmspy)
_POOL_THREADS: list[int | None] = [None]


def _set_pool_size(cores: int, *, fresh: bool = False, threads: int | None = None) -> None:
    """Make httpstan's chain pool run at most ``cores`` chains at once.

    httpstan keeps one module-level ProcessPoolExecutor (one process per CPU);
    swapping it for one of the right size is the only way to limit parallel
    chains. A broken pool (a worker died) is replaced too, and ``fresh``
    forces a replacement. ``threads`` (threads per chain, ``STAN_NUM_THREADS``)
    other than the pool's also forces one: workers keep the environment they
    were forked with.
    """
    import concurrent.futures
    import multiprocessing as mp

    import httpstan.services_stub as stub

    current = stub.executor
    if threads is not None and threads != _POOL_THREADS[0]:
        fresh = True
    # a pool that was shut down (e.g. by httpstan's app cleanup) takes no new chains: replace it too
    unusable = getattr(current, "_broken", False) or getattr(current, "_shutdown_thread", False)
    if not fresh and not unusable and getattr(current, "_max_workers", None) == cores:
        return
    _POOL_THREADS[0] = int(os.environ.get("STAN_NUM_THREADS", "1") or 1) if threads is None else threads
    stub.executor = concurrent.futures.ProcessPoolExecutor(
        max_workers=cores, mp_context=mp.get_context("fork"), initializer=stub.init_worker
    )
    with contextlib.suppress(Exception):
        current.shutdown(wait=False, cancel_futures=True)


def _kill_pool() -> None:
    """Stop every running chain (after Ctrl-C) and install a fresh pool.

    The workers ignore SIGINT by design, so they would otherwise keep sampling
    and make interpreter exit wait for them.
    """
    import httpstan.services_stub as stub

    current = stub.executor
    workers = list((getattr(current, "_processes", None) or {}).values())
    for proc in workers:
        with contextlib.suppress(Exception):
            proc.kill()
    for proc in workers:
        with contextlib.suppress(Exception):
            proc.join(5)
    _set_pool_size(getattr(current, "_max_workers", None) or (os.cpu_count() or 1), fresh=True)


@contextlib.contextmanager
def _quiet(enabled: bool):
    """Swallow PyStan's console chatter (it ignores refresh) when asked to."""
    if not enabled:
        yield
        return
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        yield


# -- conversion ---------------------------------------------------------


def pystan_fit_to_arrays(fit: Any, nchains: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Split a ``stan.fit.Fit`` into ``(params, sampler_stats)`` arrays.

    ``fit[name]`` has shape ``(*declared_shape, draws * chains)`` whose last
    axis is draw-major with the chains interleaved (index ``d * nchains +
    c``), not the chains one after another; it is reshaped to ``(chain,
    draw, *declared_shape)`` here.
    """

    def split(arr: np.ndarray, dims: Sequence[int]) -> np.ndarray:
        arr = np.asarray(arr, dtype=np.float64).reshape(*dims, -1, nchains)
        return np.moveaxis(arr, (-1, -2), (0, 1))

    params = {}
    for name, dims in zip(fit.param_names, fit.dims):
        if 0 in dims:  # no draws to carry; CmdStan has no columns for it either
            continue
        params[name] = split(fit[name], list(dims))
    stats = {name: split(fit[name], []) for name in fit.sample_and_sampler_param_names}
    return params, stats


# -- the backend ----------------------------------------------------------


class PyStanBackend:
    """Compile with httpstan (C++) and sample with PyStan 3."""

    name = "pystan"
    algorithms = BACKEND_ALGORITHMS["pystan"]
    max_cached_posteriors = 8

    def __init__(self) -> None:
        self._posteriors: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._sizes: dict[tuple[str, str], int] = {}

    def available(self) -> bool:
        """True if PyStan is installed (a working C++ compiler is assumed)."""
        return not self.unavailable_reason()

    def unavailable_reason(self) -> str:
        """Why PyStan cannot be used ('' if it can)."""
        if sys.platform.startswith("win"):
            return "PyStan does not support Windows; use backend='stanli' or backend='cmdstanpy'"
        import importlib.util

        # find_spec, not import: importing PyStan pulls in httpstan and aiohttp.
        if importlib.util.find_spec("stan") is None or importlib.util.find_spec("httpstan") is None:
            return ("PyStan is not installed; it is an optional extra: install it with "
                    "`pip install \"brmspy-stan[pystan]\"`, or use backend='stanli' (no C++ needed)")
        return ""

    def _require(self) -> None:
        reason = self.unavailable_reason()
        if reason:
            raise BackendUnavailableError(reason)

    # -- compile ------------------------------------------------------
    def compile(self, code: str) -> CompiledModel:
        """Check ``code`` with stanc, then build (or reuse) httpstan's module.

        The first build of a program takes minutes of C++ compilation;
        later ones, in any process on this machine, are cache hits.

        Raises
        ------
        brmspy.core.errors.StanCompileError
            If stanc rejects the program (with stanc's message) or the C++
            build fails.
        """
        self._require()
        import httpstan.models


        start = time.perf_counter()
        try:
            validate_stan_code(code)
        except BackendUnavailableError:
            pass  # no stanli: httpstan's own stanc check below still runs
        model_name = httpstan.models.calculate_model_name(code)
        with _build_lock(model_name):
            if model_cache_health(model_name) != "complete":
                repair_model_cache(model_name)
                logger.info("compiling Stan program with PyStan (C++, takes a while): %s", model_name)
                result = run_isolated(
                    [sys.executable, "-c", _BUILD_SCRIPT], code,
                    on_interrupt=lambda: repair_model_cache(model_name),
                )
                self._check_build(result, model_name)
        return CompiledModel(self.name, code, handle=model_name, compile_time=time.perf_counter() - start)

    @staticmethod
    def _check_build(result: subprocess.CompletedProcess, model_name: str) -> None:
        try:
            answer = json.loads(result.stdout)
        except json.JSONDecodeError:
            repair_model_cache(model_name)
            raise StanCompileError(
                f"PyStan's build process failed (exit code {result.returncode}):\n{result.stderr.strip()[-3000:]}"
            ) from None
        if answer["status"] != 201:
            repair_model_cache(model_name)
            message = answer["body"].get("message", str(answer["body"]))
            raise StanCompileError(f"PyStan could not build the program:\n{message[-3000:]}")

    # -- model with data ------------------------------------------------
    def _posterior(self, model: CompiledModel, data: Mapping[str, Any] | None) -> Any:
        """``stan.build(code, data)`` (a cache hit after :meth:`compile`), memoised."""
        import stan

        data_json = data_to_json(data)
        key = (model.code_hash, code_hash(data_json))
        posterior = self._posteriors.get(key)
        if posterior is None:
            if model_cache_health(model.handle) != "complete":
                model = self.compile(model.code)  # cache was cleared since compile()
            try:
                with _quiet(True):
                    posterior = run_in_thread(stan.build, model.code, data=json.loads(data_json))
            except RuntimeError as exc:  # raised by httpstan when the data do not fit
                raise DataError(f"The data do not fit the Stan program: {exc}") from None
            if posterior is None:  # stan.build swallows KeyboardInterrupt and returns None
                raise KeyboardInterrupt
            self._posteriors[key] = posterior
            while len(self._posteriors) > self.max_cached_posteriors:
                self._posteriors.popitem(last=False)
        self._posteriors.move_to_end(key)
        return posterior

    # -- sampling -------------------------------------------------------
    def sample(self, model: CompiledModel, data: Mapping[str, Any], config: SampleConfig) -> Draws:
        """Run NUTS (or ``fixed_param``) with PyStan; chains run in ``cores`` worker processes."""
        self._require()
        cfg = config.resolved()
        check_algorithm(self, cfg)
        fixed = cfg.algorithm == "fixed_param"
        t0 = time.perf_counter()
        posterior = dataclasses.replace(self._posterior(model, data), random_seed=cfg.seed)
        t_build = time.perf_counter() - t0

        kwargs: dict[str, Any] = dict(
            num_chains=cfg.chains,
            num_samples=cfg.num_samples,
            num_warmup=cfg.num_warmup,
            num_thin=cfg.thin,
            refresh=int(cfg.refresh),
        )
        if fixed:  # httpstan's fixed_param takes no warmup (nothing adapts)
            del kwargs["num_warmup"]
        else:
            kwargs.update(delta=float(cfg.adapt_delta), max_depth=int(cfg.max_treedepth))
        radius = cfg.init_radius()
        if radius is not None:
            kwargs["init_radius"] = radius
        inits = cfg.per_chain_inits()
        if inits is not None:
            kwargs["init"] = [json.loads(data_to_json(d)) for d in inits]

        fits_dir = _model_directory(model.handle) / "fits"
        before = set(fits_dir.glob("*")) if fits_dir.is_dir() else set()

        threads = threads_for(model.code, cfg.threads)  # reduce_sum programs only
        total = cfg.num_samples + (0 if fixed else cfg.num_warmup)  # iterations per chain (PyStan counts both)

        def call() -> Any:
            # chain workers read STAN_NUM_THREADS from the environment they were forked with
            with stan_num_threads(threads):
                _set_pool_size(cfg.num_cores, threads=threads)
                with warnings.catch_warnings():
                    # httpstan forks its chain workers from this multi-threaded process.
                    warnings.filterwarnings("ignore", message=".*multi-threaded.*fork", category=DeprecationWarning)
                    with _quiet(cfg.refresh == 0), pystan_progress(cfg.chains, total, int(cfg.refresh)):
                        return (posterior.fixed_param if fixed else posterior.sample)(**kwargs)

        t1 = time.perf_counter()
        try:
            fit = run_in_thread(call, on_interrupt=_kill_pool)
        except RuntimeError as exc:
            raise SamplingError(f"PyStan sampling failed: {exc}") from None
        finally:
            # A seeded fit is stored in httpstan's cache forever; drop ours.
            if fits_dir.is_dir():
                for path in set(fits_dir.glob("*")) - before:
                    path.unlink(missing_ok=True)
        if fit is None:  # Model.sample swallows KeyboardInterrupt and returns None
            _kill_pool()
            raise KeyboardInterrupt
        t_sample = time.perf_counter() - t1

        params, stats = pystan_fit_to_arrays(fit, cfg.chains)
        return Draws(
            params=params,
            sampler_stats=(fill_sampler_stats(stats, (cfg.chains, cfg.num_draws)) if fixed
                           else normalize_sampler_stats(stats)),
            backend=self.name,
            timings={"compile": model.compile_time, "build": t_build, "sample": t_sample},
            config=cfg,
        )

    # -- density ----------------------------------------------------------
    def log_prob_grad(
        self, model: CompiledModel, data: Mapping[str, Any], theta_unconstrained: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """``Model.log_prob(adjust_transform=True)`` and ``Model.grad_log_prob``."""
        self._require()
        posterior = self._posterior(model, data)
        theta = [float(x) for x in np.asarray(theta_unconstrained, dtype=np.float64).ravel()]

        def call() -> tuple[float, list]:
            return posterior.log_prob(theta, adjust_transform=True), posterior.grad_log_prob(theta)

        try:
            lp, grad = run_in_thread(call)
        except RuntimeError as exc:
            raise SamplingError(f"PyStan could not evaluate the log density: {exc}") from None
        return float(lp), np.asarray(grad, dtype=np.float64)

    def unconstrained_size(self, model: CompiledModel, data: Mapping[str, Any]) -> int:
        """Length of the unconstrained vector.

        httpstan exposes no such count, but its ``log_prob`` rejects any
        other length with a recognisable message, and the unconstrained size
        never exceeds the number of constrained values; so try each length.
        """
        self._require()
        key = (model.code_hash, code_hash(data_to_json(data)))
        if key in self._sizes:
            return self._sizes[key]
        import httpstan.models

        posterior = self._posterior(model, data)

        def scan() -> int | None:
            module = httpstan.models.import_services_extension_module(posterior.model_name)
            for n in range(len(posterior.constrained_param_names) + 1):
                try:
                    module.log_prob(posterior.data, [0.0] * n, True)
                except Exception as exc:  # a domain error at 0 still means the length was right
                    if "does not match the number of unconstrained parameters" in str(exc):
                        continue
                return n
            return None

        n = run_in_thread(scan)  # the model's C++ may only run on the PyStan thread
        if n is None:
            raise SamplingError("could not determine the number of unconstrained parameters")
        self._sizes[key] = n
        return n

