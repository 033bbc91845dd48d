// generated with brmspy
functions {
  real zip2_lpmf(int y, real mu, real pzero) {
    if (y == 0) return log_sum_exp(log(pzero), log1m(pzero) + poisson_lpmf(0 | mu));
    return log1m(pzero) + poisson_lpmf(y | mu);
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
  real<lower=0,upper=1> pzero;
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + Xc * b;
    mu = exp(mu);
    for (n in 1:N) {
      target += zip2_lpmf(Y[n] | mu[n], pzero);
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
