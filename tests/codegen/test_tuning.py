"""Speed choices that leave the posterior unchanged (``brmspy.codegen.tuning``, issue 7).

- lean row-wise forms (``unit_z``: no product with an all-ones ``Z``; ``hoist_constants``:
  ``_lupmf`` plus the data-only constant summed once): the same log density, constants
  included, and gradient as brms's program at the same unconstrained points;
- hierarchical centering (a centered group intercept takes in the Intercept, ``a = Intercept + r``):
  the same log density as the centered program at corresponding points (unit Jacobian), and the
  same posterior as brms's non-centered program when sampled;
- the choices: when each applies and when it is left out.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.codegen.api import build_model
from brmspy.codegen.generate import generate
from brmspy.codegen.options import CodeOptions
from brmspy.codegen.tuning import Tuning, choose_tuning
from brmspy.formula.prefix import Prefix
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_same_log_density, assert_same_posterior

MU = Prefix("", "mu")


@pytest.fixture(scope="module")
def counts() -> pd.DataFrame:
    """1200 rows, 10 groups of 120 rows: both lean forms and centering apply under "auto"."""
    rng = np.random.default_rng(5)
    n, G = 1200, 10
    g = rng.integers(0, G, n)
    h = rng.integers(0, 300, n)  # a second, crossed factor with 4 rows per level
    x = rng.normal(size=n)
    u = rng.normal(0, 0.5, G)
    trials = rng.integers(1, 8, n)
    eta = 0.4 + 0.3 * x + u[g]
    return pd.DataFrame({
        "y": rng.poisson(np.exp(eta)), "s": rng.binomial(trials, 1 / (1 + np.exp(-eta))), "n": trials,
        "x": x, "g": g, "h": h, "w": rng.uniform(0.5, 2, n),
    })


def _programs(formula, data, family, *tunings):
    """The programs of one model under each tuning (same frame, same priors)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        b = build_model(formula, data, family)
    return [generate(b.frame, b.priors, CodeOptions(reduce=False), t) for t in tunings]


def _lp(gen, values):
    m = stanli.Model(stan_code=gen.code, data=gen.data)
    theta = m.unconstrain(values)
    return m.log_prob_grad(theta)


LEAN = Tuning(unit_z=True, hoist_constants=True)
LEAN_CASES = {
    "poisson_glm": ("y ~ x + (1 | g)", "poisson"),
    "poisson_sqrt": ("y ~ x + (1 | g)", bp.families.poisson(link="sqrt")),
    "poisson_crossed_slope": ("y ~ x + (1 | g) + (0 + x | h)", "poisson"),
    "binomial_glm": ("s | trials(n) ~ x + (1 | g)", "binomial"),
    "binomial_probit": ("s | trials(n) ~ x + (1 | g)", bp.families.binomial(link="probit")),
    "poisson_weights": ("y | weights(w) ~ x + (1 | g)", "poisson"),
}


@pytest.mark.parametrize("name", list(LEAN_CASES))
def test_lean_forms_equal_brms_program(counts, name):
    formula, family = LEAN_CASES[name]
    brms, lean = _programs(formula, counts, family, Tuning(), LEAN)
    assert brms.data.keys() == lean.data.keys()
    hoisted = "weights" not in name  # pointwise likelihoods keep their constants
    assert ("lconst" in lean.code) == hoisted and ("_lupmf(" in lean.code) == hoisted
    assert "lconst" not in brms.code and "_lupmf" not in brms.code
    assert "r_1_1[J_1] .* Z_1_1" in brms.code and "r_1_1[J_1] .* Z_1_1" not in lean.code and "r_1_1[J_1]" in lean.code
    stanli.stan_to_mir(lean.code)
    m_b = stanli.Model(stan_code=brms.code, data=brms.data)
    m_l = stanli.Model(stan_code=lean.code, data=lean.data)
    assert_same_log_density(m_b, [m_l], label=name, rtol=1e-11, seed=1)


def test_lean_comparison_can_fail(counts):
    """A constant left out, or summed over one row too few, is detected: the check compares constants too."""
    _, lean = _programs("y ~ x + (1 | g)", counts, "poisson", Tuning(), LEAN)
    assert counts.y.iloc[-1] > 1  # lgamma(y + 1) of the last row is not zero
    for broken in (lean.code.replace(" + lconst;", ";"),
                   lean.code.replace("lgamma(to_vector(Y) + 1)", "lgamma(to_vector(Y[1:(N - 1)]) + 1)")):
        _assert_differs(lean, broken)


def _assert_differs(lean, broken):
    assert broken != lean.code
    theta = np.full(stanli.Model(stan_code=lean.code, data=lean.data).n_unconstrained, 0.1)
    lp = stanli.Model(stan_code=lean.code, data=lean.data).log_prob_grad(theta)[0]
    lp_broken = stanli.Model(stan_code=broken, data=lean.data).log_prob_grad(theta)[0]
    assert abs(lp - lp_broken) > 1e-6


ABSORB_CASES = {
    "uncorrelated": ("y ~ x + (1 | g)", "poisson", 1),
    "correlated": ("y ~ x + (1 + x | g)", "poisson", 2),
    "binomial_two_blocks": ("s | trials(n) ~ x + (1 | g) + (0 + x | h)", "binomial", 1),
}


@pytest.mark.parametrize("name", list(ABSORB_CASES))
def test_absorbed_intercept_equals_centered(counts, name):
    """``a = Intercept + r`` is a shift with unit Jacobian: the same log density at matching points."""
    formula, family, M = ABSORB_CASES[name]
    centered = Tuning(centered=frozenset({1}))
    absorbed = Tuning(centered=frozenset({1}), absorbed={MU: (1, 1)})
    cen, ab = _programs(formula, counts, family, centered, absorbed)
    declared = ("vector[N_1] a_1_1;", "matrix[N_1, M_1] a_1;")
    assert not any(d in cen.code for d in declared) and any(d in ab.code for d in declared)
    assert "mu += Intercept" not in ab.code  # the group means carry it
    stanli.stan_to_mir(ab.code)
    rng = np.random.default_rng(2)
    for _ in range(3):
        values = {"b": rng.normal(size=1), "Intercept": rng.normal(), "sd_1": rng.uniform(0.2, 1, M)}
        r = rng.normal(0, 0.5, (10, M))
        a = r.copy()
        a[:, 0] += values["Intercept"]
        if M == 1:
            vc, va = {**values, "r_1_1": r[:, 0]}, {**values, "a_1_1": a[:, 0]}
        else:
            L = np.linalg.cholesky(np.array([[1, 0.3], [0.3, 1]]))
            vc, va = {**values, "L_1": L, "r_1": r}, {**values, "L_1": L, "a_1": a}
        if "h" in formula:  # the second block stays brms's z
            vc["z_2"] = va["z_2"] = rng.normal(size=(1, cen.data["N_2"]))
            vc["sd_2"] = va["sd_2"] = np.array([0.4])
        lp_c, _ = _lp(cen, vc)
        lp_a, _ = _lp(ab, va)
        np.testing.assert_allclose(lp_a, lp_c, rtol=1e-11, err_msg=name)


def test_golden_hierarchical_centering(counts, update_golden):
    """The program ``brm()`` writes by default here: centered, absorbed, canonical sufficient statistics."""
    code = bp.make_stancode("y ~ x + (1 | g)", counts, family="poisson")
    stanli.stan_to_mir(code)
    assert_golden("tuning_poisson_absorbed", code, update_golden)


@pytest.fixture(scope="module")
def nested() -> pd.DataFrame:
    """InstEval's structure: lecturers d nested in departments p, crossed with students s; gaussian.

    d has 50 rows per level and a spread well above its means' noise (centered by the gaussian
    rule), p 250 rows per level (centered by rows), s 10 rows per level (brms's z).
    """
    rng = np.random.default_rng(12)
    n, D, P, S = 1500, 30, 6, 150
    d, s = rng.integers(0, D, n), rng.integers(0, S, n)
    p = d % P
    x = rng.normal(size=n)
    y = (1.0 + 0.3 * x + rng.normal(0, 0.6, D)[d] + rng.normal(0, 0.4, P)[p] + rng.normal(0, 0.3, S)[s]
         + rng.normal(0, 1, n))
    return pd.DataFrame({"y": y, "x": x, "d": d, "p": p, "s": s})


NESTED = "y ~ x + (1 | s) + (1 | d) + (1 | p)"


def _ids(formula, data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {b.group: b.id for b in build_model(formula, data, "gaussian").frame.blocks}


@pytest.mark.parametrize("absorb", [True, False])
def test_nested_centering_equals_centered(nested, absorb):
    """``a_d = a_p[P] + r_d`` (and ``a_p = Intercept + r_p``) is a shift with unit Jacobian: the same
    log density as the plainly centered program at matching points, constants included."""
    ids = _ids(NESTED, nested)
    d, p, s = ids["d"], ids["p"], ids["s"]
    centered = Tuning(centered=frozenset({d, p}))
    tuned = Tuning(centered=frozenset({d, p}), absorbed={MU: (p, 1)} if absorb else {}, nested={d: p})
    cen, nes = _programs(NESTED, nested, "gaussian", centered, tuned)
    assert f"normal_lpdf(a_{d}_1 | {'a' if absorb else 'r'}_{p}_1[P_{d}], sd_{d}[1])" in nes.code
    assert f"r_{p}_1[J_{p}]" not in nes.code and f"a_{p}_1[J_{p}]" not in nes.code  # inside a_d's means
    np.testing.assert_array_equal(nes.data[f"P_{d}"][nested.d.to_numpy()], nested.p.to_numpy() + 1)
    stanli.stan_to_mir(nes.code)
    rng = np.random.default_rng(3)
    for _ in range(3):
        base = {"b": rng.normal(size=1), "Intercept": rng.normal(), "sigma": rng.uniform(0.5, 2),
                f"sd_{d}": rng.uniform(0.2, 1, 1), f"sd_{p}": rng.uniform(0.2, 1, 1), f"sd_{s}": rng.uniform(0.2, 1, 1),
                f"z_{s}": rng.normal(size=(1, 150))}
        r_d, r_p = rng.normal(0, 0.5, 30), rng.normal(0, 0.5, 6)
        m_p = r_p + base["Intercept"] if absorb else r_p
        vc = {**base, f"r_{d}_1": r_d, f"r_{p}_1": r_p}
        vn = {**base, f"a_{d}_1": r_d + m_p[nes.data[f"P_{d}"] - 1], f"{'a' if absorb else 'r'}_{p}_1": m_p}
        lp_c, _ = _lp(cen, vc)
        lp_n, _ = _lp(nes, vn)
        np.testing.assert_allclose(lp_n, lp_c, rtol=1e-11)
        # and the comparison can fail: a child's mean off by one parent level is another density
        wrong = {**vn, f"a_{d}_1": vn[f"a_{d}_1"] + 0.1}
        assert abs(_lp(nes, wrong)[0] - lp_c) > 1e-6


def test_nested_chain_equals_centered(nested):
    """A chain d in p in f: ``a_d ~ normal(a_p[P], sd_d)``, ``a_p ~ normal(a_f[P], sd_p)``,
    ``a_f ~ normal(Intercept, sd_f)``; the same log density as the plainly centered program."""
    data = nested.assign(f=nested.p % 2)
    formula = NESTED + " + (1 | f)"
    ids = _ids(formula, data)
    d, p, f, s = ids["d"], ids["p"], ids["f"], ids["s"]
    cen_ids = frozenset({d, p, f})
    chain = Tuning(centered=cen_ids, absorbed={MU: (f, 1)}, nested={d: p, p: f})
    cen, nes = _programs(formula, data, "gaussian", Tuning(centered=cen_ids), chain)
    assert f"normal_lpdf(a_{d}_1 | a_{p}_1[P_{d}]" in nes.code and f"normal_lpdf(a_{p}_1 | a_{f}_1[P_{p}]" in nes.code
    assert _tuning(formula, data, "gaussian").nested == {d: p, p: f}  # what "auto" chooses here
    rng = np.random.default_rng(6)
    base = {"b": rng.normal(size=1), "Intercept": rng.normal(), "sigma": 1.3, f"sd_{d}": np.array([0.6]),
            f"sd_{p}": np.array([0.4]), f"sd_{f}": np.array([0.3]), f"sd_{s}": np.array([0.5]),
            f"z_{s}": rng.normal(size=(1, 150))}
    r_d, r_p, r_f = rng.normal(0, 0.5, 30), rng.normal(0, 0.5, 6), rng.normal(0, 0.5, 2)
    a_f = base["Intercept"] + r_f
    a_p = r_p + a_f[nes.data[f"P_{p}"] - 1]
    a_d = r_d + a_p[nes.data[f"P_{d}"] - 1]
    lp_c, _ = _lp(cen, {**base, f"r_{d}_1": r_d, f"r_{p}_1": r_p, f"r_{f}_1": r_f})
    lp_n, _ = _lp(nes, {**base, f"a_{d}_1": a_d, f"a_{p}_1": a_p, f"a_{f}_1": a_f})
    np.testing.assert_allclose(lp_n, lp_c, rtol=1e-11)


def test_pinned_ratio(nested):
    """The one-way ANOVA estimate of n * tau^2 / sigma^2 on data of known spread."""
    from brmspy.codegen.tuning import pinned_ratio

    rng = np.random.default_rng(4)
    G, n = 400, 50
    g = np.repeat(np.arange(G), n)
    y = rng.normal(0, 0.5, G)[g] + rng.normal(0, 1, G * n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        block = build_model("y ~ 1 + (1 | g)", pd.DataFrame({"y": y, "g": g}), "gaussian").frame.blocks[0]
    assert pinned_ratio(block, y) == pytest.approx(n * 0.25, rel=0.15)
    assert pinned_ratio(block, rng.normal(size=G * n)) < 1  # no spread between levels


def test_nested_choices(nested):
    ids = _ids(NESTED, nested)
    t = _tuning(NESTED, nested, "gaussian")
    # d (50 rows per level, spread 0.6 against noise 1/sqrt(50)) and p (250 rows) are centered; s keeps z
    assert t.centered == frozenset({ids["d"], ids["p"]})
    assert t.nested == {ids["d"]: ids["p"]} and t.absorbed == {MU: (ids["p"], 1)}
    # the gaussian rule needs LEAN_MIN_ROWS rows: on 900 rows d (30 rows per level) keeps brms's z
    assert _tuning(NESTED, nested.iloc[:900], "gaussian").centered == frozenset({ids["p"]})
    # poisson: rows per level only
    counts = nested.assign(y=np.random.default_rng(1).poisson(2.0, len(nested)))
    assert _tuning(NESTED, counts, "poisson").centered == frozenset({ids["p"]})
    # crossed, not nested: no nesting
    crossed = nested.assign(p=np.random.default_rng(2).integers(0, 6, len(nested)))
    assert _tuning(NESTED, crossed, "gaussian").nested == {}
    # s centered too (its levels pinned): of the two top-level centered intercepts the nested parent p,
    # which the data see only through d's means, takes the Intercept
    rng = np.random.default_rng(3)
    strong_s = nested.assign(y=nested.y + rng.normal(0, 1.5, 150)[nested.s])
    t = _tuning(NESTED, strong_s, "gaussian")
    assert t.centered == frozenset(ids.values()) and t.nested == {ids["d"]: ids["p"]}
    assert t.absorbed == {MU: (ids["p"], 1)}
    # two nested hierarchies (d in p, e in q): neither parent can take the Intercept, so neither nests
    e = rng.integers(0, 30, len(nested))
    two = nested.assign(e=e, q=e % 6, y=nested.y + rng.normal(0, 0.6, 30)[e] + rng.normal(0, 0.4, 6)[e % 6])
    t = _tuning(NESTED + " + (1 | e) + (1 | q)", two, "gaussian")
    assert len(t.centered) == 4 and t.nested == {} and t.absorbed == {}


def test_golden_nested_centering(nested, update_golden):
    """The program ``brm()`` writes by default for InstEval's structure."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = bp.make_stancode(NESTED, nested)
    stanli.stan_to_mir(code)
    assert_golden("tuning_gaussian_nested", code, update_golden)


# ------------------------------------------------------------------ choices


def _tuning(formula, data, family="poisson", **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        b = build_model(formula, data, family, **kw)
    return choose_tuning(b.frame, b.frame.N, CodeOptions(**kw))


def test_choices(counts):
    # 1200 rows, 120 rows per level of g: centered, absorbed, lean
    t = _tuning("y ~ x + (1 | g)", counts)
    assert t == Tuning(frozenset({1}), {MU: (1, 1)}, {}, unit_z=True, hoist_constants=True)
    # brms's program when asked
    assert _tuning("y ~ x + (1 | g)", counts, centered=False, reduce=False) == Tuning()
    # under 1000 rows: no lean forms; 60 rows per level: brms's z
    small = _tuning("y ~ x + (1 | g)", counts.iloc[:600])
    assert small == Tuning()
    # h has 4 rows per level: only g is centered, and g's intercept takes in the Intercept
    crossed = _tuning("y ~ x + (1 | g) + (1 | h)", counts)
    assert crossed.centered == frozenset({1}) and crossed.absorbed == {MU: (1, 1)}
    # two crossed centered intercepts: either would leave the other's ridge, so none absorbs
    two = _tuning("y ~ x + (1 | g) + (1 | g2)", counts.assign(g2=counts.index % 5))
    assert two.centered == frozenset({1, 2}) and two.absorbed == {} and two.nested == {}
    # g nested in g2 (each level of g in one level of g2): g is centered on g2's means, g2 takes the Intercept
    nest = _tuning("y ~ x + (1 | g) + (1 | g2)", counts.assign(g2=counts.g % 5))
    assert nest.centered == frozenset({1, 2}) and nest.nested == {1: 2} and nest.absorbed == {MU: (2, 1)}
    # a slope-only second block leaves g's intercept the only one
    assert _tuning("y ~ x + (1 | g) + (0 + x | h)", counts).absorbed == {MU: (1, 1)}
    # no population intercept: nothing to absorb
    assert _tuning("y ~ 0 + x + (1 | g)", counts).absorbed == {}
    # ordinal thresholds are not an Intercept
    assert _tuning("y ~ x + (1 | g)", counts.assign(y=np.minimum(counts.y, 3) + 1), "cumulative").absorbed == {}
    # sleepstudy (10 rows per level, 180 rows) keeps brms's program
    sleep = bp.datasets.load("sleepstudy")
    assert _tuning("Reaction ~ Days + (Days | Subject)", sleep, "gaussian") == Tuning()


@pytest.mark.parametrize("formula, family", [("y ~ x + (1 | g)", "poisson"), ("s | trials(n) ~ x + (1 + x | g)", "binomial"),
                                             ("y ~ x + (1 | g)", bp.families.poisson(link="sqrt"))])
def test_threads_keep_constants_in_slices(counts, formula, family):
    """With threads the constant stays inside each slice (summed once it would count per slice)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rowwise = build_model(formula, counts, family).generated
        threaded = build_model(formula, counts, family, threads=2).generated
    assert "lconst" in rowwise.code and "lconst" not in threaded.code and "reduce_sum" in threaded.code
    assert "a_1" in threaded.code  # the group means are sliced like r
    m_r = stanli.Model(stan_code=rowwise.code, data=rowwise.data)
    m_t = stanli.Model(stan_code=threaded.code, data={**threaded.data, "grainsize": 97}, threads_per_chain=2)
    theta = np.random.default_rng(3).uniform(-1, 1, m_r.n_unconstrained)
    np.testing.assert_allclose(m_t.log_prob_grad(theta)[0], m_r.log_prob_grad(theta)[0], rtol=1e-10)


# ------------------------------------------------------------------ sampling


@pytest.fixture(scope="module")
def fits(counts):
    kw = dict(data=counts, family="poisson", seed=4, refresh=0, chains=2, iter=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm("y ~ x + (1 | g)", **kw), bp.brm("y ~ x + (1 | g)", centered=False, reduce=False, **kw)


def test_same_posterior_as_brms_program(fits):
    tuned, brms = fits
    assert "a_1_1" in tuned.stancode() and "z_1" in brms.stancode()
    assert_same_posterior(tuned, brms, ["b_Intercept", "b_x", "sd_g__Intercept", "r_g[2,Intercept]", "r_g[9,Intercept]"])
    assert_loglik_matches_stan(tuned)
    assert tuned.ranef()["g"].shape[0] == 10


@pytest.fixture(scope="module")
def nested_fits(nested):
    kw = dict(data=nested, seed=5, refresh=0, chains=2, iter=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(NESTED, **kw), bp.brm(NESTED, centered=False, reduce=False, **kw)


def test_nested_same_posterior_as_brms_program(nested_fits):
    tuned, brms = nested_fits
    assert "P_1" in tuned.standata() and "z_1" in brms.stancode() and "a_1_1" in tuned.stancode()
    assert_same_posterior(tuned, brms, ["b_Intercept", "b_x", "sigma", "sd_d__Intercept", "sd_p__Intercept",
                                        "sd_s__Intercept", "r_d[2,Intercept]", "r_p[3,Intercept]", "r_s[5,Intercept]"])
    assert_loglik_matches_stan(tuned)
    assert tuned.ranef()["d"].shape[0] == 30 and tuned.ranef()["p"].shape[0] == 6
