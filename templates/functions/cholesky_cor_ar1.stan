  /* cholesky factor of the covariance matrix of an AR(1) process with unit innovations
   * Args:
   *   ar: autoregressive coefficient
   *   n: number of rows (time points) of the largest series
   * Returns:
   *   the n x n cholesky factor; a series with fewer rows uses its top-left corner
   */
  matrix cholesky_cor_ar1(real ar, int n) {
    matrix[n, n] C;
    for (i in 1:n) {
      for (j in 1:n) {
        C[i, j] = ar ^ abs(i - j) / (1 - ar ^ 2);
      }
    }
    return cholesky_decompose(C);
  }
