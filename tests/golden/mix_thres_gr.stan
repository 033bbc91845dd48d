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
  /* acat_logit log-PMF with thresholds per group
   * Args: thres: every group's thresholds, merged; j: first and last index of the row's group in thres
   */
  real acat_logit_merged_lpmf(int y, real mu, real disc, vector thres, array[] int j) {
    return acat_logit_lpmf(y | mu, disc, thres[j[1]:j[2]]);
  }
  /* cumulative ordinal log-PMF with probit link
   * Args: y: category; mu: latent predictor; disc: discrimination; thres: thresholds
   */
  real cumulative_probit_lpmf(int y, real mu, real disc, vector thres) {
    int nthres = num_elements(thres);
    if (y == 1) {
      return log(Phi(disc * (thres[1] - mu)));
    } else if (y == nthres + 1) {
      return log1m(Phi(disc * (thres[nthres] - mu)));
    }
    return log(Phi(disc * (thres[y] - mu)) - Phi(disc * (thres[y - 1] - mu)));
  }
  /* cumulative_probit log-PMF with thresholds per group
   * Args: thres: every group's thresholds, merged; j: first and last index of the row's group in thres
   */
  real cumulative_probit_merged_lpmf(int y, real mu, real disc, vector thres, array[] int j) {
    return cumulative_probit_lpmf(y | mu, disc, thres[j[1]:j[2]]);
  }
}
data {
  int<lower=1> N;  // total number of observations
  array[N] int Y;  // response variable
  int<lower=1> ngrthres;  // number of threshold groups
  array[ngrthres] int<lower=1> nthres;  // number of thresholds
  array[N, 2] int<lower=1> Jthres;  // threshold indices
  int<lower=1> K_mu1;  // number of population-level effects
  matrix[N, K_mu1] X_mu1;  // population-level design matrix
  int<lower=1> K_mu2;  // number of population-level effects
  matrix[N, K_mu2] X_mu2;  // population-level design matrix
  int<lower=1> K_disc2;  // number of population-level effects
  matrix[N, K_disc2] X_disc2;  // population-level design matrix
  real<lower=0> disc1;  // fixed discrimination parameter
  vector[2] con_theta;  // prior concentration
  // prior hyperparameters (values: make_standata() / prior_summary())
  vector[nthres[1]] prior_Intercept_mu1_1_df;
  vector[nthres[1]] prior_Intercept_mu1_1_loc;
  vector[nthres[1]] prior_Intercept_mu1_1_scale;
  vector[nthres[2]] prior_Intercept_mu1_2_df;
  vector[nthres[2]] prior_Intercept_mu1_2_loc;
  vector[nthres[2]] prior_Intercept_mu1_2_scale;
  vector[nthres[1]] prior_Intercept_mu2_1_df;
  vector[nthres[1]] prior_Intercept_mu2_1_loc;
  vector[nthres[1]] prior_Intercept_mu2_1_scale;
  vector[nthres[2]] prior_Intercept_mu2_2_df;
  vector[nthres[2]] prior_Intercept_mu2_2_loc;
  vector[nthres[2]] prior_Intercept_mu2_2_scale;
  real prior_Intercept_disc2_loc;
  real prior_Intercept_disc2_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int<lower=1> nmthres = sum(nthres);  // total number of thresholds
  array[ngrthres] int<lower=1> Kthres_start;  // start index per threshold group
  array[ngrthres] int<lower=1> Kthres_end;  // end index per threshold group
  int Kc_mu1 = K_mu1 - 1;
  matrix[N, Kc_mu1] Xc_mu1 = X_mu1[, 2:K_mu1];  // X_mu1 without its intercept column (not centered)
  int Kc_mu2 = K_mu2 - 1;
  matrix[N, Kc_mu2] Xc_mu2 = X_mu2[, 2:K_mu2];  // X_mu2 without its intercept column (not centered)
  int Kc_disc2 = K_disc2 - 1;
  matrix[N, Kc_disc2] Xc_disc2;  // centered version of X_disc2 without an intercept
  vector[Kc_disc2] means_X_disc2;  // column means of X_disc2 before centering
  Kthres_start[1] = 1;
  Kthres_end[1] = nthres[1];
  for (i in 2:ngrthres) {
    Kthres_start[i] = Kthres_end[i-1] + 1;
    Kthres_end[i] = Kthres_end[i-1] + nthres[i];
  }
  for (i in 2:K_disc2) {
    means_X_disc2[i - 1] = mean(X_disc2[, i]);
    Xc_disc2[, i - 1] = X_disc2[, i] - means_X_disc2[i - 1];
  }
}
parameters {
  vector[Kc_mu1] b_mu1;  // regression coefficients
  vector[nthres[1]] Intercept_mu1_1;  // temporary thresholds for centered predictors
  vector[nthres[2]] Intercept_mu1_2;  // temporary thresholds for centered predictors
  vector[Kc_mu2] b_mu2;  // regression coefficients
  ordered[nthres[1]] Intercept_mu2_1;  // temporary thresholds for centered predictors
  ordered[nthres[2]] Intercept_mu2_2;  // temporary thresholds for centered predictors
  vector[Kc_disc2] b_disc2;  // regression coefficients
  real Intercept_disc2;  // temporary intercept for centered predictors
  simplex[2] theta;  // mixing proportions
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[nmthres] merged_Intercept_mu1;  // merged thresholds
  vector[nmthres] merged_Intercept_mu2;  // merged thresholds
  // mixing proportions
  real<lower=0,upper=1> theta1 = theta[1];
  real<lower=0,upper=1> theta2 = theta[2];
  // merge thresholds
  merged_Intercept_mu1[Kthres_start[1]:Kthres_end[1]] = Intercept_mu1_1;
  merged_Intercept_mu1[Kthres_start[2]:Kthres_end[2]] = Intercept_mu1_2;
  // merge thresholds
  merged_Intercept_mu2[Kthres_start[1]:Kthres_end[1]] = Intercept_mu2_1;
  merged_Intercept_mu2[Kthres_start[2]:Kthres_end[2]] = Intercept_mu2_2;
  lprior += dirichlet_lpdf(theta | con_theta);
  lprior += student_t_lpdf(Intercept_mu1_1 | prior_Intercept_mu1_1_df, prior_Intercept_mu1_1_loc, prior_Intercept_mu1_1_scale);
  lprior += student_t_lpdf(Intercept_mu1_2 | prior_Intercept_mu1_2_df, prior_Intercept_mu1_2_loc, prior_Intercept_mu1_2_scale);
  lprior += student_t_lpdf(Intercept_mu2_1 | prior_Intercept_mu2_1_df, prior_Intercept_mu2_1_loc, prior_Intercept_mu2_1_scale);
  lprior += student_t_lpdf(Intercept_mu2_2 | prior_Intercept_mu2_2_df, prior_Intercept_mu2_2_loc, prior_Intercept_mu2_2_scale);
  lprior += normal_lpdf(Intercept_disc2 | prior_Intercept_disc2_loc, prior_Intercept_disc2_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term of mu1
    vector[N] mu1 = rep_vector(0.0, N);
    // initialize linear predictor term of mu2
    vector[N] mu2 = rep_vector(0.0, N);
    // initialize linear predictor term of disc2
    vector[N] disc2 = rep_vector(0.0, N);
    mu1 += Xc_mu1 * b_mu1;
    mu2 += Xc_mu2 * b_mu2;
    disc2 += Intercept_disc2 + Xc_disc2 * b_disc2;
    disc2 = exp(disc2);
    // likelihood of the mixture model
    for (n in 1:N) {
      array[2] real ps;
      ps[1] = log(theta1) + acat_logit_merged_lpmf(Y[n] | mu1[n], disc1, merged_Intercept_mu1, Jthres[n]);
      ps[2] = log(theta2) + cumulative_probit_merged_lpmf(Y[n] | mu2[n], disc2[n], merged_Intercept_mu2, Jthres[n]);
      target += log_sum_exp(ps);
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // compute actual thresholds
  vector[nthres[1]] b_mu1_Intercept_1 = Intercept_mu1_1;
  vector[nthres[2]] b_mu1_Intercept_2 = Intercept_mu1_2;
  // compute actual thresholds
  vector[nthres[1]] b_mu2_Intercept_1 = Intercept_mu2_1;
  vector[nthres[2]] b_mu2_Intercept_2 = Intercept_mu2_2;
  // actual population-level intercept
  real b_disc2_Intercept = Intercept_disc2 - dot_product(means_X_disc2, b_disc2);
}
