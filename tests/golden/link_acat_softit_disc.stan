// generated with brmspy
functions {
  /* squareplus inverse link function (squareplus itself) */
  vector squareplus(vector x) {
    return (x + sqrt(square(x) + 4)) / 2;
  }
  real squareplus(real x) {
    return (x + sqrt(square(x) + 4)) / 2;
  }
  /* inverse of the softit link: a value in (0, 1) */
  vector inv_softit(vector y) {
    return log1p_exp(y) ./ (1 + log1p_exp(y));
  }
  real inv_softit(real y) {
    return log1p_exp(y) / (1 + log1p_exp(y));
  }
  /* acat ordinal log-PMF with softit link
   * Args: y: category; mu: latent predictor; disc: discrimination; thres: thresholds
   */
  real acat_softit_lpmf(int y, real mu, real disc, vector thres) {
    int nthres = num_elements(thres);
    vector[nthres + 1] lp = rep_vector(0, nthres + 1);
    for (k in 1:nthres) {
      real q = inv_softit(disc * (mu - thres[k]));
      // categories above k gain log(q), those at or below k gain log(1 - q)
      lp[(k + 1):(nthres + 1)] += log(q);
      lp[1:k] += log1m(q);
    }
    return lp[y] - log_sum_exp(lp);
  }
}
data {
  int<lower=1> N;  // total number of observations
  array[N] int Y;  // response variable
  int<lower=2> nthres;  // number of thresholds
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  int<lower=1> K_disc;  // number of population-level effects
  matrix[N, K_disc] X_disc;  // population-level design matrix
  // prior hyperparameters (values: make_standata() / prior_summary())
  vector[nthres] prior_Intercept_df;
  vector[nthres] prior_Intercept_loc;
  vector[nthres] prior_Intercept_scale;
  real prior_Intercept_disc_loc;
  real prior_Intercept_disc_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc = K - 1;
  matrix[N, Kc] Xc;  // centered version of X without an intercept
  vector[Kc] means_X;  // column means of X before centering
  int Kc_disc = K_disc - 1;
  matrix[N, Kc_disc] Xc_disc;  // centered version of X_disc without an intercept
  vector[Kc_disc] means_X_disc;  // column means of X_disc before centering
  for (i in 2:K) {
    means_X[i - 1] = mean(X[, i]);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
  for (i in 2:K_disc) {
    means_X_disc[i - 1] = mean(X_disc[, i]);
    Xc_disc[, i - 1] = X_disc[, i] - means_X_disc[i - 1];
  }
}
parameters {
  vector[Kc] b;  // regression coefficients
  vector[nthres] Intercept;  // temporary thresholds for centered predictors
  vector[Kc_disc] b_disc;  // regression coefficients
  real Intercept_disc;  // temporary intercept for centered predictors
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += normal_lpdf(Intercept_disc | prior_Intercept_disc_loc, prior_Intercept_disc_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    // initialize linear predictor term of disc
    vector[N] disc = rep_vector(0.0, N);
    mu += Xc * b;
    disc += Intercept_disc + Xc_disc * b_disc;
    disc = squareplus(disc);
    for (n in 1:N) {
      target += acat_softit_lpmf(Y[n] | mu[n], disc[n], Intercept);
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // thresholds on the scale of the uncentered predictors
  vector[nthres] b_Intercept = Intercept + dot_product(means_X, b);
  // actual population-level intercept
  real b_disc_Intercept = Intercept_disc - dot_product(means_X_disc, b_disc);
}
