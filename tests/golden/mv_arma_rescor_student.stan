// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y_y;  // response variable
  int<lower=1> K_y;  // number of population-level effects
  matrix[N, K_y] X_y;  // population-level design matrix
  // data of the ARMA structure arma(tim, g)
  int<lower=0> Kar_y;  // AR order
  int<lower=0> Kma_y;  // MA order
  array[N] int<lower=0> J_lag_y;  // number of earlier residuals of the same series used by the next row
  vector[N] Y_x;  // response variable
  int<lower=1> K_x;  // number of population-level effects
  matrix[N, K_x] X_x;  // population-level design matrix
  // data of the ARMA structure arma(tim, g)
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
  real prior_nu_shape;
  real prior_nu_rate;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_y = K_y - 1;
  matrix[N, Kc_y] Xc_y;  // centered version of X_y without an intercept
  vector[Kc_y] means_X_y;  // column means of X_y before centering
  int max_lag_y = max(Kar_y, Kma_y);  // number of lagged residuals kept per row
  int Kc_x = K_x - 1;
  matrix[N, Kc_x] Xc_x;  // centered version of X_x without an intercept
  vector[Kc_x] means_X_x;  // column means of X_x before centering
  int max_lag_x = max(Kar_x, Kma_x);  // number of lagged residuals kept per row
  array[N] vector[nresp] Y;  // response array
  for (i in 2:K_y) {
    means_X_y[i - 1] = mean(X_y[, i]);
    Xc_y[, i - 1] = X_y[, i] - means_X_y[i - 1];
  }
  for (i in 2:K_x) {
    means_X_x[i - 1] = mean(X_x[, i]);
    Xc_x[, i - 1] = X_x[, i] - means_X_x[i - 1];
  }
  for (n in 1:N) {
    Y[n] = transpose([Y_y[n], Y_x[n]]);
  }
}
parameters {
  vector[Kc_y] b_y;  // regression coefficients
  real Intercept_y;  // temporary intercept for centered predictors
  vector[Kar_y] ar_y;  // autoregressive coefficients
  vector[Kma_y] ma_y;  // moving-average coefficients
  real<lower=0> sigma_y;  // dispersion parameter
  vector[Kc_x] b_x;  // regression coefficients
  real Intercept_x;  // temporary intercept for centered predictors
  vector[Kar_x] ar_x;  // autoregressive coefficients
  vector[Kma_x] ma_x;  // moving-average coefficients
  real<lower=0> sigma_x;  // dispersion parameter
  cholesky_factor_corr[nresp] Lrescor;  // parameters for multivariate linear models
  real<lower=1> nu;  // degrees of freedom or shape
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
  lprior += gamma_lpdf(nu | prior_nu_shape, prior_nu_rate)
    - gamma_lccdf(1 | prior_nu_shape, prior_nu_rate);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu_y = rep_vector(0.0, N);
    // lagged residuals: Err_y[n, i] is the residual i rows before row n in its series
    matrix[N, max_lag_y] Err_y = rep_matrix(0, N, max_lag_y);
    vector[N] err_y;  // residuals
    // initialize linear predictor term
    vector[N] mu_x = rep_vector(0.0, N);
    // lagged residuals: Err_x[n, i] is the residual i rows before row n in its series
    matrix[N, max_lag_x] Err_x = rep_matrix(0, N, max_lag_x);
    vector[N] err_x;  // residuals
    // multivariate predictor array
    array[N] vector[nresp] Mu;
    vector[nresp] sigma = transpose([sigma_y, sigma_x]);
    // residual covariance matrix
    matrix[nresp, nresp] Sigma = multiply_lower_tri_self_transpose(diag_pre_multiply(sigma, Lrescor));
    mu_y += Intercept_y + Xc_y * b_y;
    // add the ARMA terms of arma(tim, g), row by row
    for (n in 1:N) {
      mu_y[n] += Err_y[n, 1:Kma_y] * ma_y;
      err_y[n] = Y_y[n] - mu_y[n];
      for (i in 1:J_lag_y[n]) {
        Err_y[n + 1, i] = err_y[n + 1 - i];
      }
      mu_y[n] += Err_y[n, 1:Kar_y] * ar_y;
    }
    mu_x += Intercept_x + Xc_x * b_x;
    // add the ARMA terms of arma(tim, g), row by row
    for (n in 1:N) {
      mu_x[n] += Err_x[n, 1:Kma_x] * ma_x;
      err_x[n] = Y_x[n] - mu_x[n];
      for (i in 1:J_lag_x[n]) {
        Err_x[n + 1, i] = err_x[n + 1 - i];
      }
      mu_x[n] += Err_x[n, 1:Kar_x] * ar_x;
    }
    // combine univariate parameters
    for (n in 1:N) {
      Mu[n] = transpose([mu_y[n], mu_x[n]]);
    }
    target += multi_student_t_lpdf(Y | nu, Mu, Sigma);
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_y_Intercept = Intercept_y - dot_product(means_X_y, b_y);
  // actual population-level intercept
  real b_x_Intercept = Intercept_x - dot_product(means_X_x, b_x);
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
