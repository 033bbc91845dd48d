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
  /* integer sequence of values
   * Args:
   *   start: starting integer
   *   end: ending integer
   * Returns:
   *   an integer sequence from start to end
   */
  array[] int sequence(int start, int end) {
    array[end - start + 1] int seq;
    for (n in 1:num_elements(seq)) {
      seq[n] = n + start - 1;
    }
    return seq;
  }
  // compute partial sums of the log-likelihood
  real partial_log_lik_lpmf(array[] int seq, int start, int end, data vector Y, data vector weights,
                            data array[] int J_1, data vector Z_1_1, data vector Z_1_2,
                            data array[] int J_2, data vector Z_2_1, data matrix Xc,
                            data matrix Xc_sigma, vector b, real Intercept, vector b_sigma,
                            real Intercept_sigma, vector r_1_1, vector r_1_2, vector r_2_1) {
    real ptarget = 0;
    int N = end - start + 1;
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    // initialize linear predictor term of sigma
    vector[N] sigma = rep_vector(0.0, N);
    mu += Intercept + Xc[start:end] * b;
    // add group-level effects to mu
    mu += r_1_1[J_1[start:end]] .* Z_1_1[start:end];
    mu += r_1_2[J_1[start:end]] .* Z_1_2[start:end];
    mu += r_2_1[J_2[start:end]] .* Z_2_1[start:end];
    sigma += Intercept_sigma + Xc_sigma[start:end] * b_sigma;
    sigma = exp(sigma);
    for (n in 1:N) {
      int nn = n + start - 1;
      ptarget += weights[nn] * normal_lpdf(Y[nn] | mu[n], sigma[n]);
    }
    return ptarget;
  }
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  vector<lower=0>[N] weights;  // model weights
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  int<lower=1> K_sigma;  // number of population-level effects
  matrix[N, K_sigma] X_sigma;  // population-level design matrix
  // data for group-level effects of ID 1
  int<lower=1> N_1;  // number of grouping levels
  int<lower=1> M_1;  // number of coefficients per level
  array[N] int<lower=1> J_1;  // grouping indicator per observation
  // group-level predictor values
  vector[N] Z_1_1;
  vector[N] Z_1_2;
  int<lower=1> NC_1;  // number of group-level correlations
  // data for group-level effects of ID 2
  int<lower=1> N_2;  // number of grouping levels
  int<lower=1> M_2;  // number of coefficients per level
  array[N] int<lower=1> J_2;  // grouping indicator per observation
  // group-level predictor values
  vector[N] Z_2_1;
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_Intercept_sigma_df;
  real prior_Intercept_sigma_loc;
  real prior_Intercept_sigma_scale;
  vector[M_1] prior_sd_1_df;
  vector[M_1] prior_sd_1_loc;
  vector[M_1] prior_sd_1_scale;
  real prior_L_1_eta;
  vector[M_2] prior_sd_2_df;
  vector[M_2] prior_sd_2_loc;
  vector[M_2] prior_sd_2_scale;
  int<lower=1> grainsize;  // grainsize for threading
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc = K - 1;
  matrix[N, Kc] Xc;  // centered version of X without an intercept
  vector[Kc] means_X;  // column means of X before centering
  int Kc_sigma = K_sigma - 1;
  matrix[N, Kc_sigma] Xc_sigma;  // centered version of X_sigma without an intercept
  vector[Kc_sigma] means_X_sigma;  // column means of X_sigma before centering
  real lkj_norm_L_1 = lkj_corr_cholesky_lpdf(identity_matrix(M_1) | prior_L_1_eta);  // log normalizing constant of L_1's LKJ prior
  array[N] int seq = sequence(1, N);  // row indices sliced by reduce_sum
  for (i in 2:K) {
    means_X[i - 1] = mean(X[, i]);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
  for (i in 2:K_sigma) {
    means_X_sigma[i - 1] = mean(X_sigma[, i]);
    Xc_sigma[, i - 1] = X_sigma[, i] - means_X_sigma[i - 1];
  }
}
parameters {
  vector[Kc] b;  // regression coefficients
  real Intercept;  // temporary intercept for centered predictors
  vector[Kc_sigma] b_sigma;  // regression coefficients
  real Intercept_sigma;  // temporary intercept for centered predictors
  vector<lower=0>[M_1] sd_1;  // group-level standard deviations (x | g)
  matrix[M_1, N_1] z_1;  // standardized group-level effects
  cholesky_factor_corr[M_1] L_1;  // cholesky factor of correlation matrix
  vector<lower=0>[M_2] sd_2;  // group-level standard deviations (1 || h)
  array[M_2] vector[N_2] z_2;  // standardized group-level effects
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  matrix[N_1, M_1] r_1;  // actual group-level effects
  // using vectors speeds up indexing in loops
  vector[N_1] r_1_1;
  vector[N_1] r_1_2;
  vector[N_2] r_2_1;  // actual group-level effects
  // compute actual group-level effects of (x | g)
  r_1 = scale_r_cor(z_1, sd_1, L_1);
  r_1_1 = r_1[, 1];
  r_1_2 = r_1[, 2];
  // compute actual group-level effects of (1 || h)
  r_2_1 = sd_2[1] * z_2[1];
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(Intercept_sigma | prior_Intercept_sigma_df, prior_Intercept_sigma_loc, prior_Intercept_sigma_scale);
  lprior += student_t_lpdf(sd_1 | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale)
    - student_t_lccdf(rep_vector(0, M_1) | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale);
  lprior += lkj_corr_cholesky_norm_lpdf(L_1 | prior_L_1_eta, lkj_norm_L_1);
  lprior += student_t_lpdf(sd_2 | prior_sd_2_df, prior_sd_2_loc, prior_sd_2_scale)
    - student_t_lccdf(rep_vector(0, M_2) | prior_sd_2_df, prior_sd_2_loc, prior_sd_2_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // likelihood summed over slices of rows, in parallel with threads
    target += reduce_sum(partial_log_lik_lpmf, seq, grainsize, Y, weights, J_1, Z_1_1, Z_1_2, J_2,
                         Z_2_1, Xc, Xc_sigma, b, Intercept, b_sigma, Intercept_sigma, r_1_1, r_1_2,
                         r_2_1);
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(to_vector(z_1));
  target += std_normal_lpdf(z_2[1]);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
  // actual population-level intercept
  real b_sigma_Intercept = Intercept_sigma - dot_product(means_X_sigma, b_sigma);
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
