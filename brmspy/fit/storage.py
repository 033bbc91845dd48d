"""Saving and loading fits: NetCDF draws with JSON metadata, written atomically, read as untrusted input.

``brm(..., file="fit")`` and :func:`save_fit` write ``fit.nc`` (format 2):

* every Stan variable, sampler statistic (``stat:<name>``) and prior draw (``prior:<name>``) as a
  NetCDF variable with dimensions ``(chain, draw, ...)``;
* attributes ``brmspy_format`` (the format version), ``brmspy`` (JSON: the inputs that rebuild
  the model -- formula, family, priors, data, ``data2``, sampling settings -- and SHA-256 hashes of
  the Stan program and the Stan data), ``brmspy_meta_sha256`` (of that JSON text) and
  ``brmspy_draws_sha256`` (of every variable's name, dtype, shape and bytes).

Trust model: a fit file may come from someone else, so :func:`load_fit` treats its contents as
user input.  Nothing is unpickled or passed to ``eval``.  The JSON is checked field by field
against a fixed schema (types, allowed names, known keys), and every string goes through the
constructor a user's argument goes through: formula strings through the formula parser
(:func:`~brmspy.codegen.api.build_model`), family and link names through :func:`~brmspy.brmsfamily`'s
tables, prior strings through the prior parser (:class:`~brmspy.priors.spec.Prior`), settings through
the same checks as ``brm``'s arguments.  The data are stored as typed columns (numbers, strings,
categories), not as code.  The rebuilt program must hash to the saved one and its Stan data to
the saved data hash, and both checksums must match.  Every problem -- missing, empty, truncated,
corrupt, foreign or newer-format file, a directory, an invalid field -- is a
:class:`~brmspy.core.errors.FitFileError` naming the file and ``file_refit='always'``.

Writing never leaves a half-written or mixed file: the fit is written under a unique temporary
name in the target's directory, flushed to disk (``fsync``) and renamed over the target with
``os.replace`` (atomic), so two processes saving to the same file each leave a complete file and
a reader sees the old or the new one.  ``brm`` checks that ``file=`` can be written *before*
sampling, and if saving still fails afterwards it returns the fit with a warning.

The data frame and ``data2`` are encoded by hand, column by column with their dtypes, rather than
with ``DataFrame.to_json``: pandas writes at most 15 significant digits (10 by default), which
changed the Stan data of a loaded fit, and its readers accept more than we want to trust.
Numbers are stored as base64 of their little-endian bytes (exact, and fast for a million rows),
text as JSON strings.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import dataclasses
import hashlib
import io
import json
import os
import re
import secrets
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from ..backends import ALGORITHMS, BACKEND_NAMES, Draws, SampleConfig
from ..backends.base import normalize_sampler_stats
from ..codegen.api import build_model
from ..codegen.reductions import kind_names
from ..core.errors import BrmsError, BrmsWarning, DataError, FitFileError, warn
from ..families import Family, brmsfamily
from ..families.categorical import CategoricalFamily
from ..families.custom import CustomFamily, StanVars, custom_family
from ..families.mixture import MixtureFamily, mixture
from ..formula import BrmsFormula, MvBrmsFormula
from ..priors.spec import Prior, as_prior_list
from .brmsfit import SAMPLE_PRIOR, BrmsFit

FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)  # format 1: brmspy before checksums (data rounded by pandas' to_json)

_ATTR_FORMAT = "brmspy_format"
_ATTR_META = "brmspy"
_ATTR_META_SHA = "brmspy_meta_sha256"
_ATTR_DRAWS_SHA = "brmspy_draws_sha256"
_SHA256 = re.compile(r"[0-9a-f]{64}")
# the custom families the user passed to load_fit (by name): the file holds their specification as data
# only, and their Python functions (log_lik, ...) cannot be stored (nothing runs from the file)
_GIVEN_CUSTOM: contextvars.ContextVar[dict[str, CustomFamily] | None] = contextvars.ContextVar("given_custom",
                                                                                             default=None)


def fit_path(file: str | os.PathLike) -> Path:
    """The path a fit is saved at: ``file`` with ``.nc`` appended unless it ends in ``.nc``.

    Examples
    --------
    >>> fit_path("fits/sleep").name
    'sleep.nc'
    """
    if not isinstance(file, (str, os.PathLike)) or not str(os.fspath(file)).strip():
        raise FitFileError(f"file must be a file name such as 'fits/model' (saved as 'fits/model.nc'), got {file!r}.")
    p = Path(file)
    return p if p.suffix == ".nc" else p.with_name(p.name + ".nc")


class _Invalid(FitFileError):
    """A field of a fit file failed its check; :func:`load_fit` adds the file name and the remedy."""


class _NeedsCustom(FitFileError):
    """The file uses a custom family the caller did not pass to :func:`load_fit`."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class _CustomMismatch(FitFileError):
    """The custom family passed to :func:`load_fit` is not the one the fit was made with."""

    def __init__(self, name: str, given: dict, saved: dict):
        diff = [f"{k}: saved {saved[k]!r}, given {given[k]!r}" for k in saved if saved[k] != given.get(k)]
        super().__init__(f"the custom family {name!r} passed to load_fit differs from the one the fit was made "
                         f"with ({'; '.join(diff)})")


# ------------------------------------------------------------- field checks


def _fields(d: Any, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
    if not isinstance(d, dict):
        raise _Invalid(f"{where} must be a JSON object, found {type(d).__name__}")
    missing = [k for k in required if k not in d]
    unknown = [k for k in d if k not in required and k not in optional]
    if missing:
        raise _Invalid(f"{where} lacks {', '.join(map(repr, missing))}")
    if unknown:
        raise _Invalid(f"{where} has unknown field(s) {', '.join(map(repr, unknown[:5]))}")
    return d


def _str(v: Any, where: str) -> str:
    if not isinstance(v, str):
        raise _Invalid(f"{where} must be a string, found {type(v).__name__}")
    return v


def _bool(v: Any, where: str, none: bool = False) -> bool | None:
    if v is None and none:
        return None
    if not isinstance(v, bool):
        raise _Invalid(f"{where} must be true or false{' or null' if none else ''}, found {v!r:.60}")
    return v


def _int(v: Any, where: str, none: bool = False) -> int | None:
    if v is None and none:
        return None
    if isinstance(v, bool) or not isinstance(v, int):
        raise _Invalid(f"{where} must be an integer{' or null' if none else ''}, found {v!r:.60}")
    return v


def _num(v: Any, where: str, none: bool = False) -> float | int | None:
    if v is None and none:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise _Invalid(f"{where} must be a number{' or null' if none else ''}, found {v!r:.60}")
    return v


def _str_list(v: Any, where: str) -> list[str]:
    if not isinstance(v, list):
        raise _Invalid(f"{where} must be a list of strings, found {type(v).__name__}")
    return [_str(x, f"{where}[{i}]") for i, x in enumerate(v)]


def _one_of(v: Any, allowed: tuple, where: str) -> Any:
    # bool is an int in Python: True must not pass for 1
    if not any(v == a and type(v) is type(a) for a in allowed):
        raise _Invalid(f"{where} must be one of {', '.join(map(repr, allowed))}, found {v!r:.60}")
    return v


def _checked(make: Callable[[], Any], where: str) -> Any:
    """Run a user-input constructor on values from the file; its error becomes an _Invalid."""
    try:
        return make()
    except BrmsError as exc:
        raise _Invalid(f"{where} is invalid: {exc}") from None
    except (TypeError, ValueError, KeyError) as exc:
        raise _Invalid(f"{where} is invalid ({type(exc).__name__}: {exc})") from None


# ------------------------------------------------------------ formula, family, prior


_BF_OPTIONS = ("center", "cmc", "sparse", "decomp", "loop")  # bf()'s options (brmspy.formula.brmsformula)


def formula_to_json(f: Any) -> Any:
    """A formula as JSON: its strings and flags (the same strings a user passes to ``bf``)."""
    if isinstance(f, str):
        return {"type": "str", "main": f}
    if isinstance(f, BrmsFormula):
        out = {"type": "bf", "main": f.main, "pforms": list(f.pforms), "nl": f.nl, "nl_pforms": list(f.nl_pforms),
               "family": family_to_json(f.family) if f.family else None, "mecor": f.mecor}
        # bf()'s design options, only when set (files of fits without them stay as they were)
        out.update({k: getattr(f, k) for k in _BF_OPTIONS if getattr(f, k) is not None})
        if f.pform_options:  # lf()'s options per formula
            out["pform_options"] = [[text, dict(opts)] for text, opts in f.pform_options]
        return out
    if isinstance(f, MvBrmsFormula):
        return {"type": "mvbf", "forms": [formula_to_json(x) for x in f.forms], "rescor": f.rescor, "mecor": f.mecor}
    raise BrmsError(f"cannot save a formula of type {type(f).__name__}; pass a string or bf(...).")


def formula_from_json(d: Any, where: str = "formula") -> Any:
    """Rebuild a formula from :func:`formula_to_json`'s output, checking every field.

    The strings are returned as strings: they are parsed (and allow-listed) by the formula
    parser when the model is built, exactly as a user's formula is.
    """
    kind = _fields(d, where, ("type",), ("main", "pforms", "nl", "nl_pforms", "family", "mecor", "forms", "rescor",
                                         *_BF_OPTIONS, "pform_options"))["type"]
    if kind == "str":
        _fields(d, where, ("type", "main"))
        return _str(d["main"], f"{where}.main")
    if kind == "bf":
        _fields(d, where, ("type", "main", "pforms", "nl"), ("nl_pforms", "family", "mecor", *_BF_OPTIONS, "pform_options"))
        pforms = _str_list(d["pforms"], f"{where}.pforms")
        nl_pforms = _str_list(d.get("nl_pforms", []), f"{where}.nl_pforms")
        if not set(nl_pforms) <= set(pforms):
            raise _Invalid(f"{where}.nl_pforms must be among {where}.pforms")
        family = d.get("family")
        fam = family_from_json(family, f"{where}.family") if family is not None else None
        options = {k: _bool(d.get(k), f"{where}.{k}", none=True) for k in ("center", "cmc", "sparse", "loop")}
        decomp = d.get("decomp")
        if decomp not in (None, "QR"):
            raise _Invalid(f"{where}.decomp must be 'QR' or absent, found {decomp!r:.60}")
        return BrmsFormula(_str(d["main"], f"{where}.main"), tuple(pforms), _bool(d["nl"], f"{where}.nl"), fam,
                           tuple(nl_pforms), _bool(d.get("mecor"), f"{where}.mecor", none=True), **options,
                           decomp=decomp, pform_options=_pform_options(d.get("pform_options", []), pforms, where))
    if kind == "mvbf":
        _fields(d, where, ("type", "forms", "rescor"), ("mecor",))
        forms = d["forms"]
        if not isinstance(forms, list) or not forms:
            raise _Invalid(f"{where}.forms must be a non-empty list")
        parts = []
        for i, x in enumerate(forms):
            if not isinstance(x, dict) or x.get("type") != "bf":
                raise _Invalid(f"{where}.forms[{i}] must be a bf() formula")
            parts.append(formula_from_json(x, f"{where}.forms[{i}]"))
        return MvBrmsFormula(tuple(parts), _bool(d["rescor"], f"{where}.rescor", none=True),
                             _bool(d.get("mecor"), f"{where}.mecor", none=True))
    raise _Invalid(f"{where}.type must be 'str', 'bf' or 'mvbf', found {kind!r:.60}")


def _pform_options(rows: Any, pforms: list[str], where: str) -> tuple:
    """lf()'s options as saved: [[formula text, {option: value}], ...], each text one of the pforms."""
    if not isinstance(rows, list):
        raise _Invalid(f"{where}.pform_options must be a list")
    out = []
    for i, row in enumerate(rows):
        w = f"{where}.pform_options[{i}]"
        if not (isinstance(row, list) and len(row) == 2 and isinstance(row[1], dict)):
            raise _Invalid(f"{w} must be [formula, {{option: value}}]")
        text = _str(row[0], f"{w}[0]")
        if text not in pforms:
            raise _Invalid(f"{w}[0] must be one of {where}.pforms")
        opts = []
        for k, v in row[1].items():
            if k not in _BF_OPTIONS:
                raise _Invalid(f"{w}: unknown option {k!r:.40}")
            if k == "decomp":
                if v != "QR":
                    raise _Invalid(f"{w}.decomp must be 'QR'")
            else:
                _bool(v, f"{w}.{k}")
            opts.append((k, v))
        out.append((text, tuple(opts)))
    return tuple(out)


def family_to_json(f: Any) -> Any:
    """A family as JSON: its name, links and threshold (mixtures: their components)."""
    if f is None or isinstance(f, str):
        return f

    if isinstance(f, MixtureFamily):
        return {"name": "mixture", "components": [family_to_json(c) for c in f.components], "order": f.order}
    if isinstance(f, CustomFamily):
        return {"name": "custom", "custom": custom_spec_to_json(f)}
    if isinstance(f, Family):
        out = {"name": f.name, "links": f.links, "threshold": f.threshold}
        if getattr(f, "refcat", None) is not None:  # categorical-type families' reference category
            out["refcat"] = f.refcat
        if f.bhaz is not None:  # cox: the baseline hazard's spline arguments
            out["bhaz"] = f.bhaz
        return out
    raise BrmsError(f"cannot save a family of type {type(f).__name__}; pass a family name or object.")


def family_from_json(d: Any, where: str = "family") -> Any:
    """Rebuild a family through :func:`~brmspy.brmsfamily` (names and links are allow-listed there)."""
    if d is None:
        return None
    if isinstance(d, str):
        _checked(lambda: brmsfamily(d), where)  # a name the user gave: kept as given, checked now
        return d
    if isinstance(d, dict) and d.get("name") == "custom":
        _fields(d, where, ("name", "custom"))
        return _custom_from_json(d["custom"], f"{where}.custom")
    if isinstance(d, dict) and d.get("name") == "mixture":
        _fields(d, where, ("name", "components", "order"))
        comps = d["components"]
        if not isinstance(comps, list) or not all(isinstance(c, dict) and c.get("name") != "mixture" for c in comps):
            raise _Invalid(f"{where}.components must be a list of families")
        order = d["order"]
        if order is not None and not isinstance(order, (str, bool)):
            raise _Invalid(f"{where}.order must be a string, true/false or null")
        parts = [family_from_json(c, f"{where}.components[{i}]") for i, c in enumerate(comps)]
        return _checked(lambda: mixture(*parts, order=order), where)
    _fields(d, where, ("name", "links", "threshold"), ("refcat", "bhaz"))
    name = _str(d["name"], f"{where}.name")
    links = d["links"]
    if not isinstance(links, dict) or "mu" not in links:
        raise _Invalid(f"{where}.links must be an object with a 'mu' link")
    for k, v in links.items():
        _str(v, f"{where}.links[{k!r}]")
    threshold = d["threshold"]
    if threshold is not None:
        _str(threshold, f"{where}.threshold")
    dpar_links = {f"link_{k}": v for k, v in links.items() if k != "mu"}
    bhaz = d.get("bhaz")  # cox: checked against its allow-list by brmsfamily (brmspy.families.bhaz)
    if bhaz is not None and not isinstance(bhaz, dict):
        raise _Invalid(f"{where}.bhaz must be an object of spline arguments")
    fam = _checked(lambda: brmsfamily(name, link=links["mu"], threshold=None if threshold in (None, "flexible") else threshold,
                                      bhaz=bhaz, **dpar_links), where)
    if fam.links != links:
        raise _Invalid(f"{where}.links must name every distributional parameter of {name!r}: {', '.join(fam.links)}")
    if d.get("refcat") is not None:
        if not fam.kind.has_categories or not fam.kind.joint_link:
            raise _Invalid(f"{where}.refcat is only for categorical-type families with a reference category")
        fam = CategoricalFamily(fam.name, fam.links, fam.threshold, _str(d["refcat"], f"{where}.refcat"))
    return fam


_CUSTOM_FIELDS = ("name", "dpars", "links", "type", "lb", "ub", "vars", "loop", "threshold", "specials")


def custom_spec_to_json(f: CustomFamily) -> dict:
    """A custom family's specification as data: names, links, bounds, ``vars`` (never its Python functions)."""
    return {"name": f.name, "dpars": list(f.dpars), "links": [f.links[d] for d in f.dpars],
            "type": "real" if f.spec.response == "real" else "int", "lb": [f.lb.get(d) for d in f.dpars],
            "ub": [f.ub.get(d) for d in f.dpars], "vars": list(f.vars), "loop": f.loop, "threshold": f.threshold,
            "specials": list(f.specials)}


def _custom_from_json(d: Any, where: str) -> CustomFamily:
    """The user's custom family of that name (given to load_fit), after checking that the file's spec is its spec."""
    _fields(d, where, _CUSTOM_FIELDS)
    name = _str(d["name"], f"{where}.name")
    for k in ("dpars", "links", "vars", "specials"):
        _str_list(d[k], f"{where}.{k}")
    for k in ("lb", "ub"):
        if not isinstance(d[k], list) or not all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
                                                 for v in d[k]):
            raise _Invalid(f"{where}.{k} must be a list of numbers or nulls")
    _one_of(d["type"], ("real", "int"), f"{where}.type")
    _bool(d["loop"], f"{where}.loop")
    _str(d["threshold"], f"{where}.threshold")
    # the stored names and bounds go through custom_family()'s checks, as a user's arguments do
    _checked(lambda: custom_family(name, tuple(d["dpars"]), tuple(d["links"]), d["type"], tuple(d["lb"]),
                                   tuple(d["ub"]), tuple(d["vars"]), d["loop"], tuple(d["specials"]),
                                   threshold=d["threshold"]), where)
    given = (_GIVEN_CUSTOM.get() or {}).get(name)
    if given is None:
        raise _NeedsCustom(name)
    if custom_spec_to_json(given) != {k: d[k] for k in _CUSTOM_FIELDS}:
        raise _CustomMismatch(name, custom_spec_to_json(given), {k: d[k] for k in _CUSTOM_FIELDS})
    return given


def stanvars_to_json(sv: StanVars | None) -> list[dict] | None:
    """The fingerprint of the user's stanvars: names, blocks and SHA-256 hashes of their code and values.

    Their Stan code is not stored: a fit file's text would otherwise become a program (nothing runs
    from a string); :func:`load_fit` takes the same stanvars again and checks them against this.
    """
    if sv is None or not len(sv):
        return None
    out = []
    for v in sv:
        x = None
        if v.x is not None:
            a = np.asarray(v.x)
            x = hashlib.sha256(f"{a.dtype.str}{a.shape}".encode() + np.ascontiguousarray(a).tobytes()).hexdigest()
        out.append({"name": v.name, "block": v.block, "position": v.position, "pll_args": v.pll_args,
                    "scode_sha256": hashlib.sha256(v.scode.encode()).hexdigest(), "x_sha256": x})
    return out


def custom_families_in(*objs: Any) -> dict[str, CustomFamily]:
    """The custom families used by formulas and families (bf(family=), mixtures, multivariate parts), by name."""
    out: dict[str, CustomFamily] = {}

    def walk(x: Any) -> None:
        if isinstance(x, CustomFamily):
            out[x.name] = x
        elif isinstance(x, MixtureFamily):
            for c in x.components:
                walk(c)
        elif isinstance(x, BrmsFormula):
            walk(x.family)
        elif isinstance(x, MvBrmsFormula):
            for f in x.forms:
                walk(f)
        elif isinstance(x, (list, tuple)):
            for y in x:
                walk(y)

    for o in objs:
        walk(o)
    return out


def _custom_names_in_json(meta: dict) -> list[str]:
    """Names of the custom families a file's metadata use (before any of them is rebuilt)."""
    names: list[str] = []

    def walk(x: Any) -> None:
        if isinstance(x, dict):
            if x.get("name") == "custom" and isinstance(x.get("custom"), dict):
                names.append(str(x["custom"].get("name")))
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk({"formula": meta.get("formula"), "family": meta.get("family")})
    return list(dict.fromkeys(names))


_PRIOR_FIELDS = tuple(f.name for f in dataclasses.fields(Prior))


def prior_to_json(p: Any) -> list[dict]:
    """Priors as rows of :class:`~brmspy.priors.spec.Prior` fields."""
    return [asdict(x) for x in as_prior_list(p)]


def prior_from_json(rows: Any, where: str = "prior") -> list[Prior] | None:
    """Rebuild priors through :class:`~brmspy.priors.spec.Prior`, whose parser allow-lists distributions."""
    if not isinstance(rows, list):
        raise _Invalid(f"{where} must be a list of priors")
    out = []
    for i, r in enumerate(rows):
        w = f"{where}[{i}]"
        _fields(r, w, _PRIOR_FIELDS)
        for k in _PRIOR_FIELDS:
            if k in ("lb", "ub"):
                _num(r[k], f"{w}.{k}", none=True)
            else:
                _str(r[k], f"{w}.{k}")
        out.append(_checked(lambda r=r: Prior(**r), w))
    return out or None


# --------------------------------------------------------------------- data


_NUMPY_DTYPES = frozenset(["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                           "float16", "float32", "float64"])
_TIME_DTYPE = re.compile(r"(datetime64|timedelta64)\[(s|ms|us|ns)\]")
_MASKED_DTYPES = frozenset(["Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
                            "Float32", "Float64", "boolean"])
_STRING_DTYPES = frozenset(["str", "string"])
_SCALARS = (str, bool, int, float, type(None))


def _label(name: Any, where: str) -> str | int:
    if isinstance(name, np.integer):
        name = int(name)
    if isinstance(name, bool) or not isinstance(name, (str, int)):
        raise DataError(f"{where} is named {name!r}; a saved fit (file=) stores text or integer names only. "
                        "Rename it, or drop file=.")
    return name


def _scalar(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x


def _b64(a: np.ndarray) -> str:
    """Numbers as base64 of their little-endian bytes: exact, and 10x faster than JSON numbers for big data."""
    return base64.b64encode(np.ascontiguousarray(a.astype(a.dtype.newbyteorder("<"), copy=False)).tobytes()).decode()


def _from_b64(text: Any, dtype: str, where: str) -> np.ndarray:
    if not isinstance(text, str):
        raise _Invalid(f"{where} must be base64 text")
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        raise _Invalid(f"{where} is not valid base64") from None
    dt = np.dtype(dtype).newbyteorder("<")
    if len(raw) % dt.itemsize:
        raise _Invalid(f"{where} does not hold whole {dtype} values")
    return np.frombuffer(raw, dtype=dt).astype(np.dtype(dtype))


def _column_to_json(values: pd.Series | pd.Index, where: str) -> dict:
    dt = values.dtype
    if isinstance(dt, pd.CategoricalDtype):
        return {"kind": "category", "ordered": bool(dt.ordered),
                "categories": _column_to_json(pd.Index(dt.categories), f"the categories of {where}"),
                "codes": _b64(np.asarray(values.array.codes, dtype="int64"))}
    if isinstance(dt, np.dtype) and (dt.name in _NUMPY_DTYPES or _TIME_DTYPE.fullmatch(dt.name)):
        return {"kind": "numpy", "dtype": dt.name, "b64": _b64(np.asarray(values))}
    if isinstance(dt, pd.StringDtype) and str(dt) in _STRING_DTYPES:
        return {"kind": "string", "dtype": str(dt), "values": [None if pd.isna(x) else str(x) for x in values]}
    if isinstance(dt, pd.api.extensions.ExtensionDtype) and dt.name in _MASKED_DTYPES:
        return {"kind": "masked", "dtype": dt.name, "values": [None if pd.isna(x) else _scalar(x) for x in values]}
    if dt == object:
        out = [None if x is pd.NA or x is pd.NaT else _scalar(x) for x in values]
        bad = next((x for x in out if not isinstance(x, _SCALARS)), None)
        if bad is None:
            return {"kind": "object", "values": out}
        raise DataError(f"{where} holds a {type(bad).__name__} value, which a saved fit (file=) cannot store: it keeps "
                        "numbers, text, categories and dates. Convert or drop the column, or drop file=.")
    raise DataError(f"{where} has dtype {dt}, which a saved fit (file=) cannot store: it keeps numbers, text, "
                    "categories and dates. Convert or drop the column, or drop file=.")


def _column_from_json(d: Any, n: int | None, where: str) -> Any:
    kind = _fields(d, where, ("kind",), ("dtype", "values", "b64", "ordered", "categories", "codes"))["kind"]
    if kind == "category":
        _fields(d, where, ("kind", "ordered", "categories", "codes"))
        cats = pd.Index(_column_from_json(d["categories"], None, f"{where}.categories"))
        codes = _from_b64(d["codes"], "int64", f"{where}.codes")
        if codes.size and (codes.min() < -1 or codes.max() >= len(cats)):
            raise _Invalid(f"{where}.codes must be category numbers below {len(cats)}")
        ordered = _bool(d["ordered"], f"{where}.ordered")
        out = _checked(lambda: pd.Categorical.from_codes(codes, categories=cats, ordered=ordered), where)
    elif kind == "numpy":
        _fields(d, where, ("kind", "dtype", "b64"))
        dtype = d["dtype"]
        if not isinstance(dtype, str) or not (dtype in _NUMPY_DTYPES or _TIME_DTYPE.fullmatch(dtype)):
            raise _Invalid(f"{where}.dtype {dtype!r:.40} is not a stored number or time type")
        out = _from_b64(d["b64"], dtype, f"{where}.b64")
    else:
        _fields(d, where, ("kind", "values"), ("dtype",))
        values = d["values"]
        if not isinstance(values, list) or not all(isinstance(x, _SCALARS) for x in values):
            raise _Invalid(f"{where}.values must be a list of numbers or strings")
        dtype = d.get("dtype")
        if dtype is not None and not isinstance(dtype, str):
            raise _Invalid(f"{where}.dtype must be a string")
        if kind == "string" and dtype in _STRING_DTYPES:
            if not all(x is None or isinstance(x, str) for x in values):
                raise _Invalid(f"{where}.values must be strings or null")
            out = pd.array(values, dtype=dtype)
        elif kind == "masked" and dtype in _MASKED_DTYPES:
            out = _checked(lambda: pd.array(values, dtype=dtype), where)
        elif kind == "object" and dtype is None:
            out = np.empty(len(values), dtype=object)
            out[:] = values
        else:
            raise _Invalid(f"{where} has an unknown column kind {kind!r:.40} / dtype {dtype!r:.40}")
    if n is not None and len(out) != n:
        raise _Invalid(f"{where} has {len(out)} values, not {n}")
    return out


def frame_to_json(df: pd.DataFrame, where: str = "the data") -> dict:
    """A DataFrame as typed columns that read back exactly (see the module docstring)."""
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"{where} must be a pandas DataFrame to be saved, got {type(df).__name__}.")
    if isinstance(df.index, pd.MultiIndex) or isinstance(df.columns, pd.MultiIndex):
        raise DataError(f"{where} has a MultiIndex, which a saved fit (file=) cannot store; "
                        "use df.reset_index() (rows) or flatten the column names first.")
    columns = [{"name": _label(name, f"a column of {where}"),
                **_column_to_json(df.iloc[:, i], f"column {name!r} of {where}")} for i, name in enumerate(df.columns)]
    idx = df.index
    if isinstance(idx, pd.RangeIndex):
        index = {"kind": "range", "start": int(idx.start), "stop": int(idx.stop), "step": int(idx.step)}
    else:
        index = _column_to_json(idx, f"the row index of {where}")
    index["name"] = None if idx.name is None else _label(idx.name, f"the row index of {where}")
    return {"columns": columns, "index": index, "columns_name": None if df.columns.name is None
            else _label(df.columns.name, f"the column index of {where}")}


def frame_from_json(d: Any, where: str = "data") -> pd.DataFrame:
    """Rebuild a DataFrame from :func:`frame_to_json`'s output, checking every field."""
    _fields(d, where, ("columns", "index", "columns_name"))
    idx_d = d["index"]
    if isinstance(idx_d, dict) and idx_d.get("kind") == "range":
        _fields(idx_d, f"{where}.index", ("kind", "start", "stop", "step", "name"))
        start, stop, step = (_int(idx_d[k], f"{where}.index.{k}") for k in ("start", "stop", "step"))
        index = _checked(lambda: pd.RangeIndex(start, stop, step), f"{where}.index")
    else:
        if not isinstance(idx_d, dict):
            raise _Invalid(f"{where}.index must be an object")
        index = pd.Index(_column_from_json({k: v for k, v in idx_d.items() if k != "name"}, None, f"{where}.index"))
    name = idx_d.get("name")
    if name is not None and (isinstance(name, bool) or not isinstance(name, (str, int))):
        raise _Invalid(f"{where}.index.name must be a string, an integer or null")
    index.name = name
    cols = d["columns"]
    if not isinstance(cols, list):
        raise _Invalid(f"{where}.columns must be a list")
    names, arrays = [], {}
    for i, c in enumerate(cols):
        w = f"{where}.columns[{i}]"
        if not isinstance(c, dict) or "name" not in c:
            raise _Invalid(f"{w} must be an object with a name")
        label = c["name"]
        if isinstance(label, bool) or not isinstance(label, (str, int)):
            raise _Invalid(f"{w}.name must be a string or an integer")
        names.append(label)
        arrays[i] = _column_from_json({k: v for k, v in c.items() if k != "name"}, len(index), w)
    columns_name = d["columns_name"]
    if columns_name is not None and (isinstance(columns_name, bool) or not isinstance(columns_name, (str, int))):
        raise _Invalid(f"{where}.columns_name must be a string, an integer or null")
    df = pd.DataFrame(arrays, index=index)
    if names:
        df.columns = pd.Index(names, name=columns_name)
    return df


def _plain_json(v: Any, where: str, depth: int = 0) -> Any:
    """``v`` as plain JSON values (str, number, bool, None, lists, str-keyed dicts), else a DataError."""
    v = _scalar(v)
    if isinstance(v, _SCALARS):
        return v
    if depth > 50:
        raise DataError(f"{where} is nested too deeply to be saved.")
    if isinstance(v, (list, tuple)):
        return [_plain_json(x, f"{where}[{i}]", depth + 1) for i, x in enumerate(v)]
    if isinstance(v, dict):
        bad = next((k for k in v if not isinstance(k, str)), None)
        if bad is not None:
            raise DataError(f"{where} has the key {bad!r}; a saved fit (file=) stores dicts with text keys only.")
        return {k: _plain_json(x, f"{where}[{k!r}]", depth + 1) for k, x in v.items()}
    if isinstance(v, np.ndarray):
        return _plain_json(v.tolist(), where, depth)
    raise DataError(
        f"{where} is a {type(v).__name__}, which a saved fit (file=) cannot store: data2 entries must be numbers, "
        "arrays, DataFrames or JSON values (text, lists, dicts). Convert it, remove it from data2, or drop file=."
    )


def data2_to_json(data2: Mapping[str, Any] | None) -> dict | None:
    """``data2`` as JSON: DataFrames and arrays keep their types; other entries must be plain JSON values."""
    if data2 is None or (isinstance(data2, Mapping) and not data2):
        return None
    if not isinstance(data2, Mapping):
        raise DataError(f"data2 must be a dict such as {{'A': A}}, got {type(data2).__name__}.")
    out = {}
    for k, v in data2.items():
        if not isinstance(k, str):
            raise DataError(f"data2 has the key {k!r}; its keys must be names (strings) such as 'A'.")
        where = f"data2[{k!r}]"
        if isinstance(v, pd.DataFrame):
            out[k] = {"type": "frame", "frame": frame_to_json(v, where)}
        elif isinstance(v, pd.Series):
            out[k] = {"type": "series", "frame": frame_to_json(v.to_frame(), where)}
        elif isinstance(v, np.ndarray) and v.dtype != object:
            if v.dtype.kind == "U":
                enc = {"dtype": "str", "values": v.ravel().tolist()}
            else:
                enc = _column_to_json(pd.Series(v.ravel()), where)
                enc.pop("kind")
            out[k] = {"type": "array", "shape": list(v.shape), **enc}
        else:
            out[k] = {"type": "json", "value": _plain_json(v, where)}
    return out


def data2_from_json(d: Any, where: str = "data2") -> dict[str, Any] | None:
    """Rebuild ``data2`` from :func:`data2_to_json`'s output, checking every field."""
    if d is None:
        return None
    if not isinstance(d, dict):
        raise _Invalid(f"{where} must be an object")
    out = {}
    for k, v in d.items():
        w = f"{where}[{k!r}]"
        kind = _fields(v, w, ("type",), ("frame", "shape", "dtype", "values", "b64", "value"))["type"]
        if kind in ("frame", "series"):
            _fields(v, w, ("type", "frame"))
            df = frame_from_json(v["frame"], w)
            if kind == "series":
                if df.shape[1] != 1:
                    raise _Invalid(f"{w} must hold one column")
                df = df.iloc[:, 0]
            out[k] = df
        elif kind == "array":
            _fields(v, w, ("type", "shape", "dtype"), ("values", "b64"))
            shape = v["shape"]
            if not isinstance(shape, list) or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0
                                                      for s in shape):
                raise _Invalid(f"{w}.shape must be a list of sizes")
            if v["dtype"] == "str":
                arr = np.asarray(_str_list(v.get("values"), f"{w}.values"), dtype=str)
            else:
                arr = _column_from_json({"kind": "numpy", "dtype": v["dtype"], "b64": v.get("b64")}, None, w)
            out[k] = _checked(lambda arr=arr, shape=shape: np.asarray(arr).reshape(shape), w)
        elif kind == "json":
            _fields(v, w, ("type", "value"))
            out[k] = v["value"]  # plain JSON values from json.loads: data only
        else:
            raise _Invalid(f"{w}.type must be 'frame', 'series', 'array' or 'json', found {kind!r:.40}")
    return out


def _legacy_data_from_json(text: Any) -> pd.DataFrame:
    """Format 1 data: pandas' table JSON (pandas' reader creates no objects beyond columns)."""
    return pd.read_json(io.StringIO(_str(text, "data")), orient="table")


def _legacy_data2_from_json(d: Any) -> dict[str, Any] | None:
    if not d:
        return None
    if not isinstance(d, dict):
        raise _Invalid("data2 must be an object")
    out = {}
    for k, v in d.items():
        if isinstance(v, dict) and v.get("type") == "frame":
            out[k] = pd.read_json(io.StringIO(_str(v.get("json"), f"data2[{k!r}].json")), orient="split")
        elif isinstance(v, dict) and v.get("type") == "array":
            out[k] = _checked(lambda v=v: np.asarray(v["values"], dtype=float), f"data2[{k!r}]")
        else:
            raise _Invalid(f"data2[{k!r}] has an unknown type")
    return out


def data_fingerprint(standata: dict[str, Any]) -> str:
    """Hash of the Stan data (decides whether a saved fit is still current)."""
    h = hashlib.sha256()
    for k in sorted(standata):
        v = np.asarray(standata[k])
        h.update(k.encode())
        h.update(str(v.dtype).encode() + str(v.shape).encode())
        h.update(np.ascontiguousarray(v).tobytes())
    return h.hexdigest()


def _draws_digest(variables: Mapping[str, np.ndarray]) -> str:
    """SHA-256 of every variable's name, dtype, shape and little-endian bytes."""
    h = hashlib.sha256()
    for name in sorted(variables):
        a = np.asarray(variables[name])
        a = np.ascontiguousarray(a.astype(a.dtype.newbyteorder("<"), copy=False))
        h.update(json.dumps([name, a.dtype.str, list(a.shape)]).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _numpy_scalar(x: Any) -> Any:
    """JSON for numpy scalars in settings (``seed=np.int64(1)``); anything else is not JSON."""
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"{type(x).__name__} is not JSON serializable")


def _meta_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -------------------------------------------------------------- save


def encode_inputs(formula: Any, family: Any, prior: Any, data: pd.DataFrame, data2: Any,
                  stanvars: StanVars | None = None) -> dict[str, Any]:
    """The model's inputs as JSON, or a clear error for what a fit file cannot store.

    ``brm(file=...)`` calls this *before* sampling, so a ``data2`` entry or data column that
    cannot be saved is reported at once instead of after the fit.

    Raises
    ------
    brmspy.core.errors.DataError
        Naming the ``data2`` entry or data column and what can be stored.
    """
    out = {
        "formula": formula_to_json(formula),
        "family": family_to_json(family),
        "prior": prior_to_json(prior),
        "data": frame_to_json(data),
        "data2": data2_to_json(data2),
    }
    if stanvars is not None and len(stanvars):  # only then: files of other fits stay as they were
        out["stanvars"] = stanvars_to_json(stanvars)
    return out


def check_writable(file: str | os.PathLike) -> Path:
    """Check that a fit can be saved at ``file`` (``brm`` calls this before sampling).

    Creates missing parent directories, then creates and removes a probe file next to the
    target, so a read-only file system, a missing permission or a parent that is a file is
    found before any sampling.

    Returns
    -------
    pathlib.Path
        The path the fit will be saved at (``.nc`` appended when missing).

    Raises
    ------
    brmspy.core.errors.FitFileError
        Naming the path and the problem.

    Examples
    --------
    >>> import tempfile
    >>> check_writable(Path(tempfile.mkdtemp()) / "fit").name
    'fit.nc'
    """
    path = fit_path(file)

    def fail(problem: str) -> FitFileError:
        return FitFileError(f"Cannot save the fit to {path}: {problem}. Choose another file= "
                            "(nothing was sampled).")

    if path.is_dir():
        raise fail("it is a directory; give a file name inside it, e.g. "
                   f"file={str(path / 'fit')!r}")
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if ancestor.exists() and not ancestor.is_dir():
        raise fail(f"{ancestor} is a file, not a directory")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        probe = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}.probe"
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.unlink(probe)
    except OSError as exc:
        raise fail(f"cannot create files in {path.parent} ({exc.strerror or exc})") from None
    return path


def _variables(fit) -> dict[str, np.ndarray]:
    d = fit.stan_draws
    out = {}
    for name, arr in {**d.params, **{f"stat:{k}": v for k, v in d.sampler_stats.items()},
                      **{f"prior:{k}": v for k, v in fit.prior_draws.items()}}.items():
        out[name] = np.asarray(arr)
    return out


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable where the OS allows opening a directory (not on Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write(path: Path, variables: Mapping[str, np.ndarray], meta_text: str) -> None:
    import h5netcdf

    tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp"  # unique per writer
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        with h5netcdf.File(tmp, "w", locking=False) as f:  # the name is ours alone: no lock needed
            f.attrs[_ATTR_FORMAT] = FORMAT_VERSION
            f.attrs[_ATTR_META] = meta_text
            f.attrs[_ATTR_META_SHA] = _meta_digest(meta_text)
            f.attrs[_ATTR_DRAWS_SHA] = _draws_digest(variables)
            for name, arr in variables.items():
                dims = ("chain", "draw", *(f"{name}_dim_{i}" for i in range(arr.ndim - 2)))
                for dim, n in zip(dims, arr.shape):
                    if dim not in f.dimensions:
                        f.dimensions[dim] = n
                f.create_variable(name, dims, data=arr)
        with open(tmp, "r+b") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)  # atomic: readers see the old file or the new one, never a mix
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def save_fit(fit, file: str | os.PathLike, *, _inputs: dict[str, Any] | None = None) -> Path:
    """Write ``fit`` to ``file`` (``.nc`` is appended when missing), atomically.

    Parameters
    ----------
    fit : BrmsFit
        The fit to save.
    file : str or path-like
        Target file; missing parent directories are created.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    brmspy.core.errors.FitFileError
        When ``file`` is a directory, its parent is a file, or it cannot be written.
    brmspy.core.errors.DataError
        When a data column or ``data2`` entry cannot be stored (see :func:`encode_inputs`).

    Examples
    --------
    >>> path = save_fit(fit, "fits/sleep")          # doctest: +SKIP
    >>> load_fit(path).fixef()                      # doctest: +SKIP
    """
    path = check_writable(file)
    inputs = _inputs if _inputs is not None else encode_inputs(fit.formula, fit.family, fit.prior, fit.data, fit.data2,
                                                               getattr(fit.build, "stanvars", None))
    d = fit.stan_draws
    meta = {
        "format_version": FORMAT_VERSION,
        **inputs,
        "data_name": fit.data_name,
        "sample_prior": fit.sample_prior,
        "settings": fit.settings,
        "config": {k: v for k, v in asdict(d.config).items() if k != "init" or isinstance(v, (int, float, type(None)))},
        "backend": d.backend,
        "timings": {k: float(v) for k, v in d.timings.items()},
        "code_sha256": hashlib.sha256(fit.stancode().encode()).hexdigest(),
        "data_sha256": data_fingerprint(fit.standata()),
    }
    try:
        meta_text = json.dumps(meta, default=_numpy_scalar)
    except (TypeError, ValueError) as exc:
        raise BrmsError(f"cannot save the fit's settings as JSON: {exc}") from None
    _write(path, _variables(fit), meta_text)
    return path


def save_or_warn(fit, path: Path, inputs: dict[str, Any] | None = None) -> Path | None:
    """Save after sampling; on failure warn (where, why, how to save) and return None: the fit is never lost."""
    try:
        return save_fit(fit, path, _inputs=inputs)
    except Exception as exc:  # noqa: BLE001 - any failure here must not lose the sampled fit
        warn(
            f"The fit was sampled but could not be saved to {path}: {exc}. It is returned unsaved; save it with "
            "brmspy.save_fit(fit, 'another/path.nc').",
            BrmsWarning,
        )
        return None


# -------------------------------------------------------------- load


def _load_error(path: Path, problem: str) -> FitFileError:
    return FitFileError(
        f"Cannot load the saved fit {path}: {problem}. To fit the model again and overwrite the file, use "
        f"brm(..., file={str(path)!r}, file_refit='always')."
    )


def _attr_text(v: Any) -> str | None:
    if isinstance(v, bytes):
        return v.decode("utf-8")
    return v if isinstance(v, str) else None


def _read(file: str | os.PathLike, draws: bool = True) -> tuple[Path, int, dict, dict[str, np.ndarray]]:
    """The file's format version, metadata and (with ``draws``) variables, after every envelope check."""
    path = fit_path(file)
    if path.is_dir():
        raise FitFileError(f"Cannot load the saved fit {path}: it is a directory, not a saved fit; give the "
                           "fit's file name.")
    if not path.exists():
        raise FitFileError(f"No saved fit at {path}.")
    try:
        if path.stat().st_size == 0:
            raise _load_error(path, "the file is empty (an interrupted save, or not a fit file)")
    except OSError as exc:
        raise _load_error(path, f"it cannot be read ({exc.strerror or exc})") from None
    import h5netcdf

    try:
        # no HDF5 file lock: a saved file is never written in place (writers rename a new file over
        # it), and locks fail on some network file systems
        with h5netcdf.File(path, "r", locking=False) as f:
            attrs = dict(f.attrs)
            variables = {name: np.asarray(var[...]) for name, var in f.variables.items()} if draws else {}
    except OSError as exc:
        if isinstance(exc, PermissionError):
            raise _load_error(path, f"it cannot be read ({exc.strerror or exc})") from None
        raise _load_error(path, "it is not a NetCDF/HDF5 file, or it is corrupt or truncated "
                                f"({type(exc).__name__}: {str(exc)[:200]})") from None
    except Exception as exc:  # noqa: BLE001 - h5py/h5netcdf raise many kinds on damaged files
        raise _load_error(path, "it is corrupt or truncated "
                                f"({type(exc).__name__}: {str(exc)[:200]})") from None
    text = _attr_text(attrs.get(_ATTR_META))
    if text is None:
        raise _load_error(path, "it is a NetCDF/HDF5 file but not a brmspy fit (it has no 'brmspy' metadata)")
    fmt = attrs.get(_ATTR_FORMAT)
    if fmt is not None:
        if isinstance(fmt, np.ndarray) and fmt.size == 1:
            fmt = fmt.reshape(()).item()
        fmt = _scalar(fmt)
        if isinstance(fmt, bool) or not isinstance(fmt, int):
            raise _load_error(path, f"its format version {fmt!r:.40} is not a number")
    try:
        meta = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise _load_error(path, f"its metadata are not valid JSON ({str(exc)[:120]})") from None
    if not isinstance(meta, dict):
        raise _load_error(path, "its metadata are not a JSON object")
    version = fmt if fmt is not None else meta.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise _load_error(path, "it has no format version")
    if version not in READABLE_VERSIONS:
        newer = " by a newer brmspy; upgrade brmspy to read it" if version > FORMAT_VERSION else ""
        raise _load_error(path, f"it was written in fit-file format {version}{newer}; this brmspy reads formats "
                                f"{', '.join(map(str, READABLE_VERSIONS))}")
    if meta.get("format_version") != version:
        raise _load_error(path, "its metadata and its format attribute disagree on the format version")
    if version >= 2:
        if _attr_text(attrs.get(_ATTR_META_SHA)) != _meta_digest(text):
            raise _load_error(path, "its metadata do not match their checksum (the file was damaged or edited)")
        try:
            digest = _draws_digest(variables) if draws else None
        except Exception:  # noqa: BLE001 - variables of a kind no fit has (strings, compounds)
            digest = "unreadable"
        if draws and _attr_text(attrs.get(_ATTR_DRAWS_SHA)) != digest:
            raise _load_error(path, "its draws do not match their checksum (the file was damaged or edited)")
    elif draws:
        warn(f"{path} was saved by an older brmspy (fit-file format 1) without checksums, so its draws "
                      "cannot be verified and its data were rounded to 10 digits; save_fit(load_fit(path), path) "
                      "rewrites it in the current format.", BrmsWarning)
    return path, version, meta, variables


def _custom_needed(path: Path, names: list[str]) -> FitFileError:
    listed = ", ".join(repr(n) for n in names)
    return FitFileError(
        f"The saved fit {path} uses the custom family {listed}: the file stores its specification (names, links, "
        "bounds) but not its Python functions (log_lik, posterior_predict, posterior_epred), since nothing runs from "
        f"a fit file. Pass the same object again: load_fit({str(path)!r}, family=<your custom_family(...) object>, "
        "stanvars=<its stanvars>) (brm(..., file=) passes the family and stanvars of the call)."
    )


def _check_stanvars(path: Path, meta: dict, stanvars: StanVars | None) -> StanVars | None:
    """The stanvars to rebuild the model with: those given, when they are the ones the fit was saved with."""
    saved = meta.get("stanvars")
    given = stanvars_to_json(stanvars) if stanvars is not None else None
    if saved is None:
        if given:
            raise FitFileError(f"The saved fit {path} was made without stanvars, but stanvars were passed; drop "
                               "stanvars= (or refit with file_refit='always').")
        return None
    if not isinstance(saved, list) or not all(isinstance(x, dict) for x in saved):
        raise _load_error(path, "its stanvars must be a list of objects")
    if given is None:
        names = ", ".join(f"{x.get('name') or '(unnamed)'} in block {x.get('block')!r}" for x in saved)
        raise FitFileError(
            f"The saved fit {path} was made with stanvars ({names}); their Stan code is not stored in the file "
            f"(nothing runs from a fit file). Pass the same stanvars again: load_fit({str(path)!r}, "
            "stanvars=<the stanvar(...) + ... of the fit>).")
    if given != saved:
        diff = [i for i in range(max(len(given), len(saved))) if i >= len(given) or i >= len(saved) or given[i] != saved[i]]
        raise FitFileError(
            f"The stanvars passed to load_fit are not the ones the saved fit {path} was made with (they differ at "
            f"stanvar {diff[0] + 1} of {len(saved)}: code, value, name, block or position). Pass the same "
            "stanvars, or refit with brm(..., file_refit='always').")
    return stanvars


def _given_customs(family: Any) -> dict[str, CustomFamily]:
    given = custom_families_in(family)
    if family is not None and not given:
        raise FitFileError("load_fit(family=...) takes the custom_family(...) object(s) of a fit with a custom family "
                           f"(one, or a list); got {type(family).__name__}.")
    return given


def read_meta(file: str | os.PathLike, *, family: Any = None) -> dict:
    """The metadata of a saved fit, after the format, checksum and schema checks of :func:`load_fit`.

    Raises
    ------
    brmspy.core.errors.FitFileError
        For a missing, empty, corrupt, foreign or newer-format file or an invalid field, naming
        ``file_refit='always'``.
    """
    path, version, meta, _ = _read(file, draws=False)
    token = _GIVEN_CUSTOM.set(_given_customs(family))
    try:
        _checked_contents(path, lambda: _check_meta(meta, version))
    finally:
        _GIVEN_CUSTOM.reset(token)
    return meta


def _checked_contents(path: Path, check: Callable[[], Any]) -> Any:
    try:
        return check()
    except _NeedsCustom as exc:
        raise _custom_needed(path, [exc.name]) from None
    except _CustomMismatch as exc:
        raise FitFileError(f"Cannot load the saved fit {path}: {exc}. Pass the same custom_family(...) object "
                           "the fit was made with.") from None
    except _Invalid as exc:
        raise _load_error(path, f"its {exc}") from None
    except Exception as exc:  # noqa: BLE001 - a check that missed a case still names the file
        raise _load_error(path, f"its metadata are invalid ({type(exc).__name__}: {str(exc)[:200]})") from None


_SETTINGS_REQUIRED = ("chains", "iter", "warmup", "thin", "seed", "control", "sample_prior", "backend")
_SETTINGS_OPTIONAL = ("reduce", "threads", "centered", "warm_start", "algorithm", "imputations")


def _check_settings(s: Any) -> dict:
    _fields(s, "settings", _SETTINGS_REQUIRED, _SETTINGS_OPTIONAL)
    for k in ("chains", "iter", "thin"):
        _int(s[k], f"settings.{k}")
    _int(s["warmup"], "settings.warmup", none=True)
    _int(s["seed"], "settings.seed", none=True)
    _fields(s["control"], "settings.control", ("adapt_delta", "max_treedepth"))
    _num(s["control"]["adapt_delta"], "settings.control.adapt_delta")
    _int(s["control"]["max_treedepth"], "settings.control.max_treedepth")
    _one_of(s["sample_prior"], SAMPLE_PRIOR, "settings.sample_prior")
    _one_of(s["backend"], BACKEND_NAMES, "settings.backend")
    if "reduce" in s:
        _one_of(s["reduce"], ("auto", True, False, *kind_names()), "settings.reduce")
    _int(s.get("threads"), "settings.threads", none=True)
    for k in ("centered", "warm_start"):
        if k in s:
            _one_of(s[k], ("auto", True, False), f"settings.{k}")
    if "algorithm" in s:
        _one_of(s["algorithm"], ALGORITHMS, "settings.algorithm")
    _int(s.get("imputations"), "settings.imputations", none=True)  # brm_multiple's number of data sets
    return s


def _check_config(c: Any):
    names = tuple(f.name for f in dataclasses.fields(SampleConfig))
    _fields(c, "config", (), names)
    for k, v in c.items():
        if k == "algorithm" and isinstance(v, str):  # checked against the allowed names by validated()
            continue
        if not isinstance(v, (bool, int, float, type(None))):
            raise _Invalid(f"config.{k} must be a number, true/false or null, found {type(v).__name__}")
    return _checked(lambda: SampleConfig(**c).validated(), "config")


def _check_meta(meta: dict, version: int) -> dict[str, Any]:
    """Every field of the metadata, checked and rebuilt through the user-input constructors."""
    keys = ("format_version", "formula", "family", "prior", "data", "data_name", "sample_prior", "settings", "config",
            "backend", "timings", "code_sha256", "data_sha256")
    _fields(meta, "the metadata", keys, ("data2", "stanvars"))
    out: dict[str, Any] = {}
    out["formula"] = formula_from_json(meta["formula"])
    out["family"] = family_from_json(meta["family"])
    out["prior"] = prior_from_json(meta["prior"])
    if version == 1:
        out["data"] = _checked(lambda: _legacy_data_from_json(meta["data"]), "data")
        out["data2"] = _legacy_data2_from_json(meta.get("data2"))
    else:
        out["data"] = frame_from_json(meta["data"])
        out["data2"] = data2_from_json(meta.get("data2"))
    out["data_name"] = _str(meta["data_name"], "data_name")
    out["sample_prior"] = _one_of(meta["sample_prior"], SAMPLE_PRIOR, "sample_prior")
    out["settings"] = _check_settings(meta["settings"])
    out["config"] = _check_config(meta["config"])
    out["backend"] = _one_of(meta["backend"], BACKEND_NAMES, "backend")
    timings = meta["timings"]
    if not isinstance(timings, dict):
        raise _Invalid("timings must be an object")
    out["timings"] = {_str(k, "timings key"): float(_num(v, f"timings.{k}")) for k, v in timings.items()}
    for k in ("code_sha256", "data_sha256"):
        if not isinstance(meta[k], str) or not _SHA256.fullmatch(meta[k]):
            raise _Invalid(f"{k} must be a SHA-256 hex digest")
    return out


def _split_draws(variables: dict[str, np.ndarray]) -> tuple[dict, dict, dict]:
    params, stats, prior_draws = {}, {}, {}
    shape = None
    for name, arr in variables.items():
        if arr.dtype.kind not in "biuf" or arr.ndim < 2:
            raise _Invalid(f"variable {name!r} must be numeric with dimensions (chain, draw, ...)")
        if shape is None:
            shape = arr.shape[:2]
        elif arr.shape[:2] != shape:
            raise _Invalid(f"variable {name!r} has {arr.shape[:2]} (chains, draws), the others {shape}")
        if name.startswith("stat:"):
            stats[name[5:]] = arr
        elif name.startswith("prior:"):
            prior_draws[name[6:]] = arr
        else:
            params[name] = arr
    stats = _checked(lambda: normalize_sampler_stats(stats), "the sampler statistics")
    return params, stats, prior_draws


def load_fit(file: str | os.PathLike, *, family: Any = None, stanvars: StanVars | None = None):
    """Load a fit saved by :func:`save_fit` (or ``brm(..., file=...)``).

    The file is read as untrusted input (see the module docstring): its format version and
    checksums are verified, every field is checked, and the model is rebuilt from the stored
    formula, family, priors and data by the same code that checks a user's arguments, so
    loading runs no code from the file.

    A fit with a :func:`~brmspy.custom_family` or :func:`~brmspy.stanvar` code stores the family's
    specification and a fingerprint of the stanvars, not their code: pass the same objects again as
    ``family`` (the custom family, or a list of them) and ``stanvars``; brmspy checks them against
    the file (as brms keeps the family and looks up the user's R functions when they are needed).

    Parameters
    ----------
    file : the saved fit (``.nc`` is appended when missing).
    family : the fit's :func:`~brmspy.custom_family` object(s), for a fit with a custom family.
    stanvars : the fit's :func:`~brmspy.stanvar` code and data, for a fit made with stanvars.

    Raises
    ------
    brmspy.core.errors.FitFileError
        For a missing, empty, truncated, corrupt, foreign or newer-format file, a directory,
        checksums that do not match, or contents that do not rebuild the saved model; the
        message names the file and ``file_refit='always'``.

    Examples
    --------
    >>> fit = load_fit("fits/sleep.nc")   # doctest: +SKIP
    """
    path, version, meta, variables = _read(file)
    given = _given_customs(family)
    missing = [n for n in _custom_names_in_json(meta) if n not in given]
    if missing:
        raise _custom_needed(path, missing)
    stanvars = _check_stanvars(path, meta, stanvars)
    token = _GIVEN_CUSTOM.set(given)
    try:
        m, (params, stats, prior_draws) = _checked_contents(path, lambda: (_check_meta(meta, version),
                                                                           _split_draws(variables)))
    finally:
        _GIVEN_CUSTOM.reset(token)
    settings = m["settings"]
    try:
        build = build_model(m["formula"], m["data"], m["family"], m["prior"], m["data2"],
                            settings.get("reduce", "auto"), settings.get("threads"), settings.get("centered", False),
                            stanvars)
    except Exception as exc:  # noqa: BLE001 - any failure to rebuild is a property of the file
        raise _load_error(path, f"the model it describes cannot be built ({type(exc).__name__}: {exc})") from None
    if build.code_hash != meta["code_sha256"]:
        raise _load_error(path, "it was made from a different Stan program than this brmspy version generates")
    if version >= 2 and data_fingerprint(build.data) != meta["data_sha256"]:
        raise _load_error(path, "its stored data do not give the Stan data it was sampled with")
    draws = Draws(params, stats, m["backend"], m["timings"], m["config"])
    fit = BrmsFit(m["formula"], m["family"], m["data"], m["prior"], build, draws, m["data_name"], m["sample_prior"],
                  prior_draws, settings, m["data2"])
    try:
        fit.draws_dict  # noqa: B018 - names every draw now, so missing variables fail here, not later
    except Exception as exc:  # noqa: BLE001
        raise _load_error(path, f"its draws do not match the model ({type(exc).__name__}: {exc})") from None
    return fit
