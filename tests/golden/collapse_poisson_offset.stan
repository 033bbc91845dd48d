// generated with brmspy
data {
  int<lower=1> N;  // number of covariate patterns (rows with identical data collapsed)
  // rows with identical covariates, group memberships and offsets were collapsed into
  // N covariate patterns with summed responses (an exact reduction of the likelihood);
  // brm(..., reduce=False) gives the row-wise program
  array[N] int Y;  // response variable: sum of counts of each pattern
  array[N] int<lower=1> Nrows;  // number of original rows in each pattern
  real lfactorial_rows;  // log(Y!) of the original rows, summed
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  vector[N] offsets;  // offset(log(e))
  // data for group-level effects of ID 1
  int<lower=1> N_1;  // number of grouping levels
  int<lower=1> M_1;  // number of coefficients per level
  array[N] int<lower=1> J_1;  // grouping indicator per observation
  // group-level predictor values
  vector[N] Z_1_1;
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  vector[M_1] prior_sd_1_df;
  vector[M_1] prior_sd_1_loc;
  vector[M_1] prior_sd_1_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  vector[N] log_Nrows = log(to_vector(Nrows));  // a pattern's rate is Nrows times its mean
  // data-only constant: swaps log(Y!) of the patterns for those of the rows and
  // removes Y * log(Nrows) of the pattern rates
  // so that the log density equals that of the row-wise program
  real lconst = sum(lgamma(to_vector(Y) + 1) - to_vector(Y) .* log_Nrows) - lfactorial_rows;
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
  vector<lower=0>[M_1] sd_1;  // group-level standard deviations (1 | g)
  vector[N_1] a_1_1;  // Intercept plus group-level effects (centered parameterization)
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[N_1] r_1_1 = a_1_1 - Intercept;  // actual group-level effects
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(sd_1 | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale)
    - student_t_lccdf(rep_vector(0, M_1) | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += offsets + log_Nrows;
    // add group-level effects to mu (a_1_1 includes Intercept)
    mu += a_1_1[J_1];
    // summed counts of each pattern: log rate = log(Nrows) + linear predictor
    target += poisson_log_glm_lpmf(Y | Xc, mu, b);
    target += lconst;  // data-only constant (see transformed data)
  }
  // priors including constants
  target += lprior;
  target += normal_lpdf(a_1_1 | Intercept, sd_1[1]);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
