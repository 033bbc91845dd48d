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
  real prior_sigma1_df;
  real prior_sigma1_loc;
  real prior_sigma1_scale;
  real prior_sigma2_df;
  real prior_sigma2_loc;
  real prior_sigma2_scale;
  int prior_only;  // should the likelihood be ignored?
}
parameters {
  vector[K_mu1] b_mu1;  // regression coefficients
  vector[K_mu2] b_mu2;  // regression coefficients
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
    mu1 += X_mu1 * b_mu1;
    mu2 += X_mu2 * b_mu2;
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
