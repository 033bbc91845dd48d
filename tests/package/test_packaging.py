"""The wheel ships the Jinja templates and data; a model renders from the installed copy."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q", "-w", str(out)],
        check=True,
    )
    (whl,) = out.glob("brmspy-*.whl")
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
