// generated with brmspy
functions {
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
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  // spatial autoregressive structure sar(W, type = "error")
  int<lower=1> N_tg;  // one series: all rows
  matrix[N, N] Msar;  // spatial weight matrix
  vector[N] eigenMsar;  // eigenvalues of Msar
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_sigma_df;
  real prior_sigma_loc;
  real prior_sigma_scale;
  real prior_nu_shape;
  real prior_nu_rate;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc = K - 1;
  matrix[N, Kc] Xc;  // centered version of X without an intercept
  vector[Kc] means_X;  // column means of X before centering
  // the eigenvalues bound the SAR parameter (as brms)
  real min_eigenMsar = min(eigenMsar);
  real max_eigenMsar = max(eigenMsar);
  for (i in 2:K) {
    means_X[i - 1] = mean(X[, i]);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
}
parameters {
  vector[Kc] b;  // regression coefficients
  real Intercept;  // temporary intercept for centered predictors
  real<lower=min_eigenMsar,upper=max_eigenMsar> errorsar;  // error-SAR correlation parameter
  real<lower=0> sigma;  // dispersion parameter
  real<lower=1> nu;  // degrees of freedom or shape
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
  lprior += gamma_lpdf(nu | prior_nu_shape, prior_nu_rate)
    - gamma_lccdf(1 | prior_nu_shape, prior_nu_rate);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + Xc * b;
    target += student_t_errorsar_lpdf(Y | nu, mu, sigma, errorsar, Msar, eigenMsar);
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
