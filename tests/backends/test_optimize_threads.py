"""stanli 0.24's ``Model.optimize()`` crashes the process when called off the main thread (its
``log_prob_grad`` and ``sample()`` run fine there). kfold/reloo fit their folds in threads, so the
stanli backend finds modes there with scipy's L-BFGS on stanli's density instead, and skips the warm
start (which needs stanli's optimizer result by name). These tests crash the interpreter if either
path reaches stanli's optimizer from a thread."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import brmspy as bp
import brmspy.backends as B
from brmspy.backends.stanli_backend import StanliBackend, _optimize


def _in_thread(fn):
    out: dict = {}

    def run():
        try:
            out["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised on the main thread
            out["error"] = exc

    t = threading.Thread(target=run)
    t.start()
    t.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


@pytest.fixture(scope="module")
def sleep_built():
    df = bp.datasets.load("sleepstudy")
    be = B.get_backend("stanli")
    model = be.compile(bp.make_stancode("Reaction ~ Days", data=df))
    return be.build(model, bp.make_standata("Reaction ~ Days", data=df))


def test_mode_off_the_main_thread_equals_stanlis(sleep_built):
    main = _optimize(sleep_built, seed=1, init_radius=0.0)
    other = _in_thread(lambda: _optimize(sleep_built, seed=1, init_radius=0.0))
    # two L-BFGS runs to the same mode of a smooth, unimodal density (sigma on the log scale)
    np.testing.assert_allclose(other, main, rtol=1e-3, atol=1e-3)


def test_no_warm_start_off_the_main_thread(sleep_built):
    assert StanliBackend._warm_start(sleep_built, 1, "") is not None
    with pytest.warns(UserWarning, match="no warm start in a worker thread"):
        assert _in_thread(lambda: StanliBackend._warm_start(sleep_built, 1, "")) is None


def test_laplace_and_warm_started_nuts_run_in_a_thread():
    df = bp.datasets.load("sleepstudy")
    lap = _in_thread(lambda: bp.brm("Reaction ~ Days", df, algorithm="laplace", seed=1, refresh=0))
    with pytest.warns(UserWarning, match="no warm start in a worker thread"):
        nuts = _in_thread(lambda: bp.brm("Reaction ~ Days", df, seed=1, refresh=0, chains=2, iter=600,
                                         warm_start=True))
    for name in ("b_Intercept", "b_Days"):
        a, n = lap.draws_dict[name], nuts.draws_dict[name]
        assert abs(a.mean() - n.mean()) < 0.3 * n.std(), (name, a.mean(), n.mean(), n.std())


def test_batch_refits_do_not_depend_on_the_executor():
    # brm_multiple's "auto" warm start is off for every dataset, so threads give the same draws
    from concurrent.futures import ThreadPoolExecutor

    df = bp.datasets.load("sleepstudy")
    halves = [df.iloc[::2].reset_index(drop=True), df.iloc[1::2].reset_index(drop=True)]
    seq = bp.brm_multiple("Reaction ~ Days", halves, seed=3, refresh=0, chains=2, iter=400, combine=False)
    with ThreadPoolExecutor(2) as ex:
        thr = bp.brm_multiple("Reaction ~ Days", halves, seed=3, refresh=0, chains=2, iter=400, combine=False,
                              executor=ex)
    for a, b in zip(seq, thr):
        np.testing.assert_array_equal(a.draws_dict["b_Days"], b.draws_dict["b_Days"])
