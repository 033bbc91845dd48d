// generated with brmspy
functions {
  /* zero-inflated poisson log-PMF of a single response
   * Args:
   *   y: the response value
   *   lambda: mean of the poisson part
   *   zi: zero-inflation probability
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real zero_inflated_poisson_lpmf(int y, real lambda, real zi) {
    if (y == 0) {
      return log_sum_exp(bernoulli_lpmf(1 | zi),
                         bernoulli_lpmf(0 | zi) + poisson_lpmf(0 | lambda));
    }
    return bernoulli_lpmf(0 | zi) + poisson_lpmf(y | lambda);
  }
  /* zero-inflated poisson (log-scale mean) log-PMF of a single response
   * Args:
   *   y: the response value
   *   eta: log of the poisson mean
   *   zi: zero-inflation probability
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real zero_inflated_poisson_log_lpmf(int y, real eta, real zi) {
    if (y == 0) {
      return log_sum_exp(bernoulli_lpmf(1 | zi),
                         bernoulli_lpmf(0 | zi) + poisson_log_lpmf(0 | eta));
    }
    return bernoulli_lpmf(0 | zi) + poisson_log_lpmf(y | eta);
  }
  /* zero-inflated poisson log-CDF and log-CCDF of one response:
   * P(Y <= y) = zi + (1 - zi) * F(y) for y >= 0, F the CDF of the base distribution
   */
  real zero_inflated_poisson_lcdf(int y, real lambda, real zi) {
    if (y < 0) {
      return negative_infinity();
    }
    return log_sum_exp(bernoulli_lpmf(1 | zi),
                       bernoulli_lpmf(0 | zi) + poisson_lcdf(y | lambda));
  }
  real zero_inflated_poisson_lccdf(int y, real lambda, real zi) {
    if (y < 0) {
      return 0;
    }
    return bernoulli_lpmf(0 | zi) + poisson_lccdf(y | lambda);
  }
}
data {
  int<lower=1> N;  // total number of observations
  array[N] int Y;  // response variable
  // censoring indicator: 0 = event, 1 = right, -1 = left, 2 = interval censored
  array[N] int<lower=-1,upper=2> cens;
  // right censor points for interval censoring
  array[N] int rcens;
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_zi_a;
  real prior_zi_b;
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
  real<lower=0,upper=1> zi;  // zero-inflation probability
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += beta_lpdf(zi | prior_zi_a, prior_zi_b);
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
        target += zero_inflated_poisson_lpmf(Y[n] | mu[n], zi);
      } else if (cens[n] == 1) {
        target += zero_inflated_poisson_lccdf(Y[n] | mu[n], zi);
      } else if (cens[n] == -1) {
        target += zero_inflated_poisson_lcdf(Y[n] | mu[n], zi);
      } else if (cens[n] == 2) {
        target += log_diff_exp(
          zero_inflated_poisson_lcdf(rcens[n] | mu[n], zi),
          zero_inflated_poisson_lcdf(Y[n] | mu[n], zi)
        );
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
