  /* zero-inflated asymmetric Laplace log-PDF of one response (brms's fun_zero_inflated_asym_laplace):
   * a zero has the log of its point mass zi; other values (1 - zi) times the asym_laplace density
   */
  real zero_inflated_asym_laplace_lpdf(real y, real mu, real sigma, real quantile, real zi) {
    if (y == 0) {
      return bernoulli_lpmf(1 | zi);
    }
    return bernoulli_lpmf(0 | zi) + asym_laplace_lpdf(y | mu, sigma, quantile);
  }
