  /* cholesky factor of a compound symmetry correlation matrix
   * Args:
   *   cosy: correlation between any two time points of a series
   *   n: number of rows (time points) of the largest series
   * Returns:
   *   the n x n cholesky factor; a series with fewer rows uses its top-left corner
   */
  matrix cholesky_cor_cosy(real cosy, int n) {
    // ones on the diagonal, 'cosy' everywhere else
    return cholesky_decompose(add_diag(rep_matrix(cosy, n, n), 1 - cosy));
  }
