"""The estimated smooth functions of ``s()``/``t2()`` terms, as brms's ``conditional_smooths``.

Each smooth is evaluated on a grid of its covariate(s) from the stored basis
(its fixed and penalised parts only: no intercept, no other terms), on the
scale of the linear predictor.  A factor ``by`` gives one curve per level, a
numeric ``by`` the smooth at its mean and mean +/- one sd (``cond__``).
Two-dimensional smooths (``t2(x, z)``, ``s(x, z)``) use a
``resolution x resolution`` grid and plot as filled contours.

Examples
--------
>>> cs = conditional_smooths(fit)                     # doctest: +SKIP
>>> cs["mu: s(x)"][["x", "estimate__", "lower__", "upper__"]].head()  # doctest: +SKIP
>>> figs = cs.plot()                                  # doctest: +SKIP
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator, Sequence

import numpy as np
import pandas as pd

from ..fit.brmsfit import BrmsFit
from ..frame.columns import level_label, levels_of, names_in_text
from ..prediction.context import draw_indices, flat_draws
from ..specials.smooth import SmoothDesign
from .ppc import PlotError
from .style import DARK, LIGHT, FigureList, _grid, shown_once

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["ConditionalSmooths", "conditional_smooths"]


@dataclass
class ConditionalSmooths(Mapping):
    """One DataFrame per smooth term, keyed ``"<dpar>: <term>"`` (``"mu: s(x)"``) as brms names them.

    Each frame holds the grid (covariates and by-variable), ``effect1__``
    (``effect2__`` for 2-D smooths), ``estimate__``, ``se__``, ``lower__``,
    ``upper__`` and ``cond__`` (by-level or by-value label).
    """

    smooths: dict[str, pd.DataFrame]
    effects: dict[str, tuple[str, ...]]  # covariate names per smooth
    points: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def __getitem__(self, key: str) -> pd.DataFrame:
        if key not in self.smooths:
            raise KeyError(f"No smooth {key!r}; smooths: {', '.join(self.smooths)}.")
        return self.smooths[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.smooths)

    def __len__(self) -> int:
        return len(self.smooths)

    def __repr__(self) -> str:
        return "ConditionalSmooths: " + ", ".join(f"{k} ({len(v)} rows)" for k, v in self.smooths.items())

    def plot(self, rug: bool = False, ncol: int | None = None) -> FigureList:
        """One figure per smooth: line and band (1-D; one colour per ``cond__``), filled contours (2-D).

        Parameters
        ----------
        rug : mark the observed covariate values (1-D smooths).
        ncol : panels per row for 2-D smooths with several conditions.
        """
        return FigureList(self._plot_one(name, rug, ncol) for name in self.smooths)

    def _plot_one(self, name: str, rug: bool, ncol: int | None) -> "Figure":
        import matplotlib.pyplot as plt

        df = self.smooths[name]
        eff = self.effects[name]
        conds = list(df["cond__"].cat.categories)
        if len(eff) == 1:
            fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
            shown_once(fig)
            cmap = plt.get_cmap("tab10")
            for i, cond in enumerate(conds):
                sub = df[df["cond__"] == cond]
                color = DARK if len(conds) == 1 else cmap(i % 10)
                x = sub["effect1__"].to_numpy(dtype=float)
                ax.fill_between(x, sub["lower__"], sub["upper__"], color=LIGHT if len(conds) == 1 else color,
                                alpha=0.6 if len(conds) == 1 else 0.25, lw=0)
                ax.plot(x, sub["estimate__"], color=color, lw=2, label=None if len(conds) == 1 else str(cond))
            if rug and name in self.points:
                ax.plot(self.points[name]["effect1__"], np.zeros(len(self.points[name])), "|", color="grey",
                        ms=8, transform=ax.get_xaxis_transform())
            if len(conds) > 1:
                ax.legend(frameon=False, fontsize=8)
            ax.set_xlabel(eff[0])
            ax.set_ylabel(name)
            return fig
        nrows, ncols = _grid(len(conds), ncol or min(len(conds), 3))
        fig, axes = plt.subplots(nrows, ncols, figsize=(5 * ncols, 4 * nrows), squeeze=False, layout="constrained")
        shown_once(fig)
        flat = list(axes.ravel())
        for extra in flat[len(conds):]:
            fig.delaxes(extra)
        for ax, cond in zip(flat, conds):
            sub = df[df["cond__"] == cond]
            x1 = np.unique(sub["effect1__"].to_numpy(dtype=float))
            x2 = np.unique(sub["effect2__"].to_numpy(dtype=float))
            z = sub.pivot_table(index="effect2__", columns="effect1__", values="estimate__").to_numpy()
            cs = ax.contourf(x1, x2, z, levels=15, cmap="viridis")
            fig.colorbar(cs, ax=ax, label="estimate__")
            ax.set_xlabel(eff[0])
            ax.set_ylabel(eff[1])
            ax.set_title(name if len(conds) == 1 else f"{name} | {cond}", fontsize=9)
        return fig


def _raw_variable(expr: str, data: pd.DataFrame, term: str) -> str:
    if expr in data.columns:
        return expr
    names = [n for n in dict.fromkeys(names_in_text(expr)) if n in data.columns]
    if len(names) != 1:
        raise PlotError(f"conditional_smooths() needs one data variable per covariate of '{term}'; {expr!r} has "
                        f"{len(names)}.")
    return names[0]


def _smooth_designs(fit: "BrmsFit") -> list[tuple[Any, Any]]:
    out = []
    for prefix, design in fit.frame.designs.items():
        for sp in design.specials:
            if isinstance(sp, SmoothDesign):
                out.append((prefix, sp))
    return out


def conditional_smooths(fit: "BrmsFit", smooths: str | Sequence[str] | None = None,
                        int_conditions: Mapping[str, Sequence] | None = None, prob: float = 0.95,
                        resolution: int = 100, ndraws: int | None = None, seed: int | None = None,
                        robust: bool = True) -> ConditionalSmooths:
    """The smooth terms' estimated functions over their covariates, with credible bands.

    Parameters
    ----------
    fit : a fitted model with ``s()`` or ``t2()`` terms.
    smooths : terms to show, as written in the formula (``"s(x)"``, ``"t2(x, z)"``); all by default.
    int_conditions : values of by-variables to use, e.g. ``{"z": [0, 1]}`` (by default the levels of a
        factor, or mean and mean +/- sd of a numeric by-variable).
    prob : probability mass of the band (``lower__``, ``upper__``).
    resolution : grid points per covariate.
    ndraws : number of posterior draws (all by default).
    seed : seed for the choice of draws.
    robust : median and MAD (default, as brms) instead of mean and sd for ``estimate__`` and ``se__``.

    Returns
    -------
    ConditionalSmooths
        A mapping ``"<dpar>: <term>"`` -> DataFrame; ``.plot()`` draws them.

    Examples
    --------
    >>> cs = conditional_smooths(fit, "s(x)")   # doctest: +SKIP
    >>> cs.plot(rug=True)                        # doctest: +SKIP
    """
    if not 0 < prob < 1:
        raise PlotError(f"prob must be between 0 and 1, got {prob!r}.")
    if not isinstance(resolution, (int, np.integer)) or resolution < 2:
        raise PlotError(f"resolution must be an integer >= 2, got {resolution!r}.")
    wanted = None if smooths is None else [smooths] if isinstance(smooths, str) else list(smooths)
    norm = (lambda s: s.replace(" ", "").replace("'", '"'))
    designs = _smooth_designs(fit)
    if not designs:
        raise PlotError("The model has no smooth terms (s() or t2()); see conditional_effects() for other terms.")
    available = [spec.text for _, sp in designs for spec in sp.specs]
    if wanted is not None:
        bad = [w for w in wanted if norm(w) not in {norm(a) for a in available}]
        if bad:
            raise PlotError(f"No smooth term {', '.join(map(repr, bad))} in the model; its smooths are: "
                            f"{', '.join(available)}.")
    idx = draw_indices(fit, ndraws, seed)
    params = fit.stan_draws.params
    data = fit.frame.data
    lo_q, hi_q = (1 - prob) / 2, (1 + prob) / 2
    out: dict[str, pd.DataFrame] = {}
    effects: dict[str, tuple[str, ...]] = {}
    points: dict[str, pd.DataFrame] = {}
    for prefix, sp in designs:
        resp_dpar = "_".join(x for x in (prefix.resp, prefix.dpar) if x)
        for spec in sp.specs:
            if wanted is not None and norm(spec.text) not in {norm(w) for w in wanted}:
                continue
            raw = [_raw_variable(c, data, spec.text) for c in spec.covars]
            grid_vars, extra = raw[:2], raw[2:]  # >2 covariates: the rest at their mean
            values: dict[str, Any] = {}
            for v in grid_vars:
                x = data[v].astype(float)
                values[v] = np.linspace(x.min(), x.max(), resolution)
            cond_vars = list(extra)
            for v in extra:
                values[v] = [float(data[v].astype(float).mean())]
            if spec.by is not None:
                cond_vars.append(spec.by)
                col = data[spec.by]
                if int_conditions and spec.by in int_conditions:
                    values[spec.by] = list(int_conditions[spec.by])
                elif isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == object or pd.api.types.is_string_dtype(col.dtype) \
                        or pd.api.types.is_bool_dtype(col.dtype):
                    values[spec.by] = [lv for lv in levels_of(col)]
                else:
                    m, s = float(col.mean()), float(col.std(ddof=1))
                    values[spec.by] = [m - s, m, m + s]
            names = list(values)
            grid = pd.DataFrame(list(itertools.product(*values.values())), columns=names)
            if spec.by is not None and isinstance(data[spec.by].dtype, pd.CategoricalDtype):
                grid[spec.by] = pd.Categorical(grid[spec.by], categories=data[spec.by].cat.categories)
            # the term's covariates may be expressions of the raw variables: evaluate them on the grid
            eta = sp.term_eta(lambda name: flat_draws(params[name], idx), sp.new_columns(grid, spec), spec)
            eta = np.broadcast_to(eta, (len(idx), len(grid)))
            if robust:
                est = np.median(eta, axis=0)
                se = 1.4826 * np.median(np.abs(eta - est), axis=0)
            else:
                est, se = eta.mean(axis=0), eta.std(axis=0, ddof=1)
            df = grid.copy()
            for k, v in enumerate(grid_vars, start=1):
                df[f"effect{k}__"] = df[v].astype(float)
            df["estimate__"], df["se__"] = est, se
            df["lower__"], df["upper__"] = np.quantile(eta, [lo_q, hi_q], axis=0)
            labels = (df[cond_vars].apply(lambda r: " & ".join(f"{c} = {_fmt(r[c])}" for c in cond_vars), axis=1)
                      if cond_vars else pd.Series("1", index=df.index))
            df["cond__"] = pd.Categorical(labels, categories=list(dict.fromkeys(labels)))
            key = f"{resp_dpar}: {spec.text}"
            out[key], effects[key] = df, tuple(grid_vars)
            points[key] = pd.DataFrame({f"effect{k}__": data[v].to_numpy() for k, v in enumerate(grid_vars, start=1)})
    return ConditionalSmooths(out, effects, points)


def _fmt(v) -> str:
    if isinstance(v, (float, np.floating)):
        return f"{v:.2f}".rstrip("0").rstrip(".")
    return level_label(v)
