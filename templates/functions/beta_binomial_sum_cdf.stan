  /* log CDF and log CCDF of the beta-binomial distribution, as log sums of its probability masses
   * (the values of Stan's beta_binomial_lcdf/_lccdf, whose gradients cost far more; one mass per count
   * of the tail)
   * Args:
   *   y: the count; n: number of trials; a, b: the beta distribution's shapes (mu * phi, (1 - mu) * phi)
   */
  real beta_binomial_sum_lcdf(int y, int n, real a, real b) {
    if (y < 0) {
      return negative_infinity();
    }
    if (y >= n) {
      return 0;
    }
    vector[y + 1] lp;
    for (k in 0:y) {
      lp[k + 1] = beta_binomial_lpmf(k | n, a, b);
    }
    return log_sum_exp(lp);
  }
  real beta_binomial_sum_lccdf(int y, int n, real a, real b) {
    if (y < 0) {
      return 0;
    }
    if (y >= n) {
      return negative_infinity();
    }
    vector[n - y] lp;
    for (k in (y + 1):n) {
      lp[k - y] = beta_binomial_lpmf(k | n, a, b);
    }
    return log_sum_exp(lp);
  }
