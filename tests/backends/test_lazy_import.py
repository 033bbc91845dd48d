"""``import brmspy`` loads no heavy library: public names are imported on first use (PEP 562).

Module lists, not timings: a shared CI machine's timings vary by a factor of 5, the list does not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import brmspy as bp

HEAVY = ("scipy", "scipy.stats", "scipy.special", "matplotlib", "arviz", "arviz_base", "arviz_stats", "arviz_plots",
         "xarray", "pandas", "h5py", "stanli", "nutpie", "bridgestan", "jinja2")


def _fresh(code: str) -> list:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    return json.loads(out.stdout)


def test_import_brmspy_loads_no_heavy_module():
    code = f"import sys, json, brmspy; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    assert _fresh(code) == []


def test_errors_import_without_the_package():
    code = f"import sys, json; from brmspy.core.errors import FormulaError; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    assert _fresh(code) == []


def test_names_load_on_use_and_star_import_gives_all():
    code = ("import sys, json, brmspy as bp; f = bp.poisson(); before = 'matplotlib' in sys.modules; "
            "ns = {}; exec('from brmspy import *', ns); "
            "print(json.dumps([f.link, bp.brm.__module__, before, sorted(set(ns) - {'__builtins__'}) == sorted(bp.__all__)]))")
    assert _fresh(code) == ["log", "brmspy.fit.brm", False, True]


def test_public_names():
    assert {"brm", "BrmsFit", "loo", "pp_check", "cumulative", "zero_inflated_poisson", "SamplingError"} <= set(bp.__all__)
    assert set(bp.__all__) <= set(dir(bp))
    assert bp.summary is bp.fit.methods.summary and bp.datasets.load("sleepstudy").shape == (180, 3)
    try:
        bp.no_such_name
    except AttributeError as exc:
        assert str(exc) == "module 'brmspy' has no attribute 'no_such_name'"
    else:
        raise AssertionError("no AttributeError")
