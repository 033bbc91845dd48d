// generated with brmspy
functions {
  /* acat ordinal log-PMF with logit link
   * Args: y: category; mu: latent predictor; disc: discrimination; thres: thresholds
   */
  real acat_logit_lpmf(int y, real mu, real disc, vector thres) {
    int nthres = num_elements(thres);
    vector[nthres + 1] lp = rep_vector(0, nthres + 1);
    for (k in 1:nthres) {
      real q = inv_logit(disc * (mu - thres[k]));
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
  int<lower=1> K_mu1;  // number of population-level effects
  matrix[N, K_mu1] X_mu1;  // population-level design matrix
  int<lower=1> K_mu2;  // number of population-level effects
  matrix[N, K_mu2] X_mu2;  // population-level design matrix
  real<lower=0> disc1;  // fixed discrimination parameter
  real<lower=0> disc2;  // fixed discrimination parameter
  vector[2] con_theta;  // prior concentration
  vector[nthres] prior_fixed_Intercept_df;
  vector[nthres] prior_fixed_Intercept_loc;
  vector[nthres] prior_fixed_Intercept_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc_mu1 = K_mu1 - 1;
  matrix[N, Kc_mu1] Xc_mu1 = X_mu1[, 2:K_mu1];  // X_mu1 without its intercept column (not centered)
  int Kc_mu2 = K_mu2 - 1;
  matrix[N, Kc_mu2] Xc_mu2 = X_mu2[, 2:K_mu2];  // X_mu2 without its intercept column (not centered)
}
parameters {
  vector[Kc_mu1] b_mu1;  // regression coefficients
  vector[Kc_mu2] b_mu2;  // regression coefficients
  simplex[2] theta;  // mixing proportions
  ordered[nthres] fixed_Intercept;  // thresholds fixed over mixture components
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  // fix thresholds across ordinal mixture components
  ordered[nthres] Intercept_mu1 = fixed_Intercept;
  // fix thresholds across ordinal mixture components
  vector[nthres] Intercept_mu2 = fixed_Intercept;
  // mixing proportions
  real<lower=0,upper=1> theta1 = theta[1];
  real<lower=0,upper=1> theta2 = theta[2];
  lprior += dirichlet_lpdf(theta | con_theta);
  lprior += student_t_lpdf(fixed_Intercept | prior_fixed_Intercept_df, prior_fixed_Intercept_loc, prior_fixed_Intercept_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of mu1
    vector[N] mu1 = rep_vector(0.0, N);
    // initialize linear predictor term of mu2
    vector[N] mu2 = rep_vector(0.0, N);
    mu1 += Xc_mu1 * b_mu1;
    mu2 += Xc_mu2 * b_mu2;
    // likelihood of the mixture model
    for (n in 1:N) {
      array[2] real ps;
      ps[1] = log(theta1) + ordered_logistic_lpmf(Y[n] | mu1[n], Intercept_mu1);
      ps[2] = log(theta2) + acat_logit_lpmf(Y[n] | mu2[n], disc2, Intercept_mu2);
      target += log_sum_exp(ps);
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // compute actual thresholds
  vector[nthres] b_mu1_Intercept = Intercept_mu1;
  // compute actual thresholds
  vector[nthres] b_mu2_Intercept = Intercept_mu2;
}
