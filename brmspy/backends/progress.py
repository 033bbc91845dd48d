"""A progress bar per chain (tqdm; widgets in notebooks, text bars in terminals).

CmdStan's chains print ``Iteration:  200 / 2000 [ 10%]  (Warmup)`` lines, which move the bars
instead of being echoed (:func:`cmdstan_progress`). PyStan polls its chains itself and prints only
their sum (``Sampling:  45% (1800/4000)``) on stderr: :func:`pystan_progress` turns those lines into
one bar over all chains (PyStan's public API gives no per-chain progress). stanli reports progress through a module function that prints CmdStan's text lines
(``Chain [1] Iteration: 200 / 2000 [ 10%]  (Warmup)``); while brmspy samples, that function
is replaced by one that moves the chain's bar, and the per-chain timing printout by the
bars' own elapsed time.  ``refresh=0`` shows nothing (stanli then reports nothing).
Bars appear only for runs longer than ``DELAY`` seconds, so quick fits stay quiet.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
import threading
from typing import Any, Iterator

__all__ = ["ChainBars", "stanli_progress", "cmdstan_progress", "pystan_progress", "DELAY"]

#: seconds before the bars appear (tqdm's ``delay``)
DELAY = 2.0


class ChainBars:
    """One bar per chain over its warmup and sampling iterations.

    Examples
    --------
    >>> bars = ChainBars(chains=2, total=2000, disable=True)
    >>> bars.update(1, 500, warmup=True); bars.close()
    """

    def __init__(self, chains: int, total: int, first_chain: int = 1, disable: bool = False,
                 delay: float | None = None, file: Any = None) -> None:
        tqdm = _tqdm_class()
        delay = DELAY if delay is None else delay
        self.notebook = tqdm.__module__ == "tqdm.notebook"
        self._lock = threading.Lock()
        self._first = first_chain
        self.bars = [tqdm(total=total, desc=f"Chain {first_chain + c}", unit="it", position=c, leave=True,
                          disable=disable, delay=delay, postfix={"phase": "Warmup"},
                          **({} if self.notebook else {"file": file or sys.stderr, "dynamic_ncols": True}))
                     for c in range(chains)]

    def update(self, chain_id: int, iteration: int, warmup: bool) -> None:
        """Move chain ``chain_id``'s bar to ``iteration`` (called from the sampler's threads)."""
        with self._lock:
            i = chain_id - self._first
            if not 0 <= i < len(self.bars):
                return
            bar = self.bars[i]
            bar.set_postfix(phase="Warmup" if warmup else "Sampling", refresh=False)
            bar.update(max(0, iteration - bar.n))

    def close(self) -> None:
        for bar in self.bars:
            bar.close()


def _tqdm_class() -> type:
    """tqdm's notebook widget inside a Jupyter kernel with ipywidgets, else the text bar.

    Not ``tqdm.auto``: without ipywidgets it warns on stderr in every notebook cell that fits.
    """
    import importlib.util

    from tqdm import tqdm  # here: only a fit with refresh > 0 draws bars

    ipython = sys.modules.get("IPython")  # never imported here: a script has no kernel
    try:
        shell = ipython.get_ipython() if ipython is not None else None
    except Exception:  # noqa: BLE001 - an odd shell is simply not a notebook
        shell = None
    if shell is not None and "IPKernelApp" in getattr(shell, "config", {}) and importlib.util.find_spec("ipywidgets"):
        from tqdm.notebook import tqdm as notebook_tqdm  # here: widgets only inside a kernel

        return notebook_tqdm
    return tqdm


_ACTIVE: list[ChainBars] = []  # bars of the fits sampling now (the hooks are the library's, one per process)
_SAVED: dict[str, Any] = {}
_SWAP = threading.Lock()
_HOOKS = ("_print_sample_progress", "_print_sample_reports")


def _progress(chain_id: int, iteration: int, total: int, warmup: bool) -> None:
    if _ACTIVE:  # concurrent fits (rare with refresh > 0): the latest one's bars move
        _ACTIVE[-1].update(chain_id, iteration, warmup)


def _reports(*args: Any, **kwargs: Any) -> None:
    """Per-chain times are on the bars; divergences are reported by brmspy's diagnostics."""


@contextlib.contextmanager
def stanli_progress(stanli: Any, chains: int, total: int, refresh: int) -> Iterator[ChainBars | None]:
    """While sampling with stanli, its progress lines become :class:`ChainBars`.

    With ``refresh=0``, or a stanli without the reporting hooks this relies on, nothing changes.
    """
    if refresh <= 0 or not all(callable(getattr(stanli, h, None)) for h in _HOOKS):
        yield None
        return
    bars = ChainBars(chains, total)
    with _SWAP:
        if not _ACTIVE:
            _SAVED.update({h: getattr(stanli, h) for h in _HOOKS})
            stanli._print_sample_progress, stanli._print_sample_reports = _progress, _reports
        _ACTIVE.append(bars)
    try:
        yield bars
    finally:
        with _SWAP:
            _ACTIVE.remove(bars)
            if not _ACTIVE:
                for h, f in _SAVED.items():
                    setattr(stanli, h, f)
                _SAVED.clear()
        bars.close()


_CMDSTAN_LINE = re.compile(r"Iteration:\s*(\d+)\s*/\s*(\d+)\s*\[\s*\d+%\]\s*\((Warmup|Sampling)\)")
_CMDSTAN_TIMING = re.compile(r"Elapsed Time:|^\s*[\d.]+ seconds \((Warm-up|Sampling|Total)\)")


@contextlib.contextmanager
def cmdstan_progress(chains: int, total: int, refresh: int) -> Iterator[Any]:
    """A line filter for :func:`brmspy.backends.processes.run_parallel`: CmdStan's progress and
    timing lines of chain ``i`` (command index ``i``) move bar ``i``; other lines print as before.

    Yields None with ``refresh=0`` (nothing is echoed then).
    """
    if refresh <= 0:
        yield None
        return
    bars = ChainBars(chains, total)

    def on_line(index: int, line: str) -> bool:
        if (m := _CMDSTAN_LINE.search(line)) is not None:
            bars.update(index + 1, int(m.group(1)), m.group(3) == "Warmup")
            return True
        return _CMDSTAN_TIMING.search(line) is not None

    try:
        yield on_line
    finally:
        bars.close()


_PYSTAN_LINE = re.compile(r"Sampling:\s*(\d+)%(?:\s*\((\d+)/(\d+)\))?(,\s*done)?")


class _PyStanSink(io.TextIOBase):
    """A stand-in for ``sys.stderr`` while PyStan samples: its progress lines move ``bar``, other
    lines (its messages from the chains) go on to ``out``."""

    def __init__(self, bar: Any, out: Any) -> None:
        super().__init__()
        self.bar, self.out, self._buffer = bar, out, ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._buffer += text
        *lines, self._buffer = self._buffer.split("\n")
        for line in lines:
            self._line(line)
        return len(text)

    def _line(self, line: str) -> None:
        m = _PYSTAN_LINE.search(line)
        if m is None:
            if line.strip():
                self.out.write(line + "\n")
            return
        done = self.bar.total if m.group(4) and (m.group(2) is None or m.group(1) == "100") else None
        n = done if done is not None else int(m.group(2)) if m.group(2) else self.bar.n
        self.bar.update(max(0, n - self.bar.n))

    def flush(self) -> None:
        if self._buffer:
            self._line(self._buffer)
            self._buffer = ""
        self.out.flush()

    def isatty(self) -> bool:  # PyStan then writes plain lines, no ANSI cursor moves
        return False


@contextlib.contextmanager
def pystan_progress(chains: int, total: int, refresh: int) -> Iterator[Any]:
    """While PyStan samples, its ``Sampling: x% (n/N)`` lines move one bar over all chains.

    Redirects ``sys.stderr`` (PyStan's console writer reads it when sampling starts); lines that
    are not progress go to the real stderr.  Yields None with ``refresh=0`` (PyStan's output is
    then swallowed by the backend).
    """
    if refresh <= 0:
        yield None
        return
    tqdm = _tqdm_class()
    real = sys.stderr
    notebook = tqdm.__module__ == "tqdm.notebook"
    bar = tqdm(total=chains * total, desc=f"Chains 1-{chains}" if chains > 1 else "Chain 1", unit="it",
               leave=True, delay=DELAY, **({} if notebook else {"file": real, "dynamic_ncols": True}))
    sink = _PyStanSink(bar, real)
    try:
        with contextlib.redirect_stderr(sink):
            yield bar
    finally:
        sink.flush()
        bar.close()
