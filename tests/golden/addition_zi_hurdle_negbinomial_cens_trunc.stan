// generated with brmspy
functions {
  /* hurdle negative binomial log-PMF of a single response
   * Args:
   *   y: the response value
   *   mu: mean of the (untruncated) negative binomial part
   *   phi: shape of the negative binomial part
   *   hu: hurdle probability
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real hurdle_neg_binomial_lpmf(int y, real mu, real phi, real hu) {
    if (y == 0) {
      return bernoulli_lpmf(1 | hu);
    }
    return bernoulli_lpmf(0 | hu) + neg_binomial_2_lpmf(y | mu, phi)
           - log1m_exp(neg_binomial_2_lpmf(0 | mu, phi));
  }
  /* hurdle negative binomial (log-scale mean) log-PMF of a single response
   * Args:
   *   y: the response value
   *   eta: log of the (untruncated) negative binomial mean
   *   phi: shape of the negative binomial part
   *   hu: hurdle probability
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real hurdle_neg_binomial_log_lpmf(int y, real eta, real phi, real hu) {
    if (y == 0) {
      return bernoulli_lpmf(1 | hu);
    }
    return bernoulli_lpmf(0 | hu) + neg_binomial_2_log_lpmf(y | eta, phi)
           - log1m_exp(neg_binomial_2_log_lpmf(0 | eta, phi));
  }
  /* hurdle negative binomial log-CDF and log-CCDF of one response:
   * P(Y <= y) = hu + (1 - hu) * (F(y) - F(0)) / (1 - F(0)) for y >= 0, F the base CDF
   */
  real hurdle_neg_binomial_lcdf(int y, real mu, real phi, real hu) {
    if (y < 0) {
      return negative_infinity();
    }
    if (y == 0) {
      return bernoulli_lpmf(1 | hu);
    }
    return log_sum_exp(bernoulli_lpmf(1 | hu),
                       bernoulli_lpmf(0 | hu) + log_diff_exp(neg_binomial_2_lcdf(y | mu, phi), neg_binomial_2_lpmf(0 | mu, phi))
                       - log1m_exp(neg_binomial_2_lpmf(0 | mu, phi)));
  }
  real hurdle_neg_binomial_lccdf(int y, real mu, real phi, real hu) {
    if (y < 0) {
      return 0;
    }
    return bernoulli_lpmf(0 | hu) + neg_binomial_2_lccdf(y | mu, phi) - log1m_exp(neg_binomial_2_lpmf(0 | mu, phi));
  }
}
data {
  int<lower=1> N;  // total number of observations
  array[N] int Y;  // response variable
  // censoring indicator: 0 = event, 1 = right, -1 = left, 2 = interval censored
  array[N] int<lower=-1,upper=2> cens;
  array[N] int ub;  // upper truncation bounds
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_shape_shape;
  real prior_shape_scale;
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
  real<lower=0> shape;  // shape parameter
  real<lower=0,upper=1> hu;  // hurdle probability
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += inv_gamma_lpdf(shape | prior_shape_shape, prior_shape_scale);
  lprior += beta_lpdf(hu | prior_hu_a, prior_hu_b);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + Xc * b;
    mu = exp(mu);
    for (n in 1:N) {
      // special treatment of censored data
      if (cens[n] == 0) {
        target += hurdle_neg_binomial_lpmf(Y[n] | mu[n], shape, hu) -
          hurdle_neg_binomial_lcdf(ub[n] | mu[n], shape, hu);
      } else if (cens[n] == 1) {
        target += hurdle_neg_binomial_lccdf(Y[n] | mu[n], shape, hu) -
          hurdle_neg_binomial_lcdf(ub[n] | mu[n], shape, hu);
      } else if (cens[n] == -1) {
        target += hurdle_neg_binomial_lcdf(Y[n] | mu[n], shape, hu) -
          hurdle_neg_binomial_lcdf(ub[n] | mu[n], shape, hu);
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
