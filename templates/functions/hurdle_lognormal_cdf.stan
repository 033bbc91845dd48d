  /* hurdle lognormal log-CDF and log-CCDF of one response:
   * P(Y <= y) = hu + (1 - hu) * F(y) for y >= 0, F the CDF of the continuous part
   */
  real hurdle_lognormal_lcdf(real y, real mu, real sigma, real hu) {
    if (y < 0) {
      return negative_infinity();
    }
    if (y == 0) {
      return bernoulli_lpmf(1 | hu);
    }
    return log_sum_exp(bernoulli_lpmf(1 | hu),
                       bernoulli_lpmf(0 | hu) + lognormal_lcdf(y | mu, sigma));
  }
  real hurdle_lognormal_lccdf(real y, real mu, real sigma, real hu) {
    if (y < 0) {
      return 0;
    }
    if (y == 0) {
      return bernoulli_lpmf(0 | hu);
    }
    return bernoulli_lpmf(0 | hu) + lognormal_lccdf(y | mu, sigma);
  }
