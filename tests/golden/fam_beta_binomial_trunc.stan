// generated with brmspy
functions {
  /* log CDF and log CCDF of the beta-binomial distribution, as log sums of its probability masses
   * (the values of Stan's beta_binomial_lcdf/_lccdf, whose gradients cost far more; one mass per count
   * of the tail)
   * Args:
   *   y: the count; n: number of trials; a, b: the beta distribution's shapes (mu * phi, (1 - mu) * phi)
   */
  real beta_binomial_sum_lcdf(int y, int n, real a, real b) {
    if (y < 0) {
      return negative_infinity();
    }
    if (y >= n) {
      return 0;
    }
    vector[y + 1] lp;
    for (k in 0:y) {
      lp[k + 1] = beta_binomial_lpmf(k | n, a, b);
    }
    return log_sum_exp(lp);
  }
  real beta_binomial_sum_lccdf(int y, int n, real a, real b) {
    if (y < 0) {
      return 0;
    }
    if (y >= n) {
      return negative_infinity();
    }
    vector[n - y] lp;
    for (k in (y + 1):n) {
      lp[k - y] = beta_binomial_lpmf(k | n, a, b);
    }
    return log_sum_exp(lp);
  }
}
data {
  int<lower=1> N;  // total number of observations
  array[N] int Y;  // response variable
  array[N] int trials;  // number of trials
  array[N] int lb;  // lower truncation bounds
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_phi_shape;
  real prior_phi_rate;
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
  real<lower=0> phi;  // precision parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += gamma_lpdf(phi | prior_phi_shape, prior_phi_rate);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + Xc * b;
    mu = inv_logit(mu);
    for (n in 1:N) {
      // truncated likelihood: each density divided by the probability of the bounds
      target += beta_binomial_lpmf(Y[n] | trials[n], mu[n] * phi, (1 - mu[n]) * phi) -
        beta_binomial_sum_lccdf(lb[n] - 1 | trials[n], mu[n] * phi, (1 - mu[n]) * phi);
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
