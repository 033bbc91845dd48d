"""Terms of finite mixture models: the main formula predicts every ``mu<k>`` (brms's ``mixture()``)."""

from __future__ import annotations

from dataclasses import replace

from ..core.errors import FormulaError
from ..families.mixture import MixtureFamily, split_dpar
from .syntax import fixed_value, split_tilde
from .terms import BrmsTerms, NonlinearPart, Part, parse_response, parse_rhs


def build_mixture_terms(formula, fam: MixtureFamily, multi: bool, resp_name, nonlinear_part, check_nonlinear,
                        apply_options):
    """BrmsTerms of a mixture model: the main formula predicts every mu<k>.

    A non-linear main formula (``nl=True``) gives every ``mu<k>`` that formula with the same
    non-linear parameters, as brms 2.18; ``nlf(mu2 ~ ...)`` gives one component its own.
    bf()'s ``center``/``cmc``/``sparse``/``decomp`` apply to every linear ``mu<k>`` of the main
    formula, lf()'s to their own formula, as brms 2.18 (with a non-linear main formula brms ignores bf()'s).
    ``nonlinear_part``/``check_nonlinear``/``apply_options`` are brmspy.formula.brmsformula's (passed in:
    that module imports this one).
    """
    lhs, rhs = split_tilde(formula.main)
    if lhs is None:
        raise FormulaError(f"The formula {formula.main!r} needs a response left of '~', e.g. 'y ~ x'.")
    response = parse_response(lhs)
    pforms: dict[str, tuple[str, str]] = {}
    nl_texts = set(formula.nl_pforms)
    theta_fixed: dict[int, float] = {}
    for text in formula.pforms:
        fv = fixed_value(text)  # bf(..., sigma2 = 1): a constant
        if fv is not None and split_dpar(fv[0])[0] == "theta" and split_dpar(fv[0])[1] is not None:
            k = split_dpar(fv[0])[1]
            if not 1 <= k <= fam.nmix:
                raise FormulaError(f"{text!r}: this mixture has the mixing proportions theta1..theta{fam.nmix}.")
            if not float(fv[1]) > 0:
                raise FormulaError(f"Parameter '{fv[0]}' must be positive (as brms); got {fv[1]!r} in {text!r}.")
            theta_fixed[k] = float(fv[1])
            continue
        if fv is not None:
            text = f"{fv[0]} ~ {fv[1]!r}"
        plhs, prhs = split_tilde(text)
        if plhs is None:
            raise FormulaError(f"The formula {text!r} needs a parameter name left of '~', e.g. 'mu2 ~ x'.")
        name = plhs.strip()
        if name in pforms:
            raise FormulaError(f"Two formulas are given for {name!r}; keep one.")
        pforms[name] = (prhs, text)
    thetas = [n for n in pforms if split_dpar(n)[0] == "theta"]
    for n in thetas:
        k = split_dpar(n)[1]
        if k is None or not 1 <= k <= fam.nmix:
            raise FormulaError(f"{pforms[n][1]!r}: this mixture has the mixing proportions theta1..theta{fam.nmix}.")
    if theta_fixed:  # brms: all or none fixed, normalised to sum to 1 (theta1 = 1, theta2 = 2: 1/3, 2/3)
        if thetas:
            raise FormulaError("Can only predict all but one mixing proportion (as brms): theta<k> with a formula "
                               f"cannot be combined with fixed ones ({', '.join(f'theta{k}' for k in theta_fixed)}).")
        if len(theta_fixed) != fam.nmix:
            raise FormulaError(f"Can only fix no or all mixing proportions (as brms): give theta1..theta{fam.nmix} "
                               f"values; got {', '.join(f'theta{k}' for k in sorted(theta_fixed))}.")
        total = sum(theta_fixed.values())
        fam = replace(fam, theta_fixed=tuple(theta_fixed[k] / total for k in range(1, fam.nmix + 1)))
    if thetas:
        predicted = {split_dpar(n)[1] for n in thetas}
        free = [k for k in range(1, fam.nmix + 1) if k not in predicted]
        if len(free) != 1:
            raise FormulaError(
                f"Can only predict all but one mixing proportion (as brms): give a formula to {fam.nmix - 1} of "
                f"theta1..theta{fam.nmix} ({'e.g. theta<k> ~ 1 for the others' if free else 'one is the reference'}); "
                f"got {', '.join(sorted(thetas))}."
            )
        # brms: the first theta without a formula is the reference, fixed at 0 on the log-odds scale
        fam = replace(fam, theta_pred=True, theta_ref=free[0])
    parts: dict[str, Part] = {}
    nonlinear: dict[str, NonlinearPart] = {}
    fixed: dict[str, float] = {}
    any_nl = formula.nl or any(text in nl_texts for _, text in pforms.values())
    nlpar_names = {n for n in pforms if n not in fam.dpars} if any_nl else set()
    main_opts = {k: getattr(formula, k) for k in ("center", "cmc", "sparse", "decomp")}
    lf_opts = {text: dict(opts) for text, opts in formula.pform_options}
    if formula.nl:
        if fam.order == "mu" and not fam.ordinal:  # brms 2.18 then declares an unused, unbounded ordered_Intercept
            fam = replace(fam, order="none")
        for k in range(1, fam.nmix + 1):
            nonlinear[f"mu{k}"] = nonlinear_part(f"mu{k}", "dpar", rhs, formula.main, nlpar_names)
    else:
        main_terms = parse_rhs(rhs, formula.main)
        for k in range(1, fam.nmix + 1):
            parts[f"mu{k}"] = apply_options(main_opts, Part(f"mu{k}", "dpar", main_terms, formula.main), fam)
    for name, (prhs, text) in pforms.items():
        if name in nlpar_names:
            if text in nl_texts:
                nonlinear[name] = nonlinear_part(name, "nlpar", prhs, text, nlpar_names)
            else:
                parts[name] = apply_options(lf_opts.get(text, {}), Part(name, "nlpar", parse_rhs(prhs, text),
                                                                        f"{name} ~ {prhs}"), fam)
            continue
        if text in nl_texts and name in fam.dpars:
            if split_dpar(name)[0] == "theta":
                raise FormulaError(f"{text!r}: brmspy takes linear formulas for the mixing proportions.")
            parts.pop(name, None)
            nonlinear[name] = nonlinear_part(name, "dpar", prhs, text, nlpar_names)
            continue
        if name not in fam.dpars:
            raise FormulaError(
                f"{text!r} is a formula for {name!r}, but this mixture has no such parameter "
                f"(its dpars: {', '.join(fam.dpars)}, theta1..theta{fam.nmix})."
            )
        try:
            value = float(prhs)
        except ValueError:
            value = None
        # 'sigma2 ~ 1' is a formula (an intercept, as in brms), 'sigma2 = 1' a constant
        if value is not None and prhs.strip() not in ("0", "1") and split_dpar(name)[0] not in ("mu", "theta"):
            fixed[name] = value
            continue
        parts[name] = apply_options(lf_opts.get(text, {}), Part(name, "dpar", parse_rhs(prhs, text), text), fam)
    if fam.ordinal:  # brms 2.18: a non-linear ordinal mu<k> keeps its thresholds Intercept_mu<k> (an intercept-only
        # part gives them, after the nlpars as brms); the non-linear formula gives mu<k> itself, on the latent scale
        for k in range(1, fam.nmix + 1):
            if f"mu{k}" in nonlinear:
                parts[f"mu{k}"] = Part(f"mu{k}", "dpar", parse_rhs("1", f"mu{k} ~ 1"), f"mu{k} ~ {nonlinear[f'mu{k}'].expr}")
    if fam.theta_pred:
        for k in range(1, fam.nmix + 1):
            if k != fam.theta_ref:
                parts.setdefault(f"theta{k}", Part(f"theta{k}", "dpar", parse_rhs("1", f"theta{k} ~ 1"), f"theta{k} ~ 1"))
    for d in fam.dpars:
        base, _ = split_dpar(d)
        if base not in ("mu", "theta") and d not in parts and d not in nonlinear and d not in fixed and fam.dpar_info(d).fixed is not None:
            fixed[d] = fam.dpar_info(d).fixed
    if nonlinear:
        check_nonlinear(nonlinear, nlpar_names, fam, {n: (r, t, t in nl_texts) for n, (r, t) in pforms.items()})
    if fam.order == "mu" and not fam.ordinal:
        nl_mus = [k for k in range(1, fam.nmix + 1) if f"mu{k}" in nonlinear]
        if len(nl_mus) == fam.nmix:  # nlf(mu<k> ~ ...) for every component: as nl = TRUE above (README)
            fam = replace(fam, order="none")
        elif nl_mus:
            raise FormulaError(
                f"order = 'mu' with non-linear mu{nl_mus[0]}: brms 2.18 orders the intercepts of the linear mu<k> "
                "together with unused, unbounded entries for the non-linear ones (an improper posterior). Set "
                "order = 'none' in mixture(), or give every mu<k> a non-linear formula.")
    if fam.order == "mu" and not fam.ordinal:
        for k in range(1, fam.nmix + 1):
            if f"mu{k}" not in parts or not parts[f"mu{k}"].terms.intercept:  # brms's error (also with center=FALSE)
                raise FormulaError("Identifying mixture components via ordering requires population-level intercepts "
                                   "to be present. Try setting order = 'none' in function 'mixture'.")
    thres = response.addition("thres")
    if fam.ordinal and (fam.order == "mu" or (thres is not None and "gr" in thres.args)):
        # brms (stan_center_X): thresholds per group or fixed over the components go with uncentred predictors
        for k in range(1, fam.nmix + 1):
            if f"mu{k}" in parts and f"mu{k}" not in nonlinear:
                parts[f"mu{k}"] = apply_options({"center": False}, parts[f"mu{k}"], fam)
    resp = resp_name(response.expr) if multi else ""
    return BrmsTerms(response, fam, parts, nonlinear, resp, str(formula), fixed)
