"""The autocorrelation terms ``ar()``, ``ma()``, ``arma()`` and ``cosy()`` as a special-term plug-in.

Families without natural residuals (poisson, bernoulli, ...) get brms's latent residuals: ``mu`` gains
``err = sderr * zerr`` (``zerr ~ std_normal()``), correlated within series by the term's correlation
matrix (``cov = TRUE``, ``cosy()``: brms's ``scale_time_err``) or, for ``ar()`` without ``cov``, with
``mu[n] += ar' err[n - 1 .. n - p]`` (brms's program).  ``ar``/``ma`` are then bounded to (-1, 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from ..core.distributions import PriorDist, format_number
from ..core.errors import DataError, FormulaError
from ..core.stan import StanBlocks, prior_statement
from ..core.types import ParamInfo, PriorRow
from ..core.templates import stan_function, stan_lines
from ..frame.autocor import (AUTOCOR_KINDS, AutocorSpec, CarData, CarSpec, Jtime_matrix, Series, car_data,
                             has_latent_residuals, one_series_matrix, parse_car, series_of, specs_of, time_points)
from ..frame.columns import level_label
from ..frame.specials import SpecialDesign
from ..formula.prefix import Prefix
from ..frame.types import PopulationDesign


@dataclass
class AutocorDesign(SpecialDesign):
    """The autocorrelation structure of a response's mu (one term).

    ``spec`` is the parsed term (:class:`~brmspy.frame.autocor.AutocorSpec`), ``series`` the
    series layout of the model's (sorted) rows (:class:`~brmspy.frame.autocor.Series`);
    ``latent``: brms's latent residuals (a family without natural residuals), ``n_rows`` the rows.
    """

    kinds: ClassVar[tuple[str, ...]] = AUTOCOR_KINDS

    spec: AutocorSpec | None = None
    series: Series | None = field(default=None, repr=False)
    latent: bool = False
    n_rows: int = 0
    matrix: np.ndarray | None = field(default=None, repr=False)  # fcor()/sar(): M from data2 (link)
    eigen: np.ndarray | None = field(default=None, repr=False)  # sar(): eigenvalues of M, as R's eigen()
    times: list | None = None  # unstr(): the time points (labels), brms's extract_levels
    jtime: np.ndarray | None = field(default=None, repr=False)  # unstr(): 1-based time point of each row

    def see_family(self, family) -> None:
        self.latent = has_latent_residuals(family)

    @classmethod
    def link(cls, designs, settings):
        for d in designs:
            if d.spec.one_series:
                d.matrix, d.eigen = one_series_matrix(d.spec, settings.data2, d.n_rows, d.formula, settings.rows,
                                                      settings.n_data)

    @classmethod
    def build(cls, prefix, terms, data, formula):
        if prefix.dpar != "mu":
            raise FormulaError(
                f"The autocorrelation term '{terms[0].text}' in {formula!r} belongs in the formula of the response (mu), "
                f"not of {prefix.dpar!r} (brms: 'Explicit covariance terms can only be specified on mu')."
            )
        spec = specs_of(terms, formula)[0]
        out = cls(prefix, terms, formula, spec, series_of(data, spec), n_rows=len(data))
        if spec.kind == "unstr":
            out.times, out.jtime = time_points(data, spec)
        return out

    @property
    def classes(self) -> list[str]:
        """Parameter classes of the structure: ``ar``, ``ma``, ``cosy``."""
        s = self.spec
        if s.kind == "sar":
            return [f"{s.type}sar"]
        if s.kind == "unstr":  # the prior is on the Cholesky factor Lcortime (brms's class cortime)
            return ["cortime"]
        if s.kind == "fcor":
            return []
        return ["cosy"] if s.kind == "cosy" else [c for c, k in (("ar", s.p), ("ma", s.q)) if k > 0]

    def bounds(self, cls_: str) -> tuple[float | None, float | None]:
        """brms's bounds: none for ARMA coefficients in the conditional formulation, (-1, 1) with cov, (0, 1) for cosy,
        the smallest and largest eigenvalue of M for sar()."""
        if cls_ == "cosy":
            return 0.0, 1.0
        if cls_ in ("lagsar", "errorsar"):
            return float(self.eigen.min()), float(self.eigen.max())
        return (-1.0, 1.0) if self.spec.cov or self.latent else (None, None)

    def shrinkable(self, class_):
        s = self.prefix.suffix
        if class_ == "sderr" and self.latent:
            return [(f"sderr{s}", "1", 1)]
        if class_ in ("ar", "ma") and class_ in self.classes:
            return [(f"{class_}{s}", f"K{class_}{s}", self.spec.p if class_ == "ar" else self.spec.q)]
        return []

    def prior_rows(self, base, scale_prior):
        rows = [PriorRow(scale_prior, "sderr", lb="0", resp=base["resp"])] if self.latent else []
        for c in self.classes:
            lb, ub = self.bounds(c)
            if c == "cortime":
                rows.append(PriorRow("lkj(1)", c, resp=base["resp"]))
                continue
            if c in ("lagsar", "errorsar"):  # brms writes the bounds by the names of the data
                s = self.prefix.suffix
                rows.append(PriorRow("", c, lb=f"min_eigenMsar{s}", ub=f"max_eigenMsar{s}", resp=base["resp"]))
                continue
            rows.append(PriorRow("", c, lb="" if lb is None else format_number(lb), ub="" if ub is None else format_number(ub),
                                 resp=base["resp"]))
        return rows

    def resolve_priors(self, lookup):
        return {c: lookup((c,)) for c in self.classes + (["sderr"] if self.latent else [])}

    def flat_parameters(self, priors):
        return [f"sderr{self.prefix.suffix}"] if self.latent and priors.get("sderr") is None else []

    def stan(self, priors):
        return stan_autocor_parameters(self, priors)

    def predictor_terms(self) -> list[str]:
        return [f"err{self.prefix.suffix}"] if self.latent else []

    def draws(self, params):
        s = self.prefix.suffix
        out = []
        if self.latent:
            out.append((f"sderr{s}", params[f"sderr{s}"], ParamInfo(f"sderr{s}", "autocor", coef=f"sderr{s}")))
        for c in self.classes:
            if c == "cortime":  # brms's cortime__t1__t2 from the Cholesky factor
                out += unstr_cor_draws(params[f"Lcortime{s}"], self.times, s)
                continue
            values = params[f"{c}{s}"]
            if c in ("cosy", "lagsar", "errorsar"):
                out.append((f"{c}{s}", values, ParamInfo(f"{c}{s}", "autocor", coef=f"{c}{s}")))
                continue
            out += _element_draws(f"{c}{s}", values, "autocor")
        if self.latent:
            for c in ("zerr", "err"):
                out += _element_draws(f"{c}{s}", params[f"{c}{s}"], c)
        return out

    def prior_draws(self, priors, sampler):
        """``prior_ar``, ``prior_ma``, ``prior_cosy``: one draw per class (shared by its coefficients), within the bounds."""
        out = class_prior_draws(self, priors, sampler)
        if self.latent and (values := sampler.scalar(priors.get("sderr"), lower=0.0)) is not None:
            out[f"prior_sderr{self.prefix.suffix}"] = values
        return out


def _element_draws(name: str, values: np.ndarray, cls: str) -> list:
    """Draws of a vector parameter, one ``name[k]`` entry per element (values: chain, draw, element)."""
    out = []
    for k in range(values.shape[2]):
        element = f"{name}[{k + 1}]"
        out.append((element, values[..., k], ParamInfo(element, cls, coef=element)))
    return out


def class_prior_draws(design, priors, sampler) -> dict[str, np.ndarray]:
    """``prior_<class><suffix>``: one draw per parameter class of an autocorrelation design (shared by its
    coefficients), within the class's bounds."""
    out = {}
    for c in design.classes:
        values = sampler.scalar(priors.get(c), *design.bounds(c))
        if values is not None:
            out[f"prior_{c}{design.prefix.suffix}"] = values
    return out


def unstr_cor_draws(L: np.ndarray, times: list, s: str) -> list:
    """brms's ``cortime__<t1>__<t2>`` draws (upper triangle, column by column) from the draws of ``Lcortime``."""
    R = np.einsum("...ik,...jk->...ij", L, L)
    out = []
    for k in range(1, len(times)):
        for j in range(k):
            name = f"cortime{s}__{times[j]}__{times[k]}"
            out.append((name, R[..., j, k], ParamInfo(name, "autocor", coef=name)))
    return out


def autocor_design(design: "PopulationDesign") -> AutocorDesign | None:
    """The :class:`AutocorDesign` of a linear predictor, or None."""
    return next((sp for sp in design.specials if isinstance(sp, AutocorDesign)), None)


def mu_autocor(designs: dict, resp: str) -> AutocorDesign | None:
    """The :class:`AutocorDesign` of a response's mu, linear or non-linear (a non-linear mu's design is kept
    with a non-linear parameter's specials, under mu's prefix: ``brmspy.frame.build``), or None."""
    mu = Prefix(resp, "mu")
    if mu in designs:
        return autocor_design(designs[mu])
    return next((sp for d in designs.values() for sp in d.specials
                 if isinstance(sp, AutocorDesign) and sp.prefix == mu), None)


_COMMENTS = {"ar": "autoregressive coefficients", "ma": "moving-average coefficients",
             "cosy": "compound symmetry correlation", "lagsar": "lag-SAR correlation parameter",
             "errorsar": "error-SAR correlation parameter"}


def time_cor_function(ac: "AutocorDesign") -> tuple[str, str]:
    """The ``cholesky_cor_<fun>`` of a covariance structure and its arguments in Stan."""
    s, spec = ac.prefix.suffix, ac.spec
    if spec.kind == "cosy":
        return "cosy", f"cosy{s}"
    if spec.p and spec.q:
        return "arma1", f"ar{s}[1], ma{s}[1]"
    if spec.p:
        return "ar1", f"ar{s}[1]"
    return "ma1", f"ma{s}[1]"


def _bounds(lb: float | None, ub: float | None) -> str:
    parts = [f"{k}={format_number(v)}" for k, v in (("lower", lb), ("upper", ub)) if v is not None]
    return f"<{','.join(parts)}>" if parts else ""


def stan_autocor_parameters(ac: "AutocorDesign", priors: dict[str, PriorDist | None]) -> StanBlocks:
    """Data, parameters and priors of one autocorrelation structure."""
    sb = StanBlocks()
    s = ac.prefix.suffix
    spec = ac.spec
    series = ac.series
    if spec.kind == "arma":
        sb.data.append(f"// data of the ARMA structure {spec.text}")
        sb.declare(f"int<lower=0> Kar{s}", f"Kar{s}", spec.p, "AR order")
        sb.declare(f"int<lower=0> Kma{s}", f"Kma{s}", spec.q, "MA order")
        if not spec.cov:
            max_lag = max(spec.p, spec.q)
            sb.declare(f"array[N] int<lower=0> J_lag{s}", f"J_lag{s}", series.J_lag(max_lag),
                       "number of earlier residuals of the same series used by the next row")
            sb.tdata_def.append(f"int max_lag{s} = max(Kar{s}, Kma{s});  // number of lagged residuals kept per row")
    if spec.kind == "fcor":
        sb.data.append(f"// known residual covariance structure {spec.text}")
        sb.declare(f"int<lower=1> N_tg{s}", f"N_tg{s}", 1, "one series: all rows")
        sb.declare(f"matrix[N, N] Mfcor{s}", f"Mfcor{s}", ac.matrix, "known residual correlation matrix")
        sb.tdata_def.append(f"matrix[N, N] Lfcor{s} = cholesky_decompose(Mfcor{s});")
    elif spec.kind == "sar":
        sb.data.append(f"// spatial autoregressive structure {spec.text}")
        sb.declare(f"int<lower=1> N_tg{s}", f"N_tg{s}", 1, "one series: all rows")
        sb.declare(f"matrix[N, N] Msar{s}", f"Msar{s}", ac.matrix, "spatial weight matrix")
        sb.declare(f"vector[N] eigenMsar{s}", f"eigenMsar{s}", ac.eigen, f"eigenvalues of Msar{s}")
        sb.tdata_def += [f"// the eigenvalues bound the SAR parameter (as brms)",
                         f"real min_eigenMsar{s} = min(eigenMsar{s});", f"real max_eigenMsar{s} = max(eigenMsar{s});"]
    elif spec.time_cov:
        sb.data.append(f"// series of the residual covariance structure {spec.text}")
        sb.declare(f"int<lower=1> N_tg{s}", f"N_tg{s}", len(series.begin), "number of series")
        sb.declare(f"array[N_tg{s}] int<lower=1> begin_tg{s}", f"begin_tg{s}", series.begin, "first row of each series")
        sb.declare(f"array[N_tg{s}] int<lower=1> end_tg{s}", f"end_tg{s}", series.end, "last row of each series")
        sb.declare(f"array[N_tg{s}] int<lower=1> nobs_tg{s}", f"nobs_tg{s}", series.nobs, "number of rows of each series")
        sb.tdata_def.append(f"int max_nobs_tg{s} = max(nobs_tg{s});  // rows of the largest series")
        if spec.kind == "unstr":
            T = len(ac.times)
            sb.declare(f"array[N_tg{s}, max(nobs_tg{s})] int<lower=0> Jtime_tg{s}", f"Jtime_tg{s}",
                       Jtime_matrix(series, ac.jtime), "time point of each row of each series (0: none)")
            sb.declare(f"int n_unique_t{s}", f"n_unique_t{s}", T, "number of time points")
            sb.declare(f"int n_unique_cortime{s}", f"n_unique_cortime{s}", T * (T - 1) // 2,
                       "number of correlations between time points")
    prior_sb = StanBlocks()
    if ac.latent:  # brms's latent residuals
        sb.par.append(f"vector[N] zerr{s};  // unscaled residuals")
        sb.par.append(f"real<lower=0> sderr{s};  // SD of residuals")
        sb.tpar_def.append(f"vector[N] err{s};  // actual residuals")
        if spec.kind == "unstr":
            sb.functions.append(stan_function("scale_time_err_flex"))
            sb.tpar_comp += stan_lines("autocor", "latent_unstr_err", s=s)
        elif spec.time_cov:
            fun, args = time_cor_function(ac)
            sb.functions += [stan_function(f"cholesky_cor_{fun}"), stan_function("scale_time_err")]
            sb.tpar_comp += stan_lines("autocor", "latent_time_err", s=s, fun=fun, args=args)
        else:
            sb.tpar_comp.append(f"err{s} = sderr{s} * zerr{s};")
        sb.model_prior.append(f"target += std_normal_lpdf(zerr{s});")
        _prior(prior_sb, f"sderr{s}", priors.get("sderr"), 0.0, None, None)
    for c in ac.classes:
        lb, ub = ac.bounds(c)
        if c == "cortime":
            sb.par.append(f"cholesky_factor_corr[n_unique_t{s}] Lcortime{s};  // cholesky factor of the unstructured "
                          "residual correlation matrix")
            prior_statement(prior_sb, f"Lcortime{s}", f"Lcortime{s}", [priors.get(c)], None)
            sb.gen_def += stan_lines("correlations", "declare", comment="residual correlations of the time points",
                                     NC=f"n_unique_cortime{s}", L=f"Lcortime{s}", Cor=f"Cortime{s}",
                                     cor=f"cortime{s}", M=f"n_unique_t{s}")
            sb.gen_comp += stan_lines("correlations", "extract", what="the residual correlation matrix",
                                      Cor=f"Cortime{s}", cor=f"cortime{s}", M=f"n_unique_t{s}")
            continue
        if c in ("lagsar", "errorsar"):
            sb.par.append(f"real<lower=min_eigenMsar{s},upper=max_eigenMsar{s}> {c}{s};  // {_COMMENTS[c]}")
            _prior(prior_sb, f"{c}{s}", priors.get(c), None, None, None)  # bounds are data: no parameter-dependent term
            continue
        if c == "cosy":
            sb.par.append(f"real{_bounds(lb, ub)} cosy{s};  // {_COMMENTS[c]}")
            size = None
        else:
            K = f"K{c}{s}"
            sb.par.append(f"vector{_bounds(lb, ub)}[{K}] {c}{s};  // {_COMMENTS[c]}")
            size = K
        _prior(prior_sb, f"{c}{s}", priors.get(c), lb, ub, size)
    if prior_sb.data:
        sb.data.append("// prior hyperparameters of the autocorrelation structure")
    sb += prior_sb
    return sb


def _prior(sb: StanBlocks, name: str, dist: PriorDist | None, lb: float | None, ub: float | None,
           size: str | None) -> None:
    """``lprior +=`` for ``name`` (hyperparameters as data); bounded parameters get brms's truncation term."""
    if dist is None:  # flat prior (within the bounds)
        return
    hyper = []
    for arg, value in zip(dist.info.args, dist.args):
        h = f"prior_{name}_{arg}"
        sb.declare(f"real {h}", h, float(value))
        hyper.append(h)
    given = f" | {', '.join(hyper)}" if hyper else ""
    lines = [f"lprior += {dist.name}_lpdf({name}{given})"]
    if lb is not None and ub is None and dist.info.lower < lb:  # sderr: brms's truncation at zero
        lines.append(f"  - {dist.name}_lccdf({format_number(lb)}{given})")
    if lb is not None and ub is not None and (dist.info.lower < lb or dist.info.upper > ub):
        times = f"{size} * " if size else ""
        lines.append(
            f"  - {times}log_diff_exp({dist.name}_lcdf({format_number(ub)}{given}), "
            f"{dist.name}_lcdf({format_number(lb)}{given}))"
        )
    lines[-1] += ";"
    sb.tpar_prior += lines


# ------------------------------------------------------------------ car()


@dataclass
class CarDesign(SpecialDesign):
    """A ``car()`` term of a response's mu: spatial effects ``rcar`` of the locations, added as ``rcar[Jloc]``.

    Types as brms: ``escar`` (exact sparse CAR, ``car`` and ``sdcar``), ``esicar`` (its intrinsic form,
    sum-to-zero), ``icar`` (intrinsic CAR of ``zcar`` scaled by ``sdcar``) and ``bym2`` (spatial and
    non-spatial parts mixed by ``rhocar``).  ``data`` (:class:`~brmspy.frame.autocor.CarData`) is filled
    in :meth:`link`, where data2 is seen.
    """

    kinds: ClassVar[tuple[str, ...]] = ("car",)

    spec: CarSpec | None = None
    data: CarData | None = field(default=None, repr=False)
    _rows: pd.DataFrame | None = field(default=None, repr=False)

    @classmethod
    def build(cls, prefix, terms, data, formula):
        if len(terms) > 1:
            raise FormulaError(f"{formula!r} has several car() terms; use one per model.")
        # brms: a car() term may predict any dpar (sigma ~ car(W)); its names then carry the dpar (rcar_sigma)
        return cls(prefix, terms, formula, parse_car(terms[0], formula), None, data)

    @classmethod
    def link(cls, designs, settings):
        for d in designs:
            d.data = car_data(d.spec, d._rows, settings.data2, d.formula)
            d._rows = None

    @property
    def classes(self) -> list[str]:
        """Parameter classes: ``sdcar`` and ``car`` (escar) or ``rhocar`` (bym2)."""
        return ["sdcar"] + {"escar": ["car"], "bym2": ["rhocar"]}.get(self.spec.type, [])

    @staticmethod
    def bounds(cls_: str) -> tuple[float | None, float | None]:
        return (0.0, None) if cls_ == "sdcar" else (0.0, 1.0)

    def shrinkable(self, class_):
        return [(f"sdcar{self.prefix.suffix}", "1", 1)] if class_ == "sdcar" else []

    def prior_rows(self, base, scale_prior):
        defaults = {"sdcar": scale_prior, "car": "", "rhocar": "beta(1, 1)"}
        rows = []
        for c in self.classes:
            lb, ub = self.bounds(c)
            rows.append(PriorRow(defaults[c], c, lb=format_number(lb), ub="" if ub is None else format_number(ub),
                                 **base))
        return rows

    def resolve_priors(self, lookup):
        return {c: lookup((c,)) for c in self.classes}

    def flat_parameters(self, priors):
        return [f"{c}{self.prefix.suffix}" for c in self.classes if priors.get(c) is None]

    def stan(self, priors):
        sb, pri = StanBlocks(), StanBlocks()
        s, t, cd = self.prefix.suffix, self.spec.type, self.data
        sb.data.append(f"// data of the CAR structure {self.spec.text}")
        sb.declare(f"int<lower=1> Nloc{s}", f"Nloc{s}", cd.Nloc, "number of locations")
        sb.declare(f"array[N] int<lower=1> Jloc{s}", f"Jloc{s}", cd.Jloc, "location of each row")
        sb.declare(f"int<lower=0> Nedges{s}", f"Nedges{s}", len(cd.edges1), "number of neighbour pairs")
        sb.declare(f"array[Nedges{s}] int<lower=1> edges1{s}", f"edges1{s}", cd.edges1)
        sb.declare(f"array[Nedges{s}] int<lower=1> edges2{s}", f"edges2{s}", cd.edges2)
        if t in ("escar", "esicar"):
            sb.declare(f"vector[Nloc{s}] Nneigh{s}", f"Nneigh{s}", cd.Nneigh, "number of neighbours")
            sb.declare(f"vector[Nloc{s}] eigenMcar{s}", f"eigenMcar{s}", cd.eigen,
                       "eigenvalues of the scaled adjacency matrix")
        if t == "bym2":
            sb.declare(f"real<lower=0> car_scale{s}", f"car_scale{s}", cd.car_scale,
                       "scaling factor of the spatial CAR component")
        sb.par.append(f"real<lower=0> sdcar{s};  // SD of the CAR structure")
        fn = {"escar": "sparse_car", "esicar": "sparse_icar"}.get(t)
        if fn:
            sb.functions.append(stan_function(f"{fn}_lpdf"))
        sb.par += stan_lines("autocor", f"car_{t}_parameters", s=s)
        if t != "escar":  # escar samples rcar itself
            sb.tpar_def += stan_lines("autocor", "car_effects", s=s)
            sb.tpar_comp += stan_lines("autocor", f"car_{t}_transform", s=s)
        sb.model_prior += stan_lines("autocor", f"car_{t}_prior", s=s)
        for c in self.classes:
            _prior(pri, f"{c}{s}", priors.get(c), *self.bounds(c), None)
        if pri.data:
            sb.data.append("// prior hyperparameters of the CAR structure")
        sb += pri
        return sb

    def predictor_terms(self) -> list[str]:
        s = self.prefix.suffix
        return [f"rcar{s}[Jloc{s}]"]

    def draws(self, params):
        s = self.prefix.suffix
        out = []
        for c in self.classes:
            out.append((f"{c}{s}", params[f"{c}{s}"], ParamInfo(f"{c}{s}", "autocor", coef=f"{c}{s}")))
        for c in ("rcar", "zcar", "nszcar"):
            if f"{c}{s}" not in params:
                continue
            out += _element_draws(f"{c}{s}", params[f"{c}{s}"], c)
        return out

    def prior_draws(self, priors, sampler):
        return class_prior_draws(self, priors, sampler)

    def new_columns(self, data):
        """Locations of the new rows (0-based); brms refuses new locations and models without ``gr``."""
        if self.spec.gr is None:
            raise DataError(f"Without a grouping factor, CAR models cannot handle newdata ('{self.spec.text}'; "
                            "as brms).")
        if self.spec.gr not in data.columns:
            raise DataError(f"newdata lacks the column {self.spec.gr!r} (locations of '{self.spec.text}').")
        lookup = {str(lv): i for i, lv in enumerate(self.data.locations)}
        labels = data[self.spec.gr].map(level_label).astype(str).to_numpy()
        new = sorted({v for v in labels if v not in lookup})
        if new:
            raise DataError(f"Cannot handle new locations in CAR models ('{self.spec.text}'): {new[:5]}.")
        return np.array([lookup[v] for v in labels], dtype=np.int64)

    def eta(self, param, columns=None):
        rcar = param(f"rcar{self.prefix.suffix}")
        idx = self.data.Jloc - 1 if columns is None else columns
        return rcar[:, idx]
