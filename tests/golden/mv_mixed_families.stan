// generated with brmspy
functions {
  /* compute correlated group-level effects
   * Args:
   *   z: matrix of unscaled group-level effects
   *   SD: vector of standard deviation parameters
   *   L: cholesky factor correlation matrix
   * Returns:
   *   matrix of scaled group-level effects
   */
  matrix scale_r_cor(matrix z, vector SD, matrix L) {
    // r is stored in another dimension order than z
    return transpose(diag_pre_multiply(SD, L) * z);
  }
  /* lkj_corr_cholesky_lpdf(L | eta) with its normalizing constant given
   * Args:
   *   L: cholesky factor of a correlation matrix
   *   eta: shape parameter of the LKJ distribution
   *   log_norm: lkj_corr_cholesky_lpdf(identity_matrix(rows(L)) | eta), computed once
   * Returns:
   *   the log density lkj_corr_cholesky_lpdf(L | eta)
   */
  real lkj_corr_cholesky_norm_lpdf(matrix L, real eta, real log_norm) {
    int K = rows(L);
    real lp = log_norm;
    for (k in 2:K) {
      lp += (K - k + 2 * eta - 2) * log(L[k, k]);
    }
    return lp;
  }
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y_y1;  // response variable
  int<lower=1> K_y1;  // number of population-level effects
  matrix[N, K_y1] X_y1;  // population-level design matrix
  array[N] int Y_count;  // response variable
  int<lower=1> K_count;  // number of population-level effects
  matrix[N, K_count] X_count;  // population-level design matrix
  // data for group-level effects of ID 1
  int<lower=1> N_1;  // number of grouping levels
  int<lower=1> M_1;  // number of coefficients per level
  array[N] int<lower=1> J_1;  // grouping indicator per observation
  // group-level predictor values
  vector[N] Z_1_y1_1;
  vector[N] Z_1_count_2;
  int<lower=1> NC_1;  // number of group-level correlations
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_y1_df;
  real prior_Intercept_y1_loc;
  real prior_Intercept_y1_scale;
  real prior_Intercept_count_df;
  real prior_Intercept_count_loc;
  real prior_Intercept_count_scale;
  real prior_sigma_y1_df;
  real prior_sigma_y1_loc;
  real prior_sigma_y1_scale;
  vector[M_1] prior_sd_1_df;
  vector[M_1] prior_sd_1_loc;
  vector[M_1] prior_sd_1_scale;
  real prior_L_1_eta;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_y1 = K_y1 - 1;
  matrix[N, Kc_y1] Xc_y1;  // centered version of X_y1 without an intercept
  vector[Kc_y1] means_X_y1;  // column means of X_y1 before centering
  int Kc_count = K_count - 1;
  matrix[N, Kc_count] Xc_count;  // centered version of X_count without an intercept
  vector[Kc_count] means_X_count;  // column means of X_count before centering
  real lkj_norm_L_1 = lkj_corr_cholesky_lpdf(identity_matrix(M_1) | prior_L_1_eta);  // log normalizing constant of L_1's LKJ prior
  for (i in 2:K_y1) {
    means_X_y1[i - 1] = mean(X_y1[, i]);
    Xc_y1[, i - 1] = X_y1[, i] - means_X_y1[i - 1];
  }
  for (i in 2:K_count) {
    means_X_count[i - 1] = mean(X_count[, i]);
    Xc_count[, i - 1] = X_count[, i] - means_X_count[i - 1];
  }
}
parameters {
  vector[Kc_y1] b_y1;  // regression coefficients
  real Intercept_y1;  // temporary intercept for centered predictors
  real<lower=0> sigma_y1;  // dispersion parameter
  vector[Kc_count] b_count;  // regression coefficients
  real Intercept_count;  // temporary intercept for centered predictors
  vector<lower=0>[M_1] sd_1;  // group-level standard deviations (1 | ID | g)
  matrix[M_1, N_1] z_1;  // standardized group-level effects
  cholesky_factor_corr[M_1] L_1;  // cholesky factor of correlation matrix
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  matrix[N_1, M_1] r_1;  // actual group-level effects
  // using vectors speeds up indexing in loops
  vector[N_1] r_1_y1_1;
  vector[N_1] r_1_count_2;
  // compute actual group-level effects of (1 | ID | g)
  r_1 = scale_r_cor(z_1, sd_1, L_1);
  r_1_y1_1 = r_1[, 1];
  r_1_count_2 = r_1[, 2];
  lprior += student_t_lpdf(Intercept_y1 | prior_Intercept_y1_df, prior_Intercept_y1_loc, prior_Intercept_y1_scale);
  lprior += student_t_lpdf(Intercept_count | prior_Intercept_count_df, prior_Intercept_count_loc, prior_Intercept_count_scale);
  lprior += student_t_lpdf(sigma_y1 | prior_sigma_y1_df, prior_sigma_y1_loc, prior_sigma_y1_scale)
    - student_t_lccdf(0 | prior_sigma_y1_df, prior_sigma_y1_loc, prior_sigma_y1_scale);
  lprior += student_t_lpdf(sd_1 | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale)
    - student_t_lccdf(rep_vector(0, M_1) | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale);
  lprior += lkj_corr_cholesky_norm_lpdf(L_1 | prior_L_1_eta, lkj_norm_L_1);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu_y1 = rep_vector(0.0, N);
    // initialize linear predictor term
    vector[N] mu_count = rep_vector(0.0, N);
    mu_y1 += Intercept_y1;
    // add group-level effects to mu_y1
    mu_y1 += r_1_y1_1[J_1] .* Z_1_y1_1;
    mu_count += Intercept_count;
    // add group-level effects to mu_count
    mu_count += r_1_count_2[J_1] .* Z_1_count_2;
    target += normal_id_glm_lpdf(Y_y1 | Xc_y1, mu_y1, b_y1, sigma_y1);
    target += poisson_log_glm_lpmf(Y_count | Xc_count, mu_count, b_count);
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(to_vector(z_1));
}
generated quantities {
  // actual population-level intercept
  real b_y1_Intercept = Intercept_y1 - dot_product(means_X_y1, b_y1);
  // actual population-level intercept
  real b_count_Intercept = Intercept_count - dot_product(means_X_count, b_count);
  // compute group-level correlations
  corr_matrix[M_1] Cor_1 = multiply_lower_tri_self_transpose(L_1);
  vector<lower=-1, upper=1>[NC_1] cor_1;
  // extract upper diagonal of correlation matrix of ID 1
  for (k in 1:M_1) {
    for (j in 1:(k - 1)) {
      cor_1[choose(k - 1, 2) + j] = Cor_1[j, k];
    }
  }
}
