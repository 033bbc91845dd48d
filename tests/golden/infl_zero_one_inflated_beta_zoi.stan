// generated with brmspy
functions {
  /* zero-one-inflated beta log-PDF of a single response
   * Args:
   *   y: the response value
   *   mu: mean of the beta part
   *   phi: precision of the beta part
   *   zoi: zero-one-inflation probability
   *   coi: conditional one-inflation probability
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real zero_one_inflated_beta_lpdf(real y, real mu, real phi, real zoi, real coi) {
    if (y == 0) {
      return bernoulli_lpmf(1 | zoi) + bernoulli_lpmf(0 | coi);
    }
    if (y == 1) {
      return bernoulli_lpmf(1 | zoi) + bernoulli_lpmf(1 | coi);
    }
    return bernoulli_lpmf(0 | zoi) + beta_lpdf(y | mu * phi, (1 - mu) * phi);
  }
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  int<lower=1> K_zoi;  // number of population-level effects
  matrix[N, K_zoi] X_zoi;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_Intercept_zoi_loc;
  real prior_Intercept_zoi_scale;
  real prior_phi_shape;
  real prior_phi_rate;
  real prior_coi_a;
  real prior_coi_b;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc = K - 1;
  matrix[N, Kc] Xc;  // centered version of X without an intercept
  vector[Kc] means_X;  // column means of X before centering
  int Kc_zoi = K_zoi - 1;
  matrix[N, Kc_zoi] Xc_zoi;  // centered version of X_zoi without an intercept
  vector[Kc_zoi] means_X_zoi;  // column means of X_zoi before centering
  for (i in 2:K) {
    means_X[i - 1] = mean(X[, i]);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
  for (i in 2:K_zoi) {
    means_X_zoi[i - 1] = mean(X_zoi[, i]);
    Xc_zoi[, i - 1] = X_zoi[, i] - means_X_zoi[i - 1];
  }
}
parameters {
  vector[Kc] b;  // regression coefficients
  real Intercept;  // temporary intercept for centered predictors
  vector[Kc_zoi] b_zoi;  // regression coefficients
  real Intercept_zoi;  // temporary intercept for centered predictors
  real<lower=0> phi;  // precision parameter
  real<lower=0,upper=1> coi;  // conditional one-inflation probability
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += logistic_lpdf(Intercept_zoi | prior_Intercept_zoi_loc, prior_Intercept_zoi_scale);
  lprior += gamma_lpdf(phi | prior_phi_shape, prior_phi_rate);
  lprior += beta_lpdf(coi | prior_coi_a, prior_coi_b);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    // initialize linear predictor term of zoi
    vector[N] zoi = rep_vector(0.0, N);
    mu += Intercept + Xc * b;
    zoi += Intercept_zoi + Xc_zoi * b_zoi;
    mu = inv_logit(mu);
    zoi = inv_logit(zoi);
    for (n in 1:N) {
      target += zero_one_inflated_beta_lpdf(Y[n] | mu[n], phi, zoi[n], coi);
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
  // actual population-level intercept
  real b_zoi_Intercept = Intercept_zoi - dot_product(means_X_zoi, b_zoi);
}
