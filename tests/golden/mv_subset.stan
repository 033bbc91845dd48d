// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  int<lower=1> N_y1;  // number of observations
  vector[N_y1] Y_y1;  // response variable
  int<lower=1> K_y1;  // number of population-level effects
  matrix[N_y1, K_y1] X_y1;  // population-level design matrix
  int<lower=1> N_y2;  // number of observations
  vector[N_y2] Y_y2;  // response variable
  int<lower=1> K_y2;  // number of population-level effects
  matrix[N_y2, K_y2] X_y2;  // population-level design matrix
  // data for group-level effects of ID 1
  int<lower=1> N_1;  // number of grouping levels
  int<lower=1> M_1;  // number of coefficients per level
  array[N_y1] int<lower=1> J_1_y1;  // grouping indicator per observation
  // group-level predictor values
  vector[N_y1] Z_1_y1_1;
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_y1_df;
  real prior_Intercept_y1_loc;
  real prior_Intercept_y1_scale;
  real prior_Intercept_y2_df;
  real prior_Intercept_y2_loc;
  real prior_Intercept_y2_scale;
  real prior_sigma_y1_df;
  real prior_sigma_y1_loc;
  real prior_sigma_y1_scale;
  real prior_sigma_y2_df;
  real prior_sigma_y2_loc;
  real prior_sigma_y2_scale;
  vector[M_1] prior_sd_1_df;
  vector[M_1] prior_sd_1_loc;
  vector[M_1] prior_sd_1_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_y1 = K_y1 - 1;
  matrix[N_y1, Kc_y1] Xc_y1;  // centered version of X_y1 without an intercept
  vector[Kc_y1] means_X_y1;  // column means of X_y1 before centering
  int Kc_y2 = K_y2 - 1;
  matrix[N_y2, Kc_y2] Xc_y2;  // centered version of X_y2 without an intercept
  vector[Kc_y2] means_X_y2;  // column means of X_y2 before centering
  for (i in 2:K_y1) {
    means_X_y1[i - 1] = mean(X_y1[, i]);
    Xc_y1[, i - 1] = X_y1[, i] - means_X_y1[i - 1];
  }
  for (i in 2:K_y2) {
    means_X_y2[i - 1] = mean(X_y2[, i]);
    Xc_y2[, i - 1] = X_y2[, i] - means_X_y2[i - 1];
  }
}
parameters {
  vector[Kc_y1] b_y1;  // regression coefficients
  real Intercept_y1;  // temporary intercept for centered predictors
  real<lower=0> sigma_y1;  // dispersion parameter
  vector[Kc_y2] b_y2;  // regression coefficients
  real Intercept_y2;  // temporary intercept for centered predictors
  real<lower=0> sigma_y2;  // dispersion parameter
  vector<lower=0>[M_1] sd_1;  // group-level standard deviations (1 | g)
  array[M_1] vector[N_1] z_1;  // standardized group-level effects
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[N_1] r_1_y1_1;  // actual group-level effects
  // compute actual group-level effects of (1 | g)
  r_1_y1_1 = sd_1[1] * z_1[1];
  lprior += student_t_lpdf(Intercept_y1 | prior_Intercept_y1_df, prior_Intercept_y1_loc, prior_Intercept_y1_scale);
  lprior += student_t_lpdf(Intercept_y2 | prior_Intercept_y2_df, prior_Intercept_y2_loc, prior_Intercept_y2_scale);
  lprior += student_t_lpdf(sigma_y1 | prior_sigma_y1_df, prior_sigma_y1_loc, prior_sigma_y1_scale)
    - student_t_lccdf(0 | prior_sigma_y1_df, prior_sigma_y1_loc, prior_sigma_y1_scale);
  lprior += student_t_lpdf(sigma_y2 | prior_sigma_y2_df, prior_sigma_y2_loc, prior_sigma_y2_scale)
    - student_t_lccdf(0 | prior_sigma_y2_df, prior_sigma_y2_loc, prior_sigma_y2_scale);
  lprior += student_t_lpdf(sd_1 | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale)
    - student_t_lccdf(rep_vector(0, M_1) | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N_y1] mu_y1 = rep_vector(0.0, N_y1);
    mu_y1 += Intercept_y1;
    // add group-level effects to mu_y1
    mu_y1 += r_1_y1_1[J_1_y1] .* Z_1_y1_1;
    target += normal_id_glm_lpdf(Y_y1 | Xc_y1, mu_y1, b_y1, sigma_y1);
    target += normal_id_glm_lpdf(Y_y2 | Xc_y2, Intercept_y2, b_y2, sigma_y2);
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(z_1[1]);
}
generated quantities {
  // actual population-level intercept
  real b_y1_Intercept = Intercept_y1 - dot_product(means_X_y1, b_y1);
  // actual population-level intercept
  real b_y2_Intercept = Intercept_y2 - dot_product(means_X_y2, b_y2);
}
