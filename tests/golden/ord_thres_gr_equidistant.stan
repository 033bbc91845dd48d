// generated with brmspy
functions {
  /* ordered_logistic log-PMF with thresholds per group
   * Args: thres: every group's thresholds, merged; j: first and last index of the row's group in thres
   */
  real ordered_logistic_merged_lpmf(int y, real mu, vector thres, array[] int j) {
    return ordered_logistic_lpmf(y | mu, thres[j[1]:j[2]]);
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
  real<lower=0> disc;  // fixed discrimination parameter
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_first_Intercept_1_df;
  real prior_first_Intercept_1_loc;
  real prior_first_Intercept_1_scale;
  real prior_first_Intercept_2_df;
  real prior_first_Intercept_2_loc;
  real prior_first_Intercept_2_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int<lower=1> nmthres = sum(nthres);  // total number of thresholds
  array[ngrthres] int<lower=1> Kthres_start;  // start index per threshold group
  array[ngrthres] int<lower=1> Kthres_end;  // end index per threshold group
  int Kc = K - 1;
  matrix[N, Kc] Xc = X[, 2:K];  // X without its intercept column (not centered)
  Kthres_start[1] = 1;
  Kthres_end[1] = nthres[1];
  for (i in 2:ngrthres) {
    Kthres_start[i] = Kthres_end[i-1] + 1;
    Kthres_end[i] = Kthres_end[i-1] + nthres[i];
  }
}
parameters {
  vector[Kc] b;  // regression coefficients
  real first_Intercept_1;  // first threshold
  real<lower=0> delta_1;  // distance between thresholds
  real first_Intercept_2;  // first threshold
  real<lower=0> delta_2;  // distance between thresholds
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  // equidistant thresholds
  vector[nthres[1]] Intercept_1 = first_Intercept_1 + delta_1 * linspaced_vector(nthres[1], 0, nthres[1] - 1);
  vector[nthres[2]] Intercept_2 = first_Intercept_2 + delta_2 * linspaced_vector(nthres[2], 0, nthres[2] - 1);
  vector[nmthres] merged_Intercept;  // merged thresholds
  // merge thresholds
  merged_Intercept[Kthres_start[1]:Kthres_end[1]] = Intercept_1;
  merged_Intercept[Kthres_start[2]:Kthres_end[2]] = Intercept_2;
  lprior += student_t_lpdf(first_Intercept_1 | prior_first_Intercept_1_df, prior_first_Intercept_1_loc, prior_first_Intercept_1_scale);
  lprior += student_t_lpdf(first_Intercept_2 | prior_first_Intercept_2_df, prior_first_Intercept_2_loc, prior_first_Intercept_2_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Xc * b;
    for (n in 1:N) {
      target += ordered_logistic_merged_lpmf(Y[n] | mu[n], merged_Intercept, Jthres[n]);
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // compute actual thresholds
  vector[nthres[1]] b_Intercept_1 = Intercept_1;
  vector[nthres[2]] b_Intercept_2 = Intercept_2;
}
