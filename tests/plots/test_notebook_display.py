"""In a notebook every figure shows once, whether the plot call ends the cell or is assigned;
``ce.plot()`` shows its figures, not a list repr; fits, summaries, loo and hypothesis results
render as HTML tables."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

CELLS = [
    "%matplotlib inline\nimport warnings; warnings.simplefilter('ignore')\nimport brmspy as bp\n"
    "fit = bp.brm('Reaction ~ Days + (1 | Subject)', data=bp.datasets.load('sleepstudy'), chains=2, iter=400,"
    " seed=1, refresh=0)",
    "bp.pp_check(fit, ndraws=5, seed=1)",                       # 1: last expression
    "fig = bp.pp_check(fit, ndraws=5, seed=1)",                 # 2: assigned
    "fit.plot(variable=['b_Days', 'sigma'])",                   # 3
    "fit.conditional_effects('Days').plot()",                   # 4: a list of one figure
    "bp.pp_check(fit, ndraws=5, seed=1);",                      # 5: semicolon
    "fit",                                                      # 6
    "fit.summary()",                                            # 7
    "bp.loo(fit)",                                              # 8
    "fit.hypothesis('Days > 5')",                               # 9
    "import brmspy.backends.progress as P; P.DELAY = 0\n"       # 10: progress widgets, one per chain
    "f2 = bp.brm('Reaction ~ Days', data=bp.datasets.load('sleepstudy'), chains=2, iter=400, seed=1, refresh=50)",
]


@pytest.fixture(scope="module")
def executed() -> list:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    return [c.outputs for c in nb.cells]


def _images(outputs) -> int:
    return sum("image/png" in o.get("data", {}) for o in outputs)


def _texts(outputs) -> str:
    return "".join(o.get("data", {}).get("text/plain", "") + o.get("text", "") for o in outputs)


@pytest.mark.parametrize("cell", [1, 2, 3, 4, 5])
def test_one_image_per_plot_call(executed, cell) -> None:
    outputs = executed[cell]
    assert _images(outputs) == 1, (CELLS[cell], outputs)
    assert "[<Figure" not in _texts(outputs)  # no list repr next to the figures


@pytest.mark.parametrize("cell, marks", [
    (6, ["Regression Coefficients:", "<table", "Days", "~Subject (Number of levels: 18)"]),
    (7, ["Multilevel Hyperparameters:", "<table", "Bulk_ESS"]),
    (8, ["elpd_loo", "<table", "looic"]),
    (9, ["Hypothesis Tests for class b:", "<table", "Post.Prob"]),
])
def test_results_render_as_html(executed, cell, marks) -> None:
    (out,) = [o for o in executed[cell] if o.get("output_type") == "execute_result"]
    page = out["data"]["text/html"]
    assert all(m in page for m in marks), page[:500]
    assert "text/plain" in out["data"]  # consoles still print brms's layout


def test_progress_bars_are_widgets_in_a_notebook(executed) -> None:
    outputs = executed[10]
    widgets = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widgets) == 2  # one bar per chain
    stderr = "".join(o.get("text", "") for o in outputs if o.get("name") == "stderr")
    assert "Iteration:" not in stderr and "IProgress" not in stderr
