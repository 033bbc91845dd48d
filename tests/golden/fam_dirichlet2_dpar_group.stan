// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  int<lower=2> ncat;  // number of categories
  array[N] simplex[ncat] Y;  // response array
  int<lower=1> K_mup1;  // number of population-level effects
  matrix[N, K_mup1] X_mup1;  // population-level design matrix
  int<lower=1> K_mup2;  // number of population-level effects
  matrix[N, K_mup2] X_mup2;  // population-level design matrix
  // data for group-level effects of ID 1
  int<lower=1> N_1;  // number of grouping levels
  int<lower=1> M_1;  // number of coefficients per level
  array[N] int<lower=1> J_1;  // grouping indicator per observation
  // group-level predictor values
  vector[N] Z_1_mup1_1;
  // data for group-level effects of ID 2
  int<lower=1> N_2;  // number of grouping levels
  int<lower=1> M_2;  // number of coefficients per level
  array[N] int<lower=1> J_2;  // grouping indicator per observation
  // group-level predictor values
  vector[N] Z_2_mup2_1;
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_mup1_df;
  real prior_Intercept_mup1_loc;
  real prior_Intercept_mup1_scale;
  real prior_Intercept_mup2_df;
  real prior_Intercept_mup2_loc;
  real prior_Intercept_mup2_scale;
  real prior_Intercept_mup3_df;
  real prior_Intercept_mup3_loc;
  real prior_Intercept_mup3_scale;
  vector[M_1] prior_sd_1_df;
  vector[M_1] prior_sd_1_loc;
  vector[M_1] prior_sd_1_scale;
  vector[M_2] prior_sd_2_df;
  vector[M_2] prior_sd_2_loc;
  vector[M_2] prior_sd_2_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_mup1 = K_mup1 - 1;
  matrix[N, Kc_mup1] Xc_mup1;  // centered version of X_mup1 without an intercept
  vector[Kc_mup1] means_X_mup1;  // column means of X_mup1 before centering
  int Kc_mup2 = K_mup2 - 1;
  matrix[N, Kc_mup2] Xc_mup2;  // centered version of X_mup2 without an intercept
  vector[Kc_mup2] means_X_mup2;  // column means of X_mup2 before centering
  for (i in 2:K_mup1) {
    means_X_mup1[i - 1] = mean(X_mup1[, i]);
    Xc_mup1[, i - 1] = X_mup1[, i] - means_X_mup1[i - 1];
  }
  for (i in 2:K_mup2) {
    means_X_mup2[i - 1] = mean(X_mup2[, i]);
    Xc_mup2[, i - 1] = X_mup2[, i] - means_X_mup2[i - 1];
  }
}
parameters {
  vector[Kc_mup1] b_mup1;  // regression coefficients
  real Intercept_mup1;  // temporary intercept for centered predictors
  vector[Kc_mup2] b_mup2;  // regression coefficients
  real Intercept_mup2;  // temporary intercept for centered predictors
  real Intercept_mup3;  // temporary intercept for centered predictors
  vector<lower=0>[M_1] sd_1;  // group-level standard deviations (1 | g)
  array[M_1] vector[N_1] z_1;  // standardized group-level effects
  vector<lower=0>[M_2] sd_2;  // group-level standard deviations (1 | g)
  array[M_2] vector[N_2] z_2;  // standardized group-level effects
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[N_1] r_1_mup1_1;  // actual group-level effects
  vector[N_2] r_2_mup2_1;  // actual group-level effects
  // compute actual group-level effects of (1 | g)
  r_1_mup1_1 = sd_1[1] * z_1[1];
  // compute actual group-level effects of (1 | g)
  r_2_mup2_1 = sd_2[1] * z_2[1];
  lprior += student_t_lpdf(Intercept_mup1 | prior_Intercept_mup1_df, prior_Intercept_mup1_loc, prior_Intercept_mup1_scale);
  lprior += student_t_lpdf(Intercept_mup2 | prior_Intercept_mup2_df, prior_Intercept_mup2_loc, prior_Intercept_mup2_scale);
  lprior += student_t_lpdf(Intercept_mup3 | prior_Intercept_mup3_df, prior_Intercept_mup3_loc, prior_Intercept_mup3_scale);
  lprior += student_t_lpdf(sd_1 | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale)
    - student_t_lccdf(rep_vector(0, M_1) | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale);
  lprior += student_t_lpdf(sd_2 | prior_sd_2_df, prior_sd_2_loc, prior_sd_2_scale)
    - student_t_lccdf(rep_vector(0, M_2) | prior_sd_2_df, prior_sd_2_loc, prior_sd_2_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of mup1
    vector[N] mup1 = rep_vector(0.0, N);
    // initialize linear predictor term of mup2
    vector[N] mup2 = rep_vector(0.0, N);
    // initialize linear predictor term of mup3
    vector[N] mup3 = rep_vector(0.0, N);
    // linear predictor matrix
    array[N] vector[ncat] mu;
    mup1 += Intercept_mup1 + Xc_mup1 * b_mup1;
    // add group-level effects to mup1
    mup1 += r_1_mup1_1[J_1] .* Z_1_mup1_1;
    mup2 += Intercept_mup2 + Xc_mup2 * b_mup2;
    // add group-level effects to mup2
    mup2 += r_2_mup2_1[J_2] .* Z_2_mup2_1;
    mup3 += Intercept_mup3;
    mup1 = exp(mup1);
    mup2 = exp(mup2);
    mup3 = exp(mup3);
    for (n in 1:N) {
      mu[n] = transpose([mup1[n], mup2[n], mup3[n]]);
    }
    for (n in 1:N) {
      target += dirichlet_lpdf(Y[n] | mu[n]);
    }
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(z_1[1]);
  target += std_normal_lpdf(z_2[1]);
}
generated quantities {
  // actual population-level intercept
  real b_mup1_Intercept = Intercept_mup1 - dot_product(means_X_mup1, b_mup1);
  // actual population-level intercept
  real b_mup2_Intercept = Intercept_mup2 - dot_product(means_X_mup2, b_mup2);
  // actual population-level intercept
  real b_mup3_Intercept = Intercept_mup3;
}
