  /* COM-Poisson log-CDF and log-CCDF of one response: the PMF summed over 0..y */
  real com_poisson_lcdf(int y, real mu, real shape) {
    if (y < 0) {
      return negative_infinity();
    }
    real log_mu = log(mu);
    vector[y + 1] terms;
    for (k in 0:y) {
      terms[k + 1] = shape * (k * log_mu - lgamma(k + 1));
    }
    return log_sum_exp(terms) - log_Z_com_poisson(log_mu, shape);
  }
  real com_poisson_lccdf(int y, real mu, real shape) {
    return log1m_exp(com_poisson_lcdf(y | mu, shape));
  }
