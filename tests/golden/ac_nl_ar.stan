// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> K_a;  // number of population-level effects
  matrix[N, K_a] X_a;  // population-level design matrix
  // data of the ARMA structure ar(time, g)
  int<lower=0> Kar;  // AR order
  int<lower=0> Kma;  // MA order
  array[N] int<lower=0> J_lag;  // number of earlier residuals of the same series used by the next row
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
  int max_lag = max(Kar, Kma);  // number of lagged residuals kept per row
}
parameters {
  vector[K_a] b_a;  // regression coefficients
  vector[Kar] ar;  // autoregressive coefficients
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
    // lagged residuals: Err[n, i] is the residual i rows before row n in its series
    matrix[N, max_lag] Err = rep_matrix(0, N, max_lag);
    vector[N] err;  // residuals
    nlp_a += X_a * b_a;
    nlp_b += X_b * b_b;
    for (n in 1:N) {
      // compute non-linear predictor values
      mu[n] = nlp_a[n] * exp(nlp_b[n] * C_1[n]);
    }
    // add the ARMA terms of ar(time, g), row by row
    for (n in 1:N) {
      err[n] = Y[n] - mu[n];
      for (i in 1:J_lag[n]) {
        Err[n + 1, i] = err[n + 1 - i];
      }
      mu[n] += Err[n, 1:Kar] * ar;
    }
    target += normal_lpdf(Y | mu, sigma);
  }
  // priors including constants
  target += lprior;
}
