// generated with brmspy
functions {
  /* inverse of the tan_half link: angles in (-pi, pi) */
  vector inv_tan_half(vector x) {
    return 2 * atan(x);
  }
  real inv_tan_half(real x) {
    return 2 * atan(x);
  }
}
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  array[N] real lb;  // lower truncation bounds
  array[N] real ub;  // upper truncation bounds
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_kappa_shape;
  real prior_kappa_rate;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc = K - 1;
  matrix[N, Kc] Xc;  // centered version of X without an intercept
  vector[Kc] means_X;  // column means of X before centering
  for (i in 2:K) {
    means_X[i - 1] = mean(X[, i]);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
}
parameters {
  vector[Kc] b;  // regression coefficients
  real Intercept;  // temporary intercept for centered predictors
  real<lower=0> kappa;  // precision parameter
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += gamma_lpdf(kappa | prior_kappa_shape, prior_kappa_rate);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept + Xc * b;
    mu = inv_tan_half(mu);
    for (n in 1:N) {
      // truncated likelihood: each density divided by the probability of the bounds
      target += von_mises_lpdf(Y[n] | mu[n], kappa) -
        log_diff_exp(
          von_mises_lcdf(ub[n] | mu[n], kappa),
          von_mises_lcdf(lb[n] | mu[n], kappa)
        );
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept - dot_product(means_X, b);
}
