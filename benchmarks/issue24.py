"""Issue 24 benchmarks: one command, one table per goal, written into ``benchmarks/README.md``.

Goals (issue 24):

1. first fit of a new model structure, whole fresh process, against brms + rstan; ``import brmspy``;
2. sampling efficiency: min bulk ESS per second of sampling, stanli and nutpie against rstan running
   brms's program, on sleepstudy, a 2000-row poisson GLMM and the family groups of ``ess_set.py``
   (rstan's compiled models are cached under ``~/.cache/brmspy-benchmarks``, so reruns do not compile);
3. GLMMs at scale (10^5 rows): stanli NUTS, nutpie NUTS and ``algorithm="laplace"``, ``"pathfinder"``,
   ``"meanfield"`` on stanli against lme4;
4. peak memory of every run above, and data preparation (``make_standata``) at 10^6 rows per
   group-column dtype.

Every measurement runs in a fresh subprocess (so its peak RSS is its own) and records the machine's
1-minute load average when it started: the machine is shared, and a figure taken at load 6 on 2
cores is slower than the same work on a quiet machine. R's brms, rstan and lme4 are used when
``Rscript`` has them (``apt-get install r-cran-brms r-cran-lme4``); otherwise the tables say so.

Usage (from the repository root, with the project's venv)::

    python benchmarks/issue24.py                 # everything (~20-30 min on the shared 2-core machine)
    python benchmarks/issue24.py --quick         # smoke run: small data, short chains
    python benchmarks/issue24.py --goals 1,3     # some goals only
    python benchmarks/issue24.py --no-r          # brmspy side only
    python benchmarks/issue24.py --goals 2 --models acat_cs,truncated   # some goal-2 models
    python benchmarks/issue24.py --tables benchmarks/results/FILE.json  # rewrite the tables only

Goals not run take their table from the latest earlier results file, which the table names.

Writes ``benchmarks/results/issue24-<date>.json`` and replaces the part of ``benchmarks/README.md``
between the ``issue24`` markers (``--no-readme`` leaves it alone).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from scale import Case, machine_info, run_lme4, sim_insteval, sim_poisson  # noqa: E402

README = HERE / "README.md"
BEGIN, END = "<!-- issue24:begin -->", "<!-- issue24:end -->"
MB = 2**20


# ----------------------------------------------------------------------------- data
def sim_bernoulli(size: dict, seed: int) -> tuple[pd.DataFrame, dict[str, float]]:
    """``y ~ x + (1 | g)``, logit link: b = (-0.5, 0.8), sd 0.7."""
    rng = np.random.default_rng(seed)
    n, groups = size["n"], size["groups"]
    g = rng.permutation(np.concatenate([np.arange(groups), rng.integers(0, groups, n - groups)]))
    x = rng.normal(size=n)
    eta = -0.5 + 0.8 * x + rng.normal(0, 0.7, groups)[g]
    y = rng.binomial(1, 1 / (1 + np.exp(-eta)))
    return pd.DataFrame({"y": y, "x": x, "g": g}), {"b_Intercept": -0.5, "b_x": 0.8, "sd_g__Intercept": 0.7}


def sim_small_poisson(size: dict, seed: int) -> tuple[pd.DataFrame, dict[str, float]]:
    return sim_poisson(size, seed)


# name -> (formula, brmspy family, lme4 family, simulate, full size, quick size, grouping columns)
SCALE_CASES: dict[str, tuple] = {
    "pois1e5": ("y ~ x + (1 | g)", "poisson", "poisson", sim_poisson,
                {"n": 100_000, "groups": 1000}, {"n": 5000, "groups": 50}, ("g",)),
    "bern1e5": ("y ~ x + (1 | g)", "bernoulli", "binomial", sim_bernoulli,
                {"n": 100_000, "groups": 1000}, {"n": 5000, "groups": 50}, ("g",)),
    "insteval": ("y ~ service + (1 | s) + (1 | d) + (1 | dept)", "gaussian", "gaussian", sim_insteval,
                 {"n": 73_421, "s": 2972, "d": 1128, "dept": 14}, {"n": 3000, "s": 150, "d": 60, "dept": 14},
                 ("s", "d", "dept")),
}
SEED = 2024


def scale_data(name: str, quick: bool) -> pd.DataFrame:
    _, _, _, sim, full, small, _ = SCALE_CASES[name]
    return sim(small if quick else full, SEED)[0]


#: Draw names of the parameters brms's summary() reports (population-level, group-level sds and
#: correlations, smooth sds, family parameters, autocorrelation, residual correlations).
SUMMARY_PREFIXES = ("b_", "bs_", "bcs_", "bmo_", "sd_", "cor_", "sds_", "rescor__", "ar[", "ma[", "sigma", "nu",
                    "shape", "zi", "hu", "theta", "phi", "disc", "ndt", "bs", "beta", "kappa", "quantile")


def summary_names(draws: dict[str, np.ndarray]) -> list[str]:
    """The parameters summary() reports (what the min bulk ESS is taken over, as in brms)."""
    return [n for n in draws if n.startswith(SUMMARY_PREFIXES) and not n.startswith(("bsp_",))]


# ----------------------------------------------------------------------------- workers
def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_fit(spec: dict) -> dict:
    """One brmspy fit in this (fresh) process: times, min bulk ESS, divergences, means and sds."""
    import warnings

    import brmspy as bp
    from brmspy.fit.arviz_io import ess_bulk

    warnings.simplefilter("ignore")
    model_args: dict[str, Any] = {"formula": spec.get("formula"), "family": spec.get("family")}
    if spec["data"] == "sleepstudy":
        df = bp.datasets.load("sleepstudy")
    elif spec["data"] == "pois_small":
        df = sim_small_poisson({"n": 2000, "groups": 50}, SEED)[0]
    elif spec["data"] == "ess_set":
        import ess_set

        df = ess_set.simulate()
        model_args = ess_set.py_args(spec["model"], bp)
    else:
        df = scale_data(spec["data"], spec["quick"])
    formula = model_args.pop("formula")
    kw = dict(seed=1, refresh=0, chains=spec["chains"], iter=spec["iter"], backend=spec["backend"], **model_args)
    if spec.get("algorithm", "sampling") != "sampling":
        kw["algorithm"] = spec["algorithm"]
    t0 = time.perf_counter()
    try:
        fit = bp.brm(formula, df, **kw)
        text = str(fit.summary())  # part of a user's first fit
    except Exception as exc:  # noqa: BLE001 - reported in the table
        return {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0]}", "wall_s": time.perf_counter() - t0,
                "peak_mb": _peak_mb()}
    wall = time.perf_counter() - t0
    d = fit.draws_dict
    names = summary_names(d)
    out = {"wall_s": wall, "timings": fit.timings, "peak_mb": _peak_mb(), "rows": len(df),
           "means": {n: float(d[n].mean()) for n in names}, "sds": {n: float(d[n].std()) for n in names},
           "summary_chars": len(text)}
    if kw.get("algorithm") is None:
        ess = {n: float(ess_bulk(d[n])) for n in names}
        out["min_bulk_ess"] = min(ess.values())
        out["min_ess_param"] = min(ess, key=ess.get)
        out["divergences"] = int(fit.stan_draws.sampler_stats["divergent__"].sum())
        out["grads_per_draw"] = float(fit.stan_draws.sampler_stats["n_leapfrog__"].mean())
    return out


def worker_standata(spec: dict) -> dict:
    """make_standata at 10^6 rows with the grouping column in one dtype."""
    import brmspy as bp

    n = spec["n"]
    rng = np.random.default_rng(SEED)
    g = rng.integers(0, 1000, n)
    col = {"int": g, "float": g.astype(float), "str": pd.Series(g.astype(str), dtype="str"),
           "category": pd.Categorical(g.astype(str)), "object": g.astype(str).astype(object)}[spec["dtype"]]
    df = pd.DataFrame({"y": rng.normal(size=n), "x": rng.normal(size=n), "g": col})
    bp.make_standata("y ~ x + (1 | g)", df.head(100))  # warm the imports: time the data work alone
    t0 = time.perf_counter()
    bp.make_standata("y ~ x + (1 | g)", df)
    return {"seconds": time.perf_counter() - t0, "peak_mb": _peak_mb()}


def worker_env() -> dict[str, str]:
    """The workers' environment: bytecode cached (in a temporary folder, not the checkout).

    A pip-installed brmspy has its ``.pyc`` files; with ``PYTHONDONTWRITEBYTECODE`` set (as in some
    containers) every fresh process would compile brmspy's sources again (0.7 s of CPU for a first
    fit), which no user pays.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "brmspy-bench-pycache")
    return env


def warm_bytecode() -> None:
    """Compile the first fit's modules once (see :func:`worker_env`)."""
    code = ("import brmspy as bp, brmspy.fit.brm, brmspy.fit.brmsfit, brmspy.backends.stanli_backend; "
            "bp.datasets.load('sleepstudy')")
    subprocess.run([sys.executable, "-c", code], env=worker_env(), capture_output=True, check=True)


def run_worker(kind: str, spec: dict) -> dict:
    """Run a worker in a fresh interpreter; record the load average when it started."""
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--worker", kind, json.dumps(spec)],
                          capture_output=True, text=True, env=worker_env())
    process_wall = time.perf_counter() - t0
    try:
        res = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        res = {"error": f"worker failed: {proc.stderr.strip()[-500:]}"}
    res.update(load=load, process_wall_s=process_wall)
    return res


# ----------------------------------------------------------------------------- R
R_BRMS = r"""
suppressPackageStartupMessages({library(brms); library(rstan)})
rstan::rstan_options(boost_lib = "/usr/include")
args <- commandArgs(TRUE)
d <- if (args[1] == "sleepstudy") lme4::sleepstudy else read.csv(args[1])
form <- eval(parse(text = args[2]))
fam <- eval(parse(text = args[3]))
pri <- eval(parse(text = args[4]))
chains <- as.integer(args[5]); iter <- as.integer(args[6]); cache <- args[7]
# brms's program compiled once per (model, data) and kept (rstan saves the DSO with the model), so
# reruns sample without recompiling; "compile" reports 0 then.
t_all <- system.time({
  t_c <- system.time({
    if (nzchar(cache) && file.exists(cache)) m <- readRDS(cache) else {
      m <- brm(form, data = d, family = fam, prior = pri, chains = 0, refresh = 0, silent = 2)
      if (nzchar(cache)) saveRDS(m, cache)
    }
  })
  t_s <- system.time(fit <- update(m, chains = chains, iter = iter, cores = 2, seed = 1, refresh = 0,
                                   recompile = FALSE, silent = 2))
  s <- summary(fit)
})
tab <- rbind(s$fixed, if (length(s$random)) do.call(rbind, unname(s$random)), s$spec_pars, s$cor_pars, s$rescor_pars, s$splines)
cat("total", t_all[["elapsed"]], "\n", sep = "\t")
cat("compile", t_c[["elapsed"]], "\n", sep = "\t")
cat("sample", t_s[["elapsed"]], "\n", sep = "\t")
cat("min_bulk_ess", min(tab$Bulk_ESS), "\n", sep = "\t")
np <- nuts_params(fit)
cat("divergences", sum(np$Value[np$Parameter == "divergent__"]), "\n", sep = "\t")
cat("grads_per_draw", mean(np$Value[np$Parameter == "n_leapfrog__"]), "\n", sep = "\t")
"""

#: Appended to R_BRMS (not part of the cache key): rstan's own per-chain times (warmup + sampling).
R_BRMS_CHAINS = r"""
el <- rstan::get_elapsed_time(fit$fit)
cat("chain_s_sum", sum(el), "\n", sep = "\t")
cat("chain_s_max", max(rowSums(el)), "\n", sep = "\t")
cat("min_bulk_ess_known", min(tab$Bulk_ESS, na.rm = TRUE), "\n", sep = "\t")  # NA: a fixed disc
"""

#: Where rstan's compiled brms models are kept between runs (outside the repository).
R_CACHE = Path(os.environ.get("BRMSPY_BENCH_CACHE", Path.home() / ".cache" / "brmspy-benchmarks")) / "rstan"


def r_available(pkgs: str) -> bool:
    if shutil.which("Rscript") is None:
        return False
    return subprocess.run(["Rscript", "-e", f"suppressMessages({{{pkgs}}})"], capture_output=True).returncode == 0


def run_brms(data: str, formula: str, family: str, chains: int, iter_: int, tmp: Path,
             prior: str = "NULL", cache_key: str | None = None) -> dict:
    """brms + rstan in a fresh Rscript: whole-process wall time (R start, compile, sample, summary).

    ``data`` is ``"sleepstudy"``, ``"pois_small"`` or a CSV path; ``formula``, ``family`` and ``prior``
    are R code. With ``cache_key``, the compiled model is kept under :data:`R_CACHE` (keyed by the
    code and the data file's bytes), so only the first run of a model compiles.
    """
    script = tmp / "brms.R"
    script.write_text(R_BRMS + R_BRMS_CHAINS)
    if data == "pois_small":
        csv = tmp / f"{data}.csv"
        sim_small_poisson({"n": 2000, "groups": 50}, SEED)[0].to_csv(csv, index=False)
        data = str(csv)
    cache = ""
    if cache_key is not None:
        import hashlib

        h = hashlib.sha256("\n".join([R_BRMS, formula, family, prior]).encode())
        if data != "sleepstudy":
            h.update(Path(data).read_bytes())
        R_CACHE.mkdir(parents=True, exist_ok=True)
        cache = str(R_CACHE / f"{cache_key}-{h.hexdigest()[:16]}.rds")
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    r = subprocess.run(["Rscript", str(script), data, formula, family, prior, str(chains), str(iter_), cache],
                       capture_output=True, text=True)
    out: dict[str, Any] = {"process_wall_s": time.perf_counter() - t0, "load": load}
    if r.returncode:
        out["error"] = r.stderr.strip()[-500:]
        return out
    for line in r.stdout.splitlines():
        f = line.split("\t")
        if len(f) >= 2 and f[0] in ("total", "compile", "sample", "min_bulk_ess", "divergences", "grads_per_draw",
                                       "chain_s_sum", "chain_s_max", "min_bulk_ess_known"):
            try:
                out[f[0]] = float(f[1])
            except ValueError:  # R's NA (e.g. no ESS for a constant parameter)
                out[f[0]] = None
    if out.get("min_bulk_ess") is None and out.get("min_bulk_ess_known") is not None:
        out["min_bulk_ess"] = out["min_bulk_ess_known"]  # summary() lists ordinal models' fixed disc with NA
    return out


# ----------------------------------------------------------------------------- goals
def goal1(args: argparse.Namespace, tmp: Path) -> dict:
    code = ("import time, sys; t = time.perf_counter(); import brmspy; dt = time.perf_counter() - t; "
            "print(dt, int(any(m in sys.modules for m in ('scipy.stats', 'matplotlib', 'arviz', 'xarray'))))")
    imports = []
    warm_bytecode()
    for _ in range(5):
        load = os.getloadavg()[0]
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=worker_env())
        sec, heavy = r.stdout.split()
        imports.append({"seconds": float(sec), "heavy_modules": bool(int(heavy)), "load": load})
    res: dict[str, Any] = {"import": imports, "fits": {}}
    spec = {"data": "sleepstudy", "formula": "Reaction ~ Days + (Days | Subject)", "family": "gaussian",
            "chains": 4, "iter": 2000, "quick": args.quick}
    for backend in ("stanli", "nutpie"):
        res["fits"][backend] = run_worker("fit", {**spec, "backend": backend})
    if args.r and r_available("library(brms); library(rstan)"):
        res["fits"]["brms+rstan"] = run_brms("sleepstudy", spec["formula"], "gaussian", 4, 2000, tmp)
    return res


def goal2(args: argparse.Namespace, tmp: Path, g1: dict | None, save: Any = None) -> dict:
    import ess_set

    models: dict[str, dict] = {"sleepstudy": {"formula": "Reaction ~ Days + (Days | Subject)", "family": "gaussian",
                                              "group": "gaussian GLMM"},
                               "pois_small": {"formula": "y ~ x + (1 | g)", "family": "poisson", "group": "count GLMM"}}
    models.update(ess_set.MODELS)
    if args.models:
        models = {k: v for k, v in models.items() if k in args.models.split(",")}
    csv = tmp / "ess_set.csv"
    ess_set.simulate().to_csv(csv, index=False)
    use_r = args.r and r_available("library(brms); library(rstan)")
    res: dict[str, Any] = {}
    for name, m in models.items():
        data = name if name in ("sleepstudy", "pois_small") else "ess_set"
        spec = {"data": data, "model": name, "formula": m["formula"], "family": m["family"], "chains": 4,
                "iter": 2000, "quick": args.quick, "group": m["group"]}
        row = {}
        for backend in ("stanli", "nutpie"):
            if data == "sleepstudy" and g1 and backend in g1["fits"]:
                row[backend] = g1["fits"][backend]  # the same runs as goal 1
            else:
                row[backend] = run_worker("fit", {**spec, "backend": backend})
        if use_r:
            if data == "sleepstudy" and g1 and "brms+rstan" in g1["fits"]:
                row["brms+rstan"] = g1["fits"]["brms+rstan"]
            elif data == "ess_set":
                r = m["r"]
                row["brms+rstan"] = run_brms(str(csv), r["formula"], r["family"], 4, 2000, tmp, r["prior"], name)
            else:
                row["brms+rstan"] = run_brms(data, m["formula"], m["family"], 4, 2000, tmp, cache_key=name)
        for r in row.values():
            r["group"] = m["group"]
        res[name] = row
        print(f"  goal 2: {name} done", file=sys.stderr, flush=True)
        if save is not None:
            save(res)  # a long run interrupted keeps the models done
    return res


#: goal 3's runs: NUTS on stanli and nutpie, brms's approximations on stanli (fullrank is left out: a
#: dense 1000x1000 to 4000x4000 Cholesky factor per step, and it found no step size on the poisson
#: model), and lme4
APPROXIMATIONS = ("laplace", "pathfinder", "meanfield", "fullrank")
DEFAULT_RUNS = "stanli,nutpie,laplace,pathfinder,meanfield,lme4"


def goal3(args: argparse.Namespace, tmp: Path) -> dict:
    res: dict[str, Any] = {}
    for name, (formula, family, lme4_family, sim, full, small, factors) in SCALE_CASES.items():
        spec = {"data": name, "formula": formula, "family": family, "chains": args.chains, "iter": args.iter,
                "quick": args.quick}
        runs = set(args.runs.split(","))
        row = {b: run_worker("fit", {**spec, "backend": b}) for b in ("stanli", "nutpie") if b in runs}
        for algo in APPROXIMATIONS:  # brms's approximate algorithms on stanli
            if algo in runs:
                row[algo] = run_worker("fit", {**spec, "backend": "stanli", "algorithm": algo})
        if "lme4" in runs and args.r and r_available("library(lme4)"):
            load = os.getloadavg()[0]
            case = Case(name, formula, lme4_family, sim, full, small, factors)
            row["lme4"] = {**run_lme4(case, scale_data(name, args.quick), tmp), "load": load}
        res[name] = row
    return res


def goal4(args: argparse.Namespace) -> dict:
    n = 20_000 if args.quick else 1_000_000
    return {"rows": n, "standata": {dt: run_worker("standata", {"n": n, "dtype": dt})
                                    for dt in ("int", "float", "str", "category", "object")}}


# ----------------------------------------------------------------------------- tables
def f(v: Any, spec: str = ".1f") -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "–"
    return format(v, spec)


def ess_per_s(r: dict) -> float | None:
    if "error" in r or r.get("min_bulk_ess") is None:
        return None
    sample = r.get("sample") if "sample" in r else r.get("timings", {}).get("sample")
    return r["min_bulk_ess"] / sample if sample else None


def laplace_offset(lap: dict, nuts: dict) -> str:  # any approximation's, not only laplace's
    """Largest |laplace mean - NUTS mean| in NUTS posterior sds, and the parameter."""
    if "error" in lap or "error" in nuts:
        return "–"
    offs = {n: abs(lap["means"][n] - nuts["means"][n]) / nuts["sds"][n] for n in nuts["means"] if n in lap["means"]}
    worst = max(offs, key=offs.get)
    return f"{offs[worst]:.2f} ({worst})"


def tables(results: dict) -> str:
    m = results["machine"]
    goals_arg = results["args"].get("goals", "1,2,3,4")
    runs_arg = results["args"].get("runs", DEFAULT_RUNS)
    opts = ((" --quick" if results["args"]["quick"] else "") + (f" --goals {goals_arg}" if goals_arg != "1,2,3,4" else "")
            + (f" --runs {runs_arg}" if runs_arg != DEFAULT_RUNS else ""))
    lines = [f"Run {m['date']} with `python benchmarks/issue24.py{opts}` on "
             f"{m['cpu']}, {m['cores']} cores, {f(m['ram_gb'], '.0f')} GB RAM, shared with other jobs "
             f"(load average {m['loadavg'][0]:.1f} at the start; each row gives the load when it started). "
             f"Python {m['python']}, brmspy {m['brmspy']}, stanli {m['stanli']}, nutpie {m.get('nutpie') or '–'}, "
             f"numpy {m['numpy']}; {m.get('R') or 'R: not run'}. Raw numbers: `benchmarks/results/{results['file']}`.",
             ""]
    if results.get("note"):
        lines += [f"Note: {results['note']}.", ""]
    r_note = "" if results["args"]["r"] else " (R not run: `--no-r`)"
    borrowed = results.get("from_run", {})

    def origin(goal: str) -> list[str]:
        b = borrowed.get(goal)
        return [f"*From the earlier run of {b['date']} (load {b['load']:.1f} at its start; "
                f"`benchmarks/results/{b['file']}`): this run did not repeat it.*", ""] if b else []

    if "goal1" in results:
        g = results["goal1"]
        secs = [x["seconds"] for x in g["import"]]
        lines += ["### Goal 1: first fit, whole fresh process", "", *origin("goal1"),
                  f"`import brmspy`: median {statistics.median(secs):.3f} s over {len(secs)} fresh interpreters "
                  f"(min {min(secs):.3f} s, loads {', '.join(f(x['load']) for x in g['import'])}); "
                  f"scipy.stats/matplotlib/ArviZ/xarray loaded at import: "
                  f"{'yes' if any(x['heavy_modules'] for x in g['import']) else 'no'}. Target ≤ 0.4 s.", "",
                  "sleepstudy `Reaction ~ Days + (Days | Subject)`, 4 chains × 1000 draws after 1000 warmup, cores 2, "
                  "`brm()` + `summary()`, whole process (interpreter start to exit):", "",
                  "| run | whole process (s) | of which sampling (s) | ratio to brms+rstan | load |", "|---|---:|---:|---:|---:|"]
        ref = g["fits"].get("brms+rstan", {}).get("process_wall_s")
        for name, r in g["fits"].items():
            wall = r.get("process_wall_s")
            sample = r.get("sample") if name == "brms+rstan" else r.get("timings", {}).get("sample")
            ratio = f"{wall / ref:.3f}×" if ref and wall and name != "brms+rstan" else ("1" if name == "brms+rstan" else "–")
            lines.append(f"| {name} | {f(wall)} | {f(sample)} | {ratio} | {f(r['load'])} |"
                         + (f" error: {r['error']}" if "error" in r else ""))
        if "brms+rstan" not in g["fits"]:
            lines.append(f"\nbrms+rstan not measured{r_note or ' (Rscript with brms and rstan not found)'}.")
        lines.append("")
    if "goal2" in results:
        g2 = results["goal2"]
        lines += ["### Goal 2: sampling efficiency (min bulk ESS per second of sampling)", "", *origin("goal2"),
                  "4 chains × 1000 draws after 1000 warmup, cores 2, seed 1; rstan runs brms's program (compiled once "
                  "and cached; compile time excluded), stanli and nutpie run brmspy's; min bulk ESS over what "
                  "`summary()` reports (population-level, group-level sds and correlations, smooth sds, family "
                  "parameters, ar, residual correlations). sleepstudy and `pois_small` (2000 rows, 50 groups) as "
                  "before; the other models use `benchmarks/ess_set.py`'s simulated data (400 rows, 20 groups). "
                  "Sampling time: brmspy's `fit.timings['sample']`; rstan's `system.time(update(...))` (what a "
                  "user waits: it includes starting the 2 worker processes and brms's post-processing) and, "
                  "kinder to rstan, its chains' own times (`get_elapsed_time`, warmup + sampling) as if they "
                  "ran 2 at a time with no overhead: max(sum / 2, longest chain). Ratios are ESS/s over "
                  "rstan's ESS/s by each of the two.", "",
                  "| model | family group | run | sampling (s) | min bulk ESS | ESS/s | ratio to rstan (wall) | "
                  "ratio to rstan (chains) | gradients/draw | divergences | load |",
                  "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        ratios: dict[tuple[str, str], list[float]] = {}
        for model, row in g2.items():
            rs = row.get("brms+rstan", {})
            ref = ess_per_s(rs)
            chains = max(rs.get("chain_s_sum", 0) / 2, rs.get("chain_s_max", 0)) or None
            ref2 = rs["min_bulk_ess"] / chains if chains and rs.get("min_bulk_ess") and "error" not in rs else None
            best = max((ess_per_s(row[b]) or 0.0) for b in ("stanli", "nutpie") if b in row)
            for name, r in row.items():
                sample = r.get("sample") if name == "brms+rstan" else r.get("timings", {}).get("sample")
                e = ess_per_s(r)
                if name == "brms+rstan" and ref2:
                    sample = f"{sample:.1f} ({chains:.1f})"
                    e2 = ref2
                else:
                    e2 = e
                for key, rf in (("wall", ref), ("chains", ref2)):
                    if e and rf and name != "brms+rstan":
                        ratios.setdefault((name, key), []).append(e / rf)
                        if (best == e):
                            ratios.setdefault(("best", key), []).append(e / rf)
                err = f" error: {r['error'][:120]}" if "error" in r else ""
                lines.append(f"| {model} | {r.get('group', '')} | {name} | {sample if isinstance(sample, str) else f(sample)} | "
                             f"{f(r.get('min_bulk_ess'), '.0f')} | {f(e, '.0f')}{f' ({e2:.0f})' if e2 != e else ''} | "
                             f"{f(e / ref, '.2f') + '×' if e and ref else '–'} | {f(e2 / ref2, '.2f') + '×' if e2 and ref2 else '–'} | "
                             f"{f(r.get('grads_per_draw'))} | {f(r.get('divergences'), '.0f')} | {f(r['load'])} |{err}")
        lines.append("")
        for name, label in (("stanli", "stanli"), ("nutpie", "nutpie"), ("best", "the better of stanli and nutpie")):
            for key in ("wall", "chains"):
                v = ratios.get((name, key))
                if v:
                    gm = float(np.exp(np.mean(np.log(v))))
                    lines.append(f"- {label}, against rstan's {'wall time' if key == 'wall' else 'chain times'}: ESS/s "
                                 f"ratio ≥ 1.5× on {sum(x >= 1.5 for x in v)} of {len(v)} models; geometric mean "
                                 f"{gm:.2f}×, lowest {min(v):.2f}×.")
        lines.append("")
    if "goal3" in results:
        a = results["args"]
        lines += ["### Goal 3: GLMMs at scale", "", *origin("goal3"),
                  f"NUTS: {a['chains']} chains × {a['iter'] - a['iter'] // 2} draws after {a['iter'] // 2} warmup, "
                  "cores 2 (shorter than the issue's 4 × 1000 to keep the shared machine usable; ESS scales with "
                  "draws). `brm()` wall time in a fresh process (data preparation, sampling, summary); laplace, "
                  "pathfinder and meanfield are `algorithm=...` on stanli (1000 draws; approximations, labelled so "
                  "by `summary()`); lme4 is `glmer()`/`lmer()` alone (`system.time`). Offset from NUTS: the largest "
                  "|approximation's mean − stanli NUTS mean| in NUTS posterior sds.",
                  "", "| model | run | brm() (s) | ratio to lme4 | min bulk ESS | divergences | offset from NUTS | peak RSS (MB) | load |",
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
        order = ("stanli", "nutpie", *APPROXIMATIONS, "lme4")
        for model, row in results["goal3"].items():
            ref = row.get("lme4", {}).get("fit_s")
            for name, r in sorted(row.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 9):
                wall = r.get("fit_s") if name == "lme4" else r.get("wall_s")
                ref = r["from_run"]["lme4_s"] if "from_run" in r else row.get("lme4", {}).get("fit_s")
                peak = (r.get("peak_rss_bytes", 0) / MB or None) if name == "lme4" else r.get("peak_mb")
                err = f" {r['error'][:160]}" if "error" in r else ""
                when = f" (run of {r['from_run']['date'][:16]}, ratio to its lme4)" if "from_run" in r else ""
                lines.append(f"| {model} | {name}{when} | {f(wall)} | {f(wall / ref, '.2f') + '×' if wall and ref else '–'} | "
                             f"{f(r.get('min_bulk_ess'), '.0f')} | {f(r.get('divergences'), '.0f')} | "
                             f"{laplace_offset(r, row['stanli']) if name in APPROXIMATIONS and 'error' not in r else ''}{err} | "
                             f"{f(peak, '.0f')} | {f(r['load'])} |")
            if "lme4" not in row:
                lines.append(f"| {model} | lme4 | not run{r_note or ' (Rscript with lme4 not found)'} | | | | | | |")
        lines.append("")
    if "goal4" in results:
        g = results["goal4"]
        lines += ["### Goal 4: data preparation and memory", "", *origin("goal4"),
                  f"`make_standata(\"y ~ x + (1 | g)\")` on {g['rows']:,} rows, 1000 levels, by the dtype of `g` "
                  "(imports warmed first); peak RSS of that process. Peak memory of the fits: goal 3's table "
                  "(target: under 4 GB everywhere; `loo` is measured by `benchmarks/scale.py`).", "",
                  "| dtype of g | seconds | peak RSS (MB) | load |", "|---|---:|---:|---:|"]
        for dt, r in g["standata"].items():
            lines.append(f"| {dt} | {f(r.get('seconds'), '.2f')} | {f(r.get('peak_mb'), '.0f')} | {f(r['load'])} |"
                         + (f" error: {r['error']}" if "error" in r else ""))
        lines.append("")
    return "\n".join(lines)


def write_readme(text: str) -> None:
    body = README.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in body and END in body:
        body = body[: body.index(BEGIN)] + block + body[body.index(END) + len(END):]
    else:
        body = body.rstrip("\n") + "\n\n## `issue24.py` (issue 24: speed)\n\n" + block + "\n"
    README.write_text(body, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--goals", default="1,2,3,4")
    p.add_argument("--quick", action="store_true", help="small data and short chains (smoke run)")
    p.add_argument("--no-r", dest="r", action="store_false", help="skip brms/rstan/lme4")
    p.add_argument("--chains", type=int, default=2, help="chains for goal 3 (default 2)")
    p.add_argument("--iter", type=int, default=1000, help="iterations incl. warmup for goal 3 (default 1000)")
    p.add_argument("--models", default="", help="goal 2: comma-separated model names only")
    p.add_argument("--runs", default=DEFAULT_RUNS,
                   help="goal 3: the runs to repeat; the others come from the latest earlier run (marked)")
    p.add_argument("--no-readme", dest="readme", action="store_false")
    p.add_argument("--tables", metavar="RESULTS_JSON", help="only rewrite the tables from a results file")
    p.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.tables:
        publish(json.loads(Path(args.tables).read_text()), args.readme)
        return
    if args.worker:
        kind, spec = args.worker
        print(json.dumps((worker_fit if kind == "fit" else worker_standata)(json.loads(spec)), default=float))
        return
    if args.quick:
        args.iter = min(args.iter, 400)
    goals = {int(g) for g in args.goals.split(",")}
    info = machine_info(args.r and r_available("library(lme4)"))
    try:
        from importlib.metadata import version

        info["nutpie"] = version("nutpie")
    except Exception:  # noqa: BLE001
        info["nutpie"] = None
    stamp = _dt.datetime.now().strftime("%Y-%m-%dT%H%M")
    name = f"issue24-{stamp}{'-quick' if args.quick else ''}.json"
    results: dict[str, Any] = {"machine": info, "args": vars(args), "file": name}
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        for goal in sorted(goals):
            t0 = time.perf_counter()
            if goal == 1:
                results["goal1"] = goal1(args, tmpdir)
            elif goal == 2:
                def save(part: dict) -> None:
                    (HERE / "results" / name).write_text(json.dumps({**results, "goal2": part}, indent=2, default=float))

                results["goal2"] = goal2(args, tmpdir, results.get("goal1"), save)
            elif goal == 3:
                results["goal3"] = goal3(args, tmpdir)
            elif goal == 4:
                results["goal4"] = goal4(args)
            print(f"goal {goal} done in {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
            (HERE / "results" / name).write_text(json.dumps(results, indent=2, default=float))  # partial results kept
    publish(results, args.readme)


def earlier_goals(results: dict) -> dict:
    """``results`` plus, for each goal it lacks, that goal from the latest earlier full-size run.

    Running some goals (``--goals 2``) then still gives all four tables; each borrowed table says
    which run it comes from (``from_run``), so no figure is passed off as part of this run.
    """
    out = dict(results)
    if results["args"]["quick"]:
        return out
    runs = []
    for path in (HERE / "results").glob("issue24-*.json"):
        if path.name == results["file"] or "quick" in path.name:
            continue
        try:
            runs.append((path, json.loads(path.read_text())))
        except (OSError, json.JSONDecodeError):
            continue
    for path, old in sorted(runs, key=lambda r: r[1]["machine"]["date"], reverse=True):  # latest first
        for model, row in (out.get("goal3") or {}).items():  # goal-3 runs not repeated (--runs)
            for run, r in (old.get("goal3") or {}).get(model, {}).items():
                if run not in row and "from_run" not in r:
                    # its ratio is to lme4's time in that same run, not this one's
                    own = old["goal3"][model].get("lme4", {}).get("fit_s")
                    row[run] = {**r, "from_run": {"file": path.name, "date": old["machine"]["date"], "lme4_s": own}}
        for goal in ("goal1", "goal2", "goal3", "goal4"):
            if goal not in out and goal in old:
                out[goal] = old[goal]
                out.setdefault("from_run", {})[goal] = {"file": path.name, "date": old["machine"]["date"],
                                                        "load": old["machine"]["loadavg"][0]}
    return out


def publish(results: dict, readme: bool) -> None:
    text = tables(earlier_goals(results))
    print(text)
    if readme:
        write_readme(text)


if __name__ == "__main__":
    main()
