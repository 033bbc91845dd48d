  /* extended-support beta log-density of one response (brms's xbeta_lpdf; Kosmidis & Zeileis 2024):
   * Y = min(max((1 + 2 kappa) Z - kappa, 0), 1) with Z ~ beta_proportion(mu, phi), so 0 and 1 have
   * point masses and values in between a stretched beta density
   */
  real xbeta_lpdf(real y, real mu, real phi, real kappa) {
    real denom = 1 + 2 * kappa;
    if (y <= 0) {
      return beta_proportion_lcdf(kappa / denom | mu, phi);
    } else if (y >= 1) {
      return beta_proportion_lccdf((1 + kappa) / denom | mu, phi);
    }
    return beta_proportion_lpdf((y + kappa) / denom | mu, phi) - log(denom);
  }
