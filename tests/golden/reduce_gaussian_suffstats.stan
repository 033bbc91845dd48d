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
  // sufficient statistics of the gaussian likelihood (gaussian_suffstats; brm(reduce=False): row-wise)
  int<lower=1> Kw;  // columns of W, the population design ([1, Xc] with an intercept)
  real YtY;  // sum of squared responses
  real<lower=0> sum_weights;  // sum of the model weights
  // theta = [Intercept, b, r_1_1, r_2_1, r_2_2]; W its row design
  int<lower=1> Kss;  // length of theta
  vector[Kss] WtY;  // W' * Y
  int<lower=1> NZ_WtW;  // non-zeros of W' * W
  vector[NZ_WtW] WtW_w;  // W' * W in CSR form: values
  array[NZ_WtW] int WtW_v;  // column indices
  array[Kss + 1] int WtW_u;  // row starts
  int<lower=1> K;  // number of population-level effects
  vector[K - 1] means_X;  // column means of X before centering
  // data for group-level effects of ID 1
  int<lower=1> N_1;  // number of grouping levels
  int<lower=1> M_1;  // number of coefficients per level
  // group-level predictor values
  // data for group-level effects of ID 2
  int<lower=1> N_2;  // number of grouping levels
  int<lower=1> M_2;  // number of coefficients per level
  // group-level predictor values
  int<lower=1> NC_2;  // number of group-level correlations
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
  real prior_L_2_eta;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc = K - 1;
  real lkj_norm_L_2 = lkj_corr_cholesky_lpdf(identity_matrix(M_2) | prior_L_2_eta);  // log normalizing constant of L_2's LKJ prior
}
parameters {
  vector[Kc] b;  // regression coefficients
  real Intercept;  // temporary intercept for centered predictors
  real<lower=0> sigma;  // dispersion parameter
  vector<lower=0>[M_1] sd_1;  // group-level standard deviations (1 | a)
  array[M_1] vector[N_1] z_1;  // standardized group-level effects
  vector<lower=0>[M_2] sd_2;  // group-level standard deviations (x | b)
  matrix[M_2, N_2] z_2;  // standardized group-level effects
  cholesky_factor_corr[M_2] L_2;  // cholesky factor of correlation matrix
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[N_1] r_1_1;  // actual group-level effects
  matrix[N_2, M_2] r_2;  // actual group-level effects
  // using vectors speeds up indexing in loops
  vector[N_2] r_2_1;
  vector[N_2] r_2_2;
  // compute actual group-level effects of (1 | a)
  r_1_1 = sd_1[1] * z_1[1];
  // compute actual group-level effects of (x | b)
  r_2 = scale_r_cor(z_2, sd_2, L_2);
  r_2_1 = r_2[, 1];
  r_2_2 = r_2[, 2];
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
  lprior += student_t_lpdf(sd_1 | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale)
    - student_t_lccdf(rep_vector(0, M_1) | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale);
  lprior += student_t_lpdf(sd_2 | prior_sd_2_df, prior_sd_2_loc, prior_sd_2_scale)
    - student_t_lccdf(rep_vector(0, M_2) | prior_sd_2_df, prior_sd_2_loc, prior_sd_2_scale);
  lprior += lkj_corr_cholesky_norm_lpdf(L_2 | prior_L_2_eta, lkj_norm_L_2);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // exact reduction: the gaussian likelihood from sufficient statistics,
    // sum(w .* (Y - W * theta)^2) = YtY - 2 * theta' * WtY + theta' * WtW * theta (w: weights or 1)
    // (brm(reduce=False) gives the row-wise program)
    vector[Kss] theta = append_row(append_row(append_row(append_row(Intercept, b), r_1_1), r_2_1), r_2_2);
    real ssr = YtY - 2 * dot_product(theta, WtY)
               + dot_product(theta, csr_matrix_times_vector(Kss, Kss, WtW_w, WtW_v, WtW_u, theta));
    target += -sum_weights * (log(sigma) + 0.5 * log(2 * pi())) - 0.5 * ssr / square(sigma);
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(z_1[1]);
  target += std_normal_lpdf(to_vector(z_2));
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
  // compute group-level correlations
  corr_matrix[M_2] Cor_2 = multiply_lower_tri_self_transpose(L_2);
  vector<lower=-1, upper=1>[NC_2] cor_2;
  // extract upper diagonal of correlation matrix of ID 2
  for (k in 1:M_2) {
    for (j in 1:(k - 1)) {
      cor_2[choose(k - 1, 2) + j] = Cor_2[j, k];
    }
  }
}
