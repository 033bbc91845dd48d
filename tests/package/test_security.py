"""Security: no code runs from formula strings (issue 19, formula part).

Every probe carries a payload that would create a canary file if any part of
brmspy evaluated it as Python; each must raise a FormulaError naming the
construct, and the canary must not exist afterwards.  A timing test checks
that the parsing and allow-list validation stay cheap.
"""

from __future__ import annotations

import time
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.formula import build_terms


@pytest.fixture
def df() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n = 30
    return pd.DataFrame({"y": rng.normal(size=n), "x": rng.normal(size=n), "z": rng.normal(size=n),
                         "n": rng.integers(5, 10, n), "k": rng.integers(0, 5, n), "w": rng.uniform(1, 2, n),
                         "g": np.repeat(["a", "b", "c"], 10), "t": np.arange(n), "cz": rng.integers(0, 2, n)})


def _payload(canary: Path) -> str:
    return f"__import__('os').system('touch {canary}')"


# where a payload can be put: (name, formula factory, family)
PLACES = [
    ("population", lambda p: f"y ~ x + I({p})", "gaussian"),
    ("population_bare", lambda p: f"y ~ x + {p}", "gaussian"),
    ("response", lambda p: f"I(y + 0 * {p}) ~ x", "gaussian"),
    ("trials", lambda p: f"k | trials({p}) ~ x", "binomial"),
    ("weights", lambda p: f"y | weights({p}) ~ x", "gaussian"),
    ("cens", lambda p: f"y | cens({p}) ~ x", "gaussian"),
    ("trunc", lambda p: f"y | trunc(lb = {p}) ~ x", "gaussian"),
    ("se", lambda p: f"y | se({p}) ~ x", "gaussian"),
    ("rate", lambda p: f"k | rate({p}) ~ x", "poisson"),
    ("smooth", lambda p: f"y ~ s({p})", "gaussian"),
    ("offset", lambda p: f"y ~ x + offset({p})", "gaussian"),
    ("mo", lambda p: f"y ~ mo({p})", "gaussian"),
    ("gp", lambda p: f"y ~ gp({p})", "gaussian"),
    ("me", lambda p: f"y ~ me(x, {p})", "gaussian"),
    ("sp_interaction", lambda p: f"y ~ mo(k):I({p})", "gaussian"),
    ("autocor", lambda p: f"y ~ x + ar(time = {p})", "gaussian"),
    ("group_effects", lambda p: f"y ~ x + (1 + I({p}) | g)", "gaussian"),
    ("group_gr", lambda p: f"y ~ x + (1 | gr(g, by = {p}))", "gaussian"),
    ("cs", lambda p: f"k ~ cs(I({p}))", "acat"),
]


@pytest.mark.parametrize("place,make,family", PLACES, ids=[p[0] for p in PLACES])
def test_payload_is_refused_everywhere(place, make, family, df, tmp_path) -> None:
    canary = tmp_path / "canary"
    formula = make(_payload(canary))
    with pytest.raises(bp.FormulaError, match=r"__import__|not allowed|Unknown function"):
        bp.make_stancode(formula, df, family=family)
    assert not canary.exists()


def test_payload_in_dpar_formula(df, tmp_path) -> None:
    canary = tmp_path / "canary"
    with pytest.raises(bp.FormulaError, match="__import__"):
        bp.make_stancode(bp.bf("y ~ x", f"sigma ~ I({_payload(canary)})"), df)
    assert not canary.exists()


def test_payload_in_nlpar_linear_formula(df, tmp_path) -> None:
    canary = tmp_path / "canary"
    f = bp.bf("y ~ a * exp(b * x)", f"a ~ 1 + I({_payload(canary)})", "b ~ 1", nl=True)
    with pytest.raises(bp.FormulaError, match="__import__"):
        bp.make_stancode(f, df, prior=[bp.prior("normal(0, 1)", nlpar="a"), bp.prior("normal(0, 1)", nlpar="b")])
    assert not canary.exists()


def test_payload_in_nonlinear_formula(df, tmp_path) -> None:
    canary = tmp_path / "canary"
    with pytest.raises(bp.FormulaError):
        bp.make_stancode(bp.bf(f"y ~ a * {_payload(canary)}", "a ~ 1", nl=True), df)
    assert not canary.exists()


def test_payload_in_get_prior(df, tmp_path) -> None:
    canary = tmp_path / "canary"
    with pytest.raises(bp.FormulaError, match="__import__"):
        bp.get_prior(f"y ~ x + I({_payload(canary)})", df)
    assert not canary.exists()


def test_payload_in_update(df, tmp_path) -> None:
    canary = tmp_path / "canary"
    # update() only reads these attributes of the fit before it rebuilds the model from the new formula
    fit = types.SimpleNamespace(
        settings={"chains": 1, "iter": 20, "warmup": 10, "thin": 1, "seed": 1, "control": None, "sample_prior": "no",
                  "backend": "stanli"},
        formula=bp.bf("y ~ x"), data=df, family=None, prior=None, data_name="df", data2=None)
    with pytest.raises(bp.FormulaError, match="__import__"):
        bp.update(fit, formula=f"y ~ x + I({_payload(canary)})")
    assert not canary.exists()


def test_file_read_payload(df) -> None:
    with pytest.raises(bp.FormulaError, match=r"'len\(\)'.*not allowed"):
        bp.make_standata("y ~ x + I(len(open('/etc/hostname').read()) + 0*x)", df)


@pytest.mark.parametrize("rhs,construct", [
    ("x.__class__", "dunder name"),
    ("I(x[0])", r"'\[' \(subscripts\)"),
    ("I(x$a)", r"'\$' \(element access\)"),
    ("I(x@a)", r"'@' \(slot access\)"),
    ("I(base::system('id'))", r"'::' \(package access\)"),
    ("I(function(x) x)", "Function definitions"),
    ("I(lambda: 1)", "Lambda functions"),
    ("I(a <- 1)", r"'<-' \(assignment\)"),
    ("I(a = 1)", "no argument 'a'"),
    ("I([v for v in x])", r"'\['"),
    ("eval('1')", r"'eval\(\)'.*not allowed"),
    ("getattr(x, 'real')", r"'getattr\(\)'.*not allowed"),
    ("os.system('id')", "Attribute access"),
    ("np.save('f', x)", "numpy functions allowed"),
    ("I({x})", r"'\{' \(code blocks\)"),
    ("I(x; y)", r"';'"),
    ("I(`x`(1))", "Unknown function 'x\\(\\)'"),
    ("I(open('/etc/hostname'))", r"'open\(\)'.*not allowed"),
    ("I(x)(1)", "Calling the result"),
])
def test_constructs_are_named_in_the_error(rhs: str, construct: str) -> None:
    with pytest.raises(bp.FormulaError, match=construct):
        build_terms(f"y ~ {rhs}")


def test_formula_evaluation_does_not_see_caller_locals(df) -> None:
    secret = np.arange(30.0)  # noqa: F841 - formulaic's context=0 would have found it
    with pytest.raises(bp.DataError, match="'secret'"):
        bp.make_standata("y ~ x + secret", df)


def test_validation_is_cheap() -> None:
    """Parsing and allow-list checks of the sleepstudy formula take well under 10 ms (issue 19)."""
    formula = "Reaction ~ Days + (Days | Subject)"
    build_terms(formula)  # warm imports
    times = []
    for _ in range(30):
        t0 = time.perf_counter()
        build_terms(formula)  # the whole formula stage: every parse and check
        times.append(time.perf_counter() - t0)
    assert np.median(times) < 0.010, f"formula stage took {np.median(times) * 1e3:.2f} ms"


def test_validation_share_of_make_stancode() -> None:
    """What validation adds to sleepstudy make_stancode: the parse/check calls timed inside it, < 10 ms."""
    import brmspy.formula.rexpr as rexpr

    sleep = bp.datasets.load("sleepstudy")
    bp.make_stancode("Reaction ~ Days + (Days | Subject)", sleep)
    spent = [0.0]
    real = rexpr._Parser.parse

    def timed(self):
        t0 = time.perf_counter()
        try:
            return real(self)
        finally:
            spent[0] += time.perf_counter() - t0

    rexpr._Parser.parse = timed
    try:
        bp.make_stancode("Reaction ~ Days + (Days | Subject)", sleep)
    finally:
        rexpr._Parser.parse = real
    assert 0 < spent[0] < 0.010, f"validation took {spent[0] * 1e3:.2f} ms"
