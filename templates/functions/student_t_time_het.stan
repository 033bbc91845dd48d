  /* log density of series with correlated residuals: one multivariate Student-t per series
   * Args:
   *   y: response, the series stored one after the other
   *   nu: degrees of freedom
   *   mu: mean of each row
   *   sigma: residual scale (one value per row)
   *   Lcor: cholesky factor of the residual correlation matrix of the largest series
   *   nobs, begin, end: number of rows, first row and last row of each series
   */
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
  }
