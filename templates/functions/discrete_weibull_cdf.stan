  /* discrete Weibull log-CDF and log-CCDF of one response: P(Y > y) = mu^((y + 1)^shape) */
  real discrete_weibull_lcdf(int y, real mu, real shape) {
    if (y < 0) {
      return negative_infinity();
    }
    return log1m_exp((y + 1)^shape * log(mu));
  }
  real discrete_weibull_lccdf(int y, real mu, real shape) {
    if (y < 0) {
      return 0;
    }
    return (y + 1)^shape * log(mu);
  }
