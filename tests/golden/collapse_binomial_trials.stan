// generated with brmspy
data {
  int<lower=1> N;  // number of covariate patterns (rows with identical data collapsed)
  // rows with identical covariates, group memberships and trials were collapsed into
  // N covariate patterns with summed responses (an exact reduction of the likelihood);
  // brm(..., reduce=False) gives the row-wise program
  array[N] int Y;  // response variable: number of successes of each pattern
  array[N] int trials;  // number of trials: summed over each pattern's rows
  array[N] int<lower=1> Nrows;  // number of original rows in each pattern
  real lchoose_rows;  // log binomial coefficients of the original rows, summed
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
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
  // data-only constant: swaps the binomial coefficients of the patterns for those of the rows
  // so that the log density equals that of the row-wise program
  real lconst = lchoose_rows - sum(lchoose(to_vector(trials), to_vector(Y)));
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
    // linear predictor, with group-level effects (a_1_1 includes Intercept)
    vector[N] mu = a_1_1[J_1];
    // successes of each pattern out of its summed trials
    target += binomial_logit_glm_lpmf(Y | trials, Xc, mu, b);
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
