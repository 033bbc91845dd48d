// generated with brmspy
functions {
  /* hurdle poisson log-PMF of a single response
   * Args:
   *   y: the response value
   *   lambda: mean of the (untruncated) poisson part
   *   hu: hurdle probability
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real hurdle_poisson_lpmf(int y, real lambda, real hu) {
    if (y == 0) {
      return bernoulli_lpmf(1 | hu);
    }
    return bernoulli_lpmf(0 | hu) + poisson_lpmf(y | lambda)
           - log1m_exp(-lambda);
  }
  /* hurdle poisson (log-scale mean) log-PMF of a single response
   * Args:
   *   y: the response value
   *   eta: log of the (untruncated) poisson mean
   *   hu: hurdle probability
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real hurdle_poisson_log_lpmf(int y, real eta, real hu) {
    if (y == 0) {
      return bernoulli_lpmf(1 | hu);
    }
    return bernoulli_lpmf(0 | hu) + poisson_log_lpmf(y | eta)
           - log1m_exp(-exp(eta));
  }
  /* hurdle poisson log-CDF and log-CCDF of one response:
   * P(Y <= y) = hu + (1 - hu) * (F(y) - F(0)) / (1 - F(0)) for y >= 0, F the base CDF
   */
  real hurdle_poisson_lcdf(int y, real lambda, real hu) {
    if (y < 0) {
      return negative_infinity();
    }
    if (y == 0) {
      return bernoulli_lpmf(1 | hu);
    }
    return log_sum_exp(bernoulli_lpmf(1 | hu),
                       bernoulli_lpmf(0 | hu) + log_diff_exp(poisson_lcdf(y | lambda), -lambda)
                       - log1m_exp(-lambda));
  }
  real hurdle_poisson_lccdf(int y, real lambda, real hu) {
    if (y < 0) {
      return 0;
    }
    return bernoulli_lpmf(0 | hu) + poisson_lccdf(y | lambda) - log1m_exp(-lambda);
  }
}
data {
  int<lower=1> N;  // total number of observations
  array[N] int Y;  // response variable
  array[N] int ub;  // upper truncation bounds
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
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
  real<lower=0,upper=1> hu;  // hurdle probability
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
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
      // truncated likelihood: each density divided by the probability of the bounds
      target += hurdle_poisson_lpmf(Y[n] | mu[n], hu) -
        hurdle_poisson_lcdf(ub[n] | mu[n], hu);
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
