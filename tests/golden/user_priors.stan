// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  int<lower=0> Kp_b_normal;  // number of b with a normal prior
  array[Kp_b_normal] int Jp_b_normal;
  vector[Kp_b_normal] prior_b_normal_loc;
  vector[Kp_b_normal] prior_b_normal_scale;
  int<lower=0> Kp_b_cauchy;  // number of b with a cauchy prior
  array[Kp_b_cauchy] int Jp_b_cauchy;
  vector[Kp_b_cauchy] prior_b_cauchy_loc;
  vector[Kp_b_cauchy] prior_b_cauchy_scale;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_sigma_rate;
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
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += normal_lpdf(b[Jp_b_normal] | prior_b_normal_loc, prior_b_normal_scale);
  lprior += cauchy_lpdf(b[Jp_b_cauchy] | prior_b_cauchy_loc, prior_b_cauchy_scale);
  lprior += normal_lpdf(Intercept | prior_Intercept_loc, prior_Intercept_scale);
  lprior += exponential_lpdf(sigma | prior_sigma_rate);
}
model {
  // likelihood including constants
  if (!prior_only) {
    target += normal_id_glm_lpdf(Y | Xc, Intercept, b, sigma);
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
