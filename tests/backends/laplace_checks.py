"""Shared pieces of the marginal Laplace tests: the Stan program's density as a ``_Model``, and the
finite-difference Hessian in the group effects that the structured precision is checked against."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from brmspy.backends import get_backend
from brmspy.backends.base import data_to_json
from brmspy.backends.marginal_laplace import GlmmStructure, _Layout, _Model


def stan_model(s: GlmmStructure, code: str, data: dict[str, Any]) -> tuple[_Model, _Layout, Callable, Any]:
    """``(model, layout, lpg, built)`` of ``code`` with ``data`` on stanli: ``lpg(t)`` is the program's
    log density and gradient at unconstrained ``t``, the model the structured view of it."""
    import stanli

    backend = get_backend("stanli")
    built = backend.build(backend.compile(code), data)
    bs = stanli.bridgestan_model(stan_code=code, data=data_to_json(data), seed=1)
    lay = _Layout(s, list(bs.param_unc_names()), list(bs.param_names(include_tp=True, include_gq=False)))

    def lpg(t: np.ndarray) -> tuple[float, np.ndarray]:
        lp, gr = built.log_prob_grad(np.ascontiguousarray(t))
        return float(lp), np.asarray(gr)

    m = _Model(s, lpg, lambda t: bs.param_constrain(np.ascontiguousarray(t), include_tp=True), lay)
    return m, lay, lpg, built


def fd_hessian(m: _Model, lpg: Callable, x: np.ndarray) -> np.ndarray:
    """The Hessian of the log density in the group effects at ``x`` (in ``m.perm``'s order), by central
    differences of the exact gradient (step 1e-5)."""
    fd = np.empty((m.perm.size, m.perm.size))
    for j, idx in enumerate(m.perm):
        e = x.copy()
        e[idx] += 1e-5
        up = lpg(e)[1]
        e[idx] -= 2e-5
        fd[j] = ((up - lpg(e)[1]) / 2e-5)[m.perm]
    return fd
