"""The package's structure: stage folders, a one-way import graph, no stage mutating an earlier one's objects.

brmspy is a compiler pipeline (``docs/architecture.md``).  Each stage is a folder of
``brmspy/``; a module may import only from its own stage or lower ones:

    core < families < formula < frame < specials < priors < codegen < backends < fit
         < prediction < criteria < plots < the package itself (``__init__``, ``__main__``, ``datasets``)

The import graph is read with :mod:`ast` from the source, counting every import: at module
level, inside functions and under ``if TYPE_CHECKING:``.  The one exception is the facade
:class:`brmspy.fit.brmsfit.BrmsFit`: its methods (``fit.loo()``, ``fit.pp_check()``, ...) import
the verbs they call inside the method, and those imports are neither upward imports nor edges of
the cycle check (a verb taking a fit would otherwise always close a cycle with the facade).
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "brmspy"

#: stage folders, lowest first
STAGES = ("core", "families", "formula", "frame", "specials", "priors", "codegen", "backends", "fit",
          "prediction", "criteria", "plots")
#: modules outside the stage folders: the package's entry points (above every stage) and its data
TOP = {"brmspy", "brmspy.__main__", "brmspy.datasets"}
DATA_PACKAGES = {"brmspy.data"}  # CSV files only
#: the facade whose in-function imports may reach any stage
FACADE = "brmspy.fit.brmsfit"
#: third-party packages that are slow to import or need a compiler/toolchain: in-function imports of these are fine
HEAVY = {"scipy", "matplotlib", "arviz", "arviz_base", "arviz_stats", "arviz_plots", "xarray", "h5py", "h5netcdf",
         "stan", "stanli", "httpstan", "cmdstanpy", "nutpie", "bridgestan", "jinja2", "concurrent", "multiprocessing"}


def _modules() -> dict[str, Path]:
    out = {}
    for p in PACKAGE.rglob("*.py"):
        parts = list(p.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


MODULES = _modules()


@dataclasses.dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    in_function: bool  # inside a function or class body (not a module-level statement)
    type_checking: bool


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for sub in ast.walk(node):
                if hasattr(sub, "lineno"):
                    lines.add(sub.lineno)
    return lines


def _resolve(module: str, node: ast.ImportFrom | ast.Import) -> list[str]:
    """The brmspy modules an import statement loads (a name that is a submodule counts as that module)."""
    if isinstance(node, ast.Import):
        targets = [a.name for a in node.names]
    else:
        if node.level:
            base = module.split(".")
            if MODULES[module].name != "__init__.py":
                base = base[:-1]
            base = base[: len(base) - (node.level - 1)]
            pkg = ".".join(base + ([node.module] if node.module else []))
        else:
            pkg = node.module or ""
        targets = [f"{pkg}.{a.name}" if f"{pkg}.{a.name}" in MODULES else pkg for a in node.names]
    out = []
    for t in targets:
        while t and t not in MODULES:
            t = t.rpartition(".")[0]
        if t.startswith("brmspy") and t != module:
            out.append(t)
    return out


def _edges() -> list[Edge]:
    edges = []
    for mod, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        tc = _type_checking_lines(tree)
        top = {id(n) for n in tree.body}
        top |= {id(n) for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) and n.lineno in tc}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in dict.fromkeys(_resolve(mod, node)):
                    edges.append(Edge(mod, target, node.lineno, id(node) not in top, node.lineno in tc))
    return edges


EDGES = _edges()


def stage(module: str) -> int:
    """Rank of a module's stage (``len(STAGES)`` for the top-level modules)."""
    parts = module.split(".")
    if module in TOP or module in DATA_PACKAGES:
        return len(STAGES)
    return STAGES.index(parts[1]) if len(parts) > 1 and parts[1] in STAGES else -1


def _facade(e: Edge) -> bool:
    return e.source == FACADE and e.in_function


def _graph() -> dict[str, set[str]]:
    g: dict[str, set[str]] = defaultdict(set)
    for e in EDGES:
        if not _facade(e):
            g[e.source].add(e.target)
    return g


def import_cycles(g: dict[str, set[str]] | None = None) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    g = _graph() if g is None else g
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(max(10000, sys.getrecursionlimit()))

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(set(g) | {w for ws in g.values() for w in ws}):
        if v not in index:
            strong(v)
    return out


def upward_imports() -> list[Edge]:
    return [e for e in EDGES if not _facade(e) and stage(e.target) > stage(e.source)]


# --------------------------------------------------------------------------- the import graph


def test_every_module_is_in_a_stage_folder():
    outside = sorted(m for m in MODULES if stage(m) < 0)
    assert not outside, f"modules outside the stage folders {STAGES}: {outside}"


def test_tests_are_laid_out_per_stage():
    """Each test file sits in the folder of the stage it tests (``tests/<stage>/``), or in
    ``tests/package/`` when it checks the whole package (layers, packaging, docs, the brms corpus)."""
    tests = Path(__file__).resolve().parents[1]
    folders = {*STAGES, "package"}
    misplaced = sorted(str(p.relative_to(tests)) for p in tests.rglob("test_*.py")
                       if p.parent == tests or p.relative_to(tests).parts[0] not in folders)
    assert not misplaced, f"test files outside tests/<stage>/ ({sorted(folders)}): {misplaced}"
    for folder in folders:
        if (tests / folder).is_dir():
            assert (tests / folder / "__init__.py").exists(), f"tests/{folder}/ needs an __init__.py"


def test_no_import_cycles():
    cycles = import_cycles()
    assert not cycles, f"{len(cycles)} import cycle(s): " + "; ".join(" <-> ".join(c) for c in cycles)


def test_no_upward_imports():
    bad = upward_imports()
    text = "\n".join(f"  {e.source}:{e.line} -> {e.target} ({STAGES[stage(e.source)]} imports "
                     f"{STAGES[stage(e.target)] if stage(e.target) < len(STAGES) else 'the package'})"
                     for e in bad[:60])
    assert not bad, f"{len(bad)} import(s) against the stage order:\n{text}"


def test_the_facade_imports_later_stages_only_inside_methods():
    late = [e for e in EDGES if e.source == FACADE and stage(e.target) > stage(FACADE) and not e.in_function]
    assert not late, [f"{e.target} at line {e.line}" for e in late]


def test_in_function_imports_say_why():
    """An import inside a function is for a heavy dependency (scipy, matplotlib, arviz, a backend) or
    for the facade; every such import of a brmspy module carries a comment saying why (never a cycle)."""
    missing = []
    for mod, path in MODULES.items():
        if mod == FACADE:
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for e in (e for e in EDGES if e.source == mod and e.in_function and not e.type_checking):
            text, above = lines[e.line - 1], lines[e.line - 2].strip() if e.line > 1 else ""
            if "#" not in text and not above.startswith("#"):
                missing.append(f"{mod}:{e.line} imports {e.target}")
    assert not missing, "in-function imports without a comment saying why:\n  " + "\n  ".join(missing)


def test_no_plugin_discovery():
    """Special terms, reductions and families are registered by explicit lists, not found by scanning modules.

    The one importlib user is the package's ``__init__``: it imports its public names on first use
    from an explicit name -> module table (``brmspy._LAZY``), so ``import brmspy`` stays fast.
    """
    found = []
    for mod, path in MODULES.items():
        if mod == "brmspy":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import) and any(a.name in ("pkgutil", "importlib") for a in node.names):
                found.append(f"{mod}:{node.lineno} imports {', '.join(a.name for a in node.names)}")
            elif isinstance(node, ast.ImportFrom) and node.module in ("pkgutil", "importlib") and not node.level:
                found.append(f"{mod}:{node.lineno} imports from {node.module}")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "__import__":
                found.append(f"{mod}:{node.lineno} calls __import__")
    assert not found, found


def test_the_graph_sees_every_kind_of_import():
    """The checks above can fail: the graph holds in-function and TYPE_CHECKING imports too."""
    assert any(e.in_function for e in EDGES) and any(e.source == FACADE and e.in_function for e in EDGES)
    fake = {"brmspy.core.a": {"brmspy.core.b"}, "brmspy.core.b": {"brmspy.core.c"}, "brmspy.core.c": {"brmspy.core.a"},
            "brmspy.core.d": {"brmspy.core.a"}}
    assert import_cycles(fake) == [["brmspy.core.a", "brmspy.core.b", "brmspy.core.c"]]
    assert stage("brmspy.plots.x") > stage("brmspy.core.y") and stage("brmspy.frame") == STAGES.index("frame")
    assert stage("brmspy.stray") == -1 and stage("brmspy.datasets") == len(STAGES)


# --------------------------------------------------------------- no stage mutates an earlier one's objects


def _state(obj, seen: set[int] | None = None, depth: int = 0):
    """A comparable deep picture of ``obj``: dataclasses, containers, arrays and frames, by value."""
    seen = set() if seen is None else seen
    if isinstance(obj, (str, bytes, int, float, bool, type(None), complex)):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if id(obj) in seen or depth > 40:
        return ("<seen>", type(obj).__name__)
    seen = seen | {id(obj)}
    if isinstance(obj, np.ndarray):
        return ("ndarray", obj.dtype.str, obj.shape, obj.tobytes() if obj.dtype != object else repr(obj.tolist()))
    if isinstance(obj, pd.DataFrame):
        return ("DataFrame", list(map(str, obj.columns)), [str(t) for t in obj.dtypes], repr(obj.to_dict("list")),
                list(obj.index))
    if isinstance(obj, pd.Series):
        return ("Series", str(obj.dtype), repr(obj.tolist()))
    if isinstance(obj, dict):
        return ("dict", [(_state(k, seen, depth + 1), _state(v, seen, depth + 1)) for k, v in obj.items()])
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = sorted(obj, key=repr) if isinstance(obj, (set, frozenset)) else obj
        return (type(obj).__name__, [_state(v, seen, depth + 1) for v in items])
    if callable(obj) and not dataclasses.is_dataclass(obj):
        return ("callable", getattr(obj, "__qualname__", type(obj).__name__))
    attrs = dict(vars(obj)) if hasattr(obj, "__dict__") else {}
    if dataclasses.is_dataclass(obj):
        attrs.update({f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)})
    return (type(obj).__qualname__, {k: _state(v, seen, depth + 1) for k, v in sorted(attrs.items())})


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 60
    df = pd.DataFrame({
        "x": rng.normal(size=n), "z": rng.normal(size=n), "g": np.repeat(list("abcdef"), 10),
        "cat": rng.choice(list("ABC"), size=n), "m": rng.integers(0, 4, size=n),
        "sx": rng.uniform(0.1, 0.5, size=n), "se": rng.uniform(0.5, 1.0, size=n), "t": np.tile(np.arange(10), 6),
    })
    df["y"] = df["x"] + rng.normal(size=n)
    df["y2"] = df["z"] + rng.normal(size=n)
    return df


MODELS = [
    ("y ~ x + (1 + x | g)", None),
    ("cat ~ x + (1 | g)", "categorical"),  # frame used to expand the terms' parts in place
    ("y ~ s(x, k = 5) + gp(z, k = 5)", None),  # get_prior used to write sp.info["scale_prior"]
    ("y ~ me(x, sx) + me(z, sx) + mo(m)", None),  # link_specials used to write info["settings"]
    ("y | se(se) ~ x", None),  # frame used to fix sigma = 0 in the terms
    ("y ~ x + ar(time = t, gr = g)", None),
    ("y ~ x + offset(z)", "poisson_like"),
]


@pytest.mark.parametrize("formula,family", MODELS, ids=[m[0] for m in MODELS])
def test_stages_leave_their_inputs_unchanged(formula, family):
    from brmspy.codegen.generate import generate
    from brmspy.formula import build_terms
    from brmspy.frame.build import build_frame
    from brmspy.priors.defaults import default_prior_table
    from brmspy.priors.resolve import resolve_priors

    df = _data()
    if family == "poisson_like":
        df["y"] = np.random.default_rng(1).poisson(3, size=len(df))
        family = "poisson"
    terms = build_terms(formula, family)
    before = _state(terms)
    frame = build_frame(terms, df)
    assert _state(terms) == before, "build_frame changed the formula stage's terms"
    data_before = copy.deepcopy(df)
    framed = _state(frame)
    default_prior_table(frame)  # the whole of get_prior() after the frame
    assert _state(frame) == framed, "the default priors (get_prior) changed the model frame"
    priors = resolve_priors(frame, None)
    assert _state(frame) == framed, "resolving the priors changed the model frame"
    resolved = _state(priors)
    generate(frame, priors)
    assert _state(frame) == framed, "generating the program changed the model frame"
    assert _state(priors) == resolved, "generating the program changed the resolved priors"
    pd.testing.assert_frame_equal(df, data_before)


def test_the_state_comparison_sees_a_change():
    from brmspy.formula import build_terms

    terms = build_terms("y ~ x + (1 | g)")
    before = _state(terms)
    terms.fixed["sigma"] = 0.0
    assert _state(terms) != before


def test_get_prior_and_make_stancode_leave_the_users_objects_unchanged():
    """The user's formula, family, priors and data come out of get_prior/make_stancode as they went in."""
    import brmspy as bp

    df = _data()
    family = bp.categorical()
    formula = bp.bf("cat ~ x + (1 | g)")
    prior = bp.prior("normal(0, 2)", class_="b", dpar="muB")
    before = _state((formula, family, prior)), copy.deepcopy(df)
    bp.get_prior(formula, df, family)
    bp.make_stancode(formula, df, family, prior)
    bp.make_standata(bp.bf("y | se(se) ~ x + s(z, k = 5)"), df)
    assert _state((formula, family, prior)) == before[0]
    pd.testing.assert_frame_equal(df, before[1])
