"""Every notebook in vignettes/ runs top to bottom (short chains via BRMSPY_VIGNETTE_FAST)."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "vignettes").glob("*.ipynb"))


def test_there_are_vignettes():
    assert NOTEBOOKS, "vignettes/ has no notebooks"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path, monkeypatch):
    monkeypatch.setenv("BRMSPY_VIGNETTE_FAST", "1")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "Multilevel Hyperparameters:" in text and "elpd_loo" in text
    assert any("image/png" in o.get("data", {}) for o in outputs), "no figure was displayed"
