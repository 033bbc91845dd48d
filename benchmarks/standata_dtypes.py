"""make_standata time for every dtype of a grouping column (issue 18 item 5).

``y ~ x + (x | g)`` at 10^6 rows x 1000 levels, with ``g`` as int, object str,
``str``, ``string``, ``string[pyarrow]`` and categorical (target: under 1 s
each).  When ``Rscript`` with brms and lme4 is on the PATH, the same data go
to R and brms's ``make_standata`` and lme4's ``lFormula`` are timed too, with
the ratio; otherwise the script says R is absent.

Run: ``python benchmarks/standata_dtypes.py [rows] [levels]``
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import brmspy as bp

R_SCRIPT = r"""
suppressMessages({library(brms); library(lme4)})
d <- read.csv(commandArgs(TRUE)[1])
d$g <- as.character(d$g)
t0 <- Sys.time(); invisible(make_standata(y ~ x + (x | g), d)); t1 <- Sys.time()
invisible(lFormula(y ~ x + (x | g), d)); t2 <- Sys.time()
cat(as.numeric(t1 - t0, units = "secs"), as.numeric(t2 - t1, units = "secs"), "\n")
"""


def data(rows: int, levels: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = rng.integers(0, levels, rows)
    x = rng.normal(size=rows)
    y = 1 + 0.5 * x + rng.normal(size=levels)[g] + rng.normal(size=rows)
    return pd.DataFrame({"y": y, "x": x, "g": g})


def variants(df: pd.DataFrame) -> dict[str, pd.Series]:
    labels = np.array([f"s{i:04d}" for i in range(df["g"].max() + 1)], dtype=object)[df["g"].to_numpy()]
    out = {"int": df["g"], "object str": pd.Series(labels, dtype=object), "str": pd.Series(labels, dtype="str"),
           "string": pd.Series(labels, dtype="string")}
    try:
        out["string[pyarrow]"] = pd.Series(labels, dtype="string[pyarrow]")
    except ImportError:
        print("pyarrow is not installed: string[pyarrow] skipped")
    out["categorical"] = pd.Series(pd.Categorical(labels))
    return out


def time_brmspy(df: pd.DataFrame) -> float:
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bp.make_standata("y ~ x + (x | g)", df)
    return time.perf_counter() - t0


def time_r(df: pd.DataFrame) -> tuple[float, float] | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        csv, script = Path(tmp) / "d.csv", Path(tmp) / "t.R"
        df.to_csv(csv, index=False)
        script.write_text(R_SCRIPT)
        res = subprocess.run(["Rscript", str(script), str(csv)], capture_output=True, text=True)
        if res.returncode != 0:
            print("R failed:", res.stderr.strip().splitlines()[-1:] or res.stderr)
            return None
        brms_s, lme4_s = map(float, res.stdout.split())
        return brms_s, lme4_s


def main(rows: int = 1_000_000, levels: int = 1000) -> None:
    base = data(rows, levels)
    print(f"make_standata('y ~ x + (x | g)') at {rows:,} rows x {levels} levels")
    times = {}
    for name, g in variants(base).items():
        df = base.assign(g=g)
        time_brmspy(df.iloc[:1000])  # warm imports
        times[name] = time_brmspy(df)
        print(f"  brmspy, g as {name:16s} {times[name]:6.2f} s")
    r = time_r(base.assign(g=variants(base)["object str"]))
    if r is None:
        print("  R (brms, lme4) is absent here: no R timing")
    else:
        brms_s, lme4_s = r
        best = times["object str"]
        print(f"  R brms make_standata     {brms_s:6.2f} s   (brmspy/brms = {best / brms_s:.2f})")
        print(f"  R lme4 lFormula          {lme4_s:6.2f} s   (brmspy/lme4 = {best / lme4_s:.2f})")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
