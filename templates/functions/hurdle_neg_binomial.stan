  /* hurdle negative binomial log-PMF of a single response
   * Args:
   *   y: the response value
   *   mu: mean of the (untruncated) negative binomial part
   *   phi: shape of the negative binomial part
   *   hu: hurdle probability
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real hurdle_neg_binomial_lpmf(int y, real mu, real phi, real hu) {
    if (y == 0) {
      return bernoulli_lpmf(1 | hu);
    }
    return bernoulli_lpmf(0 | hu) + neg_binomial_2_lpmf(y | mu, phi)
           - log1m_exp(neg_binomial_2_lpmf(0 | mu, phi));
  }
  /* hurdle negative binomial (log-scale mean) log-PMF of a single response
   * Args:
   *   y: the response value
   *   eta: log of the (untruncated) negative binomial mean
   *   phi: shape of the negative binomial part
   *   hu: hurdle probability
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real hurdle_neg_binomial_log_lpmf(int y, real eta, real phi, real hu) {
    if (y == 0) {
      return bernoulli_lpmf(1 | hu);
    }
    return bernoulli_lpmf(0 | hu) + neg_binomial_2_log_lpmf(y | eta, phi)
           - log1m_exp(neg_binomial_2_log_lpmf(0 | eta, phi));
  }
