"""Conditional effects of predictors, as brms's ``conditional_effects``.

For each effect (a predictor, or a two-way interaction ``"x:f"``) predictions
are made on a grid of that predictor while the other predictors are held at
their mean (numeric) or reference level (factors), without group-level
effects by default.  The result holds one DataFrame per effect with brms's
columns (``effect1__``, ``effect2__``, ``estimate__``, ``se__``, ``lower__``,
``upper__``, ``cond__``) and draws them with :meth:`ConditionalEffects.plot`.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import numpy as np, pandas as pd, brmspy as bp
>>> rng = np.random.default_rng(1)
>>> df = pd.DataFrame({"x": rng.normal(size=80), "f": rng.choice(["a", "b"], size=80)})
>>> df["y"] = 1 + 0.5 * df["x"] + (df["f"] == "b") + rng.normal(size=80)
>>> fit = bp.brm("y ~ x + f", df, iter=400, chains=2, seed=1, refresh=0, backend="stanli")
>>> ce = conditional_effects(fit)
>>> list(ce), len(ce["x"]), list(ce["f"]["effect1__"])
(['x', 'f'], 100, ['a', 'b'])
>>> figs = ce.plot(points=True)
>>> len(figs)
2
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator, Sequence

import numpy as np
import pandas as pd

from ..core.errors import DataWarning, warn
from ..fit.brmsfit import BrmsFit
from ..formula.syntax import split_top
from ..frame.build import variables_of
from ..frame.columns import names_in_text
from ..prediction import core as predict
from .ppc import PlotError
from .style import DARK, LIGHT, FigureList, _grid, shown_once

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["ConditionalEffects", "conditional_effects", "CE_METHODS"]

CE_METHODS: tuple[str, ...] = ("posterior_epred", "posterior_predict", "posterior_linpred")
_FACTOR_CALL = re.compile(r"\b(?:as\.)?(?:factor|C)\(\s*`?([A-Za-z_.][A-Za-z0-9_.]*)`?")


# ================================================================ result


@dataclass
class ConditionalEffects(Mapping):
    """One DataFrame per effect (``"x"``, ``"f"``, ``"x:f"``), as brms's list.

    Attributes
    ----------
    effects : effect name -> DataFrame of the grid, ``effect1__``/``effect2__``,
        ``estimate__``, ``se__``, ``lower__``, ``upper__`` and ``cond__``.
    response : label of the predicted quantity (the response or the dpar).
    types : effect name -> ``("numeric" | "factor", ...)`` per effect variable.
    points : effect name -> the observed data (``effect1__``, ``effect2__``,
        ``resp__``, ``cond__``) matching the conditions, for ``plot(points=True)``.
    method : the prediction method used.
    """

    effects: dict[str, pd.DataFrame]
    response: str
    types: dict[str, tuple[str, ...]]
    points: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    method: str = "posterior_epred"

    def __getitem__(self, key: str) -> pd.DataFrame:
        if key not in self.effects:
            raise KeyError(f"No effect {key!r}; effects: {', '.join(self.effects)}.")
        return self.effects[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.effects)

    def __len__(self) -> int:
        return len(self.effects)

    def __repr__(self) -> str:
        rows = ", ".join(f"{k} ({len(v)} rows)" for k, v in self.effects.items())
        return f"ConditionalEffects of {self.response} [{self.method}]: {rows}"

    def plot(self, points: bool = False, ncol: int | None = None) -> FigureList:
        """One figure per effect: line and band for numeric effects, points and error bars for factors.

        Interactions get one colour per level of the second variable; several rows
        of ``conditions`` give one panel each.

        Parameters
        ----------
        points : also draw the observed data (those matching the conditions).
        ncol : panels per row when there are several conditions.

        Examples
        --------
        >>> figs = conditional_effects(fit, "x:f").plot()   # doctest: +SKIP
        >>> figs[0].savefig("x_by_f.png")                   # doctest: +SKIP
        """
        return FigureList(self._plot_one(name, points, ncol) for name in self.effects)

    def _plot_one(self, name: str, points: bool, ncol: int | None) -> "Figure":
        import matplotlib.pyplot as plt

        df = self.effects[name]
        types = self.types[name]
        ylabel, bare = self.response, name
        resps = self.response.split(", ")
        if len(resps) > 1 and name.split(".", 1)[0] in resps:  # multivariate: "<resp>.<effect>"
            ylabel, bare = name.split(".", 1)
        variables = bare.split(":")
        conds = list(df["cond__"].cat.categories)
        nrows, ncols = _grid(len(conds), ncol or max(int(np.sqrt(len(conds))), 3))
        fig, axes = plt.subplots(nrows, ncols, figsize=(min(5 * ncols, 15), 3.8 * nrows), squeeze=False,
                                 layout="constrained")
        shown_once(fig)
        flat = list(axes.ravel())
        for extra in flat[len(conds):]:
            fig.delaxes(extra)
        pts = self.points.get(name)
        for a, cond in zip(flat, conds):
            sub = df[df["cond__"] == cond]
            p = pts[pts["cond__"] == cond] if (points and pts is not None) else None
            _draw_effect(a, sub, types, variables, p)
            a.set_xlabel(variables[0])
            a.set_ylabel(ylabel)
            if len(conds) > 1:
                a.set_title(str(cond), fontsize=9)
        return fig


def _colors(n: int) -> list:
    import matplotlib.pyplot as plt

    if n == 1:
        return [DARK]
    cmap = plt.get_cmap("tab10" if n <= 10 else "viridis")
    return [cmap(i if n <= 10 else i / (n - 1)) for i in range(n)]


def _draw_effect(a, df: pd.DataFrame, types: tuple[str, ...], variables: list[str], pts: pd.DataFrame | None) -> None:
    groups = list(df["effect2__"].cat.categories) if len(types) == 2 else [None]
    colors = _colors(len(groups))
    factor1 = types[0] == "factor"
    levels1 = list(df["effect1__"].cat.categories) if factor1 else None
    pos = {lv: i for i, lv in enumerate(levels1)} if factor1 else None
    if pts is not None and len(pts):
        xs = pts["effect1__"].map(pos).to_numpy(dtype=float) if factor1 else pts["effect1__"].to_numpy(dtype=float)
        if len(types) == 2 and types[1] == "factor":
            c = [colors[groups.index(g)] if g in groups else "grey" for g in pts["effect2__"]]
        else:
            c = "grey"
        a.scatter(xs, pts["resp__"].to_numpy(dtype=float), s=8, c=c, alpha=0.4, lw=0, zorder=1)
    offsets = np.linspace(-0.2, 0.2, len(groups)) if (factor1 and len(groups) > 1) else np.zeros(len(groups))
    for g, color, off in zip(groups, colors, offsets):
        sub = df if g is None else df[df["effect2__"] == g]
        label = None if g is None else str(g)
        if factor1:
            x = sub["effect1__"].map(pos).to_numpy(dtype=float) + off
            est = sub["estimate__"].to_numpy()
            a.errorbar(x, est, yerr=[est - sub["lower__"].to_numpy(), sub["upper__"].to_numpy() - est], fmt="o",
                       color=color, capsize=4, ms=6, lw=1.5, label=label, zorder=3)
        else:
            x = sub["effect1__"].to_numpy(dtype=float)
            a.fill_between(x, sub["lower__"].to_numpy(), sub["upper__"].to_numpy(),
                           color=LIGHT if g is None else color, alpha=0.6 if g is None else 0.25, lw=0, zorder=2)
            a.plot(x, sub["estimate__"].to_numpy(), color=color, lw=2, label=label, zorder=3)
    if factor1:
        a.set_xticks(range(len(levels1)), [str(v) for v in levels1])
    if len(groups) > 1:
        a.legend(title=variables[1], frameon=False, fontsize=8)


# ================================================================ variables


def _term_effects(term: str, columns: set[str]) -> list[tuple[str, ...]]:
    """Variable combinations a population term contributes (main effects and pairs)."""

    def vars_of(text: str) -> list[str]:
        out: list[str] = []
        for n in names_in_text(text):
            if n in columns and n not in out:
                out.append(n)
        return out

    pieces = split_top(term, "*")
    if len(pieces) > 1:  # x * f: main effects and every two-way interaction
        allv = vars_of(term)
        return [(v,) for v in allv] + list(itertools.combinations(allv, 2))
    v = vars_of(term)
    return [tuple(v)] if 1 <= len(v) <= 2 else []


@dataclass
class _ModelVars:
    effects: list[tuple[str, ...]]  # default effects, in model order
    predictors: list[str]  # variables valid as effects
    required: list[str]  # every column newdata needs
    group_vars: set[str]
    trials_vars: set[str]
    factor_calls: set[str]  # variables wrapped in factor()/C() in the formula
    int_vars: set[str] = field(default_factory=set)  # mo() variables: integer grids and conditions, as brms
    subset_vars: set[str] = field(default_factory=set)  # subset(s): held at TRUE (1), as brms


def _model_vars(fit: "BrmsFit", resp: str | None = None) -> _ModelVars:
    t = _resp_terms(fit, resp)
    data = fit.frame.data
    cols = set(map(str, data.columns))
    effects: list[tuple[str, ...]] = []

    def add(combo: tuple[str, ...]) -> None:
        if combo and not any(set(combo) == set(e) and len(combo) == len(e) for e in effects):
            effects.append(combo)

    factor_calls: set[str] = set()
    for part in t.parts.values():
        for term in part.terms.population:
            factor_calls.update(_FACTOR_CALL.findall(term))
            for combo in _term_effects(term, cols):
                add(combo)
    int_vars: set[str] = set()
    for part in t.parts.values():
        for s in part.terms.special_terms:  # mo(x), me(x, sdx), mi(x): the variable is an effect
            if s.kind in ("mo", "me", "mi") and s.call.args:
                for combo in _term_effects(s.call.args[0], cols):
                    add(combo)
                if s.kind == "mo":
                    int_vars.update(v for v in names_in_text(s.call.args[0]) if v in cols)
            elif s.kind == "sp":  # mo(x):z and other sp products: the pair of their variables
                for combo in _term_effects(s.text.replace(":", "*"), cols):
                    add(combo)
                int_vars.update(v for f in s.factors if f.startswith("mo(") for v in names_in_text(f) if v in cols)
            elif s.kind in ("s", "t2", "gp"):  # smooths and GPs: each covariate, with its by-variable
                by = s.call.kwarg("by")
                for arg in s.call.args:
                    for combo in _term_effects(arg, cols):
                        add(combo + ((by.strip(),) if by and by.strip() in cols else ()))
    for nl in t.nonlinear.values():
        cov = [c for c in nl.covariates if c in cols]
        for c in cov:
            add((c,))
        for pair in itertools.combinations(cov, 2):
            add(pair)
    response_vars = set(names_in_text(t.response.expr)) if t.response.expr not in cols else {t.response.expr}
    trials = t.response.addition("trials")
    trials_vars = {v for v in names_in_text(trials.args["n"]) if v in cols} if trials is not None else set()
    group_vars = {v for b in fit.frame.blocks for v in (*b.group_vars, *((b.by,) if b.by else ()))}
    predictors = []
    for e in effects:
        for v in e:
            if v not in predictors:
                predictors.append(v)
    required = [c for c in variables_of(t, data) if c not in response_vars]
    sub = t.response.addition("subset")
    subset_vars = {v for v in names_in_text(sub.args.get("x", "")) if v in cols} if sub is not None else set()
    return _ModelVars(effects, predictors, required, group_vars, trials_vars, factor_calls, int_vars, subset_vars)


def _is_factor(s: pd.Series, name: str, mv: _ModelVars) -> bool:
    return (isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object or pd.api.types.is_string_dtype(s.dtype)
            or pd.api.types.is_bool_dtype(s.dtype) or name in mv.factor_calls or name in mv.group_vars)


def _levels(s: pd.Series) -> list:
    if isinstance(s.dtype, pd.CategoricalDtype):
        present = set(s.dropna())
        return [c for c in s.cat.categories if c in present]
    return sorted(pd.unique(s.dropna()), key=lambda v: (isinstance(v, str), v))


def _parse_effects(effects: str | Sequence[str] | None, mv: _ModelVars) -> tuple[list[tuple[str, ...]], bool]:
    if effects is None:
        if not mv.effects:
            raise PlotError("The model has no population-level predictors, so there are no conditional effects.")
        return list(mv.effects), True
    wanted = [effects] if isinstance(effects, str) else list(effects)
    out = []
    for e in wanted:
        if not isinstance(e, str):
            raise PlotError(f"Effects must be strings such as 'x' or 'x:f'; got {e!r}.")
        parts = tuple(p.strip() for p in e.split(":"))
        if len(parts) > 2:
            raise PlotError(f"Effect {e!r}: interactions of order higher than 2 need the 'conditions' argument.")
        bad = [p for p in parts if p not in mv.predictors]
        if bad or len(set(parts)) != len(parts):
            raise PlotError(
                f"Invalid effect {e!r}"
                + (f": {', '.join(map(repr, bad))} is not a predictor of the model" if bad else "")
                + f". Valid effects are (combinations of): {', '.join(mv.predictors) or 'none'}."
            )
        out.append(parts)
    return out, False


# ================================================================ grids


def _default_value(s: pd.Series, name: str, mv: _ModelVars):
    if name in mv.trials_vars:
        return 1  # brms: trials set to 1 unless given in conditions
    if name in mv.subset_vars:  # brms: the rows of the subset
        return True if _is_factor(s, name, mv) else 1
    if _is_factor(s, name, mv):
        return _levels(s)[0]
    if name in mv.int_vars:
        return float(np.round(np.mean(s.astype(float))))
    return float(np.mean(s.astype(float)))


def _effect_grid(data: Mapping[str, pd.Series], eff: tuple[str, ...], types: tuple[str, ...], resolution: int) -> pd.DataFrame:
    s1 = data[eff[0]]
    if types[0] == "factor":
        v1 = _levels(s1)
    else:
        x = s1.astype(float)
        v1 = np.linspace(x.min(), x.max(), resolution)
    if len(eff) == 1:
        return pd.DataFrame({eff[0]: v1})
    s2 = data[eff[1]]
    if types[1] == "factor":
        v2 = _levels(s2)
    else:
        x2 = s2.astype(float)
        v2 = x2.mean() + np.array([-1.0, 0.0, 1.0]) * x2.std(ddof=1)
    rows = list(itertools.product(v1, v2))  # first variable slowest, as brms orders the grid
    return pd.DataFrame(rows, columns=list(eff))


def _like(values: pd.Series, template: pd.Series) -> pd.Series:
    """Give grid values the dtype of the data column (categories, strings, numbers)."""
    if isinstance(template.dtype, pd.CategoricalDtype):
        return pd.Series(pd.Categorical(values, categories=template.cat.categories, ordered=template.cat.ordered))
    if pd.api.types.is_numeric_dtype(template.dtype) and not pd.api.types.is_bool_dtype(template.dtype):
        v = values.astype(float)
        if pd.api.types.is_integer_dtype(template.dtype) and np.all(v == np.round(v)):
            return v.astype(template.dtype)  # keeps factor(k) levels such as "2" (not "2.0")
        return v
    return values.astype(template.dtype)


def _prepare_conditions(conditions: pd.DataFrame | Mapping | None, data: pd.DataFrame,
                        mv: _ModelVars) -> tuple[pd.DataFrame, list[str]]:
    """One row per condition with every required column, and the condition labels."""
    if conditions is None:
        cond = pd.DataFrame(index=[0])
        labels = ["1"]
    else:
        cond = pd.DataFrame(conditions).reset_index(drop=True)
        if cond.empty:
            raise PlotError("conditions must have at least one row.")
        unused = [c for c in cond.columns if c != "cond__" and c not in data.columns]
        if unused:
            warn(f"Variables in 'conditions' that are not part of the model: {', '.join(unused)}.", DataWarning)
        if "cond__" in cond.columns:
            labels = [str(v) for v in cond["cond__"]]
        else:
            shown = [c for c in cond.columns if c in data.columns]
            labels = [" & ".join(f"{c} = {_fmt(row[c])}" for c in shown) or str(i) for i, row in cond.iterrows()]
        if len(set(labels)) != len(labels):
            raise PlotError("Condition labels (rows of conditions / its cond__ column) must be unique.")
        cond = cond.drop(columns=["cond__"], errors="ignore")
    for v in mv.required:
        if v not in cond.columns:
            cond[v] = _default_value(data[v], v, mv)
    return cond, labels


def _fmt(v) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".") if isinstance(v, (float, np.floating)) else str(v)


# ================================================================ main


def conditional_effects(fit: "BrmsFit", effects: str | Sequence[str] | None = None,
                        conditions: pd.DataFrame | Mapping | None = None, re_formula: Any = "~ 0",
                        method: str = "posterior_epred", prob: float = 0.95, robust: bool = True,
                        resolution: int = 100, ndraws: int | None = None, dpar: str | None = None,
                        seed: int | None = None, resp: str | None = None) -> ConditionalEffects:
    """Conditional effects of predictors, as brms's ``conditional_effects``.

    Parameters
    ----------
    fit : a fitted model.
    effects : ``"x"``, ``"x:f"`` or a list of them; by default every population-level
        main effect and two-way interaction of the model (numeric variables first).
    conditions : a DataFrame (or dict of columns) whose rows give values of other
        predictors to condition on, one panel per row; a ``cond__`` column sets the
        panel titles.  Variables not given are held at their mean (numeric) or first
        level (factors); a ``trials()`` variable is set to 1; grouping columns get
        their first level as a placeholder.
    re_formula : group-level effects to include: ``"~ 0"`` (default, brms's ``NA``)
        for none, ``None`` for all, or a formula such as ``"~ (1 | g)"``.
    method : ``"posterior_epred"`` (default), ``"posterior_predict"`` or ``"posterior_linpred"``.
    prob : probability mass of the interval (``lower__``, ``upper__``).
    robust : median and MAD (default, as brms) instead of mean and SD for
        ``estimate__`` and ``se__``.
    resolution : number of grid points of a numeric effect.
    ndraws : number of posterior draws (all by default).
    dpar : a distributional parameter (``"sigma"``) to show instead of the mean.
    seed : seed for draw selection and predictive simulation.
    resp : in multivariate models, the response whose effects to show; by default
        every response, with effects named ``"<resp>.<effect>"`` as in brms.

    Returns
    -------
    ConditionalEffects
        A mapping of effect name to DataFrame; ``.plot()`` draws it.

    Examples
    --------
    >>> ce = conditional_effects(fit, ["x", "f", "x:f"])   # doctest: +SKIP
    >>> ce["f"][["effect1__", "estimate__", "lower__", "upper__"]]  # doctest: +SKIP
    """
    if method not in CE_METHODS:
        raise PlotError(f"Unknown method {method!r}; use one of {', '.join(CE_METHODS)}.")
    if not 0 < prob < 1:
        raise PlotError(f"prob must be between 0 and 1, got {prob!r}.")
    if not isinstance(resolution, (int, np.integer)) or resolution < 2:
        raise PlotError(f"resolution must be an integer >= 2, got {resolution!r}.")
    if dpar is not None and method == "posterior_predict":
        raise PlotError("dpar= cannot be used with method='posterior_predict'; use posterior_epred or posterior_linpred.")
    if resp is None and len(fit.frame.response_terms) > 1:
        return _all_responses(fit, effects, dict(conditions=conditions, re_formula=re_formula, method=method,
                                                 prob=prob, robust=robust, resolution=resolution, ndraws=ndraws,
                                                 dpar=dpar, seed=seed))
    mv = _model_vars(fit, resp)
    # grids and default conditions from every row of the model (brms's model.frame(fit)), also with subset()
    data = fit.frame.data if fit.frame.all_rows is None else fit.frame.all_rows
    eff_list, default = _parse_effects(effects, mv)
    cond, labels = _prepare_conditions(conditions, data, mv)
    t = _resp_terms(fit, resp)
    response = dpar or t.response.expr
    y = np.asarray(fit.frame.responses[t.resp].y, dtype=float)
    fitted_rows = fit.frame.data_of(t.resp)  # multivariate subset(): the response's own rows
    lo_q, hi_q = (1 - prob) / 2, (1 + prob) / 2

    out: dict[str, pd.DataFrame] = {}
    types_out: dict[str, tuple[str, ...]] = {}
    points: dict[str, pd.DataFrame] = {}
    for eff in eff_list:
        types = tuple("factor" if _is_factor(data[v], v, mv) else "numeric" for v in eff)
        if default and len(eff) == 2 and types == ("factor", "numeric"):
            eff, types = eff[::-1], types[::-1]  # numeric effects first, as brms
        # factor levels of the fitted rows (subset(): a level only outside the subset has no coefficient)
        grid = _effect_grid({v: fitted_rows[v] if typ == "factor" else data[v] for v, typ in zip(eff, types)},
                            eff, types, resolution)
        for v, typ in zip(eff, types):
            if v in mv.int_vars and typ == "numeric":  # mo(): integer values only
                grid[v] = grid[v].round()
                grid = grid.drop_duplicates().reset_index(drop=True)
        frames = []
        for i, label in enumerate(labels):
            g = grid.copy()
            for c in cond.columns:
                if c not in eff:
                    g[c] = cond[c].iloc[i]
            g["cond__"] = label
            frames.append(g)
        newdata = pd.concat(frames, ignore_index=True)
        for c in newdata.columns:
            if c in data.columns:
                newdata[c] = _like(newdata[c], data[c])
        # a grid has no time order: ar()/ma()/cosy() terms are left out (their residual terms have mean 0)
        pred_kw: dict[str, Any] = dict(newdata=newdata.drop(columns="cond__"), re_formula=re_formula,
                                       ndraws=ndraws, allow_new_levels=True, seed=seed, incl_autocor=False)
        if dpar is not None:
            pred_kw["dpar"] = dpar
        if resp is not None:
            pred_kw["resp"] = resp
        draws = np.asarray(getattr(predict, method)(fit, **pred_kw), dtype=float)
        if robust:
            est = np.median(draws, axis=0)
            se = 1.4826 * np.median(np.abs(draws - est), axis=0)
        else:
            est, se = draws.mean(axis=0), draws.std(axis=0, ddof=1)
        df = newdata.copy()
        for k, (v, typ) in enumerate(zip(eff, types), start=1):
            df[f"effect{k}__"] = _effect_column(df[v], data[v], typ, k)
        df["estimate__"], df["se__"] = est, se
        df["lower__"], df["upper__"] = np.quantile(draws, [lo_q, hi_q], axis=0)
        df["cond__"] = pd.Categorical(df["cond__"], categories=labels)
        df = df[[c for c in df.columns if c != "cond__"] + ["cond__"]]
        name = ":".join(eff)
        out[name], types_out[name] = df, types
        points[name] = _point_frame(fitted_rows, y, eff, types, cond, labels, mv, df)  # the fitted rows
    return ConditionalEffects(out, response, types_out, points, method)


def _resp_terms(fit: "BrmsFit", resp: str | None):
    """The terms of response ``resp`` (multivariate models) or of the only response."""
    terms = fit.frame.response_terms
    names = [t.resp for t in terms]
    if resp is None and len(terms) == 1:
        return terms[0]
    if resp not in names or not resp:
        raise PlotError(f"resp={resp!r} is not a response of this model; its responses: {', '.join(n for n in names if n)}."
                        if any(names) else f"resp={resp!r} is for multivariate models; omit it.")
    return terms[names.index(resp)]


def _all_responses(fit: "BrmsFit", effects, kw: dict) -> ConditionalEffects:
    """Every response's conditional effects, named ``"<resp>.<effect>"`` (brms's multivariate layout).

    With explicit ``effects``, responses that do not have those predictors are left out.
    """
    out: dict[str, pd.DataFrame] = {}
    types: dict[str, tuple[str, ...]] = {}
    points: dict[str, pd.DataFrame] = {}
    errors = []
    for t in fit.frame.response_terms:
        try:
            ce = conditional_effects(fit, effects, resp=t.resp, **kw)
        except PlotError as e:
            if effects is None:
                continue  # a response without population-level predictors
            errors.append(str(e))
            continue
        for name in ce.effects:
            key = f"{t.resp}.{name}"
            out[key], types[key] = ce.effects[name], ce.types[name]
            if name in ce.points:
                points[key] = ce.points[name]
    if not out:
        raise PlotError(errors[0] if errors else "No response of the model has population-level predictors.")
    return ConditionalEffects(out, ", ".join(t.resp for t in fit.frame.response_terms), types, points, kw["method"])


def _effect_column(values: pd.Series, template: pd.Series, typ: str, k: int) -> pd.Series:
    if typ == "factor":
        levels = _levels(template)
        return pd.Series(pd.Categorical(values, categories=levels), index=values.index)
    if k == 2:  # brms: the numeric second effect becomes a factor of rounded values, largest first
        r = values.astype(float).round(2)
        return pd.Series(pd.Categorical(r, categories=sorted(r.unique(), reverse=True)), index=values.index)
    return values.astype(float)


def _point_frame(data, y, eff, types, cond, labels, mv, df) -> pd.DataFrame:
    """Observed points matching each condition on its factor-like (non-effect, non-group) variables."""
    base = pd.DataFrame({f"effect{k}__": data[v].to_numpy() for k, v in enumerate(eff, start=1)})
    base["resp__"] = y
    if len(eff) == 2:
        base["effect2__"] = base["effect2__"].round(2) if types[1] == "numeric" else base["effect2__"]
    keys = [c for c in cond.columns
            if c in data.columns and c not in eff and c not in mv.group_vars and _is_factor(data[c], c, mv)]
    frames = []
    for i, label in enumerate(labels):
        keep = np.ones(len(data), dtype=bool)
        for c in keys:
            keep &= (data[c].astype(str) == str(cond[c].iloc[i])).to_numpy()
        sub = base[keep].copy()
        sub["cond__"] = label
        frames.append(sub)
    pts = pd.concat(frames, ignore_index=True)
    pts["cond__"] = pd.Categorical(pts["cond__"], categories=labels)
    return pts
