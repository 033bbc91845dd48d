  /* lkj_corr_cholesky_lpdf(L | eta) with its normalizing constant given
   * Args:
   *   L: cholesky factor of a correlation matrix
   *   eta: shape parameter of the LKJ distribution
   *   log_norm: lkj_corr_cholesky_lpdf(identity_matrix(rows(L)) | eta), computed once
   * Returns:
   *   the log density lkj_corr_cholesky_lpdf(L | eta)
   */
  real lkj_corr_cholesky_norm_lpdf(matrix L, real eta, real log_norm) {
    int K = rows(L);
    real lp = log_norm;
    for (k in 2:K) {
      lp += (K - k + 2 * eta - 2) * log(L[k, k]);
    }
    return lp;
  }
