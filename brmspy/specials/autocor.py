"""The autocorrelation terms ``ar()``, ``ma()``, ``arma()`` and ``cosy()`` as a special-term plug-in.

Families without natural residuals (poisson, bernoulli, ...) get brms's latent residuals: ``mu`` gains
``err = sderr * zerr`` (``zerr ~ std_normal()``), correlated within series by the term's correlation
matrix (``cov = TRUE``, ``cosy()``: brms's ``scale_time_err``) or, for ``ar()`` without ``cov``, with
``mu[n] += ar' err[n - 1 .. n - p]`` (brms's program).  ``ar``/``ma`` are then bounded to (-1, 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ..core.distributions import PriorDist, format_number
from ..core.errors import FormulaError
from ..core.stan import StanBlocks
from ..core.types import ParamInfo, PriorRow
from ..core.templates import stan_function, stan_lines
from ..frame.autocor import AUTOCOR_KINDS, AutocorSpec, Series, has_latent_residuals, series_of, specs_of
from ..frame.specials import SpecialDesign
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

    def see_family(self, family) -> None:
        self.latent = has_latent_residuals(family)

    @classmethod
    def build(cls, prefix, terms, data, formula):
        if prefix.dpar != "mu":
            raise FormulaError(
                f"The autocorrelation term '{terms[0].text}' in {formula!r} belongs in the formula of the response (mu), "
                f"not of {prefix.dpar!r}."
            )
        spec = specs_of(terms, formula)[0]
        return cls(prefix, terms, formula, spec, series_of(data, spec), n_rows=len(data))

    @property
    def classes(self) -> list[str]:
        """Parameter classes of the structure: ``ar``, ``ma``, ``cosy``."""
        s = self.spec
        return ["cosy"] if s.kind == "cosy" else [c for c, k in (("ar", s.p), ("ma", s.q)) if k > 0]

    def bounds(self, cls_: str) -> tuple[float | None, float | None]:
        """brms's bounds: none for ARMA coefficients in the conditional formulation, (-1, 1) with cov, (0, 1) for cosy."""
        if cls_ == "cosy":
            return 0.0, 1.0
        return (-1.0, 1.0) if self.spec.cov or self.latent else (None, None)

    def prior_rows(self, base, scale_prior):
        rows = [PriorRow(scale_prior, "sderr", lb="0", resp=base["resp"])] if self.latent else []
        for c in self.classes:
            lb, ub = self.bounds(c)
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
            values = params[f"{c}{s}"]
            if c == "cosy":
                out.append((f"cosy{s}", values, ParamInfo(f"cosy{s}", "autocor", coef=f"cosy{s}")))
                continue
            for k in range(values.shape[2]):
                name = f"{c}{s}[{k + 1}]"
                out.append((name, values[..., k], ParamInfo(name, "autocor", coef=name)))
        if self.latent:
            for c in ("zerr", "err"):
                values = params[f"{c}{s}"]
                for k in range(values.shape[2]):
                    name = f"{c}{s}[{k + 1}]"
                    out.append((name, values[..., k], ParamInfo(name, c, coef=name)))
        return out

    def prior_draws(self, priors, sampler):
        """``prior_ar``, ``prior_ma``, ``prior_cosy``: one draw per class (shared by its coefficients), within the bounds."""
        out = {}
        for c in self.classes:
            values = sampler.scalar(priors.get(c), *self.bounds(c))
            if values is not None:
                out[f"prior_{c}{self.prefix.suffix}"] = values
        if self.latent and (values := sampler.scalar(priors.get("sderr"), lower=0.0)) is not None:
            out[f"prior_sderr{self.prefix.suffix}"] = values
        return out


def autocor_design(design: "PopulationDesign") -> AutocorDesign | None:
    """The :class:`AutocorDesign` of a linear predictor, or None."""
    return next((sp for sp in design.specials if isinstance(sp, AutocorDesign)), None)


_COMMENTS = {"ar": "autoregressive coefficients", "ma": "moving-average coefficients",
             "cosy": "compound symmetry correlation"}


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
    if spec.time_cov:
        sb.data.append(f"// series of the residual covariance structure {spec.text}")
        sb.declare(f"int<lower=1> N_tg{s}", f"N_tg{s}", len(series.begin), "number of series")
        sb.declare(f"array[N_tg{s}] int<lower=1> begin_tg{s}", f"begin_tg{s}", series.begin, "first row of each series")
        sb.declare(f"array[N_tg{s}] int<lower=1> end_tg{s}", f"end_tg{s}", series.end, "last row of each series")
        sb.declare(f"array[N_tg{s}] int<lower=1> nobs_tg{s}", f"nobs_tg{s}", series.nobs, "number of rows of each series")
        sb.tdata_def.append(f"int max_nobs_tg{s} = max(nobs_tg{s});  // rows of the largest series")
    prior_sb = StanBlocks()
    if ac.latent:  # brms's latent residuals
        sb.par.append(f"vector[N] zerr{s};  // unscaled residuals")
        sb.par.append(f"real<lower=0> sderr{s};  // SD of residuals")
        sb.tpar_def.append(f"vector[N] err{s};  // actual residuals")
        if spec.time_cov:
            fun, args = time_cor_function(ac)
            sb.functions += [stan_function(f"cholesky_cor_{fun}"), stan_function("scale_time_err")]
            sb.tpar_comp += stan_lines("autocor", "latent_time_err", s=s, fun=fun, args=args)
        else:
            sb.tpar_comp.append(f"err{s} = sderr{s} * zerr{s};")
        sb.model_prior.append(f"target += std_normal_lpdf(zerr{s});")
        _prior(prior_sb, f"sderr{s}", priors.get("sderr"), 0.0, None, None)
    for c in ac.classes:
        lb, ub = ac.bounds(c)
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
