// generated with brmspy
functions {
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
  // sufficient statistics of the gaussian likelihood (gaussian_marginal; brm(reduce=False): row-wise)
  int<lower=1> Kw;  // columns of W, the population design ([1, Xc] with an intercept)
  real YtY;  // sum of squared responses
  vector[Kw] WtY;  // W' * Y
  matrix[Kw, Kw] WtW;  // W' * W
  int<lower=1> K;  // number of population-level effects
  vector[K - 1] means_X;  // column means of X before centering
  // data for group-level effects of ID 1, summarised per level j
  int<lower=1> N_1;  // number of grouping levels
  int<lower=1> M_1;  // number of coefficients per level
  array[M_1, M_1] vector[N_1] ZtZ_1;  // Z_j' * Z_j by level
  array[M_1] matrix[N_1, Kw] ZtW_1;  // Z_j' * W_j by level
  array[M_1] vector[N_1] ZtY_1;  // Z_j' * Y_j by level
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
  real lkj_norm_L_1 = lkj_corr_cholesky_lpdf(identity_matrix(M_1) | prior_L_1_eta);  // log normalizing constant of L_1's LKJ prior
}
parameters {
  vector[Kc] b;  // regression coefficients
  real Intercept;  // temporary intercept for centered predictors
  real<lower=0> sigma;  // dispersion parameter
  vector<lower=0>[M_1] sd_1;  // group-level standard deviations (Days | Subject)
  cholesky_factor_corr[M_1] L_1;  // cholesky factor of correlation matrix
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
  lprior += student_t_lpdf(sd_1 | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale)
    - student_t_lccdf(rep_vector(0, M_1) | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale);
  lprior += lkj_corr_cholesky_norm_lpdf(L_1 | prior_L_1_eta, lkj_norm_L_1);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // exact reduction: the group-level effects of ID 1 are integrated out level by level,
    // Y_j ~ multi_normal(W_j * beta, sigma^2 * I + Z_j * Sigma_1 * Z_j'), from cross-products
    // (brm(reduce=False) gives the row-wise program; r_1_* are drawn in generated quantities)
    matrix[M_1, M_1] Lr = diag_pre_multiply(sd_1, L_1);  // cholesky factor of Sigma_1
    vector[Kw] beta = append_row(Intercept, b);
    real sigma2 = square(sigma);
    // per level (vectors over levels): P = ZtZ * Lr (lower triangle)
    vector[N_1] P_11 = ZtZ_1[1, 1] * Lr[1, 1] + ZtZ_1[1, 2] * Lr[2, 1];
    vector[N_1] P_21 = ZtZ_1[1, 2] * Lr[1, 1] + ZtZ_1[2, 2] * Lr[2, 1];
    vector[N_1] P_22 = ZtZ_1[2, 2] * Lr[2, 2];
    // B = Lr' * P + sigma2 * I = C * C' (lower triangles, cholesky unrolled)
    vector[N_1] B_11 = Lr[1, 1] * P_11 + Lr[2, 1] * P_21 + sigma2;
    vector[N_1] B_21 = Lr[2, 2] * P_21;
    vector[N_1] B_22 = Lr[2, 2] * P_22 + sigma2;
    vector[N_1] C_11 = sqrt(B_11);
    vector[N_1] C_21 = B_21 ./ C_11;
    vector[N_1] C_22 = sqrt(B_22 - square(C_21));
    // v = C \ (Lr' * Z'(Y - W * beta))
    vector[N_1] d_1 = ZtY_1[1] - ZtW_1[1] * beta;
    vector[N_1] d_2 = ZtY_1[2] - ZtW_1[2] * beta;
    vector[N_1] v_1 = (Lr[1, 1] * d_1 + Lr[2, 1] * d_2) ./ C_11;
    vector[N_1] v_2 = (Lr[2, 2] * d_2 - C_21 .* v_1) ./ C_22;
    // sum of squared residuals of the population part over all rows, minus what the effects explain
    real quad = YtY - 2 * dot_product(beta, WtY) + quad_form(WtW, beta)
                - dot_self(v_1) - dot_self(v_2);
    real logdet = (N - N_1 * M_1) * log(sigma2) + 2 * (sum(log(C_11)) + sum(log(C_22)));
    target += -0.5 * (N * log(2 * pi()) + logdet + quad / sigma2);
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
  // compute group-level correlations
  corr_matrix[M_1] Cor_1 = multiply_lower_tri_self_transpose(L_1);
  vector<lower=-1, upper=1>[NC_1] cor_1;
  // group-level effects of (Days | Subject), drawn from their exact conditional posterior
  vector[N_1] r_1_1;
  vector[N_1] r_1_2;
  // extract upper diagonal of correlation matrix of ID 1
  for (k in 1:M_1) {
    for (j in 1:(k - 1)) {
      cor_1[choose(k - 1, 2) + j] = Cor_1[j, k];
    }
  }
  {
    matrix[M_1, M_1] Lr = diag_pre_multiply(sd_1, L_1);  // cholesky factor of Sigma_1
    vector[Kw] beta = append_row(Intercept, b);
    real sigma2 = square(sigma);
    // per level (vectors over levels): P = ZtZ * Lr (lower triangle)
    vector[N_1] P_11 = ZtZ_1[1, 1] * Lr[1, 1] + ZtZ_1[1, 2] * Lr[2, 1];
    vector[N_1] P_21 = ZtZ_1[1, 2] * Lr[1, 1] + ZtZ_1[2, 2] * Lr[2, 1];
    vector[N_1] P_22 = ZtZ_1[2, 2] * Lr[2, 2];
    // B = Lr' * P + sigma2 * I = C * C' (lower triangles, cholesky unrolled)
    vector[N_1] B_11 = Lr[1, 1] * P_11 + Lr[2, 1] * P_21 + sigma2;
    vector[N_1] B_21 = Lr[2, 2] * P_21;
    vector[N_1] B_22 = Lr[2, 2] * P_22 + sigma2;
    vector[N_1] C_11 = sqrt(B_11);
    vector[N_1] C_21 = B_21 ./ C_11;
    vector[N_1] C_22 = sqrt(B_22 - square(C_21));
    // v = C \ (Lr' * Z'(Y - W * beta))
    vector[N_1] d_1 = ZtY_1[1] - ZtW_1[1] * beta;
    vector[N_1] d_2 = ZtY_1[2] - ZtW_1[2] * beta;
    vector[N_1] v_1 = (Lr[1, 1] * d_1 + Lr[2, 1] * d_2) ./ C_11;
    vector[N_1] v_2 = (Lr[2, 2] * d_2 - C_21 .* v_1) ./ C_22;
    // standardized effects s = C' \ (v + sigma * e), e ~ std_normal (prior draws if prior_only)
    array[M_1] vector[N_1] s;
    for (m in 1:M_1) {
      s[m] = to_vector(normal_rng(rep_vector(0, N_1), 1));
    }
    if (!prior_only) {
      s[2] = (v_2 + sigma * s[2]) ./ C_22;
      s[1] = (v_1 + sigma * s[1] - C_21 .* s[2]) ./ C_11;
    }
    r_1_1 = Lr[1, 1] * s[1];
    r_1_2 = Lr[2, 1] * s[1] + Lr[2, 2] * s[2];
  }
}
