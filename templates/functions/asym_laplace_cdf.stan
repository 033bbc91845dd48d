  /* asymmetric Laplace log-CDF and log-CCDF of one response: location mu
   * (the quantile), scale sigma and quantile in (0, 1)
   */
  real asym_laplace_lcdf(real y, real mu, real sigma, real quantile) {
    real z = (y - mu) / sigma;
    if (y < mu) {
      return log(quantile) + (1 - quantile) * z;
    }
    return log1m((1 - quantile) * exp(-quantile * z));
  }
  real asym_laplace_lccdf(real y, real mu, real sigma, real quantile) {
    real z = (y - mu) / sigma;
    if (y < mu) {
      return log1m(quantile * exp((1 - quantile) * z));
    }
    return log1m(quantile) - quantile * z;
  }
