// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  // data for group-level effects of ID 1
  int<lower=1> N_1;  // number of grouping levels
  int<lower=1> M_1;  // number of coefficients per level
  array[N] int<lower=1> J_1;  // grouping indicator per observation
  // group-level predictor values
  vector[N] Z_1_1;
  array[N_1] int<lower=1> P_1;  // level of the grouping factor of ID 2 of each level
  // data for group-level effects of ID 2
  int<lower=1> N_2;  // number of grouping levels
  int<lower=1> M_2;  // number of coefficients per level
  array[N] int<lower=1> J_2;  // grouping indicator per observation
  // group-level predictor values
  vector[N] Z_2_1;
  // data for group-level effects of ID 3
  int<lower=1> N_3;  // number of grouping levels
  int<lower=1> M_3;  // number of coefficients per level
  array[N] int<lower=1> J_3;  // grouping indicator per observation
  // group-level predictor values
  vector[N] Z_3_1;
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_sigma_df;
  real prior_sigma_loc;
  real prior_sigma_scale;
  vector[M_1] prior_sd_1_df;
  vector[M_1] prior_sd_1_loc;
  vector[M_1] prior_sd_1_scale;
  vector[M_2] prior_sd_2_df;
  vector[M_2] prior_sd_2_loc;
  vector[M_2] prior_sd_2_scale;
  vector[M_3] prior_sd_3_df;
  vector[M_3] prior_sd_3_loc;
  vector[M_3] prior_sd_3_scale;
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
  real<lower=0> sigma;  // dispersion parameter
  vector<lower=0>[M_1] sd_1;  // group-level standard deviations (1 | d)
  vector[N_1] a_1_1;  // group-level effects plus their group's mean (nested centered parameterization)
  vector<lower=0>[M_2] sd_2;  // group-level standard deviations (1 | p)
  vector[N_2] a_2_1;  // Intercept plus group-level effects (centered parameterization)
  vector<lower=0>[M_3] sd_3;  // group-level standard deviations (1 | s)
  array[M_3] vector[N_3] z_3;  // standardized group-level effects
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[N_1] r_1_1 = a_1_1 - a_2_1[P_1];  // actual group-level effects
  vector[N_2] r_2_1 = a_2_1 - Intercept;  // actual group-level effects
  vector[N_3] r_3_1;  // actual group-level effects
  // compute actual group-level effects of (1 | s)
  r_3_1 = sd_3[1] * z_3[1];
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
  lprior += student_t_lpdf(sd_1 | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale)
    - student_t_lccdf(rep_vector(0, M_1) | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale);
  lprior += student_t_lpdf(sd_2 | prior_sd_2_df, prior_sd_2_loc, prior_sd_2_scale)
    - student_t_lccdf(rep_vector(0, M_2) | prior_sd_2_df, prior_sd_2_loc, prior_sd_2_scale);
  lprior += student_t_lpdf(sd_3 | prior_sd_3_df, prior_sd_3_loc, prior_sd_3_scale)
    - student_t_lccdf(rep_vector(0, M_3) | prior_sd_3_df, prior_sd_3_loc, prior_sd_3_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // linear predictor, with group-level effects (a_2_1 includes Intercept)
    vector[N] mu = a_1_1[J_1] + r_3_1[J_3];
    target += normal_id_glm_lpdf(Y | Xc, mu, b, sigma);
  }
  // priors including constants
  target += lprior;
  target += normal_lpdf(a_1_1 | a_2_1[P_1], sd_1[1]);
  target += normal_lpdf(a_2_1 | Intercept, sd_2[1]);
  target += std_normal_lpdf(z_3[1]);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
