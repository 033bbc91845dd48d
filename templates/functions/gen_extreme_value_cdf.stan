  /* generalized extreme value log-CDF and log-CCDF of one response
   * (location mu, scale sigma, shape xi): CDF = exp(-t), t = (1 + xi * x)^(-1 / xi)
   */
  real gen_extreme_value_lcdf(real y, real mu, real sigma, real xi) {
    real x = (y - mu) / sigma;
    if (xi == 0) {
      return -exp(-x);
    }
    if (xi * x <= -1) {
      // outside the support: below it for xi > 0, above it for xi < 0
      return xi > 0 ? negative_infinity() : 0;
    }
    return -exp(-log1p(xi * x) / xi);
  }
  real gen_extreme_value_lccdf(real y, real mu, real sigma, real xi) {
    return log1m_exp(gen_extreme_value_lcdf(y | mu, sigma, xi));
  }
