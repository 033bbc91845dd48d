"""The gallery notebooks (docs/gallery): executed, clean, one figure per plot call.

The notebooks are committed with their outputs (run by ``tools/run_gallery.py``), and the docs
render those outputs without executing anything.  These tests check the committed outputs:
every code cell ran, in order, in one kernel, without an error and without warnings (unless the
cell is tagged ``warnings-expected``), and each cell shows exactly one image per plot call.
The sleepstudy vignette is also re-executed here (short chains via ``BRMSPY_VIGNETTE_FAST``),
so the current code is checked against it in every run.
"""

from __future__ import annotations

import ast
import base64
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
GALLERY = ROOT / "docs" / "gallery"
NOTEBOOKS = sorted(GALLERY.glob("*.ipynb"))

#: the topics of a mixed-models course, and the notebook that covers each
TOPICS = {
    "varying intercepts and slopes": "sleepstudy",
    "bernoulli/binomial GLMMs with observation-level effects": "binomial-glmm",
    "ICC and variance decomposition": "icc-variance",
    "nested and crossed designs": "nested-crossed",
    "overdispersion": "overdispersion",
    "ordinal": "ordinal",
    "zero-inflated": "zero-inflated",
    "distributional": "distributional",
    "smooths": "smooths",
    "multivariate": "multivariate",
    "non-linear": "nonlinear",
    "model comparison with LOO": "loo-comparison",
}

#: calls that draw a new figure each: brmspy's plots and figure-returning methods
#: (``fit.plot()``, ``ce.plot()`` of one effect), and matplotlib's ``plt.subplots()``/``plt.figure()``.
#: A call given ``ax=`` draws into an existing figure and is not one.
BRMSPY_FIGURES = {"pp_check", "mcmc_plot", "plot_fit", "plot_sbc"}  # as functions or methods
MATPLOTLIB_FIGURES = {"subplots", "figure"}  # plt.subplots(), plt.figure()


def _plot_calls(source: str) -> int:
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    n = 0
    for node in ast.walk(ast.parse(code)):
        if not isinstance(node, ast.Call) or any(k.arg == "ax" for k in node.keywords):
            continue
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
        owner = ast.unparse(f.value) if isinstance(f, ast.Attribute) else ""
        if name in BRMSPY_FIGURES:
            n += 1
        elif name in MATPLOTLIB_FIGURES:
            n += owner == "plt"
        elif name == "plot":  # fit.plot(), ce.plot(), cs.plot(); not ax.plot(), fig.axes[0].plot(), plt.plot()
            n += not (owner == "plt" or re.search(r"\bax(es)?\b", owner))
    return n


def _images(cell) -> list[bytes]:
    return [base64.b64decode(o["data"]["image/png"]) for o in cell.get("outputs", [])
            if "image/png" in o.get("data", {})]


def test_every_course_topic_has_a_notebook():
    names = {p.stem for p in NOTEBOOKS}
    assert not [t for t, nb in TOPICS.items() if nb not in names]


def test_plot_call_counting():
    assert _plot_calls("fig = bp.pp_check(fit, ndraws=10)") == 1
    assert _plot_calls("fig, = ce.plot(points=True)\nax.plot([0, 1])  # bp.pp_check(") == 1
    assert _plot_calls("fig, axes = plt.subplots(1, 2)\nbp.pp_check(f, ax=axes[0])\nfit.pp_check(ax=axes[1])") == 1
    assert _plot_calls("fig, ax = plt.subplots()\nax.plot(x, y)\nfig2 = fit.plot()") == 2
    assert _plot_calls("print(fit.summary())") == 0
    assert _plot_calls("fig, = cs.plot()\nfig.axes[0].plot(x, y)\naxes[1].plot(x, y)") == 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_notebook_ran_cleanly(path: Path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert code, "no code cells"
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), f"not one top-to-bottom run: execution counts {counts}"
    for i, cell in enumerate(code, 1):
        outputs = cell.get("outputs", [])
        errors = [o for o in outputs if o["output_type"] == "error"]
        assert not errors, f"cell {i} raised {errors[0].get('ename')}: {errors[0].get('evalue')}"
        if "warnings-expected" not in cell.metadata.get("tags", []):
            stderr = "".join(o.get("text", "") for o in outputs if o.get("name") == "stderr")
            assert not stderr.strip(), f"cell {i} wrote to stderr:\n{stderr[:1500]}"
        images = _images(cell)
        assert len(images) == _plot_calls(cell.source), (
            f"cell {i} shows {len(images)} image(s) for {_plot_calls(cell.source)} plot call(s):\n{cell.source}")
        assert all(len(png) < 250_000 for png in images), f"cell {i}: figures should be small (< 250 kB)"
    assert any(_images(c) for c in code), "the notebook shows no figure"
    text = nbformat.writes(nb)
    for marker in (str(ROOT), "site-packages", "/root/", "/home/"):
        assert marker not in text, f"a machine path ({marker}) in the committed outputs"
    runtime = nb.metadata.get("brmspy", {}).get("runtime_seconds")
    assert runtime is not None, "run it with tools/run_gallery.py (records the run time)"


def test_sleepstudy_vignette_reruns(monkeypatch):
    monkeypatch.setenv("BRMSPY_VIGNETTE_FAST", "1")
    path = GALLERY / "sleepstudy.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    outputs = [o for cell in code for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "Multilevel Hyperparameters:" in text and "elpd_loo" in text
    for cell in code:
        assert len(_images(cell)) == _plot_calls(cell.source), cell.source
    assert sum(len(_images(c)) for c in code) == 2
