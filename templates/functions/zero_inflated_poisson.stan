  /* zero-inflated poisson log-PMF of a single response
   * Args:
   *   y: the response value
   *   lambda: mean of the poisson part
   *   zi: zero-inflation probability
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real zero_inflated_poisson_lpmf(int y, real lambda, real zi) {
    if (y == 0) {
      return log_sum_exp(bernoulli_lpmf(1 | zi),
                         bernoulli_lpmf(0 | zi) + poisson_lpmf(0 | lambda));
    }
    return bernoulli_lpmf(0 | zi) + poisson_lpmf(y | lambda);
  }
  /* zero-inflated poisson (log-scale mean) log-PMF of a single response
   * Args:
   *   y: the response value
   *   eta: log of the poisson mean
   *   zi: zero-inflation probability
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real zero_inflated_poisson_log_lpmf(int y, real eta, real zi) {
    if (y == 0) {
      return log_sum_exp(bernoulli_lpmf(1 | zi),
                         bernoulli_lpmf(0 | zi) + poisson_log_lpmf(0 | eta));
    }
    return bernoulli_lpmf(0 | zi) + poisson_log_lpmf(y | eta);
  }
