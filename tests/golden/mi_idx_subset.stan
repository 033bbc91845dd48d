// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  int<lower=1> N_y;  // number of observations
  vector[N_y] Y_y;  // response variable
  int<lower=1> K_y;  // number of population-level effects
  matrix[N_y, K_y] X_y;  // population-level design matrix
  int<lower=1> Ksp_y;  // number of special effects terms
  array[N_y] int idxl_y_x_1;  // matching indices
  int<lower=1> N_x;  // number of observations
  vector[N_x] Y_x;  // response variable
  int<lower=0> Nmi_x;  // number of missings
  array[Nmi_x] int<lower=1> Jmi_x;  // positions of missings
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_y_df;
  real prior_Intercept_y_loc;
  real prior_Intercept_y_scale;
  real prior_Intercept_x_df;
  real prior_Intercept_x_loc;
  real prior_Intercept_x_scale;
  real prior_sigma_y_df;
  real prior_sigma_y_loc;
  real prior_sigma_y_scale;
  real prior_sigma_x_df;
  real prior_sigma_x_loc;
  real prior_sigma_x_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_y = K_y - 1;
  matrix[N_y, Kc_y] Xc_y;  // centered version of X_y without an intercept
  vector[Kc_y] means_X_y;  // column means of X_y before centering
  for (i in 2:K_y) {
    means_X_y[i - 1] = mean(X_y[, i]);
    Xc_y[, i - 1] = X_y[, i] - means_X_y[i - 1];
  }
}
parameters {
  vector[Kc_y] b_y;  // regression coefficients
  real Intercept_y;  // temporary intercept for centered predictors
  vector[Ksp_y] bsp_y;  // special effects coefficients
  real<lower=0> sigma_y;  // dispersion parameter
  vector[Nmi_x] Ymi_x;  // estimated missings
  real Intercept_x;  // temporary intercept for centered predictors
  real<lower=0> sigma_x;  // dispersion parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept_y | prior_Intercept_y_df, prior_Intercept_y_loc, prior_Intercept_y_scale);
  lprior += student_t_lpdf(Intercept_x | prior_Intercept_x_df, prior_Intercept_x_loc, prior_Intercept_x_scale);
  lprior += student_t_lpdf(sigma_y | prior_sigma_y_df, prior_sigma_y_loc, prior_sigma_y_scale)
    - student_t_lccdf(0 | prior_sigma_y_df, prior_sigma_y_loc, prior_sigma_y_scale);
  lprior += student_t_lpdf(sigma_x | prior_sigma_x_df, prior_sigma_x_loc, prior_sigma_x_scale)
    - student_t_lccdf(0 | prior_sigma_x_df, prior_sigma_x_loc, prior_sigma_x_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // vector combining observed and missing responses
    vector[N_x] Yl_x = Y_x;
    // initialize linear predictor term
    vector[N_y] mu_y = rep_vector(0.0, N_y);
    // initialize linear predictor term
    vector[N_x] mu_x = rep_vector(0.0, N_x);
    Yl_x[Jmi_x] = Ymi_x;
    mu_y += Intercept_y + bsp_y[1] * Yl_x[idxl_y_x_1];
    mu_x += Intercept_x;
    target += normal_id_glm_lpdf(Y_y | Xc_y, mu_y, b_y, sigma_y);
    target += normal_lpdf(Yl_x | mu_x, sigma_x);
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_y_Intercept = Intercept_y - dot_product(means_X_y, b_y);
  // actual population-level intercept
  real b_x_Intercept = Intercept_x;
}
