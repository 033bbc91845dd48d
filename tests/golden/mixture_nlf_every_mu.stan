// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> K_eta;  // number of population-level effects
  matrix[N, K_eta] X_eta;  // population-level design matrix
  int<lower=1> K_a;  // number of population-level effects
  matrix[N, K_a] X_a;  // population-level design matrix
  vector[2] con_theta;  // prior concentration
  // prior hyperparameters (values: make_standata() / prior_summary())
  vector[K_eta] prior_b_eta_loc;
  vector[K_eta] prior_b_eta_scale;
  vector[K_a] prior_b_a_loc;
  vector[K_a] prior_b_a_scale;
  real prior_sigma1_df;
  real prior_sigma1_loc;
  real prior_sigma1_scale;
  real prior_sigma2_df;
  real prior_sigma2_loc;
  real prior_sigma2_scale;
  int prior_only;  // should the likelihood be ignored?
}
parameters {
  vector[K_eta] b_eta;  // regression coefficients
  vector[K_a] b_a;  // regression coefficients
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
  lprior += normal_lpdf(b_eta | prior_b_eta_loc, prior_b_eta_scale);
  lprior += normal_lpdf(b_a | prior_b_a_loc, prior_b_a_scale);
  lprior += student_t_lpdf(sigma1 | prior_sigma1_df, prior_sigma1_loc, prior_sigma1_scale)
    - student_t_lccdf(0 | prior_sigma1_df, prior_sigma1_loc, prior_sigma1_scale);
  lprior += student_t_lpdf(sigma2 | prior_sigma2_df, prior_sigma2_loc, prior_sigma2_scale)
    - student_t_lccdf(0 | prior_sigma2_df, prior_sigma2_loc, prior_sigma2_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of non-linear parameter eta
    vector[N] nlp_eta = rep_vector(0.0, N);
    // initialize linear predictor term of non-linear parameter a
    vector[N] nlp_a = rep_vector(0.0, N);
    // initialize non-linear predictor term mu1
    vector[N] mu1;
    // initialize non-linear predictor term mu2
    vector[N] mu2;
    nlp_eta += X_eta * b_eta;
    nlp_a += X_a * b_a;
    for (n in 1:N) {
      // compute non-linear predictor values
      mu1[n] = nlp_eta[n] ^ 2;
    }
    for (n in 1:N) {
      // compute non-linear predictor values
      mu2[n] = log(nlp_eta[n]) + nlp_a[n];
    }
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
