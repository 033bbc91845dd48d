// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> K_mu1;  // number of population-level effects
  matrix[N, K_mu1] X_mu1;  // population-level design matrix
  int<lower=1> K_mu2;  // number of population-level effects
  matrix[N, K_mu2] X_mu2;  // population-level design matrix
  vector[2] con_theta;  // prior concentration
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_mu1_df;
  real prior_Intercept_mu1_loc;
  real prior_Intercept_mu1_scale;
  real prior_Intercept_mu2_df;
  real prior_Intercept_mu2_loc;
  real prior_Intercept_mu2_scale;
  real prior_sigma1_df;
  real prior_sigma1_loc;
  real prior_sigma1_scale;
  real prior_sigma2_df;
  real prior_sigma2_loc;
  real prior_sigma2_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_mu1 = K_mu1 - 1;
  matrix[N, Kc_mu1] Xc_mu1;  // centered version of X_mu1 without an intercept
  vector[Kc_mu1] means_X_mu1;  // column means of X_mu1 before centering
  int Kc_mu2 = K_mu2 - 1;
  matrix[N, Kc_mu2] Xc_mu2;  // centered version of X_mu2 without an intercept
  vector[Kc_mu2] means_X_mu2;  // column means of X_mu2 before centering
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
  real<lower=0> sigma1;  // dispersion parameter
  real<lower=0> sigma2;  // dispersion parameter
  simplex[2] theta;  // mixing proportions
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  // mixing proportions
  real<lower=0,upper=1> theta1 = theta[1];
  real<lower=0,upper=1> theta2 = theta[2];
  lprior += dirichlet_lpdf(theta | con_theta);
  lprior += student_t_lpdf(Intercept_mu1 | prior_Intercept_mu1_df, prior_Intercept_mu1_loc, prior_Intercept_mu1_scale);
  lprior += student_t_lpdf(Intercept_mu2 | prior_Intercept_mu2_df, prior_Intercept_mu2_loc, prior_Intercept_mu2_scale);
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
    mu1 += Intercept_mu1 + Xc_mu1 * b_mu1;
    mu2 += Intercept_mu2 + Xc_mu2 * b_mu2;
    // likelihood of the mixture model
    for (n in 1:N) {
      target += log_sum_exp(
        log(theta1) + normal_lpdf(Y[n] | mu1[n], sigma1),
        log(theta2) + normal_lpdf(Y[n] | mu2[n], sigma2)
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
}
