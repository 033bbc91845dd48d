"""The documentation site builds with warnings as errors, and documents every public name.

The site (``docs/``, Sphinx + myst-nb) is built into a temporary folder exactly as CI would:
``sphinx-build -W --keep-going -b html docs <out>``.  Notebooks are rendered from their
committed outputs (``nb_execution_mode = "off"``), so the build takes seconds.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import brmspy as bp

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", "-d", str(out / "doctrees"),
         str(DOCS), str(out / "html")],
        capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, f"sphinx-build failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-8000:]}"
    return out / "html"


def test_site_builds_without_warnings(site: Path):
    for page in ["index.html", "user-guide.html", "coming-from-r.html", "distributed.html", "gallery/index.html",
                 "api/index.html", "api/models.html"]:
        assert (site / page).is_file(), page


def _api_sources() -> str:
    return "\n".join(p.read_text() for p in sorted((DOCS / "api").glob("*.md")))


def test_every_public_name_is_in_the_api_reference():
    text = _api_sources()
    names = [n for n in bp.__all__ if n != "datasets"]
    missing = [n for n in names if not re.search(rf"brmspy\.{re.escape(n)}\b", text)]
    assert not missing, f"public names without an API entry in docs/api/: {missing}"


def test_api_pages_render_the_docstrings(site: Path):
    html = (site / "api" / "models.html").read_text()
    # the signature and a parameter description of brm(), from its docstring
    assert 'id="brmspy.brm"' in html
    assert "model formula in brms syntax" in html
    # a description is shown as a description, not as the parameter's type (conf.py's hook)
    assert not re.search(r"formula</strong></span>\s*\(<em>model formula", html)


def test_every_gallery_notebook_is_in_the_gallery_page(site: Path):
    notebooks = sorted((DOCS / "gallery").glob("*.ipynb"))
    assert notebooks
    index = (DOCS / "gallery" / "index.md").read_text()
    assert not [p.stem for p in notebooks if p.stem not in index]
    for p in notebooks:
        page = (site / "gallery" / f"{p.stem}.html").read_text()
        # rendered from the committed outputs: the figures are in the page
        assert "<img" in page, p.name
