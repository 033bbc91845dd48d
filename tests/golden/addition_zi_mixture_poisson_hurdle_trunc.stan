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
  int<lower=1> K_mu1;  // number of population-level effects
  matrix[N, K_mu1] X_mu1;  // population-level design matrix
  int<lower=1> K_mu2;  // number of population-level effects
  matrix[N, K_mu2] X_mu2;  // population-level design matrix
  vector[2] con_theta;  // prior concentration
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_mu1_df;
  real prior_Intercept_mu1_loc;
  real prior_Intercept_mu1_scale;
  real prior_Intercept_mu2_df;
  real prior_Intercept_mu2_loc;
  real prior_Intercept_mu2_scale;
  real prior_hu2_a;
  real prior_hu2_b;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_mu1 = K_mu1 - 1;
  matrix[N, Kc_mu1] Xc_mu1;  // centered version of X_mu1 without an intercept
  vector[Kc_mu1] means_X_mu1;  // column means of X_mu1 before centering
  int Kc_mu2 = K_mu2 - 1;
  matrix[N, Kc_mu2] Xc_mu2;  // centered version of X_mu2 without an intercept
  vector[Kc_mu2] means_X_mu2;  // column means of X_mu2 before centering
  for (i in 2:K_mu1) {
    means_X_mu1[i - 1] = mean(X_mu1[, i]);
    Xc_mu1[, i - 1] = X_mu1[, i] - means_X_mu1[i - 1];
  }
  for (i in 2:K_mu2) {
    means_X_mu2[i - 1] = mean(X_mu2[, i]);
    Xc_mu2[, i - 1] = X_mu2[, i] - means_X_mu2[i - 1];
  }
}
parameters {
  vector[Kc_mu1] b_mu1;  // regression coefficients
  real Intercept_mu1;  // temporary intercept for centered predictors
  vector[Kc_mu2] b_mu2;  // regression coefficients
  real Intercept_mu2;  // temporary intercept for centered predictors
  real<lower=0,upper=1> hu2;  // hurdle probability
  simplex[2] theta;  // mixing proportions
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  // mixing proportions
  real<lower=0,upper=1> theta1 = theta[1];
  real<lower=0,upper=1> theta2 = theta[2];
  lprior += dirichlet_lpdf(theta | con_theta);
  lprior += student_t_lpdf(Intercept_mu1 | prior_Intercept_mu1_df, prior_Intercept_mu1_loc, prior_Intercept_mu1_scale);
  lprior += student_t_lpdf(Intercept_mu2 | prior_Intercept_mu2_df, prior_Intercept_mu2_loc, prior_Intercept_mu2_scale);
  lprior += beta_lpdf(hu2 | prior_hu2_a, prior_hu2_b);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of mu1
    vector[N] mu1 = rep_vector(0.0, N);
    // initialize linear predictor term of mu2
    vector[N] mu2 = rep_vector(0.0, N);
    mu1 += Intercept_mu1 + Xc_mu1 * b_mu1;
    mu2 += Intercept_mu2 + Xc_mu2 * b_mu2;
    mu1 = exp(mu1);
    mu2 = exp(mu2);
    // likelihood of the mixture model
    for (n in 1:N) {
      array[2] real ps;
      // truncated likelihood: each density divided by the probability of the bounds
      ps[1] = log(theta1) + poisson_lpmf(Y[n] | mu1[n]) -
        poisson_lcdf(ub[n] | mu1[n]);
      // truncated likelihood: each density divided by the probability of the bounds
      ps[2] = log(theta2) + hurdle_poisson_lpmf(Y[n] | mu2[n], hu2) -
        hurdle_poisson_lcdf(ub[n] | mu2[n], hu2);
      target += log_sum_exp(ps);
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_mu1_Intercept = Intercept_mu1 - dot_product(means_X_mu1, b_mu1);
  // actual population-level intercept
  real b_mu2_Intercept = Intercept_mu2 - dot_product(means_X_mu2, b_mu2);
}
