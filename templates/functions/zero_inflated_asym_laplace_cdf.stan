  /* zero-inflated asymmetric Laplace log-CDF and log-CCDF (as brms: the point mass at zero counts in
   * both P(Y <= 0) and P(Y >= 0))
   */
  real zero_inflated_asym_laplace_lcdf(real y, real mu, real sigma, real quantile, real zi) {
    if (y < 0) {
      return bernoulli_lpmf(0 | zi) + asym_laplace_lcdf(y | mu, sigma, quantile);
    }
    return log_sum_exp(bernoulli_lpmf(1 | zi), bernoulli_lpmf(0 | zi) + asym_laplace_lcdf(y | mu, sigma, quantile));
  }
  real zero_inflated_asym_laplace_lccdf(real y, real mu, real sigma, real quantile, real zi) {
    if (y > 0) {
      return bernoulli_lpmf(0 | zi) + asym_laplace_lccdf(y | mu, sigma, quantile);
    }
    return log_sum_exp(bernoulli_lpmf(1 | zi), bernoulli_lpmf(0 | zi) + asym_laplace_lccdf(y | mu, sigma, quantile));
  }
