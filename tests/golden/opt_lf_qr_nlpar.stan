// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  int<lower=1> K_a;  // number of population-level effects
  matrix[N, K_a] X_a;  // population-level design matrix
  matrix[N, K_a] XQ_a;  // Q of the scaled thin QR decomposition of the design
  matrix[K_a, K_a] XR_inv_a;  // inverse of its R
  int<lower=1> K_b;  // number of population-level effects
  matrix[N, K_b] X_b;  // population-level design matrix
  // covariates for non-linear functions
  vector[N] C_1;  // t
  // prior hyperparameters (values: make_standata() / prior_summary())
  vector[K_a] prior_b_a_loc;
  vector[K_a] prior_b_a_scale;
  vector[K_b] prior_b_b_loc;
  vector[K_b] prior_b_b_scale;
  real prior_sigma_df;
  real prior_sigma_loc;
  real prior_sigma_scale;
  int prior_only;  // should the likelihood be ignored?
}
parameters {
  vector[K_a] bQ_a;  // regression coefficients at QR scale
  vector[K_b] b_b;  // regression coefficients
  real<lower=0> sigma;  // dispersion parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += normal_lpdf(bQ_a | prior_b_a_loc, prior_b_a_scale);
  lprior += normal_lpdf(b_b | prior_b_b_loc, prior_b_b_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of non-linear parameter a
    vector[N] nlp_a = rep_vector(0.0, N);
    // initialize linear predictor term of non-linear parameter b
    vector[N] nlp_b = rep_vector(0.0, N);
    // initialize non-linear predictor term
    vector[N] mu;
    nlp_a += XQ_a * bQ_a;
    nlp_b += X_b * b_b;
    for (n in 1:N) {
      // compute non-linear predictor values
      mu[n] = nlp_a[n] * exp(nlp_b[n] * C_1[n]);
    }
    target += normal_lpdf(Y | mu, sigma);
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // obtain the actual coefficients
  vector[K_a] b_a = XR_inv_a * bQ_a;
}
