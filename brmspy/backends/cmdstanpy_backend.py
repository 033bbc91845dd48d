"""CmdStanPy backend: CmdStan executables, compiled once per program.

Usable only where CmdStan is installed (``cmdstanpy.cmdstan_path()``
succeeds). Programs are written to a cache directory keyed by their hash, so
CmdStanPy finds the existing executable instead of recompiling.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from ..core.errors import BackendUnavailableError, SamplingError, StanCompileError
from .base import CompiledModel, Draws, SampleConfig, data_to_json, normalize_sampler_stats
from .stanli_backend import validate_stan_code
from .threads import is_threaded, stan_num_threads, threads_for

__all__ = ["CmdStanPyBackend", "cmdstan_draws_to_arrays", "parse_log_prob_csv", "cache_dir"]

logger = logging.getLogger("brmspy.backends")

NOT_INSTALLED = (
    "CmdStan is not installed. Install it with `python -m cmdstanpy.install_cmdstan` "
    "(needs internet) or set CMDSTAN to an existing install; "
    "or use backend='stanli' (no C++ needed)"
)


def cache_dir() -> Path:
    """Where brmspy keeps Stan programs and CmdStan executables."""
    root = os.environ.get("BRMSPY_CACHE_DIR")
    if root:
        return Path(root) / "cmdstan"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "brmspy" / "cmdstan"


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
        ``CmdStanMCMC.method_variables()``: ``(draws, chains)`` each.
    nchains : int
        Number of chains.
    """
    params = {}
    for name, arr in stan_vars.items():
        arr = np.asarray(arr, dtype=np.float64)
        if arr.size == 0:
            continue
        params[name] = arr.reshape(nchains, arr.shape[0] // nchains, *arr.shape[1:])
    stats = {name: np.asarray(arr).T for name, arr in method_vars.items()}
    return params, stats


def parse_log_prob_csv(text: str) -> tuple[float, np.ndarray]:
    """``(lp, gradient)`` from the CSV CmdStan's ``log_prob`` method writes."""
    rows = [r for r in csv.reader(line for line in text.splitlines() if line and not line.startswith("#"))]
    if len(rows) < 2:
        raise SamplingError(f"CmdStan's log_prob output has no values:\n{text[:500]}")
    values = np.array([float(v) for v in rows[1]])
    return float(values[0]), values[1:]


class CmdStanPyBackend:
    """Compile with CmdStan (C++) and sample with CmdStanPy."""

    name = "cmdstanpy"

    def available(self) -> bool:
        """True if CmdStanPy is importable and finds a CmdStan install."""
        return not self.unavailable_reason()

    def unavailable_reason(self) -> str:
        """Why CmdStanPy cannot be used ('' if it can)."""
        try:
            import cmdstanpy
        except ImportError as exc:
            return f"CmdStanPy is not importable ({exc}); install it with `pip install cmdstanpy`. " + NOT_INSTALLED
        try:
            cmdstanpy.cmdstan_path()
        except (ValueError, OSError, RuntimeError):
            return NOT_INSTALLED
        return ""

    def _require(self) -> None:
        reason = self.unavailable_reason()
        if reason:
            raise BackendUnavailableError(reason)

    def compile(self, code: str) -> CompiledModel:
        """Write ``code`` to the cache and build (or reuse) its executable."""
        self._require()
        import cmdstanpy


        try:
            validate_stan_code(code)  # stanc's message, before minutes of C++
        except BackendUnavailableError:
            pass
        start = time.perf_counter()
        model = CompiledModel(self.name, code)
        directory = cache_dir() / model.code_hash[:16]
        directory.mkdir(parents=True, exist_ok=True)
        # The stem becomes the C++ model name, which must not start with a digit.
        stan_file = directory / f"model_{model.code_hash[:16]}.stan"
        if not stan_file.exists() or stan_file.read_text() != code:
            stan_file.write_text(code)
        # reduce_sum programs (brm(..., threads=k)) need an executable built with threads
        cpp_options = {"STAN_THREADS": True} if is_threaded(code) else None
        try:
            model.handle = cmdstanpy.CmdStanModel(stan_file=str(stan_file), cpp_options=cpp_options)
        except (ValueError, RuntimeError) as exc:
            raise StanCompileError(f"CmdStan could not build the program:\n{exc}") from None
        model.compile_time = time.perf_counter() - start
        return model

    def sample(self, model: CompiledModel, data: Mapping[str, Any], config: SampleConfig) -> Draws:
        """Run NUTS with ``CmdStanModel.sample``."""
        self._require()
        cfg = config.resolved()
        inits: Any = cfg.init_radius()
        if inits is None and cfg.init is not None:
            inits = cfg.per_chain_inits()
        t0 = time.perf_counter()
        threads = threads_for(model.code, cfg.threads)
        extra: dict[str, Any] = {"threads_per_chain": threads} if threads > 1 else {}
        try:
            # CmdStanPy sets STAN_NUM_THREADS for the run from threads_per_chain; restore it afterwards
            with stan_num_threads(threads):
                fit = model.handle.sample(
                    data=json.loads(data_to_json(data)),
                    chains=cfg.chains,
                    parallel_chains=cfg.num_cores,
                    iter_warmup=cfg.num_warmup,
                    iter_sampling=cfg.num_samples,
                    thin=cfg.thin,
                    seed=cfg.seed,
                    adapt_delta=float(cfg.adapt_delta),
                    max_treedepth=cfg.max_treedepth,
                    inits=inits,
                    show_progress=False,
                    show_console=cfg.refresh > 0,
                    refresh=cfg.refresh if cfg.refresh > 0 else None,
                    **extra,
                )
        except RuntimeError as exc:
            raise SamplingError(f"CmdStan sampling failed: {exc}") from None
        t_sample = time.perf_counter() - t0
        params, stats = cmdstan_draws_to_arrays(fit.stan_variables(), fit.method_variables(), cfg.chains)
        return Draws(
            params=params,
            sampler_stats=normalize_sampler_stats(stats),
            backend=self.name,
            timings={"compile": model.compile_time, "sample": t_sample},
            config=cfg,
        )

    def log_prob_grad(
        self, model: CompiledModel, data: Mapping[str, Any], theta_unconstrained: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """CmdStan's ``log_prob`` method at an unconstrained point (jacobian=1)."""
        self._require()
        theta = np.asarray(theta_unconstrained, dtype=np.float64).ravel()
        with tempfile.TemporaryDirectory(prefix="brmspy-") as tmp:
            data_file = Path(tmp) / "data.json"
            params_file = Path(tmp) / "params.json"
            out_file = Path(tmp) / "out.csv"
            data_file.write_text(data_to_json(data))
            params_file.write_text(json.dumps({"params_r": theta.tolist()}))
            cmd = [
                str(model.handle.exe_file), "log_prob", f"unconstrained_params={params_file}", "jacobian=1",
                "data", f"file={data_file}", "output", f"file={out_file}", "sig_figs=18",
            ]
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if proc.returncode:
                raise SamplingError(f"CmdStan log_prob failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
            return parse_log_prob_csv(out_file.read_text())

    def unconstrained_size(self, model: CompiledModel, data: Mapping[str, Any]) -> int:
        """One row per unconstrained parameter in CmdStan's gradient diagnosis."""
        self._require()
        frame = model.handle.diagnose(data=json.loads(data_to_json(data)), inits=0, require_gradients_ok=False)
        return int(len(frame))
