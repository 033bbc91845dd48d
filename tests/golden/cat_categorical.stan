// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  int<lower=2> ncat;  // number of categories
  array[N] int Y;  // response variable
  int<lower=1> K_muB;  // number of population-level effects
  matrix[N, K_muB] X_muB;  // population-level design matrix
  int<lower=1> K_muC;  // number of population-level effects
  matrix[N, K_muC] X_muC;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_muB_df;
  real prior_Intercept_muB_loc;
  real prior_Intercept_muB_scale;
  real prior_Intercept_muC_df;
  real prior_Intercept_muC_loc;
  real prior_Intercept_muC_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_muB = K_muB - 1;
  matrix[N, Kc_muB] Xc_muB;  // centered version of X_muB without an intercept
  vector[Kc_muB] means_X_muB;  // column means of X_muB before centering
  int Kc_muC = K_muC - 1;
  matrix[N, Kc_muC] Xc_muC;  // centered version of X_muC without an intercept
  vector[Kc_muC] means_X_muC;  // column means of X_muC before centering
  matrix[N, ncat] Yind = rep_matrix(0, N, ncat);  // one-hot Y
  for (i in 2:K_muB) {
    means_X_muB[i - 1] = mean(X_muB[, i]);
    Xc_muB[, i - 1] = X_muB[, i] - means_X_muB[i - 1];
  }
  for (i in 2:K_muC) {
    means_X_muC[i - 1] = mean(X_muC[, i]);
    Xc_muC[, i - 1] = X_muC[, i] - means_X_muC[i - 1];
  }
  for (n in 1:N) Yind[n, Y[n]] = 1;
}
parameters {
  vector[Kc_muB] b_muB;  // regression coefficients
  real Intercept_muB;  // temporary intercept for centered predictors
  vector[Kc_muC] b_muC;  // regression coefficients
  real Intercept_muC;  // temporary intercept for centered predictors
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept_muB | prior_Intercept_muB_df, prior_Intercept_muB_loc, prior_Intercept_muB_scale);
  lprior += student_t_lpdf(Intercept_muC | prior_Intercept_muC_df, prior_Intercept_muC_loc, prior_Intercept_muC_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of muB
    vector[N] muB = rep_vector(0.0, N);
    // initialize linear predictor term of muC
    vector[N] muC = rep_vector(0.0, N);
    // linear predictor matrix
    matrix[N, ncat] mu;
    muB += Intercept_muB + Xc_muB * b_muB;
    muC += Intercept_muC + Xc_muC * b_muC;
    mu[, 1] = rep_vector(0, N);
    mu[, 2] = muB;
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
  real b_muB_Intercept = Intercept_muB - dot_product(means_X_muB, b_muB);
  // actual population-level intercept
  real b_muC_Intercept = Intercept_muC - dot_product(means_X_muC, b_muC);
}
