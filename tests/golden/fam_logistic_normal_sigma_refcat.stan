// generated with brmspy
functions {
  /* multi-logit transform
   * Args:
   *   y: simplex vector of length D
   *   ref: a single integer in 1:D indicating the reference category
   * Returns:
   *   an unbounded real vector of length D - 1
   */
  vector multi_logit(vector y, int ref) {
    vector[rows(y) - 1] x;
    for (i in 1:(ref - 1)) {
      x[i] = log(y[i]) - log(y[ref]);
    }
    for (i in (ref + 1):rows(y)) {
      x[i - 1] = log(y[i]) - log(y[ref]);
    }
    return x;
  }
  /* logistic-normal log-PDF
   * Args:
   *   y: simplex vector of response values (length D)
   *   mu: vector of means on the logit scale (length D-1)
   *   sigma: vector for standard deviations on the logit scale (length D-1)
   *   Lcor: Cholesky correlation matrix on the logit scale (dim D-1)
   *   ref: a single integer in 1:D indicating the reference category
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real logistic_normal_cholesky_cor_lpdf(vector y, vector mu, vector sigma, matrix Lcor, int ref) {
    int D = rows(y);
    vector[D - 1] x = multi_logit(y, ref);
    matrix[D - 1, D - 1] Lcov = diag_pre_multiply(sigma, Lcor);
    // multi-normal plus Jacobian adjustment of multivariate logit transform
    return multi_normal_cholesky_lpdf(x | mu, Lcov) - sum(log(y));
  }
}
data {
  int<lower=1> N;  // total number of observations
  int<lower=2> ncat;  // number of categories
  array[N] vector[ncat] Y;  // response array
  int<lower=1> K_mup1;  // number of population-level effects
  matrix[N, K_mup1] X_mup1;  // population-level design matrix
  int<lower=1> K_mup3;  // number of population-level effects
  matrix[N, K_mup3] X_mup3;  // population-level design matrix
  int<lower=1> K_sigmap3;  // number of population-level effects
  matrix[N, K_sigmap3] X_sigmap3;  // population-level design matrix
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
  vector[N] Z_2_mup3_1;
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_mup1_df;
  real prior_Intercept_mup1_loc;
  real prior_Intercept_mup1_scale;
  real prior_Intercept_mup3_df;
  real prior_Intercept_mup3_loc;
  real prior_Intercept_mup3_scale;
  real prior_Intercept_sigmap3_df;
  real prior_Intercept_sigmap3_loc;
  real prior_Intercept_sigmap3_scale;
  real prior_sigmap1_df;
  real prior_sigmap1_loc;
  real prior_sigmap1_scale;
  real prior_Llncor_eta;
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
  int Kc_mup3 = K_mup3 - 1;
  matrix[N, Kc_mup3] Xc_mup3;  // centered version of X_mup3 without an intercept
  vector[Kc_mup3] means_X_mup3;  // column means of X_mup3 before centering
  int Kc_sigmap3 = K_sigmap3 - 1;
  matrix[N, Kc_sigmap3] Xc_sigmap3;  // centered version of X_sigmap3 without an intercept
  vector[Kc_sigmap3] means_X_sigmap3;  // column means of X_sigmap3 before centering
  // number of logistic normal correlations
  int nlncor = choose(ncat - 1, 2);
  for (i in 2:K_mup1) {
    means_X_mup1[i - 1] = mean(X_mup1[, i]);
    Xc_mup1[, i - 1] = X_mup1[, i] - means_X_mup1[i - 1];
  }
  for (i in 2:K_mup3) {
    means_X_mup3[i - 1] = mean(X_mup3[, i]);
    Xc_mup3[, i - 1] = X_mup3[, i] - means_X_mup3[i - 1];
  }
  for (i in 2:K_sigmap3) {
    means_X_sigmap3[i - 1] = mean(X_sigmap3[, i]);
    Xc_sigmap3[, i - 1] = X_sigmap3[, i] - means_X_sigmap3[i - 1];
  }
}
parameters {
  vector[Kc_mup1] b_mup1;  // regression coefficients
  real Intercept_mup1;  // temporary intercept for centered predictors
  vector[Kc_mup3] b_mup3;  // regression coefficients
  real Intercept_mup3;  // temporary intercept for centered predictors
  vector[Kc_sigmap3] b_sigmap3;  // regression coefficients
  real Intercept_sigmap3;  // temporary intercept for centered predictors
  real<lower=0> sigmap1;  // dispersion parameter
  vector<lower=0>[M_1] sd_1;  // group-level standard deviations (1 | g)
  array[M_1] vector[N_1] z_1;  // standardized group-level effects
  vector<lower=0>[M_2] sd_2;  // group-level standard deviations (1 | g)
  array[M_2] vector[N_2] z_2;  // standardized group-level effects
  cholesky_factor_corr[ncat - 1] Llncor;  // logistic-normal Cholesky correlation matrix
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[N_1] r_1_mup1_1;  // actual group-level effects
  vector[N_2] r_2_mup3_1;  // actual group-level effects
  // compute actual group-level effects of (1 | g)
  r_1_mup1_1 = sd_1[1] * z_1[1];
  // compute actual group-level effects of (1 | g)
  r_2_mup3_1 = sd_2[1] * z_2[1];
  lprior += student_t_lpdf(Intercept_mup1 | prior_Intercept_mup1_df, prior_Intercept_mup1_loc, prior_Intercept_mup1_scale);
  lprior += student_t_lpdf(Intercept_mup3 | prior_Intercept_mup3_df, prior_Intercept_mup3_loc, prior_Intercept_mup3_scale);
  lprior += student_t_lpdf(Intercept_sigmap3 | prior_Intercept_sigmap3_df, prior_Intercept_sigmap3_loc, prior_Intercept_sigmap3_scale);
  lprior += student_t_lpdf(sigmap1 | prior_sigmap1_df, prior_sigmap1_loc, prior_sigmap1_scale)
    - student_t_lccdf(0 | prior_sigmap1_df, prior_sigmap1_loc, prior_sigmap1_scale);
  lprior += lkj_corr_cholesky_lpdf(Llncor | prior_Llncor_eta);
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
    // initialize linear predictor term of mup3
    vector[N] mup3 = rep_vector(0.0, N);
    // initialize linear predictor term of sigmap3
    vector[N] sigmap3 = rep_vector(0.0, N);
    // linear predictor matrix
    array[N] vector[ncat - 1] mu;
    // sigma parameter matrix
    array[N] vector[ncat - 1] sigma;
    mup1 += Intercept_mup1 + Xc_mup1 * b_mup1;
    // add group-level effects to mup1
    mup1 += r_1_mup1_1[J_1] .* Z_1_mup1_1;
    mup3 += Intercept_mup3 + Xc_mup3 * b_mup3;
    // add group-level effects to mup3
    mup3 += r_2_mup3_1[J_2] .* Z_2_mup3_1;
    sigmap3 += Intercept_sigmap3 + Xc_sigmap3 * b_sigmap3;
    sigmap3 = exp(sigmap3);
    for (n in 1:N) {
      mu[n] = transpose([mup1[n], mup3[n]]);
      sigma[n] = transpose([sigmap1, sigmap3[n]]);
    }
    for (n in 1:N) {
      target += logistic_normal_cholesky_cor_lpdf(Y[n] | mu[n], sigma[n], Llncor, 2);
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
  real b_mup3_Intercept = Intercept_mup3 - dot_product(means_X_mup3, b_mup3);
  // actual population-level intercept
  real b_sigmap3_Intercept = Intercept_sigmap3 - dot_product(means_X_sigmap3, b_sigmap3);
  // logistic normal correlations
  corr_matrix[ncat - 1] Lncor = multiply_lower_tri_self_transpose(Llncor);
  vector<lower=-1, upper=1>[nlncor] lncor;
  // extract upper diagonal of the logistic normal correlation matrix
  for (k in 1:ncat - 1) {
    for (j in 1:(k - 1)) {
      lncor[choose(k - 1, 2) + j] = Lncor[j, k];
    }
  }
}
