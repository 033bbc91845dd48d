"""Child processes that never outlive the call that started them.

C++ compilers (make, stanc, g++) and CmdStan chains run as child processes. A Ctrl-C in a
terminal reaches the whole foreground process group, but a notebook's interrupt, a test's
``SIGINT`` or an exception in the caller reach only Python; without care, compilers and chains
then keep running as orphans and write half-finished files. Every child here starts in its own
session (its own process group), so it never sees a terminal Ctrl-C half-way, and any exception
in the waiting caller (KeyboardInterrupt included) kills the whole group before it propagates.

Written by hand because :mod:`subprocess` has no "kill the group on interrupt" and CmdStanPy's
runner leaves its chain processes running when the caller is interrupted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

__all__ = ["kill_group", "run_isolated", "run_parallel", "ProcessResult"]

_POSIX = os.name == "posix"


def _popen_kwargs() -> dict:
    if _POSIX:
        return {"start_new_session": True}
    return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}  # pragma: no cover - Windows


def kill_group(proc: subprocess.Popen, grace: float = 5.0) -> None:
    """Terminate ``proc`` and everything it started (its own process group), then reap it."""
    if proc.poll() is not None:
        return
    if not _POSIX:  # pragma: no cover - Windows: no process groups to signal
        proc.kill()
        proc.wait()
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(grace)
            return
        except subprocess.TimeoutExpired:
            continue
    proc.wait()


def run_isolated(cmd: Sequence[str], input_text: str = "", on_interrupt: Callable[[], None] | None = None,
                 cwd: str | os.PathLike | None = None,
                 env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``cmd`` in its own session and return its output.

    A new session keeps a terminal Ctrl-C away from the child (so a compiler is never left
    half-killed); instead a KeyboardInterrupt (or any exception) in the caller kills the
    child's whole process group, runs ``on_interrupt`` and propagates. No process outlives
    this call.
    """
    proc = subprocess.Popen(
        list(cmd), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, cwd=cwd, env=None if env is None else dict(env), **_popen_kwargs(),
    )
    try:
        out, err = proc.communicate(input_text)
    except BaseException:
        kill_group(proc)
        if on_interrupt is not None:
            on_interrupt()
        raise
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@dataclass
class ProcessResult:
    """One finished process of :func:`run_parallel`: its command, exit code and output file."""

    cmd: list[str]
    returncode: int
    log: Path
    seconds: float = 0.0

    def output(self, limit: int = 4000) -> str:
        """The last ``limit`` characters of what the process printed (stdout and stderr)."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return text[-limit:]


@dataclass
class _Running:
    index: int
    proc: subprocess.Popen
    log: Path
    start: float
    printed: int = 0
    prefix: str = ""
    partial: str = field(default="")
    muted: bool = False  # still inside the header that echo_after_blank skips


def run_parallel(cmds: Sequence[Sequence[str]], logs: Sequence[Path], max_parallel: int = 1,
                 env: Mapping[str, str] | None = None, echo: bool = False,
                 prefixes: Sequence[str] | None = None, poll: float = 0.05,
                 echo_after_blank: bool = False,
                 on_line: Callable[[int, str], bool] | None = None) -> list[ProcessResult]:
    """Run every command, at most ``max_parallel`` at a time, each writing to its log file.

    Parameters
    ----------
    cmds : list of argument lists
    logs : one output file per command (stdout and stderr together)
    max_parallel : processes running at once
    env : environment of every process (default: this process's)
    echo : print each process's output lines as they come, after its prefix
    prefixes : one prefix per command for ``echo`` (e.g. ``"Chain [1] "``)
    echo_after_blank : echo nothing before a process's first blank line (CmdStan first repeats
        every argument it was given)
    on_line : called with (command index, line) for each line ``echo`` would print; a line for
        which it returns True is not printed (e.g. progress lines that move a progress bar)

    Returns
    -------
    list of ProcessResult
        In the order of ``cmds``, whatever their exit codes.

    The caller waits in short steps, so Ctrl-C interrupts it at once; then every running
    process group is killed (and reaped) before the KeyboardInterrupt propagates.
    """
    pending = list(range(len(cmds)))
    running: list[_Running] = []
    results: list[ProcessResult | None] = [None] * len(cmds)
    prefixes = list(prefixes or [""] * len(cmds))
    try:
        while pending or running:
            while pending and len(running) < max(1, max_parallel):
                i = pending.pop(0)
                with open(logs[i], "wb") as out:
                    proc = subprocess.Popen(
                        list(cmds[i]), stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                        env=None if env is None else dict(env), **_popen_kwargs(),
                    )
                running.append(_Running(i, proc, Path(logs[i]), time.monotonic(), prefix=prefixes[i],
                                        muted=echo_after_blank))
            time.sleep(poll)
            for job in list(running):
                done = job.proc.poll() is not None
                if echo:
                    _echo(job, final=done, on_line=on_line)
                if done:
                    running.remove(job)
                    results[job.index] = ProcessResult(list(cmds[job.index]), int(job.proc.returncode), job.log,
                                                       time.monotonic() - job.start)
    except BaseException:
        for job in running:
            kill_group(job.proc)
        raise
    return [r for r in results if r is not None]


def _echo(job: _Running, final: bool, on_line: Callable[[int, str], bool] | None = None) -> None:
    """Print the new complete lines of a running process's log (all of it when it ended)."""
    try:
        with open(job.log, "rb") as fh:
            fh.seek(job.printed)
            chunk = fh.read()
    except OSError:
        return
    job.printed += len(chunk)
    text = job.partial + chunk.decode("utf-8", errors="replace")
    lines = text.split("\n")
    job.partial = "" if final else lines.pop()
    for line in lines:
        if job.muted:
            job.muted = bool(line.strip())
        elif line.strip() and not (on_line is not None and on_line(job.index, line)):
            print(f"{job.prefix}{line}", file=sys.stdout, flush=True)
