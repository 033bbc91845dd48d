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
  int<lower=1> Nloc_sigma;  // number of locations
  array[N] int<lower=1> Jloc_sigma;  // location of each row
  int<lower=0> Nedges_sigma;  // number of neighbour pairs
  array[Nedges_sigma] int<lower=1> edges1_sigma;
  array[Nedges_sigma] int<lower=1> edges2_sigma;
  vector[Nloc_sigma] Nneigh_sigma;  // number of neighbours
  vector[Nloc_sigma] eigenMcar_sigma;  // eigenvalues of the scaled adjacency matrix
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
  for (i in 2:K) {
    means_X[i - 1] = mean(X[, i]);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
}
parameters {
  vector[Kc] b;  // regression coefficients
  real Intercept;  // temporary intercept for centered predictors
  real Intercept_sigma;  // temporary intercept for centered predictors
  real<lower=0> sdcar_sigma;  // SD of the CAR structure
  vector[Nloc_sigma] rcar_sigma;  // spatial effects of the locations
  real<lower=0,upper=1> car_sigma;  // spatial autocorrelation
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(sdcar_sigma | prior_sdcar_sigma_df, prior_sdcar_sigma_loc, prior_sdcar_sigma_scale)
    - student_t_lccdf(0 | prior_sdcar_sigma_df, prior_sdcar_sigma_loc, prior_sdcar_sigma_scale);
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(Intercept_sigma | prior_Intercept_sigma_df, prior_Intercept_sigma_loc, prior_Intercept_sigma_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of sigma
    vector[N] sigma = rep_vector(0.0, N);
    sigma += Intercept_sigma + rcar_sigma[Jloc_sigma];
    sigma = exp(sigma);
    target += normal_id_glm_lpdf(Y | Xc, Intercept, b, sigma);
  }
  // priors including constants
  target += lprior;
  target += sparse_car_lpdf(rcar_sigma | car_sigma, sdcar_sigma, Nloc_sigma, Nedges_sigma, Nneigh_sigma, eigenMcar_sigma, edges1_sigma, edges2_sigma);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
  // actual population-level intercept
  real b_sigma_Intercept = Intercept_sigma;
}
