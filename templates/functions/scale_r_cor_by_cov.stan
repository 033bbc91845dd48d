  /* compute correlated group-level effects with 'by' variables and a known covariance matrix
   * Args:
   *   z: matrix of unscaled group-level effects
   *   SD: matrix of standard deviation parameters
   *   L: an array of cholesky factor correlation matrices
   *   Jby: index which grouping level belongs to which by level
   *   Lcov: cholesky factor of the known covariance matrix
   * Returns:
   *   matrix of scaled group-level effects
   */
  matrix scale_r_cor_by_cov(matrix z, matrix SD, array[] matrix L, array[] int Jby, matrix Lcov) {
    // brms's kronecker product: level i gets sum_j Lcov[i, j] * diag_pre_multiply(SD[, Jby[j]], L[Jby[j]]) * z[, j]
    return Lcov * scale_r_cor_by(z, SD, L, Jby);
  }
