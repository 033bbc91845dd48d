// generated with brmspy
functions {
  /* latent residuals with an unstructured correlation of the time points (unstr())
   * Args:
   *   zerr: independent standard normal values, one per row
   *   sderr: standard deviation of the residuals
   *   Lcor: cholesky factor of the correlation matrix of all time points
   *   nobs, begin, end: rows of each series (sorted, contiguous)
   *   Jtime: time point (1-based) of each row of each series, 0 after its last row
   * Returns:
   *   per series, sderr times the cholesky factor of the correlations of its time points times zerr
   */
  vector scale_time_err_flex(vector zerr, real sderr, matrix Lcor,
                             array[] int nobs, array[] int begin, array[] int end, array[,] int Jtime) {
    vector[rows(zerr)] err;
    matrix[rows(Lcor), cols(Lcor)] Cor = multiply_lower_tri_self_transpose(Lcor);
    for (i in 1:size(nobs)) {
      array[nobs[i]] int t = Jtime[i, 1:nobs[i]];
      err[begin[i]:end[i]] = sderr * (cholesky_decompose(Cor[t, t]) * zerr[begin[i]:end[i]]);
    }
    return err;
  }
}
data {
  int<lower=1> N;  // total number of observations
  array[N] int Y;  // response variable
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  // series of the residual covariance structure unstr(time, g)
  int<lower=1> N_tg;  // number of series
  array[N_tg] int<lower=1> begin_tg;  // first row of each series
  array[N_tg] int<lower=1> end_tg;  // last row of each series
  array[N_tg] int<lower=1> nobs_tg;  // number of rows of each series
  array[N_tg, max(nobs_tg)] int<lower=0> Jtime_tg;  // time point of each row of each series (0: none)
  int n_unique_t;  // number of time points
  int n_unique_cortime;  // number of correlations between time points
  // prior hyperparameters of the autocorrelation structure
  real prior_sderr_df;
  real prior_sderr_loc;
  real prior_sderr_scale;
  real prior_Lcortime_eta;
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
  cholesky_factor_corr[n_unique_t] Lcortime;  // cholesky factor of the unstructured residual correlation matrix
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[N] err;  // actual residuals
  // correlated residuals of each series (unstructured correlation of its time points)
  err = scale_time_err_flex(zerr, sderr, Lcortime, nobs_tg, begin_tg, end_tg, Jtime_tg);
  lprior += student_t_lpdf(sderr | prior_sderr_df, prior_sderr_loc, prior_sderr_scale)
    - student_t_lccdf(0 | prior_sderr_df, prior_sderr_loc, prior_sderr_scale);
  lprior += lkj_corr_cholesky_lpdf(Lcortime | prior_Lcortime_eta);
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + Xc * b + err;
    target += poisson_log_lpmf(Y | mu);
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(zerr);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
  // residual correlations of the time points
  corr_matrix[n_unique_t] Cortime = multiply_lower_tri_self_transpose(Lcortime);
  vector<lower=-1, upper=1>[n_unique_cortime] cortime;
  // extract upper diagonal of the residual correlation matrix
  for (k in 1:n_unique_t) {
    for (j in 1:(k - 1)) {
      cortime[choose(k - 1, 2) + j] = Cortime[j, k];
    }
  }
}
