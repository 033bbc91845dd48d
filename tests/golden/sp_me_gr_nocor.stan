// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> Ksp;  // number of special effects terms
  // data for noise-free variables
  int<lower=0> Nme_1;  // number of levels of g
  array[N] int<lower=1> Jme_1;  // level of each row
  int<lower=1> Mme_1;  // number of latent variables
  vector[Nme_1] Xn_1;  // noisy values of me(x, sx, g)
  vector<lower=0>[Nme_1] noise_1;  // measurement noise
  vector[Nme_1] Xn_2;  // noisy values of me(w, sx, g)
  vector<lower=0>[Nme_1] noise_2;  // measurement noise
  int<lower=1> Mme_2;  // number of latent variables
  vector[N] Xn_3;  // noisy values of me(z, sz)
  vector<lower=0>[N] noise_3;  // measurement noise
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
  // parameters for noise free variables
  vector[Mme_1] meanme_1;  // latent means
  vector<lower=0>[Mme_1] sdme_1;  // latent SDs
  vector[Nme_1] zme_1;  // standardized latent values
  vector[Nme_1] zme_2;  // standardized latent values
  vector[Mme_2] meanme_2;  // latent means
  vector<lower=0>[Mme_2] sdme_2;  // latent SDs
  vector[N] zme_3;  // standardized latent values
  vector[Ksp] bsp;  // special effects coefficients
  real<lower=0> sigma;  // dispersion parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[Nme_1] Xme_1;  // actual latent values of me(x, sx, g)
  vector[Nme_1] Xme_2;  // actual latent values of me(w, sx, g)
  vector[N] Xme_3;  // actual latent values of me(z, sz)
  // compute actual latent values
  Xme_1 = meanme_1[1] + sdme_1[1] * zme_1;
  Xme_2 = meanme_1[2] + sdme_1[2] * zme_2;
  // compute actual latent values
  Xme_3 = meanme_2[1] + sdme_2[1] * zme_3;
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + bsp[1] * Xme_1[Jme_1] + bsp[2] * Xme_2[Jme_1] + bsp[3] * Xme_3;
    target += normal_lpdf(Y | mu, sigma);
  }
  // priors including constants
  target += lprior;
  target += normal_lpdf(Xn_1 | Xme_1, noise_1);
  target += normal_lpdf(Xn_2 | Xme_2, noise_2);
  target += std_normal_lpdf(zme_1);
  target += std_normal_lpdf(zme_2);
  target += normal_lpdf(Xn_3 | Xme_3, noise_3);
  target += std_normal_lpdf(zme_3);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept;
}
