"""Scale benchmark (issue 7): brm() time, ESS/s, peak memory and loo at 10^4 to 10^6 rows, next to lme4.

Cases (simulated with a fixed seed and known truth):

* ``gauss1e4``, ``gauss1e5``, ``gauss1e6``: gaussian ``y ~ x + (x | g)``, 1000 groups;
* ``pois1e5``: poisson ``y ~ x + (1 | g)``, 10^5 rows, 1000 groups;
* ``insteval``: an InstEval-like design, gaussian ``y ~ service + (1 | s) + (1 | d) + (1 | dept)``
  with factors of 2972 (students), 1128 (lecturers) and 14 (departments) levels and 73,421 rows;
  students are crossed with lecturers and departments, each lecturer belongs to one department.

Each case runs in a fresh subprocess of this script (``--case-worker``) so that its
peak resident memory (``getrusage(RUSAGE_SELF).ru_maxrss``, which includes stanli's
sampler threads) is the case's own.  The worker times ``build_model`` (formula, frame,
priors and Stan code/data: the make_standata equivalent) and ``brm()`` (4 chains x 1000
draws after 1000 warmup, ``cores=2`` by default), reports the minimum bulk ESS over
fixed effects, sds, correlations and sigma, ESS per second of sampling, the exact
likelihood reduction used, then times ``loo()`` with its own peak RSS (the high-water
mark is reset through ``/proc/self/clear_refs`` before each loo; by default the chunked
full loo in every case plus ``loo(subsample=2000)`` at 10^6 rows).  Where R and lme4 are
installed it writes the same data to a CSV and times ``lmer()``/``glmer()`` in
``Rscript`` (``system.time`` of the fit alone, plus the whole Rscript wall time), and
prints lme4's estimates next to brmspy's posterior means.

Targets (issue 7, on a 2-core machine): gauss1e6 faster than lme4 on the same data with
min bulk ESS >= 400; pois1e5 under 2 minutes; peak memory under 4 GB in every case,
including loo.

Usage::

    python benchmarks/scale.py                       # every case, full size (slow)
    python benchmarks/scale.py --cases gauss1e4,pois1e5 --out results.json
    python benchmarks/scale.py --quick               # smoke run: tiny data, few iterations
    python benchmarks/scale.py --lme4-only           # lme4 side only (no sampling)

Prints figures; not a test.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _memory import reset_peak_rss, status_bytes  # noqa: E402

GB = 2**30
MB = 2**20
ESS_KINDS = ("b", "sd", "cor", "dpar")  # fixed effects, sds, correlations, sigma


# ----------------------------------------------------------------------------- cases
@dataclass(frozen=True)
class Case:
    """One benchmark model: how to simulate it at full and quick size."""

    name: str
    formula: str
    family: str
    simulate: Callable[[dict, int], tuple[pd.DataFrame, dict[str, float]]]
    full: dict
    quick: dict
    factors: tuple[str, ...]  # grouping columns (factors in R)


def _all_levels(rng: np.random.Generator, levels: int, n: int) -> np.ndarray:
    """Group index per row with every level present (n >= levels)."""
    idx = np.concatenate([np.arange(levels), rng.integers(0, levels, n - levels)])
    return rng.permutation(idx)


def sim_gaussian(size: dict, seed: int) -> tuple[pd.DataFrame, dict[str, float]]:
    """``y ~ x + (x | g)``: b = (2, 0.7), sds (1, 0.5), cor 0.3, sigma 1."""
    n, groups = size["n"], size["groups"]
    truth = {"b_Intercept": 2.0, "b_x": 0.7, "sd_g__Intercept": 1.0, "sd_g__x": 0.5,
             "cor_g__Intercept__x": 0.3, "sigma": 1.0}
    rng = np.random.default_rng(seed)
    g = _all_levels(rng, groups, n)
    x = rng.normal(size=n)
    s1, s2, r = truth["sd_g__Intercept"], truth["sd_g__x"], truth["cor_g__Intercept__x"]
    u = rng.multivariate_normal([0.0, 0.0], [[s1**2, r * s1 * s2], [r * s1 * s2, s2**2]], groups)
    y = truth["b_Intercept"] + truth["b_x"] * x + u[g, 0] + u[g, 1] * x + rng.normal(0.0, truth["sigma"], n)
    return pd.DataFrame({"y": y, "x": x, "g": g}), truth


def sim_poisson(size: dict, seed: int) -> tuple[pd.DataFrame, dict[str, float]]:
    """``y ~ x + (1 | g)``, log link: b = (1, 0.3), sd 0.5."""
    n, groups = size["n"], size["groups"]
    truth = {"b_Intercept": 1.0, "b_x": 0.3, "sd_g__Intercept": 0.5}
    rng = np.random.default_rng(seed)
    g = _all_levels(rng, groups, n)
    x = rng.normal(size=n)
    u = rng.normal(0.0, truth["sd_g__Intercept"], groups)
    y = rng.poisson(np.exp(truth["b_Intercept"] + truth["b_x"] * x + u[g]))
    return pd.DataFrame({"y": y, "x": x, "g": g}), truth


def sim_insteval(size: dict, seed: int) -> tuple[pd.DataFrame, dict[str, float]]:
    """InstEval-like: students s crossed with lecturers d; each lecturer belongs to a department.

    As in lme4's ``InstEval``, s is crossed with d and with dept, while dept is a property of
    the lecturer (d nested in dept).  Effect sizes are lme4's estimates (rounded) from its fit of
    ``y ~ service + (1 | s) + (1 | d) + (1 | dept)`` on the real data.
    """
    n = size["n"]
    truth = {"b_Intercept": 3.28, "b_service": -0.09, "sd_s__Intercept": 0.33, "sd_d__Intercept": 0.51,
             "sd_dept__Intercept": 0.08, "sigma": 1.18}
    rng = np.random.default_rng(seed)
    s = _all_levels(rng, size["s"], n)
    d = _all_levels(rng, size["d"], n)
    dept = _all_levels(rng, size["dept"], size["d"])[d]  # every department has lecturers
    service = rng.binomial(1, 0.43, n)
    eta = (truth["b_Intercept"] + truth["b_service"] * service
           + rng.normal(0, truth["sd_s__Intercept"], size["s"])[s]
           + rng.normal(0, truth["sd_d__Intercept"], size["d"])[d]
           + rng.normal(0, truth["sd_dept__Intercept"], size["dept"])[dept])
    y = eta + rng.normal(0.0, truth["sigma"], n)
    return pd.DataFrame({"y": y, "service": service, "s": s, "d": d, "dept": dept}), truth


GAUSS = "y ~ x + (x | g)"
CASES: dict[str, Case] = {
    "gauss1e4": Case("gauss1e4", GAUSS, "gaussian", sim_gaussian,
                     {"n": 10_000, "groups": 1000}, {"n": 1000, "groups": 50}, ("g",)),
    "gauss1e5": Case("gauss1e5", GAUSS, "gaussian", sim_gaussian,
                     {"n": 100_000, "groups": 1000}, {"n": 2000, "groups": 50}, ("g",)),
    "gauss1e6": Case("gauss1e6", GAUSS, "gaussian", sim_gaussian,
                     {"n": 1_000_000, "groups": 1000}, {"n": 3000, "groups": 100}, ("g",)),
    "pois1e5": Case("pois1e5", "y ~ x + (1 | g)", "poisson", sim_poisson,
                    {"n": 100_000, "groups": 1000}, {"n": 2000, "groups": 50}, ("g",)),
    "insteval": Case("insteval", "y ~ service + (1 | s) + (1 | d) + (1 | dept)", "gaussian", sim_insteval,
                     {"n": 73_421, "s": 2972, "d": 1128, "dept": 14},
                     {"n": 3000, "s": 150, "d": 60, "dept": 14}, ("s", "d", "dept")),
}
SEEDS = {name: 1000 + i for i, name in enumerate(CASES)}


# ----------------------------------------------------------------------------- memory
def rss_peak_bytes() -> int:
    """Peak resident set size of this process (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def phase_peak(can_reset: bool) -> int:
    """Peak RSS since the last :func:`reset_peak_rss` (or since start when resetting is impossible)."""
    hwm = status_bytes("VmHWM") if can_reset else None
    return hwm if hwm is not None else rss_peak_bytes()


# ----------------------------------------------------------------------------- lme4
R_SCRIPT = r"""
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(TRUE)
csv <- args[1]; formula <- as.formula(args[2]); family <- args[3]; factors <- strsplit(args[4], ",")[[1]]
d <- read.csv(csv)
for (v in factors) d[[v]] <- factor(d[[v]])
if (family == "gaussian") {
  tm <- system.time(m <- lmer(formula, data = d))
} else {
  tm <- system.time(m <- glmer(formula, data = d, family = family))
}
cat("time", tm[["elapsed"]], "\n", sep = "\t")
cat("cpu", tm[["user.self"]] + tm[["sys.self"]], "\n", sep = "\t")
fe <- fixef(m)
for (i in seq_along(fe)) cat("fe", names(fe)[i], format(fe[[i]], digits = 10), "\n", sep = "\t")
vc <- as.data.frame(VarCorr(m))
for (i in seq_len(nrow(vc))) {
  cat("vc", vc$grp[i], vc$var1[i], vc$var2[i], format(vc$sdcor[i], digits = 10), "\n", sep = "\t")
}
msgs <- c(m@optinfo$conv$lme4$messages, m@optinfo$warnings)
for (w in msgs) cat("msg", gsub("[\t\n]", " ", as.character(w)), "\n", sep = "\t")
hwm <- grep("^VmHWM", readLines("/proc/self/status"), value = TRUE)  # R's own peak RSS, in kB
cat("hwm", as.numeric(gsub("[^0-9]", "", hwm)), "\n", sep = "\t")
"""


def lme4_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    r = subprocess.run(["Rscript", "-e", "library(lme4)"], capture_output=True)
    return r.returncode == 0


def _lme4_name(grp: str, var1: str, var2: str) -> str:
    clean = lambda v: "Intercept" if v == "(Intercept)" else v  # noqa: E731
    if grp == "Residual":
        return "sigma"
    if var2 in ("", "NA"):
        return f"sd_{grp}__{clean(var1)}"
    return f"cor_{grp}__{clean(var1)}__{clean(var2)}"


def run_lme4(case: Case, df: pd.DataFrame, tmpdir: Path) -> dict[str, Any]:
    """Fit the case with lme4 in Rscript; estimates under brms names."""
    csv = tmpdir / f"{case.name}.csv"
    script = tmpdir / "fit_lme4.R"
    df.to_csv(csv, index=False)
    script.write_text(R_SCRIPT)
    t0 = time.perf_counter()
    r = subprocess.run(["Rscript", str(script), str(csv), case.formula, case.family, ",".join(case.factors)],
                       capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        return {"error": r.stderr.strip()[-2000:], "rscript_wall_s": wall}
    out: dict[str, Any] = {"estimates": {}, "messages": [], "rscript_wall_s": wall}
    for line in r.stdout.splitlines():
        f = line.rstrip("\n").split("\t")
        if f[0] == "time":
            out["fit_s"] = float(f[1])
        elif f[0] == "cpu":
            out["fit_cpu_s"] = float(f[1])
        elif f[0] == "fe":
            out["estimates"]["b_" + ("Intercept" if f[1] == "(Intercept)" else f[1])] = float(f[2])
        elif f[0] == "vc":
            out["estimates"][_lme4_name(f[1], f[2], f[3])] = float(f[4])
        elif f[0] == "hwm":
            out["peak_rss_bytes"] = int(float(f[1])) * 1024
        elif f[0] == "msg" and f[1].strip():
            out["messages"].append(f[1].strip())
    return out


# ----------------------------------------------------------------------------- worker
def _loo_plan(mode: str, n: int, quick: bool) -> list[tuple[str, int | None]]:
    """(label, subsample) pairs: "full" is chunked PSIS-LOO over every row.

    ``auto``: full loo everywhere, plus ``loo(subsample=2000)`` at 10^6 rows (with
    ``--quick``: on the stand-ins of the large cases, >= 3000 rows, so both paths run).
    """
    sub = min(2000, max(100, n // 4)) if quick else 2000
    if mode == "auto":
        big = n >= (3000 if quick else 1_000_000)
        return [("full", None)] + ([("sub", sub)] if big else [])
    return {"none": [], "full": [("full", None)], "sub": [("sub", sub)],
            "both": [("full", None), ("sub", sub)]}[mode]


def run_case(args: argparse.Namespace, case: Case) -> dict[str, Any]:
    """Simulate, fit, measure; runs inside the ``--case-worker`` subprocess."""
    size = case.quick if args.quick else case.full
    df, truth = case.simulate(size, SEEDS[case.name])
    res: dict[str, Any] = {"case": case.name, "formula": case.formula, "family": case.family, "rows": len(df),
                           "levels": {f: int(df[f].nunique()) for f in case.factors}, "truth": truth,
                           "quick": args.quick}
    tmpdir = Path(tempfile.mkdtemp(prefix=f"brmspy_scale_{case.name}_"))
    try:
        if not args.lme4_only:
            res.update(run_brmspy(args, case, df))
        if args.lme4 and lme4_available():
            res["lme4"] = run_lme4(case, df, tmpdir)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return res


def run_brmspy(args: argparse.Namespace, case: Case, df: pd.DataFrame) -> dict[str, Any]:
    import brmspy as bp
    from brmspy.fit import arviz_io

    choice = {"auto": "auto", "true": True, "false": False}
    reduce: bool | str = choice[args.reduce]
    centered: bool | str = choice[args.centered]
    warm: bool | str = choice[args.warm_start]
    out: dict[str, Any] = {"peak_after_simulate_bytes": rss_peak_bytes()}
    t0 = time.perf_counter()
    build = bp.build_model(case.formula, df, case.family, reduce=reduce, threads=args.threads, centered=centered)
    out["build_s"] = time.perf_counter() - t0
    out["reduction_build"] = build.generated.reduction
    del build

    warmup = args.warmup if args.warmup is not None else args.iter // 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        fit = bp.brm(case.formula, df, case.family, chains=args.chains, iter=args.iter, warmup=warmup,
                     cores=args.cores, seed=args.seed, refresh=0, backend=args.backend, reduce=reduce,
                     threads=args.threads, centered=centered, warm_start=warm)
        out["brm_wall_s"] = time.perf_counter() - t0
    out["backend"] = fit.backend
    out["compile_s"] = float(fit.timings.get("compile", 0.0))
    out["warnings"] = [str(w.message) for w in caught]
    t = fit.timings
    out["sample_s"] = float(t.get("sample", out["brm_wall_s"]))
    out["stan_data_s"] = float(t.get("build", 0.0))  # stanli model instantiation with the data
    out["warm_start_s"] = t.get("warm_start")  # mode + curvature before warmup (None: not used)
    stats = fit.stan_draws.sampler_stats
    out["leapfrog_per_chain"] = float(np.sum(stats["n_leapfrog__"]) / stats["n_leapfrog__"].shape[0])
    out["reduction"] = fit.build.generated.reduction
    out["draws"] = fit.ndraws()
    out["divergences"] = int(np.sum(stats["divergent__"]))
    names = [n for n, p in fit.param_info.items() if p.kind in ESS_KINDS]
    ess = {n: float(arviz_io.ess_bulk(fit.draws_dict[n])) for n in names}
    worst = min(ess, key=ess.get)
    out["ess_bulk"] = ess
    out["min_ess_bulk"] = ess[worst]
    out["min_ess_param"] = worst
    out["ess_per_s"] = ess[worst] / out["sample_s"]
    out["ess_per_wall_s"] = ess[worst] / out["brm_wall_s"]
    out["posterior"] = {n: {"mean": float(np.mean(fit.draws_dict[n])), "sd": float(np.std(fit.draws_dict[n]))}
                        for n in names}
    out["peak_fit_bytes"] = rss_peak_bytes()

    can_reset = reset_peak_rss()
    out["loo"] = {}
    for label, sub in _loo_plan(args.loo, len(df), args.quick):
        fit.__dict__.pop("criteria", None)  # never reuse a stored result
        reset_peak_rss()
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = (bp.loo(fit, chunk_size=args.loo_chunk) if sub is None
                 else bp.loo(fit, subsample=sub, chunk_size=args.loo_chunk, seed=args.seed))
        dt = time.perf_counter() - t0
        est = r.estimates
        entry = {"time_s": dt, "peak_bytes": phase_peak(can_reset), "peak_is_phase": can_reset,
                 "elpd": float(est.loc["elpd_loo", "Estimate"]), "se": float(est.loc["elpd_loo", "SE"])}
        if sub is not None:
            entry["subsample"] = sub
            entry["subsampling_se"] = float(r.subsampling_se)
        else:
            k = np.asarray(r.pareto_k)
            entry["k_above_good"] = int(np.sum(k > r.good_k))
        out["loo"][label] = entry
        del r
    # overall process peak: fit phase, or any loo phase
    out["peak_bytes"] = max([out["peak_fit_bytes"], rss_peak_bytes()]
                            + [e["peak_bytes"] for e in out["loo"].values()])
    return out


def worker_main(args: argparse.Namespace) -> None:
    case = CASES[args.case_worker]
    try:
        res = run_case(args, case)
    except Exception:  # report and let the parent carry on with the next case
        res = {"case": case.name, "error": traceback.format_exc()}
    Path(args.worker_json).write_text(json.dumps(res, default=float))


# ----------------------------------------------------------------------------- reporting
def machine_info(lme4: bool) -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) * 1024
    except OSError:
        pass
    info: dict[str, Any] = {
        "date": _dt.datetime.now().isoformat(timespec="seconds"), "host": platform.node(), "cpu": cpu,
        "cores": os.cpu_count(), "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "ram_gb": ram / GB if ram else None, "loadavg": os.getloadavg(), "os": platform.platform(),
        "python": platform.python_version(),
    }
    # distribution names (brmspy installs as brmspy-stan; arviz_stats as arviz-stats)
    for mod, dist in (("brmspy", "brmspy-stan"), ("stanli", "stanli"), ("numpy", "numpy"),
                      ("arviz_stats", "arviz-stats")):
        try:
            from importlib.metadata import version

            info[mod] = version(dist)
        except Exception:
            info[mod] = None
    if lme4:
        r = subprocess.run(["Rscript", "-e", 'cat(R.version$version.string, "| lme4", '
                            'as.character(packageVersion("lme4")))'], capture_output=True, text=True)
        info["R"] = r.stdout.strip() or None
    return info


def _fmt(v: Any, spec: str = ".1f") -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "–"
    return format(v, spec)


def _mb(v: Any) -> str:
    return "–" if v is None else f"{v / MB:,.0f}"


def print_case(res: dict[str, Any]) -> None:
    """Per-case details: timings and the estimates table (truth, brmspy, lme4)."""
    print(f"\n## {res['case']}: {res.get('formula', '')} ({res.get('family', '')}), "
          f"N = {res.get('rows', 0):,}, levels {res.get('levels', {})}")
    if "error" in res and "rows" not in res:
        print("ERROR:\n" + res["error"])
        return
    if "brm_wall_s" in res:
        print(f"build_model {res['build_s']:.2f} s | brm() {res['brm_wall_s']:.1f} s "
              f"(sampling {res['sample_s']:.1f} s, stanli data {res['stan_data_s']:.2f} s, warm start "
              f"{'off' if res.get('warm_start_s') is None else format(res['warm_start_s'], '.1f') + ' s'}) | "
              f"{res.get('leapfrog_per_chain', float('nan')):.0f} post-warmup gradients/chain | reduction: {res['reduction']} | draws {res['draws']} | "
              f"divergences {res['divergences']}")
        print(f"min bulk ESS {res['min_ess_bulk']:.0f} ({res['min_ess_param']}) = "
              f"{res['ess_per_s']:.1f}/s of sampling | peak RSS after fit {_mb(res['peak_fit_bytes'])} MB")
        for label, e in res["loo"].items():
            extra = (f"subsample {e['subsample']}, subsampling SE {e['subsampling_se']:.2f}" if "subsample" in e
                     else f"{e['k_above_good']} k > good_k")
            print(f"loo[{label}] {e['time_s']:.1f} s, peak RSS {_mb(e['peak_bytes'])} MB, "
                  f"elpd {e['elpd']:.1f} (SE {e['se']:.1f}; {extra})")
        for w in res.get("warnings", []):
            print(f"  warning: {w[:160]}")
    lme = res.get("lme4") or {}
    if "error" in lme:
        print("lme4 failed:\n" + lme["error"])
    elif lme:
        print(f"lme4 fit {lme['fit_s']:.1f} s, CPU {_fmt(lme.get('fit_cpu_s'))} s "
              f"(Rscript total {lme['rscript_wall_s']:.1f} s incl. CSV read, "
              f"R peak RSS {_mb(lme.get('peak_rss_bytes'))} MB)")
        for m in lme.get("messages", []):
            print(f"  lme4 message: {m[:160]}")
    if res.get("loadavg_after"):
        print(f"(1-minute load average after the case: {res['loadavg_after'][0]:.2f} on {os.cpu_count()} cores)")
    truth = res.get("truth", {})
    post = res.get("posterior", {})
    est = lme.get("estimates", {})
    names = list(dict.fromkeys([*truth, *post, *est]))
    print("\n| parameter | truth | brmspy mean | brmspy sd | lme4 |\n|---|---:|---:|---:|---:|")
    for n in names:
        p = post.get(n, {})
        print(f"| {n} | {_fmt(truth.get(n), '.3f')} | {_fmt(p.get('mean'), '.3f')} | {_fmt(p.get('sd'), '.3f')} | "
              f"{_fmt(est.get(n), '.3f')} |")


def targets(res: dict[str, Any]) -> list[str]:
    """Issue 7's targets for this case: 'PASS …' / 'FAIL …' strings (full size only)."""
    if res.get("quick") or "brm_wall_s" not in res:
        return []
    out = []
    def check(ok: bool, text: str) -> None:
        out.append(("PASS " if ok else "FAIL ") + text)

    lme = (res.get("lme4") or {}).get("fit_s")
    wall = res["brm_wall_s"]
    if res["case"] == "gauss1e6":
        if lme is not None:
            check(wall < lme, f"brm {wall:.0f} s < lme4 {lme:.0f} s")
        else:
            check(wall < 90, f"brm {wall:.0f} s < 90 s (lme4 not run)")
        check(res["min_ess_bulk"] >= 400, f"min bulk ESS {res['min_ess_bulk']:.0f} >= 400")
    if res["case"] == "pois1e5":
        check(wall < 120, f"brm {wall:.0f} s < 120 s")
    check(res["peak_bytes"] < 4 * GB, f"peak {res['peak_bytes'] / GB:.2f} GB < 4 GB")
    return out


def print_lme4_table(results: list[dict[str, Any]]) -> None:
    print("\n## Summary (lme4 only)\n")
    print("| case | N | levels | lme4 fit s | lme4 CPU s | Rscript s | R peak MB | messages |\n"
          "|---|---:|---|---:|---:|---:|---:|---|")
    for r in results:
        lme = r.get("lme4") or {}
        msg = "; ".join(lme.get("messages", [])) or ("error" if "error" in lme or "error" in r else "")
        print(f"| {r['case']} | {r.get('rows', 0):,} | {r.get('levels', {})} | {_fmt(lme.get('fit_s'))} | "
              f"{_fmt(lme.get('fit_cpu_s'))} | {_fmt(lme.get('rscript_wall_s'))} | "
              f"{_mb(lme.get('peak_rss_bytes'))} | {msg[:120]} |")


def print_table(results: list[dict[str, Any]]) -> None:
    print("\n## Summary\n")
    head = ["case", "N", "reduction", "build s", "brm s", "sample s", "min bulk ESS", "ESS/s", "peak fit MB",
            "loo s", "loo peak MB", "loo-sub s", "loo-sub peak MB", "lme4 s", "Rscript s", "targets"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---"] + ["---:"] * 2 + ["---:"] * (len(head) - 4) + ["---"]) + "|")
    for r in results:
        loo, sub = r.get("loo", {}).get("full", {}), r.get("loo", {}).get("sub", {})
        lme = r.get("lme4") or {}
        reduction = (r.get("reduction") or "none") if "brm_wall_s" in r else "–"
        cells = [r["case"], f"{r.get('rows', 0):,}", reduction,
                 _fmt(r.get("build_s"), ".2f"), _fmt(r.get("brm_wall_s")), _fmt(r.get("sample_s")),
                 _fmt(r.get("min_ess_bulk"), ".0f"), _fmt(r.get("ess_per_s")), _mb(r.get("peak_fit_bytes")),
                 _fmt(loo.get("time_s")), _mb(loo.get("peak_bytes")), _fmt(sub.get("time_s")),
                 _mb(sub.get("peak_bytes")), _fmt(lme.get("fit_s")), _fmt(lme.get("rscript_wall_s")),
                 "; ".join(targets(r)) or ("error" if "error" in r else "–")]
        print("| " + " | ".join(cells) + " |")


# ----------------------------------------------------------------------------- main
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default=",".join(CASES), help=f"comma-separated subset of {','.join(CASES)}")
    ap.add_argument("--chains", type=int, default=None, help="default 4 (2 with --quick)")
    ap.add_argument("--iter", type=int, default=None,
                    help="iterations per chain incl. warmup; default 2000 (300 with --quick)")
    ap.add_argument("--warmup", type=int, default=None, help="default iter // 2")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--threads", type=int, default=None, help="threads per chain passed to brm()")
    ap.add_argument("--backend", default="stanli", help="brm(backend=...): stanli (default), cmdstanpy or pystan")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reduce", choices=("auto", "true", "false"), default="auto", help="brm(reduce=...)")
    ap.add_argument("--centered", choices=("auto", "true", "false"), default="auto", help="brm(centered=...)")
    ap.add_argument("--warm-start", choices=("auto", "true", "false"), default="auto", help="brm(warm_start=...)")
    ap.add_argument("--loo", choices=("auto", "full", "sub", "both", "none"), default="auto",
                    help="auto: chunked full loo everywhere, plus loo(subsample=2000) at 10^6 rows; both: both everywhere")
    ap.add_argument("--loo-chunk", type=int, default=None, help="loo chunk_size (default automatic)")
    ap.add_argument("--quick", action="store_true", help="smoke run: tiny data and few iterations")
    ap.add_argument("--no-lme4", dest="lme4", action="store_false", help="skip lme4 even if installed")
    ap.add_argument("--lme4-only", action="store_true", help="simulate and fit with lme4 only (no brmspy)")
    ap.add_argument("--out", default=None, help="write all results and machine info as JSON here")
    ap.add_argument("--case-worker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--worker-json", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.chains is None:
        args.chains = 2 if args.quick else 4
    if args.iter is None:
        args.iter = 300 if args.quick else 2000
    return args


def _worker_argv(args: argparse.Namespace, case: str, out: str) -> list[str]:
    argv = [sys.executable, str(Path(__file__).resolve()), "--case-worker", case, "--worker-json", out,
            "--chains", str(args.chains), "--iter", str(args.iter), "--cores", str(args.cores),
            "--seed", str(args.seed), "--reduce", args.reduce, "--centered", args.centered,
            "--warm-start", args.warm_start, "--loo", args.loo, "--backend", args.backend]
    for flag, value in (("--warmup", args.warmup), ("--threads", args.threads), ("--loo-chunk", args.loo_chunk)):
        if value is not None:
            argv += [flag, str(value)]
    argv += [f for f, on in (("--quick", args.quick), ("--no-lme4", not args.lme4),
                             ("--lme4-only", args.lme4_only)) if on]
    return argv


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.case_worker:
        worker_main(args)
        return
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = [c for c in cases if c not in CASES]
    if unknown:
        sys.exit(f"unknown case(s) {unknown}; choose from {list(CASES)}")
    have_lme4 = args.lme4 and lme4_available()
    if args.lme4_only and not have_lme4:
        sys.exit("--lme4-only needs Rscript with lme4 (apt-get install r-cran-lme4).")
    info = machine_info(have_lme4)
    warmup = args.warmup if args.warmup is not None else args.iter // 2
    print(f"# brmspy scale benchmark {'(QUICK smoke run) ' if args.quick else ''}{info['date']}")
    print(f"# {info['cpu']}, {info['cores']} cores ({info['affinity']} usable), {_fmt(info['ram_gb'])} GB RAM, "
          f"{info['os']}")
    print(f"# load average {info['loadavg'][0]:.2f} (timings are wall times: other processes slow them)")
    print(f"# Python {info['python']}, brmspy {info['brmspy']}, stanli {info['stanli']}, numpy {info['numpy']}, "
          f"arviz-stats {info['arviz_stats']}; {info.get('R') or 'lme4: not run'}")
    if not args.lme4_only:
        print(f"# {args.chains} chains x {args.iter - warmup} draws after {warmup} warmup, cores={args.cores}, "
              f"threads={args.threads}, reduce={args.reduce}, centered={args.centered}, warm_start={args.warm_start}, "
              f"loo={args.loo}, backend={args.backend}")
    results = []
    for name in cases:
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
            out = fh.name
        t0 = time.perf_counter()
        proc = subprocess.run(_worker_argv(args, name, out))
        try:
            res = json.loads(Path(out).read_text() or "{}")
        except (OSError, json.JSONDecodeError):
            res = {}
        finally:
            Path(out).unlink(missing_ok=True)
        if not res:
            res = {"case": name, "error": f"worker exited with code {proc.returncode} and no result"}
        res["worker_wall_s"] = time.perf_counter() - t0
        res["loadavg_after"] = os.getloadavg()
        results.append(res)
        print_case(res)
        sys.stdout.flush()
    (print_lme4_table if args.lme4_only else print_table)(results)
    if args.out:
        Path(args.out).write_text(json.dumps({"machine": info, "args": vars(args), "results": results},
                                             indent=2, default=float))
        print(f"\nresults written to {args.out}")


if __name__ == "__main__":
    main()
