  /* hurdle poisson log-PMF of a single response
   * Args:
   *   y: the response value
   *   lambda: mean of the (untruncated) poisson part
   *   hu: hurdle probability
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real hurdle_poisson_lpmf(int y, real lambda, real hu) {
    if (y == 0) {
      return bernoulli_lpmf(1 | hu);
    }
    return bernoulli_lpmf(0 | hu) + poisson_lpmf(y | lambda)
           - log1m_exp(-lambda);
  }
  /* hurdle poisson (log-scale mean) log-PMF of a single response
   * Args:
   *   y: the response value
   *   eta: log of the (untruncated) poisson mean
   *   hu: hurdle probability
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real hurdle_poisson_log_lpmf(int y, real eta, real hu) {
    if (y == 0) {
      return bernoulli_lpmf(1 | hu);
    }
    return bernoulli_lpmf(0 | hu) + poisson_log_lpmf(y | eta)
           - log1m_exp(-exp(eta));
  }
