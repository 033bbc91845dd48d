  /* cholesky factor of the covariance matrix of an ARMA(1, 1) process with unit innovations
   * Args:
   *   ar, ma: autoregressive and moving-average coefficients
   *   n: number of rows (time points) of the largest series
   * Returns:
   *   the n x n cholesky factor; a series with fewer rows uses its top-left corner
   */
  matrix cholesky_cor_arma1(real ar, real ma, int n) {
    matrix[n, n] C;
    real gamma0 = (1 + ma ^ 2 + 2 * ar * ma) / (1 - ar ^ 2);  // variance
    real gamma1 = (1 + ar * ma) * (ar + ma) / (1 - ar ^ 2);  // lag-1 covariance
    for (i in 1:n) {
      for (j in 1:n) {
        int lag = abs(i - j);
        C[i, j] = lag == 0 ? gamma0 : gamma1 * ar ^ (lag - 1);
      }
    }
    return cholesky_decompose(C);
  }
