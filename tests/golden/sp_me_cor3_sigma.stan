// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> Ksp;  // number of special effects terms
  // data for noise-free variables
  int<lower=1> Mme_1;  // number of latent variables
  vector[N] Xn_1;  // noisy values of me(x, sx)
  vector<lower=0>[N] noise_1;  // measurement noise
  vector[N] Xn_2;  // noisy values of me(z, sz)
  vector<lower=0>[N] noise_2;  // measurement noise
  vector[N] Xn_3;  // noisy values of me(w, sw)
  vector<lower=0>[N] noise_3;  // measurement noise
  int<lower=1> NCme_1;  // number of latent correlations
  // prior hyperparameter of the latent correlations
  real prior_Lme_1_eta;
  int<lower=1> Ksp_sigma;  // number of special effects terms
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
  // parameters for noise free variables
  vector[Mme_1] meanme_1;  // latent means
  vector<lower=0>[Mme_1] sdme_1;  // latent SDs
  matrix[Mme_1, N] zme_1;  // standardized latent values
  cholesky_factor_corr[Mme_1] Lme_1;  // cholesky factor of the latent correlation matrix
  vector[Ksp] bsp;  // special effects coefficients
  real Intercept_sigma;  // temporary intercept for centered predictors
  vector[Ksp_sigma] bsp_sigma;  // special effects coefficients
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  matrix[N, Mme_1] Xme1;  // actual latent values
  vector[N] Xme_1;  // actual latent values of me(x, sx)
  vector[N] Xme_2;  // actual latent values of me(z, sz)
  vector[N] Xme_3;  // actual latent values of me(w, sw)
  // compute actual latent values (correlated)
  Xme1 = rep_matrix(transpose(meanme_1), N) + transpose(diag_pre_multiply(sdme_1, Lme_1) * zme_1);
  Xme_1 = Xme1[, 1];
  Xme_2 = Xme1[, 2];
  Xme_3 = Xme1[, 3];
  lprior += lkj_corr_cholesky_lpdf(Lme_1 | prior_Lme_1_eta);
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
    mu += Intercept + bsp[1] * Xme_1 + bsp[2] * Xme_2 + bsp[3] * Xme_3;
    sigma += Intercept_sigma + bsp_sigma[1] * Xme_1;
    sigma = exp(sigma);
    target += normal_lpdf(Y | mu, sigma);
  }
  // priors including constants
  target += lprior;
  target += normal_lpdf(Xn_1 | Xme_1, noise_1);
  target += normal_lpdf(Xn_2 | Xme_2, noise_2);
  target += normal_lpdf(Xn_3 | Xme_3, noise_3);
  target += std_normal_lpdf(to_vector(zme_1));
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept;
  // obtain the latent correlation matrix
  corr_matrix[Mme_1] Corme_1 = multiply_lower_tri_self_transpose(Lme_1);
  vector<lower=-1, upper=1>[NCme_1] corme_1;
  // actual population-level intercept
  real b_sigma_Intercept = Intercept_sigma;
  // extract upper diagonal of the latent correlation matrix
  for (k in 1:Mme_1) {
    for (j in 1:(k - 1)) {
      corme_1[choose(k - 1, 2) + j] = Corme_1[j, k];
    }
  }
}
