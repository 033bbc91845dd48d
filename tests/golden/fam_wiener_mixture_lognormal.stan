// generated with brmspy
functions {
  /* Wiener diffusion log-PDF for a single response
   * Args:
   *   y: reaction time data
   *   dec: decision data (0 or 1)
   *   alpha: boundary separation parameter > 0
   *   tau: non-decision time parameter > 0
   *   beta: initial bias parameter in [0, 1]
   *   delta: drift rate parameter
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real wiener_diffusion_lpdf(real y, int dec, real alpha, real tau, real beta, real delta) {
    if (dec == 1) {
      return wiener_lpdf(y | alpha, tau, beta, delta);
    } else {
      return wiener_lpdf(y | alpha, tau, 1 - beta, - delta);
    }
  }
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  array[N] int<lower=0,upper=1> dec;  // decisions
  int<lower=1> K_mu1;  // number of population-level effects
  matrix[N, K_mu1] X_mu1;  // population-level design matrix
  int<lower=1> K_mu2;  // number of population-level effects
  matrix[N, K_mu2] X_mu2;  // population-level design matrix
  vector[2] con_theta;  // prior concentration
  // data for group-level effects of ID 1
  int<lower=1> N_1;  // number of grouping levels
  int<lower=1> M_1;  // number of coefficients per level
  array[N] int<lower=1> J_1;  // grouping indicator per observation
  // group-level predictor values
  vector[N] Z_1_mu1_1;
  // data for group-level effects of ID 2
  int<lower=1> N_2;  // number of grouping levels
  int<lower=1> M_2;  // number of coefficients per level
  array[N] int<lower=1> J_2;  // grouping indicator per observation
  // group-level predictor values
  vector[N] Z_2_mu2_1;
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_mu1_df;
  real prior_Intercept_mu1_loc;
  real prior_Intercept_mu1_scale;
  real prior_Intercept_mu2_df;
  real prior_Intercept_mu2_loc;
  real prior_Intercept_mu2_scale;
  real prior_bs1_shape;
  real prior_bs1_rate;
  real prior_ndt1_lower;
  real prior_ndt1_upper;
  real prior_bias1_a;
  real prior_bias1_b;
  real prior_sigma2_df;
  real prior_sigma2_loc;
  real prior_sigma2_scale;
  vector[M_1] prior_sd_1_df;
  vector[M_1] prior_sd_1_loc;
  vector[M_1] prior_sd_1_scale;
  vector[M_2] prior_sd_2_df;
  vector[M_2] prior_sd_2_loc;
  vector[M_2] prior_sd_2_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_mu1 = K_mu1 - 1;
  matrix[N, Kc_mu1] Xc_mu1;  // centered version of X_mu1 without an intercept
  vector[Kc_mu1] means_X_mu1;  // column means of X_mu1 before centering
  int Kc_mu2 = K_mu2 - 1;
  matrix[N, Kc_mu2] Xc_mu2;  // centered version of X_mu2 without an intercept
  vector[Kc_mu2] means_X_mu2;  // column means of X_mu2 before centering
  real min_Y = min(Y);
  for (i in 2:K_mu1) {
    means_X_mu1[i - 1] = mean(X_mu1[, i]);
    Xc_mu1[, i - 1] = X_mu1[, i] - means_X_mu1[i - 1];
  }
  for (i in 2:K_mu2) {
    means_X_mu2[i - 1] = mean(X_mu2[, i]);
    Xc_mu2[, i - 1] = X_mu2[, i] - means_X_mu2[i - 1];
  }
}
parameters {
  vector[Kc_mu1] b_mu1;  // regression coefficients
  real Intercept_mu1;  // temporary intercept for centered predictors
  vector[Kc_mu2] b_mu2;  // regression coefficients
  real Intercept_mu2;  // temporary intercept for centered predictors
  real<lower=0> bs1;  // boundary separation parameter
  real<lower=0,upper=min_Y> ndt1;  // non-decision time
  real<lower=0,upper=1> bias1;  // initial bias parameter
  real<lower=0> sigma2;  // dispersion parameter
  simplex[2] theta;  // mixing proportions
  vector<lower=0>[M_1] sd_1;  // group-level standard deviations (1 | g)
  array[M_1] vector[N_1] z_1;  // standardized group-level effects
  vector<lower=0>[M_2] sd_2;  // group-level standard deviations (1 | g)
  array[M_2] vector[N_2] z_2;  // standardized group-level effects
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  // mixing proportions
  real<lower=0,upper=1> theta1 = theta[1];
  real<lower=0,upper=1> theta2 = theta[2];
  vector[N_1] r_1_mu1_1;  // actual group-level effects
  vector[N_2] r_2_mu2_1;  // actual group-level effects
  // compute actual group-level effects of (1 | g)
  r_1_mu1_1 = sd_1[1] * z_1[1];
  // compute actual group-level effects of (1 | g)
  r_2_mu2_1 = sd_2[1] * z_2[1];
  lprior += dirichlet_lpdf(theta | con_theta);
  lprior += student_t_lpdf(Intercept_mu1 | prior_Intercept_mu1_df, prior_Intercept_mu1_loc, prior_Intercept_mu1_scale);
  lprior += student_t_lpdf(Intercept_mu2 | prior_Intercept_mu2_df, prior_Intercept_mu2_loc, prior_Intercept_mu2_scale);
  lprior += gamma_lpdf(bs1 | prior_bs1_shape, prior_bs1_rate);
  lprior += uniform_lpdf(ndt1 | prior_ndt1_lower, prior_ndt1_upper)
    - uniform_lccdf(0 | prior_ndt1_lower, prior_ndt1_upper);
  lprior += beta_lpdf(bias1 | prior_bias1_a, prior_bias1_b);
  lprior += student_t_lpdf(sigma2 | prior_sigma2_df, prior_sigma2_loc, prior_sigma2_scale)
    - student_t_lccdf(0 | prior_sigma2_df, prior_sigma2_loc, prior_sigma2_scale);
  lprior += student_t_lpdf(sd_1 | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale)
    - student_t_lccdf(rep_vector(0, M_1) | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale);
  lprior += student_t_lpdf(sd_2 | prior_sd_2_df, prior_sd_2_loc, prior_sd_2_scale)
    - student_t_lccdf(rep_vector(0, M_2) | prior_sd_2_df, prior_sd_2_loc, prior_sd_2_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of mu1
    vector[N] mu1 = rep_vector(0.0, N);
    // initialize linear predictor term of mu2
    vector[N] mu2 = rep_vector(0.0, N);
    mu1 += Intercept_mu1 + Xc_mu1 * b_mu1;
    // add group-level effects to mu1
    mu1 += r_1_mu1_1[J_1] .* Z_1_mu1_1;
    mu2 += Intercept_mu2 + Xc_mu2 * b_mu2;
    // add group-level effects to mu2
    mu2 += r_2_mu2_1[J_2] .* Z_2_mu2_1;
    // likelihood of the mixture model
    for (n in 1:N) {
      target += log_sum_exp(
        log(theta1) + wiener_diffusion_lpdf(Y[n] | dec[n], bs1, ndt1, bias1, mu1[n]),
        log(theta2) + lognormal_lpdf(Y[n] | mu2[n], sigma2)
      );
    }
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(z_1[1]);
  target += std_normal_lpdf(z_2[1]);
}
generated quantities {
  // actual population-level intercept
  real b_mu1_Intercept = Intercept_mu1 - dot_product(means_X_mu1, b_mu1);
  // actual population-level intercept
  real b_mu2_Intercept = Intercept_mu2 - dot_product(means_X_mu2, b_mu2);
}
