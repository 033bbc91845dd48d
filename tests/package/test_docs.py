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

ROOT = Path(__file__).resolve().parents[2]
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


def _python_blocks(page: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", (DOCS / page).read_text(), flags=re.S | re.M)


@pytest.fixture
def short_chains(monkeypatch):
    """brm() with 2 chains of 400 iterations unless a block sets them: the pages' code, quickly."""
    import warnings

    import brmspy.criteria.sbc
    import brmspy.fit.multiple

    real = bp.brm

    def brm(*args, **kwargs):
        kwargs.setdefault("chains", 2)
        kwargs.setdefault("iter", 400)
        return real(*args, **kwargs)

    monkeypatch.setattr(bp, "brm", brm)
    monkeypatch.setattr(brmspy.fit.multiple, "brm", brm)
    monkeypatch.setattr(brmspy.criteria.sbc, "brm", brm)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # short chains: ESS warnings
        yield


@pytest.mark.parametrize("page", ["coming-from-r.md", "user-guide.md", "distributed.md"])
def test_the_code_on_the_page_runs(page, short_chains, tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)  # pages that save files write them here
    blocks = _python_blocks(page)
    assert blocks, f"{page} has no python code blocks"
    namespace: dict = {}
    for i, block in enumerate(blocks, 1):
        try:
            exec(compile(block, f"{page}, block {i}", "exec"), namespace)  # noqa: S102 - our own docs
        except Exception as exc:
            raise AssertionError(f"{page}, python block {i} failed: {type(exc).__name__}: {exc}\n{block}") from exc
    plt.close("all")


def test_the_r_table_names_real_functions():
    """Every ``bp.<name>`` on the R page exists, and brms's ``class`` is spelled ``class_``."""
    text = (DOCS / "coming-from-r.md").read_text()
    names = set(re.findall(r"\bbp\.(\w+)", text))
    assert not [n for n in names if not hasattr(bp, n)]
    assert "class_=" in text and not re.search(r"bp\.\w*prior\([^)]*\bclass=", text)


# methods of BrmsFit that are brms's generics, and the function each one calls
METHOD_FUNCTIONS = {"plot": "plot_fit", "pp_check": "pp_check", "mcmc_plot": "mcmc_plot",
                    "conditional_effects": "conditional_effects", "conditional_smooths": "conditional_smooths",
                    "loo": "loo", "waic": "waic", "hypothesis": "hypothesis", "posterior_epred": "posterior_epred",
                    "posterior_predict": "posterior_predict", "summary": "summary", "fixef": "fixef",
                    "ranef": "ranef", "coef": "coef", "VarCorr": "VarCorr", "prior_summary": "prior_summary"}


def _params(f, drop_first: bool) -> list[tuple[str, object, object]]:
    import inspect

    ps = list(inspect.signature(f).parameters.values())[1 if drop_first else 0:]
    return [(p.name, p.kind, p.default) for p in ps]


@pytest.mark.parametrize("method", sorted(METHOD_FUNCTIONS))
def test_fit_methods_have_the_signature_of_their_function(method):
    """``fit.loo(...)`` takes exactly what ``bp.loo(fit, ...)`` takes: names, kinds and defaults."""
    assert _params(getattr(bp.BrmsFit, method), True) == _params(getattr(bp, METHOD_FUNCTIONS[method]), True)


@pytest.mark.parametrize("method, source", [("fitted", "posterior_epred"), ("predict", "posterior_predict")])
def test_fitted_and_predict_take_the_arguments_of_their_draws(method, source):
    own = {name: default for name, _, default in _params(getattr(bp.BrmsFit, method), True)}
    draws = {name: default for name, _, default in _params(getattr(bp, source), True)}
    assert own == {**draws, "prob": 0.95}


def test_every_public_fit_member_is_documented():
    import inspect

    undocumented, no_example, kwargs_only = [], [], []
    for name, member in vars(bp.BrmsFit).items():
        if name.startswith("_") or not (callable(member) or isinstance(member, property)):
            continue
        doc = inspect.getdoc(member) or ""
        if not doc:
            undocumented.append(name)
        if callable(member) and "Examples" not in doc:
            no_example.append(name)
        if callable(member):
            ps = inspect.signature(member).parameters.values()
            if any(p.kind is p.VAR_KEYWORD for p in ps) and len(ps) <= 2:
                kwargs_only.append(name)
    assert not undocumented and not no_example and not kwargs_only, (undocumented, no_example, kwargs_only)
