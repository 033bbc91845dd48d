// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y_y;  // response variable
  int<lower=1> K_y;  // number of population-level effects
  matrix[N, K_y] X_y;  // population-level design matrix
  vector[N] Y_x;  // response variable
  int<lower=0> Nmi_x;  // number of missings
  array[Nmi_x] int<lower=1> Jmi_x;  // positions of missings
  // data of the ARMA structure ar()
  int<lower=0> Kar_x;  // AR order
  int<lower=0> Kma_x;  // MA order
  array[N] int<lower=0> J_lag_x;  // number of earlier residuals of the same series used by the next row
  int<lower=1> nresp;  // number of responses
  int nrescor;  // number of residual correlations
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_y_df;
  real prior_Intercept_y_loc;
  real prior_Intercept_y_scale;
  real prior_Intercept_x_df;
  real prior_Intercept_x_loc;
  real prior_Intercept_x_scale;
  real prior_sigma_y_df;
  real prior_sigma_y_loc;
  real prior_sigma_y_scale;
  real prior_sigma_x_df;
  real prior_sigma_x_loc;
  real prior_sigma_x_scale;
  // prior hyperparameters of the residual correlations
  real prior_Lrescor_eta;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_y = K_y - 1;
  matrix[N, Kc_y] Xc_y;  // centered version of X_y without an intercept
  vector[Kc_y] means_X_y;  // column means of X_y before centering
  int max_lag_x = max(Kar_x, Kma_x);  // number of lagged residuals kept per row
  array[N] vector[nresp] Y;  // response array
  for (i in 2:K_y) {
    means_X_y[i - 1] = mean(X_y[, i]);
    Xc_y[, i - 1] = X_y[, i] - means_X_y[i - 1];
  }
  for (n in 1:N) {
    Y[n] = transpose([Y_y[n], Y_x[n]]);
  }
}
parameters {
  vector[Kc_y] b_y;  // regression coefficients
  real Intercept_y;  // temporary intercept for centered predictors
  real<lower=0> sigma_y;  // dispersion parameter
  vector[Nmi_x] Ymi_x;  // estimated missings
  real Intercept_x;  // temporary intercept for centered predictors
  vector[Kar_x] ar_x;  // autoregressive coefficients
  real<lower=0> sigma_x;  // dispersion parameter
  cholesky_factor_corr[nresp] Lrescor;  // parameters for multivariate linear models
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept_y | prior_Intercept_y_df, prior_Intercept_y_loc, prior_Intercept_y_scale);
  lprior += student_t_lpdf(Intercept_x | prior_Intercept_x_df, prior_Intercept_x_loc, prior_Intercept_x_scale);
  lprior += student_t_lpdf(sigma_y | prior_sigma_y_df, prior_sigma_y_loc, prior_sigma_y_scale)
    - student_t_lccdf(0 | prior_sigma_y_df, prior_sigma_y_loc, prior_sigma_y_scale);
  lprior += student_t_lpdf(sigma_x | prior_sigma_x_df, prior_sigma_x_loc, prior_sigma_x_scale)
    - student_t_lccdf(0 | prior_sigma_x_df, prior_sigma_x_loc, prior_sigma_x_scale);
  lprior += lkj_corr_cholesky_lpdf(Lrescor | prior_Lrescor_eta);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // vector combining observed and missing responses
    vector[N] Yl_x = Y_x;
    // initialize linear predictor term
    vector[N] mu_y = rep_vector(0.0, N);
    // initialize linear predictor term
    vector[N] mu_x = rep_vector(0.0, N);
    // lagged residuals: Err_x[n, i] is the residual i rows before row n in its series
    matrix[N, max_lag_x] Err_x = rep_matrix(0, N, max_lag_x);
    vector[N] err_x;  // residuals
    // response array with the imputed values
    array[N] vector[nresp] Yl = Y;
    // multivariate predictor array
    array[N] vector[nresp] Mu;
    vector[nresp] sigma = transpose([sigma_y, sigma_x]);
    // cholesky factor of residual covariance matrix
    matrix[nresp, nresp] LSigma = diag_pre_multiply(sigma, Lrescor);
    Yl_x[Jmi_x] = Ymi_x;
    mu_y += Intercept_y + Xc_y * b_y;
    mu_x += Intercept_x;
    // add the ARMA terms of ar(), row by row
    for (n in 1:N) {
      err_x[n] = Yl_x[n] - mu_x[n];
      for (i in 1:J_lag_x[n]) {
        Err_x[n + 1, i] = err_x[n + 1 - i];
      }
      mu_x[n] += Err_x[n, 1:Kar_x] * ar_x;
    }
    for (n in 1:N) {
      Yl[n][2] = Yl_x[n];
    }
    // combine univariate parameters
    for (n in 1:N) {
      Mu[n] = transpose([mu_y[n], mu_x[n]]);
    }
    target += multi_normal_cholesky_lpdf(Yl | Mu, LSigma);
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_y_Intercept = Intercept_y - dot_product(means_X_y, b_y);
  // actual population-level intercept
  real b_x_Intercept = Intercept_x;
  // residual correlations
  corr_matrix[nresp] Rescor = multiply_lower_tri_self_transpose(Lrescor);
  vector<lower=-1, upper=1>[nrescor] rescor;
  // extract upper diagonal of the residual correlation matrix
  for (k in 1:nresp) {
    for (j in 1:(k - 1)) {
      rescor[choose(k - 1, 2) + j] = Rescor[j, k];
    }
  }
}
