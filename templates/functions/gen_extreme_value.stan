  /* generalized extreme value log-PDF of one response (location mu, scale sigma,
   * shape xi); -inf outside the support 1 + xi * (y - mu) / sigma > 0
   */
  real gen_extreme_value_lpdf(real y, real mu, real sigma, real xi) {
    real x = (y - mu) / sigma;
    if (xi == 0) {
      return -log(sigma) - x - exp(-x);
    }
    if (xi * x <= -1) {
      return negative_infinity();
    }
    real log_t = log1p(xi * x);
    return -log(sigma) - (1 + 1 / xi) * log_t - exp(-log_t / xi);
  }
