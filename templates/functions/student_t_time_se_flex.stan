  /* log density of series with an unstructured residual correlation (unstr()) and known standard errors
   * (se()): one multivariate Student-t per series on the rows of the time points it has, covariance
   * sigma^2 * R plus se^2 on the diagonal (brms's *_se_flex_lpdf)
   * Args:
   *   y: response, the series stored one after the other
   *   nu: degrees of freedom
   *   mu: mean of each row
   *   sigma: residual scale (one value)
   *   se2: squared standard errors of the rows
   *   Lcor: cholesky factor of the correlation matrix of all time points
   *   nobs, begin, end: number of rows, first row and last row of each series
   *   Jtime: time point (1-based) of each row of each series, 0 after its last row
   */
  real student_t_time_hom_se_flex_lpdf(vector y, real nu, vector mu, real sigma, data vector se2, matrix Lcor,
                                       array[] int nobs, array[] int begin, array[] int end, array[,] int Jtime) {
    matrix[rows(Lcor), cols(Lcor)] Cor = multiply_lower_tri_self_transpose(Lcor);
    real lp = 0;
    for (i in 1:size(nobs)) {
      array[nobs[i]] int t = Jtime[i, 1:nobs[i]];
      lp += multi_student_t_lpdf(y[begin[i]:end[i]] | nu, mu[begin[i]:end[i]],
                                 add_diag(square(sigma) * Cor[t, t], se2[begin[i]:end[i]]));
    }
    return lp;
  }
  /* as student_t_time_hom_se_flex_lpdf with one residual scale per row */
  real student_t_time_het_se_flex_lpdf(vector y, real nu, vector mu, vector sigma, data vector se2, matrix Lcor,
                                       array[] int nobs, array[] int begin, array[] int end, array[,] int Jtime) {
    matrix[rows(Lcor), cols(Lcor)] Cor = multiply_lower_tri_self_transpose(Lcor);
    real lp = 0;
    for (i in 1:size(nobs)) {
      array[nobs[i]] int t = Jtime[i, 1:nobs[i]];
      lp += multi_student_t_lpdf(y[begin[i]:end[i]] | nu, mu[begin[i]:end[i]],
                                 add_diag(quad_form_diag(Cor[t, t], sigma[begin[i]:end[i]]), se2[begin[i]:end[i]]));
    }
    return lp;
  }
