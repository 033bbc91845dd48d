// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> K_a;  // number of population-level effects
  matrix[N, K_a] X_a;  // population-level design matrix
  int<lower=1> K_eta;  // number of population-level effects
  matrix[N, K_eta] X_eta;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  vector[K_a] prior_b_a_loc;
  vector[K_a] prior_b_a_scale;
  real prior_Intercept_eta_df;
  real prior_Intercept_eta_loc;
  real prior_Intercept_eta_scale;
  real prior_sigma_df;
  real prior_sigma_loc;
  real prior_sigma_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_eta = K_eta - 1;
  matrix[N, Kc_eta] Xc_eta;  // centered version of X_eta without an intercept
  vector[Kc_eta] means_X_eta;  // column means of X_eta before centering
  for (i in 2:K_eta) {
    means_X_eta[i - 1] = mean(X_eta[, i]);
    Xc_eta[, i - 1] = X_eta[, i] - means_X_eta[i - 1];
  }
}
parameters {
  vector<lower=0>[K_a] b_a;  // regression coefficients
  vector[Kc_eta] b_eta;  // regression coefficients
  real Intercept_eta;  // temporary intercept for centered predictors
  real<lower=0> sigma;  // dispersion parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += normal_lpdf(b_a | prior_b_a_loc, prior_b_a_scale)
    - normal_lccdf(rep_vector(0, K_a) | prior_b_a_loc, prior_b_a_scale);
  lprior += student_t_lpdf(Intercept_eta | prior_Intercept_eta_df, prior_Intercept_eta_loc, prior_Intercept_eta_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of non-linear parameter a
    vector[N] nlp_a = rep_vector(0.0, N);
    // initialize linear predictor term of non-linear parameter eta
    vector[N] nlp_eta = rep_vector(0.0, N);
    // initialize non-linear predictor term
    vector[N] mu;
    nlp_a += X_a * b_a;
    nlp_eta += Intercept_eta + Xc_eta * b_eta;
    for (n in 1:N) {
      // compute non-linear predictor values
      mu[n] = nlp_a[n] * exp(nlp_eta[n]);
    }
    target += normal_lpdf(Y | mu, sigma);
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_eta_Intercept = Intercept_eta - dot_product(means_X_eta, b_eta);
}
