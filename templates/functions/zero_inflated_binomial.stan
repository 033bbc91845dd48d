  /* zero-inflated binomial log-PMF of a single response
   * Args:
   *   y: the response value
   *   trials: number of trials
   *   theta: success probability
   *   zi: zero-inflation probability
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real zero_inflated_binomial_lpmf(int y, int trials, real theta, real zi) {
    if (y == 0) {
      return log_sum_exp(bernoulli_lpmf(1 | zi),
                         bernoulli_lpmf(0 | zi) + binomial_lpmf(0 | trials, theta));
    }
    return bernoulli_lpmf(0 | zi) + binomial_lpmf(y | trials, theta);
  }
  /* zero-inflated binomial (logit-scale probability) log-PMF of a single response
   * Args:
   *   y: the response value
   *   trials: number of trials
   *   eta: logit of the success probability
   *   zi: zero-inflation probability
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real zero_inflated_binomial_blogit_lpmf(int y, int trials, real eta, real zi) {
    if (y == 0) {
      return log_sum_exp(bernoulli_lpmf(1 | zi),
                         bernoulli_lpmf(0 | zi) + binomial_logit_lpmf(0 | trials, eta));
    }
    return bernoulli_lpmf(0 | zi) + binomial_logit_lpmf(y | trials, eta);
  }
