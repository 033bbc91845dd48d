"""Priors: user specification, brms's defaults, and resolution per parameter.

:func:`prior` makes a :class:`Prior`; several combine with ``+``.
:func:`default_prior_table` derives brms's default table from a model frame;
:func:`resolve_priors` merges user priors into it (every user prior must
match a row, else a :class:`~brmspy.core.errors.PriorError` lists the valid ones)
and returns the prior of every parameter for the code generator.

Examples
--------
>>> p = prior("normal(0, 10)", class_="b") + prior("cauchy(0, 2)", class_="sd", group="g")
>>> [q.class_ for q in p]
['b', 'sd']
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from ..core.distributions import PriorDist, SpecialPrior, format_number, parse_prior_string, parse_special_prior
from ..core.errors import PriorError, PriorWarning, warn
from ..core.types import PriorRow
from ..formula.prefix import resp_suffix
from ..formula.terms import MvBrmsTerms
from ..families.bhaz import hazard_family
from ..frame.types import ModelFrame
from .checks import _base_bounds, check_prior_bounds
from .defaults import _exact, _group, default_prior_table
from .nonlinear import check_nlpar_priors
from .spec import SHRINKAGE_CLASSES, Prior, as_prior_list
from .table import ResolvedPriors, Shrinkage, _prefix_dpar_nlpar, _terms_of

# ----------------------------------------------------------- default table


# -------------------------------------------------------------- resolution


def _match_error(p: Prior, table: list[PriorRow]) -> PriorError:
    classes = sorted({r.class_ for r in table}, key=str.casefold)
    same = [r for r in table if r.class_ == p.class_ and r.dpar == p.dpar and r.resp == p.resp and r.nlpar == p.nlpar]
    detail = ""
    if p.class_ not in classes:
        detail = f"This model has no parameter class {p.class_!r}; its classes are: {', '.join(classes)}."
    elif p.resp and p.resp not in {r.resp for r in table}:
        resps = sorted({r.resp for r in table if r.resp})
        detail = (f"This model has no response {p.resp!r}; its responses: {', '.join(resps)}." if resps
                  else "resp= is for multivariate models (bf(...) + bf(...)); remove it.")
    elif p.coef and p.class_ in ("b", "sd"):
        coefs = sorted({r.coef for r in same if r.coef and (not p.group or r.group == p.group)})
        detail = f"Valid coefs for class {p.class_!r}" + (f" in group {p.group!r}" if p.group else "") + f": {', '.join(coefs) or 'none'}."
    elif p.group:
        groups = sorted({r.group for r in same if r.group})
        detail = f"Valid groups for class {p.class_!r}: {', '.join(groups) or 'none'}."
    else:
        dpars = sorted({r.dpar or "(mu)" for r in table if r.class_ == p.class_ and not r.nlpar})
        nlpars = sorted({r.nlpar for r in table if r.class_ == p.class_ and r.nlpar})
        detail = f"Check dpar/resp/nlpar; valid dpars for class {p.class_!r}: {dpars or 'none'}" + (
            f"; valid nlpars: {nlpars}, e.g. prior({p.prior!r}, nlpar={nlpars[0]!r})." if nlpars else ".")
    what = ", ".join(f"{k}={v!r}" for k, v in zip(("class", "coef", "group", "resp", "dpar", "nlpar"), p.key()) if v)
    return PriorError(f"The prior {p.prior!r} ({what}) does not match any parameter of the model. {detail} "
                      "See get_prior(...) for every parameter that takes a prior.")


def resolve_priors(frame: ModelFrame, user: "Prior | Iterable[Prior] | None" = None) -> ResolvedPriors:
    """Merge user priors into the default table and resolve each parameter's prior."""
    table = default_prior_table(frame)
    by_key = {r.key(): r for r in table}
    users = as_prior_list(user)
    seen_keys: set[tuple] = set()
    for p in users:
        k = p.key()
        if k in seen_keys:
            raise PriorError(f"Two priors are given for the same parameter(s) ({', '.join(x for x in k if x)}); keep one.")
        seen_keys.add(k)
        row = by_key.get(k)
        if row is None:
            raise _match_error(p, table)
        row.prior = p.prior
        row.source = "user"
        if p.lb is not None:
            row.lb = format_number(p.lb)
        if p.ub is not None:
            row.ub = format_number(p.ub)

    check_prior_bounds(table)
    table = _spread_global_priors(frame, table, {p.key() for p in users})
    by_key = {r.key(): r for r in table}

    data_names = _data_names(frame)

    def entry(*keys: tuple) -> tuple[PriorDist | SpecialPrior | None, tuple | None]:
        """The first prior set among ``keys`` (a distribution or a constant()) and the key it was found at."""
        for k in keys:
            r = by_key.get(k)
            if r is not None and r.prior.strip():
                special = parse_special_prior(r.prior)
                if special is not None:
                    return special, k
                return parse_prior_string(_with_data(r.prior, data_names)), k
        return None, None

    def lookup(*keys: tuple) -> PriorDist | None:
        dist, k = entry(*keys)
        if isinstance(dist, SpecialPrior):
            what = ", ".join(f"{n}={v!r}" for n, v in zip(("class", "coef", "group", "resp", "dpar", "nlpar"), k) if v)
            raise PriorError(f"brmspy takes constant() priors on classes 'b' (plain population-level coefficients), "
                             f"'Intercept', 'sd' and distributional parameters, not on this parameter ({what}).")
        return dist

    def fixed(stan: str, keys_per_element: list[tuple[tuple, ...]], what: str) -> list[PriorDist | None]:
        """Priors of a parameter's elements; elements fixed by constant() are recorded in ``res.constants``."""
        found = [entry(*keys) for keys in keys_per_element]
        consts: list[float | None] = [None] * len(found)
        for key in dict.fromkeys(k for d, k in found if isinstance(d, SpecialPrior)):
            idx = [i for i, (_, k) in enumerate(found) if k == key]
            sp = found[idx[0]][0]
            vals = sp.values(len(idx), what) if isinstance(sp.get("const"), tuple) else sp.values(1, what) * len(idx)
            for i, v in zip(idx, vals):
                consts[i] = v
        if any(v is not None for v in consts):
            res.constants[stan] = consts
        return [d if isinstance(d, PriorDist) or d is None else None for d, _ in found]

    res = ResolvedPriors(table)
    for prefix, design in frame.designs.items():
        resp = prefix.resp
        dpar, nlpar = _prefix_dpar_nlpar(frame, prefix)
        crow = by_key.get(("b", "", "", resp, dpar, nlpar))
        special = parse_special_prior(crow.prior) if crow is not None else None
        if design.decomp == "QR" and crow is not None and (crow.lb or crow.ub):  # a shrinkage prior shrinks bQ
            raise PriorError(f"Cannot add bounds to class 'b' ({crow.prior!r}) with bf(decomp = 'QR'): the coefficients "
                             "are sampled on the QR scale, where bounds do not apply (brms: 'Cannot add bounds to "
                             "class b for this prior'). Remove them or decomp = 'QR'.")
        shrunk: dict[str, SpecialPrior] = {}  # horseshoe()/R2D2() by class, current brms's classes
        for cls_ in SHRINKAGE_CLASSES:
            row = by_key.get((cls_, "", "", resp, dpar, nlpar))
            sp_ = parse_special_prior(row.prior) if row is not None else None
            if sp_ is not None and sp_.shrinkage:
                shrunk[cls_] = sp_
        b_special = shrunk.get("b")
        if shrunk:  # scaled zb (and sds, ...) of this predictor
            res.shrinkage[prefix] = _shrinkage(frame, prefix, design, table, shrunk)
        if b_special:
            res.b[prefix] = [None] * len(design.coef_names)
        else:
            res.b[prefix] = fixed(f"b{prefix.suffix}", [(("b", c, "", resp, dpar, nlpar), ("b", "", "", resp, dpar, nlpar))
                                                         for c in design.coef_names], f"b{prefix.suffix}")
            simplex = [p for p in res.b[prefix] if p is not None and p.info.kind == "simplex"]
            if simplex:  # prior("dirichlet(...)", class = "b"): brms's simplex[K] b (stan_adjust_par_type)
                if len(simplex) != len(res.b[prefix]) or design.decomp == "QR" or prefix in res.constants:
                    raise PriorError(f"{simplex[0]} on class 'b' makes the coefficients b{prefix.suffix} one simplex: "
                                     "it cannot be combined with priors on single coefficients, constant() or "
                                     "bf(decomp = 'QR').")
                simplex[0].concentration(len(simplex), f"the coefficients b{prefix.suffix} (a simplex with a "
                                         "dirichlet prior)")
                res.b_simplex.add(prefix)
        if crow is not None:
            res.b_bounds[prefix] = (float(crow.lb) if crow.lb else None, float(crow.ub) if crow.ub else None)
        for sp in design.specials:
            # a non-linear mu's autocorrelation design rides along with an nlpar's design: its own prefix counts
            own = sp.prefix == prefix
            sdpar, snlpar = (dpar, nlpar) if own else _prefix_dpar_nlpar(frame, sp.prefix)
            mine = frozenset(c for c in shrunk if sp.shrinkable(c)) if own else frozenset()
            for cls_ in () if own else SHRINKAGE_CLASSES:
                row = by_key.get((cls_, "", "", resp, sdpar, snlpar))
                sp_ = parse_special_prior(row.prior) if row is not None else None
                if sp_ is not None and sp_.shrinkage and sp.shrinkable(cls_):
                    # brms 2.18 has shrinkage priors on class b only; current brms scales ar/ma by the shrinkage
                    # prior of their linear predictor, which a non-linear mu lacks (stan_predictor.bframenl has
                    # no stan_special_prior), so its program leaves the scales undefined
                    raise PriorError(f"{row.prior!r} on class {cls_!r} of a non-linear model's autocorrelation "
                                     "structure is not available (as brms: a non-linear mu has no linear predictor "
                                     "whose shrinkage prior could scale it; brms's program for it does not compile). "
                                     "Give it an ordinary prior such as 'normal(0, 0.5)'.")
            sds_found: list[tuple[PriorDist | SpecialPrior | None, tuple | None]] = []
            lscale_found: list[tuple[PriorDist | SpecialPrior | None, tuple | None]] = []

            def bound(*keys: tuple, _r=resp, _d=sdpar, _n=snlpar, _s=mine, _f=sds_found,
                      _l=lscale_found) -> PriorDist | None:
                if keys[0][0] in _s:  # bsp, sds, ... scaled by the horseshoe()/R2D2() prior (codegen.shrinkage)
                    return None
                full = tuple((*k, *("",) * (3 - len(k)), _r, _d, _n) for k in keys)
                if keys[0][0] in ("sds", "lscale"):  # constant(): brms fixes them (sds_1 = rep_vector(c, ...))
                    found = _f if keys[0][0] == "sds" else _l
                    found.append(entry(*full))
                    if isinstance(found[-1][0], SpecialPrior):
                        return None
                return lookup(*full)

            res.special[(prefix, type(sp).__name__)] = sp.resolve_priors(bound)
            _sds_constants(res, sp, sds_found)
            _lscale_constants(res, sp, lscale_found)
            if mine:
                res.special[(prefix, type(sp).__name__)]["shrunk"] = mine
        t = _terms_of(frame, prefix)
        tfam = t.family.threshold_family(prefix.dpar)  # ordinal mu, or a mixture's ordinal mu<k>
        if tfam is not None:
            ncat = frame.responses[resp].ncat
            groups = frame.responses[resp].thres_groups
            if getattr(t.family, "fixed_thresholds", False) and resp not in res.fixed_thresholds:
                res.fixed_thresholds[resp] = _fixed_threshold_priors(table, by_key, lookup, resp, ncat, groups)
            if groups is not None and tfam.threshold == "equidistant":  # per group: first threshold and delta
                res.threshold_groups[prefix] = [[lookup(("Intercept", "", g, resp, dpar, ""),
                                                        ("Intercept", "", "", resp, dpar, ""))] for g in groups.names]
                res.thresholds[prefix] = [ps[0] for ps in res.threshold_groups[prefix]]
                res.delta_groups[prefix] = [lookup(("delta", "", g, resp, dpar, ""), ("delta", "", "", resp, dpar, ""))
                                            for g in groups.names]
            elif groups is not None:  # thres(gr = g): threshold k of group g, then group g, then every threshold
                res.threshold_groups[prefix] = [
                    [lookup(("Intercept", str(k), g, resp, dpar, ""), ("Intercept", "", g, resp, dpar, ""),
                            ("Intercept", "", "", resp, dpar, "")) for k in range(1, n + 1)]
                    for g, n in zip(groups.names, groups.nthres)]
                res.thresholds[prefix] = [p for ps in res.threshold_groups[prefix] for p in ps]
            elif tfam.threshold == "equidistant":  # the first threshold, then the distance delta
                res.thresholds[prefix] = [lookup(("Intercept", "", "", resp, dpar, ""))]
                res.delta[prefix] = lookup(("delta", "", "", resp, dpar, ""))
            else:
                res.thresholds[prefix] = [
                    lookup(("Intercept", str(k), "", resp, dpar, ""), ("Intercept", "", "", resp, dpar, ""))
                    for k in range(1, ncat)
                ]
            # constant() on class b fixes bcs too, per coefficient (brms: "bcs[1] = rep_row_vector(3, ...)")
            res.bcs[prefix] = fixed(f"bcs{prefix.suffix}", [
                (("b", c, "", resp, dpar, nlpar), ("b", "", "", resp, dpar, nlpar))
                for _ in range(1, ncat) for c in design.cs_names
            ], f"bcs{prefix.suffix}")
            if f"bcs{prefix.suffix}" in res.constants:
                res.constant_rows[f"bcs{prefix.suffix}"] = len(design.cs_names)
        elif design.intercept:  # an nlpar's intercept only with lf(..., center = TRUE) (else a b coefficient)
            res.intercept[prefix] = fixed(f"Intercept{prefix.suffix}", [(("Intercept", "", "", resp, dpar, nlpar),)],
                                          f"Intercept{prefix.suffix}")[0]
        irow = by_key.get(("Intercept", "", "", resp, dpar, ""))
        if irow is not None and (irow.lb or irow.ub):
            if t.family.threshold_family(prefix.dpar) is not None:
                raise PriorError("brmspy does not take bounds on the thresholds (class 'Intercept') of ordinal models; "
                                 "remove lb/ub.")
            res.bounds[f"Intercept{prefix.suffix}"] = (_num(irow.lb), _num(irow.ub))
    for b in frame.blocks:
        keys = []
        for c in b.coefs:
            dpar, nlp = _prefix_dpar_nlpar(frame, c.prefix)
            r = c.prefix.resp
            keys.append((("sd", c.name, _group(b), r, dpar, nlp), ("sd", "", _group(b), r, dpar, nlp), ("sd", "", "", r, dpar, nlp)))
        shrunk = any(b.id in sh.sd_blocks for sh in res.shrinkage.values())  # horseshoe()/R2D2() on class sd
        res.sd[b.id] = [None] * b.M if shrunk else fixed(f"sd_{b.id}", keys, f"the sds of group {_group(b)!r}")
        if b.by and f"sd_{b.id}" in res.constants:
            values = res.constants[f"sd_{b.id}"]
            if any(v is None for v in values):
                raise PriorError(f"brmspy takes constant() priors on the sds of gr(..., by = ...) terms ({_group(b)!r}) "
                                 "only on all of them at once (brms: 'sd_1 = rep_matrix(3, ...)').")
            # matrix[M, Nby] sd: every by level's column takes the constants (column-major)
            res.constants[f"sd_{b.id}"] = values * len(b.by_levels or [])
            res.constant_rows[f"sd_{b.id}"] = b.M
        bounds = {_base_bounds(next(r for r in table if r.key() == ("sd", c.name, _group(b), c.prefix.resp,
                                                                        *_prefix_dpar_nlpar(frame, c.prefix))), table)
                  for c in b.coefs}
        if len(bounds) > 1:  # brms: "Conflicting boundary information for coefficients of class 'sd'"
            raise PriorError(f"Conflicting bounds (lb/ub) for the standard deviations of group {_group(b)!r}: "
                             f"{sorted(bounds, key=str)}; one group-level block takes one set of bounds.")
        lo, hi = bounds.pop()
        if (lo, hi) != (0.0, None):
            res.bounds[f"sd_{b.id}"] = (0.0 if lo is None else lo, hi)
        if b.udf_owner:
            res.df[b.ggn] = lookup(("df", "", _group(b), "", "", ""))
        if b.has_cor:
            cor_keys = (("cor", "", _group(b), "", "", ""), ("cor", "", "", "", "", ""))
            dist, _ = entry(*cor_keys)
            if isinstance(dist, SpecialPrior) and dist.is_matrix:  # brms testsuite [027]: L fixed at the matrix
                res.cor[b.id] = None
                res.constants[f"L_{b.id}"] = _cholesky_constant(dist, b.M, _group(b))
                res.constant_rows[f"L_{b.id}"] = b.M
            else:
                res.cor[b.id] = lookup(*cor_keys)
    for t in frame.response_terms:
        for d in t.estimated_constants:
            res.dpar[(t.resp, d)] = fixed(d + resp_suffix(t.resp), [((d, "", "", t.resp, "", ""),)], d)[0]
            drow = by_key.get((d, "", "", t.resp, "", ""))
            if drow is not None and drow.source == "user":
                lo, hi = _num(drow.lb), _num(drow.ub)
                info = t.family.dpar_info(d)
                if (lo, hi) != (info.lower, info.upper if isinstance(info.upper, (int, float)) else None) and \
                        not isinstance(info.upper, str):
                    res.bounds[d + resp_suffix(t.resp)] = (lo, hi)
        if t.family.has_theta_simplex:
            res.theta[t.resp] = lookup(("theta", "", "", t.resp, "", ""))
        if (hz := hazard_family(t.family)) is not None:  # cox (a mixture's cox component: its row has dpar mu<k>)
            dpar = "" if hz[1] == "mu" else hz[1]
            res.sbhaz[t.resp] = lookup(("sbhaz", "", "", t.resp, dpar, ""))
            bh = frame.responses[t.resp].bhaz
            if bh is not None and bh.groups is not None:  # bhaz(gr = g): a group's row wins over the class's (brms)
                res.sbhaz_groups[t.resp] = [lookup(("sbhaz", "", g, t.resp, dpar, ""), ("sbhaz", "", "", t.resp, dpar, ""))
                                            for g in bh.groups.names]
        if t.family.kind.per_category_sigma:  # logistic_normal's correlations (Llncor), kept with rescor's
            res.rescor["lncor" + resp_suffix(t.resp)] = lookup(("lncor", "", "", t.resp, "", ""))
    if getattr(frame.terms, "rescor", False):
        res.rescor = {"rescor": lookup(("rescor", "", "", "", "", ""))}
        if "nu" in frame.response_terms[0].shared:
            res.rescor["nu"] = lookup(("nu", "", "", "", "", ""))
    if any(t.nonlinear for t in frame.response_terms):  # brms requires proper priors on nlpar coefficients
        check_nlpar_priors(frame, res)
    return res


def _fixed_threshold_priors(table: list[PriorRow], by_key: dict, lookup, resp: str, ncat: int,
                            groups) -> list[list[PriorDist | None]]:
    """Priors of the shared thresholds of an ordinal mixture with ``order="mu"`` (brms's ``fixed_Intercept``).

    As brms 2.18 (``stan_mixture``): class ``Intercept`` without dpar, per threshold ``coef`` then the class;
    rows of a threshold group (``group = "a"``) are listed by get_prior() but not used, so a user prior there
    gets a warning naming it.
    """
    ignored = [r for r in table if r.class_ == "Intercept" and r.group and r.resp == resp and not r.dpar
               and r.source == "user"]
    if ignored:
        what = ", ".join(f"{r.prior} (group {r.group!r}{f', coef {r.coef!r}' if r.coef else ''})" for r in ignored)
        warn(f"brms 2.18 does not use group-specific threshold priors in ordinal mixtures with order = 'mu' "
             f"(the thresholds are shared, fixed_Intercept): {what} is ignored; set prior(..., class = "
             "'Intercept') without group.", PriorWarning)
    sizes = list(groups.nthres) if groups is not None else [ncat - 1]
    return [[lookup(("Intercept", str(k), "", resp, "", ""), ("Intercept", "", "", resp, "", "")) for k in range(1, n + 1)]
            for n in sizes]


def _cholesky_constant(sp: SpecialPrior, m: int, group: str) -> list[float | None]:
    """``constant([[1, 0], [0, 1]])`` on class cor: brms writes it into the Cholesky factor ``L`` itself, so it
    must be the Cholesky factor of a correlation matrix (checked here; Stan would reject it at sampling)."""
    L = np.asarray(sp.get("const"), dtype=float)
    if L.shape != (m, m):
        raise PriorError(f"{sp} on class 'cor' of group {group!r} gives a {L.shape[0]} x {L.shape[1]} matrix; the "
                         f"group has {m} correlated effects, so it needs {m} x {m}.")
    ok = (np.allclose(np.triu(L, 1), 0) and np.all(np.diag(L) > 0)
          and np.allclose((L**2).sum(axis=1), 1, atol=1e-8))
    if not ok:
        raise PriorError(
            f"{sp} on class 'cor' of group {group!r}: brms writes the matrix into the Cholesky factor of the "
            "correlation matrix (L_1 = <matrix>), so it must be lower triangular with a positive diagonal and rows of "
            "length 1 (e.g. [[1, 0], [0.5, 0.866]] for a correlation of 0.5); the identity fixes uncorrelated effects.")
    return [float(v) for v in L.ravel()]  # row-major


def _sds_constants(res: ResolvedPriors, sp, found: list) -> None:
    """constant() priors on class ``sds``: the sds of each smooth (one prior lookup each, in order) become data."""
    if not any(isinstance(d, SpecialPrior) for d, _ in found):
        return
    parts = sp.shrinkable("sds")  # (sds_<i>, nb_<i>, number of sds) per smooth, in the order of the lookups
    if len(parts) != len(found):
        raise PriorError("brmspy cannot fix the sds of these smooth terms with constant(); use a prior such as "
                         "'student_t(3, 0, 2.5)' on class 'sds'.")
    for (name, _, m), (dist, _) in zip(parts, found):
        if isinstance(dist, SpecialPrior):
            res.constants[name] = dist.values(m, f"the sds of {name}")


def _lscale_constants(res: ResolvedPriors, sp, found: list) -> None:
    """constant() priors on class ``lscale`` (brms 2.18: ``lscale_1[1][1] = 0.5;``): those elements become data."""
    if not any(isinstance(d, SpecialPrior) for d, _ in found):
        return
    shapes = sp.lscale_shapes()  # (lscale_<i>, sub-GPs, length-scales per sub-GP), in the order of the lookups
    if sum(k * d for _, k, d in shapes) != len(found):  # pragma: no cover - lookups and shapes disagree
        raise PriorError("brmspy cannot fix these length-scales with constant(); use a prior such as 'inv_gamma(2, 1)'.")
    pos = 0
    for name, k, d in shapes:
        part = found[pos:pos + k * d]
        pos += k * d
        if any(isinstance(dist, SpecialPrior) for dist, _ in part):
            res.constants[name] = [dist.values(1, f"the length-scale {name}")[0] if isinstance(dist, SpecialPrior)
                                   else None for dist, _ in part]
            res.constant_rows[name] = k


def _num(text: str) -> float | None:
    return float(text) if text not in ("", None) else None


def _shrinkage(frame: ModelFrame, prefix, design, table: list[PriorRow], shrunk: dict[str, SpecialPrior]) -> Shrinkage:
    """A horseshoe()/R2D2() prior on classes of one predictor (``b``, ``sd``, ``sds``, ...), checked as brms checks
    it (current brms's ``validate_special_prior``, ``stan_re``, ``stan_ac``)."""
    dpar, nlpar = _prefix_dpar_nlpar(frame, prefix)
    where = dict(resp=prefix.resp, dpar=dpar, nlpar=nlpar)
    given = list(shrunk.values())
    if len({sp.name for sp in given}) > 1:
        raise PriorError("Currently only one special prior per formula is allowed (brms): horseshoe() and R2D2() "
                         "are both given for this predictor.")
    if len(given) > 1:
        mains = [sp for sp in given if sp.get("main")]
        if len(mains) != 1:
            raise PriorError("If special priors for multiple classes are given, exactly one of them must be marked with "
                             "'main = TRUE' (brms); its arguments are used, the others' are ignored.")
        special = mains[0]
    else:
        special = given[0]
    for cls_, sp in shrunk.items():
        crow = next(r for r in table if r.key() == (cls_, "", "", *where.values()))
        if cls_ in ("b", "ar", "ma"):
            if crow.lb or crow.ub:
                raise PriorError("Setting boundaries on coefficients is not allowed when using special priors (brms): "
                                 f"{sp.name}() on class {cls_!r} with lb/ub"
                                 + (" (brms bounds ar/ma to (-1, 1) with cov = TRUE or latent residuals)"
                                    if cls_ != "b" else "") + ".")
            if design.cs_names:
                raise PriorError("Special priors are not yet allowed in models with category-specific effects (brms): "
                                 f"{sp.name}() on class {cls_!r} and cs({', '.join(design.cs_names[:3])}) in one "
                                 "predictor. Use an ordinary prior (e.g. 'normal(0, 1)') or drop cs().")
        elif cls_ != "sd" and ((crow.lb not in ("", "0")) or crow.ub):
            raise PriorError("Setting custom boundaries on SD parameters is not allowed when using special priors (brms).")
        if cls_ == "sd":
            continue  # its own checks in _shrunk_blocks
        rows = [r for r in table if r.class_ == cls_ and (r.coef or r.group) and r.source == "user" and r.prior.strip()
                and (r.resp, r.dpar, r.nlpar) == tuple(where.values())]
        if rows:
            raise PriorError(
                "Defining separate priors for single coefficients or groups is not allowed when using special priors "
                f"for the whole class (brms): {sp.name}() is set on class {cls_!r} and {rows[0].prior!r} on coef "
                f"{rows[0].coef!r}. Keep one of them.")
        if cls_ in ("ar", "ma"):
            ac = next((x for x in design.specials if x.shrinkable(cls_)), None)
            if ac is not None and getattr(ac.spec, "cov", False):
                raise PriorError(f"Cannot use shrinkage priors on '{cls_}' if cov = TRUE (brms). Use an ordinary prior "
                                 f"on class {cls_!r} or arma(..., cov = FALSE).")
    b_special = shrunk.get("b")
    blocks: tuple[int, ...] = ()
    if "sd" in shrunk:
        blocks = _shrunk_blocks(frame, prefix, table, where, shrunk["sd"])
    if b_special is not None and not design.coef_names and not any(sp.shrinkable("b") for sp in design.specials):
        raise PriorError(f"The {b_special.name}() prior on class 'b' needs population-level coefficients besides the "
                         "Intercept, and this predictor has none.")
    classes = tuple(c for c in shrunk if c not in ("b", "sd"))
    return _shrinkage_settings(frame, prefix, nlpar, special, b_special is not None, blocks, classes)


def _shrunk_blocks(frame: ModelFrame, prefix, table: list[PriorRow], where: dict, special: SpecialPrior) -> tuple[int, ...]:
    """The group-level blocks of a predictor whose sds a horseshoe()/R2D2() prior on class sd scales."""
    rows = [r for r in table if r.class_ == "sd" and (r.coef or r.group) and r.source == "user" and r.prior.strip()
            and (r.resp, r.dpar, r.nlpar) == tuple(where.values())]
    if rows:
        raise PriorError("Defining separate priors for single coefficients or groups is not allowed when using special "
                         f"priors for the whole class (brms): {special.name}() is set on class 'sd' and {rows[0].prior!r} "
                         f"on group {rows[0].group!r}" + (f", coef {rows[0].coef!r}" if rows[0].coef else "") + ".")
    crow = next(r for r in table if r.key() == ("sd", "", "", *where.values()))
    if (crow.lb not in ("", "0")) or crow.ub:
        raise PriorError("Setting custom boundaries on SD parameters is not allowed when using special priors (brms).")
    ids = []
    for b in frame.blocks:
        mine = [c.prefix == prefix for c in b.coefs]
        if not any(mine):
            continue
        if b.by:  # brms's .stan_re
            raise PriorError(f"Special priors on class 'sd' are not yet compatible with the 'by' argument (brms): "
                             f"{special.name}() on class 'sd' and gr({_group(b)}, by = ...). Use an ordinary prior "
                             "(e.g. 'student_t(3, 0, 2.5)') on class 'sd' or drop 'by'.")
        if not all(mine):
            raise PriorError(f"Special priors on class 'sd' are not yet compatible with group-level coefficients "
                             f"correlated across formulas (brms): the block of {_group(b)!r} spans several "
                             f"linear predictors. Use an ordinary prior on class 'sd' there.")
        ids.append(b.id)
    return tuple(ids)


def _shrinkage_settings(frame: ModelFrame, prefix, nlpar: str, special: SpecialPrior, on_b: bool,
                        blocks: tuple[int, ...], classes: tuple[str, ...] = ()) -> Shrinkage:
    t = _terms_of(frame, prefix)
    # brms's simple_sigma: one sigma parameter (not predicted, not replaced by se()); only mu and nlpars
    simple_sigma = "sigma" in t.family.dpars and ("sigma" in t.estimated_constants or "sigma" in t.fixed)
    autoscale = bool(special.get("autoscale")) and simple_sigma and (prefix.dpar == "mu" or bool(nlpar))
    scale_global = 1.0
    if special.name == "horseshoe":
        ratio = special.get("par_ratio")
        scale_global = float(ratio) / float(np.sqrt(frame.N)) if ratio is not None else float(special.get("scale_global"))
    return Shrinkage(special, autoscale, "sigma" + resp_suffix(prefix.resp), scale_global, on_b, blocks, classes)


def _spread_global_priors(frame: ModelFrame, table: list[PriorRow], user_keys: set[tuple]) -> list[PriorRow]:
    """brms's global ``b``/``Intercept`` priors of multivariate and categorical models, then their rows dropped.

    A prior on ``class_="b"`` without ``resp`` (multivariate) or without ``dpar`` (categorical, multinomial,
    dirichlet) becomes the prior of that class in every response (every dpar) where the user gave none,
    with brms's deprecation warning (``validate_prior_special``).
    """
    def spread(glob: PriorRow, targets: list[PriorRow], what: str, each: str) -> None:
        if not glob.prior.strip():
            return
        warn(f"Specifying global priors for regression coefficients in {what} models is deprecated. "
                      f"Please specify priors separately for each {each}.", PriorWarning)
        for r in targets:
            if r.key() not in user_keys or not r.prior.strip():
                r.prior = glob.prior

    drop: set[tuple] = set()
    if isinstance(frame.terms, MvBrmsTerms):
        resps = {t.resp for t in frame.response_terms}
        for cl in ("b", "Intercept"):
            glob = next((r for r in table if r.key() == (cl, "", "", "", "", "")), None)
            if glob is not None:
                drop.add(glob.key())
                spread(glob, [r for r in table if r.class_ == cl and not r.coef and r.resp in resps],
                       "multivariate", "response variable")
    for t in frame.response_terms:
        if not t.family.kind.has_categories:
            continue
        for cl in ("b", "Intercept"):
            glob = next((r for r in table if r.key() == (cl, "", "", t.resp, "", "")), None)
            if glob is not None:
                drop.add(glob.key())
                spread(glob, [r for r in table if r.class_ == cl and not r.coef and r.resp == t.resp and not r.nlpar
                              and r.dpar in t.parts], "categorical", "response category")
    return [r for r in table if r.key() not in drop]


def _data_names(frame: ModelFrame) -> dict[str, str]:
    """Names of data values brms's default priors use (``uniform(0, min_Y)`` of ndt), as exact numbers."""
    out = {}
    for t in frame.response_terms:
        y = np.asarray(frame.responses[t.resp].y, dtype=float)
        if np.isfinite(y).any():
            out[f"min_Y{resp_suffix(t.resp)}"] = _exact(float(np.nanmin(y)))
    return out


def _with_data(text: str, names: dict[str, str]) -> str:
    """A default prior's text with the data names it uses replaced by their values."""
    import re

    if "min_Y" not in text:
        return text
    return re.sub(r"\bmin_Y\w*", lambda m: names.get(m.group(0), m.group(0)), text)


