"""Issue 24, goal 2: CPU time per gradient of stanli (brmspy's program) and rstan (brms's program).

Usage: ``nice -n 15 python benchmarks/grad_cost.py [model ...]`` (default: the models of
:data:`DEFAULT`, from ``benchmarks/ess_set.py``).

Per model, one chain of 1000 warmup + 1000 draws (seed 1) on each side, and the CPU seconds of
that chain over its leapfrog steps (warmup included):

- stanli: ``time.process_time()`` around ``stanli.Model.sample`` (one chain: one thread) and the
  sampler's ``n_leapfrog__`` with ``save_warmup=True``; also the CPU time of one
  ``log_prob_grad`` call at 20 points drawn around the origin (what a gradient costs without NUTS).
- rstan (when ``Rscript`` and issue24.py's cached compiled model of that name are there):
  ``get_elapsed_time`` of the chain, which rstan 2.21 (StanHeaders 2.21) measures with ``clock()``,
  i.e. CPU time, over ``get_sampler_params(inc_warmup = TRUE)``'s ``n_leapfrog__``.

``--scale [pois1e5|bern1e5 ...]``: issue 24 goal 3's 10^5-row models (``issue24.py``'s data):
CPU microseconds per ``log_prob_grad`` call of brmspy's program (``reduce="auto"``) and the
row-wise one (``reduce=False``), on stanli's ``Model`` and on the BridgeStan runtime that
``backend="nutpie"`` samples through, alternated in rounds (median and min over 5 rounds of 200
calls at 10 points); ``--code FILE.stan`` adds another program for the same data (A/B of a
formulation).

Why CPU time: the machine is shared, so wall time under load says more about the load than the
program. issue24.py's "ratio to rstan (chains)" sets brmspy's wall time (``fit.timings['sample']``)
against rstan's per-chain ``clock()`` times, which are CPU times (see ``run_adaptive_sampler.hpp``
in StanHeaders 2.21); at a load of 7 on 2 cores that ratio is not a per-gradient comparison.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import ess_set  # noqa: E402

DEFAULT = ["negbin", "categorical", "cumulative", "binomial", "student", "acat_cs"]
#: where issue24.py keeps rstan's compiled brms models (``<model>-<hash>.rds``)
R_CACHE = Path(os.environ.get("BRMSPY_BENCH_CACHE", Path.home() / ".cache" / "brmspy-benchmarks")) / "rstan"

R_CHAIN = r"""
suppressPackageStartupMessages({library(brms); library(rstan)})
m <- readRDS(commandArgs(TRUE)[1])
fit <- update(m, chains = 1, iter = 2000, cores = 1, seed = 1, refresh = 0, recompile = FALSE, silent = 2)
el <- rstan::get_elapsed_time(fit$fit)
sp <- rstan::get_sampler_params(fit$fit, inc_warmup = TRUE)[[1]]
cat(sum(el), sum(sp[, "n_leapfrog__"]), "\n")
"""


def stanli_costs(name: str) -> dict:
    """stanli's CPU microseconds per gradient on brmspy's program of model ``name``."""
    import stanli

    import brmspy as bp

    df = ess_set.simulate()
    args = ess_set.py_args(name, bp)
    formula = args.pop("formula")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build = bp.build_model(formula, df, **args)
    model = stanli.Model(stan_code=build.code, data=build.data)
    c0 = time.process_time()
    fit = model.sample(chains=1, seed=1, warmup=1000, samples=1000, save_warmup=True, refresh=0)
    cpu = time.process_time() - c0
    leapfrogs = float(fit.sampler_stats[:, :, list(stanli.SAMPLER_COLUMNS).index("n_leapfrog__")].sum())
    rng = np.random.default_rng(0)
    points = rng.normal(0, 0.5, (20, int(model.n_unconstrained)))
    reps = 2000
    c0 = time.process_time()
    for i in range(reps):
        model.log_prob_grad(points[i % 20])
    per_call = (time.process_time() - c0) / reps
    return {"sampling_us": 1e6 * cpu / leapfrogs, "log_prob_grad_us": 1e6 * per_call, "leapfrogs": leapfrogs}


def rstan_costs(name: str) -> dict | None:
    """rstan's CPU microseconds per gradient on brms's (cached, compiled) program, or None."""
    cached = sorted(R_CACHE.glob(f"{name}-*.rds"), key=lambda p: p.stat().st_mtime)
    if shutil.which("Rscript") is None or not cached:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as fh:
        fh.write(R_CHAIN)
    try:
        out = subprocess.run(["Rscript", fh.name, str(cached[-1])], capture_output=True, text=True, check=True)
    finally:
        os.unlink(fh.name)
    clock_s, leapfrogs = (float(v) for v in out.stdout.split()[-2:])
    return {"sampling_us": 1e6 * clock_s / leapfrogs, "leapfrogs": leapfrogs}


def scale_costs(name: str, extra: list[str], rounds: int = 5, calls: int = 200) -> dict:
    """CPU microseconds per gradient of the 10^5-row model ``name`` (see the module docstring)."""
    import stanli

    import brmspy as bp
    from brmspy.backends.base import data_to_json
    from issue24 import SCALE_CASES, scale_data

    formula, family = SCALE_CASES[name][:2]
    df = scale_data(name, quick=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        auto = bp.build_model(formula, df, family=family)
        rowwise = bp.build_model(formula, df, family=family, reduce=False)
    programs = {"auto": (auto.code, auto.data), "rowwise": (rowwise.code, rowwise.data)}
    programs.update({Path(f).stem: (Path(f).read_text(), auto.data) for f in extra})
    models = {}
    for label, (code, data) in programs.items():
        models[f"{label} (stanli)"] = stanli.Model(stan_code=code, data=data).log_prob_grad
        bs = stanli.bridgestan_model(stan_code=code, data=data_to_json(data))
        models[f"{label} (bridgestan)"] = lambda q, bs=bs: bs.log_density_gradient(q, propto=True, jacobian=True)
    n = int(stanli.Model(stan_code=auto.code, data=auto.data).n_unconstrained)
    points = np.random.default_rng(0).normal(0, 0.3, (10, n))
    times: dict[str, list[float]] = {k: [] for k in models}
    for _ in range(rounds):
        for label, grad in models.items():
            c0 = time.process_time()
            for i in range(calls):
                grad(points[i % 10])
            times[label].append(1e6 * (time.process_time() - c0) / calls)
    return {k: {"median_us": float(np.median(v)), "min_us": float(np.min(v))} for k, v in times.items()}


def main(names: list[str]) -> None:
    rows = {}
    print("| model | stanli µs/gradient (sampling) | stanli µs/log_prob_grad call | rstan µs/gradient (sampling) "
          "| rstan / stanli |")
    print("|---|---:|---:|---:|---:|")
    for name in names:
        s = stanli_costs(name)
        r = rstan_costs(name)
        rows[name] = {"stanli": s, "rstan": r}
        rs = f"{r['sampling_us']:.1f}" if r else "-"
        ratio = f"{r['sampling_us'] / s['sampling_us']:.2f}×" if r else "-"
        print(f"| {name} | {s['sampling_us']:.1f} | {s['log_prob_grad_us']:.1f} | {rs} | {ratio} |", flush=True)
    print(json.dumps(rows))


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--scale"]:
        extra = [args[i + 1] for i, a in enumerate(args) if a == "--code"]
        models = [a for i, a in enumerate(args[1:], 1) if a != "--code" and args[i - 1] != "--code"]
        for m in models or ["pois1e5"]:
            for label, t in scale_costs(m, extra).items():
                print(f"{m} {label}: {t['median_us']:.0f} µs per gradient (min {t['min_us']:.0f})", flush=True)
    else:
        main(args or DEFAULT)
