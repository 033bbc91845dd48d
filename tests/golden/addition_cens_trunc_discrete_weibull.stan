// generated with brmspy
functions {
  /* discrete Weibull log-PMF of one response: log(mu^(y^shape) - mu^((y + 1)^shape))
   * on the log scale; y = 0 separately, as the derivative of 0^shape is undefined
   */
  real discrete_weibull_lpmf(int y, real mu, real shape) {
    if (y == 0) {
      return log1m(mu);
    }
    real a = y^shape * log(mu);
    return a + log1m_exp((y + 1)^shape * log(mu) - a);
  }
  /* discrete Weibull log-CDF and log-CCDF of one response: P(Y > y) = mu^((y + 1)^shape) */
  real discrete_weibull_lcdf(int y, real mu, real shape) {
    if (y < 0) {
      return negative_infinity();
    }
    return log1m_exp((y + 1)^shape * log(mu));
  }
  real discrete_weibull_lccdf(int y, real mu, real shape) {
    if (y < 0) {
      return 0;
    }
    return (y + 1)^shape * log(mu);
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
    mu = inv_logit(mu);
    for (n in 1:N) {
      // special treatment of censored data
      if (cens[n] == 0) {
        target += discrete_weibull_lpmf(Y[n] | mu[n], shape) -
          discrete_weibull_lcdf(ub[n] | mu[n], shape);
      } else if (cens[n] == 1) {
        target += discrete_weibull_lccdf(Y[n] | mu[n], shape) -
          discrete_weibull_lcdf(ub[n] | mu[n], shape);
      } else if (cens[n] == -1) {
        target += discrete_weibull_lcdf(Y[n] | mu[n], shape) -
          discrete_weibull_lcdf(ub[n] | mu[n], shape);
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
