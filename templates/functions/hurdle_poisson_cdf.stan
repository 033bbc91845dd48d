  /* hurdle poisson log-CDF and log-CCDF of one response:
   * P(Y <= y) = hu + (1 - hu) * (F(y) - F(0)) / (1 - F(0)) for y >= 0, F the base CDF
   */
  real hurdle_poisson_lcdf(int y, real lambda, real hu) {
    if (y < 0) {
      return negative_infinity();
    }
    if (y == 0) {
      return bernoulli_lpmf(1 | hu);
    }
    return log_sum_exp(bernoulli_lpmf(1 | hu),
                       bernoulli_lpmf(0 | hu) + log_diff_exp(poisson_lcdf(y | lambda), -lambda)
                       - log1m_exp(-lambda));
  }
  real hurdle_poisson_lccdf(int y, real lambda, real hu) {
    if (y < 0) {
      return 0;
    }
    return bernoulli_lpmf(0 | hu) + poisson_lccdf(y | lambda) - log1m_exp(-lambda);
  }
