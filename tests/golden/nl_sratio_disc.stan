// generated with brmspy
functions {
  /* sratio ordinal log-PMF with logit link
   * Args: y: category; mu: latent predictor; disc: discrimination; thres: thresholds
   */
  real sratio_logit_lpmf(int y, real mu, real disc, vector thres) {
    int nthres = num_elements(thres);
    real lp = 0;
    for (k in 1:(y - 1)) {
      lp += log1m(inv_logit(disc * (thres[k] - mu)));
    }
    if (y <= nthres) {
      lp += log(inv_logit(disc * (thres[y] - mu)));
    }
    return lp;
  }
}
data {
  int<lower=1> N;  // total number of observations
  array[N] int Y;  // response variable
  int<lower=2> nthres;  // number of thresholds
  int<lower=1> K_a;  // number of population-level effects
  matrix[N, K_a] X_a;  // population-level design matrix
  int<lower=1> K_disc;  // number of population-level effects
  matrix[N, K_disc] X_disc;  // population-level design matrix
  // covariates for non-linear functions
  vector[N] C_1;  // x
  // prior hyperparameters (values: make_standata() / prior_summary())
  vector[nthres] prior_Intercept_df;
  vector[nthres] prior_Intercept_loc;
  vector[nthres] prior_Intercept_scale;
  vector[K_a] prior_b_a_loc;
  vector[K_a] prior_b_a_scale;
  real prior_Intercept_disc_loc;
  real prior_Intercept_disc_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_disc = K_disc - 1;
  matrix[N, Kc_disc] Xc_disc;  // centered version of X_disc without an intercept
  vector[Kc_disc] means_X_disc;  // column means of X_disc before centering
  for (i in 2:K_disc) {
    means_X_disc[i - 1] = mean(X_disc[, i]);
    Xc_disc[, i - 1] = X_disc[, i] - means_X_disc[i - 1];
  }
}
parameters {
  vector[nthres] Intercept;  // temporary thresholds for centered predictors
  vector[K_a] b_a;  // regression coefficients
  vector[Kc_disc] b_disc;  // regression coefficients
  real Intercept_disc;  // temporary intercept for centered predictors
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += normal_lpdf(b_a | prior_b_a_loc, prior_b_a_scale);
  lprior += normal_lpdf(Intercept_disc | prior_Intercept_disc_loc, prior_Intercept_disc_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of non-linear parameter a
    vector[N] nlp_a = rep_vector(0.0, N);
    // initialize non-linear predictor term
    vector[N] mu;
    // initialize linear predictor term of disc
    vector[N] disc = rep_vector(0.0, N);
    nlp_a += X_a * b_a;
    for (n in 1:N) {
      // compute non-linear predictor values
      mu[n] = nlp_a[n] * C_1[n];
    }
    disc += Intercept_disc + Xc_disc * b_disc;
    disc = exp(disc);
    for (n in 1:N) {
      target += sratio_logit_lpmf(Y[n] | mu[n], disc[n], Intercept);
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // thresholds on the scale of the uncentered predictors
  vector[nthres] b_Intercept = Intercept;
  // actual population-level intercept
  real b_disc_Intercept = Intercept_disc - dot_product(means_X_disc, b_disc);
}
