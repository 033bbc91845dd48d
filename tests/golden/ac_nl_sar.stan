// generated with brmspy
functions {
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
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> K_a;  // number of population-level effects
  matrix[N, K_a] X_a;  // population-level design matrix
  // spatial autoregressive structure sar(W)
  int<lower=1> N_tg;  // one series: all rows
  matrix[N, N] Msar;  // spatial weight matrix
  vector[N] eigenMsar;  // eigenvalues of Msar
  int<lower=1> K_b;  // number of population-level effects
  matrix[N, K_b] X_b;  // population-level design matrix
  // covariates for non-linear functions
  vector[N] C_1;  // x
  // prior hyperparameters (values: make_standata() / prior_summary())
  vector[K_a] prior_b_a_loc;
  vector[K_a] prior_b_a_scale;
  vector[K_b] prior_b_b_loc;
  vector[K_b] prior_b_b_scale;
  real prior_sigma_df;
  real prior_sigma_loc;
  real prior_sigma_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  // the eigenvalues bound the SAR parameter (as brms)
  real min_eigenMsar = min(eigenMsar);
  real max_eigenMsar = max(eigenMsar);
}
parameters {
  vector[K_a] b_a;  // regression coefficients
  real<lower=min_eigenMsar,upper=max_eigenMsar> lagsar;  // lag-SAR correlation parameter
  vector[K_b] b_b;  // regression coefficients
  real<lower=0> sigma;  // dispersion parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += normal_lpdf(b_a | prior_b_a_loc, prior_b_a_scale);
  lprior += normal_lpdf(b_b | prior_b_b_loc, prior_b_b_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of non-linear parameter a
    vector[N] nlp_a = rep_vector(0.0, N);
    // initialize linear predictor term of non-linear parameter b
    vector[N] nlp_b = rep_vector(0.0, N);
    // initialize non-linear predictor term
    vector[N] mu;
    nlp_a += X_a * b_a;
    nlp_b += X_b * b_b;
    for (n in 1:N) {
      // compute non-linear predictor values
      mu[n] = nlp_a[n] * exp(nlp_b[n] * C_1[n]);
    }
    target += normal_lagsar_lpdf(Y | mu, sigma, lagsar, Msar, eigenMsar);
  }
  // priors including constants
  target += lprior;
}
