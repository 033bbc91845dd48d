"""Placing the user's ``stanvar()`` code and data in the program's blocks (brms's R/stanvars.R).

The code is placed as text, never evaluated; stanc checks the whole program
(:func:`brmspy.families.custom.check_stanvar_code` names the stanvar block of a syntax error).
Positions follow brms 2.18's ``make_stancode``: data after ``prior_only``; parameters at the end;
``tdata``/``tparameters``/``genquant``/``likelihood`` at the start (after the declarations
where brms puts them) or the end; ``model`` start before the likelihood, end after the priors.
"""

from __future__ import annotations

from ..core.errors import FamilyError
from ..core.stan import StanBlocks
from ..families.custom import StanVars


def place_stanvars(sb: StanBlocks, stanvars: StanVars, in_partial_sums: bool = False) -> list[str]:
    """Add ``stanvars`` to ``sb`` in place; return the lines for the start of the model block.

    ``in_partial_sums``: the likelihood is threaded and block ``"likelihood"`` code is already inside
    its partial sums (:func:`brmspy.codegen.threads.stan_threaded_likelihood`), as brms places it.
    """
    if not len(stanvars):
        return []
    clash = sorted(set(stanvars.data()) & set(sb.values))
    if clash:
        raise FamilyError(f"stanvar names {', '.join(clash)} are already Stan data of the model; rename them.")
    code = stanvars.code
    sb.functions[:0] = ["\n".join(code("functions", "start"))] if code("functions", "start") else []
    if code("functions", "end"):
        sb.functions.append("\n".join(code("functions", "end")))
    sb.data += code("data", "start") + code("data", "end")
    sb.values.update(stanvars.data())
    sb.tdata_def[:0] = code("tdata", "start")
    sb.tdata_comp += code("tdata", "end")
    sb.par += code("parameters", "start") + code("parameters", "end")
    sb.tpar_def += code("tparameters", "start")
    sb.tpar_prior += code("tparameters", "end")
    if not in_partial_sums:
        sb.model_def += code("likelihood", "start")  # brms: after the declarations of the predictors
        sb.likelihood += code("likelihood", "end")
    sb.model_prior += code("model", "end")
    sb.gen_def += code("genquant", "start")
    sb.gen_comp += code("genquant", "end")
    return code("model", "start")
