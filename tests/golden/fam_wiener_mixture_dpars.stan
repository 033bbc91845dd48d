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
  int<lower=1> K_bs2;  // number of population-level effects
  matrix[N, K_bs2] X_bs2;  // population-level design matrix
  int<lower=1> K_bias1;  // number of population-level effects
  matrix[N, K_bias1] X_bias1;  // population-level design matrix
  int<lower=1> K_theta2;  // number of population-level effects
  matrix[N, K_theta2] X_theta2;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_mu1_df;
  real prior_Intercept_mu1_loc;
  real prior_Intercept_mu1_scale;
  real prior_Intercept_mu2_df;
  real prior_Intercept_mu2_loc;
  real prior_Intercept_mu2_scale;
  real prior_Intercept_bs2_loc;
  real prior_Intercept_bs2_scale;
  real prior_Intercept_bias1_loc;
  real prior_Intercept_bias1_scale;
  real prior_Intercept_theta2_loc;
  real prior_Intercept_theta2_scale;
  real prior_bs1_shape;
  real prior_bs1_rate;
  real prior_ndt2_lower;
  real prior_ndt2_upper;
  real prior_bias2_a;
  real prior_bias2_b;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_mu1 = K_mu1 - 1;
  matrix[N, Kc_mu1] Xc_mu1;  // centered version of X_mu1 without an intercept
  vector[Kc_mu1] means_X_mu1;  // column means of X_mu1 before centering
  int Kc_mu2 = K_mu2 - 1;
  matrix[N, Kc_mu2] Xc_mu2;  // centered version of X_mu2 without an intercept
  vector[Kc_mu2] means_X_mu2;  // column means of X_mu2 before centering
  int Kc_bs2 = K_bs2 - 1;
  matrix[N, Kc_bs2] Xc_bs2;  // centered version of X_bs2 without an intercept
  vector[Kc_bs2] means_X_bs2;  // column means of X_bs2 before centering
  int Kc_bias1 = K_bias1 - 1;
  matrix[N, Kc_bias1] Xc_bias1;  // centered version of X_bias1 without an intercept
  vector[Kc_bias1] means_X_bias1;  // column means of X_bias1 before centering
  int Kc_theta2 = K_theta2 - 1;
  matrix[N, Kc_theta2] Xc_theta2;  // centered version of X_theta2 without an intercept
  vector[Kc_theta2] means_X_theta2;  // column means of X_theta2 before centering
  real min_Y = min(Y);
  for (i in 2:K_mu1) {
    means_X_mu1[i - 1] = mean(X_mu1[, i]);
    Xc_mu1[, i - 1] = X_mu1[, i] - means_X_mu1[i - 1];
  }
  for (i in 2:K_mu2) {
    means_X_mu2[i - 1] = mean(X_mu2[, i]);
    Xc_mu2[, i - 1] = X_mu2[, i] - means_X_mu2[i - 1];
  }
  for (i in 2:K_bs2) {
    means_X_bs2[i - 1] = mean(X_bs2[, i]);
    Xc_bs2[, i - 1] = X_bs2[, i] - means_X_bs2[i - 1];
  }
  for (i in 2:K_bias1) {
    means_X_bias1[i - 1] = mean(X_bias1[, i]);
    Xc_bias1[, i - 1] = X_bias1[, i] - means_X_bias1[i - 1];
  }
  for (i in 2:K_theta2) {
    means_X_theta2[i - 1] = mean(X_theta2[, i]);
    Xc_theta2[, i - 1] = X_theta2[, i] - means_X_theta2[i - 1];
  }
}
parameters {
  vector[Kc_mu1] b_mu1;  // regression coefficients
  vector[Kc_mu2] b_mu2;  // regression coefficients
  vector[Kc_bs2] b_bs2;  // regression coefficients
  real Intercept_bs2;  // temporary intercept for centered predictors
  real Intercept_ndt1;  // temporary intercept for centered predictors
  vector[Kc_bias1] b_bias1;  // regression coefficients
  real Intercept_bias1;  // temporary intercept for centered predictors
  vector[Kc_theta2] b_theta2;  // regression coefficients
  real Intercept_theta2;  // temporary intercept for centered predictors
  real<lower=0> bs1;  // boundary separation parameter
  real<lower=0,upper=min_Y> ndt2;  // non-decision time
  real<lower=0,upper=1> bias2;  // initial bias parameter
  ordered[2] ordered_Intercept;  // to identify mixtures
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  // identify mixtures via ordering of the intercepts
  real Intercept_mu1 = ordered_Intercept[1];
  real Intercept_mu2 = ordered_Intercept[2];
  lprior += student_t_lpdf(Intercept_mu1 | prior_Intercept_mu1_df, prior_Intercept_mu1_loc, prior_Intercept_mu1_scale);
  lprior += student_t_lpdf(Intercept_mu2 | prior_Intercept_mu2_df, prior_Intercept_mu2_loc, prior_Intercept_mu2_scale);
  lprior += normal_lpdf(Intercept_bs2 | prior_Intercept_bs2_loc, prior_Intercept_bs2_scale);
  lprior += logistic_lpdf(Intercept_bias1 | prior_Intercept_bias1_loc, prior_Intercept_bias1_scale);
  lprior += logistic_lpdf(Intercept_theta2 | prior_Intercept_theta2_loc, prior_Intercept_theta2_scale);
  lprior += gamma_lpdf(bs1 | prior_bs1_shape, prior_bs1_rate);
  lprior += uniform_lpdf(ndt2 | prior_ndt2_lower, prior_ndt2_upper)
    - uniform_lccdf(0 | prior_ndt2_lower, prior_ndt2_upper);
  lprior += beta_lpdf(bias2 | prior_bias2_a, prior_bias2_b);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of mu1
    vector[N] mu1 = rep_vector(0.0, N);
    // initialize linear predictor term of ndt1
    vector[N] ndt1 = rep_vector(0.0, N);
    // initialize linear predictor term of bias1
    vector[N] bias1 = rep_vector(0.0, N);
    // initialize linear predictor term of mu2
    vector[N] mu2 = rep_vector(0.0, N);
    // initialize linear predictor term of bs2
    vector[N] bs2 = rep_vector(0.0, N);
    // initialize linear predictor term of theta2
    vector[N] theta2 = rep_vector(0.0, N);
    vector[N] theta1 = rep_vector(0.0, N);  // reference category of the mixing proportions
    real log_sum_exp_theta;
    mu1 += Intercept_mu1 + Xc_mu1 * b_mu1;
    ndt1 += Intercept_ndt1;
    bias1 += Intercept_bias1 + Xc_bias1 * b_bias1;
    mu2 += Intercept_mu2 + Xc_mu2 * b_mu2;
    bs2 += Intercept_bs2 + Xc_bs2 * b_bs2;
    theta2 += Intercept_theta2 + Xc_theta2 * b_theta2;
    ndt1 = exp(ndt1);
    bias1 = inv_logit(bias1);
    bs2 = exp(bs2);
    // normalize the mixing proportions on the log scale
    for (n in 1:N) {
      log_sum_exp_theta = log_sum_exp([theta1[n], theta2[n]]');
      theta1[n] = theta1[n] - log_sum_exp_theta;
      theta2[n] = theta2[n] - log_sum_exp_theta;
    }
    // likelihood of the mixture model
    for (n in 1:N) {
      target += log_sum_exp(
        theta1[n] + wiener_diffusion_lpdf(Y[n] | dec[n], bs1, ndt1[n], bias1[n], mu1[n]),
        theta2[n] + wiener_diffusion_lpdf(Y[n] | dec[n], bs2[n], ndt2, bias2, mu2[n])
      );
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_mu1_Intercept = Intercept_mu1 - dot_product(means_X_mu1, b_mu1);
  // actual population-level intercept
  real b_mu2_Intercept = Intercept_mu2 - dot_product(means_X_mu2, b_mu2);
  // actual population-level intercept
  real b_bs2_Intercept = Intercept_bs2 - dot_product(means_X_bs2, b_bs2);
  // actual population-level intercept
  real b_ndt1_Intercept = Intercept_ndt1;
  // actual population-level intercept
  real b_bias1_Intercept = Intercept_bias1 - dot_product(means_X_bias1, b_bias1);
  // actual population-level intercept
  real b_theta2_Intercept = Intercept_theta2 - dot_product(means_X_theta2, b_theta2);
}
