// generated with brmspy
functions {
  /* spectral density of the Matern 3/2 kernel (smoothness nu = 3/2)
   * at the square roots of the Laplacian eigenvalues of an approximate GP
   * Args:
   *   x: NB frequencies, each a vector of dimension D
   *   sdgp: marginal standard deviation
   *   lscale: one length scale (isotropic) or one per dimension
   * Returns:
   *   vector of NB densities
   */
  vector spd_gp_matern32(data array[] vector x, real sdgp, vector lscale) {
    int NB = dims(x)[1];
    int D = dims(x)[2];
    int Dls = rows(lscale);
    // 2^D pi^(D/2) Gamma(nu + D/2) (2 nu)^nu / Gamma(nu)
    real constant = square(sdgp) * 2^D * pi()^(D / 2.0) * tgamma((3 + D) / 2.0)
                    * 3^(3 / 2.0) / tgamma(3 / 2.0);
    real expo = -(3 + D) / 2.0;
    vector[NB] out;
    if (Dls == 1) {
      real lscale2 = square(lscale[1]);
      constant = constant * lscale[1]^D;
      for (m in 1:NB) {
        out[m] = constant * (3 + lscale2 * dot_self(x[m]))^expo;
      }
    } else {
      constant = constant * prod(lscale);
      for (m in 1:NB) {
        out[m] = constant * (3 + dot_self(lscale .* x[m]))^expo;
      }
    }
    return out;
  }
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  // data related to GPs: gp(x1, x2, k = 4, c = c(5/4, 3/2), cov = "matern32", iso = FALSE)
  int<lower=1> Kgp_1;  // number of sub-GPs (equal to 1 unless 'by' was used)
  int<lower=1> Dgp_1;  // GP dimension
  // number of basis functions of an approximate GP
  int<lower=1> NBgp_1;
  // number of latent GP groups
  int<lower=1> Nsubgp_1;
  // indices of latent GP groups per observation
  array[N] int<lower=1> Jgp_1;
  // approximate GP basis matrices and eigenvalues
  matrix[Nsubgp_1, NBgp_1] Xgp_1;
  array[NBgp_1] vector[Dgp_1] slambda_1;
  vector[Kgp_1] prior_sdgp_1_df;
  vector[Kgp_1] prior_sdgp_1_loc;
  vector[Kgp_1] prior_sdgp_1_scale;
  real prior_lscale_1_1_1_shape;
  real prior_lscale_1_1_1_scale;
  real prior_lscale_1_1_2_shape;
  real prior_lscale_1_1_2_scale;
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_sigma_df;
  real prior_sigma_loc;
  real prior_sigma_scale;
  int prior_only;  // should the likelihood be ignored?
}
parameters {
  real Intercept;  // temporary intercept for centered predictors
  vector<lower=0>[Kgp_1] sdgp_1;  // GP standard deviation parameters
  array[Kgp_1] vector<lower=0>[Dgp_1] lscale_1;  // GP length-scale parameters
  vector[NBgp_1] zgp_1;  // latent variables of the GP gp(x1, x2, k = 4, c = c(5/4, 3/2), cov = "matern32", iso = FALSE)
  real<lower=0> sigma;  // dispersion parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(sdgp_1 | prior_sdgp_1_df, prior_sdgp_1_loc, prior_sdgp_1_scale)
    - student_t_lccdf(rep_vector(0, Kgp_1) | prior_sdgp_1_df, prior_sdgp_1_loc, prior_sdgp_1_scale);
  lprior += inv_gamma_lpdf(lscale_1[1][1] | prior_lscale_1_1_1_shape, prior_lscale_1_1_1_scale);
  lprior += inv_gamma_lpdf(lscale_1[1][2] | prior_lscale_1_1_2_shape, prior_lscale_1_1_2_scale);
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // scale latent variables of the GP gp(x1, x2, k = 4, c = c(5/4, 3/2), cov = "matern32", iso = FALSE)
    vector[NBgp_1] rgp_1 = sqrt(spd_gp_matern32(slambda_1, sdgp_1[1], lscale_1[1])) .* zgp_1;
    vector[Nsubgp_1] gp_pred_1 = Xgp_1 * rgp_1;
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + gp_pred_1[Jgp_1];
    target += normal_lpdf(Y | mu, sigma);
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(zgp_1);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept;
}
