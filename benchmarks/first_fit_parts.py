"""CPU seconds of a first fit by part, outside sampling (issue 24, goal 1).

Runs ``brm("Reaction ~ Days + (Days | Subject)", sleepstudy)`` and ``print(fit.summary())`` in
this fresh process and prints one JSON line: CPU seconds (``time.process_time``, all threads) of
interpreter start, ``import brmspy``, loading the data (pandas' import), importing the fit path,
``build_model``, the backend choice (stanc and the stanli model), sampling (the window of stanli's
sampler call alone), the post-sampling warnings, ``summary()`` and its printing.  CPU time does not
depend on the machine's load as wall time does; compare two trees by running them alternately::

    for i in 1 2 3 4 5; do python benchmarks/first_fit_parts.py; other/python benchmarks/first_fit_parts.py; done

Run it with bytecode cached (unset ``PYTHONDONTWRITEBYTECODE``, or set ``PYTHONPYCACHEPREFIX``):
otherwise every run compiles brmspy's sources again, which no installed copy does.
"""

import resource
import time

_r0 = resource.getrusage(resource.RUSAGE_SELF)
START = _r0.ru_utime + _r0.ru_stime
T0 = time.process_time()

import contextlib  # noqa: E402
import json  # noqa: E402

import brmspy as bp  # noqa: E402

T1 = time.process_time()
df = bp.datasets.load("sleepstudy")
T2 = time.process_time()

import brmspy.backends.stanli_backend as stanli_backend  # noqa: E402
import brmspy.fit.brm as brm_module  # noqa: E402
import brmspy.fit.tables  # noqa: E402,F401

cpu: dict[str, float] = {}


def timed(owner, name: str, key: str) -> None:
    """Add the CPU seconds of ``owner.name``'s calls to ``cpu[key]``."""
    f = getattr(owner, name)

    def wrapper(*args, **kwargs):
        s = time.process_time()
        try:
            return f(*args, **kwargs)
        finally:
            cpu[key] = cpu.get(key, 0.0) + time.process_time() - s

    setattr(owner, name, wrapper)


_progress = stanli_backend.stanli_progress


@contextlib.contextmanager
def sampling_window(*args, **kwargs):
    """stanli's sampler call runs inside this context manager: its CPU is the sampling."""
    s = time.process_time()
    with _progress(*args, **kwargs) as p:
        yield p
    cpu["sampling"] = cpu.get("sampling", 0.0) + time.process_time() - s


stanli_backend.stanli_progress = sampling_window
timed(brm_module, "build_model", "build_model")
timed(brm_module, "choose_backend" if hasattr(brm_module, "choose_backend") else "select_backend", "backend_choice")
timed(brm_module, "warn_diagnostics", "warn_diagnostics")
timed(brm_module.BrmsFit, "summary", "summary")
T3 = time.process_time()
fit = bp.brm("Reaction ~ Days + (Days | Subject)", df, refresh=0, seed=1)
T4 = time.process_time()
text = str(fit.summary())
T5 = time.process_time()

parts = ("build_model", "backend_choice", "warn_diagnostics", "sampling")
out = {"startup": START, "import_brmspy": T1 - T0, "data": T2 - T1, "import_fit_path": T3 - T2, **cpu,
       "brm_other": (T4 - T3) - sum(cpu.get(k, 0.0) for k in parts), "print_summary": T5 - T4 - cpu["summary"]}
out["outside_sampling"] = START + (T5 - T0) - cpu["sampling"]
print(json.dumps({k: round(v, 4) for k, v in out.items()}))
