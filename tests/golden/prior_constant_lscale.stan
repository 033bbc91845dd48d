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
  // data related to GPs: gp(x, z, iso = FALSE)
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
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_sigma_df;
  real prior_sigma_loc;
  real prior_sigma_scale;
  int<lower=1> Kp_lscale_1_const;  // number of elements of lscale_1 fixed by constant()
  vector[Kp_lscale_1_const] prior_lscale_1_const;  // constant values of lscale_1
  int prior_only;  // should the likelihood be ignored?
}
parameters {
  real Intercept;  // temporary intercept for centered predictors
  vector<lower=0>[Kgp_1] sdgp_1;  // GP standard deviation parameters
  real<lower=0> par_lscale_1_1_1;  // element 1 of lscale_1[1]
  vector[Nsubgp_1] zgp_1;  // latent variables of the GP gp(x, z, iso = FALSE)
  real<lower=0> sigma;  // dispersion parameter
}
transformed parameters {
  array[Kgp_1] vector<lower=0>[Dgp_1] lscale_1;  // GP length-scale parameters
  real lprior = 0;  // prior contributions to the log posterior
  lscale_1[1][1] = par_lscale_1_1_1;
  lscale_1[1][2] = prior_lscale_1_const[1];
  lprior += student_t_lpdf(sdgp_1 | prior_sdgp_1_df, prior_sdgp_1_loc, prior_sdgp_1_scale)
    - student_t_lccdf(rep_vector(0, Kgp_1) | prior_sdgp_1_df, prior_sdgp_1_loc, prior_sdgp_1_scale);
  lprior += inv_gamma_lpdf(lscale_1[1][1] | prior_lscale_1_1_1_shape, prior_lscale_1_1_1_scale);
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // latent values of the GP gp(x, z, iso = FALSE) at its distinct covariate values
    vector[Nsubgp_1] gp_pred_1 = gp_exp_quad(Xgp_1, sdgp_1[1], lscale_1[1], zgp_1);
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
