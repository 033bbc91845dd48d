// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y_y1;  // response variable
  vector<lower=0>[N] weights_y1;  // model weights
  int<lower=1> K_y1;  // number of population-level effects
  matrix[N, K_y1] X_y1;  // population-level design matrix
  int<lower=1> K_sigma_y1;  // number of population-level effects
  matrix[N, K_sigma_y1] X_sigma_y1;  // population-level design matrix
  vector[N] Y_y2;  // response variable
  vector<lower=0>[N] weights_y2;  // model weights
  int<lower=1> nresp;  // number of responses
  int nrescor;  // number of residual correlations
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_y1_df;
  real prior_Intercept_y1_loc;
  real prior_Intercept_y1_scale;
  real prior_Intercept_sigma_y1_df;
  real prior_Intercept_sigma_y1_loc;
  real prior_Intercept_sigma_y1_scale;
  real prior_Intercept_y2_df;
  real prior_Intercept_y2_loc;
  real prior_Intercept_y2_scale;
  real prior_sigma_y2_df;
  real prior_sigma_y2_loc;
  real prior_sigma_y2_scale;
  // prior hyperparameters of the residual correlations
  real prior_Lrescor_eta;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_y1 = K_y1 - 1;
  matrix[N, Kc_y1] Xc_y1;  // centered version of X_y1 without an intercept
  vector[Kc_y1] means_X_y1;  // column means of X_y1 before centering
  int Kc_sigma_y1 = K_sigma_y1 - 1;
  matrix[N, Kc_sigma_y1] Xc_sigma_y1;  // centered version of X_sigma_y1 without an intercept
  vector[Kc_sigma_y1] means_X_sigma_y1;  // column means of X_sigma_y1 before centering
  array[N] vector[nresp] Y;  // response array
  // weights of the pointwise log-likelihood
  vector<lower=0>[N] weights = weights_y1;
  for (i in 2:K_y1) {
    means_X_y1[i - 1] = mean(X_y1[, i]);
    Xc_y1[, i - 1] = X_y1[, i] - means_X_y1[i - 1];
  }
  for (i in 2:K_sigma_y1) {
    means_X_sigma_y1[i - 1] = mean(X_sigma_y1[, i]);
    Xc_sigma_y1[, i - 1] = X_sigma_y1[, i] - means_X_sigma_y1[i - 1];
  }
  for (n in 1:N) {
    Y[n] = transpose([Y_y1[n], Y_y2[n]]);
  }
}
parameters {
  vector[Kc_y1] b_y1;  // regression coefficients
  real Intercept_y1;  // temporary intercept for centered predictors
  vector[Kc_sigma_y1] b_sigma_y1;  // regression coefficients
  real Intercept_sigma_y1;  // temporary intercept for centered predictors
  real Intercept_y2;  // temporary intercept for centered predictors
  real<lower=0> sigma_y2;  // dispersion parameter
  cholesky_factor_corr[nresp] Lrescor;  // parameters for multivariate linear models
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept_y1 | prior_Intercept_y1_df, prior_Intercept_y1_loc, prior_Intercept_y1_scale);
  lprior += student_t_lpdf(Intercept_sigma_y1 | prior_Intercept_sigma_y1_df, prior_Intercept_sigma_y1_loc, prior_Intercept_sigma_y1_scale);
  lprior += student_t_lpdf(Intercept_y2 | prior_Intercept_y2_df, prior_Intercept_y2_loc, prior_Intercept_y2_scale);
  lprior += student_t_lpdf(sigma_y2 | prior_sigma_y2_df, prior_sigma_y2_loc, prior_sigma_y2_scale)
    - student_t_lccdf(0 | prior_sigma_y2_df, prior_sigma_y2_loc, prior_sigma_y2_scale);
  lprior += lkj_corr_cholesky_lpdf(Lrescor | prior_Lrescor_eta);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu_y1 = rep_vector(0.0, N);
    // initialize linear predictor term of sigma
    vector[N] sigma_y1 = rep_vector(0.0, N);
    // initialize linear predictor term
    vector[N] mu_y2 = rep_vector(0.0, N);
    // multivariate predictor array
    array[N] vector[nresp] Mu;
    array[N] vector[nresp] sigma;
    // cholesky factor of residual covariance matrix
    array[N] matrix[nresp, nresp] LSigma;
    mu_y1 += Intercept_y1 + Xc_y1 * b_y1;
    sigma_y1 += Intercept_sigma_y1 + Xc_sigma_y1 * b_sigma_y1;
    sigma_y1 = exp(sigma_y1);
    mu_y2 += Intercept_y2;
    // combine univariate parameters
    for (n in 1:N) {
      Mu[n] = transpose([mu_y1[n], mu_y2[n]]);
      sigma[n] = transpose([sigma_y1[n], sigma_y2]);
      LSigma[n] = diag_pre_multiply(sigma[n], Lrescor);
    }
    for (n in 1:N) {
      target += weights[n] * (multi_normal_cholesky_lpdf(Y[n] | Mu[n], LSigma[n]));
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_y1_Intercept = Intercept_y1 - dot_product(means_X_y1, b_y1);
  // actual population-level intercept
  real b_sigma_y1_Intercept = Intercept_sigma_y1 - dot_product(means_X_sigma_y1, b_sigma_y1);
  // actual population-level intercept
  real b_y2_Intercept = Intercept_y2;
  // residual correlations
  corr_matrix[nresp] Rescor = multiply_lower_tri_self_transpose(Lrescor);
  vector<lower=-1, upper=1>[nrescor] rescor;
  // extract upper diagonal of the residual correlation matrix
  for (k in 1:nresp) {
    for (j in 1:(k - 1)) {
      rescor[choose(k - 1, 2) + j] = Rescor[j, k];
    }
  }
}
