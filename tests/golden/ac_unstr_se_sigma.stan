// generated with brmspy
functions {
  /* log density of series with an unstructured residual correlation (unstr()) and known standard errors
   * (se()): one multivariate normal per series on the rows of the time points it has, covariance
   * sigma^2 * R plus se^2 on the diagonal (brms's *_se_flex_lpdf)
   * Args:
   *   y: response, the series stored one after the other
   *   mu: mean of each row
   *   sigma: residual scale (one value)
   *   se2: squared standard errors of the rows
   *   Lcor: cholesky factor of the correlation matrix of all time points
   *   nobs, begin, end: number of rows, first row and last row of each series
   *   Jtime: time point (1-based) of each row of each series, 0 after its last row
   */
  real normal_time_hom_se_flex_lpdf(vector y, vector mu, real sigma, data vector se2, matrix Lcor,
                                    array[] int nobs, array[] int begin, array[] int end, array[,] int Jtime) {
    matrix[rows(Lcor), cols(Lcor)] Cor = multiply_lower_tri_self_transpose(Lcor);
    real lp = 0;
    for (i in 1:size(nobs)) {
      array[nobs[i]] int t = Jtime[i, 1:nobs[i]];
      lp += multi_normal_lpdf(y[begin[i]:end[i]] | mu[begin[i]:end[i]],
                              add_diag(square(sigma) * Cor[t, t], se2[begin[i]:end[i]]));
    }
    return lp;
  }
  /* as normal_time_hom_se_flex_lpdf with one residual scale per row */
  real normal_time_het_se_flex_lpdf(vector y, vector mu, vector sigma, data vector se2, matrix Lcor,
                                    array[] int nobs, array[] int begin, array[] int end, array[,] int Jtime) {
    matrix[rows(Lcor), cols(Lcor)] Cor = multiply_lower_tri_self_transpose(Lcor);
    real lp = 0;
    for (i in 1:size(nobs)) {
      array[nobs[i]] int t = Jtime[i, 1:nobs[i]];
      lp += multi_normal_lpdf(y[begin[i]:end[i]] | mu[begin[i]:end[i]],
                              add_diag(quad_form_diag(Cor[t, t], sigma[begin[i]:end[i]]), se2[begin[i]:end[i]]));
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
  // series of the residual covariance structure unstr(time, g)
  int<lower=1> N_tg;  // number of series
  array[N_tg] int<lower=1> begin_tg;  // first row of each series
  array[N_tg] int<lower=1> end_tg;  // last row of each series
  array[N_tg] int<lower=1> nobs_tg;  // number of rows of each series
  array[N_tg, max(nobs_tg)] int<lower=0> Jtime_tg;  // time point of each row of each series (0: none)
  int n_unique_t;  // number of time points
  int n_unique_cortime;  // number of correlations between time points
  // prior hyperparameters of the autocorrelation structure
  real prior_Lcortime_eta;
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
  cholesky_factor_corr[n_unique_t] Lcortime;  // cholesky factor of the unstructured residual correlation matrix
  real<lower=0> sigma;  // dispersion parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += lkj_corr_cholesky_lpdf(Lcortime | prior_Lcortime_eta);
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + Xc * b;
    target += normal_time_hom_se_flex_lpdf(Y | mu, sigma, se2, Lcortime, nobs_tg, begin_tg, end_tg, Jtime_tg);
  }
  // priors including constants
  target += lprior;
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
