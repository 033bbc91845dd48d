"""Public entry points that sequence the stages (formula -> frame -> priors -> code).

``brm()`` lives in :mod:`brmspy.fit.brm`; this module holds everything up to
sampling: :func:`get_prior`, :func:`make_stancode`, :func:`make_standata`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from .. import specials  # noqa: F401  (registers the special-term plug-ins before any frame is built)
from ..core.frames import as_pandas
from ..core.errors import BrmsError
from ..families import Family
from ..families.custom import CustomFamily, StanVars, as_stanvars, check_stanvar_code
from ..formula import BrmsFormula, MvBrmsFormula, build_terms
from ..formula.terms import BrmsTerms, MvBrmsTerms
from ..frame.build import build_frame
from ..frame.types import ModelFrame
from ..priors.api import _with_dot
from ..priors.checks import warn_design
from ..priors.resolve import resolve_priors
from ..priors.spec import Prior
from ..priors.table import ResolvedPriors
from .generate import GeneratedModel, generate
from .options import CodeOptions
from .reductions import kind_names

FormulaLike = "str | BrmsFormula | MvBrmsFormula"
FamilyLike = "str | Family | None"


@dataclass
class ModelBuild:
    """Everything known about a model before sampling."""

    terms: BrmsTerms | MvBrmsTerms
    frame: ModelFrame
    priors: ResolvedPriors
    generated: GeneratedModel
    stanvars: StanVars | None = None  # the user's stanvar() code and data (update() reuses them)

    @property
    def code(self) -> str:
        return self.generated.code

    @property
    def data(self) -> dict[str, Any]:
        return self.generated.data

    @property
    def code_hash(self) -> str:
        return hashlib.sha256(self.code.encode()).hexdigest()


def build_model(
    formula: "str | BrmsFormula | MvBrmsFormula",
    data: pd.DataFrame,
    family: "str | Family | None" = None,
    prior: "Prior | Iterable[Prior] | pd.DataFrame | None" = None,
    data2: dict[str, Any] | None = None,
    reduce: bool | str = "auto",
    threads: int | None = None,
    centered: bool | str = "auto",
    stanvars: "StanVars | None" = None,
) -> ModelBuild:
    """Run the pre-sampling pipeline once and keep every stage's result.

    ``data2`` holds data that are not columns of ``data`` (brms's ``data2``), e.g.
    the known covariance matrix of ``gr(g, cov = A)``: ``data2={"A": A}``.
    ``reduce``, ``threads`` and ``centered`` choose how the program computes (see :func:`~brmspy.brm`).
    ``stanvars`` (:func:`~brmspy.stanvar`) add user Stan code and data; stanc checks the program
    and a syntax error names the stanvar block.
    """
    stanvars = as_stanvars(stanvars)
    options = _code_options(reduce, threads, centered)
    data = as_pandas(data, "data")
    terms = build_terms(_with_dot(formula, data), family)
    frame = build_frame(terms, data, data2)
    priors = resolve_priors(frame, prior)
    warn_design(frame, priors)  # rank-deficient designs, separation: improper posteriors under flat priors
    generated = generate(frame, priors, options, stanvars=stanvars)
    custom = [t.family for t in frame.response_terms if isinstance(t.family, CustomFamily)]
    if len(stanvars) or custom:
        import stanli  # the user's Stan text is only ever checked by stanc, never run in Python

        density = f"{custom[0].name}_{custom[0].spec.likelihood.kind}" if custom else None
        check_stanvar_code(stanvars, generated.code, stanli.stan_to_mir, density)
    return ModelBuild(frame.terms, frame, priors, generated, stanvars if len(stanvars) else None)  # the terms as the data completed them


def _code_options(reduce: bool | str, threads: int | None, centered: bool | str = "auto") -> CodeOptions:
    if reduce not in ("auto", True, False) and reduce not in kind_names():
        raise BrmsError(
            f"reduce must be 'auto', True, False or the name of a reduction ({', '.join(kind_names())}), got {reduce!r}."
        )
    n = 1 if threads is None else threads
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise BrmsError(f"threads must be a positive integer (threads per chain) or None, got {threads!r}.")
    if centered not in ("auto", True, False):
        raise BrmsError(f"centered must be 'auto', True or False, got {centered!r}.")
    return CodeOptions(reduce=reduce, threads=n, centered=centered)


def make_stancode(
    formula: "str | BrmsFormula | MvBrmsFormula",
    data: pd.DataFrame,
    family: "str | Family | None" = None,
    prior: "Prior | Iterable[Prior] | pd.DataFrame | None" = None,
    save_to: str | Path | None = None,
    data2: dict[str, Any] | None = None,
    reduce: bool | str = "auto",
    threads: int | None = None,
    centered: bool | str = "auto",
    stanvars: "StanVars | None" = None,
) -> str:
    """Generate the Stan program of a model.

    The program depends only on the model's structure: data values and prior
    hyperparameters are passed as data (see :func:`make_standata`), so new data
    or new prior scales give byte-identical code and reuse the compiled model.

    Parameters
    ----------
    formula, data, family, prior, data2, reduce, threads, centered, stanvars : as in :func:`~brmspy.brm`.
    save_to : optional path; the program is also written there.

    Examples
    --------
    >>> from brmspy import make_stancode, datasets
    >>> code = make_stancode("Reaction ~ Days + (Days | Subject)", datasets.load("sleepstudy"))
    >>> "normal_id_glm_lpdf" in code
    True
    """
    code = build_model(formula, data, family, prior, data2, reduce, threads, centered, stanvars).code
    if save_to is not None:
        Path(save_to).write_text(code, encoding="utf-8")
    return code


def make_standata(
    formula: "str | BrmsFormula | MvBrmsFormula",
    data: pd.DataFrame,
    family: "str | Family | None" = None,
    prior: "Prior | Iterable[Prior] | pd.DataFrame | None" = None,
    data2: dict[str, Any] | None = None,
    reduce: bool | str = "auto",
    threads: int | None = None,
    centered: bool | str = "auto",
    stanvars: "StanVars | None" = None,
) -> dict[str, Any]:
    """The data passed to Stan: a dict of numpy arrays and ints named as in the program.

    ``data2``, ``reduce``, ``threads``, ``centered`` and ``stanvars`` as in :func:`~brmspy.brm`.

    Examples
    --------
    >>> from brmspy import make_standata, datasets
    >>> sd = make_standata("Reaction ~ Days + (Days | Subject)", datasets.load("sleepstudy"))
    >>> sd["N"], sd["N_1"], sd["prior_Intercept_loc"]
    (180, 18, 288.7)
    """
    return build_model(formula, data, family, prior, data2, reduce, threads, centered, stanvars).data
