  /* zero-inflated negative binomial log-CDF and log-CCDF of one response:
   * P(Y <= y) = zi + (1 - zi) * F(y) for y >= 0, F the CDF of the base distribution
   */
  real zero_inflated_neg_binomial_lcdf(int y, real mu, real phi, real zi) {
    if (y < 0) {
      return negative_infinity();
    }
    return log_sum_exp(bernoulli_lpmf(1 | zi),
                       bernoulli_lpmf(0 | zi) + neg_binomial_2_lcdf(y | mu, phi));
  }
  real zero_inflated_neg_binomial_lccdf(int y, real mu, real phi, real zi) {
    if (y < 0) {
      return 0;
    }
    return bernoulli_lpmf(0 | zi) + neg_binomial_2_lccdf(y | mu, phi);
  }
