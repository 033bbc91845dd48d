// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  array[N] int Y;  // response variable
  int<lower=1> NY_values;  // number of distinct response values
  vector[NY_values] Y_values;  // distinct response values
  vector[NY_values] Y_counts;  // rows per distinct value
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
  real prior_shape_shape;
  real prior_shape_scale;
  vector[M_1] prior_sd_1_df;
  vector[M_1] prior_sd_1_loc;
  vector[M_1] prior_sd_1_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc = K - 1;
  matrix[N, Kc] Xc;  // centered version of X without an intercept
  vector[Kc] means_X;  // column means of X before centering
  // data-only part of the log likelihood, summed once
  real lconst = -sum(lgamma(to_vector(Y) + 1));
  vector[N] Yv = to_vector(Y);
  for (i in 2:K) {
    means_X[i - 1] = mean(X[, i]);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
}
parameters {
  vector[Kc] b;  // regression coefficients
  real Intercept;  // temporary intercept for centered predictors
  real<lower=0> shape;  // shape parameter
  vector<lower=0>[M_1] sd_1;  // group-level standard deviations (1 | g)
  array[M_1] vector[N_1] z_1;  // standardized group-level effects
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[N_1] r_1_1;  // actual group-level effects
  // compute actual group-level effects of (1 | g)
  r_1_1 = sd_1[1] * z_1[1];
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += inv_gamma_lpdf(shape | prior_shape_shape, prior_shape_scale);
  lprior += student_t_lpdf(sd_1 | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale)
    - student_t_lccdf(rep_vector(0, M_1) | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // linear predictor, with group-level effects
    vector[N] mu = Intercept + Xc * b + r_1_1[J_1];
    // negative binomial log likelihood, log link: lgamma(Y + shape) over the distinct values of Y
    // (an exact reduction; brm(..., reduce=False) gives the row-wise program), dnb = mu - log(shape)
    {
      vector[N] dnb = mu - log(shape);
      target += dot_product(Y_counts, lgamma(Y_values + shape)) - N * lgamma(shape) + lconst
        + dot_product(Yv, dnb) - dot_product(Yv + shape, log1p_exp(dnb));
    }
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(z_1[1]);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
