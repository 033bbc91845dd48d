// generated with brmspy
functions {
  /* zero-inflated beta log-PDF of a single response
   * Args:
   *   y: the response value
   *   mu: mean of the beta part
   *   phi: precision of the beta part
   *   zi: zero-inflation probability
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real zero_inflated_beta_lpdf(real y, real mu, real phi, real zi) {
    if (y == 0) {
      return bernoulli_lpmf(1 | zi);
    }
    return bernoulli_lpmf(0 | zi) + beta_lpdf(y | mu * phi, (1 - mu) * phi);
  }
  /* zero-inflated beta log-CDF and log-CCDF of one response:
   * P(Y <= y) = zi + (1 - zi) * F(y) for y >= 0, F the CDF of the continuous part
   */
  real zero_inflated_beta_lcdf(real y, real mu, real phi, real zi) {
    if (y < 0) {
      return negative_infinity();
    }
    if (y == 0) {
      return bernoulli_lpmf(1 | zi);
    }
    if (y >= 1) {
      return 0;
    }
    return log_sum_exp(bernoulli_lpmf(1 | zi),
                       bernoulli_lpmf(0 | zi) + beta_lcdf(y | mu * phi, (1 - mu) * phi));
  }
  real zero_inflated_beta_lccdf(real y, real mu, real phi, real zi) {
    if (y < 0) {
      return 0;
    }
    if (y == 0) {
      return bernoulli_lpmf(0 | zi);
    }
    if (y >= 1) {
      return negative_infinity();
    }
    return bernoulli_lpmf(0 | zi) + beta_lccdf(y | mu * phi, (1 - mu) * phi);
  }
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  array[N] real ub;  // upper truncation bounds
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_phi_shape;
  real prior_phi_rate;
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
  real<lower=0> phi;  // precision parameter
  real<lower=0,upper=1> zi;  // zero-inflation probability
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += gamma_lpdf(phi | prior_phi_shape, prior_phi_rate);
  lprior += beta_lpdf(zi | prior_zi_a, prior_zi_b);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + Xc * b;
    mu = inv_logit(mu);
    for (n in 1:N) {
      // truncated likelihood: each density divided by the probability of the bounds
      target += zero_inflated_beta_lpdf(Y[n] | mu[n], phi, zi) -
        zero_inflated_beta_lcdf(ub[n] | mu[n], phi, zi);
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
