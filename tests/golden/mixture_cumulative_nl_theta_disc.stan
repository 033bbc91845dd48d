// generated with brmspy
functions {
  /* cumulative ordinal log-PMF with logit link
   * Args: y: category; mu: latent predictor; disc: discrimination; thres: thresholds
   */
  real cumulative_logit_lpmf(int y, real mu, real disc, vector thres) {
    int nthres = num_elements(thres);
    if (y == 1) {
      return log(inv_logit(disc * (thres[1] - mu)));
    } else if (y == nthres + 1) {
      return log1m(inv_logit(disc * (thres[nthres] - mu)));
    }
    return log(inv_logit(disc * (thres[y] - mu)) - inv_logit(disc * (thres[y - 1] - mu)));
  }
}
data {
  int<lower=1> N;  // total number of observations
  array[N] int Y;  // response variable
  int<lower=2> nthres;  // number of thresholds
  int<lower=1> K_a;  // number of population-level effects
  matrix[N, K_a] X_a;  // population-level design matrix
  int<lower=1> K_theta2;  // number of population-level effects
  matrix[N, K_theta2] X_theta2;  // population-level design matrix
  int<lower=1> K_disc2;  // number of population-level effects
  matrix[N, K_disc2] X_disc2;  // population-level design matrix
  // covariates for non-linear functions of mu1
  vector[N] C_mu1_1;  // x
  // covariates for non-linear functions of mu2
  vector[N] C_mu2_1;  // x
  real<lower=0> disc1;  // fixed discrimination parameter
  // prior hyperparameters (values: make_standata() / prior_summary())
  vector[K_a] prior_b_a_loc;
  vector[K_a] prior_b_a_scale;
  real prior_Intercept_theta2_loc;
  real prior_Intercept_theta2_scale;
  real prior_Intercept_disc2_loc;
  real prior_Intercept_disc2_scale;
  vector[nthres] prior_Intercept_mu1_df;
  vector[nthres] prior_Intercept_mu1_loc;
  vector[nthres] prior_Intercept_mu1_scale;
  vector[nthres] prior_Intercept_mu2_df;
  vector[nthres] prior_Intercept_mu2_loc;
  vector[nthres] prior_Intercept_mu2_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_theta2 = K_theta2 - 1;
  matrix[N, Kc_theta2] Xc_theta2;  // centered version of X_theta2 without an intercept
  vector[Kc_theta2] means_X_theta2;  // column means of X_theta2 before centering
  int Kc_disc2 = K_disc2 - 1;
  matrix[N, Kc_disc2] Xc_disc2;  // centered version of X_disc2 without an intercept
  vector[Kc_disc2] means_X_disc2;  // column means of X_disc2 before centering
  for (i in 2:K_theta2) {
    means_X_theta2[i - 1] = mean(X_theta2[, i]);
    Xc_theta2[, i - 1] = X_theta2[, i] - means_X_theta2[i - 1];
  }
  for (i in 2:K_disc2) {
    means_X_disc2[i - 1] = mean(X_disc2[, i]);
    Xc_disc2[, i - 1] = X_disc2[, i] - means_X_disc2[i - 1];
  }
}
parameters {
  vector[K_a] b_a;  // regression coefficients
  vector[Kc_theta2] b_theta2;  // regression coefficients
  real Intercept_theta2;  // temporary intercept for centered predictors
  vector[Kc_disc2] b_disc2;  // regression coefficients
  real Intercept_disc2;  // temporary intercept for centered predictors
  ordered[nthres] Intercept_mu1;  // temporary thresholds for centered predictors
  ordered[nthres] Intercept_mu2;  // temporary thresholds for centered predictors
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += normal_lpdf(b_a | prior_b_a_loc, prior_b_a_scale);
  lprior += logistic_lpdf(Intercept_theta2 | prior_Intercept_theta2_loc, prior_Intercept_theta2_scale);
  lprior += normal_lpdf(Intercept_disc2 | prior_Intercept_disc2_loc, prior_Intercept_disc2_scale);
  lprior += student_t_lpdf(Intercept_mu1 | prior_Intercept_mu1_df, prior_Intercept_mu1_loc, prior_Intercept_mu1_scale);
  lprior += student_t_lpdf(Intercept_mu2 | prior_Intercept_mu2_df, prior_Intercept_mu2_loc, prior_Intercept_mu2_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of disc2
    vector[N] disc2 = rep_vector(0.0, N);
    // initialize linear predictor term of theta2
    vector[N] theta2 = rep_vector(0.0, N);
    // initialize linear predictor term of non-linear parameter a
    vector[N] nlp_a = rep_vector(0.0, N);
    // initialize non-linear predictor term mu1
    vector[N] mu1;
    // initialize non-linear predictor term mu2
    vector[N] mu2;
    vector[N] theta1 = rep_vector(0.0, N);  // reference category of the mixing proportions
    real log_sum_exp_theta;
    disc2 += Intercept_disc2 + Xc_disc2 * b_disc2;
    theta2 += Intercept_theta2 + Xc_theta2 * b_theta2;
    nlp_a += X_a * b_a;
    disc2 = exp(disc2);
    for (n in 1:N) {
      // compute non-linear predictor values
      mu1[n] = nlp_a[n] * C_mu1_1[n];
    }
    for (n in 1:N) {
      // compute non-linear predictor values
      mu2[n] = nlp_a[n] * C_mu2_1[n];
    }
    // normalize the mixing proportions on the log scale
    for (n in 1:N) {
      log_sum_exp_theta = log_sum_exp([theta1[n], theta2[n]]');
      theta1[n] = theta1[n] - log_sum_exp_theta;
      theta2[n] = theta2[n] - log_sum_exp_theta;
    }
    // likelihood of the mixture model
    for (n in 1:N) {
      array[2] real ps;
      ps[1] = theta1[n] + ordered_logistic_lpmf(Y[n] | mu1[n], Intercept_mu1);
      ps[2] = theta2[n] + cumulative_logit_lpmf(Y[n] | mu2[n], disc2[n], Intercept_mu2);
      target += log_sum_exp(ps);
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_theta2_Intercept = Intercept_theta2 - dot_product(means_X_theta2, b_theta2);
  // actual population-level intercept
  real b_disc2_Intercept = Intercept_disc2 - dot_product(means_X_disc2, b_disc2);
  // thresholds on the scale of the uncentered predictors
  vector[nthres] b_mu1_Intercept = Intercept_mu1;
  // thresholds on the scale of the uncentered predictors
  vector[nthres] b_mu2_Intercept = Intercept_mu2;
}
