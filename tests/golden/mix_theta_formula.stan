// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> K_theta2;  // number of population-level effects
  matrix[N, K_theta2] X_theta2;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_mu1_df;
  real prior_Intercept_mu1_loc;
  real prior_Intercept_mu1_scale;
  real prior_Intercept_mu2_df;
  real prior_Intercept_mu2_loc;
  real prior_Intercept_mu2_scale;
  real prior_Intercept_theta2_loc;
  real prior_Intercept_theta2_scale;
  real prior_sigma1_df;
  real prior_sigma1_loc;
  real prior_sigma1_scale;
  real prior_sigma2_df;
  real prior_sigma2_loc;
  real prior_sigma2_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_theta2 = K_theta2 - 1;
  matrix[N, Kc_theta2] Xc_theta2;  // centered version of X_theta2 without an intercept
  vector[Kc_theta2] means_X_theta2;  // column means of X_theta2 before centering
  for (i in 2:K_theta2) {
    means_X_theta2[i - 1] = mean(X_theta2[, i]);
    Xc_theta2[, i - 1] = X_theta2[, i] - means_X_theta2[i - 1];
  }
}
parameters {
  vector[Kc_theta2] b_theta2;  // regression coefficients
  real Intercept_theta2;  // temporary intercept for centered predictors
  real<lower=0> sigma1;  // dispersion parameter
  real<lower=0> sigma2;  // dispersion parameter
  ordered[2] ordered_Intercept;  // to identify mixtures
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  // identify mixtures via ordering of the intercepts
  real Intercept_mu1 = ordered_Intercept[1];
  real Intercept_mu2 = ordered_Intercept[2];
  lprior += student_t_lpdf(Intercept_mu1 | prior_Intercept_mu1_df, prior_Intercept_mu1_loc, prior_Intercept_mu1_scale);
  lprior += student_t_lpdf(Intercept_mu2 | prior_Intercept_mu2_df, prior_Intercept_mu2_loc, prior_Intercept_mu2_scale);
  lprior += logistic_lpdf(Intercept_theta2 | prior_Intercept_theta2_loc, prior_Intercept_theta2_scale);
  lprior += student_t_lpdf(sigma1 | prior_sigma1_df, prior_sigma1_loc, prior_sigma1_scale)
    - student_t_lccdf(0 | prior_sigma1_df, prior_sigma1_loc, prior_sigma1_scale);
  lprior += student_t_lpdf(sigma2 | prior_sigma2_df, prior_sigma2_loc, prior_sigma2_scale)
    - student_t_lccdf(0 | prior_sigma2_df, prior_sigma2_loc, prior_sigma2_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of mu1
    vector[N] mu1 = rep_vector(0.0, N);
    // initialize linear predictor term of mu2
    vector[N] mu2 = rep_vector(0.0, N);
    // initialize linear predictor term of theta2
    vector[N] theta2 = rep_vector(0.0, N);
    vector[N] theta1 = rep_vector(0.0, N);  // reference category of the mixing proportions
    real log_sum_exp_theta;
    mu1 += Intercept_mu1;
    mu2 += Intercept_mu2;
    theta2 += Intercept_theta2 + Xc_theta2 * b_theta2;
    // normalize the mixing proportions on the log scale
    for (n in 1:N) {
      log_sum_exp_theta = log_sum_exp([theta1[n], theta2[n]]');
      theta1[n] = theta1[n] - log_sum_exp_theta;
      theta2[n] = theta2[n] - log_sum_exp_theta;
    }
    // likelihood of the mixture model
    for (n in 1:N) {
      target += log_sum_exp(
        theta1[n] + normal_lpdf(Y[n] | mu1[n], sigma1),
        theta2[n] + normal_lpdf(Y[n] | mu2[n], sigma2)
      );
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_mu1_Intercept = Intercept_mu1;
  // actual population-level intercept
  real b_mu2_Intercept = Intercept_mu2;
  // actual population-level intercept
  real b_theta2_Intercept = Intercept_theta2 - dot_product(means_X_theta2, b_theta2);
}
