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
  array[N] int Y;  // response variable
  int<lower=2> nthres;  // number of thresholds
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  int<lower=1> Kcs;  // number of category-specific effects
  matrix[N, Kcs] Xcs;  // category-specific design matrix
  real<lower=0> disc;  // fixed discrimination parameter
  // data for group-level effects of ID 1
  int<lower=1> N_1;  // number of grouping levels
  int<lower=1> M_1;  // number of coefficients per level
  array[N] int<lower=1> J_1;  // grouping indicator per observation
  // group-level predictor values
  vector[N] Z_1_1;
  vector[N] Z_1_2;
  vector[N] Z_1_3;
  vector[N] Z_1_4;
  vector[N] Z_1_5;
  vector[N] Z_1_6;
  int<lower=1> NC_1;  // number of group-level correlations
  // prior hyperparameters (values: make_standata() / prior_summary())
  vector[nthres] prior_Intercept_df;
  vector[nthres] prior_Intercept_loc;
  vector[nthres] prior_Intercept_scale;
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
  matrix[N, nthres + 1] Yind = rep_matrix(0, N, nthres + 1);  // one-hot Y
  for (i in 2:K) {
    means_X[i - 1] = mean(X[, i]);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
  for (n in 1:N) Yind[n, Y[n]] = 1;
}
parameters {
  vector[Kc] b;  // regression coefficients
  vector[nthres] Intercept;  // temporary thresholds for centered predictors
  matrix[Kcs, nthres] bcs;  // category-specific effects
  vector<lower=0>[M_1] sd_1;  // group-level standard deviations (1 + cs(z) | g)
  matrix[M_1, N_1] z_1;  // standardized group-level effects
  cholesky_factor_corr[M_1] L_1;  // cholesky factor of correlation matrix
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  matrix[N_1, M_1] r_1;  // actual group-level effects
  // using vectors speeds up indexing in loops
  vector[N_1] r_1_1;
  vector[N_1] r_1_2;
  vector[N_1] r_1_3;
  vector[N_1] r_1_4;
  vector[N_1] r_1_5;
  vector[N_1] r_1_6;
  // compute actual group-level effects of (1 + cs(z) | g)
  r_1 = scale_r_cor(z_1, sd_1, L_1);
  r_1_1 = r_1[, 1];
  r_1_2 = r_1[, 2];
  r_1_3 = r_1[, 3];
  r_1_4 = r_1[, 4];
  r_1_5 = r_1[, 5];
  r_1_6 = r_1[, 6];
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(sd_1 | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale)
    - student_t_lccdf(rep_vector(0, M_1) | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale);
  lprior += lkj_corr_cholesky_norm_lpdf(L_1 | prior_L_1_eta, lkj_norm_L_1);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Xc * b;
    // category-specific effects shift each threshold
    matrix[N, nthres] mucs = Xcs * bcs;
    mucs[, 1] += r_1_1[J_1] .* Z_1_1 + r_1_4[J_1] .* Z_1_4;
    mucs[, 2] += r_1_2[J_1] .* Z_1_2 + r_1_5[J_1] .* Z_1_5;
    mucs[, 3] += r_1_3[J_1] .* Z_1_3 + r_1_6[J_1] .* Z_1_6;
    {
      matrix[N, nthres] acat_x = disc * (rep_matrix(mu, nthres) - (rep_matrix(transpose(Intercept), N) - mucs));
      matrix[N, nthres + 1] acat_sum;
      vector[N] acat_max;
      vector[N] acat_total = rep_vector(0, N);
      acat_sum[, 1] = rep_vector(0, N);
      for (k in 1:nthres) {
        acat_sum[, k + 1] = acat_sum[, k] + acat_x[, k];
      }
      acat_max = acat_sum[, 1];
      for (k in 2:(nthres + 1)) {
        acat_max = fmax(acat_max, acat_sum[, k]);
      }
      for (k in 1:(nthres + 1)) {
        acat_total += exp(acat_sum[, k] - acat_max);
      }
      target += sum(Yind .* acat_sum) - sum(acat_max + log(acat_total));
    }
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(to_vector(z_1));
}
generated quantities {
  // thresholds on the scale of the uncentered predictors
  vector[nthres] b_Intercept = Intercept + dot_product(means_X, b);
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
