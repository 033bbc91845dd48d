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
  real<lower=0> disc;  // fixed discrimination parameter
  // data for group-level effects of ID 1
  int<lower=1> N_1;  // number of grouping levels
  int<lower=1> M_1;  // number of coefficients per level
  array[N] int<lower=1> J_1;  // grouping indicator per observation
  // group-level predictor values
  vector[N] Z_1_1;
  vector[N] Z_1_2;
  vector[N] Z_1_3;
  vector[N] Z_1_4;
  vector[N] Z_1_5;
  vector[N] Z_1_6;
  // prior hyperparameters (values: make_standata() / prior_summary())
  vector[nthres] prior_Intercept_df;
  vector[nthres] prior_Intercept_loc;
  vector[nthres] prior_Intercept_scale;
  vector[M_1] prior_sd_1_df;
  vector[M_1] prior_sd_1_loc;
  vector[M_1] prior_sd_1_scale;
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
  vector<lower=0>[M_1] sd_1;  // group-level standard deviations (cs(z) || g)
  array[M_1] vector[N_1] z_1;  // standardized group-level effects
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[N_1] r_1_1;  // actual group-level effects
  vector[N_1] r_1_2;  // actual group-level effects
  vector[N_1] r_1_3;  // actual group-level effects
  vector[N_1] r_1_4;  // actual group-level effects
  vector[N_1] r_1_5;  // actual group-level effects
  vector[N_1] r_1_6;  // actual group-level effects
  // compute actual group-level effects of (cs(z) || g)
  r_1_1 = sd_1[1] * z_1[1];
  r_1_2 = sd_1[2] * z_1[2];
  r_1_3 = sd_1[3] * z_1[3];
  r_1_4 = sd_1[4] * z_1[4];
  r_1_5 = sd_1[5] * z_1[5];
  r_1_6 = sd_1[6] * z_1[6];
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(sd_1 | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale)
    - student_t_lccdf(rep_vector(0, M_1) | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Xc * b;
    // category-specific effects shift each threshold
    matrix[N, nthres] mucs = rep_matrix(0, N, nthres);
    mucs[, 1] += r_1_1[J_1] .* Z_1_1 + r_1_4[J_1] .* Z_1_4;
    mucs[, 2] += r_1_2[J_1] .* Z_1_2 + r_1_5[J_1] .* Z_1_5;
    mucs[, 3] += r_1_3[J_1] .* Z_1_3 + r_1_6[J_1] .* Z_1_6;
    for (n in 1:N) {
      target += sratio_logit_lpmf(Y[n] | mu[n], disc, Intercept - transpose(mucs[n]));
    }
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(z_1[1]);
  target += std_normal_lpdf(z_1[2]);
  target += std_normal_lpdf(z_1[3]);
  target += std_normal_lpdf(z_1[4]);
  target += std_normal_lpdf(z_1[5]);
  target += std_normal_lpdf(z_1[6]);
}
generated quantities {
  // thresholds on the scale of the uncentered predictors
  vector[nthres] b_Intercept = Intercept + dot_product(means_X, b);
}
