"""Regenerate the brms 2.18 reference outputs used by ``tests/package/test_brms_reference.py``.

One command, from the repository root (needs R with brms 2.18 and jsonlite; CI never runs it)::

    python tools/brms_reference.py            # data sets, corpus, brms outputs (about 5 minutes)
    python tools/brms_reference.py --data     # data sets and cases.json only (no R)
    python tools/brms_reference.py -k mv_     # re-run brms only for the cases whose id contains "mv_"

It writes, under ``tests/reference/brms/``:

- ``data/<name>.csv`` and ``data/schema.json``: the data sets (sleepstudy and cbpp from
  ``brmspy/data``, and ``sim``, simulated here deterministically with columns of every kind) with the
  type of every column (numeric, integer, character, logical, factor with levels, ordered), so that R
  and the test read factors, ordered factors and logicals exactly as intended;
- ``cases.json``: the corpus (``tools/brms_corpus.py``), each case with its brmspy form and the R code
  that ``tools/brms_reference.R`` evaluates;
- ``cases/<id>.json.gz``: brms's ``make_standata()`` arrays (row-major, with column names and dims),
  ``get_prior()`` table, ``validate_prior()`` table (cases with priors), group-level table and group
  levels, or brms's error message; numbers rounded to 10 significant digits, gzip with a zero mtime so
  that unchanged outputs give byte-identical files.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
REF = ROOT / "tests" / "reference" / "brms"
DATA = REF / "data"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from brms_corpus import CASES, r_code  # noqa: E402


# ---------------------------------------------------------------------------- data sets


def _sim(n: int = 80, seed: int = 20240518) -> tuple[pd.DataFrame, dict]:
    """Simulated data with columns of every kind (values rounded so CSV text is exact)."""
    rng = np.random.default_rng(seed)
    r2 = lambda a: np.round(a, 2)  # noqa: E731
    i = np.arange(n)
    g1_idx = i // 10  # 8 groups of 10 rows
    d: dict[str, object] = {}
    d["g1"] = np.array([f"g{k + 1}" for k in g1_idx])
    d["g2"] = np.array(list("ABCDE"))[i % 5]
    d["g3"] = np.array(["a", "b"])[(i // 2) % 2]  # nested in g1: g1:g3 has 16 levels
    d["gby"] = np.where(g1_idx < 4, "u", "v")  # constant within g1
    d["gm1"] = d["g1"]
    d["gm2"] = np.array([f"g{k + 1}" for k in rng.integers(0, 8, n)])
    d["w1"] = r2(rng.uniform(0.2, 1.0, n))
    d["w2"] = r2(rng.uniform(0.2, 1.0, n))
    x1 = r2(rng.normal(0, 1, n))
    x2 = r2(rng.normal(0, 1, n))
    x3 = r2(rng.normal(0, 1, n))
    d["x1"], d["x2"], d["x3"] = x1, x2, x3
    d["xpos"] = r2(rng.uniform(0.5, 5, n))
    d["xint"] = i % 5
    d["f3"] = np.array(list("abc"))[rng.integers(0, 3, n)]
    d["f2"] = np.array(["hi", "lo"])[rng.integers(0, 2, n)]
    d["fdig"] = np.array(["1", "2", "10"])[rng.integers(0, 3, n)]
    d["ford"] = np.array(["low", "mid", "high"])[i % 3]
    d["fun"] = np.array(list("abc"))[(i + 1) % 3]  # factor with an unused level "d"
    d["lgl"] = rng.uniform(size=n) < 0.5
    g1_eff = rng.normal(0, 1, 8)[g1_idx]
    mu = 1 + 0.5 * x1 - 0.3 * x2 + g1_eff
    d["y"] = r2(mu + rng.normal(0, 1, n))
    d["y2"] = r2(0.5 * mu + rng.normal(0, 1, n))
    d["ypos"] = np.round(np.exp(0.2 * mu + rng.normal(0, 0.5, n)), 3)
    d["y01"] = np.clip(np.round(rng.beta(2, 3, n), 3), 0.001, 0.999)
    y01i = np.clip(np.round(rng.beta(2, 3, n), 3), 0.001, 0.999)
    y01i[i % 9 == 0] = 0.0
    y01i[i % 11 == 0] = 1.0
    d["y01i"] = y01i
    y0pos = d["ypos"].copy()
    y0pos[i % 4 == 0] = 0.0
    d["y0pos"] = y0pos
    d["ybin"] = (rng.uniform(size=n) < 1 / (1 + np.exp(-mu / 2))).astype(int)
    d["yyn"] = np.where(d["ybin"] == 1, "yes", "no")
    d["ycnt"] = rng.poisson(np.exp(0.3 * mu))
    ycnt0 = rng.poisson(np.exp(0.3 * mu))
    ycnt0[i % 3 == 0] = 0
    d["ycnt0"] = ycnt0
    d["ntr"] = rng.integers(5, 13, n)
    d["ysucc"] = rng.binomial(d["ntr"], 1 / (1 + np.exp(-mu / 3)))
    d["ycat"] = np.array(list("abc"))[rng.integers(0, 3, n)]
    d["yord"] = 1 + (i * 7 % 4)
    d["yang"] = r2(rng.uniform(-3, 3, n))
    c = rng.poisson(3, (n, 3)) + 1
    d["c1"], d["c2"], d["c3"] = c[:, 0], c[:, 1], c[:, 2]
    d["ctot"] = c.sum(axis=1)
    p = rng.dirichlet([2, 3, 4], n)
    p1 = np.clip(np.round(p[:, 0], 3), 0.01, 0.5)
    p2 = np.clip(np.round(p[:, 1], 3), 0.01, 0.45)
    d["p1"], d["p2"], d["p3"] = p1, p2, np.round(1 - p1 - p2, 3)
    d["wts"] = r2(rng.uniform(0.5, 2, n))
    censi = np.array([0, -1, 1, 2])[i % 4]
    d["censi"] = censi
    d["censc"] = np.array(["none", "left", "right", "interval"])[i % 4]
    d["censlri"] = np.array([0, -1, 1])[i % 3]
    d["censlrc"] = np.array(["none", "left", "right"])[i % 3]
    d["yupp"] = r2(d["y"] + 1)
    d["tlb"] = r2(d["y"] - 2 - rng.uniform(0, 1, n))
    d["tub"] = r2(d["y"] + 2 + rng.uniform(0, 1, n))
    d["sey"] = r2(rng.uniform(0.5, 1.5, n))
    d["tim"] = i % 10 + 1
    d["xmo"] = i % 4
    d["xme"] = r2(x3 + rng.normal(0, 0.3, n))
    d["sdxme"] = r2(rng.uniform(0.1, 0.5, n))
    xmis = x2.astype(float).copy()
    xmis[i % 10 == 3] = np.nan
    d["xmis"] = xmis
    ymis = d["y"].astype(float).copy()
    ymis[i % 13 == 5] = np.nan
    d["ymis"] = ymis
    xna = x3.astype(float).copy()
    xna[[4, 17, 50]] = np.nan
    d["xna"] = xna
    d["offs"] = r2(rng.uniform(-1, 1, n))
    d["rt"] = np.round(0.3 + rng.gamma(2, 0.3, n), 3)
    d["dec"] = rng.integers(0, 2, n)
    df = pd.DataFrame(d)
    types = {}
    for col in df.columns:
        if col in ("g1", "g2", "g3", "gby", "gm1", "gm2", "f3", "f2", "fdig", "ycat", "censc", "censlrc", "yyn"):
            types[col] = {"type": "character"}
        elif col == "ford":
            types[col] = {"type": "ordered", "levels": ["low", "mid", "high"]}
        elif col == "fun":
            types[col] = {"type": "factor", "levels": ["a", "b", "c", "d"]}
        elif col == "lgl":
            types[col] = {"type": "logical"}
        elif np.issubdtype(df[col].dtype, np.integer):
            types[col] = {"type": "integer"}
        else:
            types[col] = {"type": "numeric"}
    df["lgl"] = np.where(df["lgl"], "TRUE", "FALSE")
    spec = {"columns": types, "matrices": {"cmat": ["c1", "c2", "c3"], "pmat": ["p1", "p2", "p3"]}}
    return df, spec


def _package_csv(name: str) -> pd.DataFrame:
    return pd.read_csv(ROOT / "brmspy" / "data" / f"{name}.csv", dtype=str, keep_default_na=False)


def _sleepstudy() -> tuple[pd.DataFrame, dict]:
    df = _package_csv("sleepstudy")
    return df, {"columns": {"Reaction": {"type": "numeric"}, "Days": {"type": "integer"},
                            "Subject": {"type": "character"}}}


def _cbpp() -> tuple[pd.DataFrame, dict]:
    df = _package_csv("cbpp")
    # lme4's cbpp: herd and period are factors in numeric order (herd's is not the sorted order of its labels)
    return df, {"columns": {"herd": {"type": "factor", "levels": [str(k) for k in range(1, 16)]},
                            "incidence": {"type": "integer"}, "size": {"type": "integer"},
                            "period": {"type": "factor", "levels": ["1", "2", "3", "4"]}}}


def _cov_A(levels: list[str], seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    B = rng.normal(0, 1, (len(levels), len(levels)))
    A = np.round(B @ B.T / len(levels) + np.eye(len(levels)), 4)
    return pd.DataFrame(A, index=levels, columns=levels)


def _adjacency(levels: list[str]) -> pd.DataFrame:
    n = len(levels)
    W = np.zeros((n, n), dtype=int)
    for k in range(n - 1):
        W[k, k + 1] = W[k + 1, k] = 1
    return pd.DataFrame(W, index=levels, columns=levels)


def _row_matrices(n: int, block: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """N x N matrices over the rows of ``sim`` (blocks of ``block`` rows, as its g1): a chain adjacency
    scaled by 1/2 for sar() (symmetric, so R's eigen() order is well defined) and an exponential
    correlation matrix for fcor()."""
    W = np.zeros((n, n))
    V = np.zeros((n, n))
    for b in range(0, n, block):
        idx = np.arange(b, min(b + block, n))
        for k in idx[:-1]:
            W[k, k + 1] = W[k + 1, k] = 1
        V[np.ix_(idx, idx)] = np.round(np.exp(-np.abs(np.subtract.outer(idx, idx)) / 3), 6)
    W = W / 2
    names = [str(k) for k in range(1, n + 1)]
    return pd.DataFrame(W, index=names, columns=names), pd.DataFrame(V, index=names, columns=names)


def write_data() -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    schema: dict = {"datasets": {}, "data2": {}}
    for name, make in (("sim", _sim), ("sleepstudy", _sleepstudy), ("cbpp", _cbpp)):
        df, spec = make()
        df.to_csv(DATA / f"{name}.csv", index=False, na_rep="NA", lineterminator="\n")
        schema["datasets"][name] = {"matrices": {}, **spec}
    g1 = [f"g{k}" for k in range(1, 9)]
    _cov_A(g1).to_csv(DATA / "covA.csv", lineterminator="\n")
    schema["data2"]["covA"] = {"kind": "matrix", "levels_of": "sim.g1"}
    _adjacency(g1).to_csv(DATA / "adjW.csv", lineterminator="\n")
    schema["data2"]["adjW"] = {"kind": "matrix", "levels_of": "sim.g1"}
    sarW, fcorV = _row_matrices(80)
    sarW.to_csv(DATA / "sarW.csv", lineterminator="\n")
    schema["data2"]["sarW"] = {"kind": "matrix", "rows_of": "sim"}
    fcorV.to_csv(DATA / "fcorV.csv", lineterminator="\n")
    schema["data2"]["fcorV"] = {"kind": "matrix", "rows_of": "sim"}
    (DATA / "schema.json").write_text(json.dumps(schema, indent=1) + "\n")


def write_cases() -> list[dict]:
    ids = [c["id"] for c in CASES]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise SystemExit(f"duplicate case ids: {sorted(dup)}")
    out = []
    for c in CASES:
        out.append({**c, "r": r_code(c)})
    (REF / "cases.json").write_text(json.dumps(out, indent=1) + "\n")
    return out


# ---------------------------------------------------------------------------- brms outputs


def _unbox(x):
    return x[0] if isinstance(x, list) and len(x) == 1 else x


def _canonical(raw: dict) -> dict:
    out: dict = {"id": _unbox(raw["id"]), "brms": _unbox(raw["brms"])}
    for key in ("standata_error", "stancode_error", "stanc_error", "prior_error", "validated_prior_error"):
        if raw.get(key):
            out[key] = _unbox(raw[key])
    if raw.get("standata"):
        sd = {}
        for name, a in raw["standata"].items():
            entry = {"dim": a["dim"], "v": a["v"]}
            if a.get("colnames"):
                entry["colnames"] = a["colnames"]
            if _unbox(a.get("int", [False])):
                entry["int"] = True
            sd[name] = entry
        out["standata"] = sd
    for key in ("prior", "validated_prior", "ranef"):
        if raw.get(key):
            out[key] = {k: list(v) for k, v in raw[key].items()}
    if raw.get("levels"):
        out["levels"] = {k: list(v) for k, v in raw["levels"].items()}
    out["warnings"] = list(raw.get("warnings") or [])
    out["messages"] = list(raw.get("messages") or [])
    return out


def run_r(cases: list[dict]) -> None:
    target = REF / "cases"
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        cases_file = Path(tmp) / "cases.json"
        cases_file.write_text(json.dumps(cases))
        raw_dir = Path(tmp) / "out"
        subprocess.run(["Rscript", str(ROOT / "tools" / "brms_reference.R"), str(cases_file), str(DATA), str(raw_dir)],
                       check=True)
        for c in cases:
            raw = json.loads((raw_dir / f"{c['id']}.json").read_text())
            text = json.dumps(_canonical(raw), separators=(",", ":"), sort_keys=True).encode()
            with open(target / f"{c['id']}.json.gz", "wb") as fh:
                with gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0, compresslevel=9) as gz:
                    gz.write(text)
    known = {f"{c['id']}.json.gz" for c in json.loads((REF / "cases.json").read_text())}
    for f in target.glob("*.json.gz"):
        if f.name not in known:
            f.unlink()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", action="store_true", help="write data sets and cases.json only (no R)")
    ap.add_argument("-k", default=None, help="run brms only for cases whose id contains this text")
    a = ap.parse_args()
    write_data()
    cases = write_cases()
    if a.data:
        print(f"wrote {len(cases)} cases and the data sets to {REF.relative_to(ROOT)}")
        return
    if a.k:
        cases = [c for c in cases if a.k in c["id"]]
    run_r(cases)
    size = sum(f.stat().st_size for f in REF.rglob("*") if f.is_file())
    print(f"{len(cases)} cases run; tests/reference/brms holds {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
