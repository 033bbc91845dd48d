// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y_y;  // response variable
  int<lower=1> Ksp_y;  // number of special effects terms
  vector[N] Y_xm;  // response variable
  int<lower=0> Nmi_xm;  // number of missings
  array[Nmi_xm] int<lower=1> Jmi_xm;  // positions of missings
  int<lower=1> K_xm;  // number of population-level effects
  matrix[N, K_xm] X_xm;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_y_df;
  real prior_Intercept_y_loc;
  real prior_Intercept_y_scale;
  real prior_Intercept_xm_df;
  real prior_Intercept_xm_loc;
  real prior_Intercept_xm_scale;
  real prior_sigma_y_df;
  real prior_sigma_y_loc;
  real prior_sigma_y_scale;
  real prior_sigma_xm_df;
  real prior_sigma_xm_loc;
  real prior_sigma_xm_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_xm = K_xm - 1;
  matrix[N, Kc_xm] Xc_xm;  // centered version of X_xm without an intercept
  vector[Kc_xm] means_X_xm;  // column means of X_xm before centering
  for (i in 2:K_xm) {
    means_X_xm[i - 1] = mean(X_xm[, i]);
    Xc_xm[, i - 1] = X_xm[, i] - means_X_xm[i - 1];
  }
}
parameters {
  real Intercept_y;  // temporary intercept for centered predictors
  vector[Ksp_y] bsp_y;  // special effects coefficients
  real<lower=0> sigma_y;  // dispersion parameter
  vector<lower=0>[Nmi_xm] Ymi_xm;  // estimated missings
  vector[Kc_xm] b_xm;  // regression coefficients
  real Intercept_xm;  // temporary intercept for centered predictors
  real<lower=0> sigma_xm;  // dispersion parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept_y | prior_Intercept_y_df, prior_Intercept_y_loc, prior_Intercept_y_scale);
  lprior += student_t_lpdf(Intercept_xm | prior_Intercept_xm_df, prior_Intercept_xm_loc, prior_Intercept_xm_scale);
  lprior += student_t_lpdf(sigma_y | prior_sigma_y_df, prior_sigma_y_loc, prior_sigma_y_scale)
    - student_t_lccdf(0 | prior_sigma_y_df, prior_sigma_y_loc, prior_sigma_y_scale);
  lprior += student_t_lpdf(sigma_xm | prior_sigma_xm_df, prior_sigma_xm_loc, prior_sigma_xm_scale)
    - student_t_lccdf(0 | prior_sigma_xm_df, prior_sigma_xm_loc, prior_sigma_xm_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // vector combining observed and missing responses
    vector[N] Yl_xm = Y_xm;
    // initialize linear predictor term
    vector[N] mu_y = rep_vector(0.0, N);
    // initialize linear predictor term
    vector[N] mu_xm = rep_vector(0.0, N);
    Yl_xm[Jmi_xm] = Ymi_xm;
    mu_y += Intercept_y + bsp_y[1] * (log(Yl_xm));
    mu_xm += Intercept_xm + Xc_xm * b_xm;
    target += normal_lpdf(Y_y | mu_y, sigma_y);
    target += lognormal_lpdf(Yl_xm | mu_xm, sigma_xm);
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_y_Intercept = Intercept_y;
  // actual population-level intercept
  real b_xm_Intercept = Intercept_xm - dot_product(means_X_xm, b_xm);
}
