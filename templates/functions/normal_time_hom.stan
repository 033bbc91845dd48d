  /* log density of series with correlated residuals: one multivariate normal per series
   * Args:
   *   y: response, the series stored one after the other
   *   mu: mean of each row
   *   sigma: residual scale (one value)
   *   Lcor: cholesky factor of the residual correlation matrix of the largest series
   *   nobs, begin, end: number of rows, first row and last row of each series
   */
  real normal_time_hom_lpdf(vector y, vector mu, real sigma, matrix Lcor,
                            array[] int nobs, array[] int begin, array[] int end) {
    real lp = 0;
    for (i in 1:size(nobs)) {
      int n = nobs[i];
      lp += multi_normal_cholesky_lpdf(y[begin[i]:end[i]] | mu[begin[i]:end[i]], sigma * Lcor[1:n, 1:n]);
    }
    return lp;
  }
