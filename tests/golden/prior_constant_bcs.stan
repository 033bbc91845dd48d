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
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  int<lower=1> Kcs;  // number of category-specific effects
  matrix[N, Kcs] Xcs;  // category-specific design matrix
  real<lower=0> disc;  // fixed discrimination parameter
  // prior hyperparameters (values: make_standata() / prior_summary())
  vector[nthres] prior_Intercept_df;
  vector[nthres] prior_Intercept_loc;
  vector[nthres] prior_Intercept_scale;
  int<lower=1> Kp_bcs_const;  // number of rows of bcs fixed by constant()
  matrix[Kp_bcs_const, nthres] prior_bcs_const;  // constant values of bcs
  array[Kp_bcs_const] int Jp_bcs_const;  // which rows are fixed
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
  vector[nthres] Intercept;  // temporary thresholds for centered predictors
  row_vector[nthres] par_bcs_2;  // row 2 of bcs
}
transformed parameters {
  matrix[Kcs, nthres] bcs;  // category-specific effects
  real lprior = 0;  // prior contributions to the log posterior
  bcs[Jp_bcs_const] = prior_bcs_const;
  bcs[2] = par_bcs_2;
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Xc * b;
    // category-specific effects shift each threshold
    matrix[N, nthres] mucs = Xcs * bcs;
    for (n in 1:N) {
      target += sratio_logit_lpmf(Y[n] | mu[n], disc, Intercept - transpose(mucs[n]));
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // thresholds on the scale of the uncentered predictors
  vector[nthres] b_Intercept = Intercept + dot_product(means_X, b);
}
