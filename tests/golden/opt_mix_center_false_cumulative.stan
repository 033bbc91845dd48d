// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  array[N] int Y;  // response variable
  int<lower=2> nthres;  // number of thresholds
  int<lower=1> K_mu1;  // number of population-level effects
  matrix[N, K_mu1] X_mu1;  // population-level design matrix
  int<lower=1> K_mu2;  // number of population-level effects
  matrix[N, K_mu2] X_mu2;  // population-level design matrix
  real<lower=0> disc1;  // fixed discrimination parameter
  real<lower=0> disc2;  // fixed discrimination parameter
  vector[2] con_theta;  // prior concentration
  // prior hyperparameters (values: make_standata() / prior_summary())
  vector[nthres] prior_Intercept_mu1_df;
  vector[nthres] prior_Intercept_mu1_loc;
  vector[nthres] prior_Intercept_mu1_scale;
  vector[nthres] prior_Intercept_mu2_df;
  vector[nthres] prior_Intercept_mu2_loc;
  vector[nthres] prior_Intercept_mu2_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_mu1 = K_mu1 - 1;
  matrix[N, Kc_mu1] Xc_mu1 = X_mu1[, 2:K_mu1];  // X_mu1 without its intercept column (not centered)
  int Kc_mu2 = K_mu2 - 1;
  matrix[N, Kc_mu2] Xc_mu2 = X_mu2[, 2:K_mu2];  // X_mu2 without its intercept column (not centered)
}
parameters {
  vector[Kc_mu1] b_mu1;  // regression coefficients
  ordered[nthres] Intercept_mu1;  // temporary thresholds for centered predictors
  vector[Kc_mu2] b_mu2;  // regression coefficients
  ordered[nthres] Intercept_mu2;  // temporary thresholds for centered predictors
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
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of mu1
    vector[N] mu1 = rep_vector(0.0, N);
    // initialize linear predictor term of mu2
    vector[N] mu2 = rep_vector(0.0, N);
    mu1 += Xc_mu1 * b_mu1;
    mu2 += Xc_mu2 * b_mu2;
    // likelihood of the mixture model
    for (n in 1:N) {
      array[2] real ps;
      ps[1] = log(theta1) + ordered_logistic_lpmf(Y[n] | mu1[n], Intercept_mu1);
      ps[2] = log(theta2) + ordered_logistic_lpmf(Y[n] | mu2[n], Intercept_mu2);
      target += log_sum_exp(ps);
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // thresholds on the scale of the uncentered predictors
  vector[nthres] b_mu1_Intercept = Intercept_mu1;
  // thresholds on the scale of the uncentered predictors
  vector[nthres] b_mu2_Intercept = Intercept_mu2;
}
