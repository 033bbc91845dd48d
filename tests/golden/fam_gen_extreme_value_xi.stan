// generated with brmspy
functions {
  /* generalized extreme value log-PDF of one response (location mu, scale sigma,
   * shape xi); -inf outside the support 1 + xi * (y - mu) / sigma > 0
   */
  real gen_extreme_value_lpdf(real y, real mu, real sigma, real xi) {
    real x = (y - mu) / sigma;
    if (xi == 0) {
      return -log(sigma) - x - exp(-x);
    }
    if (xi * x <= -1) {
      return negative_infinity();
    }
    real log_t = log1p(xi * x);
    return -log(sigma) - (1 + 1 / xi) * log_t - exp(-log_t / xi);
  }
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  int<lower=1> K_xi;  // number of population-level effects
  matrix[N, K_xi] X_xi;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_Intercept_xi_loc;
  real prior_Intercept_xi_scale;
  real prior_sigma_df;
  real prior_sigma_loc;
  real prior_sigma_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc = K - 1;
  matrix[N, Kc] Xc;  // centered version of X without an intercept
  vector[Kc] means_X;  // column means of X before centering
  int Kc_xi = K_xi - 1;
  matrix[N, Kc_xi] Xc_xi;  // centered version of X_xi without an intercept
  vector[Kc_xi] means_X_xi;  // column means of X_xi before centering
  for (i in 2:K) {
    means_X[i - 1] = mean(X[, i]);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
  for (i in 2:K_xi) {
    means_X_xi[i - 1] = mean(X_xi[, i]);
    Xc_xi[, i - 1] = X_xi[, i] - means_X_xi[i - 1];
  }
}
parameters {
  vector[Kc] b;  // regression coefficients
  real Intercept;  // temporary intercept for centered predictors
  vector[Kc_xi] b_xi;  // regression coefficients
  real Intercept_xi;  // temporary intercept for centered predictors
  real<lower=0> sigma;  // dispersion parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += normal_lpdf(Intercept_xi | prior_Intercept_xi_loc, prior_Intercept_xi_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    // initialize linear predictor term of xi
    vector[N] xi = rep_vector(0.0, N);
    mu += Intercept + Xc * b;
    xi += Intercept_xi + Xc_xi * b_xi;
    xi = expm1(xi);
    for (n in 1:N) {
      target += gen_extreme_value_lpdf(Y[n] | mu[n], sigma, xi[n]);
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
  // actual population-level intercept
  real b_xi_Intercept = Intercept_xi - dot_product(means_X_xi, b_xi);
}
