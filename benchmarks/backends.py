"""Build and sampling time per backend, and ESS per second.

Models: sleepstudy ``Reaction ~ Days + (Days | Subject)`` (180 rows) and a
simulated 20,000-row varying-slopes model ``y ~ x + (x | g)`` with 200 groups.
Both have the same structure, so they share one compiled program per backend.

Run:  python benchmarks/backends.py [--backends stanli pystan] [--iter 2000]
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings

import numpy as np
import pandas as pd

import brmspy as bp
from brmspy.backends import available_backends
from brmspy.fit import arviz_io


def varying_slopes(n: int = 20_000, groups: int = 200, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = rng.integers(0, groups, n)
    x = rng.normal(size=n)
    u = rng.multivariate_normal([0, 0], [[1.0, 0.3 * 0.5], [0.3 * 0.5, 0.25]], groups)
    y = 2.0 + 0.7 * x + u[g, 0] + u[g, 1] * x + rng.normal(0, 1.0, n)
    return pd.DataFrame({"y": y, "x": x, "g": g})


def run(name: str, formula: str, df: pd.DataFrame, backend: str, iters: int) -> dict:
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm(formula, df, backend=backend, seed=1, refresh=0, iter=iters, cores=2)
    wall = time.perf_counter() - t0
    names = [n for n, p in fit.param_info.items() if p.kind in ("b", "sd", "cor", "dpar")]
    ess = min(float(arviz_io.ess_bulk(fit.draws_dict[n])) for n in names)
    t = fit.timings
    sample = t.get("sample", wall)
    return {"model": name, "rows": len(df), "backend": fit.backend, "build_s": t.get("compile", 0.0) + t.get("build", 0.0),
            "sample_s": sample, "wall_s": wall, "min_bulk_ess": ess, "ess_per_s": ess / sample}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backends", nargs="*", default=None, help="default: every available backend")
    ap.add_argument("--iter", type=int, default=2000)
    args = ap.parse_args()
    backends = args.backends or available_backends()
    models = [("sleepstudy", "Reaction ~ Days + (Days | Subject)", bp.datasets.load("sleepstudy")),
              ("varying slopes 20k", "y ~ x + (x | g)", varying_slopes())]
    print(f"# {platform.node()} {platform.processor() or platform.machine()}, {time.strftime('%Y-%m-%d')}, "
          f"4 chains x {args.iter} iterations, cores=2")
    rows = [run(m, f, df, b, args.iter) for b in backends for m, f, df in models]
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))


if __name__ == "__main__":
    main()
