  /* hurdle gamma log-PDF of a single response
   * Args:
   *   y: the response value
   *   mu: mean of the gamma part
   *   shape: shape of the gamma part
   *   hu: hurdle probability
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real hurdle_gamma_lpdf(real y, real mu, real shape, real hu) {
    if (y == 0) {
      return bernoulli_lpmf(1 | hu);
    }
    return bernoulli_lpmf(0 | hu) + gamma_lpdf(y | shape, shape / mu);
  }
