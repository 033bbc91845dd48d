// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y_y;  // response variable
  int<lower=1> K_y;  // number of population-level effects
  matrix[N, K_y] X_y;  // population-level design matrix
  int<lower=1> Ksp_y;  // number of special effects terms
  vector[N] Y_x;  // response variable
  int<lower=0> Nmi_x;  // number of missings
  array[Nmi_x] int<lower=1> Jmi_x;  // positions of missings
  int<lower=1> K_x;  // number of population-level effects
  matrix[N, K_x] X_x;  // population-level design matrix
  // data for group-level effects of ID 1
  int<lower=1> N_1;  // number of grouping levels
  int<lower=1> M_1;  // number of coefficients per level
  array[N] int<lower=1> J_1;  // grouping indicator per observation
  // group-level predictor values
  vector[N] Z_1_y_1;
  // data for group-level effects of ID 2
  int<lower=1> N_2;  // number of grouping levels
  int<lower=1> M_2;  // number of coefficients per level
  array[N] int<lower=1> J_2;  // grouping indicator per observation
  // group-level predictor values
  vector[N] Z_2_x_1;
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
  vector[M_1] prior_sd_1_df;
  vector[M_1] prior_sd_1_loc;
  vector[M_1] prior_sd_1_scale;
  vector[M_2] prior_sd_2_df;
  vector[M_2] prior_sd_2_loc;
  vector[M_2] prior_sd_2_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_y = K_y - 1;
  matrix[N, Kc_y] Xc_y;  // centered version of X_y without an intercept
  vector[Kc_y] means_X_y;  // column means of X_y before centering
  int Kc_x = K_x - 1;
  matrix[N, Kc_x] Xc_x;  // centered version of X_x without an intercept
  vector[Kc_x] means_X_x;  // column means of X_x before centering
  for (i in 2:K_y) {
    means_X_y[i - 1] = mean(X_y[, i]);
    Xc_y[, i - 1] = X_y[, i] - means_X_y[i - 1];
  }
  for (i in 2:K_x) {
    means_X_x[i - 1] = mean(X_x[, i]);
    Xc_x[, i - 1] = X_x[, i] - means_X_x[i - 1];
  }
}
parameters {
  vector[Kc_y] b_y;  // regression coefficients
  real Intercept_y;  // temporary intercept for centered predictors
  vector[Ksp_y] bsp_y;  // special effects coefficients
  real<lower=0> sigma_y;  // dispersion parameter
  vector[Nmi_x] Ymi_x;  // estimated missings
  vector[Kc_x] b_x;  // regression coefficients
  real Intercept_x;  // temporary intercept for centered predictors
  real<lower=0> sigma_x;  // dispersion parameter
  vector<lower=0>[M_1] sd_1;  // group-level standard deviations (1 | g)
  array[M_1] vector[N_1] z_1;  // standardized group-level effects
  vector<lower=0>[M_2] sd_2;  // group-level standard deviations (1 | g)
  array[M_2] vector[N_2] z_2;  // standardized group-level effects
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[N_1] r_1_y_1;  // actual group-level effects
  vector[N_2] r_2_x_1;  // actual group-level effects
  // compute actual group-level effects of (1 | g)
  r_1_y_1 = sd_1[1] * z_1[1];
  // compute actual group-level effects of (1 | g)
  r_2_x_1 = sd_2[1] * z_2[1];
  lprior += student_t_lpdf(Intercept_y | prior_Intercept_y_df, prior_Intercept_y_loc, prior_Intercept_y_scale);
  lprior += student_t_lpdf(Intercept_x | prior_Intercept_x_df, prior_Intercept_x_loc, prior_Intercept_x_scale);
  lprior += student_t_lpdf(sigma_y | prior_sigma_y_df, prior_sigma_y_loc, prior_sigma_y_scale)
    - student_t_lccdf(0 | prior_sigma_y_df, prior_sigma_y_loc, prior_sigma_y_scale);
  lprior += student_t_lpdf(sigma_x | prior_sigma_x_df, prior_sigma_x_loc, prior_sigma_x_scale)
    - student_t_lccdf(0 | prior_sigma_x_df, prior_sigma_x_loc, prior_sigma_x_scale);
  lprior += student_t_lpdf(sd_1 | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale)
    - student_t_lccdf(rep_vector(0, M_1) | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale);
  lprior += student_t_lpdf(sd_2 | prior_sd_2_df, prior_sd_2_loc, prior_sd_2_scale)
    - student_t_lccdf(rep_vector(0, M_2) | prior_sd_2_df, prior_sd_2_loc, prior_sd_2_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // vector combining observed and missing responses
    vector[N] Yl_x = Y_x;
    // initialize linear predictor term
    vector[N] mu_y = rep_vector(0.0, N);
    // initialize linear predictor term
    vector[N] mu_x = rep_vector(0.0, N);
    Yl_x[Jmi_x] = Ymi_x;
    mu_y += Intercept_y + bsp_y[1] * Yl_x;
    // add group-level effects to mu_y
    mu_y += r_1_y_1[J_1] .* Z_1_y_1;
    mu_x += Intercept_x;
    // add group-level effects to mu_x
    mu_x += r_2_x_1[J_2] .* Z_2_x_1;
    target += normal_id_glm_lpdf(Y_y | Xc_y, mu_y, b_y, sigma_y);
    target += normal_id_glm_lpdf(Yl_x | Xc_x, mu_x, b_x, sigma_x);
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(z_1[1]);
  target += std_normal_lpdf(z_2[1]);
}
generated quantities {
  // actual population-level intercept
  real b_y_Intercept = Intercept_y - dot_product(means_X_y, b_y);
  // actual population-level intercept
  real b_x_Intercept = Intercept_x - dot_product(means_X_x, b_x);
}
