// generated with brmspy
functions {
  /* distribution functions of the Cox proportional hazards model
   * parameterize hazard(t) = baseline(t) * mu
   * so that higher values of 'mu' imply lower survival times
   * Args:
   *   y: the response value; currently ignored as the relevant
   *     information is passed via 'bhaz' and 'cbhaz'
   *   mu: positive location parameter
   *   bhaz: baseline hazard
   *   cbhaz: cumulative baseline hazard
   */
  real cox_lhaz(real y, real mu, real bhaz, real cbhaz) {
    return log(bhaz) + log(mu);
  }
  real cox_lccdf(real y, real mu, real bhaz, real cbhaz) {
    // equivalent to the log survival function
    return - cbhaz * mu;
  }
  real cox_lcdf(real y, real mu, real bhaz, real cbhaz) {
    return log1m_exp(cox_lccdf(y | mu, bhaz, cbhaz));
  }
  real cox_lpdf(real y, real mu, real bhaz, real cbhaz) {
    return cox_lhaz(y, mu, bhaz, cbhaz) + cox_lccdf(y | mu, bhaz, cbhaz);
  }
  // Distribution functions of the Cox model in log parameterization
  real cox_log_lhaz(real y, real log_mu, real bhaz, real cbhaz) {
    return log(bhaz) + log_mu;
  }
  real cox_log_lccdf(real y, real log_mu, real bhaz, real cbhaz) {
    return - cbhaz * exp(log_mu);
  }
  real cox_log_lcdf(real y, real log_mu, real bhaz, real cbhaz) {
    return log1m_exp(cox_log_lccdf(y | log_mu, bhaz, cbhaz));
  }
  real cox_log_lpdf(real y, real log_mu, real bhaz, real cbhaz) {
    return cox_log_lhaz(y, log_mu, bhaz, cbhaz) +
           cox_log_lccdf(y | log_mu, bhaz, cbhaz);
  }
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> K_mu1;  // number of population-level effects
  matrix[N, K_mu1] X_mu1;  // population-level design matrix
  int<lower=1> K_mu2;  // number of population-level effects
  matrix[N, K_mu2] X_mu2;  // population-level design matrix
  vector[2] con_theta;  // prior concentration
  // data for flexible baseline functions
  int Kbhaz;  // number of basis functions
  // design matrix of the baseline function
  matrix[N, Kbhaz] Zbhaz;
  // design matrix of the cumulative baseline function
  matrix[N, Kbhaz] Zcbhaz;
  // a-priori concentration vector of baseline coefficients
  vector<lower=0>[Kbhaz] con_sbhaz;
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_mu1_df;
  real prior_Intercept_mu1_loc;
  real prior_Intercept_mu1_scale;
  real prior_Intercept_mu2_df;
  real prior_Intercept_mu2_loc;
  real prior_Intercept_mu2_scale;
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
  simplex[2] theta;  // mixing proportions
  simplex[Kbhaz] sbhaz;  // baseline coefficients
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  // mixing proportions
  real<lower=0,upper=1> theta1 = theta[1];
  real<lower=0,upper=1> theta2 = theta[2];
  lprior += dirichlet_lpdf(theta | con_theta);
  lprior += dirichlet_lpdf(sbhaz | con_sbhaz);
  lprior += student_t_lpdf(Intercept_mu1 | prior_Intercept_mu1_df, prior_Intercept_mu1_loc, prior_Intercept_mu1_scale);
  lprior += student_t_lpdf(Intercept_mu2 | prior_Intercept_mu2_df, prior_Intercept_mu2_loc, prior_Intercept_mu2_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // compute values of baseline function
    vector[N] bhaz = Zbhaz * sbhaz;
    // compute values of cumulative baseline function
    vector[N] cbhaz = Zcbhaz * sbhaz;
    // initialize linear predictor term of mu1
    vector[N] mu1 = rep_vector(0.0, N);
    // initialize linear predictor term of mu2
    vector[N] mu2 = rep_vector(0.0, N);
    mu1 += Intercept_mu1 + Xc_mu1 * b_mu1;
    mu2 += Intercept_mu2 + Xc_mu2 * b_mu2;
    mu1 = exp(mu1);
    mu2 = exp(mu2);
    // likelihood of the mixture model
    for (n in 1:N) {
      target += log_sum_exp(
        log(theta1) + cox_lpdf(Y[n] | mu1[n], bhaz[n], cbhaz[n]),
        log(theta2) + exponential_lpdf(Y[n] | inv(mu2[n]))
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
