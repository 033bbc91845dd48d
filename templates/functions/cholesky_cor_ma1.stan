  /* cholesky factor of the covariance matrix of an MA(1) process with unit innovations
   * Args:
   *   ma: moving-average coefficient
   *   n: number of rows (time points) of the largest series
   * Returns:
   *   the n x n cholesky factor; a series with fewer rows uses its top-left corner
   */
  matrix cholesky_cor_ma1(real ma, int n) {
    matrix[n, n] C = diag_matrix(rep_vector(1 + ma ^ 2, n));
    for (i in 2:n) {
      C[i, i - 1] = ma;
      C[i - 1, i] = ma;
    }
    return cholesky_decompose(C);
  }
