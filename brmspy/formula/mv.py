"""Multivariate formulas: whether and how residual correlations (``set_rescor()``) are modelled."""

from __future__ import annotations

import logging

from ..core.errors import BrmsWarning, FamilyError, FormulaError, warn
from .terms import BrmsTerms, MvBrmsTerms

logger = logging.getLogger("brmspy")


#: addition terms allowed on the responses of a model with residual correlations (mi(), mi(sdy): imputed or
#: latent values enter the rows' joint density, brms's Yl array)
RESCOR_ADDITIONS = ("weights", "mi")


def check_rescor(responses: list["BrmsTerms"]) -> None:
    """Check that ``set_rescor(True)`` is possible and mark student's ``nu`` as shared.

    Raises
    ------
    FamilyError
        Unless all responses are gaussian or all are student.
    FormulaError
        For addition terms or formulas brms does not allow with residual correlations.
    """
    fams = [r.family.name for r in responses]
    if any(f not in ("gaussian", "student") for f in fams) or len(set(fams)) != 1:
        raise FamilyError(
            f"Residual correlations (set_rescor(True)) need all responses gaussian or all student; got "
            f"{', '.join(f'{r.resp}: {f}' for r, f in zip(responses, fams))}. Use set_rescor(False) to model "
            "the responses jointly without residual correlations (other families are then allowed)."
        )
    for r in responses:
        bad = [a.name for a in r.response.additions if a.name not in RESCOR_ADDITIONS]
        if bad:
            raise FormulaError(
                f"'{bad[0]}()' on response {r.response.expr!r} is not supported with residual correlations "
                f"(allowed: {', '.join(f'{a}()' for a in RESCOR_ADDITIONS)}); use set_rescor(False)."
            )
        if r.nonlinear:
            raise FormulaError(f"Non-linear formulas are not supported with residual correlations yet (response {r.resp!r}).")
        if r.family.name == "student":
            if "nu" in r.parts or "nu" in r.fixed:
                raise FormulaError(
                    f"With residual correlations all responses share one 'nu'; remove the formula or value of nu "
                    f"from response {r.resp!r}."
                )
            r.shared = ("nu",)
    weights = {a.args.get("w") for r in responses for a in r.response.additions if a.name == "weights"}
    has_w = [r.response.addition("weights") is not None for r in responses]
    if any(has_w) and (not all(has_w) or len(weights) != 1):
        raise FormulaError(
            "With residual correlations a row has one weight: give every response the same 'weights(w)'."
        )


def default_rescor(responses: list["BrmsTerms"]) -> bool:
    """brms's ``rescor`` when the formula does not say (no ``set_rescor()``), with brms's message.

    brms (2.18 and current, ``validate_formula.mvbrmsformula``) models residual correlations
    when every response is gaussian, or every response is student, no family is a mixture
    and no response has ``| mi()``; it says so with a message and warns that the default may
    become FALSE in the future.  Otherwise it sets FALSE, with a message.  Both formula forms
    (``bf() + bf()`` and ``mvbind()``) come through here.
    """
    fams = [r.family for r in responses]
    allowed = len({f.name for f in fams}) == 1 and fams[0].name in ("gaussian", "student")
    with_mi = any(r.response.addition("mi") is not None for r in responses)
    if not allowed or with_mi:
        logger.info("Setting 'rescor' to FALSE by default for this model")
        return False
    warn(
        f"Setting 'rescor' to TRUE by default for this model: the residuals of the {fams[0].name} responses "
        f"{', '.join(r.resp for r in responses)} are modelled as correlated, as brms does. Add set_rescor(True) "
        "to keep them (and silence this warning) or set_rescor(False) for uncorrelated residuals; brms warns "
        "that its default will become FALSE in the future, so set it explicitly.",
        BrmsWarning,
    )
    return True


def resolve_rescor(rescor: bool | None, responses: list["BrmsTerms"]) -> bool:
    """The ``rescor`` of a multivariate model: the formula's, else :func:`default_rescor`; checked when True.

    Raises
    ------
    FamilyError, FormulaError
        When residual correlations are not possible for these responses (see :func:`check_rescor`).
    """
    if rescor is not None:
        if rescor:
            check_rescor(responses)
        return bool(rescor)
    if not default_rescor(responses):
        return False
    try:
        check_rescor(responses)
    except (FamilyError, FormulaError) as exc:
        raise type(exc)(
            f"{exc} (Residual correlations are brms's default for all-gaussian or all-student responses; "
            "add set_rescor(False) to fit the responses without them.)"
        ) from None
    return True


def is_rescor(terms: BrmsTerms | MvBrmsTerms) -> bool:
    """Whether the model has residual correlations (a multivariate model with ``set_rescor(True)``)."""
    return bool(getattr(terms, "rescor", False))
