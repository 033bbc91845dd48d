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
  /* hurdle_cumulative_logit log-PMF with thresholds per group
   * Args: thres: every group's thresholds, merged; j: first and last index of the row's group in thres
   */
  real hurdle_cumulative_logit_merged_lpmf(int y, real mu, real hu, real disc, vector thres, array[] int j) {
    return hurdle_cumulative_logit_lpmf(y | mu, hu, disc, thres[j[1]:j[2]]);
  }
}
data {
  int<lower=1> N;  // total number of observations
  array[N] int Y;  // response variable
  int<lower=1> ngrthres;  // number of threshold groups
  array[ngrthres] int<lower=1> nthres;  // number of thresholds
  array[N, 2] int<lower=1> Jthres;  // threshold indices
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  int<lower=1> K_hu;  // number of population-level effects
  matrix[N, K_hu] X_hu;  // population-level design matrix
  real<lower=0> disc;  // fixed discrimination parameter
  // prior hyperparameters (values: make_standata() / prior_summary())
  vector[nthres[1]] prior_Intercept_1_df;
  vector[nthres[1]] prior_Intercept_1_loc;
  vector[nthres[1]] prior_Intercept_1_scale;
  vector[nthres[2]] prior_Intercept_2_df;
  vector[nthres[2]] prior_Intercept_2_loc;
  vector[nthres[2]] prior_Intercept_2_scale;
  real prior_Intercept_hu_loc;
  real prior_Intercept_hu_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int<lower=1> nmthres = sum(nthres);  // total number of thresholds
  array[ngrthres] int<lower=1> Kthres_start;  // start index per threshold group
  array[ngrthres] int<lower=1> Kthres_end;  // end index per threshold group
  int Kc = K - 1;
  matrix[N, Kc] Xc = X[, 2:K];  // X without its intercept column (not centered)
  int Kc_hu = K_hu - 1;
  matrix[N, Kc_hu] Xc_hu;  // centered version of X_hu without an intercept
  vector[Kc_hu] means_X_hu;  // column means of X_hu before centering
  Kthres_start[1] = 1;
  Kthres_end[1] = nthres[1];
  for (i in 2:ngrthres) {
    Kthres_start[i] = Kthres_end[i-1] + 1;
    Kthres_end[i] = Kthres_end[i-1] + nthres[i];
  }
  for (i in 2:K_hu) {
    means_X_hu[i - 1] = mean(X_hu[, i]);
    Xc_hu[, i - 1] = X_hu[, i] - means_X_hu[i - 1];
  }
}
parameters {
  vector[Kc] b;  // regression coefficients
  ordered[nthres[1]] Intercept_1;  // temporary thresholds for centered predictors
  ordered[nthres[2]] Intercept_2;  // temporary thresholds for centered predictors
  vector[Kc_hu] b_hu;  // regression coefficients
  real Intercept_hu;  // temporary intercept for centered predictors
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[nmthres] merged_Intercept;  // merged thresholds
  // merge thresholds
  merged_Intercept[Kthres_start[1]:Kthres_end[1]] = Intercept_1;
  merged_Intercept[Kthres_start[2]:Kthres_end[2]] = Intercept_2;
  lprior += student_t_lpdf(Intercept_1 | prior_Intercept_1_df, prior_Intercept_1_loc, prior_Intercept_1_scale);
  lprior += student_t_lpdf(Intercept_2 | prior_Intercept_2_df, prior_Intercept_2_loc, prior_Intercept_2_scale);
  lprior += logistic_lpdf(Intercept_hu | prior_Intercept_hu_loc, prior_Intercept_hu_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    // initialize linear predictor term of hu
    vector[N] hu = rep_vector(0.0, N);
    mu += Xc * b;
    hu += Intercept_hu + Xc_hu * b_hu;
    hu = inv_logit(hu);
    for (n in 1:N) {
      target += hurdle_cumulative_logit_merged_lpmf(Y[n] | mu[n], hu[n], disc, merged_Intercept, Jthres[n]);
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // compute actual thresholds
  vector[nthres[1]] b_Intercept_1 = Intercept_1;
  vector[nthres[2]] b_Intercept_2 = Intercept_2;
  // actual population-level intercept
  real b_hu_Intercept = Intercept_hu - dot_product(means_X_hu, b_hu);
}
