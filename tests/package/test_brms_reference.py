"""Differential test against brms 2.18: every case of the corpus, from committed references.

For each case of ``tests/reference/brms/cases.json`` (written by ``tools/brms_reference.py`` from
``tools/brms_corpus.py``; brms's outputs in ``tests/reference/brms/cases/<id>.json.gz``) brmspy builds
``make_standata(..., reduce=False)`` and ``get_prior()`` on the same data and the comparison names the
first difference:

- Stan data: every array brms passes (N, K, M, NC, Y, X and its column names in brms's order, J, Z,
  trials, weights, cens, lb/ub, special-term data, ...), numerically (brms's values are rounded to 10
  significant digits); the group-level structure (id, group, coefficient per Z column) and the levels of
  every grouping factor;
- the default prior table, row for row (prior, class, coef, group, resp, dpar, nlpar, lb, ub), then its
  row order;
- where brms refuses (make_standata, make_stancode, or Stan's parser for user priors), brmspy raises a
  ``BrmsError`` whose message matches the case's ``reason``;
- where brms says something that changes the model the user gets (rescor set by default, rows with NAs
  dropped: :data:`MESSAGES`), brmspy warns too.

Where brmspy deliberately differs, the comparison goes through :data:`MAPPING` (each entry is a bullet
of the README's "Differences from brms", which a test checks). A case whose data has character,
logical or factor columns also runs with every string dtype (object, ``str``, ``string``,
``string[pyarrow]`` when pyarrow is installed, categorical): all must give brms's data.

Run one case: ``pytest tests/package/test_brms_reference.py -k idiom_I_pow2_float``.
List every failure on one line each: ``python tests/package/test_brms_reference.py`` (``-k TEXT`` to filter,
``--variants`` to include the dtype variants, ``--all`` for every difference of each case).
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.core.errors import BrmsError

REF = Path(__file__).parents[1] / "reference" / "brms"
README = Path(__file__).parents[2] / "README.md"
RTOL, ATOL = 1e-8, 1e-9  # brms's values carry 10 significant digits


# ============================================================================ the mapping table
@dataclass(frozen=True)
class Difference:
    """A deliberate difference from brms 2.18 and how the comparison goes through it."""

    bullet: str  # text that starts the README bullet under "Differences from brms"
    rule: str  # what the test does instead of plain equality


MAPPING: dict[str, Difference] = {
    "prior_data": Difference(
        "Prior hyperparameters are data",
        "Stan-data entries prior_<parameter>_<argument> (and Kp_/Jp_ index arrays where elements of a vector "
        "have different prior distributions) exist only in brmspy (brms writes the numbers into the program): "
        "they are compared with the hyperparameters of brms's effective priors (validate_prior() with user "
        "priors, else get_prior(), with brms's inheritance) for b, Intercept, sd, cor and dpars "
        "(compare_prior_data); the prior table is compared with get_prior() row for row.",
    ),
    "matrix_response": Difference(
        "Matrix responses are written `cbind(...)`",
        "A brms response that is a matrix column of the data (cmat, pmat in the schema) is given to brmspy "
        "as cbind(c1, c2, c3) of its columns; everything else is compared as usual.",
    ),
    "refuse_beyond_2_18": Difference(
        "Refused although brms 2.18 accepts them",
        "brms 2.18 returns data; brmspy must raise a BrmsError whose message matches the case's reason.",
    ),
    "newer_brms": Difference(
        "Follows brms after 2.18",
        "Cases marked newer_brms: brms 2.18 refuses (it does not know the feature); brmspy must build the model. "
        "In every case, brms 2.18's default priors listed in NEWER_PRIORS are replaced by current brms's "
        "before the prior tables are compared.",
    ),
    "brms_program_fails": Difference(
        "Autocorrelation structures of non-linear models compile",
        "brms 2.18 gives Stan data and priors, but its program fails to compile (the helper functions of the "
        "structure are missing); brmspy must build the model, and data and priors are compared as usual.",
    ),
    "unsupported": Difference(
        "Not implemented",
        "brms 2.18 returns data; brmspy must raise a BrmsError whose message matches the case's reason "
        "(naming the missing feature).",
    ),
    # ---- how brmspy's Stan program declares its data (map_standata; the model is the same)
    "correlation_counts": Difference(
        "No correlation counts without correlations",
        "brms's NC_<k> (NCme_<k>) where brmspy's block <k> has no correlation matrix (one coefficient, or '||'; "
        "me() terms without Lme_<k>) is left out in brmspy: brms's value must be M_<k>(M_<k> - 1)/2 of brms's own "
        "M_<k> (Mme_<k>) and brmspy's block must be uncorrelated; everywhere else NC_<k> is compared.",
    ),
    "intercept_design": Difference(
        "No design matrix for an intercept alone",
        "Where brmspy's linear predictor has an intercept and no other population-level column, brms's X<s> must be "
        "an N x 1 column of ones named 'Intercept' and K<s> = 1 (ordinal mu: N x 0 and K<s> = 0); brmspy passes "
        "neither. Ordinal mu: brmspy's X<s> keeps the all-ones 'Intercept' column first (K<s> one more); brms's "
        "X<s> must be the other columns exactly.",
    ),
    "multivariate_data": Difference(
        "Multivariate models share one N",
        "brms's N_<resp> must equal N; brms's J_<k>_<resp> must equal brmspy's J_<k>; brms's nu_<resp> (student "
        "responses with residual correlations, which share one nu) must be 1. These are left out in brmspy.",
    ),
    "truncation_bounds": Difference(
        "Only the truncation bounds that truncate are data",
        "brms's lb<s> (ub<s>) where brmspy has none must be -Inf (Inf) in every row, or, where brmspy warns that "
        "trunc(lb = ...) does not truncate a positive family, <= 0 in every row.",
    ),
    "censoring_indices": Difference(
        "Censored rows are indexed in the data",
        "brmspy's N<type><s>/J<type><s> (type event, rcens, lcens) must be the count and the 1-based rows of brms's "
        "cens<s> equal to 0, 1 and -1.",
    ),
    "mm_member_z": Difference(
        "Multi-membership terms have one Z per coefficient",
        "brms's Z_<k>_<j>_<m> (member m of mm() block k) must all equal brmspy's Z_<k>_<j>.",
    ),
    "mi_bounds": Difference(
        "Missing values are imputed without bounds",
        "brms's lbmi<s>/ubmi<s> must be -Inf/Inf (mi() without bounds); brmspy passes neither.",
    ),
    "smooth_signs": Difference(
        "Smooth terms: column signs of penalised parts",
        "Each Zs column of an s()/t2() term must equal brms's or its negative (brms's signs come from LAPACK "
        "rounding; the standard normal zs make the model the same either way); for s() of several covariates "
        "(thin plate), brms's Xs columns of the term must span the same space as brmspy's (their rotation within "
        "the unpenalised space is rounding noise in mgcv).",
    ),
    "shrinkage_scales": Difference(
        "Shrinkage priors are written as current brms writes them",
        "horseshoe() and R2D2() priors: brmspy passes current brms's Kscales<p> (the number of coefficients the prior "
        "scales), which brms 2.18 has not; it must equal brms's K<p>, less one where the program centres X<p> (Kc<p>), plus "
        "Ksp<p> (the bsp of mo()/me()/mi() terms, which brms 2.18 shrinks too). Every other entry "
        "(hs_df, hs_scale_global, R2D2_cons_D2, ...) is compared as usual.",
    ),
    "qr_data": Difference(
        "The QR decomposition of `decomp = \"QR\"` is data",
        "brmspy's XQ<p> and XR_inv<p> (brms computes them in the program's transformed data) must be the scaled thin "
        "QR decomposition of brms's X<p> (without its Intercept column, centred where brmspy's program centres it): "
        "Q * sqrt(N - 1) and the inverse of R / sqrt(N - 1), R with a positive diagonal.",
    ),
    "cox_bound_hazards": Difference(
        "cox: interval censoring and truncation take the cumulative hazard at the bounds",
        "brmspy's Zcbhaz_rcens<s>, Zcbhaz_lb<s> and Zcbhaz_ub<s> (brms 2.18 has none: its program takes the "
        "cumulative hazard at the response for every bound) must be the model's I-spline basis, whose values at the "
        "responses are compared with brms's Zcbhaz<s>, at brms's rcens<s> (rows with cens<s> = 2), lb<s> and ub<s> "
        "(bounds below the lower boundary knot at that knot); everything else is compared as usual.",
    ),
    "theta1_row": Difference(
        "The prior table has no theta1 row",
        "In mixtures with predicted theta<k>, brms 2.18's get_prior() row for the reference theta1 (theta<k> of "
        "the first component without a formula when theta1 has one; fixed at 0, no "
        "parameter) must be its default 'logistic(0, 1)'; it is left out of the comparison.",
    ),
}
# MAPPING["prior_data"]: prior_Intercept_loc, prior_sd_1_scale, ... (not prior_only), and Kp_/Jp_ (which
# coefficients of a class share one prior distribution: brmspy's program selects them by index)
PRIOR_DATA = re.compile(r"^(prior_(?!only$)|Kp_|Jp_)")
# MAPPING["newer_brms"]: default priors current brms changed after 2.18, as (class, families): (2.18, current).
# brms 2.21 (paul-buerkner/brms#1614) for negbinomial, later (#1819) for its zero-inflated and hurdle forms.
NEWER_PRIORS = {
    ("shape", frozenset({"negbinomial", "zero_inflated_negbinomial", "hurdle_negbinomial"})):
        ("gamma(0.01, 0.01)", "inv_gamma(0.4, 0.3)"),
}


def test_mapping_entries_are_readme_bullets() -> None:
    """Every deliberate difference the comparison goes through is documented in the README."""
    text = README.read_text(encoding="utf-8")
    m = re.search(r"^## Differences from brms\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert m, "README.md has no '## Differences from brms' section"
    bullets = [b.strip() for b in re.findall(r"^- (.*)$", m.group(1), re.M)]
    for key, diff in MAPPING.items():
        assert any(b.startswith(f"**{diff.bullet}") or b.startswith(diff.bullet) for b in bullets), (
            f"mapping entry {key!r}: no README bullet starting with {diff.bullet!r} under 'Differences from brms'"
        )
    used = {c.get("difference") for c in CASES} - {None}
    assert used <= set(MAPPING), f"cases use differences missing from MAPPING: {sorted(used - set(MAPPING))}"


# ============================================================================ corpus and data
CASES: list[dict] = json.loads((REF / "cases.json").read_text(encoding="utf-8"))
SCHEMA: dict = json.loads((REF / "data" / "schema.json").read_text(encoding="utf-8"))

try:  # string[pyarrow] only where pyarrow is installed
    import pyarrow  # noqa: F401

    _PYARROW = True
except ImportError:  # pragma: no cover - depends on the environment
    _PYARROW = False

VARIANTS = ["object", "string", *(["pyarrow"] if _PYARROW else []), "category"]


@lru_cache(maxsize=None)
def _raw(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / "data" / f"{name}.csv", dtype=str, keep_default_na=False)


def _string_dtype(values: pd.Series, variant: str, levels: list[str] | None = None) -> pd.Series:
    """Text values in the dtype of ``variant`` (``str`` is pandas' default string dtype)."""
    missing = values == "NA"
    if variant == "category":
        cats = levels if levels is not None else sorted(set(values[~missing]))
        return pd.Series(pd.Categorical(values.where(~missing), categories=cats))
    if variant == "object":
        return values.where(~missing, None).astype(object)
    dtype = {"str": "str", "string": "string", "pyarrow": "string[pyarrow]"}[variant]
    return values.where(~missing).astype(dtype)


def _logical(values: pd.Series, variant: str) -> pd.Series:
    b = values.map({"TRUE": True, "FALSE": False})
    if variant == "object":
        return b.astype(object)
    if variant in ("string", "pyarrow"):
        return b.astype("boolean")  # what convert_dtypes() gives
    return b.astype(bool)


def _sorted_factor(spec: dict, values: pd.Series) -> bool:
    """A factor whose levels are its sorted values: any string dtype gives the same factor."""
    return spec["levels"] == sorted(set(values[values != "NA"]))


def load_data(name: str, variant: str = "str") -> pd.DataFrame:
    """A reference data set with the column types of the schema; text columns in ``variant``'s dtype."""
    return _load_data(name, variant).copy()  # a fresh copy per case: brmspy may not change the caller's data


@lru_cache(maxsize=None)
def _load_data(name: str, variant: str) -> pd.DataFrame:
    raw = _raw(name)
    out = {}
    for col, spec in SCHEMA["datasets"][name]["columns"].items():
        v = raw[col]
        kind = spec["type"]
        if kind == "numeric":
            out[col] = pd.to_numeric(v.replace("NA", np.nan)).astype(float)
        elif kind == "integer":
            out[col] = v.astype(np.int64)
        elif kind == "character":
            out[col] = _string_dtype(v, variant)
        elif kind == "logical":
            out[col] = _logical(v, variant)
        elif kind == "factor" and variant != "str" and _sorted_factor(spec, v) and variant != "category":
            out[col] = _string_dtype(v, variant)
        elif kind in ("factor", "ordered"):
            out[col] = pd.Series(pd.Categorical(v.where(v != "NA"), categories=spec["levels"], ordered=kind == "ordered"))
        else:  # pragma: no cover - schema error
            raise ValueError(f"unknown column type {kind!r} of {name}.{col}")
    return pd.DataFrame(out)


def load_data2(spec: dict | None) -> dict | None:
    if not spec:
        return None
    out = {}
    for key, name in spec.items():
        m = pd.read_csv(REF / "data" / f"{name}.csv", index_col=0)
        m.index = m.index.astype(str)
        out[key] = m
    return out


def _texts(f) -> list[str]:
    """Every formula text of a case's formula spec."""
    if isinstance(f, str):
        return [f]
    if isinstance(f, dict):
        return [t for k, v in f.items() if k != "family" for t in _texts(v)]
    if isinstance(f, list):
        return [t for x in f for t in _texts(x)]
    return []


def _uses_text_columns(case: dict) -> bool:
    cols = SCHEMA["datasets"][case["data"]]["columns"]
    raw = _raw(case["data"])
    names = set(re.findall(r"[A-Za-z_.][A-Za-z0-9_.]*", " ".join(_texts(case["formula"]))))
    for n in names & set(cols):
        spec = cols[n]
        if spec["type"] in ("character", "logical") or (spec["type"] == "factor" and _sorted_factor(spec, raw[n])):
            return True
    return False


# ============================================================================ brmspy objects from the spec


def py_family(f):
    if f is None or isinstance(f, str):
        return f
    if "mixture" in f:
        opts = {k: v for k, v in f.items() if k != "mixture"}
        return bp.mixture(*[py_family(c) for c in f["mixture"]], **opts)
    opts = {k: v for k, v in f.items() if k != "family"}
    if "refcat" in opts:
        return getattr(bp, f["family"])(**opts)
    return bp.brmsfamily(f["family"], **opts)


def _py_bf(f):
    if isinstance(f, str):
        return bp.bf(f)
    options = ("center", "cmc", "sparse", "decomp", "loop")  # bf()'s options keep their Python type
    named = {k: (v if k in options else str(v)) for k, v in f.get("named", {}).items()}
    out = bp.bf(f["bf"][0], *f["bf"][1:], nl=f.get("nl", False), family=py_family(f.get("family")), **named)
    if f.get("lf"):
        out = out + bp.lf(*f["lf"], **f.get("lf_options", {}))
    for n in f.get("nlf", []):
        out = out + bp.nlf(*n)
    if f.get("mecor") is not None:
        out = out + bp.set_mecor(f["mecor"])
    return out


def py_formula(f):
    if isinstance(f, str):
        return f
    if "mv" in f:
        out = _py_bf(f["mv"][0])
        for x in f["mv"][1:]:
            out = out + _py_bf(x)
        if f.get("rescor") is not None:
            out = out + bp.set_rescor(f["rescor"])
        if f.get("mecor") is not None:
            out = out + bp.set_mecor(f["mecor"])
        return out
    return _py_bf(f)


def py_prior(p):
    if not p:
        return None
    out = []
    for x in p:
        kw = {("class_" if k == "class" else k): v for k, v in x.items() if k != "prior"}
        out.append(bp.prior(x["prior"], **kw))
    return out


def _matrix_response(case: dict):
    """MAPPING['matrix_response']: a matrix column ``cmat`` is ``cbind(c1, c2, c3)`` in brmspy."""
    mats = SCHEMA["datasets"][case["data"]].get("matrices", {})

    def sub(text: str) -> str:
        for m, cols in mats.items():
            text = re.sub(rf"(?<![A-Za-z0-9_.]){m}(?![A-Za-z0-9_.])", f"cbind({', '.join(cols)})", text)
        return text

    def walk(f):
        if isinstance(f, str):
            return sub(f)
        if isinstance(f, dict):
            return {k: (v if k == "family" else walk(v)) for k, v in f.items()}
        if isinstance(f, list):
            return [walk(x) for x in f]
        return f

    return walk(case["formula"])


# ============================================================================ reference outputs


@lru_cache(maxsize=None)
def reference(case_id: str) -> dict:
    with gzip.open(REF / "cases" / f"{case_id}.json.gz", "rt", encoding="utf-8") as fh:
        return json.load(fh)


def _ref_array(entry: dict) -> np.ndarray:
    v = [np.nan if x == "NA" else np.inf if x == "Inf" else -np.inf if x == "-Inf" else x for x in entry["v"]]
    a = np.asarray(v, dtype=float)
    return a.reshape(entry["dim"]) if entry["dim"] else a.reshape(())


def brms_refusal(ref: dict) -> str | None:
    return ref.get("standata_error") or ref.get("stancode_error") or ref.get("stanc_error")


# ============================================================================ comparisons


class Mismatch(AssertionError):
    """brmspy differs from brms: ``differences`` lists them all, the first leads the message."""

    def __init__(self, differences: list[str]):
        self.differences = differences
        more = f" [+{len(differences) - 1} more: {'; '.join(d[:90] for d in differences[1:4])}]" if len(differences) > 1 else ""
        super().__init__(differences[0] + more)


def _fmt(x) -> str:
    return np.array2string(np.asarray(x), precision=10, threshold=8, edgeitems=3) if np.ndim(x) else repr(
        x.item() if hasattr(x, "item") else x)


def _design_names(build) -> dict[str, list[str]]:
    """brmspy's column names of X{suffix} and Xcs{suffix} (adapter over the model frame)."""
    out = {}
    for prefix, design in build.frame.designs.items():
        names = (["Intercept"] if design.intercept else []) + list(design.coef_names)
        out[f"X{prefix.suffix}"] = names
        if design.cs_names:
            out[f"Xcs{prefix.suffix}"] = list(design.cs_names)
    return out


def _value_difference(name: str, ref: np.ndarray, got: np.ndarray, where: str = "") -> str | None:
    if ref.shape != got.shape:
        if ref.size == got.size and (ref.ndim == 0 or got.ndim == 0 or np.squeeze(ref).shape == np.squeeze(got).shape):
            ref, got = np.squeeze(ref), np.squeeze(got)
        else:
            return (f"{name}{where}: shape {got.shape} in brmspy, {ref.shape} in brms "
                    f"(brmspy {_fmt(got)}, brms {_fmt(ref)})")
    bad = ~(np.isclose(got, ref, rtol=RTOL, atol=ATOL) | (np.isnan(got) & np.isnan(ref)))
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        return (f"{name}{where}[{', '.join(map(str, idx))}]: brmspy {got[idx]!r}, brms {ref[idx]!r} "
                f"({int(bad.sum())} of {bad.size} values differ)")
    return None


def _ones_column(entry: dict, n: int) -> bool:
    a = _ref_array(entry)
    return a.shape == (n, 1) and bool(np.all(a == 1)) and entry.get("colnames") == ["Intercept"]


def map_standata(ref: dict, build, said: list[str]) -> tuple[dict, set[str], list[str]]:
    """brms's Stan data as brmspy's program declares it (MAPPING entries of the data), checking each condition.

    Returns brms's entries after the mapping, brmspy's entries the mapping accounts for, and the
    differences found where a mapping's condition does not hold (the entry is then compared as is).
    """
    from brmspy.formula.terms import MvBrmsTerms

    sd = dict(ref["standata"])
    data = build.data
    extra: set[str] = set()
    out: list[str] = []
    N = int(_ref_array(sd["N"])) if "N" in sd else None
    scalar = lambda k: float(_ref_array(sd[k])) if k in sd else float("nan")  # noqa: E731

    # MAPPING["correlation_counts"]
    blocks = {str(b.id): b for b in build.frame.blocks}
    for k in [k for k in sd if re.fullmatch(r"NC_\d+", k) and k not in data]:
        i = k[3:]
        b = blocks.get(i)
        if b is not None and not b.has_cor and f"M_{i}" in sd and scalar(k) == scalar(f"M_{i}") * (scalar(f"M_{i}") - 1) / 2:
            del sd[k]
    for k in [k for k in sd if re.fullmatch(r"NCme_\d+", k) and k not in data]:
        i = k[5:]
        if f"Lme_{i}" not in build.code and f"Mme_{i}" in sd and scalar(k) == scalar(f"Mme_{i}") * (scalar(f"Mme_{i}") - 1) / 2:
            del sd[k]

    # MAPPING["intercept_design"]
    # ordinal mu, or a mixture's ordinal mu<k>: thresholds in place of the intercept
    ordinal = {(t.resp, d) for t in build.frame.response_terms for d in t.parts if t.family.threshold_family(d)}
    for prefix, design in build.frame.designs.items():
        s = prefix.suffix
        is_ord = (prefix.resp, prefix.dpar) in ordinal
        if f"X{s}" not in data and design.intercept and not design.coef_names and f"X{s}" in sd:
            x = _ref_array(sd[f"X{s}"])
            if is_ord and x.shape == (N, 0) and scalar(f"K{s}") == 0:
                del sd[f"X{s}"], sd[f"K{s}"]
            elif not is_ord and _ones_column(sd[f"X{s}"], N) and scalar(f"K{s}") == 1:
                del sd[f"X{s}"], sd[f"K{s}"]
        elif is_ord and design.intercept and f"X{s}" in data and f"X{s}" in sd:
            entry = sd[f"X{s}"]
            if "Intercept" not in (entry.get("colnames") or []):
                x = _ref_array(entry)
                x1 = np.column_stack([np.ones(x.shape[0]), x])
                sd[f"X{s}"] = {"dim": list(x1.shape), "v": x1.ravel().tolist(),
                               "colnames": ["Intercept", *(entry.get("colnames") or [])]}
                sd[f"K{s}"] = {"dim": [], "v": [scalar(f"K{s}") + 1]}

    # MAPPING["multivariate_data"]
    if isinstance(build.frame.terms, MvBrmsTerms):
        for t in build.frame.response_terms:
            r = t.resp
            if f"N_{r}" in sd and f"N_{r}" not in data and scalar(f"N_{r}") == N:
                del sd[f"N_{r}"]
            if f"nu_{r}" in sd and f"nu_{r}" not in data and "nu" in t.shared and scalar(f"nu_{r}") == 1:
                del sd[f"nu_{r}"]
            for k in [k for k in sd if re.fullmatch(rf"J_\d+_{re.escape(r)}", k) and k not in data]:
                mine = k[: -len(r) - 1]
                if mine in data and np.array_equal(_ref_array(sd[k]), np.asarray(data[mine], dtype=float)):
                    sd[mine] = sd.pop(k)  # brmspy's one J_<k> for every response

    # MAPPING["truncation_bounds"]
    no_op = any(re.search(r"trunc\(lb = .*\) does not truncate", m) for m in said)
    for k in [k for k in sd if re.fullmatch(r"(lb|ub)(_\w+)?", k) and k not in data]:
        v = _ref_array(sd[k])
        inf = -np.inf if k.startswith("lb") else np.inf
        if np.all(v == inf) or (k.startswith("lb") and no_op and np.all(v <= 0)):
            del sd[k]

    # MAPPING["censoring_indices"]
    for k in data:
        m = re.fullmatch(r"([NJ])(event|rcens|lcens)(_\w+)?", k)
        if m and f"cens{m.group(3) or ''}" in sd and k not in sd:
            code = {"event": 0, "rcens": 1, "lcens": -1}[m.group(2)]
            rows = np.flatnonzero(_ref_array(sd[f"cens{m.group(3) or ''}"]) == code) + 1
            want = len(rows) if m.group(1) == "N" else rows
            if np.array_equal(np.asarray(data[k], dtype=float).ravel(), np.asarray(want, dtype=float).ravel()):
                extra.add(k)
            else:
                out.append(f"{k} (MAPPING['censoring_indices']): brmspy {_fmt(data[k])}, from brms's cens {_fmt(want)}")

    # MAPPING["mm_member_z"]
    for b in build.frame.blocks:
        if not b.is_mm:
            continue
        for k in [k for k in data if k.startswith(f"Z_{b.id}_") and k not in sd]:
            members = [sd.get(f"{k}_{m}") for m in range(1, len(b.J) + 1)]
            if all(e is not None for e in members):
                vals = [_ref_array(e) for e in members]
                if all(np.array_equal(vals[0], v) for v in vals[1:]):
                    for m in range(1, len(b.J) + 1):
                        del sd[f"{k}_{m}"]
                    sd[k] = members[0]

    # MAPPING["smooth_signs"]
    for k in [k for k in sd if re.fullmatch(r"Zs(_\w+)?_\d+_\d+", k) and k in data]:
        r, g = _ref_array(sd[k]), np.asarray(data[k], dtype=float)
        if r.shape == g.shape and r.ndim == 2:
            flip = [j for j in range(r.shape[1]) if not np.allclose(r[:, j], g[:, j], rtol=RTOL, atol=ATOL)
                    and np.allclose(-r[:, j], g[:, j], rtol=RTOL, atol=ATOL)]
            if flip:
                r = r.copy()
                r[:, flip] *= -1
                sd[k] = {**sd[k], "v": r.ravel().tolist()}
    from brmspy.specials.smooth import SmoothDesign

    for prefix, design in build.frame.designs.items():
        xs = f"Xs{prefix.suffix}"
        if xs not in sd or xs not in data:
            continue
        r, g = _ref_array(sd[xs]), np.asarray(data[xs], dtype=float)
        col = 0
        for sp in design.specials:
            if not isinstance(sp, SmoothDesign):
                continue
            for pc in sp.pieces:
                nf = pc.Xs.shape[1]
                cols = slice(col, col + nf)
                col += nf
                if pc.spec.fun == "s" and len(pc.spec.covars) > 1 and r.shape == g.shape:
                    A, *_ = np.linalg.lstsq(g[:, cols], r[:, cols], rcond=None)
                    B, *_ = np.linalg.lstsq(r[:, cols], g[:, cols], rcond=None)
                    if np.allclose(g[:, cols] @ A, r[:, cols], atol=1e-8) and np.allclose(r[:, cols] @ B, g[:, cols], atol=1e-8):
                        r = r.copy()
                        r[:, cols] = g[:, cols]
                        sd[xs] = {**sd[xs], "v": r.ravel().tolist()}

    # MAPPING["shrinkage_scales"]
    for k in [k for k in data if re.fullmatch(r"Kscales(_\w+)?", k) and k not in sd]:
        s = k[len("Kscales"):]
        if f"K{s}" in sd or f"Ksp{s}" in sd:
            centred = f"int Kc{s} = K{s} - 1;" in build.code  # the Intercept column is not a coefficient of b
            want = (scalar(f"K{s}") - centred if f"K{s}" in sd else 0) + (scalar(f"Ksp{s}") if f"Ksp{s}" in sd else 0)
            if float(np.asarray(data[k])) == want:
                extra.add(k)
            else:
                out.append(f"{k} (MAPPING['shrinkage_scales']): brmspy {_fmt(data[k])}, brms's K{s} (+ Ksp{s}) {want}")

    # MAPPING["qr_data"]
    for k in [k for k in data if re.fullmatch(r"XQ(_\w+)?", k) and k not in sd]:
        s = k[2:]
        entry = sd.get(f"X{s}")
        if entry is None or f"XR_inv{s}" not in data:
            continue
        X = _ref_array(entry)
        if "Intercept" in (entry.get("colnames") or []) and f"int Kc{s} = K{s} - 1;" in build.code:
            X = X[:, 1:]  # a centred design: brms decomposes Xc (an nlpar's X keeps its intercept column)
        if f"means_X{s}[i - 1] = mean(X{s}[, i]);" in build.code:
            X = X - X.mean(axis=0)
        Q, R = np.linalg.qr(X, mode="reduced")
        sign = np.where(np.diag(R) < 0, -1.0, 1.0)
        Q, R = Q * sign, R * sign[:, None]
        scale = np.sqrt(X.shape[0] - 1)
        want = {k: Q * scale, f"XR_inv{s}": np.linalg.inv(R / scale)}
        for name, value in want.items():
            if np.allclose(np.asarray(data[name], dtype=float), value, rtol=1e-7, atol=1e-8):
                extra.add(name)
            else:
                out.append(f"{name} (MAPPING['qr_data']): brmspy's differs from the QR decomposition of brms's X{s}")

    # MAPPING["cox_bound_hazards"]
    for k in [k for k in data if re.fullmatch(r"Zcbhaz_(rcens|lb|ub)(_\w+)?", k) and k not in sd]:
        at, s = re.fullmatch(r"Zcbhaz_(rcens|lb|ub)((?:_\w+)?)", k).groups()
        t = next((t for t in build.frame.response_terms if (f"_{t.resp}" if t.resp else "") == s), None)
        bh = build.frame.responses[t.resp].bhaz if t is not None else None
        src = sd.get(f"{at}{s}")
        if bh is None or src is None:
            continue
        x = _ref_array(src).astype(float)
        if at == "rcens":
            x = np.where(_ref_array(sd[f"cens{s}"]) == 2, x, bh.basis.boundary[0])
        want = bh.basis.i(np.maximum(x, bh.basis.boundary[0]))
        if np.allclose(np.asarray(data[k], dtype=float), want, rtol=RTOL, atol=ATOL):
            extra.add(k)
        else:
            out.append(f"{k} (MAPPING['cox_bound_hazards']): brmspy's differs from the I-spline basis at brms's {at}{s}")

    # MAPPING["mi_bounds"]
    for k in [k for k in sd if re.fullmatch(r"(lb|ub)mi(_\w+)?", k) and k not in data]:
        if np.all(_ref_array(sd[k]) == (-np.inf if k.startswith("lb") else np.inf)):
            del sd[k]
    return sd, extra, out


def compare_standata(ref: dict, data: dict, names: dict[str, list[str]], build=None, said: list[str] | None = None) -> list[str]:
    """Every brms array equal in brmspy's Stan data; brmspy's extras only through MAPPING."""
    sd, mapped_extra, out = map_standata(ref, build, said or []) if build is not None else (ref["standata"], set(), [])
    # named designs first (their names explain a different K), then the rest in a stable order
    first = ["N", "Y"] + sorted(k for k in sd if sd[k].get("colnames") is not None and k in names)
    order = [k for k in first if k in sd] + sorted(k for k in sd if k not in first)
    missing = [k for k in order if k not in data]
    if missing:
        out.append(f"brms's Stan data has {missing} that brmspy's has not "
                   f"(e.g. {missing[0]} = {_fmt(_ref_array(sd[missing[0]]))})")
    for k in order:
        if k not in data:
            continue
        entry = sd[k]
        r = _ref_array(entry)
        try:
            g = np.asarray(data[k], dtype=float)
        except (TypeError, ValueError):
            out.append(f"{k}: brmspy's value is not numeric: {data[k]!r}")
            continue
        cn = entry.get("colnames")
        if cn is not None and k in names and names[k] != cn:
            ours = names[k]
            if sorted(ours) == sorted(cn):
                out.append(f"{k} column order: brmspy {ours}, brms {cn}")
            else:
                i = next((j for j, (a, b) in enumerate(zip(ours, cn)) if a != b), min(len(ours), len(cn)))
                out.append(f"{k} column names differ at {i}: brmspy {ours}, brms {cn}")
            continue  # values of differently named columns say nothing more
        if cn is not None and r.ndim == 2 and g.ndim == 2 and r.shape == g.shape:
            for j in range(r.shape[1]):
                d = _value_difference(k, r[:, j], g[:, j], where=f"[:, {j}] ({cn[j]})")
                if d:
                    out.append(d)
                    break
        else:
            d = _value_difference(k, r, g)
            if d:
                out.append(d)
    extra = [k for k in data if k not in sd and not PRIOR_DATA.match(k) and k not in mapped_extra]
    if extra:
        out.append(f"brmspy's Stan data has {extra} that brms's has not (and no MAPPING entry covers)")
    return out


def _blocks(build) -> list[tuple[str, str, str, str, str]]:
    """brmspy's group-level coefficients as brms's tidy_ranef rows: (id, group, coef, cn, dpar/nlpar/resp)."""
    from brmspy.frame.types import group_label  # brms's name of the grouping factor (mmgm1gm2 for mm(gm1, gm2))

    rows = []
    for block in build.frame.blocks:
        for j, c in enumerate(block.coefs):
            rows.append((str(block.id), group_label(block), c.name, str(j + 1), "|".join(c.prefix.pieces)))
    return rows


def compare_ranef(ref: dict, build) -> list[str]:
    from brmspy.frame.types import group_label

    out: list[str] = []
    r = ref.get("ranef")
    want = [] if not r else sorted(
        (r["id"][i], r["group"][i], r["coef"][i], r["cn"][i], "|".join(x for x in (r["resp"][i], r["dpar"][i] or r["nlpar"][i]) if x))
        for i in range(len(r["id"])))
    got = sorted(_blocks(build))
    if want != got:
        i = next((j for j, (a, b) in enumerate(zip(want, got)) if a != b), min(len(want), len(got)))
        out.append(f"group-level terms (id, group, coef, column, dpar) differ at {i}: "
                   f"brmspy {got[i:i + 2]}, brms {want[i:i + 2]} ({len(got)} in brmspy, {len(want)} in brms)")
    ours = {group_label(b): [str(x) for x in b.levels] for b in build.frame.blocks}
    for g, lv in (ref.get("levels") or {}).items():
        if g in ours and ours[g] != lv:
            i = next((j for j, (a, b) in enumerate(zip(ours[g], lv)) if a != b), min(len(ours[g]), len(lv)))
            out.append(f"levels of {g} differ at {i}: brmspy {ours[g][max(i - 1, 0):i + 3]}, "
                       f"brms {lv[max(i - 1, 0):i + 3]} ({len(ours[g])} in brmspy, {len(lv)} in brms)")
    return out


PRIOR_COLS = ["prior", "class", "coef", "group", "resp", "dpar", "nlpar", "lb", "ub"]
KEY_COLS = ["class", "coef", "group", "resp", "dpar", "nlpar"]


def _cell(x) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return ""
    s = str(x).strip()
    try:  # bounds: 0 and 0.0 are the same bound
        return f"{float(s):g}"
    except ValueError:
        return s


def compare_prior_table(ref: dict, table: pd.DataFrame) -> list[str]:
    """brms's get_prior() row for row: rows by (class, coef, group, resp, dpar, nlpar), their cells, the order."""
    missing_cols = [c for c in PRIOR_COLS if c not in table.columns]
    if missing_cols:
        return [f"get_prior() lacks columns {missing_cols}"]
    out: list[str] = []
    want = [tuple(_cell(ref["prior"][c][i]) for c in PRIOR_COLS) for i in range(len(ref["prior"]["class"]))]
    got = [tuple(_cell(v) for v in row) for row in table[PRIOR_COLS].itertuples(index=False)]
    key = lambda row: row[1:7]  # noqa: E731
    wk, gk = [key(r) for r in want], [key(r) for r in got]
    miss = [r for r in want if key(r) not in gk]
    if miss:
        out.append(f"prior table: brms row {dict((k, v) for k, v in zip(PRIOR_COLS, miss[0]) if v)} is missing in brmspy "
                   f"({len(miss)} missing, {len(got)} rows in brmspy, {len(want)} in brms)")
    extra = [r for r in got if key(r) not in wk]
    if extra:
        out.append(f"prior table: brmspy row {dict((k, v) for k, v in zip(PRIOR_COLS, extra[0]) if v)} is not in brms's table "
                   f"({len(extra)} extra)")
    byk = {key(r): r for r in got}
    for r in want:
        g = byk.get(key(r))
        if g is None:
            continue
        bad = [(c, a, b) for c, a, b in zip(PRIOR_COLS, r, g) if a != b]
        if bad:
            c, a, b = bad[0]
            where = ", ".join(f"{k}={v!r}" for k, v in zip(KEY_COLS, key(r)) if v)
            out.append(f"prior table row ({where}): {c} is {b!r} in brmspy, {a!r} in brms")
    if len(got) != len(want) and not miss and not extra:
        out.append(f"prior table: {len(got)} rows in brmspy, {len(want)} in brms (duplicate rows?)")
    common_w = [k for k in wk if k in set(gk)]
    common_g = [k for k in gk if k in set(wk)]
    if common_w != common_g:
        i = next(j for j, (a, b) in enumerate(zip(common_w, common_g)) if a != b)
        out.append(f"prior table row order differs at row {i}: brmspy {dict((k, v) for k, v in zip(KEY_COLS, common_g[i]) if v)}, "
                   f"brms {dict((k, v) for k, v in zip(KEY_COLS, common_w[i]) if v)}")
    return out


# ============================================================================ MAPPING["prior_data"]: values
_PRIOR_CALL = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)\s*$")
_BRMS_DIST = {"lkj": "lkj_corr_cholesky", "lkj_corr": "lkj_corr_cholesky"}


def _parse_brms_prior(text: str):
    """brms's prior string -> (Stan distribution, numeric args); None for flat; 'skip' if not numeric."""
    if not text:
        return None
    m = _PRIOR_CALL.match(text)
    if not m:
        return "skip"
    try:
        args = tuple(float(a) for a in m.group(2).split(",")) if m.group(2).strip() else ()
    except ValueError:
        return "skip"  # data-dependent bounds such as uniform(0, min_Y)
    return _BRMS_DIST.get(m.group(1), m.group(1)), args


class _BrmsPriors:
    """brms's effective prior of a parameter, with brms's inheritance (coef -> class, group, resp)."""

    def __init__(self, table: dict):
        self.rows = {}
        for i in range(len(table["class"])):
            cls = {"L": "cor", "Lrescor": "rescor"}.get(table["class"][i], table["class"][i])
            key = (cls, table["coef"][i], table["group"][i], table["resp"][i], table["dpar"][i], table["nlpar"][i])
            self.rows[key] = table["prior"][i]

    def get(self, cls: str, coef: str = "", group: str = "", resp: str = "", dpar: str = "", nlpar: str = ""):
        for key in ((cls, coef, group, resp, dpar, nlpar), (cls, "", group, resp, dpar, nlpar),
                    (cls, "", "", resp, dpar, nlpar), (cls, "", "", "", dpar, nlpar)):
            if self.rows.get(key):
                return _parse_brms_prior(self.rows[key])
        return None


def _expected_prior_data(label: str, priors: list) -> dict[str, np.ndarray] | None:
    """brmspy's data entries for one parameter (``label``) whose elements have ``priors`` (codegen's scheme)."""
    from brmspy.core.distributions import DISTRIBUTIONS

    if any(p == "skip" for p in priors) or any(p is not None and p[0] not in DISTRIBUTIONS for p in priors):
        return None
    used = [p for p in priors if p is not None]
    out: dict[str, np.ndarray] = {}
    if not used:
        return out
    names = list(dict.fromkeys(p[0] for p in used))
    scalar = len(priors) == 1
    single = len(names) == 1 and len(used) == len(priors)
    for dname in names:
        members = [i for i, p in enumerate(priors) if p is not None and p[0] == dname]
        lab = label if scalar or single else f"{label}_{dname}"
        if not (scalar or single):
            out[f"Kp_{lab}"] = np.asarray(len(members))
            out[f"Jp_{lab}"] = np.asarray(members) + 1
        for j, arg in enumerate(DISTRIBUTIONS[dname].args):
            vals = [priors[i][1][j] for i in members]
            out[f"prior_{lab}_{arg}"] = np.asarray(vals[0] if scalar else vals, dtype=float)
    return out


def compare_prior_data(ref: dict, build) -> list[str]:
    """brmspy's prior_*/Kp_/Jp_ data against brms's effective priors, for b, Intercept, sd, cor and dpars.

    Other parameters' prior data (sds, lscale, simo, thresholds, ...) are compared through the prior table.
    """
    from brmspy.formula.prefix import _is_dpar_name
    from brmspy.frame.types import group_label

    table = ref.get("validated_prior") or ref.get("prior")
    if not table:
        return []
    bp_ = _BrmsPriors(table)
    data = build.data
    expected: dict[str, dict] = {}  # label -> entries

    def where(prefix) -> dict:
        dpar = "" if prefix.dpar == "mu" else prefix.dpar
        if dpar and not _is_dpar_name(dpar):
            return {"resp": prefix.resp, "nlpar": dpar}
        return {"resp": prefix.resp, "dpar": dpar}

    ordinal = {(t.resp, d) for t in build.frame.response_terms for d in t.parts if t.family.threshold_family(d)}
    for prefix, design in build.frame.designs.items():
        s, w = prefix.suffix, where(prefix)
        if design.coef_names:
            expected[f"b{s}"] = _expected_prior_data(f"b{s}", [bp_.get("b", c, **w) for c in design.coef_names])
        if design.intercept and (prefix.resp, prefix.dpar) not in ordinal:  # thresholds: prior table
            expected[f"Intercept{s}"] = _expected_prior_data(f"Intercept{s}", [bp_.get("Intercept", **w)])
    for t in build.frame.response_terms:
        rs = f"_{t.resp}" if t.resp else ""
        for d in t.family.dpars:
            if d != "mu" and f"prior_{d}{rs}_" in " ".join(data):
                expected[f"{d}{rs}"] = _expected_prior_data(f"{d}{rs}", [bp_.get(d, resp=t.resp)])
    for block in build.frame.blocks:
        if block.by:
            continue
        g = group_label(block)
        expected[f"sd_{block.id}"] = _expected_prior_data(
            f"sd_{block.id}", [bp_.get("sd", c.name, g, **where(c.prefix)) for c in block.coefs])
        if block.has_cor:
            expected[f"L_{block.id}"] = _expected_prior_data(f"L_{block.id}", [bp_.get("cor", "", g)])
    out: list[str] = []
    for label, want in expected.items():
        if want is None:
            continue  # a prior brmspy cannot express as numbers (checked through the prior table)
        for key, value in want.items():
            if key not in data:
                have = sorted(k for k in data if PRIOR_DATA.match(k) and label in k)
                out.append(f"prior data: brms's prior of {label} gives {key} = {_fmt(value)}, "
                           f"brmspy has {have or 'no prior data for it'}")
                break
            d = _value_difference(key, value, np.asarray(data[key], dtype=float))
            if d:
                out.append(f"prior data (brms's prior): {d}")
                break
    return out


def _families(spec) -> set[str]:
    """Every family name in a case's family or formula spec."""
    if isinstance(spec, str):
        return {spec}
    if isinstance(spec, dict):
        out = {spec["family"]} if isinstance(spec.get("family"), str) and "bf" not in spec else set()
        for k, v in spec.items():
            if k in ("mixture", "mv", "family") and not isinstance(v, str):
                out |= set().union(*(_families(x) for x in (v if isinstance(v, list) else [v])))
            elif k == "family" and isinstance(v, str) and "bf" in spec:
                out.add(v)
        return out
    return set()


def _newer_priors(ref: dict, case: dict) -> dict:
    """MAPPING['newer_brms']: brms 2.18's table with the defaults current brms changed (NEWER_PRIORS)."""
    fams = _families(case["family"] or "gaussian") | _families(case["formula"])
    out = dict(ref)
    for which in ("prior", "validated_prior"):
        if not ref.get(which):
            continue
        table = {k: list(v) for k, v in ref[which].items()}
        for (cls, families), (old, new) in NEWER_PRIORS.items():
            if fams & families:
                for i, c in enumerate(table["class"]):
                    if c == cls and table["prior"][i] == old and table["source"][i] == "default":
                        table["prior"][i] = new
        out[which] = table
    return out


def map_prior_table(ref: dict, build) -> dict:
    """MAPPING['theta1_row']: brms's theta1 row of mixtures with predicted theta<k>, checked, then left out."""
    table = ref.get("prior")
    if not table or not any(t.family.kind.has_components and t.family.theta_pred for t in build.frame.response_terms):
        return ref
    refs = {f"theta{t.family.theta_ref}" for t in build.frame.response_terms
            if t.family.kind.has_components and t.family.theta_pred}  # the reference theta (theta1 unless predicted)
    keep = [i for i in range(len(table["class"]))
            if not (table["class"][i] in refs and table["prior"][i] == "logistic(0, 1)" and table["source"][i] == "default")]
    return {**ref, "prior": {k: [v[i] for i in keep] for k, v in table.items()}}


# brms's messages that change what the user gets, and what brmspy's warning must say then
MESSAGES = [
    (r"Setting 'rescor' to TRUE by default", r"(?i)(rescor|residual correlation)"),  # issue 18 item 7
    (r"Rows containing NAs were excluded", r"(?i)\bNAs?\b|missing"),
]


def compare_messages(ref: dict, said: list[str]) -> list[str]:
    out = []
    for brms_rx, ours_rx in MESSAGES:
        theirs = [m for m in ref["warnings"] + ref["messages"] if re.search(brms_rx, m)]
        if theirs and not any(re.search(ours_rx, m) for m in said):
            out.append(f"brms says {theirs[0]!r}; brmspy gives no warning matching /{ours_rx}/"
                       + (f" (its warnings: {[m[:80] for m in said]})" if said else ""))
    return out


# ============================================================================ one case


def check_case(case: dict, variant: str = "str") -> None:
    """Compare brmspy with brms on one case; raise Mismatch listing every difference found."""
    ref = reference(case["id"])
    diff = case.get("difference")
    data = load_data(case["data"], variant)
    data2 = load_data2(case.get("data2"))
    formula_spec = _matrix_response(case) if diff == "matrix_response" else case["formula"]
    refused = brms_refusal(ref)
    must_refuse = (refused and diff not in ("newer_brms", "brms_program_fails")) or diff in ("refuse_beyond_2_18",
                                                                                           "unsupported")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            formula = py_formula(formula_spec)
            family = py_family(case["family"])
            build = bp.build_model(formula, data, family, prior=py_prior(case.get("prior")), data2=data2, reduce=False)
            table = bp.get_prior(formula, data, family, data2=data2)
    except BrmsError as e:
        if must_refuse:
            if not re.search(case["reason"], str(e)):
                raise Mismatch([f"brmspy refuses, but its message does not give the reason /{case['reason']}/: "
                                f"{type(e).__name__}: {str(e)[:300]}"
                                + (f" (brms: {refused.splitlines()[0][:200]})" if refused else "")]) from None
            return
        raise Mismatch([f"brmspy raised {type(e).__name__}: {str(e)[:300]}"]) from None
    except Exception as e:  # noqa: BLE001 - any other exception is itself the finding
        raise Mismatch([f"brmspy raised a non-brmspy {type(e).__name__}: {str(e)[:300]}"
                        + (f" (brms refuses: {refused.splitlines()[0][:200]})" if must_refuse and refused else "")]) from None
    if must_refuse:
        if refused:
            raise Mismatch([f"brms refuses, brmspy builds the model (brms: {refused.splitlines()[0][:300]})"])
        raise Mismatch([f"brmspy builds the model but must refuse it (MAPPING[{diff!r}]: {MAPPING[diff].rule})"])
    if diff == "newer_brms":
        return
    said = [str(w.message) for w in caught]
    differences = [*compare_messages(ref, said), *compare_ranef(ref, build), *compare_standata(ref, build.data, _design_names(build), build, said),
                   *compare_prior_table(map_prior_table(_newer_priors(ref, case), build), table),
                   *compare_prior_data(_newer_priors(ref, case), build)]
    if differences:
        raise Mismatch(differences)


#: cases where a pandas category (an R factor) is not the same as R's character column: R's
#: as.numeric() of a factor gives its codes, of a character column the numbers it spells
TEXT_ONLY = {"idiom_as_numeric_digits"}


def _params():
    out = []
    for c in CASES:
        out.append(pytest.param(c, "str", id=f"{c['id']}-str"))
        if _uses_text_columns(c):
            variants = [v for v in VARIANTS if not (v == "category" and c["id"] in TEXT_ONLY)]
            out.extend(pytest.param(c, v, id=f"{c['id']}-{v}") for v in variants)
    return out


@pytest.mark.parametrize("case, variant", _params())
def test_brms_reference(case: dict, variant: str) -> None:
    try:
        check_case(case, variant)
    except Mismatch as e:
        pytest.fail(f"{case['id']} [{variant}]: {e}", pytrace=False)


def test_corpus_size_and_references() -> None:
    """At least 300 cases, each with a committed brms output that matches it."""
    assert len(CASES) >= 300, len(CASES)
    ids = [c["id"] for c in CASES]
    assert len(set(ids)) == len(ids)
    for c in CASES:
        ref = reference(c["id"])
        assert ref["id"] == c["id"] and ref["brms"].startswith("2.18"), c["id"]
        mats = SCHEMA["datasets"][c["data"]].get("matrices", {})
        names = set(re.findall(r"[A-Za-z_.][A-Za-z0-9_.]*", " ".join(_texts(c["formula"]))))
        if names & set(mats):
            assert c.get("difference") == "matrix_response", f"{c['id']} uses a matrix column: difference='matrix_response'"
        refused = brms_refusal(ref)
        # brms_program_fails: brms "refuses" only because stanc rejects brms's own program (see its Difference)
        if refused and c.get("difference") not in ("newer_brms", "brms_program_fails"):
            assert c.get("reason"), f"{c['id']}: brms refuses ({refused[:100]}) but the case gives no reason to check"


# ============================================================================ command line: one line per failure


def main(argv: list[str]) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="List the cases where brmspy differs from brms, one line each.")
    ap.add_argument("-k", default="", help="only cases whose id contains this text")
    ap.add_argument("--variants", action="store_true", help="also run the dtype variants")
    ap.add_argument("--all", action="store_true", help="every difference of a case, one per line")
    a = ap.parse_args(argv)
    failed = total = 0
    for p in _params():
        case, variant = p.values
        if a.k not in case["id"] or (variant != "str" and not a.variants):
            continue
        total += 1
        try:
            check_case(case, variant)
        except Mismatch as e:
            failed += 1
            if a.all:
                print(f"{case['id']} [{variant}] ({case['group']}):" + "".join(f"\n    {d}" for d in e.differences))
            else:
                print(f"{case['id']} [{variant}] ({case['group']}): {e}")
    print(f"{failed} of {total} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
