  /* zero-inflated negative binomial log-PMF of a single response
   * Args:
   *   y: the response value
   *   mu: mean of the negative binomial part
   *   phi: shape of the negative binomial part
   *   zi: zero-inflation probability
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real zero_inflated_neg_binomial_lpmf(int y, real mu, real phi, real zi) {
    if (y == 0) {
      return log_sum_exp(bernoulli_lpmf(1 | zi),
                         bernoulli_lpmf(0 | zi) + neg_binomial_2_lpmf(0 | mu, phi));
    }
    return bernoulli_lpmf(0 | zi) + neg_binomial_2_lpmf(y | mu, phi);
  }
  /* zero-inflated negative binomial (log-scale mean) log-PMF of a single response
   * Args:
   *   y: the response value
   *   eta: log of the negative binomial mean
   *   phi: shape of the negative binomial part
   *   zi: zero-inflation probability
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real zero_inflated_neg_binomial_log_lpmf(int y, real eta, real phi, real zi) {
    if (y == 0) {
      return log_sum_exp(bernoulli_lpmf(1 | zi),
                         bernoulli_lpmf(0 | zi) + neg_binomial_2_log_lpmf(0 | eta, phi));
    }
    return bernoulli_lpmf(0 | zi) + neg_binomial_2_log_lpmf(y | eta, phi);
  }
