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
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  int<lower=1> K_bs;  // number of population-level effects
  matrix[N, K_bs] X_bs;  // population-level design matrix
  int<lower=1> K_bias;  // number of population-level effects
  matrix[N, K_bias] X_bias;  // population-level design matrix
  // data for group-level effects of ID 1
  int<lower=1> N_1;  // number of grouping levels
  int<lower=1> M_1;  // number of coefficients per level
  array[N] int<lower=1> J_1;  // grouping indicator per observation
  // group-level predictor values
  vector[N] Z_1_1;
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_Intercept_bs_loc;
  real prior_Intercept_bs_scale;
  real prior_Intercept_bias_loc;
  real prior_Intercept_bias_scale;
  vector[M_1] prior_sd_1_df;
  vector[M_1] prior_sd_1_loc;
  vector[M_1] prior_sd_1_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc = K - 1;
  matrix[N, Kc] Xc;  // centered version of X without an intercept
  vector[Kc] means_X;  // column means of X before centering
  int Kc_bs = K_bs - 1;
  matrix[N, Kc_bs] Xc_bs;  // centered version of X_bs without an intercept
  vector[Kc_bs] means_X_bs;  // column means of X_bs before centering
  int Kc_bias = K_bias - 1;
  matrix[N, Kc_bias] Xc_bias;  // centered version of X_bias without an intercept
  vector[Kc_bias] means_X_bias;  // column means of X_bias before centering
  for (i in 2:K) {
    means_X[i - 1] = mean(X[, i]);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
  for (i in 2:K_bs) {
    means_X_bs[i - 1] = mean(X_bs[, i]);
    Xc_bs[, i - 1] = X_bs[, i] - means_X_bs[i - 1];
  }
  for (i in 2:K_bias) {
    means_X_bias[i - 1] = mean(X_bias[, i]);
    Xc_bias[, i - 1] = X_bias[, i] - means_X_bias[i - 1];
  }
}
parameters {
  vector[Kc] b;  // regression coefficients
  real Intercept;  // temporary intercept for centered predictors
  vector[Kc_bs] b_bs;  // regression coefficients
  real Intercept_bs;  // temporary intercept for centered predictors
  real Intercept_ndt;  // temporary intercept for centered predictors
  vector[Kc_bias] b_bias;  // regression coefficients
  real Intercept_bias;  // temporary intercept for centered predictors
  vector<lower=0>[M_1] sd_1;  // group-level standard deviations (1 | g)
  array[M_1] vector[N_1] z_1;  // standardized group-level effects
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[N_1] r_1_1;  // actual group-level effects
  // compute actual group-level effects of (1 | g)
  r_1_1 = sd_1[1] * z_1[1];
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += normal_lpdf(Intercept_bs | prior_Intercept_bs_loc, prior_Intercept_bs_scale);
  lprior += logistic_lpdf(Intercept_bias | prior_Intercept_bias_loc, prior_Intercept_bias_scale);
  lprior += student_t_lpdf(sd_1 | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale)
    - student_t_lccdf(rep_vector(0, M_1) | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    // initialize linear predictor term of bs
    vector[N] bs = rep_vector(0.0, N);
    // initialize linear predictor term of ndt
    vector[N] ndt = rep_vector(0.0, N);
    // initialize linear predictor term of bias
    vector[N] bias = rep_vector(0.0, N);
    mu += Intercept + Xc * b;
    // add group-level effects to mu
    mu += r_1_1[J_1] .* Z_1_1;
    bs += Intercept_bs + Xc_bs * b_bs;
    ndt += Intercept_ndt;
    bias += Intercept_bias + Xc_bias * b_bias;
    bs = exp(bs);
    ndt = exp(ndt);
    bias = inv_logit(bias);
    for (n in 1:N) {
      target += wiener_diffusion_lpdf(Y[n] | dec[n], bs[n], ndt[n], bias[n], mu[n]);
    }
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(z_1[1]);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
  // actual population-level intercept
  real b_bs_Intercept = Intercept_bs - dot_product(means_X_bs, b_bs);
  // actual population-level intercept
  real b_ndt_Intercept = Intercept_ndt;
  // actual population-level intercept
  real b_bias_Intercept = Intercept_bias - dot_product(means_X_bias, b_bias);
}
