  /* discrete Weibull log-PMF of one response: log(mu^(y^shape) - mu^((y + 1)^shape))
   * on the log scale; y = 0 separately, as the derivative of 0^shape is undefined
   */
  real discrete_weibull_lpmf(int y, real mu, real shape) {
    if (y == 0) {
      return log1m(mu);
    }
    real a = y^shape * log(mu);
    return a + log1m_exp((y + 1)^shape * log(mu) - a);
  }
