"""One function per piece of the Stan program, following brms's generator.

Each function returns :class:`~brmspy.core.stan.StanBlocks`.  Pieces
look only at model *structure* for the code they write; data values (and
prior hyperparameters) go into ``values`` and are declared in the data block,
so the program text is the same for any data set or prior scale.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..core.distributions import format_number
from ..core.errors import DataError, DataWarning, warn
from ..core.stan import StanBlocks
from ..core.templates import stan_function, stan_lines
from ..families import DPARS, LINK_FUNCTIONS, LINKS, DparInfo
from ..formula.prefix import Prefix, resp_suffix
from ..formula.terms import BrmsTerms
from ..frame.types import ModelFrame, PopulationDesign, ReBlock, ResponseData
from ..priors.table import ResolvedPriors
from .shrinkage import stan_shrinkage_local
from .tuning import CENTERED_MIN_ROWS, Tuning, is_unit, parent_levels, use_centered  # noqa: F401 (re-exported)




# ------------------------------------------------------------------ names


def lp_name(prefix: Prefix) -> str:
    """Name of a linear predictor vector: ``mu``, ``sigma``, ``mu_y1``."""
    return prefix.dpar + (f"_{prefix.resp}" if prefix.resp else "")


def r_name(block: ReBlock, j: int) -> str:
    """``r_1_1`` / ``r_1_sigma_2``: coefficient ``j`` (1-based) of block ``id``."""
    return f"r_{block.id}_{block.coefs[j - 1].prefix.label}{j}"


def a_name(block: ReBlock, j: int, index: str | None = None) -> str:
    """``a_1_1`` (``a_1[, 1]`` in a correlated block): a group intercept plus the population-level
    Intercept (:mod:`brmspy.codegen.tuning`); with ``index`` its values at those levels."""
    if block.has_cor:
        return f"a_{block.id}[{index or ''}, {j}]"
    name = f"a_{block.id}_{block.coefs[j - 1].prefix.label}{j}"
    return f"{name}[{index}]" if index else name


def z_name(block: ReBlock, j: int) -> str:
    return f"Z_{block.id}_{block.coefs[j - 1].prefix.label}{j}"



# ------------------------------------------------------------------ global


def stan_global() -> StanBlocks:
    """``N`` and the ``lprior`` accumulator."""
    sb = StanBlocks()
    sb.tpar_def.append("real lprior = 0;  // prior contributions to the log posterior")
    return sb


def stan_N(frame: ModelFrame) -> StanBlocks:
    sb = StanBlocks()
    # a reduction's code frame may count something else (brmspy.codegen.reductions.collapse: covariate patterns)
    what = getattr(frame, "N_meaning", "total number of observations")
    sb.declare("int<lower=1> N", "N", frame.N, what)
    return sb


def stan_prior_only() -> StanBlocks:
    sb = StanBlocks()
    sb.declare("int prior_only", "prior_only", 0, "should the likelihood be ignored?")
    return sb


# ---------------------------------------------------------------- response


# --------------------------------------------------------- population part


def uses_glm(t: BrmsTerms, design: PopulationDesign, rd: ResponseData) -> bool:
    """Whether the likelihood can be Stan's fused ``*_glm`` form."""
    fam = t.family
    return (
        design.prefix.dpar == "mu"
        and not t.nonlinear
        and fam.link in fam.spec.glm
        and (fam.spec.glm[fam.link].vector_extra or not set(fam.spec.glm[fam.link].extra) & set(t.parts))
        and bool(design.coef_names)
        and rd.weights is None
        and not any(type(sp).__name__ == "AutocorDesign" for sp in design.specials)  # ARMA terms need mu
        and rd.adds is None  # cens(), trunc(), se(), rate() change the likelihood
    )


def stan_fe(design: PopulationDesign, priors: ResolvedPriors, thresholds: bool = False) -> StanBlocks:
    """Population-level effects: data ``K``/``X``, centring, ``b`` and ``Intercept``.

    With ``thresholds`` (ordinal mu) the intercept is replaced by thresholds,
    declared in :mod:`brmspy.codegen.ordinal`.
    """
    sb = StanBlocks()
    s = design.prefix.suffix
    lb, ub = priors.b_bounds.get(design.prefix, (None, None))
    bounds = _bounds(lb, ub)
    if design.coef_names:
        sb.declare(f"int<lower=1> K{s}", f"K{s}", design.K, "number of population-level effects")
        sb.declare(f"matrix[N, K{s}] X{s}", f"X{s}", design.X, "population-level design matrix")
        K = f"{'Kc' if design.intercept else 'K'}{s}"
        if design.intercept and not design.center:  # an ordinal mu with bf(center = FALSE)
            sb.tdata_def += stan_lines("population", "uncentered_X_def", s=s)
        elif design.intercept:
            sb.tdata_def += stan_lines("population", "centered_X_def", s=s)
            sb.tdata_comp += stan_lines("population", "centered_X", s=s)
        if design.decomp == "QR":  # bf(decomp = "QR"): coefficients bQ of XQ, b = XR_inv * bQ reported
            XQ, XR_inv = qr_decomposition(design)
            Kd = f"K{s} - 1" if design.intercept else f"K{s}"  # Kc is transformed data
            sb.declare(f"matrix[N, {Kd}] XQ{s}", f"XQ{s}", XQ, "Q of the scaled thin QR decomposition of the design")
            sb.declare(f"matrix[{Kd}, {Kd}] XR_inv{s}", f"XR_inv{s}", XR_inv, "inverse of its R")
            if design.prefix in priors.shrinkage and priors.shrinkage[design.prefix].b:  # bQ = zb .* sdb
                sb += stan_shrinkage_local(design)
            else:
                sb.par.append(f"vector[{K}] bQ{s};  // regression coefficients at QR scale")
            sb.gen_def += ["// obtain the actual coefficients", f"vector[{K}] b{s} = XR_inv{s} * bQ{s};"]
        elif design.prefix in priors.shrinkage and priors.shrinkage[design.prefix].b:  # b = zb .* sdb (codegen.shrinkage)
            sb += stan_shrinkage_local(design)
        elif design.prefix in priors.b_simplex:  # a dirichlet prior on class b: brms's simplex[K] b
            sb.par.append(f"simplex[{K}] b{s};  // regression coefficients")
        else:
            sb.par.append(f"vector{bounds}[{K}] b{s};  // regression coefficients")
    if design.intercept and not thresholds:
        ibounds = _bounds(*priors.bounds.get(f"Intercept{s}", (None, None)))
        sb.par.append(f"real{ibounds} Intercept{s};  // temporary intercept for centered predictors")
        if design.coef_names:
            sb.gen_def += [
                "// actual population-level intercept",
                f"real b{s}_Intercept = Intercept{s} - dot_product(means_X{s}, b{s});",
            ]
        else:
            sb.gen_def += ["// actual population-level intercept", f"real b{s}_Intercept = Intercept{s};"]
    return sb


def qr_decomposition(design: PopulationDesign) -> tuple[np.ndarray, np.ndarray]:
    """brms's scaled thin QR decomposition of the (centred) design: ``XQ = Q * sqrt(N - 1)`` and the
    inverse of ``XR = R / sqrt(N - 1)``, ``R`` with a positive diagonal as Stan's ``qr_thin_R``.

    brms computes it in the program's transformed data (``qr_thin_Q``); brmspy computes it here and
    passes it as data, because stanli has no QR functions (same values, to rounding).
    """
    X = np.asarray(design.X, dtype=float)
    if design.intercept:
        X = X[:, 1:]
        if design.center:
            X = X - X.mean(axis=0)
    Q, R = np.linalg.qr(X, mode="reduced")
    sign = np.where(np.diag(R) < 0, -1.0, 1.0)
    Q, R = Q * sign, R * sign[:, None]
    if np.any(np.abs(np.diag(R)) <= 1e-10 * max(1.0, np.abs(R).max())):
        raise DataError("decomp = 'QR' needs a population-level design of full column rank (brms: XR is then not "
                        "invertible); remove the aliased columns or drop decomp.")
    scale = np.sqrt(X.shape[0] - 1)
    return Q * scale, np.linalg.inv(R / scale)


def _bounds(lb: float | None, ub: float | None) -> str:
    parts = []
    if lb is not None:
        parts.append(f"lower={format_number(lb)}")
    if ub is not None:
        parts.append(f"upper={format_number(ub)}")
    return f"<{','.join(parts)}>" if parts else ""


def design_matrix_name(design: PopulationDesign) -> str:
    """``Xc`` (centred), ``X``, or ``XQ`` with bf(decomp = "QR")."""
    if design.decomp == "QR":
        return "XQ" + design.prefix.suffix
    return ("Xc" if design.intercept else "X") + design.prefix.suffix


def coef_name(design: PopulationDesign) -> str:
    """The coefficient vector the model block multiplies: ``b``, or ``bQ`` with bf(decomp = "QR")."""
    return ("bQ" if design.decomp == "QR" else "b") + design.prefix.suffix


# ----------------------------------------------------------- group level


def stan_re(block: ReBlock, tuning: Tuning | None = None,
            bounds: tuple[float | None, float | None] = (0.0, None), parent: ReBlock | None = None) -> StanBlocks:
    """One group-level block: index/Z data, ``sd``/``z``/``L`` parameters and ``r``.

    When ``tuning`` centers the block, the effects ``r`` themselves are sampled (prior
    ``normal(0, sd)``) instead of brms's standardized ``z``, and a group intercept that
    absorbs the population-level Intercept is sampled as ``a = Intercept + r``: the same
    posterior, better geometry when every level has many rows
    (:mod:`brmspy.codegen.tuning`). Plain blocks only (no ``by``, no ``cov``). ``bounds``: the sds'
    (``prior(..., class_="sd", ub=10)``). ``parent``: the block that ``tuning.nested`` centers this
    one's group intercepts on (its levels hold this block's levels).
    """
    tuning = tuning or Tuning()
    sdb = _bounds(*bounds)
    sb = StanBlocks()
    k = block.id
    N = len(block.J[0])
    sb.data.append(f"// data for group-level effects of ID {k}")
    sb.declare(f"int<lower=1> N_{k}", f"N_{k}", block.N_levels, "number of grouping levels")
    sb.declare(f"int<lower=1> M_{k}", f"M_{k}", block.M, "number of coefficients per level")
    if block.is_mm:
        for m, J in enumerate(block.J, start=1):
            sb.declare(f"array[N] int<lower=1> J_{k}_{m}", f"J_{k}_{m}", J, f"grouping indicator of member {m}")
        for m, W in enumerate(block.mm_weights or [], start=1):
            sb.declare(f"vector[N] W_{k}_{m}", f"W_{k}_{m}", W, f"multi-membership weights of member {m}")
    else:
        sb.declare(f"array[N] int<lower=1> J_{k}", f"J_{k}", block.J[0], "grouping indicator per observation")
    if block.Lcov is not None:  # gr(g, cov = A): brmspy.group_cov
        sb.declare(f"matrix[N_{k}, N_{k}] Lcov_{k}", f"Lcov_{k}", block.Lcov, "cholesky factor of known covariance matrix")
    if block.by:
        sb.declare(f"int<lower=1> Nby_{k}", f"Nby_{k}", len(block.by_levels or []), "number of by-factor levels")
        sb.declare(f"array[N_{k}] int<lower=1> Jby_{k}", f"Jby_{k}", block.Jby, "by-factor indicator per level")
    if any(c.kind != "sp" for c in block.coefs):
        sb.data.append("// group-level predictor values")
    for j, c in enumerate(block.coefs, start=1):
        if c.Zm is not None:  # mmc(w1, w2): each member's covariate (brms's Z_<id>_<j>_<m>)
            for m, z in enumerate(c.Zm, start=1):
                sb.declare(f"vector[N] {z_name(block, j)}_{m}", f"{z_name(block, j)}_{m}", z)
        elif c.kind != "sp":  # a varying sp coefficient multiplies the term's value, not a Z column
            sb.declare(f"vector[N] {z_name(block, j)}", z_name(block, j), c.Z)
    if block.has_cor:
        sb.declare(f"int<lower=1> NC_{k}", f"NC_{k}", block.M * (block.M - 1) // 2, "number of group-level correlations")
    assert N >= 1

    terms = ", ".join(dict.fromkeys(t.label for t in block.terms))
    if block.id in tuning.centered:
        if parent is not None and tuning.parent_of(block) == parent.id:
            P = parent_levels(block, parent)
            assert P is not None
            sb.declare(f"array[N_{k}] int<lower=1> P_{k}", f"P_{k}", P,
                       f"level of the grouping factor of ID {parent.id} of each level")
        else:
            parent = None
        _re_centered(sb, block, terms, tuning, sdb, parent)
        return sb
    if block.by:
        sb.par.append(f"matrix{sdb}[M_{k}, Nby_{k}] sd_{k};  // group-level standard deviations {terms}")
    else:
        sb.par.append(f"vector{sdb}[M_{k}] sd_{k};  // group-level standard deviations {terms}")
    if block.has_cor:
        sb.par.append(f"matrix[M_{k}, N_{k}] z_{k};  // standardized group-level effects")
        if block.by:
            sb.par.append(f"array[Nby_{k}] cholesky_factor_corr[M_{k}] L_{k};  // cholesky factor of correlation matrix")
            sb.functions.append(stan_function("scale_r_cor_by"))
        else:
            sb.par.append(f"cholesky_factor_corr[M_{k}] L_{k};  // cholesky factor of correlation matrix")
            if block.Lcov is None:
                sb.functions.append(stan_function("scale_r_cor"))
        sb.tpar_def.append(f"matrix[N_{k}, M_{k}] r_{k};  // actual group-level effects")
        sb.tpar_def.append("// using vectors speeds up indexing in loops")
        sb.tpar_def += [f"vector[N_{k}] {r_name(block, j)};" for j in range(1, block.M + 1)]
        sb.tpar_comp.append(f"// compute actual group-level effects of {terms}")
        dfm = f"rep_matrix(dfm_{block.ggn}, M_{k}) .* " if block.is_student else ""
        if block.Lcov is not None and float(np.min(block.Lcov)) < -1e-10:
            # brms's loops over Lcov add only entries > 1e-10 (meant to skip unrelated levels)
            warn(f"The Cholesky factor of the known covariance matrix {block.cov!r} of '{block.group}' has negative "
                 "entries: brms's program for correlated effects with cov = leaves those out (so it fits another "
                 "covariance than the one given); brmspy uses the matrix as given. See README 'Differences from "
                 "brms'.", DataWarning)
        if block.by and block.Lcov is not None:  # gr(g, by = h, cov = A), as brms's scale_r_cor_by_cov
            sb.functions.append(stan_function("scale_r_cor_by_cov"))
            sb.tpar_comp.append(f"r_{k} = {dfm}scale_r_cor_by_cov(z_{k}, sd_{k}, L_{k}, Jby_{k}, Lcov_{k});")
        elif block.by:
            sb.tpar_comp.append(f"r_{k} = {dfm}scale_r_cor_by(z_{k}, sd_{k}, L_{k}, Jby_{k});")
        elif block.Lcov is not None:
            sb.functions.append(stan_function("scale_r_cor_cov"))
            sb.tpar_comp.append(f"r_{k} = {dfm}scale_r_cor_cov(z_{k}, sd_{k}, L_{k}, Lcov_{k});")
        else:
            sb.tpar_comp.append(f"r_{k} = {dfm}scale_r_cor(z_{k}, sd_{k}, L_{k});")
        sb.tpar_comp += [f"{r_name(block, j)} = r_{k}[, {j}];" for j in range(1, block.M + 1)]
        sb.model_prior.append(f"target += std_normal_lpdf(to_vector(z_{k}));")
        _cor_gq(sb, block)
    else:
        sb.par.append(f"array[M_{k}] vector[N_{k}] z_{k};  // standardized group-level effects")
        sb.tpar_def += [f"vector[N_{k}] {r_name(block, j)};  // actual group-level effects" for j in range(1, block.M + 1)]
        sb.tpar_comp.append(f"// compute actual group-level effects of {terms}")
        for j in range(1, block.M + 1):
            sd = f"transpose(sd_{k}[{j}, Jby_{k}]) .* z_{k}[{j}]" if block.by else f"sd_{k}[{j}] * z_{k}[{j}]"
            if block.Lcov is not None:  # brms: (transpose(sd_1[1, Jby_1]) .* (Lcov_1 * z_1[1])) with by
                sd = (f"(transpose(sd_{k}[{j}, Jby_{k}]) .* (Lcov_{k} * z_{k}[{j}]))" if block.by
                      else f"sd_{k}[{j}] * (Lcov_{k} * z_{k}[{j}])")
            if block.is_student:
                sd = f"dfm_{block.ggn} .* ({sd})"
            sb.tpar_comp.append(f"{r_name(block, j)} = {sd};")
        sb.model_prior += [f"target += std_normal_lpdf(z_{k}[{j}]);" for j in range(1, block.M + 1)]
    return sb


def stan_re_student(blocks: list[ReBlock]) -> StanBlocks:
    """The shared scale mixture of student-t group-level effects (``gr(g, dist = "student")``), as brms.

    Per grouping factor ``g`` (brms's number ``ggn``): ``df_<g>`` and the level-wise
    ``udf_<g> ~ inv_chi_square(df_<g>)``; each effect is ``dfm_<g> .* r`` with
    ``dfm_<g> = sqrt(df_<g> * udf_<g>)``, so that ``r`` given ``sd`` is student-t with ``df`` degrees
    of freedom. The prior of ``df_<g>`` is written with the others (:func:`brmspy.codegen.priors.stan_priors`).
    """
    sb = StanBlocks()
    owners = [b for b in blocks if b.udf_owner]
    if owners:
        sb.par.append("// parameters for student-t distributed group-level effects")
    for b in owners:
        g, k = b.ggn, b.id
        sb.par += [f"real<lower=1> df_{g};", f"vector<lower=0>[N_{k}] udf_{g};"]
        sb.tpar_def.append(f"vector[N_{k}] dfm_{g};")
        sb.tpar_comp.append(f"dfm_{g} = sqrt(df_{g} * udf_{g});")
        sb.model_prior.append(f"target += inv_chi_square_lpdf(udf_{g} | df_{g});")
    return sb


def _re_centered(sb: StanBlocks, block: ReBlock, terms: str, tuning: Tuning, sdb: str = "<lower=0>",
                 parent: ReBlock | None = None) -> None:
    k = block.id
    if parent is not None:  # tuning.nested: group means centered on the parent's (one plain intercept)
        a, r = a_name(block, 1), r_name(block, 1)
        # the parent's level means: its a (with the Intercept, or itself nested on its own parent's), else its r
        grouped = tuning.absorbs(parent, 1) or tuning.parent_of(parent) is not None
        mean = f"{a_name(parent, 1) if grouped else r_name(parent, 1)}[P_{k}]"
        sb.par.append(f"vector{sdb}[M_{k}] sd_{k};  // group-level standard deviations {terms}")
        sb.par.append(f"vector[N_{k}] {a};  // group-level effects plus their group's mean (nested centered parameterization)")
        sb.tpar_def.append(f"vector[N_{k}] {r} = {a} - {mean};  // actual group-level effects")
        sb.model_prior.append(f"target += normal_lpdf({a} | {mean}, sd_{k}[1]);")
        return
    sb.par.append(f"vector{sdb}[M_{k}] sd_{k};  // group-level standard deviations {terms}")
    rs = [r_name(block, j) for j in range(1, block.M + 1)]
    # a group intercept that takes in the population-level Intercept (tuning.absorbed)
    absorb = next(((j, f"Intercept{c.prefix.suffix}") for j, c in enumerate(block.coefs, start=1)
                   if tuning.absorbs(block, j)), None)
    what = "(centered parameterization)"
    if block.has_cor:
        sb.par.append(f"cholesky_factor_corr[M_{k}] L_{k};  // cholesky factor of correlation matrix")
        if absorb is None:
            sb.par.append(f"matrix[N_{k}, M_{k}] r_{k};  // actual group-level effects {what}")
        else:
            j, icpt = absorb
            sb.par.append(f"matrix[N_{k}, M_{k}] a_{k};  // group-level effects, column {j} plus {icpt} {what}")
            sb.tpar_def.append(f"matrix[N_{k}, M_{k}] r_{k} = a_{k} - rep_matrix({icpt} * one_hot_row_vector(M_{k}, {j}), N_{k});"
                               "  // actual group-level effects")
        sb.tpar_def.append("// using vectors speeds up indexing in loops")
        sb.tpar_def += [f"vector[N_{k}] {r} = r_{k}[, {j}];" for j, r in enumerate(rs, start=1)]
        sb.model_prior += [
            f"// rows of r_{k} ~ multi_normal(0, Sigma_{k}), Sigma_{k} = diag(sd_{k}) * L_{k} * L_{k}' * diag(sd_{k})",
            f"target += -N_{k} * sum(log(diagonal(diag_pre_multiply(sd_{k}, L_{k})))) - 0.5 * N_{k} * M_{k} * log(2 * pi())",
            f"  - 0.5 * dot_self(to_vector(mdivide_left_tri_low(diag_pre_multiply(sd_{k}, L_{k}), r_{k}')));",
        ]
        _cor_gq(sb, block)
        return
    for j, r in enumerate(rs, start=1):
        if absorb is not None and absorb[0] == j:
            a, icpt = a_name(block, j), absorb[1]
            sb.par.append(f"vector[N_{k}] {a};  // {icpt} plus group-level effects {what}")
            sb.tpar_def.append(f"vector[N_{k}] {r} = {a} - {icpt};  // actual group-level effects")
            sb.model_prior.append(f"target += normal_lpdf({a} | {icpt}, sd_{k}[{j}]);")
        else:
            sb.par.append(f"vector[N_{k}] {r};  // actual group-level effects {what}")
            sb.model_prior.append(f"target += normal_lpdf({r} | 0, sd_{k}[{j}]);")


def _cor_gq(sb: StanBlocks, block: ReBlock) -> None:
    k = block.id
    names = dict(Cor=f"Cor_{k}", cor=f"cor_{k}", M=f"M_{k}")
    if block.by:
        sb.gen_def += stan_lines("correlations", "declare_by", comment="compute group-level correlations",
                                 NC=f"NC_{k}", Nby=f"Nby_{k}", **names)
        sb.gen_comp += stan_lines("correlations", "extract_by", what=f"correlation matrices of ID {k}",
                                  Nby=f"Nby_{k}", L=f"L_{k}", **names)
        return
    sb.gen_def += stan_lines("correlations", "declare", comment="compute group-level correlations", NC=f"NC_{k}",
                             L=f"L_{k}", **names)
    sb.gen_comp += stan_lines("correlations", "extract", what=f"correlation matrix of ID {k}", **names)


def re_contributions(frame: ModelFrame, prefix: Prefix, tuning: Tuning | None = None) -> list[str]:
    """Vectorised ``+=`` terms of the group-level effects on one linear predictor.

    With ``tuning``: a group intercept that absorbs the Intercept adds its group means
    ``a_k_j``, and (``unit_z``) group intercepts skip the product with their all-ones ``Z``.
    """
    tuning = tuning or Tuning()
    out = []
    for block in frame.blocks:
        for j, c in enumerate(block.coefs, start=1):
            if c.prefix != prefix or c.kind:  # sp effects: in the sp term's code; cs effects: on the thresholds
                continue
            r, Z = r_name(block, j), z_name(block, j)
            times_z = "" if tuning.unit_z and is_unit(c) else f" .* {Z}"
            if c.Zm is not None:  # mmc(): each member's effect times its own covariate
                out.append("(" + " + ".join(f"W_{block.id}_{m} .* {r}[J_{block.id}_{m}] .* {Z}_{m}"
                                            for m in range(1, len(block.J) + 1)) + ")")
            elif block.is_mm:
                members = " + ".join(
                    f"W_{block.id}_{m} .* {r}[J_{block.id}_{m}]" for m in range(1, len(block.J) + 1)
                )
                out.append(f"({members}){times_z}")
            elif tuning.is_parent(block):
                continue  # its effects are part of its nested child's group means
            elif tuning.absorbs(block, j) or tuning.parent_of(block) is not None:
                out.append(a_name(block, j, f"J_{block.id}"))
            else:
                out.append(f"{r}[J_{block.id}]{times_z}")
    return out


def re_cs_contributions(frame: ModelFrame, prefix: Prefix) -> dict[int, list[str]]:
    """Vectorised terms of category-specific group-level effects (``(cs(x) | g)``) per threshold."""
    out: dict[int, list[str]] = {}
    for block in frame.blocks:
        for j, c in enumerate(block.coefs, start=1):
            if c.prefix != prefix or c.kind != "cs":
                continue
            r, Z = r_name(block, j), z_name(block, j)
            if block.is_mm:
                members = " + ".join(f"W_{block.id}_{m} .* {r}[J_{block.id}_{m}]" for m in range(1, len(block.J) + 1))
                out.setdefault(c.thres, []).append(f"({members}) .* {Z}")
            else:
                out.setdefault(c.thres, []).append(f"{r}[J_{block.id}] .* {Z}")
    return out


# --------------------------------------------------------- linear predictor


def stan_predictor(
    frame: ModelFrame, t: BrmsTerms, prefix: Prefix, glm: bool, intercept: bool = True, tuning: Tuning | None = None
) -> StanBlocks:
    """Build one linear predictor in the model block (and apply its inverse link).

    With ``glm`` the population part ``Xc * b`` is left to the ``*_glm`` likelihood;
    ``tuning`` as in :func:`re_contributions` (an absorbed Intercept is not added again).
    """
    sb = StanBlocks()
    design = frame.designs[prefix]
    name = lp_name(prefix)
    s = prefix.suffix
    absorbed = tuning is not None and prefix in tuning.absorbed
    if absorbed and not (design.intercept and intercept):  # no Intercept here to take in
        tuning, absorbed = replace(tuning, absorbed={}), False
    re_terms = re_contributions(frame, prefix, tuning)
    if absorbed:
        intercept = False  # the group means a_k_j include it
    special_terms = [x for sp in design.specials for x in sp.predictor_terms()]
    if glm and not re_terms and not special_terms:
        return sb  # the likelihood uses Intercept directly
    pieces = []
    if design.intercept and intercept:
        pieces.append(f"Intercept{s}")
    if design.coef_names and not glm:
        pieces.append(f"{design_matrix_name(design)} * {coef_name(design)}")
    pieces += special_terms
    note = ""
    if absorbed:
        k, j = tuning.absorbed[prefix]
        block = next(b for b in frame.blocks if b.id == k)
        note = f" ({a_name(block, j)} includes Intercept{s})"
    vectors = pieces[1:] if design.intercept and intercept else pieces
    if _lean(design, tuning, vectors, re_terms):
        # lean form: one expression, no zero vector and no += passes over the rows
        what = "linear predictor" + ("" if prefix.dpar == "mu" else f" of {prefix.dpar}")
        sb.model_def += [f"// {what}" + (f", with group-level effects{note}" if re_terms else ""),
                         f"vector[N] {name} = {' + '.join(pieces + re_terms)};"]
        return sb
    sb.model_def.append("// initialize linear predictor term" + ("" if prefix.dpar == "mu" else f" of {prefix.dpar}"))
    sb.model_def.append(f"vector[N] {name} = rep_vector(0.0, N);")
    if pieces:
        sb.model_comp.append(f"{name} += {' + '.join(pieces)};")
    if re_terms:
        sb.model_comp.append(f"// add group-level effects to {name}{note}")
        sb.model_comp += [f"{name} += {term};" for term in re_terms]
    return sb


def _lean(design: PopulationDesign, tuning: Tuning | None, vectors: list[str], re_terms: list[str]) -> bool:
    """Whether :func:`stan_predictor` writes its one-expression form (``Tuning.unit_z``)."""
    return bool(tuning is not None and tuning.unit_z and (vectors or re_terms)
                and all(type(sp).__name__ == "OffsetDesign" for sp in design.specials))


def lean_predictor_terms(frame: ModelFrame, prefix: Prefix, tuning: Tuning | None) -> list[str] | None:
    """The summands of the one-expression linear predictor :func:`stan_predictor` writes
    (``["Xc * b", "a_1_1[J_1]"]`` for ``vector[N] mu = Xc * b + a_1_1[J_1]``), or None when it
    writes the ``+=`` form instead. For reductions that use the predictor in another shape."""
    design = frame.designs[prefix]
    absorbed = tuning is not None and prefix in tuning.absorbed
    if absorbed and not design.intercept:
        tuning, absorbed = replace(tuning, absorbed={}), False
    re_terms = re_contributions(frame, prefix, tuning)
    out = [f"Intercept{prefix.suffix}"] if design.intercept and not absorbed else []
    vectors = ([f"{design_matrix_name(design)} * {coef_name(design)}"] if design.coef_names else [])
    vectors += [x for sp in design.specials for x in sp.predictor_terms()]
    return out + vectors + re_terms if _lean(design, tuning, vectors, re_terms) else None


def unit_gathers(frame: ModelFrame, prefix: Prefix, tuning: Tuning | None) -> dict[str, str]:
    """Group-intercept terms of the lean predictor that only gather a per-level vector, each with its
    exponential gathered instead: ``{"a_1_1[J_1]": "exp(a_1_1)[J_1]"}`` (``exp(v[J]) = exp(v)[J]``,
    one ``exp`` per level instead of per row)."""
    tuning = tuning or Tuning()
    if not tuning.unit_z:
        return {}
    out = {}
    for block in frame.blocks:
        if block.is_mm:
            continue
        for j, c in enumerate(block.coefs, start=1):
            if c.prefix != prefix or c.kind or c.Zm is not None or not is_unit(c):
                continue
            J = f"J_{block.id}"
            if tuning.absorbs(block, j):
                out[a_name(block, j, J)] = f"exp({a_name(block, j)})[{J}]"
            else:
                out[f"{r_name(block, j)}[{J}]"] = f"exp({r_name(block, j)})[{J}]"
    return out


def stan_inv_link(t: BrmsTerms, prefix: Prefix, link: str) -> StanBlocks:
    sb = StanBlocks()
    if link == "identity":
        return sb
    name = lp_name(prefix)
    sb.model_comp.append(f"{name} = {LINKS[link].stan_inverse(name)};")
    if link in LINK_FUNCTIONS:
        sb.functions.append(LINK_FUNCTIONS[link].text)
    return sb


# -------------------------------------------------------- dpars, likelihood


def dpar_bounds(d: str, rs: str, info: DparInfo | None = None) -> str:
    """Stan bounds of a dpar parameter, e.g. ``<lower=0>`` or ``<lower=0,upper=min_Y>``.

    ``info``: the family's entry for ``d`` (a custom family's own bounds), else brms's dpar table.
    """
    info = DPARS[d] if info is None else info
    parts = []
    if info.lower is not None:
        parts.append(f"lower={info.lower:g}")
    if info.upper is not None:
        upper = info.upper.format(rs=rs) if isinstance(info.upper, str) else f"{info.upper:g}"
        parts.append(f"upper={upper}")
    return f"<{','.join(parts)}>" if parts else ""


def stan_dpar_parameters(t: BrmsTerms, bounds: dict[str, tuple[float | None, float | None]] | None = None) -> StanBlocks:
    """Constant distributional parameters (``real<lower=0> sigma``) and fixed ones (data).

    ``bounds``: the user's bounds by Stan name (``prior(..., class_="sigma", ub=10)``), else the dpar's own.
    """
    sb = StanBlocks()
    rs = resp_suffix(t.resp)
    for d in t.estimated_constants:
        info = t.family.dpar_info(d)
        if info.tdata and info.tdata.format(rs=rs) not in sb.tdata_def:  # a mixture's ndt1, ndt2 share min_Y
            sb.tdata_def.append(info.tdata.format(rs=rs))
        b = (bounds or {}).get(f"{d}{rs}")
        comment = f"  // {info.comment}" if info.comment else ""  # brms: none for a custom family's own dpars
        sb.par.append(f"real{dpar_bounds(d, rs, info) if b is None else _bounds(*b)} {d}{rs};{comment}")
    for d, value in t.fixed.items():
        info = t.family.dpar_info(d)
        if isinstance(info.upper, str):  # min_Y of ndt is transformed data, after this data declaration
            info = replace(info, upper=None)
        sb.declare(f"real{dpar_bounds(d, rs, info)} {d}{rs}", f"{d}{rs}", float(value), f"fixed {info.comment}".rstrip())
    return sb


# --------------------------------------------------------------------- priors


