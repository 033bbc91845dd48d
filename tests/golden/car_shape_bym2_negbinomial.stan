// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  array[N] int Y;  // response variable
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  // data of the CAR structure car(W, gr = g, type = 'bym2')
  int<lower=1> Nloc_shape;  // number of locations
  array[N] int<lower=1> Jloc_shape;  // location of each row
  int<lower=0> Nedges_shape;  // number of neighbour pairs
  array[Nedges_shape] int<lower=1> edges1_shape;
  array[Nedges_shape] int<lower=1> edges2_shape;
  real<lower=0> car_scale_shape;  // scaling factor of the spatial CAR component
  // prior hyperparameters of the CAR structure
  real prior_sdcar_shape_df;
  real prior_sdcar_shape_loc;
  real prior_sdcar_shape_scale;
  real prior_rhocar_shape_a;
  real prior_rhocar_shape_b;
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_Intercept_shape_df;
  real prior_Intercept_shape_loc;
  real prior_Intercept_shape_scale;
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
  real Intercept_shape;  // temporary intercept for centered predictors
  real<lower=0> sdcar_shape;  // SD of the CAR structure
  vector[Nloc_shape] zcar_shape;  // spatial part
  vector[Nloc_shape] nszcar_shape;  // non-spatial part
  real<lower=0,upper=1> rhocar_shape;  // proportion of variance in the spatial part
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[Nloc_shape] rcar_shape;  // spatial effects of the locations
  // join the spatial and the non-spatial parts
  rcar_shape = (sqrt(1 - rhocar_shape) * nszcar_shape + sqrt(rhocar_shape * inv(car_scale_shape)) * zcar_shape) * sdcar_shape;
  lprior += student_t_lpdf(sdcar_shape | prior_sdcar_shape_df, prior_sdcar_shape_loc, prior_sdcar_shape_scale)
    - student_t_lccdf(0 | prior_sdcar_shape_df, prior_sdcar_shape_loc, prior_sdcar_shape_scale);
  lprior += beta_lpdf(rhocar_shape | prior_rhocar_shape_a, prior_rhocar_shape_b);
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(Intercept_shape | prior_Intercept_shape_df, prior_Intercept_shape_loc, prior_Intercept_shape_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    // initialize linear predictor term of shape
    vector[N] shape = rep_vector(0.0, N);
    mu += Intercept + Xc * b;
    shape += Intercept_shape + rcar_shape[Jloc_shape];
    shape = exp(shape);
    target += neg_binomial_2_log_lpmf(Y | mu, shape);
  }
  // priors including constants
  target += lprior;
  // improper ICAR prior on the spatial part (soft sum-to-zero), standard normal non-spatial part
  target += -0.5 * dot_self(zcar_shape[edges1_shape] - zcar_shape[edges2_shape]);
  target += normal_lpdf(sum(zcar_shape) | 0, 0.001 * Nloc_shape);
  target += std_normal_lpdf(nszcar_shape);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
  // actual population-level intercept
  real b_shape_Intercept = Intercept_shape;
}
