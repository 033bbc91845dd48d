"""Threads per chain for programs that split their likelihood with ``reduce_sum``.

``brm(..., threads=k)`` writes a ``reduce_sum`` program (:mod:`brmspy.codegen.threads`);
each backend then needs its own switch to run the slices in parallel:

* stanli: ``threads_per_chain=k`` for the model and its ``sample`` call;
* CmdStan: an executable built with ``STAN_THREADS`` and ``threads_per_chain=k``
  (CmdStanPy sets ``STAN_NUM_THREADS`` for the run);
* PyStan: httpstan always builds with ``STAN_THREADS``; Stan reads
  ``STAN_NUM_THREADS`` from the environment of the chain processes.

A program without ``reduce_sum`` (threads off, or a model whose likelihood is
not split) runs with one thread per chain whatever ``threads`` says.
"""

from __future__ import annotations

import contextlib
import os
import re
from typing import Iterator

__all__ = ["is_threaded", "threads_for", "stan_num_threads"]

_REDUCE_SUM = re.compile(r"\breduce_sum(_static)?\s*\(")


def is_threaded(code: str) -> bool:
    """True if the Stan program calls ``reduce_sum`` (so threads can speed it up).

    Examples
    --------
    >>> is_threaded("target += reduce_sum(partial_log_lik_lpmf, seq, grainsize, Y);")
    True
    >>> is_threaded("target += normal_lpdf(Y | mu, sigma);")
    False
    """
    return bool(_REDUCE_SUM.search(code))


def threads_for(code: str, threads: int) -> int:
    """Threads per chain to ask a backend for: ``threads`` for a threaded program, else 1."""
    return int(threads) if is_threaded(code) else 1


@contextlib.contextmanager
def stan_num_threads(threads: int) -> Iterator[None]:
    """Set ``STAN_NUM_THREADS`` for the duration of a sampling call, then restore it."""
    old = os.environ.get("STAN_NUM_THREADS")
    os.environ["STAN_NUM_THREADS"] = str(int(threads))
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("STAN_NUM_THREADS", None)
        else:
            os.environ["STAN_NUM_THREADS"] = old
