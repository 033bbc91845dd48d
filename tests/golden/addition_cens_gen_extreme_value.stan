// generated with brmspy
functions {
  /* generalized extreme value log-PDF of one response (location mu, scale sigma,
   * shape xi); -inf outside the support 1 + xi * (y - mu) / sigma > 0
   */
  real gen_extreme_value_lpdf(real y, real mu, real sigma, real xi) {
    real x = (y - mu) / sigma;
    if (xi == 0) {
      return -log(sigma) - x - exp(-x);
    }
    if (xi * x <= -1) {
      return negative_infinity();
    }
    real log_t = log1p(xi * x);
    return -log(sigma) - (1 + 1 / xi) * log_t - exp(-log_t / xi);
  }
  /* generalized extreme value log-CDF and log-CCDF of one response
   * (location mu, scale sigma, shape xi): CDF = exp(-t), t = (1 + xi * x)^(-1 / xi)
   */
  real gen_extreme_value_lcdf(real y, real mu, real sigma, real xi) {
    real x = (y - mu) / sigma;
    if (xi == 0) {
      return -exp(-x);
    }
    if (xi * x <= -1) {
      // outside the support: below it for xi > 0, above it for xi < 0
      return xi > 0 ? negative_infinity() : 0;
    }
    return -exp(-log1p(xi * x) / xi);
  }
  real gen_extreme_value_lccdf(real y, real mu, real sigma, real xi) {
    return log1m_exp(gen_extreme_value_lcdf(y | mu, sigma, xi));
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
  real prior_xi_loc;
  real prior_xi_scale;
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
  real xi;  // shape parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
  lprior += normal_lpdf(xi | prior_xi_loc, prior_xi_scale);
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
        target += gen_extreme_value_lpdf(Y[n] | mu[n], sigma, xi);
      } else if (cens[n] == 1) {
        target += gen_extreme_value_lccdf(Y[n] | mu[n], sigma, xi);
      } else if (cens[n] == -1) {
        target += gen_extreme_value_lcdf(Y[n] | mu[n], sigma, xi);
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
