// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  int<lower=2> ncat;  // number of categories
  array[N, ncat] int Y;  // response array
  array[N] int trials;  // number of trials
  int<lower=1> K_muy2;  // number of population-level effects
  matrix[N, K_muy2] X_muy2;  // population-level design matrix
  // data for group-level effects of ID 1
  int<lower=1> N_1;  // number of grouping levels
  int<lower=1> M_1;  // number of coefficients per level
  array[N] int<lower=1> J_1;  // grouping indicator per observation
  // group-level predictor values
  vector[N] Z_1_muy2_1;
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_muy2_df;
  real prior_Intercept_muy2_loc;
  real prior_Intercept_muy2_scale;
  real prior_Intercept_muy3_df;
  real prior_Intercept_muy3_loc;
  real prior_Intercept_muy3_scale;
  vector[M_1] prior_sd_1_df;
  vector[M_1] prior_sd_1_loc;
  vector[M_1] prior_sd_1_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_muy2 = K_muy2 - 1;
  matrix[N, Kc_muy2] Xc_muy2;  // centered version of X_muy2 without an intercept
  vector[Kc_muy2] means_X_muy2;  // column means of X_muy2 before centering
  for (i in 2:K_muy2) {
    means_X_muy2[i - 1] = mean(X_muy2[, i]);
    Xc_muy2[, i - 1] = X_muy2[, i] - means_X_muy2[i - 1];
  }
}
parameters {
  vector[Kc_muy2] b_muy2;  // regression coefficients
  real Intercept_muy2;  // temporary intercept for centered predictors
  real Intercept_muy3;  // temporary intercept for centered predictors
  vector<lower=0>[M_1] sd_1;  // group-level standard deviations (1 | g)
  array[M_1] vector[N_1] z_1;  // standardized group-level effects
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[N_1] r_1_muy2_1;  // actual group-level effects
  // compute actual group-level effects of (1 | g)
  r_1_muy2_1 = sd_1[1] * z_1[1];
  lprior += student_t_lpdf(Intercept_muy2 | prior_Intercept_muy2_df, prior_Intercept_muy2_loc, prior_Intercept_muy2_scale);
  lprior += student_t_lpdf(Intercept_muy3 | prior_Intercept_muy3_df, prior_Intercept_muy3_loc, prior_Intercept_muy3_scale);
  lprior += student_t_lpdf(sd_1 | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale)
    - student_t_lccdf(rep_vector(0, M_1) | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of muy2
    vector[N] muy2 = rep_vector(0.0, N);
    // initialize linear predictor term of muy3
    vector[N] muy3 = rep_vector(0.0, N);
    // linear predictor matrix
    array[N] vector[ncat] mu;
    muy2 += Intercept_muy2 + Xc_muy2 * b_muy2;
    // add group-level effects to muy2
    muy2 += r_1_muy2_1[J_1] .* Z_1_muy2_1;
    muy3 += Intercept_muy3;
    for (n in 1:N) {
      mu[n] = transpose([0, muy2[n], muy3[n]]);
    }
    for (n in 1:N) {
      target += multinomial_logit_lpmf(Y[n] | mu[n]);
    }
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(z_1[1]);
}
generated quantities {
  // actual population-level intercept
  real b_muy2_Intercept = Intercept_muy2 - dot_product(means_X_muy2, b_muy2);
  // actual population-level intercept
  real b_muy3_Intercept = Intercept_muy3;
}
