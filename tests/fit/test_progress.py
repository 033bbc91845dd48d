"""A progress bar per chain for fits (tqdm), nothing with ``refresh=0``; stanli's own progress
printing is restored afterwards."""

from __future__ import annotations

import io

import pytest

import brmspy as bp
from brmspy.backends import progress


def test_chain_bars_move_and_name_the_phase() -> None:
    out = io.StringIO()
    bars = progress.ChainBars(chains=2, total=100, delay=0, file=out)
    bars.update(1, 40, warmup=True)
    bars.update(2, 60, warmup=False)
    bars.update(7, 10, warmup=False)  # a chain id outside this run is ignored
    assert [b.n for b in bars.bars] == [40, 60]
    bars.close()
    text = out.getvalue()
    assert "Chain 1" in text and "Chain 2" in text and "phase=Sampling" in text and "60/100" in text


@pytest.fixture
def no_delay(monkeypatch):
    monkeypatch.setattr(progress, "DELAY", 0.0)


def test_fit_shows_bars_not_text_lines(no_delay, capfd) -> None:
    import stanli

    original = stanli._print_sample_progress
    bp.brm("Reaction ~ Days", data=bp.datasets.load("sleepstudy"), chains=2, iter=400, seed=1, refresh=50)
    out, err = capfd.readouterr()
    assert "Iteration:" not in out + err  # CmdStan-style lines are replaced by the bars
    assert "Elapsed Time" not in out + err
    assert "Chain 1" in err and "Chain 2" in err and "400/400" in err
    assert stanli._print_sample_progress is original


def test_refresh_zero_is_quiet(no_delay, capfd) -> None:
    bp.brm("Reaction ~ Days", data=bp.datasets.load("sleepstudy"), chains=2, iter=400, seed=1, refresh=0)
    out, err = capfd.readouterr()
    assert "Chain" not in out + err


def test_cmdstan_lines_move_the_bars(no_delay, capfd) -> None:
    """CmdStan's progress and timing lines of chain i move bar i; its other lines still print."""
    with progress.cmdstan_progress(chains=2, total=300, refresh=100) as on_line:
        assert on_line(0, "Iteration: 100 / 300 [ 33%]  (Warmup)")
        assert on_line(1, "Iteration: 300 / 300 [100%]  (Sampling)")
        assert on_line(1, " Elapsed Time: 0.012 seconds (Warm-up)")
        assert on_line(1, "               0.020 seconds (Total)")
        assert not on_line(0, "Informational Message: The current Metropolis proposal is about to be rejected")
    err = capfd.readouterr().err
    assert "100/300" in err and "300/300" in err and "phase=Sampling" in err
    with progress.cmdstan_progress(chains=2, total=300, refresh=0) as on_line:
        assert on_line is None


def test_cmdstan_fit_shows_bars(no_delay, capfd, cmdstan_home) -> None:
    bp.brm("Reaction ~ Days + (Days | Subject)", data=bp.datasets.load("sleepstudy"), backend="cmdstanpy",
           chains=2, iter=300, seed=1, refresh=50)
    out, err = capfd.readouterr()
    assert "Iteration:" not in out and "Elapsed Time" not in out
    assert "Chain 1" in err and "Chain 2" in err and "300/300" in err


def test_pystan_lines_move_one_bar(no_delay, capfd) -> None:
    """PyStan prints the sum over chains on stderr; those lines move one bar, its other lines print."""
    import sys

    with progress.pystan_progress(chains=2, total=300, refresh=100) as bar:
        sys.stderr.write("Sampling:   0%\n")
        sys.stderr.write("\nSampling:  33% (200/600)\n")
        assert bar.n == 200
        sys.stderr.write("Sampling:  83% (500/600)\nGradient evaluation took 2e-05 seconds\n")
        assert bar.n == 500
        sys.stderr.write("Sampling: 100%, done.\n")
        assert bar.n == 600
    err = capfd.readouterr().err
    assert "Chains 1-2" in err and "600/600" in err
    assert "Gradient evaluation took 2e-05 seconds" in err and "Sampling:" not in err
    with progress.pystan_progress(chains=2, total=300, refresh=0) as bar:
        assert bar is None


def test_pystan_fit_shows_a_bar(no_delay, capfd) -> None:
    pytest.importorskip("stan")
    bp.brm("Reaction ~ Days", data=bp.datasets.load("sleepstudy"), backend="pystan", chains=2, iter=300,
           seed=1, refresh=50)
    out, err = capfd.readouterr()
    assert "Sampling:" not in out + err  # PyStan's text lines are replaced by the bar
    assert "Chains 1-2" in err and "600/600" in err
