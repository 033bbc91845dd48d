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
  int<lower=1> K_kappa;  // number of population-level effects
  matrix[N, K_kappa] X_kappa;  // population-level design matrix
  // data for group-level effects of ID 1
  int<lower=1> N_1;  // number of grouping levels
  int<lower=1> M_1;  // number of coefficients per level
  array[N] int<lower=1> J_1;  // grouping indicator per observation
  // group-level predictor values
  vector[N] Z_1_1;
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_Intercept_kappa_df;
  real prior_Intercept_kappa_loc;
  real prior_Intercept_kappa_scale;
  real prior_phi_shape;
  real prior_phi_rate;
  vector[M_1] prior_sd_1_df;
  vector[M_1] prior_sd_1_loc;
  vector[M_1] prior_sd_1_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc = K - 1;
  matrix[N, Kc] Xc;  // centered version of X without an intercept
  vector[Kc] means_X;  // column means of X before centering
  int Kc_kappa = K_kappa - 1;
  matrix[N, Kc_kappa] Xc_kappa;  // centered version of X_kappa without an intercept
  vector[Kc_kappa] means_X_kappa;  // column means of X_kappa before centering
  for (i in 2:K) {
    means_X[i - 1] = mean(X[, i]);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
  for (i in 2:K_kappa) {
    means_X_kappa[i - 1] = mean(X_kappa[, i]);
    Xc_kappa[, i - 1] = X_kappa[, i] - means_X_kappa[i - 1];
  }
}
parameters {
  vector[Kc] b;  // regression coefficients
  real Intercept;  // temporary intercept for centered predictors
  vector[Kc_kappa] b_kappa;  // regression coefficients
  real Intercept_kappa;  // temporary intercept for centered predictors
  real<lower=0> phi;  // precision parameter
  vector<lower=0>[M_1] sd_1;  // group-level standard deviations (1 | g)
  array[M_1] vector[N_1] z_1;  // standardized group-level effects
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[N_1] r_1_1;  // actual group-level effects
  // compute actual group-level effects of (1 | g)
  r_1_1 = sd_1[1] * z_1[1];
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(Intercept_kappa | prior_Intercept_kappa_df, prior_Intercept_kappa_loc, prior_Intercept_kappa_scale);
  lprior += gamma_lpdf(phi | prior_phi_shape, prior_phi_rate);
  lprior += student_t_lpdf(sd_1 | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale)
    - student_t_lccdf(rep_vector(0, M_1) | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    // initialize linear predictor term of kappa
    vector[N] kappa = rep_vector(0.0, N);
    mu += Intercept + Xc * b;
    // add group-level effects to mu
    mu += r_1_1[J_1] .* Z_1_1;
    kappa += Intercept_kappa + Xc_kappa * b_kappa;
    mu = inv_logit(mu);
    kappa = exp(kappa);
    for (n in 1:N) {
      target += xbeta_lpdf(Y[n] | mu[n], phi, kappa[n]);
    }
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(z_1[1]);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
  // actual population-level intercept
  real b_kappa_Intercept = Intercept_kappa - dot_product(means_X_kappa, b_kappa);
}
