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
  int<lower=1> K_a;  // number of population-level effects
  matrix[N, K_a] X_a;  // population-level design matrix
  // data of the CAR structure car(W, gr = g)
  int<lower=1> Nloc_a;  // number of locations
  array[N] int<lower=1> Jloc_a;  // location of each row
  int<lower=0> Nedges_a;  // number of neighbour pairs
  array[Nedges_a] int<lower=1> edges1_a;
  array[Nedges_a] int<lower=1> edges2_a;
  vector[Nloc_a] Nneigh_a;  // number of neighbours
  vector[Nloc_a] eigenMcar_a;  // eigenvalues of the scaled adjacency matrix
  // prior hyperparameters of the CAR structure
  real prior_sdcar_a_df;
  real prior_sdcar_a_loc;
  real prior_sdcar_a_scale;
  int<lower=1> K_b;  // number of population-level effects
  matrix[N, K_b] X_b;  // population-level design matrix
  // covariates for non-linear functions
  vector[N] C_1;  // x
  // prior hyperparameters (values: make_standata() / prior_summary())
  vector[K_a] prior_b_a_loc;
  vector[K_a] prior_b_a_scale;
  vector[K_b] prior_b_b_loc;
  vector[K_b] prior_b_b_scale;
  real prior_sigma_df;
  real prior_sigma_loc;
  real prior_sigma_scale;
  int prior_only;  // should the likelihood be ignored?
}
parameters {
  vector[K_a] b_a;  // regression coefficients
  real<lower=0> sdcar_a;  // SD of the CAR structure
  vector[Nloc_a] rcar_a;  // spatial effects of the locations
  real<lower=0,upper=1> car_a;  // spatial autocorrelation
  vector[K_b] b_b;  // regression coefficients
  real<lower=0> sigma;  // dispersion parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(sdcar_a | prior_sdcar_a_df, prior_sdcar_a_loc, prior_sdcar_a_scale)
    - student_t_lccdf(0 | prior_sdcar_a_df, prior_sdcar_a_loc, prior_sdcar_a_scale);
  lprior += normal_lpdf(b_a | prior_b_a_loc, prior_b_a_scale);
  lprior += normal_lpdf(b_b | prior_b_b_loc, prior_b_b_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of non-linear parameter a
    vector[N] nlp_a = rep_vector(0.0, N);
    // initialize linear predictor term of non-linear parameter b
    vector[N] nlp_b = rep_vector(0.0, N);
    // initialize non-linear predictor term
    vector[N] mu;
    nlp_a += X_a * b_a + rcar_a[Jloc_a];
    nlp_b += X_b * b_b;
    for (n in 1:N) {
      // compute non-linear predictor values
      mu[n] = nlp_a[n] + nlp_b[n] * C_1[n];
    }
    target += normal_lpdf(Y | mu, sigma);
  }
  // priors including constants
  target += lprior;
  target += sparse_car_lpdf(rcar_a | car_a, sdcar_a, Nloc_a, Nedges_a, Nneigh_a, eigenMcar_a, edges1_a, edges2_a);
}
