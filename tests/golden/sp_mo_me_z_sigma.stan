// generated with brmspy
functions {
  /* compute monotonic effects
   * Args:
   *   scale: a simplex parameter
   *   X: values of the monotonic predictor, integers between 0 and rows(scale)
   * Returns:
   *   a vector of values between 0 and rows(scale): rows(scale) * sum(scale[1:X[n]])
   */
  vector mo(vector scale, array[] int X) {
    vector[rows(scale) + 1] cum = append_row(0, rows(scale) * cumulative_sum(scale));
    vector[size(X)] out;
    for (n in 1:size(X)) {
      out[n] = cum[X[n] + 1];
    }
    return out;
  }
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> Ksp;  // number of special effects terms
  // covariates of special effects terms
  vector[N] Csp_1;  // covariate of me(xme, sdx):z:w
  int<lower=1> Imo;  // number of monotonic variables
  array[Imo] int<lower=1> Jmo;  // length of simplexes
  array[N] int Xmo_1;  // monotonic variable mo(x)
  vector[Jmo[1]] con_simo_1;  // prior concentration of monotonic simplex
  array[N] int Xmo_2;  // monotonic variable mo(x) in mo(x):me(xme, sdx)
  vector[Jmo[2]] con_simo_2;  // prior concentration of monotonic simplex
  // data for noise-free variables
  int<lower=1> Mme_1;  // number of latent variables
  vector[N] Xn_1;  // noisy values of me(xme, sdx)
  vector<lower=0>[N] noise_1;  // measurement noise
  int<lower=1> Ksp_sigma;  // number of special effects terms
  // covariates of special effects terms
  vector[N] Csp_sigma_1;  // covariate of mo(x):z
  int<lower=1> Imo_sigma;  // number of monotonic variables
  array[Imo_sigma] int<lower=1> Jmo_sigma;  // length of simplexes
  array[N] int Xmo_sigma_1;  // monotonic variable mo(x) in mo(x):z
  vector[Jmo_sigma[1]] con_simo_sigma_1;  // prior concentration of monotonic simplex
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_Intercept_sigma_df;
  real prior_Intercept_sigma_loc;
  real prior_Intercept_sigma_scale;
  int prior_only;  // should the likelihood be ignored?
}
parameters {
  real Intercept;  // temporary intercept for centered predictors
  simplex[Jmo[1]] simo_1;  // monotonic simplex of mo(x)
  simplex[Jmo[2]] simo_2;  // monotonic simplex of mo(x) in mo(x):me(xme, sdx)
  // parameters for noise free variables
  vector[Mme_1] meanme_1;  // latent means
  vector<lower=0>[Mme_1] sdme_1;  // latent SDs
  vector[N] zme_1;  // standardized latent values
  vector[Ksp] bsp;  // special effects coefficients
  real Intercept_sigma;  // temporary intercept for centered predictors
  simplex[Jmo_sigma[1]] simo_sigma_1;  // monotonic simplex of mo(x) in mo(x):z
  vector[Ksp_sigma] bsp_sigma;  // special effects coefficients
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[N] Xme_1;  // actual latent values of me(xme, sdx)
  // compute actual latent values
  Xme_1 = meanme_1[1] + sdme_1[1] * zme_1;
  lprior += dirichlet_lpdf(simo_1 | con_simo_1);
  lprior += dirichlet_lpdf(simo_2 | con_simo_2);
  lprior += dirichlet_lpdf(simo_sigma_1 | con_simo_sigma_1);
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
    mu += Intercept + bsp[1] * mo(simo_1, Xmo_1) + bsp[2] * mo(simo_2, Xmo_2) .* Xme_1 + bsp[3] * Xme_1 .* Csp_1;
    sigma += Intercept_sigma + bsp_sigma[1] * mo(simo_sigma_1, Xmo_sigma_1) .* Csp_sigma_1;
    sigma = exp(sigma);
    target += normal_lpdf(Y | mu, sigma);
  }
  // priors including constants
  target += lprior;
  target += normal_lpdf(Xn_1 | Xme_1, noise_1);
  target += std_normal_lpdf(zme_1);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept;
  // actual population-level intercept
  real b_sigma_Intercept = Intercept_sigma;
}
