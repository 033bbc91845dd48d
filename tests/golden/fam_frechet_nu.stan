// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  int<lower=1> K_nu;  // number of population-level effects
  matrix[N, K_nu] X_nu;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_Intercept_nu_loc;
  real prior_Intercept_nu_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc = K - 1;
  matrix[N, Kc] Xc;  // centered version of X without an intercept
  vector[Kc] means_X;  // column means of X before centering
  int Kc_nu = K_nu - 1;
  matrix[N, Kc_nu] Xc_nu;  // centered version of X_nu without an intercept
  vector[Kc_nu] means_X_nu;  // column means of X_nu before centering
  for (i in 2:K) {
    means_X[i - 1] = mean(X[, i]);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
  for (i in 2:K_nu) {
    means_X_nu[i - 1] = mean(X_nu[, i]);
    Xc_nu[, i - 1] = X_nu[, i] - means_X_nu[i - 1];
  }
}
parameters {
  vector[Kc] b;  // regression coefficients
  real Intercept;  // temporary intercept for centered predictors
  vector[Kc_nu] b_nu;  // regression coefficients
  real Intercept_nu;  // temporary intercept for centered predictors
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += normal_lpdf(Intercept_nu | prior_Intercept_nu_loc, prior_Intercept_nu_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    // initialize linear predictor term of nu
    vector[N] nu = rep_vector(0.0, N);
    mu += Intercept + Xc * b;
    nu += Intercept_nu + Xc_nu * b_nu;
    mu = exp(mu);
    nu = (exp(nu) + 1);
    target += frechet_lpdf(Y | nu, mu ./ tgamma(1 - 1 ./ nu));
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
  // actual population-level intercept
  real b_nu_Intercept = Intercept_nu - dot_product(means_X_nu, b_nu);
}
