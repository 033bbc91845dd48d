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
``scales`` and lets one prior span several classes (brmspy: ``b`` with the ``bsp`` of mo()/me()/mi() and the ``bs``
of s()/t2() terms, and ``sd``). Prior arguments are data.
"""

from __future__ import annotations

import numpy as np

from ..core.errors import PriorError
from ..core.stan import StanBlocks
from ..core.templates import stan_function, stan_lines
from ..frame.types import PopulationDesign
from ..priors.table import Shrinkage


def _names(design: PopulationDesign) -> dict[str, str]:
    s = design.prefix.suffix
    K = f"Kc{s}" if design.intercept else f"K{s}"
    return dict(p=s, K=K, b=f"b{s}", zb=f"zb{s}", sdb=f"sdb{s}")


def stan_shrinkage_local(design: PopulationDesign) -> StanBlocks:
    """``zb`` (a parameter, where ``b`` would be) and the transformed parameters ``b`` and ``sdb``."""
    n = _names(design)
    sb = StanBlocks()
    sb.par += stan_lines("shrinkage", "local_par", K=n["K"], zb=n["zb"])
    sb.tpar_def += stan_lines("shrinkage", "local_tpar_def", K=n["K"], b=n["b"], sdb=n["sdb"])
    return sb


#: brms's order of the predictor's coefficient classes in ``scales`` (stan_predictor.bframel: stan_fe,
#: stan_sp, stan_sm, ...): b, then bsp of mo()/me()/mi(), then bs of s()/t2(), then the sds
_SPECIAL_ORDER = ("SpDesign", "SmoothDesign")


def shrunk_coefficients(design: PopulationDesign, sh: Shrinkage) -> list[tuple[str, str, int]]:
    """The coefficient vectors ``b = zb .* sdb`` the prior scales, in brms's order: (name, length's name, length)."""
    if not sh.b:
        return []
    n = _names(design)
    out = [(n["b"], n["K"], len(design.coef_names))] if design.coef_names else []
    specials = sorted(design.specials, key=lambda sp: _SPECIAL_ORDER.index(type(sp).__name__)
                      if type(sp).__name__ in _SPECIAL_ORDER else len(_SPECIAL_ORDER))
    return out + [piece for sp in specials for piece in sp.shrinkable_b()]


def _segments(design: PopulationDesign, sh: Shrinkage, blocks: dict) -> tuple[int, list[tuple[str, str]], list[str]]:
    """Kscales, and which part of ``scales`` each class takes (brms's order: b, bsp, bs, then the sds)."""
    n = _names(design)
    coefs = shrunk_coefficients(design, sh)
    lengths = [("sd" + name, size, m) for name, size, m in coefs]
    lengths += [(f"sd_{k}", f"M_{k}", blocks[k].M) for k in sh.sd_blocks]
    lines, start = [], ["1"]
    for name, size, _ in lengths:
        lo, hi = "+".join(start), "+".join([*start[1:], size]) if len(start) > 1 else size
        lines.append(f"{name} = scales{n['p']}[({lo}):({hi})];")
        start.append(size)
    return sum(m for *_, m in lengths), lines, [n for n, *_ in lengths]


def _special_locals(design: PopulationDesign, sh: Shrinkage) -> StanBlocks:
    """``zbsp``/``bsp``/``sdbsp`` (and ``zbs``/``bs``/``sdbs``) of the predictor's special terms, as ``zb``/``b``/``sdb``."""
    sb = StanBlocks()
    for name, size, _ in shrunk_coefficients(design, sh):
        if name == _names(design)["b"]:
            continue  # declared with the population-level design (stan_shrinkage_local)
        sb.par += stan_lines("shrinkage", "local_par", K=size, zb="z" + name)
        sb.tpar_def += stan_lines("shrinkage", "local_tpar_def", K=size, b=name, sdb="sd" + name)
    return sb


def stan_shrinkage_global(design: PopulationDesign, sh: Shrinkage, blocks: dict | None = None) -> StanBlocks:
    """The prior's data, global parameters, ``scales`` and the model-block priors of ``zb`` and the locals.

    ``blocks``: the model's group-level blocks by id (class ``sd`` takes ``M_<k>`` scales each).
    """
    n = _names(design)
    p = n["p"]
    K, segments, _ = _segments(design, sh, blocks or {})
    sb = _special_locals(design, sh)
    sp = sh.prior
    zs = ["z" + name for name, *_ in shrunk_coefficients(design, sh)]
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
    for name, *_ in shrunk_coefficients(design, sh):
        sb.tpar_comp.append(f"{name} = z{name} .* sd{name};  // scale coefficients")
    return sb


def move_sd_declarations(sb: StanBlocks, ids: tuple[int, ...]) -> None:
    """The sds a shrinkage prior scales are transformed parameters (parts of ``scales``), not parameters."""
    for k in ids:
        pos = next((i for i, line in enumerate(sb.par) if line.split("//")[0].rstrip().endswith(f" sd_{k};")), None)
        if pos is None:
            raise PriorError(f"brmspy cannot apply the shrinkage prior to the sds of group-level block {k} here.")
        sb.tpar_def.insert(0, sb.par.pop(pos))


def stan_shrinkage_priors(design: PopulationDesign, sh: Shrinkage) -> list[str]:
    """The ``lprior +=`` statements of the global parameters (after the predictor's Intercept, as brms)."""
    p = design.prefix.suffix
    if sh.name == "horseshoe":
        scale = f"hs_scale_global{p}" + (f" * {sh.sigma}" if sh.autoscale else "")
        return stan_lines("shrinkage", "horseshoe_prior", p=p, scale_global=scale)
    return stan_lines("shrinkage", "r2d2_prior", p=p)
