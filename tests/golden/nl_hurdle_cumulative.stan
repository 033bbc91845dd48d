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
  /* hurdle cumulative log-PMF with logit link
   * Args: y: category (0 = hurdle); mu: latent predictor; hu: hurdle probability;
   *   disc: discrimination; thres: thresholds of the cumulative part
   */
  real hurdle_cumulative_logit_lpmf(int y, real mu, real hu, real disc, vector thres) {
    if (y == 0) {
      return bernoulli_lpmf(1 | hu);
    }
    return bernoulli_lpmf(0 | hu) + cumulative_logit_lpmf(y | mu, disc, thres);
  }
}
data {
  int<lower=1> N;  // total number of observations
  array[N] int Y;  // response variable
  int<lower=2> nthres;  // number of thresholds
  int<lower=1> K_a;  // number of population-level effects
  matrix[N, K_a] X_a;  // population-level design matrix
  int<lower=1> K_hu;  // number of population-level effects
  matrix[N, K_hu] X_hu;  // population-level design matrix
  // covariates for non-linear functions
  vector[N] C_1;  // x
  real<lower=0> disc;  // fixed discrimination parameter
  // prior hyperparameters (values: make_standata() / prior_summary())
  vector[nthres] prior_Intercept_df;
  vector[nthres] prior_Intercept_loc;
  vector[nthres] prior_Intercept_scale;
  vector[K_a] prior_b_a_loc;
  vector[K_a] prior_b_a_scale;
  real prior_Intercept_hu_loc;
  real prior_Intercept_hu_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_hu = K_hu - 1;
  matrix[N, Kc_hu] Xc_hu;  // centered version of X_hu without an intercept
  vector[Kc_hu] means_X_hu;  // column means of X_hu before centering
  for (i in 2:K_hu) {
    means_X_hu[i - 1] = mean(X_hu[, i]);
    Xc_hu[, i - 1] = X_hu[, i] - means_X_hu[i - 1];
  }
}
parameters {
  ordered[nthres] Intercept;  // temporary thresholds for centered predictors
  vector[K_a] b_a;  // regression coefficients
  vector[Kc_hu] b_hu;  // regression coefficients
  real Intercept_hu;  // temporary intercept for centered predictors
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += normal_lpdf(b_a | prior_b_a_loc, prior_b_a_scale);
  lprior += logistic_lpdf(Intercept_hu | prior_Intercept_hu_loc, prior_Intercept_hu_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of non-linear parameter a
    vector[N] nlp_a = rep_vector(0.0, N);
    // initialize non-linear predictor term
    vector[N] mu;
    // initialize linear predictor term of hu
    vector[N] hu = rep_vector(0.0, N);
    nlp_a += X_a * b_a;
    for (n in 1:N) {
      // compute non-linear predictor values
      mu[n] = nlp_a[n] * C_1[n];
    }
    hu += Intercept_hu + Xc_hu * b_hu;
    hu = inv_logit(hu);
    for (n in 1:N) {
      target += hurdle_cumulative_logit_lpmf(Y[n] | mu[n], hu[n], disc, Intercept);
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // thresholds on the scale of the uncentered predictors
  vector[nthres] b_Intercept = Intercept;
  // actual population-level intercept
  real b_hu_Intercept = Intercept_hu - dot_product(means_X_hu, b_hu);
}
