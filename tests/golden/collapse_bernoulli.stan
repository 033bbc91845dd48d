// generated with brmspy
data {
  int<lower=1> N;  // number of covariate patterns (rows with identical data collapsed)
  // rows with identical covariates were collapsed into
  // N covariate patterns with summed responses (an exact reduction of the likelihood);
  // brm(..., reduce=False) gives the row-wise program
  array[N] int Y;  // response variable: number of successes of each pattern
  array[N] int<lower=1> Nrows;  // number of original rows in each pattern
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  // data-only constant: removes the binomial coefficients of the collapsed likelihood
  // so that the log density equals that of the row-wise program
  real lconst = -sum(lchoose(to_vector(Nrows), to_vector(Y)));
  int Kc = K - 1;
  matrix[N, Kc] Xc;  // centered version of X without an intercept
  vector[Kc] means_X;  // column means of X before centering
  for (i in 2:K) {
    // mean over the original rows: each pattern counts Nrows times
    means_X[i - 1] = dot_product(to_vector(Nrows), X[, i]) / sum(Nrows);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
}
parameters {
  vector[Kc] b;  // regression coefficients
  real Intercept;  // temporary intercept for centered predictors
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // successes of each pattern out of its rows
    target += binomial_logit_glm_lpmf(Y | Nrows, Xc, Intercept, b);
    target += lconst;  // data-only constant (see transformed data)
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
