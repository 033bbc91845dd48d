"""Stan text lives in ``templates/``: functions and snippets are read from there, lazily and once.

The generated programs themselves are pinned by the golden files (``tests/golden``); these tests
keep the Stan text out of Python (a string constant holding more than two lines of Stan, or a
list of four or more Stan statements, belongs in a template) and check the loader's contract:
strict names, no file read at import, each file read once.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from brmspy.core.templates import StanFunction, stan_function, stan_lines

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "brmspy"
TEMPLATES = ROOT / "templates"

#: a line of Stan code: a statement, a block opening or closing, or a comment
_STAN_LINE = re.compile(r"(?:[;{}]\s*(?://.*)?$)|^\s*(?://|/\*|\*)")
MAX_STRING_LINES = 2  # a declaration with its comment, or a statement split over two lines
MAX_LIST_LINES = 3  # e.g. a comment and two declarations that belong together


def _text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):  # an f-string: its constant parts, placeholders as 'X'
        return "".join(v.value if isinstance(v, ast.Constant) else "X" for v in node.values)
    return None


def _stan_lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip() and _STAN_LINE.search(line))


def stan_text_in_python(package: Path) -> tuple[list[tuple[str, int, int]], list[tuple[str, int, int]]]:
    """Multi-line Stan strings and long lists of Stan lines in ``package``: (file, line, Stan lines) each."""
    strings, lists = [], []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip: set[int] = set()
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body \
                    and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skip.add(id(body[0].value))  # docstrings
            if isinstance(node, ast.JoinedStr):
                skip.update(id(v) for v in node.values)  # counted as part of their f-string
        rel = path.relative_to(package.parent).as_posix()
        for node in ast.walk(tree):
            text = None if id(node) in skip else _text(node)
            if text is not None and _stan_lines(text) > MAX_STRING_LINES:
                strings.append((rel, node.lineno, _stan_lines(text)))
            if isinstance(node, ast.List):
                n = sum(1 for e in node.elts if (t := _text(e)) is not None and _stan_lines(t))
                if n > MAX_LIST_LINES:
                    lists.append((rel, node.lineno, n))
    return strings, lists


def test_no_stan_program_text_in_python_strings():
    strings, lists = stan_text_in_python(PACKAGE)
    where = "\n".join(f"  {f}:{line} ({n} lines of Stan)" for f, line, n in strings + lists)
    assert not strings and not lists, (
        "Stan program text belongs in templates/ (functions/<name>.stan or a macro in snippets/<concept>.stan.j2, "
        f"read with brmspy.core.templates):\n{where}"
    )


def test_the_detector_finds_stan_text(tmp_path):
    """The check above can fail: it sees a function definition and a list of statements, not docstrings."""
    (tmp_path / "m.py").write_text(
        'X = """  real f(real x) {\\n    return x;\\n  }"""\n'
        'Y = ["for (n in 1:N) {", "  a[n] = 1;", f"  b[n] = {X};", "}"]\n'
        'def f():\n    """A docstring with ``target += x;``\n    and {\n    } is prose."""\n'
    )
    strings, lists = stan_text_in_python(tmp_path)
    assert [n for _, _, n in strings] == [3] and [n for _, _, n in lists] == [4]


def test_function_files_are_stan_functions():
    """Each file under templates/functions defines functions at the functions block's indentation."""
    files = sorted(TEMPLATES.glob("functions/*.stan*"))
    assert len(files) > 40
    for path in files:
        text = re.sub(r"\{#.*?#\}\n", "", path.read_text(), flags=re.S)  # the template's own comment
        lines = [ln for ln in text.splitlines() if ln.strip()]
        assert lines[0].startswith("  /*") or lines[0].startswith("  //"), f"{path.name}: starts with a comment"
        assert lines[-1] == "  }", f"{path.name}: ends with a function's closing brace"
        assert path.read_text().endswith("}\n")


def test_plain_files_are_verbatim_and_templates_strict():
    text = (TEMPLATES / "functions" / "mo.stan").read_text()
    assert stan_function("mo") == text.removesuffix("\n")
    with pytest.raises(TypeError, match="takes no values"):
        stan_function("mo", n="1")
    with pytest.raises(jinja2.UndefinedError, match="inv_link"):  # a name Python did not pass
        stan_function("cumulative", link="logit")
    with pytest.raises(LookupError, match="no Stan template"):
        stan_function("no_such_function")
    with pytest.raises(jinja2.UndefinedError):
        stan_lines("likelihood", "rowwise")


def test_ordinal_function_takes_the_link_from_python():
    f = StanFunction("sratio", (("inv_link", "Phi"), ("link", "probit")))
    text = f.text
    assert "real sratio_probit_lpmf(int y, real mu, real disc, vector thres) {" in text
    assert "lp += log1m(Phi(disc * (thres[k] - mu)));" in text and "{{" not in text


def test_snippet_lines_keep_relative_indentation():
    lines = stan_lines("autocor", "arma_terms", s="", text="arma(p = 1, q = 1)", mu="mu", Y="Y", ma=True, ar=False)
    assert lines[0] == "// add the ARMA terms of arma(p = 1, q = 1), row by row"
    assert lines[1:3] == ["for (n in 1:N) {", "  mu[n] += Err[n, 1:Kma] * ma;"]
    assert not any("Kar" in ln for ln in lines) and lines[-1] == "}"


def test_import_reads_no_template_and_a_program_reads_each_once():
    code = (
        "import brmspy, brmspy.core.templates as T\n"
        "reads = []\n"
        "source = T._source\n"
        "T._source = lambda name: (reads.append(name), source(name))[1]\n"
        "assert T._env.cache_info().currsize == 0 and T._function_text.cache_info().currsize == 0\n"
        "import pandas as pd\n"
        "d = pd.DataFrame({'y': [0, 1, 1, 0, 1, 0], 'x': [1.0, 2, 3, 4, 5, 6], 'g': list('aabbcc')})\n"
        "make = lambda: brmspy.make_stancode('y ~ x + (x | g)', d, family=brmspy.bernoulli(link='cauchit'))\n"
        "make()\n"
        "first = len(reads)\n"
        "make()\n"
        "print(first, len(reads), len(set(reads)), sorted(reads))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    first, total, distinct, names = res.stdout.split(" ", 3)
    assert int(first) == int(total) == int(distinct) >= 3, res.stdout  # nothing read twice
    assert "functions/inv_cauchit.stan" in names and "functions/scale_r_cor.stan" in names
    assert "model.stan.j2" in names
