  /* log density of series with correlated residuals and known standard errors (se()): one multivariate
   * Student-t per series whose covariance is sigma^2 * R plus se^2 on the diagonal (brms's *_se_lpdf)
   * Args:
   *   y: response, the series stored one after the other
   *   nu: degrees of freedom
   *   mu: mean of each row
   *   sigma: residual scale (one value)
   *   se2: squared standard errors of the rows
   *   Lcor: cholesky factor of the residual correlation matrix of the largest series
   *   nobs, begin, end: number of rows, first row and last row of each series
   */
  real student_t_time_hom_se_lpdf(vector y, real nu, vector mu, real sigma, data vector se2, matrix Lcor,
                                  array[] int nobs, array[] int begin, array[] int end) {
    matrix[rows(Lcor), cols(Lcor)] Cov = multiply_lower_tri_self_transpose(sigma * Lcor);
    real lp = 0;
    for (i in 1:size(nobs)) {
      int n = nobs[i];
      lp += multi_student_t_lpdf(y[begin[i]:end[i]] | nu, mu[begin[i]:end[i]],
                                 add_diag(Cov[1:n, 1:n], se2[begin[i]:end[i]]));
    }
    return lp;
  }
  /* as student_t_time_hom_se_lpdf with one residual scale per row */
  real student_t_time_het_se_lpdf(vector y, real nu, vector mu, vector sigma, data vector se2, matrix Lcor,
                                  array[] int nobs, array[] int begin, array[] int end) {
    matrix[rows(Lcor), cols(Lcor)] Cor = multiply_lower_tri_self_transpose(Lcor);
    real lp = 0;
    for (i in 1:size(nobs)) {
      int n = nobs[i];
      lp += multi_student_t_lpdf(y[begin[i]:end[i]] | nu, mu[begin[i]:end[i]],
                                 add_diag(quad_form_diag(Cor[1:n, 1:n], sigma[begin[i]:end[i]]), se2[begin[i]:end[i]]));
    }
    return lp;
  }
