  /* hurdle lognormal log-PDF of a single response
   * Args:
   *   y: the response value
   *   mu: mean of log(y) in the lognormal part
   *   sigma: sd of log(y) in the lognormal part
   *   hu: hurdle probability
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real hurdle_lognormal_lpdf(real y, real mu, real sigma, real hu) {
    if (y == 0) {
      return bernoulli_lpmf(1 | hu);
    }
    return bernoulli_lpmf(0 | hu) + lognormal_lpdf(y | mu, sigma);
  }
