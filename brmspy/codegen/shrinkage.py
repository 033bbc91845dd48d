"""brms's shrinkage priors on population-level coefficients: ``horseshoe()`` and ``R2D2()``.

As current brms (``stan_special_prior``, ``stan_prior_non_centered``), the coefficients of a predictor
are ``b = zb .* sdb`` with standard normal ``zb`` and scales ``sdb`` taken from the prior's vector
``scales`` (length ``Kscales``):

- horseshoe: ``scales = scales_horseshoe(hs_local, hs_global, hs_scale_slab^2 * hs_slab)`` (the
  regularized horseshoe of Piironen & Vehtari 2017), half-student_t ``hs_local`` and ``hs_global``
  (scale ``hs_scale_global``, times ``sigma`` with ``autoscale``), inverse-gamma ``hs_slab``;
- R2D2: ``scales = sqrt(R2D2_phi * R2D2_tau2)``, ``R2D2_tau2 = R2D2_R2 / (1 - R2D2_R2)`` (times
  ``sigma^2`` with ``autoscale``), beta prior on ``R2D2_R2``, dirichlet prior on the simplex ``R2D2_phi``.

brms 2.18 wrote the same horseshoe model through a function ``horseshoe(zb, hs_local, ...)`` and the
R2D2 one through ``R2D2(zb, phi, tau2)``; current brms's form (this one) adds ``Kscales``, ``sdb`` and
``scales`` and lets one prior span several classes, as here: ``b`` with the ``bsp`` of mo()/me()/mi() and
the ``bs`` of s()/t2() terms (coefficients ``zbsp .* sdbsp``), ``sds``, ``sdgp``, ``sderr``, ``ar``/``ma``
(``zar .* sdar``), ``sdcar`` and ``sd`` (scales themselves: ``sds_1 = scales[...]``), in that order. The
terms declare those parameters as usual with no prior; :func:`finish_shrinkage` turns them into parts of
``scales`` in the assembled program. Prior arguments are data.
"""

from __future__ import annotations

import re

import numpy as np

from ..core.errors import PriorError
from ..core.stan import StanBlocks
from ..core.templates import stan_function, stan_lines
from ..frame.types import PopulationDesign
from ..priors.table import Shrinkage


def _names(design: PopulationDesign) -> dict[str, str]:
    s = design.prefix.suffix
    K = f"Kc{s}" if design.intercept else f"K{s}"
    b = ("bQ" if design.decomp == "QR" else "b") + s  # bf(decomp = "QR"): the prior shrinks bQ (brms 2.18)
    return dict(p=s, K=K, b=b, zb=f"z{b}", sdb=f"sd{b}")


def stan_shrinkage_local(design: PopulationDesign) -> StanBlocks:
    """``zb`` (a parameter, where ``b`` would be) and the transformed parameters ``b`` and ``sdb``."""
    n = _names(design)
    sb = StanBlocks()
    sb.par += stan_lines("shrinkage", "local_par", K=n["K"], zb=n["zb"])
    sb.tpar_def += stan_lines("shrinkage", "local_tpar_def", K=n["K"], b=n["b"], sdb=n["sdb"])
    return sb


#: brms's order of the parts of ``scales`` (stan_predictor.bframel: stan_fe, stan_sp, stan_sm, stan_gp,
#: stan_ac; the sds of group-level blocks last): b, bsp of mo()/me()/mi(), bs and sds of s()/t2(), sdgp,
#: sderr, ar, ma, sdcar, sd
_SPECIAL_ORDER = ("SpDesign", "SmoothDesign", "GPDesign", "AutocorDesign", "CarDesign")
_CLASS_ORDER = ("b", "sds", "sdgp", "sderr", "ar", "ma", "sdcar")
#: classes scaled as coefficients (``ar = zar .* sdar``); the others are scales themselves (``sds_1 = scales[...]``)
_COEF_CLASSES = ("b", "ar", "ma")


def scaled_parts(design: PopulationDesign, sh: Shrinkage) -> list[tuple[str, str, int, bool]]:
    """The parameters the prior scales, in brms's order: (Stan name, its length's Stan name or "1", length,
    whether it is a coefficient vector ``x = zx .* sdx``); the sds of group-level blocks not included."""
    n = _names(design)
    out = [(n["b"], n["K"], len(design.coef_names), True)] if sh.b and design.coef_names else []
    classes = (("b",) if sh.b else ()) + sh.classes
    specials = sorted(design.specials, key=lambda sp: _SPECIAL_ORDER.index(type(sp).__name__)
                      if type(sp).__name__ in _SPECIAL_ORDER else len(_SPECIAL_ORDER))
    for sp in specials:
        for c in _CLASS_ORDER:
            if c in classes:
                out += [(name, size, m, c in _COEF_CLASSES) for name, size, m in sp.shrinkable(c)]
    return out


def _segments(design: PopulationDesign, sh: Shrinkage, blocks: dict) -> tuple[int, list[str]]:
    """Kscales, and which part of ``scales`` each parameter takes (current brms's ``stan_special_prior``)."""
    n = _names(design)
    lengths = [(("sd" + name) if coef else name, size, m) for name, size, m, coef in scaled_parts(design, sh)]
    lengths += [(f"sd_{k}", f"M_{k}", blocks[k].M) for k in sh.sd_blocks]
    lines, start = [], ["1"]
    for name, size, _ in lengths:
        lo, hi = "+".join(start), "+".join([*start[1:], size]) if len(start) > 1 else size
        scalar = "[1]" if size == "1" else ""  # sderr, sdcar: a scalar takes one element
        lines.append(f"{name} = scales{n['p']}[({lo}):({hi})]{scalar};")
        start.append(size)
    return sum(m for *_, m in lengths), lines


def _special_locals(design: PopulationDesign, sh: Shrinkage) -> StanBlocks:
    """``zbsp``/``bsp``/``sdbsp`` (``zbs``, ``zar``, ...) of the predictor's special terms, as ``zb``/``b``/``sdb``."""
    sb = StanBlocks()
    for name, size, _, coef in scaled_parts(design, sh):
        if not coef or name == _names(design)["b"]:
            continue  # b: declared with the population-level design (stan_shrinkage_local)
        sb.par += stan_lines("shrinkage", "local_par", K=size, zb="z" + name)
        sb.tpar_def += stan_lines("shrinkage", "local_tpar_def", K=size, b=name, sdb="sd" + name)
    return sb


def stan_shrinkage_global(design: PopulationDesign, sh: Shrinkage, blocks: dict | None = None) -> StanBlocks:
    """The prior's data, global parameters, ``scales`` and the model-block priors of ``zb`` and the locals.

    ``blocks``: the model's group-level blocks by id (class ``sd`` takes ``M_<k>`` scales each).
    """
    n = _names(design)
    p = n["p"]
    K, segments = _segments(design, sh, blocks or {})
    sb = _special_locals(design, sh)
    sp = sh.prior
    zs = ["z" + name for name, _, _, coef in scaled_parts(design, sh) if coef]
    if sh.name == "horseshoe":
        sb.functions.append(stan_function("horseshoe"))
        sb.data += stan_lines("shrinkage", "horseshoe_data", p=p)
        sb.values.update({f"Kscales{p}": K, f"hs_df{p}": float(sp.get("df")), f"hs_df_global{p}": float(sp.get("df_global")),
                          f"hs_df_slab{p}": float(sp.get("df_slab")), f"hs_scale_global{p}": float(sh.scale_global),
                          f"hs_scale_slab{p}": float(sp.get("scale_slab"))})
        sb.par += stan_lines("shrinkage", "horseshoe_par", p=p)
        sb.tpar_def += stan_lines("shrinkage", "horseshoe_tpar", p=p)
        sb.tpar_comp += stan_lines("shrinkage", "horseshoe_comp", p=p)
        sb.model_prior += stan_lines("shrinkage", "horseshoe_model", p=p, zs=zs)
    else:
        sb.functions.append(stan_function("r2d2"))
        cons = sp.get("cons_D2")
        cons_v = np.asarray(cons if isinstance(cons, tuple) else (cons,) * K, dtype=float)
        if cons_v.size != K:
            raise PriorError(f"Argument 'cons_D2' of the R2D2 prior must be of length 1 or {K} (the number of "
                             f"coefficients it shrinks), got {cons_v.size}.")
        sb.data += stan_lines("shrinkage", "r2d2_data", p=p)
        sb.values.update({f"Kscales{p}": K, f"R2D2_mean_R2{p}": float(sp.get("mean_R2")),
                          f"R2D2_prec_R2{p}": float(sp.get("prec_R2")), f"R2D2_cons_D2{p}": cons_v})
        sb.par += stan_lines("shrinkage", "r2d2_par", p=p)
        sb.tpar_def += stan_lines("shrinkage", "r2d2_tpar", p=p)
        var_mult = f"{sh.sigma}^2 * " if sh.autoscale else ""
        sb.tpar_comp += stan_lines("shrinkage", "r2d2_comp", var_mult=var_mult, p=p)
        sb.model_prior += stan_lines("shrinkage", "r2d2_model", p=p, zs=zs)
    sb.tpar_comp += segments
    for name, _, _, coef in scaled_parts(design, sh):
        if coef:
            sb.tpar_comp.append(f"{name} = z{name} .* sd{name};  // scale coefficients")
    return sb


def finish_shrinkage(sb: StanBlocks, design: PopulationDesign, sh: Shrinkage) -> None:
    """Turn the parameters the prior scales into parts of its ``scales`` in the assembled program.

    The terms declared them as parameters (with no prior, :mod:`brmspy.priors.resolve`): a scale
    (``sd_1``, ``sds_1``, ``sdgp_1``, ``sderr``) becomes a transformed parameter, a coefficient vector
    (``bsp``, ``bs``, ``ar``) is replaced by ``zbsp .* sdbsp`` (:func:`stan_shrinkage_global`). Statements
    that use a scale move after the line that sets it, where brms writes them (``tpar_special_prior``).
    """
    parts = scaled_parts(design, sh)
    fe_b = _names(design)["b"]
    scales = [name for name, _, _, coef in parts if not coef] + [f"sd_{k}" for k in sh.sd_blocks]
    for name, _, _, coef in parts:
        if coef and name != fe_b:
            sb.par.pop(_declaration(sb.par, name))
    for name in scales:  # first in the block (before lprior), the last one topmost
        sb.tpar_def.insert(0, sb.par.pop(_declaration(sb.par, name)))
    segments = [i for i, line in enumerate(sb.tpar_comp)
                if any(line.startswith(f"{name} = scales{design.prefix.suffix}[") for name in scales)]
    if not segments:
        return
    last = max(segments)
    uses = re.compile(r"\b(" + "|".join(map(re.escape, scales)) + r")\b")
    early = {i for i in range(last) if i not in segments and uses.search(sb.tpar_comp[i])}
    early |= {i - 1 for i in early if i > 0 and sb.tpar_comp[i - 1].lstrip().startswith("//")}
    for lo, hi in _brace_blocks(sb.tpar_comp[:last]):  # a { ... } block moves whole
        if early & set(range(lo, hi + 1)):
            early |= set(range(lo, hi + 1))
    early = sorted(early)
    moved = [sb.tpar_comp[i] for i in early]
    kept = [line for i, line in enumerate(sb.tpar_comp) if i not in set(early)]
    at = kept.index(sb.tpar_comp[last]) + 1
    sb.tpar_comp[:] = kept[:at] + moved + kept[at:]


def _brace_blocks(lines: list[str]) -> list[tuple[int, int]]:
    """Outermost ``{`` ... ``}`` blocks (each brace on a line of its own) as (first, last) line numbers."""
    out, depth, start = [], 0, 0
    for i, line in enumerate(lines):
        if line.strip() == "{":
            start = i if depth == 0 else start
            depth += 1
        elif line.strip() == "}" and depth:
            depth -= 1
            if depth == 0:
                out.append((start, i))
    return out


def _declaration(lines: list[str], name: str) -> int:
    pos = next((i for i, line in enumerate(lines) if line.split("//")[0].rstrip().endswith(f" {name};")), None)
    if pos is None:
        raise PriorError(f"brmspy cannot apply the shrinkage prior to {name!r} here.")
    return pos


def stan_shrinkage_priors(design: PopulationDesign, sh: Shrinkage) -> list[str]:
    """The ``lprior +=`` statements of the global parameters (after the predictor's Intercept, as brms)."""
    p = design.prefix.suffix
    if sh.name == "horseshoe":
        scale = f"hs_scale_global{p}" + (f" * {sh.sigma}" if sh.autoscale else "")
        return stan_lines("shrinkage", "horseshoe_prior", p=p, scale_global=scale)
    return stan_lines("shrinkage", "r2d2_prior", p=p)
