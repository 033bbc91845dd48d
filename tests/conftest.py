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
