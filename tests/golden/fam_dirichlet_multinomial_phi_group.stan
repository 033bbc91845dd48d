// generated with brmspy
functions {
  /* dirichlet-multinomial-logit log-PMF
   * Args:
   *   y: array of integer response values
   *   mu: vector of category logit probabilities
   *   phi: precision parameter (sum of Dirichlet alphas)
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real dirichlet_multinomial_logit2_lpmf(array[] int y, vector mu, real phi) {
    // get Dirichlet alphas
    int N = num_elements(mu);
    vector[N] alpha = phi * softmax(mu);
    // get trials from y
    real T = sum(y);
    return lgamma(phi) + lgamma(T + 1.0) - lgamma(T + phi) +
      sum(lgamma(to_vector(y) + alpha)) - sum(lgamma(alpha)) - sum(lgamma(to_vector(y) + 1));
  }
}
data {
  int<lower=1> N;  // total number of observations
  int<lower=2> ncat;  // number of categories
  array[N, ncat] int Y;  // response array
  array[N] int trials;  // number of trials
  int<lower=1> K_muy2;  // number of population-level effects
  matrix[N, K_muy2] X_muy2;  // population-level design matrix
  int<lower=1> K_muy3;  // number of population-level effects
  matrix[N, K_muy3] X_muy3;  // population-level design matrix
  int<lower=1> K_phi;  // number of population-level effects
  matrix[N, K_phi] X_phi;  // population-level design matrix
  // data for group-level effects of ID 1
  int<lower=1> N_1;  // number of grouping levels
  int<lower=1> M_1;  // number of coefficients per level
  array[N] int<lower=1> J_1;  // grouping indicator per observation
  // group-level predictor values
  vector[N] Z_1_muy2_1;
  // data for group-level effects of ID 2
  int<lower=1> N_2;  // number of grouping levels
  int<lower=1> M_2;  // number of coefficients per level
  array[N] int<lower=1> J_2;  // grouping indicator per observation
  // group-level predictor values
  vector[N] Z_2_muy3_1;
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_muy2_df;
  real prior_Intercept_muy2_loc;
  real prior_Intercept_muy2_scale;
  real prior_Intercept_muy3_df;
  real prior_Intercept_muy3_loc;
  real prior_Intercept_muy3_scale;
  real prior_Intercept_phi_df;
  real prior_Intercept_phi_loc;
  real prior_Intercept_phi_scale;
  vector[M_1] prior_sd_1_df;
  vector[M_1] prior_sd_1_loc;
  vector[M_1] prior_sd_1_scale;
  vector[M_2] prior_sd_2_df;
  vector[M_2] prior_sd_2_loc;
  vector[M_2] prior_sd_2_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_muy2 = K_muy2 - 1;
  matrix[N, Kc_muy2] Xc_muy2;  // centered version of X_muy2 without an intercept
  vector[Kc_muy2] means_X_muy2;  // column means of X_muy2 before centering
  int Kc_muy3 = K_muy3 - 1;
  matrix[N, Kc_muy3] Xc_muy3;  // centered version of X_muy3 without an intercept
  vector[Kc_muy3] means_X_muy3;  // column means of X_muy3 before centering
  int Kc_phi = K_phi - 1;
  matrix[N, Kc_phi] Xc_phi;  // centered version of X_phi without an intercept
  vector[Kc_phi] means_X_phi;  // column means of X_phi before centering
  for (i in 2:K_muy2) {
    means_X_muy2[i - 1] = mean(X_muy2[, i]);
    Xc_muy2[, i - 1] = X_muy2[, i] - means_X_muy2[i - 1];
  }
  for (i in 2:K_muy3) {
    means_X_muy3[i - 1] = mean(X_muy3[, i]);
    Xc_muy3[, i - 1] = X_muy3[, i] - means_X_muy3[i - 1];
  }
  for (i in 2:K_phi) {
    means_X_phi[i - 1] = mean(X_phi[, i]);
    Xc_phi[, i - 1] = X_phi[, i] - means_X_phi[i - 1];
  }
}
parameters {
  vector[Kc_muy2] b_muy2;  // regression coefficients
  real Intercept_muy2;  // temporary intercept for centered predictors
  vector[Kc_muy3] b_muy3;  // regression coefficients
  real Intercept_muy3;  // temporary intercept for centered predictors
  vector[Kc_phi] b_phi;  // regression coefficients
  real Intercept_phi;  // temporary intercept for centered predictors
  vector<lower=0>[M_1] sd_1;  // group-level standard deviations (1 | g)
  array[M_1] vector[N_1] z_1;  // standardized group-level effects
  vector<lower=0>[M_2] sd_2;  // group-level standard deviations (1 | g)
  array[M_2] vector[N_2] z_2;  // standardized group-level effects
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[N_1] r_1_muy2_1;  // actual group-level effects
  vector[N_2] r_2_muy3_1;  // actual group-level effects
  // compute actual group-level effects of (1 | g)
  r_1_muy2_1 = sd_1[1] * z_1[1];
  // compute actual group-level effects of (1 | g)
  r_2_muy3_1 = sd_2[1] * z_2[1];
  lprior += student_t_lpdf(Intercept_muy2 | prior_Intercept_muy2_df, prior_Intercept_muy2_loc, prior_Intercept_muy2_scale);
  lprior += student_t_lpdf(Intercept_muy3 | prior_Intercept_muy3_df, prior_Intercept_muy3_loc, prior_Intercept_muy3_scale);
  lprior += student_t_lpdf(Intercept_phi | prior_Intercept_phi_df, prior_Intercept_phi_loc, prior_Intercept_phi_scale);
  lprior += student_t_lpdf(sd_1 | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale)
    - student_t_lccdf(rep_vector(0, M_1) | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale);
  lprior += student_t_lpdf(sd_2 | prior_sd_2_df, prior_sd_2_loc, prior_sd_2_scale)
    - student_t_lccdf(rep_vector(0, M_2) | prior_sd_2_df, prior_sd_2_loc, prior_sd_2_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of muy2
    vector[N] muy2 = rep_vector(0.0, N);
    // initialize linear predictor term of muy3
    vector[N] muy3 = rep_vector(0.0, N);
    // initialize linear predictor term of phi
    vector[N] phi = rep_vector(0.0, N);
    // linear predictor matrix
    array[N] vector[ncat] mu;
    muy2 += Intercept_muy2 + Xc_muy2 * b_muy2;
    // add group-level effects to muy2
    muy2 += r_1_muy2_1[J_1] .* Z_1_muy2_1;
    muy3 += Intercept_muy3 + Xc_muy3 * b_muy3;
    // add group-level effects to muy3
    muy3 += r_2_muy3_1[J_2] .* Z_2_muy3_1;
    phi += Intercept_phi + Xc_phi * b_phi;
    phi = exp(phi);
    for (n in 1:N) {
      mu[n] = transpose([0, muy2[n], muy3[n]]);
    }
    for (n in 1:N) {
      target += dirichlet_multinomial_logit2_lpmf(Y[n] | mu[n], phi[n]);
    }
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(z_1[1]);
  target += std_normal_lpdf(z_2[1]);
}
generated quantities {
  // actual population-level intercept
  real b_muy2_Intercept = Intercept_muy2 - dot_product(means_X_muy2, b_muy2);
  // actual population-level intercept
  real b_muy3_Intercept = Intercept_muy3 - dot_product(means_X_muy3, b_muy3);
  // actual population-level intercept
  real b_phi_Intercept = Intercept_phi - dot_product(means_X_phi, b_phi);
}
