// generated with brmspy
functions {
  /* cratio ordinal log-PMF with logit link
   * Args: y: category; mu: latent predictor; disc: discrimination; thres: thresholds
   */
  real cratio_logit_lpmf(int y, real mu, real disc, vector thres) {
    int nthres = num_elements(thres);
    real lp = 0;
    for (k in 1:(y - 1)) {
      lp += log(inv_logit(disc * (mu - thres[k])));
    }
    if (y <= nthres) {
      lp += log1m(inv_logit(disc * (mu - thres[y])));
    }
    return lp;
  }
  /* cratio_logit log-PMF with thresholds per group
   * Args: thres: every group's thresholds, merged; j: first and last index of the row's group in thres
   */
  real cratio_logit_merged_lpmf(int y, real mu, real disc, vector thres, array[] int j) {
    return cratio_logit_lpmf(y | mu, disc, thres[j[1]:j[2]]);
  }
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
  real<lower=0> disc1;  // fixed discrimination parameter
  real<lower=0> disc2;  // fixed discrimination parameter
  vector[2] con_theta;  // prior concentration
  vector[nthres[1]] prior_fixed_Intercept_1_df;
  vector[nthres[1]] prior_fixed_Intercept_1_loc;
  vector[nthres[1]] prior_fixed_Intercept_1_scale;
  vector[nthres[2]] prior_fixed_Intercept_2_df;
  vector[nthres[2]] prior_fixed_Intercept_2_loc;
  vector[nthres[2]] prior_fixed_Intercept_2_scale;
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
  Kthres_start[1] = 1;
  Kthres_end[1] = nthres[1];
  for (i in 2:ngrthres) {
    Kthres_start[i] = Kthres_end[i-1] + 1;
    Kthres_end[i] = Kthres_end[i-1] + nthres[i];
  }
}
parameters {
  vector[Kc_mu1] b_mu1;  // regression coefficients
  vector[Kc_mu2] b_mu2;  // regression coefficients
  simplex[2] theta;  // mixing proportions
  vector[nthres[1]] fixed_Intercept_1;  // thresholds fixed over mixture components
  vector[nthres[2]] fixed_Intercept_2;  // thresholds fixed over mixture components
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  // fix thresholds across ordinal mixture components
  vector[nthres[1]] Intercept_mu1_1 = fixed_Intercept_1;
  vector[nthres[2]] Intercept_mu1_2 = fixed_Intercept_2;
  vector[nmthres] merged_Intercept_mu1;  // merged thresholds
  // fix thresholds across ordinal mixture components
  vector[nthres[1]] Intercept_mu2_1 = fixed_Intercept_1;
  vector[nthres[2]] Intercept_mu2_2 = fixed_Intercept_2;
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
  lprior += student_t_lpdf(fixed_Intercept_1 | prior_fixed_Intercept_1_df, prior_fixed_Intercept_1_loc, prior_fixed_Intercept_1_scale);
  lprior += student_t_lpdf(fixed_Intercept_2 | prior_fixed_Intercept_2_df, prior_fixed_Intercept_2_loc, prior_fixed_Intercept_2_scale);
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
      ps[1] = log(theta1) + cratio_logit_merged_lpmf(Y[n] | mu1[n], disc1, merged_Intercept_mu1, Jthres[n]);
      ps[2] = log(theta2) + acat_logit_merged_lpmf(Y[n] | mu2[n], disc2, merged_Intercept_mu2, Jthres[n]);
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
}
