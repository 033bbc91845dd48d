// generated with brmspy
functions {
  /* cholesky factor of the covariance matrix of an AR(1) process with unit innovations
   * Args:
   *   ar: autoregressive coefficient
   *   n: number of rows (time points) of the largest series
   * Returns:
   *   the n x n cholesky factor; a series with fewer rows uses its top-left corner
   */
  matrix cholesky_cor_ar1(real ar, int n) {
    matrix[n, n] C;
    for (i in 1:n) {
      for (j in 1:n) {
        C[i, j] = ar ^ abs(i - j) / (1 - ar ^ 2);
      }
    }
    return cholesky_decompose(C);
  }
  /* log density of series with correlated residuals and known standard errors (se()): one multivariate
   * normal per series whose covariance is sigma^2 * R plus se^2 on the diagonal (brms's *_se_lpdf)
   * Args:
   *   y: response, the series stored one after the other
   *   mu: mean of each row
   *   sigma: residual scale (one value)
   *   se2: squared standard errors of the rows
   *   Lcor: cholesky factor of the residual correlation matrix of the largest series
   *   nobs, begin, end: number of rows, first row and last row of each series
   */
  real normal_time_hom_se_lpdf(vector y, vector mu, real sigma, data vector se2, matrix Lcor,
                               array[] int nobs, array[] int begin, array[] int end) {
    matrix[rows(Lcor), cols(Lcor)] Cov = multiply_lower_tri_self_transpose(sigma * Lcor);
    real lp = 0;
    for (i in 1:size(nobs)) {
      int n = nobs[i];
      lp += multi_normal_lpdf(y[begin[i]:end[i]] | mu[begin[i]:end[i]],
                              add_diag(Cov[1:n, 1:n], se2[begin[i]:end[i]]));
    }
    return lp;
  }
  /* as normal_time_hom_se_lpdf with one residual scale per row */
  real normal_time_het_se_lpdf(vector y, vector mu, vector sigma, data vector se2, matrix Lcor,
                               array[] int nobs, array[] int begin, array[] int end) {
    matrix[rows(Lcor), cols(Lcor)] Cor = multiply_lower_tri_self_transpose(Lcor);
    real lp = 0;
    for (i in 1:size(nobs)) {
      int n = nobs[i];
      lp += multi_normal_lpdf(y[begin[i]:end[i]] | mu[begin[i]:end[i]],
                              add_diag(quad_form_diag(Cor[1:n, 1:n], sigma[begin[i]:end[i]]), se2[begin[i]:end[i]]));
    }
    return lp;
  }
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  vector<lower=0>[N] se;  // known sampling error
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  // data of the ARMA structure ar(time, g, cov = TRUE)
  int<lower=0> Kar;  // AR order
  int<lower=0> Kma;  // MA order
  // series of the residual covariance structure ar(time, g, cov = TRUE)
  int<lower=1> N_tg;  // number of series
  array[N_tg] int<lower=1> begin_tg;  // first row of each series
  array[N_tg] int<lower=1> end_tg;  // last row of each series
  array[N_tg] int<lower=1> nobs_tg;  // number of rows of each series
  int<lower=1> K_sigma;  // number of population-level effects
  matrix[N, K_sigma] X_sigma;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_Intercept_sigma_df;
  real prior_Intercept_sigma_loc;
  real prior_Intercept_sigma_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  vector<lower=0>[N] se2 = square(se);
  int Kc = K - 1;
  matrix[N, Kc] Xc;  // centered version of X without an intercept
  vector[Kc] means_X;  // column means of X before centering
  int max_nobs_tg = max(nobs_tg);  // rows of the largest series
  int Kc_sigma = K_sigma - 1;
  matrix[N, Kc_sigma] Xc_sigma;  // centered version of X_sigma without an intercept
  vector[Kc_sigma] means_X_sigma;  // column means of X_sigma before centering
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
  vector<lower=-1,upper=1>[Kar] ar;  // autoregressive coefficients
  vector[Kc_sigma] b_sigma;  // regression coefficients
  real Intercept_sigma;  // temporary intercept for centered predictors
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(Intercept_sigma | prior_Intercept_sigma_df, prior_Intercept_sigma_loc, prior_Intercept_sigma_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    // initialize linear predictor term of sigma
    vector[N] sigma = rep_vector(0.0, N);
    // cholesky factor of the residual correlation matrix of the largest series
    matrix[max_nobs_tg, max_nobs_tg] Lcortime = cholesky_cor_ar1(ar[1], max_nobs_tg);
    mu += Intercept + Xc * b;
    sigma += Intercept_sigma + Xc_sigma * b_sigma;
    sigma = exp(sigma);
    target += normal_time_het_se_lpdf(Y | mu, sigma, se2, Lcortime, nobs_tg, begin_tg, end_tg);
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
  // actual population-level intercept
  real b_sigma_Intercept = Intercept_sigma - dot_product(means_X_sigma, b_sigma);
}
