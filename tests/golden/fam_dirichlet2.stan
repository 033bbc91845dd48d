// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  int<lower=2> ncat;  // number of categories
  array[N] simplex[ncat] Y;  // response array
  int<lower=1> K_mup1;  // number of population-level effects
  matrix[N, K_mup1] X_mup1;  // population-level design matrix
  int<lower=1> K_mup2;  // number of population-level effects
  matrix[N, K_mup2] X_mup2;  // population-level design matrix
  int<lower=1> K_mup3;  // number of population-level effects
  matrix[N, K_mup3] X_mup3;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_mup1_df;
  real prior_Intercept_mup1_loc;
  real prior_Intercept_mup1_scale;
  real prior_Intercept_mup2_df;
  real prior_Intercept_mup2_loc;
  real prior_Intercept_mup2_scale;
  real prior_Intercept_mup3_df;
  real prior_Intercept_mup3_loc;
  real prior_Intercept_mup3_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_mup1 = K_mup1 - 1;
  matrix[N, Kc_mup1] Xc_mup1;  // centered version of X_mup1 without an intercept
  vector[Kc_mup1] means_X_mup1;  // column means of X_mup1 before centering
  int Kc_mup2 = K_mup2 - 1;
  matrix[N, Kc_mup2] Xc_mup2;  // centered version of X_mup2 without an intercept
  vector[Kc_mup2] means_X_mup2;  // column means of X_mup2 before centering
  int Kc_mup3 = K_mup3 - 1;
  matrix[N, Kc_mup3] Xc_mup3;  // centered version of X_mup3 without an intercept
  vector[Kc_mup3] means_X_mup3;  // column means of X_mup3 before centering
  for (i in 2:K_mup1) {
    means_X_mup1[i - 1] = mean(X_mup1[, i]);
    Xc_mup1[, i - 1] = X_mup1[, i] - means_X_mup1[i - 1];
  }
  for (i in 2:K_mup2) {
    means_X_mup2[i - 1] = mean(X_mup2[, i]);
    Xc_mup2[, i - 1] = X_mup2[, i] - means_X_mup2[i - 1];
  }
  for (i in 2:K_mup3) {
    means_X_mup3[i - 1] = mean(X_mup3[, i]);
    Xc_mup3[, i - 1] = X_mup3[, i] - means_X_mup3[i - 1];
  }
}
parameters {
  vector[Kc_mup1] b_mup1;  // regression coefficients
  real Intercept_mup1;  // temporary intercept for centered predictors
  vector[Kc_mup2] b_mup2;  // regression coefficients
  real Intercept_mup2;  // temporary intercept for centered predictors
  vector[Kc_mup3] b_mup3;  // regression coefficients
  real Intercept_mup3;  // temporary intercept for centered predictors
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept_mup1 | prior_Intercept_mup1_df, prior_Intercept_mup1_loc, prior_Intercept_mup1_scale);
  lprior += student_t_lpdf(Intercept_mup2 | prior_Intercept_mup2_df, prior_Intercept_mup2_loc, prior_Intercept_mup2_scale);
  lprior += student_t_lpdf(Intercept_mup3 | prior_Intercept_mup3_df, prior_Intercept_mup3_loc, prior_Intercept_mup3_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of mup1
    vector[N] mup1 = rep_vector(0.0, N);
    // initialize linear predictor term of mup2
    vector[N] mup2 = rep_vector(0.0, N);
    // initialize linear predictor term of mup3
    vector[N] mup3 = rep_vector(0.0, N);
    // linear predictor matrix
    array[N] vector[ncat] mu;
    mup1 += Intercept_mup1 + Xc_mup1 * b_mup1;
    mup2 += Intercept_mup2 + Xc_mup2 * b_mup2;
    mup3 += Intercept_mup3 + Xc_mup3 * b_mup3;
    mup1 = exp(mup1);
    mup2 = exp(mup2);
    mup3 = exp(mup3);
    for (n in 1:N) {
      mu[n] = transpose([mup1[n], mup2[n], mup3[n]]);
    }
    for (n in 1:N) {
      target += dirichlet_lpdf(Y[n] | mu[n]);
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_mup1_Intercept = Intercept_mup1 - dot_product(means_X_mup1, b_mup1);
  // actual population-level intercept
  real b_mup2_Intercept = Intercept_mup2 - dot_product(means_X_mup2, b_mup2);
  // actual population-level intercept
  real b_mup3_Intercept = Intercept_mup3 - dot_product(means_X_mup3, b_mup3);
}
