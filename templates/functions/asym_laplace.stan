  /* asymmetric Laplace log-PDF of one response: location mu (the quantile),
   * scale sigma and quantile in (0, 1)
   */
  real asym_laplace_lpdf(real y, real mu, real sigma, real quantile) {
    real z = (y - mu) / sigma;
    real rho = z < 0 ? (quantile - 1) * z : quantile * z;
    return log(quantile) + log1m(quantile) - log(sigma) - rho;
  }
