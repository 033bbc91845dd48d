"""The wheel ships the Jinja templates and data; a model renders from the installed copy; the lean
install (no extras) runs the demo and a fit; the distribution's metadata (name, SPDX license,
extras, classifiers, URLs, version) is what the README promises."""

from __future__ import annotations

import email
import os
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

import brmspy

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q", "-w", str(out)],
        check=True,
    )
    (whl,) = out.glob("brmspy_stan-*.whl")
    return whl


def test_wheel_contains_templates_and_data(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "brmspy/templates/model.stan.j2" in names
    assert "brmspy/templates/functions/zero_inflated_poisson.stan" in names
    assert "brmspy/templates/snippets/likelihood.stan.j2" in names
    assert "brmspy/data/sleepstudy.csv" in names


def test_wheel_contains_every_template(wheel: Path) -> None:
    """A template in a new subfolder of templates/ must be listed in pyproject's package-data."""
    shipped = {n for n in zipfile.ZipFile(wheel).namelist() if n.startswith("brmspy/templates/")}
    files = {f"brmspy/templates/{p.relative_to(ROOT / 'templates').as_posix()}"
             for p in (ROOT / "templates").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert files - shipped == set(), "add the folder's pattern to [tool.setuptools.package-data] in pyproject.toml"


def test_model_renders_from_installed_wheel(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True)
    # -S: no site module, so an editable install of the source tree cannot shadow the wheel
    site = sysconfig.get_paths()["purelib"]
    code = (
        "import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
        "import brmspy\n"
        "assert brmspy.__file__.startswith(sys.argv[1]), brmspy.__file__\n"
        "code = brmspy.make_stancode('Reaction ~ Days + (Days | Subject)', brmspy.datasets.load('sleepstudy'))\n"
        "print(code.splitlines()[0]); assert 'normal_id_glm_lpdf' in code\n"
        "assert 'matrix scale_r_cor(matrix z, vector SD, matrix L) {' in code  # templates/functions\n"
        "import brmspy.core.templates as T; assert T.stan_lines('likelihood', 'rowwise', lines=['a;'])[1] == '  a;'\n"
    )
    res = subprocess.run([sys.executable, "-S", "-c", code, str(target), site], capture_output=True, text=True,
                         cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("// generated with brmspy")


def test_every_subpackage_is_in_the_wheel(wheel: Path) -> None:
    """A new brmspy/<sub>/__init__.py must be listed in pyproject's packages, or installs break."""
    root = Path(__file__).resolve().parents[2]
    subpackages = {p.parent.relative_to(root).as_posix() for p in (root / "brmspy").rglob("__init__.py")}
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(s for s in subpackages if f"{s}/__init__.py" not in names)
    assert not missing, f"add {missing} to [tool.setuptools] packages in pyproject.toml"


def _metadata(wheel: Path) -> email.message.Message:
    zf = zipfile.ZipFile(wheel)
    (meta,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
    return email.message_from_bytes(zf.read(meta))


def test_wheel_metadata(wheel: Path) -> None:
    """SPDX license with its file, a free distribution name, classifiers, URLs, py.typed, the version."""
    meta = _metadata(wheel)
    names = zipfile.ZipFile(wheel).namelist()
    assert meta["Name"] == "brmspy-stan"  # PyPI's `brmspy` is another project
    assert meta["Version"] == brmspy.__version__
    assert meta["License-Expression"] == "GPL-3.0-or-later"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "GNU GENERAL PUBLIC LICENSE" in (ROOT / "LICENSE").read_text() and "Version 3" in (ROOT / "LICENSE").read_text()
    assert "brmspy/py.typed" in names
    classifiers = meta.get_all("Classifier")
    assert "Typing :: Typed" in classifiers and "Programming Language :: Python :: 3.12" in classifiers
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert {"Documentation", "Source", "Issues", "Changelog"} <= set(urls)
    assert f"## [{brmspy.__version__}]" in (ROOT / "CHANGELOG.md").read_text()


def test_pystan_and_cmdstanpy_are_extras(wheel: Path) -> None:
    requires = _metadata(wheel).get_all("Requires-Dist")
    hard = [r for r in requires if "extra ==" not in r]
    assert not [r for r in hard if r.split()[0].startswith(("pystan", "cmdstanpy", "httpstan"))], hard
    for extra, dist in (("pystan", "pystan"), ("cmdstanpy", "cmdstanpy")):
        assert any(r.startswith(dist) and f'extra == "{extra}"' in r for r in requires), (extra, requires)
    assert any("pystan" in r and "cmdstanpy" in r and 'extra == "all"' in r for r in requires)
    # brmspy draws its own figures: arviz-plots is not a direct dependency (arviz brings it for az.plot_*)
    assert not [r for r in hard if r.startswith("arviz-plots")]
    # the test extra keeps what the test suite imports
    test = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["test"]
    assert any("pystan" in r and "cmdstanpy" in r for r in test), test


def test_version_on_the_command_line() -> None:
    res = subprocess.run([sys.executable, "-m", "brmspy", "--version"], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == f"brmspy {brmspy.__version__}"


LEAN_CHECK = """
import importlib.util, sys, warnings
import brmspy as bp
for mod in ("stan", "httpstan", "cmdstanpy"):
    assert importlib.util.find_spec(mod) is None, mod + " was installed without its extra"
try:
    bp.brm("Reaction ~ Days", data=bp.datasets.load("sleepstudy"), backend="pystan", refresh=0)
except bp.BackendUnavailableError as exc:
    assert 'brmspy-stan[pystan]' in str(exc), exc
else:
    raise AssertionError("backend='pystan' ran without PyStan")
try:
    bp.brm("Reaction ~ Days", data=bp.datasets.load("sleepstudy"), backend="cmdstanpy", refresh=0)
except bp.BackendUnavailableError as exc:
    assert 'brmspy-stan[cmdstanpy]' in str(exc), exc
else:
    raise AssertionError("backend='cmdstanpy' ran without CmdStanPy")
fit = bp.brm("Reaction ~ Days", data=bp.datasets.load("sleepstudy"), chains=2, iter=600, seed=3, refresh=0)
print("BACKEND", fit.backend)
print("DAYS", fit.fixef().loc["Days", "Estimate"])
"""


@pytest.mark.install
def test_lean_install_runs_demo_and_a_fit(wheel: Path, tmp_path: Path) -> None:
    """``pip install brmspy-stan`` without extras in a fresh venv: no PyStan, httpstan or CmdStanPy; the
    demo and a fit run on stanli; the C++ backends say which extra to install.

    pip uses this machine's configured indexes (``pip config list``); set BRMSPY_TEST_PIP_ARGS (e.g.
    ``--no-index --find-links wheelhouse``) to install offline from a local wheelhouse.
    """
    env_dir = tmp_path / "lean"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    extra = os.environ.get("BRMSPY_TEST_PIP_ARGS", "").split()
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", *extra, str(wheel)],
                   check=True, capture_output=True, text=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CMDSTAN")}
    run = dict(capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600)
    res = subprocess.run([str(py), "-m", "brmspy", "--version"], **run)
    assert res.stdout.strip() == f"brmspy {brmspy.__version__}", res.stderr
    res = subprocess.run([str(py), "-m", "brmspy", "demo", "--seed", "1"], **run)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "backend: stanli" in res.stdout and "Regression Coefficients:" in res.stdout
    days = next(line.split() for line in res.stdout.splitlines() if line.startswith("Days "))
    assert 6.0 < float(days[1]) < 15.0  # lme4: 10.47, posterior sd 1.7
    res = subprocess.run([str(py), "-c", LEAN_CHECK], **run)
    assert res.returncode == 0, res.stderr[-3000:]
    out = dict(line.split(" ", 1) for line in res.stdout.splitlines() if line.startswith(("BACKEND", "DAYS")))
    assert out["BACKEND"] == "stanli"
    assert abs(float(out["DAYS"]) - 10.47) < 3 * 1.5  # lm: 10.47 (se 1.5)


def test_missing_backend_names_its_extra(monkeypatch) -> None:
    """Without PyStan or CmdStanPy installed, asking for them names the extra to install."""
    import builtins
    import importlib.util

    from brmspy.backends import get_backend, select_backend

    real_find_spec, real_import = importlib.util.find_spec, builtins.__import__
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in ("stan", "httpstan") else real_find_spec(name, *a))

    def no_cmdstanpy(name, *args, **kwargs):
        if name == "cmdstanpy":
            raise ImportError("No module named 'cmdstanpy'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_cmdstanpy)
    code = "parameters { real y; } model { y ~ std_normal(); }"
    with pytest.raises(brmspy.BackendUnavailableError, match=r"brmspy-stan\[pystan\]"):
        select_backend(code, "pystan")
    with pytest.raises(brmspy.BackendUnavailableError, match=r"brmspy-stan\[cmdstanpy\]"):
        select_backend(code, "cmdstanpy")
    assert get_backend("stanli").available()
