  /* log densities of spatial autoregressive models (sar()) with multivariate Student-t errors,
   * B = I - rho W:  lag: B y = mu + e,  error: B (y - mu) = e,  e ~ multi_student_t(nu, 0, sigma^2 I)
   */
  real student_t_lagsar_lpdf(vector y, real nu, vector mu, real sigma, real rho, data matrix W,
                             data vector eigenW) {
    int N = rows(y);
    real K = N;
    vector[N] e = add_diag(-rho * W, 1) * y - mu;
    return lgamma((nu + K) / 2) - lgamma(nu / 2) - K / 2 * log(nu * pi()) - K * log(sigma)
           + sum(log1m(rho * eigenW)) - (nu + K) / 2 * log1p(dot_self(e) / (square(sigma) * nu));
  }
  real student_t_errorsar_lpdf(vector y, real nu, vector mu, real sigma, real rho, data matrix W,
                               data vector eigenW) {
    int N = rows(y);
    real K = N;
    vector[N] e = add_diag(-rho * W, 1) * (y - mu);
    return lgamma((nu + K) / 2) - lgamma(nu / 2) - K / 2 * log(nu * pi()) - K * log(sigma)
           + sum(log1m(rho * eigenW)) - (nu + K) / 2 * log1p(dot_self(e) / (square(sigma) * nu));
  }
