"""Bad input gets a clear brmspy error that names the problem and the fix."""

from __future__ import annotations

import numpy as np
import pytest

import brmspy as bp
from tests.cases import design_data


@pytest.fixture(scope="module")
def df():
    return design_data()


@pytest.mark.parametrize(
    "formula, family, error, message",
    [
        ("y ~ xx + (1 | g)", "gaussian", bp.DataError, "Column 'xx' used in .* is not in the data. Did you mean 'x'"),
        ("y ~ x + (1 | gg)", "gaussian", bp.DataError, "Column 'gg' used in a group-level term is not in the data"),
        ("yy ~ x", "gaussian", bp.DataError, "Column 'yy' used in the response is not in the data. Did you mean 'y'"),
        ("y ~ x | g", "gaussian", bp.FormulaError, r"must be inside parentheses: write '\(x \| g\)'"),
        ("y ~ x + (1 | g", "gaussian", bp.FormulaError, r"Unbalanced '\(' .* add the missing '\)'"),
        ("y | foo(w) ~ x", "gaussian", bp.FormulaError, r"Unknown addition term 'foo\(\)'.*Valid addition terms: trials\(\)"),
        ("y ~ x + foo(z) + (1 || )", "gaussian", bp.FormulaError, "names no grouping factor"),
        ("y ~ x", "gausian", bp.FamilyError, "Unknown family 'gausian'. Did you mean 'gaussian'"),
        ("y ~ x", "poisson", bp.DataError, "needs non-negative integer counts, but 'y' has"),
        ("count ~ x", bp.bernoulli(), bp.DataError, "needs 0/1 values"),
        ("y ~ x", "gamma", bp.DataError, "needs a positive response"),
        ("pos ~ x", "beta", bp.DataError, r"strictly between 0 and 1"),
        ("y ~ x + (1 | byv)", "gaussian", None, None),  # two levels is fine
        ("ysucc | trials(trials) ~ x", "poisson", bp.FormulaError, r"trials\(\) is only used by binomial"),
        ("y ~", "gaussian", bp.FormulaError, "nothing right of '~'"),
        ("y x", "gaussian", bp.FormulaError, "has no '~'"),
    ],
)
def test_formula_and_data_errors(df, formula, family, error, message):
    if error is None:
        bp.make_stancode(formula, df, family)
        return
    with pytest.raises(error, match=message):
        bp.make_stancode(formula, df, family)


def test_single_level_group(df):
    d = df.assign(one=1)
    with pytest.raises(bp.DataError, match="grouping factor 'one' .* has only 1 level"):
        bp.make_stancode("y ~ x + (1 | one)", d)


def test_dpar_not_in_family(df):
    with pytest.raises(bp.FormulaError, match="family 'poisson' has no distributional parameter"):
        bp.make_stancode(bp.bf("count ~ x", "sigma ~ x"), df, "poisson")


def test_unknown_link():
    with pytest.raises(bp.FamilyError, match="Link 'logit' is not available for family 'poisson'. Valid links: log"):
        bp.poisson(link="logit")


def test_prior_for_missing_parameter(df):
    with pytest.raises(bp.PriorError, match="Valid coefs for class 'b': x"):
        bp.make_stancode("y ~ x", df, prior=bp.prior("normal(0, 1)", "b", coef="z"))
    with pytest.raises(bp.PriorError, match="no parameter class 'sd'; its classes are: b, Intercept, sigma"):
        bp.make_stancode("y ~ x", df, prior=bp.prior("normal(0, 1)", "sd"))
    with pytest.raises(bp.PriorError, match="Valid groups for class 'sd': g"):
        bp.make_stancode("y ~ x + (1 | g)", df, prior=bp.prior("normal(0, 1)", "sd", group="h"))


def test_prior_string_errors():
    with pytest.raises(bp.PriorError, match="Unknown prior distribution 'normall'.*Did you mean normal"):
        bp.prior("normall(0, 1)")
    with pytest.raises(bp.PriorError, match=r"normal\(\) takes 2 argument\(s\)"):
        bp.prior("normal(0)")
    with pytest.raises(bp.PriorError, match="must be numbers"):
        bp.prior("normal(0, sigma)")
    with pytest.raises(bp.PriorError, match="use it with class_='cor'"):
        bp.prior("lkj(2)", "sd")
    with pytest.raises(bp.PriorError, match="Bounds .* cannot be set on class 'ar'; brms allows them on classes 'b', "
                       "'Intercept', 'sd'"):
        bp.prior("normal(0, 1)", "ar", lb=0)
    assert bp.prior("normal(0, 1)", "sd", lb=0).lb == 0  # brms takes bounds on sd (class-wide)


def test_na_rows_dropped_with_warning(df):
    d = df.copy()
    d.loc[[3, 10], "x"] = np.nan
    d.loc[5, "z"] = np.nan  # not used by the model: kept
    with pytest.warns(UserWarning, match=r"Rows containing NAs were excluded from the model: 2 of 240 rows \(in column\(s\) x\)"):
        sd = bp.make_standata("y ~ x + (1 | g)", d)
    assert sd["N"] == 238


def test_non_integer_trials(df):
    with pytest.raises(bp.DataError, match=r"trials\(\) .* must be non-negative integers"):
        bp.make_stancode("ysucc | trials(w) ~ x", df, "binomial")


def test_response_above_trials(df):
    d = df.assign(small=1)
    with pytest.raises(bp.DataError, match="exceeds the number of trials"):
        bp.make_stancode("ysucc | trials(small) ~ x", d, "binomial")


def test_gr_by_must_nest(df):
    with pytest.raises(bp.DataError, match="each level of 'g' must belong to one level of 'f'"):
        bp.make_stancode("y ~ (1 | gr(g, by = f))", df)


def test_not_a_dataframe():
    with pytest.raises(bp.DataError, match="data must be a pandas or polars DataFrame, a pyarrow Table or a dict"):
        bp.make_stancode("y ~ x", [[1, 2]])
    with pytest.raises(bp.DataError, match="data must be a pandas or polars DataFrame"):
        bp.make_stancode("y ~ x", "data.csv")
