"""``me(x, sdx)``: a predictor measured with known error (brms's construction).

The observed ``x`` (data ``Xn_<m>``) is a noisy measurement, with known sd
``sdx`` (data ``noise_<m>``), of a latent value ``Xme_<m>``; the predictor
uses the latent value::

    Xme_1 = meanme_1[1] + sdme_1[1] * zme_1;        // non-centred latent values
    mu += ... + bsp[k] * Xme_1;
    target += normal_lpdf(Xn_1 | Xme_1, noise_1);  // measurement model (a prior term)
    target += std_normal_lpdf(zme_1);

As in brms the latent variables belong to the whole model (numbered over all
predictors, declared once: the same ``me(x, sdx)`` in two predictors is one
latent variable), with hyperparameters ``meanme_1`` and ``sdme_1`` (prior
classes ``meanme`` and ``sdme``, coef ``mex``; flat by default, as brms).
Draws: ``bsp_mexsdx`` (class b), ``meanme_mex`` and ``sdme_mex``.

Correlated latent values (brms's default ``set_mecor(TRUE)``): with two or
more me() terms the latent values are multivariate normal, non-centred with
the Cholesky factor ``Lme_1`` of their correlation matrix (prior class
``corme``, default ``lkj(1)``)::

    Xme1 = rep_matrix(transpose(meanme_1), N) + transpose(diag_pre_multiply(sdme_1, Lme_1) * zme_1);
    Xme_1 = Xme1[, 1];                              // zme_1 is matrix[Mme_1, N]

with draws ``corme__mex__mez`` (the correlation of ``mex`` and ``mez``), as in
brms; ``bf(...) + set_mecor(False)`` models them as independent.

``me(x, sdx, gr = g)``: one latent value per level of ``g`` (brms's ``Nme_i``,
``Jme_i``; ``x`` and ``sdx`` must take one value per level, as brms checks).
Predictions on new data draw the latent values from ``normal(x, sdx)`` of the
new rows, as brms does when the latent values are not available; with ``gr``, a
level of the model data keeps its latent value and a new level gets one draw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from ..core.errors import DataError, FormulaError
from ..core.stan import StanBlocks, prior_statement
from ..core.templates import stan_lines
from ..core.types import ParamInfo, PriorRow, cor_pairs
from ..formula.prefix import brms_name
from ..frame.columns import group_index, level_labels
from .sp import SpTerm, eval_arg


def _arguments(term, formula: str) -> tuple[str, str, str]:
    """``me(x, sdx, gr = g)`` as (x, sdx, gr): positional or named as brms's ``me(x, sdx = NULL, gr = NULL)``."""
    call = term.call
    names = ("x", "sdx", "gr")
    given: dict[str, str] = {}
    if len(call.args) > 3:
        raise FormulaError(f"me() takes x, sdx and gr; '{term.text}' in {formula!r} gives {len(call.args)} arguments.")
    for key, value in zip(names, call.args):
        given[key] = value
    for key, value in call.kwargs:
        if key not in names[1:] or key in given:
            raise FormulaError(f"me() arguments are x, sdx and gr (me(x, sdx, gr = g)); {key!r} in '{term.text}' "
                               f"of {formula!r} is {'given twice' if key in given else 'not one of them'}.")
        given[key] = value
    if "x" not in given or "sdx" not in given:
        raise FormulaError(
            f"me() needs the measured variable and its known measurement error sd, e.g. 'me(x, sdx)'; "
            f"got '{term.text}' in {formula!r}."
        )
    return given["x"], given["sdx"], given.get("gr", "")


def _values(term, data: pd.DataFrame, where: str) -> tuple[np.ndarray, np.ndarray]:
    x_expr, sd_expr, _ = _arguments(term, where)
    x = np.asarray(eval_arg(x_expr, data, where), dtype=float)
    noise = np.asarray(eval_arg(sd_expr, data, where), dtype=float)
    if not np.all(np.isfinite(x)):
        raise DataError(f"{where}: the measured values have non-finite entries.")
    if not np.all(np.isfinite(noise)) or np.any(noise <= 0):
        raise DataError(
            f"{where}: the measurement error sd '{sd_expr}' must be positive and finite in every row "
            "(rows without measurement error need a small positive sd)."
        )
    return x, noise


def _group_index(gr: str, data: pd.DataFrame, where: str) -> tuple[np.ndarray, list[str]]:
    """1-based level of ``gr`` per row and the levels (brms's ``extract_levels``: sorted, a factor's order)."""
    if gr not in data.columns:
        raise DataError(f"{where}: the grouping variable {gr!r} of me() is not a column of the data.")
    if data[gr].isna().any():
        raise DataError(f"{where}: the grouping variable {gr!r} of me() has missing values.")
    return group_index(data, (gr,))


def _per_group(values: np.ndarray, J: np.ndarray, levels: list[str], gr: str, where: str) -> np.ndarray:
    """One value per level (brms's ``get_one_value_per_group``), after brms's check that it is unique."""
    frame = pd.DataFrame({"J": J, "v": values})
    counts = frame.groupby("J", sort=True)["v"].nunique()
    bad = counts[counts > 1]
    if len(bad):
        raise DataError(f"{where}: measured values and measurement error should be unique for each group (as brms "
                        f"requires for gr = {gr}). Occurred for level {levels[int(bad.index[0]) - 1]!r} of group "
                        f"{gr!r}.")
    out = np.empty(len(levels))
    out[J - 1] = values  # every level occurs in the data (levels come from it)
    return out


@dataclass
class MeTerm(SpTerm):
    """``me(x, sdx)``: ``bsp[k] * Xme_m`` with ``m`` numbered over the whole model.

    ``me(x, sdx, gr = g)`` has one latent value per level of ``g``: ``Xn_m``,
    ``noise_m`` and ``Xme_m`` have one element per level (``Nme_i``), and the
    predictor reads ``Xme_m[Jme_i]``.  As brms, the latent variables of the
    model are grouped by ``gr`` (``Mme_i``, ``meanme_i``, ``sdme_i``, ``Lme_i``:
    group ``i`` in order of first appearance), each term keeping its model-wide
    number ``m`` (``Xn_m``, ``Xme_m``).

    Attributes (set on the model data)
    ----------------------------------
    Xn, noise : the measured values and their known sd (per row, or per level of ``gr``).
    gr : the grouping variable ("" without).
    J, levels : with ``gr``, the 1-based level of each row and the levels.
    m : the number of its latent variable over the model (:meth:`link`).
    grp, j : its group of latent variables and its place in it.
    owned : on the model's first me() term, every distinct latent variable (it declares them all).
    correlated : on each declared term, whether the latent values of its group are correlated (``set_mecor``).
    """

    kind: ClassVar[str] = "me"

    Xn: np.ndarray | None = field(default=None, repr=False)
    noise: np.ndarray | None = field(default=None, repr=False)
    gr: str = ""
    J: np.ndarray | None = field(default=None, repr=False)
    levels: list[str] = field(default_factory=list, repr=False)
    m: int = 0
    grp: int = 0
    j: int = 0
    owned: list["MeTerm"] = field(default_factory=list, repr=False)
    correlated: bool = False

    @classmethod
    def build(cls, term, prefix, data, formula):
        where = f"'{term.text}' in {formula!r}"
        _, _, gr = _arguments(term, formula)
        t = cls(term, prefix, formula, gr=gr)
        t.Xn, t.noise = _values(term, data, where)
        if gr:
            t.J, t.levels = _group_index(gr, data, where)
            t.Xn = _per_group(t.Xn, t.J, t.levels, gr, where)
            t.noise = _per_group(t.noise, t.J, t.levels, gr, where)
        return t

    @classmethod
    def link(cls, terms, settings):
        """Number the latent variables over the model and group them by ``gr``; the first me() term declares all.

        The latent values of a group are correlated when it has several and the
        model does not say ``set_mecor(False)``.
        """
        seen: dict[str, MeTerm] = {}
        for t in terms:
            t.owned, t.correlated = [], False
            key = t.term.text
            if key not in seen:
                seen[key] = t
                t.m = len(seen)
        groups = list(dict.fromkeys(t.gr for t in seen.values()))
        for g in groups:
            members = [t for t in seen.values() if t.gr == g]
            for j, t in enumerate(members, start=1):
                t.grp, t.j = groups.index(g) + 1, j
                t.correlated = len(members) >= 2 and settings.mecor
        for t in terms:
            first = seen[t.term.text]
            t.m, t.grp, t.j = first.m, first.grp, first.j
            if t is not first:
                t.J, t.levels = first.J, first.levels
        terms[0].owned = list(seen.values())

    @property
    def me_coef(self) -> str:
        """brms's name of the latent variable: ``me(x, sdx)`` -> ``mex``."""
        return "me" + brms_name(self.term.call.args[0])

    @property
    def groups(self) -> list[list["MeTerm"]]:
        """On the declaring term: the latent variables of each group (``Mme_i``), in group order."""
        out: dict[int, list[MeTerm]] = {}
        for t in self.owned:
            out.setdefault(t.grp, []).append(t)
        return [out[i] for i in sorted(out)]

    @property
    def cor(self) -> bool:
        """Whether any group of this (declaring) term's latent variables is correlated."""
        return any(g[0].correlated for g in self.groups)

    @staticmethod
    def corme_names_of(group: list["MeTerm"]) -> list[str]:
        """brms's names of a group's latent correlations: ``corme__mex__mez``, ``corme_g__mex__mez`` with gr = g."""
        coefs = [t.me_coef for t in group]
        head = "corme" + (f"_{group[0].gr}" if group[0].gr else "")
        return [f"{head}__{coefs[j]}__{coefs[k]}" for j, k in cor_pairs(len(coefs))]

    @property
    def corme_names(self) -> list[str]:
        """Every latent correlation's name, group by group."""
        return [n for g in self.groups if g[0].correlated for n in self.corme_names_of(g)]

    # -- priors: one set for the model, given by the declaring term
    def prior_rows(self, base, scale_prior):
        rows = []
        if self.owned:
            rows.append(PriorRow("", "meanme", **base))
            rows += [PriorRow("", "meanme", coef=t.me_coef, **base) for t in self.owned]
            rows.append(PriorRow("", "sdme", lb="0", **base))
            rows += [PriorRow("", "sdme", coef=t.me_coef, **base) for t in self.owned]
        cor_groups = [g[0].gr for g in self.groups if g[0].correlated] if self.owned else []
        if cor_groups:
            rows.append(PriorRow("lkj(1)", "corme", **base))
            rows += [PriorRow("", "corme", group=g, **base) for g in cor_groups if g]  # inherits the class row
        return rows

    def resolve_priors(self, lookup):
        if not self.owned:
            return {}
        out = {
            "meanme": [lookup(("meanme", t.me_coef), ("meanme", "")) for t in self.owned],
            "sdme": [lookup(("sdme", t.me_coef), ("sdme", "")) for t in self.owned],
            "corme": {g[0].grp: (lookup(("corme", "", g[0].gr), ("corme",)) if g[0].gr else lookup(("corme",)))
                      for g in self.groups if g[0].correlated},
        }
        return out

    def flat_parameters(self, priors):
        return [f"{par}_{t.me_coef}" for par in ("meanme", "sdme") for t, p in zip(self.owned, priors.get(par, []))
                if p is None]

    # -- code
    @classmethod
    def stan_kind(cls, terms, priors):
        sb = StanBlocks()
        owner = next((j for j, t in enumerate(terms) if t.owned), None)
        if owner is None:
            return sb  # declared by the first me() term of the model
        declaring, p = terms[owner], priors[owner]
        position = {id(t): n for n, t in enumerate(declaring.owned)}
        sb.data.append("// data for noise-free variables")
        sb.par.append("// parameters for noise free variables")
        for group in declaring.groups:
            i, gr = group[0].grp, group[0].gr
            size = f"Nme_{i}" if gr else "N"
            if gr:
                sb.declare(f"int<lower=0> Nme_{i}", f"Nme_{i}", len(group[0].levels), f"number of levels of {gr}")
                sb.declare(f"array[N] int<lower=1> Jme_{i}", f"Jme_{i}", group[0].J, "level of each row")
            sb.declare(f"int<lower=1> Mme_{i}", f"Mme_{i}", len(group), "number of latent variables")
            for t in group:
                sb.declare(f"vector[{size}] Xn_{t.m}", f"Xn_{t.m}", t.Xn, f"noisy values of {t.term.text}")
                sb.declare(f"vector<lower=0>[{size}] noise_{t.m}", f"noise_{t.m}", t.noise, "measurement noise")
            sb.par += [f"vector[Mme_{i}] meanme_{i};  // latent means",
                       f"vector<lower=0>[Mme_{i}] sdme_{i};  // latent SDs"]
            members = [position[id(t)] for t in group]
            if group[0].correlated:
                _stan_correlated(sb, group, i, size, p["corme"].get(i))
            else:
                sb.par += [f"vector[{size}] zme_{t.m};  // standardized latent values" for t in group]
                sb.tpar_def += [f"vector[{size}] Xme_{t.m};  // actual latent values of {t.term.text}" for t in group]
                sb.tpar_comp.append("// compute actual latent values")
                sb.tpar_comp += [f"Xme_{t.m} = meanme_{i}[{t.j}] + sdme_{i}[{t.j}] * zme_{t.m};" for t in group]
            prior_statement(sb, f"meanme_{i}", f"meanme_{i}", [p["meanme"][n] for n in members], f"Mme_{i}")
            prior_statement(sb, f"sdme_{i}", f"sdme_{i}", [p["sdme"][n] for n in members], f"Mme_{i}", lower=0)
            sb.model_prior += [f"target += normal_lpdf(Xn_{t.m} | Xme_{t.m}, noise_{t.m});" for t in group]
            if group[0].correlated:
                sb.model_prior.append(f"target += std_normal_lpdf(to_vector(zme_{i}));")
            else:
                sb.model_prior += [f"target += std_normal_lpdf(zme_{t.m});" for t in group]
        return sb

    def expression(self):
        return f"Xme_{self.m}[Jme_{self.grp}]" if self.gr else f"Xme_{self.m}"

    # -- draws and predictions
    def draws(self, params):
        out = []
        for t in self.owned:
            for par in ("meanme", "sdme"):
                name = f"{par}_{t.me_coef}"
                out.append((name, params[f"{par}_{t.grp}"][..., t.j - 1], ParamInfo(name, "me", coef=t.me_coef)))
        for group in self.groups:
            if group[0].correlated:
                corme = params[f"corme_{group[0].grp}"]
                for k, name in enumerate(self.corme_names_of(group)):
                    coef = name.split("__", 1)[1]
                    out.append((name, corme[..., k], ParamInfo(name, "me", coef=coef)))
        return out

    def prior_draws(self, priors, sampler):
        out = {}
        for par, lower in (("meanme", None), ("sdme", 0.0)):
            for t, p in zip(self.owned, priors.get(par, [])):
                values = sampler.scalar(p, lower=lower)
                if values is not None:
                    out[f"prior_{par}_{t.me_coef}"] = values
        for group in self.groups:  # brms: one draw per group, the marginal of any correlation under lkj
            if group[0].correlated:
                values = sampler.lkj_marginal(priors.get("corme", {}).get(group[0].grp), len(group))
                if values is not None:
                    out["prior_corme" + (f"_{group[0].gr}" if group[0].gr else "")] = values
        return out

    def new_columns(self, data):
        """(observed x, its sd, level of each row or None) on new data."""
        where = f"'{self.term.text}' in newdata"
        x, noise = _values(self.term, data, where)
        if not self.gr:
            return x, noise, None
        if self.gr not in data.columns:
            raise DataError(f"{where}: the grouping variable {self.gr!r} of me() is not a column of newdata.")
        return x, noise, level_labels(data, (self.gr,))

    def value(self, param, columns=None):
        Xme = param(f"Xme_{self.m}")  # (S, N) latent values of the model data, (S, Nme) with gr
        if columns is None:
            return Xme[:, self.J - 1] if self.gr else Xme
        x, noise, labels = columns
        rng = np.random.default_rng()
        if labels is None:  # new rows: latent values drawn from the measurement model, as brms
            return rng.normal(x[None, :], noise[None, :], size=(Xme.shape[0], len(x)))
        # gr: a level of the model data keeps its latent value; a new level gets one draw per level
        known = {lev: n for n, lev in enumerate(self.levels)}
        out = np.empty((Xme.shape[0], len(x)))
        for lev in dict.fromkeys(labels):
            rows = np.flatnonzero(labels == lev)
            if lev in known:
                out[:, rows] = Xme[:, [known[lev]]]
            else:
                out[:, rows] = rng.normal(x[rows[0]], noise[rows[0]], size=(Xme.shape[0], 1))
        return out


def _stan_correlated(sb, group: list[MeTerm], i: int, size: str, corme_prior) -> None:
    """Parameters and latent values of one group of correlated me() terms (brms's ``set_mecor(TRUE)`` code)."""
    sb.declare(f"int<lower=1> NCme_{i}", f"NCme_{i}", len(group) * (len(group) - 1) // 2, "number of latent correlations")
    sb.par += [
        f"matrix[Mme_{i}, {size}] zme_{i};  // standardized latent values",
        f"cholesky_factor_corr[Mme_{i}] Lme_{i};  // cholesky factor of the latent correlation matrix",
    ]
    sb.tpar_def.append(f"matrix[{size}, Mme_{i}] Xme{i};  // actual latent values")
    sb.tpar_def += [f"vector[{size}] Xme_{t.m};  // actual latent values of {t.term.text}" for t in group]
    sb.tpar_comp += [
        "// compute actual latent values (correlated)",
        f"Xme{i} = rep_matrix(transpose(meanme_{i}), {size}) + transpose(diag_pre_multiply(sdme_{i}, Lme_{i}) * zme_{i});",
    ]
    sb.tpar_comp += [f"Xme_{t.m} = Xme{i}[, {t.j}];" for t in group]
    if corme_prior is not None:
        sb.data.append("// prior hyperparameter of the latent correlations")
        prior_statement(sb, f"Lme_{i}", f"Lme_{i}", [corme_prior], None)
    names = dict(Cor=f"Corme_{i}", cor=f"corme_{i}", M=f"Mme_{i}")
    sb.gen_def += stan_lines("correlations", "declare", comment="obtain the latent correlation matrix", NC=f"NCme_{i}",
                             L=f"Lme_{i}", **names)
    sb.gen_comp += stan_lines("correlations", "extract", what="the latent correlation matrix", **names)
