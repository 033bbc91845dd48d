"""``car()``: conditional autoregressive spatial effects (brms's escar, esicar, icar, bym2).

Golden programs that stanc accepts; the sparse CAR densities against the dense multivariate normal;
numpy log-likelihood equal to Stan's density; names; new data (known locations only, as brms);
refusals; recovery of a simulated spatial field.  (Stan data — edges, eigenvalues, BYM2 scale — and
default priors against brms 2.18: the ``ac_car*`` cases of ``tests/test_brms_reference.py``.)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.core.errors import DataError, FormulaError
from brmspy.core.templates import stan_function
from brmspy.frame.autocor import bym2_scale
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers


def _ring(n: int) -> pd.DataFrame:
    locs = [f"L{i}" for i in range(n)]
    W = np.zeros((n, n))
    for i in range(n):
        W[i, (i + 1) % n] = W[(i + 1) % n, i] = 1
    return pd.DataFrame(W, index=locs, columns=locs)


def _data(seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"y": rng.normal(size=30), "yc": rng.poisson(2, 30), "x": rng.normal(size=30),
                         "g": np.tile([f"L{i}" for i in range(6)], 5)})


CASES = {
    "car_escar": ("y ~ x + car(W, gr = g)", "gaussian"),
    "car_esicar": ('y ~ x + car(W, gr = g, type = "esicar")', "gaussian"),
    "car_icar_poisson": ('yc ~ x + car(W, gr = g, type = "icar")', "poisson"),
    "car_bym2_poisson": ('yc ~ x + car(W, g, "bym2")', "poisson"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_and_stanc(name: str, update_golden: bool) -> None:
    formula, family = CASES[name]
    code = bp.make_stancode(formula, _data(), family, data2={"W": _ring(6)})
    assert_golden(name, code, update_golden)


def _density_model(fn: str, car: float, sdcar: float, W: np.ndarray):
    n = len(W)
    i, j = np.nonzero(np.triu(W))
    Nneigh = W.sum(axis=0)
    eig = np.linalg.eigvalsh(W / np.sqrt(np.outer(Nneigh, Nneigh)))
    args = "car, sdcar" if fn == "sparse_car" else "sdcar"
    code = (f"functions {{\n{stan_function(fn + '_lpdf')}\n}}\n"
            "data { int Nloc; int Nedges; array[Nedges] int edges1; array[Nedges] int edges2; vector[Nloc] Nneigh;"
            " vector[Nloc] eig; real car; real sdcar; }\n"
            "parameters { vector[Nloc] phi; }\n"
            f"model {{ target += {fn}_lpdf(phi | {args}, Nloc, Nedges, Nneigh, eig, edges1, edges2); }}\n")
    data = {"Nloc": n, "Nedges": len(i), "edges1": (j + 1).tolist(), "edges2": (i + 1).tolist(),
            "Nneigh": Nneigh, "eig": eig, "car": car, "sdcar": sdcar}
    return stanli.Model(stan_code=code, data=data)


@pytest.mark.parametrize("fn", ["sparse_car", "sparse_icar"])
def test_sparse_densities_equal_the_dense_normal(fn: str) -> None:
    W = np.asarray(_ring(7), dtype=float)
    D = np.diag(W.sum(axis=0))
    rng = np.random.default_rng(3)
    phis = rng.normal(size=(3, 7))
    for car, sdcar in [(0.3, 0.7), (0.9, 1.6)]:
        m = _density_model(fn, car, sdcar, W)
        c = car if fn == "sparse_car" else 1.0
        Q = (D - c * W) / sdcar ** 2
        lps = [m.log_prob_grad(p)[0] for p in phis]
        quad = [-0.5 * p @ Q @ p for p in phis]
        # the quadratic form exactly; the normalising terms up to log det(D) / 2 (and the ICAR's null space)
        np.testing.assert_allclose(np.diff(lps), np.diff(quad), rtol=1e-10)
        if fn == "sparse_car":
            logdet = np.linalg.slogdet(Q)[1] - np.linalg.slogdet(D)[1]
            assert lps[0] - quad[0] == pytest.approx(0.5 * logdet, rel=1e-10)
        else:  # rank n - 1: the precision's scale enters (n - 1) times
            assert lps[0] - quad[0] == pytest.approx(0.5 * 6 * np.log(1 / sdcar ** 2), rel=1e-10)


def test_bym2_scale_of_a_chain() -> None:
    # brms 2.18's .car_scale() of the 8-location chain of tests/reference/brms/data/adjW.csv
    e1, e2 = np.arange(2, 9), np.arange(1, 8)
    assert bym2_scale(e1, e2, 8) == pytest.approx(1.193163397, rel=1e-8)


@pytest.fixture(scope="module", params=list(CASES))
def short_fit(request):
    formula, family = CASES[request.param]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 200 iterations: convergence warnings are expected
        return request.param, bp.brm(formula, _data(), family, data2={"W": _ring(6)}, chains=1, iter=200, seed=1,
                                     refresh=0)


def test_loglik_names_and_new_data(short_fit) -> None:
    name, fit = short_fit
    assert_loglik_matches_stan(fit)
    cols = set(fit.draws().columns)
    assert {"sdcar", "rcar[1]", "rcar[6]"} <= cols
    assert ("car" in cols) == (name == "car_escar") and ("rhocar" in cols) == (name == "car_bym2_poisson")
    df = _data()
    new = df.iloc[[5, 0, 3]]
    np.testing.assert_allclose(bp.posterior_epred(fit, newdata=new), bp.posterior_epred(fit)[:, [5, 0, 3]])
    with pytest.raises(DataError, match="not in the fitted data"):
        bp.posterior_epred(fit, newdata=new.assign(g=["L1", "L9", "L2"]))


def test_refusals() -> None:
    df = _data()
    with pytest.raises(FormulaError, match="type"):
        bp.make_stancode('y ~ x + car(W, gr = g, type = "sar")', df, data2={"W": _ring(6)})
    with pytest.raises(DataError, match="not in data2"):
        bp.make_stancode("y ~ x + car(V, gr = g)", df, data2={"W": _ring(6)})
    with pytest.raises(DataError, match="Row names"):
        bp.make_stancode("y ~ x + car(W, gr = g)", df, data2={"W": _ring(6).to_numpy()})
    lonely = _ring(6)
    lonely.iloc[0, :] = lonely.iloc[:, 0] = 0
    with pytest.raises(DataError, match="at least one neighbor"):
        bp.make_stancode("y ~ x + car(W, gr = g)", df, data2={"W": lonely})
    bp.make_stancode('y ~ x + car(W, gr = g, type = "icar")', df, data2={"W": lonely})  # icar allows islands
    with pytest.warns(UserWarning, match="deprecated"):
        code = bp.make_stancode("y ~ x + car(W)", df.iloc[:6], data2={"W": _ring(6)})
    assert "sparse_car_lpdf" in code


@pytest.fixture(scope="module")
def fit_field():
    rng = np.random.default_rng(21)
    n = 30
    W = np.asarray(_ring(n), dtype=float)
    D = np.diag(W.sum(axis=0))
    Sigma = np.linalg.inv((D - 0.9 * W) / 0.8 ** 2)
    field = rng.multivariate_normal(np.zeros(n), Sigma)
    g = np.repeat(np.arange(n), 6)
    x = rng.normal(size=len(g))
    df = pd.DataFrame({"y": 1.0 + 0.5 * x + field[g] + rng.normal(0, 0.4, len(g)), "x": x,
                       "g": [f"L{i}" for i in g]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bp.brm("y ~ x + car(W, gr = g)", df, data2={"W": _ring(n)}, chains=2, iter=800, seed=4, refresh=0)
    return fit, field


def test_recovers_a_spatial_field(fit_field):
    fit, field = fit_field
    d = fit.draws()
    assert_recovers({k: d[k].to_numpy() for k in ("b_x", "sigma", "sdcar")}, {"b_x": 0.5, "sigma": 0.4, "sdcar": 0.8})
    # locations are the sorted levels ('L0', 'L1', 'L10', ...), as brms
    order = sorted(range(30), key=lambda i: f"L{i}")
    rcar = np.array([d[f"rcar[{k + 1}]"].mean() for k in range(30)])
    assert np.corrcoef(rcar, field[order])[0, 1] > 0.9
