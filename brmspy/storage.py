"""Saving and loading fits without pickle: NetCDF (draws) with JSON metadata.

``brm(..., file="fit")`` writes ``fit.nc``: every Stan variable and sampler
statistic as a NetCDF variable, and the inputs needed to rebuild the model
(formula, family, priors, data, sampling settings) as JSON attributes.  Loading
rebuilds the model from those inputs and checks the program is the same.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import BrmsError
from .families import Family, brmsfamily
from .formula import BrmsFormula, MvBrmsFormula
from .priors import Prior, as_prior_list

FORMAT_VERSION = 1


def fit_path(file: str | Path) -> Path:
    p = Path(file)
    return p if p.suffix == ".nc" else p.with_name(p.name + ".nc")


# ----------------------------------------------------------- (de)serialising


def formula_to_json(f: Any) -> Any:
    if isinstance(f, str):
        return {"type": "str", "main": f}
    if isinstance(f, BrmsFormula):
        return {"type": "bf", "main": f.main, "pforms": list(f.pforms), "nl": f.nl, "nl_pforms": list(f.nl_pforms),
                "family": family_to_json(f.family) if f.family else None, "mecor": f.mecor}
    if isinstance(f, MvBrmsFormula):
        return {"type": "mvbf", "forms": [formula_to_json(x) for x in f.forms], "rescor": f.rescor, "mecor": f.mecor}
    raise BrmsError(f"cannot save formula of type {type(f).__name__}")


def formula_from_json(d: dict) -> Any:
    if d["type"] == "str":
        return d["main"]
    if d["type"] == "bf":
        fam = family_from_json(d["family"]) if d.get("family") else None
        return BrmsFormula(d["main"], tuple(d["pforms"]), d["nl"], fam, tuple(d.get("nl_pforms", ())), d.get("mecor"))
    return MvBrmsFormula(tuple(formula_from_json(x) for x in d["forms"]), d["rescor"], d.get("mecor"))


def family_to_json(f: Any) -> Any:
    if f is None or isinstance(f, str):
        return f
    from .families.mixture import MixtureFamily

    if isinstance(f, MixtureFamily):
        return {"name": "mixture", "components": [family_to_json(c) for c in f.components], "order": f.order}
    if isinstance(f, Family):
        return {"name": f.name, "links": f.links, "threshold": f.threshold}
    raise BrmsError(f"cannot save family of type {type(f).__name__}")


def family_from_json(d: Any) -> Any:
    if d is None or isinstance(d, str):
        return d
    if d["name"] == "mixture":
        from .families.mixture import mixture

        return mixture(*(family_from_json(c) for c in d["components"]), order=d["order"])
    links = {f"link_{k}": v for k, v in d["links"].items() if k != "mu"}
    threshold = d.get("threshold")
    return brmsfamily(d["name"], link=d["links"]["mu"], threshold=None if threshold == "flexible" else threshold,
                      **links)


def prior_to_json(p: Any) -> list[dict]:
    return [asdict(x) for x in as_prior_list(p)]


def prior_from_json(rows: list[dict]) -> list[Prior] | None:
    return [Prior(**r) for r in rows] or None


def data_to_json(df: pd.DataFrame) -> str:
    # orient="table" keeps categorical levels and their order
    return df.to_json(orient="table", index=False)


def data_from_json(text: str) -> pd.DataFrame:
    return pd.read_json(io.StringIO(text), orient="table")


def data2_to_json(data2: dict[str, Any] | None) -> dict | None:
    """``data2`` matrices (DataFrames keep their row and column names) as JSON."""
    if not data2:
        return None
    out = {}
    for k, v in data2.items():
        if isinstance(v, pd.DataFrame):
            out[k] = {"type": "frame", "json": v.to_json(orient="split")}
        else:
            out[k] = {"type": "array", "values": np.asarray(v, dtype=float).tolist()}
    return out


def data2_from_json(d: dict | None) -> dict[str, Any] | None:
    if not d:
        return None
    return {k: (pd.read_json(io.StringIO(v["json"]), orient="split") if v["type"] == "frame" else np.asarray(v["values"]))
            for k, v in d.items()}


def data_fingerprint(standata: dict[str, Any]) -> str:
    """Hash of the Stan data (decides whether a saved fit is still current)."""
    h = hashlib.sha256()
    for k in sorted(standata):
        v = np.asarray(standata[k])
        h.update(k.encode())
        h.update(str(v.dtype).encode() + str(v.shape).encode())
        h.update(np.ascontiguousarray(v).tobytes())
    return h.hexdigest()


# -------------------------------------------------------------- save / load


def save_fit(fit, file: str | Path) -> Path:
    """Write ``fit`` to ``file`` (``.nc`` is appended when missing)."""
    import xarray as xr

    path = fit_path(file)
    d = fit.stan_draws
    variables = {}
    for name, arr in {**d.params, **{f"stat:{k}": v for k, v in d.sampler_stats.items()},
                      **{f"prior:{k}": v for k, v in fit.prior_draws.items()}}.items():
        arr = np.asarray(arr)
        dims = ["chain", "draw"] + [f"{name}_dim_{i}" for i in range(arr.ndim - 2)]
        variables[name] = (dims, arr)
    meta = {
        "format_version": FORMAT_VERSION,
        "formula": formula_to_json(fit.formula),
        "family": family_to_json(fit.family),
        "prior": prior_to_json(fit.prior),
        "data": data_to_json(fit.data),
        "data_name": fit.data_name,
        "data2": data2_to_json(fit.data2),
        "sample_prior": fit.sample_prior,
        "settings": fit.settings,
        "config": {k: v for k, v in asdict(d.config).items() if k != "init" or isinstance(v, (int, float, type(None)))},
        "backend": d.backend,
        "timings": d.timings,
        "code_sha256": hashlib.sha256(fit.stancode().encode()).hexdigest(),
        "data_sha256": data_fingerprint(fit.standata()),
    }
    ds = xr.Dataset(variables, attrs={"brmspy": json.dumps(meta)})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    ds.to_netcdf(tmp, engine="h5netcdf")
    tmp.replace(path)  # atomic: an interrupted save never leaves a half-written fit
    return path


def read_meta(file: str | Path) -> dict:
    import xarray as xr

    with xr.open_dataset(fit_path(file), engine="h5netcdf") as ds:
        return json.loads(ds.attrs["brmspy"])


def load_fit(file: str | Path):
    """Load a fit saved by :func:`save_fit` (or ``brm(..., file=...)``)."""
    import xarray as xr

    from .api import build_model
    from .backends import Draws, SampleConfig
    from .fit import BrmsFit

    path = fit_path(file)
    if not path.exists():
        raise BrmsError(f"No saved fit at {path}.")
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        meta = json.loads(ds.attrs["brmspy"])
        params, stats, prior_draws = {}, {}, {}
        for name, var in ds.data_vars.items():
            arr = var.values
            if name.startswith("stat:"):
                stats[name[5:]] = arr
            elif name.startswith("prior:"):
                prior_draws[name[6:]] = arr
            else:
                params[name] = arr
    formula = formula_from_json(meta["formula"])
    family = family_from_json(meta["family"])
    prior = prior_from_json(meta["prior"])
    data = data_from_json(meta["data"])
    data2 = data2_from_json(meta.get("data2"))
    settings = meta["settings"]
    build = build_model(formula, data, family, prior, data2, settings.get("reduce", "auto"), settings.get("threads"),
                        settings.get("centered", False))
    if hashlib.sha256(build.code.encode()).hexdigest() != meta["code_sha256"]:
        raise BrmsError(
            f"The saved fit {path} was made from a different Stan program than this brmspy version generates; "
            "refit the model (delete the file or use file_refit='always')."
        )
    config = SampleConfig(**meta["config"])
    draws = Draws(params, stats, meta["backend"], meta["timings"], config)
    return BrmsFit(formula, family, data, prior, build, draws, meta["data_name"], meta["sample_prior"], prior_draws,
                   meta["settings"], data2)
