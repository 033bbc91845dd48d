// generated with brmspy
functions {
  /* latent values of a Gaussian process with the matern52 covariance kernel
   * Args:
   *   x: covariate values, one vector per latent point
   *   sdgp: marginal standard deviation
   *   lscale: one length scale (isotropic) or one per dimension (the kernel
   *     is then the product of one-dimensional kernels)
   *   zgp: independent standard normal values, one per point
   * Returns:
   *   the GP at the points: Cholesky factor of the covariance times zgp
   */
  vector gp_matern52(data array[] vector x, real sdgp, vector lscale, vector zgp) {
    int N = size(x);
    int Dls = rows(lscale);
    matrix[N, N] K;
    if (Dls == 1) {
      K = gp_matern52_cov(x, sdgp, lscale[1]);
    } else {
      K = gp_matern52_cov(x[, 1], sdgp, lscale[1]);
      for (d in 2:Dls) {
        K = K .* gp_matern52_cov(x[, d], 1, lscale[d]);
      }
    }
    // a tiny nugget keeps K numerically positive definite
    for (n in 1:N) {
      K[n, n] += 1e-12;
    }
    return cholesky_decompose(K) * zgp;
  }
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  // data related to GPs: gp(x1, x2, iso = FALSE, cov = "matern52")
  int<lower=1> Kgp_1;  // number of sub-GPs (equal to 1 unless 'by' was used)
  int<lower=1> Dgp_1;  // GP dimension
  // number of latent GP groups
  int<lower=1> Nsubgp_1;
  // indices of latent GP groups per observation
  array[N] int<lower=1> Jgp_1;
  array[Nsubgp_1] vector[Dgp_1] Xgp_1;  // covariates of the GP
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
  vector[Nsubgp_1] zgp_1;  // latent variables of the GP gp(x1, x2, iso = FALSE, cov = "matern52")
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
    // latent values of the GP gp(x1, x2, iso = FALSE, cov = "matern52") at its distinct covariate values
    vector[Nsubgp_1] gp_pred_1 = gp_matern52(Xgp_1, sdgp_1[1], lscale_1[1], zgp_1);
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
