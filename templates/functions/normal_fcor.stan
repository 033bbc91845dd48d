  /* log density of a response with a known residual correlation structure (fcor()):
   * one multivariate normal with covariance diag(sigma) M diag(sigma), M = Lcor Lcor'
   */
  real normal_fcor_hom_lpdf(vector y, vector mu, real sigma, data matrix Lcor) {
    return multi_normal_cholesky_lpdf(y | mu, sigma * Lcor);
  }
  real normal_fcor_het_lpdf(vector y, vector mu, vector sigma, data matrix Lcor) {
    return multi_normal_cholesky_lpdf(y | mu, diag_pre_multiply(sigma, Lcor));
  }
