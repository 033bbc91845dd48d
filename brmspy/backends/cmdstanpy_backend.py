"""CmdStan backend: each program compiled once per machine, every brms algorithm.

CmdStanPy finds the CmdStan installation (``CMDSTAN``, ``cmdstanpy.set_cmdstan_path`` or
``~/.cmdstan``) and reads every CSV file CmdStan writes (``cmdstanpy.from_csv``, so draws,
names and shapes are CmdStanPy's). brmspy runs ``make`` and the model executables itself,
through :mod:`brmspy.backends.processes`, because CmdStanPy's runner cannot give three things
this backend promises:

* no orphans: an interrupted compile or run (Ctrl-C in a notebook, an exception) kills make,
  g++ and every chain process; CmdStanPy leaves its chain processes running;
* no broken cache entries: a program is compiled in a temporary directory and renamed into
  the cache only when its executable is complete, under a per-program file lock, so an
  interrupted or failed compile leaves nothing that a later run could mistake for a build;
* the compiler's words: a failed build raises :class:`~brmspy.core.errors.StanCompileError` with
  stanc's or g++'s own message, and each run gets ``STAN_NUM_THREADS`` in its own environment
  instead of the process-wide variable CmdStanPy sets and leaves behind.

Executables live in :func:`cache_dir` (``$BRMSPY_CACHE_DIR/cmdstan-models`` or
``${XDG_CACHE_HOME:-~/.cache}/brmspy/cmdstan-models``), one directory per program, CmdStan
install and build options, named ``<program sha256[:16]>-<options sha256[:8]>``.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

import numpy as np

from ..core.errors import BackendUnavailableError, DataError, SamplingError, StanCompileError

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
from .stanli_backend import validate_stan_code
from .processes import ProcessResult, run_isolated, run_parallel
from .progress import cmdstan_progress
from .threads import is_threaded, threads_for

__all__ = [
    "CmdStanPyBackend",
    "CmdStanExecutable",
    "cmdstan_draws_to_arrays",
    "parse_log_prob_csv",
    "compiler_message",
    "cache_dir",
]

logger = logging.getLogger("brmspy.backends")

NOT_INSTALLED = (
    "CmdStan is not installed. Install it with `python -m cmdstanpy.install_cmdstan` "
    "(needs internet) or set CMDSTAN to an existing install; "
    "or use backend='stanli' (no C++ needed)"
)

_EXE_SUFFIX = ".exe" if os.name == "nt" else ""
# Lines of make's output that carry stanc's or the C++ toolchain's complaint.
_ERROR_LINE = re.compile(r"(Syntax|Semantic) error|\berror\b|undefined reference|Error: ", re.IGNORECASE)
# CmdStan's words when the data do not fit the program's data block.
_DATA_ERROR = re.compile(r"stage=data initialization|variable does not exist|mismatch in dimension|"
                         r"mismatch in number of dimensions|Error reading data", re.IGNORECASE)


_SIZE_MESSAGE = re.compile(r"Model has (\d+) parameters but \d+ were found")


def _without_arguments(output: str) -> str:
    """CmdStan's output without the argument tree it echoes first (up to the first blank line)."""
    if output.lstrip().startswith("method ="):
        head, sep, rest = output.partition("\n\n")
        if sep:
            return rest
    return output


def cache_dir() -> Path:
    """Where brmspy keeps compiled CmdStan executables (one directory per program).

    ``$BRMSPY_CACHE_DIR/cmdstan-models`` if set, else
    ``${XDG_CACHE_HOME:-~/.cache}/brmspy/cmdstan-models``. Deleting it is safe: programs are
    compiled again on first use.
    """
    root = os.environ.get("BRMSPY_CACHE_DIR")
    if root:
        return Path(root) / "cmdstan-models"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "brmspy" / "cmdstan-models"


@dataclass(frozen=True)
class CmdStanExecutable:
    """A compiled program in the cache (the ``handle`` of a CmdStan :class:`CompiledModel`).

    Attributes
    ----------
    exe : pathlib.Path
        The model executable.
    stan_file : pathlib.Path
        The program it was compiled from.
    threads : bool
        Built with ``STAN_THREADS`` (``reduce_sum`` programs), so ``STAN_NUM_THREADS`` counts.
    """

    exe: Path
    stan_file: Path
    threads: bool


def cmdstan_draws_to_arrays(
    stan_vars: Mapping[str, np.ndarray], method_vars: Mapping[str, np.ndarray], nchains: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Convert CmdStanPy's layout to ``(params, sampler_stats)`` as in :class:`Draws`.

    Parameters
    ----------
    stan_vars : dict
        ``CmdStanMCMC.stan_variables()``: ``(chains * draws, *shape)``, the
        chains one after another (CmdStanPy already orders matrix elements
        by their Stan indices).
    method_vars : dict
        ``CmdStanMCMC.method_variables()``: ``(draws, chains)`` each; for one
        chain also ``(draws,)``.
    nchains : int
        Number of chains.
    """
    params = {}
    for name, arr in stan_vars.items():
        arr = np.asarray(arr, dtype=np.float64)
        if arr.size == 0:
            continue
        params[name] = arr.reshape(nchains, arr.shape[0] // nchains, *arr.shape[1:])
    stats = {}
    for name, arr in method_vars.items():
        arr = np.asarray(arr)
        stats[name] = arr.reshape(1, -1) if arr.ndim == 1 else arr.T
    return params, stats


def parse_log_prob_csv(text: str) -> tuple[float, np.ndarray]:
    """``(lp, gradient)`` from the CSV CmdStan's ``log_prob`` method writes."""
    rows = [r for r in csv.reader(line for line in text.splitlines() if line and not line.startswith("#"))]
    if len(rows) < 2:
        raise SamplingError(f"CmdStan's log_prob output has no values:\n{text[:500]}")
    values = np.array([float(v) for v in rows[1]])
    return float(values[0]), values[1:]


def compiler_message(output: str, limit: int = 30) -> str:
    """The part of make's output that says what went wrong (stanc's or g++'s own lines).

    From two lines before the first error line on, at most ``limit`` lines; the last lines
    of the output if no line looks like an error.

    Examples
    --------
    >>> print(compiler_message("g++ -c x.cpp\\nx.cpp:3:1: error: 'foo' was not declared\\nmake: *** Error 1"))
    g++ -c x.cpp
    x.cpp:3:1: error: 'foo' was not declared
    make: *** Error 1
    """
    lines = [ln for ln in output.splitlines() if ln.strip()]
    first = next((i for i, ln in enumerate(lines) if _ERROR_LINE.search(ln) and not ln.lstrip().startswith("--- ")),
                 None)
    chosen = lines[-limit:] if first is None else lines[max(0, first - 2):first + limit]
    return "\n".join(chosen)


@contextlib.contextmanager
def _quiet_cmdstanpy() -> Iterator[None]:
    """Silence CmdStanPy's logger while it reads CSV files: it repeats, as log lines, the
    divergence warnings brmspy gives with their remedies (:func:`brmspy.fit.diagnostics.warn_diagnostics`)."""
    log = logging.getLogger("cmdstanpy")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Serialise compiles of one program across processes (POSIX; elsewhere the rename decides)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _make() -> str:
    return shutil.which("make") or shutil.which("mingw32-make") or "make"


class CmdStanPyBackend:
    """Compile with CmdStan (C++, cached per program) and run its executables."""

    name = "cmdstanpy"
    algorithms = BACKEND_ALGORITHMS["cmdstanpy"]

    def __init__(self) -> None:
        #: Extra ``make`` arguments for every compile, e.g. ``["CXXFLAGS+=-march=native"]``
        #: (they change the cache key).
        self.make_args: list[str] = []

    # -- availability ---------------------------------------------------
    def available(self) -> bool:
        """True if CmdStanPy is importable and finds a CmdStan install."""
        return not self.unavailable_reason()

    def unavailable_reason(self) -> str:
        """Why CmdStan cannot be used ('' if it can)."""
        try:
            import cmdstanpy
        except ImportError as exc:
            return (f"CmdStanPy is not installed ({exc}); it is an optional extra: install it with "
                    "`pip install \"brmspy-stan[cmdstanpy]\"`, then CmdStan with `python -m cmdstanpy.install_cmdstan`; "
                    "or use backend='stanli' (no C++ needed)")
        try:
            cmdstanpy.cmdstan_path()
        except (ValueError, OSError, RuntimeError):
            return NOT_INSTALLED
        return ""

    def _require(self) -> Path:
        reason = self.unavailable_reason()
        if reason:
            raise BackendUnavailableError(reason)
        import cmdstanpy

        return Path(cmdstanpy.cmdstan_path())

    # -- compile ----------------------------------------------------------
    def cache_key(self, code: str) -> str:
        """The cache directory name of ``code``: program hash, then a hash of the build options.

        The options part covers the CmdStan install (its path and its stanc's timestamp),
        ``STAN_THREADS`` and :attr:`make_args`, so a new CmdStan or other flags never reuse
        an executable built differently.
        """
        home = self._require()
        stanc = home / "bin" / f"stanc{_EXE_SUFFIX}"
        stamp = stanc.stat().st_mtime_ns if stanc.exists() else 0
        options = json.dumps([str(home.resolve()), stamp, is_threaded(code), self.make_args])
        return f"{code_hash(code)[:16]}-{hashlib.sha256(options.encode()).hexdigest()[:8]}"

    def compile(self, code: str) -> CompiledModel:
        """Build (or find in the cache) the executable of ``code``.

        The first build of a program takes 20-60 s of C++ compilation; later ones, in any
        process on this machine, find the executable in :func:`cache_dir`.

        Raises
        ------
        brmspy.core.errors.StanCompileError
            With stanc's message (checked first, in milliseconds, by stanli's stanc when
            installed) or the C++ compiler's message.
        """
        home = self._require()

        try:
            validate_stan_code(code)  # stanc's message, before a minute of C++
        except BackendUnavailableError:
            pass
        start = time.perf_counter()
        threads = is_threaded(code)
        key = self.cache_key(code)
        root = cache_dir()
        entry = root / key
        stem = f"model_{key[:16]}"
        handle = CmdStanExecutable(entry / f"{stem}{_EXE_SUFFIX}", entry / f"{stem}.stan", threads)
        if not self._complete(handle):
            with _file_lock(root / f"{key}.lock"):
                if not self._complete(handle):
                    self._build(code, home, root, entry, stem, threads)
        return CompiledModel(self.name, code, handle=handle, compile_time=time.perf_counter() - start)

    @staticmethod
    def _complete(handle: CmdStanExecutable) -> bool:
        # Entries appear only by renaming a finished build, but a user may have edited one.
        return handle.exe.is_file() and (handle.exe.parent / "build.json").is_file()

    def _build(self, code: str, home: Path, root: Path, entry: Path, stem: str, threads: bool) -> None:
        root.mkdir(parents=True, exist_ok=True)
        # Under the lock, other build directories of this key belong to killed processes.
        for stale in root.glob(f".build-{entry.name}-*"):
            shutil.rmtree(stale, ignore_errors=True)
        if entry.exists():
            shutil.rmtree(entry, ignore_errors=True)
        work = Path(tempfile.mkdtemp(prefix=f".build-{entry.name}-", dir=root))
        try:
            (work / f"{stem}.stan").write_text(code, encoding="utf-8")
            target = (work / stem).as_posix() + _EXE_SUFFIX
            # messages name the program, not the temporary directory it is compiled in
            cmd = [_make(), f"STANCFLAGS+=--filename-in-msg={stem}.stan", *(["STAN_THREADS=true"] if threads else []),
                   *self.make_args, target]
            logger.info("compiling Stan program with CmdStan (C++, about a minute, once per machine): %s", entry)
            t0 = time.perf_counter()
            result = run_isolated(cmd, cwd=home)
            output = (result.stdout or "") + (result.stderr or "")
            if result.returncode != 0 or not (work / f"{stem}{_EXE_SUFFIX}").is_file():
                raise StanCompileError(
                    f"CmdStan could not compile the program (make exited with {result.returncode}):\n"
                    + compiler_message(output)
                )
            for junk in work.glob("*.o"):
                junk.unlink(missing_ok=True)
            (work / "build.json").write_text(json.dumps({
                "cmdstan": str(home), "threads": threads, "make_args": self.make_args,
                "seconds": round(time.perf_counter() - t0, 1),
            }))
            os.rename(work, entry)  # atomic: the entry is complete or absent
        finally:
            if work.exists():
                shutil.rmtree(work, ignore_errors=True)

    # -- running ------------------------------------------------------------
    @staticmethod
    def _env(threads: int) -> dict[str, str]:
        return {**os.environ, "STAN_NUM_THREADS": str(int(threads))}

    @staticmethod
    def _common(data_file: Path, seed: int, csv_file: Path, refresh: int, init: str | None) -> list[str]:
        args = ["data", f"file={data_file}"]
        if init is not None:
            args.append(f"init={init}")
        # 17 significant digits: the draws are the doubles CmdStan computed, as on the other backends
        return [*args, "random", f"seed={seed}", "output", f"file={csv_file}", f"refresh={refresh}", "sig_figs=17"]

    @staticmethod
    def _check(results: list[ProcessResult], what: str) -> None:
        for i, res in enumerate(results):
            if res.returncode != 0:
                text = _without_arguments(res.output(20000))[-4000:]
                label = f"{what} {i + 1}" if len(results) > 1 else what
                if _DATA_ERROR.search(text):
                    raise DataError(f"The data do not fit the Stan program (CmdStan {label}):\n{text.strip()}")
                raise SamplingError(f"CmdStan {label} failed (exit code {res.returncode}):\n{text.strip()}")

    @staticmethod
    def _inits(cfg: SampleConfig, tmp: Path) -> list[str | None]:
        """CmdStan's ``init=`` per chain: a radius, a JSON file of values, or nothing (radius 2)."""
        radius = cfg.init_radius()
        if radius is not None:
            return [repr(radius)] * cfg.chains
        per_chain = cfg.per_chain_inits()
        if per_chain is None:
            return [None] * cfg.chains
        files = []
        for c, values in enumerate(per_chain):
            path = tmp / f"init-{c + 1}.json"
            path.write_text(data_to_json(values))
            files.append(str(path))
        return files

    def sample(self, model: CompiledModel, data: Mapping[str, Any], config: SampleConfig) -> Draws:
        """Run ``config.algorithm`` with CmdStan: NUTS chains (one process each, ``cores`` at a
        time), ``fixed_param``, or an approximation (ADVI, Pathfinder, Laplace).

        Chain ``c`` (from 1) uses CmdStan's stream for ``(seed, id=c)``, as stanli does.

        Raises
        ------
        brmspy.core.errors.DataError
            If the data do not fit the program.
        brmspy.core.errors.SamplingError
            If CmdStan fails (with its message).
        """
        self._require()
        import cmdstanpy

        cfg = config.resolved()
        check_algorithm(self, cfg)
        if not self._complete(model.handle):  # the cache was cleared since compile()
            model = self.compile(model.code)
        handle: CmdStanExecutable = model.handle
        threads = threads_for(model.code, cfg.threads)
        exe = str(handle.exe)
        refresh = int(cfg.refresh)
        echo = refresh > 0
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="brmspy-cmdstan-") as tmp_name:
            tmp = Path(tmp_name)
            data_file = tmp / "data.json"
            data_file.write_text(data_to_json(data))
            algo = cfg.algorithm
            if algo in ("sampling", "fixed_param"):
                inits = self._inits(cfg, tmp)
                method = (["algorithm=fixed_param"] if algo == "fixed_param" else
                          ["algorithm=hmc", "engine=nuts", f"max_depth={cfg.max_treedepth}",
                           "adapt", f"delta={float(cfg.adapt_delta)!r}"])
                csvs = [tmp / f"chain-{c + 1}.csv" for c in range(cfg.chains)]
                cmds = [
                    [exe, "method=sample", f"num_samples={cfg.num_samples}", f"num_warmup={cfg.num_warmup}",
                     f"thin={cfg.thin}", *method, f"id={c + 1}",
                     *self._common(data_file, cfg.seed, csvs[c], refresh, inits[c])]
                    for c in range(cfg.chains)
                ]
                with cmdstan_progress(cfg.chains, cfg.num_warmup + cfg.num_samples, refresh) as on_line:
                    results = run_parallel(cmds, [p.with_suffix(".log") for p in csvs], cfg.num_cores,
                                           self._env(threads), echo,
                                           [f"Chain [{c + 1}] " for c in range(cfg.chains)],
                                           echo_after_blank=True, on_line=on_line)
                self._check(results, "chain")
                with _quiet_cmdstanpy():
                    fit = cmdstanpy.from_csv([str(p) for p in csvs], method="sample")
                params, stats = cmdstan_draws_to_arrays(fit.stan_variables(), fit.method_variables(), cfg.chains)
                stats = (normalize_sampler_stats(stats) if algo == "sampling"
                         else fill_sampler_stats(stats, (cfg.chains, cfg.num_draws)))
            else:
                init = self._inits(cfg, tmp)[0]  # one run: the first chain's inits
                params, stats = self._approximate(cmdstanpy, exe, cfg, data_file, tmp, init, threads, echo,
                                                  handle.threads)
        t_sample = time.perf_counter() - t0
        return Draws(params=params, sampler_stats=stats, backend=self.name,
                     timings={"compile": model.compile_time, "sample": t_sample}, config=cfg)

    def _approximate(self, cmdstanpy: Any, exe: str, cfg: SampleConfig, data_file: Path, tmp: Path,
                     init: str | None, threads: int, echo: bool, exe_threads: bool) -> tuple[dict, dict]:
        """ADVI (``iter`` iterations), Pathfinder (``chains`` paths) or Laplace at the mode,
        each :data:`APPROXIMATE_DRAWS` draws, as one chain (as brms through cmdstanr)."""
        algo, seed, refresh = cfg.algorithm, cfg.seed, int(cfg.refresh)
        out = tmp / f"{algo}.csv"
        env = self._env(threads)
        if algo in ("meanfield", "fullrank"):
            method = ["method=variational", f"algorithm={algo}", f"iter={cfg.iter}",
                      f"output_samples={APPROXIMATE_DRAWS}"]
        elif algo == "pathfinder":
            method = ["method=pathfinder", f"num_paths={cfg.chains}", f"num_draws={APPROXIMATE_DRAWS}",
                      f"num_psis_draws={APPROXIMATE_DRAWS}"]
            if exe_threads:  # paths run in parallel in a threaded build
                env = self._env(max(threads, cfg.num_cores))
        else:  # laplace: the mode with the Jacobian (the density the draws approximate), then draws
            mode = tmp / "mode.csv"
            cmd = [exe, "method=optimize", "jacobian=1", *self._common(data_file, seed, mode, refresh, init)]
            self._check(run_parallel([cmd], [tmp / "mode.log"], 1, env, echo, ["Optimize "], echo_after_blank=True),
                        "optimization")
            method = ["method=laplace", f"mode={mode}", "jacobian=1", f"draws={APPROXIMATE_DRAWS}"]
            init = None
        cmd = [exe, *method, *self._common(data_file, seed, out, refresh, init)]
        self._check(run_parallel([cmd], [tmp / f"{algo}.log"], 1, env, echo, [f"{algo} "], echo_after_blank=True),
                    algo)
        with _quiet_cmdstanpy():
            fit = cmdstanpy.from_csv([str(out)])
        if algo in ("meanfield", "fullrank"):
            stan_vars = fit.stan_variables(mean=False)
        else:
            stan_vars = fit.stan_variables()
        if algo in ("meanfield", "fullrank"):  # CmdStanVB has no method_variables()
            table = np.asarray(fit.variational_sample)
            method_vars = {n: table[:, i] for i, n in enumerate(fit.column_names) if n.endswith("__")}
        else:
            method_vars = fit.method_variables()
        method_vars = {k: v for k, v in method_vars.items() if np.asarray(v).shape[:1] == (APPROXIMATE_DRAWS,)}
        params, stats = cmdstan_draws_to_arrays(stan_vars, method_vars, 1)
        return params, fill_sampler_stats(stats, (1, APPROXIMATE_DRAWS))

    # -- density ------------------------------------------------------------
    def log_prob_grad(
        self, model: CompiledModel, data: Mapping[str, Any], theta_unconstrained: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """CmdStan's ``log_prob`` method at an unconstrained point (Jacobian included, as ``lp__``).

        Raises
        ------
        brmspy.core.errors.SamplingError
            If CmdStan cannot evaluate it (e.g. the point is outside the support).
        """
        self._require()
        theta = np.asarray(theta_unconstrained, dtype=np.float64).ravel()
        with tempfile.TemporaryDirectory(prefix="brmspy-cmdstan-") as tmp:
            data_file = Path(tmp) / "data.json"
            params_file = Path(tmp) / "params.json"
            out_file = Path(tmp) / "out.csv"
            data_file.write_text(data_to_json(data))
            params_file.write_text(json.dumps({"params_r": theta.tolist()}))
            cmd = [
                str(model.handle.exe), "method=log_prob", f"unconstrained_params={params_file}", "jacobian=1",
                "data", f"file={data_file}", "output", f"file={out_file}", "sig_figs=18",
            ]
            proc = run_isolated(cmd)
            if proc.returncode or not out_file.exists():
                text = f"{_without_arguments(proc.stdout)[-2000:]}\n{proc.stderr[-2000:]}".strip()
                if _DATA_ERROR.search(text):
                    raise DataError(f"The data do not fit the Stan program (CmdStan log_prob):\n{text}")
                raise SamplingError(f"CmdStan log_prob failed:\n{text}")
            return parse_log_prob_csv(out_file.read_text())

    def unconstrained_size(self, model: CompiledModel, data: Mapping[str, Any]) -> int:
        """Length of the unconstrained parameter vector.

        CmdStan states it only when ``log_prob`` gets a vector of the wrong length ("Model has
        N parameters but 1 were found"); a one-element vector either gets that answer or is
        the right length.
        """
        self._require()
        try:
            return len(self.log_prob_grad(model, data, np.zeros(1))[1])
        except SamplingError as exc:
            found = _SIZE_MESSAGE.search(str(exc))
            if found is None:
                raise
            return int(found.group(1))
