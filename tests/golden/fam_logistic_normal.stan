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
  int<lower=1> K_mup2;  // number of population-level effects
  matrix[N, K_mup2] X_mup2;  // population-level design matrix
  int<lower=1> K_mup3;  // number of population-level effects
  matrix[N, K_mup3] X_mup3;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_mup2_df;
  real prior_Intercept_mup2_loc;
  real prior_Intercept_mup2_scale;
  real prior_Intercept_mup3_df;
  real prior_Intercept_mup3_loc;
  real prior_Intercept_mup3_scale;
  real prior_sigmap2_df;
  real prior_sigmap2_loc;
  real prior_sigmap2_scale;
  real prior_sigmap3_df;
  real prior_sigmap3_loc;
  real prior_sigmap3_scale;
  real prior_Llncor_eta;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_mup2 = K_mup2 - 1;
  matrix[N, Kc_mup2] Xc_mup2;  // centered version of X_mup2 without an intercept
  vector[Kc_mup2] means_X_mup2;  // column means of X_mup2 before centering
  int Kc_mup3 = K_mup3 - 1;
  matrix[N, Kc_mup3] Xc_mup3;  // centered version of X_mup3 without an intercept
  vector[Kc_mup3] means_X_mup3;  // column means of X_mup3 before centering
  // number of logistic normal correlations
  int nlncor = choose(ncat - 1, 2);
  for (i in 2:K_mup2) {
    means_X_mup2[i - 1] = mean(X_mup2[, i]);
    Xc_mup2[, i - 1] = X_mup2[, i] - means_X_mup2[i - 1];
  }
  for (i in 2:K_mup3) {
    means_X_mup3[i - 1] = mean(X_mup3[, i]);
    Xc_mup3[, i - 1] = X_mup3[, i] - means_X_mup3[i - 1];
  }
}
parameters {
  vector[Kc_mup2] b_mup2;  // regression coefficients
  real Intercept_mup2;  // temporary intercept for centered predictors
  vector[Kc_mup3] b_mup3;  // regression coefficients
  real Intercept_mup3;  // temporary intercept for centered predictors
  real<lower=0> sigmap2;  // dispersion parameter
  real<lower=0> sigmap3;  // dispersion parameter
  cholesky_factor_corr[ncat - 1] Llncor;  // logistic-normal Cholesky correlation matrix
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept_mup2 | prior_Intercept_mup2_df, prior_Intercept_mup2_loc, prior_Intercept_mup2_scale);
  lprior += student_t_lpdf(Intercept_mup3 | prior_Intercept_mup3_df, prior_Intercept_mup3_loc, prior_Intercept_mup3_scale);
  lprior += student_t_lpdf(sigmap2 | prior_sigmap2_df, prior_sigmap2_loc, prior_sigmap2_scale)
    - student_t_lccdf(0 | prior_sigmap2_df, prior_sigmap2_loc, prior_sigmap2_scale);
  lprior += student_t_lpdf(sigmap3 | prior_sigmap3_df, prior_sigmap3_loc, prior_sigmap3_scale)
    - student_t_lccdf(0 | prior_sigmap3_df, prior_sigmap3_loc, prior_sigmap3_scale);
  lprior += lkj_corr_cholesky_lpdf(Llncor | prior_Llncor_eta);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of mup2
    vector[N] mup2 = rep_vector(0.0, N);
    // initialize linear predictor term of mup3
    vector[N] mup3 = rep_vector(0.0, N);
    // linear predictor matrix
    array[N] vector[ncat - 1] mu;
    // sigma parameter vector
    vector[ncat - 1] sigma = transpose([sigmap2, sigmap3]);
    mup2 += Intercept_mup2 + Xc_mup2 * b_mup2;
    mup3 += Intercept_mup3 + Xc_mup3 * b_mup3;
    for (n in 1:N) {
      mu[n] = transpose([mup2[n], mup3[n]]);
    }
    for (n in 1:N) {
      target += logistic_normal_cholesky_cor_lpdf(Y[n] | mu[n], sigma, Llncor, 1);
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_mup2_Intercept = Intercept_mup2 - dot_product(means_X_mup2, b_mup2);
  // actual population-level intercept
  real b_mup3_Intercept = Intercept_mup3 - dot_product(means_X_mup3, b_mup3);
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
