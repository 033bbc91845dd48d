  /* zero-inflated poisson log-CDF and log-CCDF of one response:
   * P(Y <= y) = zi + (1 - zi) * F(y) for y >= 0, F the CDF of the base distribution
   */
  real zero_inflated_poisson_lcdf(int y, real lambda, real zi) {
    if (y < 0) {
      return negative_infinity();
    }
    return log_sum_exp(bernoulli_lpmf(1 | zi),
                       bernoulli_lpmf(0 | zi) + poisson_lcdf(y | lambda));
  }
  real zero_inflated_poisson_lccdf(int y, real lambda, real zi) {
    if (y < 0) {
      return 0;
    }
    return bernoulli_lpmf(0 | zi) + poisson_lccdf(y | lambda);
  }
