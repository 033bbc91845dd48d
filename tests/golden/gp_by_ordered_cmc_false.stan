// generated with brmspy
functions {
  /* compute a latent Gaussian process with squared exponential kernel
   * Args:
   *   x: array of continuous predictor values
   *   sdgp: marginal SD parameter
   *   lscale: length-scale parameter
   *   zgp: vector of independent standard normal variables
   * Returns:
   *   a vector to be added to the linear predictor
   */
  vector gp_exp_quad(data array[] vector x, real sdgp, vector lscale, vector zgp) {
    int Dls = rows(lscale);
    int N = size(x);
    matrix[N, N] cov;
    if (Dls == 1) {
      // one dimensional or isotropic GP
      cov = gp_exp_quad_cov(x, sdgp, lscale[1]);
    } else {
      // multi-dimensional non-isotropic GP
      cov = gp_exp_quad_cov(x[, 1], sdgp, lscale[1]);
      for (d in 2:Dls) {
        cov = cov .* gp_exp_quad_cov(x[, d], 1, lscale[d]);
      }
    }
    for (n in 1:N) {
      // deal with numerical non-positive-definiteness
      cov[n, n] += 1e-12;
    }
    return cholesky_decompose(cov) * zgp;
  }
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  // data related to GPs: gp(x1, by = o, cmc = FALSE)
  int<lower=1> Kgp_1;  // number of sub-GPs (equal to 1 unless 'by' was used)
  int<lower=1> Dgp_1;  // GP dimension
  // number of observations relevant for a certain sub-GP
  array[Kgp_1] int<lower=1> Ngp_1;
  // indices and contrasts of sub-GPs per observation (levels of o)
  array[Ngp_1[1]] int<lower=1> Igp_1_1;
  vector[Ngp_1[1]] Cgp_1_1;
  array[Ngp_1[2]] int<lower=1> Igp_1_2;
  vector[Ngp_1[2]] Cgp_1_2;
  array[Ngp_1[3]] int<lower=1> Igp_1_3;
  vector[Ngp_1[3]] Cgp_1_3;
  // number of latent GP groups
  array[Kgp_1] int<lower=1> Nsubgp_1;
  // indices of latent GP groups per observation
  array[Ngp_1[1]] int<lower=1> Jgp_1_1;
  array[Ngp_1[2]] int<lower=1> Jgp_1_2;
  array[Ngp_1[3]] int<lower=1> Jgp_1_3;
  array[Nsubgp_1[1]] vector[Dgp_1] Xgp_1_1;  // covariates of the GP
  array[Nsubgp_1[2]] vector[Dgp_1] Xgp_1_2;  // covariates of the GP
  array[Nsubgp_1[3]] vector[Dgp_1] Xgp_1_3;  // covariates of the GP
  vector[Kgp_1] prior_sdgp_1_df;
  vector[Kgp_1] prior_sdgp_1_loc;
  vector[Kgp_1] prior_sdgp_1_scale;
  real prior_lscale_1_1_shape;
  real prior_lscale_1_1_scale;
  real prior_lscale_1_2_shape;
  real prior_lscale_1_2_scale;
  real prior_lscale_1_3_shape;
  real prior_lscale_1_3_scale;
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
  array[Kgp_1] vector<lower=0>[1] lscale_1;  // GP length-scale parameters
  // latent variables of the GP gp(x1, by = o, cmc = FALSE)
  vector[Nsubgp_1[1]] zgp_1_1;  // all rows
  vector[Nsubgp_1[2]] zgp_1_2;  // all rows
  vector[Nsubgp_1[3]] zgp_1_3;  // all rows
  real<lower=0> sigma;  // dispersion parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(sdgp_1 | prior_sdgp_1_df, prior_sdgp_1_loc, prior_sdgp_1_scale)
    - student_t_lccdf(rep_vector(0, Kgp_1) | prior_sdgp_1_df, prior_sdgp_1_loc, prior_sdgp_1_scale);
  lprior += inv_gamma_lpdf(lscale_1[1][1] | prior_lscale_1_1_shape, prior_lscale_1_1_scale);
  lprior += inv_gamma_lpdf(lscale_1[2][1] | prior_lscale_1_2_shape, prior_lscale_1_2_scale);
  lprior += inv_gamma_lpdf(lscale_1[3][1] | prior_lscale_1_3_shape, prior_lscale_1_3_scale);
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // latent values of the GP gp(x1, by = o, cmc = FALSE), all rows at its distinct covariate values
    vector[Nsubgp_1[1]] gp_pred_1_1 = gp_exp_quad(Xgp_1_1, sdgp_1[1], lscale_1[1], zgp_1_1);
    // latent values of the GP gp(x1, by = o, cmc = FALSE), all rows at its distinct covariate values
    vector[Nsubgp_1[2]] gp_pred_1_2 = gp_exp_quad(Xgp_1_2, sdgp_1[2], lscale_1[2], zgp_1_2);
    // latent values of the GP gp(x1, by = o, cmc = FALSE), all rows at its distinct covariate values
    vector[Nsubgp_1[3]] gp_pred_1_3 = gp_exp_quad(Xgp_1_3, sdgp_1[3], lscale_1[3], zgp_1_3);
    // gp(x1, by = o, cmc = FALSE) on all observations: each sub-GP on the rows of its level
    vector[N] gp_1 = rep_vector(0.0, N);
    gp_1[Igp_1_1] += Cgp_1_1 .* gp_pred_1_1[Jgp_1_1];
    gp_1[Igp_1_2] += Cgp_1_2 .* gp_pred_1_2[Jgp_1_2];
    gp_1[Igp_1_3] += Cgp_1_3 .* gp_pred_1_3[Jgp_1_3];
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + gp_1;
    target += normal_lpdf(Y | mu, sigma);
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(zgp_1_1);
  target += std_normal_lpdf(zgp_1_2);
  target += std_normal_lpdf(zgp_1_3);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept;
}
