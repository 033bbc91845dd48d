"""Shared pytest configuration: golden-file updating and session-wide fits."""

from __future__ import annotations

import os
import warnings

import pytest


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden", action="store_true", default=False,
        help="rewrite tests/golden/*.stan from the current generator (review with git diff)",
    )


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    return bool(request.config.getoption("--update-golden") or os.environ.get("BRMSPY_UPDATE_GOLDEN"))


@pytest.fixture(autouse=True)
def _quiet_known_warnings():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using the maximum response value")
        yield


@pytest.fixture(scope="session")
def sleep_fit():
    """The sleepstudy model fitted once per test session (stanli, fixed seed)."""
    import brmspy as bp

    df = bp.datasets.load("sleepstudy")
    return bp.brm("Reaction ~ Days + (Days | Subject)", data=df, seed=1234, refresh=0, data_name="sleepstudy")


@pytest.fixture(scope="session")
def cmdstan_home() -> str:
    """A CmdStan for the cmdstanpy tests, built on first need and then cached per machine.

    An install CmdStanPy already finds (``CMDSTAN``, ``~/.cmdstan``) is used as it is. Otherwise
    ``tools/cmdstan/build_cmdstan.sh`` assembles one offline (CmdStan 2.36 driver sources from the
    repository, Stan headers and stanc from the httpstan wheel on PyPI; about 3 minutes of 2 cores,
    160 MB) into ``${XDG_CACHE_HOME:-~/.cache}/brmspy/cmdstan-2.36.0`` and sets ``CMDSTAN``. The
    script returns at once when that build exists and waits for a concurrent build of it. Living
    here, the step runs under the README's test command and `.ci/run` alike, only when a selected
    test needs CmdStan; a failed build fails those tests with the script's output (never a skip).
    """
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    import cmdstanpy

    from brmspy.backends import get_backend

    backend = get_backend("cmdstanpy")
    if backend.available():
        return cmdstanpy.cmdstan_path()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    dest = Path(base) / "brmspy" / "cmdstan-2.36.0"
    script = Path(__file__).resolve().parents[1] / "tools" / "cmdstan" / "build_cmdstan.sh"
    cmd = ["bash", str(script), str(dest)]
    if shutil.which("nice"):
        cmd = ["nice", "-n", "10", *cmd]
    res = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PIP_PYTHON": sys.executable})
    if res.returncode != 0:
        pytest.fail(f"building CmdStan with {script} failed (exit {res.returncode}):\n"
                    f"{res.stdout[-3000:]}\n{res.stderr[-3000:]}")
    os.environ["CMDSTAN"] = str(dest)
    assert backend.available(), backend.unavailable_reason()
    return str(dest)
