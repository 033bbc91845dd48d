// generated with brmspy
functions {
  /* dirichlet-multinomial-logit log-PMF
   * Args:
   *   y: array of integer response values
   *   mu: vector of category logit probabilities
   *   phi: precision parameter (sum of Dirichlet alphas)
   * Returns:
   *   a scalar to be added to the log posterior
   */
  real dirichlet_multinomial_logit2_lpmf(array[] int y, vector mu, real phi) {
    // get Dirichlet alphas
    int N = num_elements(mu);
    vector[N] alpha = phi * softmax(mu);
    // get trials from y
    real T = sum(y);
    return lgamma(phi) + lgamma(T + 1.0) - lgamma(T + phi) +
      sum(lgamma(to_vector(y) + alpha)) - sum(lgamma(alpha)) - sum(lgamma(to_vector(y) + 1));
  }
}
data {
  int<lower=1> N;  // total number of observations
  int<lower=2> ncat;  // number of categories
  array[N, ncat] int Y;  // response array
  array[N] int trials;  // number of trials
  int<lower=1> K_muy2;  // number of population-level effects
  matrix[N, K_muy2] X_muy2;  // population-level design matrix
  int<lower=1> K_muy3;  // number of population-level effects
  matrix[N, K_muy3] X_muy3;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_muy2_df;
  real prior_Intercept_muy2_loc;
  real prior_Intercept_muy2_scale;
  real prior_Intercept_muy3_df;
  real prior_Intercept_muy3_loc;
  real prior_Intercept_muy3_scale;
  real prior_phi_shape;
  real prior_phi_rate;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_muy2 = K_muy2 - 1;
  matrix[N, Kc_muy2] Xc_muy2;  // centered version of X_muy2 without an intercept
  vector[Kc_muy2] means_X_muy2;  // column means of X_muy2 before centering
  int Kc_muy3 = K_muy3 - 1;
  matrix[N, Kc_muy3] Xc_muy3;  // centered version of X_muy3 without an intercept
  vector[Kc_muy3] means_X_muy3;  // column means of X_muy3 before centering
  for (i in 2:K_muy2) {
    means_X_muy2[i - 1] = mean(X_muy2[, i]);
    Xc_muy2[, i - 1] = X_muy2[, i] - means_X_muy2[i - 1];
  }
  for (i in 2:K_muy3) {
    means_X_muy3[i - 1] = mean(X_muy3[, i]);
    Xc_muy3[, i - 1] = X_muy3[, i] - means_X_muy3[i - 1];
  }
}
parameters {
  vector[Kc_muy2] b_muy2;  // regression coefficients
  real Intercept_muy2;  // temporary intercept for centered predictors
  vector[Kc_muy3] b_muy3;  // regression coefficients
  real Intercept_muy3;  // temporary intercept for centered predictors
  real<lower=0> phi;  // precision parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept_muy2 | prior_Intercept_muy2_df, prior_Intercept_muy2_loc, prior_Intercept_muy2_scale);
  lprior += student_t_lpdf(Intercept_muy3 | prior_Intercept_muy3_df, prior_Intercept_muy3_loc, prior_Intercept_muy3_scale);
  lprior += gamma_lpdf(phi | prior_phi_shape, prior_phi_rate);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of muy2
    vector[N] muy2 = rep_vector(0.0, N);
    // initialize linear predictor term of muy3
    vector[N] muy3 = rep_vector(0.0, N);
    // linear predictor matrix
    array[N] vector[ncat] mu;
    muy2 += Intercept_muy2 + Xc_muy2 * b_muy2;
    muy3 += Intercept_muy3 + Xc_muy3 * b_muy3;
    for (n in 1:N) {
      mu[n] = transpose([0, muy2[n], muy3[n]]);
    }
    for (n in 1:N) {
      target += dirichlet_multinomial_logit2_lpmf(Y[n] | mu[n], phi);
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_muy2_Intercept = Intercept_muy2 - dot_product(means_X_muy2, b_muy2);
  // actual population-level intercept
  real b_muy3_Intercept = Intercept_muy3 - dot_product(means_X_muy3, b_muy3);
}
