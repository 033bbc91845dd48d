// generated with brmspy
functions {
  /* log normalising constant of the COM-Poisson distribution in brms's mode
   * parametrisation, log(sum_k (mu^k / k!)^shape): the series is summed until, past
   * the mode, the geometric bound of the remainder is below 1e-16 of the total
   * (at most 10000 terms: accurate for moderate counts)
   */
  real log_Z_com_poisson(real log_mu, real shape) {
    real log_Z = 0;  // the k = 0 term
    real lfac = 0;
    int k = 0;
    int converged = 0;
    while (k < 10000) {
      k += 1;
      lfac += log(k);
      real term = shape * (k * log_mu - lfac);
      log_Z = log_sum_exp(log_Z, term);
      // ratio of the next term to this one; it only decreases from here on
      real log_ratio = shape * (log_mu - log(k + 1));
      if (log_ratio < 0 && term + log_ratio - log1m_exp(log_ratio) - log_Z < -36.841361) {
        converged = 1;
        break;
      }
    }
    if (!converged) {
      reject("the COM-Poisson normalising series did not converge in 10000 terms (mu too large)");
    }
    return log_Z;
  }
  /* COM-Poisson log-PMF of one response (brms's mode parametrisation) */
  real com_poisson_log_lpmf(int y, real log_mu, real shape) {
    return shape * (y * log_mu - lgamma(y + 1)) - log_Z_com_poisson(log_mu, shape);
  }
  real com_poisson_lpmf(int y, real mu, real shape) {
    return com_poisson_log_lpmf(y | log(mu), shape);
  }
}
data {
  int<lower=1> N;  // total number of observations
  array[N] int Y;  // response variable
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_shape_shape;
  real prior_shape_rate;
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
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += gamma_lpdf(shape | prior_shape_shape, prior_shape_rate);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + Xc * b;
    for (n in 1:N) {
      target += com_poisson_log_lpmf(Y[n] | mu[n], shape);
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
