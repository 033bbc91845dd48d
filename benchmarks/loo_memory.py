"""Time and peak memory of loo() at scale (issue 7, post-processing at scale).

Three modes; each prints figures, none is a test.

``python benchmarks/loo_memory.py [N] [draws per chain] [chunk rows]``
    Fits a gaussian ``y ~ x + (1 | g)`` on N = 10^5 rows (default) and runs PSIS-LOO
    unchunked (``chunk_size=0``), in automatic chunks and with ``subsample=2000``,
    measuring the peak of Python allocations (tracemalloc, which sees numpy arrays).

``python benchmarks/loo_memory.py large [N] [draws per chain] [cores]``
    The issue's target: ``loo()`` over N = 10^6 rows with 4 chains × 1000 draws.
    A small fit (1,000 rows) supplies the draws; its model frame is replaced by one
    built from N simulated rows, so ``loo`` computes the log-likelihood of all N rows
    chunk by chunk (2^24 draws × rows per chunk) and smooths every chunk with the
    vectorised PSIS of :mod:`brmspy.psis`.  Prints wall and CPU seconds (total and the
    PSIS part), the peak resident set size of the process during the call (Linux
    ``VmHWM``, reset before), and the per-observation ArviZ PSIS time on one chunk
    extrapolated to N (the previous implementation).  ``cores`` > 1 (``loo(cores=)``)
    smooths a chunk while the next chunk's log-likelihood is computed.

``python benchmarks/loo_memory.py psis [N] [draws]``
    PSIS-LOO alone on synthetic gaussian log-likelihood chunks (a generator: no fit),
    N = 10^6 observations × 4000 draws by default.

The machine's other load inflates wall time; CPU seconds are the better measure of work.
"""

from __future__ import annotations

import copy
import dataclasses
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import brmspy as bp
from brmspy.criteria import ic as cr
from brmspy.criteria import psis
from brmspy.prediction import chunked

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _memory import reset_peak_rss, status_bytes  # noqa: E402


def measure(fn, *args, **kwargs):
    tracemalloc.start()
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    dt = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return out, peak / 2**20, dt


# ------------------------------------------------------------------ resident memory


def _status(field: str) -> float:
    """A ``/proc/self/status`` memory field in MiB (nan where unavailable)."""
    value = status_bytes(field)
    return float("nan") if value is None else value / 2**20


class Timer:
    """Wall and CPU seconds of a block."""

    def __enter__(self) -> "Timer":
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


class PsisClock:
    """Accumulates the time spent in :func:`brmspy.psis.loo_pointwise` (the PSIS part of loo)."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0
        self.calls = 0
        self._orig = psis.loo_pointwise

    def __enter__(self) -> "PsisClock":
        def timed(*args, **kwargs):
            w, c = time.perf_counter(), time.process_time()
            try:
                return self._orig(*args, **kwargs)
            finally:
                self.wall += time.perf_counter() - w
                self.cpu += time.process_time() - c
                self.calls += 1

        psis.loo_pointwise = timed
        return self

    def __exit__(self, *exc) -> None:
        psis.loo_pointwise = self._orig


# ------------------------------------------------------------------ modes


def compare(argv: list[str]) -> None:
    """Unchunked vs chunked vs subsampled loo on a fit of N rows (tracemalloc peaks)."""
    N = int(argv[0]) if argv else 100_000
    per_chain = int(argv[1]) if len(argv) > 1 else 500
    rng = np.random.default_rng(1)
    g = rng.integers(0, 1000, N)
    x = rng.normal(size=N)
    df = pd.DataFrame({"y": 1 + 0.5 * x + rng.normal(0, 0.5, 1000)[g] + rng.normal(size=N), "x": x, "g": g})
    t = time.perf_counter()
    fit = bp.brm("y ~ x + (1 | g)", data=df, chains=2, iter=2 * per_chain, seed=1, refresh=0)
    print(f"fit: N={N}, draws={fit.ndraws()}, {time.perf_counter() - t:.1f} s")
    S = fit.ndraws()
    print(f"one draws x N array: {S * N * 8 / 2**20:.0f} MiB")
    whole, m0, t0 = measure(cr.loo, fit, chunk_size=0)
    fit.__dict__.pop("criteria", None)
    size = int(argv[2]) if len(argv) > 2 else chunked.auto_chunk_size(S, N)
    chunk, m1, t1 = measure(cr.loo, fit, chunk_size=size)
    print(f"loo unchunked : peak {m0:8.0f} MiB  {t0:6.1f} s  elpd {whole.elpd:.3f}")
    print(f"loo chunked   : peak {m1:8.0f} MiB  {t1:6.1f} s  elpd {chunk.elpd:.3f}  "
          f"(chunk of {size} rows)")
    sub, m2, t2 = measure(cr.loo, fit, subsample=2000, seed=1)
    print(f"loo subsample : peak {m2:8.0f} MiB  {t2:6.1f} s  elpd {sub.elpd:.3f} "
          f"(SE {sub.se:.1f}, subsampling SE {sub.subsampling_se:.2f})")


def _simulate(N: int, rng: np.random.Generator) -> pd.DataFrame:
    x = rng.normal(size=N)
    return pd.DataFrame({"y": 1 + 0.5 * x + rng.standard_t(6, N), "x": x})


def large(argv: list[str]) -> None:
    """loo() over N = 10^6 rows with 4000 draws: seconds and peak RSS."""
    from brmspy.frame.build import build_frame

    N = int(float(argv[0])) if argv else 1_000_000
    per_chain = int(argv[1]) if len(argv) > 1 else 1000
    cores = int(argv[2]) if len(argv) > 2 else 1
    rng = np.random.default_rng(1)
    with Timer() as tf:
        fit = bp.brm("y ~ x", data=_simulate(1000, rng), chains=4, iter=2 * per_chain, seed=1, refresh=0)
    print(f"small fit: 1000 rows, {fit.ndraws()} draws, {tf.wall:.1f} s")
    with Timer() as tb:
        frame = build_frame(fit.build.terms, _simulate(N, rng), None)
    big = copy.copy(fit)
    big.build = dataclasses.replace(fit.build, frame=frame)
    big.__dict__.pop("criteria", None)
    S = big.ndraws()
    size = chunked.auto_chunk_size(S, N)
    print(f"frame of N={N} rows built in {tb.wall:.1f} s; draws x N = {S * N * 8 / 2**30:.1f} GiB if held at once; "
          f"chunks of {size} rows ({S * size * 8 / 2**20:.0f} MiB each)")
    rss0 = _status("VmRSS")
    exact_peak = reset_peak_rss()
    with PsisClock() as pc, Timer() as tl, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = cr.loo(big, cores=cores)
    peak = _status("VmHWM")
    print(f"loo(fit, cores={cores}) over {N} rows x {S} draws: {tl.wall:.1f} s wall, {tl.cpu:.1f} s CPU")
    if cores == 1:
        print(f"  of which vectorised PSIS-LOO ({pc.calls} chunks): {pc.wall:.1f} s wall, {pc.cpu:.1f} s CPU; "
              f"log-likelihood and bookkeeping: {tl.wall - pc.wall:.1f} s wall, {tl.cpu - pc.cpu:.1f} s CPU")
    print(f"  peak RSS during loo: {peak:.0f} MiB ({'VmHWM reset before the call' if exact_peak else 'process peak'}; "
          f"RSS before the call {rss0:.0f} MiB)")
    print(f"  elpd_loo {res.elpd:.1f} (SE {res.se:.1f}), p_loo {res.p:.2f}, max Pareto k "
          f"{np.max(res.pareto_k):.3f}, k > {res.good_k:.2f}: {int(np.sum(res.pareto_k > res.good_k))}")
    # the previous implementation (ArviZ PSIS and ESS one observation at a time) on one chunk
    part = chunked.row_subset_fit(big, slice(0, size))
    ll3 = bp.log_lik(part, chunk_size=0).reshape(fit.stan_draws.nchains, -1, size)
    with Timer() as told, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r_eff = cr._relative_eff(ll3)
        lw, k = cr._az_psis(ll3, r_eff)
        cr._az_loo(ll3, lw, k)
    with Timer() as tnew:
        psis.loo_pointwise(ll3)
    print(f"one chunk of {size} rows: per-observation ArviZ PSIS {told.cpu:.1f} s CPU "
          f"(-> {told.cpu * N / size / 60:.0f} min CPU for N={N}), vectorised {tnew.cpu:.2f} s CPU "
          f"(x{told.cpu / max(tnew.cpu, 1e-9):.0f})")


def synthetic_chunks(N: int, S: int, chains: int, size: int, seed: int = 1):
    """Gaussian log-likelihood chunks (chain, draw, rows) of y ~ x with posterior-like draws."""
    rng = np.random.default_rng(seed)
    n_fit = 1000  # posterior sd of the draws as for a fit of 1000 rows
    b0 = 1 + rng.normal(0, 1 / np.sqrt(n_fit), S)[:, None]
    b1 = 0.5 + rng.normal(0, 1 / np.sqrt(n_fit), S)[:, None]
    sigma = np.exp(rng.normal(0, 1 / np.sqrt(2 * n_fit), S))[:, None]
    for a in range(0, N, size):
        b = min(a + size, N)
        x = rng.normal(size=b - a)
        y = 1 + 0.5 * x + rng.standard_t(6, b - a)
        z = (y - b0 - b1 * x) / sigma
        ll = -0.5 * z * z - np.log(sigma) - 0.5 * np.log(2 * np.pi)
        yield a, b, ll.reshape(chains, S // chains, b - a)


def synthetic(argv: list[str]) -> None:
    """Vectorised PSIS-LOO alone on N synthetic rows × S draws."""
    N = int(float(argv[0])) if argv else 1_000_000
    S = int(argv[1]) if len(argv) > 1 else 4000
    size = chunked.auto_chunk_size(S, N)
    rss0 = _status("VmRSS")
    exact_peak = reset_peak_rss()
    elpd = 0.0
    gen_cpu = 0.0
    with Timer() as tt:
        c = time.process_time()
        for _, _, ll3 in synthetic_chunks(N, S, 4, size):
            gen_cpu += time.process_time() - c
            elpd += float(np.sum(psis.loo_pointwise(ll3)["elpd_loo"]))
            c = time.process_time()
    print(f"vectorised PSIS-LOO of {N} rows x {S} draws (chunks of {size} rows): {tt.wall:.1f} s wall, "
          f"{tt.cpu - gen_cpu:.1f} s CPU in PSIS (+{gen_cpu:.1f} s CPU generating the log-likelihood)")
    print(f"  peak RSS {_status('VmHWM'):.0f} MiB ({'VmHWM reset before' if exact_peak else 'process peak'}; "
          f"RSS before {rss0:.0f} MiB); elpd_loo {elpd:.1f}")


def main() -> None:
    argv = sys.argv[1:]
    warnings.simplefilter("ignore")
    if argv and argv[0] == "large":
        large(argv[1:])
    elif argv and argv[0] == "psis":
        synthetic(argv[1:])
    else:
        compare(argv)


if __name__ == "__main__":
    main()
