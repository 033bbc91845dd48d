// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  array[N] int Y;  // response variable
  int<lower=2> nthres;  // number of thresholds
  int<lower=1> K_a;  // number of population-level effects
  matrix[N, K_a] X_a;  // population-level design matrix
  int<lower=1> K_b;  // number of population-level effects
  matrix[N, K_b] X_b;  // population-level design matrix
  // covariates for non-linear functions of mu1
  vector[N] C_mu1_1;  // x
  // covariates for non-linear functions of mu2
  vector[N] C_mu2_1;  // x
  real<lower=0> disc1;  // fixed discrimination parameter
  real<lower=0> disc2;  // fixed discrimination parameter
  vector[2] con_theta;  // prior concentration
  // prior hyperparameters (values: make_standata() / prior_summary())
  vector[K_a] prior_b_a_loc;
  vector[K_a] prior_b_a_scale;
  vector[K_b] prior_b_b_loc;
  vector[K_b] prior_b_b_scale;
  vector[nthres] prior_Intercept_mu1_df;
  vector[nthres] prior_Intercept_mu1_loc;
  vector[nthres] prior_Intercept_mu1_scale;
  vector[nthres] prior_Intercept_mu2_df;
  vector[nthres] prior_Intercept_mu2_loc;
  vector[nthres] prior_Intercept_mu2_scale;
  int prior_only;  // should the likelihood be ignored?
}
parameters {
  vector[K_a] b_a;  // regression coefficients
  vector[K_b] b_b;  // regression coefficients
  ordered[nthres] Intercept_mu1;  // temporary thresholds for centered predictors
  ordered[nthres] Intercept_mu2;  // temporary thresholds for centered predictors
  simplex[2] theta;  // mixing proportions
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  // mixing proportions
  real<lower=0,upper=1> theta1 = theta[1];
  real<lower=0,upper=1> theta2 = theta[2];
  lprior += dirichlet_lpdf(theta | con_theta);
  lprior += normal_lpdf(b_a | prior_b_a_loc, prior_b_a_scale);
  lprior += normal_lpdf(b_b | prior_b_b_loc, prior_b_b_scale);
  lprior += student_t_lpdf(Intercept_mu1 | prior_Intercept_mu1_df, prior_Intercept_mu1_loc, prior_Intercept_mu1_scale);
  lprior += student_t_lpdf(Intercept_mu2 | prior_Intercept_mu2_df, prior_Intercept_mu2_loc, prior_Intercept_mu2_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of non-linear parameter a
    vector[N] nlp_a = rep_vector(0.0, N);
    // initialize linear predictor term of non-linear parameter b
    vector[N] nlp_b = rep_vector(0.0, N);
    // initialize non-linear predictor term mu1
    vector[N] mu1;
    // initialize non-linear predictor term mu2
    vector[N] mu2;
    nlp_a += X_a * b_a;
    nlp_b += X_b * b_b;
    for (n in 1:N) {
      // compute non-linear predictor values
      mu1[n] = nlp_a[n] * exp(nlp_b[n] * C_mu1_1[n]);
    }
    for (n in 1:N) {
      // compute non-linear predictor values
      mu2[n] = nlp_a[n] * exp(nlp_b[n] * C_mu2_1[n]);
    }
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
