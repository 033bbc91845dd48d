// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  int<lower=2> ncat;  // number of categories
  array[N] int Y;  // response variable
  int<lower=1> K_muA;  // number of population-level effects
  matrix[N, K_muA] X_muA;  // population-level design matrix
  int<lower=1> K_muC;  // number of population-level effects
  matrix[N, K_muC] X_muC;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_muA_df;
  real prior_Intercept_muA_loc;
  real prior_Intercept_muA_scale;
  real prior_Intercept_muC_df;
  real prior_Intercept_muC_loc;
  real prior_Intercept_muC_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_muA = K_muA - 1;
  matrix[N, Kc_muA] Xc_muA;  // centered version of X_muA without an intercept
  vector[Kc_muA] means_X_muA;  // column means of X_muA before centering
  int Kc_muC = K_muC - 1;
  matrix[N, Kc_muC] Xc_muC;  // centered version of X_muC without an intercept
  vector[Kc_muC] means_X_muC;  // column means of X_muC before centering
  matrix[N, ncat] Yind = rep_matrix(0, N, ncat);  // one-hot Y
  for (i in 2:K_muA) {
    means_X_muA[i - 1] = mean(X_muA[, i]);
    Xc_muA[, i - 1] = X_muA[, i] - means_X_muA[i - 1];
  }
  for (i in 2:K_muC) {
    means_X_muC[i - 1] = mean(X_muC[, i]);
    Xc_muC[, i - 1] = X_muC[, i] - means_X_muC[i - 1];
  }
  for (n in 1:N) Yind[n, Y[n]] = 1;
}
parameters {
  vector[Kc_muA] b_muA;  // regression coefficients
  real Intercept_muA;  // temporary intercept for centered predictors
  vector[Kc_muC] b_muC;  // regression coefficients
  real Intercept_muC;  // temporary intercept for centered predictors
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept_muA | prior_Intercept_muA_df, prior_Intercept_muA_loc, prior_Intercept_muA_scale);
  lprior += student_t_lpdf(Intercept_muC | prior_Intercept_muC_df, prior_Intercept_muC_loc, prior_Intercept_muC_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of muA
    vector[N] muA = rep_vector(0.0, N);
    // initialize linear predictor term of muC
    vector[N] muC = rep_vector(0.0, N);
    // linear predictor matrix
    matrix[N, ncat] mu;
    muA += Intercept_muA + Xc_muA * b_muA;
    muC += Intercept_muC + Xc_muC * b_muC;
    mu[, 1] = muA;
    mu[, 2] = rep_vector(0, N);
    mu[, 3] = muC;
    {
      vector[N] cat_max = mu[, 1];
      vector[N] cat_total = rep_vector(0, N);
      for (k in 2:ncat) {
        cat_max = fmax(cat_max, mu[, k]);
      }
      for (k in 1:ncat) {
        cat_total += exp(mu[, k] - cat_max);
      }
      target += sum(rows_dot_product(Yind, mu) - cat_max - log(cat_total));
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_muA_Intercept = Intercept_muA - dot_product(means_X_muA, b_muA);
  // actual population-level intercept
  real b_muC_Intercept = Intercept_muC - dot_product(means_X_muC, b_muC);
}
