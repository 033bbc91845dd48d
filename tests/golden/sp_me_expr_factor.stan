// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  int<lower=1> Ksp;  // number of special effects terms
  // covariates of special effects terms
  vector[N] Csp_1;  // covariate of IexpmexsxD2:fb
  vector[N] Csp_2;  // covariate of IexpmexsxD2:fc
  vector[N] Csp_3;  // covariate of I1Dmexsx:z
  // data for noise-free variables
  int<lower=1> Mme_1;  // number of latent variables
  vector[N] Xn_1;  // noisy values of me(x, sx)
  vector<lower=0>[N] noise_1;  // measurement noise
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_sigma_df;
  real prior_sigma_loc;
  real prior_sigma_scale;
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
  // parameters for noise free variables
  vector[Mme_1] meanme_1;  // latent means
  vector<lower=0>[Mme_1] sdme_1;  // latent SDs
  vector[N] zme_1;  // standardized latent values
  vector[Ksp] bsp;  // special effects coefficients
  real<lower=0> sigma;  // dispersion parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[N] Xme_1;  // actual latent values of me(x, sx)
  // compute actual latent values
  Xme_1 = meanme_1[1] + sdme_1[1] * zme_1;
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + bsp[1] * (exp(Xme_1 / 2.0)) + bsp[2] * (exp(Xme_1 / 2.0)) .* Csp_1 + bsp[3] * (exp(Xme_1 / 2.0)) .* Csp_2 + bsp[4] * (1.0 ./ Xme_1) .* Csp_3;
    target += normal_id_glm_lpdf(Y | Xc, mu, b, sigma);
  }
  // priors including constants
  target += lprior;
  target += normal_lpdf(Xn_1 | Xme_1, noise_1);
  target += std_normal_lpdf(zme_1);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
