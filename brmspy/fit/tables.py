"""Draws -> brms-style tables: summary, fixef, ranef, coef, VarCorr, prior_summary."""

from __future__ import annotations

import warnings
from typing import Mapping

import numpy as np
import pandas as pd

from ..core.errors import SamplerWarning, warn
from ..backends import ALGORITHM_LABELS
from ..backends.marginal_laplace import MARGINAL_LABEL, MARGINAL_TIMING
from ..core.types import _check_prob, cor_pairs
from ..frame.types import group_label
from . import arviz_io
from .brmsfit import BrmsFit
from .convergence import Convergence
from .summary import SECTIONS, BrmsSummary


def _quantile_cols(prob: float, style: str) -> tuple[str, str, float, float]:
    lo, hi = (1 - prob) / 2, 1 - (1 - prob) / 2
    if style == "summary":
        pct = f"{prob * 100:g}%"
        return f"l-{pct} CI", f"u-{pct} CI", lo, hi
    return f"Q{lo * 100:g}", f"Q{hi * 100:g}", lo, hi


def stats_table(draws: dict[str, np.ndarray], names: list[str], prob: float = 0.95, diagnostics: bool = True,
                labels: list[str] | None = None, convergence: Mapping[str, Convergence] | None = None) -> pd.DataFrame:
    """Estimate, Est.Error, interval (and Rhat/ESS) of each named draw array (chain, draw).

    ``convergence``: the names' R-hat and ESS when already known (:meth:`BrmsFit.convergence`).
    """
    _check_prob(prob)
    lo_name, hi_name, lo, hi = _quantile_cols(prob, "summary" if diagnostics else "q")
    rows = []
    for n in names:
        x = draws[n]
        flat = x.reshape(-1)
        row = {"Estimate": flat.mean(), "Est.Error": flat.std(ddof=1), lo_name: np.quantile(flat, lo),
               hi_name: np.quantile(flat, hi)}
        if diagnostics:
            c = convergence[n] if convergence is not None else arviz_io.rhat_ess(x)
            row.update({"Rhat": c.rhat, "Bulk_ESS": c.ess_bulk, "Tail_ESS": c.ess_tail})
        rows.append(row)
    return pd.DataFrame(rows, index=labels if labels is not None else names)


def summarize(fit: "BrmsFit", prob: float = 0.95) -> BrmsSummary:
    """Build brms's printed summary of ``fit``."""
    frame, draws, info = fit.frame, fit.draws_dict, fit.param_info
    cfg = fit.config
    fam_lines, link_lines = [], []
    for t in frame.response_terms:
        links = "; ".join(f"{d} = {t.family.links[d] if (d == 'mu' or d in t.parts) else 'identity'}" for d in t.family.dpars)
        fam_lines.append(t.family.name)
        link_lines.append(links)
    formula_lines = str(fit.formula).split("\n")
    draws_lines = [
        f"  Draws: {cfg.chains} chains, each with iter = {cfg.iter}; warmup = {cfg.num_warmup}; thin = {cfg.thin};",
        f"         total post-warmup draws = {fit.ndraws()}",
    ]
    if cfg.algorithm != "sampling":  # as brms: the draws as they came, labelled by their algorithm
        d = fit.stan_draws
        approx = "an approximation of the posterior, not MCMC" if cfg.approximate else "not MCMC"
        label = MARGINAL_LABEL if MARGINAL_TIMING in d.timings else ALGORITHM_LABELS[cfg.algorithm]
        draws_lines = [
            f"  Draws: {d.nchains} chains, each with iter = {d.ndraws}; warmup = 0; thin = 1;",
            f"         total draws = {fit.ndraws()}",
            f"Algorithm: {cfg.algorithm} ({label}: {approx})",
        ]
    header = "\n".join(
        [
            f" Family: {', '.join(fam_lines)} " if len(fam_lines) == 1 else f" Family: MV({', '.join(fam_lines)}) ",
            f"  Links: {link_lines[0]} " if len(link_lines) == 1 else "  Links: " + "\n         ".join(link_lines),
            f"Formula: {formula_lines[0]} " + "".join(f"\n         {ln} " for ln in formula_lines[1:]),
            f"   Data: {fit.data_name} (Number of observations: {frame.N}) ",
            *draws_lines,
        ]
    )
    out = BrmsSummary(header)
    # one table per grouping factor, as brms: blocks that share a group name (different |ID|,
    # dpars, nlpars or responses) are listed together, none hidden
    for g, blocks in _blocks_by_group(frame.blocks).items():
        names, labels = [], []
        for kind in ("df", "sd", "cor"):  # brms: df (student-t effects), sds, cors
            for n, pi in info.items():
                if pi.kind != kind or pi.group != g:
                    continue
                names.append(n)
                if kind == "df":
                    labels.append("df")
                    continue
                block = next((b for b in blocks if b.by), None)
                lv = f":{block.by}{pi.level}" if pi.level and block is not None else ""
                if kind == "sd":
                    labels.append(f"sd({pi.coef}{lv})")
                else:
                    a, b = pi.coef.split(",")
                    labels.append(f"cor({a}{lv},{b}{lv})")
        out.group[g] = stats_table(draws, names, prob, labels=labels, convergence=fit.convergence(names))
        out.group_levels[g] = blocks[0].N_levels
    b_names = _intercepts_first([n for n, pi in info.items() if pi.kind == "b"], info)
    out.population = stats_table(draws, b_names, prob, labels=[info[n].coef for n in b_names],
                                 convergence=fit.convergence(b_names))
    d_names = [n for n, pi in info.items() if pi.kind == "dpar"]
    out.family = stats_table(draws, d_names, prob, convergence=fit.convergence(d_names))
    for kind in SECTIONS:
        names = [n for n, pi in info.items() if pi.kind == kind]
        if names:
            out.sections[kind] = stats_table(draws, names, prob, labels=[info[n].coef or n for n in names],
                                             convergence=fit.convergence(names))
    out.footer = (
        f"Draws were sampled using NUTS (backend: {fit.backend}). For each parameter, Bulk_ESS\n"
        "and Tail_ESS are effective sample size measures, and Rhat is the potential\n"
        "scale reduction factor on split chains (at convergence, Rhat = 1)."
    )
    if cfg.algorithm != "sampling":  # brms warns about Rhat and divergences for MCMC only
        out.footer = f"Draws were sampled using {cfg.algorithm} (backend: {fit.backend})."
        return out
    _warn_convergence(out, fit)
    return out


def _warn_convergence(out: BrmsSummary, fit: "BrmsFit") -> None:
    """brms's summary() warnings: some Rhat above 1.05 in the tables, divergent transitions."""
    tables = [*out.group.values(), out.population, out.family, *out.sections.values()]
    rhats = np.concatenate([t["Rhat"].to_numpy(dtype=float) for t in tables if "Rhat" in t])
    if np.any(rhats[np.isfinite(rhats)] > 1.05):
        warn(
            "Parts of the model have not converged (some Rhats are > 1.05). Be careful when analysing the results! "
            "We recommend running more iterations and/or setting stronger priors.",
            SamplerWarning,
        )
    div = fit.stan_draws.sampler_stats.get("divergent__")
    n_div = int(np.sum(div)) if div is not None else 0
    if n_div:
        warn(
            f"There were {n_div} divergent transitions after warmup. Increasing adapt_delta above "
            f"{fit.config.adapt_delta:g} may help. See "
            "http://mc-stan.org/misc/warnings.html#divergent-transitions-after-warmup",
            SamplerWarning,
        )


def _blocks_by_group(blocks: list) -> dict[str, list]:
    """Group-level blocks by grouping factor name (brms's ``unique(ranef$group)``), in order."""
    out: dict[str, list] = {}
    for b in blocks:
        out.setdefault(group_label(b), []).append(b)
    return out


def _intercepts_first(names: list[str], info: dict) -> list[str]:
    """brms lists every intercept (of each response and dpar) before the other coefficients."""
    import re

    return sorted(names, key=lambda n: 0 if re.search(r"Intercept(\[\d+\])?$", info[n].coef) else 1)


def fixef(fit: "BrmsFit", prob: float = 0.95) -> pd.DataFrame:
    """Population-level effects: Estimate, Est.Error, Q2.5, Q97.5 (rows named as brms)."""
    names = _intercepts_first([n for n, pi in fit.param_info.items() if pi.kind == "b"], fit.param_info)
    return stats_table(fit.draws_dict, names, prob, diagnostics=False, labels=[fit.param_info[n].coef for n in names])


def _ranef_draws(fit: "BrmsFit") -> dict[str, dict[str, dict[str, np.ndarray]]]:
    """group -> coef label -> level -> draws."""
    out: dict[str, dict[str, dict[str, np.ndarray]]] = {}
    for n, pi in fit.param_info.items():
        if pi.kind == "r":
            out.setdefault(pi.group, {}).setdefault(pi.coef, {})[pi.level] = fit.draws_dict[n]
    return out


def _level_table(per_level: dict[str, dict[str, np.ndarray]], prob: float) -> pd.DataFrame:
    frames = {}
    for coef, levels in per_level.items():
        draws = {lv: v for lv, v in levels.items()}
        frames[coef] = stats_table(draws, list(draws), prob, diagnostics=False)
    table = pd.concat(frames, axis=1)
    table.index.name = "level"
    return table


def ranef(fit: "BrmsFit", prob: float = 0.95) -> dict[str, pd.DataFrame]:
    """Group-level effects per grouping factor.

    Returns a dict ``group -> DataFrame`` indexed by level with columns
    ``(coef, statistic)``, so ``ranef(fit)["Subject"]["Intercept"]`` is the
    levels × (Estimate, Est.Error, Q2.5, Q97.5) table brms prints.
    """
    return {g: _level_table(coefs, prob) for g, coefs in _ranef_draws(fit).items()}


def coef(fit: "BrmsFit", prob: float = 0.95) -> dict[str, pd.DataFrame]:
    """Population plus group-level effects per level (brms's ``coef``)."""
    out = {}
    b = {fit.param_info[n].coef: fit.draws_dict[n] for n, pi in fit.param_info.items() if pi.kind == "b"}
    for g, coefs in _ranef_draws(fit).items():
        combined: dict[str, dict[str, np.ndarray]] = {}
        for c, levels in coefs.items():
            base = b.get(c)
            combined[c] = {lv: (v + base if base is not None else v) for lv, v in levels.items()}
        out[g] = _level_table(combined, prob)
    return out


def varcorr(fit: "BrmsFit", prob: float = 0.95) -> dict[str, dict[str, pd.DataFrame]]:
    """Standard deviations, correlations and covariances of group-level effects and residuals.

    ``VarCorr(fit)["Subject"]["sd"]`` is coef × statistic; ``["cor"]`` and
    ``["cov"]`` are indexed by (coef, coef) pairs; ``"residual__"`` holds sigma.
    As in brms, a grouping factor with several blocks (``(1 | g) + (0 + x | g)``, or
    terms in different dpars) has one entry listing all their effects, with correlation 0
    between effects of different blocks.
    """
    out: dict[str, dict[str, pd.DataFrame]] = {}
    draws = fit.draws_dict
    for g, blocks in _blocks_by_group(fit.frame.blocks).items():
        if any(b.by for b in blocks):
            sd_names = [n for n, pi in fit.param_info.items() if pi.kind == "sd" and pi.group == g]
            out[g] = {"sd": stats_table(draws, sd_names, prob, diagnostics=False,
                                        labels=[n.split("__", 1)[1] for n in sd_names])}
            continue
        # every coefficient of the group, over all its blocks (brms: one sd table, one cor matrix
        # in which effects of different blocks have correlation 0)
        labels = [c.label for b in blocks for c in b.coefs]
        block_of = [i for i, b in enumerate(blocks) for _ in b.coefs]
        sds = [draws[f"sd_{g}__{lab}"] for lab in labels]
        entry = {"sd": stats_table(dict(zip(labels, sds)), labels, prob, diagnostics=False)}
        if any(b.has_cor for b in blocks):
            estimated = {}
            for b in blocks:
                if b.has_cor:
                    for j, k in cor_pairs(b.M):
                        a, c = b.coefs[j].label, b.coefs[k].label
                        estimated[(a, c)] = estimated[(c, a)] = draws[f"cor_{g}__{a}__{c}"]
            cor_draws, cov_draws, index = {}, {}, []
            M = len(labels)
            for i in range(M):
                for j in range(M):
                    key = f"{labels[i]}|{labels[j]}"
                    if i == j:
                        r = np.ones_like(sds[i])
                    elif block_of[i] == block_of[j] and (labels[i], labels[j]) in estimated:
                        r = estimated[(labels[i], labels[j])]
                    else:
                        r = np.zeros_like(sds[i])
                    cor_draws[key] = r
                    cov_draws[key] = r * sds[i] * sds[j]
                    index.append((labels[i], labels[j]))
            mi = pd.MultiIndex.from_tuples(index)
            entry["cor"] = stats_table(cor_draws, list(cor_draws), prob, diagnostics=False).set_index(mi)
            entry["cov"] = stats_table(cov_draws, list(cov_draws), prob, diagnostics=False).set_index(mi)
        out[g] = entry
    sig = [n for n, pi in fit.param_info.items() if pi.kind == "dpar" and n.split("_")[0] == "sigma"]
    if sig:
        out["residual__"] = {"sd": stats_table(draws, sig, prob, diagnostics=False, labels=[""] * len(sig) if len(sig) == 1 else sig)}
    return out


def prior_summary(fit: "BrmsFit") -> pd.DataFrame:
    """The priors used in the model, brms-style (flat priors shown as ``(flat)``).

    Rows whose prior is inherited from a more general row are marked
    ``(vectorized)`` in ``source``, as brms does.
    """
    table = fit.priors.to_frame().copy()
    # a coef- or group-specific row without its own prior inherits the more general one
    inherited = (table["prior"] == "") & ((table["coef"] != "") | (table["group"] != ""))
    general: dict[tuple, str] = {}
    for i, r in table.iterrows():
        if r["prior"] and not r["coef"]:  # a coefficient's own prior is not inherited by the others
            general[(r["class"], r["resp"], r["dpar"], r["nlpar"], r["group"])] = r["prior"]
    for i, r in table[inherited].iterrows():
        key_group = (r["class"], r["resp"], r["dpar"], r["nlpar"], r["group"])
        key_class = (r["class"], r["resp"], r["dpar"], r["nlpar"], "")
        p = general.get(key_group) or general.get(key_class) or ""
        table.loc[i, "prior"] = p
        table.loc[i, "source"] = "(vectorized)"
        if r["class"] == "sd" and p:
            table.loc[i, "lb"] = "0"
    table.loc[table["prior"] == "", "prior"] = "(flat)"
    return table
