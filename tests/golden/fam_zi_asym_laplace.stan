// generated with brmspy
functions {
  /* asymmetric Laplace log-PDF of one response: location mu (the quantile),
   * scale sigma and quantile in (0, 1)
   */
  real asym_laplace_lpdf(real y, real mu, real sigma, real quantile) {
    real z = (y - mu) / sigma;
    real rho = z < 0 ? (quantile - 1) * z : quantile * z;
    return log(quantile) + log1m(quantile) - log(sigma) - rho;
  }
  /* zero-inflated asymmetric Laplace log-PDF of one response (brms's fun_zero_inflated_asym_laplace):
   * a zero has the log of its point mass zi; other values (1 - zi) times the asym_laplace density
   */
  real zero_inflated_asym_laplace_lpdf(real y, real mu, real sigma, real quantile, real zi) {
    if (y == 0) {
      return bernoulli_lpmf(1 | zi);
    }
    return bernoulli_lpmf(0 | zi) + asym_laplace_lpdf(y | mu, sigma, quantile);
  }
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_sigma_df;
  real prior_sigma_loc;
  real prior_sigma_scale;
  real prior_quantile_a;
  real prior_quantile_b;
  real prior_zi_a;
  real prior_zi_b;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc = K - 1;
  matrix[N, Kc] Xc;  // centered version of X without an intercept
  vector[Kc] means_X;  // column means of X before centering
  for (i in 2:K) {
    means_X[i - 1] = mean(X[, i]);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
}
parameters {
  vector[Kc] b;  // regression coefficients
  real Intercept;  // temporary intercept for centered predictors
  real<lower=0> sigma;  // dispersion parameter
  real<lower=0,upper=1> quantile;  // quantile parameter
  real<lower=0,upper=1> zi;  // zero-inflation probability
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
  lprior += beta_lpdf(quantile | prior_quantile_a, prior_quantile_b);
  lprior += beta_lpdf(zi | prior_zi_a, prior_zi_b);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + Xc * b;
    for (n in 1:N) {
      target += zero_inflated_asym_laplace_lpdf(Y[n] | mu[n], sigma, quantile, zi);
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
