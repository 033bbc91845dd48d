// generated with brmspy
functions {
  /* sratio ordinal log-PMF with probit link
   * Args: y: category; mu: latent predictor; disc: discrimination; thres: thresholds
   */
  real sratio_probit_lpmf(int y, real mu, real disc, vector thres) {
    int nthres = num_elements(thres);
    real lp = 0;
    for (k in 1:(y - 1)) {
      lp += log1m(Phi(disc * (thres[k] - mu)));
    }
    if (y <= nthres) {
      lp += log(Phi(disc * (thres[y] - mu)));
    }
    return lp;
  }
  /* sratio_probit log-PMF with thresholds per group
   * Args: thres: every group's thresholds, merged; j: first and last index of the row's group in thres
   */
  real sratio_probit_merged_lpmf(int y, real mu, real disc, vector thres, array[] int j) {
    return sratio_probit_lpmf(y | mu, disc, thres[j[1]:j[2]]);
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
  int<lower=1> K_disc;  // number of population-level effects
  matrix[N, K_disc] X_disc;  // population-level design matrix
  // data for group-level effects of ID 1
  int<lower=1> N_1;  // number of grouping levels
  int<lower=1> M_1;  // number of coefficients per level
  array[N] int<lower=1> J_1;  // grouping indicator per observation
  // group-level predictor values
  vector[N] Z_1_1;
  // prior hyperparameters (values: make_standata() / prior_summary())
  vector[nthres[1]] prior_Intercept_1_df;
  vector[nthres[1]] prior_Intercept_1_loc;
  vector[nthres[1]] prior_Intercept_1_scale;
  vector[nthres[2]] prior_Intercept_2_df;
  vector[nthres[2]] prior_Intercept_2_loc;
  vector[nthres[2]] prior_Intercept_2_scale;
  real prior_Intercept_disc_loc;
  real prior_Intercept_disc_scale;
  vector[M_1] prior_sd_1_df;
  vector[M_1] prior_sd_1_loc;
  vector[M_1] prior_sd_1_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int<lower=1> nmthres = sum(nthres);  // total number of thresholds
  array[ngrthres] int<lower=1> Kthres_start;  // start index per threshold group
  array[ngrthres] int<lower=1> Kthres_end;  // end index per threshold group
  int Kc = K - 1;
  matrix[N, Kc] Xc = X[, 2:K];  // X without its intercept column (not centered)
  int Kc_disc = K_disc - 1;
  matrix[N, Kc_disc] Xc_disc;  // centered version of X_disc without an intercept
  vector[Kc_disc] means_X_disc;  // column means of X_disc before centering
  Kthres_start[1] = 1;
  Kthres_end[1] = nthres[1];
  for (i in 2:ngrthres) {
    Kthres_start[i] = Kthres_end[i-1] + 1;
    Kthres_end[i] = Kthres_end[i-1] + nthres[i];
  }
  for (i in 2:K_disc) {
    means_X_disc[i - 1] = mean(X_disc[, i]);
    Xc_disc[, i - 1] = X_disc[, i] - means_X_disc[i - 1];
  }
}
parameters {
  vector[Kc] b;  // regression coefficients
  vector[nthres[1]] Intercept_1;  // temporary thresholds for centered predictors
  vector[nthres[2]] Intercept_2;  // temporary thresholds for centered predictors
  vector[Kc_disc] b_disc;  // regression coefficients
  real Intercept_disc;  // temporary intercept for centered predictors
  vector<lower=0>[M_1] sd_1;  // group-level standard deviations (1 | g)
  vector[N_1] r_1_1;  // actual group-level effects (centered parameterization)
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[nmthres] merged_Intercept;  // merged thresholds
  // merge thresholds
  merged_Intercept[Kthres_start[1]:Kthres_end[1]] = Intercept_1;
  merged_Intercept[Kthres_start[2]:Kthres_end[2]] = Intercept_2;
  lprior += student_t_lpdf(Intercept_1 | prior_Intercept_1_df, prior_Intercept_1_loc, prior_Intercept_1_scale);
  lprior += student_t_lpdf(Intercept_2 | prior_Intercept_2_df, prior_Intercept_2_loc, prior_Intercept_2_scale);
  lprior += normal_lpdf(Intercept_disc | prior_Intercept_disc_loc, prior_Intercept_disc_scale);
  lprior += student_t_lpdf(sd_1 | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale)
    - student_t_lccdf(rep_vector(0, M_1) | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    // initialize linear predictor term of disc
    vector[N] disc = rep_vector(0.0, N);
    mu += Xc * b;
    // add group-level effects to mu
    mu += r_1_1[J_1] .* Z_1_1;
    disc += Intercept_disc + Xc_disc * b_disc;
    disc = exp(disc);
    for (n in 1:N) {
      target += sratio_probit_merged_lpmf(Y[n] | mu[n], disc[n], merged_Intercept, Jthres[n]);
    }
  }
  // priors including constants
  target += lprior;
  target += normal_lpdf(r_1_1 | 0, sd_1[1]);
}
generated quantities {
  // compute actual thresholds
  vector[nthres[1]] b_Intercept_1 = Intercept_1;
  vector[nthres[2]] b_Intercept_2 = Intercept_2;
  // actual population-level intercept
  real b_disc_Intercept = Intercept_disc - dot_product(means_X_disc, b_disc);
}
