"""Student-t distributed group-level effects: ``(1 | gr(g, dist = "student"))`` (issue 21).

As brms 2.18: one ``df_<ggn>`` per grouping factor (brms's ``ggn``, the factor's number among all
factors), level-wise ``udf ~ inv_chi_square(df)`` and effects scaled by ``dfm = sqrt(df * udf)``;
default prior ``gamma(2, 0.1)`` with ``lb = 1``; the draw is named ``df_<group>`` and listed first in
the group's summary table. Golden code accepted by stanc, brms's prior table, numpy log-likelihood
equal to Stan's, recovery of simulated truth, predictions and brms's refusals.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import stanli

import brmspy as bp
from brmspy.core.errors import BrmsError, FormulaError
from tests.cases import design_data
from tests.checks import assert_golden, assert_loglik_matches_stan, assert_recovers

SD, DF, B0, B1, SIGMA = 0.8, 4.0, 1.0, 0.5, 0.5

GOLDEN = {
    "gr_student": 'y ~ x + (1 | gr(g, dist = "student"))',
    "gr_student_cor": 'y ~ x + (1 + x | gr(g, dist = "student")) + (1 | gr(h, dist = "student"))',
    "gr_student_mixed": 'y ~ x + (1 | a) + (0 + x | gr(g, dist = "student")) + (1 | g)',
    "gr_student_by": 'y ~ x + (1 + x | gr(g, by = byv, dist = "student"))',
}


@pytest.mark.parametrize("name", list(GOLDEN))
def test_golden_and_stanc(name: str, update_golden: bool) -> None:
    code = bp.make_stancode(GOLDEN[name], design_data())
    assert_golden(name, code, update_golden)


def test_program_follows_brms() -> None:
    code = bp.make_stancode(GOLDEN["gr_student_cor"], design_data())
    for line in ("real<lower=1> df_1;", "vector<lower=0>[N_1] udf_1;", "real<lower=1> df_2;",
                 "dfm_1 = sqrt(df_1 * udf_1);", "r_1 = rep_matrix(dfm_1, M_1) .* scale_r_cor(z_1, sd_1, L_1);",
                 "r_2_1 = dfm_2 .* (sd_2[1] * z_2[1]);", "target += inv_chi_square_lpdf(udf_1 | df_1);",
                 "lprior += gamma_lpdf(df_1 | prior_df_1_shape, prior_df_1_rate)"):
        assert line in code, line
    # the df of the factor g is numbered by its place among all factors (brms's ggn): a is first
    mixed = bp.make_stancode(GOLDEN["gr_student_mixed"], design_data())
    assert "real<lower=1> df_2;" in mixed and "vector<lower=0>[N_2] udf_2;" in mixed
    assert "df_1" not in mixed and "r_2_1 = dfm_2 .* (sd_2[1] * z_2[1]);" in mixed
    assert "r_3_1 = sd_3[1] * z_3[1];" in mixed  # the gaussian term of the same factor keeps gaussian effects


def test_default_prior_rows() -> None:
    p = bp.get_prior(GOLDEN["gr_student_cor"], design_data())
    df = p[p["class"] == "df"]
    assert list(df["group"]) == ["g", "h"]
    assert set(df["prior"]) == {"gamma(2, 0.1)"} and set(df["lb"]) == {"1"}
    sd = bp.make_standata(GOLDEN["gr_student_cor"], design_data())
    assert (sd["prior_df_1_shape"], sd["prior_df_1_rate"]) == (2.0, 0.1)
    user = bp.make_standata(GOLDEN["gr_student"], design_data(), prior=bp.prior("gamma(2, 0.5)", "df", group="g"))
    assert user["prior_df_1_rate"] == 0.5


def test_bad_dist_refused_as_brms() -> None:
    with pytest.raises(FormulaError, match="'dist' should be one of"):
        bp.make_stancode('y ~ x + (1 | gr(g, dist = "cauchy"))', design_data())
    # match.arg: a unique abbreviation is accepted
    assert "df_1" in bp.make_stancode('y ~ x + (1 | gr(g, dist = "stud"))', design_data())
    # mm() takes dist too (brms): the members' weighted effects are student-t
    mm = bp.make_stancode('y ~ x + (1 | mm(g1, g2, dist = "student"))', design_data())
    assert "r_1_1 = dfm_1 .* (sd_1[1] * z_1[1]);" in mm and "W_1_1 .* r_1_1[J_1_1]" in mm
    stanli.stan_to_mir(mm)


def student_data(n: int = 400, levels: int = 40, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    r = SD * rng.standard_t(DF, levels)
    g = rng.integers(0, levels, n)
    x = rng.normal(size=n)
    y = B0 + B1 * x + r[g] + rng.normal(0, SIGMA, n)
    return pd.DataFrame({"y": y, "x": x, "g": [f"G{i:02d}" for i in g]})


@pytest.fixture(scope="module")
def fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm('y ~ x + (1 | gr(g, dist = "student"))', student_data(), chains=2, iter=1000, seed=7, refresh=0)


def test_recovery(fit) -> None:
    d = fit.draws_dict
    # the true effects' mean and sd in the sample are part of the truth the data can show
    assert_recovers(d, {"b_x": B1, "sigma": SIGMA, "sd_g__Intercept": SD, "df_g": DF})
    assert d["df_g"].min() > 1


def test_names_and_summary(fit) -> None:
    names = list(fit.draws_dict)
    assert "df_g" in names and not any(n.startswith(("udf", "dfm")) for n in names)
    assert names.index("df_g") > names.index("sd_g__Intercept")  # brms's order: sd, cor, df
    table = next(iter(fit.summary().group.values()))
    assert list(table.index) == ["df", "sd(Intercept)"]
    assert bp.ranef(fit)["g"].shape[0] == 40


def test_loglik_matches_stan(fit) -> None:
    assert_loglik_matches_stan(fit)


def test_predictions_and_new_levels(fit) -> None:
    pp = bp.posterior_predict(fit, ndraws=20, seed=1)
    ep = bp.posterior_epred(fit, ndraws=20)
    assert pp.shape == ep.shape == (20, 400) and np.isfinite(pp).all()
    new = pd.DataFrame({"x": [0.0, 1.0], "g": ["G00", "NEW"]})
    out = bp.posterior_epred(fit, newdata=new, allow_new_levels=True, ndraws=50, seed=2)
    assert out.shape == (50, 2) and np.isfinite(out).all()
    with pytest.raises(BrmsError, match="not available for non-gaussian group-level effects"):
        bp.posterior_epred(fit, newdata=new, allow_new_levels=True, sample_new_levels="gaussian", ndraws=5)


def test_prior_draws_of_df() -> None:
    """sample_prior = "yes": brms's prior_df_<group>, gamma(2, 0.1) truncated at 1."""
    from brmspy.priors.draws import draw_priors

    build = bp.build_model(GOLDEN["gr_student"], design_data())
    draws = draw_priors(build.frame, build.priors, (2, 2000), seed=1)["prior_df_g"]
    assert draws.shape == (2, 2000) and draws.min() > 1
    assert abs(draws.mean() - 20.09) < 1.2  # E[gamma(2, 0.1) | > 1] = 20.09; se of the mean of 4000 draws ~ 0.22
