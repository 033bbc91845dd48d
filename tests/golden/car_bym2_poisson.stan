// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  array[N] int Y;  // response variable
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  // data of the CAR structure car(W, g, "bym2")
  int<lower=1> Nloc;  // number of locations
  array[N] int<lower=1> Jloc;  // location of each row
  int<lower=0> Nedges;  // number of neighbour pairs
  array[Nedges] int<lower=1> edges1;
  array[Nedges] int<lower=1> edges2;
  real<lower=0> car_scale;  // scaling factor of the spatial CAR component
  // prior hyperparameters of the CAR structure
  real prior_sdcar_df;
  real prior_sdcar_loc;
  real prior_sdcar_scale;
  real prior_rhocar_a;
  real prior_rhocar_b;
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
  for (i in 2:K) {
    means_X[i - 1] = mean(X[, i]);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
}
parameters {
  vector[Kc] b;  // regression coefficients
  real Intercept;  // temporary intercept for centered predictors
  real<lower=0> sdcar;  // SD of the CAR structure
  vector[Nloc] zcar;  // spatial part
  vector[Nloc] nszcar;  // non-spatial part
  real<lower=0,upper=1> rhocar;  // proportion of variance in the spatial part
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[Nloc] rcar;  // spatial effects of the locations
  // join the spatial and the non-spatial parts
  rcar = (sqrt(1 - rhocar) * nszcar + sqrt(rhocar * inv(car_scale)) * zcar) * sdcar;
  lprior += student_t_lpdf(sdcar | prior_sdcar_df, prior_sdcar_loc, prior_sdcar_scale)
    - student_t_lccdf(0 | prior_sdcar_df, prior_sdcar_loc, prior_sdcar_scale);
  lprior += beta_lpdf(rhocar | prior_rhocar_a, prior_rhocar_b);
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + rcar[Jloc];
    target += poisson_log_glm_lpmf(Y | Xc, mu, b);
  }
  // priors including constants
  target += lprior;
  // improper ICAR prior on the spatial part (soft sum-to-zero), standard normal non-spatial part
  target += -0.5 * dot_self(zcar[edges1] - zcar[edges2]);
  target += normal_lpdf(sum(zcar) | 0, 0.001 * Nloc);
  target += std_normal_lpdf(nszcar);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
