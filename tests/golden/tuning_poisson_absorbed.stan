// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  array[N] int Y;  // response variable
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
  int Kc = K - 1;
  matrix[N, Kc] Xc;  // centered version of X without an intercept
  vector[Kc] means_X;  // column means of X before centering
  // sufficient statistics of the part of the log likelihood linear in the parameters
  vector[Kc] XY;  // Xc' * Y
  vector[N_1] ZY_1_1 = rep_vector(0, N_1);  // per level: sum of Y .* Z_1_1
  real lconst = -sum(lgamma(to_vector(Y) + 1));  // data-only part of the log likelihood
  for (i in 2:K) {
    means_X[i - 1] = mean(X[, i]);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
  XY = Xc' * to_vector(Y);
  for (n in 1:N) {
    ZY_1_1[J_1[n]] += Y[n] * Z_1_1[n];
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
    // poisson log likelihood, canonical link: sum(Y .* mu) from sufficient statistics (an exact
    // reduction; brm(..., reduce=False) gives the row-wise program) minus sum(exp(mu)),
    // mu = Xc * b + a_1_1[J_1], with the group intercepts' exp taken per level
    target += dot_product(XY, b) + dot_product(ZY_1_1, a_1_1) - dot_product(exp(a_1_1)[J_1], exp(Xc * b)) + lconst;
  }
  // priors including constants
  target += lprior;
  target += normal_lpdf(a_1_1 | Intercept, sd_1[1]);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
