// generated with brmspy
functions {
  /* brms's skew_normal has mean mu and sd sigma; Stan's skew_normal_lpdf takes
   * location xi = mu - sigma * skew_normal_shift(alpha) and scale
   * omega = sigma * skew_normal_scale(alpha), where delta = alpha / sqrt(1 + alpha^2),
   * omega = sigma / sqrt(1 - 2 / pi() * delta^2) and xi = mu - omega * delta * sqrt(2 / pi())
   */
  real skew_normal_scale(real alpha) {
    return inv_sqrt(1 - 2 / pi() * square(alpha) / (1 + square(alpha)));
  }
  vector skew_normal_scale(vector alpha) {
    return inv_sqrt(1 - 2 / pi() * square(alpha) ./ (1 + square(alpha)));
  }
  real skew_normal_shift(real alpha) {
    return sqrt(2 / pi()) * alpha / sqrt(1 + square(alpha)) * skew_normal_scale(alpha);
  }
  vector skew_normal_shift(vector alpha) {
    return sqrt(2 / pi()) * alpha ./ sqrt(1 + square(alpha)) .* skew_normal_scale(alpha);
  }
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  vector<lower=0>[N] se;  // known sampling error
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  real<lower=0> sigma;  // fixed dispersion parameter
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_alpha_loc;
  real prior_alpha_scale;
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
  real alpha;  // skewness parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += normal_lpdf(alpha | prior_alpha_loc, prior_alpha_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + Xc * b;
    target += skew_normal_lpdf(Y | mu - se * skew_normal_shift(alpha), se * skew_normal_scale(alpha), alpha);
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
