"""The look shared by every figure: colours (bayesplot's), figure and panel helpers, densities."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Iterable

import numpy as np

from ..core.errors import PlotError

if TYPE_CHECKING:  # matplotlib is imported when a figure is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# bayesplot's default colour scheme ("blue"): DARK is its dark_highlight, MID its mid_highlight,
# LIGHT its light_highlight and LIGHT_HL its mid; BP_* are the remaining ones under bayesplot's names
DARK = "#011f4b"
MID = "#005b96"
LIGHT = "#b3cde0"
LIGHT_HL = "#6497b1"
BP_LIGHT = "#d1e1ec"
BP_DARK = "#03396c"


def shown_once(fig: "Figure") -> "Figure":
    """Mark a new figure so that a notebook shows it once, whether or not the call ends the cell.

    pyplot's inline backend shows every open figure at the end of a cell, and IPython also shows
    a figure that a cell returns: twice for ``bp.pp_check(fit)`` as the last line.  A figure
    returned this way closes itself when IPython displays it (``_ipython_display_``), so the
    end-of-cell flush skips it; assigned (``fig = bp.pp_check(fit)``) it stays open and the flush
    shows it.  Scripts are unaffected: the figure stays open for ``plt.show()``.
    """
    fig._ipython_display_ = _DisplayAndClose(fig)
    return fig


class _DisplayAndClose:
    """The figure's ``_ipython_display_`` (a class, not a bound method, so figures still pickle)."""

    def __init__(self, fig: "Figure") -> None:
        self.fig = fig

    def __call__(self) -> None:
        import matplotlib.pyplot as plt
        from IPython.display import display  # here: only IPython calls this hook

        fig = self.fig
        plt.close(fig)
        hook = fig.__dict__.pop("_ipython_display_", None)
        try:
            display(fig)  # IPython's own figure formatter (png, retina or svg as configured)
        finally:
            if hook is not None:
                fig._ipython_display_ = hook


class FigureList(list):
    """The figures of ``ce.plot()``/``cs.plot()``: a list that a notebook shows as its figures.

    Shown as the last line of a cell it displays each figure once instead of printing
    ``[<Figure size ...>]`` next to them.
    """

    def __init__(self, figures: "Iterable[Figure]" = ()) -> None:
        super().__init__(figures)

    def _ipython_display_(self) -> None:
        for fig in self:
            hook = getattr(fig, "_ipython_display_", None)
            if hook is not None:
                hook()


def _figure(nrows: int = 1, ncols: int = 1, ax: "Axes | None" = None, width: float | None = None,
            height: float | None = None, squeeze: bool = False):
    """A new figure with a grid of axes, or the figure of a user-given ``ax``."""
    import matplotlib.pyplot as plt

    if ax is not None:
        if nrows * ncols != 1:
            raise PlotError("ax= can only be used for single-panel plots; this plot draws several panels.")
        return ax.figure, np.array([[ax]])
    w = width if width is not None else min(4.0 * ncols, 14.0)
    h = height if height is not None else min(3.0 * nrows + 0.5, 40.0)
    fig, axes = plt.subplots(nrows, ncols, figsize=(w, h), squeeze=squeeze, layout="constrained")
    return shown_once(fig), axes


def _grid(n: int, max_cols: int = 3) -> tuple[int, int]:
    ncols = min(n, max_cols)
    return math.ceil(n / ncols), ncols


def _panels(n: int, ax: "Axes | None" = None, max_cols: int = 3, **kw) -> tuple["Figure", list["Axes"]]:
    """``n`` panels in a grid of up to ``max_cols`` columns; unused grid cells are removed."""
    nrows, ncols = _grid(n, max_cols)
    fig, axes = _figure(nrows, ncols, ax=ax, **kw)
    flat = list(axes.ravel())
    for extra in flat[n:]:
        fig.delaxes(extra)
    return fig, flat[:n]


def _check_prob(prob: float, name: str = "prob") -> float:
    if not isinstance(prob, (int, float)) or not 0 < prob <= 1:
        raise PlotError(f"{name} must be a number in (0, 1], got {prob!r}.")
    return float(prob)


def _bw_nrd0(x: np.ndarray) -> float:
    """R's ``bw.nrd0`` (Silverman's rule of thumb), as ggplot's density uses."""
    x = np.asarray(x, dtype=float)
    n = x.size
    if n < 2:
        return 1.0
    sd = x.std(ddof=1)
    q75, q25 = np.percentile(x, [75, 25])
    lo = min(sd, (q75 - q25) / 1.34)
    if not lo > 0:
        lo = sd if sd > 0 else (abs(x[0]) if x[0] != 0 else 1.0)
    return 0.9 * lo * n ** -0.2


def kde(x: np.ndarray, n_grid: int = 256, bounds: tuple[float, float] | None = None,
        bw: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian kernel density over the range of ``x`` (reflected at ``bounds`` if given).

    Large samples are binned first (2048 bins), which changes the result by far
    less than the line width.

    Examples
    --------
    >>> grid, dens = kde(np.random.default_rng(0).normal(size=500))
    >>> bool(abs(np.trapezoid(dens, grid) - 1) < 0.05)
    True
    """
    x = np.asarray(x, dtype=float).ravel()
    x = x[np.isfinite(x)]
    if x.size == 0:
        return np.zeros(0), np.zeros(0)
    bw = _bw_nrd0(x) if bw is None else bw
    lo, hi = (x.min(), x.max()) if bounds is None else bounds
    if hi <= lo:
        lo, hi = lo - 3 * bw, hi + 3 * bw
    grid = np.linspace(lo, hi, n_grid)
    pts, w = x, np.full(x.size, 1.0 / x.size)
    if x.size > 2000:
        counts, edges = np.histogram(x, bins=2048)
        keep = counts > 0
        pts, w = 0.5 * (edges[:-1] + edges[1:])[keep], counts[keep] / x.size
    if bounds is not None:  # reflection at the boundaries keeps the mass inside
        pts = np.concatenate([pts, 2 * lo - pts, 2 * hi - pts])
        w = np.concatenate([w, w, w])
    z = (grid[:, None] - pts[None, :]) / bw
    dens = (np.exp(-0.5 * z * z) * w).sum(axis=1) / (bw * math.sqrt(2 * math.pi))
    return grid, dens


def _ecdf(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    xs = np.sort(np.asarray(x, dtype=float))
    return xs, np.arange(1, xs.size + 1) / xs.size
