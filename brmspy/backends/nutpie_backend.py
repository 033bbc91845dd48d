"""nutpie backend: nutpie's NUTS sampler on stanli's runtime, no C++ compile.

stanli ships a BridgeStan-compatible runtime library (``stanli.bridgestan_model``): one shared
library for every program, with the program itself (stanli's MIR) carried inside the data
JSON under the reserved key ``"__stanli"``. nutpie loads any BridgeStan library
(``nutpie._lib.StanLibrary``), so the same stanc check as the stanli backend is the whole
"compile", and nutpie's sampler (its gradient-based mass-matrix adaptation, which often needs
fewer gradients per effective draw than Stan's) runs the interpreted model.

Differences from Stan's NUTS that a user can see, all stated in the errors and docs:

- nutpie starts every chain uniformly in (-2, 2) on the unconstrained scale (Stan's default)
  and takes no other starting values, so ``init=`` other than ``None`` / ``2`` is refused.
- ``adapt_delta`` is nutpie's ``target_accept``; ``max_treedepth`` its ``maxdepth``. Warmup
  follows nutpie's schedule (its windows, not Stan's) over ``warmup`` iterations.
- ``thin`` keeps every ``thin``-th draw (the first of each block, as CmdStan).

Time outside nutpie's chains (issue 24): ``import nutpie`` imports ArviZ (with arviz-stats,
arviz-plots, scipy.stats and matplotlib), about 1.1 s of its 1.7 s of CPU, though nothing here
uses them; :func:`_nutpie` imports nutpie with a stand-in for ArviZ that imports the real package
only when used (:class:`_DeferredArviz`), leaving about 0.5 s (xarray, which nutpie's annotations
need). On the 10^5-row bernoulli GLMM that and building nutpie's model from the JSON text
(:meth:`NutpieBackend.build`) took ``brm()`` from 8.5 to 7.1 s of wall time at 200 iterations (CPU
15.1 to 13.5 s; the time outside sampling from 2.0 to 0.6 s). :func:`prefetch`
starts the import in a background thread when ``brm()`` is about to fit with nutpie, so it runs
while the model frame, program and data are built (stanc, JSON and the runtime's model construction
release the GIL). The draws are read from nutpie's raw Arrow trace
(``return_raw_trace=True``, :func:`_arrow_draws`) rather than through its ArviZ conversion
(``arviz.from_dict``), which brmspy would only take apart again.

Install with ``pip install "brmspy-stan[nutpie]"`` (nutpie and bridgestan, both from PyPI).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import sys
import threading
import types
import time
from typing import Any, Mapping, Sequence

import numpy as np

from ..core.errors import BackendUnavailableError, SamplingError, StanCompileError
from .base import (
    BACKEND_ALGORITHMS,
    CompiledModel,
    Draws,
    SampleConfig,
    check_algorithm,
    code_hash,
    data_to_json,
    normalize_sampler_stats,
)
from .stanli_backend import ModelCache, runtime_refusal

__all__ = ["NutpieBackend", "NUTPIE_STATS", "prefetch"]

#: nutpie's sampler statistics under CmdStan's names (what :data:`~brmspy.backends.SAMPLER_STATS` lists).
NUTPIE_STATS: dict[str, str] = {
    "lp__": "logp",
    "accept_stat__": "mean_tree_accept",
    "stepsize__": "step_size",
    "treedepth__": "depth",
    "n_leapfrog__": "n_steps",
    "divergent__": "diverging",
    "energy__": "energy",
}

_EXTRA = 'pip install "brmspy-stan[nutpie]"'


_PREFETCH: list[threading.Thread] = []  # the one background import of this process, once started


class _DeferredArviz(types.ModuleType):
    """Stand-in for ArviZ while nutpie is imported: nutpie's ``sample`` module imports ArviZ (and with
    it arviz-stats, arviz-plots, scipy.stats and matplotlib: about 1.1 s of CPU) only to convert traces,
    and brmspy reads the raw Arrow trace instead. The first attribute looked up on it imports the real
    module, so nutpie's own conversion still works when someone asks for it."""

    def __getattr__(self, attr: str) -> Any:
        if sys.modules.get("arviz") is self:
            del sys.modules["arviz"]
        import arviz  # the real package from here on

        return getattr(arviz, attr)


_IMPORT_LOCK = threading.Lock()


def _nutpie() -> Any:
    """``import nutpie``, with ArviZ deferred (:class:`_DeferredArviz`) if nothing has imported it yet.

    The stand-in is in ``sys.modules`` only while nutpie's modules run (under a lock, so the
    background import of :func:`prefetch` and the sampling call do this once); afterwards
    ``import arviz`` gives the real package.
    """
    with _IMPORT_LOCK:
        stub = None
        if "nutpie" not in sys.modules and "arviz" not in sys.modules:
            stub = sys.modules["arviz"] = _DeferredArviz("arviz")
        try:
            import nutpie
        finally:
            if stub is not None and sys.modules.get("arviz") is stub:
                del sys.modules["arviz"]
    return nutpie


def _import_nutpie() -> None:
    try:
        _nutpie()  # the import itself is the work (see prefetch)
    except Exception:  # noqa: BLE001 - the sampling call imports again and reports the error there
        pass


#: a one-parameter program, built once to learn where stanli's runtime library is (the same for every program)
_PROBE_PROGRAM = "parameters { real x; } model { x ~ std_normal(); }"


@functools.cache
def _runtime_library_path() -> str:
    """The path of stanli's BridgeStan-compatible runtime library, through stanli's public
    ``bridgestan_model`` (on a one-parameter program, once per process)."""
    import stanli

    return str(stanli.bridgestan_model(stan_code=_PROBE_PROGRAM).lib_path)


def _with_program(data_json: str, mir: str) -> str:
    """The data JSON with the program under stanli's reserved key ``"__stanli"`` (the manifest
    ``stanli.bridgestan_model`` adds: build id, MIR, name), spliced into the text rather than parsed
    and encoded again (0.19 s at 4 MB)."""
    import stanli

    head = '{"__stanli": ' + json.dumps({"build_id": stanli.build_id(), "mir": mir, "name": "stanli_model"})
    rest = data_json.strip()[1:].lstrip()  # data_to_json gives a JSON object: '{' ... '}'
    return head + (rest if rest.startswith("}") else ", " + rest)


def prefetch() -> None:
    """Start importing nutpie in a background thread (once per process), if it is installed.

    ``import nutpie`` loads xarray (about 0.5 s of CPU; ArviZ is deferred: :func:`_nutpie`); started
    before the model is built, it overlaps the work that releases the GIL (stanc, the runtime's
    model construction, numpy). Whoever imports nutpie next waits for this import to finish
    (Python's per-module import lock) and gets the same module; an import error is raised there.

    Examples
    --------
    >>> from brmspy.backends.nutpie_backend import prefetch
    >>> prefetch()  # returns at once; the import runs in a daemon thread
    """
    if _PREFETCH or importlib.util.find_spec("nutpie") is None:
        return
    thread = threading.Thread(target=_import_nutpie, name="brmspy-import-nutpie", daemon=True)
    _PREFETCH.append(thread)
    thread.start()


def _arrow_draws(draw_batches: Sequence[Any], stat_batches: Sequence[Any]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Draws and sampler statistics, shaped (chain, draw, ...), from nutpie's raw Arrow trace.

    The arrays nutpie's own ArviZ conversion (``nutpie.sample._arrow_to_arviz``) builds, without
    ArviZ: warmup rows (``tuning``) dropped, each column reshaped to its ``shape`` metadata (C order,
    as nutpie writes it), chains shorter than the longest padded with NaN (floats) or zeros.
    """
    import pyarrow  # nutpie's dependency, loaded by nutpie

    def columns(batches, names=None) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        keeps = [~np.asarray(pyarrow.array(st.column("tuning")).to_numpy(zero_copy_only=False), dtype=bool)
                 for st in stat_batches]
        length = max((int(k.sum()) for k in keeps), default=0)
        for chain, (batch, keep) in enumerate(zip(batches, keeps)):
            for name in (names if names is not None else batch.column_names):
                col = batch.column(name)
                meta = col.field.metadata or {}
                shape = tuple(int(v) for v in meta.get(b"shape", b"").decode().split(",") if v)
                arr = pyarrow.array(col)
                valid = ~np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)
                if hasattr(arr, "flatten"):
                    arr = arr.flatten()
                values = arr.to_numpy(zero_copy_only=False)
                fill = np.nan if values.dtype.kind == "f" else 0
                if name not in out:
                    out[name] = np.full((len(batches), length, *shape), fill, dtype=values.dtype)
                n_rows = len(keep)
                if values.size == n_rows * int(np.prod(shape)):  # one entry per row, nulls included
                    full = values.reshape((n_rows, *shape))
                    if not valid.all():
                        full = full.copy()
                        full[~valid] = fill
                else:  # a list column without its null rows
                    full = np.full((n_rows, *shape), fill, dtype=values.dtype)
                    full[valid] = values.reshape((int(valid.sum()), *shape))
                kept = full[keep]
                out[name][chain, : len(kept)] = kept
        return out

    stat_names = list(NUTPIE_STATS.values())
    return columns(draw_batches), columns(stat_batches, stat_names)


class NutpieBackend:
    """Sample with nutpie on stanli's BridgeStan-compatible runtime (no C++ compile)."""

    name = "nutpie"
    #: NUTS only (nutpie has no optimizer or variational methods for Stan models).
    algorithms = BACKEND_ALGORITHMS["nutpie"]

    #: Built models kept in memory; each holds its data (twice: BridgeStan's and nutpie's copy).
    max_cached_models = 4

    def __init__(self) -> None:
        # (program, data, seed of _rng programs) -> (BridgeStan model, its library, nutpie's model)
        self._models = ModelCache(self.max_cached_models)

    # -- availability ---------------------------------------------------
    def available(self) -> bool:
        """True if nutpie, bridgestan and stanli are importable."""
        return not self.unavailable_reason()

    def unavailable_reason(self) -> str:
        """Why nutpie cannot be used ('' if it can), naming the extra that installs it."""
        missing = [m for m in ("nutpie", "bridgestan", "stanli") if importlib.util.find_spec(m) is None]
        if missing:
            return f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not installed; install with `{_EXTRA}`"
        return ""

    def _require(self) -> None:
        reason = self.unavailable_reason()
        if reason:
            raise BackendUnavailableError(f"backend 'nutpie' is not available: {reason}")

    # -- compile / build ------------------------------------------------
    def compile(self, code: str) -> CompiledModel:
        """Run stanc (stanli's) and keep the MIR; nothing is compiled to machine code.

        Raises
        ------
        brmspy.core.errors.StanCompileError
            If stanc rejects the program.
        brmspy.core.errors.BackendUnavailableError
            If nutpie or bridgestan is missing (naming ``brmspy-stan[nutpie]``).
        """
        self._require()
        import stanli

        start = time.perf_counter()
        try:
            mir = stanli.stan_to_mir(code)
        except RuntimeError as exc:
            raise StanCompileError("Stan rejected the generated program:\n" + str(exc).strip()) from None
        return CompiledModel(self.name, code, handle=mir, compile_time=time.perf_counter() - start)

    def from_stanli(self, model: CompiledModel) -> CompiledModel:
        """The program stanli's :meth:`~brmspy.backends.stanli_backend.StanliBackend.compile` prepared, as
        nutpie's: the same stanc output (its MIR), so :meth:`compile` need not run stanc again."""
        return CompiledModel(self.name, model.code, handle=model.handle, compile_time=model.compile_time)

    def build(self, model: CompiledModel, data: Mapping[str, Any] | None, seed: int = 1) -> tuple[Any, Any]:
        """``(nutpie library, nutpie compiled model)`` for ``model`` with ``data`` (cached).

        ``seed`` seeds the RNG of the transformed data block; it is part of the cache key only
        for programs that call an ``_rng`` function. nutpie's model is built on stanli's runtime
        library from the data JSON with the program spliced in (:func:`_with_program`), without
        first building a BridgeStan model (which parsed and re-encoded the JSON and built the model a
        second time: 0.35 s of the 10^5-row bernoulli GLMM's 0.65 s); :meth:`log_prob_grad` builds one
        when asked.

        Raises
        ------
        brmspy.core.errors.BackendUnavailableError
            If stanli's runtime cannot run a feature of the program.
        brmspy.core.errors.DataError
            If the data do not fit the program's data block.
        """
        self._require()
        data_json = data_to_json(data)
        key = ("nutpie", *self._key(model, data_json, seed))
        built = self._models.get(key)
        if built is not None:
            return built
        _nutpie()  # ArviZ deferred
        from nutpie import _lib
        from nutpie.compile_stan import CompiledStanModel

        try:
            library = _lib.StanLibrary(_runtime_library_path())
            nut = _lib.StanModel(library, {}, {}, {}, int(seed), _with_program(data_json, model.handle), None)
        except (RuntimeError, ValueError) as exc:
            raise runtime_refusal(str(exc), "stanli's runtime") from None
        compiled = CompiledStanModel(_coords={}, data=None, code=model.code, library=library, dims={}, model=nut)
        built = (library, compiled)
        self._models.put(key, built)
        return built

    @staticmethod
    def _key(model: CompiledModel, data_json: str, seed: int) -> tuple[Any, ...]:
        return model.code_hash, code_hash(data_json), int(seed) if "_rng(" in model.code else None

    def _bridgestan(self, model: CompiledModel, data: Mapping[str, Any] | None, seed: int = 1) -> Any:
        """The BridgeStan model of ``model`` with ``data`` on stanli's runtime (cached), for densities."""
        self._require()
        import stanli

        data_json = data_to_json(data)
        key = ("bridgestan", *self._key(model, data_json, seed))
        bs = self._models.get(key)
        if bs is None:
            try:
                bs = stanli.bridgestan_model(mir=model.handle, data=data_json, seed=int(seed))
            except (RuntimeError, ValueError) as exc:
                raise runtime_refusal(str(exc), "stanli's runtime") from None
            self._models.put(key, bs)
        return bs

    # -- sampling -------------------------------------------------------
    def sample(self, model: CompiledModel, data: Mapping[str, Any], config: SampleConfig) -> Draws:
        """Run nutpie's NUTS: ``chains`` chains of ``warmup`` tuning and ``iter - warmup`` draws.

        Raises
        ------
        brmspy.core.errors.SamplingError
            For ``init`` other than ``None`` or ``2`` (nutpie takes no starting values), or if
            sampling fails.
        """
        cfg = config.resolved()
        check_algorithm(self, cfg)
        radius = cfg.init_radius()
        if cfg.init is not None and radius != 2.0:
            raise SamplingError(
                f"backend='nutpie' cannot take init={cfg.init!r}: nutpie starts every chain uniformly in "
                "(-2, 2) on the unconstrained scale (Stan's default, init=None). "
                "Use backend='stanli' for other starting values."
            )
        if cfg.num_warmup < 1:
            raise SamplingError("backend='nutpie' needs warmup >= 1 (nutpie adapts while it tunes).")
        t0 = time.perf_counter()
        _lib, compiled = self.build(model, data, cfg.seed)
        t_build = time.perf_counter() - t0
        nutpie = _nutpie()

        t1 = time.perf_counter()
        try:
            # blocking=False and our own wait: nutpie.sample() turns Ctrl-C into a partial trace, but a
            # brms user's Ctrl-C stops the fit (as on every other backend) and returns nothing
            sampler = nutpie.sample(
                compiled,
                draws=cfg.num_samples,
                tune=cfg.num_warmup,
                chains=cfg.chains,
                cores=cfg.num_cores,
                seed=cfg.seed,
                save_warmup=False,
                progress_bar=cfg.refresh > 0,
                target_accept=float(cfg.adapt_delta),
                maxdepth=int(cfg.max_treedepth),
                blocking=False,
                return_raw_trace=True,  # the Arrow trace: _arrow_draws reads it without ArviZ
            )
            try:
                trace = sampler.wait()
            except BaseException:  # KeyboardInterrupt included: stop every chain, then re-raise
                sampler.cancel()
                raise
        except (RuntimeError, ValueError) as exc:
            raise SamplingError(f"nutpie sampling failed: {str(exc).strip()}") from None
        t_sample = time.perf_counter() - t1

        keep = slice(None, None, cfg.thin)  # CmdStan keeps the first draw of each block of `thin`
        posterior, sample_stats = _arrow_draws(*trace.get_arrow_trace())
        params = {}
        for name, values in posterior.items():
            arr = np.asarray(values, dtype=np.float64)[:, keep]
            if 0 in arr.shape[2:]:  # as CmdStan's output: no columns for a zero-size variable
                continue
            params[str(name)] = arr
        stats = {ours: np.asarray(sample_stats[theirs])[:, keep] for ours, theirs in NUTPIE_STATS.items()}
        return Draws(
            params=params,
            sampler_stats=normalize_sampler_stats(stats),
            backend=self.name,
            timings={"compile": model.compile_time, "build": t_build, "sample": t_sample},
            config=cfg,
        )

    # -- density ----------------------------------------------------------
    def log_prob_grad(
        self, model: CompiledModel, data: Mapping[str, Any], theta_unconstrained: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """Log density with Jacobian (constants dropped, as ``lp__``) and gradient (BridgeStan's)."""
        bs = self._bridgestan(model, data)
        theta = np.asarray(theta_unconstrained, dtype=np.float64).ravel()
        try:
            lp, grad = bs.log_density_gradient(theta, propto=True, jacobian=True)
        except (RuntimeError, ValueError) as exc:
            raise SamplingError(f"could not evaluate the log density: {exc}") from None
        return float(lp), np.asarray(grad, dtype=np.float64)

    def unconstrained_size(self, model: CompiledModel, data: Mapping[str, Any]) -> int:
        """Length of the unconstrained parameter vector."""
        return int(self._bridgestan(model, data).param_unc_num())
