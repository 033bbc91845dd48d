// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  array[N] int Y;  // response variable
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  // data of the ARMA structure ar(time = t, gr = g, p = 2)
  int<lower=0> Kar;  // AR order
  int<lower=0> Kma;  // MA order
  array[N] int<lower=0> J_lag;  // number of earlier residuals of the same series used by the next row
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
  int max_lag = max(Kar, Kma);  // number of lagged residuals kept per row
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
  vector<lower=-1,upper=1>[Kar] ar;  // autoregressive coefficients
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[N] err;  // actual residuals
  err = sderr * zerr;
  lprior += student_t_lpdf(sderr | prior_sderr_df, prior_sderr_loc, prior_sderr_scale)
    - student_t_lccdf(0 | prior_sderr_df, prior_sderr_loc, prior_sderr_scale);
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    // lagged latent residuals: Err[n, i] is the residual i rows before row n in its series
    matrix[N, max_lag] Err = rep_matrix(0, N, max_lag);
    mu += Intercept + Xc * b + err;
    // add the AR terms of ar(time = t, gr = g, p = 2) (latent residuals), row by row
    for (n in 1:N) {
      for (i in 1:J_lag[n]) {
        Err[n + 1, i] = err[n + 1 - i];
      }
      mu[n] += Err[n, 1:Kar] * ar;
    }
    target += poisson_log_lpmf(Y | mu);
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(zerr);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
