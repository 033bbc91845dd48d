// generated with brmspy
functions {
  /* log density of series with an unstructured residual correlation (unstr()): one multivariate
   * normal per series, on the rows of the time points the series has
   * Args:
   *   y: response, the series stored one after the other
   *   mu: mean of each row
   *   sigma: residual scale (one value)
   *   Lcor: cholesky factor of the correlation matrix of all time points
   *   nobs, begin, end: number of rows, first row and last row of each series
   *   Jtime: time point (1-based) of each row of each series, 0 after its last row
   */
  real normal_time_hom_flex_lpdf(vector y, vector mu, real sigma, matrix Lcor,
                                 array[] int nobs, array[] int begin, array[] int end, array[,] int Jtime) {
    matrix[rows(Lcor), cols(Lcor)] Cor = multiply_lower_tri_self_transpose(Lcor);
    real lp = 0;
    for (i in 1:size(nobs)) {
      array[nobs[i]] int t = Jtime[i, 1:nobs[i]];
      lp += multi_normal_lpdf(y[begin[i]:end[i]] | mu[begin[i]:end[i]], square(sigma) * Cor[t, t]);
    }
    return lp;
  }
  /* as normal_time_hom_flex_lpdf with one residual scale per row */
  real normal_time_het_flex_lpdf(vector y, vector mu, vector sigma, matrix Lcor,
                                 array[] int nobs, array[] int begin, array[] int end, array[,] int Jtime) {
    matrix[rows(Lcor), cols(Lcor)] Cor = multiply_lower_tri_self_transpose(Lcor);
    real lp = 0;
    for (i in 1:size(nobs)) {
      array[nobs[i]] int t = Jtime[i, 1:nobs[i]];
      lp += multi_normal_lpdf(y[begin[i]:end[i]] | mu[begin[i]:end[i]],
                              quad_form_diag(Cor[t, t], sigma[begin[i]:end[i]]));
    }
    return lp;
  }
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> K_a;  // number of population-level effects
  matrix[N, K_a] X_a;  // population-level design matrix
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
  int<lower=1> K_b;  // number of population-level effects
  matrix[N, K_b] X_b;  // population-level design matrix
  // covariates for non-linear functions
  vector[N] C_1;  // x
  // prior hyperparameters (values: make_standata() / prior_summary())
  vector[K_a] prior_b_a_loc;
  vector[K_a] prior_b_a_scale;
  vector[K_b] prior_b_b_loc;
  vector[K_b] prior_b_b_scale;
  real prior_sigma_df;
  real prior_sigma_loc;
  real prior_sigma_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int max_nobs_tg = max(nobs_tg);  // rows of the largest series
}
parameters {
  vector[K_a] b_a;  // regression coefficients
  cholesky_factor_corr[n_unique_t] Lcortime;  // cholesky factor of the unstructured residual correlation matrix
  vector[K_b] b_b;  // regression coefficients
  real<lower=0> sigma;  // dispersion parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += lkj_corr_cholesky_lpdf(Lcortime | prior_Lcortime_eta);
  lprior += normal_lpdf(b_a | prior_b_a_loc, prior_b_a_scale);
  lprior += normal_lpdf(b_b | prior_b_b_loc, prior_b_b_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of non-linear parameter a
    vector[N] nlp_a = rep_vector(0.0, N);
    // initialize linear predictor term of non-linear parameter b
    vector[N] nlp_b = rep_vector(0.0, N);
    // initialize non-linear predictor term
    vector[N] mu;
    nlp_a += X_a * b_a;
    nlp_b += X_b * b_b;
    for (n in 1:N) {
      // compute non-linear predictor values
      mu[n] = nlp_a[n] * exp(nlp_b[n] * C_1[n]);
    }
    target += normal_time_hom_flex_lpdf(Y | mu, sigma, Lcortime, nobs_tg, begin_tg, end_tg, Jtime_tg);
  }
  // priors including constants
  target += lprior;
}
generated quantities {
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
