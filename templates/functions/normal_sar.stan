  /* log densities of spatial autoregressive models (sar()), with B = I - rho W:
   *   lag:   B y = mu + e,   error: B (y - mu) = e,   e ~ normal(0, sigma^2 I)
   * log |det B| = sum(log1m(rho * eigenW)) (W's eigenvalues; constants of the normal kept)
   */
  real normal_lagsar_lpdf(vector y, vector mu, real sigma, real rho, data matrix W, data vector eigenW) {
    int N = rows(y);
    vector[N] e = add_diag(-rho * W, 1) * y - mu;
    return -0.5 * N * log(2 * pi()) - N * log(sigma) + sum(log1m(rho * eigenW)) - 0.5 * dot_self(e) / square(sigma);
  }
  real normal_errorsar_lpdf(vector y, vector mu, real sigma, real rho, data matrix W, data vector eigenW) {
    int N = rows(y);
    vector[N] e = add_diag(-rho * W, 1) * (y - mu);
    return -0.5 * N * log(2 * pi()) - N * log(sigma) + sum(log1m(rho * eigenW)) - 0.5 * dot_self(e) / square(sigma);
  }
