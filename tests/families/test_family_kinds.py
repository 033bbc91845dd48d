"""Family kinds are behaviour on the family objects, not switches on family names.

``families/kinds.py`` gives each family a kind with the facts stages ask; code generation writes
each kind's pieces through one writer per kind (``codegen/kinds.py``).  These tests pin the facts,
the registry, and keep stages from switching on the names of ordinal, categorical or mixture
families again.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from brmspy.codegen.categorical import CategoricalCode
from brmspy.codegen.kinds import KIND_CODE, kind_code
from brmspy.codegen.likelihood import UnivariateCode
from brmspy.codegen.mixture import MixtureCode
from brmspy.codegen.ordinal import OrdinalCode
from brmspy.codegen.survival import SurvivalCode
from brmspy.families import FAMILIES, Ops, brmsfamily, categorical, mixture
from brmspy.families.kinds import Categorical, FamilyKind, Mixture, Ordinal, Survival

PACKAGE = Path(__file__).resolve().parents[2] / "brmspy"
ORDINAL = {"cumulative", "sratio", "cratio", "acat", "hurdle_cumulative"}
CATEGORICAL = {"categorical", "multinomial", "dirichlet", "dirichlet2", "dirichlet_multinomial", "logistic_normal"}


def test_every_family_has_its_kind():
    for name, spec in FAMILIES.items():
        kind = spec.kind
        assert isinstance(kind, FamilyKind)
        assert kind.has_thresholds == (name in ORDINAL), name
        assert kind.has_categories == (name in CATEGORICAL), name
        assert kind.univariate == (name not in ORDINAL | CATEGORICAL), name
        assert not kind.has_components
    m = mixture("gaussian", "lognormal")
    assert isinstance(m.kind, Mixture) and m.kind.has_components and not m.kind.univariate


def test_ordinal_facts():
    kinds = {n: FAMILIES[n].kind for n in ORDINAL}
    assert {n for n, k in kinds.items() if k.ordered_thresholds} == {"cumulative", "hurdle_cumulative"}
    assert {n for n, k in kinds.items() if not k.allows_cs} == {"cumulative"}
    assert {n for n, k in kinds.items() if k.hurdle} == {"hurdle_cumulative"}
    assert kinds["cumulative"].builtin == {"logit": "ordered_logistic", "probit": "ordered_probit"}
    assert not kinds["sratio"].builtin
    assert [kinds[n].first_category for n in ("cumulative", "hurdle_cumulative")] == [1, 0]
    assert FamilyKind().first_category == 1
    assert all(FAMILIES[n].kind.per_category_epred for n in ORDINAL | CATEGORICAL)
    assert not FAMILIES["poisson"].kind.per_category_epred


def test_categorical_facts_and_likelihoods():
    assert {n: FAMILIES[n].kind.response for n in CATEGORICAL} == {
        "categorical": "category", "multinomial": "counts", "dirichlet": "proportions", "dirichlet2": "proportions",
        "dirichlet_multinomial": "counts", "logistic_normal": "proportions_vector"}
    assert {n for n in CATEGORICAL if not FAMILIES[n].kind.joint_link} == {"dirichlet2"}
    dp = {"mu": "mu[n]", "phi": "phi", "sigma": "sigma", "Llncor": "Llncor", "ref": "1"}
    calls = {n: FAMILIES[n].likelihood.call("Y[n]", dp, Ops(set())) for n in CATEGORICAL}
    assert calls == {
        "categorical": "categorical_logit_lpmf(Y[n] | mu[n])",
        "multinomial": "multinomial_logit_lpmf(Y[n] | mu[n])",
        "dirichlet": "dirichlet_lpdf(Y[n] | softmax(mu[n]) * phi)",
        "dirichlet2": "dirichlet_lpdf(Y[n] | mu[n])",
        "dirichlet_multinomial": "dirichlet_multinomial_logit2_lpmf(Y[n] | mu[n], phi)",
        "logistic_normal": "logistic_normal_cholesky_cor_lpdf(Y[n] | mu[n], sigma, Llncor, 1)",
    }


def test_mixture_behaviour_on_the_family():
    m = mixture("gaussian", "gaussian")
    assert m.has_theta_simplex and m.dpar_class("sigma2") == "sigma" and m.dpar_class("mu1") == "mu"
    g = brmsfamily("gaussian")
    assert not g.has_theta_simplex and g.dpar_class("sigma") == "sigma"
    assert categorical().dpar_class("muB") == "muB"


@pytest.mark.parametrize("family, writer", [
    (brmsfamily("gaussian"), UnivariateCode), (brmsfamily("zero_inflated_poisson"), UnivariateCode),
    (brmsfamily("cumulative"), OrdinalCode), (brmsfamily("hurdle_cumulative"), OrdinalCode),
    (categorical(), CategoricalCode), (brmsfamily("dirichlet"), CategoricalCode),
    (mixture("gaussian", "gaussian"), MixtureCode), (brmsfamily("cox"), SurvivalCode),
])
def test_each_kind_has_its_code_writer(family, writer):
    assert type(kind_code(family)) is writer


def test_the_registry_lists_every_kind():
    assert set(KIND_CODE) == {FamilyKind, Ordinal, Categorical, Mixture, Survival}
    assert {type(s.kind) for s in FAMILIES.values()} | {Mixture} <= set(KIND_CODE)


def _kind_switches(package: Path) -> list[str]:
    """Comparisons of a family's name with an ordinal, categorical or mixture family's name, outside families/."""
    names = ORDINAL | CATEGORICAL | {"mixture"}
    out = []
    for path in sorted(package.rglob("*.py")):
        if "families" in path.relative_to(package).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "special" and "spec" in ast.unparse(node.value).split("."):
                out.append(f"{path.name}:{node.lineno} .special")
            if not isinstance(node, ast.Compare):
                continue
            sides = [node.left, *node.comparators]
            consts = {c.value for c in sides if isinstance(c, ast.Constant)}
            for c in sides:
                if isinstance(c, (ast.Tuple, ast.List, ast.Set)):
                    consts |= {e.value for e in c.elts if isinstance(e, ast.Constant)}
            named = [c for c in sides if isinstance(c, ast.Attribute) and c.attr == "name"]
            if consts & names and any(re.search(r"fam|comp", ast.unparse(c.value)) for c in named):  # not dist.name
                out.append(f"{path.name}:{node.lineno}")
    return out


def test_no_stage_switches_on_kind_family_names(tmp_path):
    assert _kind_switches(PACKAGE) == []
    (tmp_path / "m.py").write_text('def f(t):\n    return t.family.name == "cumulative" or t.spec.special\n')
    assert _kind_switches(tmp_path) == ["m.py:2", "m.py:2 .special"]
