  /* inverse Gaussian log-PDF of one response with mean mu and shape
   */
  real inv_gaussian_lpdf(real y, real mu, real shape) {
    return 0.5 * log(shape / (2 * pi())) - 1.5 * log(y)
           - 0.5 * shape * square(y - mu) / (square(mu) * y);
  }
