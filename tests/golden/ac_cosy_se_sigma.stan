// generated with brmspy
functions {
  /* cholesky factor of a compound symmetry correlation matrix
   * Args:
   *   cosy: correlation between any two time points of a series
   *   n: number of rows (time points) of the largest series
   * Returns:
   *   the n x n cholesky factor; a series with fewer rows uses its top-left corner
   */
  matrix cholesky_cor_cosy(real cosy, int n) {
    // ones on the diagonal, 'cosy' everywhere else
    return cholesky_decompose(add_diag(rep_matrix(cosy, n, n), 1 - cosy));
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
  // series of the residual covariance structure cosy(time, g)
  int<lower=1> N_tg;  // number of series
  array[N_tg] int<lower=1> begin_tg;  // first row of each series
  array[N_tg] int<lower=1> end_tg;  // last row of each series
  array[N_tg] int<lower=1> nobs_tg;  // number of rows of each series
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_sigma_df;
  real prior_sigma_loc;
  real prior_sigma_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  vector<lower=0>[N] se2 = square(se);
  int Kc = K - 1;
  matrix[N, Kc] Xc;  // centered version of X without an intercept
  vector[Kc] means_X;  // column means of X before centering
  int max_nobs_tg = max(nobs_tg);  // rows of the largest series
  for (i in 2:K) {
    means_X[i - 1] = mean(X[, i]);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
}
parameters {
  vector[Kc] b;  // regression coefficients
  real Intercept;  // temporary intercept for centered predictors
  real<lower=0,upper=1> cosy;  // compound symmetry correlation
  real<lower=0> sigma;  // dispersion parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    // cholesky factor of the residual correlation matrix of the largest series
    matrix[max_nobs_tg, max_nobs_tg] Lcortime = cholesky_cor_cosy(cosy, max_nobs_tg);
    mu += Intercept + Xc * b;
    target += normal_time_hom_se_lpdf(Y | mu, sigma, se2, Lcortime, nobs_tg, begin_tg, end_tg);
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
