// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  array[N] int Y;  // response variable
  array[N] int ub;  // upper truncation bounds
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
  // the truncation bounds are the same in every row: the counts inside them
  int K_trunc = ub[1] + 1;
  row_vector[K_trunc] k_trunc = linspaced_row_vector(K_trunc, 0, ub[1]);
  row_vector[K_trunc] lfactorial_trunc = lgamma(k_trunc + 1);
  for (i in 2:K) {
    means_X[i - 1] = mean(X[, i]);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
  for (n in 1:N) {
    if (ub[n] != ub[1]) {
      reject("this program needs the same truncation bounds in every row");
    }
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
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + Xc * b;
    mu = exp(mu);
    // truncated likelihood: each density divided by the probability of the bounds
    {
      matrix[N, K_trunc] lp_trunc = log(mu) * k_trunc - rep_matrix(lfactorial_trunc, N);
      vector[N] max_trunc = fmax(lp_trunc[, 1], lp_trunc[, K_trunc]);
      target += poisson_lpmf(Y | mu) - sum(max_trunc - mu
        + log(exp(lp_trunc - rep_matrix(max_trunc, K_trunc)) * rep_vector(1, K_trunc)));
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
