  /* zero-inflated beta log-PDF of a single response
   * Args:
   *   y: the response value
   *   mu: mean of the beta part
   *   phi: precision of the beta part
   *   zi: zero-inflation probability
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real zero_inflated_beta_lpdf(real y, real mu, real phi, real zi) {
    if (y == 0) {
      return bernoulli_lpmf(1 | zi);
    }
    return bernoulli_lpmf(0 | zi) + beta_lpdf(y | mu * phi, (1 - mu) * phi);
  }
