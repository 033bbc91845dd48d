"""Stan code of residual autocorrelation terms (``ar()``, ``ma()``, ``arma()``, ``cosy()``).

Two pieces, following brms's generated programs:

* :func:`stan_autocor_parameters` (through ``AutocorDesign.stan``): data
  ``Kar``/``Kma``/``J_lag`` or the series layout ``N_tg``/``begin_tg``/
  ``end_tg``/``nobs_tg``, the parameters ``ar``, ``ma``, ``cosy`` and their
  priors (hyperparameters as data, like every other prior).
* :func:`stan_autocor_likelihood` (called from ``stan_likelihood``): the row
  loop adding ARMA terms to ``mu`` (conditional formulation), or one
  multivariate density per series (covariance formulation).

The helper functions below are written for this project; they compute the
same matrices and densities as brms's ``cholesky_cor_*`` and
``normal/student_t_time_*`` functions.
"""

from __future__ import annotations

from typing import Any

from ..core.stan import StanBlocks
from ..formula.terms import BrmsTerms
from ..specials.autocor import AutocorDesign

_LCOR_DOC = """   * Args:
   *   {args}
   *   n: number of rows (time points) of the largest series
   * Returns:
   *   the n x n cholesky factor; a series with fewer rows uses its top-left corner"""

CHOLESKY = {
    "cosy": """  /* cholesky factor of a compound symmetry correlation matrix
{doc}
   */
  matrix cholesky_cor_cosy(real cosy, int n) {{
    // ones on the diagonal, 'cosy' everywhere else
    return cholesky_decompose(add_diag(rep_matrix(cosy, n, n), 1 - cosy));
  }}""".format(doc=_LCOR_DOC.format(args="cosy: correlation between any two time points of a series")),
    "ar1": """  /* cholesky factor of the covariance matrix of an AR(1) process with unit innovations
{doc}
   */
  matrix cholesky_cor_ar1(real ar, int n) {{
    matrix[n, n] C;
    for (i in 1:n) {{
      for (j in 1:n) {{
        C[i, j] = ar ^ abs(i - j) / (1 - ar ^ 2);
      }}
    }}
    return cholesky_decompose(C);
  }}""".format(doc=_LCOR_DOC.format(args="ar: autoregressive coefficient")),
    "ma1": """  /* cholesky factor of the covariance matrix of an MA(1) process with unit innovations
{doc}
   */
  matrix cholesky_cor_ma1(real ma, int n) {{
    matrix[n, n] C = diag_matrix(rep_vector(1 + ma ^ 2, n));
    for (i in 2:n) {{
      C[i, i - 1] = ma;
      C[i - 1, i] = ma;
    }}
    return cholesky_decompose(C);
  }}""".format(doc=_LCOR_DOC.format(args="ma: moving-average coefficient")),
    "arma1": """  /* cholesky factor of the covariance matrix of an ARMA(1, 1) process with unit innovations
{doc}
   */
  matrix cholesky_cor_arma1(real ar, real ma, int n) {{
    matrix[n, n] C;
    real gamma0 = (1 + ma ^ 2 + 2 * ar * ma) / (1 - ar ^ 2);  // variance
    real gamma1 = (1 + ar * ma) * (ar + ma) / (1 - ar ^ 2);  // lag-1 covariance
    for (i in 1:n) {{
      for (j in 1:n) {{
        int lag = abs(i - j);
        C[i, j] = lag == 0 ? gamma0 : gamma1 * ar ^ (lag - 1);
      }}
    }}
    return cholesky_decompose(C);
  }}""".format(doc=_LCOR_DOC.format(args="ar, ma: autoregressive and moving-average coefficients")),
}

_TIME_DOC = """  /* log density of series with correlated residuals: one multivariate {dist} per series
   * Args:
   *   y: response, the series stored one after the other{nu}
   *   mu: mean of each row
   *   sigma: residual scale ({sigma})
   *   Lcor: cholesky factor of the residual correlation matrix of the largest series
   *   nobs, begin, end: number of rows, first row and last row of each series
   */"""

TIME_LPDF = {
    "normal_time_hom": _TIME_DOC.format(dist="normal", nu="", sigma="one value") + """
  real normal_time_hom_lpdf(vector y, vector mu, real sigma, matrix Lcor,
                            array[] int nobs, array[] int begin, array[] int end) {
    real lp = 0;
    for (i in 1:size(nobs)) {
      int n = nobs[i];
      lp += multi_normal_cholesky_lpdf(y[begin[i]:end[i]] | mu[begin[i]:end[i]], sigma * Lcor[1:n, 1:n]);
    }
    return lp;
  }""",
    "normal_time_het": _TIME_DOC.format(dist="normal", nu="", sigma="one value per row") + """
  real normal_time_het_lpdf(vector y, vector mu, vector sigma, matrix Lcor,
                            array[] int nobs, array[] int begin, array[] int end) {
    real lp = 0;
    for (i in 1:size(nobs)) {
      int n = nobs[i];
      matrix[n, n] L = diag_pre_multiply(sigma[begin[i]:end[i]], Lcor[1:n, 1:n]);
      lp += multi_normal_cholesky_lpdf(y[begin[i]:end[i]] | mu[begin[i]:end[i]], L);
    }
    return lp;
  }""",
    "student_t_time_hom": _TIME_DOC.format(dist="Student-t", nu="\n   *   nu: degrees of freedom",
                                           sigma="one value") + """
  real student_t_time_hom_lpdf(vector y, real nu, vector mu, real sigma, matrix Lcor,
                               array[] int nobs, array[] int begin, array[] int end) {
    real lp = 0;
    for (i in 1:size(nobs)) {
      int n = nobs[i];
      matrix[n, n] Sigma = multiply_lower_tri_self_transpose(sigma * Lcor[1:n, 1:n]);
      lp += multi_student_t_lpdf(y[begin[i]:end[i]] | nu, mu[begin[i]:end[i]], Sigma);
    }
    return lp;
  }""",
    "student_t_time_het": _TIME_DOC.format(dist="Student-t", nu="\n   *   nu: degrees of freedom",
                                           sigma="one value per row") + """
  real student_t_time_het_lpdf(vector y, real nu, vector mu, vector sigma, matrix Lcor,
                               array[] int nobs, array[] int begin, array[] int end) {
    real lp = 0;
    for (i in 1:size(nobs)) {
      int n = nobs[i];
      matrix[n, n] Sigma = multiply_lower_tri_self_transpose(
        diag_pre_multiply(sigma[begin[i]:end[i]], Lcor[1:n, 1:n]));
      lp += multi_student_t_lpdf(y[begin[i]:end[i]] | nu, mu[begin[i]:end[i]], Sigma);
    }
    return lp;
  }""",
}


def stan_autocor_likelihood(ac: "AutocorDesign", t: "BrmsTerms", dp: dict[str, str], vectors: set[str],
                            Y: str) -> tuple[StanBlocks, bool]:
    """The model-block part of the structure; True when it also wrote the likelihood.

    ``dp`` names the dpars in Stan (``vectors``: those predicted per row) and
    ``Y`` the response vector.

    ARMA (conditional formulation) adds its terms to the already built ``mu``
    row by row and leaves the usual likelihood; covariance structures replace
    the likelihood by one multivariate density per series.
    """
    sb = StanBlocks()
    s = ac.prefix.suffix
    spec = ac.spec
    mu = dp["mu"]
    if not spec.time_cov:
        sb.model_def += [
            f"// lagged residuals: Err{s}[n, i] is the residual i rows before row n in its series",
            f"matrix[N, max_lag{s}] Err{s} = rep_matrix(0, N, max_lag{s});",
            f"vector[N] err{s};  // residuals",
        ]
        loop = [f"// add the ARMA terms of {spec.text}, row by row", "for (n in 1:N) {"]
        if spec.q:
            loop.append(f"  {mu}[n] += Err{s}[n, 1:Kma{s}] * ma{s};")
        loop += [
            f"  err{s}[n] = {Y}[n] - {mu}[n];",
            f"  for (i in 1:J_lag{s}[n]) {{",
            f"    Err{s}[n + 1, i] = err{s}[n + 1 - i];",
            "  }",
        ]
        if spec.p:
            loop.append(f"  {mu}[n] += Err{s}[n, 1:Kar{s}] * ar{s};")
        loop.append("}")
        sb.model_comp += loop
        return sb, False
    if spec.kind == "cosy":
        fun, args = "cosy", f"cosy{s}"
    elif spec.p and spec.q:
        fun, args = "arma1", f"ar{s}[1], ma{s}[1]"
    elif spec.p:
        fun, args = "ar1", f"ar{s}[1]"
    else:
        fun, args = "ma1", f"ma{s}[1]"
    sb.functions.append(CHOLESKY[fun])
    family = "normal" if t.family.name == "gaussian" else "student_t"
    sigma = dp["sigma"]
    lpdf = f"{family}_time_{'het' if sigma in vectors else 'hom'}"
    sb.functions.append(TIME_LPDF[lpdf])
    # computed here rather than as a transformed parameter so it is not stored with every draw
    sb.model_def += [
        "// cholesky factor of the residual correlation matrix of the largest series",
        f"matrix[max_nobs_tg{s}, max_nobs_tg{s}] Lcortime{s} = cholesky_cor_{fun}({args}, max_nobs_tg{s});",
    ]
    call_args: list[Any] = [mu, sigma, f"Lcortime{s}", f"nobs_tg{s}", f"begin_tg{s}", f"end_tg{s}"]
    if family == "student_t":
        call_args.insert(0, dp["nu"])
    sb.likelihood.append(f"target += {lpdf}_lpdf({Y} | {', '.join(call_args)});")
    return sb, True


__all__ = ["CHOLESKY", "TIME_LPDF", "stan_autocor_likelihood",]
