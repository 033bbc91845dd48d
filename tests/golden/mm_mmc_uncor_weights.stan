// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  vector[N] Y;  // response variable
  // data for group-level effects of ID 1
  int<lower=1> N_1;  // number of grouping levels
  int<lower=1> M_1;  // number of coefficients per level
  array[N] int<lower=1> J_1_1;  // grouping indicator of member 1
  array[N] int<lower=1> J_1_2;  // grouping indicator of member 2
  vector[N] W_1_1;  // multi-membership weights of member 1
  vector[N] W_1_2;  // multi-membership weights of member 2
  // group-level predictor values
  vector[N] Z_1_1;
  // data for group-level effects of ID 2
  int<lower=1> N_2;  // number of grouping levels
  int<lower=1> M_2;  // number of coefficients per level
  array[N] int<lower=1> J_2_1;  // grouping indicator of member 1
  array[N] int<lower=1> J_2_2;  // grouping indicator of member 2
  vector[N] W_2_1;  // multi-membership weights of member 1
  vector[N] W_2_2;  // multi-membership weights of member 2
  // group-level predictor values
  vector[N] Z_2_1_1;
  vector[N] Z_2_1_2;
  // prior hyperparameters (values: make_standata() / prior_summary())
  real prior_Intercept_df;
  real prior_Intercept_loc;
  real prior_Intercept_scale;
  real prior_sigma_df;
  real prior_sigma_loc;
  real prior_sigma_scale;
  vector[M_1] prior_sd_1_df;
  vector[M_1] prior_sd_1_loc;
  vector[M_1] prior_sd_1_scale;
  vector[M_2] prior_sd_2_df;
  vector[M_2] prior_sd_2_loc;
  vector[M_2] prior_sd_2_scale;
  int prior_only;  // should the likelihood be ignored?
}
parameters {
  real Intercept;  // temporary intercept for centered predictors
  real<lower=0> sigma;  // dispersion parameter
  vector<lower=0>[M_1] sd_1;  // group-level standard deviations (1 + mmc(w1, w2) || mm(g1, g2))
  array[M_1] vector[N_1] z_1;  // standardized group-level effects
  vector<lower=0>[M_2] sd_2;  // group-level standard deviations (1 + mmc(w1, w2) || mm(g1, g2))
  array[M_2] vector[N_2] z_2;  // standardized group-level effects
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  vector[N_1] r_1_1;  // actual group-level effects
  vector[N_2] r_2_1;  // actual group-level effects
  // compute actual group-level effects of (1 + mmc(w1, w2) || mm(g1, g2))
  r_1_1 = sd_1[1] * z_1[1];
  // compute actual group-level effects of (1 + mmc(w1, w2) || mm(g1, g2))
  r_2_1 = sd_2[1] * z_2[1];
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
  lprior += student_t_lpdf(sigma | prior_sigma_df, prior_sigma_loc, prior_sigma_scale)
    - student_t_lccdf(0 | prior_sigma_df, prior_sigma_loc, prior_sigma_scale);
  lprior += student_t_lpdf(sd_1 | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale)
    - student_t_lccdf(rep_vector(0, M_1) | prior_sd_1_df, prior_sd_1_loc, prior_sd_1_scale);
  lprior += student_t_lpdf(sd_2 | prior_sd_2_df, prior_sd_2_loc, prior_sd_2_scale)
    - student_t_lccdf(rep_vector(0, M_2) | prior_sd_2_df, prior_sd_2_loc, prior_sd_2_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Intercept;
    // add group-level effects to mu
    mu += (W_1_1 .* r_1_1[J_1_1] + W_1_2 .* r_1_1[J_1_2]) .* Z_1_1;
    mu += (W_2_1 .* r_2_1[J_2_1] .* Z_2_1_1 + W_2_2 .* r_2_1[J_2_2] .* Z_2_1_2);
    target += normal_lpdf(Y | mu, sigma);
  }
  // priors including constants
  target += lprior;
  target += std_normal_lpdf(z_1[1]);
  target += std_normal_lpdf(z_2[1]);
}
generated quantities {
  // actual population-level intercept
  real b_Intercept = Intercept;
}
