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
  /* log density of series with correlated residuals: one multivariate normal per series
   * Args:
   *   y: response, the series stored one after the other
   *   mu: mean of each row
   *   sigma: residual scale (one value)
   *   Lcor: cholesky factor of the residual correlation matrix of the largest series
   *   nobs, begin, end: number of rows, first row and last row of each series
   */
  real normal_time_hom_lpdf(vector y, vector mu, real sigma, matrix Lcor,
                            array[] int nobs, array[] int begin, array[] int end) {
    real lp = 0;
    for (i in 1:size(nobs)) {
      int n = nobs[i];
      lp += multi_normal_cholesky_lpdf(y[begin[i]:end[i]] | mu[begin[i]:end[i]], sigma * Lcor[1:n, 1:n]);
    }
    return lp;
  }
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> K_a;  // number of population-level effects
  matrix[N, K_a] X_a;  // population-level design matrix
  // series of the residual covariance structure cosy(time, g)
  int<lower=1> N_tg;  // number of series
  array[N_tg] int<lower=1> begin_tg;  // first row of each series
  array[N_tg] int<lower=1> end_tg;  // last row of each series
  array[N_tg] int<lower=1> nobs_tg;  // number of rows of each series
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
  real<lower=0,upper=1> cosy;  // compound symmetry correlation
  vector[K_b] b_b;  // regression coefficients
  real<lower=0> sigma;  // dispersion parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
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
    // cholesky factor of the residual correlation matrix of the largest series
    matrix[max_nobs_tg, max_nobs_tg] Lcortime = cholesky_cor_cosy(cosy, max_nobs_tg);
    nlp_a += X_a * b_a;
    nlp_b += X_b * b_b;
    for (n in 1:N) {
      // compute non-linear predictor values
      mu[n] = nlp_a[n] * exp(nlp_b[n] * C_1[n]);
    }
    target += normal_time_hom_lpdf(Y | mu, sigma, Lcortime, nobs_tg, begin_tg, end_tg);
  }
  // priors including constants
  target += lprior;
}
