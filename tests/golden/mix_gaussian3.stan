// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  vector[3] con_theta;  // prior concentration
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_mu1_df;
  real prior_Intercept_mu1_loc;
  real prior_Intercept_mu1_scale;
  real prior_Intercept_mu2_df;
  real prior_Intercept_mu2_loc;
  real prior_Intercept_mu2_scale;
  real prior_Intercept_mu3_df;
  real prior_Intercept_mu3_loc;
  real prior_Intercept_mu3_scale;
  real prior_sigma1_df;
  real prior_sigma1_loc;
  real prior_sigma1_scale;
  real prior_sigma2_df;
  real prior_sigma2_loc;
  real prior_sigma2_scale;
  real prior_sigma3_df;
  real prior_sigma3_loc;
  real prior_sigma3_scale;
  int prior_only;  // should the likelihood be ignored?
}
parameters {
  real<lower=0> sigma1;  // dispersion parameter
  real<lower=0> sigma2;  // dispersion parameter
  real<lower=0> sigma3;  // dispersion parameter
  simplex[3] theta;  // mixing proportions
  ordered[3] ordered_Intercept;  // to identify mixtures
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  // mixing proportions
  real<lower=0,upper=1> theta1 = theta[1];
  real<lower=0,upper=1> theta2 = theta[2];
  real<lower=0,upper=1> theta3 = theta[3];
  // identify mixtures via ordering of the intercepts
  real Intercept_mu1 = ordered_Intercept[1];
  real Intercept_mu2 = ordered_Intercept[2];
  real Intercept_mu3 = ordered_Intercept[3];
  lprior += dirichlet_lpdf(theta | con_theta);
  lprior += student_t_lpdf(Intercept_mu1 | prior_Intercept_mu1_df, prior_Intercept_mu1_loc, prior_Intercept_mu1_scale);
  lprior += student_t_lpdf(Intercept_mu2 | prior_Intercept_mu2_df, prior_Intercept_mu2_loc, prior_Intercept_mu2_scale);
  lprior += student_t_lpdf(Intercept_mu3 | prior_Intercept_mu3_df, prior_Intercept_mu3_loc, prior_Intercept_mu3_scale);
  lprior += student_t_lpdf(sigma1 | prior_sigma1_df, prior_sigma1_loc, prior_sigma1_scale)
    - student_t_lccdf(0 | prior_sigma1_df, prior_sigma1_loc, prior_sigma1_scale);
  lprior += student_t_lpdf(sigma2 | prior_sigma2_df, prior_sigma2_loc, prior_sigma2_scale)
    - student_t_lccdf(0 | prior_sigma2_df, prior_sigma2_loc, prior_sigma2_scale);
  lprior += student_t_lpdf(sigma3 | prior_sigma3_df, prior_sigma3_loc, prior_sigma3_scale)
    - student_t_lccdf(0 | prior_sigma3_df, prior_sigma3_loc, prior_sigma3_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of mu1
    vector[N] mu1 = rep_vector(0.0, N);
    // initialize linear predictor term of mu2
    vector[N] mu2 = rep_vector(0.0, N);
    // initialize linear predictor term of mu3
    vector[N] mu3 = rep_vector(0.0, N);
    mu1 += Intercept_mu1;
    mu2 += Intercept_mu2;
    mu3 += Intercept_mu3;
    // likelihood of the mixture model
    for (n in 1:N) {
      array[3] real ps;
      ps[1] = log(theta1) + normal_lpdf(Y[n] | mu1[n], sigma1);
      ps[2] = log(theta2) + normal_lpdf(Y[n] | mu2[n], sigma2);
      ps[3] = log(theta3) + normal_lpdf(Y[n] | mu3[n], sigma3);
      target += log_sum_exp(ps);
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
  real b_mu3_Intercept = Intercept_mu3;
}
