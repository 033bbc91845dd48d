  /* inverse Gaussian log-CDF and log-CCDF of one response with mean mu and shape:
   * CDF = Phi(a) + exp(2 shape / mu) Phi(b), a = sqrt(shape / y) (y / mu - 1),
   * b = -sqrt(shape / y) (y / mu + 1)
   */
  real inv_gaussian_lcdf(real y, real mu, real shape) {
    if (y <= 0) {
      return negative_infinity();
    }
    real a = sqrt(shape / y) * (y / mu - 1);
    real b = -sqrt(shape / y) * (y / mu + 1);
    return log_sum_exp(std_normal_lcdf(a), 2 * shape / mu + std_normal_lcdf(b));
  }
  real inv_gaussian_lccdf(real y, real mu, real shape) {
    if (y <= 0) {
      return 0;
    }
    real a = sqrt(shape / y) * (y / mu - 1);
    real b = -sqrt(shape / y) * (y / mu + 1);
    return log_diff_exp(std_normal_lccdf(a), 2 * shape / mu + std_normal_lcdf(b));
  }
