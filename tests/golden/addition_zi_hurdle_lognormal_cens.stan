// generated with brmspy
functions {
  /* hurdle lognormal log-PDF of a single response
   * Args:
   *   y: the response value
   *   mu: mean of log(y) in the lognormal part
   *   sigma: sd of log(y) in the lognormal part
   *   hu: hurdle probability
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real hurdle_lognormal_lpdf(real y, real mu, real sigma, real hu) {
    if (y == 0) {
      return bernoulli_lpmf(1 | hu);
    }
    return bernoulli_lpmf(0 | hu) + lognormal_lpdf(y | mu, sigma);
  }
  /* hurdle lognormal log-CDF and log-CCDF of one response:
   * P(Y <= y) = hu + (1 - hu) * F(y) for y >= 0, F the CDF of the continuous part
   */
  real hurdle_lognormal_lcdf(real y, real mu, real sigma, real hu) {
    if (y < 0) {
      return negative_infinity();
    }
    if (y == 0) {
      return bernoulli_lpmf(1 | hu);
    }
    return log_sum_exp(bernoulli_lpmf(1 | hu),
                       bernoulli_lpmf(0 | hu) + lognormal_lcdf(y | mu, sigma));
  }
  real hurdle_lognormal_lccdf(real y, real mu, real sigma, real hu) {
    if (y < 0) {
      return 0;
    }
    if (y == 0) {
      return bernoulli_lpmf(0 | hu);
    }
    return bernoulli_lpmf(0 | hu) + lognormal_lccdf(y | mu, sigma);
  }
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  // censoring indicator: 0 = event, 1 = right, -1 = left, 2 = interval censored
  array[N] int<lower=-1,upper=2> cens;
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_sigma_df;
  real prior_sigma_loc;
  real prior_sigma_scale;
  real prior_hu_a;
  real prior_hu_b;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc = K - 1;
  matrix[N, Kc] Xc;  // centered version of X without an intercept
  vector[Kc] means_X;  // column means of X before centering
  for (i in 2:K) {
    means_X[i - 1] = mean(X[, i]);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
}
parameters {
  vector[Kc] b;  // regression coefficients
  real Intercept;  // temporary intercept for centered predictors
  real<lower=0> sigma;  // dispersion parameter
  real<lower=0,upper=1> hu;  // hurdle probability
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
  lprior += beta_lpdf(hu | prior_hu_a, prior_hu_b);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + Xc * b;
    for (n in 1:N) {
      // special treatment of censored data
      if (cens[n] == 0) {
        target += hurdle_lognormal_lpdf(Y[n] | mu[n], sigma, hu);
      } else if (cens[n] == 1) {
        target += hurdle_lognormal_lccdf(Y[n] | mu[n], sigma, hu);
      } else if (cens[n] == -1) {
        target += hurdle_lognormal_lcdf(Y[n] | mu[n], sigma, hu);
      }
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
