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
  /* latent residuals correlated within each series
   * Args:
   *   zerr: independent standard normal values, one per row
   *   sderr: standard deviation of the residuals
   *   chol_cor: Cholesky factor of the correlation matrix of the longest series
   *   nobs, begin, end: rows of each series (sorted, contiguous)
   * Returns:
   *   sderr times the leading block of chol_cor times zerr, series by series
   */
  vector scale_time_err(vector zerr, real sderr, matrix chol_cor,
                        array[] int nobs, array[] int begin, array[] int end) {
    vector[rows(zerr)] err;
    for (i in 1:size(nobs)) {
      err[begin[i]:end[i]] = sderr * chol_cor[1:nobs[i], 1:nobs[i]] * zerr[begin[i]:end[i]];
    }
    return err;
  }
}
data {
  int<lower=1> N;  // total number of observations
  array[N] int Y;  // response variable
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  // series of the residual covariance structure cosy(time = t, gr = g)
  int<lower=1> N_tg;  // number of series
  array[N_tg] int<lower=1> begin_tg;  // first row of each series
  array[N_tg] int<lower=1> end_tg;  // last row of each series
  array[N_tg] int<lower=1> nobs_tg;  // number of rows of each series
  // prior hyperparameters of the autocorrelation structure
  real prior_sderr_df;
  real prior_sderr_loc;
  real prior_sderr_scale;
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
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
  vector[N] zerr;  // unscaled residuals
  real<lower=0> sderr;  // SD of residuals
  real<lower=0,upper=1> cosy;  // compound symmetry correlation
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[N] err;  // actual residuals
  {
    // correlated residuals of each series (the Cholesky factor is not kept with the draws)
    matrix[max_nobs_tg, max_nobs_tg] Lcortime = cholesky_cor_cosy(cosy, max_nobs_tg);
    err = scale_time_err(zerr, sderr, Lcortime, nobs_tg, begin_tg, end_tg);
  }
  lprior += student_t_lpdf(sderr | prior_sderr_df, prior_sderr_loc, prior_sderr_scale)
    - student_t_lccdf(0 | prior_sderr_df, prior_sderr_loc, prior_sderr_scale);
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + Xc * b + err;
    target += bernoulli_logit_lpmf(Y | mu);
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(zerr);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
