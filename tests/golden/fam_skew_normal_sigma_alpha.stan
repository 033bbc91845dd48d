// generated with brmspy
functions {
  /* brms's skew_normal has mean mu and sd sigma; Stan's skew_normal_lpdf takes
   * location xi = mu - sigma * skew_normal_shift(alpha) and scale
   * omega = sigma * skew_normal_scale(alpha), where delta = alpha / sqrt(1 + alpha^2),
   * omega = sigma / sqrt(1 - 2 / pi() * delta^2) and xi = mu - omega * delta * sqrt(2 / pi())
   */
  real skew_normal_scale(real alpha) {
    return inv_sqrt(1 - 2 / pi() * square(alpha) / (1 + square(alpha)));
  }
  vector skew_normal_scale(vector alpha) {
    return inv_sqrt(1 - 2 / pi() * square(alpha) ./ (1 + square(alpha)));
  }
  real skew_normal_shift(real alpha) {
    return sqrt(2 / pi()) * alpha / sqrt(1 + square(alpha)) * skew_normal_scale(alpha);
  }
  vector skew_normal_shift(vector alpha) {
    return sqrt(2 / pi()) * alpha ./ sqrt(1 + square(alpha)) .* skew_normal_scale(alpha);
  }
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  int<lower=1> K_sigma;  // number of population-level effects
  matrix[N, K_sigma] X_sigma;  // population-level design matrix
  int<lower=1> K_alpha;  // number of population-level effects
  matrix[N, K_alpha] X_alpha;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_Intercept_sigma_df;
  real prior_Intercept_sigma_loc;
  real prior_Intercept_sigma_scale;
  real prior_Intercept_alpha_loc;
  real prior_Intercept_alpha_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc = K - 1;
  matrix[N, Kc] Xc;  // centered version of X without an intercept
  vector[Kc] means_X;  // column means of X before centering
  int Kc_sigma = K_sigma - 1;
  matrix[N, Kc_sigma] Xc_sigma;  // centered version of X_sigma without an intercept
  vector[Kc_sigma] means_X_sigma;  // column means of X_sigma before centering
  int Kc_alpha = K_alpha - 1;
  matrix[N, Kc_alpha] Xc_alpha;  // centered version of X_alpha without an intercept
  vector[Kc_alpha] means_X_alpha;  // column means of X_alpha before centering
  for (i in 2:K) {
    means_X[i - 1] = mean(X[, i]);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
  for (i in 2:K_sigma) {
    means_X_sigma[i - 1] = mean(X_sigma[, i]);
    Xc_sigma[, i - 1] = X_sigma[, i] - means_X_sigma[i - 1];
  }
  for (i in 2:K_alpha) {
    means_X_alpha[i - 1] = mean(X_alpha[, i]);
    Xc_alpha[, i - 1] = X_alpha[, i] - means_X_alpha[i - 1];
  }
}
parameters {
  vector[Kc] b;  // regression coefficients
  real Intercept;  // temporary intercept for centered predictors
  vector[Kc_sigma] b_sigma;  // regression coefficients
  real Intercept_sigma;  // temporary intercept for centered predictors
  vector[Kc_alpha] b_alpha;  // regression coefficients
  real Intercept_alpha;  // temporary intercept for centered predictors
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(Intercept_sigma | prior_Intercept_sigma_df, prior_Intercept_sigma_loc, prior_Intercept_sigma_scale);
  lprior += normal_lpdf(Intercept_alpha | prior_Intercept_alpha_loc, prior_Intercept_alpha_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    // initialize linear predictor term of sigma
    vector[N] sigma = rep_vector(0.0, N);
    // initialize linear predictor term of alpha
    vector[N] alpha = rep_vector(0.0, N);
    mu += Intercept + Xc * b;
    sigma += Intercept_sigma + Xc_sigma * b_sigma;
    alpha += Intercept_alpha + Xc_alpha * b_alpha;
    sigma = exp(sigma);
    target += skew_normal_lpdf(Y | mu - sigma .* skew_normal_shift(alpha), sigma .* skew_normal_scale(alpha), alpha);
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
  // actual population-level intercept
  real b_sigma_Intercept = Intercept_sigma - dot_product(means_X_sigma, b_sigma);
  // actual population-level intercept
  real b_alpha_Intercept = Intercept_alpha - dot_product(means_X_alpha, b_alpha);
}
