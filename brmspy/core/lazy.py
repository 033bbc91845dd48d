"""Modules imported on first use, so ``import brmspy`` and a first fit stay fast.

``scipy.stats`` alone takes about half a second to import (more on a loaded machine), and the
families' numpy densities need it only when a fit is post-processed (``log_lik``, predictions,
``loo``).  A module-level ``stats = lazy_module("scipy.stats")`` keeps the call sites
(``stats.norm.logpdf(...)``) as they are and imports scipy.stats at the first attribute access.
The standard library's ``importlib.util.LazyLoader`` would put a half-initialised module into
``sys.modules`` (and scipy's own submodule imports then trigger it), so a plain proxy is used, and
the modules it can stand in for are an explicit list (:data:`LAZY_MODULES`): nothing is imported
by a name given at run time.

Examples
--------
>>> from brmspy.core.lazy import lazy_module
>>> special = lazy_module("scipy.special")
>>> float(special.expit(0.0))
0.5
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Callable

__all__ = ["LAZY_MODULES", "lazy_module"]


# each import below runs at the first use of its module (that is this module's purpose)
def _scipy_special() -> ModuleType:
    from scipy import special  # first use

    return special


def _scipy_stats() -> ModuleType:
    from scipy import stats  # first use

    return stats


def _scipy_linalg() -> ModuleType:
    from scipy import linalg  # first use

    return linalg


def _scipy_lapack() -> ModuleType:
    from scipy.linalg import lapack  # first use

    return lapack


def _scipy_sparse() -> ModuleType:
    from scipy import sparse  # first use

    return sparse


#: The modules :func:`lazy_module` can stand in for, and how each is imported.
LAZY_MODULES: dict[str, Callable[[], ModuleType]] = {
    "scipy.special": _scipy_special,
    "scipy.stats": _scipy_stats,
    "scipy.linalg": _scipy_linalg,
    "scipy.linalg.lapack": _scipy_lapack,
    "scipy.sparse": _scipy_sparse,
}


class _LazyModule(ModuleType):
    """Stands in for module ``name``; the first attribute access imports it."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.__dict__["_lazy_target"] = None

    def _load(self) -> ModuleType:
        target = self.__dict__["_lazy_target"]
        if target is None:
            target = LAZY_MODULES[self.__name__]()
            self.__dict__["_lazy_target"] = target
        return target

    def __getattr__(self, attr: str) -> Any:  # only called for names not in __dict__
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return getattr(self._load(), attr)

    def __dir__(self) -> list[str]:
        return dir(self._load())

    def __repr__(self) -> str:
        state = "loaded" if self.__dict__["_lazy_target"] is not None else "not loaded yet"
        return f"<lazy module {self.__name__!r} ({state})>"


def lazy_module(name: str) -> ModuleType:
    """A stand-in for module ``name`` that imports it at the first attribute access.

    Parameters
    ----------
    name : str
        The module's full name, one of :data:`LAZY_MODULES` (e.g. ``"scipy.stats"``).

    Returns
    -------
    types.ModuleType
        A proxy: ``proxy.attr`` is the module's ``attr``.

    Raises
    ------
    KeyError
        If ``name`` is not in :data:`LAZY_MODULES` (add it there with its import).

    Examples
    --------
    >>> from brmspy.core.lazy import lazy_module
    >>> float(lazy_module("scipy.stats").norm.cdf(0.0))
    0.5
    """
    if name not in LAZY_MODULES:
        raise KeyError(f"{name!r} is not in brmspy.core.lazy.LAZY_MODULES")
    return _LazyModule(name)
