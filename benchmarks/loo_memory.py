"""Peak memory of loo() with and without chunking (issue 7, post-processing at scale).

Simulates a gaussian ``y ~ x + (1 | g)`` fit with N = 10^5 rows (default) and
runs PSIS-LOO twice, measuring the peak of Python allocations (tracemalloc,
which sees numpy arrays) during each call:

* ``chunk_size=0``: the whole draws × N log-likelihood at once;
* automatic chunks (at most 2^24 draws × rows per array).

Usage: ``python benchmarks/loo_memory.py [N] [draws per chain] [chunk rows]``.  Prints figures, not a test.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd

import brmspy as bp
from brmspy import chunked, criteria as cr


def measure(fn, *args, **kwargs):
    tracemalloc.start()
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    dt = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return out, peak / 2**20, dt


def main() -> None:
    N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    per_chain = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    rng = np.random.default_rng(1)
    g = rng.integers(0, 1000, N)
    x = rng.normal(size=N)
    df = pd.DataFrame({"y": 1 + 0.5 * x + rng.normal(0, 0.5, 1000)[g] + rng.normal(size=N), "x": x, "g": g})
    warnings.simplefilter("ignore")
    t = time.perf_counter()
    fit = bp.brm("y ~ x + (1 | g)", data=df, chains=2, iter=2 * per_chain, seed=1, refresh=0)
    print(f"fit: N={N}, draws={fit.ndraws()}, {time.perf_counter() - t:.1f} s")
    S = fit.ndraws()
    print(f"one draws x N array: {S * N * 8 / 2**20:.0f} MiB")
    whole, m0, t0 = measure(cr.loo, fit, chunk_size=0)
    fit.__dict__.pop("criteria", None)
    size = int(sys.argv[3]) if len(sys.argv) > 3 else chunked.auto_chunk_size(S, N)
    chunk, m1, t1 = measure(cr.loo, fit, chunk_size=size)
    print(f"loo unchunked : peak {m0:8.0f} MiB  {t0:6.1f} s  elpd {whole.elpd:.3f}")
    print(f"loo chunked   : peak {m1:8.0f} MiB  {t1:6.1f} s  elpd {chunk.elpd:.3f}  "
          f"(chunk of {size} rows)")
    sub, m2, t2 = measure(cr.loo, fit, subsample=2000, seed=1)
    print(f"loo subsample : peak {m2:8.0f} MiB  {t2:6.1f} s  elpd {sub.elpd:.3f} "
          f"(SE {sub.se:.1f}, subsampling SE {sub.subsampling_se:.2f})")


if __name__ == "__main__":
    main()
