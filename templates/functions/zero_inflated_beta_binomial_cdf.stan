  /* zero-inflated beta-binomial log-CDF and log-CCDF of one response:
   * P(Y <= y) = zi + (1 - zi) * F(y) for y >= 0, F the CDF of the base distribution
   */
  real zero_inflated_beta_binomial_lcdf(int y, int trials, real mu, real phi, real zi) {
    if (y < 0) {
      return negative_infinity();
    }
    return log_sum_exp(bernoulli_lpmf(1 | zi),
                       bernoulli_lpmf(0 | zi) + beta_binomial_lcdf(y | trials, mu * phi, (1 - mu) * phi));
  }
  real zero_inflated_beta_binomial_lccdf(int y, int trials, real mu, real phi, real zi) {
    if (y < 0) {
      return 0;
    }
    return bernoulli_lpmf(0 | zi) + beta_binomial_lccdf(y | trials, mu * phi, (1 - mu) * phi);
  }
