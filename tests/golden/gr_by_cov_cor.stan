// generated with brmspy
functions {
  /* compute correlated group-level effects with 'by' variables
   * Args:
   *   z: matrix of unscaled group-level effects
   *   SD: matrix of standard deviation parameters
   *   L: an array of cholesky factor correlation matrices
   *   Jby: index which grouping level belongs to which by level
   * Returns:
   *   matrix of scaled group-level effects
   */
  matrix scale_r_cor_by(matrix z, matrix SD, array[] matrix L, array[] int Jby) {
    // r is stored in another dimension order than z
    matrix[cols(z), rows(z)] r;
    array[size(L)] matrix[rows(L[1]), cols(L[1])] LC;
    for (i in 1:size(LC)) {
      LC[i] = diag_pre_multiply(SD[, i], L[i]);
    }
    for (j in 1:rows(r)) {
      r[j] = transpose(LC[Jby[j]] * z[, j]);
    }
    return r;
  }
  /* compute correlated group-level effects with 'by' variables and a known covariance matrix
   * Args:
   *   z: matrix of unscaled group-level effects
   *   SD: matrix of standard deviation parameters
   *   L: an array of cholesky factor correlation matrices
   *   Jby: index which grouping level belongs to which by level
   *   Lcov: cholesky factor of the known covariance matrix
   * Returns:
   *   matrix of scaled group-level effects
   */
  matrix scale_r_cor_by_cov(matrix z, matrix SD, array[] matrix L, array[] int Jby, matrix Lcov) {
    // brms's kronecker product: level i gets sum_j Lcov[i, j] * diag_pre_multiply(SD[, Jby[j]], L[Jby[j]]) * z[, j]
    return Lcov * scale_r_cor_by(z, SD, L, Jby);
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
  vector[N] Y;  // response variable
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  // data for group-level effects of ID 1
  int<lower=1> N_1;  // number of grouping levels
  int<lower=1> M_1;  // number of coefficients per level
  array[N] int<lower=1> J_1;  // grouping indicator per observation
  matrix[N_1, N_1] Lcov_1;  // cholesky factor of known covariance matrix
  int<lower=1> Nby_1;  // number of by-factor levels
  array[N_1] int<lower=1> Jby_1;  // by-factor indicator per level
  // group-level predictor values
  vector[N] Z_1_1;
  vector[N] Z_1_2;
  int<lower=1> NC_1;  // number of group-level correlations
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
  real prior_L_1_eta;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc = K - 1;
  matrix[N, Kc] Xc;  // centered version of X without an intercept
  vector[Kc] means_X;  // column means of X before centering
  real lkj_norm_L_1 = lkj_corr_cholesky_lpdf(identity_matrix(M_1) | prior_L_1_eta);  // log normalizing constant of L_1's LKJ prior
  for (i in 2:K) {
    means_X[i - 1] = mean(X[, i]);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
}
parameters {
  vector[Kc] b;  // regression coefficients
  real Intercept;  // temporary intercept for centered predictors
  real<lower=0> sigma;  // dispersion parameter
  matrix<lower=0>[M_1, Nby_1] sd_1;  // group-level standard deviations (1 + x | gr(g, by = h))
  matrix[M_1, N_1] z_1;  // standardized group-level effects
  array[Nby_1] cholesky_factor_corr[M_1] L_1;  // cholesky factor of correlation matrix
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  matrix[N_1, M_1] r_1;  // actual group-level effects
  // using vectors speeds up indexing in loops
  vector[N_1] r_1_1;
  vector[N_1] r_1_2;
  // compute actual group-level effects of (1 + x | gr(g, by = h))
  r_1 = scale_r_cor_by_cov(z_1, sd_1, L_1, Jby_1, Lcov_1);
  r_1_1 = r_1[, 1];
  r_1_2 = r_1[, 2];
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
  for (i in 1:Nby_1) {
    lprior += student_t_lpdf(sd_1[, i] | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale)
      - student_t_lccdf(rep_vector(0, M_1) | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale);
  }
  for (i in 1:Nby_1) {
    lprior += lkj_corr_cholesky_norm_lpdf(L_1[i] | prior_L_1_eta, lkj_norm_L_1);
  }
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept;
    // add group-level effects to mu
    mu += r_1_1[J_1] .* Z_1_1;
    mu += r_1_2[J_1] .* Z_1_2;
    target += normal_id_glm_lpdf(Y | Xc, mu, b, sigma);
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(to_vector(z_1));
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
  // compute group-level correlations
  array[Nby_1] corr_matrix[M_1] Cor_1;
  matrix<lower=-1, upper=1>[NC_1, Nby_1] cor_1;
  // extract upper diagonal of correlation matrices of ID 1
  for (i in 1:Nby_1) {
    Cor_1[i] = multiply_lower_tri_self_transpose(L_1[i]);
    for (k in 1:M_1) {
      for (j in 1:(k - 1)) {
        cor_1[choose(k - 1, 2) + j, i] = Cor_1[i][j, k];
      }
    }
  }
}
