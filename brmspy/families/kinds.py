"""Family kinds: what a family's structure asks of every stage beyond one value per row.

Most families are *univariate*: one response value per row and a density of named dpars,
each dpar a constant or a linear predictor.  Three kinds need more:

- :class:`Ordinal` (cumulative, sratio, cratio, acat, hurdle_cumulative): the intercept of ``mu``
  is a vector of thresholds between the categories;
- :class:`Categorical` (categorical, multinomial, dirichlet): one ``mu`` per non-reference
  category, known only from the data;
- :class:`Mixture` (``mixture()``): component families with mixing proportions ``theta``.

:class:`Survival` (``cox``) stays univariate (one time per row, a row-wise density) but its density
also takes the baseline hazard and cumulative hazard of each row, spline bases of the times
(``Zbhaz``, ``Zcbhaz``) times a simplex ``sbhaz``.

Each :class:`~brmspy.families.core.FamilySpec` names its kind (``spec.kind``, also
``Family.kind``).  A stage asks the kind what it needs (``family.kind.has_thresholds``,
``family.kind.ordered_thresholds``, ``family.kind.univariate``) and keeps its per-kind code in
its own modules: code generation registers one writer per kind in an explicit table
(:mod:`brmspy.codegen.kinds`), so no stage switches on family names.

Examples
--------
>>> from brmspy.families import brmsfamily
>>> brmsfamily("cumulative").kind.has_thresholds, brmsfamily("gaussian").kind.univariate
(True, True)
>>> brmsfamily("sratio").kind.ordered_thresholds
False
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

__all__ = ["Categorical", "FamilyKind", "Mixture", "Ordinal", "Survival", "UNIVARIATE"]


@dataclass(frozen=True)
class FamilyKind:
    """A univariate family: one response value per row, a row-wise density of its dpars.

    The class attributes are the facts every stage may ask of any family; the kinds below
    override them and add their own.
    """

    name: ClassVar[str] = "univariate"
    #: one response value per row and a row-wise density of the dpars: the shape every addition
    #: term, imputation, non-linear formula, reduction and threaded likelihood is written for
    univariate: ClassVar[bool] = True
    has_thresholds: ClassVar[bool] = False  # Ordinal
    has_categories: ClassVar[bool] = False  # Categorical
    has_components: ClassVar[bool] = False  # Mixture
    #: the density takes each row's baseline hazard and cumulative hazard (Survival: cox)
    baseline_hazard: ClassVar[bool] = False

    @property
    def per_category_sigma(self) -> bool:
        """logistic_normal (Categorical with ``lncor``): a ``sigma<Category>`` per category and correlations ``lncor``."""
        return bool(getattr(self, "lncor", False))

    @property
    def per_category_epred(self) -> bool:
        """``posterior_epred`` gives one probability per category (draws, rows, categories), as brms."""
        return self.has_thresholds or self.has_categories

    @property
    def first_category(self) -> int:
        """The label of the first category of a per-category prediction."""
        return 1


UNIVARIATE = FamilyKind()


@dataclass(frozen=True)
class Ordinal(FamilyKind):
    """Ordered categories: the intercept of ``mu`` is a vector of ``nthres`` thresholds."""

    name: ClassVar[str] = "ordinal"
    univariate: ClassVar[bool] = False
    has_thresholds: ClassVar[bool] = True

    #: thresholds declared ``ordered`` (equidistant: ``delta > 0``), brms's "ordered_thres"
    ordered_thresholds: bool = False
    #: category-specific effects cs() are safe; False (cumulative): allowed with brms's "experimental" warning
    #: (the shifted thresholds can cross)
    allows_cs: bool = True
    #: category 0 comes from a hurdle (``hu``), categories 1..ncat from the cumulative model
    hurdle: bool = False
    #: Stan's own log-PMF of the family per link (``ordered_logistic``), used without ``disc`` and weights
    builtin: dict[str, str] = field(default_factory=dict)
    #: a likelihood over all rows at once per link (a macro of templates/snippets/likelihood.stan.j2, the
    #: same log-PMF without a per-row function call), used without ``disc`` predictors and weights
    rows_macro: dict[str, str] = field(default_factory=dict)
    #: a custom family with brms's specials "ordinal": the user's density takes the dpars, the thresholds and
    #: the ``vars`` (``name_lpmf(y | mu, disc, Intercept, vint1[n])``), as brms's ``stan_log_lik_custom``
    custom_density: bool = False

    @property
    def first_category(self) -> int:
        return 0 if self.hurdle else 1


@dataclass(frozen=True)
class Categorical(FamilyKind):
    """Unordered categories: one linear predictor ``mu<Category>`` per non-reference category."""

    name: ClassVar[str] = "categorical"
    univariate: ClassVar[bool] = False
    has_categories: ClassVar[bool] = True

    #: the response: "category" (one per row), "counts" (``cbind(...) | trials(n)``) or
    #: "proportions" (``cbind(...)``, rows summing to 1)
    response: str = "category"
    #: brms's "joint_link": one reference category (predictor 0) and the softmax of the predictors;
    #: False (dirichlet2): every category has its own predictor and the family's link applies to each
    joint_link: bool = True
    #: logistic_normal: a ``sigma<Category>`` per non-reference category and the correlations ``lncor``
    lncor: bool = False


@dataclass(frozen=True)
class Mixture(FamilyKind):
    """A finite mixture of component families with mixing proportions ``theta``."""

    name: ClassVar[str] = "mixture"
    univariate: ClassVar[bool] = False
    has_components: ClassVar[bool] = True

    #: the components are ordinal: predictions are per-category probabilities, as brms
    ordinal: bool = False

    @property
    def per_category_epred(self) -> bool:
        return self.ordinal


@dataclass(frozen=True)
class Survival(FamilyKind):
    """Proportional hazards (``cox``): a row-wise density of ``mu`` and the row's baseline hazard.

    The baseline hazard and cumulative hazard of each row are spline bases of its time
    (brms's ``Zbhaz``, ``Zcbhaz``: :mod:`brmspy.frame.bhaz`) times the simplex ``sbhaz``.
    """

    name: ClassVar[str] = "survival"
    baseline_hazard: ClassVar[bool] = True
