// generated with brmspy
functions {
  /* extended-support beta log-density of one response (brms's xbeta_lpdf; Kosmidis & Zeileis 2024):
   * Y = min(max((1 + 2 kappa) Z - kappa, 0), 1) with Z ~ beta_proportion(mu, phi), so 0 and 1 have
   * point masses and values in between a stretched beta density
   */
  real xbeta_lpdf(real y, real mu, real phi, real kappa) {
    real denom = 1 + 2 * kappa;
    if (y <= 0) {
      return beta_proportion_lcdf(kappa / denom | mu, phi);
    } else if (y >= 1) {
      return beta_proportion_lccdf((1 + kappa) / denom | mu, phi);
    }
    return beta_proportion_lpdf((y + kappa) / denom | mu, phi) - log(denom);
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
  real prior_phi_shape;
  real prior_phi_rate;
  real prior_kappa_shape;
  real prior_kappa_rate;
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
  real<lower=0> kappa;  // precision parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += gamma_lpdf(phi | prior_phi_shape, prior_phi_rate);
  lprior += gamma_lpdf(kappa | prior_kappa_shape, prior_kappa_rate);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + Xc * b;
    mu = inv_logit(mu);
    for (n in 1:N) {
      target += xbeta_lpdf(Y[n] | mu[n], phi, kappa);
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
