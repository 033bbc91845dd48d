  /* zero-inflated beta log-CDF and log-CCDF of one response:
   * P(Y <= y) = zi + (1 - zi) * F(y) for y >= 0, F the CDF of the continuous part
   */
  real zero_inflated_beta_lcdf(real y, real mu, real phi, real zi) {
    if (y < 0) {
      return negative_infinity();
    }
    if (y == 0) {
      return bernoulli_lpmf(1 | zi);
    }
    if (y >= 1) {
      return 0;
    }
    return log_sum_exp(bernoulli_lpmf(1 | zi),
                       bernoulli_lpmf(0 | zi) + beta_lcdf(y | mu * phi, (1 - mu) * phi));
  }
  real zero_inflated_beta_lccdf(real y, real mu, real phi, real zi) {
    if (y < 0) {
      return 0;
    }
    if (y == 0) {
      return bernoulli_lpmf(0 | zi);
    }
    if (y >= 1) {
      return negative_infinity();
    }
    return bernoulli_lpmf(0 | zi) + beta_lccdf(y | mu * phi, (1 - mu) * phi);
  }
