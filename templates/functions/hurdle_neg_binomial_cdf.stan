  /* hurdle negative binomial log-CDF and log-CCDF of one response:
   * P(Y <= y) = hu + (1 - hu) * (F(y) - F(0)) / (1 - F(0)) for y >= 0, F the base CDF
   */
  real hurdle_neg_binomial_lcdf(int y, real mu, real phi, real hu) {
    if (y < 0) {
      return negative_infinity();
    }
    if (y == 0) {
      return bernoulli_lpmf(1 | hu);
    }
    return log_sum_exp(bernoulli_lpmf(1 | hu),
                       bernoulli_lpmf(0 | hu) + log_diff_exp(neg_binomial_2_lcdf(y | mu, phi), neg_binomial_2_lpmf(0 | mu, phi))
                       - log1m_exp(neg_binomial_2_lpmf(0 | mu, phi)));
  }
  real hurdle_neg_binomial_lccdf(int y, real mu, real phi, real hu) {
    if (y < 0) {
      return 0;
    }
    return bernoulli_lpmf(0 | hu) + neg_binomial_2_lccdf(y | mu, phi) - log1m_exp(neg_binomial_2_lpmf(0 | mu, phi));
  }
