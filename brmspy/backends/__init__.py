"""Stan backends behind one small interface.

Only this package imports stanli, PyStan (``stan``), CmdStanPy or nutpie, and only
inside functions, so ``import brmspy`` is fast and works with any of them
missing.

>>> from brmspy.backends import select_backend, SampleConfig
>>> backend = select_backend(code)                     # doctest: +SKIP
>>> model = backend.compile(code)                      # doctest: +SKIP
>>> draws = backend.sample(model, data, SampleConfig(seed=1))  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

from ..core.errors import BackendUnavailableError

from .base import (
    ALGORITHM_LABELS,
    ALGORITHMS,
    APPROXIMATE_ALGORITHMS,
    BACKEND_ALGORITHMS,
    SAMPLER_STATS,
    Backend,
    CompiledModel,
    Draws,
    SampleConfig,
    StanData,
    check_algorithm,
)
from .stanli_backend import StanliBackend, validate_stan_code

__all__ = [
    "get_backend",
    "available_backends",
    "select_backend",
    "choose_backend",
    "BackendChoice",
    "StanData",
    "auto_nutpie_reason",
    "prefetch_backend",
    "NUTPIE_MIN_ROWS",
    "validate_stan_code",
    "SampleConfig",
    "Draws",
    "Backend",
    "CompiledModel",
    "SAMPLER_STATS",
    "BACKEND_NAMES",
    "ALGORITHMS",
    "APPROXIMATE_ALGORITHMS",
    "ALGORITHM_LABELS",
    "BACKEND_ALGORITHMS",
]

logger = logging.getLogger("brmspy.backends")

def _cmdstanpy() -> Backend:
    from .cmdstanpy_backend import CmdStanPyBackend  # on first use: a stanli fit never loads it

    return CmdStanPyBackend()


def _pystan() -> Backend:
    from .pystan_backend import PyStanBackend  # on first use: a stanli fit never loads it

    return PyStanBackend()


def _nutpie() -> Backend:
    from .nutpie_backend import NutpieBackend  # on first use: only "auto" on large data or backend="nutpie"

    return NutpieBackend()


class _Backends(Mapping[str, Backend]):
    """The shared backend objects by name, each made (and its module imported) on first use."""

    def __init__(self, makers: dict[str, Callable[[], Backend]]) -> None:
        self._makers = makers
        self._made: dict[str, Backend] = {}
        self._lock = threading.Lock()  # one object per name, so its caches are shared

    def __getitem__(self, name: str) -> Backend:
        backend = self._made.get(name)
        if backend is None:
            with self._lock:
                backend = self._made.get(name)
                if backend is None:
                    backend = self._made[name] = self._makers[name]()
        return backend

    def __contains__(self, name: object) -> bool:
        return name in self._makers

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)


# Preference order for "auto": no C++ first, then CmdStan, then PyStan; nutpie (an optional
# extra) only for large data sets, see auto_nutpie_reason().
_BACKENDS: Mapping[str, Backend] = _Backends(
    {"stanli": StanliBackend, "cmdstanpy": _cmdstanpy, "pystan": _pystan, "nutpie": _nutpie}
)

#: ``backend="auto"`` samples with nutpie (when installed) from this many rows up. Measured
#: (``benchmarks/issue24.py``, same runs): at 10^5 rows nutpie took 0.72x stanli's time on the
#: poisson GLMM, 0.24x on the crossed InstEval-like model, 0.96x on the bernoulli GLMM, with more
#: bulk ESS in two of three; on the small models of the ESS/s set the two are close in ESS per
#: second, and importing nutpie (it loads ArviZ and xarray) costs 2-5 s of a fit of a few seconds.
NUTPIE_MIN_ROWS = 10_000


def auto_nutpie_reason(n_rows: int | None, config: SampleConfig | None, warm_start: bool | str = "auto") -> str | None:
    """Why ``backend="auto"`` should sample with nutpie, or None to keep stanli.

    nutpie is chosen for NUTS on at least :data:`NUTPIE_MIN_ROWS` rows, when nothing asks for
    what only stanli does: starting values (``init`` other than None or 2), within-chain
    threads, or ``warm_start=True``. Whether nutpie is installed is checked by the caller.

    Examples
    --------
    >>> from brmspy.backends import SampleConfig, auto_nutpie_reason
    >>> auto_nutpie_reason(100_000, SampleConfig())
    'auto; 100,000 rows >= 10,000: nutpie needs fewer gradients per effective draw there'
    >>> auto_nutpie_reason(180, SampleConfig()) is None, auto_nutpie_reason(100_000, SampleConfig(init=0)) is None
    (True, True)
    """
    if config is None or n_rows is None or n_rows < NUTPIE_MIN_ROWS:
        return None
    if config.algorithm != "sampling" or config.threads != 1 or warm_start is True:
        return None
    if config.init is not None and config.init_radius() != 2.0:
        return None
    if config.num_warmup < 1:
        return None
    return f"auto; {n_rows:,} rows >= {NUTPIE_MIN_ROWS:,}: nutpie needs fewer gradients per effective draw there"


def prefetch_backend(name: str, n_rows: int | None, config: SampleConfig | None,
                     warm_start: bool | str = "auto") -> None:
    """Start importing what sampling with backend ``name`` is about to need, in the background.

    Only nutpie needs it (its import loads ArviZ, xarray, scipy.stats and matplotlib, about 1.5 s
    of CPU; :func:`brmspy.backends.nutpie_backend.prefetch`): for ``name="nutpie"``, and for
    ``"auto"`` when :func:`auto_nutpie_reason` would choose nutpie for ``n_rows`` rows. ``brm()``
    calls it before building the model, so the import overlaps that work.

    Examples
    --------
    >>> from brmspy.backends import SampleConfig, prefetch_backend
    >>> prefetch_backend("stanli", 100_000, SampleConfig())  # nothing to start
    """
    if config is None or config.algorithm != "sampling":
        return
    if name == "nutpie" or (name == "auto" and auto_nutpie_reason(n_rows, config, warm_start) is not None):
        from .nutpie_backend import prefetch  # only when nutpie is about to sample

        prefetch()


#: Every name :func:`get_backend` and :func:`select_backend` accept.
BACKEND_NAMES: tuple[str, ...] = ("auto", "stanli", "pystan", "cmdstanpy", "nutpie")


def _unknown(name: object) -> BackendUnavailableError:
    return BackendUnavailableError(
        f"unknown backend {name!r}; valid names are: {', '.join(map(repr, BACKEND_NAMES))}"
    )


def get_backend(name: str) -> Backend:
    """The backend object called ``name`` (shared, so its caches are reused).

    Parameters
    ----------
    name : {"stanli", "pystan", "cmdstanpy", "nutpie"}

    Returns
    -------
    Backend
        Returned even if unavailable here; check :meth:`Backend.available`.
        Use :func:`select_backend` to get one that is guaranteed to run.

    Raises
    ------
    brmspy.core.errors.BackendUnavailableError
        For an unknown name (the message lists the valid ones).
    """
    if not isinstance(name, str) or name not in _BACKENDS:
        raise _unknown(name)
    return _BACKENDS[name]


def available_backends() -> list[str]:
    """Names of the backends usable here, in the order "auto" tries them."""
    return [name for name, backend in _BACKENDS.items() if backend.available()]


@dataclass(frozen=True)
class BackendChoice:
    """The backend :func:`choose_backend` picked, and the program as that backend compiled it while
    choosing (``model``; None when it was not compiled), so sampling does not compile it again."""

    backend: Backend
    model: CompiledModel | None = None


def select_backend(
    code: str,
    name: str = "auto",
    data: Mapping[str, Any] | None = None,
    *,
    verbose: bool = False,
    algorithm: str = "sampling",
    n_rows: int | None = None,
    config: SampleConfig | None = None,
    warm_start: bool | str = "auto",
) -> Backend:
    """Pick the backend to run ``code`` with (the ``backend`` of :func:`choose_backend`).

    Examples
    --------
    >>> from brmspy.backends import select_backend
    >>> select_backend("parameters { real y; } model { y ~ std_normal(); }").name
    'stanli'
    """
    return choose_backend(code, name, data, verbose=verbose, algorithm=algorithm, n_rows=n_rows, config=config,
                          warm_start=warm_start).backend


def choose_backend(
    code: str,
    name: str = "auto",
    data: Mapping[str, Any] | None = None,
    *,
    verbose: bool = False,
    algorithm: str = "sampling",
    n_rows: int | None = None,
    config: SampleConfig | None = None,
    warm_start: bool | str = "auto",
) -> BackendChoice:
    """Pick the backend to run ``code`` with, and keep what was compiled on the way.

    Parameters
    ----------
    code : str
        The Stan program.
    name : {"auto", "stanli", "pystan", "cmdstanpy", "nutpie"}
        ``"nutpie"`` is nutpie's sampler on stanli's runtime (no compile; ``pip install
        "brmspy-stan[nutpie]"``). ``"auto"`` takes nutpie when it is installed and
        :func:`auto_nutpie_reason` says so (NUTS on at least :data:`NUTPIE_MIN_ROWS` rows), else stanli
        if it accepts the program (and offers ``algorithm``), else CmdStan if it is installed, else
        PyStan; it says which one runs and why.
    data : dict, optional
        With data, "auto" also builds the stanli model (or nutpie's, on the same runtime; cached,
        so sampling reuses it) and falls back if stanli cannot run one of the program's
        features; without data only stanli's compiler is consulted.
    verbose : bool
        Also print the one-line choice (it is always logged at INFO).
    algorithm : str
        One of :data:`ALGORITHMS`; only backends that offer it are chosen
        (:data:`BACKEND_ALGORITHMS`).
    n_rows, config, warm_start : int, SampleConfig, bool or str, optional
        The data's row count, the sampler settings and ``brm(warm_start=)``: what
        :func:`auto_nutpie_reason` decides on. Without them "auto" never picks nutpie.

    Raises
    ------
    brmspy.core.errors.BackendUnavailableError
        Unknown name (listing the valid ones), a requested backend that is
        not usable here (with its reason) or does not offer ``algorithm`` (naming
        those that do), or no usable backend at all.
    brmspy.core.errors.StanCompileError
        If stanc rejects the program.

    Returns
    -------
    BackendChoice
        The backend and, for "auto", the program as it compiled it (pass it to ``sample``).

    Examples
    --------
    >>> from brmspy.backends import choose_backend
    >>> choice = choose_backend("parameters { real y; } model { y ~ std_normal(); }")
    >>> choice.backend.name, choice.model.backend
    ('stanli', 'stanli')
    """
    algo_config = SampleConfig(algorithm=algorithm).validated()
    if name != "auto":
        backend = get_backend(name)
        if not backend.available():
            raise BackendUnavailableError(f"backend {name!r} is not available: {backend.unavailable_reason()}")
        check_algorithm(backend, algo_config)
        _announce(backend.name, "requested", verbose)
        return BackendChoice(backend)

    reasons: list[str] = []
    stanli = _BACKENDS["stanli"]
    if not stanli.available():
        reasons.append(stanli.unavailable_reason())
    else:
        # A stanc rejection is the program's fault, not stanli's: raise it here
        # rather than spend minutes compiling C++ to get the same message.
        model = stanli.compile(code)
        if algorithm not in stanli.algorithms:
            reasons.append(f"stanli does not offer algorithm={algorithm!r}")
        else:
            why = auto_nutpie_reason(n_rows, config, warm_start)
            nutpie = _BACKENDS["nutpie"] if why is not None and data is not None else None
            if nutpie is not None and nutpie.available():
                # nutpie runs stanli's program (its MIR, no second stanc) on stanli's runtime, so its
                # build answers whether stanli can run it; stanli's own model is not built
                nutpie_model = nutpie.from_stanli(model)
                try:
                    nutpie.build(nutpie_model, data, config.seed if config and config.seed else 1)
                except BackendUnavailableError as exc:  # then stanli's build below fails the same way
                    logger.info("auto: nutpie cannot run this program (%s); trying stanli", exc)
                else:
                    _announce("nutpie", why, verbose)
                    return BackendChoice(nutpie, nutpie_model)
            try:
                if data is not None:
                    stanli.build(model, data)
            except BackendUnavailableError as exc:
                reasons.append(str(exc).splitlines()[0])
            else:
                _announce("stanli", "auto", verbose)
                return BackendChoice(stanli, model)
    logger.info("falling back from stanli: %s", reasons[-1])
    for fallback in ("cmdstanpy", "pystan"):
        backend = _BACKENDS[fallback]
        if algorithm not in backend.algorithms:
            reasons.append(f"{fallback} does not offer algorithm={algorithm!r}")
            continue
        if backend.available():
            _announce(fallback, f"auto; {reasons[0]}", verbose)
            return BackendChoice(backend)
        reasons.append(f"{fallback}: {backend.unavailable_reason()}")
    raise BackendUnavailableError("no Stan backend can run this program:\n  " + "\n  ".join(reasons))


def _announce(name: str, how: str, verbose: bool) -> None:
    logger.info("brmspy: sampling with backend %r (%s)", name, how)
    if verbose:
        print(f"brmspy: sampling with backend {name!r}" + ("" if how in ("auto", "requested") else f" ({how})"))
