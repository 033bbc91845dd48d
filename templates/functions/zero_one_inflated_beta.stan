  /* zero-one-inflated beta log-PDF of a single response
   * Args:
   *   y: the response value
   *   mu: mean of the beta part
   *   phi: precision of the beta part
   *   zoi: zero-one-inflation probability
   *   coi: conditional one-inflation probability
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real zero_one_inflated_beta_lpdf(real y, real mu, real phi, real zoi, real coi) {
    if (y == 0) {
      return bernoulli_lpmf(1 | zoi) + bernoulli_lpmf(0 | coi);
    }
    if (y == 1) {
      return bernoulli_lpmf(1 | zoi) + bernoulli_lpmf(1 | coi);
    }
    return bernoulli_lpmf(0 | zoi) + beta_lpdf(y | mu * phi, (1 - mu) * phi);
  }
