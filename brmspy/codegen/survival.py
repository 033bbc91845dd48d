"""Stan pieces of the cox family's baseline hazard (brms's ``stan_bhaz``).

The data are the M- and I-spline bases of the times (``Zbhaz``, ``Zcbhaz``, :mod:`brmspy.frame.bhaz`)
and the Dirichlet concentration ``con_sbhaz``; the parameter is the simplex ``sbhaz``; the model
block computes each row's baseline hazard ``bhaz = Zbhaz * sbhaz`` and cumulative hazard
``cbhaz = Zcbhaz * sbhaz``, which the likelihood passes to ``cox_lpdf`` (or ``cox_log_lpdf``) after
``mu`` (:attr:`brmspy.families.FamilySpec.row_vectors`).  Interval-censored and truncated models add the
I-spline basis at the upper ends and bounds (``Zcbhaz_rcens``, ``Zcbhaz_lb``, ``Zcbhaz_ub``) and their cumulative
hazards (``cbhaz_rcens``, ...), which the survival functions at those times take (brms 2.18 uses ``cbhaz``
there, see :func:`brmspy.frame.bhaz.baseline_hazard`).
"""

from __future__ import annotations

import numpy as np

from ..core.stan import StanBlocks
from ..core.templates import stan_lines
from ..formula.prefix import resp_suffix
from ..formula.terms import BrmsTerms
from ..frame.types import ResponseData
from ..priors.table import ResolvedPriors
from .likelihood import UnivariateCode

__all__ = ["SurvivalCode", "stan_baseline_hazard"]


class SurvivalCode(UnivariateCode):
    """Proportional hazards: the univariate likelihood plus the baseline hazard's data and simplex."""

    def parameters(self, t: BrmsTerms, priors: ResolvedPriors, rd: ResponseData) -> StanBlocks:
        return stan_baseline_hazard(t, priors, rd)


def stan_baseline_hazard(t: BrmsTerms, priors: ResolvedPriors, rd: ResponseData) -> StanBlocks:
    """Data ``Kbhaz``, ``Zbhaz``, ``Zcbhaz``, ``con_sbhaz``; the simplex ``sbhaz`` and its prior; ``bhaz``/``cbhaz``.

    With current brms's ``bhaz(gr = g)`` (:class:`~brmspy.frame.bhaz.BhazGroups`): ``ngrbhaz``, ``Jgrbhaz``, one
    concentration vector and one simplex ``sbhaz[k]`` per stratum, and a loop giving each row its stratum's hazards.
    """
    sb = StanBlocks()
    bh = rd.bhaz
    s = resp_suffix(t.resp)
    names = dict(K=f"Kbhaz{s}", Z=f"Zbhaz{s}", Zc=f"Zcbhaz{s}", con=f"con_sbhaz{s}")
    what = f"the baseline hazard coefficients sbhaz{s}"
    sb.values.update({names["K"]: bh.K, names["Z"]: bh.Z, names["Zc"]: bh.Zc})
    at = {f"cbhaz_{a}{s}": f"Zcbhaz_{a}{s}" for a in bh.Zc_at}  # interval censoring, truncation (brmspy)
    if bh.groups is not None:
        ngr, J = f"ngrbhaz{s}", f"Jgrbhaz{s}"
        sb.data += stan_lines("survival", "data", N="N", ngr=ngr, J=J, **names)
        ps = priors.sbhaz_groups.get(t.resp) or [None] * len(bh.groups.names)
        con = np.array([p.concentration(bh.K, what) if p is not None else [1.0] * bh.K for p in ps], dtype=float)
        sb.values.update({ngr: len(bh.groups.names), J: (bh.groups.index + 1).astype(np.int64), names["con"]: con})
        sb.par += ["// stratified baseline hazard coefficients", f"array[{ngr}] simplex[{names['K']}] sbhaz{s};"]
        sb.tpar_prior += stan_lines("survival", "group_priors", ngr=ngr, s=f"sbhaz{s}", con=names["con"])
        sb.model_def += stan_lines("survival", "group_hazards_def", N="N", bhaz=f"bhaz{s}", cbhaz=f"cbhaz{s}",
                                   at=list(at))
        sb.model_comp += stan_lines("survival", "group_hazards", N="N", bhaz=f"bhaz{s}", cbhaz=f"cbhaz{s}",
                                    Z=names["Z"], Zc=names["Zc"], s=f"sbhaz{s}", J=J, at=list(at.items()))
    else:
        sb.data += stan_lines("survival", "data", N="N", **names)
        p = priors.sbhaz.get(t.resp)
        sb.values[names["con"]] = np.array(p.concentration(bh.K, what) if p is not None else [1.0] * bh.K)
        sb.par.append(f"simplex[{names['K']}] sbhaz{s};  // baseline coefficients")
        sb.tpar_prior.append(f"lprior += dirichlet_lpdf(sbhaz{s} | {names['con']});")
        sb.model_def += stan_lines("survival", "hazards", N="N", bhaz=f"bhaz{s}", cbhaz=f"cbhaz{s}", Z=names["Z"],
                                   Zc=names["Zc"], s=f"sbhaz{s}")
    for a, Zc in bh.Zc_at.items():  # interval censoring, truncation: the cumulative hazard at y2 / the bounds
        sb.data += stan_lines("survival", "data_at", N="N", K=names["K"], Zc=f"Zcbhaz_{a}{s}", at=a)
        sb.values[f"Zcbhaz_{a}{s}"] = Zc
        if bh.groups is None:
            sb.model_def += stan_lines("survival", "hazard_at", N="N", cbhaz=f"cbhaz_{a}{s}", Zc=f"Zcbhaz_{a}{s}",
                                       s=f"sbhaz{s}", at=a)
    return sb
