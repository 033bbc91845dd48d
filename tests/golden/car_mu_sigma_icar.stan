// generated with brmspy
functions {
  /* log density of a proper CAR field (exact sparse form, Joseph 2016)
   * Args:
   *   phi: spatial effects of the locations
   *   car: spatial autocorrelation in [0, 1)
   *   sdcar: standard deviation (precision 1 / sdcar^2)
   *   Nneigh: number of neighbours per location
   *   eigenW: eigenvalues of D^(-1/2) W D^(-1/2)
   *   edges1, edges2: the neighbour pairs (each once)
   */
  real sparse_car_lpdf(vector phi, real car, real sdcar, int Nloc, int Nedges,
                       data vector Nneigh, data vector eigenW,
                       array[] int edges1, array[] int edges2) {
    real tau = inv_square(sdcar);
    real phiDphi = dot_product(phi .* Nneigh, phi);
    // phi' W phi counts each neighbour pair twice
    real phiWphi = 2 * dot_product(phi[edges1], phi[edges2]);
    return 0.5 * (Nloc * log(tau) + sum(log1m(car * eigenW)) - tau * (phiDphi - car * phiWphi));
  }
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  // data of the CAR structure car(W, gr = g)
  int<lower=1> Nloc;  // number of locations
  array[N] int<lower=1> Jloc;  // location of each row
  int<lower=0> Nedges;  // number of neighbour pairs
  array[Nedges] int<lower=1> edges1;
  array[Nedges] int<lower=1> edges2;
  vector[Nloc] Nneigh;  // number of neighbours
  vector[Nloc] eigenMcar;  // eigenvalues of the scaled adjacency matrix
  // prior hyperparameters of the CAR structure
  real prior_sdcar_df;
  real prior_sdcar_loc;
  real prior_sdcar_scale;
  int<lower=1> K_sigma;  // number of population-level effects
  matrix[N, K_sigma] X_sigma;  // population-level design matrix
  // data of the CAR structure car(W, gr = g, type = 'icar')
  int<lower=1> Nloc_sigma;  // number of locations
  array[N] int<lower=1> Jloc_sigma;  // location of each row
  int<lower=0> Nedges_sigma;  // number of neighbour pairs
  array[Nedges_sigma] int<lower=1> edges1_sigma;
  array[Nedges_sigma] int<lower=1> edges2_sigma;
  // prior hyperparameters of the CAR structure
  real prior_sdcar_sigma_df;
  real prior_sdcar_sigma_loc;
  real prior_sdcar_sigma_scale;
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_Intercept_sigma_df;
  real prior_Intercept_sigma_loc;
  real prior_Intercept_sigma_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc = K - 1;
  matrix[N, Kc] Xc;  // centered version of X without an intercept
  vector[Kc] means_X;  // column means of X before centering
  int Kc_sigma = K_sigma - 1;
  matrix[N, Kc_sigma] Xc_sigma;  // centered version of X_sigma without an intercept
  vector[Kc_sigma] means_X_sigma;  // column means of X_sigma before centering
  for (i in 2:K) {
    means_X[i - 1] = mean(X[, i]);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
  for (i in 2:K_sigma) {
    means_X_sigma[i - 1] = mean(X_sigma[, i]);
    Xc_sigma[, i - 1] = X_sigma[, i] - means_X_sigma[i - 1];
  }
}
parameters {
  vector[Kc] b;  // regression coefficients
  real Intercept;  // temporary intercept for centered predictors
  real<lower=0> sdcar;  // SD of the CAR structure
  vector[Nloc] rcar;  // spatial effects of the locations
  real<lower=0,upper=1> car;  // spatial autocorrelation
  vector[Kc_sigma] b_sigma;  // regression coefficients
  real Intercept_sigma;  // temporary intercept for centered predictors
  real<lower=0> sdcar_sigma;  // SD of the CAR structure
  vector[Nloc_sigma] zcar_sigma;  // unscaled spatial effects
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[Nloc_sigma] rcar_sigma;  // spatial effects of the locations
  rcar_sigma = zcar_sigma * sdcar_sigma;
  lprior += student_t_lpdf(sdcar | prior_sdcar_df, prior_sdcar_loc, prior_sdcar_scale)
    - student_t_lccdf(0 | prior_sdcar_df, prior_sdcar_loc, prior_sdcar_scale);
  lprior += student_t_lpdf(sdcar_sigma | prior_sdcar_sigma_df, prior_sdcar_sigma_loc, prior_sdcar_sigma_scale)
    - student_t_lccdf(0 | prior_sdcar_sigma_df, prior_sdcar_sigma_loc, prior_sdcar_sigma_scale);
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(Intercept_sigma | prior_Intercept_sigma_df, prior_Intercept_sigma_loc, prior_Intercept_sigma_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    // initialize linear predictor term of sigma
    vector[N] sigma = rep_vector(0.0, N);
    mu += Intercept + rcar[Jloc];
    sigma += Intercept_sigma + Xc_sigma * b_sigma + rcar_sigma[Jloc_sigma];
    sigma = exp(sigma);
    target += normal_id_glm_lpdf(Y | Xc, mu, b, sigma);
  }
  // priors including constants
  target += lprior;
  target += sparse_car_lpdf(rcar | car, sdcar, Nloc, Nedges, Nneigh, eigenMcar, edges1, edges2);
  // improper ICAR prior on the spatial effects, with a soft sum-to-zero constraint
  target += -0.5 * dot_self(zcar_sigma[edges1_sigma] - zcar_sigma[edges2_sigma]);
  target += normal_lpdf(sum(zcar_sigma) | 0, 0.001 * Nloc_sigma);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
  // actual population-level intercept
  real b_sigma_Intercept = Intercept_sigma - dot_product(means_X_sigma, b_sigma);
}
