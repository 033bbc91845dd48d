  /* compute correlated group-level effects with a known covariance matrix
   * Args:
   *   z: matrix of unscaled group-level effects
   *   SD: vector of standard deviation parameters
   *   L: cholesky factor correlation matrix
   *   Lcov: cholesky factor of the known covariance matrix
   * Returns:
   *   matrix of scaled group-level effects
   */
  matrix scale_r_cor_cov(matrix z, vector SD, matrix L, matrix Lcov) {
    // kronecker(Lcov, diag_pre_multiply(SD, L)) * to_vector(z), stored as levels x coefficients
    return Lcov * transpose(diag_pre_multiply(SD, L) * z);
  }
