"""Backends side by side: first build, cached build, sampling time and ESS per second.

Each backend fits the model in two fresh subprocesses that share one new, empty cache directory
(``XDG_CACHE_HOME`` and ``BRMSPY_CACHE_DIR`` point into a temporary directory): the first pays what
a new machine pays (stanc for stanli; the C++ build for CmdStan and PyStan), the second finds the
program in the cache, as every later session does. ``CMDSTAN`` is passed on so CmdStan itself is
not rebuilt. Both runs sample with the same seed, so their draws are the same; the table shows the
second run's sampling time (no compiler competing for the cores).

Models: sleepstudy ``Reaction ~ Days + (Days | Subject)`` (180 rows) and, with
``--models sleepstudy,slopes20k``, a simulated 20,000-row varying-slopes model ``y ~ x + (x | g)``
with 200 groups.

Run:  python benchmarks/backends.py [--backends stanli cmdstanpy pystan] [--iter 2000] [--out results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd


def varying_slopes(n: int = 20_000, groups: int = 200, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = rng.integers(0, groups, n)
    x = rng.normal(size=n)
    u = rng.multivariate_normal([0, 0], [[1.0, 0.3 * 0.5], [0.3 * 0.5, 0.25]], groups)
    y = 2.0 + 0.7 * x + u[g, 0] + u[g, 1] * x + rng.normal(0, 1.0, n)
    return pd.DataFrame({"y": y, "x": x, "g": g})


def model(name: str) -> tuple[str, pd.DataFrame]:
    import brmspy as bp

    if name == "sleepstudy":
        return "Reaction ~ Days + (Days | Subject)", bp.datasets.load("sleepstudy")
    if name == "slopes20k":
        return "y ~ x + (x | g)", varying_slopes()
    raise SystemExit(f"unknown model {name!r}; choose sleepstudy or slopes20k")


def worker(backend: str, name: str, iters: int) -> dict:
    """One brm() call in this (fresh) process: its timings and the slowest parameter's ESS."""
    import brmspy as bp
    from brmspy.fit import arviz_io

    formula, df = model(name)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm(formula, df, backend=backend, seed=1, refresh=0, iter=iters, cores=2)
    wall = time.perf_counter() - t0
    names = [n for n, p in fit.param_info.items() if p.kind in ("b", "sd", "cor", "dpar")]
    ess = min(float(arviz_io.ess_bulk(fit.draws_dict[n])) for n in names)
    t = fit.timings
    return {"model": name, "rows": len(df), "backend": fit.backend,
            "build_s": float(t.get("compile", 0.0) + t.get("build", 0.0)), "sample_s": float(t["sample"]),
            "wall_s": wall, "min_bulk_ess": ess, "divergences": int(fit.stan_draws.sampler_stats["divergent__"].sum())}


def run_worker(backend: str, name: str, iters: int, env: dict) -> dict:
    cmd = [sys.executable, __file__, "--worker", backend, "--models", name, "--iter", str(iters)]
    res = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if res.returncode != 0:
        raise SystemExit(f"{backend} on {name} failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backends", nargs="*", default=None, help="default: every available backend")
    ap.add_argument("--models", default="sleepstudy", help="comma-separated: sleepstudy, slopes20k")
    ap.add_argument("--iter", type=int, default=2000)
    ap.add_argument("--out", default=None, help="also write the results as JSON here")
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    if args.worker:
        print(json.dumps(worker(args.worker, models[0], args.iter)))
        return

    from brmspy.backends import available_backends

    backends = args.backends or available_backends()
    env = dict(os.environ)
    if "cmdstanpy" in backends:
        import cmdstanpy

        env["CMDSTAN"] = cmdstanpy.cmdstan_path()  # the install stays; only the model cache is fresh
    print(f"# {platform.node()} {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"{time.strftime('%Y-%m-%d')}, load average {os.getloadavg()[0]:.2f}; 4 chains x {args.iter} "
          "iterations, cores=2; first build in an empty cache, cached build in a new process")
    rows = []
    for name in models:
        for backend in backends:
            with tempfile.TemporaryDirectory(prefix="brmspy-bench-") as cache:
                fresh = {**env, "XDG_CACHE_HOME": cache, "BRMSPY_CACHE_DIR": str(Path(cache) / "brmspy")}
                first = run_worker(backend, name, args.iter, fresh)
                second = run_worker(backend, name, args.iter, fresh)
            rows.append({**second, "first_build_s": first["build_s"], "cached_build_s": second["build_s"],
                         "first_wall_s": first["wall_s"], "ess_per_s": second["min_bulk_ess"] / second["sample_s"]})
            r = rows[-1]
            print(f"{name} {backend}: first build {r['first_build_s']:.2f} s, cached build {r['cached_build_s']:.2f} s,"
                  f" sampling {r['sample_s']:.2f} s, min bulk ESS {r['min_bulk_ess']:.0f},"
                  f" {r['ess_per_s']:.0f}/s", flush=True)
    table = pd.DataFrame(rows)[["model", "backend", "first_build_s", "cached_build_s", "sample_s", "min_bulk_ess",
                                "ess_per_s", "divergences"]]
    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    if args.out:
        Path(args.out).write_text(json.dumps({"date": time.strftime("%Y-%m-%d"), "node": platform.node(),
                                              "iter": args.iter, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
