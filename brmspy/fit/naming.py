"""Stan draws -> brms parameter names (``b_Days``, ``sd_Subject__Intercept``, ...).

The generated program uses short Stan names (``b``, ``sd_1``, ``r_1_2``); users
see brms's names.  :func:`brms_draws` does the translation once per fit and
returns an ordered dict of (chain, draw) arrays.
"""

from __future__ import annotations

import re
from typing import Mapping

import numpy as np

from ..core.types import ParamInfo, cor_pairs
from ..families.categorical import category_dpars
from ..formula.mv import is_rescor
from ..formula.prefix import resp_suffix
from ..frame.types import ModelFrame, ReBlock, group_label


def sd_names(block: ReBlock) -> list[list[str]]:
    """brms names of ``sd_k`` elements: ``[coef][by level]`` (one by level without ``by``)."""
    g = group_label(block)
    by_levels = [f":{block.by}{lv}" for lv in block.by_levels] if block.by else [""]
    return [[f"sd_{g}__{c.label}{b}" for b in by_levels] for c in block.coefs]


def cor_names(block: ReBlock) -> list[list[str]]:
    g = group_label(block)
    by_levels = [f":{block.by}{lv}" for lv in block.by_levels] if block.by else [""]
    out = []
    for j, k in cor_pairs(block.M):
        a, b = block.coefs[j].label, block.coefs[k].label
        out.append([f"cor_{g}__{a}{bl}__{b}{bl}" for bl in by_levels])
    return out


def r_name(block: ReBlock, coef_index: int, level: str) -> str:
    c = block.coefs[coef_index]
    dp = f"__{c.prefix.label.rstrip('_')}" if c.prefix.pieces else ""
    return f"r_{group_label(block)}{dp}[{level},{c.name}]"


def brms_draws(frame: ModelFrame, params: dict[str, np.ndarray], stats: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], dict[str, ParamInfo]]:
    """Translate a backend's Stan-named draws to brms names.

    Parameters
    ----------
    frame : the model frame (coefficient, group and level names).
    params : Stan variable -> (chain, draw, *shape).
    stats : sampler statistics -> (chain, draw).
    """
    out: dict[str, np.ndarray] = {}
    info: dict[str, ParamInfo] = {}

    def put(name: str, values: np.ndarray, pinfo: ParamInfo) -> None:
        if name in out:  # two parameters with one brms name: one would hide the other in every table
            raise RuntimeError(f"Internal error: two parameters are named {name!r}; please report this model.")
        out[name] = np.asarray(values, dtype=float)
        info[name] = pinfo

    for prefix, design in frame.designs.items():
        s, label = prefix.suffix, prefix.label
        values = params.get(f"b{s}_Intercept")
        groups = frame.responses[prefix.resp].thres_groups if prefix.dpar == "mu" else None
        if groups is not None and f"b{s}_Intercept_1" in params:  # thres(gr = g): brms's b_Intercept[<group>,k]
            for i, g in enumerate(groups.names, start=1):
                gvalues = params[f"b{s}_Intercept_{i}"]
                for k in range(gvalues.shape[2]):
                    name = f"b_{label}Intercept[{g},{k + 1}]"
                    put(name, gvalues[..., k], ParamInfo(name, "b", coef=f"{label}Intercept[{g},{k + 1}]"))
        elif values is not None and values.ndim == 3:  # ordinal thresholds: b_Intercept[1], b_Intercept[2], ...
            for k in range(values.shape[2]):
                name = f"b_{label}Intercept[{k + 1}]"
                put(name, values[..., k], ParamInfo(name, "b", coef=f"{label}Intercept[{k + 1}]"))
        elif design.intercept:
            put(f"b_{label}Intercept", values, ParamInfo(f"b_{label}Intercept", "b", coef=f"{label}Intercept"))
        if design.coef_names:
            b = params[f"b{s}"]
            for i, c in enumerate(design.coef_names):
                put(f"b_{label}{c}", b[..., i], ParamInfo(f"b_{label}{c}", "b", coef=f"{label}{c}"))
        if design.cs_names:
            bcs = params[f"bcs{s}"]  # (chain, draw, Kcs, nthres)
            for i, c in enumerate(design.cs_names):
                for k in range(bcs.shape[3]):
                    name = f"bcs_{label}{c}[{k + 1}]"
                    put(name, bcs[..., i, k], ParamInfo(name, "b", coef=f"{label}{c}[{k + 1}]"))
    for design in frame.designs.values():
        for sp in design.specials:  # mo(), s(), gp(), ...: each kind names its own parameters
            for name, values, pinfo in sp.draws(params):
                put(name, values, pinfo)
    for t in frame.response_terms:  # cox: the baseline hazard's simplex sbhaz[k], after the b's as brms
        if frame.responses[t.resp].bhaz is not None:  # cox, or a mixture's cox component (sbhaz unsuffixed, brms)
            stan = "sbhaz" + resp_suffix(t.resp)
            bh = frame.responses[t.resp].bhaz
            if bh is not None and bh.groups is not None:  # bhaz(gr = g): sbhaz[<group>,k] (current brms)
                for j, g in enumerate(bh.groups.names):
                    for k in range(params[stan].shape[-1]):
                        name = f"{stan}[{g},{k + 1}]"
                        put(name, params[stan][..., j, k], ParamInfo(name, "sbhaz", group=g, coef=name))
                continue
            for k in range(params[stan].shape[-1]):
                name = f"{stan}[{k + 1}]"
                put(name, params[stan][..., k], ParamInfo(name, "sbhaz", coef=name))
    for block in frame.blocks:  # brms's order: every sd, then every cor, then every r
        sd = params[f"sd_{block.id}"]
        for j, row in enumerate(sd_names(block)):
            for i, name in enumerate(row):
                values = sd[..., j, i] if block.by else sd[..., j]
                put(name, values, ParamInfo(name, "sd", group=group_label(block), coef=block.coefs[j].label, level=_by_level(block, i)))
    for block in frame.blocks:
        if block.has_cor:
            cor = params[f"cor_{block.id}"]
            for p, row in enumerate(cor_names(block)):
                for i, name in enumerate(row):
                    values = cor[..., p, i] if block.by else cor[..., p]
                    j, k = cor_pairs(block.M)[p]
                    coef = f"{block.coefs[j].label},{block.coefs[k].label}"
                    put(name, values, ParamInfo(name, "cor", group=group_label(block), coef=coef, level=_by_level(block, i)))
    for block in frame.blocks:  # gr(g, dist = "student"): brms's df_<group>, after the cors
        if block.udf_owner:
            name = f"df_{group_label(block)}"
            put(name, params[f"df_{block.ggn}"], ParamInfo(name, "df", group=group_label(block), coef="df"))
    for t in frame.response_terms:
        for d in t.estimated_constants:
            name = d + resp_suffix(t.resp)
            put(name, params[name], ParamInfo(name, "dpar", coef=name))
        if t.family.kind.per_category_sigma:  # logistic_normal's correlations, brms's lncor__mup2__mup3
            rs = resp_suffix(t.resp)
            mus = category_dpars(t.family, frame.responses[t.resp].levels)
            for p, (a, b) in enumerate(rescor_pairs(mus)):
                name = f"lncor{rs}__{a}__{b}"
                put(name, params[f"lncor{rs}"][..., p], ParamInfo(name, "dpar", coef=name))
        if t.family.has_theta_simplex:  # constant mixing proportions
            for k in range(1, t.family.nmix + 1):
                name = f"theta{k}" + resp_suffix(t.resp)
                put(name, params[name], ParamInfo(name, "dpar", coef=name))
    for prefix, design in frame.designs.items():
        if f"delta{prefix.suffix}" in params:  # equidistant thresholds
            name = f"delta{prefix.suffix}"
            put(name, params[name], ParamInfo(name, "dpar", coef=name))
        i = 1
        while f"delta{prefix.suffix}_{i}" in params:  # equidistant thresholds per group (thres(gr = g))
            name = f"delta{prefix.suffix}_{i}"
            put(name, params[name], ParamInfo(name, "dpar", coef=name))
            i += 1
        groups = frame.responses[prefix.resp].thres_groups if prefix.dpar == "mu" else None
        if groups is not None and f"Intercept{prefix.suffix}_1" in params:  # thres(gr = g): Intercept_<i>[k]
            for i in range(1, len(groups.names) + 1):
                name = f"Intercept{prefix.suffix}_{i}"
                values = params[name]
                for k in range(values.shape[2]):
                    put(f"{name}[{k + 1}]", values[..., k], ParamInfo(f"{name}[{k + 1}]", "Intercept"))
        elif design.intercept and params.get(f"Intercept{prefix.suffix}") is not None:
            name = f"Intercept{prefix.suffix}"
            values = params[name]
            if values.ndim == 3:
                for k in range(values.shape[2]):
                    put(f"{name}[{k + 1}]", values[..., k], ParamInfo(f"{name}[{k + 1}]", "Intercept"))
            else:
                put(name, values, ParamInfo(name, "Intercept"))
    for block in frame.blocks:
        for j in range(block.M):
            stan = f"r_{block.id}_{block.coefs[j].prefix.label}{j + 1}"
            r = params[stan]
            for lv_i, lv in enumerate(block.levels):
                name = r_name(block, j, lv)
                put(name, r[..., lv_i], ParamInfo(name, "r", group=group_label(block), coef=block.coefs[j].label, level=lv))

    for name, values, pinfo in shrinkage_draws(frame, params):  # horseshoe()/R2D2(): hs_global, R2D2_R2, ...
        put(name, values, pinfo)
    for name, values, pinfo in mv_draws(frame, params):  # rescor, shared nu, imputed Ymi
        put(name, values, pinfo)
    put("lprior", params["lprior"], ParamInfo("lprior", "lprior"))
    if "lp__" in stats:
        put("lp__", stats["lp__"], ParamInfo("lp__", "lp__"))
    return out, info


#: Stan names of horseshoe()/R2D2() parameters (brmspy.codegen.shrinkage), kept as brms names them
_SHRINKAGE = ("hs_global", "hs_slab", "hs_local", "R2D2_R2", "R2D2_phi", "R2D2_tau2", "zb", "sdb", "zbsp", "sdbsp", "zbs",
              "sdbs", "zar", "sdar", "zma", "sdma", "scales")


def shrinkage_draws(frame: ModelFrame, params: dict[str, np.ndarray]) -> list[tuple[str, np.ndarray, ParamInfo]]:
    """The global and local parameters of shrinkage priors under their Stan names (``hs_local[1]``), as brms."""
    out = []
    for prefix in frame.designs:
        for base in _SHRINKAGE:
            stan = f"{base}{prefix.suffix}"
            values = params.get(stan)
            if values is None:
                continue
            if values.ndim == 2:
                out.append((stan, values, ParamInfo(stan, "shrinkage", coef=stan)))
            else:
                for k in range(values.shape[-1]):
                    name = f"{stan}[{k + 1}]"
                    out.append((name, values[..., k], ParamInfo(name, "shrinkage", coef=name)))
    return out


def _by_level(block: ReBlock, i: int) -> str:
    return block.by_levels[i] if block.by and block.by_levels else ""


def rescor_pairs(resps: list[str]) -> list[tuple[str, str]]:
    """Response pairs of the ``rescor`` vector, in the generated program's order."""
    return [(resps[j], resps[k]) for j, k in cor_pairs(len(resps))]


def mv_draws(frame: "ModelFrame", params: dict[str, np.ndarray]) -> list[tuple[str, np.ndarray, "ParamInfo"]]:
    """brms-named draws of residual correlations, the shared ``nu`` and imputed values ``Ymi``."""
    out = []
    if is_rescor(frame.terms):
        resps = [t.resp for t in frame.response_terms]
        rescor = params["rescor"]
        for p, (a, b) in enumerate(rescor_pairs(resps)):
            name = f"rescor__{a}__{b}"
            out.append((name, rescor[..., p], ParamInfo(name, "rescor", coef=f"rescor({a},{b})")))
        if "nu" in frame.response_terms[0].shared:
            out.append(("nu", params["nu"], ParamInfo("nu", "dpar", coef="nu")))
    for t in frame.response_terms:
        rd = frame.responses[t.resp]
        if rd.missing is None or rd.noise is not None:  # mi(sdy): the latent Yl, left out as brms does
            continue
        stan = "Ymi" + resp_suffix(t.resp)
        values = params[stan]
        for k in range(values.shape[-1]):
            name = f"{stan}[{k + 1}]"
            out.append((name, values[..., k], ParamInfo(name, "latent", coef=name)))
    return out


def _prior_name(full: str, draws: Mapping[str, np.ndarray]) -> str | None:
    """The ``prior_*`` draw matching a parameter (brms's naming of prior draws)."""
    candidates = [f"prior_{full}"]
    m = re.fullmatch(r"b_(.*?_)?Intercept", full)
    if m:
        label = (m.group(1) or "").rstrip("_")
        candidates.append("prior_Intercept" + (f"_{label}" if label else ""))
    m = re.fullmatch(r"cor_(.+?)__.+", full)
    if m:
        candidates.append(f"prior_cor_{m.group(1)}")
    m = re.fullmatch(r"sd_(.+?)__.+", full)
    if m:
        candidates.append(f"prior_sd_{m.group(1)}")
    m = re.fullmatch(r"(ar|ma)(_\w+)?\[\d+\]", full)  # one prior draw per autocorrelation class
    if m:
        candidates.append(f"prior_{m.group(1)}{m.group(2) or ''}")
    m = re.fullmatch(r"corme(_[^_]+)?__.+", full)  # latent correlations of me() terms (brms: prior_corme)
    if m:
        candidates.append(f"prior_corme{m.group(1) or ''}")
    return next((c for c in candidates if c in draws), None)
